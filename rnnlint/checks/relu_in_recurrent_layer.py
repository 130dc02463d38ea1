"""relu-in-recurrent-layer: a recurrent layer or cell with an unbounded activation.

Clipping bounds the gradients, not the recurrent state, so a clipping optimizer lowers the severity to
info but never silences the finding.
"""

from __future__ import annotations

from rnnlint.checks import RuleContext, rule
from rnnlint.checks.missing_gradient_clipping import has_clipping
from rnnlint.facts.architecture import activation_of, arg_value, recurrent_layer_calls
from rnnlint.facts.records import UNBOUNDED_ACTIVATIONS
from rnnlint.facts.training import compiles_of_model
from rnnlint.facts.values import Resolved
from rnnlint.findings import Severity


def models_holding(facts, core) -> list:
    return [m for m in facts.models if any(layer.recurrent_core is core for layer in m.layers)]


def clipped_everywhere(facts, core) -> bool:
    """True when every compile of every model holding the layer clips its gradients."""
    compiles = [c for m in models_holding(facts, core) for c in compiles_of_model(facts, m)]
    return bool(compiles) and all(
        c.optimizer_known and all(has_clipping(facts, o) for o in c.optimizers) for c in compiles)


@rule("relu-in-recurrent-layer")
def check(ctx: RuleContext) -> None:
    facts = ctx.facts
    for layer in recurrent_layer_calls(facts):
        found = []
        activation, expr = activation_of(facts, layer)
        if activation in UNBOUNDED_ACTIVATIONS and expr is not None:
            found.append(("activation", activation, expr))
        gate_expr, gate = arg_value(facts, layer.call, "recurrent_activation")
        if gate_expr is not None and isinstance(gate, Resolved) and isinstance(gate.value, str) \
                and gate.value.lower() in UNBOUNDED_ACTIVATIONS:
            found.append(("recurrent_activation", gate.value.lower(), gate_expr))
        if not found:
            continue
        clipped = clipped_everywhere(facts, layer)
        for parameter, name, node in found:
            ctx.report(node, {
                "layer": layer.kind, "parameter": parameter, "activation": name,
                "clipping": " (gradient clipping is set, but it bounds the gradients, not the state)"
                if clipped else "",
            }, severity=Severity.INFO if clipped else None)
