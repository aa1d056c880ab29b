"""The command line: ``flask-token-lint check PATH...`` and ``flask-token-lint rules``.

Exit codes: 0 no findings, 1 findings, 2 a usage or internal error (the run
still checks every other file and reports what it found).
"""

from __future__ import annotations

import argparse
import os
import sys
from typing import Sequence, TextIO

from flask_token_lint import __version__
from flask_token_lint.engine import Engine, Finding, decode_source
from flask_token_lint.files import python_files
from flask_token_lint.catalogue import explain
from flask_token_lint.noqa import NoqaFilter, skips_file
from flask_token_lint.report import FORMATS, FileFinding, ReportOptions, render
from flask_token_lint.rule import FixSafety, all_rules
from flask_token_lint.selection import selected_codes, split_codes
from flask_token_lint.settings import COOKIE_SCOPES, Settings

EXIT_CLEAN, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="flask-token-lint",
        description="Find the ways Flask code mishandles Bearer tokens.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    check = commands.add_parser("check", help="check files and directories")
    check.add_argument("paths", nargs="+", metavar="PATH", help="files or directories to check")
    check.add_argument("--select", metavar="CODES", help="report only codes starting with these prefixes")
    check.add_argument("--ignore", metavar="CODES", help="do not report codes starting with these prefixes")
    check.add_argument("--extend-select", metavar="CODES", default="", help="add to the selected prefixes")
    check.add_argument("--extend-ignore", metavar="CODES", default="", help="add to the ignored prefixes")
    check.add_argument("--format", choices=sorted(FORMATS), default="text", help="output format (default: text)")
    check.add_argument("--fix", action="store_true", help="apply the safe fixes to the files")
    check.add_argument(
        "--unsafe-fixes", action="store_true", help="with --fix or --diff, apply the unsafe fixes too"
    )
    check.add_argument("--diff", action="store_true", help="print the fixes as a unified diff; write nothing")
    check.add_argument(
        "--cookie-scope",
        choices=COOKIE_SCOPES,
        default="credential",
        help="cookies the cookie rules look at: those carrying a credential (default) or all",
    )
    commands.add_parser("rules", help="list the rules")
    explain = commands.add_parser("explain", help="show a rule's documentation")
    explain.add_argument("code", metavar="CODE", help="a rule code such as FTL201")
    return parser


def main(argv: Sequence[str] | None = None, stdout: TextIO | None = None, stderr: TextIO | None = None) -> int:
    out = stdout or sys.stdout
    err = stderr or sys.stderr
    arguments = _parser().parse_args(argv)
    if arguments.command == "rules":
        _print_rules(out)
        return EXIT_CLEAN
    if arguments.command == "explain":
        rule = all_rules().get(arguments.code.strip().upper())
        if rule is None:
            message = f"unknown rule code {arguments.code!r} (see 'flask-token-lint rules')"
            print(f"flask-token-lint: error: {message}", file=err)
            return EXIT_ERROR
        out.write(explain(rule))
        return EXIT_CLEAN
    return _check(arguments, out, err)


def _engine_for(arguments: argparse.Namespace) -> Engine:
    registry = all_rules()
    codes = selected_codes(
        registry,
        default_off=[code for code, rule in registry.items() if not rule.default_enabled],
        select=split_codes(arguments.select),
        ignore=split_codes(arguments.ignore),
        extend_select=split_codes(arguments.extend_select) or [],
        extend_ignore=split_codes(arguments.extend_ignore) or [],
    )
    return Engine(codes, Settings(cookie_scope=arguments.cookie_scope))


