"""`--html PATH`: the probe's report as one self-contained page (inline SVG charts, no network).

Charts come from matplotlib when it is installed (the `probe` extra); without it the page says so
and keeps the tables. A series that turns NaN/Inf is drawn up to its last finite value, with a line
where it turned, so a run that is NaN from its first steps still shows something readable.
"""

from __future__ import annotations

import html
import io
import math
import re

from rnnlint.probe import measures, whatif
from rnnlint.probe.symptoms import Assessment, StaticCheck

STYLE = """
body{font:14px/1.45 system-ui,sans-serif;margin:24px auto;padding:0 16px;max-width:1100px;color:#222;background:#fff}
h1{font-size:20px}h2{font-size:17px;margin-top:28px;border-bottom:1px solid #ddd}
table{border-collapse:collapse;margin:8px 0}td,th{border:1px solid #ddd;padding:3px 7px;vertical-align:top}
.confirmed{color:#b00020;font-weight:600}.resolved{color:#137333;font-weight:600}
.charts{display:flex;flex-wrap:wrap;gap:8px}figure.chart{margin:0;max-width:100%}figure.chart svg{max-width:100%;height:auto}.missing{background:#fff4e5;padding:8px}
code{background:#f3f3f3;padding:0 3px}
"""
ORIGINAL, REMEDY_COLOURS = "#444444", ("#1a73e8", "#e8710a", "#137333", "#9334e6", "#d01884")


def _matplotlib():
    try:
        from matplotlib.backends.backend_svg import FigureCanvasSVG
        from matplotlib.figure import Figure
    except ImportError:
        return None
    return Figure, FigureCanvasSVG


def _svg(fig, canvas_class) -> str:
    canvas_class(fig)
    buffer = io.StringIO()
    fig.savefig(buffer, format="svg", bbox_inches="tight")
    text = buffer.getvalue()
    text = re.sub(r"<metadata>.*?</metadata>", "", text, flags=re.S)  # a date: pages differ run to run
    return text[text.index("<svg"):]


def _finite_prefix(values: list) -> tuple[list[int], list[float], int | None]:
    """Steps and values before the first NaN/Inf (None gaps skipped), and that first step."""
    bad = measures.nonfinite_steps(values)
    stop = bad[0] if bad else len(values)
    steps = [i for i in range(stop) if values[i] is not None and values[i] > 0]
    return steps, [values[i] for i in steps], (bad[0] if bad else None)


def _plot_series(ax, values: list, label: str, colour: str, row: int, original: bool) -> None:
    """One curve; where it turns NaN/Inf, a dashed line and (stacked per curve) the last finite value."""
    steps, points, turned = _finite_prefix(values)
    if turned is not None:
        label += f" (NaN/Inf from step {turned})"
    if points:
        ax.plot(steps, points, color=colour, linewidth=2.2 if original else 1.2, label=label,
                marker="o" if len(points) < 3 else None, zorder=3 if original else 2)
    if turned is not None:
        ax.axvline(turned, color=colour, linestyle="--", linewidth=1)
        last = f", last finite {points[-1]:.3g}" if points else ", none finite"
        late = turned > len(values) / 2  # label on the left of the line, inside the chart
        ax.annotate(f"NaN/Inf from step {turned}{last}", xy=(turned, 0.95 - 0.09 * row),
                    xycoords=("data", "axes fraction"), color=colour, fontsize=8, va="top",
                    ha="right" if late else "left", xytext=(-4 if late else 4, 0), textcoords="offset points")


def _curve_chart(libs, title: str, series: list[tuple[str, list, str]]) -> str:
    figure_class, canvas_class = libs
    fig = figure_class(figsize=(10, 3.0))
    ax = fig.add_subplot()
    turned = 0
    for n, (label, values, colour) in enumerate(series):
        _plot_series(ax, values, label, colour, turned, n == 0)
        turned += bool(measures.nonfinite_steps(values))
    ax.set_yscale("log")
    ax.set_xlabel("step")
    ax.set_title(title, fontsize=10)
    ax.grid(alpha=0.3)
    if len(series) > 1 or any(measures.nonfinite_steps(v) for _, v, _ in series):
        ax.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.01, 1.0))
    return _svg(fig, canvas_class)


