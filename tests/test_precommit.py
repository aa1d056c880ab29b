"""The pre-commit hooks of ``.pre-commit-hooks.yaml``, run by the real pre-commit.

pre-commit only installs hooks from a git revision, so the module copies this checkout's
**working tree** (every tracked file and every untracked file git does not ignore, as they are
on disk now, uncommitted changes included) into a temporary git repository and commits it
there; this checkout's own history is never touched. A second temporary repository holds a
vulnerable Flask app and a ``.pre-commit-config.yaml`` whose ``repo:`` is that copy and whose
``rev:`` is the copy's commit sha, the way the README pins a commit. pre-commit clones it and
pip-installs it into a virtualenv of its own (under a ``PRE_COMMIT_HOME`` inside the test's
temporary folder, so the user's cache is left alone).

Installing the hook environment takes tens of seconds, so the module runs each pre-commit
command once (a module-scoped fixture) and the tests read the recorded results. The tests
are skipped when git or pre-commit is missing, or when this checkout is not the root of a
git repository (git decides which files are the project's).
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

yaml = pytest.importorskip("yaml")  # a dependency of pre-commit

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
# The CLI's summary line ("4 findings, ...", "All checks passed (3 files)"): the hooks pass --quiet.
_SUMMARY = re.compile(r"^(?:[0-9]+ findings?\b|All checks passed\b)", re.MULTILINE)
# A vulnerable file under a folder pyproject.toml excludes: with --force-exclude the hooks skip it.
EXCLUDED = "generated/app.py"
PYPROJECT = '[tool.flask-token-lint]\nextend-exclude = ["generated"]\n'


def _pre_commit() -> list[str] | None:
    """The command that runs pre-commit: this interpreter's module, else the one on PATH."""
    if importlib.util.find_spec("pre_commit") is not None:
        return [sys.executable, "-m", "pre_commit"]
    found = shutil.which("pre-commit")
    return [found] if found else None


def _git_environment() -> dict[str, str]:
    """The environment without the GIT_* variables of an outer git (a hook running pytest)."""
    return {key: value for key, value in os.environ.items() if not key.startswith("GIT_")}


def _is_git_root() -> bool:
    """This checkout is the root of a git repository."""
    if shutil.which("git") is None:
        return False
    result = subprocess.run(
        ["git", "rev-parse", "--show-toplevel"], cwd=ROOT, capture_output=True, text=True, env=_git_environment()
    )
    return result.returncode == 0 and Path(result.stdout.strip()).resolve() == ROOT


def _commit_working_tree(target: Path, env: dict[str, str]) -> str:
    """Copy the working tree (tracked and non-ignored untracked files, as on disk) to ``target``,
    commit it there and return the commit's sha."""
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT, env=env, check=True, capture_output=True,
    ).stdout.decode("utf-8", "surrogateescape")
    target.mkdir()
    for name in filter(None, listed.split("\0")):
        source = ROOT / name
        if source.is_file():  # a tracked file deleted in the working tree is left out
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / name)
    identity = ["-c", "user.name=tests", "-c", "user.email=tests@invalid", "-c", "commit.gpgsign=false"]
    for arguments in (["init", "-q"], ["add", "-A"], [*identity, "commit", "-q", "--no-verify", "-m", "working tree"]):
        subprocess.run(["git", *arguments], cwd=target, env=env, check=True, capture_output=True)
    return subprocess.run(
        ["git", "rev-parse", "HEAD"], cwd=target, env=env, check=True, capture_output=True, text=True
    ).stdout.strip()


def _skip_reason() -> str | None:
    if shutil.which("git") is None:
        return "git is not installed"
    if _pre_commit() is None:
        return "pre-commit is not installed (pip install pre-commit)"
    if not _is_git_root():
        return f"{ROOT} is not the root of a git repository"
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
    assert command is not None
    base = tmp_path_factory.mktemp("pre-commit")
    project = base / "project"
    project.mkdir()
    env = {**_git_environment(), "PRE_COMMIT_HOME": str(base / "cache"), "PIP_DISABLE_PIP_VERSION_CHECK": "1"}
    hooks = base / "hooks"
    head = _commit_working_tree(hooks, env)

    def git(*arguments: str) -> None:
        subprocess.run(["git", *arguments], cwd=project, env=env, check=True, capture_output=True)

    app = project / "app.py"
    app.write_text(VULNERABLE, encoding="utf-8")
    (project / "generated").mkdir()
    (project / EXCLUDED).write_text(VULNERABLE, encoding="utf-8")
    (project / "pyproject.toml").write_text(PYPROJECT, encoding="utf-8")
    # JSON strings are YAML strings: paths with spaces or colons need no further quoting.
    (project / ".pre-commit-config.yaml").write_text(
        "repos:\n"
        f"  - repo: {json.dumps(hooks.as_posix())}\n"
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
        excluded_after = (project / EXCLUDED).read_text(encoding="utf-8")
        assert excluded_after == VULNERABLE, "an excluded file must not be fixed"
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


def test_the_hooks_print_no_summary_and_skip_what_pyproject_excludes(runs):
    for run in (runs.check, runs.fix, runs.check_after_fix, runs.fix_again):
        assert not _SUMMARY.search(run.output), run.output
        assert not re.search(rf"^{re.escape(EXCLUDED)}:[0-9]+:", run.output, re.MULTILINE), run.output


def test_each_hook_runs_in_one_process_with_the_clis_pool_and_quiet():
    """``require_serial: true``: pre-commit does not start one hook process per CPU, each with a pool."""
    with open(ROOT / ".pre-commit-hooks.yaml", encoding="utf-8") as handle:
        hooks = {hook["id"]: hook for hook in yaml.safe_load(handle)}
    assert set(hooks) == {"flask-token-lint", "flask-token-lint-fix"}
    for hook in hooks.values():
        assert hook["require_serial"] is True
        entry = hook["entry"].split()
        assert entry[:2] == ["flask-token-lint", "check"]
        assert "--quiet" in entry and "--force-exclude" in entry
        assert not {"-j", "--jobs"} & set(entry)
