"""The effective settings of one lint run: which rules, which thresholds, which severities.

Discovery of `[tool.rnnlint]` / `.rnnlint.yaml` files is layered on top of this by `rnnlint.configfile`;
the engine only ever sees a `Config`. Path matching (per-file-ignores, exclude) is pure string work,
done here so the runner and the engine share one definition of it.
"""

from __future__ import annotations

import fnmatch
import hashlib
import json
from dataclasses import dataclass, field, replace
from pathlib import PurePath, PurePosixPath
from typing import Any

from rnnlint.findings import Severity

# Folders never worth linting; `exclude` replaces this list, `extend-exclude` adds to it (ruff's terms).
DEFAULT_EXCLUDE = (
    ".git", ".hg", ".ipynb_checkpoints", ".mypy_cache", ".nox", ".pytest_cache", ".rnnlint_cache",
    ".tox", ".venv", "__pycache__", "build", "dist", "env", "node_modules", "site-packages", "venv",
)


def glob_matches(pattern: str, relative: str) -> bool:
    """Gitignore-like: a pattern without `/` matches any path component; one with `/` is anchored
    at the config file's folder; a leading `**/` also matches at the top."""
    relative = relative.replace("\\", "/")
    pattern = pattern.replace("\\", "/").rstrip("/")
    if "/" not in pattern:
        return any(fnmatch.fnmatchcase(part, pattern) for part in PurePosixPath(relative).parts)
    pattern = pattern.lstrip("/")
    candidates = [pattern] + ([pattern[3:]] if pattern.startswith("**/") else [])
    parts = PurePosixPath(relative).parts
    prefixes = ["/".join(parts[: i + 1]) for i in range(len(parts))]  # a folder pattern covers its files
    return any(fnmatch.fnmatchcase(prefix, cand) for cand in candidates for prefix in prefixes)


@dataclass(frozen=True)
class Config:
    select: tuple[str, ...] = ("ALL",)
    ignore: tuple[str, ...] = ()
    extend_select: tuple[str, ...] = ()
    fail_on: Severity = Severity.WARNING
    # rule code -> threshold name -> value
    thresholds: dict[str, dict[str, Any]] = field(default_factory=dict)
    # rule code -> severity
    severities: dict[str, Severity] = field(default_factory=dict)
    # (glob, rule selectors) pairs; globs are relative to `root`
    per_file_ignores: tuple[tuple[str, tuple[str, ...]], ...] = ()
    exclude: tuple[str, ...] = DEFAULT_EXCLUDE
    extend_exclude: tuple[str, ...] = ()
    # the folder relative globs are anchored at (the config file's folder); None: the current folder
    root: str | None = None
    # where the settings came from, for `-v` (None: defaults)
    source: str | None = None

    def enabled_codes(self, catalog) -> set[str]:
        """Rule codes left after select/extend-select and ignore (each: code, name or prefix).

        A rule marked `enabled_by_default: false` in the catalog (unused-suppression) is enabled
        only when named by code or name, never by `ALL` or a prefix.
        """
        chosen: set[str] = set()
        for selector in (*self.select, *self.extend_select):
            matched = catalog.select(selector)
            explicit = catalog.get(selector) is not None
            chosen.update(spec.code for spec in matched
                          if explicit or spec.extra.get("enabled_by_default", True))
        for selector in self.ignore:
            chosen.difference_update(spec.code for spec in catalog.select(selector))
        return chosen

    def relative(self, path: str | PurePath) -> str:
        """`path` relative to `root` (or, without one, to the current folder), posix separators.

        Outside both, only the name: the folders above a linted tree (a checkout under ~/build)
        must never match an exclude pattern, and a walk checks every folder on its way down anyway.
        """
        from pathlib import Path
        target = Path(path).resolve()
        for anchor in ([self.root] if self.root is not None else []) + [Path.cwd()]:
            try:
                return target.relative_to(Path(anchor).resolve()).as_posix()
            except ValueError:
                continue
        return target.name

    def for_file(self, path: str | PurePath) -> "Config":
        """This config with the per-file-ignores that match `path` folded into `ignore`."""
        if not self.per_file_ignores:
            return self
        relative = self.relative(path)
        extra = tuple(selector for pattern, selectors in self.per_file_ignores
                      if glob_matches(pattern, relative) for selector in selectors)
        return replace(self, ignore=self.ignore + extra) if extra else self

    def excluded(self, path: str | PurePath, anchor: str | PurePath | None = None) -> str | None:
        """The exclude pattern that matches `path`, or None.

        Patterns with a `/` are anchored at `root`; bare names match the components of `path` below
        `anchor` (the folder being walked), so a folder named on the command line, and the folders
        above it, are never excluded by name.
        """
        from pathlib import Path
        relative = self.relative(path)
        names = relative
        if anchor is not None:
            try:
                names = Path(path).resolve().relative_to(Path(anchor).resolve()).as_posix()
            except ValueError:
                pass
        for pattern in (*self.exclude, *self.extend_exclude):
            if glob_matches(pattern, relative if "/" in pattern.strip("/") else names):
                return pattern
        return None

    def fingerprint(self) -> str:
        """A stable hash of everything that changes findings (the cache key's config part)."""
        payload = {
            "select": self.select, "ignore": self.ignore, "extend_select": self.extend_select,
            "thresholds": self.thresholds,
            "severities": {code: int(sev) for code, sev in sorted(self.severities.items())},
        }
        text = json.dumps(payload, sort_keys=True, default=repr)
        return hashlib.sha256(text.encode()).hexdigest()


DEFAULT_CONFIG = Config()
