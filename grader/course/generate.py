"""``grader generate``: every student's problem sheet and answer sheet, and the instructor's key.

Layout of ``grader generate ... --out DIR``::

    DIR/students/<id>/problem.md, problem.html   the problem with the student's numbers
    DIR/students/<id>/<id>.txt                    the answer sheet to fill in and hand back
    DIR/instructor/key.csv, key.json              every answer of every student (keep private)

``<id>`` is the student id when it is made of lower-case letters, digits and ``._-``; any
other id is written as its safe characters, ``~`` and a hash (:func:`grader.course.roster.file_stem`),
so that every student has files of their own. Outputs carry no timestamps and follow sorted
or roster order: identical inputs give byte-identical outputs.
"""

from __future__ import annotations

import csv
import io
import time
from collections.abc import Callable
from pathlib import Path

from grader.core.grading import Expected
from grader.course.assignment import Assignment
from grader.course.class_run import chunked, class_expectations, in_background, run_chunks, safe_echo, warm_up
from grader.course.files import output_lock, remove_stale_temporaries, staged, write_atomic, write_staged
from grader.course.gradebook import spreadsheet_text
from grader.course.inputs import class_roster, load_assignment, parsed_assignment
from grader.course.new_assignment import salt_warning
from grader.course.question_kinds import question_kind
from grader.course.roster import Student, file_stem
from grader.course.sheets import answer_sheet, code_file
from grader.text.html import TEXT_SLOT, Rendered, joined, literal, page_of, with_text
from grader.text.indented_json import indented_json
from grader.text.messages import localized

MESSAGES: dict[str, dict[str, str]] = {
    "problem_title": {"en": "{title}: problems for {student}", "zh": "{title}:{student} 的题目"},
    "how_to_answer": {
        "en": "Write your answers in the answer sheet `{sheet}` (one answer per line, `id = value`) "
              "and hand in that file.",
        "zh": "请把答案写在答题纸 `{sheet}` 中(每行一个答案,格式 `编号 = 值`),然后提交这个文件。",
    },
    "question": {"en": "Question {id}", "zh": "第 {id} 题"},
}


def _message(key: str, lang: str = "en", **fields: object) -> str:
    """A message of the problem sheet in ``lang`` (en or zh)."""
    return localized(MESSAGES, key, lang, **fields)


def problem_markdown(assignment: Assignment, student: Student, expected: dict[str, Expected], lang: str) -> str:
    """One student's problem sheet."""
    return joined(problem_lines(assignment, student, expected, lang))


def problem_lines(assignment: Assignment, student: Student, expected: dict[str, Expected], lang: str
                  ) -> list[str | Rendered]:
    """:func:`problem_markdown` as lines, the ones that differ only by the student's name or file
    with their HTML (for :func:`grader.text.html.page_of`)."""
    who = literal(f"{student.name} ({student.id})" if student.name else student.id)
    sheet = f"{file_stem(student.id)}.txt"
    out: list[str | Rendered] = [
        with_text(f"# {_message('problem_title', lang, title=assignment.title, student=TEXT_SLOT)}", who), "",
        with_text(_message("how_to_answer", lang, sheet=TEXT_SLOT), sheet), ""]
    for q in assignment.questions:
        file = code_file(assignment, file_stem(student.id), q.id)
        statement = question_kind(q).statement(q, expected.get(q.id), lang, file)
        out += [f"## {_message('question', lang, id=q.id)}", "",  # a code exercise's names the student's file
                with_text(statement.replace(file, TEXT_SLOT), file) if statement.count(file) == 1 else statement]
    return out


def _generate_chunk(task: tuple) -> list[tuple[str, str, list]]:
    text, students, out, lang = task
    assignment = parsed_assignment(text)
    prepared = class_expectations(assignment, [s.id for s in students])
    keys = []
    for i, student in enumerate(students):
        expected = {q: column[i] for q, column in prepared.items()}
        folder = Path(out) / "students" / file_stem(student.id)
        lines = problem_lines(assignment, student, expected, lang)
        write_staged(folder / "problem.md", joined(lines))
        write_staged(folder / "problem.html", page_of(lines, f"{assignment.title}: {student.id}", lang))
        write_staged(folder / f"{file_stem(student.id)}.txt", answer_sheet(assignment, student.id, lang))
        keys += [(student.id, q.id, question_kind(q).key_entries(q, expected.get(q.id)))
                 for q in assignment.questions]
    return keys


def _key_csv(keys: list[tuple[str, str, list]]) -> str:
    """``key.csv``: one line per student and answer (student ids neutralised for spreadsheets)."""
    rows = io.StringIO()
    writer = csv.writer(rows, lineterminator="\n")
    writer.writerow(["student_id", "question", "answer", "kind", "value", "points"])
    for student_id, question_id, entries in keys:
        for answer_id, kind, value, points in entries:
            writer.writerow([spreadsheet_text(student_id), question_id, answer_id, kind, value, f"{points:g}"])
    return rows.getvalue()


def _key_json(assignment: Assignment, keys: list[tuple[str, str, list]]) -> str:
    """``key.json``: every answer of every student, by student, question and answer."""
    nested: dict = {}
    for student_id, question_id, entries in keys:
        for answer_id, kind, value, points in entries:
            nested.setdefault(student_id, {}).setdefault(question_id, {})[answer_id] = {
                "kind": kind, "value": value, "points": points}
    key_json = {"assignment": {"id": assignment.id, "title": assignment.title}, "students": nested}
    return indented_json(key_json, 1, sort_keys=True) + "\n"


def generate_class(assignment_path: Path, roster_path: Path, out: Path, jobs: int = 1,
                   lang: str | None = None, echo: Callable[[str], None] = print) -> dict[str, float]:
    """``grader generate``: problem sheets, answer sheets and the instructor key; returns phase times."""
    with output_lock(out, lang or "en"):
        return _generate_class(assignment_path, roster_path, out, jobs, lang, echo)


def _generate_class(assignment_path: Path, roster_path: Path, out: Path, jobs: int,
                    lang: str | None, echo: Callable[[str], None]) -> dict[str, float]:
    times = {}
    start = time.perf_counter()
    echo = safe_echo(echo)
    assignment, text = load_assignment(assignment_path)
    students, warnings = class_roster(roster_path)
    salt = salt_warning(assignment)
    for w in [*warnings, *([salt] if salt else [])]:
        echo(f"warning: {w}")
    lang = lang or assignment.lang
    remove_stale_temporaries(out)
    warm_up(assignment)
    times["setup"] = time.perf_counter() - start
    start = time.perf_counter()
    with staged(out) as staging:
        chunks = [(text, list(c), str(staging), lang) for c in chunked(students)]
        keys = [k for part in run_chunks(_generate_chunk, chunks, jobs, "generating", len(students)) for k in part]
        times["sheets"] = time.perf_counter() - start
        start = time.perf_counter()
    times["publish sheets"] = time.perf_counter() - start
    start = time.perf_counter()
    key_json = in_background(jobs, _key_json, assignment, keys)
    write_atomic(out / "instructor" / "key.csv", _key_csv(keys), durable=True)
    write_atomic(out / "instructor" / "key.json", key_json(), durable=True)
    times["key"] = time.perf_counter() - start
    echo(f"{len(students)} students: problem and answer sheets in {out / 'students'}; "
         f"the instructor key (keep it private) in {out / 'instructor'}")
    return times
