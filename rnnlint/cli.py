"""Command line: argv -> config -> engine -> reporter -> exit code, with one error boundary.

Imports stay lazy: `rnnlint --help` and `rnnlint check` never load TensorFlow or numpy, and the
probe's and editor server's modules load only for their subcommands.
"""

from __future__ import annotations

import argparse
import sys
import traceback

from rnnlint import __version__

EXIT_CLEAN, EXIT_FINDINGS, EXIT_USAGE, EXIT_INTERNAL = 0, 1, 2, 3
SUBCOMMANDS = ("check", "rules", "rule", "probe", "lsp")
FORMATS = ("text", "json")


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
               "file that could not be linted, 3 internal error (probe: 4 the script failed).",
    )
    parser.add_argument("--version", action="version", version=f"rnnlint {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    check = sub.add_parser("check", help="lint files and directories (the default command)",
                           description="Lint Python files, notebooks and directories.")
    check.add_argument("paths", nargs="*", metavar="PATH", help="files or directories (default: .)")
    check.add_argument("--format", choices=FORMATS, default="text", help="output format (default: text)")
    check.add_argument("--select", type=_csv, default=None, metavar="RULES",
                       help="only these rules: codes, names or code prefixes, comma-separated")
    check.add_argument("--ignore", type=_csv, default=None, metavar="RULES",
                       help="skip these rules: codes, names or code prefixes, comma-separated")
    check.add_argument("--fail-on", choices=("error", "warning", "info"), default=None,
                       help="lowest severity that makes the exit code 1 (default: warning)")
    check.add_argument("-v", "--verbose", action="store_true", help="say what is being done on stderr")
    check.add_argument("-q", "--quiet", action="store_true", help="no summary line on stderr")

    sub.add_parser("rules", help="list every rule in the catalog")
    rule = sub.add_parser("rule", help="explain one rule")
    rule.add_argument("rule", metavar="CODE|NAME")

    probe = sub.add_parser("probe", help="run a script briefly with real TensorFlow and measure its training",
                           description="Run SCRIPT for a short, truncated training in a child process "
                                       "and confirm or refute the static findings with measurements.")
    try:
        from rnnlint.probe.command import add_arguments
    except ImportError:  # the probe package is optional at import time; numpy/TF load in the child
        add_arguments = None
    if add_arguments is not None:
        add_arguments(probe)
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


def _build_config(args, catalog):
    from rnnlint.config import Config
    from rnnlint.findings import Severity
    for option in ("select", "ignore"):
        for selector in getattr(args, option) or ():
            if not catalog.select(selector):
                raise UsageError(f"--{option}: unknown rule {selector!r}")
    return Config(
        select=tuple(args.select) if args.select else ("ALL",),
        ignore=tuple(args.ignore or ()),
        fail_on=Severity.parse(args.fail_on) if args.fail_on else Severity.WARNING,
    )


def _cmd_check(args) -> int:
    from rnnlint.runner import lint_paths
    catalog = _load_catalog()
    config = _build_config(args, catalog)
    result = lint_paths(args.paths or ["."], config, catalog, verbose=args.verbose)
    if args.format == "json":
        from rnnlint.reporters.json import render
    else:
        from rnnlint.reporters.text import render
    sys.stdout.write(render(result))
    for error in result.errors:
        print(f"{error.path}: {'error' if error.fatal else 'note'}: {error.message}", file=sys.stderr)
    for message in result.internal_errors:
        print(message, file=sys.stderr)
    if not args.quiet:
        print(result.summary_line(), file=sys.stderr)
    return result.exit_code(config.fail_on)
