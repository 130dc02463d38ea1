"""ProbeState: what the instrumentation learns over the whole script (several fits), and the result file."""

from __future__ import annotations

import json
import os
import time

import numpy as np

from .batches import row_hashes
from .lazy import tensorflow as _tf
from .recorder import Recorder, _layer_groups, _per_layer


class StopProbe(BaseException):
    """Ends the user's script once the probe has what it needs (not an `Exception`: scripts catch those)."""


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

    def summary(self) -> dict:
        out = {"index": self.index, "kind": self.kind, "seconds": round(self.seconds, 3), **self.info}
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

    info = {"optimizer": type(optimizer).__name__}
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
        self.scalers: list[dict] = []
        self.transformed: dict[int, int] = {}
        self.data_events: list[dict] = []
        self.notes: list[str] = []
        self.status = "running"
        self.error: dict | None = None
        self.pending_loss = None
        self.loss_writes = None
        self.remedies: list[dict] = []  # --what-if reruns (remedies.py)

    # ---------------------------------------------------------------- output

    def progress(self, **event) -> None:
        event["t"] = round(time.time(), 3)
        with open(self.config["progress_path"], "a", encoding="utf-8") as fh:
            fh.write(json.dumps(event) + "\n")

    def write(self) -> None:
        result = {
            "version": 1,
            "status": self.status,
            "stop_reason": self.stop_reason,
            "error": self.error,
            "runs": [run.summary() for run in self.runs],
            "leak": self.leak_summary(),
            "notes": self.notes,
            "remedies": self.remedies,
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
        if step >= self.steps:
            run.seconds = time.perf_counter() - run.started
            self.stop_requested = True
            self.stop_reason = f"custom training loop reached {self.steps} steps"
            raise _StopSignal(self.stop_reason)

    # ---------------------------------------------------------------- leak bookkeeping

    def note_scaler_fit(self, label: str, data) -> None:
        hashes = row_hashes(data)
        if hashes:
            self.scalers.append({"scaler": label, "rows": set(hashes)})

    def note_transform(self, data, output) -> None:
        source, result = row_hashes(data), row_hashes(output)
        if len(source) == len(result):
            self.transformed.update(zip(result, source))

    def note_data(self, role: str, data) -> None:
        hashes = row_hashes(data)
        if hashes:
            raw = {self.transformed.get(h, h) for h in hashes}
            self.data_events.append({"role": role, "rows": raw})

    def leak_summary(self) -> list[dict]:
        train = set().union(*[e["rows"] for e in self.data_events if e["role"] == "train"])
        held_out = set().union(*[e["rows"] for e in self.data_events if e["role"] != "train"])
        out = []
        for scaler in self.scalers:
            rows = scaler["rows"]
            entry = {"scaler": scaler["scaler"], "fit_rows": len(rows), "train_rows": len(train)}
            entry["outside_training"] = len(rows - train) / len(rows) if train else None
            entry["eval_rows"] = len(held_out)
            entry["eval_seen"] = len(held_out & rows) / len(held_out) if held_out else None
            out.append(entry)
        return out

