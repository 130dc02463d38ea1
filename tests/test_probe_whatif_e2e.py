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


# --------------------------------------------------------------------------- rebuild-model (RNN510)

REUSE_STEPS = ("--steps", "40")  # a reused start shows from the second fit on: a short fit is enough


def _rebuilds(name: str):
    exit_code, report = probe(PROBE / f"{name}.py", "--what-if", *REUSE_STEPS)
    return exit_code, report, [r for r in report["remedies"] if r["remedies"] == ["rebuild-model"]]


# RNN302 reads an optimizer loop; the k-fold fixture's `for k, held_out in enumerate(folds)` over
# precomputed folds is beyond it, so only the first has a static finding to verify
@pytest.mark.parametrize("name, static", [("reuse_sick", True), ("kfold_sick", False)])
def test_rebuilding_the_model_resolves_reuse_across_an_optimizer_or_fold_loop(name, static):
    exit_code, report, rebuilt = _rebuilds(name)
    assert exit_code == 1 and "RNN510" in report["confirmed"]  # the script as written is still sick
    assert [r["run"] for r in rebuilt] == [2, 3]  # every fit that started from the previous one's weights
    for r in rebuilt:
        before, after = r["before"], r["after"]
        assert r["resolved"] and r["change"] == "rebuild the model per run" and r["symptoms"] == ["RNN510"]
        assert after["start_fingerprint"] != before["start_fingerprint"]
        assert before["fresh_run"] == 1 and len(after["loss"]) == before["steps"]
        ratio = after["first_loss"] / before["fresh_first_loss"]
        assert 1 / after["max_first_loss_ratio"] <= ratio <= after["max_first_loss_ratio"]
    reused = [s for s in report["static"] if s["name"] == "model-reused-across-runs"]
    assert len(reused) == static
    assert all(s["verified"].startswith("fix verified by the probe: rebuild the model per run resolved")
               for s in reused)


def test_a_rebuild_does_not_restore_a_pretrained_start_and_says_so_with_numbers():
    exit_code, report, rebuilt = _rebuilds("reuse_pretrained")
    assert exit_code == 1 and "RNN510" in report["confirmed"]
    (r,) = rebuilt
    assert not r["resolved"] and r["starts_like_first_fit"] is False and r["still_confirmed"] == []
    assert r["after"]["first_loss"] > r["after"]["max_first_loss_ratio"] * r["before"]["fresh_first_loss"]


def test_a_subclassed_model_keras_cannot_clone_is_a_could_not_be_tried_note():
    exit_code, report, rebuilt = _rebuilds("reuse_subclassed")
    assert exit_code == 1 and "RNN510" in report["confirmed"] and rebuilt == []
    notes = report["notes"]
    assert any("rebuild-model could not be tried" in n and "cannot clone Forecaster" in n for n in notes), notes


@pytest.mark.parametrize("name", ["reuse_healthy", "kfold_healthy"])
def test_a_model_rebuilt_per_run_tries_no_rebuild(name):
    exit_code, report, rebuilt = _rebuilds(name)
    assert "RNN510" not in report["confirmed"] and rebuilt == []
