"""Finding the Python files under the paths a user names."""

from __future__ import annotations

import os
from typing import Iterator

# Folders that never hold the user's own code.
SKIPPED_DIRECTORIES = frozenset(
    {
        ".git", ".hg", ".svn", ".tox", ".nox", ".venv", "venv", ".eggs", "__pycache__",
        "node_modules", "build", "dist", ".mypy_cache", ".pytest_cache", ".ruff_cache",
    }
)


def _skipped(directory: str, name: str) -> bool:
    if name in SKIPPED_DIRECTORIES or name.endswith(".egg-info"):
        return True
    # A virtualenv under any name.
    return os.path.isfile(os.path.join(directory, name, "pyvenv.cfg"))


def python_files(path: str) -> Iterator[str]:
    """``path`` itself when it is a file, else the ``.py`` files below it, sorted."""
    if not os.path.isdir(path):
        yield path
        return
    for directory, subdirectories, files in os.walk(path):
        subdirectories[:] = sorted(d for d in subdirectories if not _skipped(directory, d))
        for name in sorted(files):
            if name.endswith((".py", ".pyw")):
                yield os.path.join(directory, name)
