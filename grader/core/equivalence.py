"""Deciding whether a student's formula equals the key: evaluation, and a bounded exact check.

Both formulas are evaluated at random points: the parameters a student may use are drawn at
random, every intermediate quantity (o1, h1, delta_o1, ...) is computed from them through the
family's definitions, so that ``(o1 - t1)*o1*(1 - o1)`` and the same formula written out in the
inputs and weights take the same values. Points where the key is not finite are dropped. Equal
values accept. When they differ, the exact check may still accept (floats can mislead, as in
``(o1 + 10^20) - 10^20``): it expands the difference of the two formulas when both are small and
their expansion would stay small (both bounds are estimated before expanding; a CPU budget is
the second guard) and accepts if it is identically zero. A difference that is exactly nonzero
at one rational point (:func:`nonzero_at_a_point`) cannot expand to zero, so most wrong
answers need no expansion. The sample points and the key's values there are remembered per
variant, so only the student's side is new in each check.
"""

from __future__ import annotations

import math
import signal
import threading
import zlib
from collections.abc import Callable, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from fractions import Fraction
from functools import cache, lru_cache

import numpy as np
import sympy

from grader.core.evaluate import batch_quantities
from grader.core.family import Family
from grader.core.rng import Draws
from grader.maths.sigmoid import sigmoid, sigmoid_numpy
from grader.reading.parser import Call, Name, Node, Number, Unary

POINTS = 12
MIN_POINTS = 4
NEAR_WIDTH = 0.1  # a symbol sampled near a parameter's value stays within +-0.05 of it
EXACT_SIZE_LIMIT = 60  # operations; larger formulas go straight to evaluation
EXACT_POWER_LIMIT = 8  # integer powers above this are not expanded
EXACT_TERMS_LIMIT = 2000  # terms the expansion may reach (estimated before expanding)
EXACT_CPU_SECONDS = 2.0  # CPU time the expansion may take (a second guard where signals can be used)
BUDGET_REPEAT_SECONDS = 0.05  # an expired budget's alarm rings again this often (a swallowed one)
RTOL = 1e-8
_NUMPY = [{"sigmoid": sigmoid_numpy}, "numpy"]


POINTS_REMEMBERED = 2048  # sample points kept per process (each a few KB), all dropped when full


