"""A worked solution's float, formatted in integers, equals the decimal module's rounding of it.

The oracle is the former formatting, kept here: the float's shortest repr read as a Decimal,
quantized half even to 12 significant figures, then half up to 6, and printed by the decimal
module (fixed between 1e-4 and 1e6, else a power of ten).
"""

from __future__ import annotations

import math
import random
from decimal import ROUND_HALF_EVEN, ROUND_HALF_UP, Decimal

import pytest

from grader.course.report import number_tex


def significant(value: Decimal, digits: int, rounding: str) -> Decimal:
    return value.quantize(Decimal(1).scaleb(value.adjusted() - digits + 1), rounding=rounding)


def decimal_module_tex(value: float, digits: int = 6) -> str:
    """The former number_tex of a float, through the decimal module."""
    if not math.isfinite(value):
        return r"\text{" + str(value) + "}"
    short = repr(float(value) + 0.0)
    if "e" not in short and len(short.lstrip("-").replace(".", "").lstrip("0")) <= digits:
        return short[:-2] if short.endswith(".0") else short
    exact = Decimal(short)
    if exact == 0:
        return "0"
    exact = significant(significant(exact, 12, ROUND_HALF_EVEN), digits, ROUND_HALF_UP)
    if Decimal("1e-4") <= abs(exact) < Decimal(10) ** digits:
        text = format(exact, "f")
        return text.rstrip("0").rstrip(".") if "." in text else text
    sign, figures, exponent = exact.as_tuple()
    mantissa = format(Decimal((sign, figures, -(len(figures) - 1))), "f")
    mantissa = mantissa.rstrip("0").rstrip(".") if "." in mantissa else mantissa
    return rf"{mantissa} \times 10^{{{int(exponent) + len(figures) - 1}}}"


TIES = ("9.999995", "999999.5", "0.00009999995", "0.000099999949", "1.0000005", "0.1234565", "123456.5",
        "9.99999999999951", "0.12345650000005", "2.5e-05", "1e-04", "0.000100000049", "99999.95", "1234567.5",
        "0.1828125", "0.7310585786300049")


def floats(seed: int) -> list[float]:
    rng = random.Random(seed)
    values = [rng.choice([-1, 1]) * rng.random() * 10 ** rng.randint(-14, 14) for _ in range(20000)]
    values += [float(f"0.{rng.randint(0, 10 ** 7):07d}5") for _ in range(5000)]
    values += [rng.randint(-10 ** 7, 10 ** 7) / 10 ** rng.randint(0, 9) for _ in range(5000)]
    for tie in TIES:  # halfway cases at the 7th and 13th figures, and carries into a new figure
        for power in range(-3, 4):
            value = float(tie) * 10 ** power
            values += [value, -value, math.nextafter(value, 0), math.nextafter(value, math.inf)]
    return values + [0.0, -0.0, math.inf, -math.inf, math.nan, 5e-324, 1.7976931348623157e308]


@pytest.mark.parametrize("seed", range(3))
def test_a_float_is_rounded_and_printed_as_the_decimal_module_does(seed):
    wrong = [(v, number_tex(v), decimal_module_tex(v)) for v in floats(seed) if number_tex(v) != decimal_module_tex(v)]
    assert not wrong, wrong[:5]
