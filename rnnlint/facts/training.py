"""Facts about how a model is trained: the loss and metrics given to `compile`, the `compile` that
configures a `fit`, `EarlyStopping` arguments, and `fit`'s shuffling and validation. Read through the
resolver; an argument that cannot be read is reported as unknown, never guessed."""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from typing import Any

from rnnlint.facts.architecture import arg_value
from rnnlint.facts.names import dotted_name
from rnnlint.facts.records import CallbackRef, CompileFact, FitFact, argument, keyword
from rnnlint.facts.syntax import call_args, elements, is_constant, string_value
from rnnlint.facts.values import UNKNOWN, Resolved, as_number

# Every spelling Keras accepts for a loss, mapped to one name.
LOSS_ALIASES = {
    "mse": "mean_squared_error", "mean_squared_error": "mean_squared_error",
    "meansquarederror": "mean_squared_error",
    "mae": "mean_absolute_error", "mean_absolute_error": "mean_absolute_error",
    "meanabsoluteerror": "mean_absolute_error",
    "mape": "mean_absolute_percentage_error", "mean_absolute_percentage_error": "mean_absolute_percentage_error",
    "meanabsolutepercentageerror": "mean_absolute_percentage_error",
    "msle": "mean_squared_logarithmic_error", "mean_squared_logarithmic_error": "mean_squared_logarithmic_error",
    "meansquaredlogarithmicerror": "mean_squared_logarithmic_error",
    "huber": "huber", "huber_loss": "huber", "logcosh": "log_cosh", "log_cosh": "log_cosh",
    "binary_crossentropy": "binary_crossentropy", "binarycrossentropy": "binary_crossentropy",
    "binary_focal_crossentropy": "binary_focal_crossentropy",
    "binaryfocalcrossentropy": "binary_focal_crossentropy",
    "categorical_crossentropy": "categorical_crossentropy",
    "categoricalcrossentropy": "categorical_crossentropy",
    "categorical_focal_crossentropy": "categorical_crossentropy",
    "sparse_categorical_crossentropy": "sparse_categorical_crossentropy",
    "sparsecategoricalcrossentropy": "sparse_categorical_crossentropy",
    "hinge": "hinge", "squared_hinge": "squared_hinge", "categorical_hinge": "categorical_hinge",
    "kld": "kl_divergence", "kl_divergence": "kl_divergence", "kullback_leibler_divergence": "kl_divergence",
    "kldivergence": "kl_divergence", "poisson": "poisson", "cosine_similarity": "cosine_similarity",
    "cosinesimilarity": "cosine_similarity",
}
REGRESSION_LOSSES = frozenset({
    "mean_squared_error", "mean_absolute_error", "huber", "log_cosh", "mean_absolute_percentage_error",
    "mean_squared_logarithmic_error",
})
CROSS_ENTROPY_LOSSES = frozenset({
    "binary_crossentropy", "binary_focal_crossentropy", "categorical_crossentropy",
    "sparse_categorical_crossentropy",
})
# Default metric names Keras logs for metric classes and strings.
_METRIC_CLASS_NAMES = {
    "AUC": "auc", "RootMeanSquaredError": "root_mean_squared_error",
}
ACCURACY_METRICS = frozenset({
    "accuracy", "acc", "binary_accuracy", "categorical_accuracy", "sparse_categorical_accuracy",
    "top_k_categorical_accuracy", "sparse_top_k_categorical_accuracy",
})


def _snake(name: str) -> str:
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", name).lower()


@dataclass(frozen=True)
class LossFact:
    """The loss of one compile call."""

    node: ast.expr  # the loss argument as written in compile
    name: str | None  # canonical name (see LOSS_ALIASES); None when it cannot be read
    from_logits: bool | None  # None when it cannot be read
    display: str  # how to show it: "binary_crossentropy", "BinaryCrossentropy(from_logits=True)"


