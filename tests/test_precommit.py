"""The pre-commit hooks, run by real `pre-commit` in a temporary git repository.

Two ways in: the hooks of `.pre-commit-hooks.yaml` as `repo: local` hooks calling the installed
command (offline, always), and the real thing, `repo:` pointing at a clone of this working tree,
where pre-commit builds its own virtualenv and pip-installs rnnlint (needs a package index; skipped
when none is reachable).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.conftest import FIXTURES, ROOT

HOOKS = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())
PRE_COMMIT = shutil.which("pre-commit", path=str(Path(sys.executable).parent)) or shutil.which("pre-commit")
RNNLINT = shutil.which("rnnlint", path=str(Path(sys.executable).parent))
BAD = (FIXTURES / "seed" / "example2_optimizer_comparison.py").read_text()
GOOD = (FIXTURES / "static" / "missing-gradient-clipping" / "good_clipped_lstm_and_mlp_baseline.py").read_text()
SUPPRESSED = """\
import numpy as np
import tensorflow as tf

X = np.random.rand(100, 10, 1)
y = np.random.rand(100, 1)
model = tf.keras.Sequential([tf.keras.layers.Input(shape=(10, 1)), tf.keras.layers.LSTM(8), tf.keras.layers.Dense(1)])
model.compile(optimizer=tf.keras.optimizers.Adam(1e-3, clipnorm=1.0), loss="mse")
# rnnlint: ignore[missing-early-stopping] -- reproducing the paper's fixed 100-epoch schedule
history = model.fit(
    X,
    y,
    epochs=100,
)
"""

pytestmark = pytest.mark.skipif(PRE_COMMIT is None or RNNLINT is None, reason="pre-commit is not installed")


def _git(repo: Path, *args: str, env: dict) -> subprocess.CompletedProcess:
    return subprocess.run(["git", "-C", str(repo), *args], capture_output=True, text=True, env=env, timeout=600)


def _env(tmp_path: Path) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GIT_", "PRE_COMMIT"))}
    env.update(GIT_AUTHOR_NAME="t", GIT_AUTHOR_EMAIL="t@example.com", GIT_COMMITTER_NAME="t",
               GIT_COMMITTER_EMAIL="t@example.com", PRE_COMMIT_HOME=str(tmp_path / "pre-commit-home"),
               HOME=str(tmp_path), RNNLINT_CACHE_DIR=str(tmp_path / "cache"))
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    return env


def _repo(tmp_path: Path, config: dict, env: dict) -> Path:
    repo = tmp_path / "project"
    repo.mkdir()
    _git(repo, "init", "-q", "-b", "main", env=env)
    (repo / ".pre-commit-config.yaml").write_text(yaml.safe_dump(config, sort_keys=False))
    _git(repo, "add", ".pre-commit-config.yaml", env=env)
    install = subprocess.run([PRE_COMMIT, "install"], cwd=repo, capture_output=True, text=True, env=env)
    assert install.returncode == 0, install.stdout + install.stderr
    return repo


def _commit(repo: Path, name: str, text: str, env: dict) -> subprocess.CompletedProcess:
    path = repo / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    _git(repo, "add", name, env=env)
    return _git(repo, "commit", "-q", "-m", f"add {name}", env=env)


def _check_hook_behaviour(repo: Path, env: dict) -> None:
    blocked = _commit(repo, "train_bad.py", BAD, env)
    output = blocked.stdout + blocked.stderr
    assert blocked.returncode != 0, output
    assert "train_bad.py:35:15: RNN302 [model-reused-across-runs]" in output
    assert "Failed" in output
    _git(repo, "rm", "-q", "--cached", "train_bad.py", env=env)
    (repo / "train_bad.py").unlink()
    passed = _commit(repo, "models/train_good.py", GOOD, env)
    assert passed.returncode == 0, passed.stdout + passed.stderr
    suppressed = _commit(repo, "train_paper.py", SUPPRESSED, env)
    assert suppressed.returncode == 0, suppressed.stdout + suppressed.stderr
    log = _git(repo, "log", "--format=%s", env=env).stdout.split("\n")
    assert "add train_paper.py" in log and "add models/train_good.py" in log and "add train_bad.py" not in log


def _local_hook(hook_id: str) -> dict:
    """The hook as `.pre-commit-hooks.yaml` defines it, run by the already installed command."""
    hook = dict(next(h for h in HOOKS if h["id"] == hook_id))
    hook["entry"] = hook["entry"].replace("rnnlint", RNNLINT, 1)
    hook["language"] = "system"
    hook.pop("minimum_pre_commit_version", None)
    hook.pop("additional_dependencies", None)  # the installed command's environment already has them
    return hook


def test_hooks_file_declares_check_and_fix_hooks():
    by_id = {hook["id"]: hook for hook in HOOKS}
    assert set(by_id) == {"rnnlint", "rnnlint-fix"}
    for hook in HOOKS:
        assert hook["types_or"] == ["python", "jupyter"] and hook["language"] == "python"
        assert "additional_dependencies" not in hook  # notebooks need nothing beyond rnnlint itself
        assert hook["entry"].startswith("rnnlint check ") and "--force-exclude" in hook["entry"]
    assert "--fix" in by_id["rnnlint-fix"]["entry"].split()


def test_check_hook_blocks_bad_passes_good_and_suppressed(tmp_path):
    env = _env(tmp_path)
    repo = _repo(tmp_path, {"repos": [{"repo": "local", "hooks": [_local_hook("rnnlint")]}]}, env)
    _check_hook_behaviour(repo, env)


def test_check_hook_lints_staged_notebooks_and_honours_project_config(tmp_path):
    env = _env(tmp_path)
    repo = _repo(tmp_path, {"repos": [{"repo": "local", "hooks": [_local_hook("rnnlint")]}]}, env)
    notebook = (FIXTURES / "notebooks" / "sensor_forecast.ipynb").read_text()
    blocked = _commit(repo, "analysis/sensor_forecast.ipynb", notebook, env)
    assert blocked.returncode != 0
    assert "sensor_forecast.ipynb:cell 5:6:25: RNN101" in blocked.stdout + blocked.stderr
    (repo / ".rnnlint.yaml").write_text("extend-exclude: [analysis]\n")
    _git(repo, "add", ".rnnlint.yaml", env=env)
    passed = _git(repo, "commit", "-q", "-m", "exclude analysis", env=env)
    assert passed.returncode == 0, passed.stdout + passed.stderr


def test_fix_hook_fixes_then_fails_so_the_fix_can_be_reviewed(tmp_path):
    help_text = subprocess.run([RNNLINT, "check", "--help"], capture_output=True, text=True).stdout
    if "--fix" not in help_text:
        pytest.skip("`rnnlint check --fix` is not implemented yet")
    env = _env(tmp_path)
    repo = _repo(tmp_path, {"repos": [{"repo": "local", "hooks": [_local_hook("rnnlint-fix")]}]}, env)
    leak = (FIXTURES / "static" / "scaler-fit-on-test-data" / "bad_refit_on_val_and_test_keras3.py").read_text()
    first = _commit(repo, "prep.py", leak, env)
    fixed = (repo / "prep.py").read_text()
    assert first.returncode != 0 and fixed != leak  # the safe fix was written; the commit stopped
    assert "scaler.fit_transform(test)" not in fixed and "scaler.transform(test)" in fixed
    _git(repo, "add", "prep.py", env=env)
    again = subprocess.run([PRE_COMMIT, "run", "rnnlint-fix", "--files", "prep.py"], cwd=repo,
                           capture_output=True, text=True, env=env)
    assert (repo / "prep.py").read_text() == fixed, again.stdout  # a second run changes nothing


def _hook_repo(tmp_path: Path, env: dict) -> tuple[Path, str]:
    """A git repository holding this working tree as one commit (pre-commit clones `repo` at `rev`)."""
    source = tmp_path / "rnnlint-src"
    listed = subprocess.run(["git", "-C", str(ROOT), "ls-files", "-co", "--exclude-standard", "-z"],
                            capture_output=True, check=True).stdout.split(b"\0")
    for name in filter(None, (item.decode() for item in listed)):
        if (ROOT / name).is_file() and not name.startswith(("evaluation/", "benchmarks/")):
            (source / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / name, source / name)
    _git(source, "init", "-q", "-b", "main", env=env)
    _git(source, "add", "-A", env=env)
    _git(source, "commit", "-q", "-m", "snapshot", env=env)
    return source, _git(source, "rev-parse", "HEAD", env=env).stdout.strip()


@pytest.mark.slow
def test_real_install_from_a_clone_of_this_tree(tmp_path):
    env = _env(tmp_path)
    env["PATH"] = os.pathsep.join(p for p in env["PATH"].split(os.pathsep) if p != str(Path(sys.executable).parent))
    env["PATH"] = f"{Path(PRE_COMMIT).parent}{os.pathsep}{env['PATH']}"  # pre-commit, not our rnnlint
    source, rev = _hook_repo(tmp_path, env)
    repo = _repo(tmp_path, {"repos": [{"repo": str(source), "rev": rev, "hooks": [{"id": "rnnlint"}]}]}, env)
    install = subprocess.run([PRE_COMMIT, "install-hooks"], cwd=repo, capture_output=True, text=True,
                             env=env, timeout=900)
    if install.returncode != 0:
        output = install.stdout + install.stderr
        if any(s in output for s in ("Could not find a version", "No matching distribution",
                                     "NewConnectionError", "Temporary failure in name resolution")):
            pytest.skip("no package index reachable to install the hook's environment")
        pytest.fail(output)
    _check_hook_behaviour(repo, env)
