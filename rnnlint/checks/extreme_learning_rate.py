"""extreme-learning-rate: a learning rate outside the usual range of its optimizer family."""

from __future__ import annotations

from rnnlint.checks import RuleContext, rule
from rnnlint.facts.architecture import arg_value
from rnnlint.facts.values import as_number


def _fmt(value: float) -> str:
    return f"{value:g}"


@rule("extreme-learning-rate")
def check(ctx: RuleContext) -> None:
    facts = ctx.facts
    bounds = ctx.threshold("bounds")
    typical = ctx.threshold("typical_range")
    scheduled = _scheduled_optimizers(facts)
    momentum_families = set(ctx.threshold("momentum_families"))
    reported: set[int] = set()
    for setting in facts.learning_rates:
        family = setting.family_hint
        if family is None or family not in bounds or id(setting.optimizer) in scheduled:
            continue
        low, high = float(bounds[family]["min"]), float(bounds[family]["max"])
        momentum = _momentum(facts, setting.optimizer) if family in momentum_families else None
        # a loop over several rates (a sweep) is judged value by value
        for candidate in facts.resolver.candidates(setting.value, setting.scope, setting.order):
            value = as_number(candidate)
            if value is None:
                continue
            # heavy-ball momentum sums past steps: each step is lr / (1 - momentum) once it settles
            step = value / (1.0 - momentum) if momentum else value
            if low <= step <= high or id(candidate.origin) in reported:
                continue
            reported.add(id(candidate.origin))
            above = step > high
            ctx.report(candidate.origin, {
                "parameter": setting.parameter,
                "value": _fmt(value) + (f" with momentum={_fmt(momentum)} (an effective step of "
                                        f"{_fmt(step)}: learning_rate / (1 - momentum))" if momentum else ""),
                "optimizer": setting.optimizer.name if setting.optimizer else "the optimizer",
                "bound": "above" if above else "below",
                "limit": _fmt(high if above else low),
                "family": family,
                "suggested": typical.get(family, f"{_fmt(low)} to {_fmt(high)}"),
            })


def _momentum(facts, optimizer) -> float | None:
    """The optimizer's momentum when the script sets it to a number in (0, 1); else None."""
    if optimizer is None or optimizer.form != "object" or optimizer.call is None:
        return None
    _, value = arg_value(facts, optimizer.call, "momentum", 1)
    momentum = as_number(value) if value is not None else None
    return momentum if momentum is not None and 0.0 < momentum < 1.0 else None


def _scheduled_optimizers(facts) -> set[int]:
    """Optimizers whose model is fit with a LearningRateScheduler: Keras sets the rate from the
    schedule at the start of every epoch, so the constructor's value never trains anything (the
    learning-rate range test starts at 1e-8 on purpose)."""
    scheduled: set[int] = set()
    for compile_fact in facts.compiles:
        for model in compile_fact.models:
            if any(callback.kind == "LearningRateScheduler"
                   for fit in facts.fits_of_model(model) for callback in fit.callbacks or ()):
                scheduled.update(id(optimizer) for optimizer in compile_fact.optimizers)
    return scheduled
