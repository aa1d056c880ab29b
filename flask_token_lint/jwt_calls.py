"""Reading a JWT decode call: which library, which token, what it verifies.

PyJWT (``jwt.decode``/``decode_complete``, 1.x and 2.x) and python-jose
(``jose.jwt.decode``) share a signature: ``decode(token, key, algorithms,
options, ...)``. Options are read from a dict literal, ``dict(...)`` or a
local or module name bound to one, including ``**`` merges. Anything the
analysis cannot see (``**kwargs``, an options parameter) makes the answer
"unknown", and rules stay silent on unknowns.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from typing import Callable, Optional

from flask_token_lint.module_facts import argument
from flask_token_lint.scopes import Scope
from flask_token_lint.values import ValueAnalysis

DECODE_FUNCTIONS = frozenset(
    {
        "jwt.decode",
        "jwt.decode_complete",
        "jwt.api_jwt.decode",
        "jwt.api_jwt.decode_complete",
        "jose.jwt.decode",
    }
)
# Functions that read claims without ever verifying them.
UNVERIFIED_READERS = frozenset({"jose.jwt.get_unverified_claims", "jose.jws.get_unverified_claims"})
ENCODE_FUNCTIONS = frozenset({"jwt.encode", "jwt.api_jwt.encode", "jose.jwt.encode"})
# PyJWT's classes: ``jwt.PyJWT().decode(...)`` is ``jwt.decode``; a JWS has no claims.
_JWT_CLASSES = frozenset({"jwt.PyJWT", "jwt.api_jwt.PyJWT"})
_JWS_CLASSES = frozenset({"jwt.PyJWS", "jwt.api_jws.PyJWS"})

_POSITIONS = {"token": 0, "key": 1, "algorithms": 2, "options": 3}
_TOKEN_KEYWORDS = ("token", "jwt")


def _is_false(node: ast.expr | None) -> bool:
    return isinstance(node, ast.Constant) and node.value in (False, 0) and node.value is not None


@dataclass
class DecodeCall:
    call: ast.Call
    function: str  # qualified name, e.g. "jwt.decode"
    options: Optional[dict[str, ast.expr]]  # None when the options cannot be read
    reader_only: bool  # get_unverified_claims: never verifies
    has_claims: bool = True  # False for a JWS, which carries no aud/iss/exp to check

    @property
    def has_star_kwargs(self) -> bool:
        return any(k.arg is None for k in self.call.keywords)

    def argument(self, name: str) -> ast.expr | None:
        return argument(self.call, _TOKEN_KEYWORDS if name == "token" else name, _POSITIONS.get(name))

    def has_argument(self, name: str) -> bool:
        if any(isinstance(a, ast.Starred) for a in self.call.args):
            return True  # positions unknown: assume it may be there
        return self.argument(name) is not None or self.has_star_kwargs

    def omits(self, name: str, constant_of: Callable[[ast.expr], ast.expr]) -> bool:
        """``name`` is not passed at all, or passed as a literal None."""
        given = self.argument(name)
        if given is None:
            return not self.has_argument(name)
        given = constant_of(given)
        return isinstance(given, ast.Constant) and given.value is None

    @property
    def token(self) -> ast.expr | None:
        return self.argument("token")

    def disables(self, option: str) -> bool:
        """The options visibly set ``option`` to a false literal."""
        return self.options is not None and _is_false(self.options.get(option))

    @property
    def unverified(self) -> bool:
        if self.reader_only:
            return True
        return self.disables("verify_signature") or _is_false(argument(self.call, "verify"))

    @property
    def verifies(self) -> bool:
        """Known to check the signature: nothing turns it off and nothing is hidden."""
        if self.reader_only or self.options is None or self.has_star_kwargs:
            return False
        verify = argument(self.call, "verify")
        if verify is not None and not (isinstance(verify, ast.Constant) and verify.value is True):
            return False
        flag = self.options.get("verify_signature")
        return flag is None or (isinstance(flag, ast.Constant) and flag.value is True)


def _object_method(call: ast.Call, scope: Scope, values: ValueAnalysis) -> tuple[str, str] | None:
    """``(class qualname, method)`` for ``jwt.PyJWT().decode(...)`` or ``obj.decode(...)``."""
    func = call.func
    if not isinstance(func, ast.Attribute) or func.attr not in ("decode", "decode_complete", "encode"):
        return None
    receiver = values.constant_of(func.value, scope)
    if not isinstance(receiver, ast.Call):
        return None
    cls = scope.module.qualname(receiver.func)
    return (cls, func.attr) if cls in _JWT_CLASSES or cls in _JWS_CLASSES else None


def read_decode_call(call: ast.Call, scope: Scope, values: ValueAnalysis) -> DecodeCall | None:
    """A ``DecodeCall`` when ``call`` decodes a JWT, else None."""
    function = scope.module.qualname(call.func)
    has_claims = True
    if function in UNVERIFIED_READERS:
        return DecodeCall(call, function, {}, reader_only=True)
    if function not in DECODE_FUNCTIONS:
        method = _object_method(call, scope, values)
        if method is None or method[1] not in ("decode", "decode_complete"):
            return None
        function = f"{method[0]}().{method[1]}"
        has_claims = method[0] in _JWT_CLASSES
    decode = DecodeCall(call, function, {}, reader_only=False, has_claims=has_claims)
    options_node = decode.argument("options")
    if options_node is not None:
        decode.options = _read_options(options_node, scope, values, depth=0)
    return decode


def _read_options(node: ast.expr, scope: Scope, values: ValueAnalysis, depth: int) -> dict[str, ast.expr] | None:
    """Option name -> value node, or None when the options cannot be read."""
    if depth > 10:
        return None
    node = values.constant_of(node, scope)
    if isinstance(node, ast.Constant) and node.value is None:
        return {}
    result: dict[str, ast.expr] = {}
    if isinstance(node, ast.Dict):
        for key, value in zip(node.keys, node.values):
            if key is None:  # ``**other``
                merged = _read_options(value, scope, values, depth + 1)
                if merged is None:
                    return None
                result.update(merged)
            elif isinstance(key, ast.Constant) and isinstance(key.value, str):
                result[key.value] = values.constant_of(value, scope)
            else:
                return None
        return result
    if isinstance(node, ast.Call) and scope.module.is_builtin(node.func, "dict"):
        for positional in node.args:
            merged = _read_options(positional, scope, values, depth + 1)
            if merged is None:
                return None
            result.update(merged)
        for keyword in node.keywords:
            if keyword.arg is None:
                return None
            result[keyword.arg] = values.constant_of(keyword.value, scope)
        return result
    return None


def later_verified_decode_of(decode: DecodeCall, scope: Scope, values: ValueAnalysis) -> bool:
    """Peek-then-verify: later in the scope the same token is verified.

    Either by a verifying decode of it, or by handing it (directly, or in a dict
    passed as ``**kwargs``) to a function named ``*decode*``/``*verify*``, as
    flask-jwt-extended does with its own ``_decode_jwt``.
    """
    token = decode.token
    if token is None:
        return False
    positions, last_verified = _verifications(scope, values)
    position = positions.get(id(decode.call))
    return position is not None and last_verified.get(ast.dump(token), -1) > position


def _verifications(scope: Scope, values: ValueAnalysis) -> tuple[dict[int, int], dict[str, int]]:
    """Each call's position in the scope, and per token expression the last call that verifies it,
    computed once per scope (asking per decode made many decodes cost quadratic time)."""
    key = ("verifications", id(scope))
    cached = values.memo.get(key)
    if cached is not None:
        return cached  # type: ignore[return-value]
    positions: dict[int, int] = {}
    last_verified: dict[str, int] = {}
    for index, call in enumerate(scope.facts.calls):
        positions[id(call)] = index
        other = read_decode_call(call, scope, values)
        if other is not None:
            if other.verifies and other.token is not None:
                last_verified[ast.dump(other.token)] = index
            continue
        func = call.func
        name = (func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")).lower()
        if "decode" in name or "verify" in name:
            for handed in _handed_over(call, scope, values):
                last_verified[ast.dump(handed)] = index
    values.memo[key] = (positions, last_verified)
    return positions, last_verified


def _handed_over(call: ast.Call, scope: Scope, values: ValueAnalysis) -> list[ast.expr]:
    """The expressions ``call`` receives: its arguments, and the values of dicts passed as ``**``."""
    handed = [*call.args, *(k.value for k in call.keywords if k.arg is not None)]
    for keyword in call.keywords:
        if keyword.arg is None:
            mapping = values.constant_of(keyword.value, scope)
            if isinstance(mapping, ast.Dict):
                handed.extend(mapping.values)
    return handed


@dataclass
class EncodeCall:
    call: ast.Call
    function: str

    def argument(self, name: str) -> ast.expr | None:
        """``payload`` (0, or ``claims=`` in python-jose), ``key`` (1) or ``algorithm`` (2)."""
        aliases = {"payload": ("payload", "claims"), "key": ("key",), "algorithm": ("algorithm",)}[name]
        return argument(self.call, aliases, ("payload", "key", "algorithm").index(name))


def read_encode_call(call: ast.Call, scope: Scope, values: ValueAnalysis) -> EncodeCall | None:
    """An ``EncodeCall`` when ``call`` signs a JWT (PyJWT or python-jose), else None."""
    function = scope.module.qualname(call.func)
    if function in ENCODE_FUNCTIONS:
        return EncodeCall(call, function)
    method = _object_method(call, scope, values)
    if method is not None and method[1] == "encode":
        return EncodeCall(call, f"{method[0]}().encode")
    return None


_CHECKING_WORDS = ("validate", "verify", "check")


def claims_checked_by_hand(decode: DecodeCall, scope: Scope) -> bool:
    """The decoded claims go on to be checked in code: ``data["exp"]`` is read, or the result is
    handed to a function named ``*validate*``/``*verify*``/``*check*`` in the same scope."""
    facts = scope.facts
    statement = facts.parents.get(decode.call)
    while statement is not None and not isinstance(statement, ast.stmt):
        statement = facts.parents.get(statement)
    if not isinstance(statement, ast.Assign) or not isinstance(statement.targets[0], ast.Name):
        return False
    for use in facts.loads.get(statement.targets[0].id, ()):
        parent = facts.parents.get(use)
        if isinstance(parent, ast.Subscript) and isinstance(parent.slice, ast.Constant) and parent.slice.value == "exp":
            return True
        if isinstance(parent, ast.Call) and use is not parent.func:
            func = parent.func
            name = (func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")).lower()
            if any(word in name for word in _CHECKING_WORDS):
                return True
    return False


def is_state_token(decode: DecodeCall) -> bool:
    """An OAuth ``state`` value the app signed itself: no other party's audience or issuer applies."""
    token = decode.token
    if token is None:
        return False
    text = " ".join(
        n.id if isinstance(n, ast.Name) else n.attr if isinstance(n, ast.Attribute) else str(n.value)
        for n in ast.walk(token)
        if isinstance(n, (ast.Name, ast.Attribute)) or (isinstance(n, ast.Constant) and isinstance(n.value, str))
    )
    return "state" in text.lower()
