"""The project index: what each module of the project exports to the modules that import it.

A file is still checked alone, but the names it imports from its own project are no longer
unknown. For each project module a file imports (found from the file's folder: the project root,
its ``src/`` layout, and the folder above the file's top package), a small summary is made once and
kept by the module's content hash, in memory and in the cache folder when there is one:

- its literal constants (``DECODE_OPTIONS = {"verify_signature": False}``), with their lines;
- the names that hold a Flask app;
- what each of its functions returns, in the value analysis' words (the Authorization header, a
  token cut from it, a request value);
- what each function hands its parameters to (``verify=``, a log) and whose Bearer scheme it checks;
- which parameters each function or method (``Class.method``) proves equal to a secret when it
  returns true, and which it verifies as a token with an age bound (per literal a caller may pass);
- its configuration classes and the settings each sets (bases included), and whether it configures Flask.

What an app's modules use (sessions, login, cookie-securing settings: FTL405) is read from their
text alone.

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
from collections import Counter
from typing import Iterator

from flask_token_lint import __version__
from flask_token_lint.cache import engine_fingerprint
from flask_token_lint.cache import mark as mark_cache
from flask_token_lint.cache import stamp as _stamp
from flask_token_lint.context import Context, FileFacts
from flask_token_lint.files import SKIPPED_DIRECTORIES, Excluder, PathPatterns
from flask_token_lint.summaries import Forward
from flask_token_lint.kinds import HTTP_CLIENT_MODULES, HTTP_METHODS, Value
from flask_token_lint.links import HOST_PARAMETER, host_parameters
from flask_token_lint.module_facts import ModuleFacts
from flask_token_lint.paths import scenario_key, scenarios, signature
from flask_token_lint.project_facts import (
    Closure, ImportedFacts, ModuleSummary, config_class, config_map, configures, literal, origin_lists, secures,
    session_use,
)
from flask_token_lint.settings import Settings
from flask_token_lint.source import decode_source
from flask_token_lint.verification import bounded_parameters, verified_parameters
from flask_token_lint.walk import Walk

_MARKERS = ("pyproject.toml", "setup.cfg", "setup.py", "tox.ini", ".flake8", ".git")
_SUMMARY_LAYOUT = "index-v8"
# Words without which no function hands a parameter to ``verify=`` or to a log, or builds a link from it.
_FORWARD_WORDS = re.compile(r"verify|ssl|log|print|warn|debug|info|error|echo|write")
# A function that may build a link carrying a token from a parameter (``links.host_parameters``): a
# parameter named for a host or base URL in its signature, a token-like word and built text in its body.
_SIGNATURE = re.compile(r"def[ \t]+\w+[ \t]*\(([^)]*)\)")
_TOKEN_WORDS = re.compile(r"token|code|key|secret|passw|otp|reset|confirm|invit|magic", re.IGNORECASE)
_BUILT_TEXT = re.compile(r"format\(|\bf[\"']|%|\+")


def _links(body: str) -> bool:
    signature = _SIGNATURE.search(body)
    return signature is not None and HOST_PARAMETER.search(signature.group(1)) is not None \
        and _TOKEN_WORDS.search(body) is not None and _BUILT_TEXT.search(body) is not None


# Words without which no function or method verifies a value it is given (``verification.py``).
_VERIFY_WORDS = re.compile(r"max_age|compare_digest|check_password|checkpw|passlib")
_CLASS_HEAD = re.compile(r"^class[ \t]+([A-Za-z_]\w*)")
_METHOD_HEAD = re.compile(r"^[ \t]+(?:async[ \t]+)?def[ \t]+([A-Za-z_]\w*)", re.MULTILINE)
# Words without which no function checks the scheme of a header it is given.
_SCHEME_WORDS = re.compile(r"bearer|scheme|startswith|split|partition", re.IGNORECASE)
# A body that may hand a parameter to ``verify=`` or to a log (for the text interface).
_HANDING = re.compile(r"\b(?:verify|ssl|verify_ssl)\s*=\s*[A-Za-z_]|\b(?:log|logger|logging|print|warnings)\b")
# Words without which no function of a module returns a credential by where it comes from.
_SOURCE_WORDS = re.compile(r"request|authoriz|token|environ|session|secret|passw|api_?key|jwt|credential|getenv",
                           re.IGNORECASE)
# Top-level lines that may give a name a fact: a literal or an app assigned at column 0, a function,
# a name re-exported from another module.
_LITERAL_HEAD = re.compile(
    r"^([A-Za-z][A-Za-z0-9_]*|_[A-Za-z0-9][A-Za-z0-9_]*)[ \t]*(?::[^=\n]*)?=[ \t]*"
    r"(?:[\"'\[{(]|[rbfu]+[\"']|0\b|True\b|False\b|None\b|Flask\()",
    re.MULTILINE,
)
_ASSIGNED = re.compile(r"^[ \t]*([A-Za-z_]\w*)[ \t]*(?::[^=\n]*)?[-+*/|&%@^]?=(?!=)", re.MULTILINE)
_BOUND_OTHERWISE = re.compile(r"\b(?:for|global|nonlocal|as)[ \t]+([A-Za-z_]\w*)")
_IMPORTS = " imports"  # the key of a module's import lines among its heads (never a name)
# Files ``mentions`` reads (Python and configuration), how many at most, and how large each.
_CONFIG_SUFFIXES = (".py", ".cfg", ".ini", ".toml", ".env", ".yaml", ".yml", ".json", ".conf")
_MENTION_LIMIT = 20000
_MENTION_SIZE = 2_000_000
_FUNCTION_HEAD = re.compile(r"^(?:async[ \t]+)?def[ \t]+([A-Za-z_]\w*)", re.MULTILINE)
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
        self._head_cache: dict[str, dict[str, str]] = {}
        self._head_digests: dict[str, str] = {}
        # The modules whose text interface (``_heads``) was read since the engine began the current
        # file: its results hold while those interfaces are unchanged.
        self.interface_read: set[str] = set()
        self._resolved: dict[tuple[str, str, int], str | None] = {}
        self._literal_heads: dict[str, dict[str, tuple[str, int]]] = {}
        self._closures: dict[str, tuple[list[str], set[str]] | None] = {}
        self._mentions: dict[tuple[str, str, str], tuple[object, list[str]]] = {}  # project-wide answers
        self._submodules: dict[tuple[str, str], str | None] = {}
        self._bases: dict[str, str] = {}
        self._import_lines: dict[str, list[re.Match[str]]] = {}
        self._digests: dict[str, str] = {}
        self._stamps: dict[str, tuple[int, int] | None] = {}
        self._roots: dict[str, str] = {}
        self.built = 0  # summaries made (not read from the cache) in this process

    # -- where modules are --------------------------------------------------------------------
    def root_of(self, path: str) -> str:
        folder = os.path.dirname(os.path.abspath(path))
        root = self._roots.get(folder)
        if root is None:
            root = self._roots[folder] = project_root(path)
        return root

    def resolve(self, module: str, importer: str, level: int) -> str | None:
        """The file of the project module ``module`` as ``importer`` imports it, else None (kept per
        importing folder)."""
        key = (os.path.dirname(importer), module, level)
        if key not in self._resolved:
            self._resolved[key] = self._resolve(module, importer, level)
        return self._resolved[key]

    def _resolve(self, module: str, importer: str, level: int) -> str | None:
        if level:
            base = os.path.dirname(os.path.abspath(importer))
            for _ in range(level - 1):
                base = os.path.dirname(base)
            return _module_file(base, module) if module else _module_file(base, "")
        if not module:
            return None
        root = self.root_of(importer)
        folder = os.path.dirname(importer)
        below = self._bases.get(folder)
        if below is None:
            below = self._bases[folder] = package_base(importer)
        for base in dict.fromkeys((root, os.path.join(root, "src"), below)):
            found = _module_file(base, module)
            if found is not None:
                return found
        return None

    def _submodule(self, target: str, name: str) -> str | None:
        """``from package import views``: the submodule's file (kept per package and name)."""
        key = (target, name)
        if key not in self._submodules:
            self._submodules[key] = _submodule(target, name)
        return self._submodules[key]

    # -- summaries ------------------------------------------------------------------------------
    def text_of(self, path: str) -> str | None:
        """A project module's text (its digest noted: a result that read it depends on all of it)."""
        return self._read(path)

    def _read(self, path: str, digest: bool = True) -> str | None:
        """The module's text, noting (with ``digest``) its digest and its stamp, taken before
        reading: a change made while it is read is seen next time. Texts are not kept: summaries are."""
        self._stamps[path] = _stamp(path)
        try:
            with open(path, "rb") as handle:
                data = handle.read()
        except OSError:
            if digest:
                self._digests[path] = ""
            return None
        if digest:
            self._digests[path] = hashlib.sha256(data).hexdigest()
        try:
            return decode_source(data)
        except (SyntaxError, UnicodeDecodeError, LookupError):
            return None

    def _heads(self, path: str) -> dict[str, str]:
        """Cheaply, from the text: the module's top-level names that may carry a fact, each with the
        text a prefilter should read for it: a literal or an app assigned at column 0 (its lines),
        a function that mentions a credential source and returns (the module's import lines and
        its body), a name it re-exports (the import line, followed when asked)."""
        self.interface_read.add(path)
        found = self._head_cache.get(path)
        if found is not None:
            return found
        found = {}
        text = self._read(path, digest=False) or ""
        imports: list[str] = []
        literals: dict[str, tuple[str, int] | None] = {}
        for line_number, block in _top_level_blocks(text):
            first = block[0]
            if first.startswith(("import ", "from ")):
                imports.append("\n".join(block))
                imported = _IMPORT_TEXT.match("\n".join(block))
                if imported is not None and imported.group(2) is not None:  # re-exports
                    for _, local in _imported_names(imported.group(2)):
                        found.setdefault(local, "")
                continue
            literal_head = _LITERAL_HEAD.match(first)
            if literal_head is not None:
                name = literal_head.group(1)
                found[name] = "\n".join(block)
                literals[name] = None if name in literals else (found[name], line_number)
                continue
            function = _FUNCTION_HEAD.match(first)
            if function is not None:
                body = "\n".join(block)
                if ("return" in body and _SOURCE_WORDS.search(body)) or _HANDING.search(body) \
                        or re.search(r"bearer", body, re.IGNORECASE) or _VERIFY_WORDS.search(body) \
                        or _links(body):
                    found[function.group(1)] = body  # it may return a credential, hand one on, verify one
                continue
            cls = _CLASS_HEAD.match(first)
            if cls is not None:
                body = "\n".join(block)
                if _VERIFY_WORDS.search(body):  # a method may verify what it is given
                    for method in _METHOD_HEAD.findall(body):
                        found[f"{cls.group(1)}.{method}"] = body
        if imports and any(lines and not _LITERAL_HEAD.match(lines) for lines in found.values()):
            found[_IMPORTS] = "\n".join(imports)  # read with any of its functions (once per module)
        self._head_cache[path] = found
        # A literal assigned once at column 0 and bound nowhere else (no other ``NAME =``, ``NAME +=``,
        # ``for NAME``, ``global NAME``, ``as NAME``) is a constant read from its own lines, without a parse.
        if literals:
            bound = Counter(_ASSIGNED.findall(text))
            bound.update(_BOUND_OTHERWISE.findall(text))
            self._literal_heads[path] = {
                name: head for name, head in literals.items() if head is not None and bound[name] == 1
            }
        # The digest covers which literals are constants too: a second binding far below changes it.
        shown = [sorted(found.items()), sorted(self._literal_heads.get(path, {}))]
        self._head_digests[path] = hashlib.sha256(json.dumps(shown).encode("utf-8", "surrogatepass")).hexdigest()
        return found

    def heads_digest(self, path: str, fresh: bool = False) -> str:
        """A digest of what the module's text shows importers (``_heads``): a change elsewhere in the
        module (a comment, a function body that touches no credential) leaves it unchanged, and so
        the results of the files that only read that much."""
        if fresh:
            self.forget(path)
        self._heads(path)
        return self._head_digests.get(path, "")

    def literal_head(self, module: str, name: str) -> tuple[str, int] | None:
        """``(source, line)`` of the literal the module binds ``name`` to once, at column 0, from its
        text (None when it is no such literal: the summary, which parses the module, decides)."""
        self._heads(module)
        head = self._literal_heads.get(module, {}).get(name)
        if head is None:
            return None
        try:
            statement = ast.parse(head[0]).body
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            return None
        if len(statement) != 1 or not isinstance(statement[0], (ast.Assign, ast.AnnAssign)) or statement[0].value is None:
            return None
        source = literal(statement[0].value)
        return (source, head[1]) if source is not None else None

    def _imports_of(self, module: str) -> list[re.Match[str]]:
        """The import lines of a module's text (kept)."""
        found = self._import_lines.get(module)
        if found is None:
            found = self._import_lines[module] = list(_IMPORT_TEXT.finditer(self._read(module, digest=False) or ""))
        return found

    def head_text(self, module: str, name: str) -> str | None:
        """The lines the module's text shows importers for ``name`` ("" for a re-export), or None."""
        return self._heads(module).get(name)

    def may_carry(self, module: str, name: str, depth: int = 0) -> bool:
        """The module's text shows ``name`` may carry a fact (see ``_heads``), following a name it
        re-exports to the module it comes from."""
        heads = self._heads(module)
        owner, dot, member = name.partition(".")
        if dot and name not in heads and heads.get(owner) == "" and depth <= 8:
            found = self._reexport(module, owner)  # a class re-exported by a package's ``__init__``
            return found is not None and self.may_carry(found[0], f"{found[1]}.{member}", depth + 1)
        if name not in heads:
            return False
        if heads[name] or depth > 8:
            return True
        found = self._reexport(module, name)
        if found is None:
            return False
        target, spelled = found
        if self._submodule(target, spelled) is not None:
            return False  # a module, not a value
        return self.may_carry(target, spelled, depth + 1)

    def _reexport(self, module: str, name: str) -> tuple[str, str] | None:
        """The module a name ``module`` imports (and so re-exports) comes from, and its name there."""
        for found in self._imports_of(module):
            names = found.group(2)
            if names is None or not re.search(rf"\b{re.escape(name)}\b", names):
                continue
            for target, _ in self.import_targets(found.group(0), module):
                for spelled, local in _imported_names(names):
                    if local == name:
                        return target, spelled
        return None

    def digest(self, path: str, fresh: bool = False) -> str:
        """The SHA-256 of the module's bytes as the index read them (``fresh``: as they are now);
        ``""`` for a file that cannot be read."""
        if fresh:
            self.forget(path)
        if path not in self._digests:
            self._read(path)
        return self._digests.get(path, "")

    def stamp_of(self, path: str) -> tuple[int, int] | None:
        return self._stamps.get(path)

    def forget(self, path: str) -> None:
        """Read the module again when next asked (it changed on disk)."""
        for kept in (self._digests, self._stamps, self._summaries, self._head_cache, self._literal_heads, self._closures,
                     self._import_lines, self._head_digests):
            kept.pop(path, None)
        self._mentions.clear()  # any file may come to name what a project-wide question looks for

    def summary(self, path: str) -> ModuleSummary | None:
        if path in self._summaries:
            return self._summaries[path]
        text = self._read(path)
        summary = None
        if text is not None:
            # Keyed by the engine's own code too: a new engine under the same version summarises anew.
            key = hashlib.sha256(f"{__version__}\0{engine_fingerprint()}\0{self.settings!r}\0{path}\0{text}"
                                 .encode("utf-8", "surrogatepass"))
            summary = self._load(key.hexdigest())
            if summary is None:
                summary = self._build(path, text)
                self.built += 1
                self._store(key.hexdigest(), summary)
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
            mark_cache(os.path.dirname(self.cache_dir))  # type: ignore[arg-type]
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
            return summary  # a module that does not parse brings nothing
        # The value analysis runs only for a module that mentions a credential source: no other
        # module's functions can return one.
        lines = text.split("\n")
        functions = [stmt for stmt in tree.body if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef))]
        bodies = {id(stmt): "\n".join(lines[stmt.lineno - 1 : stmt.end_lineno]) for stmt in functions}
        returning = [stmt for stmt in functions if _SOURCE_WORDS.search(bodies[id(stmt)])]
        linking = {id(stmt) for stmt in functions if stmt.args.args and _links(bodies[id(stmt)])}
        handing = [stmt for stmt in functions
                   if stmt.args.args and (_FORWARD_WORDS.search(bodies[id(stmt)]) or id(stmt) in linking)]
        checking = [stmt for stmt in functions if stmt.args.args and _SCHEME_WORDS.search(bodies[id(stmt)])]
        verifying = [(name, stmt) for name, stmt in _definitions(tree) if _VERIFY_WORDS.search(
            "\n".join(lines[stmt.lineno - 1 : stmt.end_lineno]))]
        walk = Walk(tree, {}, {}) if returning or handing or checking or verifying else None
        facts = FileFacts(walk, self.settings) if walk is not None else None
        try:
            for name, target in self._imports(tree, path):
                summary.exports[name] = target
            module = walk.module if walk is not None else ModuleFacts(tree)
            for name, value in module.constants.items():
                summary.constants[name] = (literal(value), value.lineno)
            summary.apps = sorted(
                target.id
                for stmt in tree.body if isinstance(stmt, ast.Assign) and module.creates_app(stmt.value)
                for target in stmt.targets if isinstance(target, ast.Name)
            )
            for stmt in returning:
                found = _returned(stmt, walk, facts) if walk is not None and facts is not None else None
                if found is not None:
                    summary.returns[stmt.name] = (found.kind.name, found.label, found.supplied, stmt.lineno)
            for stmt in handing:
                handed = _handed(stmt, walk, facts, id(stmt) in linking) if walk is not None and facts is not None else []
                if handed:
                    summary.forwards[stmt.name] = handed
                    summary.parameters[stmt.name] = [a.arg for a in (*stmt.args.posonlyargs, *stmt.args.args)]
                    summary.lines[stmt.name] = stmt.lineno
            for stmt in checking:
                checks = _scheme_checks(stmt, walk, facts) if walk is not None and facts is not None else {}
                if checks:
                    summary.checks[stmt.name] = checks
                    summary.parameters[stmt.name] = [a.arg for a in (*stmt.args.posonlyargs, *stmt.args.args)]
                    summary.lines[stmt.name] = stmt.lineno
            for name, stmt in verifying:
                if walk is not None and facts is not None:
                    _verifications(name, stmt, walk, facts, summary)
            for stmt in tree.body:
                if isinstance(stmt, ast.ClassDef):
                    config = config_class(stmt, summary.exports, path)
                    if config is not None:
                        summary.configs[stmt.name] = config
            summary.configures = configures(text)
            for stmt in tree.body:
                found_map = config_map(stmt, summary, path)
                if found_map is not None:
                    summary.config_maps[found_map[0]] = found_map[1]
        finally:
            if facts is not None:
                facts.release()
        return summary

    def _bindings(self, statements: list[ast.stmt], path: str) -> Iterator[tuple[ast.alias, str, str | None]]:
        """For each name the import statements bind from a project module: its alias, what it names
        (``"path::name"``, or a module's path), and the module the statement imports from (None for
        ``import a.b``, which names the module itself)."""
        for stmt in statements:
            if isinstance(stmt, ast.Import):
                for alias in stmt.names:
                    target = self.resolve(alias.name, path, 0)
                    if target is not None:
                        yield alias, target, None
            elif isinstance(stmt, ast.ImportFrom):
                target = self.resolve(stmt.module or "", path, stmt.level)
                for alias in stmt.names if target is not None else ():
                    if alias.name != "*":
                        yield alias, self._submodule(target, alias.name) or f"{target}::{alias.name}", target

    def _imports(self, tree: ast.Module, path: str) -> Iterator[tuple[str, str]]:
        """``(local name, "path::name" or "path")`` for each module-level import of a project module."""
        for alias, named, _ in self._bindings(tree.body, path):
            yield alias.asname or alias.name, named

    # -- what a file imports ----------------------------------------------------------------------
    def import_targets(self, text: str, path: str) -> Iterator[tuple[str, list[str] | None]]:
        """For each import line of ``text`` (the file at ``path``) that names a project module: the
        module's file, and the names imported from it (None for ``import a.b``)."""
        importer = os.path.abspath(path)
        for found in _IMPORT_TEXT.finditer(text):
            module, names, plain = found.group(1), found.group(2), found.group(3)
            if plain is not None:
                target = self.resolve(plain, importer, 0)
                if target is not None:
                    yield target, None
                continue
            level = len(module) - len(module.lstrip("."))
            target = self.resolve(module.lstrip("."), importer, level)
            if target is not None:
                yield target, [name for name, _ in _imported_names(names)]

    def brings(self, text: str, path: str, depth: int = 0) -> str:
        """The text the prefilter should read besides ``text`` (the file at ``path``) for what its
        import lines bring from its project: the lines that define each imported literal, app or
        credential-returning function (followed through re-exports), read without parsing; ``""``
        when the imports bring nothing."""
        if "import" not in text or depth > 3:
            return ""
        brought: list[str] = []
        for target, names in self.import_targets(text, path):
            if names is None:
                brought.extend(self._heads(target).values())
            for name in names or ():
                brought.extend(self._brought(target, name, depth))
        return "\n".join(b for b in brought if b)

    def _brought(self, module: str, name: str, depth: int) -> list[str]:
        """The text importing ``name`` from ``module`` brings: a submodule's heads, the name's own
        lines (with the module's import lines for a function), or, for a name the module re-exports,
        what it brings from the module it comes from."""
        submodule = self._submodule(module, name)
        if submodule is not None:
            return list(self._heads(submodule).values())
        heads = self._heads(module)
        if name not in heads or name == _IMPORTS:
            return []
        lines = heads[name]
        if not lines:  # re-exported
            found = self._reexport(module, name) if depth <= 3 else None
            return [] if found is None else self._brought(found[0], found[1], depth + 1)
        return [lines] if _LITERAL_HEAD.match(lines) else [lines, heads.get(_IMPORTS, "")]

    def imported(self, tree: ast.Module, path: str) -> ImportedFacts:
        """What ``tree`` (the file at ``path``) imports from its project: each imported name bound to
        the module (and name) it comes from. No module is summarised until a rule asks."""
        facts = ImportedFacts(index=self, path=os.path.abspath(path))
        for alias, named, source in self._bindings(tree.body, facts.path):
            local = alias.asname or alias.name
            facts.names[local] = named
            facts.places[local] = alias
            facts.modules.extend(m for m in (source, named) if m is not None and "::" not in m)
        return facts

    def nested_modules(self, tree: ast.Module, path: str) -> list[str]:
        """The project modules imported inside the module's functions (a factory's ``from .api import
        views``)."""
        nested = [n for n in ast.walk(tree) if isinstance(n, (ast.Import, ast.ImportFrom)) and n not in tree.body]
        return [m for _, named, source in self._bindings(nested, path) for m in (source, named)
                if m is not None and "::" not in m]

    def extend_closure(self, closure: Closure, modules: list[str], dependencies: set[str], path: str | None) -> None:
        """Add to ``closure`` what ``modules`` (the project modules the app's module imports, at
        any depth of its code) use and name. One level only: in a big project every module reaches
        every other through imports, and an app is made of what its own module brings in (its
        extensions, blueprints and views)."""
        for module in dict.fromkeys(modules):
            if module == path:
                continue
            found = self._closure_facts(module)
            if found is None:
                continue
            dependencies.add(module)
            sessions, secured = found
            for user in sessions:
                closure.sessions.setdefault(user, module)
            closure.secures.update(secured)

    def mentions(self, path: str, pattern: re.Pattern[str]) -> tuple[bool, list[str]]:
        """Whether any file of ``path``'s project (Python and configuration files: ``.cfg``, ``.ini``,
        ``.toml``, ``.env``, YAML, JSON; not test code, whose settings serve no deployment) matches
        ``pattern``, and the files the answer rests on (the one that matched, or every file read).
        A project too big to read (``_MENTION_LIMIT`` files) answers True: unknown is not "absent"."""
        def fold(found: bool, file: str, text: str) -> tuple[bool, bool]:
            hit = pattern.search(text) is not None
            return hit, hit  # the answer so far, and whether to stop
        answer, read = self._scan(path, ("mentions", pattern.pattern), False, fold, True)
        return answer, (read[-1:] if answer and read else read)

    def count(self, path: str, pattern: re.Pattern[str]) -> tuple[int, list[str]]:
        """How many times ``pattern`` matches in the Python files of ``path``'s project (test code
        aside), and the files read; a project too big to read counts as many."""
        def fold(total: int, file: str, text: str) -> tuple[int, bool]:
            return total + (len(pattern.findall(text)) if file.endswith(".py") else 0), False
        return self._scan(path, ("count", pattern.pattern), 0, fold, _MENTION_LIMIT)

    def origin_lists(self, path: str) -> tuple[list[list[str]], list[str]]:
        """The distinct lists of origins the project's files write (``CORS_ORIGINS = [...]``,
        ``"allowed_origins": (...)``, ``origins=[...]``: literal ``http(s)://host`` strings only), and
        the files read; none when the project is too big to read."""
        def fold(lists: list[list[str]], file: str, text: str) -> tuple[list[list[str]], bool]:
            return lists + [origins for origins in origin_lists(text) if origins not in lists], False
        return self._scan(path, ("origins", ""), [], fold, [])

    def _scan(self, path: str, question: tuple[str, str], start, fold, too_big):  # type: ignore[no-untyped-def]
        """One answer about the Python and configuration files of ``path``'s project, folded over
        their texts (test code and hidden folders left out) and kept per project root until a file
        changes; ``too_big`` once ``_MENTION_LIMIT`` files were read. Returns the answer and the
        files it read (a cached result's dependencies)."""
        root = self.root_of(path)
        key = (root, *question)
        if key not in self._mentions:
            answer, read = start, []
            tests = PathPatterns(self.settings.test_code_patterns, root)
            excluder = Excluder(SKIPPED_DIRECTORIES, root)
            for folder, folders, files in os.walk(root):
                folders[:] = sorted(f for f in folders if not f.startswith(".") and not tests.matches(os.path.join(folder, f))
                                    and not excluder.skips_directory(os.path.join(folder, f)))
                for name in sorted(files):
                    file = os.path.join(folder, name)
                    if not (name.endswith(_CONFIG_SUFFIXES) or name.startswith(".env")) or tests.matches(file):
                        continue
                    if len(read) >= _MENTION_LIMIT:
                        self._mentions[key] = (too_big, [])
                        return self._mentions[key]
                    text = self._read(file, digest=False) if name.endswith(".py") else _read_text(file)
                    if text is None:
                        continue
                    read.append(file)
                    answer, stop = fold(answer, file, text)
                    if stop:
                        self._mentions[key] = (answer, read)
                        return self._mentions[key]
            self._mentions[key] = (answer, read)
        return self._mentions[key]

    def _closure_facts(self, path: str) -> tuple[list[str], set[str]] | None:
        """From the module's text, without parsing: the session and login libraries it uses and the
        cookie-securing settings it names."""
        if path not in self._closures:
            text = self._read(path, digest=False)
            self._closures[path] = None if text is None else (session_use(text), secures(text))
        return self._closures[path]


