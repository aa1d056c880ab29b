#!/usr/bin/env python3
"""The real-code corpus: scan pinned Flask-based packages and compare with hand review.

Fixtures show that a rule fires where its author expected; only real code shows how
often it fires where nobody should care. This script keeps that measurement
repeatable:

    python corpus/run.py download   # fetch the archives pinned in packages.txt, unpack them
    python corpus/run.py scan       # run the CLI with every rule over them -> .cache/findings.json
    python corpus/run.py check      # compare with verdicts.csv: exit 1 on unreviewed or lost TPs
    python corpus/run.py stats      # findings, tp, fp per code

Two corpora, chosen with ``--corpus`` before or after the subcommand: ``tuning``
(the default: packages.txt and verdicts.csv, the packages the rules were tuned on)
and ``fresh`` (fresh/packages.txt, fresh/verdicts.csv and fresh/misses.csv: packages
nobody tuned on, for honest precision and recall; its findings are split into
application code and test/example code, and precision counts application code only).

Everything downloaded or computed lives in corpus/.cache/, which ignores itself
(it holds a .gitignore of ``*``): third-party code and findings that change with
every engine edit must never be committed. Only packages.txt (what is scanned)
and verdicts.csv (what a person decided) are, and fresh/'s packages.txt,
verdicts.csv and misses.csv.

Standard library only, Python 3.9+, so it runs before anything is installed;
``download`` uses pip, the ordinary PyPI client, and ``scan`` runs the CLI from
this checkout with the interpreter that runs this script (activate .venv first).
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
import time
import zipfile
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any, Dict, Iterable, List, Optional, Tuple

CORPUS = Path(__file__).resolve().parent
REPO = CORPUS.parent
PACKAGES = CORPUS / "packages.txt"
VERDICTS = CORPUS / "verdicts.csv"
CACHE = CORPUS / ".cache"
ARCHIVES = CACHE / "archives"
SOURCES = CACHE / "src"
FINDINGS = CACHE / "findings.json"
FRESH = CORPUS / "fresh"

VERDICT_COLUMNS = ["package", "version", "path", "line", "code", "verdict", "reason"]
MISS_COLUMNS = ["package", "version", "path", "line", "code", "class", "reason"]
# Test and example code, by the path relative to the package root: a folder of one of
# these names at any depth, or a test module's file name. The fresh corpus reports its
# findings there apart from application code (precision is application code's only).
TEST_FOLDERS = {"tests", "test", "testing", "examples", "example", "docs", "demo"}
MISS_TEST_CLASS = "test-code"
# Mirrors flask_token_lint/files.py, so that the file and line counts printed by
# `scan` describe what the CLI actually read (kept as a copy: this script must not
# import the code it measures).
SKIPPED_DIRECTORIES = {
    ".git", ".hg", ".svn", ".tox", ".nox", ".venv", "venv", ".eggs", "__pycache__",
    "node_modules", "build", "dist", ".mypy_cache", ".pytest_cache", ".ruff_cache",
}

CHILD_ENV = dict(os.environ, PYTHONIOENCODING="utf-8")

Key = Tuple[str, str, str, int, str]  # package, version, path, line, code


class Failure(Exception):
    """An error the user must fix (bad pin, missing cache): printed, exit 2."""


@dataclass(frozen=True)
class Corpus:
    """One set of pinned packages with its review. Both unpack into SOURCES (package
    folders are name-version, so they cannot clash) but keep their own findings file."""

    name: str
    packages: Path
    verdicts: Path
    findings: Path
    misses: Optional[Path] = None  # fresh only: weaknesses the rules should have reported
    split: bool = False  # fresh only: application code and test/example code apart

    def relative(self, path: Path) -> str:
        try:
            return str(path.relative_to(REPO))
        except ValueError:
            return str(path)


CORPORA = {
    "tuning": Corpus("tuning", PACKAGES, VERDICTS, FINDINGS),
    "fresh": Corpus(
        "fresh", FRESH / "packages.txt", FRESH / "verdicts.csv", CACHE / "fresh-findings.json",
        misses=FRESH / "misses.csv", split=True,
    ),
}


def corpus_of(arguments: argparse.Namespace) -> Corpus:
    return CORPORA[getattr(arguments, "corpus", "tuning")]


def is_test_code(path: str) -> bool:
    """Test or example code, by a path relative to the package root: under a folder named
    tests, test, testing, examples, example, docs or demo (any depth), or a file named
    test_*.py, *_test.py or conftest.py."""
    parts = PurePosixPath(path).parts
    if not parts:
        return False
    name = parts[-1]
    return (
        any(part in TEST_FOLDERS for part in parts[:-1])
        or (name.startswith("test_") and name.endswith(".py"))
        or name.endswith("_test.py")
        or name == "conftest.py"
    )


@dataclass(frozen=True)
class Package:
    name: str
    version: str
    sha256: str
    archive: str

    @property
    def label(self) -> str:
        return f"{self.name}-{self.version}"

    @property
    def is_wheel(self) -> bool:
        return self.archive.endswith(".whl")

    @property
    def root(self) -> Path:
        return SOURCES / self.label


def read_packages(path: Path = PACKAGES) -> List[Package]:
    """packages.txt: ``name version sha256 archive`` per line, ``#`` comments."""
    packages = []
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        fields = line.split()
        if len(fields) != 4 or len(fields[2]) != 64:
            raise Failure(f"{path.name}:{number}: want 'name version sha256 archive', got {raw!r}")
        packages.append(Package(*fields))
    return packages


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


