# Alan Turing, exercise 3: updates each output weight as soon as its gradient is known, so the
# hidden deltas see the updated w5..w8 (a broken submission: one classic mistake).
import math


def sigmoid(z):
    return 1 / (1 + math.exp(-z))


def forward_222(p):
    f = {"h1_in": p["w1"] * p["i1"] + p["w2"] * p["i2"] + p["b1"],
         "h2_in": p["w3"] * p["i1"] + p["w4"] * p["i2"] + p["b1"]}
    f["h1"], f["h2"] = sigmoid(f["h1_in"]), sigmoid(f["h2_in"])
    f["o1_in"] = p["w5"] * f["h1"] + p["w6"] * f["h2"] + p["b2"]
    f["o2_in"] = p["w7"] * f["h1"] + p["w8"] * f["h2"] + p["b2"]
    f["o1"], f["o2"] = sigmoid(f["o1_in"]), sigmoid(f["o2_in"])
    f["E"] = 0.5 * ((f["o1"] - p["t1"]) ** 2 + (f["o2"] - p["t2"]) ** 2)
    return f


def backward_222(p, f):
    w = dict(p)
    g = {"delta_o1": (f["o1"] - p["t1"]) * f["o1"] * (1 - f["o1"]),
         "delta_o2": (f["o2"] - p["t2"]) * f["o2"] * (1 - f["o2"])}
    for k, delta, h in ((5, "delta_o1", "h1"), (6, "delta_o1", "h2"), (7, "delta_o2", "h1"), (8, "delta_o2", "h2")):
        g[f"dE_dw{k}"] = g[delta] * f[h]
        w[f"w{k}"] = p[f"w{k}"] - p["eta"] * g[f"dE_dw{k}"]   # updated right away...
        g[f"w{k}_new"] = w[f"w{k}"]
    # ...and then used here: the hidden deltas should use the weights from before the update
    g["delta_h1"] = (g["delta_o1"] * w["w5"] + g["delta_o2"] * w["w7"]) * f["h1"] * (1 - f["h1"])
    g["delta_h2"] = (g["delta_o1"] * w["w6"] + g["delta_o2"] * w["w8"]) * f["h2"] * (1 - f["h2"])
    for k, delta, x in ((1, "delta_h1", "i1"), (2, "delta_h1", "i2"), (3, "delta_h2", "i1"), (4, "delta_h2", "i2")):
        g[f"dE_dw{k}"] = g[delta] * p[x]
        g[f"w{k}_new"] = p[f"w{k}"] - p["eta"] * g[f"dE_dw{k}"]
    g["dE_db1"] = g["delta_h1"] + g["delta_h2"]
    g["dE_db2"] = g["delta_o1"] + g["delta_o2"]
    g["b1_new"] = p["b1"] - p["eta"] * g["dE_db1"]
    g["b2_new"] = p["b2"] - p["eta"] * g["dE_db2"]
    return g
