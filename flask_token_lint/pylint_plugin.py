"""The pylint adapter: ``pylint --load-plugins=flask_token_lint.pylint_plugin``.

pylint hands checkers astroid nodes; the adapter reads the module's source,
gives it to the same engine the other front-ends use, and reports each
finding by line and column, so ``# pylint: disable=<symbol>`` works as usual.
Message ids are ``W73gn`` for ``FTLg0n`` (FTL101 is W7311, FTL501 is W7351) and ``W{73+m}gn`` for
``FTLgmn`` (see ``catalogue.pylint_id``). pylint wants every message of one checker in one band,
so each further band gets a checker of its own that only declares its messages; the first
checker runs the engine and reports them all.

``[tool.flask-token-lint]`` in the nearest pyproject.toml above each module's file is read too
(once per folder): an ``ftl-*`` option set in pylint's configuration or on its command line wins
over the file's. pylint's ``--enable``/``--disable`` decide what pylint may report; the file's
selection and ``per-file-ignores`` then drop the codes they turn off (pylint expands
``--enable=flask-token-lint`` into every message, so a blanket enable and a specific one cannot be
told apart: the file decides). An off-by-default rule (FTL106) the file selects is enabled unless
pylint's configuration disables it by name. With ``test-code = skip`` (the default) a module whose
file ``test-code-paths`` names as test or example code, relative to the pyproject.toml's folder
(else the current directory), gets no messages.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pylint.checkers import BaseChecker
from pylint.constants import WarningScope

from flask_token_lint.catalogue import pylint_id
from flask_token_lint.config import Config
from flask_token_lint.finding import UNPARSABLE
from flask_token_lint.flake8_plugin import ProjectConfigs, default_off_codes, disabled_by, enabled_by
from flask_token_lint.noqa import NoqaFilter, skips_file
from flask_token_lint.registry import all_rules
from flask_token_lint.rule import Rule
from flask_token_lint.settings import ALL_OPTIONS
from flask_token_lint.source import decode_source

if TYPE_CHECKING:
    from astroid import nodes
    from pylint.lint import PyLinter


def _shown(default: Any) -> str:
    return ", ".join(default) if isinstance(default, tuple) else str(default)


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
                "default": None,  # unset: [tool.flask-token-lint] decides, else the option's default
                "type": {"choice": "choice", "list": "csv", "int": "int"}[option.kind],
                **({"choices": list(option.choices)} if option.choices else {}),
                "metavar": "<" + ("|".join(option.choices) or option.metavar.lower() or option.kind) + ">",
                "help": f"{option.help[:1].upper()}{option.help[1:]} (default: {_shown(option.default)}).",
            },
        )
        for option in ALL_OPTIONS
    )

    def __init__(self, linter: PyLinter) -> None:
        super().__init__(linter)
        self._projects: ProjectConfigs | None = None

    def open(self) -> None:
        registry = all_rules()
        enabled = {
            code for code in registry if code != UNPARSABLE and self.linter.is_message_enabled(pylint_id(code))
        }
        off = default_off_codes()
        config = self.linter.config
        named = {name.lower() for name in getattr(self.linter, _DISABLED_BY_NAME, ())}
        blanket = bool(named & {"all", self.name})
        may_enable = {
            code for code in off if not blanket and not {registry[code].symbol, pylint_id(code).lower()} & named
        }

        def codes_for(project: Config) -> list[str]:
            turned_on, turned_off = enabled_by(project), disabled_by(project)
            return [
                code
                for code in registry
                if code != UNPARSABLE
                and (code in enabled or (code in turned_on and code in may_enable))
                and code not in turned_off
            ]

        values = {option.name: getattr(config, f"ftl_{option.attribute}", None) for option in ALL_OPTIONS}
        self._projects = ProjectConfigs(codes_for, values)
        self._projects.resolve(Config())  # bad ftl-* values are reported before any module

    def visit_module(self, node: nodes.Module) -> None:
        if self._projects is None:
            self.open()
        assert self._projects is not None
        path = node.file or ""
        resolved = self._projects.for_file(path) if path else self._projects.resolve(Config())
        engine = resolved.engine
        if not engine.rules or resolved.skips(path):
            return
        ignored = resolved.ignored(path)
        registry = all_rules()
        for rule in engine.rules:
            # an off-by-default rule the pyproject.toml selects: pylint must let its message through
            if not self.linter.is_message_enabled(pylint_id(rule.code)):
                self.linter.enable(pylint_id(rule.code))
        with node.stream() as stream:
            source = stream.read()
        findings = engine.check_source(source, node.file or node.name)
        noqa = NoqaFilter(decode_source(source)) if findings else None
        if noqa is not None and skips_file(noqa.lines):
            return  # ``# flake8: noqa`` as the CLI and flake8 read it
        for finding in findings:
            if finding.code == UNPARSABLE or (ignored and finding.code.startswith(ignored)):
                continue  # pylint reports syntax errors itself (E0001)
            if noqa is not None and noqa.silenced(finding.line, finding.code):
                continue  # ``# noqa: FTL502`` works as in the CLI and flake8
            self.add_message(
                registry[finding.code].symbol,
                line=finding.line,
                col_offset=finding.col,
                end_lineno=finding.end_line,
                end_col_offset=finding.end_col,
                args=(finding.message,),
            )


_DISABLED_BY_NAME = "_flask_token_lint_disabled"


def _record_disables(linter: PyLinter) -> None:
    """Remember what pylint's configuration and command line disable (``--disable=...``).

    pylint keeps one on/off state per message, so a message that is off by default cannot be told
    from one the user turned off. The plugin is registered before pylint reads its configuration
    and command line, so wrapping ``disable`` here sees exactly the user's package-wide choices.
    """
    if hasattr(linter, _DISABLED_BY_NAME):
        return  # registered again in a worker of ``pylint -j N``: keep what the main process saw
    named: set[str] = set()
    setattr(linter, _DISABLED_BY_NAME, named)
    original = linter.disable

    def disable(msgid: str, scope: str = "package", line: int | None = None, ignore_unknown: bool = False) -> None:
        if scope == "package":
            named.add(msgid)
        original(msgid, scope=scope, line=line, ignore_unknown=ignore_unknown)

    linter.disable = disable  # type: ignore[method-assign]


def register(linter: PyLinter) -> None:
    linter.register_checker(FlaskTokenChecker(linter))
    for checker in band_checkers(_BANDS):
        linter.register_checker(checker(linter))
    _record_disables(linter)
