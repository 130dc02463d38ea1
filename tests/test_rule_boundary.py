"""Each rule runs inside its own error boundary: a rule that raises costs its own findings only.

The crash is injected by replacing one registered check with one that raises while it holds a node
of the script, in-process and (through a small wrapper) in a `rnnlint check` subprocess.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

import pytest

from rnnlint.checks import REGISTRY, load_checks
from rnnlint.engine import lint_source
from tests.conftest import ROOT

SCRIPT = textwrap.dedent("""\
    from sklearn.preprocessing import MinMaxScaler
    from tensorflow import keras

    model = keras.Sequential([keras.layers.LSTM(8), keras.layers.Dense(1)])
    model.compile(optimizer="adam", loss="mse")
    model.fit(x, y, epochs=500)
""")
COMPILE_LINE, FIT_LINE = 5, 6
CRASHING_RULE = "scaler-fit-on-test-data"

# Installs the same crashing check in a child process, then runs the CLI as `python -m rnnlint` would.
WRAPPER = textwrap.dedent(f"""\
    import sys
    from rnnlint.checks import REGISTRY, load_checks
    from rnnlint.cli import main

    def crashing(ctx):
        for fit in ctx.facts.fits:
            node = fit.site.node
            raise IndexError("injected by the test")

    load_checks()
    REGISTRY[{CRASHING_RULE!r}] = crashing
    sys.exit(main(sys.argv[1:]))
""")


def _crashing(ctx):
    for fit in ctx.facts.fits:
        node = fit.site.node  # noqa: F841 - the node the boundary must find in this frame
        raise IndexError("injected by the test")


@pytest.fixture
def crashing_rule(monkeypatch):
    load_checks()
    monkeypatch.setitem(REGISTRY, CRASHING_RULE, _crashing)


def test_a_crashing_rule_keeps_the_other_findings(crashing_rule):
    report = lint_source("train.py", SCRIPT)
    codes = {(f.code, f.span.line) for f in report.findings}
    assert ("RNN101", COMPILE_LINE) in codes  # missing clipping, from another rule
    assert ("RNN301", FIT_LINE) in codes  # no early stopping, from another rule
    crash = [f for f in report.findings if f.code == "RNN004"]
    assert len(crash) == 1
    assert crash[0].span.line == FIT_LINE  # the node the failing rule held
    assert "scaler-fit-on-test-data (RNN202)" in crash[0].message
    assert "IndexError: injected by the test" in crash[0].message and "line 6" in crash[0].message
    assert len(report.internal_errors) == 1 and "Traceback" in report.internal_errors[0]


def test_a_rule_crash_with_no_node_in_hand_says_the_line_is_unknown(monkeypatch):
    load_checks()

    def crashing_at_once(ctx):
        raise RuntimeError("before looking at anything")

    monkeypatch.setitem(REGISTRY, CRASHING_RULE, crashing_at_once)
    crash = [f for f in lint_source("train.py", SCRIPT).findings if f.code == "RNN004"]
    assert len(crash) == 1 and crash[0].span.line == 1 and "an unknown line" in crash[0].message


def test_ignoring_rnn004_hides_the_diagnostic_not_the_internal_error(crashing_rule):
    from rnnlint.config import Config
    report = lint_source("train.py", SCRIPT, Config(ignore=("RNN004",)))
    assert not [f for f in report.findings if f.code == "RNN004"]
    assert report.internal_errors


def _check(tmp_path, *args):
    script = tmp_path / "train.py"
    script.write_text(SCRIPT)
    wrapper = tmp_path / "crashing_rnnlint.py"
    wrapper.write_text(WRAPPER)
    return subprocess.run([sys.executable, str(wrapper), "check", "--no-cache", *args, str(script)],
                          cwd=ROOT, capture_output=True, text=True, timeout=120)


def test_cli_reports_the_other_findings_and_exits_3(tmp_path):
    proc = _check(tmp_path, "--format", "json")
    assert proc.returncode == 3, proc.stderr
    payload = json.loads(proc.stdout)
    found = {(f["code"], f["line"]) for f in payload["findings"]}
    assert {("RNN101", COMPILE_LINE), ("RNN301", FIT_LINE), ("RNN004", FIT_LINE)} <= found
    assert any(e["fatal"] and "scaler-fit-on-test-data" in e["message"] for e in payload["errors"])
    assert "Traceback" in proc.stderr


def test_sarif_marks_the_run_as_not_successful(tmp_path):
    proc = _check(tmp_path, "--format", "sarif")
    assert proc.returncode == 3, proc.stderr
    invocation = json.loads(proc.stdout)["runs"][0]["invocations"][0]
    assert invocation["executionSuccessful"] is False
    notes = invocation["toolExecutionNotifications"]
    assert any(n["level"] == "error" and "scaler-fit-on-test-data" in n["message"]["text"] for n in notes)
    results = json.loads(proc.stdout)["runs"][0]["results"]
    assert {"RNN101", "RNN004"} <= {r["ruleId"] for r in results}
