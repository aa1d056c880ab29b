"""What every stage hands on: a finding and how safe its fix is.

Output, cache, baseline and fixer import this module, never the analyzer.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field

UNPARSABLE = "FTL001"


class FixSafety(enum.Enum):
    NONE = "none"
    SAFE = "safe"  # keeps what an app deployed over HTTPS does; the author's intent is not in doubt
    UNSAFE = "unsafe"  # may change what a working program does: applied only with --unsafe-fixes


@dataclass(frozen=True)
class Fixable:
    """A finding's fix: how safe it is, and what the rule's ``apply_fix`` needs to know."""

    safety: FixSafety
    data: tuple[tuple[str, str], ...] = ()
    # The node the fix rewrites when it is not the reported one (a call whose keyword is reported).
    target: object = field(default=None, compare=False)


@dataclass(frozen=True, order=True)
class Finding:
    line: int
    col: int  # 0-based, as ``ast`` gives it (UTF-8 bytes into the line)
    code: str
    message: str
    end_line: int | None = None
    end_col: int | None = None
    fix: FixSafety = field(default=FixSafety.NONE, compare=False)
    fix_data: tuple[tuple[str, str], ...] = field(default=(), compare=False)
    # (line, col, end_line, end_col) of the node the fix rewrites, when it is not the reported one.
    fix_span: tuple[int, int, int, int] | None = field(default=None, compare=False)
    # For a finding that crossed modules (the project index): the steps that led to it, each
    # (path of the module, or "" for this file; line; what happens there), the finding last.
    flow: tuple[tuple[str, int, str], ...] = field(default=(), compare=False)
