"""What a request-derived value is, followed through local names.

``value_of`` answers "is this expression the Authorization header, a piece of
it, the headers mapping, a token cookie ...?"; ``token_label`` answers "does
this expression hold a token?" (from the header, a token factory, a token
cookie or query parameter, a local helper returning one, or a name that says
so); ``leak_of`` answers "does writing this expression out reveal request
credentials (or, with ``tokens=True``, a token)?", seeing through f-strings,
``%``, ``.format``, ``+``, ``str()``/``dict()`` and local names. Calls to
top-level functions of the same module are followed into their return values.
Everything is cached per file.
"""

from __future__ import annotations

import ast
import enum
import re
from dataclasses import dataclass

from flask_token_lint import credentials
from flask_token_lint.scopes import Scope
from flask_token_lint.settings import Settings


class Kind(enum.Enum):
    REQUEST = "request"
    HEADERS = "headers mapping"
    ENVIRON = "WSGI environ"
    COOKIES = "cookies mapping"
    QUERY = "query-string mapping"
    AUTHORIZATION = "parsed Authorization"
    AUTH_HEADER = "Authorization header value"
    SECRET_VALUE = "other credential value"
    PARTS = "split Authorization header"
    SCHEME = "scheme part"
    TOKEN = "token"  # cut from the header, or a token cookie or query parameter


@dataclass(frozen=True)
class Value:
    kind: Kind
    label: str  # what a message may name; never the value itself


# Kinds whose text reveals a credential when written out.
LEAKING_KINDS = frozenset(
    {Kind.HEADERS, Kind.ENVIRON, Kind.COOKIES, Kind.AUTHORIZATION, Kind.AUTH_HEADER, Kind.SECRET_VALUE, Kind.PARTS}
)
_STRING_KINDS = frozenset({Kind.AUTH_HEADER, Kind.SECRET_VALUE, Kind.SCHEME, Kind.TOKEN})
_REQUEST_ATTRIBUTES = {
    "headers": Kind.HEADERS,
    "environ": Kind.ENVIRON,
    "cookies": Kind.COOKIES,
    "args": Kind.QUERY,
    "values": Kind.QUERY,
    "authorization": Kind.AUTHORIZATION,
}
_MAPPINGS = frozenset({Kind.HEADERS, Kind.ENVIRON, Kind.COOKIES, Kind.QUERY})
_MAPPING_GETTERS = frozenset({"get", "getlist", "get_all", "pop"})
# String methods that keep what the value is (``auth.strip()`` is still the header).
_KEEPING_METHODS = frozenset({"strip", "lstrip", "rstrip", "lower", "upper", "casefold", "encode", "decode", "title"})
_SPLITTING_METHODS = frozenset({"split", "rsplit", "partition", "rpartition"})
# Methods that cut a token off the header by removing a prefix without checking it.
_CUTTING_METHODS = frozenset({"replace", "removeprefix"})
_WHOLE_MAPPING_METHODS = frozenset({"items", "values", "copy", "to_dict", "to_wsgi_list", "__str__", "__repr__"})
_STRINGIFYING_BUILTINS = frozenset({"str", "repr", "dict", "list", "tuple", "sorted", "set", "format", "ascii", "vars"})
_STRINGIFYING_FUNCTIONS = frozenset({"json.dumps", "pprint.pformat", "pprint.pprint", "flask.json.dumps"})


def _int_index(node: ast.expr) -> int | None:
    if isinstance(node, ast.Constant) and type(node.value) is int:
        return node.value
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        inner = _int_index(node.operand)
        return None if inner is None else -inner
    return None


def _identity(node: ast.expr) -> int | str:
    """The cache key of a node. The analysis does not follow control flow, so every use of a name
    in a scope has the same answer: a name is keyed by its text, computed once, not once per use
    (which made a name rebound and read thousands of times cost quadratic time)."""
    return node.id if isinstance(node, ast.Name) else id(node)


def _is_method_call(node: ast.expr, method: str) -> bool:
    return isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == method


