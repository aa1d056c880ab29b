"""FTL110: an introspection response says ``{"active": false}`` for a revoked or expired token; reading
its other members without that check lets the token through."""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING

from flask_token_lint.rule import Docs, OWASP_API2, Rule, Severity, example

if TYPE_CHECKING:
    from flask_token_lint.context import Context

_MEMBER = "active"
# Library calls that return an RFC 7662 introspection response: authlib's and requests-oauthlib's
# clients (``introspect_token(url, token=...)``: an HTTP response).
_RESPONDING = frozenset({"introspect_token"})
_MAX_CALLERS = 2
_AUDIENCE = ("aud", "client_id", "azp")


def _introspection_request(node: ast.expr, ctx: Context) -> tuple[bool, bool]:
    """Whether ``node`` is, or names, a request to a token-introspection endpoint (by its URL's text
    or the name it is read from: ``INTROSPECTION_URL``, ``metadata["introspection_endpoint"]``), and
    whether it authenticates as a client of its own (``auth=``, a ``client_id`` sent, an
    Authorization header, a library client): then the result's audience or client is the app's to
    check."""
    made = ctx.constant_of(node)
    if not isinstance(made, ast.Call):
        return False, False
    func = made.func
    if isinstance(func, ast.Attribute) and func.attr in _RESPONDING:
        return True, True
    outgoing = ctx.outgoing_request(made)
    if outgoing is None:
        return False, False
    for url in outgoing.urls:
        for piece in ctx.text_part(url):
            text = piece[0] if isinstance(piece, tuple) else ast.unparse(ctx.constant_of(piece))
            if "introspect" in text.lower():
                return True, _authenticates(made, outgoing, ctx)
    return False, False


def _authenticates(call: ast.Call, outgoing, ctx: Context) -> bool:
    if ctx.passed(call, "auth"):
        return True
    sent = [*ctx.passed(call, "data"), *ctx.passed(call, "json"), *ctx.passed(call, "params"), *outgoing.headers]
    return any(
        str(key).lower() in ("client_id", "authorization") for value in sent for mapping in ctx.mappings_of(value)
        for key in mapping
    )


def _result(call: ast.Call, ctx: Context) -> tuple[bool, bool]:
    """Whether ``call`` gives an introspection result (``response.json()`` of such a request), and
    whether the app has a client identity of its own."""
    func = call.func
    if not isinstance(func, ast.Attribute):
        return False, False
    if func.attr == "json" and not call.args:
        return _introspection_request(func.value, ctx)
    return False, False


def _audience_checked(producer: ast.expr, ctx: Context, depth: int = 0) -> bool:
    """The result's ``aud``, ``client_id`` or ``azp`` is compared with something, or the result is
    handed to a function that may check it (here or in a module caller it is returned to)."""
    for use in _uses(producer, ctx):
        parent = ctx.parent(use)
        read = ctx.parent(parent) if isinstance(parent, ast.Attribute) else parent
        if read is not None and ctx.member_of(read, *_AUDIENCE) is not None:
            current = ctx.parent(read)
            while current is not None and not isinstance(current, ast.stmt):
                if isinstance(current, ast.Compare):
                    return True
                current = ctx.parent(current)
            if isinstance(current, (ast.Assign, ast.AnnAssign)):
                return True  # kept in a name, compared later (not followed further)
        if isinstance(parent, ast.Call) and use in parent.args and not ctx.is_output_call(parent) \
                and not (isinstance(parent.func, ast.Attribute) and parent.func.value is use):
            return True  # handed on: it may be checked there
        if isinstance(parent, ast.Return) and depth < _MAX_CALLERS:
            if any(_audience_checked(call, caller, depth + 1) for call, caller in ctx.callers()):
                return True
    return False


def _uses(producer: ast.expr, ctx: Context) -> list[ast.expr]:
    """Where the result is used: the loads of the name it is bound to, or the expression itself."""
    parent = ctx.parent(producer)
    if isinstance(parent, ast.Await):
        producer, parent = parent, ctx.parent(parent)
    if isinstance(parent, ast.Assign) and len(parent.targets) == 1 and isinstance(parent.targets[0], ast.Name):
        return [use for use in ctx.loads_of(parent.targets[0].id) if producer in ctx.bound_values(use)]
    return [producer]


