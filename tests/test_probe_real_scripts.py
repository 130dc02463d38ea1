"""Issue 16 end to end: each defect found on real scripts has a fixture that reproduced it and a
healthy twin; the probe runs them with real TensorFlow (CPU, a few seconds each) and must reach the
right verdict: no script fails because of the probe, and no symptom is confirmed that is not there.
"""

from __future__ import annotations

import functools
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import FIXTURES, ROOT

PROBE = FIXTURES / "probe"
pytestmark = pytest.mark.slow


def probe(script: Path, *extra: str, cwd: Path = ROOT, fmt: str = "json", env: dict | None = None):
    """(exit code, report: parsed JSON or text) of `python -m rnnlint.probe SCRIPT`."""
    proc = subprocess.run(
        [sys.executable, "-m", "rnnlint.probe", str(script), "--format", fmt, "--quiet", *extra],
        capture_output=True, text=True, timeout=300, cwd=cwd,
        env={**os.environ, "PYTHONPATH": str(ROOT), **(env or {})},
    )
    assert proc.stdout, proc.stderr
    return proc.returncode, (json.loads(proc.stdout) if fmt == "json" else proc.stdout)


@functools.lru_cache(maxsize=None)
def cached(name: str, *extra: str):
    return probe(PROBE / name, *extra)


def symptom(report: dict, code: str, run: int = 0) -> dict:
    return next(s for s in report["runs"][run]["symptoms"] if s["code"] == code)


def confirmed(report: dict) -> list:
    return [(s["code"], s["message"]) for r in report["runs"] for s in r["symptoms"] if s["verdict"] == "confirmed"]


# --------------------------------------------------------------------------- 1. integer and bool inputs


@pytest.mark.parametrize("args", [("bool_inputs.py", "--", "bool"), ("bool_inputs.py", "--", "uint8"),
                                  ("bool_inputs.py", "--", "int64"), ("float_inputs.py",)])
def test_integer_and_bool_inputs_are_profiled_as_keras_casts_them(args):
    code, report = cached(*args)
    assert report["status"] == "completed", report["headline"]
    run = report["runs"][0]
    assert run["steps"] > 0 and run["timestep_profiles"], run["notes"]
    assert symptom(report, "RNN503")["verdict"] != "not measurable"
    assert code == 0, confirmed(report)


# --------------------------------------------------------------------------- 2. input shapes


@pytest.mark.parametrize("name", ["input_rank_4d.py", "input_rank_3d.py"])
def test_an_input_shape_keras_accepts_never_fails_the_run(name):
    code, report = cached(name)
    assert report["status"] == "completed" and code == 0, (report["headline"], confirmed(report))
    run = report["runs"][0]
    assert run["steps"] > 0
    assert run["timestep_profiles"] and len(run["timestep_profiles"][0]["norms"]) == 6


# --------------------------------------------------------------------------- 3. whose failure it is


def test_a_failure_on_a_flagged_line_names_the_rule_that_predicted_it():
    code, text = probe(PROBE / "legacy_lr_fails.py", fmt="text")
    assert code == 4
    assert "line 12: RNN110 legacy-optimizer-argument predicted this" in text
    code, report = cached("legacy_lr_fixed.py")
    assert code == 0 and report["predicted_by"] == [] and report["error"] is None


def test_a_failure_after_measured_steps_keeps_their_verdict():
    code, report = cached("fails_after_fit.py")
    assert report["status"] == "script_error" and "failed after" in report["headline"]
    assert report["error"]["type"] == "KeyError" and code == 0, confirmed(report)
    assert report["cut"]["reason"] == "script_error" and report["cut"]["steps_measured"] > 0
    code, twin = cached("fit_then_finish.py")
    assert (code, twin["status"], twin["cut"]) == (0, "completed", None)


def test_a_failure_inside_rnnlint_is_an_internal_error_with_the_measurements_kept(tmp_path):
    """A fault injected into rnnlint's own row matching (a sitecustomize in the child) from its
    third use on, during the fit: exit 3, rnnlint's own frames shown, the measured run kept."""
    (tmp_path / "sitecustomize.py").write_text(
        "from rnnlint.probe import leaks\n"
        "original, calls = leaks.LeakTracker.summary, []\n"
        "def summary(self):\n"
        "    calls.append(1)\n"
        "    if len(calls) > 2:\n"
        "        raise RuntimeError('injected fault in the probe')\n"
        "    return original(self)\n"
        "leaks.LeakTracker.summary = summary\n")
    code, report = probe(PROBE / "fit_then_finish.py", env={"PYTHONPATH": f"{tmp_path}{os.pathsep}{ROOT}"})
    assert (code, report["status"]) == (3, "internal_error"), report["headline"]
    assert "injected fault" in report["error"]["message"]
    assert any(f["file"].endswith("sitecustomize.py") for f in report["error"]["frames"])
    assert any("rnnlint" in f["file"] for f in report["error"]["frames"])
    assert report["runs"], "the measurements taken are kept"


