"""FTL205: a reset or magic link built from the request's Host header goes wherever the header says."""

from __future__ import annotations

import ast
import re
from typing import TYPE_CHECKING

from flask_token_lint.kinds import SECRET_KINDS, Kind
from flask_token_lint.rule import Docs, OWASP_API2, Rule, Severity, example

if TYPE_CHECKING:
    from flask_token_lint.context import Context

_URL_BUILDERS = frozenset({"flask.url_for", "flask.helpers.url_for"})
# What pins the host a link is built with (``SERVER_NAME``; Flask 3.1's ``TRUSTED_HOSTS``; Werkzeug's
# host check), or loads configuration the project does not show (a file or the environment).
_PINS = re.compile(r"SERVER_NAME|TRUSTED_HOSTS|trusted_hosts|from_envvar|from_prefixed_env|from_pyfile|from_file")
_TOKEN_QUERY = re.compile(r"[?&/][a-z_]*(?:token|key|code|signature|sig)=?$", re.IGNORECASE)


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


def _host_built_link(node: ast.expr, ctx: Context) -> tuple[str, str] | None:
    """A URL whose host is the request's (``request.host_url + "reset?token=" + token``) and that
    carries a token: the host's label and the token's."""
    found = ctx.url_host(node)
    if found is None or found[1].kind is not Kind.HOST:
        return None
    pieces = ctx.text_pieces(node)
    start = next(i for i, piece in enumerate(pieces) if piece is found[0])
    text = ""
    for piece in pieces[start + 1:]:
        if isinstance(piece, tuple):
            text += piece[0]
            continue
        token = _token_in(piece, ctx)
        if token is None and _TOKEN_QUERY.search(text) and not isinstance(ctx.constant_of(piece), ast.Constant):
            token = f"the value after {text.rsplit('/', 1)[-1].rsplit('?', 1)[-1].rsplit('&', 1)[-1]!r}"
        if token is not None:
            return found[1].label, token
    return None


class TokenLinkFromHostHeader(Rule):
    code = "FTL205"
    symbol = "token-link-from-host-header"
    summary = "Link carrying a token built from the request's Host header"
    message = "A link carrying {token} is built from {host}; with a forged Host header it points elsewhere"
    severity = Severity.MEDIUM
    cwe = ("CWE-640", "CWE-20")
    owasp = OWASP_API2
    node_types = (ast.Call, ast.JoinedStr, ast.BinOp)
    triggers = ("_external|host_url|url_root|root_url|request.host|request.url|HTTP_HOST|forwarded-host",)
    # Off until a review of real code shows its findings hold: the review corpora have no case yet.
    default_enabled = False
    docs = Docs(
        what=(
            "Finds a link that carries a token (a password-reset, e-mail verification, invitation or magic-login "
            "link) built with `url_for(..., _external=True)` or from `request.host_url`, `request.url_root`, "
            "`request.host`, `request.url` or the `Host`/`X-Forwarded-Host` header, in a project that pins no "
            "host: no Python or configuration file names `SERVER_NAME` or `TRUSTED_HOSTS`. The token is known by "
            "where it comes from (`jwt.encode`, `create_access_token`, an itsdangerous `dumps`, `secrets.token_*`, "
            "a function named to make one) or by the query key it fills (`?token=`, `reset_token=`). Silent for "
            "links without a token, for projects that name either setting, and for projects that load "
            "configuration from files or the environment it cannot see (`from_envvar`, `from_pyfile`, "
            "`from_prefixed_env`). Off by default: the packages the rules are reviewed on hold no case of it "
            "yet; turn it on with `--extend-select FTL205`."
        ),
        why=(
            "Without `SERVER_NAME`, Flask builds external URLs from the Host header of the request being "
            "served, which the client writes. An attacker asks for a password reset for the victim's account "
            "with `Host: attacker.example`; the e-mail the victim receives links to the attacker's server, "
            "with the victim's reset token in it, and one click hands it over. Set `SERVER_NAME` (or build "
            "links from a configured base URL), or `TRUSTED_HOSTS` so other hosts are refused. No fix is "
            "offered: the host is the deployment's."
        ),
        references=(
            "https://portswigger.net/web-security/host-header/exploiting/password-reset-poisoning",
            "https://flask.palletsprojects.com/en/stable/config/#SERVER_NAME",
            "https://cwe.mitre.org/data/definitions/640.html",
        ),
    )
    bad_examples = (
        example(
            """\
            import secrets
            from flask import url_for

            def send_reset(user, mailer):
                token = secrets.token_urlsafe(32)
                user.reset_token = token
                link = url_for("reset_password", token=token, _external=True)
                mailer.send(user.email, f"Reset your password: {link}")
            """
        ),
    )
    good_examples = (
        example(
            """\
            import secrets
            from flask import Flask, url_for

            app = Flask(__name__)
            app.config["SERVER_NAME"] = "accounts.example.com"

            def send_reset(user, mailer):
                token = secrets.token_urlsafe(32)
                link = url_for("reset_password", token=token, _external=True)
                mailer.send(user.email, f"Reset your password: {link}")
            """
        ),
    )

    def check(self, node, ctx):
        if isinstance(node, ast.Call):
            token = _external_url_for(node, ctx)
            found = None if token is None else ("the request's Host header (url_for with _external=True)", token)
            if found is None and isinstance(node.func, ast.Attribute) and node.func.attr == "format":
                found = _host_built_link(node, ctx)
        elif isinstance(ctx.parent(node), (ast.BinOp, ast.JoinedStr, ast.FormattedValue)):
            return  # the whole string is looked at once, from its outermost part
        else:
            found = _host_built_link(node, ctx)
        if found is None or ctx.project_mentions(_PINS):
            return
        yield node, {"host": found[0], "token": found[1]}
