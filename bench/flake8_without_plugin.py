#!/usr/bin/env python3
"""flake8 as if flask-token-lint were not installed: ``python bench/flake8_without_plugin.py ARGS``.

bench/run.py measures flake8 without the plugin two ways: ``--select E,W,F`` with the plugin
installed (the documented way: the plugin sees no FTL code selected and returns at once) and this
wrapper, which drops the plugin from flake8's entry-point discovery before flake8 starts, so the
plugin is neither imported nor registered nor called. Everything else is flake8's own ``main``.
"""

from __future__ import annotations

import sys

from flake8.main import cli
from flake8.plugins import finder

_discover = finder._find_importlib_plugins


def _without_ours():
    for plugin in _discover():
        if plugin.package.lower().replace("_", "-") != "flask-token-lint":
            yield plugin


finder._find_importlib_plugins = _without_ours

if __name__ == "__main__":
    sys.exit(cli.main(sys.argv[1:]))
