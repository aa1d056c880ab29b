"""Run each front-end once over a set of files and collect (line, col, code) per file.

flake8 and pylint are started once for the whole set, as a user would run
them, never once per file. Columns are 0-based; E999 / syntax-error (the hosts'
own report of an unparsable file) count as FTL001 with no column.
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Iterable

from flask_token_lint.engine import Engine
from flask_token_lint.registry import all_rules

Found = dict[str, set[tuple[int, "int | None", str]]]
ROOT = Path(__file__).resolve().parent.parent


def _key(path: str | Path) -> str:
    return os.path.relpath(os.path.abspath(path), ROOT)


def _run(command: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(command, cwd=cwd, capture_output=True, text=True, timeout=600)


def run_main(*argv: str, out: io.StringIO | None = None, cwd: Path | None = None) -> tuple[int, str, str]:
    """The CLI in this process: ``(exit code, stdout, stderr)``, optionally from another folder."""
    from flask_token_lint import cli

    out = out if out is not None else io.StringIO()
    err = io.StringIO()
    previous = os.getcwd()
    try:
        if cwd:
            os.chdir(cwd)
        code = cli.main(list(argv), stdout=out, stderr=err)
    finally:
        os.chdir(previous)
    return code, out.getvalue(), err.getvalue()


def run_engine(files: Iterable[Path], engine: Engine | None = None) -> Found:
    engine = engine or Engine()
    return {_key(f): {(x.line, x.col, x.code) for x in engine.check_source(f.read_bytes(), str(f))} for f in files}


def run_cli(files: list[Path], *options: str, cwd: Path = ROOT) -> Found:
    command = [sys.executable, "-m", "flask_token_lint", "check", "--no-cache", "--format", "json", *options]
    command += map(str, files)
    result = _run(command, cwd)
    assert result.returncode in (0, 1), result.stderr
    found: Found = {_key(f): set() for f in files}
    for row in json.loads(result.stdout):
        found.setdefault(_key(os.path.join(cwd, row["path"])), set()).add((row["line"], row["column"] - 1, row["code"]))
    return found


def run_flake8(files: list[Path], *options: str, cwd: Path = ROOT) -> Found:
    command = [sys.executable, "-m", "flake8", "--isolated", "--select", "FTL,E999", *options]
    command += ["--format", "%(path)s\t%(row)d\t%(col)d\t%(code)s", *map(str, files)]
    result = _run(command, cwd)
    assert result.returncode in (0, 1), result.stderr
    found: Found = {_key(f): set() for f in files}
    for line in result.stdout.splitlines():
        path, row, col, code = line.split("\t")
        if code == "E999":
            found.setdefault(_key(os.path.join(cwd, path)), set()).add((int(row), None, "FTL001"))
        else:
            found.setdefault(_key(os.path.join(cwd, path)), set()).add((int(row), int(col) - 1, code))
    return found


_ENABLE_DEFAULT = "--enable=" + ",".join(
    [rule.symbol for code, rule in all_rules().items() if rule.default_enabled and code != "FTL001"] + ["syntax-error"]
)


def run_pylint(files: list[Path], *options: str, cwd: Path = ROOT) -> Found:
    symbols = {rule.symbol: code for code, rule in all_rules().items()}
    symbols["syntax-error"] = "FTL001"
    command = [
        sys.executable, "-m", "pylint", "--rcfile", os.devnull, "--load-plugins=flask_token_lint.pylint_plugin",
        "--disable=all", *([] if any(o.startswith("--enable") for o in options) else [_ENABLE_DEFAULT]),
        "--score=n", "--persistent=n",
        "--msg-template={path}\t{line}\t{column}\t{symbol}", *options, *map(str, files),
    ]
    result = _run(command, cwd)
    assert result.returncode < 32, result.stdout + result.stderr  # 32: pylint's usage error
    found: Found = {_key(f): set() for f in files}
    for line in result.stdout.splitlines():
        if line.startswith("*"):
            continue
        path, row, col, symbol = line.split("\t")
        code = symbols[symbol]
        column = None if code == "FTL001" else int(col)
        found.setdefault(_key(os.path.join(cwd, path)), set()).add((int(row), column, code))
    return found
