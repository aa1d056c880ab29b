"""The CLI: exit codes, selection, formats, bad input, directory walks."""

from __future__ import annotations

import ast
import re
import json
import subprocess
import sys

import pytest

from frontends import run_main

from flask_token_lint import cli
from flask_token_lint.engine import Engine
from flask_token_lint.registry import all_rules

VULNERABLE = (
    "from flask import Flask, request\n"
    "app = Flask(__name__)\n"
    "def view(resp):\n"
    "    token = request.headers['Authorization'].split(' ')[1]\n"
    "    resp.set_cookie('session', token)\n"
    "app.run(debug=True)\n"
)
VULNERABLE_CODES = ["FTL201", "FTL401", "FTL402", "FTL403", "FTL501"]
CLEAN = "from flask import Flask\napp = Flask(__name__)\n"


def run(*argv: str) -> tuple[int, str, str]:
    return run_main(*argv)


FINDING_LINE = re.compile(r"^.+:\d+:\d+: (FTL\d{3}) ")


def codes_in(output: str) -> list[str]:
    """The codes of the finding lines (the summary line at the end is not one)."""
    return [m.group(1) for m in map(FINDING_LINE.match, output.splitlines()) if m]


@pytest.fixture
def vulnerable(tmp_path):
    path = tmp_path / "app.py"
    path.write_text(VULNERABLE)
    return path


def test_findings_exit_1_with_flake8_style_lines(vulnerable):
    code, out, err = run("check", str(vulnerable))
    assert code == 1 and err == ""
    assert codes_in(out) == VULNERABLE_CODES
    assert out.splitlines()[0] == (
        f"{vulnerable}:4:13: FTL201 Token cut from the Authorization header without checking the Bearer scheme"
    )


def test_clean_file_exits_0(tmp_path):
    path = tmp_path / "clean.py"
    path.write_text(CLEAN)
    assert run("check", str(path)) == (0, "", "All checks passed (1 file)\n")


def test_missing_path_is_one_clear_line_and_the_rest_is_checked(vulnerable, tmp_path):
    missing = tmp_path / "nope.py"
    code, out, err = run("check", str(missing), str(vulnerable))
    assert code == 2
    assert err == f"flask-token-lint: error: {missing}: no such file or directory\n"
    assert codes_in(out) == VULNERABLE_CODES


def test_usage_error_exits_2(capsys):
    with pytest.raises(SystemExit) as raised:
        cli.main(["check", "--format", "xml", "x.py"])
    assert raised.value.code == 2
    assert "invalid choice" in capsys.readouterr().err


@pytest.mark.parametrize(
    "options,expected",
    [
        (["--select", "FTL4"], ["FTL401", "FTL402", "FTL403"]),
        (["--select", "FTL401,FTL501"], ["FTL401", "FTL501"]),
        (["--ignore", "FTL4"], ["FTL201", "FTL501"]),
        (["--ignore", "FTL40", "--extend-select", "FTL402"], ["FTL201", "FTL402", "FTL501"]),
        (["--select", "FTL4", "--ignore", "FTL40"], []),
        (["--select", "FTL401", "--ignore", "FTL4"], ["FTL401"]),
        (["--select", "FTL", "--extend-ignore", "FTL2,FTL5"], ["FTL401", "FTL402", "FTL403"]),
        (["--select", "ftl5"], ["FTL501"]),
    ],
)
def test_select_and_ignore_by_prefix(vulnerable, options, expected):
    _, out, _ = run("check", *options, str(vulnerable))
    assert codes_in(out) == expected


def test_json_format(vulnerable):
    code, out, _ = run("check", "--format", "json", "--select", "FTL201", str(vulnerable))
    assert code == 1
    rows = json.loads(out)
    assert re.fullmatch(r"[0-9a-f]{20}", rows[0].pop("fingerprint"))
    assert rows == [
        {
            "path": str(vulnerable),
            "line": 4,
            "column": 13,
            "end_line": 4,
            "end_column": 59,  # one past the end, as SARIF counts
            "code": "FTL201",
            "symbol": "bearer-scheme-unchecked",
            "severity": "high",
            "message": "Token cut from the Authorization header without checking the Bearer scheme",
            "fix": None,
        }
    ]


def test_json_format_with_no_findings_is_an_empty_list(tmp_path):
    path = tmp_path / "clean.py"
    path.write_text(CLEAN)
    assert run("check", "--format", "json", str(path)) == (0, "[]\n", "")


def test_unparsable_files_are_reported_and_the_rest_is_checked(tmp_path, vulnerable):
    (tmp_path / "broken.py").write_text("import jwt\ndef f(:\n    jwt.decode(t)\n")
    (tmp_path / "latin1.py").write_bytes(b"# jwt.decode\nx = '\xe9'\n")
    (tmp_path / "nul.py").write_bytes(b"import jwt\x00\njwt.decode(t)\n")
    (tmp_path / "badcookie.py").write_bytes(b"# -*- coding: no-such-codec -*-\nimport jwt\n")
    code, out, err = run("check", str(tmp_path))
    assert code == 1 and err == ""
    lines = out.splitlines()
    assert re.match(rf"\d+ files checked: {len(lines) - 1} findings, 0 fixed, {len(lines) - 1} remaining", lines[-1])
    assert f"{tmp_path / 'broken.py'}:2:7: FTL001 File could not be checked: SyntaxError: invalid syntax" in lines
    assert any(line.startswith(f"{tmp_path / 'latin1.py'}:1:1: FTL001 File could not be checked: cannot decode")
               for line in lines)
    assert any(line.startswith(f"{tmp_path / 'nul.py'}:1:1: FTL001") for line in lines)
    assert any(line.startswith(f"{tmp_path / 'badcookie.py'}:1:1: FTL001") for line in lines)
    assert [c for c in codes_in(out) if c != "FTL001"] == VULNERABLE_CODES


