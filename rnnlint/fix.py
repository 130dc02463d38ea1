"""Apply the fixes findings carry: to text, to files (atomically), and to notebooks' cells.

How fixing works: lint, take the applicable fixes whose edits do not overlap an already chosen one,
apply them, and lint again, until nothing is left to fix (at most `MAX_ROUNDS` rounds). Re-linting
rather than shifting edits makes fixes compose: two fixes that add the same import, or touch the same
call, are applied in successive rounds, and the second sees the first's result (so an import is never
added twice). The result must parse, else nothing is written and the file is reported; a second run
changes nothing (the fixed code no longer has the finding). Writes go to a temporary file in the same
folder, then `os.replace`: the original is intact if anything fails. Mode, encoding (with its BOM) and
the newline style are kept: edits are applied to the decoded text, whose line endings are untouched.

Wiring into `rnnlint check` (rnnlint/cli.py)::

    from rnnlint.fix import add_fix_arguments, fix_requested, run_fixes
    add_fix_arguments(check)                      # build_parser: --fix, --unsafe-fixes, --diff
    ...
    result = lint_paths(...)                      # _cmd_check, as today
    if fix_requested(args):
        code = run_fixes(result, args, catalog, config_for, stdin_text=options.stdin_text)
        if code is not None:                      # --diff or stdin: the output is written
            return code
    ...render `result` as usual: with --fix it now holds the findings left after fixing

`config_for(path) -> Config` is the config the runner used for that file (with the CLI's overrides),
e.g. `lambda p: options.override(options.resolver.for_path(p).config).for_file(p)`.
"""

from __future__ import annotations

import argparse
import difflib
import json
import os
import re
import sys
import tempfile
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Callable

from rnnlint.config import DEFAULT_CONFIG, Config
from rnnlint.findings import Applicability, Edit, FileError, Finding, Span
from rnnlint.source import SourceError, decode

MAX_ROUNDS = 10
_NEWLINE = re.compile(r"\r\n|\r|\n")  # libcst's (and the tokenizer's) line endings


# -- text ---------------------------------------------------------------------------------------
def line_starts(text: str) -> list[int]:
    """Offset of the start of each line (1-based line n starts at `result[n - 1]`)."""
    return [0] + [match.end() for match in _NEWLINE.finditer(text)]


def offset(starts: list[int], text: str, line: int, column: int) -> int:
    """The string offset of a 1-based line and 1-based code-point column."""
    if line > len(starts):
        return len(text)
    return min(starts[line - 1] + column - 1, len(text))


def apply_edits(text: str, edits: list[Edit]) -> str:
    """Apply non-overlapping edits (from the bottom up, so earlier offsets stay valid)."""
    starts = line_starts(text)
    ordered = sorted(edits, key=lambda e: (e.span.line, e.span.column), reverse=True)
    for edit in ordered:
        begin = offset(starts, text, edit.span.line, edit.span.column)
        end = offset(starts, text, edit.span.end_line, edit.span.end_column)
        text = text[:begin] + edit.text + text[end:]
    return text


def applicable(finding: Finding, unsafe: bool) -> bool:
    fix = finding.fix
    return fix is not None and bool(fix.edits) and (unsafe or fix.applicability is Applicability.SAFE)


def _edits(finding: Finding) -> tuple[Edit, ...]:
    """A finding's edits; none when it has no fix (never the case for a finding `choose` kept)."""
    return finding.fix.edits if finding.fix is not None else ()


def _conflict(a: Span, b: Span) -> bool:
    a_start, a_end = (a.line, a.column), (a.end_line, a.end_column)
    b_start, b_end = (b.line, b.column), (b.end_line, b.end_column)
    return a_start == b_start or (a_start < b_end and b_start < a_end)