def _read_text(path: str) -> str | None:
    """A configuration file's text, whatever its encoding (None when it cannot be read or is large)."""
    try:
        if os.path.getsize(path) > _MENTION_SIZE:
            return None
        with open(path, "rb") as handle:
            return handle.read().decode("utf-8", "replace")
    except OSError:
        return None


def _imported_names(names: str) -> list[tuple[str, str]]:
    """``(name, local name)`` for the names of a ``from ... import`` line (``a, b as c``, in brackets too)."""
    return [(m.group(1), m.group(2) or m.group(1))
            for m in re.finditer(r"([A-Za-z_]\w*)(?:\s+as\s+([A-Za-z_]\w*))?", names.strip("()"))]


def _top_level_blocks(text: str) -> Iterator[tuple[int, list[str]]]:
    """The module's lines grouped by top-level statement, each with its first line's number: a block
    starts at a line at column 0 that is no comment, decorator or closing bracket (a decorator
    starts the block of what it decorates; its lines are left out)."""
    block: list[str] = []
    start = 1
    decorated = False
    for number, line in enumerate(text.split("\n"), start=1):
        head = line[:1]
        if head and head not in " \t#)]}" and not decorated:
            if block:
                yield start, block
            block = []
            start = number
        if head == "@":
            decorated = True
            continue
        if decorated and head and head not in " \t#":
            decorated = False
        if decorated is False and not block:
            start = number
        stripped = line.strip()
        if stripped and not stripped.startswith("#"):  # blank and comment lines show importers nothing
            block.append(line)
    if block:
        yield start, block


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


