"""Small readers of `ast` nodes that the facts share: a call's arguments in source order (`ast` keeps
positional and keyword arguments apart), literal strings and numbers, container elements."""

from __future__ import annotations

import ast
from dataclasses import dataclass
from typing import Any

from rnnlint.positions import Place


@dataclass(frozen=True)
class Arg:
    """One argument of a call as written: `keyword=value`, `value`, `*value` or `**value`."""

    keyword: str | None
    value: ast.expr
    star: str  # "", "*" or "**"


def _start(node: ast.AST) -> tuple[int, int]:
    return node.lineno, node.col_offset  # type: ignore[attr-defined]


def call_args(call: ast.Call) -> list[Arg]:
    """Every argument of `call`, in source order."""
    out = [Arg(None, a.value, "*") if isinstance(a, ast.Starred) else Arg(None, a, "") for a in call.args]
    if not call.keywords:
        return out
    keywords = [Arg(k.arg, k.value, "" if k.arg is not None else "**") for k in call.keywords]
    if not out or _start(call.keywords[0]) > _start(call.args[-1]):
        return out + keywords
    nodes = [*call.args, *call.keywords]
    order = sorted(range(len(nodes)), key=lambda i: _start(nodes[i]))
    merged = out + keywords
    return [merged[i] for i in order]


def has_args(call: ast.Call) -> bool:
    return bool(call.args or call.keywords)


def first_argument(call: ast.Call) -> ast.expr:
    """The first argument in source order, keyword or not (the caller knows there is one)."""
    return call_args(call)[0].value


def elements(node: ast.List | ast.Tuple | ast.Set) -> list[ast.expr]:
    """A container literal's items, a starred one as its inner expression (`*xs` -> `xs`)."""
    return [e.value if isinstance(e, ast.Starred) else e for e in node.elts]


def string_value(node: ast.AST | None) -> str | bytes | None:
    """The value of a string (or bytes) literal, implicit concatenations included; f-strings are None."""
    if isinstance(node, ast.Constant) and isinstance(node.value, (str, bytes)):
        return node.value
    return None


def is_string(node: ast.AST | None) -> bool:
    return string_value(node) is not None


def is_number(node: ast.AST | None) -> bool:
    """An int or float literal (not a bool, not complex)."""
    return isinstance(node, ast.Constant) and type(node.value) in (int, float)


def is_int_literal(node: ast.AST | None) -> bool:
    return isinstance(node, ast.Constant) and type(node.value) is int


def is_constant(node: ast.AST | None, value: Any) -> bool:
    """`True`, `False` or `None` as written (libcst read these as names)."""
    return isinstance(node, ast.Constant) and node.value is value


def unpacks(call: ast.Call) -> bool:
    """`f(*args)` or `f(**kwargs)`: any parameter may be set by what they unpack."""
    return any(isinstance(a, ast.Starred) for a in call.args) or any(k.arg is None for k in call.keywords)


def keyword_place(arg: ast.keyword) -> Place:
    """Where a keyword's name is written (`lr` of `lr=0.1`): `ast` has no node for it."""
    assert arg.arg is not None
    return Place(arg.lineno, arg.col_offset, arg.lineno, arg.col_offset + len(arg.arg.encode("utf-8")))


def attribute_place(node: ast.Attribute) -> Place:
    """Where the name after the dot is written (`fit_generator` of `model.fit_generator`)."""
    assert node.end_lineno is not None and node.end_col_offset is not None
    start = node.end_col_offset - len(node.attr.encode("utf-8"))
    return Place(node.end_lineno, start, node.end_lineno, node.end_col_offset)
