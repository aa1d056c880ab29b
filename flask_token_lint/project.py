"""The project index: what each module of the project exports to the modules that import it.

A file is still checked alone, but the names it imports from its own project are no longer
unknown. For each project module a file imports (found from the file's folder: the project root,
its ``src/`` layout, and the folder above the file's top package), a small summary is made once and
kept by the module's content hash, in memory and in the cache folder when there is one:

- its literal constants (``DECODE_OPTIONS = {"verify_signature": False}``), with their lines;
- the names that hold a Flask app;
- what each of its functions returns, in the value analysis' words (the Authorization header, a
  token cut from it, a request value);
- its configuration classes and the settings each sets (bases included);
- whether it uses sessions or login (``flask.session``, Flask-Login, Flask-Session, Flask-Security,
  flask-jwt-extended with cookies), and the project modules it imports itself.

The importing file gets ``ImportedFacts``: its imported names bound to those facts. A constant is
handed over as its literal, placed at the import that brings it in, so every rule that reads
constants reads imported ones; a name imported from outside the project, or from a module that does
not parse, stays unknown. The summaries of the modules a file's findings used are its
``dependencies``: a cached result is good only while they are unchanged.
"""

from __future__ import annotations

import ast
import hashlib
import json
import os
import re
from typing import Iterator

from flask_token_lint import __version__
from flask_token_lint.context import Context, FileFacts
from flask_token_lint.kinds import Kind, Value
from flask_token_lint.project_facts import (
    Closure, ImportedFacts, ModuleSummary, config_class, config_map, literal, secures, session_use,
)
from flask_token_lint.settings import Settings
from flask_token_lint.source import decode_source
from flask_token_lint.walk import Walk

_MARKERS = ("pyproject.toml", "setup.cfg", "setup.py", "tox.ini", ".flake8", ".git")
_SESSION_MODULES = ("flask_login", "flask_session", "flask_security")
_SUMMARY_LAYOUT = "index-v1"
_MAX_CLOSURE = 400  # modules followed from one app for the project-level rules
# Import statements as text, before any parse: ``from .auth import (a, b as c)`` / ``import a.b as c``.
_IMPORT_TEXT = re.compile(
    r"^[ \t]*(?:from[ \t]+(\.*[\w.]*)[ \t]+import[ \t]+(\([^)]*\)|[^#\n;]+)|import[ \t]+([\w.]+))", re.MULTILINE
)


def _is_file(path: str) -> bool:
    return os.path.isfile(path)


def project_root(path: str) -> str:
    """The nearest folder above ``path`` holding a project or tool configuration (``pyproject.toml``,
    ``setup.cfg``, ``.git``, ...), else the folder above its top package."""
    folder = os.path.dirname(os.path.abspath(path))
    current = folder
    while True:
        if any(os.path.exists(os.path.join(current, marker)) for marker in _MARKERS):
            return current
        parent = os.path.dirname(current)
        if parent == current:
            return package_base(path)
        current = parent


def package_base(path: str) -> str:
    """The folder above the top package holding ``path`` (its own folder when that is no package):
    where ``python -m`` or a script next to the package would import it from."""
    folder = os.path.dirname(os.path.abspath(path))
    while _is_file(os.path.join(folder, "__init__.py")):
        parent = os.path.dirname(folder)
        if parent == folder:
            break
        folder = parent
    return folder


