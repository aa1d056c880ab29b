"""``[tool.flask-token-lint]`` read by the flake8 and pylint plugins too, to the CLI's effect.

Each front-end is started once over a folder (the real ``flake8`` and ``pylint``, as a user
runs them), never once per file.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from frontends import run_cli, run_pylint

from flask_token_lint import config as config_module
from flask_token_lint.flake8_plugin import ProjectConfigs
from flask_token_lint.registry import all_rules

APP = '''\
import jwt
import requests
from flask import Flask, make_response

app = Flask(__name__)


def prefs(resp):
    resp.set_cookie("theme", "dark")


def login():
    resp = make_response("ok")
    resp.set_cookie("session", "x")
    return resp


def service_token():
    return requests.post("http://internal.corp/oauth/token", timeout=5)


def user(token, key):
    return jwt.decode(token, key, algorithms=["HS256"], audience="a", leeway=3600 * 48)


def issuer(token, key):
    return jwt.decode(token, key, algorithms=["RS256"], audience="a")


if __name__ == "__main__":
    app.run(debug=True)
'''
# What each file reports with no configuration at all (FTL106 is off by default).
DEFAULT = {(14, "FTL401"), (14, "FTL402"), (14, "FTL403"), (19, "FTL503"), (23, "FTL105"), (31, "FTL501")}
THEME = {(9, "FTL401"), (9, "FTL402"), (9, "FTL403")}  # cookie-scope = "all"
FILES = ("app/views.py", "legacy/old.py", "legacy/deep/older.py", "scripts/tool.py")
PYPROJECT = """\
[tool.flask-token-lint]
extend-ignore = ["FTL105"]
cookie-scope = "all"

