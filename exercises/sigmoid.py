"""Exercise 1: the sigmoid and its derivative.

Fill in the two functions below, then run ``pytest`` in this folder.
"""

import numpy as np  # noqa: F401  (you will probably want it)


def sigmoid(z):
    """Return sigma(z) = 1 / (1 + e^(-z)).

    Contract:
    - ``z`` is a number or a numpy array; work elementwise and return a number for a number
      and an array of the same shape for an array.
    - Never return nan or inf: sigmoid(-1000) is 0.0 and sigmoid(1000) is 1.0.

    >>> sigmoid(0.0)
    0.5
    """
    raise NotImplementedError("sigmoid: not implemented yet")


def sigmoid_prime(z):
    """Return the derivative d sigma / dz at ``z`` (a number or an array, like ``sigmoid``).

    Hint: with a = sigma(z), the derivative is a (1 - a). Note that the argument is z,
    not the activation a.

    >>> sigmoid_prime(0.0)
    0.25
    """
    raise NotImplementedError("sigmoid_prime: not implemented yet")
