"""Source positions of just the nodes a run reports.

libcst's PositionProvider generates the whole module's code and records a range for every node:
1.6-2x the cost of parsing, paid by every file with a finding. Here the same code generation runs,
but only the reported nodes (and the child nodes their ranges are hoisted from) are measured, and
line/column are counted lazily from the tokens emitted since the last measurement. The positions
are identical to PositionProvider's (tests/test_spans.py checks every fixture); if libcst's
internals ever change shape, the engine falls back to PositionProvider.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterable, Iterator

import libcst as cst
from libcst._nodes.internal import CodegenState

_NEWLINE = re.compile(r"\r\n?|\n")  # what libcst counts as a line break
_UNMEASURED = contextlib.nullcontext()

Position = tuple[tuple[int, int], tuple[int, int]]  # ((line, column), (end_line, end_column)); columns 0-based


class _MeasuringCodegen(CodegenState):
    def __init__(self, module: cst.Module, wanted: Iterable[cst.CSTNode]) -> None:
        super().__init__(default_indent=module.default_indent, default_newline=module.default_newline)
        self.wanted = {id(node) for node in wanted}
        self.found: dict[int, Position] = {}
        self._starts: dict[int, tuple[int, int]] = {}
        self._counted = 0  # tokens already folded into _line/_column
        self._line, self._column = 1, 0

    def _here(self) -> tuple[int, int]:
        if self._counted < len(self.tokens):
            text = "".join(self.tokens[self._counted:])
            self._counted = len(self.tokens)
            lines = _NEWLINE.split(text)
            if len(lines) == 1:
                self._column += len(text)
            else:
                self._line += len(lines) - 1
                self._column = len(lines[-1])
        return self._line, self._column

    def before_codegen(self, node: cst.CSTNode) -> None:
        if id(node) in self.wanted:
            self._starts[id(node)] = self._here()

    def after_codegen(self, node: cst.CSTNode) -> None:
        key = id(node)
        if key in self._starts:
            start = self._starts.pop(key)
            if key not in self.found:  # a syntactic position recorded inside wins, as in libcst
                self.found[key] = (start, self._here())

    def record_syntactic_position(self, node: cst.CSTNode, *, start_node: cst.CSTNode | None = None,
                                  end_node: cst.CSTNode | None = None):
        if id(node) not in self.wanted:
            return _UNMEASURED
        for hoisted in (start_node, end_node):
            if hoisted is not None:
                self.wanted.add(id(hoisted))
        return self._measure(node, start_node, end_node)

    @contextlib.contextmanager
    def _measure(self, node, start_node, end_node) -> Iterator[None]:
        start = self._here()
        yield
        end = self._here()
        if start_node is not None:
            start = self.found[id(start_node)][0]
        if end_node is not None:
            end = self.found[id(end_node)][1]
        self.found[id(node)] = (start, end)


def node_positions(module: cst.Module, nodes: Iterable[cst.CSTNode]) -> dict[int, Position]:
    """{id(node): ((line, column), (end_line, end_column))} for the given nodes of `module`."""
    state = _MeasuringCodegen(module, nodes)
    module._codegen(state)
    return state.found
