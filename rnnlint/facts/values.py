"""Resolve simple expressions to Python values, and say where each value was written.

Handles literals, arithmetic on them, module/function constants, dict and list subscripts (including
`CONFIG["lr"] = ...` items), function parameters (the argument at the call sites, else the default),
`argparse` defaults read back as `args.x`, class attributes (`Config.LR`, `cfg = Config(); cfg.lr`),
and JSON/YAML config files loaded by a literal path next to the script. Anything else is UNKNOWN: a
rule must never judge a number it had to guess.
"""

from __future__ import annotations

import ast
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any


from rnnlint.facts.names import dotted_name
from rnnlint.facts.scopes import Binding, ModuleIndex, Param, Scope, subscript_items
from rnnlint.facts.syntax import call_args, is_number, string_value, unpacks

MAX_DEPTH = 24
# Work allowed for one top-level question. Real scripts need a few dozen steps; a name re-bound to a
# container of itself (`a = {"x": a, "y": a}` repeated) would otherwise take exponentially many.
MAX_STEPS = 2000
MAX_CONFIG_BYTES = 1_000_000


class _Unknown:
    _instance = None

    def __new__(cls):
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "UNKNOWN"

    def __bool__(self) -> bool:
        return False


UNKNOWN: Any = _Unknown()


@dataclass(frozen=True)
class Resolved:
    """A value and the node where it was written (the literal, or the expression computing it).

    Containers hold `Resolved` items so that `CONFIG["lr"]` can point at the `0.5` inside the dict.
    """

    value: Any
    origin: ast.AST

    def plain(self) -> Any:
        value = self.value
        if isinstance(value, dict):
            return {k: v.plain() if isinstance(v, Resolved) else v for k, v in value.items()}
        if isinstance(value, (list, tuple)):
            items = [v.plain() if isinstance(v, Resolved) else v for v in value]
            return type(value)(items)
        return value


def _number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


_BINOPS = {
    ast.Add: lambda a, b: a + b,
    ast.Sub: lambda a, b: a - b,
    ast.Mult: lambda a, b: a * b,
    ast.Div: lambda a, b: a / b,
    ast.FloorDiv: lambda a, b: a // b,
    ast.Pow: lambda a, b: a ** b,
    ast.Mod: lambda a, b: a % b,
}


def _literal_default(value: Any, type_name: str | None) -> Any:
    """argparse applies `type` to string defaults."""
    if isinstance(value, str) and type_name in ("float", "int"):
        try:
            return float(value) if type_name == "float" else int(value)
        except ValueError:
            return UNKNOWN
    return value


def argparse_dest(call: ast.Call) -> str | None:
    explicit = next((a for a in call.keywords if a.arg == "dest"), None)
    if explicit is not None and string_value(explicit.value) is not None:
        return str(string_value(explicit.value))
    flags = [string_value(a) for a in call.args if string_value(a) is not None]
    longs = [f for f in flags if isinstance(f, str) and f.startswith("--")]
    chosen = longs[0] if longs else (flags[0] if flags else None)
    if not isinstance(chosen, str):
        return None
    return chosen.lstrip("-").replace("-", "_")


