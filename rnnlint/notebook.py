"""Jupyter notebooks: the program their code cells form, and positions mapped back to the cells.

A notebook is linted as one program (its code cells in order, as a kernel runs them top to bottom),
with IPython syntax masked so the rest parses: line magics (`%time`), shell lines (`!pip ...`,
`x = !ls`), help lines (`obj?`, `?obj`) and cell magics (`%%bash` masks the cell; `%%time` and the
other Python-bodied ones mask only their first line). A masked line becomes `pass` at its indentation,
so line numbers never move.

Cells are numbered like ruff and nbQA do: `cell N` is the 1-based position of the cell in the notebook,
markdown cells included, so it matches what you count in Jupyter, VS Code or GitHub's rendering
(execution counts change with every run and are absent before the first).

The file is read here, with the standard library's json, not with nbformat: linting needs only the
cells' types and sources, which the published schema fixes (v4: top-level `cells`, each with
`cell_type` and `source` as a string or a list of lines; v3: `worksheets[*].cells`, code in `input`),
so `rnnlint check model.ipynb` works with the base install, as ruff's does. What does not fit the
schema's shape becomes one "not a valid notebook" line.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, replace

from rnnlint.findings import Edit, Finding, Fix, Span
from rnnlint.source import MAX_SOURCE_BYTES, SourceError

# Outputs (plots, images) make notebooks much larger than the scripts they hold.
MAX_NOTEBOOK_BYTES = MAX_SOURCE_BYTES * 5
# Cell magics whose body is Python and is linted; any other `%%magic` hides its cell.
PYTHON_CELL_MAGICS = frozenset({"time", "timeit", "capture", "prun", "debug", "python", "python3"})
# A notebook's (or, in the editor, a cell's) language names that mean Python code
PYTHON_LANGUAGES = frozenset({"python", "python3", "ipython", "ipython3"})
# `%magic`, `%%magic`, `!shell`, `?obj`, and assignments from them (`files = !ls`)
_MAGIC_LINE = re.compile(r"^\s*(?:[%!?]|[\w.\[\]\"' ]+=\s*[%!])")
_HELP_LINE = re.compile(r"[\w.]+\?{1,2}")  # `model.fit?`


@dataclass(frozen=True)
class Cell:
    index: int  # 1-based position among all the notebook's cells
    first_line: int  # where the cell starts in the program text (1-based)
    line_count: int
    # for each of the cell's lines, its 1-based line in the .ipynb file (SARIF regions); may be empty
    file_lines: tuple[int, ...] = ()


@dataclass(frozen=True)
class NotebookProgram:
    text: str
    cells: tuple[Cell, ...]

    def locate(self, line: int) -> tuple[Cell, int] | None:
        """The cell holding program line `line`, and the 1-based line inside that cell."""
        for cell in self.cells:
            if cell.first_line <= line < cell.first_line + cell.line_count:
                return cell, line - cell.first_line + 1
        return None

    def to_cells(self, finding: Finding) -> Finding:
        """A finding on the program, moved to its cell (fix edits that leave the cell are dropped)."""
        start = self.locate(finding.span.line)
        if start is None:
            return finding
        cell, line = start
        span = self._cell_span(cell, finding.span)
        fix = finding.fix
        if fix is not None:
            edits = tuple(Edit(self._cell_span(cell, e.span), e.text) for e in fix.edits)
            inside = all(e.span.line >= cell.first_line and e.span.end_line < cell.first_line + cell.line_count
                         for e in fix.edits)
            fix = Fix(fix.description, fix.applicability, edits) if inside else None
        data = dict(finding.data)
        if cell.file_lines:
            data["notebook_file_line"] = cell.file_lines[min(line, len(cell.file_lines)) - 1]
        return replace(finding, span=span, cell=cell.index, fix=fix, data=data)

    @staticmethod
    def _cell_span(cell: Cell, span: Span) -> Span:
        last = cell.line_count
        end_line = span.end_line - cell.first_line + 1
        end_column = span.end_column
        if end_line > last:  # a span running into the next cell stops at this one's end
            end_line, end_column = last + 1, 1
        return Span(span.line - cell.first_line + 1, span.column, end_line, end_column)


def mask_magics(source: str) -> str:
    """The cell's text with IPython-only lines replaced by `pass` (same line count)."""
    lines = source.split("\n")
    head = lines[0].strip()
    if head.startswith("%%"):
        name = head[2:].split(maxsplit=1)[0] if len(head) > 2 else ""
        if name not in PYTHON_CELL_MAGICS:  # %%bash, %%html, %%writefile: the body is not Python
            return "pass" + "\n" * (len(lines) - 1)
    out = []
    for line in lines:
        match = _MAGIC_LINE.match(line)
        if match or _HELP_LINE.fullmatch(line.strip()):
            out.append(line[: len(line) - len(line.lstrip())] + "pass")
        else:
            out.append(line)
    return "\n".join(out)


