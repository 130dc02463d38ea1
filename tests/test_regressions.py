"""Minimal repros of the crashes and hangs the fuzzers found (RELIABILITY.md lists them), each fixed.

A hang is asserted with a time bound far above the fixed time (well under a second) and far below the
original one; a crash that killed the process (a segfault in libcst's native parser) runs in a child.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from rnnlint.engine import lint_source
from tests.fuzz_corpus import PRELUDE, lint_bounded

BOUND_S = 10.0


def lint_in_child(texts: list[str]) -> tuple[int, list[str]]:
    """(exit status, one "codes|errors" line per text) of linting `texts` in a separate interpreter."""
    code = ("import json, sys\nfrom rnnlint.engine import lint_source\n"
            "for text in json.load(sys.stdin):\n"
            "    r = lint_source('x.py', text)\n"
            "    print(','.join(sorted(f.code for f in r.findings)) + '|' + ';'.join(e.message for e in r.errors))\n")
    proc = subprocess.run([sys.executable, "-c", code], input=json.dumps(texts), capture_output=True, text=True,
                          timeout=120)
    return proc.returncode, proc.stdout.splitlines()


def test_1500_nested_brackets_do_not_segfault_the_parser():
    """Found by the deep_nesting mutator: libcst's native parser overflowed its stack (SIGSEGV, the
    whole run died) from ~1,500 brackets. CPython refuses over 200, so it is a syntax error."""
    pairs = [("(", ")"), ("[", "]"), ("{", "}"), ("f(", ")")]
    status, results = lint_in_child(["x = " + opening * 1500 + "1" + closing * 1500 + "\n" for opening, closing in pairs])
    assert status == 0, "the linting process crashed"
    assert results == ["RNN001|"] * len(pairs)


def test_10000_long_operator_chains_do_not_segfault_the_parser():
    chains = ["-" * 10_000 + "1", " + ".join(["a"] * 10_000), "a" + ".b" * 10_000, "lambda: " * 10_000 + "1"]
    status, results = lint_in_child([PRELUDE + "lr = " + chain + "\n" for chain in chains])
    assert status == 0, "the linting process crashed"
    assert results == ["|too deeply nested for the parser; not linted"] * len(chains)


def test_deep_nesting_behind_a_colab_shell_line_does_not_segfault():
    """`!pip install ...` fails CPython's parse first, so the nesting check saw nothing, and the
    retry without magics handed 10,000 unary minuses to libcst (found by the ipython_magics mutator)."""
    chains = ["-" * 10_000 + "1", "(" * 3000 + "1" + ")" * 3000]
    status, results = lint_in_child(["!pip install keras\nimport keras\nlr = " + chain + "\n" for chain in chains])
    assert status == 0, "the linting process crashed"
    assert [line.split("|")[0] for line in results] == ["RNN001", "RNN001"]


def test_long_binary_chain_is_refused_before_the_slow_parse():
    """`x = 1 + 1 + ...` with 2,500 terms is valid Python, but libcst took 11-17 s to parse it
    (superlinear in the chain's length); found by the long_line mutator."""
    outcome = lint_bounded(PRELUDE + "x = " + "1 + " * 2_500 + "1\n", BOUND_S)
    assert outcome.kind == "error" and "nested more than 500 levels" in outcome.detail, outcome


def test_chain_within_the_limit_is_still_linted():
    text = PRELUDE + "lr = " + " + ".join(["0.001"] * 100) + "\nopt = keras.optimizers.SGD(learning_rate=lr)\n"
    assert lint_source("x.py", text).errors == []


def test_self_assignments_in_a_loop_are_linear():
    """`model = model` eight times in a loop took 8 s, twelve times never finished: each use reached
    every binding in the loop, and each of those every other one (collect.definitions)."""
    text = (PRELUDE + "model = keras.Sequential([keras.layers.LSTM(4)])\nfor i in range(9):\n"
            + "    model = model\n" * 12
            + "    model.compile(optimizer='sgd', loss='mse')\n    model.fit(x, y, epochs=5)\n")
    outcome = lint_bounded(text, BOUND_S)
    assert outcome.kind == "findings" and "RNN101" in outcome.detail, outcome


def test_helpers_returning_each_other_are_followed_once():
    """40 helpers, each returning the next from two branches: 2**16 paths were followed (30 s);
    found by the pathological-programs set (many_functions_diamond)."""
    text = PRELUDE + "".join(f"def f{i}():\n    if x:\n        return f{i + 1}()\n    return f{i + 1}()\n"
                             for i in range(40))
    text += ("def f40():\n    return keras.Sequential([keras.layers.LSTM(4)])\n"
             "model = f0()\nmodel.compile(optimizer=f0(), loss='mse')\nmodel.fit(x, y, epochs=9)\n")
    outcome = lint_bounded(text, BOUND_S)
    assert not outcome.failed, outcome


def test_mutually_recursive_helpers_are_linted():
    text = (PRELUDE + "def f():\n    return g()\ndef g():\n    return f()\n"
            "model = f()\nmodel.compile(optimizer=f(), loss='mse')\nmodel.fit(x, y, epochs=5, callbacks=f())\n")
    report = lint_source("x.py", text)
    assert report.errors == []


def test_containers_of_themselves_resolve_in_bounded_time():
    """`a = {'x': a, 'y': a, 'z': a, 'w': a}` sixteen times: value resolution built 4**16 items."""
    text = (PRELUDE + "a = 1\n" + "a = {'x': a, 'y': a, 'z': a, 'w': a}\n" * 16
            + "opt = keras.optimizers.Adam(learning_rate=a['x']['y'])\n")
    outcome = lint_bounded(text, BOUND_S)
    assert not outcome.failed, outcome


def test_lint_file_refuses_fifos_and_devices(tmp_path):
    """A FIFO named train.py blocked `lint_file`'s read forever, and a link to /dev/zero read until
    memory ran out (found writing the directory-walk tests; the runner's read is reported separately)."""
    import os

    from rnnlint.engine import lint_file
    os.mkfifo(tmp_path / "pipe.py")
    (tmp_path / "zero.py").symlink_to("/dev/zero")
    for name in ("pipe.py", "zero.py"):
        report = lint_file(tmp_path / name)
        assert [e.message for e in report.errors] == [
            "not a regular file (a directory, device, FIFO or socket); not linted"]


def test_reading_stops_just_past_the_size_limit(tmp_path):
    from rnnlint.source import SourceError, decode, read_source
    (tmp_path / "big.py").write_text("x = 1\n" * 1000)
    data = read_source(tmp_path / "big.py", max_bytes=1000)
    assert len(data) == 1001
    assert isinstance(decode(data, max_bytes=1000), SourceError)


def test_deep_chain_before_a_syntax_error_is_reported_at_once():
    """libcst spent 34 s on 3,000 chained `[0]` before failing at a `!pip` line inside brackets (found
    by the long run: vanishing_healthy.py + mixed_newlines + ipython_magics + deep_nesting). CPython's
    parser, which analysis now uses, reports the syntax error at once; libcst never sees the file."""
    text = ("x = x" + "[0]" * 3000 + "\nimport keras\nmodel = keras.Sequential([\n    keras.layers.LSTM(4),\n"
            "!pip install keras\n])\n")
    outcome = lint_bounded(text, BOUND_S)
    assert outcome.kind == "findings" and outcome.detail == "RNN001" and outcome.seconds < 2, outcome


def test_the_nesting_check_prints_no_warnings_about_the_linted_code(recwarn):
    """Parsing with CPython first made `"\\d"` in a linted file warn on rnnlint's stderr (a
    DeprecationWarning shown under -W default, a SyntaxWarning by default from Python 3.12)."""
    lint_source("x.py", PRELUDE + 'pattern = "\\d+"\n')
    assert [str(w.message) for w in recwarn] == []


@pytest.mark.skipif(sys.version_info >= (3, 12), reason="this Python parses 3.12 syntax")
@pytest.mark.parametrize("line", ["type Vector = list[float]", "def first[T](xs: list[T]) -> T: ...",
                                  "class Box[T]: pass", 'x = f"{d["key"]}"'])
def test_syntax_newer_than_this_python_says_so(line):
    """`ast` parses what the running Python parses: newer syntax is an RNN001 that names the version."""
    text = f"import keras\n{line}\nopt = keras.optimizers.Adam(lr=1.0)\n"
    [finding] = lint_source("new.py", text).findings
    assert finding.code == "RNN001" and finding.span.line == 2
    assert "is Python 3.12 syntax and rnnlint runs on Python 3." in finding.message, finding.message


def test_an_ordinary_syntax_error_claims_no_newer_python():
    [finding] = lint_source("bad.py", "import keras\nx = (1,\n").findings
    assert finding.code == "RNN001" and "syntax and rnnlint runs on" not in finding.message
