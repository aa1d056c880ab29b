"""Reading a JWT decode or encode call: which library, which token, what it verifies.

PyJWT (``jwt.decode``/``decode_complete``, 1.x and 2.x) and python-jose
(``jose.jwt.decode``) share a signature: ``decode(token, key, algorithms,
options, ...)``. Options are read as the dict stands at the call on every path that reaches
it (a literal, ``dict(...)``, ``**`` merges, later ``opts["k"] = v`` and ``update``), and so
are ``**kwargs`` dicts built in the function. Anything the analysis cannot see (an unknown
``**kwargs``, an options parameter) makes the answer "unknown", and rules stay silent on unknowns.

The other libraries Flask teams use are read with their own signatures:

- authlib's JOSE API (``authlib.jose.jwt`` or a ``JsonWebToken([...])``): ``decode(s, key,
  claims_cls, claims_options, claims_params)`` checks the signature against ``key`` and returns
  claims that nothing checks until ``claims.validate()``; ``encode(header, payload, key)`` takes
  the header first.
- python_jwt: ``verify_jwt(jwt, pub_key, allowed_algs, ...)`` verifies, ``process_jwt(jwt)`` never
  does; ``generate_jwt(claims, priv_key, algorithm, lifetime, expires, ...)`` signs.
- flask-jwt-extended: ``decode_token(encoded_token, csrf_value, allow_expired)`` verifies with the
  app's configuration (key, algorithms, audience and issuer are settings, not arguments).
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
from typing import Callable, Dict, Optional, Tuple

from flask_token_lint.scopes import Scope
from flask_token_lint.syntax import argument, call_name
from flask_token_lint.values import ValueAnalysis

PYJWT = "PyJWT"
JOSE = "python-jose"
AUTHLIB = "authlib"
PYTHON_JWT = "python_jwt"
FLASK_JWT_EXTENDED = "flask-jwt-extended"

# Qualified name -> library.
DECODE_FUNCTIONS = {
    "jwt.decode": PYJWT,
    "jwt.decode_complete": PYJWT,
    "jwt.api_jwt.decode": PYJWT,
    "jwt.api_jwt.decode_complete": PYJWT,
    "jose.jwt.decode": JOSE,
    "authlib.jose.jwt.decode": AUTHLIB,
    "python_jwt.verify_jwt": PYTHON_JWT,
    "flask_jwt_extended.decode_token": FLASK_JWT_EXTENDED,
    "flask_jwt_extended.utils.decode_token": FLASK_JWT_EXTENDED,
}
# Functions that read claims without ever verifying them.
UNVERIFIED_READERS = {
    "jose.jwt.get_unverified_claims": JOSE,
    "jose.jws.get_unverified_claims": JOSE,
    "python_jwt.process_jwt": PYTHON_JWT,
}
ENCODE_FUNCTIONS = {
    "jwt.encode": PYJWT,
    "jwt.api_jwt.encode": PYJWT,
    "jose.jwt.encode": JOSE,
    "authlib.jose.jwt.encode": AUTHLIB,
    "python_jwt.generate_jwt": PYTHON_JWT,
}
# Classes whose objects decode and encode: ``jwt.PyJWT().decode(...)`` is ``jwt.decode``; a JWS has
# no claims; ``JsonWebToken([...]).decode(...)`` is authlib's ``jwt.decode`` with its own allow-list.
_JWT_CLASSES = frozenset({"jwt.PyJWT", "jwt.api_jwt.PyJWT"})
_JWS_CLASSES = frozenset({"jwt.PyJWS", "jwt.api_jws.PyJWS"})
_AUTHLIB_CLASSES = frozenset({"authlib.jose.JsonWebToken", "authlib.jose.rfc7519.JsonWebToken"})

# Each library's parameters: name -> (keywords, position). PyJWT and python-jose take any other
# option as a keyword of the same name (``audience=``, ``issuer=``, ``leeway=``, ``verify=``).
Parameters = Dict[str, Tuple[Tuple[str, ...], Optional[int]]]
_PYJWT_DECODE: Parameters = {
    "token": (("token", "jwt"), 0), "key": (("key",), 1), "algorithms": (("algorithms",), 2),
    "options": (("options",), 3),
}
_DECODE_PARAMETERS: dict[str, Parameters] = {
    PYJWT: _PYJWT_DECODE,
    JOSE: _PYJWT_DECODE,
    AUTHLIB: {"token": (("s",), 0), "key": (("key",), 1), "claims_options": (("claims_options",), 3)},
    PYTHON_JWT: {
        "token": (("jwt",), 0), "key": (("pub_key",), 1), "algorithms": (("allowed_algs",), 2),
        "checks_optional": (("checks_optional",), 4),
    },
    FLASK_JWT_EXTENDED: {"token": (("encoded_token",), 0), "allow_expired": (("allow_expired",), 2)},
}
_PYJWT_ENCODE: Parameters = {
    "payload": (("payload", "claims"), 0), "key": (("key",), 1), "algorithm": (("algorithm",), 2),
    "headers": (("headers",), 3),
}
_ENCODE_PARAMETERS: dict[str, Parameters] = {
    PYJWT: _PYJWT_ENCODE,
    JOSE: _PYJWT_ENCODE,
    AUTHLIB: {"headers": (("header",), 0), "payload": (("payload",), 1), "key": (("key",), 2)},
    PYTHON_JWT: {
        "payload": (("claims",), 0), "key": (("priv_key",), 1), "algorithm": (("algorithm",), 2),
        "lifetime": (("lifetime",), 3), "expires": (("expires",), 4),
    },
}
_KEYWORD_OPTIONS = frozenset({PYJWT, JOSE})
_CHECKING_WORDS = ("validate", "verify", "check")
# What authlib's claims_options say about a claim, from weakest to strongest.
CLAIM_ABSENT = "absent"  # no expected value: validate() accepts any
CLAIM_OPTIONAL = "optional"  # an expected value, but a token without the claim passes
CLAIM_UNKNOWN = "unknown"
CLAIM_CHECKED = "checked"  # essential, with an expected value
NEVER_VALIDATED = "never validated"


def _inside(scope: Scope, owner: Scope) -> bool:
    current: Scope | None = scope
    while current is not None:
        if current is owner:
            return True
        current = current.parent
    return False


def is_string(node: ast.AST, text: str) -> bool:
    return isinstance(node, ast.Constant) and node.value == text


def _is_false(node: ast.expr | None) -> bool:
    return isinstance(node, ast.Constant) and node.value in (False, 0) and node.value is not None


def _is_true(node: ast.expr | None) -> bool:
    return isinstance(node, ast.Constant) and node.value is True


def _is_empty_key(node: ast.expr) -> bool:
    return isinstance(node, ast.Constant) and node.value in ("", b"")


def _parameter(table: dict[str, Parameters], library: str, name: str) -> tuple[tuple[str, ...], int | None] | None:
    found = table[library].get(name)
    if found is None and library in _KEYWORD_OPTIONS:
        return (name,), None
    return found


def _argument(call: ast.Call, spec: tuple[tuple[str, ...], int | None] | None,
              spread: dict[str, list[ast.expr]]) -> ast.expr | None:
    if spec is None:
        return None
    keywords, position = spec
    found = argument(call, keywords, position)
    if found is None and spread:
        for keyword in keywords:
            if spread.get(keyword):
                return spread[keyword][0]
    return found


Possible = Callable[[ast.expr], "list[ast.expr]"]


@dataclass
class DecodeCall:
    call: ast.Call
    function: str  # qualified name, e.g. "jwt.decode"
    # One dict per path reaching the call, option -> every value it may hold, and whether other
    # options may be set on that path too (the dict could not be read whole).
    options: list[tuple[dict[str, list[ast.expr]], bool]]
    reader_only: bool  # get_unverified_claims, process_jwt: never verifies
    has_claims: bool = True  # False for a JWS, which carries no aud/iss/exp to check
    # Keywords passed through ``**kwargs`` dicts, keyword -> every value it may hold.
    spread: dict[str, list[ast.expr]] = field(default_factory=dict)
    spread_open: bool = False  # a ``**kwargs`` may pass keywords the analysis cannot see
    verify_values: list[ast.expr] = field(default_factory=list)  # what PyJWT 1.x's ``verify=`` may be
    library: str = PYJWT
    # The key anyone has: "empty" (``""``/``b""`` where an HMAC algorithm may be used) or "none"
    # (authlib with no key at all); None when the key is not known to be one of them.
    weak_key: str | None = None
    # authlib: the ``validate*`` methods called on the returned claims in the function before they are
    # returned (``validate`` also when they are handed to a ``*validate*``/``*verify*``/``*check*``
    # function), or None when the claims go where the analysis cannot follow them.
    claims_validation: frozenset[str] | None = None
    # authlib: what ``claims_options`` say about "aud" and "iss" (``CLAIM_*``).
    claim_requirements: dict[str, str] = field(default_factory=dict)

    @property
    def has_star_kwargs(self) -> bool:
        """A ``**kwargs`` the analysis could not read whole: any keyword may hide in it."""
        return self.spread_open

    def unchecked_claim(self, claim: str) -> str | None:
        """authlib: why ``claim`` ("aud", "iss", "exp") goes unchecked: ``NEVER_VALIDATED`` (no
        ``claims.validate()`` before the claims are used), or what ``claims_options`` say of it
        (``CLAIM_ABSENT``, ``CLAIM_OPTIONAL``); None when it is checked or the analysis cannot tell."""
        if self.claims_validation is None:
            return None
        if not self.claims_validation & {"validate", f"validate_{claim}"}:
            return NEVER_VALIDATED
        requirement = self.claim_requirements.get(claim)
        return requirement if requirement in (CLAIM_ABSENT, CLAIM_OPTIONAL) else None

    def accepts(self, name: str) -> bool:
        """The library's decode takes this argument (``audience`` in PyJWT, not in python_jwt)."""
        return _parameter(_DECODE_PARAMETERS, self.library, name) is not None

    def argument(self, name: str) -> ast.expr | None:
        return _argument(self.call, _parameter(_DECODE_PARAMETERS, self.library, name), self.spread)

    def position(self, name: str) -> int | None:
        spec = _parameter(_DECODE_PARAMETERS, self.library, name)
        return None if spec is None else spec[1]

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

    @property
    def needs_allow_list(self) -> bool:
        """Without ``algorithms`` the library accepts the token's own ``alg`` (PyJWT 1.x, python-jose).
        authlib's allow-list is the ``JsonWebToken``'s, flask-jwt-extended's a setting, and python_jwt
        without ``allowed_algs`` rejects every token."""
        return self.library in _KEYWORD_OPTIONS

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
    def verification_off(self) -> bool:
        """``verify_signature`` or PyJWT 1.x's ``verify`` turned off."""
        return self.disables("verify_signature") or any(_is_false(v) for v in self.verify_values)

    @property
    def unverified(self) -> bool:
        if self.reader_only:
            return True
        return self.verification_off or self.weak_key is not None

    @property
    def verifies(self) -> bool:
        """Known to check the signature on every path: nothing turns it off and nothing is hidden."""
        if self.reader_only or self.weak_key is not None:
            return False
        if self.has_star_kwargs or any(is_open for _, is_open in self.options):
            return False
        if self.verify_values and not all(_is_true(v) for v in self.verify_values):
            return False
        return all(_is_true(v) for mapping, _ in self.options for v in mapping.get("verify_signature", ()))

    def written_at(self, name: str) -> ast.AST:
        """Where the call sets ``name``: its keyword (``verify=False``), the key of an ``options`` dict
        written in the call (``"verify_exp": False``), or the ``options`` keyword; else the call. A
        finding about that setting is reported there, so ``# noqa`` on its line works."""
        for keyword in self.call.keywords:
            if keyword.arg == name:
                return keyword
        for keyword in self.call.keywords:
            if keyword.arg == "options":
                if isinstance(keyword.value, ast.Dict):
                    for key in keyword.value.keys:
                        if isinstance(key, ast.Constant) and key.value == name:
                            return key
                return keyword
        return self.call

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
    library: str = PYJWT
    empty_key: bool = False  # ``""``/``b""`` signs where an HMAC algorithm may be used

    def argument(self, name: str) -> ast.expr | None:
        """``payload`` (``claims=`` in python-jose and python_jwt), ``key``, ``algorithm``, ``headers``
        (authlib's header comes first), and python_jwt's ``lifetime``/``expires``."""
        return _argument(self.call, self.parameter(name), self.spread)

    def parameter(self, name: str) -> tuple[tuple[str, ...], int | None] | None:
        return _ENCODE_PARAMETERS[self.library].get(name)

    def position(self, name: str) -> int | None:
        spec = self.parameter(name)
        return None if spec is None else spec[1]