def _file_lines(raw: str, cells: list) -> list[tuple[int, ...]]:
    """For each code cell, the .ipynb line of each source line, found in order in the raw text.

    Jupyter writes `"source": [` with one JSON string a line; a notebook stored otherwise (one string
    per cell, minified) gets no line map, and SARIF then points at the cell's first line.
    """
    line_starts = [0] + [i + 1 for i, ch in enumerate(raw) if ch == "\n"]

    def line_of(offset: int) -> int:
        low, high = 0, len(line_starts) - 1
        while low < high:
            mid = (low + high + 1) // 2
            if line_starts[mid] <= offset:
                low = mid
            else:
                high = mid - 1
        return low + 1

    out: list[tuple[int, ...]] = []
    position = 0
    for source in cells:
        found: list[int] = []
        key = raw.find('"source"', position)
        if key < 0:
            out.append(())
            continue
        cursor = key
        for line in source.splitlines(keepends=True):
            # Jupyter writes non-ASCII text as is; other writers escape it
            where = raw.find(json.dumps(line, ensure_ascii=False), cursor)
            if where < 0:
                where = raw.find(json.dumps(line), cursor)
            if where < 0:
                found = []
                break
            found.append(line_of(where))
            cursor = where + 1
        if not found:
            found = [line_of(key)]
        out.append(tuple(found))
        position = cursor + 1
    return out


def read_notebook(data: bytes) -> NotebookProgram | SourceError:
    """The program a notebook's code cells form, or a one-line reason why it cannot be read."""
    if len(data) > MAX_NOTEBOOK_BYTES:
        return SourceError(f"notebook is {len(data) / 1e6:.1f} MB, over the "
                           f"{MAX_NOTEBOOK_BYTES / 1e6:.0f} MB limit; not linted")
    try:
        raw = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        return SourceError(f"not a notebook: cannot decode as UTF-8 at byte {exc.start}")
    try:
        document = json.loads(raw)
    except (ValueError, RecursionError) as exc:
        where = f" at line {exc.lineno} column {exc.colno}" if isinstance(exc, json.JSONDecodeError) else ""
        message = exc.msg if isinstance(exc, json.JSONDecodeError) else (str(exc) or type(exc).__name__)
        return SourceError(f"not a valid notebook: broken JSON{where}: {message}")
    read = _cells_and_language(document)
    if isinstance(read, SourceError):
        return read
    cells, language = read
    if str(language).lower() not in PYTHON_LANGUAGES:
        return SourceError(f"a {language} notebook, not Python; not linted")
    code = [(position, cell["source"]) for position, cell in enumerate(cells, start=1)
            if cell["cell_type"] == "code"]
    return program_of(code, _file_lines(raw, [source for _, source in code]))


def program_of(code_cells: list[tuple[int, str]], file_lines: list[tuple[int, ...]] | None = None) -> NotebookProgram:
    """The program that code cells (position among all cells, source) form, magics masked line for line.
    The editor server builds it from the cells an LSP client sends; `read_notebook` from the file."""
    maps = file_lines if file_lines is not None else [()] * len(code_cells)
    parts, program_cells, line = [], [], 1
    for (position, source), cell_file_lines in zip(code_cells, maps):
        masked = mask_magics(source.rstrip("\n"))
        count = masked.count("\n") + 1
        program_cells.append(Cell(position, line, count, cell_file_lines))
        parts.append(masked + "\n")
        line += count
    return NotebookProgram("".join(parts), tuple(program_cells))


def _text(value, where: str) -> str | SourceError:
    """A multiline string of the schema: one string, or a list of line strings."""
    if isinstance(value, str):
        return value
    if isinstance(value, list) and all(isinstance(part, str) for part in value):
        return "".join(value)
    return SourceError(f"not a valid notebook: {where} is neither a string nor a list of strings")


def _dict(value: object) -> dict:
    """`value` when it is a JSON object, else an empty one (a missing or malformed metadata table)."""
    return value if isinstance(value, dict) else {}


def _cells_and_language(document) -> tuple[list[dict], str] | SourceError:
    """The cells (each `cell_type` and `source` text) and the kernel's language, for nbformat 3 and 4."""
    if not isinstance(document, dict):
        return SourceError("not a valid notebook: the JSON is not an object")
    metadata = _dict(document.get("metadata"))
    version = document.get("nbformat")
    raw_cells: object
    if isinstance(version, int) and version <= 3:
        worksheets = document.get("worksheets")
        if not isinstance(worksheets, list) or not all(isinstance(w, dict) for w in worksheets):
            return SourceError("not a valid notebook: an nbformat 3 notebook needs a 'worksheets' list")
        raw_cells = [cell for sheet in worksheets for cell in (sheet.get("cells") or [])]
        source_key = "input"
        language = metadata.get("language") or "python"
    else:
        raw_cells = document.get("cells")
        if not isinstance(raw_cells, list):
            return SourceError("not a valid notebook: no 'cells' list")
        source_key = "source"
        language_info = _dict(metadata.get("language_info"))
        kernelspec = _dict(metadata.get("kernelspec"))
        language = language_info.get("name") or kernelspec.get("language") or "python"
    cells = []
    for position, cell in enumerate(raw_cells, start=1):
        if not isinstance(cell, dict) or not isinstance(cell.get("cell_type"), str):
            return SourceError(f"not a valid notebook: cell {position} has no 'cell_type'")
        kind = cell["cell_type"]
        source = _text(cell.get(source_key, cell.get("source", "")), f"cell {position}'s source")
        if isinstance(source, SourceError):
            return source
        cells.append({"cell_type": kind, "source": source})
    return cells, str(language)
