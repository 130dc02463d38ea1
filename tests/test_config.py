"""Config files: every key, every validation error (naming the key and the file), safe YAML only."""

from __future__ import annotations

from pathlib import Path

import pytest

from rnnlint.catalog import default_catalog
from rnnlint.config import DEFAULT_EXCLUDE, Config, glob_matches
from rnnlint.configfile import ConfigError, read_config_file
from rnnlint.findings import Severity

CATALOG = default_catalog()


def _toml(tmp_path: Path, body: str) -> Config:
    path = tmp_path / "pyproject.toml"
    path.write_text("[project]\nname = 'x'\n\n" + body)
    return read_config_file(path, CATALOG)


def _yaml(tmp_path: Path, body: str) -> Config:
    path = tmp_path / ".rnnlint.yaml"
    path.write_text(body)
    return read_config_file(path, CATALOG)


def test_every_key_in_toml(tmp_path):
    config = _toml(tmp_path, """
[tool.rnnlint]
select = ["RNN1", "RNN3"]
ignore = ["extreme-learning-rate"]
extend-select = ["RNN003"]
exclude = ["generated"]
extend-exclude = ["notebooks/scratch"]
fail-on = "error"

[tool.rnnlint.per-file-ignores]
"tests/*.py" = ["RNN301"]

[tool.rnnlint.thresholds.RNN301]
min_epochs = 50

[tool.rnnlint.thresholds.extreme-learning-rate.bounds]
adaptive = { min = 1e-7, max = 0.05 }

[tool.rnnlint.severity]
RNN302 = "warning"
missing-gradient-clipping = "error"
""")
    assert config.select == ("RNN1", "RNN3") and config.ignore == ("extreme-learning-rate",)
    assert config.extend_select == ("RNN003",) and config.fail_on is Severity.ERROR
    assert config.exclude == ("generated",) and config.extend_exclude == ("notebooks/scratch",)
    assert config.per_file_ignores == (("tests/*.py", ("RNN301",)),)
    assert config.thresholds["RNN301"] == {"min_epochs": 50}
    bounds = config.thresholds["RNN102"]["bounds"]
    assert bounds["adaptive"] == {"min": 1e-7, "max": 0.05}
    assert bounds["sgd"] == CATALOG.get("RNN102").thresholds["bounds"].default["sgd"]  # merged, not replaced
    assert config.severities == {"RNN302": Severity.WARNING, "RNN101": Severity.ERROR}
    assert config.root == str(tmp_path.resolve()) and config.source.endswith("pyproject.toml")


def test_same_keys_in_yaml(tmp_path):
    config = _yaml(tmp_path, """
select: [RNN3]
per-file-ignores:
  "experiments/**": [missing-early-stopping]
thresholds:
  missing-early-stopping: {min_epochs: 40}
severity: {RNN301: error}
""")
    assert config.select == ("RNN3",) and config.thresholds == {"RNN301": {"min_epochs": 40}}
    assert config.severities == {"RNN301": Severity.ERROR} and config.exclude == DEFAULT_EXCLUDE


def test_pyproject_without_the_table_is_not_a_config(tmp_path):
    assert _toml(tmp_path, "[tool.black]\nline-length = 100\n") is None


def test_empty_yaml_is_the_defaults(tmp_path):
    assert _yaml(tmp_path, "").select == ("ALL",)


