"""Fixes a user can trust: diffs that apply, files the user may not write left alone, baselines that
survive a fix, and FTL103 reporting each weakness of an allow-list with its own fix."""

from __future__ import annotations

import contextlib
import io
import json
import os
import shutil
import stat
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from frontends import ROOT, run_main

from flask_token_lint import checker, cli
from flask_token_lint.baseline import new_findings, read_baseline
from flask_token_lint.engine import Engine
from flask_token_lint.fix_files import FileFix, diff_names, fix_file, unified_diff, write_fix
from flask_token_lint.report import FileFinding
from flask_token_lint.results import masked

SECRET = "s3cr3t-only-in-the-file"
# An FTL107 secret, cookie flags (FTL401/FTL403 safe, FTL402 unsafe), "none" among other algorithms.
APP = (
    "from flask import Flask\n"
    "import jwt\n"
    "\n"
    "app = Flask(__name__)\n"
    f'app.config["SECRET_KEY"] = "{SECRET}"\n'
    "\n"
    "\n"
    "def login(resp, token):\n"
    "    resp.set_cookie('session', token)\n"
    "    return resp\n"
    "\n"
    "\n"
    "def claims(token, key):\n"
    '    return jwt.decode(token, key, algorithms=["HS256", "RS256", "none"], audience="api")\n'
)
COOKIE_VIEW = "def login(resp, token):\n    resp.set_cookie('session', token)\n    return resp\n"


def run(*argv: str, cwd: Path | None = None) -> tuple[int, str, str]:
    return run_main(*argv, cwd=cwd)


def subprocess_cli(*argv: str, cwd: Path, text: bool = True) -> subprocess.CompletedProcess:
    """The CLI in its own process; ``text=False`` keeps its output's bytes (CRLF lines of a diff)."""
    environment = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}
    return subprocess.run(
        [sys.executable, "-m", "flask_token_lint", *argv], cwd=cwd, capture_output=True, text=text, timeout=300,
        env=environment,
    )


# -- 1. --diff applies; the report formats mask only the secret literal ---------------------------------


def test_show_source_masks_the_secret_literal_and_nothing_else(tmp_path):
    path = tmp_path / "app.py"
    path.write_text(
        "import jwt\nfrom flask import Flask\n\napp = Flask(__name__)\n"
        f'app.config["SECRET_KEY"] = "{SECRET}"\n'
        "\n\ndef issue(claims):\n"
        f'    return jwt.encode(claims, "{SECRET}", algorithm="none")\n'
    )
    code, out, err = run("check", "--no-cache", "--show-source", str(path))
    assert code == 1, err
    assert SECRET not in out + err
    lines = out.splitlines()
    setting = lines.index(f"{path}:5:1: FTL107 Hardcoded secret used as SECRET_KEY")
    assert lines[setting + 1] == '    app.config["SECRET_KEY"] = "***"'
    # FTL103 shares its line with FTL107: that line is masked whichever finding shows it.
    shown = [line for line in lines if "jwt.encode(" in line]
    assert shown and set(shown) == {'        return jwt.encode(claims, "***", algorithm="none")'}
    carets = [lines[i + 1] for i, line in enumerate(lines) if "jwt.encode(" in line]
    assert all(caret.index("^") == len("        return ") for caret in carets), carets


@pytest.mark.parametrize(
    "line, shown",
    [
        ('app.config["SECRET_KEY"] = "x1"', 'app.config["SECRET_KEY"] = "***"'),
        ("app.config.update(SECRET_KEY='x1', DEBUG=False)", "app.config.update(SECRET_KEY='***', DEBUG=False)"),
        ('app.config.setdefault("JWT_SECRET_KEY", "x1")', 'app.config.setdefault("JWT_SECRET_KEY", "***")'),
        ('cfg = {"SECRET_KEY": "x1", "NAME": ["x2"]}', 'cfg = {"SECRET_KEY": "***", "NAME": ["***"]}'),
        ('jwt.decode(t, "x1", algorithms=["HS256", "RS256"], audience="api")',
         'jwt.decode(t, "***", algorithms=["HS256", "RS256"], audience="api")'),
        ("KEYS = ['x1']", "KEYS = ['***']"),
        ('SECRET = b"x1" + f"{a}x2"  # "kept"', 'SECRET = b"***" + f"***"  # "kept"'),
        ('SECRET = """x1', 'SECRET = """***'),
        ("SECRET = 'x1' + 'x2", "SECRET = '***' + '***"),
    ],
)
def test_masking_keeps_names_and_hides_values(line, shown):
    assert masked(line + "\r\n") == shown + "\r\n"


