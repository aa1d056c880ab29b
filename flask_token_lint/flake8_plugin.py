"""The flake8 adapter: flake8's own tree in, ``FTLnnn`` findings out.

flake8 calls every installed plugin whatever ``--select`` says, so
``parse_options`` asks flake8's own decision logic which of our codes can be
reported and builds an engine with just those rules; with none, ``run``
returns at once. Unparsable files never reach a tree plugin: flake8 reports
them as E999 itself. With ``--ftl-test-code=skip`` (the default) a file that
``--ftl-test-code-paths`` names as test or example code, relative to the current
directory, gets no findings: flake8 names every file it checks, so being named
cannot mean "check it anyway".
"""

from __future__ import annotations

import argparse
import ast
from typing import Any, ClassVar, Iterator

from flask_token_lint import __version__
from flask_token_lint.engine import Engine
from flask_token_lint.files import PathPatterns
from flask_token_lint.finding import UNPARSABLE
from flask_token_lint.registry import all_rules
from flask_token_lint.settings import ALL_OPTIONS, Settings


class Flake8Plugin:
    name = "flask-token-lint"
    version = __version__
    _engine: ClassVar[Engine | None] = None
    _test_code: ClassVar[PathPatterns | None] = None  # the files to skip; None reports them all

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
                default=option.default,
                parse_from_config=True,
                help=f"flask-token-lint: {option.help} (default: %(default)s)",
                **extra,
            )
        off = [code for code, rule in all_rules().items() if not rule.default_enabled]
        if off:
            manager.extend_default_ignore(off)

    @classmethod
    def parse_options(cls, options: argparse.Namespace) -> None:
        from flake8.style_guide import Decision, DecisionEngine

        decisions = DecisionEngine(options)
        codes = [
            code
            for code in all_rules()
            if code != UNPARSABLE and decisions.decision_for(code) is Decision.Selected
        ]
        values = {
            option.name: getattr(options, f"ftl_{option.attribute}", option.default) for option in ALL_OPTIONS
        }
        settings = Settings.from_values(values, "flake8")
        cls._engine = Engine(codes, settings)
        cls._test_code = PathPatterns(settings.test_code_patterns) if settings.skips_test_code else None

    def run(self) -> Iterator[tuple[int, int, str, type]]:
        engine = self._engine if self._engine is not None else Engine()
        if not engine.rules:
            return
        if self.filename and self._test_code is not None and self._test_code.matches(self.filename):
            return
        for finding in engine.check_tree(self.tree, self.lines):
            yield finding.line, finding.col, f"{finding.code} {finding.message}", type(self)
