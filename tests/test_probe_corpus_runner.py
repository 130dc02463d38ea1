"""The real-script corpus runner (evaluation/probe_corpus.py) judges stored probe results the way its report says.

No TensorFlow here: the runner is fed probe JSON documents of the shapes `rnnlint probe --format json` writes, and
its report is run end to end as a subprocess on a throwaway corpus with stored results (`--report-only`).
"""
from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
RUNNER = REPO / "evaluation" / "probe_corpus.py"


def _runner():
    spec = importlib.util.spec_from_file_location("probe_corpus", RUNNER)
    module = importlib.util.module_from_spec(spec)
    sys.modules["probe_corpus"] = module  # dataclasses resolve annotations through sys.modules
    spec.loader.exec_module(module)
    return module


def _document(exit_code: int, steps: list[int], confirmed: list[str], error: dict | None = None) -> dict:
    symptoms = [{"code": code, "name": f"name-of-{code}", "verdict": "confirmed", "message": f"{code} seen"}
                for code in confirmed]
    return {"exit_code": exit_code, "runner_exit_code": exit_code, "runner_seconds": 1.0, "error": error,
            "runs": [{"steps": s, "symptoms": symptoms} for s in steps], "script_symptoms": [],
            "confirmed": confirmed, "headline": "h"}


def _entry(runner, **overrides):
    fields = dict(name="x", script="x.py", cwd="script", verdict=True, cause=None, expect={}, reason="r")
    fields.update(overrides)
    return runner.Entry(**fields)


def test_exit_1_after_zero_measured_steps_is_not_a_verdict():
    runner = _runner()
    outcome = runner.reduce(_document(1, [0], ["RNN509"]))
    assert not outcome.verdict
    assert runner.cause_of(_entry(runner), outcome) == "probe"


def test_matching_symptoms_agree_and_extra_ones_disagree():
    runner = _runner()
    entry = _entry(runner, expect={"RNN511": "scaler fit before the split"})
    assert runner.compare(entry, runner.reduce(_document(1, [100], ["RNN511"])))[0] == "agree"
    agreement, unexpected, missed = runner.compare(entry, runner.reduce(_document(1, [100], ["RNN506", "RNN511"])))
    assert (agreement, unexpected, missed) == ("disagree", ["RNN506"], [])
    assert runner.compare(entry, runner.reduce(_document(0, [100], [])))[2] == ["RNN511"]


def test_a_label_may_name_a_symptom_by_its_name():
    runner = _runner()
    entry = _entry(runner, expect={"name-of-RNN512": "NaN in the data"})
    assert runner.compare(entry, runner.reduce(_document(1, [100], ["RNN512"])))[0] == "agree"


def test_world_failures_stay_the_world_unless_the_probe_failed_first():
    runner = _runner()
    world = _entry(runner, verdict=False, cause="missing-module")
    missing = {"type": "ModuleNotFoundError", "message": "No module named 'music21'", "frames": []}
    assert runner.cause_of(world, runner.reduce(_document(4, [], [], missing))) == "world: missing-module"
    notebook = {"type": "NameError", "message": "name 'null' is not defined", "frames": []}
    assert runner.cause_of(world, runner.reduce(_document(4, [], [], notebook))).startswith("probe")
    inside = {"type": "ValueError", "message": "bad", "frames": [{"file": "/x/rnnlint/probe/child.py"}]}
    assert "inside rnnlint" in runner.cause_of(world, runner.reduce(_document(4, [0], [], inside)))


def test_report_only_renders_stored_results_without_running_anything(tmp_path):
    labels = tmp_path / "labels.yaml"
    labels.write_text(
        "healthy_one:\n  script: a.py\n  verdict: true\n  expect: {}\n  reason: fine\n"
        "leaky_one:\n  script: b.py\n  verdict: true\n  expect:\n    RNN511: fit before split\n  reason: leak\n"
        "world_one:\n  script: c.py\n  verdict: false\n  cause: download\n  expect: {}\n  reason: downloads\n",
        encoding="utf-8")
    results = tmp_path / "results"
    results.mkdir()
    (results / "healthy_one.json").write_text(json.dumps(_document(0, [100], [])), encoding="utf-8")
    (results / "leaky_one.json").write_text(json.dumps(_document(1, [100], ["RNN506"])), encoding="utf-8")
    failed = {"type": "URLError", "message": "no network", "frames": []}
    (results / "world_one.json").write_text(json.dumps(_document(4, [], [], failed)), encoding="utf-8")
    out = tmp_path / "report.md"
    done = subprocess.run([sys.executable, str(RUNNER), "--report-only", "--labels", str(labels),
                           "--results", str(results), "--corpus", str(tmp_path), "--out", str(out)],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    report = out.read_text(encoding="utf-8")
    assert "- reached a verdict (exit 0/1 with measured training steps): 2" in report
    assert "- verdicts whose confirmed symptoms match the label: 1 of 2" in report
    assert "| world_one | 4 | no (0 fit, 0 steps) | - | world: download |" in report
    assert "**leaky_one**: confirmed but not expected: RNN506" in report
