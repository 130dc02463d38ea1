"""Which files a run lints: the paths given, and inside directories the Python files and notebooks
that are not hidden, not ignored by `.gitignore` and not excluded by the project config (whose
default `exclude` list names virtual environments and build output)."""

from __future__ import annotations

import fnmatch
import os
import subprocess
import tempfile
from pathlib import Path
from typing import Callable

LINTED_SUFFIXES = (".py", ".ipynb")
# (path, the folder being walked or None) -> why the path is excluded, or None
Excluder = Callable[[Path, "Path | None"], "str | None"]


def _skip_dir(name: str) -> bool:
    return name.startswith(".") or name.endswith(".egg-info")


def _never(_: Path, __: Path | None) -> None:
    return None


def walk(root: Path, excluded: Excluder = _never, skipped: list | None = None) -> list[Path]:
    """Lintable files under `root`, never following symlinked directories (no loops, no escapes).

    `skipped` collects (path, reason) for what `excluded` removed, for `-v`.
    """
    found: list[Path] = []
    for folder, dirs, files in os.walk(root, followlinks=False):
        kept = []
        for name in sorted(dirs):
            if _skip_dir(name):
                continue
            reason = excluded(Path(folder) / name, root)
            if reason is None:
                kept.append(name)
            elif skipped is not None:
                skipped.append((Path(folder) / name, reason))
        dirs[:] = kept
        for name in sorted(files):
            if name.endswith(LINTED_SUFFIXES):
                reason = excluded(Path(folder) / name, root)
                if reason is None:
                    found.append(Path(folder) / name)
                elif skipped is not None:
                    skipped.append((Path(folder) / name, reason))
    return found


def _git_ignored(root: Path, paths: list[Path]) -> set[Path] | None:
    """Paths git ignores (all .gitignore files, negations included); None when git cannot tell."""
    if not paths:
        return set()
    try:
        result = subprocess.run(
            ["git", "-C", str(root), "check-ignore", "--no-index", "-z", "--stdin"],
            input="\0".join(str(p.resolve()) for p in paths).encode(),
            capture_output=True, timeout=30, check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    if result.returncode not in (0, 1):  # 128: not a repository
        return None
    return {Path(p.decode()).resolve() for p in result.stdout.split(b"\0") if p}


def _gitignore_patterns(root: Path) -> list[str]:
    try:
        lines = (root / ".gitignore").read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return []
    return [line.strip() for line in lines if line.strip() and not line.startswith(("#", "!"))]


def _fallback_ignored(root: Path, paths: list[Path]) -> set[Path]:
    """Outside a git repository: the root `.gitignore`'s plain patterns (no negations)."""
    patterns = _gitignore_patterns(root)
    ignored = set()
    for path in paths:
        relative = path.relative_to(root).as_posix()
        parts = relative.split("/")
        for pattern in patterns:
            bare = pattern.strip("/")
            if fnmatch.fnmatch(relative, bare) or any(fnmatch.fnmatch(part, bare) for part in parts):
                ignored.add(path.resolve())
                break
    return ignored


def discover(targets: list[str], excluded: Excluder = _never, force_exclude: bool = False,
             skipped: list | None = None) -> tuple[list[Path], list[str]]:
    """Files to lint and the targets that do not exist.

    Files named explicitly are linted even when ignored or excluded, unless `force_exclude` (what
    pre-commit needs: it always names files explicitly).
    """
    files: list[Path] = []
    missing: list[str] = []
    seen: set[Path] = set()
    for target in targets:
        path = Path(target)
        if path.is_dir():
            candidates = walk(path, excluded, skipped)
            ignored = _git_ignored(path, candidates)
            if ignored is None:
                ignored = _fallback_ignored(path, candidates)
            chosen = [p for p in candidates if p.resolve() not in ignored]
        elif path.exists():
            reason = excluded(path, None) if force_exclude else None
            if reason is not None:
                if skipped is not None:
                    skipped.append((path, reason))
                continue
            chosen = [path]
        else:
            missing.append(target)
            continue
        for file in chosen:
            key = file.resolve()
            if key not in seen:
                seen.add(key)
                files.append(file)
    return files, missing


def write_text_atomic(target: Path, text: str) -> None:
    """Write through a temporary file in the same folder and a rename: readers (a parallel run, a CI
    step uploading the report) never see half a file. Raises OSError; leaves no temporary behind."""
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            stream.write(text)
        os.replace(temporary, target)
    except BaseException:
        os.unlink(temporary)
        raise