@pytest.mark.parametrize("output_format", ["json", "sarif"])
def test_json_and_sarif_name_the_setting_but_never_the_secret(tmp_path, output_format):
    path = tmp_path / "app.py"
    path.write_text(APP)
    code, out, _ = run("check", "--no-cache", "--format", output_format, str(path))
    assert code == 1
    assert SECRET not in out
    assert "Hardcoded secret used as SECRET_KEY" in out


def _tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        pytest.skip(f"`{name}` is not installed (apt-get install -y {name}); the diff cannot be applied with it")
    return found


def _git(repo: Path, *argv: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    environment = {
        **os.environ, "GIT_CONFIG_NOSYSTEM": "1", "HOME": str(repo), "GIT_AUTHOR_NAME": "t",
        "GIT_AUTHOR_EMAIL": "t@example.com", "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.com",
    }
    return subprocess.run(
        [_tool("git"), *argv], cwd=repo, input=stdin, capture_output=True, text=True, env=environment, timeout=60
    )


@pytest.fixture
def repo(tmp_path):
    """A git repository holding files with fixable findings (one with a secret), committed."""
    folder = tmp_path / "repo"
    (folder / "pkg").mkdir(parents=True)
    files = {
        "app.py": APP.encode(),
        "pkg/views.py": COOKIE_VIEW.replace("\n", "\r\n").encode(),  # CRLF
        "pkg/no newline.py": COOKIE_VIEW.rstrip("\n").encode(),  # a space in the name, no newline at the end
        "pkg/bom.py": b"\xef\xbb\xbf" + COOKIE_VIEW.encode(),  # a byte order mark on the first line
    }
    for name, data in files.items():
        (folder / name).write_bytes(data)
    assert _git(folder, "init", "-q").returncode == 0
    assert _git(folder, "add", "-A").returncode == 0
    assert _git(folder, "commit", "-q", "-m", "app").returncode == 0, "git commit failed"
    return folder


def test_diff_applies_with_git_apply_and_patch(repo, tmp_path):
    patch = _tool("patch")
    code, diff, err = run("check", "--no-cache", "--diff", "--unsafe-fixes", ".", cwd=repo)
    assert code == 1, err
    # The real text, so that it applies: the secret is in the user's own file, and in the diff.
    assert f'-app.config["SECRET_KEY"] = "{SECRET}"\n' in diff
    assert "--- a/app.py\n+++ b/app.py\n" in diff
    assert "--- a/pkg/views.py\n+++ b/pkg/views.py\n" in diff
    assert "--- a/pkg/no newline.py\t\n+++ b/pkg/no newline.py\t\n" in diff
    assert "\\ No newline at end of file\n" in diff
    checked = _git(repo, "apply", "--check", "-v", stdin=diff)
    assert checked.returncode == 0, checked.stderr
    dry = subprocess.run(
        [patch, "--dry-run", "-p1", "--batch"], cwd=repo, input=diff, capture_output=True, text=True, timeout=60
    )
    assert dry.returncode == 0, dry.stdout + dry.stderr
    assert "FAILED" not in dry.stdout and "fuzz" not in dry.stdout.lower() and "offset" not in dry.stdout.lower()

    # Applied, the diff gives byte for byte what --fix writes.
    copy = tmp_path / "copy"
    shutil.copytree(repo, copy, ignore=shutil.ignore_patterns(".git"))
    fixed = run("check", "--no-cache", "--fix", "--unsafe-fixes", ".", cwd=copy)
    assert fixed[0] in (0, 1), fixed[2]
    applied = _git(repo, "apply", stdin=diff)
    assert applied.returncode == 0, applied.stderr
    for name in ("app.py", "pkg/views.py", "pkg/no newline.py", "pkg/bom.py"):
        assert (repo / name).read_bytes() == (copy / name).read_bytes(), name
        assert (repo / name).read_bytes() != _git(repo, "show", f"HEAD:{name}").stdout.encode()


def test_diff_from_a_subprocess_applies_with_patch(repo):
    patch = _tool("patch")
    result = subprocess_cli("check", "--no-cache", "--diff", "--unsafe-fixes", "app.py", "pkg", cwd=repo, text=False)
    assert result.returncode == 1, result.stderr
    assert b"\r\n" in result.stdout  # the CRLF file's lines, as they are
    applied = subprocess.run([patch, "-p1", "--batch"], cwd=repo, input=result.stdout, capture_output=True, timeout=60)
    assert applied.returncode == 0, applied.stdout + applied.stderr
    after = subprocess_cli("check", "--no-cache", "--format", "json", ".", cwd=repo)
    assert {row["fix"] for row in json.loads(after.stdout)} <= {None}, "a fixable finding is left after the patch"


def test_diff_names_follow_git():
    assert diff_names("app.py") == ("a/app.py", "b/app.py")
    assert diff_names(os.path.join(".", "pkg", "app.py")) == ("a/pkg/app.py", "b/pkg/app.py")
    assert diff_names(os.path.abspath("pkg/app.py")) == ("a/pkg/app.py", "b/pkg/app.py")
    outside = os.path.join(os.path.dirname(os.path.abspath(os.sep)), "elsewhere", "app.py")
    if os.path.relpath(outside).startswith(os.pardir):
        assert diff_names(outside) == (outside, outside)
    assert diff_names("my app.py") == ("a/my app.py\t", "b/my app.py\t")


def test_a_diff_of_a_file_without_a_final_newline_marks_it():
    fix = FileFix(b"x = 1\ny = 2", b"x = 1\ny = 3")
    assert unified_diff("t.py", fix) == (
        "--- a/t.py\n+++ b/t.py\n@@ -1,2 +1,2 @@\n x = 1\n-y = 2\n\\ No newline at end of file\n"
        "+y = 3\n\\ No newline at end of file\n"
    )


# -- 2. a file the user may not write is refused, whatever its folder allows ----------------------------


def _python_for_nobody() -> tuple[list[str], dict[str, str]]:
    """A command running this interpreter's Python as ``nobody``, and its environment."""
    if not hasattr(os, "geteuid") or os.geteuid() != 0:
        pytest.skip("needs root, to run the CLI as another user (nobody)")
    runuser = shutil.which("runuser")
    if runuser is None:
        pytest.skip("runuser (util-linux) is not installed: cannot run the CLI as nobody")
    # The packages this run uses: the repository and the site-packages (no standard library of ours,
    # which may sit where nobody cannot read, such as under /root).
    paths = [str(ROOT)] + [p for p in sys.path if "site-packages" in p and os.path.isdir(p)]
    environment = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "PYTHONPATH": os.pathsep.join(paths),
                   "HOME": "/nonexistent", "LC_ALL": "C.UTF-8", "PYTHONDONTWRITEBYTECODE": "1"}
    version = f"python{sys.version_info[0]}.{sys.version_info[1]}"
    for interpreter in dict.fromkeys([sys.executable, shutil.which(version), f"/usr/bin/{version}"]):
        if not interpreter:
            continue
        command = [runuser, "-u", "nobody", "--", interpreter]
        probe = subprocess.run(
            [*command, "-c", "import flask_token_lint.cli, libcst"], env=environment, capture_output=True, timeout=60
        )
        if probe.returncode == 0:
            return command, environment
    pytest.skip(f"no {version} that nobody may run and that imports flask_token_lint and libcst")


