"""The language server end to end: a real LSP client (pytest-lsp) talks to `rnnlint lsp` over stdio,
started as `python -m rnnlint lsp`. Plus the pure helpers: UTF-16 columns, the ignore-comment edit,
the hover text."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

import pytest

from rnnlint.positions import UTF8, UTF16, UTF32, from_client, split_lines, to_client

pytest_lsp = pytest.importorskip("pytest_lsp")
types = pytest.importorskip("lsprotocol.types")

from pytest_lsp import ClientServerConfig, LanguageClient, client_capabilities  # noqa: E402


@pytest.mark.parametrize("text,column,encoding,expected", [
    ("abc", 3, UTF16, 2),
    ("naïve 🙂 x", 9, UTF16, 9),  # ï is one unit, 🙂 two
    ("naïve 🙂 x", 9, UTF8, 12),
    ("naïve 🙂 x", 9, UTF32, 8),
    ("🙂🙂", 3, UTF16, 4),
])
def test_columns_at_the_boundary(text, column, encoding, expected):
    assert to_client([text], 1, column, encoding) == (0, expected)
    assert from_client([text], 0, expected, encoding) == (1, column)


def test_importing_the_server_module_loads_no_lsp_library():
    import subprocess
    code = "import sys, rnnlint.lsp, rnnlint.fix; print(any(m.split('.')[0] in ('pygls', 'lsprotocol') for m in sys.modules))"
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert proc.stdout.strip() == "False", proc.stderr


def test_split_lines_matches_the_parser():
    assert split_lines("a\r\nb\rc\n") == ["a", "b", "c", ""]


def test_ignore_edit_appends_or_extends():
    from rnnlint.lsp import ignore_edit
    text = 'x = "#"\nmodel.fit(X)  # rnnlint: ignore[RNN101 ]\nmodel.fit(Y)  # why\n'
    lines = split_lines(text)
    assert ignore_edit(text, lines, 1, "RNN301") == (1, 8, 8, "  # rnnlint: ignore[RNN301]")
    line, start, end, new = ignore_edit(text, lines, 2, "RNN301")
    edited = lines[1][: start - 1] + new + lines[1][end - 1:]
    assert edited == "model.fit(X)  # rnnlint: ignore[RNN101, RNN301]"
    assert ignore_edit(text, lines, 3, "RNN301")[3] == "  # rnnlint: ignore[RNN301]"


def test_hover_text_comes_from_the_catalog():
    from rnnlint.catalog import default_catalog
    from rnnlint.lsp import hover_markdown
    spec = default_catalog().by_code["RNN101"]
    text = hover_markdown(spec)
    assert spec.summary in text and "#### Why is this bad" in text and spec.url in text


# -- end to end ---------------------------------------------------------------------------------
SOURCE = '''import tensorflow as tf

model = tf.keras.Sequential([tf.keras.layers.Input(shape=(30, 4)), tf.keras.layers.LSTM(64), tf.keras.layers.Dense(1)])
label = "naïve 🙂"; model.compile(optimizer="adam", loss="mse")
'''
FINDING_LINE = 3  # 0-based: the compile call, after non-ASCII text on the same line


@pytest_lsp.fixture(config=ClientServerConfig(server_command=[sys.executable, "-m", "rnnlint", "lsp", "--debounce-ms", "10"]))
async def client(lsp_client: LanguageClient, tmp_path: Path):
    (tmp_path / ".rnnlint.yaml").write_text("thresholds:\n  missing-gradient-clipping:\n    default_clipnorm: 0.5\n")
    capabilities = client_capabilities("visual-studio-code")
    # pytest-lsp's VS Code snapshot (1.65) predates LSP 3.17; VS Code's client declares this since
    capabilities.notebook_document = types.NotebookDocumentClientCapabilities(
        synchronization=types.NotebookDocumentSyncClientCapabilities(execution_summary_support=True))
    lsp_client.initialize_result = await lsp_client.initialize_session(types.InitializeParams(
        capabilities=capabilities, root_uri=tmp_path.as_uri()))
    yield
    await lsp_client.shutdown_session()


async def _open(client: LanguageClient, path: Path, text: str) -> str:
    uri = path.as_uri()
    client.text_document_did_open(types.DidOpenTextDocumentParams(
        types.TextDocumentItem(uri=uri, language_id="python", version=1, text=text)))
    await client.wait_for_notification(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
    return uri


def _apply(text: str, edits: list) -> str:
    """Apply LSP text edits (UTF-16 positions) to a text, as an editor does."""
    lines = split_lines(text)
    starts = [0]
    for line in lines[:-1]:
        starts.append(starts[-1] + len(line) + 1)

    def offset(position) -> int:
        line, column = from_client(lines, position.line, position.character, UTF16)
        return starts[line - 1] + column - 1
    for edit in sorted(edits, key=lambda e: (e.range.start.line, e.range.start.character), reverse=True):
        text = text[: offset(edit.range.start)] + edit.new_text + text[offset(edit.range.end):]
    return text


@pytest.mark.asyncio
async def test_diagnostics_actions_and_fix_round_trip(client: LanguageClient, tmp_path: Path):
    uri = await _open(client, tmp_path / "train.py", SOURCE)
    diagnostics = client.diagnostics[uri]
    [diagnostic] = [d for d in diagnostics if d.code == "RNN101"]
    assert diagnostic.source == "rnnlint"
    assert diagnostic.severity == types.DiagnosticSeverity.Information
    assert diagnostic.code_description.href.endswith("/RNN101/")
    # `model.compile(` starts after `label = "naïve 🙂"; `: 19 code points, 20 UTF-16 units
    line_text = SOURCE.splitlines()[FINDING_LINE]
    assert line_text.index("model.compile") == 19
    assert diagnostic.range.start == types.Position(FINDING_LINE, 20)
    assert diagnostic.range.end.character == len(line_text.encode("utf-16-le")) // 2

    hover = await client.text_document_hover_async(types.HoverParams(
        types.TextDocumentIdentifier(uri), types.Position(FINDING_LINE, 25)))
    assert "missing-gradient-clipping" in hover.contents.value and "Why is this bad" in hover.contents.value

    actions = await client.text_document_code_action_async(types.CodeActionParams(
        types.TextDocumentIdentifier(uri), diagnostic.range, types.CodeActionContext(diagnostics=[diagnostic])))
    titles = [a.title for a in actions]
    assert "Ignore missing-gradient-clipping on this line" in titles
    [fix_action] = [a for a in actions if a.title.startswith("Fix RNN101")]
    assert "unsafe" in fix_action.title and fix_action.kind == types.CodeActionKind.QuickFix

    fixed = _apply(SOURCE, fix_action.edit.changes[uri])
    assert 'label = "naïve 🙂"; model.compile(optimizer=tf.keras.optimizers.Adam(clipnorm=0.5), loss="mse")' in fixed
    client.text_document_did_change(types.DidChangeTextDocumentParams(
        types.VersionedTextDocumentIdentifier(uri=uri, version=2),
        [types.TextDocumentContentChangeWholeDocument(text=fixed)]))
    await client.wait_for_notification(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
    assert not [d for d in client.diagnostics[uri] if d.code == "RNN101"]


@pytest.mark.asyncio
async def test_ignore_action_and_fix_all(client: LanguageClient, tmp_path: Path):
    source = SOURCE + (
        "from sklearn.preprocessing import MinMaxScaler\n"
        "train, test = load()[:800], load()[800:]\n"
        "scaler = MinMaxScaler()\n"
        "a = scaler.fit_transform(train)\n"
        "b = scaler.fit_transform(test)\n")
    uri = await _open(client, tmp_path / "train.py", source)
    [diagnostic] = [d for d in client.diagnostics[uri] if d.code == "RNN101"]
    actions = await client.text_document_code_action_async(types.CodeActionParams(
        types.TextDocumentIdentifier(uri), diagnostic.range, types.CodeActionContext(diagnostics=[diagnostic])))
    [ignore] = [a for a in actions if a.title.startswith("Ignore")]
    ignored = _apply(source, ignore.edit.changes[uri])
    assert ignored.splitlines()[FINDING_LINE].endswith('loss="mse")  # rnnlint: ignore[RNN101]')
    client.text_document_did_change(types.DidChangeTextDocumentParams(
        types.VersionedTextDocumentIdentifier(uri=uri, version=2),
        [types.TextDocumentContentChangeWholeDocument(text=ignored)]))
    await client.wait_for_notification(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
    codes = {d.code for d in client.diagnostics[uri]}
    assert "RNN101" not in codes and "RNN202" in codes

    everything = types.Range(types.Position(0, 0), types.Position(len(ignored.splitlines()), 0))
    actions = await client.text_document_code_action_async(types.CodeActionParams(
        types.TextDocumentIdentifier(uri), everything,
        types.CodeActionContext(diagnostics=[], only=[types.CodeActionKind.SourceFixAll])))
    [fix_all] = actions
    assert fix_all.kind == "source.fixAll.rnnlint"
    if fix_all.edit is None:  # VS Code's capabilities: the edit comes from codeAction/resolve
        fix_all = await client.code_action_resolve_async(fix_all)
    result = _apply(ignored, fix_all.edit.changes[uri])
    assert "b = scaler.transform(test)" in result and 'optimizer="adam"' in result  # safe fixes only


@pytest.mark.asyncio
async def test_diagnostics_follow_edits_and_close(client: LanguageClient, tmp_path: Path):
    uri = await _open(client, tmp_path / "train.py", "import keras\n")
    assert not client.diagnostics[uri]
    # an incremental change that adds a finding
    client.text_document_did_change(types.DidChangeTextDocumentParams(
        types.VersionedTextDocumentIdentifier(uri=uri, version=2),
        [types.TextDocumentContentChangePartial(
            range=types.Range(types.Position(1, 0), types.Position(1, 0)),
            text="model = keras.Sequential([keras.layers.LSTM(8)])\nmodel.compile(loss='mse')\n")]))
    await client.wait_for_notification(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
    assert [d.code for d in client.diagnostics[uri]] == ["RNN101"]
    client.text_document_did_save(types.DidSaveTextDocumentParams(types.TextDocumentIdentifier(uri)))
    saved = await client.wait_for_notification(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
    assert saved.version == 2 and [d.code for d in saved.diagnostics] == ["RNN101"]
    client.text_document_did_close(types.DidCloseTextDocumentParams(types.TextDocumentIdentifier(uri)))
    await client.wait_for_notification(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
    assert not client.diagnostics[uri]


@pytest.mark.asyncio
async def test_fast_typing_is_debounced_to_the_last_version(client: LanguageClient, tmp_path: Path):
    uri = await _open(client, tmp_path / "train.py", "import keras\n")
    typed = "import keras\nmodel = keras.Sequential([keras.layers.LSTM(8)])\nmodel.compile(loss='mse')\n"
    published = []
    for version, end in enumerate(range(len("import keras\n") + 1, len(typed) + 1, 20), start=2):
        client.text_document_did_change(types.DidChangeTextDocumentParams(
            types.VersionedTextDocumentIdentifier(uri=uri, version=version),
            [types.TextDocumentContentChangeWholeDocument(text=typed[:end])]))
    last = version + 1
    client.text_document_did_change(types.DidChangeTextDocumentParams(
        types.VersionedTextDocumentIdentifier(uri=uri, version=last),
        [types.TextDocumentContentChangeWholeDocument(text=typed)]))
    while not published or published[-1].version != last:
        published.append(await client.wait_for_notification(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS))
    assert len(published) < last - 1, "intermediate versions were linted and published one by one"
    assert [d.code for d in published[-1].diagnostics] == ["RNN101"]


@pytest.mark.asyncio
async def test_a_broken_project_config_is_shown_and_defaults_are_used(client: LanguageClient, tmp_path: Path):
    project = tmp_path / "project"
    project.mkdir()
    (project / ".rnnlint.yaml").write_text("selectt: [RNN101]\n")
    uri = await _open(client, project / "train.py", SOURCE)
    assert [d.code for d in client.diagnostics[uri]] == ["RNN101"]
    assert any("selectt" in m.message and m.type == types.MessageType.Error for m in client.messages)


@pytest_lsp.fixture(config=ClientServerConfig(server_command=[sys.executable, "-m", "rnnlint.lsp"]))
async def emacs(lsp_client: LanguageClient, tmp_path: Path):
    await lsp_client.initialize_session(types.InitializeParams(
        capabilities=client_capabilities("emacs"), root_uri=tmp_path.as_uri()))
    yield
    await lsp_client.shutdown_session()


@pytest.mark.asyncio
async def test_fix_all_carries_its_edit_for_clients_without_resolve(emacs: LanguageClient, tmp_path: Path):
    source = ("from sklearn.preprocessing import MinMaxScaler\n"
              "train, test = load()[:800], load()[800:]\n"
              "scaler = MinMaxScaler()\n"
              "a = scaler.fit_transform(train)\n"
              "b = scaler.fit_transform(test)\n")
    uri = await _open(emacs, tmp_path / "prep.py", source)
    assert [d.code for d in emacs.diagnostics[uri]] == ["RNN202"]
    actions = await emacs.text_document_code_action_async(types.CodeActionParams(
        types.TextDocumentIdentifier(uri), types.Range(types.Position(0, 0), types.Position(5, 0)),
        types.CodeActionContext(diagnostics=[], only=["source.fixAll.rnnlint"])))
    [fix_all] = actions
    assert _apply(source, fix_all.edit.changes[uri]).endswith("b = scaler.transform(test)\n")


# -- notebook documents (LSP 3.17) ----------------------------------------------------------------
NOTEBOOK_CELLS = [
    ("markdown", "# Forecast"),
    ("code", "%matplotlib inline\nimport tensorflow as tf"),
    ("code", "model = tf.keras.Sequential([tf.keras.layers.Input(shape=(30, 4)), tf.keras.layers.LSTM(64)])\n"
             "model.compile(optimizer=\"adam\", loss=\"mse\")"),
]


async def _diagnostics_for(client: LanguageClient, uris: list[str]) -> None:
    while not all(uri in client.diagnostics for uri in uris):
        await client.wait_for_notification(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)


def _cell_uri(notebook: Path, index: int) -> str:
    return f"vscode-notebook-cell:{notebook.as_posix()}#C{index}"


def _cell(kind: str, uri: str, text: str, version: int = 1) -> tuple[types.NotebookCell, types.TextDocumentItem]:
    """A notebook cell and its text document, as VS Code sends them (a raw cell is code in "raw")."""
    language = {"markdown": "markdown", "code": "python", "raw": "raw"}[kind]
    cell_kind = types.NotebookCellKind.Markup if kind == "markdown" else types.NotebookCellKind.Code
    return (types.NotebookCell(kind=cell_kind, document=uri),
            types.TextDocumentItem(uri=uri, language_id=language, version=version, text=text))


def _open_notebook(client: LanguageClient, notebook: Path, cells: list[tuple[str, str]]) -> list[str]:
    """Open `cells` ((kind, text) pairs) as a notebook document; the cells' uris, in order."""
    uris = [_cell_uri(notebook, i) for i in range(len(cells))]
    opened = [_cell(kind, uri, text) for (kind, text), uri in zip(cells, uris)]
    client.notebook_document_did_open(types.DidOpenNotebookDocumentParams(
        notebook_document=types.NotebookDocument(
            uri=notebook.as_uri(), notebook_type="jupyter-notebook", version=1, cells=[c for c, _ in opened]),
        cell_text_documents=[d for _, d in opened]))
    return uris


