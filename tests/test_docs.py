"""The rule pages in docs/rules/ are generated from the rules and committed; they must not drift."""

from __future__ import annotations

import pytest
from frontends import ROOT

from flask_token_lint.catalogue import (
    HEADINGS,
    OPTION_HELP,
    RULE_OPTIONS,
    WRITE_DOCS_COMMAND,
    expected_docs,
    explain,
    main,
    rule_page,
)
from flask_token_lint.engine import Engine
from flask_token_lint.registry import all_rules
from flask_token_lint.settings import OPTIONS, Settings

RULES = all_rules()
DOCS = ROOT / "docs" / "rules"
REGENERATE = f"the rule docs are out of date; run: {WRITE_DOCS_COMMAND}"


def test_committed_docs_are_the_generated_ones():
    expected = expected_docs()
    committed = {path.name: path.read_text(encoding="utf-8") for path in DOCS.glob("*.md")}
    assert sorted(committed) == sorted(expected), REGENERATE
    for name, text in expected.items():
        assert committed[name] == text, f"{name}: {REGENERATE}"


@pytest.mark.parametrize("code", sorted(RULES))
def test_every_page_has_every_heading_in_order(code):
    rule = RULES[code]
    page = (DOCS / f"{code}.md").read_text(encoding="utf-8")
    lines = page.splitlines()
    assert lines[0] == f"# {code}: {rule.symbol}"
    assert lines[2] == f"{rule.summary}."
    assert "| severity | CWE | OWASP API Top 10 | pylint | on by default | fix |" in lines
    positions = [lines.index(heading) for heading in HEADINGS]
    assert positions == sorted(positions)
    assert f"```python\n{rule.bad_examples[0].rstrip()}\n```" in page
    assert f"```python\n{rule.good_examples[0].rstrip()}\n```" in page
    assert (rule.fix_title in page) if rule.fixes else ("## Fix safety\n\nNo automatic fix." in page)
    for option in RULE_OPTIONS.get(code, ()):
        assert f"- `{option}`: " in page
    if code not in RULE_OPTIONS:
        assert "## Options\n\nNone." in page


def test_index_links_every_page():
    index = (DOCS / "README.md").read_text(encoding="utf-8")
    for code, rule in RULES.items():
        assert f"| [{code}]({code}.md) | `{rule.symbol}` | {rule.summary}" in index


@pytest.mark.parametrize("code", sorted(RULES))
def test_explain_prints_the_page_under_the_same_headings(code):
    rule = RULES[code]
    text = explain(rule)
    assert text == rule_page(rule)
    lines = text.splitlines()
    positions = [lines.index(heading) for heading in HEADINGS]
    assert positions == sorted(positions)


def test_rule_options_name_registered_rules_and_declared_options():
    assert set(RULE_OPTIONS) <= set(RULES)
    documented = {option for options in RULE_OPTIONS.values() for option in options}
    assert documented == set(OPTION_HELP) == {option.name for option in OPTIONS}


_TOKEN_NAMES = """\
import logging
from flask import Flask, abort, make_response, redirect, request, session, url_for

app = Flask(__name__)


@app.route("/a")
def a():
    ticket = request.args.get("ticket")
    logging.info("got %s", ticket)
    if ticket == session["expected"]:
        abort(401, f"bad {ticket}")
    resp = make_response("ok")
    resp.set_cookie("pref", ticket)
    return redirect(url_for("b", ticket=ticket))
"""
_TOKEN_HEADERS = """\
import logging
from flask import Flask, abort, jsonify, request

app = Flask(__name__)


@app.route("/a")
def a():
    key = request.headers.get("X-Partner-Key")
    logging.info("key %s", key)
    if key == "expected":
        abort(401, f"bad {key}")
    return jsonify(key=request.headers.get("X-Partner-Key"))
"""
_LEEWAY = """\
import jwt


def user(token, key):
    return jwt.decode(token, key, algorithms=["HS256"], audience="api", issuer="me", leeway=120)
"""
_LIFETIME = """\
from datetime import timedelta

from flask import Flask

app = Flask(__name__)
app.config["JWT_ACCESS_TOKEN_EXPIRES"] = timedelta(days=7)
"""
_HTTP_JWKS = 'from jwt import PyJWKClient\n\njwks = PyJWKClient("http://idp.example.com/keys")\n'
_COOKIE = 'def view(resp):\n    resp.set_cookie("theme", "dark")\n'
# option -> (a value, a module whose findings that value changes for exactly the rules it affects)
_OPTION_CASES = {
    "cookie-scope": ("all", _COOKIE),
    "max-leeway": (60, _LEEWAY),
    "max-token-lifetime": (30 * 86400, _LIFETIME),
    "token-headers": (["X-Partner-Key"], _TOKEN_HEADERS),
    "token-names": (["ticket"], _TOKEN_NAMES),
    "trusted-hosts": (["idp.example.com"], _HTTP_JWKS),
}


@pytest.mark.parametrize("option", sorted(OPTION_HELP))
def test_rule_options_list_exactly_the_rules_an_option_changes(option):
    value, source = _OPTION_CASES[option]
    default = Engine(RULES).check_source(source)
    changed = Engine(RULES, Settings.from_values({option: value}, "test")).check_source(source)
    differ = {(f.line, f.code) for f in default} ^ {(f.line, f.code) for f in changed}
    assert {code for _, code in differ} == {code for code, options in RULE_OPTIONS.items() if option in options}


def test_write_docs_writes_the_pages_and_removes_stale_ones(tmp_path, capsys):
    (tmp_path / "FTL999.md").write_text("a rule that no longer exists\n", encoding="utf-8")
    (tmp_path / "notes.txt").write_text("kept\n", encoding="utf-8")
    assert main(["--write-docs", str(tmp_path)]) == 0
    written = {path.name: path.read_text(encoding="utf-8") for path in tmp_path.glob("*.md")}
    assert written == expected_docs()
    assert (tmp_path / "notes.txt").exists()
    out = capsys.readouterr().out
    assert f"removed {tmp_path / 'FTL999.md'}" in out and f"wrote {tmp_path / 'README.md'}" in out
    assert main(["--write-docs", str(tmp_path)]) == 0
    assert capsys.readouterr().out == "", "an up-to-date folder is not rewritten"
