"""What the module's own functions and methods do, applied where they are called.

A call's callee is found by name: a function of the module or of an enclosing function, a method
of the enclosing class called on ``self``/``cls``, or a method of a module class called on the
class or on a name bound to an instance of it (``staticmethod``s bind no first parameter). Its summary says what it returns (so
a helper returning the header, a token or a falsy constant is read at the call) and which of
its parameters it hands on to which calls (so ``self._request(url, verify=False)`` is read as
the ``requests.request(..., verify=False)`` inside it). Summaries are computed once per
function, when first asked, and go one call deep, so they stay linear in the module's size.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Callable

from flask_token_lint.scopes import Scope

if TYPE_CHECKING:
    from flask_token_lint.values import ValueAnalysis


@dataclass
class Forward:
    """A call inside a callee whose arguments come, in part, from the call site."""

    call: ast.Call  # the call (or, from ``compares``, the comparison) inside the callee
    scope: Scope  # the callee's scope
    params: dict[str, ast.expr] = field(default_factory=dict)  # callee parameter -> expression at the site
    extra: dict[str, ast.expr] = field(default_factory=dict)  # keywords the site passes into ``**kwargs``
    kwargs_param: str | None = None

    def _site(self, inner: ast.expr) -> ast.expr | None:
        if isinstance(inner, ast.Name) and inner.id in self.params:
            return self.params[inner.id]
        return None

    def keyword(self, name: str) -> ast.expr | None:
        """What the site passes on as the inner call's keyword ``name``, if anything."""
        for keyword in self.call.keywords:
            if keyword.arg == name:
                return self._site(keyword.value)
            if keyword.arg is None and isinstance(keyword.value, ast.Name) and keyword.value.id == self.kwargs_param:
                if name in self.extra:
                    return self.extra[name]
        return None

    def argument(self, position: int) -> ast.expr | None:
        """What the site passes on as the inner call's positional argument ``position``."""
        if position < len(self.call.args) and not any(isinstance(a, ast.Starred) for a in self.call.args[:position]):
            return self._site(self.call.args[position])
        return None

    def site(self, inner: ast.expr) -> ast.expr | None:
        """What the site passes for ``inner`` when ``inner`` is one of the callee's parameters."""
        return self._site(inner)

    def written_sites(self, inner: ast.expr) -> list[ast.expr]:
        """The site expressions whose text ``inner`` writes out: a parameter itself, or one put into
        an f-string, ``%``, ``+``, ``.format`` or ``str()`` (not ``len(param)``, which writes a count)."""
        found: list[ast.expr] = []
        pending = [inner]
        while pending:
            node = pending.pop()
            site = self._site(node)
            if site is not None:
                found.append(site)
            elif isinstance(node, ast.JoinedStr):
                pending.extend(v.value for v in node.values if isinstance(v, ast.FormattedValue))
            elif isinstance(node, ast.BinOp):
                pending.extend((node.left, node.right))
            elif isinstance(node, (ast.Tuple, ast.List)):
                pending.extend(node.elts)
            elif isinstance(node, ast.Call):
                func = node.func
                if isinstance(func, ast.Attribute) and func.attr == "format":
                    pending.extend([func.value, *node.args, *(k.value for k in node.keywords)])
                elif isinstance(func, ast.Name) and func.id in ("str", "repr", "dict"):
                    pending.extend(node.args)
        return found


