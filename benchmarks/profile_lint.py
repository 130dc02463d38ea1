"""Where the in-process lint of the generated corpus spends its time.

    .venv/bin/python benchmarks/profile_lint.py [--files 60]     # prints markdown

Two views, both over the same seeded sample of generated scripts:

1. Stages, timed exactly (perf_counter, no profiler overhead) by replaying the engine's pipeline:
   parse, facts (ScriptFacts: the ModuleIndex visit, import table, call index), DataFlow set-up, each
   check, positions (ast node positions, only on files with findings), suppressions. Lazy fact
   queries run inside the checks, so their cost lands in the check that first asks. The replay uses
   the engine's internals; if those change it says so and the cProfile view still stands.
2. cProfile of `lint_source`: cumulative time of the entry points above, self time grouped by area
   (libcst parser, libcst tree walk, libcst metadata, our facts modules, checks, YAML ...), and the top
   functions by cumulative and by self time.

Named profile_lint (not profile) so it never shadows the standard library's `profile`, which cProfile imports.
"""

from __future__ import annotations

import argparse
import ast
import cProfile
import io
import pstats
import statistics
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def _area(filename: str, funcname: str) -> str:
    f = filename.replace("\\", "/")
    if "/rnnlint/" in f:
        tail = f.split("/rnnlint/", 1)[1]
        if tail.startswith("facts/scopes"):
            return "rnnlint facts: ModuleIndex visit / scopes (facts/scopes.py)"
        if tail.startswith("facts/dataflow") or tail.startswith("facts/series"):
            return "rnnlint data flow (facts/dataflow.py, series.py)"
        if tail.startswith("facts/"):
            return f"rnnlint facts ({tail})"
        if tail.startswith("checks/"):
            return "rnnlint checks (checks/*.py)"
        if tail.startswith("catalog"):
            return "rnnlint catalog (catalog.py)"
        return f"rnnlint other ({tail})"
    if "/libcst/" in f:
        tail = f.split("/libcst/", 1)[1]
        if tail.startswith("_parser") or "native" in tail:
            return "libcst parser (Python side)"
        if tail.startswith("metadata"):
            return "libcst metadata (PositionProvider, MetadataWrapper)"
        if tail.startswith("_nodes") or tail.startswith("_visitors") or tail.startswith("_batched"):
            return "libcst nodes: visitor dispatch, node construction, validation"
        return f"libcst other ({tail.split('/')[0]})"
    if "/yaml/" in f:
        return "PyYAML"
    if f == "~" or f.startswith("<"):
        if "libcst_native" in funcname or "parse_module" in funcname:
            return "libcst native parser (Rust)"
        if f == "<string>":
            return "generated dataclass methods (__init__/__eq__, mostly libcst nodes)"
        return f"builtins ({funcname.split(' ')[-1][:40]})"
    return f"other ({Path(f).name})"


def _short(func: tuple) -> str:
    filename, line, name = func
    f = filename.replace("\\", "/")
    for marker in ("/rnnlint/", "/site-packages/"):
        if marker in f:
            f = f.split(marker, 1)[1]
            break
    return f"{f}:{line}({name})" if line else name


