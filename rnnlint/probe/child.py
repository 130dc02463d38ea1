"""The probe's child process: instrument Keras, run the user's script as `__main__`, save measurements.

Started by `runner.py` in a fresh interpreter (`python -m rnnlint.probe.child CONFIG`). Everything it
learns goes to `result.json` in the run's temp dir, rewritten after every probed fit, so a timeout
still leaves what was measured; stdout and stderr belong to the user's script.
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
import traceback

import numpy as np

from rnnlint.probe import remedies

# Callbacks that write files: a truncated probe run must not overwrite the user's checkpoints or logs.
WRITING_CALLBACKS = ("ModelCheckpoint", "BackupAndRestore", "TensorBoard", "CSVLogger")
SKLEARN_SCALERS = ("StandardScaler", "MinMaxScaler", "RobustScaler", "MaxAbsScaler")
MAX_HASHED_ROWS = 200_000
_PROBE_DIR = os.path.dirname(os.path.abspath(__file__))


class StopProbe(BaseException):
    """Ends the user's script once the probe has what it needs (not an `Exception`: scripts catch those)."""


class _StopSignal(Exception):
    """Raised inside a compiled custom training loop, where only ordinary exceptions cross the graph."""


def _tf():
    import tensorflow as tf

    return tf


# --------------------------------------------------------------------------- row fingerprints


def _rows(array) -> np.ndarray | None:
    """The array as float32 rows over its last axis, or None when it is not numeric array data."""
    try:
        a = np.asarray(array)
    except Exception:  # noqa: BLE001 - tensors of odd kinds, ragged lists
        return None
    if a.dtype.kind not in "fiub" or a.ndim == 0:
        return None
    a = a.reshape(-1, 1) if a.ndim == 1 else a.reshape(-1, a.shape[-1])
    return np.ascontiguousarray(a[:MAX_HASHED_ROWS], dtype=np.float32)


def row_hashes(array) -> list[int]:
    rows = _rows(array)
    if rows is None:
        return []
    return [hash(r.tobytes()) for r in rows]


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


# --------------------------------------------------------------------------- the probed fit


