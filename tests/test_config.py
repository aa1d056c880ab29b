"""Configuration: pyproject.toml for the CLI, and the same options to the same effect in flake8 and pylint."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from frontends import run_cli, run_flake8, run_main, run_pylint


OPTIONS_FILE = '''\
import logging

import jwt
import requests
from flask import request, session

log = logging.getLogger(__name__)


def prefs(resp):
    resp.set_cookie("theme", "dark")


def service_token():
    return requests.post("http://internal.corp/oauth/token", timeout=5)


def tenant():
    log.info(request.headers.get("X-Tenant-Key"))


def show():
    log.info("value %s", session["widget"])


def user(token, key):
    return jwt.decode(token, key, algorithms=["HS256"], audience="a", leeway=3600)
'''
DEFAULT_FINDINGS = [(15, "FTL503")]
CONFIGURED_FINDINGS = [
    (11, "FTL401"), (11, "FTL402"), (11, "FTL403"), (19, "FTL301"), (23, "FTL302"), (27, "FTL105"),
]
TOML_OPTIONS = (
    'cookie-scope = "all"\ntrusted-hosts = ["internal.corp"]\ntoken-headers = ["X-Tenant-Key"]\n'
    'token-names = ["widget"]\nmax-leeway = 60\n'
)


def run(*argv: str, cwd: Path | None = None) -> tuple[int, str, str]:
    return run_main(*argv, cwd=cwd)


def _pairs(found) -> list[tuple[int, str]]:
    (value,) = found.values()
    return sorted((line, code) for line, _, code in value)


def test_every_option_has_the_same_effect_in_the_three_front_ends(tmp_path):
    source = tmp_path / "app.py"
    source.write_text(OPTIONS_FILE)
    assert _pairs(run_cli([source], "--isolated", cwd=tmp_path)) == DEFAULT_FINDINGS
    assert _pairs(run_flake8([source], "--extend-ignore=FTL106", cwd=tmp_path)) == DEFAULT_FINDINGS

    (tmp_path / "pyproject.toml").write_text("[tool.flask-token-lint]\n" + TOML_OPTIONS)
    assert _pairs(run_cli([source], cwd=tmp_path)) == CONFIGURED_FINDINGS
    flake8 = [
        "--extend-ignore=FTL106", "--ftl-cookie-scope=all", "--ftl-trusted-hosts=internal.corp",
        "--ftl-token-headers=X-Tenant-Key",
        "--ftl-token-names=widget", "--ftl-max-leeway=60",
    ]
    assert _pairs(run_flake8([source], *flake8, cwd=tmp_path)) == CONFIGURED_FINDINGS
    pylint = [option for option in flake8 if option.startswith("--ftl-")]
    assert _pairs(run_pylint([source], *pylint, cwd=tmp_path)) == CONFIGURED_FINDINGS
    flags = [option.replace("--ftl-", "--") for option in pylint]
    assert _pairs(run_cli([source], "--isolated", *flags, cwd=tmp_path)) == CONFIGURED_FINDINGS


def test_flake8_reads_the_options_from_setup_cfg(tmp_path):
    (tmp_path / "app.py").write_text(OPTIONS_FILE)
    (tmp_path / "setup.cfg").write_text(
        "[flake8]\nselect = FTL\nextend-ignore = FTL106\nftl-cookie-scope = all\nftl-trusted-hosts = internal.corp\n"
        "ftl-token-headers = X-Tenant-Key\nftl-token-names = widget\nftl-max-leeway = 60\n"
    )
    result = subprocess.run([sys.executable, "-m", "flake8", "app.py"], cwd=tmp_path, capture_output=True, text=True)
    found = sorted((int(line.split(":")[1]), line.split()[1]) for line in result.stdout.splitlines())
    assert found == CONFIGURED_FINDINGS


def test_pyproject_is_found_from_a_subfolder_and_its_selection_applies(tmp_path):
    package = tmp_path / "src" / "pkg"
    package.mkdir(parents=True)
    (package / "app.py").write_text(OPTIONS_FILE)
    (tmp_path / "pyproject.toml").write_text('[tool.flask-token-lint]\nselect = ["FTL4"]\ncookie-scope = "all"\n')
    _, out, _ = run("check", "--format", "json", str(package))
    assert sorted(row["code"] for row in json.loads(out)) == ["FTL401", "FTL402", "FTL403"]
    _, out, _ = run("check", "--format", "json", "--select", "FTL5", str(package))
    assert sorted(row["code"] for row in json.loads(out)) == ["FTL503"], "a flag wins over the file"


def test_per_file_ignores_and_excludes_are_relative_to_the_pyproject(tmp_path):
    for folder in ("app", "tests", "generated", "vendor"):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "views.py").write_text(OPTIONS_FILE)
    (tmp_path / "pyproject.toml").write_text(
        '[tool.flask-token-lint]\nextend-exclude = ["generated"]\nexclude = ["vendor", "build"]\n'
        '[tool.flask-token-lint.per-file-ignores]\n"tests/*" = ["FTL5"]\n'
    )
    _, out, _ = run("check", "--format", "json", str(tmp_path))
    found = sorted((row["path"].replace(str(tmp_path), ""), row["code"]) for row in json.loads(out))
    assert found == [("/app/views.py", "FTL503")]


@pytest.mark.parametrize(
    "table,message",
    [
        ('colour = "red"\n', "[tool.flask-token-lint] colour: unknown key"),
        ('cookie-scope = "some"\n', "cookie-scope: expected one of credential, all, not 'some'"),
        ("max-leeway = -5\n", "max-leeway: expected a number of seconds, not -5"),
        ('select = ["FTL4", "bad code"]\n', "[tool.flask-token-lint] select: 'BAD CODE' is not a code prefix"),
        ("trusted-hosts = 3\n", "trusted-hosts: expected a list of strings, not 3"),
        ("per-file-ignores = 1\n", "per-file-ignores: expected a table"),
        ("select = [\n", "not valid TOML"),
        ('test-code = "never"\n', "test-code: expected one of skip, report, not 'never'"),
        ("test-code-paths = 3\n", "test-code-paths: expected a list of strings, not 3"),
        ('extend-test-code-paths = [""]\n', "extend-test-code-paths: expected a list of strings"),
    ],
)
def test_bad_configuration_is_a_clear_error_naming_file_and_key(tmp_path, table, message):
    pyproject = tmp_path / "pyproject.toml"
    pyproject.write_text("[tool.flask-token-lint]\n" + table)
    (tmp_path / "app.py").write_text(OPTIONS_FILE)
    code, out, err = run("check", str(tmp_path / "app.py"))
    assert code == 2 and out == ""
    assert err.startswith(f"flask-token-lint: error: {pyproject}") and message in err, err


def test_isolated_and_explicit_config(tmp_path):
    (tmp_path / "app.py").write_text(OPTIONS_FILE)
    (tmp_path / "pyproject.toml").write_text('[tool.flask-token-lint]\nselect = ["FTL4"]\ncookie-scope = "all"\n')
    other = tmp_path / "other.toml"
    other.write_text('[tool.flask-token-lint]\nselect = ["FTL105"]\nmax-leeway = 1\n')
    assert sorted(c for _, c in _pairs(run_cli([tmp_path / "app.py"], "--isolated", cwd=tmp_path))) == ["FTL503"]
    _, out, _ = run("check", "--config", str(other), "--format", "json", str(tmp_path / "app.py"))
    assert [row["code"] for row in json.loads(out)] == ["FTL105"]
