"""FTL105: turning off expiry or issuer checks keeps stolen and revoked tokens valid."""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING

from flask_token_lint.rule import Docs, OWASP_API2, Rule, Severity, example

if TYPE_CHECKING:
    from flask_token_lint.context import Context

_CLAIM_CHECKS = ("verify_exp", "verify_nbf", "verify_iat", "verify_iss")
_NEVER_VALIDATED = "returns claims whose exp, nbf and iat are never checked (no claims.validate())"


class JwtClaimChecksDisabled(Rule):
    code = "FTL105"
    symbol = "jwt-claim-checks-disabled"
    summary = "JWT expiry, not-before, issued-at or issuer checks disabled, or leeway over a day"
    message = "{function} {problem}"
    severity = Severity.MEDIUM
    cwe = ("CWE-613",)
    owasp = OWASP_API2
    node_types = (ast.Call, ast.Assign, ast.AnnAssign)
    triggers = ("decode + jwt|jose", "decode_token", "JWT_DECODE_LEEWAY")
    docs = Docs(
        what=(
            "Finds decodes whose `options` turn off `verify_exp`, `verify_nbf`, `verify_iat` or `verify_iss`, "
            "and a `leeway` of more than a day (a number of seconds or a `timedelta`; the limit is the "
            "`max-leeway` option). Also flask-jwt-extended's `decode_token(..., allow_expired=True)` and a "
            "`JWT_DECODE_LEEWAY` over the limit in any configuration spelling, and authlib decodes "
            "(`authlib.jose.jwt.decode`, `JsonWebToken(...).decode`) whose claims are used or returned without "
            "`claims.validate()`: authlib checks no `exp`, `nbf` or `iat` until then."
        ),
        why=(
            "The expiry is what limits a stolen token's life: without it, or with days of leeway, a token "
            "leaked once works for as long as the key lives, and logging out or revoking access changes "
            "nothing. Checks turned off because the code does them itself (the decoded claims' `exp` is read, "
            "or they are passed to a `validate`/`verify`/`check` function) stay silent, and so do authlib "
            "claims that go where the analysis cannot follow them (stored on an object, handed to a helper)."
        ),
        references=(
            "https://pyjwt.readthedocs.io/en/stable/usage.html#expiration-time-claim-exp",
            "https://docs.authlib.org/en/latest/jose/jwt.html#jwt-payload-claims-validation",
            "https://flask-jwt-extended.readthedocs.io/en/stable/options.html#JWT_DECODE_LEEWAY",
            "https://cwe.mitre.org/data/definitions/613.html",
        ),
    )
    bad_examples = (
        example(
            """\
            import jwt

            def user(token, key):
                return jwt.decode(token, key, algorithms=["HS256"], audience="api", options={"verify_exp": False})
            """
        ),
        example(
            """\
            import datetime
            import jwt

            def user(token, key):
                week = datetime.timedelta(days=7)
                return jwt.decode(token, key, algorithms=["HS256"], audience="api", leeway=week)
            """
        ),
        example(
            """\
            from authlib.jose import jwt

            def user(token, keys):
                claims = jwt.decode(token, keys)
                return claims["sub"]
            """
        ),
    )
    good_examples = (
        example(
            """\
            import jwt

            def user(token, key):
                return jwt.decode(token, key, algorithms=["HS256"], audience="api", leeway=30)
            """
        ),
        example(
            """\
            from authlib.jose import jwt

            def user(token, keys):
                claims = jwt.decode(token, keys, claims_options={"aud": {"essential": True, "value": "api"}})
                claims.validate(leeway=30)
                return claims["sub"]
            """
        ),
    )

    def check(self, node, ctx):
        for setting in ctx.config_settings(node):
            if setting.name == "JWT_DECODE_LEEWAY" and _over_the_limit(setting.value, ctx):
                yield setting.report, {"function": "JWT_DECODE_LEEWAY", "problem": "accepts expired tokens for more "
                                       "than a day"}
                return
        if not isinstance(node, ast.Call):
            return
        decode = ctx.decode_call(node)
        if decode is None or decode.reader_only or decode.unverified or not decode.has_claims:
            return
        if decode.library == "authlib":
            if decode.unchecked_claim("exp") is not None:
                yield node, {"function": decode.function, "problem": _NEVER_VALIDATED}
            return
        allow_expired = decode.argument("allow_expired")
        if allow_expired is not None and ctx.literal_is(allow_expired, True) and not ctx.claims_checked_by_hand(decode):
            problem = "accepts expired tokens (allow_expired=True)"
            yield decode.written_at("allow_expired"), {"function": decode.function, "problem": problem}
            return
        disabled = [name for name in _CLAIM_CHECKS if decode.disables(name)]
        if disabled and not ctx.claims_checked_by_hand(decode):
            problem = f"turns off {', '.join(disabled)}"
            yield decode.written_at(disabled[0]), {"function": decode.function, "problem": problem}
            return
        leeway = decode.argument("leeway")
        if leeway is None:
            leeway = decode.option("leeway")
        if leeway is not None and _over_the_limit(leeway, ctx):
            problem = "accepts expired tokens for more than a day (leeway)"
            yield decode.written_at("leeway"), {"function": decode.function, "problem": problem}


def _over_the_limit(leeway: ast.expr, ctx: Context) -> bool:
    """A leeway that may be longer than the ``max-leeway`` option on some path."""
    possible = [ctx.seconds_of(value) for value in ctx.constants_of(leeway)]
    seconds = max((s for s in possible if s is not None), default=None)
    return seconds is not None and seconds > ctx.settings.max_leeway
