"""The flake8 adapter: flake8's own tree in, ``FTLnnn`` findings out.

flake8 calls every installed plugin whatever ``--select`` says, so
``parse_options`` asks flake8's own decision logic which of our codes can be
reported and builds an engine with just those rules; with none, ``run``
returns at once. Unparsable files never reach a tree plugin: flake8 reports
them as E999 itself.

``[tool.flask-token-lint]`` in the nearest pyproject.toml above each checked
file is read too (once per folder; ``--isolated`` skips it, as it skips
flake8's own files): an ``--ftl-*`` option set in flake8's configuration or on
its command line wins over the file's. The file's selection drops the codes it
turns off, unless flake8's own ``select``/``extend-select`` names the code more
narrowly than ``FTL`` (``FTL1``, ``FTL107``); ``select = FTL`` only turns the
plugin on. The file's ``per-file-ignores`` always apply. Rules that are off by
default (FTL106) are reported when flake8's ``select``/``extend-select`` or the
file's ``select``/``extend-select`` names them, so flake8 is not told to ignore
them by default; the plugin decides instead.

With ``test-code = skip`` (the default) a file that ``test-code-paths`` names
as test or example code, relative to the pyproject.toml's folder (else the
current directory), gets no findings: flake8 names every file it checks, so
being named cannot mean "check it anyway".
"""

from __future__ import annotations

import argparse
import ast
import os
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, ClassVar, Iterable, Iterator, Mapping

from flask_token_lint import __version__
from flask_token_lint.cache import DEFAULT_DIRECTORY
from flask_token_lint.config import Config, read_config
from flask_token_lint.engine import Engine
from flask_token_lint.files import PathPatterns
from flask_token_lint.finding import UNPARSABLE
from flask_token_lint.project import ProjectIndex
from flask_token_lint.registry import all_rules
from flask_token_lint.selection import selected_codes
from flask_token_lint.settings import ALL_OPTIONS


def _shown(default: Any) -> str:
    return ", ".join(default) if isinstance(default, tuple) else str(default)


# ---- [tool.flask-token-lint] per checked file: shared with the pylint plugin ----
#
# The CLI reads one pyproject.toml for a run (``config.find_config``). flake8 and pylint hand the
# plugins one file at a time, so the plugins look for the table from each file's folder upward, as
# the CLI does from its first path, and keep the answer per folder: a run over many files reads each
# pyproject.toml once and builds one engine per configuration. What the front-end's own
# configuration sets wins over the file; a value left unset is ``None`` and falls back to the file,
# then to the option's default.


def default_off_codes() -> set[str]:
    return {code for code, rule in all_rules().items() if not rule.default_enabled}


def disabled_by(config: Config) -> set[str]:
    """The codes the file's selection turns off (being off by default is not the file's doing)."""
    chosen = config.selection
    if not chosen:
        return set()
    registry = all_rules()
    kept = selected_codes(
        registry,
        select=chosen.get("select"),
        ignore=chosen.get("ignore"),
        extend_select=chosen.get("extend-select", []),
        extend_ignore=chosen.get("extend-ignore", []),
    )
    return set(registry) - kept


def enabled_by(config: Config) -> set[str]:
    """The codes the file's ``select``/``extend-select`` name (what turns on an off-by-default rule)."""
    prefixes = tuple([*config.selection.get("select", []), *config.selection.get("extend-select", [])])
    return {code for code in all_rules() if prefixes and code.startswith(prefixes)} - disabled_by(config)


@dataclass
class Resolved:
    """What one configuration means for a front-end: the engine, test code, per-file ignores."""

    config: Config
    engine: Engine
    test_code: PathPatterns | None

    def skips(self, path: str) -> bool:
        return bool(path) and self.test_code is not None and self.test_code.matches(path)

    def ignored(self, path: str) -> tuple[str, ...]:
        return tuple(self.config.ignored_codes(path)) if path and self.config.per_file_ignores else ()