[tool.flask-token-lint.per-file-ignores]
"legacy" = ["FTL5"]
"scripts/*.py" = ["FTL403"]
"""


def _project(root: Path, pyproject: str | None = PYPROJECT) -> list[Path]:
    paths = []
    for name in FILES:
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(APP, encoding="utf-8")
        paths.append(path)
    if pyproject is not None:
        (root / "pyproject.toml").write_text(pyproject, encoding="utf-8")
    return paths


def flake8(folder: Path, *options: str, cwd: Path) -> dict[str, set[tuple[int, str]]]:
    """The real flake8 once over ``folder``, with no flake8 configuration but ``options``."""
    command = [sys.executable, "-m", "flake8", "--select", "FTL", *options]
    command += ["--format", "%(path)s\t%(row)d\t%(code)s", str(folder)]
    result = subprocess.run(command, cwd=cwd, capture_output=True, text=True, timeout=600)
    assert result.returncode in (0, 1), result.stdout + result.stderr
    found: dict[str, set[tuple[int, str]]] = {}
    for line in result.stdout.splitlines():
        path, row, code = line.split("\t")
        found.setdefault(Path(os.path.abspath(os.path.join(cwd, path))).relative_to(cwd).as_posix(), set()).add(
            (int(row), code)
        )
    return found


def pylint(folder: Path, *options: str, cwd: Path, disable_all: bool = True) -> dict[str, set[tuple[int, str]]]:
    """The real pylint once over ``folder``: only this plugin's messages, no pylint configuration.

    (``--enable=flask-token-lint`` would also turn on FTL106, as flake8's ``--select FTL`` does.) Without
    ``disable_all`` pylint's own checks run too and only this plugin's messages are kept.
    """
    symbols = {rule.symbol: code for code, rule in all_rules().items()}
    default = [rule.symbol for code, rule in all_rules().items() if rule.default_enabled and code != "FTL001"]
    command = [
        sys.executable, "-m", "pylint", "--rcfile", os.devnull, "--load-plugins=flask_token_lint.pylint_plugin",
        *(["--disable=all", f"--enable={','.join(default)}"] if disable_all else []), "--score=n", "--persistent=n",
        "--msg-template={path}\t{line}\t{symbol}", *options, str(folder),
    ]
    result = subprocess.run(command, cwd=cwd, capture_output=True, text=True, timeout=600)
    assert result.returncode < 32, result.stdout + result.stderr
    found: dict[str, set[tuple[int, str]]] = {}
    for line in result.stdout.splitlines():
        if line.startswith("*") or not line.strip():
            continue
        path, row, symbol = line.split("\t")
        if symbol not in symbols:
            continue
        found.setdefault(Path(os.path.abspath(os.path.join(cwd, path))).relative_to(cwd).as_posix(), set()).add(
            (int(row), symbols[symbol])
        )
    return found


def cli(paths: list[Path], *options: str, cwd: Path) -> dict[str, set[tuple[int, str]]]:
    found = run_cli(paths, *options, cwd=cwd)
    result = {}
    for key, value in found.items():
        relative = Path(os.path.abspath(os.path.join(Path(__file__).resolve().parent.parent, key))).relative_to(cwd)
        if value:
            result[relative.as_posix()] = {(line, code) for line, _, code in value}
    return result


def test_pyproject_only_gives_the_same_findings_in_the_cli_flake8_and_pylint(tmp_path):
    paths = _project(tmp_path)
    expected_default = (DEFAULT | THEME) - {(23, "FTL105")}
    expected = {
        "app/views.py": expected_default,
        "legacy/old.py": {f for f in expected_default if not f[1].startswith("FTL5")},
        "legacy/deep/older.py": {f for f in expected_default if not f[1].startswith("FTL5")},
        "scripts/tool.py": {f for f in expected_default if f[1] != "FTL403"},
    }
    assert cli(paths, cwd=tmp_path) == expected
    assert flake8(tmp_path, cwd=tmp_path) == {
        # flake8 --select FTL also turns on FTL106, as the CLI's --select FTL does
        path: {*codes, (23, "FTL106"), (27, "FTL106")} for path, codes in expected.items()
    }
    assert flake8(tmp_path, "--extend-ignore", "FTL106", cwd=tmp_path) == expected
    assert pylint(tmp_path, cwd=tmp_path) == expected
    # run from another folder: the pyproject.toml is found from each file, not from the current folder
    elsewhere = tmp_path.parent
    assert flake8(tmp_path, "--extend-ignore", "FTL106", cwd=elsewhere) == {
        f"{tmp_path.name}/{path}": codes for path, codes in expected.items()
    }
    assert pylint(tmp_path, cwd=elsewhere) == {f"{tmp_path.name}/{path}": codes for path, codes in expected.items()}


def test_without_a_table_nothing_changes_and_isolated_flake8_ignores_the_file(tmp_path):
    _project(tmp_path, pyproject='[project]\nname = "x"\n')
    every = {name: DEFAULT for name in FILES}
    assert flake8(tmp_path, "--extend-ignore", "FTL106", cwd=tmp_path) == every
    assert pylint(tmp_path, cwd=tmp_path) == every
    (tmp_path / "pyproject.toml").write_text(PYPROJECT)
    assert flake8(tmp_path, "--isolated", "--extend-ignore", "FTL106", cwd=tmp_path) == every


def test_the_front_ends_own_options_win_over_the_pyproject(tmp_path):
    _project(tmp_path)
    only_app = tmp_path / "app"
    expected = {"app/views.py": DEFAULT - {(23, "FTL105")}}  # cookie-scope back to credential
    assert flake8(only_app, "--extend-ignore", "FTL106", "--ftl-cookie-scope", "credential", cwd=tmp_path) == expected
    (tmp_path / "setup.cfg").write_text("[flake8]\nftl-cookie-scope = credential\n")
    assert flake8(only_app, "--extend-ignore", "FTL106", cwd=tmp_path) == expected
    assert pylint(only_app, "--ftl-cookie-scope=credential", cwd=tmp_path) == expected


def test_flake8_selection_against_the_pyproject(tmp_path):
    """``select = FTL`` only turns the plugin on; a code named more narrowly brings back what the file drops;
    flake8's own ignore always wins; pylint's blanket enable leaves the choice to the file."""
    _project(tmp_path, pyproject='[tool.flask-token-lint]\nextend-ignore = ["FTL5", "FTL106"]\n')
    app = tmp_path / "app"
    without_ftl5 = {"app/views.py": {f for f in DEFAULT if not f[1].startswith("FTL5")}}
    assert flake8(app, cwd=tmp_path) == without_ftl5
    assert flake8(app, "--extend-select", "FTL", cwd=tmp_path) == without_ftl5
    assert flake8(app, "--extend-select", "FTL501", cwd=tmp_path) == {"app/views.py": without_ftl5["app/views.py"] | {
        (31, "FTL501")
    }}
    assert flake8(app, "--extend-select", "FTL5", cwd=tmp_path) == {"app/views.py": DEFAULT}
    assert flake8(app, "--extend-ignore", "FTL4", cwd=tmp_path) == {
        "app/views.py": {f for f in without_ftl5["app/views.py"] if not f[1].startswith("FTL4")}
    }
    assert pylint(app, cwd=tmp_path) == without_ftl5


def test_an_off_by_default_rule_the_pyproject_selects_runs_in_every_front_end(tmp_path):
    paths = _project(tmp_path, pyproject='[tool.flask-token-lint]\nextend-select = ["FTL106"]\n')
    app = tmp_path / "app"
    expected = {"app/views.py": DEFAULT | {(23, "FTL106"), (27, "FTL106")}}
    assert cli(paths[:1], cwd=tmp_path) == expected
    # no --select: flake8's default selection, the plugin turns FTL106 on for this folder only
    command = [sys.executable, "-m", "flake8", "--format", "%(row)d\t%(code)s", str(app)]
    result = subprocess.run(command, cwd=tmp_path, capture_output=True, text=True)
    found = {(int(row), code) for row, code in (line.split("\t") for line in result.stdout.splitlines())}
    assert {f for f in found if f[1].startswith("FTL")} == expected["app/views.py"]
    assert pylint(app, cwd=tmp_path, disable_all=False) == expected
    # pylint's own configuration disabling it by name, or --disable=all, wins
    assert pylint(app, "--disable=jwt-decode-missing-issuer", cwd=tmp_path, disable_all=False) == {
        "app/views.py": DEFAULT
    }
    assert pylint(app, cwd=tmp_path) == {"app/views.py": DEFAULT}
    (tmp_path / "pyproject.toml").write_text("[tool.flask-token-lint]\n")
    assert flake8(app, "--extend-ignore", "FTL106", cwd=tmp_path) == {"app/views.py": DEFAULT}
    assert pylint(app, cwd=tmp_path) == {"app/views.py": DEFAULT}


def test_nested_projects_each_use_their_own_table(tmp_path):
    _project(tmp_path, pyproject='[tool.flask-token-lint]\nextend-ignore = ["FTL4"]\n')
    inner = tmp_path / "services" / "api"
    inner.mkdir(parents=True)
    (inner / "main.py").write_text(APP)
    (inner / "pyproject.toml").write_text('[tool.flask-token-lint]\nselect = ["FTL5"]\n')
    found = flake8(tmp_path, "--extend-ignore", "FTL106", cwd=tmp_path)
    assert found["services/api/main.py"] == {(19, "FTL503"), (31, "FTL501")}
    assert found["app/views.py"] == {f for f in DEFAULT if not f[1].startswith("FTL4")}
    assert pylint(tmp_path, cwd=tmp_path) == found
    # in worker processes too (each reads the tables itself; pylint's workers keep its --disable list)
    assert flake8(tmp_path, "--extend-ignore", "FTL106", "-j2", cwd=tmp_path) == found
    assert pylint(tmp_path, "-j2", cwd=tmp_path) == found


def test_test_code_paths_are_relative_to_the_pyproject(tmp_path):
    project = tmp_path / "project"
    _project(project, pyproject='[tool.flask-token-lint]\nextend-test-code-paths = ["legacy/deep"]\n')
    (project / "tests").mkdir()
    (project / "tests" / "test_app.py").write_text(APP)
    found = flake8(project, "--extend-ignore", "FTL106", cwd=tmp_path)
    assert sorted(found) == ["project/app/views.py", "project/legacy/old.py", "project/scripts/tool.py"]
    assert sorted(pylint(project, cwd=tmp_path)) == sorted(found)


def test_each_pyproject_is_read_once_per_run(tmp_path, monkeypatch):
    _project(tmp_path)
    for index in range(20):
        (tmp_path / "app" / f"module_{index}.py").write_text("x = 1\n")
    reads = []
    real = config_module.read_config

    def counting(path):
        reads.append(path)
        return real(path)

    monkeypatch.setattr("flask_token_lint.flake8_plugin.read_config", counting)
    projects = ProjectConfigs(lambda config: ["FTL401"], {})
    engines = {id(projects.for_file(str(path)).engine) for path in tmp_path.rglob("*.py")}
    assert reads == [tmp_path / "pyproject.toml"]
    assert len(engines) == 1


def test_a_bad_pyproject_names_the_file_in_flake8_and_pylint(tmp_path):
    (tmp_path / "app.py").write_text(APP)
    (tmp_path / "pyproject.toml").write_text('[tool.flask-token-lint]\ncookie-scope = "some"\n')
    for command in (
        [sys.executable, "-m", "flake8", "--select", "FTL", "app.py"],
        [sys.executable, "-m", "pylint", "--rcfile", os.devnull, "--load-plugins=flask_token_lint.pylint_plugin",
         "app.py"],
    ):
        result = subprocess.run(command, cwd=tmp_path, capture_output=True, text=True)
        assert result.returncode != 0
        assert "pyproject.toml" in result.stdout + result.stderr and "cookie-scope" in result.stdout + result.stderr


def test_run_pylint_helper_still_agrees(tmp_path):
    """The shared helper (``--disable=all`` then every default symbol) goes through the same path."""
    paths = _project(tmp_path)
    found = run_pylint(paths, cwd=tmp_path)
    assert {(line, code) for line, _, code in found[next(k for k in found if k.endswith("scripts/tool.py"))]} == {
        f for f in (DEFAULT | THEME) - {(23, "FTL105")} if f[1] != "FTL403"
    }