# ---------------------------------------------------------------- download


def make_cache() -> None:
    """Create .cache/ with a .gitignore of ``*``: the repository's own .gitignore is
    not ours to edit, and a self-ignoring folder cannot be committed by accident."""
    CACHE.mkdir(exist_ok=True)
    ignore = CACHE / ".gitignore"
    if not ignore.exists():
        ignore.write_text("*\n", encoding="utf-8")
    ARCHIVES.mkdir(exist_ok=True)
    SOURCES.mkdir(exist_ok=True)


def fetch(package: Package) -> None:
    """pip download of exactly the pinned file: --require-hashes makes pip pick the
    archive with that hash (so the wheel-or-sdist choice is the pin's, not pip's)
    and refuse anything else."""
    with tempfile.TemporaryDirectory(dir=CACHE) as scratch:
        requirements = Path(scratch) / "requirements.txt"
        requirements.write_text(
            f"{package.name}=={package.version} --hash=sha256:{package.sha256}\n", encoding="utf-8"
        )
        binary = "--only-binary=:all:" if package.is_wheel else "--no-binary=:all:"
        command = [
            sys.executable, "-m", "pip", "download", "--no-deps", "--require-hashes", binary,
            "--disable-pip-version-check", "--quiet", "-d", scratch, "-r", str(requirements),
        ]
        result = subprocess.run(command, capture_output=True, text=True)
        fetched = Path(scratch) / package.archive
        if result.returncode != 0 or not fetched.exists():
            raise Failure(f"{package.label}: pip download failed:\n{result.stderr.strip()}")
        os.replace(fetched, ARCHIVES / package.archive)


