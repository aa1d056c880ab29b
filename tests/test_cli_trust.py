"""The CLI must never be green by accident, never show a traceback, and say what it checked.

Each group runs the real CLI in this process (``run_main``) and at least once as
``python -m flask_token_lint`` in a subprocess.
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from frontends import ROOT, run_main

from flask_token_lint import cache as cache_module
from flask_token_lint import checker, cli
from flask_token_lint.catalogue import pylint_id
from flask_token_lint.registry import all_rules

DEBUG = "from flask import Flask\napp = Flask(__name__)\napp.run(debug=True)\n"
DEBUG_LINE = "3:9: FTL501 Flask debug mode is enabled (debug=True)"  # reported at debug=True
CLEAN = "from flask import Flask\napp = Flask(__name__)\n"
SELECTION_OPTIONS = ("--select", "--ignore", "--extend-select", "--extend-ignore")
BAD_SELECTORS = ("XYZ", "FTL1O1", "FTL9999")


def python(*argv: str, cwd: Path, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    """``python -m flask_token_lint ...`` in a real process."""
    environment = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run(
        [sys.executable, "-m", "flask_token_lint", *argv], cwd=cwd, capture_output=True, text=True,
        input=stdin, env=environment, timeout=120,
    )


def run_any(*argv: str, cwd: Path | None = None) -> tuple[int, str, str]:
    """``run_main``, but an argparse usage error (SystemExit, written to sys.stderr) is returned too."""
    saved = sys.stderr
    sys.stderr = captured = io.StringIO()
    try:
        code, out, err = run_main(*argv, cwd=cwd)
    except SystemExit as raised:
        code, out, err = int(raised.code or 0), "", ""
    finally:
        sys.stderr = saved
    return code, out, err + captured.getvalue()


def assert_one_line_error(code: int, err: str) -> None:
    assert code == 2, err
    assert "Traceback" not in err
    lines = err.splitlines()
    assert len(lines) == 1 and lines[0].startswith("flask-token-lint: error: "), err


@pytest.fixture(autouse=True)
def _no_clean_run_line(monkeypatch):
    """These tests read stderr exactly; the one about "All checks passed" turns it on itself."""
    monkeypatch.setattr(cli, "ANNOUNCE_CLEAN", False)


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "app.py").write_text(DEBUG)
    return tmp_path


# 1. Never green by accident -------------------------------------------------------------------


@pytest.mark.parametrize("option", SELECTION_OPTIONS)
@pytest.mark.parametrize("selector", BAD_SELECTORS)
def test_an_unknown_selector_on_the_command_line_exits_2_naming_it_and_the_option(project, option, selector):
    code, out, err = run_main("check", "--no-cache", option, f"FTL5,{selector.lower()}", str(project))
    assert_one_line_error(code, err)
    assert out == ""
    assert f"{option}: unknown rule selector {selector!r}" in err or f"{option}: " in err and selector in err


@pytest.mark.parametrize("selector", BAD_SELECTORS)
def test_an_unknown_selector_in_per_file_ignores_on_the_command_line_exits_2(project, selector):
    code, _, err = run_main("check", "--no-cache", "--per-file-ignores", f"app.py:FTL5,{selector}", str(project))
    assert_one_line_error(code, err)
    assert err.startswith("flask-token-lint: error: --per-file-ignores: ") and selector in err


@pytest.mark.parametrize("key", ["select", "ignore", "extend-select", "extend-ignore", "per-file-ignores"])
@pytest.mark.parametrize("selector", BAD_SELECTORS)
def test_an_unknown_selector_in_pyproject_exits_2_naming_the_file_and_key(project, key, selector):
    if key == "per-file-ignores":
        table = f'[tool.flask-token-lint.per-file-ignores]\n"app.py" = ["{selector}"]\n'
    else:
        table = f'[tool.flask-token-lint]\n{key} = ["FTL5", "{selector}"]\n'
    (project / "pyproject.toml").write_text(table)
    code, out, err = run_main("check", "--no-cache", str(project / "app.py"))
    assert_one_line_error(code, err)
    assert out == ""
    assert err.startswith(f"flask-token-lint: error: {project / 'pyproject.toml'}: [tool.flask-token-lint] {key}")
    assert selector in err


@pytest.mark.parametrize("option", SELECTION_OPTIONS)
@pytest.mark.parametrize("prefix", ["FTL", "FTL1", "FTL10", "FTL101", "ftl5"])
def test_valid_prefixes_stay_valid(project, option, prefix):
    code, _, err = run_main("check", "--no-cache", option, prefix, str(project))
    assert code in (0, 1) and err == "", err


def test_an_unknown_selector_exits_2_in_a_real_process(project):
    result = python("check", "--no-cache", "--select", "FTL1O1", ".", cwd=project)
    assert result.returncode == 2 and result.stdout == ""
    assert result.stderr == (
        "flask-token-lint: error: --select: unknown rule selector 'FTL1O1' (see 'flask-token-lint rules')\n"
    )
    (project / "pyproject.toml").write_text('[tool.flask-token-lint]\nextend-ignore = ["XYZ"]\n')
    result = python("check", "--no-cache", ".", cwd=project)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "pyproject.toml: [tool.flask-token-lint] extend-ignore: unknown rule selector 'XYZ'" in result.stderr


def test_an_unreadable_folder_met_in_the_walk_is_reported_and_exits_2(project, monkeypatch):
    locked = project / "locked"
    locked.mkdir()
    (locked / "hidden.py").write_text(DEBUG)
    real_scandir = os.scandir

    def scandir(path="."):
        if os.path.abspath(path) == str(locked):
            raise PermissionError(13, "Permission denied", str(path))
        return real_scandir(path)

    monkeypatch.setattr(os, "scandir", scandir)
    code, out, err = run_main("check", "--no-cache", str(project))
    assert code == 2
    assert err == f"flask-token-lint: error: {locked}: permission denied\n"
    assert out.splitlines()[0] == f"{project / 'app.py'}:{DEBUG_LINE}", "the rest is still checked"


def test_an_unreadable_folder_in_a_real_process(project):
    """``python -m flask_token_lint`` (run_module) in a process whose os.scandir refuses one folder."""
    (project / "locked").mkdir()
    (project / "locked" / "hidden.py").write_text(DEBUG)
    script = (
        "import os, runpy, sys\n"
        "real = os.scandir\n"
        "def scandir(path='.'):\n"
        "    if os.path.basename(os.path.abspath(path)) == 'locked':\n"
        "        raise PermissionError(13, 'Permission denied', path)\n"
        "    return real(path)\n"
        "os.scandir = scandir\n"
        "sys.argv = ['flask_token_lint', 'check', '--no-cache', '.']\n"
        "runpy.run_module('flask_token_lint', run_name='__main__', alter_sys=True)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=project, capture_output=True, text=True, timeout=120,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert result.returncode == 2
    assert result.stderr == "flask-token-lint: error: ./locked: permission denied\n"
    assert result.stdout.startswith(f"./app.py:{DEBUG_LINE}")


def test_a_path_without_python_files_warns(tmp_path):
    (tmp_path / "notes.txt").write_text("nothing to see\n")
    code, out, err = run_main("check", "--no-cache", str(tmp_path))
    assert (code, out) == (0, "")
    assert err == f"flask-token-lint: warning: No Python files found under {tmp_path}\n"
    result = python("check", "--no-cache", ".", cwd=tmp_path)
    assert result.returncode == 0
    assert result.stderr.startswith("flask-token-lint: warning: No Python files found under .\n")


def test_a_clean_text_run_says_how_many_files_it_checked_and_the_other_formats_stay_pure(tmp_path, monkeypatch):
    monkeypatch.setattr(cli, "ANNOUNCE_CLEAN", True)
    for name in ("a.py", "b.py"):
        (tmp_path / name).write_text(CLEAN)
    (tmp_path / "tests").mkdir()
    (tmp_path / "tests" / "test_a.py").write_text(CLEAN)  # test code is not checked, so not counted
    assert run_main("check", "--no-cache", str(tmp_path)) == (0, "", "All checks passed (2 files)\n")
    assert run_main("check", "--no-cache", str(tmp_path / "a.py")) == (0, "", "All checks passed (1 file)\n")
    assert run_main("check", "--no-cache", "-q", str(tmp_path)) == (0, "", "")
    for output_format in ("json", "sarif", "github"):
        code, out, err = run_main("check", "--no-cache", "--format", output_format, str(tmp_path))
        assert code == 0 and err == "" and "All checks" not in out


# 2. No tracebacks, exit 2 -----------------------------------------------------------------------


def test_output_file_in_a_missing_folder_is_created(project):
    result = python("check", "--no-cache", "--format", "sarif", "--output-file", "reports/ci/ftl.sarif", ".",
                    cwd=project)
    assert result.returncode == 1, result.stderr
    assert json.loads((project / "reports" / "ci" / "ftl.sarif").read_text())["version"] == "2.1.0"


def test_output_file_that_is_a_folder_is_a_one_line_error(project):
    (project / "reports").mkdir()
    code, out, err = run_main("check", "--no-cache", "--output-file", str(project / "reports"), str(project))
    assert_one_line_error(code, err)
    assert err == f"flask-token-lint: error: --output-file: {project / 'reports'} is a folder, not a file\n"


def test_write_baseline_into_a_missing_folder_is_created(project):
    baseline = project / "lint" / "baselines" / "ftl.json"
    code, _, err = run_main("check", "--no-cache", "--write-baseline", str(baseline), str(project))
    assert code == 0, err
    assert json.loads(baseline.read_text())["findings"][0]["code"] == "FTL501"
    assert run_main("check", "--no-cache", "--baseline", str(baseline), str(project))[0] == 0


def test_a_folder_above_the_path_that_cannot_be_looked_into_is_passed_over(tmp_path, monkeypatch):
    """config.find_config skips a level whose pyproject.toml cannot be stat'ed and goes on upward."""
    (tmp_path / "pyproject.toml").write_text('[tool.flask-token-lint]\nselect = ["FTL4"]\n')
    inner = tmp_path / "locked" / "src"
    inner.mkdir(parents=True)
    (inner / "app.py").write_text(DEBUG)
    real_is_file = Path.is_file

    def is_file(self):
        if self == tmp_path / "locked" / "pyproject.toml":
            raise PermissionError(13, "Permission denied", str(self))
        return real_is_file(self)

    monkeypatch.setattr(Path, "is_file", is_file)
    code, out, err = run_main("check", "--no-cache", str(inner))
    assert (code, out, err) == (0, "", ""), "the pyproject.toml above it still applies: FTL4 only"


