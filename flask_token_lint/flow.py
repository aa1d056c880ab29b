"""What reaches a use of a name inside one function, in program order.

A structured pass over the function's statements carries, for each name bound more than once
(or changed in place, or a rebound parameter), the paths of events that may have happened to
it: a new value, then any in-place changes (``d["k"] = v``, ``d.update(...)``). ``if``/``else``,
``try`` and ``match`` branches merge; a loop body is followed until nothing new reaches its
head; ``return``/``raise``/``break``/``continue`` end a path. The pass runs once per function,
only when a rule asks about one of its names, and costs one step per statement and event.
Names bound once and never changed need no pass: their one binding is the answer.
"""

from __future__ import annotations

import ast
from typing import Optional, Union

from flask_token_lint.scopes import Binding, Scope

OUTER = "outer"  # not bound in this function on this path: an enclosing, module or builtin name
PARAM = "param"  # the parameter's value, unknown here
UNKNOWN = "unknown"  # too many paths to follow
Event = Union[Binding, str]
Path = tuple[Event, ...]
State = dict[str, tuple[Path, ...]]

MAX_PATHS = 8
MAX_CHANGES = 32
_COMPREHENSIONS = (ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)


def _position(node: ast.AST) -> tuple[int, int]:
    return getattr(node, "lineno", 0), getattr(node, "col_offset", 0)


def _merge(*states: Optional[State]) -> Optional[State]:
    live = [s for s in states if s is not None]
    if not live:
        return None
    if len(live) == 1:
        return live[0]
    merged: State = {}
    for name in live[0]:
        paths: list[Path] = []
        for state in live:
            for path in state[name]:
                if path not in paths:
                    paths.append(path)
        merged[name] = ((UNKNOWN,),) if len(paths) > MAX_PATHS else tuple(paths)
    return merged


def _apply(state: State, name: str, event: Binding) -> State:
    new = dict(state)
    if event.change is None:
        new[name] = ((event,),)
    else:
        new[name] = tuple(
            p if p[0] is UNKNOWN else ((UNKNOWN,) if len(p) > MAX_CHANGES else p + (event,)) for p in state[name]
        )
    return new


