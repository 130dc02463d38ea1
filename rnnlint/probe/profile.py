"""The per-timestep gradient profiler: how far back through time the loss still reaches."""

from __future__ import annotations

from .batches import is_recurrent
from .lazy import tensorflow as _tf
from .state import ProbeState


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

