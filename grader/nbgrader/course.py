"""The nbgrader course: its configuration, its student list, and grades written into its gradebook.

This is the adapter's I/O edge on the instructor's side. The course's layout
(``CourseDirectory.root``, ``directory_structure``, ``db_url``) is read from the course's own
``nbgrader_config.py`` through nbgrader's configuration classes, so a course with a
non-default ``directory_structure`` needs nothing more. :func:`grade_assignment` re-grades
every autograded submission of an assignment in this process (:mod:`grader.nbgrader.regrade`)
and writes each test cell's score, each answer cell's comment (verdicts, named mistakes, the
worked solution with the student's numbers, in MathML) and the notebook's flag into nbgrader's
gradebook through nbgrader's API, where formgrader, ``nbgrader export`` and
``nbgrader generate_feedback`` read them.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path

from grader.core.grading import Classmates, Expected, Result, classmates, expectations
from grader.core.variants import generate
from grader.course.assignment import Assignment, AssignmentError, FamilyQuestion, family_questions
from grader.course.report import answers_table, worked_solution
from grader.course.rows import shared_text
from grader.course.shared_wrong import flagged_students
from grader.nbgrader.environment import with_scripts_on_path
from grader.nbgrader.identity import normalize_id
from grader.nbgrader.layout import cell_ids, refuse_code_questions
from grader.nbgrader.messages import message
from grader.nbgrader.regrade import NotebookGrade, QuestionGrade, regrade
from grader.text.html import body

CONFIG_FILE = "nbgrader_config.py"
FLAGS_MARK = "gdbp-grader-flags"
CONFIG_BLOCK = """
# --- gdbp-grader (written by `grader nbgrader source`) ---
c = get_config()  # noqa
# a deleted test cell is put back by nbgrader autograde, so its answers are still recorded
c.OverwriteCells.add_missing_cells = True
# `nbgrader export` adds the columns flagged and flags (what `grader nbgrader grade` flagged)
c.ExportApp.plugin_class = "grader.nbgrader.export.FlaggedCsvExport"
# --- end gdbp-grader ---
"""


class CourseError(RuntimeError):
    """The course cannot be used as it is; the message says what to do."""


def course_directory(course: Path):
    """nbgrader's CourseDirectory configured from ``course/nbgrader_config.py`` (root defaults to ``course``)."""
    from nbgrader.coursedir import CourseDirectory
    from traitlets.config import Config
    from traitlets.config.loader import ConfigFileNotFound, PyFileConfigLoader

    try:
        config = PyFileConfigLoader(CONFIG_FILE, path=str(course)).load_config()
    except ConfigFileNotFound:
        config = Config()
    except Exception as error:  # the course's own Python file: any error is the teacher's to see
        raise CourseError(f"{course / CONFIG_FILE} cannot be loaded: {error}") from None
    coursedir = CourseDirectory(config=config)
    if "root" not in config.get("CourseDirectory", {}):
        coursedir.root = str(course.resolve())
    return coursedir


@contextmanager
def gradebook(coursedir) -> Iterator:
    """nbgrader's Gradebook of the course, with ``alembic`` reachable (nbgrader runs it for a new database)."""
    from nbgrader.api import Gradebook

    saved = os.environ.get("PATH")
    os.environ["PATH"] = with_scripts_on_path(os.environ)["PATH"]
    try:
        with Gradebook(coursedir.db_url, coursedir.course_id) as gb:
            yield gb
    finally:
        if saved is None:
            os.environ.pop("PATH", None)
        else:
            os.environ["PATH"] = saved


def gradebook_students(coursedir) -> list[str]:
    """The ids of nbgrader's student list (empty when the course has no gradebook yet)."""
    url = coursedir.db_url
    if url.startswith("sqlite:///") and not Path(url[len("sqlite:///"):]).exists():
        return []
    with gradebook(coursedir) as gb:
        return [s.id for s in gb.students]


def write_config(course: Path) -> bool:
    """Add the gdbp-grader block to the course's nbgrader_config.py; False when it is already there."""
    path = course / CONFIG_FILE
    text = path.read_text(encoding="utf-8") if path.exists() else ""
    if "--- gdbp-grader" in text:
        return False
    path.write_text(text + CONFIG_BLOCK, encoding="utf-8")
    return True


@dataclass(frozen=True)
class Graded:
    """One submitted notebook after grading: who, which notebook, the grade."""

    student: str
    notebook: str
    grade: NotebookGrade


