"""early-stopping-monitors-missing-metric: EarlyStopping watches a name that compile never logs.

Silent while early-stopping-without-validation holds for the same callback (that rule owns it).
"""

from __future__ import annotations

import ast

from rnnlint.checks import RuleContext, rule
from rnnlint.checks.early_stopping_without_validation import fit_validates, never_triggers
from rnnlint.facts.records import argument
from rnnlint.facts.training import compile_of_fit, early_stopping_uses, keras_flavour, metrics_of
from rnnlint.facts.syntax import unpacks


def logged_names(facts, use) -> list[str] | None:
    """What the fit logs (`loss`, the metrics' names, and their `val_` twins), or None when unknown."""
    compile_fact = compile_of_fit(facts, use.fit)
    if compile_fact is None or unpacks(compile_fact.call):
        return None
    model = use.fit.models[0]
    outputs = argument(model.node, "outputs", 1) if isinstance(model.node, ast.Call) else None
    if isinstance(outputs, (ast.List, ast.Tuple)) and len(outputs.elts) != 1 or \
            isinstance(outputs, ast.Dict) and len(outputs.keys) != 1:
        return None  # several outputs: Keras prefixes every name with the output's name
    loss = argument(compile_fact.call, "loss", 1)
    if isinstance(loss, (ast.List, ast.Tuple, ast.Dict)):
        return None
    metrics = metrics_of(facts, compile_fact)
    if metrics is None:
        return None
    names = ["loss", *[m.name for m in metrics]]
    if fit_validates(facts, use.fit) is not False:
        names += [f"val_{name}" for name in names]
    return names


def _old_keras_spelling(facts, monitor: str, names: list[str]) -> bool:
    """Standalone Keras 2.0-2.2 logged "accuracy" as "acc"; Keras 3 does not. With only `import keras`
    the version is unknown, so the acc/accuracy swap is not judged (tf.keras always logs the name given)."""
    if keras_flavour(facts) != "keras":
        return False
    prefix = "val_" if monitor.startswith("val_") else ""
    base = monitor[len(prefix):]
    twin = {"acc": "accuracy", "accuracy": "acc"}.get(base)
    return twin is not None and f"{prefix}{twin}" in names


def missing_metric(facts, use) -> list[str] | None:
    """The names the fit logs when the callback's monitor is not among them (and it can trigger at all);
    None when the monitor is logged or rnnlint cannot tell."""
    if not isinstance(use.monitor, str) or len(use.fit.models) != 1 or never_triggers(facts, use):
        return None
    names = logged_names(facts, use)
    if names is None or use.monitor in names or _old_keras_spelling(facts, use.monitor, names):
        return None
    return names


@rule("early-stopping-monitors-missing-metric")
def check(ctx: RuleContext) -> None:
    facts = ctx.facts
    reported: set[int] = set()
    for use in early_stopping_uses(facts):
        names = missing_metric(facts, use) if id(use.call) not in reported else None
        if names is None:
            continue
        reported.add(id(use.call))
        ctx.report(use.monitor_node or use.call, {
            "monitor": use.monitor, "available": ", ".join(names)})
