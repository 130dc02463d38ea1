"""`rnnlint probe SCRIPT [options] [-- SCRIPT_ARGS...]`: arguments, the run, the report, the exit code.

Exit codes: 0 no confirmed symptom, 1 confirmed symptom(s), 2 usage error, 3 internal error,
4 the script itself failed or timed out.
"""

from __future__ import annotations

import argparse
import sys
import traceback
from pathlib import Path

EXIT_CLEAN, EXIT_CONFIRMED, EXIT_USAGE, EXIT_INTERNAL, EXIT_SCRIPT = 0, 1, 2, 3, 4
DEFAULT_STEPS = 200
DEFAULT_TIMEOUT = 180.0
DEFAULT_MAX_FITS = 3


def _add_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--steps", type=int, default=DEFAULT_STEPS,
                        help=f"optimizer steps per probed run (default {DEFAULT_STEPS})")
    parser.add_argument("--timeout", type=float, default=DEFAULT_TIMEOUT,
                        help=f"seconds before the script is killed (default {DEFAULT_TIMEOUT:g})")
    parser.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
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


def _classify(outcome) -> tuple[str, str, int | None]:
    """(status, headline, exit code when it does not depend on symptoms)."""
    result = outcome.result
    if result is None:
        if outcome.timed_out:
            return "timeout", "timed out before the probe started", EXIT_SCRIPT
        return "internal_error", "the probe's child process wrote no result", EXIT_INTERNAL
    status, runs = result["status"], result.get("runs", [])
    if status == "starting":
        if outcome.timed_out:
            return "timeout", "timed out while importing TensorFlow", EXIT_SCRIPT
        return "internal_error", "the probe failed before running the script", EXIT_INTERNAL
    if outcome.timed_out:
        if runs:
            return "timeout", f"timed out after {len(runs)} probed run(s)", None
        return "timeout", "timed out: the script never called fit within the time budget", EXIT_SCRIPT
    if status == "running":  # the interpreter died under the script (a crash, os._exit, a signal)
        return "script_error", f"the script's process ended abruptly (exit status {outcome.returncode})", (
            None if runs else EXIT_SCRIPT)
    if status == "script_error":
        if runs:
            return "script_error", "the script failed after the probed run(s)", None
        return "script_error", "the script failed before training", EXIT_SCRIPT
    if not runs:
        return "no_fit", "the script finished without calling fit or applying gradients", EXIT_CLEAN
    if status == "stopped":
        return "stopped", f"probed {len(runs)} run(s); {result.get('stop_reason', '')}", None
    return "completed", f"probed {len(runs)} run(s); the script finished", None


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
    try:
        return _run(args, script)
    except Exception:  # noqa: BLE001 - the one error boundary: a paste-ready report
        print("rnnlint probe: internal error, please report this:\n" + traceback.format_exc(),
              file=sys.stderr)
        return EXIT_INTERNAL


def _run(args: argparse.Namespace, script: Path) -> int:
    from rnnlint.catalog import default_catalog
    from rnnlint.probe import report, symptoms, whatif
    from rnnlint.probe.runner import ProbeRequest, run_probe

    catalog = default_catalog()
    findings, static_note = (None, "skipped (--no-static)") if args.no_static else _static_findings(script)
    request = ProbeRequest(script=script, script_args=tuple(args.script_args), steps=args.steps,
                           timeout=args.timeout, seed=args.seed, max_fits=args.max_fits,
                           allow_gpu=args.allow_gpu, what_if=args.what_if,
                           static_names=tuple(sorted({f.name for f in findings or ()})))
    outcome = run_probe(request, on_progress=None if args.quiet else _progress)
    status, headline, fixed_exit = _classify(outcome)
    assessment = None
    if outcome.result is not None and outcome.result.get("runs"):
        assessment = symptoms.assess(outcome.result, symptoms.Thresholds(catalog))
    tried = []
    if outcome.result is not None and assessment is not None:
        tried = whatif.judge_all(outcome.result, symptoms.Thresholds(catalog), catalog)
    static = None
    if findings is not None and assessment is not None:
        static = symptoms.confirm_static(findings, assessment, catalog, tried)
    elif findings:
        static_note = "not judged: the script ran no training step"
    if fixed_exit is not None:
        exit_code = fixed_exit
    elif assessment is not None and assessment.confirmed():
        exit_code = EXIT_CONFIRMED
    elif status in ("timeout", "script_error"):
        exit_code = EXIT_SCRIPT
    else:
        exit_code = EXIT_CLEAN
    notes = []
    if status in ("timeout", "internal_error") or (status == "script_error" and not (outcome.result or {}).get("error")):
        notes.append("last output of the script:\n" + outcome.output_tail.strip()[-2000:])
    summary = {
        "script": str(script), "status": status, "headline": headline, "exit_code": exit_code,
        "seconds": outcome.seconds, "seed": args.seed, "steps": args.steps, "result": outcome.result,
        "notes": notes, "static_note": static_note, "output_tail": outcome.output_tail,
        "remedies": tried, "what_if": args.what_if,
    }
    render = report.render_json if args.format == "json" else report.render_text
    sys.stdout.write(render(summary, assessment, static))
    if args.html:
        from rnnlint.probe import html

        Path(args.html).write_text(html.render(summary, assessment, static), encoding="utf-8")
    return exit_code
