"""``--format sarif``: one SARIF 2.1.0 run, with every rule's metadata and a fix per fixable finding.

Columns are 1-based UTF-16 code units (the SARIF default ``columnKind``, set
explicitly); findings carry 0-based UTF-8 byte offsets, converted with the
flagged line's text. A fix is computed by running the fixer on the file's
current bytes with that one finding, and is written as replacements of the
changed text: the deleted text is referenced by position only and the inserted
text is only what the fix wrote, so no original text (and no secret literal
elsewhere on a fixed line) is ever copied into the output. libcst is imported
only when a finding has a fix.
"""

from __future__ import annotations

import json
import os
from pathlib import Path, PurePath
from typing import Any, Sequence
from urllib.parse import quote

from flask_token_lint import __version__
from flask_token_lint.catalogue import explain, rule_page
from flask_token_lint.results import FileFinding, ReportOptions, fingerprints, flow_steps
from flask_token_lint.finding import FixSafety
from flask_token_lint.registry import all_rules
from flask_token_lint.rule import Rule, Severity
from flask_token_lint.source import changes, decode_source, split_lines, utf16_column, utf16_length

RULE_DOCS_URL = "https://github.com/flask-token-lint/flask-token-lint/blob/main/docs/rules/"
INFORMATION_URI = "https://github.com/flask-token-lint/flask-token-lint"
SARIF_SCHEMA = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
SRCROOT = "%SRCROOT%"
FINGERPRINT = "flaskTokenLint/v1"

LEVELS = {Severity.HIGH: "error", Severity.MEDIUM: "warning", Severity.LOW: "note"}
# GitHub code scanning: over 7.0 is high, 4.0 to 6.9 medium, 0.1 to 3.9 low.
SECURITY_SEVERITY = {Severity.HIGH: "8.0", Severity.MEDIUM: "5.0", Severity.LOW: "3.0"}

Json = dict[str, Any]


def rule_help_uri(code: str) -> str:
    return RULE_DOCS_URL + f"{code}.md"


class _Files:
    """Each file's bytes and lines, read once, when a fix or a multi-line region needs them."""

    def __init__(self) -> None:
        self._bytes: dict[str, bytes | None] = {}
        self._lines: dict[str, list[str] | None] = {}

    def source(self, path: str) -> bytes | None:
        if path not in self._bytes:
            try:
                with open(path, "rb") as handle:
                    self._bytes[path] = handle.read()
            except OSError:
                self._bytes[path] = None
        return self._bytes[path]

    def lines(self, path: str) -> list[str] | None:
        if path not in self._lines:
            source = self.source(path)
            try:
                self._lines[path] = None if source is None else split_lines(decode_source(source))
            except (SyntaxError, UnicodeDecodeError, LookupError):
                self._lines[path] = None
        return self._lines[path]


def _shown_path(path: str) -> tuple[str, bool]:
    """The path as reported (forward slashes) and whether it is relative to the source root.

    Relative paths stay relative (normalized: ``./app.py`` is ``app.py``); absolute paths under
    the working directory become relative to it; anything else stays absolute."""
    if os.path.isabs(path):
        try:
            relative = os.path.relpath(path)
        except ValueError:  # another drive, on Windows
            return Path(path).as_posix(), False
        if relative == os.pardir or relative.startswith(os.pardir + os.sep):
            return Path(path).as_posix(), False
        path = relative
    normal = os.path.normpath(path)
    if normal == os.pardir or normal.startswith(os.pardir + os.sep):
        return Path(os.path.abspath(path)).as_posix(), False
    return PurePath(normal).as_posix(), True


def artifact_location(path: str) -> Json:
    shown, relative = _shown_path(path)
    if relative:
        return {"uri": quote(shown, safe="/"), "uriBaseId": SRCROOT}
    return {"uri": Path(os.path.abspath(path)).as_uri()}


def rule_descriptor(rule: type[Rule]) -> Json:
    return {
        "id": rule.code,
        "name": rule.symbol,
        "shortDescription": {"text": rule.summary},
        "fullDescription": {"text": rule.docs.what},
        "help": {"text": explain(rule), "markdown": rule_page(rule, markdown=True)},
        "helpUri": rule_help_uri(rule.code),
        "defaultConfiguration": {"level": LEVELS[rule.severity]},
        "properties": {
            # The CWE twice: as written, and as GitHub code scanning recognises it (external/cwe/cwe-347).
            "tags": ["security", *rule.cwe, *(f"external/cwe/{c.lower()}" for c in rule.cwe), rule.owasp],
            "security-severity": SECURITY_SEVERITY[rule.severity],
            # Opinionated rules (off by default) flag code that is often fine.
            "precision": "high" if rule.default_enabled else "medium",
        },
    }


def _region(result: FileFinding, files: _Files) -> Json:
    finding = result.finding
    region: Json = {"startLine": finding.line, "startColumn": utf16_column(result.line_text, finding.col) + 1}
    if finding.end_line is None:
        return region
    region["endLine"] = finding.end_line
    if finding.end_col is not None:
        end_text: str | None = result.line_text
        if finding.end_line != finding.line:
            lines = files.lines(result.path)
            end_text = lines[finding.end_line - 1] if lines and finding.end_line <= len(lines) else None
        if end_text is not None:  # else the region runs to the end of endLine
            region["endColumn"] = utf16_column(end_text, finding.end_col) + 1
    return region


