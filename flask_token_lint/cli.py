"""The command line: ``flask-token-lint check PATH...`` and ``flask-token-lint rules``.

Exit codes: 0 no findings, 1 findings, 2 a usage or internal error (the run
still checks every other file and reports what it found).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Callable, Iterator, Sequence, TextIO

from flask_token_lint.finding import Finding, FixSafety
from flask_token_lint import cache as cache_files
from flask_token_lint.baseline import new_findings, read_baseline, write_baseline
from flask_token_lint.config import find_config
from flask_token_lint.files import python_files
from flask_token_lint.catalogue import explain, pylint_id
from flask_token_lint.report import FileFinding, ReportOptions, render
from flask_token_lint.registry import all_rules
from flask_token_lint.noqa import NoqaFilter
from flask_token_lint.source import decode_source
from flask_token_lint.settings import ConfigError
from flask_token_lint.checker import EXIT_CLEAN, EXIT_ERROR, EXIT_FINDINGS, Checker, _cache_root, _parser

def find_rule(name: str) -> str | None:
    """The code a rule code, pylint symbol or pylint message id names (any case), else None."""
    wanted = name.strip().lower()
    for code, rule in all_rules().items():
        if wanted in (code.lower(), rule.symbol.lower(), pylint_id(code).lower() or code.lower()):
            return code
    return None


def main(argv: Sequence[str] | None = None, stdout: TextIO | None = None, stderr: TextIO | None = None) -> int:
    out = stdout or sys.stdout
    err = stderr or sys.stderr
    arguments = _parser().parse_args(argv)
    if arguments.command == "rules":
        _print_rules(out)
        return EXIT_CLEAN
    if arguments.command == "server":
        try:
            from flask_token_lint import server
        except ImportError as error:
            print(f"flask-token-lint: error: the language server needs pygls ({error}); "
                  "install it with: pip install 'flask-token-lint[server]'", file=err)
            return EXIT_ERROR
        return server.run()
    if arguments.command == "explain":
        code = find_rule(arguments.code)
        if code is None:
            message = f"unknown rule code {arguments.code!r} (see 'flask-token-lint rules')"
            print(f"flask-token-lint: error: {message}", file=err)
            return EXIT_ERROR
        out.write(explain(all_rules()[code]))
        return EXIT_CLEAN
    try:
        if arguments.command == "clean":
            return _clean(arguments, err)
        return _check(arguments, out, err)
    except ConfigError as error:
        print(f"flask-token-lint: error: {error}", file=err)
        return EXIT_ERROR
    except OSError as error:  # an output or baseline file that cannot be written, ...
        where = f"{error.filename}: " if error.filename else ""
        print(f"flask-token-lint: error: {where}{_reason(error)}", file=err)
        return EXIT_ERROR


def _reason(error: OSError) -> str:
    """``permission denied``: the OS's words, as the other one-line errors write them."""
    text = error.strerror or str(error)
    return text[:1].lower() + text[1:]


def _clean(arguments: argparse.Namespace, err: TextIO) -> int:
    root = _cache_root(arguments, find_config(["."]))
    if cache_files.clean(root):
        print(f"flask-token-lint: removed the cache {root}", file=err)
    else:
        print(f"flask-token-lint: no cache in {root}", file=err)
    return EXIT_CLEAN


@dataclass
class FileOutcome:
    """What checking (and maybe fixing) one file produced; built in a worker process or here."""

    path: str
    results: list[FileFinding] = field(default_factory=list)
    fixed: int = 0
    diff: str = ""
    errors: list[str] = field(default_factory=list)
    # For the cache's index: the file's stamp when it was read, and its findings before per-file ignores.
    stamp: tuple[int, int] | None = None
    unignored: list[Finding] | None = None
    dependencies: dict[str, list] | None = None  # the project modules its findings read


def process_file(
    checker: Checker, path: str, arguments: argparse.Namespace, source: bytes | None = None
) -> FileOutcome:
    """Check (and maybe fix) one file; ``source`` given means standard input standing for ``path``."""
    outcome = FileOutcome(path)
    fixing = arguments.fix or arguments.diff
    try:
        if source is None:
            if checker.cache is not None and not fixing:
                outcome.stamp = cache_files.stamp(path)  # before reading: a later change is seen next time
            with open(path, "rb") as handle:
                source = handle.read()
        unignored = checker.unignored(source, path)
        if outcome.stamp is not None:
            outcome.unignored = unignored
            outcome.dependencies = checker.last_dependencies
        findings = checker.ignoring(path, unignored)
        if fixing and findings:
            source, findings = _fix(checker, path, source, findings, arguments, outcome)
        _add_results(outcome, path, findings, source)
    except OSError as error:
        outcome.errors.append(f"flask-token-lint: error: {path}: {error.strerror or error}")
    except Exception as error:  # a bug of ours: say where, check the other files
        outcome.errors.append(f"flask-token-lint: internal error: {path}: {type(error).__name__}: {error}")
    return outcome


