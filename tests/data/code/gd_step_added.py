"""Broken on purpose (tests/test_code_broken.py): the step is added."""

def gd_linear_train(x, t, w0, eta, epochs):
    """Run ``epochs`` steps of w <- w - eta dE/dw from w0 on the one example (x, t).

    Returns the history {"w": [w0, w1, ...], "E": [E1, ...], "grad": [g1, ...]}: epochs + 1
    weights, and for each epoch the loss and the gradient at the weight *before* its update.
    """
    history = {"w": [float(w0)], "E": [], "grad": []}
    w = float(w0)
    for _ in range(epochs):
        pred = w * x                   # forward: the prediction
        error = pred - t               # dE/dpred, since E = 1/2 (pred - t)^2
        loss = 0.5 * error**2
        grad = error * x               # dE/dw = dE/dpred * dpred/dw = (w x - t) * x
        w = w + eta * grad  # BUG             # step against the gradient
        history["E"].append(float(loss))
        history["grad"].append(float(grad))
        history["w"].append(float(w))
    return history
