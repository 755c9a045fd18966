"""Grading an autograded notebook outside the student's kernel: recorded answers in, scores and flags out.

Pure: an assignment (salt included), nbgrader's student id and the notebook's JSON in, a
:class:`NotebookGrade` out. Nothing the student's kernel computed is trusted except the raw
answers its test cells recorded (:mod:`grader.nbgrader.record`): the student is nbgrader's,
the keys are computed by the caller in its own process, and the score comes from
:func:`grader.core.grading.grade`.

A notebook is flagged for the teacher when its ``STUDENT_ID`` names someone else (a pasted
notebook: graded against the submitter's own key, with what it would have scored against the
other for comparison), when it was released for another assignment, when a question's answers
were not recorded or cannot be read (0 points for that question), when it cannot be read,
when a question's answers match a classmate's numbers far better than the student's own
(:func:`grader.core.grading.copied_from`; given the class's keys), and when an answer
recorded while nbgrader ran the notebook is not the value the notebook's source writes for it
(``q1.w_1 = 0.5``): an answer computed by code at grading time, for instance from a file the
grader's account can read, is shown to the teacher rather than trusted.
"""

from __future__ import annotations

import ast
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace

from grader.core.grading import Classmates, Expected, Raw, Result, grade
from grader.course.assignment import Assignment, FamilyQuestion, asked_answers, family_questions
from grader.nbgrader.identity import normalize_id
from grader.nbgrader.layout import NOTEBOOK_METADATA, STUDENT_ID_CELL, cell_ids, question_points, variables
from grader.nbgrader.messages import message
from grader.nbgrader.record import ANSWERS_MIME, RecordError, decode
from grader.nbgrader.report import cell_score

Keys = Callable[[str, FamilyQuestion], Expected]
"""The expectations (key, mistakes) of a student's question, computed by the caller."""


@dataclass(frozen=True)
class QuestionGrade:
    """One question of one notebook: the score nbgrader records and what the feedback shows."""

    question: FamilyQuestion
    cell: str  # the grade_id stem of the question's cells
    score: float
    max: float
    expected: Expected
    result: Result | None  # None when no answers could be read
    raw: Mapping[str, Raw] | None = None
    flags: tuple[str, ...] = ()


@dataclass(frozen=True)
class NotebookGrade:
    """A whole notebook: its questions and the flags that concern all of them."""

    student: str
    questions: tuple[QuestionGrade, ...]
    flags: tuple[str, ...] = ()

    @property
    def score(self) -> float:
        """The notebook's total."""
        return sum(q.score for q in self.questions)

    @property
    def all_flags(self) -> tuple[str, ...]:
        """Every flag: the notebook's, then each question's."""
        return self.flags + tuple(f for q in self.questions for f in q.flags)


def regrade(assignment: Assignment, student: str, notebook: object, keys: Keys,
            unreadable: str | None = None, others: Mapping[str, Classmates] | None = None) -> NotebookGrade:
    """Grade the answers recorded in ``notebook`` (a parsed .ipynb) against ``student``'s own keys.

    ``unreadable`` says why the notebook could not be read (then every question scores 0);
    ``others`` (each question's keys of the class) flags answers copied from a classmate's key,
    which then earn no carried-forward credit, as in ``grader grade``.
    """
    lang = assignment.lang
    cells = _cells(notebook)
    flags: list[str] = []
    if unreadable is not None:
        flags.append(unreadable)
    elif cells is None:
        flags.append(message("unreadable_notebook", lang, path="", why="no list of cells"))
    found = _assignment_of(notebook)
    if found is not None and found != assignment.id:
        flags.append(message("wrong_assignment", lang, found=found, expected=assignment.id))
    typed = typed_student_id(cells or [])
    if typed is not None and typed != student:
        flags.append(message("mismatch", lang, typed=typed, student=student))
    stems = cell_ids(assignment)
    names = variables(assignment)
    questions = []
    for q in family_questions(assignment):
        graded = _question(q, stems[q.id], student, cells, keys, lang, failed=unreadable is not None or cells is None,
                           others=(others or {}).get(q.id))
        if graded.result is not None and graded.result.copied_from is not None:
            graded = _with_flag(graded, message("copied", lang, question=q.id, other=graded.result.copied_from))
        computed = _not_written(graded.raw or {}, written_answers(cells or [], names[q.id]))
        if computed:
            graded = _with_flag(graded, message("computed", lang, question=q.id, answers=", ".join(computed)))
        if typed is not None and typed != student and graded.result is not None:
            other = grade(keys(typed, q), graded.raw or {}, q.settings, lang)
            graded = _with_flag(graded, message("other_key", lang, typed=typed, question=q.id,
                                                score=other.score, max=other.max))
        questions.append(graded)
    return NotebookGrade(student, tuple(questions), tuple(flags))


def typed_student_id(cells: list) -> str | None:
    """The ``STUDENT_ID`` a notebook's id cell sets to a literal, normalised; None if there is none.

    >>> typed_student_id([{"cell_type": "code", "id": "student_id", "source": 'STUDENT_ID = " bob "'}])
    'bob'
    """
    for cell in cells:
        if isinstance(cell, Mapping) and cell.get("id") == STUDENT_ID_CELL and cell.get("cell_type") == "code":
            try:
                tree = ast.parse(_source(cell))
            except (SyntaxError, ValueError):
                return None
            values = [node.value.value for node in tree.body
                      if isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant)
                      and any(isinstance(t, ast.Name) and t.id == "STUDENT_ID" for t in node.targets)]
            return normalize_id(values[-1]) if values else None
    return None


