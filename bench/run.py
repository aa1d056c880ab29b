#!/usr/bin/env python3
"""Benchmark harness: flask-token-lint against ast.parse, flake8, pylint, ruff, bandit and semgrep.

    python bench/run.py download                       # fetch + verify + unpack the pinned packages
    python bench/run.py files [--corpus small]         # list the corpus's files and lines
    python bench/run.py run [--corpus full|small] [--rounds 3] [--json OUT] [--only KEYS]
    python bench/run.py profile [--corpus full] [--top 10]   # cProfile of the engine
    python bench/run.py report RESULT.json... [--out bench/latest.md]

The corpus is real code: every package pinned in corpus/packages.txt plus those in
bench/packages.txt, downloaded from PyPI into a cache that is never committed (the corpus's own
corpus/.cache/src/ is reused when it is there, bench/.cache/ holds the rest). "full" is all of them
(about 1 M lines); "small" is a fixed list of whole auth-centred packages (about 54 k lines).

Every command is run as a child process, ``--rounds`` times, rounds interleaved (round 1 of every
command, then round 2, ...) so a change in the machine's load hits every row alike; wall time
(perf_counter), CPU time (user + sys) and peak RSS come from ``os.wait4``'s rusage of the child
(which includes its children: worker processes, semgrep-core). Medians are reported. The engine
rows are measured inside a child (bench/engine_files.py) with perf_counter / process_time.

Standard library only (Python 3.9+, like corpus/run.py, whose download code it imports); the tools
it measures are run from the interpreter running it (activate .venv first).
"""

from __future__ import annotations

import argparse
import hashlib
import importlib.util
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional, Sequence

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
CACHE = BENCH / ".cache"
ARCHIVES = CACHE / "archives"
SOURCES = CACHE / "src"
WORK = CACHE / "work"  # the children's current folder, outputs, tool caches
EXTRA_PACKAGES = BENCH / "packages.txt"
SEMGREP_RULES = BENCH / "semgrep_rules.yml"
PY = sys.executable
BIN = Path(sys.executable).parent

# The small corpus: whole packages, the auth-centred ones of corpus/packages.txt (JWT, OAuth, OIDC,
# HTTP auth, sessions, logins): about 54 k lines where most files mention a trigger word, so the
# engine does the most work per line there. Fixed by name; the pins give the versions.
SMALL_PACKAGES = (
    "Authlib", "Flask-Security-Too", "flask-restx", "flask-jwt-extended", "flask-praetorian",
    "Flask-Session", "Flask-Login", "flask-cors", "Flask-WTF", "Flask-HTTPAuth", "flask-oidc",
)

# The 8 bandit tests that look for what flask-token-lint looks for: hardcoded passwords/secrets
# (B105-B107, ~FTL107), Flask debug=True (B201, ~FTL501), requests verify=False (B501, ~FTL502), an
# unverified SSL context (B323, ~FTL502), SSL/TLS with a bad version or bad defaults (B502, B503:
# transport security, ~FTL5xx). B113 (requests without timeout) has no counterpart. A second row
# runs bandit with every test.
BANDIT_TESTS = "B105,B106,B107,B201,B323,B501,B502,B503"


