"""The one traversal of a parsed module: imports, scopes, bindings, functions, loops and calls.

Everything later (values, models, data flow) is answered from these tables, so no rule walks the tree
again. Source order is kept as a counter (`order`) instead of positions: positions cost a second pass
and are only needed for the few nodes that end up in a finding.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import libcst as cst

from rnnlint.facts.names import ImportTable, dotted_name


@dataclass(eq=False, repr=False)
class Scope:
    def __repr__(self) -> str:
        return f"<Scope {self.kind}>"

    kind: str  # "module" | "function" | "class"
    node: cst.CSTNode
    parent: "Scope | None"
    bindings: dict[str, list["Binding"]] = field(default_factory=dict)
    function: "FunctionInfo | None" = None
    cls: "ClassInfo | None" = None

    def enclosing_class(self) -> "ClassInfo | None":
        scope: Scope | None = self
        while scope is not None:
            if scope.kind == "class":
                return scope.cls
            scope = scope.parent
        return None


@dataclass(eq=False, repr=False)
class Binding:
    """One assignment of a name (or `self.attr`, or `NAME[key]`) in a scope."""

    def __repr__(self) -> str:
        return f"<Binding {self.name} {self.kind} @{self.order}>"

    name: str
    kind: str  # assign | unpack | for | param | augassign | with | def | class | item | import
    value: cst.BaseExpression | None
    scope: Scope
    order: int
    loops: tuple["LoopInfo", ...]
    index: int | None = None  # position in a tuple unpacking target
    count: int | None = None  # number of targets in that unpacking (starred targets make it None)
    key: cst.BaseExpression | None = None  # for item bindings: the subscript
    node: cst.CSTNode | None = None
    path: tuple[int, ...] | None = None  # position in (possibly nested) unpacking: (1, 0) for a in (_, (a, b))


@dataclass(eq=False, repr=False)
class FunctionInfo:
    node: cst.FunctionDef
    name: str
    scope: Scope  # the function's own scope
    params: list[cst.Param]
    returns: list[tuple[cst.BaseExpression, int]] = field(default_factory=list)
    calls: list["CallSite"] = field(default_factory=list)  # call sites of this function (by name)

    def param_index(self, name: str) -> int | None:
        for index, param in enumerate(self.params):
            if param.name.value == name:
                return index
        return None

    def param(self, name: str) -> cst.Param | None:
        index = self.param_index(name)
        return None if index is None else self.params[index]

    @property
    def is_method(self) -> bool:
        return bool(self.params) and self.params[0].name.value in ("self", "cls")

    def is_receiver(self, name: str) -> bool:
        """`self`/`cls`: bound by the call's receiver, never by one of its arguments."""
        return self.is_method and self.params[0].name.value == name

    def call_position(self, name: str) -> int | None:
        """Where a call site passes this parameter positionally (`obj.m(a)` passes a method's
        second parameter first); None for the receiver and for keyword-only parameters."""
        index = self.param_index(name)
        positional = len(self.node.params.posonly_params) + len(self.node.params.params)
        if index is None or index >= positional or self.is_receiver(name):
            return None
        return index - 1 if self.is_method else index


@dataclass(eq=False, repr=False)
class ClassInfo:
    node: cst.ClassDef
    name: str
    bases: list[cst.BaseExpression]
    scope: Scope


@dataclass(eq=False, repr=False)
class LoopInfo:
    node: cst.CSTNode  # For or While
    kind: str  # "for" | "while"
    scope: Scope
    target_names: tuple[str, ...]
    iterable: cst.BaseExpression | None
    test: cst.BaseExpression | None
    order: int
    parent: "LoopInfo | None"
    breaks: list[cst.Break] = field(default_factory=list)
    end_order: int = 0

    def contains(self, order: int) -> bool:
        return self.order <= order <= self.end_order


