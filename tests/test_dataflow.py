"""Tables for the data-flow queries: where `fit`'s input comes from, and which role a scaler's data has."""

from __future__ import annotations

import textwrap

import pytest

from rnnlint.facts.collect import ScriptFacts
from rnnlint.facts.dataflow import DataFlow, role_from_name

HEADER = "import numpy as np\nimport pandas as pd\nimport tensorflow as tf\n" \
         "from sklearn.model_selection import train_test_split, KFold\nfrom sklearn.preprocessing import StandardScaler\n"

# (name, program ending in `probe(EXPR)`, the set of origin kinds of EXPR)
ORIGINS = [
    ("csv column", "df = pd.read_csv('a.csv')\nX = df['Close'].values\nprobe(X)", {"raw"}),
    ("reshape chain", "X = np.load('x.npy').reshape(-1, 10, 1)\nprobe(X)", {"raw"}),
    ("scaled by sklearn", "X = pd.read_csv('a.csv').values\nX = StandardScaler().fit_transform(X)\nprobe(X)", {"scaled"}),
    ("divided", "X = np.load('x.npy')\nX = X / X.max()\nprobe(X)", {"scaled"}),
    ("divided in place", "X = np.load('x.npy')\nX /= 255.0\nprobe(X)", {"scaled"}),
    ("standardised by hand", "X = np.load('x.npy')\nX = (X - X.mean(0)) / X.std(0)\nprobe(X)", {"scaled"}),
    ("keras normalize", "X = np.load('x.npy')\nprobe(tf.keras.utils.normalize(X))", {"scaled"}),
    ("log transform", "X = np.log1p(np.load('x.npy'))\nprobe(X)", {"scaled"}),
    ("synthetic", "X = np.random.rand(10, 5, 1)\nprobe(X)", {"synthetic"}),
    ("train_test_split output", "X = np.load('x.npy')\ny = np.load('y.npy')\n"
     "X_tr, X_te, y_tr, y_te = train_test_split(X, y)\nprobe(X_tr)", {"raw"}),
    ("windowing helper", "def windows(s, n=5):\n    xs, ys = [], []\n    for i in range(len(s) - n):\n"
     "        xs.append(s[i:i + n])\n        ys.append(s[i + n])\n    return np.array(xs), np.array(ys)\n"
     "X, y = windows(pd.read_csv('a.csv').values)\nprobe(X)", {"raw"}),
    ("mnist", "(x_train, y_train), (x_test, y_test) = tf.keras.datasets.mnist.load_data()\nprobe(x_train)", {"raw"}),
    ("imdb token ids", "(x_train, y_train), _ = tf.keras.datasets.imdb.load_data()\nprobe(x_train)", {"tokens"}),
    ("tf.data pipeline", "X = np.load('x.npy')\ny = np.load('y.npy')\n"
     "ds = tf.data.Dataset.from_tensor_slices((X, y)).shuffle(100).batch(32)\nprobe(ds)", {"raw"}),
    ("timeseries dataset", "d = pd.read_csv('a.csv').values\n"
     "ds = tf.keras.utils.timeseries_dataset_from_array(d, None, sequence_length=10)\nprobe(ds)", {"raw"}),
    ("imported helper is unknown", "from mydata import load\nX = load()\nprobe(X)", {"unknown"}),
    ("parameter of an uncalled function", "def f(X):\n    probe(X)", {"unknown"}),
]


def _facts(program: str):
    facts = ScriptFacts.parse(HEADER + textwrap.dedent(program) + "\n")
    site = [s for s in facts.index.calls if s.func_dotted == "probe"][-1]
    return facts, DataFlow(facts), site


@pytest.mark.parametrize("name, program, kinds", ORIGINS, ids=[o[0] for o in ORIGINS])
def test_origins(name, program, kinds):
    facts, flow, site = _facts(program)
    origins = flow.trace_origins(site.node.args[0], site.scope, site.order)
    assert {o.kind for o in origins} == kinds


