"""Positions: spans read from `ast` nodes (UTF-8 byte columns, converted) equal libcst's, so that a
fix finds in the libcst tree the very node the `ast` facts reported; on every fixture, catalog
example and a program with every newline style and non-ASCII text before the nodes."""

from __future__ import annotations

import ast
from pathlib import Path

import libcst as cst
import pytest

from rnnlint.catalog import default_catalog
from rnnlint.checks.fix_helpers import CstSite
from rnnlint.positions import SourceLines

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
CATALOG = default_catalog()
TEXTS = [pytest.param(p.read_text(encoding="utf-8"), id=str(p.relative_to(FIXTURES)))
         for p in sorted(FIXTURES.rglob("*.py")) if "probe" not in p.parts]
TEXTS += [pytest.param(text, id=f"{spec.code}-bad-{i}") for spec in CATALOG
          for i, text in enumerate(spec.bad_examples) if spec.kind == "static"]
# the node kinds the checks report and the fixes replace, with their libcst twins
TWINS = {ast.Call: cst.Call, ast.Attribute: cst.Attribute, ast.List: cst.List, ast.ImportFrom: cst.ImportFrom}


def _assert_twins(text: str) -> int:
    tree = ast.parse(text)
    site = CstSite(cst.parse_module(text), text)
    found = 0
    for node in ast.walk(tree):
        kind = TWINS.get(type(node))
        if kind is not None:
            site.node(node, kind)  # raises LookupError when the positions disagree
            found += 1
    return found


@pytest.mark.parametrize("text", TEXTS)
def test_every_reported_kind_has_its_libcst_twin(text):
    try:
        cst.parse_module(text)
        ast.parse(text)
    except (cst.ParserSyntaxError, SyntaxError):
        pytest.skip("does not parse")
    _assert_twins(text)


@pytest.mark.parametrize("newline", ["\n", "\r\n", "\r"])
def test_newline_styles_parentheses_and_non_ascii(newline):
    source = newline.join([
        "from keras.layers import (LSTM,", "    Dense)  # é", "s = 'naïve 🙂'; m = keras.Sequential([LSTM(8)])",
        "x = (f(1)) + ((g)(2)).h", "label = \"中文\"; opt = keras.optimizers.Adam(learning_rate=0.1)",
        "y = [a,", "     b(\"é\"), c]", "",
    ])
    assert _assert_twins(source) >= 8


def test_columns_count_code_points():
    lines = SourceLines("s = 'naïve 🙂'; f(1)\n")
    call = next(n for n in ast.walk(ast.parse(lines.text)) if isinstance(n, ast.Call))
    assert call.col_offset == 19  # UTF-8 bytes: ï takes 2, 🙂 takes 4
    assert lines.span(call) == (1, 16, 1, 20)  # code points, 1-based, end exclusive
    assert lines.segment(call) == "f(1)"