def _scheme_checks(function: ast.FunctionDef | ast.AsyncFunctionDef, walk: Walk, facts: FileFacts) -> dict[str, str]:
    """The parameters whose Bearer scheme the function checks, as the guard analysis judges a
    module's own helpers: "exits" unless the check passes, or "returns" whether it does."""
    scope = walk.scopes.get(function)
    if scope is None:
        return {}
    found = {}
    for parameter in (a.arg for a in (*function.args.posonlyargs, *function.args.args)):
        check = facts.guards.parameter_check(function, scope, parameter)
        if check is not None:
            found[parameter] = check
    return found


def _handed(function: ast.FunctionDef | ast.AsyncFunctionDef, walk: Walk, facts: FileFacts,
            links: bool = False) -> list[list[str]]:
    """The function's parameters it hands, unchanged, to an HTTP client's ``verify=`` (``ssl=``) or
    writes to a log or stdout (in a call of its own body), and with ``links`` those that become the
    host of a link carrying a token."""
    scope = walk.scopes.get(function)
    if scope is None:
        return []
    parameters = {a.arg for a in (*function.args.posonlyargs, *function.args.args, *function.args.kwonlyargs)}
    parameters -= set(scope.facts.bindings)  # rebound inside: no longer what the caller passed
    handed: list[list[str]] = []
    ctx = Context(facts, scope)
    placeholders = {name: ast.Name(id=name, ctx=ast.Load()) for name in parameters}
    for call in scope.facts.calls:
        for keyword in call.keywords:
            if keyword.arg in ("verify", "ssl", "verify_ssl") and isinstance(keyword.value, ast.Name) \
                    and keyword.value.id in parameters and _is_client_call(call, ctx):
                handed.append([keyword.value.id, "verify"])
        if ctx.is_output_call(call):
            forward = Forward(call, scope, placeholders)
            for argument in ctx.written_arguments(call):
                for site in forward.written_sites(argument):
                    handed.append([site.id, "log"])  # type: ignore[attr-defined]
    for parameter in host_parameters(function, ctx) if links else ():
        handed.append([parameter, "link"])  # the host of a link carrying a token (FTL205)
    return [list(pair) for pair in dict.fromkeys(map(tuple, handed))]


