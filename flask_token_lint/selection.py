"""Which codes a run reports: ``--select``/``--ignore`` by code prefix, as flake8 decides.

An explicit choice beats a default one; when a code matches both a selected and
an ignored prefix of the same kind, the longer prefix wins. Codes that are off
by default are selected only when a ``--select``/``--extend-select`` prefix
matches them.
"""

from __future__ import annotations

from typing import Iterable, Sequence


def split_codes(value: str | Sequence[str] | None) -> list[str] | None:
    """``"FTL1, FTL401"`` -> ``["FTL1", "FTL401"]``; None stays None."""
    if value is None:
        return None
    items = value.replace(",", " ").split() if isinstance(value, str) else [v.strip() for v in value]
    return [item.upper() for item in items if item]


def _longest(code: str, prefixes: Iterable[str]) -> int:
    return max((len(p) for p in prefixes if code.startswith(p)), default=-1)


def selected_codes(
    codes: Iterable[str],
    default_off: Iterable[str] = (),
    select: Sequence[str] | None = None,
    ignore: Sequence[str] | None = None,
    extend_select: Sequence[str] = (),
    extend_ignore: Sequence[str] = (),
) -> set[str]:
    explicit_select = [*(select or ()), *extend_select]
    explicit_ignore = [*(ignore or ()), *extend_ignore]
    all_codes = list(codes)
    selecting = explicit_select if select is not None else [*all_codes, *extend_select]
    ignoring = explicit_ignore if ignore is not None else [*default_off, *extend_ignore]
    chosen = set()
    for code in all_codes:
        by_select, by_ignore = _longest(code, explicit_select), _longest(code, explicit_ignore)
        if by_select >= 0 or by_ignore >= 0:
            keep = by_select > by_ignore
        else:
            keep = _longest(code, selecting) > _longest(code, ignoring)
        if keep:
            chosen.add(code)
    return chosen
