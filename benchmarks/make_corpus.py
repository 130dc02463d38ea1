"""Build the benchmark corpus under benchmarks/corpus/, reproducibly (seeded), from nothing downloaded.

    python benchmarks/make_corpus.py [--count 3000] [--seed 7]

Layout (the folder is git-ignored and rebuilt from scratch each time):

    corpus/fixtures/   the repository's fixtures/**/*.py, copied
    corpus/generated/  realistic Keras RNN training scripts, 50-1,500 lines, from the templates below
    corpus/keras_src/  the installed Keras package's own source (keras/src/**.py): real Python
    corpus/scaling/    lines_<N>.py, N = 100 ... 20,000, concatenated generated scripts
    corpus/MANIFEST    one line per file: kind, lines, bytes, sha256 prefix (to prove reproducibility)

The generator varies what a linter of training scripts meets in the wild: import styles (tf.keras,
keras 3, `from tensorflow import keras`, direct names, star imports, aliases), model styles
(Sequential list / .add, functional, subclassed, built in a function), recurrent layers (LSTM, GRU,
SimpleRNN, Bidirectional, stacked), data pipelines (pandas CSV + scalers + windows, tf.data, text with
Tokenizer / pad_sequences / Embedding, synthetic numpy), optimizer-comparison loops, custom
GradientTape loops, argparse configs, and realistic padding (plotting, evaluation, I/O helpers).
About half of the scripts carry at least one mistake the rules look for, so the position stage runs.
"""

from __future__ import annotations

import argparse
import ast
import hashlib
import math
import random
import shutil
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
CORPUS = HERE / "corpus"
SCALING_SIZES = (100, 300, 1000, 3000, 10000, 20000)


def keras_source_dir() -> Path:
    """The installed Keras package's source folder (keras/src), found without importing keras."""
    for entry in sys.path:
        candidate = Path(entry) / "keras" / "src"
        if candidate.is_dir():
            return candidate
    for candidate in sorted(ROOT.glob(".venv/lib/python3*/site-packages/keras/src")):
        return candidate
    raise SystemExit("make_corpus: keras/src not found; run with the project's venv python")


# ---------------------------------------------------------------------------------------------
# import styles: how a script spells Keras names


class Style:
    """One way of importing Keras; `ref(kind, name)` spells a class the way this script would."""

    def __init__(self, rng: random.Random) -> None:
        self.kind = rng.choice(["tf", "tf", "keras3", "from_tf", "direct", "direct", "star", "alias",
                                "alias_parts"])
        self.tf_alias = "tf"
        self.alias = rng.choice(["K", "tfk", "kr"])

    def imports(self, used: dict[str, set[str]], needs_tf: bool, text_pipeline: bool) -> list[str]:
        lines = []
        k = self.kind
        if k == "tf" or needs_tf:
            lines.append("import tensorflow as tf")
        if k == "keras3":
            lines += ["import keras", "from keras import layers"]
        elif k == "from_tf":
            lines += ["from tensorflow import keras", "from tensorflow.keras import layers"]
        elif k == "direct":
            for module in ("layers", "models", "optimizers", "callbacks", "losses"):
                group = module
                names = sorted(used.get(group, ()))
                if names:
                    lines.append(f"from tensorflow.keras.{module} import {', '.join(names)}")
        elif k == "star":
            for group in ("layers", "models", "optimizers", "callbacks", "losses"):
                if used.get(group):
                    lines.append(f"from tensorflow.keras.{group} import *")
        elif k == "alias":
            lines.append(f"import tensorflow.keras as {self.alias}")
        elif k == "alias_parts":
            lines.append("from keras import layers as L, models as M, optimizers as O, callbacks as C"
                         + (", losses as LS" if used.get("losses") else ""))
        if text_pipeline:
            if k == "keras3":
                lines.append("from keras.utils import pad_sequences")
                lines.append("from tensorflow.keras.preprocessing.text import Tokenizer")
            else:
                lines.append("from tensorflow.keras.preprocessing.text import Tokenizer")
                lines.append("from tensorflow.keras.preprocessing.sequence import pad_sequences")
        return lines

    def ref(self, group: str, name: str) -> str:
        k = self.kind
        if group == "models" and name in ("Sequential", "Model", "Input") and k in ("keras3", "from_tf"):
            return f"keras.{name}" if name != "Input" else "keras.Input"
        if k == "tf":
            return f"tf.keras.{group}.{name}"
        if k in ("keras3", "from_tf"):
            return f"layers.{name}" if group == "layers" else f"keras.{group}.{name}"
        if k in ("direct", "star"):
            return name
        if k == "alias":
            return f"{self.alias}.{group}.{name}"
        short = {"layers": "L", "models": "M", "optimizers": "O", "callbacks": "C", "losses": "LS"}[group]
        return f"{short}.{name}"


