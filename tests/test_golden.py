"""The engine's findings and fixes match the golden record in tests/golden/ (benchmarks/golden.py).

The record is what the libcst engine found before issue 14 moves the analysis to `ast`: a difference
here is a finding lost, gained or moved. Regenerate only for a listed, justified difference (see
tests/golden/README.md).
"""

from __future__ import annotations

import importlib.util
import sys

import pytest

from tests.conftest import ROOT


def _golden():
    spec = importlib.util.spec_from_file_location("golden", ROOT / "benchmarks" / "golden.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules["golden"] = module  # its dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


golden = _golden()


def _check(sample: bool) -> None:
    problems = golden.differences(golden.compute(sample=sample), golden.read_golden(), sample)
    assert not problems, ("the engine no longer matches tests/golden/ (golden -> now):\n" + "\n".join(problems)
                          + "\nregenerate with `python benchmarks/golden.py --write` only for a listed, "
                            "justified difference")


def test_fixtures_catalog_repros_and_a_benchmark_sample_match_the_golden_files():
    _check(sample=True)


@pytest.mark.slow
def test_every_generated_benchmark_script_matches_the_golden_file():
    _check(sample=False)


def test_a_lost_finding_is_reported_with_a_diff():
    golden_files = {"findings.jsonl": '{"input": "a.py"}\n{"input": "a.py", "code": "RNN101"}\n'}
    now = {"findings.jsonl": '{"input": "a.py"}\n'}
    problems = golden.differences(now, golden_files, sample=False)
    assert '-{"input": "a.py", "code": "RNN101"}' in problems
