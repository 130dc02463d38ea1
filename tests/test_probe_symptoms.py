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
    (symptoms.exploding, {"grad_norm": [1.0] * 50 + [5e3] + [1.0] * 69,  # and the loss jumps after it
                          "loss": [1.0] * 51 + [3.0] * 69}, "RNN501"),
    (symptoms.exploding, {"grad_norm": [1.0] * 30 + [40.0, 1.0, 40.0] + [1.0] * 87,  # the loss jumps after
                          "loss": [1.0] * 31 + [3.0] * 89}, "RNN501"),
    (symptoms.exploding, {"grads_finite": [True] * 119 + [False]}, "RNN501"),
    (symptoms.exploding, {"timestep_profiles": [{"step": 0, "layer": "rnn",
                                                 "norms": [1e4, 1e2, 1.0]}]}, "RNN501"),
    (symptoms.vanishing_layers, {"layer_grad_norm": [[1e-7, 1.0]] * STEPS}, "RNN502"),
    (symptoms.vanishing_through_time, {"timestep_profiles": [
        {"step": STEPS, "layer": "simple_rnn", "norms": [0.7 ** k for k in range(300)][::-1]}],
        "loss": (1 + 0.05 * RNG.standard_normal(STEPS)).tolist()}, "RNN503"),  # and it does not learn
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


def test_nan_in_the_data_is_its_own_symptom_and_not_blamed_on_gradients_or_loss():
    nan_steps = [False] * STEPS
    data = {"input": {"values": 3, "rows": 3, "first": {"row": 21, "timestep": 19, "feature": 0},
                      "kind": "NaN"}, "target": {"values": 0, "rows": 0}, "from": "training arrays"}
    run = make_run(nonfinite_inputs=data, grads_finite=nan_steps, weights_finite=nan_steps,
                   loss=[float("nan")] * STEPS, grad_norm=[float("nan")] * STEPS)
    verdicts = {v.code: v for v in symptoms.assess({"runs": [run], "leak": []},
                                                   symptoms.Thresholds(CATALOG)).all()}
    assert verdicts["RNN512"].verdict == symptoms.CONFIRMED
    assert "row 21, timestep 19, feature 0" in verdicts["RNN512"].message
    assert verdicts["RNN501"].verdict != symptoms.CONFIRMED
    assert verdicts["RNN505"].verdict != symptoms.CONFIRMED
    # The same non-finite training without NaN in the data is explosion and divergence.
    clean = run | {"nonfinite_inputs": {"input": {"values": 0, "rows": 0}, "target": None}}
    verdicts = {v.code: v for v in symptoms.assess({"runs": [clean], "leak": []},
                                                   symptoms.Thresholds(CATALOG)).all()}
    assert verdicts["RNN512"].verdict == symptoms.NOT_OBSERVED
    assert verdicts["RNN501"].verdict == verdicts["RNN505"].verdict == symptoms.CONFIRMED


def two_fits(starts_from_previous: bool, recompiled: bool, same_rows: bool | None = True) -> dict:
    second = make_run(2, optimizer="RMSprop", reuse={
        "previous_run": 1, "starts_from_previous_weights": starts_from_previous,
        "recompiled": recompiled, "previous_optimizer": "Adam", "same_training_rows": same_rows})
    return {"runs": [make_run(1), second], "leak": []}


@pytest.mark.parametrize("starts, recompiled, same_rows, expected", [
    (True, True, True, symptoms.CONFIRMED),
    (True, False, True, symptoms.NOT_OBSERVED),  # the same optimizer on the same rows: continued training
    (True, False, False, symptoms.CONFIRMED),  # k-fold with the model compiled once
    (True, False, None, symptoms.NOT_OBSERVED),  # rows unreadable (a dataset): stay silent
    (False, True, False, symptoms.NOT_OBSERVED),  # a fresh model per run
])
def test_model_reuse(starts, recompiled, same_rows, expected):
    verdict = symptoms.model_reuse(two_fits(starts, recompiled, same_rows), symptoms.Thresholds(CATALOG))
    assert verdict.verdict == expected


