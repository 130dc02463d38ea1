"""The one traversal of a parsed module: imports, scopes, bindings, functions, loops and calls.

Everything later (values, models, data flow) is answered from these tables, so no rule walks the tree
again. Source order is kept as a counter (`order`) instead of positions: positions cost a second pass
and are only needed for the few nodes that end up in a finding.
"""

from __future__ import annotations

from bisect import bisect_left
from dataclasses import dataclass, field

import ast

from rnnlint.facts.names import ImportTable, dotted_name
from rnnlint.facts.syntax import first_argument, has_args


@dataclass(eq=False, repr=False)
class Scope:
    def __repr__(self) -> str:
        return f"<Scope {self.kind}>"

    kind: str  # "module" | "function" | "class"
    node: ast.AST
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
    value: ast.expr | None
    scope: Scope
    order: int
    loops: tuple["LoopInfo", ...]
    index: int | None = None  # position in a tuple unpacking target
    count: int | None = None  # number of targets in that unpacking (starred targets make it None)
    key: ast.expr | None = None  # for item bindings: the subscript
    node: ast.AST | None = None
    path: tuple[int, ...] | None = None  # position in (possibly nested) unpacking: (1, 0) for a in (_, (a, b))


@dataclass(eq=False, repr=False)
class Param:
    """One named parameter of a function (not `*args`/`**kwargs`), with its default."""

    name: str
    default: ast.expr | None
    node: ast.arg


@dataclass(eq=False, repr=False)
class FunctionInfo:
    node: ast.FunctionDef | ast.AsyncFunctionDef
    name: str
    scope: Scope  # the function's own scope
    params: list["Param"]
    returns: list[tuple[ast.expr, int]] = field(default_factory=list)
    calls: list["CallSite"] = field(default_factory=list)  # call sites of this function (by name)

    def param_index(self, name: str) -> int | None:
        for index, param in enumerate(self.params):
            if param.name == name:
                return index
        return None

    def param(self, name: str) -> "Param | None":
        index = self.param_index(name)
        return None if index is None else self.params[index]

    @property
    def is_method(self) -> bool:
        return bool(self.params) and self.params[0].name in ("self", "cls")

    def is_receiver(self, name: str) -> bool:
        """`self`/`cls`: bound by the call's receiver, never by one of its arguments."""
        return self.is_method and self.params[0].name == name

    def call_position(self, name: str) -> int | None:
        """Where a call site passes this parameter positionally (`obj.m(a)` passes a method's
        second parameter first); None for the receiver and for keyword-only parameters."""
        index = self.param_index(name)
        positional = len(self.node.args.posonlyargs) + len(self.node.args.args)
        if index is None or index >= positional or self.is_receiver(name):
            return None
        return index - 1 if self.is_method else index


@dataclass(eq=False, repr=False)
class ClassInfo:
    node: ast.ClassDef
    name: str
    bases: list[ast.expr]
    scope: Scope


@dataclass(eq=False, repr=False)
class LoopInfo:
    node: ast.AST  # For or While
    kind: str  # "for" | "while"
    scope: Scope
    target_names: tuple[str, ...]
    iterable: ast.expr | None
    test: ast.expr | None
    order: int
    parent: "LoopInfo | None"
    breaks: list[ast.Break] = field(default_factory=list)
    end_order: int = 0

    def contains(self, order: int) -> bool:
        return self.order <= order <= self.end_order


@dataclass(eq=False, repr=False)
class CallSite:
    def __repr__(self) -> str:
        return f"<CallSite {self.func_dotted} @{self.order}>"

    node: ast.Call
    scope: Scope
    order: int
    loops: tuple[LoopInfo, ...]  # innermost last, within the same function
    func_dotted: str | None  # `keras.layers.LSTM`, `model.fit`... as written
    in_comprehension: bool = False
    conditions: tuple[int, ...] = ()  # orders of the enclosing `if` statements (same scope)
    method: str | None = None  # `fit` for `anything.fit(...)`
    receiver: ast.expr | None = None  # `anything` in `anything.fit(...)`

    def __post_init__(self) -> None:
        func = self.node.func
        if isinstance(func, ast.Attribute):
            self.method = func.attr
            self.receiver = func.value


def _target_names(target: ast.expr) -> list[str]:
    if isinstance(target, ast.Name):
        return [target.id]
    if isinstance(target, (ast.Tuple, ast.List)):
        names: list[str] = []
        for element in target.elts:
            names.extend(_target_names(element.value if isinstance(element, ast.Starred) else element))
        return names
    return []


