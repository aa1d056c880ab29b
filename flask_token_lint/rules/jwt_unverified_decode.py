"""FTL101: a JWT whose signature is never checked can be forged by anyone."""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING

from flask_token_lint.rule import Docs, FixSafety, Fixable, OWASP_API2, Rule, Severity, example

if TYPE_CHECKING:
    from flask_token_lint.context import Context

# Header parameters that carry a key or say where to fetch one: the token's sender chooses them.
_KEY_HEADERS = frozenset({"jwk", "jku", "x5u", "x5c"})
# Reads of a token's header or claims that check nothing.
_UNVERIFIED_READERS = frozenset(
    {
        "jwt.get_unverified_header", "jwt.api_jws.get_unverified_header", "jose.jwt.get_unverified_header",
        "jose.jws.get_unverified_header", "python_jwt.process_jwt",
    }
)
# Claims that say who issued a token, for whom, or which key signed it: reading them picks the key.
_ROUTING_CLAIMS = frozenset({"iss", "aud", "azp", "kid", "tid", "client_id", "alg", "typ"})
# Methods that keep what they are handed (``session.update(claims)``, ``cache.set(k, claims)``).
_STORING_METHODS = frozenset(
    {"update", "setdefault", "append", "extend", "insert", "add", "set", "put", "push", "__setitem__", "setex"}
)
# Expressions whose value carries the value of a part of them on.
_CARRIERS = (
    ast.BinOp, ast.BoolOp, ast.UnaryOp, ast.JoinedStr, ast.FormattedValue, ast.Dict, ast.List, ast.Tuple, ast.Set,
    ast.Starred, ast.Await,
)
_MAX_DEPTH = 5


