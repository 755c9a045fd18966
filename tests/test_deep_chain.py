"""deep_chain against independent oracles: the seed's forward_backward loop, sympy.diff of E."""

from __future__ import annotations

from fractions import Fraction

import mpmath
import pytest
import sympy

from grader.core.evaluate import as_arrays, batch_quantities
from grader.core.keys import answer_key
from grader.core.model import Rules
from grader.core.rng import Draws
from grader.core.variants import MAX_ATTEMPTS, _well_conditioned, canonical
from grader.families import FAMILIES, deep_chain
from tests.conftest import roster_variants

FAMILY = FAMILIES["deep_chain"]
L = deep_chain.LAYERS
LAYERS = range(1, L + 1)
mpmath.mp.dps = 40


def mp(value) -> mpmath.mpf:
    """An exact rational (sympy or Fraction) as an mpmath number."""
    value = Fraction(str(value))
    return mpmath.mpf(value.numerator) / value.denominator


def forward_backward(params) -> dict[str, mpmath.mpf]:
    """The seed's loop, written out in plain mpmath: forward, deltas back, gradients, updates."""
    p = {k: mp(v) for k, v in params.items()}
    w = [None, *(p[f"w_{k}"] for k in LAYERS)]
    b = [None, *(p[f"b_{k}"] for k in LAYERS)]
    a, z = [p["x"]], [None]
    for k in LAYERS:
        z.append(w[k] * a[k - 1] + b[k])
        a.append(1 / (1 + mpmath.exp(-z[k])))
    out = {f"{n}_{k}": v[k] for k in LAYERS for n, v in (("z", z), ("a", a))}
    out["E"] = (a[L] - p["y"]) ** 2 / 2
    delta = {L: (a[L] - p["y"]) * a[L] * (1 - a[L])}
    for k in range(L - 1, 0, -1):
        delta[k] = delta[k + 1] * w[k + 1] * a[k] * (1 - a[k])
    for k in LAYERS:
        out[f"delta_{k}"] = delta[k]
        out[f"dE_dw_{k}"] = delta[k] * a[k - 1]
        out[f"w_{k}_new"] = w[k] - p["eta"] * delta[k] * a[k - 1]
        out[f"b_{k}_new"] = b[k] - p["eta"] * delta[k]
    return out


def test_canonical_variant_matches_the_loop():
    v = canonical(FAMILY)
    key, expected = answer_key(v), forward_backward(v.params)
    assert set(expected) == {a.id for a in FAMILY.answers if a.kind == "numeric"}
    for answer_id, value in expected.items():
        assert mpmath.almosteq(mpmath.mpf(key[answer_id].exact), value, rel_eps=1e-25), answer_id


def test_random_variants_match_the_loop_exactly_and_in_batch():
    variants = roster_variants("deep_chain", 1000)
    values = batch_quantities(FAMILY.derivation(),
                              as_arrays([v.numbers for v in variants], FAMILY.params))
    for i, v in enumerate(variants):
        expected = forward_backward(v.params)
        key = answer_key(v) if i < 100 else None
        for answer_id, value in expected.items():
            assert values[answer_id][i] == pytest.approx(float(value), rel=1e-9), answer_id
            if key:
                assert mpmath.almosteq(mpmath.mpf(key[answer_id].exact), value, rel_eps=1e-25)


def _loss_in_parameters() -> tuple[sympy.Expr, dict[str, sympy.Symbol]]:
    """E written out as one expression in x, y, w_l, b_l (sigmoid as 1/(1 + e^-z))."""
    names = {n: sympy.Symbol(n) for n in deep_chain.PARAMS}
    activation = names["x"]
    for k in LAYERS:
        activation = 1 / (1 + sympy.exp(-(names[f"w_{k}"] * activation + names[f"b_{k}"])))
    return (activation - names["y"]) ** 2 / 2, names


@pytest.mark.parametrize("parameter", deep_chain.TRAINABLE)
def test_gradients_agree_with_sympy_diff_of_the_expanded_loss(parameter):
    loss, names = _loss_in_parameters()
    derivative = sympy.diff(loss, names[parameter])
    for v in roster_variants("deep_chain", 1000)[:25]:
        key = answer_key(v)
        at = {names[k]: p for k, p in v.params.items()}
        want = derivative.xreplace(at).evalf(40)
        got = key[f"dE_d{parameter}"].exact if parameter.startswith("w") else None
        if got is None:  # dE/db_l is delta_l, which is the answer asked for
            got = key[f"delta_{parameter[2:]}"].exact
        assert mpmath.almosteq(mpmath.mpf(got), mpmath.mpf(str(want)), rel_eps=1e-25)