@pytest.fixture
def shared_folder():
    """A world-writable folder (no sticky bit) that nobody can reach: anyone may rename in it."""
    folder = Path(tempfile.mkdtemp(prefix="ftl-trust-"))
    folder.chmod(0o777)
    yield folder
    shutil.rmtree(folder)


def _as_nobody(shared_folder: Path, *argv: str) -> subprocess.CompletedProcess[str]:
    command, environment = _python_for_nobody()
    return subprocess.run(
        [*command, "-m", "flask_token_lint", "check", "--no-cache", *argv], cwd=shared_folder,
        env=environment, capture_output=True, text=True, timeout=300,
    )


def test_a_root_owned_file_is_not_replaced_by_an_unprivileged_fix(shared_folder):
    _python_for_nobody()
    path = shared_folder / "views.py"
    path.write_text(COOKIE_VIEW)
    path.chmod(0o644)  # root's, readable by all, writable by root only
    before = path.stat()
    result = _as_nobody(shared_folder, "--fix", "--unsafe-fixes", "views.py")
    assert result.returncode == 2, result.stdout + result.stderr
    assert (
        "flask-token-lint: error: views.py: permission denied: this user may not write the file "
        "(owner uid 0, mode 0644); not fixed"
    ) in result.stderr
    after = path.stat()
    assert path.read_text() == COOKIE_VIEW
    assert (after.st_ino, after.st_uid, after.st_mode, after.st_mtime_ns) == (
        before.st_ino, before.st_uid, before.st_mode, before.st_mtime_ns
    )
    assert sorted(p.name for p in shared_folder.iterdir()) == ["views.py"], "a temporary file was left behind"
    # The findings are still reported (and nothing claims to be fixed).
    assert "FTL401" in result.stdout and "fixed" not in result.stdout.replace("0 fixed", "")


