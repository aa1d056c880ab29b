"""Which statements of a function run, given what one call passes for its parameters.

``display(token, reveal=True)`` takes the ``if reveal: return value`` branch and never reaches
the mask after it; ``verify_token(token, token_type="reset")`` runs the branch that bounds the
token's age. A test decided by the call's literal arguments (``if flag``, ``if kind == "reset"``,
``if kind in ("a", "b")``, ``not``, ``and``/``or`` of those) prunes the branch not taken, and a
block that has returned or raised runs nothing after. Each reached statement is marked "must"
when every run of the function (for that call) reaches it: not under an undecided test, not in a
loop body, not in an exception handler. Syntax only: nothing here knows values beyond literals.
"""

from __future__ import annotations

import ast
from typing import Iterator

from flask_token_lint.syntax import FUNCTION_NODES

_UNKNOWN = object()
_NESTED = (*FUNCTION_NODES, ast.ClassDef)


def literal_value(node: ast.expr | None) -> object:
    """The Python value of a literal (a constant, or a tuple/list/set of constants), else unknown."""
    if isinstance(node, ast.Constant):
        return node.value
    if isinstance(node, (ast.Tuple, ast.List, ast.Set)):
        items = [literal_value(item) for item in node.elts]
        return _UNKNOWN if any(item is _UNKNOWN for item in items) else tuple(items)
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub) and isinstance(node.operand, ast.Constant):
        value = node.operand.value
        return -value if isinstance(value, (int, float)) and not isinstance(value, bool) else _UNKNOWN
    return _UNKNOWN


def decide(test: ast.expr, known: dict[str, object]) -> bool | None:
    """The truth of ``test`` when the parameters in ``known`` hold those values; None if undecided."""
    if isinstance(test, ast.Name):
        return bool(known[test.id]) if test.id in known else None
    if isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not):
        inner = decide(test.operand, known)
        return None if inner is None else not inner
    if isinstance(test, ast.BoolOp):
        results = [decide(value, known) for value in test.values]
        deciding = isinstance(test.op, ast.Or)  # a true operand decides ``or``, a false one ``and``
        if deciding in results:
            return deciding
        return None if None in results else not deciding
    if isinstance(test, ast.Compare) and len(test.ops) == 1:
        left, right = test.left, test.comparators[0]
        if isinstance(right, ast.Name) and right.id in known and not isinstance(test.ops[0], (ast.In, ast.NotIn)):
            left, right = right, left
        if not (isinstance(left, ast.Name) and left.id in known):
            return None
        value, other = known[left.id], literal_value(right)
        if other is _UNKNOWN:
            return None
        op = test.ops[0]
        try:
            if isinstance(op, (ast.Is, ast.IsNot)):
                if not all(v is None or isinstance(v, bool) for v in (value, other)):
                    return None  # identity of other literals is an implementation detail
                return (value is other) == isinstance(op, ast.Is)
            if isinstance(op, ast.Eq):
                return bool(value == other)
            if isinstance(op, ast.NotEq):
                return bool(value != other)
            if isinstance(op, ast.In) and isinstance(other, (tuple, str)):
                return value in other
            if isinstance(op, ast.NotIn) and isinstance(other, (tuple, str)):
                return value not in other
        except TypeError:
            return None
    return None


def reached(body: list[ast.stmt], known: dict[str, object]) -> list[tuple[ast.stmt, bool]]:
    """The statements of ``body`` (a function's) that run for a call whose parameters hold ``known``,
    each with whether every run reaches it; nested definitions are reached but not entered."""
    found: list[tuple[ast.stmt, bool]] = []
    _block(body, known, True, found)
    return found


def _block(body: list[ast.stmt], known: dict[str, object], must: bool, found: list[tuple[ast.stmt, bool]]) -> bool:
    """Add the reached statements of ``body``; whether running it may fall out of its end."""
    for stmt in body:
        found.append((stmt, must))
        if isinstance(stmt, (ast.Return, ast.Raise, ast.Continue, ast.Break)):
            return False
        if isinstance(stmt, ast.If):
            verdict = decide(stmt.test, known)
            if verdict is True:
                falls = _block(stmt.body, known, must, found)
            elif verdict is False:
                falls = _block(stmt.orelse, known, must, found) if stmt.orelse else True
            else:
                body_falls = _block(stmt.body, known, False, found)
                else_falls = _block(stmt.orelse, known, False, found) if stmt.orelse else True
                falls = body_falls or else_falls
                if not (body_falls and else_falls):
                    must = False  # one branch leaves: what follows runs on some runs only
            if not falls:
                return False
        elif isinstance(stmt, (ast.With, ast.AsyncWith)):
            if not _block(stmt.body, known, must, found):
                return False
        elif isinstance(stmt, ast.Try) or type(stmt).__name__ == "TryStar":
            _block(stmt.body, known, must, found)
            for handler in stmt.handlers:  # type: ignore[attr-defined]
                _block(handler.body, known, False, found)
            _block(stmt.orelse, known, False, found)  # type: ignore[attr-defined]
            _block(stmt.finalbody, known, must, found)  # type: ignore[attr-defined]
            must = must and not _leaves_inside(stmt)
        elif isinstance(stmt, (ast.For, ast.AsyncFor, ast.While)):
            _block(stmt.body, known, False, found)
            _block(stmt.orelse, known, False, found)
            must = must and not _leaves_inside(stmt)
        elif isinstance(stmt, ast.Match):
            for case in stmt.cases:
                _block(case.body, known, False, found)
            must = must and not _leaves_inside(stmt)
    return True


