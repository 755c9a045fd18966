"""A gradebook row: one roster student, graded or flagged, and the points each question is worth."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

from grader.core.grading import Result
from grader.course.assignment import Question
from grader.course.code_results import CodeQuestionResult
from grader.course.question_kinds import question_kind
from grader.course.reasons import Note
from grader.course.roster import Student
from grader.course.shared_wrong import SharedPair
from grader.text.messages import localized

MESSAGES: dict[str, dict[str, str]] = {
    "copied_flag": {"en": "answers of {question} match the variant of {other}",
                    "zh": "{question} 题的答案与 {other} 的题目数值吻合"},
    "shared_flag": {"en": "{count} wrong answers identical to {other}'s (evidence {evidence}): {values}",
                    "zh": "有 {count} 个错误答案与 {other} 的完全相同(证据分 {evidence}):{values}"},
    "shared_more": {"en": "and {count} more", "zh": "另有 {count} 个"},
}


def _message(key: str, lang: str = "en", **fields: object) -> str:
    """A message of this module in ``lang`` (en or zh)."""
    return localized(MESSAGES, key, lang, **fields)


QuestionResult = Result | CodeQuestionResult  # a family question's, or a code question's

STATUSES = (  # a row's status, in the order the class summary lists them
    "graded", "missing", "unreadable", "empty", "duplicate", "other_student", "wrong_assignment", "grading_error",
)


@dataclass(frozen=True)
class Row:
    """One gradebook row: a roster student, graded or flagged.

    ``results`` holds (question id, result) pairs when graded; ``maxima`` the points each
    question is worth; ``notes`` what the student's report must say about the sheet;
    ``copied`` flags (question id, classmate) where the answers match that classmate's variant;
    ``shared`` the pairs whose sheets share many wrong values with this one (:mod:`grader.course.shared_wrong`).
    """

    student: Student
    status: str
    files: tuple[str, ...] = ()
    reason: Note | None = None
    results: tuple[tuple[str, QuestionResult], ...] | None = None
    maxima: tuple[tuple[str, float], ...] = ()
    notes: tuple[str, ...] = ()
    copied: tuple[tuple[str, str], ...] = ()
    shared: tuple[SharedPair, ...] = ()

    def flags(self, lang: str = "en") -> str:
        """Why the row needs the teacher's look: the reason it was not graded (or the teacher's
        overrides), any copied answers, and any wrong answers shared with a classmate."""
        parts = [self.reason.text(lang)] if self.reason else []
        parts += [_message("copied_flag", lang, question=q, other=o) for q, o in self.copied]
        parts += [shared_text(p, self.student.id, lang) for p in self.shared]
        return "; ".join(parts)

    @cached_property
    def score(self) -> float | None:
        """Points earned, or None when the row is not graded (summed once: a class's summary,
        item analysis and gradebook each ask every row)."""
        return None if self.results is None else sum(r.score for _, r in self.results)

    @property
    def max(self) -> float:
        """Points available."""
        return sum(m for _, m in self.maxima)


SHOWN_VALUES = 6  # shared values listed in a flag; the rest are counted

SHOWN_CHARACTERS = 40  # of each value (a formula may be long)


def shared_text(pair: SharedPair, student: str, lang: str = "en") -> str:
    """A flag for wrong answers shared with a classmate, with the evidence (which answers, which values)."""
    values = [f"{v.question}.{v.answer} = {_shortened(v.value)}" for v in pair.values[:SHOWN_VALUES]]
    if len(pair.values) > SHOWN_VALUES:
        values.append(_message("shared_more", lang, count=len(pair.values) - SHOWN_VALUES))
    return _message("shared_flag", lang, other=pair.other(student), count=len(pair.values),
                             evidence=f"{pair.evidence:g}", values=", ".join(values))


def _shortened(text: str) -> str:
    return text if len(text) <= SHOWN_CHARACTERS else text[:SHOWN_CHARACTERS - 1] + "…"


def question_max(question: Question) -> float:
    """The points a question is worth."""
    return question_kind(question).question_max(question)
