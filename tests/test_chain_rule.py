"""chain_rule against independent oracles: hand-written derivatives in mpmath, sympy.diff."""

from __future__ import annotations

import warnings
from collections import Counter
from fractions import Fraction

import mpmath
import pytest
import sympy

from grader.core.evaluate import as_arrays, batch_quantities
from grader.core.keys import answer_key
from grader.core.model import Rules
from grader.core.variants import Variant, VariantKey, canonical, generate
from grader.families import FAMILIES, chain_rule
from tests.conftest import roster_variants

FAMILY = FAMILIES["chain_rule"]
mpmath.mp.dps = 40


def _sigmoid(z):
    return 1 / (1 + mpmath.exp(-z))


# Each function with its derivative, written out by hand (not from the family's sympy table).
ORACLE = {
    "affine": (lambda z: z, lambda z: 1),
    "sigmoid": (_sigmoid, lambda z: _sigmoid(z) * (1 - _sigmoid(z))),
    "tanh": (mpmath.tanh, lambda z: 1 / mpmath.cosh(z) ** 2),
    "exp": (mpmath.exp, mpmath.exp),
    "log": (mpmath.log, lambda z: 1 / z),
    "square": (lambda z: z**2, lambda z: 2 * z),
    "cube": (lambda z: z**3, lambda z: 3 * z**2),
    "reciprocal": (lambda z: 1 / z, lambda z: -1 / z**2),
}


def mp(value) -> mpmath.mpf:
    """An exact rational (sympy or Fraction) as an mpmath number."""
    value = Fraction(str(value))
    return mpmath.mpf(value.numerator) / value.denominator


def names(params) -> tuple[str, str]:
    """The (outer, inner) function names of a variant."""
    return chain_rule.OUTER[int(params["outer"])], chain_rule.INNER[int(params["inner"])]


def oracle(params) -> dict[str, mpmath.mpf]:
    """The numeric answers by the chain rule, computed by hand in mpmath."""
    f_name, p_name = names(params)
    a, b, x0 = (mp(params[k]) for k in ("a", "b", "x0"))
    (f, df), (p, dp) = ORACLE[f_name], ORACLE[p_name]
    u = a * x0 + b
    g, dg = p(u), dp(u) * a
    return {
        "g_value": g,
        "dg_dx_value": dg,
        "df_dg_value": df(g),
        "h_value": f(g),
        "dh_dx_value": df(g) * dg,
    }


def variant_of(outer: str, inner: str, a: str, b: str, x0: str) -> Variant:
    """A hand-made variant of a structure given by function names."""
    numbers = {
        "outer": Fraction(chain_rule.OUTER.index(outer)),
        "inner": Fraction(chain_rule.INNER.index(inner)),
        "a": Fraction(a), "b": Fraction(b), "x0": Fraction(x0),
    }
    return Variant(FAMILY, numbers)


HAND_MADE = [
    ("sigmoid", "tanh", "1", "-0.5", "1.5"),
    ("log", "sigmoid", "-0.7", "0.3", "2"),
    ("reciprocal", "log", "1.5", "0.5", "1"),
    ("square", "tanh", "2", "0", "-0.5"),
    ("cube", "sigmoid", "0.4", "-1.1", "0"),
    ("tanh", "exp", "-1.2", "0.2", "0.5"),
    ("sigmoid", "affine", "1.3", "-0.4", "-1"),
    ("log", "affine", "0.5", "2", "-1.5"),
    ("cube", "log", "0.8", "1", "1"),
]


@pytest.mark.parametrize("structure", HAND_MADE, ids=lambda s: f"{s[0]}-{s[1]}")
def test_hand_made_structures_match_the_oracle(structure):
    assert not chain_rule.degenerate(structure[0], structure[1])
    v = variant_of(*structure)
    key, expected = answer_key(v), oracle(v.params)
    for answer_id, value in expected.items():
        assert key[answer_id].value == pytest.approx(float(value), rel=1e-12), answer_id


def test_random_variants_match_the_oracle_exactly_and_in_batch():
    variants = roster_variants("chain_rule", 1000)
    values = batch_quantities(FAMILY.derivation(), as_arrays([v.numbers for v in variants],
                                                             FAMILY.params))
    for i, v in enumerate(variants):
        expected = oracle(v.params)
        key = answer_key(v) if i < 150 else None
        for answer_id, value in expected.items():
            assert values[answer_id][i] == pytest.approx(float(value), rel=1e-9), answer_id
            if key:
                assert mpmath.almosteq(mpmath.mpf(key[answer_id].exact), value, rel_eps=1e-25)


def _fully_expanded_h(params) -> sympy.Expr:
    """h(x) written directly, sigmoid as 1/(1 + e^-z), from the variant's function names."""
    x = sympy.Symbol("x")
    table = {
        "affine": lambda z: z, "sigmoid": lambda z: 1 / (1 + sympy.exp(-z)), "tanh": sympy.tanh,
        "exp": sympy.exp, "log": sympy.log, "square": lambda z: z**2, "cube": lambda z: z**3,
        "reciprocal": lambda z: 1 / z,
    }
    f_name, p_name = names(params)
    return table[f_name](table[p_name](params["a"] * x + params["b"]))


