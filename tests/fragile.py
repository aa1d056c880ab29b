"""A worker function that kills its process on one file, for the parallel-run robustness test.

It lives at module level so the process pool can send it to workers by name.
"""

import os

from flask_token_lint import cli

_real_work = cli._work


def fragile_work(path: str):
    if path.endswith("app_3.py"):
        os._exit(1)
    return _real_work(path)
