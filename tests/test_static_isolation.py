"""The static linter never imports TensorFlow or numpy, and never imports or runs the linted code."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

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


@pytest.mark.parametrize("flags", [[], ["--format", "json"], ["--no-cache", "--format", "sarif"]])
def test_linting_without_fix_never_imports_libcst(flags):
    """Analysis runs on `ast`; libcst (its import alone costs more than a lint) is for fixes only."""
    code = textwrap.dedent(f"""
        import contextlib, io, sys
        from rnnlint.cli import main
        with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
            code = main(["check", *{flags!r}, {str(FIXTURES / "static")!r}, {str(FIXTURES / "regressions")!r}])
        print(code, "libcst" in sys.modules)
    """)
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.split() == ["1", "False"], proc.stdout


def test_fixing_parses_only_files_with_a_fixable_finding(tmp_path):
    code = textwrap.dedent("""
        import sys
        from rnnlint.engine import lint_source
        lint_source("clean.py", "import keras\\nx = 1\\n", fixes=True)
        print("libcst" in sys.modules)
        lint_source("bad.py", "import keras\\nopt = keras.optimizers.Adam(lr=0.1)\\n", fixes=True)
        print("libcst" in sys.modules)
    """)
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.split() == ["False", "True"], proc.stdout


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


def _marker_writer(marker, label: str) -> str:
    return f"open({str(marker)!r}, 'a').write({label!r} + '\\n')\n"


RNNLINT = str(Path(sys.executable).with_name("rnnlint"))


def test_nothing_beside_the_linted_files_is_imported_or_run(tmp_path):
    """The files Python or pytest would run on their own (conftest.py, setup.py, __init__.py,
    __main__.py, sitecustomize.py) and modules shadowing rnnlint's own imports (yaml.py, libcst.py)
    all write a marker if executed; a directory run, an explicit file and stdin execute none of them.
    Through the console script, as pre-commit runs it (`python -m rnnlint` from an untrusted folder
    would put that folder first on sys.path: RELIABILITY.md)."""
    marker = tmp_path / "executed.txt"
    project = tmp_path / "project"
    (project / "pkg").mkdir(parents=True)
    for name in ("conftest.py", "setup.py", "__init__.py", "__main__.py", "sitecustomize.py",
                 "usercustomize.py", "yaml.py", "libcst.py", "json.py", "pkg/__init__.py", "pkg/helpers.py"):
        (project / name).write_text(_marker_writer(marker, name))
    train = textwrap.dedent("""
        import tensorflow as tf
        from pkg import helpers
        from . import conftest
        import setup
        model = tf.keras.Sequential([tf.keras.layers.LSTM(4)])
        model.compile(optimizer="adam", loss="mse")
    """) + _marker_writer(marker, "train.py")
    (project / "train.py").write_text(train)
    env = {**os.environ, "PYTHONPATH": ""}
    for args, stdin in ((["check", "--no-cache", "--fail-on", "info", "."], None),
                        (["check", "--no-cache", "--fail-on", "info", "train.py"], None),
                        (["check", "--fail-on", "info", "-", "--stdin-filename", "train.py"], train)):
        proc = subprocess.run([RNNLINT, *args], cwd=project, input=stdin, capture_output=True, text=True,
                              timeout=120, env=env)
        assert proc.returncode == 1 and "RNN101" in proc.stdout, (args, proc.stdout, proc.stderr)
        assert not marker.exists(), f"{args}: executed {marker.read_text().split()}"


def test_notebook_cells_are_never_run(tmp_path):
    marker = tmp_path / "executed.txt"
    cells = [
        {"cell_type": "code", "metadata": {}, "execution_count": None, "outputs": [],
         "source": _marker_writer(marker, "cell 1") + "import tensorflow as tf\n"},
        {"cell_type": "code", "metadata": {}, "execution_count": None, "outputs": [],
         "source": "model = tf.keras.Sequential([tf.keras.layers.LSTM(4)])\n"
                   "model.compile(optimizer='adam', loss='mse')\n" + _marker_writer(marker, "cell 2")},
        {"cell_type": "code", "metadata": {}, "execution_count": None, "outputs": [],
         "source": "!touch " + str(marker) + "\n%run -i evil.py\n"},
    ]
    notebook = {"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
    (tmp_path / "train.ipynb").write_text(json.dumps(notebook))
    (tmp_path / "evil.py").write_text(_marker_writer(marker, "evil.py"))
    proc = subprocess.run([RNNLINT, "check", "--no-cache", "--fail-on", "info", "train.ipynb"], cwd=tmp_path,
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode in (1, 2) and "Traceback" not in proc.stderr, proc.stderr
    assert not marker.exists()


def test_rule_catalog_yaml_is_loaded_safely(tmp_path):
    """A `!!python/object` payload in the rules directory is a clear catalog error, never built."""
    from rnnlint.catalog import CatalogError, load_catalog
    marker = tmp_path / "pwned"
    rules = tmp_path / "rules"
    rules.mkdir()
    (rules / "RNN999-evil.yaml").write_text(
        f"code: !!python/object/apply:os.system ['touch {marker}']\nname: evil\n")
    with pytest.raises(CatalogError, match="RNN999-evil.yaml: not valid YAML.*python/object/apply"):
        load_catalog(rules)
    assert not marker.exists()
    (rules / "RNN999-evil.yaml").write_text("code: !!python/name:os.system\n")
    with pytest.raises(CatalogError, match="not valid YAML"):
        load_catalog(rules)


def _linted_paths(root: Path, *targets: str) -> set[str]:
    proc = subprocess.run([RNNLINT, "check", "--no-cache", "--format", "json", "--fail-on", "info", *targets],
                          cwd=root, capture_output=True, text=True, timeout=120)
    assert proc.returncode in (0, 1), proc.stderr
    assert "Traceback" not in proc.stderr
    payload = json.loads(proc.stdout)
    return {f["filename"] for f in payload["findings"]}


TRAIN = ("import tensorflow as tf\nmodel = tf.keras.Sequential([tf.keras.layers.LSTM(4)])\n"
         "model.compile(optimizer='adam', loss='mse')\n")


def test_directory_walk_does_not_follow_symlinked_directories(tmp_path):
    """A link back to the root, to its parent and to / are not followed: no loop, nothing outside."""
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "elsewhere.py").write_text(TRAIN)
    root = tmp_path / "root"
    (root / "sub").mkdir(parents=True)
    (root / "train.py").write_text(TRAIN)
    (root / "sub" / "model.py").write_text(TRAIN)
    (root / "sub" / "loop").symlink_to(root, target_is_directory=True)
    (root / "sub" / "parent").symlink_to("..", target_is_directory=True)
    (root / "up").symlink_to(tmp_path, target_is_directory=True)
    (root / "slash").symlink_to("/", target_is_directory=True)
    linted = _linted_paths(root, ".")
    assert {Path(p).as_posix() for p in linted} == {"train.py", "sub/model.py"}


def test_symlinked_file_is_linted_once_under_its_own_name(tmp_path):
    """Decided (RELIABILITY.md): a symlink to a file is linted like the file, even when the target is
    outside the root, since git and pre-commit hand such links over as files and reading is safe; a
    link to a file already linted is not linted twice. Symlinked directories are never followed."""
    outside = tmp_path / "shared"
    outside.mkdir()
    (outside / "common.py").write_text(TRAIN)
    root = tmp_path / "root"
    root.mkdir()
    (root / "train.py").write_text(TRAIN)
    (root / "again.py").symlink_to(root / "train.py")
    (root / "common.py").symlink_to(outside / "common.py")
    linted = {Path(p).as_posix() for p in _linted_paths(root, ".")}
    assert "common.py" in linted and len(linted) == 2


def _run_limited(args, cwd, timeout):
    """The console script with 1 GiB of address space: a read that never ends fails instead of
    taking the machine's memory."""
    import resource

    def limit():
        resource.setrlimit(resource.RLIMIT_AS, (1 << 30, 1 << 30))
    return subprocess.run([RNNLINT, *args], cwd=cwd, capture_output=True, text=True, timeout=timeout,
                          preexec_fn=limit)


@pytest.mark.parametrize("kind", ["fifo", "dev_zero"])
def test_directory_walk_skips_fifos_and_devices(tmp_path, kind):
    (tmp_path / "train.py").write_text(TRAIN)
    if kind == "fifo":
        os.mkfifo(tmp_path / "pipe.py")
    else:
        (tmp_path / "zero.py").symlink_to("/dev/zero")
    proc = _run_limited(["check", "--no-cache", "--fail-on", "info", "."], tmp_path, timeout=15)
    assert proc.returncode in (1, 2) and "Traceback" not in proc.stderr, proc.stderr
    assert "RNN101" in proc.stdout
