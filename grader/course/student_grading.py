"""Grading one student: their sheet's family questions and their code files, in a time budget.

Whatever happens, the student gets a row: graded, or flagged with the reason when grading
raised (:func:`failed_row`) or ran out of its time budget (:func:`timed_out_row`).
"""

from __future__ import annotations

import signal
import stat
import threading
from collections.abc import Mapping
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path

from grader.code import grade_code_file
from grader.core.grading import AnswerResult, Classmates, Expected, Result, grade
from grader.course.assignment import Assignment, CodeQuestion, FamilyQuestion
from grader.course.code_results import CodeQuestionResult, code_result, missing_code
from grader.course.intake import Submission
from grader.course.reasons import Reason
from grader.course.rows import Row, question_max
from grader.course.sheets import Sheet
from grader.text.messages import localized

STUDENT_SECONDS = 120.0  # default time budget of one student's grading (code included)


MESSAGES: dict[str, dict[str, str]] = {
    "line": {"en": "line {line}: {text}", "zh": "第 {line} 行:{text}"},
    "copied_note": {
        "en": "Question {question}: your answers match another student's variant far better than your own, "
              "so no carried-forward credit was given; your teacher will look at it.",
        "zh": "第 {question} 题:你的答案与另一名学生的题目数值吻合得远比与你自己的好,因此不给沿用前面错误的分数;"
              "老师会进一步查看。",
    },
}


def _message(key: str, lang: str = "en", **fields: object) -> str:
    """A message of this module in ``lang`` (en or zh)."""
    return localized(MESSAGES, key, lang, **fields)


def grade_sheet(
    question: FamilyQuestion, expected: Expected, sheet: Sheet, lang: str = "en", others: Classmates | None = None
) -> Result:
    """Grade one question of a sheet; answers the sheet lost are invalid with their line number.

    ``others`` (the class's keys of this question) lets answers copied from a classmate be flagged.
    """
    result = grade(expected, sheet.answers.get(question.id, {}), question.settings, lang, others)
    answers = []
    for a in result.answers:
        problem = sheet.invalid.get((question.id, a.id))
        line = sheet.lines.get((question.id, a.id))
        if problem is not None:
            a = AnswerResult(a.id, "invalid", 0.0, a.max, problem.text(lang), given=a.given)
        elif a.status == "invalid" and line:
            a = replace(a, feedback=_message("line", lang, line=line, text=a.feedback))
        answers.append(a)
    return Result(tuple(answers), result.copied_from)


def grade_submission(
    assignment: Assignment, submission: Submission, expected: Mapping[str, Expected], lang: str | None = None,
    code: Mapping[str, CodeQuestionResult] | None = None, others: Mapping[str, Classmates] | None = None,
) -> Row:
    """The gradebook row of one student.

    ``expected`` maps each family question's id to the student's variant; ``code`` maps each
    code question's id to its result (:func:`code_result`; missing ones count as not handed in);
    ``others`` each family question's class keys, to flag answers copied from a classmate.
    """
    lang = lang or assignment.lang
    maxima = tuple((q.id, question_max(q)) for q in assignment.questions)
    sheet = submission.sheet
    notes = tuple(p.text(lang) for p in submission.notes)
    if sheet is not None:
        notes += tuple(p.text(lang) for p in sheet.problems if p.answer is None)
    base = Row(submission.student, submission.status, submission.files, submission.reason, None, maxima, notes)
    if submission.status != "graded" or sheet is None:
        return base
    code, others = code or {}, others or {}
    results = tuple(
        (q.id, code.get(q.id) or missing_code(q, lang)) if isinstance(q, CodeQuestion)
        else (q.id, grade_sheet(q, expected[q.id], sheet, lang, others.get(q.id)))
        for q in assignment.questions
    )
    copied = tuple((q, r.copied_from) for q, r in results if isinstance(r, Result) and r.copied_from is not None)
    notes += tuple(_message("copied_note", lang, question=q) for q, _ in copied)
    return replace(base, results=results, copied=copied, notes=notes)


def failed_row(assignment: Assignment, submission: Submission, error: Exception) -> Row:
    """The row of a student whose grading raised: flagged with the error, never dropped."""
    maxima = tuple((q.id, question_max(q)) for q in assignment.questions)
    reason = Reason("grading_error", (("error", f"{type(error).__name__}: {error}"[:200]),))
    return Row(submission.student, "grading_error", submission.files, reason, None, maxima)


def timed_out_row(assignment: Assignment, submission: Submission, seconds: float) -> Row:
    """The row of a student whose grading ran out of its time budget: flagged, never dropped."""
    maxima = tuple((q.id, question_max(q)) for q in assignment.questions)
    reason = Reason("timeout", (("seconds", f"{seconds:g}"),))
    return Row(submission.student, "grading_error", submission.files, reason, None, maxima)


def code_results(assignment: Assignment, submission: Submission, folder: Path,
                 lang: str) -> dict[str, CodeQuestionResult]:
    """Each code question's result: the student's .py file run on the hidden tests (grader.code).

    Only for a row that is graded; a code question without a file counts as not handed in.
    """
    if submission.status != "graded":
        return {}
    questions = {q.id: q for q in assignment.questions if isinstance(q, CodeQuestion)}
    results = {}
    for question_id, name in submission.code_files:
        path = folder / name
        if not stat.S_ISREG(path.lstat().st_mode):  # replaced by a link since the folder was read
            raise OSError(0, f"{name} is no longer a regular file")
        key = assignment.key(submission.student.id, questions[question_id])
        results[question_id] = code_result(grade_code_file(path, questions[question_id].exercise, lang, key=key))
    return results


class OutOfTime(BaseException):
    """A student's grading ran out of its time budget (a BaseException: no ``except Exception`` swallows it)."""

    def __init__(self, seconds: float) -> None:
        super().__init__(seconds)
        self.seconds = seconds


@contextmanager
def time_budget(seconds: float | None):
    """Raise OutOfTime in the block after ``seconds`` of wall-clock time (SIGALRM).

    Only in a process's main thread with ``setitimer`` (as ``grader grade`` and its workers
    run); elsewhere, or with ``seconds`` None, the block runs unguarded.
    """
    if not seconds or not hasattr(signal, "setitimer") or threading.current_thread() is not threading.main_thread():
        yield
        return

    def expire(signum, frame):
        raise OutOfTime(seconds)

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds, 1.0)  # and again every second, should one alarm be lost
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def grade_one(assignment: Assignment, submission: Submission, expected: dict[str, Expected], folder: Path,
              lang: str, seconds: float | None = STUDENT_SECONDS, others: dict[str, Classmates] | None = None) -> Row:
    """One student's row: graded, or flagged when grading raised or ran out of its time budget.

    ``others`` (each family question's class keys) lets answers copied from a classmate be flagged.
    """
    try:
        with time_budget(seconds):
            code = code_results(assignment, submission, folder, lang)
            return grade_submission(assignment, submission, expected, lang, code, others)
    except OutOfTime as out:
        return timed_out_row(assignment, submission, out.seconds)
    except Exception as error:  # a grader bug costs one flagged row, never the class run
        return failed_row(assignment, submission, error)
