"""`rnnlint probe SCRIPT [options] [-- SCRIPT_ARGS...]`: arguments, the run, the report, the exit code.

Exit codes: 0 no confirmed symptom, 1 confirmed symptom(s), 2 usage error, 3 internal error of
rnnlint (its traceback, the measurements so far kept), 4 the script failed or timed out before any
measured training step, 5 no verdict (the script ran but no fit was probed). A failure or timeout
after measured steps keeps their verdict (0/1).
"""

from __future__ import annotations

import argparse
import sys
import traceback
from pathlib import Path

EXIT_CLEAN, EXIT_CONFIRMED, EXIT_USAGE, EXIT_INTERNAL, EXIT_SCRIPT, EXIT_NO_VERDICT = 0, 1, 2, 3, 4, 5
DEFAULT_STEPS = 200
DEFAULT_TIMEOUT = 180.0
DEFAULT_MAX_FITS = 3


def _add_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--steps", type=int, default=DEFAULT_STEPS,
                        help=f"optimizer steps per probed run (default {DEFAULT_STEPS})")
    parser.add_argument("--timeout", type=float, default=DEFAULT_TIMEOUT,
                        help=f"seconds before the script is killed (default {DEFAULT_TIMEOUT:g})")
    parser.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    parser.add_argument("--cwd", metavar="DIR", default=None,
                        help="working directory of the script (default: the current one, as "
                             "`python SCRIPT` has it)")
    parser.add_argument("--max-fits", type=int, default=DEFAULT_MAX_FITS,
                        help=f"fit calls probed before the script is stopped (default {DEFAULT_MAX_FITS})")
    parser.add_argument("--format", choices=("text", "json"), default="text", help="report format")
    parser.add_argument("--allow-gpu", action="store_true", help="let TensorFlow see GPUs (CPU only by default)")
    parser.add_argument("--no-static", action="store_true", help="skip the static rules")
    parser.add_argument("--quiet", action="store_true", help="no progress on stderr")
    parser.add_argument("--what-if", action="store_true",
                        help="rerun each fit with a confirmed symptom with the catalog's remedies "
                             "(clipping, a range-tested learning rate, scaled inputs...) and say "
                             "which resolve it")
    parser.add_argument("--html", metavar="PATH",
                        help="also write a self-contained HTML report with charts to PATH")
    parser.add_argument("--keep-writes", metavar="DIR",
                        help="copy the files the script wrote (into the probe's sandbox, never over "
                             "your files) to DIR, under their absolute paths")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Declare the probe's arguments; options may also follow SCRIPT, before `--`."""
    _add_options(parser)
    parser.add_argument("script", help="the training script to run (it is never modified)")
    parser.add_argument("script_args", nargs=argparse.REMAINDER,
                        help="arguments for the script, after `--`")


def _split_remainder(args: argparse.Namespace) -> str | None:
    """Sort what follows SCRIPT into probe options and the script's own arguments.

    argparse hands over everything after SCRIPT and drops a `--` that directly follows it, so
    `SCRIPT -- --epochs 3` and `SCRIPT --epochs 3` look alike: tokens that are all probe options are
    options, tokens that are none are the script's, and a mix without `--` is a usage error.
    """
    rest = list(args.script_args or [])
    separated = "--" in rest
    head, tail = (rest[: rest.index("--")], rest[rest.index("--") + 1:]) if separated else (rest, [])
    args.script_args = tail
    if not head:
        return None
    options = argparse.ArgumentParser(add_help=False)
    _add_options(options)
    defaults = vars(options.parse_args([]))
    parsed, unknown = options.parse_known_args(head)
    if unknown and not separated and unknown == head:
        args.script_args = head
        return None
    if unknown:
        return f"unexpected {' '.join(unknown)!r}: put the script's own arguments after `--`"
    for key, value in vars(parsed).items():
        if value != defaults[key]:
            setattr(args, key, value)
    return None


def _usage_error(message: str) -> int:
    print(f"rnnlint probe: error: {message}", file=sys.stderr)
    return EXIT_USAGE


def _progress(event: dict) -> None:
    kind = event.get("event")
    if kind == "run":
        print(f"probe: {event['kind'].replace('_', ' ')} #{event['run']} started", file=sys.stderr)
    elif kind == "step":
        print(f"probe: run #{event['run']} step {event['step']}/{event['of']}", file=sys.stderr)


