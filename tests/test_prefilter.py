"""The prefilter's per-rule conditions are necessary: a file they turn away holds no finding.

Every fixture is checked twice, through the prefilter (``check_source``) and with every rule forced
on (``check_tree`` with all codes), and the findings must be the same. Then the conditions
themselves: lazy terms, regular-expression terms, and the cases each rule's conditions must pass
and must turn away.
"""

from __future__ import annotations

import ast
import os
from pathlib import Path

import pytest
from frontends import ROOT

from flask_token_lint.engine import Engine
from flask_token_lint.settings import Settings
from flask_token_lint.source import decode_source

ALL_FIXTURES = sorted((ROOT / "fixtures").rglob("*.py"))
ENGINE = Engine()
ALL_CODES = frozenset(rule.code for rule in ENGINE.rules)


def _findings(engine: Engine, path: Path, forced: bool):
    text = decode_source(path.read_bytes())
    if not forced:
        return engine.check_source(text, str(path))
    try:
        tree = ast.parse(text)
    except SyntaxError:
        return engine.check_source(text, str(path))
    return engine.check_tree(tree, codes=frozenset(rule.code for rule in engine.rules), filename=str(path))


@pytest.mark.parametrize("path", ALL_FIXTURES, ids=[os.path.relpath(p, ROOT / "fixtures") for p in ALL_FIXTURES])
def test_the_prefilter_changes_no_finding(path):
    through_prefilter = _findings(ENGINE, path, forced=False)
    forced = _findings(ENGINE, path, forced=True)
    assert through_prefilter == forced


def test_the_fixtures_exercise_every_rule_s_conditions():
    """Each rule's conditions let through a fixture where it fires (the test above is not vacuous)."""
    fired = set()
    for path in ALL_FIXTURES:
        text = decode_source(path.read_bytes())
        wanted = ENGINE.rules_for(text)
        fired |= {finding.code for finding in ENGINE.check_source(text, str(path)) if finding.code in wanted}
    assert fired >= ALL_CODES - {"FTL001"}


def test_options_add_their_names_to_the_conditions(tmp_path):
    text = 'from flask import request\n\ndef view():\n    return request.args.get("sesame")\n'
    assert "FTL202" not in ENGINE.rules_for(text)
    widened = Engine(settings=Settings(token_names=("sesame",)))
    assert "FTL202" in widened.rules_for(text)


@pytest.mark.parametrize(
    ("code", "text", "passes"),
    [
        # FTL503: ``http://`` in a comment line (a licence header) is not a URL the code uses.
        ("FTL503", "# see http://www.apache.org/licenses/LICENSE-2.0\nTOKEN_URL = 'https://idp/token'\n", False),
        ("FTL503", "TOKEN_URL = 'http://idp.example.com/oauth/token'\n", True),
        ("FTL503", "HOME = 'http://example.com/'  # no endpoint word\n", False),
        ("FTL503", "x = 1  # http://idp/token, after code on the line\n", True),
        # FTL202: a query read needs flask's request, a credential key and args/values.
        ("FTL202", "from flask import request\nrequest.args.get('page')\n", False),
        ("FTL202", "from flask import request\nrequest.args.get('password')\n", True),
        ("FTL202", "url = f'{base}?access_token={tok}'\n", True),
        ("FTL202", "JWT_TOKEN_LOCATION = ['headers', 'query_string']\n", True),
        # FTL203: a comparison and a source of secrets.
        ("FTL203", "def f(a, b):\n    return a == b\n", False),
        ("FTL203", "import hmac\ndef f(a, b):\n    return hmac.new(a, b).hexdigest() == b\n", True),
        ("FTL203", "def f(a, b):\n    return sign_payload(a) == b\n", True),
        ("FTL203", "def f(a, b):\n    assign(a)\n    return a == b\n", False),
        # FTL201 and FTL301 need flask's request.
        ("FTL201", "def f(auth):\n    return auth['Authorization'].split()[1]\n", False),
        ("FTL201", "from flask import request\nrequest.headers['Authorization'].split()[1]\n", True),
        ("FTL301", "import logging\nlogging.info(headers)\n", False),
    ],
)
def test_conditions_pass_and_turn_away(code, text, passes):
    assert (code in ENGINE.rules_for(text)) is passes
