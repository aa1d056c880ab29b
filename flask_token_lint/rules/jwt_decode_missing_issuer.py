"""FTL106: without an issuer check, any trusted key's tokens are accepted (opinionated, off by default)."""

from __future__ import annotations

import ast

from flask_token_lint.rule import Docs, OWASP_API2, Rule, Severity, example

# authlib checks nothing until ``claims.validate()``, and then only what ``claims_options`` ask for.
_WHY_UNCHECKED = {
    "never validated": " (claims.validate() is never called)",
    "absent": " (claims_options name no expected iss)",
    "optional": " (claims_options do not make iss essential)",
}


class JwtDecodeMissingIssuer(Rule):
    code = "FTL106"
    symbol = "jwt-decode-missing-issuer"
    summary = "JWT verified without an issuer check"
    message = "{function} verifies the token without checking its issuer{how}"
    severity = Severity.LOW
    cwe = ("CWE-287",)
    owasp = OWASP_API2
    default_enabled = False
    node_types = (ast.Call,)
    triggers = ("decode + jwt|jose",)
    docs = Docs(
        what=(
            "Finds verifying PyJWT and python-jose decodes that pass no `issuer`, and authlib decodes whose "
            "claims are never checked with `claims.validate()` or whose `claims_options` do not ask for an "
            "essential `iss` with an expected value. Off by default: enable it with `--select FTL106`."
        ),
        why=(
            "When keys from several issuers are trusted (a JWKS with many tenants, a shared secret between "
            "services), a token from any of them passes. Many apps trust exactly one issuer per key, so the "
            "rule is opinionated and off unless selected. python_jwt's `verify_jwt` has no issuer check and "
            "flask-jwt-extended reads `JWT_DECODE_ISSUER`; they are not judged here."
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
        if decode is None or not decode.verifies or not decode.has_claims:
            return
        if decode.is_state_token or ctx.self_issued(decode):
            return  # an OAuth state value or a token only this code signs, of one kind: no other audience
        if decode.library == "authlib":
            reason = decode.unchecked_claim("iss")
            if reason is not None:
                yield node, {"function": decode.function, "how": _WHY_UNCHECKED[reason]}
            return
        if decode.accepts("issuer") and decode.omits("issuer", ctx.constants_of):
            yield node, {"function": decode.function, "how": ""}