def _check(arguments: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    engine = _engine_for(arguments)
    fixing = arguments.fix or arguments.diff
    if arguments.unsafe_fixes and not fixing:
        print("flask-token-lint: error: --unsafe-fixes needs --fix or --diff", file=err)
        return EXIT_ERROR
    results: list[FileFinding] = []
    fixed = 0
    failed = False
    for root in arguments.paths:
        if not os.path.exists(root):
            print(f"flask-token-lint: error: {root}: no such file or directory", file=err)
            failed = True
            continue
        for path in python_files(root):
            try:
                source, findings = read_and_check(engine, path)
                if fixing and findings:
                    source, findings, count = _fix(engine, path, source, findings, arguments, out, err)
                    fixed += count
                lines = _lines(source) if findings else []
                for finding in findings:
                    text = lines[finding.line - 1] if finding.line <= len(lines) else ""
                    results.append(FileFinding(path, finding, text))
            except OSError as error:
                print(f"flask-token-lint: error: {path}: cannot read: {error.strerror or error}", file=err)
                failed = True
            except Exception as error:  # a bug of ours: say where, check the other files
                print(f"flask-token-lint: internal error: {path}: {type(error).__name__}: {error}", file=err)
                failed = True
    unsafe = arguments.unsafe_fixes
    if not arguments.diff:
        out.write(render(results, arguments.format, ReportOptions(unsafe=unsafe)))
    if arguments.format == "text" and (results or fixed):
        print(_summary(results, fixed, fixing, unsafe, arguments.diff), file=err if arguments.diff else out)
    if failed:
        return EXIT_ERROR
    return EXIT_FINDINGS if results or (arguments.diff and fixed) else EXIT_CLEAN


def _lines(source: bytes) -> list[str]:
    try:
        return NoqaFilter(decode_source(source)).lines
    except (SyntaxError, UnicodeDecodeError, LookupError):
        return []


def _fix(engine, path, source, findings, arguments, out, err) -> tuple[bytes, list[Finding], int]:
    """Fix one file (or print its diff); return its content, the findings that remain and how many
    were fixed."""
    from flask_token_lint.fix_files import ChangedOnDisk, fix_file_source, unified_diff, write_atomically

    outcome = fix_file_source(
        source, findings, lambda fixed: filter_noqa(engine, fixed, path), arguments.unsafe_fixes
    )
    if not outcome.changed:
        return source, findings, 0
    if arguments.diff:
        out.write(unified_diff(path, outcome))
        return source, findings, len(outcome.fixed_findings)
    try:
        write_atomically(path, source, outcome.fixed)
    except ChangedOnDisk:
        print(f"flask-token-lint: error: {path}: changed on disk since it was read; not overwritten", file=err)
        raise OSError(f"{path} changed on disk") from None
    return outcome.fixed, outcome.remaining, len(outcome.fixed_findings)


def _summary(results: list[FileFinding], fixed: int, fixing: bool, unsafe: bool, diff: bool) -> str:
    remaining = len(results)
    total = remaining + (0 if diff else fixed)
    verb = "would be fixed" if diff else "fixed"
    left = remaining - fixed if diff else remaining
    line = f"{total} finding{'' if total == 1 else 's'}, {fixed} {verb}, {left} remaining"
    safe = sum(r.finding.fix is FixSafety.SAFE for r in results)
    more = sum(r.finding.fix is FixSafety.UNSAFE for r in results)
    hints = []
    if not fixing and safe:
        hints.append(f"{safe} fixable with --fix")
    if not unsafe and more:
        hints.append(f"{more} more with --unsafe-fixes")
    return line + (f" ({', '.join(hints)})" if hints else "")


def read_and_check(engine: Engine, path: str) -> tuple[bytes, list[Finding]]:
    """A file's bytes and the findings its ``# noqa`` comments leave standing."""
    with open(path, "rb") as handle:
        source = handle.read()
    return source, filter_noqa(engine, source, path)


def check_file(engine: Engine, path: str) -> list[Finding]:
    return read_and_check(engine, path)[1]


def filter_noqa(engine: Engine, source: bytes, path: str) -> list[Finding]:
    try:
        text = decode_source(source)
    except (SyntaxError, UnicodeDecodeError, LookupError):
        return engine.check_source(source, path)  # FTL001: no comment can silence an unreadable file
    findings = engine.check_source(text, path)
    if not findings:
        return []
    noqa = NoqaFilter(text)
    if skips_file(noqa.lines):
        return []
    return [f for f in findings if not noqa.silenced(f.line, f.code)]


def _print_rules(out: TextIO) -> None:
    for code, rule in all_rules().items():
        notes = []
        if not rule.default_enabled:
            notes.append("off by default")
        if rule.fixes:
            notes.append(" or ".join(safety.value for safety in rule.fixes) + " fix")
        extra = f"  ({', '.join(notes)})" if notes else ""
        out.write(f"{code}  {rule.symbol:<32} {rule.severity.value:<6} {rule.summary}{extra}\n")


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
