"""Reading a JWT decode or encode call: which library, which token, what it verifies.

PyJWT (``jwt.decode``/``decode_complete``, 1.x and 2.x) and python-jose
(``jose.jwt.decode``) share a signature: ``decode(token, key, algorithms,
options, ...)``. Options are read as the dict stands at the call on every path that reaches
it (a literal, ``dict(...)``, ``**`` merges, later ``opts["k"] = v`` and ``update``), and so
are ``**kwargs`` dicts built in the function. Anything the analysis cannot see (an unknown
``**kwargs``, an options parameter) makes the answer "unknown", and rules stay silent on unknowns.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
from typing import Callable

from flask_token_lint.scopes import Scope
from flask_token_lint.syntax import argument, call_name
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
_CHECKING_WORDS = ("validate", "verify", "check")


def is_string(node: ast.AST, text: str) -> bool:
    return isinstance(node, ast.Constant) and node.value == text


def _is_false(node: ast.expr | None) -> bool:
    return isinstance(node, ast.Constant) and node.value in (False, 0) and node.value is not None


def _is_true(node: ast.expr | None) -> bool:
    return isinstance(node, ast.Constant) and node.value is True


Possible = Callable[[ast.expr], "list[ast.expr]"]


@dataclass
class DecodeCall:
    call: ast.Call
    function: str  # qualified name, e.g. "jwt.decode"
    # One dict per path reaching the call, option -> every value it may hold, and whether other
    # options may be set on that path too (the dict could not be read whole).
    options: list[tuple[dict[str, list[ast.expr]], bool]]
    reader_only: bool  # get_unverified_claims: never verifies
    has_claims: bool = True  # False for a JWS, which carries no aud/iss/exp to check
    # Keywords passed through ``**kwargs`` dicts, keyword -> every value it may hold.
    spread: dict[str, list[ast.expr]] = field(default_factory=dict)
    spread_open: bool = False  # a ``**kwargs`` may pass keywords the analysis cannot see
    verify_values: list[ast.expr] = field(default_factory=list)  # what PyJWT 1.x's ``verify=`` may be

    @property
    def has_star_kwargs(self) -> bool:
        """A ``**kwargs`` the analysis could not read whole: any keyword may hide in it."""
        return self.spread_open

    def argument(self, name: str) -> ast.expr | None:
        found = argument(self.call, _TOKEN_KEYWORDS if name == "token" else name, _POSITIONS.get(name))
        if found is None and self.spread:
            values = self.spread.get(name)
            return values[0] if values else None
        return found

    def has_argument(self, name: str) -> bool:
        if any(isinstance(a, ast.Starred) for a in self.call.args):
            return True  # positions unknown: assume it may be there
        return self.argument(name) is not None or self.has_star_kwargs

    def omits(self, name: str, possible: Possible) -> bool:
        """``name`` is not passed at all, or may be passed as a literal None."""
        given = self.argument(name)
        if given is None:
            return not self.has_argument(name)
        return any(isinstance(v, ast.Constant) and v.value is None for v in possible(given))

    @property
    def token(self) -> ast.expr | None:
        return self.argument("token")

    def disables(self, option: str) -> bool:
        """On some path the options set ``option`` to a false literal."""
        return any(_is_false(v) for mapping, _ in self.options for v in mapping.get(option, ()))

    def option(self, name: str) -> ast.expr | None:
        """A value the options give ``name`` (the first path's), if any."""
        for mapping, _ in self.options:
            if mapping.get(name):
                return mapping[name][0]
        return None

    @property
    def unverified(self) -> bool:
        if self.reader_only:
            return True
        return self.disables("verify_signature") or any(_is_false(v) for v in self.verify_values)

    @property
    def verifies(self) -> bool:
        """Known to check the signature on every path: nothing turns it off and nothing is hidden."""
        if self.reader_only or self.has_star_kwargs or any(is_open for _, is_open in self.options):
            return False
        if self.verify_values and not all(_is_true(v) for v in self.verify_values):
            return False
        return all(_is_true(v) for mapping, _ in self.options for v in mapping.get("verify_signature", ()))

    @property
    def is_state_token(self) -> bool:
        """An OAuth ``state`` value the app signed itself: no other party's audience or issuer applies."""
        token = self.token
        if token is None:
            return False
        text = " ".join(
            n.id if isinstance(n, ast.Name) else n.attr if isinstance(n, ast.Attribute) else str(n.value)
            for n in ast.walk(token)
            if isinstance(n, (ast.Name, ast.Attribute)) or (isinstance(n, ast.Constant) and isinstance(n.value, str))
        )
        return "state" in text.lower()


@dataclass
class EncodeCall:
    call: ast.Call
    function: str
    spread: dict[str, list[ast.expr]] = field(default_factory=dict)

    def argument(self, name: str) -> ast.expr | None:
        """``payload`` (0, or ``claims=`` in python-jose), ``key`` (1) or ``algorithm`` (2)."""
        aliases = {"payload": ("payload", "claims"), "key": ("key",), "algorithm": ("algorithm",)}[name]
        found = argument(self.call, aliases, ("payload", "key", "algorithm").index(name))
        if found is None and self.spread:
            for alias in aliases:
                if self.spread.get(alias):
                    return self.spread[alias][0]
        return found


class JwtCalls:
    """Decode and encode calls of one file, each read once however many rules ask."""

    def __init__(self, values: ValueAnalysis) -> None:
        self.values = values
        self._decodes: dict[int, DecodeCall | None] = {}
        self._encodes: dict[int, EncodeCall | None] = {}
        self._verifications: dict[int, tuple[dict[int, int], dict[str, int]]] = {}

    def spread(self, call: ast.Call, scope: Scope) -> tuple[dict[str, list[ast.expr]], bool]:
        """Keywords passed through ``**kwargs`` dicts, read on every path, and whether some path may
        pass keywords the analysis cannot see."""
        found: dict[str, list[ast.expr]] = {}
        is_open = False
        for keyword in call.keywords:
            if keyword.arg is not None:
                continue
            for mapping in self.values.mappings_of(keyword.value, scope):
                is_open = is_open or mapping.open
                for name, value in mapping.items():
                    found.setdefault(name, []).append(value)
        return found, is_open

    def _object_method(self, call: ast.Call, scope: Scope) -> tuple[str, str] | None:
        """``(class qualname, method)`` for ``jwt.PyJWT().decode(...)`` or ``obj.decode(...)``."""
        func, where = self.values.resolve(call.func, scope)
        if not isinstance(func, ast.Attribute) or func.attr not in ("decode", "decode_complete", "encode"):
            return None
        receiver = self.values.constant_of(func.value, where)
        if not isinstance(receiver, ast.Call):
            return None
        cls = self.values.qualname(receiver.func, where)
        return (cls, func.attr) if cls in _JWT_CLASSES or cls in _JWS_CLASSES else None

    def decode(self, call: ast.Call, scope: Scope) -> DecodeCall | None:
        key = id(call)
        if key not in self._decodes:
            self._decodes[key] = self._read_decode(call, scope)
        return self._decodes[key]

    def _read_decode(self, call: ast.Call, scope: Scope) -> DecodeCall | None:
        function = self.values.qualname(call.func, scope)
        has_claims = True
        if function in UNVERIFIED_READERS:
            return DecodeCall(call, function, [], reader_only=True)
        if function not in DECODE_FUNCTIONS:
            method = self._object_method(call, scope)
            if method is None or method[1] not in ("decode", "decode_complete"):
                return None
            function = f"{method[0]}().{method[1]}"
            has_claims = method[0] in _JWT_CLASSES
        spread, spread_open = self.spread(call, scope)
        decode = DecodeCall(call, function, [], reader_only=False, has_claims=has_claims,
                            spread=spread, spread_open=spread_open)
        options_node = argument(call, "options", _POSITIONS["options"])
        if options_node is not None:
            decode.options = self._read_options(options_node, scope)
        elif "options" in spread:
            decode.options = [m for node in spread["options"] for m in self._read_options(node, scope)]
        verify = argument(call, "verify")
        if verify is not None:
            decode.verify_values = self.values.constants_of(verify, scope)
        elif "verify" in spread:
            decode.verify_values = [c for v in decode.spread["verify"] for c in self.values.constants_of(v, scope)]
        return decode

    def _read_options(self, node: ast.expr, scope: Scope) -> list[tuple[dict[str, list[ast.expr]], bool]]:
        if isinstance(node, ast.Name):
            mappings = self.values.caller_options(node, scope)
        else:
            mappings = self.values.mappings_of(node, scope)
        return [
            ({name: self.values.constants_of(value, scope) for name, value in mapping.items()}, mapping.open)
            for mapping in mappings
        ]

    def encode(self, call: ast.Call, scope: Scope) -> EncodeCall | None:
        key = id(call)
        if key not in self._encodes:
            function = self.values.qualname(call.func, scope)
            found = None
            if function in ENCODE_FUNCTIONS:
                found = EncodeCall(call, function, self.spread(call, scope)[0])
            else:
                method = self._object_method(call, scope)
                if method is not None and method[1] == "encode":
                    found = EncodeCall(call, f"{method[0]}().encode", self.spread(call, scope)[0])
            self._encodes[key] = found
        return self._encodes[key]

    # -- peek-then-verify --------------------------------------------------------------
    def later_verified(self, decode: DecodeCall, scope: Scope) -> bool:
        """Peek-then-verify: later in the scope the same token is verified.

        Either by a verifying decode of it, or by handing it (directly, or in a dict
        passed as ``**kwargs``) to a function named ``*decode*``/``*verify*``, as
        flask-jwt-extended does with its own ``_decode_jwt``.
        """
        token = decode.token
        if token is None:
            return False
        positions, last_verified = self._verified_in(scope)
        position = positions.get(id(decode.call))
        return position is not None and last_verified.get(ast.dump(token), -1) > position

    def _verified_in(self, scope: Scope) -> tuple[dict[int, int], dict[str, int]]:
        """Each call's position in the scope, and per token expression the last call that verifies it,
        computed once per scope (asking per decode made many decodes cost quadratic time)."""
        cached = self._verifications.get(id(scope))
        if cached is not None:
            return cached
        positions: dict[int, int] = {}
        last_verified: dict[str, int] = {}
        for index, call in enumerate(scope.facts.calls):
            positions[id(call)] = index
            other = self.decode(call, scope)
            if other is not None:
                if other.verifies and other.token is not None:
                    last_verified[ast.dump(other.token)] = index
                continue
            name = call_name(call).lower()
            if "decode" in name or "verify" in name:
                for handed in self._handed_over(call, scope):
                    last_verified[ast.dump(handed)] = index
        self._verifications[id(scope)] = (positions, last_verified)
        return positions, last_verified

    def _handed_over(self, call: ast.Call, scope: Scope) -> list[ast.expr]:
        """The expressions ``call`` receives: its arguments, and the values of dicts passed as ``**``."""
        handed = [*call.args, *(k.value for k in call.keywords if k.arg is not None)]
        for values in self.spread(call, scope)[0].values():
            handed.extend(values)
        return handed

    def claims_checked_by_hand(self, decode: DecodeCall, scope: Scope) -> bool:
        """The decoded claims go on to be checked in code: ``data["exp"]`` is read, or the result is
        handed to a function named ``*validate*``/``*verify*``/``*check*`` in the same scope."""
        parents = self.values.parents
        statement = parents.get(decode.call)
        while statement is not None and not isinstance(statement, ast.stmt):
            statement = parents.get(statement)
        if not isinstance(statement, ast.Assign) or not isinstance(statement.targets[0], ast.Name):
            return False
        for use in scope.facts.loads.get(statement.targets[0].id, ()):
            parent = parents.get(use)
            if isinstance(parent, ast.Subscript) and is_string(parent.slice, "exp"):
                return True
            if isinstance(parent, ast.Call) and use is not parent.func:
                name = call_name(parent).lower()
                if any(word in name for word in _CHECKING_WORDS):
                    return True
        return False
