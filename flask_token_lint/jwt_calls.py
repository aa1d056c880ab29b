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
from typing import Optional

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

_POSITIONS = {"token": 0, "key": 1, "algorithms": 2, "options": 3}
_TOKEN_KEYWORDS = ("jwt", "token")


def _is_false(node: ast.expr | None) -> bool:
    return isinstance(node, ast.Constant) and node.value in (False, 0) and node.value is not None


@dataclass
class DecodeCall:
    call: ast.Call
    function: str  # qualified name, e.g. "jwt.decode"
    options: Optional[dict[str, ast.expr]]  # None when the options cannot be read
    reader_only: bool  # get_unverified_claims: never verifies

    @property
    def has_star_kwargs(self) -> bool:
        return any(k.arg is None for k in self.call.keywords)

    def argument(self, name: str) -> ast.expr | None:
        for keyword in self.call.keywords:
            if keyword.arg == name or (name == "token" and keyword.arg in _TOKEN_KEYWORDS):
                return keyword.value
        position = _POSITIONS.get(name)
        if position is not None and position < len(self.call.args):
            argument = self.call.args[position]
            return None if isinstance(argument, ast.Starred) else argument
        return None

    def has_argument(self, name: str) -> bool:
        if any(isinstance(a, ast.Starred) for a in self.call.args):
            return True  # positions unknown: assume it may be there
        return self.argument(name) is not None or self.has_star_kwargs

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
        return self.disables("verify_signature") or _is_false(self._keyword("verify"))

    @property
    def verifies(self) -> bool:
        """Known to check the signature: nothing turns it off and nothing is hidden."""
        if self.reader_only or self.options is None or self.has_star_kwargs:
            return False
        verify = self._keyword("verify")
        if verify is not None and not (isinstance(verify, ast.Constant) and verify.value is True):
            return False
        flag = self.options.get("verify_signature")
        return flag is None or (isinstance(flag, ast.Constant) and flag.value is True)

    def _keyword(self, name: str) -> ast.expr | None:
        for keyword in self.call.keywords:
            if keyword.arg == name:
                return keyword.value
        return None


def read_decode_call(call: ast.Call, scope: Scope, values: ValueAnalysis) -> DecodeCall | None:
    """A ``DecodeCall`` when ``call`` decodes a JWT, else None."""
    function = scope.module.qualname(call.func)
    if function in UNVERIFIED_READERS:
        return DecodeCall(call, function, {}, reader_only=True)
    if function not in DECODE_FUNCTIONS:
        return None
    decode = DecodeCall(call, function, {}, reader_only=False)
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
        for argument in node.args:
            merged = _read_options(argument, scope, values, depth + 1)
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
    """Peek-then-verify: the same token is decoded with verification later in the scope."""
    token = decode.token
    if token is None:
        return False
    wanted = ast.dump(token)
    calls = scope.facts.calls
    if decode.call not in calls:
        return False
    for later in calls[calls.index(decode.call) + 1:]:
        other = read_decode_call(later, scope, values)
        if other is not None and other.verifies and other.token is not None and ast.dump(other.token) == wanted:
            return True
    return False
