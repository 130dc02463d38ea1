"""One probed `fit`: the user's own fit, bounded to the probe's steps, with a recorder in place."""

from __future__ import annotations

import hashlib
import inspect
import time

import numpy as np

from . import remedies
from .baseline import constant_loss
from .batches import (feature_stats, first_batch, nonfinite_where, training_split,
                      training_targets, weights_fingerprint)
from .history import bound_validation, describe_history, has_validation, user_callbacks
from .leaks import MAX_HASHED_ROWS, as_numeric, row_counts
from .profile import make_profiler
from .state import ProbeState, Run, optimizer_info


def _probe_callback(state: ProbeState, run: Run, profile, batch, capture=None):
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
            if capture is not None:
                capture.begin()
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


def _describe_data(state: ProbeState, run: Run, a: dict, model, batch) -> None:
    """Input and target statistics, and the rows trained and validated on (for the leak check)."""
    train_x, val_x = training_split(a)
    run.info["input_stats"] = feature_stats(train_x if train_x is not None else batch[0])
    run.info["input_stats_from"] = "training arrays" if train_x is not None else "first batch"
    run.info["integer_inputs"] = bool(model.layers) and type(model.layers[0]).__name__ == "Embedding"
    train = train_x if train_x is not None else batch[0]
    target = a.get("y") if a.get("y") is not None and train_x is not None else batch[1]
    if train_x is not None and target is not None and hasattr(target, "__getitem__"):
        target = target[: len(train_x)]
    # the rows trained on, as the input statistics are (not the rows validation_split holds out)
    run.info["target_stats"] = feature_stats(
        target if train_x is not None else a.get("y") if a.get("y") is not None else batch[1])
    run.info["nonfinite_inputs"] = {"input": nonfinite_where(train), "target": nonfinite_where(target),
                                    "from": run.info["input_stats_from"]}
    run.info["training_rows_digest"] = _rows_digest(train)
    run.samples = _sample_hashes(train)
    run.validation_samples = _sample_hashes(val_x) if val_x is not None else None
    # Only from the training arrays: one batch of an unshuffled series can hold far less spread than
    # the run trains on, and a floor set too low would confirm RNN503 on a model that learns.
    run.info["constant_loss"] = constant_loss(model, target) if train_x is not None else None
    run.info["samples_per_step"] = _batch_rows(batch[0])
    train_y, val_y = training_targets(a)
    if val_x is not None and a.get("validation_data") is None and hasattr(a.get("x"), "shape"):
        # validation_split carves its rows out of the arrays handed to fit, so a scaler fit on those
        # arrays saw them as it saw the training rows: the everyday pattern, which the static leak rule
        # accepts too. They count as the script's training data and are reported on their own.
        state.note_data(False, a["x"], a.get("y"))
        state.leaks.carved(val_x, val_y)
    else:
        state.note_data(False, train, train_y if train_y is not None else batch[1])
        if val_x is not None:
            state.note_data(True, val_x, val_y)


def _batch_rows(x) -> int | None:
    """How many samples one step trains on: the first batch's leading dimension."""
    shape = getattr(x, "shape", None)
    try:
        return int(shape[0]) if shape is not None and len(shape) and shape[0] is not None else None
    except (TypeError, ValueError):
        return None


def _rows_digest(data) -> str | None:
    """One fingerprint of the set of rows trained on: k-fold and resampling loops change it."""
    counted = row_counts(data)
    if counted is None:
        return None
    hashes = sorted(counted[1])
    if not hashes:
        return None
    return hashlib.sha1(",".join(map(str, hashes)).encode()).hexdigest()


_HASH_BLOCK = 4096


def _sample_hashes(data) -> set[int] | None:
    """One hash per sample (everything along the first axis), to tell which samples two fits share."""
    a = as_numeric(data)
    if a is None or a.ndim == 0 or not len(a):
        return None
    hashes: set[int] = set()
    for start in range(0, min(len(a), MAX_HASHED_ROWS), _HASH_BLOCK):  # in blocks: no copy of a large array
        block = a[start:start + _HASH_BLOCK]
        rows = np.ascontiguousarray(block.reshape(len(block), -1), dtype=np.float32)
        hashes.update(hash(r.tobytes()) for r in rows)
    return hashes


def _seen(samples: set[int] | None, seen: set[int] | None) -> tuple[float | None, int | None]:
    """(share, count) of `samples` among the samples `seen` before; (None, None) when unknown."""
    if not samples or seen is None:
        return None, None
    shared = len(samples & seen)
    return shared / len(samples), shared


def _reuse(state: ProbeState, run: Run, model) -> dict | None:
    """How this fit starts compared with the end of the previous fit of the same model object."""
    previous = state.model_end.get(id(model))
    if previous is None:
        return None
    fingerprint, prev_run, prev_optimizer, prev_optimizer_id = previous
    start = weights_fingerprint(model) if model.built else None
    digest, prev_digest = run.info.get("training_rows_digest"), state.runs[prev_run - 1].info.get(
        "training_rows_digest")
    trained = state.trained_samples.get(id(model))
    training_seen, training_rows = _seen(run.samples, trained)
    validation_seen, validation_rows = _seen(run.validation_samples, trained)
    return {
        "previous_run": prev_run,
        "model_fit_before": True,
        "starts_from_previous_weights": start is not None and start == fingerprint,
        "recompiled": prev_optimizer_id != id(model.optimizer),
        "previous_optimizer": prev_optimizer,
        # None when either fit's rows could not be read (datasets, generators).
        "same_training_rows": None if digest is None or prev_digest is None else digest == prev_digest,
        # Shares of this fit's training and validation samples that earlier fits of the model trained
        # on: k-fold folds overlap (or validate on rows trained before), online training on fresh
        # batches does neither. None when the samples could not be read.
        "training_seen": training_seen, "training_seen_rows": training_rows,
        "validation_seen": validation_seen, "validation_seen_rows": validation_rows,
    }


def _bounded_arguments(state: ProbeState, run: Run, a: dict, model, batch, capture=None) -> dict:
    """The user's fit arguments, their callbacks kept where they can run, the probe's callback added."""
    kept = user_callbacks(state, run, list(a.get("callbacks") or []))
    kept.append(_probe_callback(state, run, make_profiler(state, model), batch, capture))
    a.update(callbacks=kept, verbose=0)
    bound_validation(run, a)
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
    validated = has_validation(a)
    with state.guard("preparing the probed fit"):
        run.info.update(optimizer_info(model.optimizer))
        run.info.update({"batch_size": a.get("batch_size"), "epochs": a.get("epochs"), "model": model.name})
        _describe_data(state, run, a, model, batch)
        run.info["reuse"] = _reuse(state, run, model)
        capture = remedies.Capture(model, batch) if state.config.get("what_if") else None
        a = _bounded_arguments(state, run, a, model, batch, capture)
    model.train_function = None  # retrace so the step picks up this run's recorder
    state.fit_run = run
    try:
        if capture is not None:
            capture.wrap()
        history = original_fit(**a)
    finally:
        state.fit_run = None
        if capture is not None:
            capture.unwrap()
        run.in_progress = False
        run.seconds = time.perf_counter() - run.started
        model.train_function = None
        state.model_end[id(model)] = (
            weights_fingerprint(model), run.index, type(model.optimizer).__name__, id(model.optimizer)
        )
        if run.samples is not None:
            state.trained_samples.setdefault(id(model), set()).update(run.samples)
        state.write()
    describe_history(run, history, validated)
    state.write()
    if capture is not None:
        remedies.try_remedies(state, run, capture)
        state.write()
    state.progress(event="run_end", run=run.index)
    return history

