"""The per-timestep gradient profiler, bound to the probe's state (the profiler is timesteps.py)."""

from __future__ import annotations

from . import timesteps
from .state import ProbeState


def make_profiler(state: ProbeState, model):
    """Per-timestep gradient norms into each recurrent layer, through the model's own call path."""

    def mute(on: bool) -> None:
        state.muted = on

    return timesteps.make_profiler(model, mute)

