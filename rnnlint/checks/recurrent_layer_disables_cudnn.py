"""recurrent-layer-disables-cudnn: LSTM/GRU arguments that rule out the fused cuDNN kernel.

An unbounded `activation` is left to relu-in-recurrent-layer, which owns that argument.
"""

from __future__ import annotations

from rnnlint.checks import RuleContext, rule
from rnnlint.facts.architecture import activation_of, arg_value, recurrent_layer_calls
from rnnlint.facts.records import UNBOUNDED_ACTIVATIONS
from rnnlint.facts.values import Resolved, as_number

CUDNN_LAYERS = ("LSTM", "GRU")
CUDNN_CELLS = ("LSTMCell", "GRUCell")


def _reasons(facts, layer) -> list[str]:
    reasons = []
    activation, expr = activation_of(facts, layer)
    if expr is not None and activation is not None and activation != "tanh" \
            and activation not in UNBOUNDED_ACTIVATIONS:
        reasons.append(f'activation="{activation}"')
    gate_expr, gate = arg_value(facts, layer.call, "recurrent_activation")
    if gate_expr is not None and isinstance(gate, Resolved) and isinstance(gate.value, str) \
            and gate.value.lower() != "sigmoid" and gate.value.lower() not in UNBOUNDED_ACTIVATIONS:
        reasons.append(f'recurrent_activation="{gate.value}"')
    expr, value = arg_value(facts, layer.call, "recurrent_dropout")
    number = as_number(value) if expr is not None else None
    if number is not None and number > 0:
        reasons.append(f"recurrent_dropout={number:g}")
    for name, bad in (("unroll", True), ("use_bias", False)) + ((("reset_after", False),) if layer.kind == "GRU" else ()):
        expr, value = arg_value(facts, layer.call, name)
        if expr is not None and isinstance(value, Resolved) and isinstance(value.value, bool) and value.value is bad:
            reasons.append(f"{name}={bad}")
    return reasons


@rule("recurrent-layer-disables-cudnn")
def check(ctx: RuleContext) -> None:
    facts = ctx.facts
    for layer in recurrent_layer_calls(facts):
        if layer.kind == "RNN" and layer.inner is not None and layer.inner.kind in CUDNN_CELLS:
            ctx.report(layer.call, {"layer": layer.display,
                                    "reasons": f"the generic RNN wrapper, which runs {layer.inner.kind} one step at a time"})
            continue
        if layer.kind not in CUDNN_LAYERS:
            continue
        reasons = _reasons(facts, layer)
        if reasons:
            ctx.report(layer.call, {"layer": layer.kind, "reasons": ", ".join(reasons)})
