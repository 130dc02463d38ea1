"""How arrays were built, for the data-ordering rules: sliding windows cut from one series (so that
neighbouring samples overlap), and arrays sorted or concatenated by class (so that their last rows
all hold one label). Followed backwards through assignments, unpacking, numpy wrappers, reshapes and
the script's own helper functions."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import ast

from rnnlint.facts.scopes import Binding, Scope, subscript_items
from rnnlint.facts.syntax import call_args, elements, has_args
from rnnlint.facts.values import Resolved

MAX_DEPTH = 24
WINDOW_FUNCTIONS = frozenset({
    "keras.utils.timeseries_dataset_from_array", "numpy.lib.stride_tricks.sliding_window_view",
})
WINDOW_SUFFIXES = ("TimeseriesGenerator", "sliding_window_view")
ARRAY_WRAPPERS = frozenset({
    "numpy.array", "numpy.asarray", "numpy.stack", "numpy.vstack", "numpy.float32", "numpy.expand_dims",
    "numpy.reshape", "numpy.squeeze", "numpy.atleast_3d", "tensorflow.convert_to_tensor", "tensorflow.constant",
    "list",
})
ARRAY_METHODS = frozenset({"reshape", "astype", "copy", "squeeze", "to_numpy", "values"})
SPLITTERS = frozenset({"sklearn.model_selection.train_test_split"})
SORT_FUNCTIONS = frozenset({"numpy.sort", "numpy.argsort", "numpy.lexsort"})
SHUFFLERS = frozenset({
    "sklearn.utils.shuffle", "numpy.random.permutation", "numpy.random.shuffle", "random.shuffle",
})
CONSTANT_FILLS = frozenset({"numpy.zeros", "numpy.ones", "numpy.full", "numpy.repeat", "numpy.tile"})
CONCATENATIONS = frozenset({"numpy.concatenate", "numpy.hstack", "numpy.vstack", "numpy.append", "pandas.concat"})


@dataclass(frozen=True)
class Evidence:
    node: ast.AST
    description: str


class _Tracer:
    def __init__(self, facts) -> None:
        self.facts = facts
        self.resolver = facts.resolver
        self.index = facts.index

    def bindings(self, name: str, scope: Scope, order: int) -> list[Binding]:
        return self.resolver.bindings(name, scope, order)

    def binding_sources(self, binding: Binding) -> Sequence[tuple[ast.expr | None, Scope, int]]:
        """The expressions a binding's value comes from (one element for an unpacked tuple)."""
        value, scope, order = binding.value, binding.scope, binding.order
        if binding.kind in ("assign", "with"):
            if isinstance(value, ast.List) and not value.elts:
                return self.index.appended_to(binding)
            return [(value, scope, order)]
        if binding.kind == "param":
            return self.resolver.param_sources(binding)
        if binding.kind == "unpack" and binding.path:
            index = binding.path[0]
            if isinstance(value, (ast.Tuple, ast.List)) and index < len(value.elts):
                element = elements(value)[index]
                if isinstance(element, ast.List) and not element.elts:
                    return self.index.appended_to(binding)
                return [(element, scope, order)]
            if isinstance(value, ast.Call):
                if self.facts.qualname(value) in SPLITTERS:
                    arrays = [a.value for a in call_args(value) if a.keyword is None]
                    return [(arrays[index // 2], scope, order)] if index // 2 < len(arrays) else []
                out = []
                for returned, r_scope, r_order in self.facts.returns_of(value):
                    if isinstance(returned, (ast.Tuple, ast.List)) and index < len(returned.elts):
                        out.append((elements(returned)[index], r_scope, r_order))
                return out
        return []


def _names_in(expr: ast.AST | None) -> set[str]:
    found: set[str] = set()
    if expr is None:
        return found

    found.update(node.id for node in ast.walk(expr) if isinstance(node, ast.Name))
    return found


def is_window_slice(expr: ast.AST) -> bool:
    """`series[i:i + n]`, `series[i - n:i]`, `data[i:i + n, 0]`: both bounds move with one index."""
    if not isinstance(expr, ast.Subscript):
        return False
    first = subscript_items(expr)[0]
    if not isinstance(first, ast.Slice) or first.lower is None or first.upper is None:
        return False
    shared = _names_in(first.lower) & _names_in(first.upper)
    return bool(shared) and (isinstance(first.lower, ast.BinOp) or isinstance(first.upper, ast.BinOp))


class WindowTracer(_Tracer):
    """Does an array come from sliding windows cut out of one series?"""

    def find(self, expr, scope: Scope, order: int) -> Evidence | None:
        return self._find(expr, scope, order, 0, set())

    def _find(self, expr, scope, order, depth, seen) -> Evidence | None:
        if expr is None or depth > MAX_DEPTH or (id(expr), order) in seen:
            return None
        seen.add((id(expr), order))
        step = lambda e, s=scope, o=order: self._find(e, s, o, depth + 1, seen)  # noqa: E731
        if is_window_slice(expr):
            return Evidence(expr, "sliding windows " + self.facts.segment(expr))
        if isinstance(expr, ast.Name):
            for binding in self.bindings(expr.id, scope, order):
                for source, s_scope, s_order in self.binding_sources(binding):
                    found = self._find(source, s_scope, s_order, depth + 1, seen)
                    if found is not None:
                        return found
            return None
        if isinstance(expr, (ast.ListComp, ast.GeneratorExp)):
            return step(expr.elt)
        if isinstance(expr, ast.Subscript):
            return step(expr.value)
        if isinstance(expr, ast.Attribute) and expr.attr in ARRAY_METHODS:
            return step(expr.value)
        if isinstance(expr, ast.Call):
            qualified = self.facts.qualname(expr) or ""
            if qualified in WINDOW_FUNCTIONS or qualified.endswith(WINDOW_SUFFIXES):
                return Evidence(expr, qualified.rsplit(".", 1)[-1])
            positional = [a for a in expr.args if not isinstance(a, ast.Starred)]
            if qualified in ARRAY_WRAPPERS:
                return step(positional[0]) if positional else None
            if isinstance(expr.func, ast.Attribute) and expr.func.attr in ARRAY_METHODS and not qualified:
                return step(expr.func.value)
            for returned, r_scope, r_order in self.facts.returns_of(expr):
                found = self._find(returned, r_scope, r_order, depth + 1, seen)
                if found is not None:
                    return found
        return None


class OrderTracer(_Tracer):
    """Was an array (the labels) sorted by class, or built as one block per class, and not shuffled since?

    Returns the evidence of the ordering, or None when it is unknown or a shuffle was seen on the way.
    """

    SHUFFLED = Evidence(ast.Name("_", ast.Load()), "shuffled")

    def find(self, expr, scope: Scope, order: int) -> Evidence | None:
        found = self._find(expr, scope, order, 0, set(), None)
        return None if found is self.SHUFFLED else found

    def _shuffled_in_place(self, name: str, binding: Binding) -> bool:
        sites = [*self.index.method_calls("shuffle"), *(s for q in SHUFFLERS for s in self.facts.calls_to(q))]
        for site in sites:
            if site.scope is binding.scope and site.order > binding.order and has_args(site.node):
                first = call_args(site.node)[0].value
                if isinstance(first, ast.Name) and first.id == name:
                    return True
        return False

    def _find(self, expr, scope, order, depth, seen, column) -> Evidence | None:
        if expr is None or depth > MAX_DEPTH or (id(expr), order) in seen:
            return None
        seen.add((id(expr), order))
        step = lambda e, c=column, s=scope, o=order: self._find(e, s, o, depth + 1, seen, c)  # noqa: E731
        if isinstance(expr, ast.Name):
            for binding in self.bindings(expr.id, scope, order):
                if self._shuffled_in_place(expr.id, binding):
                    return self.SHUFFLED
                for source, s_scope, s_order in self.binding_sources(binding):
                    found = self._find(source, s_scope, s_order, depth + 1, seen, column)
                    if found is not None:
                        return found
            return None
        if isinstance(expr, ast.Attribute):
            return step(expr.value) if expr.attr in ARRAY_METHODS | {"values"} else None
        if isinstance(expr, ast.Subscript) and len(subscript_items(expr)) == 1 \
                and not isinstance(expr.slice, ast.Slice):
            key = expr.slice
            resolved = self.resolver.value(key, scope, order)
            if isinstance(resolved, Resolved) and isinstance(resolved.value, str):
                return step(expr.value, resolved.value)  # df["label"]: remember the column
            permutation = self._index_kind(key, scope, order, expr.value)
            if permutation is not None:
                return permutation
            return step(expr.value)
        if isinstance(expr, ast.Subscript):
            return step(expr.value)
        if isinstance(expr, ast.Call):
            qualified = self.facts.qualname(expr) or ""
            positional = [a for a in expr.args if not isinstance(a, ast.Starred)]
            method = expr.func.attr if isinstance(expr.func, ast.Attribute) else None
            if qualified in SHUFFLERS or (method == "sample" and not qualified):
                return self.SHUFFLED
            if method == "sort_values" and not qualified:
                by: ast.expr | None = positional[0] if positional else next(
                    (a.value for a in expr.keywords if a.arg == "by"), None)
                sort_key = self.resolver.value(by, scope, order) if by is not None else None
                if isinstance(sort_key, Resolved) and column is not None and (
                        sort_key.value == column or isinstance(sort_key.value, (list, tuple)) and sort_key.value
                        and getattr(sort_key.value[0], "value", None) == column):
                    return Evidence(expr, f'sort_values("{column}")')
                return None  # sorted by another column (often time): that order is intended
            if qualified == "numpy.sort":
                return Evidence(expr, "np.sort")
            if qualified in CONCATENATIONS and positional:
                blocks = positional[0]
                if isinstance(blocks, (ast.List, ast.Tuple)) and len(blocks.elts) > 1 and all(
                        self._constant_block(e, scope, order) for e in elements(blocks)):
                    return Evidence(expr, "one block of labels per class")
                return None
            if qualified in ARRAY_WRAPPERS and positional:
                return step(positional[0])
            if isinstance(expr.func, ast.Attribute) and method in ARRAY_METHODS and not qualified:
                return step(expr.func.value)
            for returned, r_scope, r_order in self.facts.returns_of(expr):
                found = self._find(returned, r_scope, r_order, depth + 1, seen, column)
                if found is not None:
                    return found
            return None
        if isinstance(expr, ast.BinOp) and isinstance(expr.op, ast.Add):
            if self._constant_block(expr.left, scope, order) and self._constant_block(expr.right, scope, order):
                return Evidence(expr, "one block of labels per class")
        return None

    def _index_kind(self, key, scope, order, base) -> Evidence | None:
        """`y[idx]` where idx is a permutation (shuffled) or an argsort of the labels (sorted)."""
        if isinstance(key, ast.Name) and any(self._shuffled_in_place(key.id, b)
                                             for b in self.bindings(key.id, scope, order)):
            return self.SHUFFLED  # idx = np.arange(n); np.random.shuffle(idx)
        for definition, _, _ in self.facts.definitions(key, scope, order):
            if not isinstance(definition, ast.Call):
                continue
            qualified = self.facts.qualname(definition) or ""
            if qualified in SHUFFLERS or qualified.startswith("numpy.random.") or (
                    isinstance(definition.func, ast.Attribute) and definition.func.attr == "permutation"):
                return self.SHUFFLED
            if qualified == "numpy.argsort" and has_args(definition):
                return Evidence(definition, "np.argsort")
        return None

    def _constant_block(self, expr, scope, order) -> bool:
        """`np.zeros(n)`, `np.ones(len(pos))`, `[1] * n`, `np.full(n, k)`: every row holds one label."""
        if isinstance(expr, ast.Call):
            return (self.facts.qualname(expr) or "") in CONSTANT_FILLS
        if isinstance(expr, ast.BinOp) and isinstance(expr.op, ast.Mult):
            return any(isinstance(side, ast.List) and len(side.elts) == 1 for side in (expr.left, expr.right))
        if isinstance(expr, ast.Name):
            definitions = list(self.facts.definitions(expr, scope, order))
            return len(definitions) == 1 and definitions[0][0] is not expr and \
                self._constant_block(definitions[0][0], definitions[0][1], definitions[0][2])
        return False


def window_evidence(facts, expr, scope: Scope, order: int) -> Evidence | None:
    return WindowTracer(facts).find(expr, scope, order)


def class_order_evidence(facts, expr, scope: Scope, order: int) -> Evidence | None:
    return OrderTracer(facts).find(expr, scope, order)

