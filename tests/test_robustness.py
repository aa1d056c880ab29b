"""Never crash, never hang, never corrupt: odd inputs, fuzzing, fixer safety, the tool's own safety."""

from __future__ import annotations

import ast
import io
import os
import subprocess
import sys
from pathlib import Path

import hypothesmith
import pytest
from conftest import FIXTURE_FILES
from frontends import run_flake8, run_main, run_pylint
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from flask_token_lint import checker, cli, fix_files
from flask_token_lint.engine import Engine

ENGINE = Engine()
# A longer fuzz run: FLASK_TOKEN_LINT_FUZZ=5000 python -m pytest tests/test_robustness.py -k fuzz
FUZZ_EXAMPLES = int(os.environ.get("FLASK_TOKEN_LINT_FUZZ", "60"))
ROOT = Path(__file__).resolve().parent.parent


def run(*argv: str) -> tuple[int, str, str]:
    return run_main("check", "--isolated", "--no-cache", *argv)


def codes(output: str) -> list[str]:
    return [line.split(": ", 1)[1].split()[0] for line in output.splitlines() if ": FTL" in line]


# -- odd inputs ------------------------------------------------------------------------------------

VULNERABLE = "from flask import Flask\napp = Flask(__name__)\napp.run(debug=True)\n"


@pytest.mark.parametrize(
    "name,content,expected",
    [
        ("syntax.py", b"import jwt\ndef f(:\n    jwt.decode(t)\n", ["FTL001"]),
        ("nul.py", b"import jwt\x00\njwt.decode(t)\n", ["FTL001"]),
        ("latin1_undeclared.py", b"# jwt.decode\nx = '\xe9'\n", ["FTL001"]),
        ("latin1.py", b"# -*- coding: latin-1 -*-\n" + VULNERABLE.encode() + b"x = '\xe9'\n", ["FTL501"]),
        ("bom.py", b"\xef\xbb\xbf" + VULNERABLE.encode(), ["FTL501"]),
        ("crlf.py", VULNERABLE.replace("\n", "\r\n").encode(), ["FTL501"]),
        ("cr.py", VULNERABLE.replace("\n", "\r").encode(), ["FTL501"]),
        ("tabs.py", b"from flask import Flask\napp = Flask(__name__)\nif True:\n\tapp.run(debug=True)\n",
         ["FTL501"]),
        ("empty.py", b"", []),
        ("long_line.py", VULNERABLE.encode() + b"x = '" + b"a" * 200_000 + b"'  # debug\n", ["FTL501"]),
        ("deep.py", b"import jwt\njwt.decode(t)\nx = " + b"(" * 1000 + b"1" + b")" * 1000 + b"\n", ["FTL001"]),
        ("deep_sum.py", b"import logging\nfrom flask import request\ndef f(a):\n    logging.info('x' "
         + b"+ a " * 1000 + b"+ str(request.headers))\n" + VULNERABLE.encode(), ["FTL501"]),
        ("deep_calls.py", b"import jwt\njwt.decode(t)\nx = " + b"f(" * 1000 + b"1" + b")" * 1000 + b"\n", ["FTL001"]),
        ("match.py", b"from flask import Flask\napp = Flask(__name__)\nmatch 1:\n    case 1:\n"
         b"        app.run(debug=True)\n", ["FTL501"] if sys.version_info >= (3, 10) else ["FTL001"]),
    ],
)
def test_odd_inputs_give_a_finding_or_nothing_and_never_a_traceback(tmp_path, name, content, expected):
    (tmp_path / name).write_bytes(content)
    (tmp_path / "good.py").write_text(VULNERABLE)
    code, out, err = run(str(tmp_path))
    assert err == "", err
    by_file: dict[str, list[str]] = {}
    for line in out.splitlines():
        if ": FTL" in line:
            found = line.split(": ", 1)[1].split()[0]
            if found in ("FTL001", "FTL501"):
                by_file.setdefault(line.split(":")[0], []).append(found)
    assert by_file.get(str(tmp_path / name), []) == expected
    assert by_file[str(tmp_path / "good.py")] == ["FTL501"], "the other file was not checked"


def test_new_syntax_is_checked_where_the_python_parses_it(tmp_path):
    path = tmp_path / "generics.py"
    path.write_text(
        "from flask import Flask\napp = Flask(__name__)\n"
        "type Alias[T] = list[T]\n"
        "def first[T](items: list[T]) -> T:\n    return items[0]\n"
        "name = 'x'\nlabel = f\"{f'{name}'}\"\n"
        "app.run(debug=True)\n"
    )
    expected = ["FTL501"] if sys.version_info >= (3, 12) else ["FTL001"]
    code, out, err = run("--select", "FTL001,FTL5", str(path))  # "debug" is in the file: it is parsed
    assert (codes(out), err) == (expected, "")


