"""Filling a statement template with a variant's exact numbers."""

from __future__ import annotations

from collections.abc import Mapping

import sympy

from grader.variants import decimal_text


def fill(template: str, params: Mapping[str, sympy.Rational], **extra: object) -> str:
    """Format ``template`` with each parameter written as an exact decimal ('0.15')."""
    return template.format(**{k: decimal_text(v) for k, v in params.items()}, **extra)
