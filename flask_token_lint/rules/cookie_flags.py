"""FTL401-FTL403: the flags that keep a credential cookie on HTTPS, away from scripts and other sites.

The three rules share one reading of a ``set_cookie`` call: which cookie it
sets, whether it carries a credential, and which flags it passes; and one
reading of a hand-written ``Set-Cookie`` header: its literal text (strings,
f-strings, ``+``, ``%``, ``.format``), the cookie's name and the attributes it
spells out.
"""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING, Union
from dataclasses import dataclass, field

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


# -- hand-written Set-Cookie headers ---------------------------------------------------------

_SET_COOKIE = "set-cookie"
# Werkzeug ``Headers`` methods that write one header: ``(name, value)``.
_HEADER_WRITERS = frozenset({"add", "add_header", "set", "setdefault"})

# A header value as literal text and holes (the expressions only known at run time).
Piece = Union[str, ast.expr]


@dataclass
class HeaderCookie:
    """A credential cookie written by hand into a ``Set-Cookie`` header."""

    label: str
    name: str  # the name's literal text (only part of it when some is computed at run time)
    attributes: dict[str, str | None] = field(default_factory=dict)  # lower-cased name -> value (None: run time)
    open: bool = False  # a run-time part may add attributes the text does not show

    def is_csrf_cookie(self) -> bool:
        return "csrf" in self.name.lower() or "xsrf" in self.name.lower()

    def missing(self, attribute: str, spelled: str) -> str | None:
        """How the header fails to set ``attribute``, if it does."""
        if attribute in self.attributes or self.open:
            return None
        return f"in a Set-Cookie header without {spelled}"


def set_cookie_values(node: ast.AST, ctx: Context) -> list[ast.expr]:
    """The values ``node`` writes as a ``Set-Cookie`` header: ``h["Set-Cookie"] = v``,
    ``h.add("Set-Cookie", v)`` / ``set`` / ``setdefault``, ``("Set-Cookie", v)`` in a header list and
    ``{"Set-Cookie": v}`` in a header dict."""
    if isinstance(node, ast.Assign):
        return [
            node.value
            for target in node.targets
            if isinstance(target, ast.Subscript) and _is_set_cookie(target.slice, ctx)
        ]
    if isinstance(node, ast.Call):
        func = node.func
        if (
            isinstance(func, ast.Attribute)
            and func.attr in _HEADER_WRITERS
            and len(node.args) == 2
            and not node.keywords  # Werkzeug turns keywords into more attributes: not read here
            and _is_set_cookie(node.args[0], ctx)
        ):
            return [node.args[1]]
        return []
    found: list[ast.expr] = []
    if isinstance(node, ast.Tuple) and len(node.elts) == 2 and _is_set_cookie(node.elts[0], ctx):
        found = [node.elts[1]]
    elif isinstance(node, ast.Dict):
        found = [value for key, value in zip(node.keys, node.values) if key is not None and _is_set_cookie(key, ctx)]
    return found if found and not _in_comparison(node, ctx) else []


def _is_set_cookie(node: ast.expr, ctx: Context) -> bool:
    name = ctx.string_of(node)
    return name is not None and name.lower() == _SET_COOKIE


def _in_comparison(node: ast.AST, ctx: Context) -> bool:
    """``node`` is what a comparison or an assertion checks, not a header being written."""
    current = ctx.parent(node)
    while current is not None and not isinstance(current, ast.stmt):
        if isinstance(current, ast.Compare):
            return True
        current = ctx.parent(current)
    return isinstance(current, ast.Assert)


def read_header_cookies(value: ast.expr, ctx: Context) -> list[HeaderCookie]:
    """The credential cookies a ``Set-Cookie`` value may set, one per literal it may hold; a value
    whose text cannot be read is left alone."""
    found = []
    for candidate in ctx.constants_of(value):
        pieces = [piece[0] if isinstance(piece, tuple) else piece for piece in ctx.text_pieces(candidate)]
        if any(isinstance(piece, str) and piece for piece in pieces):
            cookie = _parse_cookie(pieces, ctx)
            if cookie is not None:
                found.append(cookie)
    return found


