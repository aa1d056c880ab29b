"""FTL109: an access token that lives for weeks stays useful to whoever steals it for weeks."""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING

from flask_token_lint.rule import Docs, OWASP_API2, Rule, Severity, example

if TYPE_CHECKING:
    from flask_token_lint.context import Context

_NOW = frozenset({"datetime.datetime.utcnow", "datetime.datetime.now", "time.time", "datetime.datetime.today"})
_ACCESS_FACTORIES = frozenset({"flask_jwt_extended.create_access_token", "flask_jwt_extended.utils.create_access_token"})
_ACCESS_SETTING = "JWT_ACCESS_TOKEN_EXPIRES"


def _is_now(node: ast.expr, ctx: Context) -> bool:
    """``datetime.utcnow()``, ``datetime.now(tz)``, ``time.time()`` (``int(...)`` of one too)."""
    for value in (node, *ctx.constants_of(node)):  # ``now + timedelta(...)`` after ``now = datetime.now()``
        for inner in ast.walk(value):
            if isinstance(inner, ast.Call) and ctx.qualname(inner.func) in _NOW:
                return True
    return False


def _expiry_lifetime(exp: ast.expr, ctx: Context) -> float | None:
    """``now + lifetime`` (either order): the lifetime in seconds, when it is a literal."""
    for value in ctx.constants_of(exp):
        if isinstance(value, ast.Call) and ctx.qualname(value.func) == "int" and value.args:
            value = value.args[0]  # ``int(time.time() + 3600)``
        if isinstance(value, ast.BinOp) and isinstance(value.op, ast.Add):
            for now, delta in ((value.left, value.right), (value.right, value.left)):
                if _is_now(now, ctx):
                    return ctx.seconds_of(delta)
    return None


def _days(seconds: float) -> str:
    amount, unit = (seconds / 86400, "day") if seconds >= 86400 else (seconds / 3600, "hour")
    return f"{amount:g} {unit}{'' if amount == 1 else 's'}"


class JwtLongLivedToken(Rule):
    code = "FTL109"
    symbol = "jwt-long-lived-token"
    summary = "Access token that lives longer than the allowed lifetime"
    message = "{what} lives {lifetime}, longer than the {limit} max-token-lifetime allows"
    severity = Severity.MEDIUM
    cwe = ("CWE-613",)
    owasp = OWASP_API2
    node_types = (ast.Call, ast.Assign, ast.AnnAssign)
    triggers = ("timedelta|time + encode|create_access_token|JWT_ACCESS_TOKEN_EXPIRES",)
    # Off until a review of real code shows its findings hold: one case so far (zou, fresh corpus).
    default_enabled = False
    docs = Docs(
        what=(
            "Finds access tokens whose lifetime is a literal longer than the `max-token-lifetime` option (one "
            "day by default): an `exp` claim computed as now plus a `timedelta` or a number of seconds in a "
            "`jwt.encode` payload (PyJWT, python-jose, authlib), flask-jwt-extended's `JWT_ACCESS_TOKEN_EXPIRES` "
            "in any configuration spelling, and `create_access_token(..., expires_delta=...)`. Refresh tokens "
            "(`create_refresh_token`, `JWT_REFRESH_TOKEN_EXPIRES`) and lifetimes made at run time (read from "
            "configuration, computed from a parameter) stay silent. No fix: the right lifetime is the team's "
            "call. Off by default: the packages the rules are reviewed on hold one case of it so far; turn it "
            "on with `--extend-select FTL109`."
        ),
        why=(
            "A bearer token works for whoever holds it until it expires: one leaked from a log, a browser or a "
            "proxy stays valid for its whole lifetime, and there is no revocation list to stop it. Short-lived "
            "access tokens with refresh tokens (which can be revoked) bound what a theft is worth."
        ),
        references=(
            "https://datatracker.ietf.org/doc/html/rfc9700#section-4.14",
            "https://flask-jwt-extended.readthedocs.io/en/stable/options.html#JWT_ACCESS_TOKEN_EXPIRES",
            "https://cwe.mitre.org/data/definitions/613.html",
        ),
    )
    bad_examples = (
        example(
            """\
            import datetime

            import jwt

            def issue(user, key):
                exp = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(days=30)
                return jwt.encode({"sub": user, "exp": exp}, key, algorithm="HS256")
            """
        ),
    )
    good_examples = (
        example(
            """\
            import datetime

            import jwt

            def issue(user, key):
                exp = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(minutes=15)
                return jwt.encode({"sub": user, "exp": exp}, key, algorithm="HS256")
            """
        ),
    )

    def check(self, node, ctx):
        limit = ctx.settings.max_token_lifetime
        for setting in ctx.config_settings(node):
            if setting.name == _ACCESS_SETTING:
                lifetime = ctx.seconds_of(setting.value)
                if lifetime is not None and lifetime > limit:
                    yield setting.report, {"what": _ACCESS_SETTING, "lifetime": _days(lifetime), "limit": _days(limit)}
                return
        if not isinstance(node, ast.Call):
            return
        if ctx.qualname(node.func) in _ACCESS_FACTORIES:
            for delta in ctx.keyword_values(node, "expires_delta") or ():
                lifetime = ctx.seconds_of(delta)
                if lifetime is not None and lifetime > limit:
                    yield node, {"what": "create_access_token(expires_delta=...)", "lifetime": _days(lifetime),
                                 "limit": _days(limit)}
                    return
            return
        encode = ctx.encode_call(node)
        payload = None if encode is None else encode.argument("payload")
        if payload is None:
            return
        for mapping in ctx.mappings_of(payload):
            exp = mapping.get("exp")
            lifetime = None if exp is None else _expiry_lifetime(exp, ctx)
            if lifetime is not None and lifetime > limit:
                yield node, {"what": f"the token {encode.function} issues", "lifetime": _days(lifetime),
                             "limit": _days(limit)}
                return
