"""Import aliases and canonical Keras names.

`tf.keras.optimizers.Adam`, `tensorflow.keras.optimizers.legacy.Adam`, `tf.optimizers.Adam` and
`from keras.optimizers import Adam as A` all become `keras.optimizers.Adam`, so rules compare one
spelling. We resolve imports ourselves from the `ast` import statements: a training script's imports
are simple.
"""

from __future__ import annotations

import ast

# Prefixes that all mean "the Keras API" (Keras 2 in TF, Keras 3, tf_keras, TF internals).
_KERAS_PREFIXES = (
    "tensorflow.compat.v1.keras",
    "tensorflow.compat.v2.keras",
    "tensorflow.python.keras",
    "tensorflow.keras",
    "tensorflow._api.v2.keras",
    "keras.api._v2.keras",
    "keras.api",
    "keras.src",
    "keras_core",  # the Keras 3 preview package
    "tf_keras",
)
# TensorFlow shortcuts to Keras modules.
_TF_SHORTCUTS = {
    "tensorflow.optimizers": "keras.optimizers",
    "tensorflow.losses": "keras.losses",
    "tensorflow.metrics": "keras.metrics",
    "tensorflow.initializers": "keras.initializers",
}
# Keras sub-packages whose public names are reached through many internal module paths;
# everything under them is canonicalised to `<family>.<LastName>`.
_FAMILIES = (
    "keras.optimizers.schedules",
    "keras.layers",
    "keras.optimizers",
    "keras.callbacks",
    "keras.losses",
    "keras.metrics",
    "keras.activations",
    "keras.initializers",
)
_TOP_LEVEL = {
    "Sequential": "keras.Sequential",
    "Model": "keras.Model",
    "Input": "keras.Input",
}
_SKLEARN_MODULES = {
    "sklearn.preprocessing": "sklearn.preprocessing",
    "sklearn.model_selection": "sklearn.model_selection",
    "sklearn.cross_validation": "sklearn.model_selection",
}

RECURRENT_LAYERS = frozenset({
    "LSTM", "GRU", "SimpleRNN", "ConvLSTM1D", "ConvLSTM2D", "ConvLSTM3D", "CuDNNLSTM", "CuDNNGRU",
    "RNN",
})
RECURRENT_CELLS = frozenset({"LSTMCell", "GRUCell", "SimpleRNNCell", "StackedRNNCells"})
WRAPPER_LAYERS = frozenset({"Bidirectional", "TimeDistributed"})
SCALING_LAYERS = frozenset({"Normalization", "Rescaling", "BatchNormalization", "LayerNormalization"})

# What `from <module> import *` brings in, for the names rnnlint cares about.
_LAYER_EXPORTS = frozenset({
    *RECURRENT_LAYERS, *RECURRENT_CELLS, *WRAPPER_LAYERS, *SCALING_LAYERS,
    "Dense", "Dropout", "Embedding", "Input", "InputLayer", "Flatten", "Reshape", "Activation",
    "Conv1D", "Conv2D", "MaxPooling1D", "GlobalMaxPooling1D", "GlobalAveragePooling1D",
    "RepeatVector", "Concatenate", "concatenate", "Add", "add", "Attention", "MultiHeadAttention",
    "Masking", "SpatialDropout1D", "Lambda", "TextVectorization", "Layer", "LeakyReLU",
})
_OPTIMIZER_EXPORTS = frozenset({
    "Adam", "AdamW", "Adamax", "Nadam", "RMSprop", "SGD", "Adagrad", "Adadelta", "Ftrl", "Lion",
    "Lamb", "Adafactor", "Optimizer", "schedules",
})
_CALLBACK_EXPORTS = frozenset({
    "EarlyStopping", "ModelCheckpoint", "ReduceLROnPlateau", "TensorBoard", "CSVLogger",
    "LearningRateScheduler", "Callback", "History", "TerminateOnNaN", "LambdaCallback",
})
_SCALER_EXPORTS = frozenset({
    "StandardScaler", "MinMaxScaler", "RobustScaler", "MaxAbsScaler", "Normalizer",
    "QuantileTransformer", "PowerTransformer", "scale", "minmax_scale", "normalize",
    "LabelEncoder", "OneHotEncoder",
})
STAR_EXPORTS: dict[str, frozenset[str]] = {
    "keras.layers": _LAYER_EXPORTS,
    "keras.optimizers": _OPTIMIZER_EXPORTS,
    "keras.callbacks": _CALLBACK_EXPORTS,
    "keras.models": frozenset({"Sequential", "Model", "load_model", "clone_model"}),
    "keras": frozenset({
        "Sequential", "Model", "Input", "layers", "optimizers", "callbacks", "losses", "models",
        "utils", "backend", "metrics", "datasets",
    }),
    "sklearn.preprocessing": _SCALER_EXPORTS,
    "sklearn.model_selection": frozenset({
        "train_test_split", "KFold", "StratifiedKFold", "TimeSeriesSplit", "GroupKFold",
    }),
}


