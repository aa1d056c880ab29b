"""The command line: ``flask-token-lint check PATH...`` and ``flask-token-lint rules``.

Exit codes: 0 no findings, 1 findings, 2 a usage or internal error (the run
still checks every other file and reports what it found).
"""

from __future__ import annotations

import argparse
import os
import sys
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Sequence, TextIO

from flask_token_lint import __version__
from flask_token_lint.engine import Engine
from flask_token_lint.finding import Finding, FixSafety
from flask_token_lint.cache import DEFAULT_DIRECTORY, Cache
from flask_token_lint.baseline import new_findings, read_baseline, write_baseline
from flask_token_lint.config import Config, find_config, read_config
from flask_token_lint.files import SKIPPED_DIRECTORIES, Excluder, PathPatterns, python_files
from flask_token_lint.catalogue import explain
from flask_token_lint.noqa import NoqaFilter, skips_file
from flask_token_lint.report import FORMATS, FileFinding, ReportOptions, render
from flask_token_lint.registry import all_rules
from flask_token_lint.source import decode_source
from flask_token_lint.selection import selected_codes, split_codes
from flask_token_lint.settings import ALL_OPTIONS, ConfigError

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
    selection = check.add_argument_group("selection (comma-separated code prefixes, as in flake8)")
    selection.add_argument("--select", metavar="CODES", help="report only codes starting with these prefixes")
    selection.add_argument("--ignore", metavar="CODES", help="do not report codes starting with these prefixes")
    selection.add_argument("--extend-select", metavar="CODES", help="add to the selected prefixes")
    selection.add_argument("--extend-ignore", metavar="CODES", help="add to the ignored prefixes")
    output = check.add_argument_group("output")
    output.add_argument("--format", choices=sorted(FORMATS), default="text", help="output format (default: text)")
    output.add_argument("--output-file", metavar="FILE", help="write the report to FILE instead of stdout")
    output.add_argument("--show-source", action="store_true", help="show each flagged line with a caret")
    output.add_argument("--statistics", action="store_true", help="end with the number of findings per code")
    output.add_argument("-q", "--quiet", action="store_true", help="no summary line, only the findings")
    fixing = check.add_argument_group("fixes")
    fixing.add_argument("--fix", action="store_true", help="apply the safe fixes to the files")
    fixing.add_argument("--unsafe-fixes", action="store_true", help="with --fix or --diff, apply the unsafe fixes too")
    fixing.add_argument("--diff", action="store_true", help="print the fixes as a unified diff; write nothing")
    speed = check.add_argument_group("speed")
    speed.add_argument("-j", "--jobs", type=int, default=None, help="processes to use (default: one per CPU)")
    speed.add_argument("--no-cache", action="store_true", help="check every file, ignoring earlier results")
    speed.add_argument(
        "--cache-dir", default=DEFAULT_DIRECTORY, help=f"where results are kept (default: {DEFAULT_DIRECTORY})"
    )
    baseline = check.add_argument_group("baseline")
    baseline.add_argument("--write-baseline", metavar="FILE", help="record the current findings in FILE")
    baseline.add_argument("--baseline", metavar="FILE", help="report only findings not recorded in FILE")
    configuration = check.add_argument_group("configuration (defaults from [tool.flask-token-lint] in pyproject.toml)")
    configuration.add_argument("--config", metavar="PYPROJECT", help="read this pyproject.toml instead of searching")
    configuration.add_argument("--isolated", action="store_true", help="ignore pyproject.toml")
    for option in ALL_OPTIONS:
        kinds: dict[str, dict[str, Any]] = {
            "choice": {"choices": option.choices}, "int": {"type": int}, "list": {"metavar": option.metavar or "NAMES"}
        }
        kind = kinds[option.kind]
        configuration.add_argument(f"--{option.name}", default=None, help=f"{option.help}", **kind)
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
    try:
        return _check(arguments, out, err)
    except ConfigError as error:
        print(f"flask-token-lint: error: {error}", file=err)
        return EXIT_ERROR


