"""A real editor's client: Neovim, headless, with its built-in LSP client, talks to the server.

It opens a fixture, shows the CLI's findings as its diagnostics, and applying the server's
``source.fixAll.flask-token-lint`` action gives what ``check --fix`` writes. CI installs Debian's
``neovim`` (.ci/run); elsewhere the test is skipped when ``nvim`` is not installed.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("pygls")

from frontends import ROOT, run_main  # noqa: E402

NVIM = shutil.which("nvim")
SCRIPT = Path(__file__).resolve().parent / "nvim_client.lua"


def _readme_snippet() -> str:
    """The README's Neovim snippet: the ```lua block of its language-server section."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    (snippet,) = re.findall(r"^```lua\n(.*?)^```", readme, re.MULTILINE | re.DOTALL)
    return snippet


@pytest.mark.skipif(NVIM is None, reason="Neovim (Debian package neovim) is not installed")
@pytest.mark.parametrize("fixture", ["cookie_flags.py", "insecure_cookie_config.py"])
def test_neovim_shows_the_findings_and_applies_fix_all(tmp_path, fixture):
    path = tmp_path / "editor" / fixture
    path.parent.mkdir()
    shutil.copy(ROOT / "fixtures" / fixture, path)
    out = tmp_path / "out.json"
    init = tmp_path / "init.lua"
    init.write_text(_readme_snippet())
    setup = f"lua FTL={{file={json.dumps(str(path))}, out={json.dumps(str(out))}}}"
    # The snippet runs `flask-token-lint server`: the one installed beside this interpreter.
    env = dict(os.environ, PATH=os.pathsep.join([os.path.dirname(sys.executable), os.environ.get("PATH", "")]))
    subprocess.run([NVIM, "--headless", "-u", str(init), "-i", "NONE", "--cmd", setup, "-c", f"luafile {SCRIPT}"],
                   cwd=tmp_path, timeout=120, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    result = json.loads(out.read_text())
    assert result["waited"] is True and result["client"] == "flask-token-lint"

    code, report, err = run_main("check", "--no-cache", "--isolated", "--format", "json", str(path))
    rows = json.loads(report)
    assert rows and code == 1, err
    shown = sorted((d["line"], d["col"], d["code"]) for d in result["diagnostics"])
    assert shown == sorted((r["line"] - 1, r["column"] - 1, r["code"]) for r in rows)
    assert {d["source"] for d in result["diagnostics"]} == {"flask-token-lint"}

    copy = tmp_path / "cli" / fixture
    copy.parent.mkdir()
    shutil.copy(ROOT / "fixtures" / fixture, copy)
    run_main("check", "--no-cache", "--isolated", "--fix", str(copy))
    assert result["actions"], "the server offered no fixAll action"
    assert result["text"] == copy.read_text(encoding="utf-8")
    assert result["text"] != (ROOT / "fixtures" / fixture).read_text(encoding="utf-8")
