"""What `--what-if` costs: the probe's wall time with and without it, on one script, in one run.

The target (issue 13): a script with one confirmed symptom, probed with `--what-if`, takes at most
2.5x the plain probe, because the reruns reuse the child's TensorFlow, model and captured batches.
Each variant runs `--repeat` times, alternating, and the medians are compared. Usage:

    python benchmarks/probe_whatif.py [SCRIPT] [--steps N] [--repeat K]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SCRIPT = ROOT / "fixtures" / "probe" / "plateau_sick.py"
TARGET = 2.5


def probe(script: Path, steps: int, what_if: bool) -> tuple[float, dict]:
    command = [sys.executable, "-m", "rnnlint.probe", str(script), "--format", "json", "--quiet",
               "--no-static", "--steps", str(steps)] + (["--what-if"] if what_if else [])
    started = time.perf_counter()
    proc = subprocess.run(command, capture_output=True, text=True, cwd=ROOT, timeout=600,
                          env={**os.environ, "PYTHONPATH": str(ROOT)})
    return time.perf_counter() - started, json.loads(proc.stdout)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("script", nargs="?", type=Path, default=DEFAULT_SCRIPT)
    parser.add_argument("--steps", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=2)
    args = parser.parse_args()
    plain, what_if, report = [], [], {}
    for _ in range(args.repeat):
        seconds, _ = probe(args.script, args.steps, False)
        plain.append(seconds)
        seconds, report = probe(args.script, args.steps, True)
        what_if.append(seconds)
    ratio = statistics.median(what_if) / statistics.median(plain)
    print(f"script: {args.script.relative_to(ROOT) if args.script.is_relative_to(ROOT) else args.script}")
    print(f"confirmed: {', '.join(report['confirmed'])}; remedies tried: {len(report['remedies'])}")
    for remedy in report["remedies"]:
        print(f"  {remedy['change']}: resolved={remedy['resolved']} ({remedy['seconds']:.1f} s in the child)")
    print(f"plain probe   {', '.join(f'{s:.1f}' for s in plain)} s (median {statistics.median(plain):.1f})")
    print(f"--what-if     {', '.join(f'{s:.1f}' for s in what_if)} s (median {statistics.median(what_if):.1f})")
    print(f"ratio {ratio:.2f}x (target at most {TARGET}x): {'met' if ratio <= TARGET else 'MISSED'}")
    print(f"load average {os.getloadavg()[0]:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
