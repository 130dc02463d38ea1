"""`rnnlint probe --what-if` end to end on the fixtures, with real TensorFlow (CPU, seconds each)."""

from __future__ import annotations

import pytest

from tests.test_probe_e2e import PROBE, probe

pytestmark = pytest.mark.slow


def _remedies(name: str):
    exit_code, report = probe(PROBE / f"{name}.py", "--what-if")
    return exit_code, report, {"+".join(r["remedies"]): r for r in report["remedies"]}


def test_clipping_resolves_the_exploding_fixture_and_scaling_alone_honestly_does_not():
    exit_code, report, tried = _remedies("exploding_sick")
    assert exit_code == 1 and "RNN501" in report["confirmed"]  # the script as written is still sick
    clip = tried["clipnorm"]
    assert clip["resolved"] and clip["change"] == "clipnorm=1.0"
    assert clip["before"]["first_nonfinite_loss"] is not None and clip["after"]["first_nonfinite_loss"] is None
    assert clip["after"]["loss_change"] < 0 and len(clip["after"]["loss"]) == clip["before"]["steps"]
    scaled = tried["standardize-inputs"]  # SGD at 0.01 on a relu RNN still blows up on scaled inputs
    assert not scaled["resolved"] and "loss-divergence" in scaled["still_confirmed"]
    assert any(len(r["remedies"]) > 1 for r in report["remedies"])  # and the combination was tried
    clipping = next(s for s in report["static"] if s["name"] == "missing-gradient-clipping")
    assert clipping["verified"].startswith("fix verified by the probe: clipnorm=1.0 resolved")


def test_a_range_tested_rate_resolves_the_plateau_fixture():
    exit_code, report, tried = _remedies("plateau_sick")
    assert exit_code == 1
    rate = tried["learning-rate"]
    assert rate["resolved"] and rate["change"].endswith("(range test)"), rate["change"]
    assert rate["range_test"]["rate"] is not None and rate["after"]["loss_change"] < rate["before"]["loss_change"]
    assert set(rate["symptoms"]) == {"RNN504", "RNN508"}


@pytest.mark.parametrize("name", ["plateau_healthy", "exploding_healthy"])
def test_a_healthy_script_tries_no_remedy(name):
    exit_code, report, tried = _remedies(name)
    assert exit_code == 0 and report["confirmed"] == [] and tried == {}


def test_scaling_resolves_the_unscaled_fixture_and_a_new_rate_honestly_does_not():
    # the target (did the price rise?) is a coin flip, so no rate makes the loss fall: the range
    # test is inconclusive, the family's typical rate is tried and reported as not resolved
    exit_code, report, tried = _remedies("unscaled_sick")
    assert exit_code == 1
    assert tried["standardize-inputs"]["resolved"]
    rate = tried["learning-rate"]
    assert not rate["resolved"] and rate["range_test"]["rate"] is None
    assert "typical for adaptive" in rate["change"] and "loss-plateau" in rate["still_confirmed"]


def test_a_range_tested_rate_resolves_divergence_where_clipping_honestly_does_not():
    # SGD at learning_rate=5: clipped to norm 1 each step still moves the weights by 5
    exit_code, report, tried = _remedies("divergence_sick")
    assert exit_code == 1 and "RNN505" in report["confirmed"]
    assert tried["learning-rate"]["resolved"] and "(range test)" in tried["learning-rate"]["change"]
    clip = tried["clipnorm"]
    assert not clip["resolved"] and clip["loss_fell_more"] is False
    assert clip["before"]["first_nonfinite_loss"] is not None


def test_tanh_resolves_the_relu_recurrent_fixture():
    exit_code, report, tried = _remedies("relu_recurrent_sick")
    assert exit_code == 1 and "RNN501" in report["confirmed"]
    tanh = tried["tanh-activation"]
    assert tanh["resolved"] and tanh["after"]["peak_grad_norm"] < tanh["before"]["peak_grad_norm"]
    relu = next(s for s in report["static"] if s["name"] == "relu-in-recurrent-layer")
    assert relu["verified"].startswith("fix verified by the probe:")


def test_the_relu_fixtures_healthy_twin_tries_no_remedy():
    exit_code, report, tried = _remedies("relu_recurrent_healthy")
    assert exit_code == 0 and tried == {}