def _load_corpus_module():
    spec = importlib.util.spec_from_file_location("ftl_corpus_run", REPO / "corpus" / "run.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look the module up while the class is built
    spec.loader.exec_module(module)
    return module


corpus = _load_corpus_module()
Failure = corpus.Failure


# ---------------------------------------------------------------- packages and corpora


def packages() -> List[Any]:
    """corpus/packages.txt, then bench/packages.txt (no name twice)."""
    found = corpus.read_packages()
    names = {p.name.lower() for p in found}
    for package in corpus.read_packages(EXTRA_PACKAGES):
        if package.name.lower() not in names:
            found.append(package)
    return found


def root_of(package: Any) -> Path:
    """The corpus's unpacked copy when there is one, else bench's."""
    shared = corpus.SOURCES / package.label
    return shared if shared.is_dir() else SOURCES / package.label


def make_cache() -> None:
    CACHE.mkdir(exist_ok=True)
    ignore = CACHE / ".gitignore"  # bench/.cache/ is also in the repository's .gitignore
    if not ignore.exists():
        ignore.write_text("*\n", encoding="utf-8")
    for folder in (ARCHIVES, SOURCES, WORK):
        folder.mkdir(exist_ok=True)


class _BenchCache:
    """corpus/run.py's fetch and unpack write to its module-level folders; point them at bench's."""

    def __enter__(self):
        self.saved = (corpus.CACHE, corpus.ARCHIVES, corpus.SOURCES)
        corpus.CACHE, corpus.ARCHIVES, corpus.SOURCES = CACHE, ARCHIVES, SOURCES

    def __exit__(self, *exc):
        corpus.CACHE, corpus.ARCHIVES, corpus.SOURCES = self.saved


def command_download(arguments: argparse.Namespace) -> int:
    """Fetch, verify and unpack every pinned package that neither cache has unpacked yet."""
    make_cache()
    for package in packages():
        if (corpus.SOURCES / package.label).is_dir():
            print(f"{package.label:<32} cached (corpus/.cache/src)")
            continue
        with _BenchCache():
            archive = ARCHIVES / package.archive
            state = "cached"
            shared_archive = REPO / "corpus" / ".cache" / "archives" / package.archive
            if (not archive.exists() or corpus.sha256_of(archive) != package.sha256) and shared_archive.exists() \
                    and corpus.sha256_of(shared_archive) == package.sha256:
                shutil.copyfile(shared_archive, archive)
                state = "copied from corpus/.cache"
            if not archive.exists() or corpus.sha256_of(archive) != package.sha256:
                corpus.fetch(package)
                state = "downloaded"
            actual = corpus.sha256_of(archive)
            if actual != package.sha256:
                archive.unlink()
                raise Failure(f"{package.label}: sha256 {actual} does not match the pin {package.sha256}")
            if not package.root.is_dir():
                corpus.unpack(package, archive)
                state += ", unpacked"
        print(f"{package.label:<32} {state} (bench/.cache/src)")
    return 0


def corpus_files(name: str) -> List[Dict[str, Any]]:
    """Per package of the corpus: label, root and its Python files, sorted (as the CLI walks them)."""
    chosen = packages()
    if name == "small":
        wanted = {n.lower() for n in SMALL_PACKAGES}
        chosen = [p for p in chosen if p.name.lower() in wanted]
    elif name != "full":
        raise Failure(f"unknown corpus {name!r}: full or small")
    missing = [p.label for p in chosen if not root_of(p).is_dir()]
    if missing:
        raise Failure(f"not unpacked: {', '.join(missing)}; run `python bench/run.py download` first")
    result = []
    for package in chosen:
        root = root_of(package)
        files = sorted(str(path) for path in corpus.python_files(root))
        result.append({"package": package.label, "root": str(root), "files": files})
    return result


def count_lines(path: str) -> int:
    with open(path, "rb") as handle:
        return handle.read().count(b"\n")


def command_files(arguments: argparse.Namespace) -> int:
    total_files = total_lines = 0
    print(f"corpus {arguments.corpus}:")
    for entry in corpus_files(arguments.corpus):
        lines = sum(count_lines(f) for f in entry["files"])
        total_files += len(entry["files"])
        total_lines += lines
        print(f"  {entry['package']:<32} {len(entry['files']):>6} files {lines:>9} lines  {entry['root']}")
        if arguments.list:
            for path in entry["files"]:
                print(f"    {path}")
    print(f"  {'total':<32} {total_files:>6} files {total_lines:>9} lines")
    return 0


# ---------------------------------------------------------------- measuring one command


def child_env(extra: Optional[Dict[str, str]] = None) -> Dict[str, str]:
    env = dict(os.environ, PYTHONIOENCODING="utf-8", NO_COLOR="1", SEMGREP_SEND_METRICS="off",
               SEMGREP_ENABLE_VERSION_CHECK="0")
    # PYTHONDONTWRITEBYTECODE (set on some CI images) would make every Python tool compile its modules
    # from source at each start: users run with cached bytecode, so the children do too.
    for name in ("PYTHONPROFILEIMPORTTIME", "PYTHONTRACEMALLOC", "PYTHONDEVMODE", "COVERAGE_PROCESS_START",
                 "PYTHONDONTWRITEBYTECODE"):
        env.pop(name, None)
    env.update(extra or {})
    return env


# Peak RSS: Linux starts a child's ru_maxrss at the RSS of the process that forked it (the copied
# address space counts until exec), so measured straight from this harness every row would read at
# least the harness's own size. GNU time forks the command from a 2 MB process and reports the
# command's ru_maxrss (%M, KiB); this harness still takes wall time and CPU time (its own wait4 of
# `time`, which includes the command: microseconds, not time's 10 ms).
GNU_TIME = "/usr/bin/time" if os.path.exists("/usr/bin/time") else None


def run_once(argv: Sequence[str], out: Path, env: Optional[Dict[str, str]] = None, timeout: float = 3600) -> Dict[str, Any]:
    """Run argv with stdout/stderr to files; wall from perf_counter, CPU from wait4, peak RSS from GNU
    time (or wait4 when it is missing, then with the harness's size as a floor)."""
    err = out.with_suffix(".stderr")
    rss_file = out.with_suffix(".rss")
    if GNU_TIME:
        argv = [GNU_TIME, "-f", "%M", "-o", str(rss_file), *argv]
    with out.open("wb") as stdout, err.open("wb") as stderr:
        start = time.perf_counter()
        process = subprocess.Popen(list(argv), stdout=stdout, stderr=stderr, cwd=WORK, env=child_env(env))
        timer = threading.Timer(timeout, process.kill)
        timer.start()
        try:
            _, status, usage = os.wait4(process.pid, 0)
        finally:
            timer.cancel()
        wall = time.perf_counter() - start
    code = os.waitstatus_to_exitcode(status)
    process.returncode = code  # reaped by wait4: keep Popen from waiting again
    data = out.read_bytes()
    rss_kib = float(usage.ru_maxrss)  # KiB on Linux; the largest single process of the tree
    if GNU_TIME:
        try:  # the last line: time writes "Command exited with non-zero status N" before it
            rss_kib = float(rss_file.read_text(encoding="utf-8").split()[-1])
        except (OSError, ValueError, IndexError):
            pass
    return {
        "wall": wall,
        "cpu": usage.ru_utime + usage.ru_stime,
        "rss_mb": rss_kib / 1024,
        "exit": code,
        "output_lines": data.count(b"\n"),
        "output_sha1": hashlib.sha1(data).hexdigest()[:12],
        "stderr_tail": err.read_text(encoding="utf-8", errors="replace")[-600:],
        "timed_out": code == -9 and wall >= timeout,
    }


class Command:
    """One row measured by running a process: argv, the exit codes that mean "ran fine", and what to
    do once before the timed rounds (``prime``: fill a cache) or after each (``after``)."""

    def __init__(self, key: str, label: str, argv: Sequence[str], ok: Sequence[int] = (0, 1),
                 env: Optional[Dict[str, str]] = None, prime: Optional[Callable[[], None]] = None,
                 after: Optional[Callable[[Dict[str, Any]], None]] = None, note: str = "",
                 before: Optional[Callable[[], None]] = None) -> None:
        self.key, self.label, self.argv, self.ok, self.env = key, label, list(argv), tuple(ok), env
        self.prime, self.after, self.note, self.before = prime, after, note, before
        self.rounds: List[Dict[str, Any]] = []


def median(values: List[float]) -> Optional[float]:
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


# ---------------------------------------------------------------- what is installed


def tool(name: str) -> Optional[str]:
    local = BIN / name
    if local.exists():
        return str(local)
    return shutil.which(name)


def capture(argv: Sequence[str]) -> str:
    try:
        result = subprocess.run(list(argv), capture_output=True, text=True, cwd=WORK, env=child_env(), timeout=120)
    except (OSError, subprocess.TimeoutExpired):
        return ""
    return (result.stdout + result.stderr).strip()


def detect() -> Dict[str, Any]:
    """Which CLI flags exist (-j, --no-cache, --cache-dir arrive while this harness is written) and
    which tools are installed, with their versions."""
    help_text = capture([PY, "-m", "flask_token_lint", "check", "--help"])
    found: Dict[str, Any] = {
        "cli_jobs": "--jobs" in help_text,
        "cli_no_cache": "--no-cache" in help_text,
        "cli_cache_dir": "--cache-dir" in help_text,
        "cli_test_code": "--test-code" in help_text,
        "cli_no_project": "--no-project" in help_text,
        "flask_token_lint": capture([PY, "-m", "flask_token_lint", "--version"]).splitlines()[:1],
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
        "machine": f"{platform.system()} {platform.machine()}",
    }
    for name, argv in (
        ("flake8", [PY, "-m", "flake8", "--version"]),
        ("pylint", [PY, "-m", "pylint", "--version"]),
        ("libcst", [PY, "-c", "import importlib.metadata as m; print(m.version('libcst'))"]),
    ):
        text = capture(argv)
        first = text.split()[0] if text and "Error" not in text else None  # flake8's line lists plugins
        found[name] = None if first is None else (text.splitlines()[0] if name == "pylint" else f"{name} {first}")
    for name, flag in (("ruff", "--version"), ("bandit", "--version"), ("semgrep", "--version")):
        path = tool(name)
        version = capture([path, flag]).splitlines()[0] if path else None
        found[name] = version if not version or version.startswith(name) else f"{name} {version}"
        found[f"{name}_path"] = path
    symbols = capture([PY, "-c", (
        "from flask_token_lint.registry import all_rules\n"
        "print(','.join(r.symbol for c, r in sorted(all_rules().items()) if c != 'FTL001'))")])
    found["pylint_symbols"] = symbols if symbols and "Error" not in symbols else ""
    try:
        head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=REPO, capture_output=True, text=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--", "flask_token_lint"], cwd=REPO,
                               capture_output=True, text=True).stdout.strip().splitlines()
        found["git"] = f"{head}{' + uncommitted changes in flask_token_lint/ (' + str(len(dirty)) + ' files)' if dirty else ''}"
    except OSError:
        found["git"] = None
    return found


