"""``check --fix``: golden outputs, byte-for-byte preservation, safety, atomic writes, runnable results."""

from __future__ import annotations

import ast
import re
import datetime
import difflib
import os
import subprocess
import sys
import types
from pathlib import Path

import jwt
import pytest
from conftest import FIXTURE_FILES
from fixing import engine_for, fix, golden_path
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from frontends import run_main

from flask_token_lint import checker, fix_files
from flask_token_lint.engine import Engine
from flask_token_lint.fixer import allowed, fix_source
from flask_token_lint.finding import FixSafety

FIXABLE = [p for p in FIXTURE_FILES if "demo_app" not in p.parts]
PARSABLE = [p for p in FIXABLE if p.name != "unparsable_file.py"]
GOLDEN = [p for p in FIXABLE if golden_path(p).exists()]


def _id(path: Path) -> str:
    return path.name


@pytest.mark.parametrize("path", FIXABLE, ids=_id)
def test_fixing_a_fixture_gives_its_golden_file(path):
    result = fix(path)
    golden = golden_path(path)
    if golden.exists():
        assert result.fixed == golden.read_bytes(), f"fixing {path.name} differs from {golden.name}"
    else:
        assert not result.changed, f"{path.name} has fixes: add {golden.name}"


def _line_map(before: list[str], after: list[str]) -> tuple[dict[int, int], set[int], list[str]]:
    """Old line -> new line for kept or replaced lines; the changed old lines; the inserted lines."""
    mapping, changed, inserted = {}, set(), []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(a=before, b=after, autojunk=False).get_opcodes():
        if tag == "equal" or (tag == "replace" and i2 - i1 == j2 - j1):
            mapping.update({i1 + k + 1: j1 + k + 1 for k in range(i2 - i1)})
        if tag in ("replace", "delete"):
            changed.update(range(i1 + 1, i2 + 1))
        if tag == "insert" or (tag == "replace" and j2 - j1 > i2 - i1):
            inserted.extend(after[j1:j2][i2 - i1:] if tag == "replace" else after[j1:j2])
    return mapping, changed, inserted


@pytest.mark.parametrize("path", GOLDEN, ids=_id)
def test_a_fix_changes_only_its_findings_and_converges(path):
    result = fix(path)
    before = result.original.decode("utf-8").splitlines()
    after = result.fixed.decode("utf-8").splitlines()
    mapping, changed, inserted = _line_map(before, after)
    spans = set()
    for finding in result.fixed_findings:
        # a finding reported on a keyword is fixed on its call: the call's lines may change
        first, _, last, _ = finding.fix_span or (finding.line, 0, finding.end_line or finding.line, 0)
        spans.update(range(first, last + 1))
    assert changed <= spans, "lines changed that hold no fixed finding"
    # New lines are imports, or settings a fixed FTL405 adds to the end of its class's body.
    adds_settings = any(f.code == "FTL405" for f in result.fixed_findings)
    assert all(line.startswith("import ") or (adds_settings and re.fullmatch(r"    [A-Z_]+ = True", line))
               for line in inserted), inserted
    ast.parse(result.fixed)
    remaining = {(line, code) for line, code in ((f.line, f.code) for f in result.remaining)}
    for finding in result.fixed_findings:
        assert (mapping.get(finding.line), finding.code) not in remaining, f"{finding.code} still at {finding.line}"
    assert not any(allowed(f, unsafe=True) for f in result.remaining)
    again = fix(path, result.fixed)
    assert not again.changed, "a second --fix changed the file"


def _fix_text(source: bytes, unsafe: bool = False) -> bytes:
    engine = Engine()
    findings = checker.filter_noqa(engine, source, "t.py")
    return fix_files.fix_file_source(source, findings, lambda s: checker.filter_noqa(engine, s, "t.py"), unsafe).fixed


def test_crlf_bom_comments_and_quotes_are_kept():
    source = (
        b"\xef\xbb\xbf# a comment \xe2\x80\x94 kept\r\n"
        b"def login(resp, token):  # the view\r\n"
        b"    resp.set_cookie('session', token)  # set it\r\n"
        b"    return resp\r\n"
    )
    fixed = _fix_text(source)
    assert fixed == (
        b"\xef\xbb\xbf# a comment \xe2\x80\x94 kept\r\n"
        b"def login(resp, token):  # the view\r\n"
        b"    resp.set_cookie('session', token, secure=True, samesite='Lax')  # set it\r\n"
        b"    return resp\r\n"
    )


def test_a_coding_line_is_kept_and_honoured():
    source = b"# -*- coding: latin-1 -*-\ndef f(resp, t):\n    x = '\xe9'; resp.set_cookie('sid', t)\n"
    fixed = _fix_text(source)
    assert fixed == (
        b"# -*- coding: latin-1 -*-\ndef f(resp, t):\n"
        b"    x = '\xe9'; resp.set_cookie('sid', t, secure=True, samesite='Lax')\n"
    )


