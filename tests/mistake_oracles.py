"""Second implementations of every family's key and of its typical mistakes, in plain numpy.

Written from the statements' formulas, loop by loop, with one switch per mistake; nothing
here comes from the grader's derivation. Each oracle takes float arrays of a batch's
parameters and a mistake name (None for the key) and returns every answer as an array.
``GUARDED`` lists, per family, each mistake with the answers it must be kept away from.
"""

from __future__ import annotations

import numpy as np


def sigma(z):
    return 1 / (1 + np.exp(-z))


def backprop_222(p, mistake=None):
    """Seed 000's 2-2-2 network; ``mistake`` switches one step."""
    linear = mistake == "activation_forgotten"
    act = (lambda z: z) if linear else sigma
    v = {}
    v["h1_in"] = p["w1"] * p["i1"] + p["w2"] * p["i2"] + p["b1"]
    v["h2_in"] = p["w3"] * p["i1"] + p["w4"] * p["i2"] + p["b1"]
    h1, h2 = v["h1"], v["h2"] = act(v["h1_in"]), act(v["h2_in"])
    v["o1_in"] = p["w5"] * h1 + p["w6"] * h2 + p["b2"]
    v["o2_in"] = p["w7"] * h1 + p["w8"] * h2 + p["b2"]
    o1, o2 = v["o1"], v["o2"] = act(v["o1_in"]), act(v["o2_in"])
    scale = {"half_forgotten": 1.0, "half_doubled": 0.25}.get(mistake, 0.5)
    v["E"] = scale * ((o1 - p["t1"]) ** 2 + (o2 - p["t2"]) ** 2)
    dropped = mistake == "activation_derivative_dropped"
    d1 = 2 * scale * (o1 - p["t1"]) * (1 if dropped else o1 * (1 - o1))
    d2 = 2 * scale * (o2 - p["t2"]) * (1 if dropped else o2 * (1 - o2))
    hidden_prime = mistake not in ("activation_derivative_dropped", "hidden_activation_derivative_dropped")
    w = {k: p[k] for k in ("w5", "w6", "w7", "w8")}
    if mistake == "updated_weights_in_deltas":
        right = backprop_222(p)
        w = {k: right[f"{k}_new"] for k in w}
    if mistake == "wrong_weight_index":
        w = {"w5": p["w6"], "w6": p["w5"], "w7": p["w8"], "w8": p["w7"]}
    e1 = (d1 * w["w5"] + d2 * w["w7"]) * (h1 * (1 - h1) if hidden_prime else 1)
    e2 = (d1 * w["w6"] + d2 * w["w8"]) * (h2 * (1 - h2) if hidden_prime else 1)
    v.update(delta_o1=d1, delta_o2=d2, delta_h1=e1, delta_h2=e2)
    inner = mistake != "inner_derivative_dropped"
    inputs = {"w1": p["i1"], "w2": p["i2"], "w3": p["i1"], "w4": p["i2"], "w5": h1, "w6": h2, "w7": h1, "w8": h2}
    deltas = {"w1": e1, "w2": e1, "w3": e2, "w4": e2, "w5": d1, "w6": d1, "w7": d2, "w8": d2}
    for name in inputs:
        v[f"dE_d{name}"] = deltas[name] * (inputs[name] if inner else 1)
    one = mistake == "bias_one_delta"
    v["dE_db1"] = e1 if one else e1 + e2
    v["dE_db2"] = d1 if one else d1 + d2
    sign = 1 if mistake == "step_added" else -1
    for name in (*inputs, "b1", "b2"):
        v[f"{name}_new"] = p[name] + sign * p["eta"] * v[f"dE_d{name}"]
    return v


