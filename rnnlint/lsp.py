"""The language server (`rnnlint lsp`, stdio), on pygls: a thin shell around the engine.

- Diagnostics on open, change and save, linted from the editor's buffer (not the file on disk) with
  the config of the file's project, debounced while typing; severities map error/warning/info to
  Error/Warning/Information; each carries its code and a `codeDescription` link to the rule's page.
- Hover on a diagnostic: the rule's summary and rationale from the catalog.
- Code actions: one quick fix per finding's fix (unsafe ones say so), "Ignore <rule> on this line"
  (adds `# rnnlint: ignore[CODE]`, or the code to an existing one), and `source.fixAll.rnnlint`, which
  applies every safe fix.
- Notebooks opened as notebook documents (LSP 3.17 `notebookDocument/*`): the Python code cells, in
  order, are linted as one program (as `rnnlint check` lints an .ipynb), and each finding is published on its
  cell's text document at the line inside that cell; hover, quick fixes (one workspace edit of every
  cell a fix edits: an import may go to the first cell), "Ignore" and fix-all (of every cell, by the
  fixer `rnnlint check --fix` uses on an .ipynb) work there as in a file.
- Positions are converted at this boundary (rnnlint.positions): code points inside, UTF-16 units (or
  the encoding the client negotiated) on the wire.

Wiring (rnnlint/cli.py): `from rnnlint.lsp import add_arguments, run`; `add_arguments(lsp_parser)`;
`return run(args)`. Until then: `python -m rnnlint.lsp`. pygls and lsprotocol are imported only when
the server starts, so `rnnlint check` never loads them.
"""

from __future__ import annotations

import argparse
import io
import json
import re
import sys
import tokenize
from dataclasses import dataclass, field, replace
from pathlib import Path

from rnnlint import __version__
from rnnlint.positions import UTF16, from_client, split_lines, to_client

DEFAULT_DEBOUNCE_MS = 50
FIX_ALL_KIND = "source.fixAll.rnnlint"
SYNTAX_ERROR = "RNN001"
RULE_CRASHED = "RNN004"  # rnnlint's own fault: not something to suppress in the user's file
CONFIG_NAMES = (".rnnlint.yaml", ".rnnlint.yml", "pyproject.toml")
_IGNORE = re.compile(r"#\s*rnnlint\s*:\s*ignore\[(?P<rules>[^\]]*)\]", re.IGNORECASE)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--debounce-ms", type=int, default=DEFAULT_DEBOUNCE_MS, metavar="MS",
                        help=f"wait this long after the last keystroke before linting (default: {DEFAULT_DEBOUNCE_MS})")


def run(args: argparse.Namespace) -> int:
    """Serve over stdio until the client exits."""
    try:
        server = build_server(getattr(args, "debounce_ms", DEFAULT_DEBOUNCE_MS) / 1000)
    except ImportError as exc:
        print(f"rnnlint: error: the language server needs pygls: pip install 'rnnlint[lsp]' ({exc})",
              file=sys.stderr)
        return 2
    server.start_io()
    return 0


@dataclass
class Linted:
    """The findings of one version of a document."""

    version: int | None
    text: str
    lines: list[str]
    findings: list
    # for each finding, its fix's edits by the uri of the document they edit: a notebook cell's fix
    # may also edit another cell (an import in the first); empty when the fix cannot be offered here
    fix_edits: list[dict[str, tuple]] = field(default_factory=list)
    fixes: bool = False  # whether the fixes carry their edits (built with libcst, for code actions only)

    def edits_of(self, finding) -> dict[str, tuple]:
        return next((edits for f, edits in zip(self.findings, self.fix_edits) if f is finding), {})


# -- pure helpers (no pygls) ------------------------------------------------------------------
def hover_markdown(spec) -> str:
    from rnnlint.docs import SECTION_TITLES
    parts = [f"**{spec.code} {spec.name}** ({spec.severity.label})", "", spec.summary]
    for key, title in SECTION_TITLES:
        body = spec.rationale.get(key)
        if body:
            parts += ["", f"#### {title}", "", body.rstrip()]
    parts += ["", f"[{spec.code} documentation]({spec.url})"]
    return "\n".join(parts)


