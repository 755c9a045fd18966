"""The class run's machinery: a task run in a forked child beside the parent's work, and the
cycle collector paused for a block."""

from __future__ import annotations

import gc
import multiprocessing
import os
import time

import pytest

from grader.core.collection import cycle_collection_paused
from grader.course import class_run
from grader.course.class_run import in_background

PARENT = os.getpid()


def pid_and_squares(n: int) -> tuple[int, list[int]]:
    return os.getpid(), [i * i for i in range(n)]


def test_a_background_task_runs_in_a_child_and_its_value_comes_back():
    value = in_background(2, pid_and_squares, 100_000)
    pid, squares = value()
    assert pid != PARENT
    assert squares == [i ** 2 for i in range(100_000)]


def fails_in_a_child() -> str:
    if os.getpid() != PARENT:
        raise RuntimeError("only in the child")
    return "done here"


def test_a_task_that_fails_in_the_child_runs_again_in_the_parent():
    assert in_background(2, fails_in_a_child)() == "done here"


def always_fails() -> None:
    raise ValueError("the task's own error")


def test_a_task_that_fails_everywhere_raises_its_error_in_the_parent():
    value = in_background(2, always_fails)
    with pytest.raises(ValueError, match="the task's own error"):
        value()


def silent_in_a_child() -> str:
    if os.getpid() != PARENT:
        time.sleep(60)
    return "done here"


def test_a_silent_child_is_given_up_and_the_task_runs_in_the_parent(monkeypatch):
    monkeypatch.setattr(class_run, "BACKGROUND_SECONDS", 0.5)
    start = time.perf_counter()
    assert in_background(2, silent_in_a_child)() == "done here"
    assert time.perf_counter() - start < 30


@pytest.mark.parametrize("jobs, fork", [(1, True), (2, False)])
def test_with_one_job_or_without_fork_the_task_runs_in_the_parent_when_its_value_is_asked(monkeypatch, jobs, fork):
    if not fork:
        monkeypatch.setattr(multiprocessing, "get_all_start_methods", lambda: ["spawn"])
    calls = []
    value = in_background(jobs, lambda x: calls.append(os.getpid()) or x + 1, 41)
    assert calls == []
    assert value() == 42 and calls == [PARENT]


@pytest.mark.parametrize("enabled", [True, False])
def test_the_cycle_collector_is_paused_in_the_block_and_restored_after_it(enabled):
    was = gc.isenabled()
    (gc.enable if enabled else gc.disable)()
    try:
        with pytest.raises(KeyError), cycle_collection_paused():
            assert not gc.isenabled()
            raise KeyError("leaves the block")
        assert gc.isenabled() is enabled
    finally:
        (gc.enable if was else gc.disable)()


def test_the_summary_and_plots_made_beside_the_gradebook_are_those_made_in_one_process(tmp_path):
    from pathlib import Path

    from grader.course.grade import grade_class

    examples = Path(__file__).resolve().parent.parent / "examples"

    def graded(out: Path, jobs: int) -> dict[str, bytes]:
        grade_class(examples / "hw1.toml", examples / "submissions", out, jobs=jobs, echo=lambda _text: None)
        return {p.relative_to(out).as_posix(): p.read_bytes() for p in sorted(out.glob("*")) if p.is_file()}

    beside = graded(tmp_path / "beside", 2)
    alone = graded(tmp_path / "alone", 1)  # one job: all in this process
    assert {"scores.png", "items.png", "summary.html", "gradebook.json"} <= set(alone)
    assert beside == alone
