"""The flake8 adapter: flake8's own tree in, ``FTLnnn`` findings out.

flake8 calls every installed plugin whatever ``--select`` says, so
``parse_options`` asks flake8's own decision logic which of our codes can be
reported and builds an engine with just those rules; with none, ``run``
returns at once. Unparsable files never reach a tree plugin: flake8 reports
them as E999 itself.
"""

from __future__ import annotations

import argparse
import ast
from typing import Any, ClassVar, Iterator

from flask_token_lint import __version__
from flask_token_lint.engine import Engine
from flask_token_lint.finding import UNPARSABLE
from flask_token_lint.registry import all_rules
from flask_token_lint.settings import OPTIONS, Settings


class Flake8Plugin:
    name = "flask-token-lint"
    version = __version__
    _engine: ClassVar[Engine | None] = None

    def __init__(self, tree: ast.Module, lines: list[str]) -> None:
        self.tree = tree
        self.lines = lines

    @classmethod
    def add_options(cls, manager: Any) -> None:
        for option in OPTIONS:
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
        values = {option.name: getattr(options, f"ftl_{option.attribute}") for option in OPTIONS}
        cls._engine = Engine(codes, Settings.from_values(values, "flake8"))

    def run(self) -> Iterator[tuple[int, int, str, type]]:
        engine = self._engine if self._engine is not None else Engine()
        if not engine.rules:
            return
        for finding in engine.check_tree(self.tree, self.lines):
            yield finding.line, finding.col, f"{finding.code} {finding.message}", type(self)
