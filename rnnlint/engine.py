"""The static engine: `(path, text, config) -> findings`. No I/O beyond what `lint_file` reads.

One parse per file, with the standard library's `ast` (CPython's own parser); facts are collected
once and shared by every rule; positions come straight from the reported nodes. libcst is imported
only to build fixes, when they are asked for, and only for a file with a fixable finding
(rnnlint.checks.fix_helpers).
"""

from __future__ import annotations

import ast
import gc
import re
import sys
import warnings
from dataclasses import dataclass, field
from pathlib import Path

from rnnlint import rule_crash, suppress
from rnnlint.catalog import Catalog, default_catalog
from rnnlint.checks import Report, RuleContext, load_checks
from rnnlint.config import DEFAULT_CONFIG, Config
from rnnlint.facts.collect import ScriptFacts
from rnnlint.facts.dataflow import DataFlow
from rnnlint.findings import Edit, FileError, Finding, Fix, Span
from rnnlint.positions import SourceLines
from rnnlint.rule_crash import RuleCrash
from rnnlint.source import SourceError, decode, read_source

SYNTAX_ERROR = "RNN001"
# A file that mentions none of these cannot hold the code any rule looks at (all rules start from a
# Keras model, a Keras/TF optimizer or an sklearn/Keras scaler). Conservative: a substring test.
RELEVANT_WORDS = ("keras", "tensorflow", "sklearn", "Normalization")
# Deeper syntax trees are refused: the facts pass follows expressions recursively and runs out of
# Python recursion from ~350 levels (libcst, which fixes parse with, stalls or crashes from ~1,000).
# Real scripts stay under 30.
MAX_NESTING = 500
_TOO_DEEP = "too deeply nested for the parser; not linted"
_RUNNING = sys.version_info[:2]
# Syntax that a newer Python accepts and this one does not: what the line that failed starts with.
_NEWER_SYNTAX = (
    (re.compile(r"\s*type\s+[A-Za-z_]\w*\s*(\[.*\])?\s*="), (3, 12), "a `type` statement"),
    (re.compile(r"\s*(async\s+)?def\s+[A-Za-z_]\w*\s*\["), (3, 12), "type parameters"),
    (re.compile(r"\s*class\s+[A-Za-z_]\w*\s*\["), (3, 12), "type parameters"),
    (re.compile(r"\s*except\*?\s+[^():]+,[^:]*:"), (3, 14), "`except` with several types and no brackets"),
    (re.compile(r".*(?<![\w.'\"])[tT][rR]?[\"']"), (3, 14), "a template string"),
)


@dataclass
class FileReport:
    path: str
    findings: list[Finding] = field(default_factory=list)
    errors: list[FileError] = field(default_factory=list)
    # (rule code, threshold name) pairs the checks read; used by the catalog tests
    threshold_reads: set = field(default_factory=set)
    # a rule that raised (rnnlint.rule_crash): its traceback text; the run exits 3 when any
    internal_errors: list[str] = field(default_factory=list)


def _compile(path: str, text: str) -> ast.Module:
    with warnings.catch_warnings():  # `"\d"` warns while parsing (SyntaxWarning from 3.12): not ours to say
        warnings.simplefilter("ignore")
        tree = compile(text, path, "exec", flags=ast.PyCF_ONLY_AST, dont_inherit=True)
    assert isinstance(tree, ast.Module)
    return tree


def parse_tree(path: str, text: str) -> ast.Module | SyntaxError | str:
    """The one way rnnlint parses a script for linting: CPython's parser, with IPython-only lines
    masked when they are what stops the parse. A SyntaxError for an RNN001; a reason (text) for a
    file that cannot be analysed at all."""
    try:
        tree = _compile(path, text)
    except SyntaxError as error:
        masked = _parse_without_magics(path, text)
        if masked is None:
            return error
        tree = masked
    except (RecursionError, MemoryError):
        return _TOO_DEEP
    except ValueError as error:  # source code string cannot contain null bytes
        return SyntaxError(str(error), (path, 1, 1, "", 1, 1))
    deep = _too_deep(tree)
    return deep if deep is not None else tree