def _add_results(outcome: FileOutcome, path: str, findings: list[Finding], source: bytes | None) -> None:
    """The findings with the text of their lines (read from ``path`` when ``source`` is None)."""
    if not findings:
        return
    if source is None:
        with open(path, "rb") as handle:
            source = handle.read()
    lines = _lines(source)
    for finding in findings:
        text = lines[finding.line - 1] if finding.line <= len(lines) else ""
        outcome.results.append(FileFinding(path, finding, text))


def _from_index(checker: Checker, path: str, unignored: list[Finding]) -> FileOutcome:
    """The outcome of a file the cache's index says is unchanged: it is read only for the text of
    its findings' lines."""
    outcome = FileOutcome(path)
    try:
        _add_results(outcome, path, checker.ignoring(path, unignored), None)
    except OSError as error:
        outcome.errors.append(f"flask-token-lint: error: {path}: {error.strerror or error}")
    return outcome


_WORKER: tuple[Checker, argparse.Namespace] | None = None


def _start_worker(arguments: argparse.Namespace) -> None:
    global _WORKER
    _WORKER = (Checker(arguments), arguments)


def _work(path: str) -> FileOutcome:
    assert _WORKER is not None
    return process_file(_WORKER[0], path, _WORKER[1])


def _outcomes(checker: Checker, paths: list[str], arguments: argparse.Namespace) -> Iterator[FileOutcome]:
    """Every file's outcome, in the order of ``paths`` and as soon as it is ready; a process pool when it pays.

    A worker that dies (rather than raising, which ``process_file`` reports itself) breaks the
    pool: the files it had not finished are then checked one per fresh worker, so only the file
    that kills its worker is reported as such and the others still get checked.
    """
    known: dict[str, FileOutcome] = {}
    index = checker.index
    if index is not None:
        # Files whose stamp is unchanged are answered from the index before any worker starts.
        for path in paths:
            findings = cache_files.index_findings(index, os.path.abspath(path), cache_files.stamp(path))
            if findings is not None:
                known[path] = _from_index(checker, path, findings)
    rest = [path for path in paths if path not in known]
    checked = iter(_checked(checker, rest, arguments))
    for path in paths:
        outcome = known.get(path)
        if outcome is None:
            outcome = next(checked)
            if outcome.stamp is not None and outcome.unignored is not None:
                checker.remember(path, outcome.stamp, outcome.unignored, outcome.dependencies)
        yield outcome


# A process pool pays for its start (a fork per worker, each importing the engine) only when the
# files to check are big enough. Measured on the bench corpus, 2 cores, -j1 / -j2: 0.30 MB 0.24 /
# 0.22 s, 0.75 MB 0.37 / 0.26 s, 1.5 MB 0.55 / 0.40 s: the crossover lies near 0.3 MB.
POOL_MIN_BYTES = 400_000


def _pool_pays(paths: list[str], jobs: int) -> bool:
    if jobs <= 1 or len(paths) < 2 * jobs:
        return False
    total = 0
    for path in paths:
        try:
            total += os.stat(path).st_size
        except OSError:
            continue
        if total >= POOL_MIN_BYTES:
            return True
    return False