@pytest.mark.parametrize("training_seen, validation_seen, expected", [
    ((0.5, 160), (None, None), symptoms.CONFIRMED),  # a 3-fold loop: the folds share half their training rows
    ((0.0, 0), (1.0, 240), symptoms.CONFIRMED),  # 2-fold: disjoint halves, validated on rows trained before
    ((0.0, 0), (None, None), symptoms.NOT_OBSERVED),  # online training on fresh batches (corpus fenago_echo)
    ((0.0, 0), (0.0, 0), symptoms.NOT_OBSERVED),
    # corpus fenago_generative_fit_loop_nb: 3 samples per fit, the generator's fixed first one recurs
    ((1 / 3, 1), (None, None), symptoms.NOT_OBSERVED),
])
def test_other_rows_are_reuse_only_when_they_meet_rows_trained_before(training_seen, validation_seen, expected):
    result = two_fits(True, False, False)
    result["runs"][1]["reuse"].update(training_seen=training_seen[0], training_seen_rows=training_seen[1],
                                      validation_seen=validation_seen[0], validation_seen_rows=validation_seen[1])
    verdict = symptoms.model_reuse(result, symptoms.Thresholds(CATALOG))
    assert verdict.verdict == expected
    if expected == symptoms.NOT_OBSERVED:
        assert "continued training" in verdict.message


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
    sick = make_run(grad_norm=[1.0] * 50 + [5e3] + [1.0] * 69, loss=[1.0] * 51 + [3.0] * 69)
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


# --------------------------------------------------------------------------- issue 16: noise, padding, leaks


def falling_loss(steps: int = STEPS, noise: float = 0.05, rate: float = 0.01, seed: int = 1) -> list[float]:
    rng = np.random.default_rng(seed)
    return (np.exp(-rate * np.arange(steps)) * np.exp(noise * rng.standard_normal(steps))).tolist()


def test_norm_growing_while_the_loss_falls_is_not_explosion():
    """0.06 -> 73 in jumps, the loss falling all along (healthy learning, as in issue 16)."""
    norms = np.geomspace(0.06, 73, STEPS)
    norms[40::20] *= 30  # jumps well above the running median and above the absolute floor
    verdict = verdict_of(symptoms.exploding, make_run(grad_norm=norms.tolist(), loss=falling_loss()))
    assert verdict.verdict == symptoms.NOT_OBSERVED, verdict.message
    assert verdict.values["raw_spikes"] >= 2 and verdict.values["spikes"] == 0


def test_epoch_boundaries_of_a_stateful_model_are_not_explosion():
    """The state carried over from the end of the series: one high loss and norm per epoch, recovered at once."""
    norms, loss = [1.0] * STEPS, falling_loss(noise=0.02)
    for boundary in range(20, STEPS, 20):
        norms[boundary], loss[boundary] = 50.0, loss[boundary] * 4
    verdict = verdict_of(symptoms.exploding, make_run(grad_norm=norms, loss=loss))
    assert verdict.verdict == symptoms.NOT_OBSERVED, verdict.message


def test_spikes_below_the_absolute_floor_are_not_counted():
    norms = [1e-3] * STEPS
    norms[40] = norms[60] = 0.5  # 500x the median, still under spike_min_norm
    run = make_run(grad_norm=norms, loss=[1.0] * 41 + [3.0] * 79)
    assert verdict_of(symptoms.exploding, run).values["raw_spikes"] == 0


def per_sample_losses(steps: int, seed: int = 3) -> list[float]:
    """Single-sample losses while the model learns: a falling mean, exponentially spread around it."""
    rng = np.random.default_rng(seed)
    mean = 0.7 * np.exp(-np.arange(steps) / 400) + 0.05
    return (mean * rng.exponential(1.0, steps)).tolist()


@pytest.mark.parametrize("symptom", [symptoms.plateau, symptoms.oscillation])
def test_batch_of_one_is_judged_on_points_of_enough_samples(symptom):
    noisy = per_sample_losses(STEPS)
    assert verdict_of(symptom, make_run(loss=noisy)).verdict == symptoms.CONFIRMED  # read per step
    verdict = verdict_of(symptom, make_run(loss=noisy, batch_size=1))
    assert verdict.verdict == symptoms.NOT_MEASURABLE and "per-sample noise" in verdict.message


def test_batch_of_one_with_enough_steps_is_judged_on_means():
    per_point = CATALOG.by_code["RNN504"].thresholds["min_samples_per_point"].default
    steps = int(per_point * 40)
    run = make_run(loss=per_sample_losses(steps), batch_size=1, steps=steps)
    verdict = verdict_of(symptoms.plateau, run)
    assert verdict.verdict == symptoms.NOT_OBSERVED, verdict.message
    assert verdict.values["steps_per_point"] == per_point and "mean of" in verdict.message
    assert verdict_of(symptoms.oscillation, run).verdict == symptoms.NOT_OBSERVED


