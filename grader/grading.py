"""Grading one variant: a student's raw answers in, a typed result with feedback out.

Pure: no printing, no files. :func:`expectations` prepares what grading needs for a whole
class at once (the key and every typical wrong value, in numpy); :func:`grade` then judges
one student's answers against one :class:`Expected`.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Literal

import numpy as np
import sympy

from grader.compare import DEFAULT, Tolerance, allowed_error, within
from grader.equivalence import evaluate_expr, exactly_equal, same_values
from grader.equivalence import points as sample_points
from grader.evaluate import (
    as_arrays,
    batch_quantities,
    exact_choices,
    inputs_of,
    local_value,
    update_baseline,
)
from grader.family import Answer, Family
from grader.messages import message, mistake_text
from grader.mistakes import Mistake, numeric_mistakes, relative_gaps, symbolic_mistakes, tolerance_cap
from grader.parsing import ParseError, evaluate, explain, parse, parse_number, to_sympy
from grader.variants import Variant

Status = Literal["correct", "incorrect", "invalid", "missing"]
Raw = str | int | float | None


@dataclass(frozen=True)
class Settings:
    """How answers are judged: tolerances (default and per answer), points, carried-forward credit.

    ``carried_forward_credit`` is the share of an answer's points given when it is wrong only
    because an earlier answer was (default 1: full credit for a right method); ``selected``
    limits the question to some of the family's answers.
    """

    tolerance: Tolerance = DEFAULT
    tolerances: Mapping[str, Tolerance] = field(default_factory=dict)
    points: Mapping[str, float] = field(default_factory=dict)
    carried_forward_credit: float = 1.0
    selected: tuple[str, ...] | None = None

    def asks(self, answer: Answer) -> bool:
        """Whether this answer is part of the question (all are, unless some are selected)."""
        return self.selected is None or answer.id in self.selected

    def tolerance_for(self, answer_id: str) -> Tolerance:
        """The tolerance of one answer."""
        return self.tolerances.get(answer_id, self.tolerance)

    def points_for(self, answer: Answer) -> float:
        """The points of one answer."""
        return float(self.points.get(answer.id, answer.points))


@dataclass(frozen=True)
class AnswerResult:
    """The verdict on one answer."""

    id: str
    status: Status
    score: float
    max: float
    feedback: str
    mistake: str | None = None
    carried_forward: bool = False
    given: str = ""


@dataclass(frozen=True)
class Result:
    """The verdicts on all answers of one variant."""

    answers: tuple[AnswerResult, ...]

    @property
    def score(self) -> float:
        """Points earned."""
        return sum(a.score for a in self.answers)

    @property
    def max(self) -> float:
        """Points available."""
        return sum(a.max for a in self.answers)

    def answer(self, answer_id: str) -> AnswerResult:
        """The verdict on one answer."""
        return next(a for a in self.answers if a.id == answer_id)

    def to_json(self) -> dict:
        """The stable JSON form used by ``grader check --json``."""
        return {
            "score": self.score,
            "max": self.max,
            "answers": {
                a.id: {
                    "status": a.status, "score": a.score, "max": a.max, "feedback": a.feedback,
                    "mistake": a.mistake, "carried_forward": a.carried_forward,
                }
                for a in self.answers
            },
        }


class Batch:
    """The shared arrays of a batch of variants of one family.

    The typical wrong values are computed on first use, for the whole batch at once: a
    class run needs them, a notebook cell whose answers are all right never pays for them.
    """

    def __init__(self, family: Family, params: Mapping[str, np.ndarray]) -> None:
        self.family = family
        self.params = params
        self.columns = {**params, **batch_quantities(family.derivation(), params)}

    @cached_property
    def wrong(self) -> dict[str, list[tuple[Mistake, np.ndarray]]]:
        """For each numeric answer, its typical wrong values over the batch."""
        return numeric_mistakes(self.family, self.params, self.columns)

    @cached_property
    def gaps(self) -> dict[str, np.ndarray]:
        """For each numeric answer, the relative distance from the key to the nearest mistake."""
        return relative_gaps(self.family, self.columns, self.wrong)


@dataclass(frozen=True, eq=False)
class Expected:
    """Everything grading one variant needs: key values, typical wrong values, choices.

    ``row`` indexes this variant in its batch's shared arrays, so preparing a class costs
    one numpy pass and no per-student copies.
    """

    variant: Variant
    row: int
    batch: Batch

    @property
    def values(self) -> _Row:
        """Every parameter and quantity of this variant as floats."""
        return _Row(self.batch.columns, self.row)

    def mistakes(self, answer_id: str) -> list[tuple[Mistake, float]]:
        """The typical wrong values of one numeric answer."""
        return [(m, float(values[self.row])) for m, values in self.batch.wrong.get(answer_id, ())]

    def tolerance(self, answer_id: str, tolerance: Tolerance) -> Tolerance:
        """``tolerance``, or a tighter one where a named mistake of this variant lies closer.

        Drawn variants meet the conditioning rules, so this never bites for them (and their
        mistakes need not be computed); a fixed variant (the seed's numbers, ``key`` None)
        gets a tolerance below half the distance to its nearest mistake.
        """
        if self.variant.key is not None:
            return tolerance
        cap = tolerance_cap(float(self.batch.gaps[answer_id][self.row]))
        if cap is None:
            return tolerance
        baseline = update_baseline(self.variant.family.derivation(), answer_id)
        target = self.values[answer_id] - (self.values[baseline] if baseline else 0.0)
        return cap if allowed_error(target, cap) < allowed_error(target, tolerance) else tolerance

    @cached_property
    def choices(self) -> dict[str, str]:
        """The right option of every choice answer, decided exactly."""
        return exact_choices(self.variant.family.derivation(), self.variant.params)


class _Row(Mapping):
    """One variant's values, read from the batch's columns."""

    def __init__(self, columns: Mapping[str, np.ndarray], row: int) -> None:
        self._columns, self._row = columns, row

    def __getitem__(self, name: str) -> float:
        return float(self._columns[name][self._row])

    def __iter__(self):
        return iter(self._columns)

    def __len__(self) -> int:
        return len(self._columns)


def expectations(family: Family, variants: Sequence[Variant]) -> list[Expected]:
    """What grading needs for many variants of one family, prepared in one numpy pass."""
    batch = Batch(family, as_arrays([v.numbers for v in variants], family.params))
    return [Expected(v, i, batch) for i, v in enumerate(variants)]


def expectation(v: Variant) -> Expected:
    """What grading one variant needs."""
    return expectations(v.family, [v])[0]


def grade(
    expected: Expected, answers: Mapping[str, Raw], settings: Settings = Settings(), lang: str = "en"
) -> Result:
    """Judge a student's raw answers (strings or numbers) for one variant."""
    family = expected.variant.family
    numbers = _read_numbers(family, answers)
    results = []
    for answer in filter(settings.asks, family.answers):
        raw = answers.get(answer.id)
        judge = {"numeric": _numeric, "symbolic": _symbolic, "choice": _choice}[answer.kind]
        results.append(judge(expected, answer, raw, numbers, settings, lang))
    return Result(tuple(results))


def _read_numbers(family: Family, answers: Mapping[str, Raw]) -> dict[str, float | Exception]:
    """Each non-blank numeric answer read once: its value, or why it could not be read."""
    read: dict[str, float | Exception] = {}
    for a in family.answers:
        if a.kind == "numeric" and not _blank(answers.get(a.id)):
            try:
                read[a.id] = _to_number(answers[a.id])
            except (ParseError, ValueError) as error:
                read[a.id] = error
    return read


def _finite(numbers: Mapping[str, float | Exception]) -> dict[str, float]:
    """The answers that were read as finite numbers."""
    return {k: v for k, v in numbers.items() if isinstance(v, float) and math.isfinite(v)}


def _to_number(raw: Raw) -> float:
    if isinstance(raw, bool):
        raise ValueError("a truth value is not a number")
    if isinstance(raw, (int, float)):
        return float(raw)
    return parse_number(str(raw))


def _text(raw: Raw) -> str:
    return "" if raw is None else str(raw)


def _blank(raw: Raw) -> bool:
    return raw is None or (isinstance(raw, str) and not raw.strip())


def _missing(answer: Answer, raw: Raw, points: float, lang: str) -> AnswerResult:
    key = "missing" if raw is None else "blank"
    return AnswerResult(answer.id, "missing", 0.0, points, message(key, lang), given=_text(raw))


def _numeric(expected, answer, raw, numbers, settings, lang) -> AnswerResult:
    points = settings.points_for(answer)
    if _blank(raw):
        return _missing(answer, raw, points, lang)
    given = _text(raw)
    value = numbers[answer.id]
    if isinstance(value, ParseError):
        return AnswerResult(answer.id, "invalid", 0.0, points, explain(value, lang), given=given)
    if isinstance(value, Exception) or not math.isfinite(value):
        return AnswerResult(answer.id, "invalid", 0.0, points,
                            message("not_finite", lang, value=given), given=given)
    tolerance = expected.tolerance(answer.id, settings.tolerance_for(answer.id))
    key = expected.values[answer.id]
    close = _closeness(expected, answer.id, tolerance)
    if close(value, key):
        return AnswerResult(answer.id, "correct", points, points, message("correct", lang), given=given)
    carried = _carried_forward(expected, answer.id, value, _finite(numbers), tolerance, close)
    if carried:
        score = points * settings.carried_forward_credit
        feedback = message("carried_forward", lang, inputs=", ".join(carried))
        return AnswerResult(answer.id, "correct", score, points, feedback, carried_forward=True,
                            given=given)
    mistake = _named_mistake(expected, answer.id, value, key, close,
                             _closeness(expected, answer.id, _widened(tolerance)))
    if mistake is not None:
        return _with_mistake(answer.id, points, mistake, lang, given)
    feedback = message("incorrect_numeric", lang, tolerance=tolerance.describe())
    return AnswerResult(answer.id, "incorrect", 0.0, points, feedback, given=given)


def _closeness(expected: Expected, answer_id: str, tolerance: Tolerance):
    """How to compare a value with a target for this answer: an update is judged by its step."""
    baseline = update_baseline(expected.variant.family.derivation(), answer_id)
    if baseline is None:
        return lambda value, target: within(value, target, tolerance)
    origin = expected.values[baseline]
    return lambda value, target: within(value - origin, target - origin, tolerance)


def _widened(tolerance: Tolerance) -> Tolerance:
    """Three times ``tolerance`` (one significant figure fewer): near enough to be confused."""
    if tolerance.mode == "sigfigs":
        return Tolerance("sigfigs", max(1, tolerance.value - 1), tolerance.floor)
    return Tolerance(tolerance.mode, 3 * tolerance.value, tolerance.floor)


def _named_mistake(expected, answer_id, value, key, close, near) -> Mistake | None:
    """The one named mistake whose re-derived value matches, or None.

    No label when a mistake of another name is ``near`` too (the value cannot tell them
    apart), nor for a mistake whose value leaves an updated quantity unchanged (that is no
    step at all), unless it is the value of another answer (``w_2`` given ``w_1``'s value).
    """
    baseline = update_baseline(expected.variant.family.derivation(), answer_id)
    origin = expected.values[baseline] if baseline else math.nan
    candidates = [
        (mistake, wrong) for mistake, wrong in expected.mistakes(answer_id)
        if not close(wrong, key) and (mistake.name == "off_by_one" or not close(wrong, origin))
    ]
    matching = [m for m, wrong in candidates if close(value, wrong)]
    if not matching:
        return None
    confused = {m.name for m, wrong in candidates if near(value, wrong)}
    return matching[0] if confused == {matching[0].name} else None


def _carried_forward(expected, answer_id, value, numbers, tolerance, close) -> list[str]:
    """The earlier answers this one follows from, if it is right given the student's own values."""
    derivation = expected.variant.family.derivation()
    inputs = inputs_of(derivation, answer_id)
    differing = [
        name for name in inputs
        if name in numbers and not within(numbers[name], expected.values[name], tolerance)
    ]
    if not differing:
        return []
    values = {name: numbers.get(name, expected.values[name]) for name in inputs}
    if close(value, local_value(derivation, answer_id, values)):
        return differing
    return []


def _with_mistake(answer_id, points, mistake: Mistake, lang, given) -> AnswerResult:
    text = message("mistake", lang, mistake=mistake_text(mistake.name, lang, **dict(mistake.fields)))
    return AnswerResult(answer_id, "incorrect", 0.0, points, text, mistake=mistake.name, given=given)


def _symbolic(expected, answer, raw, numbers, settings, lang) -> AnswerResult:
    points = settings.points_for(answer)
    if _blank(raw):
        return _missing(answer, raw, points, lang)
    given = _text(raw)
    family = expected.variant.family
    symbolic = family.derivation().symbolic[answer.id]
    try:
        node = parse(given, symbolic.symbols)
        student_expr = to_sympy(node, {n: sympy.Symbol(n) for n in symbolic.symbols})
    except ParseError as error:
        return AnswerResult(answer.id, "invalid", 0.0, points, explain(error, lang), given=given)
    key_expr = symbolic.for_variant(expected.variant.params)
    correct = AnswerResult(answer.id, "correct", points, points, message("correct", lang), given=given)
    if exactly_equal(student_expr, key_expr):
        return correct
    at = sample_points(family, answer.id, expected.variant.numbers)
    with np.errstate(all="ignore"):
        student_values = np.asarray(evaluate(node, at.values), dtype=float)
    if same_values(student_values, evaluate_expr(symbolic.expr, at)):
        return correct
    for mistake, wrong in symbolic_mistakes(family, answer.id):
        if same_values(student_values, evaluate_expr(wrong, at)):
            return _with_mistake(answer.id, points, mistake, lang, given)
    return AnswerResult(answer.id, "incorrect", 0.0, points, message("incorrect_symbolic", lang),
                        given=given)


OPTION_NOISE = re.compile(r"[\s_()\[\].:]+")


def _choice(expected, answer, raw, numbers, settings, lang) -> AnswerResult:
    points = settings.points_for(answer)
    if _blank(raw):
        return _missing(answer, raw, points, lang)
    given = _text(raw)
    chosen = OPTION_NOISE.sub("-", given.strip().lower()).strip("-")
    options = {o.lower(): o for o in answer.options}
    if chosen not in options:
        feedback = message("unknown_option", lang, value=given[:40], options=", ".join(answer.options))
        return AnswerResult(answer.id, "invalid", 0.0, points, feedback, given=given)
    if options[chosen] == expected.choices[answer.id]:
        return AnswerResult(answer.id, "correct", points, points, message("correct", lang), given=given)
    feedback = message("incorrect_choice", lang)
    why = expected.variant.family.derivation().choices[answer.id].why
    if why is not None:
        feedback += ("" if lang == "zh" else " ") + why(expected.variant.params, options[chosen], lang)
    return AnswerResult(answer.id, "incorrect", 0.0, points, feedback, given=given)
