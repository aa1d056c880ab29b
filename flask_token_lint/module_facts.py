"""Facts about a module that every rule shares, complete before any rule sees a node.

Import aliases at any depth are resolved to qualified names (``import jwt as pyjwt`` makes
``pyjwt.decode`` read as ``jwt.decode``; an import inside a function counts in that function),
module-level constants are kept so a rule can see through ``NO_VERIFY = {...}``, and the names
that hold Flask apps are collected wherever they are assigned. The walk fills in what it meets
(``walk.py``) and ``finish`` completes the facts before the rules run, so no answer depends on
the order of the code in the file.
"""

from __future__ import annotations

import ast
import functools
from typing import TYPE_CHECKING

from flask_token_lint.syntax import dotted, top_level_statements

if TYPE_CHECKING:
    from flask_token_lint.kinds import Value
    from flask_token_lint.project_facts import ImportedFacts
    from flask_token_lint.scopes import Scope

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


def import_aliases(stmt: ast.Import | ast.ImportFrom) -> list[tuple[str, str]]:
    """``(local name, qualified name)`` pairs an import statement binds."""
    pairs: list[tuple[str, str]] = []
    if isinstance(stmt, ast.Import):
        for alias in stmt.names:
            if alias.asname:
                pairs.append((alias.asname, alias.name))
            else:
                top = alias.name.split(".", 1)[0]
                pairs.append((top, top))
    elif stmt.module and not stmt.level:
        pairs.extend(
            (alias.asname or alias.name, f"{stmt.module}.{alias.name}") for alias in stmt.names if alias.name != "*"
        )
    return pairs


def _other_targets(stmt: ast.stmt) -> list[ast.expr]:
    """Targets rebound by statements other than a plain assignment."""
    if isinstance(stmt, (ast.AugAssign, ast.For, ast.AsyncFor)):
        return [stmt.target]
    if isinstance(stmt, (ast.With, ast.AsyncWith)):
        return [item.optional_vars for item in stmt.items if item.optional_vars is not None]
    if isinstance(stmt, ast.Assign):
        return [t for t in stmt.targets if not isinstance(t, ast.Name)]
    return []


class Constants(dict):  # type: ignore[type-arg]
    """The module's constants (name -> expression); once linked to what the file imports from its
    project, also the literal an imported name holds, looked up the first time it is asked for."""

    imported: ImportedFacts | None = None
    assigned: frozenset[str] = frozenset()

    def link(self, imported: ImportedFacts, assigned: frozenset[str]) -> None:
        self.imported, self.assigned = imported, assigned

    def _imported(self, name: object) -> ast.expr | None:
        if self.imported is None or not isinstance(name, str) or name in self.assigned or name not in self.imported.names:
            return None
        value = self.imported.constant(name)
        if value is not None:
            dict.__setitem__(self, name, value)
        return value

    def __contains__(self, name: object) -> bool:
        return dict.__contains__(self, name) or self._imported(name) is not None

    def __missing__(self, name: str) -> ast.expr:
        value = self._imported(name)
        if value is None:
            raise KeyError(name)
        return value

    def get(self, name: str, default: ast.expr | None = None) -> ast.expr | None:  # type: ignore[override]
        if dict.__contains__(self, name):
            return dict.__getitem__(self, name)
        value = self._imported(name)
        return default if value is None else value


