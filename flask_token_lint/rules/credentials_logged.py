"""FTL301: request headers, environ or cookies written to a log carry live credentials."""

from __future__ import annotations

import ast

from flask_token_lint.rule import Docs, OWASP_API8, Rule, Severity, example


class CredentialsLogged(Rule):
    code = "FTL301"
    symbol = "credentials-logged"
    summary = "Request headers, cookies or Authorization logged"
    message = "{what} is logged; it carries credentials"
    severity = Severity.MEDIUM
    cwe = ("CWE-532",)
    owasp = OWASP_API8
    node_types = (ast.Call,)
    triggers = ("flask + request + headers|environ|cookies|authorization",)
    docs = Docs(
        what=(
            "Finds logging calls (`logging.*`, `*.logger.*`, `logger.*`, `log.*`), `print`, "
            "`sys.stdout/stderr.write` and `warnings.warn` that write `request.headers`, `request.environ`, "
            "`request.cookies`, `request.authorization`, or the Authorization, Cookie or API-key header value: "
            "directly, through `dict()`/`str()`/`repr()`/`.items()`, f-strings, `%`, `.format`, `+`, or a "
            "local name."
        ),
        why=(
            "Logs are kept for months, shipped to third parties and read by many people. A bearer token or "
            "session cookie in a log line is a credential anyone with log access can replay. One harmless "
            "header (`User-Agent`), `request.path` or a count of headers stays silent."
        ),
        references=(
            "https://cheatsheetseries.owasp.org/cheatsheets/Logging_Cheat_Sheet.html#data-to-exclude",
            "https://cwe.mitre.org/data/definitions/532.html",
        ),
    )
    bad_examples = (
        example(
            """\
            import logging
            from flask import request

            def view():
                logging.info("headers: %s", dict(request.headers))
            """
        ),
        example(
            """\
            from flask import current_app, request

            def view():
                current_app.logger.debug(f"auth={request.headers.get('Authorization')}")
            """
        ),
    )
    good_examples = (
        example(
            """\
            import logging
            from flask import request

            def view():
                logging.info("agent: %s", request.headers.get("User-Agent"))
            """
        ),
        example(
            """\
            import logging
            from flask import request

            def view():
                logging.info("%d headers", len(request.headers))
            """
        ),
    )

    def check(self, node, ctx):
        for argument in ctx.written_sites(node):
            what = ctx.leak_of(argument)
            if what is not None:
                yield node, {"what": what}
                return
