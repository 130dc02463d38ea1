"""Verdicts from synthetic measurements, the threshold accessor, static confirmation and the reports."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

from rnnlint.catalog import default_catalog
from rnnlint.findings import Finding, Severity, Span
from rnnlint.probe import report, symptoms

CATALOG = default_catalog()
RNG = np.random.default_rng(0)
STEPS = 120


def make_run(index=1, **overrides) -> dict:
    """A healthy-looking run: falling loss, modest norms, ratios near 1e-3, unit-scale inputs."""
    loss = np.exp(-0.01 * np.arange(STEPS)) * np.exp(0.05 * RNG.standard_normal(STEPS))
    run = {
        "index": index, "kind": "fit", "steps": STEPS, "optimizer": "Adam", "learning_rate": 1e-3,
        "loss": loss.tolist(), "grad_norm": (1 + 0.1 * RNG.random(STEPS)).tolist(),
        "layers": ["lstm", "dense"], "layer_grad_norm": [[1.0, 0.5]] * STEPS,
        "update_ratio": [[1e-3, 2e-3]] * STEPS, "grads_finite": [True] * STEPS,
        "weights_finite": [True] * STEPS,
        "timestep_profiles": [{"step": 0, "layer": "lstm", "norms": [1.0] * 20},
                              {"step": STEPS, "layer": "lstm", "norms": [1.0] * 20}],
        "input_stats": {"dtype": "float32", "mean": [0.0, 0.1], "std": [1.0, 0.9]},
        "target_stats": {"min": [-1.0], "max": [1.0]}, "integer_inputs": False,
    }
    run.update(overrides)
    return run


def verdict_of(symptom, run) -> symptoms.Verdict:
    return symptom(run, symptoms.Thresholds(CATALOG))


def test_healthy_run_confirms_nothing():
    result = {"runs": [make_run()], "leak": []}
    assessment = symptoms.assess(result, symptoms.Thresholds(CATALOG))
    assert assessment.confirmed() == []
    kinds = {v.name: v.verdict for v in assessment.all()}
    assert kinds["loss-plateau"] == symptoms.NOT_OBSERVED
    assert kinds["model-reused-observed"] == symptoms.NOT_MEASURABLE
    assert kinds["scaler-leak-observed"] == symptoms.NOT_MEASURABLE


SICK = [
    (symptoms.exploding, {"grad_norm": [1.0] * 50 + [5e3] + [1.0] * 69}, "RNN501"),
    (symptoms.exploding, {"grad_norm": [1.0] * 30 + [40.0, 1.0, 40.0] + [1.0] * 87}, "RNN501"),
    (symptoms.exploding, {"grads_finite": [True] * 119 + [False]}, "RNN501"),
    (symptoms.exploding, {"timestep_profiles": [{"step": 0, "layer": "rnn",
                                                 "norms": [1e4, 1e2, 1.0]}]}, "RNN501"),
    (symptoms.vanishing_layers, {"layer_grad_norm": [[1e-7, 1.0]] * STEPS}, "RNN502"),
    (symptoms.vanishing_through_time, {"timestep_profiles": [
        {"step": STEPS, "layer": "simple_rnn", "norms": [0.7 ** k for k in range(300)][::-1]}]}, "RNN503"),
    (symptoms.plateau, {"loss": (1 + 0.05 * RNG.standard_normal(STEPS)).tolist()}, "RNN504"),
    (symptoms.divergence, {"loss": [1.0] * 10 + [float("nan")] * 110}, "RNN505"),
    (symptoms.divergence, {"loss": np.exp(0.03 * np.arange(STEPS)).tolist()}, "RNN505"),
    (symptoms.oscillation, {"loss": [0.5 if i % 2 else 2.0 for i in range(STEPS)]}, "RNN506"),
    (symptoms.learning_rate_high, {"update_ratio": [[0.5, 0.8]] * STEPS}, "RNN507"),
    (symptoms.learning_rate_low, {"update_ratio": [[1e-8, 1e-7]] * STEPS}, "RNN508"),
    (symptoms.unscaled_inputs, {"input_stats": {"dtype": "float64", "mean": [1000.0, 0.0],
                                                "std": [50.0, 1.0]}}, "RNN509"),
    (symptoms.unscaled_inputs, {"input_stats": {"dtype": "float64", "mean": [0.0, 0.0],
                                                "std": [5.0, 0.001]}}, "RNN509"),
]


@pytest.mark.parametrize("symptom, overrides, code", SICK, ids=[f"{c}-{i}" for i, (_, _, c) in enumerate(SICK)])
def test_sick_measurements_are_confirmed_with_a_rendered_message(symptom, overrides, code):
    verdict = verdict_of(symptom, make_run(**overrides))
    assert (verdict.code, verdict.verdict) == (code, symptoms.CONFIRMED)
    assert "{" not in verdict.message and verdict.values


@pytest.mark.parametrize("symptom", symptoms.RUN_SYMPTOMS)
def test_a_run_without_steps_is_not_measurable(symptom):
    empty = {"index": 1, "kind": "fit", "steps": 0, "timestep_profiles": []}
    assert verdict_of(symptom, empty).verdict == symptoms.NOT_MEASURABLE


def test_token_ids_are_not_judged_as_features():
    run = make_run(integer_inputs=True, input_stats={"mean": [500.0], "std": [300.0]})
    assert verdict_of(symptoms.unscaled_inputs, run).verdict == symptoms.NOT_MEASURABLE


def test_a_short_sequence_is_not_judged_for_its_horizon():
    run = make_run(timestep_profiles=[{"step": 0, "layer": "gru", "norms": [1e-9, 1.0]}])
    assert verdict_of(symptoms.vanishing_through_time, run).verdict == symptoms.NOT_MEASURABLE


def test_a_trained_dependency_on_early_timesteps_is_not_explosion():
    profiles = [{"step": 0, "layer": "rnn", "norms": [0.1, 0.5, 1.0]},
                {"step": STEPS, "layer": "rnn", "norms": [500.0, 10.0, 1.0]}]
    assert verdict_of(symptoms.exploding, make_run(timestep_profiles=profiles)).verdict == symptoms.NOT_OBSERVED


def two_fits(starts_from_previous: bool, recompiled: bool) -> dict:
    second = make_run(2, optimizer="RMSprop", reuse={
        "previous_run": 1, "starts_from_previous_weights": starts_from_previous,
        "recompiled": recompiled, "previous_optimizer": "Adam"})
    return {"runs": [make_run(1), second], "leak": []}


@pytest.mark.parametrize("starts, recompiled, expected", [
    (True, True, symptoms.CONFIRMED),
    (True, False, symptoms.NOT_OBSERVED),  # the same optimizer going on: continued training
    (False, True, symptoms.NOT_OBSERVED),
])
def test_model_reuse(starts, recompiled, expected):
    verdict = symptoms.model_reuse(two_fits(starts, recompiled), symptoms.Thresholds(CATALOG))
    assert verdict.verdict == expected


@pytest.mark.parametrize("outside, expected", [(0.25, symptoms.CONFIRMED), (0.01, symptoms.NOT_OBSERVED)])
def test_scaler_leak(outside, expected):
    leak = [{"scaler": "StandardScaler", "fit_rows": 600, "train_rows": 1800, "outside_training": outside,
             "eval_rows": 600, "eval_seen": 1.0}]
    verdict = symptoms.scaler_leak({"runs": [make_run()], "leak": leak}, symptoms.Thresholds(CATALOG))
    assert verdict.verdict == expected


def test_every_runtime_threshold_is_read():
    thresholds = symptoms.Thresholds(CATALOG)
    symptoms.assess(two_fits(True, True) | {"leak": []}, thresholds)
    assert thresholds.unread() == []


def test_every_runtime_entry_has_a_symptom_and_says_what_it_confirms():
    runtime = {s.code for s in CATALOG if s.kind == "runtime"}
    result = two_fits(True, True)
    produced = {v.code for v in symptoms.assess(result, symptoms.Thresholds(CATALOG)).all()}
    assert produced == runtime
    static_names = {s.name for s in CATALOG if s.kind == "static"}
    for spec in CATALOG:
        if spec.kind == "runtime":
            assert set(spec.extra.get("confirms", [])) <= static_names, spec.code
    assert set(symptoms.UNMEASURABLE_STATIC) <= static_names


def finding(code: str, name: str, line: int) -> Finding:
    return Finding(code, name, Severity.WARNING, "train.py", Span(line, 1, line, 5), "msg")


def test_static_findings_are_confirmed_refuted_or_honestly_unmeasurable():
    sick = make_run(grad_norm=[1.0] * 50 + [5e3] + [1.0] * 69)
    assessment = symptoms.assess({"runs": [sick], "leak": []}, symptoms.Thresholds(CATALOG))
    checks = symptoms.confirm_static([
        finding("RNN101", "missing-gradient-clipping", 3),
        finding("RNN201", "unscaled-inputs", 4),
        finding("RNN202", "scaler-fit-on-test-data", 5),
        finding("RNN301", "missing-early-stopping", 6),
        finding("RNN999", "some-future-rule", 7),
    ], assessment, CATALOG)
    verdicts = {c.name: c.verdict for c in checks}
    assert verdicts == {
        "missing-gradient-clipping": symptoms.CONFIRMED,
        "unscaled-inputs": symptoms.NOT_OBSERVED,
        "scaler-fit-on-test-data": symptoms.NOT_MEASURABLE,
        "missing-early-stopping": symptoms.NOT_MEASURABLE,
        "some-future-rule": symptoms.NOT_MEASURABLE,
    }
    assert "5e+03" in checks[0].evidence


def summary_for(result: dict) -> dict:
    return {"script": "train.py", "status": "completed", "headline": "probed", "exit_code": 1,
            "seconds": 1.0, "seed": 0, "steps": STEPS, "result": result, "notes": []}


def test_reports_draw_curves_and_emit_valid_json_without_nan():
    run = make_run(loss=[1.0] * 10 + [float("nan")] * 110)
    result = {"status": "completed", "runs": [run], "leak": [], "notes": []}
    assessment = symptoms.assess(result, symptoms.Thresholds(CATALOG))
    text = report.render_text(summary_for(result), assessment, None)
    assert "loss (log scale), 10 steps" in text and "RNN505" in text
    assert "loss: NaN/Inf from step 10 of 120; last finite value(s) before it: 1, 1, 1" in text
    assert "gradient per timestep into lstm" in text
    document = json.loads(report.render_json(summary_for(result), assessment, []),
                          parse_constant=lambda c: pytest.fail(f"{c} in JSON"))
    assert document["version"] == report.JSON_VERSION
    assert document["confirmed"] == ["RNN505"]
    assert document["runs"][0]["loss"][10] is None and len(document["runs"][0]["grad_norm"]) == STEPS
    assert {s["code"] for s in document["runs"][0]["symptoms"]} >= {"RNN501", "RNN509"}


def test_chart_of_a_loss_nan_from_its_first_steps_says_where_and_the_last_values():
    lines = report.chart([6460.0] + [float("nan")] * 199, "loss")
    assert lines == ["  loss: NaN/Inf from step 1 of 200; last finite value(s) before it: 6.46e+03"]


def test_chart_is_bounded_in_width_and_height():
    lines = report.chart([math.exp(-i / 50) for i in range(1000)], "loss")
    assert len(lines) == 1 + report.CHART_HEIGHT
    assert all(len(line.split("┤")[1]) == report.CHART_WIDTH for line in lines[1:])


def test_horizon_is_judged_at_its_longest_across_checkpoints():
    wide = [1.0] * 100  # at initialisation the gradient reaches the whole window
    focused = [1e-6] * 90 + [1.0] * 10  # once trained, the model looks at the last steps only
    profiles = [{"step": 0, "layer": "lstm", "norms": wide}, {"step": STEPS, "layer": "lstm", "norms": focused}]
    verdict = verdict_of(symptoms.vanishing_through_time, make_run(timestep_profiles=profiles))
    assert verdict.verdict == symptoms.NOT_OBSERVED and verdict.values["horizon"] == 100
