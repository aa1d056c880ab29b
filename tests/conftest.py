import re
import sys
from collections import defaultdict
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from frontends import ROOT, run_cli, run_engine, run_flake8, run_pylint  # noqa: E402

from flask_token_lint.engine import Engine  # noqa: E402
from flask_token_lint.registry import all_rules  # noqa: E402

FIXTURES = ROOT / "fixtures"
# ``name.fixed.py`` beside a fixture is the golden output of fixing it, not a fixture itself.
FIXTURE_FILES = sorted(p for p in FIXTURES.rglob("*.py") if not p.name.endswith(".fixed.py"))
# ``# fixture-select: FTL106`` on a fixture's first line: run it with these codes selected too.
_EXTRA_SELECT = re.compile(r"#\s*fixture-select:\s*(?P<codes>FTL[0-9]{3}(?:\s*,\s*FTL[0-9]{3})*)")


def extra_codes(path: Path) -> tuple[str, ...]:
    with open(path, encoding="utf-8", errors="replace") as handle:
        match = _EXTRA_SELECT.match(handle.readline())
    return tuple(sorted(c.strip() for c in match.group("codes").split(","))) if match else ()


@pytest.fixture(scope="session")
def fixture_findings():
    """Each front-end run once per selection over the fixtures: {front-end: {path: {(line, col, code)}}}."""
    groups: dict[tuple[str, ...], list[Path]] = defaultdict(list)
    for path in FIXTURE_FILES:
        groups[extra_codes(path)].append(path)
    rules = all_rules()
    default = {code for code, rule in rules.items() if rule.default_enabled}
    found: dict[str, dict] = {"engine": {}, "cli": {}, "flake8": {}, "pylint": {}}
    for extra, files in groups.items():
        codes = default | set(extra)
        symbols = ",".join(rules[code].symbol for code in sorted(codes) if code != "FTL001")
        found["engine"].update(run_engine(files, Engine(codes)))
        # Every fixture is checked, those named like tests too (tests/test_test_code.py tests the skipping).
        found["cli"].update(
            run_cli(files, "--test-code", "report", *(["--extend-select", ",".join(extra)] if extra else []))
        )
        ignored = sorted(set(rules) - codes)
        found["flake8"].update(
            run_flake8(files, "--ftl-test-code=report", *(["--extend-ignore", ",".join(ignored)] if ignored else []))
        )
        found["pylint"].update(run_pylint(files, "--ftl-test-code=report", f"--enable={symbols},syntax-error"))
    return found


@pytest.fixture(autouse=True)
def _cache_in_tmp(tmp_path_factory, monkeypatch):
    """In-process CLI runs keep their results cache out of the repository and the test's folder."""
    from flask_token_lint import checker

    monkeypatch.setattr(checker, "DEFAULT_DIRECTORY", str(tmp_path_factory.mktemp("cache")))
