"""rnnlint's benchmarks: every figure a ratio against a baseline measured in the same run.

    .venv/bin/python benchmarks/run.py            # full run (~8 min on 2 noisy cores), writes RESULTS.md
    .venv/bin/python benchmarks/run.py --quick    # smaller samples, fewer repetitions (~2 min)
    .venv/bin/python benchmarks/run.py --only startup,size   # some sections, printed, RESULTS.md untouched

The machine is shared and noisy, so no absolute time is compared across runs: each repetition times
rnnlint and its baseline back to back (alternating which goes first) and the ratio of the two is the
figure; the report gives the median ratio and its range over the repetitions. The corpus is built by
benchmarks/make_corpus.py (run here first if it is missing); the CLI runs on copies of the sampled
files in a temporary folder outside the repository, so no project config, .gitignore or cache of the
checkout changes what is measured.

Sections (names for --only): inproc, cli, parallel, cache, startup, memory, peer, size, count, profile.
"""

from __future__ import annotations

import argparse
import datetime
import gc
import json
import math
import os
import platform
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
CORPUS = HERE / "corpus"
SECTIONS = ("inproc", "cli", "parallel", "cache", "startup", "memory", "peer", "size", "count", "profile",
            "pathological")
PEER_VENV = Path(os.environ.get("RNNLINT_PEER_VENV", "/tmp/rnnlint-peer-venv"))
PY = sys.executable
# Children run as an installed package would: with bytecode cached. This environment sets
# PYTHONDONTWRITEBYTECODE=1, which would recompile rnnlint (not libcst, whose .pyc ship installed) at
# every start; the cache goes under /tmp so nothing is written into the checkout.
PYCACHE = Path(tempfile.gettempdir()) / "rnnlint-bench-pycache"
CHILD_ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
CHILD_ENV["PYTHONPYCACHEPREFIX"] = str(PYCACHE)
NO_BYTECODE_ENV = {k: v for k, v in os.environ.items() if k != "PYTHONPYCACHEPREFIX"}
NO_BYTECODE_ENV["PYTHONDONTWRITEBYTECODE"] = "1"
# children start here unless told otherwise: never in the checkout, whose rnnlint/ would shadow the
# snapshot (`python -c` and `-m` put the working directory first on sys.path)
DEFAULT_CWD: list[str] = []

PARSE_SNIPPET = """
import sys, libcst
for p in sys.argv[1:]:
    libcst.parse_module(open(p, encoding='utf-8').read())
"""
ENGINE_SNIPPET = """
import sys
from rnnlint.engine import lint_file
for p in sys.argv[1:]:
    lint_file(p)
"""


# ---------------------------------------------------------------------------------------------
# measuring


class Ratio:
    """Per-repetition ratios of a measurement to its baseline, and their summary."""

    def __init__(self, values: list[float]) -> None:
        self.values = [v for v in values if v == v]

    @property
    def median(self) -> float:
        return statistics.median(self.values) if self.values else float("nan")

    def text(self, unit: str = "x", digits: int = 2) -> str:
        if not self.values:
            return "n/a"
        lo, hi = min(self.values), max(self.values)
        return f"{self.median:.{digits}f}{unit} (range {lo:.{digits}f}-{hi:.{digits}f}, n={len(self.values)})"


