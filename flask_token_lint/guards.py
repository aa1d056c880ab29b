"""Does a Bearer-scheme check dominate a node?

A check is ``header.startswith(...)``, a comparison of the scheme part
(``parts[0].lower() == "bearer"``, ``scheme != "Bearer"``, ``auth[:7] ==
...``), a regex match of the header, a name bound to one of these, or a call to one of the
module's own functions that checks the scheme of the parameter it is given (it returns the
check, or aborts unless it passes). A check dominates a node when the node sits in the branch
the check allows (``if`` body, ``else`` of a negated test, ``and`` operands after it, the true
arm of a conditional expression), or when an earlier statement of an enclosing block leaves the
function when the check fails (``if not ok: abort(401)``, ``assert ok``, ``require_bearer(auth)``).
"""

from __future__ import annotations

import ast

from flask_token_lint.kinds import Kind, Value
from flask_token_lint.scopes import Binding, Scope
from flask_token_lint.syntax import dotted, is_falsy_literal
from flask_token_lint.values import ValueAnalysis

_REGEX_FUNCTIONS = frozenset({"re.match", "re.fullmatch", "re.search"})
_REGEX_METHODS = frozenset({"match", "fullmatch", "search"})
_EXIT_FUNCTIONS = frozenset({"sys.exit", "os._exit"})
_POSITIVE_OPS = (ast.Eq, ast.In, ast.Is)
_NEGATIVE_OPS = (ast.NotEq, ast.NotIn, ast.IsNot)
_STATEMENT_LISTS = ("body", "orelse", "finalbody")
_CHECKED = (Kind.AUTH_HEADER, Kind.PARTS, Kind.SCHEME, Kind.TOKEN, Kind.AUTHORIZATION)
# What a helper may be handed whose Bearer scheme it checks: the header, or what it is read from.
_HANDED_KINDS = (Kind.AUTH_HEADER, Kind.REQUEST, Kind.HEADERS)
_EXITS = "exits"  # the function leaves unless the parameter's scheme is checked
_RETURNS = "returns"  # the function returns whether it is


