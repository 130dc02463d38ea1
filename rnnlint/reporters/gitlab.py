"""GitLab Code Quality report: a JSON array of issues (GitLab's own format, the one place rnnlint
writes a bare array, because GitLab reads nothing else).

Fingerprints hash the path, rule, cell, message and the finding's rank among identical ones, never
the line number, so an issue keeps its identity when lines above it move.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter

from rnnlint.findings import Finding, Severity
from rnnlint.results import RunResult

SEVERITIES = {Severity.ERROR: "critical", Severity.WARNING: "major", Severity.INFO: "info"}


def _issue(finding: Finding, rank: int, url: str) -> dict:
    identity = "\0".join((finding.path, finding.code, str(finding.cell), finding.message, str(rank)))
    description = finding.message
    if finding.cell is not None:
        description = f"cell {finding.cell}, line {finding.span.line}: {description}"
    line = finding.data.get("notebook_file_line", 1) if finding.cell is not None else finding.span.line
    return {
        "type": "issue",
        "check_name": f"{finding.code} {finding.name}",
        "description": f"{finding.code} [{finding.name}] {description}",
        "content": {"body": f"See {url}"},
        "categories": ["Bug Risk"],
        "severity": SEVERITIES[finding.severity],
        "fingerprint": hashlib.sha256(identity.encode()).hexdigest(),
        "location": {"path": finding.path, "lines": {"begin": line}},
    }


def render(result: RunResult, catalog) -> str:
    seen: Counter = Counter()
    issues = []
    for finding in result.sorted_findings():
        key = (finding.path, finding.code, finding.cell, finding.message)
        seen[key] += 1
        spec = catalog.by_code.get(finding.code)
        issues.append(_issue(finding, seen[key], spec.url if spec else ""))
    return json.dumps(issues, indent=2) + "\n"
