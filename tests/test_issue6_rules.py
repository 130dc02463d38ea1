"""The RNN1xx/2xx/3xx rules added for issue 6: tables of small cases per rule (codes and lines, not
wording), and the ownership decisions between rules that look at the same code."""

from __future__ import annotations

import textwrap

import pytest

from rnnlint.engine import lint_source

TF = "import tensorflow as tf\nfrom tensorflow.keras import layers\n"
K3 = "import keras\nfrom keras import layers\n"


def findings(text: str, *codes: str):
    return [f for f in lint_source("t.py", textwrap.dedent(text)).findings if not codes or f.code in codes]


def lines(text: str, code: str) -> list[tuple[int, str]]:
    return [(f.span.line, f.severity.label) for f in findings(text, code)]


def model(head: str, body: str = "layers.LSTM(16)", imports: str = TF) -> str:
    prefix = "tf.keras" if imports == TF else "keras"
    return imports + (
        f"model = {prefix}.Sequential([layers.Input(shape=(20, 3)), {body}, {head}])\n")


# (output layers, compile arguments, expected case or None) -- the compile call is on line 4
LOSS_TABLE = [
    ('layers.Dense(1, activation="softmax")', 'loss="binary_crossentropy"', "softmax_single_unit"),
    ('layers.Dense(1, activation="sigmoid")', 'loss="categorical_crossentropy"', "categorical_single_unit"),
    ('layers.Dense(1)', 'loss="sparse_categorical_crossentropy"', "categorical_single_unit"),
    ('layers.Dense(4, "softmax")', 'loss="binary_crossentropy"', "binary_on_softmax"),
    ('layers.Dense(4, activation="sigmoid")', 'loss="categorical_crossentropy"', "categorical_on_sigmoid"),
    ('layers.Dense(4), layers.Activation("softmax")',
     'loss=tf.keras.losses.CategoricalCrossentropy(from_logits=True)', "logits_after_squashing"),
    ('layers.Dense(1, activation=tf.nn.sigmoid)',
     'loss=tf.keras.losses.BinaryCrossentropy(True)', "logits_after_squashing"),
    ('layers.Dense(4)', 'loss="categorical_crossentropy"', "cross_entropy_on_unbounded"),
    ('layers.Dense(1, activation="relu")', 'loss="binary_crossentropy"', "cross_entropy_on_unbounded"),
    ('layers.Dense(1, activation=None)', 'loss=tf.keras.losses.binary_crossentropy', "cross_entropy_on_unbounded"),
    ('layers.Dense(3, activation="softmax")', 'loss="mse"', "regression_on_softmax"),
    ('layers.Dense(1, activation="sigmoid")', 'loss=tf.keras.losses.Huber()', "regression_on_sigmoid"),
    ('layers.Dense(1)', 'loss="mae", metrics=["acc"]', "accuracy_on_regression"),
    ('layers.Dense(1, activation="sigmoid")', 'loss="mse", metrics=["accuracy"]', "regression_loss_on_classifier"),
    ('layers.Dense(5, activation="softmax")', 'loss="mse", metrics=["accuracy"]', "regression_loss_on_classifier"),
    # good pairs
    ('layers.Dense(1, activation="sigmoid")', 'loss="binary_crossentropy"', None),
    ('layers.Dense(4, activation="softmax")', 'loss="categorical_crossentropy"', None),
    ('layers.Dense(4), layers.Softmax()', 'loss="sparse_categorical_crossentropy"', None),
    ('layers.Dense(4)', 'loss=tf.keras.losses.SparseCategoricalCrossentropy(from_logits=True)', None),
    ('layers.Dense(1)', 'loss=tf.keras.losses.BinaryCrossentropy(from_logits=True)', None),
    ('layers.Dense(4, activation="sigmoid")', 'loss="binary_crossentropy"', None),  # multi-label
    ('layers.Dense(2, activation="softmax")', 'loss="binary_crossentropy"', None),  # same as categorical
    ('layers.Dense(1)', 'loss="mse", metrics=["mae"]', None),
    ('layers.Dense(1, activation=ACT)', 'loss="binary_crossentropy"', None),  # unknown activation
]


@pytest.mark.parametrize("head, arguments, case", LOSS_TABLE, ids=[f"{h}|{a}" for h, a, _ in LOSS_TABLE])
def test_loss_activation_table(head, arguments, case):
    text = model(head) + f"model.compile(optimizer=tf.keras.optimizers.Adam(clipnorm=1.0), {arguments})\n"
    got = [f.data.get("case") for f in findings(text, "RNN106")]
    assert got == ([case] if case else []), [f.message for f in findings(text, "RNN106")]