def test_bom_and_coding_line_are_honoured(tmp_path):
    (tmp_path / "bom.py").write_bytes(
        b"\xef\xbb\xbffrom flask import Flask\napp = Flask(__name__)\napp.run(debug=True)\n"
    )
    (tmp_path / "cookie.py").write_bytes(
        b"# -*- coding: latin-1 -*-\nfrom flask import Flask\napp = Flask('\xe9')\napp.run(debug=True)\n"
    )
    code, out, _ = run("check", str(tmp_path))
    assert code == 1
    assert sorted(line.split(": ")[0] for line in out.splitlines()[:-1]) == [
        f"{tmp_path / 'bom.py'}:3:9",
        f"{tmp_path / 'cookie.py'}:4:9",
    ]


def test_directory_walk_skips_tool_and_environment_folders(tmp_path):
    for folder in (".git", "build", "dist", "__pycache__", "node_modules", "venv", ".venv", "pkg.egg-info"):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "app.py").write_text(VULNERABLE)
    (tmp_path / "myenv").mkdir()
    (tmp_path / "myenv" / "pyvenv.cfg").write_text("home = /usr\n")
    (tmp_path / "myenv" / "app.py").write_text(VULNERABLE)
    (tmp_path / "src" / "pkg").mkdir(parents=True)
    (tmp_path / "src" / "pkg" / "views.py").write_text(VULNERABLE)
    (tmp_path / "src" / "pkg" / "notes.txt").write_text(VULNERABLE)
    _, out, _ = run("check", str(tmp_path))
    assert {line.split(":")[0] for line in out.splitlines()[:-1]} == {str(tmp_path / "src" / "pkg" / "views.py")}


def test_a_named_file_is_checked_whatever_its_extension(tmp_path):
    path = tmp_path / "manage"
    path.write_text(VULNERABLE)
    assert run("check", str(path))[0] == 1


def test_prefilter_skips_parsing_files_without_trigger_words(monkeypatch):
    parsed = []
    real_parse = ast.parse
    monkeypatch.setattr(ast, "parse", lambda *a, **k: parsed.append(1) or real_parse(*a, **k))
    engine = Engine()
    assert engine.check_source("def add(a, b):\n    return a + b\n") == []
    assert parsed == []
    engine.check_source(VULNERABLE)
    assert parsed == [1]


def test_rules_lists_the_catalogue():
    code, out, _ = run("rules")
    assert code == 0
    assert [line.split()[0] for line in out.splitlines()] == list(all_rules())
    assert "bearer-scheme-unchecked" in out


def test_console_script_runs_as_a_module(vulnerable):
    result = subprocess.run(
        [sys.executable, "-m", "flask_token_lint", "check", "--select", "FTL5", str(vulnerable)],
        capture_output=True, text=True,
    )
    assert result.returncode == 1
    assert result.stdout == (
        f"{vulnerable}:6:9: FTL501 Flask debug mode is enabled (debug=True)\n"
        "1 file checked: 1 finding, 0 fixed, 1 remaining (1 more with --unsafe-fixes)\n"
    )


def test_an_internal_error_is_one_line_and_the_run_goes_on(tmp_path, vulnerable, monkeypatch):
    crashing = tmp_path / "crash.py"
    crashing.write_text(VULNERABLE)
    real = Engine.check_source

    def check_source(self, source, filename="<unknown>", parse=None):
        if filename == str(crashing):
            raise RuntimeError("boom")
        return real(self, source, filename, parse)

    monkeypatch.setattr(Engine, "check_source", check_source)
    code, out, err = run("check", "--no-cache", str(tmp_path))
    assert code == 2
    assert err == f"flask-token-lint: internal error: {crashing}: RuntimeError: boom\n"
    assert codes_in(out) == VULNERABLE_CODES


@pytest.mark.parametrize("code", list(all_rules()))
def test_explain_prints_the_rule_page(code):
    exit_code, out, err = run("explain", code.lower())
    assert exit_code == 0 and err == ""
    rule = all_rules()[code]
    assert out.startswith(f"{code} {rule.symbol}: {rule.summary}\n")
    for heading in ("## What it does", "## Why is this bad?", "## Example", "## Use instead", "## Fix safety"):
        assert heading in out
    assert rule.bad_examples[0].rstrip() in out and rule.good_examples[0].rstrip() in out


def test_explain_an_unknown_code_exits_2():
    assert run("explain", "FTL999") == (
        2, "", "flask-token-lint: error: unknown rule code 'FTL999' (see 'flask-token-lint rules')\n"
    )
