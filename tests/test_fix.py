"""Fixes, through the Python API: black-style cases (input, flags, expected output), idempotence over
every fixture, newline/encoding/mode preservation, atomic writes under injected faults, notebooks."""

from __future__ import annotations

import argparse
import io
import json
import os
import stat
from pathlib import Path

import pytest

from rnnlint import fix
from rnnlint.catalog import default_catalog
from rnnlint.config import DEFAULT_CONFIG
from rnnlint.fix import parse_cst
from rnnlint.findings import Applicability, Edit, Finding, Fix, Severity, Span
from rnnlint.results import RunResult
from tests.conftest import FIXTURES

CASES = Path(__file__).parent / "fix_cases"


def read_case(path: Path) -> tuple[list[str], str, str]:
    """`# flags: ...` on the first line, the input, a `# output` line, the expected output."""
    first, rest = path.read_text(encoding="utf-8").split("\n", 1)
    assert first.startswith("# flags:"), f"{path.name}: first line must be `# flags: ...`"
    source, expected = rest.split("# output\n", 1)
    return first[len("# flags:"):].split(), source, expected


@pytest.mark.parametrize("path", sorted(CASES.glob("*.py")), ids=lambda p: p.stem)
def test_fix_case(path: Path):
    flags, source, expected = read_case(path)
    unsafe = "--unsafe-fixes" in flags
    result = fix.fix_source(path.name, source, unsafe=unsafe)
    assert result.error is None
    assert result.text == expected
    again = fix.fix_source(path.name, result.text, unsafe=unsafe)
    assert again.text == result.text and not again.fixed, "a second run must change nothing"


OWN_FIXES = {"missing-gradient-clipping", "scaler-fit-on-test-data", "missing-early-stopping"}


def test_cases_cover_the_fixable_rules():
    fixed_codes = set()
    for path in CASES.glob("*.py"):
        flags, source, _ = read_case(path)
        fixed_codes |= {f.code for f in fix.fix_source(path.name, source, unsafe=True).fixed}
    fixable = {spec.code for spec in default_catalog() if spec.fix_available and spec.name in OWN_FIXES}
    assert fixable <= fixed_codes, f"no fix case applies {sorted(fixable - fixed_codes)}"


ALL_FIXTURES = sorted(FIXTURES.rglob("*.py"))


@pytest.mark.parametrize("path", ALL_FIXTURES, ids=lambda p: str(p.relative_to(FIXTURES)))
def test_fixing_a_fixture_parses_and_is_idempotent(path: Path):
    text = path.read_text(encoding="utf-8")
    first = fix.fix_source(str(path), text, unsafe=True, base_dir=path.parent)
    assert first.error is None
    parse_cst(first.text)  # parses as rnnlint reads it (a Colab script keeps its `!pip` lines)
    second = fix.fix_source(str(path), first.text, unsafe=True, base_dir=path.parent)
    assert second.text == first.text and not second.fixed
    # every applied fix removed its own finding
    left = {(f.code, f.span.line) for f in first.remaining if fix.applicable(f, unsafe=True)}
    assert not left, f"fixable findings left after fixing: {left}"


def test_unsafe_fixes_need_the_flag():
    source = (CASES / "clipnorm_string_tf_keras.py").read_text().split("\n", 1)[1].split("# output\n")[0]
    assert fix.fix_source("x.py", source).text == source
    assert fix.fix_source("x.py", source, unsafe=True).text != source


@pytest.mark.parametrize("edits,expected", [
    ([], "ab\ncd\n"),
    ([Edit(Span(1, 2, 1, 3), "X")], "aX\ncd\n"),
    ([Edit(Span(1, 1, 1, 1), ">"), Edit(Span(2, 1, 2, 3), "CD")], ">ab\nCD\n"),
    ([Edit(Span(1, 2, 2, 2), "")], "ad\n"),
])
def test_apply_edits(edits, expected):
    assert fix.apply_edits("ab\ncd\n", edits) == expected


def test_apply_edits_counts_code_points_and_crlf():
    text = "s = 'naïve 🙂'\r\nx = f(1)\r\n"
    assert fix.apply_edits(text, [Edit(Span(1, 13, 1, 14), "!")]) == "s = 'naïve 🙂!\r\nx = f(1)\r\n"
    assert fix.apply_edits(text, [Edit(Span(2, 5, 2, 9), "g(2)")]) == "s = 'naïve 🙂'\r\nx = g(2)\r\n"


