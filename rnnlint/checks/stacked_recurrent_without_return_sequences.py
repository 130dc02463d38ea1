"""stacked-recurrent-without-return-sequences: a recurrent layer feeds another recurrent layer but
hands it only its last output."""

from __future__ import annotations

from rnnlint.checks import RuleContext, rule
from rnnlint.facts.architecture import argument_holder, flag, recurrent_feeds


@rule("stacked-recurrent-without-return-sequences")
def check(ctx: RuleContext) -> None:
    facts = ctx.facts
    reported: set[int] = set()
    for model in facts.models:
        for upstream, downstream, _between in recurrent_feeds(model):
            holder = argument_holder(upstream)
            if id(holder.call) in reported or flag(facts, holder, "return_sequences", False) is not False:
                continue
            if flag(facts, holder, "return_state", False) is not False:
                continue  # a list of tensors: which one feeds the next layer is not followed
            reported.add(id(holder.call))
            ctx.report(holder.call, {"layer": upstream.display, "next": downstream.display})
