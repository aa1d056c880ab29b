"""Finding the Python files under the paths a user names."""

from __future__ import annotations

import os
from fnmatch import fnmatch
from pathlib import Path
from typing import Iterator, Sequence

# Folders that never hold the user's own code.
SKIPPED_DIRECTORIES = (
    ".git", ".hg", ".svn", ".tox", ".nox", ".venv", "venv", ".eggs", "__pycache__",
    "node_modules", "build", "dist", ".mypy_cache", ".pytest_cache", ".ruff_cache", "*.egg-info",
)


class Excluder:
    """Decides what a directory walk skips: glob patterns matched against a file or folder's name and
    its path relative to ``root``, and any folder holding a virtualenv (``pyvenv.cfg``)."""

    def __init__(self, patterns: Sequence[str] = SKIPPED_DIRECTORIES, root: str | None = None) -> None:
        self.patterns = tuple(patterns)
        self.root = Path(os.path.abspath(root or os.getcwd()))

    def excludes(self, path: str) -> bool:
        name = os.path.basename(path)
        try:
            relative = Path(os.path.abspath(path)).relative_to(self.root).as_posix()
        except ValueError:
            relative = Path(path).as_posix()
        return any(fnmatch(name, p) or fnmatch(relative, p) or fnmatch(relative, p.rstrip("/")) for p in self.patterns)

    def skips_directory(self, path: str) -> bool:
        return self.excludes(path) or os.path.isfile(os.path.join(path, "pyvenv.cfg"))


def python_files(path: str, excluder: Excluder | None = None) -> Iterator[str]:
    """``path`` itself when it is a file, else the ``.py`` files below it, sorted."""
    excluder = excluder or Excluder()
    if not os.path.isdir(path):
        yield path
        return
    for directory, subdirectories, files in os.walk(path):
        subdirectories[:] = sorted(
            d for d in subdirectories if not excluder.skips_directory(os.path.join(directory, d))
        )
        for name in sorted(files):
            full = os.path.join(directory, name)
            if name.endswith((".py", ".pyw")) and not excluder.excludes(full):
                yield full
