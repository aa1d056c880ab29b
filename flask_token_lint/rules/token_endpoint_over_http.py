"""FTL503: keys, tokens and user info fetched over plain http can be read and replaced on the way."""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Union
from urllib.parse import urlsplit

from flask_token_lint.syntax import argument
from flask_token_lint.rule import Docs, FixSafety, Fixable, OWASP_API8, Rule, Severity, example

if TYPE_CHECKING:
    from flask_token_lint.context import Context

_TOKEN_ENDPOINT_PATH = re.compile(
    r"/(?:token|oauth2?/token|introspect|introspection|userinfo|jwks|certs)(?:[/?#.]|$)"
    r"|jwks\.json|/\.well-known/(?:openid-configuration|jwks)",
    re.IGNORECASE,
)
_ENDPOINT_SETTING = re.compile(r"JWKS|TOKEN_(?:URL|URI|ENDPOINT)|ISSUER|USERINFO|INTROSPECT|OIDC|OAUTH", re.IGNORECASE)
_JWKS_CLIENTS = frozenset({"jwt.PyJWKClient", "jwt.jwks_client.PyJWKClient"})
_HTTP_METHODS = frozenset({"get", "post", "put", "patch", "delete", "head", "options", "request", "stream"})
_FIX = Fixable(FixSafety.UNSAFE)
_LOOPBACK = frozenset({"localhost", "127.0.0.1", "::1", "0.0.0.0"})
_URLJOIN = frozenset(
    {"urllib.parse.urljoin", "requests.compat.urljoin", "urlparse.urljoin", "six.moves.urllib.parse.urljoin"}
)
# A built URL: literal text with the literal node that holds it, or a hole (an expression only
# known at run time).
Piece = Union[tuple[str, ast.expr], ast.expr]


@dataclass
class Url:
    """A URL whose scheme is a literal ``http://``: the literal that holds the scheme (the node a
    finding is reported on and the fix rewrites) and the URL's text, with ``\\0`` where a part is only
    known at run time."""

    literal: ast.expr
    text: str


def insecure_url(node: ast.expr | None, ctx: Context) -> Url | None:
    """The ``http://`` URL ``node`` is or may hold (a literal, or one built with an f-string, ``+``,
    ``%``, ``.format`` or ``urljoin``), when its host is not loopback or trusted."""
    if node is None:
        return None
    for candidate in ctx.constants_of(node):
        url = _http_url(_pieces(candidate, ctx), ctx)
        if url is not None:
            return url
    return None


def _http_url(pieces: list[Piece], ctx: Context) -> Url | None:
    if not pieces or isinstance(pieces[0], ast.AST):
        return None  # the scheme is computed at run time (``f"{scheme}://..."``)
    prefix = ""  # the literal text up to the first part computed at run time
    literal = pieces[0][1]  # the first literal with text: the one that holds ``http://``
    for piece in pieces:
        if isinstance(piece, ast.AST):
            break
        if not prefix.strip():
            literal = piece[1]
        prefix += piece[0]
    whole = not any(isinstance(piece, ast.AST) for piece in pieces)
    prefix = prefix.lstrip()
    if not prefix.lower().startswith("http://"):
        return None
    text = "".join("\0" if isinstance(piece, ast.AST) else piece[0] for piece in pieces).lstrip()
    authority = prefix[len("http://"):]
    cut = min((i for i in (authority.find(c) for c in "/?#") if i >= 0), default=-1)
    if cut >= 0:
        authority = authority[:cut]
    # The host is known when the literal text goes past it (a path, or a port after it), or is
    # all there is; a host computed at run time is not known to be loopback.
    known = cut >= 0 or whole or (":" in authority and not authority.startswith("[")) or "]" in authority
    if known:
        try:
            host = (urlsplit("http://" + authority).hostname or "").lower()
        except ValueError:
            return None
        if host in _LOOPBACK or host.startswith("127.") or host.endswith(".localhost"):
            return None
        if any(host == trusted or host.endswith("." + trusted) for trusted in ctx.settings.trusted_hosts):
            return None
    return Url(literal, text)


