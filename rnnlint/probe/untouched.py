"""The parent's check that the script's folder is as it was: what no patch in the child could see.

The child's sandbox redirects every write that passes through Python or a library it knows; a
subprocess the script starts, or a C library writing by a path it never showed to Python, is beyond
it. Comparing the folder's listing (size, modification time) before and after the run catches those
writes, so the report never claims "untouched" for a folder that changed.
"""

from __future__ import annotations

import os

MAX_ENTRIES = 20_000  # a folder bigger than this is checked in part, and the report says so
SKIPPED_DIRS = frozenset({".git", ".hg", ".svn", ".venv", "venv", "node_modules", "__pycache__"})

Snapshot = dict[str, tuple[int, int, bool]]  # relative path -> (size, mtime_ns, is a folder)


def snapshot(folder: str) -> tuple[Snapshot, bool]:
    """The folder's entries and whether all of them were listed (False past MAX_ENTRIES)."""
    entries: Snapshot = {}
    pending = [folder]
    while pending:
        current = pending.pop()
        try:
            with os.scandir(current) as listing:
                for entry in listing:
                    try:
                        info = entry.stat(follow_symlinks=False)
                    except OSError:
                        continue
                    is_dir = entry.is_dir(follow_symlinks=False)
                    entries[os.path.relpath(entry.path, folder)] = (info.st_size, info.st_mtime_ns, is_dir)
                    if len(entries) >= MAX_ENTRIES:
                        return entries, False
                    if is_dir and entry.name not in SKIPPED_DIRS:
                        pending.append(entry.path)
        except OSError:
            continue
    return entries, True


def changes(before: Snapshot, after: Snapshot, complete: bool = True) -> list[str]:
    """Entries created, deleted or modified between two snapshots (folders only when created or
    deleted: a folder's own time changes with its contents). When a snapshot stopped at
    MAX_ENTRIES, only entries listed in both are compared: the cut falls in different places."""
    changed = []
    paths = before.keys() | after.keys() if complete else before.keys() & after.keys()
    for path in sorted(paths):
        old, new = before.get(path), after.get(path)
        if old is None or new is None:
            changed.append(path)
        elif not new[2] and old[:2] != new[:2]:
            changed.append(path)
    return changed
