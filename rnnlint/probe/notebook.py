"""Probing a notebook: its code cells in order as one script, IPython-only lines skipped and named,
and every line the child reports moved back to its cell (parent side; the child runs plain Python).

The program is the one `rnnlint check` lints (`rnnlint.notebook.read_notebook`): magics and shell
lines become `pass` at their indentation, so program lines map one to one onto cell lines.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from rnnlint.notebook import NotebookProgram, read_notebook
from rnnlint.source import SourceError

MAX_NAMED_SKIPS = 20


@dataclass(frozen=True)
class ProbedNotebook:
    program: NotebookProgram
    skipped: tuple[str, ...]  # "cell 2 line 1: !pip install keras", one per IPython-only line

    def where(self, line: int) -> dict:
        """Cell and line in the notebook of a program line."""
        found = self.program.locate(line)
        if found is None:
            return {"line": line}
        cell, cell_line = found
        return {"cell": cell.index, "line": cell_line}

    def map_frames(self, result: dict | None, program_path: str, notebook: Path) -> None:
        """Frames of the program file become frames of the notebook, with cell and line."""
        error = (result or {}).get("error") or {}
        for frame in error.get("frames", []):
            if frame.get("file") == program_path:
                frame.update(self.where(int(frame["line"])), file=str(notebook))


def is_notebook(script: Path) -> bool:
    return script.suffix.lower() == ".ipynb"


def load(script: Path) -> ProbedNotebook | SourceError:
    program = read_notebook(script.read_bytes())
    if isinstance(program, SourceError):
        return program
    skipped = []
    masked_lines = program.text.split("\n")
    cells = _code_cells(script)
    for cell, source in zip(program.cells, cells):
        for offset, original in enumerate(source.rstrip("\n").split("\n")):
            masked = masked_lines[cell.first_line - 1 + offset] if cell.first_line - 1 + offset < len(
                masked_lines) else original
            if masked.strip() == "pass" and original.strip() != "pass":
                skipped.append(f"cell {cell.index} line {offset + 1}: {original.strip()[:80]}")
    return ProbedNotebook(program, tuple(skipped))


def _code_cells(script: Path) -> list[str]:
    import json

    cells = json.loads(script.read_text(encoding="utf-8-sig")).get("cells", [])
    out = []
    for cell in cells:
        if cell.get("cell_type") == "code":
            source = cell.get("source", "")
            out.append(source if isinstance(source, str) else "".join(source))
    return out


def skip_note(notebook: ProbedNotebook) -> str | None:
    if not notebook.skipped:
        return None
    named = "; ".join(notebook.skipped[:MAX_NAMED_SKIPS])
    more = f" and {len(notebook.skipped) - MAX_NAMED_SKIPS} more" if len(notebook.skipped) > MAX_NAMED_SKIPS else ""
    return f"IPython-only lines skipped (magics, shell): {named}{more}"
