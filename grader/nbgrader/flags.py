"""Finding the test cells that flagged a submission for the teacher, in nbgrader's autograded notebooks.

A flagged test cell (see :mod:`grader.nbgrader.runtime`) carries an output of MIME type
:data:`~grader.nbgrader.report.FLAG_MIME`; nbgrader keeps outputs in
``autograded/<student_id>/<assignment_id>/*.ipynb``, so the flags can be listed after
``nbgrader autograde`` without touching the gradebook.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path

from grader.nbgrader.report import FLAG_MIME


@dataclass(frozen=True)
class Flag:
    """One flagged test cell."""

    student: str
    notebook: str
    question: str
    problem: str
    graded_as: str | None = None
    typed: str | None = None
    score: float | None = None
    score_against_typed: float | None = None

    def describe(self) -> str:
        """One line for the teacher."""
        text = f"{self.student}  {self.notebook}  question {self.question}: {self.problem}"
        if self.problem == "mismatch":
            text += f" (worked on as {self.typed!r}, graded as {self.graded_as!r}: {self.score:g} points"
            if self.score_against_typed is not None:
                text += f"; {self.score_against_typed:g} against the variant of {self.typed!r}"
            text += ")"
        return text

    def to_json(self) -> dict:
        """The flag as plain data."""
        return asdict(self)


def find_flags(autograded: Path, assignment_id: str) -> list[Flag]:
    """Every flag in ``autograded/*/<assignment_id>/*.ipynb``, by student and notebook."""
    found = []
    for path in sorted(autograded.glob(f"*/{assignment_id}/*.ipynb")):
        student = path.parent.parent.name
        try:
            cells = json.loads(path.read_text(encoding="utf-8")).get("cells", [])
        except (OSError, UnicodeDecodeError, ValueError) as error:
            found.append(Flag(student, path.name, "", f"unreadable notebook ({error})"))
            continue
        for cell in cells:
            for output in cell.get("outputs", []) if isinstance(cell, dict) else []:
                record = output.get("data", {}).get(FLAG_MIME) if isinstance(output, dict) else None
                if isinstance(record, dict):
                    found.append(_flag(student, path.name, record))
    return found


def _flag(student: str, notebook: str, record: dict) -> Flag:
    return Flag(
        student=student,
        notebook=notebook,
        question=str(record.get("question", "")),
        problem=str(record.get("problem", "")),
        graded_as=record.get("graded_as"),
        typed=record.get("typed"),
        score=record.get("score"),
        score_against_typed=record.get("score_against_typed"),
    )
