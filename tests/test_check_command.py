"""`rnnlint check` as a user runs it: a subprocess, its exit codes, its outputs, and bad input."""

from __future__ import annotations

import json

import pytest

from tests.conftest import FIXTURES, run_cli, run_json

BAD = FIXTURES / "seed" / "example2_optimizer_comparison.py"
GOOD = FIXTURES / "static" / "missing-gradient-clipping" / "good_clipped_lstm_and_mlp_baseline.py"
TRAINING = """\
import tensorflow as tf
model = tf.keras.Sequential([tf.keras.layers.LSTM(8), tf.keras.layers.Dense(1)])
model.compile(optimizer=tf.keras.optimizers.Adam(learning_rate=0.5, clipnorm=1.0), loss="mse")
"""


def test_findings_exit_1_and_text_format():
    proc = run_cli("check", str(BAD))
    assert proc.returncode == 1
    lines = proc.stdout.splitlines()
    assert lines and all(line.startswith(str(BAD) + ":") for line in lines)
    first = lines[0].split(":", 3)
    assert first[1].isdigit() and first[2].isdigit() and first[3].lstrip().startswith("RNN")
    assert " [" in lines[0] and "] " in lines[0]
    assert "Found" in proc.stderr  # the summary goes to stderr, never into the report


def test_clean_file_exits_0():
    proc = run_cli("check", str(GOOD), "--fail-on", "warning")
    assert proc.returncode == 0, proc.stdout


def test_default_command_is_check():
    assert run_cli(str(BAD)).returncode == 1


def test_info_does_not_fail_by_default_but_fail_on_info_does(tmp_path):
    script = tmp_path / "info.py"
    script.write_text(
        "import tensorflow as tf\nimport numpy as np\nX = np.random.rand(8, 5, 2)\ny = np.random.rand(8)\n"
        "model = tf.keras.Sequential([tf.keras.layers.LSTM(8), tf.keras.layers.Dense(1)])\n"
        "model.compile(optimizer='adam', loss='mse')\nmodel.fit(X, y, epochs=5)\n")
    proc = run_cli("check", str(script))
    assert proc.returncode == 0 and "RNN101" in proc.stdout
    assert run_cli("check", "--fail-on", "info", str(script)).returncode == 1


def test_json_format(tmp_path):
    payload, proc = run_json(str(BAD))
    assert proc.returncode == 1
    assert payload["version"] == 1 and isinstance(payload["errors"], list)
    keys = {"code", "name", "severity", "filename", "line", "column", "end_line", "end_column", "message"}
    assert payload["findings"] and all(keys <= set(f) for f in payload["findings"])
    assert payload["findings"] == sorted(payload["findings"], key=lambda f: (f["line"], f["column"], f["code"]))


@pytest.mark.parametrize("option, value, kept", [
    ("--select", "RNN302", {"RNN302"}),
    ("--select", "model-reused-across-runs", {"RNN302"}),
    ("--select", "RNN3", {"RNN302", "RNN301"}),
    ("--ignore", "RNN1,RNN2", {"RNN302", "RNN301"}),
])
def test_select_and_ignore(option, value, kept):
    payload, _ = run_json(option, value, str(BAD))
    codes = {f["code"] for f in payload["findings"]}
    assert codes and codes <= kept


def test_unknown_rule_in_select_is_a_usage_error():
    proc = run_cli("check", "--select", "RNN999", str(BAD))
    assert proc.returncode == 2 and "RNN999" in proc.stderr and not proc.stdout


def test_missing_path_is_exit_2():
    proc = run_cli("check", "does/not/exist.py")
    assert proc.returncode == 2 and "no such file" in proc.stderr


def test_syntax_error_is_a_finding_with_position(tmp_path):
    script = tmp_path / "broken.py"
    script.write_text("import keras\n\ndef f(:\n    pass\n")
    payload, proc = run_json(str(script))
    assert proc.returncode == 1
    [finding] = payload["findings"]
    assert finding["code"] == "RNN001" and finding["line"] == 3 and finding["column"] >= 1
    assert "Traceback" not in proc.stderr


@pytest.mark.parametrize("name, data, words", [
    ("binary.py", b"\x00\x01\x02ELF\x00", "binary"),
    ("latin.py", "x = 'caf\xe9'\n".encode("latin-1"), "decode"),
    ("cookie.py", b"# -*- coding: klingon -*-\nx = 1\n", "decode"),
    ("huge.py", b"#" * (11 * 1024 * 1024), "limit"),
])
def test_unlintable_files_get_one_clear_line(tmp_path, name, data, words):
    path = tmp_path / name
    path.write_bytes(data)
    proc = run_cli("check", str(path))
    assert proc.returncode == 2
    errors = [line for line in proc.stderr.splitlines() if line.startswith(str(path))]
    assert len(errors) == 1 and words in errors[0]
    assert "Traceback" not in proc.stderr and not proc.stdout


def test_empty_file_is_a_note_not_an_error(tmp_path):
    path = tmp_path / "empty.py"
    path.write_bytes(b"")
    proc = run_cli("check", str(path))
    assert proc.returncode == 0
    assert "empty" in proc.stderr and "note" in proc.stderr


def test_bom_crlf_and_declared_encoding_are_read(tmp_path):
    path = tmp_path / "bom.py"
    path.write_bytes(b"\xef\xbb\xbf" + TRAINING.replace("\n", "\r\n").encode())
    payload, _ = run_json(str(path))
    assert {f["code"] for f in payload["findings"]} == {"RNN102"}
    latin = tmp_path / "latin.py"
    latin.write_bytes(b"# -*- coding: latin-1 -*-\n# caf\xe9\n" + TRAINING.encode())
    payload, _ = run_json(str(latin))
    assert [f["line"] for f in payload["findings"]] == [5]


def test_directory_walk_skips_venvs_hidden_build_and_gitignored(tmp_path):
    import subprocess
    for folder in ("src", ".venv/lib", "build", ".hidden", "ignored_dir"):
        (tmp_path / folder).mkdir(parents=True)
        (tmp_path / folder / "train.py").write_text(TRAINING)
    (tmp_path / ".gitignore").write_text("ignored_dir/\n")
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    payload, _ = run_json(str(tmp_path))
    files = {f["filename"] for f in payload["findings"]}
    assert files == {str(tmp_path / "src" / "train.py")}


def test_rules_and_rule_commands():
    proc = run_cli("rules")
    assert proc.returncode == 0 and "missing-gradient-clipping" in proc.stdout
    for key in ("RNN101", "missing-gradient-clipping", "rnn101"):
        proc = run_cli("rule", key)
        assert proc.returncode == 0
        assert "Why is this bad" in proc.stdout and "{" not in proc.stdout.splitlines()[0]
    assert run_cli("rule", "no-such-rule").returncode == 2


def test_help_and_version():
    proc = run_cli("--help")
    assert proc.returncode == 0 and "check" in proc.stdout and "probe" in proc.stdout
    assert run_cli("--version").stdout.startswith("rnnlint ")


def test_json_is_valid_even_with_errors(tmp_path):
    bad = tmp_path / "b.py"
    bad.write_bytes(b"\x00")
    proc = run_cli("check", "--format", "json", str(bad), str(BAD))
    payload = json.loads(proc.stdout)
    assert payload["errors"] and payload["findings"] and proc.returncode == 2
