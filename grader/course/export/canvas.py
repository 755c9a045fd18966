"""Canvas gradebook import CSV.

Canvas imports a CSV whose first columns are its own student columns, ``Student``, ``ID``,
``SIS User ID``, ``SIS Login ID``, ``Section``, followed by one column per assignment; the
row whose ``Student`` cell is ``Points Possible`` gives each assignment's points. Canvas
matches rows to its students by ``ID``, ``SIS User ID`` or ``SIS Login ID``; a column it does
not know becomes a new assignment, an empty cell changes nothing.

The instructor names a roster (usually Canvas's own gradebook export) and the column of it
that holds this grader's student ids (``--id-column``, default ``SIS User ID``). Every row of
that roster is written, in its order, with its Canvas columns copied; a gradebook student
the roster lacks is named in a warning, never dropped silently.
"""

from __future__ import annotations

from grader.course.export.base import Export, Exporter, ExportRequest, csv_bytes, needed, say
from grader.text.numbers import points_text

STUDENT_COLUMNS = ("Student", "ID", "SIS User ID", "SIS Login ID", "Section")
POINTS_POSSIBLE = "    Points Possible"


def build(request: ExportRequest) -> Export:
    """The Canvas import CSV of a graded class: ``<assignment>_canvas.csv``."""
    lang = request.lang
    gradebook = needed(request.gradebook, "canvas", "--graded", lang)
    roster = needed(request.roster, "canvas", "--roster", lang)
    id_column = request.id_column or "SIS User ID"
    column = request.column or gradebook.assignment
    by_id = roster.index(id_column, lang)
    grades = {s.id: s for s in gradebook.students}
    rows: list[list[object]] = [[*STUDENT_COLUMNS, column],
                                [POINTS_POSSIBLE, "", "", "", "", points_text(gradebook.max)]]
    warnings = []
    for entry in roster.rows:
        if entry.get("Student", "").strip().lower() == "points possible":
            continue  # Canvas's own export carries the row; ours is written above
        sid = entry.get(id_column, "").strip()
        student = grades.get(sid)
        if not sid:
            warnings.append(say("no_id", lang, who=entry.get("Student", "").strip(), column=id_column,
                                file=roster.file))
        elif student is None:
            warnings.append(say("no_gradebook_row", lang, column=id_column, value=sid, file=roster.file))
        elif student.total is None:
            warnings.append(say("not_graded", lang, student=sid, status=student.status))
        total = "" if student is None else points_text(student.total)
        rows.append([*(entry.get(c, "") for c in STUDENT_COLUMNS), total])
    for student in gradebook.students:
        if student.id not in by_id:
            warnings.append(say("not_in_roster", lang, student=student.id, status=student.status,
                                file=roster.file, column=id_column))
    return Export({f"{gradebook.assignment}_canvas.csv": csv_bytes(rows)}, tuple(warnings))


EXPORTER = Exporter(
    "canvas",
    {"en": "Canvas gradebook import CSV (needs --graded and --roster, matched by --id-column)",
     "zh": "Canvas 成绩导入 CSV(需要 --graded 和 --roster,按 --id-column 匹配)"},
    ("gradebook", "roster"),
    build,
)
