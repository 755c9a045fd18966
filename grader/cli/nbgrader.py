"""``grader nbgrader``: write source notebooks, grade the autograded submissions, list the flags.

Everything else (generate_assignment, release, collect, autograde, feedback, export) is
nbgrader's own command. nbgrader and nbformat are imported only when a command runs, so
``grader`` works without the ``nbgrader`` extra installed.
"""

from __future__ import annotations

import json
from pathlib import Path

import click

from grader.course.assignment import Assignment, AssignmentError, parse_assignment
from grader.course.roster import RosterError, read_roster

FORBIDDEN_IN_IDS = set('/\\+*?"<>|:')
COURSE = click.option("--course", required=True, type=click.Path(exists=True, file_okay=False, path_type=Path),
                      help="The nbgrader course directory (the one with nbgrader_config.py).")


@click.group("nbgrader")
def nbgrader() -> None:
    """Per-student variants in an nbgrader course, graded outside the students' kernels."""


@nbgrader.command()
@click.argument("assignment", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@COURSE
@click.option("--roster", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="A CSV roster (column id) of students to add to nbgrader's student list.")
@click.option("--practice", is_flag=True,
              help="A self-study notebook: it embeds the whole file, salt included, and shows the key.")
@click.option("--force", is_flag=True, help="Replace an existing source notebook.")
def source(assignment: Path, course: Path, roster: Path | None, practice: bool, force: bool) -> None:
    """Write COURSE/source/<id>/<id>.ipynb from the assignment file ASSIGNMENT (TOML).

    A graded notebook carries each student's numbers, not the salt: run this again (then
    nbgrader generate_assignment and release_assignment) when students are added.
    """
    notebook = _module("notebook")
    course_module = _module("course")
    text, parsed = _assignment(assignment)
    try:
        students = [] if practice else _students(course, roster)
        nb = notebook.source_notebook(text, students, practice=practice)
    except AssignmentError as error:
        raise click.ClickException(f"{assignment}: {error}") from None
    path = course / notebook.source_path(parsed)
    if path.exists() and not force:
        raise click.ClickException(f"{path} exists; use --force to replace it")
    path.parent.mkdir(parents=True, exist_ok=True)
    import nbformat

    nbformat.write(nb, path)
    click.echo(f"wrote {path}" + ("" if practice else f" (numbers for {len(students)} students)"))
    if practice:
        click.echo("warning: a practice notebook contains the salt and shows every key; never release it "
                   "for a graded assignment", err=True)
    if course_module.write_config(course):
        click.echo(f"added gdbp-grader's settings to {course / course_module.CONFIG_FILE}")
    click.echo(f"next: cd {course} && nbgrader generate_assignment {parsed.id}")
    _warn_if_nbgrader_cannot_run()


@nbgrader.command()
@click.argument("assignment", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@COURSE
@click.option("--json", "as_json", is_flag=True, help="Print each notebook's score and flags as JSON.")
def grade(assignment: Path, course: Path, as_json: bool) -> None:
    """Grade the autograded submissions of ASSIGNMENT (the TOML file) into nbgrader's gradebook.

    Run after nbgrader autograde (and again after every autograde); then nbgrader export,
    generate_feedback and formgrader show the scores, comments and flags.
    """
    course_module = _module("course")
    _, parsed = _assignment(assignment)
    try:
        done, skipped = course_module.grade_assignment(parsed, course)
    except course_module.CourseError as error:
        raise click.ClickException(str(error)) from None
    for line in skipped:
        click.echo(f"warning: {line}", err=True)
    if as_json:
        click.echo(json.dumps([{"student": g.student, "notebook": g.notebook, "score": g.grade.score,
                                "flags": list(g.grade.all_flags)} for g in done], ensure_ascii=False, indent=2))
        return
    if not done and not skipped:
        click.echo(f"no autograded submissions of {parsed.id}: run nbgrader autograde {parsed.id} first")
    for g in done:
        flagged = f"  FLAGGED ({len(g.grade.all_flags)})" if g.grade.all_flags else ""
        click.echo(f"{g.student}  {g.notebook}  {g.grade.score:g}{flagged}")


@nbgrader.command()
@click.argument("assignment_id")
@COURSE
@click.option("--json", "as_json", is_flag=True, help="Print the flags as JSON.")
def flags(assignment_id: str, course: Path, as_json: bool) -> None:
    """List the flags ``grader nbgrader grade`` wrote for ASSIGNMENT_ID into nbgrader's gradebook."""
    course_module = _module("course")
    from nbgrader.api import MissingEntry

    from grader.nbgrader.flags import find_flags

    try:
        with course_module.gradebook(course_module.course_directory(course)) as gb:
            found = find_flags(gb, assignment_id)
    except MissingEntry:
        raise click.ClickException(f"nbgrader's gradebook has no assignment {assignment_id!r}") from None
    except course_module.CourseError as error:
        raise click.ClickException(str(error)) from None
    if as_json:
        click.echo(json.dumps([f.to_json() for f in found], ensure_ascii=False, indent=2))
        return
    if not found:
        click.echo(f"no flagged submissions of {assignment_id}")
    for f in found:
        click.echo(f.describe())


def _assignment(path: Path) -> tuple[str, Assignment]:
    try:
        text = path.read_text(encoding="utf-8")
        parsed = parse_assignment(text)
    except (OSError, UnicodeDecodeError) as error:
        raise click.ClickException(f"{path}: cannot read the assignment file ({error})") from None
    except AssignmentError as error:
        raise click.ClickException(f"{path}: {error}") from None
    bad = sorted(FORBIDDEN_IN_IDS & set(parsed.id)) or (["a leading dot"] if parsed.id.startswith(".") else [])
    if bad:
        raise click.ClickException(f"{path}: the id {parsed.id!r} names nbgrader's assignment directory; "
                                   f"it cannot contain {' '.join(bad)}")
    return text, parsed


def _students(course: Path, roster: Path | None) -> list[str]:
    """nbgrader's student list, plus the roster's ids (added to nbgrader's list so it can grade them)."""
    course_module = _module("course")
    try:
        extra = [s.id for s in read_roster(roster)] if roster else []
        coursedir = course_module.course_directory(course)
        if extra:
            with course_module.gradebook(coursedir) as gb:
                for sid in extra:
                    gb.update_or_create_student(sid)
        return course_module.gradebook_students(coursedir)
    except (RosterError, course_module.CourseError) as error:
        raise click.ClickException(str(error)) from None


def _warn_if_nbgrader_cannot_run() -> None:
    from grader.nbgrader.environment import missing_program_advice

    advice = missing_program_advice()
    if advice:
        click.echo(f"warning: {advice}", err=True)


def _module(name: str):
    try:
        if name == "notebook":
            from grader.nbgrader import notebook
            return notebook
        from grader.nbgrader import course
        return course
    except ImportError as error:
        raise click.ClickException(f"{error}; install the extra from the repository: "
                                   "pip install '.[nbgrader]'") from None
