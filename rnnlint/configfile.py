"""Find and read project config: `.rnnlint.yaml` or `[tool.rnnlint]` in `pyproject.toml`.

Config is looked up from each linted file's folder upwards (pre-commit splits a file list across
processes, so "the config of the current folder" would differ between them), cached per folder. In one
folder `.rnnlint.yaml` wins over `pyproject.toml`; a `pyproject.toml` without `[tool.rnnlint]` is
passed over. Every key is validated: an unknown key, rule, threshold or a wrong type is a
`ConfigError` naming the key and the file.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rnnlint.config import DEFAULT_EXCLUDE, Config
from rnnlint.findings import Severity

YAML_NAMES = (".rnnlint.yaml", ".rnnlint.yml")
PYPROJECT = "pyproject.toml"
LIST_KEYS = ("select", "ignore", "extend-select", "exclude", "extend-exclude")
KEYS = (*LIST_KEYS, "per-file-ignores", "fail-on", "thresholds", "severity")


class ConfigError(Exception):
    """A config file that cannot be used; the message names the file and the key."""


@dataclass(frozen=True)
class Found:
    """The config for one folder and why it applies."""

    config: Config
    path: Path | None
    reason: str


def _load_toml(path: Path) -> dict | None:
    """The `[tool.rnnlint]` table, or None when the file has none."""
    if sys.version_info >= (3, 11):
        import tomllib
    else:
        import tomli as tomllib
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read: {exc}") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from None
    table = data.get("tool", {}).get("rnnlint") if isinstance(data.get("tool"), dict) else None
    if table is not None and not isinstance(table, dict):
        raise ConfigError(f"{path}: [tool.rnnlint] must be a table")
    return table


def _load_yaml(path: Path) -> dict:
    import yaml
    try:
        # safe_load only: a config file is data; `!!python/object` tags are refused, never built
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read: {exc}") from None
    except yaml.constructor.ConstructorError as exc:
        problem = " ".join(str(exc.problem).split())
        raise ConfigError(f"{path}: refused: {problem}; rnnlint reads plain YAML data only, "
                          "never Python object tags") from None
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path}: not valid YAML: {' '.join(str(exc).split())}") from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: the top level must be a mapping of settings")
    return data


def read_config_file(path: Path, catalog) -> Config | None:
    """The validated Config in `path`; None for a pyproject.toml without `[tool.rnnlint]`."""
    table = _load_toml(path) if path.name == PYPROJECT else _load_yaml(path)
    if table is None:
        return None
    return parse_table(table, path, catalog)


def _type_name(value: Any) -> str:
    return {bool: "a boolean", int: "an integer", float: "a number", str: "a string",
            list: "a list", dict: "a table"}.get(type(value), type(value).__name__)


class _Parser:
    """Validates one file's settings; every error names the file and the dotted key."""

    def __init__(self, path: Path, catalog) -> None:
        self.path = path
        self.catalog = catalog

    def error(self, key: str, problem: str) -> ConfigError:
        return ConfigError(f"{self.path}: {key}: {problem}")

    def rule(self, key: str, selector: Any, prefix_ok: bool = True) -> str:
        if not isinstance(selector, str):
            raise self.error(key, f"expected a rule code or name, got {_type_name(selector)}")
        found = self.catalog.select(selector) if prefix_ok else [self.catalog.get(selector)]
        if not any(found):
            raise self.error(key, f"unknown rule {selector!r}; `rnnlint rules` lists them")
        return selector

    def strings(self, key: str, value: Any) -> tuple[str, ...]:
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise self.error(key, f"expected a list of strings, got {_type_name(value)}")
        return tuple(value)

    def rules(self, key: str, value: Any) -> tuple[str, ...]:
        return tuple(self.rule(key, item) for item in self.strings(key, value))

    def severity(self, key: str, value: Any) -> Severity:
        if not isinstance(value, str):
            raise self.error(key, f"expected a severity (error, warning, info), got {_type_name(value)}")
        try:
            return Severity.parse(value)
        except ValueError as exc:
            raise self.error(key, str(exc)) from None

    def table(self, key: str, value: Any) -> dict:
        if not isinstance(value, dict):
            raise self.error(key, f"expected a table, got {_type_name(value)}")
        return value

    def threshold_value(self, key: str, default: Any, value: Any) -> Any:
        """`value` checked against the shape of the catalog default; tables merge into it."""
        if isinstance(default, dict):
            merged = dict(default)
            for name, item in self.table(key, value).items():
                if name not in default:
                    raise self.error(f"{key}.{name}", f"unknown entry (known: {', '.join(default)})")
                merged[name] = self.threshold_value(f"{key}.{name}", default[name], item)
            return merged
        number = isinstance(default, (int, float)) and not isinstance(default, bool)
        if number and isinstance(value, (int, float)) and not isinstance(value, bool):
            if isinstance(default, int) and isinstance(value, float):
                raise self.error(key, f"expected an integer, got {value!r}")
            return value
        if type(value) is not type(default):
            raise self.error(key, f"expected {_type_name(default)}, got {_type_name(value)}")
        return value

    def thresholds(self, value: Any) -> dict[str, dict[str, Any]]:
        out: dict[str, dict[str, Any]] = {}
        for rule, settings in self.table("thresholds", value).items():
            key = f"thresholds.{rule}"
            spec = self.catalog.get(self.rule(key, rule, prefix_ok=False))
            for name, item in self.table(key, settings).items():
                if name not in spec.thresholds:
                    known = ", ".join(spec.thresholds) or "none"
                    raise self.error(f"{key}.{name}", f"{spec.code} has no such threshold (known: {known})")
                out.setdefault(spec.code, {})[name] = self.threshold_value(
                    f"{key}.{name}", spec.thresholds[name].default, item)
        return out

    def severities(self, value: Any) -> dict[str, Severity]:
        out = {}
        for rule, level in self.table("severity", value).items():
            spec = self.catalog.get(self.rule(f"severity.{rule}", rule, prefix_ok=False))
            out[spec.code] = self.severity(f"severity.{rule}", level)
        return out

    def per_file_ignores(self, value: Any) -> tuple[tuple[str, tuple[str, ...]], ...]:
        return tuple((pattern, self.rules(f"per-file-ignores.{pattern!r}", selectors))
                     for pattern, selectors in self.table("per-file-ignores", value).items())


