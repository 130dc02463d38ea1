"""A content-hash cache of per-file results, so a re-run over unchanged files is nearly free.

An entry's key hashes everything a file's findings depend on: the rnnlint version and source code,
the catalog, the effective config, the path shown in findings, the file's bytes, and the bytes of the
JSON/YAML files it names in string literals (the engine resolves `json.load(open("config.json"))`). Entries are JSON
(never pickle: a cache folder must not be a way to run code), one file each, written atomically, so
parallel runs and pre-commit's parallel processes can share the folder.
"""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

from rnnlint import __version__
from rnnlint.files import write_text_atomic
from rnnlint.findings import Applicability, Edit, FileError, Finding, Fix, Severity, Span
from rnnlint.source import SourceError, read_source

DEFAULT_DIR = ".rnnlint_cache"
_DATA_FILE = re.compile(r"""["']([^"'\n]{1,300}\.(?:json|ya?ml))["']""")


def code_hash() -> str:
    """A hash of rnnlint's own source: a rule fixed without a version bump (a development checkout,
    a pre-release) must not keep serving the old findings. ~60 small files, read once per process."""
    digest = hashlib.sha256()
    package = Path(__file__).resolve().parent
    for path in sorted(package.rglob("*.py")):
        digest.update(str(path.relative_to(package)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def catalog_hash(catalog) -> str:
    """A hash of every rule's words and numbers (a changed threshold default must miss the cache)."""
    digest = hashlib.sha256()
    for spec in catalog:
        digest.update(repr((spec.code, spec.name, spec.severity, spec.kind, spec.message,
                            sorted((k, repr(t.default)) for k, t in spec.thresholds.items()),
                            sorted(spec.extra.items(), key=lambda kv: kv[0]).__repr__())).encode())
    return digest.hexdigest()


def _dependencies(text: str, base_dir: Path | None) -> list[str]:
    """Hashes of the data files a script names, so editing `config.json` invalidates its script."""
    if base_dir is None:
        return []
    out = []
    for name in sorted(set(_DATA_FILE.findall(text))):
        try:
            data = read_source(base_dir / name)  # regular files only: a FIFO must not hang the run
        except ValueError:  # a name with a NUL byte
            data = SourceError("")
        out.append(f"{name}=-" if isinstance(data, SourceError) else f"{name}={hashlib.sha256(data).hexdigest()}")
    return out


def _finding_to_json(finding: Finding) -> dict:
    fix = None
    if finding.fix is not None:
        fix = [finding.fix.description, finding.fix.applicability.value,
               [[list(_span(e.span)), e.text] for e in finding.fix.edits]]
    return {"code": finding.code, "name": finding.name, "severity": int(finding.severity),
            "path": finding.path, "span": list(_span(finding.span)), "message": finding.message,
            "fix": fix, "cell": finding.cell, "data": finding.data}


def _span(span: Span) -> tuple[int, int, int, int]:
    return span.line, span.column, span.end_line, span.end_column


def _finding_from_json(item: dict) -> Finding:
    fix = None
    if item["fix"] is not None:
        description, applicability, edits = item["fix"]
        fix = Fix(description, Applicability(applicability),
                  tuple(Edit(Span(*span), text) for span, text in edits))
    return Finding(item["code"], item["name"], Severity(item["severity"]), item["path"],
                   Span(*item["span"]), item["message"], fix, item["cell"], item["data"])


class Cache:
    """Per-file results keyed by content; every failure to read or write is a miss, never an error."""

    def __init__(self, folder: str | Path, catalog) -> None:
        self.folder = Path(folder) / __version__
        self.salt = f"{__version__}\0{code_hash()}\0{catalog_hash(catalog)}"

    def key(self, shown: str, data: bytes, text: str, config, base_dir: Path | None) -> str:
        digest = hashlib.sha256()
        for part in (self.salt, config.fingerprint(), shown, *_dependencies(text, base_dir)):
            digest.update(part.encode("utf-8", "surrogatepass") + b"\0")
        digest.update(data)
        return digest.hexdigest()

    def _path(self, key: str) -> Path:
        return self.folder / key[:2] / f"{key}.json"

    def get(self, key: str) -> tuple[list[Finding], list[FileError]] | None:
        try:
            payload = json.loads(self._path(key).read_text(encoding="utf-8"))
            findings = [_finding_from_json(item) for item in payload["findings"]]
            errors = [FileError(*item) for item in payload["errors"]]
        except (OSError, ValueError, KeyError, TypeError):
            return None
        return findings, errors

    def put(self, key: str, findings: list[Finding], errors: list[FileError]) -> None:
        try:
            text = json.dumps({"findings": [_finding_to_json(f) for f in findings],
                               "errors": [[e.path, e.message, e.fatal] for e in errors]})
        except (TypeError, ValueError):  # a finding whose data is not plain JSON: not cached
            return
        try:
            write_text_atomic(self._path(key), text)
            self._tag(self.folder.parent)
        except OSError:
            pass

    @staticmethod
    def _tag(root: Path) -> None:
        """Mark the folder as a cache (backup tools skip it; git ignores it)."""
        ignore = root / ".gitignore"
        if not ignore.exists():
            ignore.write_text("# created by rnnlint\n*\n", encoding="utf-8")
