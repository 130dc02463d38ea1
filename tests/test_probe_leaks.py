"""Row matching of the scaler-leak check (numpy only, no TensorFlow): every reshape, per scaler."""

from __future__ import annotations

import numpy as np
import pytest

from rnnlint.probe.leaks import LeakTracker

RNG = np.random.default_rng(0)


class Scaler:
    """Stands in for a fitted scikit-learn scaler: what matters is its identity and its transform."""

    def __init__(self, data):
        self.mean, self.std = data.mean(axis=0), data.std(axis=0) + 1e-9

    def transform(self, data):
        return (data - self.mean) / self.std


def fit_and_transform(tracker, data, label="StandardScaler", line=1):
    scaler = Scaler(data)
    tracker.fit(scaler, label, data, line)
    return scaler


def scaled(tracker, scaler, data):
    out = scaler.transform(data)
    tracker.transform(scaler, data, out)
    return out


def only(tracker):
    (entry,) = tracker.summary()
    return entry


def test_windows_reshaped_to_a_feature_axis_are_the_rows_the_scaler_saw():
    windows = RNG.standard_normal((500, 12)) * 10 + 50
    tracker = LeakTracker()
    scaler = fit_and_transform(tracker, windows[:350])
    train = scaled(tracker, scaler, windows[:350]).reshape(350, 12, 1)
    tracker.data(False, train, RNG.standard_normal(350))
    entry = only(tracker)
    assert entry["outside_training"] == 0.0 and "inputs" in entry["matched"]


def test_a_target_scaler_is_matched_against_the_targets():
    x = RNG.standard_normal((400, 8, 2))
    y = RNG.standard_normal((400, 1)) * 100
    tracker = LeakTracker()
    scaler = fit_and_transform(tracker, y[:300], "MinMaxScaler")
    tracker.data(False, x[:300], scaled(tracker, scaler, y[:300]))
    entry = only(tracker)
    assert entry["outside_training"] == 0.0 and entry["matched"].startswith("targets")


def test_per_column_scalers_are_matched_column_by_column():
    frame = RNG.standard_normal((600, 3)) * [1, 10, 100]
    tracker = LeakTracker()
    columns = []
    for j in range(3):
        scaler = fit_and_transform(tracker, frame[:400, j:j + 1], f"scaler {j}")
        columns.append(scaled(tracker, scaler, frame[:400, j:j + 1]))
    train = np.concatenate(columns, axis=1)
    tracker.data(False, np.stack([train[i:i + 10] for i in range(391)]), np.zeros(391))
    assert [e["outside_training"] for e in tracker.summary()] == [0.0, 0.0, 0.0]


@pytest.mark.parametrize("fit_on, expected", [(600, 1 / 3), (400, 0.0)])
def test_a_scaler_fit_on_every_row_leaks_the_rows_outside_training(fit_on, expected):
    series = RNG.standard_normal((600, 2))
    tracker = LeakTracker()
    scaler = fit_and_transform(tracker, series[:fit_on])
    data = scaled(tracker, scaler, series)
    tracker.data(False, data[:400, None, :], np.zeros(400))
    tracker.data(True, data[400:, None, :], np.zeros(200))
    entry = only(tracker)
    assert entry["outside_training"] == pytest.approx(expected)
    assert entry["eval_seen"] == pytest.approx(1.0 if fit_on == 600 else 0.0)


def test_a_scaler_whose_rows_match_no_view_is_not_judged():
    tracker = LeakTracker()
    fit_and_transform(tracker, RNG.standard_normal((100, 7)))
    tracker.data(False, RNG.standard_normal((50, 4, 3)), np.zeros(50))
    assert only(tracker)["outside_training"] is None


def test_rows_are_counted_not_collapsed_to_distinct_values():
    """A one-column series with repeated readings (corpus F8/F10): 1000 rows are 1000 rows."""
    series = np.round(RNG.standard_normal((1000, 1)), 1)  # ~60 distinct values
    tracker = LeakTracker()
    scaler = fit_and_transform(tracker, series)
    data = scaled(tracker, scaler, series)
    tracker.data(False, np.stack([data[i:i + 3, 0] for i in range(797)])[:, None, :], np.zeros(797))
    entry = only(tracker)
    assert entry["fit_rows"] == 1000
    assert entry["outside_training"] < 0.2  # repeated values: most test readings also occur in training


@pytest.mark.parametrize("fit_on, outside", [(400, 0.0), (600, 1 / 3)])
def test_validation_split_rows_are_part_of_the_fit_arrays_not_a_leak(fit_on, outside):
    """Corpus F16: scaler fit on x_train, then fit(x_train, validation_split=0.2). The split's rows are
    in the arrays the script gave fit, so they are not a leak; a test set the scaler saw still is."""
    series = RNG.standard_normal((600, 3))
    tracker = LeakTracker()
    scaler = fit_and_transform(tracker, series[:fit_on])
    data = scaled(tracker, scaler, series)[:, None, :]
    tracker.data(False, data[:400], np.zeros(400))  # what fit was given, split included
    tracker.carved(data[320:400], np.zeros(80))  # the last 20%, validation_split's
    tracker.data(True, data[400:], np.zeros(200))  # evaluate() on the test rows
    entry = only(tracker)
    assert entry["outside_training"] == pytest.approx(outside)
    assert entry["split_rows"] == 80 and entry["split_seen"] == pytest.approx(1.0)


def _windows(series: np.ndarray, width: int) -> tuple[np.ndarray, np.ndarray]:
    x = np.stack([series[i:i + width] for i in range(len(series) - width)])
    return x, series[width:]


@pytest.mark.parametrize("fit_on, expected", [(8000, 0.2), (6400, 0.0)])
def test_a_series_of_repeated_readings_is_matched_in_order(fit_on, expected):
    """Corpus F15 (hourly pm2.5): integer readings repeat, so every test-period value also occurs in
    training and a set match sees 0%. The windows are a run of the scaler's rows in order: 20% leak
    when it saw the whole series, none when it saw the training 80% only."""
    series = RNG.integers(0, 300, size=(8000, 1)).astype("float64")
    tracker = LeakTracker()
    scaler = fit_and_transform(tracker, series[:fit_on], "MinMaxScaler")
    scaled_series = scaled(tracker, scaler, series)
    x, y = _windows(scaled_series[:6400], 24)
    tracker.data(False, x, y)
    entry = only(tracker)
    assert entry["outside_training"] == pytest.approx(expected, abs=1e-3)
    assert ("in order" in entry["matched"]) == (expected > 0)


def test_shuffled_windows_are_judged_by_the_set_match_alone():
    series = RNG.integers(0, 300, size=(2000, 1)).astype("float64")
    tracker = LeakTracker()
    scaler = fit_and_transform(tracker, series, "MinMaxScaler")
    x, y = _windows(scaled(tracker, scaler, series)[:1600], 10)
    order = RNG.permutation(len(x))
    tracker.data(False, x[order], y[order])
    entry = only(tracker)
    assert "in order" not in entry["matched"]  # no run to place: no claim from the order
