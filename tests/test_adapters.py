"""The flake8 and pylint adapters: selection and options, to the same effect as the CLI."""

from __future__ import annotations

import argparse
import ast
import os
import subprocess
import sys

import pytest
from frontends import run_cli, run_flake8, run_pylint

from flask_token_lint.flake8_plugin import Flake8Plugin
from flask_token_lint.registry import all_rules
from flask_token_lint.settings import OPTIONS

THEME_COOKIE = "def prefs(resp):\n    resp.set_cookie('theme', 'dark')\n"


def _codes(found):
    return {os.path.basename(key): sorted(code for _, _, code in value) for key, value in found.items()}


def test_cookie_scope_option_has_the_same_effect_in_every_front_end(tmp_path):
    path = tmp_path / "prefs.py"
    path.write_text(THEME_COOKIE)
    every = ["FTL401", "FTL402", "FTL403"]
    assert _codes(run_cli([path], cwd=tmp_path)) == {"prefs.py": []}
    assert _codes(run_cli([path], "--cookie-scope", "all", cwd=tmp_path)) == {"prefs.py": every}
    assert _codes(run_flake8([path], "--ftl-cookie-scope", "all", cwd=tmp_path)) == {"prefs.py": every}
    assert _codes(run_pylint([path], "--ftl-cookie-scope=all", cwd=tmp_path)) == {"prefs.py": every}


def test_flake8_reads_the_option_from_setup_cfg(tmp_path):
    (tmp_path / "setup.cfg").write_text("[flake8]\nselect = FTL\nftl-cookie-scope = all\n")
    (tmp_path / "prefs.py").write_text(THEME_COOKIE)
    result = subprocess.run(
        [sys.executable, "-m", "flake8", "prefs.py"], cwd=tmp_path, capture_output=True, text=True
    )
    assert [line.split()[1] for line in result.stdout.splitlines()] == ["FTL401", "FTL402", "FTL403"]


def _flake8_options(**overrides):
    options = dict(
        select=None, extend_select=None, ignore=None, extend_ignore=None,
        extended_default_select=["FTL"], extended_default_ignore=["FTL106"],
        **{f"ftl_{option.attribute}": option.default for option in OPTIONS},
    )
    options.update(overrides)
    return argparse.Namespace(**options)


@pytest.mark.parametrize(
    "overrides,expected",
    [
        ({}, [code for code, rule in all_rules().items() if rule.default_enabled and code != "FTL001"]),
        ({"select": ["FTL2"]}, ["FTL201", "FTL202", "FTL203", "FTL204", "FTL205"]),
        ({"select": ["FTL106"]}, ["FTL106"]),
        ({"extend_select": ["FTL106"]},
         [code for code, rule in all_rules().items() if code != "FTL001" and (rule.default_enabled or code == "FTL106")]),
        ({"select": ["E", "W"]}, []),
        ({"extend_ignore": ["FTL1", "FTL2", "FTL3", "FTL4"]}, ["FTL501", "FTL502", "FTL503", "FTL504"]),
    ],
)
def test_flake8_plugin_runs_only_the_rules_flake8_can_report(overrides, expected):
    Flake8Plugin.parse_options(_flake8_options(**overrides))
    assert [rule.code for rule in Flake8Plugin._engine.rules] == expected


def test_flake8_plugin_with_nothing_selected_does_no_work(monkeypatch):
    Flake8Plugin.parse_options(_flake8_options(select=["E"]))
    tree = ast.parse("from flask import Flask\napp = Flask(__name__)\napp.run(debug=True)\n")
    monkeypatch.setattr("flask_token_lint.engine.Walk", None)  # any use would raise
    assert list(Flake8Plugin(tree, ["app.run(debug=True)\n"]).run()) == []


def test_flake8_uses_its_own_tree(monkeypatch):
    Flake8Plugin.parse_options(_flake8_options())
    tree = ast.parse("from flask import Flask\napp = Flask(__name__)\napp.run(debug=True)\n")
    monkeypatch.setattr(ast, "parse", None)  # a second parse would raise
    lines = ["from flask import Flask\n", "app = Flask(__name__)\n", "app.run(debug=True)\n"]
    results = list(Flake8Plugin(tree, lines).run())
    assert [(line, col, message.split()[0]) for line, col, message, _ in results] == [(3, 8, "FTL501")]  # at debug=True