def test_overlapping_fixes_wait_for_the_next_round():
    a = Finding("RNN101", "a", Severity.INFO, "x", Span(1, 1, 1, 5), "",
                    Fix("", Applicability.SAFE, (Edit(Span(1, 1, 1, 5), "x"),)))
    b = Finding("RNN301", "b", Severity.INFO, "x", Span(1, 3, 1, 9), "",
                    Fix("", Applicability.SAFE, (Edit(Span(1, 3, 1, 9), "y"),)))
    c = Finding("RNN202", "c", Severity.INFO, "x", Span(2, 1, 2, 2), "",
                    Fix("", Applicability.UNSAFE, (Edit(Span(2, 1, 2, 2), "z"),)))
    assert fix.choose([a, b, c], unsafe=False) == [a]
    assert fix.choose([a, b, c], unsafe=True) == [a, c]


def test_a_fix_that_would_not_parse_is_refused(monkeypatch):
    source = (CASES / "clipnorm_string_tf_keras.py").read_text().split("\n", 1)[1].split("# output\n")[0]
    original = fix.apply_edits
    monkeypatch.setattr(fix, "apply_edits", lambda text, edits: original(text, edits) + "def (:\n")
    result = fix.fix_source("x.py", source, unsafe=True)
    assert result.error and "does not parse" in result.error
    assert result.text == source and not result.changed


def test_fixes_that_never_settle_are_refused(monkeypatch):
    source = (CASES / "clipnorm_string_tf_keras.py").read_text().split("\n", 1)[1].split("# output\n")[0]
    original = fix.apply_edits
    rounds = []

    def growing(text, edits):  # a buggy fix: applies, yet its finding comes back every time
        rounds.append(1)
        return text + f"x{len(rounds)} = 1\n"
    monkeypatch.setattr(fix, "apply_edits", growing)
    result = fix.fix_source("x.py", source, unsafe=True)
    assert result.error and "did not settle" in result.error and result.text == source
    assert len(rounds) == fix.MAX_ROUNDS
    monkeypatch.setattr(fix, "apply_edits", original)


# -- files --------------------------------------------------------------------------------------
BAD = (CASES / "clipnorm_string_tf_keras.py").read_text().split("\n", 1)[1].split("# output\n")[0]


def _run(paths: list[Path], *flags: str) -> tuple[int | None, str, str, RunResult]:
    from rnnlint.runner import lint_bytes
    parser = argparse.ArgumentParser()
    fix.add_fix_arguments(parser)
    args = parser.parse_args(list(flags))
    result = RunResult()
    for path in paths:
        result.findings.extend(lint_bytes(str(path), path.read_bytes(), DEFAULT_CONFIG, None, path.parent).findings)
    out, err = io.StringIO(), io.StringIO()
    code = fix.run_fixes(result, args, default_catalog(), None, out, err)
    return code, out.getvalue(), err.getvalue(), result


def test_fix_keeps_crlf_encoding_bom_and_mode(tmp_path: Path):
    path = tmp_path / "train.py"
    text = "# -*- coding: latin-1 -*-\n# données\n" + BAD
    data = b"\xef\xbb\xbf" + text.replace("# -*- coding: latin-1 -*-\n", "").replace("\n", "\r\n").encode("utf-8")
    path.write_bytes(data)
    os.chmod(path, 0o751)
    code, _, err, result = _run([path], "--unsafe-fixes")
    assert code is None and "Fixed 1 finding in 1 file" in err
    new = path.read_bytes()
    assert new.startswith(b"\xef\xbb\xbf") and b"\r\n" in new and b"\n" not in new.replace(b"\r\n", b"")
    assert "RMSprop(clipnorm=1.0)" in new.decode("utf-8-sig")
    assert stat.S_IMODE(path.stat().st_mode) == 0o751
    assert not [f for f in result.findings if f.code == "RNN101"]
    assert [p.name for p in tmp_path.iterdir()] == ["train.py"], "no temporary file left behind"

    latin = tmp_path / "latin.py"
    latin.write_bytes(text.encode("latin-1"))
    _run([latin], "--unsafe-fixes")
    assert latin.read_bytes().decode("latin-1").startswith("# -*- coding: latin-1 -*-\n# données\n")


