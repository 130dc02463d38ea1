"""Turn the child's measurements into verdicts: confirmed | not observed | not measurable, with numbers.

Every number a verdict is judged against comes from the runtime entries of the rule catalog
(`rules/RNN5xx-*.yaml`) through `Thresholds`, which also remembers what was read so a test can prove
that no declared threshold is dead.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Callable

from rnnlint.catalog import Catalog, RuleSpec
from rnnlint.probe import measures

CONFIRMED, NOT_OBSERVED, NOT_MEASURABLE = "confirmed", "not observed", "not measurable"

# Static rules that no short run can speak to, and why (shown instead of a verdict).
_EARLY_STOPPING = (
    "the probe stops after a few hundred steps and skips validation, so it cannot show when early "
    "stopping would act"
)
UNMEASURABLE_STATIC = {
    "missing-early-stopping": (
        "a short probe run cannot show over-fitting; early stopping matters over the full training"
    ),
    "early-stopping-without-validation": _EARLY_STOPPING,
    "early-stopping-monitors-missing-metric": _EARLY_STOPPING,
    "early-stopping-discards-best-weights": _EARLY_STOPPING,
}


class Thresholds:
    """The one accessor for runtime thresholds; records every (code, key) read."""

    def __init__(self, catalog: Catalog):
        self.catalog = catalog
        self.read: set[tuple[str, str]] = set()

    def spec(self, code: str) -> RuleSpec:
        return self.catalog.by_code[code]

    def __call__(self, code: str, key: str) -> float:
        self.read.add((code, key))
        return self.spec(code).thresholds[key].default

    def unread(self) -> list[tuple[str, str]]:
        declared = {
            (s.code, key) for s in self.catalog if s.kind == "runtime" for key in s.thresholds
        }
        return sorted(declared - self.read)


@dataclass(frozen=True)
class Verdict:
    code: str
    name: str
    severity: str
    verdict: str
    message: str
    values: dict = field(default_factory=dict)
    run: int | None = None

    def to_json(self) -> dict:
        return {
            "code": self.code, "name": self.name, "severity": self.severity, "verdict": self.verdict,
            "message": self.message, "values": self.values, "run": self.run,
        }


class _Shown(float):
    """A float that prints with three significant digits unless the template asks otherwise."""

    def __format__(self, spec: str) -> str:
        return format(float(self), spec) if spec else f"{float(self):.3g}"


def _for_message(value):
    if value is None:
        return "n/a"
    if isinstance(value, float) and not isinstance(value, bool):
        return _Shown(value)
    return value


def _make(th: Thresholds, code: str, run: int | None):
    spec = th.spec(code)

    def verdict(kind: str, values: dict, reason: str = "") -> Verdict:
        message = reason or spec.render({k: _for_message(v) for k, v in values.items()})
        return Verdict(spec.code, spec.name, spec.severity.label, kind, message, values, run)

    return verdict


# --------------------------------------------------------------------------- per-run symptoms


def nonfinite_inputs(run: dict, th: Thresholds) -> Verdict:
    """NaN/Inf in the data fed to fit: judged first, so that the gradient and loss symptoms do not
    blame the optimizer for non-finite values the data brought in."""
    verdict = _make(th, "RNN512", run["index"])
    seen = run.get("nonfinite_inputs") or {}
    judged = {role: seen[role] for role in ("input", "target") if seen.get(role) is not None}
    if not judged:
        return verdict(NOT_MEASURABLE, {}, "the training data could not be read as arrays")
    role, where = max(judged.items(), key=lambda item: item[1]["values"])
    if not where["values"]:
        return verdict(NOT_OBSERVED, {"values": 0, "source": seen.get("from")},
                       f"no NaN/Inf in the training {' or '.join(judged)} (read from the {seen.get('from')})")
    first = where.get("first", {})
    values = {"values": where["values"], "role": role, "rows": where["rows"], "kind": where.get("kind"),
              "where": ", ".join(f"{k} {v}" for k, v in first.items()), "source": seen.get("from")}
    return verdict(CONFIRMED, values)


def _data_brought_nonfinite(run: dict) -> bool:
    return bool(run.get("data_nonfinite"))


def exploding(run: dict, th: Thresholds) -> Verdict:
    code = "RNN501"
    bound = th(code, "grad_norm_bound")
    factor = th(code, "spike_factor")
    window = th(code, "spike_window")
    min_spikes = th(code, "min_spikes")
    min_norm = th(code, "spike_min_norm")
    response = int(th(code, "response_steps"))
    rise = th(code, "loss_rise")
    growth_bound = th(code, "time_growth_bound")
    verdict = _make(th, code, run["index"])
    if not run.get("steps"):
        return verdict(NOT_MEASURABLE, {}, "no optimizer step was recorded")
    norms = run["grad_norm"]
    peak = measures.finite_max(norms)
    # Above the bound counts only when the norm grew there: one that is large from the first step
    # follows the loss scale (unscaled targets), the echo of unscaled data, not an explosion.
    start = measures.finite_median(norms[: int(window)])
    grew = peak is not None and (start is None or peak > factor * start)
    # And it did harm: the loss rose after the norm first crossed the bound. A norm that climbs while
    # the loss keeps falling is a model moving into steeper ground as it learns; a crossing too close to
    # the end of the run to see what followed is not evidence either way.
    crossing = next((i for i, v in enumerate(norms) if v is not None and math.isfinite(v) and v > bound
                     and (start is None or v > factor * start)), None) if grew else None
    loss = run.get("loss") or []
    bound_harm = False
    if crossing is not None:
        after_crossing = [v for v in loss[crossing + 1: crossing + 1 + response] if v is not None]
        bound_harm = bool(after_crossing) and bool(measures.harmful([crossing], loss, int(window), response, rise))
    # A spike is large against the running median and in absolute terms, and it did harm: the loss
    # jumped after it (a norm that grows while the loss keeps falling is learning, not explosion).
    raw_spikes = [i for i in measures.spikes(norms, factor, int(window)) if norms[i] > min_norm]
    spike_steps = measures.harmful(raw_spikes, run.get("loss") or [], int(window), response, rise)
    nonfinite = sum(1 for ok in run["grads_finite"] if not ok)
    # Non-finite gradients are the data's echo when the data held NaN/Inf: only norms that grew
    # while still finite speak for explosion then.
    nonfinite_counts = 0 if _data_brought_nonfinite(run) else nonfinite
    # Through time, judge the untrained model: once trained, a target that depends on early timesteps
    # rightly gives them large gradients.
    first_step = min((p["step"] for p in run.get("timestep_profiles", [])), default=None)
    growths = [measures.time_growth(p["norms"][slice(*measures.non_padding_span(p))])
               for p in run.get("timestep_profiles", []) if p["step"] == first_step]
    measured_growths = [g for g in growths if g is not None]
    growth = max(measured_growths) if measured_growths else None
    confirmed = (
        (peak is not None and peak > bound and grew and bound_harm) or len(spike_steps) >= min_spikes
        or nonfinite_counts > 0
        or (growth is not None and growth > growth_bound)
    )
    values = {
        "peak_norm": peak, "grad_norm_bound": bound, "spikes": len(spike_steps), "start_norm": start,
        "raw_spikes": len(raw_spikes), "spike_min_norm": min_norm, "loss_rise": rise,
        "spike_factor": factor, "nonfinite_steps": nonfinite, "time_growth": growth,
        "time_growth_bound": growth_bound, "spike_steps": spike_steps[:20],
        "bound_crossed_at": crossing, "loss_rose_after_crossing": bound_harm,
    }
    return verdict(CONFIRMED if confirmed else NOT_OBSERVED, values)


def vanishing_layers(run: dict, th: Thresholds) -> Verdict:
    code = "RNN502"
    bound = th(code, "layer_ratio_bound")
    verdict = _make(th, code, run["index"])
    layers = run.get("layers") or []
    if not run.get("steps") or len(layers) < 2:
        return verdict(NOT_MEASURABLE, {}, "needs at least two trainable layers and one step")
    table = run["layer_grad_norm"]
    ratio = measures.median_ratio([row[0] for row in table], [row[-1] for row in table])
    if ratio is None:
        return verdict(NOT_MEASURABLE, {}, "the last layer's gradient was zero or not finite")
    values = {"first_layer": layers[0], "last_layer": layers[-1], "layer_ratio": ratio,
              "layer_ratio_bound": bound}
    return verdict(CONFIRMED if ratio < bound else NOT_OBSERVED, values)


def vanishing_through_time(run: dict, th: Thresholds) -> Verdict:
    code = "RNN503"
    fraction = th(code, "horizon_fraction")
    min_reach = th(code, "min_reach")
    min_len = th(code, "min_seq_len")
    learning_fall = th(code, "learning_fall")
    confidence = th(code, "confidence")
    floor_ratio = th(code, "floor_ratio")
    verdict = _make(th, code, run["index"])
    # Per layer, the longest horizon seen at any checkpoint: a trained model may rightly focus on
    # recent timesteps, so only a horizon that was short all along confirms the symptom. Padding
    # timesteps are not sequence: the horizon is measured over the span that holds data.
    best: dict[str, tuple] = {}
    for profile in run.get("timestep_profiles", []):
        start, end = measures.non_padding_span(profile)
        # Without a mask, padding after the data is read too: the output comes after it.
        trailing = 0 if profile.get("masked", True) else len(profile["norms"]) - end
        horizon = measures.data_horizon(profile["norms"], start, end, trailing, fraction)
        if horizon is not None:
            seq_len = end - start
            entry = (horizon / seq_len, horizon, seq_len, profile["layer"], profile["step"],
                     len(profile["norms"]), trailing)
            best[profile["layer"]] = max(best.get(profile["layer"], entry), entry)
    if not best:
        return verdict(NOT_MEASURABLE, {}, "no per-timestep gradient profile could be taken "
                       "(needs 3-D float inputs to a recurrent layer and finite gradients)")
    reach, horizon, seq_len, layer, step, full_len, trailing = min(best.values())
    span_note = f" holding data (the other {full_len - seq_len} are padding)" if full_len > seq_len else ""
    if trailing:
        span_note = (f" holding data, counted from the final timestep through the {trailing} padding "
                     "timesteps after them (nothing masks them, so the output is read after the padding)")
    values: dict[str, object] = {"horizon": horizon, "seq_len": seq_len, "layer": layer, "reach": reach, "at_step": step,
              "horizon_fraction": fraction, "min_reach": min_reach, "padded_len": full_len,
              "span_note": span_note, "trailing_padding": trailing}
    if seq_len < min_len:
        return verdict(NOT_MEASURABLE, values, f"sequence of {seq_len} steps{span_note} is too short to judge")
    if reach >= min_reach:
        return verdict(NOT_OBSERVED, values)
    loss = _finite_prefix(run.get("loss") or [])
    trend = measures.log_trend(loss, confidence)
    if trend is not None and trend.change_upper <= -learning_fall:
        values.update(loss_change=trend.change, learning_fall=learning_fall)
        # A fall to the loss of predicting a constant is the bias finding the targets' average,
        # not learning from the timesteps the gradient reaches: the short horizon still stands.
        floor = _constant_floor(run, loss)
        beaten = ""
        if floor:
            values.update(final_loss=floor["final_loss"], constant_loss=floor["constant_loss"],
                          floor_ratio=floor_ratio)
            against = (f"{floor['final_loss']:.4g}, {floor['floor_share']:.0%} of the {floor['constant_loss']:.4g} "
                       f"that predicting the {floor['predictor']} scores (bound {floor_ratio:.0%})")
            if floor["floor_share"] > floor_ratio:
                stuck = verdict(CONFIRMED, values)
                return replace(stuck, message=stuck.message + (
                    f"; the loss fell by {-trend.change:.0%}, but only to {against}: the model learned "
                    "the average, not the sequence"))
            beaten = f" to {against}"
        short = verdict(NOT_OBSERVED, values)
        return replace(short, message=short.message + (
            f"; not confirmed: the loss fell by {-trend.change:.0%}{beaten} (at least {-trend.change_upper:.0%} "
            f"at {confidence:.0%} confidence, bound {learning_fall:.0%}), so the model learns from the "
            f"last {horizon} timesteps; it matters only if the target depends on the earlier ones"))
    return verdict(CONFIRMED, values)


def _finite_prefix(loss: list) -> list:
    """The losses before the first NaN/Inf (missing values kept as None)."""
    bad = measures.nonfinite_steps(loss)
    return loss[: bad[0]] if bad else loss


def samples_per_step(run: dict) -> int | None:
    """The samples one step trains on: the batch the child saw, else fit's batch_size (Keras's
    default 32 for arrays without one); None when unknown (a dataset batches itself)."""
    return run.get("samples_per_step") or run.get("batch_size")


def _usable_loss(run: dict, min_steps: float, min_samples: float) -> tuple[list, int, str]:
    """The loss as judged points (consecutive steps averaged until each holds `min_samples`
    samples), the steps per point, and, when it cannot be judged for its shape, the reason why."""
    loss = run.get("loss") or []
    if measures.nonfinite_steps(loss):
        return loss, 1, "the loss became NaN/Inf (see loss-divergence)"
    per_point = measures.steps_per_point(samples_per_step(run), min_samples)
    points = measures.window_means(loss, per_point)
    present = sum(1 for v in points if v is not None)
    if present < min_steps:
        if per_point > 1:
            return points, per_point, (
                f"{len(loss)} steps of {samples_per_step(run)} sample(s) make {present} points of "
                f"{int(min_samples)}+ samples ({per_point} steps each), {min_steps} needed: per-sample "
                f"noise is not judged (--steps {int(min_steps * per_point)} would do)")
        return points, per_point, f"{present} loss values recorded, {min_steps} needed"
    return points, per_point, ""


def _averaged(message: str, per_point: int) -> str:
    return message + (f" (each point the mean of {per_point} steps)" if per_point > 1 else "")


def plateau(run: dict, th: Thresholds) -> Verdict:
    code = "RNN504"
    rate = th(code, "min_drop_per_100_steps")
    confidence = th(code, "confidence")
    min_steps = th(code, "min_steps")
    min_samples = th(code, "min_samples_per_point")
    verdict = _make(th, code, run["index"])
    points, per_point, reason = _usable_loss(run, min_steps, min_samples)
    if reason:
        return verdict(NOT_MEASURABLE, {}, reason)
    trend = measures.log_trend(points, confidence)
    if trend is None:
        return verdict(NOT_MEASURABLE, {}, "the loss is not positive, so no log trend can be fitted")
    steps = (trend.n - 1) * per_point + 1  # the fall expected is compounded over steps, not points
    min_drop = -math.expm1(math.log1p(-rate) * (steps - 1) / 100)
    values = {"steps": steps, "change": trend.change, "change_bound": trend.change_upper,
              "confidence": confidence, "min_drop": min_drop, "min_drop_per_100_steps": rate,
              "steps_per_point": per_point}
    floor_ratio = th(code, "floor_ratio")
    floor = _constant_floor(run, [v for v in points if v is not None])
    at_floor = floor if floor and floor["floor_share"] > floor_ratio else {}
    if at_floor:
        values.update(at_floor)
    if trend.change <= -min_drop < trend.change_upper and not at_floor:
        # The fitted line falls by more than learning needs, only the noise of the steps leaves room
        # for less: that is no evidence of a plateau (a multi-output model's loss, batches of very
        # different content), so it is not judged rather than confirmed. A run that ends where a
        # constant prediction scores has learned nothing, whatever its first steps did.
        return verdict(NOT_MEASURABLE, values, _averaged(
            f"over {steps} steps the fitted loss fell by {-trend.change:.1%}, more than the {min_drop:.1%} "
            f"expected, but the steps are too noisy to show it at {confidence:.0%} confidence (bound "
            f"{trend.change_upper:+.1%}): neither a plateau nor learning is shown (more --steps would tell)",
            per_point))
    judged = verdict(CONFIRMED if trend.change_upper > -min_drop else NOT_OBSERVED, values)
    if at_floor and judged.verdict == CONFIRMED:
        judged = replace(judged, message=judged.message + (
            f"; it ends at {at_floor['final_loss']:.4g}, {at_floor['floor_share']:.0%} of the "
            f"{at_floor['constant_loss']:.4g} that predicting the {at_floor['predictor']} scores"))
    return replace(judged, message=_averaged(judged.message, per_point))


def _constant_floor(run: dict, loss: list) -> dict:
    """Where the run's loss ended against the loss of the best constant prediction
    (rnnlint/probe/baseline.py): {final_loss, constant_loss, floor_share, predictor}, or {} when
    either is unknown. RNN503 and RNN504 each judge the share against their own floor_ratio."""
    floor = run.get("constant_loss") or {}
    final = measures.final_level(loss)
    if not floor.get("loss") or final is None:
        return {}
    return {"final_loss": final, "constant_loss": floor["loss"], "floor_share": final / floor["loss"],
            "predictor": floor["predictor"]}


def divergence(run: dict, th: Thresholds) -> Verdict:
    code = "RNN505"
    factor = th(code, "growth_factor")
    confidence = th(code, "confidence")
    min_steps = th(code, "min_steps")
    verdict = _make(th, code, run["index"])
    loss = run.get("loss") or []
    bad = measures.nonfinite_steps(loss)
    bad_weights = sum(1 for ok in run.get("weights_finite", []) if not ok)
    prefix = [v for v in _finite_prefix(loss) if v is not None]
    trend = measures.log_trend(_finite_prefix(loss), confidence) if len(prefix) >= min_steps else None
    if not bad and not bad_weights and trend is None:
        return verdict(NOT_MEASURABLE, {}, f"{len(prefix)} finite positive losses, {min_steps} needed")
    growth = 1 + trend.change if trend else None
    growth_low = 1 + trend.change_lower if trend else None
    values = {"nonfinite_steps": len(bad), "first_nonfinite": bad[0] if bad else "none",
              "nonfinite_weights": bad_weights, "growth": growth, "growth_bound": growth_low,
              "growth_factor": factor, "confidence": confidence}
    # With NaN/Inf in the data a non-finite loss is the data's, not divergence: only a loss that rose
    # while finite counts then.
    echo = _data_brought_nonfinite(run)
    confirmed = (not echo and (bool(bad) or bad_weights > 0)) or (growth_low is not None and growth_low > factor)
    return verdict(CONFIRMED if confirmed else NOT_OBSERVED, values)


def oscillation(run: dict, th: Thresholds) -> Verdict:
    code = "RNN506"
    bound = th(code, "swing_bound")
    window = int(th(code, "window"))
    min_steps = th(code, "min_steps")
    min_samples = th(code, "min_samples_per_point")
    verdict = _make(th, code, run["index"])
    points, per_point, reason = _usable_loss(run, min_steps, min_samples)
    value = None if reason else measures.swing(points, window)
    if value is None:
        return verdict(NOT_MEASURABLE, {}, reason or "the initial loss is zero")
    present = sum(1 for v in points if v is not None)
    values = {"swing": value, "swing_bound": bound, "window_steps": (present - present // 2) * per_point,
              "steps_per_point": per_point}
    judged = verdict(CONFIRMED if value > bound else NOT_OBSERVED, values)
    return replace(judged, message=_averaged(judged.message, per_point))


def _update_ratios(run: dict) -> tuple[float | None, str, float | None]:
    per_layer = measures.layer_update_ratios(run.get("update_ratio") or [])
    known = [(r, name) for r, name in zip(per_layer, run.get("layers") or []) if r is not None]
    if not known:
        return None, "", None
    largest, name = max(known)
    return float(sorted(r for r, _ in known)[len(known) // 2]), name, largest


def _frozen(run: dict) -> bool:
    """Every recorded gradient was exactly zero: nothing reaches the weights (a dead ReLU output, a
    loss cut off from the model), so the update size says nothing about the learning rate."""
    norms = [v for v in run.get("grad_norm") or [] if v is not None and math.isfinite(v)]
    return bool(norms) and all(v == 0 for v in norms)


FROZEN = ("every gradient of the {steps} steps was exactly zero: the model is frozen (a ReLU output "
          "that starts dead, or a loss cut off from the weights), whatever the learning rate")


def learning_rate_high(run: dict, th: Thresholds) -> Verdict:
    code = "RNN507"
    bound = th(code, "max_update_ratio")
    verdict = _make(th, code, run["index"])
    if _frozen(run):
        return verdict(NOT_MEASURABLE, {}, FROZEN.format(steps=run.get("steps")))
    median, layer, largest = _update_ratios(run)
    if median is None:
        return verdict(NOT_MEASURABLE, {}, "no finite update-to-weight ratio was recorded")
    values = {"update_ratio": median, "max_layer": layer, "max_ratio": largest,
              "max_update_ratio": bound, "learning_rate": run.get("learning_rate")}
    return verdict(CONFIRMED if median > bound else NOT_OBSERVED, values)


def learning_rate_low(run: dict, th: Thresholds) -> Verdict:
    code = "RNN508"
    floor = th(code, "min_update_ratio")
    verdict = _make(th, code, run["index"])
    if _frozen(run):
        return verdict(NOT_MEASURABLE, {}, FROZEN.format(steps=run.get("steps")))
    median, _, _ = _update_ratios(run)
    if median is None:
        return verdict(NOT_MEASURABLE, {}, "no finite update-to-weight ratio was recorded")
    values = {"update_ratio": median, "min_update_ratio": floor,
              "learning_rate": run.get("learning_rate")}
    return verdict(CONFIRMED if median < floor else NOT_OBSERVED, values)


def unscaled_inputs(run: dict, th: Thresholds) -> Verdict:
    code = "RNN509"
    scale_bound = th(code, "max_scale_bound")
    spread_bound = th(code, "spread_bound")
    verdict = _make(th, code, run["index"])
    stats = run.get("input_stats")
    if run.get("integer_inputs"):
        return verdict(NOT_MEASURABLE, {}, "the inputs are token ids for an Embedding layer")
    if not stats:
        return verdict(NOT_MEASURABLE, {}, "the input batches could not be read as numeric arrays")
    scale = measures.feature_scale(stats)
    target = run.get("target_stats") or {}
    values = {
        "max_scale": scale["max_scale"], "max_feature": scale["max_feature"],
        "max_scale_bound": scale_bound, "spread": scale["spread"],
        "spread_bound": spread_bound, "dtype": stats.get("dtype", "?"),
        "target_min": (min(target["min"]) if target.get("min") else None),
        "target_max": (max(target["max"]) if target.get("max") else None),
    }
    confirmed = (scale["max_scale"] is not None and scale["max_scale"] > scale_bound) or (
        scale["spread"] is not None and scale["spread"] > spread_bound
    )
    return verdict(CONFIRMED if confirmed else NOT_OBSERVED, values)


RUN_SYMPTOMS: tuple[Callable[[dict, Thresholds], Verdict], ...] = (
    nonfinite_inputs, exploding, vanishing_layers, vanishing_through_time, plateau, divergence, oscillation,
    learning_rate_high, learning_rate_low, unscaled_inputs,
)


# --------------------------------------------------------------------------- whole-script symptoms


def reused_start(run: dict, th: Thresholds) -> bool:
    """The fit started from exactly the weights the previous fit of the same model left, and
    something else changed between them: carried-over weights contaminate the comparison when the
    optimizer was recompiled, or when the new rows meet the rows trained before (k-fold folds overlap
    them or validate on them). The same optimizer going on, on the same rows or on fresh samples, is
    deliberate continued training. (RNN510's verdict and --what-if's rebuild-model remedy both ask this.)"""
    min_rows = th("RNN510", "min_shared_rows")
    reuse = run.get("reuse")
    if not reuse or not reuse.get("starts_from_previous_weights"):
        return False
    if reuse.get("recompiled"):
        return True
    if reuse.get("same_training_rows") is not False:
        return False
    # Other rows with the same optimizer. A few samples recurring in every fit (the fixed start of
    # generated sequences) are the data's shape, not a reused split: the overlap must hold at least
    # min_shared_rows samples. A result without the shares (an older child) keeps the rows-differ reading.
    seen = [(reuse.get(key), reuse.get(f"{key}_rows")) for key in ("training_seen", "validation_seen") if key in reuse]
    if not seen:
        return True
    if all(share is None for share, _ in seen):
        return True
    return any(share and (rows is None or rows >= min_rows) for share, rows in seen)


def _rows_changed(reuse: dict) -> str:
    seen = [f"{reuse['training_seen']:.0%} of them trained on by an earlier fit"
            if reuse.get("training_seen") else "",
            f"validated on rows an earlier fit trained on ({reuse['validation_seen']:.0%})"
            if reuse.get("validation_seen") else ""]
    said = "; ".join(part for part in seen if part)
    return f"training rows ({said})" if said else "training rows"


def model_reuse(result: dict, th: Thresholds) -> Verdict:
    verdict = _make(th, "RNN510", None)
    fits = [r for r in result.get("runs", []) if r.get("kind") == "fit"]
    reused = [r for r in fits if r.get("reuse")]
    if len(fits) < 2:
        return verdict(NOT_MEASURABLE, {}, f"{len(fits)} fit call(s) probed; reuse needs two")
    first_loss = (fits[0].get("loss") or [None])[0]
    for run in reused:
        reuse = run["reuse"]
        if reused_start(run, th):
            values = {"run": run["index"], "previous_run": reuse["previous_run"],
                      "optimizer": run.get("optimizer"), "previous_optimizer": reuse["previous_optimizer"],
                      "changed": "optimizer" if reuse["recompiled"] else _rows_changed(reuse),
                      "first_loss": (run.get("loss") or [None])[0], "first_fit_first_loss": first_loss}
            return verdict(CONFIRMED, values)
    continued = [r for r in reused if r["reuse"].get("starts_from_previous_weights")]
    if continued:
        return verdict(NOT_OBSERVED, {"fits": len(fits), "continued": len(continued)}, (
            f"{len(fits)} fits probed; {len(continued)} went on from the weights the previous fit left with "
            "the same optimizer, on the same rows or on samples earlier fits had not trained or validated on "
            f"(fewer than {th('RNN510', 'min_shared_rows'):g} shared): continued training, not a fresh run"))
    return verdict(NOT_OBSERVED, {"fits": len(fits)},
                   f"{len(fits)} fits probed; none started from weights another run left behind")


def _scaler_label(entry: dict) -> str:
    parts = [f"line {entry['line']}"] if entry.get("line") else []
    parts += [f"rows matched against the {entry['matched']}"] if entry.get("matched") else []
    return f"{entry['scaler']} ({'; '.join(parts)})" if parts else entry["scaler"]


def scaler_leak(result: dict, th: Thresholds) -> Verdict:
    code = "RNN511"
    bound = th(code, "max_outside")
    verdict = _make(th, code, None)
    judged = [e for e in result.get("leak", []) if e.get("outside_training") is not None]
    if not judged:
        return verdict(NOT_MEASURABLE, {}, "no scaler fit before a probed fit was seen")
    # Each scaler is judged on its own rows; the headline quotes the one that leaks most.
    worst = max(judged, key=lambda e: e["outside_training"])
    leaking = [e for e in judged if e["outside_training"] > bound]
    values = {"scaler": _scaler_label(worst), "fit_rows": worst["fit_rows"],
              "outside": worst["outside_training"], "max_outside": bound,
              "eval_seen": worst["eval_seen"] or 0.0, "scalers": len(judged), "leaking": len(leaking)}
    judged_verdict = verdict(CONFIRMED if leaking else NOT_OBSERVED, values)
    if len(judged) > 1:
        judged_verdict = replace(judged_verdict, message=judged_verdict.message + (
            f" ({len(leaking)} of {len(judged)} scalers above the bound)"))
    if worst.get("split_seen"):
        judged_verdict = replace(judged_verdict, message=judged_verdict.message + (
            f"; the scaler also saw {worst['split_seen']:.0%} of the {worst['split_rows']} rows "
            "validation_split holds out (they are part of the arrays given to fit: not counted as a leak, "
            "but val_loss is slightly optimistic)"))
    return judged_verdict


SCRIPT_SYMPTOMS = (model_reuse, scaler_leak)


@dataclass
class Assessment:
    run_verdicts: dict[int, list[Verdict]]
    script_verdicts: list[Verdict]

    def all(self) -> list[Verdict]:
        out = [v for verdicts in self.run_verdicts.values() for v in verdicts]
        return out + self.script_verdicts

    def confirmed(self) -> list[Verdict]:
        return [v for v in self.all() if v.verdict == CONFIRMED]


def assess(result: dict, th: Thresholds) -> Assessment:
    runs = {}
    for run in result.get("runs", []):
        data = nonfinite_inputs(run, th)
        judged = {**run, "data_nonfinite": data.verdict == CONFIRMED}
        runs[run["index"]] = [data] + [symptom(judged, th) for symptom in RUN_SYMPTOMS[1:]]
    return Assessment(runs, [symptom(result, th) for symptom in SCRIPT_SYMPTOMS])


# --------------------------------------------------------------------------- static confirmation


@dataclass(frozen=True)
class StaticCheck:
    code: str
    name: str
    line: int
    message: str
    verdict: str
    evidence: str
    deciding: tuple[str, ...] = ()  # the runtime symptoms the verdict rests on
    verified: str = ""  # the --what-if remedy that applies this finding's fix and resolved a symptom

    def to_json(self) -> dict:
        return {**self.__dict__, "deciding": list(self.deciding)}


def confirm_static(findings: list, assessment: Assessment, catalog: Catalog,
                   remedies: Sequence[dict] = ()) -> list[StaticCheck]:
    """For each static finding, what the run showed, via the runtime entries' `confirms` lists, and
    whether a resolved --what-if remedy (judged remedies, `whatif.judge`) is that finding's fix."""
    confirms: dict[str, list[str]] = {}
    for spec in catalog:
        if spec.kind == "runtime":
            for static_name in spec.extra.get("confirms", []):
                confirms.setdefault(static_name, []).append(spec.name)
    out = []
    for finding in findings:
        names = confirms.get(finding.name, [])
        related = [v for v in assessment.all() if v.name in names]
        measured = [v for v in related if v.verdict != NOT_MEASURABLE]
        hits = [v for v in measured if v.verdict == CONFIRMED]
        if finding.name in UNMEASURABLE_STATIC:
            verdict, deciding = NOT_MEASURABLE, []
        elif hits:
            verdict, deciding = CONFIRMED, hits
        elif measured:
            verdict, deciding = NOT_OBSERVED, measured
        else:
            verdict, deciding = NOT_MEASURABLE, related
        evidence = "; ".join(f"{v.name}: {v.message}" for v in deciding) or UNMEASURABLE_STATIC.get(
            finding.name, "no probe measurement covers this rule")
        deciding_names = tuple(dict.fromkeys(f"{v.code} {v.name}" for v in deciding))
        verified = next((f"fix verified by the probe: {r['change']} resolved "
                         f"{', '.join(r['symptom_names'])} (fit #{r['run']})"
                         for r in remedies if r["resolved"] and finding.name in r["fixes"]), "")
        out.append(StaticCheck(finding.code, finding.name, finding.span.line, finding.message,
                               verdict, evidence, deciding_names, verified))
    return out


# --------------------------------------------------------------------------- failures a rule predicted


def _same_file(a: str, b) -> bool:
    try:
        return Path(a).resolve() == Path(b).resolve()
    except (OSError, ValueError):
        return False


def predicted_failure(findings: list, error: dict | None, script, catalog: Catalog) -> list[dict]:
    """The static findings (of rules marked `predicts_failure`) on the script line the error came from.

    The line is the innermost frame in the script itself: where the user's code called what failed.
    """
    if not error:
        return []
    lines = [f["line"] for f in error.get("frames", []) if _same_file(f.get("file", ""), script)]
    if not lines:
        return []
    line = lines[-1]
    out = []
    for finding in findings:
        spec = catalog.by_code.get(finding.code)
        if spec is None or not spec.extra.get("predicts_failure") or finding.cell is not None:
            continue
        if finding.span.line <= line <= max(finding.span.line, finding.span.end_line):
            out.append({"line": line, "code": finding.code, "name": finding.name})
    return out
