"""What the project index knows, as data: module summaries, what a file imports, an app's closure.

``project.py`` builds these; the context hands them to rules. Nothing here reads files or runs
the analysis: an ``ImportedFacts`` asks its index (``ProjectIndex``) for other modules' summaries.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from flask_token_lint.kinds import COOKIE_SECURE_SETTINGS, SECURING_EXTENSIONS, Value
from flask_token_lint.syntax import dotted

if TYPE_CHECKING:
    from flask_token_lint.project import ProjectIndex

JWT_IMPORT = "flask_jwt_extended"  # imported: tokens may live in cookies
JWT_COOKIES = "cookies"  # a "cookies" token location is named


@dataclass
class ConfigClass:
    """A configuration class: its settings (a literal's source, or None when set at run time) and
    its bases (``path::Name`` when the index found them)."""

    name: str
    line: int
    settings: dict[str, str | None] = field(default_factory=dict)
    bases: list[str] = field(default_factory=list)


@dataclass
class ModuleSummary:
    path: str
    constants: dict[str, tuple[str | None, int]] = field(default_factory=dict)  # name -> (literal, line)
    apps: list[str] = field(default_factory=list)
    returns: dict[str, tuple[str, str, bool, int]] = field(default_factory=dict)  # fn -> kind, label, supplied, line
    configs: dict[str, ConfigClass] = field(default_factory=dict)
    exports: dict[str, str] = field(default_factory=dict)  # imported name -> "path::name" or "path" (a module)
    imports: list[str] = field(default_factory=list)  # project modules it imports
    sessions: list[str] = field(default_factory=list)  # what keeps a login in a cookie (``SESSION_USERS`` keys)
    secures: list[str] = field(default_factory=list)  # cookie-securing settings or extensions it names
    config_maps: dict[str, dict[str, str]] = field(default_factory=dict)  # name -> {key: "path::Class"}
    parsed: bool = True

    def carries(self, name: str) -> bool:
        """Importing ``name`` from this module brings a fact (or a re-export that may)."""
        if name in self.apps or name in self.returns or name in self.configs:
            return True
        if name in self.constants:
            return self.constants[name][0] is not None
        return name in self.exports and "::" in self.exports[name]

    def to_json(self) -> dict:
        data = dict(self.__dict__)
        data["configs"] = {name: c.__dict__ for name, c in self.configs.items()}
        return data

    @classmethod
    def from_json(cls, data: dict) -> ModuleSummary:
        summary = cls(**{k: v for k, v in data.items() if k != "configs"})
        summary.constants = {k: (v[0], v[1]) for k, v in summary.constants.items()}
        summary.returns = {k: (v[0], v[1], v[2], v[3]) for k, v in summary.returns.items()}
        summary.configs = {name: ConfigClass(**c) for name, c in data.get("configs", {}).items()}
        return summary


@dataclass
class Closure:
    """What an app's module and the project modules it imports use and name (FTL405)."""

    sessions: dict[str, str] = field(default_factory=dict)  # session user -> first module that uses it
    secures: set[str] = field(default_factory=set)  # cookie-securing settings or extensions named


@dataclass
class LoadedConfig:
    """A configuration class an app loads: its settings with its bases', and where it is."""

    name: str
    settings: dict[str, str | None]
    node: ast.ClassDef | None = None  # defined in the checked file
    origin: tuple[str, int] | None = None  # else the file and line that define it
    key: str | None = None  # its key in a ``{"production": ProductionConfig}`` map


@dataclass
class ImportedFacts:
    """What one file's imports bring in from its project (empty for a file with none)."""

    constants: dict[str, ast.expr] = field(default_factory=dict)  # local name -> literal, at the import
    apps: set[str] = field(default_factory=set)
    returns: dict[str, Value] = field(default_factory=dict)  # "get_token" / "auth.get_token" -> what it returns
    configs: dict[str, ConfigClass] = field(default_factory=dict)  # local name -> configuration class
    origins: dict[str, tuple[str, int]] = field(default_factory=dict)  # local name -> (path, line) it comes from
    dependencies: set[str] = field(default_factory=set)  # project modules whose summaries were read
    modules: list[str] = field(default_factory=list)  # project modules the file imports
    names: dict[str, str] = field(default_factory=dict)  # local name -> "path::name" it imports
    config_maps: dict[str, dict[str, str]] = field(default_factory=dict)  # local name -> {key: "path::Class"}
    index: ProjectIndex | None = None
    path: str | None = None

    def closure(self, tree: ast.Module) -> Closure:
        """What this file and the project modules it imports, directly or through others, use and
        name: the session and login libraries (each with the first module that uses it) and the
        cookie-securing settings or extensions named anywhere."""
        closure = Closure()
        for user in session_use(tree):
            closure.sessions.setdefault(user, "this module")
        closure.secures.update(secures(tree))
        if self.index is not None:
            self.index.extend_closure(closure, self.modules, self.dependencies, self.path)
        jwt, cookies = closure.sessions.pop(JWT_IMPORT, None), closure.sessions.pop(JWT_COOKIES, None)
        if jwt is not None and cookies is not None:
            closure.sessions["flask_jwt_extended cookies"] = jwt
        return closure

    def loaded_config(self, tree: ast.Module, name: str, key: str | None = None) -> LoadedConfig | None:
        """The configuration class ``name`` (a class of this file, an imported one, or a dotted
        ``"package.config.ProductionConfig"`` string) with the settings it and its bases make."""
        local = self._local_configs(tree)
        if name in local:
            node = next(s for s in tree.body if isinstance(s, ast.ClassDef) and s.name == name)
            return LoadedConfig(name, self._settings(local[name], local), node=node, key=key)
        target = self.names.get(name)
        if target is None and "." in name:
            module, _, last = name.rpartition(".")
            base = self.names.get(module)  # ``config.ProductionConfig`` after ``from app import config``
            if base is None and self.index is not None and self.path is not None:
                base = self.index.resolve(module, self.path, 0)
            target = f"{base}::{last}" if base is not None and "::" not in base else None
        if target is None and self.index is not None and self.path is not None:
            target = self.index.resolve(name, self.path, 0)  # ``from_object("settings")``: a module
        if target is not None and "::" not in target and self.index is not None:
            summary = self.index.summary(target)  # a configuration module: its upper-case names
            if summary is None:
                return None
            self.dependencies.add(target)
            settings = {k: v[0] for k, v in summary.constants.items() if k.isupper()}
            return LoadedConfig(name, settings, origin=(target, 1), key=key)
        return self._imported_config(target, local, key)

    def _imported_config(self, target: str | None, local: dict[str, ConfigClass], key: str | None) -> LoadedConfig | None:
        if target is None or "::" not in target or self.index is None:
            return None
        module, _, last = target.partition("::")
        summary = self.index.summary(module)
        if summary is None or last not in summary.configs:
            return None
        self.dependencies.add(module)
        config = summary.configs[last]
        return LoadedConfig(last, self._settings(config, local), origin=(module, config.line), key=key)

    def config_map(self, tree: ast.Module, name: str) -> list[LoadedConfig] | None:
        """The classes of a ``{"production": ProductionConfig, ...}`` map, this file's or imported."""
        for stmt in tree.body:
            if isinstance(stmt, ast.Assign) and any(isinstance(t, ast.Name) and t.id == name for t in stmt.targets):
                value = stmt.value
                if not isinstance(value, ast.Dict) or not all(isinstance(k, ast.Constant) for k in value.keys):
                    return None
                loaded = [self.loaded_config(tree, item.id, str(key.value))  # type: ignore[union-attr]
                          for key, item in zip(value.keys, value.values) if isinstance(item, ast.Name)]
                return None if any(c is None for c in loaded) or len(loaded) != len(value.keys) else loaded  # type: ignore[misc]
        entries = self.config_maps.get(name)
        if entries is None:
            return None
        local = self._local_configs(tree)
        loaded = [self._imported_config(target, local, key) for key, target in entries.items()]
        return None if any(c is None for c in loaded) else loaded  # type: ignore[return-value]

    def _local_configs(self, tree: ast.Module) -> dict[str, ConfigClass]:
        path = self.path or "<unknown>"
        return {
            stmt.name: config
            for stmt in tree.body
            if isinstance(stmt, ast.ClassDef) and (config := config_class(stmt, self.names, path)) is not None
        }

    def _settings(self, config: ConfigClass, local: dict[str, ConfigClass], depth: int = 0) -> dict[str, str | None]:
        """``config``'s settings over its bases' (a base of this file is read from its tree)."""
        settings: dict[str, str | None] = {}
        if depth < 8:
            for base in reversed(config.bases):
                module, _, name = base.partition("::")
                if module == self.path and name in local:
                    settings.update(self._settings(local[name], local, depth + 1))
                elif self.index is not None:
                    summary = self.index.summary(module)
                    if summary is not None and name in summary.configs:
                        self.dependencies.add(module)
                        settings.update(self._settings(summary.configs[name], {}, depth + 1))
        settings.update(config.settings)
        return settings

def config_class(node: ast.ClassDef, exports: dict[str, str], path: str) -> ConfigClass | None:
    settings: dict[str, str | None] = {}
    for stmt in node.body:
        if isinstance(stmt, ast.Assign):
            targets, value = stmt.targets, stmt.value
        elif isinstance(stmt, ast.AnnAssign) and stmt.value is not None:
            targets, value = [stmt.target], stmt.value
        else:
            continue
        for target in targets:
            if isinstance(target, ast.Name) and target.id.isupper():
                settings[target.id] = literal(value)
    bases = []
    for base in node.bases:
        name = dotted(base)
        if name is None:
            continue
        if name in exports and "::" in exports[name]:
            bases.append(exports[name])
        elif "." not in name:
            bases.append(f"{path}::{name}")
    if not settings and not bases:
        return None
    return ConfigClass(node.name, node.lineno, settings, bases)
def session_use(tree: ast.Module) -> list[str]:
    """What in a module keeps a login in a cookie (``SESSION_USERS`` keys), in a fixed order; and
    ``JWT_IMPORT``/``JWT_COOKIES`` for the halves of flask-jwt-extended with cookie tokens, which
    often sit in different modules (``closure`` joins them)."""
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and not node.level:
            top = node.module.split(".")[0]
            if node.module == "flask" and any(a.name == "session" for a in node.names):
                found.add("flask.session")
            elif top in ("flask_login", "flask_session", "flask_security"):
                found.add(top)
            elif top == "flask_jwt_extended":
                found.add(JWT_IMPORT)
        elif isinstance(node, ast.Import):
            for alias in node.names:
                top = alias.name.split(".")[0]
                if top in ("flask_login", "flask_session", "flask_security"):
                    found.add(top)
                elif top == "flask_jwt_extended":
                    found.add(JWT_IMPORT)
        elif isinstance(node, ast.Attribute) and node.attr == "session" and dotted(node) == "flask.session":
            found.add("flask.session")
        elif isinstance(node, ast.Constant) and node.value == "cookies":
            found.add(JWT_COOKIES)
    return sorted(found)

def secures(tree: ast.Module) -> set[str]:
    """The cookie-securing settings a module names anywhere (as a name, attribute, string or keyword),
    and the securing extensions it imports: set somewhere the index does not follow."""
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value in COOKIE_SECURE_SETTINGS:
            found.add(node.value)
        elif isinstance(node, ast.Name) and node.id in COOKIE_SECURE_SETTINGS:
            found.add(node.id)
        elif isinstance(node, ast.Attribute) and node.attr in COOKIE_SECURE_SETTINGS:
            found.add(node.attr)
        elif isinstance(node, ast.keyword) and node.arg in COOKIE_SECURE_SETTINGS:
            found.add(node.arg)
        elif isinstance(node, ast.Import):
            found.update(a.name.split(".")[0] for a in node.names if a.name.split(".")[0] in SECURING_EXTENSIONS)
        elif isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[0] in SECURING_EXTENSIONS:
            found.add(node.module.split(".")[0])
    return found


def config_map(stmt: ast.stmt, summary: ModuleSummary, path: str) -> tuple[str, dict[str, str]] | None:
    """``config = {"development": DevelopmentConfig, "production": ProductionConfig}``: a module-level
    dict of configuration classes, by key."""
    if not (isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 and isinstance(stmt.targets[0], ast.Name)):
        return None
    value = stmt.value
    if not isinstance(value, ast.Dict) or not value.keys:
        return None
    entries: dict[str, str] = {}
    for key, item in zip(value.keys, value.values):
        if not (isinstance(key, ast.Constant) and isinstance(key.value, str) and isinstance(item, ast.Name)):
            return None
        if item.id in summary.configs:
            entries[key.value] = f"{path}::{item.id}"
        elif item.id in summary.exports and "::" in summary.exports[item.id]:
            entries[key.value] = summary.exports[item.id]
        else:
            return None
    return stmt.targets[0].id, entries


def literal(value: ast.expr) -> str | None:
    """The source of a literal constant (numbers, strings, bytes, booleans, None and containers of
    them), else None: a value made at run time."""
    try:
        ast.literal_eval(value)
    except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
        return None
    return ast.unparse(value)


def imported_from(node: object) -> tuple[str, int] | None:
    """The file and line of the module that defines ``node``, when ``node`` is a literal another
    module exports, handed to this file by the index; else None."""
    return getattr(node, "_ftl_origin", None)
