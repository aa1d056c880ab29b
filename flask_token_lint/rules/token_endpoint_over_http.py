"""FTL503: keys, tokens and user info fetched over plain http can be read and replaced on the way."""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING
import re
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


def insecure_url(node: ast.expr | None, ctx: Context) -> ast.expr | None:
    """An ``http://`` string literal ``node`` is or may hold, when its host is not loopback."""
    if node is None:
        return None
    for literal in ctx.constants_of(node):
        if _is_insecure(literal, ctx):
            return literal
    return None


def _is_insecure(literal: ast.expr, ctx: Context) -> bool:
    if not isinstance(literal, ast.Constant) or not isinstance(literal.value, str):
        return False
    text = literal.value.strip()
    if not text.lower().startswith("http://"):
        return False
    try:
        host = (urlsplit(text).hostname or "").lower()
    except ValueError:
        return False
    if host in _LOOPBACK or host.startswith("127.") or host.endswith(".localhost"):
        return False
    return not any(host == trusted or host.endswith("." + trusted) for trusted in ctx.settings.trusted_hosts)


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


def _request_url(call: ast.Call, ctx: Context, passed, url_ctx: Context) -> ast.expr | None:
    """The insecure URL literal a request built by ``call`` may go to, if it carries credentials
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
    node_types = (ast.Constant, ast.Call, ast.Assign, ast.AnnAssign)
    triggers = ("http://|HTTP://|Http://",)
    fixes = (FixSafety.UNSAFE,)
    fix_title = "Use https:// (unsafe: a server that only speaks http stops answering)"
    docs = Docs(
        what=(
            "Finds `http://` URLs (not loopback) for a JWKS (`PyJWKClient`), an `issuer`, an OAuth/OIDC token, "
            "introspection, userinfo or discovery endpoint (by its path, or a setting named like `JWKS_URL`, "
            "`OAUTH_TOKEN_URL`, `OIDC_ISSUER`), and requests that send an Authorization header or `auth=` over "
            "http."
        ),
        why=(
            "Over plain http a network attacker reads the tokens and client secrets sent, and can serve their "
            "own signing keys from a JWKS URL, after which they mint tokens the app accepts. `https://` and "
            "`http://localhost`/`127.0.0.1` stay silent."
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
        if isinstance(node, ast.Constant):
            url = insecure_url(node, ctx)
            if url is not None and _TOKEN_ENDPOINT_PATH.search(url.value):
                yield url, {"what": "A token endpoint URL"}, _FIX
            return
        for setting in ctx.config_settings(node):
            url = insecure_url(setting.value, ctx)
            if url is not None and _ENDPOINT_SETTING.search(setting.name):
                yield url, {"what": setting.name}, _FIX
        if not isinstance(node, ast.Call):
            return
        qualname = ctx.qualname(node.func) or ""
        if qualname in _JWKS_CLIENTS:
            url = insecure_url(argument(node, "uri", 0), ctx)
            if url is not None:
                yield url, {"what": "The JWKS URL"}, _FIX
        decode = ctx.decode_call(node)
        if decode is not None:
            url = insecure_url(decode.argument("issuer"), ctx)
            if url is not None:
                yield url, {"what": "The expected issuer"}, _FIX
        url = _request_url(node, ctx, lambda name, position: ctx.passed(node, name, position), ctx)
        if url is not None:
            yield url, {"what": "A request carrying credentials"}, _FIX
            return
        # The module's own helpers: ``call_api("http://...", token)`` where ``call_api`` sends it.
        for forward, inner in ctx.forwards(node):
            url = _request_url(forward.call, inner, lambda name, position: _forwarded(forward, name, position), ctx)
            if url is not None:
                yield url, {"what": "A request carrying credentials"}, _FIX
                return

    def apply_fix(self, node, data):
        from flask_token_lint import cst_edits

        if not isinstance(node, cst_edits.cst.SimpleString):
            return None
        opening = len(node.prefix) + len(node.quote)
        body = node.value[opening:]
        if not body.lower().startswith("http://"):
            return None
        return node.with_changes(value=node.value[:opening] + "https://" + body[len("http://"):]), frozenset()