def unpack(package: Package, archive: Path) -> None:
    """Unpack into src/<name>-<version>/ through a temporary folder renamed at the
    end, so an interrupted run never leaves a half tree that looks cached. An sdist's
    single top folder is dropped so every package root looks alike."""
    scratch = Path(tempfile.mkdtemp(prefix=f".{package.label}-", dir=SOURCES))
    try:
        if package.is_wheel or archive.suffix == ".zip":
            with zipfile.ZipFile(archive) as bundle:
                for member in bundle.namelist():
                    if member.startswith("/") or ".." in Path(member).parts:
                        raise Failure(f"{archive.name}: unsafe member {member!r}")
                bundle.extractall(scratch)
        else:
            with tarfile.open(archive) as bundle:
                if hasattr(tarfile, "data_filter"):  # 3.12, and 3.9.17+/3.10.12+/3.11.4+
                    bundle.extractall(scratch, filter="data")
                else:
                    for info in bundle.getmembers():
                        if info.name.startswith("/") or ".." in Path(info.name).parts:
                            raise Failure(f"{archive.name}: unsafe member {info.name!r}")
                    bundle.extractall(scratch)
        top = list(scratch.iterdir())
        tree = top[0] if not package.is_wheel and len(top) == 1 and top[0].is_dir() else scratch
        os.replace(tree, package.root)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def command_download(arguments: argparse.Namespace) -> int:
    """Fetch what is missing or corrupt, verify every archive, unpack what is not
    unpacked yet. Touches the network only for archives not already cached."""
    make_cache()
    for package in read_packages(corpus_of(arguments).packages):
        archive = ARCHIVES / package.archive
        state = "cached"
        if not archive.exists() or sha256_of(archive) != package.sha256:
            fetch(package)
            state = "downloaded"
        actual = sha256_of(archive)
        if actual != package.sha256:
            archive.unlink()
            raise Failure(f"{package.label}: sha256 {actual} does not match the pin {package.sha256}")
        if not package.root.is_dir():
            unpack(package, archive)
            state += ", unpacked"
        print(f"{package.label:<32} {state}")
    return 0


# ---------------------------------------------------------------- scan


def python_files(root: Path) -> Iterable[Path]:
    for directory, subdirectories, files in os.walk(root):
        subdirectories[:] = [
            d for d in subdirectories
            if d not in SKIPPED_DIRECTORIES and not d.endswith(".egg-info")
            and not os.path.isfile(os.path.join(directory, d, "pyvenv.cfg"))
        ]
        for name in files:
            if name.endswith((".py", ".pyw")):
                yield Path(directory, name)


def measure(root: Path) -> Tuple[int, int]:
    """(files, lines) of Python under root, as the CLI walks it."""
    files = lines = 0
    for path in python_files(root):
        files += 1
        with path.open("rb") as handle:
            lines += sum(1 for _ in handle)
    return files, lines


def engine_env(engine: Path) -> Dict[str, str]:
    """The environment of the CLI: this checkout's engine needs nothing; another one
    (``scan --engine DIR``, a frozen worktree) also goes first on PYTHONPATH."""
    if engine == REPO:
        return CHILD_ENV
    path = os.pathsep.join(p for p in (str(engine), os.environ.get("PYTHONPATH", "")) if p)
    return dict(CHILD_ENV, PYTHONPATH=path)


def engine_flags(engine: Path) -> List[str]:
    """Flags that keep the scan complete whatever the engine's defaults: when the CLI
    can leave test and example code out (``--test-code``), ask it to report them."""
    result = subprocess.run(
        [sys.executable, "-m", "flask_token_lint", "check", "--help"],
        cwd=engine, capture_output=True, text=True, env=engine_env(engine),
    )
    if result.returncode != 0:
        raise Failure(f"`flask_token_lint check --help` failed in {engine}:\n{result.stderr.strip()}")
    return ["--test-code", "report"] if re.search(r"--test-code(?![-\w])", result.stdout) else []


def engine_file(engine: Path) -> str:
    """Where the CLI's ``flask_token_lint`` is imported from; it must be the engine's."""
    result = subprocess.run(
        [sys.executable, "-c", "import flask_token_lint; print(flask_token_lint.__file__)"],
        cwd=engine, capture_output=True, text=True, env=engine_env(engine),
    )
    where = result.stdout.strip()
    if result.returncode != 0 or not where:
        raise Failure(f"cannot import flask_token_lint from {engine}:\n{result.stderr.strip()}")
    if not Path(where).resolve().is_relative_to(engine.resolve()):
        raise Failure(f"flask_token_lint is imported from {where}, not from the engine folder {engine}")
    return where