def _parse_without_magics(path: str, text: str) -> ast.Module | None:
    """Scripts exported from Colab or Jupyter keep lines like `!pip install ...` or `%matplotlib
    inline`, which are never Python: mask them (line numbers unchanged) and parse again. Only tried
    on a file that already failed to parse, so valid Python is never altered."""
    from rnnlint.notebook import mask_magics

    masked = mask_magics(text)
    if masked == text:
        return None
    try:
        return _compile(path, masked)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None


def _too_deep(tree: ast.Module) -> str | None:
    stack: list[tuple[ast.AST, int]] = [(tree, 1)]
    while stack:  # iterative: the tree may be deeper than Python's recursion limit
        node, depth = stack.pop()
        if depth > MAX_NESTING:
            return f"nested more than {MAX_NESTING} levels deep (line {getattr(node, 'lineno', '?')}); not linted"
        stack.extend((child, depth + 1) for child in ast.iter_child_nodes(node))
    return None


def _syntax_error(path: str, line: int, column: int, message: str, catalog: Catalog) -> Finding:
    spec = catalog.by_code[SYNTAX_ERROR]
    return Finding(spec.code, spec.name, spec.severity, path, Span(line, column, line, column),
                   spec.render({"message": message}))


def _syntax_finding(path: str, text: str, error: SyntaxError, catalog: Catalog) -> Finding:
    line, column = error.lineno or 1, max(error.offset or 1, 1)
    message = error.msg
    newer = _newer_syntax(text, line, message)
    if newer is not None:
        message += f" ({newer})"
    return _syntax_error(path, line, column, message, catalog)


def _newer_syntax(text: str, line: int, message: str) -> str | None:
    """Why the line may be valid on a newer Python than the one running rnnlint, if it looks so."""
    lines = text.splitlines()
    source = lines[line - 1] if 0 < line <= len(lines) else ""
    found = [(version, what) for pattern, version, what in _NEWER_SYNTAX
             if pattern.match(source) and version > _RUNNING]
    if message.startswith("f-string") and (3, 12) > _RUNNING:
        found.append(((3, 12), "an f-string that reuses its quotes or spans lines inside braces"))
    if not found:
        return None
    (major, minor), what = found[0]
    return (f"{what} is Python {major}.{minor} syntax and rnnlint runs on Python {_RUNNING[0]}.{_RUNNING[1]}: "
            f"run rnnlint with Python {major}.{minor} or newer to lint this file")


def lint_source(path: str, text: str, config: Config = DEFAULT_CONFIG, catalog: Catalog | None = None,
                base_dir: Path | None = None, fixes: bool = False) -> FileReport:
    """Lint one file's text. Never raises on the text's content. `fixes`: build the text edits of
    the findings' fixes too (with libcst, for a file that has any); without it a finding's fix says
    what it would do and carries no edits."""
    catalog = catalog or default_catalog()
    enabled = config.enabled_codes(catalog)
    # The tree and the facts are millions of small objects and no cycles worth collecting: with the
    # cyclic collector on, its full passes over a growing heap made a 50,000-line file's parse cost
    # 1.6x per line what a 10,000-line file's did. Off while one file is linted, back as it was.
    collecting = gc.isenabled()
    gc.disable()
    try:
        report = _lint_text(path, text, config, catalog, enabled, base_dir, fixes)
    finally:
        if collecting:
            gc.enable()
    # the suppression stage: a pure post-filter over the rules' findings (rnnlint.suppress)
    report.findings = suppress.apply(path, text, report.findings, catalog, enabled, config.severities)
    return report


