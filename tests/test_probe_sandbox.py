"""Issue 12 item 2: nothing of the user's is touched. The script's writes land in the probe's sandbox,
its later reads see them, writes that cannot be redirected are refused, and the parent notices any
change to the script's folder that got past both."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from rnnlint.probe import untouched
from rnnlint.probe.sandbox import Overlay
from tests.test_probe_e2e import PROBE, ROOT

OLD_OUTPUTS = {"preprocessed.csv": b"old,rows\n", "preds.npy": b"not an array", "run.log": b"first run\n",
               "model.keras": b"an older model"}


def digest(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest() if p.is_file() else "dir"
            for p in sorted(folder.rglob("*"))}


def run_probe(script: Path, *extra: str, cwd: Path) -> tuple[int, dict]:
    proc = subprocess.run(
        [sys.executable, "-m", "rnnlint.probe", str(script), "--format", "json", "--steps", "30",
         "--no-static", *extra],
        capture_output=True, text=True, timeout=300, cwd=cwd,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert proc.stdout, proc.stderr
    return proc.returncode, json.loads(proc.stdout)


# -- the overlay's bookkeeping, without patching anything ------------------------------------------


@pytest.fixture
def overlay_and_home(tmp_path):
    home = tmp_path / "home"
    home.mkdir()
    (home / "data.csv").write_text("original\n")
    return Overlay(str(tmp_path / "probe")), home


def test_a_write_goes_to_a_shadow_and_reads_follow_it(overlay_and_home):
    overlay, home = overlay_and_home
    target = home / "data.csv"
    assert overlay.read(target) == target  # not written yet: the original
    shadow = overlay.write(target)
    assert shadow.startswith(overlay.root) and not os.path.exists(shadow)  # "w" starts empty
    Path(shadow).write_text("new\n")
    assert overlay.read(target) == shadow and target.read_text() == "original\n"


def test_an_append_starts_from_a_copy_of_the_original(overlay_and_home):
    overlay, home = overlay_and_home
    shadow = overlay.write(home / "data.csv", keep=True)
    assert Path(shadow).read_text() == "original\n"


def test_a_write_into_a_missing_folder_fails_as_it_would(overlay_and_home):
    overlay, home = overlay_and_home
    with pytest.raises(FileNotFoundError):
        overlay.write(home / "no_such_dir" / "x.csv")
    overlay.make_dir(home / "made")
    assert overlay.is_dir(str(home / "made")) and not (home / "made").exists()
    assert Path(overlay.write(home / "made" / "x.csv")).parent.is_dir()


def test_delete_move_and_listing_are_the_scripts_view(overlay_and_home):
    overlay, home = overlay_and_home
    Path(overlay.write(home / "new.txt")).write_text("n")
    overlay.move(home / "data.csv", home / "renamed.csv", replace=True)
    assert sorted(overlay.listdir(home)) == ["new.txt", "renamed.csv"]
    assert (home / "data.csv").read_text() == "original\n"  # only hidden
    with pytest.raises(FileNotFoundError):
        overlay.read(home / "data.csv")
    overlay.remove(home / "renamed.csv")
    overlay.remove(home / "new.txt")
    assert overlay.listdir(home) == [] and sorted(p.name for p in home.iterdir()) == ["data.csv"]
    summary = overlay.summary()
    assert summary["redirected_count"] == 0 and summary["deleted"] == [str(home / "data.csv")]


def test_the_probes_own_folder_and_devices_pass_through(tmp_path):
    overlay = Overlay(str(tmp_path / "probe"))
    assert overlay.write(tmp_path / "probe" / "result.json") == tmp_path / "probe" / "result.json"
    assert overlay.write("/dev/null") == "/dev/null"


# -- the patched file APIs, in a plain interpreter (no TensorFlow) ---------------------------------

PATCHED_APIS = """
import _io, glob, json, os, pathlib, shutil, subprocess, sys
from rnnlint.probe import sandbox
overlay = sandbox.Overlay(sys.argv[1])
sandbox.install(overlay)
out = {}
with open("data.csv", "a") as fh:
    fh.write("appended\\n")
out["appended"] = open("data.csv").read()
pathlib.Path("sub").mkdir()
pathlib.Path("sub/a.txt").write_text("a")
os.makedirs("deep/er", exist_ok=True)
shutil.copy("data.csv", "deep/er/copy.csv")
shutil.move("deep/er/copy.csv", "moved.csv")
os.rename("keep.txt", "kept.txt")
out["glob"] = sorted(glob.glob("*"))
out["iterdir"] = sorted(p.name for p in pathlib.Path(".").iterdir())
out["exists"] = [os.path.exists(n) for n in ("keep.txt", "kept.txt", "sub/a.txt", "moved.csv")]
fd = os.open("raw.bin", os.O_WRONLY | os.O_CREAT | os.O_TRUNC)
os.write(fd, b"raw")
os.close(fd)
shutil.rmtree("sub")
out["sub_after_rmtree"] = os.path.exists("sub")
try:
    _io.open("escape.txt", "w")  # the unpatched C function: past the redirection, into the backstop
    out["refused"] = False