def run_cli(root: Path, engine: Path = REPO, flags: Iterable[str] = ()) -> Tuple[List[dict], List[str], int, float]:
    """The CLI over one package root, with every rule (``--select FTL`` also turns on
    the rules that are off by default). It runs from the engine's folder (this
    checkout unless ``--engine``) so that ``-m flask_token_lint`` is that engine, and
    never from the package folder, whose own top-level modules would then shadow the
    engine's imports."""
    # No results cache: the findings must be this engine's, not those of an earlier one with the same version.
    command = [sys.executable, "-m", "flask_token_lint", "check", "--no-cache", "--isolated", "--select", "FTL"]
    command += ["--format", "json", *flags]
    command.append(str(root))
    start = time.perf_counter()
    result = subprocess.run(
        command, cwd=engine, capture_output=True, env=engine_env(engine), encoding="utf-8", errors="replace"
    )
    seconds = time.perf_counter() - start
    errors = [line for line in result.stderr.splitlines() if line.strip()]
    try:
        rows = json.loads(result.stdout) if result.stdout.strip() else []
    except json.JSONDecodeError:
        rows, errors = [], errors + [f"unreadable JSON output: {result.stdout[:200]!r}"]
    if result.returncode not in (0, 1) and not errors:
        errors.append(f"exit code {result.returncode}")
    return rows, errors, result.returncode, seconds


def command_scan(arguments: argparse.Namespace) -> int:
    """Scan every pinned package; write findings.json (with per-package sizes, so
    `check` knows which packages were scanned even when they have no finding).
    Exit 1 when the CLI crashed or errored on any package: the corpus must run clean."""
    corpus = corpus_of(arguments)
    packages = read_packages(corpus.packages)
    missing = [p.label for p in packages if not p.root.is_dir()]
    if missing:
        flag = "" if corpus.name == "tuning" else f" --corpus {corpus.name}"
        raise Failure(f"not unpacked: {', '.join(missing)}; run `python corpus/run.py{flag} download` first")
    engine = Path(arguments.engine).resolve() if arguments.engine else REPO
    imported = engine_file(engine)
    flags = engine_flags(engine)
    version = subprocess.run(
        [sys.executable, "-m", "flask_token_lint", "--version"], cwd=engine, capture_output=True, text=True,
        env=engine_env(engine),
    ).stdout.strip()
    output = Path(arguments.findings).resolve() if arguments.findings else corpus.findings
    print(f"engine: {imported} ({version}){' ' + ' '.join(flags) if flags else ''}")
    summaries: List[Dict[str, Any]] = []
    findings: List[Dict[str, Any]] = []
    failed = False
    totals: Counter = Counter()
    print(f"{'package':<32} {'files':>6} {'lines':>8} {'seconds':>8}  findings")
    for package in packages:
        files, lines = measure(package.root)
        rows, errors, exit_code, seconds = run_cli(package.root, engine, flags)
        codes = Counter(row["code"] for row in rows)
        totals.update(codes)
        for row in rows:
            findings.append({
                "package": package.name,
                "version": package.version,
                "path": Path(os.path.relpath(row["path"], package.root)).as_posix(),
                "line": row["line"],
                "column": row["column"],
                "end_line": row.get("end_line", row["line"]),
                "code": row["code"],
                "message": row["message"],
            })
        summaries.append({
            "package": package.name, "version": package.version, "files": files, "lines": lines,
            "seconds": round(seconds, 2), "exit_code": exit_code, "errors": errors,
        })
        per_code = " ".join(f"{code}:{n}" for code, n in sorted(codes.items())) or "-"
        print(f"{package.label:<32} {files:>6} {lines:>8} {seconds:>8.2f}  {per_code}")
        for error in errors:
            failed = True
            print(f"    error: {error}")
    findings.sort(key=lambda f: (f["package"].lower(), f["path"], f["line"], f["column"], f["code"]))
    result = {
        "tool": version, "command": " ".join(["check --select FTL --format json", *flags]),
        "corpus": corpus.name, "engine": imported, "packages": summaries, "findings": findings,
    }
    output.write_text(json.dumps(result, indent=1) + "\n", encoding="utf-8")
    print(
        f"{'total':<32} {sum(s['files'] for s in summaries):>6} {sum(s['lines'] for s in summaries):>8} "
        f"{sum(s['seconds'] for s in summaries):>8.2f}  {len(findings)} findings"
    )
    for code, n in sorted(totals.items()):
        if corpus.split:
            tests = sum(1 for f in findings if f["code"] == code and is_test_code(f["path"]))
            print(f"  {code} {n}  (application {n - tests}, test/example {tests})")
        else:
            print(f"  {code} {n}")
    print(f"wrote {corpus.relative(output)}")
    return 1 if failed else 0


