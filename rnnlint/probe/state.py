"""ProbeState: what the instrumentation learns over the whole script (several fits), and the result file."""

from __future__ import annotations

import json
import os
import sys
import time
from types import FrameType
from typing import Any, Callable

import numpy as np

from . import frames as frame_info
from .leaks import LeakTracker
from .lazy import tensorflow as _tf
from .recorder import Recorder, _layer_groups, _per_layer

HISTORY_SOURCE = ("every History value, callback log and evaluate/predict result the script saw after a "
                  "probed fit comes from the truncated run")
FLUSH_SECONDS = 2.0  # a slow fit still leaves its measurements for a timeout to find


class StopProbe(BaseException):
    """Ends the user's script once the probe has what it needs (not an `Exception`: scripts catch those)."""


class ProbeInternalError(BaseException):
    """rnnlint's own code failed while probing; the details are in `ProbeState.internal` (the
    exception itself may be rebuilt by TensorFlow on its way out of a traced function)."""


class _StopSignal(Exception):
    """Raised inside a compiled custom training loop, where only ordinary exceptions cross the graph."""


class Run:
    """One probed `fit` call or one custom training loop (observed at the optimizer)."""

    def __init__(self, index: int, kind: str, model=None):
        self.index = index
        self.kind = kind
        self.model = model
        self.recorder: Recorder | None = None
        self.variables: list = []
        self.profiles: list[dict] = []
        self.info: dict = {}
        self.notes: list[str] = []
        self.started = time.perf_counter()
        self.seconds = 0.0
        self.in_progress = True
        self.last_summary: dict | None = None
        # hashes of the samples this fit trains and validates on (kept out of the result file)
        self.samples: set[int] | None = None
        self.validation_samples: set[int] | None = None

    def summary(self) -> dict:
        """What was measured (kept as `last_summary`, for a later read that fails)."""
        self.last_summary = self._summary()
        return self.last_summary

    def _summary(self) -> dict:
        out = {"index": self.index, "kind": self.kind, "seconds": round(self.seconds, 3), **self.info}
        out["in_progress"] = self.in_progress
        out["notes"] = self.notes
        out["timestep_profiles"] = self.profiles
        if self.recorder is None:
            out["steps"] = 0
            return out
        data = self.recorder.read()
        names, index = _layer_groups(self.variables, self.model)
        grad = _per_layer(data["grad"], index, len(names))
        weight = _per_layer(data["weight"], index, len(names))
        update = _per_layer(data["update"], index, len(names))
        with np.errstate(divide="ignore", invalid="ignore"):
            ratio = np.where(weight > 0, update / weight, np.nan)
        out.update({
            "steps": data["steps"],
            "loss": data["loss"],
            "grad_norm": np.sqrt((data["grad"] ** 2).sum(axis=1)).tolist(),
            "layers": names,
            "layer_grad_norm": grad.tolist(),
            "update_ratio": ratio.tolist(),
            "grads_finite": data["grads_finite"].tolist(),
            "weights_finite": data["weights_finite"].tolist(),
        })
        return out


def optimizer_info(optimizer) -> dict:
    def number(value):
        try:
            return float(np.asarray(value))
        except Exception:  # noqa: BLE001 - schedules and callables
            return None

    info: dict[str, object] = {"optimizer": type(optimizer).__name__}
    info["learning_rate"] = number(getattr(optimizer, "learning_rate", None))
    for key in ("clipnorm", "clipvalue", "global_clipnorm"):
        info[key] = getattr(optimizer, key, None)
    return info