class ValueAnalysis:
    """Classifies expressions of one file; results are cached per node."""

    def __init__(self, root: Scope, settings: Settings | None = None) -> None:
        self.root = root
        self.settings = settings or Settings()
        self._scopes: dict[int, Scope] = {id(root.node): root}
        self._values: dict[tuple[int | str, int], Value | None] = {}
        self._leaks: dict[tuple[int | str, int, bool], str | None] = {}
        self._tokens: dict[tuple[int | str, int], str | None] = {}
        # Per-file results of other analyses (keyed by their own tuples), computed once.
        self.memo: dict[tuple[object, ...], object] = {}

    def scope_for(self, node: ast.AST, parent: Scope) -> Scope:
        """The one ``Scope`` of a def or class node, shared by the walk and the dataflow."""
        scope = self._scopes.get(id(node))
        if scope is None:
            scope = self._scopes[id(node)] = Scope(node, parent, parent.module)
        return scope

    def _returns_of(self, call: ast.Call, scope: Scope) -> list[tuple[ast.expr, Scope]]:
        """Return values of the module's own top-level function that ``call`` calls."""
        func = call.func
        if not isinstance(func, ast.Name) or scope.binds(func.id):
            return []
        definition = scope.module.functions.get(func.id)
        if definition is None:
            return []
        callee = self.scope_for(definition, self.root)
        return [(r.value, callee) for r in callee.facts.returns if r.value is not None]

    # -- constants -------------------------------------------------------
    def string_of(self, node: ast.expr, scope: Scope) -> str | None:
        """The string a node holds when it is a literal or a constant name."""
        constant = self.constant_of(node, scope)
        if isinstance(constant, ast.Constant) and isinstance(constant.value, str):
            return constant.value
        return None

    def constant_of(self, node: ast.expr, scope: Scope) -> ast.expr:
        """Follow a name to the literal it is bound to, once and unambiguously."""
        seen: set[int] = set()
        while isinstance(node, ast.Name) and id(node) not in seen:
            seen.add(id(node))
            bindings = scope.lookup(node.id)
            if bindings:
                if len(bindings) != 1 or bindings[0][0].index is not None or bindings[0][0].iterates:
                    return node
                node, scope = bindings[0][0].value, bindings[0][1]
            elif node.id in scope.module.constants and not scope.binds(node.id):
                node = scope.module.constants[node.id]
            else:
                return node
        return node

    # -- what a value is -------------------------------------------------
    def value_of(self, node: ast.expr, scope: Scope) -> Value | None:
        key = (_identity(node), id(scope))
        if key in self._values:
            return self._values[key]
        self._values[key] = None  # a cycle through names resolves to "unknown"
        result = self._compute_value(node, scope)
        self._values[key] = result
        return result

    def _compute_value(self, node: ast.expr, scope: Scope) -> Value | None:
        module = scope.module
        if isinstance(node, ast.Name):
            bindings = scope.lookup(node.id)
            if not bindings:
                return Value(Kind.REQUEST, "request") if module.qualname(node) == "flask.request" else None
            for binding, where in bindings:
                found = self._bound_value(binding, where)
                if found is not None:
                    return found
            return None
        if isinstance(node, ast.Attribute):
            if module.qualname(node) == "flask.request":
                return Value(Kind.REQUEST, "request")
            base = self.value_of(node.value, scope)
            if base is None:
                return None
            if base.kind is Kind.REQUEST and node.attr in _REQUEST_ATTRIBUTES:
                return Value(_REQUEST_ATTRIBUTES[node.attr], f"request.{node.attr}")
            if base.kind is Kind.AUTHORIZATION:
                if node.attr == "token":
                    return Value(Kind.TOKEN, "request.authorization.token")
                if node.attr == "password":
                    return Value(Kind.SECRET_VALUE, "request.authorization.password")
            return None
        if isinstance(node, ast.Subscript):
            base = self.value_of(node.value, scope)
            return None if base is None else self._item_of(base, node.slice, scope)
        if isinstance(node, ast.Call):
            return self._call_value(node, scope)
        if isinstance(node, ast.BoolOp) and isinstance(node.op, ast.Or):
            for operand in node.values:
                found = self.value_of(operand, scope)
                if found is not None:
                    return found
            return None
        if isinstance(node, ast.IfExp):
            return self.value_of(node.body, scope) or self.value_of(node.orelse, scope)
        if isinstance(node, ast.NamedExpr):
            return self.value_of(node.value, scope)
        return None

    def _bound_value(self, binding, where: Scope) -> Value | None:
        if binding.iterates:
            return None
        if binding.index is None:
            return self.value_of(binding.value, where)
        if isinstance(binding.value, (ast.Tuple, ast.List)):
            elements = binding.value.elts
            return self.value_of(elements[binding.index], where) if binding.index < len(elements) else None
        whole = self.value_of(binding.value, where)
        if whole is not None and whole.kind is Kind.PARTS:
            return Value(Kind.SCHEME if binding.index == 0 else Kind.TOKEN, whole.label)
        return None

    def _item_of(self, base: Value, key: ast.expr, scope: Scope) -> Value | None:
        """``base[key]`` (or ``base.get(key)``)."""
        if base.kind in _MAPPINGS:
            name = self.string_of(key, scope)
            return None if name is None else self._mapping_item(base.kind, name)
        if base.kind is Kind.PARTS:
            if isinstance(key, ast.Slice):
                lower = _int_index(key.lower) if key.lower is not None else 0
                return Value(Kind.TOKEN, base.label) if lower not in (0, None) else None
            index = _int_index(key)
            if index is None:
                return None
            return Value(Kind.SCHEME if index == 0 else Kind.TOKEN, base.label)
        if base.kind is Kind.AUTH_HEADER and isinstance(key, ast.Slice):
            if key.lower is None or _int_index(key.lower) == 0:
                return Value(Kind.SCHEME, base.label)
            return Value(Kind.TOKEN, base.label)
        return None

    def is_token_name(self, name: str) -> bool:
        """A name that says it holds a token, by the built-in words or the ``token-names`` option."""
        return credentials.is_token_name(name) or name.lower() in self.settings.extra_token_names

    def is_query_token_key(self, name: str) -> bool:
        return credentials.is_query_token_key(name) or name.lower() in self.settings.extra_token_names

    def _mapping_item(self, kind: Kind, name: str) -> Value | None:
        if kind is Kind.HEADERS:
            lowered = name.lower()
            if lowered in credentials.AUTHORIZATION_HEADERS:
                return Value(Kind.AUTH_HEADER, f"the {name} header")
            if lowered in credentials.SECRET_HEADERS or lowered in self.settings.extra_token_headers:
                return Value(Kind.SECRET_VALUE, f"the {name} header")
            return None
        if kind is Kind.ENVIRON:
            if name in credentials.AUTHORIZATION_ENVIRON:
                return Value(Kind.AUTH_HEADER, f"environ[{name!r}]")
            extra = {credentials.environ_key(h) for h in self.settings.extra_token_headers}
            if name in credentials.SECRET_ENVIRON or name in extra:
                return Value(Kind.SECRET_VALUE, f"environ[{name!r}]")
            return None
        if kind is Kind.QUERY:
            if self.is_query_token_key(name):
                return Value(Kind.TOKEN, f"the {name!r} query parameter")
            return None
        if credentials.is_credential_name(name):
            return Value(Kind.TOKEN, f"the {name!r} cookie")
        return None

    def _call_value(self, node: ast.Call, scope: Scope) -> Value | None:
        func = node.func
        if isinstance(func, ast.Attribute):
            base = self.value_of(func.value, scope)
            if base is None:
                return None
            method = func.attr
            if base.kind in _MAPPINGS and method in _MAPPING_GETTERS and node.args:
                return self._item_of(base, node.args[0], scope)
            if base.kind in _STRING_KINDS and method in _KEEPING_METHODS and not node.args:
                return base
            if base.kind is Kind.AUTH_HEADER:
                if method in _SPLITTING_METHODS:
                    return Value(Kind.PARTS, base.label)
                if method in _CUTTING_METHODS or (method in ("lstrip", "strip") and node.args):
                    return Value(Kind.TOKEN, base.label)
            return None
        if scope.module.is_builtin(func, "str") and len(node.args) == 1:
            inner = self.value_of(node.args[0], scope)
            return inner if inner is not None and inner.kind in _STRING_KINDS else None
        for returned, callee in self._returns_of(node, scope):
            found = self.value_of(returned, callee)
            if found is not None:
                return found
        return None

    # -- tokens ------------------------------------------------------------
    def token_label(self, node: ast.expr, scope: Scope) -> str | None:
        """How a message names the token ``node`` holds, or None when it holds none."""
        key = (_identity(node), id(scope))
        if key in self._tokens:
            return self._tokens[key]
        self._tokens[key] = None
        result = self._compute_token(node, scope)
        self._tokens[key] = result
        return result

    def _compute_token(self, node: ast.expr, scope: Scope) -> str | None:
        value = self.value_of(node, scope)
        if value is not None:
            return value.label if value.kind is Kind.TOKEN else None
        by_name = scope.module.handles_credentials
        if isinstance(node, ast.Name):
            if node.id in scope.module.aliases and not scope.binds(node.id):
                return None  # an imported module or function (``jwt``), not a value
            if by_name and self.is_token_name(node.id):
                return f"`{node.id}`"
            for binding, where in scope.lookup(node.id):
                if not binding.iterates and binding.index is None:
                    found = self.token_label(binding.value, where)
                    if found is not None:
                        return found
            return None
        if isinstance(node, ast.Attribute):
            if scope.module.qualname(node) is not None:
                return None  # ``jwt.api_jwt``: a module path, not a value
            return f"`{node.attr}`" if by_name and self.is_token_name(node.attr) else None
        if isinstance(node, ast.Subscript):
            key_name = self.string_of(node.slice, scope)
            named = by_name and key_name is not None and self.is_token_name(key_name)
            return f"`{key_name}`" if named else None
        if isinstance(node, ast.Call):
            return self._call_token(node, scope)
        if isinstance(node, (ast.IfExp, ast.BoolOp)):
            parts = (node.body, node.orelse) if isinstance(node, ast.IfExp) else node.values
            for part in parts:
                found = self.token_label(part, scope)
                if found is not None:
                    return found
        return None

    def _call_token(self, node: ast.Call, scope: Scope) -> str | None:
        func = node.func
        qualname = scope.module.qualname(func)
        if qualname in TOKEN_FACTORIES:
            return f"the token from {qualname}()"
        name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
        if _TOKEN_FACTORY_NAME.match(name):
            return f"the token from {name}()"
        if isinstance(func, ast.Attribute) and func.attr == "get" and node.args and scope.module.handles_credentials:
            key_name = self.string_of(node.args[0], scope)
            if key_name is not None and self.is_token_name(key_name):
                return f"`{key_name}`"
        if isinstance(func, ast.Attribute) and func.attr in _KEEPING_METHODS:
            return self.token_label(func.value, scope)
        if scope.module.is_builtin(func, "str") and len(node.args) == 1:
            return self.token_label(node.args[0], scope)
        for returned, callee in self._returns_of(node, scope):
            found = self.token_label(returned, callee)
            if found is not None:
                return f"the token from {name}()"
        return None

    # -- what writing a value out reveals ----------------------------------
    def leak_of(self, node: ast.expr, scope: Scope, tokens: bool = False) -> str | None:
        """A label for what writing ``node`` out would reveal: request credentials, or with
        ``tokens`` a token."""
        key = (_identity(node), id(scope), tokens)
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
            for binding, where in scope.lookup(node.id):
                if binding.iterates and binding.index == 0 and _is_method_call(binding.value, "items"):
                    continue  # the key of ``for name, value in headers.items()``
                found = self.leak_of(binding.value, where, tokens)
                if found is not None:
                    return found
            return None
        if isinstance(node, ast.JoinedStr):
            return self._first_leak(node.values, scope, tokens)
        if isinstance(node, (ast.FormattedValue, ast.Starred, ast.NamedExpr)):
            return self.leak_of(node.value, scope, tokens)
        if isinstance(node, ast.BinOp):
            return self._first_leak((node.left, node.right), scope, tokens)
        if isinstance(node, (ast.Tuple, ast.List, ast.Set)):
            return self._first_leak(node.elts, scope, tokens)
        if isinstance(node, ast.Dict):
            return self._first_leak(node.values, scope, tokens)
        if isinstance(node, (ast.IfExp, ast.BoolOp)):
            parts = (node.body, node.orelse) if isinstance(node, ast.IfExp) else node.values
            return self._first_leak(parts, scope, tokens)
        if isinstance(node, (ast.GeneratorExp, ast.ListComp, ast.SetComp, ast.DictComp)):
            if any(generator.ifs for generator in node.generators):
                return None  # a filtered copy may well be the redaction
            return self._first_leak((g.iter for g in node.generators), scope, tokens)
        if isinstance(node, ast.Call):
            return self._call_leak(node, scope, tokens)
        return None

    def _call_leak(self, node: ast.Call, scope: Scope, tokens: bool) -> str | None:
        func = node.func
        arguments = [*node.args, *(k.value for k in node.keywords)]
        module = scope.module
        if module.qualname(func) in _STRINGIFYING_FUNCTIONS:
            return self._first_leak(arguments, scope, tokens)
        if isinstance(func, ast.Attribute):
            if func.attr == "format":
                return self._first_leak([func.value, *arguments], scope, tokens)
            if func.attr == "join":
                return self._first_leak(node.args, scope, tokens)
            if func.attr in _WHOLE_MAPPING_METHODS and not tokens:
                base = self.value_of(func.value, scope)
                if base is not None and base.kind in LEAKING_KINDS:
                    return base.label
            return None
        if isinstance(func, ast.Name) and func.id in _STRINGIFYING_BUILTINS and module.is_builtin(func, func.id):
            return self._first_leak(arguments, scope, tokens)
        return None


# Calls whose result is a freshly issued token.
TOKEN_FACTORIES = frozenset(
    {
        "jwt.encode",
        "jose.jwt.encode",
        "flask_jwt_extended.create_access_token",
        "flask_jwt_extended.create_refresh_token",
    }
)
_TOKEN_FACTORY_NAME = re.compile(r"^_?(generate|issue|create|make|new|mint|sign)_?\w*(token|jwt)$", re.IGNORECASE)
