"""The result of a code question: each hidden test of the student's .py file, with its status,
points and message (:class:`CodeQuestionResult`).

A family question's result is the core's :class:`grader.core.grading.Result` (answers judged
against the student's variant); a code question's is this record, built from what the code
grader (:mod:`grader.code`) reports. A gradebook row holds either, by question
(:data:`grader.course.rows.QuestionResult`).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Literal

from grader.code import CodeResult
from grader.code.exercises import hidden_tests
from grader.core.grading import Status
from grader.course.assignment import CodeQuestion
from grader.text.messages import localized

MESSAGES: dict[str, dict[str, str]] = {
    "no_code_file": {"en": "No file handed in.", "zh": "没有提交文件。"},
}


def _message(key: str, lang: str = "en", **fields: object) -> str:
    """A message of this module in ``lang`` (en or zh)."""
    return localized(MESSAGES, key, lang, **fields)


CodeStatus = Literal["passed", "partial", "failed", "error", "missing"]

VERDICTS: dict[CodeStatus, Status] = {
    "passed": "correct", "partial": "incorrect", "failed": "incorrect", "error": "invalid", "missing": "missing",
}


@dataclass(frozen=True)
class CodeTestResult:
    """One hidden test of a student's file: ``passed``, ``partial``, ``failed``, ``error`` (the code
    gave no value) or ``missing`` (no file handed in); ``score`` points of ``max``; ``message`` the
    test's title and what the code grader says about it (or that no file was handed in)."""

    name: str
    status: CodeStatus
    score: float
    max: float
    message: str

    @property
    def verdict(self) -> Status:
        """The test's verdict in the gradebook's words: correct, incorrect, invalid (an error) or missing."""
        return VERDICTS[self.status]


@dataclass(frozen=True)
class CodeQuestionResult:
    """A code question's result: every hidden test of the exercise, in the exercise's order."""

    tests: tuple[CodeTestResult, ...]

    @property
    def score(self) -> float:
        """Points earned."""
        return sum(t.score for t in self.tests)

    @property
    def max(self) -> float:
        """Points available."""
        return sum(t.max for t in self.tests)

    @property
    def ran(self) -> bool:
        """Whether a file was handed in and run on the tests."""
        return any(t.status != "missing" for t in self.tests)

    def test(self, name: str) -> CodeTestResult:
        """The result of one hidden test."""
        return next(t for t in self.tests if t.name == name)


@cache
def code_tests(exercise: str) -> tuple[tuple[str, float], ...]:
    """(name, points) of an exercise's hidden tests (built once: a class without files asks per student)."""
    return tuple((t.name, float(t.points)) for t in hidden_tests(exercise, None))


def code_max(exercise: str) -> float:
    """The points an exercise's hidden tests are worth."""
    return sum(points for _, points in code_tests(exercise))


def code_result(result: CodeResult) -> CodeQuestionResult:
    """A code question's result from the code grader's: each test's status, points and message."""
    return CodeQuestionResult(tuple(
        CodeTestResult(t.name, t.status, t.score, t.max, f"{t.title}: {t.message}".rstrip(": "))
        for t in result.tests
    ))


def missing_code(question: CodeQuestion, lang: str = "en") -> CodeQuestionResult:
    """The result of a code question whose file was not handed in: every test missing."""
    return CodeQuestionResult(tuple(
        CodeTestResult(name, "missing", 0.0, points, _message("no_code_file", lang))
        for name, points in code_tests(question.exercise)
    ))
