"""Exercise 4: forward_backward for a chain of one-neuron sigmoid layers (seed 002).

Layers are numbered 0..L as in the seed, with L = len(W) - 1:
z(l) = W[l] a(l-1) + b[l],  a(l) = sigma(z(l)),  with a(-1) = x (the input),
loss = 1/2 (a(L) - y)^2,
delta(L) = (a(L) - y) a(L) (1 - a(L)),  delta(l) = delta(l+1) W[l+1] a(l) (1 - a(l)),
dL/dW[l] = delta(l) a(l-1),  dL/db[l] = delta(l).
"""

import math


def sigmoid(z):
    """Given: sigma(z) for one number (you wrote it in exercise 1)."""
    return 1 / (1 + math.exp(-z)) if z >= 0 else math.exp(z) / (1 + math.exp(z))


def forward_backward(x, y, W, b):
    """Return ``(loss, W_grads, b_grads)``.

    ``x`` and ``y`` are numbers; ``W`` and ``b`` are lists of numbers, one per layer (any
    number of layers, including one). ``loss`` is a number; ``W_grads`` and ``b_grads`` are
    lists of numbers with W_grads[l] = dL/dW[l] and b_grads[l] = dL/db[l].
    """
    raise NotImplementedError("forward_backward: not implemented yet")
