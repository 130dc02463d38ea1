"""The probe end to end: `python -m rnnlint.probe` on the fixture scripts with real TensorFlow (CPU).

Each run takes seconds; the verdicts, not the timings, are asserted.
"""

from __future__ import annotations

import functools
import importlib.util
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import FIXTURES, ROOT

PROBE = FIXTURES / "probe"
STEPS = "200"
pytestmark = pytest.mark.slow
needs_sklearn = pytest.mark.skipif(importlib.util.find_spec("sklearn") is None,
                                   reason="scikit-learn is not installed")


def probe(script: Path, *extra: str, env: dict | None = None, timeout: float = 300):
    if env is None:  # runs are seeded: tests asking the same question share one run
        return _probe_cached(script, extra, timeout)
    return _probe(script, *extra, env=env, timeout=timeout)


@functools.lru_cache(maxsize=None)
def _probe_cached(script: Path, extra: tuple, timeout: float):
    return _probe(script, *extra, timeout=timeout)


def _probe(script: Path, *extra: str, env: dict | None = None, timeout: float = 300):
    proc = subprocess.run(
        [sys.executable, "-m", "rnnlint.probe", str(script), "--format", "json", "--steps", STEPS, *extra],
        capture_output=True, text=True, timeout=timeout, cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT), **(env or {})},
    )
    assert proc.stdout, proc.stderr
    return proc.returncode, json.loads(proc.stdout)


PAIRS = [
    ("exploding", "RNN501"),
    ("vanishing", "RNN503"),
    ("plateau", "RNN504"),
    ("divergence", "RNN505"),
    ("unscaled", "RNN509"),
    ("reuse", "RNN510"),
    ("normalization_leak", "RNN511"),
    pytest.param("leak", "RNN511", marks=needs_sklearn),
]


@pytest.mark.parametrize("name, code", PAIRS)
def test_sick_script_confirms_its_symptom(name, code):
    exit_code, report = probe(PROBE / f"{name}_sick.py")
    assert code in report["confirmed"], report["confirmed"]
    assert exit_code == 1


@pytest.mark.parametrize("name, code", PAIRS)
def test_healthy_twin_confirms_nothing(name, code):
    exit_code, report = probe(PROBE / f"{name}_healthy.py")
    confirmed = [(s["code"], s["message"]) for r in report["runs"] for s in r["symptoms"]
                 if s["verdict"] == "confirmed"]
    assert report["confirmed"] == [], confirmed
    assert exit_code == 0
    assert report["runs"] and all(run["steps"] > 0 for run in report["runs"])


def test_large_recurrent_init_explodes_through_time():
    _, report = probe(PROBE / "exploding_through_time_sick.py")
    verdict = next(s for s in report["runs"][0]["symptoms"] if s["code"] == "RNN501")
    assert verdict["verdict"] == "confirmed"
    assert verdict["values"]["time_growth"] > verdict["values"]["time_growth_bound"]


def test_report_carries_every_series_and_the_static_confirmation():
    _, report = probe(PROBE / "exploding_sick.py")
    run = report["runs"][0]
    assert run["kind"] == "fit" and run["steps"] == int(STEPS)
    for series in ("loss", "grad_norm", "layer_grad_norm", "update_ratio", "grads_finite", "weights_finite"):
        assert len(run[series]) == int(STEPS), series
    assert run["layers"] == ["simple_rnn", "dense"]
    assert [p["step"] for p in run["timestep_profiles"]] == [0, 100, 200]
    assert len(run["timestep_profiles"][0]["norms"]) == 40
    assert run["input_stats"]["dtype"] == "float64" and len(run["input_stats"]["mean"]) == 3
    if report["static"] is not None:  # the static engine is part of this build
        static = {c["name"]: c["verdict"] for c in report["static"]}
        assert static.get("missing-gradient-clipping") == "confirmed"


def test_optimizer_loop_probes_every_fit_separately():
    _, report = probe(PROBE / "reuse_sick.py")
    assert [r["index"] for r in report["runs"]] == [1, 2, 3]
    assert [r["optimizer"] for r in report["runs"]] == ["Adam", "RMSprop", "Nadam"]
    assert report["runs"][1]["reuse"]["starts_from_previous_weights"] is True