class ModuleFacts:
    """Import aliases, constants, functions and Flask app names of one module."""

    def __init__(self, tree: ast.Module) -> None:
        self.tree = tree
        self.aliases: dict[str, str] = {}  # module-level imports
        self.constants: Constants = Constants()
        self.app_names: set[str] = set()
        self.functions: dict[str, ast.FunctionDef | ast.AsyncFunctionDef] = {}
        self.all_qualnames: set[str] = set()  # what every import at any depth names
        self._assignments: list[tuple[str, ast.expr, Scope]] = []  # candidate app creations, judged in finish()
        self._qualnames: dict[int, str | None] = {}
        self.imported: ImportedFacts | None = None  # what the file's imports bring from its project
        self.project: ImportedFacts | None = None  # the same, also when they bring nothing
        assigned_count: dict[str, int] = {}
        for stmt in top_level_statements(tree.body):
            if isinstance(stmt, (ast.Import, ast.ImportFrom)):
                self.aliases.update(import_aliases(stmt))
            elif isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)):
                self.functions[stmt.name] = stmt
            elif isinstance(stmt, (ast.Assign, ast.AnnAssign)) and stmt.value is not None:
                targets = stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target]
                for target in targets:
                    if isinstance(target, ast.Name):
                        assigned_count[target.id] = assigned_count.get(target.id, 0) + 1
                        self.constants[target.id] = stmt.value
            for target in _other_targets(stmt):
                for node in ast.walk(target):
                    if isinstance(node, ast.Name):
                        assigned_count[node.id] = 2
        # A name assigned more than once is not a constant: its value depends on flow.
        for name, count in assigned_count.items():
            if count > 1:
                self.constants.pop(name, None)
        self.all_qualnames.update(self.aliases.values())
        self._assigned = frozenset(assigned_count)

    def link(self, imported: ImportedFacts) -> None:
        """Take in what the file imports from its project: its literal constants (placed at their
        import), apps and helpers, read when first asked about, for names the module does not
        assign itself."""
        self.project = imported  # project-wide questions, asked even of a file importing nothing from it
        if imported:
            self.imported = imported
            self.constants.link(imported, self._assigned)

    def imported_value(self, func: ast.expr, scope: Scope) -> Value | None:
        """What the project function ``func`` names returns (``get_token()`` from ``auth``), if known."""
        if self.imported is None:
            return None
        path = dotted(func)
        if path is None or path.partition(".")[0] not in self.imported.names:
            return None
        if scope.defining(path.partition(".")[0]) is not None:
            return None
        return self.imported.returned(path)

    # -- filled in by the walk ------------------------------------------------
    def note_assignment(self, name: str, value: ast.expr, scope: Scope) -> None:
        if isinstance(value, ast.Call):
            self._assignments.append((name, value, scope))

    def finish(self, local_aliases: list[dict[str, str]]) -> None:
        """Complete the facts once the walk has met every node, before any rule asks."""
        for aliases in local_aliases:
            self.all_qualnames.update(aliases.values())
        for name, value, scope in self._assignments:
            if self.creates_app(value, scope):
                self.app_names.add(name)
        self._assignments = []

    # -- questions --------------------------------------------------------------
    @functools.cached_property
    def handles_credentials(self) -> bool:
        """The module imports an auth library or an auth-named module, at any depth.

        Names alone (``token``) say "credential" only in such modules: elsewhere a
        token is as likely a lexer's or a paginator's.
        """
        for qualname in self.all_qualnames:
            parts = qualname.split(".")
            if parts[0] in CREDENTIAL_LIBRARIES or any(p in _CREDENTIAL_MODULE_WORDS for p in parts):
                return True
        return False

    @functools.cached_property
    def sees_request(self) -> bool:
        """An import names ``flask.request`` (or the ``flask`` package, whose ``request`` an attribute
        reaches): without one no value of the module comes from the request being served."""
        return any(q in ("flask", "flask.request") for q in self.all_qualnames)

    @functools.cached_property
    def imports_flask(self) -> bool:
        return any(q == "flask" or q.startswith("flask.") for q in self.all_qualnames)

    def creates_app(self, value: ast.expr, scope: Scope | None = None) -> bool:
        if not isinstance(value, ast.Call):
            return False
        func = value.func
        if self.qualname(func, scope) in ("flask.Flask", "flask.app.Flask"):
            return True
        last = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)
        return last in APP_FACTORY_NAMES

    def qualname(self, node: ast.AST, scope: Scope | None = None) -> str | None:
        """The qualified name ``node`` refers to through the imports seen from ``scope`` (kept per node)."""
        key = id(node)
        if key in self._qualnames:
            return self._qualnames[key]
        result = self._qualnames[key] = self._resolve(node, scope)
        return result

    def _resolve(self, node: ast.AST, scope: Scope | None) -> str | None:
        path = dotted(node)
        if path is None:
            return None
        root, dot, rest = path.partition(".")
        resolved = None
        if scope is not None:
            for visible in scope.visible():
                resolved = visible.facts.aliases.get(root)
                if resolved is not None:
                    break
        if resolved is None:
            resolved = self.aliases.get(root)
        if resolved is None:
            return None
        return f"{resolved}{dot}{rest}"

    def is_builtin(self, node: ast.AST, name: str) -> bool:
        """``node`` is the builtin ``name`` (not shadowed by an import)."""
        return isinstance(node, ast.Name) and node.id == name and name not in self.aliases

    def is_app(self, node: ast.AST, scope: Scope | None = None) -> bool:
        """``node`` holds a Flask app by the module facts."""
        if isinstance(node, ast.Call):
            return self.creates_app(node, scope)
        if isinstance(node, ast.Name):
            if node.id in self.app_names:
                return True
            if self.imported is not None and node.id not in self._assigned and self.imported.is_app(node.id):
                return True
            if node.id in APP_CONVENTIONAL_NAMES and self.imports_flask:
                return True
        return self.qualname(node, scope) == "flask.current_app"
