"""Shared fixtures: the registered families and batches of their random variants."""

from __future__ import annotations

from functools import cache

import pytest

from grader.families import FAMILIES
from grader.variants import Variant, VariantKey, generate


@cache
def roster_variants(name: str, count: int, assignment: str = "test-assignment") -> list[Variant]:
    """``count`` random variants of a family (cached across tests)."""
    keys = [VariantKey(assignment, f"student-{i}", "1") for i in range(count)]
    return generate(FAMILIES[name], keys)


@pytest.fixture(params=sorted(FAMILIES))
def family(request):
    """Each registered family in turn."""
    return FAMILIES[request.param]
