"""The names shared by the built notebook, the kernel runtime and the tests.

Cell ids (nbgrader's ``grade_id``), the Python variable holding each question's answers and
each question's points are decided here once, so the notebook builder and the runtime
cannot drift apart.
"""

from __future__ import annotations

import keyword
import re

from grader.course.assignment import (
    Assignment,
    AssignmentError,
    FamilyQuestion,
    Question,
    asked_answers,
)
from grader.course.question_kinds import question_kind
from grader.nbgrader.messages import message

IDENTITY_CELL = "grader_identity"
HEADER_CELL = "grader_header"
STUDENT_ID_CELL = "student_id"
NOTEBOOK_METADATA = "gdbp_grader"  # the notebook's metadata entry naming its assignment
RESERVED = frozenset({"hw", "setup", "STUDENT_ID", "ASSIGNMENT"})
SUFFIXES = ("title", "statement", "answers", "test")


def question_points(question: FamilyQuestion) -> float:
    """The points of a question: the sum over the answers it asks."""
    return float(sum(question.settings.points_for(a) for a in asked_answers(question)))


def cell_ids(assignment: Assignment) -> dict[str, str]:
    """Each question's cell-id stem: its id with anything but letters, digits, '-' and '_' replaced.

    >>> from grader.course.assignment import parse_assignment
    >>> a = parse_assignment('id="a"\\n[[questions]]\\nid="1.a"\\nfamily="gd_linear"\\n'
    ...                      '[[questions]]\\nid="1 a"\\nfamily="gd_linear"')
    >>> cell_ids(a)
    {'1.a': 'q1_a', '1 a': 'q1_a_2'}
    """
    def stem(q: Question) -> str:
        text = re.sub(r"[^A-Za-z0-9_-]", "_", q.id)
        return text if text[:1].isascii() and text[:1].isalpha() else "q" + text

    return _unique(assignment, stem)


def variables(assignment: Assignment) -> dict[str, str]:
    """The Python variable holding each question's answers: the id itself when it is a plain name.

    >>> from grader.course.assignment import parse_assignment
    >>> a = parse_assignment('id="a"\\n[[questions]]\\nid="q1"\\nfamily="gd_linear"\\n'
    ...                      '[[questions]]\\nid="2"\\nfamily="gd_linear"')
    >>> variables(a)
    {'q1': 'q1', '2': 'q2'}
    """
    def name(q: Question) -> str:
        if q.id.isidentifier() and q.id.isascii() and not keyword.iskeyword(q.id) and q.id not in RESERVED:
            return q.id
        return "q" + re.sub(r"\W", "_", q.id, flags=re.ASCII).lstrip("_").lower()

    return _unique(assignment, name)


def _unique(assignment: Assignment, stem) -> dict[str, str]:
    names: dict[str, str] = {}
    taken: set[str] = set(RESERVED)
    for q in assignment.questions:
        base = stem(q)
        candidate, n = base, 1
        while candidate in taken:
            n += 1
            candidate = f"{base}_{n}"
        taken.add(candidate)
        names[q.id] = candidate
    return names


def refuse_code_questions(assignment: Assignment) -> None:
    """Raise AssignmentError when the assignment has code questions: a notebook holds family questions only."""
    code = [q.id for q in assignment.questions if not question_kind(q).in_notebooks]
    if code:
        raise AssignmentError(message("code_questions", assignment.lang, ids=", ".join(code)))

