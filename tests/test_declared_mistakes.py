"""Named mistakes of declared families: the update rule's own (momentum: the velocity not carried, the
momentum term's sign flipped; weight decay: the decay term forgotten or applied twice), and the
dropped activation derivative named after the family's activation (σ′, tanh′, ReLU′) in both languages.

The mistaken values are recomputed here in numpy from each statement, with the mistake made on
purpose; nothing is taken from the derivation under test.
"""

from __future__ import annotations

import numpy as np
import pytest

from grader.core.evaluate import as_arrays, update_baseline
from grader.core.grading import expectation, expectations, grade
from grader.core.keys import answer_key
from grader.core.mistakes import GAP, mistake_fields
from grader.core.variants import canonical
from grader.declared import loads
from grader.families import FAMILIES
from grader.text.messages import mistake_text
from tests.conftest import roster_variants
from tests.test_declared import mini
from tests.test_declared_oracle import H, net_222

COUNT = 1_000
SCALE = {None: 1, "velocity_not_carried": 0, "momentum_sign_flipped": -1, "decay_forgotten": 0, "decay_doubled": 2}


def momentum_linear(p, mistake=None):
    """Statement of momentum_linear: E = 1/2 (w x - t)^2, v <- mu v + dE/dw, w <- w - eta v, two epochs."""
    w, v, out = p["w"], p["v0"], {}
    for k in (1, 2):
        gradient = (w * p["x"] - p["t"]) * p["x"]
        v = SCALE[mistake] * p["mu"] * v + gradient
        out |= {f"pred_{k}": w * p["x"], f"E_{k}": 0.5 * (w * p["x"] - p["t"]) ** 2, f"dE_dw_{k}": gradient,
                f"v_w_{k}": v}
        w = out[f"w_{k}"] = w - p["eta"] * v
    return out


def decay_222(p, mistake=None):
    """Statement of decay_222: dEreg/dw = dE/dw + lam w for the weights (central differences of E)."""
    out = {}
    for weight in ("w5", "w1"):
        step = H * np.maximum(1, np.abs(p[weight]))
        gradient = (net_222({**p, weight: p[weight] + step}, {})["E"]
                    - net_222({**p, weight: p[weight] - step}, {})["E"]) / (2 * step)
        out[f"dEreg_d{weight}"] = gradient + SCALE[mistake] * p["lam"] * p[weight]
        out[f"{weight}_new"] = p[weight] - p["eta"] * out[f"dEreg_d{weight}"]
    return out


ORACLES = {"momentum_linear": momentum_linear, "decay_222": decay_222}
MADE = {
    # v_w_1 without the velocity is dE_dw_1, an answer of its own: the grader names neither there
    "momentum_linear": [("velocity_not_carried", a) for a in ("w_1", "v_w_2", "w_2")]
                       + [("momentum_sign_flipped", a) for a in ("v_w_1", "w_1", "v_w_2", "w_2")],
    "decay_222": [(m, a) for m in ("decay_forgotten", "decay_doubled")
                  for a in ("dEreg_dw5", "dEreg_dw1", "w5_new", "w1_new")],
}


