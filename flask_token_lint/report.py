"""Turning findings into output: one renderer per ``--format``.

The CLI collects ``FileFinding`` rows (a finding, its file and the text of the
flagged line) and hands them to a renderer; nothing here reads files or knows
about the engine's internals.
"""

from __future__ import annotations

import json
import os
from typing import Callable, Sequence

from flask_token_lint.finding import FixSafety
from flask_token_lint.registry import all_rules
from flask_token_lint.rule import Severity
from flask_token_lint.results import (
    SECRET_CODES, FileFinding, ReportOptions, fingerprints, fix_available, flow_steps, masked,
)
from flask_token_lint.source import char_column

__all__ = ["FORMATS", "SECRET_CODES", "FileFinding", "ReportOptions", "fingerprints", "masked", "render"]


def _paint(text: str, code: str, options: ReportOptions) -> str:
    return f"\033[{code}m{text}\033[0m" if options.color else text


def render_text(results: Sequence[FileFinding], options: ReportOptions) -> str:
    lines = []
    # A line holding a secret literal is masked whichever finding shows it (FTL103 on the same line).
    secret_lines = {(r.path, r.finding.line) for r in results if r.finding.code in SECRET_CODES}
    for result in results:
        finding = result.finding
        marker = "[*] " if fix_available(finding, options.unsafe) else ""
        place = _paint(f"{result.path}:{finding.line}:{finding.col + 1}:", "1", options)
        lines.append(f"{place} {_paint(finding.code, '31', options)} {marker}{finding.message}")
        if options.show_source and result.line_text:
            source = result.line_text.rstrip("\r\n")
            before = source.encode("utf-8")[: finding.col].decode("utf-8", errors="ignore")
            if (result.path, finding.line) in secret_lines:  # the caret stays under the same code
                source, before = masked(source), masked(before)
            lines.append(f"    {source}")
            lines.append("    " + "".join(c if c == "\t" else " " for c in before) + "^")
        if options.explain_flow and finding.flow:
            for path, line, note in flow_steps(result)[:-1]:
                lines.append(f"    {_display(path)}:{line}: {note}")
    return "".join(line + "\n" for line in lines)


def _display(path: str) -> str:
    """A step's path as the findings show theirs: relative to here when below it."""
    if os.path.isabs(path):
        relative = os.path.relpath(path)
        return path if relative.startswith(os.pardir) else relative
    return path


def render_json(results: Sequence[FileFinding], options: ReportOptions) -> str:
    registry = all_rules()
    rows = [
        {
            "path": r.path,
            "line": r.finding.line,
            "column": r.finding.col + 1,
            "end_line": r.finding.end_line,
            "end_column": None if r.finding.end_col is None else r.finding.end_col + 1,
            "code": r.finding.code,
            "symbol": registry[r.finding.code].symbol,
            "severity": registry[r.finding.code].severity.value,
            "message": r.finding.message,
            "fix": None if r.finding.fix is FixSafety.NONE else r.finding.fix.value,
            "fingerprint": fingerprint,
            **({"flow": [{"path": _display(path), "line": line, "message": note} for path, line, note in flow_steps(r)]}
               if r.finding.flow else {}),
        }
        for r, fingerprint in zip(results, fingerprints(results))
    ]
    return json.dumps(rows, indent=2) + "\n"


def render_sarif(results: Sequence[FileFinding], options: ReportOptions) -> str:
    """SARIF 2.1.0 (see ``flask_token_lint.sarif``, imported only for this format)."""
    from flask_token_lint.sarif import render_sarif as sarif

    return sarif(results, options)


def _escape_data(text: str) -> str:
    """A workflow command's message, escaped as the GitHub Actions runner reads it."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    """A workflow command property value: ``:`` and ``,`` separate properties, so they are escaped too."""
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def render_github(results: Sequence[FileFinding], options: ReportOptions) -> str:
    """One GitHub Actions annotation (``::error`` / ``::warning`` workflow command) per finding.

    High and medium severity are errors, low a warning. Columns count characters from 1; GitHub
    accepts columns only on one-line annotations, so a finding that spans lines gives lines only.
    """
    registry = all_rules()
    lines = []
    for result in results:
        finding = result.finding
        command = "warning" if registry[finding.code].severity is Severity.LOW else "error"
        properties = [("file", result.path.replace(os.sep, "/")), ("line", str(finding.line))]
        one_line = finding.end_line is None or finding.end_line == finding.line
        if finding.end_line is not None:
            properties.append(("endLine", str(finding.end_line)))
        if one_line:
            properties.append(("col", str(char_column(result.line_text, finding.col) + 1)))
            if finding.end_col is not None:
                properties.append(("endColumn", str(char_column(result.line_text, finding.end_col) + 1)))
        properties.append(("title", finding.code))
        fields = ",".join(f"{name}={_escape_property(value)}" for name, value in properties)
        lines.append(f"::{command} {fields}::{_escape_data(finding.message)}\n")
    return "".join(lines)


FORMATS: dict[str, Callable[[Sequence[FileFinding], ReportOptions], str]] = {
    "text": render_text,
    "json": render_json,
    "sarif": render_sarif,
    "github": render_github,
}


def render(results: Sequence[FileFinding], output_format: str, options: ReportOptions) -> str:
    return FORMATS[output_format](results, options)
