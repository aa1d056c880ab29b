"""The README a newcomer follows: every command in it exists and works from this repository.

Always (a few seconds): every command of every fenced shell block (```sh, ```bash, ```console), of
the GitHub Actions workflow (``run:``) and of the pre-commit hooks (``entry:``), and every inline
code span that starts with a tool's name, is checked against the tool: ``flask-token-lint
<subcommand> --help`` must work and list each flag used; flake8's, pylint's (with the plugin),
pre-commit's and the catalogue's ``--help`` likewise; ``pip install`` must name this checkout or a
path (there is no PyPI release) with extras the project declares; a program the test does not know
fails it. Every ``--flag`` quoted alone in the README must be an option of one of the tools. The
README's ``repo: local`` pre-commit hook is run with the real pre-commit.

In CI only (``CI=true``): each block marked ``<!-- readme-test: fresh-machine, exit N -->`` (the
README's first two commands among them) runs as written with bash, in a fresh copy of this working
tree, and must exit N. These create virtualenvs and pip-install from the copy (dependencies come
from PyPI or pip's cache): about 15-30 s each, plus the test suite the second command runs (without
these slow tests: ``FTL_README_NESTED`` stops the recursion).
"""

from __future__ import annotations

import functools
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")
_BLOCK = re.compile(
    r"(?:<!--\s*readme-test:\s*(?P<marker>[^>]*?)\s*-->\n)?^```(?P<lang>[a-z]*)\n(?P<body>.*?)^```",
    re.MULTILINE | re.DOTALL,
)
SHELL = {"sh", "bash", "console", "shell"}
_INLINE = re.compile(r"(?<!`)`([^`\n]+)`(?!`)")
_SEPARATORS = {"&&", "||", ";", "|"}
TOOLS = ("flask-token-lint", "flake8", "pylint", "pre-commit")
NESTED = "FTL_README_NESTED"


def blocks() -> list[tuple[str, str, str]]:
    """``(language, body, marker)`` of every fenced block, in order."""
    return [(m["lang"], m["body"], m["marker"] or "") for m in _BLOCK.finditer(README)]


def _lines(body: str, console: bool) -> list[str]:
    joined = re.sub(r"\\\n", " ", body)
    lines = []
    for line in joined.splitlines():
        if console:
            if not line.startswith("$ "):
                continue  # output
            line = line[2:]
        if line.strip():
            lines.append(line)
    return lines


def split_commands(line: str) -> list[list[str]]:
    """One shell line as the argv of each command in it (``a && b | c`` is three)."""
    lexer = shlex.shlex(line, posix=True, punctuation_chars=";&|")
    lexer.whitespace_split = True
    lexer.commenters = "#"
    commands: list[list[str]] = [[]]
    for token in lexer:
        if token in _SEPARATORS:
            commands.append([])
        else:
            commands[-1].append(token)
    return [command for command in commands if command]


def shell_commands() -> list[list[str]]:
    commands = []
    for language, body, _ in blocks():
        if language in SHELL:
            for line in _lines(body, language == "console"):
                commands.extend(split_commands(line))
    return commands


def yaml_commands() -> list[list[str]]:
    """The ``run:`` steps of the workflow and the ``entry:`` of local pre-commit hooks."""
    import yaml

    commands = []
    for language, body, _ in blocks():
        if language != "yaml":
            continue
        document = yaml.safe_load(body)
        for job in (document.get("jobs") or {}).values() if isinstance(document, dict) else ():
            for step in job.get("steps", []):
                if "run" in step:
                    for line in step["run"].splitlines():
                        commands.extend(split_commands(line))
        for repo in (document.get("repos") or []) if isinstance(document, dict) else ():
            for hook in repo.get("hooks", []):
                if "entry" in hook:
                    commands.extend(split_commands(hook["entry"]))
    return commands


def inline_commands() -> list[list[str]]:
    """Inline code spans outside fenced blocks that start with a tool's name."""
    prose = _BLOCK.sub("", README)
    commands = []
    for span in _INLINE.findall(prose):
        words = span.split()
        if words and words[0] in TOOLS:
            try:
                commands.extend(split_commands(span))
            except ValueError:
                continue
    return commands


