#!/usr/bin/env python3
"""Child process of bench/run.py: read and ``ast.parse`` every file named in FILELIST, one at a time.

    python bench/parse_files.py FILELIST

This is the "ast.parse of every file" baseline: the same interpreter start, the same files read
from disk, and nothing but the parse. Each tree is dropped before the next file is parsed, so the
peak RSS of this process with one file named is "the memory of parsing that file". Prints one
JSON object: files, lines, bytes, the summed in-process parse seconds, syntax errors. Stdlib only.
"""

from __future__ import annotations

import ast
import json
import sys
import time
import warnings


def main(argv: list[str]) -> int:
    with open(argv[1], encoding="utf-8") as handle:
        paths = [line.rstrip("\n") for line in handle if line.strip()]
    warnings.simplefilter("ignore")  # invalid escape sequences in old code: not what is measured
    parse = 0.0
    lines = size = errors = 0
    for path in paths:
        with open(path, "rb") as handle:
            source = handle.read()
        size += len(source)
        lines += source.count(b"\n")
        start = time.perf_counter()
        try:
            tree = ast.parse(source, filename=path)
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            errors += 1
        else:
            del tree
        parse += time.perf_counter() - start
    json.dump({"files": len(paths), "lines": lines, "bytes": size, "parse_seconds": parse, "syntax_errors": errors},
              sys.stdout)
    print()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
