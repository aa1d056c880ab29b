"""Facts about a module that every rule shares, computed once per file.

Import aliases are resolved to qualified names (``import jwt as pyjwt`` makes
``pyjwt.decode`` read as ``jwt.decode``), module-level constants are kept so a
rule can see through ``NO_VERIFY = {...}``, and the names that hold Flask apps
are collected. Only top-level statements are read here (through ``if``/``try``/
``with`` blocks, not into functions or classes); imports and app assignments
inside functions are added by the engine's walk as it meets them.
"""

from __future__ import annotations

import ast
import functools
from typing import Iterator

_BLOCK_FIELDS = ("body", "orelse", "finalbody", "handlers")
APP_FACTORY_NAMES = frozenset({"create_app", "make_app"})
APP_CONVENTIONAL_NAMES = frozenset({"app", "application"})
# Libraries whose import says the module handles credentials.
CREDENTIAL_LIBRARIES = frozenset(
    {
        "jwt", "jose", "flask_jwt_extended", "authlib", "oauthlib", "requests_oauthlib", "itsdangerous",
        "flask_login", "flask_security", "flask_httpauth", "flask_praetorian", "flask_oidc", "msal", "keycloak",
        "hmac", "secrets",
    }
)
# Words in an imported module's path that say the same (``from .auth import ...``).
_CREDENTIAL_MODULE_WORDS = frozenset(
    {"auth", "oauth", "oauth2", "oidc", "jwt", "login", "security", "credentials"}
)
TEST_FRAMEWORKS = frozenset({"pytest", "unittest", "nose", "flask_testing"})


def top_level_statements(body: list[ast.stmt]) -> Iterator[ast.stmt]:
    """Statements of a module body, entering blocks but not defs or classes."""
    stack = list(reversed(body))
    while stack:
        stmt = stack.pop()
        yield stmt
        if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            continue
        children: list[ast.stmt] = []
        for field in _BLOCK_FIELDS:
            for child in getattr(stmt, field, ()) or ():
                if isinstance(child, ast.ExceptHandler):
                    children.extend(child.body)
                elif isinstance(child, ast.stmt):
                    children.append(child)
        if type(stmt).__name__ == "Match":  # ast.Match exists from Python 3.10 on
            for case in stmt.cases:  # type: ignore[attr-defined]
                children.extend(case.body)
        stack.extend(reversed(children))


def _other_targets(stmt: ast.stmt) -> list[ast.expr]:
    """Targets rebound by statements other than a plain assignment."""
    if isinstance(stmt, (ast.AugAssign, ast.For, ast.AsyncFor)):
        return [stmt.target]
    if isinstance(stmt, (ast.With, ast.AsyncWith)):
        return [item.optional_vars for item in stmt.items if item.optional_vars is not None]
    if isinstance(stmt, ast.Assign):
        return [t for t in stmt.targets if not isinstance(t, ast.Name)]
    return []