def test_loss_through_variable_and_functional_output():
    text = """\
    import keras
    from keras import layers

    LOSS = "categorical_crossentropy"
    inputs = keras.Input(shape=(20, 3))
    x = layers.GRU(8)(inputs)
    x = layers.Dense(1)(x)
    outputs = layers.Activation("sigmoid")(x)
    model = keras.Model(inputs=inputs, outputs=outputs)
    model.compile(optimizer=keras.optimizers.Adam(clipnorm=1.0), loss=LOSS)
    """
    assert lines(text, "RNN106") == [(10, "error")]


def test_subclassed_output_through_non_layer_op_is_not_judged():
    text = """\
    import tensorflow as tf

    class M(tf.keras.Model):
        def __init__(self):
            super().__init__()
            self.rnn = tf.keras.layers.LSTM(8)
            self.out = tf.keras.layers.Dense(3)

        def call(self, x):
            return tf.nn.softmax(self.out(self.rnn(x)))

    model = M()
    model.compile(optimizer=tf.keras.optimizers.Adam(clipnorm=1.0), loss="categorical_crossentropy")
    """
    assert lines(text, "RNN106") == []


@pytest.mark.parametrize("layers_text, expected", [
    ("layers.LSTM(8), layers.LSTM(8)", [(3, "error")]),
    ("layers.LSTM(8, return_sequences=False), layers.Dropout(0.1), layers.GRU(8)", [(3, "error")]),
    ("layers.LSTM(8, return_sequences=True), layers.GRU(8)", []),
    ("layers.LSTM(8), layers.RepeatVector(4), layers.GRU(8)", []),
    ("layers.LSTM(8, return_sequences=FLAG), layers.GRU(8)", []),  # unknown: not judged
])
def test_stacked_recurrent_table(layers_text, expected):
    text = model("layers.Dense(1)", layers_text)
    assert lines(text, "RNN105") == expected


@pytest.mark.parametrize("layer, expected", [
    ("layers.LSTM(8, recurrent_dropout=0.2)", [(3, "info")]),
    ("layers.GRU(8, reset_after=False)", [(3, "info")]),
    ("layers.LSTM(8, use_bias=False)", [(3, "info")]),
    ("layers.LSTM(8, dropout=0.2, go_backwards=True)", []),
    ('layers.LSTM(8, activation="tanh", recurrent_activation="sigmoid")', []),
    ("layers.RNN(layers.LSTMCell(8))", [(3, "info")]),
])
def test_cudnn_table(layer, expected):
    assert lines(model("layers.Dense(1)", layer), "RNN107") == expected


@pytest.mark.parametrize("code, expected", [
    ("opt = tf.keras.optimizers.Adam(lr=0.01)", [(3, "warning")]),
    ("opt = tf.keras.optimizers.Adam(learning_rate=0.01, decay=1e-4)", [(3, "warning")]),
    ("opt = tf.keras.optimizers.Adam(learning_rate=0.01, decay=0)", []),
    ("opt = tf.keras.optimizers.legacy.Adam(lr=0.01, decay=1e-4)", []),  # tf.keras legacy accepts both
])
def test_legacy_optimizer_argument_table(code, expected):
    assert lines(TF + code + "\n", "RNN110") == expected


# -- ownership: one owner per problem on a line ------------------------------------------------

def test_unbounded_activation_belongs_to_relu_rule_not_cudnn():
    text = model("layers.Dense(1)", 'layers.LSTM(8, activation="relu")')
    assert lines(text, "RNN103") == [(3, "warning")]
    assert lines(text, "RNN107") == []


def test_cudnn_lists_only_the_other_reasons_next_to_relu():
    text = model("layers.Dense(1)", 'layers.LSTM(8, activation="relu", unroll=True)')
    (finding,) = findings(text, "RNN107")
    assert "unroll=True" in finding.message and "relu" not in finding.message


def test_clipping_lowers_relu_severity_but_never_silences_it():
    text = model("layers.Dense(1)", 'layers.GRU(8, activation="elu")') + \
        'model.compile(optimizer=tf.keras.optimizers.Adam(clipnorm=1.0), loss="mse")\n'
    assert lines(text, "RNN103") == [(3, "info")]


