"""FTL202: a token in a URL ends up in server logs, proxy logs, browser history and Referer headers."""

from __future__ import annotations

import ast
import re

from flask_token_lint.credentials import CREDENTIAL_KEY_SPELLINGS, REQUEST_SOURCE
from flask_token_lint.rule import Docs, OWASP_API2, Rule, Severity, example
from flask_token_lint.kinds import Kind
from flask_token_lint.syntax import call_name

# ``?access_token=`` / ``&token=`` in a URL being built.
_TOKEN_PARAMETER = re.compile(
    r"[?&](?:access_token|accesstoken|id_token|refresh_token|auth_token|private_token|token|jwt|api_key|apikey|"
    r"bearer|client_secret|password|passwd|license_key|licence_key|secret_key)=",
    re.IGNORECASE,
)
_URL_BUILDERS = frozenset({"flask.url_for", "flask.helpers.url_for"})
_URL_ENCODERS = frozenset({"urllib.parse.urlencode", "urllib.urlencode", "werkzeug.urls.url_encode",
                           "six.moves.urllib.parse.urlencode"})
_QUERY_LOCATIONS = frozenset({"args", "values"})
_REQUEST_PARSERS = frozenset({f"{package}.reqparse.RequestParser" for package in ("flask_restful", "flask_restx", "flask_restplus")})


def _builds_a_url(call: ast.Call, ctx) -> bool:
    """The encoded query ends up in a URL: it is joined to text holding ``?`` or ``&`` (an f-string,
    ``+``, ``%`` or ``.format``), not sent as a form body; directly or through the local it is bound to
    (``query = urlencode(...)`` then ``base + "?" + query``)."""
    if _joined_into_a_url(call, ctx):
        return True
    binding = ctx.parent(call)
    if isinstance(binding, ast.Assign) and len(binding.targets) == 1 and isinstance(binding.targets[0], ast.Name):
        return any(
            call in ctx.bound_values(use) and _joined_into_a_url(use, ctx)
            for use in ctx.loads_of(binding.targets[0].id)
        )
    return False


def _joined_into_a_url(node: ast.expr, ctx) -> bool:
    parent = ctx.parent(node)
    while isinstance(parent, (ast.FormattedValue, ast.BinOp, ast.JoinedStr, ast.Call)):
        if isinstance(parent, ast.Call) and call_name(parent) != "format":
            break  # handed to a call: a form body or another API, not text of a URL
        texts = [n.value for n in ast.walk(parent) if isinstance(n, ast.Constant) and isinstance(n.value, str)]
        if any("?" in text or text.endswith("&") for text in texts):
            return True
        parent = ctx.parent(parent)
    return False


def _query_argument(call: ast.Call, ctx) -> str | None:
    """flask-restful/flask-restx ``reqparse``: ``add_argument("token", location="args")`` (or
    ``"values"``, which includes the query string) under a token key."""
    func = ctx.callee(call)
    is_argument = isinstance(func, ast.Attribute) and func.attr == "add_argument"
    is_argument = is_argument or (ctx.qualname(call.func) or "").endswith("reqparse.Argument")
    if not is_argument:
        return None
    location = next((k.value for k in call.keywords if k.arg == "location"), None)
    if location is None:
        # reqparse's default location is ("json", "values"), and request.values holds the query string;
        # argparse's add_argument has no location and reads no request.
        is_reqparse = isinstance(func, ast.Attribute) and ctx.created_by(func.value, _REQUEST_PARSERS)
        if not (is_reqparse or (ctx.qualname(call.func) or "").endswith("reqparse.Argument")):
            return None
        locations = {"values"}
    else:
        locations = set(ctx.strings_of(location))
        for item in getattr(ctx.constant_of(location), "elts", []):
            locations.update(ctx.strings_of(item))
    name_node = call.args[0] if call.args else next((k.value for k in call.keywords if k.arg == "name"), None)
    names = [] if name_node is None else ctx.strings_of(name_node)
    if locations & _QUERY_LOCATIONS and names and ctx.is_request_credential(names[0]):
        return names[0]
    return None


# What may follow ``token=`` in a literal whose value is filled in later: nothing (``+ token``),
# a %-format or a str.format field. ``<TOKEN>`` and other placeholders are documentation.
_FILLED_LATER = re.compile(r"(?:$|&|%s|%\(|\{)")


def _builds_token_url(text: str, literal: bool) -> bool:
    """A URL (no white space: not prose that mentions one) with a token query parameter."""
    if any(c.isspace() for c in text):
        return False
    for match in _TOKEN_PARAMETER.finditer(text):
        if not literal or _FILLED_LATER.match(text, match.end()):
            return True
    return False


