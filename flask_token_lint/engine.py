"""The engine: prefilter, parse, one walk for the facts, then the rules on the nodes they asked for.

Every front-end (flake8, pylint, the CLI) hands the engine a tree or source
text and turns the findings into its own format; no rule logic lives in the
adapters. Before parsing, the raw text is scanned for the trigger words of the
selected rules, and a file that mentions none of them is never parsed. The walk
(``walk.py``) completes every fact before a rule runs, so findings never depend on
the order of the code in a file.
"""

from __future__ import annotations

import ast
import functools
from dataclasses import replace
import re
from typing import Callable, Iterable, Sequence

from flask_token_lint.context import Context, FileFacts
from flask_token_lint.finding import UNPARSABLE, Finding, FixSafety
from flask_token_lint.project import ProjectIndex
from flask_token_lint.project_facts import imported_from
from flask_token_lint.registry import all_rules
from flask_token_lint.rule import Rule
from flask_token_lint.settings import OPTIONS, Settings
from flask_token_lint.source import decode_source
from flask_token_lint.walk import Walk

# Turns a module's text (and its file name, for messages) into its tree.
Parse = Callable[[str, str], ast.Module]


def _parse(text: str, filename: str) -> ast.Module:
    return ast.parse(text, filename=filename)

__all__ = ["Engine", "UNPARSABLE"]


class _Term:
    """One term of a trigger: spellings of which one must occur in the lower-cased text, each a
    substring, or a regular expression when written ``re:...`` (searched only after the plain terms of
    its trigger matched: terms are evaluated lazily, cheapest and rarest first)."""

    __slots__ = ("words", "patterns")

    def __init__(self, spellings: str) -> None:
        parts = [part.strip() for part in spellings.split("|")] if not spellings.strip().startswith("re:") else [spellings.strip()]
        self.words = tuple(dict.fromkeys(p.lower() for p in parts if p and not p.startswith("re:")))
        self.patterns = tuple(_compiled(p[3:]) for p in parts if p.startswith("re:"))

    def holds(self, lowered: str, seen: dict[object, bool]) -> bool:
        for word in self.words:
            found = seen.get(word)
            if found is None:
                found = seen[word] = word in lowered
            if found:
                return True
        for pattern in self.patterns:
            found = seen.get(pattern)
            if found is None:
                found = seen[pattern] = pattern.search(lowered) is not None
            if found:
                return True
        return False


@functools.lru_cache(maxsize=None)
def _compiled(expression: str) -> re.Pattern[str]:
    return re.compile(expression, re.MULTILINE)


def _parse_trigger(trigger: str) -> tuple[_Term, ...]:
    """``"a|b + c"``: every ``+``-separated term must hold. Spellings are searched in the lower-cased
    text, once, which finds a superset of what case-sensitive spellings would (never fewer files).
    Terms holding a regular expression go last."""
    terms = [_Term(term) for term in trigger.split(" + ")]
    return tuple(sorted(terms, key=lambda term: bool(term.patterns)))


def _extra_triggers(settings: Settings) -> dict[str, list[str]]:
    """Names the options add (``token-names``, ``token-headers``) trigger the rules they affect."""
    extra: dict[str, list[str]] = {}
    for option in OPTIONS:
        if option.kind == "list" and option.name in ("token-names", "token-headers"):
            for name in getattr(settings, option.attribute):
                for code in option.rules:
                    extra.setdefault(code, []).append("|".join({name, name.lower(), name.upper()}))
    return extra


def _real(filename: str | None) -> bool:
    """A file's name, not a stand-in for text with no file (``<unknown>``, ``-``, ``<stdin>``)."""
    return bool(filename) and filename not in ("-", "stdin") and not filename.startswith("<")  # type: ignore[union-attr]


def _span(node: object) -> tuple[int, int, int, int]:
    return (node.lineno, node.col_offset, node.end_lineno, node.end_col_offset)  # type: ignore[attr-defined]