def dotted_name(node: ast.AST | None) -> str | None:
    """`a.b.c` for a Name/Attribute chain, else None."""
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if not isinstance(node, ast.Name):
        return None
    parts.append(node.id)
    return ".".join(reversed(parts))


def canonical(qualified: str) -> str:
    """The one spelling of a Keras/sklearn name; other names come back unchanged."""
    name = qualified
    for prefix in _KERAS_PREFIXES:
        if name == prefix or name.startswith(prefix + "."):
            name = "keras" + name[len(prefix):]
            break
    for prefix, target in _TF_SHORTCUTS.items():
        if name == prefix or name.startswith(prefix + "."):
            name = target + name[len(prefix):]
            break
    if name.startswith("keras."):
        last = name.rsplit(".", 1)[-1]
        if last in _TOP_LEVEL and (name.startswith("keras.models.") or name.startswith("keras.engine")
                                   or name in ("keras.layers.Input",) or name.count(".") == 1):
            return _TOP_LEVEL[last]
        for family in _FAMILIES:
            if name.startswith(family + ".") and name != family:
                # keras.optimizers.schedules.X must not collapse into keras.optimizers.X
                if family == "keras.optimizers" and ".schedules." in name:
                    continue
                return f"{family}.{last}"
        if last == "TimeseriesGenerator":
            return "keras.preprocessing.sequence.TimeseriesGenerator"
        if name.startswith("keras.preprocessing.sequence.pad_sequences") or name == "keras.utils.pad_sequences":
            return "keras.utils.pad_sequences"
        if last in ("timeseries_dataset_from_array", "normalize", "to_categorical", "set_random_seed"):
            return f"keras.utils.{last}"
        if last in ("load_model", "clone_model") and ".models" in name or name.startswith("keras.saving."):
            return f"keras.models.{last}"
        return name
    for module, target in _SKLEARN_MODULES.items():
        if name.startswith(module + "."):
            return f"{target}.{name.rsplit('.', 1)[-1]}"
    return name


def is_legacy_optimizer_path(qualified: str) -> bool:
    """True for `keras.optimizers.legacy.*` spellings (removed in Keras 3)."""
    return ".optimizers.legacy." in qualified


class ImportTable:
    """Local names bound by imports, mapped to the fully qualified names they stand for."""

    def __init__(self) -> None:
        self.aliases: dict[str, str] = {}
        self.star_modules: list[str] = []

    def add_import(self, node: ast.Import) -> None:
        for alias in node.names:
            full = alias.name
            if alias.asname is not None:
                self.aliases[alias.asname] = full
            else:
                root = full.split(".", 1)[0]
                self.aliases.setdefault(root, root)

    def add_import_from(self, node: ast.ImportFrom) -> None:
        if node.level or node.module is None:
            return
        module = node.module
        if any(alias.name == "*" for alias in node.names):
            self.star_modules.append(canonical(module))
            return
        for alias in node.names:
            local = alias.asname or alias.name
            self.aliases[local] = f"{module}.{alias.name}"

    def qualify(self, dotted: str) -> str | None:
        """The canonical qualified name of a dotted local reference, or None if not imported."""
        head, _, rest = dotted.partition(".")
        target = self.aliases.get(head)
        if target is None:
            for module in self.star_modules:
                if head in STAR_EXPORTS.get(module, ()):
                    target = f"{module}.{head}"
                    break
        if target is None:
            return None
        return canonical(f"{target}.{rest}" if rest else target)

    def raw(self, dotted: str) -> str | None:
        """The qualified name before canonicalisation (to see legacy spellings)."""
        head, _, rest = dotted.partition(".")
        target = self.aliases.get(head)
        if target is None:
            return None
        return f"{target}.{rest}" if rest else target
