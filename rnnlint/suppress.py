"""The one home of the suppression grammar, and the filter that applies it to a file's findings.

    # rnnlint: ignore[RNN301, extreme-learning-rate]   this statement (codes or names)
    # noqa: RNN301                                     the same, for flake8 habits (codes only)
    # rnnlint: ignore-file[RNN101]                     the whole file

Text after the closing bracket is a free-form reason. A line suppression covers findings reported on any line of the statement it is written on (so a
comment on the first or the closing line of a multi-line `model.fit(` call works), and a comment
alone on the line directly above the statement. Bare `# noqa` and `# noqa: E501` belong to other
tools and are left alone: rnnlint never reads them as "ignore everything". A suppression that names
an unknown rule, or an `rnnlint:` comment that does not parse, is reported as RNN002
invalid-suppression; one that matched nothing is RNN003 unused-suppression (opt-in).
"""

from __future__ import annotations

import io
import re
import tokenize
from dataclasses import dataclass, field

from rnnlint.findings import Finding, Span

INVALID = "RNN002"
UNUSED = "RNN003"

_RNNLINT = re.compile(r"#\s*rnnlint\s*:\s*(?P<body>.*?)\s*(?=#|$)", re.IGNORECASE)
# after the bracket, free text may give the reason: `ignore[RNN301] -- fixed schedule from the paper`
_DIRECTIVE = re.compile(r"^(?P<kind>[A-Za-z][\w-]*)\s*(?:\[(?P<rules>[^\]]*)\](?P<reason>.*))?$")
_NOQA = re.compile(r"#\s*noqa(?::\s?(?P<codes>[A-Za-z][\w-]*(?:[,\s]+[A-Za-z][\w-]*)*))?", re.IGNORECASE)
_FLAKE8_CODE = re.compile(r"^[A-Z]+[0-9]+$")
KINDS = ("ignore", "ignore-file")


@dataclass(frozen=True)
class Directive:
    """One suppression as written. `rules` are the names as written; `error` marks a malformed one."""

    kind: str  # "ignore", "ignore-file", "noqa" or "invalid"
    rules: tuple[str, ...] = ()
    error: str | None = None
    column: int = 0  # offset of the directive inside the comment
    text: str = ""  # the directive as written, for messages


def parse_comment(comment: str) -> list[Directive]:
    """The suppressions in one comment (a `#...` token), in order. Pure grammar: no catalog."""
    out: list[Directive] = []
    for match in _RNNLINT.finditer(comment):
        body, written = match.group("body"), match.group(0).strip()
        parsed = _DIRECTIVE.match(body)
        if parsed is None:
            out.append(Directive("invalid", error=f"cannot read `{body}`: write ignore[CODE-or-name, ...]",
                                 column=match.start(), text=written))
            continue
        kind = parsed.group("kind").lower()
        if kind not in KINDS:
            out.append(Directive("invalid", error=f"unknown directive `{kind}`: write ignore[...] or "
                                                  "ignore-file[...]", column=match.start(), text=written))
            continue
        rules = tuple(r for r in re.split(r"[,\s]+", parsed.group("rules") or "") if r)
        if not rules:
            out.append(Directive("invalid", error=f"`{kind}` names no rule: write {kind}[CODE-or-name, ...]",
                                 column=match.start(), text=written))
            continue
        out.append(Directive(kind, rules, column=match.start(), text=written))
    for match in _NOQA.finditer(comment):
        codes = tuple(c for c in re.split(r"[,\s]+", match.group("codes") or "") if c)
        if codes:  # a bare noqa comment is flake8's business, never a blanket rnnlint suppression
            out.append(Directive("noqa", codes, column=match.start(), text=match.group(0).strip()))
    return sorted(out, key=lambda d: d.column)


@dataclass
class _Active:
    """A suppression placed in a file, with the rule codes it names and what it matched."""

    line: int
    column: int
    comment: str
    codes: dict[str, str]  # code -> the name as written
    whole_file: bool
    covers: frozenset[int] = frozenset()
    used: set[str] = field(default_factory=set)


@dataclass(frozen=True)
class _Comment:
    line: int
    column: int  # 1-based
    text: str
    alone: bool  # nothing but the comment on its line


