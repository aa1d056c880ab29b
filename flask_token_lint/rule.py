"""The shape of a rule: everything about one check lives on its class.

Code, pylint symbol, message, metadata, fix safety, documentation and the
bad/good examples are class attributes, so the docs, ``explain`` and the tests
are all derived from one place and cannot drift apart.
"""

from __future__ import annotations

import ast
import enum
import textwrap
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar, Iterator, Union

from flask_token_lint.finding import FixSafety, Fixable

if TYPE_CHECKING:
    from flask_token_lint.context import Context

__all__ = ["Docs", "FixSafety", "Fixable", "OWASP_API2", "OWASP_API7", "OWASP_API8", "Rule", "Severity", "capitalized", "example"]


class Severity(enum.Enum):
    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"


@dataclass(frozen=True)
class Docs:
    """Rule documentation under the fixed headings of every rule page."""

    what: str
    why: str
    references: tuple[str, ...] = ()


OWASP_API2 = "API2:2023 Broken Authentication"
OWASP_API7 = "API7:2023 Server Side Request Forgery"
OWASP_API8 = "API8:2023 Security Misconfiguration"

Report = Union[
    "tuple[ast.expr | ast.stmt, dict[str, str]]", "tuple[ast.expr | ast.stmt, dict[str, str], Fixable]"
]


class Rule:
    """Base class of every rule. A class that sets ``code`` is a rule; the registry finds it in the
    ``rules`` package (this module knows none of them)."""

    code: ClassVar[str]
    symbol: ClassVar[str]
    summary: ClassVar[str]  # a few words naming the problem, for listings and tables
    message: ClassVar[str]  # str.format template filled from the finding
    severity: ClassVar[Severity]
    cwe: ClassVar[tuple[str, ...]]
    owasp: ClassVar[str]
    # The fixes the rule offers, safest first (a finding says which one applies to it).
    fixes: ClassVar[tuple[FixSafety, ...]] = ()
    fix_title: ClassVar[str] = ""
    default_enabled: ClassVar[bool] = True
    # Node types the engine hands to ``check``.
    node_types: ClassVar[tuple[type[ast.AST], ...]] = ()
    # Substrings of which at least one must occur in a file for the rule to
    # possibly fire there; the prefilter skips files matching no selected rule.
    triggers: ClassVar[tuple[str, ...]] = ()
    docs: ClassVar[Docs]
    bad_examples: ClassVar[tuple[str, ...]]
    good_examples: ClassVar[tuple[str, ...]]

    def check(self, node: ast.AST, ctx: Context) -> Iterator[Report]:
        """Yield ``(node_to_report, message_arguments)`` for each finding, with a ``Fixable``
        third item when the finding can be fixed."""
        raise NotImplementedError

    def apply_fix(self, node: Any, data: dict[str, str]) -> tuple[Any, frozenset[str]] | None:
        """Return the fixed libcst node and the modules the fix needs imported (None: not fixable).

        Called only by the fixer, so libcst is imported by the implementations, never here.
        """
        raise NotImplementedError(f"{self.code} has no fix")


def example(text: str) -> str:
    """An example module written as an indented triple-quoted string."""
    return textwrap.dedent(text)


def capitalized(text: str) -> str:
    """A message fragment made to start a sentence (``the 'x' cookie`` -> ``The 'x' cookie``);
    code such as ``request.headers`` keeps its case."""
    return "The" + text[3:] if text.startswith("the ") else text
