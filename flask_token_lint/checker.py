"""The command line's arguments, and the ``Checker`` they make: the configuration found for the
paths, the selected rules and options, the engine, excludes, test code, per-file ignores, ``# noqa``
and the results cache. ``check`` and the language server decide what to report through it.
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn, Sequence

from flask_token_lint import __version__
from flask_token_lint import cache as cache_files
from flask_token_lint.cache import DEFAULT_DIRECTORY, Cache
from flask_token_lint.config import Config, find_config, read_config
from flask_token_lint.files import SKIPPED_DIRECTORIES, Excluder, PathPatterns
from flask_token_lint.finding import Finding
from flask_token_lint.noqa import NoqaFilter, skips_file
from flask_token_lint.registry import all_rules
from flask_token_lint.report import FORMATS
from flask_token_lint.selection import selected_codes, split_codes
from flask_token_lint.settings import ALL_OPTIONS, ConfigError
from flask_token_lint.source import decode_source

if TYPE_CHECKING:
    from flask_token_lint.engine import Engine, Parse


EXIT_CLEAN, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2
_INTERFACE = "interface:"  # a dependency of which only the text interface was read (``heads_digest``)


class _Parser(argparse.ArgumentParser):
    """argparse, but a usage error is one line (``flask-token-lint: error: ...``) and exit 2."""

    def error(self, message: str) -> NoReturn:
        self.exit(EXIT_ERROR, f"flask-token-lint: error: {message} (see '{self.prog} --help')\n")


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="flask-token-lint",
        description="Find the ways Flask code mishandles Bearer tokens.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    check = commands.add_parser("check", help="check files and directories")
    check.add_argument(
        "paths", nargs="*", metavar="PATH", help="files or directories to check (default: .); - reads standard input"
    )
    selection = check.add_argument_group("selection (comma-separated code prefixes, as in flake8)")
    selection.add_argument("--select", metavar="CODES", help="report only codes starting with these prefixes")
    selection.add_argument("--ignore", metavar="CODES", help="do not report codes starting with these prefixes")
    selection.add_argument("--extend-select", metavar="CODES", help="add to the selected prefixes")
    selection.add_argument("--extend-ignore", metavar="CODES", help="add to the ignored prefixes")
    selection.add_argument(
        "--per-file-ignores", metavar="PATTERN:CODES", action="append",
        help="ignore codes in matching files, as flake8 writes it: 'tests/*:FTL107,FTL5 scripts/*:FTL3' "
        "(added to the file's table; may be repeated)",
    )
    files = check.add_argument_group("files")
    files.add_argument(
        "--exclude", metavar="PATTERNS", help="comma-separated patterns to skip, replacing the default list"
    )
    files.add_argument(
        "--extend-exclude", metavar="PATTERNS", help="comma-separated patterns to skip, added to the list"
    )
    files.add_argument(
        "--force-exclude", action="store_true",
        help="apply exclude and extend-exclude to paths named on the command line too (the pre-commit hooks do)",
    )
    files.add_argument(
        "--stdin-filename", metavar="NAME",
        help="with PATH -, the file name standard input stands for (configuration, per-file-ignores, output)",
    )
    output = check.add_argument_group("output")
    output.add_argument("--format", choices=sorted(FORMATS), default="text", help="output format (default: text)")
    output.add_argument(
        "--output-file", metavar="FILE", help="write the report to FILE instead of stdout (missing folders are created)"
    )
    output.add_argument("--show-source", action="store_true", help="show each flagged line with a caret")
    output.add_argument(
        "--explain-flow", "--show-flow", dest="explain_flow", action="store_true",
        help="under a finding that crossed modules, show the modules and lines that led to it "
        "(JSON and SARIF always carry them)",
    )
    output.add_argument(
        "--statistics", action="store_true", help="end with the number of findings per code, and the cache's size"
    )
    output.add_argument("-q", "--quiet", action="store_true", help="no summary line or progress, only the findings")
    output.add_argument("--exit-zero", action="store_true", help="exit 0 even when there are findings")
    fixing = check.add_argument_group("fixes")
    fixing.add_argument("--fix", action="store_true", help="apply the safe fixes to the files")
    fixing.add_argument("--unsafe-fixes", action="store_true", help="with --fix or --diff, apply the unsafe fixes too")
    fixing.add_argument("--diff", action="store_true", help="print the fixes as a unified diff; write nothing")
    fixing.add_argument(
        "--fix-baselined", action="store_true",
        help="with --baseline, fix the findings it records too (their entries leave the baseline)",
    )
    speed = check.add_argument_group("speed")
    speed.add_argument("-j", "--jobs", type=int, default=None, help="processes to use (default: one per CPU)")
    speed.add_argument("--no-cache", action="store_true", help="check every file, ignoring earlier results")
    speed.add_argument(
        "--no-project", action="store_true",
        help="check each file alone: constants, apps, helpers and configurations it imports from its own "
        "project stay unknown (by default the project index reads them)",
    )
    speed.add_argument(
        "--cache-dir", default=None, metavar="DIR",
        help=f"where results are kept (default: {DEFAULT_DIRECTORY} in the project root: the folder of the "
        "pyproject.toml read, else the current directory)",
    )
    baseline = check.add_argument_group("baseline")
    baseline.add_argument("--write-baseline", metavar="FILE", help="record the current findings in FILE")
    baseline.add_argument("--baseline", metavar="FILE", help="report only findings not recorded in FILE")
    configuration = check.add_argument_group("configuration (defaults from [tool.flask-token-lint] in pyproject.toml)")
    configuration.add_argument("--config", metavar="PYPROJECT", help="read this pyproject.toml instead of searching")
    configuration.add_argument("--isolated", action="store_true", help="ignore pyproject.toml")
    for option in ALL_OPTIONS:
        kinds: dict[str, dict[str, Any]] = {
            "choice": {"choices": option.choices}, "int": {"type": int}, "list": {"metavar": option.metavar or "NAMES"}
        }
        kind = kinds[option.kind]
        configuration.add_argument(f"--{option.name}", default=None, help=f"{option.help}", **kind)
    commands.add_parser(
        "server", help="run the language server over stdin and stdout (needs the [server] extra: pygls)"
    )
    commands.add_parser("rules", help="list the rules")
    explain = commands.add_parser("explain", help="show a rule's documentation")
    explain.add_argument("code", metavar="CODE", help="a rule code (FTL201), pylint symbol or pylint id (W7321)")
    clean = commands.add_parser("clean", help="remove the results cache")
    clean.add_argument(
        "--cache-dir", default=None, metavar="DIR",
        help=f"the cache to remove (default: {DEFAULT_DIRECTORY} in the project root)",
    )
    return parser


def _cache_root(arguments: argparse.Namespace, config: Config) -> str:
    """``--cache-dir``, else the cache folder in the project root (the config file's folder, else here)."""
    return arguments.cache_dir or os.path.join(str(config.root), DEFAULT_DIRECTORY)



def per_file_ignores(values: Sequence[str] | None) -> dict[str, list[str]]:
    """``--per-file-ignores 'tests/*:FTL107,FTL5 scripts/*:FTL3'`` (flake8's syntax) as a table."""
    table: dict[str, list[str]] = {}
    for value in values or ():
        for entry in value.replace("\n", " ").split():
            pattern, colon, codes = entry.rpartition(":")
            if not colon or not pattern:
                if table and not colon:  # "a.py:FTL1, FTL2": a code after a comma and a space
                    table[list(table)[-1]].extend(split_codes(entry) or [])
                    continue
                raise ConfigError(f"--per-file-ignores: {entry!r} is not PATTERN:CODES")
            table.setdefault(pattern, []).extend(split_codes(codes) or [])
    return table


def check_selectors(codes: Sequence[str], where: str) -> None:
    """Every selector must be the prefix of some rule code: a typo must not select nothing in silence."""
    known = list(all_rules())
    for selector in codes:
        if not any(code.startswith(selector) for code in known):
            raise ConfigError(f"{where}: unknown rule selector {selector!r} (see 'flask-token-lint rules')")


class Checker:
    """The engine and the configuration of one run: what to check, what to report."""

    def __init__(self, arguments: argparse.Namespace) -> None:
        if arguments.isolated:
            self.config = Config()
        elif arguments.config:
            self.config = read_config(Path(arguments.config))
        else:
            self.config = find_config(_config_paths(arguments.paths, arguments.stdin_filename))
        chosen = self.config.selection
        registry = all_rules()
        in_file = f"{self.config.path}: [tool.flask-token-lint]"
        for key, prefixes in chosen.items():
            check_selectors(prefixes, f"{in_file} {key}")
        for pattern, prefixes in self.config.per_file_ignores.items():
            check_selectors(prefixes, f"{in_file} per-file-ignores.{pattern}")
        for name in ("select", "ignore", "extend-select", "extend-ignore"):
            check_selectors(split_codes(getattr(arguments, name.replace("-", "_"))) or [], f"--{name}")
        for pattern, prefixes in per_file_ignores(arguments.per_file_ignores).items():
            check_selectors(prefixes, "--per-file-ignores")
            self.config.per_file_ignores.setdefault(pattern, [])
            self.config.per_file_ignores[pattern] = [*self.config.per_file_ignores[pattern], *prefixes]

        def flag_or_file(name: str) -> list[str] | None:
            given = split_codes(getattr(arguments, name.replace("-", "_")))
            return given if given is not None else chosen.get(name)

        codes = selected_codes(
            registry,
            default_off=[code for code, rule in registry.items() if not rule.default_enabled],
            select=flag_or_file("select"),
            ignore=flag_or_file("ignore"),
            extend_select=[*chosen.get("extend-select", []), *(split_codes(arguments.extend_select) or [])],
            extend_ignore=[*chosen.get("extend-ignore", []), *(split_codes(arguments.extend_ignore) or [])],
        )
        overrides = {option.name: getattr(arguments, option.attribute) for option in ALL_OPTIONS}
        settings = self.config.settings(overrides)
        self._codes, self._settings = codes, settings
        self._engine: Engine | None = None
        exclude = _patterns(arguments.exclude)
        if exclude is None:
            exclude = self.config.exclude
        patterns = exclude if exclude is not None else SKIPPED_DIRECTORIES
        extend = [*self.config.extend_exclude, *(_patterns(arguments.extend_exclude) or [])]
        self.excluder = Excluder([*patterns, *extend], str(self.config.root))
        # With test-code = "skip", test and example code is never read, whether walked to or named.
        self.test_code = None if not settings.skips_test_code else PathPatterns(
            settings.test_code_patterns, self.config.root
        )
        self.cache_root = _cache_root(arguments, self.config)
        mode = (settings, "each file alone") if getattr(arguments, "no_project", False) else settings
        self.cache = None if arguments.no_cache else Cache(self.cache_root, codes, mode)
        # The cache's index (path -> stamp and findings), for runs that only report: read lazily.
        self._index: dict[str, list] | None = None
        self._fixing = bool(arguments.fix or arguments.diff)
        self.no_project = bool(getattr(arguments, "no_project", False))
        # The project modules the last file's findings read, each with its digest and stamp then:
        # its cached findings hold while they are unchanged.
        self.last_dependencies: dict[str, list] = {}
        self.index_changed = False

    @property
    def built_engine(self) -> Engine | None:
        """The engine, if a file has been checked (None before: nothing to ask it)."""
        return self._engine

    @property
    def engine(self) -> Engine:
        """Built when a file is first checked: a run answered from the cache never imports it."""
        if self._engine is None:
            from flask_token_lint.engine import Engine
            from flask_token_lint.project import ProjectIndex

            folder = None if self.cache is None else os.path.join(self.cache_root, "project")
            index = ProjectIndex(self._settings, folder)
            self._engine = Engine(self._codes, self._settings, index, projects=not self.no_project)
        return self._engine

    @property
    def index(self) -> dict[str, list] | None:
        if self.cache is None or self._fixing:
            return None
        if self._index is None:
            self._index = self.cache.load_index()
        return self._index

    def remember(self, path: str, stamp: tuple[int, int], findings: list[Finding],
                 dependencies: dict[str, list] | None = None) -> None:
        """Keep a checked file's findings in the index, under the stamp it had when it was read (and
        those of the project modules they read)."""
        if self.index is not None:
            entry = cache_files.index_entry(stamp, findings, dependencies or {})
            self._index[os.path.abspath(path)] = entry  # type: ignore[index]
            self.index_changed = True

    def save_index(self) -> None:
        if self.index_changed and self.cache is not None and self._index is not None:
            self.cache.save_index(self._index)
            self.index_changed = False

    def skips(self, path: str | None) -> bool:
        """``path`` is test or example code and the test-code policy is "skip" (never read)."""
        return self.test_code is not None and bool(path) and self.test_code.matches(path)

    def findings(self, source: bytes, path: str, cached: bool = True, parse: Parse | None = None) -> list[Finding]:
        """The findings ``# noqa`` comments and ``per-file-ignores`` leave standing."""
        return self.ignoring(path, self.unignored(source, path, cached, parse))

    def unignored(self, source: bytes, path: str, cached: bool = True, parse: Parse | None = None) -> list[Finding]:
        """The findings ``# noqa`` comments leave standing (what the cache keeps)."""
        findings = None
        # Keyed by the file's path as well: what its imports name depends on where it is.
        key = self.cache.key(source, os.path.abspath(path)) if cached and self.cache is not None else None
        if key is not None and self.cache is not None:
            found = self.cache.get(key)
            if found is not None and self.dependencies_unchanged(found[1]):
                findings, self.last_dependencies = found
        if findings is None:
            findings = filter_noqa(self.engine, source, path, parse)
            project = self.engine.project
            self.last_dependencies = {}
            if project is not None and self.cache is not None:  # only a cache entry needs their digests
                for dependency in sorted(self.engine.interfaces - self.engine.dependencies):
                    digest = f"{_INTERFACE}{project.heads_digest(dependency)}"
                    self.last_dependencies[dependency] = [digest, *(project.stamp_of(dependency) or (0, 0))]
                for dependency in sorted(self.engine.dependencies):
                    self.last_dependencies[dependency] = [project.digest(dependency),
                                                          *(project.stamp_of(dependency) or (0, 0))]
            if key is not None and self.cache is not None:
                self.cache.put(key, findings, self.last_dependencies)
        return findings

    def dependencies_unchanged(self, dependencies: dict[str, list]) -> bool:
        """Each project module a cached result read still has its stamp, or else its content."""
        project = self.engine.project
        for path, (digest, *stamp) in dependencies.items():
            if cache_files.stamp(path) == tuple(stamp):
                continue
            if project is None:
                return False
            if digest.startswith(_INTERFACE):  # only what the module shows importers was read
                if f"{_INTERFACE}{project.heads_digest(path, fresh=True)}" != digest:
                    return False
            elif project.digest(path, fresh=True) != digest:
                return False
        return True

    def ignoring(self, path: str, findings: list[Finding]) -> list[Finding]:
        """``findings`` less the codes ``per-file-ignores`` turns off for ``path``."""
        ignored = tuple(self.config.ignored_codes(path))
        return [f for f in findings if not f.code.startswith(ignored)] if ignored else findings


def _config_paths(paths: Sequence[str], stdin_filename: str | None) -> list[str]:
    """Where to look for pyproject.toml: standard input stands for ``--stdin-filename`` (else ``.``)."""
    return [(stdin_filename or ".") if path == "-" else path for path in paths] or ["."]


def _patterns(value: str | None) -> list[str] | None:
    """``--exclude 'build,migrations'`` -> ``["build", "migrations"]``."""
    if value is None:
        return None
    return [item.strip() for item in value.split(",") if item.strip()]


def filter_noqa(engine: Engine, source: bytes, path: str, parse: Parse | None = None) -> list[Finding]:
    try:
        text = decode_source(source)
    except (SyntaxError, UnicodeDecodeError, LookupError):
        return engine.check_source(source, path)  # FTL001: no comment can silence an unreadable file
    findings = engine.check_source(text, path, parse)
    if not findings:
        return []
    noqa = NoqaFilter(text)
    if skips_file(noqa.lines):
        return []
    return [f for f in findings if not noqa.silenced(f.line, f.code)]