class Flow:
    """Reaching events of the names of one function scope."""

    def __init__(self, scope: Scope, parents: dict[ast.AST, ast.AST]) -> None:
        self.scope = scope
        self.parents = parents
        facts = scope.facts
        self.tracked = {
            name
            for name in {*facts.bindings, *facts.changes}
            if len(facts.bindings.get(name, ())) + len(facts.changes.get(name, ())) > 1 or name in facts.parameters
        }
        self._before: dict[int, Optional[State]] | None = None
        self._events: dict[int, list[tuple[str, Binding]]] = {}
        self._loops: list[tuple[list[State], list[State]]] = []

    # -- the question --------------------------------------------------------
    def reaching(self, load: ast.Name) -> tuple[Path, ...] | None:
        """The paths that may reach ``load``; None when the name needs no flow (bound at most once
        here) or the load is in code no path reaches."""
        name = load.id
        if name not in self.tracked:
            return None
        statement, comprehension = self._statement_of(load)
        if comprehension is not None:
            return comprehension
        if self._before is None:
            self._run()
        assert self._before is not None
        state = self._before.get(id(statement)) if statement is not None else None
        if state is None:
            return None
        # A walrus earlier in the same statement (``if (m := ...) and m.group(1)``) has happened.
        for event_name, event in self._events.get(id(statement), ()):
            if event_name == name and isinstance(event.stmt, ast.NamedExpr):
                if _position(event.stmt.value) < _position(load) and event.stmt is not self.parents.get(load):
                    state = _apply(state, name, event)
        return state[name]

    def _statement_of(self, node: ast.AST) -> tuple[ast.stmt | None, tuple[Path, ...] | None]:
        """The statement of this function holding ``node``, or the comprehension binding it."""
        name = node.id if isinstance(node, ast.Name) else None
        current: ast.AST | None = node
        while current is not None and not isinstance(current, ast.stmt):
            if name is not None and isinstance(current, _COMPREHENSIONS):
                for generator in current.generators:
                    for target in ast.walk(generator.target):
                        if isinstance(target, ast.Name) and target.id == name:
                            bindings = [b for b in self.scope.facts.bindings.get(name, ()) if b.stmt is generator]
                            if bindings:
                                return None, ((bindings[0],),)
            current = self.parents.get(current)
        return current, None

    # -- the pass ------------------------------------------------------------------
    def _run(self) -> None:
        self._before = {}
        facts = self.scope.facts
        for name in self.tracked:
            for event in (*facts.bindings.get(name, ()), *facts.changes.get(name, ())):
                statement, comprehension = self._statement_of(event.stmt)
                if statement is not None and comprehension is None:
                    self._events.setdefault(id(statement), []).append((name, event))
        for events in self._events.values():
            events.sort(key=lambda pair: _position(pair[1].stmt))
        state: State = {name: ((PARAM,),) if name in facts.parameters else ((OUTER,),) for name in self.tracked}
        body = getattr(self.scope.node, "body", [])
        self._block(body, state)

    def _block(self, body: list[ast.stmt], state: Optional[State]) -> Optional[State]:
        for statement in body:
            self._before[id(statement)] = state  # type: ignore[index]
            if state is not None:
                state = self._statement(statement, state)
        return state

    def _header(self, statement: ast.stmt, state: State, *, loop_targets: bool = False) -> State:
        """Events of a compound statement's own header (or all events of a simple statement); with
        ``loop_targets`` only the loop variables' bindings, else everything but them."""
        is_loop = isinstance(statement, (ast.For, ast.AsyncFor))
        for name, event in self._events.get(id(statement), ()):
            if (is_loop and event.stmt is statement) == loop_targets:
                state = _apply(state, name, event)
        return state

    def _statement(self, node: ast.stmt, state: State) -> Optional[State]:
        if isinstance(node, ast.If):
            state = self._header(node, state)
            return _merge(self._block(node.body, state), self._block(node.orelse, state))
        if isinstance(node, (ast.For, ast.AsyncFor, ast.While)):
            return self._loop(node, self._header(node, state))
        if isinstance(node, (ast.With, ast.AsyncWith)):
            return self._block(node.body, self._header(node, state))
        if isinstance(node, ast.Try) or type(node).__name__ == "TryStar":
            return self._try(node, state)  # type: ignore[arg-type]
        if type(node).__name__ == "Match":
            state = self._header(node, state)
            outs = [self._block(case.body, state) for case in node.cases]  # type: ignore[attr-defined]
            return _merge(state, *outs)
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            return self._header(node, state)
        state = self._header(node, state)
        if isinstance(node, (ast.Return, ast.Raise)):
            return None
        if isinstance(node, (ast.Break, ast.Continue)) and self._loops:
            self._loops[-1][0 if isinstance(node, ast.Break) else 1].append(state)
            return None
        return state

    def _loop(self, node: ast.For | ast.AsyncFor | ast.While, entry: State) -> Optional[State]:
        head = entry
        breaks: list[State] = []
        for _ in range(4):
            self._loops.append(([], []))
            body_in = head if isinstance(node, ast.While) else self._header(node, head, loop_targets=True)
            out = self._block(node.body, body_in)
            breaks, continues = self._loops.pop()
            new_head = _merge(entry, out, *continues)
            assert new_head is not None
            if new_head == head:
                break
            head = new_head
        self._before[id(node)] = head  # type: ignore[index]  # a while test is read at the head
        return _merge(self._block(node.orelse, head), *breaks)

    def _try(self, node: ast.Try, state: State) -> Optional[State]:
        body_out = self._block(node.body, state)
        inside = [self._before.get(id(s)) for s in node.body]  # type: ignore[union-attr]
        handler_in = _merge(state, body_out, *inside)
        assert handler_in is not None
        outs = [self._block(handler.body, handler_in) for handler in node.handlers]
        out = _merge(self._block(node.orelse, body_out), *outs)
        if node.finalbody:
            return self._block(node.finalbody, out if out is not None else handler_in)
        return out
