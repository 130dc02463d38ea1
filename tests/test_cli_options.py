"""`rnnlint check` options end to end: output file, exit-zero, quiet, statistics, colour, stdin,
the cache and parallel runs (as a subprocess, the way users and CI call it)."""

from __future__ import annotations

import json
import os
import pty
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import FIXTURES, ROOT, run_cli, run_json

BAD = FIXTURES / "seed" / "example2_optimizer_comparison.py"
ESC = "\x1b["


def test_output_file_gets_the_report_and_stdout_stays_empty(tmp_path):
    out = tmp_path / "reports" / "rnnlint.txt"
    proc = run_cli("check", str(BAD), "--output-file", str(out), "--no-cache")
    assert proc.returncode == 1 and proc.stdout == ""
    assert out.read_text() == run_cli("check", str(BAD), "--no-cache").stdout
    assert "Found" in proc.stderr


def test_exit_zero_keeps_errors_as_errors(tmp_path):
    assert run_cli("check", str(BAD), "--exit-zero").returncode == 0
    assert run_cli("check", "missing.py", "--exit-zero").returncode == 2


def test_quiet_prints_the_report_only(tmp_path):
    empty = tmp_path / "empty.py"
    empty.write_text("")
    proc = run_cli("check", str(BAD), str(empty), "-q", "--no-cache")
    assert proc.stdout and proc.stderr == ""


def test_statistics_on_stdout_for_text_and_stderr_otherwise():
    proc = run_cli("check", str(BAD), "--statistics", "--no-cache")
    assert "RNN101 [missing-gradient-clipping]" in proc.stdout.splitlines()[-3]
    assert proc.stdout.splitlines()[-3].split()[0] == "3"
    payload, proc = run_json(str(BAD), "--statistics", "--no-cache")
    assert payload["findings"] and "RNN101 [missing-gradient-clipping]" in proc.stderr


def _in_terminal(*args: str, env: dict) -> str:
    """Run the CLI with stdout on a pseudo-terminal (isatty true) and return what it printed."""
    leader, follower = pty.openpty()
    full_env = {k: v for k, v in os.environ.items() if k != "NO_COLOR"} | env
    proc = subprocess.Popen([sys.executable, "-m", "rnnlint", *args], stdout=follower,
                            stderr=subprocess.DEVNULL, cwd=ROOT, env=full_env)
    os.close(follower)
    chunks = []
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:
            break
        if not chunk:
            break
        chunks.append(chunk)
    proc.wait(timeout=60)
    os.close(leader)
    return b"".join(chunks).decode()


@pytest.mark.parametrize("choice, no_color, tty, colored", [
    ("auto", None, False, False),
    ("auto", None, True, True),
    ("auto", "1", True, False),
    ("auto", "", True, True),  # NO_COLOR counts only when set and not empty
    ("always", None, False, True),
    ("always", "1", False, True),  # an explicit flag wins over the environment
    ("never", None, True, False),
])
def test_color(choice, no_color, tty, colored):
    env = {} if no_color is None else {"NO_COLOR": no_color}
    args = ("check", str(BAD), "--color", choice, "--no-cache")
    if tty:
        output = _in_terminal(*args, env=env)
    else:
        output = run_cli(*args, env=env).stdout
    assert "RNN101" in output
    assert (ESC in output) is colored


def test_stdin_uses_the_config_of_the_named_path(tmp_path):
    project = tmp_path / "proj"
    (project / "experiments").mkdir(parents=True)
    (project / "pyproject.toml").write_text("[tool.rnnlint.thresholds.RNN301]\nmin_epochs = 500\n")
    text = BAD.read_text()
    proc = run_cli("check", "-", "--stdin-filename", "experiments/train.py", cwd=project, stdin=text)
    assert proc.returncode == 1, proc.stderr
    lines = proc.stdout.splitlines()
    assert lines and all(line.startswith("experiments/train.py:") for line in lines)
    assert "RNN301" not in proc.stdout  # the project's threshold applied
    assert "RNN301" in run_cli("check", "-", "--stdin-filename", "train.py", cwd=tmp_path, stdin=text).stdout
    nameless = run_cli("check", "-", cwd=tmp_path, stdin=text)
    assert nameless.stdout.startswith("<stdin>:")


def test_stdin_notebook_and_errors(tmp_path):
    text = (FIXTURES / "notebooks" / "sensor_forecast.ipynb").read_text()
    proc = run_cli("check", "-", "--stdin-filename", "nb.ipynb", cwd=tmp_path, stdin=text)
    assert "nb.ipynb:cell 5:6:25: RNN101" in proc.stdout
    assert run_cli("check", "-", "x.py", cwd=tmp_path, stdin="").returncode == 2
    assert run_cli("check", "x.py", "--stdin-filename", "x.py", cwd=tmp_path).returncode == 2


