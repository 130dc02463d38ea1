"""The long fuzz run of the static path: one command, figures at the end.

    .venv/bin/python benchmarks/fuzz_long.py --minutes 10 [--seed 1] [--out DIR]

Inputs rotate over: mutations of every fixture (tests/fuzz_corpus.py MUTATORS, 1-3 at a time), random
Keras-flavoured scripts from a small grammar, the pathological programs (each once), programs from
hypothesmith's Python grammar (behind the Keras imports, so the facts pass runs on them), and random
bytes. Each input is linted in-process under a time bound; the loop runs in a worker process so
that a segfault in a native parser is caught and recorded too (the worker restarts). Every 25th
input also goes through the real CLI (`python -m rnnlint check`), which must exit 0, 1 or 2 with no
traceback. Failing inputs are saved under --out with a note; the exit code is 1 if any failed.
"""

from __future__ import annotations

import argparse
import json
import random
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.fuzz_corpus import (  # noqa: E402
    PRELUDE, ScriptGrammar, fixture_files, lint_bounded, mutate, pathological_programs,
)

GENERATORS = ("mutation", "grammar", "hypothesmith", "bytes")
CLI_EVERY = 25


_HYPOTHESMITH: list[str] = []


def _hypothesmith_source(rng: random.Random) -> str:
    """The next program from hypothesmith (its grammar and libcst-node strategies in turn), drawn in
    batches through @given, which grows examples the way a test run does (`.example()` barely does)."""
    if not _HYPOTHESMITH:
        import hypothesmith
        from hypothesis import HealthCheck, Phase, given, settings
        strategy = rng.choice([hypothesmith.from_grammar(), hypothesmith.from_node()])

        @settings(max_examples=50, database=None, deadline=None, phases=[Phase.generate],
                  suppress_health_check=list(HealthCheck))
        @given(strategy)
        def collect(source):
            _HYPOTHESMITH.append(source)
        collect()
    return PRELUDE + _HYPOTHESMITH.pop(rng.randrange(len(_HYPOTHESMITH)))


def _make_input(kind: str, rng: random.Random, seeds: list[Path]) -> tuple[bytes, str]:
    if kind == "mutation":
        seed = rng.choice(seeds)
        data, applied = mutate(seed.read_bytes(), rng)
        return data, f"{seed.relative_to(ROOT)} + {'+'.join(applied)}"
    if kind == "grammar":
        return ScriptGrammar(rng).script().encode(), "grammar script"
    if kind == "hypothesmith":
        return _hypothesmith_source(rng).encode("utf-8", "surrogatepass"), "hypothesmith program"
    return bytes(rng.randrange(256) for _ in range(rng.randint(0, 400))), "random bytes"