def test_a_pyproject_that_is_there_but_unreadable_is_an_error(project, monkeypatch):
    (project / "pyproject.toml").write_text('[tool.flask-token-lint]\nselect = ["FTL4"]\n')
    real_open = open

    def guarded(file, *args, **kwargs):
        if str(file) == str(project / "pyproject.toml"):
            raise PermissionError(13, "Permission denied", str(file))
        return real_open(file, *args, **kwargs)

    monkeypatch.setattr("builtins.open", guarded)
    code, _, err = run_main("check", "--no-cache", str(project / "app.py"))
    assert_one_line_error(code, err)
    assert "pyproject.toml: cannot read: Permission denied" in err


def _check_help_options() -> list[str]:
    """Every option ``check --help`` lists."""
    action_groups = cli._parser()._subparsers._group_actions[0].choices["check"]._actions  # type: ignore[union-attr]
    return sorted(option for action in action_groups for option in action.option_strings if option.startswith("--"))


FLAGS = [
    "--force-exclude", "--show-source", "--statistics", "--quiet", "--exit-zero", "--fix", "--unsafe-fixes",
    "--diff", "--fix-baselined", "--no-cache", "--no-project", "--isolated", "--explain-flow", "--show-flow",
]
# Each option taking a value, with values it must refuse; "{p}" is the project folder.
BAD_VALUES: dict[str, list[list[str]]] = {
    "--select": [["--select", "XYZ"]],
    "--ignore": [["--ignore", "FTL1O1"]],
    "--extend-select": [["--extend-select", "FTL9999"]],
    "--extend-ignore": [["--extend-ignore", "bad code"]],
    "--per-file-ignores": [["--per-file-ignores", "app.py"], ["--per-file-ignores", "app.py:XYZ"],
                           ["--per-file-ignores", ":FTL1"]],
    "--exclude": [["--exclude", "build", "{p}/missing"]],
    "--extend-exclude": [["--extend-exclude", "build", "{p}/missing"]],
    "--stdin-filename": [["--stdin-filename", "app.py"]],  # without "-" among the paths
    "--format": [["--format", "xml"]],
    "--output-file": [["--output-file", "{p}"], ["--output-file", "{p}/app.py/report.txt"]],
    "--jobs": [["--jobs", "0"], ["--jobs", "many"], ["-j", "-3"]],
    "--cache-dir": [["--cache-dir", "{p}/app.py"]],
    "--write-baseline": [["--write-baseline", "{p}"], ["--write-baseline", "{p}/app.py/b.json"]],
    "--baseline": [["--baseline", "{p}/missing.json"], ["--baseline", "{p}"], ["--baseline", "{p}/app.py"]],
    "--config": [["--config", "{p}/missing.toml"], ["--config", "{p}"], ["--config", "{p}/app.py"]],
    "--cookie-scope": [["--cookie-scope", "some"]],
    "--trusted-hosts": [["--trusted-hosts", "internal", "{p}/missing.py"]],
    "--token-headers": [["--token-headers", "X-Key", "{p}/missing.py"]],
    "--token-names": [["--token-names", "sso", "{p}/missing.py"]],
    "--max-leeway": [["--max-leeway", "soon"], ["--max-leeway", "-5"]],
    "--max-token-lifetime": [["--max-token-lifetime", "soon"], ["--max-token-lifetime", "-5"]],
    "--test-code": [["--test-code", "sometimes"]],
    "--test-code-paths": [["--test-code-paths", "tests", "{p}/missing.py"]],
    "--extend-test-code-paths": [["--extend-test-code-paths", "e2e", "{p}/missing.py"]],
}
MISUSES = [
    ["--unsafe-fixes", "{p}"], ["--fix", "-"], ["{p}/missing.py"], ["{p}/missing"],
]


