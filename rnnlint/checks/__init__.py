"""The rule registry: each check module registers one function under its catalog name."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Callable

from rnnlint.catalog import RuleSpec
from rnnlint.findings import Applicability, Severity

if TYPE_CHECKING:
    from rnnlint.checks.fix_helpers import CstSite, Replacement

CheckFunction = Callable[["RuleContext"], None]
REGISTRY: dict[str, CheckFunction] = {}


def rule(name: str) -> Callable[[CheckFunction], CheckFunction]:
    def register(function: CheckFunction) -> CheckFunction:
        if name in REGISTRY:
            raise RuntimeError(f"rule {name} registered twice")
        REGISTRY[name] = function
        return function
    return register


@dataclass(frozen=True)
class FixPlan:
    """A fix, decided on the `ast` facts. `build` returns its libcst node replacements (old, new) in
    the file's libcst tree; the engine calls it only when fixes are asked for, and turns the
    replacements into text edits."""

    description: str
    applicability: Applicability
    build: Callable[["CstSite"], tuple["Replacement", ...]]


@dataclass(frozen=True)
class Report:
    """What a check found, before positions are resolved."""

    spec: RuleSpec
    node: Any  # an `ast` node, or a rnnlint.positions.Place
    values: dict[str, Any]
    severity: Severity
    fix: FixPlan | None = None
    data: dict = field(default_factory=dict)


class RuleContext:
    """What a check may use: the script's facts and data flow, its catalog entry and thresholds."""

    def __init__(self, facts, flow, spec: RuleSpec, overrides: dict[str, Any],
                 severity: Severity | None, reports: list[Report], threshold_reads: set) -> None:
        self.facts = facts
        self.flow = flow
        self.spec = spec
        self._overrides = overrides
        self._severity = severity
        self._reports = reports
        self._threshold_reads = threshold_reads

    def threshold(self, key: str) -> Any:
        """The one way a check reads a number: catalog default, overridden by the project config."""
        if key not in self.spec.thresholds:
            raise KeyError(f"{self.spec.code} has no threshold {key!r} in its catalog entry")
        self._threshold_reads.add((self.spec.code, key))
        if key in self._overrides:
            return self._overrides[key]
        return self.spec.thresholds[key].default

    def report(self, node: Any, values: dict[str, Any], severity: Severity | None = None,
               fix: FixPlan | None = None, **data: Any) -> None:
        chosen = self._severity or severity or self.spec.severity
        self._reports.append(Report(self.spec, node, values, chosen, fix, data))

    def code(self, node: Any, limit: int = 40) -> str:
        """Source text of a node on one line, shortened for messages."""
        return self.facts.source_text(node, limit)


def load_checks() -> dict[str, CheckFunction]:
    """Import every check module in this package (each registers itself) and return the registry."""
    import importlib
    import pkgutil

    if not _LOADED:
        for module in pkgutil.iter_modules(__path__):
            importlib.import_module(f"{__name__}.{module.name}")
        _LOADED.append(True)
    return REGISTRY


_LOADED: list[bool] = []
