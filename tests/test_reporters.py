"""Every reporter, snapshot-tested on a fixed run (paths and versions redacted), and SARIF validated
against the official 2.1.0 schema. Update the snapshots with RNNLINT_UPDATE_SNAPSHOTS=1."""

from __future__ import annotations

import json
import os
from pathlib import Path

import jsonschema
import pytest

from rnnlint import __version__
from rnnlint.catalog import Catalog, default_catalog
from rnnlint.findings import Applicability, Edit, FileError, Finding, Fix, Severity, Span
from rnnlint.reporters import github, gitlab, json as json_reporter, sarif, text
from rnnlint.results import RunResult
from tests.conftest import FIXTURES, ROOT, run_cli

SNAPSHOTS = Path(__file__).parent / "snapshots"
SCHEMA = json.loads((Path(__file__).parent / "data" / "sarif-schema-2.1.0.json").read_text())
FULL_CATALOG = default_catalog()
# a fixed subset, so that adding a rule elsewhere does not rewrite these snapshots
CATALOG = Catalog([FULL_CATALOG.get(code) for code in ("RNN001", "RNN101", "RNN102", "RNN301")])
ABSOLUTE = "/home/someone/project/experiments/sweep.py"


def _finding(code, severity, path, span, message, cell=None, fix=None, **data):
    spec = FULL_CATALOG.get(code)
    return Finding(code, spec.name, severity, path, Span(*span), message, fix, cell, data)


def _result() -> RunResult:
    fix = Fix("add an EarlyStopping callback", Applicability.UNSAFE,
              (Edit(Span(12, 49, 12, 49), ", callbacks=[early_stop]"),))
    result = RunResult(files_checked=4)
    result.findings = [
        _finding("RNN301", Severity.WARNING, "src/train.py", (12, 11, 14, 6),
                 "fit trains for 100 epochs with no EarlyStopping callback", fix=fix),
        _finding("RNN101", Severity.INFO, "src/train.py", (9, 15, 9, 33),
                 "no gradient clipping on Adam, 50% of the time: a, b"),
        _finding("RNN102", Severity.WARNING, "analysis.ipynb", (6, 64, 6, 67),
                 "learning_rate=0.5 for Adam is above the adaptive limit of 0.01", cell=5,
                 notebook_file_line=88),
        _finding("RNN001", Severity.ERROR, ABSOLUTE, (3, 7, 3, 7), "invalid syntax"),
    ]
    result.errors = [FileError("data/blob.py", "file looks binary (it contains NUL bytes); not linted")]
    return result


SOURCES = {
    ("src/train.py", None, 12): "    hist = model.fit(X, y, epochs=100, batch_size=32)",
    ("src/train.py", None, 9): "\topt = tf.keras.optimizers.Adam(1e-3)",
    ("analysis.ipynb", 5, 6): 'model.compile(optimizer=tf.keras.optimizers.Adam(learning_rate=0.5), loss="mse")',
}

RENDERINGS = {
    "text.txt": lambda r: text.render(r),
    "text_color.txt": lambda r: text.render(r, color=True),
    "text_show_source_statistics.txt": lambda r: text.render(r, sources=SOURCES, statistics=True),
    "json.json": lambda r: json_reporter.render(r),
    "github.txt": lambda r: github.render(r, CATALOG),
    "sarif.json": lambda r: sarif.render(r, CATALOG),
    "gitlab.json": lambda r: gitlab.render(r, CATALOG),
}


def redact(output: str) -> str:
    return output.replace(f'"{__version__}"', '"<VERSION>"').replace("/home/someone/project", "<ROOT>")


@pytest.mark.parametrize("name", sorted(RENDERINGS))
def test_snapshot(name):
    got = redact(RENDERINGS[name](_result()))
    path = SNAPSHOTS / name
    if os.environ.get("RNNLINT_UPDATE_SNAPSHOTS"):
        path.write_text(got, encoding="utf-8")
    assert got == path.read_text(encoding="utf-8"), f"{name} changed; RNNLINT_UPDATE_SNAPSHOTS=1 rewrites it"


def test_reporters_are_deterministic_whatever_the_input_order():
    shuffled = _result()
    shuffled.findings.reverse()
    for name, render in RENDERINGS.items():
        assert render(shuffled) == render(_result()), name


