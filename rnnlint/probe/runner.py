"""The probe's parent side: start the child in its own session, enforce the timeout, read its result.

The child reports through files in a temp dir (`result.json`, `progress.jsonl`), never through stdout,
which belongs to the user's script. A timeout kills the child's whole process group, so processes the
script started die with it.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from . import untouched

POLL_SECONDS = 0.2
PROGRAM_NAME = "notebook_program.py"
TAIL_CHARS = 4000


@dataclass(frozen=True)
class ProbeRequest:
    script: Path
    script_args: tuple[str, ...] = ()
    steps: int = 200
    timeout: float = 180.0
    seed: int = 0
    max_fits: int = 3
    allow_gpu: bool = False
    what_if: bool = False  # rerun confirmed symptoms' fits with their catalog remedies
    static_names: tuple[str, ...] = ()  # static findings of the script (some remedies need one)
    # A notebook's code cells as one program: the child runs this text (as a file in its temp dir)
    # with the notebook's folder as the script folder.
    program_text: str | None = None
    cwd: Path | None = None  # None: the caller's working directory, as `python path/to/script.py` has it
    keep_writes: Path | None = None  # copy the files the script wrote (to the sandbox) here


@dataclass
class ProbeOutcome:
    """What came back from the child: its result (None if it wrote none) and how it ended."""

    result: dict | None
    returncode: int | None
    timed_out: bool
    seconds: float
    output_tail: str = ""
    progress: list[dict] = field(default_factory=list)
    program_path: str | None = None  # where a notebook's program ran (its frames name this file)
    cwd: str = ""  # the directory the script ran in
    # Files of the script's folder that changed although the sandbox redirects writes (a subprocess,
    # a C library), and whether the folder was small enough to be checked whole.
    escaped: list[str] = field(default_factory=list)
    folder_checked: bool = True


def _package_root() -> str:
    return str(Path(__file__).resolve().parent.parent.parent)


def child_environment(request: ProbeRequest, tmp: Path) -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (_package_root(), env.get("PYTHONPATH")) if p)
    env.update({
        "TF_CPP_MIN_LOG_LEVEL": "3",
        "TF_NUM_INTEROP_THREADS": "2",
        "TF_NUM_INTRAOP_THREADS": "2",
        "KERAS_BACKEND": "tensorflow",
        "PYTHONHASHSEED": str(request.seed),
        "MPLBACKEND": "Agg",
        "PYTHONUNBUFFERED": "1",
        # Importing a module beside the script would write its __pycache__ into the user's folder.
        "PYTHONDONTWRITEBYTECODE": "1",
    })
    if not request.allow_gpu:
        env["CUDA_VISIBLE_DEVICES"] = ""
    # Keras writes ~/.keras/keras.json on first import: keep that inside the temp dir unless the user
    # already has a Keras config the script relies on.
    if "KERAS_HOME" not in env and not (Path.home() / ".keras" / "keras.json").is_file():
        env["KERAS_HOME"] = str(tmp / "keras")
    if "MPLCONFIGDIR" not in env:
        env["MPLCONFIGDIR"] = str(tmp / "matplotlib")
    # TensorFlow's autograph and tempfile users write to TMPDIR: keep it inside the probe's own dir,
    # which is removed whatever way the child ends.
    scratch = tmp / "tmp"
    scratch.mkdir(exist_ok=True)
    for key in ("TMPDIR", "TEMP", "TMP"):
        env[key] = str(scratch)
    return env


RUN_MARKER = "RNNLINT_PROBE_RUN"
# `-P` keeps the child's working directory (the script's folder) off sys.path while the probe imports
# itself and TensorFlow: a `random.py` beside the script must shadow nothing until the script runs.
SAFE_PATH = ("-P",) if sys.version_info >= (3, 11) else ()


def _kill_group(proc: subprocess.Popen) -> None:
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


def _kill_marked(token: str) -> None:
    """Kill every process that inherited this run's marker: daemons that left the process group
    with setsid() still carry the child's environment (Linux /proc; elsewhere the group kill alone)."""
    proc_dir = Path("/proc")
    if not proc_dir.is_dir():
        return
    marker = f"{RUN_MARKER}={token}".encode()
    for entry in proc_dir.iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            environ = (entry / "environ").read_bytes()
        except OSError:  # gone already, or not ours to read
            continue
        if marker in environ.split(b"\0"):
            try:
                os.kill(int(entry.name), signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass


def _read_new_lines(path: Path, offset: int) -> tuple[list[dict], int]:
    if not path.is_file():
        return [], offset
    with open(path, encoding="utf-8") as fh:
        fh.seek(offset)
        chunk = fh.read()
    complete = chunk[: chunk.rfind("\n") + 1]
    events = []
    for line in complete.splitlines():
        try:
            events.append(json.loads(line))
        except json.JSONDecodeError:
            continue
    return events, offset + len(complete.encode("utf-8"))


def _tail(path: Path) -> str:
    if not path.is_file():
        return ""
    data = path.read_bytes()[-TAIL_CHARS:]
    return data.decode("utf-8", errors="replace")


def run_probe(request: ProbeRequest, on_progress: Callable[[dict], None] | None = None) -> ProbeOutcome:
    """Run the script under the probe and return what the child measured."""
    script = request.script.resolve()
    workdir = (request.cwd or Path.cwd()).resolve()
    before, complete = untouched.snapshot(str(script.parent))
    with tempfile.TemporaryDirectory(prefix="rnnlint-probe-") as name:
        tmp = Path(name)
        config = {
            "script": str(script),
            "script_args": list(request.script_args),
            "cwd": str(workdir),
            "steps": request.steps,
            "seed": request.seed,
            "max_fits": request.max_fits,
            "what_if": request.what_if,
            "static_names": list(request.static_names),
            "result_path": str(tmp / "result.json"),
            "progress_path": str(tmp / "progress.jsonl"),
        }
        program_path = None
        if request.program_text is not None:
            program_path = config["program_path"] = str(tmp / PROGRAM_NAME)
            (tmp / PROGRAM_NAME).write_text(request.program_text, encoding="utf-8")
        (tmp / "config.json").write_text(json.dumps(config), encoding="utf-8")
        log = tmp / "output.log"
        started = time.monotonic()
        with open(log, "wb") as out:
            proc = subprocess.Popen(
                [sys.executable, *SAFE_PATH, "-m", "rnnlint.probe.child", str(tmp / "config.json")],
                cwd=str(workdir),
                env={**child_environment(request, tmp), RUN_MARKER: tmp.name},
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
            events, offset, timed_out = [], 0, False
            try:
                while proc.poll() is None:
                    if time.monotonic() - started > request.timeout:
                        timed_out = True
                        break
                    time.sleep(POLL_SECONDS)
                    new, offset = _read_new_lines(tmp / "progress.jsonl", offset)
                    events.extend(new)
                    for event in new:
                        if on_progress:
                            on_progress(event)
            finally:
                _kill_group(proc)  # also reaps whatever the script started and left behind
                proc.wait()
                _kill_marked(tmp.name)
        new, offset = _read_new_lines(tmp / "progress.jsonl", offset)
        events.extend(new)
        result = None
        if (tmp / "result.json").is_file():
            result = json.loads((tmp / "result.json").read_text(encoding="utf-8"))
        after, complete_after = untouched.snapshot(str(script.parent))
        if request.keep_writes is not None and (tmp / "writes").is_dir():  # after the check: may be inside
            shutil.copytree(tmp / "writes", request.keep_writes, dirs_exist_ok=True, symlinks=True)
        return ProbeOutcome(
            result=result,
            program_path=program_path,
            returncode=None if timed_out else proc.returncode,
            timed_out=timed_out,
            seconds=time.monotonic() - started,
            output_tail=_tail(log),
            progress=events,
            cwd=str(workdir),
            escaped=untouched.changes(before, after, complete and complete_after),
            folder_checked=complete and complete_after,
        )
