"""Which names mean a credential: header names, environ keys, cookie names."""

from __future__ import annotations

import re

# Headers whose value is ``<scheme> <credentials>``: the token cut rules apply.
AUTHORIZATION_HEADERS = frozenset({"authorization", "proxy-authorization"})
# Other headers whose whole value is a credential.
SECRET_HEADERS = frozenset({"cookie", "x-api-key", "api-key", "x-auth-token", "x-access-token"})

_WORD_SPLIT = re.compile(r"[^a-z0-9]+")
# Matched anywhere in a cookie name ("accesstoken", "my_jwt", "flask_session").
_CREDENTIAL_PARTS = ("session", "token", "jwt", "csrf", "xsrf", "apikey", "api_key", "bearer", "credential", "remember")
# Matched as whole words only: "sid" must not match "inside", "auth" not "author".
_CREDENTIAL_WORDS = frozenset({"sid", "sess", "auth", "access", "refresh", "login", "sessid", "phpsessid"})


def environ_key(header: str) -> str:
    """The WSGI environ key of a header name (``X-Api-Key`` -> ``HTTP_X_API_KEY``)."""
    return "HTTP_" + header.upper().replace("-", "_")


AUTHORIZATION_ENVIRON = frozenset(environ_key(h) for h in AUTHORIZATION_HEADERS)
SECRET_ENVIRON = frozenset(environ_key(h) for h in SECRET_HEADERS)


def is_credential_name(name: str) -> bool:
    """A cookie or key name that says it carries a credential."""
    lowered = name.lower()
    if any(part in lowered for part in _CREDENTIAL_PARTS):
        return True
    return any(word in _CREDENTIAL_WORDS for word in _WORD_SPLIT.split(lowered))
