"""Grading one student: their sheet's family questions and their code files, in a time budget.

Whatever happens, the student gets a row: graded, or flagged with the reason when grading
raised (:func:`failed_row`) or ran out of its time budget (:func:`timed_out_row`).
"""

from __future__ import annotations

import signal
import stat
import threading
from collections.abc import Mapping, Sequence
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path

from grader.core.grading import Classmates, Expected, Result
from grader.course.assignment import Assignment, family_questions
from grader.course.family_kind import grade_sheets
from grader.course.intake import Submission
from grader.course.question_kinds import HandedIn, question_kind
from grader.course.reasons import Reason
from grader.course.rows import QuestionResult, Row, question_max
from grader.text.messages import localized

STUDENT_SECONDS = 120.0  # default time budget of one student's grading (code included)


MESSAGES: dict[str, dict[str, str]] = {
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


_MAXIMA: dict[int, tuple[Assignment, tuple[tuple[str, float], ...]]] = {}  # by id(assignment), kept to check it


def question_maxima(assignment: Assignment) -> tuple[tuple[str, float], ...]:
    """Each question's id and points, worked out once per assignment object (every row holds them)."""
    stored = _MAXIMA.get(id(assignment))
    if stored is None or stored[0] is not assignment:
        if len(_MAXIMA) >= 64:  # assignments; more (tests build many) and the memo starts again
            _MAXIMA.clear()
        stored = _MAXIMA[id(assignment)] = (assignment, tuple((q.id, question_max(q)) for q in assignment.questions))
    return stored[1]


def grade_submission(
    assignment: Assignment, submission: Submission, expected: Mapping[str, Expected], lang: str | None = None,
    code: Mapping[str, QuestionResult] | None = None, others: Mapping[str, Classmates] | None = None,
    graded: Mapping[str, QuestionResult] | None = None,
) -> Row:
    """The gradebook row of one student.

    ``expected`` maps each family question's id to the student's variant; ``code`` maps each
    question handed in as its own file to that file's result (missing ones count as not handed in);
    ``others`` each family question's class keys, to flag answers copied from a classmate;
    ``graded`` the questions already graded with the student's chunk (:func:`grade_family_sheets`).
    """
    lang = lang or assignment.lang
    maxima = question_maxima(assignment)
    sheet = submission.sheet
    notes = tuple(p.text(lang) for p in submission.notes)
    if sheet is not None:
        notes += tuple(p.text(lang) for p in sheet.problems if p.answer is None)
    base = Row(submission.student, submission.status, submission.files, submission.reason, None, maxima, notes)
    if submission.status != "graded" or sheet is None:
        return base
    code, others, graded = code or {}, others or {}, graded or {}
    results = tuple(
        (q.id, graded[q.id] if q.id in graded else
         question_kind(q).grade(q, HandedIn(sheet, expected.get(q.id), others.get(q.id), code.get(q.id)), lang))
        for q in assignment.questions
    )
    copied = tuple((q, r.copied_from) for q, r in results if isinstance(r, Result) and r.copied_from is not None)
    notes += tuple(_message("copied_note", lang, question=q) for q, _ in copied)
    return replace(base, results=results, copied=copied, notes=notes)


def failed_row(assignment: Assignment, submission: Submission, error: Exception) -> Row:
    """The row of a student whose grading raised: flagged with the error, never dropped."""
    maxima = question_maxima(assignment)
    reason = Reason("grading_error", (("error", f"{type(error).__name__}: {error}"[:200]),))
    return Row(submission.student, "grading_error", submission.files, reason, None, maxima)


def timed_out_row(assignment: Assignment, submission: Submission, seconds: float) -> Row:
    """The row of a student whose grading ran out of its time budget: flagged, never dropped."""
    maxima = question_maxima(assignment)
    reason = Reason("timeout", (("seconds", f"{seconds:g}"),))
    return Row(submission.student, "grading_error", submission.files, reason, None, maxima)


def code_results(assignment: Assignment, submission: Submission, folder: Path,
                 lang: str) -> dict[str, QuestionResult]:
    """Each result of a question handed in as its own file (a code question's .py file run on the
    hidden tests), graded by the question's kind.

    Only for a row that is graded; a question without its file counts as not handed in.
    """
    if submission.status != "graded":
        return {}
    questions = {q.id: q for q in assignment.questions if question_kind(q).own_file}
    results = {}
    for question_id, name in submission.code_files:
        path = folder / name
        if not stat.S_ISREG(path.lstat().st_mode):  # replaced by a link since the folder was read
            raise OSError(0, f"{name} is no longer a regular file")
        question = questions[question_id]
        key = assignment.key(submission.student.id, question)
        results[question_id] = question_kind(question).grade_file(question, path, lang, key)
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


def grade_family_sheets(assignment: Assignment, submissions: Sequence[Submission],
                        prepared: Mapping[str, Sequence[Expected]], lang: str, seconds: float | None = STUDENT_SECONDS,
                        others: Mapping[str, Classmates] | None = None) -> list[dict[str, QuestionResult]]:
    """Each student's family questions graded for a chunk at once, question by question
    (:func:`~grader.course.family_kind.grade_sheets`); ``prepared[q][i]`` is the variant of
    ``submissions[i]``'s student. Only the sheets of rows that are graded.

    The results are those :func:`grade_submission` gives one by one, and it takes them (``graded``).
    Should the chunk raise, or take longer than one student's time budget, nothing is returned
    (every student is then graded on their own, flagged alone if their sheet is the cause).
    """
    graded: list[dict[str, QuestionResult]] = [{} for _ in submissions]
    rows = [i for i, s in enumerate(submissions) if s.status == "graded" and s.sheet is not None]
    try:
        with time_budget(seconds):
            for q in family_questions(assignment):
                sheets = [submissions[i].sheet for i in rows]
                results = grade_sheets(q, [prepared[q.id][i] for i in rows], [s for s in sheets if s is not None],
                                       lang or assignment.lang, (others or {}).get(q.id))
                for i, result in zip(rows, results, strict=True):
                    graded[i][q.id] = result
    except (Exception, OutOfTime):  # each student graded on their own instead, with their own budget
        return [{} for _ in submissions]
    return graded


def grade_one(assignment: Assignment, submission: Submission, expected: dict[str, Expected], folder: Path,
              lang: str, seconds: float | None = STUDENT_SECONDS, others: dict[str, Classmates] | None = None,
              graded: Mapping[str, QuestionResult] | None = None) -> Row:
    """One student's row: graded, or flagged when grading raised or ran out of its time budget.

    ``others`` (each family question's class keys) lets answers copied from a classmate be flagged;
    ``graded`` holds the questions graded with the student's chunk (:func:`grade_family_sheets`).
    """
    try:
        with time_budget(seconds):
            code = code_results(assignment, submission, folder, lang)
            return grade_submission(assignment, submission, expected, lang, code, others, graded)
    except OutOfTime as out:
        return timed_out_row(assignment, submission, out.seconds)
    except Exception as error:  # a grader bug costs one flagged row, never the class run
        return failed_row(assignment, submission, error)