class JwtUnverifiedDecode(Rule):
    code = "FTL101"
    symbol = "jwt-unverified-decode"
    summary = "JWT decoded without signature verification"
    message = "{function} reads token claims without verifying the signature ({how})"
    severity = Severity.HIGH
    cwe = ("CWE-347",)
    owasp = OWASP_API2
    node_types = (ast.Call,)
    triggers = ("decode + jwt|jose", "get_unverified_claims", "process_jwt")
    fixes = (FixSafety.SAFE, FixSafety.UNSAFE)
    fix_title = (
        "Drop the legacy verify=False keyword (safe); remove verify_signature: False where the call passes a "
        "key and algorithms (unsafe)"
    )
    docs = Docs(
        what=(
            "Finds JWT decodes that skip signature verification: PyJWT or python-jose `decode`/`decode_complete` "
            "with `options` turning `verify_signature` off (a dict literal, `dict(...)`, or a name bound to one), "
            "PyJWT 1.x's `verify=False`, python-jose's `get_unverified_claims` and python_jwt's `process_jwt`. "
            "Also decodes whose check proves nothing: an empty key (`\"\"`, `b\"\"`) where an HMAC algorithm "
            "may be used, authlib's `jwt.decode(s, None)`, and a key built from the token's own unverified "
            "header (`jwk`, `jku`, `x5u`, `x5c`: `PyJWK(header[\"jwk\"])`, a JWKS fetched from `header[\"jku\"]`)."
        ),
        why=(
            "Without the signature check, the claims are whatever the client wrote: anyone can mint a token "
            "saying `sub: admin`. So it is with a check against an empty key, or against a key the token "
            "brings along. Reading the header or claims first to pick a key is fine and stays silent: "
            "`get_unverified_header` with a `kid` looked up in a trusted key set (or a `jku` checked against an "
            "allow-list), and an unverified decode followed in the same function by a verified decode of the "
            "same token, as long as the unverified result only chooses the key, issuer or audience of the "
            "verified one. Returned, stored (`g`, `session`, an attribute or item), logged, or used in a "
            "decision on any claim other than `iss`/`aud`/`azp`/`kid`/`tid`/`client_id`, it fires even then."
        ),
        references=(
            "https://pyjwt.readthedocs.io/en/stable/usage.html#reading-the-claimset-without-validation",
            "https://pypi.org/project/python-jwt/",
            "https://portswigger.net/web-security/jwt#injecting-self-signed-jwts-via-the-jwk-parameter",
            "https://cwe.mitre.org/data/definitions/347.html",
        ),
    )
    bad_examples = (
        example(
            """\
            import jwt

            def user(token):
                return jwt.decode(token, options={"verify_signature": False})["sub"]
            """
        ),
        example(
            """\
            import jwt

            NO_VERIFY = {"verify_signature": False}

            def user(token, key):
                return jwt.decode(token, key, algorithms=["HS256"], options=NO_VERIFY)
            """
        ),
        example(
            """\
            from jose import jwt

            def user(token):
                return jwt.get_unverified_claims(token)
            """
        ),
        example(
            """\
            import jwt

            def user(token, keys):
                unverified = jwt.decode(token, options={"verify_signature": False})
                claims = jwt.decode(token, keys[unverified["iss"]], algorithms=["RS256"], audience="api")
                return unverified["sub"], claims
            """
        ),
        example(
            """\
            import jwt

            def user(token):
                header = jwt.get_unverified_header(token)
                key = jwt.PyJWK(header["jwk"])
                return jwt.decode(token, key, algorithms=["RS256"], audience="api")
            """
        ),
    )
    good_examples = (
        example(
            """\
            import jwt

            def user(token, key):
                return jwt.decode(token, key, algorithms=["HS256"], audience="api")["sub"]
            """
        ),
        example(
            """\
            import jwt

            def key_id(token):
                return jwt.get_unverified_header(token)["kid"]
            """
        ),
        example(
            """\
            import jwt

            def user(token, keys):
                issuer = jwt.decode(token, options={"verify_signature": False})["iss"]
                return jwt.decode(token, keys[issuer], algorithms=["RS256"], audience="api")
            """
        ),
    )

    def check(self, node, ctx):
        decode = ctx.decode_call(node)
        if decode is None:
            return
        arguments = {"function": decode.function}
        if not decode.unverified:
            parameter = _key_from_the_token(decode, ctx)
            if parameter is not None:
                yield node, {**arguments, "how": f"its key comes from the token's own {parameter} header"}
            return
        if ctx.later_verified(decode) and _only_chooses_the_key(decode, ctx):
            return  # peek-then-verify: the unverified read only chose the key, issuer or audience
        if decode.reader_only:
            yield node, {**arguments, "how": "it never checks the signature"}
        elif decode.disables("verify_signature"):
            fixable = decode.argument("key") and decode.argument("algorithms") and decode.weak_key is None
            where = decode.written_at("verify_signature")
            if fixable and _options_literal_in_call(node):
                fix = Fixable(FixSafety.UNSAFE, (("drop", "verify_signature"),), node)
                yield where, {**arguments, "how": "verify_signature is off"}, fix
            else:
                yield where, {**arguments, "how": "verify_signature is off"}
        elif decode.verification_off:
            # PyJWT 2 ignores the legacy keyword: dropping it changes nothing there.
            fix = Fixable(FixSafety.SAFE, (("drop", "verify"),), node)
            yield decode.written_at("verify"), {**arguments, "how": "verify=False"}, fix
        elif decode.weak_key == "none":
            yield node, {**arguments, "how": "it has no key to check the signature with"}
        else:
            yield node, {**arguments, "how": "its key is empty, so anyone can sign a token that passes"}

    def apply_fix(self, node, data):
        from flask_token_lint import cst_edits

        if data["drop"] == "verify":
            legacy = cst_edits.keyword(node, "verify")
            return (cst_edits.remove_argument(node, legacy), frozenset()) if legacy is not None else None
        options = cst_edits.keyword(node, "options")
        if options is None and len(node.args) > 3 and node.args[3].keyword is None:
            options = node.args[3]
        if options is None or not isinstance(options.value, cst_edits.cst.Dict):
            return None
        remaining = cst_edits.without_elements(
            options.value, lambda e: cst_edits.string_value(getattr(e, "key", None)) == "verify_signature"
        )
        if not remaining.elements and options.keyword is not None:
            return cst_edits.remove_argument(node, options), frozenset()
        arguments = [a.with_changes(value=remaining) if a is options else a for a in node.args]
        return node.with_changes(args=arguments), frozenset()


