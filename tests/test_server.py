"""The language server over a real stdio connection: the CLI's findings as diagnostics, fixes and
``# noqa`` as edits that give what ``check --fix`` writes, hovers, configuration reloads, bad
requests, a crashing rule, and a clean shutdown. One server serves the fixture tests."""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

import pytest

pytest.importorskip("pygls")

from conftest import FIXTURE_FILES  # noqa: E402
from frontends import ROOT, run_main  # noqa: E402
from lsp_client import Client, ServerError, apply  # noqa: E402

from flask_token_lint.lsp import Edit  # noqa: E402

FIX_ALL = "source.fixAll.flask-token-lint"


@pytest.fixture(scope="module")
def server():
    client = Client()
    client.initialize()
    try:
        yield client
    finally:
        client.kill()


@pytest.fixture(scope="module")
def published(server):
    """Every fixture opened once: {path: diagnostics}."""
    return {path: server.open(path)["diagnostics"] for path in FIXTURE_FILES}


def _cli(*argv: str) -> list[dict]:
    code, out, err = run_main("check", "--no-cache", "--format", "json", *argv)
    assert code in (0, 1), err
    return json.loads(out)


def _edits(action: dict) -> tuple[str, list[Edit]]:
    (change,) = action["edit"]["documentChanges"]
    edits = [Edit((e["range"]["start"]["line"], e["range"]["start"]["character"]),
                  (e["range"]["end"]["line"], e["range"]["end"]["character"]), e["newText"]) for e in change["edits"]]
    return change["textDocument"]["uri"], edits


def _actions(server: Client, path: Path, start: dict, end: dict, only: list[str] | None = None) -> list[dict]:
    context: dict = {"diagnostics": []}
    if only is not None:
        context["only"] = only
    return server.request("textDocument/codeAction", {
        "textDocument": {"uri": path.resolve().as_uri()}, "range": {"start": start, "end": end}, "context": context,
    })


def test_the_diagnostics_are_the_cli_findings(published):
    rows = _cli(*(str(p) for p in FIXTURE_FILES))
    expected: dict[Path, set] = {path: set() for path in FIXTURE_FILES}
    for row in rows:
        expected[(ROOT / row["path"]).resolve() if not Path(row["path"]).is_absolute() else Path(row["path"])].add(
            (row["line"] - 1, row["column"] - 1, row["end_line"] - 1 if row["end_line"] else None, row["code"]))
    assert sum(len(v) for v in expected.values()) > 500
    for path, diagnostics in published.items():
        got = {(d["range"]["start"]["line"], d["range"]["start"]["character"], d["range"]["end"]["line"], d["code"])
               for d in diagnostics}
        want = {(line, col, end if end is not None else line, code) for line, col, end, code in expected[path.resolve()]}
        assert got == want, path.name


def test_diagnostics_carry_code_link_severity_and_source(published):
    diagnostics = published[ROOT / "fixtures" / "demo_app" / "app.py"]
    assert diagnostics
    for diagnostic in diagnostics:
        assert diagnostic["source"] == "flask-token-lint"
        assert diagnostic["codeDescription"]["href"].endswith(f"docs/rules/{diagnostic['code']}.md")
        assert diagnostic["severity"] in (1, 2, 3)
        start, end = (diagnostic["range"][k] for k in ("start", "end"))
        assert (end["line"], end["character"]) > (start["line"], start["character"])


def test_fix_all_writes_what_check_fix_writes(server, published, tmp_path):
    fixable = [p for p, diagnostics in published.items() if any(d["data"]["fix"] == "safe" for d in diagnostics)]
    assert len(fixable) >= 5
    copies = {}
    for index, path in enumerate(fixable):
        copy = tmp_path / f"{index}" / path.name
        copy.parent.mkdir()
        shutil.copy(path, copy)
        copies[path] = copy
    run_main("check", "--no-cache", "--isolated", "--fix", *(str(c) for c in copies.values()))
    for path, copy in copies.items():
        text = path.read_text(encoding="utf-8")
        end = {"line": len(text.splitlines()) + 1, "character": 0}
        actions = _actions(server, path, {"line": 0, "character": 0}, end, only=[FIX_ALL])
        (fix_all,) = [a for a in actions if a["kind"] == FIX_ALL]
        _, edits = _edits(fix_all)
        assert apply(text, edits) == copy.read_text(encoding="utf-8"), path.name


