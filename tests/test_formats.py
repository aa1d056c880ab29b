"""``--format sarif`` and ``--format github``: schema, code-scanning fields, columns, fixes, escaping, secrets."""

from __future__ import annotations

import io
import json
import pathlib
import subprocess
import sys
from pathlib import Path

import pytest

from frontends import run_main

from flask_token_lint import __version__
from flask_token_lint.finding import Finding
from flask_token_lint.source import decode_source
from flask_token_lint.report import FileFinding, ReportOptions, render_github
from flask_token_lint.finding import FixSafety
from flask_token_lint.registry import all_rules
from flask_token_lint.sarif import RULE_DOCS_URL

ROOT = Path(__file__).resolve().parents[1]
SARIF_SCHEMA = Path(__file__).resolve().parents[2] / "shared" / "data" / "sarif-schema-2.1.0.json"

# A non-ASCII line: "é" is 2 UTF-8 bytes and 1 UTF-16 unit, "🌍" 4 bytes, 2 UTF-16 units, 1 character.
NON_ASCII = (
    "from flask import Flask, request\n"
    "\n"
    "app = Flask(__name__)\n"
    'greeting = "héllo 🌍"; app.run(debug=True)\n'
    "\n"
    "\n"
    "def view():\n"
    '    return request.headers["Authorization"].split(" ")[1]\n'
)
PREFIX = 'greeting = "héllo 🌍"; '  # what stands before app.run(debug=True) on line 4
SECRET = "s3cr3t-value"
JWT_SECRET = "jwt-s1gning-value"
SECRETS = (  # one fixable finding (FTL107), one unfixable (FTL201)
    "from flask import Flask, request\n"
    "\n"
    "app = Flask(__name__)\n"
    f'app.config["SECRET_KEY"] = "{SECRET}"\n'
    "\n"
    "\n"
    "def view():\n"
    '    return request.headers["Authorization"].split(" ")[1]\n'
)
SAME_LINE_SECRET = "second-s3cret-value"
MORE_SECRETS = SECRETS + (
    f'app.config.update(SECRET_KEY="{SECRET}", JWT_SECRET_KEY="{SAME_LINE_SECRET}")\n'
    "\n"
    "\n"
    "def issue(user_id):\n"
    "    import jwt\n"
    "\n"
    f'    return jwt.encode({{"sub": user_id, "exp": 1}}, "{JWT_SECRET}", algorithm="HS256")\n'
)
COOKIE_CONFIG = 'from flask import Flask\n\napp = Flask(__name__)\napp.config["SESSION_COOKIE_SECURE"] = False\n'
MULTILINE_DECODE = (
    "import os\n"
    "\n"
    "import jwt\n"
    "\n"
    "\n"
    "def claims(token):\n"
    "    return jwt.decode(\n"
    "        token,\n"
    '        key=os.environ["JWT_KEY"],\n'
    '        algorithms=["HS256"],\n'
    '        audience="api",\n'
    '        options={"verify_signature": False},\n'
    "    )\n"
)
ODD_NAME = "we,ird:name.py"
ODD = (
    "import jwt\n"
    "from flask import Flask\n"
    "\n"
    "app = Flask(__name__)\n"
    "app.run(debug=True)\n"
    "\n"
    "\n"
    "def claims(token, key):\n"
    '    return jwt.decode(token, key, algorithms=["HS256"], audience="api")\n'
    "\n"
    "\n"
    "def claims_unverified(token, key):\n"
    "    return jwt.decode(\n"
    '        token, key, algorithms=["HS256"], audience="api", issuer="me", options={"verify_signature": False}\n'
    "    )\n"
    "\n"
    "\n"
    "def claims_without_audience(token, key):\n"
    "    return jwt.decode(\n"
    '        token, key, algorithms=["HS256"], issuer="me"\n'
    "    )\n"
)
UNPARSABLE = "import jwt\n\ndef decode(token:\n    return jwt.decode(token, 'k')\n"


def run(*argv: str) -> tuple[int, str, str]:
    return run_main(*argv)


