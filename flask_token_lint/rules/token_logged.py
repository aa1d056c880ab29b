"""FTL302: a token in a log line is a credential anyone with log access can replay."""

from __future__ import annotations

import ast

from flask_token_lint.credentials import TOKEN_SOURCES
from flask_token_lint.rule import Docs, OWASP_API8, Rule, Severity, example


class TokenLogged(Rule):
    code = "FTL302"
    symbol = "token-logged"
    summary = "Token written to a log or stdout"
    message = "A token ({what}) is logged"
    severity = Severity.MEDIUM
    cwe = ("CWE-532",)
    owasp = OWASP_API8
    node_types = (ast.Call,)
    triggers = (f"log|print|write|warn + {TOKEN_SOURCES}",)
    docs = Docs(
        what=(
            "Finds logging calls, `print`, `sys.stdout/stderr.write` and `warnings.warn` whose arguments hold a "
            "token: cut from the Authorization header, issued by `jwt.encode`/`create_access_token`/a "
            "`generate_token`-like function, read from a token cookie or query parameter, returned by a local "
            "helper that returns one, or held by a name that says it is a token; through assignments, "
            "f-strings, `%`, `.format`, `+` and `str()`."
        ),
        why=(
            "Log lines are kept for months and read by many people and systems; a bearer token there can be "
            "replayed by any of them until it expires. Decoded claims (`claims[\"sub\"]`), the token's length "
            "and names that hold a count or type stay silent. Whole request headers are FTL301."
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
            from flask_jwt_extended import create_access_token

            def login(user):
                token = create_access_token(identity=user.id)
                logging.info("issued %s", token)
                return token
            """
        ),
    )
    good_examples = (
        example(
            """\
            import logging
            import jwt

            def user(token, key):
                claims = jwt.decode(token, key, algorithms=["HS256"], audience="api")
                logging.info("user %s, token of %d bytes", claims["sub"], len(token))
            """
        ),
    )

    def check(self, node, ctx):
        arguments = ctx.written_sites(node)
        if any(ctx.leak_of(argument) for argument in arguments):
            return  # whole credentials are FTL301's finding
        for argument in arguments:
            what = ctx.leak_of(argument, tokens=True)
            if what is not None:
                yield node, {"what": what}
                return
