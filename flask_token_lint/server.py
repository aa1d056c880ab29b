"""``flask-token-lint server``: the language server, over stdio, on pygls.

It says what ``check`` says for the same text and configuration (the CLI's ``Checker`` decides:
selection, options, ``# noqa``, ``per-file-ignores``, the test-code policy), about the editor's
unsaved text, never the file on disk:

- diagnostics on open, on change (debounced) and on save, ranged to the node, with the rule's code,
  a link to its page and a severity from the rule's;
- code actions: a quick fix per fixable finding (safe ones preferred, unsafe ones say so),
  ``source.fixAll.flask-token-lint`` (the safe fixes, as ``check --fix`` writes them) and "Ignore
  FTLnnn on this line" (``# noqa``); each a minimal edit;
- hover on a diagnostic: the rule's summary, why it matters, the fix;
- the configuration of each document's folder, read again when a ``pyproject.toml`` changes or the
  client says its configuration changed.

A crash while checking one document is logged to the client and the server goes on.
"""

from __future__ import annotations

import asyncio
import gc
import hashlib
import logging
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lsprotocol import types
from pygls.exceptions import JsonRpcException, JsonRpcInvalidParams
from pygls.lsp.server import LanguageServer
from pygls.protocol import LanguageServerProtocol
from pygls.uris import to_fs_path

from flask_token_lint import __version__
from flask_token_lint.checker import Checker, _parser
from flask_token_lint.finding import Finding, FixSafety
from flask_token_lint.fix_files import fix_file_source
from flask_token_lint.fixer import fix_source
from flask_token_lint.lsp import Edit, edits_between, hover_markdown, noqa_edit, rule_of, span
from flask_token_lint.reparse import Reparser
from flask_token_lint.rule import Severity
from flask_token_lint.sarif import rule_help_uri
from flask_token_lint.settings import ConfigError
from flask_token_lint.source import split_lines

NAME = "flask-token-lint"
FIX_ALL = f"{types.CodeActionKind.SourceFixAll.value}.{NAME}"
DEBOUNCE_SECONDS = 0.02  # a burst of changes is checked once, after the last one
GC_THRESHOLDS = (20_000, 20, 20)
_SEVERITIES = {
    Severity.HIGH: types.DiagnosticSeverity.Error,
    Severity.MEDIUM: types.DiagnosticSeverity.Warning,
    Severity.LOW: types.DiagnosticSeverity.Information,
}
log = logging.getLogger(__name__)


@dataclass
class Checked:
    """The findings of one document's text (kept by the text's hash: unchanged text is not checked again)."""

    digest: str
    findings: list[Finding] = field(default_factory=list)
    dependencies: frozenset[str] = frozenset()  # the project modules the findings read (the project index)


class _Ignored:
    """What a request that could not be read becomes once it has been answered: nothing to handle."""

    jsonrpc = "answered"


class _Protocol(LanguageServerProtocol):
    """pygls logs a request whose parameters it cannot read and never answers it; the client then
    waits forever. This answers it with the JSON-RPC error instead."""

    def structure_message(self, data: dict[str, Any]):
        try:
            return super().structure_message(data)
        except JsonRpcException as error:
            if "id" in data and "method" in data:
                self._send_response(data["id"], error=error.to_response_error())
                return _Ignored()
            raise


