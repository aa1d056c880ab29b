"""FTL304: a token handed to a page's template, where the page's scripts (and any XSS) can read it."""

from __future__ import annotations

import ast

from flask_token_lint.rule import Docs, OWASP_API2, Rule, Severity, capitalized, example

_RENDERERS = frozenset({
    "flask.render_template", "flask.render_template_string", "flask.templating.render_template",
    "flask.templating.render_template_string", "flask.stream_template", "flask.stream_template_string",
})


def _formats(node: ast.Call) -> bool:
    return isinstance(node.func, ast.Attribute) and node.func.attr == "format"


def _inline_script(node: ast.AST, ctx) -> str | None:
    """A page's text (an f-string, ``+``, ``%`` or ``.format``) that writes a token inside a
    ``<script>`` element: what token."""
    if isinstance(node, ast.BinOp) and not isinstance(node.op, (ast.Add, ast.Mod)):
        return None  # arithmetic, not text
    if isinstance(ctx.parent(node), (ast.BinOp, ast.JoinedStr, ast.FormattedValue)):
        return None  # the whole string is read once, from its outermost part
    if not any(isinstance(n, ast.Constant) and isinstance(n.value, str) and "<script" in n.value.lower()
               for n in ast.walk(node)) and not isinstance(node, ast.Call):
        return None  # no literal opens a script here (a ``%``/``.format`` template may be a name)
    inside = False
    for piece in ctx.text_pieces(node):
        if isinstance(piece, tuple):
            lowered = piece[0].lower()
            opened, closed = lowered.rfind("<script"), lowered.rfind("</script")
            if opened > closed:
                inside = True
            elif closed > opened:
                inside = False
            continue
        if inside:
            found = ctx.credential_label(piece)
            if found is not None:
                return found
    return None


class TokenInTemplate(Rule):
    code = "FTL304"
    symbol = "token-in-template"
    summary = "Token passed into a page's template"
    message = "{what} is written into the page as {name}: the page's scripts, and any XSS, can read it"
    severity = Severity.MEDIUM
    cwe = ("CWE-522", "CWE-200")
    owasp = OWASP_API2
    node_types = (ast.Call, ast.JoinedStr, ast.BinOp)
    triggers = ("render_template|stream_template + flask", "<script")
    # Off until a review of real code shows its findings hold: the review corpora hold no case yet.
    default_enabled = False
    docs = Docs(
        what=(
            "Finds a bearer token, the Authorization header or another credential, known by where it comes "
            "from (the request, a token factory such as `jwt.encode` or `create_access_token`, a token "
            "response, a secret setting), passed to `render_template`, `render_template_string` or "
            "`stream_template` as a variable, directly or in a `**context` dict. CSRF tokens (meant for the "
            "page), a token's length, expiry or claims, and values the analysis cannot trace stay silent. "
            "Also finds such a token written by the code itself into an inline `<script>` element of a page "
            "(an f-string, `+`, `%` or `.format` whose text opens `<script` before the token). "
            "Off by default: the packages the rules are reviewed on hold no case of it yet; turn it on with "
            "`--extend-select FTL304`."
        ),
        why=(
            "Whatever the template writes into the page is readable by every script on it: one XSS, a "
            "compromised third-party script or a browser extension takes the token with it, and a bearer "
            "token works for whoever holds it. Keep the token in an HttpOnly cookie, or hand the page a "
            "short-lived, narrowly scoped one it needs. No fix is offered: where the token should live is a "
            "design choice."
        ),
        references=(
            "https://datatracker.ietf.org/doc/html/draft-ietf-oauth-browser-based-apps",
            "https://cwe.mitre.org/data/definitions/522.html",
        ),
    )
    bad_examples = (
        example(
            """\
            from flask import render_template, request

            def dashboard():
                token = request.headers["Authorization"].removeprefix("Bearer ")
                return render_template("dashboard.html", api_token=token)
            """
        ),
    )
    good_examples = (
        example(
            """\
            from flask import render_template
            from flask_wtf.csrf import generate_csrf

            def form():
                return render_template("form.html", csrf_token=generate_csrf())
            """
        ),
    )

    def check(self, node, ctx):
        if not isinstance(node, ast.Call) or _formats(node):
            found = _inline_script(node, ctx)
            if found is not None:
                yield node, {"what": capitalized(found), "name": "part of an inline <script>"}
            return
        if ctx.qualname(node.func) not in _RENDERERS:
            return
        passed = [(k.arg, k.value) for k in node.keywords if k.arg is not None]
        for keyword in (k for k in node.keywords if k.arg is None):
            for mapping in ctx.mappings_of(keyword.value):
                passed.extend((str(name), value) for name, value in mapping.items())
        for name, value in passed:
            label = ctx.credential_label(value)
            if label is not None:
                yield node, {"what": capitalized(label), "name": f"the template variable {name!r}"}
                return
