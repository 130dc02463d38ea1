"""Typed facts about the Keras objects in a script. Rules read these, never raw syntax trees."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import ast

from rnnlint.facts.names import RECURRENT_CELLS, RECURRENT_LAYERS, WRAPPER_LAYERS
from rnnlint.facts.scopes import CallSite

OPTIMIZER_FAMILIES = {
    "Adam": "adaptive", "AdamW": "adaptive", "Adamax": "adaptive", "Nadam": "adaptive",
    "RMSprop": "adaptive", "Lion": "adaptive", "Lamb": "adaptive", "Adafactor": "adaptive",
    "SGD": "sgd",
    "Adagrad": "adagrad", "Ftrl": "adagrad",
    "Adadelta": "adadelta",
}
# compile(optimizer="...") spellings Keras accepts, mapped to the class they build.
OPTIMIZER_STRINGS = {name.lower(): name for name in OPTIMIZER_FAMILIES}
KERAS_DEFAULT_OPTIMIZER = "RMSprop"  # what compile() uses when no optimizer is given
CLIPPING_ARGUMENTS = ("clipnorm", "clipvalue", "global_clipnorm")
UNBOUNDED_ACTIVATIONS = frozenset({
    "relu", "elu", "selu", "linear", "softplus", "exponential", "leaky_relu", "gelu", "swish",
    "silu", "relu6", "mish",
})


def keyword(call: ast.Call, name: str) -> ast.expr | None:
    for arg in call.keywords:
        if arg.arg == name:
            return arg.value
    return None


def positional(call: ast.Call, index: int) -> ast.expr | None:
    args = [a for a in call.args if not isinstance(a, ast.Starred)]
    return args[index] if index < len(args) else None


def argument(call: ast.Call, name: str, index: int | None = None) -> ast.expr | None:
    found = keyword(call, name)
    if found is None and index is not None:
        found = positional(call, index)
    return found


@dataclass(eq=False, repr=False)
class LayerFact:
    def __repr__(self) -> str:
        return f"<Layer {self.display}>"

    call: ast.Call
    kind: str  # the class name: "LSTM", "Dense", or a user-defined layer class
    site: CallSite
    inner: "LayerFact | None" = None  # the layer/cell inside Bidirectional, TimeDistributed, RNN(cell)
    applied_order: int | None = None  # where the layer is applied to a tensor (functional/subclassed)

    def arg(self, name: str, index: int | None = None) -> ast.expr | None:
        return argument(self.call, name, index)

    @property
    def is_recurrent(self) -> bool:
        if self.kind in RECURRENT_LAYERS:
            return True
        if self.kind in WRAPPER_LAYERS and self.inner is not None:
            return self.inner.is_recurrent
        return False

    @property
    def recurrent_core(self) -> "LayerFact | None":
        """The layer (or cell) that holds the recurrent arguments: LSTM inside Bidirectional, the cell
        inside RNN(cell)."""
        if self.kind in WRAPPER_LAYERS:
            return self.inner.recurrent_core if self.inner else None
        if self.kind == "RNN":
            return self.inner if self.inner is not None and self.inner.kind in RECURRENT_CELLS else self
        return self if self.kind in RECURRENT_LAYERS else None

    @property
    def display(self) -> str:
        if self.kind in WRAPPER_LAYERS and self.inner is not None:
            return f"{self.kind}({self.inner.display})"
        if self.kind == "RNN" and self.inner is not None:
            return f"RNN({self.inner.kind})"
        return self.kind


@dataclass(eq=False, repr=False)
class ModelFact:
    def __repr__(self) -> str:
        return f"<Model {self.kind} {[layer.display for layer in self.layers]}>"

    node: ast.AST  # the constructor call (or the class for a subclassed model)
    kind: str  # "sequential" | "functional" | "subclassed" | "loaded" | "clone"
    site: CallSite | None
    layers: list[LayerFact] = field(default_factory=list)
    edges: list[tuple[LayerFact, LayerFact]] = field(default_factory=list)
    input_shapes: list[tuple[Any, ...]] = field(default_factory=list)  # resolved Input/input_shape values
    complete: bool = True  # False when some layers could not be resolved

    @property
    def recurrent_layers(self) -> list[LayerFact]:
        return [layer for layer in self.layers if layer.is_recurrent]

    @property
    def first_layer(self) -> LayerFact | None:
        """The layer the inputs reach first. For graphs that is one nothing else feeds: source
        order misleads there, since `Dense(1)(GRU(8)(Embedding(...)(x)))` lists the outermost first."""
        candidates = [layer for layer in self.layers if layer.kind not in ("Input", "InputLayer")]
        if not candidates:
            return None
        if self.kind not in ("functional", "subclassed"):
            return candidates[0]
        fed = {id(consumer) for _, consumer in self.edges}
        sources = [layer for layer in candidates if id(layer) not in fed] or candidates
        return min(sources, key=lambda s: s.applied_order if s.applied_order is not None else s.site.order)

    def has_layer(self, *kinds: str) -> bool:
        return any(layer.kind in kinds or (layer.inner and layer.inner.kind in kinds) for layer in self.layers)


@dataclass(eq=False, repr=False)
class OptimizerFact:
    def __repr__(self) -> str:
        return f"<Optimizer {self.form} {self.name}>"

    node: ast.AST  # constructor call, the string literal, or the compile call (default)
    form: str  # "object" | "string" | "default"
    name: str  # "Adam"
    site: CallSite  # where its arguments are resolved
    call: ast.Call | None = None
    legacy_path: bool = False  # keras.optimizers.legacy.* spelling

    @property
    def family(self) -> str | None:
        return OPTIMIZER_FAMILIES.get(self.name)

    def arg(self, name: str, index: int | None = None) -> ast.expr | None:
        return argument(self.call, name, index) if self.call is not None else None

    @property
    def display(self) -> str:
        return f'"{self.name.lower()}"' if self.form == "string" else self.name


@dataclass(eq=False, repr=False)
class CompileFact:
    site: CallSite
    models: list[ModelFact]
    optimizers: list[OptimizerFact]  # several when the optimizer is a loop variable over a list
    optimizer_known: bool

    @property
    def call(self) -> ast.Call:
        return self.site.node


@dataclass(eq=False, repr=False)
class CallbackRef:
    kind: str | None  # "EarlyStopping", "ModelCheckpoint"... None when unresolved
    is_early_stopping: bool
    node: ast.AST
    call: ast.Call | None = None


@dataclass(eq=False, repr=False)
class FitFact:
    site: CallSite
    models: list[ModelFact]
    x: ast.expr | None
    y: ast.expr | None
    epochs: Any  # Resolved or UNKNOWN; Keras's default is 1
    callbacks: list[CallbackRef] | None  # None when they cannot be resolved
    has_validation: bool
    method: str  # "fit" | "fit_generator"

    @property
    def call(self) -> ast.Call:
        return self.site.node


@dataclass(eq=False, repr=False)
class ScalerFact:
    call: ast.Call
    kind: str  # "StandardScaler", "MinMaxScaler", "Normalization"...
    site: CallSite


@dataclass(eq=False, repr=False)
class ScalerFitFact:
    site: CallSite
    scaler: ScalerFact
    method: str  # fit | fit_transform | partial_fit | adapt
    data: ast.expr | None

    @property
    def call(self) -> ast.Call:
        return self.site.node


@dataclass(eq=False, repr=False)
class LearningRateSetting:
    """A learning rate given to an optimizer or schedule, or set later on a live optimizer."""

    value: ast.expr
    parameter: str  # "learning_rate", "lr", "initial_learning_rate", "assign"...
    optimizer: OptimizerFact | None
    scope_site: CallSite | None  # the call it belongs to (for scope/order), or None for an assignment
    scope: Any
    order: int
    family_hint: str | None  # when set after construction, the optimizer may be unknown
