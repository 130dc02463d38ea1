"""Fuzzing the static path (the fast subset; `benchmarks/fuzz_long.py --minutes 10` is the long run).

Every input must give findings or a clear error, in bounded time: no exception escapes `lint_source`
(RecursionError included: it becomes a FileError), no hang, and through the CLI an exit code of 0, 1
or 2 with no traceback. Inputs: the pathological programs and mutations of every fixture from
tests/fuzz_corpus.py, generated programs (hypothesmith, a small Keras-flavoured grammar) and raw bytes.
"""

from __future__ import annotations

import random

import hypothesmith
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rnnlint.engine import lint_source
from rnnlint.source import SourceError, SourceText, decode
from tests.conftest import run_cli
from tests.fuzz_corpus import (
    MUTATORS, PRELUDE, ScriptGrammar, big_file, fixture_files, lint_bounded, mutate, pathological_programs,
)

# CPU seconds, far above what any of these inputs takes (well under a second each): reaching it is a hang.
BOUND_S = 10.0
FUZZ = settings(deadline=None, database=None, derandomize=True,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


def assert_ok(data, bound: float = BOUND_S):
    outcome = lint_bounded(data, bound)
    assert not outcome.failed, f"{outcome.kind} after {outcome.seconds:.1f} s:\n{outcome.detail}"
    return outcome


PROGRAMS = pathological_programs()


@pytest.mark.parametrize("name", sorted(PROGRAMS))
def test_pathological_program(name):
    assert_ok(PROGRAMS[name])


FIXTURES = fixture_files()


@pytest.mark.parametrize("mutator", MUTATORS, ids=lambda m: m.__name__)
def test_every_mutator_on_fixtures(mutator):
    """Each mutation on a few fixtures (a different few per mutator, so all get covered)."""
    offset = MUTATORS.index(mutator)
    for number, path in enumerate(FIXTURES[offset::len(MUTATORS)][:3]):
        rng = random.Random(f"{mutator.__name__}-{number}")
        data = mutator(path.read_bytes(), rng)
        outcome = lint_bounded(data, BOUND_S)
        assert not outcome.failed, f"{path.name} under {mutator.__name__}: {outcome.kind}\n{outcome.detail}"


def test_every_fixture_under_random_mutations():
    failures = []
    for number, path in enumerate(FIXTURES):
        data, applied = mutate(path.read_bytes(), random.Random(number))
        outcome = lint_bounded(data, BOUND_S)
        if outcome.failed:
            failures.append(f"{path.name} + {applied}: {outcome.kind}\n{outcome.detail}")
    assert not failures, "\n".join(failures)


@FUZZ
@given(st.binary(max_size=3000))
def test_any_bytes_decode_or_error(data):
    decoded = decode(data)  # never raises
    assert isinstance(decoded, (SourceText, SourceError))
    assert_ok(data)


@FUZZ
@given(st.text(max_size=2000))
def test_any_text_lints(text):
    assert_ok(PRELUDE + text)


@settings(FUZZ, max_examples=40)
@given(hypothesmith.from_grammar())
def test_hypothesmith_grammar_programs(source):
    # behind the Keras imports, so that the facts pass really runs on the generated code
    assert_ok(PRELUDE + source)


@settings(FUZZ, max_examples=40)
@given(hypothesmith.from_node())
def test_hypothesmith_node_programs(source):
    assert_ok(PRELUDE + source)


@settings(FUZZ, max_examples=80)
@given(st.integers(min_value=0, max_value=2**32))
def test_keras_grammar_scripts(seed):
    assert_ok(ScriptGrammar(random.Random(seed)).script())


def test_large_file_is_linted_in_bounded_time():
    """3,000 lines of dense Keras code (300 models); the 50,000-line file is in the long run."""
    outcome = assert_ok(big_file(3_000), bound=60)
    assert outcome.kind == "findings"


def test_deep_unary_chain_under_the_nesting_limit_is_analysed():
    """450 nested unary minuses overflowed Python's recursion in libcst's visitor; the `ast` walk and
    the resolver's depth bound take them."""
    report = lint_source("deep.py", PRELUDE + "lr = " + "-" * 450 + "1\n")
    assert report.errors == [] and not report.internal_errors


def test_recursion_error_in_analysis_becomes_a_file_error(monkeypatch):
    """A tree under the nesting limit can still be too deep for some recursive question: a FileError, not raised."""
    import rnnlint.engine

    def too_deep(facts):
        raise RecursionError("maximum recursion depth exceeded")
    monkeypatch.setattr(rnnlint.engine, "DataFlow", too_deep)
    report = lint_source("deep.py", PRELUDE + "lr = 1\n")
    assert [e.message for e in report.errors] == ["too deeply nested to analyse; not linted"]


def test_cli_over_a_directory_of_mutants(tmp_path):
    """The real CLI, with worker processes (over 8 files): exit 0/1/2, no traceback, every file reported."""
    for number, path in enumerate(FIXTURES[::4]):
        data, _ = mutate(path.read_bytes(), random.Random(1000 + number))
        (tmp_path / f"m{number:03d}.py").write_bytes(data)
    for name in ("nested_paren_5000", "nested_unary_5000", "self_assign_chain_in_loop", "many_functions_diamond"):
        (tmp_path / f"{name}.py").write_text(PROGRAMS[name])
    (tmp_path / "binary.py").write_bytes(bytes(range(256)))
    (tmp_path / "utf16.py").write_bytes(PRELUDE.encode("utf-16"))
    proc = run_cli("check", "--no-cache", "--format", "json", str(tmp_path), cwd=tmp_path, timeout=300)
    assert proc.returncode in (0, 1, 2), proc.stderr
    assert "Traceback" not in proc.stderr and "internal error" not in proc.stderr, proc.stderr


@pytest.mark.parametrize("name", ["nested_paren_5000", "nested_unary_5000", "self_assign",
                                  "mutual_recursion_models"])
def test_cli_on_stdin(name):
    proc = run_cli("check", "-", "--stdin-filename", "train.py", stdin=PROGRAMS[name], timeout=120)
    assert proc.returncode in (0, 1, 2), proc.stderr
    assert "Traceback" not in proc.stderr, proc.stderr

