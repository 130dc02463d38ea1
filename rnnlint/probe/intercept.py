"""The monkey-patching: Model.fit, the optimizer's apply, the loss, adapt, evaluate, save, scalers.

Each patch hands what it sees to ProbeState or to `fit.probe_fit`; the measuring lives there.
"""

from __future__ import annotations

import inspect

import numpy as np

from .fit import probe_fit
from .history import bound_evaluation
from .imports import on_import
from .lazy import tensorflow as _tf
from .recorder import _value
from .state import ProbeState, Run, StopProbe

SKLEARN_SCALERS = ("StandardScaler", "MinMaxScaler", "RobustScaler", "MaxAbsScaler")


def _patch_scalers(state: ProbeState, module) -> None:
    for name in SKLEARN_SCALERS:
        cls = getattr(module, name, None)
        if cls is not None:
            _wrap_scaler(state, cls)


def _wrap_scaler(state: ProbeState, cls) -> None:
    fit, transform = cls.fit, cls.transform

    def probed_fit(self, X, *args, **kwargs):
        with state.guard("recording a scaler's rows"):
            state.note_scaler_fit(self, type(self).__name__, X)
        return fit(self, X, *args, **kwargs)

    def probed_transform(self, X, *args, **kwargs):
        out = transform(self, X, *args, **kwargs)
        with state.guard("recording a scaler's rows"):
            state.note_transform(self, X, out)
        return out

    cls.fit, cls.transform = probed_fit, probed_transform


def install(state: ProbeState) -> None:
    tf = _tf()
    import keras
    from keras.src.optimizers.base_optimizer import BaseOptimizer
    from keras.src.trainers.trainer import Trainer

    original_fit = keras.Model.fit

    def fit(self, *args, **kwargs):
        if state.fit_run is not None:
            return original_fit(self, *args, **kwargs)
        if len(state.runs) >= state.max_fits:
            state.stop_requested = True
            state.stop_reason = f"stopped at fit #{len(state.runs) + 1}: the cap is {state.max_fits} fits"
            raise StopProbe(state.stop_reason)
        return probe_fit(state, original_fit, self, args, kwargs)

    keras.Model.fit = fit

    original_compute = Trainer._compute_loss

    def _compute_loss(self, *args, **kwargs):
        loss = original_compute(self, *args, **kwargs)
        if kwargs.get("training", True):
            state.note_loss(loss)
        return loss

    Trainer._compute_loss = _compute_loss

    original_call = keras.losses.Loss.__call__

    def loss_call(self, *args, **kwargs):
        value = original_call(self, *args, **kwargs)
        if state.fit_run is None:  # a custom loop; inside fit, _compute_loss has the full loss
            state.note_loss(value)
        return value

    keras.losses.Loss.__call__ = loss_call

    original_apply = BaseOptimizer.apply

    def apply(self, grads, trainable_variables=None):
        grads = list(grads)
        variables = list(trainable_variables) if trainable_variables is not None else list(
            self._trainable_variables
        )
        with state.guard("setting up the per-step recorder"):
            run = state.run_for(self, variables)
        if run is None:
            return original_apply(self, grads, trainable_variables)
        before = [_value(v) for v in variables]
        result = original_apply(self, grads, variables)
        with state.guard("recording an optimizer step"):
            after = [_value(v) for v in variables]
            step = run.recorder.record(state.pending_loss, grads, before, after)
        if run.kind == "custom_loop":
            if tf.executing_eagerly():
                state.tick(run, step.numpy())
            else:
                tf.numpy_function(lambda s: _tick_in_graph(state, run, s), [step], tf.int64)
        return result

    BaseOptimizer.apply = apply

    original_adapt = keras.layers.Normalization.adapt

    def adapt(self, data, *args, **kwargs):
        with state.guard("recording a Normalization layer's rows"):
            state.note_scaler_fit(self, f"Normalization({self.name})", data)
        return original_adapt(self, data, *args, **kwargs)

    keras.layers.Normalization.adapt = adapt

    original_evaluate = keras.Model.evaluate

    def evaluate(self, *args, **kwargs):
        if state.fit_run is not None:  # fit's own validation: bounded by history.bound_validation
            return original_evaluate(self, *args, **kwargs)
        try:
            arguments = inspect.signature(original_evaluate).bind(self, *args, **kwargs).arguments
        except TypeError:  # the script's own mistake: let Keras raise it as a real run would
            return original_evaluate(self, *args, **kwargs)
        arguments.pop("self")
        arguments.update(arguments.pop("kwargs", {}))
        with state.guard("recording and bounding the evaluation"):
            state.note_data(True, arguments.get("x"), arguments.get("y"))  # every row the script scores
            bound_evaluation(state, arguments)
        return original_evaluate(self, **arguments)

    keras.Model.evaluate = evaluate

    # model.save, save_weights and export run as written: the sandbox sends their files to the
    # probe's temp dir, so a later load_model in the same run reads what this run saved.
    on_import("sklearn.preprocessing", lambda module: _patch_scalers(state, module))


def _tick_in_graph(state: ProbeState, run: Run, step):
    state.tick(run, step)
    return np.int64(step)

