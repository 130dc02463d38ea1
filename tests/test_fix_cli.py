"""`rnnlint check --fix/--unsafe-fixes/--diff` as a subprocess; these run once cli.py wires rnnlint.fix."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import run_cli
from tests.test_fix import BAD, CASES, read_case


def _wired() -> bool:
    proc = subprocess.run([sys.executable, "-m", "rnnlint", "check", "--help"], capture_output=True, text=True)
    return "--fix" in proc.stdout


pytestmark = pytest.mark.skipif(not _wired(), reason="--fix is not wired into `rnnlint check` yet")


def test_fix_writes_and_reports_what_is_left(tmp_path: Path):
    path = tmp_path / "train.py"
    path.write_text(BAD)
    proc = run_cli("check", "--unsafe-fixes", "--fail-on", "info", str(path))
    assert "Fixed 1 finding in 1 file" in proc.stderr
    assert "RMSprop(clipnorm=1.0)" in path.read_text()
    assert "RNN101" not in proc.stdout
    again = run_cli("check", "--unsafe-fixes", str(path))
    assert "Fixed 0 findings" in again.stderr and "RMSprop(clipnorm=1.0)" in path.read_text()


def test_diff_prints_and_exits_1_without_writing(tmp_path: Path):
    path = tmp_path / "train.py"
    path.write_text(BAD)
    proc = run_cli("check", "--diff", "--unsafe-fixes", str(path))
    assert proc.returncode == 1
    assert proc.stdout.startswith(f"--- {path}") and "+model.compile(optimizer=tf.keras" in proc.stdout
    assert path.read_text() == BAD


@pytest.mark.parametrize("case", ["safe_only_without_flag", "all_fixes_compose"])
def test_cases_through_the_cli(tmp_path: Path, case: str):
    flags, source, expected = read_case(CASES / f"{case}.py")
    path = tmp_path / "case.py"
    path.write_text(source)
    run_cli("check", "--fix", *flags, str(path))
    assert path.read_text() == expected


def test_stdin_gets_the_fixed_text_on_stdout(tmp_path: Path):
    path = tmp_path / "train.py"
    path.write_text(BAD)
    proc = run_cli("check", "--unsafe-fixes", "-", "--stdin-filename", str(path), stdin=BAD)
    assert "RMSprop(clipnorm=1.0)" in proc.stdout and proc.stdout.startswith("import tensorflow")
    assert path.read_text() == BAD, "stdin is fixed on stdout; the file on disk is not touched"
