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


# Query-string keys that carry a bearer credential. Pagination cursors
# (``page_token``, ``next_token``) and CSRF tokens are not in it.
_QUERY_TOKEN_KEYS = frozenset(
    {
        "token", "access_token", "accesstoken", "id_token", "refresh_token", "auth_token", "authtoken",
        "jwt", "auth", "api_key", "apikey", "api-key", "bearer", "session", "sessionid", "session_id",
    }
)


def is_query_token_key(name: str) -> bool:
    return name.lower() in _QUERY_TOKEN_KEYS


_IDENTIFIER_WORDS = re.compile(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+|[0-9]+")
_TOKEN_NAME_WORDS = frozenset({"token", "jwt", "bearer"})
# A last word that says the name holds something *about* a token, not the token.
_ABOUT_WORDS = frozenset(
    {
        "count", "counts", "len", "length", "size", "type", "types", "kind", "name", "names", "id", "ids",
        "idx", "index", "expires", "expiry", "expiration", "exp", "ttl", "lifetime", "age", "timeout",
        "url", "uri", "endpoint", "path", "format", "field", "fields", "header", "prefix", "scheme", "version",
        "limit", "limits", "usage", "cost", "location", "locations", "number", "num", "regex", "re", "pattern",
        "class", "cls", "model", "store", "storage", "manager", "service", "factory", "handler", "validator",
        "serializer", "schema", "table", "column", "status", "state", "mode", "label", "description", "help",
        "message", "msg", "provider", "backend", "loader", "cache", "blacklist", "blocklist", "denylist",
        "callback", "file", "filename", "dir", "env", "var", "setting", "settings", "config", "option", "options",
        "required", "enabled", "missing", "error", "errors", "exception", "valid", "invalid", "at", "time",
        "timestamp", "created", "issued", "claims", "payload", "data", "info", "key", "keys", "secret", "hash",
        "hashed", "digest", "hint", "param", "parameter", "arg", "attr", "attribute", "alg", "algorithm",
        "algorithms", "scope", "scopes", "audience", "issuer", "method", "methods", "username", "user",
        "function", "functions", "func", "getter", "parser", "lexer", "kinds",
    }
)
# A first word that says the name is a quantity or a predicate.
_QUANTITY_WORDS = frozenset(
    {
        "max", "min", "num", "n", "total", "count", "len", "is", "has", "should", "use",
        # pagination cursors are called tokens too, but open nothing
        "page", "next", "prev", "previous", "continuation", "pagination", "sync", "resume",
        # a verb first names a function, not the value
        "get", "set", "make", "create", "generate", "validate", "verify", "decode", "encode", "parse",
        "check", "build", "fetch", "load", "save", "store", "revoke", "issue",
    }
)


def identifier_words(identifier: str) -> list[str]:
    """``accessToken`` / ``ACCESS_TOKEN`` / ``access_token`` -> ``["access", "token"]``."""
    return [w.lower() for w in _IDENTIFIER_WORDS.findall(identifier)]


# Tokens that are public identifiers, not credentials: OAuth 1's ``oauth_token`` (useless without its
# secret), key ids, pagination and sync cursors.
_PUBLIC_TOKENS = frozenset({("oauth", "token"), ("kid",), ("key", "id"), ("page", "token"), ("next", "token")})
_SIGNATURE_WORDS = frozenset({"signature", "sig", "hmac", "digest"})


def is_public_identifier(identifier: str) -> bool:
    return tuple(identifier_words(identifier)) in _PUBLIC_TOKENS


def names_a_signature(identifier: str) -> bool:
    """``signature``, ``X-Hub-Signature``, ``hmac``: a value to compare, which signed URLs carry by design."""
    return bool(set(identifier_words(identifier)) & _SIGNATURE_WORDS)


def is_token_name(identifier: str) -> bool:
    """A variable, attribute or key name that says it holds a token (not a count or type of one)."""
    if is_public_identifier(identifier):
        return False
    words = identifier_words(identifier)
    if not any(word in _TOKEN_NAME_WORDS for word in words):
        return False
    return words[-1] not in _ABOUT_WORDS and words[0] not in _QUANTITY_WORDS


def is_secret_name(identifier: str) -> bool:
    """A name that says it holds a token or a shared secret (``api_key``, ``client_secret``)."""
    if is_token_name(identifier):
        return True
    words = identifier_words(identifier)
    if not words or words[0] in _QUANTITY_WORDS:
        return False
    secret = "secret" in words or "apikey" in words or any(a == "api" and b == "key" for a, b in zip(words, words[1:]))
    return secret and words[-1] not in (_ABOUT_WORDS - {"secret", "key"})


_PASSWORD_WORDS = frozenset(
    {"password", "passwd", "pwd", "passphrase", "pin", "otp", "passcode", "totp", "signature", "sig", "hmac"}
)


def is_credential_key(identifier: str) -> bool:
    """A request field, session entry or config name that says it holds a credential: a token, an
    API key or shared secret, a password, PIN or one-time code, a signature."""
    if is_secret_name(identifier):
        return True
    words = identifier_words(identifier)
    if not words or words[0] in _QUANTITY_WORDS - {"get", "set", "check", "verify", "validate"}:
        return False
    if words[-1] in _ABOUT_WORDS - {"key", "secret", "hash", "digest"}:
        return False
    return any(word in _PASSWORD_WORDS for word in words) or words[-2:] in (["reset", "key"], ["reset", "code"])


# Keys that open nothing: ``sort_key``, ``cache_key``, ``public_key``, ``primary_key``.
_NOT_SECRET_KEYS = frozenset(
    {"sort", "cache", "primary", "foreign", "partition", "lookup", "dict", "hash", "group", "order", "idempotency",
     "public", "kid", "row", "map", "index", "composite", "natural", "unique", "storage", "object", "s3", "redis"}
)


def names_a_key(identifier: str) -> bool:
    """A name that says it holds a key or secret (``supplied_key``, ``api_key``, ``password``): enough
    to say which side of a comparison with a request input is the secret one, never alone."""
    if is_credential_key(identifier):
        return True
    words = identifier_words(identifier)
    return len(words) > 0 and words[-1] == "key" and not (set(words[:-1]) & _NOT_SECRET_KEYS) and \
        words[0] not in _QUANTITY_WORDS


def names_token_metadata(identifier: str) -> bool:
    """A name about a token or secret rather than one (``DEFAULT_ACCESS_TOKEN_URL``, ``token_type``)."""
    words = identifier_words(identifier)
    about_secret = any(w in _TOKEN_NAME_WORDS or w in ("secret", "apikey") for w in words)
    return about_secret and not is_secret_name(identifier)


# Spellings for rule triggers (the prefilter matches raw text, case-sensitively): a file that has
# none of them cannot hold a value these rules look for.
TOKEN_SPELLINGS = "token|Token|TOKEN|jwt|JWT|Jwt|bearer|Bearer|BEARER"
QUERY_KEY_SPELLINGS = TOKEN_SPELLINGS + "|auth|Auth|AUTH|api_key|apikey|api-key|API_KEY|apiKey|session|Session"
HEADER_SPELLINGS = "uthorization|UTHORIZATION|ookie|OOKIE|pi-Key|pi-key|uth-Token|uth-token|ccess-Token|ccess-token"
SECRET_NAME_SPELLINGS = "secret|Secret|SECRET|api_key|apikey|apiKey|API_KEY|ApiKey|api-key"

# What the provenance analyses (values.py) start from: a file that names none of them holds no value
# that is a token, a secret or a request input by where it comes from. ``flask`` stands for
# ``flask.request``, ``flask.session`` and ``current_app`` (each needs an import of flask); an app's
# config is also read from an app made by ``create_app()``/``make_app()``.
REQUEST_SOURCE = "flask + request"
TOKEN_SOURCES = "flask|token|jwt|bearer|urandom|uthorization|ookie|pi-key|api_key|uth-token|ccess-token"
LEAK_SOURCES = TOKEN_SOURCES + "|environ|getenv|create_app|make_app"
# A function that makes a signature starts with the word ``sign`` (not ``assign``, ``design``).
SECRET_SOURCES = LEAK_SOURCES + "|hmac|re:sign(?<![a-z0-9]sign)"
# Words of the names of request fields that carry a credential (``is_request_credential``).
CREDENTIAL_KEY_SPELLINGS = "token|jwt|bearer|auth|api|secret|passw|pwd|passphrase|pin|otp|passcode|reset|session|sig|hmac"
