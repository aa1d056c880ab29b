#!/usr/bin/env python3
"""Child process of bench/run.py: what each rule costs, through the prefilter and in the engine.

    python bench/rules_table.py FILELIST                     # the per-rule prefilter table (JSON)
    python bench/rules_table.py FILELIST --leave-one-out     # also: engine time without each rule

Prefilter table: for every rule, the files its conditions pass, the files that pass only because
of it (no other rule wants them), and the share of the whole parse time those files hold; then the
same for the prefilter as a whole, and the rules' findings. Every file is parsed once and its parse
time kept, so "share of parse time" is measured, not estimated.

Leave-one-out: check_tree over the files that pass, once with every rule and once without each
rule in turn (each time with the prefilter of the remaining rules): the seconds a rule's removal
saves tell which rule to make cheaper next.
"""

from __future__ import annotations

import ast
import json
import sys
import time
import warnings

from engine_files import read  # bench/ is the script's folder, first on sys.path

from flask_token_lint.engine import Engine


def load(paths: list[str]) -> list[tuple[str, str, float]]:
    """Each file's text and parse time (the tree is dropped: thousands of live trees would make the
    garbage collector's passes, not the parser, the cost measured)."""
    files = []
    for path, _, text in read(paths):
        try:
            t0 = time.perf_counter()
            ast.parse(text, filename=path)
            files.append((path, text, time.perf_counter() - t0))
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            continue
    return files


def leave_one_out(engine: Engine, files) -> dict:
    """Per file, the engine with every rule and then without each rule in turn, back to back on the
    same tree (interleaved, so the machine's load lands on every variant alike)."""
    variants = {rule.code: Engine([r.code for r in engine.rules if r.code != rule.code]) for rule in engine.rules}
    everything = 0.0
    without = dict.fromkeys(variants, 0.0)
    clock = time.perf_counter
    for path, text, _ in files:
        codes = engine.rules_for(text)
        if not codes:
            continue
        tree = ast.parse(text, filename=path)
        engine.check_tree(tree, codes=codes)  # unmeasured: every measured run then finds the tree in cache alike
        t0 = clock()
        engine.check_tree(tree, codes=codes)
        everything += clock() - t0
        for code, other in variants.items():
            remaining = other.rules_for(text)
            if remaining:
                t0 = clock()
                other.check_tree(tree, codes=remaining)
                without[code] += clock() - t0
    return {
        "engine_seconds": round(everything, 3),
        "leave_one_out": {code: round(everything - seconds, 3) for code, seconds in without.items()},
    }


def main(argv: list[str]) -> int:
    warnings.simplefilter("ignore")
    with open(argv[0], encoding="utf-8") as handle:
        paths = [line.strip() for line in handle if line.strip()]
    files = load(paths)
    engine = Engine()
    parse_total = sum(f[2] for f in files) or 1e-9
    passed: dict[str, list[int]] = {rule.code: [] for rule in engine.rules}
    alone: dict[str, list[int]] = {rule.code: [] for rule in engine.rules}
    any_passed: list[int] = []
    t0 = time.perf_counter()
    wanted = [engine.rules_for(text) for _, text, _ in files]
    prefilter = time.perf_counter() - t0
    found: dict[str, int] = {rule.code: 0 for rule in engine.rules}
    for index, codes in enumerate(wanted):
        if codes:
            any_passed.append(index)
            tree = ast.parse(files[index][1], filename=files[index][0])
            for finding in engine.check_tree(tree, codes=codes):
                found[finding.code] = found.get(finding.code, 0) + 1
        for code in codes:
            passed[code].append(index)
        if len(codes) == 1:
            alone[next(iter(codes))].append(index)

    def share(indexes: list[int]) -> float:
        return round(sum(files[i][2] for i in indexes) / parse_total, 4)

    result = {
        "files": len(files),
        "parse_seconds": round(parse_total, 3),
        "prefilter_seconds": round(prefilter, 3),
        "passed": len(any_passed),
        "passed_parse_share": share(any_passed),
        "rules": {
            code: {"passed": len(passed[code]), "share": share(passed[code]), "only": len(alone[code]),
                   "only_share": share(alone[code]), "findings": found.get(code, 0)}
            for code in sorted(passed)
        },
    }
    if "--leave-one-out" in argv:
        result.update(leave_one_out(engine, files))
    json.dump(result, sys.stdout, indent=1)
    print()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
