"""An assignment file (TOML): which families, which answers, points, tolerances, language.

Parsing is pure (text in, :class:`Assignment` out); every problem is reported as an
:class:`AssignmentError` addressed to the teacher, naming the question and the key at fault.

Example::

    id = "hw3"
    title = "Backpropagation by hand"
    lang = "en"                      # en or zh: statements and feedback
    salt = "fall-2026"               # optional: a new salt gives every student new numbers
    carried_forward_credit = 1.0     # share of the points for a step right from a wrong input
    mistake_credit = { sign_flipped = 0.5 }   # share for a named mistake (default: none)
    tolerance = { mode = "relative", value = 0.01 }   # default for every answer

    [[questions]]
    id = "q1"
    family = "gd_linear"
    answers = ["pred_1", "E_1", "grad_1", "w_1", "dE_dw_expr", "regime"]   # default: all
    hidden = false                   # nbgrader: true keeps this question's tests hidden
    points = { w_1 = 2, dE_dw_expr = 3 }                                    # default: the family's
    tolerances = { E_1 = { mode = "sigfigs", value = 3 } }

    [[questions]]
    id = "q2"
    family = "backprop_222"

    [[questions]]
    id = "q3"
    code = "backprop_222"            # a code exercise: the student hands in a .py file
"""

from __future__ import annotations

import sys
from collections.abc import Mapping
from dataclasses import dataclass, field

from grader.core.compare import DEFAULT, Tolerance
from grader.core.family import Answer, Family
from grader.core.grading import Settings
from grader.core.variants import VariantKey
from grader.families import FAMILIES, get_family
from grader.text.messages import LANGUAGES, MISTAKES

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on Python 3.10 only
    import tomli as tomllib


class AssignmentError(ValueError):
    """An assignment file that cannot be used; the message says where and why."""


@dataclass(frozen=True)
class FamilyQuestion:
    """A question on a family: the answers asked, and how they are graded."""

    id: str
    family: Family
    settings: Settings
    hidden: bool = False


@dataclass(frozen=True)
class CodeQuestion:
    """A code exercise: the student hands in a .py file, graded by the exercise's hidden tests."""

    id: str
    exercise: str
    hidden: bool = False


Question = FamilyQuestion | CodeQuestion
"""One question of an assignment; its kind (:func:`grader.course.question_kinds.question_kind`) says what it is."""


@dataclass(frozen=True)
class Assignment:
    """A whole assignment as described by its file."""

    id: str
    title: str
    questions: tuple[Question, ...]
    lang: str = "en"
    salt: str = ""
    options: Mapping[str, object] = field(default_factory=dict)

    def key(self, student: str, question: Question) -> VariantKey:
        """The variant key of one student's question (the salt is part of the assignment id)."""
        assignment = f"{self.salt}/{self.id}" if self.salt else self.id
        return VariantKey(assignment, student, question.id)

    def question(self, question_id: str) -> Question:
        """The question with this id."""
        for q in self.questions:
            if q.id == question_id:
                return q
        raise KeyError(question_id)


TOP_KEYS = {"id", "title", "lang", "salt", "carried_forward_credit", "mistake_credit", "tolerance", "questions"}
QUESTION_KEYS = {"id", "family", "code", "answers", "points", "tolerances", "tolerance", "hidden"}


def parse_assignment(text: str) -> Assignment:
    """Read an assignment from TOML text; raises AssignmentError naming the problem."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise AssignmentError(f"not valid TOML: {error}") from None
    _only(data, TOP_KEYS, "the assignment")
    assignment_id = _text(data, "id", "the assignment")
    lang = data.get("lang", "en")
    if lang not in LANGUAGES:
        raise AssignmentError(f"lang must be 'en' or 'zh', not {lang!r}")
    default = _tolerance(data.get("tolerance"), "the assignment's tolerance", DEFAULT)
    credit = data.get("carried_forward_credit", 1.0)
    if not isinstance(credit, (int, float)) or not 0 <= credit <= 1:
        raise AssignmentError("carried_forward_credit must be a number between 0 and 1")
    mistake_credit = _mistake_credit(data.get("mistake_credit", {}))
    raw_questions = data.get("questions")
    if not isinstance(raw_questions, list) or not raw_questions:
        raise AssignmentError("the assignment needs at least one [[questions]] table")
    questions = tuple(_question(q, i, default, float(credit), mistake_credit)
                      for i, q in enumerate(raw_questions, 1))
    ids = [q.id for q in questions]
    duplicated = sorted({i for i in ids if ids.count(i) > 1})
    if duplicated:
        raise AssignmentError(f"question ids must be unique; repeated: {', '.join(duplicated)}")
    return Assignment(assignment_id, str(data.get("title", assignment_id)), questions, lang,
                      str(data.get("salt", "")))


def _mistake_credit(data: object) -> dict[str, float]:
    """``mistake_credit``: each named mistake's share of the points, between 0 and 1."""
    if not isinstance(data, dict) or not all(
        isinstance(v, (int, float)) and not isinstance(v, bool) and 0 <= v <= 1 for v in data.values()
    ):
        raise AssignmentError("mistake_credit must map mistake names to numbers between 0 and 1")
    unknown = sorted(set(data) - set(MISTAKES))
    if unknown:
        raise AssignmentError(f"mistake_credit: {', '.join(unknown)} not named mistakes; known: "
                              f"{', '.join(sorted(MISTAKES))}")
    return {k: float(v) for k, v in data.items()}


