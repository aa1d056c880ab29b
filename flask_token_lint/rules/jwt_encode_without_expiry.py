"""FTL108: a token without ``exp`` never expires; a leaked one works forever."""

from __future__ import annotations

import ast

from flask_token_lint.rule import Docs, OWASP_API2, Rule, Severity, example


def _may_change(name: str, encode: ast.Call, ctx) -> bool:
    """The dict bound to ``name`` is changed in place, or handed to another call that may change it."""
    if ctx.is_changed(name):
        return True
    for use in ctx.loads_of(name):
        parent = ctx.parent(use)
        if isinstance(parent, ast.keyword):
            parent = ctx.parent(parent)
        if isinstance(parent, ast.Call) and parent is not encode:
            return True
    return False


class JwtEncodeWithoutExpiry(Rule):
    code = "FTL108"
    symbol = "jwt-encode-without-expiry"
    summary = "JWT issued without an expiry"
    message = "{what}"
    severity = Severity.MEDIUM
    cwe = ("CWE-613",)
    owasp = OWASP_API2
    node_types = (ast.Call, ast.Assign, ast.AnnAssign)
    triggers = ("encode + jwt|jose", "JWT_ACCESS_TOKEN_EXPIRES")
    docs = Docs(
        what=(
            "Finds `jwt.encode` calls whose payload is a dict literal (in the call, or a local name bound once "
            "to one and never changed) without an `exp` claim, and `JWT_ACCESS_TOKEN_EXPIRES = False` "
            "(flask-jwt-extended) in any configuration spelling."
        ),
        why=(
            "Expiry is the only revocation most JWT deployments have: a token without it, once leaked through "
            "a log, a browser history or a backup, is valid for as long as the signing key. Payloads built "
            "elsewhere are not judged."
        ),
        references=(
            "https://datatracker.ietf.org/doc/html/rfc7519#section-4.1.4",
            "https://flask-jwt-extended.readthedocs.io/en/stable/options.html#JWT_ACCESS_TOKEN_EXPIRES",
            "https://cwe.mitre.org/data/definitions/613.html",
        ),
    )
    bad_examples = (
        example(
            """\
            import jwt

            def issue(user_id, key):
                return jwt.encode({"sub": user_id}, key, algorithm="HS256")
            """
        ),
        example(
            """\
            from flask import Flask

            app = Flask(__name__)
            app.config["JWT_ACCESS_TOKEN_EXPIRES"] = False
            """
        ),
    )
    good_examples = (
        example(
            """\
            import datetime
            import jwt

            def issue(user_id, key):
                exp = datetime.datetime.now(tz=datetime.timezone.utc) + datetime.timedelta(minutes=15)
                return jwt.encode({"sub": user_id, "exp": exp}, key, algorithm="HS256")
            """
        ),
    )

    def check(self, node, ctx):
        for setting in ctx.config_settings(node):
            if setting.name == "JWT_ACCESS_TOKEN_EXPIRES" and ctx.literal_is(setting.value, False):
                yield setting.report, {"what": "JWT_ACCESS_TOKEN_EXPIRES = False issues tokens that never expire"}
                return
        if not isinstance(node, ast.Call):
            return
        encode = ctx.encode_call(node)
        payload = None if encode is None else encode.argument("payload")
        if payload is None or encode is None or encode.function.startswith("jwt.PyJWS"):
            return
        if isinstance(payload, ast.Name) and _may_change(payload.id, node, ctx):
            return  # claims may be added after the literal
        claims = ctx.constant_of(payload)
        if not isinstance(claims, ast.Dict) or any(key is None for key in claims.keys):
            return
        keys = {ctx.string_of(key) for key in claims.keys if key is not None}
        if None not in keys and "exp" not in keys:
            yield node, {"what": f"{encode.function} issues a token without an exp claim"}
