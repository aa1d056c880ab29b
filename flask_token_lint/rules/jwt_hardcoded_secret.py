"""FTL107: a signing secret written in the source is a secret everyone with the code has."""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING
import re

from flask_token_lint.kinds import TEST_CONFIGURATION_NAME
from flask_token_lint.rule import Docs, FixSafety, Fixable, OWASP_API2, Rule, Severity, example

if TYPE_CHECKING:
    from flask_token_lint.context import Context

# Config names that hold a signing secret; names of an env var or file holding one are not it.
_SECRET_NAME = re.compile(r"^(?:[A-Z0-9_]*_)?SECRET_KEY$|^[A-Z0-9_]*JWT_SECRET[A-Z0-9_]*$")
_NOT_THE_SECRET = re.compile(r"_(?:ENV|ENV_VAR|ENVVAR|VAR|NAME|FILE|PATH|FIELD|HEADER|LENGTH|LEN)$")
# python_jwt signs with jwcrypto JWK objects; flask-jwt-extended reads its key from the configuration.
_KEYS_ARE_OBJECTS = frozenset({"python_jwt", "flask-jwt-extended"})
_TEST_CLASS = re.compile(TEST_CONFIGURATION_NAME)


def _test_configuration(cls: ast.ClassDef | None) -> bool:
    """A configuration class for tests: named so, or setting Flask's ``TESTING = True``. Its key
    signs nothing a deployment serves."""
    if cls is None:
        return False
    if _TEST_CLASS.search(cls.name):
        return True
    return any(
        isinstance(stmt, ast.Assign) and any(isinstance(t, ast.Name) and t.id == "TESTING" for t in stmt.targets)
        and isinstance(stmt.value, ast.Constant) and stmt.value.value is True
        for stmt in cls.body
    )


_PUBLIC_MATERIAL = ("BEGIN PUBLIC KEY", "BEGIN CERTIFICATE", "BEGIN RSA PUBLIC KEY", "ssh-rsa ")


def is_secret_config_name(name: str) -> bool:
    return bool(_SECRET_NAME.match(name)) and not _NOT_THE_SECRET.search(name)


def literal_secret(node: ast.expr, ctx: Context) -> bool:
    """``node`` is (or names) a non-empty string or bytes literal that is not public key material."""
    value = ctx.constant_of(node)
    if not isinstance(value, ast.Constant) or not isinstance(value.value, (str, bytes)) or not value.value:
        return False
    text = value.value.decode("latin-1") if isinstance(value.value, bytes) else value.value
    return not any(marker in text for marker in _PUBLIC_MATERIAL)


def _reported_at_definition(node: ast.expr, ctx: Context) -> bool:
    """A module constant with a config-secret name: its own definition carries the finding."""
    return (
        isinstance(node, ast.Name)
        and is_secret_config_name(node.id)
        and ctx.is_module_constant(node)
    )


