"""Comparing a student's number with the key: relative, absolute, or significant figures.

Defaults follow how students round by hand. A student who keeps three significant figures
through a multi-step calculation (h1 = 0.593, o1 = 0.751, ...) lands within a few tenths of
a percent of the exact value, so the default is a relative tolerance of 1 % (PrairieLearn's
default ``rtol``; WeBWorK uses 0.1 %, STACK 5 %), with an absolute floor of 1e-6 so that a
key of exactly zero accepts 0 and 0.0000001 alike.

>>> within(0.7515, 0.751365069552, DEFAULT)
True
>>> within(0.76, 0.751365069552, Tolerance("sigfigs", 3))
False
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

import numpy as np

Mode = Literal["relative", "absolute", "sigfigs"]


@dataclass(frozen=True)
class Tolerance:
    """How close a number must be: ``relative`` (fraction of |key|, plus ``floor``),
    ``absolute`` (|student - key| <= value) or ``sigfigs`` (agrees to ``value`` significant
    figures, i.e. within half a unit of the last kept digit of the key)."""

    mode: Mode = "relative"
    value: float = 1e-2
    floor: float = 1e-6

    def __post_init__(self) -> None:
        if self.mode not in ("relative", "absolute", "sigfigs"):
            raise ValueError(f"unknown tolerance mode {self.mode!r}")
        if not (self.value > 0 and math.isfinite(self.value)):
            raise ValueError(f"tolerance must be a positive number, got {self.value!r}")
        if self.mode == "sigfigs" and self.value != int(self.value):
            raise ValueError("significant figures must be a whole number")

    def describe(self, lang: str = "en") -> str:
        """The tolerance in words ('1% relative', '3 significant figures', '±0.001'; '相对误差 1%' in zh)."""
        return _described(self, lang)


@lru_cache(maxsize=256)
def _described(tolerance: Tolerance, lang: str) -> str:
    """:meth:`Tolerance.describe`, worked out once per tolerance and language (every wrong update's
    feedback states it)."""
    from grader.text.messages import message

    if tolerance.mode == "relative":
        return message("tolerance_relative", lang, percent=f"{tolerance.value * 100:g}")
    if tolerance.mode == "absolute":
        return f"±{tolerance.value:g}"
    return message("tolerance_sigfigs", lang, digits=int(tolerance.value))


DEFAULT = Tolerance()


def allowed_error(key: float, tolerance: Tolerance) -> float:
    """The largest |student - key| the tolerance accepts for this key."""
    if tolerance.mode == "absolute":
        return tolerance.value
    if tolerance.mode == "relative":
        return max(tolerance.value * abs(key), tolerance.floor)
    if key == 0:
        return tolerance.floor
    exponent = math.floor(math.log10(abs(key))) - int(tolerance.value) + 1
    return 0.5 * 10.0**exponent * (1 + 1e-9)


def allowed_errors(keys: np.ndarray, tolerance: Tolerance) -> np.ndarray:
    """:func:`allowed_error` for an array of keys at once."""
    keys = np.abs(np.asarray(keys, dtype=float))
    if tolerance.mode == "absolute":
        return np.full(keys.shape, tolerance.value)
    if tolerance.mode == "relative":
        return np.maximum(tolerance.value * keys, tolerance.floor)
    with np.errstate(divide="ignore", invalid="ignore"):
        exponent = np.floor(np.log10(keys)) - int(tolerance.value) + 1
        return np.where(keys == 0, tolerance.floor, 0.5 * 10.0**exponent * (1 + 1e-9))


def within(student: float, key: float, tolerance: Tolerance = DEFAULT) -> bool:
    """True when ``student`` is close enough to ``key``; NaN and infinity are never close."""
    if not (math.isfinite(student) and math.isfinite(key)):
        return False
    return abs(student - key) <= allowed_error(key, tolerance)
