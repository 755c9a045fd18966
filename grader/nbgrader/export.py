"""``nbgrader export`` with the flags: nbgrader's CSV columns, then ``flagged`` and ``flags``.

Enabled by ``c.ExportApp.plugin_class = "grader.nbgrader.export.FlaggedCsvExport"``, which
``grader nbgrader source`` writes into the course's ``nbgrader_config.py``. Written with the
csv module, so names and flags with commas or quotes stay in their column.
"""

from __future__ import annotations

import csv

from nbgrader.api import Gradebook, MissingEntry
from nbgrader.plugins import ExportPlugin

from grader.nbgrader.flags import submission_flags

COLUMNS = ("assignment", "duedate", "timestamp", "student_id", "last_name", "first_name", "email",
           "raw_score", "late_submission_penalty", "score", "max_score", "flagged", "flags")


class FlaggedCsvExport(ExportPlugin):
    """nbgrader's CSV export plus whether each submission was flagged and why."""

    def export(self, gradebook: Gradebook) -> None:
        """Write one row per assignment and student to ``--to`` (default grades.csv)."""
        students = {str(s) for s in self.student}
        assignments = {str(a) for a in self.assignment}
        with open(self.to or "grades.csv", "w", newline="", encoding="utf-8") as handle:
            writer = csv.DictWriter(handle, COLUMNS)
            writer.writeheader()
            for assignment in gradebook.assignments:
                if assignments and assignment.name not in assignments:
                    continue
                for student in gradebook.students:
                    if not students or student.id in students:
                        writer.writerow(_row(gradebook, assignment, student))


def _row(gradebook: Gradebook, assignment, student) -> dict[str, object]:
    row = {"assignment": assignment.name, "duedate": assignment.duedate or "", "student_id": student.id,
           "last_name": student.last_name or "", "first_name": student.first_name or "",
           "email": student.email or "", "max_score": assignment.max_score}
    try:
        submission = gradebook.find_submission(assignment.name, student.id)
    except MissingEntry:
        return {**row, "timestamp": "", "raw_score": 0.0, "late_submission_penalty": 0.0, "score": 0.0,
                "flagged": False, "flags": ""}
    flags = submission_flags(submission)
    penalty = submission.late_submission_penalty or 0.0
    return {**row, "timestamp": submission.timestamp or "", "raw_score": submission.score,
            "late_submission_penalty": penalty, "score": max(0.0, submission.score - penalty),
            "flagged": bool(flags) or any(nb.flagged for nb in submission.notebooks), "flags": " | ".join(flags)}
