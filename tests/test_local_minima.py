"""local_minima against independent oracles: hand-written L', exact Fraction steps, brute force."""

from __future__ import annotations

from collections import Counter
from fractions import Fraction

import numpy as np
import pytest
import sympy

from grader.core.evaluate import exact_quantities
from grader.core.keys import answer_key
from grader.core.model import Rules
from grader.core.variants import Variant, canonical
from grader.families import FAMILIES
from tests.conftest import roster_variants

FAMILY = FAMILIES["local_minima"]
GRID = np.linspace(-4, 4, 800_001)  # brute-force grid for the minima, step 1e-5


def oracle_steps(p: dict[str, Fraction], steps: int = 3) -> dict[str, Fraction]:
    """Descent written out by hand with L'(w) = 2w(w^2 - a) + s, in exact fractions."""
    out, current = {}, p["w0"]
    for k in range(steps):
        slope = 2 * current * (current**2 - p["a"]) + p["s"]
        out[f"grad_{k}"] = slope
        current = current - p["eta"] * slope
        out[f"w_{k + 1}"] = current
    return out


def oracle_minima(a: float, s: float) -> tuple[float, float, float, float]:
    """(left minimum, its loss, right minimum, its loss), found by scanning L on a grid."""
    values = 0.5 * (GRID**2 - a) ** 2 + s * GRID
    inner = (values[1:-1] < values[:-2]) & (values[1:-1] < values[2:])
    found = GRID[1:-1][inner]
    assert len(found) == 2, f"a={a}, s={s}: {len(found)} minima"
    losses = 0.5 * (found**2 - a) ** 2 + s * found
    return found[0], losses[0], found[1], losses[1]


def oracle_end(p: dict[str, Fraction], limit: int = 200_000) -> float:
    """Plain-float descent from w0 until the steps vanish."""
    a, s, w, eta = (float(p[n]) for n in ("a", "s", "w0", "eta"))
    for _ in range(limit):
        step = eta * (2 * w * (w * w - a) + s)
        w -= step
        if abs(step) < 1e-14:
            return w
    raise AssertionError(f"{p}: no convergence")


def fractions(v: Variant) -> dict[str, Fraction]:
    return {k: Fraction(int(x.p), int(x.q)) for k, x in v.params.items()}


def test_canonical_variant():
    """a=1, s=0.3, w0=0.5, eta=0.1: L'(0.5) = -0.45, w_1 = 0.545, ends in the right, local minimum."""
    key = answer_key(canonical(FAMILY))
    assert sympy.Rational(key["grad_0"].exact) == sympy.Rational(-9, 20)
    assert sympy.Rational(key["w_1"].exact) == sympy.Rational(109, 200)
    assert key["minimum"].value == "right" and key["global"].value == "no"
    w = sympy.Symbol("w")
    expected = 2 * w**3 - 2 * w + sympy.Rational(3, 10)
    assert sympy.expand(sympy.sympify(key["dL_dw_expr"].exact) - expected) == 0


@pytest.mark.parametrize("index", range(0, 200, 7))
def test_derivative_matches_sympy_diff_of_the_written_loss(index):
    v = roster_variants("local_minima", 200)[index]
    a, s, w = v.params["a"], v.params["s"], sympy.Symbol("w")
    written = sympy.Rational(1, 2) * (w**2 - a) ** 2 + s * w
    given = sympy.sympify(answer_key(v)["dL_dw_expr"].exact, locals={"w": w})
    assert sympy.expand(given - sympy.diff(written, w)) == 0


@pytest.mark.parametrize("index", range(0, 200, 5))
def test_steps_match_exact_fraction_descent(index):
    v = roster_variants("local_minima", 200)[index]
    key = answer_key(v)
    for name, value in oracle_steps(fractions(v)).items():
        assert Fraction(key[name].exact) == value, name