def test_padding_is_not_sequence():
    """36 real tokens pre-padded to 200: the horizon is judged over the 36."""
    norms = [1e-9] * 154 + [0.9 ** k for k in range(46)][::-1]
    flat = (1 + 0.05 * RNG.standard_normal(STEPS)).tolist()
    padded = [{"step": 0, "layer": "lstm", "norms": norms, "span": [164, 200]}]
    verdict = verdict_of(symptoms.vanishing_through_time, make_run(timestep_profiles=padded, loss=flat))
    assert verdict.verdict == symptoms.NOT_OBSERVED and verdict.values["seq_len"] == 36
    assert "padding" in verdict.message
    unpadded = [{"step": 0, "layer": "lstm", "norms": norms}]
    assert verdict_of(symptoms.vanishing_through_time,
                      make_run(timestep_profiles=unpadded, loss=flat)).verdict == symptoms.CONFIRMED


@pytest.mark.parametrize("masked, expected", [(False, symptoms.CONFIRMED), (True, symptoms.NOT_OBSERVED)])
def test_padding_after_the_data_is_read_through_unless_masked(masked, expected):
    """90 timesteps of data post-padded to 189 (corpus: shidktbw spam): with no mask the output is
    read at timestep 188, and its gradient dies in the padding before reaching the data; a mask
    makes timestep 89 the last one read."""
    norms = [1e-12] * 90 + [0.8 ** k for k in range(99)][::-1]  # reaches ~20 steps back from 188
    norms[60:90] = [0.95 ** k for k in range(30)][::-1]  # within the data, as seen from timestep 89
    flat = (1 + 0.05 * RNG.standard_normal(STEPS)).tolist()
    profile = [{"step": 0, "layer": "lstm", "norms": norms, "span": [0, 90], "masked": masked}]
    verdict = verdict_of(symptoms.vanishing_through_time, make_run(timestep_profiles=profile, loss=flat))
    assert verdict.verdict == expected, verdict.message
    assert verdict.values["seq_len"] == 90
    if not masked:
        assert verdict.values["horizon"] == 0 and verdict.values["trailing_padding"] == 99
        assert "99 padding timesteps after them" in verdict.message


def test_data_horizon_counts_only_data_timesteps():
    from rnnlint.probe import measures

    ones = [1.0] * 10
    assert measures.data_horizon(ones, 0, 6, 4, 0.1) == 6  # reaches all the way: all 6 data steps
    fading = [1e-6] * 4 + [1.0] * 6  # reaches the last 6 timesteps of 10
    assert measures.data_horizon(fading, 0, 6, 4, 0.1) == 2  # 4 of them padding, 2 data
    assert measures.data_horizon(fading, 0, 6, 0, 0.1) is not None


def test_short_horizon_on_a_run_that_learns_is_reported_not_confirmed():
    short = [{"step": STEPS, "layer": "simple_rnn", "norms": [0.7 ** k for k in range(300)][::-1]}]
    verdict = verdict_of(symptoms.vanishing_through_time,
                         make_run(timestep_profiles=short, loss=falling_loss(rate=0.03)))
    assert verdict.verdict == symptoms.NOT_OBSERVED
    assert "not confirmed: the loss fell" in verdict.message and "earlier ones" in verdict.message


def test_scaler_leak_quotes_the_scaler_that_leaks():
    leak = [
        {"scaler": "StandardScaler", "line": 12, "matched": "inputs", "fit_rows": 700, "train_rows": 700,
         "outside_training": 0.0, "eval_rows": 300, "eval_seen": 0.0},
        {"scaler": "MinMaxScaler", "line": 20, "matched": "targets", "fit_rows": 1000, "train_rows": 700,
         "outside_training": 0.3, "eval_rows": 300, "eval_seen": 1.0},
    ]
    verdict = symptoms.scaler_leak({"runs": [make_run()], "leak": leak}, symptoms.Thresholds(CATALOG))
    assert verdict.verdict == symptoms.CONFIRMED
    assert verdict.message.startswith("MinMaxScaler (line 20; rows matched against the targets) was fitted on")
    assert "30%" in verdict.message and "1 of 2 scalers" in verdict.message


