"""SARIF 2.1.0 for code scanning (GitHub, GitLab, Azure DevOps, VS Code's SARIF viewer).

Rule metadata comes from the catalog: `shortDescription` is the rule's one-line summary, `fullDescription`
and `help` its rationale, `helpUri` its documentation page; never a raw message template. Regions are
1-based with exclusive end columns, as SARIF's defaults and ours agree.

Notebooks: SARIF has no notion of cells, and code-scanning viewers open the `.ipynb` file itself. So a
notebook result's region is the line of the `.ipynb` file that holds the flagged source line (no
column: inside a JSON string it would be off by the escaping), the message starts with
`cell N, line L:`, and `properties` carry `cell`, `cellLine` and `cellColumn` for tools that map
results onto cells.
"""

from __future__ import annotations

import json
from pathlib import PurePath
from urllib.parse import quote

from rnnlint import __version__
from rnnlint.findings import FileError, Finding, Severity
from rnnlint.results import RunResult

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
LEVELS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}
INFORMATION_URI = "https://rnnlint.readthedocs.io/"
HELP_SECTIONS = (("what_it_does", "What it does"), ("why_bad", "Why is this bad"),
                 ("example", "Example"), ("use_instead", "Use instead"),
                 ("known_problems", "Known problems"))


def _uri(path: str) -> dict:
    pure = PurePath(path)
    if pure.is_absolute():
        return {"uri": pure.as_uri()}
    return {"uri": quote(pure.as_posix()), "uriBaseId": "%SRCROOT%"}


def _unwrap(text: str) -> str:
    """Plain-text fields get one line per paragraph (the catalog wraps its prose at 100 columns)."""
    return "\n\n".join(" ".join(p.split()) for p in text.strip().split("\n\n"))


def rule_descriptor(spec) -> dict:
    text = "\n\n".join(_unwrap(spec.rationale[key]) for key, _ in HELP_SECTIONS[:2])
    markdown = "\n\n".join(f"## {title}\n\n{spec.rationale[key].strip()}" for key, title in HELP_SECTIONS)
    return {
        "id": spec.code,
        "name": spec.name,
        "shortDescription": {"text": spec.summary},
        "fullDescription": {"text": _unwrap(spec.rationale["what_it_does"])},
        "help": {"text": text, "markdown": markdown},
        "helpUri": spec.url,
        "defaultConfiguration": {"level": LEVELS[spec.severity]},
        "properties": {"tags": [spec.kind], "precision": "medium"},
    }


def _region(finding: Finding) -> dict:
    span = finding.span
    if finding.cell is not None:
        return {"startLine": finding.data.get("notebook_file_line", 1)}
    region = {"startLine": span.line, "startColumn": span.column}
    if (span.end_line, span.end_column) > (span.line, span.column):
        region.update(endLine=span.end_line, endColumn=span.end_column)
    return region


def _result(finding: Finding, index: dict[str, int]) -> dict:
    message = finding.message
    properties: dict[str, int] = {}
    if finding.cell is not None:
        message = f"cell {finding.cell}, line {finding.span.line}: {message}"
        properties = {"cell": finding.cell, "cellLine": finding.span.line, "cellColumn": finding.span.column}
    result: dict[str, object] = {
        "ruleId": finding.code,
        "level": LEVELS[finding.severity],
        "message": {"text": message},
        "locations": [{"physicalLocation": {"artifactLocation": _uri(finding.path),
                                            "region": _region(finding)}}],
    }
    if finding.code in index:
        result["ruleIndex"] = index[finding.code]
    if properties:
        result["properties"] = properties
    return result


def _notification(message: str, path: str | None) -> dict:
    note: dict[str, object] = {"level": "error", "message": {"text": message}}
    if path:
        note["locations"] = [{"physicalLocation": {"artifactLocation": _uri(path)}}]
    return note


def render(result: RunResult, catalog) -> str:
    specs = [spec for spec in catalog if spec.kind != "runtime"]
    index = {spec.code: i for i, spec in enumerate(specs)}
    errors: list[FileError] = [e for e in result.errors if e.fatal]
    notifications = [_notification(e.message, e.path) for e in errors]
    notifications += [_notification(m.splitlines()[0], None) for m in result.internal_errors]
    run = {
        "tool": {"driver": {"name": "rnnlint", "version": __version__, "semanticVersion": __version__,
                            "informationUri": INFORMATION_URI,
                            "rules": [rule_descriptor(spec) for spec in specs]}},
        "invocations": [{"executionSuccessful": not notifications,
                         "toolExecutionNotifications": notifications}],
        "columnKind": "unicodeCodePoints",
        "results": [_result(f, index) for f in result.sorted_findings()],
    }
    return json.dumps({"$schema": SCHEMA, "version": "2.1.0", "runs": [run]}, indent=2) + "\n"
