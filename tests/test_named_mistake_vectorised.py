"""The named mistake found in numpy is the one the mistake-by-mistake comparison finds."""

from __future__ import annotations

import math

import numpy as np
import pytest

from grader.core.compare import Tolerance, within
from grader.core.evaluate import update_baseline
from grader.core.grading import _named_mistake, _widened, expectations
from grader.core.variants import VariantKey, generate
from grader.families import FAMILIES


def _one_by_one(expected, answer_id, value, key, origin, tolerance):
    """The definition, one mistake at a time with compare.within (a second implementation)."""
    def close(tol):
        if origin is None:
            return lambda v, t: within(v, t, tol)
        return lambda v, t: within(v - origin, t - origin, tol)

    baseline = update_baseline(expected.variant.family.derivation(), answer_id)
    reference = expected.values[baseline] if baseline else math.nan
    candidates = [(m, w) for m, w in expected.mistakes(answer_id)
                  if not close(tolerance)(w, key) and (m.name == "off_by_one" or not close(tolerance)(w, reference))]
    matching = [m for m, w in candidates if close(tolerance)(value, w)]
    if not matching:
        return None
    confused = {m.name for m, w in candidates if close(_widened(tolerance))(value, w)}
    return matching[0] if confused == {matching[0].name} else None


@pytest.mark.parametrize("tolerance", [Tolerance(), Tolerance("absolute", 0.001), Tolerance("sigfigs", 3)])
def test_vectorised_named_mistake_agrees_with_the_definition(tolerance):
    family = FAMILIES["backprop_222"]
    prepared = expectations(family, generate(family, [VariantKey("named", f"s{i}") for i in range(40)]))
    rng = np.random.default_rng(7)
    checked = named = 0
    for expected in prepared:
        for answer in (a for a in family.answers if a.kind == "numeric"):
            key = expected.values[answer.id]
            baseline = update_baseline(family.derivation(), answer.id)
            origin = expected.values[baseline] if baseline else None
            for _, wrong in expected.mistakes(answer.id)[:: 3]:
                value = wrong * (1 + rng.choice([0.0, 0.004, -0.012, 0.03]))
                found = _named_mistake(expected, answer.id, value, key, origin, tolerance)
                assert found == _one_by_one(expected, answer.id, value, key, origin, tolerance)
                checked += 1
                named += found is not None
    assert checked > 1000 and named > 100  # many values, many of them named