def stages(files: list[Path]) -> tuple[str, dict]:
    """Replay the engine's stages with perf_counter around each; returns markdown and per-stage seconds."""
    from rnnlint import engine, suppress
    from rnnlint.catalog import default_catalog
    from rnnlint.checks import RuleContext, load_checks
    from rnnlint.config import DEFAULT_CONFIG
    from rnnlint.facts.collect import ScriptFacts
    from rnnlint.facts.dataflow import DataFlow

    catalog = default_catalog()
    checks = load_checks()
    config = DEFAULT_CONFIG
    enabled = config.enabled_codes(catalog)
    words = getattr(engine, "RELEVANT_WORDS", ("keras", "tensorflow", "sklearn", "Normalization"))
    totals: dict[str, float] = {}
    with_findings = 0
    position_ratio = []

    def add(key: str, seconds: float) -> None:
        totals[key] = totals.get(key, 0.0) + seconds

    for path in files:
        text = path.read_text(encoding="utf-8")
        t = time.perf_counter()
        tree = engine.parse_tree(str(path), text)
        parse = time.perf_counter() - t
        add("parse (ast, with the nesting guard)", parse)
        if not isinstance(tree, ast.Module):
            continue
        if not any(w in text for w in words):
            continue
        t = time.perf_counter()
        facts = ScriptFacts(tree, text, path.parent)
        add("facts: ScriptFacts() (ModuleIndex visit, imports, call index)", time.perf_counter() - t)
        t = time.perf_counter()
        flow = DataFlow(facts)
        add("DataFlow()", time.perf_counter() - t)
        reports: list = []
        reads: set = set()
        for spec in catalog:
            if spec.kind != "static" or spec.code not in enabled or spec.name not in checks:
                continue
            t = time.perf_counter()
            ctx = RuleContext(facts, flow, spec, config.thresholds.get(spec.code, {}),
                              config.severities.get(spec.code), reports, reads)
            checks[spec.name](ctx)
            add(f"check {spec.code} {spec.name}", time.perf_counter() - t)
        findings = []
        if reports:
            with_findings += 1
            t = time.perf_counter()
            findings = engine._to_findings(str(path), text, facts.lines, reports, False)
            spent = time.perf_counter() - t
            add("positions (ast node positions to code points, files with findings)", spent)
            position_ratio.append(spent / parse)
        t = time.perf_counter()
        suppress.apply(str(path), text, findings, catalog, enabled, config.severities)
        add("suppressions", time.perf_counter() - t)
    parse = totals["parse (ast, with the nesting guard)"]
    total = sum(totals.values())
    checks_total = sum(v for k, v in totals.items() if k.startswith("check "))
    rows = ["| stage | ms per file | share of lint | x parse |", "|---|---|---|---|"]
    merged = dict(totals)
    for key, value in sorted(merged.items(), key=lambda kv: -kv[1]):
        rows.append(f"| {key} | {value / len(files) * 1000:.1f} | {value / total:.1%} | {value / parse:.2f} |")
    rows.append(f"| **all checks together** | {checks_total / len(files) * 1000:.1f} | {checks_total / total:.1%} | "
                f"{checks_total / parse:.2f} |")
    rows.append(f"| **total** | {total / len(files) * 1000:.1f} | 100% | {total / parse:.2f} |")
    note = (f"{with_findings} of {len(files)} files had findings; on those, positions cost "
            f"{statistics.median(position_ratio):.2f}x that file's parse (median)." if position_ratio else "")
    return "\n".join(rows) + "\n\n" + note, {"total": total, "parse": parse, "checks": checks_total, **totals,
                                             "position_ratio": statistics.median(position_ratio) if position_ratio else 0}