ERRORS = [
    ("[tool.rnnlint]\nselct = ['RNN1']\n", "selct", "unknown key"),
    ("[tool.rnnlint]\nselect = ['RNN999']\n", "select", "RNN999"),
    ("[tool.rnnlint]\nignore = 'RNN101'\n", "ignore", "list of strings"),
    ("[tool.rnnlint]\nfail-on = 'fatal'\n", "fail-on", "fatal"),
    ("[tool.rnnlint]\nfail-on = 2\n", "fail-on", "an integer"),
    ("[tool.rnnlint]\nexclude = [1]\n", "exclude", "list of strings"),
    ("[tool.rnnlint.thresholds.RNN301]\nmin_epoch = 50\n", "thresholds.RNN301.min_epoch", "no such threshold"),
    ("[tool.rnnlint.thresholds.RNN301]\nmin_epochs = '50'\n", "thresholds.RNN301.min_epochs", "a string"),
    ("[tool.rnnlint.thresholds.RNN301]\nmin_epochs = 50.5\n", "thresholds.RNN301.min_epochs", "integer"),
    ("[tool.rnnlint.thresholds.RNN999]\nmin_epochs = 50\n", "thresholds.RNN999", "unknown rule"),
    ("[tool.rnnlint.thresholds.RNN3]\nmin_epochs = 50\n", "thresholds.RNN3", "unknown rule"),
    ("[tool.rnnlint.thresholds.RNN102.bounds]\nadaptiv = {min = 1e-7}\n",
     "thresholds.RNN102.bounds.adaptiv", "unknown entry"),
    ("[tool.rnnlint.thresholds.RNN102.bounds]\nadaptive = {min = 'low'}\n",
     "thresholds.RNN102.bounds.adaptive.min", "a string"),
    ("[tool.rnnlint.severity]\nRNN301 = 'fatal'\n", "severity.RNN301", "fatal"),
    ("[tool.rnnlint.severity]\nRNN998 = 'error'\n", "severity.RNN998", "unknown rule"),
    ("[tool.rnnlint.per-file-ignores]\n'tests/*' = ['RNN998']\n", "per-file-ignores", "RNN998"),
    ("[tool.rnnlint]\nper-file-ignores = ['tests/*']\n", "per-file-ignores", "a table"),
    ("[tool.rnnlint\n", "", "not valid TOML"),
]


@pytest.mark.parametrize("body, key, problem", ERRORS, ids=[e[1] or e[2] for e in ERRORS])
def test_errors_name_the_key_and_the_file(tmp_path, body, key, problem):
    with pytest.raises(ConfigError) as caught:
        _toml(tmp_path, body)
    message = str(caught.value)
    assert str(tmp_path / "pyproject.toml") in message and key in message and problem in message


def test_yaml_errors(tmp_path):
    with pytest.raises(ConfigError, match=r"\.rnnlint\.yaml: the top level must be a mapping"):
        _yaml(tmp_path, "- RNN101\n")
    with pytest.raises(ConfigError, match=r"\.rnnlint\.yaml: not valid YAML"):
        _yaml(tmp_path, "select: [RNN1\n")
    with pytest.raises(ConfigError, match=r"\.rnnlint\.yaml: thresholds\.RNN301\.min_epochs: expected an integer"):
        _yaml(tmp_path, "thresholds: {RNN301: {min_epochs: true}}\n")


def test_yaml_python_tags_are_refused_never_built(tmp_path):
    marker = tmp_path / "pwned"
    payload = f'select: !!python/object/apply:os.system ["touch {marker}"]\n'
    with pytest.raises(ConfigError, match="refused.*python/object/apply"):
        _yaml(tmp_path, payload)
    assert not marker.exists()


GLOBS = [
    ("build", "build/lib/train.py", True),
    ("build", "src/build/train.py", True),
    ("build", "src/builder.py", False),
    ("tests/*.py", "tests/test_a.py", True),
    ("tests/*.py", "src/tests/test_a.py", False),
    ("**/test_*.py", "test_a.py", True),
    ("**/test_*.py", "src/test_a.py", True),
    ("experiments/**", "experiments/a/b.py", True),
    ("notebooks/scratch", "notebooks/scratch/x.ipynb", True),
    ("*.ipynb", "analysis/eda.ipynb", True),
]


@pytest.mark.parametrize("pattern, path, matched", GLOBS)
def test_glob_matches(pattern, path, matched):
    assert glob_matches(pattern, path) is matched


def test_per_file_ignores_fold_into_ignore(tmp_path):
    config = Config(per_file_ignores=(("tests/*.py", ("RNN301",)),), root=str(tmp_path))
    assert config.for_file(tmp_path / "tests" / "test_a.py").ignore == ("RNN301",)
    assert config.for_file(tmp_path / "train.py").ignore == ()