def parse_table(table: dict, path: Path, catalog) -> Config:
    parser = _Parser(path, catalog)
    unknown = sorted(set(table) - set(KEYS))
    if unknown:
        raise parser.error(unknown[0], f"unknown key (known keys: {', '.join(KEYS)})")
    settings: dict[str, Any] = {"root": str(path.parent.resolve()), "source": str(path)}
    for key in ("select", "ignore", "extend-select"):
        if key in table:
            settings[key.replace("-", "_")] = parser.rules(key, table[key])
    settings["exclude"] = parser.strings("exclude", table["exclude"]) if "exclude" in table else DEFAULT_EXCLUDE
    if "extend-exclude" in table:
        settings["extend_exclude"] = parser.strings("extend-exclude", table["extend-exclude"])
    if "per-file-ignores" in table:
        settings["per_file_ignores"] = parser.per_file_ignores(table["per-file-ignores"])
    if "fail-on" in table:
        settings["fail_on"] = parser.severity("fail-on", table["fail-on"])
    if "thresholds" in table:
        settings["thresholds"] = parser.thresholds(table["thresholds"])
    if "severity" in table:
        settings["severities"] = parser.severities(table["severity"])
    return Config(**settings)


class ConfigResolver:
    """Config for any file: the nearest config file above it, or the one given with `--config`."""

    def __init__(self, catalog, explicit: str | None = None) -> None:
        self.catalog = catalog
        self._by_dir: dict[Path, Found] = {}
        self._explicit: Found | None = None
        if explicit is not None:
            path = Path(explicit)
            if not path.is_file():
                raise ConfigError(f"{explicit}: --config file not found")
            config = read_config_file(path, catalog)
            if config is None:
                raise ConfigError(f"{explicit}: has no [tool.rnnlint] table")
            self._explicit = Found(config, path, "given with --config")

    def for_path(self, path: str | Path) -> Found:
        """The config governing a file (or, for a folder, what is inside it)."""
        if self._explicit is not None:
            return self._explicit
        target = Path(path).absolute()
        return self.for_dir(target if target.is_dir() else target.parent)

    def for_dir(self, folder: Path) -> Found:
        chain: list[Path] = []
        current: Path | None = folder
        found: Found | None = None
        while current is not None:
            if current in self._by_dir:
                found = self._by_dir[current]
                break
            chain.append(current)
            found = self._read_dir(current)
            if found is not None:
                break
            current = current.parent if current.parent != current else None
        if found is None:
            found = Found(Config(), None, "no .rnnlint.yaml or pyproject.toml with [tool.rnnlint] "
                                          "above it; using the defaults")
        for visited in chain:  # every folder on the way up shares the answer
            self._by_dir[visited] = found
        return found

    def _read_dir(self, folder: Path) -> Found | None:
        for name in (*YAML_NAMES, PYPROJECT):
            candidate = folder / name
            if not candidate.is_file():
                continue
            config = read_config_file(candidate, self.catalog)
            if config is not None:
                where = "[tool.rnnlint] in " if name == PYPROJECT else ""
                return Found(config, candidate, f"{where}the nearest config file above it")
        return None
