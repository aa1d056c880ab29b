"""The package's layout as DESIGN.md draws it: no import cycles, one door for rules, rules found not listed.

Imports are read from the source with ``ast`` (every ``import`` and ``from ... import`` at any depth,
inside functions too); nothing here imports a module to learn what it imports.
"""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
from frontends import ROOT

from flask_token_lint.registry import all_rules

PACKAGE = "flask_token_lint"
PACKAGE_DIR = ROOT / PACKAGE
RULES_PACKAGE = f"{PACKAGE}.rules"
ARCHITECTURE_DOC = ROOT / "docs" / "ARCHITECTURE.md"

# What a rule module may import from the package: the rule base, the one door and shared vocabularies.
RULE_IMPORTS = {f"{PACKAGE}.{name}" for name in ("rule", "context", "kinds", "credentials", "syntax")}
# Fixes edit with libcst, which ``check`` and the plugins never load: only lazily, inside ``apply_fix``.
FIX_IMPORT = f"{PACKAGE}.cst_edits"
FIX_METHOD = "apply_fix"
# Rule modules that break the rule above today, with the reason they are kept visible: {module: reason}.
KNOWN_RULE_IMPORT_VIOLATIONS: dict[str, str] = {}


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULE_FILES = {module_name(path): path for path in sorted(PACKAGE_DIR.rglob("*.py"))}
RULE_MODULES = sorted(name for name in MODULE_FILES if name.startswith(f"{RULES_PACKAGE}."))


@dataclass(frozen=True)
class Import:
    target: str  # the package module it loads
    line: int
    functions: tuple[str, ...]  # the functions it is inside, outermost first
    type_checking: bool  # under ``if TYPE_CHECKING:``


def _known(name: str) -> str:
    """The longest prefix of a dotted name that is a module of the package."""
    parts = name.split(".")
    while parts and ".".join(parts) not in MODULE_FILES:
        parts.pop()
    return ".".join(parts)


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


