"""The one walk over a module's tree.

It records every node's parent, fills in the facts of each scope (bindings and in-place changes,
calls, loads, returns, parameters, local imports, functions) and of the module (imports at any
depth, app assignments), and collects the nodes the selected rules asked for. Rules run only
after it, when every fact is complete. Children come from per-class field tables that skip
context and operator nodes.
"""

from __future__ import annotations

import ast
from typing import Callable, Sequence

from flask_token_lint.module_facts import ModuleFacts, import_aliases
from flask_token_lint.scopes import SCOPE_NODES, Binding, Scope

_SKIPPED_FIELDS = frozenset({"ctx", "op", "ops", "type_comment"})
# Fields that hold a name, a number or a flag, never a node: not visited.
_SCALAR_FIELDS: dict[str, frozenset[str]] = {
    "Name": frozenset({"id"}), "Constant": frozenset({"value", "kind"}), "Attribute": frozenset({"attr"}),
    "keyword": frozenset({"arg"}), "arg": frozenset({"arg"}), "alias": frozenset({"name", "asname"}),
    "FunctionDef": frozenset({"name"}), "AsyncFunctionDef": frozenset({"name"}), "ClassDef": frozenset({"name"}),
    "ImportFrom": frozenset({"module", "level"}), "Global": frozenset({"names"}), "Nonlocal": frozenset({"names"}),
    "ExceptHandler": frozenset({"name"}), "comprehension": frozenset({"is_async"}),
    "FormattedValue": frozenset({"conversion"}), "MatchAs": frozenset({"name"}), "MatchStar": frozenset({"name"}),
    "MatchMapping": frozenset({"rest"}), "MatchClass": frozenset({"kwd_attrs"}), "TypeIgnore": frozenset({"lineno", "tag"}),
}
_FIELDS: dict[type, tuple[str, ...]] = {}
# Methods that change the container they are called on.
CHANGING_METHODS = frozenset({"update", "setdefault", "pop", "popitem", "clear", "__setitem__", "__delitem__"})


def _fields(cls: type) -> tuple[str, ...]:
    """The fields of ``cls`` that may hold child nodes, in source order (plans keep them reversed)."""
    fields = _FIELDS.get(cls)
    if fields is None:
        scalar = _SKIPPED_FIELDS | _SCALAR_FIELDS.get(cls.__name__, frozenset())
        fields = _FIELDS[cls] = tuple(f for f in cls._fields if f not in scalar)  # type: ignore[attr-defined]
    return fields


def children(node: ast.AST) -> list[ast.AST]:
    """The child nodes of ``node`` that can hold something, in source order."""
    found: list[ast.AST] = []
    for name in _fields(type(node)):
        value = getattr(node, name, None)
        if isinstance(value, list):
            found.extend(v for v in value if isinstance(v, ast.AST))
        elif isinstance(value, ast.AST):
            found.append(value)
    return found


# What the walk does at a node of one class, for one selection of rules: the rules that asked for
# it, the fact-collecting note, whether it opens a scope, and the fields to descend into (last
# first). Kept by the caller per selection (``Walk(..., plans=...)``) and filled as classes are met.
Plans = dict


def _plan_of(plans: Plans, cls: type, wanted: dict[type, Sequence[object]]) -> tuple:
    plan = plans[cls] = (wanted.get(cls) or None, _NOTES.get(cls), cls in _SCOPE_CLASSES, tuple(reversed(_fields(cls))))
    return plan


