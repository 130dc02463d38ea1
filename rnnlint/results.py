"""The outcome of linting many files, as reporters and exit codes see it."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from rnnlint.findings import FileError, Finding, Severity


@dataclass
class RunResult:
    findings: list[Finding] = field(default_factory=list)
    errors: list[FileError] = field(default_factory=list)
    files_checked: int = 0
    internal_errors: list[str] = field(default_factory=list)
    # path -> the lowest failing severity of that file's config (configs differ between folders)
    fail_on: dict[str, Severity] = field(default_factory=dict)

    def sorted_findings(self) -> list[Finding]:
        return sorted(self.findings, key=Finding.sort_key)

    def counts(self) -> Counter:
        return Counter(f.severity.label for f in self.findings)

    def exit_code(self, fail_on: Severity = Severity.WARNING) -> int:
        """3 internal error, 2 a file could not be linted, 1 a finding at or above its file's
        `fail-on` (`fail_on` where the file has none recorded), else 0."""
        if self.internal_errors:
            return 3
        if any(error.fatal for error in self.errors):
            return 2
        if any(f.severity >= self.fail_on.get(f.path, fail_on) for f in self.findings):
            return 1
        return 0

    def statistics(self) -> list[tuple[int, str, str]]:
        """(count, code, name) per rule, most frequent first (flake8's --statistics)."""
        counts = Counter((f.code, f.name) for f in self.findings)
        return sorted(((n, code, name) for (code, name), n in counts.items()), key=lambda row: (-row[0], row[1]))

    def summary_line(self) -> str:
        counts = self.counts()
        if not self.findings:
            text = f"No findings in {self.files_checked} file{'s' * (self.files_checked != 1)}."
        else:
            plural = {"error": "errors", "warning": "warnings", "info": "info"}
            parts = ", ".join(f"{counts[label]} {label if counts[label] == 1 else plural[label]}"
                              for label in ("error", "warning", "info") if counts[label])
            total = len(self.findings)
            text = (f"Found {total} finding{'s' * (total != 1)} ({parts}) in "
                    f"{self.files_checked} file{'s' * (self.files_checked != 1)}.")
        failed = [e for e in self.errors if e.fatal]
        if failed:
            text += f" {len(failed)} file{'s' * (len(failed) != 1)} could not be linted."
        return text
