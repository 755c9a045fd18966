"""The flags ``grader nbgrader grade`` wrote into nbgrader's gradebook, read back for the teacher.

A flag lives in the comment of the answer cells it concerns (see
:func:`grader.nbgrader.course.comment_html`) and sets the submitted notebook's ``flagged``,
so formgrader shows it; this module lists them for ``grader nbgrader flags`` and the export.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

from grader.nbgrader.course import comment_flags


@dataclass(frozen=True)
class Flag:
    """One reason a submission needs the teacher."""

    student: str
    notebook: str
    text: str

    def describe(self) -> str:
        """One line for the teacher."""
        return f"{self.student}  {self.notebook}: {self.text}"

    def to_json(self) -> dict:
        """The flag as plain data."""
        return asdict(self)


def notebook_flags(nb) -> list[str]:
    """The distinct flags of an nbgrader SubmittedNotebook, in the order of its cells' names."""
    found: list[str] = []
    for comment in sorted(nb.comments, key=lambda c: c.name):
        found += [f for f in comment_flags(comment.comment) if f not in found]
    return found


def submission_flags(submission) -> list[str]:
    """The distinct flags of an nbgrader SubmittedAssignment."""
    found: list[str] = []
    for nb in submission.notebooks:
        found += [f for f in notebook_flags(nb) if f not in found]
    return found


def find_flags(gb, assignment_id: str) -> list[Flag]:
    """Every flag of the assignment's submissions in the gradebook ``gb``, by student and notebook."""
    return [Flag(submission.student.id, nb.name, text)
            for submission in sorted(gb.find_assignment(assignment_id).submissions, key=lambda s: s.student.id)
            for nb in submission.notebooks
            for text in notebook_flags(nb)]
