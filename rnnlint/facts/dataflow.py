"""Where arrays come from: followed backwards through assignments, slices, reshapes, numpy/pandas
calls, `train_test_split` outputs and the script's own helper functions.

Two questions are answered here, for the data rules:
- `trace_origins`: does an array reach a raw data source (a CSV, `np.load`, a Keras dataset, token
  ids) without passing a scaling step?
- `role_of`: is an array a training part, a held-out part (test/validation), or a whole dataset that
  the script splits later?
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TypeGuard

import ast

from rnnlint.facts.names import dotted_name
from rnnlint.facts.scopes import Binding, Scope, subscript_items
from rnnlint.facts.syntax import call_args, elements, has_args, is_int_literal, is_number
from rnnlint.facts.values import Resolved

MAX_DEPTH = 30

RAW_SOURCES = {
    "pandas.read_csv", "pandas.read_excel", "pandas.read_parquet", "pandas.read_json",
    "pandas.read_table", "pandas.read_sql", "pandas.read_feather", "pandas.read_pickle",
    "pandas.read_hdf", "numpy.load", "numpy.loadtxt", "numpy.genfromtxt", "numpy.fromfile",
    "yfinance.download", "pandas_datareader.DataReader", "pandas_datareader.data.DataReader",
}
RAW_DATASETS = {"mnist", "fashion_mnist", "cifar10", "cifar100", "boston_housing", "california_housing"}
TOKEN_DATASETS = {"imdb", "reuters"}
TOKEN_SOURCES = {"keras.utils.pad_sequences"}
TOKEN_METHODS = {"texts_to_sequences", "texts_to_matrix"}
SCALING_FUNCTIONS = {
    "keras.utils.normalize", "keras.utils.to_categorical",
    "sklearn.preprocessing.scale", "sklearn.preprocessing.minmax_scale", "sklearn.preprocessing.normalize",
    "sklearn.preprocessing.robust_scale", "sklearn.preprocessing.maxabs_scale",
    "numpy.log", "numpy.log1p", "numpy.log2", "numpy.log10", "numpy.tanh", "numpy.arctan",
    "tensorflow.math.log", "tensorflow.math.log1p", "tensorflow.one_hot", "pandas.get_dummies",
    "tensorflow.image.per_image_standardization", "scipy.stats.zscore",
}
SCALING_METHODS = {"transform", "fit_transform", "pct_change", "div", "divide", "truediv", "rank"}
SYNTHETIC_FUNCTIONS = {"numpy.sin", "numpy.cos", "numpy.zeros", "numpy.ones", "numpy.eye"}
SYNTHETIC_METHODS = {"normal", "uniform", "random", "standard_normal", "random_sample", "rand", "randn"}
PASSTHROUGH_FUNCTIONS = {
    "numpy.array", "numpy.asarray", "numpy.reshape", "numpy.expand_dims", "numpy.concatenate",
    "numpy.stack", "numpy.vstack", "numpy.hstack", "numpy.dstack", "numpy.squeeze",
    "numpy.transpose", "numpy.float32", "numpy.float64", "numpy.atleast_2d", "numpy.atleast_3d",
    "numpy.copy", "numpy.roll", "numpy.diff", "numpy.append", "numpy.nan_to_num",
    "tensorflow.convert_to_tensor", "tensorflow.constant", "tensorflow.cast", "tensorflow.reshape",
    "tensorflow.expand_dims", "tensorflow.stack", "tensorflow.concat", "keras.ops.convert_to_tensor",
    "pandas.DataFrame", "pandas.Series", "pandas.concat", "list", "tuple", "np.array",
}
# tf.data / Keras dataset builders: the features are their first argument (or its first element).
DATASET_BUILDERS = {
    "tensorflow.data.Dataset.from_tensor_slices", "tensorflow.data.Dataset.from_tensors",
    "keras.utils.timeseries_dataset_from_array", "keras.preprocessing.sequence.TimeseriesGenerator",
}
DATASET_METHODS = {"batch", "shuffle", "prefetch", "cache", "repeat", "take", "skip", "unbatch",
                   "padded_batch", "with_options"}
PASSTHROUGH_METHODS = {
    "reshape", "astype", "to_numpy", "copy", "fillna", "dropna", "squeeze", "flatten", "ravel",
    "transpose", "shift", "diff", "interpolate", "ffill", "bfill", "reset_index", "set_index",
    "drop", "filter", "head", "tail", "sample", "tolist", "to_list", "numpy", "mean", "sum",
    "resample", "asfreq", "sort_index", "sort_values", "replace", "clip", "abs", "round",
    "expand_dims", "__getitem__", "get", "pop", "select_dtypes", "rename", "to_frame", "unstack",
    "stack", "melt", "pivot", "pivot_table", "merge", "join", "dropna", "iloc", "loc",
}
PASSTHROUGH_ATTRIBUTES = {"values", "T", "iloc", "loc", "data", "array"}
NON_DATA_ATTRIBUTES = {"shape", "size", "ndim", "dtype", "dtypes", "columns", "index", "name"}

_HELD_OUT_WORD = re.compile(r"(?:^|_|\d)(test|tst|val|valid|validation|holdout|dev|eval)(?:$|_|\d)")
_TRAIN_WORD = re.compile(r"(?:^|_|\d)(train|trn|tr|fit)(?:$|_|\d)")


def _small_int(text: str) -> bool:
    try:
        return abs(int(text)) <= 10
    except ValueError:
        return False


def _is_empty_list(value) -> TypeGuard[ast.List | ast.Call]:
    return (isinstance(value, ast.List) and not value.elts) or (
        isinstance(value, ast.Call) and dotted_name(value.func) == "list" and not has_args(value))


def name_words(name: str) -> str:
    """snake_case, with camelCase split: `XTest` -> `x_test`, `valLoss` -> `val_loss`."""
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])", "_", name).lower()


def role_from_name(name: str) -> str | None:
    words = name_words(name)
    if _HELD_OUT_WORD.search(words):
        return "validation" if re.search(r"val|dev|eval", words) else "test"
    if _TRAIN_WORD.search(words):
        return "train"
    return None


@dataclass(frozen=True)
class Origin:
    kind: str  # raw | tokens | synthetic | scaled | unknown
    node: ast.AST | None  # None only for an unknown origin whose binding records no node
    description: str


@dataclass(frozen=True)
class Role:
    role: str  # train | test | validation | whole (| subset, internal: some rows, role unknown)
    evidence: str  # how it was decided, for the message
    name: str  # the variable that carried it


class DataFlow:
    """Backward data-flow queries over one script's facts."""

    def __init__(self, facts) -> None:
        self.facts = facts
        self.index = facts.index
        self.resolver = facts.resolver
        self._split_roots: set[int] | None = None
        self._pair_slices: set[tuple[str, str]] | None = None
        self._through_scaling = False  # set for the duration of one trace_origins call

    # -- helpers ----------------------------------------------------------------------------
    def _qualname(self, call: ast.Call) -> str | None:
        return self.facts.qualname(call)

    def _code(self, node: ast.AST) -> str:
        """For messages: shortened."""
        return self.facts.source_text(node, 40)

    def _key(self, node: ast.AST) -> str:
        """For comparing slices: the whole text (two long bounds may share their first 40 characters)."""
        return self.facts.source_text(node)

    def _bindings(self, name: str, scope: Scope, order: int) -> list[Binding]:
        return self.resolver.bindings(name, scope, order)

    # -- origins ----------------------------------------------------------------------------
    def trace_origins(self, expr, scope: Scope, order: int, through_scaling: bool = False) -> list[Origin]:
        """The sources `expr` is computed from. A scaling step is itself an origin ("scaled") unless
        `through_scaling`: then it is followed to the data it scales, as a question about what the
        data carries (a NaN read from a file survives any scaler) rather than its magnitude."""
        out: list[Origin] = []
        self._through_scaling = through_scaling
        try:
            self._origins(expr, scope, order, 0, set(), out)
        finally:
            self._through_scaling = False
        return out

    def _origins(self, expr, scope, order, depth, seen: set, out: list[Origin]) -> None:
        if expr is None:
            return
        if depth > MAX_DEPTH:
            out.append(Origin("unknown", expr, "too deep"))
            return
        key = (id(expr), id(scope), order)
        if key in seen:
            return
        seen.add(key)
        follow = lambda e, s=scope, o=order: self._origins(e, s, o, depth + 1, seen, out)  # noqa: E731
        if isinstance(expr, ast.Name):
            bindings = self._bindings(expr.id, scope, order)
            if not bindings:
                out.append(Origin("unknown", expr, expr.id))
            for binding in bindings:
                self._binding_origins(binding, depth, seen, out)
            return
        if isinstance(expr, ast.Attribute):
            attr = expr.attr
            dotted = dotted_name(expr)
            if dotted and dotted.count(".") == 1 and self._bindings(dotted, scope, order):
                for binding in self._bindings(dotted, scope, order):
                    self._binding_origins(binding, depth, seen, out)
                return
            if attr in NON_DATA_ATTRIBUTES:
                return
            if attr in PASSTHROUGH_ATTRIBUTES:
                follow(expr.value)
                return
            if dotted and self.facts.imports.qualify(dotted):
                out.append(Origin("unknown", expr, dotted))  # a module attribute (np.pi): not data we know
                return
            follow(expr.value)  # df.Close: a column
            return
        if isinstance(expr, ast.Subscript):
            follow(expr.value)
            return
        if isinstance(expr, ast.BinOp):
            if isinstance(expr.op, (ast.Div, ast.FloorDiv)):
                if self._through_scaling:
                    follow(expr.left)
                else:
                    out.append(Origin("scaled", expr, "division"))
                return
            if isinstance(expr.op, ast.Mult) and not self._through_scaling:
                for side, other in ((expr.left, expr.right), (expr.right, expr.left)):
                    factor = self.resolver.value(side, scope, order)
                    if isinstance(factor, Resolved) and isinstance(factor.value, float) and abs(factor.value) < 1:
                        out.append(Origin("scaled", expr, "multiplication by a small factor"))
                        return
            follow(expr.left)
            follow(expr.right)
            return
        if isinstance(expr, (ast.List, ast.Tuple)):
            if not expr.elts:
                return
            for element in elements(expr):
                follow(element)
            return
        if isinstance(expr, (ast.ListComp, ast.GeneratorExp)):
            follow(expr.elt)
            return
        if is_number(expr):
            return
        if isinstance(expr, ast.Call):
            self._call_origins(expr, scope, order, depth, seen, out)
            return
        out.append(Origin("unknown", expr, type(expr).__name__))

    def _binding_origins(self, binding: Binding, depth, seen, out) -> None:
        follow = lambda e, s=binding.scope, o=binding.order: self._origins(e, s, o, depth + 1, seen, out)  # noqa: E731
        value = binding.value
        if binding.kind == "unpack" and isinstance(value, (ast.Tuple, ast.List)) and binding.path \
                and binding.path[0] < len(value.elts):
            value = elements(value)[binding.path[0]]  # `xs, ys = [], []`
        if binding.kind in ("assign", "with", "unpack") and _is_empty_list(value):
            appended = self.index.appended_to(binding)
            if not appended:
                out.append(Origin("unknown", value, "empty list"))
            for item, scope, order in appended:
                self._origins(item, scope, order, depth + 1, seen, out)
            return
        if binding.kind in ("assign", "with"):
            follow(value)
        elif binding.kind == "unpack":
            self._unpack_origins(binding, depth, seen, out)
        elif binding.kind == "param":
            sources = self.resolver.param_sources(binding)
            if not sources:
                out.append(Origin("unknown", binding.node, binding.name))
            for source, scope, order in sources:
                self._origins(source, scope, order, depth + 1, seen, out)
        elif binding.kind == "augassign":
            node = binding.node
            if isinstance(node, ast.AugAssign) and isinstance(node.op, (ast.Div, ast.FloorDiv)) \
                    and not self._through_scaling:
                out.append(Origin("scaled", node, "division"))
                return
            earlier = [b for b in self._bindings(binding.name, binding.scope, binding.order)
                       if b.order < binding.order]
            if not earlier:
                out.append(Origin("unknown", node, binding.name))
            for previous in earlier[-1:]:
                self._binding_origins(previous, depth + 1, seen, out)
        else:
            out.append(Origin("unknown", binding.node or ast.Name(binding.name, ast.Load()), binding.name))

    def _unpack_origins(self, binding: Binding, depth, seen, out) -> None:
        value = binding.value
        path = binding.path or ()
        follow = lambda e, s=binding.scope, o=binding.order: self._origins(e, s, o, depth + 1, seen, out)  # noqa: E731
        if isinstance(value, (ast.Tuple, ast.List)) and path and path[0] < len(value.elts):
            follow(elements(value)[path[0]])
            return
        if isinstance(value, ast.Call):
            qualified = self._qualname(value) or ""
            if qualified == "sklearn.model_selection.train_test_split" and path:
                arrays = [a.value for a in call_args(value) if a.keyword is None]
                if path[0] // 2 < len(arrays):
                    follow(arrays[path[0] // 2])
                    return
            returned = list(self.facts.returns_of(value))
            if returned:
                for expr, scope, order in returned:
                    if isinstance(expr, (ast.Tuple, ast.List)) and path and path[0] < len(expr.elts):
                        self._origins(elements(expr)[path[0]], scope, order, depth + 1, seen, out)
                    else:
                        self._origins(expr, scope, order, depth + 1, seen, out)
                return
        follow(value)

    def _call_origins(self, call: ast.Call, scope, order, depth, seen, out) -> None:
        follow = lambda e, s=scope, o=order: self._origins(e, s, o, depth + 1, seen, out)  # noqa: E731
        qualified = self._qualname(call) or ""
        func = call.func
        method = func.attr if isinstance(func, ast.Attribute) else None
        positional = [a for a in call.args if not isinstance(a, ast.Starred)]
        if qualified in RAW_SOURCES or (qualified.startswith("pandas.read_")):
            out.append(Origin("raw", call, self._code(call)))
            return
        if qualified.startswith("keras.datasets.") and qualified.endswith(".load_data"):
            dataset = qualified.split(".")[2]
            if dataset in TOKEN_DATASETS:
                out.append(Origin("tokens", call, self._code(call)))
            elif dataset in RAW_DATASETS:
                out.append(Origin("raw", call, self._code(call)))
            else:
                out.append(Origin("unknown", call, dataset))
            return
        if qualified in TOKEN_SOURCES or method in TOKEN_METHODS:
            out.append(Origin("tokens", call, self._code(call)))
            return
        if qualified in SCALING_FUNCTIONS or (method in SCALING_METHODS and not qualified):
            if not self._through_scaling:
                out.append(Origin("scaled", call, self._code(call)))
            elif positional:  # `scaler.transform(data)`, `minmax_scale(data)`
                follow(positional[0])
            elif isinstance(func, ast.Attribute):  # `df.pct_change()`
                follow(func.value)
            else:
                out.append(Origin("unknown", call, self._code(call)))
            return
        if qualified in SYNTHETIC_FUNCTIONS or qualified.startswith("numpy.random.") or (
                method in SYNTHETIC_METHODS and not qualified):
            out.append(Origin("synthetic", call, self._code(call)))
            return
        if qualified in DATASET_BUILDERS and positional:
            features = positional[0]
            if isinstance(features, (ast.Tuple, ast.List)) and features.elts:
                features = elements(features)[0]  # (x, y) pairs: judge the features
            follow(features)
            return
        if method in DATASET_METHODS and isinstance(func, ast.Attribute) and not qualified:
            follow(func.value)
            return
        if qualified in PASSTHROUGH_FUNCTIONS or qualified == "sklearn.model_selection.train_test_split":
            for arg in positional[:1] if qualified != "sklearn.model_selection.train_test_split" else positional:
                follow(arg)
            if not positional:
                out.append(Origin("unknown", call, self._code(call)))
            return
        if qualified:
            out.append(Origin("unknown", call, qualified))
            return
        returned = list(self.facts.returns_of(call))
        if returned:
            for expr, r_scope, r_order in returned:
                self._origins(expr, r_scope, r_order, depth + 1, seen, out)
            return
        if method in PASSTHROUGH_METHODS and isinstance(func, ast.Attribute):
            follow(func.value)
            return
        out.append(Origin("unknown", call, self._code(call)))

    # -- roles ------------------------------------------------------------------------------
    def role_of(self, expr, scope: Scope, order: int) -> Role | None:
        """train / test / validation from the split that produced the data (or its name); `whole`
        when the data is a dataset the script splits afterwards (or before, from a copy)."""
        visited: list[Binding] = []
        role = self._part_role(expr, scope, order, 0, set(), visited)
        if role is not None:
            return None if role.role == "subset" else role
        roots = {id(b) for b in visited}
        if roots & self._split_input_roots():
            label = expr.id if isinstance(expr, ast.Name) else self._code(expr)
            return Role("whole", "it is split into training and held-out parts afterwards", label)
        return None

    def _part_role(self, expr, scope, order, depth, seen, visited: list[Binding]) -> Role | None:
        if expr is None or depth > MAX_DEPTH:
            return None
        key = (id(expr), id(scope), order)
        if key in seen:
            return None
        seen.add(key)
        step = lambda e, s=scope, o=order: self._part_role(e, s, o, depth + 1, seen, visited)  # noqa: E731
        if isinstance(expr, ast.Name):
            for binding in self._bindings(expr.id, scope, order):
                visited.append(binding)
                role = self._binding_role(binding, depth, seen, visited)
                if role is not None:
                    return role
            named = role_from_name(expr.id)
            if named is not None and named != "train":
                return Role(named, "its name", expr.id)
            if named == "train":
                return Role("train", "its name", expr.id)
            return None
        if isinstance(expr, ast.Subscript):
            sliced = self._slice_role(expr, scope, order)
            if sliced is not None:
                return sliced
            if depth == 0 and self._is_row_subset(expr, scope, order):
                return Role("subset", "some rows", self._code(expr.value))
            return step(expr.value)
        if isinstance(expr, ast.Attribute):
            if expr.attr in NON_DATA_ATTRIBUTES:
                return None
            return step(expr.value)
        if isinstance(expr, ast.Call):
            func = expr.func
            qualified = self._qualname(expr) or ""
            method = func.attr if isinstance(func, ast.Attribute) else None
            positional = [a for a in expr.args if not isinstance(a, ast.Starred)]
            if method in PASSTHROUGH_METHODS and isinstance(func, ast.Attribute) and not qualified:
                return step(func.value)
            if qualified in PASSTHROUGH_FUNCTIONS or method in ("transform", "fit_transform"):
                roles = [step(arg) for arg in positional[:1] if arg is not None]
                return next((r for r in roles if r), None)
            return None
        if isinstance(expr, ast.BinOp):
            return step(expr.left) or step(expr.right)
        return None

    def _binding_role(self, binding: Binding, depth, seen, visited) -> Role | None:
        value = binding.value
        step = lambda e: self._part_role(e, binding.scope, binding.order, depth + 1, seen, visited)  # noqa: E731
        if binding.kind == "unpack" and isinstance(value, ast.Call):
            qualified = self._qualname(value) or ""
            path = binding.path or ()
            if qualified == "sklearn.model_selection.train_test_split" and path:
                if path[0] % 2 == 0:
                    return Role("train", "train_test_split", binding.name)
                named = role_from_name(binding.name)
                return Role(named if named in ("test", "validation") else "test", "train_test_split", binding.name)
            if qualified.startswith("keras.datasets.") and len(path) >= 2:
                return Role("train" if path[0] == 0 else "test", "load_data()", binding.name)
            return None
        if binding.kind == "unpack" and isinstance(value, (ast.Tuple, ast.List)) and binding.path:
            if binding.path[0] < len(value.elts):
                return step(elements(value)[binding.path[0]])
            return None
        if binding.kind in ("assign", "with"):
            return step(value)
        if binding.kind == "param":
            for source, scope, order in self.resolver.param_sources(binding):
                role = self._part_role(source, scope, order, depth + 1, seen, visited)
                if role is not None:
                    return role
        return None

    def _slice_role(self, expr: ast.Subscript, scope, order) -> Role | None:
        """Row slices of a split (`d[:k]`, `d[k:]`, `d[a:b]` between them) and fold indices `X[tr]`."""
        row = self._row_slice(expr)
        if row is not None:
            base, lower, upper = row
            # a cut at one of the script's split points, on this array or another one (the raw
            # series is often cut at the same index as its scaled copy)
            points = {bound for _, bound in self._split_bounds()}
            if lower is None and upper in points:
                return Role("train", "a row slice before the split point", base)
            if upper is None and lower in points:
                return Role("test", "a row slice after the split point", base)
            if lower is not None and upper is not None and (lower in points or upper in points):
                return Role("validation", "a row slice between the split points", base)
            if all(b is None or _small_int(b) for b in (lower, upper)):
                return None  # `d[:-1]`, `d[1:]`: a shift by a step, nearly all the rows
            return Role("subset", "some rows", base)
        first = subscript_items(expr)[0]
        if isinstance(first, ast.Name):
            for binding in self._bindings(first.id, scope, order):
                if binding.kind != "for" or not binding.path or not isinstance(binding.value, ast.Call):
                    continue
                call, path = binding.value, binding.path
                iterable: ast.expr = call
                if isinstance(call.func, ast.Name) and call.func.id == "enumerate" \
                        and has_args(call) and len(path) == 2 and path[0] == 1:
                    iterable, path = call_args(call)[0].value, path[1:]  # for i, (tr, te) in enumerate(...)
                if isinstance(iterable, ast.Call) and isinstance(iterable.func, ast.Attribute) \
                        and iterable.func.attr == "split":
                    base = self._code(expr.value)
                    return Role("train" if path[0] == 0 else "test", "a cross-validation fold", base)
        return None

    def _is_row_subset(self, expr: ast.Subscript, scope, order) -> bool:
        """`X[rows]`, `X[mask]`, `X[0]`: some rows, not a whole dataset (a column pick is not this)."""
        first = subscript_items(expr)[0]
        if isinstance(first, ast.Slice):
            return False
        value = self.resolver.value(first, scope, order)
        if isinstance(value, Resolved) and (isinstance(value.value, str) or (
                isinstance(value.value, list) and all(isinstance(v.value, str) for v in value.value))):
            return False  # df["Close"], df[["a", "b"]]: columns
        return True

    def _row_slice(self, sub: ast.Subscript) -> tuple[str, str | None, str | None] | None:
        """(base, lower, upper) of a row slice, bounds as keys: `0` and `len(base)` are open ends and
        an offset is dropped (`d[k - look_back:]` continues `d[:k]`); None for other subscripts."""
        first = subscript_items(sub)[0]
        if not isinstance(first, ast.Slice) or first.step is not None:
            return None
        value = sub.value
        if isinstance(value, ast.Attribute) and value.attr in ("iloc", "loc"):
            value = value.value
        base = self._key(value)
        lower = None if first.lower is None or self._key(first.lower) == "0" else self._bound_key(first.lower)
        upper = None if first.upper is None or self._key(first.upper) == f"len({base})" \
            else self._bound_key(first.upper)
        if lower is None and upper is None:
            return None  # `d[:, 0]`: every row
        return base, lower, upper

    def _bound_key(self, bound: ast.expr) -> str:
        while isinstance(bound, ast.BinOp) and isinstance(bound.op, (ast.Add, ast.Sub)) \
                and (is_int_literal(bound.right) or isinstance(bound.right, ast.Name)):
            bound = bound.left
        return self._key(bound)

    def _split_bounds(self) -> set[tuple[str, str]]:
        """(base, bound) where the rows of `base` are cut in two at `bound`: `d[:k]` with `d[k:]`,
        or with `d[k:m]` (a middle, validation part, whose own end must meet `d[m:]`)."""
        if self._pair_slices is None:
            heads, tails, middles = set(), set(), set()
            for sub, _, _ in self.index.subscripts:
                row = self._row_slice(sub)
                if row is None:
                    continue
                base, lower, upper = row
                if lower is None:
                    if upper is not None:  # `d[:]` cuts nothing
                        heads.add((base, upper))
                elif upper is None:
                    tails.add((base, lower))
                else:
                    middles.add((base, lower, upper))
            bounds = heads & tails
            for base, lower, upper in middles:
                if (base, lower) in heads or (base, upper) in tails:
                    bounds |= {(base, lower), (base, upper)}
            self._pair_slices = bounds
        return self._pair_slices

    def _split_input_roots(self) -> set[int]:
        """Bindings that flow into a split (train_test_split, a `[:k]`/`[k:]` pair, `kf.split`)."""
        if self._split_roots is not None:
            return self._split_roots
        roots: set[int] = set()
        inputs: list[tuple[ast.expr, Scope, int]] = []
        for site in [*self.facts.calls_to("sklearn.model_selection.train_test_split"),
                     *self.index.method_calls("split")]:
            qualified = self.facts.qualname(site.node) or ""
            if qualified == "sklearn.model_selection.train_test_split" or (
                    site.method == "split" and has_args(site.node) and qualified == ""):
                for arg in call_args(site.node):
                    if arg.keyword is None:
                        inputs.append((arg.value, site.scope, site.order))
        split_bases = {base for base, _ in self._split_bounds()}
        for sub, sub_scope, sub_order in self.index.subscripts:
            row = self._row_slice(sub)
            if row is not None and row[0] in split_bases:
                value = sub.value.value if isinstance(sub.value, ast.Attribute) else sub.value
                inputs.append((value, sub_scope, sub_order))
        for expr, scope, order in inputs:
            visited: list[Binding] = []
            self._collect_roots(expr, scope, order, 0, set(), visited)
            roots.update(id(b) for b in visited)
        self._split_roots = roots
        return roots

    def _collect_roots(self, expr, scope, order, depth, seen, visited: list[Binding]) -> None:
        """Bindings an expression's data flows from, through data-preserving steps and transforms."""
        if expr is None or depth > MAX_DEPTH:
            return
        key = (id(expr), id(scope), order)
        if key in seen:
            return
        seen.add(key)
        step = lambda e, s=scope, o=order: self._collect_roots(e, s, o, depth + 1, seen, visited)  # noqa: E731
        if isinstance(expr, ast.Name):
            for binding in self._bindings(expr.id, scope, order):
                visited.append(binding)
                if binding.kind in ("assign", "with"):
                    self._collect_roots(binding.value, binding.scope, binding.order, depth + 1, seen, visited)
                elif binding.kind == "unpack" and isinstance(binding.value, ast.Call):
                    for arg in call_args(binding.value):
                        self._collect_roots(arg.value, binding.scope, binding.order, depth + 1, seen, visited)
                elif binding.kind == "param":
                    for source, s, o in self.resolver.param_sources(binding):
                        self._collect_roots(source, s, o, depth + 1, seen, visited)
        elif isinstance(expr, (ast.Subscript, ast.Attribute)):
            if isinstance(expr, ast.Attribute) and expr.attr in NON_DATA_ATTRIBUTES:
                return
            step(expr.value)
        elif isinstance(expr, ast.Call):
            if isinstance(expr.func, ast.Attribute):
                step(expr.func.value)
            for arg in call_args(expr):
                step(arg.value)
            for returned, r_scope, r_order in self.facts.returns_of(expr):
                self._collect_roots(returned, r_scope, r_order, depth + 1, seen, visited)
        elif isinstance(expr, ast.BinOp):
            step(expr.left)
            step(expr.right)
        elif isinstance(expr, (ast.List, ast.Tuple)):
            for element in elements(expr):
                step(element)
