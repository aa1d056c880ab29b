"""Fixing files on disk: atomically, keeping their owner and mode, never over a file changed since
it was read, never over a file the user may not write; diffs that ``git apply`` and ``patch`` take;
fixes that leave baselined findings alone and keep the baseline recognising them.

Imported only when ``--fix`` or ``--diff`` is given, because it brings libcst.
"""

from __future__ import annotations

import difflib
import os
import stat
import tempfile
from dataclasses import dataclass, field
from typing import Callable

from flask_token_lint import baseline as baselines
from flask_token_lint.finding import Finding
from flask_token_lint.fixer import allowed, fix_source
from flask_token_lint.results import FileFinding
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
    # With a baseline: how its entries must change once the fixed file is written (see write_fix).
    rekeys: list[baselines.Rekey] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return self.fixed != self.original


def fix_file_source(
    source: bytes,
    findings: list[Finding],
    recheck: Callable[[bytes], list[Finding]],
    unsafe: bool,
    hold: Callable[[bytes, list[Finding]], list[Finding]] | None = None,
) -> FileFix:
    """Apply fixes round after round until none is left to apply.

    ``hold(source, findings)`` names the findings of ``source`` that must stay as they are (the
    baselined ones); their fixes are never applied, in any round."""
    result = FileFix(source, source, found=findings, remaining=findings)
    for _ in range(MAX_ROUNDS):
        held = [] if hold is None else hold(result.fixed, result.remaining)
        eligible = [f for f in result.remaining if not any(f is h for h in held)]
        if not any(allowed(f, unsafe) for f in eligible):
            break
        attempt = fix_source(result.fixed, eligible, unsafe)
        if not attempt.fixed or attempt.source == result.fixed:
            break
        result.fixed = attempt.source
        result.fixed_findings += attempt.fixed
        result.remaining = recheck(result.fixed)
    return result


# -- fixing beside a baseline ------------------------------------------------------------------------


def _lines_of(source: bytes) -> list[str]:
    try:
        return split_lines(decode_source(source))
    except (SyntaxError, UnicodeDecodeError, LookupError):
        return []


