"""Evaluating a derivation: exactly for one variant, or in float64 for a whole batch at once."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from decimal import Context, Decimal, DivisionByZero, InvalidOperation, Overflow, Subnormal, localcontext
from fractions import Fraction
from functools import cache, lru_cache
from typing import cast

import numpy as np
import sympy

from grader.core.family import Derivation
from grader.maths.sigmoid import sigmoid_numpy

PRECISION = 50  # significant digits kept for answers that are not rational
KEY_DIGITS = 60  # working digits of the fast key path (more than PRECISION: see key_quantities)
_NUMPY = [{"sigmoid": sigmoid_numpy}, "numpy"]


def exact_quantities(derivation: Derivation, params: Mapping[str, sympy.Rational]) -> dict[str, sympy.Number]:
    """Every quantity of one variant: rational where exact, else a 50-digit Float."""
    values: dict[sympy.Symbol, sympy.Number] = {sympy.Symbol(k): v for k, v in params.items()}
    for name, formula in derivation.quantities:
        value = formula.xreplace(values)
        values[name] = value if value.is_Rational else value.evalf(PRECISION)
    return {str(k): v for k, v in values.items() if str(k) not in params}


class _NotRational(Exception):
    """A function of a rational argument whose value is not rational (the key path goes inexact)."""


def _exact_at(special: Fraction, value: Fraction) -> Callable[[Fraction], Fraction]:
    """A function that sympy evaluates to a rational only at one rational argument."""
    def function(x: Fraction) -> Fraction:
        if x != special:
            raise _NotRational
        return value
    return function


def _tanh(x: Decimal) -> Decimal:
    e = (2 * x).exp()
    return (e - 1) / (e + 1)


# Each function a derivation may use: (its value on a Fraction, exact or _NotRational, as
# sympy's own evaluation decides; its value on a Decimal). tests/test_key_speed.py checks the
# exact column against sympy.
_FUNCTIONS: dict[str, tuple[Callable[[Fraction], Fraction], Callable[[Decimal], Decimal]]] = {
    "sigmoid": (_exact_at(Fraction(0), Fraction(1, 2)), lambda x: 1 / (1 + (-x).exp())),
    "exp": (_exact_at(Fraction(0), Fraction(1)), lambda x: x.exp()),
    "log": (_exact_at(Fraction(1), Fraction(0)), lambda x: x.ln()),
    "tanh": (_exact_at(Fraction(0), Fraction(0)), _tanh),
}


def _supported(formula: sympy.Expr) -> bool:
    """Whether the key path evaluates every node of a formula as sympy would."""
    for node in sympy.preorder_traversal(formula):
        if node.is_Symbol or node.is_Rational or isinstance(node, (sympy.Add, sympy.Mul)):
            continue
        if node.is_Pow and node.exp.is_Integer:
            continue
        if isinstance(node, sympy.Function) and type(node).__name__ in _FUNCTIONS and len(node.args) == 1:
            continue
        return False
    return True


_KeyFunction = tuple[str, tuple[str, ...], Callable, Callable]


@cache
def _key_functions(derivation: Derivation) -> tuple[_KeyFunction, ...] | None:
    """Each quantity lambdified twice (on Fractions, on Decimals); None if a formula has a
    node the key path does not know (the key then comes from :func:`exact_quantities`)."""
    if not all(_supported(formula) for _, formula in derivation.quantities):
        return None
    exact = {"mpf": Fraction} | {k: f for k, (f, _) in _FUNCTIONS.items()}
    inexact = {"mpf": Decimal} | {k: f for k, (_, f) in _FUNCTIONS.items()}
    compiled = []
    for name, formula in derivation.quantities:
        args = tuple(sorted(str(s) for s in formula.free_symbols))
        symbols = [sympy.Symbol(a) for a in args]
        compiled.append((str(name), args, sympy.lambdify(symbols, formula, modules=[exact, "mpmath"]),
                         sympy.lambdify(symbols, formula, modules=[inexact, "mpmath"])))
    return tuple(compiled)


def key_quantities(derivation: Derivation, params: Mapping[str, Fraction]) -> dict[str, Fraction | Decimal] | None:
    """Every quantity of one variant as :func:`exact_quantities` has it, fast: a Fraction where
    that gives a rational, else a Decimal of KEY_DIGITS digits (which rounds to the same
    30-digit text and float, but at a tie closer than 1e-50).

    Gives None where this path cannot promise the same result, and the caller uses
    :func:`exact_quantities`: a formula with a node it does not know, a division by zero,
    or an inexact value of zero (sympy may have it as the exact 0).
    """
    functions = _key_functions(derivation)
    if functions is None:
        return None
    values: dict[str, Fraction | Decimal] = dict(params)
    inexact_names: set[str] = set()
    with localcontext(_key_context()):
        decimals = {k: Decimal(x.numerator) / Decimal(x.denominator) for k, x in params.items()}
        try:
            for name, args, exact, inexact in functions:
                value: Fraction | Decimal
                if inexact_names.isdisjoint(args):
                    inputs = tuple(values[a] for a in args)
                    try:
                        value = Fraction(exact(*inputs))
                    except _NotRational:
                        value = _inexact_at(inexact, inputs)
                else:
                    value = inexact(*[decimals[a] for a in args])
                if isinstance(value, Fraction):
                    decimals[name] = Decimal(value.numerator) / Decimal(value.denominator)
                elif not value:
                    return None
                else:
                    decimals[name] = value
                    inexact_names.add(name)
                values[name] = value
        except ArithmeticError:  # see _key_context
            return None
    return {k: v for k, v in values.items() if k not in params}


def _key_context() -> Context:
    """KEY_DIGITS digits; a division by zero, an overflow or a value too small to keep them all
    raises (an ArithmeticError: key_quantities then leaves the key to sympy)."""
    return Context(prec=KEY_DIGITS, traps=[DivisionByZero, InvalidOperation, Overflow, Subnormal])


@lru_cache(maxsize=65536)
def _inexact_at(inexact: Callable, inputs: tuple[Fraction, ...]) -> Decimal:
    """An inexact quantity of exact inputs, remembered: a class shares few of them (``h1`` of
    ``h1_in = w1*i1 + w2*i2 + b1`` on a grid takes a few thousand values)."""
    with localcontext(_key_context()):
        return inexact(*(Decimal(x.numerator) / Decimal(x.denominator) for x in inputs))


def exact_choices(derivation: Derivation, params: Mapping[str, sympy.Rational]) -> dict[str, str]:
    """The selected option of every choice answer of one variant, decided exactly."""
    return {k: c.decide(params) for k, c in derivation.choices.items()}


def exact_symbolic(derivation: Derivation, params: Mapping[str, sympy.Rational]) -> dict[str, sympy.Expr]:
    """The symbolic answers of one variant, with the parameters they do not keep substituted."""
    return {k: s.for_variant(params) for k, s in derivation.symbolic.items()}


@cache
def _compiled(derivation: Derivation) -> dict[str, tuple[tuple[str, ...], Callable]]:
    """Each quantity's formula compiled to a numpy function of the names it uses, in order."""
    return {str(name): _compile(formula) for name, formula in derivation.quantities}