class ModuleFacts:
    """Import aliases, constants and Flask app names of one module."""

    def __init__(self, tree: ast.Module) -> None:
        self.aliases: dict[str, str] = {}
        self.constants: dict[str, ast.expr] = {}
        self.app_names: set[str] = set()
        # Top-level functions by name: their return values are followed into callers.
        self.functions: dict[str, ast.FunctionDef | ast.AsyncFunctionDef] = {}
        self._qualnames: dict[int, str | None] = {}
        assigned_count: dict[str, int] = {}
        for stmt in top_level_statements(tree.body):
            if isinstance(stmt, (ast.Import, ast.ImportFrom)):
                self.add_import(stmt)
            elif isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)):
                self.functions[stmt.name] = stmt
            elif isinstance(stmt, (ast.Assign, ast.AnnAssign)) and stmt.value is not None:
                targets = stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target]
                for target in targets:
                    if isinstance(target, ast.Name):
                        assigned_count[target.id] = assigned_count.get(target.id, 0) + 1
                        self.constants[target.id] = stmt.value
                        self.note_assignment(target.id, stmt.value)
            for target in _other_targets(stmt):
                for node in ast.walk(target):
                    if isinstance(node, ast.Name):
                        assigned_count[node.id] = 2
        # A name assigned more than once is not a constant: its value depends on flow.
        for name, count in assigned_count.items():
            if count > 1:
                self.constants.pop(name, None)

    @functools.cached_property
    def handles_credentials(self) -> bool:
        """The module imports an auth library or an auth-named module.

        Names alone (``token``) say "credential" only in such modules: elsewhere a
        token is as likely a lexer's or a paginator's.
        """
        for qualname in self.aliases.values():
            parts = qualname.split(".")
            if parts[0] in CREDENTIAL_LIBRARIES or any(p in _CREDENTIAL_MODULE_WORDS for p in parts):
                return True
        return False

    @functools.cached_property
    def is_test_module(self) -> bool:
        return any(q.split(".", 1)[0] in TEST_FRAMEWORKS for q in self.aliases.values())

    @functools.cached_property
    def imports_flask(self) -> bool:
        return any(q == "flask" or q.startswith("flask.") for q in self.aliases.values())

    def add_import(self, stmt: ast.Import | ast.ImportFrom) -> None:
        for derived in ("handles_credentials", "is_test_module", "imports_flask"):
            self.__dict__.pop(derived, None)  # an import met during the walk changes them
        self._qualnames.clear()
        if isinstance(stmt, ast.Import):
            for alias in stmt.names:
                if alias.asname:
                    self.aliases[alias.asname] = alias.name
                else:
                    top = alias.name.split(".", 1)[0]
                    self.aliases[top] = top
        elif stmt.module and not stmt.level:
            for alias in stmt.names:
                if alias.name != "*":
                    self.aliases[alias.asname or alias.name] = f"{stmt.module}.{alias.name}"

    def note_assignment(self, name: str, value: ast.expr) -> None:
        """Remember ``name`` as a Flask app when ``value`` creates one."""
        if self.creates_app(value):
            self.app_names.add(name)

    def creates_app(self, value: ast.expr) -> bool:
        if not isinstance(value, ast.Call):
            return False
        func = value.func
        if self.qualname(func) in ("flask.Flask", "flask.app.Flask"):
            return True
        last = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)
        return last in APP_FACTORY_NAMES

    def qualname(self, node: ast.AST) -> str | None:
        """The qualified name ``node`` refers to through the imports, if any (kept per node)."""
        key = id(node)
        if key in self._qualnames:
            return self._qualnames[key]
        result = self._qualnames[key] = self._resolve(node)
        return result

    def _resolve(self, node: ast.AST) -> str | None:
        path = dotted(node)
        if path is None:
            return None
        root, dot, rest = path.partition(".")
        resolved = self.aliases.get(root)
        if resolved is None:
            return None
        return f"{resolved}{dot}{rest}"

    def is_builtin(self, node: ast.AST, name: str) -> bool:
        """``node`` is the builtin ``name`` (not shadowed by an import)."""
        return isinstance(node, ast.Name) and node.id == name and name not in self.aliases

    def is_app(self, node: ast.AST) -> bool:
        """``node`` holds a Flask app by the module facts."""
        if isinstance(node, ast.Call):
            return self.creates_app(node)
        if isinstance(node, ast.Name):
            if node.id in self.app_names:
                return True
            if node.id in APP_CONVENTIONAL_NAMES and self.imports_flask:
                return True
            return self.qualname(node) == "flask.current_app"
        return self.qualname(node) == "flask.current_app"


def dotted(node: ast.AST) -> str | None:
    """``a.b.c`` for a chain of names and attributes, else None."""
    parts: list[str] = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if not isinstance(node, ast.Name):
        return None
    parts.append(node.id)
    return ".".join(reversed(parts))


def argument(call: ast.Call, names: str | tuple[str, ...], position: int | None = None) -> ast.expr | None:
    """The argument a call passes as keyword ``names`` (one name or aliases) or at ``position``.

    None when it is not passed, or when a ``*args`` before it hides which position holds what.
    """
    wanted = (names,) if isinstance(names, str) else names
    for keyword in call.keywords:
        if keyword.arg in wanted:
            return keyword.value
    if position is None or position >= len(call.args):
        return None
    if any(isinstance(a, ast.Starred) for a in call.args[: position + 1]):
        return None
    return call.args[position]