def _leaves_inside(stmt: ast.stmt) -> bool:
    """A ``return`` or ``raise`` somewhere in ``stmt`` (not in a nested definition): the statements
    after it may not run."""
    return any(isinstance(node, (ast.Return, ast.Raise)) for node in _statements_within(stmt))


def _statements_within(stmt: ast.stmt) -> Iterator[ast.AST]:
    """``stmt`` and the statements of its blocks (handlers and cases too), not entering definitions."""
    pending: list[ast.AST] = [stmt]
    while pending:
        node = pending.pop()
        yield node
        for field in ("body", "orelse", "finalbody", "handlers", "cases"):
            pending.extend(child for child in getattr(node, field, ()) if not isinstance(child, _NESTED))


def own_nodes(stmt: ast.stmt) -> Iterator[ast.AST]:
    """The nodes of ``stmt`` itself: its expressions, not the statements of its blocks nor the
    bodies of nested definitions."""
    if isinstance(stmt, (ast.If, ast.While)):
        parts: list[ast.AST] = [stmt.test]
    elif isinstance(stmt, (ast.For, ast.AsyncFor)):
        parts = [stmt.target, stmt.iter]
    elif isinstance(stmt, (ast.With, ast.AsyncWith)):
        parts = list(stmt.items)
    elif isinstance(stmt, ast.Match):
        parts = [stmt.subject]
    elif isinstance(stmt, (ast.Try, *_NESTED)) or type(stmt).__name__ == "TryStar":
        parts = []
    else:
        parts = [stmt]
    pending = list(parts)
    while pending:
        node = pending.pop()
        yield node
        if not isinstance(node, _NESTED):
            pending.extend(ast.iter_child_nodes(node))


def site_values(definition: ast.AST, call: ast.Call, bound: bool) -> dict[str, object]:
    """The literal each parameter of ``definition`` holds for ``call``: what the call passes as a
    literal, else a literal default the call leaves alone (none when it passes ``*args``/``**kw``)."""
    positional, keyword_only, defaults = signature(definition)
    return known_at(positional[1:] if bound else positional, keyword_only, defaults, call)


def signature(definition: ast.AST) -> tuple[list[str], list[str], dict[str, object]]:
    """A function's positional parameters, its keyword-only ones, and its literal defaults."""
    args = definition.args  # type: ignore[attr-defined]
    positional = [a.arg for a in (*args.posonlyargs, *args.args)]
    defaults: dict[str, object] = {}
    for name, default in zip(positional[len(positional) - len(args.defaults):], args.defaults):
        defaults[name] = literal_value(default)
    for a, default in zip(args.kwonlyargs, args.kw_defaults):
        if default is not None:
            defaults[a.arg] = literal_value(default)
    return positional, [a.arg for a in args.kwonlyargs], {k: v for k, v in defaults.items() if v is not _UNKNOWN}


def known_at(positional: list[str], keyword_only: list[str], defaults: dict[str, object], call: ast.Call) -> dict[str, object]:
    """``site_values`` from a signature (``positional`` without a parameter the call binds itself),
    as a summary of another module keeps it."""
    known: dict[str, object] = {}
    passed: set[str] = set()
    for name, node in zip(positional, call.args):
        if isinstance(node, ast.Starred):
            break
        passed.add(name)
        value = literal_value(node)
        if value is not _UNKNOWN:
            known[name] = value
    for keyword in call.keywords:
        if keyword.arg is not None and (keyword.arg in positional or keyword.arg in keyword_only):
            passed.add(keyword.arg)
            value = literal_value(keyword.value)
            if value is not _UNKNOWN:
                known[keyword.arg] = value
    spread = any(isinstance(a, ast.Starred) for a in call.args) or any(k.arg is None for k in call.keywords)
    if not spread:
        for name, value in defaults.items():
            if name not in passed:
                known[name] = value
    return known


def scenarios(definition: ast.AST) -> list[dict[str, object]]:
    """The single-parameter assumptions worth summarising a function under, for calls the summary
    cannot see: each literal a parameter is tested against in the body, each literal default, and
    both truth values of a parameter tested alone (``if reveal``). The empty assumption first."""
    args = definition.args  # type: ignore[attr-defined]
    names = {a.arg for a in (*args.posonlyargs, *args.args, *args.kwonlyargs)}
    found: list[dict[str, object]] = [{}]
    seen: set[tuple[str, str]] = set()

    def add(name: str, value: object) -> None:
        key = (name, repr(value))
        if key not in seen and isinstance(value, (str, int, float, bool, type(None))):
            seen.add(key)
            found.append({name: value})

    for name, default in signature(definition)[2].items():
        add(name, default)
    for node in ast.walk(definition):
        test = getattr(node, "test", None)
        for part in ast.walk(test) if isinstance(test, ast.expr) else ():
            if isinstance(part, ast.Name) and part.id in names:
                add(part.id, True)
                add(part.id, False)
            elif isinstance(part, ast.Compare) and len(part.ops) == 1:
                left, right = part.left, part.comparators[0]
                for one, other in ((left, right), (right, left)):
                    if isinstance(one, ast.Name) and one.id in names:
                        value = literal_value(other)
                        for item in value if isinstance(value, tuple) else (value,):
                            add(one.id, item)
    return found[:17]  # a bound on the work per function: sixteen assumptions and none


def scenario_key(known: dict[str, object]) -> str:
    """How a summary writes an assumption: ``""`` for none, ``"name=<repr>"`` for one parameter."""
    if not known:
        return ""
    (name, value), = known.items()
    return f"{name}={value!r}"


def holds_for(keys: list[str], known: dict[str, object]) -> bool:
    """A fact summarised under ``keys`` (see ``scenario_key``) holds for a call passing ``known``."""
    return "" in keys or any(scenario_key({name: value}) in keys for name, value in known.items())