@functools.lru_cache(maxsize=None)
def help_text(*command: str) -> str:
    result = subprocess.run(command, capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert result.returncode == 0, f"{' '.join(command)}: {result.stdout}{result.stderr}"
    return result.stdout


def _cli_help(*subcommand: str) -> str:
    return help_text(sys.executable, "-m", "flask_token_lint", *subcommand, "--help")


def _flake8_help() -> str:
    return help_text(sys.executable, "-m", "flake8", "--help")


def _pylint_help() -> str:
    return help_text(sys.executable, "-m", "pylint", "--load-plugins=flask_token_lint.pylint_plugin", "--help")


def _pre_commit_help(*subcommand: str) -> str:
    return help_text(sys.executable, "-m", "pre_commit", *subcommand, "--help")


def _bench_help(*subcommand: str) -> str:
    return help_text(sys.executable, "bench/run.py", *subcommand, "--help")


def _lists(text: str, flag: str) -> bool:
    return re.search(rf"(?<![\w-]){re.escape(flag)}(?![\w-])", text) is not None


def _flags(argv: list[str]) -> list[str]:
    return [word.split("=", 1)[0] for word in argv if word.startswith("-") and word not in ("-", "--")]


def _extras() -> set[str]:
    import tomllib

    with open(ROOT / "pyproject.toml", "rb") as handle:
        return set(tomllib.load(handle)["project"].get("optional-dependencies", {}))


def problems(argv: list[str]) -> list[str]:
    """What is wrong with one README command (empty when it exists as written)."""
    program, arguments = argv[0], argv[1:]
    found: list[str] = []

    def need(flags: list[str], text: str, where: str) -> None:
        found.extend(f"{flag} is not in `{where} --help`" for flag in flags if not _lists(text, flag))

    if program == "flask-token-lint":
        subcommands = [word for word in arguments if not word.startswith("-")][:1]
        if not subcommands:
            need(_flags(arguments), _cli_help(), program)
        else:
            if subcommands[0] not in {"check", "rules", "explain", "clean", "server"}:
                return [f"flask-token-lint has no subcommand {subcommands[0]!r}"]
            need(_flags(arguments), _cli_help(subcommands[0]), f"flask-token-lint {subcommands[0]}")
    elif program == "flake8":
        need(_flags(arguments), _flake8_help(), "flake8")
    elif program == "pylint":
        need(_flags(arguments), _pylint_help(), "pylint --load-plugins=flask_token_lint.pylint_plugin")
    elif program == "pre-commit":
        subcommand = next((word for word in arguments if not word.startswith("-")), None)
        if subcommand is None or not _lists(_pre_commit_help(), subcommand):
            return [f"pre-commit has no subcommand {subcommand!r}"]
        need(_flags(arguments), _pre_commit_help(subcommand), f"pre-commit {subcommand}")
    elif program == "pip":
        if arguments[:1] != ["install"]:
            return [f"unexpected pip command {argv}"]
        for spec in (word for word in arguments[1:] if not word.startswith("-")):
            path, _, extras = spec.partition("[")
            if not path.startswith((".", "/")):
                found.append(f"pip install {spec}: not a path (there is no PyPI release; install from a checkout)")
            for extra in filter(None, extras.rstrip("]").split(",")):
                if extra.strip() not in _extras():
                    found.append(f"pip install {spec}: no extra {extra!r} in pyproject.toml")
            if path in (".", "./") and not (ROOT / "pyproject.toml").is_file():
                found.append("pip install .: no pyproject.toml here")
    elif program.startswith("python"):
        if arguments[:2] == ["-m", "venv"]:
            pass
        elif arguments[:1] == ["-m"]:
            module = arguments[1]
            if module == "flask_token_lint.catalogue":
                need(_flags(arguments[2:]), help_text(sys.executable, "-m", module, "--help"), f"python -m {module}")
            else:
                found.append(f"unexpected module {module}")
        elif arguments and arguments[0].endswith(".py"):
            if not (ROOT / arguments[0]).is_file():
                found.append(f"{arguments[0]} does not exist")
            elif arguments[0] == "bench/run.py":
                subcommand = [word for word in arguments[1:] if not word.startswith("-")][:1]
                need(_flags(arguments[1:]), _bench_help(*subcommand), f"python bench/run.py {' '.join(subcommand)}")
        else:
            found.append(f"unexpected python command {argv}")
    elif program in (".", "source"):
        if arguments != [".venv/bin/activate"]:
            found.append(f"unexpected activation {argv}")
    elif program in ("pytest", "git", "rm"):
        pass
    else:
        found.append(f"the test does not know the program {program!r}: teach tests/test_readme.py")
    return found


def test_the_readme_has_the_commands_this_test_expects():
    fresh = [(body, marker) for language, body, marker in blocks() if "fresh-machine" in marker]
    assert len(fresh) >= 2, "the first two commands must be marked <!-- readme-test: fresh-machine, exit N -->"
    shell = [(body, marker) for language, body, marker in blocks() if language in SHELL]
    assert shell[:2] == fresh[:2], "the README's first two commands are fresh-machine blocks"
    assert any(command[0] == "flake8" for command in shell_commands())
    assert any(command[0] == "pylint" for command in shell_commands())
    assert any(command[:2] == ["pip", "install"] for command in yaml_commands()), "the workflow installs it"
    assert 'external = ["FTL"]' in README, "ruff users keep their noqa codes"


@pytest.mark.parametrize("argv", shell_commands() + yaml_commands() + inline_commands(), ids=" ".join)
def test_every_readme_command_exists(argv):
    assert problems(argv) == []


def test_every_flag_quoted_in_the_readme_is_an_option_of_a_tool():
    prose = _BLOCK.sub("", README)
    quoted = {span.split()[0].split("=", 1)[0] for span in _INLINE.findall(prose) if span.startswith("--")}
    texts = [
        _cli_help("check"), _flake8_help(), _pylint_help(), _pre_commit_help("run"),
        _pre_commit_help("autoupdate"), _bench_help("run"),
    ]
    missing = sorted(flag for flag in quoted if not any(_lists(text, flag) for text in texts))
    assert missing == []


def test_the_workflow_and_the_hooks_in_the_readme_are_well_formed():
    import yaml

    documents = [yaml.safe_load(body) for language, body, _ in blocks() if language == "yaml"]
    workflows = [d for d in documents if isinstance(d, dict) and "jobs" in d]
    assert len(workflows) == 1
    steps = workflows[0]["jobs"]["lint"]["steps"]
    pinned = [s for s in steps if s.get("uses", "").startswith("actions/checkout") and "with" in s]
    assert pinned and re.fullmatch(r"[0-9a-f]{40}", pinned[0]["with"]["ref"]), "the checkout is pinned to a sha"
    with open(ROOT / ".pre-commit-hooks.yaml", encoding="utf-8") as handle:
        published = {hook["id"]: hook for hook in yaml.safe_load(handle)}
    configs = [d for d in documents if isinstance(d, dict) and "repos" in d]
    assert configs
    for config in configs:
        for repo in config["repos"]:
            if repo["repo"] == "local":
                for hook in repo["hooks"]:
                    assert hook["entry"] == published[hook["id"]]["entry"], "the local hook runs what the hook runs"
                    assert hook["require_serial"] is True
            else:
                assert re.fullmatch(r"[0-9a-f]{40}", str(repo["rev"])), "rev: is a full commit sha"
                assert {hook["id"] for hook in repo["hooks"]} <= set(published)


VULNERABLE = (
    "from flask import Flask\n\napp = Flask(__name__)\n\nif __name__ == '__main__':\n    app.run(debug=True)\n"
)


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
def test_the_readmes_local_pre_commit_hook_runs(tmp_path):
    pytest.importorskip("pre_commit")
    import yaml

    local = next(
        body for language, body, _ in blocks()
        if language == "yaml" and any(r.get("repo") == "local" for r in (yaml.safe_load(body) or {}).get("repos", []))
    )
    project = tmp_path / "project"
    project.mkdir()
    (project / "app.py").write_text(VULNERABLE)
    (project / "generated").mkdir()
    (project / "generated" / "app.py").write_text(VULNERABLE)
    (project / "pyproject.toml").write_text('[tool.flask-token-lint]\nextend-exclude = ["generated"]\n')
    (project / ".pre-commit-config.yaml").write_text(local)
    env = {key: value for key, value in os.environ.items() if not key.startswith("GIT_")}
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"  # the flask-token-lint here
    env["PRE_COMMIT_HOME"] = str(tmp_path / "cache")
    subprocess.run(["git", "init", "-q"], cwd=project, env=env, check=True)
    subprocess.run(["git", "add", "-A"], cwd=project, env=env, check=True)
    result = subprocess.run(
        [sys.executable, "-m", "pre_commit", "run", "--all-files", "--color", "never"],
        cwd=project, env=env, capture_output=True, text=True, timeout=300,
    )
    assert result.returncode == 1, result.stdout + result.stderr
    assert re.search(r"^app\.py:6:13: FTL501 ", result.stdout, re.MULTILINE), result.stdout  # at debug=True
    assert "generated/app.py:" not in result.stdout and "findings" not in result.stdout, result.stdout


# ---- CI only: the fresh-machine blocks, run as written ----


def _copy_working_tree(target: Path) -> None:
    """Tracked and non-ignored untracked files as on disk (no .venv, caches or build output)."""
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT, check=True, capture_output=True,
    ).stdout.decode("utf-8", "surrogateescape")
    for name in filter(None, listed.split("\0")):
        if (ROOT / name).is_file():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / name, target / name)