def _checked(checker: Checker, paths: list[str], arguments: argparse.Namespace) -> Iterator[FileOutcome]:
    jobs = arguments.jobs or os.cpu_count() or 1
    if not _pool_pays(paths, jobs):
        for path in paths:
            yield process_file(checker, path, arguments)
        return
    from concurrent.futures import ProcessPoolExecutor
    from concurrent.futures.process import BrokenProcessPool

    done = 0
    try:
        with ProcessPoolExecutor(max_workers=jobs, initializer=_start_worker, initargs=(arguments,)) as pool:
            for outcome in pool.map(_work, paths, chunksize=max(1, len(paths) // (jobs * 8))):
                done += 1
                yield outcome
    except BrokenProcessPool:
        for path in paths[done:]:
            try:
                with ProcessPoolExecutor(1, initializer=_start_worker, initargs=(arguments,)) as alone:
                    outcome = alone.submit(_work, path).result()
            except BrokenProcessPool:
                message = f"flask-token-lint: internal error: {path}: the worker process checking it died"
                outcome = FileOutcome(path, errors=[message])
            yield outcome


PROGRESS_DELAY = 2.0  # seconds before a progress bar appears


class Progress:
    """``[#####     ] 120/400 files`` on a terminal's stderr, redrawn in place, for runs that take a while.

    Nothing is drawn until ``delay`` seconds have passed (short runs stay quiet), and nothing at
    all unless ``enabled`` (stderr is a terminal and not ``--quiet``). ``clear`` wipes the bar
    before other output is written to the same terminal.
    """

    WIDTH = 30

    def __init__(
        self, stream: TextIO, total: int, enabled: bool, delay: float | None = None,
        clock: Callable[[], float] | None = None,
    ) -> None:
        self.stream, self.total, self.enabled = stream, total, enabled
        self.delay = PROGRESS_DELAY if delay is None else delay
        self.clock = clock or time.monotonic
        self.started = self.clock()
        self.done = 0
        self.shown = False

    def advance(self, count: int = 1) -> None:
        self.done += count
        if self.enabled and (self.shown or self.clock() - self.started >= self.delay):
            self.draw()

    def draw(self) -> None:
        filled = self.WIDTH * self.done // max(1, self.total)
        bar = "#" * filled + " " * (self.WIDTH - filled)
        self.stream.write(f"\r[{bar}] {self.done}/{self.total} files")
        self.stream.flush()
        self.shown = True

    def clear(self) -> None:
        if self.shown:
            self.stream.write("\r" + " " * (self.WIDTH + 2 * len(str(self.total)) + 10) + "\r")
            self.stream.flush()
            self.shown = False


def _is_terminal(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


def _prepare_target(option: str, path: str | None) -> None:
    """An output file's folder is created when missing; a folder in its place is an error."""
    if not path:
        return
    if os.path.isdir(path):
        raise ConfigError(f"{option}: {path} is a folder, not a file")
    parent = os.path.dirname(os.path.abspath(path))
    try:
        os.makedirs(parent, exist_ok=True)
    except OSError as error:
        raise ConfigError(f"{option}: cannot create the folder {parent}: {_reason(error)}") from None
    if not os.path.isdir(parent):
        raise ConfigError(f"{option}: {parent} is not a folder")


# Say "All checks passed (N files)" on stderr after a clean text run. Off until the tests that
# require a clean run's stderr to be empty (owned elsewhere) expect the line.
ANNOUNCE_CLEAN = True


def _check(arguments: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    fixing = arguments.fix or arguments.diff
    roots = list(arguments.paths) or ["."]
    stdin = "-" in roots
    if arguments.unsafe_fixes and not fixing:
        raise ConfigError("--unsafe-fixes needs --fix or --diff")
    if arguments.jobs is not None and arguments.jobs < 1:
        raise ConfigError("--jobs needs a number of processes, 1 or more")
    if arguments.stdin_filename and not stdin:
        raise ConfigError("--stdin-filename needs - among the paths (standard input)")
    if arguments.fix_baselined and not (fixing and arguments.baseline):
        raise ConfigError("--fix-baselined needs --baseline and --fix or --diff")
    if stdin and arguments.fix:
        raise ConfigError("--fix cannot write to standard input; --diff shows the fixes")
    _prepare_target("--output-file", arguments.output_file)
    _prepare_target("--write-baseline", arguments.write_baseline)
    known = read_baseline(arguments.baseline) if arguments.baseline else None  # a bad one fails before the work
    if arguments.cache_dir and os.path.exists(arguments.cache_dir) and not os.path.isdir(arguments.cache_dir):
        raise ConfigError(f"--cache-dir: {arguments.cache_dir} is not a folder")
    checker = Checker(arguments)
    failed = False
    paths: list[str] = []
    skipped = 0  # test and example code

    def walk_error(error: OSError) -> None:
        nonlocal failed, walk_failed
        print(f"flask-token-lint: error: {error.filename}: {_reason(error)}", file=err)
        failed = walk_failed = True

    for root in dict.fromkeys(roots):
        if root == "-":
            continue
        if not os.path.exists(root):
            print(f"flask-token-lint: error: {root}: no such file or directory", file=err)
            failed = True
            continue
        if arguments.force_exclude and checker.excluder.excludes_named(root):
            continue  # left out on purpose (pre-commit names excluded files): nothing to warn about
        found, walk_failed = 0, False
        for path in python_files(root, checker.excluder, walk_error):
            found += 1
            if checker.skips(path):
                skipped += 1
            else:
                paths.append(path)
        if not found and not walk_failed:
            print(f"flask-token-lint: warning: No Python files found under {root}", file=err)
    paths.sort()
    stdin_outcome = None
    if stdin:
        name = arguments.stdin_filename or "-"
        data = sys.stdin.buffer.read()
        excluded = arguments.force_exclude and arguments.stdin_filename and checker.excluder.excludes_named(name)
        if arguments.stdin_filename and checker.skips(name):
            skipped += 1
        elif not excluded:
            stdin_outcome = process_file(checker, name, arguments, source=data)
    checked = len(paths) + (stdin_outcome is not None)
    streaming = arguments.format == "text" and not (arguments.baseline or arguments.write_baseline or arguments.diff)
    results: list[FileFinding] = []
    fixed = 0
    progress = Progress(err, checked, _is_terminal(err) and not arguments.quiet)
    report = open(arguments.output_file, "w", encoding="utf-8") if arguments.output_file else out
    try:
        color = _is_terminal(report) and "NO_COLOR" not in os.environ and arguments.format == "text"
        options = ReportOptions(unsafe=arguments.unsafe_fixes, show_source=arguments.show_source, color=color,
                                explain_flow=arguments.explain_flow)
        outcomes = _outcomes(checker, paths, arguments)
        if stdin_outcome is not None:
            outcomes = _chain(stdin_outcome, outcomes)
        for outcome in outcomes:
            progress.advance()
            outcome.results.sort(key=lambda r: (r.finding.line, r.finding.col, r.finding.code))
            results.extend(outcome.results)
            fixed += outcome.fixed
            if outcome.diff or outcome.errors or (streaming and outcome.results):
                progress.clear()
            out.write(outcome.diff)
            for message in outcome.errors:
                print(message, file=err)
            failed = failed or bool(outcome.errors)
            if streaming and outcome.results:
                report.write(render(outcome.results, "text", options))
                report.flush()
        progress.clear()
        checker.save_index()
        if arguments.write_baseline:
            write_baseline(arguments.write_baseline, results)
            print(f"flask-token-lint: recorded {len(results)} findings in {arguments.write_baseline}", file=err)
            return EXIT_ERROR if failed else EXIT_CLEAN
        if arguments.baseline and known is not None:
            if arguments.fix and fixed:
                known = read_baseline(arguments.baseline)  # the fixes moved some of its entries
            results = new_findings(arguments.baseline, results, known)
        if not streaming and not arguments.diff:
            report.write(render(results, arguments.format, options))
        _output_end(results, fixed, arguments, report, err, skipped, checked)
    finally:
        if report is not out:
            report.close()
    if arguments.statistics and checker.cache is not None:
        entries, size = cache_files.size(checker.cache_root)
        print(f"flask-token-lint: cache {checker.cache_root}: {entries} entries, {size} bytes", file=err)
    if failed:
        return EXIT_ERROR
    if ANNOUNCE_CLEAN and arguments.format == "text" and not arguments.quiet and not results and not fixed:
        print(f"All checks passed ({checked} file{'' if checked == 1 else 's'})", file=err)
    if arguments.exit_zero:
        return EXIT_CLEAN
    return EXIT_FINDINGS if results or (arguments.diff and fixed) else EXIT_CLEAN


def _chain(first: FileOutcome, rest: Iterator[FileOutcome]) -> Iterator[FileOutcome]:
    yield first
    yield from rest


def _output_end(
    results: list[FileFinding], fixed: int, arguments: argparse.Namespace, report: TextIO, err: TextIO, skipped: int,
    checked: int,
) -> None:
    """What follows the findings in text mode: ``--statistics`` and the summary line."""
    fixing = arguments.fix or arguments.diff
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
        summary = _summary(results, fixed, fixing, arguments.unsafe_fixes, arguments.diff, checked)
        print(summary, file=err if arguments.diff else report)


def _lines(source: bytes) -> list[str]:
    try:
        return NoqaFilter(decode_source(source)).lines
    except (SyntaxError, UnicodeDecodeError, LookupError):
        return []


def _fix(checker: Checker, path: str, source: bytes, findings: list[Finding], arguments: argparse.Namespace,
         outcome: FileOutcome) -> tuple[bytes, list[Finding]]:
    """Fix one file (or make its diff); return its content and the findings that remain."""
    from flask_token_lint.fix_files import NotWritten, fix_file, unified_diff, write_fix

    # With --baseline the recorded findings are left alone (unless --fix-baselined) and the
    # baseline's entries follow the lines the fixes change (fix_files.fix_file / write_fix).
    result = fix_file(
        path, source, findings, lambda fixed: checker.findings(fixed, path, cached=False), arguments.unsafe_fixes,
        baseline=arguments.baseline, fix_baselined=arguments.fix_baselined,
    )
    if not result.changed:
        return source, findings
    outcome.fixed = len(result.fixed_findings)
    if arguments.diff:
        outcome.diff = unified_diff(path, result)
        return source, findings
    try:
        write_fix(path, result, arguments.baseline)
    except NotWritten as reason:
        outcome.fixed = 0
        outcome.errors.append(f"flask-token-lint: error: {path}: {reason}")
        return source, findings
    return result.fixed, result.remaining


def _summary(results: list[FileFinding], fixed: int, fixing: bool, unsafe: bool, diff: bool, checked: int) -> str:
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
    files = f"{checked} file{'' if checked == 1 else 's'} checked: "
    return files + line + (f" ({', '.join(hints)})" if hints else "")


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