def run_child(cmd: list[str], cwd: str | None = None, timeout: float = 600,
              env: dict | None = None) -> dict:
    """Run a command; wall time, exit code, peak RSS (ru_maxrss of this child only) and output."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        cwd = cwd or (DEFAULT_CWD[0] if DEFAULT_CWD else None)
        proc = subprocess.Popen(cmd, cwd=cwd, stdout=out, stderr=err, env=CHILD_ENV if env is None else env)
        timer = threading.Timer(timeout, proc.kill)
        timer.start()
        try:
            _, status, usage = os.wait4(proc.pid, 0)
        finally:
            timer.cancel()
        wall = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        return {"wall": wall, "rc": proc.returncode, "maxrss_mb": usage.ru_maxrss / 1024,
                "stdout": out.read().decode("utf-8", "replace"), "stderr": err.read().decode("utf-8", "replace"),
                "timed_out": wall >= timeout and proc.returncode < 0}


def paired(reps: int, first, second) -> tuple[list[float], list[float]]:
    """Time two callables `reps` times, alternating which runs first; returns both time lists."""
    a_times, b_times = [], []
    for rep in range(reps):
        order = (0, 1) if rep % 2 == 0 else (1, 0)
        for which in order:
            gc.collect()
            start = time.perf_counter()
            (first if which == 0 else second)()
            (a_times if which == 0 else b_times).append(time.perf_counter() - start)
    return a_times, b_times


def loglog_slope(xs: list[float], ys: list[float]) -> float:
    lx = [math.log(x) for x in xs]
    ly = [math.log(y) for y in ys]
    mx, my = statistics.fmean(lx), statistics.fmean(ly)
    den = sum((x - mx) ** 2 for x in lx)
    return sum((x - mx) * (y - my) for x, y in zip(lx, ly)) / den if den else float("nan")


def linear_fit(xs: list[float], ys: list[float]) -> tuple[float, float]:
    """Least squares y = a + b x."""
    mx, my = statistics.fmean(xs), statistics.fmean(ys)
    den = sum((x - mx) ** 2 for x in xs)
    b = sum((x - mx) * (y - my) for x, y in zip(xs, ys)) / den if den else float("nan")
    return my - b * mx, b


# ---------------------------------------------------------------------------------------------
# the corpus and the CLI


def ensure_corpus() -> None:
    if not (CORPUS / "MANIFEST").exists():
        print("run: corpus missing; building it (benchmarks/make_corpus.py)", file=sys.stderr)
        sys.path.insert(0, str(HERE))
        import make_corpus
        make_corpus.build(3000, 7)


def sample(folder: str, count: int, seed: int = 1) -> list[Path]:
    """A seeded sample, stratified by size: sort by size, take evenly spaced files."""
    files = sorted((CORPUS / folder).rglob("*.py"))
    files = [f for f in files if f.stat().st_size > 0]
    if count >= len(files):
        return files
    files.sort(key=lambda f: (f.stat().st_size, f.name))
    step = len(files) / count
    offset = random.Random(seed).random() * step
    return sorted(files[int(offset + i * step)] for i in range(count))


def lines_of(paths) -> int:
    return sum(p.read_bytes().count(b"\n") for p in paths)


class Cli:
    """How to call `rnnlint check`, with whichever of the parallel/cache options exist today."""

    def __init__(self) -> None:
        script = Path(PY).parent / "rnnlint"
        self.base = [str(script)] if script.exists() else [PY, "-m", "rnnlint"]
        done = run_child(self.base + ["check", "--help"], timeout=60)
        self.help = done["stdout"]
        self.jobs_flag = next((f for f in ("--jobs", "-j") if re.search(rf"(^|\s|,){re.escape(f)}\b", self.help)),
                              None)
        self.no_cache = "--no-cache" in self.help
        self.cache_dir = "--cache-dir" in self.help
        self.cache = self.no_cache or self.cache_dir or re.search(r"--cache\b", self.help) is not None
        self.broken: str | None = None

    def cmd(self, files, jobs: int | None = 1, cache: bool = False, cache_dir: str | None = None) -> list[str]:
        cmd = self.base + ["check", "-q"]
        if self.jobs_flag and jobs is not None:
            cmd += [self.jobs_flag, str(jobs)]
        if self.no_cache and not cache:
            cmd.append("--no-cache")
        if cache and self.cache_dir and cache_dir:
            cmd += ["--cache-dir", cache_dir]
        return cmd + [str(f) for f in files]

    def run(self, files, cwd: str, env: dict | None = None, **kw) -> dict:
        done = run_child(self.cmd(files, **kw), cwd=cwd, env=env)
        if done["rc"] not in (0, 1) and self.broken is None:
            tail = [line for line in done["stderr"].strip().splitlines() if line.strip()]
            self.broken = f"exit {done['rc']}: {tail[-1].strip() if tail else '(no stderr)'}"
        return done


def copy_to(workspace: Path, name: str, files: list[Path]) -> list[Path]:
    folder = workspace / name
    folder.mkdir(parents=True, exist_ok=True)
    out = []
    for i, f in enumerate(files):
        target = folder / f"{i:04d}_{f.name}"
        shutil.copyfile(f, target)
        out.append(target)
    return out


# ---------------------------------------------------------------------------------------------
# sections: each returns rows (metric, measured, target, verdict) and extra markdown


class Report:
    def __init__(self) -> None:
        self.rows: list[tuple[str, str, str, str, str]] = []
        self.sections: list[str] = []

    def row(self, metric: str, measured: str, target: str = "", verdict: str = "", section: str = "") -> None:
        self.rows.append((metric, measured, target, verdict, section))
        print(f"  {metric}: {measured}" + (f"  [target {target}: {verdict}]" if target else ""), flush=True)

    def add(self, markdown: str) -> None:
        self.sections.append(markdown)


def verdict(value: float, limit: float) -> str:
    if value != value:
        return "not measured"
    return "met" if value <= limit else "MISSED"


def sec_inproc(ctx, rep: Report) -> None:
    import libcst
    from rnnlint.engine import lint_source
    from rnnlint.catalog import default_catalog
    default_catalog()
    table = ["| corpus | files | lines | parse lines/s (median) | lint lines/s (median) | files with findings "
             "| pre-filter skipped | lint / parse |", "|---|---|---|---|---|---|---|---|"]
    for label, folder, count in (("generated", "generated", ctx.n_gen), ("keras_src", "keras_src", ctx.n_keras),
                                 ("fixtures", "fixtures", 1000)):
        files = sample(folder, count)
        texts = [(str(f), f.read_text(encoding="utf-8", errors="replace")) for f in files]
        lines = sum(t.count("\n") for _, t in texts)
        words = ("keras", "tensorflow", "sklearn", "Normalization")
        skipped = sum(1 for _, t in texts if not any(w in t for w in words))
        with_findings = sum(1 for p, t in texts if lint_source(p, t).findings)  # also warms up

        def parse_all():
            for _, t in texts:
                try:
                    libcst.parse_module(t)
                except Exception:
                    pass

        def lint_all():
            for p, t in texts:
                lint_source(p, t)

        t_lint, t_parse = paired(ctx.reps, lint_all, parse_all)
        ratio = Ratio([a / b for a, b in zip(t_lint, t_parse)])
        ctx.inproc[label] = ratio
        table.append(f"| {label} | {len(texts)} | {lines} | {lines / statistics.median(t_parse):,.0f} | "
                     f"{lines / statistics.median(t_lint):,.0f} | {with_findings} | {skipped} | {ratio.text()} |")
        target = "<= 1x" if label != "fixtures" else ""  # issue 14: lint faster than libcst alone parses
        rep.row(f"engine in-process / libcst.parse_module, {label} sample", ratio.text(),
                target, verdict(ratio.median, 1.0) if target else "", "inproc")
    rep.add("### In-process engine vs bare parse (one process, all rules, no cache)\n\n"
            "`lint_source(path, text)` (parse + facts + data flow + all checks + positions + suppressions) "
            "against `libcst.parse_module(text)` on the same texts, already in memory.\n\n" + "\n".join(table))


def sec_cli(ctx, rep: Report) -> None:
    cli, files = ctx.cli, ctx.cli_files
    t_cli, t_parse, t_engine = [], [], []
    for r in range(ctx.proc_reps):
        order = [0, 1, 2] if r % 2 == 0 else [2, 1, 0]
        for which in order:
            if which == 0:
                done = cli.run(files, cwd=str(ctx.workspace), jobs=1)
                t_cli.append(done["wall"])
            elif which == 1:
                t_parse.append(run_child([PY, "-c", PARSE_SNIPPET, *map(str, files)])["wall"])
            else:
                t_engine.append(run_child([PY, "-c", ENGINE_SNIPPET, *map(str, files)])["wall"])
    engine = Ratio([a / b for a, b in zip(t_engine, t_parse)])
    rep.row(f"engine process (lint_file loop) / parse process, {len(files)} generated files",
            engine.text(), "<= 2x", verdict(engine.median, 2.0), "cli")
    if cli.broken:
        rep.row("CLI `rnnlint check` one process / parse process", f"not measured: CLI failed ({cli.broken})",
                "<= 2x", "not measured", "cli")
        return
    ratio = Ratio([a / b for a, b in zip(t_cli, t_parse)])
    how = f"{cli.jobs_flag} 1" if cli.jobs_flag else "default options (no jobs option: the runner may use a pool)"
    rep.row(f"CLI `rnnlint check` ({how}{', --no-cache' if cli.no_cache else ''}) / parse process, "
            f"{len(files)} files", ratio.text(), "<= 2x", verdict(ratio.median, 2.0), "cli")


def sec_parallel(ctx, rep: Report) -> None:
    cli = ctx.cli
    if not cli.jobs_flag:
        rep.row("all cores / one process (CLI)", "not available: `rnnlint check --help` has no --jobs/-j option",
                f"~{ctx.nproc}x", "not measured", "parallel")
        return
    t_one, t_all = [], []
    for r in range(ctx.proc_reps):
        for jobs in ((1, ctx.nproc) if r % 2 == 0 else (ctx.nproc, 1)):
            done = cli.run(ctx.cli_files, cwd=str(ctx.workspace), jobs=jobs)
            (t_one if jobs == 1 else t_all).append(done["wall"])
    if cli.broken:
        rep.row("all cores / one process (CLI)", f"not measured: CLI failed ({cli.broken})", "", "", "parallel")
        return
    speedup = Ratio([a / b for a, b in zip(t_one, t_all)])
    rep.row(f"parallel speed-up, {cli.jobs_flag} {ctx.nproc} vs {cli.jobs_flag} 1 ({len(ctx.cli_files)} files)",
            speedup.text(), f">= {0.8 * ctx.nproc:.1f}x (80% of {ctx.nproc} cores)",
            "met" if speedup.median >= 0.8 * ctx.nproc else "MISSED", "parallel")


def sec_cache(ctx, rep: Report) -> None:
    cli = ctx.cli
    if not cli.cache:
        rep.row("warm cache / cold run (CLI)", "not available: `rnnlint check --help` has no cache option",
                "<= 0.10", "not measured", "cache")
        return
    ratios, net = [], []
    for r in range(ctx.proc_reps):
        run_dir = ctx.workspace / f"cache_run_{r}"
        if run_dir.exists():
            shutil.rmtree(run_dir)
        run_dir.mkdir()
        for stale in ctx.workspace.rglob(".rnnlint_cache"):
            shutil.rmtree(stale, ignore_errors=True)
        kw = dict(jobs=1, cache=True, cache_dir=str(run_dir / "cache"))
        cold = cli.run(ctx.cli_files, cwd=str(run_dir), **kw)["wall"]
        warm = cli.run(ctx.cli_files, cwd=str(run_dir), **kw)["wall"]
        # the process floor: the same command over an empty folder (start-up, catalog, no files)
        empty = run_dir / "empty"
        empty.mkdir()
        floor = run_child(cli.cmd([empty], jobs=1, cache=True, cache_dir=str(run_dir / "cache")),
                          cwd=str(run_dir))["wall"]
        ratios.append(warm / cold)
        net.append(max(warm - floor, 0.0) / max(cold - floor, 1e-9))
    if cli.broken:
        rep.row("warm cache / cold run (CLI)", f"not measured: CLI failed ({cli.broken})", "<= 0.10",
                "not measured", "cache")
        return
    ratio = Ratio(ratios)
    rep.row(f"warm-cache re-run / cold run, {len(ctx.cli_files)} files", ratio.text("", 3), "<= 0.10",
            verdict(ratio.median, 0.10), "cache")
    rep.row("same, each minus the process floor (the command over an empty folder)", Ratio(net).text("", 3),
            "", "", "cache")


PHASES_SNIPPET = r"""
import json, sys, time
t0 = time.perf_counter(); import libcst; t1 = time.perf_counter()
import yaml; t2 = time.perf_counter()
import rnnlint.cli; t3 = time.perf_counter()
from rnnlint.catalog import default_catalog; from rnnlint.engine import lint_source; t4 = time.perf_counter()
default_catalog(); t5 = time.perf_counter()
from rnnlint.checks import load_checks; load_checks(); t6 = time.perf_counter()
text = open(sys.argv[1], encoding='utf-8').read()
libcst.parse_module(text); t7 = time.perf_counter()
lint_source(sys.argv[1], text); t8 = time.perf_counter()
lint_source(sys.argv[1], text); t9 = time.perf_counter()
print(json.dumps({"import libcst": t1 - t0, "import yaml": t2 - t1, "import rnnlint.cli": t3 - t2,
  "import rnnlint.engine (+catalog, checks registry, facts)": t4 - t3, "default_catalog() (YAML load)": t5 - t4,
  "load_checks() (import all check modules)": t6 - t5, "parse_module(file)": t7 - t6,
  "first lint_source(file)": t8 - t7, "second lint_source(file)": t9 - t8}))
