"""long-sequence-simple-rnn: a SimpleRNN reads more timesteps than gradients survive through time."""

from __future__ import annotations

import ast

from rnnlint.checks import RuleContext, rule
from rnnlint.facts.architecture import arg_value
from rnnlint.facts.records import LayerFact, ModelFact
from rnnlint.facts.values import Resolved
from rnnlint.facts.syntax import call_args, elements

# Layers that keep the time axis as it is, so the input's timesteps reach the SimpleRNN unchanged.
KEEPS_TIME = frozenset({
    "Input", "InputLayer", "Embedding", "Masking", "Dense", "TimeDistributed", "Dropout", "SpatialDropout1D",
    "GaussianNoise", "BatchNormalization", "LayerNormalization", "Activation", "Bidirectional", "LSTM", "GRU",
    "SimpleRNN", "RNN",
})


def _timesteps(facts, model: ModelFact) -> tuple[int, str] | None:
    for shape in model.input_shapes:
        if shape and isinstance(shape[0], int) and not isinstance(shape[0], bool):
            return shape[0], "the input shape"
    for layer in model.layers:
        if layer.kind == "Embedding":
            expr, value = arg_value(facts, layer.call, "input_length")
            if expr is not None and isinstance(value, Resolved) and isinstance(value.value, int):
                return value.value, "Embedding(input_length=...)"
    return None


def _data_timesteps(facts, model: ModelFact) -> tuple[int, str] | None:
    """Timesteps of the arrays the model is fit on: `x.reshape((n, T, f))` or `pad_sequences(..., maxlen=T)`."""
    found = set()
    for fit in facts.fits_of_model(model):
        if fit.x is None:
            return None
        for definition, scope, order in facts.definitions(fit.x, fit.site.scope, fit.site.order):
            steps = _steps_of(facts, definition, scope, order)
            if steps is None:
                return None
            found.add(steps)
    if len(found) != 1:
        return None
    return found.pop()


def _steps_of(facts, expr, scope, order) -> tuple[int, str] | None:
    if not isinstance(expr, ast.Call):
        return None
    if facts.qualname(expr) == "keras.utils.pad_sequences":
        _, value = arg_value(facts, expr, "maxlen", 1)
        if isinstance(value, Resolved) and isinstance(value.value, int):
            return value.value, "pad_sequences(maxlen=...)"
        return None
    if isinstance(expr.func, ast.Attribute) and expr.func.attr == "reshape" and facts.qualname(expr) is None:
        args = [a.value for a in call_args(expr) if a.keyword is None]
        dims = elements(args[0]) if len(args) == 1 and isinstance(args[0], (ast.Tuple, ast.List)) else None
        second = dims[1] if dims is not None and len(dims) == 3 else (args[1] if len(args) == 3 else None)
        value = facts.resolver.value(second, scope, order) if second is not None else None
        if isinstance(value, Resolved) and isinstance(value.value, int) and value.value > 0:
            return value.value, "the reshaped training data"
    return None


def _time_preserved_before(model: ModelFact, layer: LayerFact) -> bool:
    """Every layer before this one (Sequential order, or all traced predecessors) keeps the time axis."""
    if model.kind == "sequential":
        before = model.layers[:model.layers.index(layer)]
    else:
        before, frontier = [], [layer]
        while frontier:
            current = frontier.pop()
            for a, b in model.edges:
                if b is current and a not in before:
                    before.append(a)
                    frontier.append(a)
    return all(other.kind in KEEPS_TIME for other in before)


@rule("long-sequence-simple-rnn")
def check(ctx: RuleContext) -> None:
    facts = ctx.facts
    limit = int(ctx.threshold("max_timesteps"))
    reported: set[int] = set()
    for model in facts.models:
        found = _timesteps(facts, model) or _data_timesteps(facts, model)
        if found is None:
            continue
        steps, source = found
        if steps <= limit:
            continue
        for layer in model.recurrent_layers:
            core = layer.recurrent_core
            if core is None or core.kind not in ("SimpleRNN", "SimpleRNNCell") or id(core.call) in reported:
                continue
            if not _time_preserved_before(model, layer):
                continue
            reported.add(id(core.call))
            ctx.report(core.call, {"layer": layer.display, "timesteps": steps, "source": source, "limit": limit})