# ---------------------------------------------------------------- the rows


def build_commands(name: str, filelist: Path, files: List[str], largest: str, found: Dict[str, Any],
                   arguments: argparse.Namespace) -> List[Command]:
    tag = name
    # Every file is checked, test code included: the ast.parse baseline reads them all too.
    report_tests = ["--test-code", "report"] if found["cli_test_code"] else []
    cli = [PY, "-m", "flask_token_lint", "check", "--isolated", "--select", "FTL", *report_tests]
    cores = str(os.cpu_count() or 1)
    jobs1 = ["-j", "1"] if found["cli_jobs"] else []
    jobsn = ["-j", cores] if found["cli_jobs"] else []
    nocache = ["--no-cache"] if found["cli_no_cache"] else []
    commands: List[Command] = []
    add = commands.append

    def rmtree(path: Path) -> Callable[[], None]:
        return lambda: shutil.rmtree(path, ignore_errors=True)

    largest_list = WORK / f"largest-{tag}.txt"
    largest_list.write_text(largest + "\n", encoding="utf-8")
    add(Command("python", "python -c pass (interpreter start)", [PY, "-c", "pass"], ok=(0,)))
    add(Command("parse", "ast.parse of every file (own process: start, read, parse)",
                [PY, str(BENCH / "parse_files.py"), str(filelist)], ok=(0,)))
    add(Command("parse_largest", f"ast.parse of the largest file ({os.path.relpath(largest, REPO)})",
                [PY, str(BENCH / "parse_files.py"), str(largest_list)], ok=(0,)))
    add(Command("engine", "engine child: parse + Engine().check_tree per file",
                [PY, str(BENCH / "engine_files.py"), str(filelist)], ok=(0,)))

    single = "" if found["cli_jobs"] else " (no -j in this CLI: one process)"
    cold = "" if found["cli_no_cache"] else " (no --no-cache in this CLI: it has no cache)"
    add(Command("check_cold_j1", f"check cold -j1{single}{cold}", [*cli, *nocache, *jobs1, *files]))
    if found.get("cli_no_project"):
        add(Command("check_cold_j1_alone", "check cold -j1 --no-project (each file alone: no project index)",
                    [*cli, *nocache, *jobs1, "--no-project", *files]))
        add(Command("index_build", "project index built from nothing: every file's import lines, every module they name",
                    [PY, str(BENCH / "index_files.py"), str(filelist)], ok=(0,)))
    if found["cli_jobs"]:
        add(Command("check_cold_jn", f"check cold -j{cores}", [*cli, *nocache, *jobsn, *files]))
    else:
        add(Command("check_cold_jn", "check cold parallel: n/a, the CLI has no -j", []))
    if found["cli_cache_dir"]:
        cache = WORK / f"ftl-cache-{tag}"
        warm = [*cli, "--cache-dir", str(cache)]

        def prime_ftl() -> None:
            shutil.rmtree(cache, ignore_errors=True)
            run_once([*warm, *jobsn, *files], WORK / "prime-ftl.out")

        add(Command("check_warm_jn", f"check warm cache -j{cores}" if jobsn else "check warm cache",
                    [*warm, *jobsn, *files], prime=prime_ftl))
        if found["cli_jobs"]:
            add(Command("check_warm_j1", "check warm cache -j1", [*warm, *jobs1, *files], prime=prime_ftl))
        if found.get("cli_no_project"):
            # The most imported module gets a one-line change just before each round (and loses it
            # after): the files whose findings read it are checked again, the rest are answered warm.
            changed, importers = most_imported(filelist)
            original = Path(changed).read_bytes()
            changing = [*cli, "--cache-dir", str(WORK / f"ftl-cache-change-{tag}")]

            def prime_change() -> None:
                shutil.rmtree(WORK / f"ftl-cache-change-{tag}", ignore_errors=True)
                run_once([*changing, *jobsn, *files], WORK / "prime-ftl-change.out")

            def change() -> None:
                Path(changed).write_bytes(original + b"\n# a one-line change (bench)\n")

            def restore(result: Dict[str, Any]) -> None:
                Path(changed).write_bytes(original)
                run_once([*changing, *jobsn, *files], WORK / "prime-ftl-change.out")  # warm again for the next round
                result["changed"] = {"file": os.path.relpath(changed, REPO), "importers": importers}

            add(Command("check_warm_change_j1",
                        f"check warm cache -j1 after a change to {os.path.basename(changed)} (imported by {importers} files)",
                        [*changing, *jobs1, *files], prime=prime_change, before=change, after=restore))
    else:
        add(Command("check_warm_jn", "check warm cache: n/a, the CLI has no --cache-dir", []))

    fix_flags = [*nocache, *jobs1]
    for key, label, extra in (("fix_diff", "check --fix --diff (safe fixes)", []),
                              ("fix_diff_unsafe", "check --fix --diff --unsafe-fixes", ["--unsafe-fixes"])):
        counts = WORK / f"{key}-{tag}.counts.json"

        def after(result: Dict[str, Any], counts: Path = counts) -> None:
            try:
                result["libcst"] = json.loads(counts.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                result["libcst"] = None

        add(Command(key, label, [PY, str(BENCH / "fix_count.py"), str(counts), "check", "--isolated", "--select",
                                 "FTL", *report_tests, "--fix", "--diff", *extra, *fix_flags, *files], after=after))

    if found["flake8"]:
        flake8 = [PY, "-m", "flake8", "-j1", "--isolated"]
        # Not plain `--select E,W,F`: flake8 matches prefixes, and "F" (pyflakes) also selects FTL302.
        add(Command("flake8_without", "flake8 -j1 --select E,W,F --extend-ignore FTL (plugin installed, off)",
                    [*flake8, "--select", "E,W,F", "--extend-ignore", "FTL", *files]))
        add(Command("flake8_with", "flake8 -j1 --select E,W,F,FTL (with the plugin)",
                    [*flake8, "--select", "E,W,F,FTL", *files]))
        add(Command("flake8_absent", "flake8 -j1 --select E,W,F (plugin not loaded at all)",
                    [PY, str(BENCH / "flake8_without_plugin.py"), "-j1", "--isolated", "--select", "E,W,F", *files]))
        add(Command("flake8_trivial", "flake8 -j1 --select E,W,F,TRV (a plugin that only walks the tree)",
                    [PY, str(BENCH / "flake8_trivial_plugin.py"), "-j1", "--isolated", "--select", "E,W,F,TRV", *files]))
    else:
        add(Command("flake8_with", "flake8: not installed", []))

    if found["pylint"] and name == "small" and not arguments.no_pylint:
        rcfile = WORK / "empty.pylintrc"
        rcfile.write_text("", encoding="utf-8")
        pylint = [PY, "-m", "pylint", f"--rcfile={rcfile}", "--persistent=n", "--score=n", "--reports=n",
                  "--load-plugins=flask_token_lint.pylint_plugin"]
        ok = tuple(range(0, 32))  # pylint's exit code is a bit mask of message categories
        # With every message disabled pylint lints nothing ("No files to lint", exit 32), so both
        # rows keep syntax-error (E0001) on: the base is pylint building each module's astroid tree.
        # The base is one cheap real check (W0611 unused-import) with pylint building each module's
        # astroid tree; with every message disabled pylint lints nothing ("No files to lint", exit 32).
        add(Command("pylint_with", "pylint --disable=all --enable=W0611,<our messages>",
                    [*pylint, "--disable=all", f"--enable=W0611,{found['pylint_symbols']}", *files], ok=ok))
        add(Command("pylint_without", "pylint --disable=all --enable=W0611 (plugin loaded, ours off)",
                    [*pylint, "--disable=all", "--enable=W0611", *files], ok=ok))
        if not arguments.no_pylint_default:
            add(Command("pylint_default_with", "pylint default checks + our messages",
                        [*pylint, f"--enable={found['pylint_symbols']}", *files], ok=ok))
            add(Command("pylint_default_without", "pylint default checks, --disable=flask-token-lint",
                        [*pylint, "--disable=flask-token-lint", *files], ok=ok))
    elif name != "small":
        add(Command("pylint_with", "pylint: run on the small corpus only (too slow for the full one)", []))
    elif not found["pylint"]:
        add(Command("pylint_with", "pylint: not installed", []))

    if found["ruff"]:
        ruff = [found["ruff_path"], "check", "--isolated", "--select", "S", "--output-format", "concise",
                "--no-respect-gitignore"]
        add(Command("ruff_cold", "ruff check --select S --no-cache", [*ruff, "--no-cache", *files]))
        add(Command("ruff_cold_1t", "ruff check --select S --no-cache, 1 thread (RAYON_NUM_THREADS=1)",
                    [*ruff, "--no-cache", *files], env={"RAYON_NUM_THREADS": "1"}))
        rcache = WORK / f"ruff-cache-{tag}"
        add(Command("ruff_warm", "ruff check --select S, warm cache", [*ruff, "--cache-dir", str(rcache), *files],
                    prime=lambda: (shutil.rmtree(rcache, ignore_errors=True),
                                   run_once([*ruff, "--cache-dir", str(rcache), *files], WORK / "prime-ruff.out"))))
        add(Command("ruff_warm_1t", "ruff check --select S, warm cache, 1 thread",
                    [*ruff, "--cache-dir", str(rcache), *files], env={"RAYON_NUM_THREADS": "1"},
                    prime=lambda: (shutil.rmtree(rcache, ignore_errors=True),
                                   run_once([*ruff, "--cache-dir", str(rcache), *files], WORK / "prime-ruff.out"))))
    else:
        add(Command("ruff_cold", "ruff: not installed", []))
    if found["bandit"]:
        add(Command("bandit", f"bandit -t {BANDIT_TESTS} (the 8 relevant tests)",
                    [found["bandit_path"], "-q", "-f", "txt", "-t", BANDIT_TESTS, *files]))
        add(Command("bandit_all", "bandit, every test", [found["bandit_path"], "-q", "-f", "txt", *files]))
    else:
        add(Command("bandit", "bandit: not installed", []))
    if found["semgrep"] and not arguments.no_semgrep:
        tree = semgrep_tree(tag, files)

        def scanned(result: Dict[str, Any], out: Path = WORK / f"semgrep-{tag}.out") -> None:
            try:
                data = json.loads(out.read_text(encoding="utf-8"))
                result["scanned"] = len(data["paths"]["scanned"])
                result["findings"] = len(data["results"])
            except (OSError, ValueError, KeyError):
                result["scanned"] = None

        add(Command("semgrep", "semgrep --jobs 1 --config bench/semgrep_rules.yml (offline)",
                    [found["semgrep_path"], "scan", "--jobs", "1", "--config", str(SEMGREP_RULES), "--metrics=off",
                     "--disable-version-check", "--no-git-ignore", "--max-target-bytes=0", "--quiet",
                     "--json", "--project-root", str(tree), str(tree)], after=scanned))
    else:
        add(Command("semgrep", "semgrep: not installed or skipped", []))
    if arguments.only:
        wanted = [k.strip() for k in arguments.only.split(",") if k.strip()]
        commands = [c for c in commands if any(c.key.startswith(k) for k in wanted) or c.key in ("python", "parse", "parse_largest", "check_cold_j1")]
    return commands


def most_imported(filelist: Path) -> tuple:
    """The module of the corpus that the most files import by name, and how many do (asked of a
    child: the harness itself imports nothing of the tool)."""
    data = json.loads(capture([PY, str(BENCH / "index_files.py"), str(filelist), "--most-imported"]))
    return data["file"], data["importers"]


def semgrep_tree(tag: str, files: List[str]) -> Path:
    """The corpus's files hard-linked under one folder holding a .semgrepignore that ignores nothing.
    semgrep is given that folder, not the file list: named one by one, files cost it about 20 times
    more (45 s instead of 2 s for Authlib). Its default ignore list skips tests/ folders (70 files of
    the full corpus), which an empty .semgrepignore at --project-root replaces."""
    tree = WORK / f"semgrep-tree-{tag}"
    shutil.rmtree(tree, ignore_errors=True)
    tree.mkdir(parents=True)
    (tree / ".semgrepignore").write_text("# scan every file: bench/run.py links exactly the corpus here\n",
                                         encoding="utf-8")
    roots = sorted({str(root_of(p)) for p in packages()}, key=len, reverse=True)
    for path in files:
        root = next(r for r in roots if path.startswith(r + os.sep))
        target = tree / os.path.basename(root) / os.path.relpath(path, root)
        target.parent.mkdir(parents=True, exist_ok=True)
        try:
            os.link(path, target)
        except OSError:
            shutil.copyfile(path, target)
    return tree


def pick_largest(files: List[str]) -> str:
    """The file whose parse takes the most memory: the three largest by bytes and by lines, each
    parsed once in its own process; the one with the highest peak RSS wins."""
    by_size = sorted(files, key=lambda f: os.path.getsize(f))[-3:]
    by_lines = sorted(files, key=count_lines)[-3:]
    best, best_rss = files[0], -1.0
    probe = WORK / "probe.txt"
    for path in dict.fromkeys(by_size + by_lines):
        probe.write_text(path + "\n", encoding="utf-8")
        rss = run_once([PY, str(BENCH / "parse_files.py"), str(probe)], WORK / "probe.out")["rss_mb"]
        if rss > best_rss:
            best, best_rss = path, rss
    return best


# ---------------------------------------------------------------- run


def summarise(command: Command) -> Dict[str, Any]:
    rounds = command.rounds
    summary: Dict[str, Any] = {
        "key": command.key, "label": command.label, "argv_head": command.argv[:12], "rounds": rounds,
        "skipped": not command.argv,
    }
    if not rounds:
        return summary
    summary.update({
        "wall": median([r["wall"] for r in rounds]),
        "cpu": median([r["cpu"] for r in rounds]),
        "rss_mb": median([r["rss_mb"] for r in rounds]),
        "wall_min": min(r["wall"] for r in rounds),
        "exits": sorted({r["exit"] for r in rounds}),
        "failed": any(r["exit"] not in command.ok for r in rounds),
        "output_lines": rounds[-1]["output_lines"],
        "output_sha1": sorted({r["output_sha1"] for r in rounds}),
    })
    if "child" in rounds[0] and rounds[0]["child"]:
        summary["child"] = {k: median([r["child"][k] for r in rounds if r.get("child")])
                            for k, v in rounds[0]["child"].items() if isinstance(v, (int, float))}
    if "libcst" in rounds[-1]:
        summary["libcst"] = rounds[-1]["libcst"]
    return summary


def command_run(arguments: argparse.Namespace) -> int:
    make_cache()
    entries = corpus_files(arguments.corpus)
    files = [f for entry in entries for f in entry["files"]]
    lines = sum(count_lines(f) for f in files)
    filelist = WORK / f"files-{arguments.corpus}.txt"
    filelist.write_text("".join(f + "\n" for f in files), encoding="utf-8")
    found = detect()
    print(f"corpus {arguments.corpus}: {len(entries)} packages, {len(files)} files, {lines} lines; "
          f"{arguments.rounds} rounds; {found['cpus']} CPUs; load {os.getloadavg()[0]:.2f}")
    print(f"  packages: {', '.join(e['package'] for e in entries)}")
    print(f"  CLI flags: -j {'yes' if found['cli_jobs'] else 'no'}, --no-cache {'yes' if found['cli_no_cache'] else 'no'}, "
          f"--cache-dir {'yes' if found['cli_cache_dir'] else 'no'}; tools: "
          + ", ".join(f"{t} {'yes' if found[t] else 'no'}" for t in ("flake8", "pylint", "ruff", "bandit", "semgrep")))
    largest = pick_largest(files)
    commands = build_commands(arguments.corpus, filelist, files, largest, found, arguments)
    runnable = [c for c in commands if c.argv]

    fixable = None
    if any(c.key.startswith("fix_diff") for c in runnable):
        raw = run_once([PY, str(BENCH / "engine_files.py"), str(filelist), "--fixable"], WORK / "fixable.out")
        try:
            fixable = json.loads((WORK / "fixable.out").read_text(encoding="utf-8"))
        except ValueError:
            print(f"  fixable-file count failed: {raw['stderr_tail']}")
    for command in runnable:
        if command.prime:
            command.prime()
    started = time.time()
    load_before = os.getloadavg()
    for number in range(1, arguments.rounds + 1):
        for command in runnable:
            out = WORK / f"{command.key}-{arguments.corpus}.out"
            if command.before:
                command.before()
            result = run_once(command.argv, out, command.env, timeout=arguments.timeout)
            if command.key in ("engine", "parse", "parse_largest") and result["exit"] == 0:
                try:
                    result["child"] = json.loads(out.read_text(encoding="utf-8"))
                except ValueError:
                    result["child"] = None
            if command.after:
                command.after(result)
            command.rounds.append(result)
            flag = "" if result["exit"] in command.ok else f"  EXIT {result['exit']}: {result['stderr_tail'][-300:]!r}"
            print(f"  round {number} {command.key:<24} {result['wall']:8.2f}s wall {result['cpu']:8.2f}s cpu "
                  f"{result['rss_mb']:8.1f} MB{flag}", flush=True)
    profile_text = None
    if not arguments.no_profile:
        raw = run_once([PY, str(BENCH / "engine_files.py"), str(filelist), "--profile", str(arguments.top)],
                       WORK / f"profile-{arguments.corpus}.out")
        profile_text = (WORK / f"profile-{arguments.corpus}.out").read_text(encoding="utf-8") if raw["exit"] == 0 else None

    rules_table = None
    if not arguments.no_rules_table:
        extra = [] if arguments.no_leave_one_out else ["--leave-one-out"]
        out = WORK / f"rules-{arguments.corpus}.out"
        raw = run_once([PY, str(BENCH / "rules_table.py"), str(filelist), *extra], out)
        rules_table = json.loads(out.read_text(encoding="utf-8")) if raw["exit"] == 0 else None
    worst = None
    if not arguments.no_worst_case:
        out = WORK / "worst-case.out"
        raw = run_once([PY, str(BENCH / "worst_case.py")], out)
        worst = out.read_text(encoding="utf-8") if raw["exit"] == 0 else None

    result = {
        "corpus": arguments.corpus,
        "packages": [{"package": e["package"], "files": len(e["files"]),
                      "lines": sum(count_lines(f) for f in e["files"])} for e in entries],
        "files": len(files), "lines": lines, "largest_file": os.path.relpath(largest, REPO),
        "rounds": arguments.rounds, "started": time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(started)),
        "seconds": round(time.time() - started, 1), "load_before": load_before, "load_after": os.getloadavg(),
        "environment": {k: v for k, v in found.items() if k != "pylint_symbols"},
        "rows": [summarise(c) for c in commands],
        "fixable": {k: (len(v) if isinstance(v, list) else v) for k, v in (fixable or {}).items()},
        "profile": profile_text,
        "rules_table": rules_table,
        "worst_case": worst,
    }
    result["derived"] = derived_rows(result)
    result["targets"] = targets(result, fixable)
    out = Path(arguments.json) if arguments.json else WORK / f"results-{arguments.corpus}.json"
    out.write_text(json.dumps(result, indent=1) + "\n", encoding="utf-8")
    print()
    print(render_text(result))
    print(f"wrote {out}")
    return 1 if any(r.get("failed") for r in result["rows"]) else 0