def _unchecked(producer: ast.expr, ctx: Context, depth: int = 0) -> tuple[ast.expr, Context] | None:
    """The first use of the result that decides something before ``active`` was found true; a
    result returned whole is followed into the module's callers (none: the caller is a library
    that checks it, or unknown)."""
    for use in _uses(producer, ctx):
        parent = ctx.parent(use)
        if isinstance(parent, (ast.Subscript, ast.Attribute, ast.Call)) and _reads_the_member(parent, ctx):
            continue  # the check itself
        if isinstance(parent, ast.Call) and ctx.is_output_call(parent):
            continue  # logged, not trusted
        if ctx.member_checked(use, _MEMBER):
            continue
        if isinstance(parent, ast.Return) and depth < _MAX_CALLERS:
            for call, caller in ctx.callers():
                found = _unchecked(call, caller, depth + 1)
                if found is not None:
                    return found
            continue
        return use, ctx
    return None


def _reads_the_member(node: ast.AST, ctx: Context) -> bool:
    if isinstance(node, ast.Attribute):
        node = ctx.parent(node)
    return node is not None and ctx.member_of(node, _MEMBER) is not None


class IntrospectionResultUnchecked(Rule):
    code = "FTL110"
    symbol = "introspection-result-unchecked"
    summary = "Token-introspection result used without checking active"
    message = "The token-introspection result is used {how}"
    severity = Severity.HIGH
    cwe = ("CWE-287", "CWE-613")
    owasp = OWASP_API2
    node_types = (ast.Call,)
    triggers = ("introspect",)
    # Off until a review of real code shows its findings hold: one case so far (flask-oidc, tuning corpus).
    default_enabled = False
    docs = Docs(
        what=(
            "Finds the JSON of an RFC 7662 token-introspection response (a request to a URL or setting that "
            "names introspection, authlib's or requests-oauthlib's `introspect_token(...)`) used to decide something (a member read, returned, stored, passed "
            "on, compared) where no test of its `active` member dominates the use: `if not data.get(\"active\"): "
            "abort(401)` before it, or `data[\"active\"] and ...` around it. A result returned whole is followed "
            "into the module's callers (two deep); with no caller in the module (a library such as authlib's "
            "`IntrospectTokenValidator` calls it, and checks `active` itself) it stays silent. Logging the result "
            "is no use. Where the introspection request authenticates as a client of the app (`auth=`, a "
            "`client_id` sent, an Authorization header, a library client), the result's `aud`, `client_id` or "
            "`azp` must also be compared with something (or the result handed to a function that may do it): "
            "otherwise a token issued to another client of the same server passes. Off by default: the packages the "
            "rules are reviewed on hold one case of it so far; turn it on with `--extend-select FTL110`."
        ),
        why=(
            "An introspection endpoint answers every well-formed request with 200: for a revoked, expired or "
            "forged token the answer is `{\"active\": false}`, and some servers still send the token's other "
            "members with it. Code that reads `sub` or `scope` without first requiring `active` to be true lets "
            "such a token through. No fix is offered: what to do with an inactive token (401, a refresh) is the "
            "application's."
        ),
        references=(
            "https://datatracker.ietf.org/doc/html/rfc7662#section-2.2",
            "https://cwe.mitre.org/data/definitions/613.html",
        ),
    )
    bad_examples = (
        example(
            """\
            import requests

            def current_user(token):
                info = requests.post("https://idp.example.com/oauth/introspect", data={"token": token}).json()
                return info["sub"]
            """
        ),
    )
    good_examples = (
        example(
            """\
            import requests
            from flask import abort

            def current_user(token):
                info = requests.post("https://idp.example.com/oauth/introspect", data={"token": token}).json()
                if not info.get("active"):
                    abort(401)
                return info["sub"]
            """
        ),
    )

    def check(self, node, ctx):
        result, client = _result(node, ctx)
        if not result:
            return
        found = _unchecked(node, ctx)
        if found is not None:
            # the use: here, or in the caller in the module that trusts the result
            yield found[0], {"how": "before its `active` member is checked: a revoked or expired token passes"}
        elif client and not _audience_checked(node, ctx):
            yield node, {"how": "without checking its `aud` or `client_id`: a token issued to another client passes"}
