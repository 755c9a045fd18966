"""What every export format shares: the graded class as read back, the request, the result.

Pure: the CLI reads the files and hands their text here; an exporter returns the files to
write as bytes, and warnings in words. Nothing a student or instructor can put in a file
makes an exporter raise anything but :class:`ExportError`, whose message says what and where.
"""

from __future__ import annotations

import csv
import json
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TypeVar

from grader.course.assignment import Assignment
from grader.text.messages import localized

T = TypeVar("T")

MESSAGES: dict[str, dict[str, str]] = {
    "not_gradebook": {"en": "{file} is not a gradebook.json written by 'grader grade' ({why})",
                      "zh": "{file} 不是 'grader grade' 写出的 gradebook.json({why})"},
    "needs": {"en": "the {format} export needs {what}", "zh": "{format} 导出需要 {what}"},
    "no_column": {"en": "{file} has no column {column!r}; its columns: {columns}",
                  "zh": "{file} 没有列 {column!r};现有的列:{columns}"},
    "repeated_id": {"en": "{file}, line {line}: {column} {value!r} is already on line {first}",
                    "zh": "{file} 第 {line} 行:{column} {value!r} 已出现在第 {first} 行"},
    "not_in_roster": {
        "en": "student {student} ({status}) is in the gradebook but not in {file} (column {column}): no row for them",
        "zh": "学生 {student}({status})在成绩册中,但不在 {file}({column} 列)中:没有为其写出一行"},
    "not_graded": {"en": "student {student} has no grade ({status}): the cell is left blank",
                   "zh": "学生 {student} 没有成绩({status}):该单元格留空"},
    "no_id": {"en": "{who!r} of {file} has no {column}: the cell is left blank",
              "zh": "{file} 中的 {who!r} 没有 {column}:该单元格留空"},
    "no_gradebook_row": {"en": "{column} {value!r} of {file} is not in the gradebook: the cell is left blank",
                         "zh": "{file} 中 {column} 为 {value!r} 的学生不在成绩册中:该单元格留空"},
    "no_code": {"en": "{assignment} has no code question (code = ...) for Gradescope to run",
                "zh": "{assignment} 没有可供 Gradescope 运行的代码题(code = ...)"},
    "id_field": {"en": "--id-column for gradescope is one of {fields}, not {field!r}",
                 "zh": "gradescope 的 --id-column 只能是 {fields} 之一,而不是 {field!r}"},
    "no_value": {"en": "question {question}: the variant gives no value for {name} in {answer}",
                 "zh": "第 {question} 题:该变体没有给出 {answer} 中 {name} 的值"},
    "no_field": {"en": "question {question}: Moodle has no field for {answer}, an answer of the kind {kind}",
                 "zh": "第 {question} 题:Moodle 没有适合 {answer}({kind} 类答案)的填空"},
    "other_assignment": {"en": "the gradebook is of assignment {found}, not {expected}",
                         "zh": "成绩册属于作业 {found},而不是 {expected}"},
}


def say(key: str, lang: str = "en", **fields: object) -> str:
    """A message of the exporters in ``lang`` (en or zh)."""
    return localized(MESSAGES, key, lang, **fields)


class ExportError(ValueError):
    """An export that cannot be made; the message says which file, which line and why."""


@dataclass(frozen=True)
class GradedStudent:
    """One gradebook row as read back: scores are None when the student was not graded."""

    id: str
    name: str
    status: str
    scores: Mapping[str, float | None]
    total: float | None
    max: float


@dataclass(frozen=True)
class Gradebook:
    """A graded class: the assignment, each question's points, one row per roster student."""

    assignment: str
    title: str
    questions: tuple[tuple[str, float], ...]
    students: tuple[GradedStudent, ...]

    @property
    def max(self) -> float:
        """Points available."""
        return sum(m for _, m in self.questions)