def _parse_cookie(pieces: list[Piece], ctx: Context) -> HeaderCookie | None:
    """Name, attributes and whether the value carries a credential; None when the header does not
    set a credential cookie (or deletes one)."""
    fields: list[list[Piece]] = [[]]
    for piece in pieces:
        if isinstance(piece, str):
            first, *rest = piece.split(";")
            fields[-1].append(first)
            fields.extend([text] for text in rest)
        else:
            fields[-1].append(piece)
    pair, *attribute_fields = fields
    name, name_holes, value, value_open = _split_field(pair)
    cookie = HeaderCookie("", name, open=value_open)
    for attribute in attribute_fields:
        key, key_holes, attribute_value, attribute_open = _split_field(attribute)
        if key_holes or attribute_open:
            cookie.open = True  # a run-time part where an attribute's name may be
        elif key:
            literal = attribute_value is None or all(isinstance(p, str) for p in attribute_value)
            text = "".join(p for p in attribute_value or () if isinstance(p, str)).strip()
            cookie.attributes[key.lower()] = text if literal else None
    if _is_deleted(value, cookie):
        return None
    known = bool(name) and not name_holes
    if ctx.settings.cookie_scope == "all":
        cookie.label = repr(name) if known else "(name computed at run time)"
        return cookie
    # The name's literal part, or the spelling of the one expression that computes it.
    credential = is_credential_name(name) or (len(name_holes) == 1 and _names_credential(name_holes[0]))
    if not credential:
        credential = any(ctx.token_label(hole) is not None for hole in value or () if not isinstance(hole, str))
    if not credential:
        return None
    cookie.label = repr(name) if known else "holding a credential"
    return cookie


def _split_field(pieces: list[Piece]) -> tuple[str, list[ast.expr], list[Piece] | None, bool]:
    """``key=value`` as the literal key, the holes in the key, the value's pieces (None without
    ``=``), and whether a hole in the value may be more than a value (two holes in a row:
    ``f"session={sid}{flags}"``)."""
    key = ""
    key_holes: list[ast.expr] = []
    value: list[Piece] | None = None
    adjacent = False
    previous_hole = False
    for piece in pieces:
        if isinstance(piece, str):
            if value is None and "=" in piece:
                before, after = piece.split("=", 1)
                key += before
                value = [after]
            elif value is None:
                key += piece
            else:
                value.append(piece)
            previous_hole = previous_hole and piece == ""
            continue
        if value is None:
            key_holes.append(piece)
        else:
            adjacent = adjacent or previous_hole
            value.append(piece)
        previous_hole = True
    return key.strip(), key_holes, value, adjacent


def _is_deleted(value: list[Piece] | None, cookie: HeaderCookie) -> bool:
    """An empty value, ``Max-Age=0`` or an expiry in 1970: the header deletes the cookie."""
    if value is not None and all(isinstance(p, str) for p in value):
        if "".join(p for p in value if isinstance(p, str)).strip().strip('"') == "":
            return True
    if cookie.attributes.get("max-age") == "0":
        return True
    expires = cookie.attributes.get("expires") or ""
    return "1970" in expires