def _cases() -> list[list[str]]:
    cases = []
    for flag in FLAGS:
        cases.append([f"{flag}=yes", "{p}"])  # a flag takes no value
        cases.append([flag, "{p}/missing.py"])  # a bad path
    for option, bads in BAD_VALUES.items():
        cases.append(["{p}", option])  # the value is missing
        cases.extend(bads)
    return cases + MISUSES


def test_the_sweep_covers_every_option_of_check_help():
    covered = {argument.split("=")[0] for case in _cases() for argument in case if argument.startswith("--")}
    assert set(_check_help_options()) - {"--help"} <= covered | {"--quiet"}
    assert {"--quiet", "--jobs"} <= covered


@pytest.mark.parametrize("case", _cases(), ids=lambda case: " ".join(case))
def test_every_check_option_refuses_bad_values_and_paths_in_one_line_with_exit_2(project, case, monkeypatch):
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(DEBUG.encode())))
    argv = [argument.replace("{p}", str(project)) for argument in case]
    if not any(a == "-" or a.startswith(str(project)) for a in argv if not a.startswith("--")):
        argv.append(str(project))
    code, _, err = run_any("check", "--no-cache", *argv)
    assert_one_line_error(code, err)
    assert (project / "app.py").read_text() == DEBUG, "nothing was fixed"


