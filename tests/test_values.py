"""One table for value resolution: what resolves, to which value, and what stays unknown."""

from __future__ import annotations

import json
import textwrap

import pytest

from rnnlint.facts.collect import ScriptFacts
from rnnlint.facts.values import UNKNOWN, Resolved

# Each program ends with `probe(EXPR)`; the table gives the value EXPR resolves to (UNKNOWN: none).
CASES = [
    ("literal", "probe(0.5)", 0.5),
    ("negative and arithmetic", "probe(-1e-3 * 10)", -0.01),
    ("module constant", "LR = 3e-4\nprobe(LR)", 3e-4),
    ("function constant", "def f():\n    lr = 0.1\n    probe(lr)\nf()", 0.1),
    ("reassigned: last before use", "LR = 1\nLR = 2\nprobe(LR)", 2),
    ("dict subscript", 'CONFIG = {"lr": 0.02, "epochs": 50}\nprobe(CONFIG["lr"])', 0.02),
    ("nested dict", 'C = {"opt": {"lr": 0.7}}\nprobe(C["opt"]["lr"])', 0.7),
    ("dict item assigned later", 'C = {"lr": 1}\nC["lr"] = 5\nprobe(C["lr"])', 5),
    ("list subscript", "RATES = [0.1, 0.2]\nprobe(RATES[1])", 0.2),
    ("dict() call", "C = dict(lr=0.3)\nprobe(C['lr'])", 0.3),
    ("tuple unpacking", "a, b = 1, 2\nprobe(b)", 2),
    ("parameter default, never called", "def build(lr=0.004):\n    probe(lr)", 0.004),
    ("parameter, called once with keyword", "def build(lr=0.004):\n    probe(lr)\nbuild(lr=0.9)", 0.9),
    ("parameter, called once positionally", "def build(units, lr=0.004):\n    probe(lr)\nbuild(32, 0.8)", 0.8),
    ("parameter, called twice the same", "def b(lr=1):\n    probe(lr)\nb(lr=3)\nb(lr=3)", 3),
    ("parameter, called twice differently", "def b(lr=1):\n    probe(lr)\nb(lr=3)\nb(lr=4)", UNKNOWN),
    ("parameter without default, not called", "def b(lr):\n    probe(lr)", UNKNOWN),
    ("method parameter: the receiver is not an argument",
     "class T:\n    def m(self, lr=1):\n        probe(lr)\n    def run(self):\n        self.m(0.5)", 0.5),
    ("the receiver itself: unknown, even at a call with no arguments",
     "class T:\n    def m(self):\n        probe(self)\n    def run(self):\n        self.m()", UNKNOWN),
    ("keyword-only parameter is not taken by position", "def b(*xs, lr=0.1):\n    probe(lr)\nb(5, 6)", 0.1),
    ("a call unpacking *args: unknown", "def b(a, lr=0.1):\n    probe(lr)\nb(*parts)", UNKNOWN),
    ("a call unpacking **kwargs: unknown", "def b(lr=0.1):\n    probe(lr)\nb(**cfg)", UNKNOWN),
    ("positions after *args: unknown", "def b(a, lr=0.1):\n    probe(lr)\nb(*parts, 0.9)", UNKNOWN),
    ("argparse default",
     "import argparse\np = argparse.ArgumentParser()\np.add_argument('--learning-rate', type=float, default=0.05)\n"
     "args = p.parse_args()\nprobe(args.learning_rate)", 0.05),
    ("argparse string default with type",
     "import argparse\np = argparse.ArgumentParser()\np.add_argument('--lr', type=float, default='0.5')\n"
     "args = p.parse_args()\nprobe(args.lr)", 0.5),
    ("argparse dest",
     "import argparse\np = argparse.ArgumentParser()\np.add_argument('-l', dest='rate', default=2)\n"
     "args = p.parse_args()\nprobe(args.rate)", 2),
    ("argparse without default", "import argparse\np = argparse.ArgumentParser()\n"
     "p.add_argument('--lr', type=float)\nargs = p.parse_args()\nprobe(args.lr)", UNKNOWN),
    ("class attribute", "class Config:\n    LR = 0.01\nprobe(Config.LR)", 0.01),
    ("instance of a config class", "class Config:\n    lr = 0.02\ncfg = Config()\nprobe(cfg.lr)", 0.02),
    ("float() of a string", "probe(float('1e-3'))", 1e-3),
    ("environment: never guessed", "import os\nprobe(float(os.environ.get('LR', '0.1')))", UNKNOWN),
    ("function result: unknown", "probe(compute_lr())", UNKNOWN),
    ("loop variable over several values", "for lr in [0.1, 0.2]:\n    probe(lr)", UNKNOWN),
    ("augmented assignment: unknown", "lr = 0.1\nlr *= 2\nprobe(lr)", UNKNOWN),
    ("f-string: unknown", "probe(f'{x}')", UNKNOWN),
    ("huge power is not computed", "probe(10 ** 100000)", UNKNOWN),
]


def _resolve(source: str, tmp_path=None):
    facts = ScriptFacts.parse(textwrap.dedent(source) + "\n", tmp_path)
    site = [s for s in facts.index.calls if s.func_dotted == "probe"][-1]
    return facts.resolver.value(site.node.args[0], site.scope, site.order), facts, site


@pytest.mark.parametrize("name, source, expected", CASES, ids=[c[0] for c in CASES])
def test_value(name, source, expected):
    value, _, _ = _resolve(source)
    if expected is UNKNOWN:
        assert value is UNKNOWN
    else:
        assert isinstance(value, Resolved) and value.plain() == pytest.approx(expected)


def test_loop_candidates():
    facts = ScriptFacts.parse("for lr in [0.1, 0.2]:\n    probe(lr)\n")
    site = facts.index.calls[-1]
    values = facts.resolver.candidates(site.node.args[0], site.scope, site.order)
    assert [v.value for v in values] == [0.1, 0.2]


def test_origin_points_at_the_literal():
    value, facts, _ = _resolve('CONFIG = {"lr": 0.02}\nprobe(CONFIG["lr"])')
    assert facts.segment(value.origin) == "0.02"


@pytest.mark.parametrize("loader, name, text", [
    ("json.load", "config.json", json.dumps({"train": {"lr": 0.25}})),
    ("yaml.safe_load", "config.yaml", "train:\n  lr: 0.25\n"),
])
def test_config_file(tmp_path, loader, name, text):
    (tmp_path / name).write_text(text)
    module = loader.split(".")[0]
    source = f"import {module}\nwith open('{name}') as f:\n    cfg = {loader}(f)\nprobe(cfg['train']['lr'])"
    value, _, _ = _resolve(source, tmp_path)
    assert isinstance(value, Resolved) and value.value == 0.25


def test_config_file_with_python_tag_is_not_loaded(tmp_path):
    (tmp_path / "evil.yaml").write_text("lr: !!python/object/apply:os.system ['touch pwned']\n")
    value, _, _ = _resolve("import yaml\ncfg = yaml.safe_load(open('evil.yaml'))\nprobe(cfg['lr'])", tmp_path)
    assert value is UNKNOWN
    assert not (tmp_path / "pwned").exists()
