"""What the project index knows, as data: module summaries, what a file imports, an app's closure.

``project.py`` builds these; the context hands them to rules. Nothing here reads files or runs
the analysis: an ``ImportedFacts`` asks its index (``ProjectIndex``) for other modules' summaries.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from flask_token_lint.kinds import COOKIE_SECURE_SETTINGS, SECURING_EXTENSIONS, SESSION_USERS, Kind, Value
from flask_token_lint.paths import holds_for, known_at
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
    config_maps: dict[str, dict[str, str]] = field(default_factory=dict)  # name -> {key: "path::Class"}
    configures: bool = False  # loads or sets Flask configuration (``x.config.from_object(...)``, ``x.config[k] = v``)
    # What each function hands its parameters to: fn -> [[parameter, "verify" | "log"], ...] (``fetch(url,
    # verify)`` passing ``verify=verify`` to requests; ``audit(value)`` logging it), and its parameters.
    forwards: dict[str, list[list[str]]] = field(default_factory=dict)
    parameters: dict[str, list[str]] = field(default_factory=dict)
    lines: dict[str, int] = field(default_factory=dict)  # fn -> its line, for those that hand parameters on
    # How a function checks the Bearer scheme of a header parameter: fn -> {parameter: "exits" (it
    # leaves unless the check passes) | "returns" (it returns whether it does)}.
    checks: dict[str, dict[str, str]] = field(default_factory=dict)
    # What a function or method (``Class.method``) proves of its parameters: fn -> the parameters a
    # true result proves equal to a secret; fn -> {parameter: [assumptions]} verified as a token with
    # an age bound under any of those assumptions (``paths.scenario_key``: "" for every call).
    verifies: dict[str, list[str]] = field(default_factory=dict)
    bounded: dict[str, dict[str, list[str]]] = field(default_factory=dict)
    keyword_only: dict[str, list[str]] = field(default_factory=dict)
    defaults: dict[str, dict[str, object]] = field(default_factory=dict)  # fn -> its literal defaults
    binds_first: dict[str, str] = field(default_factory=dict)  # fn -> "never" | "always" | "instance"

    def defines(self, name: str) -> bool:
        return name in self.constants or name in self.returns or name in self.configs or name in self.apps \
            or name in self.config_maps or name in self.forwards or name in self.checks \
            or name in self.verifies or name in self.bounded

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
    """What one file's imports bring in from its project, read from the summaries only when a rule
    asks about an imported name (empty for a file with no project import)."""

    names: dict[str, str] = field(default_factory=dict)  # local name -> "path::name" it imports, or a module's path
    modules: list[str] = field(default_factory=list)  # project modules the file imports
    dependencies: set[str] = field(default_factory=set)  # project modules whose summaries were read
    places: dict[str, ast.alias] = field(default_factory=dict)  # local name -> the import that binds it
    trail: list[tuple[str, int, str]] = field(default_factory=list)  # what a project-level rule read, and where
    index: ProjectIndex | None = None
    path: str | None = None
    _constants: dict[str, ast.expr | None] = field(default_factory=dict)
    _unparsed: tuple[ast.Module, str] | None = None

    def __bool__(self) -> bool:
        return bool(self.names)

    def _summary(self, module: str) -> ModuleSummary | None:
        summary = self.index.summary(module) if self.index is not None else None
        if summary is not None:
            self.dependencies.add(module)
        return summary

    def _defined(self, target: str | None, depth: int = 0, cheap: bool = True) -> tuple[str, str, ModuleSummary] | None:
        """The module and name that define ``target`` (``"path::name"``), through re-exports
        (``from .settings import KEY`` in a package's ``__init__``). With ``cheap``, a name the
        module's text shows cannot carry a literal, an app or a credential-returning function is
        answered without parsing the module."""
        if target is None or "::" not in target or depth > 8 or self.index is None:
            return None
        module, _, name = target.partition("::")
        if cheap and not self.index.may_carry(module, name):
            return None
        summary = self._summary(module)
        if summary is None:
            return None
        if name in summary.exports and not summary.defines(name):
            return self._defined(summary.exports[name], depth + 1, cheap)
        owner, dot, member = name.partition(".")
        if dot and owner in summary.exports and "::" in summary.exports[owner] and not summary.defines(name):
            return self._defined(f"{summary.exports[owner]}.{member}", depth + 1, cheap)  # an imported class
        return module, name, summary

    def _attribute(self, dotted_name: str) -> str | None:
        """``"path::name"`` for ``module.name`` after ``import app.auth as auth`` (or a name itself),
        ``"path::Class.method"`` for a method of an imported class."""
        if dotted_name in self.names:
            return self.names[dotted_name]
        owner, _, last = dotted_name.rpartition(".")
        target = self._attribute(owner) if owner else None
        if target is None:
            return None
        if "::" not in target:
            return f"{target}::{last}"  # a module's attribute
        return f"{target}.{last}" if "." not in target.partition("::")[2] else None  # a class's

    def _site_parameters(self, summary: ModuleSummary, name: str, instance: bool) -> list[str]:
        """The function's positional parameters as a call fills them (without the one it binds)."""
        parameters = summary.parameters.get(name, [])
        binding = summary.binds_first.get(name, "never")
        return parameters[1:] if binding == "always" or (binding == "instance" and instance) else parameters

    def verified(self, dotted_name: str, instance: bool, call: ast.Call) -> list[ast.expr]:
        """What ``call`` of the imported function or method passes for the parameters a true result
        proves equal to a secret (``instance``: called on an instance of the class)."""
        found = self._defined(self._attribute(dotted_name))
        if found is None or found[1] not in found[2].verifies:
            return []
        _, name, summary = found
        return _sites(self._site_parameters(summary, name, instance), set(summary.verifies[name]), call)

    def bounded(self, dotted_name: str, instance: bool, call: ast.Call) -> list[ast.expr]:
        """What ``call`` of the imported function or method passes for the parameters it verifies as
        a token with an age bound, given the literals this call passes."""
        found = self._defined(self._attribute(dotted_name))
        if found is None or found[1] not in found[2].bounded:
            return []
        _, name, summary = found
        positional = self._site_parameters(summary, name, instance)
        known = known_at(positional, summary.keyword_only.get(name, []), summary.defaults.get(name, {}), call)
        wanted = {p for p, keys in summary.bounded[name].items() if holds_for(keys, known)}
        return _sites(positional, wanted, call)

    def constant(self, name: str) -> ast.expr | None:
        """The literal an imported constant holds, as an expression of this file placed at its
        import and marked with where it is defined (``imported_from``); None when it is no literal."""
        if name not in self._constants:
            target = self.names.get(name)
            value = None
            if target is not None and "::" in target and self.index is not None:
                module, _, defined = target.partition("::")
                head = self.index.literal_head(module, defined)
                if head is not None:  # read from its own lines (part of what the module shows importers)
                    self._constants[name] = placed(head[0], self.places[name], (module, head[1]))
                    return self._constants[name]
            found = self._defined(target)
            if found is not None:
                module, defined, summary = found
                literal_source, line = summary.constants.get(defined, (None, 0))
                if literal_source is not None:
                    value = placed(literal_source, self.places[name], (module, line))
            self._constants[name] = value
        return self._constants[name]

    def is_app(self, name: str) -> bool:
        target = self.names.get(name)
        if target is not None and "::" in target and self.index is not None:
            module, _, defined = target.partition("::")
            head = self.index.head_text(module, defined)
            if head is None or (head and "Flask(" not in head):
                return False  # the module's text shows no app made there
        found = self._defined(target)
        return found is not None and found[1] in found[2].apps

    def returned(self, dotted_name: str) -> Value | None:
        """What the imported function ``dotted_name`` (``get_token``, ``auth.get_token``) returns."""
        found = self._defined(self._attribute(dotted_name))
        if found is None or found[1] not in found[2].returns:
            return None
        kind, label, supplied, _ = found[2].returns[found[1]]
        return Value(Kind[kind], label, supplied)

    def handed(self, dotted_name: str, call: ast.Call, kind: str) -> list[ast.expr]:
        """What ``call`` of the imported function ``dotted_name`` passes for the parameters that
        function hands to ``kind`` ("verify": an HTTP client's ``verify=``; "log": a log or stdout)."""
        found = self._defined(self._attribute(dotted_name))
        if found is None or found[1] not in found[2].forwards:
            return []
        _, name, summary = found
        wanted = {parameter for parameter, handed_to in summary.forwards[name] if handed_to == kind}
        return _sites(summary.parameters.get(name, []), wanted, call)

    def scheme_checks(self, dotted_name: str, call: ast.Call) -> list[tuple[ast.expr, str]]:
        """What ``call`` of the imported function ``dotted_name`` passes for the parameters whose
        Bearer scheme that function checks, each with how ("exits" or "returns")."""
        found = self._defined(self._attribute(dotted_name))
        if found is None or found[1] not in found[2].checks:
            return []
        _, name, summary = found
        checks = summary.checks[name]
        parameters = summary.parameters.get(name, [])
        return [(argument, checks[parameter]) for parameter in checks
                for argument in _sites(parameters, {parameter}, call)]

    def origin(self, name: str) -> tuple[str, int, str] | None:
        """Where an imported name that carries a fact is defined (its module's path and line) and
        what it is there; None for any other name."""
        target = self._attribute(name)
        if target is not None and "::" in target and self.index is not None:
            module, _, defined = target.partition("::")
            head = self.index.literal_head(module, defined)
            if head is not None:
                return module, head[1], f"{defined} = {_short(head[0])}"
        found = self._defined(target)
        if found is None:
            return None
        module, defined, summary = found
        if defined in summary.constants and summary.constants[defined][0] is not None:
            literal_source, line = summary.constants[defined]
            return module, line, f"{defined} = {_short(literal_source)}"  # type: ignore[arg-type]
        if defined in summary.returns:
            _, label, _, line = summary.returns[defined]
            return module, line, f"{defined}() returns {label}"
        if defined in summary.apps:
            return module, 1, f"{defined} is a Flask app"
        if defined in summary.forwards:
            words = {"log": "a log", "verify": "verify=", "link": "a token link's host"}
            handed = ", ".join(f"{parameter} to {words.get(kind, kind)}"
                               for parameter, kind in summary.forwards[defined])
            return module, summary.lines.get(defined, 1), f"{defined}() hands {handed}"
        return None

    def flow_to(self, node: ast.AST, scope: object) -> list[tuple[str, int, str]]:
        """The steps from other modules to ``node``: what a project-level rule read (``trail``), and
        each imported name ``node`` uses, directly or through a local name bound from it, with
        where it is defined. Empty when the node uses nothing from another module."""
        steps: list[tuple[str, int, str]] = list(self.trail)
        bindings = getattr(scope, "defining", None)
        for name in (n for n in ast.walk(node) if isinstance(n, ast.Name)):
            if name.id in self.names:
                origin = self.origin(name.id)
                if origin is not None:
                    steps.append(origin)
                continue
            defining = bindings(name.id) if bindings is not None else None
            for binding in (defining.facts.bindings.get(name.id, ()) if defining is not None else ()):
                # a local bound to an imported name, or to what an imported function returns
                value = getattr(binding, "value", None)
                while isinstance(value, (ast.Call, ast.Await)):
                    value = value.func if isinstance(value, ast.Call) else value.value
                used = dotted(value) if value is not None else None
                origin = self.origin(used) if used is not None and used.partition(".")[0] in self.names else None
                if origin is not None:
                    steps.append(origin)
                    line = getattr(getattr(binding, "stmt", None), "lineno", 0)
                    steps.append(("", line, f"{name.id} is bound from {used}"))
        return list(dict.fromkeys(steps))

    def imports_mention(self, pattern: re.Pattern[str], tree: ast.Module) -> bool:
        """Whether this module or a project module it imports (at any depth of its code, one level of
        imports, as for ``closure``) matches ``pattern``; the modules read become dependencies."""
        if pattern.search(self._source(tree)):
            return True
        if self.index is None or self.path is None:
            return False
        for module in dict.fromkeys([*self.modules, *self.index.nested_modules(tree, self.path)]):
            text = self.index.text_of(module)
            if text is not None:
                self.dependencies.add(module)
                if pattern.search(text):
                    return True
        return False

    def closure(self, tree: ast.Module) -> Closure:
        """What this file and the project modules it imports, directly or through others, use and
        name: the session and login libraries (each with the first module that uses it) and the
        cookie-securing settings or extensions named anywhere."""
        closure = Closure()
        text = tree_text(tree)
        for user in session_use(text):
            closure.sessions.setdefault(user, "this module")
        closure.secures.update(secures(text))
        if self.index is not None and self.path is not None:
            modules = [*self.modules, *self.index.nested_modules(tree, self.path)]
            self.index.extend_closure(closure, modules, self.dependencies, self.path)
        jwt, cookies = closure.sessions.pop(JWT_IMPORT, None), closure.sessions.pop(JWT_COOKIES, None)
        if jwt is not None and cookies is not None:
            closure.sessions["flask_jwt_extended cookies"] = jwt
        for user, module in closure.sessions.items():
            if module != "this module":
                self.trail.append((module, 1, f"uses {user}"))
        return closure

    def mentions(self, pattern: re.Pattern[str], tree: ast.Module) -> bool:
        """Whether this file or any file of its project matches ``pattern`` (the files read become
        dependencies: a result holds while none of them changes)."""
        if pattern.search(self._source(tree)):
            return True
        if self.index is None or self.path is None:
            return False
        found, read = self.index.mentions(self.path, pattern)
        self.dependencies.update(read)
        return found

    def _source(self, tree: ast.Module) -> str:
        """The checked file as code (from its tree: the editor's buffer, not the file on disk), made once."""
        if self._unparsed is None or self._unparsed[0] is not tree:
            try:
                self._unparsed = (tree, ast.unparse(tree))
            except (ValueError, RecursionError):
                self._unparsed = (tree, tree_text(tree))
        return self._unparsed[1]

    def count(self, pattern: re.Pattern[str], tree: ast.Module) -> int:
        """How many times ``pattern`` matches in the project's Python files (test code aside), this
        file included; only this file's count when there is no project index."""
        if self.index is None or self.path is None:
            return len(pattern.findall(self._source(tree)))
        total, read = self.index.count(self.path, pattern)
        self.dependencies.update(read)
        return total

    def origin_lists(self, tree: ast.Module) -> list[list[str]]:
        """The distinct literal lists of origins this file and its project write (``origin_lists``)."""
        found = {tuple(origins): None for origins in origin_lists(self._source(tree))}
        if self.index is not None and self.path is not None:
            lists, read = self.index.origin_lists(self.path)
            self.dependencies.update(read)
            found.update((tuple(origins), None) for origins in lists)
        return [list(origins) for origins in found]

    def configures(self, name: str | None) -> bool:
        """The imported name (``configure_app``, ``setup.configure``) comes from a project module
        that loads or sets Flask configuration."""
        if name is None or self.index is None:
            return False
        target = self._attribute(name)
        found = self._defined(target, cheap=False) if target is not None else None
        if found is None:
            return False
        return found[2].configures

    def loaded_config(self, tree: ast.Module, name: str, key: str | None = None) -> LoadedConfig | None:
        """The configuration class ``name`` (a class of this file, an imported one, or a dotted
        ``"package.config.ProductionConfig"`` string) with the settings it and its bases make."""
        local = self._local_configs(tree)
        if name in local:
            node = next(s for s in tree.body if isinstance(s, ast.ClassDef) and s.name == name)
            return LoadedConfig(name, self._settings(local[name], local), node=node, key=key)
        target = self._attribute(name) if name in self.names or "." in name else None  # ``config.ProductionConfig``
        if target is None and "." in name and self.index is not None and self.path is not None:
            module, _, last = name.rpartition(".")
            base = self.index.resolve(module, self.path, 0)  # ``"package.config.ProductionConfig"``
            target = f"{base}::{last}" if base is not None else None
        if target is None and self.index is not None and self.path is not None:
            target = self.index.resolve(name, self.path, 0)  # ``from_object("settings")``: a module
        if target is not None and "::" not in target and self.index is not None:
            summary = self._summary(target)  # a configuration module: its upper-case names
            if summary is None:
                return None
            settings = {k: v[0] for k, v in summary.constants.items() if k.isupper()}
            return LoadedConfig(name, settings, origin=(target, 1), key=key)
        return self._imported_config(target, local, key)

    def _imported_config(self, target: str | None, local: dict[str, ConfigClass], key: str | None) -> LoadedConfig | None:
        found = self._defined(target, cheap=False)
        if found is None or found[1] not in found[2].configs:
            return None
        module, last, summary = found
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
        found = self._defined(self.names.get(name), cheap=False)
        entries = found[2].config_maps.get(found[1]) if found is not None else None
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
                    summary = self._summary(module)
                    if summary is not None and name in summary.configs:
                        settings.update(self._settings(summary.configs[name], {}, depth + 1))
        settings.update(config.settings)
        return settings


def _sites(positional: list[str], wanted: set[str], call: ast.Call) -> list[ast.expr]:
    """What ``call`` passes for the parameters in ``wanted``."""
    sites = []
    for parameter, argument in zip(positional, call.args):
        if isinstance(argument, ast.Starred):
            break
        if parameter in wanted:
            sites.append(argument)
    sites += [k.value for k in call.keywords if k.arg in wanted]
    return sites


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


def placed(literal: str, alias: ast.alias, origin: tuple[str, int]) -> ast.expr:
    """The literal as an expression of the importing file, at the import that brings it in, each node
    marked with where it is defined (``imported_from``): a rule's report on it moves to the node the
    rule looked at, and no fix edits it."""
    node = ast.parse(literal, mode="eval").body
    for inner in ast.walk(node):
        if "lineno" in inner._attributes:
            inner.lineno, inner.col_offset = alias.lineno, alias.col_offset  # type: ignore[attr-defined]
            inner.end_lineno, inner.end_col_offset = alias.end_lineno, alias.end_col_offset  # type: ignore[attr-defined]
        inner._ftl_origin = origin  # type: ignore[attr-defined]
    return node


# What a module's text says about sessions, login and cookie settings (FTL405), read without parsing.
_FLASK_IMPORT = re.compile(r"^[ \t]*from[ \t]+flask[ \t]+import[ \t]+(\([^)]*\)|[^#\n]+)", re.MULTILINE)
# The libraries: the session users that are modules, flask-jwt-extended, the securing extensions.
_LIBRARIES = sorted({user for user in SESSION_USERS if user.isidentifier()} | {JWT_IMPORT} | SECURING_EXTENSIONS)
_LIBRARY_IMPORT = re.compile(rf"^[ \t]*(?:from|import)[ \t]+({'|'.join(_LIBRARIES)})\b", re.MULTILINE)
_SECURE_SETTING = re.compile(rf"\b(?:{'|'.join(sorted(COOKIE_SECURE_SETTINGS))})\b")
_COOKIE_LOCATION = re.compile(r"[\"']cookies[\"']")
_CONFIGURES = re.compile(r"\.config\s*(?:\.\s*(?:from_\w+|update|setdefault)\s*\(|\[[^\]]+\]\s*=(?!=))")


def session_use(text: str) -> list[str]:
    """What in a module's text keeps a login in a cookie (``SESSION_USERS`` keys), and
    ``JWT_IMPORT``/``JWT_COOKIES`` for the halves of flask-jwt-extended with cookie tokens, which
    often sit in different modules (``ImportedFacts.closure`` joins them)."""
    found: set[str] = set()
    for names in _FLASK_IMPORT.findall(text):
        if re.search(r"(?<![\w.])session\b", names):
            found.add("flask.session")
    if re.search(r"\bflask\.session\b", text):
        found.add("flask.session")
    for library in _LIBRARY_IMPORT.findall(text):
        if library == "flask_jwt_extended":
            found.add(JWT_IMPORT)
        elif library not in SECURING_EXTENSIONS:
            found.add(library)
    if _COOKIE_LOCATION.search(text):
        found.add(JWT_COOKIES)
    return sorted(found)


def secures(text: str) -> set[str]:
    """The cookie-securing settings a module's text names anywhere, and the securing extensions it
    imports: they may be set in a way the analysis does not follow."""
    found = set(_SECURE_SETTING.findall(text))
    found.update(library for library in _LIBRARY_IMPORT.findall(text) if library in SECURING_EXTENSIONS)
    return found


_ORIGIN_LIST = re.compile(
    r"""\b(\w*origins?\w*)["']?\]?[ \t]*(?::[^=\n]*)?[:=][ \t]*(\[[^\]\n]*\]|\([^)\n]*\))""", re.IGNORECASE
)
_ORIGIN = re.compile(r"https?://[^\s/*?#]+")


def origin_lists(text: str) -> list[list[str]]:
    """The literal lists of origins ``text`` writes on one line under a name or key that says
    origins (``CORS_ORIGINS = ["https://app.example.com"]``): only ``http(s)://host`` strings."""
    found = []
    for match in _ORIGIN_LIST.finditer(text):
        try:
            value = ast.literal_eval(match.group(2))
        except (ValueError, SyntaxError, MemoryError, RecursionError):
            continue
        items = list(value) if isinstance(value, (list, tuple)) else []
        if items and all(isinstance(item, str) and _ORIGIN.fullmatch(item) for item in items):
            found.append(items)
    return found


def configures(text: str) -> bool:
    """The module's text loads or sets Flask configuration on some object's ``config``."""
    return _CONFIGURES.search(text) is not None


def tree_text(tree: ast.Module) -> str:
    """What those readers look at in a parsed module (imports, strings, names), as text: the checked
    file is read like the modules it imports, but from its tree (the editor's buffer, not the file
    on disk)."""
    parts: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            parts.append(ast.unparse(node))
        elif isinstance(node, ast.Constant) and isinstance(node.value, str) and len(node.value) < 100:
            parts.append(repr(node.value))
        elif isinstance(node, ast.Attribute):
            path = dotted(node)
            parts.append(path if path is not None else node.attr)
        elif isinstance(node, ast.Name):
            parts.append(node.id)
        elif isinstance(node, ast.keyword) and node.arg:
            parts.append(node.arg)
    return "\n".join(parts)


def _short(source: str, limit: int = 60) -> str:
    source = " ".join(source.split())
    return source if len(source) <= limit else source[: limit - 3] + "..."