def test_each_quick_fix_applies_that_fix_alone(server, published, tmp_path):
    checked = 0
    for path, diagnostics in published.items():
        fixable = [d for d in diagnostics if d["data"]["fix"] in ("safe", "unsafe")]
        if len(fixable) != 1:
            continue  # with one fixable finding, --fix --unsafe-fixes applies exactly that fix
        (diagnostic,) = fixable
        actions = _actions(server, path, diagnostic["range"]["start"], diagnostic["range"]["end"], only=["quickfix"])
        fixes = [a for a in actions if a["title"].startswith(f"Fix {diagnostic['code']}")]
        assert len(fixes) == 1, path.name
        (fix,) = fixes
        assert fix["title"].endswith("(unsafe)") == (diagnostic["data"]["fix"] == "unsafe")
        assert fix.get("isPreferred", False) == (diagnostic["data"]["fix"] == "safe")
        parts = path.relative_to(ROOT / "fixtures").parts
        if parts[0] == "projects":  # a file of a project: its findings need the other modules
            project = tmp_path / f"{parts[1]}-{checked}"
            shutil.copytree(ROOT / "fixtures" / "projects" / parts[1], project)
            copy = project.joinpath(*parts[2:])
        else:
            copy = tmp_path / path.name
            shutil.copy(path, copy)
        run_main("check", "--no-cache", "--isolated", "--fix", "--unsafe-fixes", str(copy))
        _, edits = _edits(fix)
        assert apply(path.read_text(encoding="utf-8"), edits) == copy.read_text(encoding="utf-8"), path.name
        checked += 1
    assert checked >= 3


def test_ignore_on_this_line_silences_only_that_finding(server, tmp_path):
    path = tmp_path / "views.py"
    text = (
        "import requests\n"
        "from flask import Flask\n"
        "app = Flask(__name__)\n"
        "requests.get('https://api.example.com', verify=False)  # noqa: E501\n"
        "app.run(debug=True)\n"
    )
    diagnostics = server.open(path, text)["diagnostics"]
    assert sorted(d["code"] for d in diagnostics) == ["FTL501", "FTL502"]
    (tls,) = [d for d in diagnostics if d["code"] == "FTL502"]
    actions = _actions(server, path, tls["range"]["start"], tls["range"]["end"])
    (ignore,) = [a for a in actions if a["title"] == "Ignore FTL502 on this line"]
    uri, edits = _edits(ignore)
    changed = apply(text, edits)
    assert changed.splitlines()[3].endswith("# noqa: E501,FTL502")
    server.notify("textDocument/didChange", {
        "textDocument": {"uri": uri, "version": 2}, "contentChanges": [{"text": changed}],
    })
    after = server.wait_for("textDocument/publishDiagnostics", lambda p: p["uri"] == uri and p.get("version") == 2)
    assert [d["code"] for d in after["diagnostics"]] == ["FTL501"]
    # A new comment where the line has none.
    (debug,) = after["diagnostics"]
    (ignore,) = [a for a in _actions(server, path, debug["range"]["start"], debug["range"]["end"])
                 if a["title"] == "Ignore FTL501 on this line"]
    assert apply(changed, _edits(ignore)[1]).splitlines()[4] == "app.run(debug=True)  # noqa: FTL501"


def test_unsaved_text_is_checked_not_the_file(server, tmp_path):
    path = tmp_path / "app.py"
    path.write_text("x = 1\n")
    buffer = "from flask import Flask\napp = Flask(__name__)\napp.run(debug=True)\n"
    assert [d["code"] for d in server.open(path, buffer)["diagnostics"]] == ["FTL501"]
    missing = tmp_path / "not_saved_yet.py"
    assert [d["code"] for d in server.open(missing, buffer)["diagnostics"]] == ["FTL501"]


def test_a_file_that_does_not_parse_gets_ftl001_only(server, tmp_path):
    text = "import jwt\njwt.decode(token, options={'verify_signature': False})\ndef broken(:\n"
    diagnostics = server.open(tmp_path / "broken.py", text)["diagnostics"]
    assert [(d["code"], d["range"]["start"]["line"]) for d in diagnostics] == [("FTL001", 2)]


def test_hover_explains_the_rule(server, published):
    path = ROOT / "fixtures" / "demo_app" / "app.py"
    diagnostic = published[path][0]
    hover = server.request("textDocument/hover", {
        "textDocument": {"uri": path.resolve().as_uri()}, "position": diagnostic["range"]["start"],
    })
    value = hover["contents"]["value"]
    assert diagnostic["code"] in value and "Why it matters" in value and "**Fix.**" in value
    nothing = server.request("textDocument/hover", {
        "textDocument": {"uri": path.resolve().as_uri()}, "position": {"line": 0, "character": 0},
    })
    assert nothing is None