def _pieces(node: ast.expr, ctx: Context) -> list[Piece]:
    """The URL's text as pieces (``ctx.text_pieces``), with ``urljoin(BASE, "/token")`` joined as the
    standard library joins it."""
    if isinstance(node, ast.Call) and ctx.qualname(node.func) in _URLJOIN and len(node.args) == 2:
        base, relative = ctx.text_part(node.args[0]), ctx.text_part(node.args[1])
        if relative and not isinstance(relative[0], ast.AST) and "://" in relative[0][0]:
            return relative  # an absolute URL replaces the base
        if base and relative and not isinstance(base[-1], ast.AST) and not isinstance(relative[0], ast.AST):
            if not base[-1][0].endswith("/") and not relative[0][0].startswith("/"):
                base.append(("/", base[-1][1]))
        return [*base, *relative]
    return ctx.text_pieces(node)


def _sends_credentials(call: ast.Call, ctx: Context, passed=None) -> bool:
    """The request carries an ``Authorization`` header or ``auth=`` (given directly, through a
    ``**`` dict, or through the dicts it is built from)."""
    passed = passed or (lambda name: ctx.passed(call, name))
    if passed("auth"):
        return True
    for headers in passed("headers"):
        for mapping in ctx.mappings_of(headers):
            if any(name.lower() in ("authorization", "proxy-authorization") for name in mapping):
                return True
    return False


def _request_url(call: ast.Call, ctx: Context, passed, url_ctx: Context) -> Url | None:
    """The insecure URL a request built by ``call`` may go to, if it carries credentials
    (the URLs ``passed`` gives are judged in ``url_ctx``: the caller's, for a helper's request)."""
    func = ctx.callee(call)
    qualname = ctx.qualname(call.func) or ""
    method = func.attr if isinstance(func, ast.Attribute) else qualname.rsplit(".", 1)[-1]
    if method not in _HTTP_METHODS or not _sends_credentials(call, ctx):
        return None
    for url in passed("url", 1 if method == "request" else 0):
        found = insecure_url(url, url_ctx)
        if found is not None:
            return found
    return None


def _forwarded(forward, name: str, position: int | None) -> list[ast.expr]:
    site = forward.keyword(name)
    if site is None and position is not None:
        site = forward.argument(position)
    return [] if site is None else [site]


