"""Traceback frames for the probe's report: the user's frames kept, library depth bounded."""

from __future__ import annotations

from rnnlint.probe import frames


def _raise_through(depth: int) -> BaseException:
    """An exception raised `depth` calls deep inside a fake installed package, called from user code."""
    library = {}
    source = "def f(n):\n    if n == 0:\n        raise ValueError('deep')\n    return f(n - 1)\n"
    exec(compile(source, "/venv/lib/python3.11/site-packages/keras/deep.py", "exec"), library)
    user = {"f": library["f"]}
    exec(compile("def train():\n    return f(%d)\n" % depth, "/work/project/train.py", "exec"), user)
    try:
        user["train"]()
    except ValueError as exc:
        return exc
    raise AssertionError("no exception")


def test_user_frames_are_kept_and_library_frames_bounded():
    shown, library_after = frames.frames(_raise_through(30))
    user = [f for f in shown if f["origin"] == "script"]
    library = [f for f in shown if f["origin"] == "library"]
    assert [f["file"] for f in user][-1] == "/work/project/train.py"  # (this test file called it)
    assert library_after == 31 and len(library) == frames.KEPT_LIBRARY_FRAMES
    assert shown[-1]["line"] == 3  # where it was raised stays


def test_origins():
    assert frames.origin(frames.__file__) == "probe"
    assert frames.origin("/usr/lib/python3/dist-packages/numpy/core.py") == "library"
    assert frames.origin("<frozen runpy>") == "library"
    assert frames.origin("/home/me/repo/model.py") == "script"