def test_configuration_is_read_again_when_it_changes(tmp_path):
    project = tmp_path / "project"
    project.mkdir()
    config = project / "pyproject.toml"
    config.write_text('[tool.flask-token-lint]\nextend-ignore = ["FTL501"]\n')
    path = project / "app.py"
    path.write_text("from flask import Flask\napp = Flask(__name__)\napp.run(debug=True)\n")
    client = Client(cwd=project)
    try:
        client.initialize(root=project)
        assert client.open(path)["diagnostics"] == []
        config.write_text("[tool.flask-token-lint]\n")
        client.notify("workspace/didChangeWatchedFiles", {"changes": [{"uri": config.as_uri(), "type": 2}]})
        again = client.wait_for("textDocument/publishDiagnostics", lambda p: p["uri"] == path.as_uri())
        assert [d["code"] for d in again["diagnostics"]] == ["FTL501"]
        config.write_text('[tool.flask-token-lint]\nignore = ["FTL5"]\n')
        client.notify("workspace/didChangeConfiguration", {"settings": {}})
        third = client.wait_for("textDocument/publishDiagnostics", lambda p: p["uri"] == path.as_uri())
        assert third["diagnostics"] == []
        assert client.shutdown() == 0
    finally:
        client.kill()


def test_per_file_ignores_and_test_code_apply_as_in_the_cli(tmp_path):
    project = tmp_path / "project"
    (project / "legacy").mkdir(parents=True)
    (project / "tests").mkdir()
    (project / "pyproject.toml").write_text('[tool.flask-token-lint.per-file-ignores]\n"legacy/*" = ["FTL5"]\n')
    text = "import requests\nrequests.get('https://x', verify=False)\n"
    paths = [project / "app.py", project / "legacy" / "old.py", project / "tests" / "test_app.py"]
    for path in paths:
        path.write_text(text)
    cli = {Path(row["path"]).name for row in _cli("--config", str(project / "pyproject.toml"), *map(str, paths))}
    assert cli == {"app.py"}
    client = Client(cwd=project)
    try:
        client.initialize(root=project)
        shown = {path.name for path in paths if client.open(path)["diagnostics"]}
        assert shown == cli
        assert client.shutdown() == 0
    finally:
        client.kill()


def test_bad_requests_are_answered_and_the_server_goes_on(server, tmp_path):
    unknown = (tmp_path / "never_opened.py").as_uri()
    with pytest.raises(ServerError):
        server.request("textDocument/hover", {"textDocument": {"uri": unknown}, "position": {"line": 0, "character": 0}})
    with pytest.raises(ServerError):
        server.request("textDocument/codeAction", {"textDocument": {"uri": unknown}})  # no range, no context
    with pytest.raises(ServerError):
        server.request("flask-token-lint/no-such-method", {})
    server.send_raw(b"{this is not json")
    # Still answering:
    path = tmp_path / "after.py"
    assert [d["code"] for d in server.open(path, "import requests\nrequests.get('https://x', verify=False)\n")
            ["diagnostics"]] == ["FTL502"]


def test_a_crash_inside_a_rule_is_logged_and_the_server_goes_on(tmp_path):
    boom = (
        "from flask_token_lint.rules import flask_debug_enabled as m\n"
        "def check(self, node, ctx):\n"
        "    raise RuntimeError('rule exploded')\n"
        "    yield\n"
        "m.FlaskDebugEnabled.check = check\n"
        "from flask_token_lint import server\n"
        "server.run()\n"
    )
    client = Client(command=[sys.executable, "-c", boom])
    try:
        client.initialize()
        uri = (tmp_path / "app.py").as_uri()
        client.notify("textDocument/didOpen", {"textDocument": {
            "uri": uri, "languageId": "python", "version": 1,
            "text": "from flask import Flask\napp = Flask(__name__)\napp.run(debug=True)\n"}})
        logged = client.wait_for("window/logMessage")
        assert "internal error" in logged["message"] and "rule exploded" in logged["message"]
        other = tmp_path / "other.py"
        assert [d["code"] for d in client.open(other, "import requests\nrequests.get('https://x', verify=False)\n")
                ["diagnostics"]] == ["FTL502"]
        assert client.shutdown() == 0
    finally:
        client.kill()


def test_shutdown_and_exit_are_clean():
    client = Client()
    try:
        client.initialize()
        assert client.shutdown() == 0
    finally:
        client.kill()