def _static_findings(script: Path) -> tuple[list | None, str | None]:
    try:
        from rnnlint.engine import lint_file
    except ImportError:
        return None, "the static engine is not available in this build"
    try:
        report = lint_file(str(script))
    except Exception as exc:  # noqa: BLE001 - the probe still has its own measurements to report
        return None, f"static analysis failed: {exc}"
    return sorted(report.findings, key=lambda f: f.sort_key()), None


def _measured_steps(result: dict) -> int:
    return sum(int(run.get("steps") or 0) for run in result.get("runs", []))


def _where_cut(result: dict) -> str:
    """'during fit #2 after 120 measured step(s)' or 'after 2 probed run(s)'."""
    runs = result.get("runs", [])
    last = runs[-1] if runs else {}
    if last.get("in_progress"):
        kind = "fit" if last.get("kind") == "fit" else "custom training loop"
        return f"during {kind} #{last['index']} after {last.get('steps', 0)} measured step(s)"
    return f"after {len(runs)} probed run(s)"


def _classify(outcome) -> tuple[str, str, int | None]:
    """(status, headline, exit code when it does not depend on symptoms).

    What decides between 4 and a verdict is whether a training step was measured: a run cut by a
    timeout or by the script's own failure keeps the verdict of the steps it measured.
    """
    result = outcome.result
    if result is None:
        if outcome.timed_out:
            return "timeout", "timed out before the probe started", EXIT_SCRIPT
        return "internal_error", "the probe's child process wrote no result", EXIT_INTERNAL
    status, runs = result["status"], result.get("runs", [])
    measured = _measured_steps(result) > 0
    if status == "starting":
        if outcome.timed_out:
            return "timeout", "timed out while importing TensorFlow", EXIT_SCRIPT
        return "internal_error", "the probe failed before running the script", EXIT_INTERNAL
    if status == "internal_error":
        return "internal_error", "internal error of rnnlint while probing (measurements so far kept)", EXIT_INTERNAL
    if outcome.timed_out:
        if measured:
            return "timeout", f"timed out {_where_cut(result)}; judged on the steps measured", None
        if runs:
            return "timeout", (f"timed out during fit #{runs[-1]['index']} before its first training step "
                               "finished (raise --timeout for a slow model)"), EXIT_SCRIPT
        return "timeout", "timed out: the script never called fit within the time budget", EXIT_SCRIPT
    if status == "running":  # the interpreter died under the script (a crash, os._exit, a signal)
        headline = f"the script's process ended abruptly (exit status {outcome.returncode})"
        return "script_error", headline + (f" {_where_cut(result)}" if measured else ""), (
            None if measured else EXIT_SCRIPT)
    if status == "script_error":
        if measured:
            return "script_error", f"the script failed {_where_cut(result)}; judged on the steps measured", None
        if runs:
            return "script_error", "the script failed in fit before a training step was measured", EXIT_SCRIPT
        return "script_error", "the script failed before training", EXIT_SCRIPT
    if not runs:
        return "no_fit", "no verdict: the script finished without calling fit or applying gradients", (
            EXIT_NO_VERDICT)
    if status == "stopped":
        return "stopped", f"probed {len(runs)} run(s); {result.get('stop_reason', '')}", None
    return "completed", f"probed {len(runs)} run(s); the script finished", None


def cut_summary(outcome, status: str) -> dict | None:
    """How far a run that was cut (timeout, failure, abrupt exit) got; None when nothing was cut."""
    result = outcome.result or {}
    runs = result.get("runs", [])
    if status not in ("timeout", "script_error") or not _measured_steps(result):
        return None
    last = runs[-1]
    return {
        "reason": "timeout" if outcome.timed_out else (
            "abrupt_exit" if result.get("status") == "running" else "script_error"),
        "run": last["index"],
        "run_in_progress": bool(last.get("in_progress")),
        "steps_measured": int(last.get("steps") or 0),
        "runs": len(runs),
    }


def run(args: argparse.Namespace) -> int:
    """Run the probe for parsed arguments and print the report; returns the exit code."""
    problem = _split_remainder(args)
    if problem:
        return _usage_error(problem)
    script = Path(args.script)
    if not script.is_file():
        return _usage_error(f"no such script: {script}")
    if args.steps < 1 or args.timeout <= 0 or args.max_fits < 1:
        return _usage_error("--steps, --timeout and --max-fits must be positive")
    if args.cwd is not None and not Path(args.cwd).is_dir():
        return _usage_error(f"--cwd: no such directory: {args.cwd}")
    try:
        return _run(args, script)
    except Exception:  # noqa: BLE001 - the one error boundary: a paste-ready report
        print("rnnlint probe: internal error, please report this:\n" + traceback.format_exc(),
              file=sys.stderr)
        return EXIT_INTERNAL


