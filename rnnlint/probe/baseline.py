"""The loss a model scores without learning anything: the best constant prediction's.

A loss that falls a long way can still be a model that learned nothing from its inputs: it may only
have moved its bias to the targets' average (the adding problem over 200 timesteps falls by 80%, to
exactly the targets' variance). Judging a fall against this floor tells learning from the input apart
from learning the average.

Runs in the child, on the script's own compiled loss and training targets; nothing the script sees
changes (the loss is called on copies, no variable or random state is touched).
"""

from __future__ import annotations

import numpy as np

_MAX_ROWS = 4096  # enough for the averages to settle; bounded so a large target costs nothing
_EPS = 1e-7


def constant_loss(model, target) -> dict | None:
    """{"loss": the compiled loss of the best constant prediction on the training targets,
    "predictor": what that constant is} or None when it cannot be computed (several outputs,
    a loss rnnlint cannot call on its own, a target that is not an array)."""
    try:
        return _constant_loss(model, target)
    except Exception:  # noqa: BLE001 - an unusual loss or target: no floor, the verdict says so
        return None


def _constant_loss(model, target) -> dict | None:
    import keras

    loss = getattr(model, "loss", None)
    if loss is None or isinstance(loss, (dict, list, tuple)) or target is None:
        return None
    loss_fn = keras.losses.get(loss) if isinstance(loss, str) else loss
    if not callable(loss_fn):
        return None
    y = np.asarray(target)
    if y.dtype.kind not in "fiub" or y.ndim == 0 or len(y) == 0:
        return None
    if len(y) > _MAX_ROWS:  # rows spread over the whole target: a series' first rows may not span its range
        y = y[np.linspace(0, len(y) - 1, _MAX_ROWS).astype(np.int64)]
    y = y.astype(np.float32)
    output = _output_shape(model)
    from_logits = bool(getattr(loss_fn, "from_logits", False) or
                       getattr(loss_fn, "_fn_kwargs", {}).get("from_logits", False))
    candidates = _candidates(y, output, from_logits, _is_sparse(loss_fn, y, output))
    scored = []
    for name, constant in candidates:
        prediction = np.broadcast_to(constant, (len(y),) + constant.shape).astype(np.float32)
        value = float(np.mean(np.asarray(loss_fn(y, prediction))))
        if np.isfinite(value):
            scored.append((value, name))
    if not scored:
        return None
    value, name = min(scored)
    return {"loss": value, "predictor": name, "rows": int(len(y))}


def _output_shape(model) -> tuple | None:
    try:
        shape = model.outputs[0].shape if getattr(model, "outputs", None) else model.output_shape
        return tuple(shape)
    except Exception:  # noqa: BLE001 - a subclassed model built by fit: no symbolic output
        return None


def _is_sparse(loss_fn, y: np.ndarray, output: tuple | None) -> bool:
    name = (getattr(loss_fn, "name", None) or getattr(loss_fn, "__name__", "") or "").lower()
    if "sparse" in name:
        return True
    # integer labels against a wider softmax: what a sparse loss expects, whatever its name
    return bool(output is not None and output[-1] is not None and output[-1] > 1 and
                (y.ndim == 1 or y.shape[-1] == 1) and np.all(np.equal(np.mod(y, 1), 0)))


def _candidates(y: np.ndarray, output: tuple | None, from_logits: bool,
                sparse: bool) -> list[tuple[str, np.ndarray]]:
    """The constants worth scoring: the targets' mean (best for squared error and cross-entropy,
    where the mean of one-hot or 0/1 labels is the class frequencies) and their median (best for
    absolute error), per output position."""
    if sparse:
        if output is None or output[-1] is None:
            return []
        classes = int(output[-1])
        labels = y.reshape(-1).astype(np.int64)
        if labels.min() < 0 or labels.max() >= classes:
            return []
        frequencies = np.bincount(labels, minlength=classes) / labels.size
        frequencies = np.clip(frequencies, _EPS, 1.0)
        constant = np.log(frequencies) if from_logits else frequencies / frequencies.sum()
        shape = tuple(int(d) for d in output[1:-1] if d is not None) + (classes,)
        return [("class frequencies", np.broadcast_to(constant, shape).copy())]
    mean = y.mean(axis=0)
    median = np.median(y, axis=0)
    if from_logits:
        p = np.clip(mean, _EPS, 1 - _EPS)
        one_hot = y.ndim > 1 and y.shape[-1] > 1 and np.allclose(y.sum(axis=-1), 1)
        # softmax(log p) = p for one-hot labels; sigmoid(logit p) = p for 0/1 labels
        return [("class frequencies (as logits)", np.log(p) if one_hot else np.log(p / (1 - p)))]
    return [("targets' mean", mean), ("targets' median", median)]
