"""Exercise 5: forward_backward for a sigmoid MLP with any layer widths (matrix form).

Layer l (0..L, L = len(W) - 1) computes a(l) = sigma(W[l] @ a(l-1) + b[l]) with a(-1) = x;
the loss is 1/2 sum((a(L) - y)^2). Vectors are 1-D numpy arrays: x has shape (n0,),
W[l] has shape (n(l), n(l-1)) and b[l] has shape (n(l),).
"""

import numpy as np


def sigmoid(z):
    """Given: sigma(z) elementwise (you wrote it in exercise 1)."""
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1 / (1 + e), e / (1 + e))


def forward_backward_mlp(x, y, W, b):
    """Return ``(loss, W_grads, b_grads)``.

    ``loss`` is a number; ``W_grads`` and ``b_grads`` are lists with one array per layer,
    W_grads[l] of the same shape as W[l] and b_grads[l] of the same shape as b[l]
    (1-D: shape (n,), not (n, 1)).

    Hint: delta(L) = (a(L) - y) * a(L) * (1 - a(L)); dL/dW[l] = outer(delta(l), a(l-1));
    delta(l-1) = (W[l].T @ delta(l)) * a(l-1) * (1 - a(l-1)).
    """
    raise NotImplementedError("forward_backward_mlp: not implemented yet")