def _options_literal_in_call(call: ast.Call) -> bool:
    """The options are a dict display written in the call, so removing an entry touches only the call."""
    for keyword in call.keywords:
        if keyword.arg == "options":
            return isinstance(keyword.value, ast.Dict) and None not in keyword.value.keys
    return len(call.args) > 3 and isinstance(call.args[3], ast.Dict) and None not in call.args[3].keys


# -- keys the token chooses ---------------------------------------------------------------------
def _key_from_the_token(decode, ctx: Context) -> str | None:
    """The header parameter (``jwk``, ``jku``, ``x5u``, ``x5c``) of the token's own, unverified header
    that the verifying decode's key is built from, if any."""
    if decode.library == "python_jwt":
        return None  # it rejects tokens carrying these headers unless told to ignore them
    key = decode.argument("key")
    if key is None:
        return None
    if decode.library == "authlib" and isinstance(key, (ast.Name, ast.Attribute)):
        # authlib calls a callable key with the token's header (and payload): the module's own
        # function reading ``header["jwk"]`` builds the key the token brought.
        for definition, inner in ctx.functions_named(key):
            parameters = [a.arg for a in (*definition.args.posonlyargs, *definition.args.args)]
            if parameters and parameters[0] in ("self", "cls"):
                parameters = parameters[1:]
            if parameters:
                found = _parameter_item_in(definition, parameters[0], inner)
                if found is not None:
                    return found
    return _header_parameter_in(key, ctx, 0)


def _parameter_item_in(definition: ast.AST, parameter: str, ctx: Context) -> str | None:
    """The key-header item (``jwk``, ``jku``, ...) the function reads from its parameter ``parameter``
    (``header["jwk"]``, ``header.get("jku")``)."""
    for child in ast.walk(definition):
        if isinstance(child, ast.Subscript) and isinstance(child.value, ast.Name) and child.value.id == parameter:
            item = ctx.string_of(child.slice)
        elif isinstance(child, ast.Call) and isinstance(child.func, ast.Attribute) and child.func.attr == "get" \
                and isinstance(child.func.value, ast.Name) and child.func.value.id == parameter and child.args:
            item = ctx.string_of(child.args[0])
        else:
            continue
        if item in _KEY_HEADERS:
            return item
    return None


def _header_parameter_in(node: ast.expr, ctx: Context, depth: int) -> str | None:
    if depth > _MAX_DEPTH:
        return None
    for child in ast.walk(node):
        parameter = None
        if isinstance(child, ast.Subscript):
            parameter = ctx.string_of(child.slice)
            container = child.value
        elif isinstance(child, ast.Call) and isinstance(child.func, ast.Attribute) and child.func.attr == "get":
            parameter = ctx.string_of(child.args[0]) if child.args else None
            container = child.func.value
        elif isinstance(child, ast.Name) and not _checked_against_a_list(child.id, ctx):
            for value in ctx.bound_values(child):
                found = _header_parameter_in(value, ctx, depth + 1)
                if found is not None:
                    return found
        if parameter in _KEY_HEADERS and _is_unverified_read(container, ctx, depth):
            return parameter
    return None


def _is_unverified_read(node: ast.expr, ctx: Context, depth: int) -> bool:
    """``node`` is the token's header or claims read without verification (or a part of them)."""
    if depth > _MAX_DEPTH:
        return False
    if isinstance(node, ast.Subscript):
        return _is_unverified_read(node.value, ctx, depth + 1)
    if isinstance(node, ast.Call):
        if ctx.qualname(node.func) in _UNVERIFIED_READERS:
            return True
        decode = ctx.decode_call(node)
        return decode is not None and (decode.reader_only or decode.verification_off)
    if isinstance(node, ast.Name):
        return any(_is_unverified_read(value, ctx, depth + 1) for value in ctx.bound_values(node))
    return False


