"""FTL203: ``==`` on secrets stops at the first differing byte, and the time it takes tells how far it got."""

from __future__ import annotations

import ast
import re
from typing import TYPE_CHECKING

from flask_token_lint.credentials import SECRET_SOURCES, names_token_metadata
from flask_token_lint.syntax import dotted
from flask_token_lint.rule import Docs, FixSafety, Fixable, OWASP_API2, Rule, Severity, capitalized, example
from flask_token_lint.kinds import SECRET_KINDS, Kind

if TYPE_CHECKING:
    from flask_token_lint.context import Context

# Literals a token is compared with to test for "no token", not to authenticate it.
_SENTINELS = frozenset({"", "null", "none", "undefined", "nil", "bearer", "basic", "token", "jwt", "false", "true"})


def _identifier(node: ast.expr) -> str | None:
    if isinstance(node, ast.Name):
        return node.id
    return node.attr if isinstance(node, ast.Attribute) else None


def _secret_label(node: ast.expr, ctx: Context) -> str | None:
    """How a message names the secret ``node`` holds by where it comes from, if any."""
    value = ctx.value_of(node)
    if value is not None:
        return value.label if value.kind in SECRET_KINDS else None
    return ctx.token_label(node)


def _named_secret(node: ast.expr, other: ast.expr, ctx: Context, other_ctx: Context) -> str | None:
    """A name alone never makes a secret, but it may say which side of a comparison with a request
    input is the secret one: ``supplied_key != request.args["key"]``."""
    name = _identifier(node)
    if name is None or not ctx.is_secret_name(name) or ctx.is_class_constant(node):
        return None
    value = other_ctx.value_of(other)
    return f"`{name}`" if value is not None and value.kind is Kind.INPUT else None


def _is_non_secret(node: ast.expr, ctx: Context) -> bool:
    """The other operand cannot be what the token is checked against."""
    name = _identifier(node)
    if name is not None and names_token_metadata(name):
        return True  # ``DEFAULT_ACCESS_TOKEN_URL``, ``token_type``
    if ctx.is_class_constant(node):
        return True  # ``TokenType.BEARER``: an enum member or class constant
    named = ctx.is_module_constant(node)
    node = ctx.constant_of(node)
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        node = node.operand  # ``-1``
    if isinstance(node, ast.Constant):
        value = node.value
        if value is None or isinstance(value, (bool, int, float)):
            return True
        if isinstance(value, (str, bytes)):
            text = value.decode("latin-1") if isinstance(value, bytes) else value
            if text.strip().lower() in _SENTINELS:
                return True
            # A module constant holding a plain word (``ANONYMOUS = "anonymous"``) names a sentinel or a
            # type; a hardcoded secret does not read like a word.
            return named and _WORD.fullmatch(text) is not None
    return False


def _is_plain_literal(node: ast.expr) -> bool:
    """``None``, a bool or a number written in place (``-1`` too): never a secret, and never what a
    secret is checked against."""
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        node = node.operand
    return isinstance(node, ast.Constant) and (node.value is None or isinstance(node.value, (bool, int, float)))


def _is_static(node: ast.expr, ctx: Context) -> bool:
    """A literal, a module constant or a configuration lookup: nothing a request controls."""
    if isinstance(ctx.constant_of(node), ast.Constant):
        return True
    if isinstance(node, ast.Name):
        return node.id.isupper() and (ctx.is_module_constant(node) or ctx.is_imported_name(node))
    if isinstance(node, (ast.Subscript, ast.Attribute)):
        path = dotted(node.value) or ""
        return any(word in path.lower() for word in ("config", "settings"))
    return False


def _both_supplied(left: ast.expr, right: ast.expr, ctx: Context) -> bool:
    """Both sides come from the client (``new_password == current_password`` of one form): the
    timing tells the client nothing it did not send."""
    values = [ctx.value_of(side) for side in (left, right)]
    return all(value is not None and value.supplied for value in values)


_WORD = re.compile(r"[A-Za-z][a-z]{1,15}")


def _is_change_check(compare: ast.Compare, ctx: Context) -> bool:
    """``if a != b: a = b``: keeping a stored value current, not authenticating anyone."""
    statement = ctx.parent(compare)
    if not isinstance(statement, ast.If) or statement.test is not compare:
        statement = ctx.parent(statement) if isinstance(statement, ast.BoolOp) else None
    if not isinstance(statement, ast.If):
        return False
    operands = {ast.unparse(compare.left), ast.unparse(compare.comparators[0])}
    for child in statement.body:
        if isinstance(child, ast.Assign) and len(child.targets) == 1:
            if {ast.unparse(child.targets[0]), ast.unparse(child.value)} == operands:
                return True
    return False


def _compared_secret(left: tuple[ast.expr, Context], right: tuple[ast.expr, Context]) -> str | None:
    """How a message names the secret one operand holds, when the other can be what it is
    checked against (each operand judged in its own scope)."""
    for (secret, secret_ctx), (other, other_ctx) in ((left, right), (right, left)):
        what = _secret_label(secret, secret_ctx) or _named_secret(secret, other, secret_ctx, other_ctx)
        if what is not None and not _is_non_secret(other, other_ctx):
            return what
    return None