# --------------------------------------------------------------------------- 4. timeouts during fit


def test_a_timeout_during_fit_judges_the_steps_measured_before_the_cut():
    code, report = probe(PROBE / "slow_steps.py", "--timeout", "60")
    assert report["status"] == "timeout" and code in (0, 1), report["headline"]
    assert "during fit #1 after" in report["headline"]
    cut = report["cut"]
    assert cut["reason"] == "timeout" and cut["run_in_progress"] and cut["steps_measured"] > 10
    assert report["runs"][0]["steps"] == cut["steps_measured"]
    code, twin = probe(PROBE / "fast_steps.py", "--timeout", "120")
    assert (code, twin["status"], twin["cut"]) == (0, "completed", None)


# --------------------------------------------------------------------------- 5. working directory


def test_the_script_runs_in_the_callers_directory_and_the_report_says_which(tmp_path):
    project = PROBE / "cwd_project"
    code, report = probe(Path("scripts/train_from_root.py"), cwd=project)
    assert (code, report["status"]) == (0, "completed"), report["headline"]
    assert report["cwd"] == str(project.resolve())
    code, text = probe(project / "scripts/train_from_root.py", "--cwd", str(tmp_path), fmt="text")
    assert code == 4 and f"the script ran in {tmp_path.resolve()}" in text and "--cwd" in text
    code, report = probe(project / "scripts/train_from_file.py", cwd=tmp_path)
    assert (code, report["status"]) == (0, "completed")


# --------------------------------------------------------------------------- 6. scaler rows


def test_scalers_fit_on_training_rows_do_not_leak_after_reshapes():
    code, report = cached("scalers_reshaped.py")
    leak = report["leak"]
    assert [e["outside_training"] for e in leak] == [0.0, 0.0, 0.0], leak
    assert {e["matched"].split()[0] for e in leak} == {"inputs", "targets"}
    verdict = next(s for s in report["script_symptoms"] if s["code"] == "RNN511")
    assert verdict["verdict"] == "not observed" and code == 0, confirmed(report)


def test_the_scaler_that_leaks_is_quoted_with_its_share():
    code, report = cached("scalers_one_leaks.py")
    verdict = next(s for s in report["script_symptoms"] if s["code"] == "RNN511")
    assert verdict["verdict"] == "confirmed" and code == 1
    assert verdict["message"].startswith("StandardScaler (line 20; rows matched against the inputs")
    assert abs(verdict["values"]["outside"] - 0.3) < 0.02 and verdict["values"]["leaking"] == 1


@pytest.mark.parametrize("args, leaks", [((), False), (("--", "all"), True)])
def test_validation_split_rows_are_not_a_leak_but_a_seen_test_set_is(args, leaks):
    """A scaler fit on x_train sees the rows validation_split later holds out of x_train: the standard
    pattern, named in the message and not confirmed. Fit on every row, it saw the test set too."""
    code, report = cached("scaler_validation_split.py", *args)
    verdict = next(s for s in report["script_symptoms"] if s["code"] == "RNN511")
    assert verdict["verdict"] == ("confirmed" if leaks else "not observed"), verdict
    assert "rows validation_split holds out" in verdict["message"]
    if leaks:
        assert abs(verdict["values"]["outside"] - 171 / 569) < 0.02 and code == 1


# --------------------------------------------------------------------------- 7. padding


def test_padding_is_not_read_as_sequence_length():
    code, report = cached("padded_tokens.py")
    verdict = symptom(report, "RNN503")
    # the span of the profiled batch: its longest text (at most 36 tokens) of the 200 timesteps
    assert 12 <= verdict["values"]["seq_len"] <= 36 and verdict["values"]["padded_len"] == 200
    assert verdict["verdict"] != "confirmed" and code == 0, confirmed(report)
    code, twin = cached("unpadded_tokens.py")
    assert symptom(twin, "RNN503")["values"]["seq_len"] == 36 and code == 0, confirmed(twin)