class Names:
    """Collects the Keras names a script uses (direct-import styles must import exactly those)."""

    def __init__(self, style: Style) -> None:
        self.style = style
        self.used: dict[str, set[str]] = {}

    def __call__(self, group: str, name: str) -> str:
        if group == "models" and name == "Input":
            group = "layers"
        self.used.setdefault(group, set()).add(name)
        return self.style.ref(group, name)


# ---------------------------------------------------------------------------------------------
# pieces of a script


def pick_lr(rng: random.Random, bad: bool) -> str:
    if bad:
        return rng.choice(["0.5", "1.0", "0.3", "2e-1"])
    return rng.choice(["1e-3", "0.001", "3e-4", "5e-4", "0.0005", "1e-4", "0.002"])


def data_pipeline(rng, kind, n, bad) -> tuple[list[str], dict]:
    """Lines that load and prepare data; returns the lines and what the model needs to know."""
    info = {"timesteps": rng.choice([10, 20, 30, 48, 60, 100, 200]), "features": rng.choice([1, 3, 4, 8, 16]),
            "task": "regression", "classes": 1, "val": "split", "series": False, "embed": False}
    lines: list[str] = []
    if kind == "csv":
        info["series"] = True
        scaler = rng.choice(["MinMaxScaler", "StandardScaler", "RobustScaler"])
        column = rng.choice(["close", "value", "load_mw", "temperature", "sales", "price"])
        csv = rng.choice(["data/prices.csv", "energy.csv", "train.csv", "series/household_power.csv"])
        lines += [
            f"df = pd.read_csv({csv!r}, parse_dates=['date'], index_col='date')",
            "df = df.sort_index()",
            f"df = df.dropna(subset=[{column!r}])",
            f"values = df[[{column!r}]].values.astype('float32')",
            f"split = int(len(values) * {rng.choice(['0.8', '0.7', '0.85', '0.9'])})",
            "train_values, test_values = values[:split], values[split:]",
            "",
            f"scaler = {scaler}()",
        ]
        if bad and rng.random() < 0.5:
            lines += ["scaler.fit(values)",
                      "train_scaled = scaler.transform(train_values)",
                      "test_scaled = scaler.transform(test_values)"]
        elif bad:
            lines += ["train_scaled = scaler.fit_transform(train_values)",
                      "test_scaled = scaler.fit_transform(test_values)"]
        else:
            lines += ["train_scaled = scaler.fit_transform(train_values)",
                      "test_scaled = scaler.transform(test_values)"]
        lines += [
            "",
            "",
            "def create_windows(series, window):",
            "    xs, ys = [], []",
            "    for i in range(len(series) - window):",
            "        xs.append(series[i:i + window])",
            "        ys.append(series[i + window])",
            "    return np.array(xs), np.array(ys)",
            "",
            "",
            f"WINDOW = {info['timesteps']}",
            "X_train, y_train = create_windows(train_scaled, WINDOW)",
            "X_test, y_test = create_windows(test_scaled, WINDOW)",
        ]
        info["features"] = 1
        info["timesteps_expr"] = "WINDOW"
        if rng.random() < 0.3:
            shuffle = "True" if bad else "False"
            lines += [f"X_train, X_val, y_train, y_val = train_test_split(X_train, y_train, test_size=0.2, "
                      f"shuffle={shuffle})"]
            info["val"] = "data"
        info["imports"] = ["import numpy as np", "import pandas as pd",
                           f"from sklearn.preprocessing import {scaler}"]
        if info["val"] == "data":
            info["imports"].append("from sklearn.model_selection import train_test_split")
    elif kind == "tfdata":
        info["series"] = rng.random() < 0.5
        lines += [
            f"TIMESTEPS, FEATURES = {info['timesteps']}, {info['features']}",
            f"x_all = np.random.rand({rng.choice([2000, 5000, 10000])}, TIMESTEPS, FEATURES).astype('float32')",
            "y_all = x_all[:, -1, 0] * 0.5 + np.random.normal(scale=0.1, size=len(x_all))",
            "n_train = int(0.8 * len(x_all))",
            "train_ds = tf.data.Dataset.from_tensor_slices((x_all[:n_train], y_all[:n_train]))",
            f"train_ds = train_ds.shuffle({rng.choice([1000, 10000])}).batch(BATCH_SIZE).prefetch(tf.data.AUTOTUNE)",
            "val_ds = tf.data.Dataset.from_tensor_slices((x_all[n_train:], y_all[n_train:])).batch(BATCH_SIZE)",
        ]
        info["timesteps_expr"], info["features_expr"] = "TIMESTEPS", "FEATURES"
        info["val"] = "dataset"
        info["imports"] = ["import numpy as np"]
        info["needs_tf"] = True
    elif kind == "text":
        info["embed"] = True
        info["task"] = rng.choice(["binary", "multiclass"])
        info["classes"] = 1 if info["task"] == "binary" else rng.choice([3, 5, 20])
        vocab, maxlen = rng.choice([5000, 10000, 20000]), rng.choice([100, 200, 300, 500])
        lines += [
            f"VOCAB_SIZE = {vocab}",
            f"MAXLEN = {maxlen}",
            f"df = pd.read_csv({rng.choice(['reviews.csv', 'data/tweets.csv', 'imdb_train.csv'])!r})",
            "texts = df['text'].astype(str).str.lower().tolist()",
            "labels = df['label'].values",
            "tokenizer = Tokenizer(num_words=VOCAB_SIZE, oov_token='<OOV>')",
            "tokenizer.fit_on_texts(texts)",
            "sequences = tokenizer.texts_to_sequences(texts)",
            "padded = pad_sequences(sequences, maxlen=MAXLEN, padding='post', truncating='post')",
            "X_train, X_test, y_train, y_test = train_test_split(padded, labels, test_size=0.2, random_state=42)",
        ]
        info["timesteps_expr"] = "MAXLEN"
        info["imports"] = ["import numpy as np", "import pandas as pd",
                           "from sklearn.model_selection import train_test_split"]
        info["text"] = True
    else:  # synthetic
        info["series"] = True
        lines += [
            f"TIMESTEPS = {info['timesteps']}",
            f"t = np.linspace(0, {rng.choice([50, 100, 200])}, {rng.choice([3000, 5000, 8000])})",
            "signal = np.sin(t) + 0.1 * np.random.randn(len(t))",
            "X = np.array([signal[i:i + TIMESTEPS] for i in range(len(signal) - TIMESTEPS)])[..., None]",
            "y = signal[TIMESTEPS:]",
            "cut = int(0.8 * len(X))",
            "X_train, X_test, y_train, y_test = X[:cut], X[cut:], y[:cut], y[cut:]",
        ]
        info["features"] = 1
        info["timesteps_expr"] = "TIMESTEPS"
        info["imports"] = ["import numpy as np"]
    return lines, info