def _heat_strip(libs, run: dict) -> str:
    """Per-timestep gradient (log) into each recurrent layer, one row per checkpoint."""
    import numpy as np

    figure_class, canvas_class = libs
    profiles = [p for p in run.get("timestep_profiles", []) if p.get("norms")]
    if not profiles:
        return ""
    layers = list(dict.fromkeys(p["layer"] for p in profiles))
    fig = figure_class(figsize=(10, 0.9 + 0.35 * len(profiles)))
    for n, layer in enumerate(layers):
        rows = [p for p in profiles if p["layer"] == layer]
        table = np.array([[v if v is not None and math.isfinite(v) and v > 0 else np.nan for v in p["norms"]]
                          for p in rows], dtype=float)
        ax = fig.add_subplot(len(layers), 1, n + 1)
        with np.errstate(divide="ignore", invalid="ignore"):
            image = ax.imshow(np.log10(table), aspect="auto", cmap="viridis", interpolation="nearest")
        ax.set_yticks(range(len(rows)), [f"step {p['step']}" for p in rows], fontsize=7)
        for r, values in enumerate(table):
            if not np.isfinite(values).any():
                ax.text(len(values) / 2, r, "no finite gradient (NaN/Inf)", ha="center", va="center",
                        fontsize=8, color="#b00020")
        ax.set_xlabel(f"timestep into {layer} (first → last)", fontsize=8)
        fig.colorbar(image, ax=ax, label="log10 |grad|")
    return _svg(fig, canvas_class)


def _figure(name: str, svg: str) -> str:
    return f'<figure class="chart" data-chart="{html.escape(name)}">{svg}</figure>' if svg else ""


def _verdict_table(verdicts) -> str:
    rows = "".join(
        f"<tr><td>{v.code}</td><td>{html.escape(v.name)}</td>"
        f"<td class=\"{'confirmed' if v.verdict == 'confirmed' else ''}\">{v.verdict}</td>"
        f"<td>{html.escape(v.message)}</td></tr>" for v in verdicts)
    return f"<table><tr><th>code</th><th>symptom</th><th>verdict</th><th>numbers</th></tr>{rows}</table>"


def _run_section(libs, run: dict, assessment: Assessment | None, tried: list[dict]) -> str:
    index = run["index"]
    title = f"{'fit' if run['kind'] == 'fit' else 'custom training loop'} #{index}"
    rate = run.get("learning_rate")
    header = (f"{run.get('optimizer', '?')} learning_rate={'?' if rate is None else f'{rate:.3g}'}, "
              f"{run.get('steps', 0)} steps in {run.get('seconds', 0):.1f} s")
    out = [f"<h2>{title}</h2><p>{html.escape(header)}</p>"]
    mine = [r for r in tried if r["run"] == index]
    if libs is not None:
        loss = [("as written", run.get("loss") or [], ORIGINAL)]
        grad = [("as written", run.get("grad_norm") or [], ORIGINAL)]
        for colour, remedy in zip(REMEDY_COLOURS * 4, mine):
            loss.append((remedy["change"][:48], remedy["after"]["loss"], colour))
            grad.append((remedy["change"][:48], remedy["after"]["grad_norm"], colour))
        out.append('<div class="charts">')
        out.append(_figure(f"loss-{index}", _curve_chart(libs, "training loss (log)", loss)))
        out.append(_figure(f"grad-{index}", _curve_chart(libs, "gradient norm before clipping (log)", grad)))
        out.append(_figure(f"profile-{index}", _heat_strip(libs, run)))
        out.append("</div>")
    if assessment is not None:
        out.append(_verdict_table(assessment.run_verdicts.get(index, [])))
    if mine:
        items = "".join(f"<li class=\"{'resolved' if r['resolved'] else ''}\">{html.escape(whatif.line(r))}</li>"
                        for r in mine)
        out.append(f"<h3>--what-if</h3><ul>{items}</ul>")
    return "".join(out)


def render(summary: dict, assessment: Assessment | None, static: list[StaticCheck] | None) -> str:
    """The whole page as one string."""
    libs = _matplotlib()
    result = summary.get("result") or {}
    tried = summary.get("remedies") or []
    parts = [f"<h1>rnnlint probe: {html.escape(str(summary['script']))}</h1>",
             f"<p>{html.escape(summary['headline'])} ({summary['seconds']:.1f} s, seed {summary['seed']}, "
             f"exit code {summary['exit_code']})</p>"]
    if libs is None:
        parts.append('<p class="missing">Charts need matplotlib, which is not installed: '
                     "<code>pip install 'rnnlint[probe]'</code>. The numbers are below.</p>")
    if assessment is not None:
        confirmed = sorted({f"{v.code} {v.name}" for v in assessment.confirmed()})
        parts.append(f"<p class=\"confirmed\">confirmed: {html.escape(', '.join(confirmed))}</p>" if confirmed
                     else "<p>no confirmed symptom</p>")
    for run in result.get("runs", []):
        parts.append(_run_section(libs, run, assessment, tried))
    if assessment is not None and result.get("runs"):
        parts.append("<h2>whole script</h2>" + _verdict_table(assessment.script_verdicts))
    if static:
        rows = "".join(f"<tr><td>{c.line}</td><td>{c.code} {html.escape(c.name)}</td><td>{c.verdict}</td>"
                       f"<td>{html.escape(c.evidence)}<br><b>{html.escape(c.verified)}</b></td></tr>" for c in static)
        parts.append(f"<h2>static findings, as measured</h2><table>{rows}</table>")
    body = "\n".join(parts)
    return (f"<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>rnnlint probe</title>"
            f"<style>{STYLE}</style></head><body>\n{body}\n</body></html>\n")
