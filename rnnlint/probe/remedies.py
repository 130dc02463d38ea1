"""`--what-if` in the child: replay a probed fit with a remedy applied in memory.

While the probed fit runs, `Capture` keeps the model's variables as the fit found them and every
batch its training steps consumed. After the fit, `try_remedies` replays those batches from those
variables (or from fresh weights of the same architecture, for a reused model) through the model's
own `train_step`, with a new optimizer (clipping, another learning rate), standardised inputs or a
tanh activation, while the probe's usual instrumentation records the
rerun exactly as it recorded the original. Afterwards the model is put back as the fit left it, so
the script carries on unaware.
"""

from __future__ import annotations

import random
import time

import numpy as np

from rnnlint.probe import rangetest, whatif
from rnnlint.probe.batches import weights_fingerprint
from rnnlint.probe.profile import make_profiler
from rnnlint.probe.state import Run

from .lazy import tensorflow as _tf

MAX_CAPTURED_BYTES = 256 * 2**20  # beyond this the batches are not kept and no remedy is tried
UNBOUNDED = ("relu", "elu", "selu", "linear", "softplus", "exponential", "leaky_relu", "gelu")


def _state_variables(model) -> list:
    """The variables a replay must reset: weights, dropout seed states, metric accumulators."""
    return list(model.variables) + list(model.metrics_variables)


def _snapshot(model) -> list[np.ndarray]:
    return [np.array(v.numpy()) for v in _state_variables(model)]


def _restore(model, values: list[np.ndarray]) -> None:
    for variable, value in zip(_state_variables(model), values):
        variable.assign(value)


class Capture:
    """The original fit's starting variables and batches (filled while it runs)."""

    def __init__(self, model, profile_batch) -> None:
        self.model = model
        self.profile_batch = profile_batch
        self.start: list[np.ndarray] | None = None
        self.batches: list[tuple[np.ndarray, ...]] = []
        self.template = None  # the structure of one batch, with the positions of None kept
        self.nones: list[bool] = []
        self.bytes = 0
        self.overflow = False
        self.unsupported = ""  # why the batches could not be captured, if they could not

    def begin(self) -> None:
        """At the fit's on_train_begin: the model is built, nothing trained yet."""
        self.start = _snapshot(self.model)

    def _keep(self, *arrays):
        size = sum(a.nbytes for a in arrays)
        if self.bytes + size > MAX_CAPTURED_BYTES:
            self.overflow = True
        else:
            self.bytes += size
            self.batches.append(tuple(np.array(a) for a in arrays))
        return np.int64(0)

    def wrap(self) -> None:
        """Record each batch `train_step` receives (a host call per step, only under --what-if)."""
        if getattr(self.model, "jit_compile", False) is True:
            # an XLA-compiled step cannot call back into Python to hand over its batch
            self.unsupported = "the model is compiled with jit_compile=True"
            return
        tf = _tf()
        step = self.model.train_step

        def train_step(data):
            flat = tf.nest.flatten(data)
            if self.template is None:
                self.template = tf.nest.pack_sequence_as(data, list(range(len(flat))))
                self.nones = [t is None for t in flat]
            tf.numpy_function(self._keep, [t for t in flat if t is not None], tf.int64, stateful=True)
            return step(data)

        self.model.train_step = train_step

    def unwrap(self) -> None:
        self.model.__dict__.pop("train_step", None)

    def batch(self, i: int):
        tf = _tf()
        arrays = iter(self.batches[i % len(self.batches)])
        flat = [None if none else tf.constant(next(arrays)) for none in self.nones]
        return tf.nest.pack_sequence_as(self.template, flat)


# --------------------------------------------------------------------------- the changes


def _rebuilt_optimizer(original, **changes):
    config = original.get_config()
    config.update(changes)
    return type(original).from_config(config)


def _first_input(capture: Capture) -> int | None:
    """Index, in a captured batch, of x when x is one float array (the only input we standardise)."""
    if not isinstance(capture.template, tuple) or not capture.batches:
        return None
    x = capture.template[0]
    if not isinstance(x, int) or capture.nones[x]:
        return None
    at = x - sum(capture.nones[:x])
    return at if capture.batches[0][at].dtype.kind == "f" else None


def _standardizer(capture: Capture):
    """x -> (x - mean) / std per feature (last axis), fit on the captured training batches."""
    at = _first_input(capture)
    if at is None:
        return None, "the inputs are not one float array"
    tf = _tf()
    rows = np.concatenate([b[at].reshape(-1, b[at].shape[-1]) for b in capture.batches]).astype(np.float64)
    mean, std = np.nanmean(rows, axis=0), np.nanstd(rows, axis=0)
    std = np.where(std > 0, std, 1.0)

    def transform(data):
        x = (tf.cast(data[0], tf.float32) - mean.astype(np.float32)) / std.astype(np.float32)
        return (tf.cast(x, data[0].dtype), *data[1:])

    return transform, ""