@dataclass(frozen=True)
class Points:
    """Values of every symbol of a symbolic answer at the random points.

    ``formulas`` remembers the values of the formulas evaluated there (the key's and its
    named mistakes'), so that only the student's side is new in each check.
    """

    values: Mapping[str, np.ndarray]
    formulas: dict[sympy.Expr, np.ndarray] = field(default_factory=dict, compare=False, repr=False)


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
    every quantity of the derivation is computed from them. Remembered per answer and the
    numbers they depend on (up to :data:`POINTS_REMEMBERED`): treat them as read-only.
    """
    derivation = family.derivation()
    symbolic = derivation.symbolic[answer_id]
    memo = (derivation, answer_id, tuple(numbers[p] for p in family.params if p not in symbolic.symbols),
            tuple(numbers[p] for _, p in symbolic.near))
    found = _POINTS.get(memo)
    if found is None:
        if len(_POINTS) >= POINTS_REMEMBERED:
            _POINTS.clear()
        found = _POINTS[memo] = _new_points(family, answer_id, numbers)
    return found


_POINTS: dict[tuple, Points] = {}


def _new_points(family: Family, answer_id: str, numbers: Mapping[str, Fraction]) -> Points:
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


FORMULAS_REMEMBERED = 2048  # the key's formula per variant (as the exact check needs it), all dropped when full
_FORMULAS: dict[tuple, sympy.Expr] = {}


def variant_formula(family: Family, answer_id: str, params: Mapping[str, sympy.Rational]) -> sympy.Expr:
    """The key's formula of one variant, ``Symbolic.for_variant(params)``, remembered per answer
    and the parameters it replaces (substituting a long key costs milliseconds)."""
    derivation = family.derivation()
    symbolic = derivation.symbolic[answer_id]
    memo = (derivation, answer_id, tuple((k, v) for k, v in params.items() if k not in symbolic.symbols))
    found = _FORMULAS.get(memo)
    if found is None:
        if len(_FORMULAS) >= FORMULAS_REMEMBERED:
            _FORMULAS.clear()
        found = _FORMULAS[memo] = symbolic.for_variant(params)
    return found


@cache
def _compiled(expr: sympy.Expr):
    names = tuple(sorted(str(s) for s in expr.free_symbols))
    return names, sympy.lambdify([sympy.Symbol(n) for n in names], expr, modules=_NUMPY)


def evaluate_expr(expr: sympy.Expr, at: Points) -> np.ndarray:
    """A sympy formula evaluated at the points (compiled once per formula, evaluated once per points)."""
    found = at.formulas.get(expr)
    if found is None:
        names, function = _compiled(expr)
        with np.errstate(all="ignore"):
            result = function(*(at.values[n] for n in names))
        found = at.formulas[expr] = np.broadcast_to(np.asarray(result, dtype=float), (POINTS,))
    return found


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
    difference = student - key
    if nonzero_at_a_point(difference):  # then no expansion can make it 0 (bounded: no expansion)
        return False
    if sympy.count_ops(student) + _operations(key) > EXACT_SIZE_LIMIT:
        return False
    for power in difference.atoms(sympy.Pow):
        exponent = power.exp
        if not exponent.is_Integer or abs(exponent) > EXACT_POWER_LIMIT:
            return False
    if expansion_terms(difference) > EXACT_TERMS_LIMIT:
        return False
    try:
        with cpu_budget(EXACT_CPU_SECONDS):
            return sympy.expand(difference) == 0
    except OutOfBudget:
        return False


def nonzero_at_a_point(expr: sympy.Expr) -> bool:
    """True when ``expr``, a rational function of its symbols, is exactly nonzero at a fixed
    rational point: it is then not identically zero, and ``sympy.expand`` (which keeps the
    value wherever ``expr`` is defined) cannot give 0. Computed in exact fractions.

    sigmoid and tanh count as arbitrary functions of their argument (see :data:`_OPAQUE`).
    False means "not shown": another function (exp, log, ...) or atom, an exponent that is
    not an integer up to :data:`EXACT_POWER_LIMIT`, a zero denominator, a number longer
    than :data:`POINT_BITS`, or a point that happens to be a root.

    >>> x, y = sympy.symbols("x y")
    >>> nonzero_at_a_point((x + y)**2 - x**2 - y**2), nonzero_at_a_point(x*(x + y) - x**2 - x*y)
    (True, False)
    """
    try:
        return _exact_value(expr) != 0
    except (_NotShown, RecursionError):
        return False


POINT_BITS = 20_000  # the longest numerator or denominator the exact evaluation may build


class _NotShown(Exception):
    """The exact value at the point cannot be (or need not be) computed."""


def _point(name: str) -> Fraction:
    """A symbol's coordinate at the fixed point: a rational in (0, 1) with a prime denominator."""
    return Fraction(zlib.crc32(name.encode()) % 1008 + 1, 1009)


def parsed_differs(node: Node, key: sympy.Expr) -> bool:
    """:func:`nonzero_at_a_point` of ``to_sympy(node) - key``, without building sympy's tree.

    The parsed answer is evaluated exactly at the same point (only +, -, *, /, integer powers
    up to :data:`EXACT_POWER_LIMIT` written as numbers, sigmoid and tanh; anything else
    abstains, returning False). Sound because sympy builds its tree by rewritings that keep
    the value wherever the parsed answer has one (``x*(1/x)`` becomes 1, ``tanh(-a)``
    becomes ``-tanh(a)``, ``sigmoid(0)`` becomes 1/2).

    >>> from grader.reading.parser import parse
    >>> x = sympy.Symbol("x")
    >>> parsed_differs(parse("x(x+1)", ["x"]), x**2 + x), parsed_differs(parse("x^2", ["x"]), x**2 + x)
    (False, True)
    """
    key_value = _key_value(key)
    if key_value is None:
        return False
    try:
        return _parsed_value(node) != key_value
    except (_NotShown, RecursionError):
        return False


