"""Config discovery through the CLI: each file's nearest config, `--config`, `-v`, and every key's effect."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import run_cli, run_json

TRAIN = """\
import numpy as np
import tensorflow as tf

X = np.random.rand(100, 10, 1)
y = np.random.rand(100, 1)
model = tf.keras.Sequential([tf.keras.layers.Input(shape=(10, 1)), tf.keras.layers.LSTM(8), tf.keras.layers.Dense(1)])
model.compile(optimizer=tf.keras.optimizers.Adam(1e-3, clipnorm=1.0), loss="mse")
model.fit(X, y, epochs=30, validation_split=0.2)
"""


def _project(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return root


def _codes(payload) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for finding in payload["findings"]:
        out.setdefault(Path(finding["filename"]).as_posix(), []).append(finding["code"])
    return out


def test_nearest_config_above_each_file_wins(tmp_path):
    _project(tmp_path, {
        "pyproject.toml": "[tool.rnnlint.thresholds.RNN301]\nmin_epochs = 25\n",
        "train.py": TRAIN,
        "experiments/.rnnlint.yaml": "thresholds:\n  missing-early-stopping: {min_epochs: 50}\n",
        "experiments/deep/nested/train.py": TRAIN,
        "legacy/pyproject.toml": "[tool.black]\nline-length = 100\n",  # no [tool.rnnlint]: passed over
        "legacy/train.py": TRAIN,
    })
    payload, proc = run_json(".", "--no-cache", cwd=tmp_path)
    assert proc.returncode == 1, proc.stderr
    assert _codes(payload) == {"train.py": ["RNN301"], "legacy/train.py": ["RNN301"]}
    # pre-commit hands files from several folders to one process: each still gets its own config
    payload, _ = run_json("experiments/deep/nested/train.py", "train.py", "--no-cache", cwd=tmp_path)
    assert _codes(payload) == {"train.py": ["RNN301"]}


def test_yaml_beats_pyproject_in_one_folder(tmp_path):
    _project(tmp_path, {
        "pyproject.toml": "[tool.rnnlint]\nselect = ['RNN1']\n",
        ".rnnlint.yaml": "select: [RNN3]\n",
        "train.py": TRAIN,
    })
    payload, _ = run_json("train.py", "--no-cache", cwd=tmp_path)
    assert _codes(payload) == {"train.py": ["RNN301"]}


def test_verbose_says_which_file_and_why(tmp_path):
    _project(tmp_path, {"pyproject.toml": "[tool.rnnlint]\nfail-on = 'error'\n",
                        "a/b/train.py": TRAIN, "other/.rnnlint.yaml": "{}\n", "other/x.py": TRAIN})
    proc = run_cli("check", "-v", "--no-cache", ".", cwd=tmp_path)
    assert f"a/b/train.py: config {tmp_path / 'pyproject.toml'} ([tool.rnnlint] in the nearest config file above it)" \
        in proc.stderr
    assert f"other/x.py: config {tmp_path / 'other' / '.rnnlint.yaml'} (the nearest config file above it)" in proc.stderr
    assert "RNN301" in proc.stdout and "rnnlint:" not in proc.stdout  # logs never reach the report
    lonely = tmp_path.parent / f"{tmp_path.name}-lonely"
    _project(lonely, {"train.py": TRAIN})
    proc = run_cli("check", "-v", "--no-cache", "train.py", cwd=lonely)
    assert "using the defaults" in proc.stderr


def test_explicit_config_applies_to_every_file(tmp_path):
    _project(tmp_path, {"strict.yaml": "thresholds: {RNN301: {min_epochs: 100}}\n",
                        ".rnnlint.yaml": "select: [RNN1]\n", "train.py": TRAIN})
    payload, proc = run_json("--config", "strict.yaml", "train.py", "-v", "--no-cache", cwd=tmp_path)
    assert payload["findings"] == [] and "given with --config" in proc.stderr
    proc = run_cli("check", "--config", "missing.yaml", "train.py", cwd=tmp_path)
    assert proc.returncode == 2 and "missing.yaml" in proc.stderr


def test_config_errors_exit_2_and_name_key_and_file(tmp_path):
    _project(tmp_path, {"sub/pyproject.toml": "[tool.rnnlint]\nselect = ['RNN101']\nlevel = 3\n",
                        "sub/train.py": TRAIN})
    proc = run_cli("check", "sub/train.py", cwd=tmp_path)
    assert proc.returncode == 2 and not proc.stdout
    assert "pyproject.toml: level: unknown key" in proc.stderr and "Traceback" not in proc.stderr
    (tmp_path / "sub" / "pyproject.toml").write_text("[tool.rnnlint.thresholds.RNN301]\nepochs = 5\n")
    proc = run_cli("check", "sub/train.py", cwd=tmp_path)
    assert proc.returncode == 2 and "thresholds.RNN301.epochs" in proc.stderr


def test_yaml_object_payload_is_a_clean_error(tmp_path):
    marker = tmp_path / "pwned"
    _project(tmp_path, {".rnnlint.yaml": f"select: !!python/object/apply:os.system ['touch {marker}']\n",
                        "train.py": TRAIN})
    proc = run_cli("check", "train.py", cwd=tmp_path)
    assert proc.returncode == 2 and "refused" in proc.stderr and "Traceback" not in proc.stderr
    assert not marker.exists()


def test_select_ignore_extend_select_per_file_ignores(tmp_path):
    _project(tmp_path, {
        ".rnnlint.yaml": "select: [RNN1]\nextend-select: [missing-early-stopping]\nignore: [RNN102]\n"
                         "per-file-ignores:\n  'scratch/*.py': [RNN301]\n",
        "train.py": TRAIN.replace("Adam(1e-3, clipnorm=1.0)", "Adam(0.9)"), "scratch/try.py": TRAIN,
    })
    payload, _ = run_json(".", "--no-cache", cwd=tmp_path)
    assert _codes(payload) == {"train.py": ["RNN101", "RNN301"]}
    # the command line's --select replaces the file's; extend-select and ignore still apply
    payload, _ = run_json(".", "--select", "RNN2", "--no-cache", cwd=tmp_path)
    assert _codes(payload) == {"train.py": ["RNN301"]}


def test_fail_on_and_severity_overrides(tmp_path):
    _project(tmp_path, {"pyproject.toml": "[tool.rnnlint]\nfail-on = 'error'\n", "train.py": TRAIN})
    assert run_cli("check", "train.py", "--no-cache", cwd=tmp_path).returncode == 0
    (tmp_path / "pyproject.toml").write_text(
        "[tool.rnnlint]\nfail-on = 'error'\n[tool.rnnlint.severity]\nmissing-early-stopping = 'error'\n")
    payload, proc = run_json("train.py", "--no-cache", cwd=tmp_path)
    assert proc.returncode == 1 and payload["findings"][0]["severity"] == "error"
    assert run_cli("check", "train.py", "--fail-on", "info", "--no-cache", cwd=tmp_path).returncode == 1


def test_exclude_and_extend_exclude(tmp_path):
    _project(tmp_path, {
        ".rnnlint.yaml": "extend-exclude: [generated, 'notebooks/scratch']\n",
        "train.py": TRAIN, "generated/a.py": TRAIN, "notebooks/scratch/b.py": TRAIN,
        "notebooks/keep.py": TRAIN, "build/c.py": TRAIN,
    })
    payload, proc = run_json(".", "-v", "--no-cache", cwd=tmp_path)
    assert set(_codes(payload)) == {"train.py", "notebooks/keep.py"}
    assert "skipping generated (exclude pattern 'generated'" in proc.stderr
    # `exclude` replaces the default list, so build/ is linted again
    (tmp_path / ".rnnlint.yaml").write_text("exclude: [generated]\n")
    payload, _ = run_json(".", "--no-cache", cwd=tmp_path)
    assert "build/c.py" in _codes(payload)
    # files named explicitly are linted, unless --force-exclude (pre-commit names every file)
    payload, _ = run_json("generated/a.py", "--no-cache", cwd=tmp_path)
    assert _codes(payload) == {"generated/a.py": ["RNN301"]}
    payload, _ = run_json("generated/a.py", "--force-exclude", "--no-cache", cwd=tmp_path)
    assert payload["findings"] == []


def test_folders_above_the_linted_tree_never_match_exclude(tmp_path):
    # a checkout that happens to live under a folder named like a default exclude ("build", "env")
    project = tmp_path / "build" / "env" / "project"
    _project(project, {"train.py": TRAIN, "dist/out.py": TRAIN})
    payload, _ = run_json(str(project), "--no-cache", cwd=tmp_path)
    assert {Path(f["filename"]).name for f in payload["findings"]} == {"train.py"}
    payload, _ = run_json(".", "--no-cache", cwd=project)
    assert _codes(payload) == {"train.py": ["RNN301"]}
    # pre-commit runs from the repository root: the folders above it do not count there either
    payload, _ = run_json("train.py", "dist/out.py", "--force-exclude", "--no-cache", cwd=project)
    assert _codes(payload) == {"train.py": ["RNN301"]}
