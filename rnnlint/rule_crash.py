"""The error boundary around each rule: a rule that raises costs its own findings, never the file's.

A crash becomes one RNN004 diagnostic that names the rule, the exception and the line of the script
the rule was examining, plus the traceback for the run's internal errors (so `check` still exits 3).
"""

from __future__ import annotations

import ast
import traceback
from dataclasses import dataclass

from rnnlint import __version__
from rnnlint.catalog import Catalog, RuleSpec
from rnnlint.findings import Finding, Span
from rnnlint.positions import SourceLines

RULE_CRASHED = "RNN004"


@dataclass(frozen=True)
class RuleCrash:
    spec: RuleSpec
    error: str  # "IndexError: list index out of range"
    # the script's nodes the failing code held, innermost frame first: the first one with a position
    # gives the line (a node the facts made up has none)
    nodes: tuple[ast.AST, ...]
    traceback: str


def capture(spec: RuleSpec, error: Exception) -> RuleCrash:
    """Called in the `except` clause around one rule."""
    nodes: list[ast.AST] = []
    frames = [frame for frame, _ in traceback.walk_tb(error.__traceback__)]
    for frame in reversed(frames):
        for value in frame.f_locals.values():
            node = value if isinstance(value, ast.AST) else getattr(value, "node", None)
            if isinstance(node, ast.AST) and getattr(node, "lineno", None) is not None:
                nodes.append(node)
    text = "".join(traceback.format_exception(type(error), error, error.__traceback__))
    return RuleCrash(spec, f"{type(error).__name__}: {error}", tuple(nodes), text)


def locate(lines: SourceLines, crash: RuleCrash) -> tuple[int, int] | None:
    """(line, 1-based column) of the innermost node the failing rule held, if any."""
    for node in crash.nodes:
        try:
            line, column, _, _ = lines.span(node)
        except Exception:  # noqa: BLE001, S112 - placing the diagnostic must never raise in its turn
            continue
        return line, column
    return None


def to_finding(path: str, crash: RuleCrash, place: tuple[int, int] | None, catalog: Catalog) -> Finding:
    spec = catalog.by_code[RULE_CRASHED]
    line, column = place or (1, 1)
    values = {"rule": crash.spec.name, "rule_code": crash.spec.code, "error": crash.error,
              "place": f"line {line}" if place else "an unknown line"}
    return Finding(spec.code, spec.name, spec.severity, path, Span(line, column, line, column),
                   spec.render(values))


def internal_error(path: str, crash: RuleCrash, place: tuple[int, int] | None) -> str:
    """The run's internal-error text for this crash (printed on stderr, listed by the reporters)."""
    where = f" at line {place[0]}" if place else ""
    head = (f"{path}: internal error in rnnlint {__version__}: rule {crash.spec.name} ({crash.spec.code}) "
            f"crashed{where}; the other rules' findings are reported; please report:\n")
    return head + "".join("  " + line for line in crash.traceback.splitlines(True))
