"""Golden findings and fixes of the static engine, so that a rewrite of the analysis (issue 14: libcst
to `ast`) can show that it loses nothing.

    .venv/bin/python benchmarks/golden.py                   # compare with tests/golden/ (exit 1 on a difference)
    .venv/bin/python benchmarks/golden.py --sample          # the same on 1 generated script in 300 (what the fast test runs)
    .venv/bin/python benchmarks/golden.py --write           # regenerate tests/golden/ (about 5 minutes on 2 cores)

Inputs, each linted in-process with the default config, no cache, from the repository's committed files:

- fixtures: every fixtures/**/*.py and *.ipynb (static, seed, notebooks, regressions, probe ones too);
- catalog: every bad and good example of rules/*.yaml, each with its own rule selected (as
  tests/test_catalog_examples.py runs them, so the opt-in RNN003's examples count);
- repros: evaluation/repros and evaluation/repros2;
- benchmark: the 3,000 scripts benchmarks/make_corpus.py generates (seed 7, computed in memory; ids
  name the file make_corpus writes). Its other parts are left out: corpus/fixtures copies fixtures/,
  corpus/scaling concatenates the generated scripts, corpus/keras_src is the installed Keras (third
  party, and not pinned).

What is recorded, its format, and when regenerating is legitimate: tests/golden/README.md. In short,
the `ast` engine must reproduce these files exactly, except for differences listed one by one with
their reason; a diff that nobody can explain is a regression, not a reason to run --write.
"""

from __future__ import annotations

import argparse
import difflib
import hashlib
import json
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GOLDEN = ROOT / "tests" / "golden"
GENERATED = 3000
SEED = 7
SAMPLE_EVERY = 300  # the fast test checks generated scripts 0, 300, 600, ... (fixes: only these)
FIX_MODES = (("fix", False), ("unsafe-fix", True))


@dataclass(frozen=True)
class Input:
    id: str  # repository-relative path, or a name for text with no file of its own
    source: str  # fixtures, catalog, repros or benchmark
    data: bytes
    base_dir: Path | None  # the folder JSON/YAML config files are read from
    config: object  # rnnlint.config.Config


def inputs(sample: bool) -> list[Input]:
    """Every input, in a fixed order; `sample`: only 1 generated script in SAMPLE_EVERY."""
    from rnnlint.catalog import default_catalog
    from rnnlint.config import DEFAULT_CONFIG, Config

    found = []
    for source, folders in (("fixtures", ["fixtures"]), ("repros", ["evaluation/repros", "evaluation/repros2"])):
        for folder in folders:
            for path in sorted((ROOT / folder).rglob("*")):
                hidden = any(part.startswith(".") or part == "__pycache__" for part in path.relative_to(ROOT).parts)
                if path.suffix in (".py", ".ipynb") and path.is_file() and not hidden:
                    found.append(Input(path.relative_to(ROOT).as_posix(), source, path.read_bytes(),
                                       path.parent, DEFAULT_CONFIG))
    for spec in default_catalog():
        where = Path(spec.source_file).name
        for kind, texts in (("bad", spec.bad_examples), ("good", spec.good_examples)):
            for index, text in enumerate(texts, start=1):
                found.append(Input(f"rules/{where}#{kind}-{index}", "catalog", text.encode("utf-8"), None,
                                   Config(extend_select=(spec.code,))))
    if str(ROOT / "benchmarks") not in sys.path:
        sys.path.insert(0, str(ROOT / "benchmarks"))
    import make_corpus
    for uid, text in enumerate(make_corpus.generated_scripts(GENERATED, SEED)):
        if not sample or uid % SAMPLE_EVERY == 0:
            found.append(Input(f"benchmarks/corpus/generated/{make_corpus.generated_name(uid)}", "benchmark",
                               text.encode("utf-8"), None, DEFAULT_CONFIG))
    return found


