"""How a fix names a Keras class it inserts: one table, one row per import style."""

from __future__ import annotations

import pytest

from rnnlint.checks.fix_helpers import CstSite, keras_reference
from rnnlint.facts.collect import ScriptFacts
from rnnlint.fix import parse_cst

MODEL = "model = Sequential([LSTM(8)])\n"


@pytest.mark.parametrize("header,expected,added", [
    # the class is already imported (under any alias)
    ("from tensorflow.keras.optimizers import Adam as A\nimport tensorflow as tf\n", "A", None),
    # its module is imported
    ("from tensorflow.keras import optimizers\n", "optimizers.Adam", None),
    ("import keras.optimizers as kopt\n", "kopt.Adam", None),
    # Keras itself is imported
    ("import keras\n", "keras.optimizers.Adam", None),
    ("from tensorflow import keras\n", "keras.optimizers.Adam", None),
    # tf, used as tf.keras
    ("import tensorflow as tf\nfrom keras.layers import LSTM\nm = tf.keras.Sequential()\n",
     "tf.keras.optimizers.Adam", None),
    # Keras `from` imports: a new line beside the last of them
    ("import tensorflow as tf\nfrom tensorflow.keras.layers import LSTM\nfrom tensorflow.keras.models import Sequential\n",
     "Adam", "from tensorflow.keras.models import Sequential\nfrom tensorflow.keras.optimizers import Adam"),
    ("from keras.layers import LSTM  # layers\n", "Adam",
     "from keras.optimizers import Adam\nfrom keras.layers import LSTM"),
    ("from tensorflow.keras.optimizers import (\n    SGD,\n)\n", "Adam", None),
    # tf without tf.keras calls and no Keras `from` import
    ("import tensorflow as tf\n", "tf.keras.optimizers.Adam", None),
    # nothing to go by
    ("import numpy as np\n", None, None),
    # only a function-level import: not visible at module level
    ("def build():\n    import keras\n    return keras\n", None, None),
])
def test_keras_reference(header: str, expected: str | None, added: str | None):
    text = header + MODEL
    found = keras_reference(ScriptFacts.parse(text), "optimizers", "Adam")
    if expected is None:
        assert found is None
        return
    site = CstSite(parse_cst(text), text)  # decided on the ast facts, built on libcst
    module = site.module
    expression, replacements = found.build(site)
    assert module.code_for_node(expression) == expected
    if added is not None:
        [(old, new)] = replacements
        assert module.code_for_node(new) == added
    elif "SGD" in header:  # extended in place, keeping the parenthesised layout
        [(old, new)] = replacements
        assert module.code_for_node(new) == "from tensorflow.keras.optimizers import (\n    SGD,\n    Adam,\n)"
    else:
        assert replacements == ()