def test_delta_formulas_are_the_seed_recursion():
    derivation = FAMILY.derivation()
    a = {k: sympy.Symbol(f"a_{k}") for k in LAYERS}
    y = sympy.Symbol("y")
    assert sympy.expand(derivation.symbolic["delta_L_expr"].expr
                        - (a[L] - y) * a[L] * (1 - a[L])) == 0
    expected = (a[L] - y) * a[L] * (1 - a[L])
    for k in range(L - 1, 0, -1):
        expected *= sympy.Symbol(f"w_{k + 1}") * a[k] * (1 - a[k])
        recursion = derivation.quantity(f"delta_{k}")
        assert sympy.expand(recursion - sympy.Symbol(f"delta_{k + 1}") * sympy.Symbol(f"w_{k + 1}")
                            * a[k] * (1 - a[k])) == 0
    assert sympy.expand(derivation.symbolic["delta_1_expr"].expr - expected) == 0


def test_delta_1_formula_evaluates_to_the_key():
    for v in roster_variants("deep_chain", 1000)[:20]:
        key = answer_key(v)
        expr = sympy.sympify(key["delta_1_expr"].exact)
        values = {s: sympy.sympify(key[str(s)].exact) if str(s) in key else v.params[str(s)]
                  for s in expr.free_symbols}
        assert mpmath.almosteq(mpmath.mpf(str(expr.xreplace(values).evalf(40))),
                               mpmath.mpf(key["delta_1"].exact), rel_eps=1e-25)


@pytest.mark.parametrize(
    ("rules", "check"),
    [
        (Rules(update_sign=1), lambda right, wrong: wrong["w_1_new"] - right["w_1"]
         == pytest.approx(right["w_1"] - right["w_1_new"])),
        (Rules(loss_scale=sympy.Integer(1)), lambda right, wrong: wrong["delta_1"]
         == pytest.approx(2 * right["delta_1"])),
        (Rules(activation_derivative=False), lambda right, wrong: wrong[f"delta_{L}"]
         == pytest.approx(right[f"a_{L}"] - right["y"])),
    ],
    ids=["step_added", "half_forgotten", "sigma_prime_dropped"],
)
def test_the_derivation_honours_the_rules(rules, check):
    variants = roster_variants("deep_chain", 1000)[:50]
    params = as_arrays([v.numbers for v in variants], FAMILY.params)
    right = {**params, **batch_quantities(FAMILY.derivation(), params)}
    wrong = {**params, **batch_quantities(FAMILY.derive(rules), params)}
    for i in range(len(variants)):
        assert check({k: c[i] for k, c in right.items()}, {k: c[i] for k, c in wrong.items()})


def test_written_rules_hold_on_ten_thousand_variants():
    variants = roster_variants("deep_chain", 10_000)
    for v in variants:
        p = {k: Fraction(str(value)) for k, value in v.params.items()}
        assert (p["x"] * 10).denominator == 1 and Fraction(1, 2) <= abs(p["x"]) <= 2
        assert abs(p["x"]) != 1
        assert (p["y"] * 100).denominator == 1 and 0 < p["y"] < 1
        weights = [p[w] for w in deep_chain.WEIGHTS]
        assert len(set(weights)) == L
        assert all((w * 10).denominator == 1 and 1 <= abs(w) <= 3 for w in weights)
        assert all((p[b] * 10).denominator == 1 and abs(p[b]) <= 1 for b in deep_chain.BIASES)
        assert p["eta"] in {Fraction(1, 2), 1, 2}
    values = batch_quantities(FAMILY.derivation(),
                              as_arrays([v.numbers for v in variants], FAMILY.params))
    for k in LAYERS:
        assert ((values[f"a_{k}"] >= 0.05) & (values[f"a_{k}"] <= 0.95)).all()
    y = as_arrays([v.numbers for v in variants], ["y"])["y"]
    assert (abs(values[f"a_{L}"] - y) >= 0.1).all()
    for parameter in deep_chain.TRAINABLE:
        assert (abs(values[f"dE_d{parameter}"]) >= 0.0005).all(), parameter


def test_enough_proposals_are_accepted():
    """The first-layer gradients are small and most proposals put the updated-weights mistake
    within 2 % of the key; the grids must still give a yield that MAX_ATTEMPTS never exhausts."""
    proposals = [FAMILY.draw(Draws(f"yield-{i}", "0")) for i in range(4000)]
    rate = _well_conditioned(FAMILY, proposals).mean()
    assert rate >= 0.08 and (1 - rate) ** MAX_ATTEMPTS < 1e-12


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_statement_lists_every_number_and_answer(lang):
    v = canonical(FAMILY)
    text = FAMILY.statement(v.params, lang)
    for name, value in FAMILY.canonical.items():
        assert f"{name} = {value}$" in text.replace(r"\eta", "eta"), name
    for answer in FAMILY.answers:
        assert f"`{answer.id}`" in text, answer.id