def _recurrent_cells(model) -> list:
    import keras

    cells = []
    for layer in model.layers:
        inner = [layer.forward_layer, layer.backward_layer] if isinstance(layer, keras.layers.Bidirectional) else [layer]
        cells += [getattr(r, "cell", None) for r in inner if isinstance(r, keras.layers.RNN)]
    return [c for c in cells if c is not None and getattr(c.activation, "__name__", "") in UNBOUNDED]


def _fresh_start(state, capture: Capture) -> tuple[list[np.ndarray], dict]:
    """Starting values for a rerun from fresh weights of the same architecture: a seeded clone's
    variables (the metrics' accumulators as the fit found them), and the fingerprints that show the
    rerun starts elsewhere than where the previous fit left the model."""
    import keras

    model = capture.model
    saved = random.getstate()  # Keras draws initializer seeds from Python's random: keep the script's stream
    try:
        random.seed(int(state.config.get("seed") or 0))
        try:
            clone = keras.models.clone_model(model)
        except Exception as exc:  # noqa: BLE001 - a subclassed model Keras cannot rebuild from its config
            why = f"{type(exc).__name__}: {str(exc).splitlines()[0][:200]}" if str(exc).strip() else type(exc).__name__
            raise ValueError(f"Keras cannot clone {type(model).__name__} to fresh weights ({why}); "
                             "rebuild it per run in the script") from exc
        if not clone.built and isinstance(capture.template, tuple) and capture.batches:
            clone(capture.batch(0)[0])
    finally:
        random.setstate(saved)
    fresh = [np.array(v.numpy()) for v in clone.variables]
    mine = list(model.variables)
    if len(fresh) != len(mine) or any(f.shape != tuple(v.shape) for f, v in zip(fresh, mine)):
        raise ValueError("the cloned model's variables do not match the original's")
    assert capture.start is not None  # _try_remedies reruns nothing until begin() took it
    start = fresh + capture.start[len(mine):]
    _restore(model, capture.start)
    previous_end = weights_fingerprint(model)  # a reused fit starts where the previous one ended
    _restore(model, start)
    return start, {"previous_end_fingerprint": previous_end, "start_fingerprint": weights_fingerprint(model)}


# --------------------------------------------------------------------------- replays


class _Setup:
    """What one rerun changes: the optimizer's arguments, the input transform, the activations."""

    def __init__(self) -> None:
        self.optimizer_changes: dict = {}
        self.transform = None
        self.cells: list = []
        self.start: list[np.ndarray] | None = None  # rebuild-model: fresh weights, not the fit's start
        self.rebuild: dict | None = None
        self.words: list[str] = []
        self.notes: list[str] = []


