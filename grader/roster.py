"""Reading a class roster (CSV with a student id column); the only file access of the engine's CLI."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Student:
    """One roster row: the id that names the student's variant and an optional display name."""

    id: str
    name: str = ""


class RosterError(ValueError):
    """A roster that cannot be used, with the reason in words."""


def read_roster(path: Path) -> list[Student]:
    """Students of a CSV roster with a column ``id`` (or ``student_id``) and optionally ``name``.

    Refuses a missing id column, blank ids and duplicate ids, naming the line.
    """
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as error:
        raise RosterError(f"{path}: cannot read the roster ({error})") from None
    rows = csv.DictReader(text.splitlines())
    fields = [f.strip().lower() for f in rows.fieldnames or []]
    id_field = next((f for f in ("id", "student_id") if f in fields), None)
    if id_field is None:
        raise RosterError(f"{path}: the roster needs a column named 'id' or 'student_id'")
    students: list[Student] = []
    seen: dict[str, int] = {}
    for line, row in enumerate(rows, start=2):
        row = {(k or "").strip().lower(): (v or "").strip() for k, v in row.items()}
        sid = row.get(id_field, "")
        if not sid:
            raise RosterError(f"{path}, line {line}: blank student id")
        if sid in seen:
            raise RosterError(f"{path}, line {line}: student {sid!r} is already on line {seen[sid]}")
        seen[sid] = line
        students.append(Student(sid, row.get("name", "")))
    return students
