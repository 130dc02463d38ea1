"""Command line: argv -> config -> engine -> reporter -> exit code, with one error boundary.

Imports stay lazy: `rnnlint --help` and `rnnlint check` never load TensorFlow or numpy, and the
probe's and editor server's modules load only for their subcommands.
"""

from __future__ import annotations

import argparse
import sys
import traceback
from typing import TYPE_CHECKING, Callable

from rnnlint import __version__

if TYPE_CHECKING:  # the CLI imports the rest of the package lazily, per subcommand
    from rnnlint.config import Config

EXIT_CLEAN, EXIT_FINDINGS, EXIT_USAGE, EXIT_INTERNAL = 0, 1, 2, 3
SUBCOMMANDS = ("check", "rules", "rule", "probe", "lsp")
FORMATS = ("text", "json", "github", "sarif", "gitlab")


class UsageError(Exception):
    """A problem with the command line or configuration: exit 2 with a one-line message."""


def _csv(text: str) -> list[str]:
    return [part.strip() for part in text.split(",") if part.strip()]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="rnnlint",
        description="Find the Keras training configurations that make RNN training stall, explode "
                    "or leak (static, never runs your code), and confirm them with a short real run "
                    "(`rnnlint probe`).",
        epilog="Exit codes: 0 clean, 1 findings at or above --fail-on, 2 usage/config error or a "
               "file that could not be linted, 3 internal error (probe: 4 the script failed, 5 no "
               "verdict: no fit was probed).",
    )
    parser.add_argument("--version", action="version", version=f"rnnlint {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    check = sub.add_parser("check", help="lint files and directories (the default command)",
                           description="Lint Python files, notebooks and directories. `-` reads one "
                                       "file from stdin (name it with --stdin-filename).")
    check.add_argument("paths", nargs="*", metavar="PATH", help="files or directories (default: .), or -")
    check.add_argument("--format", choices=FORMATS, default="text", help="output format (default: text)")
    check.add_argument("--select", type=_csv, default=None, metavar="RULES",
                       help="only these rules: codes, names or code prefixes, comma-separated "
                            "(replaces the config's select)")
    check.add_argument("--extend-select", type=_csv, default=None, metavar="RULES",
                       help="these rules too, on top of the selection")
    check.add_argument("--ignore", type=_csv, default=None, metavar="RULES",
                       help="skip these rules: codes, names or code prefixes, comma-separated")
    check.add_argument("--fail-on", choices=("error", "warning", "info"), default=None,
                       help="lowest severity that makes the exit code 1 (default: warning)")
    check.add_argument("--config", metavar="FILE",
                       help="use this .rnnlint.yaml or pyproject.toml for every file (no discovery)")
    check.add_argument("--output-file", "-o", metavar="FILE", help="write the report here instead of stdout")
    check.add_argument("--exit-zero", action="store_true",
                       help="exit 0 even when there are findings (errors still exit 2 or 3)")
    check.add_argument("--statistics", action="store_true", help="count the findings per rule")
    check.add_argument("--show-source", action="store_true",
                       help="show the offending line with a caret under the finding (text format)")
    check.add_argument("--color", choices=("auto", "always", "never"), default="auto",
                       help="colour the text report (auto: only on a terminal, and never with NO_COLOR set)")
    check.add_argument("--report-unused-ignores", action="store_true",
                       help="report suppression comments that matched nothing (RNN003)")
    check.add_argument("--stdin-filename", metavar="PATH",
                       help="with `-`: the path the buffer belongs to (its config, and the name in findings)")
    check.add_argument("--force-exclude", action="store_true",
                       help="apply exclude patterns to files named on the command line too (pre-commit)")
    check.add_argument("--no-cache", action="store_true", help="neither read nor write the result cache")
    check.add_argument("--cache-dir", metavar="DIR", default=None,
                       help="where the result cache lives (default: $RNNLINT_CACHE_DIR or .rnnlint_cache)")
    check.add_argument("-j", "--jobs", type=int, default=None, metavar="N",
                       help="worker processes for many files (default: one per core)")
    check.add_argument("-v", "--verbose", action="store_true",
                       help="say on stderr which config each file uses and why, and what is skipped")
    check.add_argument("-q", "--quiet", action="store_true", help="the report only: no summary or notes on stderr")
    from rnnlint.fix import add_fix_arguments
    add_fix_arguments(check)

    sub.add_parser("rules", help="list every rule in the catalog")
    rule = sub.add_parser("rule", help="explain one rule")
    rule.add_argument("rule", metavar="CODE|NAME")

    probe = sub.add_parser("probe", help="run a script briefly with real TensorFlow and measure its training",
                           description="Run SCRIPT for a short, truncated training in a child process "
                                       "(a .py script or an .ipynb notebook's code cells) and confirm "
                                       "or refute the static findings with measurements. "
                                       "The script runs in the current directory, as `python SCRIPT` "
                                       "would (--cwd DIR to choose another).",
                           epilog="Exit codes: 0 no confirmed symptom, 1 confirmed symptom(s), 2 usage "
                                  "error, 3 internal error of rnnlint, 4 the script failed or timed out "
                                  "before any measured training step (after measured steps, their "
                                  "verdict: 0 or 1), 5 no verdict: the script ran but no fit was probed.")
    # Both modules keep their heavy imports (TensorFlow in the probe's child, pygls in the server)
    # out of module level, so building the parser stays cheap.
    from rnnlint.lsp import add_arguments as add_lsp_arguments
    from rnnlint.probe.command import add_arguments as add_probe_arguments
    add_probe_arguments(probe)
    add_lsp_arguments(sub.add_parser(
        "lsp", help="run the language server on stdio (for editors)",
        description="A Language Server Protocol server on stdin/stdout: diagnostics as you type, "
                    "hovers from the rule catalog, quick fixes and ignore-this-line actions."))
    return parser