def recurrent(rng, names, kind, units, last, bad, index) -> str:
    kwargs = [str(units)]
    if not last:
        kwargs.append("return_sequences=True")
    if bad and rng.random() < 0.3:
        kwargs.append("activation='relu'")
    if rng.random() < 0.2:
        kwargs.append(f"recurrent_dropout={rng.choice(['0.1', '0.2'])}")
    if rng.random() < 0.3:
        kwargs.append(f"dropout={rng.choice(['0.1', '0.2', '0.3'])}")
    if rng.random() < 0.2:
        kwargs.append(f"name='rnn_{index}'")
    core = names("layers", kind) + f"({', '.join(kwargs)})"
    if rng.random() < 0.25:
        return names("layers", "Bidirectional") + f"({core})"
    return core


def head(rng, names, info, bad) -> tuple[str, str]:
    task = info["task"]
    if task == "regression":
        return names("layers", "Dense") + "(1)", rng.choice(["'mse'", "'mae'", "'huber'", "'mean_squared_error'"])
    if task == "binary":
        if bad and rng.random() < 0.3:
            return names("layers", "Dense") + "(1)", "'binary_crossentropy'"
        return names("layers", "Dense") + "(1, activation='sigmoid')", "'binary_crossentropy'"
    act = "'softmax'" if not (bad and rng.random() < 0.3) else "'sigmoid'"
    return (names("layers", "Dense") + f"({info['classes']}, activation={act})",
            rng.choice(["'sparse_categorical_crossentropy'", "'sparse_categorical_crossentropy'",
                        "'categorical_crossentropy'"]))


