"""Render a probe result: a terminal summary with small block-character charts, or JSON with every series.

Pure functions of the assessed result; the command decides where the text goes.
"""

from __future__ import annotations

import json
import os
import math

from rnnlint.probe import measures, whatif
from rnnlint.probe.symptoms import Assessment, StaticCheck, Verdict

JSON_VERSION = 1
BLOCKS = " ▁▂▃▄▅▆▇█"
CHART_WIDTH = 60
CHART_HEIGHT = 5


def _fmt(value) -> str:
    if value is None:
        return "n/a"
    if isinstance(value, float):
        return f"{value:.3g}"
    return str(value)


NONFINITE, NOT_POSITIVE = "×", "·"


def _scaled(values: list, log: bool) -> list[float | str]:
    """Plot coordinates, or a marker: × for NaN/Inf, · for zero or negative on a log scale."""
    out: list[float | str] = []
    for v in values:
        if v is None or not math.isfinite(v):
            out.append(NONFINITE)
        elif log and v <= 0:
            out.append(NOT_POSITIVE)
        else:
            out.append(math.log10(v) if log else v)
    return out


def chart(values: list, title: str, log: bool = True) -> list[str]:
    """A small column chart. Once the series turns NaN/Inf the chart shows the steps before that,
    says where it turned and what the last finite values were, so a run that is NaN from its first
    steps is not just a row of × marks."""
    if not values:
        return []
    bad = measures.nonfinite_steps(values)
    if not bad:
        return _columns(values, title, log)
    first = bad[0]
    before = [v for v in values[:first] if v is not None]
    tail = ", ".join(_fmt(v) for v in before[-3:]) or "none"
    note = (f"  {title}: NaN/Inf from step {first} of {len(values)}; "
            f"last finite value(s) before it: {tail}")
    if len(before) < 2:
        return [note]
    return _columns(values[:first], title, log) + [note]


def _columns(values: list, title: str, log: bool) -> list[str]:
    points = _scaled(measures.downsample(values, CHART_WIDTH), log)
    finite = [p for p in points if not isinstance(p, str)]
    if not finite:
        return [f"  {title}: no finite value to draw"]
    lo, hi = min(finite), max(finite)
    span = hi - lo or 1.0
    levels = [p if isinstance(p, str) else (p - lo) / span * (CHART_HEIGHT * 8 - 1) + 1 for p in points]
    top = 10**hi if log else hi
    bottom = 10**lo if log else lo
    label_width = max(len(_fmt(top)), len(_fmt(bottom)))
    lines = [f"  {title}{' (log scale)' if log else ''}, {len(values)} steps"]
    for row in range(CHART_HEIGHT - 1, -1, -1):
        cells = []
        for level in levels:
            if isinstance(level, str):
                cells.append(level if row == 0 else " ")
                continue
            fill = level - row * 8
            cells.append(BLOCKS[8] if fill >= 8 else BLOCKS[max(0, int(fill))])
        label = _fmt(top) if row == CHART_HEIGHT - 1 else _fmt(bottom) if row == 0 else ""
        lines.append(f"  {label:>{label_width}} ┤{''.join(cells)}")
    return lines


def sparkline(values: list, log: bool = True) -> str:
    points = _scaled(measures.downsample(values, CHART_WIDTH), log)
    finite = [p for p in points if not isinstance(p, str)]
    lo, hi = (min(finite), max(finite)) if finite else (0.0, 1.0)
    span = hi - lo or 1.0
    return "".join(p if isinstance(p, str) else BLOCKS[1 + int((p - lo) / span * 7.999)] for p in points)


def _run_header(run: dict) -> str:
    kind = "fit" if run["kind"] == "fit" else "custom training loop"
    clip = [f"{k}={run[k]}" for k in ("clipnorm", "clipvalue", "global_clipnorm") if run.get(k)]
    parts = [f"{kind} #{run['index']}", f"{run.get('optimizer', '?')} learning_rate={_fmt(run.get('learning_rate'))}"]
    parts.append(", ".join(clip) if clip else "no clipping")
    if run.get("batch_size"):
        parts.append(f"batch {run['batch_size']}")
    parts.append(f"{run.get('steps', 0)} steps in {run.get('seconds', 0):.1f} s")
    return "  ".join(parts)


def _profile_lines(run: dict) -> list[str]:
    lines = []
    latest: dict[str, dict] = {}
    for profile in run.get("timestep_profiles", []):
        if any(v is not None and math.isfinite(v) and v > 0 for v in profile["norms"]):
            latest[profile["layer"]] = profile
    for layer, profile in latest.items():
        norms = profile["norms"]
        lines.append(
            f"  gradient per timestep into {layer} at step {profile['step']} (log, first → last of "
            f"{len(norms)}):"
        )
        lines.append(f"    {sparkline(norms)}")
    return lines