def _replay(state, capture: Capture, run, setup: _Setup, rates: list[float] | None = None,
            steps: int | None = None):
    """Train from the captured start on the captured batches, recorded into `run`."""
    tf = _tf()
    import keras

    model = capture.model
    original_optimizer = model.optimizer
    changes = dict(setup.optimizer_changes)
    if rates:
        changes["learning_rate"] = rates[0]
    optimizer = _rebuilt_optimizer(original_optimizer, **changes)
    saved = [(cell, cell.activation) for cell in setup.cells]
    start = setup.start if setup.start is not None else capture.start
    assert start is not None  # _try_remedies reruns nothing until begin() took it
    _restore(model, start)
    steps = steps or len(capture.batches)
    profile = make_profiler(state, model) if rates is None else None
    checkpoints = {0, steps // 2, steps}
    step_fn = tf.function(type(model).train_step.__get__(model), reduce_retracing=True)
    try:
        for cell, _ in saved:
            cell.activation = keras.activations.tanh
        model.optimizer = optimizer
        optimizer.build(model.trainable_variables)
        state.fit_run = run
        for i in range(steps):
            if profile is not None and i in checkpoints:
                run.profiles.extend(profile(i, capture.profile_batch))
            if rates:
                optimizer.learning_rate.assign(rates[i])
            data = capture.batch(i)
            step_fn(setup.transform(data) if setup.transform else data)
        if profile is not None and steps in checkpoints:
            run.profiles.extend(profile(steps, capture.profile_batch))
    finally:
        state.fit_run = None
        model.optimizer = original_optimizer
        for cell, activation in saved:
            cell.activation = activation
    run.seconds = time.perf_counter() - run.started
    return run


def _learning_rate(state, capture: Capture, setup: _Setup, remedy, optimizer_name: str, catalog) -> dict:
    """Smith's range test from the fit's initial weights; the family's typical rate if inconclusive."""
    p = remedy.parameters
    rates = rangetest.schedule(p["range_start"], p["range_end"], p["range_steps"])
    probe_run = _replay(state, capture, Run(0, "range_test", model=capture.model), setup, rates=rates,
                        steps=len(rates))
    losses = probe_run.summary().get("loss") or []
    choice = rangetest.choose(rates, losses, p["smoothing"], p["diverge_factor"], p["min_fall"])
    test = {"rates": rates, "loss": losses, "rate": choice.rate, "reason": choice.reason}
    if choice.rate is not None:
        rate = float(f"{choice.rate:.1g}")
        setup.words.append(f"learning_rate={rate:.1g} (range test)")
    else:
        family = rangetest.family(optimizer_name)
        typical = catalog.by_name["extreme-learning-rate"].thresholds["typical_range"].default[family]
        rate = rangetest.typical_rate(typical) or 1e-3
        rate = float(f"{rate:.1g}")
        setup.words.append(f"learning_rate={rate:.1g} (typical for {family}: {typical})")
        setup.notes.append(f"range test inconclusive: {choice.reason}")
    setup.optimizer_changes["learning_rate"] = rate
    test["chosen"] = rate
    return test


def _setup(state, capture: Capture, planned, optimizer_name: str, catalog) -> tuple[_Setup | None, dict | None]:
    setup, range_test = _Setup(), None
    kinds = planned.kinds
    if "clipnorm" in kinds:
        value = next(r for r in planned.remedies if r.kind == "clipnorm").parameters["clipnorm"]
        setup.optimizer_changes.update(clipnorm=value, global_clipnorm=None, clipvalue=None)
        setup.words.append(f"clipnorm={float(value)!r}")
    if "standardize-inputs" in kinds:
        setup.transform, why = _standardizer(capture)
        if setup.transform is None:
            return None, {"skipped": f"inputs not standardised: {why}"}
        setup.words.append("inputs standardised on the training batches")
    if "tanh-activation" in kinds:
        setup.cells = _recurrent_cells(capture.model)
        if not setup.cells:
            return None, {"skipped": "no recurrent layer with an unbounded activation"}
        setup.words.append("activation='tanh' in the recurrent layers")
    if "rebuild-model" in kinds:
        setup.start, setup.rebuild = _fresh_start(state, capture)
        setup.words.append("rebuild the model per run")
    if "learning-rate" in kinds:
        remedy = next(r for r in planned.remedies if r.kind == "learning-rate")
        range_test = _learning_rate(state, capture, setup, remedy, optimizer_name, catalog)
    return setup, range_test


def try_remedies(state, run, capture: Capture) -> None:
    """After a probed fit: rerun it once per planned remedy, then leave the model as the fit left it.

    A failure here is rnnlint's, never the script's: it becomes a note and the script carries on."""
    try:
        _try_remedies(state, run, capture)
    except Exception as exc:  # noqa: BLE001 - the verdicts on the script as written still stand
        state.notes.append(f"--what-if failed inside rnnlint (please report): {type(exc).__name__}: {exc}")


def _try_remedies(state, run, capture: Capture) -> None:
    from rnnlint.catalog import default_catalog
    from rnnlint.probe.symptoms import Thresholds

    if capture.start is None or (not capture.batches and not capture.unsupported):
        return
    catalog = default_catalog()
    summary = run.summary()
    planned = whatif.plan(whatif.confirmed_codes(summary, Thresholds(catalog)), catalog,
                          set(state.config.get("static_names") or ()))
    if not planned:
        return
    if capture.unsupported:
        state.notes.append(f"--what-if: no remedy was tried for fit #{run.index}: {capture.unsupported}")
        return
    if capture.overflow:
        state.notes.append(f"--what-if: fit #{run.index}'s batches exceed {MAX_CAPTURED_BYTES >> 20} MiB; "
                           "no remedy was tried")
        return
    model = capture.model
    end = _snapshot(model)
    optimizer_name = type(model.optimizer).__name__
    try:
        for item in planned:
            started = time.perf_counter()
            entry = {"run": run.index, "remedies": list(item.kinds), "symptoms": list(item.symptoms)}
            try:
                setup, range_test = _setup(state, capture, item, optimizer_name, catalog)
                if setup is None:
                    assert range_test is not None  # _setup says why it skipped
                    state.notes.append(f"--what-if {'+'.join(item.kinds)}: {range_test['skipped']}")
                    continue
                rerun = _replay(state, capture, Run(run.index, "remedy", model=model), setup)
            except Exception as exc:  # noqa: BLE001 - an optimizer we cannot rebuild, an odd model
                state.notes.append(f"--what-if {'+'.join(item.kinds)} could not be tried: "
                                   f"{type(exc).__name__}: {str(exc)[:300]}")
                continue
            entry.update(change=", ".join(setup.words), note="; ".join(setup.notes),
                         range_test=range_test, rebuild=setup.rebuild, after=rerun.summary(),
                         seconds=round(time.perf_counter() - started, 3))
            state.remedies.append(entry)
    finally:
        _restore(model, end)
        model.train_function = None
