"""Output niceties and baselines of the CLI."""

from __future__ import annotations

import io
import json

from frontends import run_main


APP = (
    "from flask import Flask\n"
    "app = Flask(__name__)\n"
    "def view(resp, token):\n"
    "    resp.set_cookie('session', token, secure=True, httponly=True, samesite='Lax')\n"
    "    x = '\u00e9\u00e9'; resp.set_cookie('sid', token, secure=True, httponly=True)\n"
    "app.run(debug=True)\n"
)


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def run(*argv: str, out: io.StringIO | None = None) -> tuple[int, str, str]:
    return run_main("check", "--isolated", *argv, out=out)


def test_show_source_puts_a_caret_under_the_column(tmp_path):
    path = tmp_path / "app.py"
    path.write_text(APP)
    _, out, _ = run("--show-source", "--select", "FTL403", str(path))
    assert out.splitlines()[:3] == [
        # flake8-style columns count UTF-8 bytes (17); the caret stands under the character (the 15th).
        f"{path}:5:17: FTL403 [*] Cookie 'sid' is set without a SameSite policy",
        "        x = '\u00e9\u00e9'; resp.set_cookie('sid', token, secure=True, httponly=True)",
        "    " + " " * 14 + "^",
    ]


def test_statistics_count_findings_per_code(tmp_path):
    path = tmp_path / "app.py"
    path.write_text(APP)
    _, out, _ = run("--statistics", str(path))
    assert out.splitlines()[-3:] == [
        "1     FTL403 cookie-missing-samesite",
        "1     FTL501 flask-debug-enabled",
        "1 file checked: 2 findings, 0 fixed, 2 remaining (1 fixable with --fix, 1 more with --unsafe-fixes)",
    ]


def test_quiet_drops_the_summary(tmp_path):
    path = tmp_path / "app.py"
    path.write_text(APP)
    code, out, _ = run("--quiet", str(path))
    assert code == 1 and len(out.splitlines()) == 2


def test_output_file_receives_the_report(tmp_path):
    path = tmp_path / "app.py"
    path.write_text(APP)
    report = tmp_path / "report.json"
    code, out, _ = run("--format", "json", "--output-file", str(report), str(path))
    assert code == 1 and out == ""
    assert [row["code"] for row in json.loads(report.read_text())] == ["FTL403", "FTL501"]


def test_colour_only_on_a_terminal_and_never_with_no_color(tmp_path, monkeypatch):
    path = tmp_path / "app.py"
    path.write_text(APP)
    monkeypatch.delenv("NO_COLOR", raising=False)
    assert "\033[" in run(str(path), out=Terminal())[1]
    assert "\033[" not in run(str(path))[1]
    assert "\033[" not in run("--format", "json", str(path), out=Terminal())[1]
    monkeypatch.setenv("NO_COLOR", "1")
    assert "\033[" not in run(str(path), out=Terminal())[1]


def test_a_baseline_hides_known_findings_even_when_lines_move(tmp_path):
    path = tmp_path / "app.py"
    path.write_text(APP)
    baseline = tmp_path / "baseline.json"
    code, out, err = run("--write-baseline", str(baseline), str(path))
    assert code == 0 and out == "" and "recorded 2 findings" in err
    assert run("--baseline", str(baseline), str(path)) == (0, "", "All checks passed (1 file)\n")
    path.write_text("# a new first line\nimport os\n" + APP)
    assert run("--baseline", str(baseline), str(path)) == (0, "", "All checks passed (1 file)\n")
    path.write_text(APP.replace("app.run(debug=True)", "app.run(debug=True, port=5000)") + "app.debug = True\n")
    code, out, _ = run("--baseline", str(baseline), "--format", "json", str(path))
    assert code == 1
    assert [(row["line"], row["code"]) for row in json.loads(out)] == [(6, "FTL501"), (7, "FTL501")]


def test_a_baseline_counts_identical_findings(tmp_path):
    path = tmp_path / "app.py"
    path.write_text(APP + "app.run(debug=True)\n")
    baseline = tmp_path / "baseline.json"
    run("--write-baseline", str(baseline), str(path))
    path.write_text(APP + "app.run(debug=True)\napp.run(debug=True)\n")
    code, out, _ = run("--baseline", str(baseline), "--format", "json", str(path))
    assert [(row["line"], row["code"]) for row in json.loads(out)] == [(8, "FTL501")]


def test_a_missing_or_broken_baseline_is_a_clear_error(tmp_path):
    path = tmp_path / "app.py"
    path.write_text(APP)
    code, _, err = run("--baseline", str(tmp_path / "nope.json"), str(path))
    assert code == 2 and "cannot read the baseline" in err
    (tmp_path / "bad.json").write_text("{}")
    code, _, err = run("--baseline", str(tmp_path / "bad.json"), str(path))
    assert code == 2 and "not a flask-token-lint baseline" in err
