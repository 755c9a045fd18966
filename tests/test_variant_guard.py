"""The pieces of the bulk variant path give what the step-by-step definitions give, bit for bit.

Oracles: the mistake guard against the gaps of every named mistake computed in full
(``relative_gaps`` of ``numeric_mistakes``); the changed quantities against a full evaluation of
the mistake's derivation; packed floats against converting each fraction; bulk rows against
:class:`Draws`; seeds against :func:`seed_for`.
"""

from __future__ import annotations

import pickle
from fractions import Fraction

import numpy as np
import pytest

from grader.core import variants
from grader.core.conditioning import distinct
from grader.core.evaluate import (
    DrawnNumbers,
    as_arrays,
    batch_changes,
    batch_quantities,
    changed_quantities,
    drawn_numbers,
)
from grader.core.mistakes import GAP, RULE_MISTAKES, numeric_mistakes, relative_gaps, well_separated
from grader.core.rng import BulkDraws, Draws
from grader.core.variants import VariantKey, generate, seed_for
from grader.families import FAMILIES


def _proposals(name: str, count: int):
    """Unconditioned proposals of a family (some overflow, some land on a mistake) and their values."""
    family = FAMILIES[name]
    drawn = [p for p in (family.draw(Draws(f"guard-{i}", "0")) for i in range(count)) if p is not None]
    params = as_arrays(drawn, family.params)
    with np.errstate(all="ignore"):
        values = {**params, **batch_quantities(family.derivation(), params)}
    return family, params, values


@pytest.mark.parametrize("name", sorted(FAMILIES))
def test_the_guard_gives_the_verdicts_of_every_mistake_computed_in_full(name):
    family, params, values = _proposals(name, 3000)
    with np.errstate(all="ignore"):
        gaps = relative_gaps(family, values, numeric_mistakes(family, params, values))
        expected = np.logical_and.reduce([gap >= GAP for gap in gaps.values()])
        got = well_separated(family, params, values)
    np.testing.assert_array_equal(got, expected)
    assert 0 < np.count_nonzero(got) < len(got)  # both verdicts occur, so the test can fail


def test_the_guard_counts_a_mistake_only_where_it_moves_the_answer():
    """Where a neighbouring answer equals the key (a zero distance) it is no mistake; 1 % away, it is."""
    family, params, values = _proposals("backprop_222", 400)
    with np.errstate(all="ignore"):
        base = well_separated(family, params, values)
        same = dict(values, dE_dw6=values["dE_dw5"])  # neighbours in the same step
        near = dict(values, dE_dw6=values["dE_dw5"] * 1.01)
        np.testing.assert_array_equal(well_separated(family, params, near), np.zeros_like(base))
        expected = np.logical_and.reduce(
            [g >= GAP for g in relative_gaps(family, same, numeric_mistakes(family, params, same)).values()])
        np.testing.assert_array_equal(well_separated(family, params, same), expected)


@pytest.mark.parametrize("name", ["backprop_222", "deep_chain", "gd_linear"])
def test_a_mistake_changes_only_its_changed_quantities_and_they_are_computed_alike(name):
    family, params, values = _proposals(name, 500)
    correct = family.derivation()
    for _, rules in RULE_MISTAKES:
        mistaken = family.derivation(rules)
        with np.errstate(all="ignore"):
            full = batch_quantities(mistaken, params)
            changed = changed_quantities(mistaken, correct)
            computed = batch_changes(mistaken, correct, values, {})
        for q, array in full.items():
            expected = array if q in changed else values[q]
            np.testing.assert_array_equal(array, expected)  # unchanged ones are the key's, bit for bit
            if q in changed:
                np.testing.assert_array_equal(computed[q], array)


@pytest.mark.parametrize("name", sorted(FAMILIES))
def test_drawn_numbers_carry_the_floats_a_conversion_gives(name):
    family = FAMILIES[name]
    drawn = generate(family, [VariantKey("floats", f"s{i}") for i in range(300)])
    assert all(type(v.numbers) is DrawnNumbers for v in drawn)
    packed = as_arrays([v.numbers for v in drawn], family.params)
    converted = {n: np.array([float(v.numbers[n]) for v in drawn]) for n in family.params}
    for n in family.params:
        np.testing.assert_array_equal(packed[n], converted[n])


