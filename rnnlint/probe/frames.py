"""Traceback frames for the report: each marked as the user's code, a library's, or the probe's.

The user's own lines are where to look first, so every one of them is kept; of the library frames
the report needs only the call the user made and where it raised, so a deep Keras stack is bounded
to its first and last frames (the count of the rest is kept).
"""

from __future__ import annotations

import os
import sysconfig
import traceback

PROBE_DIR = os.path.dirname(os.path.abspath(__file__))
LIBRARY_MARKERS = ("site-packages", "dist-packages")
KEPT_LIBRARY_FRAMES = 8  # the first and last few library frames after the user's last one
_STDLIB = tuple(p for p in {sysconfig.get_paths().get("stdlib"), sysconfig.get_paths().get("platstdlib")} if p)


def origin(filename: str) -> str:
    """'probe' (rnnlint's probe), 'library' (installed packages, the standard library) or 'script'."""
    if filename.startswith(PROBE_DIR):
        return "probe"
    if (any(marker in filename for marker in LIBRARY_MARKERS) or filename.startswith("<")
            or filename.startswith(_STDLIB)):
        return "library"
    return "script"


def frames(exc: BaseException, include_probe: bool = False) -> tuple[list[dict], int]:
    """(frames to show, how many library frames followed the user's last one), innermost last.

    The probe's own frames (it runs the script and wraps fit) are left out unless asked for: they
    are rnnlint's traceback, shown only for an internal error.
    """
    out = []
    for f in traceback.extract_tb(exc.__traceback__):
        kind = origin(f.filename)
        if kind == "probe" and not include_probe:
            continue
        if kind == "library" and "runpy" in os.path.basename(f.filename):
            continue
        out.append({"file": f.filename, "line": f.lineno, "function": f.name, "code": f.line or "",
                    "origin": kind})
    user = [i for i, f in enumerate(out) if f["origin"] != "library"]
    last_user = user[-1] if user else -1
    after = out[last_user + 1:]
    library_total = len(after)
    if len(after) > KEPT_LIBRARY_FRAMES:
        half = KEPT_LIBRARY_FRAMES // 2
        after = after[:half] + after[-half:]
    # Library frames between the user's own (Keras calling a callback) are context, not the cause.
    return [f for f in out[:last_user + 1] if f["origin"] != "library"] + after, library_total
