"""The per-timestep gradient profiler: how much of the loss's gradient reaches each timestep of the
input of every recurrent layer, on one fixed batch.

The batch goes through the model's own call path (`model(x)`), so inputs are cast, reshaped and
masked exactly as `fit` has them (bool one-hot, uint8 frames, int64 windows, an (n, t, 1, 1) input
that a functional model squeezes to (n, t, 1)); the tensor each recurrent layer receives is watched
on its way in, by a hook on `Layer.__call__` that is active only while a profile is taken.
Timesteps that hold only padding in the whole batch are reported as outside the data `span`.
"""

from __future__ import annotations

from typing import Callable

import numpy as np

_capture: dict | None = None  # set while a profile is being traced: {"tape", "layers", "watched"}
_installed = False


def _tf():
    import tensorflow as tf

    return tf


def install_hook() -> None:
    """Wrap `Layer.__call__` once; the wrapper does nothing unless a profile is being taken."""
    global _installed
    if _installed:
        return
    import keras

    original = keras.layers.Layer.__call__

    def __call__(self, *args, **kwargs):
        capture = _capture
        if capture is not None and id(self) in capture["layers"] and args:
            inputs = args[0]
            tf = _tf()
            if tf.is_tensor(inputs) and inputs.dtype.is_floating and (inputs.shape.rank or 0) >= 3:
                capture["tape"].watch(inputs)
                capture["watched"].append((self.name, inputs))
        return original(self, *args, **kwargs)

    keras.layers.Layer.__call__ = __call__
    _installed = True


def recurrent_layers(model) -> list:
    """The recurrent layers of the model and of models nested in it (a Bidirectional counts once)."""
    import keras

    out, stack = [], list(getattr(model, "layers", []))
    while stack:
        layer = stack.pop(0)
        if isinstance(layer, (keras.layers.RNN, keras.layers.Bidirectional)):
            out.append(layer)
        elif isinstance(layer, keras.Model):
            stack[:0] = list(layer.layers)
    return out


def _mask_value(model) -> tuple[float | None, bool]:
    """(the pad value, whether a layer masks it): a Masking layer's mask_value, or 0 for the token
    ids an Embedding reads (pad_sequences' default) and for zero-padded float sequences."""
    import keras

    for layer in getattr(model, "layers", []):
        if isinstance(layer, keras.layers.Masking):
            return float(layer.mask_value), True
        if isinstance(layer, keras.layers.Embedding):
            return 0.0, bool(getattr(layer, "mask_zero", False))
    return 0.0, False


def data_span(x, model) -> tuple[int, int] | None:
    """[start, end) of the timesteps (axis 1) where some sequence of the batch holds data; None when
    every timestep does, or the input has no time axis to read."""
    try:
        a = np.asarray(x)
    except Exception:  # noqa: BLE001
        return None
    if a.ndim < 2 or a.dtype.kind not in "fiub" or a.shape[1] < 2:
        return None
    pad, _ = _mask_value(model)
    holds = (a != pad).reshape(a.shape[0], a.shape[1], -1).any(axis=(0, 2))
    where = np.flatnonzero(holds)
    if len(where) == 0 or (where[0] == 0 and where[-1] == a.shape[1] - 1):
        return None
    return int(where[0]), int(where[-1] + 1)


def _stateful_states(layers: list) -> list[tuple]:
    """(variable, value) of every state a stateful recurrent layer (or its wrapped ones) keeps."""
    out = []
    for layer in layers:
        for inner in (layer, getattr(layer, "forward_layer", None), getattr(layer, "backward_layer", None)):
            if inner is not None and getattr(inner, "stateful", False):
                for variable in getattr(inner, "states", None) or []:
                    if hasattr(variable, "assign"):
                        out.append((variable, variable.numpy()))
    return out


def make_profiler(model, mute: Callable[[bool], None]) -> Callable[[int, tuple], list[dict]]:
    """A function (step, (x, y)) -> profiles, one per recurrent layer: {step, layer, norms[, span]}.

    `mute(True)` tells the probe's loss and optimizer hooks that the next calls are the profiler's.
    """
    tf = _tf()
    install_hook()
    layers = recurrent_layers(model)
    layer_ids = {id(layer) for layer in layers}

    names: list[str] = []  # the watched layers, in call order; set while the graph is traced

    @tf.function(reduce_retracing=True)
    def gradients(x, y):
        global _capture
        with tf.GradientTape() as tape:
            _capture = {"tape": tape, "layers": layer_ids, "watched": []}
            try:
                if not layer_ids:  # no recurrent layer to watch: the model input, when it is a float sequence
                    tape.watch(x)
                    _capture["watched"].append(("model input", x))
                y_pred = model(x, training=False)
                watched = _capture["watched"]
            finally:
                _capture = None
            loss = model.compute_loss(x=x, y=y, y_pred=y_pred, training=False)
        names[:] = [name for name, _ in watched]
        grads = tape.gradient(loss, [t for _, t in watched])
        # Sum over batch and features, keep the time axis (axis 1).
        return [tf.zeros([0]) if g is None else tf.sqrt(tf.reduce_sum(tf.square(g), axis=[0, *range(2, len(g.shape))]))
                for g in grads]

    def profile(step: int, batch) -> list[dict]:
        x, y = batch
        if x is None or y is None or not model.built:
            return []
        if not layer_ids:
            x = tf.convert_to_tensor(x)
            if x.shape.rank != 3 or not x.dtype.is_floating:
                return []  # without recurrent layers to watch, only a float sequence input will do
        span = data_span(x, model)
        masked = _mask_value(model)[1]
        x, y = tf.nest.map_structure(tf.convert_to_tensor, (x, y))
        states = _stateful_states(layers)
        mute(True)
        try:
            norms = gradients(x, y)
        finally:
            mute(False)
            for variable, value in states:  # the profile must not move a stateful model's state
                variable.assign(value)
        out = []
        for name, n in zip(names, norms):
            values = [float(v) for v in n.numpy()]
            if not values:
                continue
            entry = {"step": step, "layer": name, "norms": values}
            if span is not None and np.asarray(x).shape[1] == len(values):
                # Whether the layer skips the padding (a mask) or reads through it decides where
                # its output is read: after the last data timestep, or at the final padded one.
                entry["span"], entry["masked"] = list(span), masked
            out.append(entry)
        return out

    return profile
