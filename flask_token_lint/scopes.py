"""Per-scope facts, computed the first time a rule asks about a scope.

A scope is the module, a function or a class body. Its facts come from one
pass over the statements it owns (nested functions and classes are scopes of
their own): which values each local name is bound to, each node's parent (for
asking what dominates a node), the calls in source order and the loads of each
name. Nothing here is computed for a scope no rule asks about.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from typing import Iterator

from flask_token_lint.module_facts import ModuleFacts

SCOPE_NODES = (ast.Module, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)
_MUTATING_METHODS = frozenset({"update", "setdefault", "__setitem__", "pop", "clear"})


@dataclass(frozen=True)
class Binding:
    """One value a local name may hold."""

    value: ast.expr
    stmt: ast.AST
    index: int | None = None  # position in a tuple target (``a, b = value``)
    iterates: bool = False  # a loop variable over ``value``


class ScopeFacts:
    def __init__(self, node: ast.AST) -> None:
        self.bindings: dict[str, list[Binding]] = {}
        self.parents: dict[ast.AST, ast.AST] = {}
        self.calls: list[ast.Call] = []
        self.loads: dict[str, list[ast.Name]] = {}
        self.returns: list[ast.Return] = []
        # Names whose value is changed in place (``d["k"] = v``, ``d.update(...)``).
        self.mutated: set[str] = set()
        self.parameters: set[str] = set()
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
            args = node.args
            every = [*args.posonlyargs, *args.args, *args.kwonlyargs, args.vararg, args.kwarg]
            self.parameters = {a.arg for a in every if a is not None}
        body: list[ast.stmt] = getattr(node, "body", [])
        stack: list[ast.AST] = list(reversed(body))
        for stmt in body:
            self.parents[stmt] = node
        while stack:
            current = stack.pop()
            self._note(current)
            if isinstance(current, SCOPE_NODES):
                # Decorators, defaults and bases run in this scope; bodies do not.
                children: list[ast.AST] = [*getattr(current, "decorator_list", ())]
                if isinstance(current, ast.ClassDef):
                    children += [*current.bases, *(k.value for k in current.keywords)]
                elif isinstance(current, (ast.FunctionDef, ast.AsyncFunctionDef)):
                    args = current.args
                    children += [*args.defaults, *(d for d in args.kw_defaults if d is not None)]
            else:
                children = list(ast.iter_child_nodes(current))
            for child in children:
                self.parents[child] = current
            stack.extend(reversed(children))

    def _note(self, node: ast.AST) -> None:
        if isinstance(node, ast.Call):
            self.calls.append(node)
            func = node.func
            if isinstance(func, ast.Attribute) and func.attr in _MUTATING_METHODS and isinstance(func.value, ast.Name):
                self.mutated.add(func.value.id)
        elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load):
            self.loads.setdefault(node.id, []).append(node)
        elif isinstance(node, ast.Return):
            self.returns.append(node)
        elif isinstance(node, ast.Assign):
            for target in node.targets:
                self._bind(target, node.value, node)
        elif isinstance(node, (ast.AnnAssign, ast.AugAssign)) and node.value is not None:
            self._bind(node.target, node.value, node)
        elif isinstance(node, ast.NamedExpr):
            self._bind(node.target, node.value, node)
        elif isinstance(node, (ast.For, ast.AsyncFor, ast.comprehension)):
            self._bind(node.target, node.iter, node, iterates=True)
        elif isinstance(node, (ast.With, ast.AsyncWith)):
            for item in node.items:
                if item.optional_vars is not None:
                    self._bind(item.optional_vars, item.context_expr, node)

    def _bind(self, target: ast.expr, value: ast.expr, stmt: ast.AST, iterates: bool = False) -> None:
        if isinstance(target, (ast.Subscript, ast.Attribute)) and isinstance(target.value, ast.Name):
            self.mutated.add(target.value.id)
        elif isinstance(target, ast.Name):
            self.bindings.setdefault(target.id, []).append(Binding(value, stmt, None, iterates))
        elif isinstance(target, (ast.Tuple, ast.List)):
            for index, element in enumerate(target.elts):
                if isinstance(element, ast.Starred):
                    break  # positions after a starred target are not fixed
                if isinstance(element, ast.Name):
                    self.bindings.setdefault(element.id, []).append(Binding(value, stmt, index, iterates))


class Scope:
    """A module, function or class body, with lazily computed facts."""

    def __init__(self, node: ast.AST, parent: Scope | None, module: ModuleFacts) -> None:
        self.node = node
        self.parent = parent
        self.module = module
        self._facts: ScopeFacts | None = None
        self._lookups: dict[str, list[tuple[Binding, Scope]]] = {}

    @property
    def facts(self) -> ScopeFacts:
        if self._facts is None:
            self._facts = ScopeFacts(self.node)
        return self._facts

    @property
    def is_function(self) -> bool:
        return isinstance(self.node, (ast.FunctionDef, ast.AsyncFunctionDef))

    def lookup(self, name: str) -> list[tuple[Binding, Scope]]:
        """The bindings of ``name`` visible here: local ones, else enclosing functions'.

        Module-level names are left to the module facts (constants), and class
        bodies are skipped from methods, as Python's own name resolution does.
        Answers are kept, so asking again about a name bound thousands of times is free.
        """
        found = self._lookups.get(name)
        if found is None:
            found = self._lookups[name] = self._resolve(name)
        return found

    def _resolve(self, name: str) -> list[tuple[Binding, Scope]]:
        scope: Scope | None = self
        while scope is not None:
            if scope is self or scope.is_function:
                bindings = scope.facts.bindings.get(name)
                if bindings:
                    return [(binding, scope) for binding in bindings]
            if isinstance(scope.node, ast.Module):
                return []
            scope = scope.parent
        return []

    def binds(self, name: str) -> bool:
        """``name`` is a local of this scope or an enclosing function (so not a module constant)."""
        scope: Scope | None = self
        while scope is not None and not isinstance(scope.node, ast.Module):
            if scope is self or scope.is_function:
                if name in scope.facts.bindings or name in scope.facts.parameters:
                    return True
            scope = scope.parent
        return False

    def ancestors(self, node: ast.AST) -> Iterator[tuple[ast.AST, ast.AST]]:
        """``(child, parent)`` pairs from ``node`` up to this scope's node."""
        parents = self.facts.parents
        child = node
        while child is not self.node:
            parent = parents.get(child)
            if parent is None:
                return
            yield child, parent
            child = parent
