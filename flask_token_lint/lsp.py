"""What the language server says about one document, without the protocol: findings as ranges,
fixes and ``# noqa`` comments as minimal text edits, rule documentation for hovers.

Positions here are 0-based lines and code-point columns; the server (``server.py``) converts them
to the encoding the client negotiated. Nothing here imports pygls.
"""

from __future__ import annotations

import io
import re
import tokenize
from dataclasses import dataclass

from flask_token_lint.finding import Finding, FixSafety
from flask_token_lint.registry import all_rules
from flask_token_lint.rule import Rule
from flask_token_lint.source import changes, char_column, split_lines

Position = tuple[int, int]  # 0-based line, code-point column


@dataclass(frozen=True)
class Edit:
    """Replace the text from ``start`` to ``end`` with ``text``."""

    start: Position
    end: Position
    text: str


def span(lines: list[str], finding: Finding) -> tuple[Position, Position]:
    """The finding's range: its node's start and end (a finding without an end, FTL001, covers the
    rest of its line)."""
    line = finding.line - 1
    text = _line(lines, line)
    start = (line, char_column(text, finding.col))
    if finding.end_line is None or finding.end_col is None:
        return start, (line, len(text.rstrip("\r\n")))
    end_line = finding.end_line - 1
    return start, (end_line, char_column(_line(lines, end_line), finding.end_col))


def _line(lines: list[str], index: int) -> str:
    return lines[index] if 0 <= index < len(lines) else ""


def edits_between(old: str, new: str) -> list[Edit]:
    """The fewest, smallest edits that turn ``old`` into ``new``: one per block of changed lines,
    trimmed to the characters that differ."""
    before = split_lines(old)
    edits = []
    for change in changes(before, split_lines(new)):
        removed, added = change.old, change.new
        start = _position(change.line, removed[: change.prefix])
        end = _position(change.line, removed[: len(removed) - change.suffix])
        edits.append(Edit(start, end, added[change.prefix : len(added) - change.suffix]))
    return edits


def _position(first: int, text: str) -> Position:
    """Where ``text`` ends, when it starts at the beginning of line ``first``."""
    line, column = first, 0
    for piece in split_lines(text):
        if piece.endswith(("\n", "\r")):
            line, column = line + 1, 0
        else:
            column = len(piece)
    return line, column


# -- "# noqa" ---------------------------------------------------------------------------------
_NOQA_CODES = re.compile(r"#\s*noqa:\s?(?P<codes>[A-Z]+[0-9]+(?:[\s,]*[A-Z]+[0-9]+)*)", re.IGNORECASE)
_BARE_NOQA = re.compile(r"#\s*noqa(?!:)", re.IGNORECASE)


def noqa_edit(text: str, finding: Finding) -> Edit | None:
    """Adds ``finding``'s code to the ``# noqa:`` comment that silences it, or a new comment at the
    end of the line (the last line of a string that spans lines). None when no comment can go there
    (the line continues with a backslash)."""
    lines = split_lines(text)
    target = _comment_line(text, finding.line) - 1
    if not 0 <= target < len(lines):
        return None
    line = lines[target]
    body = line.rstrip("\r\n")
    if body.endswith("\\"):
        return None
    codes = _NOQA_CODES.search(body)
    if codes is not None:
        end = codes.end("codes")
        return Edit((target, end), (target, end), f",{finding.code}")
    if _BARE_NOQA.search(body):
        return None  # already silences every code on the line
    return Edit((target, len(body)), (target, len(body)), f"  # noqa: {finding.code}")


def _comment_line(text: str, line: int) -> int:
    """The line a comment silencing line ``line`` goes on: the last line of a token that starts
    there and spans lines (a triple-quoted string), else ``line`` itself."""
    last = line
    try:
        for token in tokenize.generate_tokens(io.StringIO(text).readline):
            if token.start[0] > line:
                break
            if token.start[0] <= line <= token.end[0] and token.type not in (tokenize.NL, tokenize.NEWLINE):
                last = max(last, token.end[0])
    except (tokenize.TokenError, SyntaxError, IndentationError):
        pass
    return last


# -- hover ------------------------------------------------------------------------------------
def hover_markdown(rule: type[Rule] | Rule, link: str) -> str:
    """The rule's summary, why it matters and how to fix it, for a hover."""
    docs = rule.docs
    fix = {
        FixSafety.SAFE: "A safe fix is offered.",
        FixSafety.UNSAFE: "A fix is offered; it is unsafe (it may change what the program does).",
    }
    fixes = " ".join(fix[safety] for safety in rule.fixes) or "No automatic fix."
    return "\n\n".join([
        f"**{rule.code} {rule.symbol}**: {rule.summary}",
        docs.what,
        f"**Why it matters.** {docs.why}",
        f"**Fix.** {fixes}" + (f" {rule.fix_title}." if rule.fix_title else ""),
        f"[{rule.code} documentation]({link})",
    ])


def rule_of(code: str) -> type[Rule] | None:
    return all_rules().get(code)
