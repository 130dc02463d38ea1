"""The probe's child process: instrument Keras, run the user's script as `__main__`, save measurements.

Started by `runner.py` in a fresh interpreter (`python -m rnnlint.probe.child CONFIG`). Everything it
learns goes to `result.json` in the run's temp dir, rewritten when a fit starts, every FLUSH_SECONDS
during it and after it, so a timeout still leaves what was measured; stdout and stderr belong to the
user's script. A failure of rnnlint's own code is recorded as an internal error, never as the script's.
"""

from __future__ import annotations

import json
import os
import runpy
import sys
import time
import traceback

from . import frames as frame_info
from . import sandbox
from .intercept import install
from .seeding import seed_the_run
from .state import ProbeState


def _error(exc: BaseException, message: str) -> dict:
    shown, library = frame_info.frames(exc)
    return {"type": type(exc).__name__, "message": message[:2000], "frames": shown, "library_frames": library}


def _script_folder_first(folder: str) -> None:
    """sys.path as under `python script.py`: the script's folder first, then the rest (set only now,
    after the probe's imports, so a module beside the script shadows nothing of the probe's)."""
    if sys.flags.safe_path:
        sys.path.insert(0, folder)
    else:  # Python 3.10: `-m` put the working directory (the same folder) first
        sys.path[0] = folder
    # Modules the probe (or TensorFlow) imported before the script ran would hide a file of the same
    # name beside the script; under `python script.py` the script's own file wins, so it wins here.
    # The probe's modules keep the references they already hold.
    for name in _local_module_names(folder):
        module = sys.modules.get(name)
        origin = os.path.dirname(os.path.abspath(getattr(module, "__file__", None) or folder))
        if module is not None and origin != os.path.abspath(folder):
            del sys.modules[name]


def _local_module_names(folder: str) -> list[str]:
    try:
        entries = os.listdir(folder)
    except OSError:
        return []
    names = [e[:-3] for e in entries if e.endswith(".py")]
    names += [e for e in entries if os.path.isfile(os.path.join(folder, e, "__init__.py"))]
    return names


def shadowing_hint(folder: str, exc: BaseException) -> str | None:
    """A one-line hint when a file beside the script shares a standard-library module's name and
    the script failed in it or in the standard library."""
    stdlib: frozenset[str] = getattr(sys, "stdlib_module_names", frozenset())
    try:
        names = sorted(os.listdir(folder))
    except OSError:
        return None
    shadows = [n for n in names if n.endswith(".py") and n[:-3] in stdlib]
    if not shadows:
        return None
    files = {os.path.join(folder, n) for n in shadows}
    in_traceback = any(f.filename in files for f in traceback.extract_tb(exc.__traceback__))
    if not in_traceback and not isinstance(exc, (ImportError, AttributeError)):
        return None
    return (f"{', '.join(shadows)} beside the script shadows the standard-library module of that name; "
            "rename it")


def run_script(state: ProbeState) -> None:
    config = state.config
    script = config["script"]
    sys.argv = [script, *config["script_args"]]
    _script_folder_first(os.path.dirname(script))
    state.status = "running"
    state.write()
    try:
        # A notebook runs as the program its code cells form (written by the parent).
        runpy.run_path(config.get("program_path") or script, run_name="__main__")
        state.status = "completed"
    except SystemExit as exc:
        code = exc.code
        failed = code not in (None, 0) and not state.runs
        state.status = "script_error" if failed else "completed"
        if failed:
            state.error = _error(exc, f"exit status {code}")
    except BaseException as exc:  # noqa: BLE001 - the user's script may raise anything
        if state.internal is not None:  # rnnlint's own failure, whatever shape it came out in
            state.status = "internal_error"
            state.error = state.internal
        elif state.stop_requested:
            state.status = "stopped"
        else:
            state.status = "script_error"
            state.error = _error(exc, str(exc))
            hint = shadowing_hint(os.path.dirname(script), exc)
            if hint:
                state.error["hint"] = hint
    for run in state.loop_runs.values():
        run.in_progress = False  # the script ended or was stopped: the loop is over
        if not run.seconds:
            run.seconds = time.perf_counter() - run.started


def main(argv: list[str]) -> int:
    with open(argv[0], encoding="utf-8") as fh:
        config = json.load(fh)
    state = ProbeState(config)
    state.status = "starting"
    state.write()
    import keras  # noqa: F401 - threads and devices come from the environment the runner set

    seed_the_run(int(config["seed"]))
    install(state)
    # Last before the script: the probe's own imports and patches are done, so from here every
    # write outside the temp dir is the script's, and goes to the overlay.
    overlay = sandbox.Overlay(os.path.dirname(config["result_path"]))
    sandbox.install(overlay)
    state.writes = overlay.summary
    state.progress(event="script", script=config["script"])
    run_script(state)
    state.write()
    sys.stdout.flush()
    sys.stderr.flush()
    return 0


if __name__ == "__main__":
    code = main(sys.argv[1:])
    os._exit(code)  # skip TensorFlow's slow teardown and any thread the script left running
