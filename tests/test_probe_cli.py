"""The probe command's arguments and usage errors (no TensorFlow: nothing here starts a child)."""

from __future__ import annotations

import argparse
import subprocess
import sys
import textwrap

import pytest

from rnnlint.probe import command
from rnnlint.probe.__main__ import main


def parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    command.add_arguments(parser)
    args = parser.parse_args(argv)
    assert command._split_remainder(args) is None
    return args


@pytest.mark.parametrize("argv, steps, script_args", [
    (["train.py"], command.DEFAULT_STEPS, []),
    (["--steps", "7", "train.py"], 7, []),
    (["train.py", "--steps", "7", "--", "--epochs", "3"], 7, ["--epochs", "3"]),
    (["train.py", "--", "--epochs", "3"], command.DEFAULT_STEPS, ["--epochs", "3"]),
    (["train.py", "--epochs", "3"], command.DEFAULT_STEPS, ["--epochs", "3"]),
    (["train.py", "--seed", "1", "--", "--steps", "9"], command.DEFAULT_STEPS, ["--steps", "9"]),
])
def test_options_before_or_after_the_script_and_script_args_after_dashes(argv, steps, script_args):
    args = parse(argv)
    assert (args.script, args.steps, args.script_args) == ("train.py", steps, script_args)


def test_probe_options_mixed_with_script_arguments_need_dashes(tmp_path, capsys):
    script = tmp_path / "train.py"
    script.write_text("print('hi')\n")
    assert main([str(script), "--steps", "5", "--epochs", "3"]) == command.EXIT_USAGE
    assert "after `--`" in capsys.readouterr().err


@pytest.mark.parametrize("extra", [["--steps", "0"], ["--timeout", "-1"], ["--format", "xml"]])
def test_bad_values_are_usage_errors(tmp_path, extra):
    script = tmp_path / "train.py"
    script.write_text("print('hi')\n")
    assert main([*extra, str(script)]) == command.EXIT_USAGE


def test_missing_script_is_a_usage_error(tmp_path, capsys):
    assert main([str(tmp_path / "nope.py")]) == command.EXIT_USAGE
    assert "no such script" in capsys.readouterr().err


def test_the_command_module_is_cheap_to_import():
    """The CLI imports rnnlint.probe.command lazily; even then numpy and TensorFlow stay out."""
    code = textwrap.dedent("""
        import sys
        import rnnlint.probe.command
        print(",".join(m for m in ("numpy", "tensorflow", "keras") if m in sys.modules) or "-")
    """)
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert proc.stdout.strip() == "-", proc.stderr


def outcome(result, timed_out=False, returncode=0):
    from rnnlint.probe.runner import ProbeOutcome

    return ProbeOutcome(result=result, returncode=returncode, timed_out=timed_out, seconds=1.0)


RUN = {"index": 1, "kind": "fit", "steps": 5}


@pytest.mark.parametrize("result, timed_out, returncode, status, exit_code", [
    (None, False, 1, "internal_error", command.EXIT_INTERNAL),
    (None, True, None, "timeout", command.EXIT_SCRIPT),
    ({"status": "starting"}, False, 1, "internal_error", command.EXIT_INTERNAL),
    ({"status": "running", "runs": []}, True, None, "timeout", command.EXIT_SCRIPT),
    ({"status": "running", "runs": []}, False, -9, "script_error", command.EXIT_SCRIPT),
    ({"status": "script_error", "runs": []}, False, 0, "script_error", command.EXIT_SCRIPT),
    ({"status": "completed", "runs": []}, False, 0, "no_fit", command.EXIT_NO_VERDICT),
    ({"status": "completed", "runs": [RUN]}, False, 0, "completed", None),
    ({"status": "stopped", "runs": [RUN], "stop_reason": "cap"}, False, 0, "stopped", None),
    ({"status": "running", "runs": [RUN]}, True, None, "timeout", None),
])
def test_how_a_run_ended_decides_the_exit_code(result, timed_out, returncode, status, exit_code):
    """None: the exit code then comes from the verdicts (0 or 1), or 4 for a late failure."""
    got_status, headline, got_exit = command._classify(outcome(result, timed_out, returncode))
    assert (got_status, got_exit) == (status, exit_code) and headline
