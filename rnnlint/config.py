"""The effective settings of one lint run: which rules, which thresholds, which severities.

Discovery of `[tool.rnnlint]` / `.rnnlint.yaml` files is layered on top of this by `rnnlint.configfile`;
the engine only ever sees a `Config`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from rnnlint.findings import Severity


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
    # where the settings came from, for `-v` (None: defaults)
    source: str | None = None

    def enabled_codes(self, catalog) -> set[str]:
        """Rule codes left after select/extend-select and ignore (each: code, name or prefix)."""
        chosen: set[str] = set()
        for selector in (*self.select, *self.extend_select):
            chosen.update(spec.code for spec in catalog.select(selector))
        for selector in self.ignore:
            chosen.difference_update(spec.code for spec in catalog.select(selector))
        return chosen


DEFAULT_CONFIG = Config()
