"""Test and example code (``test-code``, ``test-code-paths``, ``extend-test-code-paths``) through every front-end.

Each test builds a small project in a temporary folder in which every file has one finding, runs the
real front-end over it once (the CLI in this process and once as a subprocess, flake8 and pylint as
subprocesses over the folder) and compares the files that were reported with the files that are not
test or example code.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from frontends import ROOT, run_cli, run_flake8, run_main, run_pylint

from flask_token_lint.files import Excluder, PathPatterns, matches_within, path_matches, python_files
from flask_token_lint.settings import DEFAULT_TEST_CODE_PATHS, Settings

# FTL501 on line 4 of every file of the project.
DEBUG_APP = "from flask import Flask\n\napp = Flask(__name__)\napp.run(debug=True)\n"

# Not test or example code under the default patterns: always checked.
CHECKED = (
    "app.py",
    "testing_utils.py",  # "testing" names a folder, not a file that starts with it
    "contest.py",
    "latest.py",
    "src/pkg/views.py",
    "src/pkg/test_data/loader.py",  # test_*.py names files; a folder test_data is not one
    "fixtures/demo_app/app.py",  # "demo" is a folder named exactly demo
    "scripts/seed.py",
)
# Test code and example code under the default patterns: skipped by default.
TEST_CODE = (
    "tests/test_auth.py",
    "tests/helpers.py",
    "test/factories.py",
    "testing/fake_idp.py",
    "src/pkg/tests/test_x.py",
    "src/pkg/tests/unit/deep.py",
    "test_top.py",
    "pkg/auth_test.py",
    "conftest.py",
    "src/pkg/conftest.py",
    "docs/conf.py",
    "examples/app.py",
    "example/run.py",
    "demo/server.py",
)
EVERY_FILE = CHECKED + TEST_CODE


def make_project(root: Path, files=EVERY_FILE) -> Path:
    for name in files:
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(DEBUG_APP)
    return root


def reported(found, project: Path) -> set[str]:
    """The project's files (relative, ``/``-separated) a front-end reported anything in."""
    return {
        Path(os.path.relpath(os.path.normpath(ROOT / key), project)).as_posix()
        for key, value in found.items()
        if value
    }


def cli_reported(project: Path, *argv: str, cwd: Path | None = None) -> set[str]:
    code, out, err = run_main("check", "--no-cache", "--format", "json", *argv, cwd=cwd or project)
    assert code in (0, 1), err
    base = cwd or project
    return {
        Path(os.path.relpath(os.path.normpath(base / row["path"]), project)).as_posix() for row in json.loads(out)
    }


def flake8_in(project: Path, *argv: str, cwd: Path | None = None) -> set[str]:
    """flake8 with its configuration files read (not ``--isolated``), over the folder."""
    result = subprocess.run(
        [sys.executable, "-m", "flake8", "--select", "FTL", *argv, "."],
        cwd=cwd or project, capture_output=True, text=True, timeout=600,
    )
    assert result.returncode in (0, 1), result.stdout + result.stderr
    base = cwd or project
    return {
        Path(os.path.relpath(os.path.normpath(base / line.split(":")[0]), project)).as_posix()
        for line in result.stdout.splitlines()
    }


def pylint_in(project: Path, *argv: str) -> set[str]:
    """pylint with the project's pyproject.toml read (no ``--rcfile``), over the folder."""
    result = subprocess.run(
        [
            sys.executable, "-m", "pylint", "--load-plugins=flask_token_lint.pylint_plugin", "--disable=all",
            "--enable=flask-token-lint", "--score=n", "--persistent=n", "--recursive=y",
            "--msg-template={path}\t{symbol}", *argv, ".",
        ],
        cwd=project, capture_output=True, text=True, timeout=600,
    )
    assert result.returncode < 32, result.stdout + result.stderr
    return {
        Path(line.split("\t")[0]).as_posix() for line in result.stdout.splitlines() if "\t" in line
    }


# -- the matching ---------------------------------------------------------------------------------


@pytest.mark.parametrize("path", TEST_CODE)
def test_default_patterns_name_test_and_example_code(path):
    assert matches_within(DEFAULT_TEST_CODE_PATHS, path)


@pytest.mark.parametrize("path", CHECKED)
def test_default_patterns_leave_other_code_alone(path):
    assert not matches_within(DEFAULT_TEST_CODE_PATHS, path)


