"""`--what-if`: which remedies to rerun for a fit's confirmed symptoms, and whether each resolved them.

Pure functions over the catalog and the child's measurements: `plan` runs in the child (it decides
which reruns to make), `judge` in the parent (it re-assesses each rerun with the same thresholds as
the original fit). Applying a remedy in memory is `remedies.py`'s job.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from rnnlint.catalog import REMEDY_KINDS, Catalog, Remedy
from rnnlint.probe import measures, symptoms


ACROSS_FITS = ("rebuild-model",)  # judged against the script's other fits, so never combined


@dataclass(frozen=True)
class Planned:
    """One rerun: a single remedy, or the combination of several."""

    remedies: tuple[Remedy, ...]
    symptoms: tuple[str, ...]  # the confirmed symptoms (codes) it targets

    @property
    def kinds(self) -> tuple[str, ...]:
        return tuple(r.kind for r in self.remedies)


def plan(confirmed: list[str], catalog: Catalog, static_names: set[str]) -> list[Planned]:
    """Each remedy the confirmed symptoms name (once, aimed at every symptom naming it), then their
    combination when there are several (a remedy judged across fits stays alone). A remedy that applies only beside a static finding
    (`when_static`) is left out without it."""
    chosen: dict[str, Remedy] = {}
    targets: dict[str, list[str]] = {}
    for code in confirmed:
        for remedy in catalog.by_code[code].remedies:
            needs = remedy.parameters.get("when_static")
            if needs and needs not in static_names:
                continue
            chosen.setdefault(remedy.kind, remedy)
            targets.setdefault(remedy.kind, [])
            if code not in targets[remedy.kind]:
                targets[remedy.kind].append(code)
    kinds = sorted(chosen, key=REMEDY_KINDS.index)
    out = [Planned((chosen[k],), tuple(targets[k])) for k in kinds]
    combinable = [k for k in kinds if k not in ACROSS_FITS]
    if len(combinable) > 1:
        every = tuple(dict.fromkeys(code for k in combinable for code in targets[k]))
        out.append(Planned(tuple(chosen[k] for k in combinable), every))
    return out


def confirmed_codes(run: dict, th: symptoms.Thresholds) -> list[str]:
    """The run's own confirmed symptoms, and RNN510 when this fit started from a previous fit's weights."""
    codes = [v.code for v in symptoms.assess({"runs": [run]}, th).run_verdicts[run["index"]]
             if v.verdict == symptoms.CONFIRMED]
    return codes + (["RNN510"] if symptoms.reused_start(run, th) else [])


# --------------------------------------------------------------------------- judging a rerun


def loss_change(loss: list) -> tuple[float | None, int | None]:
    """(fitted relative change of the loss over the run, first step whose loss was NaN/Inf)."""
    bad = measures.nonfinite_steps(loss or [])
    if bad:
        return None, bad[0]
    trend = measures.log_trend(loss or [], 0.95)
    return (trend.change if trend else None), None


def deciding(run: dict) -> dict:
    """The measurements a remedy line is read by, plus the series they come from."""
    change, nonfinite_at = loss_change(run.get("loss") or [])
    grads_bad = [i for i, ok in enumerate(run.get("grads_finite") or []) if not ok]
    return {
        "peak_grad_norm": measures.finite_max(run.get("grad_norm") or []),
        "final_grad_norm": _final(run.get("grad_norm") or []),
        "first_nonfinite_gradient": grads_bad[0] if grads_bad else None,
        "loss_change": change,
        "first_nonfinite_loss": nonfinite_at,
        "steps": run.get("steps", 0),
        "loss": run.get("loss") or [],
        "grad_norm": run.get("grad_norm") or [],
    }


def _final(values: list) -> float | None:
    """The median of the last tenth of the run (None when those steps are not finite)."""
    tail = measures.as_array(values[-max(1, len(values) // 10):])
    return float(np.median(tail)) if len(tail) and np.isfinite(tail).all() else None


def _fell_more(before: dict, after: dict) -> bool:
    if after["first_nonfinite_loss"] is not None or after["loss_change"] is None:
        return False
    if before["first_nonfinite_loss"] is not None or before["loss_change"] is None:
        return after["loss_change"] < 0
    return after["loss_change"] < min(0.0, before["loss_change"])


def judge(entry: dict, original: dict, th: symptoms.Thresholds, catalog: Catalog,
          runs: dict[int, dict] | None = None) -> dict:
    """The JSON of one tried remedy: what changed, before/after, resolved or not and why."""
    if "rebuild-model" in entry["remedies"]:
        return judge_rebuild(entry, original, first_fit(original, runs or {}), catalog)
    after_run = entry["after"]
    verdicts = {v.name: v for v in symptoms.assess({"runs": [after_run]}, th).run_verdicts[after_run["index"]]}
    before_verdicts = {v.name: v for v in symptoms.assess({"runs": [original]}, th).run_verdicts[original["index"]]}
    names = [catalog.by_code[c].name for c in entry["symptoms"]]
    must_clear = list(dict.fromkeys(n for r in entry["remedies"] for n in _criteria(catalog, r)[0]))
    loss_falls = any(_criteria(catalog, r)[1] for r in entry["remedies"])
    before, after = deciding(original), deciding(after_run)
    still = [n for n in must_clear if n in verdicts and verdicts[n].verdict == symptoms.CONFIRMED]
    fell = _fell_more(before, after)
    resolved = not still and (fell or not loss_falls) and bool(after_run.get("steps"))
    for side, table in ((before, before_verdicts), (after, verdicts)):
        side["verdicts"] = {n: table[n].verdict for n in must_clear if n in table}
    return {
        "run": entry["run"], "remedies": entry["remedies"], "symptoms": entry["symptoms"],
        "symptom_names": names, "change": entry["change"], "resolved": resolved,
        "still_confirmed": still, "loss_fell_more": fell, "needs_loss_fall": loss_falls,
        "note": entry.get("note", ""), "range_test": entry.get("range_test"),
        "fixes": sorted({f for r in entry["remedies"] for f in _fixes(catalog, r)}),
        "before": before, "after": after, "seconds": entry.get("seconds"),
    }


# --------------------------------------------------------------------------- judging a rebuilt model


def first_fit(run: dict, runs: dict[int, dict]) -> dict | None:
    """The fit this run's weights descend from: back along previous fits while each started where
    the one before it ended (the fresh start the loop meant every run to have)."""
    seen = {run["index"]}
    while (run.get("reuse") or {}).get("starts_from_previous_weights"):
        previous = runs.get(run["reuse"]["previous_run"])
        if previous is None or previous["index"] in seen:
            return None
        seen.add(previous["index"])
        run = previous
    return run if len(seen) > 1 else None


def _first_loss(run: dict | None) -> float | None:
    loss = (run or {}).get("loss") or []
    return float(loss[0]) if loss and loss[0] is not None and np.isfinite(loss[0]) else None


def starts_fresh(rerun_loss: float | None, fresh_loss: float | None, max_ratio: float) -> bool:
    """The rerun's first-batch loss is within a factor `max_ratio` of a fresh start's, either way."""
    if rerun_loss is None or fresh_loss is None or rerun_loss <= 0 or fresh_loss <= 0:
        return False
    return max(rerun_loss / fresh_loss, fresh_loss / rerun_loss) <= max_ratio


def judge_rebuild(entry: dict, original: dict, fresh: dict | None, catalog: Catalog) -> dict:
    """rebuild-model: resolved when the rerun starts from other weights than the previous fit left
    AND its first-batch loss is in line with the first fit's fresh start, so the run is measured from
    scratch as the loop intends."""
    remedy = _remedy(catalog, "rebuild-model")[0]
    max_ratio = float(remedy.parameters["max_first_loss_ratio"])
    rebuild = entry.get("rebuild") or {}
    moved = rebuild.get("start_fingerprint") is not None and (
        rebuild.get("start_fingerprint") != rebuild.get("previous_end_fingerprint"))
    before, after = deciding(original), deciding(entry["after"])
    before.update(first_loss=_first_loss(original), fresh_first_loss=_first_loss(fresh),
                  fresh_run=fresh["index"] if fresh else None,
                  previous_run=(original.get("reuse") or {}).get("previous_run"),
                  start_fingerprint=rebuild.get("previous_end_fingerprint"))
    after.update(first_loss=_first_loss(entry["after"]), start_fingerprint=rebuild.get("start_fingerprint"),
                 max_first_loss_ratio=max_ratio)
    in_line = starts_fresh(after["first_loss"], before["fresh_first_loss"], max_ratio)
    return {
        "run": entry["run"], "remedies": entry["remedies"], "symptoms": entry["symptoms"],
        "symptom_names": [catalog.by_code[c].name for c in entry["symptoms"]], "change": entry["change"],
        "resolved": moved and in_line and bool(entry["after"].get("steps")),
        "still_confirmed": [] if moved else ["model-reused-observed"], "loss_fell_more": None,
        "needs_loss_fall": False, "starts_like_first_fit": in_line,
        "note": entry.get("note", ""), "range_test": None,
        "fixes": sorted(set(_fixes(catalog, "rebuild-model"))),
        "before": before, "after": after, "seconds": entry.get("seconds"),
    }


def _remedy(catalog: Catalog, kind: str) -> list[Remedy]:
    return [r for spec in catalog for r in spec.remedies if r.kind == kind]


def _criteria(catalog: Catalog, kind: str) -> tuple[list[str], bool]:
    found = _remedy(catalog, kind)
    return [n for r in found for n in r.not_confirmed], any(r.loss_falls for r in found)


def _fixes(catalog: Catalog, kind: str) -> list[str]:
    return [f for r in _remedy(catalog, kind) for f in r.fixes]


# --------------------------------------------------------------------------- text


def _num(value) -> str:
    return "n/a" if value is None else f"{value:.2g}" if abs(value) < 1e4 else f"{value:.1e}"


def _loss_words(side: dict) -> str:
    if side["first_nonfinite_loss"] is not None:
        return f"NaN from step {side['first_nonfinite_loss']}"
    change = side["loss_change"]
    if change is None:
        return "not measurable"
    return f"falls {-change:.0%}" if change < 0 else f"rises {change:.0%}"


def _rebuild_line(judged: dict, verdict: str) -> str:
    """`... resolved: fit #2 starts at loss 0.69 like fit #1 (0.70), was 0.11 from fit #1's weights`"""
    before, after = judged["before"], judged["after"]
    fresh = f"fit #{before['fresh_run']}" if before.get("fresh_run") else "the first fit"
    like = "like" if judged["starts_like_first_fit"] else f"beyond x{after['max_first_loss_ratio']:g} of"
    text = (f"remedy: {judged['change']} -> {', '.join(judged['symptom_names'])} {verdict}: "
            f"fit #{judged['run']} starts at loss {_num(after['first_loss'])} {like} {fresh} "
            f"({_num(before['fresh_first_loss'])}), was {_num(before['first_loss'])} from "
            f"fit #{before['previous_run']}'s weights")
    if judged["still_confirmed"]:
        text += "; the rebuilt weights are the ones the previous fit left"
    return text + (f" [{judged['note']}]" if judged.get("note") else "")


def line(judged: dict) -> str:
    """`remedy: clipnorm=1.0 -> exploding-gradients resolved: gradient norm peaks at 2.1 (was ...)`"""
    before, after = judged["before"], judged["after"]
    verdict = "resolved" if judged["resolved"] else "not resolved"
    if "rebuild-model" in judged["remedies"]:
        return _rebuild_line(judged, verdict)
    text = (f"remedy: {judged['change']} -> {', '.join(judged['symptom_names'])} {verdict}: "
            f"gradient norm peaks at {_num(after['peak_grad_norm'])} (was {_num(before['peak_grad_norm'])}), "
            f"ends at {_num(after['final_grad_norm'])} (was {_num(before['final_grad_norm'])}), "
            f"loss {_loss_words(after)} (was {_loss_words(before)})")
    if judged["still_confirmed"]:
        text += f"; still confirmed: {', '.join(judged['still_confirmed'])}"
    elif not judged["resolved"] and judged["needs_loss_fall"]:
        text += "; the loss did not fall more than on the script as written"
    if judged.get("note"):
        text += f" [{judged['note']}]"
    return text


def judge_all(result: dict, th: symptoms.Thresholds, catalog: Catalog) -> list[dict]:
    runs = {run["index"]: run for run in result.get("runs", [])}
    return [judge(entry, runs[entry["run"]], th, catalog, runs) for entry in result.get("remedies") or []
            if entry["run"] in runs]
