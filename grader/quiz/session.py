"""The state of one self-quiz and its transitions, as pure functions on frozen dataclasses.

A :class:`Session` asks some of a variant's answers in the order a person solves the
problem (the family's ``Answer.step`` groups them). Each transition returns a new session:
:func:`submit` grades one answer with :func:`grader.core.grading.grade`, passing the student's
earlier answers along so that a value that is wrong only because an earlier one was gets
the carried-forward verdict; :func:`use_hint`, :func:`show_solution`, :func:`move_on` and
:func:`stop` record what the student did. :func:`summarize` gives the closing summary.
No printing, no files: the terminal and notebook adapters do that.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Literal

from grader.core.family import Answer, Family
from grader.core.grading import AnswerResult, Expected, Raw, Settings, grade
from grader.core.kinds import is_number
from grader.core.variants import Variant, canonical, variant
from grader.quiz.explain import Hint, StepSolution, Worked, answer_solution, hint, solution

Outcome = Literal["first", "later", "wrong", "shown", "open"]
GRADED = ("correct", "incorrect")
ASSIGNMENT = "quiz"  # the variant of seed N is that of student "N" in the assignment "quiz"
PICTURES = {"gd_linear": "descent", "backprop_222": "network", "local_minima": "minima"}  # see grader.quiz.plots


def quiz_variant(family: Family, seed: int | None, use_canonical: bool = False) -> Variant:
    """The variant a quiz (and ``grader plot --seed``) uses; the seed article's with ``use_canonical``."""
    return canonical(family) if use_canonical else variant(family, ASSIGNMENT, str(seed))


@dataclass(frozen=True)
class Attempt:
    """One answer the student typed and the grader's verdict on it."""

    given: str
    status: str
    feedback: str
    mistake: str | None = None
    carried_forward: bool = False

    @classmethod
    def of(cls, result: AnswerResult) -> Attempt:
        """The attempt recorded from a grader verdict."""
        return cls(result.given, result.status, result.feedback, result.mistake, result.carried_forward)


@dataclass(frozen=True)
class AnswerState:
    """What happened to one asked answer so far."""

    id: str
    attempts: tuple[Attempt, ...] = ()
    hints: int = 0
    shown: bool = False
    moved_on: bool = False

    @property
    def graded(self) -> tuple[Attempt, ...]:
        """The attempts the grader could judge (not unreadable ones)."""
        return tuple(a for a in self.attempts if a.status in GRADED)

    @property
    def correct(self) -> bool:
        """Whether the latest judged attempt is correct."""
        return bool(self.graded) and self.graded[-1].status == "correct"

    @property
    def done(self) -> bool:
        """Whether the quiz moves past this answer: right, solution shown, or left as it is."""
        return self.correct or self.shown or self.moved_on

    @property
    def outcome(self) -> Outcome:
        """How the answer ended: right first time, right later, left wrong, shown, or open."""
        if self.graded and self.graded[0].status == "correct" and self.correct:
            return "first"
        if self.correct:
            return "later"
        if self.shown:
            return "shown"
        return "wrong" if self.graded else "open"

    @property
    def value(self) -> str | None:
        """The student's standing answer (the latest judged one), if any."""
        return self.graded[-1].given if self.graded else None


@dataclass(frozen=True)
class Session:
    """One quiz on one variant: the answers asked, the answers given as data, what happened."""

    variant: Variant
    lang: str
    asked: tuple[str, ...]
    states: tuple[AnswerState, ...]
    given: tuple[str, ...] = ()
    stopped: bool = False

    @property
    def family(self):
        """The variant's family."""
        return self.variant.family

    def state(self, answer_id: str) -> AnswerState:
        """The state of one asked answer (KeyError if it is not asked)."""
        for s in self.states:
            if s.id == answer_id:
                return s
        raise KeyError(answer_id)

    def answer(self, answer_id: str) -> Answer:
        """The family's description of an answer."""
        return self.family.answer(answer_id)

    @property
    def steps(self) -> tuple[tuple[str, tuple[str, ...]], ...]:
        """The asked answers grouped by step, in solving order."""
        return group_steps([self.answer(a) for a in self.asked])

    def step_of(self, answer_id: str) -> str:
        """The step an answer belongs to."""
        return self.answer(answer_id).step

    @property
    def current(self) -> str | None:
        """The first asked answer not yet done, or None when all are (or the quiz stopped)."""
        if self.stopped:
            return None
        return next((s.id for s in self.states if not s.done), None)

    @property
    def finished(self) -> bool:
        """Whether nothing is left to ask."""
        return self.current is None


