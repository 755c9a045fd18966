"""The quiz in a terminal: one line of plain standard input per answer or command.

Commands at the prompt: a value (number, formula or option), ``?`` for a hint (again for the
next, more concrete one), ``s`` for the worked solution of the current answer, ``n`` for
another problem like the step just solved (fresh numbers), ``q`` to stop; after a wrong
answer an empty line keeps it and goes on. Statements and explanations are printed as
Unicode text (:mod:`grader.quiz.plain`), never as raw Markdown or LaTeX. End of input stops
the quiz like ``q``, so a script or a pipe can drive it.
Reading and writing go through a :class:`Console`, so the loop itself is testable without a
terminal; the click command supplies one that colours output only on a TTY.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from grader.core.grading import Expected
from grader.quiz import plain, render
from grader.quiz import session as quiz
from grader.quiz.explain import Worked, given_values
from grader.quiz.session import AnswerState, Session
from grader.quiz.text import say

# Given a step name: a fresh session on that step alone, what grading it needs, and its title.
Another = Callable[[str], "tuple[Session, Expected, str]"]

STYLES = {"correct": "green", "incorrect": "red", "invalid": "yellow", "missing": "yellow"}


@dataclass(frozen=True)
class Console:
    """Where the quiz reads lines (None at end of input) and writes text (with an optional colour)."""

    read: Callable[[], str | None]
    write: Callable[[str, str | None], None]


def run(
    session: Session,
    expected: Expected,
    console: Console,
    title: str,
    on_done: Callable[[tuple[AnswerState, ...]], None] = lambda states: None,
    picture: str | None = None,
    another: Another | None = None,
) -> Session:
    """Ask every answer of the session in turn; returns the final session after printing the summary.

    ``on_done`` receives the answers each action finished (for the progress file);
    ``picture`` is the command line that draws the variant, mentioned with the solutions;
    ``another`` makes ``n`` practise a solved step again on fresh numbers.
    """
    worked = Worked(session.variant)
    lang = session.lang
    _opening(session, console, title, worked)
    heading = None
    while (answer_id := session.current) is not None:
        step = session.step_of(answer_id)
        if step != heading:
            heading = step
            _heading(session, console, step)
        answer = session.answer(answer_id)
        options = f" [{'/'.join(answer.options)}]" if answer.options else ""
        console.write(f"{answer_id}{options} > ", None)
        line = console.read()
        if line is not None and line.strip().lower() == "n":
            _another(session, console, another, on_done)
            continue
        before = session
        session = _act(session, expected, worked, console, answer_id, line, picture)
        on_done(quiz.newly_done(before, session))
        if another and set(quiz.solved_steps(session)) - set(quiz.solved_steps(before)) and not session.finished:
            console.write(say("another_offer", lang) + "\n", None)
    console.write(say("stopped" if session.stopped else "all_done", lang) + "\n", None)
    console.write(render.summary_text(quiz.summarize(session, expected), lang) + "\n", "bold")
    return session


def _opening(session: Session, console: Console, title: str, worked: Worked) -> None:
    console.write(title + "\n\n", "bold")
    console.write(plain.to_text(session.family.statement(session.variant.params, session.lang)) + "\n", None)
    if session.given:
        console.write(say("given_heading", session.lang) + "\n", None)
        for line in given_values(worked, session.given):
            console.write(f"    {line.text}\n", None)
    console.write(say("instructions", session.lang) + "\n", "cyan")


def _heading(session: Session, console: Console, step: str) -> None:
    names = [s for s, _ in session.steps]
    text = say("step_heading", session.lang, number=names.index(step) + 1, total=len(names),
               step=session.family.step_name(step, session.lang))
    console.write(f"\n== {text} ==\n", "bold")


def _another(session: Session, console: Console, another: Another | None, on_done) -> None:
    """Practise the last solved step again on a fresh variant, then come back."""
    solved = quiz.solved_steps(session)
    if another is None or not solved:
        console.write(say("another_none", session.lang) + "\n", None)
        return
    fresh, fresh_expected, title = another(solved[-1])
    run(fresh, fresh_expected, console, title, on_done)
    console.write("\n" + say("another_back", session.lang) + "\n", "bold")


def _act(session, expected, worked, console, answer_id, line, picture) -> Session:
    """One line of input: a command or an answer."""
    lang = session.lang
    if line is None or line.strip().lower() == "q":
        if line is None:
            console.write("\n", None)
        return quiz.stop(session)
    command = line.strip()
    if command == "?":
        session, hint = quiz.use_hint(session, worked, answer_id)
        console.write(render.hint_text(hint) + "\n", "cyan")
    elif command.lower() == "s":
        session, shown = quiz.reveal(session, worked, answer_id)
        console.write(render.solution_text(shown) + "\n", "cyan")
        if picture:
            console.write(say("picture", lang, command=picture) + "\n", None)
    elif not command:
        if session.state(answer_id).attempts:
            session = quiz.move_on(session, answer_id)
        else:
            console.write(say("type_something", lang) + "\n", None)
    else:
        session, result = quiz.submit(session, expected, answer_id, command)
        console.write(render.verdict_text(result, lang) + "\n", STYLES[result.status])
        if result.status != "correct":
            console.write(say("try_again", lang) + "\n", None)
    return session