"""


def sec_startup(ctx, rep: Report) -> None:
    cli, one = ctx.cli, ctx.one_file
    t_cli, t_lib, t_bare, t_nobc = [], [], [], []
    for r in range(ctx.start_reps):
        order = [0, 1, 2] if r % 2 == 0 else [2, 1, 0]
        for which in order:
            if which == 0:
                t_cli.append(cli.run([one], cwd=str(ctx.workspace), jobs=None)["wall"])
            elif which == 1:
                t_lib.append(run_child([PY, "-c", "import libcst"])["wall"])
            else:
                t_bare.append(run_child([PY, "-c", "pass"])["wall"])
                t_nobc.append(cli.run([one], cwd=str(ctx.workspace), jobs=None, env=NO_BYTECODE_ENV)["wall"])
    lines = one.read_bytes().count(b"\n")
    if cli.broken:
        rep.row("cold start CLI / `python -c 'import libcst'`", f"not measured: CLI failed ({cli.broken})",
                "<= 1.5x", "not measured", "startup")
    else:
        ratio = Ratio([a / b for a, b in zip(t_cli, t_lib)])
        rep.row(f"cold start `rnnlint check` one {lines}-line file / `python -c 'import libcst'`", ratio.text(),
                "<= 1.5x", verdict(ratio.median, 1.5), "startup")
        rep.row("same, as this checkout runs it (PYTHONDONTWRITEBYTECODE=1: rnnlint recompiled at each start)",
                Ratio([a / b for a, b in zip(t_nobc, t_lib)]).text(), "", "", "startup")
        rep.row("`python -c 'import libcst'` / `python -c pass`",
                Ratio([a / b for a, b in zip(t_lib, t_bare)]).text(), "", "", "startup")
    phases = [json.loads(run_child([PY, "-c", PHASES_SNIPPET, str(one)])["stdout"]) for _ in range(3)]
    table = ["| phase (one process, in order) | median ms | share of `import libcst` |", "|---|---|---|"]
    base = statistics.median(p["import libcst"] for p in phases)
    for key in phases[0]:
        value = statistics.median(p[key] for p in phases)
        table.append(f"| {key} | {value * 1000:.0f} | {value / base:.2f} |")
    imp = run_child([PY, "-X", "importtime", "-m", "rnnlint", "check", "-q", str(one)], cwd=str(ctx.workspace))
    entries = []
    for line in imp["stderr"].splitlines():
        m = re.match(r"import time:\s+(\d+) \|\s+(\d+) \|( *)(\S+)", line)
        if m:
            entries.append((int(m.group(2)), int(m.group(1)), len(m.group(3)) // 2, m.group(4)))
    top = sorted(entries, reverse=True)[:15]
    by_pkg: dict[str, int] = {}
    for _, self_us, _, name in entries:
        by_pkg[name.split(".")[0]] = by_pkg.get(name.split(".")[0], 0) + self_us
    imp_table = ["| module | cumulative ms | self ms | nesting |", "|---|---|---|---|"]
    imp_table += [f"| `{n}` | {c / 1000:.1f} | {s / 1000:.1f} | {d} |" for c, s, d, n in top]
    pkg_table = ["| top-level package | self ms (sum) |", "|---|---|"]
    pkg_table += [f"| `{k}` | {v / 1000:.1f} |" for k, v in sorted(by_pkg.items(), key=lambda kv: -kv[1])[:10]]
    ours = sorted((e for e in entries if e[3].split(".")[0] == "rnnlint"), key=lambda e: -e[1])[:10]
    ours_table = ["| rnnlint module | self ms | cumulative ms |", "|---|---|---|"]
    ours_table += [f"| `{n}` | {s / 1000:.1f} | {c / 1000:.1f} |" for c, s, d, n in ours]
    heavy = [n for n in ("tensorflow", "numpy", "keras", "pandas") if n in by_pkg]
    rep.row("heavy packages imported by `rnnlint check`", ", ".join(heavy) or "none (no tensorflow/numpy/keras)",
            "none", "met" if not heavy else "MISSED", "startup")
    rep.add(f"### Cold start\n\nOne file: `{one.relative_to(ctx.workspace)}` ({lines} lines, a generated script "
            f"with findings). Phases timed inside one fresh process (median of 3):\n\n" + "\n".join(table)
            + "\n\n`python -X importtime -m rnnlint check -q FILE`, top entries by cumulative time:\n\n"
            + "\n".join(imp_table) + "\n\nSelf import time summed by top-level package:\n\n" + "\n".join(pkg_table)
            + "\n\nrnnlint's own modules by self import time:\n\n" + "\n".join(ours_table))


def sec_memory(ctx, rep: Report) -> None:
    big = ctx.memory_file
    files = [*ctx.cli_files, big]
    lines = lines_of(files)
    parse = run_child([PY, "-c", PARSE_SNIPPET, *map(str, files)])
    engine = run_child([PY, "-c", ENGINE_SNIPPET, *map(str, files)])
    base = run_child([PY, "-c", "import rnnlint.engine, libcst"])
    big_lines = big.read_bytes().count(b"\n")
    rep.row(f"peak RSS, engine over {len(files)} files ({lines} lines, incl. a {big_lines}-line file)",
            f"{engine['maxrss_mb']:.0f} MB (parse only: {parse['maxrss_mb']:.0f} MB, ratio "
            f"{engine['maxrss_mb'] / parse['maxrss_mb']:.2f}x; imports alone: {base['maxrss_mb']:.0f} MB)",
            "", "", "memory")
    if not ctx.cli.broken:
        done = ctx.cli.run(files, cwd=str(ctx.workspace), jobs=1)
        if not ctx.cli.broken:
            rep.row("peak RSS, CLI one process over the same files", f"{done['maxrss_mb']:.0f} MB", "", "", "memory")
    small = run_child([PY, "-c", ENGINE_SNIPPET, *map(str, ctx.cli_files)])
    rep.row(f"peak RSS, engine over the {len(ctx.cli_files)} files without the {big_lines}-line file",
            f"{small['maxrss_mb']:.0f} MB (peak follows the largest file, not the file count)", "", "", "memory")


def _peer_pylint(ctx) -> tuple[list[str] | None, str]:
    pylint = PEER_VENV / "bin" / "pylint"
    if not pylint.exists():
        try:
            subprocess.run([sys.executable, "-m", "venv", str(PEER_VENV)], check=True, capture_output=True, timeout=120)
            subprocess.run([str(PEER_VENV / "bin" / "pip"), "install", "-q", "pylint"], check=True,
                           capture_output=True, timeout=300)
        except (subprocess.SubprocessError, OSError) as exc:
            return None, f"pylint not installable into {PEER_VENV}: {exc}"
    base = [str(pylint), "--jobs=1", "--persistent=n", "--score=n", "--reports=n"]
    probe = run_child(base + ["--load-plugins=dslinter", str(ctx.one_file)], timeout=120)
    if "Traceback" in probe["stderr"] or "ImportError" in probe["stderr"] or probe["rc"] & 32 or probe["rc"] < 0:
        tail = [line for line in probe["stderr"].splitlines() if "Error" in line]
        return base, f"pylint alone (dslinter plugin failed to load: {tail[-1].strip() if tail else 'rc ' + str(probe['rc'])})"
    return base + ["--load-plugins=dslinter"], "pylint + dslinter plugin"


def sec_peer(ctx, rep: Report) -> None:
    cmd, what = _peer_pylint(ctx)
    if cmd is None:
        rep.row("peer pylint / rnnlint", f"not available: {what}", "", "", "peer")
        return
    version = run_child([cmd[0], "--version"])["stdout"].split("\n")[0]
    files = ctx.cli_files[: ctx.n_peer]
    t_peer, t_ours = [], []
    for r in range(2):
        for which in ((0, 1) if r % 2 == 0 else (1, 0)):
            if which == 0:
                t_peer.append(run_child(cmd + list(map(str, files)), cwd=str(ctx.workspace))["wall"])
            elif ctx.cli.broken:
                t_ours.append(run_child([PY, "-c", ENGINE_SNIPPET, *map(str, files)])["wall"])
            else:
                t_ours.append(ctx.cli.run(files, cwd=str(ctx.workspace), jobs=1)["wall"])
    ours = "engine process" if ctx.cli.broken else "rnnlint CLI one process"
    ratio = Ratio([a / b for a, b in zip(t_peer, t_ours)])
    rep.row(f"{what} ({version}, all default checks, --jobs=1) / {ours}, {len(files)} files", ratio.text(),
            "", "", "peer")


SIZE_SNIPPET = r"""
import gc, json, sys, time, libcst
from rnnlint.engine import lint_source
lint_source("warm.py", "import keras\nm = keras.Sequential([keras.layers.LSTM(4)])\nm.compile('sgd', 'mse')\n")
path, reps = sys.argv[1], int(sys.argv[2])
text = open(path, encoding="utf-8").read()
out = {"parse": [], "lint": []}
for r in range(reps):
    for which in (("parse", "lint") if r % 2 == 0 else ("lint", "parse")):
        gc.collect(); t = time.perf_counter()
        libcst.parse_module(text) if which == "parse" else lint_source(path, text)
        out[which].append(time.perf_counter() - t)
