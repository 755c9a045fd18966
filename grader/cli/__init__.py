"""The ``grader`` command: a thin layer over the Python API.

The package is imported only as far as the command run needs it (``grader --help`` and
``grader list`` import no sympy): subcommands from other modules are loaded when chosen,
and the commands here import the API inside their bodies.
"""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import TYPE_CHECKING

import click

from grader.cli.catalog import catalog
from grader.text.indented_json import indented_json
from grader.text.messages import LANGUAGES
from grader.text.terminal import terminal_text

if TYPE_CHECKING:
    from grader.core.variants import Variant

LANGS = click.Choice(LANGUAGES)
LAZY = {  # subcommand: (where it is defined, its short help as `grader --help` lists it)
    "code": ("grader.cli.code:code", "Code exercises: students implement the algorithms; graded in a sandbox."),
    "export": ("grader.cli.export:export_command",
               "Write a graded class or an assignment in FORMAT (canvas, moodle, gradescope, moodle-xml)."),
    "family": ("grader.cli.family:family", "Exercise families declared as data (TOML)."),
    "generate": ("grader.cli.instructor:generate_command",
                 "Write every student's problem sheet and answer sheet, and the instructor key."),
    "grade": ("grader.cli.instructor:grade_command",
              "Grade every answer sheet in SUBMISSIONS: gradebook, reports and class summary."),
    "nbgrader": ("grader.cli.nbgrader:nbgrader",
                 "Per-student variants in an nbgrader course, graded outside the students' kernels."),
    "plot": ("grader.cli.quiz:plot_command",
             "Draw a picture as PNG: descent (learning rates), network (2-2-2 backprop) or minima (local minima)."),
    "quiz": ("grader.cli.quiz:quiz_command",
             "Practise step by step: a fresh problem, a verdict on each answer, hints and worked solutions."),
}


class LazyGroup(click.Group):
    """A group that imports the subcommands of :data:`LAZY` only when one is chosen; its help
    lists them from their short help there (a test checks it against the loaded commands)."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        """Every subcommand name, loaded or not, sorted."""
        return sorted({*super().list_commands(ctx), *LAZY})

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        """The subcommand ``name``, imported on first use."""
        if name in LAZY and name not in self.commands:
            module, attribute = LAZY[name][0].split(":")
            self.add_command(getattr(importlib.import_module(module), attribute), name)
        return super().get_command(ctx, name)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """The list of subcommands in the help, without importing those not loaded yet."""
        names = self.list_commands(ctx)
        limit = formatter.width - 6 - max(len(n) for n in names)
        rows = [(n, self.commands[n].get_short_help_str(limit) if n in self.commands
                 else click.Command(n, help=LAZY[n][1]).get_short_help_str(limit)) for n in names]
        with formatter.section("Commands"):
            formatter.write_dl(rows)


def _family(name: str):
    from grader.families import UnknownFamily, get_family

    try:
        return get_family(name)
    except UnknownFamily as error:
        raise click.BadParameter(str(error), param_hint="FAMILY") from None


def _dump(data: object) -> None:
    click.echo(indented_json(data, 2))


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


@click.group(cls=LazyGroup)
def main() -> None:
    """Auto-graded exercises on gradient descent and backpropagation."""


@main.command("list")
@click.option("--lang", type=LANGS, default="en", show_default=True)
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of text.")
def list_families(lang: str, as_json: bool) -> None:
    """List the exercise families."""
    if as_json:
        _dump({f.name: {"version": f.version, "summary": f.summary[lang]} for f in catalog()})
        return
    for f in catalog():
        click.echo(f"{f.name:<18} {f.summary[lang]}")


@main.command()
@variant_options
@click.option("--lang", type=LANGS, default="en", show_default=True)
@click.option("--json", "as_json", is_flag=True, help="Print the variant and its key as JSON.")
def show(family, use_canonical, assignment, student, question, lang, as_json) -> None:
    """Show one variant of FAMILY: its statement, or with --json its parameters and answer key."""
    from grader.core.keys import variant_record

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
    from grader.core.grading import expectation, grade

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
    from grader.core.keys import variant_record
    from grader.core.variants import VariantKey, generate
    from grader.course.roster import RosterError, read_roster

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
    from grader.course.assignment import parse_assignment
    from grader.course.new_assignment import assignment_template, init_message

    _family(family)
    text = assignment_template(assignment_id, title or assignment_id, lang, family, " ".join(path.name.split()))
    parse_assignment(text)  # the template is always a valid assignment
    try:
        with path.open("x", encoding="utf-8") as handle:
            handle.write(text)
    except FileExistsError:
        raise click.ClickException(init_message("init_exists", lang, path=path)) from None
    except OSError as error:
        raise click.ClickException(init_message("init_failed", lang, path=path,
                                                      error=error.strerror or error)) from None
    click.echo(terminal_text(init_message("init_done", lang, path=path, id=assignment_id)))


def _chosen_variant(fam, use_canonical, assignment, student, question) -> Variant:
    from grader.core.variants import canonical, variant

    if use_canonical == bool(assignment or student):
        raise click.UsageError("give either --canonical or both --assignment and --student")
    if not use_canonical and not (assignment and student):
        raise click.UsageError("--assignment and --student go together")
    return canonical(fam) if use_canonical else variant(fam, assignment, student, question)


def _statement(v: Variant, lang: str) -> str:
    return v.family.statement(v.params, lang)


main.add_command(check)
