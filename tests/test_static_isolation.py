"""The static linter never imports TensorFlow or numpy, and never imports or runs the linted code."""

from __future__ import annotations

import subprocess
import sys
import textwrap

from tests.conftest import FIXTURES, run_cli


def test_linting_imports_neither_tensorflow_nor_numpy():
    code = textwrap.dedent(f"""
        import contextlib, io, sys
        from rnnlint.cli import main
        with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
            code = main(["check", {str(FIXTURES / "static")!r}])
        heavy = [m for m in ("tensorflow", "numpy", "keras", "pandas", "sklearn") if m in sys.modules]
        print(code, ",".join(heavy) or "-")
    """)
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    exit_code, heavy = proc.stdout.split()
    assert exit_code == "1", "the fixtures have findings: the lint really ran"
    assert heavy == "-", f"the static path imported {heavy}"


def test_linted_code_is_never_executed_or_imported(tmp_path):
    marker = tmp_path / "executed.txt"
    script = tmp_path / "evil_train.py"
    script.write_text(textwrap.dedent(f"""
        import tensorflow as tf
        import helpers
        open({str(marker)!r}, "w").write("ran")
        model = tf.keras.Sequential([tf.keras.layers.LSTM(4)])
        model.compile(optimizer="adam", loss="mse")
        if __name__ == "__main__":
            open({str(marker)!r}, "w").write("ran as main")
    """))
    (tmp_path / "helpers.py").write_text(f"open({str(marker)!r}, 'w').write('imported')\\n")
    proc = run_cli("check", "--fail-on", "info", str(tmp_path), cwd=tmp_path)
    assert proc.returncode == 1 and "RNN101" in proc.stdout  # it was linted...
    assert not marker.exists()  # ...and never run