# ---------------------------------------------------------------- check, stats


def load_findings(corpus: Corpus = CORPORA["tuning"], path: Optional[Path] = None) -> dict:
    path = path or corpus.findings
    if not path.exists():
        flag = "" if corpus.name == "tuning" else f" --corpus {corpus.name}"
        raise Failure(f"no {corpus.relative(path)}; run `python corpus/run.py{flag} scan` first")
    return json.loads(path.read_text(encoding="utf-8"))


def findings_path(arguments: argparse.Namespace) -> Optional[Path]:
    given = getattr(arguments, "findings", None)
    return Path(given).resolve() if given else None


def key_of(row: dict) -> Key:
    return (row["package"], row["version"], row["path"], int(row["line"]), row["code"])


def read_rows(path: Path, columns: List[str]) -> Iterable[Tuple[str, dict]]:
    """The rows of a review file with the given header, each with its ``file:line`` for
    messages. A missing file or another header is an error, not an empty review."""
    if not path.exists():
        raise Failure(f"no {path.name} at {path}; create it with the header {','.join(columns)}")
    with path.open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        if reader.fieldnames != columns:
            raise Failure(f"{path.name}: header must be {','.join(columns)}")
        for row in reader:
            yield f"{path.name}:{reader.line_num}", row


def check_line(where: str, row: dict) -> None:
    if not (row["line"] or "").isdigit():
        raise Failure(f"{where}: line must be a number, not {row['line']!r}")


def load_verdicts(path: Path = VERDICTS) -> Dict[Key, dict]:
    """verdicts.csv keyed by (package, version, path, line, code). No column: two
    findings of one code on one line share a verdict. Bad rows are errors, not
    skipped rows, since a silently dropped verdict would read as 'unreviewed'."""
    verdicts: Dict[Key, dict] = {}
    for where, row in read_rows(path, VERDICT_COLUMNS):
        if row["verdict"] not in ("tp", "fp"):
            raise Failure(f"{where}: verdict must be tp or fp, not {row['verdict']!r}")
        check_line(where, row)
        key = key_of(row)
        if key in verdicts:
            raise Failure(f"{where}: second verdict for {key}")
        verdicts[key] = row
    return verdicts


def load_misses(path: Optional[Path]) -> Dict[Key, dict]:
    """misses.csv (fresh corpus): weaknesses a reviewer found that the rules should have
    reported, keyed like verdicts; ``class`` names the kind of miss (``test-code`` for
    misses in test and example code, which are counted apart)."""
    misses: Dict[Key, dict] = {}
    if path is None:
        return misses
    for where, row in read_rows(path, MISS_COLUMNS):
        check_line(where, row)
        code = row["code"]
        if not (code.startswith("FTL") and code[3:].isdigit() and len(code) == 6):
            raise Failure(f"{where}: code must be a rule code such as FTL201, not {code!r}")
        if not row["class"].strip():
            raise Failure(f"{where}: class is empty")
        if (row["class"] == MISS_TEST_CLASS) != is_test_code(row["path"]):
            print(f"warning: {where}: class {row['class']!r} but {row['path']} is "
                  f"{'test/example' if is_test_code(row['path']) else 'application'} code")
        key = key_of(row)
        if key in misses:
            raise Failure(f"{where}: second miss for {key}")
        misses[key] = row
    return misses


def reported(miss: dict, findings: List[dict]) -> bool:
    """A miss is reported once a finding of its code covers its line in its file."""
    package, version, path, line, code = key_of(miss)
    return any(
        f["package"] == package and f["version"] == version and f["path"] == path and f["code"] == code
        and f["line"] <= line <= f.get("end_line", f["line"])
        for f in findings
    )


def fp_class(verdict: dict) -> str:
    """The false-positive class a reason names first in square brackets."""
    reason = verdict["reason"].strip()
    if reason.startswith("[") and "]" in reason:
        return reason[1:reason.index("]")]
    return "(no class)"