def choose(findings: list[Finding], unsafe: bool) -> list[Finding]:
    """The applicable fixes of one round: in file order, each one whose edits overlap none chosen."""
    chosen: list[Finding] = []
    taken: list[Span] = []
    for finding in findings:
        if not applicable(finding, unsafe):
            continue
        spans = [edit.span for edit in _edits(finding)]
        if any(_conflict(a, b) for a in spans for b in taken) or \
                any(_conflict(a, b) for i, a in enumerate(spans) for b in spans[i + 1:]):
            continue
        chosen.append(finding)
        taken += spans
    return chosen


@dataclass
class FixResult:
    """What fixing one text did. `text` is the original when `error` is set."""

    text: str
    fixed: list[Finding] = field(default_factory=list)  # the findings whose fixes were applied
    remaining: list[Finding] = field(default_factory=list)  # findings of the fixed text
    error: str | None = None

    @property
    def changed(self) -> bool:
        return bool(self.fixed)


def parse_cst(text: str):
    """The libcst tree fixes are built on (and a fix's result is checked with), with IPython-only
    lines masked when they are what stops the parse, as the linter does. Raises ParserSyntaxError."""
    import libcst as cst

    try:
        return cst.parse_module(text)
    except cst.ParserSyntaxError:
        from rnnlint.notebook import mask_magics

        masked = mask_magics(text)
        if masked == text:
            raise
        return cst.parse_module(masked)


def _parse_error(text: str) -> str | None:
    import libcst as cst

    try:
        parse_cst(text)  # as the linter parses it: a Colab script's `!pip` line is not an error
    except cst.ParserSyntaxError as exc:
        return f"line {exc.raw_line}: {exc.message.strip().splitlines()[0]}"
    except RecursionError:
        return "too deeply nested to parse"
    return None


def fix_source(path: str, text: str, config: Config = DEFAULT_CONFIG, catalog=None, unsafe: bool = False,
               base_dir: Path | None = None) -> FixResult:
    """Fix one Python text, round after round until nothing applicable is left."""
    from rnnlint.engine import lint_source
    current = text
    fixed: list[Finding] = []
    findings = lint_source(path, current, config, catalog, base_dir, fixes=True).findings
    for _ in range(MAX_ROUNDS):
        chosen = choose(findings, unsafe)
        if not chosen:
            break
        candidate = apply_edits(current, [edit for finding in chosen for edit in _edits(finding)])
        if candidate == current:
            break  # fixes that change nothing would come back every round
        problem = _parse_error(candidate)
        if problem is not None:
            names = ", ".join(sorted({f.code for f in chosen}))
            return FixResult(text, error=f"fixing {names} would produce code that does not parse "
                                         f"({problem}); nothing written. Please report it.")
        current = candidate
        fixed += chosen
        findings = lint_source(path, current, config, catalog, base_dir, fixes=True).findings
    else:
        if choose(findings, unsafe):
            return FixResult(text, error=f"fixes did not settle after {MAX_ROUNDS} rounds; nothing written. "
                                         "Please report it.")
    return FixResult(current, fixed, findings)


# -- notebooks ----------------------------------------------------------------------------------
def _cell_source(cell: dict) -> str:
    source = cell.get("source", "")
    return source if isinstance(source, str) else "".join(source)


def _set_cell_source(cell: dict, text: str) -> None:
    cell["source"] = text if isinstance(cell.get("source"), str) else text.splitlines(keepends=True)


def cell_edits(program, finding: Finding, sources: dict[int, str]) -> list[tuple[int, Edit]] | None:
    """The finding's edits moved into their cells (an import may go to another cell than the call),
    or None when one spans two cells or touches a line the notebook reader masked (a magic)."""
    from rnnlint.notebook import mask_magics
    out = []
    for edit in _edits(finding):
        start, end = program.locate(edit.span.line), program.locate(edit.span.end_line)
        if start is None or end is None or start[0] is not end[0]:
            return None
        index = start[0].index
        source = sources[index].rstrip("\n")
        original, masked = source.split("\n"), mask_magics(source).split("\n")
        if any(original[n - 1] != masked[n - 1] for n in range(start[1], end[1] + 1)):
            return None
        out.append((index, Edit(Span(start[1], edit.span.column, end[1], edit.span.end_column), edit.text)))
    return out


