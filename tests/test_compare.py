"""Numeric tolerances, by hand-worked examples."""

from __future__ import annotations

import math

import pytest

from grader.core.compare import DEFAULT, Tolerance, within


@pytest.mark.parametrize("student, key, tolerance, close", [
    (0.7514, 0.751365, DEFAULT, True),
    (0.7590, 0.751365, DEFAULT, False),            # 1.02 % off
    (0.0, 0.0, DEFAULT, True),
    (5e-7, 0.0, DEFAULT, True),                    # the absolute floor for a key of zero
    (2e-6, 0.0, DEFAULT, False),
    (-0.5, 0.5, DEFAULT, False),
    (0.7514, 0.751365, Tolerance("sigfigs", 3), True),   # within half a unit (0.0005) of the 3rd figure
    (0.752, 0.751365, Tolerance("sigfigs", 3), False),   # 0.000635 off: 0.751365 reads 0.751
    (99.96, 100.0, Tolerance("sigfigs", 4), True),      # half a unit of the 4th figure of 100.0 is 0.05
    (99.94, 100.0, Tolerance("sigfigs", 4), False),
    (0.00044, 0.000438568, Tolerance("sigfigs", 2), True),
    (1.0005, 1.0, Tolerance("absolute", 0.001), True),
    (1.002, 1.0, Tolerance("absolute", 0.001), False),
    (math.nan, 0.5, DEFAULT, False),
    (math.inf, math.inf, DEFAULT, False),
    (0.5, math.nan, Tolerance("absolute", 10), False),
])
def test_within(student, key, tolerance, close):
    assert within(student, key, tolerance) is close


@pytest.mark.parametrize("mode, value", [("roughly", 0.1), ("relative", 0), ("relative", -1),
                                         ("absolute", math.inf), ("sigfigs", 2.5)])
def test_a_tolerance_that_makes_no_sense_is_refused(mode, value):
    with pytest.raises(ValueError):
        Tolerance(mode, value)


def test_descriptions():
    assert DEFAULT.describe() == "1% relative"
    assert Tolerance("sigfigs", 3).describe() == "3 significant figures"
    assert Tolerance("absolute", 0.001).describe() == "±0.001"
