"""scaler-fit-on-test-data: a scaler learns its statistics from held-out data."""

from __future__ import annotations

from rnnlint.checks import FixPlan, RuleContext, rule
from rnnlint.findings import Applicability

ROLE_WORDS = {
    "test": "test data",
    "validation": "validation data",
    "whole": "the whole dataset before it is split",
}


@rule("scaler-fit-on-test-data")
def check(ctx: RuleContext) -> None:
    facts, flow = ctx.facts, ctx.flow
    for fit in facts.scaler_fits:
        if fit.data is None:
            continue
        role = flow.role_of(fit.data, fit.site.scope, fit.site.order)
        if role is None or role.role == "train":
            continue
        ctx.report(fit.call, {
            "scaler": fit.scaler.kind,
            "method": fit.method,
            "data": ctx.code(fit.data),
            "role": f"{ROLE_WORDS[role.role]} ({role.evidence})",
        }, fix=_transform_instead(ctx, fit, role.role))


def _transform_instead(ctx: RuleContext, fit, role: str) -> FixPlan | None:
    """`fit_transform(X_test)` -> `transform(X_test)`, only when the same scaler was already fit on
    training data: then the statistics stay the training ones and nothing else changes."""
    if fit.method != "fit_transform" or role not in ("test", "validation"):
        return None
    earlier_train_fit = any(
        other.scaler is fit.scaler and other.site.order < fit.site.order and other.data is not None
        and (r := ctx.flow.role_of(other.data, other.site.scope, other.site.order)) is not None
        and r.role == "train"
        for other in ctx.facts.scaler_fits
    )
    if not earlier_train_fit:
        return None
    func = fit.call.func

    def build(site):
        import libcst as cst

        old = site.node(func, cst.Attribute)
        return ((old, old.with_changes(attr=old.attr.with_changes(value="transform"))),)
    return FixPlan("use transform() with the statistics fit on the training data", Applicability.SAFE, build)