def test_symbolic_derivative_agrees_with_sympy_diff_of_the_whole_function():
    x = sympy.Symbol("x")
    for v in roster_variants("chain_rule", 1000)[:120]:
        answer = sympy.sympify(answer_key(v)["dh_dx_expr"].exact,
                               locals={"sigmoid": chain_rule.sigmoid})
        assert answer.free_symbols <= {x}
        reference = sympy.diff(_fully_expanded_h(v.params), x)
        for point in (v.params["x0"], v.params["x0"] + sympy.Rational(1, 100)):
            got = answer.subs(x, point).rewrite(sympy.exp).evalf(30)
            want = reference.subs(x, point).evalf(30)
            assert abs(got - want) <= 1e-20 * max(1, abs(want)), (names(v.params), point)


def test_every_structure_is_drawn_and_no_degenerate_one():
    variants = roster_variants("chain_rule", 10_000)
    drawn = Counter(names(v.params) for v in variants)
    allowed = {(chain_rule.OUTER[o], chain_rule.INNER[i]) for o, i in chain_rule.STRUCTURES}
    assert set(drawn) == allowed
    assert min(drawn.values()) >= 0.4 * 10_000 / len(allowed)
    for outer, inner in [("log", "exp"), ("square", "cube"), ("log", "square"),
                         ("reciprocal", "reciprocal"), ("square", "exp")]:
        assert (outer, inner) not in drawn


def test_written_rules_hold_on_ten_thousand_variants():
    variants = roster_variants("chain_rule", 10_000)
    for v in variants:
        p = {k: Fraction(str(value)) for k, value in v.params.items()}
        assert (p["a"] * 10).denominator == 1 and Fraction(1, 5) <= abs(p["a"]) <= 2
        assert (p["b"] * 10).denominator == 1 and abs(p["b"]) <= 2
        assert (p["x0"] * 2).denominator == 1 and abs(p["x0"]) <= 2
        f_name, p_name = names(p)
        u = p["a"] * p["x0"] + p["b"]
        g = float(ORACLE[p_name][0](mp(u)))
        for name, argument in ((p_name, float(u)), (f_name, g)):
            if name == "log":
                assert argument >= 0.2
            if name == "reciprocal":
                assert abs(argument) >= 0.2
    values = batch_quantities(FAMILY.derivation(), as_arrays([v.numbers for v in variants],
                                                             FAMILY.params))
    for answer_id in chain_rule.NUMERIC:
        size = abs(values[answer_id])
        assert ((size >= 0.01) & (size <= 50)).all(), answer_id


def test_batch_evaluation_of_every_structure_raises_no_floating_point_warning():
    """Unselected branches of the Piecewise see other variants' values; they must stay quiet."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        generate(FAMILY, [VariantKey("quiet", f"s{i}") for i in range(3000)])


def test_forgetting_sigma_prime_changes_only_sigmoid_chains():
    wrong = FAMILY.derive(Rules(activation_derivative=False))
    for structure, changed in [(("sigmoid", "tanh"), True), (("tanh", "sigmoid"), True),
                               (("log", "tanh"), False)]:
        v = variant_of(*structure, "1", "0.5", "0.5")
        values = {sympy.Symbol(k): p for k, p in v.params.items()}
        for name, formula in wrong.quantities:
            values[name] = formula.xreplace(values)
        correct = float(answer_key(v)["dh_dx_value"].value)
        assert (abs(float(values[sympy.Symbol("dh_dx_value")]) - correct) > 1e-9) == changed


@pytest.mark.parametrize(
    ("a", "b", "text"),
    [("1", "0", "x"), ("-1", "2", "-x + 2"), ("0.5", "-1.2", "0.5x - 1.2"), ("-0.3", "0.1", "-0.3x + 0.1")],
)
def test_affine_maps_are_written_as_exact_decimals(a, b, text):
    assert chain_rule.affine_tex(sympy.Rational(a), sympy.Rational(b)) == text


def test_statement_shows_the_drawn_functions():
    v = variant_of("log", "sigmoid", "-0.7", "0.3", "2")
    for lang in ("en", "zh"):
        text = FAMILY.statement(v.params, lang)
        assert r"\ln\left(\sigma\left(-0.7x + 0.3\right)\right)" in text
        assert "x_0 = 2" in text
        for answer in FAMILY.answers:
            assert f"`{answer.id}`" in text


def test_canonical_variant_is_sigma_of_tanh():
    key = answer_key(canonical(FAMILY))
    t = mpmath.tanh(1)
    assert mpmath.almosteq(mpmath.mpf(key["h_value"].exact), _sigmoid(t), rel_eps=1e-25)
    expected = _sigmoid(t) * (1 - _sigmoid(t)) * (1 - t**2)
    assert mpmath.almosteq(mpmath.mpf(key["dh_dx_value"].exact), expected, rel_eps=1e-25)


def test_the_derivative_is_written_as_the_seed_chain_rule():
    """h'(x0) = f'(g(x0)) g'(x0) by name, so a student's own earlier answers can be followed."""
    formula = FAMILY.derivation().quantity("dh_dx_value")
    assert formula == sympy.Symbol("df_dg_value") * sympy.Symbol("dg_dx_value")
