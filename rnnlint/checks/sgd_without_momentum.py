"""sgd-without-momentum: a recurrent model trained with plain SGD (no momentum)."""

from __future__ import annotations

from rnnlint.checks import RuleContext, rule
from rnnlint.facts.architecture import arg_value
from rnnlint.facts.values import as_number


@rule("sgd-without-momentum")
def check(ctx: RuleContext) -> None:
    facts = ctx.facts
    reported: set[int] = set()
    for compile_fact in facts.compiles:
        if not compile_fact.models or not all(m.recurrent_layers for m in compile_fact.models):
            continue
        for optimizer in compile_fact.optimizers:
            if optimizer.name != "SGD" or optimizer.form == "default" or id(optimizer.node) in reported:
                continue
            if optimizer.form == "object":
                expr, value = arg_value(facts, optimizer.call, "momentum", 1)
                if expr is not None and as_number(value) != 0:
                    continue  # momentum set (or a value we cannot read)
            reported.add(id(optimizer.node))
            ctx.report(optimizer.node, {"optimizer": optimizer.display,
                                        "layer": compile_fact.models[0].recurrent_layers[0].display})
