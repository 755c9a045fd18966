"""Named mistakes matched against targets prepared for the whole batch (issue 18) give the same
verdict as the comparison made for one variant at a time, which stays the oracle here (it is the
path significant figures still take): for every family's numeric answers, values on, near and
between each mistake, the key, updates left unchanged, and each tolerance mode but significant
figures."""

from __future__ import annotations

import math

import numpy as np
import pytest

from grader.core import grading
from grader.core.compare import Tolerance
from grader.core.evaluate import update_baseline
from grader.core.grading import _named_mistake, _sigfig_matches, expectations
from grader.core.variants import VariantKey, generate
from grader.families import FAMILIES

TOLERANCES = (Tolerance("relative", 0.01), Tolerance("relative", 0.05), Tolerance("absolute", 0.001),
              Tolerance("absolute", 0.2))
FACTORS = (1.0, 1.004, 0.996, 1.02, 0.97, 1.5, -1.0, 0.0)


def one_at_a_time(expected, answer_id, value, key, origin, tolerance):
    """The former verdict: every mistake compared for this variant alone."""
    found, wrong = expected.mistake_values(answer_id)
    if not found:
        return None
    matching, near = _sigfig_matches(expected, answer_id, value, key, origin, tolerance, found, wrong)
    if not matching.size:
        return None
    first = found[matching[0]]
    return first if {found[i].name for i in near} == {first.name} else None


def values_to_try(expected, answer_id, key, origin) -> list[float]:
    _, wrong = expected.mistake_values(answer_id)
    around = [float(w) * f for w in wrong if math.isfinite(w) for f in FACTORS]
    between = [(float(a) + float(b)) / 2 for a, b in zip(wrong[:-1], wrong[1:], strict=True) if math.isfinite(a + b)]
    return [*around, *between, key, key * 1.01, *(() if origin is None else (origin,))]


@pytest.mark.parametrize("family_name", sorted(FAMILIES))
def test_batch_targets_name_the_same_mistake(family_name):
    family = FAMILIES[family_name]
    prepared = expectations(family, generate(family, [VariantKey("targets", f"s{i}") for i in range(12)]))
    derivation = family.derivation()
    compared = named = 0
    for expected in prepared:
        for answer_id in expected.batch.mistake_table:
            baseline = update_baseline(derivation, answer_id)
            origin = None if baseline is None else expected.values[baseline]
            key = expected.values[answer_id]
            for tolerance in TOLERANCES:
                for value in values_to_try(expected, answer_id, key, origin):
                    ours = _named_mistake(expected, answer_id, value, key, origin, tolerance)
                    assert ours == one_at_a_time(expected, answer_id, value, key, origin, tolerance), (
                        answer_id, value, tolerance)
                    compared += 1
                    named += ours is not None
    if prepared[0].batch.mistake_table:
        assert compared and named  # the values tried do reach named mistakes


def test_targets_are_prepared_once_per_answer_and_tolerance():
    family = FAMILIES["backprop_222"]
    prepared = expectations(family, generate(family, [VariantKey("targets", f"s{i}") for i in range(5)]))
    batch = prepared[0].batch
    answer_id = next(iter(batch.mistake_table))
    first = batch.mistake_targets(answer_id, grading.DEFAULT)
    assert batch.mistake_targets(answer_id, grading.DEFAULT) is first
    shifted, allowed, widened = first
    assert shifted.shape == allowed.shape == widened.shape == batch.mistake_table[answer_id][1].shape
    assert np.all((allowed == -1) == (widened == -1))  # a mistake that cannot be named, at both widths
