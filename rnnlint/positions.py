"""Columns at the editor boundary: rnnlint (libcst) counts code points from 1; the Language Server
Protocol counts code units from 0, UTF-16 units unless client and server agreed on UTF-8 or UTF-32.

`naïve 🙂 x`: `x` is code point 9 (1-based), UTF-16 unit 9 (0-based: 🙂 takes two units), UTF-8 byte 12.
"""

from __future__ import annotations

import re

UTF8, UTF16, UTF32 = "utf-8", "utf-16", "utf-32"
_NEWLINE = re.compile(r"\r\n|\r|\n")  # the parser's line endings, so line numbers agree with libcst


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
