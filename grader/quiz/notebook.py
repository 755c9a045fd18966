"""The quiz in Jupyter: a :class:`Quiz` whose methods return objects that render themselves.

>>> from grader import quiz
>>> q = quiz.start("backprop_222", canonical=True)
>>> print(q.check("delta_o1", 0.1385))
✓ delta_o1 = 0.1385: right.

Each returned object has ``_repr_html_`` (formulas as ``$...$`` LaTeX, typeset by the
notebook's MathJax) and a plain ``__str__``/``__repr__`` for terminals, in the manner of
otter-grader's ``Notebook.check``. The state lives in a frozen :class:`Session` that each
call replaces; the grading is :func:`grader.core.grading.grade`.
"""

from __future__ import annotations

import base64
import html
import secrets
import warnings
from dataclasses import dataclass
from functools import cached_property

from grader.core.grading import AnswerResult, Expected, expectation
from grader.core.variants import Variant
from grader.families import FAMILIES, UnknownFamily, get_family
from grader.quiz import render
from grader.quiz import session as quiz
from grader.quiz.explain import Hint, StepSolution, Worked
from grader.quiz.session import PICTURES, Session, Summary, quiz_variant
from grader.quiz.text import LANGS, say


@dataclass(frozen=True)
class Verdict:
    """The grader's verdict on one answer."""

    result: AnswerResult
    lang: str = "en"

    @property
    def correct(self) -> bool:
        """Whether the answer was accepted (carried forward included)."""
        return self.result.status == "correct"

    @property
    def mistake(self) -> str | None:
        """The named mistake, if one was recognised."""
        return self.result.mistake

    def __str__(self) -> str:
        return render.verdict_text(self.result, self.lang)

    __repr__ = __str__

    def _repr_html_(self) -> str:
        return render.verdict_html(self.result, self.lang)


@dataclass(frozen=True)
class HintView:
    """A hint, rendered."""

    hint: Hint

    def __str__(self) -> str:
        return render.hint_text(self.hint)

    __repr__ = __str__

    def _repr_html_(self) -> str:
        return render.hint_html(self.hint)


@dataclass(frozen=True)
class Picture:
    """A PNG image; shown inline by Jupyter."""

    png: bytes
    caption: str = ""  # the text alternative: what the picture shows, with its numbers
    note: str = ""  # e.g. how to install a Chinese font when none was found

    def _repr_png_(self) -> bytes:
        return self.png

    def html(self) -> str:
        """The image as an HTML <img> element with its text alternative as alt text."""
        data = base64.b64encode(self.png).decode("ascii")
        note = f'<p style="color:#9a6700">{html.escape(self.note)}</p>' if self.note else ""
        return (f'<img src="data:image/png;base64,{data}" alt="{html.escape(self.caption)}" style="max-width:100%">'
                + note)

    def __str__(self) -> str:
        return f"<picture ({len(self.png)} bytes of PNG): {self.caption}>"

    __repr__ = __str__


@dataclass(frozen=True)
class SolutionView:
    """Worked solutions of one or more steps, with the variant's picture when there is one."""

    steps: tuple[StepSolution, ...]
    picture: Picture | None = None

    def __str__(self) -> str:
        return "\n".join(render.solution_text(s) for s in self.steps)

    __repr__ = __str__

    def _repr_html_(self) -> str:
        body = "".join(render.solution_html(s) for s in self.steps)
        return body + (self.picture.html() if self.picture else "")


@dataclass(frozen=True)
class SummaryView:
    """The summary of the quiz so far."""

    summary: Summary
    lang: str = "en"

    def __str__(self) -> str:
        return render.summary_text(self.summary, self.lang)

    __repr__ = __str__

    def _repr_html_(self) -> str:
        return render.summary_html(self.summary, self.lang)


@dataclass(frozen=True)
class Notice:
    """A message for the student, e.g. an answer id that does not exist."""

    text: str

    def __str__(self) -> str:
        return self.text

    __repr__ = __str__

    def _repr_html_(self) -> str:
        return f'<div style="color:#9a6700">{html.escape(self.text)}</div>'