def sarif(*argv: str) -> dict:
    code, out, err = run("check", "--format", "sarif", *argv)
    assert code in (0, 1), err
    return json.loads(out)


def results_of(log: dict) -> list[dict]:
    (run_,) = log["runs"]
    return run_["results"]


def only(log: dict, rule_id: str) -> dict:
    (result,) = [r for r in results_of(log) if r["ruleId"] == rule_id]
    return result


def region(result: dict) -> dict:
    return result["locations"][0]["physicalLocation"]["region"]


def utf16(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


@pytest.fixture
def project(tmp_path, monkeypatch):
    """A folder of example files, made the working directory so paths are relative."""
    files = {
        "non_ascii.py": NON_ASCII,
        "secrets_app.py": SECRETS,
        "more_secrets.py": MORE_SECRETS,
        "cookie_config.py": COOKIE_CONFIG,
        "multiline_decode.py": MULTILINE_DECODE,
        ODD_NAME: ODD,
        "broken.py": UNPARSABLE,
        # a finding that crosses modules (the project index): SARIF carries its codeFlows
        "transport.py": "VERIFY_TLS = False\n",
        "client.py": "import requests\n\nfrom transport import VERIFY_TLS\n\n\n"
                     "def fetch(url):\n    return requests.get(url, verify=VERIFY_TLS, timeout=5)\n",
    }
    for name, text in files.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    return tmp_path


# --- SARIF: schema and what GitHub code scanning reads -------------------------------------------


def test_sarif_validates_against_the_sarif_2_1_0_schema(project):
    if not SARIF_SCHEMA.parent.is_dir():
        pytest.skip(f"{SARIF_SCHEMA.parent} is absent (a plain clone without the shared data folder)")
    import jsonschema

    schema = json.loads(SARIF_SCHEMA.read_text(encoding="utf-8"))
    validator_class = jsonschema.validators.validator_for(schema)
    validator_class.check_schema(schema)
    validator = validator_class(schema, format_checker=validator_class.FORMAT_CHECKER)
    log = sarif("--extend-select", "FTL106", ".")
    assert {r["ruleId"] for r in results_of(log)} >= {"FTL001", "FTL101", "FTL106", "FTL107", "FTL201", "FTL404"}
    assert any("fixes" in r for r in results_of(log))
    assert any("codeFlows" in r for r in results_of(log))
    errors = sorted(validator.iter_errors(log), key=lambda e: list(e.absolute_path))
    assert not errors, "\n".join(f"{list(e.absolute_path)}: {e.message}" for e in errors)
    # No findings: still one valid run, with the rules and an empty result list.
    (project / "clean.py").write_text("from flask import Flask\napp = Flask(__name__)\n")
    empty = sarif("clean.py")
    assert results_of(empty) == [] and not list(validator.iter_errors(empty))


def test_sarif_has_the_fields_github_code_scanning_needs(project):
    log = sarif("--extend-select", "FTL106", ".")
    assert log["version"] == "2.1.0"
    (run_,) = log["runs"]
    driver = run_["tool"]["driver"]
    assert driver["name"] == "flask-token-lint"
    assert driver["version"] == __version__
    assert driver["informationUri"].startswith("https://")
    assert run_["columnKind"] == "utf16CodeUnits"
    rules = driver["rules"]
    assert all(rule["id"] and rule["properties"]["security-severity"] for rule in rules)
    assert run_["results"]
    for result in run_["results"]:
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"]
        assert result["message"]["text"]
        assert result["level"] in ("error", "warning", "note")
        location = result["locations"][0]["physicalLocation"]
        assert location["artifactLocation"]["uri"] and location["artifactLocation"]["uriBaseId"] == "%SRCROOT%"
        assert location["region"]["startLine"] >= 1 and location["region"]["startColumn"] >= 1
        assert len(result["partialFingerprints"]["flaskTokenLint/v1"]) == 20


def test_every_rule_is_described_with_its_metadata(project):
    rules = sarif("non_ascii.py")["runs"][0]["tool"]["driver"]["rules"]
    registry = all_rules()
    assert [rule["id"] for rule in rules] == list(registry)
    levels = {"high": "error", "medium": "warning", "low": "note"}
    scores = {"high": "8.0", "medium": "5.0", "low": "3.0"}
    for descriptor, (code, rule) in zip(rules, registry.items()):
        assert descriptor["name"] == rule.symbol
        assert descriptor["shortDescription"]["text"] == rule.summary
        assert descriptor["fullDescription"]["text"] == rule.docs.what
        assert descriptor["help"]["text"] and descriptor["help"]["markdown"]
        assert descriptor["helpUri"] == f"{RULE_DOCS_URL}{code}.md"
        assert (ROOT / "docs" / "rules" / f"{code}.md").is_file()  # the page the link points to
        assert descriptor["defaultConfiguration"]["level"] == levels[rule.severity.value]
        properties = descriptor["properties"]
        github_cwe = [f"external/cwe/{c.lower()}" for c in rule.cwe]
        assert properties["tags"] == ["security", *rule.cwe, *github_cwe, rule.owasp]
        assert properties["security-severity"] == scores[rule.severity.value]
        assert properties["precision"] in ("very-high", "high", "medium", "low")
    by_id = {descriptor["id"]: descriptor for descriptor in rules}
    assert by_id["FTL101"]["properties"]["tags"] == [
        "security", "CWE-347", "external/cwe/cwe-347", "API2:2023 Broken Authentication"
    ]
    assert by_id["FTL501"]["properties"]["tags"] == [
        "security", "CWE-489", "CWE-215", "external/cwe/cwe-489", "external/cwe/cwe-215",
        "API8:2023 Security Misconfiguration",
    ]
    assert by_id["FTL106"]["defaultConfiguration"]["level"] == "note"


def test_result_levels_follow_severity(project):
    log = sarif("--extend-select", "FTL106", ODD_NAME)
    assert [(r["ruleId"], r["level"]) for r in results_of(log)] == [
        ("FTL501", "error"), ("FTL106", "note"), ("FTL101", "error"), ("FTL104", "warning")
    ]


# --- SARIF: locations -----------------------------------------------------------------------------


def test_columns_count_utf16_code_units_on_a_non_ascii_line(project):
    log = sarif("non_ascii.py")
    debug = region(only(log, "FTL501"))
    before, flag = "app.run(", "debug=True"  # the finding is on the keyword that turns debugging on
    assert utf16(PREFIX) == len(PREFIX) + 1 < len(PREFIX.encode("utf-8"))  # the three counts differ
    assert debug == {
        "startLine": 4,
        "startColumn": utf16(PREFIX + before) + 1,
        "endLine": 4,
        "endColumn": utf16(PREFIX + before + flag) + 1,
    }
    assert debug["startColumn"] == 32 and debug["endColumn"] == 42
    # An ASCII line is unchanged: column = byte offset + 1.
    assert region(only(log, "FTL201"))["startColumn"] == 12


def test_a_finding_spanning_lines_ends_on_its_last_line(project):
    (result,) = results_of(sarif("multiline_decode.py"))
    # An option written in a multi-line call is reported on its own line, where ``# noqa`` goes.
    assert region(result) == {"startLine": 12, "startColumn": 18, "endLine": 12, "endColumn": 36}
    # A call that is wrong as a whole (no audience) spans its lines.
    (tmp := pathlib.Path("spanning.py")).write_text(
        'import jwt\n\n\ndef claims(token, key):\n    return jwt.decode(\n        token,\n        key,\n'
        '        algorithms=["HS256"],\n    )\n'
    )
    (result,) = results_of(sarif(str(tmp)))
    assert result["ruleId"] == "FTL104"
    assert region(result) == {"startLine": 5, "startColumn": 12, "endLine": 9, "endColumn": 6}


def test_an_unparsable_file_is_one_result_at_the_parser_position(project):
    (result,) = results_of(sarif("broken.py"))
    assert result["ruleId"] == "FTL001" and result["level"] == "warning"
    try:  # where this Python's parser reports it (3.9 and 3.10+ differ)
        compile(UNPARSABLE, "broken.py", "exec")
    except SyntaxError as error:
        expected_line = error.lineno
    assert region(result)["startLine"] == expected_line and "endLine" not in region(result)
    assert "fixes" not in result


def test_paths_are_relative_uris_with_forward_slashes(project, monkeypatch):
    (project / "pkg").mkdir()
    (project / "pkg" / "a b.py").write_text(COOKIE_CONFIG)
    relative = only(sarif("./pkg"), "FTL404")["locations"][0]["physicalLocation"]["artifactLocation"]
    assert relative == {"uri": "pkg/a%20b.py", "uriBaseId": "%SRCROOT%"}
    odd = results_of(sarif(ODD_NAME))[0]["locations"][0]["physicalLocation"]["artifactLocation"]
    assert odd == {"uri": "we%2Cird%3Aname.py", "uriBaseId": "%SRCROOT%"}  # no "we,ird:" scheme
    # An absolute path under the working directory is reported relative to it, with the same fingerprint.
    absolute = only(sarif(str(project / "pkg")), "FTL404")
    assert absolute["locations"][0]["physicalLocation"]["artifactLocation"] == relative
    assert absolute["partialFingerprints"] == only(sarif("pkg"), "FTL404")["partialFingerprints"]
    # Outside the working directory: an absolute file URI.
    monkeypatch.chdir(project / "pkg")
    outside = only(sarif(str(project / "cookie_config.py")), "FTL404")
    location = outside["locations"][0]["physicalLocation"]["artifactLocation"]
    assert location == {"uri": (project / "cookie_config.py").as_uri()}


def test_fingerprints_stay_when_lines_are_inserted_above(project):
    before = {r["ruleId"]: r for r in results_of(sarif("secrets_app.py"))}
    path = project / "secrets_app.py"
    path.write_text('"""A docstring."""\n# a comment\n\n' + SECRETS, encoding="utf-8")
    after = {r["ruleId"]: r for r in results_of(sarif("secrets_app.py"))}
    assert set(before) == set(after) == {"FTL107", "FTL201"}
    for rule_id in before:
        assert region(after[rule_id])["startLine"] == region(before[rule_id])["startLine"] + 3
        assert after[rule_id]["partialFingerprints"] == before[rule_id]["partialFingerprints"]
    # Editing the flagged line changes its fingerprint.
    path.write_text(SECRETS.replace('["Authorization"].split(" ")[1]', '["Authorization"].split()[1]'))
    edited = {r["ruleId"]: r for r in results_of(sarif("secrets_app.py"))}
    assert edited["FTL201"]["partialFingerprints"] != before["FTL201"]["partialFingerprints"]


def test_equal_findings_get_distinct_fingerprints(project):
    (project / "twice.py").write_text(COOKIE_CONFIG + 'app.config["SESSION_COOKIE_SECURE"] = False\n')
    prints = [r["partialFingerprints"]["flaskTokenLint/v1"] for r in results_of(sarif("twice.py"))]
    assert len(prints) == 2 and len(set(prints)) == 2


# --- SARIF: fixes ---------------------------------------------------------------------------------


def _offset(lines: list[str], line: int, column: int) -> int:
    """Character offset of a SARIF (line, UTF-16 column) position, both 1-based."""
    assert 1 <= line <= len(lines) + 1
    offset = sum(len(text) for text in lines[: line - 1])
    text = lines[line - 1] if line <= len(lines) else ""
    units = 0
    for char in text:
        if units == column - 1:
            break
        units += utf16(char)
        offset += 1
    assert units == column - 1, f"column {column} is not on a character boundary of line {line}"
    return offset


def apply_fix(text: str, fix: dict) -> str:
    """Apply a SARIF fix's replacements, all expressed against the original text, to ``text``."""
    lines = io.StringIO(text, newline="").readlines()
    (change,) = fix["artifactChanges"]
    edits = []
    for replacement in change["replacements"]:
        deleted = replacement["deletedRegion"]
        start = _offset(lines, deleted["startLine"], deleted["startColumn"])
        end = _offset(lines, deleted["endLine"], deleted["endColumn"])
        assert start <= end
        edits.append((start, end, replacement["insertedContent"]["text"]))
    edits.sort()
    assert all(a[1] <= b[0] for a, b in zip(edits, edits[1:])), "replacements overlap"
    for start, end, inserted in reversed(edits):
        text = text[:start] + inserted + text[end:]
    return text


FIXABLE = [
    # (file, the fixable finding, the --fix options that apply it, the safety its description names)
    ("secrets_app.py", "FTL107", ("--unsafe-fixes",), "Unsafe"),
    ("non_ascii.py", "FTL501", ("--unsafe-fixes",), "Unsafe"),
    ("cookie_config.py", "FTL404", (), "Safe"),
    ("multiline_decode.py", "FTL101", ("--unsafe-fixes",), "Unsafe"),  # deletes a whole line
]


@pytest.mark.parametrize("newline", ["\n", "\r\n"], ids=["lf", "crlf"])
@pytest.mark.parametrize("name, code, options, safety", FIXABLE, ids=[f[1] for f in FIXABLE])
def test_applying_the_sarif_fix_gives_what_check_fix_writes(project, name, code, options, safety, newline):
    path = project / name
    path.write_bytes(path.read_bytes().replace(b"\n", newline.encode()))
    original = path.read_bytes()
    result = only(sarif(name), code)
    (fix,) = result["fixes"]
    assert fix["description"]["text"].startswith(f"{safety} fix")
    assert fix["artifactChanges"][0]["artifactLocation"] == result["locations"][0]["physicalLocation"][
        "artifactLocation"
    ]
    fixed_by_sarif = apply_fix(decode_source(original), fix)

    copy = project / "copy" / name
    copy.parent.mkdir(exist_ok=True)
    copy.write_bytes(original)
    code_, _, err = run("check", "--fix", *options, str(copy))
    assert code_ in (0, 1), err
    assert copy.read_bytes() != original
    assert fixed_by_sarif == decode_source(copy.read_bytes())
    assert path.read_bytes() == original  # --format sarif writes nothing


def test_only_fixable_findings_carry_fixes(project):
    log = sarif("--extend-select", "FTL106", ".")
    registry = all_rules()
    for result in results_of(log):
        fixable = any(s is not FixSafety.NONE for s in registry[result["ruleId"]].fixes)
        if not fixable:
            assert "fixes" not in result, result["ruleId"]
    assert "fixes" not in only(sarif("secrets_app.py"), "FTL201")
    assert "fixes" in only(sarif("secrets_app.py"), "FTL107")


def test_a_fix_inserts_only_the_text_it_wrote(project):
    """The rest of a fixed line stays where it is, referenced by position: a second secret on it,
    or a token in a header beside the URL the fix changes, is never copied into the output."""
    (project / "two.py").write_text(
        "from flask import Flask\n"
        "\n"
        "app = Flask(__name__)\n"
        f'app.config.update(SECRET_KEY="{SECRET}", JWT_SECRET_KEY="{SAME_LINE_SECRET}")\n'
    )
    (fix,) = only(sarif("two.py"), "FTL107")["fixes"]
    import_os, literal = fix["artifactChanges"][0]["replacements"]
    assert import_os == {
        "deletedRegion": {"startLine": 2, "startColumn": 1, "endLine": 2, "endColumn": 1},
        "insertedContent": {"text": "import os\n"},
    }
    start = len('app.config.update(SECRET_KEY=') + 1
    assert literal == {
        "deletedRegion": {"startLine": 4, "startColumn": start, "endLine": 4, "endColumn": start + len(SECRET) + 2},
        "insertedContent": {"text": 'os.environ["SECRET_KEY"]'},
    }
    (project / "client.py").write_text(
        "import requests\n"
        "\n"
        "\n"
        "def me():\n"
        '    return requests.get("http://api.example.com/me", headers={"Authorization": "Bearer tok3n-abc"})\n'
    )
    code, out, _ = run("check", "--format", "sarif", "client.py")
    (fix,) = only(json.loads(out), "FTL503")["fixes"]
    column = len('    return requests.get("http') + 1
    assert fix["artifactChanges"][0]["replacements"] == [
        {
            "deletedRegion": {"startLine": 5, "startColumn": column, "endLine": 5, "endColumn": column},
            "insertedContent": {"text": "s"},
        }
    ]
    assert "tok3n-abc" not in out


# --- secrets never reach the output ---------------------------------------------------------------


@pytest.mark.parametrize("output_format", ["sarif", "github", "json", "text"])
def test_no_secret_literal_from_the_code_is_in_the_output(project, output_format):
    code, out, err = run("check", "--format", output_format, "more_secrets.py")
    assert code == 1, err
    assert out.count("FTL107") >= 2 if output_format != "sarif" else "FTL107" in out
    for secret in (SECRET, JWT_SECRET, SAME_LINE_SECRET):
        assert secret not in out and secret not in err
        assert secret not in json.dumps(out, ensure_ascii=False)
    if output_format == "sarif":
        fixes = [r for r in results_of(json.loads(out)) if r["ruleId"] == "FTL107"]
        # Fixed text only: not the old lines, nor a second secret kept on a fixed line.
        assert len(fixes) == 3 and all("fixes" in r for r in fixes)
        assert "snippet" not in out and "contextRegion" not in out


# --- github ---------------------------------------------------------------------------------------


def test_github_lines_are_workflow_commands(project):
    code, out, err = run("check", "--format", "github", "--extend-select", "FTL106", ODD_NAME)
    assert code == 1 and err == ""
    path = "we%2Cird%3Aname.py"
    assert out.splitlines() == [
        f"::error file={path},line=5,endLine=5,col=9,endColumn=19,title=FTL501::"
        "Flask debug mode is enabled (debug=True)",
        f"::warning file={path},line=9,endLine=9,col=12,endColumn=72,title=FTL106::"
        "jwt.decode verifies the token without checking its issuer",
        # Spanning lines: GitHub takes columns only on one-line annotations.
        f"::error file={path},line=14,endLine=14,col=81,endColumn=99,title=FTL101::"
        "jwt.decode reads token claims without verifying the signature (verify_signature is off)",
        f"::error file={path},line=19,endLine=21,title=FTL104::"
        "jwt.decode verifies the token without checking its audience",
    ]
    assert out.endswith("\n")


def test_github_columns_count_characters(project):
    _, out, _ = run("check", "--format", "github", "non_ascii.py")
    assert out.splitlines()[0] == (
        f"::error file=non_ascii.py,line=4,endLine=4,col={len(PREFIX + 'app.run(') + 1},"
        f"endColumn={len(PREFIX + 'app.run(debug=True') + 1},title=FTL501::Flask debug mode is enabled (debug=True)"
    )
    assert len(PREFIX) + 1 == 23


def test_github_escapes_messages_and_properties():
    finding = Finding(2, 0, "FTL501", "50% sure\r\nnext: a,b", 2, 3)
    out = render_github([FileFinding("dir/a:b,c%d.py", finding, "abc\n")], ReportOptions())
    assert out == (
        "::error file=dir/a%3Ab%2Cc%25d.py,line=2,endLine=2,col=1,endColumn=4,title=FTL501::50%25 sure%0D%0Anext: a,b\n"
    )
    unparsable = Finding(1, 0, "FTL001", "File could not be checked: x")
    assert render_github([FileFinding("x.py", unparsable)], ReportOptions()) == (
        "::error file=x.py,line=1,col=1,title=FTL001::File could not be checked: x\n"
    )
    assert render_github([], ReportOptions()) == ""


def test_github_and_sarif_without_fixable_findings_do_not_import_libcst(project):
    program = (
        "import io, sys\n"
        "from flask_token_lint import cli\n"
        "for output_format in ('github', 'sarif'):\n"
        "    cli.main(['check', '--format', output_format, 'broken.py'], stdout=io.StringIO())\n"
        "print('libcst' in sys.modules)\n"
    )
    done = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True, cwd=project)
    assert done.stdout == "False\n", done.stderr