def fix_notebook(path: str, raw: str, config: Config = DEFAULT_CONFIG, catalog=None, unsafe: bool = False,
                 base_dir: Path | None = None) -> tuple[FixResult, dict[int, tuple[str, str]]]:
    """Fix a notebook's code cells. Returns the result (its `text` is the notebook's JSON) and, for
    each changed cell (1-based position), its source before and after."""
    from rnnlint.engine import lint_source
    from rnnlint.notebook import read_notebook
    data = json.loads(raw)
    cells = data.get("cells", [])
    before = {i: _cell_source(c) for i, c in enumerate(cells, start=1) if c.get("cell_type") == "code"}
    fixed: list[Finding] = []
    for _ in range(MAX_ROUNDS):
        program = read_notebook(json.dumps(data).encode("utf-8"))
        if isinstance(program, SourceError):
            return FixResult(raw, error=program.message), {}
        findings = lint_source(path, program.text, config, catalog, base_dir, fixes=True).findings
        sources = {i: _cell_source(c) for i, c in enumerate(cells, start=1) if c.get("cell_type") == "code"}
        per_cell: dict[int, list[Edit]] = {}
        chosen = []
        for finding in choose(findings, unsafe):
            moved = cell_edits(program, finding, sources)
            if moved is not None:
                for index, edit in moved:
                    per_cell.setdefault(index, []).append(edit)
                chosen.append(finding)
        if not chosen:
            break
        for index, edits in per_cell.items():
            source = sources[index]
            body = source.rstrip("\n")
            _set_cell_source(cells[index - 1], apply_edits(body, edits) + source[len(body):])
        fixed += [program.to_cells(f) for f in chosen]
    else:
        return FixResult(raw, error=f"fixes did not settle after {MAX_ROUNDS} rounds; nothing written"), {}
    program = read_notebook(json.dumps(data).encode("utf-8"))
    problem = program.message if isinstance(program, SourceError) else _parse_error(program.text)
    if problem is not None or isinstance(program, SourceError):
        return FixResult(raw, error=f"the fixed notebook would not parse ({problem}); nothing written"), {}
    findings = lint_source(path, program.text, config, catalog, base_dir).findings
    remaining = [program.to_cells(f) for f in findings]
    changes = {i: (before[i], _cell_source(cells[i - 1])) for i in before if before[i] != _cell_source(cells[i - 1])}
    if not changes:
        return FixResult(raw, remaining=remaining), {}
    return FixResult(_dump_notebook(data, raw), fixed, remaining), changes


def _dump_notebook(data: dict, raw: str) -> str:
    """JSON in the layout the file had (Jupyter writes indent=1, non-ASCII kept, a final newline)."""
    second = raw.split("\n", 2)[1] if raw.count("\n") >= 2 else ""
    indent = len(second) - len(second.lstrip(" ")) or None
    text = json.dumps(data, indent=indent, ensure_ascii=False)
    return text + "\n" if raw.endswith("\n") else text


# -- files --------------------------------------------------------------------------------------
@dataclass
class FileFix:
    path: str
    result: FixResult
    old: bytes = b""
    new: bytes = b""
    diff: str = ""


