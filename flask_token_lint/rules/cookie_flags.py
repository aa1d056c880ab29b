"""FTL401-FTL403: the flags that keep a credential cookie on HTTPS, away from scripts and other sites.

The three rules share one reading of a ``set_cookie`` call: which cookie it
sets, whether it carries a credential, and which flags it passes.
"""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING
from dataclasses import dataclass

from flask_token_lint.credentials import is_credential_name
from flask_token_lint.syntax import dotted
from flask_token_lint.rule import Docs, FixSafety, Fixable, OWASP_API8, Rule, Severity, example

if TYPE_CHECKING:
    from flask_token_lint.context import Context

# Werkzeug's Response.set_cookie, in positional order.
_PARAMETERS = ("key", "value", "max_age", "expires", "path", "domain", "secure", "httponly", "samesite")
_REFERENCES = (
    "https://flask.palletsprojects.com/en/stable/security/#set-cookie-options",
    "https://developer.mozilla.org/en-US/docs/Web/HTTP/Cookies#restrict_access_to_cookies",
)


@dataclass
class CookieCall:
    label: str  # the cookie's name for messages
    arguments: dict[str, ast.expr]
    name_node: ast.expr | None = None

    def is_csrf_cookie(self, ctx: Context) -> bool:
        """A double-submit CSRF cookie, which page scripts must be able to read."""
        if self.name_node is None:
            return False
        name = ctx.string_of(self.name_node) or dotted(self.name_node) or ""
        if isinstance(self.name_node, ast.Subscript):
            name = ctx.string_of(self.name_node.slice) or name
        return "csrf" in name.lower() or "xsrf" in name.lower()

    def flag(self, name: str, ctx: Context) -> ast.expr | None:
        value = self.arguments.get(name)
        return None if value is None else ctx.constant_of(value)

    def flag_is(self, name: str, expected: object, ctx: Context) -> bool:
        return ctx.literal_is(self.arguments.get(name), expected)

    def unset_flag(self, name: str, ctx: Context) -> str | None:
        """How the boolean flag ``name`` fails to be set, if it does."""
        if name not in self.arguments:
            return f"without {name}=True"
        return f"with {name}=False" if self.flag_is(name, False, ctx) else None


def read_set_cookie(node: ast.Call, ctx: Context) -> CookieCall | None:
    """The credential cookie a ``set_cookie`` call sets, or None when it does not apply."""
    func = node.func
    if not isinstance(func, ast.Attribute) or func.attr != "set_cookie":
        return None
    if any(isinstance(a, ast.Starred) for a in node.args) or any(k.arg is None for k in node.keywords):
        return None  # ``**kwargs``: the flags are not known
    arguments = dict(zip(_PARAMETERS, node.args))
    arguments.update((k.arg, k.value) for k in node.keywords if k.arg)
    if _is_deletion(arguments, ctx):
        return None
    name_node = arguments.get("key")
    name = None if name_node is None else ctx.string_of(name_node)
    label = repr(name) if name is not None else "holding a credential"
    if ctx.settings.cookie_scope == "all":
        return CookieCall(label if name is not None else "(name computed at run time)", arguments, name_node)
    value = arguments.get("value")
    if name is not None:
        credential = is_credential_name(name)
    else:
        # A computed name spelled like a credential, unless the value is a plain literal ("done").
        literal_value = value is not None and isinstance(ctx.constant_of(value), ast.Constant)
        credential = name_node is not None and not literal_value and _names_credential(name_node)
    if not credential and value is not None:
        credential = ctx.token_label(value) is not None
    return CookieCall(label, arguments, name_node) if credential else None


def _names_credential(node: ast.expr) -> bool:
    """A computed cookie name whose spelling says credential (``SESSION_COOKIE_NAME``)."""
    if isinstance(node, ast.Subscript) and isinstance(node.slice, ast.Constant) and isinstance(node.slice.value, str):
        return is_credential_name(node.slice.value)
    path = dotted(node)
    return path is not None and is_credential_name(path.rsplit(".", 1)[-1])


def _is_deletion(arguments: dict[str, ast.expr], ctx: Context) -> bool:
    value = arguments.get("value")
    if value is None or ctx.string_of(value) == "":
        return True
    for name in ("max_age", "expires"):
        given = arguments.get(name)
        if given is not None:
            given = ctx.constant_of(given)
            if isinstance(given, ast.Constant) and given.value in (0, "0") and given.value is not False:
                return True
    return False


class _CookieFlagRule(Rule):
    severity = Severity.MEDIUM
    owasp = OWASP_API8
    node_types = (ast.Call,)
    triggers = ("set_cookie",)
    message = "Cookie {cookie} is set {problem}"

    flag = ""  # the keyword the fix sets
    fixed_value = "True"

    def check(self, node, ctx):
        cookie = read_set_cookie(node, ctx)
        problem = None if cookie is None else self.problem(cookie, ctx)
        if problem:
            yield node, {"cookie": cookie.label, "problem": problem}, Fixable(self.fixes[0])

    def problem(self, cookie: CookieCall, ctx: Context) -> str | None:
        """What is wrong with the cookie's flag, or None."""
        raise NotImplementedError

    def apply_fix(self, node, data):
        from flask_token_lint import cst_edits

        value = cst_edits.expression(self.fixed_value.replace('"', cst_edits.quote(node)))
        return cst_edits.set_keyword(node, self.flag, value, _PARAMETERS.index(self.flag)), frozenset()


