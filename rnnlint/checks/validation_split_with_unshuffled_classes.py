"""validation-split-with-unshuffled-classes: `validation_split` takes the last rows, and the labels
were sorted (or stacked class by class) just before."""

from __future__ import annotations

from rnnlint.checks import RuleContext, rule
from rnnlint.facts.series import class_order_evidence
from rnnlint.facts.training import validation_split


@rule("validation-split-with-unshuffled-classes")
def check(ctx: RuleContext) -> None:
    facts = ctx.facts
    for fit in facts.fits:
        expr, fraction = validation_split(facts, fit)
        if expr is None or not fraction or fit.y is None:
            continue
        evidence = class_order_evidence(facts, fit.y, fit.site.scope, fit.site.order)
        if evidence is None:
            continue
        ctx.report(expr, {"fraction": f"{fraction:g}", "labels": ctx.code(fit.y), "order": evidence.description,
                          "line": ctx.facts.segment(evidence.node)[:40]})
