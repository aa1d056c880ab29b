"""A results cache: a file whose content, tool version and settings were seen before is not checked again.

Entries are keyed by a hash of (tool version, the engine's own source, selected codes, settings,
file bytes) and hold the
findings left after ``# noqa`` (which depends on the bytes only). Each entry is its own file,
written to a temporary name and renamed into place, so concurrent runs never see half an entry;
an entry that cannot be read is treated as missing and rewritten.

Entries live in one folder per (version, engine, codes, settings): ``v3/<variant>/ab/<key>.json``;
the project index keeps its module summaries beside them (``project/``).
A run touches its variant's folder and removes all but the ``KEEP_VARIANTS`` most recently used
ones (and folders of older layouts), so switching settings or upgrading never grows the cache
without bound. ``clean`` removes a cache folder, but only one this tool created.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import shutil
import tempfile
from typing import Iterable

from flask_token_lint import __version__
from flask_token_lint.finding import Finding, FixSafety

DEFAULT_DIRECTORY = ".flask_token_lint_cache"
_LAYOUT = "v3"
_MARKER = "# Created by flask-token-lint.\n"
KEEP_VARIANTS = 4  # the current settings and the three used most recently before them


@functools.lru_cache(maxsize=1)
@functools.lru_cache(maxsize=1)
def engine_fingerprint() -> str:
    """A hash of the package's own modules: a checkout that pulls a new engine under the same
    version number must not be answered from the findings of the old one."""
    digest = hashlib.sha256()
    package = os.path.dirname(os.path.abspath(__file__))
    for folder, directories, files in os.walk(package):
        directories[:] = sorted(d for d in directories if d != "__pycache__")
        for name in sorted(files):
            if name.endswith(".py"):
                path = os.path.join(folder, name)
                digest.update(os.path.relpath(path, package).encode() + b"\0")
                with open(path, "rb") as handle:
                    digest.update(handle.read())
    return digest.hexdigest()[:16]


class Cache:
    def __init__(self, directory: str, codes: Iterable[str], settings: object) -> None:
        self._salt = f"{__version__}\0{engine_fingerprint()}\0{','.join(sorted(codes))}\0{settings!r}\0".encode()
        self.variant = hashlib.sha256(self._salt).hexdigest()[:16]
        self.directory = os.path.join(directory, _LAYOUT, self.variant)
        self._prepared = False
        self._root = directory

    @property
    def index_path(self) -> str:
        return os.path.join(self.directory, "index.json")

    def key(self, source: bytes, path: str = "") -> str:
        return hashlib.sha256(self._salt + path.encode("utf-8", "surrogateescape") + b"\0" + source).hexdigest()

    def _path(self, key: str) -> str:
        return os.path.join(self.directory, key[:2], key + ".json")

    def get(self, key: str) -> tuple[list[Finding], dict[str, list]] | None:
        """The findings kept under ``key`` and the project modules they read (path -> [digest,
        mtime_ns, size] when they were read)."""
        try:
            with open(self._path(key), encoding="utf-8") as handle:
                entry = json.load(handle)
            return _findings(entry["findings"]), _dependencies(entry["dependencies"])
        except (OSError, ValueError, KeyError, TypeError):
            return None  # missing, truncated or from another layout: check the file again

    def put(self, key: str, findings: list[Finding], dependencies: dict[str, list] | None = None) -> None:
        self._write(self._path(key), {"findings": _rows(findings), "dependencies": dependencies or {}})

    def _write(self, path: str, data: object) -> None:
        folder = os.path.dirname(path)
        try:
            self._prepare()
            os.makedirs(folder, exist_ok=True)
            descriptor, temporary = tempfile.mkstemp(dir=folder, suffix=".tmp")
            with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
                json.dump(data, handle, separators=(",", ":"))
            os.replace(temporary, path)
        except OSError:
            pass  # a cache that cannot be written is only slower, never wrong

    # -- the index: a warm run stats each file instead of reading it ---------------------------
    def load_index(self) -> dict[str, list]:
        """``{absolute path: [mtime_ns, size, findings rows]}`` of the last runs with these settings."""
        try:
            with open(self.index_path, encoding="utf-8") as handle:
                index = json.load(handle)
            return index if isinstance(index, dict) else {}
        except (OSError, ValueError):
            return {}

    def save_index(self, index: dict[str, list]) -> None:
        self._write(self.index_path, index)


    def _prepare(self) -> None:
        """Create the folder with a .gitignore, so the cache never ends up in a commit; prune old variants."""
        if self._prepared:
            return
        os.makedirs(self.directory, exist_ok=True)
        mark(self._root)
        os.utime(self.directory)
        prune(self._root, keep=self.variant)
        self._prepared = True


def mark(root: str) -> None:
    """Give a cache folder the .gitignore that keeps it out of commits and says this tool made it."""
    ignore = os.path.join(root, ".gitignore")
    if not os.path.exists(ignore):
        with open(ignore, "w", encoding="utf-8") as handle:
            handle.write(_MARKER + "*\n")


def stamp(path: str) -> tuple[int, int] | None:
    """What says a file is unchanged since it was checked: its modification time (ns) and size."""
    try:
        status = os.stat(path)
    except OSError:
        return None
    return status.st_mtime_ns, status.st_size


def index_findings(index: dict[str, list], path: str, current: tuple[int, int] | None) -> list[Finding] | None:
    """The findings the index holds for ``path`` when its stamp is still ``current`` and so are the
    stamps of the project modules they read."""
    entry = index.get(path)
    if current is None or not isinstance(entry, list) or len(entry) != 4 or tuple(entry[:2]) != current:
        return None
    try:
        for dependency, (_, *then) in _dependencies(entry[3]).items():
            if stamp(dependency) != tuple(then):
                return None
        return _findings(entry[2])
    except (ValueError, KeyError, TypeError):
        return None


def index_entry(current: tuple[int, int], findings: list[Finding], dependencies: dict[str, list]) -> list:
    return [current[0], current[1], _rows(findings), dependencies]


def _dependencies(data: object) -> dict[str, list]:
    if not isinstance(data, dict):
        raise TypeError("dependencies")
    for value in data.values():
        if not (isinstance(value, list) and len(value) == 3):
            raise TypeError("dependency")
    return data


def _rows(findings: list[Finding]) -> list[dict]:
    return [
        {
            "line": f.line, "col": f.col, "code": f.code, "message": f.message, "end_line": f.end_line,
            "end_col": f.end_col, "fix": f.fix.value, "fix_data": [list(pair) for pair in f.fix_data],
            "fix_span": list(f.fix_span) if f.fix_span else None,
            "flow": [list(step) for step in f.flow],
        }
        for f in findings
    ]


def _findings(rows: list[dict]) -> list[Finding]:
    return [
        Finding(
            row["line"], row["col"], row["code"], row["message"], row["end_line"], row["end_col"],
            FixSafety(row["fix"]), tuple((k, v) for k, v in row["fix_data"]),
            tuple(row["fix_span"]) if row.get("fix_span") else None,
            tuple((str(p), int(n), str(t)) for p, n, t in row.get("flow", ())),
        )
        for row in rows
    ]

def prune(root: str, keep: str = "", variants: int = KEEP_VARIANTS) -> list[str]:
    """Remove older layouts and all but the ``variants`` most recently used variant folders
    (``keep`` always stays); return what was removed."""
    removed = []
    try:
        for name in os.listdir(root):
            path = os.path.join(root, name)
            if name != _LAYOUT and name[:1] == "v" and name[1:].isdigit() and os.path.isdir(path):
                shutil.rmtree(path, ignore_errors=True)
                removed.append(path)
        layout = os.path.join(root, _LAYOUT)
        folders = [os.path.join(layout, name) for name in os.listdir(layout)]
        folders = [f for f in folders if os.path.isdir(f) and os.path.basename(f) != keep]
    except OSError:
        return removed
    folders.sort(key=_mtime, reverse=True)
    for path in folders[max(0, variants - (1 if keep else 0)):]:
        shutil.rmtree(path, ignore_errors=True)
        removed.append(path)
    return removed


def _mtime(path: str) -> float:
    try:
        return os.stat(path).st_mtime
    except OSError:
        return 0.0


def is_cache(root: str) -> bool:
    """Whether ``root`` is a cache folder this tool created (its .gitignore says so)."""
    try:
        with open(os.path.join(root, ".gitignore"), encoding="utf-8") as handle:
            return handle.read().startswith(_MARKER)
    except OSError:
        return False


def size(root: str) -> tuple[int, int]:
    """(entries, bytes) of the cache in ``root``; (0, 0) when there is none."""
    entries = total = 0
    for folder, _, files in os.walk(root):
        for name in files:
            try:
                total += os.stat(os.path.join(folder, name)).st_size
            except OSError:
                continue
            entries += name.endswith(".json") and name != "index.json"
    return entries, total


def clean(root: str) -> bool:
    """Remove the cache in ``root``; False when there is none (or the folder is not one of ours)."""
    if not is_cache(root):
        return False
    shutil.rmtree(root)
    return True