def test_a_file_of_the_user_is_fixed_and_keeps_its_owner_and_mode(shared_folder):
    _python_for_nobody()
    nobody = int(subprocess.run(["id", "-u", "nobody"], capture_output=True, text=True).stdout)
    group = os.stat(shared_folder).st_gid
    mine = shared_folder / "mine.py"
    mine.write_text(COOKIE_VIEW)
    os.chown(mine, nobody, group)
    mine.chmod(0o640)
    result = _as_nobody(shared_folder, "--fix", "mine.py")
    assert result.returncode == 1, result.stderr  # FTL402 (unsafe) remains
    assert "secure=True" in mine.read_text()
    assert (mine.stat().st_uid, stat.S_IMODE(mine.stat().st_mode)) == (nobody, 0o640)


def test_a_group_writable_file_of_another_owner_keeps_its_owner(shared_folder):
    """nobody may write it through its group, but could not hand a new file to root: rewritten in place."""
    _python_for_nobody()
    nobody_group = int(subprocess.run(["id", "-g", "nobody"], capture_output=True, text=True).stdout)
    shared = shared_folder / "shared.py"
    shared.write_text(COOKIE_VIEW)
    os.chown(shared, 0, nobody_group)
    shared.chmod(0o664)
    inode = shared.stat().st_ino
    result = _as_nobody(shared_folder, "--fix", "shared.py")
    assert result.returncode == 1, result.stderr
    assert "secure=True" in shared.read_text()
    info = shared.stat()
    assert (info.st_uid, info.st_gid, stat.S_IMODE(info.st_mode), info.st_ino) == (0, nobody_group, 0o664, inode)


def test_root_fixing_another_users_file_gives_it_back(tmp_path):
    if not hasattr(os, "geteuid") or os.geteuid() != 0:
        pytest.skip("needs root, to own a file as another user")
    path = tmp_path / "views.py"
    path.write_text(COOKIE_VIEW)
    os.chown(path, 65534, 65534)
    path.chmod(0o600)
    code, _, err = run("check", "--no-cache", "--fix", str(path))
    assert code == 1, err
    assert "secure=True" in path.read_text()
    info = path.stat()
    assert (info.st_uid, info.st_gid, stat.S_IMODE(info.st_mode)) == (65534, 65534, 0o600)


# -- 3. --fix beside a baseline ---------------------------------------------------------------------------


def _cli_knows_fix_baselined() -> bool:
    with contextlib.redirect_stderr(io.StringIO()):
        try:
            cli._parser().parse_args(["check", "--fix-baselined", "x.py"])
        except SystemExit:
            return False
    return True


needs_the_flag = pytest.mark.skipif(
    not _cli_knows_fix_baselined(), reason="cli.py does not hand --baseline/--fix-baselined to fix_files.fix_file yet"
)


def _findings(source: bytes, path: str) -> list:
    return checker.filter_noqa(Engine(), source, path)


