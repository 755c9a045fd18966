"""The gradebook files: ``gradebook.csv`` and ``gradebook.json``, from the rows of a class.

Pure: rows in, text out. Points are blank for a student who was not graded; text cells of
the CSV are neutralised so a spreadsheet never runs them as formulas.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence

from grader.course.assignment import Assignment
from grader.course.code_results import CodeQuestionResult
from grader.course.intake import Stray
from grader.course.rows import QuestionResult, Row
from grader.course.summary import Summary, summary
from grader.text.numbers import points_text

FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n")


def spreadsheet_text(value: str) -> str:
    """A text cell a spreadsheet shows as text, never runs as a formula (OWASP CSV injection).

    A value that begins with ``= + - @``, a tab or a line break gets a leading ``'``; the csv
    writer quotes it when needed. Only for text columns: numbers are written as they are.

    >>> print(spreadsheet_text('=HYPERLINK("http://e.example","x")'), spreadsheet_text("ada"))
    '=HYPERLINK("http://e.example","x") ada
    """
    return f"'{value}" if value.startswith(FORMULA_START) else value


def gradebook_csv(assignment: Assignment, rows: Sequence[Row], lang: str | None = None) -> str:
    """``gradebook.csv``: one row per roster student, per-question and total points.

    Points are blank for a student who was not graded (see ``status`` and ``reason``), so
    importing the file never records a zero nobody decided on. Text cells are neutralised
    (:func:`spreadsheet_text`); ``gradebook.json`` keeps the exact text.
    """
    lang = lang or assignment.lang
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    questions = [q.id for q in assignment.questions]
    writer.writerow(["student_id", "name", "status", *questions, "total", "max", "reason"])
    for row in rows:
        results = dict(row.results or ())
        writer.writerow([
            spreadsheet_text(row.student.id), spreadsheet_text(row.student.name), row.status,
            *(points_text(results[q].score) if q in results else "" for q in questions),
            points_text(row.score), points_text(row.max), spreadsheet_text(row.flags(lang)),
        ])
    return out.getvalue()


def row_json(row: Row, lang: str) -> dict:
    """One row as JSON-ready data (answers with status, points, mistake)."""
    data: dict = {
        "id": row.student.id, "name": row.student.name, "status": row.status,
        "reason": row.reason.text(lang) if row.reason else None, "files": list(row.files),
        "score": row.score, "max": row.max, "notes": list(row.notes), "copied_from": dict(row.copied),
        "shared_wrong": [{"other": p.other(row.student.id), "evidence": p.evidence,
                          "answers": [{"question": v.question, "answer": v.answer, "value": v.value,
                                       "weight": v.weight} for v in p.values]} for p in row.shared],
        "questions": {},
    }
    results = dict(row.results or ())
    for q, maximum in row.maxima:
        result = results.get(q)
        data["questions"][q] = {"score": None if result is None else result.score, "max": maximum}
        if result is not None:
            data["questions"][q]["answers"] = answers_json(result)
    return data


def answers_json(result: QuestionResult) -> dict:
    """Each answer of a question's result (each hidden test of a code question's) as JSON-ready data."""
    if isinstance(result, CodeQuestionResult):
        return {t.name: {"status": t.verdict, "score": t.score, "max": t.max, "mistake": None,
                         "carried_forward": False, "given": ""} for t in result.tests}
    return {
        a.id: {"status": a.status, "score": a.score, "max": a.max, "mistake": a.mistake,
               "carried_forward": a.carried_forward, "given": a.given}
        for a in result.answers
    }


def gradebook_json(assignment: Assignment, rows: Sequence[Row], strays: Sequence[Stray],
                   lang: str | None = None, overview: Summary | None = None) -> str:
    """``gradebook.json``: every row with every answer, the files set aside, and the summary.

    One student per line, keys sorted: readable, diffable, and fast to write for a large class.
    """
    lang = lang or assignment.lang
    dump = json.JSONEncoder(ensure_ascii=False, sort_keys=True).encode  # json.dumps's, made once

    overview = overview or summary(assignment, rows)
    students = ",\n".join(f"  {dump(row_json(r, lang))}" for r in rows)
    unmatched = ",\n".join(f"  {dump({'file': s.file, 'reason': s.reason.text(lang)})}" for s in strays)
    return (
        f'{{"assignment": {dump({"id": assignment.id, "title": assignment.title})},\n'
        f'"students": [\n{students}\n],\n'
        f'"summary": {dump(overview.to_json())},\n'
        f'"unmatched_files": [\n{unmatched}\n]}}\n'
    )
