"""Outgoing HTTP requests: which calls send one, to which URL, with which headers, and whether the
URL's host is one the client chose.

A call sends a request when it is a verb of requests or httpx (the module's functions, a session or
client), of an aiohttp session, urllib's ``Request``/``urlopen``, or any ``.get``/``.post``/...
call that passes ``headers=`` (the shape of a client's verb; a dict's ``get`` never takes it).
The host of a URL is the first run-time part of its text (``text_pieces``) when nothing but a
scheme comes before it: ``f"https://{host}/api"``, ``request.host_url + "api"``, a whole URL from
the query. Used through the ``Context`` (FTL204, FTL205, FTL110).
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from typing import TYPE_CHECKING

from flask_token_lint.kinds import HTTP_CLIENT_MODULES, HTTP_METHODS, Kind, Value

if TYPE_CHECKING:
    from flask_token_lint.context import Context

_VERBS = HTTP_METHODS | {"stream", "send"}
_URLLIB = frozenset({"urllib.request.Request", "urllib.request.urlopen", "urllib2.Request", "urllib2.urlopen"})
_CLIENT_FACTORIES = frozenset({
    "requests.Session", "requests.session", "requests.sessions.Session", "httpx.Client", "httpx.AsyncClient",
    "aiohttp.ClientSession", "aiohttp.client.ClientSession",
})
# What a client chooses a host with: the Host header and what Flask builds from it, or any other input.
_HOST_KINDS = frozenset({Kind.HOST, Kind.INPUT})


@dataclass
class Outgoing:
    call: ast.Call
    urls: list[ast.expr]
    headers: list[ast.expr]


def outgoing_request(call: ast.Call, ctx: Context) -> Outgoing | None:
    """The request ``call`` sends, if it sends one."""
    func = ctx.callee(call)
    qualname = ctx.qualname(call.func) or ""
    if qualname in _URLLIB:
        return Outgoing(call, ctx.passed(call, "url", 0), ctx.passed(call, "headers", 2))
    method = func.attr if isinstance(func, ast.Attribute) else qualname.rsplit(".", 1)[-1]
    if method not in _VERBS:
        return None
    headers = ctx.passed(call, "headers")
    known = qualname.startswith((*HTTP_CLIENT_MODULES, "aiohttp."))
    if not known and isinstance(func, ast.Attribute):
        known = ctx.created_by(func.value, _CLIENT_FACTORIES)
    if not (known or headers):
        return None
    position = 1 if method == "request" else 0
    return Outgoing(call, ctx.passed(call, "url", position), headers)


def url_host(url: ast.expr, ctx: Context) -> tuple[ast.expr, Value] | None:
    """The run-time expression that decides ``url``'s host, and its value, when the client chose it
    (a Host-derived value or another request input)."""
    text = ""
    for piece in ctx.text_part(url):
        if isinstance(piece, tuple):
            text += piece[0]
            continue
        after_scheme = text.split("//", 1)[1] if "//" in text else None
        if text == "" or (after_scheme is not None and not any(c in after_scheme for c in "/?#")):
            value = ctx.value_of(piece)
            if value is not None and value.supplied and value.kind in _HOST_KINDS:
                return piece, value
        return None
    return None