def _position(lines: list[str], first: int, offset: int, at_end: bool) -> tuple[int, int]:
    """(line, UTF-16 column), both 1-based, of the character ``offset`` into the text of the lines
    from 0-based index ``first`` on. At a line boundary an end stays on the line it closes and a
    start moves to the next line; past the last line is the end of the text."""
    for index in range(first, len(lines)):
        line = lines[index]
        if offset < len(line) or (offset == len(line) and (at_end or index == len(lines) - 1)):
            return index + 1, utf16_length(line[:offset]) + 1
        offset -= len(line)
    return (len(lines), utf16_length(lines[-1]) + 1) if lines else (1, 1)


def _replacements(before: list[str], after: list[str]) -> list[Json]:
    """Replacements turning the lines ``before`` into ``after``.

    difflib finds the changed blocks of lines; within a block the characters the fix kept at its
    start and end are left out, so the deleted region is referenced by position and the inserted
    text is only what the fix wrote: nothing else from the original lines (such as a second secret
    on the flagged line) is copied into the output."""
    replacements = []
    for change in changes(before, after):
        old, new, prefix, i1 = change.old, change.new, change.prefix, change.line
        deleted_end, inserted_end = len(old) - change.suffix, len(new) - change.suffix
        start = _position(before, i1, prefix, at_end=False)
        end = start if deleted_end == prefix else _position(before, i1, deleted_end, at_end=True)
        replacements.append(
            {
                "deletedRegion": {
                    "startLine": start[0],
                    "startColumn": start[1],
                    "endLine": end[0],
                    "endColumn": end[1],
                },
                "insertedContent": {"text": new[prefix:inserted_end]},
            }
        )
    return replacements


def _fix_description(rule: type[Rule], safety: FixSafety) -> str:
    if safety is FixSafety.SAFE:
        how = "Safe fix, applied by `flask-token-lint check --fix`"
    else:
        how = (
            "Unsafe fix (it may change what a working program does), applied only by "
            "`flask-token-lint check --fix --unsafe-fixes`"
        )
    return f"{how}. {rule.fix_title}."


def _fixes(result: FileFinding, location: Json, files: _Files, rule: type[Rule]) -> list[Json] | None:
    finding = result.finding
    if finding.fix is FixSafety.NONE:
        return None
    source = files.source(result.path)
    if source is None:
        return None
    from flask_token_lint.fixer import fix_source  # brings libcst: only for a finding with a fix

    try:
        outcome = fix_source(source, [finding], unsafe=True)
        if not outcome.fixed or outcome.source == source:
            return None
        before, after = split_lines(decode_source(source)), split_lines(decode_source(outcome.source))
    except Exception:  # a fix that cannot be computed is left out; the finding is still reported
        return None
    replacements = _replacements(before, after)
    if not replacements:
        return None
    return [
        {
            "description": {"text": _fix_description(rule, finding.fix)},
            "artifactChanges": [{"artifactLocation": dict(location), "replacements": replacements}],
        }
    ]


def _code_flow(result: FileFinding) -> Json:
    """The modules and lines that led to a finding that crossed modules, as one thread flow (code
    scanning shows it as the finding's path)."""
    locations = [
        {
            "location": {
                "physicalLocation": {"artifactLocation": artifact_location(path), "region": {"startLine": line}},
                "message": {"text": note},
            }
        }
        for path, line, note in flow_steps(result)
    ]
    return {"threadFlows": [{"locations": locations}]}


def sarif_log(results: Sequence[FileFinding]) -> Json:
    registry = all_rules()
    codes = list(registry)
    index = {code: i for i, code in enumerate(codes)}
    files = _Files()
    # Fingerprints from the path as reported, so `check src` and `check $PWD/src` agree.
    shown = [FileFinding(_shown_path(r.path)[0], r.finding, r.line_text) for r in results]
    sarif_results = []
    for result, fingerprint in zip(results, fingerprints(shown)):
        finding = result.finding
        rule = registry[finding.code]
        location = artifact_location(result.path)
        entry: Json = {
            "ruleId": finding.code,
            "ruleIndex": index[finding.code],
            "level": LEVELS[rule.severity],
            "message": {"text": finding.message},
            "locations": [{"physicalLocation": {"artifactLocation": location, "region": _region(result, files)}}],
            "partialFingerprints": {FINGERPRINT: fingerprint},
        }
        fixes = _fixes(result, location, files, rule)
        if fixes:
            entry["fixes"] = fixes
        if finding.flow:
            entry["codeFlows"] = [_code_flow(result)]
        sarif_results.append(entry)
    return {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "flask-token-lint",
                        "version": __version__,
                        "semanticVersion": __version__,
                        "informationUri": INFORMATION_URI,
                        "rules": [rule_descriptor(registry[code]) for code in codes],
                    }
                },
                "columnKind": "utf16CodeUnits",
                "results": sarif_results,
            }
        ],
    }


def render_sarif(results: Sequence[FileFinding], options: ReportOptions) -> str:
    return json.dumps(sarif_log(results), indent=2) + "\n"