# -- findings -------------------------------------------------------------------------------------
def finding_lines(item: Input, catalog) -> tuple[list[str], set[str]]:
    """The golden lines of one input, and the codes of its findings."""
    from rnnlint.runner import lint_bytes

    report = lint_bytes(item.id, item.data, item.config, catalog, item.base_dir)
    head = {"input": item.id, "sha256": hashlib.sha256(item.data).hexdigest()[:12],
            "findings": len(report.findings), "errors": sorted(error.message for error in report.errors),
            "internal_errors": len(report.internal_errors)}
    rows = []
    for f in report.findings:
        rows.append({"input": item.id, "cell": f.cell, "line": f.span.line, "column": f.span.column,
                     "end_line": f.span.end_line, "end_column": f.span.end_column, "code": f.code,
                     "severity": f.severity.label, "fix": f.fix.applicability.value if f.fix else None,
                     "message": f.message})
    rows.sort(key=lambda r: (r["cell"] or 0, r["line"], r["column"], r["code"], r["end_line"], r["end_column"],
                             r["message"]))
    return [_dump(head)] + [_dump(row) for row in rows], {f.code for f in report.findings}


def _dump(row: dict) -> str:
    return json.dumps(row, ensure_ascii=False)


# -- fixes ----------------------------------------------------------------------------------------
def fix_files(item: Input, catalog, codes: set[str]) -> dict[str, str]:
    """{file name under fixes/: text} for one input whose findings have these codes."""
    from rnnlint.findings import Applicability

    out: dict[str, str] = {}
    safe = {spec.code for spec in catalog if spec.fix_applicability is Applicability.SAFE}
    # without a finding of a rule whose fixes are safe, --fix changes nothing: spare the run (a fix
    # labelled otherwise than its rule would still show, in the finding's "fix" field)
    results = {mode: _fixed(item, catalog, unsafe) if unsafe or codes & safe else ("", None)
               for mode, unsafe in FIX_MODES}
    for mode, _ in FIX_MODES:
        diff, error = results[mode]
        if mode == "unsafe-fix" and results[mode] == results["fix"]:
            continue  # --unsafe-fixes does what --fix does
        name = item.id.replace("#", ".")
        if error is not None:
            out[f"{name}.{mode}-error.txt"] = error + "\n"
        elif diff:
            out[f"{name}.{mode}.diff"] = diff
    return out


def _fixed(item: Input, catalog, unsafe: bool) -> tuple[str, str | None]:
    """(unified diff of the fixed text against the input, the fixer's error or None)."""
    from rnnlint.fix import fix_notebook, fix_source, unified_diff
    from rnnlint.source import decode

    if item.id.endswith(".ipynb"):
        result, changes = fix_notebook(item.id, item.data.decode("utf-8-sig"), item.config, catalog, unsafe,
                                       item.base_dir)
        diff = "".join(unified_diff(f"{item.id}:cell {index}", old, new)
                       for index, (old, new) in sorted(changes.items()))
        return diff, result.error
    text = decode(item.data).text
    result = fix_source(item.id, text, item.config, catalog, unsafe, item.base_dir)
    return (unified_diff(item.id, text, result.text) if result.changed else ""), result.error


# -- the whole record -----------------------------------------------------------------------------
def compute(sample: bool) -> dict[str, str]:
    """{path under tests/golden/: text} as the engine computes it now."""
    from rnnlint.catalog import default_catalog

    catalog = default_catalog()
    fixable = {spec.code for spec in catalog if spec.fix_available}
    lines: dict[str, list[str]] = {"findings.jsonl": [], "benchmark.jsonl": []}
    files: dict[str, str] = {}
    for item in inputs(sample):
        rows, codes = finding_lines(item, catalog)
        lines["benchmark.jsonl" if item.source == "benchmark" else "findings.jsonl"] += rows
        in_sample = item.source != "benchmark" or _uid(item.id) % SAMPLE_EVERY == 0
        if codes & fixable and in_sample:
            files.update({f"fixes/{name}": text for name, text in fix_files(item, catalog, codes).items()})
    files.update({name: "\n".join(rows) + "\n" for name, rows in lines.items()})
    return files


