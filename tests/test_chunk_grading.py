"""A chunk's family questions graded at once (grade_family_sheets) give each student's results as
grading them one by one does; a chunk that raises or overruns its time is graded one by one."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from grader.course import student_grading
from grader.course.class_run import class_expectations
from grader.course.family_kind import grade_sheet
from grader.course.grade import class_keys
from grader.course.inputs import class_roster, load_assignment
from grader.course.intake import intake, read_incoming
from grader.course.student_grading import grade_family_sheets

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


@pytest.fixture(scope="module")
def bundled():
    """The bundled class: its assignment, submissions, variants and class keys."""
    assignment, _ = load_assignment(EXAMPLES / "hw1.toml")
    students, _ = class_roster(EXAMPLES / "roster.csv")
    submissions, _ = intake(assignment, students, read_incoming(EXAMPLES / "submissions"))
    prepared = class_expectations(assignment, [s.student.id for s in submissions])
    others, _ = class_keys(assignment, [s.id for s in students])
    return assignment, submissions, prepared, others


def one_by_one(assignment, submissions, prepared, others):
    """Each graded sheet's family questions, graded on its own as grade_submission did."""
    return [{q: grade_sheet(question, prepared[q][i], s.sheet, assignment.lang, others[q])
             for q, question in ((q.id, q) for q in assignment.questions if q.id in prepared)}
            if s.status == "graded" and s.sheet is not None else {} for i, s in enumerate(submissions)]


def test_a_chunk_graded_at_once_equals_its_students_graded_one_by_one(bundled):
    assignment, submissions, prepared, others = bundled
    graded = grade_family_sheets(assignment, submissions, prepared, assignment.lang, 60, others)
    assert graded == one_by_one(assignment, submissions, prepared, others)
    assert sum(bool(g) for g in graded) >= 2  # sheets were graded, not left to the fallback


def test_a_chunk_that_raises_is_left_to_each_student(bundled, monkeypatch):
    assignment, submissions, prepared, others = bundled

    def broken(*args, **kwargs):
        raise RuntimeError("simulated grader bug")

    monkeypatch.setattr(student_grading, "grade_sheets", broken)
    assert grade_family_sheets(assignment, submissions, prepared, assignment.lang, 60, others) == [
        {} for _ in submissions]


def test_a_chunk_over_one_students_time_is_left_to_each_student(bundled, monkeypatch):
    assignment, submissions, prepared, others = bundled
    real = student_grading.grade_sheets

    def slow(*args, **kwargs):
        time.sleep(1)  # the alarm interrupts it
        return real(*args, **kwargs)

    monkeypatch.setattr(student_grading, "grade_sheets", slow)
    assert grade_family_sheets(assignment, submissions, prepared, assignment.lang, 0.05, others) == [
        {} for _ in submissions]