@pytest.mark.parametrize("name", sorted(ORACLES))
def test_update_rule_mistakes_are_named_only_where_made_and_kept_outside_the_tolerance(name):
    """A value made with mistake M is named M or nothing, never another name, and M is named in at
    least 40 % of the variants where it changes the answer; every such value is at least 2 % from the
    key (an update: 2 % of its step), so none earns the marks; the key itself is never named."""
    family = FAMILIES[name]
    variants = roster_variants(name, COUNT)
    p = as_arrays([v.numbers for v in variants], family.params)
    key = ORACLES[name](p)
    made = {(m, a): ORACLES[name](p, m)[a] for m, a in MADE[name]}
    named, changed = dict.fromkeys(made, 0), dict.fromkeys(made, 0)
    for row, expected in enumerate(expectations(family, variants)):
        for (mistake, a), values in made.items():
            if abs(values[row] - key[a][row]) <= 1e-9 * abs(key[a][row]):
                continue
            changed[(mistake, a)] += 1
            baseline = update_baseline(family.derivation(), a)
            origin = expected.values[baseline] if baseline else 0.0
            assert abs(values[row] - key[a][row]) >= GAP * abs(key[a][row] - origin) * 0.999, (row, mistake, a)
            result = grade(expected, {a: f"{values[row]:.8g}"}).answer(a)
            assert result.status == "incorrect" and result.mistake in (mistake, None), (row, mistake, a, result)
            named[(mistake, a)] += result.mistake == mistake
        result = grade(expected, {a: f"{key[a][row]:.8g}" for _, a in made})
        assert all(result.answer(a).status == "correct" and result.answer(a).mistake is None for _, a in made)
    assert all(named[case] >= 0.4 * changed[case] > 0 for case in made), {c: (named[c], changed[c]) for c in made}


def test_a_regularized_gradient_formula_without_the_decay_term_is_named():
    v = canonical(FAMILIES["decay_222"])
    result = grade(expectation(v), {"dEreg_dw5_expr": "delta_o1*h1"}).answer("dEreg_dw5_expr")
    assert result.mistake == "decay_forgotten" and "λw" in result.feedback


def test_a_dropped_tanh_derivative_names_tanh_prime_in_both_languages():
    """tanh_231 with tanh' left out of the hidden delta: delta_h1 = delta_o1 w7, from the statement."""
    v = canonical(FAMILIES["tanh_231"])
    p = {k: float(x) for k, x in v.numbers.items()}
    h = [np.tanh(p[a] * p["i1"] + p[b] * p["i2"] + p["b1"]) for a, b in (("w1", "w2"), ("w3", "w4"), ("w5", "w6"))]
    o = 1 / (1 + np.exp(-(p["w7"] * h[0] + p["w8"] * h[1] + p["w9"] * h[2] + p["b2"])))
    dropped = (o - p["t1"]) * o * (1 - o) * p["w7"]
    assert abs(dropped - answer_key(v)["delta_h1"].value) > 0.05 * abs(dropped)
    for lang, words in (("en", "tanh′ = 1 − h²"), ("zh", "激活函数的导数 tanh′ = 1 − h²")):
        result = grade(expectation(v), {"delta_h1": f"{dropped:.6g}"}, lang=lang).answer("delta_h1")
        assert result.mistake == "hidden_activation_derivative_dropped" and words in result.feedback, result


def test_a_dropped_sigmoid_derivative_names_sigma_prime():
    v = canonical(FAMILIES["backprop_222"])
    key = answer_key(v)
    dropped = key["o1"].value - float(v.numbers["t1"])  # delta_o1 without o1 (1 - o1)
    for lang in ("en", "zh"):
        result = grade(expectation(v), {"delta_o1": f"{dropped:.6g}"}, lang=lang).answer("delta_o1")
        assert result.mistake == "activation_derivative_dropped" and "σ′ = a(1 − a)" in result.feedback, result


def test_the_dropped_derivative_is_named_after_each_family_activation():
    relu = loads(mini())
    assert mistake_fields(relu, "activation_derivative_dropped") == (("derivative", "ReLU′ = 1[z > 0]"),)
    assert mistake_fields(FAMILIES["tanh_231"], "hidden_activation_derivative_dropped") == (
        ("derivative", "tanh′ = 1 − h²"),)
    assert "softmax′" in dict(mistake_fields(FAMILIES["softmax_ce"], "activation_derivative_dropped"))["derivative"]
    assert mistake_fields(FAMILIES["tanh_231"], "half_forgotten") == ()
    fields = dict(mistake_fields(relu, "activation_derivative_dropped"))
    assert "ReLU′" in mistake_text("activation_derivative_dropped", "en", **fields)
    assert "ReLU′" in mistake_text("activation_derivative_dropped", "zh", **fields)
