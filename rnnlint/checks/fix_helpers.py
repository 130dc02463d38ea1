"""Building blocks for fixes: find in the libcst tree the nodes the `ast` facts name, spell a Keras
class the way the file already does, and add arguments to a call without disturbing its layout.

A fix is decided on the `ast` facts (is there one, what it does) and built on libcst only when fixes
are asked for: libcst is imported here inside functions, never when a check module loads.

A fix that inserts `Adam(...)` or `EarlyStopping(...)` must name the class in the file's own style:
a name already imported, `keras.optimizers.Adam` in a file that does `import keras`,
`tf.keras.optimizers.Adam` in a `tf.keras` file, or a new `from ... import Adam` line next to the
file's existing Keras `from` imports. Only module-level imports count (a name imported inside a
function is not visible everywhere). When none of these applies the fix is not offered.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from rnnlint.facts.names import canonical
from rnnlint.findings import Span
from rnnlint.positions import SourceLines

if TYPE_CHECKING:
    import libcst as cst

Replacement = tuple["cst.CSTNode", "cst.CSTNode"]


class CstSite:
    """The libcst tree of the text being fixed, and the way from an `ast` node to its libcst twin:
    the node of the wanted type that starts and ends where the `ast` node does."""

    def __init__(self, module: cst.Module, text: str) -> None:
        from libcst.metadata import MetadataWrapper, PositionProvider

        self.module = module
        self.lines = SourceLines(text)
        positions = MetadataWrapper(module, unsafe_skip_copy=True).resolve(PositionProvider)
        self._spans: dict[int, Span] = {}
        self._by_span: dict[tuple[int, int, int, int], list[cst.CSTNode]] = {}
        for node, where in positions.items():
            key = (where.start.line, where.start.column + 1, where.end.line, where.end.column + 1)
            self._spans[id(node)] = Span(*key)
            self._by_span.setdefault(key, []).append(node)

    def node(self, node: Any, kind: type) -> Any:
        """The libcst node of type `kind` at the position of `node` (an `ast` node or a Place)."""
        for candidate in self._by_span.get(self.lines.span(node), ()):
            if isinstance(candidate, kind):
                return candidate
        raise LookupError(f"no libcst {kind.__name__} at {self.lines.span(node)}")

    def span(self, node: cst.CSTNode) -> Span:
        return self._spans[id(node)]

    def statement_line(self, small: cst.CSTNode) -> cst.SimpleStatementLine:
        """The module-level line that holds a small statement (an import)."""
        import libcst as cst

        for line in self.module.body:
            if isinstance(line, cst.SimpleStatementLine) and any(item is small for item in line.body):
                return line
        raise LookupError("not a module-level statement")


def _top_level_imports(module: ast.Module) -> list[ast.Import | ast.ImportFrom]:
    """The imports at the module's top level, in order."""
    return [node for node in module.body if isinstance(node, (ast.Import, ast.ImportFrom))]


def _bound_names(node: ast.Import | ast.ImportFrom) -> list[tuple[str, str]]:
    """(local name, what it stands for before canonicalisation) for one import statement."""
    out: list[tuple[str, str]] = []
    if isinstance(node, ast.ImportFrom):
        if node.level or node.module is None or any(alias.name == "*" for alias in node.names):
            return out
        for alias in node.names:
            out.append((alias.asname or alias.name, f"{node.module}.{alias.name}"))
    else:
        for alias in node.names:
            if alias.asname is not None:
                out.append((alias.asname, alias.name))
            elif "." not in alias.name:
                out.append((alias.name, alias.name))
    return out


def _keras_prefix(module: str) -> str | None:
    """`tensorflow.keras` for `tensorflow.keras.layers`, `keras` for `keras`; None if not Keras."""
    parts = module.split(".")
    for index, part in enumerate(parts):
        if part in ("keras", "tf_keras"):
            return ".".join(parts[: index + 1])
    return None


def dotted_expression(dotted: str) -> cst.Name | cst.Attribute:
    import libcst as cst

    head, *rest = dotted.split(".")
    node: cst.Name | cst.Attribute = cst.Name(head)
    for part in rest:
        node = cst.Attribute(node, cst.Name(part))
    return node


@dataclass(frozen=True)
class KerasReference:
    """How to name a Keras class in this file: a dotted expression, plus (when `imports` is set) a
    `from ... import name` to add beside the file's last Keras `from` imports."""

    dotted: str
    family: str
    imports: tuple[ast.ImportFrom, ...] = ()  # the file's Keras `from` imports, when one must be added

    def build(self, site: CstSite) -> tuple[cst.BaseExpression, tuple[Replacement, ...]]:
        expression = dotted_expression(self.dotted)
        if not self.imports:
            return expression, ()
        return expression, (_add_from_import(site, self.imports, self.family, self.dotted),)