class TokenLintServer(LanguageServer):
    def __init__(self) -> None:
        super().__init__(NAME, __version__, protocol_cls=_Protocol)
        self.checkers: dict[str, Checker | ConfigError] = {}
        self.checked: dict[str, Checked] = {}
        self.pending: dict[str, asyncio.TimerHandle] = {}
        self.changed_at: dict[str, float] = {}
        self.parsers: dict[str, Reparser] = {}

    # -- configuration ------------------------------------------------------------------------
    def checker_for(self, path: str | None) -> Checker:
        """The CLI's checker for a document at ``path``: the ``[tool.flask-token-lint]`` found
        from its folder (kept per folder until a configuration changes)."""
        folder = os.path.dirname(path) if path else os.getcwd()
        found = self.checkers.get(folder)
        if found is None:
            name = path or os.path.join(folder, "untitled.py")
            arguments = _parser().parse_args(["check", "--no-cache", "--stdin-filename", name, "-"])
            try:
                found = Checker(arguments)
            except ConfigError as error:
                found = error
            self.checkers[folder] = found
        if isinstance(found, ConfigError):
            raise found
        return found

    def forget_configuration(self) -> None:
        self.checkers.clear()
        self.checked.clear()
        for uri in list(self.workspace.text_documents):
            self.publish(uri)

    # -- checking -------------------------------------------------------------------------------
    def text_of(self, uri: str) -> str:
        if uri not in self.workspace.text_documents:
            raise JsonRpcInvalidParams(f"{uri} is not open")
        return self.workspace.get_text_document(uri).source

    def findings_of(self, uri: str) -> list[Finding]:
        """What ``check`` reports for the document's current text."""
        text = self.text_of(uri)
        digest = hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()
        known = self.checked.get(uri)
        if known is not None and known.digest == digest:
            return known.findings
        path = _path(uri)
        checker = self.checker_for(path)
        name = path or "untitled.py"
        dependencies: frozenset[str] = frozenset()
        if checker.skips(path):
            findings: list[Finding] = []
        else:
            parse = self.parsers.setdefault(uri, Reparser()).parse
            findings = checker.findings(text.encode("utf-8", "surrogatepass"), name, cached=False, parse=parse)
            dependencies = frozenset(checker.engine.dependencies | checker.engine.interfaces)
        self.checked[uri] = Checked(digest, findings, dependencies)
        return findings

    def module_changed(self, path: str) -> None:
        """A project module changed on disk: read it again when next asked, and check again the open
        documents whose findings read it."""
        path = os.path.abspath(path)
        for checker in self.checkers.values():
            engine = checker.built_engine if isinstance(checker, Checker) else None
            if engine is not None and engine.project is not None:
                engine.project.forget(path)
        for uri, known in list(self.checked.items()):
            if path in known.dependencies:
                del self.checked[uri]
                self.publish(uri)

    def publish(self, uri: str) -> None:
        if not _is_python(uri, self):
            return
        try:
            findings = self.findings_of(uri)
        except ConfigError as error:
            self.tell(types.MessageType.Error, f"{NAME}: {error}")
            findings = []
        except JsonRpcInvalidParams:
            return
        except Exception as error:  # a bug of ours: say so, keep serving
            self.tell(types.MessageType.Error, f"{NAME}: internal error checking {uri}: {type(error).__name__}: {error}")
            return
        text = self.workspace.get_text_document(uri).source
        lines = split_lines(text)
        diagnostics = [self.diagnostic(lines, finding, uri) for finding in findings]
        version = self.workspace.get_text_document(uri).version
        self.text_document_publish_diagnostics(
            types.PublishDiagnosticsParams(uri=uri, diagnostics=diagnostics, version=version)
        )

    def schedule(self, uri: str) -> None:
        """Check a change at once when it comes alone (``DEBOUNCE_SECONDS`` or more after the one
        before); a change that follows another closer than that waits ``DEBOUNCE_SECONDS`` for the
        next, so a burst (a paste, a held key, changes queued while a check ran) is checked once, after
        its last change."""
        waiting = self.pending.pop(uri, None)
        if waiting is not None:
            waiting.cancel()
        loop = asyncio.get_event_loop()
        now = loop.time()
        alone = now - self.changed_at.get(uri, float("-inf")) >= DEBOUNCE_SECONDS
        self.changed_at[uri] = now
        self.pending[uri] = loop.call_later(0 if alone else DEBOUNCE_SECONDS, self._publish_pending, uri)

    def _publish_pending(self, uri: str) -> None:
        self.pending.pop(uri, None)
        self.publish(uri)

    def tell(self, kind: types.MessageType, message: str) -> None:
        log.error(message)
        self.window_log_message(types.LogMessageParams(type=kind, message=message))

    # -- conversions ------------------------------------------------------------------------------
    def units(self, text: str) -> int:
        """The length of ``text`` in the position encoding agreed with the client."""
        encoding = self.server_capabilities.position_encoding or types.PositionEncodingKind.Utf16
        if encoding == types.PositionEncodingKind.Utf8:
            return len(text.encode("utf-8", "surrogatepass"))
        if encoding == types.PositionEncodingKind.Utf32:
            return len(text)
        return len(text.encode("utf-16-le", "surrogatepass")) // 2

    def to_client(self, lines: list[str], position: tuple[int, int]) -> types.Position:
        line, column = position
        text = lines[line] if 0 <= line < len(lines) else ""
        return types.Position(line=line, character=self.units(text[:column]))

    def from_client(self, lines: list[str], position: types.Position) -> tuple[int, int]:
        text = lines[position.line] if 0 <= position.line < len(lines) else ""
        column = units = 0
        while column < len(text) and units < position.character:
            units += self.units(text[column])
            column += 1
        return position.line, column

    def range_of(self, lines: list[str], start: tuple[int, int], end: tuple[int, int]) -> types.Range:
        return types.Range(start=self.to_client(lines, start), end=self.to_client(lines, end))

    def diagnostic(self, lines: list[str], finding: Finding, uri: str = "") -> types.Diagnostic:
        rule = rule_of(finding.code)
        start, end = span(lines, finding)
        # The steps in other modules that led to a finding that crossed them (the project index).
        related = [
            types.DiagnosticRelatedInformation(
                location=types.Location(
                    uri=Path(path).as_uri() if path else uri,
                    range=types.Range(start=types.Position(line=max(line - 1, 0), character=0),
                                      end=types.Position(line=max(line - 1, 0), character=0)),
                ),
                message=note,
            )
            for path, line, note in finding.flow[:-1]
        ]
        return types.Diagnostic(
            related_information=related or None,
            range=self.range_of(lines, start, end),
            message=finding.message,
            severity=_SEVERITIES.get(rule.severity, types.DiagnosticSeverity.Warning) if rule else None,
            code=finding.code,
            code_description=types.CodeDescription(href=rule_help_uri(finding.code)),
            source=NAME,
            data={"fix": finding.fix.value},
        )

    def text_edits(self, text: str, edits: list[Edit]) -> list[types.TextEdit]:
        lines = split_lines(text)
        return [types.TextEdit(range=self.range_of(lines, e.start, e.end), new_text=e.text) for e in edits]

    def workspace_edit(self, uri: str, text: str, edits: list[Edit]) -> types.WorkspaceEdit:
        version = self.workspace.get_text_document(uri).version
        return types.WorkspaceEdit(document_changes=[types.TextDocumentEdit(
            text_document=types.OptionalVersionedTextDocumentIdentifier(uri=uri, version=version),
            edits=self.text_edits(text, edits),  # type: ignore[arg-type]
        )])

    # -- code actions -------------------------------------------------------------------------------
    def code_actions(self, params: types.CodeActionParams) -> list[types.CodeAction]:
        uri = params.text_document.uri
        text = self.text_of(uri)
        findings = self.findings_of(uri)
        lines = split_lines(text)
        wanted = params.range
        first = self.from_client(lines, wanted.start)
        last = self.from_client(lines, wanted.end)
        only = params.context.only
        actions: list[types.CodeAction] = []
        quick = only is None or any(str(kind).startswith(types.CodeActionKind.QuickFix.value) for kind in only)
        for finding in findings:
            start, end = span(lines, finding)
            if not (start <= last and first <= end) or not quick:
                continue
            diagnostic = self.diagnostic(lines, finding, params.text_document.uri)
            rule = rule_of(finding.code)
            if finding.fix is not FixSafety.NONE and rule is not None:
                fixed = _fixed_text(text, [finding], unsafe=True)
                if fixed is not None and fixed != text:
                    unsafe = finding.fix is FixSafety.UNSAFE
                    actions.append(types.CodeAction(
                        title=f"Fix {finding.code}: {rule.summary}" + (" (unsafe)" if unsafe else ""),
                        kind=types.CodeActionKind.QuickFix,
                        diagnostics=[diagnostic],
                        is_preferred=not unsafe,
                        edit=self.workspace_edit(uri, text, edits_between(text, fixed)),
                    ))
            ignore = noqa_edit(text, finding)
            if ignore is not None:
                actions.append(types.CodeAction(
                    title=f"Ignore {finding.code} on this line",
                    kind=types.CodeActionKind.QuickFix,
                    diagnostics=[diagnostic],
                    edit=self.workspace_edit(uri, text, [ignore]),
                ))
        fix_all = only is None or any(
            FIX_ALL.startswith(str(kind)) or str(kind).startswith(FIX_ALL) for kind in only
        )
        if fix_all and any(f.fix is FixSafety.SAFE for f in findings):
            fixed = self.fix_all(uri, text, findings)
            if fixed != text:
                actions.append(types.CodeAction(
                    title=f"{NAME}: fix all safely fixable findings",
                    kind=FIX_ALL,
                    edit=self.workspace_edit(uri, text, edits_between(text, fixed)),
                ))
        return actions

    def fix_all(self, uri: str, text: str, findings: list[Finding]) -> str:
        """What ``check --fix`` writes for this text: the safe fixes, round after round."""
        path = _path(uri)
        checker = self.checker_for(path)
        name = path or "untitled.py"
        source = text.encode("utf-8", "surrogatepass")
        result = fix_file_source(source, findings, lambda fixed: checker.findings(fixed, name, cached=False), False)
        return result.fixed.decode("utf-8", "surrogatepass")

    # -- hover ----------------------------------------------------------------------------------------
    def hover(self, params: types.HoverParams) -> types.Hover | None:
        uri = params.text_document.uri
        text = self.text_of(uri)
        lines = split_lines(text)
        where = self.from_client(lines, params.position)
        parts = []
        covering = None
        for finding in self.findings_of(uri):
            start, end = span(lines, finding)
            rule = rule_of(finding.code)
            if start <= where <= end and rule is not None:
                parts.append(hover_markdown(rule, rule_help_uri(finding.code)))
                covering = covering or (start, end)
        if not parts or covering is None:
            return None
        return types.Hover(
            contents=types.MarkupContent(kind=types.MarkupKind.Markdown, value="\n\n---\n\n".join(dict.fromkeys(parts))),
            range=self.range_of(lines, *covering),
        )


