#!/usr/bin/env python3
"""flake8 with a trivial tree plugin in place of flask-token-lint: ``python bench/flake8_trivial_plugin.py ARGS``.

The floor of being a flake8 plugin: flake8 hands every plugin the tree it parsed, and a plugin that
only walks it (``ast.walk``, nothing else) costs what any tree plugin must. bench/run.py compares
flake8 with our plugin against this one and against flake8 with no plugin at all. The trivial plugin
reports under the code ``TRV`` and never finds anything; our own entry point is dropped.
"""

from __future__ import annotations

import ast
import importlib.metadata
import sys

from flake8.main import cli
from flake8.plugins import finder


class TrivialWalk:
    name = "trivial-walk"
    version = "0"

    def __init__(self, tree: ast.AST) -> None:
        self.tree = tree

    def run(self):
        for _ in ast.walk(self.tree):
            pass
        return iter(())


_discover = finder._find_importlib_plugins


def _trivial_instead_of_ours():
    for plugin in _discover():
        if plugin.package.lower().replace("_", "-") != "flask-token-lint":
            yield plugin
    entry = importlib.metadata.EntryPoint("TRV", f"{__name__}:TrivialWalk", "flake8.extension")
    yield finder.Plugin("trivial-walk", "0", entry)


finder._find_importlib_plugins = _trivial_instead_of_ours

if __name__ == "__main__":
    sys.modules.setdefault("flake8_trivial_plugin", sys.modules[__name__])
    sys.exit(cli.main(sys.argv[1:]))
