"""``grader family check FILE``: validate a declaration, stress-test it, show its canonical variant."""

from __future__ import annotations

from pathlib import Path

import click

from grader.core.keys import answer_key
from grader.core.variants import canonical
from grader.declared import parse, read
from grader.declared.build import family as build_family
from grader.declared.build import same_by_definition
from grader.declared.messages import text
from grader.declared.plot import NoNetwork, network
from grader.declared.spec import DeclarationError
from grader.declared.stress import stress
from grader.families import FAMILIES
from grader.text.messages import LANGUAGES

BUNDLED = Path(__file__).resolve().parents[1] / "declared" / "families"


@click.group()
def family() -> None:
    """Exercise families declared as data (TOML)."""


@family.command()
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False, exists=True))
@click.option("--count", default=10_000, show_default=True, type=click.IntRange(1, 100_000),
              help="Proposals to draw and variants to generate.")
@click.option("--lang", type=click.Choice(LANGUAGES), default="en", show_default=True)
@click.option("--plot", type=click.Path(path_type=Path, dir_okay=False),
              help="Also save a picture of the canonical variant's network (PNG).")
def check(file: Path, count: int, lang: str, plot: Path | None) -> None:
    """Validate FILE, stress-test COUNT variants (rejections per conditioning rule), show the canonical variant."""
    try:
        source = read(file)
        declaration = parse(source, str(file))
    except DeclarationError as error:
        raise click.ClickException(error.message(lang)) from None
    fam = build_family(declaration)
    click.echo(text("check_ok", lang, name=fam.name, version=fam.version))
    if fam.name in FAMILIES and file.resolve().parent != BUNDLED:
        click.echo(text("check_taken", lang, name=fam.name))
    for first, second in same_by_definition(fam):
        click.echo(text("check_same", lang, first=first, second=second))
    report = stress(declaration, fam, count)
    click.echo(text("check_draws", lang, count=report.proposals, accepted=report.accepted,
                    share=report.accepted / report.proposals))
    for rule, rejected in report.rejected.items():
        click.echo(text("check_rule", lang, rule=rule, count=rejected, share=rejected / report.proposals))
    if report.failure:
        raise click.ClickException(text("check_failed", lang, detail=report.failure))
    click.echo(text("check_variants", lang, count=report.variants, unique=report.unique))
    click.echo("\n" + text("check_canonical", lang) + "\n")
    v = canonical(fam)
    click.echo(fam.statement(v.params, lang))
    try:
        key = answer_key(v)
    except (ArithmeticError, ValueError, TypeError) as error:
        raise click.ClickException(text("check_cannot", lang, detail=error)) from None
    for answer_id, entry in key.items():
        click.echo(f"  {answer_id:<18} {f'{entry.value:.10g}' if isinstance(entry.value, float) else entry.value}")
    if plot is not None:
        try:
            network(v).savefig(plot, format="png")
        except NoNetwork:
            raise click.ClickException(text("check_no_network", lang, name=fam.name)) from None
        except OSError as error:
            raise click.ClickException(text("unreadable", lang, detail=error)) from None
        click.echo(text("check_plot", lang, path=plot))