@cache
def _compile(formula: sympy.Expr) -> tuple[tuple[str, ...], Callable]:
    """One formula as a numpy function; cached by formula, so the derivations under altered
    rules reuse every formula they share with the correct one."""
    args = tuple(sorted(str(s) for s in formula.free_symbols))
    return args, sympy.lambdify([sympy.Symbol(a) for a in args], formula, modules=_NUMPY)


def batch_quantities(
    derivation: Derivation,
    params: Mapping[str, np.ndarray],
    overrides: Mapping[str, np.ndarray] | None = None,
    transform: Callable[[np.ndarray], np.ndarray] | None = None,
) -> dict[str, np.ndarray]:
    """Every quantity for a batch of variants: ``params`` maps each name to a float array.

    ``overrides`` replaces quantities by given arrays (and so everything computed from them);
    ``transform`` is applied to each quantity as soon as it is computed (the grader uses
    it to follow a student who rounds every intermediate result).
    """
    size = len(next(iter(params.values())))
    values: dict[str, np.ndarray] = dict(params)
    overrides = overrides or {}
    for name, (args, function) in _compiled(derivation).items():
        if name in overrides:
            values[name] = np.asarray(overrides[name], dtype=float)
            continue
        values[name] = _evaluated(function, [values[a] for a in args], size)
        if transform is not None:
            values[name] = transform(values[name])
    return {k: v for k, v in values.items() if k not in params}


_Step = tuple[str, tuple[str, ...], Callable]  # a quantity's name, its inputs, its compiled formula


def _evaluated(function: Callable, inputs: list[np.ndarray], size: int) -> np.ndarray:
    """A compiled formula over a batch of ``size``, a constant broadcast to it."""
    result = np.asarray(function(*inputs), dtype=float)
    return result if result.shape == (size,) else np.broadcast_to(result, (size,))


def batch_changes(
    derivation: Derivation, base: Derivation, values: Mapping[str, np.ndarray], given: Mapping[str, np.ndarray]
) -> dict[str, np.ndarray]:
    """The :func:`changed_quantities` of ``derivation`` over a batch whose parameters and quantities
    under ``base`` are ``values``, with the arrays of the ``given`` names: what
    ``batch_quantities(derivation, {**params, **given})`` gives for them, without the rest."""
    size = len(next(iter(values.values())))
    known = {**values, **given}
    for name, args, function in _changes(derivation, base, tuple(given)):
        known[name] = _evaluated(function, [known[a] for a in args], size)
    return known


