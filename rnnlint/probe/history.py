"""A faithful truncated fit: the History, callback logs and validation the script reads afterwards.

The probe bounds training to its steps but lets Keras run everything else of a real fit: the user's
callbacks get on_train_begin / on_epoch_end / on_train_end with real logs, and validation runs for
real at the end of every epoch the truncated run reaches, on at most VALIDATION_BATCHES batches, so
`history.history["val_loss"]`, `history.epoch` and `history.params` hold measured values.
"""

from __future__ import annotations

from typing import Any

from .batches import training_split
from .state import ProbeState, Run

VALIDATION_BATCHES = 8
# Callbacks left out (their writes would land in the sandbox; that is not why): TensorBoard's event
# files, graph and profile cost seconds a truncated run has not got, and BackupAndRestore would start
# the probed fit from an interrupted earlier run's backup instead of the script's own weights.
LEFT_OUT_CALLBACKS = ("BackupAndRestore", "TensorBoard")


def has_validation(arguments: dict) -> bool:
    return arguments.get("validation_data") is not None or bool(arguments.get("validation_split"))


def bound_validation(run: Run, arguments: dict) -> None:
    """Validate every epoch the truncated run reaches, on a bounded number of batches."""
    if not has_validation(arguments):
        return
    cap: int | None  # None: no bound needed
    cap = min(int(arguments["validation_steps"]), VALIDATION_BATCHES) if arguments.get(
        "validation_steps") else VALIDATION_BATCHES
    _, val_x = training_split(arguments)
    if val_x is not None:  # arrays: fewer batches than the cap need no bound (and no Keras warning)
        size = arguments.get("validation_batch_size") or arguments.get("batch_size") or 32
        if -(-len(val_x) // int(size)) <= cap:
            cap = None
    if cap is not None:
        arguments["validation_steps"] = cap
    if arguments.get("validation_freq", 1) != 1:
        run.notes.append(f"validation_freq={arguments['validation_freq']!r} became 1: the truncated run "
                         "may not reach the epochs it names")
    arguments["validation_freq"] = 1


def user_callbacks(state: ProbeState, run: Run, callbacks: list) -> list:
    """The script's callbacks as the probe runs them: all but LEFT_OUT_CALLBACKS unchanged (what
    CSVLogger and ModelCheckpoint write goes to the probe's sandbox, as every write of the script)."""
    kept = []
    for callback in callbacks:
        name = type(callback).__name__
        if name in LEFT_OUT_CALLBACKS:
            run.notes.append(f"{name} was left out of the probed fit")
            continue
        if name in ("CSVLogger", "ModelCheckpoint"):
            run.notes.append(f"{name} wrote into the probe's sandbox, not the script's files")
        kept.append(callback)
    return kept


def describe_history(run: Run, history, validated: bool) -> None:
    """What the script got back, and that every value in it comes from the truncated run."""
    keys = sorted(getattr(history, "history", {}) or {})
    run.info["history"] = {
        "keys": keys,
        "epochs": len(getattr(history, "epoch", []) or []),
        "validation_batches": VALIDATION_BATCHES if validated else 0,
        "source": "truncated run",
    }


def bound_evaluation(state: ProbeState, arguments: dict) -> None:
    """`evaluate` after a probed fit: on at most VALIDATION_BATCHES batches, as validation is, so a big
    test set costs the probe seconds, not minutes. Arrays are cut to their first rows (the loss and
    metrics are real, over fewer rows); a dataset or generator gets `steps`. Before any probed fit
    (a loaded model scored first), evaluate runs unchanged."""
    if not state.runs or arguments.get("steps"):
        return
    size = int(arguments.get("batch_size") or 32)
    x: Any = arguments.get("x")  # whatever the script passed: arrays, tensors, datasets, generators
    if hasattr(x, "shape") and hasattr(x, "__getitem__") and len(x) > size * VALIDATION_BATCHES:
        rows = size * VALIDATION_BATCHES
        total = len(x)
        for name in ("x", "y", "sample_weight"):
            value: Any = arguments.get(name)
            if hasattr(value, "shape") and hasattr(value, "__getitem__") and len(value) == total:
                arguments[name] = value[:rows]
        state.note_once(f"evaluate() after the probed fit scored the first {rows} of {total} rows "
                        f"({VALIDATION_BATCHES} batches of {size}): its values come from the truncated run")
    elif x is not None and not hasattr(x, "shape") and not isinstance(x, (list, tuple, dict)):
        arguments["steps"] = VALIDATION_BATCHES
        state.note_once(f"evaluate() after the probed fit ran {VALIDATION_BATCHES} batches of its data: "
                        "its values come from the truncated run")
