"""Seed the child so that a probe is reproducible, without changing what a real run would do.

`keras.utils.set_random_seed` also sets TensorFlow's global seed, and under a global seed a random op
inside a tf.data function restarts its sequence with every new iterator. Keras shuffles `fit`'s
arrays with such an op (`tf.random.shuffle` in the array adapter's map), so a seeded run trains on
the same batch order every epoch, where the script's own unseeded run reshuffles each epoch: a probe
would measure a run the script never makes. Here an unseeded `tf.random.shuffle` draws from one
stateful generator seeded with the probe's seed instead: a new order every epoch, the same orders on
every probe of the script. Once the script seeds TensorFlow itself, its own run repeats the order
too, and the original op is used again.

Other unseeded random ops inside tf.data functions (a script's own augmentation) still repeat per
epoch under the probe's seed; shuffling is the one every `fit` on arrays goes through.
"""

from __future__ import annotations

from typing import Any

_script_seeded = False


def seed_the_run(seed: int) -> None:
    """Seed Python, numpy, Keras and TensorFlow, and keep `fit`'s reshuffling per epoch."""
    import keras
    import tensorflow as tf

    keras.utils.set_random_seed(seed)
    generator = tf.random.Generator.from_seed(seed)
    original_shuffle = tf.random.shuffle

    def shuffle(value: Any, seed: Any = None, name: Any = None) -> Any:
        if seed is not None or _script_seeded:
            return original_shuffle(value, seed=seed, name=name)
        value = tf.convert_to_tensor(value)
        keys = generator.uniform(tf.shape(value)[:1])
        return tf.gather(value, tf.argsort(keys), name=name)

    tf.random.shuffle = shuffle
    _note_script_seeds(tf)


def _note_script_seeds(tf: Any) -> None:
    """From here on, the script's own TensorFlow seed (directly or through keras.utils.set_random_seed,
    which calls tf.random.set_seed) brings back the original shuffle, as its real run has it."""
    for module, name in ((tf.random, "set_seed"), (tf.compat.v1, "set_random_seed")):
        original = getattr(module, name)

        def seeded(seed: Any, _original: Any = original) -> Any:
            global _script_seeded
            _script_seeded = True
            return _original(seed)

        setattr(module, name, seeded)