@cache
def _changes(derivation: Derivation, base: Derivation, given: tuple[str, ...]) -> tuple[_Step, ...]:
    """Each changed quantity's name, inputs and compiled formula, in the derivation's order."""
    changed = changed_quantities(derivation, base, given)
    return tuple((name, args, function) for name, (args, function) in _compiled(derivation).items() if name in changed)


def changed_quantities(derivation: Derivation, base: Derivation, given: Iterable[str] = ()) -> frozenset[str]:
    """The quantities of ``derivation`` whose values may differ from ``base``'s on the same
    parameters: a formula of its own, or an input that is changed or among ``given`` (names
    beyond the parameters). Every other one is computed by the same compiled formula from the
    same inputs, so :func:`batch_quantities` gives it bit for bit.
    """
    ours, theirs = _compiled(derivation), _compiled(base)
    changed = set(given)
    for name, (args, function) in ours.items():
        if theirs.get(name, (None, None))[1] is not function or not changed.isdisjoint(args):
            changed.add(name)
    return frozenset(changed - set(given))


class DrawnNumbers(dict):
    """A variant's exact parameters (name -> Fraction, in the draw's order) that also hold them as
    float64, as :func:`as_arrays` rounds them, in the order ``order`` (``float_bytes``, packed:
    bytes are no container for the garbage collector to visit): a batch of such numbers is made
    arrays without converting a fraction again. A plain copy (``DrawnNumbers(items)``) has no
    floats and is converted as any mapping."""

    __slots__ = ("order", "float_bytes")
    order: tuple[str, ...]
    float_bytes: bytes


def drawn_numbers(exact: Iterable[Iterable[tuple[str, Fraction]]], order: tuple[str, ...], floats: np.ndarray
                  ) -> list[DrawnNumbers]:
    """:class:`DrawnNumbers` of each row's exact (name, value) pairs and its floats, the row of
    ``floats`` (one column per name of ``order``)."""
    width = 8 * len(order)
    packed = np.ascontiguousarray(floats, dtype=np.float64).tobytes()
    found = []
    for start, pairs in zip(range(0, len(packed), width), exact, strict=True):
        numbers = DrawnNumbers(pairs)
        numbers.order, numbers.float_bytes = order, packed[start:start + width]
        found.append(numbers)
    return found


def as_arrays(params: Sequence[Mapping[str, Fraction | sympy.Rational]], names: Sequence[str]) -> dict[str, np.ndarray]:
    """Parameter sets (fractions or sympy rationals) as one float64 array per parameter name."""
    names = tuple(names)
    if params and all(type(p) is DrawnNumbers and getattr(p, "order", None) == names for p in params):
        packed = b"".join([cast(DrawnNumbers, p).float_bytes for p in params])
        table = np.frombuffer(packed, dtype=np.float64).reshape(len(params), len(names))
        return {n: table[:, j].copy() for j, n in enumerate(names)}
    floats: dict[int, float] = {}  # by id: a batch repeats a few grid values, all alive during the call
    arrays = {}
    for n in names:
        column = []
        for p in params:
            x = p[n]
            value = floats.get(id(x))
            if value is None:
                value = floats[id(x)] = float(int(x.numerator)) / float(int(x.denominator))
            column.append(value)
        arrays[n] = np.array(column, dtype=np.float64)
    return arrays


def local_value(derivation: Derivation, name: str, values: Mapping[str, float]) -> float:
    """One quantity from its own formula, given the values of the names it uses."""
    args, function = _compiled(derivation)[name]
    with np.errstate(all="ignore"):  # numpy scalars overflow to inf where Python floats raise
        return float(function(*(np.float64(values[a]) for a in args)))


def local_values(derivation: Derivation, name: str, values: Mapping[str, np.ndarray]) -> np.ndarray:
    """:func:`local_value` for arrays of values at once (the same numbers, element by element)."""
    args, function = _compiled(derivation)[name]
    with np.errstate(all="ignore"):
        return np.asarray(function(*(values[a] for a in args)), dtype=float)


def inputs_of(derivation: Derivation, name: str) -> tuple[str, ...]:
    """The names a quantity's formula uses."""
    return _compiled(derivation)[name][0]


@cache
def update_baseline(derivation: Derivation, name: str) -> str | None:
    """The value a quantity updates, when its formula is ``that value + (a step with eta)``.

    ``w5_new = w5 - eta*dE_dw5`` gives ``w5``; a quantity that is no update gives None. The
    grader judges an update by its step, so that leaving a weight unchanged is never accepted.
    """
    formula = derivation.quantity(name)
    eta = sympy.Symbol("eta")
    for symbol in sorted(formula.free_symbols, key=str):
        step = sympy.expand(formula - symbol)
        if eta in step.free_symbols and symbol not in step.free_symbols:
            return str(symbol)
    return None
