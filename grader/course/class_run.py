"""Running a whole class: chunks of students in one process or several, and every student's
variant of every question prepared in one batch per question.

``--jobs N`` runs the chunks in N processes; workers receive the assignment's text and parse
it once each (:func:`grader.course.inputs.parsed_assignment`).
"""

from __future__ import annotations

import multiprocessing
import sys
from collections.abc import Callable, Sequence

from grader.core.grading import Expected, expectations
from grader.core.variants import generate
from grader.course.assignment import Assignment, family_questions
from grader.text.terminal import terminal_text

CHUNK = 250  # students per task: large enough for batch variants, small enough to share work


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
        with context.Pool(min(jobs, len(chunks))) as pool:
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
