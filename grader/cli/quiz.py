"""The ``grader quiz`` and ``grader plot`` commands: argument checking, then the quiz and plot modules.

Randomness (a fresh seed), files (the progress record, the PNG) and the terminal enter here.
"""

from __future__ import annotations

import secrets
import sys
import warnings
from collections.abc import Sequence
from pathlib import Path

import click

from grader.core.grading import expectation
from grader.families import FAMILIES, get_family
from grader.quiz import progress as record
from grader.quiz import terminal
from grader.quiz.session import PICTURES, new_session, quiz_variant, replay
from grader.quiz.text import say
from grader.text.messages import LANGUAGES

LANGS = click.Choice(LANGUAGES)
DEFAULT_TOPIC = "backprop_222"


def _console() -> terminal.Console:
    def read() -> str | None:
        try:
            line = sys.stdin.readline()
        except KeyboardInterrupt:  # Ctrl-C at the prompt stops like q
            return None
        return line.rstrip("\r\n") if line else None

    def write(text: str, style: str | None) -> None:
        body = text.rstrip("\n")
        if style == "bold":
            body = click.style(body, bold=True)
        elif style:
            body = click.style(body, fg=style)
        # click drops the colour codes when stdout is not a terminal
        click.echo(body + "\n" * (len(text) - len(text.rstrip("\n"))), nl=False)

    return terminal.Console(read, write)


@click.command("quiz")
@click.option("--topic", type=click.Choice(list(FAMILIES)), help=f"Exercise family (default {DEFAULT_TOPIC}).")
@click.option("--lang", type=LANGS, default="en", show_default=True)
@click.option("--seed", type=click.IntRange(min=0), help="Replay a problem: the same seed gives the same numbers.")
@click.option("--canonical", "use_canonical", is_flag=True, help="The seed article's own numbers.")
@click.option("--review", is_flag=True, help="Practise the step you get wrong most (from your progress).")
@click.option("--data-dir", type=click.Path(file_okay=False, path_type=Path),
              help=f"Where progress is kept (default ${record.ENV}, else your user data directory).")
@click.option("--no-save", is_flag=True, help="Do not record this quiz in the progress file.")
@click.option("--new", "fresh", is_flag=True, help="Start a fresh problem even if a stopped quiz could be resumed.")
def quiz_command(topic, lang, seed, use_canonical, review, data_dir, no_save, fresh) -> None:
    """Practise step by step: a fresh problem, a verdict on each answer, hints and worked solutions.

    Type a value at each prompt; ? gives a hint (again: the next one), s the worked solution
    of the answer, n another problem like the step just solved, q stops (the same command
    then resumes). Reads plain standard input, so it can be driven by a pipe.
    """
    path = record.progress_path(data_dir)
    progress, trouble = record.load(path)
    if trouble:
        click.echo(say("progress_unreadable", lang, path=path, reason=trouble[0], backup=trouble[1]), err=True)
    steps: Sequence[str] | None = None
    if review:
        weak = record.weakest(_only(progress, topic))
        if weak is None:
            click.echo(say("review_nothing", lang))
        else:
            topic, steps = weak.family, [weak.step]
            named = get_family(weak.family).step_name(weak.step, lang)
            click.echo(say("review_pick", lang, family=weak.family, step=named, wrong=weak.wrong, total=weak.total))
    topic = topic or DEFAULT_TOPIC
    stopped_path = record.unfinished_path(data_dir)
    stopped, unreadable = record.load_unfinished(stopped_path)
    if unreadable:
        click.echo(say("resume_unreadable", lang, path=stopped_path, reason=unreadable), err=True)
    resumed = None if (fresh or review or no_save) else _resumable(stopped.get(topic), seed, use_canonical)
    if resumed:
        seed, use_canonical, steps, lang = resumed.seed, resumed.seed is None, resumed.steps, resumed.lang
    if seed is None and not use_canonical:
        seed = secrets.randbelow(1_000_000)
    chosen = quiz_variant(get_family(topic), seed, use_canonical)
    try:
        session = new_session(chosen, lang, steps)
    except KeyError:  # a stopped quiz on a step that no longer exists
        resumed, session = None, new_session(chosen, lang)
    expected = expectation(chosen)
    if resumed:
        session = replay(session, expected, resumed.states)
        done = sum(s.done for s in session.states)
        click.echo(say("resuming", lang, seed=seed if seed is not None else "-", done=done, total=len(session.asked)))
    title = say("title_canonical", lang, family=topic) if use_canonical else say("title", lang, family=topic, seed=seed)
    progress = record.started(progress, topic)

    def on_done(states) -> None:
        nonlocal progress
        for s in states:
            progress = record.record(progress, topic, s)
        if states and not no_save:
            _save(progress, path, lang)

    def another(step: str):
        fresh_seed = secrets.randbelow(1_000_000)
        fresh_variant = quiz_variant(get_family(topic), fresh_seed)
        fresh_session = new_session(fresh_variant, lang, [step])
        title = say("another_title", lang, family=topic, step=fresh_variant.family.step_name(step, lang),
                    seed=fresh_seed)
        return fresh_session, expectation(fresh_variant), title

    picture = None
    if topic in PICTURES:
        picture = f"grader plot {PICTURES[topic]}" + ("" if use_canonical else f" --seed {seed}")
    ended = terminal.run(session, expected, _console(), title, on_done, picture, another)
    if not no_save:
        _save(progress, path, lang)
        click.echo(say("progress_saved", lang, path=path))
        _keep_stopped(stopped, topic, ended, seed, stopped_path, lang)