def _copy_fixtures(target: Path, count: int | None = None) -> list[Path]:
    sources = sorted((FIXTURES / "static").rglob("*.py"))[:count]
    out = []
    for i, source in enumerate(sources):
        path = target / f"pkg{i % 3}" / f"{i:02d}_{source.name}"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(source.read_text())
        out.append(path)
    return out


def test_cache_makes_a_rerun_reuse_results_and_notices_changes(tmp_path):
    files = _copy_fixtures(tmp_path / "src")
    cache = tmp_path / "cache"
    first = run_cli("check", "src", "--cache-dir", str(cache), "-v", cwd=tmp_path)
    assert f"cache: 0 of {len(files)} files unchanged" in first.stderr
    assert list(cache.rglob("*.json"))
    second = run_cli("check", "src", "--cache-dir", str(cache), "-v", cwd=tmp_path)
    assert f"cache: {len(files)} of {len(files)} files unchanged" in second.stderr
    assert second.stdout == first.stdout and second.returncode == first.returncode
    files[0].write_text(files[0].read_text() + "\n# edited\n")
    third = run_cli("check", "src", "--cache-dir", str(cache), "-v", cwd=tmp_path)
    assert f"cache: {len(files) - 1} of {len(files)} files unchanged" in third.stderr
    # a config change is part of the key
    (tmp_path / ".rnnlint.yaml").write_text("thresholds: {RNN301: {min_epochs: 1000}}\n")
    fourth = run_cli("check", "src", "--cache-dir", str(cache), "-v", cwd=tmp_path)
    assert "cache: 0 of" in fourth.stderr and "RNN301" not in fourth.stdout
    none = run_cli("check", "src", "--cache-dir", str(cache), "--no-cache", "-v", cwd=tmp_path)
    assert "cache:" not in none.stderr and none.stdout == fourth.stdout


def test_cache_follows_the_data_files_a_script_reads(tmp_path):
    (tmp_path / "config.json").write_text('{"epochs": 100}')
    (tmp_path / "train.py").write_text(
        "import json\nimport numpy as np\nimport tensorflow as tf\n"
        "cfg = json.load(open('config.json'))\n"
        "X = np.random.rand(100, 10, 1)\ny = np.random.rand(100, 1)\n"
        "model = tf.keras.Sequential([tf.keras.layers.Input(shape=(10, 1)), tf.keras.layers.LSTM(8)])\n"
        "model.compile(optimizer=tf.keras.optimizers.Adam(1e-3, clipnorm=1.0), loss='mse')\n"
        "model.fit(X, y, epochs=cfg['epochs'])\n")
    cache = str(tmp_path / "cache")
    assert "RNN301" in run_cli("check", "train.py", "--cache-dir", cache, cwd=tmp_path).stdout
    (tmp_path / "config.json").write_text('{"epochs": 5}')
    assert "RNN301" not in run_cli("check", "train.py", "--cache-dir", cache, cwd=tmp_path).stdout


def test_parallel_output_is_identical_to_serial(tmp_path):
    _copy_fixtures(tmp_path / "src")
    serial = run_cli("check", "src", "--no-cache", "-j", "1", "--format", "json", cwd=tmp_path)
    parallel = run_cli("check", "src", "--no-cache", "-j", "4", "--format", "json", cwd=tmp_path)
    assert serial.stdout == parallel.stdout and json.loads(serial.stdout)["findings"]
    assert serial.returncode == parallel.returncode == 1


def test_report_unused_ignores(tmp_path):
    script = tmp_path / "train.py"
    script.write_text(
        "import numpy as np\nimport tensorflow as tf\nX = np.random.rand(10, 5, 1)\ny = np.random.rand(10, 1)\n"
        "model = tf.keras.Sequential([tf.keras.layers.Input(shape=(5, 1)), tf.keras.layers.LSTM(4)])\n"
        "model.compile(optimizer=tf.keras.optimizers.Adam(1e-3, clipnorm=1.0), loss='mse')\n"
        "model.fit(X, y, epochs=3)  # rnnlint: ignore[missing-early-stopping]\n")
    assert run_cli("check", str(script), "--no-cache").returncode == 0
    proc = run_cli("check", str(script), "--report-unused-ignores", "--no-cache")
    assert proc.returncode == 1
    assert f"{script}:7:28: RNN003 [unused-suppression]" in proc.stdout
