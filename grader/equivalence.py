"""Deciding whether a student's formula equals the key: a bounded exact check, then evaluation.

The exact check expands the difference of the two formulas when both are small (a size
bound, not a timer, keeps it from running long) and accepts if it is identically zero. Otherwise
both formulas are evaluated at random points: the parameters a student may use are drawn at
random, every intermediate quantity (o1, h1, delta_o1, ...) is computed from them through the
family's definitions, so that ``(o1 - t1)*o1*(1 - o1)`` and the same formula written out in the
inputs and weights take the same values. Points where the key is not finite are dropped.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from fractions import Fraction
from functools import cache

import numpy as np
import sympy

from grader.evaluate import batch_quantities
from grader.family import Family
from grader.rng import Draws
from grader.sigmoid import sigmoid_numpy

POINTS = 12
MIN_POINTS = 4
NEAR_WIDTH = 0.1  # a symbol sampled near a parameter's value stays within +-0.05 of it
EXACT_SIZE_LIMIT = 60  # operations; larger formulas go straight to evaluation
EXACT_POWER_LIMIT = 8  # integer powers above this are not expanded
RTOL = 1e-8
_NUMPY = [{"sigmoid": sigmoid_numpy}, "numpy"]


@dataclass(frozen=True)
class Points:
    """Values of every symbol of a symbolic answer at the random points."""

    values: Mapping[str, np.ndarray]


@cache
def _samples(name: str) -> np.ndarray:
    """Fixed pseudo-random samples in [0.1, 0.9] for a symbol name (the same on every run)."""
    draws = Draws("equivalence-points", name)
    return np.array([0.1 + 0.8 * draws.integer(0, 10**9) / 10**9 for _ in range(POINTS)])


def _around(name: str, centre: float) -> np.ndarray:
    """Samples within NEAR_WIDTH/2 of a centre."""
    return centre + NEAR_WIDTH * (_samples(name) - 0.5) / 0.8


def points(family: Family, answer_id: str, numbers: Mapping[str, Fraction]) -> Points:
    """Random points for one symbolic answer of one variant.

    Parameters the student may use are drawn; the others keep the variant's values;
    every quantity of the derivation is computed from them.
    """
    derivation = family.derivation()
    symbolic = derivation.symbolic[answer_id]
    params = {
        p: _samples(p) if p in symbolic.symbols else np.full(POINTS, float(numbers[p]))
        for p in family.params
    }
    for name, param in symbolic.near:
        params[name] = _around(name, float(numbers[param]))
    values = {**params, **batch_quantities(derivation, params)}
    for name in symbolic.symbols:
        values.setdefault(name, _samples(name))
    return Points(values)


@cache
def _compiled(expr: sympy.Expr):
    names = tuple(sorted(str(s) for s in expr.free_symbols))
    return names, sympy.lambdify([sympy.Symbol(n) for n in names], expr, modules=_NUMPY)


def evaluate_expr(expr: sympy.Expr, at: Points) -> np.ndarray:
    """A sympy formula evaluated at the points (compiled once per formula)."""
    names, function = _compiled(expr)
    with np.errstate(all="ignore"):
        result = function(*(at.values[n] for n in names))
    return np.broadcast_to(np.asarray(result, dtype=float), (POINTS,))


def same_values(student: np.ndarray, key: np.ndarray) -> bool:
    """True when the student's values match the key's wherever the key is finite."""
    student = np.broadcast_to(np.asarray(student, dtype=float), key.shape)
    usable = np.isfinite(key)
    if usable.sum() < MIN_POINTS:
        return False
    s, k = student[usable], key[usable]
    scale = max(1.0, float(np.max(np.abs(k))))
    return bool(np.all(np.isfinite(s)) and np.all(np.abs(s - k) <= RTOL * scale))


def exactly_equal(student: sympy.Expr, key: sympy.Expr) -> bool:
    """True when the difference expands to zero; False when unsure or too large to try."""
    if sympy.count_ops(student) + sympy.count_ops(key) > EXACT_SIZE_LIMIT:
        return False
    for power in (student - key).atoms(sympy.Pow):
        exponent = power.exp
        if not exponent.is_Integer or abs(exponent) > EXACT_POWER_LIMIT:
            return False
    return sympy.expand(student - key) == 0
