"""A JSON object with a format version, the findings and the run-level errors (never a bare array)."""

from __future__ import annotations

import json

from rnnlint import __version__
from rnnlint.findings import Finding
from rnnlint.results import RunResult

FORMAT_VERSION = 1


def finding_to_dict(finding: Finding) -> dict:
    fix = None
    if finding.fix is not None:
        fix = {
            "description": finding.fix.description,
            "applicability": finding.fix.applicability.value,
            "edits": [
                {"line": e.span.line, "column": e.span.column, "end_line": e.span.end_line,
                 "end_column": e.span.end_column, "text": e.text}
                for e in finding.fix.edits
            ],
        }
    return {
        "code": finding.code,
        "name": finding.name,
        "severity": finding.severity.label,
        "filename": finding.path,
        "cell": finding.cell,
        "line": finding.span.line,
        "column": finding.span.column,
        "end_line": finding.span.end_line,
        "end_column": finding.span.end_column,
        "message": finding.message,
        "fix": fix,
    }


def render(result: RunResult) -> str:
    counts = result.counts()
    payload = {
        "version": FORMAT_VERSION,
        "rnnlint_version": __version__,
        "findings": [finding_to_dict(f) for f in result.sorted_findings()],
        "errors": [{"filename": e.path, "message": e.message, "fatal": e.fatal} for e in result.errors]
        + [{"filename": None, "message": m, "fatal": True} for m in result.internal_errors],
        "summary": {
            "files": result.files_checked,
            "findings": len(result.findings),
            "by_severity": {label: counts.get(label, 0) for label in ("error", "warning", "info")},
        },
    }
    return json.dumps(payload, indent=2) + "\n"