class TokenCompareNotConstantTime(Rule):
    code = "FTL203"
    symbol = "token-compare-not-constant-time"
    summary = "Token or secret compared with == instead of a constant-time comparison"
    message = "{what} is compared with {op}; use hmac.compare_digest"
    severity = Severity.MEDIUM
    cwe = ("CWE-208",)
    owasp = OWASP_API2
    node_types = (ast.Compare, ast.Call)
    triggers = (f"==|!=| in  + {SECRET_SOURCES}",)
    fixes = (FixSafety.UNSAFE,)
    fix_title = (
        "Use hmac.compare_digest (unsafe: it raises TypeError for None or for str against bytes, and rejects "
        "non-ASCII str)"
    )
    docs = Docs(
        what=(
            "Finds `==`/`!=` (and `in` over a list or tuple) between a secret known by where it comes from "
            "and another value: the Authorization or an API-key header, a credential the client sends in the "
            "query, form, JSON or a cookie, a session token, secret configuration, a generated secret, an "
            "HMAC digest or signature, a token response, or the module's own helper returning one. A name "
            "alone (`token`, `api_key`) is never enough; it may only say which side of a comparison with a "
            "request input is the secret. Enum members, sentinel constants, numbers, SQL expressions "
            "(`Model.column == x`), two values the same client sent, and a value that a true verification "
            "(`check_password_hash`, `compare_digest`, `user.check_password`, a helper or another module's method "
            "returning one) proved on every path before the comparison stay silent."
        ),
        why=(
            "String comparison returns at the first differing byte; over many requests the response time "
            "reveals how many leading bytes of a guess were right, and the secret can be recovered byte by "
            "byte. `hmac.compare_digest` takes the same time whatever matches. Comparisons with `None`, `\"\"`, "
            "numbers, and names that hold a count, length or type (`token_count`, `token_type`) stay silent."
        ),
        references=(
            "https://docs.python.org/3/library/hmac.html#hmac.compare_digest",
            "https://cwe.mitre.org/data/definitions/208.html",
        ),
    )
    bad_examples = (
        example(
            """\
            from flask import abort, request

            API_KEY = "from-the-vault"

            def check():
                if request.headers.get("X-Api-Key") != API_KEY:
                    abort(401)
            """
        ),
    )
    good_examples = (
        example(
            """\
            import hmac
            from flask import abort, request

            def check(expected):
                if not hmac.compare_digest(request.headers.get("X-Api-Key", ""), expected):
                    abort(401)
            """
        ),
        example(
            """\
            def check(token, token_type):
                if token is None or token_type == "Bearer":
                    return False
                return True
            """
        ),
    )

    def check(self, node, ctx):
        if isinstance(node, ast.Call):
            # The module's own helpers: ``matches(request.headers["X-Api-Key"], stored)`` where
            # ``matches`` returns ``given == stored``: the secret comes from this call.
            for forward, inner in ctx.forwarded_compares(node):
                operands = []
                for operand in (forward.call.left, forward.call.comparators[0]):
                    site = forward.site(operand)
                    operands.append((operand, inner) if site is None else (site, ctx))
                if any(operand_ctx is ctx and _is_static(operand, ctx) for operand, operand_ctx in operands):
                    continue  # a constant handed to a helper: nothing a request controls
                if any(operand_ctx is ctx and ctx.is_verified(operand) for operand, operand_ctx in operands):
                    continue  # handed on only once verified: whoever got here knew the secret
                what = _compared_secret(operands[0], operands[1])
                if what is not None:
                    op = "==" if isinstance(forward.call.ops[0], ast.Eq) else "!="
                    yield node, {"what": capitalized(what), "op": f"{op} in {ast.unparse(node.func)}()"}
                    return
            return
        if isinstance(ctx.parent(node), ast.Assert):
            return  # a test's assertion, not an authentication decision
        if len(node.ops) == 1 and isinstance(node.ops[0], (ast.In, ast.NotIn)):
            # ``passcode in valid_passcodes``: a list or tuple is searched with ``==``, one by one (a
            # set or dict looks the hash up instead).
            container = node.comparators[0]
            if any(isinstance(c, (ast.List, ast.Tuple, ast.ListComp)) for c in ctx.constants_of(container)):
                what = _secret_label(node.left, ctx)
                if what is not None and not _both_supplied(node.left, container, ctx):
                    op = "in" if isinstance(node.ops[0], ast.In) else "not in"
                    yield node, {"what": capitalized(what), "op": f"{op} over a list"}
            return
        if len(node.ops) != 1 or not isinstance(node.ops[0], (ast.Eq, ast.NotEq)):
            return
        left, right = node.left, node.comparators[0]
        if _is_plain_literal(left) or _is_plain_literal(right):
            return  # ``x == 0``, ``x != None``: what a secret is compared with is never one of these
        # The dataflow question first; the exclusions only for a comparison that holds a secret.
        what = _compared_secret((left, ctx), (right, ctx))
        if what is None:
            return
        if (_is_static(left, ctx) and _is_static(right, ctx)) or _is_change_check(node, ctx):
            return
        if ctx.is_sql_expression(left) or ctx.is_sql_expression(right):
            return  # ``User.api_key == key`` builds a query: the database compares
        if ctx.is_verified(left) or ctx.is_verified(right) or _both_supplied(left, right, ctx):
            return
        op = "==" if isinstance(node.ops[0], ast.Eq) else "!="
        yield node, {"what": capitalized(what), "op": op}, Fixable(FixSafety.UNSAFE)

    def apply_fix(self, node, data):
        from flask_token_lint import cst_edits

        cst = cst_edits.cst
        if not isinstance(node, cst.Comparison) or len(node.comparisons) != 1:
            return None
        target = node.comparisons[0]
        call = cst_edits.expression("hmac.compare_digest(a, b)")
        assert isinstance(call, cst.Call)
        call = call.with_changes(
            args=[call.args[0].with_changes(value=node.left), call.args[1].with_changes(value=target.comparator)]
        )
        fixed: cst.BaseExpression = call
        if isinstance(target.operator, cst.NotEqual):
            fixed = cst.UnaryOperation(operator=cst.Not(), expression=call)
        return fixed.with_changes(lpar=node.lpar, rpar=node.rpar), frozenset({"hmac"})
