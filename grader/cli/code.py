"""``grader code``: list the code exercises and grade ``.py`` files on their hidden tests.

A thin layer over :func:`grader.code.grade_code_file`; the instructor workflow (``grader grade``)
calls the same function for the ``.py`` files of a class.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from grader.code.exercises import EXERCISES, UnknownExercise, get_exercise, hidden_tests
from grader.code.grade_code import CodeResult, grade_code_file
from grader.code.messages import message
from grader.code.sandbox import Limits
from grader.core.variants import VariantKey
from grader.text.messages import LANGUAGES
from grader.text.terminal import terminal_text

LANGS = click.Choice(LANGUAGES)
MARK = {"passed": "ok", "partial": "~", "failed": "x", "error": "!"}


@click.group("code")
def code() -> None:
    """Code exercises: students implement the algorithms; graded in a sandbox."""


@code.command("list")
@click.option("--lang", type=LANGS, default="en", show_default=True)
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of text.")
def list_exercises(lang: str, as_json: bool) -> None:
    """List the code exercises, their functions and their hidden tests."""
    data: dict[str, dict[str, Any]] = {
        e.name: {
            "title": e.title[lang],
            "functions": list(e.functions),
            "file": f"exercises/{e.name}.py",
            "tests": {t.name: {"title": e.tests[t.name][lang], "points": t.points} for t in hidden_tests(e.name)},
        }
        for e in EXERCISES.values()
    }
    if as_json:
        click.echo(json.dumps(data, ensure_ascii=False, indent=2))
        return
    for name, e in data.items():
        points = sum(t["points"] for t in e["tests"].values())
        click.echo(f"{name:<16} {e['title']} ({', '.join(e['functions'])}; {points:g} points)")


@code.command("check")
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--exercise", required=True, help="The exercise the files implement (see `grader code list`).")
@click.option("--assignment", help="Assignment id: each file's hidden variants follow its student (the file name).")
@click.option("--question", default="code", show_default=True, help="Question id within the assignment.")
@click.option("--time", "seconds", type=float, default=Limits().time, show_default=True,
              help="Wall-clock seconds per call of a student's function.")
@click.option("--lang", type=LANGS, default="en", show_default=True)
@click.option("--json", "as_json", is_flag=True, help="Print the results as JSON.")
def check(files, exercise, assignment, question, seconds, lang, as_json) -> None:
    """Grade student FILES (.py) on the hidden tests of an exercise."""
    try:
        get_exercise(exercise)
    except UnknownExercise as error:
        raise click.BadParameter(str(error), param_hint="--exercise") from None
    limits = Limits(time=seconds)
    results = {}
    for path in files:
        key = VariantKey(assignment, path.stem, question) if assignment else None
        results[str(path)] = grade_code_file(path, exercise, lang, key=key, limits=limits)
    if any(r.containment and r.containment.get("filesystem") != "mount-namespace" for r in results.values()):
        click.echo(message("weak_sandbox", lang), err=True)
    if as_json:
        click.echo(json.dumps({p: r.to_json() for p, r in results.items()}, ensure_ascii=False, indent=2))
        return
    for path, result in results.items():
        _print(path, result)


def _print(path: str, result: CodeResult) -> None:
    click.echo(terminal_text(f"{path}: {result.score:g} / {result.max:g}", one_line=True))
    for test in result.tests:  # a message may quote the student's exception: no escape reaches the terminal
        click.echo(terminal_text(f"  [{MARK[test.status]:>2}] {test.name:<20} {test.score:g}/{test.max:g}  "
                                 f"{test.message}"))
