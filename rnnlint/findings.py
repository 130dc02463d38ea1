"""The values every stage passes along: severities, spans, findings and fixes.

A leaf module: it imports nothing else from the package, so reporters, the editor server and the probe
can all depend on it without pulling in the engine.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field


class Severity(enum.IntEnum):
    """How bad a finding is; ordered so that `severity >= fail_on` decides the exit code."""

    INFO = 1
    WARNING = 2
    ERROR = 3

    @classmethod
    def parse(cls, text: str) -> "Severity":
        try:
            return cls[text.strip().upper()]
        except KeyError:
            names = ", ".join(s.label for s in cls)
            raise ValueError(f"unknown severity {text!r} (expected one of: {names})") from None

    @property
    def label(self) -> str:
        return self.name.lower()


@dataclass(frozen=True, order=True)
class Span:
    """A source range. Lines are 1-based; columns are 1-based code points; the end is exclusive."""

    line: int
    column: int
    end_line: int
    end_column: int


@dataclass(frozen=True)
class Edit:
    """Replace the text of `span` with `text`."""

    span: Span
    text: str


class Applicability(enum.Enum):
    """Whether a fix may be applied without asking (ruff's terms)."""

    SAFE = "safe"
    UNSAFE = "unsafe"


@dataclass(frozen=True)
class Fix:
    description: str
    applicability: Applicability
    edits: tuple[Edit, ...]


@dataclass(frozen=True)
class Finding:
    code: str
    name: str
    severity: Severity
    path: str
    span: Span
    message: str
    fix: Fix | None = None
    # Notebooks: the cell's 1-based position among all the notebook's cells (markdown included, as
    # Jupyter shows them); `span` is then relative to that cell.
    cell: int | None = None
    # Extra values a reporter may show (e.g. the amplifier that raised a severity); never wording.
    data: dict = field(default_factory=dict, compare=False, hash=False)

    def sort_key(self) -> tuple:
        return (self.path, self.cell or 0, self.span.line, self.span.column, self.code)


@dataclass(frozen=True)
class FileError:
    """A file that could not be linted (binary, undecodable, too large, unreadable).

    `fatal` errors make the run exit with 2; notes (an empty file named on the command line) do not.
    """

    path: str
    message: str
    fatal: bool = True
