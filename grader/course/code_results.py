"""The results of a course's code questions: a student's .py file run on the exercise's hidden tests."""

from __future__ import annotations

from functools import cache

from grader.code import CodeResult
from grader.code.exercises import hidden_tests
from grader.core.grading import AnswerResult, Result, Status
from grader.course.assignment import CodeQuestion
from grader.text.messages import localized

MESSAGES: dict[str, dict[str, str]] = {
    "no_code_file": {"en": "No file handed in.", "zh": "没有提交文件。"},
}


def _message(key: str, lang: str = "en", **fields: object) -> str:
    """A message of this module in ``lang`` (en or zh)."""
    return localized(MESSAGES, key, lang, **fields)


@cache
def _code_tests(exercise: str) -> tuple[tuple[str, float], ...]:
    """(name, points) of an exercise's hidden tests (built once: a class without files asks per student)."""
    return tuple((t.name, float(t.points)) for t in hidden_tests(exercise, None))


def code_max(exercise: str) -> float:
    """The points an exercise's hidden tests are worth."""
    return sum(points for _, points in _code_tests(exercise))


CODE_STATUS: dict[str, Status] = {
    "passed": "correct", "partial": "incorrect", "failed": "incorrect", "error": "invalid",
}


def code_result(result: CodeResult) -> Result:
    """A code exercise's hidden tests as answers: each test's verdict, points and message."""
    return Result(tuple(
        AnswerResult(t.name, CODE_STATUS[t.status], t.score, t.max, f"{t.title}: {t.message}".rstrip(": "))
        for t in result.tests
    ))


def missing_code(question: CodeQuestion, lang: str = "en") -> Result:
    """The result of a code question whose file was not handed in: every test missing."""
    return Result(tuple(
        AnswerResult(name, "missing", 0.0, points, _message("no_code_file", lang))
        for name, points in _code_tests(question.exercise)
    ))
