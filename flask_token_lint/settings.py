"""The options, declared once and read to the same effect by every front-end.

The CLI reads them from ``[tool.flask-token-lint]`` in pyproject.toml and its own
flags, flake8 from ``--ftl-NAME`` / ``ftl-NAME`` in its config files, pylint
from ``--ftl-NAME`` / ``ftl-NAME`` in its. ``ALL_OPTIONS`` is the one list all three
register from, and ``Settings.from_values`` the one parser, so a name or a
check cannot differ between them. ``OPTIONS`` are the rule options (each changes
what some rules report; the rule pages list them); ``FILE_OPTIONS`` decide which
files are reported at all (test and example code).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Iterable, Mapping

COOKIE_SCOPES = ("credential", "all")
DEFAULT_MAX_LEEWAY = 24 * 60 * 60
DEFAULT_MAX_TOKEN_LIFETIME = 24 * 60 * 60
TEST_CODE_POLICIES = ("skip", "report")
# What is test code (the first six) and example code (the rest), matched as ``files.PathPatterns``
# matches: a pattern without "/" names a file or a folder at any depth below the root.
DEFAULT_TEST_CODE_PATHS = (
    "tests", "test", "testing", "test_*.py", "*_test.py", "conftest.py",
    "examples", "example", "docs", "demo",
)


class ConfigError(ValueError):
    """A configuration value or key that cannot be used; the message names where it came from."""


@dataclass(frozen=True)
class Option:
    name: str  # as written in pyproject.toml; flake8 and pylint add the ``ftl-`` prefix
    kind: str  # "choice", "list" (of strings) or "int"
    default: Any
    help: str
    rules: tuple[str, ...]
    choices: tuple[str, ...] = ()
    metavar: str = ""  # how the CLI and pylint show the value; the kind's name when empty

    @property
    def attribute(self) -> str:
        return self.name.replace("-", "_")


# ``rules`` lists the rules whose findings the option changes (tests/test_docs.py proves it by
# running the engine with and without each option); the rule pages are generated from it.
OPTIONS = (
    Option(
        "cookie-scope", "choice", "credential",
        '"credential" looks only at cookies whose name or value says they carry a credential '
        '(session, token, jwt, auth, ...); "all" looks at every cookie',
        ("FTL401", "FTL402", "FTL403"), COOKIE_SCOPES,
    ),
    Option(
        "trusted-hosts", "list", (),
        "hosts, with their subdomains, whose http:// URLs are accepted, such as a sidecar or a service mesh",
        ("FTL503",),
    ),
    Option(
        "token-headers", "list", (),
        "more request headers whose value is a credential, besides Authorization, Cookie, X-Api-Key, ...",
        ("FTL203", "FTL301", "FTL303"),
    ),
    Option(
        "token-names", "list", (),
        "more names of query parameters, request fields, session entries and cookies that hold a token",
        ("FTL202", "FTL203", "FTL302", "FTL303", "FTL401", "FTL402", "FTL403"),
    ),
    Option("max-leeway", "int", DEFAULT_MAX_LEEWAY, "seconds of JWT leeway above which FTL105 fires", ("FTL105",)),
    Option(
        "max-token-lifetime", "int", DEFAULT_MAX_TOKEN_LIFETIME,
        "seconds of access-token lifetime above which FTL109 fires", ("FTL109",),
    ),
)
# Options that decide which files are reported, not what a rule finds: no rule lists them.
FILE_OPTIONS = (
    Option(
        "test-code", "choice", "skip",
        '"skip" reports nothing in test and example code (the files test-code-paths matches); '
        '"report" checks them like any other file',
        (), TEST_CODE_POLICIES,
    ),
    Option(
        "test-code-paths", "list", DEFAULT_TEST_CODE_PATHS,
        "glob patterns of test and example code, on paths relative to the project root (flake8 and pylint: "
        "the current directory); a pattern without / names a file or folder at any depth; replaces the "
        "default list",
        (), metavar="PATTERNS",
    ),
    Option(
        "extend-test-code-paths", "list", (),
        "more glob patterns of test and example code, added to test-code-paths",
        (), metavar="PATTERNS",
    ),
)
ALL_OPTIONS = OPTIONS + FILE_OPTIONS
OPTIONS_BY_NAME = {option.name: option for option in ALL_OPTIONS}


def _as_list(value: Any, where: str) -> tuple[str, ...]:
    if isinstance(value, str):
        items: Iterable[Any] = value.replace(",", " ").split()
    elif isinstance(value, (list, tuple)):
        items = value
    else:
        raise ConfigError(f"{where}: expected a list of strings, not {value!r}")
    result = []
    for item in items:
        if not isinstance(item, str) or not item.strip():
            raise ConfigError(f"{where}: expected a list of strings, not {value!r}")
        result.append(item.strip())
    return tuple(result)


@dataclass(frozen=True)
class Settings:
    cookie_scope: str = "credential"
    trusted_hosts: tuple[str, ...] = ()
    token_headers: tuple[str, ...] = ()
    token_names: tuple[str, ...] = ()
    max_leeway: int = DEFAULT_MAX_LEEWAY
    max_token_lifetime: int = DEFAULT_MAX_TOKEN_LIFETIME
    test_code: str = "skip"
    test_code_paths: tuple[str, ...] = DEFAULT_TEST_CODE_PATHS
    extend_test_code_paths: tuple[str, ...] = ()
    # Lower-cased views, for the engine's lookups.
    extra_token_names: frozenset[str] = field(init=False, repr=False, compare=False)
    extra_token_headers: frozenset[str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if self.cookie_scope not in COOKIE_SCOPES:
            raise ConfigError(f"cookie-scope: expected one of {', '.join(COOKIE_SCOPES)}, not {self.cookie_scope!r}")
        for name, seconds in (("max-leeway", self.max_leeway), ("max-token-lifetime", self.max_token_lifetime)):
            if isinstance(seconds, bool) or not isinstance(seconds, int) or seconds < 0:
                raise ConfigError(f"{name}: expected a number of seconds, not {seconds!r}")
        if self.test_code not in TEST_CODE_POLICIES:
            raise ConfigError(f"test-code: expected one of {', '.join(TEST_CODE_POLICIES)}, not {self.test_code!r}")
        object.__setattr__(self, "extra_token_names", frozenset(n.lower() for n in self.token_names))
        object.__setattr__(self, "extra_token_headers", frozenset(h.lower() for h in self.token_headers))

    @property
    def test_code_patterns(self) -> tuple[str, ...]:
        """The patterns of test and example code: ``test-code-paths`` and ``extend-test-code-paths``."""
        return (*self.test_code_paths, *self.extend_test_code_paths)

    @property
    def skips_test_code(self) -> bool:
        return self.test_code == "skip"

    @classmethod
    def from_values(cls, values: Mapping[str, Any], source: str) -> Settings:
        """Settings from option names (``cookie-scope`` or ``cookie_scope``) to raw values.

        ``source`` names where they came from (a file and table, or a front-end) for errors.
        """
        arguments: dict[str, Any] = {}
        for key, value in values.items():
            option = OPTIONS_BY_NAME.get(key.replace("_", "-"))
            if option is None:
                raise ConfigError(f"{source}: unknown option {key!r}")
            where = f"{source}: {option.name}"
            if option.kind == "list":
                value = _as_list(value, where)
            elif option.kind == "int":
                try:
                    value = int(value) if not isinstance(value, bool) else None
                except (TypeError, ValueError):
                    value = None
                if value is None or value < 0:
                    raise ConfigError(f"{where}: expected a number of seconds, not {values[key]!r}")
            elif value not in option.choices:
                raise ConfigError(f"{where}: expected one of {', '.join(option.choices)}, not {value!r}")
            arguments[option.attribute] = value
        return cls(**arguments)
