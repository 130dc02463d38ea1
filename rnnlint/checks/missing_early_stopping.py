"""missing-early-stopping: long training with no EarlyStopping among the fit's callbacks."""

from __future__ import annotations

import libcst as cst

from rnnlint.checks import RuleContext, rule
from rnnlint.facts.names import dotted_name
from rnnlint.facts.records import FitFact
from rnnlint.facts.values import Resolved, as_number


def loop_iterations(ctx: RuleContext, fit: FitFact) -> tuple[int | None, bool]:
    """(iterations, is_epoch_loop) for a manual epoch loop around `fit(epochs=k)`.

    A loop that rebuilds the model on each pass is an experiment loop, not an epoch loop.
    """
    if not fit.site.loops:
        return None, False
    loop = fit.site.loops[-1]
    if loop.kind == "while" or loop.breaks:
        return None, True  # trains until a criterion: that is a stopping rule of its own
    receiver = fit.site.receiver
    if isinstance(receiver, cst.Name):
        for binding in ctx.facts.resolver.bindings(receiver.value, fit.site.scope, fit.site.order):
            if binding.kind == "assign" and loop.contains(binding.order):
                return None, False
    iterable = loop.iterable
    if isinstance(iterable, cst.Call) and dotted_name(iterable.func) == "range":
        args = [ctx.facts.resolver.value(a.value, loop.scope, loop.order) for a in iterable.args]
        numbers = [as_number(a) for a in args]
        if numbers and all(n is not None for n in numbers):
            if len(numbers) == 1:
                return int(numbers[0]), True
            return max(0, int(numbers[1] - numbers[0])), True
    return None, True


@rule("missing-early-stopping")
def check(ctx: RuleContext) -> None:
    min_epochs = ctx.threshold("min_epochs")
    for fit in ctx.facts.fits:
        epochs = as_number(fit.epochs) if isinstance(fit.epochs, Resolved) else None
        if epochs is None or fit.callbacks is None:
            continue
        if any(callback.is_early_stopping for callback in fit.callbacks):
            continue
        iterations, epoch_loop = loop_iterations(ctx, fit)
        if epoch_loop and fit.site.loops and iterations is None and (
                fit.site.loops[-1].kind == "while" or fit.site.loops[-1].breaks):
            continue
        total = epochs * iterations if epoch_loop and iterations else epochs
        if total < min_epochs:
            continue
        shown = f"{int(total)}" if not (epoch_loop and iterations) else \
            f"{int(total)} ({iterations} loop iterations x {int(epochs)})"
        ctx.report(fit.call, {"epochs": shown, "note": _unused_early_stopping(ctx, fit)})


def _unused_early_stopping(ctx: RuleContext, fit: FitFact) -> str:
    """The classic: an EarlyStopping is built, but never reaches `callbacks=`."""
    passed = {id(callback.call) for callback in fit.callbacks or () if callback.call is not None}
    for site in ctx.facts.calls_to("keras.callbacks.EarlyStopping"):
        if id(site.node) not in passed:
            bound = [name for scope in (site.scope,) for name, bindings in scope.bindings.items()
                     if any(b.value is site.node for b in bindings)]
            what = f"`{bound[0]}`" if bound else "an EarlyStopping"
            return f" ({what} is built but never passed to this fit)"
    return ""
