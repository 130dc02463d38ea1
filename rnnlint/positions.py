"""Columns: `ast` counts UTF-8 bytes from 0, rnnlint's spans code points from 1, and the Language Server
Protocol code units from 0, UTF-16 units unless client and server agreed on UTF-8 or UTF-32. Every
conversion between them lives here.

`naïve 🙂 x`: `x` is code point 9 (1-based), UTF-16 unit 9 (0-based: 🙂 takes two units), UTF-8 byte 12.
"""

from __future__ import annotations

import re

UTF8, UTF16, UTF32 = "utf-8", "utf-16", "utf-32"
_NEWLINE = re.compile(r"\r\n|\r|\n")  # the parser's line endings, so line numbers agree with `ast`


def split_lines(text: str) -> list[str]:
    """The text's lines without their endings (a final newline gives a last empty line)."""
    return _NEWLINE.split(text)


def _units(text: str, encoding: str) -> int:
    if encoding == UTF32:
        return len(text)
    if encoding == UTF8:
        return len(text.encode("utf-8", "surrogatepass"))
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


def to_client(lines: list[str], line: int, column: int, encoding: str = UTF16) -> tuple[int, int]:
    """(0-based line, 0-based code-unit character) for a 1-based line and 1-based code-point column."""
    if line > len(lines):
        return len(lines) - 1 if lines else 0, _units(lines[-1], encoding) if lines else 0
    text = lines[line - 1]
    return line - 1, _units(text[: max(column - 1, 0)], encoding)


def from_client(lines: list[str], line: int, character: int, encoding: str = UTF16) -> tuple[int, int]:
    """(1-based line, 1-based code-point column) for a 0-based line and code-unit character; a
    character past the end of the line (or inside a surrogate pair) is clamped."""
    if line >= len(lines):
        return len(lines) + 1 if lines else 1, 1
    text = lines[line]
    count = 0
    for index, char in enumerate(text):
        if count >= character:
            return line + 1, index + 1
        count += _units(char, encoding)
    return line + 1, len(text) + 1


class SourceLines:
    """Positions of `ast` nodes in one text: `ast` counts columns in UTF-8 bytes from 0; rnnlint's
    spans count code points from 1 (as libcst did, and as the text reporter prints them)."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.starts = [0] + [match.end() for match in _NEWLINE.finditer(text)]

    def _line(self, line: int) -> str:
        if line > len(self.starts):
            return ""
        end = self.starts[line] if line < len(self.starts) else len(self.text)
        return self.text[self.starts[line - 1]:end]

    def column(self, line: int, byte_column: int) -> int:
        """The 0-based code-point column of a 0-based UTF-8 byte column."""
        text = self._line(line)
        if text.isascii():
            return byte_column
        return len(text.encode("utf-8", "surrogatepass")[:byte_column].decode("utf-8", "surrogatepass"))

    def offset(self, line: int, byte_column: int) -> int:
        """The string offset of a 1-based line and 0-based UTF-8 byte column."""
        if line > len(self.starts):
            return len(self.text)
        return self.starts[line - 1] + self.column(line, byte_column)

    def span(self, node) -> tuple[int, int, int, int]:
        """(line, column, end line, end column) of a node, columns 1-based code points."""
        return (node.lineno, self.column(node.lineno, node.col_offset) + 1,
                node.end_lineno, self.column(node.end_lineno, node.end_col_offset) + 1)

    def segment(self, node) -> str:
        """The node's source text as written."""
        return self.text[self.offset(node.lineno, node.col_offset):self.offset(node.end_lineno, node.end_col_offset)]


class Place:
    """A stretch of source with no node of its own in `ast` (the `lr` of `lr=0.1`), positioned as a node is."""

    def __init__(self, lineno: int, col_offset: int, end_lineno: int, end_col_offset: int) -> None:
        self.lineno, self.col_offset = lineno, col_offset
        self.end_lineno, self.end_col_offset = end_lineno, end_col_offset
