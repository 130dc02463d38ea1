"""unscaled-regression-target: raw targets reach a regression loss through a linear output."""

from __future__ import annotations

import ast

from rnnlint.checks import RuleContext, rule
from rnnlint.facts.architecture import output_head
from rnnlint.facts.training import compile_of_fit, dataset_targets, loss_of

# Losses whose scale follows the target's; MAPE and MSLE are relative and need no target scaling.
SCALE_SENSITIVE = frozenset({"mean_squared_error", "mean_absolute_error", "huber", "log_cosh"})
# `.npy`/`.npz` files are usually arrays a preprocessing step already wrote, scaled or not: not evidence.
ARTEFACT_LOADERS = frozenset({"numpy.load"})


@rule("unscaled-regression-target")
def check(ctx: RuleContext) -> None:
    facts, flow = ctx.facts, ctx.flow
    reported: set[int] = set()  # one finding per raw target source, not one per fit
    for fit in facts.fits:
        if fit.y is not None:
            target, scope, order = fit.y, fit.site.scope, fit.site.order
        else:  # timeseries_dataset_from_array(x, targets) / Dataset.from_tensor_slices((x, y))
            found = dataset_targets(facts, fit)
            if found is None:
                continue
            target, scope, order = found
        if isinstance(target, (ast.List, ast.Tuple, ast.Dict)) or len(fit.models) != 1:
            continue
        compile_fact = compile_of_fit(facts, fit)
        loss = loss_of(facts, compile_fact) if compile_fact is not None else None
        head = output_head(facts, fit.models[0])
        if loss is None or loss.name not in SCALE_SENSITIVE or head is None or head.activation not in ("linear", "relu"):
            continue
        origins = flow.trace_origins(target, scope, order)
        if not origins or any(origin.kind != "raw" for origin in origins):
            continue
        if any(isinstance(o.node, ast.Call) and facts.qualname(o.node) in ARTEFACT_LOADERS for o in origins):
            continue
        if any(id(o.node) in reported for o in origins):
            continue
        reported.update(id(o.node) for o in origins)
        ctx.report(target, {"target": ctx.code(target), "source": origins[0].description,
                           "loss": loss.display, "activation": head.activation})