@pytest.mark.parametrize("case", [
    ["--format", "xml", "."], ["--jobs", "many", "."], ["--output-file", ".", "."], ["--config", "nope.toml", "."],
    ["--max-leeway", "-5", "."], ["--fix", "-"], ["--select", "FTL1O1", "."], ["nope.py"], ["--exit-zero=1", "."],
])
def test_bad_options_exit_2_without_a_traceback_in_a_real_process(project, case):
    result = python("check", "--no-cache", *case, cwd=project, stdin=DEBUG)
    assert_one_line_error(result.returncode, result.stderr)


def test_subcommand_usage_errors_are_one_line():
    for argv in (["nope"], [], ["explain"], ["clean", "--cache-dir"]):
        code, _, err = run_any(*argv)
        assert_one_line_error(code, err)


# 3. Paths ---------------------------------------------------------------------------------------


def test_check_without_a_path_checks_the_current_folder(project):
    code, out, _ = run_main("check", "--no-cache", cwd=project)
    assert code == 1 and out.splitlines()[0] == f"./app.py:{DEBUG_LINE}"


def test_stdin_with_stdin_filename_uses_it_for_config_per_file_ignores_test_code_and_output(tmp_path, monkeypatch):
    (tmp_path / "pyproject.toml").write_text(
        '[tool.flask-token-lint]\nignore = ["FTL4"]\n[tool.flask-token-lint.per-file-ignores]\n"legacy/*" = ["FTL5"]\n'
    )
    source = DEBUG + "def view(resp):\n    resp.set_cookie('session', 'x')\n"

    def run_stdin(*argv: str, cwd: Path = tmp_path) -> tuple[int, str, str]:
        monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(source.encode())))
        return run_main("check", "--no-cache", *argv, cwd=cwd)

    code, out, _ = run_stdin("-", "--stdin-filename", "src/views.py")
    assert code == 1 and out.splitlines()[:-1] == [f"src/views.py:{DEBUG_LINE}"], "FTL4 ignored by the pyproject"
    assert run_stdin("-", "--stdin-filename", "legacy/views.py") == (0, "", ""), "per-file-ignores"
    assert run_stdin("-", "--stdin-filename", "tests/test_views.py") == (0, "", ""), "test code is skipped"
    code, out, _ = run_stdin("-", "--stdin-filename", "tests/test_views.py", "--test-code", "report")
    assert code == 1 and out.startswith(f"tests/test_views.py:{DEBUG_LINE}")
    code, out, _ = run_stdin("-", cwd=ROOT)  # no name: shown as "-", configuration from the current folder
    assert code == 1 and "-:5:5: FTL401" in out and out.startswith(f"-:{DEBUG_LINE}")