def test_scaler_leak_names_validation_split_rows_without_counting_them():
    leak = [{"scaler": "RobustScaler", "line": 22, "matched": "inputs samples", "fit_rows": 398,
             "train_rows": 398, "outside_training": 0.0, "eval_rows": 171, "eval_seen": 0.0,
             "split_rows": 80, "split_seen": 1.0}]
    verdict = symptoms.scaler_leak({"runs": [make_run()], "leak": leak}, symptoms.Thresholds(CATALOG))
    assert verdict.verdict == symptoms.NOT_OBSERVED
    assert "100% of the 80 rows validation_split holds out" in verdict.message


def test_a_failure_on_a_flagged_line_says_which_rule_predicted_it(tmp_path):
    script = tmp_path / "train.py"
    script.write_text("x = 1\n")
    error = {"type": "ValueError", "message": "Argument(s) not recognized: {'lr': 0.01}", "frames": [
        {"file": str(script), "line": 12, "function": "<module>", "code": "opt = Adam(lr=0.01)"},
        {"file": "/venv/site-packages/keras/opt.py", "line": 99, "function": "__init__", "code": ""}]}
    findings = [Finding("RNN110", "legacy-optimizer-argument", Severity.WARNING, str(script),
                        Span(12, 7, 12, 20), "msg"),
                finding("RNN101", "missing-gradient-clipping", 12)]
    hits = symptoms.predicted_failure(findings, error, script, CATALOG)
    assert hits == [{"line": 12, "code": "RNN110", "name": "legacy-optimizer-argument"}]
    text = report.render_text(summary_for({"status": "script_error", "error": error, "runs": []})
                              | {"predicted_by": hits}, None, None)
    assert "line 12: RNN110 legacy-optimizer-argument predicted this" in text
    assert symptoms.predicted_failure(findings, None, script, CATALOG) == []


def test_traceback_shows_the_users_frames_first_then_the_library_frames_that_matter():
    library = [{"file": f"/venv/site-packages/keras/f{i}.py", "line": i, "function": f"f{i}", "code": ""}
               for i in range(30)]
    user = [{"file": "/work/train.py", "line": 40, "function": "<module>", "code": "main()"},
            {"file": "/work/train.py", "line": 30, "function": "main", "code": "model.fit(x, y)"}]
    lines = report.traceback_lines({"frames": user + library})
    text = "\n".join(lines)
    assert text.index("train.py:40") < text.index("train.py:30") < text.index("f0.py")
    assert "f0.py" in text and "f28.py" in text and "f29.py" in text and "f15.py" not in text
    assert "3 of 30 frames" in text


def test_a_norm_large_from_the_first_step_is_the_loss_scale_not_explosion():
    """Corpus F5/F12: MSE on raw targets in the hundreds: 1.7e4 from step one, steady, loss falling."""
    steady = (1.7e4 * (1 + 0.05 * RNG.standard_normal(STEPS))).tolist()
    verdict = verdict_of(symptoms.exploding, make_run(grad_norm=steady))
    assert verdict.verdict == symptoms.NOT_OBSERVED, verdict.message
    grown = [1.0] * 50 + [5e3] * 70  # the same height reached by growing, and the loss rose: counted
    rising = [1.0] * 51 + [4.0] * 69
    assert verdict_of(symptoms.exploding, make_run(grad_norm=grown, loss=rising)).verdict == symptoms.CONFIRMED


def short_horizon_run(loss: list[float], constant: dict | None) -> dict:
    short = [{"step": STEPS, "layer": "lstm", "norms": [0.7 ** k for k in range(200)][::-1]}]
    return make_run(timestep_profiles=short, loss=loss, constant_loss=constant)


def test_a_fall_only_to_the_constant_predictors_loss_confirms_the_short_horizon():
    """Corpus yusu_adding_lstm_t200: the MSE falls by ~80%, to the targets' variance, and stops there."""
    loss = np.maximum(falling_loss(rate=0.05), 0.2).tolist()
    verdict = verdict_of(symptoms.vanishing_through_time,
                         short_horizon_run(loss, {"loss": 0.2, "predictor": "targets' mean", "rows": 512}))
    assert verdict.verdict == symptoms.CONFIRMED
    assert verdict.values["constant_loss"] == 0.2 and verdict.values["final_loss"] == pytest.approx(0.2, rel=0.1)
    assert "predicting the targets' mean scores" in verdict.message
    assert "learned the average, not the sequence" in verdict.message


