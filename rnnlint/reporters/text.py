"""`path:line:col: CODE [name] message`, the line format editors' problem matchers parse."""

from __future__ import annotations

from rnnlint.findings import Finding
from rnnlint.results import RunResult


def location(finding: Finding) -> str:
    if finding.cell is not None:
        return f"{finding.path}:cell {finding.cell}:{finding.span.line}:{finding.span.column}"
    return f"{finding.path}:{finding.span.line}:{finding.span.column}"


def format_finding(finding: Finding) -> str:
    return f"{location(finding)}: {finding.code} [{finding.name}] {finding.message}"


def render(result: RunResult) -> str:
    lines = [format_finding(f) for f in result.sorted_findings()]
    return "\n".join(lines) + ("\n" if lines else "")