def written_answers(cells: list, variable: str) -> dict[str, object]:
    """The answers the notebook's code cells set to a literal (``q1.w_1 = 0.5``, ``q1["E_1"] = "3/4"``).

    The last assignment in the notebook's order wins; an answer set to anything but a literal
    (a name, a call, ``.fill``) is absent.

    >>> written_answers([{"cell_type": "code", "source": "q1.w_1 = -1/2\\nq1.E_1 = f()\\nq1.r = 'up'"}], "q1")
    {'w_1': -0.5, 'r': 'up'}
    """
    found: dict[str, object] = {}
    for cell in cells:
        if not isinstance(cell, Mapping) or cell.get("cell_type") != "code":
            continue
        try:
            tree = ast.parse(_source(cell))
        except (SyntaxError, ValueError):
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.Assign) and len(node.targets) == 1:
                name = _answer_target(node.targets[0], variable)
                if name is not None:
                    value = _literal(node.value)
                    if value is None:
                        found.pop(name, None)
                    else:
                        found[name] = value
    return found


ARITHMETIC = {ast.Add: lambda a, b: a + b, ast.Sub: lambda a, b: a - b, ast.Mult: lambda a, b: a * b,
              ast.Div: lambda a, b: a / b, ast.Pow: lambda a, b: a ** b}


def _literal(node: ast.expr, depth: int = 0) -> object:
    """A literal's value: text, ``...``, or a number written with + - * / ** and parentheses (in floats).

    None for anything else (names, calls) and for arithmetic that fails or overflows.
    """
    if depth > 50:
        return None
    if isinstance(node, ast.Constant) and (isinstance(node.value, str) or node.value is Ellipsis):
        return node.value
    if isinstance(node, ast.Constant) and isinstance(node.value, (int, float)) and not isinstance(node.value, bool):
        return float(node.value)
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
        value = _literal(node.operand, depth + 1)
        return (-value if isinstance(node.op, ast.USub) else value) if isinstance(value, float) else None
    if isinstance(node, ast.BinOp) and type(node.op) in ARITHMETIC:
        left, right = _literal(node.left, depth + 1), _literal(node.right, depth + 1)
        if isinstance(left, float) and isinstance(right, float):
            try:
                value = ARITHMETIC[type(node.op)](left, right)
            except (ArithmeticError, ValueError):
                return None
            return value if isinstance(value, float) else None
    return None


def _answer_target(target: ast.expr, variable: str) -> str | None:
    if isinstance(target, ast.Attribute) and isinstance(target.value, ast.Name) and target.value.id == variable:
        return target.attr
    if (isinstance(target, ast.Subscript) and isinstance(target.value, ast.Name) and target.value.id == variable
            and isinstance(target.slice, ast.Constant) and isinstance(target.slice.value, str)):
        return target.slice.value
    return None


def _not_written(raw: Mapping[str, Raw], written: Mapping[str, object]) -> list[str]:
    """The recorded answers that differ from what the source writes (NaN equals NaN)."""
    def same(recorded: Raw, value: object) -> bool:
        if isinstance(recorded, float):
            return isinstance(value, float) and (math.isclose(value, recorded, rel_tol=1e-12)
                                                 or (math.isnan(recorded) and math.isnan(value)))
        return isinstance(value, str) and value == recorded

    return [name for name, recorded in raw.items() if recorded is not None
            and (name not in written or not same(recorded, written[name]))]


def _question(q: FamilyQuestion, stem: str, student: str, cells: list | None, keys: Keys, lang: str,
              failed: bool, others: Classmates | None = None) -> QuestionGrade:
    expected = keys(student, q)
    points = question_points(q)
    if failed:
        return QuestionGrade(q, stem, 0.0, points, expected, None)
    records = [data[ANSWERS_MIME] for data in _outputs(cells or [], f"{stem}_test") if ANSWERS_MIME in data]
    if not records:
        return QuestionGrade(q, stem, 0.0, points, expected, None, flags=(message("no_record", lang, question=q.id),))
    try:
        raw = decode(records[-1], q.id, tuple(a.id for a in asked_answers(q)))
    except RecordError as error:
        flag = message("bad_record", lang, question=q.id, why=str(error))
        return QuestionGrade(q, stem, 0.0, points, expected, None, flags=(flag,))
    result = grade(expected, raw, q.settings, lang, others)
    return QuestionGrade(q, stem, cell_score(result.score, points), points, expected, result, raw)


def _with_flag(graded: QuestionGrade, flag: str) -> QuestionGrade:
    return replace(graded, flags=graded.flags + (flag,))


def _cells(notebook: object) -> list | None:
    cells = notebook.get("cells") if isinstance(notebook, Mapping) else None
    return cells if isinstance(cells, list) else None


def _assignment_of(notebook: object) -> str | None:
    meta = notebook.get("metadata") if isinstance(notebook, Mapping) else None
    ours = meta.get(NOTEBOOK_METADATA) if isinstance(meta, Mapping) else None
    found = ours.get("assignment") if isinstance(ours, Mapping) else None
    return found if isinstance(found, str) else None


def _source(cell: Mapping) -> str:
    source = cell.get("source", "")
    return "".join(source) if isinstance(source, list) else str(source)


def _outputs(cells: list, grade_id: str) -> list[Mapping]:
    """The data of every display output of the cell with nbgrader's ``grade_id``."""
    found = []
    for cell in cells:
        meta = cell.get("metadata", {}) if isinstance(cell, Mapping) else {}
        nbgrader = meta.get("nbgrader", {}) if isinstance(meta, Mapping) else {}
        if not isinstance(nbgrader, Mapping) or nbgrader.get("grade_id") != grade_id:
            continue
        for output in cell.get("outputs", []) or []:
            data = output.get("data") if isinstance(output, Mapping) else None
            if isinstance(data, Mapping):
                found.append(data)
    return found
