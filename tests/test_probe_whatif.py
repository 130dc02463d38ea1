"""--what-if without TensorFlow: the catalog's remedies, planning, judging, the range test's choice,
the text line, and the HTML report rendered by a real headless Chromium."""

from __future__ import annotations

import math
import re
import shutil
import subprocess

import numpy as np
import pytest

from rnnlint.catalog import REMEDY_KINDS, CatalogError, parse_rule
from rnnlint.probe import html, rangetest, report, symptoms, whatif
from tests.test_probe_symptoms import CATALOG, STEPS, make_run, summary_for

NAN = float("nan")


def test_every_remedy_names_real_rules_and_known_kinds():
    names = set(CATALOG.by_name)
    remedies = [r for spec in CATALOG for r in spec.remedies]
    assert {r.kind for r in remedies} <= set(REMEDY_KINDS)
    assert {"clipnorm", "learning-rate", "standardize-inputs"} <= {r.kind for r in remedies}
    for remedy in remedies:
        assert set(remedy.not_confirmed) <= names and set(remedy.fixes) <= names, remedy


def test_a_remedy_without_a_resolved_criterion_is_a_catalog_error():
    spec = CATALOG.by_code["RNN501"]
    data = {"code": "RNN599", "name": "x-y", "severity": "warning", "kind": "runtime", "summary": "s",
            "message": "m", "rationale": spec.rationale, "references": ["r"],
            "remedies": [{"remedy": "clipnorm", "parameters": {"clipnorm": 1.0}}]}
    with pytest.raises(CatalogError, match="resolved_when"):
        parse_rule(data, "RNN599.yaml")


def test_plan_runs_each_remedy_once_then_the_combination():
    planned = whatif.plan(["RNN501", "RNN505", "RNN509"], CATALOG, set())
    assert [p.kinds for p in planned] == [("clipnorm",), ("learning-rate",), ("standardize-inputs",),
                                          ("clipnorm", "learning-rate", "standardize-inputs")]
    assert planned[0].symptoms == ("RNN501", "RNN505")
    with_static = whatif.plan(["RNN501"], CATALOG, {"relu-in-recurrent-layer"})
    assert ("tanh-activation",) in [p.kinds for p in with_static]
    assert whatif.plan([], CATALOG, set()) == []


def test_range_test_takes_the_steepest_stable_descent():
    rates = rangetest.schedule(1e-6, 3.0, 40)
    assert math.isclose(rates[0], 1e-6) and math.isclose(rates[-1], 3.0)
    log = np.log10(rates)
    # flat, a fast fall centred near 1e-3, then a blow-up past 0.1
    loss = 1.0 - 0.8 / (1 + np.exp(-(log + 3) * 4))
    loss = np.where(log > -1, 50.0, loss)
    choice = rangetest.choose(rates, loss.tolist(), 0.3, 4.0, 0.05)
    assert choice.rate is not None and 2e-4 < choice.rate < 5e-3, choice


def test_range_test_is_inconclusive_on_a_flat_or_exploding_curve():
    rates = rangetest.schedule(1e-6, 3.0, 40)
    assert rangetest.choose(rates, [1.0] * 40, 0.3, 4.0, 0.05).rate is None
    assert rangetest.choose(rates, [1.0, 2.0, NAN] + [NAN] * 37, 0.3, 4.0, 0.05).rate is None
    assert math.isclose(rangetest.typical_rate("1e-4 to 3e-3"), math.sqrt(3e-7))


def _nan_run():
    return make_run(loss=[6e3] + [NAN] * (STEPS - 1), grad_norm=[3.6e4] + [NAN] * (STEPS - 1),
                    grads_finite=[True] + [False] * (STEPS - 1))


def _tried(after: dict, remedies=("clipnorm",), codes=("RNN501", "RNN505")) -> dict:
    return {"run": 1, "remedies": list(remedies), "symptoms": list(codes), "change": "clipnorm=1.0",
            "after": after}


def test_a_remedy_that_helps_is_resolved_with_its_numbers():
    result = {"runs": [_nan_run()], "remedies": [_tried(make_run())]}
    (judged,) = whatif.judge_all(result, symptoms.Thresholds(CATALOG), CATALOG)
    assert judged["resolved"] and judged["after"]["first_nonfinite_loss"] is None
    text = whatif.line(judged)
    assert text.startswith("remedy: clipnorm=1.0 -> exploding-gradients, loss-divergence resolved: ")
    assert "(was 3.6e+04)" in text and "(was NaN from step 1)" in text


