"""Broken on purpose (tests/test_code_broken.py): the bias gradients are never filled in (they stay 0)."""

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
    for l in range(L, -1, -1):                     # from the last layer back to layer 0
        if l == L:
            # dL/da(L) = a(L) - y; da(L)/dz(L) = a(L) (1 - a(L))
            deltas[l] = (a[L] - y) * a[L] * (1 - a[L])
        else:
            # z(l+1) = W[l+1] a(l) + b[l+1] -> dz(l+1)/da(l) = W[l+1]; da(l)/dz(l) = a(l) (1 - a(l))
            deltas[l] = deltas[l + 1] * W[l + 1] * a[l] * (1 - a[l])
        a_prev = x if l == 0 else a[l - 1]
        W_grads[l] = deltas[l] * a_prev            # dz(l)/dW[l] = a(l-1)
    return loss, W_grads, b_grads
