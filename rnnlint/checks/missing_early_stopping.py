"""missing-early-stopping: long training with no EarlyStopping among the fit's callbacks."""

from __future__ import annotations

import ast
import math

from rnnlint.checks import FixPlan, RuleContext, rule
from rnnlint.checks.fix_helpers import CstSite, KerasReference, append_argument, append_element, keras_reference, keyword_arg
from rnnlint.facts.names import dotted_name
from rnnlint.facts.records import FitFact, argument
from rnnlint.facts.scopes import CallSite
from rnnlint.facts.syntax import call_args, unpacks
from rnnlint.facts.values import Resolved, as_number
from rnnlint.findings import Applicability, Severity


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
    if isinstance(receiver, ast.Name):
        for binding in ctx.facts.resolver.bindings(receiver.id, fit.site.scope, fit.site.order):
            if binding.kind == "assign" and loop.contains(binding.order):
                return None, False
    iterable = loop.iterable
    if isinstance(iterable, ast.Call) and dotted_name(iterable.func) == "range":
        args = [ctx.facts.resolver.value(a.value, loop.scope, loop.order) for a in call_args(iterable)]
        numbers = [n for n in (as_number(a) for a in args) if n is not None]
        if numbers and len(numbers) == len(args):
            if len(numbers) == 1:
                return int(numbers[0]), True
            return max(0, int(numbers[1] - numbers[0])), True
    return None, True


@rule("missing-early-stopping")
def check(ctx: RuleContext) -> None:
    min_epochs = ctx.threshold("min_epochs")
    for fit in ctx.facts.fits:
        epochs = as_number(fit.epochs) if isinstance(fit.epochs, Resolved) else None
        if epochs is None or not math.isfinite(epochs) or fit.callbacks is None:
            continue
        if any(callback.is_early_stopping for callback in fit.callbacks):
            continue
        if not fit.has_validation and any(c.kind == "LearningRateScheduler" for c in fit.callbacks):
            continue  # a learning-rate range test: meant to run every epoch while the loss is watched
        iterations, epoch_loop = loop_iterations(ctx, fit)
        if epoch_loop and fit.site.loops and iterations is None and (
                fit.site.loops[-1].kind == "while" or fit.site.loops[-1].breaks):
            continue
        total = epochs * iterations if epoch_loop and iterations else epochs
        if total < min_epochs:
            continue
        shown = f"{int(total)}" if not (epoch_loop and iterations) else \
            f"{int(total)} ({iterations} loop iterations x {int(epochs)})"
        unused = _unused_early_stopping(ctx, fit)
        fix = _add_early_stopping(ctx, fit, unused) if not (epoch_loop and iterations) else None
        note = f" ({f'`{unused[0]}`' if unused[0] else 'an EarlyStopping'} is built but never passed to this fit)" \
            if unused else ""
        if not fit.has_validation:
            # EarlyStopping needs a validation signal first: the finding is real but less urgent
            note += "; it has no validation data either, so add validation_split or validation_data first"
        ctx.report(fit.call, {"epochs": shown, "note": note}, fix=fix,
                   severity=Severity.WARNING if fit.has_validation else Severity.INFO)


def _unused_early_stopping(ctx: RuleContext, fit: FitFact) -> tuple[str | None, CallSite] | None:
    """The classic: an EarlyStopping is built, but never reaches `callbacks=`. Returns the name it is
    bound to (or None) and its call site."""
    passed = {id(callback.call) for callback in fit.callbacks or () if callback.call is not None}
    for site in ctx.facts.calls_to("keras.callbacks.EarlyStopping"):
        if id(site.node) not in passed:
            bound = [name for scope in (site.scope,) for name, bindings in scope.bindings.items()
                     if any(b.value is site.node for b in bindings)]
            return (bound[0] if bound else None), site
    return None


def _add_early_stopping(ctx: RuleContext, fit: FitFact,
                        unused: tuple[str | None, CallSite] | None) -> FixPlan | None:
    """Add `EarlyStopping(monitor="val_loss", patience=N, restore_best_weights=True)` to the fit's
    callbacks: a new `callbacks=[...]`, or one more element of a literal list. An EarlyStopping that is
    built in the same scope but never passed is passed instead. Only with validation data to monitor;
    changes how long training runs and which weights are kept, so it is unsafe."""
    call = fit.call
    if not fit.has_validation or unpacks(call):
        return None
    written = argument(call, "callbacks", 5 if fit.method == "fit" else None)
    if written is not None and not isinstance(written, ast.List):
        return None  # callbacks from a variable or a function: we cannot see every use of them
    patience = int(ctx.threshold("default_patience"))
    name, site = unused if unused else (None, None)
    reference: KerasReference | None = None
    if name is not None and site is not None and site.scope is fit.site.scope and site.order < fit.site.order:
        description = f"pass `{name}` (an EarlyStopping built but never used) in callbacks"
    else:
        reference = keras_reference(ctx.facts, "callbacks", "EarlyStopping")
        if reference is None:
            return None
        description = f'add EarlyStopping(monitor="val_loss", patience={ctx.threshold("default_patience")}, restore_best_weights=True)'
        name = None

    def build(cst_site: CstSite):
        import libcst as cst

        if reference is None:
            callback: cst.BaseExpression = cst.Name(name or "")
            imports: tuple = ()
        else:
            expression, imports = reference.build(cst_site)
            space = cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))
            callback = cst.Call(func=expression, args=[
                keyword_arg("monitor", cst.SimpleString('"val_loss"')).with_changes(comma=space),
                keyword_arg("patience", cst.Integer(str(patience))).with_changes(comma=space),
                keyword_arg("restore_best_weights", cst.Name("True")),
            ])
        if written is None:
            old = cst_site.node(call, cst.Call)
            return ((old, append_argument(old, keyword_arg("callbacks", cst.List([cst.Element(callback)])))), *imports)
        old_list = cst_site.node(written, cst.List)
        return ((old_list, append_element(old_list, cst.Element(callback))), *imports)
    return FixPlan(description, Applicability.UNSAFE, build)
