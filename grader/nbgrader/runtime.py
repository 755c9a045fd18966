"""What the nbgrader notebooks run inside the Jupyter kernel.

The notebook's locked identity cell calls :func:`setup` with the assignment file's text (its
salt removed) and the course's per-student numbers; the returned :class:`Homework` shows each
question's statement with the student's own numbers, hands out an :class:`Answers` object per
question, and checks it in the locked test cells::

    hw = setup(ASSIGNMENT, student_id=globals().get("STUDENT_ID"), numbers=NUMBERS)
    hw.show("q1")                      # the student's own statement
    q1 = hw.answers("q1"); q1.pred_1 = 0.5
    hw.grade("q1")                     # while working: feedback, and the score nbgrader validate reads

While ``nbgrader autograde`` runs, :meth:`Homework.grade` only records the raw answers
(:mod:`grader.nbgrader.record`) and scores 0: the score is computed by ``grader nbgrader
grade`` in the instructor's own process, so nothing the student's code replaces in this kernel
can change it. The kernel never holds the salt; :meth:`PracticeHomework.solution` exists only
in a practice notebook (``grader nbgrader source --practice``), which embeds the whole file.

This is the I/O edge of the adapter: it reads the environment, prints, and displays. Grading
itself is :func:`grader.core.grading.grade`. Nothing here writes to stderr, because nbgrader gives 0
points to a test cell with any stderr output.
"""

from __future__ import annotations

import getpass
import numbers
import os
import warnings
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from fractions import Fraction

import numpy as np

from grader.core.grading import Expected, Raw, Result, expectation, grade
from grader.core.keys import answer_key
from grader.core.variants import Variant, generate
from grader.course.assignment import Assignment, FamilyQuestion, asked_answers, family_questions, parse_assignment
from grader.course.sheets import problem_statement
from grader.nbgrader.identity import Identity, resolve
from grader.nbgrader.layout import question_points, variables
from grader.nbgrader.messages import message
from grader.nbgrader.record import ANSWERS_MIME, encode
from grader.nbgrader.report import cell_score, feedback, format_check, identity_markdown, problem_text

Numbers = Mapping[str, Mapping[str, Mapping[str, str]]]
"""Per student, per question, each parameter as exact decimal text (what the identity cell embeds)."""


class StudentUnknown(RuntimeError):
    """Raised by a test cell when the notebook has no numbers to check against (no id, or not on the list).

    ``nbgrader validate`` shows the message of a test cell's error, so the student reads what to do.
    """


def setup(assignment_text: str, student_id: object = None, *, numbers: Numbers | None = None,
          env: Mapping[str, str] | None = None) -> Homework:
    """The homework of ``assignment_text`` for whoever runs the notebook.

    With ``numbers`` (a graded notebook) the variants come from that table and nothing else;
    without (a practice notebook) they are derived from the file, salt included.
    """
    assignment = parse_assignment(assignment_text)
    students = None if numbers is None else set(numbers)
    if env is None:
        identity = resolve(os.environ, student_id, _system_user(), students)
    else:
        identity = resolve(env, student_id, None, students)
    if numbers is None:
        return PracticeHomework(assignment, identity)
    return Homework(assignment, identity, numbers)


def _system_user() -> str | None:
    """The kernel's OS user name (what ``nbgrader submit`` files under), if it can be told."""
    try:
        return getpass.getuser()
    except (KeyError, OSError, ImportError):
        return None


def to_raw(value: object) -> Raw:
    """A student's Python value as the grader takes it: None, a float, or text.

    ``...`` (the template's placeholder) and None are missing; ``True`` is text, so it is
    reported rather than read as 1; other numbers (int, Fraction, numpy) become floats.

    >>> from fractions import Fraction
    >>> to_raw(...), to_raw(3), to_raw(Fraction(3, 4)), to_raw("x*(w*x - t)"), to_raw(True)
    (None, 3.0, 0.75, 'x*(w*x - t)', 'True')
    """
    if value is None or value is Ellipsis:
        return None
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, numbers.Real):
        return float(value)
    return str(value)


class Answers:
    """The answers to one question, set as attributes: ``q1.pred_1 = 0.75``.

    Unknown names are reported (not raised), so one typo does not lose the lines after it.
    """

    _question: str
    _ids: tuple[str, ...]
    _variable: str
    _lang: str
    _values: dict[str, object]

    def __init__(self, question_id: str, ids: tuple[str, ...], variable: str, lang: str = "en") -> None:
        object.__setattr__(self, "_question", question_id)
        object.__setattr__(self, "_ids", ids)
        object.__setattr__(self, "_variable", variable)
        object.__setattr__(self, "_lang", lang)
        object.__setattr__(self, "_values", {})

    def __setattr__(self, name: str, value: object) -> None:
        self[name] = value

    def __setitem__(self, name: str, value: object) -> None:
        if name not in self._ids:
            print(message("unknown_answer", self._lang, question=self._question, name=name,
                          known=", ".join(self._ids)))
            return
        self._values[name] = value

    def __getattr__(self, name: str) -> object:
        values = self.__dict__["_values"]
        if name in values:
            return values[name]
        raise AttributeError(message("unknown_answer", self.__dict__["_lang"], question=self.__dict__["_question"],
                                     name=name, known=", ".join(self.__dict__["_ids"])))

    def __getitem__(self, name: str) -> object:
        return self._values[name]

    def fill(self, values: Mapping[str, object]) -> None:
        """Set several answers at once."""
        for name, value in values.items():
            self[name] = value

    def raw(self) -> dict[str, Raw]:
        """The answers given so far, as the grader takes them."""
        return {k: to_raw(v) for k, v in self._values.items()}

    def __repr__(self) -> str:
        given = sum(to_raw(v) is not None for v in self._values.values())
        return f"<answers to question {self._question}: {given} of {len(self._ids)} given>"


