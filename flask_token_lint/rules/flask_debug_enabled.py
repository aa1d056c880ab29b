"""FTL501: Flask's debug mode serves tracebacks and an interactive console to whoever asks."""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING

from flask_token_lint.kinds import APP_CONFIG
from flask_token_lint.syntax import argument, argument_node, dotted
from flask_token_lint.rule import Docs, FixSafety, Fixable, OWASP_API8, Rule, Severity, example

if TYPE_CHECKING:
    from flask_token_lint.context import Context

_RUN_SIMPLE = frozenset({"werkzeug.serving.run_simple", "werkzeug.run_simple"})


def _is_true(node: ast.expr | None, ctx: Context) -> bool:
    """A true literal reaches ``node`` unless a run-time condition opts out of it (a flag that is
    off unless switched on at run time is the same program as ``debug=os.environ...``)."""
    if node is None:
        return False
    return any(_true_literal(value) for value in ctx.default_constants_of(node))


def _true_literal(node: ast.expr) -> bool:
    return isinstance(node, ast.Constant) and (node.value is True or (type(node.value) is int and node.value != 0))


def _passes_true(call: ast.Call, name: str, position: int | None, ctx: Context) -> bool:
    return any(_is_true(value, ctx) for value in ctx.passed(call, name, position))


class FlaskDebugEnabled(Rule):
    code = "FTL501"
    symbol = "flask-debug-enabled"
    summary = "Flask debug mode enabled"
    message = "Flask debug mode is enabled ({how})"
    severity = Severity.HIGH
    cwe = ("CWE-489", "CWE-215")
    owasp = OWASP_API8
    node_types = (ast.Call, ast.Assign)
    triggers = ("debug|DEBUG|Debug|use_debugger|run + flask|Flask|create_app|make_app|current_app",)
    fixes = (FixSafety.UNSAFE,)
    fix_title = "Remove debug=True (unsafe: a developer's local server stops reloading and showing tracebacks)"
    docs = Docs(
        what=(
            "Finds a literal true debug flag on a Flask app: `app.run(debug=True)` (keyword or third "
            'positional), `app.debug = True`, `app.config["DEBUG"] = True`, `config.update(DEBUG=True)`, '
            "`run_simple(..., use_debugger=True)`, `socketio.run(app, debug=True)`. An app is a name bound to "
            "`Flask(...)` or `create_app()`, or `app`/`application` in a module that imports flask."
        ),
        why=(
            "The debugger shows full tracebacks with local variables (tokens, secrets, headers) and runs an "
            "interactive Python console in the browser: remote code execution once its PIN is guessed or "
            "leaked. Flags computed at run time (`debug=os.environ...`) and `.run()` of other objects stay silent."
        ),
        references=(
            "https://flask.palletsprojects.com/en/stable/debugging/",
            "https://werkzeug.palletsprojects.com/en/stable/debug/",
            "https://cwe.mitre.org/data/definitions/489.html",
        ),
    )
    bad_examples = (
        example(
            """\
            from flask import Flask

            app = Flask(__name__)

            if __name__ == "__main__":
                app.run(debug=True)
            """
        ),
        example(
            """\
            from flask import Flask

            app = Flask(__name__)
            app.config["DEBUG"] = True
            """
        ),
    )
    good_examples = (
        example(
            """\
            import os
            from flask import Flask

            app = Flask(__name__)

            if __name__ == "__main__":
                app.run(debug=os.environ.get("FLASK_DEBUG") == "1")
            """
        ),
        example(
            """\
            import threading

            thread = threading.Thread(target=print)
            thread.run()
            """
        ),
    )

    def check(self, node, ctx):
        for setting in ctx.config_settings(node):
            if setting.spelling == APP_CONFIG and setting.name == "DEBUG" and _is_true(setting.value, ctx):
                yield setting.report, {"how": "DEBUG = True"}
                return
        if isinstance(node, ast.Assign):
            how = self._assignment(node, ctx)
            if how:
                yield node, {"how": how}
            return
        flag = self._call(node, ctx)
        if flag is not None:
            name, position = flag
            given = argument(node, name, position)
            reported = argument_node(node, name, position) or node  # the flag itself, else the call
            if isinstance(given, ast.Constant):  # written in the call: removing it touches only the call
                fix = Fixable(FixSafety.UNSAFE, (("name", name), ("position", str(position))), target=node)
                yield reported, {"how": f"{name}=True"}, fix
            else:
                yield reported, {"how": f"{name}=True"}

    def _call(self, node: ast.Call, ctx: Context) -> tuple[str, int | None] | None:
        """The debug argument's name and position when the call turns debugging on."""
        func = ctx.callee(node)
        if ctx.qualname(node.func) in _RUN_SIMPLE:
            return ("use_debugger", 4) if _passes_true(node, "use_debugger", 4, ctx) else None
        if not isinstance(func, ast.Attribute) or func.attr != "run":
            return None
        if ctx.is_app(func.value) and _passes_true(node, "debug", 2, ctx):
            return ("debug", 2)
        if node.args and ctx.is_app(node.args[0]) and _passes_true(node, "debug", None, ctx):
            return ("debug", None)  # socketio.run(app, debug=True)
        return None

    def apply_fix(self, node, data):
        from flask_token_lint import cst_edits

        given = cst_edits.keyword(node, data["name"])
        if given is None and data["position"] != "None":
            position = int(data["position"])
            positional = [a for a in node.args if a.keyword is None and not a.star]
            if position >= len(positional):
                return None
            given = positional[position]
            if given is not positional[-1]:  # later positionals keep their places
                replaced = [a.with_changes(value=cst_edits.expression("False")) if a is given else a for a in node.args]
                return node.with_changes(args=replaced), frozenset()
        if given is None:
            return None
        return cst_edits.remove_argument(node, given), frozenset()

    def _assignment(self, node: ast.Assign, ctx: Context) -> str | None:
        if not _is_true(node.value, ctx):
            return None
        for target in node.targets:
            if isinstance(target, ast.Attribute) and target.attr == "debug" and ctx.is_app(target.value):
                return f"{dotted(target) or 'app.debug'} = True"
        return None
