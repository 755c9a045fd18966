"""backprop_222 declared as data (grader/declared/families/backprop_222.toml) against the
hand-written module it replaces, on 1,000 variants: everything a user or a test sees is identical.

Both families carry the same name and version, under which grader.family caches derivations and
grader.statement the canonical precision: each side is read with those caches emptied.
This test lives only while both exist; afterwards identity rests on the bundled-class snapshot,
the canonical tests and the numpy/finite-difference oracle of tests/test_declared_oracle.py.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from grader import family as family_module
from grader import statement as statement_module
from grader.declared import load
from grader.evaluate import as_arrays, batch_quantities
from grader.families import backprop_222
from grader.mistakes import RULE_MISTAKES, numeric_mistakes, symbolic_mistakes
from grader.variants import VariantKey, canonical, generate

COUNT = 1_000
TOML = Path(__file__).resolve().parent.parent / "grader/declared/families/backprop_222.toml"
KEYS = [VariantKey("identity", f"s{k:04d}", "q1") for k in range(COUNT)]


def seen(f) -> dict:
    """What a user or a test can see of a family, on COUNT variants (exact values and formulas)."""
    family_module._CACHE.clear()
    statement_module._CANONICAL_FIGURES.clear()
    out = {attr: getattr(f, attr) for attr in ("name", "version", "summary", "params", "canonical", "answers",
                                                 "gradients", "slips", "rule_mistakes")}
    d = f.derivation()
    out["derivation"] = (d.quantities, d.forward, d.definitions)
    out["symbolic"] = {k: (s.expr, s.symbols, s.near, s.asks, d.usable(k)) for k, s in d.symbolic.items()}
    out["under_mistakes"] = [f.derivation(rules).quantities for _, rules in RULE_MISTAKES]
    out["symbolic_mistakes"] = {a: symbolic_mistakes(f, a) for a in d.symbolic}
    variants = generate(f, KEYS)
    out["numbers"] = [v.numbers for v in variants]
    out["statements"] = [f.statement(v.params, lang) for v in (canonical(f), *variants[:100]) for lang in ("en", "zh")]
    params = as_arrays(out["numbers"], f.params)
    values = {**params, **batch_quantities(d, params)}
    out["values"] = {k: v.tolist() for k, v in values.items()}
    out["mistakes"] = {a: [(m, np.broadcast_to(w, (COUNT,)).tolist()) for m, w in found]
                       for a, found in numeric_mistakes(f, params, values).items()}
    return out


@pytest.mark.parametrize("part", ["name", "version", "summary", "params", "canonical", "answers", "gradients",
                                  "slips", "rule_mistakes", "derivation", "symbolic", "under_mistakes",
                                  "symbolic_mistakes", "numbers", "statements", "values", "mistakes"])
def test_the_declared_backprop_222_is_the_module(sides, part):
    module, declared = sides
    assert declared[part] == module[part]


@pytest.fixture(scope="module")
def sides():
    """The module's and the declaration's view, each computed with the caches emptied."""
    module = seen(backprop_222.FAMILY)
    declared = seen(load(TOML))
    family_module._CACHE.clear()
    statement_module._CANONICAL_FIGURES.clear()
    return module, declared
