"""Filling a statement template with a variant's exact numbers."""

from __future__ import annotations

from collections.abc import Mapping
from fractions import Fraction

import sympy

from grader.core.family import Family
from grader.core.mistakes import FIGURES, figures_needed
from grader.core.variants import decimal_text
from grader.text.messages import message


def fill(template: str, params: Mapping[str, sympy.Rational], **extra: object) -> str:
    """Format ``template`` with each parameter written as an exact decimal ('0.15')."""
    return template.format(**{k: decimal_text(v) for k, v in params.items()}, **extra)


_CANONICAL_FIGURES: dict[tuple[str, int], int] = {}


def precision(family: Family, params: Mapping[str, sympy.Rational], lang: str) -> str:
    """The statement's closing sentence: how many significant figures the answers need.

    A drawn variant meets the conditioning rules, which leave every tolerance at 1 %
    (FIGURES figures); the canonical variant's tighter tolerances are worked out, once.
    """
    digits = FIGURES
    canonical = _canonical(family)
    if params.keys() == canonical.keys() and all(  # most variants differ at the first parameter
            Fraction(int(v.numerator), int(v.denominator)) == canonical[k] for k, v in params.items()):
        key = (family.name, family.version)
        if key not in _CANONICAL_FIGURES:
            _CANONICAL_FIGURES[key] = figures_needed(family, params)
        digits = _CANONICAL_FIGURES[key]
    return "\n" + message("precision", lang, digits=digits) + "\n"


def _exact(params: Mapping[str, sympy.Rational | Fraction]) -> dict[str, Fraction]:
    return {k: Fraction(int(v.numerator), int(v.denominator)) for k, v in params.items()}


_CANONICAL: dict[tuple[str, int], dict[str, Fraction]] = {}


def _canonical(family: Family) -> dict[str, Fraction]:
    """The family's canonical parameters as fractions, worked out once."""
    key = (family.name, family.version)
    if key not in _CANONICAL:
        _CANONICAL[key] = _exact({k: sympy.Rational(v) for k, v in family.canonical.items()})
    return _CANONICAL[key]