def _edit_cell(client: LanguageClient, notebook: Path, version: int, uri: str, text: str) -> None:
    """A cell's new text, as a client sends it: a notebook change of that cell's content."""
    client.notebook_document_did_change(types.DidChangeNotebookDocumentParams(
        notebook_document=types.VersionedNotebookDocumentIdentifier(version=version, uri=notebook.as_uri()),
        change=types.NotebookDocumentChangeEvent(cells=types.NotebookDocumentCellChanges(text_content=[
            types.NotebookDocumentCellContentChanges(
                document=types.VersionedTextDocumentIdentifier(uri=uri, version=version),
                changes=[types.TextDocumentContentChangeWholeDocument(text=text)])]))))


def test_the_server_advertises_notebook_document_sync(client: LanguageClient):
    sync = client.initialize_result.capabilities.notebook_document_sync
    [selector] = sync.notebook_selector
    assert selector.notebook == "jupyter-notebook" and [c.language for c in selector.cells] == ["python"]


@pytest.mark.asyncio
async def test_a_notebook_document_gets_diagnostics_and_actions_in_its_cells(client: LanguageClient, tmp_path: Path):
    notebook = tmp_path / "forecast.ipynb"
    notebook_uri = notebook.as_uri()
    cell_uris = _open_notebook(client, notebook, NOTEBOOK_CELLS)
    await _diagnostics_for(client, cell_uris[1:])
    assert list(client.diagnostics[cell_uris[1]]) == []  # the imports cell, its magic masked
    [diagnostic] = [d for d in client.diagnostics[cell_uris[2]] if d.code == "RNN101"]
    assert diagnostic.range.start == types.Position(1, 0)  # the compile: line 2 of its cell, not of the program

    hover = await client.text_document_hover_async(types.HoverParams(
        types.TextDocumentIdentifier(cell_uris[2]), types.Position(1, 5)))
    assert "missing-gradient-clipping" in hover.contents.value
    actions = await client.text_document_code_action_async(types.CodeActionParams(
        types.TextDocumentIdentifier(cell_uris[2]), diagnostic.range,
        types.CodeActionContext(diagnostics=[diagnostic])))
    titles = [a.title for a in actions]
    assert "Ignore missing-gradient-clipping on this line" in titles
    assert not any(a.kind == "source.fixAll.rnnlint" for a in actions)
    [fix_action] = [a for a in actions if a.title.startswith("Fix RNN101")]
    fixed = _apply(NOTEBOOK_CELLS[2][1], fix_action.edit.changes[cell_uris[2]])
    assert 'model.compile(optimizer=tf.keras.optimizers.Adam(clipnorm=0.5), loss="mse")' in fixed

    # the edit arrives as a notebook change of the cell's text: diagnostics follow it
    client.diagnostics.pop(cell_uris[2])
    _edit_cell(client, notebook, 2, cell_uris[2], fixed)
    await _diagnostics_for(client, [cell_uris[2]])
    assert not [d for d in client.diagnostics[cell_uris[2]] if d.code == "RNN101"]

    client.notebook_document_did_close(types.DidCloseNotebookDocumentParams(
        notebook_document=types.NotebookDocumentIdentifier(notebook_uri),
        cell_text_documents=[types.TextDocumentIdentifier(uri) for uri in cell_uris]))
    client.diagnostics.pop(cell_uris[2])
    await _diagnostics_for(client, [cell_uris[2]])
    assert list(client.diagnostics[cell_uris[2]]) == []