def test_fit_cap_stops_the_script_cleanly():
    exit_code, report = probe(PROBE / "reuse_healthy.py", "--max-fits", "1")
    assert report["status"] == "stopped" and len(report["runs"]) == 1
    assert exit_code == 0


def test_custom_training_loop_is_observed_at_apply_gradients():
    exit_code, report = probe(PROBE / "custom_loop.py")
    run = report["runs"][0]
    assert run["kind"] == "custom_loop" and run["steps"] == int(STEPS)
    assert report["status"] == "stopped"  # the loop would have run 2000 steps
    assert all(v is not None for v in run["loss"]) and run["loss"][-1] < run["loss"][0]
    assert exit_code == 0


def test_exception_before_fit_reports_the_last_frames():
    exit_code, report = probe(PROBE / "raises_before_fit.py")
    assert exit_code == 4 and report["status"] == "script_error"
    assert report["error"]["type"] == "ValueError"
    frames = report["error"]["frames"]
    assert frames[-1]["file"].endswith("raises_before_fit.py") and frames[-1]["line"] == 13
    assert all("rnnlint" not in f["file"] for f in frames)


def test_script_that_never_fits_gets_a_clear_report():
    exit_code, report = probe(PROBE / "no_fit.py")
    assert report["status"] == "no_fit" and report["runs"] == []
    assert "without calling fit" in report["headline"]
    assert exit_code == 5  # no verdict: nothing was measured


def helper_processes() -> list[str]:
    out = subprocess.run(["ps", "-eo", "pid,args"], capture_output=True, text=True).stdout
    return [line for line in out.splitlines() if "rnnlint-probe-hang-helper" in line and "ps -eo" not in line]


def test_timeout_kills_the_script_and_its_children():
    assert helper_processes() == []
    exit_code, report = probe(PROBE / "hangs.py", "--timeout", "15", timeout=120)
    assert exit_code == 4 and report["status"] == "timeout"
    assert "never called fit" in report["headline"]
    assert helper_processes() == []


def test_runs_are_seeded_and_write_nothing_outside_a_temp_dir(tmp_path):
    home, work = tmp_path / "home", tmp_path / "work"
    home.mkdir()
    work.mkdir()
    script = shutil.copy(PROBE / "checkpoint_and_save.py", work / "train.py")
    env = {"HOME": str(home)}
    exit_code, first = probe(Path(script), "--steps", "40", "--no-static", env=env)
    second = probe(Path(script), "--steps", "40", "--no-static", env=env)[1]
    assert exit_code == 0, first["confirmed"]
    assert first["runs"][0]["loss"] == second["runs"][0]["loss"]
    assert first["runs"][0]["grad_norm"] == second["runs"][0]["grad_norm"]
    assert sorted(p.name for p in work.iterdir()) == ["train.py"]
    assert list(home.iterdir()) == []
    sandboxed = " ".join(first["runs"][0]["notes"])
    assert "ModelCheckpoint" in sandboxed and "CSVLogger" in sandboxed
    # The probe runs in the caller's directory (the repository here): the files land in its sandbox.
    redirected = {Path(p).name for p in first["writes"]["redirected"]}
    assert {"best.keras", "training.csv", "final.keras"} <= redirected
    assert not (ROOT / "final.keras").exists() and not first["writes"]["escaped"]
    assert first["runs"][0]["timestep_profiles"], "the LSTM's input (the embedding output) is watched"


@pytest.mark.parametrize("source", ["dataset", "generator", "pydataset"])
def test_fit_on_datasets_generators_and_pydatasets(source):
    exit_code, report = probe(PROBE / "data_sources.py", "--", source)
    run = report["runs"][0]
    assert run["steps"] == int(STEPS) and run["input_stats_from"] == "first batch"
    assert len(run["timestep_profiles"]) == 3
    assert (exit_code, report["confirmed"]) == (0, [])


def test_rnnlint_probe_subcommand_reports_progress_on_stderr_and_the_report_on_stdout():
    proc = subprocess.run(
        [sys.executable, "-m", "rnnlint", "probe", str(PROBE / "custom_loop.py"), "--steps", "20",
         "--format", "json"],
        capture_output=True, text=True, timeout=300, cwd=ROOT,
    )
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["runs"][0]["steps"] == 20
    assert "custom loop #1 started" in proc.stderr and "step 20/20" in proc.stderr
