"""The pre-commit hooks of ``.pre-commit-hooks.yaml``, run by the real pre-commit.

A temporary git repository holds a vulnerable Flask app and a ``.pre-commit-config.yaml``
whose ``repo:`` is this checkout and whose ``rev:`` is its ``HEAD``. pre-commit clones the
repository at that revision and pip-installs it into a virtualenv of its own (under a
``PRE_COMMIT_HOME`` inside the test's temporary folder, so the user's cache is left alone),
so these tests check the **committed** code: uncommitted changes to the hooks or the
package are not seen until they are committed.

Installing the hook environment takes tens of seconds, so the module runs each pre-commit
command once (a module-scoped fixture) and the tests read the recorded results. The tests
are skipped when git or pre-commit is missing, or when this checkout is not the root of a
git repository with at least one commit.
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

VULNERABLE = """\
from flask import Flask, make_response

app = Flask(__name__)


@app.route("/login")
def login():
    token = "issued"
    resp = make_response("ok")
    resp.set_cookie("session", token)
    return resp


if __name__ == "__main__":
    app.run(debug=True)
"""
# The safe fixes (FTL401, FTL403) touch the set_cookie call and nothing else.
FIXED = VULNERABLE.replace(
    'resp.set_cookie("session", token)', 'resp.set_cookie("session", token, secure=True, samesite="Lax")'
)
ALL_FINDINGS = {(10, "FTL401"), (10, "FTL402"), (10, "FTL403"), (15, "FTL501")}
# FTL402 (httponly=True) and FTL501 (remove debug=True) have unsafe fixes only.
REMAINING = {(10, "FTL402"), (15, "FTL501")}
_FINDING = re.compile(r"^app\.py:(?P<line>[0-9]+):[0-9]+: (?P<code>FTL[0-9]{3})\b", re.MULTILINE)


def _pre_commit() -> list[str] | None:
    """The command that runs pre-commit: this interpreter's module, else the one on PATH."""
    if importlib.util.find_spec("pre_commit") is not None:
        return [sys.executable, "-m", "pre_commit"]
    found = shutil.which("pre-commit")
    return [found] if found else None


def _git_environment() -> dict[str, str]:
    """The environment without the GIT_* variables of an outer git (a hook running pytest)."""
    return {key: value for key, value in os.environ.items() if not key.startswith("GIT_")}


def _head() -> str | None:
    """This checkout's HEAD commit, or None when it is not the root of a git repository with commits."""
    if shutil.which("git") is None:
        return None
    result = subprocess.run(
        ["git", "rev-parse", "--show-toplevel", "--verify", "HEAD"],
        cwd=ROOT, capture_output=True, text=True, env=_git_environment(),
    )
    lines = result.stdout.split()
    if result.returncode != 0 or len(lines) != 2 or Path(lines[0]).resolve() != ROOT:
        return None
    return lines[1]


def _skip_reason() -> str | None:
    if shutil.which("git") is None:
        return "git is not installed"
    if _pre_commit() is None:
        return "pre-commit is not installed (pip install pre-commit)"
    if _head() is None:
        return f"{ROOT} is not the root of a git repository with at least one commit"
    return None


SKIP_REASON = _skip_reason()
pytestmark = pytest.mark.skipif(SKIP_REASON is not None, reason=SKIP_REASON or "")


@dataclass(frozen=True)
class Run:
    returncode: int
    output: str
    text_after: str  # app.py after the run

    @property
    def findings(self) -> set[tuple[int, str]]:
        return {(int(m["line"]), m["code"]) for m in _FINDING.finditer(self.output)}


@dataclass(frozen=True)
class Runs:
    check: Run  # the report hook on the vulnerable file
    fix: Run  # the fix hook
    check_after_fix: Run  # the report hook again, on the fixed file
    fix_again: Run  # the fix hook again: nothing left to fix safely


@pytest.fixture(scope="module")
def runs(tmp_path_factory) -> Runs:
    command = _pre_commit()
    head = _head()
    assert command is not None and head is not None
    base = tmp_path_factory.mktemp("pre-commit")
    project = base / "project"
    project.mkdir()
    env = {**_git_environment(), "PRE_COMMIT_HOME": str(base / "cache"), "PIP_DISABLE_PIP_VERSION_CHECK": "1"}

    def git(*arguments: str) -> None:
        subprocess.run(["git", *arguments], cwd=project, env=env, check=True, capture_output=True)

    app = project / "app.py"
    app.write_text(VULNERABLE, encoding="utf-8")
    # JSON strings are YAML strings: paths with spaces or colons need no further quoting.
    (project / ".pre-commit-config.yaml").write_text(
        "repos:\n"
        f"  - repo: {json.dumps(ROOT.as_posix())}\n"
        f"    rev: {json.dumps(head)}\n"
        "    hooks:\n"
        "      - id: flask-token-lint\n"
        "      - id: flask-token-lint-fix\n",
        encoding="utf-8",
    )
    git("init", "-q")
    git("add", "-A")

    def run(hook: str) -> Run:
        result = subprocess.run(
            [*command, "run", hook, "--all-files", "--color", "never"],
            cwd=project, env=env, capture_output=True, text=True, timeout=600,
        )
        output = result.stdout + result.stderr
        log = base / "cache" / "pre-commit.log"
        if result.returncode not in (0, 1) and log.exists():
            output += "\n" + log.read_text(encoding="utf-8", errors="replace")
        return Run(result.returncode, output, app.read_text(encoding="utf-8"))

    check = run("flask-token-lint")
    fix = run("flask-token-lint-fix")
    git("add", "-A")  # the user stages the fixed file
    return Runs(check, fix, run("flask-token-lint"), run("flask-token-lint-fix"))


def test_check_hook_fails_with_the_findings(runs):
    assert runs.check.returncode == 1, runs.check.output
    assert "- hook id: flask-token-lint\n" in runs.check.output
    assert runs.check.findings == ALL_FINDINGS, runs.check.output
    assert runs.check.text_after == VULNERABLE, "the report hook must not write"


def test_fix_hook_applies_the_safe_fixes_and_reports_the_rest(runs):
    assert runs.fix.returncode == 1, runs.fix.output
    assert "files were modified by this hook" in runs.fix.output
    assert runs.fix.text_after == FIXED
    assert runs.fix.findings == REMAINING, runs.fix.output


def test_check_hook_after_the_fix_reports_only_the_unsafe_only_findings(runs):
    assert runs.check_after_fix.returncode == 1, runs.check_after_fix.output
    assert runs.check_after_fix.findings == REMAINING, runs.check_after_fix.output


def test_fix_hook_changes_nothing_the_second_time(runs):
    assert "files were modified by this hook" not in runs.fix_again.output
    assert runs.fix_again.text_after == FIXED
    assert runs.fix_again.findings == REMAINING, runs.fix_again.output
