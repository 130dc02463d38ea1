"""legacy-keras-api: removed or moved Keras APIs common in RNN scripts, with their replacement.

Each pattern's wording (what broke, what to use) lives in the catalog entry's `apis`.
"""

from __future__ import annotations

import ast

from rnnlint.checks import RuleContext, rule
from rnnlint.facts.names import RECURRENT_LAYERS
from rnnlint.facts.syntax import attribute_place, call_args, has_args, keyword_place

GENERATOR_METHODS = ("fit_generator", "evaluate_generator", "predict_generator")
REMOVED_MODEL_METHODS = ("predict_classes", "predict_proba")
KERAS3_ROOTS = ("keras.",)  # the standalone package; tensorflow.keras / tf_keras keep Keras 2


def _report(ctx: RuleContext, node, api: str, used: str) -> None:
    entry = ctx.spec.extra["apis"][api]
    ctx.report(node, {"api": used, "problem": entry["problem"].strip(), "replacement": entry["use"].strip()},
               api=api)


# Keywords only Keras's training methods take: with them, the receiver is a model even when it was
# built in another module.
KERAS_TRAINING_KEYWORDS = frozenset({"steps_per_epoch", "validation_steps", "epochs", "workers",
                                     "use_multiprocessing", "max_queue_size", "steps"})


def _is_model_call(facts, site) -> bool:
    if facts.model_candidates(site.receiver, site.scope, site.order):
        return True
    return any(arg.arg in KERAS_TRAINING_KEYWORDS for arg in site.node.keywords)


@rule("legacy-keras-api")
def check(ctx: RuleContext) -> None:
    facts = ctx.facts
    for site in facts.index.calls:
        call = site.node
        qualified = facts.qualname(call) or ""
        layer = facts.layer_from_call(call)
        if layer is not None and layer.kind in ("CuDNNLSTM", "CuDNNGRU"):
            _report(ctx, call.func, "cudnn_layers", layer.kind)
        elif layer is not None and layer.kind in RECURRENT_LAYERS:
            for arg in call.keywords:
                if arg.arg == "input_dim":
                    _report(ctx, keyword_place(arg), "input_dim", f"{layer.kind}(input_dim=...)")
        if site.method in GENERATOR_METHODS and site.receiver is not None and _is_model_call(facts, site):
            _report(ctx, attribute_place(call.func), "generator_methods", f"model.{site.method}")
        elif site.method in REMOVED_MODEL_METHODS and site.receiver is not None and _is_model_call(facts, site):
            _report(ctx, attribute_place(call.func), "predict_classes", f"model.{site.method}")
        if qualified.endswith("backend.set_value") or qualified.endswith("backend.get_value"):
            first = call_args(call)[0].value if has_args(call) else None
            if isinstance(first, ast.Attribute) and first.attr in ("lr", "learning_rate"):
                _report(ctx, call, "backend_learning_rate", qualified.rsplit(".", 2)[-2] + "." + qualified.rsplit(".", 1)[-1])
        optimizer = facts.optimizer_from_call(call)
        if optimizer is not None and optimizer.legacy_path:
            raw = facts.imports.raw(site.func_dotted or "") or ""
            if raw.startswith(KERAS3_ROOTS):
                _report(ctx, call.func, "legacy_optimizers", f"keras.optimizers.legacy.{optimizer.name}")
