"""unscaled-inputs: raw numeric arrays reach `fit` with no scaling step on their path."""

from __future__ import annotations

import ast

from rnnlint.checks import RuleContext, rule
from rnnlint.facts.dataflow import Origin
from rnnlint.facts.names import SCALING_LAYERS
from rnnlint.facts.records import FitFact

# First layers that take ids or strings, not magnitudes: scaling does not apply to what they read.
ID_INPUT_LAYERS = frozenset({
    "Embedding", "TextVectorization", "StringLookup", "IntegerLookup", "Hashing", "CategoryEncoding",
})


def unscaled_origin(facts, flow, fit: FitFact) -> Origin | None:
    """The raw source an unscaled `fit` input comes from, or None when the input is (or may be) fine.

    Shared with missing-gradient-clipping, for which unscaled inputs are a risk amplifier.
    """
    cache = flow.__dict__.setdefault("_unscaled_cache", {})
    if fit in cache:
        return cache[fit]
    cache[fit] = result = _unscaled_origin(facts, flow, fit)
    return result


def _unscaled_origin(facts, flow, fit: FitFact) -> Origin | None:
    if fit.x is None or isinstance(fit.x, (ast.List, ast.Tuple, ast.Dict)) or not fit.models:
        return None  # multi-input models: which array feeds which input is not followed
    for model in fit.models:
        if model.kind == "loaded" or not model.layers:
            return None
        if model.has_layer(*SCALING_LAYERS):
            return None
        first = model.first_layer
        if first is None or first.kind in ID_INPUT_LAYERS:
            return None
    origins = flow.trace_origins(fit.x, fit.site.scope, fit.site.order)
    kinds = {origin.kind for origin in origins}
    if not origins or kinds & {"unknown", "scaled"}:
        return None
    raw = [origin for origin in origins if origin.kind in ("raw", "tokens")]
    return raw[0] if raw else None


@rule("unscaled-inputs")
def check(ctx: RuleContext) -> None:
    for fit in ctx.facts.fits:
        origin = unscaled_origin(ctx.facts, ctx.flow, fit)
        if origin is not None:
            ctx.report(fit.call, {"data": ctx.code(fit.x), "source": origin.description})
