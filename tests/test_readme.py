"""README stays true: its commands, its rule table and its output sample match the code."""

from __future__ import annotations

import re

import pytest

from rnnlint.catalog import default_catalog
from rnnlint.docs import update_readme
from tests.conftest import FIXTURES, ROOT, run_cli

README = (ROOT / "README.md").read_text(encoding="utf-8")


def _blocks(language: str) -> list[str]:
    return re.findall(rf"```{language}\n(.*?)```", README, flags=re.S)


def test_readme_opens_with_the_two_setup_commands():
    run_command, test_command = (block.strip() for block in _blocks("bash")[:2])
    assert "pip install" in run_command and "rnnlint check fixtures" in run_command
    assert "rnnlint probe fixtures/probe/" in run_command
    assert "pip install" in test_command and "pytest" in test_command
    probed = re.search(r"rnnlint probe (\S+)", run_command).group(1)
    assert (ROOT / probed).is_file(), f"README probes {probed}, which does not exist"


def test_ci_runs_the_readme_test_command():
    test_command = _blocks("bash")[1].strip()
    assert test_command in (ROOT / ".ci" / "run").read_text(encoding="utf-8")


def test_rule_table_is_generated_from_the_catalog():
    assert update_readme(README, default_catalog()) == README, "run `python -m rnnlint.docs`"


def test_output_sample_is_real():
    sample = _blocks("text")[0].splitlines()
    assert sample[0] == "$ rnnlint check example2_optimizer_comparison.py"
    proc = run_cli("check", "example2_optimizer_comparison.py", cwd=FIXTURES / "seed")
    assert proc.stdout.splitlines() == sample[1:-1]
    assert proc.stderr.strip().splitlines()[-1] == sample[-1]


@pytest.mark.slow
def test_probe_sample_verdicts_are_real():
    """The README's probe report: same symptoms, same verdicts, same confirmed static finding."""
    sample = next(block for block in _blocks("text") if block.startswith("$ rnnlint probe"))
    proc = run_cli("probe", "--quiet", "vanishing_sick.py", cwd=FIXTURES / "probe", timeout=600)
    assert proc.returncode == 1, proc.stderr[-2000:]

    def verdicts(text: str) -> list[tuple[str, str]]:
        return re.findall(r"^\s+(RNN5\d\d) \S+\s+(confirmed|not observed|not measurable)", text, flags=re.M)

    assert verdicts(proc.stdout) == verdicts(sample) and len(verdicts(sample)) == 12
    assert "RNN104 [long-sequence-simple-rnn] confirmed" in proc.stdout
    assert sample.rstrip().splitlines()[-1] == proc.stdout.rstrip().splitlines()[-1]