class TokenEndpointOverHttp(Rule):
    code = "FTL503"
    symbol = "token-endpoint-over-http"
    summary = "JWKS, issuer, token endpoint or authenticated request over plain http"
    message = "{what} uses plain http"
    severity = Severity.MEDIUM
    cwe = ("CWE-319",)
    owasp = OWASP_API8
    node_types = (ast.Constant, ast.JoinedStr, ast.BinOp, ast.Call, ast.Assign, ast.AnnAssign)
    # ``http://`` outside a comment line (licence headers), and a word of what the rule looks for.
    triggers = (
        r"http:// + token|introspect|userinfo|jwk|certs|well-known|issuer|oidc|auth + re:^[ \t]*[^#\s][^\n]*http://",
    )
    fixes = (FixSafety.UNSAFE,)
    fix_title = "Use https:// (unsafe: a server that only speaks http stops answering)"
    docs = Docs(
        what=(
            "Finds `http://` URLs (not loopback) for a JWKS (`PyJWKClient`), an `issuer`, an OAuth/OIDC token, "
            "introspection, userinfo or discovery endpoint (by its path, or a setting named like `JWKS_URL`, "
            "`OAUTH_TOKEN_URL`, `OIDC_ISSUER`), and requests that send an Authorization header or `auth=` over "
            "http. URLs built from a literal `http://` count too: f-strings (`f\"http://{host}/oauth/token\"`), "
            "`+` (`BASE + \"/token\"` with `BASE = \"http://...\"`), `%`, `.format` and `urljoin`; the finding is "
            "on the literal that holds `http://`, which the fix rewrites."
        ),
        why=(
            "Over plain http a network attacker reads the tokens and client secrets sent, and can serve their "
            "own signing keys from a JWKS URL, after which they mint tokens the app accepts. `https://`, "
            "`http://localhost`/`127.0.0.1` and trusted hosts (decided by the literal host part: a host "
            "computed at run time after `http://` is not known to be loopback) and a scheme computed at run "
            "time (`f\"{scheme}://...\"`) stay silent."
        ),
        references=(
            "https://datatracker.ietf.org/doc/html/rfc6749#section-3.2",
            "https://cwe.mitre.org/data/definitions/319.html",
        ),
    )
    bad_examples = (
        example(
            """\
            from jwt import PyJWKClient

            jwks = PyJWKClient("http://idp.example.com/keys")
            """
        ),
        example(
            """\
            OAUTH_TOKEN_URL = "http://idp.example.com/oauth/token"
            """
        ),
        example(
            """\
            import requests

            def exchange(host, form):
                return requests.post(f"http://{host}/oauth/token", data=form, timeout=5)
            """
        ),
    )
    good_examples = (
        example(
            """\
            from jwt import PyJWKClient

            jwks = PyJWKClient("https://idp.example.com/.well-known/jwks.json")
            local = PyJWKClient("http://localhost:8080/jwks")
            """
        ),
    )

    def check(self, node, ctx):
        if _builds_a_string(node, ctx) and not isinstance(ctx.parent(node), ast.JoinedStr):
            # Any URL of a token endpoint, written out or built (``BASE + "/oauth/token"``).
            url = insecure_url(node, ctx)
            if url is not None and _TOKEN_ENDPOINT_PATH.search(url.text):
                yield url.literal, {"what": "A token endpoint URL"}, _FIX
        if not isinstance(node, (ast.Call, ast.Assign, ast.AnnAssign)):
            return
        for setting in ctx.config_settings(node):
            url = insecure_url(setting.value, ctx)
            if url is not None and _ENDPOINT_SETTING.search(setting.name):
                yield url.literal, {"what": setting.name}, _FIX
        if not isinstance(node, ast.Call):
            return
        qualname = ctx.qualname(node.func) or ""
        if qualname in _JWKS_CLIENTS:
            url = insecure_url(argument(node, "uri", 0), ctx)
            if url is not None:
                yield url.literal, {"what": "The JWKS URL"}, _FIX
        decode = ctx.decode_call(node)
        if decode is not None:
            url = insecure_url(decode.argument("issuer"), ctx)
            if url is not None:
                yield url.literal, {"what": "The expected issuer"}, _FIX
        url = _request_url(node, ctx, lambda name, position: ctx.passed(node, name, position), ctx)
        if url is not None:
            yield url.literal, {"what": "A request carrying credentials"}, _FIX
            return
        # The module's own helpers: ``call_api("http://...", token)`` where ``call_api`` sends it.
        for forward, inner in ctx.forwards(node):
            url = _request_url(forward.call, inner, lambda name, position: _forwarded(forward, name, position), ctx)
            if url is not None:
                yield url.literal, {"what": "A request carrying credentials"}, _FIX
                return

    def apply_fix(self, node, data):
        from flask_token_lint import cst_edits

        fixed = _https(node, cst_edits.cst)
        return None if fixed is None else (fixed, frozenset())


def _https(node, cst):
    """The string literal ``node`` (a libcst node) with its leading ``http://`` made ``https://``
    (None: not one)."""
    if isinstance(node, cst.ConcatenatedString):  # ``"http://a" "/token"``: the scheme is on the left
        left = _https(node.left, cst)
        return None if left is None else node.with_changes(left=left)
    if isinstance(node, cst.FormattedString):
        first = node.parts[0] if node.parts else None
        if not isinstance(first, cst.FormattedStringText):
            return None
        value = _upgraded(first.value)
        return None if value is None else node.with_changes(parts=[first.with_changes(value=value), *node.parts[1:]])
    if not isinstance(node, cst.SimpleString):
        return None
    opening = len(node.prefix) + len(node.quote)
    body = _upgraded(node.value[opening:])
    return None if body is None else node.with_changes(value=node.value[:opening] + body)


def _upgraded(text: str) -> str | None:
    start = len(text) - len(text.lstrip())
    if not text[start:].lower().startswith("http://"):
        return None
    return text[:start] + "https://" + text[start + len("http://"):]


def _builds_a_string(node: ast.AST, ctx: Context) -> bool:
    """A string literal, f-string, ``+``/``%`` or ``.format``/``urljoin`` call: something that may
    spell a URL."""
    if isinstance(node, (ast.Constant, ast.JoinedStr)):
        return True
    if isinstance(node, ast.BinOp):
        return isinstance(node.op, (ast.Add, ast.Mod))
    if isinstance(node, ast.Call):
        func = node.func
        return (isinstance(func, ast.Attribute) and func.attr == "format") or ctx.qualname(func) in _URLJOIN
    return False