@lru_cache(maxsize=FORMULAS_REMEMBERED)
def _key_value(key: sympy.Expr) -> Fraction | None:
    """The key formula's exact value at the point, or None where it has none (exp, log, ...)."""
    try:
        return _exact_value(key)
    except (_NotShown, RecursionError):
        return None


def _parsed_value(node: Node) -> Fraction:
    if isinstance(node, Number):
        return node.value
    if isinstance(node, Name):
        return _point(node.name)
    if isinstance(node, Unary):
        value = _parsed_value(node.operand)
        return -value if node.op == "-" else value
    if isinstance(node, Call):
        if node.func not in _OPAQUE_BY_NAME:
            raise _NotShown(f"{node.func} has no exact value")
        return _OPAQUE_BY_NAME[node.func](_parsed_value(node.arg))
    if node.op == "^":
        exponent = _integer_literal(node.right)
        base = _parsed_value(node.left)
        if base == 0 and exponent < 0:
            raise _NotShown("a zero denominator")
        total = base**exponent
    else:
        left, right = _parsed_value(node.left), _parsed_value(node.right)
        if node.op == "+":
            total = left + right
        elif node.op == "-":
            total = left - right
        elif node.op == "*":
            total = left * right
        elif right == 0:
            raise _NotShown("a zero denominator")
        else:
            total = left / right
    _check_length(total)
    return total


def _integer_literal(node: Node) -> int:
    """An exponent written as an integer (signed) up to :data:`EXACT_POWER_LIMIT`."""
    sign = 1
    while isinstance(node, Unary):
        sign, node = (-sign if node.op == "-" else sign), node.operand
    if not (isinstance(node, Number) and node.value.denominator == 1 and abs(node.value) <= EXACT_POWER_LIMIT):
        raise _NotShown("not an integer exponent")
    return sign * int(node.value)


def _arbitrary(value: Fraction) -> Fraction:
    """A fixed rational in (0, 1) chosen by ``value`` (Python's hash of a number is not salted)."""
    return Fraction(hash(value) % 1008 + 1, 1009)


def _sigmoid_at(value: Fraction) -> Fraction:
    """sigmoid as an arbitrary function of its argument's value, except sigmoid(0) = 1/2 as sympy has it."""
    return Fraction(1, 2) if value == 0 else _arbitrary(value)


def _tanh_at(value: Fraction) -> Fraction:
    """tanh as an arbitrary odd function of its argument's value (sympy writes tanh(-a) as -tanh(a))."""
    return _arbitrary(abs(value)) * (1 if value > 0 else -1) if value else Fraction(0)


# Functions read as arbitrary functions of their argument's value. Sound because expansion
# treats them so: it expands inside the argument (same value), and sympy's own rewriting of
# them on a rational argument (sigmoid(0) = 1/2, tanh odd) holds for these too. Not exp
# (expansion splits exp(a + b)) nor log (it splits log(4) into 2*log(2)).
_OPAQUE: Mapping[object, Callable[[Fraction], Fraction]] = {sigmoid: _sigmoid_at, sympy.tanh: _tanh_at}
_OPAQUE_BY_NAME: Mapping[str, Callable[[Fraction], Fraction]] = {"sigmoid": _sigmoid_at, "tanh": _tanh_at}


