"""early-stopping-without-validation: EarlyStopping watches a `val_*` value that the fit never computes.

On one EarlyStopping this rule owns the finding: early-stopping-monitors-missing-metric and
early-stopping-discards-best-weights stay silent while it holds (the callback never triggers).
"""

from __future__ import annotations

from rnnlint.checks import RuleContext, rule
from rnnlint.facts.architecture import arg_value
from rnnlint.facts.syntax import unpacks
from rnnlint.facts.training import EarlyStoppingUse, early_stopping_uses
from rnnlint.facts.values import Resolved, as_number


def fit_validates(facts, fit) -> bool | None:
    """Whether the fit computes validation values: True, False, or None when it cannot be told."""
    if unpacks(fit.call):
        return None
    data_expr, data = arg_value(facts, fit.call, "validation_data", 7 if fit.method == "fit" else None)
    if data_expr is not None:
        return not (isinstance(data, Resolved) and data.value is None)
    split_expr, split = arg_value(facts, fit.call, "validation_split", 6 if fit.method == "fit" else None)
    if split_expr is None:
        return False
    number = as_number(split)
    return None if number is None and not (isinstance(split, Resolved) and split.value is None) else bool(number)


def never_triggers(facts, use: EarlyStoppingUse) -> bool:
    return isinstance(use.monitor, str) and use.monitor.startswith("val_") and fit_validates(facts, use.fit) is False


@rule("early-stopping-without-validation")
def check(ctx: RuleContext) -> None:
    facts = ctx.facts
    reported: set[int] = set()
    for use in early_stopping_uses(facts):
        if id(use.call) in reported or not never_triggers(facts, use):
            continue
        reported.add(id(use.call))
        ctx.report(use.call, {"monitor": use.monitor, "fit": ctx.code(use.fit.call)})
