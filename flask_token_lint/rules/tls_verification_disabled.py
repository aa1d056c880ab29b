"""FTL502: with certificate checks off, anyone on the network path reads and rewrites the traffic."""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING

from flask_token_lint.kinds import HTTP_CLIENT_MODULES, HTTP_METHODS
from flask_token_lint.syntax import dotted
from flask_token_lint.rule import Docs, FixSafety, Fixable, OWASP_API8, Rule, Severity, example

if TYPE_CHECKING:
    from flask_token_lint.context import Context

_CLIENT_FACTORIES = frozenset(
    {"requests.Session", "requests.session", "requests.sessions.Session", "httpx.Client", "httpx.AsyncClient"}
)
_CLIENT_WORDS = ("session", "client", "http")
_UNVERIFIED_CONTEXT = frozenset({"ssl._create_unverified_context"})
_CERT_NONE = frozenset({"ssl.CERT_NONE", "ssl.VerifyMode.CERT_NONE"})
# urllib3 resolves ``cert_reqs="NONE"`` as ``ssl.CERT_NONE`` too; ``ssl.CERT_NONE`` is 0.
_CERT_NONE_NAMES = frozenset({"CERT_NONE", "NONE"})
_AIOHTTP_SESSIONS = frozenset({"aiohttp.ClientSession", "aiohttp.client.ClientSession"})
# Keywords whose removal restores the library's default: verification on.
_REMOVABLE = frozenset({"verify", "ssl", "verify_ssl"})
# What an aiohttp session sends a request with; ``ssl=False`` elsewhere (a database or mail client)
# means "no TLS at all", a different question.
_AIOHTTP_METHODS = HTTP_METHODS | {"ws_connect"}


def _is_http_client(node: ast.expr, ctx: Context) -> bool:
    """``node`` is a requests/httpx session or client (by its creation, or by its name)."""
    if ctx.created_by(node, _CLIENT_FACTORIES):
        return True
    return _named_like_a_client(node)


def _named_like_a_client(node: ast.expr) -> bool:
    path = dotted(node)
    return path is not None and any(word in path.rsplit(".", 1)[-1].lower() for word in _CLIENT_WORDS)


def _is_aiohttp_call(call: ast.Call, qualname: str, ctx: Context) -> bool:
    """``call`` is aiohttp's own (``aiohttp.request``, ``aiohttp.TCPConnector``) or a request made
    with an aiohttp session: one it creates, or a session or client it is handed."""
    if qualname.startswith("aiohttp."):
        return True
    func = ctx.callee(call)
    if not isinstance(func, ast.Attribute) or func.attr not in _AIOHTTP_METHODS:
        return False
    if ctx.created_by(func.value, _AIOHTTP_SESSIONS):
        return True
    created = ctx.constant_of(func.value)
    if isinstance(created, ast.Call) and ctx.qualname(created.func) is not None:
        return False  # made by some other library's factory
    return _named_like_a_client(func.value)


def _is_cert_none(node: ast.expr, ctx: Context) -> bool:
    return any(
        ctx.qualname(value) in _CERT_NONE
        or (isinstance(value, ast.Constant) and value.value in _CERT_NONE_NAMES)
        or (isinstance(value, ast.Constant) and type(value.value) is int and value.value == 0)
        for value in ctx.constants_of(node)
    )


def _falsy(node: ast.expr, ctx: Context) -> ast.Constant | None:
    """A falsy literal ``node`` may hold (``False``, ``0``, ``""``): requests and httpx turn the
    certificate check off for any of them. ``None`` means "the default" and is not one."""
    for value in ctx.constants_of(node):
        if isinstance(value, ast.Constant) and value.value is not None and not value.value:
            if isinstance(value.value, str) and value is not node:
                continue  # an empty string from elsewhere is an unset setting (``_expand_path("")``), not a choice
            return value
    return None


def _forwarded(forward, name: str) -> list[ast.expr]:
    site = forward.keyword(name)
    return [] if site is None else [site]


def _disables_verification(call: ast.Call, ctx: Context, passed, judge: Context) -> str | None:
    """How ``call`` (read in ``ctx``) turns certificate checks off, judging the arguments
    ``passed(name)`` gives in ``judge`` (the caller's scope, for a helper's call)."""
    qualname = ctx.qualname(call.func) or ""
    if qualname in _UNVERIFIED_CONTEXT:
        return "ssl._create_unverified_context()"
    if any(_is_cert_none(value, judge) for value in passed("cert_reqs")):
        return "cert_reqs=CERT_NONE"
    for value in passed("verify"):
        falsy = _falsy(value, judge)
        if falsy is None:
            continue
        func = ctx.callee(call)
        client = qualname.startswith(HTTP_CLIENT_MODULES)
        if not client and isinstance(func, ast.Attribute):
            client = _is_http_client(func.value, ctx)
        if client:
            return f"verify={falsy.value!r}"
    for name in ("ssl", "verify_ssl"):
        if any(judge.literal_is(value, False) for value in passed(name)) and _is_aiohttp_call(call, qualname, ctx):
            return f"{name}=False"
    return None


