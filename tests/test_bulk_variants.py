"""Bulk variant draws give exactly the numbers of the step-by-step path, for every family."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from grader.core import variants
from grader.core.conditioning import distinct
from grader.core.evaluate import exact_symbolic
from grader.core.kinds import formula_text
from grader.core.rng import BulkDraws, Column, Draws, NotOnAGrid, decimal_grid
from grader.core.variants import VariantKey, generate, generate_stepwise
from grader.families import FAMILIES

KEYS = 1000


@pytest.mark.parametrize("name", sorted(FAMILIES))
def test_bulk_variants_equal_the_stepwise_ones(name):
    family = FAMILIES[name]
    keys = [VariantKey("hw-bulk", f"s{i:04d}", "q2") for i in range(KEYS)]
    bulk, stepwise = generate(family, keys), generate_stepwise(family, keys)
    for b, s in zip(bulk, stepwise, strict=True):
        assert b.key == s.key
        assert list(b.numbers.items()) == list(s.numbers.items())  # same values, same order
        assert [type(v) for v in b.numbers.values()] == [type(v) for v in s.numbers.values()]


def test_a_short_roster_gets_the_same_variants_as_a_long_one():
    family = FAMILIES["backprop_222"]
    keys = [VariantKey("hw", f"s{i}") for i in range(300)]
    assert [v.numbers for v in generate(family, keys[250:])] == [v.numbers for v in generate(family, keys)[250:]]


def test_bulk_draws_follow_draws_call_by_call():
    seeds = [f"seed-{i}" for i in range(200)]
    labels = [str(i % 7) for i in range(200)]
    bulk = BulkDraws(seeds, labels)
    grid = decimal_grid("-1", "1", "0.05")
    calls = [bulk.integer(3, 17), bulk.choice(grid), *bulk.sample(grid, 12), bulk.decimal("0.01", "0.99", "0.01"),
             *bulk.permutation(("a", "b", "c"))]
    for row, (seed, label) in enumerate(zip(seeds, labels, strict=True)):
        one = Draws(seed, label)
        expected = [one.integer(3, 17), one.choice(grid), *one.sample(grid, 12), one.decimal("0.01", "0.99", "0.01"),
                    *one.permutation(("a", "b", "c"))]
        assert [c.options[c.index[row]] for c in calls] == expected


@pytest.mark.parametrize("use", [bool, lambda c: c == 1, lambda c: c + 1, lambda c: {c: 1}, lambda c: (1, 2)[c]])
def test_a_drawn_column_refuses_to_be_used_as_a_value(use):
    column = BulkDraws(["s"], ["0"]).integer(0, 1)
    assert isinstance(column, Column)
    with pytest.raises(TypeError):
        use(column)
    with pytest.raises(NotOnAGrid):
        bool(column)


def _distinct_pairwise(columns, relative=0.01):
    """The definition, pair by pair, one row at a time in plain Python."""
    rows = []
    for values in zip(*columns, strict=True):
        ok = True
        for a, b in itertools.combinations(values, 2):
            with np.errstate(invalid="ignore"):
                ok &= bool(abs(a - b) > relative * max(abs(a), abs(b)))
        rows.append(ok)
    return np.array(rows)


def test_sorted_distinctness_agrees_with_every_pair():
    rng = np.random.default_rng(18)
    base = rng.choice([-2.0, -1.0, -0.5, 0.0, 0.5, 1.0, 1.005, 1.0101, 2.0, np.nan, np.inf, -np.inf], size=(4000, 6))
    noisy = base * (1 + rng.choice([0.0, 0.004, 0.0099, 0.0101, 0.02], size=base.shape))
    for count in (1, 2, 6):
        columns = [noisy[:, k] for k in range(count)]
        np.testing.assert_array_equal(distinct(columns), _distinct_pairwise(columns))


@pytest.mark.parametrize("name", sorted(FAMILIES))
def test_formula_texts_printed_once_are_those_of_each_variant(name):
    family = FAMILIES[name]
    derivation = family.derivation()
    for v in generate(family, [VariantKey("hw-text", f"s{i}") for i in range(60)]):
        exact = exact_symbolic(derivation, v.params)
        printed = {a: formula_text(derivation.symbolic[a], v.params) for a in exact}
        assert printed == {a: str(e) for a, e in exact.items()}


@pytest.mark.parametrize(("first", "proposals"), [(1, 50), (600, 30_000)])
def test_any_number_of_attempts_per_round_gives_the_same_variants(monkeypatch, first, proposals):
    family = FAMILIES["backprop_222"]
    keys = [VariantKey("hw-rounds", f"s{i}") for i in range(200)]
    expected = [v.numbers for v in generate_stepwise(family, keys)]
    monkeypatch.setattr(variants, "FIRST_ATTEMPTS", first)
    monkeypatch.setattr(variants, "ROUND", proposals)
    assert [v.numbers for v in generate(family, keys)] == expected