def ignore_edit(text: str, lines: list[str], line: int, code: str) -> tuple[int, int, int, str]:
    """Where and what to insert to suppress `code` on 1-based `line`: (line, start column, end column,
    new text), columns 1-based code points. Extends an existing `# rnnlint: ignore[...]` on the line."""
    source = lines[line - 1]
    for column, comment in _comments_on(text, line, source):
        match = _IGNORE.search(comment)
        if match:
            end = column + match.end("rules")  # 1-based column just past the last listed rule
            rules = match.group("rules").rstrip()
            separator = ", " if rules.strip() else ""
            start = column + match.start("rules") + len(rules)
            return line, start, end, f"{separator}{code}"
    stripped = len(source.rstrip())
    return line, stripped + 1, len(source) + 1, f"  # rnnlint: ignore[{code}]"


def _comments_on(text: str, line: int, source: str) -> list[tuple[int, str]]:
    """(1-based column, text) of the comments on one line; tokenized, so `#` inside strings is no comment."""
    try:
        return [(tok.start[1] + 1, tok.string) for tok in tokenize.generate_tokens(io.StringIO(text).readline)
                if tok.type == tokenize.COMMENT and tok.start[0] == line]
    except (tokenize.TokenError, SyntaxError):
        index = source.find("#")
        return [(index + 1, source[index:])] if index >= 0 else []


