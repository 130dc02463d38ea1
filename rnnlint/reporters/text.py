"""`path:line:col: CODE [name] message`, the line format editors' problem matchers parse.

Notebook findings read `path:cell N:line:col: ...`. Colour and the source excerpt are options of the
same pure function; the caller decides whether the terminal wants colour and supplies source lines.
"""

from __future__ import annotations

from rnnlint.findings import Finding, Severity
from rnnlint.results import RunResult

RESET = "\033[0m"
STYLES = {"path": "\033[1m", "caret": "\033[1;31m", "dim": "\033[2m"}
CODE_STYLES = {Severity.ERROR: "\033[1;31m", Severity.WARNING: "\033[1;33m", Severity.INFO: "\033[1;36m"}


def location(finding: Finding) -> str:
    if finding.cell is not None:
        return f"{finding.path}:cell {finding.cell}:{finding.span.line}:{finding.span.column}"
    return f"{finding.path}:{finding.span.line}:{finding.span.column}"


def _paint(text: str, style: str, color: bool) -> str:
    return f"{style}{text}{RESET}" if color else text


def format_finding(finding: Finding, color: bool = False) -> str:
    where = _paint(location(finding), STYLES["path"], color)
    code = _paint(finding.code, CODE_STYLES[finding.severity], color)
    name = _paint(f"[{finding.name}]", STYLES["dim"], color)
    return f"{where}: {code} {name} {finding.message}"


def excerpt(finding: Finding, line: str, color: bool = False) -> list[str]:
    """The offending line and a caret under the span (tabs kept so the caret lines up)."""
    line = line.rstrip("\r\n")
    start = max(finding.span.column - 1, 0)
    if finding.span.end_line == finding.span.line and finding.span.end_column > finding.span.column:
        width = min(finding.span.end_column - finding.span.column, max(len(line) - start, 1))
    else:
        width = 1
    pad = "".join(ch if ch == "\t" else " " for ch in line[:start])
    number = f"{finding.span.line:>5} | "
    return [f"{number}{line}", " " * (len(number) - 2) + "| " + pad + _paint("^" * width, STYLES["caret"], color)]


def render(result: RunResult, color: bool = False, sources: dict | None = None,
           statistics: bool = False) -> str:
    """The report. `sources` maps (path, cell, line) to that line's text for `--show-source`."""
    lines: list[str] = []
    for finding in result.sorted_findings():
        lines.append(format_finding(finding, color))
        if sources is not None:
            text = sources.get((finding.path, finding.cell, finding.span.line))
            if text is not None:
                lines += excerpt(finding, text, color)
    if statistics:
        lines += statistics_lines(result)
    return "\n".join(lines) + ("\n" if lines else "")


def statistics_lines(result: RunResult) -> list[str]:
    """flake8's `--statistics`: one line per rule, most frequent first."""
    return [f"{count:<5} {code} [{name}]" for count, code, name in result.statistics()]
