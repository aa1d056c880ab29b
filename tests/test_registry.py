"""The rule registry: unique codes, complete metadata, examples that fire and stay silent."""

from __future__ import annotations

import re

import pytest
from frontends import ROOT

from flask_token_lint.catalogue import pylint_id, with_table
from flask_token_lint.engine import Engine
from flask_token_lint.registry import all_rules
from flask_token_lint.rule import OWASP_API2, OWASP_API7, OWASP_API8, Severity

RULES = all_rules()
ENGINE = Engine(RULES)

# The catalogue's metadata table (DESIGN.md): code -> (severity, CWEs, OWASP API Top 10 2023).
CATALOGUE = {
    "FTL101": (Severity.HIGH, ("CWE-347",), OWASP_API2),
    "FTL102": (Severity.MEDIUM, ("CWE-347",), OWASP_API2),
    "FTL103": (Severity.HIGH, ("CWE-327",), OWASP_API2),
    "FTL104": (Severity.MEDIUM, ("CWE-287",), OWASP_API2),
    "FTL105": (Severity.MEDIUM, ("CWE-613",), OWASP_API2),
    "FTL106": (Severity.LOW, ("CWE-287",), OWASP_API2),
    "FTL107": (Severity.HIGH, ("CWE-798",), OWASP_API2),
    "FTL108": (Severity.MEDIUM, ("CWE-613",), OWASP_API2),
    "FTL201": (Severity.HIGH, ("CWE-287",), OWASP_API2),
    "FTL202": (Severity.MEDIUM, ("CWE-598",), OWASP_API2),
    "FTL203": (Severity.MEDIUM, ("CWE-208",), OWASP_API2),
    "FTL301": (Severity.MEDIUM, ("CWE-532",), OWASP_API8),
    "FTL302": (Severity.MEDIUM, ("CWE-532",), OWASP_API8),
    "FTL303": (Severity.MEDIUM, ("CWE-209",), OWASP_API8),
    "FTL401": (Severity.MEDIUM, ("CWE-614",), OWASP_API8),
    "FTL402": (Severity.MEDIUM, ("CWE-1004",), OWASP_API8),
    "FTL403": (Severity.MEDIUM, ("CWE-1275",), OWASP_API8),
    "FTL404": (Severity.MEDIUM, ("CWE-614", "CWE-1004"), OWASP_API8),
    "FTL501": (Severity.HIGH, ("CWE-489", "CWE-215"), OWASP_API8),
    "FTL502": (Severity.HIGH, ("CWE-295",), OWASP_API8),
    "FTL503": (Severity.MEDIUM, ("CWE-319",), OWASP_API8),
    "FTL405": (Severity.MEDIUM, ("CWE-614",), OWASP_API8),
    "FTL304": (Severity.MEDIUM, ("CWE-522", "CWE-200"), OWASP_API2),
    "FTL109": (Severity.MEDIUM, ("CWE-613",), OWASP_API2),
    "FTL406": (Severity.HIGH, ("CWE-942", "CWE-346"), OWASP_API8),
    "FTL504": (Severity.MEDIUM, ("CWE-319", "CWE-523"), OWASP_API8),
    "FTL204": (Severity.HIGH, ("CWE-918", "CWE-201"), OWASP_API7),
    "FTL205": (Severity.MEDIUM, ("CWE-640", "CWE-20"), OWASP_API2),
    "FTL110": (Severity.HIGH, ("CWE-287", "CWE-613"), OWASP_API2),
}


# The pylint ids published for the registered rules: they never change.
PUBLISHED_PYLINT_IDS = {
    "FTL101": "W7311",
    "FTL102": "W7312",
    "FTL103": "W7313",
    "FTL104": "W7314",
    "FTL105": "W7315",
    "FTL106": "W7316",
    "FTL107": "W7317",
    "FTL108": "W7318",
    "FTL109": "W7319",
    "FTL110": "W7410",
    "FTL201": "W7321",
    "FTL202": "W7322",
    "FTL203": "W7323",
    "FTL204": "W7324",
    "FTL205": "W7325",
    "FTL301": "W7331",
    "FTL302": "W7332",
    "FTL303": "W7333",
    "FTL304": "W7334",
    "FTL401": "W7341",
    "FTL402": "W7342",
    "FTL403": "W7343",
    "FTL404": "W7344",
    "FTL405": "W7345",
    "FTL406": "W7346",
    "FTL501": "W7351",
    "FTL502": "W7352",
    "FTL503": "W7353",
    "FTL504": "W7354",
}