def _cli_check(data: bytes, seconds: float) -> str | None:
    """Run the real CLI on the input; a reason when it misbehaves, else None."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "fuzzed.py"
        path.write_bytes(data)
        try:
            proc = subprocess.run([sys.executable, "-m", "rnnlint", "check", "--no-cache", str(path)],
                                  capture_output=True, text=True, timeout=seconds + 30, cwd=tmp)
        except subprocess.TimeoutExpired:
            return f"CLI did not finish within {seconds + 30:g} s"
    if proc.returncode not in (0, 1, 2) or "Traceback" in proc.stderr:
        return f"CLI exit {proc.returncode}: {proc.stderr[-2000:]}"
    return None


def worker(args) -> int:
    """Lint inputs start..; one JSON line per input on stdout; the input being linted is in `current`."""
    import warnings
    warnings.simplefilter("ignore", SyntaxWarning)  # hypothesmith compiles what it generates
    rng_root = random.Random(args.seed)
    seeds = fixture_files()
    current = Path(args.out) / "current.bin"
    programs = list(pathological_programs().items())
    index = args.start
    deadline = time.time() + args.seconds_left
    while time.time() < deadline:
        rng = random.Random(f"{args.seed}-{index}")
        if index < len(programs):
            name, text = programs[index]
            kind, data, origin = "pathological", text.encode(), name
        else:
            kind = GENERATORS[index % len(GENERATORS)]
            data, origin = _make_input(kind, rng, seeds)
        current.write_bytes(data)
        (Path(args.out) / "current.json").write_text(json.dumps({"index": index, "kind": kind, "origin": origin}))
        outcome = lint_bounded(data, args.per_input)
        record = {"index": index, "kind": kind, "origin": origin, "outcome": outcome.kind,
                  "seconds": round(outcome.seconds, 4), "detail": outcome.detail if outcome.failed else ""}
        if index % CLI_EVERY == 0 and not outcome.failed:
            problem = _cli_check(data, args.per_input)
            record["cli"] = True
            if problem:
                record.update(outcome="cli", detail=problem)
        _save_failure(record, args.out, data)
        print(json.dumps(record), flush=True)
        index += 1
    del rng_root
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=10.0)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--per-input", type=float, default=20.0, help="seconds before an input counts as a hang")
    parser.add_argument("--out", default=None, help="where failing inputs are saved (default: a temp dir)")
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--start", type=int, default=0, help=argparse.SUPPRESS)
    parser.add_argument("--seconds-left", type=float, default=0, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    args.out = args.out or tempfile.mkdtemp(prefix="rnnlint-fuzz-")
    Path(args.out).mkdir(parents=True, exist_ok=True)
    if args.worker:
        return worker(args)

    deadline = time.time() + args.minutes * 60
    records: list[dict] = []
    start = 0
    while time.time() < deadline:
        cmd = [sys.executable, __file__, "--worker", "--seed", str(args.seed), "--start", str(start),
               "--per-input", str(args.per_input), "--out", args.out,
               "--seconds-left", str(deadline - time.time())]
        proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True)
        for line in proc.stdout:
            records.append(json.loads(line))
        proc.wait()
        done = records[-1]["index"] + 1 if records else start
        if proc.returncode != 0:  # the worker died inside an input: a native crash
            meta = json.loads((Path(args.out) / "current.json").read_text())
            record = {**meta, "outcome": "died", "seconds": 0, "detail": f"worker exited {proc.returncode}"}
            records.append(record)
            _save_failure(record, args.out, (Path(args.out) / "current.bin").read_bytes())
            done = meta["index"] + 1
        start = done
    with open(Path(args.out) / "records.jsonl", "w") as stream:
        stream.writelines(json.dumps(r) + "\n" for r in records)
    _print_figures(records, args)
    return 1 if any(r["outcome"] in ("crash", "hang", "died", "cli") for r in records) else 0


def _save_failure(record: dict, out: str, data: bytes) -> None:
    if record["outcome"] not in ("crash", "hang", "died", "cli"):
        return
    stem = Path(out) / f"failure-{record['index']:06d}-{record['outcome']}"
    stem.with_suffix(".py").write_bytes(data)
    stem.with_suffix(".json").write_text(json.dumps(record, indent=2))


def _print_figures(records: list[dict], args) -> None:
    by_kind = Counter(r["kind"] for r in records)
    outcomes = Counter(r["outcome"] for r in records)
    failures = [r for r in records if r["outcome"] in ("crash", "hang", "died", "cli")]
    times = sorted(r["seconds"] for r in records)
    p99 = times[int(len(times) * 0.99)] if times else 0
    print(f"rnnlint fuzz: {len(records)} inputs in {args.minutes:g} min (seed {args.seed}, "
          f"hang bound {args.per_input:g} s)")
    print("  inputs by generator: " + ", ".join(
        f"{k} {v} (mean {sum(r['seconds'] for r in records if r['kind'] == k) / v:.3f} s)"
        for k, v in sorted(by_kind.items())))
    print("  outcomes: " + ", ".join(f"{k} {v}" for k, v in sorted(outcomes.items())))
    print(f"  through the CLI: {sum(1 for r in records if r.get('cli'))}")
    print(f"  time per input: median {times[len(times) // 2] if times else 0:.3f} s, p99 {p99:.3f} s, "
          f"max {times[-1] if times else 0:.3f} s")
    print(f"  failures: {len(failures)}" + (f" (saved under {args.out})" if failures else ""))
    for r in failures[:20]:
        print(f"    #{r['index']} {r['outcome']} {r['kind']} {r['origin']}: {r['detail'].strip().splitlines()[-1:]}")


if __name__ == "__main__":
    sys.exit(main())
