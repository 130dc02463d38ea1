"""Lint many files: discovery, per-file config, the cache, parallel workers, and a per-file guard so
one bad file never stops the run. Output order never depends on scheduling: results are sorted."""

from __future__ import annotations

import os
import sys
import traceback
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Callable

from rnnlint import __version__
from rnnlint.config import Config
from rnnlint.files import discover
from rnnlint.findings import FileError
from rnnlint.notebook import MAX_NOTEBOOK_BYTES
from rnnlint.results import RunResult
from rnnlint.source import MAX_SOURCE_BYTES, SourceError, decode, read_source

if TYPE_CHECKING:  # the engine and the rules, which a fully cached run never needs
    from rnnlint.cache import Cache
    from rnnlint.configfile import ConfigResolver
    from rnnlint.engine import FileReport

# Below this many files to lint, starting worker processes costs more than it saves.
PARALLEL_MIN_FILES = 8
STDIN = "-"


@dataclass
class RunOptions:
    """How to run, beyond the per-file config: CLI overrides, cache, parallelism, stdin."""

    resolver: ConfigResolver
    # applied to every file's config after discovery (CLI flags win over config files)
    override: Callable[[Config], Config] = lambda config: config
    cache: Cache | None = None
    verbose: bool = False
    force_exclude: bool = False
    stdin_text: str | None = None
    stdin_filename: str | None = None
    jobs: int | None = None
    log: Callable[[str], None] = field(default=lambda message: print(message, file=sys.stderr))


@dataclass(frozen=True)
class Job:
    shown: str
    data: bytes
    config: Config
    base_dir: Path | None
    cache_key: str | None = None


def lint_bytes(shown: str, data: bytes, config: Config, catalog, base_dir: Path | None) -> FileReport:
    """Decode and lint one file's bytes (a notebook's code cells, or a Python file): a FileReport.

    The engine (and the rules) is imported here, not at module level: a run whose files all come from
    the cache never loads it.
    """
    from rnnlint.engine import FileReport, lint_source
    if shown.endswith(".ipynb"):
        from rnnlint.notebook import read_notebook  # read only for notebooks
        program = read_notebook(data)
        if isinstance(program, SourceError):
            return FileReport(shown, errors=[FileError(shown, program.message)])
        report = lint_source(shown, program.text, config, catalog, base_dir)
        report.findings = [program.to_cells(f) for f in report.findings]
        return report
    decoded = decode(data)
    if isinstance(decoded, SourceError):
        return FileReport(shown, errors=[FileError(shown, decoded.message)])
    return lint_source(shown, decoded.text, config, catalog, base_dir)


def _run_job(job: Job, catalog) -> FileReport | str:
    """The file's report, or the text of the internal error that stopped it."""
    try:
        return lint_bytes(job.shown, job.data, job.config, catalog, job.base_dir)
    except Exception:  # noqa: BLE001 - one file's crash must not hide the other files' results
        return (f"{job.shown}: internal error in rnnlint {__version__}; please report:\n"
                      + "".join("  " + line for line in traceback.format_exc().splitlines(True)))


_WORKER_CATALOG: list = []


def _init_worker(catalog) -> None:
    _WORKER_CATALOG[:] = [catalog]


def _run_in_worker(job: Job) -> FileReport | str:
    return _run_job(job, _WORKER_CATALOG[0])


def _excluder(options: RunOptions):
    def excluded(path: Path, anchor: Path | None) -> str | None:
        found = options.resolver.for_path(path.parent)
        pattern = options.override(found.config).excluded(path, anchor)
        if pattern is None:
            return None
        where = f" in {found.path}" if found.path else " (default)"
        return f"exclude pattern {pattern!r}{where}"
    return excluded


def _config_for(path: Path, options: RunOptions) -> Config:
    found = options.resolver.for_path(path)
    if options.verbose:
        where = f"{found.path} ({found.reason})" if found.path else found.reason
        options.log(f"rnnlint: {path}: config {where}")
    return options.override(found.config).for_file(path)


def _jobs(files: list[Path], options: RunOptions, result: RunResult) -> list[Job]:
    jobs = []
    for path in files:
        shown = str(path)
        config = _config_for(path, options)
        result.fail_on[shown] = config.fail_on
        # regular files only, bounded: a FIFO or a link to /dev/zero named *.py must not hang the run
        data = read_source(path, MAX_NOTEBOOK_BYTES if path.suffix == ".ipynb" else MAX_SOURCE_BYTES)
        if isinstance(data, SourceError):
            result.errors.append(FileError(shown, data.message))
            continue
        base_dir = path.resolve().parent
        key = None
        if options.cache is not None:
            key = options.cache.key(shown, data, data.decode("utf-8", "replace"), config, base_dir)
        jobs.append(Job(shown, data, config, base_dir, key))
    return jobs