def deep_chain(p, mistake=None, layers=3):
    """Seed 002's chain of one-neuron sigmoid layers."""
    act = (lambda z: z) if mistake == "activation_forgotten" else sigma
    v, a = {}, p["x"]
    inputs = {}
    for k in range(1, layers + 1):
        inputs[k] = a
        v[f"z_{k}"] = p[f"w_{k}"] * a + p[f"b_{k}"]
        a = v[f"a_{k}"] = act(v[f"z_{k}"])
    scale = {"half_forgotten": 1.0, "half_doubled": 0.25}.get(mistake, 0.5)
    v["E"] = scale * (a - p["y"]) ** 2
    dropped_everywhere = mistake == "activation_derivative_dropped"
    delta = 2 * scale * (a - p["y"]) * (1 if dropped_everywhere else a * (1 - a))
    right = deep_chain(p, layers=layers) if mistake == "updated_weights_in_deltas" else None
    for k in range(layers, 0, -1):
        if k < layers:
            weight = p[f"w_{k + 1}"]
            if right is not None:
                weight = right[f"w_{k + 1}_new"]
            if mistake == "wrong_layer_weight":
                weight = p[f"w_{k}"]
            ak = v[f"a_{k}"]
            prime = 1 if mistake in ("activation_derivative_dropped", "hidden_activation_derivative_dropped") \
                else ak * (1 - ak)
            delta = delta * weight * prime
        v[f"delta_{k}"] = delta
        v[f"dE_dw_{k}"] = delta * (1 if mistake == "inner_derivative_dropped" else inputs[k])
        v[f"dE_db_{k}"] = delta
    sign = 1 if mistake == "step_added" else -1
    for k in range(1, layers + 1):
        for name in (f"w_{k}", f"b_{k}"):
            v[f"{name}_new"] = p[name] + sign * p["eta"] * v[f"dE_d{name}"]
    return v


def gd_linear(p, mistake=None, epochs=2):
    """Seed 000's gradient descent on f(x) = w x, and the learning rate where it diverges."""
    scale = {"half_forgotten": 1.0, "half_doubled": 0.25}.get(mistake, 0.5)
    inner = mistake != "inner_derivative_dropped"
    sign = 1 if mistake == "step_added" else -1
    v, w = {}, p["w0"]
    for k in range(1, epochs + 1):
        pred = v[f"pred_{k}"] = w * p["x"]
        v[f"E_{k}"] = scale * (pred - p["t"]) ** 2
        grad = v[f"grad_{k}"] = 2 * scale * (pred - p["t"]) * (p["x"] if inner else 1)
        w = v[f"w_{k}"] = w + sign * p["eta"] * grad
    # w_k - w* = r^k (w0 - w*), r = 1 + sign * eta * 2 scale x (x or 1): diverges where r = -1
    slope = 2 * scale * p["x"] * (p["x"] if inner else 1)
    v["eta_max"] = -2 / (sign * slope)
    return v


def local_minima(p, mistake=None, steps=3):
    """Seed 002's tilted double well, three steps of descent."""
    scale = {"half_forgotten": 1.0, "half_doubled": 0.25}.get(mistake, 0.5)
    sign = 1 if mistake == "step_added" else -1
    v, w = {}, p["w0"]
    for k in range(steps):
        grad = v[f"grad_{k}"] = 4 * scale * w * (w**2 - p["a"]) + p["s"]
        w = v[f"w_{k + 1}"] = w + sign * p["eta"] * grad
    return v


OUTER = {  # f and f' by the index of grader.families.chain_rule.OUTER
    0: (sigma, lambda g: sigma(g) * (1 - sigma(g))),
    1: (np.tanh, lambda g: 1 - np.tanh(g) ** 2),
    2: (np.log, lambda g: 1 / g),
    3: (lambda g: g**2, lambda g: 2 * g),
    4: (lambda g: g**3, lambda g: 3 * g**2),
    5: (lambda g: 1 / g, lambda g: -1 / g**2),
}
INNER = {  # p and p' by the index of grader.families.chain_rule.INNER
    0: (lambda u: u, lambda u: np.ones_like(u)),
    1: OUTER[0], 2: OUTER[1],
    3: (np.exp, np.exp),
    4: OUTER[2], 5: OUTER[3], 6: OUTER[4], 7: OUTER[5],
}


