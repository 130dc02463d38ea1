"""Building blocks for fixes: spell a Keras class the way the file already does, and add arguments
to a call without disturbing its layout.

A fix that inserts `Adam(...)` or `EarlyStopping(...)` must name the class in the file's own style:
a name already imported, `keras.optimizers.Adam` in a file that does `import keras`,
`tf.keras.optimizers.Adam` in a `tf.keras` file, or a new `from ... import Adam` line next to the
file's existing Keras `from` imports. Only module-level imports count (a name imported inside a
function is not visible everywhere). When none of these applies the fix is not offered.
"""

from __future__ import annotations

import libcst as cst

from rnnlint.facts.names import canonical, dotted_name

Replacement = tuple[cst.CSTNode, cst.CSTNode]
NO_SPACE = cst.SimpleWhitespace("")


def _top_level_imports(module: cst.Module):
    """(statement line, import node) for each import at the module's top level, in order."""
    for line in module.body:
        if isinstance(line, cst.SimpleStatementLine):
            for small in line.body:
                if isinstance(small, (cst.Import, cst.ImportFrom)):
                    yield line, small


def _bound_names(node: cst.Import | cst.ImportFrom) -> list[tuple[str, str]]:
    """(local name, what it stands for before canonicalisation) for one import statement."""
    out: list[tuple[str, str]] = []
    if isinstance(node, cst.ImportFrom):
        if node.relative or node.module is None or isinstance(node.names, cst.ImportStar):
            return out
        module = dotted_name(node.module) or ""
        for alias in node.names:
            imported = dotted_name(alias.name) or ""
            local = alias.asname.name.value if alias.asname and isinstance(alias.asname.name, cst.Name) else imported
            out.append((local, f"{module}.{imported}"))
    else:
        for alias in node.names:
            full = dotted_name(alias.name) or ""
            if alias.asname is not None and isinstance(alias.asname.name, cst.Name):
                out.append((alias.asname.name.value, full))
            elif "." not in full:
                out.append((full, full))
    return out


def _keras_prefix(module: str) -> str | None:
    """`tensorflow.keras` for `tensorflow.keras.layers`, `keras` for `keras`; None if not Keras."""
    parts = module.split(".")
    for index, part in enumerate(parts):
        if part in ("keras", "tf_keras"):
            return ".".join(parts[: index + 1])
    return None


def _attribute(dotted: str) -> cst.Name | cst.Attribute:
    head, *rest = dotted.split(".")
    node: cst.Name | cst.Attribute = cst.Name(head)
    for part in rest:
        node = cst.Attribute(node, cst.Name(part))
    return node


def keras_reference(facts, family: str, name: str) -> tuple[cst.BaseExpression, tuple[Replacement, ...]] | None:
    """An expression naming `keras.<family>.<name>` in this file's style, and the replacements that
    add the import it needs (none when the file already has one); None when the style is unclear."""
    target, family_module = f"keras.{family}.{name}", f"keras.{family}"
    imports = list(_top_level_imports(facts.module))
    bound = [(local, raw, line, node) for line, node in imports for local, raw in _bound_names(node)]
    for local, raw, _, _ in bound:
        if canonical(raw) == target:
            return cst.Name(local), ()
    for local, raw, _, _ in bound:
        if canonical(raw) == family_module:
            return _attribute(f"{local}.{name}"), ()
    for local, raw, _, _ in bound:
        if canonical(raw) == "keras":
            return _attribute(f"{local}.{family}.{name}"), ()
    tf_aliases = [local for local, raw, _, _ in bound if raw == "tensorflow"]
    for alias in tf_aliases:
        if any(site.func_dotted and site.func_dotted.startswith(f"{alias}.keras.") for site in facts.index.calls):
            return _attribute(f"{alias}.keras.{family}.{name}"), ()
    keras_from = [(line, node) for line, node in imports if isinstance(node, cst.ImportFrom)
                  and not node.relative and node.module is not None
                  and _keras_prefix(dotted_name(node.module) or "") is not None]
    # a new `from ... import Adam` must not shadow (or be shadowed by) another `Adam` in the file
    if keras_from and not any(scope.bindings.get(name) for scope in facts.index.scopes):
        return cst.Name(name), (_add_from_import(keras_from, family, name),)
    if tf_aliases:
        return _attribute(f"{tf_aliases[0]}.keras.{family}.{name}"), ()
    return None