def model_lines(rng, names, info, bad, style_kind) -> tuple[list[str], list[str]]:
    """(lines building `model`, class definitions to put at module level)."""
    rnn = rng.choice(["LSTM", "LSTM", "GRU", "SimpleRNN", "LSTM", "GRU"])
    depth = rng.choice([1, 1, 2, 2, 3])
    units = [rng.choice([16, 32, 50, 64, 100, 128, 256]) for _ in range(depth)]
    timesteps = info.get("timesteps_expr", str(info["timesteps"]))
    features = info.get("features_expr", str(info["features"]))
    shape = f"({timesteps},)" if info["embed"] else f"({timesteps}, {features})"
    dense_out, loss = head(rng, names, info, bad)
    info["loss"] = loss
    layers = []
    if info["embed"]:
        layers.append(names("layers", "Embedding") + f"(VOCAB_SIZE, {rng.choice([32, 64, 128])})")
    for i, u in enumerate(units):
        last = i == depth - 1
        if bad and not last and rng.random() < 0.2:  # stacked without return_sequences
            layers.append(names("layers", rnn) + f"({u})")
        else:
            layers.append(recurrent(rng, names, rnn, u, last, bad, i))
        if rng.random() < 0.5:
            rate = "0.7" if bad and rng.random() < 0.3 else rng.choice(["0.1", "0.2", "0.3", "0.25"])
            layers.append(names("layers", "Dropout") + f"({rate})")
    if rng.random() < 0.4:
        layers.append(names("layers", "Dense") + f"({rng.choice([16, 32, 64])}, activation='relu')")
    layers.append(dense_out)
    style = rng.choice(["list", "list", "add", "functional", "subclassed"])
    lines: list[str] = []
    classes: list[str] = []
    if style == "list":
        inp = names("layers", "Input") + f"(shape={shape})"
        body = ([f"    {inp},"] if rng.random() < 0.6 else []) + [f"    {layer}," for layer in layers]
        lines += [f"model = {names('models', 'Sequential')}(["] + body + ["])"]
    elif style == "add":
        lines.append(f"model = {names('models', 'Sequential')}()")
        lines.append(f"model.add({names('layers', 'Input')}(shape={shape}))")
        lines += [f"model.add({layer})" for layer in layers]
    elif style == "functional":
        lines.append(f"inputs = {names('layers', 'Input')}(shape={shape})")
        lines.append(f"x = {layers[0]}(inputs)")
        for layer in layers[1:-1]:
            lines.append(f"x = {layer}(x)")
        lines.append(f"outputs = {layers[-1]}(x)")
        lines.append(f"model = {names('models', 'Model')}(inputs=inputs, outputs=outputs)")
    else:
        cls = rng.choice(["Forecaster", "SequenceClassifier", "RNNModel", "StackedRecurrentNet"])
        classes += [f"class {cls}({names('models', 'Model')}):",
                    f'    """{rnn} network ({depth} recurrent layer(s))."""',
                    "",
                    "    def __init__(self, **kwargs):",
                    "        super().__init__(**kwargs)"]
        attrs = []
        for i, layer in enumerate(layers):
            attrs.append(f"layer_{i}")
            classes.append(f"        self.layer_{i} = {layer}")
        classes += ["", "    def call(self, inputs, training=False):", "        x = inputs"]
        for a in attrs:
            classes.append(f"        x = self.{a}(x)")
        classes += ["        return x", "", ""]
        lines.append(f"model = {cls}()")
    return lines, classes


def optimizer_expr(rng, names, bad) -> str:
    name = rng.choice(["Adam", "Adam", "Adam", "RMSprop", "SGD", "Nadam", "Adagrad"])
    if rng.random() < 0.15:
        return f"'{name.lower()}'"
    kwargs = []
    key = "lr" if bad and rng.random() < 0.3 else "learning_rate"
    kwargs.append(f"{key}={pick_lr(rng, bad and rng.random() < 0.5)}")
    if name == "SGD" and (not bad or rng.random() < 0.5):
        kwargs.append(f"momentum={rng.choice(['0.9', '0.95'])}")
    if rng.random() < (0.25 if bad else 0.6):
        kwargs.append(rng.choice(["clipnorm=1.0", "clipvalue=0.5", "global_clipnorm=1.0", "clipnorm=5.0"]))
    return names("optimizers", name) + f"({', '.join(kwargs)})"


def callbacks_lines(rng, names, bad, info) -> tuple[list[str], str | None]:
    if bad and rng.random() < 0.5:
        return [], None
    cbs = []
    lines = []
    monitor = rng.choice(["'val_loss'", "'val_loss'", "'loss'", "'val_accuracy'"])
    restore = "True" if not bad or rng.random() < 0.5 else "False"
    lines.append(f"early_stop = {names('callbacks', 'EarlyStopping')}(monitor={monitor}, "
                 f"patience={rng.choice([3, 5, 10, 20])}, restore_best_weights={restore})")
    cbs.append("early_stop")
    if rng.random() < 0.4:
        lines.append(f"checkpoint = {names('callbacks', 'ModelCheckpoint')}('best_model.keras', "
                     "monitor='val_loss', save_best_only=True)")
        cbs.append("checkpoint")
    if rng.random() < 0.3:
        lines.append(f"reduce_lr = {names('callbacks', 'ReduceLROnPlateau')}(monitor='val_loss', factor=0.5, "
                     f"patience={rng.choice([2, 3, 5])}, min_lr=1e-6)")
        cbs.append("reduce_lr")
    return lines, "[" + ", ".join(cbs) + "]"


def fit_call(rng, info, cbs, bad, epochs="EPOCHS", batch="BATCH_SIZE", target="model") -> list[str]:
    if info["val"] == "dataset":
        args = ["train_ds", "validation_data=val_ds", f"epochs={epochs}"]
    else:
        args = ["X_train", "y_train", f"epochs={epochs}", f"batch_size={batch}"]
        if info["val"] == "data":
            args.append("validation_data=(X_val, y_val)")
        elif not (bad and rng.random() < 0.3):
            args.append(f"validation_split={rng.choice(['0.1', '0.2', '0.15'])}")
        if info["series"]:
            args.append("shuffle=False" if not bad or rng.random() < 0.5 else "shuffle=True")
    if cbs:
        args.append(f"callbacks={cbs}")
    args.append(f"verbose={rng.choice([0, 1, 2])}")
    return [f"history = {target}.fit("] + [f"    {a}," for a in args] + [")"]


# ---------------------------------------------------------------------------------------------
# padding: the helpers real training scripts grow (each a template; {i} makes names unique)

