# Ada Lovelace, exercise 3: backpropagation on the 2-2-2 network (a correct submission).
from math import exp


def sig(x):
    return 1.0 / (1.0 + exp(-x))


def forward_222(p):
    out = {}
    out["h1_in"] = p["w1"] * p["i1"] + p["w2"] * p["i2"] + p["b1"]
    out["h2_in"] = p["w3"] * p["i1"] + p["w4"] * p["i2"] + p["b1"]
    out["h1"], out["h2"] = sig(out["h1_in"]), sig(out["h2_in"])
    out["o1_in"] = p["w5"] * out["h1"] + p["w6"] * out["h2"] + p["b2"]
    out["o2_in"] = p["w7"] * out["h1"] + p["w8"] * out["h2"] + p["b2"]
    out["o1"], out["o2"] = sig(out["o1_in"]), sig(out["o2_in"])
    out["E"] = ((out["o1"] - p["t1"]) ** 2 + (out["o2"] - p["t2"]) ** 2) / 2
    return out


def backward_222(p, f):
    r = {}
    for k in (1, 2):
        o = f[f"o{k}"]
        r[f"delta_o{k}"] = (o - p[f"t{k}"]) * o * (1 - o)
    r["delta_h1"] = (r["delta_o1"] * p["w5"] + r["delta_o2"] * p["w7"]) * f["h1"] * (1 - f["h1"])
    r["delta_h2"] = (r["delta_o1"] * p["w6"] + r["delta_o2"] * p["w8"]) * f["h2"] * (1 - f["h2"])
    inputs = {"w1": ("delta_h1", p["i1"]), "w2": ("delta_h1", p["i2"]), "w3": ("delta_h2", p["i1"]),
              "w4": ("delta_h2", p["i2"]), "w5": ("delta_o1", f["h1"]), "w6": ("delta_o1", f["h2"]),
              "w7": ("delta_o2", f["h1"]), "w8": ("delta_o2", f["h2"])}
    for w, (delta, x) in inputs.items():
        r["dE_d" + w] = r[delta] * x
    r["dE_db1"] = r["delta_h1"] + r["delta_h2"]
    r["dE_db2"] = r["delta_o1"] + r["delta_o2"]
    for name in list(inputs) + ["b1", "b2"]:
        r[name + "_new"] = p[name] - p["eta"] * r["dE_d" + name]
    return r