class Walk:
    """The result of walking one module: parents, scopes, and the nodes each rule asked for."""

    def __init__(self, tree: ast.Module, wanted: dict[type, Sequence[object]], plans: Plans | None = None) -> None:
        self.module = ModuleFacts(tree)
        self.root = Scope(tree, None, self.module)
        self.parents: dict[ast.AST, ast.AST] = {}
        self.scopes: dict[ast.AST, Scope] = {tree: self.root}
        self.matches: list[tuple[ast.AST, Scope, Sequence[object]]] = []
        self._run(tree, wanted, {} if plans is None else plans)
        self.module.finish([scope.facts.aliases for scope in self.scopes.values()])

    def _run(self, tree: ast.Module, wanted: dict[type, Sequence[object]], plans: Plans) -> None:
        parents = self.parents
        matches = self.matches
        stack: list[tuple[ast.AST, Scope]] = [(tree, self.root)]
        push = stack.append
        pop = stack.pop
        AST = ast.AST
        while stack:
            node, scope = pop()
            cls = node.__class__
            plan = plans.get(cls) or _plan_of(plans, cls, wanted)
            rules, note, opens_scope, fields = plan
            if rules is not None:
                matches.append((node, scope, rules))
            if note is not None:
                note(self, node, scope)
            if opens_scope and node is not tree:
                inner = self._enter(node, scope)
                inside = {id(child) for child in _body_of(node)}
                for child in reversed(children(node)):
                    parents[child] = node
                    push((child, inner if id(child) in inside else scope))
                continue
            for name in fields:
                value = getattr(node, name, None)
                if value.__class__ is list:
                    for child in reversed(value):
                        if isinstance(child, AST):
                            parents[child] = node
                            push((child, scope))
                elif isinstance(value, AST):
                    parents[value] = node
                    push((value, scope))

    def _enter(self, node: ast.AST, scope: Scope) -> Scope:
        inner = Scope(node, scope, self.module)
        self.scopes[node] = inner
        scope.children[id(node)] = inner
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            args = node.args
            every = [*args.posonlyargs, *args.args, *args.kwonlyargs, args.vararg, args.kwarg]
            inner.facts.parameters = [a.arg for a in every if a is not None]
            scope.facts.functions.setdefault(node.name, []).append(node)
        return inner

    # -- notes, by node class ---------------------------------------------------
    def _call(self, node: ast.Call, scope: Scope) -> None:
        scope.facts.calls.append(node)
        func = node.func
        if isinstance(func, ast.Attribute) and func.attr in CHANGING_METHODS and isinstance(func.value, ast.Name):
            key = node.args[0] if node.args else None
            self._event(scope, func.value.id, Binding(None, node, change=func.attr, key=key))

    def _name(self, node: ast.Name, scope: Scope) -> None:
        if isinstance(node.ctx, ast.Load):
            scope.facts.loads.setdefault(node.id, []).append(node)

    def _return(self, node: ast.Return, scope: Scope) -> None:
        scope.facts.returns.append(node)

    def _compare(self, node: ast.Compare, scope: Scope) -> None:
        if len(node.ops) == 1 and isinstance(node.ops[0], (ast.Eq, ast.NotEq)):
            scope.facts.compares.append(node)

    def _assign(self, node: ast.Assign, scope: Scope) -> None:
        for target in node.targets:
            self._bind(scope, target, node.value, node)
            if isinstance(target, ast.Name):
                self.module.note_assignment(target.id, node.value, scope)

    def _ann_assign(self, node: ast.AnnAssign, scope: Scope) -> None:
        if node.value is not None:
            self._bind(scope, node.target, node.value, node)

    def _aug_assign(self, node: ast.AugAssign, scope: Scope) -> None:
        target = node.target
        if isinstance(target, ast.Name):
            # ``x += v`` binds ``x`` to ``x + v``: the old value and the new part both flow on.
            old = ast.Name(id=target.id, ctx=ast.Load())
            combined = ast.BinOp(left=old, op=node.op, right=node.value)
            ast.copy_location(old, target)
            ast.copy_location(combined, node)
            self.parents[old] = combined
            self.parents[combined] = node
            self._event(scope, target.id, Binding(combined, node))
        else:
            self._bind(scope, target, node.value, node)

    def _named_expr(self, node: ast.NamedExpr, scope: Scope) -> None:
        self._bind(scope, node.target, node.value, node)

    def _for(self, node: ast.For | ast.AsyncFor | ast.comprehension, scope: Scope) -> None:
        self._bind(scope, node.target, node.iter, node, iterates=True)

    def _with(self, node: ast.With | ast.AsyncWith, scope: Scope) -> None:
        for item in node.items:
            if item.optional_vars is not None:
                self._bind(scope, item.optional_vars, item.context_expr, node)

    def _delete(self, node: ast.Delete, scope: Scope) -> None:
        for target in node.targets:
            if isinstance(target, ast.Subscript) and isinstance(target.value, ast.Name):
                self._event(scope, target.value.id, Binding(None, node, change="del", key=target.slice))

    def _import(self, node: ast.Import | ast.ImportFrom, scope: Scope) -> None:
        if scope is not self.root:
            scope.facts.aliases.update(import_aliases(node))

    # -- bindings -----------------------------------------------------------------
    def _event(self, scope: Scope, name: str, binding: Binding) -> None:
        events = scope.facts.bindings if binding.change is None else scope.facts.changes
        events.setdefault(name, []).append(binding)

    def _bind(self, scope: Scope, target: ast.expr, value: ast.expr, stmt: ast.AST, iterates: bool = False) -> None:
        if isinstance(target, ast.Subscript) and isinstance(target.value, ast.Name):
            self._event(scope, target.value.id, Binding(value, stmt, change="item", key=target.slice))
        elif isinstance(target, ast.Attribute) and isinstance(target.value, ast.Name):
            self._event(scope, target.value.id, Binding(value, stmt, change="attribute"))
        elif isinstance(target, ast.Name):
            self._event(scope, target.id, Binding(value, stmt, None, iterates))
        elif isinstance(target, ast.Starred):
            self._bind(scope, target.value, value, stmt, iterates=True)
        elif isinstance(target, (ast.Tuple, ast.List)):
            for index, element in enumerate(target.elts):
                if isinstance(element, ast.Starred):
                    break  # positions after a starred target are not fixed
                if isinstance(element, ast.Name):
                    self._event(scope, element.id, Binding(value, stmt, index, iterates))


def _body_of(node: ast.AST) -> list[ast.AST]:
    body: list[ast.AST] = list(getattr(node, "body", []))
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
        body.append(node.args)
    return body


_SCOPE_CLASSES = frozenset(SCOPE_NODES)
_NOTES: dict[type, Callable[[Walk, ast.AST, Scope], None]] = {
    ast.Call: Walk._call,  # type: ignore[dict-item]
    ast.Name: Walk._name,  # type: ignore[dict-item]
    ast.Return: Walk._return,  # type: ignore[dict-item]
    ast.Compare: Walk._compare,  # type: ignore[dict-item]
    ast.Assign: Walk._assign,  # type: ignore[dict-item]
    ast.AnnAssign: Walk._ann_assign,  # type: ignore[dict-item]
    ast.AugAssign: Walk._aug_assign,  # type: ignore[dict-item]
    ast.NamedExpr: Walk._named_expr,  # type: ignore[dict-item]
    ast.For: Walk._for,  # type: ignore[dict-item]
    ast.AsyncFor: Walk._for,  # type: ignore[dict-item]
    ast.comprehension: Walk._for,  # type: ignore[dict-item]
    ast.With: Walk._with,  # type: ignore[dict-item]
    ast.AsyncWith: Walk._with,  # type: ignore[dict-item]
    ast.Delete: Walk._delete,  # type: ignore[dict-item]
    ast.Import: Walk._import,  # type: ignore[dict-item]
    ast.ImportFrom: Walk._import,  # type: ignore[dict-item]
}