class Checker:
    """The engine and the configuration of one run: what to check, what to report."""

    def __init__(self, arguments: argparse.Namespace) -> None:
        if arguments.isolated:
            self.config = Config()
        elif arguments.config:
            self.config = read_config(Path(arguments.config))
        else:
            self.config = find_config(arguments.paths)
        chosen = self.config.selection
        registry = all_rules()

        def flag_or_file(name: str) -> list[str] | None:
            given = split_codes(getattr(arguments, name.replace("-", "_")))
            return given if given is not None else chosen.get(name)

        codes = selected_codes(
            registry,
            default_off=[code for code, rule in registry.items() if not rule.default_enabled],
            select=flag_or_file("select"),
            ignore=flag_or_file("ignore"),
            extend_select=[*chosen.get("extend-select", []), *(split_codes(arguments.extend_select) or [])],
            extend_ignore=[*chosen.get("extend-ignore", []), *(split_codes(arguments.extend_ignore) or [])],
        )
        overrides = {option.name: getattr(arguments, option.attribute) for option in ALL_OPTIONS}
        settings = self.config.settings(overrides)
        self.engine = Engine(codes, settings)
        patterns = self.config.exclude if self.config.exclude is not None else SKIPPED_DIRECTORIES
        self.excluder = Excluder([*patterns, *self.config.extend_exclude], str(self.config.root))
        # With test-code = "skip", test and example code is never read, whether walked to or named.
        self.test_code = None if not settings.skips_test_code else PathPatterns(
            settings.test_code_patterns, self.config.root
        )
        self.cache = None if arguments.no_cache else Cache(arguments.cache_dir, codes, settings)

    def findings(self, source: bytes, path: str, cached: bool = True) -> list[Finding]:
        """The findings ``# noqa`` comments and ``per-file-ignores`` leave standing."""
        ignored = tuple(self.config.ignored_codes(path))
        findings = None
        key = self.cache.key(source) if cached and self.cache is not None else None
        if key is not None and self.cache is not None:
            findings = self.cache.get(key)
        if findings is None:
            findings = filter_noqa(self.engine, source, path)
            if key is not None and self.cache is not None:
                self.cache.put(key, findings)
        return [f for f in findings if not f.code.startswith(ignored)] if ignored else findings


@dataclass
class FileOutcome:
    """What checking (and maybe fixing) one file produced; built in a worker process or here."""

    path: str
    results: list[FileFinding] = field(default_factory=list)
    fixed: int = 0
    diff: str = ""
    errors: list[str] = field(default_factory=list)


def process_file(checker: Checker, path: str, arguments: argparse.Namespace) -> FileOutcome:
    outcome = FileOutcome(path)
    try:
        with open(path, "rb") as handle:
            source = handle.read()
        findings = checker.findings(source, path)
        if (arguments.fix or arguments.diff) and findings:
            source, findings = _fix(checker, path, source, findings, arguments, outcome)
        lines = _lines(source) if findings else []
        for finding in findings:
            text = lines[finding.line - 1] if finding.line <= len(lines) else ""
            outcome.results.append(FileFinding(path, finding, text))
    except OSError as error:
        outcome.errors.append(f"flask-token-lint: error: {path}: {error.strerror or error}")
    except Exception as error:  # a bug of ours: say where, check the other files
        outcome.errors.append(f"flask-token-lint: internal error: {path}: {type(error).__name__}: {error}")
    return outcome


_WORKER: tuple[Checker, argparse.Namespace] | None = None


def _start_worker(arguments: argparse.Namespace) -> None:
    global _WORKER
    _WORKER = (Checker(arguments), arguments)


def _work(path: str) -> FileOutcome:
    assert _WORKER is not None
    return process_file(_WORKER[0], path, _WORKER[1])


