"""Broken on purpose (tests/test_code_broken.py): a one-sided difference."""

import numpy as np


def gradient_check(f, params, eps=1e-6):
    """The gradient of the number f(params) with respect to every entry of ``params``.

    ``params`` maps names to numbers or arrays; the result has the same keys, with a number
    for a number and an array of the same shape for an array. ``params`` is left unchanged.
    """
    grads = {}
    for name, value in params.items():
        value = np.array(value, dtype=float)
        grad = np.zeros_like(value)
        for index in np.ndindex(value.shape):               # every entry in turn
            step = np.zeros_like(value)
            step[index] = eps
            up = f({**params, name: _like(value + step)})   # f(p + eps e_k)
            down = f(params)                                # BUG: one-sided
            grad[index] = (up - down) / eps
        grads[name] = _like(grad)
    return grads


def _like(array):
    """A number for a 0-d array, else the array itself."""
    return float(array) if array.ndim == 0 else array
