"""missing-gradient-clipping: a recurrent model compiled with an optimizer that never clips.

Most published RNN examples do not clip and train fine, so the severity follows the evidence: a
warning when the script shows a risk amplifier, otherwise info.
"""

from __future__ import annotations

from rnnlint.checks import FixPlan, RuleContext, rule
from rnnlint.checks.fix_helpers import CstSite, append_argument, keras_reference, keyword_arg
from rnnlint.checks.unscaled_inputs import unscaled_origin
from rnnlint.facts.names import dotted_name
from rnnlint.facts.records import CLIPPING_ARGUMENTS, UNBOUNDED_ACTIVATIONS, ModelFact, OptimizerFact, argument
from rnnlint.facts.syntax import unpacks
from rnnlint.facts.values import Resolved, as_number
from rnnlint.findings import Applicability, Severity

# Positional index of `activation` in the recurrent layer constructors (after `units`).
ACTIVATION_POSITION = {"LSTM": 1, "GRU": 1, "SimpleRNN": 1, "LSTMCell": 1, "GRUCell": 1, "SimpleRNNCell": 1}
MANUAL_CLIPPING = ("clip_by_global_norm", "clip_by_norm", "clip_by_value")


def activation_name(facts, layer) -> str | None:
    expr = layer.arg("activation", ACTIVATION_POSITION.get(layer.kind))
    if expr is None:
        return None
    value = facts.resolver.value(expr, layer.site.scope, layer.site.order)
    if isinstance(value, Resolved):
        return "linear" if value.value is None else str(value.value).lower()
    dotted = dotted_name(expr)
    qualified = facts.imports.qualify(dotted) if dotted else None
    if qualified:
        return qualified.rsplit(".", 1)[-1].lower()
    return None


def has_clipping(facts, optimizer: OptimizerFact) -> bool:
    """True when the optimizer clips, or may (an argument whose value we cannot read)."""
    if optimizer.form != "object":
        return False
    for name in CLIPPING_ARGUMENTS:
        expr = optimizer.arg(name)
        if expr is None:
            continue
        value = facts.resolver.value(expr, optimizer.site.scope, optimizer.site.order)
        if not (isinstance(value, Resolved) and value.value is None):
            return True
    return False


def clips_elsewhere(facts) -> bool:
    """A custom training loop that clips gradients itself (tf.clip_by_global_norm...)."""
    return any(site.func_dotted and site.func_dotted.rsplit(".", 1)[-1] in MANUAL_CLIPPING
               for site in facts.index.calls)


def amplifiers(ctx: RuleContext, model: ModelFact, optimizer: OptimizerFact) -> list[str]:
    facts = ctx.facts
    found: list[str] = []
    for layer in model.recurrent_layers:
        core = layer.recurrent_core or layer
        activation = activation_name(facts, core)
        if activation in UNBOUNDED_ACTIVATIONS:
            found.append(f"{activation} activation in {layer.display}")
    if any((layer.recurrent_core or layer).kind in ("SimpleRNN", "SimpleRNNCell") for layer in model.recurrent_layers):
        found.append("SimpleRNN layer (gradients through time are least stable)")
    usual = ctx.threshold("usual_max_learning_rate")
    limit = usual.get(optimizer.family) if optimizer.family else None
    if limit is not None:
        for setting in facts.learning_rates:
            if setting.optimizer is not optimizer:
                continue
            value = as_number(facts.resolver.value(setting.value, setting.scope, setting.order))
            if value is not None and value > limit:
                found.append(f"learning rate {value:g} above the usual {limit:g} for {optimizer.name}")
                break
    long_sequence = ctx.threshold("long_sequence_timesteps")
    for shape in model.input_shapes:
        steps = shape[0] if shape else None
        if isinstance(steps, int) and steps >= long_sequence:
            found.append(f"sequences of {steps} timesteps")
            break
    for fit in facts.fits_of_model(model):
        origin = unscaled_origin(facts, ctx.flow, fit)
        if origin is not None:
            found.append(f"unscaled inputs from {origin.description}")
            break
    return found


@rule("missing-gradient-clipping")
def check(ctx: RuleContext) -> None:
    facts = ctx.facts
    if clips_elsewhere(facts):
        return
    reported: set[int] = set()
    for compile_fact in facts.compiles:
        recurrent = [m for m in compile_fact.models if m.recurrent_layers]
        if not recurrent or not compile_fact.optimizer_known:
            continue
        model = recurrent[0]
        unclipped = [o for o in compile_fact.optimizers if not has_clipping(facts, o)]
        for optimizer in unclipped:
            node = optimizer.node if optimizer.form == "object" else compile_fact.call
            if id(node) in reported:
                continue
            reported.add(id(node))
            names = list(dict.fromkeys(  # a loop over optimizers reaches one compile several times
                o.display for o in unclipped if (o.node if o.form == "object" else compile_fact.call) is node))
            evidence = list(dict.fromkeys(amplifiers(ctx, model, optimizer)))
            ctx.report(
                node,
                {
                    "optimizer": ", ".join(names),
                    "layer": model.recurrent_layers[0].display,
                    "evidence": f"; risk amplifier: {', '.join(evidence)}" if evidence else "",
                },
                severity=Severity.WARNING if evidence else Severity.INFO,
                fix=add_clipnorm(ctx, optimizer, compile_fact),
                amplifiers=evidence,
            )


def add_clipnorm(ctx: RuleContext, optimizer: OptimizerFact, compile_fact) -> FixPlan | None:
    """`Adam(1e-3)` -> `Adam(1e-3, clipnorm=1.0)`; `optimizer="adam"` or no optimizer -> the matching
    optimizer object with clipnorm, named in the file's import style. Changes training: unsafe."""
    clipnorm = ctx.threshold("default_clipnorm")
    description = f"add clipnorm={clipnorm} to {optimizer.name}"

    def clip():
        import libcst as cst

        return keyword_arg("clipnorm", cst.Float(repr(float(clipnorm))))
    if optimizer.form == "object":
        optimizer_call = optimizer.call
        if optimizer_call is None or unpacks(optimizer_call):
            return None  # `Adam(**params)` may already clip; do not touch what we cannot read

        def add(site: CstSite):
            import libcst as cst

            old = site.node(optimizer_call, cst.Call)
            return ((old, append_argument(old, clip())),)
        return FixPlan(description, Applicability.UNSAFE, add)
    call = compile_fact.call
    if unpacks(call):
        return None  # `compile(**settings)` may name an optimizer we cannot see
    written = argument(call, "optimizer", 0)
    if optimizer.form == "string" and written is not optimizer.node:
        return None  # a string held in a variable or a list may be used elsewhere: leave it
    reference = keras_reference(ctx.facts, "optimizers", optimizer.name)
    if reference is None:
        return None
    string = optimizer.node if optimizer.form == "string" else None
    if string is not None:
        description = f"use {optimizer.name}(clipnorm={clipnorm}) instead of {optimizer.display}"
    else:
        description = f"pass optimizer={optimizer.name}(clipnorm={clipnorm}) (Keras's default, with clipping)"

    def replace(site: CstSite):
        import libcst as cst

        expression, imports = reference.build(site)
        new_optimizer = cst.Call(func=expression, args=[clip()])
        if string is not None:
            old = site.node(string, cst.BaseExpression)
            return ((old, new_optimizer), *imports)
        old_call = site.node(call, cst.Call)
        return ((old_call, append_argument(old_call, keyword_arg("optimizer", new_optimizer))), *imports)
    return FixPlan(description, Applicability.UNSAFE, replace)
