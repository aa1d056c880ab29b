"""FTL201: cutting the token out of ``Authorization`` without checking it says ``Bearer``."""

from __future__ import annotations

import ast

from flask_token_lint.rule import Docs, OWASP_API2, Rule, Severity, example
from flask_token_lint.kinds import Kind

_CUTTING_METHODS = frozenset({"replace", "removeprefix", "lstrip", "strip"})
# Werkzeug's parsed ``request.authorization.token`` read without a ``.type`` check. Off until the
# fixtures that read it as a plain token source (flow/flow_logging.py, flow/flow_summaries.py,
# token_logged.py, token_compare_not_constant_time.py and their goldens) expect FTL201 there too;
# fixtures/libraries/werkzeug_authorization.py holds its cases as ``todo-expect``.
PARSED_TOKEN_UNCHECKED = True
_PARSED_TOKEN_DOCS = (
    "; and Werkzeug's parsed `request.authorization.token` (or `auth.token` after "
    "`auth = request.authorization`) read without checking `auth.type` (Werkzeug lower-cases it: "
    '`auth.type == "bearer"`); a read that only asks whether there is a token stays silent'
)


def _travels_on(use: ast.Name, ctx) -> bool:
    """``use`` hands the value on: a call's argument, a returned, stored or collected value."""
    parent = ctx.parent(use)
    if isinstance(parent, ast.keyword):
        parent = ctx.parent(parent)
    if isinstance(parent, ast.Call):
        return use is not parent.func and not ctx.is_output_call(parent)
    if isinstance(parent, ast.Assign):
        return all(isinstance(t, (ast.Attribute, ast.Subscript)) for t in parent.targets)
    return isinstance(parent, (ast.Return, ast.Tuple, ast.List, ast.Dict))


def _every_use_guarded(cut: ast.expr, ctx) -> bool:
    """The cut is kept in a name, and every use of that name comes after a scheme check (or only
    asks whether there is a token)."""
    statement = ctx.parent(cut)
    if not (isinstance(statement, ast.Assign) and len(statement.targets) == 1):
        return False
    target = statement.targets[0]
    if not isinstance(target, ast.Name):
        return False
    uses = [use for use in ctx.uses_after(target.id, statement) if not _asks_presence(use, ctx)]
    return bool(uses) and all(ctx.is_guarded(use) for use in uses)


def _asks_presence(node: ast.expr, ctx) -> bool:
    """``node`` is only tested for being there: ``if not token``, ``token is None``, ``bool(token)``,
    an operand of ``and``/``or`` in such a test."""
    child, parent = node, ctx.parent(node)
    while isinstance(parent, ast.BoolOp) or (isinstance(parent, ast.UnaryOp) and isinstance(parent.op, ast.Not)):
        child, parent = parent, ctx.parent(parent)
    if isinstance(parent, (ast.If, ast.While, ast.IfExp, ast.Assert)):
        return child is parent.test
    if isinstance(parent, ast.Compare):
        return all(isinstance(o, ast.Constant) and o.value is None for o in (parent.left, *parent.comparators)
                   if o is not node)
    if isinstance(parent, ast.Call) and isinstance(parent.func, ast.Name) and parent.func.id == "bool":
        return ctx.is_builtin(parent.func, "bool")
    return child is not node and isinstance(child, ast.UnaryOp)


