#!/usr/bin/env python3
"""Child process of bench/run.py: the project index alone, built from nothing.

    python bench/index_files.py FILELIST                   # timings, as JSON on stdout
    python bench/index_files.py FILELIST --most-imported   # the module most files import, and how many

For each file: read and decode it, read its import lines as the prefilter does (``brings``: the
imported modules' text, no parse), then summarise every project module its import lines name
(what a rule asking about each imported name would make: one parse, and the value analysis for a
module whose functions may return a credential). No results cache and no summary cache: this is
the index's cold build time, to compare with ``ast.parse`` of the same files.
"""

from __future__ import annotations

import json
import sys
import time
from collections import Counter

from flask_token_lint.project import ProjectIndex
from flask_token_lint.source import decode_source


def imported_modules(index: ProjectIndex, text: str, path: str):
    """The project modules the import lines of ``text`` name (packages' submodules included)."""
    for target, names in index.import_targets(text, path):
        yield target
        for name in names or ():
            submodule = index._submodule(target, name)
            if submodule is not None:
                yield submodule


def most_imported(paths: list[str]) -> int:
    index, counts = ProjectIndex(), Counter()
    for path in paths:
        with open(path, encoding="utf-8", errors="replace") as handle:
            text = handle.read()
        counts.update({m for m in imported_modules(index, text, path) if not m.endswith("__init__.py")})
    changed, importers = counts.most_common(1)[0]
    print(json.dumps({"file": changed, "importers": importers}))
    return 0


def main(argv: list[str]) -> int:
    with open(argv[1], encoding="utf-8") as handle:
        paths = [line.strip() for line in handle if line.strip()]
    if "--most-imported" in argv:
        return most_imported(paths)
    index = ProjectIndex()
    start = time.perf_counter()
    brings = summaries = 0.0
    modules: set[str] = set()
    for path in paths:
        with open(path, "rb") as handle:
            try:
                text = decode_source(handle.read())
            except (SyntaxError, UnicodeDecodeError, LookupError):
                continue
        began = time.perf_counter()
        index.brings(text, path)
        brings += time.perf_counter() - began
        began = time.perf_counter()
        for module_path in imported_modules(index, text, path):
            if module_path not in modules:
                modules.add(module_path)
                index.summary(module_path)
        summaries += time.perf_counter() - began
    print(json.dumps({
        "index_seconds": time.perf_counter() - start,
        "brings_seconds": brings,
        "summary_seconds": summaries,
        "modules_summarised": len(modules),
        "summaries_built": index.built,
    }))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