@pytest.mark.parametrize(
    "pattern,path,expected",
    [
        ("tests", "tests/a.py", True),  # no "/": a folder name at any depth
        ("tests", "src/tests/a.py", True),
        ("tests", "src/tests_old/a.py", False),
        ("test_*.py", "a/b/test_c.py", True),  # no "/": a file name at any depth
        ("test_*.py", "test_dir/app.py", False),
        ("src/legacy", "src/legacy/a/b.py", True),  # with "/": anchored at the root, a folder covers its files
        ("src/legacy", "lib/src/legacy/a.py", False),
        ("src/*.py", "src/a.py", True),
        ("src/*.py", "src/sub/a.py", True),  # "*" crosses "/", as in flake8
        ("**/tests/**", "tests/a.py", True),  # "**/" may be no folder at all
        ("**/tests/**", "src/pkg/tests/unit/a.py", True),
        ("**/tests/**", "src/pkg/attests/a.py", False),
        ("src/**/fake_*.py", "src/fake_idp.py", True),
        ("src/**/fake_*.py", "src/a/b/fake_idp.py", True),
        ("./e2e/", "e2e/flow.py", True),  # a leading ./ and a trailing / are dropped
        ("contest.py", "conftest.py", False),
    ],
)
def test_one_matcher_for_test_code_paths(pattern, path, expected):
    assert matches_within([pattern], path) is expected


def test_the_matcher_is_the_one_excludes_and_per_file_ignores_use(tmp_path):
    (tmp_path / "pyproject.toml").write_text(
        '[tool.flask-token-lint]\ntest-code = "report"\nextend-exclude = ["**/generated/**"]\n'
        '[tool.flask-token-lint.per-file-ignores]\n"legacy" = ["FTL5"]\n"**/old_*.py" = ["FTL5"]\n'
    )
    make_project(tmp_path, ["app.py", "src/generated/models.py", "src/legacy/views.py", "old_app.py", "x/old_b.py"])
    assert cli_reported(tmp_path, ".") == {"app.py"}
    assert path_matches("**/generated/**", "generated/a.py")
    excluder = Excluder(["legacy"], str(tmp_path))
    assert excluder.skips_directory(str(tmp_path / "src" / "legacy"))
    named = [Path(p).name for p in python_files(str(tmp_path / "src" / "legacy"), excluder)]
    assert named == ["views.py"], "a folder named on the command line is walked even when excluded"


def test_paths_outside_the_root_are_matched_as_given(tmp_path):
    patterns = PathPatterns(DEFAULT_TEST_CODE_PATHS, tmp_path / "project")
    assert patterns.matches(str(tmp_path / "elsewhere" / "tests" / "a.py"))
    assert not patterns.matches(str(tmp_path / "elsewhere" / "a.py"))
    assert not PathPatterns((), tmp_path).matches(str(tmp_path / "tests" / "a.py"))


def test_settings_parse_the_options_and_name_bad_values():
    settings = Settings.from_values({"test-code": "report", "extend-test-code-paths": "e2e, bench"}, "here")
    assert settings.test_code_patterns == (*DEFAULT_TEST_CODE_PATHS, "e2e", "bench")
    assert not settings.skips_test_code and Settings().skips_test_code
    assert Settings.from_values({"test-code-paths": []}, "here").test_code_patterns == ()
    with pytest.raises(ValueError, match="here: test-code: expected one of skip, report, not 'sometimes'"):
        Settings.from_values({"test-code": "sometimes"}, "here")


# -- the CLI --------------------------------------------------------------------------------------


def test_cli_skips_test_and_example_code_by_default_and_reports_it_on_request(tmp_path):
    project = make_project(tmp_path)
    assert cli_reported(project, ".") == set(CHECKED)
    assert cli_reported(project, "--test-code", "report", ".") == set(EVERY_FILE)
    assert cli_reported(project, "--isolated", "--test-code=report", str(project)) == set(EVERY_FILE)


def test_cli_never_reads_a_skipped_file(tmp_path):
    """A dangling link named like a test: reading it would be an error (exit 2)."""
    project = make_project(tmp_path, ["app.py"])
    (project / "tests").mkdir()
    os.symlink(project / "missing.py", project / "tests" / "test_gone.py")
    assert run_main("check", "--no-cache", ".", cwd=project)[0] == 1
    code, _, err = run_main("check", "--no-cache", "--test-code", "report", ".", cwd=project)
    assert code == 2 and "test_gone.py" in err


