"""Typical wrong answers, generated from a family's derivation rather than typed per question.

Each mistake is the correct model with one thing done wrong: re-derived under altered
:class:`~grader.model.Rules` (sigma' dropped, the 1/2 of the loss forgotten or doubled, the
step added), the hidden deltas fed with the updated weights, the sign flipped, the value of
the neighbouring epoch or layer, or every intermediate rounded to two significant figures.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
import sympy

from grader.evaluate import batch_quantities
from grader.family import Derivation, Family
from grader.model import Rules

RULE_MISTAKES: tuple[tuple[str, Rules], ...] = (
    ("activation_derivative_dropped", Rules(activation_derivative=False)),
    ("half_forgotten", Rules(loss_scale=sympy.Integer(1))),
    ("half_doubled", Rules(loss_scale=sympy.Rational(1, 4))),
    ("step_added", Rules(update_sign=1)),
)
INDEXED = re.compile(r"^(?P<stem>.+)_(?P<index>\d+)$")
GIVEN = "__given"


@dataclass(frozen=True)
class Mistake:
    """A named mistake and the fields its message needs (e.g. the neighbouring answer)."""

    name: str
    fields: tuple[tuple[str, str], ...] = field(default=())


def round_significant(values: np.ndarray, digits: int = 2) -> np.ndarray:
    """Round every element to ``digits`` significant figures (zero stays zero)."""
    values = np.asarray(values, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        scale = 10.0 ** (digits - 1 - np.floor(np.log10(np.abs(values))))
        rounded = np.round(values * scale) / scale
    return np.where((values == 0) | ~np.isfinite(rounded), values, rounded)


def _updated_weights_in_deltas(derivation: Derivation) -> tuple[Derivation, dict[str, str]] | None:
    """The derivation with every delta fed the updated weights, or None if it has no such step."""
    names = {str(q) for q, _ in derivation.quantities}
    swaps: dict[str, str] = {}
    quantities = []
    for quantity, formula in derivation.quantities:
        if str(quantity).startswith("delta"):
            swap = {s: sympy.Symbol(f"{s}_new{GIVEN}") for s in formula.free_symbols
                    if f"{s}_new" in names}
            swaps.update({str(s): f"{s}_new" for s in swap})
            formula = formula.xreplace(swap)
        quantities.append((quantity, formula))
    if not swaps:
        return None
    return Derivation(tuple(quantities), derivation.forward), swaps


def numeric_mistakes(
    family: Family, params: Mapping[str, np.ndarray], correct: Mapping[str, np.ndarray]
) -> dict[str, list[tuple[Mistake, np.ndarray]]]:
    """For each numeric answer, its typical wrong values over a batch of variants.

    ``params`` and ``correct`` are float arrays of the batch's parameters and quantities.
    Values equal to the correct one are kept; the grader skips those it cannot tell apart.
    """
    numeric = [a.id for a in family.answers if a.kind == "numeric"]
    found: dict[str, list[tuple[Mistake, np.ndarray]]] = {a: [] for a in numeric}
    for name, rules in (*RULE_MISTAKES, *family.rule_mistakes):
        values = batch_quantities(family.derivation(rules), params)
        for a in numeric:
            found[a].append((Mistake(name), values[a]))
    for a in numeric:
        found[a].append((Mistake("sign_flipped"), -correct[a]))
    mutated = _updated_weights_in_deltas(family.derivation())
    if mutated is not None:
        derivation, swaps = mutated
        given = {f"{old}_new{GIVEN}": correct[new] for old, new in swaps.items()}
        values = batch_quantities(derivation, {**params, **given})
        for a in numeric:
            found[a].append((Mistake("updated_weights_in_deltas"), values[a]))
    rounded = batch_quantities(family.derivation(), params, transform=round_significant)
    for a in numeric:
        found[a].append((Mistake("rounded_too_early"), rounded[a]))
    for a in numeric:
        for other in _neighbours(a, correct):
            found[a].append((Mistake("off_by_one", (("other", other),)), correct[other]))
    return found


def _neighbours(answer_id: str, quantities: Mapping[str, object]) -> list[str]:
    """The same quantity one index down and up (pred_1 for pred_2, a_3 for a_2)."""
    match = INDEXED.match(answer_id)
    if not match:
        return []
    stem, index = match["stem"], int(match["index"])
    return [f"{stem}_{i}" for i in (index - 1, index + 1) if f"{stem}_{i}" in quantities]


def symbolic_mistakes(family: Family, answer_id: str) -> list[tuple[Mistake, sympy.Expr]]:
    """The typical wrong formulas for a symbolic answer (unsubstituted, in the family's symbols)."""
    correct = family.derivation().symbolic[answer_id].expr
    wrong = [(Mistake("sign_flipped"), -correct)]
    for name, rules in (*RULE_MISTAKES, *family.rule_mistakes):
        expr = family.derivation(rules).symbolic[answer_id].expr
        if expr != correct:
            wrong.append((Mistake(name), expr))
    return wrong
