"""Answer keys: every answer of a variant, exactly, and the same for many variants in float64."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Context, Decimal
from fractions import Fraction
from functools import lru_cache

import numpy as np
import sympy
from mpmath.libmp import from_rational, round_nearest, to_str

from grader.core.evaluate import (
    as_arrays,
    batch_quantities,
    exact_choices,
    exact_quantities,
    key_quantities,
)
from grader.core.family import Family, Kind
from grader.core.kinds import DIGITS, exact_text, is_number, kind_of
from grader.core.variants import Variant, decimal_text


@dataclass(frozen=True)
class KeyEntry:
    """One answer of the key: ``value`` is a float (numeric) or text; ``exact`` is sympy-readable."""

    kind: Kind
    value: float | str
    exact: str
    points: float


_BITS = sympy.Float(1, DIGITS)._prec  # the binary precision exact_text rounds to first


def fast_number(value: Fraction | Decimal) -> tuple[float, str]:
    """A value of :func:`~grader.core.evaluate.key_quantities` as the key's float and
    :func:`exact_text`: both rounded as from sympy's 50-digit Float (to the nearest float; to
    _BITS bits, then to DIGITS digits)."""
    if isinstance(value, Fraction):
        return float(value), str(value)
    number = float(value)
    text = _rounded_once(value, number)
    if text is None:
        p, q = value.as_integer_ratio()
        text = to_str(from_rational(p, q, _BITS, round_nearest), DIGITS, strip_zeros=False)
    return number, text


_WIDE = Context(prec=200)  # exact for every operation of _rounded_once on a key's Decimal


def _rounded_once(value: Decimal, number: float) -> str | None:
    """exact_text of a value rounded to DIGITS digits at once, where rounding it to _BITS bits
    first cannot change the result: None within half a binary unit of a decimal tie, or
    outside mpmath's fixed-point range (then the caller rounds twice, as sympy does)."""
    exponent = value.adjusted()
    if not -10 < exponent < DIGITS - 1:
        return None
    fraction = float(_WIDE.remainder(value.copy_abs().scaleb(DIGITS - 1 - exponent, _WIDE), 1))
    half_unit = math.ldexp(1.0, math.frexp(number)[1] - _BITS - 1) * 10.0 ** (DIGITS - 1 - exponent)
    if abs(fraction - 0.5) <= 1.01 * half_unit + 1e-12:
        return None
    rounded = value.quantize(Decimal(1).scaleb(exponent - DIGITS + 1), ROUND_HALF_UP, _WIDE)
    if rounded.adjusted() != exponent:
        return None
    return f"{rounded:f}"


def answer_key(v: Variant) -> dict[str, KeyEntry]:
    """Every answer of one variant, in the family's answer order."""
    derivation = v.family.derivation()
    fast = key_quantities(derivation, v.numbers)
    if fast is None:
        quantities = exact_quantities(derivation, v.params)
        numbers = {k: (float(x), exact_text(x)) for k, x in quantities.items()}
    else:
        numbers = {k: fast_number(x) for k, x in fast.items()}
    choices = exact_choices(derivation, v.params) if derivation.choices else {}
    key = {}
    for a in v.family.answers:
        value, text = kind_of(a).key(a, derivation, v.params, numbers, choices)
        key[a.id] = KeyEntry(a.kind, value, text, a.points)
    return key


_param_text = lru_cache(maxsize=65536)(decimal_text)  # a class's parameters repeat a few grid values


def batch_key(family: Family, variants: Sequence[Variant]) -> dict[str, np.ndarray]:
    """The numeric answers of many variants at once, one float64 array per answer id."""
    values = batch_quantities(family.derivation(), as_arrays([v.numbers for v in variants], family.params))
    return {a.id: values[a.id] for a in family.answers if is_number(a)}


def variant_record(v: Variant) -> dict:
    """The stable JSON form of a variant: family, version, exact params and the key."""
    return {
        "family": v.family.name,
        "version": v.family.version,
        "params": {k: _param_text(p) for k, p in v.numbers.items()},
        "answers": {
            k: {"kind": e.kind, "value": e.value, "exact": e.exact, "points": e.points}
            for k, e in answer_key(v).items()
        },
    }
