"""From the submissions folder to one :class:`Submission` per roster student.

:func:`read_incoming` reads the folder (it never raises for a bad file); :func:`intake`, pure,
matches what was read to the roster. The rules that make the gradebook trustworthy start here:

- every roster student gets exactly one :class:`Submission`: gradable, or flagged with the
  reason (no submission, unreadable file, empty sheet, two files, another student's sheet, a
  sheet of another assignment);
- every file that belongs to no roster student is listed as a :class:`Stray` with the
  reason, never dropped;
- orders are sorted or follow the roster, so identical inputs give identical outputs.

A file belongs to the student its ``student:`` line names, else to the student its file
name names (``s001.txt``). A sheet whose ``student:`` line names someone other than its
file name is flagged for the file name's student: it carries another student's variant.
"""

from __future__ import annotations

import os
import stat
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from grader.course.assignment import Assignment
from grader.course.question_kinds import question_kind
from grader.course.reasons import Reason
from grader.course.roster import Student, file_stem
from grader.course.sheets import MAX_BYTES, Decoded, Problem, Sheet, asked_ids, decode, parse_sheet

CODE_SUFFIXES = (".py",)  # code exercises (graded by grader.code, issue 7), not answer sheets


@dataclass(frozen=True)
class Incoming:
    """One entry of the submissions folder as read: its name and its decoded text.

    ``kind`` is ``"file"``, ``"folder"``, ``"symlink"``, ``"special"`` or ``"bad_name"`` (these
    three are not read), or
    ``"error"`` (``error`` then says why).
    """

    name: str
    decoded: Decoded | None = None
    kind: str = "file"
    error: str = ""
    size: int = 0


@dataclass(frozen=True)
class Submission:
    """What one roster student handed in, and whether it can be graded."""

    student: Student
    status: str
    files: tuple[str, ...] = ()
    reason: Reason | None = None
    sheet: Sheet | None = None
    notes: tuple[Problem, ...] = ()
    code_files: tuple[tuple[str, str], ...] = ()  # (question id, file name) of code exercises


@dataclass(frozen=True)
class Stray:
    """A file that belongs to no roster student, with the reason."""

    file: str
    reason: Reason


def intake(
    assignment: Assignment, students: Sequence[Student], incoming: Sequence[Incoming]
) -> tuple[list[Submission], list[Stray]]:
    """Match submitted files to roster students: one :class:`Submission` per student, in roster order."""
    ids = {s.id for s in students}
    stems = {file_stem(s.id): s.id for s in students}
    folded: dict[str, list[str]] = {}
    for s in students:
        folded.setdefault(s.id.lower(), []).append(s.id)

    def on_roster(name: str | None) -> str | None:
        if name is None:
            return None
        if name in ids:
            return name
        if name in stems:
            return stems[name]
        found = folded.get(name.lower(), [])
        return found[0] if len(found) == 1 else None

    questions = asked_ids(assignment)
    sheets: dict[str, list[tuple[Incoming, Sheet | None, Reason | None]]] = {}
    code: dict[str, list[tuple[str, str]]] = {}
    refused: dict[str, list[Incoming]] = {}  # links and special files, never read
    strays: list[Stray] = []
    for item in sorted(incoming, key=lambda i: i.name):
        path = PurePosixPath(item.name)
        if item.kind == "folder":
            strays.append(Stray(item.name, Reason("folder", (("file", item.name),))))
            continue
        if path.name.startswith("."):
            strays.append(Stray(item.name, Reason("hidden", (("file", item.name),))))
            continue
        if item.kind in ("symlink", "special", "bad_name"):
            owner = on_roster(path.stem) or on_roster(path.stem.rsplit("_", 1)[0])
            if owner is None:
                strays.append(Stray(item.name, Reason(item.kind, (("file", item.name),))))
            else:
                refused.setdefault(owner, []).append(item)
            continue
        if path.suffix.lower() in CODE_SUFFIXES:
            found = _code_owner(assignment, item.name, on_roster)
            if isinstance(found, Reason):
                strays.append(Stray(item.name, found))
            else:
                code.setdefault(found[0], []).append((found[1], item.name))
            continue
        by_name = on_roster(path.stem)
        sheet = None
        if item.decoded is not None and item.decoded.text is not None:
            sheet = parse_sheet(item.decoded.text, questions)
        header = sheet.student if sheet else None
        by_header = on_roster(header)
        owner = by_name or by_header
        conflict = None
        if header and by_name and by_header != by_name:
            conflict = Reason("other_student", (("file", item.name), ("other", header)))
        if owner is None:
            fields = (("file", item.name), ("student", header or path.stem))
            strays.append(Stray(item.name, Reason("unknown_student" if header else "no_student", fields)))
            continue
        sheets.setdefault(owner, []).append((item, sheet, conflict))
    return [_refused(s, refused[s.id]) if s.id in refused else
            _submission(assignment, s, sheets.get(s.id, []), tuple(code.get(s.id, ()))) for s in students], strays