@pytest.mark.parametrize("masked", [False, True])
def test_padding_after_the_data_is_read_through_unless_masked(masked):
    """Corpus shidktbw_spam_postpad_lstm: post-padding with no mask puts the output after the padding, so the gradient
    must cross it before it reaches a token; with mask_zero the LSTM skips it."""
    code, report = cached("post_padded_tokens.py", *(["--", "masked"] if masked else []))
    verdict = symptom(report, "RNN503")
    assert verdict["values"]["seq_len"] == 20 and verdict["values"]["padded_len"] == 160
    if masked:
        assert verdict["verdict"] == "not observed" and code == 0, confirmed(report)
    else:
        assert verdict["verdict"] == "confirmed" and verdict["values"]["trailing_padding"] == 140
        assert "output is read after the padding" in verdict["message"] and code == 1


@pytest.mark.parametrize("recent", [False, True])
def test_a_fall_to_the_average_is_not_learning_the_sequence(recent):
    """Corpus yusu_adding_lstm_t200: the adding problem's MSE falls by well over half, but only to the
    targets' variance, the loss of predicting their mean: the short horizon is confirmed. Its twin
    marks the last 2 timesteps, inside the horizon, and learns below that floor."""
    code, report = cached("adding_long.py", *(["--", "recent"] if recent else []))
    verdict = symptom(report, "RNN503")
    values = verdict["values"]
    assert values["loss_change"] <= -0.5 and values["constant_loss"] > 0
    assert "predicting the targets' mean" in verdict["message"] or "predicting the targets' median" in verdict["message"]
    if recent:
        assert verdict["verdict"] == "not observed" and code == 0, confirmed(report)
        assert values["final_loss"] < values["floor_ratio"] * values["constant_loss"]
    else:
        assert verdict["verdict"] == "confirmed" and code == 1
        assert "learned the average, not the sequence" in verdict["message"]


# --------------------------------------------------------------------------- 8. noise


@pytest.mark.parametrize("name", ["batch_of_one.py", "batch_of_32.py"])
def test_single_sample_noise_is_not_a_plateau_or_an_oscillation(name):
    code, report = cached(name)
    assert code == 0, confirmed(report)
    if name == "batch_of_one.py":
        assert report["runs"][0]["samples_per_step"] == 1
        assert "per-sample noise" in symptom(report, "RNN504")["message"]


@pytest.mark.parametrize("name", ["stateful_unreset.py", "stateful_reset.py"])
def test_epoch_boundaries_of_a_stateful_model_are_not_exploding_gradients(name):
    code, report = cached(name)
    assert symptom(report, "RNN501")["verdict"] == "not observed" and code == 0, confirmed(report)


# --------------------------------------------------------------------------- 9. tracebacks


def test_a_deep_library_error_shows_the_users_frames_first():
    code, text = probe(PROBE / "deep_error.py", fmt="text")
    assert code == 4
    user_call, user_fit, library = (text.index("deep_error.py:20"), text.index("deep_error.py:13"),
                                    text.index("then in the libraries"))
    assert user_call < user_fit < library
    assert "keras" in text[library:]
    code, report = cached("deep_error_fixed.py")
    assert code == 0 and report["status"] == "completed"


# --------------------------------------------------------------------------- the corpus, reduced


def test_a_script_that_fails_inside_fit_is_blamed_at_its_own_line_not_the_profiler():
    """Corpus finding F3: the failure is the script's, before any measured step (exit 4)."""
    code, report = cached("embedding_flat_input.py")
    assert code == 4 and "before a training step was measured" in report["headline"]
    frames = report["error"]["frames"]
    assert frames[0]["origin"] == "script" and frames[0]["line"] == 21
    assert not any("rnnlint" in f["file"] for f in frames)
    code, twin = cached("embedding_column_input.py")
    assert code == 0 and twin["status"] == "completed", confirmed(twin)


@pytest.mark.parametrize("name", ["raw_target_norm.py", "scaled_target_norm.py"])
def test_a_norm_large_from_the_first_step_is_not_exploding_gradients(name):
    """Corpus findings F5/F12: the raw target's scale, not an explosion."""
    code, report = cached(name)
    verdict = symptom(report, "RNN501")
    assert verdict["verdict"] == "not observed", verdict["message"]
    if name == "raw_target_norm.py":
        assert verdict["values"]["peak_norm"] > verdict["values"]["grad_norm_bound"]