def test_stdin_in_a_real_process(tmp_path):
    result = python("check", "--no-cache", "--format", "json", "-", "--stdin-filename", "web/app.py",
                    cwd=tmp_path, stdin=DEBUG)
    assert result.returncode == 1, result.stderr
    assert [(row["path"], row["code"]) for row in json.loads(result.stdout)] == [("web/app.py", "FTL501")]


def test_exit_zero_keeps_the_report_and_exits_0_but_errors_still_exit_2(project):
    code, out, _ = run_main("check", "--no-cache", "--exit-zero", str(project))
    assert code == 0 and DEBUG_LINE in out
    assert run_main("check", "--no-cache", "--exit-zero", str(project / "nope.py"))[0] == 2
    assert python("check", "--no-cache", "--exit-zero", ".", cwd=project).returncode == 0


def test_exclude_extend_exclude_and_per_file_ignores_on_the_command_line(project):
    for folder in ("generated", "vendor", "build", "legacy"):
        (project / folder).mkdir()
        (project / folder / "views.py").write_text(DEBUG)

    def checked(*argv: str) -> set[str]:
        _, out, _ = run_main("check", "--no-cache", "--format", "json", *argv, ".", cwd=project)
        return {row["path"].removeprefix("./") for row in json.loads(out)}

    assert checked() == {"app.py", "generated/views.py", "vendor/views.py", "legacy/views.py"}
    assert checked("--extend-exclude", "generated,vendor") == {"app.py", "legacy/views.py"}
    assert checked("--exclude", "legacy") == {"app.py", "generated/views.py", "vendor/views.py", "build/views.py"}
    assert checked("--per-file-ignores", "legacy/*:FTL5 generated/*:FTL501", "--per-file-ignores", "vendor:FTL") == {
        "app.py"
    }
    (project / "pyproject.toml").write_text(
        '[tool.flask-token-lint]\nextend-exclude = ["vendor"]\n[tool.flask-token-lint.per-file-ignores]\n'
        '"legacy/*" = ["FTL4"]\n'
    )
    assert checked("--extend-exclude", "generated", "--per-file-ignores", "legacy/*:FTL5") == {"app.py"}
    result = python("check", "--no-cache", "--extend-exclude", "generated,vendor,legacy", "--format", "json", ".",
                    cwd=project)
    assert [row["path"] for row in json.loads(result.stdout)] == ["./app.py"]


