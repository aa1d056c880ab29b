"""Scopes and their facts: the module, each function and each class body.

The facts of every scope (bindings and in-place changes of each name in source order, calls,
loads, returns, parameters, local imports) are filled in by the one walk (``walk.py``) before
any rule runs; nothing here walks a tree.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Iterator

if TYPE_CHECKING:
    from flask_token_lint.module_facts import ModuleFacts

SCOPE_NODES = (ast.Module, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)


@dataclass(frozen=True, eq=False)
class Binding:
    """One event of a local name: a new value, or (``change``) a change in place of the one it holds."""

    value: ast.expr | None
    stmt: ast.AST  # the node that binds or changes it
    index: int | None = None  # position in a tuple target (``a, b = value``)
    iterates: bool = False  # a loop variable over ``value``
    # None for a new value; for an in-place change: "item" (``d[k] = v``), "del" (``del d[k]``),
    # or the method that changes it ("update", "setdefault", "pop", "clear", ...).
    change: str | None = None
    key: ast.expr | None = None  # the key of an item change


@dataclass
class ScopeFacts:
    bindings: dict[str, list[Binding]] = field(default_factory=dict)  # new values, in source order
    changes: dict[str, list[Binding]] = field(default_factory=dict)  # in-place changes, in source order
    calls: list[ast.Call] = field(default_factory=list)
    loads: dict[str, list[ast.Name]] = field(default_factory=dict)
    returns: list[ast.Return] = field(default_factory=list)
    compares: list[ast.Compare] = field(default_factory=list)  # ``==`` / ``!=`` of two operands
    parameters: list[str] = field(default_factory=list)
    aliases: dict[str, str] = field(default_factory=dict)  # imports made inside this scope
    functions: dict[str, list[ast.FunctionDef | ast.AsyncFunctionDef]] = field(default_factory=dict)

    def mutated(self, name: str) -> bool:
        return name in self.changes


class Scope:
    """A module, function or class body with its facts."""

    def __init__(self, node: ast.AST, parent: Scope | None, module: ModuleFacts) -> None:
        self.node = node
        self.parent = parent
        self.module = module
        self.facts = ScopeFacts()
        self._defining: dict[str, Scope | None] = {}
        self.children: dict[int, Scope] = {}  # the scopes of the defs and classes directly inside, by node id

    def release(self) -> None:
        self.parent = None
        self.children = {}
        self._defining = {}

    @property
    def module_scope(self) -> Scope:
        scope = self
        while scope.parent is not None:
            scope = scope.parent
        return scope

    @property
    def is_function(self) -> bool:
        return isinstance(self.node, (ast.FunctionDef, ast.AsyncFunctionDef))

    @property
    def is_class(self) -> bool:
        return isinstance(self.node, ast.ClassDef)

    def visible(self) -> Iterator[Scope]:
        """This scope, then the enclosing ones whose names it sees (class bodies are skipped from
        inside their methods, as Python's own name resolution does), ending at the module."""
        scope: Scope | None = self
        while scope is not None:
            if scope is self or not scope.is_class:
                yield scope
            scope = scope.parent

    def qualname(self, node: ast.AST) -> str | None:
        return self.module.qualname(node, self)

    def binds(self, name: str) -> bool:
        """``name`` is a local of this scope or an enclosing function (so not a module constant)."""
        for scope in self.visible():
            if isinstance(scope.node, ast.Module):
                return False
            if name in scope.facts.bindings or name in scope.facts.parameters:
                return True
        return False

    def defining(self, name: str) -> Scope | None:
        """The function scope that binds ``name`` as a local or parameter, as seen from here."""
        if name in self._defining:
            return self._defining[name]
        found = None
        for scope in self.visible():
            if isinstance(scope.node, ast.Module):
                break
            if name in scope.facts.bindings or name in scope.facts.parameters:
                found = scope
                break
        self._defining[name] = found
        return found