def group_steps(answers: Sequence[Answer]) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """Answers grouped by their step, steps in order of first appearance."""
    order: dict[str, list[str]] = {}
    for a in answers:
        order.setdefault(a.step, []).append(a.id)
    return tuple((step, tuple(ids)) for step, ids in order.items())


def family_steps(variant: Variant) -> tuple[str, ...]:
    """The steps of the variant's family in solving order."""
    return tuple(step for step, _ in group_steps(variant.family.answers))


def new_session(variant: Variant, lang: str = "en", steps: Sequence[str] | None = None) -> Session:
    """A quiz on ``variant``: every answer, or only those of ``steps`` with the earlier ones given.

    >>> from grader.families import get_family
    >>> from grader.core.variants import canonical
    >>> s = new_session(canonical(get_family("backprop_222")), steps=["hidden deltas"])
    >>> s.asked, s.given[-2:]
    (('delta_h1', 'delta_h2'), ('delta_o1', 'delta_o2'))
    """
    answers = variant.family.answers
    if steps is None:
        asked = tuple(a.id for a in answers)
        given: tuple[str, ...] = ()
    else:
        unknown = [s for s in steps if s not in family_steps(variant)]
        if unknown:
            raise KeyError(unknown[0])
        first = min(family_steps(variant).index(s) for s in steps)
        earlier = set(family_steps(variant)[:first])
        asked = tuple(a.id for a in answers if a.step in steps)
        given = tuple(a.id for a in answers if a.step in earlier and is_number(a))
    return Session(variant, lang, asked, tuple(AnswerState(a) for a in asked), given)


def _updated(session: Session, answer_id: str, change: Callable[[AnswerState], AnswerState]) -> Session:
    """The session with ``change`` applied to the state of ``answer_id`` (unchanged if it is not asked)."""
    states = tuple(change(s) if s.id == answer_id else s for s in session.states)
    return replace(session, states=states)


def student_answers(session: Session) -> dict[str, str]:
    """The student's standing answers (answers whose solution was shown before a right one are left out)."""
    return {s.id: s.value for s in session.states if s.value is not None and not (s.shown and not s.correct)}


def submit(session: Session, expected: Expected, answer_id: str, raw: Raw) -> tuple[Session, AnswerResult]:
    """Grade one answer given the student's earlier answers; the attempt is recorded."""
    state = session.state(answer_id)
    answers: dict[str, Raw] = {**student_answers(session), answer_id: raw}
    result = grade(expected, answers, Settings(selected=(answer_id,)), session.lang).answer(answer_id)
    attempt = Attempt.of(result)
    return _updated(session, answer_id, lambda s: replace(s, attempts=(*state.attempts, attempt))), result


def use_hint(session: Session, worked: Worked, answer_id: str) -> tuple[Session, Hint]:
    """The next hint for an answer (idea, then formula, then numbers); asking for it is recorded."""
    state = session.state(answer_id)
    shown = hint(worked, session.answer(answer_id), session.lang, level=state.hints + 1)
    return _updated(session, answer_id, lambda s: replace(s, hints=s.hints + 1)), shown


