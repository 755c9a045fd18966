"""``grader nbgrader``: write nbgrader source notebooks and list the submissions flagged for the teacher.

Everything else (generate_assignment, release, collect, autograde, feedback, export) is
nbgrader's own command. nbformat is imported only when a command runs, so ``grader`` works
without the ``nbgrader`` extra installed.
"""

from __future__ import annotations

import json
from pathlib import Path

import click

from grader.assignment import AssignmentError, parse_assignment

FORBIDDEN_IN_IDS = set('/\\+*?"<>|:')


@click.group("nbgrader")
def nbgrader() -> None:
    """Per-student variants in an nbgrader course, graded by nbgrader itself."""


@nbgrader.command()
@click.argument("assignment", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--course", required=True, type=click.Path(file_okay=False, path_type=Path),
              help="The nbgrader course directory (the one with nbgrader_config.py).")
@click.option("--force", is_flag=True, help="Replace an existing source notebook.")
def source(assignment: Path, course: Path, force: bool) -> None:
    """Write COURSE/source/<id>/<id>.ipynb from the assignment file ASSIGNMENT (TOML)."""
    notebook = _notebook_module()
    try:
        text = assignment.read_text(encoding="utf-8")
        parsed = parse_assignment(text)
        nb = notebook.source_notebook(text)
    except (OSError, UnicodeDecodeError) as error:
        raise click.ClickException(f"{assignment}: cannot read the assignment file ({error})") from None
    except AssignmentError as error:
        raise click.ClickException(f"{assignment}: {error}") from None
    bad = sorted(FORBIDDEN_IN_IDS & set(parsed.id)) or (["a leading dot"] if parsed.id.startswith(".") else [])
    if bad:
        raise click.ClickException(f"{assignment}: the id {parsed.id!r} names nbgrader's assignment directory; "
                                   f"it cannot contain {' '.join(bad)}")
    path = course / notebook.source_path(parsed)
    if path.exists() and not force:
        raise click.ClickException(f"{path} exists; use --force to replace it")
    path.parent.mkdir(parents=True, exist_ok=True)
    import nbformat

    nbformat.write(nb, path)
    click.echo(f"wrote {path}")
    click.echo(f"next: cd {course} && nbgrader generate_assignment {parsed.id}")
    _warn_if_nbgrader_cannot_run()


@nbgrader.command()
@click.argument("assignment_id")
@click.option("--course", required=True, type=click.Path(exists=True, file_okay=False, path_type=Path),
              help="The nbgrader course directory.")
@click.option("--json", "as_json", is_flag=True, help="Print the flags as JSON.")
def flags(assignment_id: str, course: Path, as_json: bool) -> None:
    """List the autograded submissions of ASSIGNMENT_ID whose test cells were flagged for the teacher."""
    from grader.nbgrader.flags import find_flags

    found = find_flags(course / "autograded", assignment_id)
    if as_json:
        click.echo(json.dumps([f.to_json() for f in found], ensure_ascii=False, indent=2))
        return
    if not found:
        click.echo(f"no flagged submissions of {assignment_id} under {course / 'autograded'}")
    for f in found:
        click.echo(f.describe())


def _warn_if_nbgrader_cannot_run() -> None:
    from grader.nbgrader.environment import missing_program_advice

    advice = missing_program_advice()
    if advice:
        click.echo(f"warning: {advice}", err=True)


def _notebook_module():
    try:
        from grader.nbgrader import notebook
    except ImportError as error:
        raise click.ClickException(f"{error}; install the extra from the repository: "
                                   "pip install '.[nbgrader]'") from None
    return notebook
