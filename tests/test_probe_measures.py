"""The probe's statistics on synthetic numpy series: no TensorFlow, no child process."""

from __future__ import annotations

import math

import numpy as np
import pytest

from rnnlint.probe import measures

RNG = np.random.default_rng(0)


def noisy(curve, cv=0.2):
    return (np.asarray(curve) * np.exp(cv * RNG.standard_normal(len(curve)))).tolist()


@pytest.mark.parametrize("p, expected", [(0.5, 0.0), (0.975, 1.959964), (0.95, 1.644854), (0.001, -3.090232)])
def test_normal_quantile(p, expected):
    assert measures.normal_quantile(p) == pytest.approx(expected, abs=1e-5)


@pytest.mark.parametrize("dof, expected", [(10, 1.812461), (30, 1.697261), (200, 1.652508)])
def test_t_quantile(dof, expected):
    assert measures.t_quantile(0.95, dof) == pytest.approx(expected, abs=2e-3)


def test_flat_noisy_loss_cannot_show_a_fall():
    trend = measures.log_trend(noisy(np.ones(200)), 0.95)
    assert trend.change_upper > -0.05


def test_tiny_drift_under_noise_is_still_a_plateau():
    trend = measures.log_trend(noisy(np.exp(-1e-5 * np.arange(200)), cv=0.3), 0.95)
    assert trend.change_upper > -0.05


def test_steady_fall_is_significant():
    trend = measures.log_trend(noisy(np.exp(-0.01 * np.arange(200))), 0.95)
    assert trend.change_upper < -0.5
    assert trend.change == pytest.approx(math.expm1(-0.01 * 199), abs=0.1)


def test_fast_convergence_then_flat_is_not_a_plateau():
    curve = np.concatenate([np.exp(-0.1 * np.arange(30)), np.full(170, math.exp(-3))])
    assert measures.log_trend(noisy(curve, 0.1), 0.95).change_upper < -0.5


def test_one_spike_does_not_tilt_the_trend():
    values = noisy(np.ones(100), 0.05)
    values[-1] = 1e6
    assert abs(measures.log_trend(values, 0.95).change) < 0.1


def test_growth_has_a_lower_bound_above_one():
    trend = measures.log_trend(noisy(np.exp(0.02 * np.arange(100))), 0.95)
    assert 1 + trend.change_lower > 2


def test_trend_needs_positive_finite_values():
    assert measures.log_trend([1.0, None, float("nan"), -1.0], 0.95) is None


def test_spikes_against_the_running_median():
    values = [1.0] * 40
    values[3] = 100.0  # too early: fewer than five preceding steps
    values[30] = 50.0
    values[31] = float("nan")
    assert measures.spikes(values, factor=10, window=20) == [30]


def test_nonfinite_steps_ignore_missing_values():
    assert measures.nonfinite_steps([1.0, None, float("inf"), float("nan"), 2.0]) == [2, 3]


@pytest.mark.parametrize("norms, fraction, expected", [
    ([0.8 ** k for k in range(100)][::-1], 0.01, 21),  # 0.8**20 = 0.0115 >= 0.01 > 0.8**21
    ([1.0] * 10, 0.01, 10),
    ([5.0, 1e-6, 1.0, 1.0], 0.01, 2),  # counted back from the end: the first drop ends it
    ([1.0, 0.0], 0.01, None),
    ([], 0.01, None),
])
def test_gradient_horizon(norms, fraction, expected):
    assert measures.gradient_horizon(norms, fraction) == expected


def test_time_growth():
    assert measures.time_growth([100.0, 10.0, 1.0]) == 100.0
    assert measures.time_growth([1.0, float("nan")]) is None


def test_update_ratios_take_medians_per_layer():
    ratios = [[1e-3, float("nan")], [2e-3, 1e-1], [3e-3, None]]
    assert measures.layer_update_ratios(ratios) == [2e-3, 1e-1]
    assert measures.layer_update_ratios([]) == []


def test_median_ratio_skips_zero_denominators():
    assert measures.median_ratio([1.0, 2.0, 3.0], [0.0, 4.0, 6.0]) == 0.5
    assert measures.median_ratio([1.0], [0.0]) is None


def test_swing_is_large_for_oscillation_and_small_for_noise_near_zero():
    bouncing = [1.0 if i % 2 else 3.0 for i in range(100)]
    assert measures.swing(bouncing, 9) > 0.25
    converged = np.concatenate([np.exp(-0.2 * np.arange(20)), np.full(80, 0.01)])
    assert measures.swing(noisy(converged, 0.8), 9) < 0.05
    assert measures.swing([1.0] * 5, 9) is None


def test_feature_scale():
    stats = {"mean": [1000.0, 0.0, 0.0], "std": [50.0, 1e-3, 0.0]}
    scale = measures.feature_scale(stats)
    assert scale["max_scale"] == 1000.0 and scale["max_feature"] == 0
    assert scale["spread"] == pytest.approx(5e4)
    assert measures.feature_scale({})["max_scale"] is None


def test_downsample_keeps_short_series_and_skips_nan_in_buckets():
    assert measures.downsample([1.0, 2.0], 10) == [1.0, 2.0]
    out = measures.downsample([1.0, float("nan"), 3.0, 3.0], 2)
    assert out == [1.0, 3.0]


def test_final_level_is_the_median_of_the_last_quarter():
    values = [10.0] * 30 + [1.0, 1.0, 50.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0]  # one spike at the end
    assert measures.final_level(values) == 1.0
    assert measures.final_level([1.0, float("nan"), 2.0]) is None  # too few finite points