def loss_of(facts, compile_fact: CompileFact) -> LossFact | None:
    """The compile call's single loss, or None when it has none, several (a dict/list), or an unreadable one."""
    call = compile_fact.call
    expr = argument(call, "loss", 1)
    if expr is None:
        return None
    site = compile_fact.site
    definitions = list(facts.definitions(expr, site.scope, site.order))
    if len(definitions) != 1:
        return None
    definition, d_scope, d_order = definitions[0]
    if string_value(definition) is not None:
        text = string_value(definition)
        name = LOSS_ALIASES.get(str(text).lower()) if text is not None else None
        return LossFact(expr, name, False if name else None, str(text))
    if isinstance(definition, ast.Call):
        qualified = facts.qualname(definition) or ""
        if not qualified.startswith("keras.losses."):
            return None
        short = qualified.rsplit(".", 1)[-1]
        name = LOSS_ALIASES.get(short.lower())
        from_logits: bool | None = False
        logits_expr, logits = arg_value(facts, definition, "from_logits", 0 if "rossentropy" in short else None)
        if logits_expr is not None:
            from_logits = bool(logits.value) if isinstance(logits, Resolved) and isinstance(
                logits.value, (bool, int)) else None
        shown = facts.segment(definition.func).rsplit(".", 1)[-1]
        return LossFact(expr, name, from_logits, f"{shown}(from_logits=True)" if from_logits else shown)
    dotted = dotted_name(definition)
    qualified = facts.imports.qualify(dotted) if dotted else None
    if qualified and qualified.startswith("keras.losses."):
        short = qualified.rsplit(".", 1)[-1]
        return LossFact(expr, LOSS_ALIASES.get(short.lower()), False, short)
    return None


@dataclass(frozen=True)
class MetricFact:
    node: ast.AST  # the element in the metrics list
    name: str  # the name Keras logs it under
    kind: str  # canonical kind: "accuracy", "mean_absolute_error", "auc"... (the spelling when unknown)


def metrics_of(facts, compile_fact: CompileFact) -> list[MetricFact] | None:
    """The compile call's metrics with the names Keras logs them under; None when not all can be read."""
    call = compile_fact.call
    expr = keyword(call, "metrics")
    if expr is None:
        expr = argument(call, "metrics", 2)
    if expr is None:
        return []
    site = compile_fact.site
    definitions = list(facts.definitions(expr, site.scope, site.order))
    if len(definitions) != 1 or not isinstance(definitions[0][0], (ast.List, ast.Tuple)):
        return None
    container, c_scope, c_order = definitions[0]
    out = []
    for element in container.elts:
        if isinstance(element, ast.Starred):
            return None
        metric = _metric(facts, element, c_scope, c_order)
        if metric is None:
            return None
        out.append(metric)
    return out


def _metric(facts, expr, scope, order) -> MetricFact | None:
    value = facts.resolver.value(expr, scope, order)
    if isinstance(value, Resolved) and isinstance(value.value, str):
        text = value.value
        return MetricFact(expr, text, LOSS_ALIASES.get(text.lower(), text.lower()))
    if isinstance(expr, ast.Call):
        qualified = facts.qualname(expr) or ""
        if not qualified.startswith("keras.metrics."):
            return None
        short = qualified.rsplit(".", 1)[-1]
        name_expr, name = arg_value(facts, expr, "name")
        if name_expr is not None:
            if not (isinstance(name, Resolved) and isinstance(name.value, str)):
                return None
            logged = name.value
        else:
            logged = _METRIC_CLASS_NAMES.get(short, _snake(short))
        return MetricFact(expr, logged, LOSS_ALIASES.get(_snake(short), _snake(short)))
    dotted = dotted_name(expr)
    if dotted and "." not in dotted and dotted in facts.index.functions:
        return MetricFact(expr, dotted, dotted)  # a metric function defined in the script
    qualified = facts.imports.qualify(dotted) if dotted else None
    if qualified and qualified.startswith("keras.metrics."):
        short = qualified.rsplit(".", 1)[-1]
        return MetricFact(expr, short, LOSS_ALIASES.get(short.lower(), short.lower()))
    return None


def compile_of_fit(facts, fit: FitFact) -> CompileFact | None:
    """The compile call that configured the model a fit trains: the last one before the fit in the
    same scope, else the only one for that model."""
    if len(fit.models) != 1:
        return None
    model = fit.models[0]
    compiles = [c for c in facts.compiles if model in c.models and len(c.models) == 1]
    before = [c for c in compiles if c.site.scope is fit.site.scope and c.site.order < fit.site.order]
    if before:
        return max(before, key=lambda c: c.site.order)
    return compiles[0] if len(compiles) == 1 else None