# ---------------------------------------------------------------- derived numbers, targets


def row(result: Dict[str, Any], key: str) -> Optional[Dict[str, Any]]:
    for entry in result["rows"]:
        if entry["key"] == key and not entry.get("skipped") and entry.get("wall") is not None:
            return entry
    return None


def derived_rows(result: Dict[str, Any]) -> List[Dict[str, Any]]:
    """The in-process numbers the engine child and the parse child print, as rows: wall is the summed
    perf_counter time of that step alone (no interpreter start, no file reading)."""
    rows: List[Dict[str, Any]] = []
    parse, engine = row(result, "parse"), row(result, "engine")
    if parse and parse.get("child"):
        rows.append({"key": "inproc_parse", "label": "ast.parse of every file, in-process sum",
                     "wall": parse["child"]["parse_seconds"], "base": "inproc_parse"})
    if engine and engine.get("child"):
        c = engine["child"]
        rows += [
            {"key": "inproc_engine_parse", "label": "  engine child: its ast.parse sum (every file)",
             "wall": c["parse_seconds"], "cpu": c["parse_cpu"], "base": "inproc_engine_parse"},
            {"key": "inproc_engine", "label": "  engine alone: check_tree over parsed trees (every file)",
             "wall": c["engine_seconds"], "cpu": c["engine_cpu"], "rss_mb": engine["rss_mb"], "base": "inproc_engine_parse"},
            {"key": "inproc_prefilter", "label": "  prefilter alone: might_match on every file",
             "wall": c["prefilter_seconds"], "base": "inproc_engine_parse"},
            {"key": "inproc_passing_parse",
             "label": f"  ast.parse of the {int(c['passing_files'])} files passing the prefilter "
                      f"({int(c['passing_lines'])} lines)",
             "wall": c["passing_parse_seconds"], "cpu": c["passing_parse_cpu"], "base": "inproc_passing_parse"},
            {"key": "inproc_passing_engine", "label": "  engine (check_tree) on those files",
             "wall": c["passing_engine_seconds"], "cpu": c["passing_engine_cpu"], "base": "inproc_passing_parse"},
        ]
    return rows


