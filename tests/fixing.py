"""Fixing a fixture the way ``check --fix --unsafe-fixes`` does, for the fix tests."""

from __future__ import annotations

from pathlib import Path

from conftest import extra_codes

from flask_token_lint.checker import filter_noqa
from flask_token_lint.engine import Engine
from flask_token_lint.fix_files import FileFix, fix_file_source
from flask_token_lint.registry import all_rules

DEFAULT_CODES = {code for code, rule in all_rules().items() if rule.default_enabled}


def engine_for(path: Path) -> Engine:
    return Engine(DEFAULT_CODES | set(extra_codes(path)))


def fix(path: Path, source: bytes | None = None, unsafe: bool = True) -> FileFix:
    engine = engine_for(path)
    source = path.read_bytes() if source is None else source
    findings = filter_noqa(engine, source, str(path))
    return fix_file_source(source, findings, lambda fixed: filter_noqa(engine, fixed, str(path)), unsafe)


def golden_path(path: Path) -> Path:
    return path.with_name(path.name[: -len(".py")] + ".fixed.py")
