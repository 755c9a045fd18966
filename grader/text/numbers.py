"""Numbers as the gradebook, the reports and the exports write them."""

from __future__ import annotations

from functools import lru_cache


@lru_cache(maxsize=4096)  # the same few points recur across a class
def points_text(value: float | None) -> str:
    """Points without float noise: '' when not graded, else 2, 1.5, 0.3333.

    >>> points_text(2.0), points_text(1/3), points_text(None), points_text(-0.00001)
    ('2', '0.3333', '', '0')
    """
    if value is None:
        return ""
    text = f"{round(value, 4):.4f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text