def cprofile(files: list[Path]) -> tuple[str, dict]:
    from rnnlint.catalog import default_catalog
    from rnnlint.engine import lint_source

    texts = [(str(p), p.read_text(encoding="utf-8")) for p in files]
    # catalog load: once per process; profiled on its own
    clear = getattr(default_catalog, "cache_clear", None)
    if clear:
        clear()
    prof = cProfile.Profile()
    t = time.perf_counter()
    prof.enable()
    default_catalog()
    prof.disable()
    catalog_s = time.perf_counter() - t
    yaml_s = sum(v[3] for k, v in pstats.Stats(prof).stats.items() if "/yaml/" in k[0] and v[3] > 0
                 and k[2] in ("load", "safe_load"))
    lint_source(*texts[0])  # warm: check modules imported
    prof = cProfile.Profile()
    prof.enable()
    for path, text in texts:
        lint_source(path, text)
    prof.disable()
    stats = pstats.Stats(prof)
    total = sum(v[2] for v in stats.stats.values())  # sum of self time = profiled total
    by_area: dict[str, float] = {}
    for func, (cc, nc, tt, ct, callers) in stats.stats.items():
        area = _area(func[0], func[2])
        by_area[area] = by_area.get(area, 0.0) + tt
    entry = {}
    wanted = {("entrypoints.py", "parse_module"): "libcst.parse_module",
              ("collect.py", "__init__"): "ScriptFacts.__init__ (ModuleIndex visit + call index)",
              ("scopes.py", "__init__"): "ModuleIndex.__init__ (the one visit)",
              ("dataflow.py", "__init__"): "DataFlow.__init__",
              ("engine.py", "_run_checks"): "engine._run_checks (facts + flow + all checks)",
              ("engine.py", "_to_findings"): "engine._to_findings (positions of the reported nodes)",
              ("wrapper.py", "resolve"): "MetadataWrapper.resolve",
              ("wrapper.py", "__init__"): "MetadataWrapper.__init__",
              ("suppress.py", "apply"): "suppress.apply"}
    for func, (cc, nc, tt, ct, callers) in stats.stats.items():
        key = (Path(func[0]).name, func[2])
        if key in wanted:
            label = wanted[key]
            entry[label] = entry.get(label, 0.0) + ct
    out = io.StringIO()
    out.write(f"cProfile total {total:.2f}s over {len(texts)} files (profiler overhead inflates Python-heavy "
              "parts; use the stage table above for proportions).\n\n")
    out.write("Cumulative time of the pipeline's entry points:\n\n| entry point | cumulative s | share |\n|---|---|---|\n")
    for label, value in sorted(entry.items(), key=lambda kv: -kv[1]):
        out.write(f"| {label} | {value:.2f} | {value / total:.1%} |\n")
    out.write("\nSelf time grouped by area:\n\n| area | self s | share |\n|---|---|---|\n")
    for area, value in sorted(by_area.items(), key=lambda kv: -kv[1])[:16]:
        out.write(f"| {area} | {value:.2f} | {value / total:.1%} |\n")
    for title, key in (("cumulative", "cumulative"), ("self (total) time", "tottime")):
        out.write(f"\nTop functions by {title}:\n\n| function | calls | self s | cumulative s |\n|---|---|---|---|\n")
        items = sorted(stats.stats.items(), key=lambda kv: -(kv[1][3] if key == "cumulative" else kv[1][2]))
        shown = 0
        for func, (cc, nc, tt, ct, callers) in items:
            if key == "cumulative" and func[2] in ("<module>",) or "profile_lint" in func[0]:
                continue
            out.write(f"| `{_short(func)}` | {nc} | {tt:.2f} | {ct:.2f} |\n")
            shown += 1
            if shown >= 20:
                break
    out.write(f"\nCatalog load (`default_catalog()`, once per process): {catalog_s * 1000:.0f} ms, of which "
              f"YAML parsing {yaml_s * 1000:.0f} ms (under cProfile).\n")
    return out.getvalue(), {"catalog_ms": catalog_s * 1000, "yaml_ms": yaml_s * 1000, "total": total,
                            "by_area": by_area, "entry": entry}


def profile(files: list[Path]) -> tuple[str, list[tuple[str, str]]]:
    """Markdown for RESULTS.md and one-line summaries for the ratio table."""
    lines = sum(p.read_bytes().count(b"\n") for p in files)
    parts = [f"### Profile of the in-process lint ({len(files)} generated scripts, {lines} lines)\n"]
    summary: list[tuple[str, str]] = []
    try:
        table, totals = stages(files)
        parts.append("Stages, timed exactly by replaying the engine's pipeline:\n\n" + table)
        top = sorted(((k, v) for k, v in totals.items() if k not in ("total", "parse", "checks", "position_ratio")
                      and not k.startswith("parse")), key=lambda kv: -kv[1])[:3]
        summary.append(("profile: lint / parse by stages (no profiler)", f"{totals['total'] / totals['parse']:.2f}x; "
                        "largest beyond parse: " + "; ".join(f"{k} {v / totals['parse']:.2f}x parse" for k, v in top)))
    except Exception as exc:  # the engine's internals moved: say so, keep the cProfile view
        parts.append(f"Stage replay not available with this engine ({type(exc).__name__}: {exc}).")
    text, info = cprofile(files)
    parts.append(text)
    summary.append(("profile: catalog load per process (YAML share)",
                    f"{info['catalog_ms']:.0f} ms ({info['yaml_ms']:.0f} ms YAML, under cProfile)"))
    return "\n\n".join(parts), summary


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="profile the in-process lint of the generated corpus")
    parser.add_argument("--files", type=int, default=60)
    args = parser.parse_args(argv)
    sys.path.insert(0, str(HERE))
    from run import ensure_corpus, sample
    ensure_corpus()
    markdown, summary = profile(sample("generated", args.files, seed=3))
    print(markdown)
    for metric, value in summary:
        print(f"{metric}: {value}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
