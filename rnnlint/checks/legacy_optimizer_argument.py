"""legacy-optimizer-argument: Keras 2 optimizer keywords (`lr`, `decay`) that Keras 3 rejects or ignores.

The value passed as `lr=` is still judged by extreme-learning-rate at the number; this rule owns the
keyword. `keras.optimizers.legacy.*` optimizers accept both keywords and belong to legacy-keras-api.
"""

from __future__ import annotations

from rnnlint.checks import FixPlan, RuleContext, rule
from rnnlint.facts.architecture import arg_value
from rnnlint.facts.records import keyword
from rnnlint.facts.values import Resolved
from rnnlint.facts.syntax import keyword_place
from rnnlint.findings import Applicability, Severity
from rnnlint.positions import Place


def _rename(name: Place) -> FixPlan:
    def build(site):
        import libcst as cst

        old = site.node(name, cst.Name)
        return ((old, old.with_changes(value="learning_rate")),)
    return FixPlan("rename lr= to learning_rate=", Applicability.SAFE, build)


@rule("legacy-optimizer-argument")
def check(ctx: RuleContext) -> None:
    facts = ctx.facts
    for site in facts.index.calls:
        optimizer = facts.optimizer_from_call(site.node)
        if optimizer is None or optimizer.legacy_path:
            continue
        for arg in site.node.keywords:
            if arg.arg is None:
                continue
            if arg.arg == "lr":
                name = keyword_place(arg)
                fix = None if keyword(site.node, "learning_rate") is not None else _rename(name)
                ctx.report(name, {"optimizer": optimizer.name, "argument": "lr",
                                         "problem": ctx.spec.extra["cases"]["lr"].strip()},
                           fix=fix, case="lr")
            elif arg.arg == "decay":
                _, value = arg_value(facts, site.node, "decay")
                if isinstance(value, Resolved) and not value.value:
                    continue  # decay=0.0 asks for no decay: nothing is lost
                ctx.report(keyword_place(arg), {"optimizer": optimizer.name, "argument": "decay",
                                         "problem": ctx.spec.extra["cases"]["decay"].strip()},
                           severity=Severity.WARNING, case="decay")