def keras_reference(facts, family: str, name: str) -> KerasReference | None:
    """How to name `keras.<family>.<name>` in this file's style; None when the style is unclear."""
    target, family_module = f"keras.{family}.{name}", f"keras.{family}"
    imports = _top_level_imports(facts.module)
    bound = [(local, raw) for node in imports for local, raw in _bound_names(node)]
    for local, raw in bound:
        if canonical(raw) == target:
            return KerasReference(local, family)
    for local, raw in bound:
        if canonical(raw) == family_module:
            return KerasReference(f"{local}.{name}", family)
    for local, raw in bound:
        if canonical(raw) == "keras":
            return KerasReference(f"{local}.{family}.{name}", family)
    tf_aliases = [local for local, raw in bound if raw == "tensorflow"]
    for alias in tf_aliases:
        if any(site.func_dotted and site.func_dotted.startswith(f"{alias}.keras.") for site in facts.index.calls):
            return KerasReference(f"{alias}.keras.{family}.{name}", family)
    keras_from = tuple(node for node in imports if isinstance(node, ast.ImportFrom)
                       and not node.level and node.module is not None and _keras_prefix(node.module) is not None)
    # a new `from ... import Adam` must not shadow (or be shadowed by) another `Adam` in the file
    if keras_from and not any(scope.bindings.get(name) for scope in facts.index.scopes):
        return KerasReference(name, family, keras_from)
    if tf_aliases:
        return KerasReference(f"{tf_aliases[0]}.keras.{family}.{name}", family)
    return None


def _add_from_import(site: CstSite, keras_from: tuple[ast.ImportFrom, ...], family: str, name: str) -> Replacement:
    """Add `name` to an existing `from <keras>.<family> import ...`, else a new line beside the last
    Keras `from` import (after it, or before it when it carries a comment or shares its line)."""
    import libcst as cst

    alias = cst.ImportAlias(cst.Name(name))
    for found in keras_from:
        if canonical(found.module or "") == f"keras.{family}" and not any(a.name == "*" for a in found.names):
            node = site.node(found, cst.ImportFrom)
            names = list(node.names)
            last = names[-1]
            names[-1] = last.with_changes(comma=_separator(names, node.lpar.whitespace_after if node.lpar else None))
            if isinstance(last.comma, cst.Comma):  # a trailing comma keeps the closing layout
                alias = alias.with_changes(comma=last.comma)
            return node, node.with_changes(names=[*names, alias])
    anchor = site.node(keras_from[-1], cst.ImportFrom)
    line = site.statement_line(anchor)
    prefix = _keras_prefix(keras_from[-1].module or "")
    new_line = cst.SimpleStatementLine([cst.ImportFrom(module=dotted_expression(f"{prefix}.{family}"), names=[alias])])
    alone = len(line.body) == 1 and line.trailing_whitespace.comment is None
    # The anchor's own span excludes its comment and newline, so the new line goes on its far side.
    body = [cst.SimpleStatementLine([anchor]), new_line] if alone else [new_line, cst.SimpleStatementLine([anchor])]
    return anchor, cst.Module(body=body, has_trailing_newline=False)


def append_argument(call: cst.Call, new: cst.Arg) -> cst.Call:
    """`call` with `new` as its last argument, following the call's layout: one line, or one argument
    per line with (or without) a trailing comma."""
    import libcst as cst

    args = list(call.args)
    if not args:
        return call.with_changes(args=[new])
    last = args[-1]
    separator = _separator(args, call.whitespace_before_args)
    if isinstance(last.comma, cst.Comma):  # trailing comma: the new argument takes over the closing layout
        args[-1] = last.with_changes(comma=separator)
        return call.with_changes(args=[*args, new.with_changes(comma=last.comma)])
    args[-1] = last.with_changes(comma=separator, whitespace_after_arg=cst.SimpleWhitespace(""))
    return call.with_changes(args=[*args, new.with_changes(whitespace_after_arg=last.whitespace_after_arg)])


def _separator(items: list, opening) -> cst.Comma:
    """The comma to put after what is now the last item: a copy of the one between the last two
    items, else one line per item when the bracket opens a line, else `, `."""
    import libcst as cst

    if len(items) >= 2 and isinstance(items[-2].comma, cst.Comma):
        return _without_comment(items[-2].comma)
    if isinstance(opening, cst.ParenthesizedWhitespace):
        return cst.Comma(whitespace_after=opening)
    return cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))


def _without_comment(comma: cst.Comma) -> cst.Comma:
    """A copy of the separator between two items, minus the comment and blank lines that follow it."""
    import libcst as cst

    after = comma.whitespace_after
    if isinstance(after, cst.ParenthesizedWhitespace):
        after = after.with_changes(first_line=cst.TrailingWhitespace(), empty_lines=[])
    return comma.with_changes(whitespace_after=after)


def keyword_arg(name: str, value: cst.BaseExpression) -> cst.Arg:
    import libcst as cst

    no_space = cst.SimpleWhitespace("")
    return cst.Arg(keyword=cst.Name(name), value=value,
                   equal=cst.AssignEqual(whitespace_before=no_space, whitespace_after=no_space))


def append_element(node: cst.List, new: cst.Element) -> cst.List:
    """`node` with `new` as its last element, following the list's layout (as `append_argument`)."""
    import libcst as cst

    elements = list(node.elements)
    if not elements:
        return node.with_changes(elements=[new])
    last = elements[-1]
    elements[-1] = last.with_changes(comma=_separator(elements, node.lbracket.whitespace_after))
    if isinstance(last.comma, cst.Comma):
        new = new.with_changes(comma=last.comma)
    return node.with_changes(elements=[*elements, new])
