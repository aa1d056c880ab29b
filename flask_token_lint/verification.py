"""What a call proves about the values it is handed, and where that proof holds.

Two facts, each read the same way from a library call, one of the module's own functions or
methods (``summaries.py``, pruned per call by ``paths.py``) and a function or method of another
project module (its summary in the project index):

- *verified*: a true result proves an argument equal to a secret (``hmac.compare_digest``,
  ``check_password_hash``, ``bcrypt.checkpw``, ``user.check_password(...)``, a helper that returns
  one of these). A comparison of a value verified on every path before it reveals nothing by its
  timing: whoever got there already knew the secret (FTL203). ``VerifiedGuards`` is the dominance
  walk of ``guards.py`` asked about this fact instead of a Bearer-scheme check.
- *bounded*: the argument is verified as a token with an age bound (itsdangerous ``loads``/
  ``unsign`` with ``max_age``): an emailed link's token, which a URL is meant to carry (FTL202).
  On the side that builds the link, ``time_limited``: the token is stored with a TTL (or verified
  with an age bound) where it is made, or handed in by callers that do so.
"""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING, Callable

from flask_token_lint.guards import ValueGuards
from flask_token_lint.kinds import HTTP_CLIENT_MODULES
from flask_token_lint.paths import own_nodes, reached, site_values
from flask_token_lint.scopes import Binding, Scope
from flask_token_lint.summaries import bind_arguments
from flask_token_lint.syntax import dotted, is_falsy_literal

if TYPE_CHECKING:
    from flask_token_lint.values import ValueAnalysis

# A true result proves the arguments equal (a constant-time comparison, a password hash check).
VERIFYING_FUNCTIONS = frozenset({
    "hmac.compare_digest", "secrets.compare_digest", "werkzeug.security.check_password_hash",
    "werkzeug.check_password_hash", "flask_bcrypt.check_password_hash", "bcrypt.checkpw",
})
VERIFYING_METHODS = frozenset({"check_password_hash", "check_password", "checkpw", "compare_digest"})
# Token verifications that take an age bound.
_AGE_BOUNDED_METHODS = frozenset({"loads", "unsign", "loads_unsafe", "validate"})
_AGE_BOUND = "max_age"


def _is_verifying_call(call: ast.Call, values: ValueAnalysis, scope: Scope) -> bool:
    """A library verification by its qualified name, or a method named for one (``user.check_password``)
    whose definition the module cannot see (a definition it can see is judged by its body)."""
    func = call.func
    qualname = values.qualname(func, scope) or ""
    if qualname in VERIFYING_FUNCTIONS or (qualname.startswith("passlib.") and qualname.endswith(".verify")):
        return True
    return isinstance(func, ast.Attribute) and func.attr in VERIFYING_METHODS \
        and not values.summaries.callees(call, scope)


def _parameters(definition: ast.AST) -> list[str]:
    args = definition.args  # type: ignore[attr-defined]
    return [a.arg for a in (*args.posonlyargs, *args.args, *args.kwonlyargs)]


def verified_parameters(definition: ast.AST, inner: Scope, values: ValueAnalysis) -> list[str]:
    """The parameters a true result of the function proves equal to a secret: every value it
    returns is a falsy literal or a verifying call (``and``-ed with other tests) taking them whole."""
    returned = [r.value for r in inner.facts.returns if r.value is not None]
    names = set(_parameters(definition)) - set(inner.facts.bindings)
    proved: set[str] | None = None
    for value in returned:
        if is_falsy_literal(value):
            continue
        found: set[str] = set()
        parts = value.values if isinstance(value, ast.BoolOp) and isinstance(value.op, ast.And) else [value]
        for part in parts:
            if isinstance(part, ast.Call) and _is_verifying_call(part, values, inner):
                found.update(a.id for a in part.args if isinstance(a, ast.Name) and a.id in names)
        if not found:
            return []
        proved = found if proved is None else proved & found
    return sorted(proved or ())


def bounded_parameters(definition: ast.AST, known: dict[str, object]) -> list[str]:
    """The parameters the function verifies as a token with an age bound, on every run for a call
    passing ``known``: ``serializer.loads(token, max_age=...)``, or ``**options`` that every run
    gives a ``max_age`` first."""
    names = set(_parameters(definition))
    statements = reached(getattr(definition, "body", []), known)
    bounded_options: set[str] = set()
    calls: list[ast.Call] = []
    for stmt, must in statements:
        if not must:
            continue
        bounded_options.update(_gives_an_age_bound(stmt))
        calls.extend(node for node in own_nodes(stmt) if isinstance(node, ast.Call))
    found = []
    for call in calls:
        func = call.func
        if not (isinstance(func, ast.Attribute) and func.attr in _AGE_BOUNDED_METHODS and call.args):
            continue
        token = call.args[0]
        if not (isinstance(token, ast.Name) and token.id in names):
            continue
        if any(k.arg == _AGE_BOUND or (k.arg is None and isinstance(k.value, ast.Name) and k.value.id in bounded_options)
               for k in call.keywords):
            found.append(token.id)
    return sorted(set(found))


