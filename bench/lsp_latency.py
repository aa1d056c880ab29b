#!/usr/bin/env python3
"""How long the editor waits: ``didChange`` to ``publishDiagnostics``, against the CLI on the same text.

    python bench/lsp_latency.py [--edits 100] [--sizes 1000,10000]

For each size, a generated Flask module of that many lines (views, token decodes, outgoing requests,
logging: the shapes the rules look at) is opened in ``flask-token-lint server`` over stdio; then
``--edits`` edits are sent one at a time, each changing one line's text (incremental sync, the way
editors send keystrokes), and the time until the diagnostics for that version arrive is recorded
(the server's debounce included). The CLI's time is ``check --no-cache --isolated`` on the same
text written to a file (interpreter start included), median of 5. Prints p50 and p95.
A benchmark, not a test: the machine is noisy.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from lsp_client import Client  # noqa: E402

BLOCK = '''

@app.route("/items/{n}")
def view_{n}():
    auth = request.headers.get("Authorization", "")
    if not auth.startswith("Bearer "):
        abort(401)
    token = auth.split(" ", 1)[1]
    claims = jwt.decode(token, KEY, algorithms=["HS256"], audience="api", issuer="https://idp")
    log.info("user %s asked for item {n}", claims["sub"])
    reply = requests.get(API + "/items/{n}", headers={{"Authorization": auth}}, timeout=5)
    return jsonify(item=reply.json(), label="item {n}")
'''

HEADER = '''import logging
import os

import jwt
import requests
from flask import Flask, abort, jsonify, request

app = Flask(__name__)
log = logging.getLogger(__name__)
KEY = os.environ["JWT_KEY"]
API = "https://api.example.com"
'''


def module(lines: int) -> str:
    parts = [HEADER]
    n = 0
    while sum(part.count("\n") for part in parts) < lines:
        parts.append(BLOCK.format(n=n))
        n += 1
    return "".join(parts)


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def cli_seconds(text: str, rounds: int = 5) -> float:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "views.py"
        path.write_text(text, encoding="utf-8")
        times = []
        for _ in range(rounds):
            start = time.perf_counter()
            subprocess.run([sys.executable, "-m", "flask_token_lint", "check", "--no-cache", "--isolated", "--quiet",
                            str(path)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False, cwd=ROOT)
            times.append(time.perf_counter() - start)
        return statistics.median(times)


def server_latencies(text: str, edits: int) -> tuple[float, list[float]]:
    client = Client()
    try:
        client.initialize()
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "views.py"
            start = time.perf_counter()
            client.open(path, text)
            opened = time.perf_counter() - start
            uri = path.resolve().as_uri()
            lines = text.splitlines()
            targets = [i for i, line in enumerate(lines) if "asked for item" in line]
            latencies = []
            for version in range(2, edits + 2):
                line = targets[version % len(targets)]
                old = lines[line]
                new = old.replace("asked for item", f"asked (edit {version}) for item")
                lines[line] = new
                change = {"range": {"start": {"line": line, "character": 0}, "end": {"line": line, "character": len(old)}},
                          "text": new}
                start = time.perf_counter()
                client.notify("textDocument/didChange", {"textDocument": {"uri": uri, "version": version},
                                                         "contentChanges": [change]})
                client.wait_for("textDocument/publishDiagnostics",
                                lambda p, v=version: p["uri"] == uri and p.get("version") == v)
                latencies.append(time.perf_counter() - start)
        client.shutdown()
        return opened, latencies
    finally:
        client.kill()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--edits", type=int, default=100)
    parser.add_argument("--sizes", default="1000,10000")
    arguments = parser.parse_args(argv)
    print(f"{'module':>14} {'open s':>7} {'p50 ms':>7} {'p95 ms':>7} {'CLI s':>6}  (didChange -> publishDiagnostics)")
    for size in (int(s) for s in arguments.sizes.split(",")):
        text = module(size)
        opened, latencies = server_latencies(text, arguments.edits)
        cli = cli_seconds(text)
        print(f"{text.count(chr(10)):>8} lines {opened:7.2f} {percentile(latencies, 0.5) * 1000:7.0f} "
              f"{percentile(latencies, 0.95) * 1000:7.0f} {cli:6.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
