"""FTL406: CORS that lets any origin make requests with the user's cookies or credentials."""

from __future__ import annotations

import ast
import json
import re
from typing import TYPE_CHECKING

from flask_token_lint.rule import Docs, FixSafety, Fixable, OWASP_API8, Rule, Severity, example
from flask_token_lint.syntax import dotted

if TYPE_CHECKING:
    from flask_token_lint.context import Context

_CORS = frozenset({
    "flask_cors.CORS", "flask_cors.extension.CORS", "flask_cors.cross_origin", "flask_cors.decorator.cross_origin",
})
# Patterns flask-cors reads as regular expressions that match every origin.
_EVERY_ORIGIN = frozenset({"*", ".*", "^.*$", ".*$", "^.*", ".+", "^.+$", r"https?://.*", "(.*)"})
_ALLOW_ORIGIN = "access-control-allow-origin"
# ``CORS_ORIGINS`` set (``CORS_ORIGINS = [...]``, ``config["CORS_ORIGINS"] = ...``, ``"CORS_ORIGINS": ...``):
# the origins flask-cors takes from the app's configuration when the call names none.
_CONFIGURED_ORIGINS = re.compile(r"(?<![A-Za-z0-9_])CORS_ORIGINS[\"']?\]?[ \t]*(?::[^=\n]*)?[:=](?!=)")
_ALLOW_CREDENTIALS = "access-control-allow-credentials"
_HEADER_SETTERS = frozenset({"set", "add", "setdefault", "__setitem__", "add_header"})


def _true(values: list[ast.expr], ctx: Context) -> bool:
    return any(ctx.literal_is(value, True) for value in values)


def _any_origin(values: list[ast.expr], ctx: Context) -> str | None:
    """How ``origins`` admits every origin (``"*"``, a list holding it, a pattern matching all)."""
    for value in values:
        for constant in ctx.constants_of(value):
            items = constant.elts if isinstance(constant, (ast.List, ast.Tuple, ast.Set)) else [constant]
            for item in items:
                if isinstance(item, ast.Call) and ctx.qualname(item.func) == "re.compile" and item.args:
                    item = item.args[0]
                text = ctx.string_of(item)
                if text is not None and text.strip() in _EVERY_ORIGIN:
                    return text
    return None


def _replaceable(call: ast.Call, ctx: Context) -> bool:
    """The call's own ``origins`` ("*", a list holding it, or left at the default) is what admits every
    origin (not a pattern, not ``send_wildcard``, not a resource's options), and the call passes no
    ``**options`` that could hold another."""
    if any(k.arg is None for k in call.keywords) or ctx.passed(call, "resources") \
            or _true(ctx.passed(call, "send_wildcard"), ctx):
        return False
    origins = ctx.passed(call, "origins")
    return not origins or _any_origin(origins, ctx) == "*"


def _is_request_origin(node: ast.expr, ctx: Context) -> bool:
    """``request.origin``, ``request.headers["Origin"]``/``.get("Origin")`` or the WSGI
    ``HTTP_ORIGIN``: the origin the client claims, echoed back."""
    node = ctx.constant_of(node)
    if isinstance(node, ast.Attribute) and node.attr == "origin":
        return ctx.qualname(node.value) in ("flask.request", "werkzeug.local.request")
    key: ast.expr | None = None
    if isinstance(node, ast.Subscript):
        owner, key = node.value, node.slice
    elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "get" and node.args:
        owner, key = node.func.value, node.args[0]
    else:
        return False
    name = ctx.string_of(key) if key is not None else None
    if name is None or name.lower() not in ("origin", "http_origin"):
        return False
    path = dotted(owner) or ""
    return path.endswith(("headers", "environ")) and (ctx.qualname(owner) or "").startswith("flask.request")


