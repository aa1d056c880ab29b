"""Links that carry a token and take their host from the request being served.

A link is ``url_for(..., _external=True)`` with a token among its values, or a URL in a string (the
whole string, or a word of a message) whose host is the request's own (``request.host_url``, ``request.url_root``,
``request.host``, the ``Host``/``X-Forwarded-Host`` header) followed by a token: a value that is
one by where it comes from (``token_label``, a generated secret or password), or the run-time value
of a query key that names a credential (``?reset_token=``). A function whose parameter, holding such a host, becomes
a token link's host is judged at its calls (``host_parameters``; the project index keeps it for
functions of other modules as a parameter handed to ``"link"``). FTL205 asks these through the
``Context``.
"""

from __future__ import annotations

import ast
import re
from typing import TYPE_CHECKING

from flask_token_lint.kinds import SECRET_KINDS, Kind, Value
from flask_token_lint.paths import own_nodes, reached

if TYPE_CHECKING:
    from flask_token_lint.context import Context

_URL_BUILDERS = frozenset({"flask.url_for", "flask.helpers.url_for"})
_SCHEME = re.compile(r"(?:[a-z][a-z0-9+.-]*:)?//", re.IGNORECASE)
# What ends a URL inside a message: white space, quotes, brackets.
_DELIMITERS = " \t\r\n\"'<>()[]"
EXTERNAL_URL_FOR = "the request's Host header (url_for with _external=True)"
# Parameters a link's host may be handed in, by name: which ones the project index asks about (a
# bound on its work; in the file the calls say which parameters receive the request's host).
HOST_PARAMETER = re.compile(r"url|host|base|root|domain|server|origin|site|link", re.IGNORECASE)


def _token_in(node: ast.expr, ctx: Context) -> str | None:
    """What token ``node`` holds, by where it comes from."""
    if isinstance(ctx.constant_of(node), ast.Constant):
        return None
    label = ctx.token_label(node)
    if label is not None:
        return label
    value = ctx.value_of(node)
    return value.label if value is not None and value.kind in SECRET_KINDS else None


def _external_url_for(call: ast.Call, ctx: Context) -> str | None:
    """``url_for(..., _external=True, token=...)``: the token the link carries."""
    if ctx.qualname(call.func) not in _URL_BUILDERS:
        return None
    external = next((k.value for k in call.keywords if k.arg == "_external"), None)
    if external is None or not ctx.literal_is(external, True):
        return None
    for keyword in call.keywords:
        if keyword.arg is None or keyword.arg.startswith("_"):
            continue
        found = _token_in(keyword.value, ctx)
        if found is not None:
            return found
        if ctx.is_query_token_key(keyword.arg) and not isinstance(ctx.constant_of(keyword.value), ast.Constant):
            return f"the {keyword.arg!r} value"
    return None


def _host_built(node: ast.expr, ctx: Context) -> tuple[str, str] | None:
    """A URL in the text ``node`` builds (the whole string, or a word of a message: an e-mail body)
    whose host is the request's own, followed in the same URL by a token."""
    pieces = ctx.text_part(node)
    word = ""  # the text of the current word: since the last white space or delimiter
    host: Value | None = None
    for piece in pieces:
        if isinstance(piece, tuple):
            text = piece[0]
            cut = max(text.rfind(c) for c in _DELIMITERS)
            if cut >= 0:
                word, host = text[cut + 1:], None  # the URL ended
            else:
                word += text
            continue
        if host is None:
            if word == "" or _SCHEME.fullmatch(word):
                value = ctx.value_of(piece)
                if value is not None and value.kind is Kind.HOST:
                    host, word = value, ""
                    continue
            word += "\0"  # a run-time part that is not the host: the word goes on
            continue
        token = _token_in(piece, ctx)
        key = re.split(r"[/?&]", word)[-1]
        if token is None and key.endswith("=") and ctx.is_request_credential(key[:-1]) \
                and not isinstance(ctx.constant_of(piece), ast.Constant):
            token = f"the value after {key!r}"  # ``?reset_token={...}``: the query key says what it fills
        if token is not None:
            return host.label, token
        word += "\0"
    return None


def token_link(node: ast.AST, ctx: Context) -> tuple[str, str] | None:
    """``(where the host comes from, what token)`` when ``node`` builds a link carrying a token from
    the request's host; a string is judged once, at its outermost part."""
    if isinstance(node, ast.Call):
        token = _external_url_for(node, ctx)
        if token is not None:
            return EXTERNAL_URL_FOR, token
        if isinstance(node.func, ast.Attribute) and node.func.attr == "format":
            return _host_built(node, ctx)
        return None
    if isinstance(node, (ast.JoinedStr, ast.BinOp)):
        if isinstance(ctx.parent(node), (ast.BinOp, ast.JoinedStr, ast.FormattedValue)):
            return None
        return _host_built(node, ctx)
    return None


def host_parameters(definition: ast.FunctionDef | ast.AsyncFunctionDef, ctx: Context,
                    names: list[str] | None = None) -> dict[str, str]:
    """Which of the parameters ``names`` of ``definition`` (``ctx`` is in its scope) become the host
    of a link carrying a token built in its body, each with that token. Without ``names`` (the
    project index, which cannot see the calls): the parameters named for a host or base URL."""
    if names is None:
        args = definition.args
        names = [a.arg for a in (*args.posonlyargs, *args.args, *args.kwonlyargs)
                 if a.arg not in ("self", "cls") and HOST_PARAMETER.search(a.arg)]
    if not names:
        return {}
    nodes = [node for stmt, _ in reached(definition.body, {}) for node in own_nodes(stmt)
             if isinstance(node, (ast.JoinedStr, ast.BinOp, ast.Call))]
    if not nodes:
        return {}
    found: dict[str, str] = {}
    for name in names:
        assumed = ctx.assuming_parameter(name, Value(Kind.HOST, f"the {name!r} it is handed", supplied=True))
        for node in nodes:
            link = token_link(node, assumed)
            if link is not None and link[0] != EXTERNAL_URL_FOR:
                found[name] = link[1]
                break
    return found
