"""Fixes never lose code, under real faults in a real process (tests/test_fix.py covers the Python API
with monkeypatched faults; these add what only a process shows).

- a write that fails for lack of space (RLIMIT_FSIZE: EFBIG, as ENOSPC would; Python ignores
  SIGXFSZ), a process killed before the written file reached the disk (SIGKILL from inside fsync) and
  one killed between the write and the rename (SIGKILL from inside os.replace): the original is intact;
- permission denied on the folder (for real when not root, else injected);
- every fixture that has a fix, in every newline style, with a BOM, in latin-1 with a cookie and
  with unusual modes: the fix keeps all of them, and `--fix` twice equals `--fix` once.
"""

from __future__ import annotations

import functools
import os
import resource
import signal
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from rnnlint import fix
from rnnlint.cli import main
from rnnlint.engine import lint_source
from tests.conftest import FIXTURES

BAD = ("import tensorflow as tf\n# données d'entraînement\n"
       "model = tf.keras.Sequential([tf.keras.layers.LSTM(8), tf.keras.layers.Dense(1)])\n"
       "model.compile(optimizer=\"rmsprop\", loss=\"mse\")\n"
       "model.fit(x, y, epochs=10)\n")
RNNLINT = str(Path(sys.executable).with_name("rnnlint"))


def _fix_in_child(path: Path, preexec=None, driver: str | None = None) -> subprocess.CompletedProcess:
    args = ["check", "--no-cache", "--unsafe-fixes", str(path)]
    command = [RNNLINT, *args] if driver is None else [sys.executable, "-c", driver, *args]
    return subprocess.run(command, cwd=path.parent, capture_output=True, text=True, timeout=120,
                          preexec_fn=preexec)


def _leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".rnnlint-tmp"))


def test_write_failing_for_lack_of_space_leaves_the_original(tmp_path):
    path = tmp_path / "train.py"
    path.write_text(BAD)
    size = len(path.read_bytes())

    def small_files():  # the fixed file is longer than the original: its write fails with EFBIG
        resource.setrlimit(resource.RLIMIT_FSIZE, (size, size))
    proc = _fix_in_child(path, small_files)
    assert proc.returncode == 2, proc.stderr
    assert "not fixed: cannot write: File too large" in proc.stderr and "Traceback" not in proc.stderr
    assert path.read_text() == BAD
    assert _leftovers(tmp_path) == []


def _killing_driver(step: str) -> str:
    """Run the CLI with `fix.os.<step>` replaced by SIGKILL to itself: a crash at that point."""
    return ("import os, signal, sys\nimport rnnlint.fix as fix\n"
            "def die(*args):\n    os.kill(os.getpid(), signal.SIGKILL)\n"
            f"fix.os.{step} = die\nfrom rnnlint.cli import main\nsys.exit(main(sys.argv[1:]))\n")


@pytest.mark.parametrize("step", ["fsync", "replace"])
def test_process_killed_while_writing_leaves_the_original(tmp_path, step):
    """Killed after writing the temporary file but before it reached the disk (fsync), or before the
    rename (replace). The temporary file stays behind (nothing runs after SIGKILL): it is hidden and
    not a .py file, so no later run lints it."""
    path = tmp_path / "train.py"
    path.write_text(BAD)
    proc = _fix_in_child(path, driver=_killing_driver(step))
    assert proc.returncode == -signal.SIGKILL
    assert path.read_text() == BAD
    temporary = [tmp_path / name for name in _leftovers(tmp_path)]
    assert len(temporary) == 1 and temporary[0].name.startswith(".train.py.")
    assert "clipnorm" in temporary[0].read_text(), "the fixed text was complete"


def test_permission_denied_leaves_the_original(tmp_path, monkeypatch, capsys):
    path = tmp_path / "train.py"
    path.write_text(BAD)
    if os.geteuid() == 0:  # root writes anywhere: inject the error the kernel would give
        def denied(*args, **kwargs):
            raise PermissionError(13, "Permission denied")
        monkeypatch.setattr(fix.tempfile, "mkstemp", denied)
    else:
        tmp_path.chmod(0o555)
    try:
        code = main(["check", "--no-cache", "--unsafe-fixes", str(path)])
    finally:
        tmp_path.chmod(0o755)
    err = capsys.readouterr().err
    assert code == 2 and "not fixed: cannot write: Permission denied" in err
    assert path.read_text() == BAD


