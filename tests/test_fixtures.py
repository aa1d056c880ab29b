"""Every fixture, through every front-end, reports exactly its annotated findings."""

from __future__ import annotations

import os

import pytest
from annotations import FRONT_ENDS, read_expectations
from conftest import FIXTURE_FILES
from frontends import ROOT

from flask_token_lint.finding import UNPARSABLE
from flask_token_lint.registry import all_rules

CASES = [(path, front) for path in FIXTURE_FILES for front in FRONT_ENDS]


def _id(case) -> str:
    path, front = case
    return f"{os.path.relpath(path, ROOT / 'fixtures')}-{front}"


@pytest.mark.parametrize("case", CASES, ids=[_id(c) for c in CASES])
def test_fixture_reports_exactly_its_annotations(case, fixture_findings):
    path, front = case
    expectations = read_expectations(path)
    found = fixture_findings[front][os.path.relpath(path, ROOT)]
    reported = {(line, code) for line, _, code in found}
    expected = expectations.expected[front]
    assert sorted(reported - expected) == [], f"{front}: unexpected findings in {path.name}"
    assert sorted(expected - reported) == [], f"{front}: missing findings in {path.name}"
    assert not (reported & expectations.silent), "a must-stay-silent line fired"
    promoted = reported & expectations.todo
    assert not promoted, f"todo-expect now fires, turn it into expect: {sorted(promoted)}"


@pytest.mark.parametrize("path", FIXTURE_FILES, ids=[os.path.relpath(p, ROOT / "fixtures") for p in FIXTURE_FILES])
def test_front_ends_agree_on_columns(path, fixture_findings):
    key = os.path.relpath(path, ROOT)
    by_front = {
        front: {(line, col, code) for line, col, code in fixture_findings[front][key] if code != UNPARSABLE}
        for front in FRONT_ENDS
    }
    expected_everywhere = set.intersection(*(read_expectations(path).expected[f] for f in FRONT_ENDS))
    for front in FRONT_ENDS:
        shared = {(line, col, code) for line, col, code in by_front[front] if (line, code) in expected_everywhere}
        engine = {(line, col, code) for line, col, code in by_front["engine"] if (line, code) in expected_everywhere}
        assert shared == engine, f"{front} columns differ from the engine's"


def test_every_rule_has_fixtures_that_fire_and_stay_silent():
    fired: set[str] = set()
    silent: set[str] = set()
    for path in FIXTURE_FILES:
        expectations = read_expectations(path)
        fired |= {code for _, code in expectations.expected["engine"]}
        silent |= {code for _, code in expectations.silent}
    codes = set(all_rules())
    assert codes - fired == set(), "rules without a must-fire fixture"
    assert codes - {UNPARSABLE} - silent == set(), "rules without a must-stay-silent fixture"


def test_demo_app_shows_every_rule():
    demo = [p for p in FIXTURE_FILES if "demo_app" in p.parts]
    fired = set()
    for path in demo:
        fired |= {code for _, code in read_expectations(path).expected["cli"]}
    shown = {code for code, rule in all_rules().items() if rule.default_enabled} - {UNPARSABLE}
    assert shown - fired == set()
