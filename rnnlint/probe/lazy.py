"""TensorFlow imported on first use: the child must not load it before the runner's settings apply."""

from __future__ import annotations


def tensorflow():
    import tensorflow as tf

    return tf
