"""Findings never depend on the order of the code in a file (DESIGN.md, "Facts first").

Every fixture is checked again with its top-level functions and classes shuffled among the places
they occupy; everything else (imports, assignments, calls, comments between blocks) stays where it
is. The shuffled text is cut from the original lines, never regenerated, so each finding maps back
to its original line and must be the same (line, column, code) as in the file as written.
"""

from __future__ import annotations

import ast
import functools
import re
from pathlib import Path

import pytest
from conftest import FIXTURE_FILES, FIXTURES, extra_codes
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from flask_token_lint.engine import Engine
from flask_token_lint.registry import all_rules

DEFINITIONS = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)
# The fixture that is deliberately not Python: there is nothing to reorder.
UNPARSABLE_FIXTURE = FIXTURES / "unparsable_file.py"
ORDER_FIXTURES = [path for path in FIXTURE_FILES if path != UNPARSABLE_FIXTURE]
# Fixtures whose findings do change with the order of their definitions: engine bugs, kept visible.
KNOWN_ORDER_BUGS: dict[str, str] = {}

Found = set[tuple[int, int, str]]
# Lines as the parser counts them: ``str.splitlines`` would also split at form feeds and the like.
LINE = re.compile(r"[^\n]*\n|[^\n]+\Z")


@functools.lru_cache(maxsize=None)
def engine_for(extra: tuple[str, ...]) -> Engine:
    rules = all_rules()
    return Engine({code for code, rule in rules.items() if rule.default_enabled} | set(extra))


def definition_blocks(source: str) -> list[tuple[int, int]]:
    """The 0-based half-open line ranges of the top-level defs and classes, decorators included."""
    blocks = []
    for statement in ast.parse(source).body:
        if isinstance(statement, DEFINITIONS):
            start = min([statement.lineno, *(d.lineno for d in statement.decorator_list)])
            blocks.append((start - 1, statement.end_lineno))
    return blocks


def names_of(source: str) -> list[str]:
    return [s.name for s in ast.parse(source).body if isinstance(s, DEFINITIONS)]


def reorder(lines: list[str], blocks: list[tuple[int, int]], order: list[int]) -> tuple[str, list[int]]:
    """The text with block ``order[i]`` in the place of block ``i``, and each new line's original
    (1-based) number."""
    pieces: list[str] = []
    origin: list[int] = []

    def take(start: int, end: int) -> None:
        for index in range(start, end):
            line = lines[index]
            pieces.append(line if line.endswith("\n") else line + "\n")
            origin.append(index + 1)

    cursor = 0
    for (start, end), moved in zip(blocks, order):
        take(cursor, start)
        take(*blocks[moved])
        cursor = end
    take(cursor, len(lines))
    return "".join(pieces), origin


def same_name_order_kept(order: list[int], names: list[str]) -> list[int]:
    """Two definitions of one name keep their order: which one wins is the program's meaning."""
    order = list(order)
    for name in set(names):
        places = [i for i, moved in enumerate(order) if names[moved] == name]
        for place, moved in zip(places, sorted(order[i] for i in places)):
            order[place] = moved
    return order


def findings(path: Path, source: str) -> Found:
    return {(f.line, f.col, f.code) for f in engine_for(extra_codes(path)).check_source(source, str(path))}


@functools.lru_cache(maxsize=None)
def original(path: Path) -> tuple[str, list[str], list[tuple[int, int]], Found]:
    source = path.read_text(encoding="utf-8")
    return source, LINE.findall(source), definition_blocks(source), findings(path, source)


def _case(path: Path):
    key = path.relative_to(FIXTURES).as_posix()
    marks = [pytest.mark.xfail(strict=True, reason=KNOWN_ORDER_BUGS[key])] if key in KNOWN_ORDER_BUGS else []
    return pytest.param(path, id=key, marks=marks)


@pytest.mark.parametrize("path", [_case(path) for path in ORDER_FIXTURES])
@settings(max_examples=5, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_findings_do_not_depend_on_the_order_of_definitions(path, data):
    source, lines, blocks, expected = original(path)
    if len(blocks) < 2:
        pytest.skip("fewer than two top-level definitions: nothing to reorder")
    order = same_name_order_kept(data.draw(st.permutations(range(len(blocks))), label="order"), names_of(source))
    text, origin = reorder(lines, blocks, order)
    found = {(origin[line - 1], col, code) for line, col, code in findings(path, text)}
    assert found == expected, f"missing {sorted(expected - found)}, extra {sorted(found - expected)}"


def test_reorder_keeps_every_line_once_and_maps_it_back():
    source = (
        "import jwt\n\n\n@decorator\n@other(\n    1,\n)\ndef a():\n    pass\n# between\nX = 1\n\n"
        "class B:\n    pass\nasync def c(): return 1"
    )
    lines = LINE.findall(source)
    blocks = definition_blocks(source)
    assert blocks == [(3, 9), (12, 14), (14, 15)]
    text, origin = reorder(lines, blocks, [2, 0, 1])
    assert sorted(origin) == list(range(1, len(lines) + 1))
    assert [line.rstrip("\n") for line in LINE.findall(text)] == [
        lines[n - 1].rstrip("\n") for n in origin
    ]
    assert names_of(text) == ["c", "a", "B"]


def test_two_definitions_of_one_name_keep_their_order():
    assert same_name_order_kept([2, 1, 0], ["f", "g", "f"]) == [0, 1, 2]
    assert same_name_order_kept([1, 2, 0], ["f", "g", "f"]) == [1, 0, 2]


# The reported case: the same two functions, swapped, give the same findings. In the report the
# comparison of a ``token`` parameter fired only when the function holding ``import jwt`` came first;
# since secrets are known by where they come from, a parameter's name decides nothing, so it stays
# silent in both orders, and the same comparison of a request's API key fires in both.
COMPARE_FIRST = "def a(token, other):\n    return token == other\n\n\ndef b():\n    import jwt\n"
IMPORT_FIRST = "def b():\n    import jwt\n\n\ndef a(token, other):\n    return token == other\n"
KEY_FIRST = (
    "from flask import request\n\n\ndef a(other):\n    return request.headers.get('X-Api-Key') == other\n\n\n"
    "def b():\n    import jwt\n"
)
KEY_SECOND = (
    "from flask import request\n\n\ndef b():\n    import jwt\n\n\n"
    "def a(other):\n    return request.headers.get('X-Api-Key') == other\n"
)


def test_the_reported_pair_gives_the_same_findings_in_both_orders():
    first = {(f.line - 0, f.code) for f in engine_for(()).check_source(COMPARE_FIRST)}
    second = {(f.line - 4, f.code) for f in engine_for(()).check_source(IMPORT_FIRST)}
    assert first == second == set()


@pytest.mark.parametrize("source,line", [(KEY_FIRST, 5), (KEY_SECOND, 9)], ids=["compare-first", "import-first"])
def test_a_secret_comparison_fires_whichever_function_comes_first(source, line):
    found = {(f.line, f.col, f.code) for f in engine_for(()).check_source(source)}
    assert (line, 11, "FTL203") in found
