"""The seed articles' worked examples come out of the canonical variants exactly."""

from __future__ import annotations

import mpmath
import pytest
import sympy

from grader.core.keys import answer_key
from grader.core.variants import canonical
from grader.families import FAMILIES

R = sympy.Rational


def test_gd_linear_reproduces_seed_000_as_exact_rationals():
    """Seed 000: x=1, t=1, w0=0, eta=0.5 gives w 0 -> 0.5 -> 0.75, E 0.5 then 0.125."""
    key = answer_key(canonical(FAMILIES["gd_linear"]))
    printed = {
        "pred_1": R(0), "E_1": R(1, 2), "grad_1": R(-1), "w_1": R(1, 2),
        "pred_2": R(1, 2), "E_2": R(1, 8), "grad_2": R(-1, 2), "w_2": R(3, 4),
        "eta_max": R(2),
    }
    for answer_id, value in printed.items():
        assert sympy.Rational(key[answer_id].exact) == value, answer_id
    assert key["regime"].value == "monotone"
    x, w, t = sympy.symbols("x w t")
    assert sympy.simplify(sympy.sympify(key["dE_dw_expr"].exact) - x * (w * x - t)) == 0


# Published values of this network (Mazur, "A Step by Step Backpropagation Example"),
# to the digits printed there; the seed uses the same network, names and numbers.
PUBLISHED = {
    "h1": "0.593269992", "h2": "0.596884378", "o1": "0.75136507", "o2": "0.772928465",
    "E": "0.298371109", "delta_o1": "0.138498562", "dE_dw5": "0.082167041",
    "w5_new": "0.35891648", "w6_new": "0.408666186", "w7_new": "0.511301270",
    "w8_new": "0.561370121", "dE_dw1": "0.000438568", "w1_new": "0.149780716",
    "w2_new": "0.19956143", "w3_new": "0.24975114", "w4_new": "0.29950229",
}


@pytest.mark.parametrize("answer_id", sorted(PUBLISHED))
def test_backprop_222_matches_the_published_worked_example(answer_id):
    key = answer_key(canonical(FAMILIES["backprop_222"]))
    printed = PUBLISHED[answer_id]
    half_unit = 0.5 * 10.0 ** -len(printed.split(".")[1])  # the printed values are rounded
    assert abs(float(key[answer_id].exact) - float(printed)) <= half_unit * (1 + 1e-9)


def reference_222(p: dict[str, mpmath.mpf]) -> dict[str, mpmath.mpf]:
    """A second implementation of seed 000's network, written out by hand in mpmath."""
    def s(z):
        return 1 / (1 + mpmath.exp(-z))
    v = dict(p)
    v["h1_in"] = p["w1"] * p["i1"] + p["w2"] * p["i2"] + p["b1"]
    v["h2_in"] = p["w3"] * p["i1"] + p["w4"] * p["i2"] + p["b1"]
    v["h1"], v["h2"] = s(v["h1_in"]), s(v["h2_in"])
    v["o1_in"] = p["w5"] * v["h1"] + p["w6"] * v["h2"] + p["b2"]
    v["o2_in"] = p["w7"] * v["h1"] + p["w8"] * v["h2"] + p["b2"]
    v["o1"], v["o2"] = s(v["o1_in"]), s(v["o2_in"])
    v["E"] = ((v["o1"] - p["t1"]) ** 2 + (v["o2"] - p["t2"]) ** 2) / 2
    d1 = (v["o1"] - p["t1"]) * v["o1"] * (1 - v["o1"])
    d2 = (v["o2"] - p["t2"]) * v["o2"] * (1 - v["o2"])
    e1 = (d1 * p["w5"] + d2 * p["w7"]) * v["h1"] * (1 - v["h1"])
    e2 = (d1 * p["w6"] + d2 * p["w8"]) * v["h2"] * (1 - v["h2"])
    grads = {
        "w1": e1 * p["i1"], "w2": e1 * p["i2"], "w3": e2 * p["i1"], "w4": e2 * p["i2"],
        "w5": d1 * v["h1"], "w6": d1 * v["h2"], "w7": d2 * v["h1"], "w8": d2 * v["h2"],
        "b1": e1 + e2, "b2": d1 + d2,
    }
    v.update(delta_o1=d1, delta_o2=d2, delta_h1=e1, delta_h2=e2)
    for name, g in grads.items():
        v[f"dE_d{name}"] = g
        v[f"{name}_new"] = p[name] - p["eta"] * g
    return v


def test_backprop_222_canonical_agrees_with_a_second_implementation_to_15_digits():
    family = FAMILIES["backprop_222"]
    with mpmath.workdps(40):
        reference = reference_222({k: mpmath.mpf(v) for k, v in family.canonical.items()})
        key = answer_key(canonical(family))
        checked = 0
        for answer_id, entry in key.items():
            if entry.kind == "numeric":
                expected = reference[answer_id]
                assert abs(mpmath.mpf(entry.exact) - expected) <= abs(expected) * mpmath.mpf(1e-25)
                checked += 1
    assert checked == 33