class GuardAnalysis:
    def __init__(self, values: ValueAnalysis, summaries: bool = True) -> None:
        self.values = values
        self.summaries = summaries
        self._blocks: dict[tuple[int, int], tuple[dict[int, int], float]] = {}
        self._param_checks: dict[tuple[int, str, Kind], str | None] = {}

    def _kind(self, node: ast.expr, scope: Scope) -> Kind | None:
        value = self.values.value_of(node, scope)
        return None if value is None else value.kind

    def polarity(self, test: ast.expr, scope: Scope, depth: int = 0) -> int:
        """+1 when ``test`` being true means the scheme was checked, -1 when false does."""
        if depth > 20:
            return 0
        if isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not):
            return -self.polarity(test.operand, scope, depth + 1)
        if isinstance(test, ast.Name):
            reaching = self.values.reaching(test, scope)
            if len(reaching) == 1 and len(reaching[0][0]) == 1:
                head = reaching[0][0][0]
                if isinstance(head, Binding) and head.index is None and not head.iterates and head.value is not None:
                    return self.polarity(head.value, reaching[0][1], depth + 1)
            return 0
        if isinstance(test, (ast.NamedExpr, ast.Await)):
            return self.polarity(test.value, scope, depth + 1)
        if isinstance(test, ast.Compare) and len(test.ops) == 1 and _is_none(test.comparators[0]) \
                and isinstance(test.ops[0], (ast.Is, ast.IsNot)):
            # ``match is None`` is ``not match``; ``match is not None`` is ``match``.
            inner = self.polarity(test.left, scope, depth + 1)
            return -inner if isinstance(test.ops[0], ast.Is) else inner
        if isinstance(test, ast.Call) and scope.module.is_builtin(test.func, "bool") and len(test.args) == 1:
            return self.polarity(test.args[0], scope, depth + 1)
        return self.leaf_polarity(test, scope)

    def leaf_polarity(self, test: ast.expr, scope: Scope) -> int:
        """The polarity of a test that is not a negation, a name, ``is None`` or ``bool()`` of one:
        here a Bearer-scheme check (a subclass asks another question of the same walk)."""
        if isinstance(test, ast.Compare) and len(test.ops) == 1:
            operands = (test.left, test.comparators[0])
            if not any(self._kind(o, scope) is Kind.SCHEME for o in operands):
                containment = isinstance(test.ops[0], (ast.In, ast.NotIn))
                if not (containment and self._kind(operands[1], scope) is Kind.AUTH_HEADER):
                    return 0
            if isinstance(test.ops[0], _POSITIVE_OPS):
                return 1
            return -1 if isinstance(test.ops[0], _NEGATIVE_OPS) else 0
        if isinstance(test, ast.Call):
            func = test.func
            if isinstance(func, ast.Attribute) and func.attr == "startswith":
                return 1 if self._kind(func.value, scope) in (Kind.AUTH_HEADER, Kind.SCHEME) else 0
            if self.values.qualname(func, scope) in _REGEX_FUNCTIONS:
                subject = test.args[1] if len(test.args) > 1 else None
            elif isinstance(func, ast.Attribute) and func.attr in _REGEX_METHODS:
                subject = test.args[0] if test.args else None
            else:
                return 1 if self._checked_by_callee(test, scope) == _RETURNS else 0
            return 1 if subject is not None and self._kind(subject, scope) is Kind.AUTH_HEADER else 0
        return 0

    def asserts(self, test: ast.expr, scope: Scope) -> bool:
        """``test`` true implies the scheme was checked."""
        if isinstance(test, ast.BoolOp) and isinstance(test.op, ast.And):
            return any(self.asserts(v, scope) for v in test.values)
        if isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not) and isinstance(test.operand, ast.BoolOp):
            return self.negates(test.operand, scope)
        return self.polarity(test, scope) == 1

    def negates(self, test: ast.expr, scope: Scope) -> bool:
        """``test`` false implies the scheme was checked."""
        if isinstance(test, ast.BoolOp) and isinstance(test.op, ast.Or):
            return any(self.negates(v, scope) for v in test.values)
        if isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not) and isinstance(test.operand, ast.BoolOp):
            return self.asserts(test.operand, scope)
        return self.polarity(test, scope) == -1

    def is_guarded(self, node: ast.AST, scope: Scope, depth: int = 0) -> bool:
        """A check dominates ``node`` and nothing rebinds what ``node`` reads after that check; or
        ``node`` reads a parameter and every call of the function in the module passes a value a
        check dominates there (``if not has_bearer(request): abort(401)`` before ``parse(request)``)."""
        return self._dominated(node, scope) or self._guarded_by_callers(node, scope, depth)

    def _guarded_by_callers(self, node: ast.AST, scope: Scope, depth: int) -> bool:
        if not self.summaries or depth > 2 or not scope.is_function:
            return False
        parameters = self._parameters_read(node, scope)
        summaries = self.values.summaries
        return bool(parameters) and all(
            summaries.every_caller(scope, parameter, lambda argument, where: self.is_guarded(argument, where, depth + 1))
            for parameter in parameters
        )

    def _parameters_read(self, node: ast.AST, scope: Scope) -> set[str]:
        """The function's parameters ``node`` reads, directly or through the locals cut from them."""
        found: set[str] = set()
        pending: list[tuple[ast.AST, int]] = [(node, 0)]
        while pending:
            current, depth = pending.pop()
            for name in ast.walk(current):
                if not (isinstance(name, ast.Name) and isinstance(name.ctx, ast.Load)):
                    continue
                if name.id in scope.facts.parameters and name.id not in scope.facts.bindings:
                    found.add(name.id)
                elif depth < 3 and name.id in scope.facts.bindings:
                    for path, where in self.values.reaching(name, scope):
                        head = path[0]
                        if isinstance(head, Binding) and head.value is not None and where is scope:
                            pending.append((head.value, depth + 1))
        return found

    def _dominated(self, node: ast.AST, scope: Scope, subject: list[tuple[Binding, Scope]] | None = None) -> bool:
        parents = self.values.parents
        subject = self._subject(node, scope) if subject is None else subject
        child = node
        while child is not scope.node:
            parent = parents.get(child)
            if parent is None:
                return False
            test = getattr(parent, "test", None)
            branching = isinstance(parent, (ast.If, ast.While, ast.IfExp)) and child is not test
            if branching and self._covers(test, subject, scope):
                if _holds(child, parent, "body") and self.asserts(parent.test, scope):
                    return True
                if _holds(child, parent, "orelse") and self.negates(parent.test, scope):
                    return True
            elif isinstance(parent, ast.BoolOp) and isinstance(child, ast.expr):
                earlier = parent.values[: parent.values.index(child)]
                check = self.asserts if isinstance(parent.op, ast.And) else self.negates
                if any(check(value, scope) and self._covers(value, subject, scope) for value in earlier):
                    return True
            if isinstance(child, ast.stmt) and self._exited_before(child, parent, scope, subject):
                return True
            child = parent
        return False

    def _subject(self, node: ast.AST, scope: Scope) -> list[tuple[Binding, Scope]]:
        """The bindings that reach the header-derived names ``node`` reads."""
        found: list[tuple[Binding, Scope]] = []
        for name in ast.walk(node):
            if isinstance(name, ast.Name) and isinstance(name.ctx, ast.Load) and self._kind(name, scope) in _CHECKED:
                found.extend((path[0], where) for path, where in self.values.reaching(name, scope)
                             if isinstance(path[0], Binding))
        return found

    def _covers(self, check: ast.AST | None, subject: list[tuple[Binding, Scope]], scope: Scope) -> bool:
        """The values ``check`` tests are the ones the node reads, or the ones those were cut from
        (bound no later, on no other path): a check of the value a name held before it was
        rebound says nothing of the new one."""
        if not subject:
            return True
        seen: set[int] = set()
        pending: list[tuple[ast.AST, Scope, int]] = [] if check is None else [(check, scope, 0)]
        while pending:
            current, where, depth = pending.pop()
            for name in ast.walk(current):
                if isinstance(name, ast.NamedExpr):
                    seen.add(id(name))  # the check binds what it tests: ``(auth := ...).startswith(...)``
                elif isinstance(name, ast.Name) and isinstance(name.ctx, ast.Load):
                    for path, bound in self.values.reaching(name, where):
                        head = path[0]
                        if isinstance(head, Binding) and id(head.stmt) not in seen:
                            seen.add(id(head.stmt))
                            if head.value is not None and depth < 3:
                                pending.append((head.value, bound, depth + 1))
        return all(self._derived_from(binding, where, seen, 0) for binding, where in subject)

    def _derived_from(self, binding: Binding, scope: Scope, seen: set[int], depth: int) -> bool:
        """``binding`` is one the check tested, or was cut only from such ones."""
        if id(binding.stmt) in seen:
            return True
        if binding.value is None or depth > 3:
            return False
        sources = self._subject(binding.value, scope)
        return bool(sources) and all(self._derived_from(b, s, seen, depth + 1) for b, s in sources)

    def _exited_before(self, stmt: ast.stmt, parent: ast.AST, scope: Scope,
                       subject: list[tuple[Binding, Scope]]) -> bool:
        """An earlier statement of ``stmt``'s block leaves when the check fails, after the last
        binding of what is checked."""
        for field in _STATEMENT_LISTS:
            block = getattr(parent, field, None)
            if isinstance(block, list):
                positions, exits = self._block_facts(block, scope)
                position = positions.get(id(stmt))
                if position is not None:
                    return any(index < position and self._covers(block[index], subject, scope) for index in exits)
        return False

    def _block_facts(self, block: list[ast.stmt], scope: Scope) -> tuple[dict[int, int], list[int]]:
        """Each statement's position in ``block`` and the positions of the early exits, computed once
        per block (asking per statement made long functions cost quadratic time)."""
        key = (id(block), id(scope))
        facts = self._blocks.get(key)
        if facts is None:
            positions = {id(statement): index for index, statement in enumerate(block)}
            exits = [index for index, statement in enumerate(block) if self._exits_unless_checked(statement, scope)]
            facts = self._blocks[key] = (positions, exits)
        return facts

    def _ensures(self, block: list[ast.stmt], scope: Scope) -> bool:
        """Falling out of ``block`` means the check passed."""
        return any(self._exits_unless_checked(statement, scope) for statement in block)

    def _exits_unless_checked(self, stmt: ast.stmt, scope: Scope) -> bool:
        if isinstance(stmt, ast.Assert):
            return self.asserts(stmt.test, scope)
        if isinstance(stmt, ast.If):
            if self.negates(stmt.test, scope) and terminates(stmt.body, scope, self.values):
                return True
            if stmt.orelse and self.asserts(stmt.test, scope) and terminates(stmt.orelse, scope, self.values):
                return True
            return bool(stmt.orelse) and self._ensures(stmt.body, scope) and self._ensures(stmt.orelse, scope)
        if isinstance(stmt, (ast.With, ast.AsyncWith)):
            return self._ensures(stmt.body, scope)
        if isinstance(stmt, ast.Try):
            # The check raises inside ``try`` and every handler leaves.
            handlers_leave = all(terminates(handler.body, scope, self.values) for handler in stmt.handlers)
            return self._ensures(stmt.body, scope) and handlers_leave
        if isinstance(stmt, (ast.Expr, ast.Assign)) and isinstance(stmt.value, (ast.Call, ast.Await)):
            call = stmt.value.value if isinstance(stmt.value, ast.Await) else stmt.value
            return isinstance(call, ast.Call) and self._checked_by_callee(call, scope) == _EXITS
        return False

    # -- the module's own checking functions ----------------------------------------------
    def _checked_by_callee(self, call: ast.Call, scope: Scope) -> str | None:
        """How the module's own callee of ``call`` checks the scheme of a header it is handed:
        ``"exits"`` unless it passes, ``"returns"`` whether it does, or None."""
        if not self.summaries:
            return None
        summaries = self.values.summaries
        for definition, inner, bound in summaries.callees(call, scope):
            args = definition.args
            positional = [a.arg for a in (*args.posonlyargs, *args.args)][1 if bound else 0:]
            handed = list(zip(positional, call.args)) + [(k.arg, k.value) for k in call.keywords if k.arg]
            for param, value in handed:
                kind = self._kind(value, scope)
                if kind in _HANDED_KINDS:
                    check = self._param_check(definition, inner, param, kind)
                    if check is not None:
                        return check
        # A checking function of another project module (its summary in the project index).
        imported = scope.module.imported
        name = dotted(call.func)
        if imported is not None and name is not None and name.partition(".")[0] in imported.names \
                and scope.defining(name.partition(".")[0]) is None:
            for value, check in imported.scheme_checks(name, call):
                if self._kind(value, scope) is Kind.AUTH_HEADER:
                    return check
        return None

    def parameter_check(self, definition: ast.AST, inner: Scope, param: str) -> str | None:
        """How the function ``definition`` checks the Bearer scheme of its parameter ``param``
        ("exits", "returns" or None): what the project index keeps in a module's summary."""
        return self._param_check(definition, inner, param)

    def _param_check(self, definition: ast.AST, inner: Scope, param: str, kind: Kind = Kind.AUTH_HEADER) -> str | None:
        key = (id(definition), param, kind)
        if key in self._param_checks:
            return self._param_checks[key]
        self._param_checks[key] = None
        values = self.values
        assumed = ValueAnalysis(values.root, values.parents, values.scopes, values.settings,
                                {(id(inner), param): Value(kind, param)})
        guards = GuardAnalysis(assumed, summaries=False)
        body = getattr(definition, "body", [])
        result = None
        if any(guards._exits_unless_checked(statement, inner) for statement in body):
            result = _EXITS
        else:
            # Every return is the check itself, a falsy literal, or a true literal the check
            # dominates (``if header.startswith("Bearer "): return True`` then ``return False``).
            returns = [r for r in inner.facts.returns if r.value is not None]
            checked = [r for r in returns if not is_falsy_literal(r.value)]
            if checked and all(
                guards.polarity(r.value, inner) == 1
                or (isinstance(r.value, ast.Constant) and r.value.value is True and guards._dominated(r, inner))
                for r in checked
            ):
                result = _RETURNS
        assumed.release()  # a throwaway analysis: its cycles must not keep the file alive
        self._param_checks[key] = result
        return result


