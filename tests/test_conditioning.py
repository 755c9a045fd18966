"""The written conditioning rules of gd_linear and backprop_222, checked on 10,000 variants each."""

from __future__ import annotations

from collections import Counter
from fractions import Fraction

import numpy as np

from grader.core.evaluate import as_arrays, batch_quantities
from grader.core.keys import answer_key
from grader.families import FAMILIES
from tests.conftest import roster_variants


def _values(name: str, count: int = 10_000):
    family = FAMILIES[name]
    variants = roster_variants(name, count)
    params = as_arrays([v.numbers for v in variants], family.params)
    return variants, {**params, **batch_quantities(family.derivation(), params)}


def _on_grid(value, step: str) -> bool:
    return (Fraction(int(value.p), int(value.q)) / Fraction(step)).denominator == 1


def test_gd_linear_rules():
    variants, values = _values("gd_linear")
    for v in variants:
        p = v.params
        assert str(p["x"]) in {"1/2", "3/2", "2", "5/2", "3"}
        assert _on_grid(p["t"], "0.25") and p["t"] != 0 and abs(p["t"]) <= 3
        assert _on_grid(p["w0"], "0.25") and abs(p["w0"]) <= 2
        assert abs(p["w0"] - p["t"] / p["x"]) >= Fraction(1, 2)
        assert _on_grid(p["eta"], "0.05") and 0 < p["eta"] <= 12
    r = 1 - values["eta"] * values["x"] ** 2
    assert (r != 0).all() and (r != -1).all() and (r >= -2).all()
    assert (np.abs(values["grad_1"]) >= 0.01).all() and (np.abs(values["grad_2"]) >= 0.01).all()


def test_gd_linear_regimes_are_all_drawn_and_match_the_iterates():
    variants, values = _values("gd_linear", 2000)
    regimes = Counter(answer_key(v)["regime"].value for v in variants[:600])
    assert set(regimes) == {"monotone", "oscillating", "diverging"}
    # Independent oracle: distance to the optimum shrinks / flips sign / grows as the regime says.
    optimum = values["t"] / values["x"]
    d0, d1, d2 = values["w0"] - optimum, values["w_1"] - optimum, values["w_2"] - optimum
    for i, v in enumerate(variants[:600]):
        name = answer_key(v)["regime"].value
        if name == "monotone":
            assert abs(d1[i]) < abs(d0[i]) and d0[i] * d1[i] > 0 and d1[i] * d2[i] > 0
        elif name == "oscillating":
            assert abs(d1[i]) < abs(d0[i]) and d0[i] * d1[i] < 0 and d1[i] * d2[i] < 0
        else:
            assert abs(d2[i]) > abs(d1[i]) > abs(d0[i])


def test_backprop_222_rules():
    variants, values = _values("backprop_222")
    for v in variants[:2000]:
        p = v.params
        assert p["i1"] != p["i2"]
        assert len({p[f"w{k}"] for k in range(1, 9)}) == 8
        assert all(_on_grid(p[f"w{k}"], "0.05") and Fraction(1, 10) <= abs(p[f"w{k}"]) <= 1
                   for k in range(1, 9))
        assert all(_on_grid(p[t], "0.01") and 0 < p[t] < 1 for t in ("t1", "t2"))
    for unit in ("h1", "h2", "o1", "o2"):
        assert ((values[unit] >= 0.05) & (values[unit] <= 0.95)).all()
    assert (np.abs(values["o1"] - values["t1"]) >= 0.1).all()
    assert (np.abs(values["o2"] - values["t2"]) >= 0.1).all()
    for p in ("w1", "w2", "w3", "w4", "w5", "w6", "w7", "w8", "b1", "b2"):
        assert (np.abs(values[f"dE_d{p}"]) >= 0.0005).all(), p