class ProjectConfigs:
    """The configuration of each checked file, cached per folder and per pyproject.toml.

    ``codes_for(config)`` gives the codes to run under a configuration (the front-end's own
    choice combined with the file's), ``values`` the front-end's own option values (``None`` when
    unset). With ``isolated`` no file is read.
    """

    def __init__(
        self,
        codes_for: Callable[[Config], Iterable[str]],
        values: Mapping[str, Any],
        isolated: bool = False,
    ) -> None:
        self._codes_for = codes_for
        self._values = dict(values)
        self._isolated = isolated
        self._folders: dict[str, Config] = {}
        self._resolved: dict[Path | None, Resolved] = {}

    def config_for(self, path: str) -> Config:
        if self._isolated:
            return self._none()
        folder = os.path.dirname(os.path.abspath(path or "."))
        seen = []
        found: Config | None = None
        while True:
            cached = self._folders.get(folder)
            if cached is not None:
                found = cached
                break
            seen.append(folder)
            pyproject = os.path.join(folder, "pyproject.toml")
            if os.path.isfile(pyproject):
                config = read_config(Path(pyproject))
                if config.has_table:
                    found = config
                    break
            parent = os.path.dirname(folder)
            if parent == folder:
                break
            folder = parent
        if found is None:
            found = self._none()
        for folder in seen:
            self._folders[folder] = found
        return found

    def _none(self) -> Config:
        empty = self._folders.get("")
        if empty is None:
            empty = self._folders[""] = Config()
        return empty

    def resolve(self, config: Config) -> Resolved:
        resolved = self._resolved.get(config.path if config.has_table else None)
        if resolved is None:
            settings = config.settings(self._values)
            codes = [code for code in self._codes_for(config) if code != UNPARSABLE]
            test_code = PathPatterns(settings.test_code_patterns, config.root) if settings.skips_test_code else None
            # The project index keeps its summaries in the cache folder of the project root, where
            # the CLI keeps its own: each flake8 process reads what another has summarised.
            index = ProjectIndex(settings, os.path.join(str(config.root), DEFAULT_DIRECTORY, "project"))
            resolved = Resolved(config, Engine(codes, settings, index), test_code)
            self._resolved[config.path if config.has_table else None] = resolved
        return resolved

    def for_file(self, path: str) -> Resolved:
        return self.resolve(self.config_for(path))


class Flake8Plugin:
    name = "flask-token-lint"
    version = __version__
    # flake8's own choice, without any pyproject.toml: the engine of a file no table applies to.
    _engine: ClassVar[Engine | None] = None
    _test_code: ClassVar[PathPatterns | None] = None  # the files to skip; None reports them all
    _projects: ClassVar[ProjectConfigs | None] = None

    def __init__(self, tree: ast.Module, lines: list[str], filename: str = "") -> None:
        self.tree = tree
        self.lines = lines
        self.filename = filename

    @classmethod
    def add_options(cls, manager: Any) -> None:
        for option in ALL_OPTIONS:
            extra: dict[str, Any] = {}
            if option.kind == "choice":
                extra["choices"] = option.choices
            elif option.kind == "list":
                extra["comma_separated_list"] = True
            manager.add_option(
                f"--ftl-{option.name}",
                default=None,  # unset: [tool.flask-token-lint] decides, else the option's default
                parse_from_config=True,
                help=f"flask-token-lint: {option.help} (default: {_shown(option.default)})",
                **extra,
            )
        # Off-by-default rules (FTL106) are not added to flake8's default ignore list: the plugin
        # turns them on when flake8's or the pyproject.toml's selection names them.

    @classmethod
    def parse_options(cls, options: argparse.Namespace) -> None:
        from flake8.style_guide import Decision, DecisionEngine

        off = default_off_codes()
        # flake8 must not ignore the off-by-default rules on its own (a caller may have listed them):
        # the plugin turns them on when flake8's or the table's selection names them.
        options.extended_default_ignore = [
            code for code in getattr(options, "extended_default_ignore", []) if code not in off
        ]
        decisions = DecisionEngine(options)
        possible = [
            code
            for code in all_rules()
            if code != UNPARSABLE and decisions.decision_for(code) is Decision.Selected
        ]
        chosen = [*(options.select or []), *(getattr(options, "extend_select", None) or [])]
        named = tuple(code.upper() for code in chosen)
        specific = tuple(code for code in named if code.startswith("FTL") and len(code) > 3)

        def codes_for(config: Config) -> list[str]:
            turned_on, turned_off = enabled_by(config), disabled_by(config)
            return [
                code
                for code in possible
                if (code not in off or code.startswith(named) or code in turned_on)
                and (code not in turned_off or code.startswith(specific))
            ]

        values = {option.name: getattr(options, f"ftl_{option.attribute}", None) for option in ALL_OPTIONS}
        # flake8 consumes --isolated before plugins see the options: look for it where it was given.
        isolated = bool(getattr(options, "isolated", False)) or "--isolated" in sys.argv[1:]
        cls._projects = ProjectConfigs(codes_for, values, isolated=isolated)
        base = cls._projects.resolve(Config())
        cls._engine = base.engine
        cls._test_code = base.test_code

    def run(self) -> Iterator[tuple[int, int, str, type]]:
        projects = self._projects
        if projects is None:
            engine = self._engine if self._engine is not None else Engine()
            resolved = None
        else:
            resolved = projects.for_file(self.filename) if self.filename else projects.resolve(Config())
            engine = resolved.engine
        if not engine.rules:
            return
        ignored: tuple[str, ...] = ()
        if resolved is not None:
            if resolved.skips(self.filename):
                return
            ignored = resolved.ignored(self.filename)
        for finding in engine.check_tree(self.tree, self.lines, filename=self.filename):
            if ignored and finding.code.startswith(ignored):
                continue
            yield finding.line, finding.col, f"{finding.code} {finding.message}", type(self)