def _gives_an_age_bound(stmt: ast.stmt) -> list[str]:
    """Names this statement gives a ``max_age`` item: ``options["max_age"] = ...``, ``options =
    {"max_age": ...}`` or ``dict(max_age=...)``, ``options.update(max_age=...)``."""
    found = []
    if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1:
        target, value = stmt.targets[0], stmt.value
        if isinstance(target, ast.Subscript) and isinstance(target.value, ast.Name):
            if isinstance(target.slice, ast.Constant) and target.slice.value == _AGE_BOUND:
                found.append(target.value.id)
        elif isinstance(target, ast.Name):
            if isinstance(value, ast.Dict) and any(isinstance(k, ast.Constant) and k.value == _AGE_BOUND for k in value.keys):
                found.append(target.id)
            elif isinstance(value, ast.Call) and isinstance(value.func, ast.Name) and value.func.id == "dict" \
                    and any(k.arg == _AGE_BOUND for k in value.keywords):
                found.append(target.id)
    elif isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Call):
        func = stmt.value.func
        if isinstance(func, ast.Attribute) and func.attr == "update" and isinstance(func.value, ast.Name) \
                and any(k.arg == _AGE_BOUND for k in stmt.value.keywords):
            found.append(func.value.id)
    return found


# A call that stores a value with a lifetime: a key-value or cache store's write given a TTL.
_STORE_METHODS = frozenset({"set", "add", "store", "save", "setdefault", "hset", "set_value", "cache"})
_TTL_KEYWORDS = frozenset({"ttl", "ex", "px", "timeout", "expire", "expires", "expiry", "expiration", "expires_in",
                           "max_age"})
_TTL_METHODS = frozenset({"setex", "psetex"})


def _stores_with_a_lifetime(call: ast.Call, values: ValueAnalysis, scope: Scope) -> bool:
    """A key-value or cache store's write given a lifetime; never an HTTP client's call (whose
    ``timeout=`` is no lifetime of what it sends)."""
    func = call.func
    if not isinstance(func, ast.Attribute):
        return False
    if (values.qualname(func, scope) or "").startswith((*HTTP_CLIENT_MODULES, "aiohttp.")):
        return False
    if func.attr in _TTL_METHODS:
        return True
    return func.attr in _STORE_METHODS and any(
        k.arg in _TTL_KEYWORDS and not (isinstance(k.value, ast.Constant) and k.value.value in (None, 0, False))
        for k in call.keywords
    )