def tally(findings: List[dict], verdicts: Dict[Key, dict]) -> Dict[str, Counter]:
    """Per code: findings, tp, fp and unreviewed ('new'), counted per finding."""
    table: Dict[str, Counter] = defaultdict(Counter)
    for finding in findings:
        counts = table[finding["code"]]
        counts["findings"] += 1
        verdict = verdicts.get(key_of(finding))
        counts[verdict["verdict"] if verdict else "new"] += 1
    return table


def print_table(table: Dict[str, Counter]) -> None:
    print(f"{'code':<8} {'findings':>8} {'tp':>5} {'fp':>5} {'new':>5} {'precision':>9}")
    total: Counter = Counter()
    for code in sorted(table):
        total.update(table[code])
        print_row(code, table[code])
    print_row("total", total)


def print_row(label: str, counts: Counter) -> None:
    reviewed = counts["tp"] + counts["fp"]
    precision = f"{counts['tp'] / reviewed:.0%}" if reviewed else "-"
    print(f"{label:<8} {counts['findings']:>8} {counts['tp']:>5} {counts['fp']:>5} {counts['new']:>5} {precision:>9}")


def split_tally(findings: List[dict], verdicts: Dict[Key, dict], misses: List[dict]) -> Dict[str, Dict[str, Counter]]:
    """Per code, application code and test/example code apart: findings, tp, fp, new,
    and the misses not yet reported."""
    application = tally([f for f in findings if not is_test_code(f["path"])], verdicts)
    tests = tally([f for f in findings if is_test_code(f["path"])], verdicts)
    for miss in misses:
        (tests if is_test_code(miss["path"]) else application)[miss["code"]]["misses"] += 1
    return {code: {"app": application[code], "test": tests[code]} for code in sorted(set(application) | set(tests))}


def print_split_table(table: Dict[str, Dict[str, Counter]]) -> None:
    """Precision and recall count application code only; test/example code is counted apart."""
    print(f"{'':<8} {'application code':-^54}  {'test/example code':-^30}")
    print(f"{'code':<8} {'findings':>8} {'tp':>5} {'fp':>5} {'new':>5} {'precision':>9} {'misses':>6} {'recall':>7}"
          f"  {'findings':>8} {'tp':>5} {'fp':>5} {'new':>5} {'misses':>6}")
    total: Dict[str, Counter] = {"app": Counter(), "test": Counter()}
    for code in sorted(table):
        for part in total:
            total[part].update(table[code][part])
        print_split_row(code, table[code])
    print_split_row("total", total)


def print_split_row(label: str, row: Dict[str, Counter]) -> None:
    app, test = row["app"], row["test"]
    reviewed = app["tp"] + app["fp"]
    precision = f"{app['tp'] / reviewed:.0%}" if reviewed else "-"
    recall = f"{app['tp'] / (app['tp'] + app['misses']):.0%}" if app["tp"] + app["misses"] else "-"
    print(f"{label:<8} {app['findings']:>8} {app['tp']:>5} {app['fp']:>5} {app['new']:>5} {precision:>9} "
          f"{app['misses']:>6} {recall:>7}  {test['findings']:>8} {test['tp']:>5} {test['fp']:>5} {test['new']:>5} "
          f"{test['misses']:>6}")


def where_of(row: dict, corpus: Corpus) -> str:
    """A finding's or verdict's place, marked when it is test/example code (fresh corpus)."""
    mark = "[test] " if corpus.split and is_test_code(row["path"]) else ""
    return f"{mark}{row['package']} {row['version']}  {row['path']}"


