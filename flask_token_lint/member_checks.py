"""Is a field of a value tested true before a use of the value?

The dominance walk of ``guards.py`` asked of one field: a test reads ``value["active"]`` or
``value.get("active")`` (alone, negated, ``is True``/``== True``, bound to a name first) and a use
of ``value`` sits where that test held true (``if not data.get("active"): abort(401)`` before
``data["sub"]``; ``data.get("active") and data["scope"]``). Used for token-introspection results
(FTL110), whose ``active`` member says whether the token may be used at all.
"""

from __future__ import annotations

import ast

from flask_token_lint.guards import ValueGuards
from flask_token_lint.scopes import Scope
from flask_token_lint.values import ValueAnalysis


def reads_member(node: ast.AST, *members: str) -> ast.expr | None:
    """The value ``node`` reads one of ``members`` of (``value[member]``, ``value.get(member)``)."""
    if isinstance(node, ast.Subscript) and isinstance(node.slice, ast.Constant) and node.slice.value in members:
        return node.value
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "get" \
            and node.args and isinstance(node.args[0], ast.Constant) and node.args[0].value in members:
        return node.func.value
    return None


class MemberGuards(ValueGuards):
    def __init__(self, values: ValueAnalysis, member: str) -> None:
        super().__init__(values)
        self.member = member

    def leaf_polarity(self, test: ast.expr, scope: Scope) -> int:
        if reads_member(test, self.member) is not None:
            return 1
        if isinstance(test, ast.Compare) and len(test.ops) == 1 and reads_member(test.left, self.member) is not None:
            right, op = test.comparators[0], test.ops[0]
            if isinstance(right, ast.Constant) and isinstance(right.value, bool):
                positive = isinstance(op, (ast.Eq, ast.Is)) == right.value
                if isinstance(op, (ast.Eq, ast.Is, ast.NotEq, ast.IsNot)):
                    return 1 if positive else -1
        return 0

    def is_checked(self, node: ast.expr, scope: Scope) -> bool:
        """A true test of the member of what ``node`` reads (a local name) dominates it."""
        return self.dominates(node, scope)
