"""The fast key path (issue 18) writes byte for byte the key of sympy's exact path, for every family."""

from __future__ import annotations

import json
import random
from decimal import Decimal
from fractions import Fraction

import pytest
import sympy

from grader.core.evaluate import (
    _FUNCTIONS,
    _NotRational,
    exact_choices,
    exact_quantities,
    exact_symbolic,
    key_quantities,
)
from grader.core.keys import answer_key, fast_number
from grader.core.kinds import exact_text
from grader.core.variants import VariantKey, generate
from grader.families import FAMILIES
from grader.maths.sigmoid import sigmoid

KEYS = 1000


def sympy_key(v) -> dict:
    """The key as sympy's step-by-step path has it: every quantity xreplaced and evalf'd to 50 digits."""
    derivation = v.family.derivation()
    numbers = exact_quantities(derivation, v.params)
    choices = exact_choices(derivation, v.params)
    formulas = exact_symbolic(derivation, v.params)
    key = {}
    for a in v.family.answers:
        if a.kind == "numeric":
            key[a.id] = [a.kind, float(numbers[a.id]), exact_text(numbers[a.id]), a.points]
        elif a.kind == "symbolic":
            key[a.id] = [a.kind, str(formulas[a.id]), str(formulas[a.id]), a.points]
        else:
            key[a.id] = [a.kind, choices[a.id], choices[a.id], a.points]
    return key


@pytest.mark.parametrize("name", sorted(FAMILIES))
def test_the_fast_key_is_sympys_key_byte_for_byte(name):
    family = FAMILIES[name]
    batch = generate(family, [VariantKey("hw-keys", f"s{i:04d}", "q1") for i in range(KEYS)])
    for v in batch:
        fast = {k: [e.kind, e.value, e.exact, e.points] for k, e in answer_key(v).items()}
        assert json.dumps(fast) == json.dumps(sympy_key(v)), v.numbers


def test_the_backprop_keys_take_the_fast_path():
    family = FAMILIES["backprop_222"]
    for v in generate(family, [VariantKey("hw-keys", f"s{i}") for i in range(50)]):
        assert key_quantities(family.derivation(), v.numbers) is not None


def _near_ties(rng: random.Random) -> list[Decimal]:
    """60-digit values within 1e-40..1e-55 of a 30-digit tie, and plain ones in every range."""
    values = []
    for _ in range(400):
        digits = str(rng.randrange(10**29, 10**30))
        exponent = rng.randrange(-14, 33)
        tie = Decimal(f"{digits}5E{exponent - 30}")
        offset = Decimal(rng.choice([1, -1]) * rng.randrange(1, 10**5)).scaleb(exponent - 30 - rng.randrange(2, 25))
        values.append(tie + offset)
        values.append(Decimal(f"{rng.randrange(10**59, 10**60)}E{exponent - 60}") * rng.choice([1, -1]))
    return values


def test_a_decimal_rounds_as_a_50_digit_float_even_near_a_decimal_tie():
    from decimal import Context, localcontext

    with localcontext(Context(prec=60)):
        values = [+v for v in _near_ties(random.Random(18))]
    for value in values:
        reference = sympy.Float(str(value), 50)  # what exact_quantities keeps
        assert fast_number(value) == (float(reference), exact_text(reference)), value


@pytest.mark.parametrize("name", sorted(_FUNCTIONS))
def test_each_function_is_exact_where_sympy_makes_it_rational(name):
    function = {"sigmoid": sigmoid, "exp": sympy.exp, "log": sympy.log, "tanh": sympy.tanh}[name]
    exact, _ = _FUNCTIONS[name]
    for x in [Fraction(0), Fraction(1), Fraction(-1), Fraction(1, 2), Fraction(4), Fraction(-3, 7)]:
        value = function(sympy.Rational(x.numerator, x.denominator))
        if value.is_Rational:
            assert exact(x) == Fraction(int(value.p), int(value.q))
        else:
            with pytest.raises(_NotRational):
                exact(x)


def test_an_inexact_zero_a_tiny_value_and_an_unknown_function_leave_the_key_to_sympy():
    from grader.core.family import Derivation

    x, y = sympy.symbols("x y")
    zero = Derivation(quantities=((sympy.Symbol("q"), sigmoid(x) * y),), forward=frozenset())
    assert key_quantities(zero, {"x": Fraction(1), "y": Fraction(0)}) is None  # sympy: exactly 0
    assert key_quantities(zero, {"x": Fraction(0), "y": Fraction(3)}) == {"q": Fraction(3, 2)}
    tiny = Derivation(quantities=((sympy.Symbol("q"), sympy.exp(x)),), forward=frozenset())
    assert key_quantities(tiny, {"x": Fraction(-10**8)}) is None  # below Decimal's normal range
    unknown = Derivation(quantities=((sympy.Symbol("q"), sympy.sin(x)),), forward=frozenset())
    assert key_quantities(unknown, {"x": Fraction(1)}) is None
