"""FTL109: an access token that lives for weeks stays useful to whoever steals it for weeks."""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING

from flask_token_lint.rule import Docs, OWASP_API2, Rule, Severity, example

if TYPE_CHECKING:
    from flask_token_lint.context import Context

_TIMEDELTA = frozenset({"datetime.timedelta"})
# timedelta's positional parameters, and each unit in seconds.
_UNITS = {"days": 86400, "seconds": 1, "microseconds": 1e-6, "milliseconds": 1e-3, "minutes": 60, "hours": 3600,
          "weeks": 604800}
_POSITIONAL = ("days", "seconds", "microseconds", "milliseconds", "minutes", "hours", "weeks")
_NOW = frozenset({"datetime.datetime.utcnow", "datetime.datetime.now", "time.time", "datetime.datetime.today"})
_ACCESS_FACTORIES = frozenset({"flask_jwt_extended.create_access_token", "flask_jwt_extended.utils.create_access_token"})
_ACCESS_SETTING = "JWT_ACCESS_TOKEN_EXPIRES"
_OPERATORS = {ast.Add: lambda a, b: a + b, ast.Sub: lambda a, b: a - b, ast.Mult: lambda a, b: a * b}


def _number(node: ast.expr, ctx: Context, depth: int = 0) -> float | None:
    """The number a literal arithmetic expression spells (``60 * 60 * 24``), else None."""
    if depth > 8:
        return None
    values = ctx.constants_of(node) if isinstance(node, ast.Name) else [node]
    if len(values) != 1:
        return None
    node = values[0]
    if isinstance(node, ast.Constant) and type(node.value) in (int, float):
        return float(node.value)
    if isinstance(node, ast.BinOp) and type(node.op) in _OPERATORS:
        left, right = _number(node.left, ctx, depth + 1), _number(node.right, ctx, depth + 1)
        return None if left is None or right is None else _OPERATORS[type(node.op)](left, right)
    return None


def _lifetime(node: ast.expr, ctx: Context) -> float | None:
    """Seconds of a ``timedelta(...)`` (every argument a literal), or of a literal number; None for a
    lifetime made at run time."""
    values = ctx.constants_of(node)
    if len(values) != 1:
        return None
    value = values[0]
    if isinstance(value, ast.Call) and ctx.qualname(value.func) in _TIMEDELTA:
        total = 0.0
        given = [(name, arg) for name, arg in zip(_POSITIONAL, value.args)]
        given += [(k.arg, k.value) for k in value.keywords if k.arg in _UNITS]
        if len(given) != len(value.args) + len(value.keywords):
            return None  # ``**kwargs`` or an unknown keyword
        for name, argument in given:
            amount = _number(argument, ctx)
            if amount is None:
                return None
            total += amount * _UNITS[name]
        return total
    return _number(value, ctx)


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
                    return _lifetime(delta, ctx)
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
                lifetime = _lifetime(setting.value, ctx)
                if lifetime is not None and lifetime > limit:
                    yield setting.report, {"what": _ACCESS_SETTING, "lifetime": _days(lifetime), "limit": _days(limit)}
                return
        if not isinstance(node, ast.Call):
            return
        if ctx.qualname(node.func) in _ACCESS_FACTORIES:
            for delta in ctx.keyword_values(node, "expires_delta") or ():
                lifetime = _lifetime(delta, ctx)
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
