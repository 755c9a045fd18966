"""The ``grader export`` command: reads the files, checks what the format needs, writes its files."""

from __future__ import annotations

from pathlib import Path

import click

from grader.course.export import EXPORTERS, ExportError, ExportRequest, read_gradebook
from grader.course.export.base import read_roster_table, say
from grader.course.files import write_atomic
from grader.course.inputs import InstructorError, load_assignment
from grader.text.messages import LANGUAGES

NEEDS = {
    "gradebook": {"en": "--graded DIR (the output folder of 'grader grade')",
                  "zh": "--graded DIR('grader grade' 的输出文件夹)"},
    "roster": {"en": "--roster CSV (with the column named by --id-column)",
               "zh": "--roster CSV(包含 --id-column 指定的列)"},
}


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as error:
        raise click.ClickException(f"{path}: cannot read ({error})") from None


@click.command("export")
@click.argument("format_name", metavar="FORMAT", type=click.Choice(sorted(EXPORTERS)))
@click.argument("assignment", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--out", required=True, type=click.Path(file_okay=False, path_type=Path), help="Output folder.")
@click.option("--graded", type=click.Path(exists=True, file_okay=False, path_type=Path),
              help="The output folder of 'grader grade' (its gradebook.json).")
@click.option("--roster", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="The LMS roster to match students in (e.g. Canvas's gradebook export).")
@click.option("--id-column", help="The roster column holding the grader's student ids "
                                  "[canvas: 'SIS User ID'; moodle: the identifier to write].")
@click.option("--column", help="Title of the grade column [default: the assignment id].")
@click.option("--variants", type=click.IntRange(1, 200), default=5, show_default=True,
              help="moodle-xml: variants per question.")
@click.option("--lang", type=click.Choice(LANGUAGES), default=None,
              help="Language of messages and questions (default: the assignment's).")
def export_command(format_name, assignment, out, graded, roster, id_column, column, variants, lang) -> None:
    """Write a graded class or an assignment in FORMAT (canvas, moodle, gradescope, moodle-xml)."""
    exporter = EXPORTERS[format_name]
    try:
        parsed, text = load_assignment(assignment)
    except InstructorError as error:
        raise click.ClickException(str(error)) from None
    lang = lang or parsed.lang
    missing = [n for n, given in (("gradebook", graded), ("roster", roster)) if n in exporter.needs and not given]
    if missing:
        raise click.UsageError(say("needs", lang, format=format_name, what=", ".join(NEEDS[m][lang] for m in missing)))
    try:
        gradebook = None
        if graded:
            gradebook = read_gradebook(_read(graded / "gradebook.json"), str(graded / "gradebook.json"), lang)
            if gradebook.assignment != parsed.id:
                raise ExportError(say("other_assignment", lang, found=gradebook.assignment, expected=parsed.id))
        table = read_roster_table(_read(roster), str(roster)) if roster else None
        request = ExportRequest(parsed, text, gradebook, table, id_column, column, variants, lang)
        result = exporter.build(request)
    except ExportError as error:
        raise click.ClickException(str(error)) from None
    for warning in result.warnings:
        click.echo(f"warning: {warning}", err=True)
    for name, data in sorted(result.files.items()):
        write_atomic(out / name, data)
        click.echo(str(out / name))
