"""Question kinds: what a kind of question is (a family's, a code exercise's), behind one protocol,
and the registry of kinds by question type.

An assignment's question is a :class:`~grader.course.assignment.FamilyQuestion` or a
:class:`~grader.course.assignment.CodeQuestion`; :func:`question_kind` gives the
:class:`QuestionKind` that knows what such a question is worth, how it is graded from what a
student handed in, its entries in the instructor's key, its part of the problem sheet, the answer
sheet and the report, and its line in the class summary. The course layer asks the kind, never the
question's type. The built-in kinds are :mod:`grader.course.family_kind` and
:mod:`grader.course.code_kind`, registered when a kind is first looked up (so importing this module
loads neither, and a notebook kernel never loads the code sandbox). A new kind is one module and
one :func:`register` call (see ``docs/architecture.md``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from pathlib import Path

    from grader.core.grading import Classmates, Expected
    from grader.core.variants import VariantKey
    from grader.course.rows import QuestionResult
    from grader.course.sheets import Sheet

Parts = list[tuple[str, list[bool]]]
"""(part, whether each student got it right) of each part of a question (an answer, a hidden test)."""
Mistakes = list[tuple[str, str]]
"""(part, named mistake) of each mistake found in a class's results of one question."""
KeyEntry = tuple[str, str, str, float]
"""(answer id, kind, value, points): one line of the instructor's key."""


@dataclass(frozen=True)
class HandedIn:
    """What one student handed in for one question: the read answer sheet, the student's variant
    of the question (``None`` for a kind without variants), the class's keys of the question (to
    flag copied answers) and the result of the question's own file when one was graded."""

    sheet: Sheet
    expected: Expected | None = None
    others: Classmates | None = None
    file_result: QuestionResult | None = None


class QuestionKind(Protocol):
    """One kind of question.

    ``in_notebooks``: an nbgrader notebook can hold it. ``own_file``: the student hands it in as a
    file of its own (``<student>.py``), matched to the question by the intake.
    """

    in_notebooks: bool
    own_file: bool

    def label(self, question: Any) -> str:
        """Its name in the class summary (the family's name, ``code: <exercise>``)."""

    def question_max(self, question: Any) -> float:
        """The points the question is worth."""

    def answer_maxima(self, question: Any) -> dict[str, float]:
        """What each part (answer, hidden test) is worth, by the part's id."""

    def sheet_ids(self, question: Any) -> tuple[str, ...]:
        """The ids of the answers it asks on the answer sheet, in order (none: nothing on the sheet)."""

    def grade(self, question: Any, handed: HandedIn, lang: str) -> QuestionResult:
        """The question's result from what the student handed in (nothing handed in included)."""

    def grade_file(self, question: Any, path: Path, lang: str, key: VariantKey) -> QuestionResult:
        """The result of the question's own file (only for a kind with ``own_file``)."""

    def key_entries(self, question: Any, expected: Expected | None) -> list[KeyEntry]:
        """Its lines in the instructor's key for one student's variant."""

    def statement(self, question: Any, expected: Expected | None, lang: str, file: str) -> str:
        """Its part of a student's problem sheet; ``file`` is the name its own file must have."""

    def sheet_lines(self, question: Any, lang: str, file: str) -> list[str]:
        """Its lines on the blank answer sheet."""

    def report_section(self, question: Any, result: QuestionResult | None, heading: str,
                       lang: str) -> list[str] | None:
        """Its section of a student's report; ``None``: the report's worked solution of a family."""

    def parts(self, question: Any, results: Sequence[QuestionResult]) -> tuple[Parts, Mistakes]:
        """Over a class's results: whether each student got each part right, and the named mistakes."""


QUESTION_KINDS: dict[type, QuestionKind] = {}


def register(question_type: type, kind: QuestionKind) -> QuestionKind:
    """Make ``kind`` the kind of every question of ``question_type`` (replacing any) and return it."""
    QUESTION_KINDS[question_type] = kind
    return kind


def question_kind(question: object) -> QuestionKind:
    """The kind of a question, by its type; a type nobody registered is a clear error."""
    _register_built_in()
    try:
        return QUESTION_KINDS[type(question)]
    except KeyError:
        raise TypeError(f"question {getattr(question, 'id', question)!r} is a {type(question).__name__}, "
                        f"which no question kind is registered for") from None


@cache
def _register_built_in() -> None:
    """Register the family and code kinds (imported here, not at the top: see the module's docstring)."""
    from grader.course import code_kind, family_kind
    from grader.course.assignment import CodeQuestion, FamilyQuestion

    QUESTION_KINDS.setdefault(FamilyQuestion, family_kind.KIND)
    QUESTION_KINDS.setdefault(CodeQuestion, code_kind.KIND)
