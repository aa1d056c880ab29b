"""``[tool.flask-token-lint]`` in pyproject.toml, for the CLI.

The file is found by walking up from the first checked path to the first
pyproject.toml that has the table (or given with ``--config``). Relative
patterns in it (``exclude``, ``per-file-ignores``, ``test-code-paths``) are
relative to its folder, matched as ``files.py`` matches. Unknown keys and bad
values are errors naming the file and the key.
"""

from __future__ import annotations

import os
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from flask_token_lint.files import matches_within, relative_path
from flask_token_lint.settings import OPTIONS_BY_NAME, ConfigError, Settings

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on Python 3.9 and 3.10
    import tomli as tomllib

TABLE = "tool.flask-token-lint"
_CODE_PREFIX = re.compile(r"^[A-Z]{1,3}[0-9]{0,3}$")
_SELECTION_KEYS = ("select", "ignore", "extend-select", "extend-ignore")
_PATH_KEYS = ("exclude", "extend-exclude")


@dataclass
class Config:
    path: Path | None = None
    root: Path = field(default_factory=Path.cwd)
    selection: dict[str, list[str]] = field(default_factory=dict)
    per_file_ignores: dict[str, list[str]] = field(default_factory=dict)
    exclude: list[str] | None = None
    extend_exclude: list[str] = field(default_factory=list)
    options: dict[str, Any] = field(default_factory=dict)
    has_table: bool = False

    def settings(self, overrides: dict[str, Any]) -> Settings:
        """Settings from the file, with the options given on the command line winning.

        An ``extend-*`` option given in both places adds the command line's to the file's, as
        ``--extend-select`` does.
        """
        source = f"{self.path}: [{TABLE}]" if self.path else "command line"
        values = dict(self.options)
        for name, value in overrides.items():
            if value is None:
                continue
            if name.startswith("extend-") and name in values:
                value = [*_items(values[name]), *_items(value)]
            values[name] = value
        return Settings.from_values(values, source)

    def relative(self, path: str) -> str:
        return relative_path(path, self.root)

    def ignored_codes(self, path: str) -> list[str]:
        """Code prefixes ``per-file-ignores`` silences for ``path`` (a pattern may also name a folder it is in)."""
        if not self.per_file_ignores:
            return []  # no path to resolve (realpath costs a system call per folder of the path)
        relative = self.relative(path)
        codes: list[str] = []
        for pattern, prefixes in self.per_file_ignores.items():
            if matches_within((pattern,), relative):
                codes.extend(prefixes)
        return codes


def _items(value: Any) -> list[Any]:
    """A list option's value as a list, whether written as a list or as a comma-separated string."""
    return value.replace(",", " ").split() if isinstance(value, str) else list(value)


def _codes(value: Any, where: str) -> list[str]:
    items = value.replace(",", " ").split() if isinstance(value, str) else value
    if not isinstance(items, list) or not all(isinstance(item, str) for item in items):
        raise ConfigError(f"{where}: expected a list of code prefixes, not {value!r}")
    codes = [item.strip().upper() for item in items if item.strip()]
    for code in codes:
        if not _CODE_PREFIX.match(code):
            raise ConfigError(f"{where}: {code!r} is not a code prefix such as FTL or FTL401")
    return codes


def _patterns(value: Any, where: str) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise ConfigError(f"{where}: expected a list of path patterns, not {value!r}")
    return value


def read_config(path: Path) -> Config:
    """The table of one pyproject.toml (an empty Config when it has none)."""
    try:
        with open(path, "rb") as handle:
            document = tomllib.load(handle)
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"{path}: not valid TOML: {error}") from None
    except OSError as error:
        raise ConfigError(f"{path}: cannot read: {error.strerror or error}") from None
    table = document.get("tool", {}).get("flask-token-lint")
    config = Config(path=path, root=path.parent)
    if table is None:
        return config
    if not isinstance(table, dict):
        raise ConfigError(f"{path}: [{TABLE}] must be a table")
    config.has_table = True
    for key, value in table.items():
        where = f"{path}: [{TABLE}] {key}"
        if key in _SELECTION_KEYS:
            config.selection[key] = _codes(value, where)
        elif key == "per-file-ignores":
            if not isinstance(value, dict):
                raise ConfigError(f"{where}: expected a table of pattern = code prefixes")
            config.per_file_ignores = {pattern: _codes(codes, f"{where}.{pattern}") for pattern, codes in value.items()}
        elif key == "exclude":
            config.exclude = _patterns(value, where)
        elif key == "extend-exclude":
            config.extend_exclude = _patterns(value, where)
        elif key in OPTIONS_BY_NAME:
            config.options[key] = value
        else:
            known = ", ".join([*_SELECTION_KEYS, "per-file-ignores", *_PATH_KEYS, *OPTIONS_BY_NAME])
            raise ConfigError(f"{where}: unknown key (known keys: {known})")
    config.settings({})  # check the rule options now, naming this file
    return config


def find_config(paths: list[str]) -> Config:
    """The configuration for a run over ``paths``: the nearest pyproject.toml with our table.

    A folder whose entries cannot be looked at (``PermissionError`` on the ``stat``) is passed
    over and the search goes on upward: the files being checked cannot lie below such a folder,
    so its pyproject.toml is not theirs. A pyproject.toml that is there but cannot be read is an
    error, never skipped.
    """
    start = Path(os.path.abspath(paths[0] if paths else "."))
    folder = start if _is_dir(start) else start.parent
    for candidate in (folder, *folder.parents):
        pyproject = candidate / "pyproject.toml"
        try:
            found = pyproject.is_file()
        except OSError:
            continue
        if found:
            config = read_config(pyproject)
            if config.has_table:
                return config
    return Config()


def _is_dir(path: Path) -> bool:
    try:
        return path.is_dir()
    except OSError:
        return False
