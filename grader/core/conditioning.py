"""Conditioning helpers every family may use, declared or hand-written (pure numpy over a batch)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

ROWS = 1024  # rows sorted at once: larger temporaries go back to the system after each call and
# cost more in page faults than the sorting itself


def distinct(columns: list[np.ndarray], relative: float = 0.01) -> np.ndarray:
    """True where every pair of the columns differs by more than ``relative`` of the larger.

    Only neighbours in each row's sorted values need comparing: if a <= b <= c and both
    neighbouring pairs are apart, so are a and c. NaN sorts last and fails its comparison.
    A column may be a scalar (a quantity that does not depend on the draw).
    """
    arrays = np.broadcast_arrays(*[np.asarray(c, dtype=float) for c in columns])
    if arrays[0].ndim != 1 or len(arrays[0]) <= ROWS:
        return _distinct_rows(arrays, relative)
    return np.concatenate([_distinct_rows([a[start:start + ROWS] for a in arrays], relative)
                           for start in range(0, len(arrays[0]), ROWS)])


def _distinct_rows(arrays: Sequence[np.ndarray], relative: float) -> np.ndarray:
    values = np.stack(arrays, axis=-1)
    values.sort(axis=-1)
    with np.errstate(invalid="ignore"):
        gaps = values[..., 1:] - values[..., :-1]
        sizes = np.abs(values, out=values)
        bound = np.maximum(sizes[..., :-1], sizes[..., 1:])
        bound *= relative
        return np.all(gaps > bound, axis=-1)