HELPERS = [
    '''def plot_history{i}(history, path="loss{i}.png"):
    """Plot training and validation loss curves."""
    plt.figure(figsize=(10, 4))
    plt.plot(history.history["loss"], label="train")
    if "val_loss" in history.history:
        plt.plot(history.history["val_loss"], label="validation")
    plt.xlabel("epoch")
    plt.ylabel("loss")
    plt.title("Training history")
    plt.legend()
    plt.grid(True, alpha=0.3)
    plt.tight_layout()
    plt.savefig(path)
    plt.close()
''',
    '''def plot_predictions{i}(y_true, y_pred, n={n}, path="predictions{i}.png"):
    """Overlay the first n predictions on the ground truth."""
    fig, ax = plt.subplots(figsize=(12, 5))
    ax.plot(np.asarray(y_true)[:n], label="actual", linewidth=1.5)
    ax.plot(np.asarray(y_pred)[:n], label="predicted", linestyle="--")
    ax.set_xlabel("time step")
    ax.set_ylabel("value")
    ax.legend(loc="upper right")
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return path
''',
    '''def regression_metrics{i}(y_true, y_pred):
    """RMSE, MAE, MAPE and R^2 of a forecast."""
    y_true = np.asarray(y_true).ravel()
    y_pred = np.asarray(y_pred).ravel()
    errors = y_true - y_pred
    rmse = float(np.sqrt(np.mean(errors ** 2)))
    mae = float(np.mean(np.abs(errors)))
    denominator = np.where(np.abs(y_true) < 1e-8, 1e-8, y_true)
    mape = float(np.mean(np.abs(errors / denominator)) * 100)
    ss_res = float(np.sum(errors ** 2))
    ss_tot = float(np.sum((y_true - y_true.mean()) ** 2)) or 1.0
    return {{"rmse": rmse, "mae": mae, "mape": mape, "r2": 1 - ss_res / ss_tot}}
''',
    '''def save_results{i}(results, path="results{i}.json"):
    """Write a run's metrics and settings as JSON next to the checkpoints."""
    payload = {{key: (float(value) if isinstance(value, (np.floating, float)) else value)
               for key, value in results.items()}}
    os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
    with open(path, "w", encoding="utf-8") as handle:
        json.dump(payload, handle, indent=2, sort_keys=True)
    logging.info("saved %d results to %s", len(payload), path)
    return path
''',
    '''def set_seed{i}(seed={n}):
    """Make runs repeatable (as far as the backend allows)."""
    random.seed(seed)
    np.random.seed(seed)
    os.environ["PYTHONHASHSEED"] = str(seed)
''',
    '''def moving_average{i}(values, window={w}):
    """Simple moving average baseline to compare the network against."""
    values = np.asarray(values, dtype="float64")
    if len(values) < window:
        return values.copy()
    kernel = np.ones(window) / window
    smoothed = np.convolve(values, kernel, mode="valid")
    pad = np.full(window - 1, smoothed[0])
    return np.concatenate([pad, smoothed])
''',
    '''def describe_split{i}(name, features, targets):
    """Log shapes and basic statistics of one data split."""
    features = np.asarray(features)
    targets = np.asarray(targets)
    logging.info("%s: X%s y%s", name, features.shape, targets.shape)
    logging.info("%s: X mean %.4f std %.4f", name, features.mean(), features.std())
    logging.info("%s: y min %.4f max %.4f", name, targets.min(), targets.max())
    if np.isnan(features).any():
        logging.warning("%s contains %d NaN values", name, int(np.isnan(features).sum()))
    return features.shape, targets.shape
''',
    '''def confusion_counts{i}(y_true, y_pred, n_classes={c}):
    """Confusion matrix as a nested list (no sklearn needed at report time)."""
    matrix = [[0] * n_classes for _ in range(n_classes)]
    for truth, guess in zip(np.asarray(y_true).ravel(), np.asarray(y_pred).ravel()):
        matrix[int(truth)][int(guess)] += 1
    total = sum(sum(row) for row in matrix) or 1
    accuracy = sum(matrix[k][k] for k in range(n_classes)) / total
    for k, row in enumerate(matrix):
        support = sum(row) or 1
        logging.info("class %d: recall %.3f (%d samples)", k, row[k] / support, sum(row))
    return matrix, accuracy
''',
    '''def load_config{i}(path="config{i}.yaml", defaults=None):
    """Read a flat key/value config file, falling back to the defaults."""
    config = dict(defaults or {{}})
    if not os.path.exists(path):
        logging.warning("no config at %s; using defaults", path)
        return config
    with open(path, encoding="utf-8") as handle:
        for line in handle:
            line = line.split("#", 1)[0].strip()
            if not line or ":" not in line:
                continue
            key, value = (part.strip() for part in line.split(":", 1))
            try:
                config[key] = float(value) if "." in value else int(value)
            except ValueError:
                config[key] = value
    return config
''',
    '''class Timer{i}:
    """Context manager that logs how long a block took."""

    def __init__(self, label="block"):
        self.label = label
        self.start = None
        self.elapsed = 0.0

    def __enter__(self):
        self.start = time.perf_counter()
        return self

    def __exit__(self, *exc):
        self.elapsed = time.perf_counter() - self.start
        logging.info("%s took %.2fs", self.label, self.elapsed)
        return False
''',
    '''def train_val_curves{i}(histories, path="comparison{i}.png"):
    """Plot several runs' validation losses on one figure."""
    fig, axes = plt.subplots(1, 2, figsize=(14, 5))
    for label, hist in histories.items():
        axes[0].plot(hist.history["loss"], label=label)
        axes[1].plot(hist.history.get("val_loss", []), label=label)
    axes[0].set_title("train loss")
    axes[1].set_title("validation loss")
    for axis in axes:
        axis.set_xlabel("epoch")
        axis.set_yscale("log")
        axis.legend()
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)
''',
    '''def inverse_scale{i}(scaler, values):
    """Undo a fitted scaler on a 1-D or 2-D array of predictions."""
    values = np.asarray(values)
    flat = values.reshape(-1, 1) if values.ndim == 1 else values
    restored = scaler.inverse_transform(flat)
    return restored.ravel() if values.ndim == 1 else restored
''',
    '''def summarize_runs{i}(rows, key="val_loss"):
    """Print a table of runs sorted by a metric."""
    rows = sorted(rows, key=lambda row: row.get(key, float("inf")))
    header = f"{{'run':<20}} {{key:>12}} {{'epochs':>8}}"
    print(header)
    print("-" * len(header))
    for row in rows:
        print(f"{{row.get('name', '?'):<20}} {{row.get(key, float('nan')):>12.5f}} {{row.get('epochs', 0):>8d}}")
    best = rows[0] if rows else None
    if best is not None:
        print(f"best: {{best.get('name')}} ({{key}}={{best.get(key):.5f}})")
    return best
''',
    '''def batch_iterator{i}(features, targets, batch_size={b}, shuffle=False, seed=0):
    """Yield mini-batches; used by the evaluation code below."""
    indices = np.arange(len(features))
    if shuffle:
        np.random.default_rng(seed).shuffle(indices)
    for start in range(0, len(indices), batch_size):
        chosen = indices[start:start + batch_size]
        yield features[chosen], targets[chosen]
''',
    '''def residual_report{i}(y_true, y_pred, bins={w}):
    """Histogram of residuals, as text, for the log."""
    residuals = np.asarray(y_true).ravel() - np.asarray(y_pred).ravel()
    counts, edges = np.histogram(residuals, bins=bins)
    peak = max(counts.max(), 1)
    lines = []
    for count, left, right in zip(counts, edges[:-1], edges[1:]):
        bar = "#" * int(40 * count / peak)
        lines.append(f"[{{left:+.3f}}, {{right:+.3f}}) {{bar}} {{count}}")
    report = "\\n".join(lines)
    logging.info("residuals:\\n%s", report)
    return report
''',
]
HELPER_IMPORTS = ["import os", "import json", "import time", "import random", "import logging",
                  "import matplotlib.pyplot as plt"]


