"""Reading a class roster (CSV with a student id column); the only file access of the engine's CLI."""

from __future__ import annotations

import csv
import hashlib
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Student:
    """One roster row: the id that names the student's variant and an optional display name."""

    id: str
    name: str = ""


class RosterError(ValueError):
    """A roster that cannot be used, with the reason in words."""


def read_roster(path: Path, repeated: list[str] | None = None) -> list[Student]:
    """Students of a CSV roster with a column ``id`` (or ``student_id``) and optionally ``name``.

    Refuses a missing id column, blank ids and duplicate ids, naming the line; given a list
    ``repeated``, a duplicate id is counted once instead and a warning naming the line is added to it.
    """
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as error:
        raise RosterError(f"{path}: cannot read the roster ({error})") from None
    rows = csv.DictReader(text.splitlines())
    try:
        fields = [f.strip().lower() for f in rows.fieldnames or []]
    except csv.Error as error:
        raise RosterError(f"{path}, line 1: not a CSV header ({error})") from None
    id_field = next((f for f in ("id", "student_id") if f in fields), None)
    if id_field is None:
        raise RosterError(f"{path}: the roster needs a column named 'id' or 'student_id'")
    students: list[Student] = []
    seen: dict[str, int] = {}
    for line, row in _numbered(path, rows):
        if None in row:
            raise RosterError(f"{path}, line {line}: more fields than the header has "
                              "(put a name that contains a comma in double quotes)")
        row = {k.strip().lower(): (v or "").strip() for k, v in row.items()}
        sid = row.get(id_field, "")
        if not sid:
            raise RosterError(f"{path}, line {line}: blank student id")
        if any(unicodedata.category(c) in ("Cc", "Cf", "Zl", "Zp") for c in sid):
            raise RosterError(f"{path}, line {line}: student id {sid!r} contains a control or format character")
        if sid in seen and repeated is not None:
            repeated.append(f"{path}, line {line}: student {sid!r} is already on line {seen[sid]}; counted once")
            continue
        if sid in seen:
            raise RosterError(f"{path}, line {line}: student {sid!r} is already on line {seen[sid]}")
        seen[sid] = line
        students.append(Student(sid, row.get("name", "")))
    return students


def _numbered(path: Path, rows: csv.DictReader):
    """(line, row) of each data row; a CSV syntax error becomes a RosterError naming the line."""
    try:
        for row in rows:
            yield rows.line_num, row
    except csv.Error as error:
        raise RosterError(f"{path}, line {rows.line_num + 1}: not valid CSV ({error})") from None


PLAIN_STEM = re.compile(r"[a-z0-9][a-z0-9._-]{0,63}(?<!\.)")
UNSAFE = re.compile(r"[^A-Za-z0-9._-]")
RESERVED = re.compile(r"(con|prn|aux|nul|com\d|lpt\d)(\..*)?")  # device names on Windows


def file_stem(student_id: str) -> str:
    """A student id as a file name, different for every id (also where case is ignored).

    An id of lower-case letters, digits and ``._-`` (not ending in a dot) is its own name;
    any other id gets its safe characters and a hash of the whole id after a ``~``, a character
    plain names never contain.

    >>> file_stem("ada.lovelace"), file_stem("ada.byron")
    ('ada.lovelace', 'ada.byron')
    >>> file_stem("../Ada Byron")
    '_Ada_Byron~c402d99304ba'
    """
    if PLAIN_STEM.fullmatch(student_id) and not RESERVED.fullmatch(student_id):
        return student_id
    safe = UNSAFE.sub("_", student_id)[:48].lstrip(".") or "_"
    return f"{safe}~{hashlib.sha256(student_id.encode('utf-8', 'surrogatepass')).hexdigest()[:12]}"