def read_gradebook(text: str, file: str = "gradebook.json", lang: str = "en") -> Gradebook:
    """A ``gradebook.json`` as data; raises ExportError for anything else."""
    try:
        data = json.loads(text)
        students = []
        questions: dict[str, float] = {}
        for row in data["students"]:
            scores = {}
            for q, entry in row["questions"].items():
                questions.setdefault(q, _points(entry["max"]))
                scores[q] = None if entry["score"] is None else _points(entry["score"])
            total = None if row["score"] is None else _points(row["score"])
            students.append(GradedStudent(str(row["id"]), str(row.get("name") or ""), str(row["status"]),
                                          scores, total, _points(row["max"])))
        return Gradebook(str(data["assignment"]["id"]), str(data["assignment"].get("title") or ""),
                         tuple(questions.items()), tuple(students))
    except (ValueError, KeyError, TypeError, AttributeError) as error:
        why = f"{type(error).__name__}: {error}"[:120]
        raise ExportError(say("not_gradebook", lang, file=file, why=why)) from None


def _points(value: object) -> float:
    number = float(value)  # type: ignore[arg-type]
    if not math.isfinite(number):
        raise ValueError(f"points must be finite, not {value!r}")
    return number


@dataclass(frozen=True)
class Roster:
    """The instructor's roster file as read: its columns and rows (all text), for matching ids."""

    file: str
    columns: tuple[str, ...]
    rows: tuple[Mapping[str, str], ...]

    def index(self, column: str, lang: str = "en") -> dict[str, int]:
        """Row number of each value of ``column``; a value twice is an error naming both lines."""
        if column not in self.columns:
            raise ExportError(say("no_column", lang, file=self.file, column=column, columns=", ".join(self.columns)))
        seen: dict[str, int] = {}
        for i, row in enumerate(self.rows):
            value = row.get(column, "").strip()
            if not value:
                continue
            if value in seen:
                raise ExportError(say("repeated_id", lang, file=self.file, line=_line(self, i), column=column,
                                      value=value, first=_line(self, seen[value])))
            seen[value] = i
        return seen


def _line(roster: Roster, index: int) -> int:
    return index + 2  # the header is line 1


def read_roster_table(text: str, file: str) -> Roster:
    """A CSV file (UTF-8, optional BOM) as a :class:`Roster`."""
    reader = csv.DictReader(text.lstrip("\ufeff").splitlines())
    columns = tuple((c or "").strip() for c in reader.fieldnames or ())
    rows = tuple({(k or "").strip(): (v or "") if isinstance(v, str) else "" for k, v in row.items()}
                 for row in reader)
    return Roster(file, columns, rows)


@dataclass(frozen=True)
class ExportRequest:
    """Everything an exporter may use; each exporter says which parts it needs."""

    assignment: Assignment | None = None
    assignment_text: str = ""
    gradebook: Gradebook | None = None
    roster: Roster | None = None
    id_column: str | None = None
    column: str | None = None
    variants: int = 5
    lang: str = "en"
    options: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Export:
    """The files an export writes (name -> bytes) and what the instructor must know."""

    files: Mapping[str, bytes]
    warnings: tuple[str, ...] = ()


@dataclass(frozen=True)
class Exporter:
    """One format: its name, what it is, what it needs from the request, and how it is built."""

    name: str
    summary: Mapping[str, str]
    needs: tuple[str, ...]
    build: Callable[[ExportRequest], Export]


def needed(part: T | None, format_name: str, what: str, lang: str = "en") -> T:
    """A part of the request that a format needs (the CLI checks it first; a caller without it gets an ExportError)."""
    if part is None:
        raise ExportError(say("needs", lang, format=format_name, what=what))
    return part


def csv_bytes(rows: Sequence[Sequence[object]]) -> bytes:
    """Rows as a UTF-8 CSV file (RFC 4180 quoting, CRLF line ends)."""
    import io

    out = io.StringIO()
    csv.writer(out).writerows(rows)
    return out.getvalue().encode("utf-8")
