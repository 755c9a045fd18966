"""What the nbgrader notebooks run inside the Jupyter kernel.

The notebook's locked identity cell calls :func:`setup` with the assignment file's text; the
returned :class:`Homework` shows each question's statement with the student's own numbers,
hands out an :class:`Answers` object per question, and grades it in the locked test cells::

    hw = setup(ASSIGNMENT, student_id=globals().get("STUDENT_ID"))
    hw.show("q1")                      # the student's own statement
    q1 = hw.answers("q1"); q1.pred_1 = 0.5
    hw.grade("q1")                     # prints feedback; the value is the cell's score

This is the I/O edge of the adapter: it reads the environment and the working directory
(see :mod:`grader.nbgrader.identity` for the rules), prints, and displays. Grading itself is
:func:`grader.grading.grade`. Nothing here writes to stderr while grading, because nbgrader
gives 0 points to a test cell with any stderr output.
"""

from __future__ import annotations

import getpass
import numbers
import os
import warnings
from collections.abc import Iterator, Mapping
from contextlib import contextmanager

import numpy as np

from grader.assignment import Assignment, Question, parse_assignment
from grader.grading import Expected, Raw, Result, expectation, grade
from grader.keys import answer_key
from grader.nbgrader.identity import Identity, resolve
from grader.nbgrader.layout import asked, question_points, variables
from grader.nbgrader.messages import message
from grader.nbgrader.report import (
    FLAG_MIME,
    cell_score,
    feedback,
    flag_record,
    flag_text,
    format_check,
    identity_markdown,
    problem_text,
)
from grader.variants import Variant, generate


class GradingFlagged(RuntimeError):
    """Raised in a test cell that cannot be graded; nbgrader then gives the cell 0 points."""


class KeyRefused(RuntimeError):
    """The answer key was asked for while nbgrader autograded a submission."""


def setup(assignment_text: str, student_id: object = None, *, env: Mapping[str, str] | None = None,
          cwd: str | None = None) -> Homework:
    """The homework of the assignment file ``assignment_text`` for whoever runs the notebook."""
    assignment = parse_assignment(assignment_text)
    if env is None:
        identity = resolve(os.environ, os.getcwd() if cwd is None else cwd, student_id, _system_user())
    else:
        identity = resolve(env, os.getcwd() if cwd is None else cwd, student_id)
    return Homework(assignment, identity)


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
    """One student's assignment inside the kernel: statements, answers, grading."""

    def __init__(self, assignment: Assignment, identity: Identity) -> None:
        self.assignment = assignment
        self.identity = identity
        self.lang = assignment.lang
        self._variables = variables(assignment)
        self._answers: dict[str, Answers] = {}
        self._variants: dict[tuple[str, str], Variant] = {}
        self._expected: dict[tuple[str, str], Expected] = {}

    @property
    def student(self) -> str | None:
        """The id whose variant is shown and graded."""
        return self.identity.student

    def _repr_markdown_(self) -> str:
        return identity_markdown(self.identity, self.lang)

    def __repr__(self) -> str:
        return identity_markdown(self.identity, self.lang)

    def question(self, question_id: str) -> Question:
        """The question with this id (a clear error naming the known ids otherwise)."""
        try:
            return self.assignment.question(question_id)
        except KeyError:
            known = ", ".join(q.id for q in self.assignment.questions)
            raise KeyError(f"no question {question_id!r} in {self.assignment.id}; questions: {known}") from None

    def show(self, question_id: str) -> Statement:
        """The statement of a question with the student's own numbers."""
        question = self.question(question_id)
        if self.student is None:
            return Statement(identity_markdown(self.identity, self.lang))
        v = self._variant(question, self.student)
        return Statement(question.family.statement(v.params, self.lang))

    def answers(self, question_id: str) -> Answers:
        """A fresh, empty set of answers to a question (the one its test cell grades)."""
        question = self.question(question_id)
        ids = tuple(a.id for a in asked(question))
        answers = Answers(question.id, ids, self._variables[question.id], self.lang)
        self._answers[question.id] = answers
        return answers

    def solution(self, question_id: str) -> dict[str, float | str]:
        """The answer key of the student's variant (the instructor version uses it): floats and text.

        Refused while nbgrader autogrades, so a submission cannot fill itself in this way.
        """
        if self.identity.autograde:
            raise KeyRefused(message("key_refused", self.lang))
        question = self.question(question_id)
        if self.student is None:
            raise KeyRefused(message("no_id", self.lang))
        key = answer_key(self._variant(question, self.student))
        return {a.id: key[a.id].value for a in asked(question)}

    def grade(self, question_id: str) -> float:
        """Grade a question: print the feedback and return the score for nbgrader's test cell."""
        question = self.question(question_id)
        raw = self._raw(question)
        if self.student is None:
            return self._ungraded(question)
        result = self._grade(question, self.student, raw)
        score = cell_score(result.score, question_points(question))
        if self.identity.flagged:
            other = self._grade(question, self.identity.typed, raw) if self.identity.typed else None
            _publish_flag(flag_text(self.identity, self.lang, other),
                          flag_record(self.identity, question.id, score, other))
        elif self.identity.problem is not None:
            print(problem_text(self.identity, self.lang))
        print(feedback(question.id, result, self.lang))
        return score

    def check_format(self, question_id: str) -> None:
        """Say which answers can be read, not whether they are right (the visible part of hidden tests)."""
        question = self.question(question_id)
        raw = self._raw(question)
        if self.student is None:
            print(identity_markdown(self.identity, self.lang))
            return
        print(format_check(self._grade(question, self.student, raw), self.lang))

    def _raw(self, question: Question) -> dict[str, Raw]:
        answers = self._answers.get(question.id)
        if answers is None:
            print(message("not_run", self.lang, question=question.id, variable=self._variables[question.id]))
            return {}
        return answers.raw()

    def _ungraded(self, question: Question) -> float:
        if self.identity.autograde:
            text = identity_markdown(self.identity, self.lang)
            _publish_flag(text, flag_record(self.identity, question.id, 0.0))
            raise GradingFlagged(text)
        print(identity_markdown(self.identity, self.lang))
        return 0.0

    def _variant(self, question: Question, student: str) -> Variant:
        """The student's variant (the statement needs only this, not the grading preparation)."""
        cached = self._variants.get((question.id, student))
        if cached is None:
            with _quiet():
                cached = generate(question.family, [self.assignment.key(student, question)])[0]
            self._variants[(question.id, student)] = cached
        return cached

    def _expectation(self, question: Question, student: str) -> Expected:
        cached = self._expected.get((question.id, student))
        if cached is None:
            variant = self._variant(question, student)
            with _quiet():
                cached = self._expected[(question.id, student)] = expectation(variant)
        return cached

    def _grade(self, question: Question, student: str, raw: Mapping[str, Raw]) -> Result:
        expected = self._expectation(question, student)
        with _quiet():
            return grade(expected, raw, question.settings, self.lang)


@contextmanager
def _quiet() -> Iterator[None]:
    """No warnings on stderr (nbgrader would score the cell 0) and no numpy floating-point noise."""
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        yield


def _publish_flag(text: str, record: dict) -> None:
    """Show the flag to the teacher and leave a machine-readable mark in the cell's outputs."""
    try:
        from IPython import get_ipython
        from IPython.display import display
    except ImportError:
        get_ipython = None
    if get_ipython is None or get_ipython() is None:  # outside Jupyter: the text is enough
        print(text)
        return
    display({"text/plain": text, FLAG_MIME: record}, raw=True)
