"""Realistic fixtures, linted through the CLI as a subprocess: every finding of every rule is marked."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import FIXTURES, compare, expected_markers, run_json

# static: realistic scripts per rule; seed: the article's three scripts; regressions: patterns from
# published scripts the rules once got wrong (evaluation/REPORT.md)
STATIC_FIXTURES = sorted(path for folder in ("static", "seed", "regressions")
                         for path in (FIXTURES / folder).rglob("*.py"))


def test_enough_fixtures_per_rule():
    from rnnlint.catalog import default_catalog
    for spec in default_catalog():
        if spec.kind != "static":
            continue
        folder = FIXTURES / "static" / spec.name
        bad = list(folder.glob("bad_*.py"))
        good = list(folder.glob("good_*.py"))
        assert len(bad) >= 2 and len(good) >= 1, f"{spec.name}: {len(bad)} bad, {len(good)} good fixtures"
        fired = set()
        for path in bad:
            fired |= {code for _, code, _ in expected_markers(path.read_text())}
        assert spec.code in fired, f"{spec.name}: no bad fixture marks {spec.code}"


@pytest.fixture(scope="module")
def fixture_results():
    """One CLI run over all fixtures (a subprocess per file would cost a Python start-up each)."""
    payload, proc = run_json(*[str(p) for p in STATIC_FIXTURES])
    assert proc.returncode in (0, 1), proc.stderr
    by_file: dict[str, list] = {}
    for finding in payload["findings"]:
        by_file.setdefault(str(Path(finding["filename"]).resolve()), []).append(finding)
    return by_file


@pytest.mark.parametrize("path", STATIC_FIXTURES, ids=lambda p: str(p.relative_to(FIXTURES)))
def test_fixture(path: Path, fixture_results):
    findings = fixture_results.get(str(path.resolve()), [])
    got = [(f["line"], f["code"], f["severity"]) for f in findings]
    missing, unexpected = compare(expected_markers(path.read_text()), got)
    details = [(f["line"], f["code"], f["message"]) for f in findings]
    assert not missing and not unexpected, f"missing={sorted(missing)} unexpected={sorted(unexpected)}\n{details}"


def test_seed_article_loop_is_reported():
    seeds = list((FIXTURES / "seed").glob("*.py"))
    assert len(seeds) >= 3
    assert any("RNN302" in {code for _, code, _ in expected_markers(p.read_text())} for p in seeds)
