"""Parse an edited document again by parsing only the top-level statements the edit touched.

The language server keeps one ``Reparser`` per open document. Given the new text, it finds the lines
that differ from the last text it parsed (common leading and trailing lines), widens them to whole
top-level statements plus one neighbour on each side, parses that stretch alone, moves the line
numbers of the untouched statements after it, and splices the new statements in. The tree it returns
is the tree ``ast.parse`` gives for the whole text: same nodes, same positions. Whenever that cannot be
assured (statements sharing a line with ``;``, a stretch that does not parse on its own, a future
import that changes the grammar, no previous tree), it parses the whole text, so a syntax error is
always reported where the full parse puts it.
"""

from __future__ import annotations

import ast
import re

# Python's tokenizer ends lines at \n, \r\n and \r only (``str.splitlines`` also splits at form
# feeds and Unicode separators, which may sit inside a string).
_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+\Z")


def _start(node: ast.stmt) -> int:
    """The first line of a top-level statement, its decorators included."""
    decorators = getattr(node, "decorator_list", None)
    return min([node.lineno, *(d.lineno for d in decorators)]) if decorators else node.lineno


class Reparser:
    """Parses successive versions of one document, reusing the statements an edit left alone."""

    def __init__(self) -> None:
        self.lines: list[str] | None = None
        self.tree: ast.Module | None = None
        self.reused = 0  # statements taken from the previous tree by the last parse (for tests)

    def parse(self, text: str, filename: str = "<unknown>") -> ast.Module:
        lines = _LINE.findall(text)
        tree = self._splice(lines, filename) if self.tree is not None and self.lines is not None else None
        if tree is None:
            self.reused = 0
            self.tree = None  # a failed full parse leaves nothing to reuse
            self.lines = None
            tree = ast.parse(text, filename=filename)
        self.tree, self.lines = tree, lines
        return tree

    def _splice(self, lines: list[str], filename: str) -> ast.Module | None:
        old_lines, old = self.lines, self.tree
        assert old_lines is not None and old is not None
        if "barry_as_FLUFL" in "".join(lines[:200]):
            return None  # the one future import that changes what parses
        body = old.body
        if not body or old.type_ignores:
            return None
        # The changed lines: after the common first lines, before the common last lines (1-based).
        limit = min(len(old_lines), len(lines))
        prefix = 0
        while prefix < limit and old_lines[prefix] == lines[prefix]:
            prefix += 1
        suffix = 0
        while suffix < limit - prefix and old_lines[-1 - suffix] == lines[-1 - suffix]:
            suffix += 1
        if prefix == len(old_lines) == len(lines):
            self.reused = len(body)
            return old
        first_changed, last_changed = prefix + 1, len(old_lines) - suffix  # may be first - 1: an insertion
        # The statements around the change, with one untouched neighbour on each side.
        starts = [_start(stmt) for stmt in body]
        ends = [stmt.end_lineno or stmt.lineno for stmt in body]
        low = next((i for i, end in enumerate(ends) if end >= first_changed - 1), len(body) - 1)
        high = max((i for i, start in enumerate(starts) if start <= last_changed + 1), default=0)
        low, high = max(low - 1, 0), min(max(high, low) + 1, len(body) - 1)
        # Where the stretch begins and ends: whole lines, no statement of it sharing a line outside.
        begin = 1 if low == 0 else starts[low]
        end = len(old_lines) if high == len(body) - 1 else ends[high]
        if low > 0 and ends[low - 1] >= begin:
            return None
        if high < len(body) - 1 and starts[high + 1] <= end:
            return None
        if begin > first_changed or end < last_changed:
            return None
        shift = len(lines) - len(old_lines)
        stretch = "".join(lines[begin - 1 : end + shift])
        try:
            part = ast.parse(stretch, filename=filename)
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            return None
        if begin > 1:
            ast.increment_lineno(part, begin - 1)
        after = body[high + 1 :]
        if shift:
            for stmt in after:
                ast.increment_lineno(stmt, shift)
        self.reused = low + len(after)
        return ast.Module(body=[*body[:low], *part.body, *after], type_ignores=[])
