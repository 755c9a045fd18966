"""Indented JSON text is exactly what the standard library's json.dumps writes."""

from __future__ import annotations

import json
import math
import random
from fractions import Fraction

import pytest

from grader.text.indented_json import indented_json

LEAVES = ["", "plain", "ünïcödé 第 1 轮", 'quote " and \\ backslash', "tab\tnew\nline\x00\x1f", "\u2028",
          0, -7, 10**30, True, False, None, 0.1, -0.0, 1e-300, 2.5e16, math.nan, math.inf, -math.inf]
KEYS = ["a", "b", "ü", "", "z\n", 3, 1.5, True, None]


def nested(rng: random.Random, depth: int) -> object:
    roll = rng.random()
    if depth == 0 or roll < 0.4:
        return rng.choice(LEAVES)
    if roll < 0.7:
        return [nested(rng, depth - 1) for _ in range(rng.randrange(0, 4))]
    if roll < 0.8:
        return tuple(nested(rng, depth - 1) for _ in range(rng.randrange(0, 3)))
    keys = rng.sample(KEYS[:5], rng.randrange(0, 5))  # string keys only: sorting mixed keys fails in both
    return {k: nested(rng, depth - 1) for k in keys}


@pytest.mark.parametrize("indent", [1, 2, 4])
@pytest.mark.parametrize("sort_keys", [False, True])
def test_random_documents_are_written_as_json_dumps_writes_them(indent, sort_keys):
    rng = random.Random(indent * 10 + sort_keys)
    for _ in range(400):
        data = nested(rng, 5)
        assert indented_json(data, indent, sort_keys) == json.dumps(data, ensure_ascii=False, indent=indent,
                                                                    sort_keys=sort_keys)


def test_keys_that_are_not_strings_are_written_as_json_dumps_writes_them():
    data = {3: 1, 1.5: [], True: {}, None: "x", "s": (1, 2)}
    assert indented_json(data, 2) == json.dumps(data, ensure_ascii=False, indent=2)


def test_what_json_cannot_write_is_refused_as_json_dumps_refuses_it():
    for data in ([Fraction(1, 3)], {"a": {1, 2}}, {(1, 2): 3}):
        with pytest.raises(TypeError):
            json.dumps(data, indent=1)
        with pytest.raises(TypeError):
            indented_json(data, 1)
