"""FTL404: Flask, Flask-Login and flask-jwt-extended cookie settings that switch protection off."""

from __future__ import annotations

import ast

from flask_token_lint.kinds import MODULE_CONSTANT
from flask_token_lint.rule import Docs, FixSafety, Fixable, OWASP_API8, Rule, Severity, example

_OFF_WHEN_FALSE_SUFFIXES = ("COOKIE_SECURE", "COOKIE_HTTPONLY")
_OFF_WHEN_FALSE = frozenset({"JWT_COOKIE_CSRF_PROTECT"})
_SAMESITE_SETTINGS = frozenset({"SESSION_COOKIE_SAMESITE", "JWT_COOKIE_SAMESITE", "REMEMBER_COOKIE_SAMESITE"})


class InsecureCookieConfig(Rule):
    code = "FTL404"
    symbol = "insecure-cookie-config"
    summary = "Session, remember-me or JWT cookie protection turned off in configuration"
    message = "{name} = {value} turns off a cookie protection"
    severity = Severity.MEDIUM
    cwe = ("CWE-614", "CWE-1004")
    owasp = OWASP_API8
    node_types = (ast.Assign, ast.AnnAssign, ast.Call)
    triggers = ("COOKIE_",)
    fixes = (FixSafety.SAFE, FixSafety.UNSAFE)
    fix_title = "Set *_COOKIE_SECURE to True (safe); set *_COOKIE_HTTPONLY to True (unsafe)"
    docs = Docs(
        what=(
            "Finds `SESSION_COOKIE_SECURE`, `SESSION_COOKIE_HTTPONLY`, `REMEMBER_COOKIE_SECURE`, "
            "`REMEMBER_COOKIE_HTTPONLY`, `JWT_COOKIE_SECURE`, `JWT_COOKIE_CSRF_PROTECT` and any other upper-case "
            "`*COOKIE_SECURE`/`*COOKIE_HTTPONLY` setting set to False, and `SESSION_COOKIE_SAMESITE`/"
            "`JWT_COOKIE_SAMESITE` set to None, in `app.config[...]`, `config.update(...)`, `from_mapping(...)`, "
            "config classes and module-level settings."
        ),
        why=(
            "These settings protect the session, remember-me and JWT cookies of every user at once: without "
            "Secure they travel over plain http, without HttpOnly any XSS reads them, without CSRF protection "
            "or SameSite other sites can ride them. True values and \"Lax\"/\"Strict\" stay silent."
        ),
        references=(
            "https://flask.palletsprojects.com/en/stable/config/#SESSION_COOKIE_SECURE",
            "https://flask-jwt-extended.readthedocs.io/en/stable/options.html#cookie-options",
            "https://cwe.mitre.org/data/definitions/614.html",
        ),
    )
    bad_examples = (
        example(
            """\
            from flask import Flask

            app = Flask(__name__)
            app.config.update(SESSION_COOKIE_SECURE=False)
            """
        ),
        example(
            """\
            class Config:
                JWT_COOKIE_CSRF_PROTECT = False
            """
        ),
    )
    good_examples = (
        example(
            """\
            class Config:
                SESSION_COOKIE_SECURE = True
                SESSION_COOKIE_SAMESITE = "Lax"
            """
        ),
    )

    def check(self, node, ctx):
        for setting in ctx.config_settings(node):
            if setting.spelling == MODULE_CONSTANT and "_COOKIE_" not in setting.name:
                continue  # a bare COOKIE_SECURE is a library's default, not a Flask setting
            value = ctx.constant_of(setting.value)
            if not isinstance(value, ast.Constant):
                continue
            name = setting.name
            off = name.endswith(_OFF_WHEN_FALSE_SUFFIXES) or name in _OFF_WHEN_FALSE
            if off and (value.value is False or value.value is None or value.value == 0) and value.value is not True:
                # ``None`` and ``0`` are as falsy as ``False``: Flask sends the cookie over http too.
                arguments = {"name": name, "value": repr(value.value)}
                literal = isinstance(setting.value, ast.Constant)  # fix the value only where it is written
                if literal and name.endswith("COOKIE_SECURE"):
                    yield setting.report, arguments, Fixable(FixSafety.SAFE, (("name", name),), setting.statement)
                elif literal and name.endswith("COOKIE_HTTPONLY"):
                    yield setting.report, arguments, Fixable(FixSafety.UNSAFE, (("name", name),), setting.statement)
                else:
                    yield setting.report, arguments
            elif name in _SAMESITE_SETTINGS and (value.value is None or str(value.value).lower() == "none"):
                yield setting.report, {"name": name, "value": repr(value.value)}

    def apply_fix(self, node, data):
        from flask_token_lint import cst_edits

        fixed = cst_edits.set_setting(node, data["name"], cst_edits.expression("True"))
        return None if fixed is None else (fixed, frozenset())