class ProbeState:
    """Everything the instrumentation learns while the user's script runs."""

    def __init__(self, config: dict):
        self.config = config
        self.steps = int(config["steps"])
        self.max_fits = int(config["max_fits"])
        self.runs: list[Run] = []
        self.fit_run: Run | None = None
        self.loop_runs: dict[int, Run] = {}
        self.muted = False
        self.stop_requested = False
        self.stop_reason = ""
        self.model_end: dict[int, tuple[str | None, int, str, int]] = {}
        # Per model object, the samples (row hashes) its probed fits have trained on so far: a later
        # fit on other rows that overlap them, or validated on them, is an experiment loop (k-fold).
        self.trained_samples: dict[int, set[int]] = {}
        self.leaks = LeakTracker()
        self.internal: dict | None = None  # rnnlint's own failure, when there was one
        self.last_flush = 0.0
        self.notes: list[str] = []
        self.status = "running"
        self.error: dict | None = None
        # tf.Variables (TensorFlow is untyped), created by ensure_variables before any use
        self.pending_loss: Any = None
        self.loss_writes: Any = None
        self.remedies: list[dict] = []  # --what-if reruns (remedies.py)
        self.writes: Callable[[], dict] | None = None  # the sandbox's summary of the script's writes

    # ---------------------------------------------------------------- output

    def progress(self, **event) -> None:
        event["t"] = round(time.time(), 3)
        with open(self.config["progress_path"], "a", encoding="utf-8") as fh:
            fh.write(json.dumps(event) + "\n")

    def write(self) -> None:
        """Write the result; never raises for rnnlint's own failure, which it records instead (the
        measurements read before it are kept, and the status says internal_error)."""
        runs = []
        for run in self.runs:
            try:
                runs.append(run.summary())
            except Exception as exc:  # noqa: BLE001 - the one place a measurement failure is recorded
                self.record_internal(exc, "reading the measurements")
                if run.last_summary is not None:
                    runs.append(run.last_summary)
        try:
            leak = self.leaks.summary()
        except Exception as exc:  # noqa: BLE001
            self.record_internal(exc, "matching the scalers' rows")
            leak = []
        result = {
            "version": 1,
            "status": "internal_error" if self.internal else self.status,
            "stop_reason": self.stop_reason,
            "error": self.internal or self.error,
            "runs": runs,
            "leak": leak,
            "notes": self.notes,
            "remedies": self.remedies,
            "history_source": HISTORY_SOURCE,
            "writes": self.writes() if self.writes else None,
        }
        path = self.config["result_path"]
        with open(path + ".tmp", "w", encoding="utf-8") as fh:
            json.dump(result, fh)
        os.replace(path + ".tmp", path)

    # ---------------------------------------------------------------- losses and optimizer steps

    def ensure_variables(self) -> None:
        """Created on first use, not at start-up: a TensorFlow variable initialises the runtime, after
        which the script could no longer configure threads or devices."""
        if self.pending_loss is None:
            tf = _tf()
            with tf.init_scope():
                self.pending_loss = tf.Variable(float("nan"), trainable=False)
                self.loss_writes = tf.Variable(0, dtype=tf.int64, trainable=False)

    def note_loss(self, loss) -> None:
        if self.muted:
            return
        self.ensure_variables()
        tf = _tf()
        self.pending_loss.assign(tf.cast(tf.reduce_mean(tf.cast(loss, tf.float32)), tf.float32))
        self.loss_writes.assign_add(1)

    def run_for(self, optimizer, variables) -> Run | None:
        if self.muted:
            return None
        run = self.fit_run
        if run is None:
            run = self.loop_runs.get(id(optimizer))
            if run is None:
                if len(self.runs) >= self.max_fits:
                    return None
                run = Run(len(self.runs) + 1, "custom_loop")
                with _tf().init_scope():  # apply may be running inside the user's tf.function
                    run.info.update(optimizer_info(optimizer))
                self.loop_runs[id(optimizer)] = run
                self.runs.append(run)
                self.progress(event="run", run=run.index, kind=run.kind, of=self.steps)
        if run.recorder is None:
            self.ensure_variables()
            run.variables = list(variables)
            run.recorder = Recorder(len(run.variables), self.steps, self.loss_writes)
        return run

    def tick(self, run: Run, step) -> None:
        """Progress and the step cap of a custom loop (a probed fit stops through its callback)."""
        step = int(step)
        if step % max(1, self.steps // 10) == 0 or step >= self.steps:
            self.progress(event="step", run=run.index, step=min(step, self.steps), of=self.steps)
        self.flush()
        if step >= self.steps:
            run.seconds = time.perf_counter() - run.started
            self.stop_requested = True
            self.stop_reason = f"custom training loop reached {self.steps} steps"
            raise _StopSignal(self.stop_reason)

    # ---------------------------------------------------------------- leak bookkeeping

    def note_scaler_fit(self, scaler, label: str, data) -> None:
        self.leaks.fit(scaler, label, data, self.script_line())

    def note_transform(self, scaler, data, output) -> None:
        self.leaks.transform(scaler, data, output)

    def note_once(self, note: str) -> None:
        """A script-level note, once however often the script repeats what caused it."""
        if note not in self.notes:
            self.notes.append(note)

    def note_data(self, held_out: bool, x, y=None) -> None:
        self.leaks.data(held_out, x, y)

    def script_line(self) -> int | None:
        """The line of the user's script that is running now (where a scaler was fitted)."""
        frame: FrameType | None = sys._getframe(1)
        while frame is not None:
            if frame.f_code.co_filename == self.config["script"]:
                return frame.f_lineno
            frame = frame.f_back
        return None

    # ---------------------------------------------------------------- rnnlint's own failures

    def guard(self, where: str):
        """Inside: an exception is rnnlint's own failure (exit 3), not the script's."""
        return _Guard(self, where)

    def record_internal(self, exc: BaseException, where: str) -> None:
        if self.internal is None:
            shown, _ = frame_info.frames(exc, include_probe=True)
            self.internal = {"type": type(exc).__name__, "message": str(exc)[:2000], "where": where,
                             "frames": shown[-20:]}

    def flush(self, force: bool = False) -> None:
        """Rewrite the result during a fit, at most every FLUSH_SECONDS."""
        now = time.monotonic()
        if force or now - self.last_flush >= FLUSH_SECONDS:
            self.last_flush = now
            self.write()


class _Guard:
    def __init__(self, state: ProbeState, where: str):
        self.state, self.where = state, where

    def __enter__(self):
        return self

    def __exit__(self, kind, exc, tb):
        if exc is None or not isinstance(exc, Exception):
            return False
        self.state.record_internal(exc, self.where)
        raise ProbeInternalError(f"rnnlint failed {self.where}: {type(exc).__name__}: {exc}") from exc

