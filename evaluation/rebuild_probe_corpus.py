"""Rebuild the git-ignored probe corpus (evaluation/corpus/probe/<name>/) from repository snapshots.

Reads the probe tables of evaluation/SOURCES.md (rows `| name | owner/repo | files | commit | changes |`),
and writes each backticked file at the commit named there from the snapshot's git directory, keeping the
repository's layout. Snapshots are the ones the team's `fetch` tool leaves under /work/.mirror/owner+repo/
(pass another root with --mirrors). The eric_pm25 entry also takes the PRSA CSV its `changes` column names
from its own repository and commit. Stand-ins made by us come afterwards, from make_probe_standins.py.

    python evaluation/rebuild_probe_corpus.py && python evaluation/make_probe_standins.py
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROW = re.compile(r"^\| (?P<name>[a-z0-9_]+) \| (?P<repo>[\w.-]+/[\w.-]+) \| (?P<files>[^|]+) \| "
                 r"(?P<commit>[0-9a-f]{40}) \| (?P<changes>[^|]*)\|")
TAKEN_FROM = re.compile(r"(?P<file>[\w.,-]+\.csv)[^|]*?verbatim from (?P<repo>[\w.-]+/[\w.-]+) at commit "
                        r"(?P<commit>[0-9a-f]{40})")


def entries(sources: Path) -> list[dict]:
    """The probe-corpus rows of SOURCES.md, each with the files it takes (repo, commit, path)."""
    text = sources.read_text(encoding="utf-8")
    rows = []
    for line in text[text.index("## Probe corpus"):].splitlines():
        match = ROW.match(line)
        if not match:
            continue
        files = [(match["repo"], match["commit"], path) for path in re.findall(r"`([^`]+)`", match["files"])]
        extra = TAKEN_FROM.search(match["changes"])
        if extra:
            files.append((extra["repo"], extra["commit"], extra["file"]))
        rows.append({"name": match["name"], "files": files})
    return rows


def git_dir(mirrors: Path, repo: str) -> Path | None:
    root = mirrors / repo.replace("/", "+") / "repo"
    for candidate in (root / ".git", root):
        if (candidate / "objects").is_dir():
            return candidate
    return None


def blob(git: Path, commit: str, path: str) -> bytes | None:
    proc = subprocess.run(["git", "--git-dir", str(git), "show", f"{commit}:{path}"], capture_output=True)
    return proc.stdout if proc.returncode == 0 else None


def find_blob(git: Path, commit: str, name: str) -> tuple[str, bytes] | None:
    """A file named only by its base name (the PRSA CSV): its path at that commit."""
    listing = subprocess.run(["git", "--git-dir", str(git), "ls-tree", "-r", "--name-only", commit],
                             capture_output=True, text=True).stdout.splitlines()
    for path in listing:
        if Path(path).name == name:
            data = blob(git, commit, path)
            if data is not None:
                return path, data
    return None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mirrors", type=Path, default=Path("/work/.mirror"))
    parser.add_argument("--corpus", type=Path, default=HERE / "corpus" / "probe")
    parser.add_argument("--sources", type=Path, default=HERE / "SOURCES.md")
    args = parser.parse_args(argv)
    missing = []
    written = 0
    for entry in entries(args.sources):
        for repo, commit, path in entry["files"]:
            git = git_dir(args.mirrors, repo)
            found = None if git is None else blob(git, commit, path)
            target = args.corpus / entry["name"] / path
            if found is None and git is not None and "/" not in path:
                located = find_blob(git, commit, path)
                if located:
                    found, target = located[1], args.corpus / entry["name"] / Path(located[0]).name
            if found is None:
                missing.append(f"{entry['name']}: {repo}@{commit[:8]}:{path}")
                continue
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(found)
            written += 1
    print(f"wrote {written} files under {args.corpus}")
    for line in missing:
        print(f"missing: {line}", file=sys.stderr)
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main())
