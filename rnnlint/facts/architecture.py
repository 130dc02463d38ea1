"""Layer arguments and model outputs, read through the facts layer: what a layer's `activation`,
`units` or `return_sequences` is, which layers feed which, and which layer (and activation) produces a
model's output. Shared by the architecture and loss rules; nothing here guesses a value."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import ast

from rnnlint.facts.names import RECURRENT_CELLS, RECURRENT_LAYERS, WRAPPER_LAYERS, dotted_name
from rnnlint.facts.records import LayerFact, ModelFact, argument
from rnnlint.facts.syntax import call_args, elements
from rnnlint.facts.values import UNKNOWN, Resolved

# Positional index of `activation` (after `units`/`filters`) in the constructors that take one.
ACTIVATION_POSITION = {
    "LSTM": 1, "GRU": 1, "SimpleRNN": 1, "LSTMCell": 1, "GRUCell": 1, "SimpleRNNCell": 1, "Dense": 1,
}
DEFAULT_ACTIVATION = {
    "LSTM": "tanh", "GRU": "tanh", "SimpleRNN": "tanh", "LSTMCell": "tanh", "GRUCell": "tanh",
    "SimpleRNNCell": "tanh", "Dense": "linear",
}
# Layers that only apply an activation: `Activation("softmax")`, `Softmax()`, `ReLU()`...
ACTIVATION_LAYERS = {"Softmax": "softmax", "ReLU": "relu", "LeakyReLU": "leaky_relu", "ELU": "elu",
                     "PReLU": "prelu"}
# Layers that pass a sequence through unchanged in shape (so a recurrent layer still sees its input).
SHAPE_PRESERVING = frozenset({
    "Dropout", "SpatialDropout1D", "GaussianNoise", "GaussianDropout", "AlphaDropout",
    "BatchNormalization", "LayerNormalization", "Masking", "ActivityRegularization", "Activation",
})
_ACTIVATION_ALIASES = {"none": "linear", "sigmoid": "sigmoid", "swish": "silu"}


def arg_value(facts, call: ast.Call, name: str, index: int | None = None) -> tuple[ast.expr | None, Any]:
    """(the argument's expression, its resolved value or UNKNOWN); (None, None) when it is absent."""
    expr = argument(call, name, index)
    if expr is None:
        return None, None
    site = facts.index.call_scope.get(call)
    if site is None:
        return expr, UNKNOWN
    return expr, facts.resolver.value(expr, site.scope, site.order)


def _activation_text(facts, expr: ast.expr, call: ast.Call) -> str | None:
    site = facts.index.call_scope.get(call)
    if site is None:
        return None
    value = facts.resolver.value(expr, site.scope, site.order)
    if isinstance(value, Resolved):
        if value.value is None:
            return "linear"
        if isinstance(value.value, str):
            text = value.value.lower()
            return _ACTIVATION_ALIASES.get(text, text)
        return None
    dotted = dotted_name(expr)
    qualified = facts.imports.qualify(dotted) if dotted else None
    if qualified and (qualified.startswith("keras.activations.") or qualified.startswith("tensorflow.nn.")
                      or qualified.startswith("tensorflow.math.") or qualified.startswith("keras.ops.")):
        text = qualified.rsplit(".", 1)[-1].lower()
        return _ACTIVATION_ALIASES.get(text, text)
    if isinstance(expr, ast.Call):  # activation=LeakyReLU()
        inner = facts.layer_from_call(expr) if expr in facts.index.call_scope else None
        if inner is not None and inner.kind in ACTIVATION_LAYERS:
            return ACTIVATION_LAYERS[inner.kind]
    return None


def activation_of(facts, layer: LayerFact) -> tuple[str | None, ast.expr | None]:
    """(activation name, the argument expression) of a Dense/recurrent layer or an activation layer.

    The name is the default ("tanh", "linear") when the argument is absent, None when it cannot be read.
    """
    if layer.kind == "Activation":
        expr = layer.arg("activation", 0)
        return (_activation_text(facts, expr, layer.call) if expr is not None else None), expr
    if layer.kind in ACTIVATION_LAYERS:
        return ACTIVATION_LAYERS[layer.kind], None
    if layer.kind not in DEFAULT_ACTIVATION:
        return None, None
    expr = layer.arg("activation", ACTIVATION_POSITION.get(layer.kind))
    if expr is None:
        return DEFAULT_ACTIVATION[layer.kind], None
    return _activation_text(facts, expr, layer.call), expr


def units_of(facts, layer: LayerFact) -> int | None:
    _, value = arg_value(facts, layer.call, "units", 0)
    if isinstance(value, Resolved) and isinstance(value.value, int) and not isinstance(value.value, bool):
        return value.value
    return None


def flag(facts, layer: LayerFact, name: str, default: bool) -> bool | None:
    """A boolean layer argument (`return_sequences`, `stateful`...): its value, the default when
    absent, None when it cannot be resolved."""
    expr, value = arg_value(facts, layer.call, name)
    if expr is None:
        return default
    if isinstance(value, Resolved) and isinstance(value.value, (bool, int)):
        return bool(value.value)
    return None


def argument_holder(layer: LayerFact) -> LayerFact:
    """The layer whose own arguments (`return_sequences`, `stateful`) decide its output: the LSTM
    inside Bidirectional/TimeDistributed, the RNN wrapper itself for RNN(cell)."""
    while layer.kind in WRAPPER_LAYERS and layer.inner is not None:
        layer = layer.inner
    return layer


def recurrent_layer_calls(facts) -> list[LayerFact]:
    """Every recurrent layer or cell the script constructs, once, whether or not a model holds it."""
    out = []
    for site in facts.index.calls:
        layer = facts.layer_from_call(site.node)
        if layer is not None and (layer.kind in RECURRENT_LAYERS or layer.kind in RECURRENT_CELLS):
            out.append(layer)
    return out


def successors(model: ModelFact, layer: LayerFact) -> list[LayerFact]:
    return [b for a, b in model.edges if a is layer]


def recurrent_feeds(model: ModelFact) -> list[tuple[LayerFact, LayerFact, list[LayerFact]]]:
    """(upstream recurrent layer, downstream recurrent layer, shape-preserving layers between them)."""
    out = []
    for layer in model.recurrent_layers:
        frontier: list[tuple[LayerFact, list[LayerFact]]] = [(n, []) for n in successors(model, layer)]
        seen = set()
        while frontier:
            current, between = frontier.pop()
            if id(current) in seen:
                continue
            seen.add(id(current))
            if current.is_recurrent:
                out.append((layer, current, between))
            elif current.kind in SHAPE_PRESERVING:
                frontier += [(n, [*between, current]) for n in successors(model, current)]
    return out


@dataclass(frozen=True)
class OutputHead:
    """The layer that produces a model's output and the activation applied to it."""

    layer: LayerFact  # the Dense (or recurrent) layer with the units
    units: int | None
    activation: str | None
    activation_node: ast.AST  # the activation argument, the Activation layer, or the layer call
    activation_layer: LayerFact | None  # a separate Activation/Softmax layer after it


def _unwrap(layer: LayerFact) -> LayerFact:
    return layer.inner if layer.kind == "TimeDistributed" and layer.inner is not None else layer


def _head(facts, dense: LayerFact, activation_layer: LayerFact | None) -> OutputHead | None:
    dense = _unwrap(dense)
    if dense.kind not in DEFAULT_ACTIVATION:
        return None
    own, own_expr = activation_of(facts, dense)
    if activation_layer is not None:
        if own not in ("linear",):
            return None  # Dense(10, "relu") followed by Activation: unusual, do not judge
        outer, _ = activation_of(facts, activation_layer)
        return OutputHead(dense, units_of(facts, dense), outer, activation_layer.call, activation_layer)
    return OutputHead(dense, units_of(facts, dense), own, own_expr if own_expr is not None else dense.call, None)


def _is_activation_layer(layer: LayerFact) -> bool:
    return layer.kind == "Activation" or layer.kind in ACTIVATION_LAYERS


def output_head(facts, model: ModelFact) -> OutputHead | None:
    """The single output of a model, or None when it has several, or cannot be read."""
    cache = facts.__dict__.setdefault("_output_heads", {})
    if id(model) not in cache:
        cache[id(model)] = _output_head(facts, model)
    return cache[id(model)]


def _output_head(facts, model: ModelFact) -> OutputHead | None:
    if not model.complete or not model.layers:
        return None
    if model.kind == "sequential":
        layers = [layer for layer in model.layers if layer.kind not in ("Input", "InputLayer")]
        activation_layer = None
        while layers and (layers[-1].kind in SHAPE_PRESERVING - {"Activation"} or _is_activation_layer(layers[-1])):
            last = layers.pop()
            if _is_activation_layer(last):
                if activation_layer is not None:
                    return None
                activation_layer = last
        return _head(facts, layers[-1], activation_layer) if layers else None
    if model.kind == "functional":
        outputs = argument(model.node, "outputs", 1) if isinstance(model.node, ast.Call) else None
        if outputs is None or model.site is None:
            return None
        return _head_of_tensor(facts, outputs, model.site.scope, model.site.order, None, 0)
    if model.kind == "subclassed" and isinstance(model.node, ast.ClassDef):
        heads = [_head_of_tensor(facts, expr, method.scope, order, None, 0)
                 for method in facts.index.functions.get(f"{model.node.name}.call", [])
                 for expr, order in method.returns]
        known = [h for h in heads if h is not None]
        if not known or len(known) != len(heads) or len({id(h.layer) for h in known}) != 1:
            return None
        return known[0]
    return None


def _head_of_tensor(facts, expr, scope, order, activation_layer, depth) -> OutputHead | None:
    """Follow an output tensor back to the layer call that produced it; other ops make it unknown."""
    if depth > 12 or expr is None:
        return None
    if isinstance(expr, (ast.List, ast.Tuple)) and len(expr.elts) == 1:  # outputs=[out]
        return _head_of_tensor(facts, elements(expr)[0], scope, order, activation_layer, depth + 1)
    if isinstance(expr, (ast.Name, ast.Attribute)):
        definitions = list(facts.definitions(expr, scope, order))
        if len(definitions) != 1 or definitions[0][0] is expr:
            return None
        definition, d_scope, d_order = definitions[0]
        return _head_of_tensor(facts, definition, d_scope, d_order, activation_layer, depth + 1)
    if not isinstance(expr, ast.Call):
        return None
    layer = None
    if isinstance(expr.func, ast.Call):
        layer = facts.layer_from_call(expr.func)
    elif isinstance(expr.func, (ast.Name, ast.Attribute)) and facts.qualname(expr) is None:
        layer = facts.layer_of(expr.func, scope, order)
    if layer is None:
        return None
    if _is_activation_layer(layer):
        if activation_layer is not None:
            return None
        inputs = [a.value for a in call_args(expr) if a.keyword is None]
        return _head_of_tensor(facts, inputs[0] if inputs else None, scope, order, layer, depth + 1)
    if layer.kind in SHAPE_PRESERVING:
        inputs = [a.value for a in call_args(expr) if a.keyword is None]
        return _head_of_tensor(facts, inputs[0] if inputs else None, scope, order, activation_layer, depth + 1)
    return _head(facts, layer, activation_layer)
