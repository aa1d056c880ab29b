"""The engine: one walk over an ``ast`` tree, rules dispatched by node type.

Every front-end (flake8, pylint, the CLI) hands the engine a tree or source
text and turns the findings into its own format; no rule logic lives in the
adapters. Before parsing, the raw text is scanned for the trigger words of the
selected rules, and a file that mentions none of them is never parsed.
"""

from __future__ import annotations

import ast
import io
import tokenize
from dataclasses import dataclass, field
from typing import Iterable, Sequence

from flask_token_lint.guards import GuardAnalysis
from flask_token_lint.config_settings import ConfigSetting, config_settings
from flask_token_lint.jwt_calls import DecodeCall, EncodeCall, read_decode_call, read_encode_call
from flask_token_lint.module_facts import ModuleFacts
from flask_token_lint.rule import FixSafety, Rule, all_rules
from flask_token_lint.scopes import SCOPE_NODES, Scope
from flask_token_lint.settings import OPTIONS, Settings
from flask_token_lint.values import Value, ValueAnalysis

UNPARSABLE = "FTL001"


@dataclass(frozen=True, order=True)
class Finding:
    line: int
    col: int  # 0-based, as ``ast`` gives it (UTF-8 bytes into the line)
    code: str
    message: str
    end_line: int | None = None
    end_col: int | None = None
    fix: FixSafety = field(default=FixSafety.NONE, compare=False)
    fix_data: tuple[tuple[str, str], ...] = field(default=(), compare=False)


class Context:
    """What a rule may ask while it looks at one node."""

    def __init__(self, module: ModuleFacts, settings: Settings, scope: Scope) -> None:
        self.module = module
        self.settings = settings
        self.scope = scope
        self.values = ValueAnalysis(scope, settings)
        self.guards = GuardAnalysis(self.values)

    def qualname(self, node: ast.AST) -> str | None:
        return self.module.qualname(node)

    def value_of(self, node: ast.expr) -> Value | None:
        return self.values.value_of(node, self.scope)

    def leak_of(self, node: ast.expr, tokens: bool = False) -> str | None:
        return self.values.leak_of(node, self.scope, tokens)

    def token_label(self, node: ast.expr) -> str | None:
        return self.values.token_label(node, self.scope)

    def string_of(self, node: ast.expr) -> str | None:
        return self.values.string_of(node, self.scope)

    def constant_of(self, node: ast.expr) -> ast.expr:
        return self.values.constant_of(node, self.scope)

    def created_by(self, node: ast.expr, factories: frozenset[str]) -> bool:
        """``node`` is, or names, a call to one of ``factories`` (``requests.Session()``)."""
        created = self.constant_of(node)
        return isinstance(created, ast.Call) and self.qualname(created.func) in factories

    def literal_is(self, node: ast.expr | None, value: object) -> bool:
        """``node`` is, or names, the literal ``value`` (``True``, ``False``, ``None``)."""
        if node is None:
            return False
        literal = self.constant_of(node)
        return isinstance(literal, ast.Constant) and literal.value is value

    def is_guarded(self, node: ast.AST) -> bool:
        return self.guards.is_guarded(node, self.scope)

    def decode_call(self, node: ast.Call) -> DecodeCall | None:
        """Read once per call node, however many rules ask."""
        key = ("decode", id(node))
        if key not in self.values.memo:
            self.values.memo[key] = read_decode_call(node, self.scope, self.values)
        return self.values.memo[key]  # type: ignore[return-value]

    def encode_call(self, node: ast.Call) -> EncodeCall | None:
        key = ("encode", id(node))
        if key not in self.values.memo:
            self.values.memo[key] = read_encode_call(node, self.scope, self.values)
        return self.values.memo[key]  # type: ignore[return-value]

    def config_settings(self, node: ast.AST) -> list[ConfigSetting]:
        return list(config_settings(node, self))


def _parse_trigger(trigger: str) -> list[frozenset[str]]:
    """Terms of lower-cased spellings: the text is searched lower-cased, once, which finds a superset
    of what the case-sensitive spellings would (never fewer files) with half the searches."""
    return [frozenset(word.lower() for word in term.strip().split("|") if word) for term in trigger.split(" + ")]


def _extra_triggers(settings: Settings) -> dict[str, list[str]]:
    """Names the options add (``token-names``, ``token-headers``) trigger the rules they affect."""
    extra: dict[str, list[str]] = {}
    for option in OPTIONS:
        if option.kind == "list" and option.name in ("token-names", "token-headers"):
            for name in getattr(settings, option.attribute):
                for code in option.rules:
                    extra.setdefault(code, []).append("|".join({name, name.lower(), name.upper()}))
    return extra


