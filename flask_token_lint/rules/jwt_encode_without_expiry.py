"""FTL108: a token without ``exp`` never expires; a leaked one works forever."""

from __future__ import annotations

import ast

from flask_token_lint.rule import Docs, OWASP_API2, Rule, Severity, example
from flask_token_lint.syntax import is_constant

# flask-jwt-extended settings whose False makes every token it issues last forever.
_EXPIRY_SETTINGS = frozenset({"JWT_ACCESS_TOKEN_EXPIRES", "JWT_REFRESH_TOKEN_EXPIRES"})
# flask-jwt-extended's factories: ``expires_delta=False`` issues one token that never expires.
_TOKEN_FACTORIES = frozenset(
    {
        "flask_jwt_extended.create_access_token", "flask_jwt_extended.create_refresh_token",
        "flask_jwt_extended.utils.create_access_token", "flask_jwt_extended.utils.create_refresh_token",
    }
)


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
    triggers = (
        "encode + jwt|jose", "JWT_ACCESS_TOKEN_EXPIRES|JWT_REFRESH_TOKEN_EXPIRES", "generate_jwt", "expires_delta",
    )
    docs = Docs(
        what=(
            "Finds `jwt.encode` calls (PyJWT, python-jose, authlib's `jwt.encode(header, payload, key)`) and "
            "python_jwt's `generate_jwt` without `lifetime`/`expires` whose payload is a dict literal (in the "
            "call, or a local name bound once to one and never changed) without an `exp` claim; and, for "
            "flask-jwt-extended, `JWT_ACCESS_TOKEN_EXPIRES = False` or `JWT_REFRESH_TOKEN_EXPIRES = False` in "
            "any configuration spelling and `create_access_token`/`create_refresh_token` with "
            "`expires_delta=False`."
        ),
        why=(
            "Expiry is the only revocation most JWT deployments have: a token without it, once leaked through "
            "a log, a browser history or a backup, is valid for as long as the signing key. Payloads built "
            "elsewhere are not judged."
        ),
        references=(
            "https://datatracker.ietf.org/doc/html/rfc7519#section-4.1.4",
            "https://flask-jwt-extended.readthedocs.io/en/stable/options.html#JWT_ACCESS_TOKEN_EXPIRES",
            "https://flask-jwt-extended.readthedocs.io/en/stable/options.html#JWT_REFRESH_TOKEN_EXPIRES",
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
        example(
            """\
            from flask_jwt_extended import create_refresh_token

            def login(user_id):
                return create_refresh_token(identity=user_id, expires_delta=False)
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
            if setting.name in _EXPIRY_SETTINGS and ctx.literal_is(setting.value, False):
                yield setting.report, {"what": f"{setting.name} = False issues tokens that never expire"}
                return
        if not isinstance(node, ast.Call):
            return
        factory = ctx.qualname(node.func)
        if factory in _TOKEN_FACTORIES:
            delta = ctx.keyword_values(node, "expires_delta")
            if delta and any(ctx.literal_is(value, False) for value in delta):
                name = factory.rsplit(".", 1)[-1]
                yield node, {"what": f"{name}(expires_delta=False) issues a token that never expires"}
            return
        encode = ctx.encode_call(node)
        payload = None if encode is None else encode.argument("payload")
        if payload is None or encode is None or encode.function.startswith("jwt.PyJWS"):
            return
        if encode.library == "python_jwt" and _sets_expiry(encode, ctx):
            return  # generate_jwt adds exp from lifetime= or expires=
        if isinstance(payload, ast.Name) and _may_change(payload.id, node, ctx):
            return  # claims may be added after the literal
        claims = ctx.constant_of(payload)
        if not isinstance(claims, ast.Dict) or any(key is None for key in claims.keys):
            return
        keys = {ctx.string_of(key) for key in claims.keys if key is not None}
        if None not in keys and "exp" not in keys:
            yield node, {"what": f"{encode.function} issues a token without an exp claim"}


def _sets_expiry(encode, ctx) -> bool:
    """python_jwt's ``generate_jwt`` may be given a ``lifetime`` or ``expires`` (or hides one in ``**``)."""
    if any(k.arg is None for k in encode.call.keywords) or any(isinstance(a, ast.Starred) for a in encode.call.args):
        return True
    for name in ("lifetime", "expires"):
        given = encode.argument(name)
        if given is not None and not all(is_constant(c, None) for c in ctx.constants_of(given)):
            return True
    return False