def _verdict_lines(verdicts: list[Verdict]) -> list[str]:
    width = max((len(v.name) for v in verdicts), default=0)
    return [f"  {v.code} {v.name:<{width}}  {v.verdict:<14}  {v.message}" for v in verdicts]


LIBRARY_MARKERS = ("site-packages", "dist-packages")
SHOWN_USER_FRAMES = 8


def _origin(frame: dict) -> str:
    """'script' (the user's code), 'library' or 'probe'; the child says so, older results are guessed."""
    if frame.get("origin"):
        return frame["origin"]
    file = frame.get("file", "")
    if any(marker in file for marker in LIBRARY_MARKERS) or file.startswith("<frozen"):
        return "library"
    return "script"


def _frame_lines(frame: dict) -> list[str]:
    # A notebook's frames carry the cell: "line 12" of the joined program means nothing to its reader.
    where = f"cell {frame['cell']} line {frame['line']}" if "cell" in frame else f"{frame['line']}"
    lines = [f"    {frame['file']}:{where} in {frame['function']}"]
    if frame.get("code"):
        lines.append(f"        {frame['code']}")
    return lines


def _library_frames_that_matter(frames: list[dict]) -> list[dict]:
    """After the user's last frame: the library call it made, and the two frames where it was raised."""
    if len(frames) <= 4:
        return frames
    return [frames[0], *frames[-2:]]


def traceback_lines(error: dict) -> list[str]:
    """The user's own frames first (where to look), then the library frames that matter."""
    frames = error.get("frames", [])
    user_at = [i for i, f in enumerate(frames) if _origin(f) == "script"]
    lines = []
    if user_at:
        user = [frames[i] for i in user_at][-SHOWN_USER_FRAMES:]
        lines.append("  in your code (innermost last):")
        for frame in user:
            lines += _frame_lines(frame)
        library = [f for f in frames[user_at[-1] + 1:] if _origin(f) != "script"]
    else:
        library = frames
    if library:
        shown = _library_frames_that_matter(library)
        total = error.get("library_frames", len(library))
        lines.append(f"  then in the libraries ({len(shown)} of {total} frames: the call, and where it was raised):"
                     if len(shown) < total else "  then in the libraries:")
        for frame in shown:
            lines += _frame_lines(frame)
    return lines


def _error_lines(error: dict, predicted: list[dict]) -> list[str]:
    lines = [f"the script raised {error['type']}: {error['message']}"]
    lines += traceback_lines(error)
    if error.get("hint"):
        lines.append(f"hint: {error['hint']}")
    for hit in predicted:
        lines.append(f"  line {hit['line']}: {hit['code']} {hit['name']} predicted this (rnnlint check)")
    return lines


def _internal_lines(error: dict) -> list[str]:
    lines = [f"rnnlint itself failed ({error.get('where', 'while probing')}), please report this: "
             f"{error['type']}: {error['message']}"]
    for frame in error.get("frames", []):
        lines += _frame_lines(frame)
    return lines


def _what_if_notes(summary: dict, result: dict) -> list[str]:
    """Why --what-if tried what it tried (the remedy lines themselves sit under their fit)."""
    notes = [n for n in result.get("notes", []) if n.startswith("--what-if")]
    if not notes and not summary.get("remedies"):
        notes = ["--what-if: no remedy tried (no confirmed symptom names one)"]
    return [""] + notes


def render_text(summary: dict, assessment: Assessment | None, static: list[StaticCheck] | None) -> str:
    """The terminal report. `summary` holds script, status, seconds, exit_code, outcome notes."""
    lines = [f"rnnlint probe: {summary['script']}"]
    lines.append(f"{summary['headline']} ({summary['seconds']:.1f} s, seed {summary['seed']}, "
                 f"at most {summary['steps']} steps per run)")
    result = summary.get("result") or {}
    if result.get("status") == "internal_error" and result.get("error"):
        lines += _internal_lines(result["error"])
    elif result.get("error"):
        lines += _error_lines(result["error"], summary.get("predicted_by") or [])
    for note in summary.get("notes", []):
        lines.append(f"note: {note}")
    lines += writes_lines(summary.get("writes") or {}, summary.get("cwd") or "")
    if result.get("runs") and result.get("history_source"):
        lines.append(f"note: {result['history_source']}")
    for run in result.get("runs", []):
        lines.append("")
        lines.append(_run_header(run))
        for note in run.get("notes", []):
            lines.append(f"  note: {note}")
        lines += chart(run.get("loss") or [], "loss")
        lines += chart(run.get("grad_norm") or [], "gradient norm (before clipping)")
        lines += _profile_lines(run)
        if assessment is not None:
            lines += _verdict_lines(assessment.run_verdicts.get(run["index"], []))
        lines += [f"  {whatif.line(r)}" for r in summary.get("remedies", []) if r["run"] == run["index"]]
    if assessment is not None and result.get("runs"):
        lines.append("")
        lines.append("whole script")
        lines += _verdict_lines(assessment.script_verdicts)
    if static:
        lines.append("")
        lines.append("static findings, as measured")
        for check in static:
            lines.append(f"  line {check.line}: {check.code} [{check.name}] {check.verdict}")
            if check.deciding:
                lines.append(f"      by {', '.join(check.deciding)} (numbers above)")
            else:
                lines.append(f"      {check.evidence}")
            if check.verified:
                lines.append(f"      {check.verified}")
    elif summary.get("static_note"):
        lines.append("")
        lines.append(f"static findings: {summary['static_note']}")
    if summary.get("what_if"):
        lines += _what_if_notes(summary, result)
    if assessment is not None:
        confirmed = assessment.confirmed()
        lines.append("")
        if confirmed:
            codes = ", ".join(sorted({f"{v.code} {v.name}" for v in confirmed}))
            lines.append(f"{len(confirmed)} confirmed symptom(s): {codes}")
        else:
            lines.append("no confirmed symptom")
    return "\n".join(lines) + "\n"