def _lint_text(path: str, text: str, config: Config, catalog: Catalog, enabled: set[str],
               base_dir: Path | None, fixes: bool) -> FileReport:
    report = FileReport(path)
    tree = parse_tree(path, text)
    if isinstance(tree, str):
        report.errors.append(FileError(path, tree))
        return report
    if isinstance(tree, SyntaxError):
        if SYNTAX_ERROR in enabled:
            report.findings.append(_syntax_finding(path, text, tree, catalog))
        return report
    if not any(word in text for word in RELEVANT_WORDS):
        return report
    crashes: list[RuleCrash] = []
    try:
        facts = ScriptFacts(tree, text, base_dir)
        reports = _run_checks(facts, config, catalog, enabled, report.threshold_reads, crashes)
    except RecursionError:
        report.errors.append(FileError(path, "too deeply nested to analyse; not linted"))
        return report
    if reports:
        report.findings = _to_findings(path, text, facts.lines, reports, fixes)
    for crash in crashes:
        place = rule_crash.locate(facts.lines, crash)
        report.internal_errors.append(rule_crash.internal_error(path, crash, place))
        if rule_crash.RULE_CRASHED in enabled:
            report.findings.append(rule_crash.to_finding(path, crash, place, catalog))
    report.findings.sort(key=Finding.sort_key)
    return report


def _run_checks(facts: ScriptFacts, config, catalog, enabled, threshold_reads,
                crashes: list[RuleCrash]) -> list[Report]:
    """Every enabled rule, each inside its own error boundary: one that raises is recorded in
    `crashes` and the others still run (what it reported before raising is kept)."""
    checks = load_checks()
    flow = DataFlow(facts)
    reports: list[Report] = []
    for spec in catalog:
        if spec.kind != "static" or spec.code not in enabled or spec.name not in checks:
            continue
        ctx = RuleContext(facts, flow, spec, config.thresholds.get(spec.code, {}),
                          config.severities.get(spec.code), reports, threshold_reads)
        try:
            checks[spec.name](ctx)
        except RecursionError:
            raise  # nesting too deep for any rule: the file is reported as not analysed
        except Exception as error:  # noqa: BLE001 - the boundary: a bug in one rule must not cost the file
            crashes.append(rule_crash.capture(spec, error))
    return reports


def _fix_edits(text: str, reports: list[Report]) -> dict[int, tuple[Edit, ...]]:
    """{id(report): its fix's edits}, built on the libcst tree of the text (parsed once, here)."""
    from rnnlint.checks.fix_helpers import CstSite
    from rnnlint.fix import parse_cst

    site = CstSite(parse_cst(text), text)
    out: dict[int, tuple[Edit, ...]] = {}
    for item in reports:
        if item.fix is not None:
            out[id(item)] = tuple(Edit(site.span(old), site.module.code_for_node(new))
                                  for old, new in item.fix.build(site))
    return out


def _to_findings(path: str, text: str, lines: SourceLines, reports: list[Report], fixes: bool) -> list[Finding]:
    edits = _fix_edits(text, reports) if fixes and any(item.fix is not None for item in reports) else {}
    findings: dict[tuple, Finding] = {}
    for item in reports:
        span = Span(*lines.span(item.node))
        fix = None
        if item.fix is not None:
            fix = Fix(item.fix.description, item.fix.applicability, edits.get(id(item), ()))
        finding = Finding(item.spec.code, item.spec.name, item.severity, path, span,
                          item.spec.render(item.values), fix, data=item.data)
        findings.setdefault((finding.code, span), finding)
    return sorted(findings.values(), key=Finding.sort_key)


def lint_file(path: str | Path, config: Config = DEFAULT_CONFIG, catalog: Catalog | None = None) -> FileReport:
    """Read, decode and lint one Python file; unreadable input becomes a FileError, never an exception."""
    shown = str(path)
    data = read_source(path)
    if isinstance(data, SourceError):
        return FileReport(shown, errors=[FileError(shown, data.message)])
    decoded = decode(data)
    if isinstance(decoded, SourceError):
        return FileReport(shown, errors=[FileError(shown, decoded.message)])
    return lint_source(shown, decoded.text, config, catalog, base_dir=Path(path).resolve().parent)
