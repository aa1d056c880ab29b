"""Applying fixes: libcst, only the nodes of the findings, every other byte kept.

A finding names its node by ``ast`` position: line, and column in UTF-8 bytes.
The fixer turns those columns into characters, finds the libcst node with
exactly that start and end, and hands it to the rule's ``apply_fix``. Imports
a fix needs (``hmac``, ``os``) are added once. The result must parse, or the
file is left as it was.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from typing import Iterable, Sequence

import libcst as cst
from libcst.codemod import CodemodContext
from libcst.codemod.visitors import AddImportsVisitor
from libcst.metadata import CodeRange, MetadataWrapper, PositionProvider

from flask_token_lint.finding import Finding, FixSafety
from flask_token_lint.registry import all_rules
from flask_token_lint.source import char_column, split_lines

Span = tuple[int, int, int, int]  # start line, start column, end line, end column (characters)


@dataclass
class FixResult:
    source: bytes
    fixed: list[Finding]


def allowed(finding: Finding, unsafe: bool) -> bool:
    return finding.fix is FixSafety.SAFE or (unsafe and finding.fix is FixSafety.UNSAFE)


class _Applier(cst.CSTTransformer):
    METADATA_DEPENDENCIES = (PositionProvider,)

    def __init__(self, wanted: dict[Span, list[Finding]]) -> None:
        super().__init__()
        self.wanted = wanted
        self.rules = {code: rule() for code, rule in all_rules().items()}
        self.fixed: list[Finding] = []
        self.imports: set[str] = set()

    def on_leave(self, original_node: cst.CSTNode, updated_node: cst.CSTNode):  # type: ignore[override]
        span = self._span(original_node)
        findings = self.wanted.get(span) if span is not None else None
        if span is None or not findings:
            return updated_node
        for finding in findings:
            result = self.rules[finding.code].apply_fix(updated_node, dict(finding.fix_data))
            if result is not None:
                updated_node, imports = result
                self.imports |= imports
                self.fixed.append(finding)
        self.wanted[span] = []  # one node, fixed once
        return updated_node

    def _span(self, node: cst.CSTNode) -> Span | None:
        position = self.metadata.get(PositionProvider, {}).get(node)
        if not isinstance(position, CodeRange):
            return None
        return (position.start.line, position.start.column, position.end.line, position.end.column)


def fix_source(source: bytes, findings: Iterable[Finding], unsafe: bool) -> FixResult:
    """``source`` with the allowed fixes of ``findings`` applied (unchanged when none apply)."""
    chosen = [f for f in findings if allowed(f, unsafe) and f.end_line is not None and f.end_col is not None]
    if not chosen:
        return FixResult(source, [])
    module = cst.parse_module(source)
    lines = split_lines(module.code)
    wanted: dict[Span, list[Finding]] = {}
    for finding in chosen:
        assert finding.end_line is not None and finding.end_col is not None
        reported = (finding.line, finding.col, finding.end_line, finding.end_col)
        line, col, end_line, end_col = finding.fix_span or reported
        start = char_column(_line(lines, line), col)
        end = char_column(_line(lines, end_line), end_col)
        wanted.setdefault((line, start, end_line, end), []).append(finding)
    applier = _Applier(wanted)
    fixed_module = MetadataWrapper(module).visit(applier)
    if not applier.fixed:
        return FixResult(source, [])
    if applier.imports:
        context = CodemodContext()
        for name in sorted(applier.imports):
            AddImportsVisitor.add_needed_import(context, name)
        fixed_module = AddImportsVisitor(context).transform_module(fixed_module)
    fixed = fixed_module.bytes
    ast.parse(fixed)  # a fix that breaks the syntax is a bug: let it surface, never write it
    return FixResult(fixed, applier.fixed)


def _line(lines: Sequence[str], number: int) -> str:
    return lines[number - 1] if 0 < number <= len(lines) else ""
