"""Rule documentation generated from the catalog: `rnnlint rules`, `rnnlint rule X`, README's table."""

from __future__ import annotations

import textwrap

from rnnlint.catalog import Catalog, RuleSpec

SECTION_TITLES = (
    ("what_it_does", "What it does"),
    ("why_bad", "Why is this bad"),
    ("example", "Example"),
    ("use_instead", "Use instead"),
    ("known_problems", "Known problems"),
    ("fix_safety", "Fix safety"),
    ("options", "Options"),
)


def rules_table(catalog: Catalog) -> str:
    """A plain-text table for the terminal."""
    rows = [(s.code, s.name, s.severity.label, s.kind, s.summary) for s in catalog]
    width_name = max(len(r[1]) for r in rows)
    lines = [f"{'CODE':<7} {'NAME':<{width_name}} {'SEVERITY':<8} {'KIND':<7} SUMMARY"]
    for code, name, severity, kind, summary in rows:
        lines.append(f"{code:<7} {name:<{width_name}} {severity:<8} {kind:<7} {summary}")
    return "\n".join(lines) + "\n"


def markdown_table(catalog: Catalog) -> str:
    """README's rule table (a test keeps README in step with this)."""
    lines = ["| Code | Name | Severity | Kind | Fix | Summary |", "|---|---|---|---|---|---|"]
    for spec in catalog:
        fix = spec.fix_applicability.value if spec.fix_available and spec.fix_applicability else "-"
        lines.append(f"| {spec.code} | `{spec.name}` | {spec.severity.label} | {spec.kind} | {fix} | {spec.summary} |")
    return "\n".join(lines) + "\n"


def explain(spec: RuleSpec) -> str:
    """The full explanation of one rule, in ruff's sections."""
    out = [f"{spec.code} {spec.name} ({spec.severity.label}, {spec.kind})", "", spec.summary, ""]
    for key, title in SECTION_TITLES:
        body = spec.rationale.get(key)
        if body:
            out += [f"## {title}", "", body.rstrip(), ""]
    if spec.thresholds:
        out += ["## Thresholds", ""]
        for threshold in spec.thresholds.values():
            out.append(f"- {threshold.name} (default {threshold.default!r}): {threshold.description}")
        out.append("")
    if spec.fix_available:
        out += ["## Fix", "", f"Available ({spec.fix_applicability.value}).", ""]
    if spec.bad_examples:
        out += ["## Bad example", "", textwrap.indent(spec.bad_examples[0].rstrip(), "    "), ""]
    if spec.good_examples:
        out += ["## Good example", "", textwrap.indent(spec.good_examples[0].rstrip(), "    "), ""]
    out += ["## References", ""] + [f"- {ref}" for ref in spec.references]
    return "\n".join(out) + "\n"