def _fresh_blocks() -> list:
    found = []
    for language, body, marker in blocks():
        if language in SHELL and "fresh-machine" in marker:
            code = re.search(r"exit\s+(?P<code>[0-9]+)", marker)
            last = split_commands(body.strip().splitlines()[-1])[-1]
            found.append(pytest.param(body, int(code["code"]) if code else 0, id=" ".join(last)))
    return found


@pytest.mark.skipif(os.environ.get("CI") != "true", reason="slow (virtualenvs, pip installs): CI=true only")
@pytest.mark.skipif(bool(os.environ.get(NESTED)), reason="already inside a README command")
@pytest.mark.skipif(shutil.which("git") is None, reason="git lists the working tree's files")
@pytest.mark.parametrize("body,expected", _fresh_blocks())
def test_fresh_machine_block_runs_as_written(tmp_path, body, expected):
    copy = tmp_path / "flask-token-lint"
    copy.mkdir()
    _copy_working_tree(copy)
    env = {key: value for key, value in os.environ.items() if key not in ("VIRTUAL_ENV", "PYTHONPATH", "PYTHONHOME")}
    env.update({NESTED: "1", "PIP_DISABLE_PIP_VERSION_CHECK": "1"})
    result = subprocess.run(
        ["bash", "-c", body], cwd=copy, env=env, capture_output=True, text=True, timeout=900, stdin=subprocess.DEVNULL
    )
    assert result.returncode == expected, json.dumps({"stdout": result.stdout[-4000:], "stderr": result.stderr[-4000:]})