def _probe_callback(state: ProbeState, run: Run, profile, batch, capture=None):
    import keras

    checkpoints = {0, state.steps // 2, state.steps}

    class ProbeCallback(keras.callbacks.Callback):
        def __init__(self):
            super().__init__()
            self.done = 0

        def _profile(self):
            if profile is not None and (not run.profiles or run.profiles[-1]["step"] != self.done):
                run.profiles.extend(profile(self.done, batch))

        def on_train_begin(self, logs=None):
            if capture is not None:
                capture.begin()
            self._profile()

        def on_train_batch_end(self, batch_index, logs=None):
            self.done += 1
            if self.done % max(1, state.steps // 10) == 0:
                state.progress(event="step", run=run.index, step=self.done, of=state.steps)
            if self.done in checkpoints:
                self._profile()
            if self.done >= state.steps:
                self.model.stop_training = True

        def on_train_end(self, logs=None):
            self._profile()

    return ProbeCallback()


def make_profiler(state: ProbeState, model):
    """Per-timestep gradient norms of the loss w.r.t. each recurrent layer's input, on one batch."""
    tf = _tf()
    import keras

    layers = list(model.layers) if isinstance(model, keras.Sequential) else []
    recurrent = [i for i, layer in enumerate(layers) if is_recurrent(layer)]
    watched_names = [layers[i].name for i in recurrent] or ["model input"]

    @tf.function(reduce_retracing=True)
    def gradients(x, y):
        with tf.GradientTape() as tape:
            watched = []
            if recurrent:
                h = x
                for i, layer in enumerate(layers):
                    if i in recurrent:
                        tape.watch(h)
                        watched.append(h)
                    h = layer(h, training=False)
                y_pred = h
            else:
                tape.watch(x)
                watched.append(x)
                y_pred = model(x, training=False)
            loss = model.compute_loss(x=x, y=y, y_pred=y_pred, training=False)
        grads = tape.gradient(loss, watched)
        # Sum over batch and features, keep the time axis (axis 1).
        return [tf.sqrt(tf.reduce_sum(tf.square(g), axis=[0, *range(2, len(g.shape))])) for g in grads]

    def profile(step: int, batch) -> list[dict]:
        x, y = batch
        if x is None or y is None:
            return []
        x = tf.convert_to_tensor(x)
        if not recurrent and (x.shape.rank != 3 or not x.dtype.is_floating):
            return []  # without recurrent layers to watch, only a float sequence input will do
        state.muted = True
        try:
            norms = gradients(tf.cast(x, tf.float32) if not recurrent else x, y)
        finally:
            state.muted = False
        return [
            {"step": step, "layer": name, "norms": [float(v) for v in n.numpy()]}
            for name, n in zip(watched_names, norms)
        ]

    return profile


def _describe_data(state: ProbeState, run: Run, a: dict, model, batch) -> None:
    """Input and target statistics, and the rows trained and validated on (for the leak check)."""
    train_x, val_x = training_split(a)
    run.info["input_stats"] = feature_stats(train_x if train_x is not None else batch[0])
    run.info["target_stats"] = feature_stats(a.get("y") if a.get("y") is not None else batch[1])
    run.info["input_stats_from"] = "training arrays" if train_x is not None else "first batch"
    run.info["integer_inputs"] = bool(model.layers) and type(model.layers[0]).__name__ == "Embedding"
    state.note_data("train", train_x if train_x is not None else batch[0])
    if val_x is not None:
        state.note_data("validation", val_x)


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


def _bounded_arguments(state: ProbeState, run: Run, a: dict, model, batch, capture=None) -> dict:
    """The user's fit arguments with file-writing callbacks left out and the probe's callback added."""
    callbacks = list(a.get("callbacks") or [])
    kept = [c for c in callbacks if type(c).__name__ not in WRITING_CALLBACKS]
    run.notes += [f"{type(c).__name__} was left out: it writes files" for c in callbacks if c not in kept]
    kept.append(_probe_callback(state, run, make_profiler(state, model), batch, capture))
    a.update(callbacks=kept, verbose=0)
    if a.get("validation_data") is not None or a.get("validation_split"):
        a["validation_freq"] = 10**9  # the probe judges training; never pay for validation
    return a


def probe_fit(state: ProbeState, original_fit, model, args, kwargs):
    """Run the user's own fit, bounded to the probe's steps, with this run's recorder in place."""
    bound = inspect.signature(original_fit).bind(model, *args, **kwargs)
    bound.apply_defaults()
    a = bound.arguments
    a.update(a.pop("kwargs", {}))
    run = Run(len(state.runs) + 1, "fit", model=model)
    state.runs.append(run)
    state.progress(event="run", run=run.index, kind=run.kind, of=state.steps)
    run.info.update(optimizer_info(model.optimizer))
    run.info.update({"batch_size": a.get("batch_size"), "epochs": a.get("epochs"), "model": model.name})
    batch = first_batch(a, a.get("batch_size") or 32)
    _describe_data(state, run, a, model, batch)
    run.info["reuse"] = _reuse(state, model)
    capture = remedies.Capture(model, batch) if state.config.get("what_if") else None
    a = _bounded_arguments(state, run, a, model, batch, capture)
    model.train_function = None  # retrace so the step picks up this run's recorder
    state.fit_run = run
    if capture is not None:
        capture.wrap()
    try:
        history = original_fit(**a)
    finally:
        state.fit_run = None
        if capture is not None:
            capture.unwrap()
        run.seconds = time.perf_counter() - run.started
        model.train_function = None
        state.model_end[id(model)] = (
            weights_fingerprint(model), run.index, type(model.optimizer).__name__, id(model.optimizer)
        )
        state.write()
    if capture is not None:
        remedies.try_remedies(state, run, capture)
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
        state.note_scaler_fit(type(self).__name__, X)
        return fit(self, X, *args, **kwargs)

    def probed_transform(self, X, *args, **kwargs):
        out = transform(self, X, *args, **kwargs)
        state.note_transform(X, out)
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
        run = state.run_for(self, variables)
        if run is None:
            return original_apply(self, grads, trainable_variables)
        before = [_value(v) for v in variables]
        result = original_apply(self, grads, variables)
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
        state.note_scaler_fit(f"Normalization({self.name})", data)
        return original_adapt(self, data, *args, **kwargs)

    keras.layers.Normalization.adapt = adapt

    original_evaluate = keras.Model.evaluate

    def evaluate(self, x=None, *args, **kwargs):
        state.note_data("evaluate", x)
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


def _frames(exc: BaseException, limit: int = 6) -> list[dict]:
    frames = [
        f for f in traceback.extract_tb(exc.__traceback__)
        if not f.filename.startswith(_PROBE_DIR) and "runpy" not in f.filename
    ]
    return [
        {"file": f.filename, "line": f.lineno, "function": f.name, "code": f.line or ""}
        for f in frames[-limit:]
    ]


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
            state.error = {"type": "SystemExit", "message": f"exit status {code}", "frames": _frames(exc)}
    except BaseException as exc:  # noqa: BLE001 - the user's script may raise anything
        if state.stop_requested:
            state.status = "stopped"
        else:
            state.status = "script_error"
            state.error = {
                "type": type(exc).__name__,
                "message": str(exc)[:2000],
                "frames": _frames(exc),
            }
    for run in state.loop_runs.values():
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
