"""The question-kind seam: a kind of question registered here, in the test (not shipped), is put on
the problem and answer sheets, keyed, graded, summarised and reported without any other module
knowing its type (as tests/test_kinds.py does for an answer kind)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

import pytest

from grader.core.grading import AnswerResult, Result, expectation
from grader.core.variants import generate
from grader.course.assignment import parse_assignment
from grader.course.generate import problem_markdown
from grader.course.intake import Submission
from grader.course.overrides import answer_maxima
from grader.course.question_kinds import QUESTION_KINDS, HandedIn, question_kind
from grader.course.report import QuestionOutcome, student_report
from grader.course.roster import Student
from grader.course.rows import question_max
from grader.course.sheets import answer_sheet, asked_ids, parse_sheet
from grader.course.student_grading import grade_submission
from grader.course.summary import summary, summary_markdown

POINTS = 2.0


@dataclass(frozen=True)
class Pledge:
    """A toy question: the student writes ``<id>.pledge = yes`` on the answer sheet to pledge the
    work is their own; no variants, no file."""

    id: str
    hidden: bool = False


class PledgeKind:
    """The toy kind: full points for "yes", none otherwise."""

    in_notebooks = False
    own_file = False

    def label(self, question):
        return "pledge"

    def question_max(self, question):
        return POINTS

    def answer_maxima(self, question):
        return {"pledge": POINTS}

    def sheet_ids(self, question):
        return ("pledge",)

    def grade(self, question, handed: HandedIn, lang):
        given = handed.sheet.answers.get(question.id, {}).get("pledge", "")
        right = given.strip().lower() == "yes"
        return Result((AnswerResult("pledge", "correct" if right else "incorrect", POINTS if right else 0.0,
                                    POINTS, "", given=given),))

    def grade_file(self, question, path, lang, key):
        raise TypeError("a pledge is written on the sheet")

    def key_entries(self, question, expected):
        return [("pledge", "pledge", "yes", POINTS)]

    def statement(self, question, expected, lang, file):
        return "Pledge that this work is your own: write yes.\n"

    def sheet_lines(self, question, lang, file):
        return ["", f"# {question.id}: pledge", f"{question.id}.pledge = "]

    def report_section(self, question, result, heading, lang):
        return [f"## {heading}", "", f"Pledged: {result.answer('pledge').given!r}", ""]

    def parts(self, question, results: Sequence[Result]):
        return [("pledge", [r.answer("pledge").status == "correct" for r in results])], []


@pytest.fixture
def hw(monkeypatch):
    """A family question, then a pledge, with the pledge's kind registered for this test only."""
    monkeypatch.setitem(QUESTION_KINDS, Pledge, PledgeKind())
    question_kind(Pledge("warm-up"))  # the built-in kinds registered before the fixture ends
    base = parse_assignment('id = "hw"\ntitle = "T"\n[[questions]]\nid = "q1"\nfamily = "gd_linear"\n'
                            'answers = ["w_1"]\n')
    return replace(base, questions=(*base.questions, Pledge("q2")))


def _graded(hw, student: str, pledge: str):
    """One student's row: the blank answer sheet filled in with ``pledge``, then graded."""
    sheet_text = answer_sheet(hw, student).replace("q2.pledge = ", f"q2.pledge = {pledge}")
    sheet = parse_sheet(sheet_text, asked_ids(hw))
    expected = {"q1": expectation(generate(hw.questions[0].family, [hw.key(student, hw.questions[0])])[0])}
    row = grade_submission(hw, Submission(Student(student), "graded", (f"{student}.txt",), sheet=sheet), expected)
    return row, expected


def test_the_toy_kind_is_asked_keyed_and_graded(hw):
    pledge = hw.questions[1]
    assert question_max(pledge) == POINTS and answer_maxima(pledge) == {"pledge": POINTS}
    assert "q2.pledge = " in answer_sheet(hw, "s1").splitlines()
    assert asked_ids(hw) == {"q1": ("w_1",), "q2": ("pledge",)}
    _, expected = _graded(hw, "s1", "yes")
    problems = problem_markdown(hw, Student("s1"), expected, "en")
    assert "## Question q2\n\nPledge that this work is your own: write yes." in problems
    assert question_kind(pledge).key_entries(pledge, None) == [("pledge", "pledge", "yes", POINTS)]
    scores = {p: dict(_graded(hw, "s1", p)[0].results)["q2"].score for p in ("yes", "YES ", "no", "")}
    assert scores == {"yes": POINTS, "YES ": POINTS, "no": 0.0, "": 0.0}
    row, _ = _graded(hw, "s1", "yes")
    assert dict(row.maxima)["q2"] == POINTS
    assert dict(row.results)["q1"].answer("w_1").status == "missing"  # the family question, left blank


def test_the_toy_kind_is_summarised_and_reported(hw):
    rows = [_graded(hw, s, p)[0] for s, p in (("s1", "yes"), ("s2", "no"), ("s3", "yes"), ("s4", "yes"))]
    overview = summary(hw, rows)
    line = next(q for q in overview.questions if q.id == "q2")
    assert (line.family, line.max, line.mean, line.full_marks) == ("pledge", POINTS, 1.5, 0.75)
    assert line.answers == (("pledge", 0.75),)
    assert overview.max == question_max(hw.questions[0]) + POINTS
    assert "| q2 | pledge | 1.5 / 2 | 75 % | `pledge` 75 % |" in summary_markdown(hw, rows, [], lang="en")
    row, expected = _graded(hw, "s2", "no")
    outcomes = [QuestionOutcome(q, expected.get(q.id), dict(row.results)[q.id]) for q in hw.questions]
    report = student_report(hw, "s2", outcomes)
    assert "## Question q2 — 0 / 2 points\n\nPledged: 'no'" in report
    assert "## Question q1 — 0 / 1 points\n\n### The problem" in report  # the family question: the report's own section


def test_a_question_of_an_unregistered_type_is_a_clear_error():
    with pytest.raises(TypeError, match="question 'q9' is a Pledge, which no question kind is registered for"):
        question_kind(Pledge("q9"))
