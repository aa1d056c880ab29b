"""``# noqa`` comments, read the way flake8 reads them.

* ``# noqa`` anywhere on the line silences every code there; ``# noqa: A1,B2``
  silences codes equal to, or starting with, one of the listed ones (the list
  is matched case-insensitively, the codes compared as written).
* A comment on any line of a token that spans lines (a triple-quoted string)
  covers all of that token's lines; brackets spanning lines do not join lines.
* ``# flake8: noqa`` alone on a line skips the whole file.
"""

from __future__ import annotations

import io
import re
import tokenize

from flask_token_lint.source import split_lines

_INLINE = re.compile(r"# noqa(?::\s?(?P<codes>(?:[A-Z]+[0-9]+[\s,]*)+))?", re.IGNORECASE)
_WHOLE_FILE = re.compile(r"\s*# flake8[:=]\s*noqa", re.IGNORECASE)
_CODE_SEPARATOR = re.compile(r"[,\s]")


def skips_file(lines: list[str]) -> bool:
    return any(_WHOLE_FILE.match(line) for line in lines)


def suppresses(text: str, code: str) -> bool:
    """A ``# noqa`` in ``text`` silences ``code``."""
    match = _INLINE.search(text)
    if match is None:
        return False
    listed = match.group("codes")
    if listed is None:
        return True
    codes = tuple(c.strip() for c in _CODE_SEPARATOR.split(listed) if c.strip())
    return code in codes or code.startswith(codes)


def statement_lines(text: str, lines: list[str]) -> dict[int, str]:
    """Line number -> the text searched for ``noqa`` (all lines of a token spanning lines)."""
    mapping: dict[int, str] = {}
    first, last = len(lines) + 2, -1
    try:
        for token in tokenize.generate_tokens(io.StringIO(text).readline):
            if token.type in (tokenize.ENDMARKER, tokenize.DEDENT):
                continue
            first, last = min(first, token.start[0]), max(last, token.end[0])
            if token.type in (tokenize.NL, tokenize.NEWLINE):
                joined = "".join(lines[first - 1:last])
                for number in range(first, last + 1):
                    mapping[number] = joined
                first, last = len(lines) + 2, -1
    except (tokenize.TokenError, SyntaxError):
        return {}
    return mapping


class NoqaFilter:
    """Drops findings that a file's ``# noqa`` comments silence."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.lines = split_lines(text)
        self._statements: dict[int, str] | None = None

    def silenced(self, line: int, code: str) -> bool:
        if self._statements is None:
            self._statements = statement_lines("".join(self.lines), self.lines)
        searched = self._statements.get(line)
        if searched is None:
            searched = self.lines[line - 1] if 0 < line <= len(self.lines) else ""
        return suppresses(searched, code)
