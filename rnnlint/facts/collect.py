"""Build `ScriptFacts` from one parsed module: models and their layers, optimizers, compile and fit
calls, callbacks, scalers and learning-rate settings, each tied to its source node."""

from __future__ import annotations

from functools import cached_property
from pathlib import Path

import ast

from rnnlint.facts.names import dotted_name, is_legacy_optimizer_path
from rnnlint.facts.records import (
    KERAS_DEFAULT_OPTIMIZER, OPTIMIZER_FAMILIES, OPTIMIZER_STRINGS, CallbackRef, CompileFact,
    FitFact, LayerFact, LearningRateSetting, ModelFact, OptimizerFact, ScalerFact, ScalerFitFact,
    argument, keyword,
)
from rnnlint.facts.scopes import CallSite, ClassInfo, ModuleIndex, Scope
from rnnlint.facts.syntax import call_args, elements, has_args, string_value
from rnnlint.facts.values import Resolved, Resolver
from rnnlint.positions import SourceLines

MAX_DEPTH = 16
SKLEARN_SCALERS = frozenset({
    "StandardScaler", "MinMaxScaler", "RobustScaler", "MaxAbsScaler", "QuantileTransformer",
    "PowerTransformer",
})
SCALER_FIT_METHODS = frozenset({"fit", "fit_transform", "partial_fit", "adapt"})
SCHEDULE_FIRST_ARG = {  # the schedule's initial learning rate argument name
    "ExponentialDecay": "initial_learning_rate", "InverseTimeDecay": "initial_learning_rate",
    "PolynomialDecay": "initial_learning_rate", "CosineDecay": "initial_learning_rate",
    "CosineDecayRestarts": "initial_learning_rate",
}