def test_a_remedy_that_does_not_help_is_not_resolved_with_its_numbers():
    result = {"runs": [_nan_run()], "remedies": [_tried(_nan_run())]}
    (judged,) = whatif.judge_all(result, symptoms.Thresholds(CATALOG), CATALOG)
    assert not judged["resolved"] and judged["still_confirmed"] == ["loss-divergence"]
    assert "not resolved" in whatif.line(judged) and "loss NaN from step 1" in whatif.line(judged)


def _page(tmp_path):
    result = {"status": "completed", "runs": [_nan_run()], "leak": [], "notes": [],
              "remedies": [_tried(make_run())]}
    assessment = symptoms.assess(result, symptoms.Thresholds(CATALOG))
    summary = {**summary_for(result),
               "remedies": whatif.judge_all(result, symptoms.Thresholds(CATALOG), CATALOG)}
    page = tmp_path / "report.html"
    page.write_text(html.render(summary, assessment, None), encoding="utf-8")
    return page, summary, assessment


def test_text_report_has_one_line_per_remedy(tmp_path):
    _, summary, assessment = _page(tmp_path)
    text = report.render_text(summary, assessment, None)
    assert sum(line.strip().startswith("remedy: ") for line in text.splitlines()) == 1


def test_html_is_self_contained(tmp_path):
    pytest.importorskip("matplotlib")
    page, _, _ = _page(tmp_path)
    text = page.read_text()
    assert text.count('<figure class="chart"') == 3 and text.count("<svg") == 3
    assert not re.search(r"""(src|href)=["']?(https?:|//)""", text), "the page loads something"
    assert "NaN/Inf from step 1" in text


def _chromium() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.mark.skipif(_chromium() is None, reason="chromium is not installed (apt-get install chromium)")
def test_html_charts_are_drawn_in_a_real_browser(tmp_path):
    pytest.importorskip("matplotlib")
    from matplotlib.image import imread

    page, _, _ = _page(tmp_path)
    shot = tmp_path / "shot.png"
    base = [_chromium(), "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
            f"--user-data-dir={tmp_path / 'profile'}"]
    subprocess.run(base + [f"--screenshot={shot}", "--window-size=1200,1400", page.as_uri()],
                   capture_output=True, timeout=120, check=True)
    dom = subprocess.run(base + ["--dump-dom", page.as_uri()], capture_output=True, text=True,
                         timeout=120, check=True).stdout
    assert dom.count('class="chart"') == 3 and dom.count("<svg") == 3
    pixels = imread(str(shot))[..., :3]
    charts = pixels[150:700]  # the two curve charts and the heat strip sit at the top of the page
    drawn = (charts < 0.9).any(axis=-1).mean()
    assert drawn > 0.01, f"only {drawn:.1%} of the chart area is drawn"
    blue = np.array([0x1a, 0x73, 0xe8]) / 255  # the remedy's curve
    assert (np.abs(charts - blue).sum(axis=-1) < 0.15).sum() > 50, "the remedy's curve is missing"


def test_a_static_finding_whose_fix_resolved_a_symptom_says_so():
    from tests.test_probe_symptoms import finding

    result = {"runs": [_nan_run()], "leak": [], "remedies": [_tried(make_run()), _tried(_nan_run())]}
    th = symptoms.Thresholds(CATALOG)
    tried = whatif.judge_all(result, th, CATALOG)
    findings = [finding("RNN101", "missing-gradient-clipping", 3), finding("RNN201", "unscaled-inputs", 4)]
    clip, scaled = symptoms.confirm_static(findings, symptoms.assess(result, th), CATALOG, tried)
    assert clip.verified == ("fix verified by the probe: clipnorm=1.0 resolved exploding-gradients, "
                             "loss-divergence (fit #1)")
    assert scaled.verified == ""


# --------------------------------------------------------------------------- rebuild-model


def _reuse(previous_run=1, recompiled=True, same_rows=True, from_previous=True) -> dict:
    return {"previous_run": previous_run, "model_fit_before": True, "starts_from_previous_weights": from_previous,
            "recompiled": recompiled, "previous_optimizer": "Adam", "same_training_rows": same_rows}


def _reused_loop(rerun_first: float, start="fresh", previous_end="end1") -> dict:
    """fit #1 from an initialiser (first loss 0.7), fit #2 from fit #1's weights (0.1), and a rebuild rerun."""
    first = make_run(1, loss=[0.7] + [0.3] * (STEPS - 1))
    second = make_run(2, loss=[0.1] * STEPS, reuse=_reuse())
    rerun = make_run(2, loss=[rerun_first] + [0.3] * (STEPS - 1))
    entry = {"run": 2, "remedies": ["rebuild-model"], "symptoms": ["RNN510"], "change": "rebuild the model per run",
             "after": rerun, "rebuild": {"start_fingerprint": start, "previous_end_fingerprint": previous_end}}
    return {"runs": [first, second], "leak": [], "remedies": [entry]}