def helpers_until(rng, lines_needed: int, uid: int) -> list[str]:
    out: list[str] = []
    counter = 0
    while len(out) < lines_needed:
        template = rng.choice(HELPERS)
        suffix = "" if counter == 0 else f"_{counter}"
        text = template.format(i=suffix, n=rng.choice([100, 200, 500]), w=rng.choice([5, 7, 12, 24]),
                               c=rng.choice([2, 3, 5]), b=rng.choice([32, 64, 128]))
        out += text.splitlines() + ["", ""]
        counter += 1
    return out


def evaluation_lines(rng, info, with_scaler: bool) -> list[str]:
    lines = ["test_loss = model.evaluate(X_test, y_test, verbose=0)",
             "print('test loss:', test_loss)",
             "predictions = model.predict(X_test)"]
    if info["task"] == "regression":
        if with_scaler:
            lines.append("predictions = scaler.inverse_transform(predictions)")
            lines.append("y_test_original = scaler.inverse_transform(y_test.reshape(-1, 1))")
        else:
            lines.append("y_test_original = y_test")
        lines.append("rmse = float(np.sqrt(np.mean((y_test_original.ravel() - predictions.ravel()) ** 2)))")
        lines.append("print(f'RMSE: {rmse:.4f}')")
    else:
        if info["task"] == "binary":
            lines.append("labels_pred = (predictions.ravel() > 0.5).astype(int)")
        else:
            lines.append("labels_pred = predictions.argmax(axis=-1)")
        lines.append("accuracy = float(np.mean(labels_pred == np.asarray(y_test).ravel()))")
        lines.append("print(f'accuracy: {accuracy:.3f}')")
    return lines