class CookieMissingSecure(_CookieFlagRule):
    code = "FTL401"
    symbol = "cookie-missing-secure"
    summary = "Credential cookie without secure=True"
    cwe = ("CWE-614",)
    fixes = (FixSafety.SAFE,)
    fix_title = "Add secure=True"
    flag = "secure"
    docs = Docs(
        what="Finds `set_cookie` calls for a credential cookie without `secure=True`, or with `secure=False`.",
        why=(
            "Without `Secure`, the browser also sends the cookie over plain http: one request to an http "
            "link, or a network attacker injecting one, hands the session to anyone on the path. Deletions "
            "(`max_age=0`, empty value), `delete_cookie`, flags computed at run time and `**kwargs` stay silent."
        ),
        references=(*_REFERENCES, "https://cwe.mitre.org/data/definitions/614.html"),
    )
    bad_examples = (
        example(
            """\
            def login(resp, token):
                resp.set_cookie("session", token, httponly=True, samesite="Lax")
            """
        ),
    )
    good_examples = (
        example(
            """\
            def login(resp, token):
                resp.set_cookie("session", token, secure=True, httponly=True, samesite="Lax")
            """
        ),
        example(
            """\
            def logout(resp):
                resp.delete_cookie("session")
            """
        ),
    )

    def problem(self, cookie, ctx):
        return cookie.unset_flag("secure", ctx)


class CookieMissingHttponly(_CookieFlagRule):
    code = "FTL402"
    symbol = "cookie-missing-httponly"
    summary = "Credential cookie without httponly=True"
    cwe = ("CWE-1004",)
    fixes = (FixSafety.UNSAFE,)
    fix_title = "Add httponly=True (unsafe: page scripts that read the cookie stop working)"
    flag = "httponly"
    docs = Docs(
        what="Finds `set_cookie` calls for a credential cookie without `httponly=True`, or with `httponly=False`.",
        why=(
            "Without `HttpOnly`, any script on the page can read the cookie: one XSS bug turns into a stolen "
            "session or token. CSRF double-submit cookies (`csrf_access_token`), which the page's script must "
            "read, stay silent."
        ),
        references=(*_REFERENCES, "https://cwe.mitre.org/data/definitions/1004.html"),
    )
    bad_examples = (
        example(
            """\
            def login(resp, token):
                resp.set_cookie("access_token", token, secure=True, samesite="Lax")
            """
        ),
    )
    good_examples = (
        example(
            """\
            def login(resp, token):
                resp.set_cookie("access_token", token, secure=True, httponly=True, samesite="Lax")
            """
        ),
        example(
            """\
            def prefs(resp):
                resp.set_cookie("theme", "dark")
            """
        ),
    )

    def problem(self, cookie, ctx):
        if cookie.is_csrf_cookie(ctx):
            return None  # the double-submit pattern needs JavaScript to read it
        return cookie.unset_flag("httponly", ctx)


class CookieMissingSamesite(_CookieFlagRule):
    code = "FTL403"
    symbol = "cookie-missing-samesite"
    summary = "Credential cookie without a SameSite policy"
    cwe = ("CWE-1275",)
    fixes = (FixSafety.SAFE,)
    fix_title = 'Add samesite="Lax" (what browsers already assume when it is missing)'
    flag = "samesite"
    fixed_value = '"Lax"'

    def check(self, node, ctx):
        for reported, arguments, fixable in super().check(node, ctx):
            if arguments["problem"].startswith("with SameSite=None"):
                yield reported, arguments  # cross-site on purpose: only adding Secure (FTL401) helps
            else:
                yield reported, arguments, fixable
    docs = Docs(
        what=(
            "Finds `set_cookie` calls for a credential cookie without `samesite`, or with `samesite=\"None\"` "
            "and no `secure=True`."
        ),
        why=(
            "A cookie without a SameSite policy relies on each browser's default, and one with `SameSite=None` "
            "rides along on every cross-site request: cross-site request forgery. Browsers reject "
            "`SameSite=None` without `Secure` outright."
        ),
        references=(*_REFERENCES, "https://cwe.mitre.org/data/definitions/1275.html"),
    )
    bad_examples = (
        example(
            """\
            def login(resp, token):
                resp.set_cookie("jwt", token, secure=True, httponly=True)
            """
        ),
        example(
            """\
            def login(resp, token):
                resp.set_cookie("jwt", token, httponly=True, samesite="None")
            """
        ),
    )
    good_examples = (
        example(
            """\
            def login(resp, token):
                resp.set_cookie("jwt", token, secure=True, httponly=True, samesite="Strict")
            """
        ),
        example(
            """\
            def embed(resp, token):
                resp.set_cookie("jwt", token, secure=True, httponly=True, samesite="None")
            """
        ),
    )

    def problem(self, cookie, ctx):
        samesite = cookie.flag("samesite", ctx)
        if samesite is None or (isinstance(samesite, ast.Constant) and samesite.value is None):
            return "without a SameSite policy"
        if isinstance(samesite, ast.Constant) and isinstance(samesite.value, str) and samesite.value.lower() == "none":
            return None if cookie.flag_is("secure", True, ctx) else "with SameSite=None but without secure=True"
        return None
