"""The ``grader`` command: a thin layer over the Python API."""

from __future__ import annotations

import json
from pathlib import Path

import click

from grader.assignment import parse_assignment
from grader.code.cli import code as code_command
from grader.declared.cli import family as family_group
from grader.export.cli import export_command
from grader.families import FAMILIES, UnknownFamily, get_family
from grader.grading import expectation, grade
from grader.instructor import (
    assignment_template,
    generate_command,
    grade_command,
    instructor_message,
)
from grader.keys import variant_record
from grader.nbgrader.cli import nbgrader as nbgrader_group
from grader.quiz.commands import plot_command, quiz_command
from grader.roster import RosterError, read_roster
from grader.terminal import terminal_text
from grader.variants import Variant, VariantKey, canonical, generate, variant

LANGS = click.Choice(["en", "zh"])


def _family(name: str):
    try:
        return get_family(name)
    except UnknownFamily as error:
        raise click.BadParameter(str(error), param_hint="FAMILY") from None


def _dump(data: object) -> None:
    click.echo(json.dumps(data, ensure_ascii=False, indent=2))


def variant_options(command):
    """The options that choose one variant of FAMILY: --canonical, or assignment, student, question."""
    for option in reversed((
        click.argument("family"),
        click.option("--canonical", "use_canonical", is_flag=True, help="The seed article's own numbers."),
        click.option("--assignment", help="Assignment id (with --student)."),
        click.option("--student", help="Student id (with --assignment)."),
        click.option("--question", default="1", show_default=True, help="Question id within the assignment."),
    )):
        command = option(command)
    return command


@click.group()
def main() -> None:
    """Auto-graded exercises on gradient descent and backpropagation."""


@main.command("list")
@click.option("--lang", type=LANGS, default="en", show_default=True)
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of text.")
def list_families(lang: str, as_json: bool) -> None:
    """List the exercise families."""
    if as_json:
        _dump({f.name: {"version": f.version, "summary": f.summary[lang]} for f in FAMILIES.values()})
        return
    for f in FAMILIES.values():
        click.echo(f"{f.name:<18} {f.summary[lang]}")


@main.command()
@variant_options
@click.option("--lang", type=LANGS, default="en", show_default=True)
@click.option("--json", "as_json", is_flag=True, help="Print the variant and its key as JSON.")
def show(family, use_canonical, assignment, student, question, lang, as_json) -> None:
    """Show one variant of FAMILY: its statement, or with --json its parameters and answer key."""
    fam = _family(family)
    v = _chosen_variant(fam, use_canonical, assignment, student, question)
    if as_json:
        _dump(variant_record(v))
    else:
        click.echo(fam.statement(v.params, lang))


@click.command()
@variant_options
@click.option("--answer", "answers", multiple=True, metavar="ID=VALUE",
              help="One answer; repeat for more. Answers not given are graded as missing.")
@click.option("--lang", type=LANGS, default="en", show_default=True)
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
def check(family, use_canonical, assignment, student, question, answers, lang, as_json) -> None:
    """Grade answers to one variant of FAMILY."""
    v = _chosen_variant(_family(family), use_canonical, assignment, student, question)
    given = {}
    for item in answers:
        answer_id, sep, value = item.partition("=")
        if not sep:
            raise click.BadParameter(f"{item!r} is not ID=VALUE", param_hint="--answer")
        given[answer_id.strip()] = value
    unknown = sorted(set(given) - {a.id for a in v.family.answers})
    if unknown:
        raise click.BadParameter(f"{', '.join(unknown)} not in {v.family.name}; answers are: "
                                 + ", ".join(a.id for a in v.family.answers), param_hint="--answer")
    result = grade(expectation(v), given, lang=lang)
    if as_json:
        _dump(result.to_json())
        return
    for a in result.answers:
        feedback = a.feedback.replace("\n", "\n" + " " * 34)
        click.echo(terminal_text(f"{a.id:<16} {a.status:<10} {a.score:g}/{a.max:g}".ljust(34) + feedback))
    click.echo(f"{'total':<16} {'':<10} {result.score:g}/{result.max:g}")


@main.command()
@click.argument("family")
@click.option("--assignment", required=True, help="Assignment id.")
@click.option("--roster", required=True, type=click.Path(path_type=Path, dir_okay=False))
@click.option("--question", default="1", show_default=True)
@click.option("--lang", type=LANGS, default="en", show_default=True)
@click.option("--json", "as_json", is_flag=True, help="Print every student's variant as JSON.")
def variants(family, assignment, roster, question, lang, as_json) -> None:
    """Show every student's variant of FAMILY for a roster (CSV with an 'id' column)."""
    fam = _family(family)
    try:
        students = read_roster(roster)
    except RosterError as error:
        raise click.ClickException(terminal_text(str(error))) from None
    batch = generate(fam, [VariantKey(assignment, s.id, question) for s in students])
    if as_json:
        _dump({s.id: variant_record(v) for s, v in zip(students, batch, strict=True)})
        return
    for s, v in zip(students, batch, strict=True):
        click.echo(terminal_text(f"## {s.name or s.id} ({s.id})\n\n{_statement(v, lang)}"))


@main.command()
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--id", "assignment_id", required=True, help="Assignment id, e.g. hw3.")
@click.option("--title", default=None, help="Title [default: the id].")
@click.option("--family", default="gd_linear", show_default=True, help="Family of the first question.")
@click.option("--lang", type=LANGS, default="en", show_default=True)
def init(path, assignment_id, title, family, lang) -> None:
    """Write a new assignment file PATH with a random salt (never overwrites a file)."""
    _family(family)
    text = assignment_template(assignment_id, title or assignment_id, lang, family, " ".join(path.name.split()))
    parse_assignment(text)  # the template is always a valid assignment
    try:
        with path.open("x", encoding="utf-8") as handle:
            handle.write(text)
    except FileExistsError:
        raise click.ClickException(instructor_message("init_exists", lang, path=path)) from None
    except OSError as error:
        raise click.ClickException(instructor_message("init_failed", lang, path=path,
                                                      error=error.strerror or error)) from None
    click.echo(terminal_text(instructor_message("init_done", lang, path=path, id=assignment_id)))


def _chosen_variant(fam, use_canonical, assignment, student, question) -> Variant:
    if use_canonical == bool(assignment or student):
        raise click.UsageError("give either --canonical or both --assignment and --student")
    if not use_canonical and not (assignment and student):
        raise click.UsageError("--assignment and --student go together")
    return canonical(fam) if use_canonical else variant(fam, assignment, student, question)


def _statement(v: Variant, lang: str) -> str:
    return v.family.statement(v.params, lang)


for _command in (generate_command, grade_command, check, quiz_command, plot_command, nbgrader_group, code_command,
                 export_command, family_group):
    main.add_command(_command)