print(json.dumps(out))
"""


def sec_size(ctx, rep: Report) -> None:
    rows, xs, y_lint, y_parse = [], [], [], []
    table = ["| lines | parse s (median) | lint s (median) | lint / parse (median, range) | lint µs/line |",
             "|---|---|---|---|---|"]
    for path in sorted((CORPUS / "scaling").glob("lines_*.py")):
        if int(path.stem.split("_")[1]) > ctx.size_max:
            continue
        lines = path.read_bytes().count(b"\n")
        reps = ctx.size_reps if lines <= 5000 else min(ctx.size_reps, 2)
        done = run_child([PY, "-c", SIZE_SNIPPET, str(path), str(reps)], timeout=ctx.size_timeout)
        if done["rc"] != 0:
            why = "timed out" if done["timed_out"] else f"exit {done['rc']}"
            table.append(f"| {lines} | - | {why} after {done['wall']:.0f}s | - | - |")
            rows.append(lines)
            continue
        data = json.loads(done["stdout"])
        lint, parse = statistics.median(data["lint"]), statistics.median(data["parse"])
        ratio = Ratio([a / b for a, b in zip(data["lint"], data["parse"])])
        xs.append(lines), y_lint.append(lint), y_parse.append(parse)
        table.append(f"| {lines} | {parse:.3f} | {lint:.3f} | {ratio.text()} | {lint / lines * 1e6:.0f} |")
    slope_l = loglog_slope(xs, y_lint) if len(xs) >= 2 else float("nan")
    slope_p = loglog_slope(xs, y_parse) if len(xs) >= 2 else float("nan")
    rep.row("time vs file size, log-log slope (lint; parse)", f"{slope_l:.2f}; {slope_p:.2f} "
            f"({min(xs) if xs else '-'}-{max(xs) if xs else '-'} lines)", "lint <= 1.15 (linear)",
            verdict(slope_l, 1.15), "size")
    rep.row("time vs file size, slope of lint minus slope of parse (what our analysis adds)",
            f"{slope_l - slope_p:+.2f}", "<= +0.10", verdict(slope_l - slope_p, 0.10), "size")
    rep.add("### Scaling with file size\n\nOne file of concatenated generated scripts per size "
            f"(`benchmarks/corpus/scaling/`), each in a fresh process, {ctx.size_reps} alternating repetitions "
            "(2 above 5,000 lines). "
            f"Log-log slope of time against lines: lint {slope_l:.2f}, parse {slope_p:.2f} (1.0 is linear, "
            "2.0 quadratic).\n\n" + "\n".join(table))


def sec_count(ctx, rep: Report) -> None:
    script = ctx.one_file
    counts = ctx.counts
    folder = ctx.workspace / "count"
    folder.mkdir(exist_ok=True)
    copies = []
    for i in range(max(counts)):
        target = folder / f"copy_{i:04d}.py"
        shutil.copyfile(script, target)
        copies.append(target)
    use_cli = not ctx.cli.broken
    table = ["| files | engine process s (median) | s per file |" + (" CLI s (median) | s per file |" if use_cli else ""),
             "|---|---|---|" + ("---|---|" if use_cli else "")]
    y_engine, y_cli = [], []
    for k in counts:
        files = copies[:k]
        eng = statistics.median(run_child([PY, "-c", ENGINE_SNIPPET, *map(str, files)])["wall"]
                                for _ in range(ctx.count_reps))
        y_engine.append(eng)
        row = f"| {k} | {eng:.2f} | {eng / k:.3f} |"
        if use_cli:
            c = statistics.median(ctx.cli.run(files, cwd=str(ctx.workspace), jobs=1)["wall"]
                                  for _ in range(ctx.count_reps))
            y_cli.append(c)
            row += f" {c:.2f} | {c / k:.3f} |"
        table.append(row)
    # Total time against count on log-log, from 4 files up: the fixed start-up pulls it below 1, a
    # per-file cost that grows with the count (a quadratic step) pushes it above. Subtracting a fitted
    # fixed cost first was tried and is too sensitive to noise on this machine.
    a, b = linear_fit(counts, y_engine)
    big = [i for i, k in enumerate(counts) if k >= 4]
    slope = loglog_slope([counts[i] for i in big], [y_engine[i] for i in big])
    rep.row("time vs file count, engine process: linear fit; log-log slope of total time (>= 4 files)",
            f"{a:.2f}s + {b * 1000:.0f} ms/file; slope {slope:.2f}", "<= 1.15 (not superlinear)",
            verdict(slope, 1.15), "count")
    script_lines = script.read_bytes().count(b"\n")
    text = (f"### Scaling with file count\n\nCopies of one {script_lines}-line script, median of {ctx.count_reps} runs each. Linear fit of the engine process: "
            f"{a:.2f} s fixed + {b * 1000:.0f} ms per file; log-log slope of total time vs count (>= 4 files): {slope:.2f}.")
    if use_cli and len(y_cli) == len(counts):
        ca, cb = linear_fit(counts, y_cli)
        cslope = loglog_slope([counts[i] for i in big], [y_cli[i] for i in big])
        rep.row("time vs file count, CLI one process", f"{ca:.2f}s + {cb * 1000:.0f} ms/file; slope {cslope:.2f}",
                "<= 1.15 (not superlinear)", verdict(cslope, 1.15), "count")
        text += f" CLI: {ca:.2f} s fixed + {cb * 1000:.0f} ms per file, slope {cslope:.2f}."
    rep.add(text + "\n\n" + "\n".join(table))


def sec_profile(ctx, rep: Report) -> None:
    sys.path.insert(0, str(HERE))
    import profile_lint
    files = sample("generated", ctx.n_profile, seed=3)
    markdown, summary = profile_lint.profile(files)
    for metric, value in summary:
        rep.row(metric, value, "", "", "profile")
    rep.add(markdown)


# ---------------------------------------------------------------------------------------------


class Context:
    def __init__(self, quick: bool, workspace: Path) -> None:
        self.quick = quick
        self.workspace = workspace
        self.nproc = os.cpu_count() or 1
        self.reps = 3 if quick else 5  # in-process pairs
        self.proc_reps = 3  # process-level pairs (CLI, parallel, cache)
        self.start_reps = 5 if quick else 11
        self.n_gen = 10 if quick else 30
        self.n_keras = 8 if quick else 20
        self.n_cli = 8 if quick else 20
        self.n_peer = 3 if quick else 10
        self.n_profile = 12 if quick else 40
        self.size_reps = 2 if quick else 3
        self.size_max = 3000 if quick else 20000
        self.size_timeout = 120 if quick else 300
        self.memory_file = CORPUS / "scaling" / ("lines_03000.py" if quick else "lines_20000.py")
        self.counts = [1, 4, 16] if quick else [1, 4, 16, 48]
        self.count_reps = 1 if quick else 2
        self.inproc: dict[str, Ratio] = {}
        self.load_start = load_average()
        self.header = versions()  # at the start: the commit the snapshot was taken from
        self.cli = Cli()
        self.cli_files = copy_to(workspace, "cli", sample("generated", self.n_cli, seed=2))
        self.one_file = self._one_file()

    def _one_file(self) -> Path:
        """A generated script of about 200 lines that has findings (so positions are resolved)."""
        from rnnlint.engine import lint_file
        candidates = sorted(sample("generated", 200, seed=5), key=lambda f: abs(f.read_bytes().count(b"\n") - 200))
        for f in candidates[:30]:
            if lint_file(f).findings:
                return copy_to(self.workspace, "one", [f])[0]
        return copy_to(self.workspace, "one", candidates[:1])[0]


def _lines_file(workspace: Path, lines: int) -> Path:
    """One file of whole generated scripts (never cut, so it parses), concatenated until it has at
    least `lines` lines."""
    out: list[str] = []
    for path in sorted((CORPUS / "generated").glob("*.py")):
        out += path.read_text(encoding="utf-8").splitlines()
        if len(out) >= lines:
            break
    target = workspace / f"pathological_{lines}.py"
    target.write_text("\n".join(out) + "\n", encoding="utf-8")
    return target


def sec_pathological(ctx, rep: Report) -> None:
    """The inputs that were superlinear on the libcst engine: a 1 MB list literal and a 50,000-line
    file, each linted by the CLI in a fresh process (3 runs, median), against `ast.parse` of the same
    text in a fresh process."""
    import random
    rng = random.Random(7)
    floats = ", ".join(f"{rng.random():.6f}" for _ in range(120_000))
    big_list = ctx.workspace / "pathological_list.py"
    big_list.write_text(f"import numpy as np\nx = np.array([{floats}])\n", encoding="utf-8")
    files = {"1 MB list literal": big_list, "10,000 lines": _lines_file(ctx.workspace, 10_000),
             "50,000 lines": _lines_file(ctx.workspace, 50_000)}
    lint, parse = {}, {}
    for name, path in files.items():
        lint[name] = statistics.median(run_child(ctx.cli.cmd([path]))["wall"] for _ in range(3))
        parse[name] = statistics.median(run_child([PY, "-c", f"import ast; ast.parse(open({str(path)!r}).read())"])["wall"]
                                        for _ in range(3))
    rep.row("`rnnlint check --no-cache` of a 1 MB list literal of floats (120,000 items), fresh process",
            f"{lint['1 MB list literal']:.2f} s (ast.parse in a fresh process: {parse['1 MB list literal']:.2f} s)",
            "< 2 s", "met" if lint["1 MB list literal"] < 2 else "MISSED", "pathological")
    counts = {name: path.read_bytes().count(b"\n") for name, path in files.items()}
    per_line = (lint["50,000 lines"] / counts["50,000 lines"]) / (lint["10,000 lines"] / counts["10,000 lines"])
    rep.row(f"{counts['50,000 lines']:,}-line file: time per line / {counts['10,000 lines']:,}-line file's "
            "(whole generated scripts; fresh processes, start-up included)",
            f"{per_line:.2f}x ({lint['10,000 lines']:.2f} s and {lint['50,000 lines']:.2f} s)", "<= 1.15 (linear)",
            verdict(per_line, 1.15), "pathological")


def versions() -> list[str]:
    import importlib.metadata
    import rnnlint
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    try:
        commit = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"], capture_output=True,
                                text=True).stdout.strip()
        dirty = subprocess.run(["git", "-C", str(ROOT), "status", "--porcelain", "--", "rnnlint", "rules"],
                               capture_output=True, text=True).stdout.strip()
        commit += " + uncommitted changes in rnnlint/ or rules/" if dirty else ""
    except OSError:
        commit = "unknown"
    try:
        import yaml
        yaml_v = f"{yaml.__version__} ({'C loader' if hasattr(yaml, 'CSafeLoader') else 'pure Python'})"
    except ImportError:
        yaml_v = "missing"
    return [f"- Date: {datetime.datetime.now(datetime.timezone.utc).strftime('%Y-%m-%d %H:%M UTC')}",
            f"- Machine: {os.cpu_count()} cores (nproc), CPU: {cpu}, {platform.system()} {platform.release()}",
            f"- Python {platform.python_version()}, libcst {importlib.metadata.version('libcst')}, "
            f"PyYAML {yaml_v}, rnnlint {rnnlint.__version__} at {commit}"]


def load_average() -> str:
    try:
        return "/".join(f"{x:.1f}" for x in os.getloadavg())
    except OSError:
        return "unknown"


def write_results(path: Path, ctx: Context, rep: Report, seconds: float, mode: str) -> None:
    corpus = {}
    for row in (CORPUS / "MANIFEST").read_text().splitlines():
        kind, _, lines, _, _ = row.split("\t")
        corpus.setdefault(kind, [0, 0])
        corpus[kind][0] += 1
        corpus[kind][1] += int(lines)
    cmd = {"inproc": "inproc", "cli": "cli", "parallel": "parallel", "cache": "cache", "startup": "startup",
           "memory": "memory", "peer": "peer", "size": "size", "count": "count", "profile": "profile",
           "pathological": "pathological"}
    lines = ["# rnnlint benchmark results", "",
             "Generated by `benchmarks/run.py`; do not edit by hand. Every figure is a ratio of two timings "
             "taken back to back in the same run (alternating order), given as the median over the "
             "repetitions with its range: the machine is shared and noisy, absolute times are not comparable "
             "between runs.", "", *ctx.header,
             f"- Measured on a snapshot of rnnlint/ and rules/ taken at the start (sha256 {ctx.tree}), so "
             "concurrent edits to the checkout cannot change the code mid-run",
             f"- Mode: {mode}; whole run took {seconds / 60:.1f} min; load average (1/5/15 min) at the start "
             f"{ctx.load_start}, at the end {load_average()} (other work shares these {os.cpu_count()} cores: "
             "the parallel speed-up in particular is bounded by the idle cores, not by rnnlint)",
             "- Corpus (`python benchmarks/make_corpus.py`, seed 7): " + ", ".join(
                 f"{k} {v[0]} files / {v[1]:,} lines" for k, v in corpus.items()),
             f"- CLI options found in `rnnlint check --help`: jobs {ctx.cli.jobs_flag or 'none'}, "
             f"cache {'--no-cache' if ctx.cli.no_cache else ('yes' if ctx.cli.cache else 'none')}"
             + (f"; the CLI failed during this run: {ctx.cli.broken}" if ctx.cli.broken else ""),
             "", "## Ratios against targets", "",
             "| measurement | measured (median, range, n) | target | status | reproduce |", "|---|---|---|---|---|"]
    for metric, measured, target, verdict_, section in rep.rows:
        repro = f"`.venv/bin/python benchmarks/run.py --only {cmd.get(section, section)}`"
        lines.append(f"| {metric} | {measured} | {target} | {verdict_} | {repro} |")
    analysis = HERE / "ANALYSIS.md"  # hand-written: what dominates where a target is missed
    if analysis.is_file():
        lines += ["", analysis.read_text(encoding="utf-8").rstrip()]
    lines += ["", "## Details", ""]
    for block in rep.sections:
        lines += [block, ""]
    path.write_text("\n".join(lines), encoding="utf-8")


def snapshot(workspace: Path) -> str:
    """Freeze rnnlint/ and rules/ for the whole run (in-process and every child, via sys.path and
    PYTHONPATH): the checkout is edited while benchmarks run, and the cache key hashes the code and the
    catalog, so an edit between a cold and a warm run would read as a cache miss. Returns a digest."""
    import hashlib
    src = workspace / "src"
    shutil.copytree(ROOT / "rnnlint", src / "rnnlint", ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    shutil.copytree(ROOT / "rules", src / "rules")
    sys.path.insert(0, str(src))
    DEFAULT_CWD[:] = [str(workspace)]
    for env in (CHILD_ENV, NO_BYTECODE_ENV):
        env["PYTHONPATH"] = os.pathsep.join(p for p in (str(src), env.get("PYTHONPATH", "")) if p)
    digest = hashlib.sha256()
    for path in sorted(src.rglob("*")):
        if path.is_file():
            digest.update(str(path.relative_to(src)).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:12]


def warm_bytecode(ctx) -> None:
    """Fill the bytecode cache once (rnnlint, libcst, the standard library) before anything is timed."""
    run_child([PY, "-c", "import libcst, yaml, rnnlint.cli, rnnlint.runner, rnnlint.engine"])
    ctx.cli.run([ctx.one_file], cwd=str(ctx.workspace), jobs=None)
    run_child([PY, "-c", ENGINE_SNIPPET, str(ctx.one_file)])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="rnnlint benchmarks (ratios measured in one run)")
    parser.add_argument("--quick", action="store_true", help="smaller samples, fewer repetitions")
    parser.add_argument("--only", default="", help="comma-separated sections: " + ",".join(SECTIONS))
    parser.add_argument("--out", default=None, help="write the markdown here (default: RESULTS.md on full runs)")
    args = parser.parse_args(argv)
    chosen = [s.strip() for s in args.only.split(",") if s.strip()] or list(SECTIONS)
    unknown = set(chosen) - set(SECTIONS)
    if unknown:
        parser.error(f"unknown sections {sorted(unknown)}; choose from {','.join(SECTIONS)}")
    ensure_corpus()
    started = time.perf_counter()
    workspace = Path(tempfile.mkdtemp(prefix="rnnlint-bench-"))
    try:
        tree = snapshot(workspace)
        ctx = Context(args.quick, workspace)
        ctx.tree = tree
        warm_bytecode(ctx)
        rep = Report()
        out = Path(args.out) if args.out else (HERE / "RESULTS.md" if not args.only else None)
        mode = ("quick" if args.quick else "full") + (f", sections {','.join(chosen)}" if args.only else "")
        for name in chosen:
            print(f"[{name}]", flush=True)
            try:
                globals()[f"sec_{name}"](ctx, rep)
            except Exception as exc:  # one broken section must not lose the others' figures
                import traceback
                traceback.print_exc()
                rep.row(f"section {name}", f"failed: {type(exc).__name__}: {exc}", "", "", name)
            if out is not None and name != chosen[-1]:  # a run cut short still leaves what it measured
                write_results(out, ctx, rep, time.perf_counter() - started, mode + f" (partial: up to {name})")
        elapsed = time.perf_counter() - started
        if out is not None:
            write_results(out, ctx, rep, elapsed, mode)
            print(f"wrote {out}")
        else:
            for block in rep.sections:
                print("\n" + block)
        print(f"took {elapsed:.0f}s")
    finally:
        shutil.rmtree(workspace, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