def test_codes_and_symbols_are_unique_and_well_formed():
    symbols = [rule.symbol for rule in RULES.values()]
    assert len(set(symbols)) == len(symbols)
    for code, rule in RULES.items():
        assert re.fullmatch(r"FTL[0-9]{3}", code)
        assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)+", rule.symbol), rule.symbol
    pylint_ids = [pylint_id(code) for code in RULES if code != "FTL001"]
    assert len(set(pylint_ids)) == len(pylint_ids)


@pytest.mark.parametrize("code", sorted(CATALOGUE))
def test_metadata_matches_the_catalogue(code):
    rule = RULES[code]
    assert (rule.severity, rule.cwe, rule.owasp) == CATALOGUE[code]


def test_every_rule_is_in_the_catalogue():
    assert set(RULES) - {"FTL001"} == set(CATALOGUE)


@pytest.mark.parametrize("code", sorted(RULES))
def test_rule_documentation_is_complete(code):
    rule = RULES[code]
    assert rule.summary and rule.message
    assert len(rule.docs.what) > 40 and len(rule.docs.why) > 40
    assert rule.bad_examples and rule.good_examples
    if code != "FTL001":
        assert rule.node_types and rule.triggers
        assert rule.docs.references, "a rule page needs references"


@pytest.mark.parametrize("code", sorted(RULES))
def test_a_rule_with_fixes_declares_and_implements_them(code):
    rule = RULES[code]
    implements = "apply_fix" in {name for cls in rule.__mro__[:-2] for name in vars(cls)}
    assert bool(rule.fixes) == bool(rule.fix_title) == implements


@pytest.mark.parametrize(
    "code,index",
    [(code, i) for code, rule in sorted(RULES.items()) for i in range(len(rule.bad_examples))],
)
def test_bad_example_fires(code, index):
    findings = ENGINE.check_source(RULES[code].bad_examples[index])
    assert code in {f.code for f in findings}


@pytest.mark.parametrize(
    "code,index",
    [(code, i) for code, rule in sorted(RULES.items()) for i in range(len(rule.good_examples))],
)
def test_good_example_is_silent(code, index):
    findings = ENGINE.check_source(RULES[code].good_examples[index])
    assert code not in {f.code for f in findings}


def test_messages_never_contain_the_secret_values_of_examples():
    secret = "s3cr3t-value-never-printed"
    source = (
        "import logging\nimport jwt\nfrom flask import Flask, request\n\n"
        f"app = Flask(__name__)\napp.config['SECRET_KEY'] = '{secret}'\napp.secret_key = '{secret}'\n"
        f"JWT_SECRET = '{secret}'\n\n"
        f"def view(resp):\n    resp.set_cookie('session', '{secret}')\n"
        f"    logging.info(request.headers.get('Authorization', '{secret}'))\n"
        f"    return jwt.encode({{'sub': 1}}, '{secret}', algorithm='HS256')\n"
    )
    findings = ENGINE.check_source(source)
    assert {"FTL107", "FTL401", "FTL301", "FTL108"} <= {f.code for f in findings}
    assert all(secret not in f.message for f in findings)


def test_readme_rule_table_is_generated_from_the_rules():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert readme == with_table(readme), "run: python -m flask_token_lint.catalogue --write README.md"


def test_every_code_has_its_own_pylint_id():
    codes = [f"FTL{number:03d}" for number in range(2, 1000)]
    ids = [pylint_id(code) for code in codes]
    assert all(re.fullmatch(r"W[0-9]{4}", msgid) for msgid in ids)
    assert len(set(ids)) == len(codes) == 998
    assert pylint_id("FTL001") == ""
    assert pylint_id("FTL111") == "W7411" != pylint_id("FTL101")
    assert {msgid[1:3] for msgid in ids} == {str(band) for band in range(73, 83)}


def test_published_pylint_ids_are_unchanged():
    assert set(RULES) - {"FTL001"} == set(PUBLISHED_PYLINT_IDS)
    assert {code: pylint_id(code) for code in PUBLISHED_PYLINT_IDS} == PUBLISHED_PYLINT_IDS


def test_pylint_accepts_the_ids():
    from pylint.message import MessageDefinition

    for number in range(2, 1000):
        MessageDefinition.check_msgid(pylint_id(f"FTL{number:03d}"))
