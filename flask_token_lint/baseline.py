"""Baselines: record today's findings, then report only new ones.

A finding is recognised by its fingerprint (code, path relative to the
baseline file, the flagged line's text with white space folded, and its
occurrence among identical ones), so lines added or removed above it do not
bring it back, while editing the flagged line does.

A fix edits lines too: ``--fix`` with ``--baseline`` leaves the baselined
findings alone (unless ``--fix-baselined``), and when a fix of another finding
changes the line a baselined one stands on, the baseline's entry for it is
rewritten to the new fingerprint (``rekey_baseline``), so it stays recorded in
this run and the next. An entry of a baselined finding that was fixed is
dropped.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections import Counter
from contextlib import contextmanager
from dataclasses import dataclass, replace
from typing import Iterator, Sequence

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


def recorded(path: str, results: Sequence[FileFinding], known: Counter[str]) -> list[bool]:
    """For each result, whether the baseline accounts for it (each recorded finding excuses one)."""
    remaining = Counter(known)
    accounted = []
    for fingerprint in fingerprints_for(path, results):
        accounted.append(remaining[fingerprint] > 0)
        if accounted[-1]:
            remaining[fingerprint] -= 1
    return accounted


def new_findings(path: str, results: Sequence[FileFinding], known: Counter[str]) -> list[FileFinding]:
    """The results the baseline does not account for (each recorded finding excuses one)."""
    return [result for result, old in zip(results, recorded(path, results, known)) if not old]


def fingerprints_for(path: str, results: Sequence[FileFinding]) -> list[str]:
    """The fingerprints of ``results`` as the baseline at ``path`` records them."""
    return fingerprints(_relative_to(path, results))


_READ: dict[str, tuple[tuple[int, int, int], Counter[str]]] = {}


def cached_baseline(path: str) -> Counter[str]:
    """``read_baseline``, read once per process while the file stays as it is."""
    try:
        info = os.stat(path)
        stamp = (info.st_ino, info.st_size, info.st_mtime_ns)
    except OSError:
        return read_baseline(path)  # says why
    key = os.path.abspath(path)
    if key not in _READ or _READ[key][0] != stamp:
        _READ[key] = (stamp, read_baseline(path))
    return Counter(_READ[key][1])


@dataclass(frozen=True)
class Rekey:
    """A baseline entry to follow its finding: ``old`` fingerprint becomes ``new`` (on ``line``);
    ``new`` None drops the entry (the finding was fixed)."""

    old: str
    new: str | None
    line: int | None = None


def rekey_baseline(path: str, rekeys: Sequence[Rekey]) -> None:
    """Rewrite the entries of the baseline at ``path`` that ``rekeys`` name, one entry each.

    Fixing workers run side by side: the read, change and atomic rename happen under a lock on
    the baseline's folder, so no worker's change is lost."""
    if not rekeys:
        return
    with _locked(os.path.dirname(os.path.abspath(path))):
        try:
            with open(path, encoding="utf-8") as handle:
                document = json.load(handle)
            entries = document["findings"]
        except OSError as error:
            raise ConfigError(f"{path}: cannot read the baseline: {error.strerror or error}") from None
        except (ValueError, KeyError, TypeError) as error:
            raise ConfigError(f"{path}: not a flask-token-lint baseline ({error})") from None
        chosen: dict[int, Rekey] = {}  # entries matched on their fingerprints as read, then changed
        for rekey in rekeys:
            index = next(
                (i for i, e in enumerate(entries) if i not in chosen and e.get("fingerprint") == rekey.old), None
            )
            if index is not None:
                chosen[index] = rekey
        for index, rekey in chosen.items():
            if rekey.new is not None:
                entries[index] = {**entries[index], "fingerprint": rekey.new}
                if rekey.line is not None and "line" in entries[index]:
                    entries[index]["line"] = rekey.line
        document["findings"] = [e for i, e in enumerate(entries) if i not in chosen or chosen[i].new is not None]
        _replace_json(path, document)


@contextmanager
def _locked(directory: str) -> Iterator[None]:
    try:
        import fcntl
    except ImportError:  # Windows: no advisory locks; fixes there run one file at a time anyway
        yield
        return
    descriptor = os.open(directory, os.O_RDONLY)
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX)
        yield
    finally:
        os.close(descriptor)  # releases the lock


def _replace_json(path: str, document: object) -> None:
    target = os.path.realpath(path)
    mode = os.stat(target).st_mode & 0o7777
    descriptor, temporary = tempfile.mkstemp(dir=os.path.dirname(target), prefix=".baseline.", suffix=".tmp")
    try:
        with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
            json.dump(document, handle, indent=2)
            handle.write("\n")
        os.chmod(temporary, mode)
        os.replace(temporary, target)
    except BaseException:
        if os.path.exists(temporary):
            os.unlink(temporary)
        raise