class Engine:
    """Runs the selected rules over files; reusable across files."""

    def __init__(self, selected: Iterable[str] | None = None, settings: Settings | None = None,
                 project: ProjectIndex | None = None, projects: bool = True) -> None:
        registry = all_rules()
        codes = set(registry) if selected is None else set(selected) & set(registry)
        self.settings = settings or Settings()
        self.report_unparsable = UNPARSABLE in codes
        self.rules: list[Rule] = [registry[code]() for code in sorted(codes) if registry[code].node_types]
        # Each rule's triggers: alternatives, each a list of terms that must all occur, each term a
        # set of spellings of which one must (``"decode + jwt|jose"``).
        extra = _extra_triggers(self.settings)
        self._triggers = {
            rule.code: [_parse_trigger(t) for t in (*rule.triggers, *extra.get(rule.code, ()))] for rule in self.rules
        }
        self._dispatch_for: dict[frozenset[str], dict[type[ast.AST], list[Rule]]] = {}
        self._plans_for: dict[frozenset[str], dict] = {}
        self._selected = frozenset(rule.code for rule in self.rules)
        # What the checked files import from their projects (``project.py``); None checks each file alone.
        self.project = (project or ProjectIndex(self.settings)) if projects else None
        self.dependencies: set[str] = set()  # the project modules the last file's findings read whole
        self.interfaces: set[str] = set()  # ... and those of which they read only the text interface

    def _begin(self) -> None:
        """Forget which modules the previous file read."""
        self.dependencies = set()
        if self.project is not None:
            self.project.interface_read = set()
            self.interfaces = self.project.interface_read

    def codes_for(self, text: str, filename: str | None) -> frozenset[str]:
        """``rules_for(text)``, with the text of what the file's imports bring from its project read
        as if it were written here (``from app import app`` then ``app.run(debug=True)`` names no
        Flask itself; the module that defines ``app`` does)."""
        codes = self.rules_for(text) if self.rules else frozenset()
        if codes != self._selected and _real(filename) and self.project is not None:
            brought = self.project.brings(text, filename)  # type: ignore[arg-type]
            if brought:
                return self.rules_for(f"{text}\n{brought}")
        return codes

    def rules_for(self, text: str) -> frozenset[str]:
        """The codes of the selected rules whose triggers ``text`` satisfies; no other rule can fire on it."""
        lowered = text.lower()
        seen: dict[object, bool] = {}
        return frozenset(
            code
            for code, triggers in self._triggers.items()
            if not triggers or any(all(term.holds(lowered, seen) for term in trigger) for trigger in triggers)
        )

    def might_match(self, text: str) -> bool:
        """False when no selected rule can fire on ``text`` (it names none of their triggers)."""
        return bool(self.rules) and bool(self.rules_for(text))

    def _dispatch(self, codes: frozenset[str]) -> dict[type[ast.AST], list[Rule]]:
        table = self._dispatch_for.get(codes)
        if table is None:
            table = self._dispatch_for[codes] = {}
            for rule in self.rules:
                if rule.code in codes:
                    for node_type in rule.node_types:
                        table.setdefault(node_type, []).append(rule)
        return table

    def check_source(
        self, source: bytes | str, filename: str = "<unknown>", parse: Parse | None = None
    ) -> list[Finding]:
        """Decode, prefilter, parse (with ``parse`` when given: the language server's re-parser,
        which must give what ``ast.parse`` gives) and check one file's contents."""
        try:
            text = decode_source(source)
        except (SyntaxError, UnicodeDecodeError, LookupError) as error:
            return self._unparsable(f"cannot decode the file: {error}", 1, 0)
        self._begin()
        codes = self.codes_for(text, filename)
        if not codes:
            return []
        try:
            tree = (parse or _parse)(text, filename)
        except SyntaxError as error:
            line = error.lineno or 1
            col = max((error.offset or 1) - 1, 0)
            if error.text:  # the parser counts characters; findings count UTF-8 bytes, as ast does
                col = len(error.text[:col].encode("utf-8"))
            return self._unparsable(f"{type(error).__name__}: {error.msg}", line, col)
        except ValueError as error:  # null bytes, on the Pythons that raise it
            return self._unparsable(f"cannot parse the file: {error}", 1, 0)
        except (RecursionError, MemoryError):
            return self._unparsable("the file is nested too deeply to parse", 1, 0)
        return self.check_tree(tree, codes=codes, filename=filename)

    def check_tree(
        self, tree: ast.Module, lines: Sequence[str] | None = None, codes: frozenset[str] | None = None,
        filename: str | None = None,
    ) -> list[Finding]:
        """Check a parsed module with the rules whose triggers its text has (``lines`` or ``codes``
        say which; with neither, every selected rule runs). With the file's name, what it imports
        from its project is known too."""
        if codes is None:  # called by flake8 with its tree: a file begins here
            self._begin()
            codes = self.codes_for("".join(lines), filename) if lines is not None else self._selected
        if not codes:
            return []
        walk = Walk(tree, self._dispatch(codes), self._plans_for.setdefault(codes, {}))
        if _real(filename) and self.project is not None:
            imported = self.project.imported(tree, filename)  # type: ignore[arg-type]
            walk.module.link(imported)
            self.dependencies = imported.dependencies
            self.interfaces = self.project.interface_read
        facts = FileFacts(walk, self.settings)
        imported = walk.module.imported
        contexts: dict[int, Context] = {}
        findings: list[Finding] = []
        for node, scope, rules in walk.matches:
            ctx = contexts.get(id(scope))
            if ctx is None:
                ctx = contexts[id(scope)] = Context(facts, scope)
            for rule in rules:
                if imported is not None:
                    imported.trail.clear()
                try:
                    reports = list(rule.check(node, ctx))  # type: ignore[attr-defined]
                except RecursionError:
                    # An expression nested deeper than the analysis can follow (a sum of a
                    # thousand terms): that node goes unjudged rather than the run crashing.
                    reports = []
                for report in reports:
                    finding = self._finding(rule, report, node)  # type: ignore[arg-type]
                    if imported is not None:
                        steps = imported.flow_to(report[0] if imported_from(report[0]) is None else node, scope)
                        if steps:
                            finding = replace(finding, flow=(*steps, ("", finding.line, finding.message)))
                    findings.append(finding)
        facts.release()
        # One finding per node and code, even when two paths of a rule reach it.
        unique = {(f.line, f.col, f.code): f for f in reversed(findings)}
        return sorted(unique.values())

    @staticmethod
    def _finding(rule: Rule, report: tuple, checked: ast.AST) -> Finding:
        reported, arguments = report[0], report[1]
        fixable = report[2] if len(report) > 2 else None
        if imported_from(reported) is not None or (fixable is not None and imported_from(fixable.target) is not None):
            # A literal another module defines (``from .settings import IDP_KEYS``): reported where this
            # file uses it, and never fixed here (the text to change is not in this file).
            reported, fixable = (checked if imported_from(reported) is not None else reported), None
        return Finding(
            reported.lineno,
            reported.col_offset,
            rule.code,
            rule.message.format(**arguments),
            reported.end_lineno,
            reported.end_col_offset,
            fixable.safety if fixable else FixSafety.NONE,
            fixable.data if fixable else (),
            _span(fixable.target) if fixable and fixable.target is not None else None,
        )

    def _unparsable(self, message: str, line: int, col: int) -> list[Finding]:
        if not self.report_unparsable:
            return []
        rule = all_rules()[UNPARSABLE]
        return [Finding(line, col, UNPARSABLE, rule.message.format(reason=message))]
