"""The language server's partial re-parse gives exactly the tree ``ast.parse`` gives for the whole text."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from flask_token_lint.reparse import Reparser

ROOT = Path(__file__).resolve().parent.parent
SOURCES = sorted(p for p in (ROOT / "fixtures").rglob("*.py"))
PIECES = [
    "",
    "\n",
    "x = 1\n",
    "    return token\n",
    "def added():\n",
    "    pass\n",
    "@app.route('/x')\n",
    "if True:\n",
    "else:\n",
    "a = 1; b = 2\n",
    "s = '''\n",
    "'''\n",
    "(\n",
    ")\n",
    "x = 1 + \\\n",
    "# a comment\n",
    "class C:\n",
    "    def m(self):\n",
    "        return jwt.decode(t, k, algorithms=['HS256'])\n",
    "token = request.headers['Authorization'].split(' ')[1]\n",
    "y = 2\r\n",
    "z = 'a\x0cb'\n",
]


def dump(tree: ast.AST) -> str:
    return ast.dump(tree, include_attributes=True)


def expected(text: str) -> str:
    try:
        return dump(ast.parse(text))
    except SyntaxError:
        return "SyntaxError"


def reparsed(parser: Reparser, text: str) -> str:
    try:
        return dump(parser.parse(text))
    except SyntaxError:
        return "SyntaxError"


edits = st.lists(
    st.tuples(st.sampled_from(["insert", "delete", "replace"]), st.integers(0, 10_000), st.sampled_from(PIECES)),
    min_size=1,
    max_size=6,
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(source=st.sampled_from(SOURCES), steps=edits)
def test_every_edit_gives_the_full_parse(source: Path, steps) -> None:
    lines = source.read_text(encoding="utf-8").splitlines(keepends=True)
    parser = Reparser()
    assert reparsed(parser, "".join(lines)) == expected("".join(lines))
    for kind, where, piece in steps:
        at = where % (len(lines) + 1)
        if kind == "insert":
            lines.insert(at, piece)
        elif lines:
            at = min(at, len(lines) - 1)
            if kind == "delete":
                del lines[at]
            else:
                lines[at] = piece
        text = "".join(lines)
        assert reparsed(parser, text) == expected(text), (kind, at, piece)


def test_an_edit_inside_one_function_reuses_the_others() -> None:
    text = "".join(f"def f{n}():\n    return {n}\n\n\n" for n in range(50))
    parser = Reparser()
    parser.parse(text)
    edited = text.replace("return 25", "return 25 + 1\n    pass")
    tree = parser.parse(edited)
    assert dump(tree) == dump(ast.parse(edited))
    assert parser.reused == 47  # all but the edited function and its two neighbours


@pytest.mark.parametrize(
    "old, new",
    [
        ("a = 1; b = 2\nc = 3\n", "a = 1; b = 2\nc = 4\n"),  # statements sharing a line
        ("x = 1\ny = 2\n", "x = 1\ny = (\n"),  # does not parse: the full parse says where
        ("from __future__ import barry_as_FLUFL\nx = 1\n", "from __future__ import barry_as_FLUFL\nx = 1 <> 2\n"),
    ],
)
def test_what_cannot_be_spliced_is_parsed_whole(old: str, new: str) -> None:
    parser = Reparser()
    parser.parse(old)
    assert reparsed(parser, new) == expected(new)
    assert parser.reused == 0
