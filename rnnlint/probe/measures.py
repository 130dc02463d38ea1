"""Statistics over the probe's per-step series: numpy only, no thresholds (those live in the catalog).

Every function takes plain sequences (None or NaN for a missing value) and returns numbers; deciding
what the numbers mean is `symptoms.py`'s job.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Sequence

import numpy as np


ROBUST_ROUNDS = 3


def as_array(values: Sequence) -> np.ndarray:
    """Floats, with None as NaN."""
    return np.array([np.nan if v is None else v for v in values], dtype=float)


def normal_quantile(p: float) -> float:
    """Inverse of the standard normal CDF (Acklam's rational approximation, |error| < 1.2e-9)."""
    if not 0.0 < p < 1.0:
        raise ValueError("p must lie strictly between 0 and 1")
    a = (-3.969683028665376e01, 2.209460984245205e02, -2.759285104469687e02,
         1.383577518672690e02, -3.066479806614716e01, 2.506628277459239e00)
    b = (-5.447609879822406e01, 1.615858368580409e02, -1.556989798598866e02,
         6.680131188771972e01, -1.328068155288572e01)
    c = (-7.784894002430293e-03, -3.223964580411365e-01, -2.400758277161838e00,
         -2.549732539343734e00, 4.374664141464968e00, 2.938163982698783e00)
    d = (7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e00, 3.754408661907416e00)
    low = 0.02425
    if p < low:
        q = math.sqrt(-2 * math.log(p))
        return (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) / (
            (((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1)
    if p > 1 - low:
        return -normal_quantile(1 - p)
    q = p - 0.5
    r = q * q
    return (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q / (
        ((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1)


def t_quantile(p: float, dof: int) -> float:
    """Student's t quantile via the Cornish-Fisher expansion of the normal one (good for dof >= 5)."""
    z = normal_quantile(p)
    g1 = (z**3 + z) / 4
    g2 = (5 * z**5 + 16 * z**3 + 3 * z) / 96
    g3 = (3 * z**7 + 19 * z**5 + 17 * z**3 - 15 * z) / 384
    return z + g1 / dof + g2 / dof**2 + g3 / dof**3


@dataclass(frozen=True)
class Trend:
    """A fitted trend of log(loss) per step, with a one-sided confidence interval on the slope."""

    n: int
    slope: float
    lower: float
    upper: float

    @property
    def change(self) -> float:
        """Relative change of the fitted loss over the whole run (e.g. -0.3 is a 30% fall)."""
        return math.expm1(self.slope * (self.n - 1))

    @property
    def change_upper(self) -> float:
        return math.expm1(self.upper * (self.n - 1))

    @property
    def change_lower(self) -> float:
        return math.expm1(self.lower * (self.n - 1))


def log_trend(values: Sequence, confidence: float) -> Trend | None:
    """OLS of log(loss) on the step with a t-based one-sided bound at `confidence`, robust to spikes.

    Finite, positive values only. Steps whose residual lies beyond three robust standard deviations
    are clipped to that band and the line refitted (a few rounds, as in Huber regression), so a
    single spike cannot tilt the trend.
    """
    y = as_array(values)
    steps = np.arange(len(y), dtype=float)
    keep = np.isfinite(y) & (y > 0)
    x, observed = steps[keep], np.log(y[keep])
    n = len(observed)
    if n < 5 or np.ptp(x) == 0:
        return None
    y = observed
    slope, intercept = np.polyfit(x, y, 1)
    for _ in range(ROBUST_ROUNDS):
        fitted = slope * x + intercept
        residual = observed - fitted
        scale = 1.4826 * np.median(np.abs(residual - np.median(residual)))
        if scale == 0:
            break
        y = fitted + np.clip(residual, -3 * scale, 3 * scale)
        slope, intercept = np.polyfit(x, y, 1)
    residual = y - (slope * x + intercept)
    dof = n - 2
    sigma2 = float(residual @ residual) / dof
    se = math.sqrt(sigma2 / float(((x - x.mean()) ** 2).sum()))
    margin = t_quantile(confidence, dof) * se
    return Trend(n=int(steps[keep][-1] - steps[keep][0] + 1), slope=float(slope),
                 lower=float(slope - margin), upper=float(slope + margin))


def spikes(values: Sequence, factor: float, window: int, min_history: int = 5) -> list[int]:
    """Steps whose value exceeds `factor` times the median of the preceding `window` finite values."""
    v = as_array(values)
    out = []
    for i in range(len(v)):
        history = v[max(0, i - window):i]
        history = history[np.isfinite(history)]
        if len(history) >= min_history and np.isfinite(v[i]) and v[i] > factor * np.median(history):
            out.append(i)
    return out


def steps_per_point(samples_per_step: int | None, min_samples: float) -> int:
    """How many consecutive steps one judged point averages so that it holds at least `min_samples`
    samples (1 when a step already does, or when the batch size is unknown)."""
    if not samples_per_step or samples_per_step <= 0:
        return 1
    return max(1, math.ceil(min_samples / samples_per_step))


def window_means(values: Sequence, per_window: int) -> list[float | None]:
    """Means of consecutive complete windows of `per_window` steps.

    A missing step (None) is skipped; a window with no value is None; a NaN/Inf inside a window
    makes it NaN, so non-finite losses stay visible. With `per_window` 1 the series is unchanged.
    """
    if per_window <= 1:
        return list(values)
    out: list[float | None] = []
    for start in range(0, len(values) - per_window + 1, per_window):
        present = [v for v in values[start:start + per_window] if v is not None]
        if not present:
            out.append(None)
        elif not all(math.isfinite(v) for v in present):
            out.append(float("nan"))
        else:
            out.append(float(np.mean(present)))
    return out


def harmful(spike_steps: Sequence[int], loss: Sequence, window: int, response: int, rise: float) -> list[int]:
    """The spikes after which the loss jumped: the median loss over the `response` steps after the
    spike is at least `rise` times the median over the `window` steps before it (a non-finite loss
    after it always counts). A spike with no loss recorded on either side is kept: nothing says it
    was harmless."""
    v = as_array(loss)
    out = []
    for i in spike_steps:
        after_raw = [x for x in loss[i + 1:i + 1 + response] if x is not None]
        if any(not math.isfinite(x) for x in after_raw):
            out.append(i)
            continue
        before = v[max(0, i - window):i]
        before, after = before[np.isfinite(before)], np.array(after_raw, dtype=float)
        if not len(before) or not len(after) or np.median(after) >= rise * np.median(before):
            out.append(i)
    return out


def non_padding_span(profile: dict) -> tuple[int, int]:
    """[start, end) of the timesteps that hold data in the profiled batch; the whole sequence when
    the child found no padding."""
    length = len(profile.get("norms", []))
    span = profile.get("span")
    if not span or not 0 <= span[0] < span[1] <= length:
        return 0, length
    return int(span[0]), int(span[1])


def nonfinite_steps(values: Sequence) -> list[int]:
    """Steps with a NaN or Inf value (None, a missing value, is not counted)."""
    return [i for i, v in enumerate(values) if v is not None and not math.isfinite(v)]


def finite_median(values: Sequence) -> float | None:
    v = as_array(values)
    v = v[np.isfinite(v)]
    return float(np.median(v)) if len(v) else None


def final_level(values: Sequence, share: float = 0.25, min_points: int = 5) -> float | None:
    """Where the loss ended: the median of its last `share` of finite values (a median, so one
    spike at the end does not move it); None with fewer than `min_points` of them."""
    v = as_array(values)
    v = v[np.isfinite(v)]
    if len(v) < min_points:
        return None
    return float(np.median(v[-max(min_points, int(len(v) * share)):]))


def finite_max(values: Sequence) -> float | None:
    v = as_array(values)
    v = v[np.isfinite(v)]
    return float(v.max()) if len(v) else None


def gradient_horizon(norms: Sequence, fraction: float) -> int | None:
    """How many of the last timesteps, counted back from the final one, get at least `fraction` of
    the final timestep's gradient norm. None when the final gradient is zero or not finite."""
    g = as_array(norms)
    if len(g) == 0 or not np.isfinite(g[-1]) or g[-1] <= 0:
        return None
    below = np.flatnonzero(~(g >= fraction * g[-1]))
    return int(len(g) if len(below) == 0 else len(g) - 1 - below[-1])


def data_horizon(norms: Sequence, start: int, end: int, trailing: int, fraction: float) -> int | None:
    """How many timesteps of the data span [start, end) the gradient reaches (gradient_horizon).

    With `trailing` unmasked padding timesteps after the data, the output is read at the final
    padded timestep, so the horizon is counted from there and must cross the padding before it
    reaches any data; otherwise it is counted from the span's own last timestep.
    """
    if not trailing:
        return gradient_horizon(list(norms)[start:end], fraction)
    horizon = gradient_horizon(norms, fraction)
    if horizon is None:
        return None
    full = len(norms)
    return max(0, end - max(start, full - horizon))


def time_growth(norms: Sequence) -> float | None:
    """The earliest timestep's gradient norm over the final one's (> 1: growing back through time)."""
    g = as_array(norms)
    if len(g) < 2 or not np.isfinite(g[-1]) or g[-1] <= 0 or not np.isfinite(g[0]):
        return None
    return float(g[0] / g[-1])


def median_ratio(numerator: Sequence, denominator: Sequence) -> float | None:
    """Median over steps of numerator / denominator, ignoring steps where either is missing or zero."""
    a, b = as_array(numerator), as_array(denominator)
    ok = np.isfinite(a) & np.isfinite(b) & (b > 0)
    return float(np.median(a[ok] / b[ok])) if ok.any() else None


def layer_update_ratios(ratios: Sequence[Sequence]) -> list[float | None]:
    """Per layer, the median over steps of the update-to-weight ratio (rows are steps)."""
    table = np.array([[np.nan if v is None else v for v in row] for row in ratios], dtype=float)
    if table.size == 0:
        return []
    out = []
    for column in table.T:
        column = column[np.isfinite(column)]
        out.append(float(np.median(column)) if len(column) else None)
    return out


def running_mean(values: np.ndarray, window: int) -> np.ndarray:
    """Centred moving average, the ends padded with the edge values."""
    half = window // 2
    padded = np.pad(values, half, mode="edge")
    return np.convolve(padded, np.ones(2 * half + 1) / (2 * half + 1), mode="valid")


def swing(values: Sequence, window: int) -> float | None:
    """Mean distance (the largest tenth left out) of the loss from its moving average over the
    second half of the run, as a share of the initial loss level (the median of the first `window`
    steps). Relative to the start, not to the current level, so the small absolute noise of a
    nearly-zero loss does not count."""
    v = as_array(values)
    v = v[np.isfinite(v)]
    if len(v) < 2 * window:
        return None
    initial = float(np.median(np.abs(v[:window])))
    if initial == 0:
        return None
    tail = np.sort(np.abs(v - running_mean(v, window))[len(v) // 2:])
    trimmed = tail[: max(1, int(len(tail) * 0.9))]  # the largest tenth are spikes, not swings
    return float(trimmed.mean() / initial)


def feature_scale(stats: dict) -> dict:
    """The largest per-feature scale (max of |mean| and std) and the std spread across features."""
    mean = as_array(stats.get("mean", []))
    std = as_array(stats.get("std", []))
    if len(mean) == 0:
        return {"max_scale": None, "max_feature": None, "spread": None}
    scale = np.maximum(np.abs(mean), std)
    scale = np.where(np.isfinite(scale), scale, np.inf)
    positive = std[np.isfinite(std) & (std > 0)]
    spread = float(positive.max() / positive.min()) if len(positive) else None
    worst = int(np.argmax(scale))
    return {"max_scale": float(scale[worst]), "max_feature": worst, "spread": spread}


def downsample(values: Sequence, width: int) -> list[float]:
    """At most `width` points, each the mean of a bucket of consecutive finite values (NaN if none)."""
    v = as_array(values)
    if len(v) <= width:
        return v.tolist()
    edges = np.linspace(0, len(v), width + 1).astype(int)
    out = []
    for lo, hi in zip(edges[:-1], edges[1:]):
        bucket = v[lo:hi]
        bucket = bucket[np.isfinite(bucket)]
        out.append(float(bucket.mean()) if len(bucket) else float("nan"))
    return out
