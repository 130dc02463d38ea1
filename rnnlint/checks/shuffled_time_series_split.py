"""shuffled-time-series-split: a shuffling split (train_test_split's default, KFold(shuffle=True))
applied to overlapping windows cut from one series, so test windows share values with training ones."""

from __future__ import annotations

import ast

from rnnlint.checks import RuleContext, rule
from rnnlint.facts.architecture import arg_value
from rnnlint.facts.series import window_evidence
from rnnlint.facts.values import Resolved
from rnnlint.facts.syntax import call_args, has_args

SHUFFLING_SPLITTERS = ("KFold", "StratifiedKFold", "RepeatedKFold", "ShuffleSplit", "StratifiedShuffleSplit")
ALWAYS_SHUFFLE = ("ShuffleSplit", "StratifiedShuffleSplit", "RepeatedKFold")


def _shuffles(facts, call: ast.Call, default: bool) -> tuple[ast.AST | None, bool | None]:
    expr, value = arg_value(facts, call, "shuffle")
    if expr is None:
        return None, default
    if isinstance(value, Resolved) and isinstance(value.value, (bool, int)):
        return expr, bool(value.value)
    return expr, None


@rule("shuffled-time-series-split")
def check(ctx: RuleContext) -> None:
    facts = ctx.facts
    splits = [*facts.calls_to("sklearn.model_selection.train_test_split"), *facts.index.method_calls("split")]
    for site in sorted(splits, key=lambda s: s.order):
        qualified = facts.qualname(site.node) or ""
        if qualified == "sklearn.model_selection.train_test_split":
            node, shuffles = _shuffles(facts, site.node, True)
            arrays = [a for a in site.node.args if not isinstance(a, ast.Starred)]
            if not shuffles or not arrays:
                continue
            evidence = window_evidence(facts, arrays[0], site.scope, site.order)
            if evidence is not None:
                ctx.report(node or site.node, {"split": "train_test_split", "shuffle": "shuffle=True" if node else
                                               "its default shuffle=True", "windows": evidence.description})
        elif site.method == "split" and has_args(site.node) and site.receiver is not None:
            for definition, _, _ in facts.definitions(site.receiver, site.scope, site.order):
                if not isinstance(definition, ast.Call):
                    continue
                splitter = (facts.qualname(definition) or "").rsplit(".", 1)[-1]
                if splitter not in SHUFFLING_SPLITTERS or not (facts.qualname(definition) or "").startswith("sklearn."):
                    continue
                node, shuffles = _shuffles(facts, definition, splitter in ALWAYS_SHUFFLE)
                if not shuffles:
                    continue
                evidence = window_evidence(facts, call_args(site.node)[0].value, site.scope, site.order)
                if evidence is not None:
                    ctx.report(node or definition, {"split": splitter, "shuffle": "shuffle=True" if node else
                                                    "shuffling", "windows": evidence.description})