def fix_file(path: str | Path, config: Config = DEFAULT_CONFIG, catalog=None, unsafe: bool = False) -> FileFix:
    """Compute the fixed bytes of one file (a `.py` file or a notebook); writes nothing."""
    shown = str(path)
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        return FileFix(shown, FixResult("", error=f"cannot read: {exc.strerror or exc}"))
    base_dir = Path(path).resolve().parent
    if shown.endswith(".ipynb"):
        try:
            raw = data.decode("utf-8-sig")
            result, changes = fix_notebook(shown, raw, config, catalog, unsafe, base_dir)
        except (UnicodeDecodeError, ValueError) as exc:
            return FileFix(shown, FixResult("", error=f"not a readable notebook: {exc}"))
        bom = b"\xef\xbb\xbf" if data.startswith(b"\xef\xbb\xbf") else b""
        new = bom + result.text.encode("utf-8") if result.changed else data
        diff = "".join(unified_diff(f"{shown}:cell {i}", old, fixed) for i, (old, fixed) in sorted(changes.items()))
        return FileFix(shown, result, data, new, diff)
    decoded = decode(data)
    if isinstance(decoded, SourceError):
        return FileFix(shown, FixResult("", error=decoded.message))
    result = fix_source(shown, decoded.text, config, catalog, unsafe, base_dir)
    new = result.text.encode(decoded.encoding) if result.changed else data
    if result.changed and decoded.encoding == "utf-8" and data.startswith(b"\xef\xbb\xbf"):
        new = b"\xef\xbb\xbf" + new
    return FileFix(shown, result, data, new, unified_diff(shown, decoded.text, result.text) if result.changed else "")


def unified_diff(path: str, old: str, new: str) -> str:
    lines = difflib.unified_diff(old.splitlines(keepends=True), new.splitlines(keepends=True),
                                 fromfile=path, tofile=path)
    out = []
    for line in lines:
        out.append(line if line.endswith(("\n", "\r")) else line + "\n\\ No newline at end of file\n")
    return "".join(out)


def write_atomic(path: str | Path, data: bytes) -> None:
    """Replace the file's content all at once: a temporary file in the same folder, then a rename,
    with the original's permission bits. On any failure the original is left as it was."""
    target = Path(os.path.realpath(path))  # through a symlink, replace what it points to
    mode = target.stat().st_mode & 0o7777
    handle, temporary = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".rnnlint-tmp", dir=target.parent)
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        os.chmod(temporary, mode)
        os.replace(temporary, target)
    except BaseException:
        try:
            os.unlink(temporary)
        except OSError:
            pass
        raise


# -- command line -------------------------------------------------------------------------------
def add_fix_arguments(parser: argparse.ArgumentParser) -> None:
    """`--fix`, `--unsafe-fixes` and `--diff` on the `check` subcommand."""
    group = parser.add_argument_group("fixes")
    group.add_argument("--fix", action="store_true", help="apply the safe fixes, writing the files")
    group.add_argument("--unsafe-fixes", action="store_true",
                       help="also apply fixes that change training behaviour (implies --fix unless --diff)")
    group.add_argument("--diff", action="store_true",
                       help="print the fixes as a unified diff instead of writing them (exit 1 if any)")


def fix_requested(args) -> bool:
    return bool(getattr(args, "fix", False) or getattr(args, "unsafe_fixes", False) or getattr(args, "diff", False))


