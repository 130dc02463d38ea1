"""One probed `fit`: the user's own fit, bounded to the probe's steps, with a recorder in place."""

from __future__ import annotations

import hashlib
import inspect
import time

from .batches import (feature_stats, first_batch, nonfinite_where, row_hashes, training_split,
                      weights_fingerprint)
from .history import bound_validation, describe_history, has_validation, user_callbacks
from .profile import make_profiler
from .state import ProbeState, Run, optimizer_info


def _probe_callback(state: ProbeState, run: Run, profile, batch):
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


def _describe_data(state: ProbeState, run: Run, a: dict, model, batch) -> None:
    """Input and target statistics, and the rows trained and validated on (for the leak check)."""
    train_x, val_x = training_split(a)
    run.info["input_stats"] = feature_stats(train_x if train_x is not None else batch[0])
    run.info["target_stats"] = feature_stats(a.get("y") if a.get("y") is not None else batch[1])
    run.info["input_stats_from"] = "training arrays" if train_x is not None else "first batch"
    run.info["integer_inputs"] = bool(model.layers) and type(model.layers[0]).__name__ == "Embedding"
    train = train_x if train_x is not None else batch[0]
    target = a.get("y") if a.get("y") is not None and train_x is not None else batch[1]
    if train_x is not None and target is not None and hasattr(target, "__getitem__"):
        target = target[: len(train_x)]
    run.info["nonfinite_inputs"] = {"input": nonfinite_where(train), "target": nonfinite_where(target),
                                    "from": run.info["input_stats_from"]}
    state.note_data("train", train)
    run.info["training_rows_digest"] = _rows_digest(train)
    if val_x is not None:
        state.note_data("validation", val_x)


def _rows_digest(data) -> str | None:
    """One fingerprint of the set of rows trained on: k-fold and resampling loops change it."""
    hashes = sorted(set(row_hashes(data)))
    if not hashes:
        return None
    return hashlib.sha1(",".join(map(str, hashes)).encode()).hexdigest()


def _reuse(state: ProbeState, run: Run, model) -> dict | None:
    """How this fit starts compared with the end of the previous fit of the same model object."""
    previous = state.model_end.get(id(model))
    if previous is None:
        return None
    fingerprint, prev_run, prev_optimizer, prev_optimizer_id = previous
    start = weights_fingerprint(model) if model.built else None
    digest, prev_digest = run.info.get("training_rows_digest"), state.runs[prev_run - 1].info.get(
        "training_rows_digest")
    return {
        "previous_run": prev_run,
        "model_fit_before": True,
        "starts_from_previous_weights": start is not None and start == fingerprint,
        "recompiled": prev_optimizer_id != id(model.optimizer),
        "previous_optimizer": prev_optimizer,
        # None when either fit's rows could not be read (datasets, generators).
        "same_training_rows": None if digest is None or prev_digest is None else digest == prev_digest,
    }


def _bounded_arguments(state: ProbeState, run: Run, a: dict, model, batch) -> dict:
    """The user's fit arguments, their callbacks kept where they can run, the probe's callback added."""
    kept = user_callbacks(state, run, list(a.get("callbacks") or []))
    kept.append(_probe_callback(state, run, make_profiler(state, model), batch))
    a.update(callbacks=kept, verbose=0)
    bound_validation(run, a)
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
    run.info["reuse"] = _reuse(state, run, model)
    validated = has_validation(a)
    a = _bounded_arguments(state, run, a, model, batch)
    model.train_function = None  # retrace so the step picks up this run's recorder
    state.fit_run = run
    try:
        history = original_fit(**a)
    finally:
        state.fit_run = None
        run.seconds = time.perf_counter() - run.started
        model.train_function = None
        state.model_end[id(model)] = (
            weights_fingerprint(model), run.index, type(model.optimizer).__name__, id(model.optimizer)
        )
        state.write()
    describe_history(run, history, validated)
    state.write()
    state.progress(event="run_end", run=run.index)
    return history