def _scan(text: str) -> tuple[list[_Comment], dict[int, tuple[int, int]]]:
    """Comments, and for every line inside a multi-line statement, that statement's line range."""
    comments: list[_Comment] = []
    statements: dict[int, tuple[int, int]] = {}
    start = None
    try:
        for token in tokenize.generate_tokens(io.StringIO(text).readline):
            if token.type == tokenize.COMMENT:
                alone = token.line[: token.start[1]].strip() == ""
                comments.append(_Comment(token.start[0], token.start[1] + 1, token.string, alone))
            elif token.type in (tokenize.NL, tokenize.INDENT, tokenize.DEDENT, tokenize.ENCODING):
                continue
            elif token.type in (tokenize.NEWLINE, tokenize.ENDMARKER):
                if start is not None:
                    for line in range(start, token.end[0] + 1):
                        statements[line] = (start, token.end[0])
                start = None
            elif start is None:
                start = token.start[0]
    except (tokenize.TokenError, SyntaxError):
        # Text that does not tokenize (a syntax error): fall back to one line per statement, where a
        # `#` inside a string may be read as a comment; only RNN001 is reported on such text anyway.
        seen = {c.line for c in comments}
        for number, source in enumerate(text.splitlines(), start=1):
            if number not in seen and "#" in source:
                index = source.index("#")
                comments.append(_Comment(number, index + 1, source[index:], not source[:index].strip()))
    return comments, statements


def _place(comment: _Comment, statements, lines: list[str]) -> frozenset[int]:
    """The lines a line suppression covers: its statement, or the statement below a lone comment."""
    target = comment.line
    if comment.alone:
        below = comment.line + 1
        while below <= len(lines) and lines[below - 1].lstrip().startswith("#"):
            below += 1  # a comment block directly above a statement belongs to it
        if below <= len(lines) and lines[below - 1].strip():
            target = below
    first, last = statements.get(target, (target, target))
    return frozenset(range(first, last + 1)) | {comment.line}


def apply(path: str, text: str, findings: list[Finding], catalog, enabled: set[str],
          severities: dict | None = None) -> list[Finding]:
    """Drop suppressed findings; add RNN002 (and, when enabled, RNN003) findings about suppressions."""
    if "rnnlint" not in text and "noqa" not in text.lower():
        return findings
    comments, statements = _scan(text)
    lines = text.splitlines()
    active: list[_Active] = []
    problems: list[tuple[int, int, str, str]] = []  # line, column, problem, comment
    for comment in comments:
        for directive in parse_comment(comment.text):
            column = comment.column + directive.column
            shown = directive.text
            if directive.error is not None:  # kind "invalid", the only kind that carries one
                problems.append((comment.line, column, directive.error, shown))
                continue
            codes: dict[str, str] = {}
            for written in directive.rules:
                if directive.kind == "noqa" and not written.upper().startswith("RNN"):
                    if catalog.get(written) is not None:  # a rule name: flake8 cannot read it
                        problems.append((comment.line, column, f"`noqa` takes codes, not the name "
                                         f"`{written}`: write # rnnlint: ignore[{written}]", shown))
                    continue  # another tool's code (E501, BLE001)
                spec = catalog.get(written)
                if spec is None:
                    problems.append((comment.line, column, f"unknown rule `{written}`", shown))
                else:
                    codes[spec.code] = written
            if not codes:
                continue
            whole_file = directive.kind == "ignore-file"
            covers = frozenset() if whole_file else _place(comment, statements, lines)
            active.append(_Active(comment.line, column, shown, codes, whole_file, covers))

    kept = [f for f in findings if not _suppressed(f, active, mark=True)]
    meta: list[Finding] = []
    if INVALID in enabled:
        for line, column, problem, shown in problems:
            meta.append(_meta(catalog, INVALID, path, line, column, severities,
                              {"problem": problem, "comment": shown}))
    if UNUSED in enabled:
        for item in active:
            for code, written in item.codes.items():
                if code not in item.used and code in enabled:
                    meta.append(_meta(catalog, UNUSED, path, item.line, item.column, severities,
                                      {"rule": written, "comment": item.comment}))
    kept.extend(f for f in meta if not _suppressed(f, active, mark=False))
    return sorted(kept, key=Finding.sort_key)


def _suppressed(finding: Finding, active: list[_Active], mark: bool) -> bool:
    hit = False
    for item in active:
        if finding.code in item.codes and (item.whole_file or finding.span.line in item.covers):
            if not mark:
                return True
            item.used.add(finding.code)
            hit = True
    return hit


def _meta(catalog, code: str, path: str, line: int, column: int, severities, values: dict) -> Finding:
    spec = catalog.by_code[code]
    severity = (severities or {}).get(code) or spec.severity
    return Finding(spec.code, spec.name, severity, path, Span(line, column, line, column), spec.render(values))