class TokenInUrl(Rule):
    code = "FTL202"
    symbol = "token-in-url"
    summary = "Token read from or put into a URL query string"
    message = "{what}"
    severity = Severity.MEDIUM
    cwe = ("CWE-598",)
    owasp = OWASP_API2
    node_types = (ast.Subscript, ast.Call, ast.Constant, ast.JoinedStr, ast.Assign, ast.AnnAssign)
    # A read from the query string, a URL being built, or the setting that accepts tokens there; each
    # with the name of a credential field.
    triggers = (
        f"args|values + {REQUEST_SOURCE} + {CREDENTIAL_KEY_SPELLINGS}",
        f"params|url_for|urlencode|url_encode|reqparse + {CREDENTIAL_KEY_SPELLINGS}",
        "jwt_token_location",
        "token=|jwt=|key=|bearer=|secret=|password=|passwd= + re:" + _TOKEN_PARAMETER.pattern.lower(),
    )
    docs = Docs(
        what=(
            "Finds credentials read from the query string: `request.args`/`request.values` under token-like "
            "keys (`token`, `access_token`, `jwt`, `api_key`, ...) or password keys, flask-restful/flask-restx "
            "`reqparse` arguments with `location=\"args\"` or `\"values\"` (or no location: the default reads `request.values`), flask-jwt-extended's "
            "`JWT_TOKEN_LOCATION` including `\"query_string\"`; and tokens put into outgoing URLs: "
            "`?access_token=` in a URL string, `params={\"access_token\": ...}` (a dict as it stands at the "
            "call), `urlencode({...})` joined to a URL, `url_for(..., token=...)`. CSRF tokens and pagination "
            "cursors open nothing and stay silent; a token in a form or JSON body is not in the URL. A token read "
            "from the query and verified with an age bound (itsdangerous `loads`/`unsign` with `max_age`, directly, "
            "in a helper, or in the branch of another module's method that the call takes) is an emailed link's "
            "token, which only a URL can carry: silent; so is a link that carries a token the code stores with a "
            "lifetime (`store.add(key, token, ttl=7200)`, `setex`) or verifies with an age bound, there or in every "
            "caller of the function that builds the link."
        ),
        why=(
            "URLs are written to access logs, proxy and CDN logs, browser history and bookmarks, and sent to "
            "other sites in the Referer header: a bearer token there is a credential in many hands. Send it "
            "in the Authorization header instead. Other query keys, pagination cursors (`page_token`) and "
            "CSRF tokens stay silent."
        ),
        references=(
            "https://datatracker.ietf.org/doc/html/rfc6750#section-5.3",
            "https://cwe.mitre.org/data/definitions/598.html",
        ),
    )
    bad_examples = (
        example(
            """\
            from flask import request

            def view():
                return request.args.get("access_token")
            """
        ),
        example(
            """\
            import requests

            def fetch(token):
                return requests.get("https://api.example.com/me", params={"access_token": token})
            """
        ),
    )
    good_examples = (
        example(
            """\
            import requests
            from flask import request

            def fetch(token):
                page = request.args.get("page_token")
                return requests.get("https://api.example.com/me", headers={"Authorization": f"Bearer {token}"})
            """
        ),
    )

    def check(self, node, ctx):
        if isinstance(node, (ast.Assign, ast.AnnAssign)):
            yield from self._token_location(node, ctx)
        elif isinstance(node, ast.Constant):
            if isinstance(node.value, str) and _builds_token_url(node.value, literal=True):
                if not isinstance(ctx.parent(node), ast.JoinedStr):
                    yield node, {"what": "A token is put into a URL query string"}
        elif isinstance(node, ast.JoinedStr):
            text = "".join(v.value for v in node.values if isinstance(v, ast.Constant) and isinstance(v.value, str))
            if _builds_token_url(text, literal=False) and not _link_tokens(_filled_tokens(node), ctx):
                yield node, {"what": "A token is put into a URL query string"}
        else:
            yield from self._read_or_sent(node, ctx)

    def _read_or_sent(self, node, ctx):
        if isinstance(node, ast.Subscript) and not isinstance(node.ctx, ast.Load):
            return  # ``params["token"] = ...`` stores into a copy; it reads nothing from the URL
        # The shape first, then the dataflow: only a subscript or a mapping getter reads a query
        # parameter, and only in a module that sees flask's request.
        func = ctx.callee(node) if isinstance(node, ast.Call) else None
        if ctx.sees_request:
            if isinstance(func, ast.Attribute) and func.attr in _QUERY_GETTERS:
                base = func.value
            else:
                base = node.value if isinstance(node, ast.Subscript) else None
            base_value = None if base is None else ctx.value_of(base)
            if base_value is not None and base_value.kind is Kind.QUERY:
                value = ctx.value_of(node)
                if value is not None and value.kind is Kind.TOKEN and not _only_names_a_cookie(node, ctx) \
                        and not ctx.verified_with_age_bound(node):
                    yield node, {"what": f"Token read from {value.label}"}
                    return
        if not isinstance(node, ast.Call):
            return
        yield from self._token_location(node, ctx)
        if ctx.sees_request:
            for forward, inner in ctx.forwards(node):
                # ``query_value("access_token")`` where the helper returns ``request.args.get(name)``.
                func = inner.callee(forward.call)
                if isinstance(func, ast.Attribute) and func.attr in _QUERY_GETTERS and forward.call.args:
                    base = inner.value_of(func.value)
                    key = forward.site(forward.call.args[0])
                    if base is not None and base.kind is Kind.QUERY and key is not None:
                        names = [name for name in ctx.strings_of(key) if ctx.is_query_token_key(name)]
                        if names:
                            yield node, {"what": f"Token read from the {names[0]!r} query parameter"}
                            return
        for params in ctx.keyword_values(node, "params") or ():
            if any(ctx.is_query_token_key(key) for mapping in ctx.mappings_of(params) for key in mapping):
                yield node, {"what": "A token is sent as a query parameter"}
                return
        qualname = ctx.qualname(node.func)  # through imports and local aliases (``enc = urlencode``)
        if qualname in _URL_BUILDERS:
            if any(ctx.is_query_token_key(name) for name in ctx.keyword_names(node)):
                tokens = [k.value for k in node.keywords if k.arg is not None and ctx.is_query_token_key(k.arg)]
                if not _link_tokens(tokens, ctx):
                    yield node, {"what": "A token is put into a URL by url_for"}
                return
        if qualname in _URL_ENCODERS and node.args and _builds_a_url(node, ctx):
            tokens = [value for mapping in ctx.mappings_of(node.args[0])
                      for key, value in mapping.items() if ctx.is_query_token_key(key)]
            if tokens and not _link_tokens(tokens, ctx):
                yield node, {"what": "A token is put into a URL query string"}
                return
        argument = _query_argument(node, ctx)
        if argument is not None:
            yield node, {"what": f"The {argument!r} request argument is read from the query string"}

    def _token_location(self, node, ctx):
        for setting in ctx.config_settings(node):
            if setting.name != "JWT_TOKEN_LOCATION":
                continue
            location = ctx.constant_of(setting.value)
            items = location.elts if isinstance(location, (ast.List, ast.Tuple, ast.Set)) else [location]
            if any(ctx.string_of(item) == "query_string" for item in items):
                yield setting.report, {"what": "JWT_TOKEN_LOCATION accepts tokens from the query string"}
                return


