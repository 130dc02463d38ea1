"""model-reused-across-runs: one model re-configured and re-fit in a loop without being rebuilt."""

from __future__ import annotations

import libcst as cst

from rnnlint.checks import RuleContext, rule
from rnnlint.facts.scopes import LoopInfo

RESET_METHODS = frozenset({"set_weights", "load_weights"})
REBUILDERS = frozenset({"keras.models.clone_model", "keras.models.load_model"})


def _rebuilt_in(ctx: RuleContext, name: str, loop: LoopInfo, scope) -> bool:
    facts = ctx.facts
    for binding in scope.bindings.get(name, []):
        if loop.contains(binding.order):
            return True
    for site in facts.index.method_calls(*RESET_METHODS):
        if site.scope is scope and loop.contains(site.order) \
                and isinstance(site.receiver, cst.Name) and site.receiver.value == name:
            return True
    return False


def _fresh_configuration(ctx: RuleContext, name: str, loop: LoopInfo, scope) -> str | None:
    facts = ctx.facts
    for compile_fact in facts.compiles:
        site = compile_fact.site
        if site.scope is scope and loop.contains(site.order) and isinstance(site.receiver, cst.Name) \
                and site.receiver.value == name:
            return "it is re-compiled on each iteration"
    if is_fold_split(facts, unwrap_enumerate(loop.iterable)):
        return "each cross-validation fold trains it further"
    return None


def unwrap_enumerate(iterable):
    """`enumerate(kf.split(X))` -> `kf.split(X)`."""
    if isinstance(iterable, cst.Call) and isinstance(iterable.func, cst.Name) \
            and iterable.func.value == "enumerate" and iterable.args:
        return iterable.args[0].value
    return iterable


def is_fold_split(facts, iterable) -> bool:
    """`kf.split(X)` on a splitter object (not `str.split` of an imported module's result)."""
    return isinstance(iterable, cst.Call) and isinstance(iterable.func, cst.Attribute) \
        and iterable.func.attr.value == "split" and facts.qualname(iterable) is None \
        and bool(iterable.args)


@rule("model-reused-across-runs")
def check(ctx: RuleContext) -> None:
    for fit in ctx.facts.fits:
        receiver = fit.site.receiver
        if not isinstance(receiver, cst.Name) or not fit.site.loops or not fit.models:
            continue
        name, scope = receiver.value, fit.site.scope
        for loop in reversed(fit.site.loops):
            if loop.kind != "for":
                continue
            if _rebuilt_in(ctx, name, loop, scope):
                break  # a fresh model per iteration (here or in an inner loop)
            reason = _fresh_configuration(ctx, name, loop, scope)
            if reason is not None:
                ctx.report(fit.call, {"model": name, "reason": reason})
                break
