"""Broken on purpose (tests/test_code_broken.py): weight gradients transposed, shape (n(l-1), n(l))."""

import numpy as np


def sigmoid(z):
    """sigma(z) = 1 / (1 + e^(-z)), elementwise."""
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1 / (1 + e), e / (1 + e))


def forward_backward_mlp(x, y, W, b):
    """The loss and its gradients: returns (loss, W_grads, b_grads), shaped like W and b."""
    L = len(W) - 1
    a = []
    for l in range(L + 1):
        a_prev = x if l == 0 else a[l - 1]
        a.append(sigmoid(W[l] @ a_prev + b[l]))          # z(l) = W[l] a(l-1) + b[l]
    loss = 0.5 * float(np.sum((a[L] - y) ** 2))

    W_grads = [None] * (L + 1)
    b_grads = [None] * (L + 1)
    delta = (a[L] - y) * a[L] * (1 - a[L])               # dL/dz(L), shape (n(L),)
    for l in range(L, -1, -1):
        a_prev = x if l == 0 else a[l - 1]
        W_grads[l] = np.outer(a_prev, delta)             # BUG: transposed
        b_grads[l] = delta.copy()                        # dz_i/db_i = 1
        if l > 0:
            # dz(l)/da(l-1) = W[l] (before any update); da(l-1)/dz(l-1) = a (1 - a)
            delta = (W[l].T @ delta) * a[l - 1] * (1 - a[l - 1])
    return loss, W_grads, b_grads
