"""The suppression grammar (one table, flake8's noqa-table style) and its application in lint_source."""

from __future__ import annotations

import textwrap

import pytest

from rnnlint.config import Config
from rnnlint.engine import lint_source
from rnnlint.suppress import Directive, parse_comment

# comment -> [(kind, rules)] ; kind "invalid" carries no rules
GRAMMAR = [
    ("# rnnlint: ignore[RNN301]", [("ignore", ("RNN301",))]),
    ("# rnnlint: ignore[RNN301, extreme-learning-rate]", [("ignore", ("RNN301", "extreme-learning-rate"))]),
    ("# rnnlint: ignore[RNN301,RNN102]", [("ignore", ("RNN301", "RNN102"))]),
    ("# rnnlint:ignore[ RNN301 ]", [("ignore", ("RNN301",))]),
    ("#rnnlint: IGNORE[RNN301]", [("ignore", ("RNN301",))]),
    ("# rnnlint: ignore-file[RNN101]", [("ignore-file", ("RNN101",))]),
    ("# rnnlint: ignore[RNN999]", [("ignore", ("RNN999",))]),  # unknown codes are the catalog's call
    ("# rnnlint: ignore[RNN301] -- the paper's fixed schedule", [("ignore", ("RNN301",))]),
    ("# rnnlint: ignore[RNN301] because: reasons", [("ignore", ("RNN301",))]),
    ("# rnnlint: ignore RNN301", [("invalid", ())]),
    ("# rnnlint: ignore", [("invalid", ())]),  # never a blanket suppression
    ("# rnnlint: ignore[]", [("invalid", ())]),
    ("# rnnlint: ignore-file", [("invalid", ())]),
    ("# rnnlint: disable=RNN301", [("invalid", ())]),
    ("# rnnlint: skip-file", [("invalid", ())]),
    ("# rnnlint: ignore[RNN301]  # expect: RNN003", [("ignore", ("RNN301",))]),
    ("# training for the paper  # rnnlint: ignore[RNN301]", [("ignore", ("RNN301",))]),
    ("# noqa: RNN301", [("noqa", ("RNN301",))]),
    ("# noqa:RNN301,RNN102", [("noqa", ("RNN301", "RNN102"))]),
    ("# NOQA: RNN301 E501", [("noqa", ("RNN301", "E501"))]),
    ("# noqa", []),  # bare noqa is flake8's: rnnlint does not read it
    ("# noqa E501", []),
    ("# noqa: missing-early-stopping", [("noqa", ("missing-early-stopping",))]),  # reported later
    ("# rnnlint: ignore[RNN301]  # noqa: E501", [("ignore", ("RNN301",)), ("noqa", ("E501",))]),
    ("# a plain comment about rnnlint", []),
    ("# expect: RNN301", []),
]


@pytest.mark.parametrize("comment, expected", GRAMMAR, ids=[c for c, _ in GRAMMAR])
def test_grammar(comment, expected):
    got = parse_comment(comment)
    assert [(d.kind, d.rules) for d in got] == expected
    assert all(isinstance(d, Directive) and (d.error is not None) == (d.kind == "invalid") for d in got)


HEAD = """\
import numpy as np
import tensorflow as tf

X = np.random.rand(100, 10, 1)
y = np.random.rand(100, 1)
model = tf.keras.Sequential([tf.keras.layers.Input(shape=(10, 1)), tf.keras.layers.LSTM(8), tf.keras.layers.Dense(1)])
model.compile(optimizer=tf.keras.optimizers.Adam(1e-3, clipnorm=1.0), loss="mse")
"""


def _codes(body: str, config: Config = Config()) -> list[tuple[int, str]]:
    text = HEAD + textwrap.dedent(body)
    return sorted((f.span.line - HEAD.count("\n"), f.code) for f in lint_source("t.py", text, config).findings)