def reveal(session: Session, worked: Worked, answer_id: str) -> tuple[Session, StepSolution]:
    """The worked solution of one answer only; that answer (not yet done) counts as shown."""
    if not session.state(answer_id).done:
        session = _updated(session, answer_id, lambda s: replace(s, shown=True))
    return session, answer_solution(worked, session.answer(answer_id), session.lang)


def show_solution(session: Session, worked: Worked, step: str) -> tuple[Session, StepSolution]:
    """The worked solution of one step; its answers not yet done count as shown."""
    ids = dict(session.steps).get(step) or tuple(a.id for a in session.family.answers if a.step == step)
    for answer_id in ids:
        if answer_id in session.asked and not session.state(answer_id).done:
            session = _updated(session, answer_id, lambda s: replace(s, shown=True))
    answers = tuple(session.answer(a) for a in ids)
    return session, solution(worked, step, answers, session.lang)


def move_on(session: Session, answer_id: str) -> Session:
    """Leave an answer as it stands and go on."""
    return _updated(session, answer_id, lambda s: replace(s, moved_on=True))


def stop(session: Session) -> Session:
    """End the quiz early."""
    return replace(session, stopped=True)


def solved_steps(session: Session) -> tuple[str, ...]:
    """The steps whose asked answers are all done, in solving order."""
    return tuple(step for step, ids in session.steps if all(session.state(a).done for a in ids))


def replay(session: Session, expected: Expected, states: Sequence[AnswerState]) -> Session:
    """The session after redoing what ``states`` record (a resumed quiz): the same answers typed
    again in order, the same hints and shown solutions. Answers not asked here are ignored."""
    for saved in states:
        if saved.id not in session.asked:
            continue
        for attempt in saved.attempts:
            session, _ = submit(session, expected, saved.id, attempt.given)
        session = _updated(session, saved.id, _marks_of(saved))
    return session


def _marks_of(saved: AnswerState) -> Callable[[AnswerState], AnswerState]:
    """A change giving a state the hints, shown and moved-on marks that ``saved`` records."""
    return lambda s: replace(s, hints=saved.hints, shown=saved.shown, moved_on=saved.moved_on)


def newly_done(before: Session, after: Session) -> tuple[AnswerState, ...]:
    """The answers that a transition finished (to record them once in the progress file)."""
    return tuple(b for a, b in zip(before.states, after.states, strict=True) if b.done and not a.done)


@dataclass(frozen=True)
class StepTally:
    """How one step went: answers right (first try or later) out of those asked."""

    step: str
    right: int
    total: int


@dataclass(frozen=True)
class Summary:
    """The closing summary of a quiz."""

    score: float
    max: float
    outcomes: tuple[tuple[str, int], ...]
    steps: tuple[StepTally, ...]
    mistakes: tuple[tuple[str, str], ...]  # (answer id, the grader's feedback naming the mistake)
    hints: int
    asked: int
    family: Family  # names the steps

    def count(self, outcome: Outcome) -> int:
        """How many answers ended with this outcome."""
        return dict(self.outcomes).get(outcome, 0)


def summarize(session: Session, expected: Expected) -> Summary:
    """Grade the standing answers (shown solutions score nothing) and count what happened."""
    result = grade(expected, student_answers(session), Settings(selected=session.asked), session.lang)
    outcomes = [s.outcome for s in session.states]
    steps = tuple(
        StepTally(step, sum(session.state(a).outcome in ("first", "later") for a in ids), len(ids))
        for step, ids in session.steps
    )
    mistakes: list[tuple[str, str]] = []
    for s in session.states:
        for attempt in s.attempts:
            if attempt.mistake and (s.id, attempt.feedback) not in mistakes:
                mistakes.append((s.id, attempt.feedback))
    return Summary(
        score=result.score,
        max=result.max,
        outcomes=tuple((o, outcomes.count(o)) for o in ("first", "later", "wrong", "shown", "open")),
        steps=steps,
        mistakes=tuple(mistakes),
        hints=sum(s.hints for s in session.states),
        asked=len(session.asked),
        family=session.family,
    )
