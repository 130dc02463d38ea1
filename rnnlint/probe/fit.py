"""One probed `fit`: the user's own fit, bounded to the probe's steps, with a recorder in place."""

from __future__ import annotations

import inspect
import time

from . import remedies
from .batches import feature_stats, first_batch, training_split, weights_fingerprint
from .profile import make_profiler
from .state import ProbeState, Run, optimizer_info

# Callbacks that write files: a truncated probe run must not overwrite the user's checkpoints or logs.
WRITING_CALLBACKS = ("ModelCheckpoint", "BackupAndRestore", "TensorBoard", "CSVLogger")


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
    try:
        if capture is not None:
            capture.wrap()
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

