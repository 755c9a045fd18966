"""Answer keys: every answer of a variant, exactly, and the same for many variants in float64."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from grader.core.evaluate import (
    as_arrays,
    batch_quantities,
    exact_choices,
    exact_quantities,
)
from grader.core.family import Family, Kind
from grader.core.kinds import is_number, kind_of
from grader.core.variants import Variant, decimal_text


@dataclass(frozen=True)
class KeyEntry:
    """One answer of the key: ``value`` is a float (numeric) or text; ``exact`` is sympy-readable."""

    kind: Kind
    value: float | str
    exact: str
    points: float


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