@pytest.mark.parametrize("index", range(0, 120, 3))
def test_choices_match_brute_force(index):
    v = roster_variants("local_minima", 200)[index]
    p = fractions(v)
    left, left_loss, right, right_loss = oracle_minima(float(p["a"]), float(p["s"]))
    end = oracle_end(p)
    side = "left" if abs(end - left) < 1e-4 else "right" if abs(end - right) < 1e-4 else None
    assert side is not None, f"descent ended at {end}, minima {left}, {right}"
    lower = "left" if left_loss < right_loss else "right"
    key = answer_key(v)
    assert key["minimum"].value == side
    assert key["global"].value == ("yes" if side == lower else "no")


def test_conditioning_rules_on_many_variants():
    for v in roster_variants("local_minima", 10_000)[:1500]:
        p = fractions(v)
        assert str(p["a"]) in {"1", "3/2", "2", "5/2", "3"}
        assert (p["s"] * 10).denominator == 1 and 0 < abs(p["s"]) <= Fraction(3, 2)
        assert (p["w0"] * 10).denominator == 1 and abs(p["w0"]) <= Fraction(5, 2)
        assert (p["eta"] * 100).denominator == 1 and Fraction(1, 50) <= p["eta"] <= Fraction(3, 25)
    for v in roster_variants("local_minima", 10_000)[:300]:
        p = fractions(v)
        a, s, w0, eta = (float(p[n]) for n in ("a", "s", "w0", "eta"))
        left, left_loss, right, right_loss = oracle_minima(a, s)
        between = GRID[(left < GRID) & (right > GRID)]
        peak = between[np.argmax(0.5 * (between**2 - a) ** 2 + s * between)]
        top = 0.5 * (peak**2 - a) ** 2 + s * peak
        assert right - left >= 1 - 1e-4
        assert top - max(left_loss, right_loss) >= 0.1 - 1e-6
        assert abs(left_loss - right_loss) >= 0.1 - 1e-6
        assert abs(w0 - peak) >= 0.3 - 1e-4
        # Monotone descent that never crosses the peak.
        w, moves = w0, []
        for _ in range(5000):
            move = -eta * (2 * w * (w * w - a) + s)
            moves.append(move)
            w += move
            assert (w - peak) * (w0 - peak) > 0
        assert all(m * moves[0] >= 0 for m in moves if abs(m) > 1e-13)
        steps = oracle_steps(p)
        assert all(abs(steps[f"grad_{k}"]) >= Fraction(1, 20) for k in range(3))


def test_about_half_of_the_variants_end_in_the_local_minimum():
    """The tilt s w makes the minimum with s w < 0 the deeper one; the minima straddle 0."""
    outcomes = Counter()
    for v in roster_variants("local_minima", 10_000)[:1000]:
        p = fractions(v)
        ends_left = oracle_end(p) < 0
        outcomes["global" if ends_left == (p["s"] > 0) else "local"] += 1
    assert 0.4 <= outcomes["local"] / 1000 <= 0.6, outcomes


def test_a_wrong_update_sign_still_gives_an_answer():
    """Gradient ascent climbs to the peak; the choice falls back to the start's basin."""
    derivation = FAMILY.derivation(Rules(update_sign=1))
    params = canonical(FAMILY).params
    assert derivation.choices["minimum"].decide(params) == "right"
    assert derivation.choices["global"].decide(params) == "no"
    assert exact_quantities(derivation, params)["w_1"] == sympy.Rational(1, 2) - sympy.Rational(9, 200)


def test_forgetting_the_half_doubles_the_quartic_term():
    derivation = FAMILY.derivation(Rules(loss_scale=sympy.Integer(1)))
    w, a, s = sympy.symbols("w a s")
    got = derivation.symbolic["dL_dw_expr"].expr
    assert sympy.expand(got - (4 * w * (w**2 - a) + s)) == 0


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_statement_writes_the_tilt_with_its_sign(lang):
    params = dict(canonical(FAMILY).params)
    assert r"+ 0.3\,w" in FAMILY.statement(params, lang)
    params["s"] = sympy.Rational(-7, 10)
    text = FAMILY.statement(params, lang)
    assert r"- 0.7\,w" in text and "--" not in text
    for answer in FAMILY.answers:
        assert f"`{answer.id}`" in text
