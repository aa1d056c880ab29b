"""What a value is, followed through local names in program order.

``value_of`` answers "is this expression the Authorization header, a piece of it, the headers
mapping, a token cookie ...?"; ``token_label`` answers "does this expression hold a token?";
``leak_of`` answers "does writing this expression out reveal request credentials (or, with
``tokens=True``, a token)?", seeing through f-strings, ``%``, ``.format``, ``+``,
``str()``/``dict()`` and local names; ``constants_of`` gives every literal a name may hold at a
use; ``mappings_of`` reads a dict as it stands at a use, after the changes made to it.

A name's value at a use is what reaches that use (``flow.py``); ``await`` passes values through;
``x if c else y`` and ``a or b`` give both sides; local aliases of callables are resolved;
calls to the module's own functions and methods are followed into their summaries
(``summaries.py``). Everything is cached per file.
"""

from __future__ import annotations

import ast
import dataclasses
import re
from typing import Iterable, Iterator

from flask_token_lint import credentials
from flask_token_lint.flow import OUTER, PARAM, Flow, Path
from flask_token_lint.kinds import LEAKING_KINDS, Kind, Value
from flask_token_lint.scopes import Binding, Scope
from flask_token_lint.settings import Settings
from flask_token_lint.summaries import Summaries
from flask_token_lint.paths import own_nodes, reached, site_values
from flask_token_lint.syntax import int_index, is_falsy_literal, is_method_call

_STRING_KINDS = frozenset({Kind.AUTH_HEADER, Kind.SECRET_VALUE, Kind.SCHEME, Kind.TOKEN, Kind.SIGNATURE, Kind.INPUT,
                           Kind.HOST})
_REQUEST_ATTRIBUTES = {
    "form": Kind.BODY,
    "json": Kind.BODY,
    "headers": Kind.HEADERS,
    "environ": Kind.ENVIRON,
    "cookies": Kind.COOKIES,
    "args": Kind.QUERY,
    "values": Kind.QUERY,
    "authorization": Kind.AUTHORIZATION,
    # Built from the Host header the client sends (X-Forwarded-Host behind ProxyFix).
    "host": Kind.HOST, "host_url": Kind.HOST, "url_root": Kind.HOST, "root_url": Kind.HOST,
    "url": Kind.HOST, "base_url": Kind.HOST,
}
_HOST_HEADERS = frozenset({"host", "x-forwarded-host", "x-forwarded-server", "x-original-host", "x-host"})
_HOST_ENVIRON = frozenset({"HTTP_HOST", "HTTP_X_FORWARDED_HOST", "HTTP_X_FORWARDED_SERVER", "HTTP_X_ORIGINAL_HOST"})
_MAPPINGS = frozenset({Kind.HEADERS, Kind.ENVIRON, Kind.COOKIES, Kind.QUERY, Kind.BODY, Kind.SESSION, Kind.CONFIG})
# Calls whose result is a freshly made secret.
_SECRET_FACTORIES = frozenset({
    "secrets.token_hex", "secrets.token_urlsafe", "secrets.token_bytes", "secrets.randbits", "os.urandom",
})
_DIGEST_METHODS = frozenset({"digest", "hexdigest"})
_NOT_SIGNING = frozenset({"in", "up", "out", "on", "off", "ed", "er", "al"})
# First words of a function that makes a signature (``compute_signature``, ``make_hmac``); a
# ``signature`` read from elsewhere (``inspect.signature``, ``get_signature_of``) is none.
_MAKING_WORDS = frozenset({"compute", "generate", "make", "create", "calculate", "calc", "build", "hmac"})
_MAPPING_GETTERS = frozenset({"get", "getlist", "get_all", "pop"})
# String methods that keep what the value is (``auth.strip()`` is still the header).
_KEEPING_METHODS = frozenset({"strip", "lstrip", "rstrip", "lower", "upper", "casefold", "encode", "decode", "title"})
_SPLITTING_METHODS = frozenset({"split", "rsplit", "partition", "rpartition"})
# Methods that cut a token off the header by removing a prefix without checking it.
_CUTTING_METHODS = frozenset({"replace", "removeprefix"})
_WHOLE_MAPPING_METHODS = frozenset({"items", "values", "copy", "to_dict", "to_wsgi_list", "__str__", "__repr__"})
_STRINGIFYING_BUILTINS = frozenset({"str", "repr", "dict", "list", "tuple", "sorted", "set", "format", "ascii", "vars"})
_STRINGIFYING_FUNCTIONS = frozenset({"json.dumps", "pprint.pformat", "pprint.pprint", "flask.json.dumps"})
_MAX_DEPTH = 12
# timedelta's positional parameters, each unit in seconds, and the arithmetic a literal duration uses.
_TIMEDELTA_POSITIONS = ("days", "seconds", "microseconds", "milliseconds", "minutes", "hours", "weeks")
_TIMEDELTA_UNITS = {"weeks": 604800, "days": 86400, "hours": 3600, "minutes": 60, "seconds": 1,
                    "milliseconds": 1e-3, "microseconds": 1e-6}
_ARITHMETIC = {ast.Add: lambda a, b: a + b, ast.Sub: lambda a, b: a - b, ast.Mult: lambda a, b: a * b}
# Functions named for generating a password or a one-time code (``generate_password(size=24)``,
# ``random_otp()``); not ``make_password``, which hashes one.
_GENERATED_SECRET = re.compile(
    r"^_?(generate|gen|random|new|create)_?(random_)?(password|passwd|passcode|otp|pin|recovery_?code|reset_?code)$",
    re.IGNORECASE,
)
_SIGNING_METHODS = frozenset({"dumps", "sign"})

# Calls that hide what they are given: their result reveals no secret.
_SANITIZER_WORDS = frozenset({
    "redact", "redacted", "mask", "masked", "scrub", "scrubbed", "sanitize", "sanitise", "sanitized", "obfuscate",
    "obfuscated", "censor", "censored", "anonymize", "anonymise", "hash", "hashed", "fingerprint",
})
_SANITIZERS = frozenset({"pydantic.SecretStr", "pydantic.SecretBytes", "pydantic.types.SecretStr",
                         "pydantic.types.SecretBytes", "pydantic.v1.SecretStr"})
_MASK_TEXT = ("***", "[redacted]", "<redacted>", "redacted", "[hidden]", "<hidden>", "[masked]")

# Calls whose result is a freshly issued token.
TOKEN_FACTORIES = frozenset(
    {
        "jwt.encode",
        "jose.jwt.encode",
        "flask_jwt_extended.create_access_token",
        "flask_jwt_extended.create_refresh_token",
    }
)
# Functions and methods named for making or fetching a token (``generate_token``, ``fetch_access_token``).
_TOKEN_FACTORY_NAME = re.compile(
    r"^_?(generate|issue|create|make|new|mint|sign|fetch|obtain|exchange|refresh|request|authorize)_?\w*(token|jwt)$",
    re.IGNORECASE,
)