class JwtCalls:
    """Decode and encode calls of one file, each read once however many rules ask."""

    def __init__(self, values: ValueAnalysis) -> None:
        self.values = values
        self._decodes: dict[int, DecodeCall | None] = {}
        self._spreads: dict[int, tuple[dict[str, list[ast.expr]], bool]] = {}
        self._encodes: dict[int, EncodeCall | None] = {}
        self._verifications: dict[int, tuple[dict[int, int], dict[str, int]]] = {}

    def spread(self, call: ast.Call, scope: Scope) -> tuple[dict[str, list[ast.expr]], bool]:
        """Keywords passed through ``**kwargs`` dicts, read on every path, and whether some path may
        pass keywords the analysis cannot see."""
        cached = self._spreads.get(id(call))
        if cached is not None:
            return cached
        found: dict[str, list[ast.expr]] = {}
        is_open = False
        for keyword in call.keywords:
            if keyword.arg is not None:
                continue
            for mapping in self.values.mappings_of(keyword.value, scope):
                is_open = is_open or mapping.open
                for name, value in mapping.items():
                    found.setdefault(name, []).append(value)
        self._spreads[id(call)] = (found, is_open)
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
        if cls in _AUTHLIB_CLASSES and func.attr == "decode_complete":
            return None
        known = cls in _JWT_CLASSES or cls in _JWS_CLASSES or cls in _AUTHLIB_CLASSES
        return (cls, func.attr) if known and cls is not None else None

    def self_issued(self, scope: Scope) -> bool:
        """The decode sits in a class that is the only issuer of one kind of token: its methods sign
        exactly one kind (one ``encode`` call) and verify it (a token provider). No other party's
        audience or issuer applies; with two kinds signed, one could pass for the other, so no."""
        owner: Scope | None = scope
        while owner is not None and not owner.is_class:
            owner = owner.parent
        if owner is None:
            return False
        encodes = 0
        for inner in self.values.scopes.values():
            if _inside(inner, owner):
                encodes += sum(1 for call in inner.facts.calls if self.encode(call, inner) is not None)
        return encodes == 1

    def decode(self, call: ast.Call, scope: Scope) -> DecodeCall | None:
        key = id(call)
        if key not in self._decodes:
            self._decodes[key] = self._read_decode(call, scope)
        return self._decodes[key]

    def _read_decode(self, call: ast.Call, scope: Scope) -> DecodeCall | None:
        function = self.values.qualname(call.func, scope)
        has_claims = True
        if function in UNVERIFIED_READERS:
            return DecodeCall(call, function, [], reader_only=True, library=UNVERIFIED_READERS[function])
        if function in DECODE_FUNCTIONS:
            library = DECODE_FUNCTIONS[function]
        else:
            method = self._object_method(call, scope)
            if method is None or method[1] not in ("decode", "decode_complete"):
                return None
            function = f"{method[0]}().{method[1]}"
            has_claims = method[0] not in _JWS_CLASSES
            library = AUTHLIB if method[0] in _AUTHLIB_CLASSES else PYJWT
        spread, spread_open = self.spread(call, scope)
        decode = DecodeCall(call, function, [], reader_only=False, has_claims=has_claims,
                            spread=spread, spread_open=spread_open, library=library)
        if library in _KEYWORD_OPTIONS:
            options_node = argument(call, "options", _PYJWT_DECODE["options"][1])
            if options_node is not None:
                decode.options = self._read_options(options_node, scope)
            elif "options" in spread:
                decode.options = [m for node in spread["options"] for m in self._read_options(node, scope)]
            verify = argument(call, "verify")
            if verify is not None:
                decode.verify_values = self.values.constants_of(verify, scope)
            elif "verify" in spread:
                decode.verify_values = [c for v in decode.spread["verify"] for c in self.values.constants_of(v, scope)]
        decode.weak_key = self._weak_key(decode, scope)
        if library == AUTHLIB:
            decode.claims_validation = self._claims_validation(call, scope)
            options = decode.argument("claims_options")
            decode.claim_requirements = {claim: self._requirement(options, claim, scope) for claim in ("aud", "iss")}
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

    # -- keys anyone has ------------------------------------------------------------------
    def _weak_key(self, decode: DecodeCall, scope: Scope) -> str | None:
        """An empty key where an HMAC algorithm may be used (anyone can sign with it), or authlib's
        ``None`` key (nothing to check the signature with)."""
        if decode.library not in (PYJWT, JOSE, AUTHLIB):
            return None
        key = decode.argument("key")
        if key is None:
            return None
        values = self.values.constants_of(key, scope)
        if decode.library == AUTHLIB and any(isinstance(v, ast.Constant) and v.value is None for v in values):
            return "none"
        if any(_is_empty_key(v) for v in values) and self._may_use_hmac(decode.argument("algorithms"), scope):
            return "empty"
        return None

    def _may_use_hmac(self, algorithms: ast.expr | None, scope: Scope) -> bool:
        """An allow-list (or one algorithm) that may hold an HMAC algorithm; unknown ones may."""
        if algorithms is None:
            return True
        for value in self.values.constants_of(algorithms, scope):
            items = value.elts if isinstance(value, (ast.List, ast.Tuple, ast.Set)) else [value]
            for item in items:
                for name in self.values.constants_of(item, scope):
                    if not isinstance(name, ast.Constant):
                        return True  # not known
                    if isinstance(name.value, str) and name.value.upper().startswith("HS"):
                        return True
        return False

    # -- authlib's claims ---------------------------------------------------------------------
    def _claims_validation(self, call: ast.Call, scope: Scope) -> frozenset[str] | None:
        parents = self.values.parents
        parent = parents.get(call)
        if isinstance(parent, ast.Attribute):
            used = parents.get(parent)
            if parent.attr.startswith("validate") and isinstance(used, ast.Call) and used.func is parent:
                return frozenset({parent.attr})
            return frozenset()  # ``jwt.decode(...).get("sub")``: read straight away
        if isinstance(parent, (ast.Return, ast.Subscript, ast.Expr)):
            return frozenset()
        if isinstance(parent, (ast.Assign, ast.AnnAssign)) and parent.value is call:
            targets = parent.targets if isinstance(parent, ast.Assign) else [parent.target]
            if len(targets) == 1 and isinstance(targets[0], ast.Name):
                return self._validated_name(targets[0].id, parent, scope)
        return None

    def _validated_name(self, name: str, statement: ast.stmt, scope: Scope) -> frozenset[str]:
        parents = self.values.parents
        end = (statement.end_lineno or statement.lineno, statement.end_col_offset or 0)
        uses = sorted(
            (use for use in scope.facts.loads.get(name, ()) if (use.lineno, use.col_offset) >= end),
            key=lambda use: (use.lineno, use.col_offset),
        )
        methods: set[str] = set()
        returned = False
        for use in uses:
            parent = parents.get(use)
            if isinstance(parent, ast.Attribute) and parent.attr.startswith("validate"):
                if isinstance(parents.get(parent), ast.Call):
                    methods.add(parent.attr)
                    continue
            if isinstance(parent, ast.Call) and use is not parent.func:
                if any(word in call_name(parent).lower() for word in _CHECKING_WORDS):
                    methods.add("validate")
                    continue
            if not methods and self._in_return(use):
                returned = True  # handed back before any check
        return frozenset() if returned else frozenset(methods)

    def _in_return(self, node: ast.AST) -> bool:
        return isinstance(self._statement_of(node), ast.Return)

    def _statement_of(self, node: ast.AST) -> ast.AST | None:
        """The statement holding ``node``."""
        current = self.values.parents.get(node)
        while current is not None and not isinstance(current, ast.stmt):
            current = self.values.parents.get(current)
        return current

    def _requirement(self, options: ast.expr | None, claim: str, scope: Scope) -> str:
        """What authlib's ``claims_options`` make ``claims.validate()`` check of ``claim`` on the
        weakest path (``CLAIM_*``)."""
        if options is None:
            return CLAIM_ABSENT
        order = (CLAIM_ABSENT, CLAIM_OPTIONAL, CLAIM_UNKNOWN, CLAIM_CHECKED)
        states = []
        for mapping in self.values.mappings_of(options, scope):
            entry = mapping.get(claim)
            if entry is None:
                states.append(CLAIM_UNKNOWN if mapping.open else CLAIM_ABSENT)
                continue
            for rules in self.values.mappings_of(entry, scope):
                expects = any(word in rules for word in ("value", "values", "validate"))
                flag = rules.get("essential")
                essential = [] if flag is None else self.values.constants_of(flag, scope)
                if not expects:
                    states.append(CLAIM_UNKNOWN if rules.open else CLAIM_ABSENT)
                elif not essential:
                    states.append(CLAIM_UNKNOWN if rules.open else CLAIM_OPTIONAL)
                elif all(_is_true(c) for c in essential):
                    states.append(CLAIM_CHECKED)
                elif any(isinstance(c, ast.Constant) for c in essential):
                    states.append(CLAIM_OPTIONAL)
                else:
                    states.append(CLAIM_UNKNOWN)
        return min(states, key=order.index) if states else CLAIM_UNKNOWN

    def encode(self, call: ast.Call, scope: Scope) -> EncodeCall | None:
        key = id(call)
        if key not in self._encodes:
            function = self.values.qualname(call.func, scope)
            found = None
            if function in ENCODE_FUNCTIONS:
                found = EncodeCall(call, function, self.spread(call, scope)[0], ENCODE_FUNCTIONS[function])
            else:
                method = self._object_method(call, scope)
                if method is not None and method[1] == "encode":
                    library = AUTHLIB if method[0] in _AUTHLIB_CLASSES else PYJWT
                    found = EncodeCall(call, f"{method[0]}().encode", self.spread(call, scope)[0], library)
            if found is not None:
                found.empty_key = self._signs_with_empty_key(found, scope)
            self._encodes[key] = found
        return self._encodes[key]

    def _signs_with_empty_key(self, encode: EncodeCall, scope: Scope) -> bool:
        if encode.library not in (PYJWT, JOSE, AUTHLIB):
            return False
        key = encode.argument("key")
        if key is None or not any(_is_empty_key(v) for v in self.values.constants_of(key, scope)):
            return False
        if encode.library == AUTHLIB:
            header = encode.argument("headers")
            algorithms = [
                value for mapping in ([] if header is None else self.values.mappings_of(header, scope))
                for value in ([mapping["alg"]] if "alg" in mapping else [])
            ]
            return not algorithms or any(self._may_use_hmac(a, scope) for a in algorithms)
        return self._may_use_hmac(encode.argument("algorithm"), scope)  # HS256 when none is named

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
            if _named_as_a_verifier(call):
                for handed in self._handed_over(call, scope):
                    last_verified[ast.dump(handed)] = index
        self._verifications[id(scope)] = (positions, last_verified)
        return positions, last_verified

    def verifies(self, call: ast.Call, scope: Scope) -> bool:
        """``call`` verifies a token: a verifying decode, or a function named ``*decode*``/``*verify*``
        (a library's own helper, as for peek-then-verify)."""
        decode = self.decode(call, scope)
        return decode.verifies if decode is not None else _named_as_a_verifier(call)

    def _handed_over(self, call: ast.Call, scope: Scope) -> list[ast.expr]:
        """The expressions ``call`` receives: its arguments, and the values of dicts passed as ``**``."""
        handed = [*call.args, *(k.value for k in call.keywords if k.arg is not None)]
        for values in self.spread(call, scope)[0].values():
            handed.extend(values)
        return handed

    def claims_checked_by_hand(self, decode: DecodeCall, scope: Scope) -> bool:
        """The decoded claims go on to be checked in code: ``data["exp"]`` is read, or the result is
        handed to a function named ``*validate*``/``*verify*``/``*check*``, in the same scope or, when
        the function returns the decoded claims, where the module's own callers receive them."""
        if self._in_return(decode.call) and scope.is_function:
            return any(self._result_checked(site, where) for site, where in self.values.summaries.call_sites(scope))
        return self._result_checked(decode.call, scope)

    def _result_checked(self, call: ast.Call, scope: Scope) -> bool:
        """What ``call`` returns is bound to a name whose ``["exp"]`` is read or that is handed to a
        checking function."""
        parents = self.values.parents
        statement = self._statement_of(call)
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


def _named_as_a_verifier(call: ast.Call) -> bool:
    name = call_name(call).lower()
    return "decode" in name or "verify" in name
