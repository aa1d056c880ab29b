import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from frontends import ROOT, run_cli, run_engine, run_flake8, run_pylint  # noqa: E402

FIXTURES = ROOT / "fixtures"
FIXTURE_FILES = sorted(FIXTURES.rglob("*.py"))


@pytest.fixture(scope="session")
def fixture_findings():
    """Each front-end run once over every fixture: {front-end: {path: {(line, col, code)}}}."""
    return {
        "engine": run_engine(FIXTURE_FILES),
        "cli": run_cli(FIXTURE_FILES),
        "flake8": run_flake8(FIXTURE_FILES),
        "pylint": run_pylint(FIXTURE_FILES),
    }
