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
    # issue 16: what decides is whether a step was measured, not whether fit was called
    ({"status": "running", "runs": [{**RUN, "steps": 0, "in_progress": True}]}, True, None, "timeout",
     command.EXIT_SCRIPT),
    ({"status": "script_error", "runs": [RUN]}, False, 0, "script_error", None),
    ({"status": "script_error", "runs": [{**RUN, "steps": 0}]}, False, 0, "script_error", command.EXIT_SCRIPT),
    ({"status": "running", "runs": [RUN]}, False, -9, "script_error", None),
    ({"status": "internal_error", "runs": [RUN]}, False, 0, "internal_error", command.EXIT_INTERNAL),
    ({"status": "internal_error", "runs": []}, False, 0, "internal_error", command.EXIT_INTERNAL),
])
def test_how_a_run_ended_decides_the_exit_code(result, timed_out, returncode, status, exit_code):
    """None: the exit code then comes from the verdicts (0 or 1), or 4 for a late failure."""
    got_status, headline, got_exit = command._classify(outcome(result, timed_out, returncode))
    assert (got_status, got_exit) == (status, exit_code) and headline


def test_a_cut_run_says_how_far_it_got():
    cut_run = {**RUN, "steps": 37, "in_progress": True}
    timed_out = outcome({"status": "running", "runs": [cut_run]}, timed_out=True, returncode=None)
    status, headline, exit_code = command._classify(timed_out)
    assert exit_code is None and "during fit #1 after 37 measured step(s)" in headline
    assert command.cut_summary(timed_out, status) == {
        "reason": "timeout", "run": 1, "run_in_progress": True, "steps_measured": 37, "runs": 1}
    finished = outcome({"status": "completed", "runs": [RUN]})
    assert command.cut_summary(finished, command._classify(finished)[0]) is None


def test_cwd_must_be_a_directory(tmp_path, capsys):
    script = tmp_path / "train.py"
    script.write_text("pass\n")
    assert command.run(parse([str(script), "--cwd", str(tmp_path / "nope")])) == command.EXIT_USAGE
    assert "--cwd" in capsys.readouterr().err
