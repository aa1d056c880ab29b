"""FTL502: with certificate checks off, anyone on the network path reads and rewrites the traffic."""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING

from flask_token_lint.syntax import dotted
from flask_token_lint.rule import Docs, FixSafety, Fixable, OWASP_API8, Rule, Severity, example

if TYPE_CHECKING:
    from flask_token_lint.context import Context

_CLIENT_MODULES = ("requests.", "httpx.", "urllib3.")
_CLIENT_FACTORIES = frozenset(
    {"requests.Session", "requests.session", "requests.sessions.Session", "httpx.Client", "httpx.AsyncClient"}
)
_CLIENT_WORDS = ("session", "client", "http")
_UNVERIFIED_CONTEXT = frozenset({"ssl._create_unverified_context"})
_CERT_NONE = frozenset({"ssl.CERT_NONE"})


def _is_http_client(node: ast.expr, ctx: Context) -> bool:
    """``node`` is a requests/httpx session or client (by its creation, or by its name)."""
    if ctx.created_by(node, _CLIENT_FACTORIES):
        return True
    path = dotted(node)
    return path is not None and any(word in path.rsplit(".", 1)[-1].lower() for word in _CLIENT_WORDS)


def _is_cert_none(node: ast.expr, ctx: Context) -> bool:
    return ctx.qualname(node) in _CERT_NONE or ctx.string_of(node) == "CERT_NONE"


def _forwarded(forward, name: str) -> list[ast.expr]:
    site = forward.keyword(name)
    return [] if site is None else [site]


def _disables_verification(call: ast.Call, ctx: Context, passed) -> str | None:
    """How ``call`` turns certificate checks off, judging the arguments ``passed(name)`` gives."""
    qualname = ctx.qualname(call.func) or ""
    if qualname in _UNVERIFIED_CONTEXT:
        return "ssl._create_unverified_context()"
    if any(_is_cert_none(value, ctx) for value in passed("cert_reqs")):
        return "cert_reqs=CERT_NONE"
    if any(ctx.literal_is(value, False) for value in passed("verify")):
        func = ctx.callee(call)
        client = qualname.startswith(_CLIENT_MODULES)
        if not client and isinstance(func, ast.Attribute):
            client = _is_http_client(func.value, ctx)
        if client:
            return "verify=False"
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
    triggers = ("verify|check_hostname + False", "unverified", "CERT_NONE")
    fixes = (FixSafety.UNSAFE,)
    fix_title = "Remove verify=False (unsafe: a server with a self-signed certificate is then refused)"
    docs = Docs(
        what=(
            "Finds `verify=False` on requests and httpx calls, sessions and clients (`s.verify = False` too), "
            "`ssl._create_unverified_context()`, `cert_reqs=ssl.CERT_NONE`/`\"CERT_NONE\"`, "
            "`check_hostname = False` and `verify_mode = ssl.CERT_NONE`."
        ),
        why=(
            "Without certificate verification any machine on the path (a Wi-Fi hotspot, a compromised router, "
            "a proxy) can impersonate the server: the bearer tokens sent to it, and the keys or userinfo read "
            "from it, are the attacker's. A CA bundle path (`verify=\"/path/ca.pem\"`) stays silent."
        ),
        references=(
            "https://requests.readthedocs.io/en/latest/user/advanced/#ssl-cert-verification",
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
    )
    good_examples = (
        example(
            """\
            import requests

            def userinfo(token):
                return requests.get("https://idp.example/userinfo", headers={"Authorization": token}, verify="ca.pem")
            """
        ),
    )

    def check(self, node, ctx):
        how = self._assignment(node, ctx) if isinstance(node, ast.Assign) else self._call(node, ctx)
        if how == "verify=False" and any(
            k.arg == "verify" and isinstance(k.value, ast.Constant) for k in node.keywords
        ):
            yield node, {"how": how}, Fixable(FixSafety.UNSAFE)
        elif how:
            yield node, {"how": how}

    def apply_fix(self, node, data):
        from flask_token_lint import cst_edits

        verify = cst_edits.keyword(node, "verify")
        return None if verify is None else (cst_edits.remove_argument(node, verify), frozenset())

    def _call(self, node: ast.Call, ctx: Context) -> str | None:
        how = _disables_verification(node, ctx, lambda name: ctx.passed(node, name))
        if how is not None:
            return how
        # The module's own helpers: ``call(url, False)`` where ``call`` hands ``verify`` on.
        for forward, inner in ctx.forwards(node):
            how = _disables_verification(forward.call, inner, lambda name: _forwarded(forward, name))
            if how is not None:
                return f"{how}, through {ast.unparse(node.func)}()"
        return None

    def _assignment(self, node: ast.Assign, ctx: Context) -> str | None:
        for target in node.targets:
            if not isinstance(target, ast.Attribute):
                continue
            if target.attr == "verify" and ctx.literal_is(node.value, False) and _is_http_client(target.value, ctx):
                return f"{dotted(target) or 'verify'} = False"
            if target.attr == "check_hostname" and ctx.literal_is(node.value, False):
                return "check_hostname = False"
            if target.attr == "verify_mode" and _is_cert_none(node.value, ctx):
                return "verify_mode = CERT_NONE"
        if ctx.qualname(node.value) in _UNVERIFIED_CONTEXT:
            return "ssl._create_unverified_context installed as the default"
        return None