# (body, findings expected as (line within body, code)); the unsuppressed fit must fire RNN301
PLACEMENT = [
    ("model.fit(X, y, epochs=100)\n", [(1, "RNN301")]),
    ("model.fit(X, y, epochs=100)  # rnnlint: ignore[RNN301]\n", []),
    ("model.fit(X, y, epochs=100)  # rnnlint: ignore[missing-early-stopping]\n", []),
    ("model.fit(X, y, epochs=100)  # noqa: RNN301\n", []),
    ("model.fit(X, y, epochs=100)  # noqa\n", [(1, "RNN301")]),
    ("model.fit(X, y, epochs=100)  # noqa: E501\n", [(1, "RNN301")]),
    ("model.fit(X, y, epochs=100)  # rnnlint: ignore[RNN102]\n", [(1, "RNN301")]),
    # the line above a (multi-line) statement
    ("# rnnlint: ignore[RNN301]\nhistory = model.fit(\n    X,\n    y,\n    epochs=100,\n)\n", []),
    ("# rnnlint: ignore[RNN301]\n# reproducing the paper's fixed schedule\nhistory = model.fit(X, y, epochs=100)\n", []),
    # the first line and the closing line of a multi-line call
    ("history = model.fit(  # rnnlint: ignore[RNN301]\n    X,\n    y,\n    epochs=100,\n)\n", []),
    ("history = model.fit(\n    X,\n    y,\n    epochs=100,\n)  # rnnlint: ignore[RNN301]\n", []),
    # a comment two lines above, or separated by a blank line, is not the statement's
    ("# rnnlint: ignore[RNN301]\n\nmodel.fit(X, y, epochs=100)\n", [(3, "RNN301")]),
    ("x = 1  # rnnlint: ignore[RNN301]\nmodel.fit(X, y, epochs=100)\n", [(2, "RNN301")]),
    # whole file
    ("# rnnlint: ignore-file[RNN301]\nmodel.fit(X, y, epochs=100)\nmodel.fit(X, y, epochs=200)\n", []),
    # unknown and malformed suppressions are reported and suppress nothing
    ("model.fit(X, y, epochs=100)  # rnnlint: ignore[RNN999]\n", [(1, "RNN002"), (1, "RNN301")]),
    ("model.fit(X, y, epochs=100)  # rnnlint: ignore\n", [(1, "RNN002"), (1, "RNN301")]),
    ("model.fit(X, y, epochs=100)  # noqa: missing-early-stopping\n", [(1, "RNN002"), (1, "RNN301")]),
    ("model.fit(X, y, epochs=100)  # rnnlint: ignore[RNN301, RNN998]\n", [(1, "RNN002")]),
    # a '#' inside a string is not a comment
    ('print("# rnnlint: ignore[RNN301]"); model.fit(X, y, epochs=100)\n', [(1, "RNN301")]),
]


@pytest.mark.parametrize("body, expected", PLACEMENT)
def test_placement(body, expected):
    assert _codes(body) == expected


def test_unused_suppressions_are_opt_in():
    body = "model.fit(X, y, epochs=5)  # rnnlint: ignore[RNN301]\n"
    assert _codes(body) == []
    assert _codes(body, Config(extend_select=("RNN003",))) == [(1, "RNN003")]
    assert _codes(body, Config(extend_select=("unused-suppression",))) == [(1, "RNN003")]
    assert _codes(body, Config(select=("RNN0",))) == []  # a prefix does not turn it on


def test_unused_is_not_reported_for_a_disabled_rule():
    body = "model.fit(X, y, epochs=5)  # rnnlint: ignore[RNN301]\n"
    assert _codes(body, Config(ignore=("RNN301",), extend_select=("RNN003",))) == []


def test_used_suppression_is_not_unused():
    body = "model.fit(X, y, epochs=100)  # rnnlint: ignore[RNN301]\n"
    assert _codes(body, Config(extend_select=("RNN003",))) == []


def test_meta_findings_can_be_ignored_by_config():
    body = "model.fit(X, y, epochs=100)  # rnnlint: ignore[RNN999]\n"
    assert _codes(body, Config(ignore=("invalid-suppression",))) == [(1, "RNN301")]


def test_suppression_in_a_file_that_does_not_parse():
    text = "import keras\nprint 'x'  # rnnlint: ignore[RNN001]\n"
    assert lint_source("t.py", text).findings == []
    text = "import keras\nprint 'x'  # rnnlint: ignore[RNN999]\n"
    assert sorted(f.code for f in lint_source("t.py", text).findings) == ["RNN001", "RNN002"]