def ratio(a: Optional[float], b: Optional[float]) -> Optional[float]:
    return a / b if a is not None and b else None


def targets(result: Dict[str, Any], fixable: Optional[Dict[str, Any]]) -> List[Dict[str, Any]]:
    """One entry per target of the issue: the measured value, the bound, met or not (None: not measured)."""
    wall = lambda key: (row(result, key) or {}).get("wall")  # noqa: E731
    rss = lambda key: (row(result, key) or {}).get("rss_mb")  # noqa: E731
    derived = {d["key"]: d for d in result.get("derived", [])}
    out: List[Dict[str, Any]] = []

    def add(name: str, value: Optional[float], op: str, bound: float, detail: str) -> None:
        met = None if value is None else (value <= bound if op == "<=" else value >= bound)
        out.append({"target": name, "value": value, "op": op, "bound": bound, "met": met, "detail": detail})

    cold = wall("check_cold_j1")
    add("check cold -j1 / ast.parse of every file", ratio(cold, wall("parse")), "<=", 1.5,
        "wall, both in their own process (interpreter start and file reading included); the long-run aim is 1x")
    add("check cold -j1 / ruff --select S cold, 1 thread", ratio(cold, wall("ruff_cold_1t")), "<=", 3.0,
        f"RAYON_NUM_THREADS=1; against ruff on every core: {fmt_ratio(ratio(cold, wall('ruff_cold')))}")
    add("bandit, 8 relevant tests / check cold -j1 (speed-up)", ratio(wall("bandit"), cold), ">=", 10.0,
        "bandit is one process too")
    add("bandit, every test / check cold -j1 (speed-up)", ratio(wall("bandit_all"), cold), ">=", 10.0, "")
    add("semgrep --jobs 1 / check cold -j1 (speed-up)", ratio(wall("semgrep"), cold), ">=", 10.0,
        "semgrep's own rules file, one job")
    add("flake8 E,W,F,FTL / E,W,F --extend-ignore=FTL, -j1", ratio(wall("flake8_with"), wall("flake8_without")),
        "<=", 1.05, f"with / plugin not loaded at all: {fmt_ratio(ratio(wall('flake8_with'), wall('flake8_absent')))}; "
        f"a plugin that only walks the tree / not loaded (the floor of being a plugin): "
        f"{fmt_ratio(ratio(wall('flake8_trivial'), wall('flake8_absent')))}")
    add("pylint W0611 + plugin / W0611 only", ratio(wall("pylint_with"), wall("pylint_without")), "<=", 1.02,
        "small corpus only; default checks with / without ours: "
        f"{fmt_ratio(ratio(wall('pylint_default_with'), wall('pylint_default_without')))}")
    add("check warm cache -j1 / ruff warm, 1 thread", ratio(wall("check_warm_j1"), wall("ruff_warm_1t")), "<=", 1.0,
        f"both at their default parallelism: {fmt_ratio(ratio(wall('check_warm_jn'), wall('ruff_warm')))}")
    passing = derived.get("inproc_passing_engine", {}).get("wall")
    add("engine / ast.parse on files passing the prefilter", ratio(passing, derived.get("inproc_passing_parse", {}).get("wall")),
        "<=", 1.0, "in-process sums over the same files; every file: "
        f"{fmt_ratio(ratio(derived.get('inproc_engine', {}).get('wall'), derived.get('inproc_engine_parse', {}).get('wall')))}")
    for key, kind in (("fix_diff", "safe"), ("fix_diff_unsafe", "safe_or_unsafe")):
        entry = row(result, key)
        parsed = entry.get("libcst") if entry else None
        if parsed is None or fixable is None:
            add(f"--fix{' --unsafe-fixes' if kind != 'safe' else ''}: libcst parses only fixable files", None, "<=", 0, "not measured")
            continue
        wanted = set(fixable[kind])
        got = {f for f in parsed["files"]}
        extra = sorted(got - wanted)
        add(f"--fix{' --unsafe-fixes' if kind != 'safe' else ''}: files parsed by libcst without a fix to apply",
            float(len(extra)), "<=", 0,
            f"{len(got)} files parsed by libcst ({parsed['parse_module_calls']} parse_module calls), "
            f"{len(wanted)} files with a {kind.replace('_', ' ')} fix, {fixable['files_with_findings']} with findings"
            + (f"; e.g. {extra[:3]}" if extra else ""))
    add("peak RSS check cold -j1 / ast.parse of every file", ratio(rss("check_cold_j1"), rss("parse")),
        "<=", 1.3, f"{fmt_mb(rss('check_cold_j1'))} vs {fmt_mb(rss('parse'))}; largest file alone "
        f"{fmt_mb(rss('parse_largest'))}; bare interpreter {fmt_mb(rss('python'))}")
    return out


