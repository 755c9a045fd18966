"""Properties every registered family must have: gradients, determinism, conditioning, statements."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import numpy as np
import pytest
import sympy

from grader.core.evaluate import as_arrays, batch_quantities
from grader.core.keys import answer_key, variant_record
from grader.core.variants import VariantKey, canonical, generate, variant
from tests.conftest import roster_variants


def test_every_answer_of_the_canonical_variant_has_a_key(family):
    key = answer_key(canonical(family))
    assert list(key) == [a.id for a in family.answers]
    for a in family.answers:
        if a.kind == "numeric":
            assert np.isfinite(key[a.id].value)
            assert float(sympy.sympify(key[a.id].exact)) == pytest.approx(key[a.id].value, rel=1e-12)
        if a.kind == "choice":
            assert key[a.id].value in a.options


def test_gradients_agree_with_central_finite_differences(family):
    """Each declared gradient answer against (L(p + h) - L(p - h)) / 2h on 200 variants."""
    assert family.gradients or not any("grad" in a.id or "dE_" in a.id for a in family.answers)
    variants = roster_variants(family.name, 200)
    derivation = family.derivation()
    params = as_arrays([v.numbers for v in variants], family.params)
    values = {**params, **batch_quantities(derivation, params)}
    for g in family.gradients:
        step = 1e-6 * np.maximum(1.0, np.abs(values[g.wrt]))

        def loss_at(shift, g=g):
            moved = values[g.wrt] + shift
            if g.wrt in params:
                return batch_quantities(derivation, {**params, g.wrt: moved})[g.loss]
            return batch_quantities(derivation, params, {g.wrt: moved})[g.loss]

        estimate = (loss_at(step) - loss_at(-step)) / (2 * step)
        np.testing.assert_allclose(values[g.answer], estimate, rtol=1e-5, atol=1e-8,
                                   err_msg=f"{family.name}: {g.answer} = d{g.loss}/d{g.wrt}")


def test_same_key_gives_the_same_variant_in_another_process(family):
    keys = [("hw1", "alice", "1"), ("hw1", "bob", "2"), ("exam", "s-0042", "3")]
    here = [variant_record(variant(family, *k)) for k in keys]
    code = (
        "import json, sys; from grader.families import FAMILIES; from grader.core.keys import "
        "variant_record; from grader.core.variants import variant; keys = json.loads(sys.argv[2]); "
        "print(json.dumps([variant_record(variant(FAMILIES[sys.argv[1]], *k)) for k in keys]))"
    )
    env = {**os.environ, "PYTHONHASHSEED": "12345"}
    out = subprocess.run([sys.executable, "-c", code, family.name, json.dumps(keys)],
                         capture_output=True, text=True, env=env, check=True)
    assert json.loads(out.stdout) == json.loads(json.dumps(here))


def test_different_students_get_different_numbers(family):
    variants = roster_variants(family.name, 1000)
    distinct = {tuple(sorted(v.numbers.items())) for v in variants}
    assert len(distinct) >= 950
    a, b = (variant(family, "hw1", s) for s in ("alice", "bob"))
    assert a.params != b.params


def test_questions_and_assignments_change_the_numbers(family):
    base = variant(family, "hw1", "alice", "1")
    assert variant(family, "hw1", "alice", "2").params != base.params
    assert variant(family, "hw2", "alice", "1").params != base.params


def test_ten_thousand_variants_are_finite_and_well_conditioned(family):
    variants = roster_variants(family.name, 10_000)
    params = as_arrays([v.numbers for v in variants], family.params)
    values = {**params, **batch_quantities(family.derivation(), params)}
    for name, column in values.items():
        assert np.isfinite(column).all(), f"{family.name}: {name} not finite"
    assert np.asarray(family.conditions(values)).all()
    numeric = [a.id for a in family.answers if a.kind == "numeric"]
    for i, first in enumerate(numeric):
        for second in numeric[i + 1:]:
            gap = np.abs(values[first] - values[second])
            scale = np.maximum(np.abs(values[first]), np.abs(values[second]))
            assert (gap > 1e-3 * scale).all(), f"{family.name}: {first} and {second} coincide"


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_statements_render_every_parameter(family, lang):
    for v in [canonical(family), *roster_variants(family.name, 20)]:
        text = family.statement(v.params, lang)
        for name in family.params:
            assert "{" + name + "}" not in text
        assert text.count("$") % 2 == 0, "unbalanced inline math"


def test_generation_is_independent_of_the_roster(family):
    keys = [VariantKey("hw1", f"s{i}") for i in range(50)]
    together = generate(family, keys)
    alone = [generate(family, [k])[0] for k in keys[::7]]
    assert [v.params for v in together[::7]] == [v.params for v in alone]