def _outcomes(checker: Checker, paths: list[str], arguments: argparse.Namespace) -> list[FileOutcome]:
    """Every file's outcome, in the order of ``paths``; a process pool when it pays.

    A worker that dies (rather than raising, which ``process_file`` reports itself) breaks the
    pool: the files it had not finished are then checked one per fresh worker, so only the file
    that kills its worker is reported as such and the others still get checked.
    """
    jobs = arguments.jobs or os.cpu_count() or 1
    if jobs <= 1 or len(paths) < 2 * jobs:
        return [process_file(checker, path, arguments) for path in paths]
    from concurrent.futures import ProcessPoolExecutor
    from concurrent.futures.process import BrokenProcessPool

    done: list[FileOutcome] = []
    try:
        with ProcessPoolExecutor(max_workers=jobs, initializer=_start_worker, initargs=(arguments,)) as pool:
            for outcome in pool.map(_work, paths, chunksize=max(1, len(paths) // (jobs * 8))):
                done.append(outcome)
    except BrokenProcessPool:
        for path in paths[len(done):]:
            try:
                with ProcessPoolExecutor(1, initializer=_start_worker, initargs=(arguments,)) as alone:
                    done.append(alone.submit(_work, path).result())
            except BrokenProcessPool:
                message = f"flask-token-lint: internal error: {path}: the worker process checking it died"
                done.append(FileOutcome(path, errors=[message]))
    return done


def _check(arguments: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    fixing = arguments.fix or arguments.diff
    if arguments.unsafe_fixes and not fixing:
        raise ConfigError("--unsafe-fixes needs --fix or --diff")
    if arguments.jobs is not None and arguments.jobs < 1:
        raise ConfigError("--jobs needs a number of processes, 1 or more")
    checker = Checker(arguments)
    failed = False
    paths: list[str] = []
    skipped = 0  # test and example code
    for root in arguments.paths:
        if not os.path.exists(root):
            print(f"flask-token-lint: error: {root}: no such file or directory", file=err)
            failed = True
            continue
        for path in python_files(root, checker.excluder):
            if checker.test_code is not None and checker.test_code.matches(path):
                skipped += 1
            else:
                paths.append(path)
    results: list[FileFinding] = []
    fixed = 0
    for outcome in _outcomes(checker, paths, arguments):
        results.extend(outcome.results)
        fixed += outcome.fixed
        out.write(outcome.diff)
        for message in outcome.errors:
            print(message, file=err)
        failed = failed or bool(outcome.errors)
    if arguments.write_baseline:
        write_baseline(arguments.write_baseline, results)
        print(f"flask-token-lint: recorded {len(results)} findings in {arguments.write_baseline}", file=err)
        return EXIT_ERROR if failed else EXIT_CLEAN
    results.sort(key=lambda r: (r.path, r.finding.line, r.finding.col, r.finding.code))
    if arguments.baseline:
        results = new_findings(arguments.baseline, results, read_baseline(arguments.baseline))
    _output(results, fixed, arguments, out, err, skipped)
    if failed:
        return EXIT_ERROR
    return EXIT_FINDINGS if results or (arguments.diff and fixed) else EXIT_CLEAN


def _output(
    results: list[FileFinding], fixed: int, arguments: argparse.Namespace, out: TextIO, err: TextIO, skipped: int = 0
) -> None:
    fixing = arguments.fix or arguments.diff
    report = open(arguments.output_file, "w", encoding="utf-8") if arguments.output_file else out
    try:
        color = report.isatty() and "NO_COLOR" not in os.environ and arguments.format == "text"
        options = ReportOptions(unsafe=arguments.unsafe_fixes, show_source=arguments.show_source, color=color)
        if not arguments.diff:
            report.write(render(results, arguments.format, options))
        if arguments.format != "text":
            return
        if arguments.statistics:
            counts = Counter(r.finding.code for r in results)
            registry = all_rules()
            for code, count in sorted(counts.items()):
                report.write(f"{count:<5} {code} {registry[code].symbol}\n")
            if skipped:
                noun = "file" if skipped == 1 else "files"
                report.write(f"{skipped:<5} {noun} of test or example code not checked (test-code = \"skip\")\n")
        if not arguments.quiet and (results or fixed):
            summary = _summary(results, fixed, fixing, arguments.unsafe_fixes, arguments.diff)
            print(summary, file=err if arguments.diff else report)
    finally:
        if report is not out:
            report.close()


def _lines(source: bytes) -> list[str]:
    try:
        return NoqaFilter(decode_source(source)).lines
    except (SyntaxError, UnicodeDecodeError, LookupError):
        return []


def _fix(checker: Checker, path: str, source: bytes, findings: list[Finding], arguments: argparse.Namespace,
         outcome: FileOutcome) -> tuple[bytes, list[Finding]]:
    """Fix one file (or make its diff); return its content and the findings that remain."""
    from flask_token_lint.fix_files import NotWritten, fix_file_source, unified_diff, write_atomically

    result = fix_file_source(
        source, findings, lambda fixed: checker.findings(fixed, path, cached=False), arguments.unsafe_fixes
    )
    if not result.changed:
        return source, findings
    outcome.fixed = len(result.fixed_findings)
    if arguments.diff:
        outcome.diff = unified_diff(path, result)
        return source, findings
    try:
        write_atomically(path, source, result.fixed)
    except NotWritten as reason:
        outcome.fixed = 0
        outcome.errors.append(f"flask-token-lint: error: {path}: {reason}")
        return source, findings
    return result.fixed, result.remaining


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