# ---------------------------------------------------------------- rendering


def fmt_s(value: Optional[float]) -> str:
    return "-" if value is None else f"{value:.2f}"


def fmt_mb(value: Optional[float]) -> str:
    return "-" if value is None else f"{value:.0f} MB"


def fmt_ratio(value: Optional[float]) -> str:
    return "-" if value is None else f"{value:.2f}x"


def table_rows(result: Dict[str, Any]) -> List[List[str]]:
    base = (row(result, "parse") or {}).get("wall")
    derived = {d["key"]: d for d in result.get("derived", [])}
    lines = []
    for entry in result["rows"]:
        if entry.get("skipped"):
            lines.append([entry["label"], "-", "-", "-", "-", "skipped"])
            continue
        if entry.get("wall") is None:
            continue
        notes = []
        if entry.get("failed"):
            notes.append(f"FAILED exit {entry['exits']}")
        else:
            notes.append(f"exit {','.join(map(str, entry['exits']))}")
        last = entry["rounds"][-1] if entry.get("rounds") else {}
        if "scanned" in last:
            notes.append(f"{last['scanned']} files scanned, {last.get('findings')} findings")
        else:
            notes.append(f"{entry['output_lines']} output lines")
        deterministic = entry["key"].startswith(("check_", "fix_", "flake8", "ruff"))  # others print timings
        if deterministic and len(entry.get("output_sha1", [])) > 1:
            notes.append("output differs between rounds")
        lines.append([entry["label"], fmt_s(entry["wall"]), fmt_s(entry["cpu"]), fmt_mb(entry["rss_mb"]),
                      fmt_ratio(ratio(entry["wall"], base)), "; ".join(notes)])
        if entry["key"] == "engine":
            for d in result.get("derived", []):
                if d["key"] == "inproc_parse":
                    continue
                b = derived.get(d["base"], {}).get("wall")
                lines.append([d["label"], fmt_s(d["wall"]), fmt_s(d.get("cpu")), fmt_mb(d.get("rss_mb")),
                              fmt_ratio(ratio(d["wall"], b)) + "†", "in-process"])
        if entry["key"] == "parse" and "inproc_parse" in derived:
            d = derived["inproc_parse"]
            lines.append([d["label"], fmt_s(d["wall"]), "-", "-", fmt_ratio(ratio(d["wall"], base)), "in-process"])
    return lines


