"""RNN206 missing-values-not-handled: which data sources it follows, what silences it, how severe it
is, and how the probe's RNN512 nonfinite-inputs-observed confirms it."""

from __future__ import annotations

import pytest

from rnnlint.catalog import default_catalog
from rnnlint.config import Config
from rnnlint.engine import lint_source
from rnnlint.findings import Finding, Severity, Span
from rnnlint.probe import symptoms
from tests.conftest import FIXTURES

CATALOG = default_catalog()

HEAD = """\
import numpy as np
import pandas as pd
import tensorflow as tf
from sklearn.preprocessing import MinMaxScaler

LOSS = "mse"
"""
TAIL = """
model = tf.keras.Sequential([tf.keras.layers.Input(shape=(4, 1)), tf.keras.layers.LSTM(8), tf.keras.layers.Dense(1)])
model.compile(optimizer=tf.keras.optimizers.Adam(1e-3, clipnorm=1.0), loss=LOSS)
model.fit(X, y, epochs=1)
"""
WINDOWS = """
X = np.stack([values[i:i + 4] for i in range(len(values) - 4)])[..., None]
y = values[4:]
"""

# (name, data preparation, expected severity of RNN206 or None for silent)
CASES = [
    ("read_csv column", 'values = pd.read_csv("a.csv")["v"].values' + WINDOWS, "info"),
    ("through a scaler", 'raw = pd.read_csv("a.csv")[["v"]].to_numpy()\n'
                         'values = MinMaxScaler().fit_transform(raw)[:, 0]' + WINDOWS, "info"),
    ("through a division", 'values = pd.read_csv("a.csv")["v"].values / 100.0' + WINDOWS, "info"),
    ("parquet", 'values = pd.read_parquet("a.parquet")["v"].values' + WINDOWS, "info"),
    ("sql", 'values = pd.read_sql("select v from t", conn)["v"].values' + WINDOWS, "info"),
    ("genfromtxt", 'values = np.genfromtxt("a.csv", delimiter=",")' + WINDOWS, "info"),
    ("only the target from a file", 'X = np.random.rand(10, 4, 1)\ny = pd.read_csv("a.csv")["v"].values', "info"),
    ("na_values makes it a warning", 'values = pd.read_csv("a.csv", na_values=["?"])["v"].values' + WINDOWS,
     "warning"),
    ("np.nan in the script is no sign (the plotting idiom)", 'values = pd.read_csv("a.csv")["v"].values'
     + WINDOWS + 'plot = np.empty_like(values)\nplot[:] = np.nan', "info"),
    ("classification targets are not judged", 'X = np.random.rand(10, 4, 1)\ny = pd.read_csv("a.csv")["label"].values'
     + '\nLOSS = "binary_crossentropy"', None),
    ("to_numeric coerce", 'df = pd.read_csv("a.csv")\ndf["v"] = pd.to_numeric(df["v"], errors="coerce")\n'
                          'values = df["v"].values' + WINDOWS, "warning"),
    ("shift", 'df = pd.read_csv("a.csv")\nvalues = (df["v"] - df["v"].shift(1)).values' + WINDOWS, "warning"),
    # silent: handled somewhere, or no NaN can come from the source, or the source is unknown
    ("dropna on another frame", 'other = pd.read_csv("b.csv").dropna()\n'
                                'values = pd.read_csv("a.csv")["v"].values' + WINDOWS, None),
    ("isnull test", 'df = pd.read_csv("a.csv")\nprint(df.isnull().sum())\nvalues = df["v"].values' + WINDOWS, None),
    ("replace nan", 'values = pd.read_csv("a.csv").replace(np.nan, 0)["v"].values' + WINDOWS, None),
    ("np.isnan mask", 'values = pd.read_csv("a.csv")["v"].values\nvalues = values[~np.isnan(values)]'
     + WINDOWS, None),
    ("ffill", 'values = pd.read_csv("a.csv").ffill()["v"].values' + WINDOWS, None),
    ("imputer", 'from sklearn.impute import KNNImputer\n'
                'values = KNNImputer().fit_transform(pd.read_csv("a.csv")[["v"]])[:, 0]' + WINDOWS, None),
    ("keep_default_na=False", 'values = pd.read_csv("a.csv", keep_default_na=False)["v"].values' + WINDOWS, None),
    ("keep_default_na unknown", 'values = pd.read_csv("a.csv", keep_default_na=FLAG)["v"].values' + WINDOWS, None),
    ("genfromtxt filling_values", 'values = np.genfromtxt("a.csv", filling_values=0.0)' + WINDOWS, None),
    ("loadtxt refuses missing values", 'values = np.loadtxt("a.csv")' + WINDOWS, None),
    ("np.load binary", 'values = np.load("a.npy")' + WINDOWS, None),
    ("synthetic", 'values = np.sin(np.arange(100) / 10.0)' + WINDOWS, None),
    ("imported loader: unknown", 'from data import load\nvalues = load("a.csv")' + WINDOWS, None),
]


@pytest.mark.parametrize("name, prep, expected", CASES, ids=[c[0] for c in CASES])
def test_sources_silencers_and_severity(name, prep, expected):
    text = HEAD + prep + "\n" + TAIL
    found = [f for f in lint_source("t.py", text, Config()).findings if f.code == "RNN206"]
    assert [f.severity.label for f in found] == ([expected] if expected else []), [f.message for f in found]
    if expected:
        assert found[0].span.line == text.splitlines().index("model.fit(X, y, epochs=1)") + 1


def test_the_message_says_which_argument_and_why_it_is_a_warning():
    text = HEAD + 'X = np.random.rand(10, 4, 1)\ny = pd.read_csv("a.csv", na_values=["?"])["v"].values\n' + TAIL
    (finding,) = [f for f in lint_source("t.py", text).findings if f.code == "RNN206"]
    assert "as the targets" in finding.message and "na_values" in finding.message


def test_rnn512_confirms_it_and_a_clean_run_refutes_it():
    static = [Finding("RNN206", "missing-values-not-handled", Severity.INFO, "train.py", Span(9, 1, 9, 5), "msg")]
    nan_inputs = {"input": {"values": 3, "rows": 3, "first": {"row": 21, "timestep": 3, "feature": 0},
                            "kind": "NaN"}, "target": {"values": 0, "rows": 0}, "from": "training arrays"}
    clean_inputs = {"input": {"values": 0, "rows": 0}, "target": {"values": 0, "rows": 0}, "from": "training arrays"}
    from tests.test_probe_symptoms import make_run
    for data, verdict in ((nan_inputs, symptoms.CONFIRMED), (clean_inputs, symptoms.NOT_OBSERVED)):
        assessment = symptoms.assess({"runs": [make_run(nonfinite_inputs=data)], "leak": []},
                                     symptoms.Thresholds(CATALOG))
        (check,) = symptoms.confirm_static(static, assessment, CATALOG)
        assert check.verdict == verdict and check.deciding == ("RNN512 nonfinite-inputs-observed",)


@pytest.mark.slow
@pytest.mark.parametrize("script, verdict", [("train.py", "confirmed"), ("train_interpolated.py", None)])
def test_probe_joins_the_static_finding_on_a_file_with_empty_cells(script, verdict):
    from tests.test_probe_e2e import probe
    exit_code, report = probe(FIXTURES / "probe" / "nan_csv" / script)
    checks = {c["code"]: c for c in report["static"] or []}
    if verdict is None:
        assert "RNN206" not in checks and "RNN512" not in report["confirmed"]
    else:
        assert checks["RNN206"]["verdict"] == verdict and "RNN512" in report["confirmed"] and exit_code == 1