def _clean(value):
    """JSON without NaN/Inf (not valid JSON): they become null; the *_finite series keep the facts."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {k: _clean(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_clean(v) for v in value]
    return value


def _shown(paths: list[str], total: int, cwd: str, limit: int = 5) -> str:
    def short(path: str) -> str:
        return os.path.relpath(path, cwd) if cwd and (path + os.sep).startswith(cwd + os.sep) else path
    text = ", ".join(short(p) for p in paths[:limit])
    return text + (f" and {total - limit} more" if total > limit else "")


def writes_lines(writes: dict, cwd: str) -> list[str]:
    """Where the script's writes went: the sandbox's account and the parent's folder check."""
    lines = []
    if writes.get("redirected_count"):
        kept = (f"copied to {writes['kept_in']}" if writes.get("kept_in")
                else "discarded with it; --keep-writes DIR keeps them")
        lines.append(f"note: the script's writes went to the probe's sandbox, not your files ({kept}): "
                     f"{_shown(writes['redirected'], writes['redirected_count'], cwd)}")
    if writes.get("deleted_count"):
        lines.append("note: files the script deleted were hidden from it, not deleted: "
                     f"{_shown(writes['deleted'], writes['deleted_count'], cwd)}")
    if writes.get("refused_count"):
        lines.append("note: writes the probe could not redirect were refused (the script saw a "
                     f"PermissionError): {_shown(writes['refused'], writes['refused_count'], cwd)}")
    for library in writes.get("unpatched") or []:
        lines.append(f"note: the sandbox could not cover {library}; the folder check below still runs")
    if writes.get("escaped"):
        lines.append("warning: files in the script's folder changed during the probe, written where "
                     "the sandbox cannot see (a subprocess or a C library): "
                     f"{_shown(writes['escaped'], len(writes['escaped']), '')}")
    if writes and not writes.get("folder_checked", True):
        lines.append("note: the script's folder is too large to check whole for writes the sandbox "
                     "could not see; the first 20,000 entries were")
    return lines


def render_json(summary: dict, assessment: Assessment | None, static: list[StaticCheck] | None) -> str:
    result = summary.get("result") or {}
    runs = []
    for run in result.get("runs", []):
        entry = dict(run)
        if assessment is not None:
            entry["symptoms"] = [v.to_json() for v in assessment.run_verdicts.get(run["index"], [])]
        runs.append(entry)
    document = {
        "version": JSON_VERSION,
        "script": summary["script"],
        "status": summary["status"],
        "headline": summary["headline"],
        "exit_code": summary["exit_code"],
        "seconds": round(summary["seconds"], 3),
        "seed": summary["seed"],
        "steps": summary["steps"],
        "error": result.get("error"),
        "stop_reason": result.get("stop_reason", ""),
        "notes": summary.get("notes", []) + result.get("notes", []),
        "runs": runs,
        "leak": result.get("leak", []),
        "history_source": result.get("history_source") if runs else None,
        "script_symptoms": [v.to_json() for v in assessment.script_verdicts] if assessment else [],
        "confirmed": sorted({v.code for v in assessment.confirmed()}) if assessment else [],
        "static": [c.to_json() for c in static] if static is not None else None,
        "static_note": summary.get("static_note"),
        "remedies": summary.get("remedies", []),
        "output_tail": summary.get("output_tail", ""),
        "cwd": summary.get("cwd"),
        "cut": summary.get("cut"),
        "predicted_by": summary.get("predicted_by") or [],
        "writes": summary.get("writes"),
    }
    return json.dumps(_clean(document), indent=2) + "\n"
