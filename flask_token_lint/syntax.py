"""Small questions about syntax alone, shared by the analyses and the rules (a vocabulary: no facts)."""

from __future__ import annotations

import ast
from typing import Iterator

_BLOCK_FIELDS = ("body", "orelse", "finalbody", "handlers")
FUNCTION_NODES = (ast.FunctionDef, ast.AsyncFunctionDef)


def dotted(node: ast.AST) -> str | None:
    """``a.b.c`` for a chain of names and attributes, else None."""
    parts: list[str] = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if not isinstance(node, ast.Name):
        return None
    parts.append(node.id)
    return ".".join(reversed(parts))


def call_name(call: ast.Call) -> str:
    """The last name of what ``call`` calls (``b`` for ``a.b(...)``, ``f`` for ``f(...)``), or ``""``."""
    func = call.func
    if isinstance(func, ast.Attribute):
        return func.attr
    return func.id if isinstance(func, ast.Name) else ""


def is_method_call(node: ast.AST, method: str) -> bool:
    return isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == method


def int_index(node: ast.expr | None) -> int | None:
    """The integer a literal index or ``-n`` spells, else None."""
    if isinstance(node, ast.Constant) and type(node.value) is int:
        return node.value
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        inner = int_index(node.operand)
        return None if inner is None else -inner
    return None


def argument(call: ast.Call, names: str | tuple[str, ...], position: int | None = None) -> ast.expr | None:
    """The argument a call passes as keyword ``names`` (one name or aliases) or at ``position``.

    None when it is not passed, or when a ``*args`` before it hides which position holds what.
    """
    wanted = (names,) if isinstance(names, str) else names
    for keyword in call.keywords:
        if keyword.arg in wanted:
            return keyword.value
    if position is None or position >= len(call.args):
        return None
    if any(isinstance(a, ast.Starred) for a in call.args[: position + 1]):
        return None
    return call.args[position]


def argument_node(call: ast.Call, names: str | tuple[str, ...], position: int | None = None) -> ast.AST | None:
    """Where the argument ``argument`` returns is written: the whole ``keyword`` (``verify=False``), or
    the positional argument. A finding about it is reported there, so ``# noqa`` on that line works
    when a formatter puts each argument on its own line."""
    wanted = (names,) if isinstance(names, str) else names
    for keyword in call.keywords:
        if keyword.arg in wanted:
            return keyword
    given = argument(call, wanted, position)
    return given


def top_level_statements(body: list[ast.stmt]) -> Iterator[ast.stmt]:
    """Statements of a module body, entering blocks but not defs or classes."""
    stack = list(reversed(body))
    while stack:
        stmt = stack.pop()
        yield stmt
        if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            continue
        children: list[ast.stmt] = []
        for field in _BLOCK_FIELDS:
            for child in getattr(stmt, field, ()) or ():
                if isinstance(child, ast.ExceptHandler):
                    children.extend(child.body)
                elif isinstance(child, ast.stmt):
                    children.append(child)
        if type(stmt).__name__ == "Match":  # ast.Match exists from Python 3.10 on
            for case in stmt.cases:  # type: ignore[attr-defined]
                children.extend(case.body)
        stack.extend(reversed(children))


def is_falsy_literal(node: ast.AST | None) -> bool:
    """``None``, ``False``, ``0``, ``""``, ``b""`` written in place."""
    return isinstance(node, ast.Constant) and not node.value


def is_constant(node: ast.AST | None, value: object) -> bool:
    """``node`` is the literal ``value`` (``True``, ``False``, ``None``), compared by identity."""
    return isinstance(node, ast.Constant) and node.value is value
