"""Inputs for fuzzing the static path, and the one oracle every input must pass.

Shared by the fast fuzz tests (tests/test_fuzz_static.py) and the long run (benchmarks/fuzz_long.py):
mutations of the real fixtures, pathological programs (deep nesting, huge files, self-referential
names, cycles through functions and classes), and random Keras-flavoured scripts drawn from a small
grammar whose few names make self-references and cycles likely.

The oracle: decoding and linting an input in-process either gives a `FileReport` (findings and/or
clear errors) within a time bound, or it is a failure: an exception escaped, or the bound was hit.
The bound is on CPU time (a loaded machine must not turn slow inputs into "hangs"), with a wall-clock
bound ten times longer behind it for anything that blocks.
"""

from __future__ import annotations

import random
import signal
import time
import traceback
from dataclasses import dataclass
from pathlib import Path

from rnnlint.engine import FileReport, lint_source
from rnnlint.source import SourceError, decode

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures"
PRELUDE = "import tensorflow as tf\nfrom tensorflow import keras\nfrom sklearn.preprocessing import StandardScaler\n"


def fixture_files() -> list[Path]:
    """Every Python fixture (static, seed and probe scripts): the mutation seeds."""
    return sorted(FIXTURES.rglob("*.py"))


# -- the oracle ----------------------------------------------------------------------------------
class _Hang(BaseException):
    """Raised by the alarm; a BaseException so that no `except Exception` in rnnlint swallows it."""


@dataclass
class Outcome:
    kind: str  # "findings" | "clean" | "error" (a clear FileError/SourceError) | "crash" | "hang"
    detail: str
    seconds: float

    @property
    def failed(self) -> bool:
        return self.kind in ("crash", "hang")


def _on_alarm(signum, frame):
    raise _Hang()


WALL_FACTOR = 10


def lint_bounded(data: bytes | str, seconds: float = 10.0, path: str = "fuzzed.py") -> Outcome:
    """Decode (bytes) and lint in-process under CPU and wall-clock alarms; never raises.

    `Outcome.seconds` is the CPU time taken."""
    previous = signal.signal(signal.SIGPROF, _on_alarm), signal.signal(signal.SIGALRM, _on_alarm)
    signal.setitimer(signal.ITIMER_PROF, seconds)
    signal.setitimer(signal.ITIMER_REAL, seconds * WALL_FACTOR)
    start = time.process_time()
    try:
        if isinstance(data, bytes):
            decoded = decode(data)
            if isinstance(decoded, SourceError):
                return Outcome("error", decoded.message, time.process_time() - start)
            text = decoded.text
        else:
            text = data
        report: FileReport = lint_source(path, text)
    except _Hang:
        return Outcome("hang", f"no result within {seconds:g} s of CPU time ({seconds * WALL_FACTOR:g} s wall)",
                       time.process_time() - start)
    except BaseException as exc:  # noqa: BLE001 - the oracle reports whatever escaped
        if isinstance(exc, KeyboardInterrupt):
            raise
        return Outcome("crash", "".join(traceback.format_exception(exc))[-3000:], time.process_time() - start)
    finally:
        signal.setitimer(signal.ITIMER_PROF, 0)
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGPROF, previous[0])
        signal.signal(signal.SIGALRM, previous[1])
    elapsed = time.process_time() - start
    if report.errors:
        return Outcome("error", "; ".join(e.message for e in report.errors), elapsed)
    if report.findings:
        return Outcome("findings", ",".join(sorted({f.code for f in report.findings})), elapsed)
    return Outcome("clean", "", elapsed)