_QUERY_GETTERS = frozenset({"get", "getlist", "pop"})


def _link_tokens(tokens: list, ctx) -> bool:
    """Every token the link carries lives a bounded time (stored with a TTL, verified with an age
    bound, or so made by every caller): an e-mailed link's token, which only a URL can carry."""
    return bool(tokens) and all(ctx.time_limited(token) for token in tokens)


def _filled_tokens(node: ast.JoinedStr) -> list:
    """The values an f-string puts right after a token query parameter (``?token={token}``)."""
    found, text = [], ""
    for part in node.values:
        if isinstance(part, ast.Constant) and isinstance(part.value, str):
            text += part.value
        elif isinstance(part, ast.FormattedValue):
            if _TOKEN_PARAMETER.search(text[-40:]) and text.endswith("="):
                found.append(part.value)
            text += "\0"
    return found


def _only_names_a_cookie(read: ast.expr, ctx) -> bool:
    """The value is bound to a name used only as a cookie's name: a client-chosen id, not a credential."""
    binding = ctx.parent(read)
    target: ast.expr
    if isinstance(binding, ast.NamedExpr):
        target = binding.target
    elif isinstance(binding, ast.Assign) and len(binding.targets) == 1:
        target = binding.targets[0]
    else:
        return False
    if not isinstance(target, ast.Name):
        return False
    uses = ctx.loads_of(target.id)
    used_as_name = [use for use in uses if _is_cookie_name(use, ctx.parent(use))]
    # The walrus' own truth test is a use too.
    others = [use for use in uses if use not in used_as_name and ctx.parent(use) is not binding]
    return bool(used_as_name) and not others


def _is_cookie_name(use: ast.Name, parent: ast.AST | None) -> bool:
    return (
        isinstance(parent, ast.Call)
        and isinstance(parent.func, ast.Attribute)
        and parent.func.attr == "set_cookie"
        and parent.args[:1] == [use]
    )