def _by_structure(table, index, argument, which):
    """table[index][which](argument) row by row (the structure differs per variant)."""
    out = np.empty_like(argument)
    for key, functions in table.items():
        rows = index == key
        with np.errstate(all="ignore"):
            out[rows] = functions[which](argument[rows])
    return out


def chain_rule(p, mistake=None):
    """Seed 001's h = f(p(a x + b)) at x0, by the table of derivatives."""
    u = p["a"] * p["x0"] + p["b"]
    g = _by_structure(INNER, p["inner"], u, 0)
    inner_prime = _by_structure(INNER, p["inner"], u, 1)
    dg = inner_prime * (1 if mistake == "inner_derivative_dropped" else p["a"])
    at = p["x0"] if mistake == "derivative_at_x0" else g
    df = _by_structure(OUTER, p["outer"], at, 1)
    h = _by_structure(OUTER, p["outer"], g, 0)
    dh = df if mistake == "inner_derivative_dropped" else df * dg
    return {"g_value": g, "dg_dx_value": dg, "df_dg_value": df, "h_value": h, "dh_dx_value": dh}


def gradient_meaning(p, mistake=None):
    """Seed 003's q1: one step of gradient descent."""
    step = (1 if mistake == "step_added" else -1) * p["eta"] * p["g"]
    return {"delta_w": step, "w_new": p["w"] + step}


ORACLES = {
    "backprop_222": backprop_222, "deep_chain": deep_chain, "gd_linear": gd_linear,
    "local_minima": local_minima, "chain_rule": chain_rule, "gradient_meaning": gradient_meaning,
}

_222_UPDATES = tuple(f"{p}_new" for p in (*(f"w{k}" for k in range(1, 9)), "b1", "b2"))
_222_GRADIENTS = tuple(f"dE_d{p}" for p in (*(f"w{k}" for k in range(1, 9)), "b1", "b2"))
_DEEP_UPDATES = tuple(f"{p}_new" for k in (1, 2, 3) for p in (f"w_{k}", f"b_{k}"))
ALL = None  # every answer the mistake changes

# family -> mistake -> the answers on which that mistake must be well outside the tolerance
GUARDED = {
    "backprop_222": {
        "half_forgotten": ALL, "half_doubled": ALL, "activation_derivative_dropped": ALL,
        "hidden_activation_derivative_dropped": ALL, "inner_derivative_dropped": ALL,
        "step_added": ALL, "updated_weights_in_deltas": ALL, "activation_forgotten": ALL,
        "wrong_weight_index": ("delta_h1", "delta_h2", "dE_dw1", "dE_dw2", "dE_dw3", "dE_dw4",
                               "w1_new", "w2_new", "w3_new", "w4_new"),
        "bias_one_delta": ("dE_db1", "dE_db2", "b1_new", "b2_new"),
    },
    "deep_chain": {
        "half_forgotten": ALL, "half_doubled": ALL, "activation_derivative_dropped": ALL,
        "hidden_activation_derivative_dropped": ALL, "inner_derivative_dropped": ALL,
        "step_added": ALL, "updated_weights_in_deltas": ALL, "activation_forgotten": ALL,
        "wrong_layer_weight": ALL,
    },
    "gd_linear": {"half_forgotten": ALL, "half_doubled": ALL, "inner_derivative_dropped": ALL,
                  "step_added": ALL},
    "local_minima": {"half_forgotten": ALL, "half_doubled": ALL, "step_added": ALL},
    "chain_rule": {"derivative_at_x0": ALL, "inner_derivative_dropped": ALL},
    "gradient_meaning": {"step_added": ALL},
}
UPDATES = {
    "backprop_222": dict(zip(_222_UPDATES, (u[:-4] for u in _222_UPDATES), strict=True)),
    "deep_chain": dict(zip(_DEEP_UPDATES, (u[:-4] for u in _DEEP_UPDATES), strict=True)),
    "gd_linear": {"w_1": "w0", "w_2": "w_1"},
    "local_minima": {"w_1": "w0", "w_2": "w_1", "w_3": "w_2"},
}
