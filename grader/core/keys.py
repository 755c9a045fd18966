"""Answer keys: every answer of a variant, exactly, and the same for many variants in float64."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import sympy

from grader.core.evaluate import (
    as_arrays,
    batch_quantities,
    exact_choices,
    exact_quantities,
)
from grader.core.family import Answer, Derivation, Family, Kind, Symbolic
from grader.core.kinds import is_number, kind_of
from grader.core.variants import Variant, decimal_text

DIGITS = 30  # significant digits written for answers that are not rational


@dataclass(frozen=True)
class KeyEntry:
    """One answer of the key: ``value`` is a float (numeric) or text; ``exact`` is sympy-readable."""

    kind: Kind
    value: float | str
    exact: str
    points: float


def exact_text(value: sympy.Expr) -> str:
    """A number as exact text: '3/4' for rationals, else 30 significant digits."""
    if value.is_Rational:
        return str(value)
    return str(sympy.Float(value, DIGITS))


def answer_key(v: Variant) -> dict[str, KeyEntry]:
    """Every answer of one variant, in the family's answer order."""
    derivation = v.family.derivation()
    numbers = exact_quantities(derivation, v.params)
    choices = exact_choices(derivation, v.params)
    key = {}
    for a in v.family.answers:
        value, exact = kind_of(a).key(a, derivation, v.params, numbers, choices)
        key[a.id] = KeyEntry(a.kind, value, exact, a.points)
    return key


def numeric_key(answer: Answer, derivation: Derivation, params: Mapping[str, sympy.Rational],
                numbers: Mapping[str, sympy.Expr], choices: Mapping[str, str]) -> tuple[float | str, str]:
    """A number's key: its float and its exact text."""
    return float(numbers[answer.id]), exact_text(numbers[answer.id])


def symbolic_key(answer: Answer, derivation: Derivation, params: Mapping[str, sympy.Rational],
                 numbers: Mapping[str, sympy.Expr], choices: Mapping[str, str]) -> tuple[float | str, str]:
    """A formula's key: the formula with the variant's numbers, as text (both value and exact)."""
    text = formula_text(derivation.symbolic[answer.id], params)
    return text, text


def choice_key(answer: Answer, derivation: Derivation, params: Mapping[str, sympy.Rational],
               numbers: Mapping[str, sympy.Expr], choices: Mapping[str, str]) -> tuple[float | str, str]:
    """A choice's key: the right option."""
    return choices[answer.id], choices[answer.id]


def formula_text(symbolic: Symbolic, params: Mapping[str, sympy.Rational]) -> str:
    """A formula answer of one variant as text (``str`` of :func:`~grader.core.evaluate.exact_symbolic`'s
    formula), printed once per set of the numbers that appear in it."""
    used = {str(s) for s in symbolic.expr.free_symbols}
    return _formula_text(symbolic, tuple((k, v) for k, v in params.items() if k in used and k not in symbolic.symbols))


@lru_cache(maxsize=4096)
def _formula_text(symbolic: Symbolic, fixed: tuple[tuple[str, sympy.Rational], ...]) -> str:
    return str(symbolic.for_variant(dict(fixed)))


def batch_key(family: Family, variants: Sequence[Variant]) -> dict[str, np.ndarray]:
    """The numeric answers of many variants at once, one float64 array per answer id."""
    values = batch_quantities(family.derivation(), as_arrays([v.numbers for v in variants], family.params))
    return {a.id: values[a.id] for a in family.answers if is_number(a)}


def variant_record(v: Variant) -> dict:
    """The stable JSON form of a variant: family, version, exact params and the key."""
    return {
        "family": v.family.name,
        "version": v.family.version,
        "params": {k: decimal_text(p) for k, p in v.numbers.items()},
        "answers": {
            k: {"kind": e.kind, "value": e.value, "exact": e.exact, "points": e.points}
            for k, e in answer_key(v).items()
        },
    }