def _header_set(node: ast.AST, ctx: Context) -> tuple[str, ast.expr] | None:
    """``(header name in lower case, value)`` when ``node`` sets a response header."""
    if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Subscript):
        target = node.targets[0]
        if (dotted(target.value) or "").endswith("headers"):
            name = ctx.string_of(target.slice)
            return (name.lower(), node.value) if name else None
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in _HEADER_SETTERS:
        if (dotted(node.func.value) or "").endswith("headers") and len(node.args) >= 2:
            name = ctx.string_of(node.args[0])
            return (name.lower(), node.args[1]) if name else None
    return None


class CorsCredentialsAnyOrigin(Rule):
    code = "FTL406"
    symbol = "cors-credentials-any-origin"
    summary = "CORS lets any origin make credentialed requests"
    message = "Any website may call this app with its users' cookies and credentials ({how})"
    severity = Severity.HIGH
    cwe = ("CWE-942", "CWE-346")
    fixes = (FixSafety.UNSAFE,)
    fix_title = "Allow only the origins the project configures (unsafe: origins missing from the list stop working)"
    owasp = OWASP_API8
    node_types = (ast.Call, ast.Assign)
    triggers = ("supports_credentials", "Allow-Credentials|allow-credentials|ALLOW_CREDENTIALS")
    docs = Docs(
        what=(
            "Finds flask-cors set up with `supports_credentials=True` for every origin: `origins` left at its "
            "default (`\"*\"`), `\"*\"`, a list holding it, a pattern that matches every origin (`\".*\"`), or "
            "`send_wildcard=True` (`CORS(app, ...)`, `cors.init_app(app, ...)`, `@cross_origin(...)`, and each "
            "resource of `resources={...}` with its own options); and a hand-written "
            "`Access-Control-Allow-Origin` that echoes the request's `Origin` (`request.origin`, "
            "`request.headers[\"Origin\"]`, `HTTP_ORIGIN`) in a function that also sends "
            "`Access-Control-Allow-Credentials: true`, unless the origin is checked (`if origin in ALLOWED:`) "
            "before it is echoed. An explicit origin list, credentials off, origins made at run time (read "
            "from configuration), and a call naming no origins where the module or a project module it "
            "imports sets `CORS_ORIGINS` (flask-cors reads it from the app's configuration) stay silent."
        ),
        why=(
            "With credentials allowed, flask-cors answers a `\"*\"` configuration by echoing whatever `Origin` "
            "the browser sends, and so does a hand-written echo: any website a user visits can then call the "
            "API with the user's session cookie or HTTP credentials and read the answers, tokens included. "
            "The fix is the list of the front-ends' origins. When the project writes exactly one literal list "
            "of origins (`CORS_ORIGINS = [\"https://app.example.com\"]`, an `origins=[...]` elsewhere) an unsafe "
            "fix puts that list in place of `\"*\"` (or of the default); otherwise no fix is offered, as the "
            "right list is the team's to write. Unsafe: front-ends missing from the list stop working."
        ),
        references=(
            "https://flask-cors.readthedocs.io/en/latest/api.html",
            "https://developer.mozilla.org/en-US/docs/Web/HTTP/CORS#requests_with_credentials",
            "https://cwe.mitre.org/data/definitions/942.html",
        ),
    )
    bad_examples = (
        example(
            """\
            from flask import Flask
            from flask_cors import CORS

            app = Flask(__name__)
            CORS(app, supports_credentials=True)
            """
        ),
        example(
            """\
            from flask import request

            def allow(response):
                response.headers["Access-Control-Allow-Origin"] = request.headers.get("Origin", "")
                response.headers["Access-Control-Allow-Credentials"] = "true"
                return response
            """
        ),
    )
    good_examples = (
        example(
            """\
            from flask import Flask
            from flask_cors import CORS

            app = Flask(__name__)
            CORS(app, supports_credentials=True, origins=["https://app.example.com"])
            """
        ),
    )

    def check(self, node, ctx):
        if isinstance(node, ast.Call):
            how = self._flask_cors(node, ctx)
            if how is not None:
                lists = ctx.project_origin_lists() if _replaceable(node, ctx) else []
                if len(lists) == 1:
                    yield node, {"how": how}, Fixable(FixSafety.UNSAFE, (("origins", json.dumps(lists[0])),))
                else:
                    yield node, {"how": how}
                return
        how = self._echo(node, ctx)
        if how is not None:
            yield node, {"how": how}

    def apply_fix(self, node, data):
        from flask_token_lint import cst_edits

        origins = json.loads(data["origins"])
        quote = cst_edits.quote(node)
        value = cst_edits.expression("[" + ", ".join(quote + origin + quote for origin in origins) + "]")
        return cst_edits.set_keyword(node, "origins", value), frozenset()

    def _flask_cors(self, call: ast.Call, ctx: Context) -> str | None:
        qualname = ctx.qualname(call.func) or ""
        if qualname not in _CORS and not (
            isinstance(call.func, ast.Attribute) and call.func.attr == "init_app"
            and ctx.created_by(call.func.value, _CORS)
        ):
            return None
        credentials = _true(ctx.passed(call, "supports_credentials"), ctx)
        # Resources with options of their own (``resources={r"/api/*": {"origins": "*", ...}}``) are
        # judged each with its options over the call's; otherwise the call's options apply to all.
        mappings = [m for value in ctx.passed(call, "resources") for m in ctx.mappings_of(value)]
        if credentials and not mappings:
            how = self._every_origin(ctx.passed(call, "origins"), ctx.passed(call, "send_wildcard"), ctx)
            if how is not None:
                return f"supports_credentials=True, {how}"
        for mapping in mappings:
            for options in mapping.values():
                for own in ctx.mappings_of(options):
                    own_credentials = own.get("supports_credentials")
                    if not (credentials or (own_credentials is not None and ctx.literal_is(own_credentials, True))):
                        continue
                    origins = [own["origins"]] if "origins" in own else ctx.passed(call, "origins")
                    wildcard = [own["send_wildcard"]] if "send_wildcard" in own else ctx.passed(call, "send_wildcard")
                    how = self._every_origin(origins, wildcard, ctx)
                    if how is not None:
                        return f"supports_credentials=True, {how} for a resource"
        return None

    @staticmethod
    def _every_origin(origins: list[ast.expr], wildcard: list[ast.expr], ctx: Context) -> str | None:
        if _true(wildcard, ctx):
            return "send_wildcard=True"
        if not origins:
            if ctx.imports_mention(_CONFIGURED_ORIGINS):
                return None  # flask-cors reads CORS_ORIGINS from the app's configuration
            return "origins left at its default, '*'"
        found = _any_origin(origins, ctx)
        return None if found is None else f"origins={found!r}"

    def _echo(self, node: ast.AST, ctx: Context) -> str | None:
        found = _header_set(node, ctx)
        if found is None or found[0] != _ALLOW_ORIGIN or not _is_request_origin(found[1], ctx):
            return None
        credentials = any(
            (other := _header_set(inner, ctx)) is not None and other[0] == _ALLOW_CREDENTIALS
            and (ctx.string_of(other[1]) or "").lower() == "true"
            for inner in ctx.scope_nodes()
        )
        if not credentials or self._origin_checked(node, ctx) or ctx.is_allow_listed(found[1]):
            return None
        return "the request's Origin echoed with Access-Control-Allow-Credentials: true"

    @staticmethod
    def _origin_checked(node: ast.AST, ctx: Context) -> bool:
        """An ``if`` around ``node`` compares the origin with something (``origin in ALLOWED``)."""
        current = ctx.parent(node)
        while current is not None and not isinstance(current, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Module)):
            if isinstance(current, ast.If):
                for test in ast.walk(current.test):
                    if isinstance(test, ast.Compare) and any(
                        _is_request_origin(operand, ctx) for operand in (test.left, *test.comparators)
                    ):
                        return True
                    if isinstance(test, ast.Call) and any(_is_request_origin(a, ctx) for a in test.args):
                        return True  # ``if allowed(origin):``
            current = ctx.parent(current)
        return False