def _params(args: ast.arguments) -> list[Param]:
    """Positional-only, ordinary and keyword-only parameters with their defaults (`ast` keeps the
    defaults apart: right-aligned for the positional ones, one per keyword-only one)."""
    positional = [*args.posonlyargs, *args.args]
    defaults: list[ast.expr | None] = [None] * (len(positional) - len(args.defaults)) + list(args.defaults)
    out = [Param(arg.arg, default, arg) for arg, default in zip(positional, defaults)]
    out += [Param(arg.arg, default, arg) for arg, default in zip(args.kwonlyargs, args.kw_defaults)]
    return out


def subscript_items(node: ast.Subscript) -> list[ast.expr]:
    """The comma-separated parts of a subscript: `x[a, 1:2]` has two, `x[a]` one."""
    return list(node.slice.elts) if isinstance(node.slice, ast.Tuple) else [node.slice]


_COMPREHENSIONS = (ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)


class ModuleIndex:
    """Collects the tables above in a single walk of the module (children in source order)."""

    def __init__(self, module: ast.Module) -> None:
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
        self.call_scope: dict[ast.Call, CallSite] = {}
        self.calls_by_method: dict[str, list[CallSite]] = {}
        # every subscript with its scope and order, for the data-split queries (no 2nd walk)
        self.subscripts: list[tuple[ast.Subscript, Scope, int]] = []
        self.order = 0
        self._scope = self.module_scope
        # lookup's per-(scope, name, items) bindings in source order with their orders, and the
        # append/extend calls by receiver name: built on first use, so that a name bound hundreds of
        # times (a long notebook export) costs a bisection per use, not a scan
        self._bindings_cache: dict[tuple[int, str, bool], tuple[list[Binding], list[int], list[Binding]]] = {}
        self._appends_by_name: dict[str, list[CallSite]] | None = None
        self._loop_stack: list[LoopInfo] = []
        self._loop_stack_saved: list[list[LoopInfo]] = []
        self._if_stack: list[int] = []
        self._if_stack_saved: list[list[int]] = []
        self._comprehension_depth = 0
        self._visit_all(module.body)
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

    def _bind_target(self, target: ast.expr, value, kind: str, node,
                     path: tuple[int, ...] = ()) -> None:
        if isinstance(target, ast.Name):
            self._bind(target.id, kind, value, node)
        elif isinstance(target, (ast.Tuple, ast.List)):
            elements = target.elts
            starred = any(isinstance(e, ast.Starred) for e in elements)
            for index, element in enumerate(elements):
                inner = element.value if isinstance(element, ast.Starred) else element
                if isinstance(inner, ast.Name):
                    nested = bool(path)
                    self._bind(inner.id, "unpack" if kind == "assign" else kind, value, node,
                               index=None if starred or nested else index,
                               count=None if starred or nested else len(elements),
                               path=None if starred else (*path, index))
                elif isinstance(inner, (ast.Tuple, ast.List)) and not starred:
                    self._bind_target(inner, value, kind, node, (*path, index))
        elif isinstance(target, ast.Attribute):
            # every `<expr>.attr = value`, for the facts that look for setters (`opt.lr = ...`)
            self.attribute_assignments.append(Binding(
                target.attr, kind, value, self._scope, self._tick(), tuple(self._loop_stack),
                node=target))
            if isinstance(target.value, ast.Name):  # `name.attr` is also a binding values can read
                owner = target.value.id
                if owner == "self":
                    cls = self._scope.enclosing_class()
                    if cls is not None:
                        self._bind(f"self.{target.attr}", kind, value, node, scope=cls.scope)
                else:
                    self._bind(f"{owner}.{target.attr}", kind, value, node)
        elif isinstance(target, ast.Subscript) and isinstance(target.value, ast.Name):
            items = subscript_items(target)
            if len(items) == 1 and not isinstance(items[0], ast.Slice):
                self._bind(target.value.id, "item", value, node, key=items[0])

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

    # -- the walk ----------------------------------------------------------------------------
    def _visit_all(self, nodes) -> None:
        for node in nodes:
            if node is not None:
                self._visit(node)

    def _visit(self, node: ast.AST) -> None:
        handler = getattr(self, f"_visit_{type(node).__name__}", None)
        if handler is not None:
            handler(node)
        else:
            self._children(node)

    def _children(self, node: ast.AST) -> None:
        for child in ast.iter_child_nodes(node):
            self._visit(child)

    # -- imports -----------------------------------------------------------------------------
    def _visit_Import(self, node: ast.Import) -> None:
        self.imports.add_import(node)

    def _visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        self.imports.add_import_from(node)

    # -- scopes ------------------------------------------------------------------------------
    def _visit_FunctionDef(self, node) -> None:
        self._bind(node.name, "def", None, node)
        scope = self._push_scope("function", node)
        params = _params(node.args)
        info = FunctionInfo(node, node.name, scope, params)
        scope.function = info
        if scope.parent is not None and scope.parent.kind == "module":
            self.functions.setdefault(node.name, []).append(info)
        elif scope.parent is not None and scope.parent.kind == "class" and scope.parent.cls:
            self.functions.setdefault(f"{scope.parent.cls.name}.{node.name}", []).append(info)
        for param in params:
            self._bind(param.name, "param", param.default, param)
        # in source order: decorators, parameters, return annotation, body
        self._visit_all(node.decorator_list)
        args = node.args
        for param in params:
            self._visit_all((param.node.annotation, param.default))
        for extra in (args.vararg, args.kwarg):
            if extra is not None:
                self._visit_all((extra.annotation,))
        self._visit_all((node.returns,))
        self._visit_all(node.body)
        self._pop_scope()

    _visit_AsyncFunctionDef = _visit_FunctionDef

    def _visit_ClassDef(self, node: ast.ClassDef) -> None:
        self._bind(node.name, "class", None, node)
        scope = self._push_scope("class", node)
        info = ClassInfo(node, node.name, list(node.bases), scope)
        scope.cls = info
        self.classes.setdefault(node.name, info)
        self._visit_all(node.decorator_list)
        self._visit_all(node.bases)
        self._visit_all(node.keywords)
        self._visit_all(node.body)
        self._pop_scope()

    def _visit_Lambda(self, node: ast.Lambda) -> None:
        pass  # lambdas hold no training code worth following

    # -- bindings ----------------------------------------------------------------------------
    def _visit_Assign(self, node: ast.Assign) -> None:
        self._children(node)
        for target in node.targets:
            self._bind_target(target, node.value, "assign", node)

    def _visit_AnnAssign(self, node: ast.AnnAssign) -> None:
        self._children(node)
        if node.value is not None:
            self._bind_target(node.target, node.value, "assign", node)

    def _visit_AugAssign(self, node: ast.AugAssign) -> None:
        self._children(node)
        for name in _target_names(node.target):
            self._bind(name, "augassign", node.value, node)

    def _visit_withitem(self, node: ast.withitem) -> None:
        if node.optional_vars is not None:
            for name in _target_names(node.optional_vars):
                self._bind(name, "with", node.context_expr, node)
        self._children(node)

    def _visit_Return(self, node: ast.Return) -> None:
        info = self._scope.function
        if info is not None and node.value is not None:
            info.returns.append((node.value, self._tick()))
        self._children(node)

    # -- loops -------------------------------------------------------------------------------
    def _visit_For(self, node) -> None:
        names = tuple(_target_names(node.target))
        loop = LoopInfo(node, "for", self._scope, names, node.iter, None, self._tick(),
                        self._loop_stack[-1] if self._loop_stack else None)
        self.loops.append(loop)
        self._loop_stack.append(loop)
        self._bind_target(node.target, node.iter, "for", node)
        self._children(node)
        self._loop_stack.pop().end_order = self._tick()

    _visit_AsyncFor = _visit_For

    def _visit_While(self, node: ast.While) -> None:
        loop = LoopInfo(node, "while", self._scope, (), None, node.test, self._tick(),
                        self._loop_stack[-1] if self._loop_stack else None)
        self.loops.append(loop)
        self._loop_stack.append(loop)
        self._children(node)
        self._loop_stack.pop().end_order = self._tick()

    def _visit_If(self, node: ast.If) -> None:
        self._if_stack.append(self._tick())
        self._children(node)
        self._if_stack.pop()

    def _visit_IfExp(self, node: ast.IfExp) -> None:
        self._visit_all((node.body, node.test, node.orelse))  # source order

    def _visit_Dict(self, node: ast.Dict) -> None:
        for key, value in zip(node.keys, node.values):  # source order: each key before its value
            self._visit_all((key, value))

    def _visit_Call(self, node: ast.Call) -> None:
        site = CallSite(node, self._scope, self._tick(), tuple(self._loop_stack),
                        dotted_name(node.func), self._comprehension_depth > 0, tuple(self._if_stack))
        self.calls.append(site)
        self.call_scope[node] = site
        if site.method is not None:
            self.calls_by_method.setdefault(site.method, []).append(site)
        self._children(node)

    def _visit_Break(self, node: ast.Break) -> None:
        if self._loop_stack:
            self._loop_stack[-1].breaks.append(node)

    # -- comprehensions: their targets are not followed, their calls are still seen -----------
    def _visit_ListComp(self, node) -> None:
        self._comprehension_depth += 1
        self._children(node)
        self._comprehension_depth -= 1

    _visit_SetComp = _visit_GeneratorExp = _visit_ListComp

    def _visit_DictComp(self, node: ast.DictComp) -> None:
        self._comprehension_depth += 1
        self._visit_all((node.key, node.value, *node.generators))
        self._comprehension_depth -= 1

    def _visit_Subscript(self, node: ast.Subscript) -> None:
        self.subscripts.append((node, self._scope, self._tick()))
        self._children(node)

    def appended_to(self, binding: Binding) -> list[tuple[ast.expr, Scope, int]]:
        """`xs = []` then `xs.append(value)` / `xs.extend(values)`: what is added to the list after
        that binding, in its scope (the usual way windows are built in a loop)."""
        if self._appends_by_name is None:
            self._appends_by_name = {}
            for site in self.method_calls("append", "extend"):
                if isinstance(site.receiver, ast.Name):
                    self._appends_by_name.setdefault(site.receiver.id, []).append(site)
        return [(first_argument(site.node), site.scope, site.order)
                for site in self._appends_by_name.get(binding.name, ())
                if site.scope is binding.scope and site.order > binding.order and has_args(site.node)]

    def method_calls(self, *methods: str) -> list[CallSite]:
        """Calls of `<anything>.<method>(...)` for the given method names, in source order."""
        if len(methods) == 1:
            return self.calls_by_method.get(methods[0], [])
        found = [site for m in methods for site in self.calls_by_method.get(m, [])]
        return sorted(found, key=lambda site: site.order)

    def _link_function_calls(self) -> None:
        for site in self.calls:
            if site.func_dotted and site.func_dotted in self.functions:
                for info in self._called(site, self.functions[site.func_dotted]):
                    info.calls.append(site)
            elif site.func_dotted and site.func_dotted.startswith("self."):
                cls = site.scope.enclosing_class()
                if cls is not None:
                    for info in self.functions.get(f"{cls.name}.{site.func_dotted[5:]}", ()):
                        info.calls.append(site)

    def _called(self, site: CallSite, infos: list[FunctionInfo]) -> list[FunctionInfo]:
        """The definitions of a module-level function name that a call can reach: with one, that one;
        with several (a name redefined, a long notebook export), those the name's lookup at the call
        returns, so each call's arguments count for the definition it calls, not for every namesake
        (which also made parameter resolution quadratic in the redefinitions)."""
        if len(infos) < 2 or "." in (site.func_dotted or ""):
            return infos
        reaching = {id(b.node) for b in self.lookup(site.func_dotted or "", site.scope, site.order) if b.kind == "def"}
        return [info for info in infos if id(info.node) in reaching] or infos

    # -- lookups -----------------------------------------------------------------------------
    def _bindings_of(self, scope: Scope, name: str, items: bool) -> tuple[list[Binding], list[int], list[Binding]]:
        """`name`'s bindings in `scope` of the asked kind in source order, their orders, and those
        inside a loop."""
        key = (id(scope), name, items)
        cached = self._bindings_cache.get(key)
        if cached is None:
            found = sorted((b for b in scope.bindings.get(name, ()) if (b.kind == "item") == items),
                           key=lambda b: b.order)
            cached = (found, [b.order for b in found], [b for b in found if b.loops])
            self._bindings_cache[key] = cached
        return cached

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
            bindings, orders, looped = self._bindings_of(current, name, items)
            if name.startswith("self.") and current.kind != "class":
                bindings = []
            if bindings:
                if items:  # every item assignment matters (each may set a different key)
                    return list(bindings[:bisect_left(orders, order)]) if current is scope else list(bindings)
                if current is scope:
                    before = bisect_left(orders, order)
                    if before:
                        last = bindings[before - 1]
                        # a loop re-runs: a binding later in the same loop reaches this use as well
                        loop_later = [b for b in looped if b.order > order and any(
                            loop.contains(order) and loop.contains(b.order) for loop in b.loops)]
                        return [last, *loop_later]
                    return list(bindings)
                return list(bindings)
            first = False
            current = current.parent
        return []
