"""Stress-testing a declared family, like R/exams' ``stresstest_exercise``: how often each
conditioning rule rejects a random proposal, and whether every student gets a variant."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

import numpy as np

from grader.core.evaluate import as_arrays, batch_quantities
from grader.core.family import Family
from grader.core.rng import Draws, stable_seed
from grader.core.variants import ConditioningError, VariantKey, generate
from grader.declared.build import rules_of
from grader.declared.spec import Declaration

NOT_FINITE = "not_finite"
DRAW = "draw"  # the draw itself said no (e.g. a sum_to_one group off its grid)


@dataclass(frozen=True)
class StressReport:
    """``proposals`` drawn, how many each rule rejected (a draw may fail several), how many passed all;
    ``variants`` generated for distinct students and how many distinct parameter sets they have;
    ``failure`` names a student no variant could be found for."""

    proposals: int
    accepted: int
    rejected: dict[str, int]
    variants: int
    unique: int
    failure: str | None = None


def stress(declaration: Declaration, family: Family, count: int = 10_000, batch: int = 2_000) -> StressReport:
    """Draw ``count`` proposals and generate ``count`` variants of the family; pure, seeded by its name."""
    check = rules_of(declaration, lambda: family)
    rejected: Counter[str] = Counter()
    accepted = 0
    for start in range(0, count, batch):
        drawn = [family.draw(Draws(stable_seed("stress", family.name, i), "0"))
                 for i in range(start, min(count, start + batch))]
        proposals = [p for p in drawn if p is not None]
        rejected[DRAW] += len(drawn) - len(proposals)
        if not proposals:
            continue
        params = as_arrays(proposals, family.params)
        with np.errstate(all="ignore"):
            values = {**params, **batch_quantities(family.derivation(), params)}
            finite = np.logical_and.reduce([np.isfinite(v) for v in values.values()])
            results = {NOT_FINITE: finite, **check(values)}
        for rule, ok in results.items():
            rejected[rule] += int(np.count_nonzero(~ok))
        accepted += int(np.count_nonzero(np.logical_and.reduce(list(results.values()))))
    keys = [VariantKey("stress-test", f"student-{i}") for i in range(count)]
    try:
        variants = generate(family, keys)
    except ConditioningError as error:
        return StressReport(count, accepted, dict(rejected), 0, 0, str(error))
    unique = len({tuple(sorted(v.numbers.items())) for v in variants})
    return StressReport(count, accepted, dict(rejected), len(variants), unique)