def _usable_cpus() -> int:
    """The cores this process may run on (a container's cpuset), else os.cpu_count()."""
    try:
        return len(os.sched_getaffinity(0)) or 1
    except (AttributeError, OSError):  # macOS, Windows
        return os.cpu_count() or 1


def _execute(jobs: list[Job], catalog, options: RunOptions) -> list[FileReport | str]:
    """Run the jobs (in worker processes when there are enough), results in job order."""
    workers = min(options.jobs or _usable_cpus(), max(1, len(jobs) // 2))
    if len(jobs) < PARALLEL_MIN_FILES or workers < 2:
        return [_run_job(job, catalog) for job in jobs]
    from concurrent.futures import ProcessPoolExecutor
    from concurrent.futures.process import BrokenProcessPool

    from rnnlint.checks import load_checks
    load_checks()  # once here: forked workers inherit the imported rules instead of importing each
    try:
        with ProcessPoolExecutor(max_workers=workers, initializer=_init_worker, initargs=(catalog,)) as pool:
            return list(pool.map(_run_in_worker, jobs, chunksize=max(1, len(jobs) // (workers * 4))))
    except (BrokenProcessPool, OSError):  # no processes here (a sandbox, a killed worker): go serial
        return [_run_job(job, catalog) for job in jobs]


def lint_paths(targets: list[str], catalog, options: RunOptions) -> RunResult:
    result = RunResult()
    if STDIN in targets:
        return _lint_stdin(catalog, options, result)
    skipped: list = []
    files, missing = discover(targets, _excluder(options), options.force_exclude, skipped)
    if options.verbose:
        for path, reason in skipped:
            options.log(f"rnnlint: skipping {path} ({reason})")
    for target in missing:
        result.errors.append(FileError(target, "no such file or directory"))
    jobs = _jobs(files, options, result)
    pending: list[Job] = []
    for job in jobs:
        cached = options.cache.get(job.cache_key) if options.cache is not None and job.cache_key else None
        if cached is not None:
            _record(result, job, *cached, targets)
        else:
            pending.append(job)
    if options.verbose and options.cache is not None:
        options.log(f"rnnlint: cache: {len(jobs) - len(pending)} of {len(jobs)} files unchanged")
    for job, report in zip(pending, _execute(pending, catalog, options)):
        if isinstance(report, str):
            result.internal_errors.append(report)
            continue
        result.internal_errors.extend(report.internal_errors)  # a rule that crashed: exit 3
        # not after a rule crashed: a cached copy would lose the exit code
        if options.cache is not None and job.cache_key and not report.internal_errors:
            options.cache.put(job.cache_key, report.findings, report.errors)
        _record(result, job, report.findings, report.errors, targets)
    result.findings.sort(key=lambda f: f.sort_key())
    return result


def _record(result: RunResult, job: Job, findings: list, errors: list, targets: list[str]) -> None:
    result.files_checked += 1
    result.findings.extend(findings)
    result.errors.extend(errors)
    if job.shown in targets and not job.data and not findings:
        result.errors.append(FileError(job.shown, "file is empty; nothing to lint", fatal=False))


def _lint_stdin(catalog, options: RunOptions, result: RunResult) -> RunResult:
    """`rnnlint check - --stdin-filename path.py`: the editor's buffer, with that path's config."""
    shown = options.stdin_filename or "<stdin>"
    path = Path(options.stdin_filename or "stdin.py")
    if options.force_exclude and options.stdin_filename:
        reason = _excluder(options)(path, None)
        if reason is not None:
            if options.verbose:
                options.log(f"rnnlint: skipping {shown} ({reason})")
            return result
    config = _config_for(path, options)
    result.fail_on[shown] = config.fail_on
    data = (options.stdin_text or "").encode("utf-8", "surrogateescape")
    job = Job(shown, data, config, path.absolute().parent)
    report = _run_job(job, catalog)
    if isinstance(report, str):
        result.internal_errors.append(report)
    else:
        result.internal_errors.extend(report.internal_errors)
        _record(result, job, report.findings, report.errors, [])
    return result