def _fixed_text(text: str, findings: list[Finding], unsafe: bool) -> str | None:
    try:
        result = fix_source(text.encode("utf-8", "surrogatepass"), findings, unsafe)
    except Exception as error:  # a fix that does not apply here: offer none rather than fail
        log.error("fix failed: %s", error)
        return None
    return result.source.decode("utf-8", "surrogatepass")


def _path(uri: str) -> str | None:
    return to_fs_path(uri) if uri.startswith("file:") else None


def _is_python(uri: str, server: LanguageServer) -> bool:
    document = server.workspace.text_documents.get(uri)
    language = getattr(document, "language_id", None)
    return language == "python" or uri.endswith((".py", ".pyi"))


def build() -> TokenLintServer:
    server = TokenLintServer()

    @server.feature(types.TEXT_DOCUMENT_DID_OPEN)
    def did_open(ls: TokenLintServer, params: types.DidOpenTextDocumentParams) -> None:
        ls.publish(params.text_document.uri)

    @server.feature(types.TEXT_DOCUMENT_DID_CHANGE)
    def did_change(ls: TokenLintServer, params: types.DidChangeTextDocumentParams) -> None:
        ls.schedule(params.text_document.uri)

    @server.feature(types.TEXT_DOCUMENT_DID_SAVE)
    def did_save(ls: TokenLintServer, params: types.DidSaveTextDocumentParams) -> None:
        path = _path(params.text_document.uri)
        if path is not None:
            ls.module_changed(path)
        ls.publish(params.text_document.uri)

    @server.feature(types.TEXT_DOCUMENT_DID_CLOSE)
    def did_close(ls: TokenLintServer, params: types.DidCloseTextDocumentParams) -> None:
        uri = params.text_document.uri
        ls.checked.pop(uri, None)
        ls.parsers.pop(uri, None)
        ls.changed_at.pop(uri, None)
        waiting = ls.pending.pop(uri, None)
        if waiting is not None:
            waiting.cancel()
        ls.text_document_publish_diagnostics(types.PublishDiagnosticsParams(uri=uri, diagnostics=[]))

    @server.feature(
        types.TEXT_DOCUMENT_CODE_ACTION,
        types.CodeActionOptions(code_action_kinds=[types.CodeActionKind.QuickFix, FIX_ALL]),
    )
    def code_action(ls: TokenLintServer, params: types.CodeActionParams) -> list[types.CodeAction]:
        return ls.code_actions(params)

    @server.feature(types.TEXT_DOCUMENT_HOVER)
    def hover(ls: TokenLintServer, params: types.HoverParams) -> types.Hover | None:
        return ls.hover(params)

    @server.feature(types.WORKSPACE_DID_CHANGE_WATCHED_FILES)
    def watched(ls: TokenLintServer, params: types.DidChangeWatchedFilesParams) -> None:
        if any(change.uri.endswith("pyproject.toml") for change in params.changes):
            ls.forget_configuration()
        for change in params.changes:
            path = _path(change.uri)
            if path is not None and path.endswith(".py"):
                ls.module_changed(path)

    @server.feature(types.WORKSPACE_DID_CHANGE_CONFIGURATION)
    def configuration(ls: TokenLintServer, params: types.DidChangeConfigurationParams) -> None:
        ls.forget_configuration()

    return server


def run() -> int:
    """Serve over stdin/stdout until the client says ``exit``."""
    logging.basicConfig(level=logging.WARNING, format="%(name)s: %(message)s")
    server = build()
    # A long-lived process that builds and drops a tree per change: what is loaded now is never
    # garbage, and collecting the young generation less often saves a tenth of a check.
    gc.collect()
    gc.freeze()
    gc.set_threshold(*GC_THRESHOLDS)
    server.start_io()
    return 0
