"""FTL204: a proxy view that forwards the caller's token to a host the caller named hands it to anyone."""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING

from flask_token_lint.credentials import REQUEST_SOURCE
from flask_token_lint.kinds import Kind
from flask_token_lint.rule import Docs, OWASP_API7, Rule, Severity, example

if TYPE_CHECKING:
    from flask_token_lint.context import Context


def _carried(outgoing, ctx: Context) -> str | None:
    """What credential the request carries: the incoming headers whole, or a header or ``auth=``
    whose value is a token or credential by where it comes from."""
    for headers in outgoing.headers:
        value = ctx.value_of(headers)
        if value is not None and value.kind is Kind.HEADERS:
            return f"the incoming headers ({value.label}, Authorization included)"
        for mapping in ctx.mappings_of(headers):
            for item in mapping.values():
                found = ctx.credential_label(item)
                if found is not None:
                    return found
    for auth in ctx.passed(outgoing.call, "auth"):
        found = ctx.credential_label(auth)
        if found is not None:
            return found
    return None


class TokenForwardedToUntrustedHost(Rule):
    code = "FTL204"
    symbol = "token-forwarded-to-untrusted-host"
    summary = "Token forwarded in a request to a host the client chose"
    message = "Sends {what} to a host the client chose ({host})"
    severity = Severity.HIGH
    cwe = ("CWE-918", "CWE-201")
    owasp = OWASP_API7
    node_types = (ast.Call,)
    triggers = (f"{REQUEST_SOURCE} + headers|auth",)
    # Off until a review of real code shows its findings hold: the review corpora hold no case yet.
    default_enabled = False
    docs = Docs(
        what=(
            "Finds an outgoing request (requests, httpx, aiohttp, urllib, or a client's `.get`/`.post`/... with "
            "`headers=`) that carries the incoming Authorization header, the incoming headers whole "
            "(`headers=request.headers`, `dict(request.headers)`), or another token or credential by where it "
            "comes from (in `headers=` or `auth=`), to a URL whose host the client chose: `request.host`, "
            "`request.host_url`, `request.url_root` (all from the Host header), `X-Forwarded-Host`, or a value of "
            "the query, form or JSON body, at the start of the URL or right after its scheme. Silent for a fixed "
            "or configured upstream, a client-chosen path on a fixed host, and a host checked against an "
            "allow-list first (`host in ALLOWED_HOSTS`, `==` a setting, `.endswith(...)`, a regex match, or a "
            "function whose name says it allows or trusts). Off by default: the packages the rules are reviewed "
            "on hold no case of it yet; turn it on with `--extend-select FTL204`."
        ),
        why=(
            "A backend-for-frontend or proxy view that forwards the caller's bearer token sends it wherever the "
            "URL points. When the client picks the host (a `?upstream=` parameter, a forged `Host` header), the "
            "token, or the service's own credential, goes to the attacker's server, who replays it against the "
            "real API. Build upstream URLs from configuration, or check the host against a fixed allow-list "
            "before the request. No fix is offered: the right upstream is the application's."
        ),
        references=(
            "https://owasp.org/API-Security/editions/2023/en/0xa7-server-side-request-forgery/",
            "https://cwe.mitre.org/data/definitions/918.html",
        ),
    )
    bad_examples = (
        example(
            """\
            import requests
            from flask import request

            def proxy(path):
                upstream = request.args["upstream"]
                auth = request.headers["Authorization"]
                return requests.get(f"https://{upstream}/{path}", headers={"Authorization": auth}).json()
            """
        ),
    )
    good_examples = (
        example(
            """\
            import requests
            from flask import current_app, request

            def proxy(path):
                auth = request.headers["Authorization"]
                upstream = current_app.config["UPSTREAM_URL"]
                return requests.get(f"{upstream}/{path}", headers={"Authorization": auth}).json()
            """
        ),
    )

    def check(self, node, ctx):
        outgoing = ctx.outgoing_request(node)
        what = None if outgoing is None else _carried(outgoing, ctx)
        if what is None:
            return  # no request, or nothing it carries is a credential
        for url in outgoing.urls:
            found = ctx.url_host(url)
            if found is not None and not ctx.is_allow_listed(found[0]):
                yield node, {"what": what, "host": found[1].label}
                return