def test_fix_file_leaves_baselined_findings_and_rekeys_their_entries(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    path = "views.py"
    Path(path).write_text(COOKIE_VIEW)
    baseline = "baseline.json"
    # The baseline predates FTL403 (a new rule, say): FTL401 and FTL402 are known, FTL403 is new.
    code, _, err = run("check", "--no-cache", "--ignore", "FTL403", "--write-baseline", baseline, path)
    assert code == 0 and "recorded 2 findings" in err
    source = Path(path).read_bytes()
    findings = _findings(source, path)
    result = fix_file(path, source, findings, lambda s: _findings(s, path), False, baseline=baseline)
    assert [f.code for f in result.fixed_findings] == ["FTL403"]
    assert "samesite='Lax'" in result.fixed.decode() and "secure=True" not in result.fixed.decode()
    assert len(result.rekeys) == 2 and all(r.new for r in result.rekeys)
    write_fix(path, result, baseline)
    lines = result.fixed.decode().splitlines(keepends=True)
    rows = [FileFinding(path, f, lines[f.line - 1]) for f in result.remaining]
    assert new_findings(baseline, rows, read_baseline(baseline)) == []
    # Asked, the baselined findings are fixed too, and their entries go.
    source = Path(path).read_bytes()
    findings = _findings(source, path)
    result = fix_file(path, source, findings, lambda s: _findings(s, path), True, baseline=baseline,
                      fix_baselined=True)
    assert sorted(f.code for f in result.fixed_findings) == ["FTL401", "FTL402"]
    write_fix(path, result, baseline)
    assert json.loads(Path(baseline).read_text())["findings"] == []


def _baselined_cookie_view(tmp_path):
    """A view whose cookie lacks three flags, two of them (FTL401, FTL402) in a baseline."""
    path = tmp_path / "views.py"
    path.write_text(COOKIE_VIEW)
    baseline = tmp_path / "baseline.json"
    run("check", "--no-cache", "--ignore", "FTL403", "--write-baseline", str(baseline), str(path))
    return path, baseline


@needs_the_flag
def test_fix_with_a_baseline_keeps_the_other_findings_on_the_line_baselined(tmp_path):
    path, baseline = _baselined_cookie_view(tmp_path)
    code, out, err = run("check", "--no-cache", "--fix", "--baseline", str(baseline), str(path))
    assert (code, out) == (0, "1 file checked: 1 finding, 1 fixed, 0 remaining\n"), err  # FTL401 and FTL402 are not new
    text = path.read_text()
    assert "samesite='Lax'" in text and "secure=True" not in text  # only the new finding was fixed
    # Later runs still recognise the baselined findings on the changed line.
    assert run("check", "--no-cache", "--baseline", str(baseline), str(path))[:2] == (0, "")
    code, out, err = run("check", "--no-cache", "--format", "json", "--baseline", str(baseline), str(path))
    assert (code, json.loads(out)) == (0, []), err
    # Asked, the baselined findings are fixed; their entries leave the baseline.
    code, out, err = run(
        "check", "--no-cache", "--fix", "--unsafe-fixes", "--fix-baselined", "--baseline", str(baseline), str(path)
    )
    assert code == 0, out + err
    assert "secure=True" in path.read_text() and "httponly=True" in path.read_text()
    assert json.loads(baseline.read_text())["findings"] == []


@needs_the_flag
def test_diff_with_a_baseline_shows_only_the_new_fixes(tmp_path):
    path, baseline = _baselined_cookie_view(tmp_path)
    code, out, _ = run("check", "--no-cache", "--diff", "--baseline", str(baseline), str(path))
    assert "+    resp.set_cookie('session', token, samesite='Lax')\n" in out
    _, everything, _ = run("check", "--no-cache", "--diff", "--fix-baselined", "--baseline", str(baseline), str(path))
    assert "secure=True, samesite='Lax'" in everything
    assert path.read_text() == COOKIE_VIEW


@needs_the_flag
def test_parallel_fixers_update_one_baseline_without_losing_entries(tmp_path):
    names = [f"views_{n}.py" for n in range(8)]
    for name in names:
        (tmp_path / name).write_text(COOKIE_VIEW)
    written = subprocess_cli(
        "check", "--no-cache", "--ignore", "FTL403", "--write-baseline", "baseline.json", *names, cwd=tmp_path
    )
    assert "recorded 16 findings" in written.stderr
    fixed = subprocess_cli("check", "--no-cache", "-j", "4", "--fix", "--baseline", "baseline.json", *names,
                           cwd=tmp_path)
    assert (fixed.returncode, fixed.stdout) == (0, "8 files checked: 8 findings, 8 fixed, 0 remaining\n"), fixed.stderr
    assert all("samesite='Lax'" in (tmp_path / name).read_text() for name in names)
    again = subprocess_cli("check", "--no-cache", "--format", "json", "--baseline", "baseline.json", ".", cwd=tmp_path)
    assert (again.returncode, json.loads(again.stdout)) == (0, []), again.stderr


# -- 4. FTL103: each weakness its own finding, the "none" fix offered even beside a mix ------------------


def test_ftl103_reports_none_and_mixed_families_separately_and_fixes_none(tmp_path):
    path = tmp_path / "claims.py"
    path.write_text(
        "import jwt\n\n\ndef claims(token, key):\n"
        '    return jwt.decode(token, key, algorithms=["HS256", "RS256", "none"], audience="api")\n'
    )
    code, out, err = run("check", "--no-cache", "--select", "FTL103", "--format", "json", str(path))
    assert code == 1, err
    rows = sorted((row["line"], row["column"], row["message"], row["fix"]) for row in json.loads(out))
    assert rows == [
        (5, 12, 'jwt.decode allows algorithm "none"', "safe"),
        (5, 46, "jwt.decode allows HMAC and public-key algorithms together (key confusion)", None),
    ]
    code, out, err = run("check", "--no-cache", "--select", "FTL103", "--fix", str(path))
    assert code == 1, err
    assert 'algorithms=["HS256", "RS256"]' in path.read_text()
    assert out.splitlines() == [
        f"{path}:5:46: FTL103 jwt.decode allows HMAC and public-key algorithms together (key confusion)",
        "1 file checked: 2 findings, 1 fixed, 1 remaining",
    ]
