"""Finding the Python files under the paths a user names, and matching paths against patterns.

One matcher serves ``exclude``, ``per-file-ignores`` and ``test-code-paths``. A path is
matched relative to a root (the folder of the configuration file, else the current
directory), with ``/`` as separator; a path outside the root is matched as it was given.

- A pattern without ``/`` is matched against a name: the file's, or (where folders count)
  the name of any folder it is in below the root. ``tests`` is every folder called
  ``tests``; ``test_*.py`` every file so named.
- A pattern with ``/`` is matched against the whole relative path (``src/legacy/*.py``),
  or (where folders count) the relative path of a folder the file is in (``src/legacy``).
- ``fnmatch`` rules otherwise, as flake8's and ruff's patterns: ``*`` is any run of
  characters (in a pattern with ``/``, across ``/`` too), ``?`` one character, ``[abc]`` one
  of them. ``**/`` is also allowed to match no folder at all, so ``**/tests/**`` is both
  ``tests/x.py`` and ``src/pkg/tests/x.py``. A leading ``./`` and a trailing ``/`` are dropped.
"""

from __future__ import annotations

import fnmatch
import functools
import os
import re
from pathlib import Path
from typing import Callable, Iterable, Iterator, Sequence

# Folders that never hold the user's own code.
SKIPPED_DIRECTORIES = (
    ".git", ".hg", ".svn", ".tox", ".nox", ".venv", "venv", ".eggs", "__pycache__",
    "node_modules", "build", "dist", ".mypy_cache", ".pytest_cache", ".ruff_cache", "*.egg-info",
)


def relative_path(path: str, root: str | Path) -> str:
    """``path`` relative to ``root`` with ``/`` separators, or as given (``/`` separators) when it is outside."""
    absolute, base = os.path.abspath(path), os.path.abspath(root)
    inside = _below(absolute, base)
    if inside is None:
        inside = _below(os.path.realpath(absolute), os.path.realpath(base))
    return inside.replace(os.sep, "/") if inside is not None else Path(path).as_posix()


def _below(absolute: str, base: str) -> str | None:
    if absolute == base:
        return "."
    prefix = base if base.endswith(os.sep) else base + os.sep
    return absolute[len(prefix):] if absolute.startswith(prefix) else None


@functools.lru_cache(maxsize=None)
def _variants(pattern: str) -> tuple[str, ...]:
    """The plain fnmatch patterns one pattern stands for: each ``**/`` at the start or after ``/``
    either stays (one or more folders) or is dropped (no folder)."""
    head, marker, tail = pattern.partition("**/")
    if not marker:
        return (pattern,)
    rests = _variants(tail)
    if head and not head.endswith("/"):
        return tuple(f"{head}{marker}{rest}" for rest in rests)
    return tuple(dict.fromkeys([*(head + rest for rest in rests), *(head + marker + rest for rest in rests)]))


def _normal(pattern: str) -> str:
    pattern = pattern.replace(os.sep, "/").strip()
    while pattern.startswith("./"):
        pattern = pattern[2:]
    return pattern.rstrip("/") or pattern


@functools.lru_cache(maxsize=None)
def _compiled(pattern: str) -> tuple[bool, Callable[[str], object]]:
    """Whether the pattern is matched against whole paths (it has ``/``), and one regular expression
    for all its variants: each pattern is translated once, not once per file."""
    pattern = _normal(pattern)
    expression = "|".join(f"(?:{fnmatch.translate(variant)})" for variant in _variants(pattern))
    return "/" in pattern, re.compile(expression).match


def path_matches(pattern: str, relative: str) -> bool:
    """One pattern against one relative path: its name for a pattern without ``/``, else the whole path."""
    whole, match = _compiled(pattern)
    subject = relative if whole else relative.rstrip("/").rpartition("/")[2] or relative
    return match(subject) is not None


@functools.lru_cache(maxsize=64)
def _combined(patterns: tuple[str, ...]) -> tuple[Callable[[str], object] | None, Callable[[str], object] | None]:
    """One expression for the patterns matched against names and one for those matched against
    paths: a path is tried once per part, not once per part and pattern."""
    kinds: dict[bool, list[str]] = {True: [], False: []}
    for pattern in patterns:
        normal = _normal(pattern)
        kinds["/" in normal].extend(fnmatch.translate(variant) for variant in _variants(normal))
    return tuple(  # type: ignore[return-value]
        re.compile("|".join(f"(?:{e})" for e in kinds[whole])).match if kinds[whole] else None
        for whole in (False, True)
    )


def matches_within(patterns: Iterable[str], relative: str) -> bool:
    """A pattern matches the path or a folder it is in (each leading part of the path)."""
    names_match, paths_match = _combined(tuple(patterns))
    head = "/" if relative.startswith("/") else ""  # an absolute path (outside the root) stays absolute
    parts = [part for part in relative.split("/") if part not in ("", ".")]
    if names_match is not None and any(names_match(name) is not None for name in parts or [relative]):
        return True
    if paths_match is None:
        return False
    prefixes = [head + "/".join(parts[:end]) for end in range(1, len(parts) + 1)] or [relative]
    return any(paths_match(prefix) is not None for prefix in prefixes)


class PathPatterns:
    """Patterns matched against a file's path relative to ``root``, and against the folders it is in."""

    def __init__(self, patterns: Iterable[str], root: str | Path | None = None) -> None:
        self.patterns = tuple(patterns)
        self.root = os.path.abspath(root or os.getcwd())

    def matches(self, path: str) -> bool:
        return bool(self.patterns) and matches_within(self.patterns, relative_path(path, self.root))


class Excluder:
    """Decides what a directory walk skips: glob patterns matched against a file or folder's name and
    its path relative to ``root``, and any folder holding a virtualenv (``pyvenv.cfg``). The walk meets
    each folder before what is in it, so a pattern that matches a folder skips all of it; a path named
    on the command line is walked even when a pattern matches it."""

    def __init__(self, patterns: Sequence[str] = SKIPPED_DIRECTORIES, root: str | None = None) -> None:
        self.patterns = tuple(patterns)
        self.root = Path(os.path.abspath(root or os.getcwd()))

    def excludes(self, path: str) -> bool:
        relative = relative_path(path, self.root)
        return any(path_matches(pattern, relative) for pattern in self.patterns)

    def excludes_named(self, path: str) -> bool:
        """A path named on the command line: excluded when a pattern matches it or a folder it is in."""
        return matches_within(self.patterns, relative_path(path, self.root))

    def skips_directory(self, path: str) -> bool:
        return self.excludes(path) or os.path.isfile(os.path.join(path, "pyvenv.cfg"))


def python_files(
    path: str,
    excluder: Excluder | None = None,
    on_error: Callable[[OSError], None] | None = None,
    force_exclude: bool = False,
) -> Iterator[str]:
    """``path`` itself when it is a file, else the ``.py`` files below it, sorted.

    A folder the walk cannot read is handed to ``on_error`` (the CLI reports it and exits 2)
    rather than skipped in silence. With ``force_exclude`` a path named here is also left out
    when the exclude patterns match it or a folder it is in (ruff's ``--force-exclude``).
    """
    excluder = excluder or Excluder()
    if force_exclude and excluder.excludes_named(path):
        return
    if not os.path.isdir(path):
        yield path
        return
    for directory, subdirectories, files in os.walk(path, onerror=on_error):
        subdirectories[:] = sorted(
            d for d in subdirectories if not excluder.skips_directory(os.path.join(directory, d))
        )
        for name in sorted(files):
            full = os.path.join(directory, name)
            if name.endswith((".py", ".pyw")) and not excluder.excludes(full):
                yield full
