"""FTL303: echoing request credentials into a response or an error message hands them to whoever sees it."""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING

from flask_token_lint.credentials import LEAK_SOURCES
from flask_token_lint.rule import Docs, OWASP_API8, Rule, Severity, capitalized, example

if TYPE_CHECKING:
    from flask_token_lint.context import Context

_RESPONSE_BUILDERS = frozenset({"flask.jsonify", "flask.make_response", "flask.Response", "werkzeug.wrappers.Response"})
# ``abort`` functions: Flask's and Werkzeug's, and the REST extensions' (``message=`` and any other
# keyword go into the JSON error body). ``api.abort(...)``/``ns.abort(...)`` are methods named abort.
_ABORTS = frozenset(
    {
        "flask.abort",
        "werkzeug.exceptions.abort",
        "flask_restful.abort",
        "flask_restx.abort",
        "flask_restx.errors.abort",
        "flask_restplus.abort",
        "flask_restplus.errors.abort",
        "flask_smorest.abort",
    }
)


def _exposed(node: ast.expr | None, ctx: Context) -> str | None:
    if node is None:
        return None
    return ctx.credential_label(node)


class CredentialsInResponse(Rule):
    code = "FTL303"
    symbol = "credentials-in-response"
    summary = "Request credentials echoed into a response, or a token into an error message"
    message = "{what} is {where}"
    severity = Severity.MEDIUM
    cwe = ("CWE-209",)
    owasp = OWASP_API8
    node_types = (ast.Call, ast.Return, ast.Raise)
    triggers = (
        "flask + request + headers|environ|cookies|authorization",
        f"abort|raise + {LEAK_SOURCES}",
    )
    docs = Docs(
        what=(
            "Finds request headers, the environ, cookies or the Authorization header echoed into a response "
            "(`jsonify(dict(request.headers))`, `make_response(...)`, `Response(...)`, or returned from a view), "
            "and a token or credential put into an `abort(...)` or exception message: Flask's `abort`, and "
            "flask-restful's, flask-restx's and flask-smorest's (`abort(401, message=...)`, `api.abort(...)`, "
            "`ns.abort(...)`), whose `message=` and other keywords go into the JSON error body."
        ),
        why=(
            "Responses are cached by proxies and browsers, shown in error pages and copied into bug reports; "
            "an echoed Authorization header or cookie in a response body also defeats HttpOnly. Exception "
            "messages end up in logs and error trackers. Returning a freshly issued token from a login view is "
            "the point of that view and stays silent."
        ),
        references=(
            "https://cwe.mitre.org/data/definitions/209.html",
            "https://owasp.org/API-Security/editions/2023/en/0xa8-security-misconfiguration/",
        ),
    )
    bad_examples = (
        example(
            """\
            from flask import Flask, jsonify, request

            app = Flask(__name__)

            @app.get("/debug")
            def debug():
                return jsonify(headers=dict(request.headers))
            """
        ),
        example(
            """\
            from flask import abort, request

            def require_token():
                token = request.headers.get("Authorization", "").removeprefix("Bearer ")
                if token != "x" * 3:
                    abort(401, f"invalid token {token}")
            """
        ),
    )
    good_examples = (
        example(
            """\
            from flask import Flask, jsonify
            from flask_jwt_extended import create_access_token

            app = Flask(__name__)

            @app.post("/login")
            def login():
                return jsonify(access_token=create_access_token(identity="user"))
            """
        ),
    )

    def check(self, node, ctx):
        if isinstance(node, ast.Return):
            if ctx.is_view():
                what = ctx.leak_of(node.value) if node.value is not None else None
                if what is not None:
                    yield node, {"what": capitalized(what), "where": "returned in the response"}
            return
        if isinstance(node, ast.Raise):
            exception = node.exc
            arguments = []
            if isinstance(exception, ast.Call):
                arguments = [*exception.args, *(k.value for k in exception.keywords)]
            for argument in arguments:
                what = _exposed(argument, ctx)
                if what is not None:
                    yield node, {"what": capitalized(what), "where": "put into an exception message"}
                    return
            return
        yield from self._response_or_abort(node, ctx, [*node.args, *(k.value for k in node.keywords)], ctx)
        # The module's own helpers: ``respond(dict(request.headers))`` where ``respond`` returns
        # ``jsonify(data)``; what is echoed comes from this call.
        for forward, inner in ctx.forwards(node):
            inner_arguments = [*forward.call.args, *(k.value for k in forward.call.keywords)]
            sites = [forward.site(argument) for argument in inner_arguments]
            for report in self._response_or_abort(forward.call, inner, [s for s in sites if s is not None], ctx):
                yield node, report[1]
                return

    @staticmethod
    def _response_or_abort(call, ctx, arguments, judge):
        """``call`` builds a response or aborts, with one of ``arguments`` (judged in ``judge``'s
        scope) revealing credentials."""
        qualname = ctx.qualname(call.func)
        func = ctx.callee(call)
        if qualname in _RESPONSE_BUILDERS:
            for argument in arguments:
                what = judge.leak_of(argument)
                if what is not None:
                    yield call, {"what": capitalized(what), "where": "echoed into a response"}
                    return
        elif qualname in _ABORTS or (
            isinstance(func, ast.Attribute) and func.attr == "abort"
        ):
            for argument in arguments:
                what = _exposed(argument, judge)
                if what is not None:
                    yield call, {"what": capitalized(what), "where": "put into an abort() message"}
                    return
