"""Per-step recording inside the compiled train step: loss, gradient norms, update sizes, finiteness."""

from __future__ import annotations

import numpy as np

from .lazy import tensorflow as _tf


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
    owner: dict[int, str] = {}
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

