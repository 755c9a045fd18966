"""Running a whole class: chunks of students in one process or several, every student's
variant of every question prepared in one batch per question, and a task run beside the
parent's own work (:func:`in_background`).

``--jobs N`` runs the chunks in N processes; workers receive the assignment's text and parse
it once each (:func:`grader.course.inputs.parsed_assignment`).
"""

from __future__ import annotations

import gc
import multiprocessing
import sys
from collections.abc import Callable, Sequence
from multiprocessing.connection import Connection
from typing import TypeVar, cast

from grader.core.collection import cycle_collection_paused
from grader.core.grading import Expected, expectations
from grader.core.variants import generate
from grader.course.assignment import Assignment, family_questions
from grader.text.terminal import terminal_text

CHUNK = 250  # students per task: large enough for batch variants, small enough to share work
BACKGROUND_SECONDS = 600  # a background task not done by then is given up and run in the parent
T = TypeVar("T")


def safe_echo(echo: Callable[[str], None]) -> Callable[[str], None]:
    """``echo`` that prints each message on one line, without control characters."""
    return lambda message: echo(terminal_text(message, one_line=True))


def run_chunks(task: Callable, chunks: Sequence[tuple], jobs: int, label: str, total: int) -> list:
    """Run ``task`` on each chunk (in order), with a progress bar counting students."""
    from tqdm import tqdm

    results = []
    with tqdm(total=total, desc=label, unit="student", file=sys.stderr, disable=None, leave=False) as bar:
        if jobs <= 1 or len(chunks) <= 1:
            for chunk in chunks:
                results.append(task(chunk))
                bar.update(len(chunk[1]))
            return results
        methods = multiprocessing.get_all_start_methods()
        context = multiprocessing.get_context("fork" if "fork" in methods else "spawn")
        gc.freeze()  # the workers' cycle collections leave the objects they inherit alone
        try:
            pool = context.Pool(min(jobs, len(chunks)))
        finally:
            gc.unfreeze()
        with pool, cycle_collection_paused():  # here, the workers' results are only unpickled
            for chunk, result in zip(chunks, pool.imap(task, chunks), strict=True):
                results.append(result)
                bar.update(len(chunk[1]))
    return results


def chunked(items: Sequence, size: int = CHUNK) -> list[Sequence]:
    """``items`` in consecutive chunks of ``size`` (the last may be shorter)."""
    return [items[i:i + size] for i in range(0, len(items), size)]


def class_expectations(assignment: Assignment, student_ids: Sequence[str]) -> dict[str, list[Expected]]:
    """Every student's variant of every question, prepared in one batch per question."""
    prepared = {}
    for q in family_questions(assignment):  # the kinds with variants
        variants = generate(q.family, [assignment.key(s, q) for s in student_ids])
        prepared[q.id] = expectations(q.family, variants)
    return prepared


def warm_up(assignment: Assignment) -> None:
    """Derive and compile every family once before forking, so workers inherit the work."""
    class_expectations(assignment, ["warm-up"])


def in_background(jobs: int, task: Callable[..., T], *args: object) -> Callable[[], T]:
    """Start ``task(*args)`` in a forked child process when ``jobs`` (the processes the run may
    use) is more than one; the function returned waits for its value.

    The child sees the parent's objects as they are at the fork (nothing is pickled but the
    value). With one job, where a process cannot be forked, or when the child fails or is silent
    for :data:`BACKGROUND_SECONDS`, the task runs in this process when its value is asked for, so
    its errors are raised here.
    """
    if jobs <= 1 or "fork" not in multiprocessing.get_all_start_methods():
        return lambda: task(*args)
    for stream in (sys.stdout, sys.stderr):  # the child flushes them on exit: nothing buffered twice
        if stream is not None:
            stream.flush()
    context = multiprocessing.get_context("fork")
    receive, send = context.Pipe(duplex=False)
    child = context.Process(target=_send_value, args=(send, task, args), daemon=True)
    child.start()
    send.close()

    def value() -> T:
        sent: tuple[bool, T | None] = (False, None)
        try:
            if receive.poll(BACKGROUND_SECONDS):
                with cycle_collection_paused():  # a large value is many new objects
                    sent = receive.recv()
        except EOFError:  # the child died
            pass
        finally:
            receive.close()
            if child.is_alive():
                child.kill()
            child.join()
        return cast(T, sent[1]) if sent[0] else task(*args)

    return value


def _send_value(connection: Connection, task: Callable, args: tuple) -> None:
    """In the child: ``(True, task(*args))``, or ``(False, None)`` when it raised, sent to the parent."""
    try:
        result = (True, task(*args))
    except BaseException:
        result = (False, None)
    connection.send(result)
    connection.close()