@dataclass(eq=False, repr=False)
class CallSite:
    def __repr__(self) -> str:
        return f"<CallSite {self.func_dotted} @{self.order}>"

    node: cst.Call
    scope: Scope
    order: int
    loops: tuple[LoopInfo, ...]  # innermost last, within the same function
    func_dotted: str | None  # `keras.layers.LSTM`, `model.fit`... as written
    in_comprehension: bool = False
    conditions: tuple[int, ...] = ()  # orders of the enclosing `if` statements (same scope)
    method: str | None = None  # `fit` for `anything.fit(...)`
    receiver: cst.BaseExpression | None = None  # `anything` in `anything.fit(...)`

    def __post_init__(self) -> None:
        func = self.node.func
        if isinstance(func, cst.Attribute):
            self.method = func.attr.value
            self.receiver = func.value


def _target_names(target: cst.BaseExpression) -> list[str]:
    if isinstance(target, cst.Name):
        return [target.value]
    if isinstance(target, (cst.Tuple, cst.List)):
        names: list[str] = []
        for element in target.elements:
            names.extend(_target_names(element.value))
        return names
    return []


class ModuleIndex(cst.CSTVisitor):
    """Collects the tables above in a single visit of the module."""

    def __init__(self, module: cst.Module) -> None:
        self.module = module
        self.imports = ImportTable()
        self.module_scope = Scope("module", module, None)
        self.scopes: list[Scope] = [self.module_scope]
        self.functions: dict[str, list[FunctionInfo]] = {}
        self.classes: dict[str, ClassInfo] = {}
        self.calls: list[CallSite] = []
        self.loops: list[LoopInfo] = []
        # every `<expr>.attr = value` assignment (model.optimizer.lr = ..., opt.learning_rate = ...)
        self.attribute_assignments: list[Binding] = []
        self.call_scope: dict[cst.Call, CallSite] = {}
        self.calls_by_method: dict[str, list[CallSite]] = {}
        # every subscript with its scope and order, for the data-split queries (no 2nd walk)
        self.subscripts: list[tuple[cst.Subscript, Scope, int]] = []
        self.order = 0
        self._scope = self.module_scope
        self._loop_stack: list[LoopInfo] = []
        self._loop_stack_saved: list[list[LoopInfo]] = []
        self._if_stack: list[int] = []
        self._if_stack_saved: list[list[int]] = []
        self._comprehension_depth = 0
        module.visit(self)
        self._link_function_calls()

    # -- helpers -----------------------------------------------------------------------------
    def _tick(self) -> int:
        self.order += 1
        return self.order

    def _bind(self, name: str, kind: str, value, node=None, index=None, count=None, key=None,
              scope: Scope | None = None, path: tuple[int, ...] | None = None) -> None:
        target_scope = scope or self._scope
        if path is None and index is not None:
            path = (index,)
        binding = Binding(name, kind, value, target_scope, self._tick(), tuple(self._loop_stack),
                          index=index, count=count, key=key, node=node, path=path)
        target_scope.bindings.setdefault(name, []).append(binding)

    def _bind_target(self, target: cst.BaseExpression, value, kind: str, node,
                     path: tuple[int, ...] = ()) -> None:
        if isinstance(target, cst.Name):
            self._bind(target.value, kind, value, node)
        elif isinstance(target, (cst.Tuple, cst.List)):
            elements = target.elements
            starred = any(isinstance(e, cst.StarredElement) for e in elements)
            for index, element in enumerate(elements):
                inner = element.value
                if isinstance(inner, cst.Name):
                    nested = bool(path)
                    self._bind(inner.value, "unpack" if kind == "assign" else kind, value, node,
                               index=None if starred or nested else index,
                               count=None if starred or nested else len(elements),
                               path=None if starred else (*path, index))
                elif isinstance(inner, (cst.Tuple, cst.List)) and not starred:
                    self._bind_target(inner, value, kind, node, (*path, index))
        elif isinstance(target, cst.Attribute):
            # every `<expr>.attr = value`, for the facts that look for setters (`opt.lr = ...`)
            self.attribute_assignments.append(Binding(
                target.attr.value, kind, value, self._scope, self._tick(), tuple(self._loop_stack),
                node=target))
            if isinstance(target.value, cst.Name):  # `name.attr` is also a binding values can read
                owner = target.value.value
                if owner == "self":
                    cls = self._scope.enclosing_class()
                    if cls is not None:
                        self._bind(f"self.{target.attr.value}", kind, value, node, scope=cls.scope)
                else:
                    self._bind(f"{owner}.{target.attr.value}", kind, value, node)
        elif isinstance(target, cst.Subscript) and isinstance(target.value, cst.Name):
            if len(target.slice) == 1 and isinstance(target.slice[0].slice, cst.Index):
                self._bind(target.value.value, "item", value, node, key=target.slice[0].slice.value)

    def _push_scope(self, kind: str, node) -> Scope:
        scope = Scope(kind, node, self._scope)
        self.scopes.append(scope)
        self._scope = scope
        self._loop_stack_saved.append(self._loop_stack)
        self._loop_stack = []
        self._if_stack_saved.append(self._if_stack)
        self._if_stack = []
        return scope

    def _pop_scope(self) -> None:
        assert self._scope.parent is not None
        self._scope = self._scope.parent
        self._loop_stack = self._loop_stack_saved.pop()
        self._if_stack = self._if_stack_saved.pop()

    # -- imports -----------------------------------------------------------------------------
    def visit_Import(self, node: cst.Import) -> None:
        self.imports.add_import(node)

    def visit_ImportFrom(self, node: cst.ImportFrom) -> None:
        self.imports.add_import_from(node)

    # -- scopes ------------------------------------------------------------------------------
    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        self._bind(node.name.value, "def", None, node)
        scope = self._push_scope("function", node)
        params = [*node.params.posonly_params, *node.params.params, *node.params.kwonly_params]
        info = FunctionInfo(node, node.name.value, scope, params)
        scope.function = info
        if scope.parent is not None and scope.parent.kind == "module":
            self.functions.setdefault(node.name.value, []).append(info)
        elif scope.parent is not None and scope.parent.kind == "class" and scope.parent.cls:
            self.functions.setdefault(f"{scope.parent.cls.name}.{node.name.value}", []).append(info)
        for param in params:
            self._bind(param.name.value, "param", param.default, param)

    def leave_FunctionDef(self, original_node: cst.FunctionDef) -> None:
        self._pop_scope()

    def visit_ClassDef(self, node: cst.ClassDef) -> None:
        self._bind(node.name.value, "class", None, node)
        scope = self._push_scope("class", node)
        info = ClassInfo(node, node.name.value, [arg.value for arg in node.bases], scope)
        scope.cls = info
        self.classes.setdefault(node.name.value, info)

    def leave_ClassDef(self, original_node: cst.ClassDef) -> None:
        self._pop_scope()

    def visit_Lambda(self, node: cst.Lambda) -> bool:
        return False  # lambdas hold no training code worth following

    # -- bindings ----------------------------------------------------------------------------
    def leave_Assign(self, original_node: cst.Assign) -> None:
        for target in original_node.targets:
            self._bind_target(target.target, original_node.value, "assign", original_node)

    def leave_AnnAssign(self, original_node: cst.AnnAssign) -> None:
        if original_node.value is not None:
            self._bind_target(original_node.target, original_node.value, "assign", original_node)

    def leave_AugAssign(self, original_node: cst.AugAssign) -> None:
        for name in _target_names(original_node.target):
            self._bind(name, "augassign", original_node.value, original_node)

    def visit_WithItem(self, node: cst.WithItem) -> None:
        if node.asname is not None:
            for name in _target_names(node.asname.name):
                self._bind(name, "with", node.item, node)

    def visit_Return(self, node: cst.Return) -> None:
        info = self._scope.function
        if info is not None and node.value is not None:
            info.returns.append((node.value, self._tick()))

    # -- loops -------------------------------------------------------------------------------
    def visit_For(self, node: cst.For) -> None:
        names = tuple(_target_names(node.target))
        loop = LoopInfo(node, "for", self._scope, names, node.iter, None, self._tick(),
                        self._loop_stack[-1] if self._loop_stack else None)
        self.loops.append(loop)
        self._loop_stack.append(loop)
        self._bind_target(node.target, node.iter, "for", node)

    def leave_For(self, original_node: cst.For) -> None:
        self._loop_stack.pop().end_order = self._tick()

    def visit_While(self, node: cst.While) -> None:
        loop = LoopInfo(node, "while", self._scope, (), None, node.test, self._tick(),
                        self._loop_stack[-1] if self._loop_stack else None)
        self.loops.append(loop)
        self._loop_stack.append(loop)

    def leave_While(self, original_node: cst.While) -> None:
        self._loop_stack.pop().end_order = self._tick()

    def visit_If(self, node: cst.If) -> None:
        self._if_stack.append(self._tick())

    def leave_If(self, original_node: cst.If) -> None:
        self._if_stack.pop()

    def visit_Break(self, node: cst.Break) -> None:
        if self._loop_stack:
            self._loop_stack[-1].breaks.append(node)

    # -- comprehensions: their targets are not followed, their calls are still seen -----------
    def visit_ListComp(self, node) -> None:
        self._comprehension_depth += 1

    def leave_ListComp(self, original_node) -> None:
        self._comprehension_depth -= 1

    visit_GeneratorExp = visit_SetComp = visit_DictComp = visit_ListComp
    leave_GeneratorExp = leave_SetComp = leave_DictComp = leave_ListComp

    # -- calls -------------------------------------------------------------------------------
    def visit_Call(self, node: cst.Call) -> None:
        site = CallSite(node, self._scope, self._tick(), tuple(self._loop_stack),
                        dotted_name(node.func), self._comprehension_depth > 0, tuple(self._if_stack))
        self.calls.append(site)
        self.call_scope[node] = site
        if site.method is not None:
            self.calls_by_method.setdefault(site.method, []).append(site)

    def visit_Subscript(self, node: cst.Subscript) -> None:
        if node.slice:
            self.subscripts.append((node, self._scope, self._tick()))

    def appended_to(self, binding: Binding) -> list[tuple[cst.BaseExpression, Scope, int]]:
        """`xs = []` then `xs.append(value)` / `xs.extend(values)`: what is added to the list after
        that binding, in its scope (the usual way windows are built in a loop)."""
        return [(site.node.args[0].value, site.scope, site.order)
                for site in self.method_calls("append", "extend")
                if isinstance(site.receiver, cst.Name) and site.receiver.value == binding.name
                and site.scope is binding.scope and site.order > binding.order and site.node.args]

    def method_calls(self, *methods: str) -> list[CallSite]:
        """Calls of `<anything>.<method>(...)` for the given method names, in source order."""
        if len(methods) == 1:
            return self.calls_by_method.get(methods[0], [])
        found = [site for m in methods for site in self.calls_by_method.get(m, [])]
        return sorted(found, key=lambda site: site.order)

    def _link_function_calls(self) -> None:
        for site in self.calls:
            if site.func_dotted and site.func_dotted in self.functions:
                for info in self.functions[site.func_dotted]:
                    info.calls.append(site)
            elif site.func_dotted and site.func_dotted.startswith("self."):
                cls = site.scope.enclosing_class()
                if cls is not None:
                    for info in self.functions.get(f"{cls.name}.{site.func_dotted[5:]}", ()):
                        info.calls.append(site)

    # -- lookups -----------------------------------------------------------------------------
    def lookup(self, name: str, scope: Scope, order: int, items: bool = False) -> list[Binding]:
        """The bindings of `name` that can reach a use at `order` in `scope`.

        In the use's own scope: the last binding before the use (or, for a use in a loop, a later
        binding inside the same loop too); in an enclosing scope: all its bindings, since a function
        body runs after the module has bound them. Item assignments (`df["y"] = ...`) change the
        object but do not rebind the name: they are returned only when `items` asks for them.
        """
        current: Scope | None = scope
        first = True
        while current is not None:
            if current.kind == "class" and not first and not name.startswith("self."):
                current = current.parent
                continue
            bindings = [b for b in current.bindings.get(name, ()) if (b.kind == "item") == items]
            if name.startswith("self.") and current.kind != "class":
                bindings = []
            if bindings:
                if items:  # every item assignment matters (each may set a different key)
                    return [b for b in bindings if current is not scope or b.order < order]
                if current is scope:
                    before = [b for b in bindings if b.order < order]
                    if before:
                        last = before[-1]
                        # a loop re-runs: a binding later in the same loop reaches this use as well
                        loop_later = [b for b in bindings if b.order > order and any(
                            loop.contains(order) and loop.contains(b.order) for loop in b.loops)]
                        return [last, *loop_later]
                    return list(bindings)
                return list(bindings)
            first = False
            current = current.parent
        return []
