"""Broken on purpose (tests/test_code_broken.py): moves array entries in place and never puts them back."""

import numpy as np


def gradient_check(f, params, eps=1e-6):
    grads = {}
    for name, value in params.items():
        if np.ndim(value) == 0:
            up = f({**params, name: value + eps})
            down = f({**params, name: value - eps})
            grads[name] = (up - down) / (2 * eps)
            continue
        grad = np.zeros_like(value, dtype=float)
        for index in np.ndindex(value.shape):
            value[index] += eps          # moves the caller's array in place
            up = f(params)
            value[index] -= 2 * eps      # BUG: never moved back by +eps
            down = f(params)
            grad[index] = (up - down) / (2 * eps)
        grads[name] = grad
    return grads
