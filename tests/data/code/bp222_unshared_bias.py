"""Broken on purpose (tests/test_code_broken.py): dE/db1 counts only h1."""

import math


def sigmoid(z):
    """sigma(z) = 1 / (1 + e^(-z)) for one number."""
    return 1 / (1 + math.exp(-z)) if z >= 0 else math.exp(z) / (1 + math.exp(z))


def forward_222(p):
    """The forward pass and the loss for the parameters ``p`` (a dict keyed by the seed's names)."""
    f = {}
    f["h1_in"] = p["w1"] * p["i1"] + p["w2"] * p["i2"] + p["b1"]
    f["h2_in"] = p["w3"] * p["i1"] + p["w4"] * p["i2"] + p["b1"]
    f["h1"] = sigmoid(f["h1_in"])
    f["h2"] = sigmoid(f["h2_in"])
    f["o1_in"] = p["w5"] * f["h1"] + p["w6"] * f["h2"] + p["b2"]
    f["o2_in"] = p["w7"] * f["h1"] + p["w8"] * f["h2"] + p["b2"]
    f["o1"] = sigmoid(f["o1_in"])
    f["o2"] = sigmoid(f["o2_in"])
    f["E"] = 0.5 * ((f["o1"] - p["t1"]) ** 2 + (f["o2"] - p["t2"]) ** 2)
    return f


def backward_222(p, f):
    """Deltas, gradients dE_d<param> and one gradient step <param>_new, from p and forward_222(p)."""
    g = {}
    # E = 1/2 (o1 - t1)^2 + ...      -> dE/do1 = o1 - t1
    # o1 = sigma(o1_in)              -> do1/do1_in = o1 (1 - o1)
    g["delta_o1"] = (f["o1"] - p["t1"]) * f["o1"] * (1 - f["o1"])
    g["delta_o2"] = (f["o2"] - p["t2"]) * f["o2"] * (1 - f["o2"])
    # o1_in = w5 h1 + ..., o2_in = w7 h1 + ... -> h1 reaches E through both outputs
    # h1 = sigma(h1_in)              -> dh1/dh1_in = h1 (1 - h1)
    # (w5, w7 are the weights from *before* the update: nothing has been updated yet)
    g["delta_h1"] = (g["delta_o1"] * p["w5"] + g["delta_o2"] * p["w7"]) * f["h1"] * (1 - f["h1"])
    g["delta_h2"] = (g["delta_o1"] * p["w6"] + g["delta_o2"] * p["w8"]) * f["h2"] * (1 - f["h2"])
    # o1_in = w5 h1 + w6 h2 + b2     -> d o1_in/dw5 = h1, d o1_in/dw6 = h2, d o1_in/db2 = 1
    g["dE_dw5"] = g["delta_o1"] * f["h1"]
    g["dE_dw6"] = g["delta_o1"] * f["h2"]
    g["dE_dw7"] = g["delta_o2"] * f["h1"]
    g["dE_dw8"] = g["delta_o2"] * f["h2"]
    # h1_in = w1 i1 + w2 i2 + b1     -> d h1_in/dw1 = i1, d h1_in/dw2 = i2, d h1_in/db1 = 1
    g["dE_dw1"] = g["delta_h1"] * p["i1"]
    g["dE_dw2"] = g["delta_h1"] * p["i2"]
    g["dE_dw3"] = g["delta_h2"] * p["i1"]
    g["dE_dw4"] = g["delta_h2"] * p["i2"]
    # a shared bias collects the gradient of every unit that uses it
    g["dE_db1"] = g["delta_h1"]  # BUG: b1 is shared
    g["dE_db2"] = g["delta_o1"] + g["delta_o2"]
    # one step of gradient descent on every parameter, all from the gradients above
    for name in ("w1", "w2", "w3", "w4", "w5", "w6", "w7", "w8", "b1", "b2"):
        g[f"{name}_new"] = p[name] - p["eta"] * g[f"dE_d{name}"]
    return g