class Resolver:
    """Answers "what value / which definitions does this expression have" for one module."""

    def __init__(self, index: ModuleIndex, base_dir: Path | None = None) -> None:
        self.index = index
        self.base_dir = base_dir
        self._argparse: dict[str, list[ast.Call]] | None = None
        self._config_cache: dict[str, Any] = {}
        self._steps = 0

    # -- definitions ------------------------------------------------------------------------
    def bindings(self, name: str, scope: Scope, order: int, items: bool = False) -> list[Binding]:
        return self.index.lookup(name, scope, order, items)

    def argument_of(self, call: ast.Call, name: str, position: int | None) -> ast.expr | None:
        """The expression passed for a parameter, by keyword or position; None when the call does
        not pass it or passes it where it cannot be read (`f(*rest)`: see `may_pass_unread`)."""
        for keyword in call.keywords:
            if keyword.arg == name:
                return keyword.value
        if position is None or position < 0:
            return None
        positional: list[ast.expr] = []
        for arg in call_args(call):
            if arg.star:
                break  # `*rest` fills the positions from here on: which one lands where is unknown
            if arg.keyword is None:
                positional.append(arg.value)
        return positional[position] if position < len(positional) else None

    @staticmethod
    def may_pass_unread(call: ast.Call) -> bool:
        """`f(*args)` or `f(**kwargs)`: any parameter may be set by what they unpack."""
        return unpacks(call)

    def param_sources(self, binding: Binding) -> list[tuple[ast.expr, Scope, int]]:
        """Where a function parameter's value comes from: each call site's argument, else the default.
        Empty when any call site cannot be read, and for a method's receiver (`self`)."""
        function = binding.scope.function
        param = binding.node
        if function is None or not isinstance(param, Param) or function.is_receiver(param.name):
            return []
        position = function.call_position(param.name)
        sources: list[tuple[ast.expr, Scope, int]] = []
        for site in function.calls:
            arg = self.argument_of(site.node, param.name, position)
            if arg is not None:
                sources.append((arg, site.scope, site.order))
            elif param.default is not None and not self.may_pass_unread(site.node):
                sources.append((param.default, binding.scope.parent or binding.scope, 0))
            else:
                return []  # a call we cannot read (e.g. **kwargs): the parameter is unknown
        if not function.calls and param.default is not None:
            sources.append((param.default, binding.scope.parent or binding.scope, 0))
        return sources

    # -- values -----------------------------------------------------------------------------
    def value(self, expr: ast.expr | None, scope: Scope, order: int, depth: int = 0) -> Resolved | Any:
        """One value, or UNKNOWN (including when several different values can reach the use)."""
        options = self.candidates(expr, scope, order, depth)
        if not options:
            return UNKNOWN
        first = options[0]
        if all(_same(first.plain(), o.plain()) for o in options[1:]):
            return first
        return UNKNOWN

    def candidates(self, expr: ast.expr | None, scope: Scope, order: int, depth: int = 0) -> list[Resolved]:
        """Every value that can reach this use (a loop variable over a literal list has several);
        empty when any of them is unknown."""
        if depth == 0:
            self._steps = 0
        self._steps += 1
        if expr is None or depth > MAX_DEPTH or self._steps > MAX_STEPS:
            return []
        try:
            return self._candidates(expr, scope, order, depth + 1)
        except (ArithmeticError, TypeError, ValueError, OverflowError, RecursionError):
            return []

    def _candidates(self, expr, scope, order, depth) -> list[Resolved]:
        if isinstance(expr, ast.Constant):
            value = expr.value
            if is_number(expr) or isinstance(value, (str, bytes, bool)) or value is None:
                return [Resolved(value, expr)]
            return []
        if isinstance(expr, ast.Name):
            return self._name(expr.id, scope, order, depth)
        if isinstance(expr, ast.UnaryOp):
            inner = self.value(expr.operand, scope, order, depth)
            if isinstance(inner, Resolved) and _number(inner.value):
                if isinstance(expr.op, ast.USub):
                    return [Resolved(-inner.value, expr)]
                if isinstance(expr.op, ast.UAdd):
                    return [Resolved(inner.value, expr)]
            return []
        if isinstance(expr, ast.BinOp):
            op = _BINOPS.get(type(expr.op))
            left = self.value(expr.left, scope, order, depth)
            right = self.value(expr.right, scope, order, depth)
            if op and isinstance(left, Resolved) and isinstance(right, Resolved) \
                    and _number(left.value) and _number(right.value):
                if isinstance(expr.op, ast.Pow) and abs(right.value) > 64:
                    return []
                return [Resolved(op(left.value, right.value), expr)]
            return []
        if isinstance(expr, (ast.Tuple, ast.List)):
            items = []
            for element in expr.elts:
                if isinstance(element, ast.Starred):
                    return []
                item = self.value(element, scope, order, depth)
                if not isinstance(item, Resolved):
                    return []
                items.append(item)
            return [Resolved(tuple(items) if isinstance(expr, ast.Tuple) else list(items), expr)]
        if isinstance(expr, ast.Dict):
            mapping: dict[Any, Any] = {}
            for key_expr, value_expr in zip(expr.keys, expr.values):
                if key_expr is None:  # `**other`
                    return []
                key = self.value(key_expr, scope, order, depth)
                if not isinstance(key, Resolved) or not isinstance(key.value, (str, int, float, bool)):
                    return []
                item = self.value(value_expr, scope, order, depth)
                mapping[key.value] = item if isinstance(item, Resolved) else UNKNOWN
            return [Resolved(mapping, expr)]
        if isinstance(expr, ast.Subscript):
            return self._subscript(expr, scope, order, depth)
        if isinstance(expr, ast.Attribute):
            return self._attribute(expr, scope, order, depth)
        if isinstance(expr, ast.Call):
            return self._call(expr, scope, order, depth)
        return []

    def _binding_candidates(self, binding: Binding, depth: int) -> list[Resolved]:
        if binding.kind in ("assign", "with"):
            return self.candidates(binding.value, binding.scope, binding.order, depth)
        if binding.kind == "unpack":
            whole = self.candidates(binding.value, binding.scope, binding.order, depth)
            out = []
            for option in whole:
                seq = option.value
                if not isinstance(seq, (list, tuple)) or binding.index is None or len(seq) != binding.count:
                    return []
                out.append(seq[binding.index])
            return out
        if binding.kind == "for":
            out = []
            for option in self.candidates(binding.value, binding.scope, binding.order, depth):
                if isinstance(option.value, dict):
                    return []  # iterating a dict gives keys; keep it simple
                if not isinstance(option.value, (list, tuple)):
                    return []
                for item in option.value:
                    if binding.index is not None:
                        if not isinstance(item.value, (list, tuple)) or binding.index >= len(item.value):
                            return []
                        item = item.value[binding.index]
                    out.append(item)
            return out
        if binding.kind == "param":
            out = []
            for expr, scope, order in self.param_sources(binding):
                values = self.candidates(expr, scope, order, depth)
                if not values:
                    return []
                out.extend(values)
            return out
        return []

    def _name(self, name: str, scope: Scope, order: int, depth: int) -> list[Resolved]:
        bindings = self.bindings(name, scope, order)
        if not bindings:
            return []
        out: list[Resolved] = []
        for binding in bindings:
            values = self._binding_candidates(binding, depth)
            if not values:
                return []
            out.extend(values)
        return out

    def _subscript(self, expr: ast.Subscript, scope, order, depth) -> list[Resolved]:
        items = subscript_items(expr)
        if len(items) != 1 or isinstance(items[0], ast.Slice):
            return []
        key = self.value(items[0], scope, order, depth)
        if not isinstance(key, Resolved):
            return []
        # `CONFIG["lr"] = 0.5` after the dict literal wins over the literal's entry
        if isinstance(expr.value, ast.Name):
            for binding in reversed(self.bindings(expr.value.id, scope, order, items=True)):
                if binding.order < order or binding.scope is not scope:
                    bound_key = self.value(binding.key, binding.scope, binding.order, depth)
                    if isinstance(bound_key, Resolved) and _same(bound_key.value, key.value):
                        return self.candidates(binding.value, binding.scope, binding.order, depth)
        out = []
        for container in self.candidates(expr.value, scope, order, depth):
            seq = container.value
            try:
                item = seq[key.value]
            except (KeyError, IndexError, TypeError):
                return []
            if not isinstance(item, Resolved):
                return []
            out.append(item)
        return out

    def _attribute(self, expr: ast.Attribute, scope, order, depth) -> list[Resolved]:
        attr = expr.attr
        owner = expr.value
        dotted = dotted_name(expr)
        # a direct attribute binding (`cfg.lr = 0.1`, or `self.lr = ...` in a class)
        if dotted and dotted.count(".") == 1:
            direct = self.bindings(dotted, scope, order)
            if direct:
                out = []
                for binding in direct:
                    values = self._binding_candidates(binding, depth)
                    if not values:
                        return []
                    out.extend(values)
                return out
        if not isinstance(owner, ast.Name):
            return []
        for binding in self.bindings(owner.id, scope, order):
            if binding.kind == "class":
                return self._class_attribute(owner.id, attr, depth)
            sources: Sequence[tuple[ast.expr | None, Scope, int]] = []
            if binding.kind == "assign":
                sources = [(binding.value, binding.scope, binding.order)]
            elif binding.kind == "param":  # `train(parser.parse_args())` then `args.lr` inside train
                sources = self.param_sources(binding)
            for call, source_scope, source_order in sources:
                if isinstance(call, ast.Name):  # `args = parser.parse_args(); train(args)`
                    found = self._attribute(ast.Attribute(value=call, attr=expr.attr, ctx=ast.Load()), source_scope,
                                            source_order, depth + 1)
                    if found:
                        return found
                    continue
                if not isinstance(call, ast.Call):
                    continue
                callee = dotted_name(call.func) or ""
                if callee.endswith("parse_args"):
                    return self._argparse_default(attr, depth)
                if callee in self.index.classes:
                    passed = self.argument_of(call, attr, None)
                    if passed is not None:
                        return self.candidates(passed, source_scope, source_order, depth)
                    return self._class_attribute(callee, attr, depth)
                if callee.endswith("SimpleNamespace"):
                    passed = self.argument_of(call, attr, None)
                    return self.candidates(passed, source_scope, source_order, depth) if passed else []
        return []

    def _class_attribute(self, class_name: str, attr: str, depth: int) -> list[Resolved]:
        info = self.index.classes.get(class_name)
        if info is None:
            return []
        bindings = info.scope.bindings.get(attr, [])
        if len(bindings) != 1:
            return []
        return self._binding_candidates(bindings[0], depth)

    def _argparse_default(self, dest: str, depth: int) -> list[Resolved]:
        if self._argparse is None:
            self._argparse = {}
            for site in self.index.method_calls("add_argument"):
                name = argparse_dest(site.node)
                if name:
                    self._argparse.setdefault(name, []).append(site.node)
        calls = self._argparse.get(dest, [])
        if len(calls) != 1:
            return []
        call = calls[0]
        site = self.index.call_scope[call]
        default = self.argument_of(call, "default", None)
        if default is None:
            return []  # argparse's own default is None: the script expects a value on the command line
        type_arg = self.argument_of(call, "type", None)
        type_name = type_arg.id if isinstance(type_arg, ast.Name) else None
        out = []
        for option in self.candidates(default, site.scope, site.order, depth):
            converted = _literal_default(option.value, type_name)
            if converted is UNKNOWN:
                return []
            out.append(Resolved(converted, option.origin))
        return out

    def _call(self, call: ast.Call, scope, order, depth) -> list[Resolved]:
        callee = dotted_name(call.func) or ""
        keywords = [(arg.arg, arg.value) for arg in call.keywords if arg.arg is not None]
        if callee == "dict" and not call.args and len(keywords) == len(call.keywords):
            mapping = {}
            for name, value in keywords:
                item = self.value(value, scope, order, depth)
                mapping[name] = item if isinstance(item, Resolved) else UNKNOWN
            return [Resolved(mapping, call)]
        if callee in ("float", "int") and len(call_args(call)) == 1:
            inner = self.value(call_args(call)[0].value, scope, order, depth)
            if isinstance(inner, Resolved) and isinstance(inner.value, (int, float, str)) \
                    and not isinstance(inner.value, bool):
                try:
                    converted = float(inner.value) if callee == "float" else int(inner.value)
                except ValueError:
                    return []
                return [Resolved(converted, inner.origin)]
            return []
        if callee in ("json.load", "yaml.safe_load", "yaml.load") and (call.args or call.keywords):
            return self._config_file(call, scope, order, depth)
        return []

    def _config_file(self, call: ast.Call, scope, order, depth) -> list[Resolved]:
        """`json.load(open("config.json"))` / `yaml.safe_load(open(...))` with a literal path."""
        opened: ast.expr | None = call_args(call)[0].value
        if isinstance(opened, ast.Name):  # `with open(p) as f: cfg = json.load(f)`
            bound = self.bindings(opened.id, scope, order)
            opened = bound[-1].value if bound and bound[-1].kind == "with" else None
        if not isinstance(opened, ast.Call) or dotted_name(opened.func) != "open" or not call_args(opened):
            return []
        path_value = self.value(call_args(opened)[0].value, scope, order, depth)
        if self.base_dir is None or not isinstance(path_value, Resolved) or not isinstance(path_value.value, str):
            return []
        data = self._load_config(self.base_dir, path_value.value)
        if data is UNKNOWN:
            return []
        return [_wrap(data, call)]

    def _load_config(self, base_dir: Path, relative: str) -> Any:
        if relative in self._config_cache:
            return self._config_cache[relative]
        result: Any = UNKNOWN
        try:
            path = (base_dir / relative).resolve()
            if path.is_file() and path.stat().st_size <= MAX_CONFIG_BYTES:
                text = path.read_text(encoding="utf-8")
                # safe loaders only: a config file is data, never code
                if path.suffix == ".json":
                    result = json.loads(text)
                else:
                    import yaml  # only for scripts that read a YAML config (keeps start-up light)

                    try:
                        result = yaml.safe_load(text)
                    except yaml.YAMLError:
                        result = UNKNOWN
        except (OSError, ValueError, UnicodeDecodeError):
            result = UNKNOWN
        self._config_cache[relative] = result
        return result


def _wrap(data: Any, origin: ast.AST) -> Resolved:
    if isinstance(data, dict):
        return Resolved({k: _wrap(v, origin) for k, v in data.items()}, origin)
    if isinstance(data, list):
        return Resolved([_wrap(v, origin) for v in data], origin)
    return Resolved(data, origin)


def _same(a: Any, b: Any) -> bool:
    return type(a) is type(b) and a == b


_NUMBER_IN_STRING = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$")


def as_number(resolved: Any) -> float | None:
    """A resolved int/float (or numeric string) as a float; None otherwise."""
    if not isinstance(resolved, Resolved):
        return None
    value = resolved.value
    if _number(value):
        return float(value)
    if isinstance(value, str) and _NUMBER_IN_STRING.match(value.strip()):
        return float(value)
    return None
