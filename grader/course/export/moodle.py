"""Moodle grade import CSV (Grades → Import → CSV file).

Moodle reads a CSV with a header row, one identifier column and grade columns; in the import
form the teacher maps the identifier column to a user field (ID number, username or email)
and each grade column to a grade item. This writes the identifier, the total (titled with
the assignment, or ``--column``) and one column per question. Students without a grade get
empty cells, which Moodle does not import.

Without a roster the identifier is this grader's student id. With ``--roster`` and
``--id-column``, the roster must also have this grader's id column (``id`` or
``student_id``) and the identifier written is the value of ``--id-column`` (e.g. the
students' Moodle usernames or emails).
"""

from __future__ import annotations

from grader.course.export.base import Export, Exporter, ExportError, ExportRequest, Gradebook, csv_bytes, needed, say
from grader.text.numbers import points_text


def _identifiers(request: ExportRequest, gradebook: Gradebook) -> tuple[str, dict[str, str]]:
    """The identifier column's title and each student's identifier."""
    roster, lang = request.roster, request.lang
    if roster is None or not request.id_column:
        return "student_id", {s.id: s.id for s in gradebook.students}
    ours = next((c for c in roster.columns if c.lower() in ("id", "student_id")), None)
    if ours is None:
        raise ExportError(say("no_column", lang, file=roster.file, column="id",
                              columns=", ".join(roster.columns)))
    roster.index(ours, lang)
    roster.index(request.id_column, lang)
    found = {row.get(ours, "").strip(): row.get(request.id_column, "").strip() for row in roster.rows}
    return request.id_column, found


def build(request: ExportRequest) -> Export:
    """The Moodle grade import CSV of a graded class: ``<assignment>_moodle.csv``."""
    lang = request.lang
    gradebook = needed(request.gradebook, "moodle", "--graded", lang)
    title, identifiers = _identifiers(request, gradebook)
    column = request.column or gradebook.assignment
    questions = [q for q, _ in gradebook.questions]
    rows: list[list[object]] = [[title, column, *(f"{column} {q}" for q in questions)]]
    warnings = []
    for s in gradebook.students:
        identifier = identifiers.get(s.id, "")
        if not identifier:
            warnings.append(say("not_in_roster", lang, student=s.id, status=s.status,
                                file=request.roster.file if request.roster else "", column=title))
            continue
        if s.total is None:
            warnings.append(say("not_graded", lang, student=s.id, status=s.status))
        rows.append([identifier, points_text(s.total), *(points_text(s.scores.get(q)) for q in questions)])
    return Export({f"{gradebook.assignment}_moodle.csv": csv_bytes(rows)}, tuple(warnings))


EXPORTER = Exporter(
    "moodle",
    {"en": "Moodle grade import CSV (needs --graded; --roster and --id-column map ids to Moodle's)",
     "zh": "Moodle 成绩导入 CSV(需要 --graded;--roster 与 --id-column 把学号映射为 Moodle 的标识)"},
    ("gradebook",),
    build,
)
