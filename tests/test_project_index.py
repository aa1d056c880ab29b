"""The project index through the CLI: findings that need another module, how they are explained
(text, JSON, SARIF), where modules are found, what stays unknown, and the cache that must notice a
changed module. The fixture projects themselves run through every front-end in test_fixtures."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from frontends import ROOT, run_main

FACTORY = ROOT / "fixtures" / "projects" / "factory_app"


def run(*argv: str, cwd: Path | None = None) -> tuple[int, str, str]:
    if cwd is None:
        return run_main(*argv)
    here = os.getcwd()
    os.chdir(cwd)
    try:
        return run_main(*argv)
    finally:
        os.chdir(here)


def codes(out: str) -> list[tuple[str, int, str]]:
    return sorted((r["path"].removeprefix("./"), r["line"], r["code"]) for r in json.loads(out))


@pytest.fixture
def factory(tmp_path):
    project = tmp_path / "factory"
    shutil.copytree(FACTORY, project)
    (project / "pyproject.toml").write_text("")
    for fixed in project.rglob("*.fixed.py"):
        fixed.unlink()
    return project


def test_findings_that_need_another_module_and_none_without_the_index(factory):
    code, out, _ = run("check", "--no-cache", "--format", "json", ".", cwd=factory)
    assert code == 1
    found = codes(out)
    assert ("shop/api/views.py", 34, "FTL502") in found and ("shop/__init__.py", 13, "FTL405") in found
    code, alone, _ = run("check", "--no-cache", "--no-project", "--format", "json", ".", cwd=factory)
    # alone: the run.py app by its factory's name, and a cut the imported require_bearer() checks
    assert codes(alone) == [("run.py", 6, "FTL501"), ("shop/api/admin.py", 25, "FTL201"),
                            ("shop/api/admin.py", 33, "FTL201")]
    assert ("shop/api/admin.py", 25, "FTL201") not in found and ("shop/api/admin.py", 33, "FTL201") in found


def test_explain_flow_shows_the_modules_and_lines_that_led_to_a_finding(factory):
    _, out, _ = run("check", "--no-cache", "--explain-flow", "--select", "FTL302,FTL502", "shop/api/views.py",
                    cwd=factory)
    assert out.splitlines()[:5] == [
        "shop/api/views.py:26:5: FTL302 A token (the Authorization header) is logged",
        "    shop/auth.py:4: bearer_token() returns the Authorization header",
        "    shop/api/views.py:25: token is bound from bearer_token",
        "shop/api/views.py:34:63: FTL502 TLS certificate verification is disabled (verify=False)",
        "    shop/settings.py:7: VERIFY_TLS = False",
    ]
    _, plain, _ = run("check", "--no-cache", "--select", "FTL302,FTL502", "shop/api/views.py", cwd=factory)
    assert "shop/settings.py" not in plain
    _, out, _ = run("check", "--no-cache", "--show-flow", "--select", "FTL405", ".", cwd=factory)
    assert "    shop/config.py:17: configuration ProductionConfig never sets" in out


def test_json_and_sarif_carry_the_flow(factory):
    _, out, _ = run("check", "--no-cache", "--format", "json", "--select", "FTL502", "shop/api/views.py", cwd=factory)
    (row,) = json.loads(out)
    assert row["flow"] == [
        {"path": "shop/settings.py", "line": 7, "message": "VERIFY_TLS = False"},
        {"path": "shop/api/views.py", "line": 34, "message": row["message"]},
    ]
    _, out, _ = run("check", "--no-cache", "--format", "sarif", "--select", "FTL502", "shop/api/views.py", cwd=factory)
    (result,) = json.loads(out)["runs"][0]["results"]
    steps = result["codeFlows"][0]["threadFlows"][0]["locations"]
    assert [(s["location"]["physicalLocation"]["artifactLocation"]["uri"],
             s["location"]["physicalLocation"]["region"]["startLine"]) for s in steps] == [
        ("shop/settings.py", 7), ("shop/api/views.py", 34)]


def test_a_cached_result_is_checked_again_when_a_module_it_read_changes(factory):
    first = run("check", "--format", "json", ".", cwd=factory)
    assert run("check", "--format", "json", ".", cwd=factory) == first  # answered from the cache
    settings = factory / "shop" / "settings.py"
    settings.write_text(settings.read_text().replace("VERIFY_TLS = False", "VERIFY_TLS = True"))
    _, out, _ = run("check", "--format", "json", ".", cwd=factory)
    assert ("shop/api/views.py", 34, "FTL502") in codes(first[1])
    assert ("shop/api/views.py", 34, "FTL502") not in codes(out)
    assert len(codes(out)) == len(codes(first[1])) - 1
    from flask_token_lint import checker  # the tests keep the cache in a temporary folder (conftest)

    assert list((Path(checker.DEFAULT_DIRECTORY) / "project").rglob("*.json")), "summaries are kept"


def test_modules_are_found_in_the_root_in_src_and_beside_the_package(tmp_path):
    (tmp_path / "pyproject.toml").write_text("")
    package = tmp_path / "src" / "svc"
    package.mkdir(parents=True)
    (package / "__init__.py").write_text("")
    (package / "tls.py").write_text("VERIFY = False\n")
    (package / "client.py").write_text(
        "import requests\n\nfrom svc.tls import VERIFY\nfrom .tls import VERIFY as AGAIN\n\n\n"
        "def get(url):\n    requests.get(url, verify=VERIFY, timeout=5)\n    requests.get(url, verify=AGAIN, timeout=5)\n"
    )
    _, out, _ = run("check", "--no-cache", "--format", "json", ".", cwd=tmp_path)
    assert codes(out) == [("src/svc/client.py", 8, "FTL502"), ("src/svc/client.py", 9, "FTL502")]


def test_what_the_index_cannot_resolve_stays_unknown(tmp_path):
    (tmp_path / "pyproject.toml").write_text("")
    (tmp_path / "client.py").write_text(
        "import requests\nfrom requests_settings import VERIFY\nfrom .missing import OTHER\n\n\n"
        "def get(url):\n    requests.get(url, verify=VERIFY, timeout=5)\n    requests.get(url, verify=OTHER, timeout=5)\n"
    )
    code, out, err = run("check", "--no-cache", "--format", "json", ".", cwd=tmp_path)
    assert (code, json.loads(out), err) == (0, [], "")


def test_a_name_bound_twice_in_its_module_is_no_constant(tmp_path):
    (tmp_path / "pyproject.toml").write_text("")
    (tmp_path / "tls.py").write_text("import os\n\nVERIFY = False\nif os.environ.get('CA'):\n    VERIFY = os.environ['CA']\n")
    (tmp_path / "client.py").write_text(
        "import requests\nfrom tls import VERIFY\n\n\ndef get(url):\n    requests.get(url, verify=VERIFY, timeout=5)\n"
    )
    _, out, _ = run("check", "--no-cache", "--format", "json", ".", cwd=tmp_path)
    assert json.loads(out) == []


def test_a_change_importers_cannot_see_keeps_their_results(factory, monkeypatch):
    """A comment added to settings.py leaves what it shows importers unchanged: views.py's cached
    result still holds (its findings read only that); a changed literal does not."""
    from flask_token_lint import checker

    assert run("check", ".", cwd=factory)[0] == 1
    checked: list[str] = []
    real = checker.filter_noqa

    def counting(engine, source, path, parse=None):
        checked.append(Path(path).name)
        return real(engine, source, path, parse)

    monkeypatch.setattr(checker, "filter_noqa", counting)
    settings = factory / "shop" / "settings.py"
    settings.write_text(settings.read_text() + "# reviewed\n")
    assert run("check", ".", cwd=factory)[0] == 1
    assert checked == ["settings.py"]
    settings.write_text(settings.read_text().replace("VERIFY_TLS = False", "VERIFY_TLS = 0"))
    checked.clear()
    assert run("check", ".", cwd=factory)[0] == 1
    assert sorted(checked) == ["admin.py", "settings.py", "views.py"]  # the two that import from settings.py


def test_circular_re_exports_and_unreadable_modules_stay_unknown(tmp_path):
    (tmp_path / "pyproject.toml").write_text("")
    package = tmp_path / "pkg"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "a.py").write_text("from .b import VERIFY\n")
    (package / "b.py").write_text("from .a import VERIFY\n")  # a re-exports b's, b re-exports a's
    (package / "broken.py").write_text("VERIFY = (\n")
    (package / "binary.py").write_bytes(b"\xff\xfe THING = False\n")
    (package / "client.py").write_text(
        "import requests\n\nfrom .a import VERIFY\nfrom .binary import THING\nfrom .broken import VERIFY as B\n"
        "from . import client\n\n\ndef get(url):\n    requests.get(url, verify=VERIFY, timeout=5)\n"
        "    requests.get(url, verify=B, timeout=5)\n    requests.get(url, verify=THING, timeout=5)\n    client.get(url)\n"
    )
    code, out, err = run("check", "--no-cache", "--format", "json", ".", cwd=tmp_path)
    assert err == "" and code == 1
    assert codes(out) == [("pkg/binary.py", 1, "FTL001")]  # the one file that cannot be read; no traceback


VERIFIED = ROOT / "fixtures" / "projects" / "verified_elsewhere"


def test_methods_of_another_module_prove_passwords_and_bound_link_tokens(tmp_path):
    project = tmp_path / "verified"
    shutil.copytree(VERIFIED, project)
    (project / "pyproject.toml").write_text("")
    _, out, _ = run("check", "--no-cache", "--format", "json", ".", cwd=project)
    _, alone, _ = run("check", "--no-cache", "--no-project", "--format", "json", ".", cwd=project)
    with_index, without = set(codes(out)), set(codes(alone))
    assert with_index < without
    # What only the summaries of models.py silence: a store method (on a module-level instance and on
    # one made in place) proving the password, and a static method bounding the "reset" token's age
    # (called on the class, through the module, and through the package that re-exports it).
    assert without - with_index == {
        ("bank/auth.py", 20, "FTL203"), ("bank/auth.py", 30, "FTL203"),
        ("bank/views.py", 12, "FTL202"), ("bank/views.py", 17, "FTL202"), ("bank/views.py", 22, "FTL202"),
    }
    # A change of the method's branch is seen by the file that calls it, through the cache.
    _, cached, _ = run("check", "--format", "json", "bank/views.py", cwd=project)
    assert ("bank/views.py", 12, "FTL202") not in codes(cached)
    models = project / "bank" / "models.py"
    models.write_text(models.read_text().replace('if token_type == "reset":', 'if token_type == "never":'))
    _, changed, _ = run("check", "--format", "json", "bank/views.py", cwd=project)
    assert ("bank/views.py", 12, "FTL202") in codes(changed)


RESET_LINKS = ROOT / "fixtures" / "projects" / "reset_links"


def test_a_host_pinned_anywhere_in_the_project_silences_token_links_and_the_cache_sees_it(tmp_path):
    project = tmp_path / "links"
    shutil.copytree(RESET_LINKS, project)
    argv = ("check", "--select", "FTL205", "--format", "json", "accounts/views.py")
    _, out, _ = run(*argv, cwd=project)
    assert len(codes(out)) == 8
    assert run(*argv, cwd=project)[1] == out  # answered from the cache
    # mail.py's send_recovery() builds the link from the base URL it is handed: known only to the index.
    _, alone, _ = run("check", "--no-cache", "--no-project", *argv[1:], cwd=project)
    assert set(codes(out)) - set(codes(alone)) == {("accounts/views.py", 74, "FTL205")}
    # A deployment file of the project (not Python, not imported by anyone) pins the host. The cache
    # keeps the files a result read, not folder listings: a new file counts once one of those changes.
    (project / "deploy.env").write_text("FLASK_SERVER_NAME=accounts.example.com\n")
    (project / "accounts" / "__init__.py").write_text((project / "accounts" / "__init__.py").read_text() + "\n")
    _, pinned, _ = run(*argv, cwd=project)
    assert codes(pinned) == []
    # Test code does not pin a deployment's host.
    (project / "deploy.env").unlink()
    (project / "tests").mkdir()
    (project / "tests" / "conftest.py").write_text('SETTINGS = {"SERVER_NAME": "localhost"}\n')
    (project / "accounts" / "__init__.py").write_text((project / "accounts" / "__init__.py").read_text() + "\n")
    _, again, _ = run(*argv, cwd=project)
    assert len(codes(again)) == 8


def test_a_constant_that_stops_being_one_re_checks_its_importers(tmp_path):
    project = tmp_path / "keys"
    (project / "svc").mkdir(parents=True)
    (project / "pyproject.toml").write_text("")
    (project / "svc" / "__init__.py").write_text("")
    config = project / "svc" / "config.py"
    config.write_text('import os\n\nSIGNING_KEY = "a-key-written-in-the-code"\n')
    (project / "svc" / "tokens.py").write_text(
        "import jwt\n\nfrom svc.config import SIGNING_KEY\n\n\n"
        "def issue(claims):\n    return jwt.encode(claims, SIGNING_KEY, algorithm=\"HS256\")\n"
    )
    argv = ("check", "--select", "FTL107", "--format", "json", "svc/tokens.py")
    assert ("svc/tokens.py", 7, "FTL107") in codes(run(*argv, cwd=project)[1])
    # Rebound far below the literal: no longer a constant, and the cached result must not say so.
    config.write_text(config.read_text() + '\nif os.environ.get("ROTATE"):\n    SIGNING_KEY = os.environ["KEY"]\n')
    assert codes(run(*argv, cwd=project)[1]) == []