except PermissionError as exc:
    out["refused"] = "refused" in str(exc)
import numpy as np, shutil as sh, tarfile, tempfile
np.savetxt("data.csv", np.array([[7.0, 8.0]]), delimiter=",")  # numpy's own opener, taken at import
out["loadtxt"] = np.loadtxt("data.csv", delimiter=",").tolist()
sh.copy2("moved.csv", "copied.csv")  # copy2 reads xattrs of a file that only the sandbox holds
with tempfile.NamedTemporaryFile("w", dir=".", delete=False) as fh:  # the atomic-write pattern
    fh.write("t")
with tarfile.open("a.tar", "w") as tar:
    tar.add("copied.csv")
os.makedirs("runs/v0")
open("runs/v0/p.txt", "w").write("p")
os.rename("runs", "runs_old")
out["renamed"] = [os.path.exists("runs"), os.path.exists("runs_old/v0/p.txt"), os.path.exists("runs_old/keep.txt")]
subprocess.run(["sh", "-c", "echo x > by_subprocess.txt"], check=True)
out["summary"] = overlay.summary()
print(json.dumps(out))
"""


def test_python_file_apis_see_their_own_writes_and_leave_the_folder_alone(tmp_path):
    home = tmp_path / "home"
    home.mkdir()
    (home / "data.csv").write_text("original\n")
    (home / "keep.txt").write_text("keep\n")
    (home / "runs").mkdir()
    (home / "runs" / "keep.txt").write_text("r")
    before, _ = untouched.snapshot(str(home))
    proc = subprocess.run([sys.executable, "-c", PATCHED_APIS, str(tmp_path / "probe")], cwd=home,
                          capture_output=True, text=True, timeout=60,
                          env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    assert out["appended"] == "original\nappended\n"
    assert out["glob"] == ["data.csv", "deep", "kept.txt", "moved.csv", "runs", "sub"]
    assert out["iterdir"] == out["glob"]
    assert out["exists"] == [False, True, True, True]
    assert out["sub_after_rmtree"] is False and out["refused"] is True
    assert out["loadtxt"] == [7.0, 8.0] and out["renamed"] == [False, True, True]
    summary = out["summary"]
    assert {Path(p).name for p in summary["redirected"]} >= {"data.csv", "kept.txt", "moved.csv", "raw.bin"}
    assert [Path(p).name for p in summary["refused"]] == ["escape.txt"]
    # Only the subprocess got past (the parent's check reports it); everything else is as it was.
    after, complete = untouched.snapshot(str(home))
    assert untouched.changes(before, after) == ["by_subprocess.txt"] and complete
    assert (home / "data.csv").read_text() == "original\n" and (home / "keep.txt").exists()
    assert (home / "runs" / "keep.txt").read_text() == "r"


SYMLINKS = """
import json, os, sys
from rnnlint.probe import sandbox
overlay = sandbox.Overlay(sys.argv[1])
sandbox.install(overlay)
out = {}
os.symlink("data.csv", "link.csv")  # relative: beside the link in the script's folder, not the shadow's
out["link"] = [os.readlink("link.csv"), os.path.islink("link.csv"), os.path.islink("data.csv")]
out["read_through"] = open("link.csv").read()
with open("link.csv", "w") as fh:
    fh.write("through the link\\n")
out["data_after"] = open("data.csv").read()
os.symlink(os.path.abspath("sub"), "sublink")
with open("sublink/new.txt", "w") as fh:
    fh.write("n")
out["sub"] = sorted(os.listdir("sub"))
out["links"] = sorted(e.name for e in os.scandir(".") if e.is_symlink())
out["realpath"] = os.path.relpath(os.path.realpath("link.csv"))
os.rename("link.csv", "link2.csv")
out["renamed"] = [os.readlink("link2.csv"), os.path.lexists("link.csv"), open("link2.csv").read()]
os.remove("link2.csv")
out["unlinked"] = [os.path.lexists("link2.csv"), open("data.csv").read()]
try:
    open("sub/missing.txt")
except FileNotFoundError as exc:
    out["error"] = exc.filename
os.mkdir("made")
try:
    open("made")
except IsADirectoryError as exc:  # raised on the shadow folder: the script sees its own path
    out["dir_error"] = exc.filename
