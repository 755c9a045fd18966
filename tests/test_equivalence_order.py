"""The formula check's shortcuts keep its verdicts: values first, the exact check after them,
and an exact value at a rational point that spares the expansion.

The oracle for the point check is ``sympy.expand`` itself: whenever the shortcut says "nonzero",
the expansion must not be 0; on identities it must never say "nonzero".
"""

import random

import pytest
import sympy

from grader.core import equivalence, grading
from grader.core.equivalence import exactly_equal, nonzero_at_a_point
from grader.core.grading import expectation, grade
from grader.core.variants import canonical
from grader.families import FAMILIES
from grader.maths.sigmoid import sigmoid

x, y, z = sympy.symbols("x y z")

IDENTITIES = [  # each expands to 0, so the shortcut must not claim otherwise
    (x + y) ** 2 - x**2 - 2 * x * y - y**2,
    (x - 1) * (x + 1) / (y + 2) - x**2 / (y + 2) + 1 / (y + 2),
    sigmoid((x + 1) ** 2) - sigmoid(x**2 + 2 * x + 1),  # equal arguments once expanded
    sympy.tanh(-(x + 1) * y) + sympy.tanh(x * y + y),  # tanh is odd, as sympy writes it
    sigmoid(x - x) - sympy.Rational(1, 2),
    (sigmoid(x) * (1 - sigmoid(x))) ** 2 - sigmoid(x) ** 2 + 2 * sigmoid(x) ** 3 - sigmoid(x) ** 4,
]


@pytest.mark.parametrize("expr", IDENTITIES)
def test_an_identity_is_never_called_nonzero(expr):
    assert sympy.expand(expr) == 0  # the oracle agrees it is an identity
    assert not nonzero_at_a_point(expr)


NOT_SHOWN = [
    sympy.exp(x + y) - sympy.exp(x) * sympy.exp(y),
    sympy.log(4) - 2 * sympy.log(2),
    x ** sympy.Rational(1, 2) - x,
]


@pytest.mark.parametrize("expr", NOT_SHOWN)
def test_exp_log_and_roots_are_left_to_the_expansion(expr):
    assert not nonzero_at_a_point(expr)


def _random_formula(rng: random.Random, depth: int) -> sympy.Expr:
    if depth == 0:
        return rng.choice([x, y, z, sympy.Rational(rng.randint(-3, 3), rng.randint(1, 3))])
    a, b = _random_formula(rng, depth - 1), _random_formula(rng, depth - 1)
    return rng.choice([a + b, a - b, a * b, a**2, sigmoid(a), sympy.tanh(a - b), (1 + a**2) ** -1 * b])


def test_nonzero_agrees_with_the_expansion_on_random_formulas():
    rng = random.Random(18)
    shown = 0
    for _ in range(300):
        a = _random_formula(rng, 3)
        b = rng.choice([a, sympy.expand(a), _random_formula(rng, 3)])  # an identity, a rewriting, or not
        if nonzero_at_a_point(a - b):
            shown += 1
            assert sympy.expand(a - b) != 0, (a, b)
    assert shown > 100  # the shortcut does decide most differing pairs


def test_huge_numbers_make_the_shortcut_abstain_not_work():
    big = sympy.Integer(10) ** 2000
    expr = (x * big + 1) ** 8 * (y * big + 1) ** 8 - 1
    assert not nonzero_at_a_point(expr)  # over POINT_BITS: left to the guarded expansion
    assert equivalence.POINT_BITS < 8 * 2 * 2000 * 3.33


def test_the_exact_check_still_decides_when_values_mislead():
    # (o1 + 10^20) - 10^20 is o1, but in floats it is 0 at every point: only the exact check
    # can accept it, so it must still run after the values disagree.
    v = canonical(FAMILIES["backprop_222"])
    grading._VERDICTS.clear()
    text = "(o1 - t1)*(o1 + 10^20 - 10^20)*(1 - o1)"
    result = grade(expectation(v), {"delta_o1_expr": text}).answer("delta_o1_expr")
    assert result.status == "correct"


def test_exactly_equal_keeps_its_answers():
    assert exactly_equal((x + 1) ** 2, x**2 + 2 * x + 1)
    assert not exactly_equal((x + 1) ** 2, x**2 + 1)
    assert not exactly_equal(sigmoid(x) * (1 - sigmoid(x)), sigmoid(x) - sigmoid(x) ** 3)


def test_the_parsed_answer_is_shown_different_only_where_the_expansion_agrees():
    # Every formula of the equivalence table against its key: whenever the parse tree is shown
    # different at the point, sympy's own expansion of the difference is not 0.
    from grader.core.equivalence import parsed_differs, variant_formula
    from grader.reading.parser import parse, to_sympy
    from tests.equivalence_cases import CASES

    shown = 0
    for family_name, answer_id, text, _ in CASES:
        family = FAMILIES[family_name]
        symbols = family.derivation().symbolic[answer_id].symbols
        node = parse(text, symbols)
        key = variant_formula(family, answer_id, canonical(family).params)
        if parsed_differs(node, key):
            shown += 1
            student = to_sympy(node, {n: sympy.Symbol(n) for n in symbols})
            assert sympy.expand(student - key) != 0, text
    assert shown > 50
