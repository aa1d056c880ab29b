"""What a request-derived value can be, and how a configuration setting is spelled: the vocabulary
the analyses answer in."""

from __future__ import annotations

import enum
from dataclasses import dataclass


class Kind(enum.Enum):
    REQUEST = "request"
    HEADERS = "headers mapping"
    ENVIRON = "WSGI environ"
    COOKIES = "cookies mapping"
    QUERY = "query-string mapping"
    AUTHORIZATION = "parsed Authorization"
    AUTH_HEADER = "Authorization header value"
    SECRET_VALUE = "other credential value"
    PARTS = "split Authorization header"
    SCHEME = "scheme part"
    TOKEN = "token"  # cut from the header, or a token cookie or query parameter
    BODY = "request body mapping"  # request.form, request.json, request.get_json()
    SESSION = "session mapping"  # flask.session
    CONFIG = "configuration mapping"  # app.config, current_app.config
    SIGNATURE = "HMAC digest or signature"  # a secret to compare, not a credential to hide
    HOST = "request host"  # request.host, url_root, host_url, url: the client's Host (or X-Forwarded-Host) header
    INPUT = "request input"  # any other value a request supplies: untrusted, not known to be secret


@dataclass(frozen=True)
class Value:
    kind: Kind
    label: str  # what a message may name; never the value itself
    supplied: bool = False  # the client sent it (a header, query, body or cookie value, or a piece of one)


# Kinds that hold a secret by where they come from: comparing them with ``==`` leaks them by timing.
SECRET_KINDS = frozenset({Kind.TOKEN, Kind.AUTH_HEADER, Kind.SECRET_VALUE, Kind.SIGNATURE})
# Kinds whose text reveals a credential when written out.
LEAKING_KINDS = frozenset(
    {Kind.HEADERS, Kind.ENVIRON, Kind.COOKIES, Kind.AUTHORIZATION, Kind.AUTH_HEADER, Kind.SECRET_VALUE, Kind.PARTS}
)


# How a configuration setting is made (``ConfigSetting.spelling``).
APP_CONFIG = "app config"  # app.config[...] / app.config.update / from_mapping
CONFIG_CLASS = "config class"
MODULE_CONSTANT = "module constant"


# What keeps a login in a cookie, and the settings that make those cookies Secure (FTL405). The
# keys are what the project index reports a module uses.
SESSION_USERS: dict[str, tuple[str, ...]] = {
    "flask.session": ("SESSION_COOKIE_SECURE",),
    "flask_session": ("SESSION_COOKIE_SECURE",),
    "flask_login": ("SESSION_COOKIE_SECURE", "REMEMBER_COOKIE_SECURE"),
    "flask_security": ("SESSION_COOKIE_SECURE", "REMEMBER_COOKIE_SECURE"),
    "flask_jwt_extended cookies": ("JWT_COOKIE_SECURE",),
}
COOKIE_SECURE_SETTINGS = frozenset(s for settings in SESSION_USERS.values() for s in settings)
# An extension that makes every cookie Secure when it wraps the app.
SECURING_EXTENSIONS = frozenset({"flask_talisman"})
# Configuration classes (or keys of a configuration map) by name: one for the test runner
# (``TestingConfig``, ``UnitTestConfig``; FTL107), or for any use but production (also
# ``DevelopmentConfig``, ``"local"``; FTL405). Patterns, compiled by the rules that use them.
TEST_CONFIGURATION_NAME = r"(?:^|_|(?<=[a-z]))(?:Test|Testing|Tests|UnitTest)(?=[A-Z_]|$)"
NOT_PRODUCTION_NAME = (
    r"(?i:(?:^|_|(?<=[a-z]))(?:dev|develop|development|test|testing|tests|local|debug|unittest|ci)(?=[A-Z_]|$|config))"
)
# HTTP clients whose ``verify=`` turns certificate checks off (FTL502, and the project index's
# summaries of helpers that hand a parameter to it); aiohttp's ``ssl=`` is read apart.
HTTP_CLIENT_MODULES = ("requests.", "httpx.", "urllib3.")
HTTP_METHODS = frozenset({"get", "post", "put", "patch", "delete", "head", "options", "request"})