def test_explicitly_named_test_and_example_files_are_skipped_too(tmp_path):
    """pre-commit names the files it checks: it must see what a CI run over the folder sees."""
    project = make_project(tmp_path)
    named = ["tests/test_auth.py", "docs/conf.py", "examples/app.py", "src/pkg/tests/test_x.py", "app.py"]
    assert cli_reported(project, *named) == {"app.py"}
    assert cli_reported(project, "--test-code", "report", *named) == set(named)
    named_folder = run_main("check", "tests", cwd=project)
    assert named_folder == (0, "", "All checks passed (0 files)\n"), "a test folder named on the command line"


def test_cli_output_says_nothing_extra_but_statistics_count_the_skipped_files(tmp_path):
    project = make_project(tmp_path)
    code, out, err = run_main("check", "--no-cache", ".", cwd=project)
    assert code == 1 and err == ""
    assert len(out.splitlines()) == len(CHECKED) + 1  # the findings and the summary line
    assert "test" not in out.splitlines()[-1]
    _, out, _ = run_main("check", "--no-cache", "--statistics", ".", cwd=project)
    assert f"{len(TEST_CODE):<5} files of test or example code not checked (test-code = \"skip\")" in out
    _, out, _ = run_main("check", "--no-cache", "--statistics", "--test-code", "report", ".", cwd=project)
    assert "not checked" not in out
    _, out, _ = run_main("check", "--no-cache", "--format", "json", "--statistics", ".", cwd=project)
    assert len(json.loads(out)) == len(CHECKED)


def test_cli_reads_the_options_from_pyproject_and_flags_win(tmp_path):
    project = make_project(tmp_path)
    pyproject = project / "pyproject.toml"
    pyproject.write_text('[tool.flask-token-lint]\ntest-code-paths = ["scripts", "src/pkg/tests"]\n')
    replaced = set(EVERY_FILE) - {"scripts/seed.py", "src/pkg/tests/test_x.py", "src/pkg/tests/unit/deep.py"}
    assert cli_reported(project, ".") == replaced, "test-code-paths replaces the defaults"

    pyproject.write_text('[tool.flask-token-lint]\nextend-test-code-paths = ["scripts/*.py"]\n')
    assert cli_reported(project, ".") == set(CHECKED) - {"scripts/seed.py"}, "extend- adds to the defaults"
    both = cli_reported(project, "--extend-test-code-paths", "latest.py,contest.py", ".")
    assert both == set(CHECKED) - {"scripts/seed.py", "latest.py", "contest.py"}, "flag and file extend- add up"
    replaced = cli_reported(project, "--test-code-paths", "app.py", ".")  # every file named app.py
    skipped = {"app.py", "examples/app.py", "fixtures/demo_app/app.py", "scripts/seed.py"}
    assert replaced == set(EVERY_FILE) - skipped, "the flag replaces the default patterns, not extend-"

    pyproject.write_text('[tool.flask-token-lint]\ntest-code = "report"\n')
    assert cli_reported(project, ".") == set(EVERY_FILE)
    assert cli_reported(project, "--test-code", "skip", ".") == set(CHECKED)


def test_patterns_are_relative_to_the_pyproject_else_the_current_directory(tmp_path):
    project = make_project(tmp_path)
    (project / "pyproject.toml").write_text('[tool.flask-token-lint]\nextend-test-code-paths = ["src/pkg/views.py"]\n')
    expected = {"src/pkg/test_data/loader.py"}
    assert cli_reported(project, ".", cwd=project / "src") == expected, "from a subfolder, still the pyproject's root"
    # --isolated: the current directory is the root, so the anchored pattern no longer names the file.
    isolated = cli_reported(project, "--isolated", "--extend-test-code-paths", "pkg/views.py", ".", cwd=project / "src")
    assert isolated == expected
    isolated = cli_reported(project, "--isolated", "--extend-test-code-paths", "pkg/views.py", ".")
    assert "src/pkg/views.py" in isolated


def test_the_cli_subprocess_and_the_demo_app(tmp_path):
    """The real command, once, over a folder; and fixtures/demo_app is never test code."""
    project = make_project(tmp_path)
    assert reported(run_cli([project], cwd=project), project) == set(CHECKED)
    demo = sorted((ROOT / "fixtures" / "demo_app").glob("*.py"))
    default = run_main("check", "--no-cache", "--format", "json", "fixtures/demo_app", cwd=ROOT)
    report = run_main("check", "--no-cache", "--format", "json", "--test-code", "report", "fixtures/demo_app", cwd=ROOT)
    assert default[0] == 1 and default == report
    assert {Path(row["path"]).name for row in json.loads(default[1])} >= {"app.py", "auth.py"}
    assert not any(PathPatterns(DEFAULT_TEST_CODE_PATHS, ROOT).matches(str(path)) for path in demo)