def _validate(document: dict) -> None:
    jsonschema.validators.validator_for(SCHEMA)(SCHEMA).validate(document)


def test_sarif_is_schema_valid_and_carries_catalog_metadata():
    document = json.loads(sarif.render(_result(), CATALOG))
    _validate(document)
    driver = document["runs"][0]["tool"]["driver"]
    for rule in driver["rules"]:
        spec = CATALOG.get(rule["id"])
        assert rule["shortDescription"]["text"] == spec.summary
        paragraphs = spec.rationale["what_it_does"].strip().split("\n\n")
        assert rule["fullDescription"]["text"] == "\n\n".join(" ".join(p.split()) for p in paragraphs)
        assert rule["helpUri"] == spec.url and rule["name"] == spec.name
        assert spec.message not in json.dumps(rule)  # never a raw message template
    results = document["runs"][0]["results"]
    notebook = next(r for r in results if r["ruleId"] == "RNN102")
    assert notebook["properties"] == {"cell": 5, "cellLine": 6, "cellColumn": 64}
    assert notebook["locations"][0]["physicalLocation"]["region"] == {"startLine": 88}
    absolute = next(r for r in results if r["ruleId"] == "RNN001")
    assert absolute["locations"][0]["physicalLocation"]["artifactLocation"]["uri"].startswith("file:///")
    assert document["runs"][0]["invocations"][0]["executionSuccessful"] is False  # blob.py


def test_sarif_from_the_cli_over_every_fixture_is_schema_valid(tmp_path):
    out = tmp_path / "rnnlint.sarif"
    proc = run_cli("check", "--format", "sarif", "--output-file", str(out), "--no-cache",
                   "fixtures/static", "fixtures/notebooks/sensor_forecast.ipynb", cwd=ROOT)
    assert proc.returncode == 1, proc.stderr
    assert proc.stdout == ""  # the report went to the file
    document = json.loads(out.read_text())
    _validate(document)
    rules = document["runs"][0]["tool"]["driver"]["rules"]
    assert {r["id"] for r in rules} == {s.code for s in FULL_CATALOG if s.kind != "runtime"}
    for rule in rules:
        assert "{" not in rule["shortDescription"]["text"], rule["id"]
    results = document["runs"][0]["results"]
    assert results and all(r["ruleId"] == rules[r["ruleIndex"]]["id"] for r in results)
    cells = {r["properties"]["cell"] for r in results if "properties" in r}
    assert len(cells) >= 2


def test_github_annotations_escape_and_link():
    line = github.annotation(_finding("RNN101", Severity.INFO, "a,b:c.py", (1, 2, 1, 3),
                                      "100% wrong\nsecond line"), "https://x/RNN101/")
    assert line.startswith("::notice file=a%2Cb%3Ac.py,line=1,col=2,endLine=1,title=RNN101 missing-gradient-clipping::")
    assert line.endswith("100%25 wrong%0Asecond line (https://x/RNN101/)")


def test_gitlab_fingerprints_survive_line_moves():
    before = json.loads(gitlab.render(_result(), CATALOG))
    moved = _result()
    moved.findings = [f.__class__(**{**f.__dict__, "span": Span(f.span.line + 5, f.span.column,
                                                              f.span.end_line + 5, f.span.end_column)})
                      for f in moved.findings]
    after = json.loads(gitlab.render(moved, CATALOG))
    assert [i["fingerprint"] for i in before] == [i["fingerprint"] for i in after]
    assert len({i["fingerprint"] for i in before}) == len(before)


def test_show_source_caret_lines_up_under_tabs_and_spans():
    finding = _result().findings[1]  # RNN101 at column 15 of a tab-indented line
    source, caret = text.excerpt(finding, "\topt = tf.keras.optimizers.Adam(1e-3)")
    assert caret.endswith("\t" + " " * 13 + "^" * 18)
    assert source.endswith("\topt = tf.keras.optimizers.Adam(1e-3)")


def test_text_format_is_what_problem_matchers_read():
    lines = text.render(_result()).splitlines()
    assert lines[1].startswith("analysis.ipynb:cell 5:6:64: RNN102 [extreme-learning-rate] learning_rate=0.5")
    assert lines[-1].startswith("src/train.py:12:11: RNN301 [missing-early-stopping]")


def test_fixture_notebook_exists():
    assert (FIXTURES / "notebooks" / "sensor_forecast.ipynb").is_file()
