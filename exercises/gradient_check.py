"""Exercise 6: the numerical gradient by central differences, to check backpropagation."""

import numpy as np  # noqa: F401  (you will probably want it)


def gradient_check(f, params, eps=1e-6):
    """Return the gradient of the number ``f(params)`` by central differences.

    Contract:
    - ``params`` is a dict mapping names to numbers or numpy arrays; ``f`` takes such a
      dict and returns a number.
    - Return a dict with the same keys: a number for a number, an array of the same shape
      for an array, each entry (f(p + eps) - f(p - eps)) / (2 eps) with only that entry moved.
    - Leave ``params`` unchanged when you return (copy, or restore what you moved).

    >>> gradient_check(lambda p: p["a"] ** 2, {"a": 3.0})["a"]   # about 6.0
    """
    raise NotImplementedError("gradient_check: not implemented yet")