def test_flake8_select_ftl_on_the_demo_app_prints_its_findings():
    demo = os.path.join(os.path.dirname(__file__), "..", "fixtures", "demo_app")
    result = subprocess.run(
        [sys.executable, "-m", "flake8", "--isolated", "--select", "FTL", demo], capture_output=True, text=True
    )
    assert result.returncode == 1
    assert {line.split()[1] for line in result.stdout.splitlines()} >= {"FTL101", "FTL201", "FTL301", "FTL501"}


def test_pylint_disable_by_symbol_and_checker_name(tmp_path):
    path = tmp_path / "app.py"
    path.write_text("from flask import Flask\napp = Flask(__name__)\napp.run(debug=True)\n")
    assert _codes(run_pylint([path], cwd=tmp_path)) == {"app.py": ["FTL501"]}
    assert _codes(run_pylint([path], "--disable=flask-debug-enabled", cwd=tmp_path)) == {"app.py": []}
    assert _codes(run_pylint([path], "--disable=W7351", cwd=tmp_path)) == {"app.py": []}


def test_pylint_reads_the_option_from_pyproject(tmp_path):
    (tmp_path / "pyproject.toml").write_text(
        '[tool.pylint.main]\nload-plugins = ["flask_token_lint.pylint_plugin"]\nftl-cookie-scope = "all"\n'
    )
    (tmp_path / "prefs.py").write_text(THEME_COOKIE)
    result = subprocess.run(
        [sys.executable, "-m", "pylint", "--disable=all", "--enable=flask-token-lint", "--score=n", "prefs.py"],
        cwd=tmp_path, capture_output=True, text=True,
    )
    symbols = [line.rsplit("(", 1)[-1].rstrip(")") for line in result.stdout.splitlines() if line.startswith("prefs")]
    assert symbols == ["cookie-missing-secure", "cookie-missing-httponly", "cookie-missing-samesite"]


def test_ftl106_is_off_by_default_in_flake8_and_on_when_selected(tmp_path):
    path = tmp_path / "issuer.py"
    path.write_text(
        "import jwt\n\n\ndef user(t, k):\n    return jwt.decode(t, k, algorithms=['RS256'], audience='a')\n"
    )

    def codes(*options):
        result = subprocess.run(
            [sys.executable, "-m", "flake8", "--isolated", *options, str(path)], capture_output=True, text=True
        )
        return [line.split()[1] for line in result.stdout.splitlines()]

    assert codes() == []
    assert codes("--extend-select", "FTL106") == ["FTL106"]
    assert codes("--select", "FTL106") == ["FTL106"]


def test_pylint_registers_rules_of_every_message_band():
    """A code with a middle digit (FTL111 -> W7411) needs a checker of its own band: pylint refuses
    one checker whose messages span bands. Registering the plugin with such a rule must work and the
    engine's checker must be able to report it."""
    from pylint.lint import PyLinter

    from flask_token_lint import pylint_plugin
    from flask_token_lint.catalogue import pylint_id

    rules = dict(all_rules())
    base = rules["FTL101"]
    extra = type("FakeRule", (base,), {"code": "FTL111", "symbol": "fake-band-rule", "summary": "Fake"})
    rules["FTL111"] = extra
    bands = pylint_plugin.messages_by_band(rules)
    assert set(bands) == {"73", "74"}
    linter = PyLinter()
    linter.register_checker(type("Main", (pylint_plugin.FlaskTokenChecker,), {"msgs": bands["73"]})(linter))
    for checker in pylint_plugin.band_checkers(bands):
        linter.register_checker(checker(linter))
    assert linter.msgs_store.get_message_definitions(pylint_id("FTL111"))[0].symbol == "fake-band-rule"
    assert linter.msgs_store.get_message_definitions("W7311")[0].symbol == base.symbol