class _Imports(ast.NodeVisitor):
    def __init__(self, module: str) -> None:
        is_package = MODULE_FILES[module].name == "__init__.py"
        self.package = module if is_package else module.rpartition(".")[0]
        self.found: list[Import] = []
        self.functions: list[str] = []
        self.type_checking = 0

    def _add(self, name: str, node: ast.stmt) -> None:
        target = _known(name)
        if target:
            self.found.append(Import(target, node.lineno, tuple(self.functions), self.type_checking > 0))

    def visit_Import(self, node: ast.Import) -> None:
        for alias in node.names:
            self._add(alias.name, node)

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        base = node.module or ""
        if node.level:
            anchor = self.package.split(".")
            anchor = anchor[: len(anchor) - (node.level - 1)]
            base = ".".join([*anchor, *([base] if base else [])])
        for alias in node.names:
            submodule = f"{base}.{alias.name}"
            self._add(submodule if alias.name != "*" and submodule in MODULE_FILES else base, node)

    def _function(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        self.functions.append(node.name)
        self.generic_visit(node)
        self.functions.pop()

    visit_FunctionDef = visit_AsyncFunctionDef = _function

    def visit_If(self, node: ast.If) -> None:
        if not _is_type_checking(node.test):
            self.generic_visit(node)
            return
        self.visit(node.test)
        self.type_checking += 1
        for statement in node.body:
            self.visit(statement)
        self.type_checking -= 1
        for statement in node.orelse:
            self.visit(statement)


def imports_of(module: str) -> list[Import]:
    visitor = _Imports(module)
    visitor.visit(ast.parse(MODULE_FILES[module].read_text(encoding="utf-8")))
    return visitor.found


IMPORTS = {module: imports_of(module) for module in MODULE_FILES}
# What each module loads when it runs (imports under ``if TYPE_CHECKING:`` never run).
GRAPH = {module: sorted({i.target for i in found if not i.type_checking}) for module, found in IMPORTS.items()}


def cycles(graph: dict[str, list[str]]) -> list[list[str]]:
    """One cycle through each strongly connected component that has one (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    components: list[list[str]] = []

    def connect(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for successor in graph.get(node, ()):
            if successor not in index:
                connect(successor)
                low[node] = min(low[node], low[successor])
            elif successor in on_stack:
                low[node] = min(low[node], index[successor])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1 or node in graph.get(node, ()):
                components.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            connect(node)
    return [_cycle_in(graph, set(component), component[0]) for component in components]


def _cycle_in(graph: dict[str, list[str]], component: set[str], start: str) -> list[str]:
    """The shortest way from ``start`` back to itself inside its component, ``start`` at both ends."""
    paths = {start: [start]}
    frontier = [start]
    while frontier:
        following = []
        for node in frontier:
            for successor in graph.get(node, ()):
                if successor == start:
                    return paths[node] + [start]
                if successor in component and successor not in paths:
                    paths[successor] = paths[node] + [successor]
                    following.append(successor)
        frontier = following
    raise AssertionError(f"no cycle through {start}")


def reachable(graph: dict[str, list[str]], start: str) -> dict[str, list[str]]:
    """Every module ``start`` loads, directly or not, with one chain of imports that leads to it."""
    chains = {start: [start]}
    frontier = [start]
    while frontier:
        node = frontier.pop()
        for successor in graph.get(node, ()):
            if successor not in chains:
                chains[successor] = chains[node] + [successor]
                frontier.append(successor)
    return chains


# -- (a) no cycles --------------------------------------------------------------------------------


def test_the_graph_reads_imports_at_any_depth():
    assert len(MODULE_FILES) > 20 and RULE_MODULES
    assert f"{PACKAGE}.rule" in GRAPH[f"{RULES_PACKAGE}.cookie_flags"]
    assert FIX_IMPORT in GRAPH[f"{RULES_PACKAGE}.cookie_flags"]  # inside apply_fix
    assert RULES_PACKAGE in GRAPH[f"{PACKAGE}.registry"]  # ``from flask_token_lint import rules``
    assert not {PACKAGE, f"{PACKAGE}.__init__"} & set(GRAPH[f"{PACKAGE}.registry"])


def test_cycles_are_found_and_printed():
    graph = {"a": ["b"], "b": ["c"], "c": ["a", "d"], "d": [], "e": ["e"]}
    assert cycles(graph) == [["a", "b", "c", "a"], ["e", "e"]]
    assert cycles({"a": ["b"], "b": []}) == []


def test_the_package_has_no_import_cycles():
    found = cycles(GRAPH)
    assert not found, "import cycles:\n" + "\n".join(" -> ".join(cycle) for cycle in found)


# -- (b) rules import the rule base, the context and shared vocabularies only ----------------------


def rule_import_violations(module: str) -> list[str]:
    violations = []
    for found in IMPORTS[module]:
        if found.target in RULE_IMPORTS:
            continue
        if found.target == FIX_IMPORT and FIX_METHOD in found.functions:
            continue
        where = f" (in {'.'.join(found.functions)})" if found.functions else " (at module level)"
        violations.append(f"{MODULE_FILES[module].relative_to(ROOT)}:{found.line}: imports {found.target}{where}")
    return violations


def _rule_module_case(module: str):
    reason = KNOWN_RULE_IMPORT_VIOLATIONS.get(module)
    marks = [pytest.mark.xfail(strict=True, reason=reason)] if reason else []
    return pytest.param(module, id=module.rpartition(".")[2], marks=marks)


@pytest.mark.parametrize("module", [_rule_module_case(module) for module in RULE_MODULES])
def test_a_rule_module_imports_only_the_rule_base_the_context_and_vocabularies(module):
    violations = rule_import_violations(module)
    assert not violations, "\n".join(violations)


def test_the_rule_import_check_sees_violations():
    source = (
        "from flask_token_lint.engine import Engine\n"
        "from flask_token_lint.rule import Rule\n"
        "from flask_token_lint import cst_edits\n"
        "def apply_fix(node, data):\n    from flask_token_lint import cst_edits\n"
        "def check(node, ctx):\n    from flask_token_lint.values import Value\n"
    )
    visitor = _Imports(f"{RULES_PACKAGE}.cookie_flags")
    visitor.visit(ast.parse(source))
    allowed = [
        i.target in RULE_IMPORTS or (i.target == FIX_IMPORT and FIX_METHOD in i.functions) for i in visitor.found
    ]
    assert [i.target for i in visitor.found] == [
        f"{PACKAGE}.engine", f"{PACKAGE}.rule", FIX_IMPORT, FIX_IMPORT, f"{PACKAGE}.values"
    ]
    assert allowed == [False, True, False, True, False]


# -- (c) the rule base knows nothing of the rules or their registry ---------------------------------


def test_the_rule_base_does_not_import_the_rules_or_the_registry():
    rule = f"{PACKAGE}.rule"

    def forbidden(name: str) -> bool:
        return name in (f"{PACKAGE}.registry", RULES_PACKAGE) or name.startswith(f"{RULES_PACKAGE}.")

    direct = [f"line {i.line}: {i.target}" for i in IMPORTS[rule] if forbidden(i.target)]
    assert not direct, "rule.py imports " + ", ".join(direct)
    chains = [" -> ".join(chain) for name, chain in reachable(GRAPH, rule).items() if forbidden(name)]
    assert not chains, "rule.py loads, through other modules: " + "; ".join(chains)


# -- (d) rules are discovered, not listed ---------------------------------------------------------


def rule_classes_in_source() -> set[tuple[str, str, str | None]]:
    """(module, class, code) of every Rule subclass under rules/ that sets ``code``, read from the source."""
    found = set()
    for module in RULE_MODULES:
        tree = ast.parse(MODULE_FILES[module].read_text(encoding="utf-8"))
        classes = [node for node in tree.body if isinstance(node, ast.ClassDef)]
        rules = {"Rule"}
        changed = True
        while changed:  # subclasses of subclasses defined in the same module
            changed = False
            for cls in classes:
                if cls.name not in rules and any(isinstance(b, ast.Name) and b.id in rules for b in cls.bases):
                    rules.add(cls.name)
                    changed = True
        for cls in classes:
            if cls.name in rules:
                code = _class_code(cls)
                if code is not False:
                    found.add((module, cls.name, code))
    return found


def _class_code(cls: ast.ClassDef) -> str | None | bool:
    """The literal ``code`` the class body sets, None when it is not a literal, False when it sets none."""
    for statement in cls.body:
        targets = (
            statement.targets if isinstance(statement, ast.Assign)
            else [statement.target] if isinstance(statement, ast.AnnAssign) and statement.value is not None
            else []
        )
        if any(isinstance(t, ast.Name) and t.id == "code" for t in targets):
            value = statement.value  # type: ignore[union-attr]
            return value.value if isinstance(value, ast.Constant) and isinstance(value.value, str) else None
    return False


def test_every_rule_class_under_rules_is_registered():
    in_source = rule_classes_in_source()
    registered = {(rule.__module__, rule.__name__, code) for code, rule in all_rules().items()}
    by_class = {(module, name): code for module, name, code in registered}
    missing = sorted(
        f"{module}.{name} ({code})" for module, name, code in in_source
        if (module, name) not in by_class or (code is not None and by_class[module, name] != code)
    )
    assert not missing, f"rule classes that all_rules() does not find: {missing}"
    unseen = sorted(f"{m}.{n}" for m, n, _ in registered if (m, n) not in {(m2, n2) for m2, n2, _ in in_source})
    assert not unseen, f"registered rules the source scan does not see: {unseen}"


# -- (e) the architecture page names every module -------------------------------------------------


def test_the_architecture_page_names_every_module():
    assert ARCHITECTURE_DOC.exists(), "docs/ARCHITECTURE.md draws the package: one line per module"
    text = ARCHITECTURE_DOC.read_text(encoding="utf-8")
    names = sorted(path.name for path in PACKAGE_DIR.glob("*.py"))
    missing = [name for name in names if not re.search(rf"(?<![\w.]){re.escape(name)}\b", text)]
    if not re.search(r"(?<![\w.])rules/", text):
        missing.append("rules/")
    assert not missing, f"{ARCHITECTURE_DOC.relative_to(ROOT)} never mentions: {missing}"


def test_output_cache_and_fixer_do_not_load_the_analyzer():
    """Renderers, the cache, baselines and the fixer hand on findings: loading them (and the rule
    registry they read metadata from) must not load the analysis modules."""
    code = (
        "import sys\n"
        "import flask_token_lint.report, flask_token_lint.sarif, flask_token_lint.cache\n"
        "import flask_token_lint.baseline, flask_token_lint.fixer, flask_token_lint.registry\n"
        "flask_token_lint.registry.all_rules()\n"
        "print(' '.join(sorted(m for m in sys.modules if m.startswith('flask_token_lint.'))))\n"
    )
    loaded = set(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                                cwd=ROOT).stdout.split())
    analyzer = {f"{PACKAGE}.{name}" for name in (
        "engine", "walk", "context", "values", "flow", "summaries", "guards", "jwt_calls", "scopes",
        "module_facts", "config_settings", "sinks",
    )}
    assert loaded & analyzer == set()