def _with_default_command(argv: list[str]) -> list[str]:
    """`rnnlint file.py` means `rnnlint check file.py`."""
    if not argv:
        return ["check"]
    first = argv[0]
    if first in SUBCOMMANDS or first in ("-h", "--help", "--version"):
        return argv
    return ["check", *argv]


def main(argv: list[str] | None = None) -> int:
    args_list = _with_default_command(list(sys.argv[1:] if argv is None else argv))
    parser = build_parser()
    try:
        args = parser.parse_args(args_list)
    except SystemExit as exit_:  # argparse exits 2 on usage errors and 0 on --help
        return int(exit_.code or 0)
    try:
        if args.command == "rules":
            return _cmd_rules()
        if args.command == "rule":
            return _cmd_rule(args.rule)
        if args.command == "probe":
            from rnnlint.probe.command import run
            return run(args)
        if args.command == "lsp":
            from rnnlint.lsp import run as run_server
            return run_server(args)
        return _cmd_check(args)
    except UsageError as exc:
        print(f"rnnlint: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("rnnlint: interrupted", file=sys.stderr)
        return 130
    except Exception:  # the one boundary: a bug in rnnlint, reported so it can be pasted into an issue
        _report_internal_error(args_list)
        return EXIT_INTERNAL


def _report_internal_error(argv: list[str]) -> None:
    print("rnnlint: internal error (a bug in rnnlint, not in your code). Please report it with "
          "the text below:", file=sys.stderr)
    print(f"  rnnlint {__version__}, Python {sys.version.split()[0]}, argv={argv!r}", file=sys.stderr)
    print("".join("  " + line for line in traceback.format_exc().splitlines(True)), file=sys.stderr)


def _load_catalog():
    from rnnlint.catalog import CatalogError, default_catalog
    try:
        return default_catalog()
    except CatalogError as exc:
        raise UsageError(f"rule catalog: {exc}") from None


def _cmd_rules() -> int:
    from rnnlint.docs import rules_table
    sys.stdout.write(rules_table(_load_catalog()))
    return EXIT_CLEAN


def _cmd_rule(name: str) -> int:
    from rnnlint.docs import explain
    catalog = _load_catalog()
    spec = catalog.get(name)
    if spec is None:
        raise UsageError(f"unknown rule {name!r}; `rnnlint rules` lists them")
    sys.stdout.write(explain(spec))
    return EXIT_CLEAN


def _overrides(args: argparse.Namespace, catalog) -> Callable[[Config], Config]:
    """The command line's settings as a function over each file's config (flags win over files)."""
    from dataclasses import replace

    from rnnlint.findings import Severity
    for option in ("select", "ignore", "extend_select"):
        for selector in getattr(args, option) or ():
            if not catalog.select(selector):
                raise UsageError(f"--{option.replace('_', '-')}: unknown rule {selector!r}")
    changes: dict = {}
    if args.select:
        changes["select"] = tuple(args.select)
    if args.fail_on:
        changes["fail_on"] = Severity.parse(args.fail_on)
    extra_ignore = tuple(args.ignore or ())
    extra_select = tuple(args.extend_select or ()) + (("RNN003",) if args.report_unused_ignores else ())

    def override(config: Config) -> Config:
        return replace(config, **changes, ignore=config.ignore + extra_ignore,
                       extend_select=config.extend_select + extra_select)
    return override


def _use_color(choice: str, stream) -> bool:
    import os
    if choice != "auto":
        return choice == "always"
    if os.environ.get("NO_COLOR"):  # https://no-color.org: set and not empty
        return False
    return hasattr(stream, "isatty") and stream.isatty()


def _source_lines(result, stdin_text: str | None) -> dict:
    """(path, cell, line) -> text of each line a finding is on, for --show-source."""
    from pathlib import Path

    from rnnlint.source import SourceError, SourceText, decode
    wanted: dict[str, set] = {}
    for finding in result.findings:
        wanted.setdefault(finding.path, set()).add((finding.cell, finding.span.line))
    out = {}
    for path, keys in wanted.items():
        try:
            data = stdin_text.encode() if stdin_text is not None else Path(path).read_bytes()
        except OSError:
            continue
        if path.endswith(".ipynb"):
            from rnnlint.notebook import read_notebook
            program = read_notebook(data)
            if isinstance(program, SourceError):
                continue
            cells = {c.index: c for c in program.cells}
            lines = program.text.splitlines()
            for cell, line in keys:
                if cell in cells and 0 < line <= cells[cell].line_count:
                    out[(path, cell, line)] = lines[cells[cell].first_line + line - 2]
            continue
        decoded = decode(data)
        lines = decoded.text.splitlines() if isinstance(decoded, SourceText) else []
        for cell, line in keys:
            if 0 < line <= len(lines):
                out[(path, cell, line)] = lines[line - 1]
    return out


def _render(args, result, catalog, stdin_text, stream) -> str:
    if args.format == "json":
        from rnnlint.reporters.json import render as render_json
        return render_json(result)
    if args.format in ("github", "sarif", "gitlab"):
        import importlib
        return importlib.import_module(f"rnnlint.reporters.{args.format}").render(result, catalog)
    from rnnlint.reporters.text import render as render_text
    sources = _source_lines(result, stdin_text) if args.show_source else None
    return render_text(result, color=_use_color(args.color, stream), sources=sources,
                       statistics=args.statistics)


def _write_report(path: str, text: str) -> None:
    from pathlib import Path

    from rnnlint.files import write_text_atomic
    try:
        write_text_atomic(Path(path), text)
    except OSError as exc:
        raise UsageError(f"--output-file {path}: {exc.strerror or exc}") from None


def _run_options(args, catalog):
    import os

    from rnnlint.configfile import ConfigError, ConfigResolver
    from rnnlint.runner import STDIN, RunOptions
    paths = args.paths or ["."]
    if STDIN in paths and len(paths) > 1:
        raise UsageError("`-` (stdin) cannot be combined with other paths")
    if args.stdin_filename and STDIN not in paths:
        raise UsageError("--stdin-filename needs `-` as the path")
    try:
        resolver = ConfigResolver(catalog, args.config)
    except ConfigError as exc:
        raise UsageError(str(exc)) from None
    cache = None
    if not args.no_cache and STDIN not in paths:
        from rnnlint.cache import DEFAULT_DIR, Cache
        cache = Cache(args.cache_dir or os.environ.get("RNNLINT_CACHE_DIR") or DEFAULT_DIR, catalog)
    stdin_text = sys.stdin.read() if STDIN in paths else None
    return paths, RunOptions(resolver=resolver, override=_overrides(args, catalog), cache=cache,
                             verbose=args.verbose, force_exclude=args.force_exclude, stdin_text=stdin_text,
                             stdin_filename=args.stdin_filename, jobs=args.jobs)


def _cmd_check(args) -> int:
    from rnnlint.configfile import ConfigError
    from rnnlint.runner import lint_paths
    catalog = _load_catalog()
    paths, options = _run_options(args, catalog)
    try:
        result = lint_paths(paths, catalog, options)
        from rnnlint.fix import fix_requested, run_fixes
        if fix_requested(args):
            def config_for(path):
                return options.override(options.resolver.for_path(path).config).for_file(path)
            code = run_fixes(result, args, catalog, config_for, stdin_text=options.stdin_text)
            if code is not None:  # --diff or stdin: the output is already written
                return code
    except ConfigError as exc:
        raise UsageError(str(exc)) from None
    stream = sys.stdout
    report = _render(args, result, catalog, options.stdin_text, None if args.output_file else stream)
    if args.output_file:
        _write_report(args.output_file, report)
    else:
        stream.write(report)
    if args.statistics and args.format != "text":  # the text report carries them itself
        from rnnlint.reporters.text import statistics_lines
        for line in statistics_lines(result):
            print(line, file=sys.stderr)
    for error in result.errors:
        if error.fatal or not args.quiet:
            print(f"{error.path}: {'error' if error.fatal else 'note'}: {error.message}", file=sys.stderr)
    for message in result.internal_errors:
        print(message, file=sys.stderr)
    if not args.quiet:
        print(result.summary_line(), file=sys.stderr)
    code = result.exit_code()
    return EXIT_CLEAN if args.exit_zero and code == EXIT_FINDINGS else code
