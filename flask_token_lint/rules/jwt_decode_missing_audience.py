"""FTL104: a token minted for another service is accepted when the audience is not checked."""

from __future__ import annotations

import ast

from flask_token_lint.rule import Docs, OWASP_API2, Rule, Severity, example

# authlib checks nothing until ``claims.validate()``, and then only what ``claims_options`` ask for.
_WHY_UNCHECKED = {
    "never validated": " (claims.validate() is never called)",
    "absent": " (claims_options name no expected aud)",
    "optional": " (claims_options do not make aud essential)",
}


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
        what=(
            "Finds verifying PyJWT and python-jose decodes that pass no `audience`, or that turn `verify_aud` "
            "off, and authlib decodes (`authlib.jose.jwt.decode`, `JsonWebToken(...).decode`) whose claims are "
            "never checked with `claims.validate()` in the function, or whose `claims_options` do not ask for "
            "an essential `aud` with an expected `value`/`values`."
        ),
        why=(
            "When one identity provider issues tokens for several services, a token meant for any of them is "
            "then accepted by this one: a token stolen from, or legitimately held for, a low-value service "
            "opens this API too. authlib checks no claim until `claims.validate()`, and then accepts a token "
            "without `aud` unless the claim is `essential`. python_jwt's `verify_jwt` has no audience check "
            "and flask-jwt-extended reads `JWT_DECODE_AUDIENCE`; they are not judged here."
        ),
        references=(
            "https://pyjwt.readthedocs.io/en/stable/usage.html#audience-claim-aud",
            "https://docs.authlib.org/en/latest/jose/jwt.html#jwt-payload-claims-validation",
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
        example(
            """\
            from authlib.jose import jwt

            def user(token, keys):
                claims = jwt.decode(token, keys, claims_options={"iss": {"essential": True, "value": "idp"}})
                claims.validate()
                return claims
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
        example(
            """\
            from authlib.jose import jwt

            def user(token, keys):
                claims = jwt.decode(token, keys, claims_options={"aud": {"essential": True, "value": "api"}})
                claims.validate()
                return claims
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
            reason = decode.unchecked_claim("aud")  # nothing is checked until claims.validate()
            if reason is not None:
                yield node, {"function": decode.function, "how": _WHY_UNCHECKED[reason]}
            return
        if not decode.accepts("audience"):
            return  # python_jwt has no audience check; flask-jwt-extended reads JWT_DECODE_AUDIENCE
        if decode.disables("verify_aud"):
            yield decode.written_at("verify_aud"), {"function": decode.function, "how": " (verify_aud is off)"}
            return
        if decode.omits("audience", ctx.constants_of):
            yield node, {"function": decode.function, "how": ""}
