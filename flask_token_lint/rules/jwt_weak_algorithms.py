"""FTL103: an allow-list that admits ``none``, mixes key families, or comes from the token itself."""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING

from flask_token_lint.rule import Docs, FixSafety, Fixable, OWASP_API2, Rule, Severity, example

if TYPE_CHECKING:
    from flask_token_lint.context import Context

_ASYMMETRIC_PREFIXES = ("RS", "PS", "ES", "ED")
_UNVERIFIED_HEADER = frozenset(
    {"jwt.get_unverified_header", "jose.jwt.get_unverified_header", "jose.jws.get_unverified_header"}
)
# authlib objects whose first argument is the allow-list every decode and encode through them uses.
_AUTHLIB_ALLOW_LISTS = frozenset(
    {
        "authlib.jose.JsonWebToken", "authlib.jose.rfc7519.JsonWebToken", "authlib.jose.JsonWebSignature",
        "authlib.jose.rfc7515.JsonWebSignature",
    }
)
_NONE = 'allows algorithm "none"'
_MIXED = "allows HMAC and public-key algorithms together (key confusion)"
# Keys that bring their own algorithm: PyJWT 2 signs with it when ``algorithm=None``.
_JWK_KEYS = frozenset({"jwt.PyJWK", "jwt.api_jwk.PyJWK"})


def _algorithm_names(node: ast.expr, ctx: Context) -> list[str] | None:
    """The literal names of an allow-list, or None when it is not a literal."""
    node = ctx.constant_of(node)
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    if not isinstance(node, (ast.List, ast.Tuple, ast.Set)):
        return None
    names = []
    for element in node.elts:
        name = ctx.string_of(element)
        if name is not None:
            names.append(name)
    return names


def _is_unverified_header(node: ast.expr, ctx: Context, depth: int = 0) -> bool:
    """``node`` is ``jwt.get_unverified_header(...)`` or a name bound to it."""
    if isinstance(node, ast.Call):
        return ctx.qualname(node.func) in _UNVERIFIED_HEADER
    if isinstance(node, ast.Name) and depth < 5:
        return any(_is_unverified_header(value, ctx, depth + 1) for value in ctx.bound_values(node))
    return False


def _from_token_header(node: ast.expr, ctx: Context, depth: int = 0) -> bool:
    """``node`` reads ``alg`` from the token's own, unverified header (``header["alg"]``)."""
    if depth > 5:
        return False
    for child in ast.walk(node):
        if isinstance(child, ast.Subscript) and ctx.string_of(child.slice) == "alg":
            if _is_unverified_header(child.value, ctx):
                return True
        elif isinstance(child, ast.Call) and isinstance(child.func, ast.Attribute) and child.func.attr == "get":
            if child.args and ctx.string_of(child.args[0]) == "alg" and _is_unverified_header(child.func.value, ctx):
                return True
        elif isinstance(child, ast.Name):
            if any(_from_token_header(value, ctx, depth + 1) for value in ctx.bound_values(child)):
                return True
    return False


def _unsigned(encode, ctx: Context) -> str | None:
    """How ``encode`` issues an unsigned token ("" when it names "none"), or None when it does not."""
    algorithm = encode.argument("algorithm")
    if algorithm is not None:
        names = ctx.strings_of(algorithm)
        if any(name.lower() == "none" for name in names):
            return ""
        if encode.library == "PyJWT" and ctx.literal_is(algorithm, None) and not _is_jwk(encode.argument("key"), ctx):
            return " (algorithm=None)"  # PyJWT signs with "none" unless the key is a PyJWK
    if encode.library in ("PyJWT", "authlib"):
        # PyJWT prefers the ``headers``' alg to ``algorithm``; authlib's header is the only place for it.
        header = encode.argument("headers")
        for mapping in [] if header is None else ctx.mappings_of(header):
            if "alg" in mapping and any(name.lower() == "none" for name in ctx.strings_of(mapping["alg"])):
                return " (in the header)"
    if encode.library == "python_jwt":
        key = encode.argument("key")
        hidden = any(k.arg is None for k in encode.call.keywords) or any(
            isinstance(a, ast.Starred) for a in encode.call.args
        )
        if key is None and not hidden:
            return " (no priv_key)"
        if key is not None and ctx.literal_is(key, None):
            return " (priv_key=None)"
    return None


def _is_jwk(key: ast.expr | None, ctx: Context) -> bool:
    if key is None:
        return False
    return any(isinstance(c, ast.Call) and ctx.qualname(c.func) in _JWK_KEYS for c in ctx.constants_of(key))


def _droppable_none(algorithms: ast.expr, ctx: Context) -> bool:
    """A literal list in the call holding "none" and other names: dropping "none" keeps every token
    those names sign verifying, whatever their families (a mix is reported on its own)."""
    if not isinstance(algorithms, (ast.List, ast.Tuple, ast.Set)):
        return False
    literal_none = [
        e for e in algorithms.elts if isinstance(e, ast.Constant) and str(e.value).lower() == "none"
    ]
    if not literal_none:
        return False  # "none" arrives through a name: the fix would have to change another line
    names = [ctx.string_of(element) for element in algorithms.elts]
    rest = [name for name in names if name is None or name.lower() != "none"]
    return bool(rest) and None not in rest


