"""Every bundled declared family against an independent oracle on 1,000 variants.

The oracle is a second implementation written here in plain numpy from each statement (the
forward pass and the loss), and central finite differences of that loss for every delta and
gradient; updates are recomputed from the statement's rule. Nothing is taken from the
derivation except the answers under test.
"""

from __future__ import annotations

import numpy as np
import pytest

from grader.core.evaluate import as_arrays, batch_quantities
from grader.families import FAMILIES
from tests.conftest import roster_variants

COUNT = 1_000
H = 1e-6


def sig(z):
    return 1 / (1 + np.exp(-z))


def tanh_231(p, shift):
    """Statement of tanh_231: three tanh hidden units, a sigmoid output, E = 1/2 (o1 - t1)^2."""
    out = {}
    weights = {1: ("w1", "w2"), 2: ("w3", "w4"), 3: ("w5", "w6")}
    for j, (a, b) in weights.items():
        out[f"h{j}_in"] = p[a] * p["i1"] + p[b] * p["i2"] + p["b1"] + shift.get(f"h{j}_in", 0)
        out[f"h{j}"] = np.tanh(out[f"h{j}_in"])
    out["o1_in"] = p["w7"] * out["h1"] + p["w8"] * out["h2"] + p["w9"] * out["h3"] + p["b2"] + shift.get("o1_in", 0)
    out["o1"] = sig(out["o1_in"])
    out["E"] = 0.5 * (out["o1"] - p["t1"]) ** 2
    return out


def softmax_ce(p, shift):
    """Statement of softmax_ce: z = W x + b, p = softmax(z), E = -sum y ln p."""
    out = {}
    for k in (1, 2, 3):
        out[f"z{k}"] = p[f"w{k}1"] * p["x1"] + p[f"w{k}2"] * p["x2"] + p[f"b{k}"] + shift.get(f"z{k}", 0)
    z = np.stack([out["z1"], out["z2"], out["z3"]])
    e = np.exp(z - z.max(axis=0))
    probs = e / e.sum(axis=0)
    for k in (1, 2, 3):
        out[f"p{k}"] = probs[k - 1]
    out["E"] = -sum(p[f"y{k}"] * np.log(out[f"p{k}"]) for k in (1, 2, 3))
    return out


def net_222(p, shift):
    """Statement of backprop_222 and decay_222 (seed 000's 2-2-2 network; decay_222's decay is in the update)."""
    out = {}
    out["h1_in"] = p["w1"] * p["i1"] + p["w2"] * p["i2"] + p["b1"] + shift.get("h1_in", 0)
    out["h2_in"] = p["w3"] * p["i1"] + p["w4"] * p["i2"] + p["b1"] + shift.get("h2_in", 0)
    out["h1"], out["h2"] = sig(out["h1_in"]), sig(out["h2_in"])
    out["o1_in"] = p["w5"] * out["h1"] + p["w6"] * out["h2"] + p["b2"] + shift.get("o1_in", 0)
    out["o2_in"] = p["w7"] * out["h1"] + p["w8"] * out["h2"] + p["b2"] + shift.get("o2_in", 0)
    out["o1"], out["o2"] = sig(out["o1_in"]), sig(out["o2_in"])
    out["E"] = 0.5 * ((out["o1"] - p["t1"]) ** 2 + (out["o2"] - p["t2"]) ** 2)
    return out


NETWORKS = {"tanh_231": tanh_231, "softmax_ce": softmax_ce, "decay_222": net_222, "backprop_222": net_222}


def _fd(loss, p, name=None, at=None):
    """Central difference of the loss in a parameter (``name``) or a unit's input (``at``)."""
    if name is not None:
        step = H * np.maximum(1, np.abs(p[name]))
        return (loss({**p, name: p[name] + step}, {}) - loss({**p, name: p[name] - step}, {})) / (2 * step)
    return (loss(p, {at: H}) - loss(p, {at: -H})) / (2 * H)


def oracle(name: str, p: dict[str, np.ndarray], answer: str) -> np.ndarray:
    """The value of one answer of a network family from the statement alone."""
    forward = NETWORKS[name]
    values = forward(p, {})
    loss = lambda q, s: forward(q, s)["E"]  # noqa: E731
    if answer in values:
        return values[answer]
    if answer.startswith("delta_"):
        unit = answer.removeprefix("delta_")
        return _fd(loss, p, at=f"{unit}_in" if f"{unit}_in" in values else unit)
    if answer.startswith("dEreg_d"):
        param = answer.removeprefix("dEreg_d")
        return _fd(loss, p, name=param) + p["lam"] * p[param]
    if answer.startswith("dE_d"):
        return _fd(loss, p, name=answer.removeprefix("dE_d"))
    param = answer.removesuffix("_new")
    gradient = _fd(loss, p, name=param)
    if name == "decay_222" and param.startswith("w"):
        gradient = gradient + p["lam"] * p[param]
    return p[param] - p["eta"] * gradient


def _batch(name: str):
    family = FAMILIES[name]
    variants = roster_variants(name, COUNT)
    params = as_arrays([v.numbers for v in variants], family.params)
    return family, params, batch_quantities(family.derivation(), params)


@pytest.mark.parametrize("name", sorted(NETWORKS))
def test_network_families_agree_with_numpy_and_finite_differences(name):
    family, params, key = _batch(name)
    numeric = [a.id for a in family.answers if a.kind == "numeric"]
    assert len(numeric) >= 10 and len(next(iter(params.values()))) == COUNT
    for answer in numeric:
        np.testing.assert_allclose(key[answer], oracle(name, params, answer), rtol=1e-6, atol=1e-9,
                                   err_msg=f"{name}: {answer}")


def test_momentum_linear_agrees_with_a_plain_loop_and_finite_differences():
    family, p, key = _batch("momentum_linear")
    w, v = p["w"].copy(), p["v0"].copy()

    def loss(weight):
        return 0.5 * (weight * p["x"] - p["t"]) ** 2

    for k in (1, 2):
        gradient = (loss(w + H) - loss(w - H)) / (2 * H)
        v = p["mu"] * v + gradient
        expected = {"pred": w * p["x"], "E": loss(w), "dE_dw": gradient, "v_w": v, "w": w - p["eta"] * v}
        for stem, value in expected.items():
            np.testing.assert_allclose(key[f"{stem}_{k}"], value, rtol=1e-6, atol=1e-9, err_msg=f"{stem}_{k}")
        w = expected["w"]


def test_the_oracle_notices_a_wrong_rule():
    """The oracle can fail: tanh_231 under a dropped activation derivative disagrees with it."""
    from grader.core.evaluate import batch_quantities
    from grader.core.model import Rules

    family, params, key = _batch("tanh_231")
    wrong = batch_quantities(family.derivation(Rules(activation_derivative=False)), params)
    assert not np.allclose(wrong["delta_h1"], oracle("tanh_231", params, "delta_h1"), rtol=1e-3)
    dropped = (key["o1"] - params["t1"]) * params["w7"]  # both sigma' and tanh' left out of the chain
    np.testing.assert_allclose(wrong["delta_h1"], dropped, rtol=1e-9)
