"""Worst-case inputs for the engine's dataflow and guard analysis: the time must grow linearly.

    python bench/worst_case.py

Each generator builds one function that stresses one part of the analysis (a name rebound and
read thousands of times, thousands of unguarded token cuts, thousands of decodes in one scope,
deeply nested guards); the script prints parse time and engine time (parse included) per size.
Doubling the size should roughly double the time. A benchmark, not a test: the machine is noisy.
"""

from __future__ import annotations

import ast
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from flask_token_lint.engine import Engine  # noqa: E402


def guarded_assignments(n: int) -> str:
    body = ["    auth = request.headers.get('Authorization', '')"]
    body += [f"    x{i} = auth.split(' ')[1] if auth.startswith('Bearer ') else x{max(i - 1, 0)}" for i in range(n)]
    return "from flask import request\ndef f():\n" + "\n".join(body) + "\n    return x0\n"


def one_name_rebound(n: int) -> str:
    body = ["    token = request.headers.get('Authorization', '')"]
    for _ in range(n):
        body += ["    token = token.strip()", "    logging.info(token)"]
    return "from flask import request\nimport logging\ndef f():\n" + "\n".join(body) + "\n"


def unguarded_cuts(n: int) -> str:
    body = ["    auth = request.headers.get('Authorization', '')"]
    body += [f"    x{i} = auth.split(' ')[1]" for i in range(n)]
    return "from flask import request\ndef f():\n" + "\n".join(body) + "\n"


def unverified_decodes(n: int) -> str:
    body = [f"    c{i} = jwt.decode(t, options={{'verify_signature': False}})" for i in range(n)]
    return "import jwt\ndef f(t):\n" + "\n".join(body) + "\n"


def nested_guards(depth: int) -> str:
    lines = ["from flask import request", "def f():", "    auth = request.headers.get('Authorization', '')"]
    lines += ["    " * (d + 1) + f"if auth.startswith('Bearer ') and x{d}:" for d in range(depth)]
    lines.append("    " * (depth + 1) + "token = auth.split()[1]")
    return "\n".join(lines) + "\n"


CASES = (
    (guarded_assignments, (2500, 5000, 10000)),
    (one_name_rebound, (1000, 2000, 4000)),
    (unguarded_cuts, (2500, 5000, 10000)),
    (unverified_decodes, (1000, 2000, 4000)),
    (nested_guards, (25, 50, 98)),  # the tokenizer allows 100 indentation levels
)


def main() -> int:
    engine = Engine()
    print(f"{'case':<22} {'size':>6} {'parse s':>8} {'engine s':>9} {'findings':>9}")
    for make, sizes in CASES:
        for size in sizes:
            source = make(size)
            started = time.perf_counter()
            ast.parse(source)
            parsed = time.perf_counter()
            findings = engine.check_source(source)
            done = time.perf_counter()
            print(f"{make.__name__:<22} {size:>6} {parsed - started:8.3f} {done - parsed:9.3f} {len(findings):>9}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