class TlsVerificationDisabled(Rule):
    code = "FTL502"
    symbol = "tls-verification-disabled"
    summary = "TLS certificate verification disabled"
    message = "TLS certificate verification is disabled ({how})"
    severity = Severity.HIGH
    cwe = ("CWE-295",)
    owasp = OWASP_API8
    node_types = (ast.Call, ast.Assign)
    triggers = ("verify|check_hostname|ssl + False", "verify + 0|''|\"\"", "unverified", "CERT_NONE|cert_reqs")
    fixes = (FixSafety.UNSAFE,)
    fix_title = (
        "Remove verify=False, or aiohttp's ssl=False (unsafe: a server with a self-signed certificate is then "
        "refused)"
    )
    docs = Docs(
        what=(
            "Finds a falsy `verify` (`False`, `0`, `\"\"`) on requests and httpx calls, sessions and clients "
            "(`s.verify = False` too); aiohttp's `ssl=False` or `verify_ssl=False` on a session's requests, "
            "`aiohttp.request` and `TCPConnector`; `ssl._create_unverified_context()`; `cert_reqs` of "
            "`ssl.CERT_NONE`, `\"CERT_NONE\"` or `\"NONE\"` (urllib3's `PoolManager`, `ProxyManager`, "
            "`HTTPSConnectionPool`, `ssl.wrap_socket`); `check_hostname = False` and "
            "`verify_mode = ssl.CERT_NONE`. Flags are followed through names, `**` dicts and the module's own "
            "helpers that hand them on (reported where the caller passes the flag)."
        ),
        why=(
            "Without certificate verification any machine on the path (a Wi-Fi hotspot, a compromised router, "
            "a proxy) can impersonate the server: the bearer tokens sent to it, and the keys or userinfo read "
            "from it, are the attacker's. A CA bundle path (`verify=\"/path/ca.pem\"`), an SSL context "
            "(`ssl=context`), `verify=None` (requests' default) and `ssl=False` on calls that are not HTTP "
            "requests (a database client's, where it means no TLS at all) stay silent."
        ),
        references=(
            "https://requests.readthedocs.io/en/latest/user/advanced/#ssl-cert-verification",
            "https://docs.aiohttp.org/en/stable/client_advanced.html#ssl-control-for-tcp-sockets",
            "https://urllib3.readthedocs.io/en/stable/advanced-usage.html#certificate-verification",
            "https://cwe.mitre.org/data/definitions/295.html",
        ),
    )
    bad_examples = (
        example(
            """\
            import requests

            def userinfo(token):
                return requests.get("https://idp.example/userinfo", headers={"Authorization": token}, verify=False)
            """
        ),
        example(
            """\
            import aiohttp

            async def userinfo(token):
                async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(ssl=False)) as session:
                    return await session.get("https://idp.example/userinfo", headers={"Authorization": token})
            """
        ),
    )
    good_examples = (
        example(
            """\
            import requests

            def userinfo(token):
                return requests.get("https://idp.example/userinfo", headers={"Authorization": token}, verify="ca.pem")
            """
        ),
        example(
            """\
            import ssl

            import aiohttp

            async def userinfo(url, token):
                context = ssl.create_default_context(cafile="ca.pem")
                async with aiohttp.ClientSession() as session:
                    return await session.get(url, headers={"Authorization": token}, ssl=context)
            """
        ),
    )

    def check(self, node, ctx):
        how = self._assignment(node, ctx) if isinstance(node, ast.Assign) else self._call(node, ctx)
        if not how:
            return
        keyword = how.split("=", 1)[0]
        # The keyword that turns the check off, when this call writes it; else the call.
        reported = next((k for k in getattr(node, "keywords", ()) if k.arg == keyword), node)
        if isinstance(node, ast.Call) and keyword in _REMOVABLE and "," not in how and any(
            k.arg == keyword and isinstance(k.value, ast.Constant) for k in node.keywords
        ):
            yield reported, {"how": how}, Fixable(FixSafety.UNSAFE, (("keyword", keyword),), target=node)
        else:
            yield reported, {"how": how}

    def apply_fix(self, node, data):
        from flask_token_lint import cst_edits

        argument = cst_edits.keyword(node, data.get("keyword", "verify"))
        return None if argument is None else (cst_edits.remove_argument(node, argument), frozenset())

    def _call(self, node: ast.Call, ctx: Context) -> str | None:
        how = _disables_verification(node, ctx, lambda name: ctx.passed(node, name), ctx)
        if how is not None:
            return how
        # The module's own helpers: ``call(url, False)`` where ``call`` hands ``verify`` (``ssl``,
        # ``cert_reqs``) on; what the site passes is judged here.
        for forward, inner in ctx.forwards(node):
            how = _disables_verification(forward.call, inner, lambda name: _forwarded(forward, name), ctx)
            if how is not None:
                return f"{how}, through {ast.unparse(node.func)}()"
        # A helper of another project module that hands a parameter to ``verify=`` (the project index).
        for site in ctx.imported_sites(node, "verify"):
            falsy = _falsy(site, ctx)
            if falsy is not None:
                return f"verify={falsy.value!r}, through {ast.unparse(node.func)}()"
        return None

    def _assignment(self, node: ast.Assign, ctx: Context) -> str | None:
        for target in node.targets:
            if not isinstance(target, ast.Attribute):
                continue
            falsy = _falsy(node.value, ctx) if target.attr == "verify" else None
            if falsy is not None and _is_http_client(target.value, ctx):
                return f"{dotted(target) or 'verify'} = {falsy.value!r}"
            if target.attr == "check_hostname" and ctx.literal_is(node.value, False):
                return "check_hostname = False"
            if target.attr == "verify_mode" and _is_cert_none(node.value, ctx):
                return "verify_mode = CERT_NONE"
        if ctx.qualname(node.value) in _UNVERIFIED_CONTEXT:
            return "ssl._create_unverified_context installed as the default"
        return None