def test_drawn_numbers_survive_pickling_and_plain_copies_are_converted():
    numbers = drawn_numbers([[("a", Fraction(1, 3)), ("b", Fraction(-5, 2))]], ("b", "a"), np.array([[-2.5, 1 / 3]]))[0]
    again = pickle.loads(pickle.dumps(numbers))
    assert again == {"a": Fraction(1, 3), "b": Fraction(-5, 2)} and again.float_bytes == numbers.float_bytes
    assert as_arrays([again], ("b", "a"))["a"][0] == 1 / 3
    copy = DrawnNumbers(numbers)  # no floats: converted from the fractions
    assert as_arrays([copy], ("a", "b"))["b"][0] == -2.5


def test_bulk_rows_by_attempt_draw_as_draws_does():
    seeds = [f"seed {i} ∑\x1f" for i in range(30)]
    bulk = BulkDraws.of_attempts(BulkDraws.heads(seeds), range(5, 9))
    columns = [bulk.integer(0, 10**6), *bulk.sample(range(40), 9), bulk.choice("abc")]
    for row in range(len(seeds) * 4):
        one = Draws(seeds[row % len(seeds)], str(5 + row // len(seeds)))
        expected = [one.integer(0, 10**6), *one.sample(range(40), 9), one.choice("abc")]
        assert [c.options[c.index[row]] for c in columns] == expected


def test_seeds_in_bulk_are_seed_for():
    family = FAMILIES["gd_linear"]
    keys = [VariantKey("hw 1", "s:1\x1f", "q2"), VariantKey("", "学生", ""), VariantKey("a\x1eb", "12", "3")]
    assert variants._seeds(family, keys) == [seed_for(family, k) for k in keys]


def test_distinct_in_chunks_with_a_constant_column_is_pairwise_distinctness():
    rng = np.random.default_rng(7)
    rows = 3 * 1024 + 5
    columns = [rng.choice([0.5, 0.503, 1.0, 1.02, np.nan], size=rows), np.float64(1.0),
               rng.choice([0.5, 2.0, 0.9901], size=rows)]
    def apart(u, v):
        return abs(u - v) > 0.01 * max(abs(u), abs(v))  # False with NaN

    expected = np.array([apart(a, 1.0) and apart(c, 1.0) and apart(a, c)
                         for a, c in zip(columns[0], columns[2], strict=True)])
    np.testing.assert_array_equal(distinct(columns), expected)


def test_the_nearest_counted_mistake_decides_as_every_mistake_does():
    """NaN, infinities, mistakes equal to the key or within SAME of it, updates with a zero step."""
    from grader.core.mistakes import SAME, _too_close

    rng = np.random.default_rng(11)
    rows, count = 5000, 6
    key = rng.choice([0.0, 1e-7, 0.5, -2.0, np.inf, np.nan], size=rows, p=[0.1, 0.1, 0.4, 0.3, 0.05, 0.05])
    base = np.where(rng.random(rows) < 0.2, key, key + rng.choice([0.1, -0.3], size=rows))
    offsets = rng.choice([0.0, 1e-12, 0.001, 0.015, 0.021, 0.5, np.nan, np.inf], size=(count, rows))
    with np.errstate(all="ignore"):
        wrong = key + offsets * np.where(np.isfinite(key), np.maximum(np.abs(key - base), 1e-4), 1.0)
    values = {"a": key, "a_old": base}
    for baseline in (None, "a_old"):
        with np.errstate(all="ignore"):
            size = np.abs(key - base) if baseline else np.abs(key)
            scale = np.maximum(size, 1e-4)
            distance = np.abs(wrong - key)
            counted = np.isfinite(wrong) & (distance > SAME * size)
            expected = np.where(counted, distance / scale, np.inf).min(axis=0) < GAP
            got = _too_close(values, "a", baseline, wrong.copy())
        np.testing.assert_array_equal(got, expected)
        assert 0 < np.count_nonzero(got) < rows
