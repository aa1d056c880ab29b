"""What a run found, file by file: the records every renderer, the baseline and the fixer share."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from typing import Sequence

from flask_token_lint.finding import Finding, FixSafety


@dataclass(frozen=True)
class FileFinding:
    path: str
    finding: Finding
    line_text: str = ""  # the flagged line, for --show-source, SARIF columns and fingerprints


@dataclass(frozen=True)
class ReportOptions:
    unsafe: bool = False  # --unsafe-fixes given: unsafe fixes count as available
    show_source: bool = False
    color: bool = False


def fix_available(finding: Finding, unsafe: bool) -> bool:
    return finding.fix is FixSafety.SAFE or (unsafe and finding.fix is FixSafety.UNSAFE)


def normalized(line_text: str) -> str:
    """The flagged line with its white space folded: indentation and spacing changes do not count."""
    return " ".join(line_text.split())


def fingerprints(results: Sequence[FileFinding]) -> list[str]:
    """A stable id per finding: code, path, normalized line text and the occurrence among equals.

    Lines added or removed above a finding do not change it; editing the flagged line does.
    """
    seen: dict[tuple[str, str, str], int] = {}
    ids = []
    for result in results:
        key = (result.finding.code, result.path.replace("\\", "/"), normalized(result.line_text))
        occurrence = seen.get(key, 0)
        seen[key] = occurrence + 1
        ids.append(hashlib.sha256("\0".join([*key, str(occurrence)]).encode()).hexdigest()[:20])
    return ids


# Codes whose flagged line holds a secret literal: source shown for them is masked.
SECRET_CODES = frozenset({"FTL107"})
_STRING_LITERAL = re.compile(r"""(['"])((?:\\.|(?!\1).)*)\1""")


def masked(line_text: str) -> str:
    """The line with the contents of its string literals replaced by ``***``."""
    return _STRING_LITERAL.sub(lambda m: f"{m.group(1)}***{m.group(1)}", line_text)
