"""early-stopping-discards-best-weights: EarlyStopping keeps the last weights, not the best ones.

Silent when the callback never triggers (the two other EarlyStopping rules own that), or when a
ModelCheckpoint(save_best_only=True) in the same fit keeps the best weights.
"""

from __future__ import annotations

from rnnlint.checks import RuleContext, rule
from rnnlint.checks.early_stopping_monitors_missing_metric import missing_metric
from rnnlint.checks.early_stopping_without_validation import never_triggers
from rnnlint.facts.architecture import arg_value
from rnnlint.facts.training import early_stopping_uses
from rnnlint.facts.values import Resolved


def _saves_best(facts, fit) -> bool:
    for callback in fit.callbacks or ():
        if callback.kind == "ModelCheckpoint" and callback.call is not None:
            expr, value = arg_value(facts, callback.call, "save_best_only")
            if expr is not None and not (isinstance(value, Resolved) and not value.value):
                return True
    return False


@rule("early-stopping-discards-best-weights")
def check(ctx: RuleContext) -> None:
    facts = ctx.facts
    reported: set[int] = set()
    for use in early_stopping_uses(facts):
        call = use.call
        if id(call) in reported:
            continue
        expr, value = arg_value(facts, call, "restore_best_weights")
        if expr is not None and not (isinstance(value, Resolved) and value.value is False):
            continue  # True, or a value we cannot read
        if never_triggers(facts, use) or _saves_best(facts, use.fit):
            continue
        if missing_metric(facts, use) is not None:
            continue  # never triggers either: early-stopping-monitors-missing-metric owns it
        reported.add(id(call))
        patience_expr, patience = arg_value(facts, call, "patience", 2)
        shown = patience.value if isinstance(patience, Resolved) else ("0" if patience_expr is None else "?")
        ctx.report(expr or call, {"monitor": use.monitor if isinstance(use.monitor, str) else "the monitored value",
                                  "patience": shown})
