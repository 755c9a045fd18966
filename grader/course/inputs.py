"""What a class run reads before it starts: the assignment, the roster and the overrides.

A file that cannot be used stops the run with :class:`InstructorError` and the reason in
words (the command line shows it; the course layer knows nothing of click).
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from pathlib import Path

from grader.course.assignment import Assignment, AssignmentError, parse_assignment
from grader.course.overrides import OverrideError, parse_overrides
from grader.course.roster import RosterError, Student, read_roster
from grader.text.terminal import terminal_text


class InstructorError(Exception):
    """A class run that cannot start (an unreadable assignment, roster or overrides file): the reason in words."""


def load_assignment(path: Path) -> tuple[Assignment, str]:
    """The assignment of a TOML file and its text (raises :class:`InstructorError` with the reason)."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as error:
        raise InstructorError(f"{path}: cannot read the assignment ({error})") from None
    try:
        return parse_assignment(text), text
    except AssignmentError as error:
        raise InstructorError(f"{path}: {error}") from None


@cache
def parsed_assignment(text: str) -> Assignment:
    """The parsed assignment, once per process (workers receive the text)."""
    return parse_assignment(text)


def read_class_roster(path: Path) -> tuple[list[Student], list[str]]:
    """The roster's students, and warnings: a repeated student id is counted once.

    Everything else is :func:`grader.course.roster.read_roster`'s job (it raises RosterError);
    only a repeated id is forgiven here, so that a roster with a duplicate line still gives
    every student exactly one gradebook row.
    """
    warnings: list[str] = []
    return read_roster(path, warnings), warnings


def class_roster(path: Path) -> tuple[list[Student], list[str]]:
    """:func:`read_class_roster`, raising :class:`InstructorError` with the reason when the roster cannot be used."""
    try:
        return read_class_roster(path)
    except (RosterError, OSError, UnicodeDecodeError, ValueError) as error:
        raise InstructorError(terminal_text(str(error))) from None


def read_overrides(path: Path, assignment: Assignment, students: Sequence[Student], lang: str) -> list:
    """The overrides of ``path`` (none when it does not exist); a bad file stops the run with every problem."""
    if not path.is_file():
        return []
    try:
        return parse_overrides(path.read_text(encoding="utf-8-sig"), assignment, [s.id for s in students],
                               str(path), lang)
    except (OSError, UnicodeDecodeError) as error:
        raise InstructorError(f"{path}: cannot read the overrides ({error})") from None
    except OverrideError as error:
        raise InstructorError(str(error)) from None