class BearerSchemeUnchecked(Rule):
    code = "FTL201"
    symbol = "bearer-scheme-unchecked"
    summary = "Token cut from Authorization without a Bearer scheme check"
    message = "Token cut from {header} without checking the Bearer scheme"
    severity = Severity.HIGH
    cwe = ("CWE-287",)
    owasp = OWASP_API2
    node_types = (ast.Subscript, ast.Call, ast.Assign) + ((ast.Attribute,) if PARSED_TOKEN_UNCHECKED else ())
    triggers = ("uthorization + flask + request",)
    docs = Docs(
        what=(
            "Finds a token cut from an Authorization header value with no scheme check on the way: "
            '`split(" ")[1]`, `split()[1]`, `split(None, 1)[1]`, `partition(" ")[2]`, `[7:]`, '
            '`replace("Bearer ", "")`, `scheme, token = auth.split()`, directly on the header or through '
            f"local names{_PARSED_TOKEN_DOCS if PARSED_TOKEN_UNCHECKED else ''}."
        ),
        why=(
            "`Basic dXNlcjpwYXNz`, `Token abc` or any other scheme is then taken as a bearer token: Basic "
            "credentials reach the JWT decoder (and its error logs), and an API that accepts several schemes "
            "confuses them. The check is silent after a dominating `startswith(\"Bearer \")`, a "
            "case-insensitive comparison of the scheme part, a regex match, or an early `abort`/`return`/"
            "`raise` when the check fails."
        ),
        references=(
            "https://datatracker.ietf.org/doc/html/rfc6750#section-2.1",
            "https://cwe.mitre.org/data/definitions/287.html",
        ),
    )
    bad_examples = (
        example(
            """\
            from flask import request

            def token():
                return request.headers.get("Authorization").split(" ")[1]
            """
        ),
        example(
            """\
            from flask import request

            def token():
                auth = request.headers["Authorization"]
                return auth[7:]
            """
        ),
    )
    good_examples = (
        example(
            """\
            from flask import abort, request

            def token():
                auth = request.headers.get("Authorization", "")
                if not auth.startswith("Bearer "):
                    abort(401)
                return auth.split(" ")[1]
            """
        ),
        example(
            """\
            from flask import request

            def token():
                scheme, _, value = request.headers.get("Authorization", "").partition(" ")
                return value if scheme.lower() == "bearer" else None
            """
        ),
    )

    def check(self, node, ctx):
        if isinstance(node, ast.Assign):
            yield from self._check_unpacking(node, ctx)
            return
        if isinstance(node, ast.Attribute):
            yield from self._check_parsed_token(node, ctx)
            return
        # The shape first (a cutting method, or a subscript), then what it cuts, then what it gives.
        if isinstance(node, ast.Call):
            func = node.func
            if not isinstance(func, ast.Attribute) or func.attr not in _CUTTING_METHODS:
                return
            cut_from = func.value
        else:
            cut_from = node.value
        base = ctx.value_of(cut_from)
        if base is None or base.kind not in (Kind.AUTH_HEADER, Kind.PARTS):
            return  # a token cookie or query parameter is not cut from a header
        value = ctx.value_of(node)
        if value is None or value.kind is not Kind.TOKEN:
            return
        if ctx.is_guarded(node) or _every_use_guarded(node, ctx):
            return
        yield node, {"header": value.label}

    def _check_unpacking(self, node: ast.Assign, ctx):
        """``scheme, token = auth.split()``: every use of the token must be checked."""
        targets = [t for t in node.targets if isinstance(t, (ast.Tuple, ast.List)) and len(t.elts) > 1]
        if not targets:
            return
        parts = ctx.value_of(node.value)
        if parts is None or parts.kind is not Kind.PARTS or ctx.is_guarded(node):
            return
        token_names = {
            element.id
            for target in targets
            for element in target.elts[1:]
            if isinstance(element, ast.Name) and element.id != "_"
        }
        scheme_names = {t.elts[0].id for t in targets if isinstance(t.elts[0], ast.Name) and t.elts[0].id != "_"}

        def uses_of(names: set[str]) -> list[ast.Name]:
            return [use for name in names for use in ctx.uses_after(name, node)]

        if not token_names:
            return  # only the scheme is kept: nothing is cut
        uses = uses_of(token_names)
        if uses and all(ctx.is_guarded(use) for use in uses):
            return
        if any(_travels_on(use, ctx) for use in uses_of(scheme_names)):
            return  # the scheme is handed on with the token (``Authorization(scheme, token)``): checked there
        yield node.value, {"header": parts.label}

    def _check_parsed_token(self, node: ast.Attribute, ctx):
        """Werkzeug's parsed ``request.authorization.token``: the credentials of whatever scheme the
        client named (``Token``, ``Negotiate``, ...), unless ``.type`` is checked first."""
        if node.attr != "token" or not isinstance(node.ctx, ast.Load):
            return
        parsed = ctx.value_of(node.value)
        if parsed is None or parsed.kind is not Kind.AUTHORIZATION or _asks_presence(node, ctx):
            return
        if ctx.is_guarded(node) or _every_use_guarded(node, ctx):
            return
        yield node, {"header": parsed.label}