class JwtHardcodedSecret(Rule):
    code = "FTL107"
    symbol = "jwt-hardcoded-secret"
    summary = "Hardcoded signing secret or SECRET_KEY"
    message = "Hardcoded secret used as {where}"
    severity = Severity.HIGH
    cwe = ("CWE-798",)
    owasp = OWASP_API2
    node_types = (ast.Call, ast.Assign, ast.AnnAssign)
    triggers = ("secret|Secret|SECRET", "encode|decode + jwt|jose")
    fixes = (FixSafety.UNSAFE,)
    fix_title = 'Read it from os.environ["NAME"] (unsafe: the variable must then be set wherever the app runs)'
    docs = Docs(
        what=(
            "Finds a string or bytes literal (directly or through a module constant) used as the key of "
            "`jwt.encode`/`jwt.decode` (PyJWT, python-jose, authlib's `jwt.encode(header, payload, key)`), as "
            "`app.secret_key`, or as `SECRET_KEY`, `JWT_SECRET_KEY`, `*_SECRET_KEY` or `*JWT_SECRET*` "
            "configuration in any spelling (`app.config[...]`, `config.update(...)`, `from_mapping(...)`, a "
            "config class, a module constant), and an empty key (`\"\"`, `b\"\"`) that signs tokens with an "
            "HMAC algorithm. The message names the setting, never the value."
        ),
        why=(
            "Whoever can read the repository, a wheel, a container image or a leaked backup can then sign "
            "tokens and session cookies for any user. Values from `os.environ`, files or a vault, public keys "
            "and names that merely contain `secret` or `token` stay silent. Test and example code, where a "
            "fixed key signs nothing anyone relies on, is left out as a whole by the `test-code` setting, "
            "not by this rule. In application code, the rule itself skips a configuration class for the test "
            "runner (`TestingConfig`, `UnitTestConfig`, or one setting `TESTING = True`). An empty key is the one every attacker tries first; python-jose, PyJWT 1.x and "
            "older authlib and PyJWT 2 releases sign and verify with it. An empty key in a decode is reported "
            "by FTL101 (the signature check proves nothing), an empty `SECRET_KEY` is Flask's \"not set\"."
        ),
        references=(
            "https://flask.palletsprojects.com/en/stable/config/#SECRET_KEY",
            "https://cwe.mitre.org/data/definitions/798.html",
        ),
    )
    bad_examples = (
        example(
            """\
            import jwt

            def issue(user_id):
                return jwt.encode({"sub": user_id}, "s3cr3t", algorithm="HS256")
            """
        ),
        example(
            """\
            from flask import Flask

            app = Flask(__name__)
            app.config["SECRET_KEY"] = "dev-key-do-not-ship"
            """
        ),
    )
    good_examples = (
        example(
            """\
            import os
            from flask import Flask

            app = Flask(__name__)
            app.config["SECRET_KEY"] = os.environ["SECRET_KEY"]
            """
        ),
    )

    def check(self, node, ctx):
        for setting in ctx.config_settings(node):
            if _reported_at_definition(setting.value, ctx) or _test_configuration(ctx.enclosing_class):
                continue
            if is_secret_config_name(setting.name) and literal_secret(setting.value, ctx):
                place = "value" if isinstance(setting.statement, (ast.Assign, ast.AnnAssign)) else "setting"
                fix = _fix(setting.value, setting.name, place, target=setting.statement)
                yield setting.report, {"where": setting.name}, *fix
                return
        if isinstance(node, ast.Assign):
            if any(isinstance(t, ast.Attribute) and t.attr == "secret_key" for t in node.targets):
                if literal_secret(node.value, ctx):
                    yield node, {"where": "app.secret_key"}, *_fix(node.value, "SECRET_KEY", "value")
            return
        if not isinstance(node, ast.Call):
            return
        call = ctx.encode_call(node) or ctx.decode_call(node)
        if call is None or getattr(call, "reader_only", False) or call.library in _KEYS_ARE_OBJECTS:
            return
        key = call.argument("key")
        if key is None or _reported_at_definition(key, ctx):
            return
        # authlib's encode takes the header first: its key is the third argument.
        fixable = _fix(key, "JWT_SECRET_KEY", "key", call.position("key"))
        if literal_secret(key, ctx):
            yield node, {"where": f"the key of {call.function}"}, *fixable
        elif getattr(call, "empty_key", False):
            # Anyone can sign with it. An empty key in a decode is FTL101's: nothing is really verified.
            yield node, {"where": f"the key of {call.function} (it is empty)"}, *fixable

    def apply_fix(self, node, data):
        from flask_token_lint import cst_edits

        from_environment = cst_edits.expression(f'os.environ["{data["name"]}"]')
        if data["place"] == "value" and isinstance(node, (cst_edits.cst.Assign, cst_edits.cst.AnnAssign)):
            return node.with_changes(value=from_environment), frozenset({"os"})
        if data["place"] == "setting":
            fixed = cst_edits.set_setting(node, data["name"], from_environment)
            return None if fixed is None else (fixed, frozenset({"os"}))
        if isinstance(node, cst_edits.cst.Call):
            key = cst_edits.keyword(node, "key")
            positional = [a for a in node.args if a.keyword is None]
            position = int(data.get("position", "1"))
            key = key if key is not None else positional[position] if len(positional) > position else None
            if key is not None:
                arguments = [a.with_changes(value=from_environment) if a is key else a for a in node.args]
                return node.with_changes(args=arguments), frozenset({"os"})
        return None


def _fix(value: ast.expr, name: str, place: str, position: int | None = None,
         target: ast.AST | None = None) -> tuple[Fixable, ...]:
    """Fixable only when the literal is written in the reported node itself (or ``target``, the
    statement or call the setting is written in)."""
    if not isinstance(value, ast.Constant):
        return ()
    data = (("name", name), ("place", place))
    if position not in (None, 1):
        data = (*data, ("position", str(position)))
    return (Fixable(FixSafety.UNSAFE, data, target),)
