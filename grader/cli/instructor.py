"""``grader generate`` and ``grader grade``: the click commands over :mod:`grader.course.generate` and
:mod:`grader.course.grade`."""

from __future__ import annotations

from pathlib import Path

import click

from grader.course.generate import generate_class
from grader.course.grade import grade_class
from grader.course.inputs import InstructorError
from grader.course.student_grading import STUDENT_SECONDS
from grader.text.messages import LANGUAGES

JOBS = click.option("--jobs", "-j", type=click.IntRange(min=1), default=1, show_default=True,
                    help="Processes to use (e.g. the number of cores).")
LANG = click.option("--lang", type=click.Choice(LANGUAGES), default=None,
                    help="Language of the sheets and reports (default: the assignment's).")


@click.command("generate")
@click.argument("assignment", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--roster", required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="CSV with an 'id' (or 'student_id') column and optionally 'name'.")
@click.option("--out", required=True, type=click.Path(file_okay=False, path_type=Path), help="Output folder.")
@JOBS
@LANG
def generate_command(assignment: Path, roster: Path, out: Path, jobs: int, lang: str | None) -> None:
    """Write every student's problem sheet and answer sheet, and the instructor key."""
    try:
        generate_class(assignment, roster, out, jobs, lang, echo=click.echo)
    except InstructorError as error:
        raise click.ClickException(str(error)) from None


@click.command("grade")
@click.argument("assignment", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.argument("submissions", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--out", required=True, type=click.Path(file_okay=False, path_type=Path), help="Output folder.")
@click.option("--roster", type=click.Path(exists=True, dir_okay=False, path_type=Path), default=None,
              help="The class roster [default: roster.csv next to ASSIGNMENT].")
@click.option("--overrides", type=click.Path(exists=True, dir_okay=False, path_type=Path), default=None,
              help="The instructor's overrides (student,question,answer,points,reason) "
                   "[default: overrides.csv next to ASSIGNMENT, if there is one].")
@click.option("--student-time-limit", type=click.FloatRange(min=0, min_open=True), default=STUDENT_SECONDS,
              show_default=True, help="Seconds one student's grading may take; past it the student gets a "
                                      "grading_error row with the reason and the class run goes on.")
@JOBS
@LANG
def grade_command(assignment: Path, submissions: Path, out: Path, roster: Path | None, overrides: Path | None,
                  student_time_limit: float, jobs: int, lang: str | None) -> None:
    """Grade every answer sheet in SUBMISSIONS: gradebook, reports and class summary."""
    try:
        grade_class(assignment, submissions, out, roster, jobs, lang, echo=click.echo, overrides_path=overrides,
                    student_seconds=student_time_limit)
    except InstructorError as error:
        raise click.ClickException(str(error)) from None
