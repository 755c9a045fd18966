"""Shared fixtures: the registered families and batches of their random variants."""

from __future__ import annotations

import os
from functools import cache

import pytest

from grader.core.variants import Variant, VariantKey, generate
from grader.families import FAMILIES


@cache
def roster_variants(name: str, count: int, assignment: str = "test-assignment") -> list[Variant]:
    """``count`` random variants of a family (cached across tests)."""
    keys = [VariantKey(assignment, f"student-{i}", "1") for i in range(count)]
    return generate(FAMILIES[name], keys)


@pytest.fixture(params=sorted(FAMILIES))
def family(request):
    """Each registered family in turn."""
    return FAMILIES[request.param]


def pytest_sessionfinish(session, exitstatus):
    """Under CI (CI=true) a skipped test fails the run: CI installs everything the tests need."""
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    skipped = reporter.stats.get("skipped", []) if reporter else []
    if os.environ.get("CI") == "true" and skipped and exitstatus == pytest.ExitCode.OK:
        reasons = sorted({str(report.longrepr[-1]) if isinstance(report.longrepr, tuple) else report.nodeid
                          for report in skipped})
        reporter.write_line(f"CI=true: {len(skipped)} test(s) skipped, which fails the run: {'; '.join(reasons)}",
                            red=True)
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