def test_force_exclude_applies_the_excludes_to_named_files(project):
    (project / "migrations").mkdir()
    (project / "migrations" / "0001.py").write_text(DEBUG)
    (project / "pyproject.toml").write_text('[tool.flask-token-lint]\nextend-exclude = ["migrations"]\n')
    named = ("migrations/0001.py", "app.py")
    code, out, _ = run_main("check", "--no-cache", *named, cwd=project)
    assert code == 1 and out.count("FTL501") == 2, "without --force-exclude a named file is checked"
    code, out, _ = run_main("check", "--no-cache", "--force-exclude", *named, cwd=project)
    assert code == 1 and out.splitlines()[:-1] == [f"app.py:{DEBUG_LINE}"]
    code, out, _ = run_main("check", "--no-cache", "--force-exclude", "build/x.py", "migrations", cwd=project)
    assert code == 2, "build/x.py does not exist: still an error"
    result = python("check", "--no-cache", "--force-exclude", "migrations/0001.py", cwd=project)
    assert result.returncode == 0 and result.stdout == ""


@pytest.mark.parametrize("code", ["FTL501", "ftl201", "FTL001"])
def test_explain_accepts_a_code_a_pylint_symbol_and_a_pylint_id_in_any_case(code):
    rule = all_rules()[code.upper()]
    names = [code, rule.symbol, rule.symbol.upper()]
    if pylint_id(code.upper()):
        names += [pylint_id(code.upper()), pylint_id(code.upper()).lower()]
    for name in names:
        exit_code, out, err = run_main("explain", name)
        assert exit_code == 0 and err == "" and out.startswith(f"{code.upper()} {rule.symbol}: ")


def test_explain_by_symbol_in_a_real_process_and_unknown_exits_2(tmp_path):
    result = python("explain", "JWT-Unverified-Decode", cwd=tmp_path)
    assert result.returncode == 0 and result.stdout.startswith("FTL101 jwt-unverified-decode: ")
    result = python("explain", "w7311", cwd=tmp_path)
    assert result.returncode == 0 and result.stdout.startswith("FTL101 ")
    for unknown in ("W9999", "jwt-nope", "FTL999"):
        result = python("explain", unknown, cwd=tmp_path)
        assert_one_line_error(result.returncode, result.stderr)


# 4. Long runs and the cache ---------------------------------------------------------------------


class FakeTerminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_the_progress_bar_appears_only_after_the_delay_and_is_cleared():
    now = [0.0]
    stream = FakeTerminal()
    progress = cli.Progress(stream, total=4, enabled=True, delay=2.0, clock=lambda: now[0])
    progress.advance()
    assert stream.getvalue() == "", "a short run draws nothing"
    now[0] = 2.5
    progress.advance()
    assert stream.getvalue().endswith("2/4 files") and "[" + "#" * 15 + " " * 15 + "]" in stream.getvalue()
    progress.advance(2)
    assert stream.getvalue().endswith("4/4 files")
    progress.clear()
    assert stream.getvalue().endswith("\r") and not progress.shown


def test_no_progress_bar_when_disabled():
    stream = FakeTerminal()
    progress = cli.Progress(stream, total=4, enabled=False, delay=0, clock=lambda: 10.0)
    progress.advance(4)
    progress.clear()
    assert stream.getvalue() == ""


class Terminal:
    """run_main's stderr, but a terminal."""

    def __init__(self) -> None:
        self.text = io.StringIO()

    def write(self, text: str) -> int:
        return self.text.write(text)

    def flush(self) -> None:
        pass

    def isatty(self) -> bool:
        return True


def test_progress_bar_on_a_terminal_stderr_not_when_quiet_nor_on_a_pipe(project, monkeypatch):
    for index in range(3):
        (project / f"clean{index}.py").write_text(CLEAN)
    monkeypatch.setattr(cli, "PROGRESS_DELAY", 0.0)
    err = Terminal()
    out = io.StringIO()
    assert cli.main(["check", "--no-cache", "-j", "1", str(project)], stdout=out, stderr=err) == 1  # type: ignore
    assert "4/4 files" in err.text.getvalue() and "\r[" in err.text.getvalue()
    assert "4/4" not in out.getvalue() and "\r" not in out.getvalue(), "stdout stays clean of the progress bar"
    quiet = Terminal()
    cli.main(["check", "--no-cache", "-q", str(project)], stdout=io.StringIO(), stderr=quiet)  # type: ignore
    assert quiet.text.getvalue() == ""
    assert run_main("check", "--no-cache", str(project))[2] == "", "not a terminal"
    result = python("check", "--no-cache", ".", cwd=project)
    assert "files\r" not in result.stderr and "[#" not in result.stderr