def _exact_value(node: sympy.Expr) -> Fraction:
    if node.is_Rational:
        return Fraction(int(node.p), int(node.q))
    if node.is_Symbol:
        return _point(node.name)
    if node.is_Add or node.is_Mul:
        total = Fraction(0) if node.is_Add else Fraction(1)
        for arg in node.args:
            total = total + _exact_value(arg) if node.is_Add else total * _exact_value(arg)
            _check_length(total)
        return total
    if node.is_Pow and node.exp.is_Integer and abs(node.exp) <= EXACT_POWER_LIMIT:
        base = _exact_value(node.base)
        if base == 0 and node.exp < 0:
            raise _NotShown("a zero denominator")
        total = base ** int(node.exp)
        _check_length(total)
        return total
    if node.func in _OPAQUE and len(node.args) == 1:
        return _OPAQUE[node.func](_exact_value(node.args[0]))
    raise _NotShown(f"not a rational function: {type(node).__name__}")


def _check_length(value: Fraction) -> None:
    if max(value.numerator.bit_length(), value.denominator.bit_length()) > POINT_BITS:
        raise _NotShown("numbers too long")


@lru_cache(maxsize=FORMULAS_REMEMBERED)
def _operations(key: sympy.Expr) -> int:
    """``sympy.count_ops`` of a key's formula (the same formula comes back for every student)."""
    return int(sympy.count_ops(key))


def expansion_terms(expr: sympy.Expr, limit: int = EXACT_TERMS_LIMIT) -> int:
    """An upper bound on the terms ``sympy.expand`` would produce, anywhere in ``expr``.

    Computed from the tree without expanding: a sum has the terms of its parts, a product
    their product, a power ``p**n`` at most C(t+n-1, n) terms when ``p`` has t; a function's
    or a denominator's arguments are expanded too and count as one term outside. Above
    ``limit`` the count stops early and returns ``limit + 1``.

    >>> a, b, c, d = sympy.symbols("a b c d")
    >>> expansion_terms((a + b)**2 * (c + d)), expansion_terms((a + b + c + d)**8)
    (6, 165)
    """
    over = limit + 1

    def terms(node: sympy.Expr) -> int:
        if node.is_Atom:
            return 1
        if node.is_Add:
            return min(over, sum(terms(arg) for arg in node.args))
        if node.is_Mul:
            product = 1
            for arg in node.args:
                product = min(over, product * terms(arg))
            return product
        if node.is_Pow and node.exp.is_Integer:
            base, n = terms(node.base), abs(int(node.exp))
            count = min(over, math.comb(base + n - 1, n)) if base < over else over
            return count if node.exp > 0 else (1 if count <= limit else over)
        inner = [terms(arg) for arg in node.args]  # a function (sigmoid, exp): its arguments expand inside
        return 1 if all(t <= limit for t in inner) else over

    return terms(expr)


class OutOfBudget(BaseException):
    """The CPU budget of :func:`cpu_budget` ran out (a BaseException: no ``except Exception`` swallows it)."""


@contextmanager
def cpu_budget(seconds: float):
    """Raise OutOfBudget in the block once it has used ``seconds`` of CPU time (process CPU, SIGPROF).

    Only in the main thread of a process with ``setitimer`` (a worker of ``grader grade`` is one);
    elsewhere the block runs unguarded. An enclosing budget's timer is restored afterwards.

    Once expired, the alarm rings again every :data:`BUDGET_REPEAT_SECONDS` of CPU time: an
    exception raised where Python swallows it (a garbage-collector callback, a ``__del__``) is
    raised again at the next tick, so a runaway expansion cannot outlive its budget by more.
    """
    if not hasattr(signal, "setitimer") or threading.current_thread() is not threading.main_thread():
        yield
        return

    def expire(signum, frame):
        raise OutOfBudget(f"more than {seconds:g} s of CPU time")

    previous = signal.signal(signal.SIGPROF, expire)
    outer = signal.setitimer(signal.ITIMER_PROF, seconds, BUDGET_REPEAT_SECONDS)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_PROF, 0)
        signal.signal(signal.SIGPROF, previous)
        if outer[0]:
            signal.setitimer(signal.ITIMER_PROF, *outer)