def test_byte_columns_are_mapped_to_characters_on_non_ascii_lines():
    label = "'\u00e9\u00e8\u00ea \u65e5\u672c'"
    source = f"def f(resp, t):\n    label = {label}; resp.set_cookie('jwt', t, httponly=True)\n".encode()
    fixed = _fix_text(source).decode()
    assert "resp.set_cookie('jwt', t, httponly=True, secure=True, samesite='Lax')" in fixed
    assert "label = '\u00e9\u00e8\u00ea \u65e5\u672c';" in fixed


def test_noqa_lines_are_not_fixed():
    source = (
        b"def f(resp, t):\n"
        b"    resp.set_cookie('session', t)  # noqa\n"
        b"    resp.set_cookie('session', t)  # noqa: FTL401\n"
    )
    assert _fix_text(source) == (
        b"def f(resp, t):\n"
        b"    resp.set_cookie('session', t)  # noqa\n"
        b"    resp.set_cookie('session', t, samesite='Lax')  # noqa: FTL401\n"
    )


def test_unsafe_fixes_need_the_flag():
    source = b"import requests\n\ndef f(url):\n    return requests.get(url, verify=False)\n"
    assert _fix_text(source) == source
    assert _fix_text(source, unsafe=True) == b"import requests\n\ndef f(url):\n    return requests.get(url)\n"


def test_imports_are_added_once():
    source = (
        b'"""Doc."""\n\ndef f(other, third):\n    token = request.headers["X-Api-Key"]\n'
        b"    return token == other or token == third\n"
    )
    fixed = _fix_text(b"from flask import request\n" + source, unsafe=True).decode()
    assert fixed.count("import hmac") == 1
    assert "hmac.compare_digest(token, other) or hmac.compare_digest(token, third)" in fixed


def test_fixed_jwt_code_runs_on_a_real_token(monkeypatch):
    """Every fix of the runtime fixture leaves calls that accept a genuine token."""
    path = next(p for p in FIXTURE_FILES if p.name == "jwt_fix_runtime.py")
    fixed = fix(path).fixed
    module = types.ModuleType("fixed_runtime")
    exec(compile(fixed, str(path), "exec"), module.__dict__)
    key = "runtime-key-with-enough-bytes-for-hs256"
    monkeypatch.setenv("JWT_SECRET_KEY", key)
    exp = datetime.datetime.now(tz=datetime.timezone.utc) + datetime.timedelta(minutes=5)
    token = jwt.encode({"sub": "42", "aud": "api", "exp": exp}, key, algorithm="HS256")
    decoders = [name for name in vars(module) if name.startswith("decode_")]
    assert len(decoders) == 5
    for name in decoders:
        assert getattr(module, name)(token, key)["sub"] == "42", name
    assert module.check_bearer_token(token, token) is True
    assert module.check_bearer_token_differs(token, token + "x") is True
    other_key = "another-key-with-enough-bytes-for-hs256"
    forged = jwt.encode({"sub": "42", "aud": "api", "exp": exp}, other_key, algorithm="HS256")
    with pytest.raises(jwt.InvalidSignatureError):
        module.decode_options_off(forged, key)  # the fixed call verifies now


# -- the CLI ---------------------------------------------------------------------------------------

COOKIE_VIEW = "def login(resp, token):\n    resp.set_cookie('session', token)\n    return resp\n"


def run(*argv: str) -> tuple[int, str, str]:
    return run_main(*argv)


def test_fix_writes_reports_what_remains_and_converges(tmp_path):
    path = tmp_path / "views.py"
    path.write_text(COOKIE_VIEW)
    code, out, _ = run("check", "--fix", str(path))
    assert code == 1  # FTL402 (unsafe) remains
    assert out.splitlines() == [
        f"{path}:2:5: FTL402 Cookie 'session' is set without httponly=True",
        "1 file checked: 3 findings, 2 fixed, 1 remaining (1 more with --unsafe-fixes)",
    ]
    assert "secure=True, samesite='Lax'" in path.read_text()
    converged = run("check", "--fix", "--unsafe-fixes", str(path))[:2]
    assert converged == (0, "1 file checked: 1 finding, 1 fixed, 0 remaining\n")
    before = path.read_bytes()
    assert run("check", "--fix", "--unsafe-fixes", str(path)) == (0, "", "All checks passed (1 file)\n")
    assert path.read_bytes() == before


def test_fixable_findings_are_marked(tmp_path):
    path = tmp_path / "views.py"
    path.write_text(COOKIE_VIEW)
    _, out, _ = run("check", str(path))
    assert out.splitlines() == [
        f"{path}:2:5: FTL401 [*] Cookie 'session' is set without secure=True",
        f"{path}:2:5: FTL402 Cookie 'session' is set without httponly=True",
        f"{path}:2:5: FTL403 [*] Cookie 'session' is set without a SameSite policy",
        "1 file checked: 3 findings, 0 fixed, 3 remaining (2 fixable with --fix, 1 more with --unsafe-fixes)",
    ]


