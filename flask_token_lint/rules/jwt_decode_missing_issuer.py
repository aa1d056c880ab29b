"""FTL106: without an issuer check, any trusted key's tokens are accepted (opinionated, off by default)."""

from __future__ import annotations

import ast

from flask_token_lint.rule import Docs, OWASP_API2, Rule, Severity, example


class JwtDecodeMissingIssuer(Rule):
    code = "FTL106"
    symbol = "jwt-decode-missing-issuer"
    summary = "JWT verified without an issuer check"
    message = "{function} verifies the token without checking its issuer"
    severity = Severity.LOW
    cwe = ("CWE-287",)
    owasp = OWASP_API2
    default_enabled = False
    node_types = (ast.Call,)
    triggers = ("decode + jwt|jose",)
    docs = Docs(
        what="Finds verifying JWT decodes that pass no `issuer`. Off by default: enable it with `--select FTL106`.",
        why=(
            "When keys from several issuers are trusted (a JWKS with many tenants, a shared secret between "
            "services), a token from any of them passes. Many apps trust exactly one issuer per key, so the "
            "rule is opinionated and off unless selected."
        ),
        references=(
            "https://pyjwt.readthedocs.io/en/stable/usage.html#issuer-claim-iss",
            "https://cwe.mitre.org/data/definitions/287.html",
        ),
    )
    bad_examples = (
        example(
            """\
            import jwt

            def user(token, key):
                return jwt.decode(token, key, algorithms=["RS256"], audience="api")
            """
        ),
    )
    good_examples = (
        example(
            """\
            import jwt

            def user(token, key):
                return jwt.decode(token, key, algorithms=["RS256"], audience="api", issuer="https://idp.example")
            """
        ),
    )

    def check(self, node, ctx):
        decode = ctx.decode_call(node)
        if decode is None or not decode.verifies or not decode.has_claims or decode.is_state_token:
            return  # an OAuth state value the app signed for itself has no other audience or issuer
        if decode.omits("issuer", ctx.constants_of):
            yield node, {"function": decode.function}