class Summaries:
    def __init__(self, values: ValueAnalysis) -> None:
        self.values = values
        self._callees: dict[int, list[tuple[ast.FunctionDef | ast.AsyncFunctionDef, Scope, bool]]] = {}
        self._returns: dict[int, list[tuple[ast.expr, Scope]]] = {}
        self._forwards: dict[int, list[Forward]] = {}
        self._sites: dict[str, list[tuple[ast.Call, Scope]]] | None = None
        self._receiving: dict[int, list[ast.Call]] = {}
        self._classes: dict[str, Scope] | None = None

    def callees(self, call: ast.Call, scope: Scope) -> list[tuple[ast.FunctionDef | ast.AsyncFunctionDef, Scope, bool]]:
        """The module's own definitions ``call`` may run, with their scopes, and whether the first
        parameter is bound by the call (a method called on ``self``/``cls``)."""
        key = id(call)
        found = self._callees.get(key)
        if found is None:
            found = self._callees[key] = self._find(call, scope)
        return found

    def _find(self, call: ast.Call, scope: Scope) -> list[tuple[ast.FunctionDef | ast.AsyncFunctionDef, Scope, bool]]:
        return self.definitions_of(call.func, scope)

    def definitions_of(self, func: ast.expr, scope: Scope) -> list[tuple[ast.FunctionDef | ast.AsyncFunctionDef, Scope, bool]]:
        """The module's own definitions the expression ``func`` names (a function, or a method of
        ``self``, of a class or of an instance of one), with their scopes and whether a call binds
        the first parameter."""
        definitions: list[ast.FunctionDef | ast.AsyncFunctionDef] = []
        bound = False
        if isinstance(func, ast.Name):
            if scope.defining(func.id) is not None:
                return []  # a local variable, not one of the module's functions
            for visible in scope.visible():
                definitions = visible.facts.functions.get(func.id, [])
                if definitions:
                    break
        elif isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name):
            owner = self.class_of_self(func.value.id, scope)
            instance = True
            if owner is None:
                owner, instance = self._class_of(func.value, scope)
            if owner is not None:
                definitions = owner.facts.functions.get(func.attr, [])
                bound = True
        result = []
        for definition in definitions:
            inner = self.values.scopes.get(definition)
            if inner is not None:
                result.append((definition, inner, bound and _binds_first(definition, instance)))
        return result

    def _class_of(self, name: ast.Name, scope: Scope) -> tuple[Scope | None, bool]:
        """The scope of the module's class ``name`` names (``Store.check(...)``), or of the class
        ``name`` is an instance of (``store = Store()`` then ``store.check(...)``), and which."""
        if scope.defining(name.id) is None:
            found = self._class_named(name.id, scope)
            if found is not None:
                return found, False
        created = self.values.constant_of(name, scope)
        if isinstance(created, ast.Call) and isinstance(created.func, ast.Name) and scope.defining(created.func.id) is None:
            return self._class_named(created.func.id, scope), True
        return None, True

    def _class_named(self, name: str, scope: Scope) -> Scope | None:
        if self._classes is None:
            module = scope.module_scope
            named: dict[str, list[Scope]] = {}
            for child in module.children.values():
                if child.is_class:
                    named.setdefault(child.node.name, []).append(child)  # type: ignore[attr-defined]
            # A class defined once and never rebound at the top level.
            self._classes = {n: c[0] for n, c in named.items() if len(c) == 1 and n not in module.facts.bindings}
        return self._classes.get(name)

    @staticmethod
    def class_of_self(name: str, scope: Scope) -> Scope | None:
        """The class scope when ``name`` is the first parameter of a method this code runs in."""
        current: Scope | None = scope
        while current is not None and not current.is_class:
            if current.is_function:
                parameters = current.facts.parameters
                parent = current.parent
                if parameters and parameters[0] == name and parent is not None and parent.is_class:
                    return parent
            current = current.parent
        return None

    def call_sites(self, callee: Scope) -> list[tuple[ast.Call, Scope]]:
        """The calls in the module that run the function ``callee`` is the scope of (by name, then
        confirmed through ``callees``), found once per module."""
        if self._sites is None:
            self._sites = {}
            for scope in self.values.scopes.values():
                for call in scope.facts.calls:
                    func = call.func
                    name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)
                    if name:
                        self._sites.setdefault(name, []).append((call, scope))
        name = getattr(callee.node, "name", None)
        return [
            (call, scope)
            for call, scope in self._sites.get(name, ())
            if any(definition is callee.node for definition, _, _ in self.callees(call, scope))
        ]

    def every_caller(self, callee: Scope, parameter: str, holds: Callable[[ast.expr, Scope], bool]) -> bool:
        """The function ``callee`` is called in the module, and every call passes, for ``parameter``,
        an argument of which ``holds`` (judged in the caller's scope)."""
        sites = self.call_sites(callee)
        for call, where in sites:
            argument = self.argument_for(callee, call, where, parameter)
            if argument is None or not holds(argument, where):
                return False
        return bool(sites)

    def argument_for(self, callee: Scope, call: ast.Call, scope: Scope, name: str) -> ast.expr | None:
        """What ``call`` (made in ``scope``) passes for ``callee``'s parameter ``name``."""
        for definition, inner, bound in self.callees(call, scope):
            if inner is callee:
                params, _, _ = bind_arguments(definition, call, bound)
                site = params.get(name)
                # a literal default stands for itself, not for something the caller passed
                return None if site is None or site in definition.args.defaults else site
        return None

    def returns(self, call: ast.Call, scope: Scope) -> list[tuple[ast.expr, Scope]]:
        """The values the module's own callee of ``call`` may return, each in the callee's scope."""
        result: list[tuple[ast.expr, Scope]] = []
        for definition, inner, _ in self.callees(call, scope):
            key = id(definition)
            returned = self._returns.get(key)
            if returned is None:
                returned = self._returns[key] = [(r.value, inner) for r in inner.facts.returns if r.value is not None]
            result.extend(returned)
        return result

    def compares(self, call: ast.Call, scope: Scope) -> list[Forward]:
        """The ``==``/``!=`` comparisons inside the module's own callee of ``call`` that compare
        what the site passes (``matches(given, stored)`` returning ``given == stored``)."""
        result: list[Forward] = []
        for definition, inner, bound in self.callees(call, scope):
            params, extra, kwargs_param = bind_arguments(definition, call, bound)
            params = {name: site for name, site in params.items() if name not in inner.facts.bindings}
            if not params:
                continue
            for compare in inner.facts.compares:
                operands = (compare.left, *compare.comparators)
                if any(isinstance(o, ast.Name) and o.id in params for o in operands):
                    result.append(Forward(compare, inner, params, extra, kwargs_param))  # type: ignore[arg-type]
        return result

    def forwards(self, call: ast.Call, scope: Scope) -> list[Forward]:
        """The calls inside the module's own callee of ``call`` that receive what the site passes
        (kept per call: several rules ask about the same one)."""
        key = id(call)
        found = self._forwards.get(key)
        if found is None:
            found = self._forwards[key] = self._find_forwards(call, scope)
        return found

    def _find_forwards(self, call: ast.Call, scope: Scope) -> list[Forward]:
        result: list[Forward] = []
        for definition, inner, bound in self.callees(call, scope):
            receiving = self._receiving_calls(definition, inner)
            if not receiving:
                continue
            params, extra, kwargs_param = bind_arguments(definition, call, bound)
            params = {name: site for name, site in params.items() if name not in inner.facts.bindings}
            if params or extra:
                result.extend(Forward(inner_call, inner, params, extra, kwargs_param) for inner_call in receiving)
        return result

    def _receiving_calls(self, definition: ast.FunctionDef | ast.AsyncFunctionDef, inner: Scope) -> list[ast.Call]:
        """The calls of a function that are handed one of its parameters (computed once per function)."""
        key = id(definition)
        found = self._receiving.get(key)
        if found is None:
            names = set(inner.facts.parameters)
            found = self._receiving[key] = [
                inner_call
                for inner_call in inner.facts.calls
                if any(
                    isinstance(n, ast.Name) and n.id in names
                    for argument in (*inner_call.args, *(k.value for k in inner_call.keywords))
                    for n in ast.walk(argument)
                )
            ]
        return found


