"""A plain JSON-RPC client for the language server over a real stdio connection.

``Client()`` starts ``python -m flask_token_lint server`` in a child process; ``request`` sends a
request and waits for its answer, ``notify`` sends a notification, ``wait_for`` waits for a
notification from the server (``textDocument/publishDiagnostics``). Messages are framed with
``Content-Length`` headers as the LSP base protocol says; a thread reads the server's output.
"""

from __future__ import annotations

import json
import queue
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any, Callable

from flask_token_lint.lsp import Edit
from flask_token_lint.source import split_lines

ROOT = Path(__file__).resolve().parent.parent


def apply(text: str, edits: list[Edit]) -> str:
    """``text`` with ``edits`` applied as an editor applies a workspace edit: all against the original."""
    lines = split_lines(text)
    offsets = [0]
    for line in lines:
        offsets.append(offsets[-1] + len(line))

    def offset(position: tuple[int, int]) -> int:
        line, column = position
        return offsets[line] + column if line < len(lines) else len(text)

    result = text
    for edit in sorted(edits, key=lambda e: (e.start, e.end), reverse=True):
        result = result[: offset(edit.start)] + edit.text + result[offset(edit.end):]
    return result


class ServerError(Exception):
    def __init__(self, error: dict[str, Any]) -> None:
        super().__init__(error.get("message"))
        self.error = error


class Client:
    def __init__(self, cwd: Path | None = None, command: list[str] | None = None) -> None:
        self.process = subprocess.Popen(
            command or [sys.executable, "-m", "flask_token_lint", "server"],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=cwd or ROOT,
        )
        self.next_id = 0
        self.answers: dict[int, dict[str, Any]] = {}
        self.notifications: queue.Queue[dict[str, Any]] = queue.Queue()
        self.seen: list[dict[str, Any]] = []
        self.lock = threading.Condition()
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    # -- wire ----------------------------------------------------------------------------------
    def send_raw(self, body: bytes) -> None:
        assert self.process.stdin is not None
        self.process.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
        self.process.stdin.flush()

    def _send(self, message: dict[str, Any]) -> None:
        self.send_raw(json.dumps({"jsonrpc": "2.0", **message}).encode("utf-8"))

    def _read(self) -> None:
        stream = self.process.stdout
        assert stream is not None
        while True:
            length = None
            while True:
                line = stream.readline()
                if not line:
                    return
                line = line.strip()
                if not line:
                    break
                name, _, value = line.decode("ascii").partition(":")
                if name.lower() == "content-length":
                    length = int(value)
            if length is None:
                continue
            message = json.loads(stream.read(length))
            with self.lock:
                if "id" in message and "method" not in message:
                    self.answers[message["id"]] = message
                    self.lock.notify_all()
                else:
                    if "id" in message:  # a request from the server (workspace/configuration, ...)
                        self._send({"id": message["id"], "result": None})
                    self.notifications.put(message)

    # -- requests and notifications ---------------------------------------------------------------
    def request(self, method: str, params: Any = None, timeout: float = 60) -> Any:
        self.next_id += 1
        ident = self.next_id
        self._send({"id": ident, "method": method, "params": params})
        return self.answer(ident, timeout)

    def answer(self, ident: int, timeout: float = 60) -> Any:
        deadline = time.monotonic() + timeout
        with self.lock:
            while ident not in self.answers:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise TimeoutError(f"no answer to request {ident}")
                self.lock.wait(left)
            message = self.answers.pop(ident)
        if "error" in message:
            raise ServerError(message["error"])
        return message.get("result")

    def notify(self, method: str, params: Any = None) -> None:
        self._send({"method": method, "params": params})

    def wait_for(self, method: str, test: Callable[[dict[str, Any]], bool] = lambda p: True,
                 timeout: float = 60) -> dict[str, Any]:
        """The params of the next notification ``method`` that passes ``test`` (others are kept in ``seen``)."""
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError(f"no {method} notification")
            try:
                message = self.notifications.get(timeout=left)
            except queue.Empty:
                continue
            self.seen.append(message)
            if message.get("method") == method and test(message.get("params") or {}):
                return message["params"]

    # -- the usual conversation --------------------------------------------------------------------
    def initialize(self, root: Path = ROOT, capabilities: dict[str, Any] | None = None) -> dict[str, Any]:
        result = self.request("initialize", {
            "processId": None, "rootUri": root.as_uri(), "capabilities": capabilities or {},
        })
        self.notify("initialized", {})
        return result

    def open(self, path: Path, text: str | None = None, version: int = 1) -> dict[str, Any]:
        """Open ``path`` (with ``text`` instead of its content) and wait for its diagnostics."""
        uri = path.resolve().as_uri()
        content = path.read_text(encoding="utf-8") if text is None else text
        self.notify("textDocument/didOpen", {"textDocument": {
            "uri": uri, "languageId": "python", "version": version, "text": content,
        }})
        return self.wait_for("textDocument/publishDiagnostics", lambda p: p["uri"] == uri)

    def shutdown(self, timeout: float = 30) -> int:
        self.request("shutdown")
        self.notify("exit")
        try:
            return self.process.wait(timeout=timeout)
        finally:
            for stream in (self.process.stdin, self.process.stdout, self.process.stderr):
                if stream is not None:
                    stream.close()

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()