def _add_from_import(keras_from: list, family: str, name: str) -> Replacement:
    """Add `name` to an existing `from <keras>.<family> import ...`, else a new line beside the last
    Keras `from` import (after it, or before it when it carries a comment or shares its line)."""
    alias = cst.ImportAlias(cst.Name(name))
    for _, node in keras_from:
        if canonical(dotted_name(node.module) or "") == f"keras.{family}" and not isinstance(node.names, cst.ImportStar):
            names = list(node.names)
            last = names[-1]
            names[-1] = last.with_changes(comma=_separator(names, node.lpar.whitespace_after if node.lpar else None))
            if isinstance(last.comma, cst.Comma):  # a trailing comma keeps the closing layout
                alias = alias.with_changes(comma=last.comma)
            return node, node.with_changes(names=[*names, alias])
    line, node = keras_from[-1]
    prefix = _keras_prefix(dotted_name(node.module) or "")
    new_line = cst.SimpleStatementLine([cst.ImportFrom(module=_attribute(f"{prefix}.{family}"), names=[alias])])
    anchor = line.body[0]
    alone = len(line.body) == 1 and line.trailing_whitespace.comment is None
    # The anchor's own span excludes its comment and newline, so the new line goes on its far side.
    body = [cst.SimpleStatementLine([anchor]), new_line] if alone else [new_line, cst.SimpleStatementLine([anchor])]
    return anchor, cst.Module(body=body, has_trailing_newline=False)


def append_argument(call: cst.Call, new: cst.Arg) -> cst.Call:
    """`call` with `new` as its last argument, following the call's layout: one line, or one argument
    per line with (or without) a trailing comma."""
    args = list(call.args)
    if not args:
        return call.with_changes(args=[new])
    last = args[-1]
    separator = _separator(args, call.whitespace_before_args)
    if isinstance(last.comma, cst.Comma):  # trailing comma: the new argument takes over the closing layout
        args[-1] = last.with_changes(comma=separator)
        return call.with_changes(args=[*args, new.with_changes(comma=last.comma)])
    args[-1] = last.with_changes(comma=separator, whitespace_after_arg=NO_SPACE)
    return call.with_changes(args=[*args, new.with_changes(whitespace_after_arg=last.whitespace_after_arg)])


def _separator(items: list, opening) -> cst.Comma:
    """The comma to put after what is now the last item: a copy of the one between the last two
    items, else one line per item when the bracket opens a line, else `, `."""
    if len(items) >= 2 and isinstance(items[-2].comma, cst.Comma):
        return _without_comment(items[-2].comma)
    if isinstance(opening, cst.ParenthesizedWhitespace):
        return cst.Comma(whitespace_after=opening)
    return cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))


def _without_comment(comma: cst.Comma) -> cst.Comma:
    """A copy of the separator between two items, minus the comment and blank lines that follow it."""
    after = comma.whitespace_after
    if isinstance(after, cst.ParenthesizedWhitespace):
        after = after.with_changes(first_line=cst.TrailingWhitespace(), empty_lines=[])
    return comma.with_changes(whitespace_after=after)


def keyword_arg(name: str, value: cst.BaseExpression) -> cst.Arg:
    return cst.Arg(keyword=cst.Name(name), value=value,
                   equal=cst.AssignEqual(whitespace_before=NO_SPACE, whitespace_after=NO_SPACE))


def append_element(node: cst.List, new: cst.Element) -> cst.List:
    """`node` with `new` as its last element, following the list's layout (as `append_argument`)."""
    elements = list(node.elements)
    if not elements:
        return node.with_changes(elements=[new])
    last = elements[-1]
    elements[-1] = last.with_changes(comma=_separator(elements, node.lbracket.whitespace_after))
    if isinstance(last.comma, cst.Comma):
        new = new.with_changes(comma=last.comma)
    return node.with_changes(elements=[*elements, new])