class Statement:
    """A question's statement with the student's numbers; renders as Markdown with LaTeX."""

    def __init__(self, markdown: str) -> None:
        self.markdown = markdown

    def _repr_markdown_(self) -> str:
        return self.markdown

    def __repr__(self) -> str:
        return self.markdown


class Homework:
    """One student's assignment inside the kernel: statements, answers, self-check, recording."""

    def __init__(self, assignment: Assignment, identity: Identity, numbers: Numbers | None = None) -> None:
        self.assignment = assignment
        self.identity = identity
        self.lang = assignment.lang
        self._numbers = numbers
        self._variables = variables(assignment)
        self._answers: dict[str, Answers] = {}
        self._variants: dict[tuple[str, str], Variant] = {}
        self._expected: dict[tuple[str, str], Expected] = {}

    @property
    def student(self) -> str | None:
        """The id whose numbers are shown."""
        return self.identity.student

    def _repr_markdown_(self) -> str:
        return identity_markdown(self.identity, self.lang)

    def __repr__(self) -> str:
        return identity_markdown(self.identity, self.lang)

    def question(self, question_id: str) -> FamilyQuestion:
        """The question with this id (a clear error naming the known ids otherwise).

        A notebook asks family questions only (:func:`grader.nbgrader.layout.refuse_code_questions`).
        """
        questions = family_questions(self.assignment)
        for q in questions:
            if q.id == question_id:
                return q
        known = ", ".join(q.id for q in questions)
        raise KeyError(f"no question {question_id!r} in {self.assignment.id}; questions: {known}")

    def show(self, question_id: str) -> Statement:
        """The statement of a question with the student's own numbers, listing the answers it asks."""
        question = self.question(question_id)
        if self.student is None:
            return Statement(identity_markdown(self.identity, self.lang))
        prepared = self._prepared(question, self.student)
        return Statement(problem_statement(question, prepared, self.lang, asked_only=True))

    def answers(self, question_id: str) -> Answers:
        """A fresh, empty set of answers to a question (the one its test cell checks)."""
        question = self.question(question_id)
        ids = tuple(a.id for a in asked_answers(question))
        answers = Answers(question.id, ids, self._variables[question.id], self.lang)
        self._answers[question.id] = answers
        return answers

    def grade(self, question_id: str) -> float:
        """Check a question: print the feedback and return the score (while autograding: record, score 0)."""
        question = self.question(question_id)
        raw = self._raw(question)
        if self.identity.autograde:
            _display(message("recorded", self.lang, question=question.id), {ANSWERS_MIME: encode(question.id, raw)})
            return 0.0
        result = self._grade(question, self._require_student(), raw)
        if self.identity.problem is not None:
            print(problem_text(self.identity, self.lang))
        print(feedback(question.id, result, self.lang))
        return cell_score(result.score, question_points(question))

    def check_format(self, question_id: str) -> None:
        """Say which answers can be read, not whether they are right (the visible part of hidden tests)."""
        question = self.question(question_id)
        if self.identity.autograde:
            return
        raw = self._raw(question)
        print(format_check(self._grade(question, self._require_student(), raw), self.lang))

    def _require_student(self) -> str:
        if self.student is None:
            raise StudentUnknown(identity_markdown(self.identity, self.lang))
        return self.student

    def _raw(self, question: FamilyQuestion) -> dict[str, Raw]:
        answers = self._answers.get(question.id)
        if answers is None:
            print(message("not_run", self.lang, question=question.id, variable=self._variables[question.id]))
            return {}
        return answers.raw()

    def _variant(self, question: FamilyQuestion, student: str) -> Variant:
        """The student's variant: from the embedded numbers, or derived from the file in practice."""
        cached = self._variants.get((question.id, student))
        if cached is None:
            if self._numbers is not None:
                exact = {k: Fraction(v) for k, v in self._numbers[student][question.id].items()}
                cached = Variant(question.family, exact)
            else:
                with _quiet():
                    cached = generate(question.family, [self.assignment.key(student, question)])[0]
            self._variants[(question.id, student)] = cached
        return cached

    def _prepared(self, question: FamilyQuestion, student: str) -> Expected:
        cached = self._expected.get((question.id, student))
        if cached is None:
            with _quiet():
                cached = self._expected[(question.id, student)] = expectation(self._variant(question, student))
        return cached

    def _grade(self, question: FamilyQuestion, student: str, raw: Mapping[str, Raw]) -> Result:
        cached = self._prepared(question, student)
        with _quiet():
            return grade(cached, raw, question.settings, self.lang)


class PracticeHomework(Homework):
    """A practice notebook's homework: the same, plus the answer key of the student's own variant."""

    def solution(self, question_id: str) -> dict[str, float | str]:
        """The answer key of the student's variant: floats and text."""
        question = self.question(question_id)
        key = answer_key(self._variant(question, self._require_student()))
        return {a.id: key[a.id].value for a in asked_answers(question)}


@contextmanager
def _quiet() -> Iterator[None]:
    """No warnings on stderr (nbgrader would score the cell 0) and no numpy floating-point noise."""
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        yield


def _display(text: str, data: dict) -> None:
    """Show ``text`` and leave ``data`` (MIME type to JSON) in the cell's outputs; outside Jupyter, print."""
    try:
        from IPython import get_ipython
        from IPython.display import display
    except ImportError:
        get_ipython = None
    if get_ipython is None or get_ipython() is None:
        print(text)
        return
    display({"text/plain": text, **data}, raw=True)
