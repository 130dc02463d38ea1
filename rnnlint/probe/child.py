"""The probe's child process: instrument Keras, run the user's script as `__main__`, save measurements.

Started by `runner.py` in a fresh interpreter (`python -m rnnlint.probe.child CONFIG`). Everything it
learns goes to `result.json` in the run's temp dir, rewritten after every probed fit, so a timeout
still leaves what was measured; stdout and stderr belong to the user's script.
"""

from __future__ import annotations

import json
import os
import runpy
import sys
import time
import traceback

from .intercept import install
from .state import ProbeState

_PROBE_DIR = os.path.dirname(os.path.abspath(__file__))


def _frames(exc: BaseException, limit: int = 6) -> list[dict]:
    frames = [
        f for f in traceback.extract_tb(exc.__traceback__)
        if not f.filename.startswith(_PROBE_DIR) and "runpy" not in f.filename
    ]
    return [
        {"file": f.filename, "line": f.lineno, "function": f.name, "code": f.line or ""}
        for f in frames[-limit:]
    ]


def run_script(state: ProbeState) -> None:
    config = state.config
    script = config["script"]
    sys.argv = [script, *config["script_args"]]
    sys.path[0] = os.path.dirname(script)
    state.status = "running"
    state.write()
    try:
        runpy.run_path(script, run_name="__main__")
        state.status = "completed"
    except SystemExit as exc:
        code = exc.code
        failed = code not in (None, 0) and not state.runs
        state.status = "script_error" if failed else "completed"
        if failed:
            state.error = {"type": "SystemExit", "message": f"exit status {code}", "frames": _frames(exc)}
    except BaseException as exc:  # noqa: BLE001 - the user's script may raise anything
        if state.stop_requested:
            state.status = "stopped"
        else:
            state.status = "script_error"
            state.error = {
                "type": type(exc).__name__,
                "message": str(exc)[:2000],
                "frames": _frames(exc),
            }
    for run in state.loop_runs.values():
        if not run.seconds:
            run.seconds = time.perf_counter() - run.started


def main(argv: list[str]) -> int:
    with open(argv[0], encoding="utf-8") as fh:
        config = json.load(fh)
    state = ProbeState(config)
    state.status = "starting"
    state.write()
    import keras  # threads and devices come from the environment the runner set

    keras.utils.set_random_seed(int(config["seed"]))
    install(state)
    # The one place a sandbox of the script's file writes goes: after the probe's own patches and
    # imports, before the script runs.
    state.progress(event="script", script=config["script"])
    run_script(state)
    state.write()
    sys.stdout.flush()
    sys.stderr.flush()
    return 0


if __name__ == "__main__":
    code = main(sys.argv[1:])
    os._exit(code)  # skip TensorFlow's slow teardown and any thread the script left running