def test_diff_prints_and_writes_nothing(tmp_path):
    path = tmp_path / "views.py"
    path.write_text(COOKIE_VIEW)
    code, out, err = run("check", "--diff", str(path))
    assert code == 1
    assert out == (
        f"--- {path}\n+++ {path}\n@@ -1,3 +1,3 @@\n def login(resp, token):\n"
        "-    resp.set_cookie('session', token)\n+    resp.set_cookie('session', token, secure=True, samesite='Lax')\n"
        "     return resp\n"
    )
    assert err == "1 file checked: 3 findings, 2 would be fixed, 1 remaining (1 more with --unsafe-fixes)\n"
    assert path.read_text() == COOKIE_VIEW


def test_unsafe_fixes_alone_is_a_usage_error(tmp_path):
    path = tmp_path / "views.py"
    path.write_text(COOKIE_VIEW)
    assert run("check", "--unsafe-fixes", str(path))[0] == 2


def test_the_file_keeps_its_mode_and_is_replaced_from_its_own_folder(tmp_path, monkeypatch):
    path = tmp_path / "views.py"
    path.write_text(COOKIE_VIEW)
    path.chmod(0o640)
    replaced = []
    real_replace = os.replace

    def spy(source, target):
        if os.fspath(target) == str(path):  # the results cache renames its entries too
            replaced.append((os.path.dirname(source), os.path.dirname(os.fspath(target))))
        real_replace(source, target)

    monkeypatch.setattr(os, "replace", spy)
    run("check", "--fix", str(path))
    assert replaced == [(str(tmp_path), str(tmp_path))]
    assert path.stat().st_mode & 0o777 == 0o640
    assert sorted(p.name for p in tmp_path.iterdir()) == ["views.py"], "a temporary file was left behind"


def test_a_file_without_fixes_is_not_touched(tmp_path):
    path = tmp_path / "debug.py"
    path.write_text("from flask import Flask\napp = Flask(__name__)\napp.config['DEBUG'] = True\n")
    before = path.stat()
    assert run("check", "--fix", "--unsafe-fixes", str(path))[0] == 1
    after = path.stat()
    assert (after.st_ino, after.st_mtime_ns) == (before.st_ino, before.st_mtime_ns)


def test_a_file_changed_on_disk_meanwhile_is_not_overwritten(tmp_path, monkeypatch):
    path = tmp_path / "views.py"
    path.write_text(COOKIE_VIEW)
    real = fix_files.fix_file_source

    def edit_meanwhile(*args, **kwargs):
        result = real(*args, **kwargs)
        path.write_text(COOKIE_VIEW + "# edited by someone else\n")
        return result

    monkeypatch.setattr(fix_files, "fix_file_source", edit_meanwhile)
    code, _, err = run("check", "--fix", str(path))
    assert code == 2
    assert f"{path}: changed on disk since it was read; not overwritten" in err
    assert path.read_text() == COOKIE_VIEW + "# edited by someone else\n"


def test_check_and_the_flake8_plugin_never_import_libcst():
    fixtures = str(Path(__file__).resolve().parent.parent / "fixtures")
    program = (
        "import sys, io\n"
        "from flask_token_lint import cli\n"
        f"cli.main(['check', {fixtures!r}], stdout=io.StringIO())\n"
        "from flake8.main.application import Application\n"
        f"Application().run(['--isolated', '--select', 'FTL', '-j', '1', {fixtures!r}])\n"
        "print('libcst' in sys.modules)\n"
    )
    result = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True)
    assert result.stdout.strip().splitlines()[-1] == "False", result.stderr


def test_fix_imports_libcst():
    program = "import sys\nfrom flask_token_lint import fixer\nprint('libcst' in sys.modules)\n"
    result = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True)
    assert result.stdout.strip() == "True"


# -- properties over every fixture ---------------------------------------------------------------


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(PARSABLE), st.booleans(), st.randoms(use_true_random=False))
def test_any_subset_of_fixes_parses_converges_and_leaves_no_safe_fix(path, unsafe, random):
    engine = engine_for(path)
    source = path.read_bytes()
    findings = checker.filter_noqa(engine, source, str(path))
    subset = [f for f in findings if random.random() < 0.5]
    partly = fix_source(source, subset, unsafe).source
    ast.parse(partly)

    def recheck(source: bytes):
        return checker.filter_noqa(engine, source, str(path))

    whole = fix_files.fix_file_source(partly, recheck(partly), recheck, unsafe)
    ast.parse(whole.fixed)
    assert not any(f.fix is FixSafety.SAFE for f in whole.remaining)
    assert not fix_files.fix_file_source(whole.fixed, whole.remaining, recheck, unsafe).changed
