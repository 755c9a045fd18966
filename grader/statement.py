"""Filling a statement template with a variant's exact numbers."""

from __future__ import annotations

from collections.abc import Mapping

import sympy

from grader.family import Family
from grader.messages import message
from grader.mistakes import figures_needed
from grader.variants import decimal_text


def fill(template: str, params: Mapping[str, sympy.Rational], **extra: object) -> str:
    """Format ``template`` with each parameter written as an exact decimal ('0.15')."""
    return template.format(**{k: decimal_text(v) for k, v in params.items()}, **extra)


def precision(family: Family, params: Mapping[str, sympy.Rational], lang: str) -> str:
    """The statement's closing sentence: how many significant figures the answers need."""
    return "\n" + message("precision", lang, digits=figures_needed(family, params)) + "\n"