def test_lr_keyword_and_its_value_have_separate_owners():
    text = TF + "opt = tf.keras.optimizers.Adam(lr=0.5)\n"
    (spelling,) = findings(text, "RNN110")
    (value,) = findings(text, "RNN102")
    assert spelling.span.line == value.span.line == 3
    assert spelling.span.end_column <= value.span.column  # `lr` here, `0.5` there: no overlap
    assert spelling.fix is not None


def test_keras3_legacy_optimizer_module_belongs_to_legacy_api():
    text = K3 + "opt = keras.optimizers.legacy.Adam(lr=0.001)\n"
    assert lines(text, "RNN111") == [(3, "warning")]
    assert lines(text, "RNN110") == []


def test_backend_learning_rate_belongs_to_legacy_api():
    text = TF + "tf.keras.backend.set_value(model.optimizer.lr, 1e-4)\n"
    assert lines(text, "RNN111") == [(3, "warning")]
    assert lines(text, "RNN110") == []


ES_HEAD = model('layers.Dense(1, activation="sigmoid")') + (
    'model.compile(optimizer=tf.keras.optimizers.Adam(clipnorm=1.0), loss="binary_crossentropy", '
    'metrics=["accuracy"])\n')


@pytest.mark.parametrize("callback, fit_arguments, owner", [
    ('EarlyStopping(monitor="val_acc")', "", "RNN303"),
    ('EarlyStopping(monitor="val_acc")', "validation_split=0.2", "RNN304"),
    ('EarlyStopping(monitor="val_accuracy")', "validation_split=0.2", "RNN305"),
    ('EarlyStopping(monitor="val_accuracy", restore_best_weights=True)', "validation_split=0.2", None),
])
def test_one_early_stopping_finding_per_callback(callback, fit_arguments, owner):
    text = ES_HEAD + f"stop = tf.keras.callbacks.{callback}\n" + \
        f"model.fit(X, y, epochs=5, callbacks=[stop], {fit_arguments})\n"
    got = [f.code for f in findings(text, "RNN303", "RNN304", "RNN305")]
    assert got == ([owner] if owner else [])


def test_softmax_on_one_unit_is_one_finding_not_two():
    text = model('layers.Dense(1, activation="softmax")') + \
        'model.compile(optimizer=tf.keras.optimizers.Adam(clipnorm=1.0), loss="categorical_crossentropy")\n'
    assert [f.data.get("case") for f in findings(text, "RNN106")] == ["softmax_single_unit"]


# -- data and loop rules -------------------------------------------------------------------------

def test_windows_split_without_shuffle_or_split_before_windowing_are_fine():
    text = """\
    import numpy as np
    from sklearn.model_selection import train_test_split

    series = np.load("s.npy")
    train, test = train_test_split(series, test_size=0.2, shuffle=False)
    X = np.array([train[i:i + 10] for i in range(len(train) - 10)])
    a, b = train_test_split(X, test_size=0.2, shuffle=False)
    """
    assert lines(text, "RNN203") == []


def test_timeseries_generator_windows_are_recognised():
    text = """\
    import numpy as np
    from sklearn.model_selection import train_test_split
    from tensorflow.keras.preprocessing.sequence import TimeseriesGenerator

    gen = TimeseriesGenerator(np.load("s.npy"), np.load("t.npy"), length=10)
    X = np.array([gen[i][0] for i in range(len(gen))])
    X_train, X_test = train_test_split(X, test_size=0.2)
    """
    assert lines(text, "RNN203") == [(7, "error")]


def test_stateful_with_reset_loop_is_fine_and_stateless_shuffle_is_fine():
    text = TF + """\
model = tf.keras.Sequential([layers.Input(batch_shape=(1, 5, 1)), layers.LSTM(4, stateful=True), layers.Dense(1)])
for epoch in range(5):
    model.fit(X, y, epochs=1, batch_size=1, shuffle=False)
    model.reset_states()
"""
    assert lines(text, "RNN306") == []


STATEFUL = TF + """\
model = tf.keras.Sequential([layers.Input(batch_shape=(8, 5, 1)), layers.GRU(4, stateful=True), layers.Dense(1)])
"""


def test_stateful_dataset_pipeline_shuffle_is_reported_at_the_shuffle_call():
    text = STATEFUL + """\
ds = tf.data.Dataset.from_tensor_slices((X, y))
ds = ds.shuffle(1000).batch(8, drop_remainder=True)
for epoch in range(3):
    model.fit(ds, epochs=1)
    model.reset_states()
"""
    assert [(f.span.line, f.data.get("case")) for f in findings(text, "RNN306")] == [(5, "dataset_shuffle")]