def command_check(arguments: argparse.Namespace) -> int:
    """Fail on what needs a person: a finding nobody has judged, or a true positive
    the engine no longer reports (a recall regression). A false positive that went
    away is progress and is only listed. Verdicts for a package version that was not
    scanned (after a bump) are listed as stale and need migrating, not counted as gone.
    On the fresh corpus, misses (misses.csv) the engine now reports are listed too."""
    corpus = corpus_of(arguments)
    data = load_findings(corpus, findings_path(arguments))
    verdicts = load_verdicts(corpus.verdicts)
    misses = load_misses(corpus.misses)
    scanned = {(s["package"], s["version"]) for s in data["packages"]}
    pinned = {(p.name, p.version) for p in read_packages(corpus.packages)}
    found = {key_of(f) for f in data["findings"]}
    new = [f for f in data["findings"] if key_of(f) not in verdicts]
    stale = [v for k, v in verdicts.items() if k[:2] not in scanned]
    gone = [v for k, v in verdicts.items() if k[:2] in scanned and k not in found]
    lost = [v for v in gone if v["verdict"] == "tp"]
    fixed = [v for v in gone if v["verdict"] == "fp"]
    current = [m for k, m in misses.items() if k[:2] in scanned]
    caught = [m for m in current if reported(m, data["findings"])]
    missed = [m for m in current if not reported(m, data["findings"])]
    stale_misses = [m for k, m in misses.items() if k[:2] not in scanned]

    if pinned != scanned:
        pins = corpus.packages.name if corpus.name == "tuning" else corpus.relative(corpus.packages)
        print(f"warning: {(findings_path(arguments) or corpus.findings).name} does not match {pins}; run scan again "
              f"(unscanned: {sorted(pinned - scanned)}, no longer pinned: {sorted(scanned - pinned)})")
    if new:
        print(f"new (unreviewed) findings: {len(new)}")
        for f in new:
            print(f"  {where_of(f, corpus)}:{f['line']}:{f['column']}: {f['code']} {f['message']}")
    for title, rows in (
        ("lost true positives (recall regression)", lost),
        ("fixed false positives", fixed),
        ("stale verdicts (package version not scanned)", stale),
        ("misses now reported (give the finding a tp verdict, delete the miss)", caught),
        ("stale misses (package version not scanned)", stale_misses),
    ):
        if rows:
            print(f"{title}: {len(rows)}")
            for v in rows:
                print(f"  {where_of(v, corpus)}:{v['line']}: {v['code']}  ({v['reason']})")
    if corpus.split:
        print_split_table(split_tally(data["findings"], verdicts, missed))
    else:
        print_table(tally(data["findings"], verdicts))
    if new:
        print(f"FAIL: {len(new)} findings have no verdict; add rows to {corpus.relative(corpus.verdicts)}")
    if lost:
        print(f"FAIL: {len(lost)} true positives are no longer reported")
    if not (new or lost):
        print("OK: every finding reviewed, no true positive lost")
    return 1 if new or lost else 0


def command_stats(arguments: argparse.Namespace) -> int:
    """Per-code precision on the corpus, for the README and for deciding which rules
    stay on by default. On the fresh corpus: application code and test/example code
    apart, recall against misses.csv, and the false-positive and miss classes."""
    corpus = corpus_of(arguments)
    data = load_findings(corpus, findings_path(arguments))
    verdicts = load_verdicts(corpus.verdicts)
    print(f"{data['tool']}: {len(data['packages'])} packages, "
          f"{sum(s['files'] for s in data['packages'])} files, {sum(s['lines'] for s in data['packages'])} lines")
    if not corpus.split:
        print_table(tally(data["findings"], verdicts))
        return 0
    scanned = {(s["package"], s["version"]) for s in data["packages"]}
    misses = [m for k, m in load_misses(corpus.misses).items()
              if k[:2] in scanned and not reported(m, data["findings"])]
    print_split_table(split_tally(data["findings"], verdicts, misses))
    for part, title in ((False, "application code"), (True, "test/example code")):
        classes: Dict[str, List[dict]] = defaultdict(list)
        for finding in data["findings"]:
            verdict = verdicts.get(key_of(finding))
            if verdict and verdict["verdict"] == "fp" and is_test_code(finding["path"]) == part:
                classes[fp_class(verdict)].append(finding)
        print_classes(f"false-positive classes, {title}", classes)
    for part, title in ((False, "application code"), (True, "test/example code")):
        classes = defaultdict(list)
        for miss in misses:
            if is_test_code(miss["path"]) == part:
                classes[miss["class"]].append(miss)
        print_classes(f"miss classes, {title}", classes)
    return 0


