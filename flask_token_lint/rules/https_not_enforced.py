"""FTL504: without HTTPS redirects and HSTS, the first plain-http request exposes the session."""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING

from flask_token_lint.syntax import dotted
from flask_token_lint.rule import Docs, OWASP_API8, Rule, Severity, example

if TYPE_CHECKING:
    from flask_token_lint.context import Context

_TALISMAN = frozenset({"flask_talisman.Talisman", "flask_talisman.talisman.Talisman"})
_ENFORCING_OPTIONS = ("force_https", "strict_transport_security")


def _is_talisman(node: ast.expr, ctx: Context) -> bool:
    if ctx.created_by(node, _TALISMAN):
        return True
    path = dotted(node)
    return path is not None and path.rsplit(".", 1)[-1].lower() == "talisman"


class HttpsNotEnforced(Rule):
    code = "FTL504"
    symbol = "https-not-enforced"
    summary = "HTTPS redirects or HSTS turned off"
    message = "HTTPS is not enforced ({how})"
    severity = Severity.MEDIUM
    cwe = ("CWE-319", "CWE-523")
    owasp = OWASP_API8
    node_types = (ast.Call, ast.Assign, ast.AnnAssign)
    triggers = ("force_https", "strict_transport_security", "PREFERRED_URL_SCHEME")
    docs = Docs(
        what=(
            "Finds Flask-Talisman set up with `force_https=False` or `strict_transport_security=False` "
            "(`Talisman(app, ...)` or `talisman.init_app(app, ...)`), and `PREFERRED_URL_SCHEME = \"http\"` in any "
            "configuration spelling."
        ),
        why=(
            "Without the redirect and the HSTS header, a browser that once follows an http link (or is sent "
            "to one by an attacker) talks plain http, and the session cookie or token goes with it. "
            "Talisman's defaults stay silent."
        ),
        references=(
            "https://github.com/GoogleCloudPlatform/flask-talisman#options",
            "https://cwe.mitre.org/data/definitions/319.html",
        ),
    )
    bad_examples = (
        example(
            """\
            from flask import Flask
            from flask_talisman import Talisman

            app = Flask(__name__)
            Talisman(app, force_https=False)
            """
        ),
    )
    good_examples = (
        example(
            """\
            from flask import Flask
            from flask_talisman import Talisman

            app = Flask(__name__)
            Talisman(app)
            """
        ),
    )

    def check(self, node, ctx):
        for setting in ctx.config_settings(node):
            if setting.name == "PREFERRED_URL_SCHEME" and (ctx.string_of(setting.value) or "").lower() == "http":
                yield setting.report, {"how": 'PREFERRED_URL_SCHEME = "http"'}
                return
        if not isinstance(node, ast.Call):
            return
        func = node.func
        talisman = ctx.qualname(func) in _TALISMAN or (
            isinstance(func, ast.Attribute) and func.attr == "init_app" and _is_talisman(func.value, ctx)
        )
        if not talisman:
            return
        for keyword in node.keywords:
            if keyword.arg in _ENFORCING_OPTIONS and ctx.literal_is(keyword.value, False):
                yield node, {"how": f"{keyword.arg}=False"}
                return
