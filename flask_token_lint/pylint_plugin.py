"""The pylint adapter: ``pylint --load-plugins=flask_token_lint.pylint_plugin``.

pylint hands checkers astroid nodes; the adapter reads the module's source,
gives it to the same engine the other front-ends use, and reports each
finding by line and column, so ``# pylint: disable=<symbol>`` works as usual.
Message ids are ``W73gn`` for ``FTLg0n`` (FTL101 is W7311, FTL501 is W7351) and ``W{73+m}gn`` for
``FTLgmn`` (see ``catalogue.pylint_id``). pylint wants every message of one checker in one band,
so each further band gets a checker of its own that only declares its messages; the first
checker runs the engine and reports them all. With ``ftl-test-code=skip`` (the default) a module
whose file ``ftl-test-code-paths`` names as test or example code, relative to the current
directory, gets no messages.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pylint.checkers import BaseChecker
from pylint.constants import WarningScope

from flask_token_lint.catalogue import pylint_id
from flask_token_lint.engine import Engine
from flask_token_lint.files import PathPatterns
from flask_token_lint.finding import UNPARSABLE
from flask_token_lint.registry import all_rules
from flask_token_lint.rule import Rule
from flask_token_lint.settings import ALL_OPTIONS, Settings

if TYPE_CHECKING:
    from astroid import nodes
    from pylint.lint import PyLinter


def _message(rule: type[Rule]) -> tuple[Any, ...]:
    description = f"{rule.code}: {rule.summary}. {rule.docs.what}"
    # Findings come by line and column from the engine, not as astroid nodes.
    options: dict[str, Any] = {"scope": WarningScope.LINE}
    if not rule.default_enabled:
        options["default_enabled"] = False
    return ("%s", rule.symbol, description, options)


def messages_by_band(rules: dict[str, type[Rule]]) -> dict[str, dict[str, tuple[Any, ...]]]:
    """The rules' pylint messages grouped by checker band (the two digits after the letter)."""
    bands: dict[str, dict[str, tuple[Any, ...]]] = {}
    for code, rule in rules.items():
        if code != UNPARSABLE:
            msgid = pylint_id(code)
            bands.setdefault(msgid[1:3], {})[msgid] = _message(rule)
    return dict(sorted(bands.items()))


_BANDS = messages_by_band(all_rules())
_FIRST_BAND = "73"


def band_checkers(bands: dict[str, dict[str, tuple[Any, ...]]]) -> list[type[BaseChecker]]:
    """A message-only checker class for each band but the first."""
    return [
        type(f"FlaskTokenMessages{band}", (BaseChecker,), {"name": "flask-token-lint", "msgs": msgs})
        for band, msgs in bands.items()
        if band != _FIRST_BAND
    ]


class FlaskTokenChecker(BaseChecker):
    name = "flask-token-lint"
    msgs = _BANDS.get(_FIRST_BAND, {})
    options = tuple(
        (
            f"ftl-{option.name}",
            {
                "default": option.default,
                "type": {"choice": "choice", "list": "csv", "int": "int"}[option.kind],
                **({"choices": list(option.choices)} if option.choices else {}),
                "metavar": "<" + ("|".join(option.choices) or option.metavar.lower() or option.kind) + ">",
                "help": f"{option.help[:1].upper()}{option.help[1:]}.",
            },
        )
        for option in ALL_OPTIONS
    )

    def __init__(self, linter: PyLinter) -> None:
        super().__init__(linter)
        self._engine: Engine | None = None
        self._test_code: PathPatterns | None = None

    def open(self) -> None:
        enabled = [
            code
            for code in all_rules()
            if code != UNPARSABLE and self.linter.is_message_enabled(pylint_id(code))
        ]
        config = self.linter.config
        values = {option.name: getattr(config, f"ftl_{option.attribute}") for option in ALL_OPTIONS}
        settings = Settings.from_values(values, "pylint")
        self._engine = Engine(enabled, settings)
        self._test_code = PathPatterns(settings.test_code_patterns) if settings.skips_test_code else None

    def visit_module(self, node: nodes.Module) -> None:
        if self._engine is None:
            self.open()
        assert self._engine is not None
        if node.file and self._test_code is not None and self._test_code.matches(node.file):
            return
        with node.stream() as stream:
            source = stream.read()
        registry = all_rules()
        for finding in self._engine.check_source(source, node.file or node.name):
            if finding.code == UNPARSABLE:
                continue  # pylint reports syntax errors itself (E0001)
            self.add_message(
                registry[finding.code].symbol,
                line=finding.line,
                col_offset=finding.col,
                end_lineno=finding.end_line,
                end_col_offset=finding.end_col,
                args=(finding.message,),
            )


def register(linter: PyLinter) -> None:
    linter.register_checker(FlaskTokenChecker(linter))
    for checker in band_checkers(_BANDS):
        linter.register_checker(checker(linter))