class Engine:
    """Runs the selected rules over files; reusable across files."""

    def __init__(self, selected: Iterable[str] | None = None, settings: Settings | None = None) -> None:
        registry = all_rules()
        codes = set(registry) if selected is None else set(selected) & set(registry)
        self.settings = settings or Settings()
        self.report_unparsable = UNPARSABLE in codes
        self.rules: list[Rule] = [registry[code]() for code in sorted(codes) if registry[code].node_types]
        # Each rule's triggers: alternatives, each a list of terms that must all occur, each term a
        # set of spellings of which one must (``"decode + jwt|jose"``).
        extra = _extra_triggers(self.settings)
        self._triggers = {
            rule.code: [_parse_trigger(t) for t in (*rule.triggers, *extra.get(rule.code, ()))] for rule in self.rules
        }
        self._words = sorted({w for triggers in self._triggers.values() for t in triggers for term in t for w in term})
        self._dispatch_for: dict[frozenset[str], dict[type[ast.AST], list[Rule]]] = {}

    def rules_for(self, text: str) -> frozenset[str]:
        """The codes of the selected rules whose triggers ``text`` satisfies; no other rule can fire on it."""
        lowered = text.lower()
        present = {word for word in self._words if word in lowered}
        return frozenset(
            code
            for code, triggers in self._triggers.items()
            if not triggers or any(all(term & present for term in trigger) for trigger in triggers)
        )

    def might_match(self, text: str) -> bool:
        """False when no selected rule can fire on ``text`` (it names none of their triggers)."""
        return bool(self.rules) and bool(self.rules_for(text))

    def _dispatch(self, codes: frozenset[str]) -> dict[type[ast.AST], list[Rule]]:
        table = self._dispatch_for.get(codes)
        if table is None:
            table = self._dispatch_for[codes] = {}
            for rule in self.rules:
                if rule.code in codes:
                    for node_type in rule.node_types:
                        table.setdefault(node_type, []).append(rule)
        return table

    def check_source(self, source: bytes | str, filename: str = "<unknown>") -> list[Finding]:
        """Decode, prefilter, parse and check one file's contents."""
        try:
            text = decode_source(source)
        except (SyntaxError, UnicodeDecodeError, LookupError) as error:
            return self._unparsable(f"cannot decode the file: {error}", 1, 0)
        codes = self.rules_for(text) if self.rules else frozenset()
        if not codes:
            return []
        try:
            tree = ast.parse(text, filename=filename)
        except SyntaxError as error:
            line = error.lineno or 1
            col = max((error.offset or 1) - 1, 0)
            if error.text:  # the parser counts characters; findings count UTF-8 bytes, as ast does
                col = len(error.text[:col].encode("utf-8"))
            return self._unparsable(f"{type(error).__name__}: {error.msg}", line, col)
        except ValueError as error:  # null bytes, on the Pythons that raise it
            return self._unparsable(f"cannot parse the file: {error}", 1, 0)
        except (RecursionError, MemoryError):
            return self._unparsable("the file is nested too deeply to parse", 1, 0)
        return self.check_tree(tree, codes=codes)

    def check_tree(
        self, tree: ast.Module, lines: Sequence[str] | None = None, codes: frozenset[str] | None = None
    ) -> list[Finding]:
        """Check a parsed module with the rules whose triggers its text has (``lines`` or ``codes``
        say which; with neither, every selected rule runs)."""
        if codes is None:
            codes = self.rules_for("".join(lines)) if lines is not None else frozenset(r.code for r in self.rules)
        if not codes:
            return []
        module = ModuleFacts(tree)
        root = Scope(tree, None, module)
        ctx = Context(module, self.settings, root)
        findings: list[Finding] = []
        dispatch = self._dispatch(codes)
        stack: list[tuple[ast.AST, Scope]] = [(tree, root)]
        while stack:
            node, scope = stack.pop()
            if isinstance(node, (ast.Import, ast.ImportFrom)) and scope is not root:
                module.add_import(node)
            elif isinstance(node, ast.Assign) and scope is not root:
                for target in node.targets:
                    if isinstance(target, ast.Name):
                        module.note_assignment(target.id, node.value)
            rules = dispatch.get(type(node))
            if rules:
                ctx.scope = scope
                for rule in rules:
                    try:
                        reports = list(rule.check(node, ctx))
                    except RecursionError:
                        # An expression nested deeper than the analysis can follow (a sum of a
                        # thousand terms): that node goes unjudged rather than the run crashing.
                        reports = []
                    for report in reports:
                        reported, arguments = report[0], report[1]
                        fixable = report[2] if len(report) > 2 else None
                        findings.append(
                            Finding(
                                reported.lineno,
                                reported.col_offset,
                                rule.code,
                                rule.message.format(**arguments),
                                reported.end_lineno,
                                reported.end_col_offset,
                                fixable.safety if fixable else FixSafety.NONE,
                                fixable.data if fixable else (),
                            )
                        )
            children = list(ast.iter_child_nodes(node))
            if isinstance(node, SCOPE_NODES) and node is not tree:
                inner = ctx.values.scope_for(node, scope)
                body = {id(statement) for statement in node.body}
                for child in reversed(children):
                    runs_inside = id(child) in body or isinstance(child, ast.arguments)
                    stack.append((child, inner if runs_inside else scope))
            else:
                stack.extend((child, scope) for child in reversed(children))
        # One finding per node and code, even when two paths of a rule reach it.
        unique = {(f.line, f.col, f.code): f for f in reversed(findings)}
        return sorted(unique.values())

    def _unparsable(self, message: str, line: int, col: int) -> list[Finding]:
        if not self.report_unparsable:
            return []
        rule = all_rules()[UNPARSABLE]
        return [Finding(line, col, UNPARSABLE, rule.message.format(reason=message))]


def decode_source(source: bytes | str) -> str:
    """Text of a Python file, honouring a BOM or ``# -*- coding -*-`` line."""
    if isinstance(source, str):
        return source
    encoding, _ = tokenize.detect_encoding(io.BytesIO(source).readline)
    text = source.decode(encoding)
    return text[1:] if text.startswith("\ufeff") else text
