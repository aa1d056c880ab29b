"""Expectations written in fixture files as trailing comments.

``# expect: FTL201``            the rule reports on this line (every front-end)
``# expect[cli,flake8]: FTL501`` only these front-ends report it here
``# ok: FTL201``                must stay silent here
``# todo-expect: FTL201``       a known gap: should fire, does not yet

Parsed with a regex, never evaluated.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

FRONT_ENDS = ("engine", "cli", "flake8", "pylint")
_ANNOTATION = re.compile(
    r"#\s*(?P<kind>expect|ok|todo-expect)(?:\[(?P<fronts>[a-z0-9,\s]+)\])?:\s*"
    r"(?P<codes>FTL[0-9]{3}(?:\s*,\s*FTL[0-9]{3})*)"
)


@dataclass
class Expectations:
    expected: dict[str, set[tuple[int, str]]] = field(default_factory=lambda: {f: set() for f in FRONT_ENDS})
    silent: set[tuple[int, str]] = field(default_factory=set)
    todo: set[tuple[int, str]] = field(default_factory=set)


def read_expectations(path: Path) -> Expectations:
    result = Expectations()
    text = path.read_bytes().decode("utf-8", errors="replace")
    for number, line in enumerate(text.splitlines(), start=1):
        for match in _ANNOTATION.finditer(line):
            codes = {c.strip() for c in match.group("codes").split(",")}
            pairs = {(number, code) for code in codes}
            kind = match.group("kind")
            if kind == "ok":
                result.silent |= pairs
            elif kind == "todo-expect":
                result.todo |= pairs
            else:
                fronts = match.group("fronts")
                chosen = [f.strip() for f in fronts.split(",")] if fronts else list(FRONT_ENDS)
                unknown = set(chosen) - set(FRONT_ENDS)
                if unknown:
                    raise ValueError(f"{path}:{number}: unknown front-end {sorted(unknown)}")
                for front in chosen:
                    result.expected[front] |= pairs
    return result
