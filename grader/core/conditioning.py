"""Conditioning helpers every family may use, declared or hand-written (pure numpy over a batch)."""

from __future__ import annotations

import numpy as np


def distinct(columns: list[np.ndarray], relative: float = 0.01) -> np.ndarray:
    """True where every pair of the columns differs by more than ``relative`` of the larger.

    Only neighbours in each row's sorted values need comparing: if a <= b <= c and both
    neighbouring pairs are apart, so are a and c. NaN sorts last and fails its comparison.
    A column may be a scalar (a quantity that does not depend on the draw).
    """
    values = np.sort(np.stack(np.broadcast_arrays(*[np.asarray(c, dtype=float) for c in columns]), axis=-1), axis=-1)
    low, high = values[..., :-1], values[..., 1:]
    with np.errstate(invalid="ignore"):
        return np.all(high - low > relative * np.maximum(np.abs(low), np.abs(high)), axis=-1)
