"""FTL101: a JWT whose signature is never checked can be forged by anyone."""

from __future__ import annotations

import ast

from flask_token_lint.jwt_calls import later_verified_decode_of
from flask_token_lint.rule import example, OWASP_API2, Docs, Rule, Severity


class JwtUnverifiedDecode(Rule):
    code = "FTL101"
    symbol = "jwt-unverified-decode"
    summary = "JWT decoded without signature verification"
    message = "{function} reads token claims without verifying the signature ({how})"
    severity = Severity.HIGH
    cwe = ("CWE-347",)
    owasp = OWASP_API2
    node_types = (ast.Call,)
    triggers = ("decode", "get_unverified_claims")
    docs = Docs(
        what=(
            "Finds JWT decodes that skip signature verification: PyJWT or python-jose `decode`/`decode_complete` "
            "with `options` turning `verify_signature` off (a dict literal, `dict(...)`, or a name bound to one), "
            "PyJWT 1.x's `verify=False`, and python-jose's `get_unverified_claims`."
        ),
        why=(
            "Without the signature check, the claims are whatever the client wrote: anyone can mint a token "
            "saying `sub: admin`. Reading the header or claims first to pick a key is fine (`get_unverified_header`, "
            "or an unverified decode followed in the same function by a verified decode of the same token), "
            "and stays silent."
        ),
        references=(
            "https://pyjwt.readthedocs.io/en/stable/usage.html#reading-the-claimset-without-validation",
            "https://cwe.mitre.org/data/definitions/347.html",
        ),
    )
    bad_examples = (
        example(
            """\
            import jwt

            def user(token):
                return jwt.decode(token, options={"verify_signature": False})["sub"]
            """
        ),
        example(
            """\
            import jwt

            NO_VERIFY = {"verify_signature": False}

            def user(token, key):
                return jwt.decode(token, key, algorithms=["HS256"], options=NO_VERIFY)
            """
        ),
        example(
            """\
            from jose import jwt

            def user(token):
                return jwt.get_unverified_claims(token)
            """
        ),
    )
    good_examples = (
        example(
            """\
            import jwt

            def user(token, key):
                return jwt.decode(token, key, algorithms=["HS256"], audience="api")["sub"]
            """
        ),
        example(
            """\
            import jwt

            def key_id(token):
                return jwt.get_unverified_header(token)["kid"]
            """
        ),
        example(
            """\
            import jwt

            def user(token, keys):
                issuer = jwt.decode(token, options={"verify_signature": False})["iss"]
                return jwt.decode(token, keys[issuer], algorithms=["RS256"], audience="api")
            """
        ),
    )

    def check(self, node, ctx):
        decode = ctx.decode_call(node)
        if decode is None or not decode.unverified:
            return
        if later_verified_decode_of(decode, ctx.scope, ctx.values):
            return  # peek-then-verify: the unverified read only chose the key
        if decode.reader_only:
            how = "it never checks the signature"
        elif decode.disables("verify_signature"):
            how = "verify_signature is off"
        else:
            how = "verify=False"
        yield node, {"function": decode.function, "how": how}
