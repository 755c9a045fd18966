"""Per-student variants: reproducible, well-conditioned parameters for a family.

A variant's numbers are a pure function of (family, family version, assignment,
student, question). Proposals are drawn with :class:`~grader.rng.Draws` and the
first proposal that meets the family's conditioning rules, and keeps every named mistake
and neighbouring answer well away from the key (:func:`grader.mistakes.well_separated`),
is kept, so a student's numbers never depend on who else is on the roster.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from functools import cached_property

import numpy as np
import sympy

from grader.evaluate import as_arrays, batch_quantities
from grader.family import Family
from grader.mistakes import well_separated
from grader.rng import Draws, stable_seed

MAX_ATTEMPTS = 600


@dataclass(frozen=True)
class VariantKey:
    """Who a variant belongs to."""

    assignment: str
    student: str
    question: str = "1"


@dataclass(frozen=True)
class Variant:
    """A family with one exact parameter set; ``key`` is None for the canonical variant.

    ``numbers`` holds the parameters as fractions (cheap to make for a whole class);
    ``params`` gives them as sympy rationals for exact work on one variant.
    """

    family: Family
    numbers: Mapping[str, Fraction]
    key: VariantKey | None = None

    @cached_property
    def params(self) -> dict[str, sympy.Rational]:
        """The parameters as exact sympy rationals."""
        return {k: sympy.Rational(v.numerator, v.denominator) for k, v in self.numbers.items()}


class ConditioningError(RuntimeError):
    """A family's rules rejected every proposal for some key (a bug in the family)."""


def canonical(family: Family) -> Variant:
    """The variant with the seed article's own numbers."""
    return Variant(family, {k: Fraction(v) for k, v in family.canonical.items()})


def seed_for(family: Family, key: VariantKey) -> str:
    """The seed text of a variant: family, version and key."""
    return stable_seed(family.name, family.version, key.assignment, key.student, key.question)


def generate(family: Family, keys: Sequence[VariantKey]) -> list[Variant]:
    """Variants for many keys at once; conditions are checked on the whole batch in numpy."""
    seeds = [seed_for(family, k) for k in keys]
    chosen: list[Mapping[str, Fraction] | None] = [None] * len(keys)
    waiting = list(range(len(keys)))
    for attempt in range(MAX_ATTEMPTS):
        if not waiting:
            break
        proposals = {i: family.draw(Draws(seeds[i], str(attempt))) for i in waiting}
        drawn = [i for i in waiting if proposals[i] is not None]
        accepted = _well_conditioned(family, [proposals[i] for i in drawn])
        for i, ok in zip(drawn, accepted, strict=True):
            if ok:
                chosen[i] = proposals[i]
        waiting = [i for i in waiting if chosen[i] is None]
    if waiting:
        raise ConditioningError(f"{family.name}: no well-conditioned variant for {keys[waiting[0]]}")
    return [Variant(family, params, key) for params, key in zip(chosen, keys, strict=True)]


def variant(family: Family, assignment: str, student: str, question: str = "1") -> Variant:
    """The variant of one student for one question."""
    return generate(family, [VariantKey(assignment, student, question)])[0]


def _well_conditioned(family: Family, proposals: Sequence[Mapping[str, Fraction]]) -> np.ndarray:
    if not proposals:
        return np.zeros(0, dtype=bool)
    params = as_arrays(proposals, family.params)
    values = {**params, **batch_quantities(family.derivation(), params)}
    finite = np.logical_and.reduce([np.isfinite(v) for v in values.values()])
    return finite & np.asarray(family.conditions(values), dtype=bool) & well_separated(
        family, params, values)


def decimal_text(value: sympy.Rational | Fraction) -> str:
    """An exact rational as a terminating decimal when it is one ('0.15'), else 'p/q'."""
    value = Fraction(int(value.numerator), int(value.denominator))
    q = value.denominator
    for p in (2, 5):
        while q % p == 0:
            q //= p
    if q != 1:
        return str(value)
    digits = 0
    while (value * 10**digits).denominator != 1:
        digits += 1
    text = f"{abs(value.numerator) * 10**digits // value.denominator:0{digits + 1}d}"
    if digits:
        text = f"{text[:-digits]}.{text[-digits:]}"
    return ("-" if value < 0 else "") + text