def _definitions(tree: ast.Module) -> Iterator[tuple[str, ast.FunctionDef | ast.AsyncFunctionDef]]:
    """The module's top-level functions and the methods of its top-level classes (``Class.method``)."""
    for stmt in tree.body:
        if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)):
            yield stmt.name, stmt
        elif isinstance(stmt, ast.ClassDef):
            for member in stmt.body:
                if isinstance(member, (ast.FunctionDef, ast.AsyncFunctionDef)):
                    yield f"{stmt.name}.{member.name}", member


def _verifications(name: str, function: ast.FunctionDef | ast.AsyncFunctionDef, walk: Walk, facts: FileFacts,
                   summary: ModuleSummary) -> None:
    """What the function proves of its parameters when it returns true, and which it verifies as a
    token with an age bound under each literal a caller may pass (``paths.scenarios``)."""
    scope = walk.scopes.get(function)
    if scope is None:
        return
    proved = verified_parameters(function, scope, facts.values)
    bounded: dict[str, list[str]] = {}
    for known in scenarios(function):
        for parameter in bounded_parameters(function, known):
            bounded.setdefault(parameter, []).append(scenario_key(known))
    if not (proved or bounded):
        return
    if proved:
        summary.verifies[name] = proved
    if bounded:
        summary.bounded[name] = bounded
    positional, keyword_only, defaults = signature(function)
    summary.parameters[name] = positional
    summary.keyword_only[name] = keyword_only
    summary.defaults[name] = {k: v for k, v in defaults.items() if isinstance(v, (str, int, float, bool, type(None)))}
    summary.binds_first[name] = _binding(function, "." in name)
    summary.lines[name] = function.lineno


def _binding(function: ast.FunctionDef | ast.AsyncFunctionDef, method: bool) -> str:
    """How a call binds the first parameter: never (a function or ``staticmethod``), always (a
    ``classmethod``), or when called on an instance (a plain method)."""
    names = {d.id if isinstance(d, ast.Name) else getattr(d, "attr", None) for d in function.decorator_list}
    if not method or "staticmethod" in names:
        return "never"
    return "always" if "classmethod" in names else "instance"


def _is_client_call(call: ast.Call, ctx: Context) -> bool:
    """A request through requests, httpx, aiohttp or urllib3, or a client's verb method."""
    qualname = ctx.qualname(call.func) or ""
    if qualname.startswith((*HTTP_CLIENT_MODULES, "aiohttp.")):
        return True
    return isinstance(call.func, ast.Attribute) and call.func.attr in HTTP_METHODS | {"send", "stream"}


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