def test_findings_are_written_in_path_order_as_each_file_finishes(tmp_path, monkeypatch):
    for name in ("b.py", "a.py", "c/z.py", "c.py"):
        (tmp_path / name).parent.mkdir(exist_ok=True)
        (tmp_path / name).write_text(DEBUG)
    events: list[str] = []

    class Recorder(io.StringIO):
        def write(self, text: str) -> int:
            events.extend(f"wrote {line.split(':')[0]}" for line in text.splitlines() if "FTL501" in line)
            return super().write(text)

    real = cli.process_file

    def process_file(checker, path, arguments, source=None):
        events.append(f"check {path}")
        return real(checker, path, arguments, source)

    monkeypatch.setattr(cli, "process_file", process_file)
    code, out, _ = run_main("check", "--no-cache", "-j", "1", ".", out=Recorder(), cwd=tmp_path)
    assert code == 1
    order = ["./a.py", "./b.py", "./c.py", "./c/z.py"]
    assert events == [event for path in order for event in (f"check {path}", f"wrote {path}")]
    serial = run_main("check", "--no-cache", "-j", "1", "--format", "json", ".", cwd=tmp_path)
    assert [row["path"] for row in json.loads(serial[1])] == order


def test_the_cache_lives_in_the_project_root_and_clean_removes_it(tmp_path, monkeypatch):
    monkeypatch.setattr(checker, "DEFAULT_DIRECTORY", cache_module.DEFAULT_DIRECTORY)  # conftest moves it to a tmp dir
    project = tmp_path / "project"
    (project / "src").mkdir(parents=True)
    (project / "src" / "app.py").write_text(DEBUG)
    (project / "pyproject.toml").write_text('[tool.flask-token-lint]\nignore = ["FTL4"]\n')
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    assert run_main("check", str(project / "src"), cwd=elsewhere)[0] == 1
    assert (project / ".flask_token_lint_cache" / ".gitignore").is_file()
    assert not (elsewhere / ".flask_token_lint_cache").exists()
    assert not (project / "src" / ".flask_token_lint_cache").exists()
    code, _, err = run_main("check", "--statistics", str(project / "src"), cwd=elsewhere)
    assert code == 1 and f"flask-token-lint: cache {project / '.flask_token_lint_cache'}: 1 entries, " in err
    result = python("clean", cwd=project / "src")
    assert result.returncode == 0 and "removed the cache" in result.stderr
    assert not (project / ".flask_token_lint_cache").exists()
    assert python("clean", cwd=project).stderr.startswith("flask-token-lint: no cache in ")
    # Without a configuration file the project root is the current folder.
    (project / "pyproject.toml").unlink()
    assert run_main("check", str(project / "src"), cwd=elsewhere)[0] == 1
    assert (elsewhere / ".flask_token_lint_cache").is_dir()


def test_clean_refuses_a_folder_the_tool_did_not_create(tmp_path):
    precious = tmp_path / "precious"
    precious.mkdir()
    (precious / "data.txt").write_text("keep me\n")
    code, _, err = run_main("clean", "--cache-dir", str(precious))
    assert code == 0 and "no cache in" in err and (precious / "data.txt").exists()


def test_the_cache_keeps_only_the_most_recent_settings_and_drops_old_layouts(tmp_path):
    cache = tmp_path / "cache"
    source = tmp_path / "app.py"
    source.write_text(DEBUG)
    (cache / "v1" / "ab").mkdir(parents=True)  # a cache from an older release
    (cache / "v1" / "ab" / "old.json").write_text("[]")
    for leeway in range(1, 8):
        assert run_main("check", "--cache-dir", str(cache), "--max-leeway", str(leeway), str(source))[0] == 1
        variants = list((cache / "v3").iterdir())
        assert len(variants) == min(leeway, cache_module.KEEP_VARIANTS)
    assert not (cache / "v1").exists()
    entries, size = cache_module.size(str(cache))
    assert entries == cache_module.KEEP_VARIANTS and size > 0
    # The variant just used is kept whatever the clocks say.
    latest = max((cache / "v3").iterdir(), key=lambda p: p.stat().st_mtime).name
    removed = cache_module.prune(str(cache), keep=latest, variants=1)
    assert len(removed) == cache_module.KEEP_VARIANTS - 1 and [p.name for p in (cache / "v3").iterdir()] == [latest]
