"""FTL102: a decode without an algorithms allow-list trusts the token's own ``alg``."""

from __future__ import annotations

import ast

from flask_token_lint.rule import Docs, OWASP_API2, Rule, Severity, example


class JwtDecodeMissingAlgorithms(Rule):
    code = "FTL102"
    symbol = "jwt-decode-missing-algorithms"
    summary = "JWT verified without an algorithms allow-list"
    message = "{function} verifies the token without an algorithms allow-list"
    severity = Severity.MEDIUM
    cwe = ("CWE-347",)
    owasp = OWASP_API2
    node_types = (ast.Call,)
    triggers = ("decode + jwt|jose",)
    docs = Docs(
        what="Finds verifying JWT decodes that pass no `algorithms` allow-list (or pass `algorithms=None`).",
        why=(
            "PyJWT 1.x and python-jose then accept whatever algorithm the token's header names: an attacker "
            "can pick `none`, or sign with HMAC using the public RSA key as the secret (key confusion). "
            "PyJWT 2 refuses such a call at run time. Decodes that skip verification are FTL101's concern. "
            "Other libraries stay silent: authlib takes its allow-list from the `JsonWebToken([...])` object, "
            "flask-jwt-extended from `JWT_DECODE_ALGORITHMS`, and python_jwt's `verify_jwt` without "
            "`allowed_algs` rejects every token."
        ),
        references=(
            "https://pyjwt.readthedocs.io/en/stable/api.html#jwt.decode",
            "https://cwe.mitre.org/data/definitions/347.html",
        ),
    )
    bad_examples = (
        example(
            """\
            import jwt

            def user(token, key):
                return jwt.decode(token, key, audience="api")
            """
        ),
        example(
            """\
            from jose import jwt

            def user(token, key):
                return jwt.decode(token, key, audience="api")
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
            import jwt

            def peek(token):
                return jwt.decode(token, options={"verify_signature": False})
            """
        ),
    )

    def check(self, node, ctx):
        decode = ctx.decode_call(node)
        if decode is None or not decode.verifies or not decode.needs_allow_list:
            return  # authlib, python_jwt and flask-jwt-extended take the allow-list elsewhere
        if decode.omits("algorithms", ctx.constants_of):
            yield node, {"function": decode.function}
