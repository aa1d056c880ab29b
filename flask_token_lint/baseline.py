"""Baselines: record today's findings, then report only new ones.

A finding is recognised by its fingerprint (code, path relative to the
baseline file, the flagged line's text with white space folded, and its
occurrence among identical ones), so lines added or removed above it do not
bring it back, while editing the flagged line does.
"""

from __future__ import annotations

import json
import os
from collections import Counter
from dataclasses import replace
from typing import Sequence

from flask_token_lint import __version__
from flask_token_lint.results import FileFinding, fingerprints
from flask_token_lint.settings import ConfigError

FORMAT_VERSION = 1


def _relative_to(baseline: str, results: Sequence[FileFinding]) -> list[FileFinding]:
    base = os.path.dirname(os.path.abspath(baseline))
    return [replace(r, path=os.path.relpath(os.path.abspath(r.path), base).replace(os.sep, "/")) for r in results]


def write_baseline(path: str, results: Sequence[FileFinding]) -> None:
    relative = _relative_to(path, results)
    entries = [
        {"fingerprint": fingerprint, "code": r.finding.code, "path": r.path, "line": r.finding.line}
        for r, fingerprint in zip(relative, fingerprints(relative))
    ]
    document = {"tool": "flask-token-lint", "version": __version__, "format": FORMAT_VERSION, "findings": entries}
    with open(path, "w", encoding="utf-8") as handle:
        json.dump(document, handle, indent=2)
        handle.write("\n")


def read_baseline(path: str) -> Counter[str]:
    try:
        with open(path, encoding="utf-8") as handle:
            document = json.load(handle)
        return Counter(entry["fingerprint"] for entry in document["findings"])
    except OSError as error:
        raise ConfigError(f"{path}: cannot read the baseline: {error.strerror or error}") from None
    except (ValueError, KeyError, TypeError) as error:
        raise ConfigError(f"{path}: not a flask-token-lint baseline ({error})") from None


def new_findings(path: str, results: Sequence[FileFinding], known: Counter[str]) -> list[FileFinding]:
    """The results the baseline does not account for (each recorded finding excuses one)."""
    remaining = Counter(known)
    fresh = []
    for result, fingerprint in zip(results, fingerprints(_relative_to(path, results))):
        if remaining[fingerprint] > 0:
            remaining[fingerprint] -= 1
        else:
            fresh.append(result)
    return fresh
