#!/usr/bin/env python3
"""Child process of bench/run.py: the engine alone over parsed trees.

    python bench/engine_files.py FILELIST                   # timings, as JSON on stdout
    python bench/engine_files.py FILELIST --fixable         # which files have findings with a fix
    python bench/engine_files.py FILELIST --profile N [tottime|cumtime]   # cProfile of check_tree, top N

For each file: read it, decode it (as the CLI does), split it into lines, parse it, then
``Engine().check_tree(tree, lines)`` with every rule, the call the flake8 plugin makes on the tree
flake8 has parsed. Only the parse and the check_tree call are timed (perf_counter and
process_time), and ``might_match`` (the prefilter alone) is timed separately. For the files that
pass the prefilter, the parse and check_tree times are also summed on their own: on those the engine
does its real work, and that is where "engine time <= parse time" is judged. One file at a time,
so the peak RSS is that of the largest file's tree plus the engine.
"""

from __future__ import annotations

import ast
import json
import sys
import time
import warnings

from flask_token_lint.engine import Engine
from flask_token_lint.source import decode_source


def read(paths: list[str]):
    for path in paths:
        with open(path, "rb") as handle:
            source = handle.read()
        try:
            text = decode_source(source)
        except (SyntaxError, UnicodeDecodeError, LookupError):
            continue
        yield path, source, text


def timings(paths: list[str]) -> dict:
    engine = Engine()
    totals = dict.fromkeys(
        ("parse_seconds", "parse_cpu", "engine_seconds", "engine_cpu", "prefilter_seconds",
         "passing_parse_seconds", "passing_engine_seconds", "passing_engine_cpu", "passing_parse_cpu"), 0.0)
    files = passing = passing_lines = lines_total = findings = unparsable = 0
    clock, cpu = time.perf_counter, time.process_time
    for path, source, text in read(paths):
        files += 1
        lines = text.splitlines(keepends=True)
        lines_total += len(lines)
        t0 = clock()
        hit = engine.might_match(text)
        totals["prefilter_seconds"] += clock() - t0
        t0, c0 = clock(), cpu()
        try:
            tree = ast.parse(source, filename=path)
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            unparsable += 1
            continue
        t1, c1 = clock(), cpu()
        found = engine.check_tree(tree, lines)
        t2, c2 = clock(), cpu()
        findings += len(found)
        totals["parse_seconds"] += t1 - t0
        totals["parse_cpu"] += c1 - c0
        totals["engine_seconds"] += t2 - t1
        totals["engine_cpu"] += c2 - c1
        if hit:
            passing += 1
            passing_lines += len(lines)
            totals["passing_parse_seconds"] += t1 - t0
            totals["passing_parse_cpu"] += c1 - c0
            totals["passing_engine_seconds"] += t2 - t1
            totals["passing_engine_cpu"] += c2 - c1
        del tree
    return {"files": files, "lines": lines_total, "unparsable": unparsable, "findings": findings,
            "passing_files": passing, "passing_lines": passing_lines, **totals}


def fixable(paths: list[str]) -> dict:
    """Files whose findings (after ``# noqa``, as the CLI filters them) include a safe fix, or any fix."""
    from flask_token_lint.finding import FixSafety

    try:
        from flask_token_lint.checker import filter_noqa
    except ImportError:  # an older or newer CLI: without the noqa filter
        def filter_noqa(engine, source, path):
            return engine.check_source(source, path)
    engine = Engine()
    safe, any_fix, with_findings = [], [], 0
    for path in paths:
        with open(path, "rb") as handle:
            found = filter_noqa(engine, handle.read(), path)
        with_findings += bool(found)
        kinds = {f.fix for f in found}
        if FixSafety.SAFE in kinds:
            safe.append(path)
        if kinds & {FixSafety.SAFE, FixSafety.UNSAFE}:
            any_fix.append(path)
    return {"files_with_findings": with_findings, "safe": safe, "safe_or_unsafe": any_fix}


def profile(paths: list[str], top: int, order: str = "tottime") -> str:
    import cProfile
    import io
    import pstats

    engine = Engine()
    profiler = cProfile.Profile()
    for path, source, text in read(paths):
        if not engine.might_match(text):
            continue
        try:
            tree = ast.parse(source, filename=path)
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            continue
        lines = text.splitlines(keepends=True)
        profiler.enable()
        engine.check_tree(tree, lines)
        profiler.disable()
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out)
    stats.sort_stats(order).print_stats(top)
    return out.getvalue()


def main(argv: list[str]) -> int:
    with open(argv[1], encoding="utf-8") as handle:
        paths = [line.rstrip("\n") for line in handle if line.strip()]
    warnings.simplefilter("ignore")
    if len(argv) > 2 and argv[2] == "--fixable":
        json.dump(fixable(paths), sys.stdout)
    elif len(argv) > 3 and argv[2] == "--profile":
        sys.stdout.write(profile(paths, int(argv[3]), argv[4] if len(argv) > 4 else "tottime"))
        return 0
    else:
        json.dump(timings(paths), sys.stdout)
    print()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
