"""Run `rnnlint probe` on every script of the real-script corpus and report against our labels.

The corpus (third-party code, git-ignored) lives in evaluation/corpus/probe/<name>/, one folder per
script in its repository's layout; where each came from is in evaluation/SOURCES.md. The labels
(evaluation/probe_labels.yaml, ours) were written from reading each script BEFORE it was probed: which
runtime symptoms a short truncated run should confirm, whether the script should reach a verdict, and,
where it should not, why (the script's world: a missing module, data or download, a Keras-2-only API,
a fragment). The runner never edits a script; it runs the probe as a user would, one script at a
time, niced and bounded, keeps the raw JSON of each run in evaluation/corpus/probe_results/ and writes
a Markdown table that the lead can regenerate on merged code:

    python evaluation/probe_corpus.py --out evaluation/PROBE_REPORT.md

`--only NAME ...` reruns some entries; `--reuse` keeps stored results and runs only the missing ones.
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
CORPUS = HERE / "corpus" / "probe"
RESULTS = HERE / "corpus" / "probe_results"
LABELS = HERE / "probe_labels.yaml"

# Exit codes of `rnnlint probe` (PROBE_PLAN.md): 0 and 1 are verdicts, the rest are not.
VERDICT_EXITS = (0, 1)
EXIT_MEANING = {0: "no symptom", 1: "symptom(s)", 2: "usage error", 3: "internal error",
                4: "script failed before training", 5: "no fit probed"}
# Categories of a run that reached no verdict. "world:*" is the script's own world, "probe" is ours.
PROBE_SOURCE = "/rnnlint/probe/"
NOTEBOOK_AS_PYTHON = "name 'null' is not defined"   # what a notebook's JSON raises when executed as Python
WORLD_CAUSES = ("missing-module", "missing-data", "download", "keras2-api", "removed-api", "fragment", "no-fit",
                "too-slow", "script-bug")


@dataclass
class Entry:
    """One corpus script and what we expected of it, as labelled before running it."""
    name: str
    script: str
    cwd: str                       # "script": the script's folder; "root": the entry's root folder
    verdict: bool                  # should a short probe reach a verdict (trains under plain python)?
    cause: str | None              # when no verdict is expected: which part of the script's world
    expect: dict[str, str]         # symptom code or name -> why we expect it confirmed
    reason: str                    # one line from reading the code
    source: str = ""
    corrected: str = ""            # set when a label was found wrong after the run (kept visible, never silent)
    evidence: dict[str, str] = field(default_factory=dict)  # symptom -> the number the code implies, checked by eye

    corpus: Path = CORPUS

    @property
    def folder(self) -> Path:
        return self.corpus / self.name

    @property
    def script_path(self) -> Path:
        return self.folder / self.script


@dataclass
class Outcome:
    """What one probe run gave, reduced to what the table compares."""
    exit_code: int | None
    seconds: float
    runs: int
    steps: int                     # measured training steps over all probed fits
    confirmed: list[str] = field(default_factory=list)
    names: dict[str, str] = field(default_factory=dict)   # code -> name of every symptom judged
    messages: dict[str, str] = field(default_factory=dict)  # code -> message of the first confirmed verdict
    headline: str = ""
    error: str = ""
    raised_in_rnnlint: bool = False   # the failing frame is the probe's own code, not the script's

    @property
    def verdict(self) -> bool:
        """A verdict needs exit 0/1 AND measured steps: exit 1 from a data-only check after 0 steps is not one."""
        return self.exit_code in VERDICT_EXITS and self.steps > 0


def load_labels(path: Path, corpus: Path = CORPUS) -> list[Entry]:
    raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    entries = []
    for name, item in raw.items():
        entries.append(Entry(
            name=name, script=item["script"], cwd=item.get("cwd", "script"),
            verdict=bool(item.get("verdict", True)), cause=item.get("cause"),
            expect={str(k): str(v) for k, v in (item.get("expect") or {}).items()},
            reason=item.get("reason", ""), source=item.get("source", ""),
            corrected=item.get("corrected", ""),
            evidence={str(k): str(v) for k, v in (item.get("evidence") or {}).items()},
            corpus=corpus,
        ))
    return entries


def run_probe(entry: Entry, steps: int, timeout: float) -> dict:
    """Run the probe on one script as a user would; return its JSON document (or what went wrong)."""
    cwd = entry.folder if entry.cwd == "root" else entry.script_path.parent
    command = ["nice", "-n", "10", sys.executable, "-m", "rnnlint", "probe", "--format", "json",
               "--quiet", "--steps", str(steps), "--timeout", str(timeout), str(entry.script_path)]
    env = dict(os.environ, PYTHONPATH=str(REPO), MPLBACKEND="Agg", TF_CPP_MIN_LOG_LEVEL="2")
    started = time.monotonic()
    try:
        done = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True,
                              timeout=timeout + 60)
    except subprocess.TimeoutExpired:
        return {"runner_error": f"rnnlint probe itself did not return within {timeout + 60:.0f} s",
                "exit_code": None, "seconds": time.monotonic() - started}
    seconds = time.monotonic() - started
    try:
        document = json.loads(done.stdout)
    except json.JSONDecodeError:
        document = {"runner_error": "no JSON on stdout", "stdout_tail": done.stdout[-3000:]}
    document["runner_exit_code"] = done.returncode
    document["runner_seconds"] = seconds
    document["runner_stderr_tail"] = done.stderr[-3000:]
    return document


def reduce(document: dict) -> Outcome:
    runs = document.get("runs") or []
    names: dict[str, str] = {}
    messages: dict[str, str] = {}
    for symptom in [s for run in runs for s in run.get("symptoms", [])] + (document.get("script_symptoms") or []):
        names[symptom["code"]] = symptom["name"]
        if symptom.get("verdict") == "confirmed":
            messages.setdefault(symptom["code"], symptom.get("message", ""))
    error = document.get("error") or document.get("runner_error") or ""
    raised_in_rnnlint = False
    if isinstance(error, dict):
        frames = error.get("frames") or []
        raised_in_rnnlint = PROBE_SOURCE in error.get("message", "") or any(
            PROBE_SOURCE in (frame.get("file") or "") for frame in frames)
        error = error.get("type", "") + ": " + error.get("message", "")
    return Outcome(
        exit_code=document.get("runner_exit_code", document.get("exit_code")),
        seconds=float(document.get("runner_seconds", document.get("seconds", 0.0)) or 0.0),
        runs=len(runs), steps=sum(int(run.get("steps") or 0) for run in runs), confirmed=list(document.get("confirmed") or []), names=names, messages=messages,
        headline=document.get("headline", ""), error=str(error).strip().splitlines()[-1][:200] if error else "",
        raised_in_rnnlint=raised_in_rnnlint,
    )


def compare(entry: Entry, outcome: Outcome) -> tuple[str, list[str], list[str]]:
    """Agreement of the confirmed symptoms with the label: ('agree'|'disagree'|'-', unexpected, missed)."""
    if not outcome.verdict:
        return "-", [], []
    expected = set(entry.expect)
    got = set(outcome.confirmed)
    # A label may name a symptom by code (RNN509) or by name (nonfinite-inputs-observed).
    got_both = got | {outcome.names.get(code, code) for code in got}
    unexpected = sorted(code for code in got
                        if code not in expected and outcome.names.get(code, code) not in expected)
    missed = sorted(label for label in expected if label not in got_both)
    return ("agree" if not unexpected and not missed else "disagree"), unexpected, missed


def cause_of(entry: Entry, outcome: Outcome) -> str:
    """Why a run reached no verdict: the script's world (as labelled) or the probe's fault.

    A script labelled as trainable that reaches no verdict is the probe's fault. One labelled as stopped by its
    own world is still the probe's fault when the probe fails first in a way the world cannot explain: a notebook
    run as Python, an error raised inside rnnlint.
    """
    if outcome.verdict:
        return ""
    if outcome.exit_code == 3:
        return "probe (internal error)"
    if entry.verdict:
        return "probe"
    if NOTEBOOK_AS_PYTHON in outcome.error:
        return f"probe (notebook run as Python; then world: {entry.cause})"
    if outcome.raised_in_rnnlint:
        return f"world: {entry.cause} (raised inside rnnlint's own frames)"
    return f"world: {entry.cause or 'unlabelled'}"


def render(entries: list[Entry], outcomes: dict[str, Outcome], steps: int, timeout: float,
           title: str = "Probe on real scripts") -> str:
    rows, verdicts, agreed, probe_faults = [], 0, 0, []
    disagreements = []
    for entry in entries:
        outcome = outcomes.get(entry.name)
        if outcome is None:
            rows.append(f"| {entry.name} | not run | | | | |")
            continue
        agreement, unexpected, missed = compare(entry, outcome)
        cause = cause_of(entry, outcome)
        verdicts += outcome.verdict
        agreed += agreement == "agree"
        if cause.startswith("probe"):
            probe_faults.append((entry, outcome))
        if agreement == "disagree":
            disagreements.append((entry, outcome, unexpected, missed))
        detail = "; ".join(filter(None, [
            "exit 0 with no fit probed" if outcome.exit_code == 0 and not outcome.runs else "",
            f"exit {outcome.exit_code} after 0 measured steps" if outcome.exit_code in VERDICT_EXITS
            and outcome.runs and not outcome.steps else "",
            "confirmed " + ", ".join(f"{c} {outcome.names.get(c, '')}".strip() for c in outcome.confirmed)
            if outcome.confirmed else ("none confirmed" if outcome.verdict else ""),
            "unexpected " + ", ".join(unexpected) if unexpected else "",
            "missed " + ", ".join(missed) if missed else "",
            outcome.error if not outcome.verdict else "",
        ]))
        rows.append(f"| {entry.name} | {outcome.exit_code} | {'yes' if outcome.verdict else 'no'} "
                    f"({outcome.runs} fit, {outcome.steps} steps) | {agreement} | {cause} | {detail.replace('|', '/')} |")
    ran = sum(1 for e in entries if e.name in outcomes)
    expected_verdicts = sum(1 for e in entries if e.verdict and e.name in outcomes)
    lines = [
        f"# {title}",
        "",
        f"Generated by `python evaluation/probe_corpus.py` (`--steps {steps}`, probe `--timeout {timeout:.0f}`, "
        "one script at a time). Labels (evaluation/probe_labels.yaml) were written from reading each "
        "script before it was probed; sources in evaluation/SOURCES.md.",
        "",
        f"- scripts run: {ran}",
        f"- reached a verdict (exit 0/1 with measured training steps): {verdicts}"
        f" (labelled as able to: {expected_verdicts})",
        f"- verdicts whose confirmed symptoms match the label: {agreed} of {verdicts}",
        f"- runs with no verdict caused by the probe: {len(probe_faults)}",
        "",
        "| script | exit | verdict | vs label | no-verdict cause | detail |",
        "|---|---|---|---|---|---|",
        *rows,
        "",
        "## Failures of the probe itself",
        "",
    ]
    for entry, outcome in probe_faults:
        lines.append(f"- **{entry.name}** (exit {outcome.exit_code}): {outcome.error or outcome.headline}")
    if not probe_faults:
        lines.append("- none")
    lines += ["", "## Verdicts that disagree with the label", ""]
    for entry, outcome, unexpected, missed in disagreements:
        parts = []
        if unexpected:
            parts.append("confirmed but not expected: " + ", ".join(f"{c} {outcome.names.get(c, '')}" for c in unexpected))
        if missed:
            parts.append("expected but not confirmed: " + ", ".join(missed))
        lines.append(f"- **{entry.name}**: {'; '.join(parts)}. Label: {entry.reason}")
    if not disagreements:
        lines.append("- none")
    lines += ["", "## Evidence to check by eye (the number the code implies vs the number the probe quoted)", ""]
    checks = [(e, code, want) for e in entries for code, want in e.evidence.items()]
    for entry, code, want in checks:
        outcome = outcomes.get(entry.name)
        quoted = outcome.messages.get(code, "not confirmed") if outcome else "not run"
        lines.append(f"- **{entry.name}** {code}: expected {want}; probe: {quoted}")
    if not checks:
        lines.append("- none")
    corrected = [e for e in entries if e.corrected]
    lines += ["", "## Labels corrected after the run (our reading was wrong, not the probe)", ""]
    lines += [f"- **{e.name}**: {e.corrected}" for e in corrected] or ["- none"]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, default=None, help="write the Markdown report here (default: stdout)")
    parser.add_argument("--only", nargs="*", default=None, metavar="NAME", help="run only these entries")
    parser.add_argument("--reuse", action="store_true", help="keep stored results, run only missing ones")
    parser.add_argument("--report-only", action="store_true", help="run nothing, report the stored results")
    parser.add_argument("--steps", type=int, default=100, help="probe --steps (default 100)")
    parser.add_argument("--timeout", type=float, default=120, help="probe --timeout per script (default 120 s)")
    parser.add_argument("--labels", type=Path, default=LABELS)
    parser.add_argument("--title", default="Probe on real scripts", help="the report's heading")
    parser.add_argument("--notes", type=Path, default=None,
                        help="a hand-written Markdown file appended to the report (dated analysis of a run)")
    parser.add_argument("--results", type=Path, default=RESULTS)
    parser.add_argument("--corpus", type=Path, default=CORPUS,
                        help="the corpus folder (default evaluation/corpus/probe; another checkout may point at this one)")
    args = parser.parse_args(argv)

    entries = load_labels(args.labels, args.corpus)
    args.results.mkdir(parents=True, exist_ok=True)
    outcomes: dict[str, Outcome] = {}
    for entry in entries:
        stored = args.results / f"{entry.name}.json"
        wanted = args.only is None or entry.name in args.only
        rerun = wanted and not args.report_only and not (args.reuse and stored.exists())
        if rerun:
            if not entry.script_path.exists():
                print(f"{entry.name}: missing {entry.script_path} (collect it as SOURCES.md says)", file=sys.stderr)
                continue
            document = run_probe(entry, args.steps, args.timeout)
            stored.write_text(json.dumps(document, indent=1) + "\n", encoding="utf-8")
        elif not stored.exists():
            continue
        else:
            document = json.loads(stored.read_text(encoding="utf-8"))
        outcome = reduce(document)
        outcomes[entry.name] = outcome
        if rerun:
            print(f"{entry.name}: exit {outcome.exit_code}, {outcome.runs} fit(s), "
                  f"{outcome.seconds:.0f} s, confirmed {outcome.confirmed} {outcome.error}", file=sys.stderr)
    report = render(entries, outcomes, args.steps, args.timeout, args.title)
    if args.notes:
        report += "\n" + args.notes.read_text(encoding="utf-8")
    if args.out:
        args.out.write_text(report, encoding="utf-8")
    else:
        sys.stdout.write(report)
    return 0


if __name__ == "__main__":
    sys.exit(main())
