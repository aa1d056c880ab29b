"""FTL101: a JWT whose signature is never checked can be forged by anyone."""

from __future__ import annotations

import ast

from flask_token_lint.rule import Docs, FixSafety, Fixable, OWASP_API2, Rule, Severity, example


class JwtUnverifiedDecode(Rule):
    code = "FTL101"
    symbol = "jwt-unverified-decode"
    summary = "JWT decoded without signature verification"
    message = "{function} reads token claims without verifying the signature ({how})"
    severity = Severity.HIGH
    cwe = ("CWE-347",)
    owasp = OWASP_API2
    node_types = (ast.Call,)
    triggers = ("decode + jwt|jose", "get_unverified_claims")
    fixes = (FixSafety.SAFE, FixSafety.UNSAFE)
    fix_title = (
        "Drop the legacy verify=False keyword (safe); remove verify_signature: False where the call passes a "
        "key and algorithms (unsafe)"
    )
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
        if ctx.later_verified(decode):
            return  # peek-then-verify: the unverified read only chose the key
        arguments = {"function": decode.function}
        if decode.reader_only:
            yield node, {**arguments, "how": "it never checks the signature"}
        elif not decode.disables("verify_signature"):
            # PyJWT 2 ignores the legacy keyword: dropping it changes nothing there.
            yield node, {**arguments, "how": "verify=False"}, Fixable(FixSafety.SAFE, (("drop", "verify"),))
        elif _options_literal_in_call(node) and decode.argument("key") and decode.argument("algorithms"):
            fix = Fixable(FixSafety.UNSAFE, (("drop", "verify_signature"),))
            yield node, {**arguments, "how": "verify_signature is off"}, fix
        else:
            yield node, {**arguments, "how": "verify_signature is off"}

    def apply_fix(self, node, data):
        from flask_token_lint import cst_edits

        if data["drop"] == "verify":
            legacy = cst_edits.keyword(node, "verify")
            return (cst_edits.remove_argument(node, legacy), frozenset()) if legacy is not None else None
        options = cst_edits.keyword(node, "options")
        if options is None and len(node.args) > 3 and node.args[3].keyword is None:
            options = node.args[3]
        if options is None or not isinstance(options.value, cst_edits.cst.Dict):
            return None
        remaining = cst_edits.without_elements(
            options.value, lambda e: cst_edits.string_value(getattr(e, "key", None)) == "verify_signature"
        )
        if not remaining.elements and options.keyword is not None:
            return cst_edits.remove_argument(node, options), frozenset()
        arguments = [a.with_changes(value=remaining) if a is options else a for a in node.args]
        return node.with_changes(args=arguments), frozenset()


def _options_literal_in_call(call: ast.Call) -> bool:
    """The options are a dict display written in the call, so removing an entry touches only the call."""
    for keyword in call.keywords:
        if keyword.arg == "options":
            return isinstance(keyword.value, ast.Dict) and None not in keyword.value.keys
    return len(call.args) > 3 and isinstance(call.args[3], ast.Dict) and None not in call.args[3].keys