def _record_publishes(client: LanguageClient) -> list[types.PublishDiagnosticsParams]:
    """Every publishDiagnostics from now on, in order. A notebook's lint publishes for all its cells
    at once, and a wait for the next notification wakes on the first of them only."""
    log: list[types.PublishDiagnosticsParams] = []
    features = client.protocol.fm.features
    handler = features[types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS]

    def record(params: types.PublishDiagnosticsParams):
        log.append(params)
        return handler(params)
    features[types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS] = record
    return log


async def _until(client: LanguageClient, done) -> None:
    """Wait for publishDiagnostics until `done()` holds (30 s at most: a clean failure, not a hang)."""
    async def wait() -> None:
        while not done():
            await client.wait_for_notification(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
    await asyncio.wait_for(wait(), 30)


def _for(log: list[types.PublishDiagnosticsParams], uri: str) -> list[types.PublishDiagnosticsParams]:
    return [params for params in log if params.uri == uri]


@pytest.mark.asyncio
async def test_a_request_on_a_cell_before_its_first_lint_sees_the_whole_notebook(client: LanguageClient,
                                                                                 tmp_path: Path):
    """Cell 3 alone never imports tf: linted on its own it would have no finding to act on."""
    [_, _, compile_cell] = _open_notebook(client, tmp_path / "early.ipynb", NOTEBOOK_CELLS)
    line = types.Range(types.Position(1, 0), types.Position(1, 1))
    actions = await client.text_document_code_action_async(types.CodeActionParams(
        types.TextDocumentIdentifier(compile_cell), line, types.CodeActionContext(diagnostics=[])))
    assert any(a.title.startswith("Fix RNN101") for a in actions)
    assert not any(a.kind == "source.fixAll.rnnlint" for a in actions)


@pytest.mark.asyncio
async def test_saving_the_project_config_lints_a_notebook_again_as_a_notebook(client: LanguageClient,
                                                                              tmp_path: Path):
    notebook = tmp_path / "forecast.ipynb"
    cell_uris = _open_notebook(client, notebook, NOTEBOOK_CELLS)
    await _diagnostics_for(client, cell_uris[1:])
    config = tmp_path / ".rnnlint.yaml"
    config.write_text("thresholds:\n  missing-gradient-clipping:\n    default_clipnorm: 2.0\n")
    client.diagnostics.pop(cell_uris[2])
    client.text_document_did_save(types.DidSaveTextDocumentParams(types.TextDocumentIdentifier(config.as_uri())))
    await _diagnostics_for(client, cell_uris[2:])
    [diagnostic] = [d for d in client.diagnostics[cell_uris[2]] if d.code == "RNN101"]
    assert diagnostic.range.start == types.Position(1, 0)
    actions = await client.text_document_code_action_async(types.CodeActionParams(
        types.TextDocumentIdentifier(cell_uris[2]), diagnostic.range,
        types.CodeActionContext(diagnostics=[diagnostic])))
    [fix_action] = [a for a in actions if a.title.startswith("Fix RNN101")]
    assert "clipnorm=2.0" in fix_action.edit.changes[cell_uris[2]][0].new_text


@pytest.mark.asyncio
async def test_cells_added_and_removed_and_raw_cells(client: LanguageClient, tmp_path: Path):
    notebook = tmp_path / "forecast.ipynb"
    cell_uris = _open_notebook(client, notebook, NOTEBOOK_CELLS)
    await _diagnostics_for(client, cell_uris[1:])
    # a raw cell (code, in language "raw": not Python) and a new code cell with a fit, after cell 3
    raw, fit = _cell_uri(notebook, 10), _cell_uri(notebook, 11)
    added = [_cell("raw", raw, "this is not { Python"), _cell("code", fit, "model.fit(X, y, epochs=200)")]
    client.notebook_document_did_change(types.DidChangeNotebookDocumentParams(
        notebook_document=types.VersionedNotebookDocumentIdentifier(version=2, uri=notebook.as_uri()),
        change=types.NotebookDocumentChangeEvent(cells=types.NotebookDocumentCellChanges(
            structure=types.NotebookDocumentCellChangeStructure(
                array=types.NotebookCellArrayChange(start=3, delete_count=0, cells=[c for c, _ in added]),
                did_open=[d for _, d in added])))))
    log = _record_publishes(client)
    await _until(client, lambda: _for(log, fit))
    assert [(d.code, d.range.start.line) for d in _for(log, fit)[-1].diagnostics] == [("RNN301", 0)]
    assert raw not in client.diagnostics  # nothing for the raw cell: no RNN001 for text that is not code
    assert "RNN101" in {d.code for d in client.diagnostics[cell_uris[2]]}

    # the compile cell is deleted: its diagnostics are cleared, the fit cell's stay
    client.notebook_document_did_change(types.DidChangeNotebookDocumentParams(
        notebook_document=types.VersionedNotebookDocumentIdentifier(version=3, uri=notebook.as_uri()),
        change=types.NotebookDocumentChangeEvent(cells=types.NotebookDocumentCellChanges(
            structure=types.NotebookDocumentCellChangeStructure(
                array=types.NotebookCellArrayChange(start=2, delete_count=1),
                did_close=[types.TextDocumentIdentifier(cell_uris[2])])))))
    log.clear()
    await _until(client, lambda: _for(log, cell_uris[2]) and _for(log, fit))
    assert list(_for(log, cell_uris[2])[-1].diagnostics) == []
    assert [d.code for d in _for(log, fit)[-1].diagnostics] == ["RNN301"]
    assert raw not in client.diagnostics


@pytest.mark.asyncio
async def test_fast_typing_in_a_cell_is_debounced_to_the_last_version(client: LanguageClient, tmp_path: Path):
    notebook = tmp_path / "typed.ipynb"
    [imports, body] = _open_notebook(client, notebook, [("code", "import keras"), ("code", "")])
    await _diagnostics_for(client, [imports, body])
    log = _record_publishes(client)
    typed = "model = keras.Sequential([keras.layers.LSTM(8)])\nmodel.compile(loss='mse')\n"
    versions = list(range(2, 2 + len(typed) // 10 + 1))
    for version in versions:
        _edit_cell(client, notebook, version, body, typed[: (version - 1) * 10])
    await _until(client, lambda: any(p.version == versions[-1] for p in _for(log, body)))
    published = _for(log, body)
    assert len(published) < len(versions) - 1, "intermediate versions were linted and published one by one"
    assert [(d.code, d.range.start.line) for d in published[-1].diagnostics] == [("RNN101", 1)]


KERAS_CELLS = [
    ("markdown", "# Forecast, in Keras 3's import style"),
    ("code", "from keras.models import Sequential\nfrom keras.layers import LSTM, Dense"),
    ("code", "model = Sequential([LSTM(8), Dense(1)])\nmodel.compile(optimizer=\"adam\", loss=\"mse\")"),
]


async def _actions(client: LanguageClient, cell_uri: str, line: int) -> list[types.CodeAction]:
    return await client.text_document_code_action_async(types.CodeActionParams(
        types.TextDocumentIdentifier(cell_uri), types.Range(types.Position(line, 0), types.Position(line, 1)),
        types.CodeActionContext(diagnostics=[])))


@pytest.mark.asyncio
async def test_a_quick_fix_in_a_cell_may_add_its_import_to_another_cell(client: LanguageClient, tmp_path: Path):
    cell_uris = _open_notebook(client, tmp_path / "keras3.ipynb", KERAS_CELLS)
    await _diagnostics_for(client, cell_uris[1:])
    [fix_action] = [a for a in await _actions(client, cell_uris[2], 1) if a.title.startswith("Fix RNN101")]
    assert set(fix_action.edit.changes) == {cell_uris[1], cell_uris[2]}
    imports = _apply(KERAS_CELLS[1][1], fix_action.edit.changes[cell_uris[1]])
    body = _apply(KERAS_CELLS[2][1], fix_action.edit.changes[cell_uris[2]])
    assert imports.splitlines()[-1] == "from keras.optimizers import Adam"
    assert body.splitlines()[1] == 'model.compile(optimizer=Adam(clipnorm=0.5), loss="mse")'


@pytest_lsp.fixture(config=ClientServerConfig(server_command=[sys.executable, "-m", "rnnlint", "lsp", "--debounce-ms", "60000"]))
async def patient(lsp_client: LanguageClient, tmp_path: Path):
    """A server that waits a minute after each edit: a request in between finds the lint not yet run."""
    capabilities = client_capabilities("visual-studio-code")
    capabilities.notebook_document = types.NotebookDocumentClientCapabilities(
        synchronization=types.NotebookDocumentSyncClientCapabilities())
    await lsp_client.initialize_session(types.InitializeParams(capabilities=capabilities, root_uri=tmp_path.as_uri()))
    yield
    await lsp_client.shutdown_session()


@pytest.mark.asyncio
async def test_a_request_on_a_cell_sees_the_edits_of_the_other_cells(patient: LanguageClient, tmp_path: Path):
    """Cell 3's findings depend on cell 2's imports: cell 3's own text is not all that must be current."""
    notebook = tmp_path / "keras3.ipynb"
    cell_uris = _open_notebook(patient, notebook, KERAS_CELLS)
    await _diagnostics_for(patient, cell_uris[1:])
    ignore = "Ignore missing-gradient-clipping on this line"
    assert ignore in [a.title for a in await _actions(patient, cell_uris[2], 1)]
    _edit_cell(patient, notebook, 2, cell_uris[1], "from keras.models import Sequential\nfrom keras.layers import Dense")
    assert not await _actions(patient, cell_uris[2], 1)  # no LSTM imported: no recurrent layer, no finding


@pytest.mark.asyncio
async def test_fix_all_in_a_notebook_fixes_every_cell_safely(client: LanguageClient, tmp_path: Path):
    cells = [
        ("markdown", "# Scaling"),
        ("code", "from sklearn.preprocessing import MinMaxScaler\nimport tensorflow as tf"),
        ("code", "train, test = load()[:800], load()[800:]\nscaler = MinMaxScaler()\na = scaler.fit_transform(train)"),
        ("code", "b = scaler.fit_transform(test)\n"
                 "model = tf.keras.Sequential([tf.keras.layers.LSTM(8)])\n"
                 "model.compile(optimizer=\"adam\", loss=\"mse\")\n"),
    ]
    cell_uris = _open_notebook(client, tmp_path / "scaling.ipynb", cells)
    await _diagnostics_for(client, cell_uris[1:])
    assert {d.code for d in client.diagnostics[cell_uris[3]]} >= {"RNN202", "RNN101"}
    # asked in cell 3, which has no finding of its own: fix-all is the notebook's
    actions = await client.text_document_code_action_async(types.CodeActionParams(
        types.TextDocumentIdentifier(cell_uris[2]), types.Range(types.Position(0, 0), types.Position(3, 0)),
        types.CodeActionContext(diagnostics=[], only=[types.CodeActionKind.SourceFixAll])))
    [fix_all] = actions
    if fix_all.edit is None:  # VS Code's capabilities: the edit comes from codeAction/resolve
        fix_all = await client.code_action_resolve_async(fix_all)
    assert set(fix_all.edit.changes) == {cell_uris[3]}
    fixed = _apply(cells[3][1], fix_all.edit.changes[cell_uris[3]])
    assert fixed.startswith("b = scaler.transform(test)\n") and 'optimizer="adam"' in fixed  # safe fixes only
