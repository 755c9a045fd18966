"""The kind of a family question: each answer read and judged by its answer kind
(:mod:`grader.core.kinds`), drawn per student as a variant of the family."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import TYPE_CHECKING

from grader.core.batch_grading import grade_many
from grader.core.grading import AnswerResult, Classmates, Expected, Result, grade
from grader.core.kinds import kind_of
from grader.course.assignment import FamilyQuestion, asked_answers
from grader.course.question_kinds import HandedIn, KeyEntry, Mistakes, Parts
from grader.course.sheets import Sheet, family_sheet_lines, problem_statement
from grader.text.messages import localized

if TYPE_CHECKING:
    from pathlib import Path

    from grader.core.variants import VariantKey
    from grader.course.rows import QuestionResult

MESSAGES: dict[str, dict[str, str]] = {
    "line": {"en": "line {line}: {text}", "zh": "第 {line} 行:{text}"},
}


def grade_sheet(
    question: FamilyQuestion, expected: Expected, sheet: Sheet, lang: str = "en", others: Classmates | None = None
) -> Result:
    """Grade one question of a sheet; answers the sheet lost are invalid with their line number.

    ``others`` (the class's keys of this question) lets answers copied from a classmate be flagged.
    """
    result = grade(expected, sheet.answers.get(question.id, {}), question.settings, lang, others)
    return _with_sheet_problems(question, result, sheet, lang)


def grade_sheets(
    question: FamilyQuestion, prepared: Sequence[Expected], sheets: Sequence[Sheet], lang: str = "en",
    others: Classmates | None = None,
) -> list[Result]:
    """:func:`grade_sheet` for many sheets at once (each answer judged across them: :func:`grade_many`),
    ``prepared[i]`` the variant of ``sheets[i]``'s student."""
    answers = [sheet.answers.get(question.id, {}) for sheet in sheets]
    results = grade_many(prepared, answers, question.settings, lang, others)
    return [_with_sheet_problems(question, r, sheet, lang) for r, sheet in zip(results, sheets, strict=True)]


def _with_sheet_problems(question: FamilyQuestion, result: Result, sheet: Sheet, lang: str) -> Result:
    """A question's result with the answers the sheet lost made invalid, and the line of each invalid one."""
    if not sheet.invalid and not any(a.status == "invalid" for a in result.answers):
        return result
    answers = []
    for a in result.answers:
        problem = sheet.invalid.get((question.id, a.id))
        line = sheet.lines.get((question.id, a.id))
        if problem is not None:
            a = AnswerResult(a.id, "invalid", 0.0, a.max, problem.text(lang), given=a.given)
        elif a.status == "invalid" and line:
            a = replace(a, feedback=localized(MESSAGES, "line", lang, line=line, text=a.feedback))
        answers.append(a)
    return Result(tuple(answers), result.copied_from)


class FamilyKind:
    """A family question: its answers on the answer sheet, each judged by its answer kind."""

    in_notebooks = True
    own_file = False

    def label(self, question: FamilyQuestion) -> str:
        """The family's name."""
        return question.family.name

    def question_max(self, question: FamilyQuestion) -> float:
        """The points of the asked answers."""
        return sum(question.settings.points_for(a) for a in asked_answers(question))

    def answer_maxima(self, question: FamilyQuestion) -> dict[str, float]:
        """Each asked answer's points."""
        return {a.id: question.settings.points_for(a) for a in asked_answers(question)}

    def sheet_ids(self, question: FamilyQuestion) -> tuple[str, ...]:
        """The asked answers, in the family's order."""
        return tuple(a.id for a in asked_answers(question))

    def grade(self, question: FamilyQuestion, handed: HandedIn, lang: str) -> QuestionResult:
        """The sheet's answers to the question judged against the student's variant."""
        if handed.expected is None:
            raise ValueError(f"question {question.id!r}: a family question is graded against a variant")
        return grade_sheet(question, handed.expected, handed.sheet, lang, handed.others)

    def grade_file(self, question: FamilyQuestion, path: Path, lang: str, key: VariantKey) -> QuestionResult:
        """Never called: a family question is answered on the sheet, not in a file of its own."""
        raise TypeError(f"question {question.id!r} is answered on the answer sheet, not in a file")

    def key_entries(self, question: FamilyQuestion, expected: Expected | None) -> list[KeyEntry]:
        """(answer id, kind, value, points) of every asked answer of one variant."""
        assert expected is not None  # a family question always has its variant
        return [(a.id, a.kind, kind_of(a).key_text(expected, a), question.settings.points_for(a))
                for a in asked_answers(question)]

    def statement(self, question: FamilyQuestion, expected: Expected | None, lang: str, file: str) -> str:
        """The family's statement with the student's numbers, cut to the asked answers."""
        assert expected is not None  # a family question always has its variant
        return problem_statement(question, expected, lang)

    def sheet_lines(self, question: FamilyQuestion, lang: str, file: str) -> list[str]:
        """Its judging rules, then a line per asked answer."""
        return family_sheet_lines(question, lang)

    def report_section(self, question: FamilyQuestion, result: QuestionResult | None, heading: str,
                       lang: str) -> list[str] | None:
        """``None``: the report writes a family question's problem, answers and worked solution."""
        return None

    def parts(self, question: FamilyQuestion, results: Sequence[QuestionResult]) -> tuple[Parts, Mistakes]:
        """Whether each student's answer was correct, per asked answer, and the named mistakes made."""
        parts: Parts = []
        mistakes: Mistakes = []
        by_id = [{a.id: a for a in r.answers} for r in results if isinstance(r, Result)]  # each result's once
        for answer in asked_answers(question):
            verdicts = [answers[answer.id] for answers in by_id]
            parts.append((answer.id, [v.status == "correct" for v in verdicts]))
            mistakes += [(answer.id, v.mistake) for v in verdicts if v.mistake]
        return parts, mistakes


KIND = FamilyKind()
