"""FTL104: a token minted for another service is accepted when the audience is not checked."""

from __future__ import annotations

import ast

from flask_token_lint.rule import Docs, OWASP_API2, Rule, Severity, example


class JwtDecodeMissingAudience(Rule):
    code = "FTL104"
    symbol = "jwt-decode-missing-audience"
    summary = "JWT verified without an audience check"
    message = "{function} verifies the token without checking its audience{how}"
    severity = Severity.MEDIUM
    cwe = ("CWE-287",)
    owasp = OWASP_API2
    node_types = (ast.Call,)
    triggers = ("decode + jwt|jose",)
    docs = Docs(
        what="Finds verifying JWT decodes that pass no `audience`, or that turn `verify_aud` off.",
        why=(
            "When one identity provider issues tokens for several services, a token meant for any of them is "
            "then accepted by this one: a token stolen from, or legitimately held for, a low-value service "
            "opens this API too."
        ),
        references=(
            "https://pyjwt.readthedocs.io/en/stable/usage.html#audience-claim-aud",
            "https://cwe.mitre.org/data/definitions/287.html",
        ),
    )
    bad_examples = (
        example(
            """\
            import jwt

            def user(token, key):
                return jwt.decode(token, key, algorithms=["RS256"])
            """
        ),
        example(
            """\
            import jwt

            def user(token, key):
                return jwt.decode(token, key, algorithms=["RS256"], audience="api", options={"verify_aud": False})
            """
        ),
    )
    good_examples = (
        example(
            """\
            import jwt

            def user(token, key):
                return jwt.decode(token, key, algorithms=["RS256"], audience="api")
            """
        ),
    )

    def check(self, node, ctx):
        decode = ctx.decode_call(node)
        if decode is None or not decode.verifies or not decode.has_claims or decode.is_state_token:
            return  # an OAuth state value the app signed for itself has no other audience or issuer
        if decode.disables("verify_aud"):
            yield node, {"function": decode.function, "how": " (verify_aud is off)"}
            return
        if decode.omits("audience", ctx.constants_of):
            yield node, {"function": decode.function, "how": ""}
