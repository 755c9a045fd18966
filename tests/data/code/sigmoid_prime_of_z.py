"""Broken on purpose (tests/test_code_broken.py): sigmoid_prime(z) computes z (1 - z)."""

import numpy as np


def sigmoid(z):
    """sigma(z) = 1 / (1 + e^(-z)), elementwise; a number for a number, an array for an array."""
    z = np.asarray(z, dtype=float)
    # e^(-|z|) never overflows; for z < 0 use the equal form e^z / (1 + e^z).
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1 / (1 + e), e / (1 + e))[()]  # [()] turns a 0-d array into a number


def sigmoid_prime(z):
    """d sigma / dz at z, written with the activation a = sigma(z): a (1 - a)."""
    return z * (1 - z)  # BUG: a(1 - a) applied to z
