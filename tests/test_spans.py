"""Positions of reported nodes equal libcst's PositionProvider, on every fixture and catalog example."""

from __future__ import annotations

from pathlib import Path

import libcst as cst
import pytest
from libcst.metadata import MetadataWrapper, PositionProvider

from rnnlint.catalog import default_catalog
from rnnlint.config import DEFAULT_CONFIG
from rnnlint.engine import _run_checks
from rnnlint.spans import node_positions

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
CATALOG = default_catalog()
TEXTS = [pytest.param(p.read_text(encoding="utf-8"), id=str(p.relative_to(FIXTURES)))
         for p in sorted(FIXTURES.rglob("*.py")) if "probe" not in p.parts]
TEXTS += [pytest.param(text, id=f"{spec.code}-bad-{i}") for spec in CATALOG
          for i, text in enumerate(spec.bad_examples) if spec.kind == "static"]


def _reported_nodes(module: cst.Module) -> list[cst.CSTNode]:
    crashes: list = []
    reports = _run_checks(module, DEFAULT_CONFIG, CATALOG, DEFAULT_CONFIG.enabled_codes(CATALOG), set(), None,
                          crashes)
    assert not crashes, crashes
    nodes = [r.node for r in reports] + [old for r in reports if r.fix for old, _ in r.fix.replacements]
    return nodes


@pytest.mark.parametrize("text", TEXTS)
def test_selected_positions_equal_position_provider(text):
    try:
        module = cst.parse_module(text)
    except cst.ParserSyntaxError:
        pytest.skip("does not parse")
    nodes = _reported_nodes(module)
    full = MetadataWrapper(module, unsafe_skip_copy=True).resolve(PositionProvider)
    measured = node_positions(module, nodes)
    for node in nodes:
        expected = full[node]
        assert measured[id(node)] == ((expected.start.line, expected.start.column),
                                      (expected.end.line, expected.end.column))


@pytest.mark.parametrize("newline", ["\n", "\r\n", "\r"])
def test_every_node_kind_and_newline_style(newline):
    """Not only reported nodes: every node of a varied program, under each newline style."""
    source = newline.join([
        "import keras as k  # comment", "@decorator(1)", "class A(B, metaclass=M):", "    x: int = 1",
        "    def f(self, a, *args, b=2, **kw) -> None:", "        return [i async for i in g()] if a else {1: (2, 3)}",
        "", "async def g():", "    async with a as b, c:", "        yield f'{x!r:>{w}}' 'tail'",
        "try:", "    pass", "except (E, F) as e:", "    raise X from e", "finally:", "    del a[1:2, ::3]",
        "lambda q=1: (yield)", "x = a if b else c; y = not z", "",
    ])
    module = cst.parse_module(source)
    nodes = []

    class Collect(cst.CSTVisitor):
        def on_visit(self, node):
            nodes.append(node)
            return True

    module.visit(Collect())
    full = MetadataWrapper(module, unsafe_skip_copy=True).resolve(PositionProvider)
    measured = node_positions(module, nodes)
    for node in nodes:
        expected = full[node]
        assert measured[id(node)] == ((expected.start.line, expected.start.column),
                                      (expected.end.line, expected.end.column)), type(node).__name__