def _resumable(saved: record.Unfinished | None, seed: int | None, use_canonical: bool) -> record.Unfinished | None:
    """The stopped quiz to resume: one on this topic, of the asked seed (or any when none is asked)."""
    if saved is None:
        return None
    if use_canonical:
        return saved if saved.seed is None else None
    return saved if seed is None or seed == saved.seed else None


def _keep_stopped(stopped, topic: str, ended, seed: int | None, path: Path, lang: str) -> None:
    """Keep a quiz stopped with answers left, so the same command resumes it; forget a finished one."""
    left = any(not s.done for s in ended.states)
    quizzes = {k: v for k, v in stopped.items() if k != topic}
    if left:
        quizzes[topic] = record.Unfinished(topic, seed, ended.lang, _asked_steps(ended), ended.states)
    if left or topic in stopped:
        try:
            record.save_unfinished(quizzes, path)
        except OSError as error:
            click.echo(say("progress_unwritable", lang, path=path, reason=error.strerror or error), err=True)
            return
    if left:
        click.echo(say("resume_kept", lang))


def _asked_steps(session) -> tuple[str, ...] | None:
    """The steps a session asks, or None when it asks all of them."""
    steps = tuple(step for step, _ in session.steps)
    return None if len(session.asked) == len(session.family.answers) else steps


def _only(progress: record.Progress, topic: str | None) -> record.Progress:
    if topic is None:
        return progress
    return record.Progress({k: v for k, v in progress.families.items() if k == topic})


def _save(progress: record.Progress, path: Path, lang: str) -> None:
    try:
        record.save(progress, path)
    except OSError as error:
        click.echo(say("progress_unwritable", lang, path=path, reason=error.strerror or error), err=True)


@click.command("plot")
@click.argument("kind", type=click.Choice(["descent", "network", "minima"]))
@click.option("--seed", type=click.IntRange(min=0),
              help="The variant of `grader quiz --seed N` (default: the seed article's numbers).")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), help="PNG file to write (default KIND.png).")
@click.option("--dpi", type=click.IntRange(50, 400), default=100, show_default=True)
@click.option("--lang", type=LANGS, default="en", show_default=True, help="Language of the labels.")
def plot_command(kind, seed, out, dpi, lang) -> None:
    """Draw a picture as PNG: descent (learning rates), network (2-2-2 backprop) or minima (local minima)."""
    import matplotlib

    matplotlib.use("Agg")
    from grader.quiz import plots

    chosen = quiz_variant(get_family(plots.FAMILY_OF[kind]), seed, use_canonical=seed is None)
    out = out or Path(f"{kind}.png")
    with warnings.catch_warnings(record=True) as missing_font:
        warnings.simplefilter("always")
        fig = plots.figure(kind, chosen, lang)
    for warning in missing_font:
        click.echo(str(warning.message), err=True)
    try:
        fig.savefig(out, format="png", dpi=dpi)
    except OSError as error:
        raise click.ClickException(f"cannot write {out}: {error.strerror or error}") from None
    width, height = (round(v * dpi) for v in fig.get_size_inches())
    click.echo(say("plot_saved", lang, path=out, width=width, height=height))