def _notes(outcome, status: str) -> list[str]:
    result = outcome.result or {}
    notes = []
    if status in ("timeout", "internal_error") or (status == "script_error" and not result.get("error")):
        notes.append("last output of the script:\n" + outcome.output_tail.strip()[-2000:])
    error = result.get("error") or {}
    if error.get("type") in ("FileNotFoundError", "IsADirectoryError", "NotADirectoryError") or (
            "No such file" in str(error.get("message", ""))):
        notes.append(f"the script ran in {outcome.cwd} (the directory rnnlint probe was started from, as "
                     "`python SCRIPT` would; --cwd DIR runs it elsewhere)")
    return notes


def writes_summary(outcome, kept_in: str | None) -> dict:
    """What became of the script's writes: the child's sandbox account plus the parent's check of
    the script's folder."""
    writes = dict((outcome.result or {}).get("writes") or {})
    writes.update({"escaped": outcome.escaped, "folder_checked": outcome.folder_checked,
                   "kept_in": kept_in if writes.get("redirected_count") else None})
    return writes


def _run(args: argparse.Namespace, script: Path) -> int:
    from rnnlint.catalog import default_catalog
    from rnnlint.probe import report, symptoms, whatif
    from rnnlint.probe.notebook import ProbedNotebook, is_notebook, load as load_notebook, skip_note
    from rnnlint.source import SourceError
    from rnnlint.probe.runner import ProbeRequest, run_probe

    catalog = default_catalog()
    notebook: ProbedNotebook | None = None
    if is_notebook(script):
        loaded = load_notebook(script)
        if isinstance(loaded, SourceError):
            return _usage_error(f"{script}: {loaded.message}")
        notebook = loaded
    findings, static_note = (None, "skipped (--no-static)") if args.no_static else _static_findings(script)
    request = ProbeRequest(script=script, script_args=tuple(args.script_args), steps=args.steps,
                           timeout=args.timeout, seed=args.seed, max_fits=args.max_fits,
                           allow_gpu=args.allow_gpu, cwd=Path(args.cwd) if args.cwd else None,
                           program_text=notebook.program.text if notebook is not None else None,
                           what_if=args.what_if, static_names=tuple(sorted({f.name for f in findings or ()})),
                           keep_writes=Path(args.keep_writes) if args.keep_writes else None)
    outcome = run_probe(request, on_progress=None if args.quiet else _progress)
    if notebook is not None and outcome.program_path:
        notebook.map_frames(outcome.result, outcome.program_path, script)
    status, headline, fixed_exit = _classify(outcome)
    result = outcome.result or {}
    assessment = None
    if _measured_steps(result):  # no verdict, not even a data-only one, without a measured step
        assessment = symptoms.assess(result, symptoms.Thresholds(catalog))
    tried = []
    if assessment is not None:
        tried = whatif.judge_all(result, symptoms.Thresholds(catalog), catalog)
    static = None
    if findings is not None and assessment is not None:
        static = symptoms.confirm_static(findings, assessment, catalog, tried)
    elif findings:
        static_note = "not judged: the script ran no training step"
    predicted = symptoms.predicted_failure(findings or [], result.get("error"), script, catalog)
    if fixed_exit is not None:
        exit_code = fixed_exit
    elif assessment is not None and assessment.confirmed():
        exit_code = EXIT_CONFIRMED
    else:
        exit_code = EXIT_CLEAN
    notes = [note for note in [skip_note(notebook) if notebook is not None else None] if note]
    if status == "no_fit":
        from rnnlint.probe.entry import where_training_starts

        text = notebook.program.text if notebook is not None else script.read_text(encoding="utf-8", errors="replace")
        notes.append(where_training_starts(script, text))
    notes += _notes(outcome, status)
    summary = {
        "script": str(script), "status": status, "headline": headline, "exit_code": exit_code,
        "seconds": outcome.seconds, "seed": args.seed, "steps": args.steps, "result": outcome.result,
        "notes": notes, "static_note": static_note, "output_tail": outcome.output_tail,
        "remedies": tried, "what_if": args.what_if,
        "cwd": outcome.cwd, "cut": cut_summary(outcome, status), "predicted_by": predicted,
        "writes": writes_summary(outcome, args.keep_writes),
    }
    render = report.render_json if args.format == "json" else report.render_text
    sys.stdout.write(render(summary, assessment, static))
    if args.html:
        from rnnlint.probe import html

        Path(args.html).write_text(html.render(summary, assessment, static), encoding="utf-8")
    return exit_code
