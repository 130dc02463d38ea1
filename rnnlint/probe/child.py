"""The probe's child process: instrument Keras, run the user's script as `__main__`, save measurements.

Started by `runner.py` in a fresh interpreter (`python -m rnnlint.probe.child CONFIG`). Everything it
learns goes to `result.json` in the run's temp dir, rewritten when a fit starts, every FLUSH_SECONDS
during it and after it, so a timeout still leaves what was measured; stdout and stderr belong to the
user's script. A failure of rnnlint's own code is recorded as an internal error, never as the script's.
"""

from __future__ import annotations

import hashlib
import importlib.abc
import importlib.machinery
import inspect
import json
import os
import runpy
import sys
import time

import numpy as np

from rnnlint.probe import frames as frame_info
from rnnlint.probe import timesteps
from rnnlint.probe.leaks import LeakTracker

# Callbacks that write files: a truncated probe run must not overwrite the user's checkpoints or logs.
WRITING_CALLBACKS = ("ModelCheckpoint", "BackupAndRestore", "TensorBoard", "CSVLogger")
SKLEARN_SCALERS = ("StandardScaler", "MinMaxScaler", "RobustScaler", "MaxAbsScaler")
FLUSH_SECONDS = 2.0  # a slow fit still leaves its measurements for a timeout to find


class StopProbe(BaseException):
    """Ends the user's script once the probe has what it needs (not an `Exception`: scripts catch those)."""


class ProbeInternalError(BaseException):
    """rnnlint's own code failed while probing; the details are in `ProbeState.internal` (the
    exception itself may be rebuilt by TensorFlow on its way out of a traced function)."""


class _StopSignal(Exception):
    """Raised inside a compiled custom training loop, where only ordinary exceptions cross the graph."""


def _tf():
    import tensorflow as tf

    return tf


# --------------------------------------------------------------------------- row fingerprints


def weights_fingerprint(model) -> str | None:
    weights = model.get_weights()
    if not weights:
        return None
    digest = hashlib.sha1()
    for w in weights:
        digest.update(np.ascontiguousarray(w).tobytes())
    return digest.hexdigest()


# --------------------------------------------------------------------------- data helpers


def feature_stats(array) -> dict | None:
    """Per-feature statistics over every axis but the last (the feature axis)."""
    try:
        a = np.asarray(array)
    except Exception:  # noqa: BLE001
        return None
    if a.dtype.kind not in "fiub" or a.ndim == 0:
        return None
    dtype = str(a.dtype)
    a = a.reshape(-1, 1) if a.ndim == 1 else a.reshape(-1, a.shape[-1])
    a = a.astype(np.float64)
    with np.errstate(invalid="ignore"):
        return {
            "dtype": dtype,
            "rows": int(a.shape[0]),
            "mean": np.nanmean(a, axis=0).tolist(),
            "std": np.nanstd(a, axis=0).tolist(),
            "min": np.nanmin(a, axis=0).tolist(),
            "max": np.nanmax(a, axis=0).tolist(),
        }


def _regenerate(first, rest):
    yield first
    yield from rest


def _split_batch(batch):
    if isinstance(batch, (tuple, list)):
        return batch[0], (batch[1] if len(batch) > 1 else None)
    return batch, None


def first_batch(arguments: dict, batch_size: int):
    """One batch (x, y) of the training data, peeking generators without losing their first item."""
    tf = _tf()
    import keras

    x, y = arguments.get("x"), arguments.get("y")
    if isinstance(x, tf.data.Dataset):
        for batch in x.take(1):
            return _split_batch(batch)
        return None, None
    if isinstance(x, keras.utils.PyDataset):
        return _split_batch(x[0])
    if inspect.isgenerator(x) or (hasattr(x, "__next__") and not hasattr(x, "shape")):
        first = next(x)
        arguments["x"] = _regenerate(first, x)
        return _split_batch(first)
    if hasattr(x, "shape") and hasattr(x, "__getitem__"):
        return x[:batch_size], (y[:batch_size] if y is not None and hasattr(y, "__getitem__") else None)
    return None, None


def training_split(arguments: dict):
    """(train x, validation x) as numpy-like arrays the way `fit` will split them, when it can tell."""
    x = arguments.get("x")
    if not hasattr(x, "shape") or not hasattr(x, "__getitem__"):
        return None, None
    split = arguments.get("validation_split") or 0.0
    val = arguments.get("validation_data")
    val_x = val[0] if isinstance(val, (tuple, list)) and val else None
    if split and val_x is None:
        at = int(x.shape[0] * (1.0 - split))
        return x[:at], x[at:]
    return x, val_x


