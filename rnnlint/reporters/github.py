"""GitHub Actions workflow commands: one `::error`/`::warning`/`::notice` annotation per finding.

The annotation's title names the rule and its message ends with the rule's documentation link; a
file that could not be linted gets an `::error` annotation of its own.
Notebook findings point at the notebook's line in the `.ipynb` file (what GitHub shows) and say the
cell and the line inside it.
"""

from __future__ import annotations

from rnnlint.findings import Finding, Severity
from rnnlint.results import RunResult

COMMANDS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "notice"}


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def annotation(finding: Finding, url: str) -> str:
    message = finding.message
    if finding.cell is not None:
        message = f"cell {finding.cell}, line {finding.span.line}: {message}"
        line = finding.data.get("notebook_file_line", 1)
        position = f"line={line}"
    else:
        span = finding.span
        position = f"line={span.line},col={span.column},endLine={max(span.end_line, span.line)}"
    title = _escape_property(f"{finding.code} {finding.name}")
    return (f"::{COMMANDS[finding.severity]} file={_escape_property(finding.path)},{position},"
            f"title={title}::{_escape_data(f'{message} ({url})')}")


def render(result: RunResult, catalog) -> str:
    lines = []
    for finding in result.sorted_findings():
        spec = catalog.by_code.get(finding.code)
        lines.append(annotation(finding, spec.url if spec else ""))
    for error in sorted(result.errors, key=lambda e: e.path):  # a file that was not linted shows too
        if error.fatal:
            lines.append(f"::error file={_escape_property(error.path)},title=rnnlint could not lint this file::"
                         f"{_escape_data(error.message)}")
    return "\n".join(lines) + ("\n" if lines else "")
