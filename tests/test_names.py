"""One table for name resolution: every spelling of a Keras name resolves to one canonical name."""

from __future__ import annotations

import pytest

from rnnlint.facts.collect import ScriptFacts

CASES = [
    ("import tensorflow as tf", "tf.keras.optimizers.Adam()", "keras.optimizers.Adam"),
    ("import tensorflow", "tensorflow.keras.optimizers.Adam()", "keras.optimizers.Adam"),
    ("import keras", "keras.optimizers.Adam()", "keras.optimizers.Adam"),
    ("from tensorflow.keras.optimizers import Adam as A", "A()", "keras.optimizers.Adam"),
    ("import keras", "keras.optimizers.legacy.Adam()", "keras.optimizers.Adam"),
    ("import tensorflow as tf", "tf.keras.optimizers.legacy.Adam()", "keras.optimizers.Adam"),
    ("import tensorflow as tf", "tf.optimizers.Adam()", "keras.optimizers.Adam"),
    ("from tensorflow import keras", "keras.optimizers.RMSprop()", "keras.optimizers.RMSprop"),
    ("from keras import optimizers as opt", "opt.SGD()", "keras.optimizers.SGD"),
    ("import tensorflow.keras as K", "K.layers.LSTM(4)", "keras.layers.LSTM"),
    ("from keras.layers import *", "LSTM(4)", "keras.layers.LSTM"),
    ("from tensorflow.keras.layers import *", "Bidirectional(GRU(4))", "keras.layers.Bidirectional"),
    ("from keras.layers import LSTM as L", "L(4)", "keras.layers.LSTM"),
    ("from tensorflow.keras import layers", "layers.SimpleRNN(4)", "keras.layers.SimpleRNN"),
    ("from tensorflow.keras.layers.experimental import preprocessing",
     "preprocessing.Normalization()", "keras.layers.Normalization"),
    ("import tensorflow as tf", "tf.keras.models.Sequential()", "keras.Sequential"),
    ("from keras.models import Sequential", "Sequential()", "keras.Sequential"),
    ("import keras", "keras.Sequential()", "keras.Sequential"),
    ("from tensorflow.keras.models import Model", "Model()", "keras.Model"),
    ("import tensorflow as tf", "tf.keras.Input(shape=(1,))", "keras.Input"),
    ("from tensorflow.keras.layers import Input", "Input(shape=(1,))", "keras.Input"),
    ("import tensorflow as tf", "tf.keras.callbacks.EarlyStopping()", "keras.callbacks.EarlyStopping"),
    ("from keras.callbacks import EarlyStopping as ES", "ES()", "keras.callbacks.EarlyStopping"),
    ("import tensorflow as tf", "tf.keras.optimizers.schedules.ExponentialDecay(0.1, 10, 0.9)",
     "keras.optimizers.schedules.ExponentialDecay"),
    ("from keras.preprocessing.sequence import pad_sequences", "pad_sequences([])", "keras.utils.pad_sequences"),
    ("import tensorflow as tf", "tf.keras.utils.normalize(x)", "keras.utils.normalize"),
    ("from sklearn.preprocessing import MinMaxScaler", "MinMaxScaler()", "sklearn.preprocessing.MinMaxScaler"),
    ("from sklearn import preprocessing", "preprocessing.StandardScaler()", "sklearn.preprocessing.StandardScaler"),
    ("from sklearn.cross_validation import train_test_split", "train_test_split(x)",
     "sklearn.model_selection.train_test_split"),
    ("import tensorflow.compat.v1 as tf", "tf.keras.layers.GRU(3)", "keras.layers.GRU"),
    ("from tensorflow.python.keras.layers import CuDNNLSTM", "CuDNNLSTM(3)", "keras.layers.CuDNNLSTM"),
]


@pytest.mark.parametrize("imports, call, expected", CASES, ids=[c[1] + " / " + c[0] for c in CASES])
def test_qualified_name(imports, call, expected):
    facts = ScriptFacts.parse(f"{imports}\nvalue = {call}\n")
    calls = [site.node for site in facts.index.calls if site.node.func is not None]
    assert facts.qualname(calls[0]) == expected


def test_unimported_names_stay_unresolved():
    facts = ScriptFacts.parse("value = Adam()\nother = tf.keras.layers.LSTM(2)\n")
    assert [facts.qualname(site.node) for site in facts.index.calls] == [None, None]


def test_star_import_only_binds_known_exports():
    facts = ScriptFacts.parse("from keras.layers import *\nvalue = make_layers()\n")
    assert facts.qualname(facts.index.calls[0].node) is None