def training_targets(arguments: dict):
    """(train y, validation y), split as training_split splits x."""
    x, y = arguments.get("x"), arguments.get("y")
    if not hasattr(x, "shape") or not hasattr(y, "shape") or not hasattr(y, "__getitem__"):
        return None, None
    split = arguments.get("validation_split") or 0.0
    val = arguments.get("validation_data")
    val_y = val[1] if isinstance(val, (tuple, list)) and len(val) > 1 else None
    if split and val_y is None:
        at = int(x.shape[0] * (1.0 - split))
        return y[:at], y[at:]
    return y, val_y


def is_recurrent(layer) -> bool:
    import keras

    return isinstance(layer, (keras.layers.RNN, keras.layers.Bidirectional))


# --------------------------------------------------------------------------- per-step recording


class Recorder:
    """Per-step buffers filled inside the compiled step: no host sync until the run is read back."""

    def __init__(self, n_vars: int, capacity: int, loss_writes):
        tf = _tf()
        self.capacity = capacity
        self.loss_writes = loss_writes
        with tf.init_scope():
            rows = capacity + 1  # the extra row takes writes past the capacity
            self.step = tf.Variable(0, dtype=tf.int64, trainable=False)
            self.loss = tf.Variable(tf.fill([rows], float("nan")), trainable=False)
            self.loss_seen = tf.Variable(tf.zeros([rows], tf.int64), trainable=False)
            self.grad = tf.Variable(tf.zeros([rows, n_vars]), trainable=False)
            self.weight = tf.Variable(tf.zeros([rows, n_vars]), trainable=False)
            self.update = tf.Variable(tf.zeros([rows, n_vars]), trainable=False)
            self.finite = tf.Variable(tf.ones([rows, 2]), trainable=False)

    def record(self, pending_loss, grads, before, after):
        tf = _tf()
        at = tf.minimum(self.step, self.capacity)
        grads_ok = tf.reduce_all(tf.stack([_all_finite(g) for g in grads]))
        weights_ok = tf.reduce_all(tf.stack([_all_finite(a) for a in after]))
        writes = [
            self.loss[at].assign(pending_loss),
            self.loss_seen[at].assign(self.loss_writes),
            self.grad[at].assign(tf.stack([_norm(g) for g in grads])),
            self.weight[at].assign(tf.stack([tf.norm(b) for b in before])),
            self.update[at].assign(tf.stack([tf.norm(a - b) for a, b in zip(after, before)])),
            self.finite[at].assign(tf.cast(tf.stack([grads_ok, weights_ok]), tf.float32)),
        ]
        # The new step count is what the custom-loop stop check sees: it must follow every write, or
        # stopping the graph could abort the last step's writes.
        with tf.control_dependencies(writes):
            return self.step.assign_add(1)

    def read(self) -> dict:
        n = int(min(int(self.step.numpy()), self.capacity))
        seen = self.loss_seen.numpy()[:n]
        fresh = np.diff(np.concatenate([[0], seen])) > 0
        loss = self.loss.numpy()[:n].astype(float)
        return {
            "steps": n,
            "loss": [float(v) if ok else None for v, ok in zip(loss, fresh)],
            "grad": self.grad.numpy()[:n].astype(float),
            "weight": self.weight.numpy()[:n].astype(float),
            "update": self.update.numpy()[:n].astype(float),
            "grads_finite": self.finite.numpy()[:n, 0] > 0.5,
            "weights_finite": self.finite.numpy()[:n, 1] > 0.5,
        }


def _dense(g):
    tf = _tf()
    if g is None:
        return tf.zeros([])
    if isinstance(g, tf.IndexedSlices):
        return g.values
    return tf.convert_to_tensor(g)


def _norm(g):
    tf = _tf()
    return tf.cast(tf.norm(tf.cast(_dense(g), tf.float32)), tf.float32)


def _all_finite(t):
    tf = _tf()
    t = _dense(t)
    if not t.dtype.is_floating:
        return tf.constant(True)
    return tf.reduce_all(tf.math.is_finite(t))


def _value(variable):
    tf = _tf()
    return tf.identity(tf.convert_to_tensor(variable))


def _layer_groups(variables, model=None) -> tuple[list[str], list[int]]:
    """Names of the layers owning the variables (in order) and each variable's layer index."""
    owner = {}
    if model is not None:
        for layer in model.layers:
            for v in layer.trainable_weights:
                owner.setdefault(id(v), layer.name)
    paths = [getattr(v, "path", getattr(v, "name", "?")) for v in variables]
    split = [p.split("/") for p in paths]
    common = 0
    if len(split) > 1:
        while all(len(s) > common + 1 for s in split) and len({s[common] for s in split}) == 1:
            common += 1
    names, index = [], []
    for v, parts in zip(variables, split):
        name = owner.get(id(v)) or parts[min(common, len(parts) - 1)]
        if name not in names:
            names.append(name)
        index.append(names.index(name))
    return names, index


