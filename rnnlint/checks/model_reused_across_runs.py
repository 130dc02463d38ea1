"""model-reused-across-runs: one model re-configured and re-fit in a loop without being rebuilt.

The smell is a fresh configuration per iteration (a re-compile, a new fold's data) applied to the
same weights. Continued training is deliberate and stays silent: epoch loops of `fit` without a
re-compile, stateful loops that reset states, train-until-threshold `while` loops.
"""

from __future__ import annotations

import ast

from rnnlint.checks import RuleContext, rule
from rnnlint.facts.scopes import CallSite, LoopInfo, Scope
from rnnlint.facts.syntax import call_args, has_args

RESET_METHODS = ("set_weights", "load_weights")


def _rebuilt_in(ctx: RuleContext, name: str, loop: LoopInfo, scope: Scope) -> bool:
    """A new model bound to `name` (or its weights reset) inside the loop."""
    if any(loop.contains(binding.order) for binding in scope.bindings.get(name, [])):
        return True
    return any(site.scope is scope and loop.contains(site.order)
               and isinstance(site.receiver, ast.Name) and site.receiver.id == name
               for site in ctx.facts.index.method_calls(*RESET_METHODS))


def _recompiled(ctx: RuleContext, name: str, scope: Scope, within: LoopInfo | None = None) -> bool:
    """`name` is compiled in `scope` (inside `within` on every pass: a compile under an `if` in the
    loop, such as a learning-rate drop at epoch 20, is a one-off change, not a new run)."""
    for compile_fact in ctx.facts.compiles:
        site = compile_fact.site
        if site.scope is not scope or not isinstance(site.receiver, ast.Name) or site.receiver.id != name:
            continue
        if within is None:
            return True
        if within.contains(site.order) and not any(within.contains(order) for order in site.conditions):
            return True
    return False


def _fresh_configuration(ctx: RuleContext, name: str, loop: LoopInfo, scope: Scope) -> str | None:
    if _recompiled(ctx, name, scope, within=loop):
        return "it is re-compiled on each iteration"
    if is_fold_split(ctx.facts, unwrap_enumerate(loop.iterable)):
        return "each cross-validation fold trains it further"
    return None


def unwrap_enumerate(iterable):
    """`enumerate(kf.split(X))` -> `kf.split(X)`."""
    if isinstance(iterable, ast.Call) and isinstance(iterable.func, ast.Name) \
            and iterable.func.id == "enumerate" and has_args(iterable):
        return call_args(iterable)[0].value
    return iterable


def is_fold_split(facts, iterable) -> bool:
    """`kf.split(X)` on a splitter object (not `str.split` of an imported module's result)."""
    return isinstance(iterable, ast.Call) and isinstance(iterable.func, ast.Attribute) \
        and iterable.func.attr == "split" and facts.qualname(iterable) is None \
        and has_args(iterable)


def _loop_in_same_scope(ctx: RuleContext, fit_site: CallSite, name: str) -> str | None:
    for loop in reversed(fit_site.loops):
        if loop.kind != "for":
            continue
        if _rebuilt_in(ctx, name, loop, fit_site.scope):
            return None  # a fresh model per iteration (here or in an inner loop)
        reason = _fresh_configuration(ctx, name, loop, fit_site.scope)
        if reason is not None:
            return reason
    return None


def _loop_around_caller(ctx: RuleContext, fit_site: CallSite, name: str) -> str | None:
    """`for opt in opts: train(model, opt)` where `train` re-compiles and fits the model it is given
    (or a module-level model): the loop is in the caller, the reuse is the same."""
    function = fit_site.scope.function
    if function is None or not _recompiled(ctx, name, fit_site.scope):
        return None
    local = [b for b in fit_site.scope.bindings.get(name, []) if b.kind != "param"]
    if local:
        return None  # built inside the function: a new model on every call
    param = function.param(name)
    position = function.call_position(name) if param is not None else None
    for call in function.calls:
        loops = [loop for loop in call.loops if loop.kind == "for"]
        if not loops:
            continue
        loop = loops[-1]
        if param is not None:
            passed = ctx.facts.resolver.argument_of(call.node, name, position)
            if not isinstance(passed, ast.Name) or _rebuilt_in(ctx, passed.id, loop, call.scope):
                continue
        elif _rebuilt_in(ctx, name, loop, call.scope):
            continue
        return f"{function.name}() re-compiles it and is called on each iteration of a loop"
    return None


@rule("model-reused-across-runs")
def check(ctx: RuleContext) -> None:
    for fit in ctx.facts.fits:
        receiver = fit.site.receiver
        if not isinstance(receiver, ast.Name) or not fit.models:
            continue
        name = receiver.id
        reason = _loop_in_same_scope(ctx, fit.site, name) if fit.site.loops \
            else _loop_around_caller(ctx, fit.site, name)
        if reason is not None:
            ctx.report(fit.call, {"model": name, "reason": reason})