def _question(data: object, number: int, default: Tolerance, credit: float,
              mistake_credit: Mapping[str, float]) -> Question:
    where = f"question {number}"
    if not isinstance(data, dict):
        raise AssignmentError(f"{where} must be a table")
    _only(data, QUESTION_KEYS, where)
    question_id = str(data.get("id", number))
    where = f"question {question_id!r}"
    if "code" in data:
        return _code_question(data, question_id, where)
    name = _text(data, "family", where)
    if name not in FAMILIES:
        raise AssignmentError(f"{where}: unknown family {name!r}; known: {', '.join(FAMILIES)}")
    family = get_family(name)
    known = [a.id for a in family.answers]
    answers = data.get("answers")
    if answers is not None:
        if not isinstance(answers, list) or not all(isinstance(a, str) for a in answers) or not answers:
            raise AssignmentError(f"{where}: answers must be a non-empty list of answer ids")
        _known(answers, known, where)
    points = data.get("points", {})
    if not isinstance(points, dict) or not all(
        isinstance(v, (int, float)) and v >= 0 for v in points.values()
    ):
        raise AssignmentError(f"{where}: points must map answer ids to non-negative numbers")
    _known(points, known, f"{where}, points")
    tolerances = data.get("tolerances", {})
    if not isinstance(tolerances, dict):
        raise AssignmentError(f"{where}: tolerances must map answer ids to tolerance tables")
    _known(tolerances, known, f"{where}, tolerances")
    question_default = _tolerance(data.get("tolerance"), f"{where}, tolerance", default)
    settings = Settings(
        tolerance=question_default,
        tolerances={k: _tolerance(v, f"{where}, tolerance of {k}") for k, v in tolerances.items()},
        points={k: float(v) for k, v in points.items()},
        carried_forward_credit=credit,
        mistake_credit=mistake_credit,
        selected=tuple(answers) if answers is not None else None,
    )
    hidden = data.get("hidden", False)
    if not isinstance(hidden, bool):
        raise AssignmentError(f"{where}: hidden must be true or false")
    return FamilyQuestion(question_id, family, settings, hidden)


def _code_question(data: dict, question_id: str, where: str) -> Question:
    if "family" in data:
        raise AssignmentError(f"{where}: give either 'family' or 'code', not both")
    extra = sorted(set(data) - {"id", "code", "hidden"})
    if extra:
        raise AssignmentError(f"{where}: a code question takes only id, code and hidden, not {', '.join(extra)}")
    from grader.code import EXERCISES  # here, not at the top: a notebook kernel never loads the sandbox

    exercise = _text(data, "code", where)
    if exercise not in EXERCISES:
        raise AssignmentError(f"{where}: unknown code exercise {exercise!r}; known: {', '.join(EXERCISES)}")
    hidden = data.get("hidden", False)
    if not isinstance(hidden, bool):
        raise AssignmentError(f"{where}: hidden must be true or false")
    return CodeQuestion(question_id, exercise, hidden)


def _tolerance(data: object, where: str, default: Tolerance | None = None) -> Tolerance:
    """The tolerance a table of the file gives (``default`` where the file gives none)."""
    if data is None and default is not None:
        return default
    if not isinstance(data, dict) or set(data) - {"mode", "value", "floor"}:
        raise AssignmentError(f"{where} must be a table like {{ mode = \"relative\", value = 0.01 }}")
    try:
        return Tolerance(**data)
    except (TypeError, ValueError) as error:
        raise AssignmentError(f"{where}: {error}") from None


def _text(data: dict, key: str, where: str) -> str:
    value = data.get(key)
    if not isinstance(value, str) or not value.strip():
        raise AssignmentError(f"{where} needs a non-empty text '{key}'")
    return value.strip()


def _only(data: dict, allowed: set[str], where: str) -> None:
    unknown = sorted(set(data) - allowed)
    if unknown:
        raise AssignmentError(f"{where}: unknown key(s) {', '.join(unknown)}; allowed: {', '.join(sorted(allowed))}")


def _known(ids, known: list[str], where: str) -> None:
    unknown = sorted(set(ids) - set(known))
    if unknown:
        raise AssignmentError(f"{where}: {', '.join(unknown)} not answers of this family; known: {', '.join(known)}")


def asked_answers(question: FamilyQuestion) -> list[Answer]:
    """The family's answers that the question asks, in the family's order."""
    return [a for a in question.family.answers if question.settings.asks(a)]


def code_questions(assignment: Assignment) -> list[CodeQuestion]:
    """The assignment's code questions, in order (what the Gradescope autograder runs)."""
    return [q for q in assignment.questions if isinstance(q, CodeQuestion)]


def family_questions(assignment: Assignment) -> list[FamilyQuestion]:
    """The assignment's family questions, in order (its code questions left out)."""
    return [q for q in assignment.questions if isinstance(q, FamilyQuestion)]
