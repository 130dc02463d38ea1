"""Numpy-side helpers on the script's training data: first batch, train/validation split, row hashes.

Nothing here changes what the script sees, except `first_batch`, which puts a peeked generator item back.
"""

from __future__ import annotations

import hashlib
import inspect
from typing import Any

import numpy as np

from .lazy import tensorflow as _tf



def weights_fingerprint(model) -> str | None:
    weights = model.get_weights()
    if not weights:
        return None
    digest = hashlib.sha1()
    for w in weights:
        digest.update(np.ascontiguousarray(w).tobytes())
    return digest.hexdigest()


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

    # whatever the script passed to fit: arrays, tensors, datasets, generators
    x: Any = arguments.get("x")
    y: Any = arguments.get("y")
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
    x: Any = arguments.get("x")
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
    x: Any = arguments.get("x")
    y: Any = arguments.get("y")
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



def nonfinite_where(array) -> dict | None:
    """How many non-finite values an input or target array holds and where the first one sits
    (row, timestep, feature for a (rows, timesteps, features) array); None when not numeric."""
    try:
        a = np.asarray(array)
    except Exception:  # noqa: BLE001 - tensors of odd kinds, ragged lists
        return None
    if a.dtype.kind != "f" or a.ndim == 0:
        return {"values": 0, "rows": 0} if a.dtype.kind in "iub" and a.ndim else None
    bad = ~np.isfinite(a)
    count = int(bad.sum())
    out: dict[str, object] = {"values": count,
                              "rows": int(bad.reshape(a.shape[0], -1).any(axis=1).sum()) if count else 0}
    if count:
        first = [int(i) for i in np.argwhere(bad)[0]]
        out["first"] = dict(zip(("row", "timestep", "feature") if a.ndim == 3 else ("row", "feature"), first))
        out["kind"] = "NaN" if np.isnan(a.flat[int(np.flatnonzero(bad)[0])]) else "Inf"
    return out