def _per_layer(per_var: np.ndarray, index: list[int], n_layers: int) -> np.ndarray:
    out = np.zeros((per_var.shape[0], n_layers))
    for j, layer in enumerate(index):
        out[:, layer] += per_var[:, j] ** 2
    return np.sqrt(out)


# --------------------------------------------------------------------------- runs


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
        self.leaks = LeakTracker()
        self.internal: dict | None = None  # rnnlint's own failure, when there was one
        self.last_flush = 0.0
        self.notes: list[str] = []
        self.status = "running"
        self.error: dict | None = None
        self.pending_loss = None
        self.loss_writes = None

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

    def note_data(self, held_out: bool, x, y=None) -> None:
        self.leaks.data(held_out, x, y)

    def script_line(self) -> int | None:
        """The line of the user's script that is running now (where a scaler was fitted)."""
        frame = sys._getframe(1)
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


# --------------------------------------------------------------------------- the probed fit


def _probe_callback(state: ProbeState, run: Run, profile, batch):
    import keras

    checkpoints = {0, state.steps // 2, state.steps}

    class ProbeCallback(keras.callbacks.Callback):
        def __init__(self):
            super().__init__()
            self.done = 0

        def _profile(self):
            nonlocal profile
            if profile is not None and (not run.profiles or run.profiles[-1]["step"] != self.done):
                try:
                    run.profiles.extend(profile(self.done, batch))
                except Exception as exc:  # noqa: BLE001 - an unusual model: no profile, the run goes on
                    profile = None
                    run.notes.append(f"per-timestep gradient profile skipped: {type(exc).__name__}: "
                                     f"{str(exc).splitlines()[0][:200] if str(exc) else ''}")

        def on_train_begin(self, logs=None):
            state.flush(force=True)  # the run exists, with 0 steps, before its first step
            self._profile()

        def on_train_batch_end(self, batch_index, logs=None):
            self.done += 1
            if self.done % max(1, state.steps // 10) == 0:
                state.progress(event="step", run=run.index, step=self.done, of=state.steps)
            # A model fit builds itself (no Input layer) is profiled once built, after its first step:
            # calling it before would build it on the batch's shape, not fit's.
            if self.done in checkpoints or (self.done == 1 and not run.profiles):
                self._profile()
            state.flush()
            if self.done >= state.steps:
                self.model.stop_training = True

        def on_train_end(self, logs=None):
            self._profile()

    return ProbeCallback()


def make_profiler(state: ProbeState, model):
    """Per-timestep gradient norms into each recurrent layer, through the model's own call path."""

    def mute(on: bool) -> None:
        state.muted = on

    return timesteps.make_profiler(model, mute)


def _describe_data(state: ProbeState, run: Run, a: dict, model, batch) -> None:
    """Input and target statistics, and the rows trained and validated on (for the leak check)."""
    train_x, val_x = training_split(a)
    run.info["input_stats"] = feature_stats(train_x if train_x is not None else batch[0])
    run.info["target_stats"] = feature_stats(a.get("y") if a.get("y") is not None else batch[1])
    run.info["input_stats_from"] = "training arrays" if train_x is not None else "first batch"
    run.info["integer_inputs"] = bool(model.layers) and type(model.layers[0]).__name__ == "Embedding"
    run.info["samples_per_step"] = _batch_rows(batch[0])
    train_y, val_y = training_targets(a)
    state.note_data(False, train_x if train_x is not None else batch[0],
                    train_y if train_y is not None else batch[1])
    if val_x is not None:
        state.note_data(True, val_x, val_y)


def _batch_rows(x) -> int | None:
    """How many samples one step trains on: the first batch's leading dimension."""
    shape = getattr(x, "shape", None)
    try:
        return int(shape[0]) if shape is not None and len(shape) and shape[0] is not None else None
    except (TypeError, ValueError):
        return None


def _reuse(state: ProbeState, model) -> dict | None:
    """How this fit starts compared with the end of the previous fit of the same model object."""
    previous = state.model_end.get(id(model))
    if previous is None:
        return None
    fingerprint, prev_run, prev_optimizer, prev_optimizer_id = previous
    start = weights_fingerprint(model) if model.built else None
    return {
        "previous_run": prev_run,
        "starts_from_previous_weights": start is not None and start == fingerprint,
        "recompiled": prev_optimizer_id != id(model.optimizer),
        "previous_optimizer": prev_optimizer,
    }


def _bounded_arguments(state: ProbeState, run: Run, a: dict, model, batch) -> dict:
    """The user's fit arguments with file-writing callbacks left out and the probe's callback added."""
    callbacks = list(a.get("callbacks") or [])
    kept = [c for c in callbacks if type(c).__name__ not in WRITING_CALLBACKS]
    run.notes += [f"{type(c).__name__} was left out: it writes files" for c in callbacks if c not in kept]
    kept.append(_probe_callback(state, run, make_profiler(state, model), batch))
    a.update(callbacks=kept, verbose=0)
    if a.get("validation_data") is not None or a.get("validation_split"):
        a["validation_freq"] = 10**9  # the probe judges training; never pay for validation
    return a


def probe_fit(state: ProbeState, original_fit, model, args, kwargs):
    """Run the user's own fit, bounded to the probe's steps, with this run's recorder in place."""
    bound = inspect.signature(original_fit).bind(model, *args, **kwargs)  # the script's own call
    bound.apply_defaults()
    a = bound.arguments
    a.update(a.pop("kwargs", {}))
    run = Run(len(state.runs) + 1, "fit", model=model)
    state.runs.append(run)
    state.progress(event="run", run=run.index, kind=run.kind, of=state.steps)
    batch = first_batch(a, a.get("batch_size") or 32)  # may run the script's generator: its errors are its own
    with state.guard("preparing the probed fit"):
        run.info.update(optimizer_info(model.optimizer))
        run.info.update({"batch_size": a.get("batch_size"), "epochs": a.get("epochs"), "model": model.name})
        _describe_data(state, run, a, model, batch)
        run.info["reuse"] = _reuse(state, model)
        a = _bounded_arguments(state, run, a, model, batch)
    model.train_function = None  # retrace so the step picks up this run's recorder
    state.fit_run = run
    try:
        history = original_fit(**a)
    finally:
        state.fit_run = None
        run.in_progress = False
        run.seconds = time.perf_counter() - run.started
        model.train_function = None
        state.model_end[id(model)] = (
            weights_fingerprint(model), run.index, type(model.optimizer).__name__, id(model.optimizer)
        )
        state.write()
    state.progress(event="run_end", run=run.index)
    return history


# --------------------------------------------------------------------------- patches


class _PatchOnImport(importlib.abc.MetaPathFinder):
    """Runs a callback right after a module is first imported (scikit-learn is optional)."""

    def __init__(self, name: str, callback):
        self.name, self.callback = name, callback

    def find_spec(self, fullname, path, target=None):
        if fullname != self.name:
            return None
        spec = importlib.machinery.PathFinder.find_spec(fullname, path)
        if spec is None or spec.loader is None or not hasattr(spec.loader, "exec_module"):
            return spec
        original, callback = spec.loader.exec_module, self.callback

        def exec_module(module):
            original(module)
            callback(module)

        spec.loader.exec_module = exec_module
        return spec


def _patch_scalers(state: ProbeState, module) -> None:
    for name in SKLEARN_SCALERS:
        cls = getattr(module, name, None)
        if cls is not None:
            _wrap_scaler(state, cls)


def _wrap_scaler(state: ProbeState, cls) -> None:
    fit, transform = cls.fit, cls.transform

    def probed_fit(self, X, *args, **kwargs):
        with state.guard("recording a scaler's rows"):
            state.note_scaler_fit(self, type(self).__name__, X)
        return fit(self, X, *args, **kwargs)

    def probed_transform(self, X, *args, **kwargs):
        out = transform(self, X, *args, **kwargs)
        with state.guard("recording a scaler's rows"):
            state.note_transform(self, X, out)
        return out

    cls.fit, cls.transform = probed_fit, probed_transform


def install(state: ProbeState) -> None:
    tf = _tf()
    import keras
    from keras.src.optimizers.base_optimizer import BaseOptimizer
    from keras.src.trainers.trainer import Trainer

    original_fit = keras.Model.fit

    def fit(self, *args, **kwargs):
        if state.fit_run is not None:
            return original_fit(self, *args, **kwargs)
        if len(state.runs) >= state.max_fits:
            state.stop_requested = True
            state.stop_reason = f"stopped at fit #{len(state.runs) + 1}: the cap is {state.max_fits} fits"
            raise StopProbe(state.stop_reason)
        return probe_fit(state, original_fit, self, args, kwargs)

    keras.Model.fit = fit

    original_compute = Trainer._compute_loss

    def _compute_loss(self, *args, **kwargs):
        loss = original_compute(self, *args, **kwargs)
        if kwargs.get("training", True):
            state.note_loss(loss)
        return loss

    Trainer._compute_loss = _compute_loss

    original_call = keras.losses.Loss.__call__

    def loss_call(self, *args, **kwargs):
        value = original_call(self, *args, **kwargs)
        if state.fit_run is None:  # a custom loop; inside fit, _compute_loss has the full loss
            state.note_loss(value)
        return value

    keras.losses.Loss.__call__ = loss_call

    original_apply = BaseOptimizer.apply

    def apply(self, grads, trainable_variables=None):
        grads = list(grads)
        variables = list(trainable_variables) if trainable_variables is not None else list(
            self._trainable_variables
        )
        with state.guard("setting up the per-step recorder"):
            run = state.run_for(self, variables)
        if run is None:
            return original_apply(self, grads, trainable_variables)
        before = [_value(v) for v in variables]
        result = original_apply(self, grads, variables)
        with state.guard("recording an optimizer step"):
            after = [_value(v) for v in variables]
            step = run.recorder.record(state.pending_loss, grads, before, after)
        if run.kind == "custom_loop":
            if tf.executing_eagerly():
                state.tick(run, step.numpy())
            else:
                tf.numpy_function(lambda s: _tick_in_graph(state, run, s), [step], tf.int64)
        return result

    BaseOptimizer.apply = apply

    original_adapt = keras.layers.Normalization.adapt

    def adapt(self, data, *args, **kwargs):
        with state.guard("recording a Normalization layer's rows"):
            state.note_scaler_fit(self, f"Normalization({self.name})", data)
        return original_adapt(self, data, *args, **kwargs)

    keras.layers.Normalization.adapt = adapt

    original_evaluate = keras.Model.evaluate

    def evaluate(self, x=None, *args, **kwargs):
        with state.guard("recording the evaluation rows"):
            state.note_data(True, x, kwargs.get("y", args[0] if args else None))
        return original_evaluate(self, x, *args, **kwargs)

    keras.Model.evaluate = evaluate

    def no_write(name):
        def skipped(self, *args, **kwargs):
            state.notes.append(f"model.{name}() was skipped: the probe writes nothing")

        return skipped

    for name in ("save", "save_weights", "export"):
        if hasattr(keras.Model, name):
            setattr(keras.Model, name, no_write(name))

    if "sklearn.preprocessing" in sys.modules:
        _patch_scalers(state, sys.modules["sklearn.preprocessing"])
    else:
        sys.meta_path.insert(0, _PatchOnImport("sklearn.preprocessing", lambda m: _patch_scalers(state, m)))


def _tick_in_graph(state: ProbeState, run: Run, step):
    state.tick(run, step)
    return np.int64(step)


# --------------------------------------------------------------------------- main


def _error(exc: BaseException, message: str) -> dict:
    shown, library = frame_info.frames(exc)
    return {"type": type(exc).__name__, "message": message[:2000], "frames": shown, "library_frames": library}


def run_script(state: ProbeState) -> None:
    config = state.config
    script = config["script"]
    sys.argv = [script, *config["script_args"]]
    sys.path[0] = os.path.dirname(script)
    state.status = "running"
    state.write()
    try:
        runpy.run_path(script, run_name="__main__")
        state.status = "completed"
    except SystemExit as exc:
        code = exc.code
        failed = code not in (None, 0) and not state.runs
        state.status = "script_error" if failed else "completed"
        if failed:
            state.error = _error(exc, f"exit status {code}")
    except BaseException as exc:  # noqa: BLE001 - the user's script may raise anything
        if state.internal is not None:  # rnnlint's own failure, whatever shape it came out in
            state.status = "internal_error"
            state.error = state.internal
        elif state.stop_requested:
            state.status = "stopped"
        else:
            state.status = "script_error"
            state.error = _error(exc, str(exc))
    for run in state.loop_runs.values():
        run.in_progress = False  # the script ended or was stopped: the loop is over
        if not run.seconds:
            run.seconds = time.perf_counter() - run.started


def main(argv: list[str]) -> int:
    with open(argv[0], encoding="utf-8") as fh:
        config = json.load(fh)
    state = ProbeState(config)
    state.status = "starting"
    state.write()
    import keras  # threads and devices come from the environment the runner set

    keras.utils.set_random_seed(int(config["seed"]))
    install(state)
    state.progress(event="script", script=config["script"])
    run_script(state)
    state.write()
    sys.stdout.flush()
    sys.stderr.flush()
    return 0


if __name__ == "__main__":
    code = main(sys.argv[1:])
    os._exit(code)  # skip TensorFlow's slow teardown and any thread the script left running