@functools.lru_cache(maxsize=1)
def fixable() -> list[Path]:
    """Fixtures with at least one fix that applies cleanly to the file as it is (one that does not
    is tests/test_fix.py's idempotence test's to report, not a format question)."""
    out = []
    for path in sorted(FIXTURES.rglob("*.py")):
        text = path.read_text(encoding="utf-8")
        if any(f.fix for f in lint_source(str(path), text).findings) \
                and fix.fix_source(str(path), text, unsafe=True, base_dir=path.parent).error is None:
            out.append(path)
    return out


VARIANTS = {
    "lf": lambda text: ("utf-8", text.encode()),
    "crlf": lambda text: ("utf-8", text.replace("\n", "\r\n").encode()),
    "bom_crlf": lambda text: ("utf-8-sig", b"\xef\xbb\xbf" + text.replace("\n", "\r\n").encode()),
    "latin1_cookie": lambda text: ("latin-1", ("# -*- coding: latin-1 -*-\n# données\n" + text).encode("latin-1")),
}


def test_there_are_fixable_fixtures():
    assert len(fixable()) >= 10


@pytest.mark.parametrize("variant", sorted(VARIANTS))
def test_fix_keeps_format_and_twice_equals_once_over_every_fixable_fixture(tmp_path, variant, capsys):
    """Every fixture with a fix, as one folder: one `--fix` run, then a second that changes nothing."""
    expected: dict[Path, str] = {}
    modes = [0o644, 0o600, 0o755, 0o640, 0o700]
    for number, source in enumerate(fixable()):
        text = source.read_text(encoding="utf-8")
        if variant == "latin1_cookie" and not _latin1(text):
            continue
        encoding, data = VARIANTS[variant](text)
        path = tmp_path / f"f{number:02d}_{source.name}"
        path.write_bytes(data)
        path.chmod(modes[number % len(modes)])
        header = "# -*- coding: latin-1 -*-\n# données\n" if variant == "latin1_cookie" else ""
        expected[path] = _fixed_lf(source, header)
    assert main(["check", "--no-cache", "--unsafe-fixes", "--exit-zero", str(tmp_path)]) == 0
    first = {path: path.read_bytes() for path in expected}
    for number, (path, text) in enumerate(expected.items()):
        data = first[path]
        encoding = VARIANTS[variant](BAD)[0]
        assert data.decode(encoding).replace("\r\n", "\n").lstrip("\ufeff") == text, path.name
        if "crlf" in variant:
            assert b"\n" not in data.replace(b"\r\n", b""), f"{path.name}: a bare LF was written"
        else:
            assert b"\r" not in data
        assert data.startswith(b"\xef\xbb\xbf") == (variant == "bom_crlf")
        assert stat.S_IMODE(path.stat().st_mode) == modes[int(path.name[1:3]) % len(modes)]
    capsys.readouterr()
    assert main(["check", "--no-cache", "--unsafe-fixes", "--exit-zero", str(tmp_path)]) == 0
    assert "Fixed 0 findings in 0 files" in capsys.readouterr().err
    assert {path: path.read_bytes() for path in expected} == first
    assert _leftovers(tmp_path) == []


@functools.lru_cache(maxsize=None)
def _fixed_lf(source: Path, header: str) -> str:
    """The fixed text of the fixture as LF UTF-8 text: what every variant must decode to."""
    plain = fix.fix_source(str(source), header + source.read_text(encoding="utf-8"), unsafe=True,
                           base_dir=source.parent)
    assert plain.error is None
    return plain.text


def _latin1(text: str) -> bool:
    try:
        text.encode("latin-1")
    except UnicodeEncodeError:
        return False
    return True