def generate_script(rng: random.Random, target_lines: int, uid: int) -> str:
    """One realistic training script of about target_lines lines."""
    bad = rng.random() < 0.5
    style = Style(rng)
    names = Names(style)
    data_kind = rng.choice(["csv", "csv", "tfdata", "text", "synthetic"])
    data, info = data_pipeline(rng, data_kind, uid, bad)
    use_argparse = rng.random() < 0.35
    loop_kind = rng.choice(["fit", "fit", "fit", "fit", "compare", "tape"])
    if loop_kind == "tape" and info["val"] == "dataset":
        loop_kind = "fit"
    in_main = rng.random() < 0.4
    build_fn = rng.random() < 0.4 or loop_kind == "compare"

    config: list[str] = []
    if use_argparse:
        config += ["", "", "def parse_args():",
                   "    parser = argparse.ArgumentParser(description='Train a recurrent model.')",
                   f"    parser.add_argument('--epochs', type=int, default={rng.choice([10, 20, 50, 100])})",
                   f"    parser.add_argument('--batch-size', type=int, default={rng.choice([16, 32, 64, 128])})",
                   f"    parser.add_argument('--lr', type=float, default={pick_lr(rng, bad and rng.random() < 0.3)})",
                   "    parser.add_argument('--units', type=int, default=64)",
                   "    parser.add_argument('--output', default='runs/latest')",
                   "    return parser.parse_args()"]
        epochs, batch = "args.epochs", "args.batch_size"
    else:
        config += [f"EPOCHS = {rng.choice([10, 20, 30, 50, 100, 200])}",
                   f"BATCH_SIZE = {rng.choice([16, 32, 64, 128, 256])}"]
        epochs, batch = "EPOCHS", "BATCH_SIZE"

    body: list[str] = []
    if use_argparse:
        body.append("args = parse_args()")
        body.append("BATCH_SIZE = args.batch_size")
    body += data
    body.append("")
    mlines, classes = model_lines(rng, names, info, bad, style.kind)
    opt = optimizer_expr(rng, names, bad)
    metrics = "['mae']" if info["task"] == "regression" else "['accuracy']"
    cb_lines, cbs = callbacks_lines(rng, names, bad, info)
    functions: list[str] = []
    if build_fn:
        functions += ["def build_model(optimizer):", '    """Build and compile the network."""']
        functions += ["    " + line for line in mlines]
        functions += [f"    model.compile(optimizer=optimizer, loss={info['loss']}, metrics={metrics})",
                      "    return model", "", ""]
    if loop_kind == "compare":
        candidates = [optimizer_expr(rng, names, bad) for _ in range(rng.choice([2, 3]))]
        body += cb_lines
        body.append("results = {}")
        if bad and rng.random() < 0.5:
            body.append(f"model = build_model({candidates[0]})")
            body.append("for name, optimizer in [" + ", ".join(f"('opt{k}', {c})" for k, c in enumerate(candidates))
                        + "]:")
            body.append(f"    model.compile(optimizer=optimizer, loss={info['loss']})")
        else:
            body.append("for name, optimizer in [" + ", ".join(f"('opt{k}', {c})" for k, c in enumerate(candidates))
                        + "]:")
            body.append("    model = build_model(optimizer)")
        body += ["    " + line for line in fit_call(rng, info, cbs, bad, epochs, batch)]
        body.append("    results[name] = min(history.history.get('val_loss', history.history['loss']))")
        body.append("print(results)")
    elif loop_kind == "tape":
        if build_fn:
            body.append(f"model = build_model({opt})")
        else:
            body += mlines
        clip = not bad or rng.random() < 0.4
        body += [f"optimizer = {optimizer_expr(rng, names, bad)}",
                 f"loss_fn = {names('losses', 'MeanSquaredError') if info['task'] == 'regression' else names('losses', 'SparseCategoricalCrossentropy')}()",
                 "train_ds = tf.data.Dataset.from_tensor_slices((X_train, y_train)).batch(BATCH_SIZE)",
                 "",
                 "",
                 "@tf.function",
                 "def train_step(x, y):",
                 "    with tf.GradientTape() as tape:",
                 "        pred = model(x, training=True)",
                 "        loss = loss_fn(y, pred)",
                 "    grads = tape.gradient(loss, model.trainable_variables)"]
        if clip:
            body.append("    grads, _ = tf.clip_by_global_norm(grads, 1.0)")
        body += ["    optimizer.apply_gradients(zip(grads, model.trainable_variables))",
                 "    return loss",
                 "",
                 "",
                 f"for epoch in range({epochs}):",
                 "    losses = [float(train_step(x, y)) for x, y in train_ds]",
                 "    print(f'epoch {epoch}: loss {np.mean(losses):.5f}')"]
        info["needs_tf"] = True
    else:
        if build_fn:
            body.append(f"model = build_model({opt})")
        else:
            body += mlines
            body.append(f"model.compile(optimizer={opt}, loss={info['loss']}, metrics={metrics})")
        if rng.random() < 0.3:
            body.append("model.summary()")
        body += cb_lines
        body += fit_call(rng, info, cbs, bad, epochs, batch)
    if info["val"] != "dataset" and loop_kind != "compare":
        body.append("")
        body += evaluation_lines(rng, info, data_kind == "csv")

    header = [f'"""{rng.choice(["Train", "Fit", "Experiment:", "Baseline"])} a '
              f'{rng.choice(["forecasting", "sequence", "sentiment", "anomaly", "demand"])} model '
              f'(generated benchmark script {uid})."""']
    needs_tf = info.get("needs_tf", False) or loop_kind == "tape" or "tf." in "\n".join(body + functions + classes)
    imports: list[str] = []
    if use_argparse:
        imports.append("import argparse")
    imports += info.get("imports", [])
    fixed = len(header) + len(config) + len(body) + len(functions) + len(classes) + 30
    padding = helpers_until(rng, max(0, target_lines - fixed), uid) if target_lines > fixed else []
    if padding:
        imports = HELPER_IMPORTS + [i for i in imports if i not in HELPER_IMPORTS]
        if "import numpy as np" not in imports:
            imports.append("import numpy as np")
    imports += style.imports(names.used, needs_tf, bool(info.get("text")))

    out = header + [""] + imports + [""] + config + ["", ""] + padding + classes + functions
    if in_main:
        out += ["def main():"] + [("    " + line) if line else "" for line in body] + ["", "", "if __name__ == '__main__':",
                                                                           "    main()"]
    else:
        out += body
    return "\n".join(out) + "\n"


