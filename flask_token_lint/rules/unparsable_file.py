"""FTL001: a file the checker cannot read is reported, never a traceback."""

from flask_token_lint.rule import Docs, OWASP_API8, Rule, Severity, example


class UnparsableFile(Rule):
    code = "FTL001"
    symbol = "unparsable-file"
    summary = "File does not decode or parse"
    message = "File could not be checked: {reason}"
    severity = Severity.MEDIUM
    cwe = ()
    owasp = OWASP_API8
    docs = Docs(
        what="Reports a file that does not decode or parse as Python, with the parser's message and position.",
        why=(
            "A file the checker cannot read is a file nobody checked: its tokens may leak and nothing says so. "
            "The run goes on with the other files. Under flake8 and pylint the host reports this itself "
            "(E999, syntax-error)."
        ),
    )
    bad_examples = (
        example(
            """\
            import jwt

            def decode(token:
                return jwt.decode(token, "k")
            """
        ),
    )
    good_examples = (
        example(
            """\
            import jwt

            def decode(token):
                return token
            """
        ),
    )