print(json.dumps(out))
"""


def test_a_scripts_symlinks_resolve_in_its_view_and_never_write_through_to_the_users_files(tmp_path):
    home = tmp_path / "home"
    (home / "sub").mkdir(parents=True)
    (home / "data.csv").write_text("original\n")
    (home / "sub" / "s.txt").write_text("s")
    before = digest(home)
    proc = subprocess.run([sys.executable, "-c", SYMLINKS, str(tmp_path / "probe")], cwd=home,
                          capture_output=True, text=True, timeout=60,
                          env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    assert out["link"] == ["data.csv", True, False] and out["read_through"] == "original\n"
    assert out["data_after"] == "through the link\n" and out["sub"] == ["new.txt", "s.txt"]
    assert out["links"] == ["link.csv", "sublink"] and out["realpath"] == "data.csv"
    assert out["renamed"] == ["data.csv", False, "through the link\n"]
    assert out["unlinked"] == [False, "through the link\n"]
    assert out["error"] == "sub/missing.txt" and out["dir_error"] == "made"
    assert digest(home) == before


# -- the probe end to end ------------------------------------------------------------------------


@pytest.mark.slow
def test_a_script_that_overwrites_its_outputs_leaves_its_folder_byte_for_byte(tmp_path):
    work, kept = tmp_path / "work", tmp_path / "kept"
    work.mkdir()
    script = Path(shutil.copy(PROBE / "overwrites_outputs.py", work / "train.py"))
    for name, content in OLD_OUTPUTS.items():
        (work / name).write_bytes(content)
    (work / "scratch.pkl").write_bytes(b"scratch")
    before = digest(work)
    exit_code, report = run_probe(script, "--keep-writes", str(kept), cwd=work)
    assert (exit_code, report["status"]) == (0, "completed"), report["headline"] + report["output_tail"]
    assert digest(work) == before
    tail = report["output_tail"]
    for line in ("preprocessed rows 4", "preds shape (8, 1)", "log lines 2", "reloaded params",
                 "h5 values [0, 1, 2]", "gfile exists True", "checkpoint read", "scratch gone True"):
        assert line in tail, line
    writes = report["writes"]
    assert {Path(p).name for p in writes["redirected"]} >= {
        "preprocessed.csv", "preds.npy", "run.log", "model.keras", "model.weights.h5", "extra.h5",
        "notes.txt", "training_log.csv"}
    assert [Path(p).name for p in writes["deleted"]] == ["scratch.pkl"]
    assert writes["escaped"] == [] and writes["refused"] == [] and writes["kept_in"] == str(kept)
    # --keep-writes: the run's own outputs, under their absolute paths
    copy = kept / str(work).lstrip(os.sep)
    assert (copy / "run.log").read_text() == "first run\nrun finished\n"
    assert (copy / "preds.npy").read_bytes() != OLD_OUTPUTS["preds.npy"]


TF_OLD_OUTPUTS = {"lines.txt": b"old line\n", "old.txt": b"old\n", "olddir/f": b"x\n",
                  "records.tfrecord": b"not records", "data.csv": b"a,b\n9,9\n", "texts/pos/a.txt": b"original",
                  "texts/neg/b.txt": b"neg\n", "ckpt/checkpoint": b'model_checkpoint_path: "old-1"\n',
                  "saved_ds/snapshot.metadata": b"old\n", "exported/saved_model.pb": b"old\n",
                  "logs/old.log": b"old\n"}


@pytest.mark.slow
def test_tensorflow_file_paths_see_the_scripts_writes_and_leave_its_folder_byte_for_byte(tmp_path):
    from PIL import Image

    work = tmp_path / "work"
    work.mkdir()
    script = Path(shutil.copy(PROBE / "overwrites_tf_outputs.py", work / "train.py"))
    for name, content in TF_OLD_OUTPUTS.items():
        (work / name).parent.mkdir(parents=True, exist_ok=True)
        (work / name).write_bytes(content)
    for label in ("cat", "dog"):
        (work / "images" / label).mkdir(parents=True)
        Image.new("RGB", (4, 4)).save(work / "images" / label / "old.png")
    before = digest(work)
    exit_code, report = run_probe(script, cwd=work)
    tail = report["output_tail"]
    assert (exit_code, report["status"]) == (0, "completed"), report["headline"] + tail
    assert digest(work) == before
    for line in (
        "read_file ['new', '1', 'new', '2', 'new', '3']", "text lines ['new 1', 'new 2', 'new 3']",
        "symlink lines.txt 4 True",  # appended through the script's own link to lines.txt
        "glob ['extra.txt', 'lines.txt']", "matching_files ['extra.txt', 'lines.txt']",
        "deleted exists False False",  # tf.io.gfile.exists/isdir of what the script deleted (a69e498)
        "list_files lines ['extra', 'new 1', 'new 2', 'new 3', 'new 4']",
        "records ['record 1', 'record 2']", "csv a [1, 3, 5]", "glob list ['data.csv', 'extra.txt', 'more.csv']", "images 3 max 200", "texts ['neg\\n', 'rewritten']",
        "checkpoint saved ckpt/run-1 latest ckpt/run-1",  # the script's paths, never the shadow's
        "checkpoint restored manager ckpt/ckpt-3 kept ['ckpt/ckpt-3']", "dataset load [0, 1, 2, 3, 4]",
        "cache [0, 1, 2] [0, 1, 2]", "export serves (2, 1)", "saved_model v 3.0", "profiled True old log True",
        f"{work / 'old.txt'}; No such file or directory",  # tf.errors.NotFoundError, with the script's path
        "open error old.txt", "v1 save refused True", "db writer refused True",
    ):
        assert line in tail, line
    writes = report["writes"]
    assert writes["root"] not in tail  # no error or path the script printed names the shadow
    assert {Path(p).name for p in writes["redirected"]} >= {
        "lines.txt", "records.tfrecord", "data.csv", "new.png", "a.txt", "run-1", "checkpoint", "saved_ds",
        "exported", "range.cache"}
    assert not any("_temp" in p for p in writes["redirected"])  # a checkpoint's shards, merged away
    assert sorted(Path(p).name for p in writes["deleted"]) == ["old.txt", "olddir"]
    assert [Path(p).name for p in writes["refused"]] == ["v1.ckpt", "runs.db"] and writes["escaped"] == []


@pytest.mark.slow
def test_a_write_past_the_sandbox_is_reported_not_hidden(tmp_path):
    work = tmp_path / "work"
    work.mkdir()
    script = work / "train.py"
    script.write_text(textwrap.dedent("""
        import subprocess
        import numpy as np
        import keras
        x = np.random.default_rng(0).normal(size=(256, 8, 1)).astype("float32")
        model = keras.Sequential([keras.Input((8, 1)), keras.layers.GRU(4), keras.layers.Dense(1)])
        model.compile(optimizer="adam", loss="mse")
        model.fit(x, x[:, -1], epochs=2, verbose=0)
        subprocess.run(["sh", "-c", "echo done > finished.flag"], check=True)
    """))
    exit_code, report = run_probe(script, cwd=work)
    assert exit_code == 0, report["headline"]
    assert report["writes"]["escaped"] == ["finished.flag"]
    text = subprocess.run(
        [sys.executable, "-m", "rnnlint.probe", str(script), "--steps", "30", "--no-static", "--quiet"],
        capture_output=True, text=True, timeout=300, cwd=work, env={**os.environ, "PYTHONPATH": str(ROOT)},
    ).stdout
    assert "warning: files in the script's folder changed during the probe" in text
    assert "finished.flag" in text


def test_the_report_says_where_each_kind_of_write_went():
    from rnnlint.probe.report import writes_lines

    writes = {"redirected": ["/w/a.csv", "/w/b.npy"], "redirected_count": 2, "deleted": ["/w/old.txt"],
              "deleted_count": 1, "refused": ["/w/c.bin"], "refused_count": 1,
              "unpatched": ["h5py: AttributeError: File"], "escaped": ["flag"], "folder_checked": False,
              "kept_in": None}
    text = "\n".join(writes_lines(writes, "/w"))
    assert "went to the probe's sandbox, not your files (discarded with it; --keep-writes DIR keeps them): " \
           "a.csv, b.npy" in text
    assert "hidden from it, not deleted: old.txt" in text and "refused" in text and "c.bin" in text
    assert "could not cover h5py" in text and "warning: files in the script's folder changed" in text
    assert "too large to check whole" in text
    assert writes_lines({"redirected_count": 0, "escaped": [], "folder_checked": True}, "/w") == []


def test_a_folder_written_into_is_still_the_original_for_stat_and_chdir(overlay_and_home):
    overlay, home = overlay_and_home
    Path(overlay.write(home / "out.txt")).write_text("o")  # the folder now has a shadow too
    assert overlay.read(home) == home  # chdir(home) must keep finding data.csv beside the script
    with pytest.raises(IsADirectoryError):
        overlay.write(home)


def test_a_folder_check_cut_at_its_bound_compares_only_what_both_listings_hold():
    before = {"a": (1, 1, False), "b": (1, 1, False)}
    after = {"a": (2, 2, False), "c": (1, 1, False)}  # "b" fell past the cut, "c" came in before it
    assert untouched.changes(before, after) == ["a", "b", "c"]
    assert untouched.changes(before, after, complete=False) == ["a"]
