"""The catalog snapshot (rnnlint/catalog.json) is current, equal to the YAML, and never wins over it."""

from __future__ import annotations

import shutil

from rnnlint import catalog
from rnnlint.catalog import Catalog, _read_yaml, default_rules_dir, fingerprint, load_catalog, parse_rule


def test_snapshot_is_current():
    assert catalog._read_snapshot(default_rules_dir()) is not None, \
        "rules/ changed: run `python -m rnnlint.catalog` to refresh rnnlint/catalog.json"


def test_snapshot_equals_the_yaml():
    from_yaml = Catalog([parse_rule(data, name) for name, data in _read_yaml(default_rules_dir())])
    assert load_catalog().specs == from_yaml.specs


def test_a_stale_snapshot_is_ignored(tmp_path, monkeypatch):
    rules = tmp_path / "rules"
    shutil.copytree(default_rules_dir(), rules)
    edited = rules / "RNN301-missing-early-stopping.yaml"
    edited.write_text(edited.read_text().replace("default: 20", "default: 33", 1))
    monkeypatch.setattr(catalog, "default_rules_dir", lambda: rules)
    assert catalog._read_snapshot(rules) is None  # fingerprint no longer matches
    spec = load_catalog().get("RNN301")
    assert spec.thresholds["min_epochs"].default == 33
    assert fingerprint(rules) != fingerprint(default_rules_dir())


def test_linting_does_not_import_yaml():
    import subprocess
    import sys
    code = ("import sys; from rnnlint.engine import lint_source; "
            "lint_source('x.py', 'import keras\\nm = keras.Sequential([keras.layers.LSTM(2)])\\n'); "
            "print('yaml' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.stdout.strip() == "False", out.stderr
