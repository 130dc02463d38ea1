"""Examples are tests: each bad example fires exactly on its marked lines, each good one stays silent."""

from __future__ import annotations

import pytest

from rnnlint.catalog import default_catalog
from rnnlint.config import Config
from rnnlint.engine import lint_source
from tests.conftest import compare, expected_markers

CATALOG = default_catalog()
CASES = [
    pytest.param(spec, kind, index, text, id=f"{spec.code}-{kind}-{index}")
    for spec in CATALOG if spec.kind != "runtime"
    for kind, texts in (("bad", spec.bad_examples), ("good", spec.good_examples))
    for index, text in enumerate(texts)
]


@pytest.mark.parametrize("spec, kind, index, text", CASES)
def test_example(spec, kind, index, text):
    # each example runs with its own rule selected (an opt-in rule such as RNN003 is off by default)
    config = Config(extend_select=(spec.code,))
    findings = [f for f in lint_source("example.py", text, config).findings if f.code == spec.code]
    got = [(f.span.line, f.code, f.severity.label) for f in findings]
    expected = {m for m in expected_markers(text) if m[1] == spec.code}
    if kind == "good":
        assert not got, f"good example of {spec.code} fired: {[(f.span.line, f.message) for f in findings]}"
        assert not expected, "good examples carry no markers for their own rule"
        return
    assert expected, "a bad example must mark where its rule fires"
    missing, unexpected = compare(expected, got)
    assert not missing and not unexpected, (
        f"missing={sorted(missing)} unexpected={sorted(unexpected)} "
        f"messages={[(f.span.line, f.message) for f in findings]}")


def test_every_static_rule_has_a_check():
    from rnnlint.checks import load_checks
    checks = load_checks()
    for spec in CATALOG:
        if spec.kind == "static":
            assert spec.name in checks, f"{spec.code} {spec.name} has a catalog entry but no check"
    names = {spec.name for spec in CATALOG}
    assert set(checks) <= names, f"checks without a catalog entry: {set(checks) - names}"


def test_every_declared_threshold_is_read():
    """Run every example and fixture; each threshold a static rule declares must have been read."""
    from pathlib import Path

    from rnnlint.engine import lint_file
    reads: set = set()
    for spec in CATALOG:
        for text in (*spec.bad_examples, *spec.good_examples):
            reads |= lint_source("example.py", text).threshold_reads
    for path in sorted((Path(__file__).parent.parent / "fixtures").rglob("*.py")):
        reads |= lint_file(path).threshold_reads
    declared = {(spec.code, key) for spec in CATALOG if spec.kind == "static" for key in spec.thresholds}
    assert declared - reads == set(), f"declared but never read: {sorted(declared - reads)}"


def test_messages_render_with_their_placeholders():
    """Every static message placeholder is a plain name (a check fills it); no stray braces."""
    import string
    for spec in CATALOG:
        for _, field, _, _ in string.Formatter().parse(spec.message):
            assert field is None or field.isidentifier(), f"{spec.code}: bad placeholder {field!r}"