HEADER = ["command", "wall s", "CPU s", "peak RSS", "x ast.parse", "notes"]


def target_lines(result: Dict[str, Any]) -> List[str]:
    out = []
    for t in result["targets"]:
        if t["value"] is None:
            state, value = "not measured", "-"
        else:
            state = "met" if t["met"] else "MISSED"
            value = f"{t['value']:.0f}" if t["bound"] == 0 else f"{t['value']:.2f}x"
        bound = f"{t['bound']:.0f}" if t["bound"] == 0 else f"{t['bound']:g}x"
        out.append(f"{t['target']}: {value} (target {t['op']} {bound}) {state}. {t['detail']}")
    return out


def render_text(result: Dict[str, Any]) -> str:
    rows = [HEADER] + table_rows(result)
    widths = [max(len(r[i]) for r in rows) for i in range(len(HEADER) - 1)]
    text = [f"corpus {result['corpus']}: {result['files']} files, {result['lines']} lines, median of {result['rounds']} rounds"]
    for r in rows:
        cells = [r[0].ljust(widths[0])] + [r[i].rjust(widths[i]) for i in range(1, len(widths))] + [r[-1]]
        text.append("  ".join(cells))
    text.append("† in-process rows: ratio to the in-process ast.parse sum of the same files, not to the process row")
    text.append("")
    text.append(f"targets ({result['corpus']} corpus):")
    text += [f"  {line}" for line in target_lines(result)]
    return "\n".join(text)


def tool_version(env: Dict[str, Any], name: str) -> str:
    text = env.get(name)
    if not text:
        return f"{name} (not installed)"
    text = str(text).split(" (", 1)[0]
    return text if text.startswith(name) else f"{name} {text}"