# -- flake8 -----------------------------------------------------------------------------------------


def test_flake8_skips_test_and_example_code_by_default_and_reports_it_on_request(tmp_path):
    project = make_project(tmp_path)
    assert reported(run_flake8([project], cwd=project), project) == set(CHECKED)
    assert reported(run_flake8([project], "--ftl-test-code=report", cwd=project), project) == set(EVERY_FILE)
    custom = run_flake8([project], "--ftl-test-code-paths=docs,examples", cwd=project)
    assert reported(custom, project) == set(EVERY_FILE) - {"docs/conf.py", "examples/app.py"}


def test_flake8_reads_the_options_from_setup_cfg_tox_ini_and_dot_flake8(tmp_path):
    project = make_project(tmp_path)
    (project / "setup.cfg").write_text("[flake8]\nftl-extend-test-code-paths = scripts, latest.py\n")
    assert flake8_in(project) == set(CHECKED) - {"scripts/seed.py", "latest.py"}
    (project / "setup.cfg").unlink()
    (project / "tox.ini").write_text("[flake8]\nftl-test-code = report\n")
    assert flake8_in(project) == set(EVERY_FILE)
    (project / "tox.ini").unlink()
    (project / ".flake8").write_text("[flake8]\nftl-test-code-paths = src/pkg/tests\n")
    assert flake8_in(project) == set(EVERY_FILE) - {"src/pkg/tests/test_x.py", "src/pkg/tests/unit/deep.py"}
    # Patterns are relative to the current directory: from src/, "pkg/tests" is that folder.
    from_src = flake8_in(project, "--ftl-test-code-paths=pkg/tests", cwd=project / "src")
    assert from_src == {"src/pkg/views.py", "src/pkg/test_data/loader.py", "src/pkg/conftest.py"}


def test_flake8_plugin_skips_a_test_file_it_is_handed(tmp_path):
    """flake8 names every file it checks: a test file named on its command line is still skipped."""
    project = make_project(tmp_path, ["tests/test_auth.py", "app.py"])
    files = [project / "tests" / "test_auth.py", project / "app.py"]
    assert reported(run_flake8(files, cwd=project), project) == {"app.py"}


# -- pylint -----------------------------------------------------------------------------------------


def test_pylint_skips_test_and_example_code_by_default_and_reports_it_on_request(tmp_path):
    project = make_project(tmp_path)
    assert reported(run_pylint([project], "--recursive=y", cwd=project), project) == set(CHECKED)
    every = run_pylint([project], "--recursive=y", "--ftl-test-code=report", cwd=project)
    assert reported(every, project) == set(EVERY_FILE)
    custom = run_pylint([project], "--recursive=y", "--ftl-extend-test-code-paths=scripts", cwd=project)
    assert reported(custom, project) == set(CHECKED) - {"scripts/seed.py"}


def test_pylint_reads_the_options_from_pyproject(tmp_path):
    project = make_project(tmp_path)
    (project / "pyproject.toml").write_text(
        '[tool.pylint.main]\nftl-test-code-paths = ["docs", "test_*.py"]\nftl-extend-test-code-paths = ["scripts"]\n'
    )
    skipped = {"docs/conf.py", "scripts/seed.py", "test_top.py", "tests/test_auth.py", "src/pkg/tests/test_x.py"}
    assert pylint_in(project) == set(EVERY_FILE) - skipped
    (project / "pyproject.toml").write_text('[tool.pylint.main]\nftl-test-code = "report"\n')
    assert pylint_in(project) == set(EVERY_FILE)


# -- FTL107 has no exemption of its own ----------------------------------------------------------------

FIXED_KEYS = """\
import pytest
from flask import Flask


@pytest.fixture
def app():
    app = Flask(__name__)
    app.config["SECRET_KEY"] = "test-secret"
    return app
"""


def test_fixed_keys_are_left_out_by_path_not_by_what_a_module_imports(tmp_path):
    """The rule's old test-module exemption (a module importing pytest) is gone: the policy decides."""
    for name in ("tests/test_keys.py", "tests/conftest.py", "app_factory.py"):
        (tmp_path / name).parent.mkdir(exist_ok=True)
        (tmp_path / name).write_text(FIXED_KEYS)
    assert cli_reported(tmp_path, ".") == {"app_factory.py"}
    assert cli_reported(tmp_path, "--test-code", "report", ".") == {
        "app_factory.py", "tests/test_keys.py", "tests/conftest.py"
    }
    assert reported(run_flake8([tmp_path], cwd=tmp_path), tmp_path) == {"app_factory.py"}
