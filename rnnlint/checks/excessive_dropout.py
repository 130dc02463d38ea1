"""excessive-dropout: a dropout rate above the catalog's limit on a recurrent layer or Dropout layer."""

from __future__ import annotations

from rnnlint.checks import RuleContext, rule
from rnnlint.facts.architecture import arg_value
from rnnlint.facts.names import RECURRENT_CELLS, RECURRENT_LAYERS
from rnnlint.facts.values import as_number

DROPOUT_LAYERS = ("Dropout", "SpatialDropout1D", "SpatialDropout2D", "AlphaDropout", "GaussianDropout")


@rule("excessive-dropout")
def check(ctx: RuleContext) -> None:
    facts = ctx.facts
    limit = float(ctx.threshold("max_rate"))
    for site in facts.index.calls:
        layer = facts.layer_from_call(site.node)
        if layer is None:
            continue
        parameters: tuple[tuple[str, int | None], ...]
        if layer.kind in DROPOUT_LAYERS:
            parameters = (("rate", 0),)
        elif layer.kind in RECURRENT_LAYERS or layer.kind in RECURRENT_CELLS:
            parameters = (("dropout", None), ("recurrent_dropout", None))
        else:
            continue
        for name, index in parameters:
            expr, value = arg_value(facts, layer.call, name, index)
            rate = as_number(value) if expr is not None else None
            if expr is None or rate is None or rate <= limit:
                continue
            ctx.report(expr, {"layer": layer.kind, "parameter": name, "rate": f"{rate:g}",
                              "limit": f"{limit:g}", "kept": f"{1 - rate:.0%}"})
