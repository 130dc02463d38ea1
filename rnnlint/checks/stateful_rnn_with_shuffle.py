"""stateful-rnn-with-shuffle: a stateful recurrent model trained with shuffled batches, or never reset."""

from __future__ import annotations

from rnnlint.checks import RuleContext, rule
from rnnlint.checks.missing_early_stopping import loop_iterations
from rnnlint.facts.architecture import argument_holder, flag
from rnnlint.facts.training import fit_input, fit_shuffle
from rnnlint.facts.values import Resolved, as_number

RESET_METHODS = ("reset_states", "reset_state")


def _stateful_layer(facts, model):
    for layer in model.recurrent_layers:
        holder = argument_holder(layer)
        if flag(facts, holder, "stateful", False) is True:
            return holder
    return None


@rule("stateful-rnn-with-shuffle")
def check(ctx: RuleContext) -> None:
    facts = ctx.facts
    resets = bool(facts.index.method_calls(*RESET_METHODS))
    for fit in facts.fits:
        layers = [layer for layer in (_stateful_layer(facts, m) for m in fit.models) if layer is not None]
        if not layers or len(layers) != len(fit.models):
            continue
        feed = fit_input(facts, fit)
        cases = ctx.spec.extra["cases"]
        if feed.kind == "dataset" and feed.shuffle_call is not None:
            ctx.report(feed.shuffle_call, {"layer": layers[0].kind, "problem": cases["dataset_shuffle"].strip().format(
                fit=ctx.code(fit.call))}, case="dataset_shuffle")
            continue
        expr, shuffle = fit_shuffle(facts, fit)
        if not isinstance(shuffle, Resolved):
            continue
        if shuffle.value and feed.kind == "arrays":
            ctx.report(expr or fit.call, {"layer": layers[0].kind, "problem": cases["shuffle"].strip().format(
                shuffle="shuffle=True" if expr is not None else "the default shuffle=True")}, case="shuffle")
            continue
        if shuffle.value and feed.kind != "dataset":
            continue  # a generator or unknown input: fit's shuffle does not apply, and we cannot tell
        epochs = as_number(fit.epochs) if isinstance(fit.epochs, Resolved) else None
        _, epoch_loop = loop_iterations(ctx, fit)  # a loop that rebuilds the model starts from zero states
        if not resets and (epoch_loop or (epochs is not None and epochs > 1)):
            ctx.report(fit.call, {"layer": layers[0].kind, "problem": ctx.spec.extra["cases"]["no_reset"].strip()},
                       case="no_reset")