# written by hand, never by --write: what the record is and which differences are justified
NOTES = ("README.md", "DIFFERENCES.md")


def _uid(input_id: str) -> int:
    return int(input_id.rsplit("_", 1)[1].split(".")[0])


def read_golden() -> dict[str, str]:
    return {path.relative_to(GOLDEN).as_posix(): path.read_bytes().decode("utf-8")  # line endings as written
            for path in sorted(GOLDEN.rglob("*")) if path.is_file() and path.name not in NOTES}


def _sampled(text: str) -> str:
    """benchmark.jsonl's lines about the sampled scripts only."""
    kept = [line for line in text.splitlines() if _uid(json.loads(line)["input"]) % SAMPLE_EVERY == 0]
    return "\n".join(kept) + "\n"


def differences(actual: dict[str, str], golden: dict[str, str], sample: bool, limit: int = 60) -> list[str]:
    """Readable differences between the computed record and the golden files (empty when they match):
    files missing on either side, then a unified diff of the first files that differ."""
    if sample and "benchmark.jsonl" in golden:
        golden = {**golden, "benchmark.jsonl": _sampled(golden["benchmark.jsonl"])}
    out = [f"tests/golden/{name}: expected, but the engine produced nothing" for name in sorted(golden.keys() - actual.keys())]
    out += [f"tests/golden/{name}: produced, but not in the golden files" for name in sorted(actual.keys() - golden.keys())]
    for name in sorted(golden.keys() & actual.keys()):
        if golden[name] != actual[name]:
            diff = difflib.unified_diff(golden[name].splitlines(), actual[name].splitlines(),
                                        f"golden/{name}", f"now/{name}", lineterm="", n=1)
            out += list(diff)
        if len(out) > limit:
            return out[:limit] + ["... (more differences left out)"]
    return out


def write(files: dict[str, str]) -> None:
    for path in GOLDEN.rglob("*"):
        if path.is_file() and path.name not in NOTES:
            path.unlink()
    for name, text in files.items():
        target = GOLDEN / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(text.encode("utf-8"))  # bytes: a CRLF fixture's diff keeps its line endings


def summary(files: dict[str, str]) -> str:
    counts: dict[str, list[int]] = {}
    for name in ("findings.jsonl", "benchmark.jsonl"):
        for line in files[name].splitlines():
            row = json.loads(line)
            if "sha256" in row:
                source = _source_of(row["input"])
                counts.setdefault(source, [0, 0])
                counts[source][0] += 1
                counts[source][1] += row["findings"]
    fixed = {name.rsplit(".", 2)[0] for name in files if name.startswith("fixes/")}
    parts = [f"{source} {n} inputs, {k} findings" for source, (n, k) in counts.items()]
    return "; ".join(parts) + f"; {len(fixed)} inputs with a fix record"


def _source_of(input_id: str) -> str:
    if input_id.startswith("rules/"):
        return "catalog"
    if input_id.startswith("evaluation/"):
        return "repros"
    return "benchmark" if input_id.startswith("benchmarks/") else "fixtures"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write", action="store_true", help="regenerate tests/golden/ (every generated script)")
    parser.add_argument("--sample", action="store_true",
                        help=f"compare only 1 generated script in {SAMPLE_EVERY} (the fast test)")
    args = parser.parse_args(argv)
    files = compute(sample=args.sample and not args.write)
    if args.write:
        write(files)
        print(f"golden: wrote tests/golden/: {summary(files)}")
        return 0
    problems = differences(files, read_golden(), args.sample)
    print("\n".join(problems) if problems else f"golden: match ({summary(files)})")
    return 1 if problems else 0


if __name__ == "__main__":
    raise SystemExit(main())