class ValueGuards(GuardAnalysis):
    """The same walk asked about a check of any local value (a subclass says what a check is): the
    subject is what the local names a node reads are bound to, and a node that reads no local name
    is checked by nothing."""

    def __init__(self, values: ValueAnalysis) -> None:
        super().__init__(values, summaries=False)

    def _subject(self, node: ast.AST, scope: Scope) -> list[tuple[Binding, Scope]]:
        found: list[tuple[Binding, Scope]] = []
        for name in ast.walk(node):
            if isinstance(name, ast.Name) and isinstance(name.ctx, ast.Load) and scope.defining(name.id) is not None:
                found.extend((path[0], where) for path, where in self.values.reaching(name, scope)
                             if isinstance(path[0], Binding))
        return found

    def dominates(self, node: ast.AST, scope: Scope) -> bool:
        """A check of what ``node`` reads dominates it."""
        subject = self._subject(node, scope)
        return bool(subject) and self._dominated(node, scope, subject)


def _holds(child: ast.AST, parent: ast.AST, field: str) -> bool:
    """``child`` is, or is in, ``parent``'s ``field`` (a statement list or one expression)."""
    value = getattr(parent, field, None)
    return child is value or (isinstance(value, list) and any(child is item for item in value))


def _is_none(node: ast.expr) -> bool:
    return isinstance(node, ast.Constant) and node.value is None


def terminates(body: list[ast.stmt], scope: Scope, values: ValueAnalysis) -> bool:
    """The block never falls through: it returns, raises, aborts or exits."""
    if not body:
        return False
    last = body[-1]
    if isinstance(last, (ast.Return, ast.Raise, ast.Continue, ast.Break)):
        return True
    if isinstance(last, ast.If):
        return terminates(last.body, scope, values) and terminates(last.orelse, scope, values)
    if isinstance(last, (ast.With, ast.AsyncWith)):
        return terminates(last.body, scope, values)
    if isinstance(last, ast.Expr) and isinstance(last.value, ast.Call):
        func = last.value.func
        name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)
        if name == "abort" or values.qualname(func, scope) in _EXIT_FUNCTIONS:
            return True
        return any(scope.module.is_builtin(func, b) for b in ("exit", "quit"))
    return False