def test_diff_writes_nothing(tmp_path: Path):
    path = tmp_path / "train.py"
    path.write_text(BAD)
    code, out, err, _ = _run([path], "--diff", "--unsafe-fixes")
    assert code == 1 and "Would fix 1 finding" in err
    assert f"--- {path}" in out and '-model.compile(optimizer="rmsprop", loss="mse")' in out
    assert "+model.compile(optimizer=tf.keras.optimizers.RMSprop(clipnorm=1.0), loss=\"mse\")" in out
    assert path.read_text() == BAD
    code, out, err, _ = _run([path], "--diff")
    assert code == 0 and out == "" and "1 more fix available with --unsafe-fixes" in err


@pytest.mark.parametrize("fault", ["replace", "write"])
def test_a_failed_write_leaves_the_original_intact(tmp_path: Path, monkeypatch, fault):
    path = tmp_path / "train.py"
    path.write_text(BAD)

    def boom(*args, **kwargs):
        raise OSError(28, "No space left on device")
    if fault == "replace":
        monkeypatch.setattr(fix.os, "replace", boom)
    else:
        monkeypatch.setattr(fix.os, "fsync", boom)
    code, _, err, result = _run([path], "--unsafe-fixes")
    assert path.read_text() == BAD
    assert "not fixed: cannot write" in err and result.errors
    assert [p.name for p in tmp_path.iterdir()] == ["train.py"]


# -- notebooks ----------------------------------------------------------------------------------
def _notebook(cells: list[tuple[str, str]]) -> str:
    data = {
        "cells": [{"cell_type": kind, "metadata": {}, "source": source.splitlines(keepends=True),
                   **({"execution_count": None, "outputs": []} if kind == "code" else {})}
                  for kind, source in cells],
        "metadata": {"language_info": {"name": "python"}}, "nbformat": 4, "nbformat_minor": 5,
    }
    return json.dumps(data, indent=1, ensure_ascii=False) + "\n"


def test_notebook_is_fixed_in_its_cells(tmp_path: Path):
    path = tmp_path / "train.ipynb"
    path.write_text(_notebook([
        ("markdown", "# Forecast 🙂"),
        ("code", "%matplotlib inline\nfrom tensorflow.keras.layers import LSTM, Dense, Input\n"
                 "from tensorflow.keras.models import Sequential"),
        ("code", "model = Sequential([Input(shape=(30, 4)), LSTM(64), Dense(1)])\n"
                 "model.compile(optimizer=\"adam\", loss=\"mse\")\n"),
    ]), encoding="utf-8")
    code, out, _, _ = _run([path], "--diff", "--unsafe-fixes")
    assert code == 1 and f"{path}:cell 2" in out and f"{path}:cell 3" in out
    _run([path], "--unsafe-fixes")
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    assert "".join(cells[1]["source"]) == (
        "%matplotlib inline\nfrom tensorflow.keras.layers import LSTM, Dense, Input\n"
        "from tensorflow.keras.models import Sequential\nfrom tensorflow.keras.optimizers import Adam")
    assert cells[2]["source"][1] == "model.compile(optimizer=Adam(clipnorm=1.0), loss=\"mse\")\n"
    assert "🙂" in path.read_text(encoding="utf-8")
    before = path.read_bytes()
    assert _run([path], "--unsafe-fixes")[0] is None and path.read_bytes() == before


@pytest.mark.parametrize("name", sorted(p.name for p in (FIXTURES / "notebooks").glob("*.ipynb")))
def test_fixing_a_fixture_notebook_is_idempotent(tmp_path: Path, name: str):
    path = tmp_path / name
    path.write_bytes((FIXTURES / "notebooks" / name).read_bytes())
    first = fix.fix_file(path, unsafe=True)
    if first.result.error is not None:  # an unreadable notebook is reported, never rewritten
        assert not first.result.changed and first.new == b""
        return
    path.write_bytes(first.new)
    second = fix.fix_file(path, unsafe=True)
    assert second.result.error is None and not second.result.changed and second.new == first.new
