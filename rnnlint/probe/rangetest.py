"""The learning-rate range test's arithmetic (Smith 2017): the schedule and the choice, numpy only.

The child raises the rate geometrically over a few dozen steps from the fit's initial weights and
records the loss at each; `choose` smooths that curve, cuts it where it blows up, and takes the rate
at its steepest stable descent. Running the steps is `remedies.py`'s job.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import numpy as np


def schedule(start: float, end: float, steps: int) -> list[float]:
    """`steps` rates from `start` to `end`, each a constant factor above the one before."""
    return np.geomspace(start, end, int(steps)).tolist()


@dataclass(frozen=True)
class Choice:
    rate: float | None  # None: the test was inconclusive
    reason: str  # why this rate, or why none
    stable_steps: int  # how many steps came before the loss blew up


def _smoothed(losses: np.ndarray, beta: float) -> np.ndarray:
    """Bias-corrected exponential moving average (as in fastai's finder)."""
    out, avg = np.empty_like(losses), 0.0
    for i, value in enumerate(losses):
        avg = beta * avg + (1 - beta) * value
        out[i] = avg / (1 - beta ** (i + 1))
    return out


def choose(rates: Sequence[float], losses: Sequence, smoothing: float, diverge_factor: float,
           min_fall: float) -> Choice:
    """The rate of steepest descent of the smoothed loss over log(rate), before it diverges.

    Inconclusive when fewer than five steps stay stable, when the loss never falls by `min_fall`
    (relative) below where it started, or when the steepest stretch is not a descent at all.
    """
    lr = np.asarray(rates, dtype=float)
    raw = np.array([np.nan if v is None else v for v in losses], dtype=float)[: len(lr)]
    finite = np.isfinite(raw)
    stop = int(np.argmin(finite)) if not finite.all() else len(raw)
    smooth = _smoothed(raw[:stop], smoothing) if stop else raw[:0]
    best = np.minimum.accumulate(smooth) if stop else smooth
    blown = np.flatnonzero(smooth > diverge_factor * best)
    stop = int(blown[0]) if len(blown) else stop
    smooth = smooth[:stop]
    if stop < 5:
        return Choice(None, f"the loss blew up after {stop} of {len(lr)} steps", stop)
    fall = 1 - smooth.min() / smooth[0] if smooth[0] > 0 else 0.0
    if fall < min_fall:
        return Choice(None, f"the loss fell {fall:.0%} at best over rates {lr[0]:.0e} to "
                            f"{lr[stop - 1]:.0e} (needs {min_fall:.0%})", stop)
    slope = np.gradient(smooth, np.log10(lr[:stop]))
    steepest = int(np.argmin(slope[1:-1])) + 1  # the ends' one-sided differences are noisy
    if slope[steepest] >= 0:
        return Choice(None, "the loss never descended as the rate rose", stop)
    return Choice(float(lr[steepest]), f"steepest descent of the loss at step {steepest + 1} of "
                                       f"{len(lr)}, stable up to {lr[stop - 1]:.1e}", stop)


FAMILIES = {  # optimizer class name -> the family in extreme-learning-rate's typical ranges
    "SGD": "sgd", "Adagrad": "adagrad", "Ftrl": "adagrad", "Adadelta": "adadelta",
}


def family(optimizer: str) -> str:
    return FAMILIES.get(optimizer, "adaptive")


def typical_rate(typical_range: str) -> float | None:
    """The geometric middle of a range such as "1e-4 to 3e-3" (the fallback when inconclusive)."""
    words = typical_range.replace("(", " ").split()
    numbers = []
    for word in words:
        try:
            numbers.append(float(word))
        except ValueError:
            continue
    if len(numbers) < 2 or min(numbers[:2]) <= 0:
        return None
    return float(np.sqrt(numbers[0] * numbers[1]))