def test_a_fall_well_below_the_constant_predictors_loss_is_learning():
    loss = falling_loss(rate=0.05)
    verdict = verdict_of(symptoms.vanishing_through_time,
                         short_horizon_run(loss, {"loss": 0.5, "predictor": "targets' mean", "rows": 512}))
    assert verdict.verdict == symptoms.NOT_OBSERVED
    assert "of the 0.5 that predicting the targets' mean scores" in verdict.message
    assert "not confirmed: the loss fell" in verdict.message


def test_without_a_constant_floor_the_fall_alone_decides():
    loss = np.maximum(falling_loss(rate=0.05), 0.2).tolist()
    verdict = verdict_of(symptoms.vanishing_through_time, short_horizon_run(loss, None))
    assert verdict.verdict == symptoms.NOT_OBSERVED and "constant_loss" not in verdict.values


def test_a_fall_larger_than_expected_but_noisy_is_not_a_plateau():
    """Seen on a two-output model (mse + cross-entropy, 65 steps): the fitted loss fell by 9%, far
    more than the 1.6% expected, and per-batch noise left the bound at +9%: no plateau is shown."""
    batches = [2.49, 3.73, 3.64, 3.08, 2.15, 3.85, 3.52, 4.56, 4.12, 4.42, 3.56, 4.59, 2.26]  # one epoch's
    noisy = (np.tile(batches, 5) * np.exp(-0.0015 * np.arange(65))).tolist()  # falling 0.15% a step
    verdict = verdict_of(symptoms.plateau, make_run(loss=noisy, steps=65))
    assert verdict.values["change"] <= -verdict.values["min_drop"] < verdict.values["change_bound"]
    assert verdict.verdict == symptoms.NOT_MEASURABLE
    assert "too noisy" in verdict.message and "neither a plateau nor learning" in verdict.message


def test_a_norm_that_climbs_past_the_bound_while_the_loss_falls_is_not_explosion():
    """Corpus raccoon_lstm_split_syspath: raw targets, the norm climbs 20-fold to 4954 over the run while the
    loss keeps falling (Adam's updates stay near 1e-3 of the weights)."""
    climbing = np.geomspace(100, 4954, STEPS).tolist()
    verdict = verdict_of(symptoms.exploding, make_run(grad_norm=climbing, loss=falling_loss(rate=0.01)))
    assert verdict.verdict == symptoms.NOT_OBSERVED and verdict.values["bound_crossed_at"] is not None
    assert verdict.values["loss_rose_after_crossing"] is False
    # crossing in the last step: what followed was never seen, so it is no evidence
    late = [1.0] * (STEPS - 1) + [5e3]
    assert verdict_of(symptoms.exploding, make_run(grad_norm=late)).verdict == symptoms.NOT_OBSERVED


def test_all_zero_gradients_are_a_frozen_model_not_a_learning_rate():
    """Corpus raccoon_deep_lstm_relu_bs1: a Dense(1, relu) output dead from the first step; every gradient
    is exactly zero and so is every update, whatever Adam's rate."""
    frozen = make_run(grad_norm=[0.0] * STEPS, update_ratio=[[0.0, 0.0]] * STEPS)
    for symptom in (symptoms.learning_rate_low, symptoms.learning_rate_high):
        verdict = verdict_of(symptom, frozen)
        assert verdict.verdict == symptoms.NOT_MEASURABLE and "frozen" in verdict.message


def test_a_noisy_fall_that_ends_at_the_constant_predictors_loss_is_still_a_plateau():
    """vanishing_sick.py: the loss drops from 0.75 to the class prior's entropy (0.693) in its first
    steps and stays there; the fitted fall beats the expected one only through those first steps."""
    batches = [2.49, 3.73, 3.64, 3.08, 2.15, 3.85, 3.52, 4.56, 4.12, 4.42, 3.56, 4.59, 2.26]
    noisy = (np.tile(batches, 5) * np.exp(-0.0015 * np.arange(65))).tolist()
    at_floor = make_run(loss=noisy, steps=65, constant_loss={"loss": 3.3, "predictor": "targets' mean", "rows": 65})
    verdict = verdict_of(symptoms.plateau, at_floor)
    assert verdict.verdict == symptoms.CONFIRMED and "that predicting the targets' mean scores" in verdict.message