def _joins_random_choices(node: ast.Call) -> bool:
    """``"".join(secrets.choice(alphabet) for _ in range(24))`` (or ``SystemRandom().choice``): a
    password or code made of random characters."""
    func = node.func
    if not (isinstance(func, ast.Attribute) and func.attr == "join" and len(node.args) == 1):
        return False
    made = node.args[0]
    if not isinstance(made, (ast.GeneratorExp, ast.ListComp)) or not isinstance(made.elt, ast.Call):
        return False
    choice = made.elt.func
    return isinstance(choice, ast.Attribute) and choice.attr in ("choice", "choices")


class Mapping(dict):  # type: ignore[type-arg]
    """A dict as the analysis knows it: key -> value expression; ``open`` when other keys may be
    there too (an unknown base, a key computed at run time)."""

    def __init__(self, *args: object, open: bool = False) -> None:
        super().__init__(*args)
        self.open = open

    def copy(self) -> Mapping:
        return Mapping(self, open=self.open)

    def merge(self, other: Mapping) -> None:
        self.update(other)
        self.open = self.open or other.open


class ValueAnalysis:
    """Classifies expressions of one file; results are cached per node, or per name and reaching paths."""

    def __init__(self, root: Scope, parents: dict[ast.AST, ast.AST], scopes: dict[ast.AST, Scope],
                 settings: Settings | None = None, assumed: dict[tuple[int, str], Value] | None = None,
                 literals: dict[tuple[int, str], ast.expr] | None = None) -> None:
        self.root = root
        # Parameters taken to hold a value (``(id(scope), name)``): how a summary asks "what if this
        # parameter were the Authorization header?" without changing any other answer.
        self.assumed = assumed or {}
        # Parameters bound to the literal a call site passes (``read_param("password")``): how a
        # helper that reads a request field by name is read at one call.
        self.literals = literals or {}
        self._specialized: dict[tuple[object, ...], ValueAnalysis] = {}
        self.parents = parents
        self.scopes = scopes
        self.settings = settings or Settings()
        self.summaries = Summaries(self)
        self._flows: dict[int, Flow] = {}
        self._values: dict[tuple[object, ...], Value | None] = {}
        self._leaks: dict[tuple[object, ...], str | None] = {}
        self._tokens: dict[tuple[object, ...], str | None] = {}
        self._constants: dict[tuple[object, ...], list[ast.expr]] = {}
        self._qualnames: dict[int, str | None] = {}
        self._sanitizers: dict[int, bool] = {}
        self._handed: dict[tuple[int, str], Value | None] = {}
        self._masks: dict[tuple[int, str], bool] = {}
        self._carried: dict[tuple[int, int], frozenset[str]] = {}

    # -- what reaches a name -------------------------------------------------
    def flow(self, scope: Scope) -> Flow:
        flow = self._flows.get(id(scope))
        if flow is None:
            flow = self._flows[id(scope)] = Flow(scope, self.parents)
        return flow

    def reaching(self, node: ast.Name, scope: Scope) -> list[tuple[Path, Scope]]:
        """The paths of events that may reach this use of a name, each with the scope that binds it.
        A path starts with a ``Binding`` or a marker (``OUTER``: a module, builtin or imported name;
        ``PARAM``; ``UNKNOWN``) and goes on with the in-place changes made since."""
        defining = scope.defining(node.id)
        if defining is None:
            return [((OUTER,), scope)]
        if defining is scope:
            paths = self.flow(scope).reaching(node)
            if paths is not None:
                return [(path, scope) for path in paths]
        bindings = defining.facts.bindings.get(node.id, ())
        changes = tuple(defining.facts.changes.get(node.id, ()))
        if not bindings:
            return [((PARAM, *changes), defining)]
        return [((binding, *changes), defining) for binding in bindings]

    def _key(self, node: ast.expr, scope: Scope) -> tuple[object, ...]:
        """A name is keyed by what reaches it, so every use that the same events reach shares one
        answer (a name rebound and read thousands of times stays linear)."""
        if isinstance(node, ast.Name):
            defining = scope.defining(node.id)
            if defining is scope:
                paths = self.flow(scope).reaching(node)
                if paths is not None:
                    # By the events' identities (they live as long as the file's facts), never by
                    # the identity of a tuple that may be gone and its id reused.
                    return (node.id, id(scope), tuple(tuple(map(id, path)) for path in paths))
            return (node.id, id(scope))
        return (id(node),)

    def _name_values(self, node: ast.Name, scope: Scope) -> Iterator[tuple[Binding | str, Scope]]:
        """The head of each reaching path: the binding that gave the name its value, or a marker."""
        for path, where in self.reaching(node, scope):
            yield path[0], where

    # -- aliases and constants ---------------------------------------------------
    def resolve(self, node: ast.expr, scope: Scope, depth: int = 0) -> tuple[ast.expr, Scope]:
        """What a local alias stands for: ``put`` after ``put = requests.put`` is ``requests.put``;
        a name with one reaching binding to a name or attribute is followed; anything else is itself."""
        while isinstance(node, ast.Name) and depth < _MAX_DEPTH:
            reaching = self.reaching(node, scope)
            if len(reaching) != 1 or len(reaching[0][0]) != 1:
                break
            head, where = reaching[0][0][0], reaching[0][1]
            if not isinstance(head, Binding) or head.index is not None or head.iterates:
                break
            value = head.value
            while isinstance(value, ast.Await):
                value = value.value
            if not isinstance(value, (ast.Name, ast.Attribute)):
                break
            node, scope, depth = value, where, depth + 1
        return node, scope

    def qualname(self, node: ast.AST, scope: Scope) -> str | None:
        """The qualified name of ``node`` through imports and local aliases (kept per node)."""
        key = id(node)
        if key in self._qualnames:
            return self._qualnames[key]
        self._qualnames[key] = None
        found = self._qualnames[key] = self._qualname(node, scope)
        return found

    def _qualname(self, node: ast.AST, scope: Scope) -> str | None:
        found = scope.qualname(node)
        if found is not None or not isinstance(node, (ast.Name, ast.Attribute)):
            return found
        root: ast.expr = node
        while isinstance(root, ast.Attribute):
            root = root.value
        if not isinstance(root, ast.Name) or scope.defining(root.id) is None:
            return None
        resolved, where = self.resolve(root, scope)
        if resolved is root:
            return None
        base = self.qualname(resolved, where)
        if base is None:
            return None
        rest = []
        current: ast.expr = node  # type: ignore[assignment]
        while isinstance(current, ast.Attribute):
            rest.append(current.attr)
            current = current.value
        return ".".join([base, *reversed(rest)])

    def self_attribute(self, node: ast.Attribute, scope: Scope) -> list[tuple[ast.expr, Scope]]:
        """What ``self.name`` is assigned in the methods of the class ``self`` belongs to (every
        assignment, in any method: which one ran last is the program's business)."""
        if not isinstance(node.value, ast.Name):
            return []
        owner = self.summaries.class_of_self(node.value.id, scope)
        if owner is None:
            return []
        found: list[tuple[ast.expr, Scope]] = []
        for definitions in owner.facts.functions.values():
            for definition in definitions:
                method = owner.children.get(id(definition))
                if method is None or not method.facts.parameters:
                    continue
                for change in method.facts.changes.get(method.facts.parameters[0], ()):
                    target = change.stmt.targets[0] if isinstance(change.stmt, ast.Assign) else None
                    if change.change == "attribute" and isinstance(target, ast.Attribute) and target.attr == node.attr:
                        assert change.value is not None
                        found.append((change.value, method))
        return found

    def string_of(self, node: ast.expr, scope: Scope) -> str | None:
        """The string a node holds when it is a literal or a name with one literal value."""
        constant = self.constant_of(node, scope)
        if isinstance(constant, ast.Constant) and isinstance(constant.value, str):
            return constant.value
        return None

    def strings_of(self, node: ast.expr, scope: Scope) -> list[str]:
        """Every string literal ``node`` may hold (``"token" if legacy else "page"``)."""
        constants = self.constants_of(node, scope)
        return [c.value for c in constants if isinstance(c, ast.Constant) and isinstance(c.value, str)]

    def constant_of(self, node: ast.expr, scope: Scope) -> ast.expr:
        """Follow a name to the one expression it is bound to, when only one reaches it unchanged."""
        seen = 0
        while seen < _MAX_DEPTH:
            seen += 1
            if isinstance(node, ast.Await):
                node = node.value
                continue
            if not isinstance(node, ast.Name):
                return node
            reaching = self.reaching(node, scope)
            if len(reaching) != 1 or len(reaching[0][0]) != 1:
                return node
            head, where = reaching[0][0][0], reaching[0][1]
            if head is OUTER:
                if node.id in scope.module.constants and not scope.binds(node.id):
                    node = scope.module.constants[node.id]
                    continue
                return node
            if not isinstance(head, Binding) or head.index is not None or head.iterates or head.value is None:
                return node
            node, scope = head.value, where
        return node

    def constants_of(self, node: ast.expr, scope: Scope, depth: int = 0) -> list[ast.expr]:
        """Every expression ``node`` may evaluate to, followed through names on every reaching path,
        both arms of ``x if c else y`` and ``a or b``, ``await``, and the returns of the module's own
        functions. An expression that cannot be followed stands for itself."""
        key = (*self._key(node, scope), depth > 0)
        cached = self._constants.get(key)
        if cached is not None:
            return cached
        self._constants[key] = [node]  # a cycle stands for itself
        result = self._compute_constants(node, scope, depth)
        unique: list[ast.expr] = []
        for item in result:
            if all(item is not other for other in unique):
                unique.append(item)
        self._constants[key] = unique
        return unique

    def _compute_constants(self, node: ast.expr, scope: Scope, depth: int) -> list[ast.expr]:
        if depth > _MAX_DEPTH:
            return [node]
        if isinstance(node, (ast.Await, ast.NamedExpr)):
            return self.constants_of(node.value, scope, depth + 1)
        if isinstance(node, ast.IfExp):
            return [*self.constants_of(node.body, scope, depth + 1), *self.constants_of(node.orelse, scope, depth + 1)]
        if isinstance(node, ast.BoolOp):
            values = list(node.values)
            if isinstance(node.op, ast.Or) and len(values) > 1 and is_falsy_literal(values[-1]):
                # ``ca_cert or False``: the fallback only normalises a value that is already falsy (an
                # empty setting); what the expression holds is decided where ``ca_cert`` comes from.
                values = values[:-1]
            return [c for v in values for c in self.constants_of(v, scope, depth + 1)]
        if isinstance(node, ast.Call):
            returned = self.summaries.returns(node, scope)
            if returned:
                return [c for value, callee in returned for c in self.constants_of(value, callee, depth + 1)]
            return [node]
        if isinstance(node, ast.Attribute):
            # ``self.verify`` after ``self.verify = False`` in one of the class's methods
            assigned = self.self_attribute(node, scope)
            return [node, *(c for value, where in assigned for c in self.constants_of(value, where, depth + 1))]
        if not isinstance(node, ast.Name):
            return [node]
        result: list[ast.expr] = []
        for path, where in self.reaching(node, scope):
            head = path[0]
            if head is OUTER:
                constant = scope.module.constants.get(node.id)
                result.extend(self.constants_of(constant, scope.module_scope, depth + 1) if constant is not None
                              and not scope.binds(node.id) else [node])
            elif isinstance(head, Binding) and head.value is not None and head.index is None and not head.iterates:
                if len(path) > 1:
                    result.append(node)  # changed in place since: read it with ``mappings_of``
                else:
                    result.extend(self.constants_of(head.value, where, depth + 1))
            elif head is PARAM and (id(where), node.id) in self.literals:
                result.append(self.literals[(id(where), node.id)])
            else:
                result.append(node)
        return result

    def defaults_of(self, node: ast.expr, scope: Scope, depth: int = 0) -> list[ast.expr]:
        """What ``node`` evaluates to unless a run-time condition opts in to something else: the
        ``else`` arm of ``x if c else y``, and the bindings that reach it other than those made in
        the body of an ``if`` that does not also hold the use (``debug = False; if flag: debug =
        True`` defaults to False; ``debug = True; if prod: debug = False`` to True)."""
        if depth > _MAX_DEPTH:
            return [node]
        if isinstance(node, (ast.Await, ast.NamedExpr)):
            return self.defaults_of(node.value, scope, depth + 1)
        if isinstance(node, ast.IfExp):
            return self.defaults_of(node.orelse, scope, depth + 1)
        if isinstance(node, ast.BoolOp):
            return [c for v in node.values for c in self.defaults_of(v, scope, depth + 1)]
        if not isinstance(node, ast.Name):
            return self.constants_of(node, scope, depth + 1) if isinstance(node, ast.Call) else [node]
        result: list[ast.expr] = []
        for path, where in self.reaching(node, scope):
            head = path[0]
            if isinstance(head, Binding) and head.value is not None and head.index is None and not head.iterates:
                if len(path) == 1 and not self._opted_in(head.stmt, node):
                    result.extend(self.defaults_of(head.value, where, depth + 1))
            else:
                result.extend(self.constants_of(node, scope, depth + 1))
        return result

    def _opted_in(self, binding: ast.AST, use: ast.AST, flag_of: Scope | None = None) -> bool:
        """``binding`` sits in the body of an ``if`` that the use is not in (with ``flag_of``: an
        ``if`` whose test is one of that function's parameters, a flag its callers set)."""
        around_use = set()
        current: ast.AST | None = use
        while current is not None:
            around_use.add(id(current))
            current = self.parents.get(current)
        child, parent = binding, self.parents.get(binding)
        while parent is not None and id(parent) not in around_use:
            if isinstance(parent, ast.If) and any(child is s for s in parent.body):
                if flag_of is None:
                    return True
                test = parent.test
                if isinstance(test, ast.Name) and test.id in flag_of.facts.parameters:
                    return True
            child, parent = parent, self.parents.get(parent)
        return False

    def caller_options(self, node: ast.Name, scope: Scope) -> list[Mapping]:
        """``mappings_of`` less the paths on which a flag parameter of the function opted in to a
        change (``if allow_expired: options["verify_exp"] = False``): each caller makes that
        choice, and is judged where it makes it."""
        result: list[Mapping] = []
        for path, where in self.reaching(node, scope):
            events = [event for event in path if isinstance(event, Binding)]
            if any(self._opted_in(event.stmt, node, where) for event in events if where.is_function):
                continue
            if path[0] is OUTER:
                result.extend(self.mappings_of(node, scope))
                break
            result.extend(self._path_mappings(path, where, 0))
        return result

    # -- dicts as they stand ------------------------------------------------------
    def mappings_of(self, node: ast.expr, scope: Scope, depth: int = 0) -> list[Mapping]:
        """The dicts ``node`` may hold at this point, one per path, key -> value, after every change
        made to it on that path (``d["k"] = v``, ``update``, ``setdefault``, ``pop``, ``del``,
        ``clear``). A path the analysis cannot read fully gives an ``open`` mapping: the keys it
        knows, and maybe others; an unknown dict is never taken for a safe one."""
        if depth > _MAX_DEPTH:
            return [Mapping(open=True)]
        if isinstance(node, (ast.Await, ast.NamedExpr)):
            return self.mappings_of(node.value, scope, depth + 1)
        if isinstance(node, ast.Constant) and node.value is None:
            return [Mapping()]
        if isinstance(node, ast.Dict):
            mapping = Mapping()
            for key, value in zip(node.keys, node.values):
                if key is None:  # ``**other``
                    mapping.merge(self._one_mapping(value, scope, depth))
                else:
                    name = self.string_of(key, scope)
                    if name is None:
                        mapping.open = True
                    else:
                        mapping[name] = value
            return [mapping]
        if isinstance(node, ast.Call) and scope.module.is_builtin(node.func, "dict"):
            mapping = Mapping()
            for positional in node.args:
                mapping.merge(self._one_mapping(positional, scope, depth))
            for keyword in node.keywords:
                if keyword.arg is None:
                    mapping.merge(self._one_mapping(keyword.value, scope, depth))
                else:
                    mapping[keyword.arg] = keyword.value
            return [mapping]
        if isinstance(node, ast.Call):
            returned = self.summaries.returns(node, scope)
            if returned:
                return [m for value, callee in returned for m in self.mappings_of(value, callee, depth + 1)]
            return [Mapping(open=True)]
        if isinstance(node, ast.IfExp):
            return [*self.mappings_of(node.body, scope, depth + 1), *self.mappings_of(node.orelse, scope, depth + 1)]
        if isinstance(node, ast.BoolOp):
            return [m for value in node.values for m in self.mappings_of(value, scope, depth + 1)]
        if not isinstance(node, ast.Name):
            return [Mapping(open=True)]
        result: list[Mapping] = []
        for path, where in self.reaching(node, scope):
            if path[0] is OUTER:
                constant = scope.module.constants.get(node.id)
                if constant is not None and not scope.binds(node.id):
                    result.extend(self.mappings_of(constant, scope.module_scope, depth + 1))
                    continue
            result.extend(self._path_mappings(path, where, depth))
        return result

    def _path_mappings(self, path: Path, where: Scope, depth: int) -> list[Mapping]:
        """The dicts one reaching path leaves: its binding's value, then its changes."""
        head = path[0]
        base = [Mapping(open=True)]
        if isinstance(head, Binding) and head.value is not None and head.index is None and not head.iterates:
            base = self.mappings_of(head.value, where, depth + 1)
        return [self._changed(mapping.copy(), path[1:], where, depth) for mapping in base]

    def _one_mapping(self, node: ast.expr, scope: Scope, depth: int) -> Mapping:
        found = self.mappings_of(node, scope, depth + 1)
        return found[0] if len(found) == 1 else Mapping(open=True)

    def _changed(self, mapping: Mapping, changes: Iterable[object], scope: Scope, depth: int) -> Mapping:
        for change in changes:
            assert isinstance(change, Binding)
            kind = change.change
            if kind == "attribute":
                continue
            if kind in ("item", "setdefault", "pop", "del"):
                key = None if change.key is None else self.string_of(change.key, scope)
                if key is None:
                    mapping.open = True  # a key computed at run time: anything may be there now
                elif kind == "item":
                    assert change.value is not None
                    mapping[key] = change.value
                elif kind == "setdefault":
                    call = change.stmt
                    assert isinstance(call, ast.Call)
                    if key not in mapping and len(call.args) > 1:
                        mapping[key] = call.args[1]
                else:
                    mapping.pop(key, None)
            elif kind == "clear":
                mapping.clear()
                mapping.open = False
            elif kind == "update":
                call = change.stmt
                assert isinstance(call, ast.Call)
                update = ast.Call(func=ast.Name(id="dict", ctx=ast.Load()), args=call.args, keywords=call.keywords)
                mapping.merge(self._one_mapping(update, scope, depth))
            else:
                mapping.open = True
        return mapping

    # -- durations ----------------------------------------------------------
    def seconds_of(self, node: ast.expr, scope: Scope, depth: int = 0) -> float | None:
        """Seconds of a literal duration: a number, literal arithmetic (``60 * 60 * 24``) or a
        ``timedelta(...)`` of such (through names bound once); None for one made at run time."""
        values = self.constants_of(node, scope)
        if len(values) != 1 or depth > 8:
            return None
        value = values[0]
        if isinstance(value, ast.Constant) and type(value.value) in (int, float):
            return float(value.value)
        if isinstance(value, ast.BinOp) and type(value.op) in _ARITHMETIC:
            left, right = self.seconds_of(value.left, scope, depth + 1), self.seconds_of(value.right, scope, depth + 1)
            return None if left is None or right is None else _ARITHMETIC[type(value.op)](left, right)
        if isinstance(value, ast.Call) and self.qualname(value.func, scope) == "datetime.timedelta":
            given = [*zip(_TIMEDELTA_POSITIONS, value.args), *((k.arg, k.value) for k in value.keywords)]
            total = 0.0
            for unit, argument in given:
                amount = None if unit not in _TIMEDELTA_UNITS else self.seconds_of(argument, scope, depth + 1)
                if amount is None:
                    return None  # ``**kwargs``, an unknown keyword, a value made at run time
                total += amount * _TIMEDELTA_UNITS[unit]
            return total
        return None

    def release(self) -> None:
        """Drop the summaries (which point back here) and every cache, with those of the analyses
        specialised for one call's literals."""
        for analysis in self._specialized.values():
            analysis.release()
        self._specialized = {}
        self.summaries = None  # type: ignore[assignment]
        self._flows = {}

    # -- what a value is -------------------------------------------------
    def value_of(self, node: ast.expr, scope: Scope) -> Value | None:
        key = self._key(node, scope)
        if key in self._values:
            return self._values[key]
        self._values[key] = None  # a cycle through names resolves to "unknown"
        result = self._compute_value(node, scope)
        self._values[key] = result
        return result

    def _compute_value(self, node: ast.expr, scope: Scope) -> Value | None:
        if isinstance(node, ast.Name):
            found: Value | None = None
            for head, where in self._name_values(node, scope):
                value = self._head_value(node, head, where, scope)
                if value is not None and value.kind is not Kind.INPUT:
                    return value
                found = found or value
            return found
        if isinstance(node, ast.Attribute):
            qualname = self.qualname(node, scope)
            if qualname == "flask.request":
                return Value(Kind.REQUEST, "request")
            if qualname == "flask.session":
                return Value(Kind.SESSION, "session")
            if qualname == "os.environ":
                return Value(Kind.CONFIG, "the environment")
            app_config = qualname == "flask.current_app.config" or scope.module.is_app(node.value, scope)
            if node.attr == "config" and app_config:
                return Value(Kind.CONFIG, "the app's config")
            base = self.value_of(node.value, scope)
            if base is None:
                return None
            if base.kind is Kind.REQUEST and node.attr in _REQUEST_ATTRIBUTES:
                return Value(_REQUEST_ATTRIBUTES[node.attr], f"request.{node.attr}", supplied=True)
            if base.kind is Kind.AUTHORIZATION:
                if node.attr == "token":
                    return Value(Kind.TOKEN, "request.authorization.token", supplied=True)
                if node.attr == "type":  # Werkzeug's parsed scheme, lower-cased
                    return Value(Kind.SCHEME, "request.authorization.type", supplied=True)
                if node.attr == "password":
                    return Value(Kind.SECRET_VALUE, "request.authorization.password", supplied=True)
            return None
        if isinstance(node, ast.Subscript):
            base = self.value_of(node.value, scope)
            if base is None:
                return self._header_of_a_response(node.value, node.slice, scope)
            return self._item_of(base, node.slice, scope)
        if isinstance(node, ast.Call):
            return self._call_value(node, scope)
        if isinstance(node, (ast.BoolOp, ast.IfExp)):
            operands = node.values if isinstance(node, ast.BoolOp) else [node.body, node.orelse]
            if isinstance(node, ast.BoolOp) and not isinstance(node.op, ast.Or):
                return None
            found = None
            for operand in operands:
                value = self.value_of(operand, scope)
                if value is not None and value.kind is not Kind.INPUT:
                    return value
                found = found or value
            return found
        if isinstance(node, (ast.NamedExpr, ast.Await)):
            return self.value_of(node.value, scope)
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
            left = self.value_of(node.left, scope)  # ``base_url + "#!"``: a URL still led by the client's host
            return left if left is not None and left.kind is Kind.HOST else None
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.BitOr):
            # ``request.args | extra``: the merged mapping is still the request's
            for side in (node.left, node.right):
                value = self.value_of(side, scope)
                if value is not None and value.kind in _MAPPINGS:
                    return value
        return None

    def _header_of_a_response(self, mapping: ast.expr, key: ast.expr, scope: Scope) -> Value | None:
        """``resp.headers["X-Auth-Token"]`` of another party's response: the header's name says it
        carries a token, whatever object holds the headers."""
        if not (isinstance(mapping, ast.Attribute) and mapping.attr == "headers"):
            return None
        for name in self.strings_of(key, scope):
            if name.lower() in credentials.AUTHORIZATION_HEADERS or self._token_header(name):
                return Value(Kind.TOKEN, f"the {name} header")
        return None

    def _head_value(self, node: ast.Name, head: Binding | str, where: Scope, scope: Scope) -> Value | None:
        """What the name holds on one reaching path."""
        if head is OUTER:
            qualname = self.qualname(node, scope)
            if qualname == "flask.request":
                return Value(Kind.REQUEST, "request")
            if qualname == "flask.session":
                return Value(Kind.SESSION, "session")
            constant = scope.module.constants.get(node.id)
            if constant is not None and not scope.binds(node.id):
                return self.value_of(constant, scope.module_scope)  # ``API_TOKEN = os.environ["API_TOKEN"]``
            return None
        if head is PARAM:
            assumed = self.assumed.get((id(where), node.id))
            return assumed if assumed is not None else self._handed_in(node.id, where)
        return self._bound_value(head, where) if isinstance(head, Binding) else None

    def _handed_in(self, name: str, callee: Scope) -> Value | None:
        """A parameter the module's own callers fill with the request (``check_key(request)``): it is
        the request, inside the helper. (What a caller hands on from the request, such as
        ``log_it(request.headers)``, is judged at the call through the helper's summary.)"""
        key = (id(callee), name)
        if key in self._handed:
            return self._handed[key]
        self._handed[key] = None
        found = None
        for call, scope in self.summaries.call_sites(callee):
            site = self.summaries.argument_for(callee, call, scope, name)
            value = None if site is None else self.value_of(site, scope)
            if value is not None and value.kind is Kind.REQUEST:
                found = value
                break
        self._handed[key] = found
        return found

    def _bound_value(self, binding: Binding, where: Scope) -> Value | None:
        if binding.iterates or binding.value is None:
            return None
        if binding.index is None:
            return self.value_of(binding.value, where)
        if isinstance(binding.value, (ast.Tuple, ast.List)):
            elements = binding.value.elts
            return self.value_of(elements[binding.index], where) if binding.index < len(elements) else None
        whole = self.value_of(binding.value, where)
        if whole is not None and whole.kind is Kind.PARTS:
            return Value(Kind.SCHEME if binding.index == 0 else Kind.TOKEN, whole.label, whole.supplied)
        return None

    def _item_of(self, base: Value, key: ast.expr, scope: Scope) -> Value | None:
        """``base[key]`` (or ``base.get(key)``)."""
        if base.kind in _MAPPINGS:
            for name in self.strings_of(key, scope):
                item = self._mapping_item(base.kind, name)
                if item is not None:
                    return dataclasses.replace(item, supplied=True) if base.supplied else item
            return None
        if base.kind is Kind.PARTS:
            if isinstance(key, ast.Slice):
                lower = int_index(key.lower) if key.lower is not None else 0
                return Value(Kind.TOKEN, base.label, base.supplied) if lower not in (0, None) else None
            index = int_index(key)
            if index is None:
                return None
            return Value(Kind.SCHEME if index == 0 else Kind.TOKEN, base.label, base.supplied)
        if base.kind is Kind.AUTH_HEADER and isinstance(key, ast.Slice):
            if key.lower is None or int_index(key.lower) == 0:
                return Value(Kind.SCHEME, base.label, base.supplied)
            return Value(Kind.TOKEN, base.label, base.supplied)
        return None

    def is_token_name(self, name: str) -> bool:
        """A name that says it holds a token, by the built-in words or the ``token-names`` option."""
        return credentials.is_token_name(name) or name.lower() in self.settings.extra_token_names

    def is_query_token_key(self, name: str) -> bool:
        return credentials.is_query_token_key(name) or name.lower() in self.settings.extra_token_names

    def _token_header(self, name: str) -> bool:
        """A header that carries a credential: ``X-Api-Key``, ``X-Auth-Token``, ``X-Rucio-Auth-Token``, a
        ``token-headers`` option's; not ``X-Auth-Token-Expires``."""
        lowered = name.lower()
        if lowered in credentials.SECRET_HEADERS or lowered in self.settings.extra_token_headers:
            return True
        return credentials.is_token_name(name) or credentials.is_secret_name(name)

    def _request_credential(self, name: str) -> bool:
        words = credentials.identifier_words(name)
        if "csrf" in words or "xsrf" in words or credentials.is_public_identifier(name):
            return False
        return self.is_query_token_key(name) or credentials.is_token_name(name) or credentials.is_credential_key(name)

    def _mapping_item(self, kind: Kind, name: str) -> Value | None:
        if kind is Kind.HEADERS:
            lowered = name.lower()
            if lowered in credentials.AUTHORIZATION_HEADERS:
                return Value(Kind.AUTH_HEADER, f"the {name} header")
            if self._token_header(name):
                return Value(Kind.SECRET_VALUE, f"the {name} header")
            if lowered in _HOST_HEADERS:
                return Value(Kind.HOST, f"the {name} header")
            return Value(Kind.INPUT, f"the {name} header")
        if kind is Kind.ENVIRON:
            if name in credentials.AUTHORIZATION_ENVIRON:
                return Value(Kind.AUTH_HEADER, f"environ[{name!r}]")
            extra = {credentials.environ_key(h) for h in self.settings.extra_token_headers}
            if name in credentials.SECRET_ENVIRON or name in extra:
                return Value(Kind.SECRET_VALUE, f"environ[{name!r}]")
            if name in _HOST_ENVIRON:
                return Value(Kind.HOST, f"environ[{name!r}]")
            return None
        if kind in (Kind.QUERY, Kind.BODY):
            # A credential the client sends (token, API key, password, one-time code); a CSRF token
            # is meant for the page and a pagination cursor opens nothing.
            where = "query parameter" if kind is Kind.QUERY else "request field"
            if credentials.names_a_signature(name):
                return Value(Kind.SIGNATURE, f"the {name!r} {where}")  # a signed URL carries it by design
            if self._request_credential(name):
                return Value(Kind.TOKEN, f"the {name!r} {where}")
            return Value(Kind.INPUT, f"the {name!r} {where}")
        if kind is Kind.SESSION:
            words = credentials.identifier_words(name)
            csrf = ("csrf" in words or "xsrf" in words) and "token" in words
            # requests-oauthlib keeps the OAuth 2 token response in ``session["oauth_token"]``
            if self._request_credential(name) or csrf or credentials.is_public_identifier(name) and "token" in words:
                return Value(Kind.TOKEN, f"session[{name!r}]")
            return None
        if kind is Kind.CONFIG:
            if credentials.is_credential_key(name):
                return Value(Kind.SECRET_VALUE, f"the configured {name}")
            return None
        if credentials.is_credential_name(name):
            return Value(Kind.TOKEN, f"the {name!r} cookie")
        return Value(Kind.INPUT, f"the {name!r} cookie")

    def _call_value(self, node: ast.Call, scope: Scope) -> Value | None:
        func, func_scope = self.resolve(node.func, scope)
        if isinstance(func, ast.Attribute):
            base = self.value_of(func.value, func_scope)
            if base is not None:
                method = func.attr
                if base.kind in _MAPPINGS and method in _MAPPING_GETTERS and node.args:
                    return self._item_of(base, node.args[0], scope)
                if base.kind in _MAPPINGS and method in ("to_dict", "copy") and not node.args:
                    return base
                if base.kind is Kind.REQUEST and method == "get_json":
                    return Value(Kind.BODY, "request.get_json()", supplied=True)
                if base.kind is Kind.SIGNATURE and method in _DIGEST_METHODS:
                    return base
                if base.kind in _STRING_KINDS and method in _KEEPING_METHODS and not node.args:
                    return base
                if base.kind is Kind.HOST and method in _KEEPING_METHODS:
                    return base  # ``base_url.rstrip("/")``: still the host the client named
                if base.kind is Kind.AUTH_HEADER:
                    if method in _SPLITTING_METHODS:
                        return Value(Kind.PARTS, base.label, base.supplied)
                    if method in _CUTTING_METHODS or (method in ("lstrip", "strip") and node.args):
                        return Value(Kind.TOKEN, base.label, base.supplied)
                return None
        if isinstance(func, ast.Attribute) and func.attr in ("get", "getlist", "get_all") and node.args:
            found = self._header_of_a_response(func.value, node.args[0], func_scope)
            if found is not None:
                return found
        if scope.module.is_builtin(func, "str") and len(node.args) == 1:
            inner = self.value_of(node.args[0], scope)
            return inner if inner is not None and inner.kind in _STRING_KINDS else None
        if scope.module.is_builtin(func, "dict") and len(node.args) == 1 and not node.keywords:
            inner = self.value_of(node.args[0], scope)  # ``dict(request.headers)``: a copy of the mapping
            return inner if inner is not None and inner.kind in _MAPPINGS else None
        if self.qualname(func, func_scope) == "os.getenv" and node.args:
            return self._item_of(Value(Kind.CONFIG, "the environment"), node.args[0], scope)
        secret = self._made_secret(node, func, func_scope)
        if secret is not None:
            return secret
        if _joins_random_choices(node):
            return Value(Kind.TOKEN, "a generated secret")
        for returned, callee in self.summaries.returns(node, scope):
            found = self.value_of(returned, callee)
            if found is not None:
                return found
        imported = scope.module.imported_value(func, func_scope)
        if imported is not None:
            return imported
        return self._value_at_call(node, scope)

    def _value_at_call(self, call: ast.Call, scope: Scope) -> Value | None:
        """What the module's own helper returns when given this call's literal arguments
        (``_get_request_param("password")`` returning ``request.args[name]``): the helper read once
        per distinct literal call, one call deep."""
        if self.literals or not call.args or any(not isinstance(a, ast.Constant) for a in call.args):
            return None
        for definition, inner, bound in self.summaries.callees(call, scope):
            args = definition.args
            positional = [a.arg for a in (*args.posonlyargs, *args.args)][1 if bound else 0:]
            key = (id(definition), *(repr(a.value) for a in call.args))
            analysis = self._specialized.get(key)
            if analysis is None:
                literals = {(id(inner), name): value for name, value in zip(positional, call.args)}
                analysis = self._specialized[key] = ValueAnalysis(
                    self.root, self.parents, self.scopes, self.settings, literals=literals)
            for returned in (r.value for r in inner.facts.returns if r.value is not None):
                found = analysis.value_of(returned, inner)
                if found is not None:
                    return found
        return None

    def _made_secret(self, node: ast.Call, func: ast.expr, scope: Scope) -> Value | None:
        """A secret the call makes: ``secrets.token_hex()``, ``os.urandom()``, an HMAC digest
        (``hmac.new(...).hexdigest()``, ``hmac.digest(...)``) or a signing function's result."""
        qualname = self.qualname(func, scope) or ""
        if qualname in _SECRET_FACTORIES:
            return Value(Kind.TOKEN, f"the secret from {qualname}()")
        if qualname in ("hmac.new", "hmac.HMAC"):
            return Value(Kind.SIGNATURE, "an HMAC")
        if qualname == "hmac.digest":
            return Value(Kind.SIGNATURE, "an HMAC digest")
        if isinstance(func, ast.Attribute) and func.attr in _DIGEST_METHODS:
            base = self.value_of(func.value, scope)
            if base is not None and base.kind is Kind.SIGNATURE:
                return Value(Kind.SIGNATURE, "an HMAC digest")
        name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
        if _GENERATED_SECRET.match(name) and not self.summaries.callees(node, scope):
            # a generated password or one-time code of a library: the module's own function of that
            # name is judged by what it returns
            return Value(Kind.TOKEN, f"the secret from {name}()")
        words = credentials.identifier_words(name)
        made = words[:1] == ["sign"] and words[1:2] not in ([w] for w in _NOT_SIGNING)
        made = made or (bool(set(words) & {"signature", "hmac"}) and words[:1] in ([w] for w in _MAKING_WORDS))
        if made:
            return Value(Kind.SIGNATURE, f"the signature from {name}()")
        return None

    # -- tokens ------------------------------------------------------------
    def token_label(self, node: ast.expr, scope: Scope) -> str | None:
        """How a message names the token ``node`` holds, or None when it holds none."""
        key = self._key(node, scope)
        if key in self._tokens:
            return self._tokens[key]
        self._tokens[key] = None
        result = self._compute_token(node, scope)
        self._tokens[key] = result
        return result

    def _compute_token(self, node: ast.expr, scope: Scope) -> str | None:
        """A token by where it comes from: cut from the Authorization header, a credential the client
        sends (token cookie, query or form field), a session token, a freshly issued or generated
        token, an item of a token response, or the module's own helper returning one. A name alone
        (``token``, ``access_token``) makes nothing a token."""
        value = self.value_of(node, scope)
        if value is not None:
            return value.label if value.kind is Kind.TOKEN else None
        if isinstance(node, ast.Name):
            if not scope.binds(node.id) and scope.qualname(node) is not None:
                return None  # an imported module or function (``jwt``), not a value
            for head, where in self._name_values(node, scope):
                if isinstance(head, Binding) and not head.iterates and head.index is None and head.value is not None:
                    found = self.token_label(head.value, where)
                    if found is not None:
                        return found
            return None
        if isinstance(node, ast.Attribute):
            if scope.qualname(node) is not None:
                return None  # ``jwt.api_jwt``: a module path, not a value
            return self._token_item(node.value, node.attr, scope)
        if isinstance(node, ast.Subscript):
            key_name = self.string_of(node.slice, scope)
            return None if key_name is None else self._token_item(node.value, key_name, scope)
        if isinstance(node, ast.Call):
            return self._call_token(node, scope)
        if isinstance(node, (ast.Await, ast.NamedExpr)):
            return self.token_label(node.value, scope)
        if isinstance(node, (ast.IfExp, ast.BoolOp)):
            parts = (node.body, node.orelse) if isinstance(node, ast.IfExp) else node.values
            for part in parts:
                found = self.token_label(part, scope)
                if found is not None:
                    return found
        return None

    def _token_item(self, base: ast.expr, key: str, scope: Scope) -> str | None:
        """``base[key]``/``base.key`` when ``base`` holds a token response (``fetch_token()``'s dict,
        an ``OAuth2Token``) and ``key`` names one of its tokens."""
        if not (self.is_token_name(key) or credentials.is_secret_name(key)) or credentials.is_public_identifier(key):
            return None
        if self.token_label(base, scope) is None:
            return None
        return f"`{key}` of {self.token_label(base, scope)}"

    def is_sanitizer(self, call: ast.Call, scope: Scope) -> bool:
        """``call`` hides what it is given: ``redact(token)``, ``mask_secret(...)``, pydantic's
        ``SecretStr(...)``, or one of the module's own functions whose body writes a mask
        (``"****"``, ``"[redacted]"``)."""
        key = id(call)
        if key not in self._sanitizers:
            self._sanitizers[key] = self._hides(call, scope)
        return self._sanitizers[key]

    def _hides(self, call: ast.Call, scope: Scope) -> bool:
        func, where = self.resolve(call.func, scope)
        if self.qualname(func, where) in _SANITIZERS:
            return True
        name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
        if name in ("SecretStr", "SecretBytes") or set(credentials.identifier_words(name)) & _SANITIZER_WORDS:
            return True
        return any(
            self._writes_a_mask(definition, site_values(definition, call, bound))
            for definition, _, bound in self.summaries.callees(call, scope)
        )

    def _writes_a_mask(self, definition: ast.AST, known: dict[str, object]) -> bool:
        """The function writes a mask (``"****"``) in what runs for a call passing ``known``:
        ``display(token, reveal=True)`` returns before the mask it writes otherwise."""
        key = (id(definition), repr(sorted(known.items(), key=lambda item: item[0])))
        if key not in self._masks:
            self._masks[key] = any(
                isinstance(node, ast.Constant) and isinstance(node.value, str)
                and any(mask in node.value.lower() for mask in _MASK_TEXT)
                for stmt, _ in reached(getattr(definition, "body", []), known)
                for node in own_nodes(stmt)
            )
        return self._masks[key]

    def _call_token(self, node: ast.Call, scope: Scope) -> str | None:
        if self.is_sanitizer(node, scope):
            return None
        func, func_scope = self.resolve(node.func, scope)
        qualname = self.qualname(func, func_scope)
        if qualname in TOKEN_FACTORIES:
            return f"the token from {qualname}()"
        name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
        if _TOKEN_FACTORY_NAME.match(name):
            return f"the token from {name}()"
        if isinstance(func, ast.Attribute) and name in _SIGNING_METHODS:
            # ``serializer.dumps(user.id)`` with an itsdangerous serializer or signer: a signed token.
            made = self.constant_of(func.value, func_scope)
            if isinstance(made, ast.Call) and (self.qualname(made.func, func_scope) or "").startswith("itsdangerous."):
                return f"the token from {name}()"
        if isinstance(func, ast.Attribute) and func.attr == "get" and node.args:
            key_name = self.string_of(node.args[0], scope)
            if key_name is not None:
                found = self._token_item(func.value, key_name, func_scope)
                if found is not None:
                    return found
        if isinstance(func, ast.Attribute) and func.attr in _KEEPING_METHODS:
            return self.token_label(func.value, func_scope)
        if scope.module.is_builtin(func, "str") and len(node.args) == 1:
            return self.token_label(node.args[0], scope)
        if (name.startswith("from_") or name[:1].isupper()) and len(node.args) == 1 and not node.keywords:
            return self.token_label(node.args[0], scope)  # ``OAuth2Token.from_dict(token)`` wraps it
        for returned, callee in self.summaries.returns(node, scope):
            found = self.token_label(returned, callee)
            if found is not None:
                return f"the token from {name}()"
        return None

    # -- what writing a value out reveals ----------------------------------
    def leak_of(self, node: ast.expr, scope: Scope, tokens: bool = False) -> str | None:
        """A label for what writing ``node`` out would reveal: request credentials, or with
        ``tokens`` a token."""
        key = (*self._key(node, scope), tokens)
        if key in self._leaks:
            return self._leaks[key]
        self._leaks[key] = None
        result = self._compute_leak(node, scope, tokens)
        self._leaks[key] = result
        return result

    def _first_leak(self, nodes, scope: Scope, tokens: bool) -> str | None:
        for child in nodes:
            if child is not None:
                found = self.leak_of(child, scope, tokens)
                if found is not None:
                    return found
        return None

    def _compute_leak(self, node: ast.expr, scope: Scope, tokens: bool) -> str | None:
        if tokens:
            if isinstance(node, (ast.Name, ast.Attribute, ast.Subscript, ast.Call)):
                found = self.token_label(node, scope)
                if found is not None:
                    return found
        else:
            value = self.value_of(node, scope)
            if value is not None:
                return value.label if value.kind in LEAKING_KINDS else None
        if isinstance(node, ast.Name):
            for path, where in self.reaching(node, scope):
                head = path[0]
                if not isinstance(head, Binding) or head.value is None:
                    continue
                if head.iterates and head.index == 0 and is_method_call(head.value, "items"):
                    continue  # the key of ``for name, value in headers.items()``
                if len(path) > 1 and not head.iterates and head.index is None:
                    # Changed in place since: what it holds now is what the changes left.
                    for mapping in self._path_mappings(path, where, 0):
                        found = self._first_leak(mapping.values(), where, tokens)
                        if found is not None:
                            return found
                    continue
                found = self.leak_of(head.value, where, tokens)
                if found is not None:
                    return found
            return None
        parts = _parts(node)
        if parts is not None:
            return self._first_leak(parts, scope, tokens)
        if isinstance(node, (ast.GeneratorExp, ast.ListComp, ast.SetComp, ast.DictComp)):
            if any(generator.ifs for generator in node.generators):
                return None  # a filtered copy may well be the redaction
            return self._first_leak((g.iter for g in node.generators), scope, tokens)
        if isinstance(node, ast.Call):
            return self._call_leak(node, scope, tokens)
        return None

    def _call_parts(self, node: ast.Call, scope: Scope) -> list[ast.expr] | None:
        """What a call's result carries whole: the arguments of ``str()``, ``json.dumps()`` and the
        like, the template and arguments of ``.format``, the items of ``.join``; None for other calls."""
        func = node.func
        arguments = [*node.args, *(k.value for k in node.keywords)]
        if self.qualname(func, scope) in _STRINGIFYING_FUNCTIONS:
            return arguments
        if isinstance(func, ast.Attribute):
            if func.attr == "format":
                return [func.value, *arguments]
            return list(node.args) if func.attr == "join" else None
        if isinstance(func, ast.Name) and func.id in _STRINGIFYING_BUILTINS and scope.module.is_builtin(func, func.id):
            return arguments
        return None

    def _call_leak(self, node: ast.Call, scope: Scope, tokens: bool) -> str | None:
        if self.is_sanitizer(node, scope):
            return None
        parts = self._call_parts(node, scope)
        if parts is not None:
            return self._first_leak(parts, scope, tokens)
        func = node.func
        if isinstance(func, ast.Attribute):
            if func.attr in _WHOLE_MAPPING_METHODS and not tokens:
                base = self.value_of(func.value, scope)
                if base is not None and base.kind in LEAKING_KINDS:
                    return base.label
            return None
        for returned, callee in self.summaries.returns(node, scope):
            found = self.leak_of(returned, callee, tokens)
            if found is not None:
                return found
            # The helper returns what it is given, wrapped (``{"Authorization": f"Bearer {token}"}``):
            # what the caller passes for those parameters is what the result reveals.
            for name in sorted(self.carried_parameters(returned, callee)):
                argument = self.summaries.argument_for(callee, node, scope, name)
                found = None if argument is None else self.leak_of(argument, scope, tokens)
                if found is not None:
                    return found
        return None

    def carried_parameters(self, node: ast.expr, scope: Scope, depth: int = 0) -> frozenset[str]:
        """The parameters of ``scope`` whose value ``node`` carries whole: as itself, inside text
        (f-string, ``+``, ``%``, ``format``, ``join``, ``str()``), or as an item of a container."""
        key = (id(node), id(scope))
        if key in self._carried:
            return self._carried[key]
        self._carried[key] = frozenset()
        result = frozenset() if depth > _MAX_DEPTH else self._carries(node, scope, depth)
        self._carried[key] = result
        return result

    def _carries(self, node: ast.expr, scope: Scope, depth: int) -> frozenset[str]:
        found: set[str] = set()
        if isinstance(node, ast.Name):
            for path, where in self.reaching(node, scope):
                head = path[0]
                if head is PARAM and where is scope:
                    found.add(node.id)
                elif isinstance(head, Binding) and head.value is not None and not head.iterates and head.index is None:
                    found |= self.carried_parameters(head.value, where, depth + 1) if where is scope else set()
            return frozenset(found)
        if isinstance(node, ast.Call):
            parts = None if self.is_sanitizer(node, scope) else self._call_parts(node, scope)
        else:
            parts = _parts(node)
        for part in parts or ():
            found |= self.carried_parameters(part, scope, depth + 1)
        return frozenset(found)


def _parts(node: ast.expr) -> list[ast.expr] | None:
    """What ``node`` is built of whole: an f-string's values, a formatted or awaited value, both
    sides of an operator, a container's items (a dict's values), the arms of a choice; None for any
    other node (a call's parts depend on what it calls: ``ValueAnalysis._call_parts``)."""
    if isinstance(node, ast.JoinedStr):
        return list(node.values)
    if isinstance(node, (ast.FormattedValue, ast.Starred, ast.NamedExpr, ast.Await)):
        return [node.value]
    if isinstance(node, ast.BinOp):
        return [node.left, node.right]
    if isinstance(node, (ast.Tuple, ast.List, ast.Set)):
        return list(node.elts)
    if isinstance(node, ast.Dict):
        return list(node.values)
    if isinstance(node, ast.IfExp):
        return [node.body, node.orelse]
    if isinstance(node, ast.BoolOp):
        return list(node.values)
    return None