def bind_arguments(definition: ast.FunctionDef | ast.AsyncFunctionDef, call: ast.Call,
                    bound: bool) -> tuple[dict[str, ast.expr], dict[str, ast.expr], str | None]:
    """Parameter -> site expression, the site keywords that land in ``**kwargs``, and its name."""
    args = definition.args
    positional = [a.arg for a in (*args.posonlyargs, *args.args)]
    if bound and positional:
        positional = positional[1:]
    params: dict[str, ast.expr] = {}
    for name, value in zip(positional, call.args):
        if isinstance(value, ast.Starred):
            break
        params[name] = value
    # A literal default stands for a parameter the site leaves out (``verify=False``).
    defaults = dict(zip([a.arg for a in (*args.posonlyargs, *args.args)][-len(args.defaults):], args.defaults))
    defaults.update((a.arg, d) for a, d in zip(args.kwonlyargs, args.kw_defaults) if d is not None)
    for name, default in defaults.items():
        if isinstance(default, ast.Constant) and name not in params:
            params[name] = default
    known = set(positional) | {a.arg for a in args.kwonlyargs}
    extra: dict[str, ast.expr] = {}
    for keyword in call.keywords:
        if keyword.arg is None:
            continue
        if keyword.arg in known or keyword.arg in defaults:
            params[keyword.arg] = keyword.value
        elif args.kwarg is not None:
            extra[keyword.arg] = keyword.value
    return params, extra, (args.kwarg.arg if args.kwarg is not None else None)


def _binds_first(definition: ast.FunctionDef | ast.AsyncFunctionDef, instance: bool) -> bool:
    """A method's first parameter is bound by the call: not for a ``staticmethod``; always for a
    ``classmethod``; for a plain method only when called on an instance (``Cls.m(obj, x)`` passes it)."""
    names = {d.id if isinstance(d, ast.Name) else getattr(d, "attr", None) for d in definition.decorator_list}
    if "staticmethod" in names:
        return False
    return instance or "classmethod" in names