class Verification:
    """The two facts for the calls of one file (kept per call)."""

    def __init__(self, values: ValueAnalysis) -> None:
        self.values = values
        self._verified: dict[int, list[ast.expr]] = {}
        self._bounded: dict[int, list[ast.expr]] = {}
        self._proving: dict[int, list[str]] = {}

    def verified(self, call: ast.Call, scope: Scope) -> list[ast.expr]:
        """The arguments a true result of ``call`` proves equal to a secret."""
        key = id(call)
        if key not in self._verified:
            if _is_verifying_call(call, self.values, scope):
                self._verified[key] = [a for a in call.args if not isinstance(a, ast.Starred)]
            else:
                self._verified[key] = self._through_helpers(call, scope, self._proved_by, "verified")
        return self._verified[key]

    def bounded(self, call: ast.Call, scope: Scope) -> list[ast.expr]:
        """The arguments ``call`` verifies as a token with an age bound."""
        key = id(call)
        if key not in self._bounded:
            func = call.func
            found: list[ast.expr] = []
            if isinstance(func, ast.Attribute) and func.attr in _AGE_BOUNDED_METHODS and call.args:
                if any(k.arg == _AGE_BOUND or (k.arg is None and any(
                        _AGE_BOUND in m for m in self.values.mappings_of(k.value, scope))) for k in call.keywords):
                    found = [call.args[0]]
            self._bounded[key] = found or self._through_helpers(
                call, scope, lambda definition, _, bound: bounded_parameters(definition, site_values(definition, call, bound)),
                "bounded")
        return self._bounded[key]

    def _proved_by(self, definition: ast.AST, inner: Scope, bound: bool) -> list[str]:
        key = id(definition)
        if key not in self._proving:
            self._proving[key] = verified_parameters(definition, inner, self.values)
        return self._proving[key]

    def _through_helpers(self, call: ast.Call, scope: Scope,
                         parameters_of: Callable[[ast.AST, Scope, bool], list[str]], fact: str) -> list[ast.expr]:
        """What ``call`` passes for the parameters ``parameters_of`` names in the module's own callee,
        else what the project index says of the function or method another module defines."""
        found: list[ast.expr] = []
        for definition, inner, bound in self.values.summaries.callees(call, scope):
            params, _, _ = bind_arguments(definition, call, bound)
            found.extend(params[name] for name in parameters_of(definition, inner, bound) if name in params)
        if found:
            return found
        imported = self._imported(call, scope)
        if imported is not None:
            return getattr(scope.module.imported, fact)(*imported, call)
        return []

    def verified_with_age_bound(self, read: ast.expr, scope: Scope) -> bool:
        """``read`` (a value read from the request), or a use of the name it is bound to, is handed to
        a verification with an age bound."""
        parents = self.values.parents
        uses: list[ast.expr] = [read]
        binding = parents.get(read)
        targets = getattr(binding, "targets", None) or [getattr(binding, "target", None)]
        if isinstance(binding, (ast.Assign, ast.AnnAssign, ast.NamedExpr)) and len(targets) == 1 \
                and isinstance(targets[0], ast.Name):
            for use in scope.facts.loads.get(targets[0].id, ()):
                if any(getattr(path[0], "value", None) is read for path, _ in self.values.reaching(use, scope)):
                    uses.append(use)
        for use in uses:
            holder = parents.get(use)
            call = parents.get(holder) if isinstance(holder, ast.keyword) else holder
            if isinstance(call, ast.Call) and any(found is use for found in self.bounded(call, scope)):
                return True
        return False

    def time_limited(self, node: ast.expr, scope: Scope, depth: int = 0) -> bool:
        """The token ``node`` names lives a bounded time: in this function it is stored with a TTL
        (``store.add(key, token, ttl=7200)``, ``redis.setex(...)``) or verified with an age bound; or
        it is a parameter every call of the function in the module hands such a token (a link
        builder whose callers store what they put in the link)."""
        if not isinstance(node, ast.Name):
            return False
        parents = self.values.parents
        for use in scope.facts.loads.get(node.id, ()):
            holder = parents.get(use)
            call = parents.get(holder) if isinstance(holder, ast.keyword) else holder
            if isinstance(call, ast.Call) and use is not call.func:
                if _stores_with_a_lifetime(call, self.values, scope) or any(found is use for found in self.bounded(call, scope)):
                    return True
        if depth >= 2 or not scope.is_function or node.id not in scope.facts.parameters \
                or node.id in scope.facts.bindings:
            return False
        return self.values.summaries.every_caller(
            scope, node.id, lambda argument, where: self.time_limited(argument, where, depth + 1)
        )

    def _imported(self, call: ast.Call, scope: Scope) -> tuple[str, bool] | None:
        """The name another project module defines the callee under (``verify``, ``auth.verify``,
        ``Project.verify_token``, ``Store.check`` for ``store.check(...)`` after ``store = Store()``)
        and whether the call binds its first parameter (a method called on an instance)."""
        imported = scope.module.imported
        if not imported:
            return None
        func = call.func
        name = dotted(func)
        if name is not None and name.partition(".")[0] in imported.names and scope.defining(name.partition(".")[0]) is None:
            return name, False
        if isinstance(func, ast.Attribute):
            created = self.values.constant_of(func.value, scope)
            if isinstance(created, ast.Call):
                owner = dotted(created.func)
                if owner is not None and owner.partition(".")[0] in imported.names:
                    return f"{owner}.{func.attr}", True
        return None


class VerifiedGuards(ValueGuards):
    """Does a true verification of a value dominate a node that reads it? The dominance walk of
    ``GuardAnalysis`` with its test asked about ``Verification`` instead of a scheme check."""

    def __init__(self, values: ValueAnalysis, verification: Verification) -> None:
        super().__init__(values)
        self.verification = verification

    def leaf_polarity(self, test: ast.expr, scope: Scope) -> int:
        return 1 if isinstance(test, ast.Call) and self.verification.verified(test, scope) else 0

    def _covers(self, check: ast.AST | None, subject: list[tuple[Binding, Scope]], scope: Scope) -> bool:
        """Only what a verifying call in ``check`` proves counts (not the user name beside the password)."""
        if check is None or not subject:
            return False
        proved: list[ast.expr] = []
        for node in ast.walk(check):
            if isinstance(node, ast.Call):
                proved.extend(self.verification.verified(node, scope))
            elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load) and scope.defining(node.id) is not None:
                # ``ok = check_password_hash(...)`` then ``if not ok``: what the bound call proves.
                for path, where in self.values.reaching(node, scope):
                    head = path[0]
                    if isinstance(head, Binding) and isinstance(head.value, ast.Call) and where is scope:
                        proved.extend(self.verification.verified(head.value, where))
        return bool(proved) and super()._covers(ast.Tuple(elts=proved, ctx=ast.Load()), subject, scope)

    def is_verified(self, node: ast.AST, scope: Scope) -> bool:
        """A true verification of what ``node`` reads dominates it."""
        return self.dominates(node, scope)