def print_classes(title: str, classes: Dict[str, List[dict]]) -> None:
    """Count per class, the codes it touches and one example place."""
    print(f"{title}: {sum(len(rows) for rows in classes.values())}")
    for name, rows in sorted(classes.items(), key=lambda item: (-len(item[1]), item[0])):
        codes = Counter(row["code"] for row in rows)
        first = rows[0]
        print(f"  {len(rows):>4}  {name}  ({', '.join(f'{c} {n}' for c, n in sorted(codes.items()))}); "
              f"e.g. {first['package']} {first['path']}:{first['line']}")


def command_frontends(arguments: argparse.Namespace) -> int:
    """Run flake8 (every FTL rule) and pylint (our checker only) over every package and count crashes:
    tracebacks, flake8's plugin failures, pylint's fatal and crash messages. Exit 1 on any."""
    packages = read_packages(corpus_of(arguments).packages)
    crashes = 0
    print(f"{'package':<32} {'front-end':<8} {'seconds':>8}  crashes")
    for package in packages:
        roots = [str(package.root)]
        runs = {
            "flake8": [sys.executable, "-m", "flake8", "--isolated", "--select", "FTL", "-j", "2", *roots],
            "pylint": [
                sys.executable, "-m", "pylint", "--rcfile", os.devnull, "--load-plugins=flask_token_lint.pylint_plugin",
                "--disable=all", "--enable=flask-token-lint,jwt-decode-missing-issuer", "--score=n",
                "--persistent=n", "--jobs=2",
                "--recursive=y", *roots,
            ],
        }
        for name, command in runs.items():
            started = time.perf_counter()
            result = subprocess.run(command, cwd=REPO, capture_output=True, text=True, env=CHILD_ENV)
            seconds = time.perf_counter() - started
            text = result.stdout + result.stderr
            markers = ("Traceback (most recent call last)", "PluginExecutionFailed", "astroid-error",
                       "fatal", "internal error", "crash")
            found = [line for line in text.splitlines() if any(m in line for m in markers)]
            crashes += len(found)
            print(f"{package.label:<32} {name:<8} {seconds:8.1f}  {len(found)}")
            for line in found[:5]:
                print(f"    {line}")
    print(f"total crashes: {crashes}")
    return 1 if crashes else 0


def main(argv: List[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    corpus_help = "tuning: packages.txt and verdicts.csv (default); fresh: fresh/, with misses.csv and app/test split"
    parser.add_argument("--corpus", choices=sorted(CORPORA), default="tuning", help=corpus_help)
    # The same option after the subcommand; SUPPRESS keeps the value given before it.
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--corpus", choices=sorted(CORPORA), default=argparse.SUPPRESS, help=corpus_help)
    findings = argparse.ArgumentParser(add_help=False)
    findings.add_argument(
        "--findings", metavar="FILE",
        help="findings file to write (scan) or read (check, stats); default .cache/findings.json "
             "(tuning) or .cache/fresh-findings.json (fresh)",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name, function, summary, parents in (
        ("download", command_download, "fetch, verify and unpack the packages pinned in packages.txt", [common]),
        ("scan", command_scan, "run the CLI with every rule over them, write the corpus's findings file",
         [common, findings]),
        ("check", command_check, "compare findings with verdicts.csv; exit 1 on unreviewed findings or lost TPs",
         [common, findings]),
        ("stats", command_stats, "findings, tp and fp per code", [common, findings]),
        ("frontends", command_frontends, "flake8 and pylint over every package: crash count (slow)", [common]),
    ):
        sub = commands.add_parser(name, help=summary, description=function.__doc__, parents=parents)
        sub.set_defaults(run=function)
        if name == "scan":
            sub.add_argument(
                "--engine", metavar="DIR",
                help="folder holding the flask_token_lint to measure, e.g. a frozen git worktree "
                     "(default: this checkout); the CLI runs from it, with it first on PYTHONPATH",
            )
    arguments = parser.parse_args(argv)
    try:
        return arguments.run(arguments)
    except Failure as error:
        print(f"corpus: error: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