class _CookieFlagRule(Rule):
    severity = Severity.MEDIUM
    owasp = OWASP_API8
    node_types = (ast.Call, ast.Assign, ast.Tuple, ast.Dict)
    triggers = ("set_cookie", "Set-Cookie")
    message = "Cookie {cookie} is set {problem}"

    flag = ""  # the keyword the fix sets
    fixed_value = "True"

    def check(self, node, ctx):
        if isinstance(node, ast.Call):
            cookie = read_set_cookie(node, ctx)
            problem = None if cookie is None else self.problem(cookie, ctx)
            if problem:
                # An explicit ``secure=False`` is reported where it is written; a missing flag on the call.
                reported = next((k for k in node.keywords if k.arg == self.flag), node)
                yield reported, {"cookie": cookie.label, "problem": problem}, Fixable(self.fixes[0], target=node)
        # A header written by hand: reported on its value, with no fix (the text is the author's).
        for value in set_cookie_values(node, ctx):
            for header in read_header_cookies(value, ctx):
                problem = self.header_problem(header)
                if problem:
                    yield value, {"cookie": header.label, "problem": problem}
                    break

    def problem(self, cookie: CookieCall, ctx: Context) -> str | None:
        """What is wrong with the cookie's flag, or None."""
        raise NotImplementedError

    def header_problem(self, cookie: HeaderCookie) -> str | None:
        """What is wrong with the attribute in a hand-written ``Set-Cookie`` header, or None."""
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
        what=(
            "Finds `set_cookie` calls for a credential cookie without `secure=True`, or with `secure=False`; "
            "and hand-written `Set-Cookie` headers for one whose text has no `Secure` attribute "
            '(`resp.headers["Set-Cookie"] = f"session={sid}; Path=/"`, `headers.add("Set-Cookie", ...)` or '
            '`set`/`setdefault`, a `("Set-Cookie", ...)` pair in a header list, a `{"Set-Cookie": ...}` header '
            "dict), read through strings, f-strings, `+`, `%`, `.format` and local names. A header is reported "
            "on its value and gets no fix: its text is the author's."
        ),
        why=(
            "Without `Secure`, the browser also sends the cookie over plain http: one request to an http "
            "link, or a network attacker injecting one, hands the session to anyone on the path. Deletions "
            "(`max_age=0`, empty value, `Max-Age=0`, an expiry in 1970), `delete_cookie`, flags computed at run "
            "time, `**kwargs` and headers whose attributes are computed at run time stay silent."
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
        example(
            """\
            def login(resp, sid):
                resp.headers["Set-Cookie"] = f"session={sid}; Path=/; HttpOnly; SameSite=Lax"
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

    def header_problem(self, cookie):
        return cookie.missing("secure", "Secure")


class CookieMissingHttponly(_CookieFlagRule):
    code = "FTL402"
    symbol = "cookie-missing-httponly"
    summary = "Credential cookie without httponly=True"
    cwe = ("CWE-1004",)
    fixes = (FixSafety.UNSAFE,)
    fix_title = "Add httponly=True (unsafe: page scripts that read the cookie stop working)"
    flag = "httponly"
    docs = Docs(
        what=(
            "Finds `set_cookie` calls for a credential cookie without `httponly=True`, or with `httponly=False`; "
            "and hand-written `Set-Cookie` headers for one whose text has no `HttpOnly` attribute (reported "
            "on the header's value, with no fix)."
        ),
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

    def header_problem(self, cookie):
        return None if cookie.is_csrf_cookie() else cookie.missing("httponly", "HttpOnly")


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
        for report in super().check(node, ctx):
            if report[1]["problem"].startswith("with SameSite=None"):
                yield report[:2]  # cross-site on purpose: only adding Secure (FTL401) helps
            else:
                yield report
    docs = Docs(
        what=(
            "Finds `set_cookie` calls for a credential cookie without `samesite`, or with `samesite=\"None\"` "
            "and no `secure=True`; and hand-written `Set-Cookie` headers for one without `SameSite=`, or with "
            "`SameSite=None` and no `Secure` (any case; reported on the header's value, with no fix)."
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

    def header_problem(self, cookie):
        if "samesite" not in cookie.attributes:
            return cookie.missing("samesite", "a SameSite policy")
        policy = cookie.attributes["samesite"]
        if policy is not None and policy.lower() == "none" and "secure" not in cookie.attributes and not cookie.open:
            return "in a Set-Cookie header with SameSite=None but without Secure"
        return None
