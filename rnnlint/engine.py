"""The static engine: `(path, text, config) -> findings`. No I/O beyond what `lint_file` reads.

One parse per file; facts are collected once and shared by every rule; positions are measured only
for the nodes a rule reports (rnnlint.spans), never for the whole tree.
"""

from __future__ import annotations

import ast
import re
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import libcst as cst

from rnnlint import rule_crash, suppress
from rnnlint.catalog import Catalog, default_catalog
from rnnlint.checks import Report, RuleContext, load_checks
from rnnlint.config import DEFAULT_CONFIG, Config
from rnnlint.facts.collect import ScriptFacts
from rnnlint.facts.dataflow import DataFlow
from rnnlint.findings import Edit, FileError, Finding, Fix, Span
from rnnlint.rule_crash import RuleCrash
from rnnlint.source import SourceError, decode, read_source
from rnnlint.spans import node_positions

SYNTAX_ERROR = "RNN001"
# A file that mentions none of these cannot hold the code any rule looks at (all rules start from a
# Keras model, a Keras/TF optimizer or an sklearn/Keras scaler). Conservative: a substring test.
RELEVANT_WORDS = ("keras", "tensorflow", "sklearn", "Normalization")
# Deeper syntax trees are refused before libcst sees them: its native parser takes seconds from ~1,000
# levels of a chain like `1 + 1 + ...` (superlinearly) and segfaults from ~1,500 brackets, and the
# facts pass runs out of Python recursion from ~350 levels anyway. Real scripts stay under 30.
MAX_NESTING = 500
_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)")  # a line as CPython numbers them, with its ending


@dataclass
class FileReport:
    path: str
    findings: list[Finding] = field(default_factory=list)
    errors: list[FileError] = field(default_factory=list)
    # (rule code, threshold name) pairs the checks read; used by the catalog tests
    threshold_reads: set = field(default_factory=set)
    # a rule that raised (rnnlint.rule_crash): its traceback text; the run exits 3 when any
    internal_errors: list[str] = field(default_factory=list)


def _span(position) -> Span:
    return Span(position.start.line, position.start.column + 1, position.end.line, position.end.column + 1)


def parse_source(text: str) -> cst.Module:
    """The one way rnnlint parses a script, for linting and for checking a fix's result: libcst, with
    IPython-only lines masked when they are what stops the parse. Raises ParserSyntaxError."""
    try:
        return cst.parse_module(text)
    except cst.ParserSyntaxError:
        module = _parse_without_magics(text)
        if module is None:
            raise
        return module


def _parse_without_magics(text: str) -> cst.Module | None:
    """Scripts exported from Colab or Jupyter keep lines like `!pip install ...` or `%matplotlib
    inline`, which are never Python: mask them (line numbers unchanged) and parse again. Only tried
    on a file that already failed to parse, so valid Python is never altered."""
    from rnnlint.notebook import mask_magics

    masked = mask_magics(text)
    if masked == text or _nesting_refused("<masked>", masked) is not None:
        return None  # too deep for libcst (it would crash): reported as the syntax error it is
    try:
        return cst.parse_module(masked)
    except (cst.ParserSyntaxError, RecursionError):
        return None


def _syntax_error(path: str, line: int, column: int, message: str, catalog: Catalog) -> Finding:
    spec = catalog.by_code[SYNTAX_ERROR]
    return Finding(spec.code, spec.name, spec.severity, path, Span(line, column, line, column),
                   spec.render({"message": message}))


def _syntax_finding(path: str, text: str, error: cst.ParserSyntaxError, catalog: Catalog) -> Finding:
    """libcst's error position is often a line late; CPython's own parser pinpoints it, and only
    runs here, on a file that already failed to parse."""
    line, column = error.raw_line, error.raw_column + 1
    message = error.message.strip().splitlines()[0]
    try:
        compile(text, path, "exec", flags=ast.PyCF_ONLY_AST, dont_inherit=True)
    except SyntaxError as exc:
        if exc.lineno:
            line, column = exc.lineno, max(exc.offset or 1, 1)
            message = exc.msg
    except (ValueError, RecursionError, MemoryError):
        pass
    return _syntax_error(path, line, column, message, catalog)


def lint_source(path: str, text: str, config: Config = DEFAULT_CONFIG, catalog: Catalog | None = None,
                base_dir: Path | None = None) -> FileReport:
    """Lint one file's text. Never raises on the text's content."""
    catalog = catalog or default_catalog()
    enabled = config.enabled_codes(catalog)
    report = _lint_text(path, text, config, catalog, enabled, base_dir)
    # the suppression stage: a pure post-filter over the rules' findings (rnnlint.suppress)
    report.findings = suppress.apply(path, text, report.findings, catalog, enabled, config.severities)
    return report