def test_a_100k_line_file(tmp_path):
    path = tmp_path / "big.py"
    body = "".join(f"value_{i} = {i}\n" for i in range(100_000))
    path.write_text(VULNERABLE + body + "app.debug = True\n")
    code, out, _ = run(str(path))
    assert codes(out) == ["FTL501", "FTL501"]


def test_files_named_explicitly_are_checked_whatever_their_suffix(tmp_path):
    (tmp_path / "manage").write_text(VULNERABLE)
    (tmp_path / "notes.txt").write_text("release notes: run the flask app in debug\n")
    (tmp_path / "todo.txt").write_text("nothing to see\n")
    named = [str(tmp_path / name) for name in ("manage", "notes.txt", "todo.txt")]
    code, out, err = run(*named)
    # Prose that names a trigger word is parsed, fails, and says so; prose that does not is skipped.
    assert codes(out) == ["FTL501", "FTL001"] and err == ""


def test_a_symlink_loop_does_not_hang_the_walk(tmp_path):
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "app.py").write_text(VULNERABLE)
    os.symlink(tmp_path, tmp_path / "pkg" / "loop")
    code, out, err = run(str(tmp_path))
    assert codes(out) == ["FTL501"] and err == ""


def test_an_unreadable_file_is_a_clear_error_and_the_run_goes_on(tmp_path, monkeypatch):
    (tmp_path / "secret.py").write_text(VULNERABLE)
    (tmp_path / "good.py").write_text(VULNERABLE)
    real_open = open

    def refusing_open(file, mode="r", *args, **kwargs):  # root reads anything: refuse by hand
        if str(file).endswith("secret.py") and "r" in mode:
            raise PermissionError(13, "Permission denied", str(file))
        return real_open(file, mode, *args, **kwargs)

    monkeypatch.setattr("builtins.open", refusing_open)
    code, out, err = run(str(tmp_path))
    assert code == 2
    assert err == f"flask-token-lint: error: {tmp_path / 'secret.py'}: Permission denied\n"
    assert codes(out) == ["FTL501"]


def test_a_missing_path_exits_2_with_a_message(tmp_path):
    assert run(str(tmp_path / "missing")) == (
        2, "", f"flask-token-lint: error: {tmp_path / 'missing'}: no such file or directory\n"
    )


# -- fuzzing ---------------------------------------------------------------------------------------


@settings(max_examples=FUZZ_EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))
@given(hypothesmith.from_grammar())
def test_fuzz_the_engine_never_raises_on_grammatical_programs(source):
    try:
        ast.parse(source)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return  # the grammar allows a few programs the compiler refuses; FTL001 covers those
    ENGINE.check_tree(ast.parse(source))


_PARSABLE = [p for p in FIXTURE_FILES if p.name != "unparsable_file.py"]


@settings(max_examples=FUZZ_EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.sampled_from(_PARSABLE), st.data())
def test_fuzz_mutated_fixtures_never_crash_and_fixes_stay_sound(path, data):
    """Delete, duplicate or swap random lines of a fixture: whatever still parses is checked and fixed."""
    lines = path.read_text().splitlines(keepends=True)
    for _ in range(data.draw(st.integers(1, 4))):
        if not lines:
            break
        index = data.draw(st.integers(0, len(lines) - 1))
        operation = data.draw(st.sampled_from(["delete", "duplicate", "swap"]))
        if operation == "delete":
            del lines[index]
        elif operation == "duplicate":
            lines.insert(index, lines[index])
        else:
            other = data.draw(st.integers(0, len(lines) - 1))
            lines[index], lines[other] = lines[other], lines[index]
    source = "".join(lines).encode()
    findings = checker.filter_noqa(ENGINE, source, "mutated.py")  # never raises, parses or not
    try:
        ast.parse(source)
    except SyntaxError:
        assert [f.code for f in findings] in ([], ["FTL001"])
        return

    def recheck(text: bytes):
        return checker.filter_noqa(ENGINE, text, "mutated.py")

    fixed = fix_files.fix_file_source(source, findings, recheck, unsafe=True)
    ast.parse(fixed.fixed)
    assert not fix_files.fix_file_source(fixed.fixed, fixed.remaining, recheck, unsafe=True).changed
    if not findings:
        assert fixed.fixed == source, "a file without findings must stay byte-identical"


# -- the fixer -------------------------------------------------------------------------------------

COOKIE_VIEW = "def login(resp, token):\n    resp.set_cookie('session', token)\n    return resp\n"


def test_a_read_only_file_is_refused_and_untouched(tmp_path):
    path = tmp_path / "views.py"
    path.write_text(COOKIE_VIEW)
    path.chmod(0o444)
    code, _, err = run("--fix", str(path))
    assert code == 2 and f"{path}: read-only file; not fixed" in err
    assert path.read_text() == COOKIE_VIEW


