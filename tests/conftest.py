"""Shared helpers: the marker grammar of examples and fixtures, and running the CLI as a subprocess."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures"
# `# expect: RNN101=info RNN201` : codes (optionally with a severity) expected on that line
MARKER = re.compile(r"#\s*expect:\s*(?P<codes>(?:RNN\d{3}(?:=(?:info|warning|error))?[\s,]*)+)")


def expected_markers(text: str) -> set[tuple]:
    """{(line, code, severity-or-None)} from `# expect:` comments."""
    out = set()
    for number, line in enumerate(text.splitlines(), start=1):
        match = MARKER.search(line)
        if not match:
            continue
        for item in re.split(r"[\s,]+", match.group("codes").strip()):
            code, _, severity = item.partition("=")
            out.add((number, code, severity or None))
    return out


def compare(expected: set[tuple], findings: list[tuple]) -> tuple[set, set]:
    """(missing, unexpected), where a marker without a severity matches any severity."""
    actual_full = {(line, code, severity) for line, code, severity in findings}
    actual_loose = {(line, code) for line, code, _ in findings}
    missing = {e for e in expected
               if ((e[0], e[1], e[2]) not in actual_full if e[2] else (e[0], e[1]) not in actual_loose)}
    expected_loose = {(line, code) for line, code, _ in expected}
    unexpected = {a for a in actual_full if (a[0], a[1]) not in expected_loose}
    return missing, unexpected


def run_cli(*args: str, cwd: Path | None = None, stdin: str | None = None, env: dict | None = None,
            timeout: float = 120) -> subprocess.CompletedProcess:
    full_env = {**os.environ, **(env or {})}
    full_env.pop("NO_COLOR", None) if env is not None and "NO_COLOR" not in env else None
    return subprocess.run(
        [sys.executable, "-m", "rnnlint", *args], cwd=cwd or ROOT, input=stdin,
        capture_output=True, text=True, timeout=timeout, env=full_env,
    )


def run_json(*args: str, **kwargs) -> tuple[dict, subprocess.CompletedProcess]:
    proc = run_cli("check", "--format", "json", *args, **kwargs)
    try:
        return json.loads(proc.stdout), proc
    except json.JSONDecodeError:
        pytest.fail(f"not JSON (exit {proc.returncode}):\nstdout={proc.stdout}\nstderr={proc.stderr}")