class JwtWeakAlgorithms(Rule):
    code = "FTL103"
    symbol = "jwt-weak-algorithms"
    summary = "JWT algorithms allow `none`, mix HMAC with public-key families, or come from the token"
    message = "{function} {problem}"
    severity = Severity.HIGH
    cwe = ("CWE-327",)
    owasp = OWASP_API2
    node_types = (ast.Call,)
    triggers = ("decode|encode + jwt|jose", "JsonWebToken|JsonWebSignature", "generate_jwt|verify_jwt")
    fixes = (FixSafety.SAFE,)
    fix_title = 'Drop "none" from an allow-list that has other algorithms'

    docs = Docs(
        what=(
            "Finds `\"none\"` in a decode's `algorithms` (python_jwt's `allowed_algs`, authlib's "
            "`JsonWebToken([...])`/`JsonWebSignature([...])`) or as the algorithm a token is signed with: "
            "`algorithm=\"none\"`, PyJWT's `algorithm=None` (PyJWT then signs with `none` unless the key is a "
            "`PyJWK`), an `alg` of `none` in PyJWT's `headers` or authlib's header, python_jwt's `generate_jwt` "
            "without a `priv_key`. Also an allow-list that mixes HMAC (`HS*`) with public-key algorithms "
            "(`RS*`, `PS*`, `ES*`, `EdDSA`), and an allow-list read from the token's own unverified header. "
            "Each weakness of an allow-list is its own finding: `\"none\"` on the call, a mix of families on "
            "the allow-list itself, so `[\"HS256\", \"RS256\", \"none\"]` gives two. The fix drops `\"none\"` "
            "from a literal allow-list that names other algorithms, whether or not they mix families (the mix "
            "stays reported: which family to keep is the author's call)."
        ),
        why=(
            "`none` means no signature at all (PyJWT's `algorithm=None` issues such a token, or fails when the "
            "key is not empty). Mixing families lets an attacker sign an HMAC token with the "
            "server's public RSA/EC key as the secret (key confusion), and an allow-list taken from the token "
            "lets the attacker pick either. A single-family allow-list stays silent."
        ),
        references=(
            "https://auth0.com/blog/critical-vulnerabilities-in-json-web-token-libraries/",
            "https://docs.authlib.org/en/latest/jose/jwt.html",
            "https://cwe.mitre.org/data/definitions/327.html",
        ),
    )
    bad_examples = (
        example(
            """\
            import jwt

            def user(token, key):
                return jwt.decode(token, key, algorithms=["HS256", "RS256"], audience="api")
            """
        ),
        example(
            """\
            import jwt

            def user(token, key):
                alg = jwt.get_unverified_header(token)["alg"]
                return jwt.decode(token, key, algorithms=[alg], audience="api")
            """
        ),
        example(
            """\
            from authlib.jose import JsonWebToken

            jwt = JsonWebToken(["RS256", "none"])
            """
        ),
        example(
            """\
            import jwt

            def issue(claims, key):
                return jwt.encode(claims, key, algorithm=None)
            """
        ),
        example(
            """\
            import jwt

            def user(token, key):
                return jwt.decode(token, key, algorithms=["HS256", "RS256", "none"], audience="api")
            """
        ),
    )
    good_examples = (
        example(
            """\
            import jwt

            def user(token, key):
                return jwt.decode(token, key, algorithms=["RS256", "ES256"], audience="api")
            """
        ),
    )

    def check(self, node, ctx):
        if ctx.qualname(node.func) in _AUTHLIB_ALLOW_LISTS:
            allow_list = node.args[0] if node.args else next(
                (k.value for k in node.keywords if k.arg == "algorithms"), None
            )
            for problem, where in [] if allow_list is None else self._allow_list_problems(allow_list, ctx):
                yield node if where is None else where, {"function": ctx.qualname(node.func), "problem": problem}
            return
        decode = ctx.decode_call(node)
        if decode is not None and not decode.reader_only:
            algorithms = decode.argument("algorithms")
            if algorithms is None:
                return
            for problem, where in self._allow_list_problems(algorithms, ctx):
                report = {"function": decode.function, "problem": problem}
                if problem == _NONE and _droppable_none(algorithms, ctx):
                    yield node, report, Fixable(FixSafety.SAFE)
                else:
                    yield node if where is None else where, report
            return
        encode = ctx.encode_call(node)
        if encode is not None:
            how = _unsigned(encode, ctx)
            if how is not None:
                yield node, {"function": encode.function, "problem": f'signs with algorithm "none"{how}'}

    def _allow_list_problems(self, algorithms: ast.expr, ctx: Context) -> list[tuple[str, ast.expr | None]]:
        """Each weakness of an allow-list, with where to report it: ``none`` and a token-chosen list on
        the call (None), a mix of families on the allow-list itself, so both stand on one call."""
        if _from_token_header(algorithms, ctx):
            return [("takes its algorithms from the token's own header", None)]
        names = _algorithm_names(algorithms, ctx)
        if names is None:
            return []
        problems: list[tuple[str, ast.expr | None]] = []
        if any(name.lower() == "none" for name in names):
            problems.append((_NONE, None))
        hmac = any(name.upper().startswith("HS") for name in names)
        asymmetric = any(name.upper().startswith(_ASYMMETRIC_PREFIXES) for name in names)
        if hmac and asymmetric:
            problems.append((_MIXED, algorithms))
        return problems

    def apply_fix(self, node, data):
        from flask_token_lint import cst_edits

        arguments = list(node.args)
        for index, argument in enumerate(arguments):
            named = argument.keyword is not None and argument.keyword.value in ("algorithms", "allowed_algs")
            if named or (argument.keyword is None and index == 2):
                allow_list = cst_edits.without_elements(
                    argument.value, lambda e: (cst_edits.string_value(e.value) or "").lower() == "none"
                )
                if allow_list.deep_equals(argument.value):
                    return None
                arguments[index] = argument.with_changes(value=allow_list)
                return node.with_changes(args=arguments), frozenset()
        return None