def grade_assignment(assignment: Assignment, course: Path) -> tuple[list[Graded], list[str]]:
    """Re-grade every autograded submission of ``assignment`` and write the results into the gradebook.

    Every notebook is graded first, against the keys of nbgrader's whole student list (so answers
    copied from a classmate's key are flagged, as in ``grader grade``); then the students whose
    sheets share many wrong values (:mod:`grader.course.shared_wrong`) are flagged; then
    everything is written. Returns the graded notebooks, and one line per submitted notebook
    that was not graded because its test cells are not those of this assignment file (another
    notebook of the assignment, or a file changed since ``nbgrader generate_assignment``).
    """
    from nbgrader.api import MissingEntry

    try:
        refuse_code_questions(assignment)
    except AssignmentError as error:
        raise CourseError(str(error)) from None
    coursedir = course_directory(course)
    stems = cell_ids(assignment)
    graded: list[tuple[Graded, object]] = []  # each notebook's grade and nbgrader's notebook record
    skipped: list[str] = []
    with gradebook(coursedir) as gb:
        try:
            submissions = list(gb.find_assignment(assignment.id).submissions)
        except MissingEntry:
            raise CourseError(f"nbgrader's gradebook has no assignment {assignment.id!r}: run "
                              f"nbgrader generate_assignment and nbgrader autograde first") from None
        students = {normalize_id(s.id) or s.id for s in gb.students}
        students |= {normalize_id(s.student.id) or s.student.id for s in submissions}
        keys, others = _class_keys(assignment, sorted(students))
        for submission in sorted(submissions, key=lambda s: s.student.id):
            student = submission.student.id
            folder = Path(coursedir.format_path(coursedir.autograded_directory, student, assignment.id))
            for nb in submission.notebooks:
                missing = {f"{stems[q.id]}_test" for q in assignment.questions} - {g.name for g in nb.grades}
                if missing:
                    skipped.append(f"{student}  {nb.name}: not graded, it has no test cell {', '.join(sorted(missing))}"
                                   " (not written from this assignment file by grader nbgrader source)")
                    continue
                notebook, unreadable = _read(folder / f"{nb.name}.ipynb", assignment.lang)
                result = regrade(assignment, normalize_id(student) or student, notebook, keys, unreadable, others)
                graded.append((Graded(student, nb.name, result), nb))
        flagged = shared_flags(assignment, [g for g, _ in graded], others)
        graded = [(replace(g, grade=result), nb) for (g, nb), result in zip(graded, flagged, strict=True)]
        for g, nb in graded:
            _write(gb, assignment.id, g.student, nb, g.grade, assignment.lang)
        gb.db.commit()
    return [g for g, _ in graded], skipped


def shared_flags(assignment: Assignment, graded: Sequence[Graded],
                 others: Mapping[str, Classmates] | None = None) -> list[NotebookGrade]:
    """Each notebook's grade, with a flag for every classmate whose notebooks share many of this
    student's wrong values (:func:`grader.course.shared_wrong.flagged_students`, over all of a
    student's notebooks)."""
    results: dict[str, list[tuple[str, Result]]] = {}
    for g in graded:
        results.setdefault(g.student, []).extend((q.question.id, q.result) for q in g.grade.questions
                                                  if q.result is not None)
    flagged = flagged_students(assignment, list(results.items()), others)
    return [replace(g.grade, flags=g.grade.flags + tuple(shared_text(p, g.student, assignment.lang)
                                                         for p in flagged.get(g.student, ())))
            for g in graded]


def _class_keys(assignment: Assignment, students: list[str]) -> tuple[Callable[[str, FamilyQuestion], Expected],
                                                                      dict[str, Classmates]]:
    """The expectations of every student's questions, made in one numpy pass per question (others
    on demand), and each question's keys of the class (to flag copied answers)."""
    cache: dict[tuple[str, str], Expected] = {}
    others = {}
    for q in family_questions(assignment):
        prepared = expectations(q.family, generate(q.family, [assignment.key(s, q) for s in students]))
        others[q.id] = classmates(students, prepared)
        for s, e in zip(students, prepared, strict=True):
            cache[(s, q.id)] = e

    def keys(student: str, question: FamilyQuestion) -> Expected:
        if (student, question.id) not in cache:
            v = generate(question.family, [assignment.key(student, question)])
            cache[(student, question.id)] = expectations(question.family, v)[0]
        return cache[(student, question.id)]

    return keys, others


def _read(path: Path, lang: str) -> tuple[object, str | None]:
    try:
        return json.loads(path.read_text(encoding="utf-8")), None
    except (OSError, UnicodeDecodeError, ValueError) as error:
        return None, message("unreadable_notebook", lang, path=str(path), why=str(error))


def _write(gb, assignment_id: str, student: str, nb, result: NotebookGrade, lang: str) -> None:
    for q in result.questions:
        grade = gb.find_grade(f"{q.cell}_test", nb.name, assignment_id, student)
        grade.auto_score = q.score
        grade.needs_manual_grade = False
        comment = gb.find_comment(f"{q.cell}_answers", nb.name, assignment_id, student)
        comment.auto_comment = comment_html(result.flags + q.flags, q, lang)
    nb.flagged = bool(result.all_flags)


def comment_html(flags: tuple[str, ...], graded: QuestionGrade, lang: str) -> str:
    """An answer cell's comment: the flags, each answer's verdict, the worked solution; MathML, no script."""
    parts = [f"**{message('flagged', lang)}:** {flag}" for flag in flags]
    if graded.result is not None:
        parts.append(answers_table(graded.result, lang))
    parts.append(worked_solution(graded.question, graded.expected, lang))
    marker = json.dumps(list(flags)).replace("<", "\\u003c").replace(">", "\\u003e").replace("--", "-\\u002d")
    return body("\n\n".join(parts)) + f"\n<!-- {FLAGS_MARK} {marker} -->\n"


def comment_flags(comment: str | None) -> list[str]:
    """The flags :func:`comment_html` wrote into a comment (none for a comment without the mark)."""
    if not comment or FLAGS_MARK not in comment:
        return []
    text = comment.rsplit(f"<!-- {FLAGS_MARK} ", 1)[1].split(" -->", 1)[0]
    try:
        flags = json.loads(text)
    except ValueError:
        return []
    return [f for f in flags if isinstance(f, str)] if isinstance(flags, list) else []