# -- mutations of real files -----------------------------------------------------------------------
def delete_lines(data: bytes, rng: random.Random) -> bytes:
    lines = data.splitlines(keepends=True)
    for _ in range(rng.randint(1, max(1, len(lines) // 5))):
        if lines:
            del lines[rng.randrange(len(lines))]
    return b"".join(lines)


def duplicate_lines(data: bytes, rng: random.Random) -> bytes:
    lines = data.splitlines(keepends=True)
    for _ in range(rng.randint(1, 5)):
        if lines:
            i = rng.randrange(len(lines))
            lines.insert(rng.randrange(len(lines) + 1), lines[i])
    return b"".join(lines)


def swap_lines(data: bytes, rng: random.Random) -> bytes:
    lines = data.splitlines(keepends=True)
    if len(lines) > 1:
        i, j = rng.randrange(len(lines)), rng.randrange(len(lines))
        lines[i], lines[j] = lines[j], lines[i]
    return b"".join(lines)


def truncate(data: bytes, rng: random.Random) -> bytes:
    return data[:rng.randrange(len(data) + 1)]


def flip_bytes(data: bytes, rng: random.Random) -> bytes:
    buf = bytearray(data)
    for _ in range(rng.randint(1, 8)):
        if buf:
            buf[rng.randrange(len(buf))] = rng.randrange(256)
    return bytes(buf)


def insert_bytes(data: bytes, rng: random.Random) -> bytes:
    junk = bytes(rng.randrange(256) for _ in range(rng.randint(1, 16)))
    at = rng.randrange(len(data) + 1)
    return data[:at] + junk + data[at:]


def flip_ascii(data: bytes, rng: random.Random) -> bytes:
    """Replace characters with syntax-significant ones: likelier to parse into something odd."""
    buf = bytearray(data)
    for _ in range(rng.randint(1, 6)):
        if buf:
            buf[rng.randrange(len(buf))] = ord(rng.choice("()[]{}:=,.+*\\'\"#@\t\n x0"))
    return bytes(buf)


def utf8_bom(data: bytes, rng: random.Random) -> bytes:
    return b"\xef\xbb\xbf" + data


def bom_with_contradicting_cookie(data: bytes, rng: random.Random) -> bytes:
    return b"\xef\xbb\xbf# -*- coding: latin-1 -*-\n" + data


def latin1_with_cookie(data: bytes, rng: random.Random) -> bytes:
    text = data.decode("utf-8", "replace") + "\n# caf\u00e9 \u00b5s\n"
    return ("# -*- coding: latin-1 -*-\n" + text).encode("latin-1", "replace")


def latin1_without_cookie(data: bytes, rng: random.Random) -> bytes:
    return (data.decode("utf-8", "replace") + "\nname = 'caf\u00e9'\n").encode("latin-1", "replace")


def mixed_encodings(data: bytes, rng: random.Random) -> bytes:
    half = len(data) // 2
    return data[:half] + "# \u00e9t\u00e9 \u00fc\n".encode("latin-1") + "# \u00e9t\u00e9\n".encode() + data[half:]


def utf16(data: bytes, rng: random.Random) -> bytes:
    return data.decode("utf-8", "replace").encode(rng.choice(["utf-16", "utf-16-le", "utf-32"]))


def unknown_cookie(data: bytes, rng: random.Random) -> bytes:
    return b"# -*- coding: klingon -*-\n" + data


def crlf(data: bytes, rng: random.Random) -> bytes:
    return data.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")


def cr_only(data: bytes, rng: random.Random) -> bytes:
    return data.replace(b"\r\n", b"\n").replace(b"\n", b"\r")


def mixed_newlines(data: bytes, rng: random.Random) -> bytes:
    lines = data.replace(b"\r\n", b"\n").split(b"\n")
    return b"".join(line + rng.choice([b"\n", b"\r\n", b"\r"]) for line in lines)


def tabs(data: bytes, rng: random.Random) -> bytes:
    out = []
    for line in data.splitlines(keepends=True):
        stripped = line.lstrip(b" ")
        depth = (len(line) - len(stripped)) // 4
        out.append(rng.choice([b"\t" * depth, b"\t" * (depth // 2) + b"    " * (depth - depth // 2)]) + stripped)
    return b"".join(out)


def form_feeds_and_controls(data: bytes, rng: random.Random) -> bytes:
    lines = data.splitlines(keepends=True)
    for _ in range(3):
        if lines:
            i = rng.randrange(len(lines))
            lines[i] = rng.choice([b"\x0c", b"\x0b", b"\x1b", b"\xe2\x80\xa8"]) + lines[i]
    return b"".join(lines)


def long_line(data: bytes, rng: random.Random) -> bytes:
    """A very long line. Comments and strings are cheap at any width; expressions cost libcst about
    0.1 ms per node, so they stay at 10,000 characters (throughput is measured separately)."""
    width = rng.choice([10_000, 100_000, 1_000_000])
    line = rng.choice([
        b"x = " + b"1 + " * 2_500 + b"1\n",
        b"# " + b"a" * width + b"\n",
        b"s = '" + b"z" * width + b"'\n",
        b"lr = [" + b"0.1, " * 2_000 + b"]\n",
    ])
    lines = data.splitlines(keepends=True)
    lines.insert(rng.randrange(len(lines) + 1), line)
    return b"".join(lines)


def deep_nesting(data: bytes, rng: random.Random) -> bytes:
    depth = rng.choice([100, 500, 1000, 3000])
    lines = data.splitlines(keepends=True)
    lines.insert(rng.randrange(len(lines) + 1), nested_expression(rng.choice(NESTINGS), depth).encode() + b"\n")
    return b"".join(lines)


def self_references(data: bytes, rng: random.Random) -> bytes:
    """Re-bind names the file already uses to themselves: the cycles name resolution must survive."""
    text = data.decode("utf-8", "replace")
    names = sorted({w for w in ("model", "opt", "optimizer", "lr", "x", "X_train", "scaler", "callbacks", "history")
                    if w in text}) or ["model"]
    name = rng.choice(names)
    snippet = rng.choice([
        f"{name} = {name}\n",
        f"for _i in range(3):\n    {name} = {name}\n    {name} = f({name})\n",
        f"{name} = [{name}, {name}]\n",
        f"{name}.{name} = {name}\n",
        f"{name} += {name}\n",
    ])
    lines = text.splitlines(keepends=True)
    lines.insert(rng.randrange(len(lines) + 1), snippet)
    return "".join(lines).encode()


def ipython_magics(data: bytes, rng: random.Random) -> bytes:
    """Lines a Colab or Jupyter export keeps, which the engine masks and parses again."""
    lines = data.splitlines(keepends=True)
    for _ in range(rng.randint(1, 3)):
        lines.insert(rng.randrange(len(lines) + 1), rng.choice(
            [b"!pip install tensorflow\n", b"%matplotlib inline\n", b"%%time\n", b"df?\n", b"!ls | head\n"]))
    return b"".join(lines)


MUTATORS = (
    ipython_magics, delete_lines, duplicate_lines, swap_lines, truncate, flip_bytes, insert_bytes, flip_ascii,
    utf8_bom, bom_with_contradicting_cookie, latin1_with_cookie, latin1_without_cookie,
    mixed_encodings, utf16, unknown_cookie, crlf, cr_only, mixed_newlines, tabs,
    form_feeds_and_controls, long_line, deep_nesting, self_references,
)


def mutate(data: bytes, rng: random.Random, rounds: int | None = None) -> tuple[bytes, list[str]]:
    applied = []
    for _ in range(rounds or rng.randint(1, 3)):
        mutator = rng.choice(MUTATORS)
        data = mutator(data, rng)
        applied.append(mutator.__name__)
    return data, applied


# -- pathological programs ---------------------------------------------------------------------------
NESTINGS = ("paren", "list", "call", "dict", "subscript", "unary", "binop", "attribute", "lambda", "tuple")


def nested_expression(kind: str, depth: int) -> str:
    if kind == "paren":
        return "lr = " + "(" * depth + "0.1" + ")" * depth
    if kind == "list":
        return "layers = " + "[" * depth + "1" + "]" * depth
    if kind == "call":
        return "model = " + "f(" * depth + "model" + ")" * depth
    if kind == "dict":
        return "cfg = " + "{'a': " * depth + "1" + "}" * depth
    if kind == "subscript":
        return "x = x" + "[0]" * depth
    if kind == "unary":
        return "lr = " + "-" * depth + "1"
    if kind == "binop":
        return "lr = " + " + ".join(["lr"] * depth)
    if kind == "attribute":
        return "model = model" + ".a" * depth
    if kind == "lambda":
        return "f = " + "lambda: " * depth + "1"
    return "t = " + "(1, " * depth + "1" + ")" * depth


def deep_blocks(depth: int) -> str:
    """`depth` nested if/for/while/def blocks with Keras code at the bottom."""
    out, indent = [PRELUDE], ""
    for i in range(depth):
        out.append(indent + ["if x:", f"for i{i} in range(2):", "while x:", f"def f{i}(model):",
                             "with x:", "try:"][i % 6] + "\n")
        if i % 6 == 5:
            out.append(indent + "    pass\n" + indent + "except Exception:\n")
        indent += " "
    out.append(indent + "model = keras.Sequential([keras.layers.LSTM(4)])\n")
    out.append(indent + "model.compile(optimizer='sgd', loss='mse')\n")
    out.append(indent + "model.fit(x, y, epochs=100)\n")
    return "".join(out)


def big_file(lines: int) -> str:
    """A realistic training script repeated to `lines` lines (one script ~30 lines)."""
    block = (
        "model_{i} = keras.Sequential([keras.layers.LSTM(32, input_shape=(100, 3)), keras.layers.Dense(1)])\n"
        "opt_{i} = keras.optimizers.SGD(learning_rate=0.5)\n"
        "model_{i}.compile(optimizer=opt_{i}, loss='mse')\n"
        "scaler_{i} = StandardScaler()\n"
        "X_{i} = scaler_{i}.fit_transform(X_test)\n"
        "for fold in range(3):\n"
        "    model_{i}.fit(X_{i}, y, epochs=100, callbacks=[keras.callbacks.EarlyStopping()])\n"
        "def build_{i}(units=8):\n"
        "    m = keras.Sequential([keras.layers.GRU(units)])\n"
        "    return m\n"
    )
    out = [PRELUDE]
    count = 3
    i = 0
    while count < lines:
        out.append(block.format(i=i))
        count += 10
        i += 1
    return "".join(out)


def pathological_programs() -> dict[str, str]:
    """Named programs that stress recursion, cycles and size in name resolution and the facts pass."""
    p = PRELUDE
    programs = {
        "self_assign": p + "a = a\nx = f(x)\nmodel = model\nmodel.fit(model, epochs=model)\n",
        "self_assign_chain_in_loop": p + "model = keras.Sequential([keras.layers.LSTM(4)])\nfor i in range(9):\n"
        + "    model = model\n" * 12 + "    model.compile(optimizer='adam', loss='mse')\n    model.fit(x, y, epochs=5)\n",
        "call_chain_in_loop": p + "x = 1\nfor i in range(9):\n" + "    x = f(x)\n" * 12
        + "    opt = keras.optimizers.Adam(learning_rate=x)\n",
        "doubling_lr_in_loop": p + "lr = 0.1\nfor i in range(3):\n" + "    lr = lr + lr\n" * 30
        + "opt = keras.optimizers.SGD(learning_rate=lr)\n",
        "mutual_recursion_models": p + "def f():\n    return g()\ndef g():\n    return f()\n"
        "model = f()\nmodel.compile(optimizer=f(), loss='mse')\nmodel.fit(x, y, epochs=5, callbacks=f())\n",
        "mutual_recursion_params": p + "def f(m):\n    return g(m)\ndef g(m):\n    return f(m)\n"
        "model = f(keras.Sequential([keras.layers.LSTM(4)]))\nmodel.compile(optimizer=g('adam'), loss='mse')\n"
        "model.fit(x, y, epochs=5)\n",
        "self_recursive_builder": p + "def build(n):\n    if n:\n        return build(n - 1)\n"
        "    return keras.Sequential([keras.layers.LSTM(4)])\nmodel = build(3)\nmodel.compile(optimizer='adam', loss='mse')\n"
        "model.fit(x, y, epochs=5)\n",
        "clone_in_loop": p + "from tensorflow.keras.models import clone_model\nmodel = keras.Sequential([keras.layers.LSTM(4)])\n"
        "for i in range(5):\n    model = clone_model(model)\n    model = clone_model(model)\n"
        "    model.compile(optimizer='adam', loss='mse')\n    model.fit(x, y, epochs=5)\n",
        "class_cycle_through_alias": p + "class A(B):\n    pass\nclass B(C):\n    pass\nC = A\nclass D(D):\n    pass\n"
        "class E(keras.Model, E):\n    def call(self, x):\n        return self.call(x)\n"
        "model = A()\nmodel2 = D()\nmodel3 = E()\nmodel3.compile(optimizer='adam', loss='mse')\nmodel3.fit(x, y, epochs=3)\n",
        "class_mutual_bases": p + "class A(keras.Model, B):\n    def call(self, x):\n        return B()(x)\n"
        "class B(keras.Model, A):\n    def call(self, x):\n        return A()(x)\nm = A()\nm.compile(optimizer='adam', loss='mse')\nm.fit(x, y)\n",
        "functional_cycle": p + "x = keras.Input(shape=(3, 1))\nh = keras.layers.LSTM(4)(h)\ny = keras.layers.Dense(1)(h)\n"
        "h = keras.layers.Dense(1)(y)\nmodel = keras.Model(x, h)\nmodel.compile(optimizer='adam', loss='mse')\nmodel.fit(a, b)\n",
        "callbacks_self_append": p + "cb = [keras.callbacks.EarlyStopping()]\ncb += cb\ncb.append(cb)\ncb.extend(cb)\n"
        "for i in range(3):\n    cb = cb + cb\n    cb += cb\nm = keras.Sequential([keras.layers.LSTM(4)])\n"
        "m.compile(optimizer='adam', loss='mse')\nm.fit(x, y, callbacks=cb, epochs=10)\n",
        "config_dict_self": p + "CONFIG = {'lr': 0.1}\nCONFIG['lr'] = CONFIG['lr']\nCONFIG = CONFIG\nfor k in CONFIG:\n"
        "    CONFIG[k] = CONFIG[k] * 2\nopt = keras.optimizers.SGD(learning_rate=CONFIG['lr'])\n",
        "attribute_self": p + "class Cfg:\n    lr = Cfg.lr\ncfg = Cfg()\ncfg.lr = cfg.lr\ncfg = cfg\n"
        "opt = keras.optimizers.Adam(learning_rate=cfg.lr)\nargs = args\nopt2 = keras.optimizers.Adam(learning_rate=args.lr)\n",
        "param_self_default": p + "def train(model=model, lr=lr):\n    model.compile(optimizer=keras.optimizers.SGD(lr), loss='mse')\n"
        "    model.fit(x, y, epochs=lr)\n    return train(model, lr)\ntrain(train(), train)\n",
        "scaler_cycle": p + "s = StandardScaler()\ns = s.fit(s)\nX = s.fit_transform(X)\nX = X[X]\nX_train, X_test = X_test, X_train\n"
        "model = keras.Sequential([keras.layers.LSTM(4)])\nmodel.fit(X_train, X_test, validation_data=(X_test, X_train))\n",
        "unpack_self": p + "a, b = b, a\n(a, (b, c)), d = d, ((a, b), c)\nfor a, b in zip(b, a):\n    a, b = b, a\n"
        "opt = keras.optimizers.Adam(learning_rate=a)\n",
        "pathological_scopes": p + "def f():\n    global model\n    model = model\n    def g():\n        nonlocal_model = model\n"
        "        class K:\n            model = model\n            def h(self):\n                return self.model\n"
        "        return K().h()\n    return g()\nmodel = f()\nmodel.fit(x, y, epochs=3)\n",
        "walrus_and_comprehensions": p + "model = [model := keras.Sequential([keras.layers.LSTM(4)]) for model in model]\n"
        "ms = [m for m in ms for ms in m]\nmodel.compile(optimizer=(opt := opt), loss='mse')\nmodel.fit(x, y)\n",
        "deep_blocks_90": deep_blocks(90),
        "many_functions_diamond": p + "".join(
            f"def f{i}():\n    if x:\n        return f{i + 1}()\n    return f{i + 1}()\n" for i in range(40))
        + "def f40():\n    return keras.Sequential([keras.layers.LSTM(4)])\n"
        "model = f0()\nmodel.compile(optimizer=f0(), loss='mse')\nmodel.fit(x, y, epochs=9, callbacks=f0())\n",
        "many_params_chain": p + "".join(f"def f{i}(m):\n    return f{i + 1}(m)\n" for i in range(60))
        + "def f60(m):\n    return m\nmodel = f0(keras.Sequential([keras.layers.LSTM(4)]))\nmodel.fit(x, y, epochs=9)\n",
        "loop_carried_optimizer": p + "opt = 'adam'\nfor lr in [0.1, 0.01]:\n" + "    opt = keras.optimizers.Adam(opt)\n" * 10
        + "    m = keras.Sequential([keras.layers.LSTM(4)])\n    m.compile(optimizer=opt, loss='mse')\n    m.fit(x, y)\n",
    }
    for kind in NESTINGS:
        for depth in (500, 5000):
            programs[f"nested_{kind}_{depth}"] = p + nested_expression(kind, depth) + "\nmodel.fit(x, epochs=lr)\n"
        programs[f"magic_then_nested_{kind}_5000"] = "!pip install keras\n" + p + nested_expression(kind, 5000) + "\n"
    return programs


# -- random Keras-flavoured scripts -------------------------------------------------------------------
NAMES = ("model", "opt", "lr", "x", "cb", "scaler", "f", "g", "a", "cfg")
LAYERS = ("LSTM", "GRU", "SimpleRNN", "Dense", "Bidirectional", "Dropout", "Input", "TimeDistributed")


LEAVES = {
    "name": NAMES,
    "number": ("0", "1", "0.5", "1e-3", "100", "-1", "2**70", "1e308*10"),
    "string": ("'adam'", "'sgd'", "'mse'", "'relu'", "'val_loss'", "'config.json'"),
}
TEMPLATES = {
    "layer": tuple(f"keras.layers.{layer}(@, activation=@)" for layer in LAYERS),
    "model": ("keras.Sequential([@, @])", "keras.Model(@, @)", "keras.models.load_model(@)"),
    "optimizer": tuple(f"keras.optimizers.{name}(learning_rate=@, clipnorm=@)" for name in ("SGD", "Adam", "RMSprop")),
    "call": ("$(@)",),
    "binop": tuple(f"(@ {op} @)" for op in "+-*/%"),
    "list": ("[@, @]",),
    "attr": ("$.$",),
    "subscript": ("$[@]",),
    "callbacks": ("[keras.callbacks.EarlyStopping(monitor=@), @]",),
    "scaler": ("StandardScaler()",),
    "dict": ("{'lr': @, @: @}",),
    "clone": ("keras.models.clone_model(@)",),
    "ifexp": ("(@ if @ else @)",),
}


class ScriptGrammar:
    """Random scripts over few names, so that cycles and self-references are the common case."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng

    def name(self) -> str:
        return self.rng.choice(NAMES)

    def expr(self, depth: int = 0) -> str:
        """A random expression: each `@` of a template is a sub-expression, each `$` a name."""
        r = self.rng
        kinds = list(LEAVES) * 4 + (list(TEMPLATES) if depth < 4 else [])
        kind = r.choice(kinds)
        if kind in LEAVES:
            return r.choice(LEAVES[kind])
        template = r.choice(TEMPLATES[kind])
        parts = []
        for char in template:
            parts.append(self.expr(depth + 1) if char == "@" else self.name() if char == "$" else char)
        return "".join(parts)

    def statement(self, indent: str, depth: int) -> list[str]:
        r = self.rng
        kinds = ["assign"] * 4 + ["compile", "fit", "method", "augassign", "item", "attrassign", "unpack"]
        if depth < 3:
            kinds += ["for", "def", "class", "while", "if"]
        kind = r.choice(kinds)
        n, e = self.name, self.expr
        if kind == "assign":
            return [f"{indent}{n()} = {e()}"]
        if kind == "compile":
            return [f"{indent}{n()}.compile(optimizer={e()}, loss={e()}, metrics=[{e()}])"]
        if kind == "fit":
            return [f"{indent}{n()}.fit({e()}, {e()}, epochs={e()}, callbacks={e()}, "
                    f"validation_split={e()}, shuffle={e()})"]
        if kind == "method":
            return [f"{indent}{n()}.{r.choice(['add', 'append', 'fit_transform', 'transform', 'adapt', 'extend'])}({e()})"]
        if kind == "augassign":
            return [f"{indent}{n()} += {e()}"]
        if kind == "item":
            return [f"{indent}{n()}[{e()}] = {e()}"]
        if kind == "attrassign":
            return [f"{indent}{n()}.{r.choice(['lr', 'learning_rate', 'optimizer', n()])} = {e()}"]
        if kind == "unpack":
            return [f"{indent}{n()}, {n()} = {e()}, {e()}"]
        inner = indent + "    "
        body = []
        for _ in range(r.randint(1, 4)):
            body += self.statement(inner, depth + 1)
        if kind == "for":
            return [f"{indent}for {n()} in {e()}:", *body]
        if kind == "while":
            return [f"{indent}while {e()}:", *body]
        if kind == "if":
            return [f"{indent}if {e()}:", *body, f"{indent}else:", *self.statement(inner, depth + 1)]
        if kind == "def":
            params = ", ".join(dict.fromkeys(n() for _ in range(r.randint(0, 3))))
            return [f"{indent}def {n()}({params}):", *body, f"{inner}return {e()}"]
        bases = ", ".join([r.choice(["keras.Model", "keras.layers.Layer", "keras.callbacks.EarlyStopping"]), n()][:r.randint(0, 2)])
        return [f"{indent}class {n()}({bases}):", f"{inner}def call(self, x):", f"{inner}    return {e()}",
                f"{inner}def __init__(self):", f"{inner}    self.{n()} = {e()}"]

    def script(self, statements: int | None = None) -> str:
        lines = [PRELUDE.rstrip("\n")]
        for _ in range(statements or self.rng.randint(3, 30)):
            lines += self.statement("", 0)
        return "\n".join(lines) + "\n"
