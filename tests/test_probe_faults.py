"""The probe under faults: each script in fixtures/probe_faults/ misbehaves in one way, and the probe
must still end within its timeout plus a small grace, print a JSON report with a clear status and
exit with a defined code, leave no process of the script's behind (every pid the script recorded is
checked against the process table) and write nothing outside its temp dir (HOME, TMPDIR and the
script's folder are fresh folders, checked empty afterwards).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import FIXTURES, ROOT

pytestmark = pytest.mark.slow
FAULTS = FIXTURES / "probe_faults"
# Parent start-up, killing the process group, reading the result and rendering the report.
GRACE_S = 20.0
# Importing TensorFlow alone takes 5-15 s on a busy CI machine; the scripts that fit need a bit more.
TIMEOUT_S = {"hang": 25.0, "fit": 60.0}


def _alive(pid: int) -> bool:
    """True while the process exists and is not a zombie waiting for its parent."""
    try:
        with open(f"/proc/{pid}/stat", encoding="utf-8") as stream:
            return stream.read().rsplit(")", 1)[1].split()[0] != "Z"
    except (FileNotFoundError, ProcessLookupError, IndexError):
        return False


def probe_fault(tmp_path: Path, name: str, timeout: float) -> tuple[int, dict, float, list[int], Path]:
    """Run the probe on a copy of one fault script; (exit code, report, seconds, recorded pids, TMPDIR)."""
    work, home, tmpdir, faults = (tmp_path / d for d in ("work", "home", "tmp", "faults"))
    kept = tmp_path / "kept"
    for folder in (work, home, tmpdir, faults):
        folder.mkdir()
    shutil.copy(FAULTS / name, work / name)
    shutil.copy(FAULTS / "_fault.py", work / "_fault.py")
    env = {**os.environ, "PYTHONPATH": str(ROOT), "HOME": str(home), "TMPDIR": str(tmpdir),
           "RNNLINT_FAULT_DIR": str(faults), "PYTHONDONTWRITEBYTECODE": "1"}
    started = time.monotonic()
    proc = subprocess.run(
        [sys.executable, "-m", "rnnlint.probe", str(work / name), "--format", "json", "--quiet", "--no-static",
         "--steps", "20", "--timeout", str(timeout), "--keep-writes", str(kept)],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=timeout + 3 * GRACE_S)
    seconds = time.monotonic() - started
    try:
        report = json.loads(proc.stdout)
    except json.JSONDecodeError:
        pytest.fail(f"no JSON report (exit {proc.returncode}):\n{proc.stdout[-2000:]}\n{proc.stderr[-2000:]}")
    assert "Traceback" not in proc.stderr, proc.stderr
    # The script's own writes land in the probe's sandbox (--keep-writes brings them back); a
    # process it started with a fresh interpreter writes past it, into the real folder.
    pids = []
    for pids_file in (faults / "pids", kept / str(faults).lstrip(os.sep) / "pids"):
        pids += [int(line) for line in pids_file.read_text().split()] if pids_file.is_file() else []
    assert sorted(p.name for p in work.iterdir()) == sorted([name, "_fault.py"]), "the script's folder changed"
    assert list(home.iterdir()) == [], "something was written to HOME"
    assert not [p for p in tmpdir.iterdir() if p.name.startswith("rnnlint-probe-")], "temp dir left behind"
    return proc.returncode, report, seconds, pids, tmpdir


def assert_all_gone(pids: list[int]) -> None:
    deadline = time.monotonic() + 5  # a killed process is reaped by init within moments
    while any(_alive(pid) for pid in pids) and time.monotonic() < deadline:
        time.sleep(0.2)
    left = [pid for pid in pids if _alive(pid)]
    for pid in left:  # never leave them running on the machine, even when the test fails
        try:
            os.kill(pid, 9)
        except ProcessLookupError:
            pass
    assert not left, f"orphaned processes: {left}"


# name, timeout kind, expected status, expected exit code, words the headline must contain
CASES = [
    ("hang_before_fit.py", "hang", "timeout", 4, "never called fit"),
    ("callback_loops_forever.py", "fit", "timeout", 4, "timed out"),
    ("os_exit.py", "hang", "script_error", 4, "exit status 7"),
    ("segfault.py", "hang", "script_error", 4, "exit status -11"),
    ("exhausts_memory.py", "hang", "timeout", 4, "never called fit"),
    ("prints_megabytes.py", "fit", None, None, ""),
    ("changes_directory.py", "fit", None, None, ""),
    ("sys_exit_in_fit.py", "fit", None, None, ""),
]


@pytest.mark.parametrize("name, kind, status, exit_code, headline", CASES, ids=[c[0][:-3] for c in CASES])
def test_fault_ends_cleanly(tmp_path, name, kind, status, exit_code, headline):
    timeout = TIMEOUT_S[kind]
    code, report, seconds, pids, _ = probe_fault(tmp_path, name, timeout)
    assert seconds <= timeout + GRACE_S, f"took {seconds:.0f} s with --timeout {timeout:g}"
    assert code in (0, 1, 4) and report["exit_code"] == code
    assert report["status"] and report["headline"]
    if status is not None:
        assert (report["status"], code) == (status, exit_code), report["headline"]
        assert headline in report["headline"]
    assert pids, "the script ran and recorded its pid"
    assert_all_gone(pids)


def test_fault_in_fit_is_reported_with_the_run(tmp_path):
    """sys.exit inside fit: the run that was probed is kept, and the report says the script ended."""
    code, report, _, pids, _ = probe_fault(tmp_path, "sys_exit_in_fit.py", TIMEOUT_S["fit"])
    assert report["status"] in ("completed", "script_error", "stopped"), report["headline"]
    assert report["runs"], "the probed run before the exit is reported"
    assert_all_gone(pids)


def test_megabytes_of_output_do_not_reach_the_report(tmp_path):
    code, report, _, pids, _ = probe_fault(tmp_path, "prints_megabytes.py", TIMEOUT_S["fit"])
    assert len(json.dumps(report)) < 1_000_000, "the script's output stays out of the report"
    assert_all_gone(pids)


@pytest.fixture(scope="module")
def forked(tmp_path_factory):
    return probe_fault(tmp_path_factory.mktemp("forks"), "forks_children.py", TIMEOUT_S["hang"])


def test_children_in_the_process_group_are_killed(forked):
    """A subprocess and a forked child: gone after the timeout, with the script."""
    code, report, seconds, pids, _ = forked
    assert report["status"] == "timeout" and code == 4
    assert seconds <= TIMEOUT_S["hang"] + GRACE_S
    assert len(pids) == 4, "the script recorded itself, its subprocess, its child and the daemon"
    assert_all_gone(pids[:3])


def test_daemon_that_left_the_process_group_is_killed(forked):
    """Found by this test: the group kill missed a daemon that called setsid()."""
    assert_all_gone(forked[3][3:])


def test_nothing_is_left_in_the_system_temp_dir(tmp_path):
    """Found by this test: TensorFlow's autograph left __autograph_generated_file*.py in the system
    temp dir after most probed fits (the child ends with os._exit, so TF's cleanup never runs)."""
    _, _, _, pids, tmpdir = probe_fault(tmp_path, "changes_directory.py", TIMEOUT_S["fit"])
    assert_all_gone(pids)
    assert [p.name for p in tmpdir.iterdir()] == []