def _line_map(before: list[str], after: list[str]) -> dict[int, int]:
    """New line number -> old line number, for lines kept or changed in place (one for one)."""
    mapping: dict[int, int] = {}
    matcher = difflib.SequenceMatcher(None, before, after, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal" or (tag == "replace" and i2 - i1 == j2 - j1):
            mapping.update({j1 + k + 1: i1 + k + 1 for k in range(j2 - j1)})
    return mapping


def carried(
    original: list[Finding], original_lines: list[str], now: list[Finding], now_lines: list[str]
) -> dict[int, int]:
    """Which finding of the original source each finding of a fixed source is: index -> index.

    The same code on the line the fix kept (or changed in place), in column order; then, for what
    is left, the same code in order among the findings whose lines did not survive one for one (a
    fix that split or joined lines). A finding no original accounts for was revealed by a fix; an
    original no finding follows was fixed."""
    mapping = _line_map(original_lines, now_lines)
    survived = set(mapping.values())
    pairs: dict[int, int] = {}
    free = list(range(len(original)))
    for index, finding in enumerate(now):
        old_line = mapping.get(finding.line)
        match = next((i for i in free if original[i].line == old_line and original[i].code == finding.code), None)
        if match is not None:
            pairs[index] = match
            free.remove(match)
    for index, finding in enumerate(now):
        if index not in pairs and finding.line not in mapping:
            match = next(
                (i for i in free if original[i].code == finding.code and original[i].line not in survived), None
            )
            if match is not None:
                pairs[index] = match
                free.remove(match)
    return pairs


def fix_file(
    path: str,
    source: bytes,
    findings: list[Finding],
    recheck: Callable[[bytes], list[Finding]],
    unsafe: bool,
    baseline: str | None = None,
    fix_baselined: bool = False,
) -> FileFix:
    """Fix the file at ``path`` (content ``source``, ``findings`` standing in it), beside a baseline.

    Without ``baseline`` this is ``fix_file_source``. With one, the findings it records are left as
    they are unless ``fix_baselined``; and since a fingerprint holds its line's text, the result's
    ``rekeys`` say how the baseline's entries follow the findings whose lines the fixes changed (a
    baselined finding fixed, with ``fix_baselined``, loses its entry). ``write_fix`` applies them
    once the file is written, so the findings the baseline records stay recorded, in this run's
    report and in later runs.
    """
    if baseline is None:
        return fix_file_source(source, findings, recheck, unsafe)
    known = baselines.cached_baseline(baseline)
    original_lines = _lines_of(source)
    recorded = baselines.recorded(baseline, _rows(path, findings, original_lines), known)

    def hold(current: bytes, now: list[Finding]) -> list[Finding]:
        if fix_baselined:
            return []
        pairs = carried(findings, original_lines, now, _lines_of(current))
        return [finding for index, finding in enumerate(now) if index in pairs and recorded[pairs[index]]]

    result = fix_file_source(source, findings, recheck, unsafe, hold=hold)
    if result.changed:
        result.rekeys = _rekeys(baseline, path, findings, original_lines, recorded, result)
    return result


def _rows(path: str, findings: list[Finding], lines: list[str]) -> list[FileFinding]:
    return [FileFinding(path, f, lines[f.line - 1] if 0 < f.line <= len(lines) else "") for f in findings]


def _rekeys(
    baseline: str, path: str, found: list[Finding], found_lines: list[str], recorded: list[bool], fix: FileFix
) -> list[baselines.Rekey]:
    fixed_lines = _lines_of(fix.fixed)
    before = baselines.fingerprints_for(baseline, _rows(path, found, found_lines))
    after = baselines.fingerprints_for(baseline, _rows(path, fix.remaining, fixed_lines))
    pairs = carried(found, found_lines, fix.remaining, fixed_lines)
    followed = {old: new for new, old in pairs.items()}
    rekeys = []
    for index in range(len(found)):
        if not recorded[index]:
            continue
        if index not in followed:
            rekeys.append(baselines.Rekey(before[index], None, None))  # fixed: its entry goes
        elif after[followed[index]] != before[index]:
            rekeys.append(baselines.Rekey(before[index], after[followed[index]], fix.remaining[followed[index]].line))
    return rekeys


def write_fix(path: str, fix: FileFix, baseline: str | None = None) -> None:
    """Write a fixed file (``write_atomically``), then bring the baseline's entries along."""
    write_atomically(path, fix.original, fix.fixed)
    if baseline is not None and fix.rekeys:
        baselines.rekey_baseline(baseline, fix.rekeys)


# -- diffs ---------------------------------------------------------------------------------------------


def diff_names(path: str) -> tuple[str, str]:
    """The ``---`` and ``+++`` names of a file's diff, as git writes them: ``a/PATH`` and ``b/PATH``.

    PATH is the path as given, relative to the working folder (an absolute path inside it is made
    relative), with forward slashes; ``git apply`` and ``patch -p1`` run from that folder apply the
    diff. A path outside the working folder is written as it is, without ``a/``/``b/`` (``patch
    -p0`` then). A name holding a space ends with a tab, as git ends it, so both tools read it whole.
    """
    shown = path
    if os.path.isabs(shown):
        try:
            relative = os.path.relpath(shown)
        except ValueError:  # another drive, on Windows
            relative = shown
        if relative != os.pardir and not relative.startswith(os.pardir + os.sep):
            shown = relative
    shown = shown.replace(os.sep, "/")
    inside = not os.path.isabs(shown) and not shown.startswith("../") and shown != ".."
    if inside:
        shown = os.path.normpath(shown).replace(os.sep, "/")
        names = (f"a/{shown}", f"b/{shown}")
    else:
        names = (shown, shown)
    end = "\t" if " " in shown else ""
    return names[0] + end, names[1] + end


_NO_NEWLINE = "\\ No newline at end of file\n"


def unified_diff(path: str, fix: FileFix) -> str:
    """The change as a unified diff that ``git apply`` and ``patch -p1`` apply (see ``diff_names``).

    Every line is shown as it is in the file, secret literals included: a diff is only useful
    if it applies, and the file it comes from is the user's own. (The report formats, which end
    up in CI logs, mask secrets; ``--diff`` is for the user's terminal.) A file that keeps its
    byte order mark keeps it on its first line, and a last line without a newline is marked as
    diff marks it.
    """
    before = _diff_lines(fix.original)
    after = _diff_lines(fix.fixed)
    old, new = diff_names(path)
    lines = []
    for line in difflib.unified_diff(before, after, fromfile=old, tofile=new):
        lines.append(line)
        if not line.endswith(("\n", "\r")):
            lines.append("\n" + _NO_NEWLINE)
    return "".join(lines)


def _diff_lines(source: bytes) -> list[str]:
    lines = split_lines(decode_source(source))
    if source.startswith(b"\xef\xbb\xbf") and lines:
        lines[0] = "\ufeff" + lines[0]
    return lines


# -- writing -------------------------------------------------------------------------------------------


def may_write(path: str, info: os.stat_result | None = None) -> bool:
    """This process may write the file itself (not only its folder): as its real user (what
    ``os.access`` asks, ACLs and read-only mounts included) and as its effective user (a setuid
    run); for a user other than root, the file's owner, group and mode must say so too."""
    info = info if info is not None else os.stat(path)
    if not os.access(path, os.W_OK):
        return False
    if not hasattr(os, "geteuid"):  # Windows: os.access reads the read-only attribute
        return True
    if os.access in os.supports_effective_ids and not os.access(path, os.W_OK, effective_ids=True):
        return False
    user = os.geteuid()
    if user == 0:
        return True
    if info.st_uid == user:
        return bool(info.st_mode & stat.S_IWUSR)
    if info.st_gid == os.getegid() or info.st_gid in os.getgroups():
        return bool(info.st_mode & stat.S_IWGRP)
    return bool(info.st_mode & stat.S_IWOTH)


def write_atomically(path: str, expected: bytes, content: bytes) -> None:
    """Replace ``path`` with ``content`` if it still holds ``expected``: temp file, then rename.

    A symbolic link is followed: its target is fixed and the link stays a link. A file without
    write permission (for anyone) is refused even when the user could override it, and so is a
    file this user may not write (``may_write``): a writable folder lets anyone rename over a
    file, so the file's own permission is checked first. The new file gets the old one's mode,
    owner and group; when they cannot be given to it (a group-writable file owned by someone
    else) or the folder is not writable, the file is rewritten in place instead, which keeps them.
    """
    path = os.path.realpath(path)
    info = os.stat(path)
    mode = stat.S_IMODE(info.st_mode)
    if not mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH):
        raise NotWritten("read-only file; not fixed")
    if not may_write(path, info):
        raise NotWritten(
            f"permission denied: this user may not write the file (owner uid {info.st_uid}, mode {mode:04o}); "
            "not fixed"
        )
    with open(path, "rb") as handle:
        if handle.read() != expected:
            raise ChangedOnDisk("changed on disk since it was read; not overwritten")
    directory = os.path.dirname(path)
    try:
        descriptor, temporary = tempfile.mkstemp(dir=directory, prefix=f".{os.path.basename(path)}.", suffix=".tmp")
    except PermissionError:
        _write_in_place(path, expected, content)
        return
    try:
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(content)
            handle.flush()
            if not _same_owner(handle.fileno(), info):
                raise _KeepOwner
            if hasattr(os, "fchmod"):
                os.fchmod(handle.fileno(), mode)  # after the chown, which clears set-id bits
            else:
                os.chmod(temporary, mode)
            os.fsync(handle.fileno())
        os.replace(temporary, path)
    except _KeepOwner:
        os.unlink(temporary)
        _write_in_place(path, expected, content)
    except BaseException:
        if os.path.exists(temporary):
            os.unlink(temporary)
        raise


class _KeepOwner(Exception):
    """The temporary file cannot be given the file's owner and group: rewrite in place."""


def _same_owner(descriptor: int, info: os.stat_result) -> bool:
    """Give the temporary file the original's owner and group; False when that is not allowed."""
    if not hasattr(os, "fchown"):
        return True
    now = os.fstat(descriptor)
    if (now.st_uid, now.st_gid) == (info.st_uid, info.st_gid):
        return True
    try:
        os.fchown(descriptor, info.st_uid, info.st_gid)
    except PermissionError:
        return False
    return True


def _write_in_place(path: str, expected: bytes, content: bytes) -> None:
    """Rewrite the file through its own inode (owner, group, mode, links kept); not atomic."""
    with open(path, "r+b") as handle:
        if handle.read() != expected:
            raise ChangedOnDisk("changed on disk since it was read; not overwritten")
        handle.seek(0)
        handle.write(content)
        handle.truncate()
        handle.flush()
        os.fsync(handle.fileno())