# -- the server ---------------------------------------------------------------------------------
def build_server(debounce: float = DEFAULT_DEBOUNCE_MS / 1000):
    import asyncio

    from lsprotocol import types
    from pygls import uris
    from pygls.lsp.server import LanguageServer

    from rnnlint import fix
    from rnnlint.catalog import default_catalog
    from rnnlint.config import DEFAULT_CONFIG
    from rnnlint.configfile import ConfigError, ConfigResolver
    from rnnlint.engine import lint_source
    from rnnlint.findings import Applicability, Severity
    from rnnlint.notebook import PYTHON_LANGUAGES, program_of

    severity_map = {
        Severity.ERROR: types.DiagnosticSeverity.Error,
        Severity.WARNING: types.DiagnosticSeverity.Warning,
        Severity.INFO: types.DiagnosticSeverity.Information,
    }

    class RnnlintServer(LanguageServer):
        def __init__(self) -> None:
            super().__init__("rnnlint", __version__, text_document_sync_kind=types.TextDocumentSyncKind.Incremental,
                             notebook_document_sync=types.NotebookDocumentSyncOptions(notebook_selector=[
                                 types.NotebookDocumentFilterWithCells(
                                     cells=[types.NotebookCellLanguage("python")], notebook="jupyter-notebook")]))
            self.catalog = default_catalog()
            self.linted: dict[str, Linted] = {}
            self.generation: dict[str, int] = {}  # bumped by every edit of a document
            self.locks: dict[str, asyncio.Lock] = {}
            self.tasks: set[asyncio.Task] = set()
            self.resolver: ConfigResolver | None = None
            self.reported_config_errors: set[str] = set()
            self.notebook_of: dict[str, str] = {}  # a published cell's document uri -> its notebook's uri
            self.linted_cells: dict[str, list[tuple[str, str]]] = {}  # a notebook -> (cell uri, text) linted

        # config ---------------------------------------------------------------------------
        def config_for(self, path: str | None):
            """The config of the file's project (found upwards from it), as `rnnlint check` uses."""
            if path is None:
                return DEFAULT_CONFIG
            try:
                if self.resolver is None:
                    self.resolver = ConfigResolver(self.catalog)
                return self.resolver.for_path(path).config.for_file(path)
            except ConfigError as exc:
                if str(exc) not in self.reported_config_errors:
                    self.reported_config_errors.add(str(exc))
                    self.window_show_message(types.ShowMessageParams(
                        types.MessageType.Error, f"rnnlint: {exc}; using the default settings"))
                return DEFAULT_CONFIG

        # linting --------------------------------------------------------------------------
        def encoding(self) -> str:
            chosen = getattr(self.server_capabilities, "position_encoding", None) or UTF16
            return str(getattr(chosen, "value", chosen))

        def lint_now(self, uri: str, text: str, version: int | None, config=None, fixes: bool = False) -> Linted:
            path = uris.to_fs_path(uri)
            base = Path(path).parent if path else None
            config = config or self.config_for(path)
            findings = lint_source(path or uri, text, config, self.catalog, base, fixes=fixes).findings
            linted = Linted(version, text, split_lines(text), findings,
                            [{uri: f.fix.edits} if f.fix is not None and f.fix.edits else {} for f in findings],
                            fixes=fixes)
            self.linted[uri] = linted
            return linted

        def notebook_for(self, uri: str) -> str | None:
            """The uri of the open notebook that `uri` is a cell of; None for any other document."""
            notebook = self.workspace.get_notebook_document(cell_uri=uri)
            return notebook.uri if notebook is not None else None

        def notebook_cells(self, notebook_uri: str) -> list[tuple[str, int, str, int | None]]:
            """(cell uri, position among all cells, text, version) of each Python code cell, in order.
            VS Code sends a raw cell as a code cell in language "raw": like the .ipynb reader's raw
            cells, it and any other language's cells are not part of the program."""
            notebook = self.workspace.get_notebook_document(notebook_uri=notebook_uri)
            if notebook is None:
                return []
            out = []
            for position, cell in enumerate(notebook.cells, start=1):
                if cell.kind == types.NotebookCellKind.Code:
                    document = self.workspace.get_text_document(cell.document)
                    if (document.language_id or "python").lower() in PYTHON_LANGUAGES:
                        out.append((cell.document, position, document.source, document.version))
            return out

        def lint_notebook(self, notebook_uri: str, cells: list, config=None, fixes: bool = False) -> dict[str, Linted]:
            """Lint the code cells as one program; each cell's findings, in the cell's own lines, with
            their fixes' edits moved into the cells they edit (as `rnnlint check --fix` moves them).
            `fixes`: build those edits (libcst; code actions), which diagnostics never need."""
            path = uris.to_fs_path(notebook_uri)
            base = Path(path).parent if path else None
            config = config or self.config_for(path)
            program = program_of([(position, text) for _, position, text, _ in cells])
            sources = {position: text for _, position, text, _ in cells}
            uri_at = {position: cell_uri for cell_uri, position, _, _ in cells}
            mine: dict[str, tuple[list, list]] = {cell_uri: ([], []) for cell_uri in uri_at.values()}
            for finding in lint_source(path or notebook_uri, program.text, config, self.catalog, base,
                                       fixes=fixes).findings:
                in_cell = program.to_cells(finding)
                if in_cell.cell not in uri_at:
                    continue
                edits: dict[str, list] = {}
                kept = finding.fix  # without fixes: the description and applicability, no edits yet
                if fixes:
                    for position, edit in fix.cell_edits(program, finding, sources) or []:
                        edits.setdefault(uri_at[position], []).append(edit)
                    # the fix's description and applicability; its edits, by cell, are in fix_edits
                    kept = replace(finding.fix, edits=()) if finding.fix is not None and edits else None
                findings, fix_edits = mine[uri_at[in_cell.cell]]
                findings.append(replace(in_cell, cell=None, fix=kept))
                fix_edits.append({cell_uri: tuple(e) for cell_uri, e in edits.items()})
            out = {}
            self.linted_cells[notebook_uri] = [(cell_uri, text) for cell_uri, _, text, _ in cells]
            for cell_uri, position, text, version in cells:
                findings, fix_edits = mine[cell_uri]
                out[cell_uri] = self.linted[cell_uri] = Linted(version, text, split_lines(text), findings, fix_edits,
                                                               fixes=fixes)
                self.notebook_of[cell_uri] = notebook_uri
            return out

        def current(self, uri: str, fixes: bool = False) -> Linted:
            """The findings of the buffer as it is now (linted again if it changed since); `fixes`:
            with their fixes' edits (a code action), which diagnostics on each change never build."""
            document = self.workspace.get_text_document(uri)
            notebook = self.notebook_for(uri)
            if notebook is not None:  # a cell: the findings come from its whole notebook, as it is now
                cells = self.notebook_cells(notebook)
                linted = self.linted.get(uri)
                changed = self.linted_cells.get(notebook) != [(cell_uri, text) for cell_uri, _, text, _ in cells]
                if changed or (fixes and (linted is None or not linted.fixes)):
                    linted = self.lint_notebook(notebook, cells, fixes=fixes).get(uri)
                # a cell outside the program (a raw cell) has nothing to report
                return linted or Linted(document.version, document.source, split_lines(document.source), [])
            linted = self.linted.get(uri)
            if linted is None or linted.text != document.source or (fixes and not linted.fixes):
                linted = self.lint_now(uri, document.source, document.version, fixes=fixes)
            return linted

        def schedule(self, uri: str, delay: float) -> None:
            """Lint `uri` after `delay` seconds unless another edit comes first (the debounce); a
            cell is linted as part of its notebook."""
            uri = self.notebook_for(uri) or uri
            self.generation[uri] = self.generation.get(uri, 0) + 1
            task = asyncio.get_running_loop().create_task(self._lint_later(uri, delay, self.generation[uri]))
            self.tasks.add(task)  # keep a reference until it is done
            task.add_done_callback(self.tasks.discard)

        async def _lint_later(self, uri: str, delay: float, generation: int) -> None:
            """Superseded work stops at each step; at most one lint of a document runs at a time, so
            fast typing never stacks up lints competing for the CPU."""
            if delay:
                await asyncio.sleep(delay)
            lock = self.locks.setdefault(uri, asyncio.Lock())
            async with lock:
                if self.generation.get(uri) != generation:
                    return
                if self.workspace.get_notebook_document(notebook_uri=uri) is not None:
                    await self._lint_notebook_now(uri, generation)
                    return
                document = self.workspace.get_text_document(uri)
                text, version = document.source, document.version
                # the config is read here, on the server's thread, which may message the client
                config = self.config_for(uris.to_fs_path(uri))
                loop = asyncio.get_running_loop()
                linted = await loop.run_in_executor(None, self.lint_now, uri, text, version, config)
            if self.generation.get(uri) == generation:
                self.publish(uri, linted)

        async def _lint_notebook_now(self, uri: str, generation: int) -> None:
            cells = self.notebook_cells(uri)
            config = self.config_for(uris.to_fs_path(uri))
            loop = asyncio.get_running_loop()
            linted = await loop.run_in_executor(None, self.lint_notebook, uri, cells, config)
            if self.generation.get(uri) == generation:
                for cell_uri, cell_linted in linted.items():
                    self.publish(cell_uri, cell_linted)

        def forget_notebook(self, uri: str) -> None:
            """A closed notebook, or cells it no longer has: their diagnostics are cleared."""
            cells = {cell for cell, _, _, _ in self.notebook_cells(uri)}
            for cell_uri in [c for c, owner in self.notebook_of.items() if owner == uri and c not in cells]:
                del self.notebook_of[cell_uri]
                self.linted.pop(cell_uri, None)
                self.text_document_publish_diagnostics(types.PublishDiagnosticsParams(uri=cell_uri, diagnostics=[]))

        def publish(self, uri: str, linted: Linted) -> None:
            self.text_document_publish_diagnostics(types.PublishDiagnosticsParams(
                uri=uri, version=linted.version,
                diagnostics=[self.diagnostic(linted, f) for f in linted.findings]))

        def resolves_edits(self) -> bool:
            """Whether the client fetches a code action's edit with codeAction/resolve."""
            action = getattr(self.client_capabilities.text_document, "code_action", None)
            support = getattr(action, "resolve_support", None) if action else None
            return bool(support and "edit" in (support.properties or []))

        # conversions ----------------------------------------------------------------------
        def range(self, lines: list[str], line: int, column: int, end_line: int, end_column: int):
            encoding = self.encoding()
            start = to_client(lines, line, column, encoding)
            end = to_client(lines, end_line, end_column, encoding)
            return types.Range(types.Position(*start), types.Position(*end))

        def diagnostic(self, linted: Linted, finding):
            spec = self.catalog.by_code.get(finding.code)
            span = finding.span
            return types.Diagnostic(
                range=self.range(linted.lines, span.line, span.column, span.end_line, span.end_column),
                message=finding.message,
                severity=severity_map[finding.severity],
                code=finding.code,
                code_description=types.CodeDescription(href=spec.url) if spec else None,
                source="rnnlint",
                data={"name": finding.name},
            )

        def edits(self, linted: Linted, edits) -> list:
            return [types.TextEdit(self.range(linted.lines, e.span.line, e.span.column, e.span.end_line,
                                              e.span.end_column), e.text) for e in edits]

        def findings_in(self, linted: Linted, requested) -> list:
            """Findings whose range touches the requested LSP range."""
            encoding = self.encoding()
            start = from_client(linted.lines, requested.start.line, requested.start.character, encoding)
            end = from_client(linted.lines, requested.end.line, requested.end.character, encoding)
            return [f for f in linted.findings
                    if (f.span.line, f.span.column) <= end and start <= (f.span.end_line, f.span.end_column)]

    server = RnnlintServer()

    @server.feature(types.TEXT_DOCUMENT_DID_OPEN)
    async def did_open(ls: RnnlintServer, params: types.DidOpenTextDocumentParams) -> None:
        ls.schedule(params.text_document.uri, 0)

    @server.feature(types.TEXT_DOCUMENT_DID_CHANGE)
    async def did_change(ls: RnnlintServer, params: types.DidChangeTextDocumentParams) -> None:
        ls.schedule(params.text_document.uri, debounce)

    @server.feature(types.TEXT_DOCUMENT_DID_SAVE)
    async def did_save(ls: RnnlintServer, params: types.DidSaveTextDocumentParams) -> None:
        uri = params.text_document.uri
        if uri.rsplit("/", 1)[-1] in CONFIG_NAMES:
            ls.resolver = None  # settings changed: read them again
            ls.reported_config_errors.clear()
            for other in list(ls.linted):
                ls.schedule(other, 0)
            return
        ls.schedule(uri, 0)

    @server.feature(types.TEXT_DOCUMENT_DID_CLOSE)
    async def did_close(ls: RnnlintServer, params: types.DidCloseTextDocumentParams) -> None:
        uri = params.text_document.uri
        ls.generation[uri] = ls.generation.get(uri, 0) + 1  # drops any lint still on its way
        ls.linted.pop(uri, None)
        ls.text_document_publish_diagnostics(types.PublishDiagnosticsParams(uri=uri, diagnostics=[]))

    @server.feature(types.NOTEBOOK_DOCUMENT_DID_OPEN)
    async def notebook_did_open(ls: RnnlintServer, params: types.DidOpenNotebookDocumentParams) -> None:
        ls.schedule(params.notebook_document.uri, 0)

    @server.feature(types.NOTEBOOK_DOCUMENT_DID_CHANGE)
    async def notebook_did_change(ls: RnnlintServer, params: types.DidChangeNotebookDocumentParams) -> None:
        ls.forget_notebook(params.notebook_document.uri)  # cells removed by this change
        ls.schedule(params.notebook_document.uri, debounce)

    @server.feature(types.NOTEBOOK_DOCUMENT_DID_SAVE)
    async def notebook_did_save(ls: RnnlintServer, params: types.DidSaveNotebookDocumentParams) -> None:
        ls.schedule(params.notebook_document.uri, 0)

    @server.feature(types.NOTEBOOK_DOCUMENT_DID_CLOSE)
    async def notebook_did_close(ls: RnnlintServer, params: types.DidCloseNotebookDocumentParams) -> None:
        uri = params.notebook_document.uri
        ls.generation[uri] = ls.generation.get(uri, 0) + 1  # drops any lint still on its way
        ls.forget_notebook(uri)  # the workspace no longer has it: every cell is cleared
        ls.linted_cells.pop(uri, None)

    @server.feature(types.TEXT_DOCUMENT_HOVER)
    def hover(ls: RnnlintServer, params: types.HoverParams):
        linted = ls.current(params.text_document.uri)
        point = types.Range(params.position, params.position)
        found = ls.findings_in(linted, point)
        if not found:
            return None
        texts = [hover_markdown(ls.catalog.by_code[f.code]) for f in found if f.code in ls.catalog.by_code]
        first = found[0].span
        return types.Hover(
            contents=types.MarkupContent(types.MarkupKind.Markdown, "\n\n---\n\n".join(dict.fromkeys(texts))),
            range=ls.range(linted.lines, first.line, first.column, first.end_line, first.end_column))

    def replace_all(ls: RnnlintServer, lines: list[str], text: str):
        """An edit that replaces a whole document (its `lines`) with `text`."""
        return types.TextEdit(ls.range(lines, 1, 1, len(lines), len(lines[-1]) + 1), text)

    def fix_all(ls: RnnlintServer, action):
        """The fix-all action with its edit: every safe fix, as one edit of the whole buffer (of each
        cell it changes, in a notebook: the cells are fixed as `rnnlint check --fix` fixes an .ipynb)."""
        uri = action.data["uri"]
        notebook = ls.notebook_for(uri)
        if notebook is not None:
            cells = ls.notebook_cells(notebook)
            path = uris.to_fs_path(notebook)
            raw = json.dumps({"cells": [{"cell_type": "code", "metadata": {}, "source": text}
                                        for _, _, text, _ in cells],
                              "metadata": {}, "nbformat": 4, "nbformat_minor": 5})
            result, changes = fix.fix_notebook(path or notebook, raw, ls.config_for(path), ls.catalog,
                                               unsafe=False, base_dir=Path(path).parent if path else None)
            if changes and result.error is None:
                action.edit = types.WorkspaceEdit(changes={
                    cells[index - 1][0]: [replace_all(ls, split_lines(before), after)]
                    for index, (before, after) in changes.items()})
            return action
        linted = ls.current(uri)
        path = uris.to_fs_path(uri)
        result = fix.fix_source(path or uri, linted.text, ls.config_for(path), ls.catalog, unsafe=False,
                                base_dir=Path(path).parent if path else None)
        if result.changed:
            action.edit = types.WorkspaceEdit(changes={uri: [replace_all(ls, linted.lines, result.text)]})
        return action

    @server.feature(types.CODE_ACTION_RESOLVE)
    def resolve_code_action(ls: RnnlintServer, action: types.CodeAction):
        if action.kind == FIX_ALL_KIND and isinstance(action.data, dict) and "uri" in action.data:
            return fix_all(ls, action)
        return action

    @server.feature(types.TEXT_DOCUMENT_CODE_ACTION, types.CodeActionOptions(
        code_action_kinds=[types.CodeActionKind.QuickFix, types.CodeActionKind.SourceFixAll, FIX_ALL_KIND],
        resolve_provider=True))
    def code_action(ls: RnnlintServer, params: types.CodeActionParams):
        uri = params.text_document.uri
        linted = ls.current(uri, fixes=True)
        only = params.context.only

        def wanted(kind: str) -> bool:
            return not only or any(kind == o or kind.startswith(f"{o}.") for o in only)

        actions = []
        if wanted(types.CodeActionKind.QuickFix):
            for finding in ls.findings_in(linted, params.range):
                diagnostic = ls.diagnostic(linted, finding)
                by_document = linted.edits_of(finding)
                if finding.fix is not None and by_document:
                    unsafe = finding.fix.applicability is Applicability.UNSAFE
                    title = f"Fix {finding.code}: {finding.fix.description}"
                    changes = {target: ls.edits(linted if target == uri else ls.linted[target], edits)
                               for target, edits in by_document.items()}
                    actions.append(types.CodeAction(
                        title=title + (" (unsafe: changes training)" if unsafe else ""),
                        kind=types.CodeActionKind.QuickFix, diagnostics=[diagnostic], is_preferred=not unsafe,
                        edit=types.WorkspaceEdit(changes=changes)))
                if finding.code in (SYNTAX_ERROR, RULE_CRASHED):
                    continue  # nothing to suppress: the file must parse first; a crash is rnnlint's
                line, start, end, text = ignore_edit(linted.text, linted.lines, finding.span.line, finding.code)
                actions.append(types.CodeAction(
                    title=f"Ignore {finding.name} on this line", kind=types.CodeActionKind.QuickFix,
                    diagnostics=[diagnostic],
                    edit=types.WorkspaceEdit(changes={uri: [
                        types.TextEdit(ls.range(linted.lines, line, start, line, end), text)]})))
        notebook = ls.notebook_for(uri)
        # in a notebook, fix-all fixes every cell: offered in any cell while one has a safe fix
        everything = [(ls.linted[cell], f) for cell, _, _, _ in ls.notebook_cells(notebook) if cell in ls.linted
                      for f in ls.linted[cell].findings] if notebook else [(linted, f) for f in linted.findings]
        if wanted(FIX_ALL_KIND) and any(f.fix is not None and f.fix.applicability is Applicability.SAFE
                                        and document.edits_of(f) for document, f in everything):
            action = types.CodeAction(title="rnnlint: fix all safe findings", kind=FIX_ALL_KIND,
                                      data={"uri": uri})
            # computing it means linting again: leave that to codeAction/resolve when the client can
            actions.append(action if ls.resolves_edits() else fix_all(ls, action))
        return actions

    return server


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="rnnlint lsp", description="rnnlint's language server (stdio)")
    add_arguments(parser)
    return run(parser.parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())