def _change(server: Client, path: Path, version: int, lines: list[str], at: int, remove: int, new: list[str]) -> None:
    """Replace ``remove`` lines from line ``at`` with ``new`` (an incremental change) in ``lines`` and the server."""
    old_end = at + remove
    change = {"range": {"start": {"line": at, "character": 0}, "end": {"line": old_end, "character": 0}},
              "text": "".join(new)}
    lines[at:old_end] = new
    server.notify("textDocument/didChange", {"textDocument": {"uri": path.resolve().as_uri(), "version": version},
                                             "contentChanges": [change]})


def _codes_at(diagnostics: list[dict]) -> list[tuple[int, int, str]]:
    return sorted((d["range"]["start"]["line"], d["range"]["start"]["character"], d["code"]) for d in diagnostics)


def test_edits_give_the_cli_findings_of_the_edited_text(server, tmp_path):
    """Each edit re-parses only the statements it touched: the diagnostics after it are still the
    CLI's findings for the whole edited text (moved lines, a new view, a syntax error and its repair)."""
    path = tmp_path / "app.py"
    lines = (ROOT / "fixtures" / "demo_app" / "app.py").read_text(encoding="utf-8").splitlines(keepends=True)
    server.open(path, "".join(lines))
    view = ["\n", "\n", "@app.route('/added')\n", "def added():\n",
            "    return jwt.decode(request.args['t'], options={'verify_signature': False})\n"]
    steps = [(5, 0, view), (3, 1, []), (9, 0, ["def broken(:\n"]), (9, 1, []), (len(lines) - 2, 0, ["x = (\n", ")\n"])]
    for version, (at, remove, new) in enumerate(steps, start=2):
        _change(server, path, version, lines, min(at, len(lines)), remove, new)
        published = server.wait_for("textDocument/publishDiagnostics",
                                    lambda p, v=version: p["uri"] == path.resolve().as_uri() and p.get("version") == v)
        path.write_text("".join(lines), encoding="utf-8")
        expected = sorted((r["line"] - 1, r["column"] - 1, r["code"]) for r in _cli("--isolated", str(path)))
        assert _codes_at(published["diagnostics"]) == expected, version
        assert expected, version


def test_a_burst_of_changes_is_checked_once_after_its_last_change(server, tmp_path):
    path = tmp_path / "typed.py"
    text = "from flask import Flask\napp = Flask(__name__)\n"
    server.open(path, text)
    uri = path.resolve().as_uri()
    typed = "app.run(debug=True)\n"
    before = len(server.seen)
    for version, character in enumerate(typed, start=2):  # one keystroke per change, sent together
        server.notify("textDocument/didChange", {"textDocument": {"uri": uri, "version": version}, "contentChanges": [
            {"range": {"start": {"line": 2, "character": version - 2}, "end": {"line": 2, "character": version - 2}},
             "text": character}]})
    last = len(typed) + 1
    final = server.wait_for("textDocument/publishDiagnostics", lambda p: p["uri"] == uri and p.get("version") == last)
    assert [d["code"] for d in final["diagnostics"]] == ["FTL501"]
    checks = [m for m in server.seen[before:]
              if m.get("method") == "textDocument/publishDiagnostics" and m["params"]["uri"] == uri]
    assert len(checks) <= 3 < len(typed)  # the first change alone, maybe one mid-burst, the last


def test_a_changed_project_module_is_read_again_for_the_files_importing_it(server, tmp_path):
    """The project index: views.py's finding comes from settings.py; when settings.py changes on
    disk (a save in the editor, or a watched-file event), views.py is checked again."""
    project = tmp_path / "project"
    shutil.copytree(ROOT / "fixtures" / "projects" / "factory_app", project)
    (project / "pyproject.toml").write_text("")
    views = project / "shop" / "api" / "views.py"
    settings = project / "shop" / "settings.py"
    before = server.open(views)["diagnostics"]
    tls = [d for d in before if d["code"] == "FTL502"]
    assert [d["range"]["start"]["line"] for d in tls] == [33]
    (related,) = tls[0]["relatedInformation"]  # where the value comes from, in the other module
    assert related["location"]["uri"] == settings.resolve().as_uri() and related["location"]["range"]["start"]["line"] == 6
    assert related["message"] == "VERIFY_TLS = False"
    settings.write_text(settings.read_text().replace("VERIFY_TLS = False", "VERIFY_TLS = True"))
    server.notify("workspace/didChangeWatchedFiles", {"changes": [{"uri": settings.resolve().as_uri(), "type": 2}]})
    after = server.wait_for("textDocument/publishDiagnostics", lambda p: p["uri"] == views.resolve().as_uri())
    assert [d["code"] for d in after["diagnostics"] if d["code"] == "FTL502"] == []
    assert len(after["diagnostics"]) == len(before) - 1