class ProjectIndex:
    """Summaries of a project's modules, made when first asked for and kept by content hash."""

    def __init__(self, settings: Settings | None = None, cache_dir: str | None = None) -> None:
        self.settings = settings or Settings()
        self.cache_dir = cache_dir
        self._summaries: dict[str, ModuleSummary | None] = {}
        self._texts: dict[str, str | None] = {}
        self._digests: dict[str, str] = {}
        self._stamps: dict[str, tuple[int, int] | None] = {}
        self._roots: dict[str, str] = {}
        self.built = 0  # summaries made (not read from the cache) in this process
        self.loaded = 0  # summaries read from the cache folder

    # -- where modules are --------------------------------------------------------------------
    def root_of(self, path: str) -> str:
        folder = os.path.dirname(os.path.abspath(path))
        root = self._roots.get(folder)
        if root is None:
            root = self._roots[folder] = project_root(path)
        return root

    def resolve(self, module: str, importer: str, level: int) -> str | None:
        """The file of the project module ``module`` as ``importer`` imports it, else None."""
        if level:
            base = os.path.dirname(os.path.abspath(importer))
            for _ in range(level - 1):
                base = os.path.dirname(base)
            return _module_file(base, module) if module else _module_file(base, "")
        if not module:
            return None
        root = self.root_of(importer)
        for base in dict.fromkeys((root, os.path.join(root, "src"), package_base(importer))):
            found = _module_file(base, module)
            if found is not None:
                return found
        return None

    # -- summaries ------------------------------------------------------------------------------
    def text_of(self, path: str) -> str | None:
        if path not in self._texts:
            self._stamps[path] = _stamp(path)  # before reading: a later change is seen next time
            try:
                with open(path, "rb") as handle:
                    data = handle.read()
                self._digests[path] = hashlib.sha256(data).hexdigest()
                self._texts[path] = decode_source(data)
            except (OSError, SyntaxError, UnicodeDecodeError, LookupError):
                self._texts[path] = None
        return self._texts[path]

    def digest(self, path: str, fresh: bool = False) -> str:
        """The SHA-256 of the module's bytes as the index read them (``fresh``: as they are now);
        ``""`` for a file that cannot be read."""
        if fresh:
            self.forget(path)
        self.text_of(path)
        return self._digests.get(path, "")

    def stamp_of(self, path: str) -> tuple[int, int] | None:
        return self._stamps.get(path)

    def forget(self, path: str) -> None:
        """Read the module again when next asked (it changed on disk)."""
        for kept in (self._texts, self._digests, self._stamps, self._summaries):
            kept.pop(path, None)

    def summary(self, path: str) -> ModuleSummary | None:
        if path in self._summaries:
            return self._summaries[path]
        text = self.text_of(path)
        summary = None
        if text is not None:
            key = hashlib.sha256(f"{__version__}\0{self.settings!r}\0{path}\0{text}".encode("utf-8", "surrogatepass"))
            summary = self._load(key.hexdigest())
            if summary is None:
                summary = self._build(path, text)
                self.built += 1
                self._store(key.hexdigest(), summary)
            else:
                self.loaded += 1
        self._summaries[path] = summary
        return summary

    def _cache_file(self, key: str) -> str | None:
        return os.path.join(self.cache_dir, _SUMMARY_LAYOUT, key[:2], key + ".json") if self.cache_dir else None

    def _load(self, key: str) -> ModuleSummary | None:
        path = self._cache_file(key)
        if path is None:
            return None
        try:
            with open(path, encoding="utf-8") as handle:
                return ModuleSummary.from_json(json.load(handle))
        except (OSError, ValueError, TypeError, KeyError, IndexError):
            return None

    def _store(self, key: str, summary: ModuleSummary) -> None:
        path = self._cache_file(key)
        if path is None:
            return
        try:
            os.makedirs(os.path.dirname(path), exist_ok=True)
            temporary = f"{path}.{os.getpid()}.tmp"
            with open(temporary, "w", encoding="utf-8") as handle:
                json.dump(summary.to_json(), handle)
            os.replace(temporary, path)
        except OSError:
            pass  # a cache that cannot be written is only slower

    def _build(self, path: str, text: str) -> ModuleSummary:
        summary = ModuleSummary(path)
        try:
            tree = ast.parse(text, filename=path)
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            summary.parsed = False
            return summary
        walk = Walk(tree, {}, {})
        facts = FileFacts(walk, self.settings)
        try:
            for name, target in self._imports(tree, path):
                summary.exports[name] = target
                module_path = target.split("::", 1)[0]
                if module_path not in summary.imports and module_path != path:
                    summary.imports.append(module_path)
            module = walk.module
            for name, value in module.constants.items():
                summary.constants[name] = (literal(value), value.lineno)
            summary.apps = sorted(module.app_names)
            for stmt in tree.body:
                if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)):
                    found = _returned(stmt, walk, facts)
                    if found is not None:
                        summary.returns[stmt.name] = (found.kind.name, found.label, found.supplied, stmt.lineno)
                elif isinstance(stmt, ast.ClassDef):
                    config = config_class(stmt, summary.exports, path)
                    if config is not None:
                        summary.configs[stmt.name] = config
            summary.sessions = session_use(tree)
            summary.secures = sorted(secures(tree))
            for stmt in tree.body:
                found_map = config_map(stmt, summary, path)
                if found_map is not None:
                    summary.config_maps[found_map[0]] = found_map[1]
        finally:
            facts.release()
        return summary

    def _imports(self, tree: ast.Module, path: str) -> Iterator[tuple[str, str]]:
        """``(local name, "path::name" or "path")`` for each module-level import of a project module."""
        for stmt in tree.body:
            if isinstance(stmt, ast.Import):
                for alias in stmt.names:
                    target = self.resolve(alias.name, path, 0)
                    if target is not None:
                        yield alias.asname or alias.name, target
            elif isinstance(stmt, ast.ImportFrom):
                target = self.resolve(stmt.module or "", path, stmt.level)
                if target is None:
                    continue
                for alias in stmt.names:
                    if alias.name == "*":
                        continue
                    submodule = _submodule(target, alias.name)
                    yield alias.asname or alias.name, submodule or f"{target}::{alias.name}"

    # -- what a file imports ----------------------------------------------------------------------
    def brings(self, text: str, path: str) -> bool:
        """``text`` (the file at ``path``) imports, by its import lines, a constant, an app, a
        function with a known return or a configuration class from its project: the rules must look
        at it even when its own words pass none of their prefilters."""
        if "import" not in text:
            return False
        importer = os.path.abspath(path)
        for found in _IMPORT_TEXT.finditer(text):
            module, names, plain = found.group(1), found.group(2), found.group(3)
            if plain is not None:
                target = self.resolve(plain, importer, 0)
                summary = self.summary(target) if target is not None else None
                if summary is not None and summary.returns:
                    return True
                continue
            level = len(module) - len(module.lstrip("."))
            target = self.resolve(module.lstrip("."), importer, level)
            if target is None:
                continue
            summary = self.summary(target)
            if summary is None:
                continue
            for name in re.findall(r"[A-Za-z_]\w*(?:\s+as\s+\w+)?", names.strip("()")):
                name = name.split()[0]
                submodule = _submodule(target, name)
                if submodule is not None:
                    inner = self.summary(submodule)
                    if inner is not None and inner.returns:
                        return True
                elif summary.carries(name):
                    return True
        return False

    def imported(self, tree: ast.Module, path: str) -> ImportedFacts:
        """The facts ``tree`` (the file at ``path``) imports from its project."""
        facts = ImportedFacts(index=self, path=os.path.abspath(path))
        for stmt in tree.body:
            if isinstance(stmt, ast.Import):
                for alias in stmt.names:
                    target = self.resolve(alias.name, facts.path, 0)
                    if target is not None:
                        facts.modules.append(target)
                        self._bring_module(facts, alias.asname or alias.name, target)
            elif isinstance(stmt, ast.ImportFrom):
                target = self.resolve(stmt.module or "", facts.path, stmt.level)
                if target is None:
                    continue
                facts.modules.append(target)
                for alias in stmt.names:
                    local = alias.asname or alias.name
                    submodule = _submodule(target, alias.name)
                    if submodule is not None:
                        facts.modules.append(submodule)
                        self._bring_module(facts, local, submodule)
                    elif alias.name != "*":
                        self._bring_name(facts, local, target, alias.name, alias)
        return facts

    def _bring_module(self, facts: ImportedFacts, local: str, target: str) -> None:
        summary = self.summary(target)
        if summary is None:
            return
        facts.dependencies.add(target)
        facts.names[local] = target
        for name, (kind, label, supplied, line) in summary.returns.items():
            facts.returns[f"{local}.{name}"] = Value(Kind[kind], label, supplied)
            facts.origins[f"{local}.{name}"] = (target, line)

    def _bring_name(self, facts: ImportedFacts, local: str, target: str, name: str, alias: ast.alias,
                    depth: int = 0) -> None:
        summary = self.summary(target)
        if summary is None or depth > 8:
            return
        facts.dependencies.add(target)
        facts.names[local] = f"{target}::{name}"
        if name in summary.config_maps:
            facts.config_maps[local] = summary.config_maps[name]
        if name in summary.exports and name not in summary.constants and name not in summary.returns:
            # re-exported (``from .settings import DECODE_OPTIONS`` in a package's __init__)
            further = summary.exports[name]
            if "::" in further:
                module, _, inner = further.partition("::")
                self._bring_name(facts, local, module, inner, alias, depth + 1)
            return
        if name in summary.constants:
            literal, line = summary.constants[name]
            if literal is not None:
                facts.constants[local] = _placed(literal, alias, (target, line))
            facts.origins[local] = (target, line)
        if name in summary.apps:
            facts.apps.add(local)
        if name in summary.returns:
            kind, label, supplied, line = summary.returns[name]
            facts.returns[local] = Value(Kind[kind], label, supplied)
            facts.origins[local] = (target, line)
        if name in summary.configs:
            facts.configs[local] = summary.configs[name]
            facts.origins[local] = (target, summary.configs[name].line)

    def extend_closure(self, closure: Closure, modules: list[str], dependencies: set[str], path: str | None) -> None:
        """Add to ``closure`` what ``modules`` and the project modules they import use and name."""
        seen = {path}
        pending = list(modules)
        while pending and len(seen) < _MAX_CLOSURE:
            module = pending.pop(0)
            if module in seen:
                continue
            seen.add(module)
            found = self.summary(module)
            if found is None:
                continue
            dependencies.add(module)
            for user in found.sessions:
                closure.sessions.setdefault(user, os.path.basename(module))
            closure.secures.update(found.secures)
            pending.extend(found.imports)


def _stamp(path: str) -> tuple[int, int] | None:
    try:
        status = os.stat(path)
    except OSError:
        return None
    return status.st_mtime_ns, status.st_size


def _module_file(base: str, module: str) -> str | None:
    folder = os.path.join(base, *module.split(".")) if module else base
    for candidate in (folder + ".py", os.path.join(folder, "__init__.py")) if module else (
            os.path.join(folder, "__init__.py"),):
        if _is_file(candidate):
            return os.path.abspath(candidate)
    return None


def _submodule(target: str, name: str) -> str | None:
    """``from package import views``: the submodule's file when ``target`` is a package's ``__init__``."""
    if os.path.basename(target) != "__init__.py":
        return None
    return _module_file(os.path.dirname(target), name)



def _placed(literal: str, alias: ast.alias, origin: tuple[str, int]) -> ast.expr:
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


def _returned(function: ast.FunctionDef | ast.AsyncFunctionDef, walk: Walk, facts: FileFacts) -> Value | None:
    scope = walk.scopes.get(function)
    if scope is None:
        return None
    ctx = Context(facts, scope)
    for returned in scope.facts.returns:
        if returned.value is not None:
            found = ctx.value_of(returned.value)
            if found is not None:
                return found
    return None