def _nesting_refused(path: str, text: str, cuts: int = 4) -> SyntaxError | str | None:
    """Nesting that would crash or stall libcst's parser (see MAX_NESTING), found with CPython's
    parser, which refuses it cleanly: a SyntaxError for too many brackets or block levels, a reason
    for anything else too deep."""
    try:
        with warnings.catch_warnings():  # `"\d"` warns while parsing (SyntaxWarning from 3.12): not ours to say
            warnings.simplefilter("ignore")
            tree = compile(text, path, "exec", flags=ast.PyCF_ONLY_AST, dont_inherit=True)
    except SyntaxError as exc:
        if exc.msg.startswith(("too many nested parentheses", "too many levels of indentation")):
            return exc
        if exc.lineno and exc.lineno > 1 and cuts:
            # libcst parses everything up to the error (a `!pip` line, or code newer than this
            # Python) before it fails, so check the lines before it (again before the first of them
            # that fails, as in a statement the error cut in two): 3,000 chained `[0]` took it 34 s
            return _nesting_refused(path, "".join(_LINE.findall(text)[: exc.lineno - 1]), cuts - 1)
        return None
    except (RecursionError, MemoryError):
        return "too deeply nested for the parser; not linted"
    except ValueError:  # source code string cannot contain null bytes
        return None
    stack = [(tree, 1)]
    while stack:  # iterative: the tree may be deeper than Python's recursion limit
        node, depth = stack.pop()
        if depth > MAX_NESTING:
            return f"nested more than {MAX_NESTING} levels deep (line {getattr(node, 'lineno', '?')}); not linted"
        stack.extend((child, depth + 1) for child in ast.iter_child_nodes(node))
    return None


def _lint_text(path: str, text: str, config: Config, catalog: Catalog, enabled: set[str],
               base_dir: Path | None) -> FileReport:
    report = FileReport(path)
    refused = _nesting_refused(path, text)
    if isinstance(refused, str):
        report.errors.append(FileError(path, refused))
        return report
    if refused is not None:
        if SYNTAX_ERROR in enabled:
            report.findings.append(_syntax_error(path, refused.lineno or 1, max(refused.offset or 1, 1),
                                                 refused.msg, catalog))
        return report
    try:
        module = parse_source(text)
    except cst.ParserSyntaxError as error:
        if SYNTAX_ERROR in enabled:
            report.findings.append(_syntax_finding(path, text, error, catalog))
        return report
    except RecursionError:
        report.errors.append(FileError(path, "too deeply nested for the parser; not linted"))
        return report
    if not any(word in text for word in RELEVANT_WORDS):
        return report
    crashes: list[RuleCrash] = []
    try:
        reports = _run_checks(module, config, catalog, enabled, report.threshold_reads, base_dir, crashes)
    except RecursionError:
        report.errors.append(FileError(path, "too deeply nested to analyse; not linted"))
        return report
    if reports:
        report.findings = _to_findings(path, module, reports)
    for crash in crashes:
        place = rule_crash.locate(module, crash)
        report.internal_errors.append(rule_crash.internal_error(path, crash, place))
        if rule_crash.RULE_CRASHED in enabled:
            report.findings.append(rule_crash.to_finding(path, crash, place, catalog))
    report.findings.sort(key=Finding.sort_key)
    return report


def _run_checks(module, config, catalog, enabled, threshold_reads, base_dir,
                crashes: list[RuleCrash]) -> list[Report]:
    """Every enabled rule, each inside its own error boundary: one that raises is recorded in
    `crashes` and the others still run (what it reported before raising is kept)."""
    checks = load_checks()
    facts = ScriptFacts(module, base_dir)
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


def _spans(module: cst.Module, nodes: list[cst.CSTNode]) -> dict[int, Span]:
    """Spans of the reported nodes only (see rnnlint.spans); libcst's full PositionProvider if its
    code generation internals ever stop matching what rnnlint.spans expects."""
    try:
        measured = node_positions(module, nodes)
        if all(id(node) in measured for node in nodes):
            return {key: Span(start[0], start[1] + 1, end[0], end[1] + 1)
                    for key, (start, end) in measured.items()}
    except (AttributeError, TypeError, KeyError):
        pass
    from libcst.metadata import MetadataWrapper, PositionProvider  # the fallback only: costly import

    positions = MetadataWrapper(module, unsafe_skip_copy=True).resolve(PositionProvider)
    return {id(node): _span(positions[node]) for node in nodes}


def _to_findings(path: str, module: cst.Module, reports: list[Report]) -> list[Finding]:
    nodes = [item.node for item in reports]
    nodes += [old for item in reports if item.fix is not None for old, _ in item.fix.replacements]
    spans = _spans(module, nodes)
    findings: dict[tuple, Finding] = {}
    for item in reports:
        span = spans[id(item.node)]
        fix = None
        if item.fix is not None:
            edits = tuple(Edit(spans[id(old)], module.code_for_node(new))
                          for old, new in item.fix.replacements)
            fix = Fix(item.fix.description, item.fix.applicability, edits)
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
