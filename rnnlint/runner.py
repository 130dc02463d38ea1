"""Lint many files: discovery, reading, and a per-file guard so one bad file never stops the run."""

from __future__ import annotations

import sys
import traceback

from rnnlint import __version__
from rnnlint.engine import lint_file
from rnnlint.files import discover
from rnnlint.findings import FileError
from rnnlint.results import RunResult


def lint_paths(targets: list[str], config, catalog, verbose: bool = False) -> RunResult:
    files, missing = discover(targets)
    result = RunResult()
    for target in missing:
        result.errors.append(FileError(target, "no such file or directory"))
    explicit = {t for t in targets}
    for path in files:
        if verbose:
            print(f"rnnlint: checking {path}", file=sys.stderr)
        try:
            report = lint_file(path, config, catalog)
        except Exception:  # noqa: BLE001 - one file's crash must not hide the other files' results
            result.internal_errors.append(
                f"{path}: internal error in rnnlint {__version__}; please report:\n"
                + "".join("  " + line for line in traceback.format_exc().splitlines(True)))
            continue
        result.files_checked += 1
        result.findings.extend(report.findings)
        result.errors.extend(report.errors)
        if str(path) in explicit and _is_empty(path) and not report.findings:
            result.errors.append(FileError(str(path), "file is empty; nothing to lint", fatal=False))
    return result


def _is_empty(path) -> bool:
    try:
        return path.stat().st_size == 0
    except OSError:
        return False