# (name, program ending in `probe(EXPR)`, the role of EXPR or None)
ROLES = [
    ("train_test_split train part", "X = np.load('x')\nX_train, X_test = train_test_split(X)\nprobe(X_train)", "train"),
    ("train_test_split test part", "X = np.load('x')\na, b = train_test_split(X)\nprobe(b)", "test"),
    ("x/y pairs", "X, y = np.load('x'), np.load('y')\nXa, Xb, ya, yb = train_test_split(X, y)\nprobe(yb)", "test"),
    ("nested validation split", "X = np.load('x')\nX_tr, X_te = train_test_split(X)\n"
     "X_tr, X_val = train_test_split(X_tr)\nprobe(X_val)", "validation"),
    ("row slice pair, head", "d = np.load('x')\nn = int(len(d) * 0.8)\ntrain, test = d[:n], d[n:]\nprobe(train)", "train"),
    ("row slice pair, tail", "d = np.load('x')\nn = int(len(d) * 0.8)\ntrain, rest = d[:n], d[n:]\nprobe(rest)", "test"),
    ("shifted targets are not a split", "d = np.load('x')\nx, y = d[:-1], d[1:]\nprobe(y)", None),
    ("column selection is not a split", "d = np.load('x')\nf = d[:, 0]\nprobe(f)", None),
    ("whole dataset split later", "d = np.load('x')\nprobe(d)\nn = 100\ntrain, test = d[:n], d[n:]", "whole"),
    ("whole dataset, split after scaling", "d = np.load('x')\nprobe(d)\ns = StandardScaler().fit_transform(d)\n"
     "a, b = train_test_split(s)", "whole"),
    ("never split", "d = np.load('x')\nprobe(d)", None),
    ("cross-validation fold", "X = np.load('x')\nfor tr, te in KFold(5).split(X):\n    probe(X[te])", "test"),
    ("enumerated folds", "X = np.load('x')\nfor i, (tr, te) in enumerate(KFold(5).split(X)):\n    probe(X[tr])", "train"),
    ("explicit bounds: 0 and len(x) are open ends",
     "d = np.load('x')\nk = 100\nprobe(d)\ntr, te = d[0:k, :], d[k:len(d), :]", "whole"),
    ("tail with a look-back offset continues the head",
     "d = np.load('x')\nk = 100\na = d[0:k, :]\nb = d[k - 60:, :]\nprobe(b)", "test"),
    ("three-way split: the middle is validation",
     "df = pd.read_csv('a')\nn = len(df)\ntr = df[0:int(n*0.7)]\nva = df[int(n*0.7):int(n*0.9)]\n"
     "te = df[int(n*0.9):]\nprobe(va)", "validation"),
    ("a row subset is not the whole dataset",
     "X = np.load('x')\nk = 10\nrows = np.arange(k)\nprobe(X[rows])\na, b = X[:k], X[k:]", None),
    ("a column pick of a split dataset is still the whole",
     "df = pd.read_csv('a')\nprobe(df[['a', 'b']])\nk = 5\ntr, te = df[:k], df[k:]", "whole"),
    ("test by name", "X_test = np.load('x_test.npy')\nprobe(X_test)", "test"),
    ("load_data test part", "(a, b), (c, d) = tf.keras.datasets.mnist.load_data()\nprobe(c)", "test"),
]


@pytest.mark.parametrize("name, program, role", ROLES, ids=[r[0] for r in ROLES])
def test_roles(name, program, role):
    facts, flow, site = _facts(program)
    found = flow.role_of(site.node.args[0], site.scope, site.order)
    assert (found.role if found else None) == role


@pytest.mark.parametrize("name, role", [
    ("X_test", "test"), ("x_val", "validation"), ("XTest", "test"), ("valid_ds", "validation"),
    ("X_train", "train"), ("x_tr", "train"), ("data", None), ("testimonials", None),
    ("interval", None), ("X_test2", "test"), ("evaluation", None), ("X_eval", "validation"),
])
def test_role_from_name(name, role):
    assert role_from_name(name) == role


def test_first_layer_of_nested_functional_calls():
    """`Dense(..)(GRU(..)(Embedding(..)(x)))` lists the outermost call first in the source."""
    program = ("from tensorflow.keras import layers\nimport tensorflow as tf\ninp = layers.Input(shape=(100,))\n"
               "out = layers.Dense(1)(layers.GRU(8)(layers.Embedding(500, 16)(inp)))\nm = tf.keras.Model(inp, out)\n")
    facts = ScriptFacts.parse(program)
    [model] = facts.models
    assert model.first_layer.kind == "Embedding"