def render_markdown(results: List[Dict[str, Any]]) -> str:
    env = results[0]["environment"]
    md = ["# Benchmark: latest run", "",
          "Generated by `python bench/run.py report` from `python bench/run.py run` results (see bench/README.md "
          "for what each row means). One machine, one run: read the ratios, not the seconds.", "",
          f"- machine: {env['machine']}, {env['cpus']} CPUs, Python {env['python']}",
          f"- flask-token-lint: {' '.join(env['flask_token_lint']) if env['flask_token_lint'] else '?'}, git {env.get('git')}",
          f"- CLI flags present: -j {env['cli_jobs']}, --no-cache {env['cli_no_cache']}, --cache-dir {env['cli_cache_dir']}",
          "- tools: " + ", ".join(tool_version(env, t) for t in ("flake8", "pylint", "ruff", "bandit", "semgrep", "libcst"))]
    for result in results:
        md += ["", f"## Corpus `{result['corpus']}`: {len(result['packages'])} packages, {result['files']} files, "
                   f"{result['lines']:,} lines", "",
               f"Started {result['started']}, {result['rounds']} rounds interleaved, {result['seconds']:.0f} s in all; "
               f"load average before {result['load_before'][0]:.2f}, after {result['load_after'][0]:.2f}. "
               f"Largest file: `{result['largest_file']}`.", "",
               "Packages: " + ", ".join(f"{p['package']} ({p['lines']:,})" for p in result["packages"]) + ".", "",
               "| " + " | ".join(HEADER) + " |", "|" + "---|" * len(HEADER)]
        for r in table_rows(result):
            md.append("| " + " | ".join(cell.replace("|", "\\|") for cell in r) + " |")
        md += ["", "† in-process rows: ratio to the in-process `ast.parse` sum of the same files.", "",
               f"### Targets ({result['corpus']} corpus)", ""]
        md += [f"- {line}" for line in target_lines(result)]
        table = result.get("rules_table")
        if table:
            md += ["", f"### Per rule ({result['corpus']} corpus): what its prefilter conditions pass, and what it costs", "",
                   f"{table['files']} files; the prefilter passes {table['passed']} holding "
                   f"{table['passed_parse_share']:.0%} of the parse time (prefilter {table['prefilter_seconds']:.2f} s "
                   f"vs parse {table['parse_seconds']:.2f} s in-process)."
                   + (f" Engine on the passing files: {table['engine_seconds']:.2f} s; \"saved\" is what leaving the "
                      "rule out saves (interleaved per file)." if "engine_seconds" in table else ""), "",
                   "| rule | files passed | share of parse time | passed for it alone | findings | saved without it |",
                   "|---|---|---|---|---|---|"]
            loo = table.get("leave_one_out", {})
            for code, entry in table["rules"].items():
                saved = loo.get(code)
                md.append(f"| {code} | {entry['passed']} | {entry['share']:.1%} | {entry['only']} | {entry['findings']} | "
                          + ("-" if saved is None else f"{saved:.2f} s") + " |")
        if result.get("worst_case"):
            md += ["", "### Adversarial inputs (`bench/worst_case.py`): time must grow linearly", "", "```"]
            md += result["worst_case"].strip().splitlines()
            md += ["```"]
        if result.get("profile"):
            md += ["", f"### Engine profile ({result['corpus']} corpus): check_tree on the files passing the "
                       "prefilter, top functions by tottime", "", "```"]
            md += [line for line in result["profile"].strip().splitlines() if line.strip()][:40]
            md += ["```"]
    return "\n".join(md) + "\n"


def command_report(arguments: argparse.Namespace) -> int:
    results = [json.loads(Path(p).read_text(encoding="utf-8")) for p in arguments.results]
    text = render_markdown(results)
    if arguments.out:
        Path(arguments.out).write_text(text, encoding="utf-8")
        print(f"wrote {arguments.out}")
    else:
        sys.stdout.write(text)
    return 0


def command_profile(arguments: argparse.Namespace) -> int:
    make_cache()
    files = [f for entry in corpus_files(arguments.corpus) for f in entry["files"]]
    filelist = WORK / f"files-{arguments.corpus}.txt"
    filelist.write_text("".join(f + "\n" for f in files), encoding="utf-8")
    return subprocess.call([PY, str(BENCH / "engine_files.py"), str(filelist), "--profile", str(arguments.top),
                            arguments.sort], cwd=WORK, env=child_env())


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    commands.add_parser("download", help="fetch, verify and unpack the pinned packages").set_defaults(run=command_download)
    files = commands.add_parser("files", help="list the corpus: packages, files, lines")
    files.add_argument("--corpus", choices=("full", "small"), default="full")
    files.add_argument("--list", action="store_true", help="every file too")
    files.set_defaults(run=command_files)
    run = commands.add_parser("run", help="measure every command; print the table and the targets; write JSON")
    run.add_argument("--corpus", choices=("full", "small"), default="full")
    run.add_argument("--rounds", type=int, default=3)
    run.add_argument("--json", metavar="OUT", help="where to write the results (default bench/.cache/work/results-CORPUS.json)")
    run.add_argument("--only", metavar="KEYS", help="comma-separated row-key prefixes (the parse rows and check_cold_j1 always run)")
    run.add_argument("--timeout", type=float, default=3600, help="seconds before one command is killed")
    run.add_argument("--top", type=int, default=10, help="functions in the engine profile")
    run.add_argument("--no-profile", action="store_true", help="skip the cProfile run of the engine")
    run.add_argument("--no-rules-table", action="store_true", help="skip the per-rule prefilter table")
    run.add_argument("--no-leave-one-out", action="store_true",
                     help="per-rule table without the leave-one-rule-out engine times (about 20 engine runs)")
    run.add_argument("--no-worst-case", action="store_true", help="skip the adversarial inputs (bench/worst_case.py)")
    run.add_argument("--no-semgrep", action="store_true", help="skip semgrep")
    run.add_argument("--no-pylint", action="store_true", help="skip pylint (it runs on the small corpus only)")
    run.add_argument("--no-pylint-default", action="store_true",
                     help="skip the slow pylint rows with every default check enabled")
    run.set_defaults(run=command_run)
    profile = commands.add_parser("profile", help="cProfile of Engine.check_tree on the files passing the prefilter")
    profile.add_argument("--corpus", choices=("full", "small"), default="full")
    profile.add_argument("--top", type=int, default=10)
    profile.add_argument("--sort", choices=("tottime", "cumtime"), default="tottime")
    profile.set_defaults(run=command_profile)
    report = commands.add_parser("report", help="render result JSON files as Markdown")
    report.add_argument("results", nargs="+")
    report.add_argument("--out", help="write here (e.g. bench/latest.md) instead of stdout")
    report.set_defaults(run=command_report)
    arguments = parser.parse_args(argv)
    if arguments.command == "run" and arguments.rounds < 1:
        parser.error("--rounds must be at least 1")
    try:
        return arguments.run(arguments)
    except Failure as error:
        print(f"bench: error: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
