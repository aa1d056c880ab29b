"""The results cache and parallel runs: same answers, fewer checks, deterministic order."""

from __future__ import annotations

import json
import os
from pathlib import Path

from frontends import run_main

from flask_token_lint.engine import Engine

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"


def run(*argv: str) -> tuple[int, str, str]:
    return run_main("check", "--isolated", *argv)


def test_parallel_output_is_the_same_and_in_path_order(monkeypatch):
    from flask_token_lint import cli

    import concurrent.futures

    serial = run("--no-cache", "-j", "1", "--format", "json", str(FIXTURES))
    pools = []
    real_pool = concurrent.futures.ProcessPoolExecutor
    monkeypatch.setattr(cli, "POOL_MIN_BYTES", 0)  # the fixtures are small: make the pool run anyway
    monkeypatch.setattr(concurrent.futures, "ProcessPoolExecutor", lambda *a, **k: pools.append(1) or real_pool(*a, **k))
    parallel = run("--no-cache", "-j", "2", "--format", "json", str(FIXTURES))
    assert pools, "the parallel run must use a pool"
    assert serial == parallel
    rows = json.loads(serial[1])
    paths = [row["path"] for row in rows]
    assert len(rows) > 500 and paths == sorted(paths)


def test_a_pool_starts_only_for_runs_big_enough_to_pay_for_it(tmp_path):
    from flask_token_lint import cli

    small = [str(FIXTURES / "demo_app" / name) for name in ("app.py", "auth.py", "config.py", "partners.py")]
    assert not cli._pool_pays(small, 2)
    assert not cli._pool_pays(small * 100, 1)
    big = tmp_path / "big.py"
    big.write_text("x = 1\n" * (cli.POOL_MIN_BYTES // 6 + 1))
    assert cli._pool_pays([str(big), *small], 2)


def test_a_warm_cache_answers_without_checking(tmp_path, monkeypatch):
    cache = tmp_path / "cache"
    cold = run("--cache-dir", str(cache), "-j", "1", "--format", "json", str(FIXTURES))
    assert (cache / ".gitignore").read_text().endswith("*\n")

    def no_checking(*args, **kwargs):
        raise AssertionError("a warm cache must not check the file again")

    monkeypatch.setattr(Engine, "check_source", no_checking)
    assert run("--cache-dir", str(cache), "-j", "1", "--format", "json", str(FIXTURES)) == cold


def test_settings_and_content_are_part_of_the_key(tmp_path):
    cache = tmp_path / "cache"
    source = tmp_path / "prefs.py"
    source.write_text("def prefs(resp):\n    resp.set_cookie('theme', 'dark')\n")
    assert run("--cache-dir", str(cache), str(source))[0] == 0
    assert run("--cache-dir", str(cache), "--cookie-scope", "all", str(source))[0] == 1
    source.write_text("def prefs(resp):\n    resp.set_cookie('session', 'x')\n")
    assert run("--cache-dir", str(cache), str(source))[0] == 1


def test_a_corrupt_or_truncated_cache_entry_is_ignored_and_rewritten(tmp_path):
    cache = tmp_path / "cache"
    source = tmp_path / "app.py"
    source.write_text("from flask import Flask\napp = Flask(__name__)\napp.run(debug=True)\n")
    first = run("--cache-dir", str(cache), str(source))
    entries = _entries(cache)
    assert len(entries) == 1
    entries[0].write_text('[{"line": 3, "col"')
    _touch(source)  # the index answers only for an unchanged stamp: now the entry is read
    assert run("--cache-dir", str(cache), str(source)) == first
    assert json.loads(entries[0].read_text())["findings"][0]["code"] == "FTL501"


def test_a_corrupt_index_is_ignored_and_rewritten(tmp_path):
    cache = tmp_path / "cache"
    source = tmp_path / "app.py"
    source.write_text("from flask import Flask\napp = Flask(__name__)\napp.run(debug=True)\n")
    first = run("--cache-dir", str(cache), str(source))
    (index,) = cache.rglob("index.json")
    index.write_text('{"' + str(source) + '": [1, 2')
    assert run("--cache-dir", str(cache), str(source)) == first
    assert json.loads(index.read_text())[str(source)][2][0]["code"] == "FTL501"


def test_the_index_answers_for_unchanged_stamps_only(tmp_path, monkeypatch):
    cache = tmp_path / "cache"
    source = tmp_path / "app.py"
    source.write_text("from flask import Flask\napp = Flask(__name__)\napp.run(debug=True)\n")
    assert run("--cache-dir", str(cache), str(source))[0] == 1
    # Same size, new content and stamp: checked again, not answered from the index.
    before = source.stat().st_size
    source.write_text("from flask import Flask\napp = Flask(__name__)\napp.run(debug=None)\n")
    assert source.stat().st_size == before
    _touch(source)
    assert run("--cache-dir", str(cache), str(source))[0] == 0

    def no_reading(*args, **kwargs):
        raise AssertionError("an unchanged file without findings must not be read")

    monkeypatch.setattr(Engine, "check_source", no_reading)
    monkeypatch.setattr("flask_token_lint.cli.Checker.unignored", no_reading)
    assert run("--cache-dir", str(cache), str(source))[0] == 0


def test_fixing_never_trusts_the_index(tmp_path):
    cache = tmp_path / "cache"
    source = tmp_path / "app.py"
    source.write_text("import requests\nrequests.get('https://x', verify=False)\n")
    assert run("--cache-dir", str(cache), str(source))[0] == 1
    code, out, _ = run("--cache-dir", str(cache), "--diff", "--unsafe-fixes", str(source))
    assert "-requests.get('https://x', verify=False)" in out


def _entries(cache: Path) -> list[Path]:
    return [p for p in cache.rglob("*.json") if p.name != "index.json"]


def _touch(path: Path) -> None:
    status = path.stat()
    os.utime(path, ns=(status.st_atime_ns, status.st_mtime_ns + 1_000_000_000))


def test_jobs_must_be_positive(tmp_path):
    code, _, err = run("-j", "0", str(tmp_path))
    assert code == 2 and "--jobs" in err


def test_the_cache_is_not_written_with_no_cache(tmp_path):
    os.chdir(tmp_path)
    try:
        run("--no-cache", str(FIXTURES / "demo_app"))
        assert not (tmp_path / ".flask_token_lint_cache").exists()
    finally:
        os.chdir(Path(__file__).resolve().parent.parent)


def test_a_changed_engine_is_part_of_the_key(tmp_path, monkeypatch):
    """A checkout that pulls a new engine keeps its version number: the cache must not answer with
    the old engine's findings."""
    from flask_token_lint import cache as cache_module

    cache = tmp_path / "cache"
    source = tmp_path / "view.py"
    source.write_text("from flask import Flask\napp = Flask(__name__)\napp.run(debug=True)\n")
    assert run("--cache-dir", str(cache), str(source))[0] == 1
    entries = _entries(cache)
    monkeypatch.setattr(cache_module, "engine_fingerprint", lambda: "another engine")
    assert run("--cache-dir", str(cache), str(source))[0] == 1
    assert len(_entries(cache)) == len(entries) + 1