def test_an_interrupted_write_leaves_the_original_and_no_temporary_file(tmp_path, monkeypatch):
    path = tmp_path / "views.py"
    path.write_text(COOKIE_VIEW)

    def power_cut(source, target):
        raise OSError(5, "Input/output error")

    monkeypatch.setattr(os, "replace", power_cut)
    code, _, err = run("--fix", str(path))
    assert code == 2 and "Input/output error" in err
    assert path.read_text() == COOKIE_VIEW
    assert sorted(p.name for p in tmp_path.iterdir()) == ["views.py"]


def test_mixed_line_endings_are_kept_line_by_line(tmp_path):
    path = tmp_path / "views.py"
    path.write_bytes(b"def login(resp, token):\r\n    resp.set_cookie('session', token)\n    return resp\r\n")
    run("--fix", str(path))
    assert path.read_bytes() == (
        b"def login(resp, token):\r\n    resp.set_cookie('session', token, secure=True, samesite='Lax')\n"
        b"    return resp\r\n"
    )


def test_a_symlinked_file_is_fixed_through_the_link_which_stays_a_link(tmp_path):
    target = tmp_path / "real.py"
    target.write_text(COOKIE_VIEW)
    (tmp_path / "linked").mkdir()
    link = tmp_path / "linked" / "views.py"
    os.symlink(target, link)
    run("--fix", str(link))
    assert link.is_symlink() and os.readlink(link) == str(target)
    assert "secure=True" in target.read_text()


def test_two_fixers_at_once_leave_every_file_fixed_and_parsable(tmp_path):
    for index in range(30):
        (tmp_path / f"views_{index}.py").write_text(COOKIE_VIEW)
    command = [sys.executable, "-m", "flask_token_lint", "check", "--isolated", "--no-cache", "--fix", "-j", "1"]
    first = subprocess.Popen([*command, str(tmp_path)], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    second = subprocess.Popen([*command, str(tmp_path)], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    for process in (first, second):
        _, err = process.communicate(timeout=120)
        for line in err.decode().splitlines():
            assert "changed on disk since it was read; not overwritten" in line, line
    for path in tmp_path.glob("*.py"):
        text = path.read_text()
        ast.parse(text)
        assert text.count("secure=True") == 1
    assert not [p for p in tmp_path.iterdir() if p.suffix != ".py"], "a temporary file was left behind"


def test_a_worker_that_dies_costs_only_its_own_file(tmp_path, monkeypatch):
    for index in range(8):
        (tmp_path / f"app_{index}.py").write_text(VULNERABLE)
    (tmp_path / "app_3.py").write_text(VULNERABLE + "# kill the worker\n")
    import fragile

    monkeypatch.setattr(cli, "_work", fragile.fragile_work)
    monkeypatch.setattr(cli, "POOL_MIN_BYTES", 0)  # eight small files: a pool only because the test says so
    code, out, err = run("-j", "2", str(tmp_path))
    assert code == 2
    assert err == f"flask-token-lint: internal error: {tmp_path / 'app_3.py'}: the worker process checking it died\n"
    assert codes(out) == ["FTL501"] * 7


# -- the tool itself ---------------------------------------------------------------------------------


def test_checked_code_is_never_imported_or_run(tmp_path):
    marker = tmp_path / "was_run"
    path = tmp_path / "evil.py"
    path.write_text(f"open({str(marker)!r}, 'w').write('ran')\n" + VULNERABLE)
    run(str(path))
    run_flake8([path], cwd=tmp_path)
    run_pylint([path], cwd=tmp_path)
    assert not marker.exists()


def test_configuration_never_runs_commands(tmp_path):
    marker = tmp_path / "was_run"
    (tmp_path / "pyproject.toml").write_text(
        f'[tool.flask-token-lint]\nexclude = ["$(touch {marker})", "`touch {marker}`"]\n'
        f'token-names = ["$(touch {marker})"]\n'
    )
    (tmp_path / "app.py").write_text(VULNERABLE)
    out, err = io.StringIO(), io.StringIO()
    cli.main(["check", "--no-cache", str(tmp_path / "app.py")], stdout=out, stderr=err)
    assert not marker.exists() and "FTL501" in out.getvalue()


@pytest.mark.parametrize("output", ["text", "json", "sarif", "github", "text --show-source", "diff"])
def test_a_secret_literal_is_never_printed(tmp_path, output):
    secret = "s3cr3t-never-printed"
    path = tmp_path / "config.py"
    path.write_text(
        f"import os\nfrom flask import Flask\napp = Flask(__name__)\napp.config['SECRET_KEY'] = '{secret}'\n"
        f"class Config:\n    JWT_SECRET_KEY = '{secret}'\n"
    )
    if output == "diff":
        arguments = ["--diff", "--unsafe-fixes"]
    else:
        arguments = ["--format", *output.split()]
    code, out, err = run(*arguments, str(path))
    assert code == 1
    if output == "diff":  # the diff shows the user's file as it is, so that it applies; fixed lines hold no secret
        assert secret not in err
        assert not any(secret in line for line in out.splitlines() if line.startswith("+"))
    else:
        assert secret not in out + err
    assert path.read_text().count(secret) == 2