def _checked_against_a_list(name: str, ctx: Context) -> bool:
    """``name`` is compared with ``in``/``==`` or checked with ``startswith`` (a trusted-URL allow-list)."""
    for use in ctx.loads_of(name):
        parent = ctx.parent(use)
        if isinstance(parent, ast.Compare) and any(isinstance(op, (ast.In, ast.NotIn, ast.Eq, ast.NotEq))
                                                   for op in parent.ops):
            return True
        if isinstance(parent, ast.Attribute) and parent.attr == "startswith":
            return True
    return False


# -- peek-then-verify ---------------------------------------------------------------------------
def _only_chooses_the_key(decode, ctx: Context) -> bool:
    """Everything the unverified result is used for chooses the key, issuer or audience of a verifying
    decode: no part of it is returned, stored, logged or used to decide anything else."""
    return _goes_only_to_a_choice(decode.call, None, ctx, 0)


def _goes_only_to_a_choice(node: ast.expr, claim: str | None, ctx: Context, depth: int) -> bool:
    """Follow the value of ``node`` (``claim``: the claim last read from it) up the expressions it is part
    of, and through the names it is bound to."""
    while True:
        parent = ctx.parent(node)
        if isinstance(parent, ast.keyword):
            node, parent = parent, ctx.parent(parent)
        if isinstance(parent, ast.Subscript) and parent.value is node:
            claim = ctx.string_of(parent.slice)  # ``unverified["iss"]``
        elif isinstance(parent, ast.Attribute) and parent.value is node:
            call = ctx.parent(parent)
            if isinstance(call, ast.Call) and call.func is parent:
                if parent.attr == "get":
                    claim = ctx.string_of(call.args[0]) if call.args else None
                parent = call  # ``unverified.get("iss")``, ``issuer.rstrip("/")``
        elif isinstance(parent, ast.Call) and node is not parent.func:
            if ctx.verifies(parent):
                return True  # chooses the key, issuer or audience of the verification
            if ctx.is_output_call(parent):
                return False  # logged
            if isinstance(parent.func, ast.Attribute) and parent.func.attr in _STORING_METHODS:
                return False  # stored
        elif isinstance(parent, ast.Compare) or _is_test_of(node, parent):
            return claim in _ROUTING_CLAIMS  # an unknown issuer rejected, or a decision made on claims
        elif isinstance(parent, ast.IfExp):
            pass  # one arm of ``x if c else y``
        elif isinstance(parent, ast.Expr):
            return True  # the result is dropped
        elif isinstance(parent, (ast.Assign, ast.AnnAssign)) and parent.value is node:
            return _names_only_choose(parent, claim, ctx, depth)
        elif not isinstance(parent, _CARRIERS) and not (isinstance(parent, ast.Subscript) and parent.slice is node):
            return False  # returned, raised, yielded, iterated, or stored in an attribute or item
        if parent is None:
            return False
        node = parent


def _names_only_choose(statement: ast.Assign | ast.AnnAssign, claim: str | None, ctx: Context, depth: int) -> bool:
    targets = statement.targets if isinstance(statement, ast.Assign) else [statement.target]
    names: list[ast.Name] = []
    for target in targets:
        parts = target.elts if isinstance(target, (ast.Tuple, ast.List)) else [target]
        for part in parts:
            part = part.value if isinstance(part, ast.Starred) else part
            if not isinstance(part, ast.Name):
                return False  # ``g.claims = ...``, ``session["user"] = ...``: stored
            names.append(part)
    if depth >= _MAX_DEPTH:
        return True  # too far to follow: unknown, and unknown stays silent
    for name in names:
        for use in ctx.uses_after(name.id, statement):
            if not any(value is statement.value for value in ctx.bound_values(use)):
                continue  # a later binding of the same name reaches this use
            if not _goes_only_to_a_choice(use, claim, ctx, depth + 1):
                return False
    return True


def _is_test_of(node: ast.expr, parent: ast.AST | None) -> bool:
    return isinstance(parent, (ast.If, ast.While, ast.IfExp, ast.Assert)) and parent.test is node
