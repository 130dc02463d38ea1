"""The constant predictor's loss (rnnlint/probe/baseline.py), computed with real Keras losses: each
is the textbook value of the best constant for that loss on known targets."""

from __future__ import annotations

import math

import numpy as np
import pytest

pytestmark = pytest.mark.slow
keras = pytest.importorskip("keras")

from rnnlint.probe.baseline import constant_loss  # noqa: E402 - after the importorskip

RNG = np.random.default_rng(0)


def model_with(output_units: int, activation: str | None, loss) -> "keras.Model":
    model = keras.Sequential([keras.Input((4, 1)), keras.layers.LSTM(2),
                              keras.layers.Dense(output_units, activation=activation)])
    model.compile(optimizer="adam", loss=loss)
    return model


def test_mean_squared_error_of_the_mean_is_the_variance():
    y = RNG.normal(3.0, 2.0, (1000, 1)).astype("float32")
    floor = constant_loss(model_with(1, None, "mse"), y)
    assert floor["predictor"] == "targets' mean" and floor["loss"] == pytest.approx(float(y.var()), rel=1e-4)


def test_mean_absolute_error_of_the_median_is_the_mean_absolute_deviation():
    y = RNG.exponential(1.0, (1001, 1)).astype("float32")  # skewed: the median beats the mean
    floor = constant_loss(model_with(1, None, keras.losses.MeanAbsoluteError()), y)
    assert floor["predictor"] == "targets' median"
    assert floor["loss"] == pytest.approx(float(np.mean(np.abs(y - np.median(y)))), rel=1e-4)


def test_binary_crossentropy_of_the_class_share_is_its_entropy():
    y = (RNG.random((2000, 1)) < 0.2).astype("float32")
    p = float(y.mean())
    entropy = -(p * math.log(p) + (1 - p) * math.log(1 - p))
    assert constant_loss(model_with(1, "sigmoid", "binary_crossentropy"), y)["loss"] == pytest.approx(entropy, rel=1e-3)
    logits = constant_loss(model_with(1, None, keras.losses.BinaryCrossentropy(from_logits=True)), y)
    assert logits["predictor"] == "class frequencies (as logits)" and logits["loss"] == pytest.approx(entropy, rel=1e-3)


def test_sparse_labels_score_the_entropy_of_their_frequencies():
    y = RNG.choice(3, size=3000, p=[0.5, 0.3, 0.2])
    frequencies = np.bincount(y) / y.size
    entropy = float(-(frequencies * np.log(frequencies)).sum())
    for loss in ("sparse_categorical_crossentropy",
                 keras.losses.SparseCategoricalCrossentropy(from_logits=True)):
        floor = constant_loss(model_with(3, None if not isinstance(loss, str) else "softmax", loss), y)
        assert floor["predictor"] == "class frequencies" and floor["loss"] == pytest.approx(entropy, rel=1e-3)


def test_one_hot_labels_score_the_same_entropy():
    labels = RNG.choice(3, size=3000, p=[0.5, 0.3, 0.2])
    y = np.eye(3, dtype="float32")[labels]
    frequencies = y.mean(axis=0)
    entropy = float(-(frequencies * np.log(frequencies)).sum())
    floor = constant_loss(model_with(3, "softmax", "categorical_crossentropy"), y)
    assert floor["loss"] == pytest.approx(entropy, rel=1e-3)


def test_only_a_bounded_sample_of_rows_is_scored():
    y = RNG.normal(0, 1, (20000, 1)).astype("float32")
    assert constant_loss(model_with(1, None, "mse"), y)["rows"] == 4096


@pytest.mark.parametrize("case", ["several outputs", "no loss", "text targets", "no target"])
def test_what_it_cannot_score_has_no_floor(case):
    y = RNG.normal(0, 1, (100, 1)).astype("float32")
    model = model_with(1, None, {"dense": "mse"} if case == "several outputs" else "mse")
    if case == "no loss":
        model = keras.Sequential([keras.Input((4, 1)), keras.layers.LSTM(2), keras.layers.Dense(1)])
    target = {"text targets": np.array(["a"] * 100), "no target": None}.get(case, y)
    assert constant_loss(model, target) is None