class Quiz:
    """A self-quiz on one variant; each method returns an object that renders itself."""

    def __init__(self, chosen: Variant, lang: str = "en", seed: int | None = None) -> None:
        self.session: Session = quiz.new_session(chosen, lang)
        self.seed = seed

    @property
    def variant(self) -> Variant:
        """The problem's variant."""
        return self.session.variant

    @property
    def lang(self) -> str:
        """The language of the messages."""
        return self.session.lang

    @cached_property
    def expected(self) -> Expected:
        """What grading this variant needs (computed once)."""
        return expectation(self.variant)

    @cached_property
    def worked(self) -> Worked:
        """The variant's exact values, for hints and solutions."""
        return Worked(self.variant)

    @property
    def answers(self) -> tuple[str, ...]:
        """The answer ids, in solving order."""
        return self.session.asked

    @property
    def steps(self) -> tuple[str, ...]:
        """The step names, in solving order."""
        return tuple(step for step, _ in self.session.steps)

    def _unknown(self, answer_id: str) -> Notice | None:
        if answer_id in self.session.asked:
            return None
        return Notice(say("unknown_answer", self.lang, answer=answer_id, family=self.variant.family.name,
                          answers=", ".join(self.session.asked)))

    def check(self, answer_id: str, value: object) -> Verdict | Notice:
        """Grade one answer (a number, a formula as text, or an option) given your earlier answers."""
        unknown = self._unknown(answer_id)
        if unknown:
            return unknown
        raw = value if value is None or isinstance(value, (str, int, float)) else str(value)
        self.session, result = quiz.submit(self.session, self.expected, answer_id, raw)
        return Verdict(result, self.lang)

    def hint(self, answer_id: str | None = None) -> HintView | Notice:
        """A hint for an answer (default: the first one not yet right): the formula to use, never the value."""
        answer_id = answer_id or self.session.current or self.session.asked[0]
        unknown = self._unknown(answer_id)
        if unknown:
            return unknown
        self.session, shown = quiz.use_hint(self.session, self.worked, answer_id)
        return HintView(shown)

    def solution(self, which: str | int | None = None) -> SolutionView | Notice:
        """The worked solution: of every step, of one step (name or number from 1), or of an answer's step."""
        steps = self.steps
        family = self.variant.family
        named = {family.step_name(step, self.lang): step for step in steps}  # '隐藏层误差项' is 'hidden deltas'
        if which is None:
            chosen = steps
        elif isinstance(which, int) and 1 <= which <= len(steps):
            chosen = (steps[which - 1],)
        elif which in steps:
            chosen = (which,)
        elif which in named:
            chosen = (named[which],)
        elif which in self.session.asked:
            chosen = (self.session.step_of(which),)
        else:
            return Notice(say("unknown_step", self.lang, step=which, family=self.variant.family.name,
                              steps=", ".join(named)))
        shown = []
        for step in chosen:
            self.session, worked = quiz.show_solution(self.session, self.worked, step)
            shown.append(worked)
        return SolutionView(tuple(shown), self.plot())

    def another(self, step: str | None = None, seed: int | None = None) -> Quiz | Notice:
        """Another problem like a step (default: the last one solved) on fresh numbers, as a new quiz."""
        solved = quiz.solved_steps(self.session)
        named = {self.variant.family.step_name(s, self.lang): s for s in self.steps}
        step = named.get(step, step) if step else (solved[-1] if solved else None)
        if step not in self.steps:
            return Notice(say("another_none", self.lang) if step is None else
                          say("unknown_step", self.lang, step=step, family=self.variant.family.name,
                              steps=", ".join(named)))
        seed = secrets.randbelow(1_000_000) if seed is None else seed
        fresh = Quiz(quiz_variant(self.variant.family, seed), self.lang, seed)
        fresh.session = quiz.new_session(fresh.variant, self.lang, [step])
        return fresh

    def boxes(self, step: str | int | None = None):
        """Input boxes for one step (default: the current one) with a live "read as" preview and the verdict."""
        try:
            from grader.quiz import widgets
        except ImportError:
            return Notice(say("no_widgets", self.lang))
        named = {self.variant.family.step_name(s, self.lang): s for s in self.steps}
        if isinstance(step, int) and 1 <= step <= len(self.steps):
            step = self.steps[step - 1]
        if isinstance(step, str):
            step = named.get(step, step)
        if step is not None and step not in self.steps:
            return Notice(say("unknown_step", self.lang, step=step, family=self.variant.family.name,
                              steps=", ".join(named)))
        return widgets.boxes(self, step)

    def summary(self) -> SummaryView:
        """Score and counts so far."""
        return SummaryView(quiz.summarize(self.session, self.expected), self.lang)

    def plot(self, kind: str | None = None) -> Picture | None:
        """The variant's picture (network, descent or minima), or another kind of picture by name."""
        kind = kind or PICTURES.get(self.variant.family.name)
        if kind is None:
            return None
        from grader.quiz import plots

        own = plots.FAMILY_OF[kind] == self.variant.family.name
        chosen = self.variant if own else None
        with warnings.catch_warnings(record=True) as missing_font:
            warnings.simplefilter("always")
            png = plots.png_bytes(plots.figure(kind, chosen, self.lang))
        note = " ".join(str(w.message) for w in missing_font)
        return Picture(png, plots.describe(kind, chosen, self.lang), note)

    def _title(self) -> str:
        name = self.variant.family.name
        if self.seed is None:
            return say("title_canonical", self.lang, family=name)
        return say("title", self.lang, family=name, seed=self.seed)

    def _outline(self) -> list[str]:
        lines = []
        for step, ids in self.session.steps:
            marks = " ".join(
                f"{a} {render.MARKS['correct'] if self.session.state(a).correct else '·'}" for a in ids
            )
            lines.append(f"- {self.variant.family.step_name(step, self.lang)}: {marks}")
        return lines

    def _repr_markdown_(self) -> str:
        statement = self.variant.family.statement(self.variant.params, self.lang)
        return "\n".join([f"**{self._title()}**", "", statement, "", *self._outline()])

    def __repr__(self) -> str:
        return "\n".join([self._title(), *self._outline()])


def start(topic: str = "backprop_222", seed: int | None = None, lang: str = "en", canonical: bool = False) -> Quiz:
    """Start a quiz on ``topic`` (a family name): a fresh variant, the one of ``seed`` (as
    ``grader quiz --seed``), or with ``canonical=True`` the seed article's own numbers."""
    if lang not in LANGS:
        raise ValueError(f"lang must be one of {', '.join(LANGS)}, not {lang!r}")
    try:
        fam = get_family(topic)
    except UnknownFamily:
        raise ValueError(f"unknown topic {topic!r}; topics: {', '.join(FAMILIES)}") from None
    if canonical:
        return Quiz(quiz_variant(fam, None, True), lang)
    seed = secrets.randbelow(1_000_000) if seed is None else seed
    return Quiz(quiz_variant(fam, seed), lang, seed)
