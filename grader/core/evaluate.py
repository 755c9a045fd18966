"""Evaluating a derivation: exactly for one variant, or in float64 for a whole batch at once."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from decimal import Context, Decimal, DivisionByZero, InvalidOperation, Overflow, Subnormal, localcontext
from fractions import Fraction
from functools import cache, lru_cache

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
        result = function(*(values[a] for a in args))
        values[name] = np.broadcast_to(np.asarray(result, dtype=float), (size,))
        if transform is not None:
            values[name] = transform(values[name])
    return {k: v for k, v in values.items() if k not in params}


def as_arrays(params: Sequence[Mapping[str, Fraction | sympy.Rational]], names: Sequence[str]) -> dict[str, np.ndarray]:
    """Parameter sets (fractions or sympy rationals) as one float64 array per parameter name."""
    arrays = {}
    for n in names:
        pairs = np.array([(int(p[n].numerator), int(p[n].denominator)) for p in params], dtype=np.float64)
        arrays[n] = pairs[:, 0] / pairs[:, 1] if len(params) else np.zeros(0)
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
