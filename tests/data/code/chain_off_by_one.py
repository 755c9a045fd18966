"""Broken on purpose (tests/test_code_broken.py): the backward loop stops before layer 0."""

import math


def sigmoid(z):
    """sigma(z) = 1 / (1 + e^(-z)) for one number."""
    return 1 / (1 + math.exp(-z)) if z >= 0 else math.exp(z) / (1 + math.exp(z))


def forward_backward(x, y, W, b):
    """The loss and its gradients: returns (loss, W_grads, b_grads), one entry per layer."""
    L = len(W) - 1
    a = []
    for l in range(L + 1):
        a_prev = x if l == 0 else a[l - 1]
        a.append(sigmoid(W[l] * a_prev + b[l]))    # z(l) = W[l] a(l-1) + b[l]; a(l) = sigma(z(l))
    loss = 0.5 * (a[L] - y) ** 2

    deltas = [0.0] * (L + 1)                       # delta(l) = dL/dz(l)
    W_grads = [0.0] * (L + 1)
    b_grads = [0.0] * (L + 1)
    deltas[L] = (a[L] - y) * a[L] * (1 - a[L])
    W_grads[L] = deltas[L] * (x if L == 0 else a[L - 1])
    b_grads[L] = deltas[L]
    for l in range(L - 1, 0, -1):                  # BUG: stops before layer 0
        deltas[l] = deltas[l + 1] * W[l + 1] * a[l] * (1 - a[l])
        W_grads[l] = deltas[l] * a[l - 1]
        b_grads[l] = deltas[l]
    return loss, W_grads, b_grads