def target_size(rng: random.Random) -> int:
    """Log-normal sizes (median ~220 lines), clipped to 50-1,500 lines."""
    return int(min(1500, max(50, math.exp(rng.gauss(math.log(220), 0.9)))))


# ---------------------------------------------------------------------------------------------


def generated_scripts(count: int, seed: int):
    """The texts of corpus/generated/, in order, computed in memory (tests/golden reads them so)."""
    rng = random.Random(seed)
    for uid in range(count):
        yield generate_script(rng, target_size(rng), uid)


def generated_name(uid: int) -> str:
    return f"train_{uid:05d}.py"


def build(count: int, seed: int, out: Path = CORPUS) -> dict:
    if out.exists():
        shutil.rmtree(out)
    manifest: list[str] = []

    def record(kind: str, path: Path, text: str) -> None:
        data = text.encode("utf-8")
        manifest.append(f"{kind}\t{path.relative_to(out)}\t{text.count(chr(10))}\t{len(data)}\t"
                        f"{hashlib.sha256(data).hexdigest()[:12]}")

    # fixtures
    for source in sorted((ROOT / "fixtures").rglob("*.py")):
        target = out / "fixtures" / source.relative_to(ROOT / "fixtures")
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, target)
        record("fixture", target, source.read_text(encoding="utf-8", errors="replace"))
    # generated
    generated: list[str] = []
    (out / "generated").mkdir(parents=True)
    for uid, text in enumerate(generated_scripts(count, seed)):
        ast.parse(text)  # a template bug must fail loudly here, not show up as RNN001 in timings
        path = out / "generated" / generated_name(uid)
        path.write_text(text, encoding="utf-8")
        record("generated", path, text)
        generated.append(text)
    # keras source
    src = keras_source_dir()
    for source in sorted(src.rglob("*.py")):
        target = out / "keras_src" / source.relative_to(src)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, target)
        record("keras_src", target, source.read_text(encoding="utf-8", errors="replace"))
    # scaling: concatenate generated scripts (in a fixed order) until the size is reached
    (out / "scaling").mkdir()
    for size in SCALING_SIZES:
        # whole scripts, in corpus order, skipping any that would overshoot the size by over 10%
        parts, lines, k = [], 0, 0
        while lines < size * 0.95:
            text = generated[k % len(generated)]
            k += 1
            if lines + text.count("\n") <= size * 1.1:
                parts.append(text)
                lines += text.count("\n") + 1
        text = "\n".join(parts)
        ast.parse(text)
        path = out / "scaling" / f"lines_{size:05d}.py"
        path.write_text(text, encoding="utf-8")
        record("scaling", path, text)
    (out / "MANIFEST").write_text("\n".join(manifest) + "\n", encoding="utf-8")
    summary: dict[str, list[int]] = {}
    for row in manifest:
        kind, _, lines, _, _ = row.split("\t")
        summary.setdefault(kind, []).append(int(lines))
    return summary


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=3000, help="generated scripts (default 3000)")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)
    summary = build(args.count, args.seed)
    for kind, sizes in summary.items():
        sizes.sort()
        print(f"{kind:10s} {len(sizes):5d} files {sum(sizes):9d} lines  "
              f"(min {sizes[0]}, median {sizes[len(sizes) // 2]}, max {sizes[-1]})")
    digest = hashlib.sha256((CORPUS / "MANIFEST").read_bytes()).hexdigest()[:16]
    print(f"corpus at {CORPUS.relative_to(ROOT)}; MANIFEST sha256 {digest}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
