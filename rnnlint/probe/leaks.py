"""Which rows each scaler learnt from, against the rows the model is trained on (numpy only).

A scaler sees rows of some width c (its fit input, `(m, c)`); training data reaches `fit` reshaped,
windowed and concatenated, so its rows are compared in every view that has rows of a width: the rows
over the last axis, whole samples, each feature over time (`(n, k, 1)` is `(n, k)` again) and single
columns. Each scaler is matched against the view (of the inputs or of the targets) that explains its
rows best, after mapping values back through that scaler's own `transform` (the data `fit` sees is
already scaled), so a target scaler or a per-column scaler is judged on what it was fitted to.

Matching rows as a set cannot see a leak in a series whose values repeat (integer sensor readings:
every test-period value also occurs in the training period). So the order is used too: when the
windows' first timesteps, or the targets, are a contiguous run of the scaler's rows in the order it
saw them (the way a series is windowed), the rows those windows cover are exactly the training rows,
and the rest of the series is what the scaler saw beyond them. Only a run that explains a whole view
counts; anything else (shuffled splits, folds) is judged by the set match alone.
"""

from __future__ import annotations

from collections import Counter

import numpy as np

MAX_HASHED_ROWS = 200_000
MAX_VIEWS = 16  # features (or columns) viewed one by one; wider data is compared as whole rows only
MAX_RUN_STARTS = 256  # where a run may start in a repetitive series: candidates tried before giving up


def as_numeric(array) -> np.ndarray | None:
    try:
        a = np.asarray(array)
    except Exception:  # noqa: BLE001 - tensors of odd kinds, ragged lists
        return None
    if a.dtype.kind not in "fiub" or a.ndim == 0 or a.size == 0:
        return None
    return a


def _hashes(rows: np.ndarray) -> set[int]:
    rows = np.ascontiguousarray(rows[:MAX_HASHED_ROWS], dtype=np.float32)
    return {hash(r.tobytes()) for r in rows}


def _as_rows(a: np.ndarray) -> np.ndarray:
    return a.reshape(-1, 1) if a.ndim == 1 else a.reshape(-1, a.shape[-1])


def row_counts(array) -> tuple[int, Counter] | None:
    """(width, how many times each row occurs) over the array's last axis, as a scaler sees them:
    counted, not a set, so a one-column series of repeated values is still counted in rows."""
    a = as_numeric(array)
    if a is None:
        return None
    rows = np.ascontiguousarray(_as_rows(a)[:MAX_HASHED_ROWS], dtype=np.float32)
    return rows.shape[1], Counter(hash(r.tobytes()) for r in rows)


def _ordered(rows: np.ndarray) -> np.ndarray:
    rows = np.ascontiguousarray(rows[:MAX_HASHED_ROWS], dtype=np.float32)
    return np.fromiter((hash(r.tobytes()) for r in rows), dtype=np.int64, count=len(rows))


def sequences(array, role: str) -> list[tuple[str, int, np.ndarray, int]]:
    """(description, row width, row hashes in order, rows each entry covers) of the views a windowed
    series is read by: each window's first timestep (covering the window's T rows), or plain rows."""
    a = as_numeric(array)
    if a is None:
        return []
    if a.ndim == 3:
        return [(f"{role} first timesteps", a.shape[-1], _ordered(a[:, 0, :]), a.shape[1])]
    if a.ndim <= 2:
        return [(f"{role} rows", _as_rows(a).shape[1], _ordered(_as_rows(a)), 1)]
    return []


def _covered_in_order(order: np.ndarray, runs: list[tuple[np.ndarray, int]]) -> np.ndarray | None:
    """Which of the scaler's rows (in the order it saw them) the runs cover, each run placed where it
    occurs contiguously; None when no run explains its whole view."""
    covered = np.zeros(len(order), dtype=bool)
    found = False
    for hashes, span in runs:
        n = len(hashes)
        if n == 0 or n > len(order):
            continue
        for start in np.flatnonzero(order[: len(order) - n + 1] == hashes[0])[:MAX_RUN_STARTS]:
            if np.array_equal(order[start:start + n], hashes):
                covered[start:min(len(order), start + n - 1 + span)] = True
                found = True
                break
    return covered if found else None


def views(array, role: str) -> list[tuple[str, int, set[int]]]:
    """(description, row width, row hashes) for every way the array's rows can be read."""
    a = as_numeric(array)
    if a is None:
        return []
    out = []
    rows = _as_rows(a)
    out.append((f"{role} rows", rows.shape[1], rows))
    if a.ndim >= 3:  # (n, k, f) read whole; an (n, k) sample is already a row
        out.append((f"{role} samples", int(np.prod(a.shape[1:])), a.reshape(a.shape[0], -1)))
    if a.ndim == 3 and 1 < a.shape[-1] <= MAX_VIEWS:  # with one feature, the samples are these rows
        for j in range(a.shape[-1]):
            out.append((f"{role} feature {j} over time", a.shape[1], a[:, :, j]))
    if 1 < rows.shape[1] <= MAX_VIEWS:
        for j in range(rows.shape[1]):
            out.append((f"{role} column {j}", 1, rows[:, j:j + 1]))
    return [(name, width, _hashes(data)) for name, width, data in out]


