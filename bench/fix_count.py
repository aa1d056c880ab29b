#!/usr/bin/env python3
"""``flask-token-lint`` with libcst's parser counted: ``python bench/fix_count.py COUNTS.json check ...``.

bench/run.py runs ``check --fix --diff`` through this wrapper to check the promise that ``--fix``
parses with libcst only the files that have a fix to apply. It wraps ``libcst.parse_module``
(counting calls) and, when the CLI has it, ``flask_token_lint.cli._fix`` (so each parse is charged
to the file being fixed), then runs ``flask_token_lint.cli.main`` unchanged and writes
``{"parse_module_calls", "files": [paths parsed]}`` to COUNTS.json. Run it with ``-j1``: a worker
process's counts would not come back.
"""

from __future__ import annotations

import functools
import hashlib
import json
import sys

import libcst

from flask_token_lint import cli

calls = 0
files: set[str] = set()
current: list[str] = []
_parse_module = libcst.parse_module


@functools.wraps(_parse_module)
def parse_module(source, *args, **kwargs):
    global calls
    calls += 1
    if current:
        files.add(current[-1])
    else:  # no _fix to tell the path: a file is known by its content
        data = source.encode("utf-8", "surrogatepass") if isinstance(source, str) else bytes(source)
        files.add("sha1:" + hashlib.sha1(data).hexdigest())
    return _parse_module(source, *args, **kwargs)


libcst.parse_module = parse_module

if hasattr(cli, "_fix"):
    _fix = cli._fix

    @functools.wraps(_fix)
    def fix(*args, **kwargs):
        path = next((a for a in args if isinstance(a, str)), kwargs.get("path", "?"))
        current.append(path)
        try:
            return _fix(*args, **kwargs)
        finally:
            current.pop()

    cli._fix = fix


def main() -> int:
    out = sys.argv[1]
    try:
        code = cli.main(sys.argv[2:])
    finally:
        with open(out, "w", encoding="utf-8") as handle:
            json.dump({"parse_module_calls": calls, "files": sorted(files)}, handle)
    return code


if __name__ == "__main__":
    sys.exit(main())
