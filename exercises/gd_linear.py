"""Exercise 2: gradient descent on f(x) = w x (seed 000).

One training example (x, t), the loss E = 1/2 (w x - t)^2, and the update
w <- w - eta * dE/dw.
"""


def gd_linear_train(x, t, w0, eta, epochs):
    """Train from ``w0`` for ``epochs`` steps and return the history.

    Contract: return a dict with three lists,

    - ``"w"``: epochs + 1 weights, w0 first, then the weight after each epoch;
    - ``"E"``: epochs losses, the loss of each epoch *before* its update;
    - ``"grad"``: epochs gradients dE/dw, each at the weight *before* its update.

    >>> gd_linear_train(1, 1, 0, 0.5, 2)
    {'w': [0.0, 0.5, 0.75], 'E': [0.5, 0.125], 'grad': [-1.0, -0.5]}
    """
    raise NotImplementedError("gd_linear_train: not implemented yet")
