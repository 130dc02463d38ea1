"""What the probe costs: its wall time against the script's full training and a plain bounded fit.

In one run, with the same environment the probe gives its child (CPU, two threads, seed 0):

- full training: the script as written (every epoch), its `fit` timed from inside;
- plain fit: the script with `fit` stopped after N steps by a bare callback, no instrumentation;
- probe: `python -m rnnlint.probe SCRIPT --steps N` (static rules skipped), and its own fit time.

The ratio probe / plain fit is the instrumentation's overhead (per-step recording, the per-timestep
gradient profiles, input statistics, row fingerprints). Usage:

    python benchmarks/probe_overhead.py [SCRIPT] [--steps N]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from rnnlint.probe.runner import ProbeRequest, child_environment  # noqa: E402

DEFAULT_SCRIPT = ROOT / "fixtures" / "probe" / "plateau_healthy.py"

# Runs the script with Model.fit timed (and, in "bounded" mode, stopped after N steps).
TIMED_FIT = """
import json, os, runpy, sys, time
script, mode, steps, out = sys.argv[1:5]
sys.argv = [script]
sys.path[0] = os.path.dirname(script)
import keras
keras.utils.set_random_seed(0)
original = keras.Model.fit
timings = []

class Stop(keras.callbacks.Callback):
    def __init__(self):
        super().__init__()
        self.done = 0
    def on_train_batch_end(self, batch, logs=None):
        self.done += 1
        if self.done >= int(steps):
            self.model.stop_training = True

def fit(self, *args, **kwargs):
    callbacks = list(kwargs.pop("callbacks", None) or [])
    if mode == "bounded":
        callbacks.append(Stop())
    kwargs["verbose"] = 0
    start = time.perf_counter()
    try:
        return original(self, *args, callbacks=callbacks, **kwargs)
    finally:
        timings.append(time.perf_counter() - start)

keras.Model.fit = fit
try:
    runpy.run_path(script, run_name="__main__")
finally:
    with open(out, "w") as fh:
        json.dump(timings, fh)
"""


def timed_script(script: Path, mode: str, steps: int, env: dict) -> tuple[float, float]:
    """(wall seconds, seconds inside the first fit) for the script run plainly."""
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "fit.json"
        start = time.perf_counter()
        subprocess.run([sys.executable, "-c", TIMED_FIT, str(script), mode, str(steps), str(out)],
                       cwd=script.parent, env=env, check=True, capture_output=True)
        wall = time.perf_counter() - start
        fits = json.loads(out.read_text())
    return wall, fits[0] if fits else float("nan")


def timed_probe(script: Path, steps: int) -> tuple[float, float]:
    start = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-m", "rnnlint.probe", str(script), "--steps", str(steps), "--format", "json",
         "--no-static", "--quiet"],
        cwd=ROOT, capture_output=True, text=True, env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    wall = time.perf_counter() - start
    report = json.loads(proc.stdout)
    runs = report["runs"]
    return wall, runs[0]["seconds"] if runs else float("nan")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("script", nargs="?", type=Path, default=DEFAULT_SCRIPT)
    parser.add_argument("--steps", type=int, default=200)
    args = parser.parse_args(argv)
    script = args.script.resolve()
    with tempfile.TemporaryDirectory() as tmp:
        env = child_environment(ProbeRequest(script=script, steps=args.steps), Path(tmp))
        full = timed_script(script, "full", args.steps, env)
        plain = timed_script(script, "bounded", args.steps, env)
    probe = timed_probe(script, args.steps)
    rows = [("full training (as written)", *full), (f"plain fit, {args.steps} steps", *plain),
            (f"probe, {args.steps} steps", *probe)]
    print(f"script: {script.relative_to(ROOT) if script.is_relative_to(ROOT) else script}")
    print(f"{'run':<30} {'wall s':>8} {'fit s':>8}")
    for name, wall, fit in rows:
        print(f"{name:<30} {wall:>8.2f} {fit:>8.2f}")
    print(f"probe / plain fit: {probe[1] / plain[1]:.2f}x inside fit, {probe[0] / plain[0]:.2f}x wall")
    print(f"probe / full training: {probe[0] / full[0]:.2f}x wall")
    return 0


if __name__ == "__main__":
    sys.exit(main())