def compiles_of_model(facts, model) -> list[CompileFact]:
    return [c for c in facts.compiles if model in c.models]


@dataclass(frozen=True)
class EarlyStoppingUse:
    """An EarlyStopping callback passed to one fit call."""

    callback: CallbackRef
    fit: FitFact
    monitor: Any  # the resolved monitor string, or UNKNOWN
    monitor_node: ast.AST | None  # the monitor argument, None when Keras's default applies
    call: ast.Call  # the EarlyStopping(...) call: callback.call, known here not to be None


def early_stopping_uses(facts) -> list[EarlyStoppingUse]:
    """Every (EarlyStopping call, fit) pair where the fit's callbacks could be resolved."""
    if "_early_stopping_uses" in facts.__dict__:
        return facts.__dict__["_early_stopping_uses"]
    out = []
    for fit in facts.fits:
        for callback in fit.callbacks or ():
            if not callback.is_early_stopping or callback.call is None or callback.kind != "EarlyStopping":
                continue
            expr, value = arg_value(facts, callback.call, "monitor", 0)
            if expr is None:
                monitor: Any = "val_loss"
            elif isinstance(value, Resolved) and isinstance(value.value, str):
                monitor = value.value
            else:
                monitor = UNKNOWN
            out.append(EarlyStoppingUse(callback, fit, monitor, expr, callback.call))
    facts.__dict__["_early_stopping_uses"] = out
    return out


def fit_shuffle(facts, fit: FitFact) -> tuple[ast.expr | None, Any]:
    """(shuffle argument, its value): Keras shuffles by default, so an absent argument reads True."""
    expr, value = arg_value(facts, fit.call, "shuffle")
    if expr is None:
        return None, Resolved(True, fit.call)
    return expr, value


def validation_split(facts, fit: FitFact) -> tuple[ast.expr | None, float | None]:
    expr, value = arg_value(facts, fit.call, "validation_split")
    return expr, as_number(value) if expr is not None else None


DATA_PIPELINE_METHODS = frozenset({
    "batch", "shuffle", "prefetch", "cache", "repeat", "take", "skip", "unbatch", "padded_batch", "map",
    "filter", "with_options", "window", "flat_map", "zip",
})


@dataclass(frozen=True)
class FitInput:
    """What a fit's `x` is: in-memory arrays (fit's `shuffle` applies), a tf.data pipeline or a
    generator (fit's `shuffle` is ignored), or unknown; and the pipeline's own `.shuffle(...)` call."""

    kind: str  # "arrays" | "dataset" | "generator" | "unknown"
    shuffle_call: ast.Call | None = None


def fit_input(facts, fit: FitFact) -> FitInput:
    if fit.x is None:
        return FitInput("unknown")
    if isinstance(fit.x, ast.Name):
        bindings = [b for b in facts.resolver.bindings(fit.x.id, fit.site.scope, fit.site.order) if b.kind != "item"]
        if bindings and all(_unpacks_arrays(facts, b) for b in bindings):
            return FitInput("arrays")
    kinds, shuffle = set(), None
    for definition, d_scope, d_order in facts.definitions(fit.x, fit.site.scope, fit.site.order):
        kind, found = _input_kind(facts, definition, d_scope, d_order, 0)
        kinds.add(kind)
        shuffle = shuffle or found
    if len(kinds) != 1:
        return FitInput("unknown")
    return FitInput(kinds.pop(), shuffle)


ARRAY_SPLITTERS = frozenset({"sklearn.model_selection.train_test_split", "sklearn.utils.shuffle"})


def _unpacks_arrays(facts, binding) -> bool:
    """`X_tr, X_te, ... = train_test_split(...)` or `a, b = X[:n], y[:n]`: each name holds an array."""
    if binding.kind != "unpack":
        return False
    value = binding.value
    if isinstance(value, ast.Call):
        return facts.qualname(value) in ARRAY_SPLITTERS
    if isinstance(value, (ast.Tuple, ast.List)) and binding.path and binding.path[0] < len(value.elts):
        return isinstance(elements(value)[binding.path[0]], ast.Subscript)
    return False


