"""Issue 12: the script's world after a probed fit is a real fit's (History, callbacks, validation,
sys.path), reuse is seen in the weights, and a run that probed nothing is "no verdict" (exit 5)."""

from __future__ import annotations

import pytest

from tests.test_probe_e2e import PROBE, probe

pytestmark = pytest.mark.slow


def confirmed_codes(report: dict) -> list[str]:
    return [s["code"] for r in report["runs"] for s in r["symptoms"] if s["verdict"] == "confirmed"]


def test_history_callbacks_and_validation_after_a_truncated_fit_are_real():
    exit_code, report = probe(PROBE / "faithful_history_healthy.py")
    assert exit_code == 0 and report["status"] == "completed", report["headline"]
    history = report["runs"][0]["history"]
    assert history["keys"] == ["loss", "mae", "val_loss", "val_mae"]
    assert history["source"] == "truncated run" and history["epochs"] >= 1
    assert "last val_loss" in report["output_tail"] and "best epoch" in report["output_tail"]
    assert "evaluate [" in report["output_tail"] and "predict (4, 1)" in report["output_tail"]
    assert "truncated run" in report["history_source"]
    assert any("CSVLogger" in note for note in report["runs"][0]["notes"])
    # evaluate() after the fit is bounded like validation: real values over the first rows, and said so
    assert "evaluate all ['loss', 'mae'] True" in report["output_tail"]
    assert any("scored the first 256 of 640 rows" in note for note in report["notes"]), report["notes"]


def test_kfold_with_the_model_compiled_once_confirms_reuse():
    exit_code, report = probe(PROBE / "kfold_sick.py")
    assert [r["index"] for r in report["runs"]] == [1, 2, 3]
    reuse = report["runs"][1]["reuse"]
    assert reuse["starts_from_previous_weights"] is True and reuse["recompiled"] is False
    assert reuse["same_training_rows"] is False
    # the folds share half their training rows and validate on rows the first fold trained on
    assert reuse["training_seen"] == pytest.approx(0.5) and reuse["validation_seen"] == 1.0
    assert "RNN510" in report["confirmed"] and exit_code == 1


def test_online_training_on_fresh_batches_is_continued_training_not_reuse():
    """Corpus fenago_*_fit_loop_nb: one model, compiled once, fit for one epoch per freshly generated
    batch. Each fit goes on from the previous one's weights on samples no earlier fit saw."""
    exit_code, report = probe(PROBE / "online_fresh_batches.py")
    fits = [r for r in report["runs"] if r["kind"] == "fit"]
    assert len(fits) == 3 and all(r["reuse"]["starts_from_previous_weights"] for r in fits[1:])
    assert all(r["reuse"]["training_seen_rows"] == 0 for r in fits[1:])
    verdict = next(s for s in report["script_symptoms"] if s["code"] == "RNN510")
    assert verdict["verdict"] == "not observed" and "continued training" in verdict["message"]
    assert exit_code == 0, confirmed_codes(report)


def test_a_fresh_model_per_fold_is_not_reuse():
    exit_code, report = probe(PROBE / "kfold_healthy.py")
    assert len(report["runs"]) == 3 and all(r["reuse"] is None for r in report["runs"])
    assert report["confirmed"] == [], confirmed_codes(report)
    assert exit_code == 0


@pytest.mark.parametrize("args", [(), ("--", "plain")])
def test_deliberate_continued_training_and_reset_states_loops_are_not_reuse(args):
    exit_code, report = probe(PROBE / "continued_training_loop.py", "--max-fits", "3", *args)
    verdict = next(s for s in report["script_symptoms"] if s["code"] == "RNN510")
    assert len([r for r in report["runs"] if r["kind"] == "fit"]) == 3
    assert verdict["verdict"] == "not observed" and exit_code == 0, (verdict, confirmed_codes(report))


def test_a_module_that_never_trains_is_no_verdict_and_says_where_training_starts():
    exit_code, report = probe(PROBE / "model_only.py")
    assert exit_code == 5 and report["status"] == "no_fit"
    assert any("train()" in note and "never calls" in note for note in report["notes"])


def test_a_stdlib_name_beside_the_script_is_the_scripts_error_with_a_hint():
    exit_code, report = probe(PROBE / "shadowed" / "train.py")
    assert exit_code == 4 and report["status"] == "script_error"
    error = report["error"]
    assert error["type"] == "AttributeError" and "random.py" in error["hint"]
    assert error["frames"][-1]["file"].endswith("train.py")


def test_a_sibling_helper_module_imports_as_under_python_script():
    exit_code, report = probe(PROBE / "sibling" / "train.py")
    assert exit_code == 0 and report["status"] == "completed"
    assert report["runs"][0]["steps"] > 0


def test_nan_in_the_windows_is_reported_as_nonfinite_inputs_not_exploding_gradients():
    exit_code, report = probe(PROBE / "nan_inputs_sick.py")
    verdicts = {s["code"]: s for s in report["runs"][0]["symptoms"]}
    assert verdicts["RNN512"]["verdict"] == "confirmed"
    assert "timestep 19, feature 0" in verdicts["RNN512"]["message"]
    assert verdicts["RNN501"]["verdict"] != "confirmed" and verdicts["RNN505"]["verdict"] != "confirmed"
    assert report["confirmed"] == ["RNN512"] and exit_code == 1


def test_interpolated_twin_confirms_nothing():
    exit_code, report = probe(PROBE / "nan_inputs_healthy.py")
    verdicts = {s["code"]: s["verdict"] for s in report["runs"][0]["symptoms"]}
    assert verdicts["RNN512"] == "not observed"
    assert report["confirmed"] == [] and exit_code == 0


def test_a_notebook_is_probed_like_the_script_its_code_cells_form():
    exit_code, report = probe(PROBE / "notebook.ipynb")
    assert exit_code == 0 and report["status"] == "completed", report["headline"]
    assert report["runs"][0]["history"]["keys"] == ["loss", "val_loss"]
    skipped = next(note for note in report["notes"] if note.startswith("IPython-only lines skipped"))
    assert "cell 2 line 1: !pip install -q keras" in skipped and "cell 2 line 2: %matplotlib inline" in skipped


def test_a_notebook_error_is_reported_by_cell_and_line():
    exit_code, report = probe(PROBE / "notebook_raises.ipynb")
    assert exit_code == 4 and report["error"]["type"] == "ValueError"
    frame = report["error"]["frames"][-1]
    assert frame["file"].endswith("notebook_raises.ipynb") and (frame["cell"], frame["line"]) == (4, 2)


@pytest.mark.parametrize("seeded", [False, True])
def test_the_probes_seed_keeps_fits_reshuffling_per_epoch(seeded):
    """Under TensorFlow's global seed Keras repeats one batch order every epoch; the probe seeds its
    run, yet must train in the order the script's real run would: reshuffled per epoch when the script
    sets no seed, the same order when it seeds TensorFlow itself (as keras.utils.set_random_seed
    does)."""
    runs = [probe(PROBE / "epoch_order.py", *(["--", "seeded"] if seeded else [])) for _ in range(2)]
    lines = [[line for line in report["output_tail"].splitlines() if "epoch orders" in line] for _, report in runs]
    assert all(code == 0 for code, _ in runs) and lines[0] and lines[0] == lines[1]  # reproducible
    assert ("epoch orders repeat" if seeded else "epoch orders differ") in lines[0][0]