def test_reuse_is_one_question_for_the_verdict_and_the_remedy():
    th = symptoms.Thresholds(CATALOG)
    assert symptoms.reused_start({"reuse": _reuse(recompiled=True)}, th)
    assert symptoms.reused_start({"reuse": _reuse(recompiled=False, same_rows=False)}, th)
    assert not symptoms.reused_start({"reuse": _reuse(recompiled=False, same_rows=True)}, th)  # continued training
    assert not symptoms.reused_start({"reuse": _reuse(from_previous=False)}, th)
    assert not symptoms.reused_start({"reuse": None}, th)
    reused = make_run(2, reuse=_reuse())
    assert "RNN510" in whatif.confirmed_codes(reused, symptoms.Thresholds(CATALOG))
    assert "RNN510" not in whatif.confirmed_codes(make_run(2, reuse=_reuse(from_previous=False)),
                                                  symptoms.Thresholds(CATALOG))


def test_rebuild_model_is_planned_alone_never_in_a_combination():
    planned = whatif.plan(["RNN501", "RNN509", "RNN510"], CATALOG, set())
    kinds = [p.kinds for p in planned]
    assert ("rebuild-model",) in kinds and ("clipnorm", "standardize-inputs") in kinds
    assert not any("rebuild-model" in k and len(k) > 1 for k in kinds)


def test_the_first_fit_is_followed_back_along_reused_starts():
    runs = {1: make_run(1), 2: make_run(2, reuse=_reuse(1)), 3: make_run(3, reuse=_reuse(2))}
    assert whatif.first_fit(runs[3], runs)["index"] == 1
    assert whatif.first_fit(runs[1], runs) is None
    assert whatif.first_fit(make_run(2, reuse=_reuse(2)), {2: make_run(2, reuse=_reuse(2))}) is None  # a loop


def test_starts_fresh_is_a_ratio_bound_either_way():
    assert whatif.starts_fresh(0.69, 0.70, 2.0) and whatif.starts_fresh(1.3, 0.70, 2.0)
    assert not whatif.starts_fresh(0.1, 0.70, 2.0) and not whatif.starts_fresh(1.5, 0.7, 2.0)
    assert not whatif.starts_fresh(None, 0.7, 2.0) and not whatif.starts_fresh(0.7, None, 2.0)


def test_a_rebuilt_model_that_starts_like_the_first_fit_resolves_reuse():
    (judged,) = whatif.judge_all(_reused_loop(0.69), symptoms.Thresholds(CATALOG), CATALOG)
    assert judged["resolved"] and judged["fixes"] == ["model-reused-across-runs"]
    assert judged["before"]["first_loss"] == 0.1 and judged["before"]["fresh_first_loss"] == 0.7
    assert judged["after"]["first_loss"] == 0.69 and judged["after"]["loss"]  # the series travel too
    assert whatif.line(judged) == ("remedy: rebuild the model per run -> model-reused-observed resolved: "
                                   "fit #2 starts at loss 0.69 like fit #1 (0.7), was 0.1 from fit #1's weights")


def test_a_rebuilt_model_far_from_the_first_fits_start_is_not_resolved_with_its_numbers():
    (judged,) = whatif.judge_all(_reused_loop(3.0), symptoms.Thresholds(CATALOG), CATALOG)
    assert not judged["resolved"] and judged["still_confirmed"] == []
    assert whatif.line(judged) == ("remedy: rebuild the model per run -> model-reused-observed not resolved: "
                                   "fit #2 starts at loss 3 beyond x2 of fit #1 (0.7), was 0.1 from fit #1's weights")


def test_a_rerun_from_the_previous_fits_weights_is_not_a_rebuild():
    (judged,) = whatif.judge_all(_reused_loop(0.7, start="end1"), symptoms.Thresholds(CATALOG), CATALOG)
    assert not judged["resolved"] and judged["still_confirmed"] == ["model-reused-observed"]
    assert whatif.line(judged).endswith("; the rebuilt weights are the ones the previous fit left")


def test_a_resolved_rebuild_verifies_the_static_reuse_finding():
    from tests.test_probe_symptoms import finding

    result = _reused_loop(0.69)
    th = symptoms.Thresholds(CATALOG)
    tried = whatif.judge_all(result, th, CATALOG)
    (check,) = symptoms.confirm_static([finding("RNN302", "model-reused-across-runs", 5)],
                                       symptoms.assess(result, th), CATALOG, tried)
    assert check.verified == ("fix verified by the probe: rebuild the model per run resolved "
                              "model-reused-observed (fit #2)")
