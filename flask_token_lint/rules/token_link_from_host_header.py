"""FTL205: a reset or magic link built from the request's Host header goes wherever the header says."""

from __future__ import annotations

import ast
import re

from flask_token_lint.kinds import Kind
from flask_token_lint.rule import Docs, OWASP_API2, Rule, Severity, example

# What pins the host a link is built with: ``SERVER_NAME``, or Flask 3.1's ``TRUSTED_HOSTS`` (Werkzeug's
# host check), set in any Python or configuration file of the project (``SERVER_NAME = ...``,
# ``config["SERVER_NAME"] = ...``, ``"SERVER_NAME": ...``, ``FLASK_SERVER_NAME=...``); not read
# (``environ.get("SERVER_NAME")`` is the WSGI server's name, not a pin).
_PINS = re.compile(r"(?<![A-Za-z0-9_])(?:FLASK_)?(?:SERVER_NAME|TRUSTED_HOSTS)[\"']?\]?[ \t]*(?::[^=\n]*)?[:=](?!=)"
                   r"|trusted_hosts[ \t]*=(?!=)")


class TokenLinkFromHostHeader(Rule):
    code = "FTL205"
    symbol = "token-link-from-host-header"
    summary = "Link carrying a token built from the request's Host header"
    message = "A link carrying {token} is built from {host}; with a forged Host header it points elsewhere"
    severity = Severity.MEDIUM
    cwe = ("CWE-640", "CWE-20")
    owasp = OWASP_API2
    node_types = (ast.Call, ast.JoinedStr, ast.BinOp)
    triggers = ("_external|host_url|url_root|root_url|base_url|request.host|request.url|HTTP_HOST|forwarded-host",)
    # Off until a review of real code shows its findings hold: one case so far, in the package it was
    # built on (privacyIDEA 3.9, tuning corpus).
    default_enabled = False
    docs = Docs(
        what=(
            "Finds a link that carries a token (a password-reset, e-mail verification, invitation or magic-login "
            "link) built with `url_for(..., _external=True)` or from `request.host_url`, `request.url_root`, "
            "`request.host`, `request.url` or the `Host`/`X-Forwarded-Host` header, in a project that pins no "
            "host: no Python or configuration file of it (test code aside) sets `SERVER_NAME` or `TRUSTED_HOSTS`. "
            "A function handed the request's host that builds such a link with it (in this module, or in "
            "another through the project index) is reported at the call. The token is known by where it comes "
            "from (`jwt.encode`, `create_access_token`, an itsdangerous `dumps`, `secrets.token_*`, a function "
            "named to make one or to generate a password or one-time code) or by the part of the link it fills "
            "(`?token=`, `reset_token=`). Silent for links without a token and for projects that set either "
            "setting (reading the WSGI `environ[\"SERVER_NAME\"]` pins nothing). Off by default (see the README's rule table for why); turn it on with "
            "`--extend-select FTL205`."
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
        found = ctx.token_link(node)
        if found is None and isinstance(node, ast.Call):
            # A helper (of this module, or another through the project index) handed the request's
            # host builds the link: reported at the call that hands it.
            for site, token in ctx.link_hosts(node):
                value = ctx.value_of(site)
                if value is not None and value.kind is Kind.HOST:
                    found = (f"{value.label}, handed to {ast.unparse(node.func)}()", token)
                    break
        if found is None or ctx.project_mentions(_PINS):
            return
        yield node, {"host": found[0], "token": found[1]}