def test_stateful_generator_input_is_not_judged_for_shuffling():
    text = STATEFUL + """\
def batches():
    while True:
        yield X[:8], y[:8]

model.fit(batches(), steps_per_epoch=10, epochs=1)
model.reset_states()
"""
    assert lines(text, "RNN306") == []


@pytest.mark.parametrize("data, expected", [
    ("X = keras.utils.pad_sequences(seqs, maxlen=400)", [(5, "warning")]),
    ("X = raw.reshape((len(raw), 250, 1))", [(5, "warning")]),
    ("X = raw.reshape(-1, 250, 1)", [(5, "warning")]),
    ("X = raw.reshape((len(raw), 30, 1))", []),
    ("X = load_whatever()", []),
])
def test_simple_rnn_timesteps_from_the_data(data, expected):
    text = K3 + f"{data}\n" + """\
model = keras.Sequential([
    layers.SimpleRNN(16),
    layers.Dense(1),
])
model.fit(X, y, epochs=3)
"""
    assert lines(text, "RNN104") == expected


def test_owned_problems_never_share_a_line_in_any_fixture():
    """Over every fixture: one EarlyStopping finding per line, RNN107 never repeats RNN103's activation,
    and a keras.optimizers.legacy constructor is RNN111's alone."""
    from rnnlint.engine import lint_file
    from rnnlint.facts.records import UNBOUNDED_ACTIVATIONS
    from tests.conftest import FIXTURES

    for path in sorted((FIXTURES / "static").rglob("*.py")):
        by_line: dict[int, list] = {}
        for finding in lint_file(path).findings:
            by_line.setdefault(finding.span.line, []).append(finding)
        for line, found in by_line.items():
            codes = [f.code for f in found]
            assert sum(code in ("RNN303", "RNN304", "RNN305") for code in codes) <= 1, (path, line, codes)
            for finding in found:
                if finding.code == "RNN107":
                    assert not any(f'activation="{name}"' in finding.message for name in UNBOUNDED_ACTIVATIONS)
                if finding.code == "RNN111" and finding.data.get("api") == "legacy_optimizers":
                    assert "RNN110" not in codes, (path, line)


def test_stateful_model_rebuilt_in_each_loop_pass_needs_no_reset():
    text = TF + """\
for units in (4, 8):
    model = tf.keras.Sequential([layers.Input(batch_shape=(1, 5, 1)), layers.LSTM(units, stateful=True),
                                 layers.Dense(1)])
    model.fit(X, y, epochs=1, batch_size=1, shuffle=False)
"""
    assert lines(text, "RNN306") == []


def test_evaluation_repros_of_round_two():
    """The evaluation's repros (evaluation/repros2): fixed misses fire, fixed false alarms stay silent."""
    from pathlib import Path

    from rnnlint.engine import lint_file
    folder = Path(__file__).resolve().parent.parent / "evaluation" / "repros2"
    if not folder.is_dir():
        pytest.skip("no evaluation repros in this checkout")

    def codes(name):
        return {f.code for f in lint_file(folder / name).findings}

    assert "RNN106" in codes("fn_rnn106_functional_concatenate_output.py")
    assert "RNN111" in codes("fn_rnn111_fit_generator_model_from_helper.py")
    assert "RNN204" in codes("fn_rnn204_target_inside_timeseries_dataset.py")
    assert "RNN306" in codes("fn_rnn306_x_from_train_test_split.py")
    assert "RNN205" not in codes("fp_rnn205_shuffled_index_array.py")
    assert "RNN304" not in codes("d_rnn304_val_acc_standalone_keras2.py")
    found = [f for f in lint_file(folder / "fp_rnn106_accuracy_on_sigmoid_mse.py").findings if f.code == "RNN106"]
    assert [f.data.get("case") for f in found] == ["regression_loss_on_classifier"]


def test_val_acc_with_accuracy_is_reported_under_tf_keras():
    text = ES_HEAD + 'stop = tf.keras.callbacks.EarlyStopping(monitor="val_acc", restore_best_weights=True)\n' + \
        "model.fit(X, y, epochs=5, callbacks=[stop], validation_split=0.2)\n"
    assert lines(text, "RNN304") == [(5, "warning")]
