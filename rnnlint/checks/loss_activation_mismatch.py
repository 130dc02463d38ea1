"""loss-activation-mismatch: the loss (or a metric) does not fit the model's output layer.

Each case's wording lives in the catalog entry's `cases`; this module only decides which case holds.
"""

from __future__ import annotations

import ast

from rnnlint.checks import RuleContext, rule
from rnnlint.facts.architecture import OutputHead, output_head
from rnnlint.facts.records import UNBOUNDED_ACTIVATIONS
from rnnlint.facts.training import (
    ACCURACY_METRICS, CROSS_ENTROPY_LOSSES, REGRESSION_LOSSES, LossFact, compiles_of_model, loss_of,
    metrics_of,
)
from rnnlint.findings import Severity

CATEGORICAL = ("categorical_crossentropy", "sparse_categorical_crossentropy")
BINARY = ("binary_crossentropy", "binary_focal_crossentropy")
SQUASHING = ("softmax", "sigmoid")
ONE_HOT_BUILDERS = frozenset({"keras.utils.to_categorical", "tensorflow.one_hot", "pandas.get_dummies"})


def _output(head: OutputHead) -> str:
    units = "?" if head.units is None else head.units
    via = f" + {head.activation_layer.kind}" if head.activation_layer is not None else ""
    return f"{head.layer.kind}({units}){via} with {head.activation} activation"


def _one_hot_labels(ctx: RuleContext, compile_fact) -> bool:
    """Every fit of the model gets labels built by to_categorical/one_hot/get_dummies (one class per row)."""
    facts, flow = ctx.facts, ctx.flow
    fits = [f for m in compile_fact.models for f in facts.fits_of_model(m)]
    if not fits:
        return False
    for fit in fits:
        if fit.y is None:
            return False
        origins = flow.trace_origins(fit.y, fit.site.scope, fit.site.order)
        if not origins or not all(isinstance(o.node, ast.Call) and facts.qualname(o.node) in ONE_HOT_BUILDERS
                                  for o in origins):
            return False
    return True


def _loss_case(ctx: RuleContext, head: OutputHead, loss: LossFact, compile_fact) -> tuple[str, Severity] | None:
    activation, units, name = head.activation, head.units, loss.name
    if units == 1 and activation == "softmax":
        return None  # the softmax-on-one-unit finding at the output layer owns this model
    if name in CATEGORICAL and units == 1:
        return "categorical_single_unit", Severity.ERROR
    if loss.from_logits and activation in SQUASHING:
        return "logits_after_squashing", Severity.WARNING
    # over exactly two softmax units, binary and categorical cross-entropy (and their accuracies) agree
    if name in BINARY and activation == "softmax" and units is not None and units > 2:
        return "binary_on_softmax", Severity.WARNING
    if name in CATEGORICAL and activation == "sigmoid" and units is not None and units > 1:
        return "categorical_on_sigmoid", Severity.WARNING
    if name in BINARY and activation == "sigmoid" and units is not None and units > 1 \
            and _one_hot_labels(ctx, compile_fact):
        return "binary_on_one_hot", Severity.WARNING
    if name in CROSS_ENTROPY_LOSSES and loss.from_logits is False and activation in UNBOUNDED_ACTIVATIONS:
        return "cross_entropy_on_unbounded", Severity.WARNING
    if name in REGRESSION_LOSSES and activation in SQUASHING and any(
            m.kind in ACCURACY_METRICS for m in metrics_of(ctx.facts, compile_fact) or ()):
        return "regression_loss_on_classifier", Severity.INFO  # an accuracy metric: labels, not values
    if name in REGRESSION_LOSSES and activation == "softmax":
        return "regression_on_softmax", Severity.WARNING
    if name in REGRESSION_LOSSES and activation == "sigmoid":
        return "regression_on_sigmoid", Severity.INFO
    return None


def _report(ctx: RuleContext, node, case: str, severity: Severity, loss: str, output: str, **extra) -> None:
    detail = ctx.spec.extra["cases"][case].strip().format(**extra)
    ctx.report(node, {"loss": loss, "output": output, "problem": detail}, severity=severity, case=case)


@rule("loss-activation-mismatch")
def check(ctx: RuleContext) -> None:
    facts = ctx.facts
    for model in facts.models:
        head = output_head(facts, model)
        if head is not None and head.units == 1 and head.activation == "softmax":
            losses = {loss.display for c in compiles_of_model(facts, model) if (loss := loss_of(facts, c))}
            shown = losses.pop() if len(losses) == 1 else "any loss"
            _report(ctx, head.activation_node, "softmax_single_unit", Severity.ERROR, shown, _output(head))
    for compile_fact in facts.compiles:
        if len(compile_fact.models) != 1:
            continue
        head = output_head(facts, compile_fact.models[0])
        loss = loss_of(facts, compile_fact)
        if loss is None or loss.name is None:
            continue
        shown = _output(head) if head is not None else "the model's output"
        found = _loss_case(ctx, head, loss, compile_fact) if head is not None else None
        if found is not None:
            _report(ctx, loss.node, found[0], found[1], loss.display, shown)
        # on a sigmoid/softmax head Keras reads "accuracy" as binary/categorical accuracy: meaningful
        if loss.name in REGRESSION_LOSSES and head is not None and head.activation not in SQUASHING \
                and head.activation is not None:
            for metric in metrics_of(facts, compile_fact) or ():
                if metric.kind in ACCURACY_METRICS:
                    _report(ctx, metric.node, "accuracy_on_regression", Severity.INFO, loss.display,
                            shown, metric=metric.name)
