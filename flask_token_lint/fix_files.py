"""Fixing files on disk: atomically, keeping their mode, never over a file changed since it was read.

Imported only when ``--fix`` or ``--diff`` is given, because it brings libcst.
"""

from __future__ import annotations

import difflib
import os
import stat
import tempfile
from dataclasses import dataclass, field
from typing import Callable

from flask_token_lint.finding import Finding
from flask_token_lint.fixer import allowed, fix_source
from flask_token_lint.results import SECRET_CODES, masked
from flask_token_lint.source import decode_source, split_lines

MAX_ROUNDS = 5  # a fix can reveal another finding on the same node; stop well before looping


class NotWritten(Exception):
    """The fix was not written; the message says why and the file is left as it is."""


class ChangedOnDisk(NotWritten):
    """The file changed between reading and writing: it is left as it is now."""


@dataclass
class FileFix:
    original: bytes
    fixed: bytes
    found: list[Finding] = field(default_factory=list)  # before any fix
    fixed_findings: list[Finding] = field(default_factory=list)
    remaining: list[Finding] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return self.fixed != self.original


def fix_file_source(
    source: bytes, findings: list[Finding], recheck: Callable[[bytes], list[Finding]], unsafe: bool
) -> FileFix:
    """Apply fixes round after round until none is left to apply."""
    result = FileFix(source, source, found=findings, remaining=findings)
    for _ in range(MAX_ROUNDS):
        if not any(allowed(f, unsafe) for f in result.remaining):
            break
        attempt = fix_source(result.fixed, result.remaining, unsafe)
        if not attempt.fixed or attempt.source == result.fixed:
            break
        result.fixed = attempt.source
        result.fixed_findings += attempt.fixed
        result.remaining = recheck(result.fixed)
    return result


def unified_diff(path: str, fix: FileFix) -> str:
    """The change as a unified diff; lines that held a secret literal show it masked."""
    before = split_lines(decode_source(fix.original))
    after = split_lines(decode_source(fix.fixed))
    secret = {
        lines[f.line - 1]
        for lines, findings in ((before, fix.found), (after, fix.remaining))
        for f in findings
        if f.code in SECRET_CODES and 0 < f.line <= len(lines)
    }
    before = [masked(line) if line in secret else line for line in before]
    after = [masked(line) if line in secret else line for line in after]
    return "".join(difflib.unified_diff(before, after, fromfile=path, tofile=path))


def write_atomically(path: str, expected: bytes, content: bytes) -> None:
    """Replace ``path`` with ``content`` if it still holds ``expected``: temp file, then rename.

    A symbolic link is followed: its target is fixed and the link stays a link. A file without
    write permission (for anyone) is refused even when the user could override it.
    """
    path = os.path.realpath(path)
    mode = stat.S_IMODE(os.stat(path).st_mode)
    if not mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH):
        raise NotWritten("read-only file; not fixed")
    with open(path, "rb") as handle:
        if handle.read() != expected:
            raise ChangedOnDisk("changed on disk since it was read; not overwritten")
    directory = os.path.dirname(path)
    descriptor, temporary = tempfile.mkstemp(dir=directory, prefix=f".{os.path.basename(path)}.", suffix=".tmp")
    try:
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(content)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temporary, mode)
        os.replace(temporary, path)
    except BaseException:
        if os.path.exists(temporary):
            os.unlink(temporary)
        raise