def _input_kind(facts, expr, scope, order, depth) -> tuple[str, ast.Call | None]:
    if depth > 12:
        return "unknown", None
    if is_constant(expr, None):
        return "unknown", None
    if isinstance(expr, (ast.Name, ast.Attribute, ast.Subscript, ast.BinOp)):
        return "arrays", None
    if not isinstance(expr, ast.Call):
        return "unknown", None
    qualified = facts.qualname(expr) or ""
    method = expr.func.attr if isinstance(expr.func, ast.Attribute) else None
    if qualified.startswith("tensorflow.data.") or qualified in (
            "keras.utils.timeseries_dataset_from_array", "keras.utils.text_dataset_from_directory"):
        return "dataset", None
    if isinstance(expr.func, ast.Attribute) and method in DATA_PIPELINE_METHODS and not qualified:
        inner, found = "unknown", None
        for definition, d_scope, d_order in facts.definitions(expr.func.value, scope, order):
            inner, found = _input_kind(facts, definition, d_scope, d_order, depth + 1)
        if inner in ("dataset", "unknown") and (inner == "dataset" or method in ("batch", "prefetch", "shuffle")):
            return "dataset", expr if method == "shuffle" else found
        return inner, found
    dotted = dotted_name(expr.func)
    for info in facts.index.functions.get(dotted or "", []):
        if _yields(info.node):
            return "generator", None
    if qualified.startswith(("numpy.", "pandas.")) or method in ("reshape", "astype", "to_numpy", "values"):
        return "arrays", None
    return "unknown", None


def _yields(function: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
    stack: list[ast.AST] = list(ast.iter_child_nodes(function))
    while stack:
        node = stack.pop()
        if isinstance(node, (ast.Yield, ast.YieldFrom)):
            return True
        if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):  # nested functions are not this one's body
            stack.extend(ast.iter_child_nodes(node))
    return False


def keras_flavour(facts) -> str | None:
    """"tf.keras" when the script reaches Keras through TensorFlow (or tf_keras), "keras" when only through
    the standalone package (Keras 2.0-2.2 or Keras 3: the log names differ), None when it imports neither."""
    roots = {target.split(".", 1)[0] for target in facts.imports.aliases.values()}
    if roots & {"tensorflow", "tf_keras"}:
        return "tf.keras"
    return "keras" if "keras" in roots else None


def dataset_targets(facts, fit: FitFact) -> tuple[ast.expr, Any, int] | None:
    """(targets expression, scope, order) when fit's `x` is a dataset built with
    `timeseries_dataset_from_array(data, targets, ...)` or `Dataset.from_tensor_slices((x, y))`."""
    if fit.x is None or fit.y is not None:
        return None
    for definition, scope, order in facts.definitions(fit.x, fit.site.scope, fit.site.order):
        found = _builder_targets(facts, definition, scope, order, 0)
        if found is not None:
            return found
    return None


def _builder_targets(facts, expr, scope, order, depth):
    if depth > 12 or not isinstance(expr, ast.Call):
        return None
    qualified = facts.qualname(expr) or ""
    if qualified == "keras.utils.timeseries_dataset_from_array":
        targets = argument(expr, "targets", 1)
        if targets is None or is_constant(targets, None):
            return None
        return targets, scope, order
    if qualified == "tensorflow.data.Dataset.from_tensor_slices" and call_args(expr):
        pair = call_args(expr)[0].value
        if isinstance(pair, (ast.Tuple, ast.List)) and len(pair.elts) == 2:
            return elements(pair)[1], scope, order
        return None
    method = expr.func.attr if isinstance(expr.func, ast.Attribute) else None
    if method in DATA_PIPELINE_METHODS - {"map", "flat_map", "zip", "window"} and not qualified:
        for definition, d_scope, d_order in facts.definitions(expr.func.value, scope, order):
            found = _builder_targets(facts, definition, d_scope, d_order, depth + 1)
            if found is not None:
                return found
    return None