def _refused(student: Student, items: Sequence[Incoming]) -> Submission:
    """The row of a student who handed in a link or a special file: not graded, with the reason."""
    first = items[0]
    return Submission(student, "unreadable", tuple(i.name for i in items), Reason(first.kind, (("file", first.name),)))


def _code_owner(assignment: Assignment, name: str, on_roster) -> tuple[str, str] | Reason:
    """(student, code question) of a .py file named ``<id>.py``, or ``<id>_<question>.py`` when
    the assignment has several code questions; else the reason it is set aside."""
    stem = PurePosixPath(name).stem
    questions = [q.id for q in assignment.questions if question_kind(q).own_file]
    student = on_roster(stem)
    if student and len(questions) == 1:
        return student, questions[0]
    for q in questions:
        for separator in ("_", ".", "-"):
            if stem.endswith(separator + q) and on_roster(stem[: -len(q) - 1]):
                return on_roster(stem[: -len(q) - 1]), q
    if not questions:
        return Reason("code_not_asked", (("file", name),))
    if student:
        return Reason("code_which", (("file", name), ("example", f"{student}_{questions[0]}.py")))
    return Reason("unknown_student", (("file", name), ("student", stem)))


def _submission(assignment: Assignment, student: Student, files, code_files) -> Submission:
    names = tuple(item.name for item, _, _ in files)
    code_names = tuple(f for _, f in code_files)
    per_question = Counter(q for q, _ in code_files)
    if len(files) > 1 or any(n > 1 for n in per_question.values()):
        all_names = names + code_names
        reason = Reason("duplicate", (("count", len(all_names)), ("files", ", ".join(all_names))))
        return Submission(student, "duplicate", all_names, reason, code_files=code_files)
    if not files:
        if not code_files:
            return Submission(student, "missing", (), Reason("missing"))
        has_sheet = any(not question_kind(q).own_file for q in assignment.questions)
        notes = (Problem(0, "no_sheet"),) if has_sheet else ()
        return Submission(student, "graded", code_names, sheet=Sheet(None, None, {}), notes=notes,
                          code_files=code_files)
    item, sheet, conflict = files[0]
    names += code_names
    if sheet is None:
        return Submission(student, "unreadable", names, _unreadable(item), code_files=code_files)
    notes = (item.decoded.note,) if item.decoded.note else ()
    common = {"files": names, "sheet": sheet, "notes": notes, "code_files": code_files}
    if conflict:
        return Submission(student, "other_student", reason=conflict, **common)
    if sheet.assignment and sheet.assignment.strip().lower() != assignment.id.lower():
        reason = Reason("wrong_assignment", (("file", item.name), ("other", sheet.assignment),
                                             ("assignment", assignment.id)))
        return Submission(student, "wrong_assignment", reason=reason, **common)
    if sheet.empty and not code_files:
        return Submission(student, "empty", reason=Reason("empty", (("file", item.name),)), **common)
    return Submission(student, "graded", **common)


def _unreadable(item: Incoming) -> Reason:
    if item.kind == "error":
        return Reason("io_error", (("file", item.name), ("error", item.error)))
    if item.decoded is not None and item.decoded.reason == "too_large":
        return Reason("too_large", (("file", item.name), ("size", f"{item.size / 1e6:.1f}")))
    return Reason("binary", (("file", item.name),))


def read_incoming(folder: Path) -> list[Incoming]:
    """Every entry of a submissions folder, read and decoded (never raises for a bad file).

    Symbolic links are not followed, special files (pipes, devices) are not opened, and a name
    that is not UTF-8 is not used: each becomes an entry of that kind, which the gradebook
    refuses with the reason.
    """
    items = []
    for entry in sorted(folder.iterdir()):
        shown = os.fsencode(entry.name).decode("utf-8", "backslashreplace")
        if shown != entry.name:  # not UTF-8: the name could be neither shown nor written
            items.append(Incoming(shown, kind="bad_name"))
            continue
        try:
            mode = entry.lstat().st_mode
        except OSError as error:
            items.append(Incoming(entry.name, kind="error", error=error.strerror or str(error)))
            continue
        if stat.S_ISLNK(mode) or stat.S_ISDIR(mode) or not stat.S_ISREG(mode):
            kind = "symlink" if stat.S_ISLNK(mode) else "folder" if stat.S_ISDIR(mode) else "special"
            items.append(Incoming(entry.name, kind=kind))
            continue
        try:
            size, data = _read_regular(entry)
        except OSError as error:
            items.append(Incoming(entry.name, kind="error", error=error.strerror or str(error)))
            continue
        items.append(Incoming(entry.name, decode(data, size), size=size))
    return items


def _read_regular(path: Path) -> tuple[int, bytes]:
    """(size, first MAX_BYTES + 1 bytes) of a regular file, refusing a link or special file swapped in."""
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0))
    with os.fdopen(fd, "rb") as handle:
        info = os.fstat(handle.fileno())
        if not stat.S_ISREG(info.st_mode):
            raise OSError(0, "not a regular file")
        return info.st_size, handle.read(MAX_BYTES + 1)
