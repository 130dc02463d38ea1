"""Load and validate the rule catalog: one YAML file per rule, the single home of every word and number.

The catalog ships inside the wheel as `rnnlint/rules/`; in a source checkout it is the repository's
`rules/` folder. Both the static rules and the probe's runtime symptoms are described here.
"""

from __future__ import annotations

import re
import string
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from rnnlint.findings import Applicability, Severity

try:  # the C loader is several times faster; fall back when PyYAML was built without libyaml
    _SafeLoader: Any = yaml.CSafeLoader
except AttributeError:  # pragma: no cover
    _SafeLoader = yaml.SafeLoader

CODE_PATTERN = re.compile(r"^RNN\d{3}$")
NAME_PATTERN = re.compile(r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$")
RATIONALE_SECTIONS = (
    "what_it_does",
    "why_bad",
    "example",
    "use_instead",
    "known_problems",
    "fix_safety",
)
KINDS = ("static", "runtime", "meta")


class CatalogError(Exception):
    """The catalog itself is broken (a packaging or editing mistake, not a user error)."""


@dataclass(frozen=True)
class Threshold:
    name: str
    default: Any
    description: str


@dataclass(frozen=True)
class RuleSpec:
    code: str
    name: str
    severity: Severity
    kind: str
    summary: str
    message: str
    rationale: dict[str, str]
    references: tuple[str, ...]
    thresholds: dict[str, Threshold]
    fix_available: bool
    fix_applicability: Applicability | None
    bad_examples: tuple[str, ...]
    good_examples: tuple[str, ...]
    source_file: str
    extra: dict = field(default_factory=dict, compare=False, hash=False)

    @property
    def url(self) -> str:
        return f"https://rnnlint.readthedocs.io/en/latest/rules/{self.code}/"

    def message_fields(self) -> set[str]:
        return {f for _, f, _, _ in string.Formatter().parse(self.message) if f}

    def render(self, values: dict[str, Any]) -> str:
        """Fill the message template; a missing value is a bug in the check, so it raises."""
        missing = self.message_fields() - values.keys()
        if missing:
            raise KeyError(f"{self.code}: message needs {sorted(missing)}")
        return self.message.format_map(values)


def default_rules_dir() -> Path:
    installed = Path(__file__).parent / "rules"
    if installed.is_dir():
        return installed
    return Path(__file__).resolve().parent.parent / "rules"


class Catalog:
    """All rule specs, addressable by code, by name, or by a code prefix such as `RNN1`."""

    def __init__(self, specs: list[RuleSpec]):
        self.specs = sorted(specs, key=lambda s: s.code)
        self.by_code = {s.code: s for s in self.specs}
        self.by_name = {s.name: s for s in self.specs}

    def __iter__(self):
        return iter(self.specs)

    def __len__(self) -> int:
        return len(self.specs)

    def get(self, code_or_name: str) -> RuleSpec | None:
        key = code_or_name.strip()
        return self.by_code.get(key.upper()) or self.by_name.get(key.lower())

    def select(self, selector: str) -> list[RuleSpec]:
        """Rules matched by a code, a name, a code prefix (`RNN1`) or `ALL`; empty if none."""
        key = selector.strip()
        if key.upper() == "ALL":
            return list(self.specs)
        spec = self.get(key)
        if spec:
            return [spec]
        if re.fullmatch(r"RNN\d{0,3}", key.upper()):
            return [s for s in self.specs if s.code.startswith(key.upper())]
        return []


def _require(data: dict, key: str, kind: type | tuple, where: str) -> Any:
    if key not in data:
        raise CatalogError(f"{where}: missing required key {key!r}")
    value = data[key]
    if not isinstance(value, kind):
        raise CatalogError(f"{where}: {key!r} must be {kind}, got {type(value).__name__}")
    return value


def parse_rule(data: Any, where: str) -> RuleSpec:
    if not isinstance(data, dict):
        raise CatalogError(f"{where}: a rule file must hold a mapping")
    code = _require(data, "code", str, where)
    if not CODE_PATTERN.match(code):
        raise CatalogError(f"{where}: code {code!r} is not RNN followed by three digits")
    name = _require(data, "name", str, where)
    if not NAME_PATTERN.match(name):
        raise CatalogError(f"{where}: name {name!r} is not kebab-case")
    try:
        severity = Severity.parse(_require(data, "severity", str, where))
    except ValueError as exc:
        raise CatalogError(f"{where}: {exc}") from None
    kind = data.get("kind", "static")
    if kind not in KINDS:
        raise CatalogError(f"{where}: kind must be one of {KINDS}")
    summary = _require(data, "summary", str, where).strip()
    message = _require(data, "message", str, where).strip()
    rationale = _require(data, "rationale", dict, where)
    for section in RATIONALE_SECTIONS:
        if not isinstance(rationale.get(section), str) or not rationale[section].strip():
            raise CatalogError(f"{where}: rationale.{section} is missing or empty")
    references = data.get("references") or []
    if not isinstance(references, list) or not references:
        raise CatalogError(f"{where}: references must be a non-empty list")
    thresholds = {}
    for key, entry in (data.get("thresholds") or {}).items():
        if not isinstance(entry, dict) or "default" not in entry or "description" not in entry:
            raise CatalogError(f"{where}: threshold {key!r} needs 'default' and 'description'")
        thresholds[key] = Threshold(key, entry["default"], str(entry["description"]).strip())
    fix = data.get("fix") or {}
    fix_available = bool(fix.get("available", False))
    applicability = None
    if fix_available:
        try:
            applicability = Applicability(fix.get("applicability", "unsafe"))
        except ValueError:
            raise CatalogError(f"{where}: fix.applicability must be 'safe' or 'unsafe'") from None
    examples = data.get("examples") or {}
    bad = tuple(examples.get("bad") or ())
    good = tuple(examples.get("good") or ())
    if kind != "runtime" and (not bad or not good):
        raise CatalogError(f"{where}: a static rule needs at least one bad and one good example")
    known = {
        "code", "name", "severity", "kind", "summary", "message", "rationale", "references",
        "thresholds", "fix", "examples",
    }
    extra = {k: v for k, v in data.items() if k not in known}
    return RuleSpec(
        code=code, name=name, severity=severity, kind=kind, summary=summary, message=message,
        rationale={k: str(v).strip() for k, v in rationale.items()},
        references=tuple(str(r) for r in references), thresholds=thresholds,
        fix_available=fix_available, fix_applicability=applicability,
        bad_examples=bad, good_examples=good, source_file=where, extra=extra,
    )


def load_catalog(rules_dir: Path | None = None) -> Catalog:
    folder = rules_dir or default_rules_dir()
    if not folder.is_dir():
        raise CatalogError(f"rule catalog not found at {folder}")
    specs = []
    for path in sorted(folder.glob("*.yaml")):
        try:
            data = yaml.load(path.read_text(encoding="utf-8"), Loader=_SafeLoader)
        except yaml.YAMLError as exc:
            raise CatalogError(f"{path.name}: not valid YAML: {exc}") from None
        specs.append(parse_rule(data, path.name))
    codes, names = set(), set()
    for spec in specs:
        if spec.code in codes or spec.name in names:
            raise CatalogError(f"{spec.source_file}: duplicate code or name {spec.code} {spec.name}")
        codes.add(spec.code)
        names.add(spec.name)
    return Catalog(specs)


@lru_cache(maxsize=1)
def default_catalog() -> Catalog:
    return load_catalog()