class LeakTracker:
    """Scaler fits and transforms, and the data each probed fit trains and validates on."""

    def __init__(self) -> None:
        self.scalers: list[dict] = []
        self.maps: dict[int, dict[int, int]] = {}  # id(scaler) -> scaled row hash -> raw row hash
        self.train: list[tuple[str, int, set[int]]] = []
        self.held_out: list[tuple[str, int, set[int]]] = []
        self.split_off: list[tuple[str, int, set[int]]] = []  # validation_split's rows, part of fit's x
        self.train_runs: list[tuple[str, int, np.ndarray, int]] = []  # the training views, in order
        self._summary: list[dict] | None = None  # cached until something new is seen

    def _changed(self) -> None:
        self._summary = None

    def fit(self, scaler, label: str, data, line: int | None) -> None:
        rows = row_counts(data)
        if rows:
            width, hashes = rows
            numeric = as_numeric(data)
            assert numeric is not None  # row_counts found rows in it
            self.scalers.append({"scaler": label, "line": line, "id": id(scaler), "width": width,
                                 "rows": hashes, "order": _ordered(_as_rows(numeric))})
            self._changed()

    def transform(self, scaler, data, output) -> None:
        a, b = as_numeric(data), as_numeric(output)
        if a is None or b is None or a.shape != b.shape:
            return
        raw, scaled = _as_rows(a)[:MAX_HASHED_ROWS], _as_rows(b)[:MAX_HASHED_ROWS]
        self._changed()
        mapping = self.maps.setdefault(id(scaler), {})
        for s, r in zip(np.ascontiguousarray(scaled, dtype=np.float32), np.ascontiguousarray(raw, dtype=np.float32)):
            mapping[hash(s.tobytes())] = hash(r.tobytes())
        if raw.shape[1] > 1:  # per-column maps too, for data that reaches fit one column at a time
            for j in range(raw.shape[1]):
                for s, r in zip(np.ascontiguousarray(scaled[:, j:j + 1], dtype=np.float32),
                                np.ascontiguousarray(raw[:, j:j + 1], dtype=np.float32)):
                    mapping.setdefault(hash(s.tobytes()), hash(r.tobytes()))

    def data(self, held_out: bool, x, y=None) -> None:
        found = views(x, "inputs") + views(y, "targets")
        (self.held_out if held_out else self.train).extend(found)
        if not held_out:
            self.train_runs.extend(sequences(x, "inputs") + sequences(y, "targets"))
        self._changed()

    def carved(self, x, y=None) -> None:
        """The rows validation_split holds out of the arrays given to fit (also noted as training)."""
        self.split_off.extend(views(x, "inputs") + views(y, "targets"))
        self._changed()

    def summary(self) -> list[dict]:
        if self._summary is None:
            self._summary = self._match()
        return self._summary

    def _match(self) -> list[dict]:
        out = []
        for scaler in self.scalers:
            mapping = self.maps.get(scaler["id"], {})
            rows, width = scaler["rows"], scaler["width"]

            def raw(hashes: set[int]) -> set[int]:
                return {mapping.get(h, h) for h in hashes}

            candidates = [(name, raw(h)) for name, w, h in self.train if w == width]
            total = sum(rows.values())

            def outside(train: set[int]) -> float:
                return sum(n for h, n in rows.items() if h not in train) / total

            entry = {"scaler": scaler["scaler"], "line": scaler["line"], "fit_rows": total,
                     "train_rows": 0, "matched": None, "outside_training": None,
                     "eval_rows": 0, "eval_seen": None, "split_rows": 0, "split_seen": None}
            if candidates:
                name, train = min(candidates, key=lambda c: outside(c[1]))
                entry.update(matched=name, train_rows=len(train), outside_training=outside(train))
                held = set().union(*[raw(h) for n, w, h in self.held_out if w == width and n == name])
                if held:
                    entry.update(eval_rows=len(held), eval_seen=len(held & rows.keys()) / len(held))
                split = set().union(*[raw(h) for n, w, h in self.split_off if w == width and n == name])
                if split:
                    entry.update(split_rows=len(split), split_seen=len(split & rows.keys()) / len(split))
                in_order = self._in_order(scaler, mapping)
                if in_order is not None and in_order[1] > entry["outside_training"]:
                    # the set match was fooled by repeated values; the order is not
                    entry.update(matched=in_order[0], train_rows=in_order[2], outside_training=in_order[1])
            # No view of the training data has rows of this width: not judged (precision first).
            out.append(entry)
        return out

    def _in_order(self, scaler: dict, mapping: dict[int, int]) -> tuple[str, float, int] | None:
        """(views, share of the scaler's rows outside training, training rows) from the order match:
        the union of every training view that is a contiguous run of the scaler's rows."""
        order = scaler["order"]
        covered = np.zeros(len(order), dtype=bool)
        names = []
        for name, width, hashes, span in self.train_runs:
            if width != scaler["width"]:
                continue
            raw = np.fromiter((mapping.get(int(h), int(h)) for h in hashes), dtype=np.int64, count=len(hashes))
            run = _covered_in_order(order, [(raw, span)])
            if run is not None:
                covered |= run
                names.append(name)
        if not names:
            return None
        inside = int(covered.sum())
        return f"{' and '.join(dict.fromkeys(names))}, in order", 1.0 - inside / len(order), inside