class ScriptFacts:
    """Everything the rules know about one script. Built once per file."""

    def __init__(self, module: ast.Module, text: str, base_dir: Path | None = None) -> None:
        self.module = module
        self.lines = SourceLines(text)
        self.index = ModuleIndex(module)
        self.resolver = Resolver(self.index, base_dir)
        self.imports = self.index.imports
        self._layer_memo: dict[ast.Call, LayerFact] = {}
        self._model_memo: dict[ast.AST, ModelFact] = {}
        self._optimizer_memo: dict[ast.AST, OptimizerFact] = {}
        self._scaler_memo: dict[ast.Call, ScalerFact] = {}
        self._qualname: dict[ast.Call, str | None] = {}
        self._by_qualname: dict[str, list[CallSite]] = {}
        self._models: list[ModelFact] | None = None
        # what a call to a user function returns, per call: the same helper is often reached along
        # many paths (a chain of helpers each returning the next from two branches doubles per link)
        self._returned_models: dict[tuple[ast.Call, bool], list[ModelFact]] = {}
        self._returned_optimizers: dict[ast.Call, tuple[list[OptimizerFact], bool]] = {}
        for site in self.index.calls:
            qualified = self.imports.qualify(site.func_dotted) if site.func_dotted else None
            if qualified is None and site.func_dotted:
                qualified = self._qualify_alias(site.func_dotted)
            self._qualname[site.node] = qualified
            if qualified:
                self._by_qualname.setdefault(qualified, []).append(site)

    @classmethod
    def parse(cls, text: str, base_dir: Path | None = None) -> "ScriptFacts":
        """The facts of a text (for tests and tools; the engine parses once and passes the tree)."""
        return cls(ast.parse(text), text, base_dir)

    def _qualify_alias(self, dotted: str) -> str | None:
        """`RNN = layers.LSTM` at module level, then `RNN(64)`: one assignment, followed once."""
        head, _, rest = dotted.partition(".")
        bindings = self.index.module_scope.bindings.get(head, [])
        if len(bindings) != 1 or bindings[0].kind != "assign":
            return None
        target = dotted_name(bindings[0].value)
        if not target or target.partition(".")[0] == head:
            return None
        qualified = self.imports.qualify(target)
        return f"{qualified}.{rest}" if qualified and rest else qualified

    def source_text(self, node: ast.AST, limit: int | None = None) -> str:
        """A node's source on one line (whitespace collapsed), shortened to `limit` for messages."""
        text = " ".join(self.segment(node).split())
        return text if limit is None or len(text) <= limit else text[: limit - 3] + "..."

    def segment(self, node: ast.AST) -> str:
        """A node's source text as written (a node made up by the facts has none: its code instead)."""
        if getattr(node, "end_col_offset", None) is None:
            return ast.unparse(node)
        return self.lines.segment(node)

    def calls_to(self, qualified: str) -> list[CallSite]:
        """Call sites of one canonical name (`keras.callbacks.EarlyStopping`), in source order."""
        return self._by_qualname.get(qualified, [])

    # -- names ------------------------------------------------------------------------------
    def qualname(self, call: ast.Call) -> str | None:
        """The canonical qualified name of what a call calls (`keras.layers.LSTM`), if imported."""
        if call in self._qualname:
            return self._qualname[call]
        dotted = dotted_name(call.func)
        return self.imports.qualify(dotted) if dotted else None

    def site(self, call: ast.Call) -> CallSite:
        return self.index.call_scope[call]

    def is_keras(self, call: ast.Call, family: str) -> str | None:
        """The short class name when the call builds something from a Keras family."""
        qualified = self.qualname(call)
        if qualified and qualified.startswith(family + "."):
            return qualified[len(family) + 1:]
        return None

    def class_bases(self, info: ClassInfo, seen: frozenset = frozenset()) -> list[str]:
        """Qualified names of a class's bases, following user-defined classes."""
        out = []
        for base in info.bases:
            dotted = dotted_name(base)
            if not dotted:
                continue
            qualified = self.imports.qualify(dotted)
            if qualified:
                out.append(qualified)
            elif dotted in self.index.classes and dotted not in seen:
                out.extend(self.class_bases(self.index.classes[dotted], seen | {dotted}))
        return out

    def _user_class_kind(self, name: str | None) -> str | None:
        """'model', 'layer', 'early_stopping' or 'callback' for a user class that subclasses Keras."""
        if not name or name not in self.index.classes:
            return None
        bases = self.class_bases(self.index.classes[name])
        if any(b in ("keras.Model", "keras.Sequential") for b in bases):
            return "model"
        if "keras.callbacks.EarlyStopping" in bases:
            return "early_stopping"
        if any(b.startswith("keras.callbacks.") for b in bases):
            return "callback"
        if any(b.startswith("keras.layers.") for b in bases):
            return "layer"
        return None

    # -- generic tracing -----------------------------------------------------------------------
    def definitions(self, expr, scope: Scope, order: int, depth: int = 0, _expanded: dict | None = None):
        """Yield (expression, scope, order) for what a name/attribute may hold; the expr itself otherwise.

        Each binding is expanded once per query (again only if reached at a shallower depth): a name
        re-bound to itself in a loop reaches every binding from every binding, exponentially often.
        """
        if depth > MAX_DEPTH or expr is None:
            return
        expanded = {} if _expanded is None else _expanded
        name = None
        if isinstance(expr, ast.Name):
            name = expr.id
        elif isinstance(expr, ast.Attribute) and isinstance(expr.value, ast.Name):
            name = dotted_name(expr)
        if name is None:
            yield expr, scope, order
            return
        bindings = self.resolver.bindings(name, scope, order)
        if not bindings:
            yield expr, scope, order
            return
        for binding in bindings:
            if expanded.get(id(binding), MAX_DEPTH + 1) <= depth:
                continue
            expanded[id(binding)] = depth
            if binding.kind in ("assign", "with"):
                yield from self.definitions(binding.value, binding.scope, binding.order, depth + 1, expanded)
            elif binding.kind == "param":
                for source, source_scope, source_order in self.resolver.param_sources(binding):
                    yield from self.definitions(source, source_scope, source_order, depth + 1, expanded)
            elif binding.kind == "for":
                value = binding.value
                if isinstance(value, (ast.List, ast.Tuple)) and binding.index is None:
                    for element in elements(value):
                        yield from self.definitions(element, binding.scope, binding.order, depth + 1, expanded)
                elif isinstance(value, ast.Name):
                    for source, s_scope, s_order in self.definitions(value, binding.scope, binding.order,
                                                                     depth + 1, expanded):
                        if isinstance(source, (ast.List, ast.Tuple)) and binding.index is None:
                            for element in elements(source):
                                yield from self.definitions(element, s_scope, s_order, depth + 1, expanded)

    def returns_of(self, call: ast.Call):
        """Return expressions of the user function a call invokes (module functions and self.methods)."""
        dotted = dotted_name(call.func)
        if not dotted:
            return
        infos = self.index.functions.get(dotted, [])
        if dotted.startswith("self."):
            cls = self.site(call).scope.enclosing_class() if call in self.index.call_scope else None
            if cls is not None:
                infos = self.index.functions.get(f"{cls.name}.{dotted[5:]}", [])
        for info in infos:
            for expr, order in info.returns:
                yield expr, info.scope, order

    # -- layers -----------------------------------------------------------------------------
    def layer_from_call(self, call: ast.Call) -> LayerFact | None:
        if call in self._layer_memo:
            return self._layer_memo[call]
        if call not in self.index.call_scope:
            return None
        kind = self.is_keras(call, "keras.layers")
        if kind is None and self.qualname(call) == "keras.Input":
            kind = "Input"
        if kind is None and self._user_class_kind(dotted_name(call.func)) == "layer":
            kind = dotted_name(call.func)
        if kind is None or not kind[:1].isupper():
            return None
        layer = LayerFact(call, kind, self.site(call))
        self._layer_memo[call] = layer
        if kind in ("Bidirectional", "TimeDistributed", "RNN"):
            inner_expr = argument(call, "layer" if kind != "RNN" else "cell", 0)
            if inner_expr is not None:
                layer.inner = self.layer_of(inner_expr, layer.site.scope, layer.site.order)
        return layer

    def layer_of(self, expr, scope: Scope, order: int) -> LayerFact | None:
        for definition, _, _ in self.definitions(expr, scope, order):
            if isinstance(definition, ast.Call):
                layer = self.layer_from_call(definition)
                if layer is not None:
                    return layer
        return None

    # -- models -----------------------------------------------------------------------------
    @property
    def models(self) -> list[ModelFact]:
        """Every model the script builds, with `model.add(...)` layers attached (built once)."""
        if self._models is None:
            self._models = []  # set first: building resolves models, which must not rebuild
            for site in self.index.calls:
                self.model_from_call(site.node)
            self._attach_added_layers()
            unique = {id(m): m for m in self._model_memo.values()}
            self._models = sorted(unique.values(), key=lambda m: m.site.order if m.site else 0)
        return self._models

    def model_from_call(self, call: ast.Call) -> ModelFact | None:
        if call in self._model_memo:
            return self._model_memo[call]
        qualified = self.qualname(call)
        site = self.index.call_scope.get(call)
        if site is None:
            return None
        model: ModelFact | None = None
        if qualified == "keras.Sequential":
            model = ModelFact(call, "sequential", site)
            self._model_memo[call] = model
            layers_arg = argument(call, "layers", 0)
            if layers_arg is not None:
                self._sequential_layers(model, layers_arg, site)
        elif qualified == "keras.Model" and has_args(call):
            model = ModelFact(call, "functional", site)
            self._model_memo[call] = model
            outputs = argument(call, "outputs", 1)
            if outputs is not None:
                self._trace_functional(model, outputs, site.scope, site.order, set())
            else:
                model.complete = False
        elif qualified in ("keras.models.load_model",):
            model = ModelFact(call, "loaded", site, complete=False)
            self._model_memo[call] = model
        elif qualified == "keras.models.clone_model":
            model = ModelFact(call, "clone", site, complete=False)
            # memoised before resolving its source: `m = clone_model(m)` in a loop refers to itself
            self._model_memo[call] = model
            source = argument(call, "model", 0)
            original = self.model_of(source, site.scope, site.order) if source is not None else None
            if original is not None and original is not model:
                model.complete = original.complete
                model.layers = list(original.layers)
                model.edges = list(original.edges)
                model.input_shapes = list(original.input_shapes)
            self._model_memo[call] = model
        elif self._user_class_kind(dotted_name(call.func)) == "model":
            model = self._subclassed(call, site)
        return model

    def _sequential_layers(self, model: ModelFact, expr, site: CallSite) -> None:
        for definition, scope, order in self.definitions(expr, site.scope, site.order):
            if isinstance(definition, (ast.List, ast.Tuple)):
                previous = None
                for element in elements(definition):
                    layer = self.layer_of(element, scope, order)
                    if layer is None:
                        model.complete = False
                        continue
                    self._add_layer(model, layer, previous)
                    previous = layer
                return
        model.complete = False

    def _add_layer(self, model: ModelFact, layer: LayerFact, previous: LayerFact | None) -> None:
        if layer.kind == "Input":
            shape = self._shape(layer.call, "shape", 0)
            if shape is not None:
                model.input_shapes.append(shape)
        else:
            for name in ("input_shape", "batch_input_shape"):
                shape = self._shape(layer.call, name, None)
                if shape is not None:
                    model.input_shapes.append(shape[1:] if name == "batch_input_shape" else shape)
        model.layers.append(layer)
        if previous is not None and previous.kind != "Input":
            model.edges.append((previous, layer))

    def _shape(self, call: ast.Call, name: str, index: int | None):
        expr = argument(call, name, index)
        if expr is None:
            return None
        site = self.index.call_scope.get(call)
        if site is None:
            return None
        if isinstance(expr, (ast.Tuple, ast.List)):  # keep known dimensions even if some are not
            dims = []
            for element in elements(expr):
                resolved = self.resolver.value(element, site.scope, site.order)
                dims.append(resolved.value if isinstance(resolved, Resolved) else None)
            return tuple(dims)
        resolved = self.resolver.value(expr, site.scope, site.order)
        if isinstance(resolved, Resolved) and isinstance(resolved.value, (list, tuple)):
            return tuple(v.value if isinstance(v, Resolved) else None for v in resolved.value)
        return None

    def _attach_added_layers(self) -> None:
        """`model.add(layer)` calls, in source order, extend Sequential models."""
        previous: dict[int, LayerFact | None] = {}
        for site in self.index.method_calls("add"):
            if not has_args(site.node):
                continue
            model = self.model_of(site.receiver, site.scope, site.order, build=False)
            if model is None or model.kind != "sequential":
                continue
            layer = self.layer_of(call_args(site.node)[0].value, site.scope, site.order)
            if layer is None:
                model.complete = False
                continue
            last = previous.get(id(model), model.layers[-1] if model.layers else None)
            self._add_layer(model, layer, last)
            previous[id(model)] = layer

    def _trace_functional(self, model: ModelFact, expr, scope: Scope, order: int, seen: set,
                          depth: int = 0) -> list[LayerFact]:
        """Walk a functional graph backwards from an output tensor; returns the layers producing it."""
        if depth > 40 or expr is None or id(expr) in seen:
            return []
        seen.add(id(expr))
        if isinstance(expr, (ast.Name, ast.Attribute)) and not (
                isinstance(expr, ast.Attribute) and not isinstance(expr.value, ast.Name)):
            producers: list[LayerFact] = []
            found = False
            name = dotted_name(expr)
            for binding in self.resolver.bindings(name, scope, order) if name else []:
                if binding.kind in ("assign", "unpack"):  # `x, h, c = LSTM(..., return_state=True)(x)`
                    found = True
                    producers += self._trace_functional(model, binding.value, binding.scope,
                                                        binding.order, seen, depth + 1)
                elif binding.kind == "param":
                    found = True
                    sources = self.resolver.param_sources(binding)
                    for source, s_scope, s_order in sources:
                        producers += self._trace_functional(model, source, s_scope, s_order, seen, depth + 1)
            if not found and isinstance(expr, ast.Attribute):
                producers += self._trace_functional(model, expr.value, scope, order, seen, depth + 1)
            return producers
        if isinstance(expr, (ast.List, ast.Tuple)):
            out = []
            for element in elements(expr):
                out += self._trace_functional(model, element, scope, order, seen, depth + 1)
            return out
        if isinstance(expr, ast.Subscript):
            return self._trace_functional(model, expr.value, scope, order, seen, depth + 1)
        if isinstance(expr, ast.Call):
            layer = None
            if isinstance(expr.func, ast.Call):
                layer = self.layer_from_call(expr.func)
            elif isinstance(expr.func, (ast.Name, ast.Attribute)):
                own = self.layer_from_call(expr) if expr in self.index.call_scope else None
                if own is not None and own.kind == "Input":
                    self._record_input(model, own)
                    return []
                if own is None and self.qualname(expr) is None:
                    layer = self.layer_of(expr.func, scope, order)
            if layer is not None:
                if layer.applied_order is None:
                    layer.applied_order = self.index.call_scope[expr].order if expr in self.index.call_scope else order
                args = call_args(expr)
                inputs = [a.value for a in args if a.keyword is None][:1] or [a.value for a in args[:1]]
                producers = []
                for tensor in inputs:
                    producers += self._trace_functional(model, tensor, scope, order, seen, depth + 1)
                if layer not in model.layers:
                    model.layers.append(layer)
                for producer in producers:
                    model.edges.append((producer, layer))
                return [layer]
            # an op that is not a layer (tf.reduce_mean, concatenate([...]), x + y): follow its inputs
            out = []
            for arg in call_args(expr):
                out += self._trace_functional(model, arg.value, scope, order, seen, depth + 1)
            return out
        if isinstance(expr, ast.BinOp):
            return (self._trace_functional(model, expr.left, scope, order, seen, depth + 1)
                    + self._trace_functional(model, expr.right, scope, order, seen, depth + 1))
        return []

    def _record_input(self, model: ModelFact, input_layer: LayerFact) -> None:
        shape = self._shape(input_layer.call, "shape", 0)
        if shape is not None and shape not in model.input_shapes:
            model.input_shapes.append(shape)

    def _subclassed(self, call: ast.Call, site: CallSite) -> ModelFact:
        name = dotted_name(call.func)
        assert name is not None  # the caller found a user class by this name
        info = self.index.classes[name]
        key = info.node
        if key in self._model_memo:
            return self._model_memo[key]
        model = ModelFact(info.node, "subclassed", site)
        self._model_memo[key] = model
        self._model_memo[call] = model
        call_methods = self.index.functions.get(f"{info.name}.call", [])
        for method in call_methods:
            for expr, order in method.returns:
                self._trace_functional(model, expr, method.scope, order, set())
        # layers built in __init__ but not reached from call() still belong to the model
        for bindings in info.scope.bindings.values():
            for binding in bindings:
                for definition, _, _ in self.definitions(binding.value, binding.scope, binding.order):
                    candidates = [definition]
                    if isinstance(definition, (ast.List, ast.Tuple)):
                        candidates = elements(definition)
                    for candidate in candidates:
                        if isinstance(candidate, ast.Call):
                            layer = self.layer_from_call(candidate)
                            if layer is not None and layer not in model.layers:
                                model.layers.append(layer)
        return model

    def model_candidates(self, expr, scope: Scope, order: int, build: bool = True,
                         depth: int = 0) -> list[ModelFact]:
        if build and self._models is None:
            self.models  # noqa: B018 - `add` calls must be attached before anyone reads layers
        found: list[ModelFact] = []
        if depth > MAX_DEPTH:  # a recursive builder: `def build(n): return build(n - 1)`
            return found
        for definition, d_scope, d_order in self.definitions(expr, scope, order):
            if isinstance(definition, ast.Call):
                model = self.model_from_call(definition)
                if model is None:
                    for candidate in self._models_returned_by(definition, build, depth):
                        if candidate not in found:
                            found.append(candidate)
                elif model not in found:
                    found.append(model)
        return found

    def _models_returned_by(self, call: ast.Call, build: bool, depth: int) -> list[ModelFact]:
        key = (call, build)
        if key not in self._returned_models:
            self._returned_models[key] = []  # while it is being followed, a recursive call adds nothing
            found: list[ModelFact] = []
            for returned, r_scope, r_order in self.returns_of(call):
                found += self.model_candidates(returned, r_scope, r_order, build, depth + 1)
            self._returned_models[key] = found
        return self._returned_models[key]

    def model_of(self, expr, scope: Scope, order: int, build: bool = True) -> ModelFact | None:
        candidates = self.model_candidates(expr, scope, order, build)
        return candidates[0] if len(candidates) == 1 else None

    # -- optimizers -------------------------------------------------------------------------
    def optimizer_from_call(self, call: ast.Call) -> OptimizerFact | None:
        if call in self._optimizer_memo:
            return self._optimizer_memo[call]
        name = self.is_keras(call, "keras.optimizers")
        if name is None or name not in OPTIMIZER_FAMILIES or call not in self.index.call_scope:
            return None
        raw = self.imports.raw(dotted_name(call.func) or "") or ""
        fact = OptimizerFact(call, "object", name, self.site(call), call, is_legacy_optimizer_path(raw))
        self._optimizer_memo[call] = fact
        return fact

    def optimizers_of(self, expr, scope: Scope, order: int, depth: int = 0) -> tuple[list[OptimizerFact], bool]:
        """The optimizers an expression may be, and whether every possibility was understood."""
        found: list[OptimizerFact] = []
        known = True
        if depth > MAX_DEPTH:
            return found, False
        for definition, d_scope, d_order in self.definitions(expr, scope, order):
            text = string_value(definition)
            if text is not None:
                name = OPTIMIZER_STRINGS.get(str(text).lower())
                if name is None:
                    known = False
                    continue
                fact = self._optimizer_memo.get(definition)
                if fact is None:
                    fact = OptimizerFact(definition, "string", name, self._pseudo_site(d_scope, d_order))
                    self._optimizer_memo[definition] = fact
                found.append(fact)
            elif isinstance(definition, ast.Call):
                fact = self.optimizer_from_call(definition)
                if fact is None:
                    sub, sub_known = self._optimizers_returned_by(definition, depth)
                    found += sub
                    known = known and sub_known
                    continue
                found.append(fact)
            else:
                known = False
        return found, known and bool(found)

    def _optimizers_returned_by(self, call: ast.Call, depth: int) -> tuple[list[OptimizerFact], bool]:
        """What a call to a user function returns as optimizers; (no optimizers, not known) when the
        call is not to a user function, or is reached again while being followed (recursion)."""
        if call not in self._returned_optimizers:
            self._returned_optimizers[call] = ([], False)
            found: list[OptimizerFact] = []
            known = True
            returned = list(self.returns_of(call))
            for r_expr, r_scope, r_order in returned:
                sub, sub_known = self.optimizers_of(r_expr, r_scope, r_order, depth + 1)
                found += sub
                known = known and sub_known
            self._returned_optimizers[call] = (found, known and bool(returned))
        return self._returned_optimizers[call]

    def _pseudo_site(self, scope: Scope, order: int) -> CallSite:
        """Scope and order for a string optimizer, which has no call of its own."""
        return CallSite(ast.Call(func=ast.Name("_", ast.Load()), args=[], keywords=[]), scope, order, (), None)

    @cached_property
    def compiles(self) -> list[CompileFact]:
        out = []
        for site in self.index.method_calls("compile"):
            if site.receiver is None:
                continue
            models = self.model_candidates(site.receiver, site.scope, site.order)
            keras_like = any(keyword(site.node, k) is not None for k in ("optimizer", "loss", "metrics"))
            if not models and not keras_like:
                continue
            optimizer_expr = argument(site.node, "optimizer", 0)
            if optimizer_expr is None:
                fact = self._optimizer_memo.get(site.node)
                if fact is None:
                    fact = OptimizerFact(site.node, "default", KERAS_DEFAULT_OPTIMIZER, site)
                    self._optimizer_memo[site.node] = fact
                optimizers, known = [fact], True
            else:
                optimizers, known = self.optimizers_of(optimizer_expr, site.scope, site.order)
            out.append(CompileFact(site, models, optimizers, known))
        return out

    # -- fit --------------------------------------------------------------------------------
    @cached_property
    def fits(self) -> list[FitFact]:
        out = []
        for site in self.index.method_calls("fit", "fit_generator"):
            if site.receiver is None or site.method is None:
                continue
            if self.scaler_of(site.receiver, site.scope, site.order) is not None:
                continue
            models = self.model_candidates(site.receiver, site.scope, site.order)
            call = site.node
            keras_like = any(keyword(call, k) is not None for k in (
                "epochs", "callbacks", "validation_data", "validation_split", "batch_size", "steps_per_epoch"))
            if not models and not keras_like:
                continue
            epochs_expr = argument(call, "epochs", 3 if site.method == "fit" else 2) \
                or keyword(call, "nb_epoch")  # Keras 1 spelling, still in many tutorials
            if epochs_expr is None:
                epochs = Resolved(1, call)  # Keras's default
            else:
                epochs = self.resolver.value(epochs_expr, site.scope, site.order)
            split = keyword(call, "validation_split")
            split_value = self.resolver.value(split, site.scope, site.order) if split is not None else None
            has_validation = keyword(call, "validation_data") is not None or (
                split is not None and not (isinstance(split_value, Resolved) and not split_value.value))
            callbacks_expr = argument(call, "callbacks", 5 if site.method == "fit" else None)
            callbacks = [] if callbacks_expr is None else self.callbacks_of(callbacks_expr, site.scope, site.order)
            out.append(FitFact(site, models, argument(call, "x", 0), argument(call, "y", 1),
                               epochs, callbacks, has_validation, site.method))
        return out

    def callbacks_of(self, expr, scope: Scope, order: int, depth: int = 0) -> list[CallbackRef] | None:
        if depth > MAX_DEPTH:
            return None
        if isinstance(expr, (ast.List, ast.Tuple)):
            out: list[CallbackRef] = []
            for element in expr.elts:
                if isinstance(element, ast.Starred):
                    sub = self.callbacks_of(element.value, scope, order, depth + 1)
                else:
                    sub = self._callback_item(element, scope, order, depth + 1)
                if sub is None:
                    return None
                out += sub
            return out
        if isinstance(expr, ast.BinOp) and isinstance(expr.op, ast.Add):
            left = self.callbacks_of(expr.left, scope, order, depth + 1)
            right = self.callbacks_of(expr.right, scope, order, depth + 1)
            return None if left is None or right is None else left + right
        if isinstance(expr, ast.Name):
            bindings = self.resolver.bindings(expr.id, scope, order)
            if not bindings:
                return None
            out = []
            for binding in bindings:
                if binding.kind == "assign":
                    sub = self.callbacks_of(binding.value, binding.scope, binding.order, depth + 1)
                elif binding.kind == "augassign":
                    sub = self.callbacks_of(binding.value, binding.scope, binding.order, depth + 1)
                    earlier = self.resolver.bindings(expr.id, binding.scope, binding.order)
                    base = self.callbacks_of(expr, binding.scope, binding.order, depth + 1) if earlier else []
                    sub = None if sub is None or base is None else base + sub
                elif binding.kind == "param":
                    # unknown when no call site is readable or any source's callbacks are unknown
                    parts = [self.callbacks_of(source, s_scope, s_order, depth + 1)
                             for source, s_scope, s_order in self.resolver.param_sources(binding)]
                    sub = None if not parts or None in parts else [ref for part in parts if part for ref in part]
                else:
                    sub = None
                if sub is None:
                    return None
                out += sub
                # `callbacks.append(es)` after the list was built
                for site in self.index.method_calls("append", "extend"):
                    if isinstance(site.receiver, ast.Name) \
                            and site.receiver.id == expr.id and site.scope is binding.scope \
                            and binding.order < site.order and (site.scope is not scope or site.order < order) \
                            and has_args(site.node):
                        first = call_args(site.node)[0].value
                        if site.method == "append":
                            item = self._callback_item(first, site.scope, site.order, depth + 1)
                        else:
                            item = self.callbacks_of(first, site.scope, site.order, depth + 1)
                        if item is None:
                            return None
                        out += item
            return out
        if isinstance(expr, ast.Call):
            returned = list(self.returns_of(expr))
            if returned:
                out = []
                for r_expr, r_scope, r_order in returned:
                    sub = self.callbacks_of(r_expr, r_scope, r_order, depth + 1)
                    if sub is None:
                        return None
                    out += sub
                return out
        if isinstance(expr, ast.Constant) and expr.value is None:
            return []
        return None

    def _callback_item(self, expr, scope: Scope, order: int, depth: int) -> list[CallbackRef] | None:
        definitions = list(self.definitions(expr, scope, order, depth))
        out = []
        for definition, _, _ in definitions:
            if not isinstance(definition, ast.Call):
                return None
            qualified = self.qualname(definition)
            user_kind = self._user_class_kind(dotted_name(definition.func))
            if qualified and qualified.startswith("keras.callbacks."):
                kind = qualified.rsplit(".", 1)[-1]
                out.append(CallbackRef(kind, kind == "EarlyStopping", definition, definition))
            elif user_kind in ("early_stopping", "callback"):
                out.append(CallbackRef(dotted_name(definition.func), user_kind == "early_stopping",
                                       definition, definition))
            else:
                return None
        return out or None

    # -- scalers ----------------------------------------------------------------------------
    def scaler_from_call(self, call: ast.Call) -> ScalerFact | None:
        if call in self._scaler_memo:
            return self._scaler_memo[call]
        qualified = self.qualname(call) or ""
        kind = None
        if qualified.startswith("sklearn.preprocessing.") and qualified.rsplit(".", 1)[-1] in SKLEARN_SCALERS:
            kind = qualified.rsplit(".", 1)[-1]
        elif qualified == "keras.layers.Normalization":
            kind = "Normalization"
        if kind is None or call not in self.index.call_scope:
            return None
        fact = ScalerFact(call, kind, self.site(call))
        self._scaler_memo[call] = fact
        return fact

    def scaler_of(self, expr, scope: Scope, order: int) -> ScalerFact | None:
        for definition, _, _ in self.definitions(expr, scope, order):
            if isinstance(definition, ast.Call):
                scaler = self.scaler_from_call(definition)
                if scaler is not None:
                    return scaler
        return None

    @cached_property
    def scaler_fits(self) -> list[ScalerFitFact]:
        out = []
        for site in self.index.method_calls(*SCALER_FIT_METHODS):
            if site.receiver is None or site.method is None:
                continue
            scaler = self.scaler_of(site.receiver, site.scope, site.order)
            if scaler is None:
                continue
            data = argument(site.node, "X" if scaler.kind != "Normalization" else "data", 0)
            out.append(ScalerFitFact(site, scaler, site.method, data))
        return out

    # -- learning rates ---------------------------------------------------------------------
    @cached_property
    def learning_rates(self) -> list[LearningRateSetting]:
        out: list[LearningRateSetting] = []
        for site in self.index.calls:
            call = site.node
            optimizer = self.optimizer_from_call(call)
            if optimizer is not None:
                for name, index in (("learning_rate", 0), ("lr", None)):
                    expr = argument(call, name, index)
                    if expr is None:
                        continue
                    schedule = self._schedule_initial_rate(expr, site)
                    if schedule is not None:
                        value, schedule_site = schedule
                        out.append(LearningRateSetting(value, "initial_learning_rate", optimizer,
                                                       schedule_site, schedule_site.scope, schedule_site.order,
                                                       optimizer.family))
                    else:
                        out.append(LearningRateSetting(expr, name, optimizer, site, site.scope,
                                                       site.order, optimizer.family))
                    break
                continue
            # later changes on a live optimizer: opt.learning_rate.assign(x) / K.set_value(opt.lr, x)
            target, value = None, None
            args = call_args(call)
            if site.method == "assign" and isinstance(site.receiver, ast.Attribute) \
                    and site.receiver.attr in ("learning_rate", "lr") and args:
                target, value = site.receiver.value, args[0].value
            elif (self.qualname(call) or "").endswith("backend.set_value") and len(args) >= 2:
                first = args[0].value
                if isinstance(first, ast.Attribute) and first.attr in ("learning_rate", "lr"):
                    target, value = first.value, args[1].value
            if target is not None and value is not None:
                out.append(self._later_setting(target, value, "learning_rate", site.scope, site.order, site))
        for binding in self.index.attribute_assignments:
            if binding.name in ("learning_rate", "lr") and isinstance(binding.node, ast.Attribute):
                out.append(self._later_setting(binding.node.value, binding.value, binding.name,
                                               binding.scope, binding.order, None))
        return out

    def _later_setting(self, owner, value, parameter, scope, order, site) -> LearningRateSetting:
        optimizer = None
        # model.optimizer.lr: the optimizer compiled into that model
        if isinstance(owner, ast.Attribute) and owner.attr == "optimizer":
            for compile_fact in self.compiles:
                if compile_fact.models and set(compile_fact.models) & set(
                        self.model_candidates(owner.value, scope, order)) and len(compile_fact.optimizers) == 1:
                    optimizer = compile_fact.optimizers[0]
        else:
            optimizers, _ = self.optimizers_of(owner, scope, order)
            optimizer = optimizers[0] if len(optimizers) == 1 else None
        return LearningRateSetting(value, parameter, optimizer, site, scope, order,
                                   optimizer.family if optimizer else None)

    def _schedule_initial_rate(self, expr, site: CallSite):
        for definition, d_scope, d_order in self.definitions(expr, site.scope, site.order):
            if isinstance(definition, ast.Call):
                name = self.is_keras(definition, "keras.optimizers.schedules")
                if name is None or definition not in self.index.call_scope:
                    continue
                schedule_site = self.site(definition)
                if name == "PiecewiseConstantDecay":
                    values = argument(definition, "values", 1)
                    if isinstance(values, (ast.List, ast.Tuple)) and values.elts:
                        return elements(values)[0], schedule_site
                    return None
                initial = argument(definition, SCHEDULE_FIRST_ARG.get(name, "initial_learning_rate"), 0)
                if initial is not None:
                    return initial, schedule_site
        return None

    # -- misc -------------------------------------------------------------------------------
    def fits_of_model(self, model: ModelFact) -> list[FitFact]:
        return [fit for fit in self.fits if model in fit.models]