def run_fixes(result, args, catalog, config_for: Callable[[Path], Config] | None = None,
              stdout=None, stderr=None, stdin_text: str | None = None) -> int | None:
    """Fix the files of a lint run (`result`: rnnlint.results.RunResult).

    `--diff`: print the diffs on stdout and return the exit code (0 nothing to fix, 1 fixes shown,
    2 a fix failed). `--fix`: write the files, replace their findings in `result` with those left after
    fixing, add an error for a file that could not be fixed, and return None: the caller reports
    `result` as usual. Stdin (`stdin_text` given): the fixed text (or its diff) goes to stdout, the
    remaining findings are not reported, and the exit code is returned. A summary goes to stderr.
    """
    stdout = stdout or sys.stdout
    stderr = stderr or sys.stderr
    unsafe = bool(getattr(args, "unsafe_fixes", False))
    diff_only = bool(getattr(args, "diff", False))
    config_for = config_for or _default_config_for(catalog)
    if stdin_text is not None:
        return _fix_stdin(stdin_text, args, catalog, config_for, unsafe, diff_only, stdout, stderr)
    paths = sorted({f.path for f in result.findings if _may_fix(f, unsafe, catalog) and Path(f.path).is_file()})
    hidden = sum(1 for f in result.findings if _may_fix(f, True, catalog) and not _may_fix(f, unsafe, catalog))
    fixed_count, changed, failed = 0, 0, False
    for shown in paths:
        outcome = fix_file(shown, config_for(Path(shown)), catalog, unsafe)
        if outcome.result.error is not None:
            failed = True
            result.errors.append(FileError(shown, f"not fixed: {outcome.result.error}"))
            print(f"{shown}: error: not fixed: {outcome.result.error}", file=stderr)
            continue
        if not outcome.result.changed:
            continue
        if diff_only:
            stdout.write(outcome.diff)
        else:
            try:
                write_atomic(shown, outcome.new)
            except OSError as exc:
                failed = True
                result.errors.append(FileError(shown, f"not fixed: cannot write: {exc.strerror or exc}"))
                print(f"{shown}: error: not fixed: cannot write: {exc.strerror or exc}", file=stderr)
                continue
            remaining = [replace(f, path=shown) for f in outcome.result.remaining]
            result.findings = sorted([f for f in result.findings if f.path != shown] + remaining,
                                     key=Finding.sort_key)
        fixed_count += len(outcome.result.fixed)
        changed += 1
    verb = "Would fix" if diff_only else "Fixed"
    summary = f"{verb} {fixed_count} finding{'s' * (fixed_count != 1)} in {changed} file{'s' * (changed != 1)}."
    if hidden:
        summary += f" {hidden} more fix{'es' * (hidden != 1)} available with --unsafe-fixes."
    if not getattr(args, "quiet", False):
        print(summary, file=stderr)
    if diff_only:
        return 2 if failed else (1 if changed else 0)
    return None


def _fix_stdin(text: str, args, catalog, config_for, unsafe: bool, diff_only: bool, stdout, stderr) -> int:
    """`rnnlint check --fix - --stdin-filename train.py`: the fixed text on stdout, as formatters do."""
    shown = getattr(args, "stdin_filename", None) or "<stdin>"
    path = Path(getattr(args, "stdin_filename", None) or "stdin.py")
    outcome = fix_source(shown, text, config_for(path), catalog, unsafe, path.absolute().parent)
    if outcome.error is not None:
        print(f"{shown}: error: not fixed: {outcome.error}", file=stderr)
        if not diff_only:
            stdout.write(text)
        return 2
    if diff_only:
        stdout.write(unified_diff(shown, text, outcome.text) if outcome.changed else "")
        return 1 if outcome.changed else 0
    stdout.write(outcome.text)
    left = [f for f in outcome.remaining if f.severity >= config_for(path).fail_on]
    return 1 if left else 0


def _may_fix(finding: Finding, unsafe: bool, catalog) -> bool:
    """Whether fixing the finding's file may fix it. The lint run that found it built no edits (only
    fixing parses with libcst), so its fix's applicability decides. A notebook finding loses a fix
    whose edits reach another cell (an import in the first cell); the notebook fixer works on the
    whole program, so go by the catalog there."""
    fix = finding.fix
    if fix is not None and (unsafe or fix.applicability is Applicability.SAFE):
        return True
    spec = catalog.get(finding.code) if finding.path.endswith(".ipynb") else None
    return spec is not None and spec.fix_available and (unsafe or spec.fix_applicability is Applicability.SAFE)


def _default_config_for(catalog) -> Callable[[Path], Config]:
    """Each file's project config (without command-line overrides)."""
    from rnnlint.configfile import ConfigResolver
    resolver = ConfigResolver(catalog)
    return lambda path: resolver.for_path(path).config.for_file(path)
