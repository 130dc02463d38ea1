"""Turn a file's bytes into text the parser can take, or into a one-line reason why not.

Never raises on content: binary data, undecodable bytes, bad coding cookies and oversized files all
become a `SourceError` with a message a person can act on.
"""

from __future__ import annotations

import io
import os
import stat
import tokenize
from dataclasses import dataclass

# Far above any real training script (50,000 lines is ~2 MB) but small enough to bound memory.
MAX_SOURCE_BYTES = 10 * 1024 * 1024


@dataclass(frozen=True)
class SourceText:
    text: str
    encoding: str
    newline: str  # the file's dominant line ending, kept by --fix


@dataclass(frozen=True)
class SourceError:
    message: str


def dominant_newline(text: str) -> str:
    crlf = text.count("\r\n")
    return "\r\n" if crlf and crlf >= text.count("\n") - crlf else "\n"


def read_source(path: str | os.PathLike, max_bytes: int = MAX_SOURCE_BYTES) -> bytes | SourceError:
    """A file's bytes, at most one more than `max_bytes` (so `decode` can say it is too big).

    Only regular files: a FIFO named `train.py` would block the read forever, and a link to
    /dev/zero would never end it.
    """
    try:
        if not stat.S_ISREG(os.stat(path).st_mode):
            return SourceError("not a regular file (a directory, device, FIFO or socket); not linted")
        with open(path, "rb") as stream:
            return stream.read(max_bytes + 1)
    except OSError as exc:
        return SourceError(f"cannot read: {exc.strerror or exc}")


def decode(data: bytes, max_bytes: int = MAX_SOURCE_BYTES) -> SourceText | SourceError:
    if len(data) > max_bytes:
        return SourceError(
            f"file is {len(data) / 1e6:.1f} MB, over the {max_bytes / 1e6:.0f} MB limit; not linted"
        )
    if b"\x00" in data:
        return SourceError("file looks binary (it contains NUL bytes); not linted")
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
    except SyntaxError as exc:  # an unknown coding cookie, or a BOM that contradicts it
        return SourceError(f"cannot decode: {exc}")
    try:
        text = data.decode(encoding)
    except (UnicodeDecodeError, LookupError) as exc:
        reason = exc.reason if isinstance(exc, UnicodeDecodeError) else str(exc)
        where = f" at byte {exc.start}" if isinstance(exc, UnicodeDecodeError) else ""
        return SourceError(f"cannot decode as {encoding}{where}: {reason}")
    if text.startswith("\ufeff"):
        text = text[1:]
    return SourceText(text=text, encoding=encoding, newline=dominant_newline(text))
