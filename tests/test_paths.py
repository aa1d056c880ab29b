"""``paths.py``: which statements of a function run for one call's literal arguments."""

from __future__ import annotations

import ast

from flask_token_lint.paths import decide, holds_for, reached, scenario_key, scenarios, site_values

SOURCE = '''
def verify(token, kind="auth", reveal=False, *, strict=True):
    options = {}
    if kind == "reset":
        options["max_age"] = 60
    elif kind in ("feed", "rss"):
        pass
    if reveal:
        return token
    for item in token:
        loop_only = item
    return mask(token)
'''


def _function():
    tree = ast.parse(SOURCE)
    function = tree.body[0]
    assert isinstance(function, ast.FunctionDef)
    return function


def _lines(known):
    return {(stmt.lineno, must) for stmt, must in reached(_function().body, known)}


def test_a_decided_test_keeps_only_the_branch_taken_and_nothing_runs_after_a_return():
    assert (5, True) in _lines({"kind": "reset", "reveal": False})
    assert all(line != 5 for line, _ in _lines({"kind": "auth"}))
    revealed = _lines({"kind": "auth", "reveal": True})
    assert (9, True) in revealed and all(line < 10 for line, _ in revealed)


def test_undecided_tests_and_loop_bodies_are_reached_but_not_on_every_run():
    unknown = _lines({})
    # ``if reveal: return token`` is undecided and leaves: the final return runs on some runs only.
    assert (5, False) in unknown and (9, False) in unknown and (11, False) in unknown and (12, False) in unknown
    assert (12, True) in _lines({"reveal": False})


def test_decide_reads_literals_only():
    test = ast.parse("kind in ('a', 'b') and not flag", mode="eval").body
    assert decide(test, {"kind": "a", "flag": False}) is True
    assert decide(test, {"kind": "c"}) is False  # ``and`` is decided by its false operand
    assert decide(test, {"kind": "a"}) is None
    assert decide(ast.parse("x is None", mode="eval").body, {"x": None}) is True
    assert decide(ast.parse("x is 'a'", mode="eval").body, {"x": "a"}) is None


def test_site_values_take_literals_and_untouched_defaults_but_nothing_after_a_spread():
    function = _function()
    call = ast.parse("verify(t, 'reset')", mode="eval").body
    assert site_values(function, call, False) == {"kind": "reset", "reveal": False, "strict": True}
    spread = ast.parse("verify(t, **options)", mode="eval").body
    assert site_values(function, spread, False) == {}


def test_scenarios_and_their_keys():
    found = scenarios(_function())
    assert found[0] == {} and {"kind": "reset"} in found and {"kind": "rss"} in found and {"reveal": True} in found
    keys = [scenario_key({"kind": "reset"})]
    assert holds_for(keys, {"kind": "reset", "reveal": False}) and not holds_for(keys, {"kind": "auth"})
    assert holds_for([""], {})


def test_after_an_undecided_branch_that_leaves_nothing_runs_on_every_run():
    tree = ast.parse(
        "def f(token, legacy):\n"
        "    if legacy:\n"
        "        return s.loads(token)\n"
        "    return s.loads(token, max_age=3600)\n"
        "def g(token):\n"
        "    for x in token:\n"
        "        return x\n"
        "    after = 1\n"
    )
    f, g = tree.body
    assert (4, False) in {(stmt.lineno, must) for stmt, must in reached(f.body, {})}
    assert (4, True) in {(stmt.lineno, must) for stmt, must in reached(f.body, {"legacy": False})}
    assert (8, False) in {(stmt.lineno, must) for stmt, must in reached(g.body, {})}
