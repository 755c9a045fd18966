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
from functools import cache, cached_property, lru_cache
from typing import Literal

import numpy as np
import sympy

from grader.core.compare import DEFAULT, Tolerance, allowed_error, allowed_errors, within
from grader.core.equivalence import evaluate_expr, exactly_equal, parsed_differs, same_values, variant_formula
from grader.core.equivalence import points as sample_points
from grader.core.evaluate import (
    as_arrays,
    batch_quantities,
    exact_choices,
    inputs_of,
    local_value,
    update_baseline,
)
from grader.core.family import Answer, Derivation, Family
from grader.core.kinds import is_number, kind_of
from grader.core.mistakes import Mistake, numeric_mistakes, relative_gaps, symbolic_mistakes, tolerance_cap
from grader.core.variants import Variant
from grader.maths.sigmoid import sigmoid
from grader.reading.parser import (
    MAX_LENGTH,
    Node,
    ParseError,
    evaluate,
    explain,
    names,
    parse,
    parse_number,
    read_as,
    to_sympy,
)
from grader.text.messages import OPTION_GLOSSES, message, mistake_text

Status = Literal["correct", "incorrect", "invalid", "missing"]
Raw = str | int | float | None
TRIVIAL = 0.01  # a step from the student's own values under 1 % of the key's size is no step
SATURATED = 0.01  # a sigmoid unit within this of 0 or 1 makes what follows from it trivial
SAME = Tolerance("relative", 1e-9, floor=1e-12)  # the same number: copied, or left unchanged
STEP_SHOWN = Tolerance("relative", 0.1)  # an update's right step is shown only to a near miss
COPIED_MATCHES = 4  # a classmate's key matched by this many answers, and by more than twice as
# many as the student's own key, marks the answers as copied


@dataclass(frozen=True)
class Settings:
    """How answers are judged: tolerances (default and per answer), points, carried-forward credit.

    ``carried_forward_credit`` is the share of an answer's points given when it is wrong only
    because an earlier answer was (default 1: full credit for a right method);
    ``mistake_credit`` the share given for a named mistake (e.g. ``{"sign_flipped": 0.5}``;
    none by default); ``selected`` limits the question to some of the family's answers.
    """

    tolerance: Tolerance = DEFAULT
    tolerances: Mapping[str, Tolerance] = field(default_factory=dict)
    points: Mapping[str, float] = field(default_factory=dict)
    carried_forward_credit: float = 1.0
    selected: tuple[str, ...] | None = None
    mistake_credit: Mapping[str, float] = field(default_factory=dict)

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
    """The verdict on one answer; ``read_as`` is how a formula answer was read."""

    id: str
    status: Status
    score: float
    max: float
    feedback: str
    mistake: str | None = None
    carried_forward: bool = False
    given: str = ""
    read_as: str = ""


@dataclass(frozen=True)
class Result:
    """The verdicts on all answers of one variant; ``copied_from`` names the classmate whose
    key the answers match far better than the student's own (no carried-forward credit then)."""

    answers: tuple[AnswerResult, ...]
    copied_from: str | None = None

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
                    "read_as": a.read_as or None,
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
        self._targets: dict[tuple[str, Tolerance], tuple[np.ndarray, np.ndarray, np.ndarray]] = {}

    @cached_property
    def wrong(self) -> dict[str, list[tuple[Mistake, np.ndarray]]]:
        """For each numeric answer, its typical wrong values over the batch."""
        return numeric_mistakes(self.family, self.params, self.columns)

    @cached_property
    def mistake_table(self) -> dict[str, tuple[tuple[Mistake, ...], np.ndarray]]:
        """For each numeric answer, its mistakes and their values stacked (mistake x variant)."""
        size = len(next(iter(self.columns.values())))
        return {a: (tuple(m for m, _ in found), np.array([np.broadcast_to(np.asarray(v, dtype=float), (size,))
                                                          for _, v in found]).reshape(len(found), size))
                for a, found in self.wrong.items()}

    def mistake_targets(self, answer_id: str, tolerance: Tolerance) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """How a value is matched against each named mistake of one numeric answer, for the whole
        batch at once (mistake x variant): the mistake's value less the answer's origin (an update is
        judged by its step), the error allowed by ``tolerance`` and by three times it. A mistake that
        cannot be named for a variant (not finite, near the key, or leaving an update unchanged)
        is allowed -1, so that no value matches it. Not for significant figures (see :func:`_close`).
        """
        found = self._targets.get((answer_id, tolerance))
        if found is None:
            mistakes, wrong = self.mistake_table[answer_id]
            baseline = update_baseline(self.family.derivation(), answer_id)
            origin = None if baseline is None else self.columns[baseline]
            reference = self.columns[baseline] if baseline else np.full(wrong.shape[1], math.nan)
            neighbour = np.array([m.name == "off_by_one" for m in mistakes])[:, None]
            with np.errstate(invalid="ignore"):
                candidate = ~_close(wrong, self.columns[answer_id], origin, tolerance) & (
                    neighbour | ~_close(wrong, reference, origin, tolerance))
                shifted = wrong if origin is None else wrong - origin
                named = candidate & np.isfinite(shifted)
                found = (np.where(named, shifted, 0.0), np.where(named, allowed_errors(shifted, tolerance), -1.0),
                         np.where(named, allowed_errors(shifted, _widened(tolerance)), -1.0))
            self._targets[answer_id, tolerance] = found
        return found

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
        found, values = self.mistake_values(answer_id)
        return [(m, float(v)) for m, v in zip(found, values, strict=True)]

    def mistake_values(self, answer_id: str) -> tuple[tuple[Mistake, ...], np.ndarray]:
        """The typical mistakes of one numeric answer and their values, as one array."""
        if answer_id not in self.batch.mistake_table:
            return (), np.zeros(0)
        found, values = self.batch.mistake_table[answer_id]
        return found, values[:, self.row]

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


@dataclass(frozen=True)
class Classmates:
    """The keys of a class's variants of one question: ``values[q][i]`` is quantity ``q`` of
    student ``ids[i]``. Given to :func:`grade` to spot answers copied from a classmate."""

    ids: tuple[str, ...]
    values: Mapping[str, np.ndarray]
    _steps: dict = field(default_factory=dict, init=False, repr=False, compare=False)
    _bounds: dict = field(default_factory=dict, init=False, repr=False, compare=False)

    def step(self, answer_id: str, baseline: str | None, tolerance: Tolerance) -> tuple:
        """Each classmate's origin, step and allowed error for one answer, as arrays computed once
        per class (the origin is 0.0 for an answer that updates nothing)."""
        found = self._steps.get((answer_id, tolerance))
        if found is None:
            origin = 0.0 if baseline is None else self.values[baseline]
            step = self.values[answer_id] - origin
            found = self._steps[answer_id, tolerance] = (origin, step, allowed_errors(step, tolerance))
        return found

    def bounds(self, answer_id: str, baseline: str | None, tolerance: Tolerance) -> tuple:
        """The classmates ordered by their key of one answer, with the running bounds of the values
        each accepts (:meth:`step`): the largest upper end so far and the smallest lower end from
        there on, both widened by ``slack`` (a little more than rounding can move them) and both
        ordered, so that the classmates who may accept a value are one slice, found by bisection."""
        found = self._bounds.get((answer_id, tolerance))
        if found is None:
            origin, step, allowed = self.step(answer_id, baseline, tolerance)
            keys = origin + step
            order = np.argsort(keys, kind="stable")
            slack = 1e-12 * float(sum(np.max(np.abs(a), initial=0.0) for a in (np.asarray(origin), step, keys)))
            with np.errstate(invalid="ignore"):
                upper = np.fmax.accumulate(keys[order] + allowed[order] + slack) if order.size else keys
                lower = np.fmin.accumulate((keys[order] - allowed[order] - slack)[::-1])[::-1] if order.size else keys
            found = self._bounds[answer_id, tolerance] = (order, upper, lower, slack)
        return found


def classmates(ids: Sequence[str], prepared: Sequence[Expected]) -> Classmates:
    """The class's keys from each student's :class:`Expected` (one batch or several)."""
    names = prepared[0].batch.columns if prepared else {}
    return Classmates(tuple(ids), {
        q: np.array([e.batch.columns[q][e.row] for e in prepared], dtype=float) for q in names
    })


def grade(
    expected: Expected, answers: Mapping[str, Raw], settings: Settings = Settings(), lang: str = "en",
    others: Classmates | None = None,
) -> Result:
    """Judge a student's raw answers (strings or numbers) for one variant; ``others`` (the
    class's keys, the student's own among them or not) lets copied answers be recognised."""
    family = expected.variant.family
    numbers = _read_numbers(family, answers)
    given = _finite(numbers)
    copied = None if others is None else copied_from(expected, given, others, settings)
    work = Work(numbers, _OwnValues(expected, given), copied)
    results = []
    for answer in filter(settings.asks, family.answers):
        raw = answers.get(answer.id)
        results.append(kind_of(answer).judge(expected, answer, raw, work, settings, lang))
    return Result(tuple(results), copied)


def copied_from(expected: Expected, given: Mapping[str, float], others: Classmates,
                settings: Settings) -> str | None:
    """The classmate whose key the student's numbers match far better than their own, if any:
    at least ``COPIED_MATCHES`` answers, and more than twice as many as the own key matches."""
    asked = [a.id for a in expected.variant.family.answers
             if is_number(a) and a.id in given and settings.asks(a)]
    if not asked or not others.ids:
        return None
    own = sum(_accepted(expected, a, given[a], settings) for a in asked)
    matches = np.zeros(len(others.ids), dtype=int)
    derivation = expected.variant.family.derivation()
    for a in asked:  # judged as the student's own key judges them: an update by its step
        origin, step, allowed = others.step(a, update_baseline(derivation, a), settings.tolerance_for(a))
        matches += np.abs(given[a] - origin - step) <= allowed
    best = int(np.argmax(matches))
    if matches[best] >= COPIED_MATCHES and matches[best] > 2 * own:
        return others.ids[best]
    return None


@dataclass(frozen=True)
class Work:
    """A student's numbers: each answer as read (a value, or why it could not be read), every
    quantity as their own work makes it (:func:`own_values`), and whose key they copied, if any."""

    read: Mapping[str, float | Exception]
    own: Mapping[str, float]
    copied: str | None = None


def own_values(expected: Expected, given: Mapping[str, float]) -> dict[str, float]:
    """Every quantity as a student's own work makes it: their number where they gave one, else
    computed by its formula from their earlier values and the statement's numbers.

    So a step is judged from the student's ``h1`` and ``h2`` even when the ``o1_in`` between
    them and ``o1`` was not asked for.
    """
    family = expected.variant.family
    derivation = family.derivation()
    values = {p: expected.values[p] for p in family.params}
    for name in _quantity_names(derivation):
        values[name] = given[name] if name in given else local_value(derivation, name, values)
    return values


class _OwnValues(Mapping):
    """:func:`own_values`, worked out when first looked at: a formula's or an option's judge never
    looks, and the student's sheet may hold nothing else."""

    def __init__(self, expected: Expected, given: Mapping[str, float]) -> None:
        self._expected, self._given = expected, given
        self._values: dict[str, float] | None = None

    def _all(self) -> dict[str, float]:
        if self._values is None:
            self._values = own_values(self._expected, self._given)
        return self._values

    def __getitem__(self, name: str) -> float:
        return self._all()[name]

    def __iter__(self):
        return iter(self._all())

    def __len__(self) -> int:
        return len(self._all())


@cache
def _quantity_names(derivation: Derivation) -> tuple[str, ...]:
    """The names of a derivation's quantities, in order."""
    return tuple(str(quantity) for quantity, _ in derivation.quantities)


def _read_numbers(family: Family, answers: Mapping[str, Raw]) -> dict[str, float | Exception]:
    """Each non-blank numeric answer read once: its value, or why it could not be read."""
    return read_answers(tuple(a.id for a in family.answers if is_number(a)), answers)


def read_answers(ids: Sequence[str], answers: Mapping[str, Raw]) -> dict[str, float | Exception]:
    """The answers ``ids`` (numbers, in order) that are not blank, each read: its value, or why it
    could not be read."""
    read: dict[str, float | Exception] = {}
    for answer_id in ids:
        raw = answers.get(answer_id)
        if raw.__class__ is str:  # the common case first: _blank and _to_number, for a str
            if not raw.strip():
                continue
        elif _blank(raw):
            continue
        try:
            read[answer_id] = parse_number(raw) if raw.__class__ is str else _to_number(raw)
        except (ParseError, ValueError) as error:
            read[answer_id] = error
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
    if raw is None:  # the same verdict every time: made once (a sheet with one answer lacks all the others)
        return _absent(answer.id, points, lang)
    return AnswerResult(answer.id, "missing", 0.0, points, message("blank", lang), given=_text(raw))


@lru_cache(maxsize=4096)
def _absent(answer_id: str, points: float, lang: str) -> AnswerResult:
    """The verdict on an answer the student gave no line for."""
    return AnswerResult(answer_id, "missing", 0.0, points, message("missing", lang))


def judge_numeric(expected, answer, raw, work, settings, lang) -> AnswerResult:
    """The verdict on a number: within the tolerance of the key, carried forward or a named mistake."""
    points = settings.points_for(answer)
    if _blank(raw):
        return _missing(answer, raw, points, lang)
    given = _text(raw)
    value = work.read[answer.id]
    if isinstance(value, ParseError):
        return AnswerResult(answer.id, "invalid", 0.0, points, explain(value, lang), given=given)
    if isinstance(value, Exception) or not math.isfinite(value):
        return AnswerResult(answer.id, "invalid", 0.0, points,
                            message("not_finite", lang, value=given), given=given)
    tolerance = expected.tolerance(answer.id, settings.tolerance_for(answer.id))
    key = expected.values[answer.id]
    baseline = update_baseline(expected.variant.family.derivation(), answer.id)
    origin = None if baseline is None else expected.values[baseline]
    close = _closeness(origin, tolerance)

    def verdict(status: Status, score: float, feedback: str, carried: bool = False) -> AnswerResult:
        return AnswerResult(answer.id, status, score, points, feedback, carried_forward=carried, given=given)

    unchanged = origin is not None and any(within(value, o, SAME) for o in (origin, work.own[baseline]))
    if close(value, key) and not unchanged:
        return verdict("correct", points, message("correct", lang))
    own = None if unchanged else _from_own_values(expected, answer.id, value, work, settings, close)
    if own is not None:
        differing, refusal = own
        if not differing:
            return verdict("correct", points, message("correct_own", lang))
        if refusal is None and work.copied is not None:
            refusal = "copied_classmate", {}
        if refusal is None:
            feedback = message("carried_forward", lang, inputs=", ".join(differing))
            return verdict("correct", points * settings.carried_forward_credit, feedback, carried=True)
        return verdict("incorrect", 0.0, message("not_carried", lang, inputs=", ".join(differing),
                                                 why=message(refusal[0], lang, **refusal[1])))
    mistake = _named_mistake(expected, answer.id, value, key, origin, tolerance)
    if mistake is not None:
        return _with_mistake(answer.id, points, mistake, settings, lang, given)
    if unchanged:
        return verdict("incorrect", 0.0, message("unchanged", lang, name=baseline))
    return verdict("incorrect", 0.0, _incorrect_numeric(value, key, origin, baseline, answer.id, tolerance, lang))


def _incorrect_numeric(value, key, origin, baseline, answer_id, tolerance, lang) -> str:
    """Why a number is wrong; an update is judged by its step, which the message says, showing the
    right step only to a near miss (within 10 %), which needs more digits rather than more work."""
    if origin is None:
        return message("incorrect_numeric", lang, tolerance=tolerance.describe(lang))
    step, right = value - origin, key - origin
    if within(step, right, STEP_SHOWN):
        return message("update_digits", lang, name=answer_id, baseline=baseline, step=f"{step:.3g}",
                       expected=f"{right:.3g}", tolerance=tolerance.describe(lang))
    return message("incorrect_update", lang, name=answer_id, baseline=baseline, step=f"{step:.3g}",
                   tolerance=tolerance.describe(lang))


def _closeness(origin: float | None, tolerance: Tolerance):
    """How to compare a value with a target: an update (``origin`` is the value it updates) is
    judged by its step, so that leaving a weight unchanged is never accepted."""
    if origin is None:
        return lambda value, target: within(value, target, tolerance)
    return lambda value, target: within(value - origin, target - origin, tolerance)


def _widened(tolerance: Tolerance) -> Tolerance:
    """Three times ``tolerance`` (one significant figure fewer): near enough to be confused."""
    if tolerance.mode == "sigfigs":
        return Tolerance("sigfigs", max(1, tolerance.value - 1), tolerance.floor)
    return Tolerance(tolerance.mode, 3 * tolerance.value, tolerance.floor)


def _named_mistake(expected, answer_id, value, key, origin, tolerance) -> Mistake | None:
    """The one named mistake whose re-derived value matches, or None.

    No label when a mistake of another name is near too (within three times the tolerance:
    the value cannot tell them apart), nor for a mistake whose value leaves an updated quantity
    unchanged (that is no step at all), unless it is the value of another answer (``w_2`` given
    ``w_1``'s value). Every mistake is compared at once, in numpy, against targets prepared
    for the whole batch (:meth:`Batch.mistake_targets`), or here for significant figures.
    """
    found, wrong = expected.mistake_values(answer_id)
    if not found:
        return None
    if tolerance.mode == "sigfigs":
        matching, near = _sigfig_matches(expected, answer_id, value, key, origin, tolerance, found, wrong)
    else:
        step = value if origin is None else value - origin
        if not math.isfinite(step):
            return None
        shifted, allowed, widened = expected.batch.mistake_targets(answer_id, tolerance)
        distance = np.abs(step - shifted[:, expected.row])
        matching = np.flatnonzero(distance <= allowed[:, expected.row])
        near = np.flatnonzero(distance <= widened[:, expected.row])
    if not matching.size:
        return None
    first = found[matching[0]]
    return first if {found[i].name for i in near} == {first.name} else None


def _sigfig_matches(expected, answer_id, value, key, origin, tolerance, found, wrong) -> tuple[np.ndarray, np.ndarray]:
    """The mistakes a value matches within ``tolerance`` (significant figures) and within three
    times it, each an array of indices into ``found``."""
    baseline = update_baseline(expected.variant.family.derivation(), answer_id)
    reference = expected.values[baseline] if baseline else math.nan
    neighbour = np.array([m.name == "off_by_one" for m in found])
    with np.errstate(invalid="ignore"):
        candidate = ~_close(wrong, key, origin, tolerance) & (neighbour | ~_close(wrong, reference, origin, tolerance))
        return (np.flatnonzero(candidate & _close(value, wrong, origin, tolerance)),
                np.flatnonzero(candidate & _close(value, wrong, origin, _widened(tolerance))))


def _close(values, targets, origin: float | np.ndarray | None, tolerance: Tolerance) -> np.ndarray:
    """``_closeness(origin, tolerance)(value, target)`` element by element (either may be an array,
    and so may ``origin``, except for significant figures)."""
    if tolerance.mode == "sigfigs":  # math.log10, exactly as within() rounds
        close = _closeness(None if origin is None else float(origin), tolerance)
        pairs = np.broadcast_arrays(np.asarray(values, dtype=float), np.asarray(targets, dtype=float))
        return np.array([close(float(v), float(t)) for v, t in zip(*pairs, strict=True)], dtype=bool)
    values, targets = np.asarray(values, dtype=float), np.asarray(targets, dtype=float)
    if origin is not None:
        values, targets = values - origin, targets - origin
    return np.isfinite(values) & np.isfinite(targets) & (np.abs(values - targets) <= allowed_errors(targets, tolerance))


def _accepted(expected: Expected, name: str, value: float, settings: Settings) -> bool:
    """Whether a value of quantity ``name`` is accepted as right (an update by its step)."""
    baseline = update_baseline(expected.variant.family.derivation(), name)
    origin = None if baseline is None else expected.values[baseline]
    return _closeness(origin, expected.tolerance(name, settings.tolerance_for(name)))(value, expected.values[name])


def _from_own_values(expected, answer_id, value, work, settings, close):
    """Whether an answer follows from the student's own earlier values: None if it does not,
    else the earlier values that were not accepted and, if carried-forward credit is refused,
    the reason (a message key and its fields)."""
    derivation = expected.variant.family.derivation()
    target = local_value(derivation, answer_id, work.own)
    if not close(value, target):
        return None
    differing = [n for n in inputs_of(derivation, answer_id)
                 if n not in expected.variant.numbers
                 and not _accepted(expected, n, work.own[n], settings)]
    return differing, _trivial(expected, answer_id, target, work, differing) if differing else None


def _trivial(expected, answer_id, target, work, differing) -> tuple[str, dict] | None:
    """Why the student's own earlier values make this step trivial, if they do: a zero error,
    delta or step, a saturated unit, or a number copied from the statement into a step that
    uses that number too (``o1 = t1`` in ``o1 - t1``)."""
    derivation = expected.variant.family.derivation()
    baseline = update_baseline(derivation, answer_id)
    own_origin, key_origin = (0.0, 0.0) if baseline is None else (work.own[baseline], expected.values[baseline])
    if abs(target - own_origin) <= TRIVIAL * abs(expected.values[answer_id] - key_origin):
        return "trivial_zero", {}
    for name in differing:
        own = work.own[name]
        copied = [p for p in inputs_of(derivation, answer_id) if p in expected.variant.numbers
                  and name in work.read and within(own, expected.values[p], SAME)]
        if copied:
            return "trivial_copied", {"name": name, "param": copied[0]}
        if isinstance(derivation.quantity(name), sigmoid) and not SATURATED < own < 1 - SATURATED:
            return "trivial_saturated", {"name": name, "value": f"{own:.4g}"}
    return None


def _with_mistake(answer_id, points, mistake: Mistake, settings, lang, given, read="") -> AnswerResult:
    """The verdict on an answer that matches a named mistake: no points unless the assignment
    gives this mistake a share (``mistake_credit``)."""
    text = message("mistake", lang, mistake=mistake_text(mistake.name, lang, **dict(mistake.fields)))
    share = float(settings.mistake_credit.get(mistake.name, 0.0))
    if share:
        text = _joined(text, message("mistake_credit", lang, share=f"{share:g}"), lang)
    if read:
        text = _joined(message("read_as", lang, formula=read), text, lang)
    return AnswerResult(answer_id, "incorrect", points * share, points, text, mistake=mistake.name,
                        given=given, read_as=read)


def _joined(first: str, second: str, lang: str) -> str:
    """Two sentences of feedback in a row (no space after a Chinese full stop)."""
    return first + ("" if lang == "zh" else " ") + second


def judge_symbolic(expected, answer, raw, work, settings, lang) -> AnswerResult:
    """The verdict on a formula: equivalent to the key's, a named mistake, or wrong."""
    points = settings.points_for(answer)
    if _blank(raw):
        return _missing(answer, raw, points, lang)
    given = _text(raw)
    family = expected.variant.family
    derivation = family.derivation()
    symbolic = derivation.symbolic[answer.id]
    parsed = (_parsed if len(given) <= MAX_LENGTH else _parse)(given, symbolic.symbols)  # a long text is refused
    if isinstance(parsed, ParseError):
        return AnswerResult(answer.id, "invalid", 0.0, points, explain(parsed, lang), given=given)
    node, read, used = parsed

    def verdict(status: Status, score: float, feedback: str) -> AnswerResult:
        feedback = _joined(message("read_as", lang, formula=read), feedback, lang)
        return AnswerResult(answer.id, status, score, points, feedback, given=given, read_as=read)

    usable = derivation.usable(answer.id)
    restated = sorted(used - set(usable))
    if restated:
        return verdict("invalid", 0.0, message("restates_question", lang, names=", ".join(restated),
                                               asked=symbolic.asks, usable=", ".join(usable)))
    numbers = expected.variant.numbers
    memo = (derivation, answer.id, given, tuple(numbers[p] for p in family.params if p not in symbolic.symbols),
            tuple(numbers[p] for _, p in symbolic.near))
    if memo not in _VERDICTS:
        if len(_VERDICTS) >= MEMO_SIZE:
            _VERDICTS.clear()
        _VERDICTS[memo] = _formula_verdict(expected, answer.id, node)
    found = _VERDICTS[memo]
    if found is True:
        return verdict("correct", points, message("correct", lang))
    if isinstance(found, Mistake):
        return _with_mistake(answer.id, points, found, settings, lang, given, read)
    return verdict("incorrect", 0.0, message("incorrect_symbolic", lang))


MEMO_SIZE = 50_000  # verdicts remembered within a run (small: a few texts and numbers each)
PARSED_SIZE = 5_000  # parsed formulas remembered (parse trees, not sympy's), least recently used first out
_VERDICTS: dict[tuple, bool | Mistake] = {}


def _parse(text: str, symbols: tuple[str, ...]) -> tuple[Node, str, frozenset[str]] | ParseError:
    """A formula answer parsed, as it was read (:func:`read_as`) and the names it uses; or why it was
    refused (sympy's tree is built only if needed)."""
    try:
        node = parse(text, symbols)
        return node, read_as(node), names(node)
    except ParseError as error:
        return error


_parsed = lru_cache(maxsize=PARSED_SIZE)(_parse)  # once per text and symbols, a refusal too


def _formula_verdict(expected: Expected, answer_id: str, node: Node) -> bool | Mistake:
    """Whether a formula equals the key (True), is a named mistake, or neither (False).

    It depends only on the text, the answer and the parameters the answer does not keep as
    symbols (those in the key and at the sample points), so :func:`_symbolic` remembers it.
    Equal values at the points decide first; the exact check runs only when they differ.
    """
    family = expected.variant.family
    symbolic = family.derivation().symbolic[answer_id]
    at = sample_points(family, answer_id, expected.variant.numbers)
    with np.errstate(all="ignore"):
        student_values = np.asarray(evaluate(node, at.values), dtype=float)
    if same_values(student_values, evaluate_expr(symbolic.expr, at)):
        return True
    key_formula = variant_formula(family, answer_id, expected.variant.params)
    if not parsed_differs(node, key_formula):  # else exactly_equal is False: spare sympy's tree
        student_expr = to_sympy(node, {n: sympy.Symbol(n) for n in symbolic.symbols})
        if exactly_equal(student_expr, key_formula):
            return True
    for mistake, wrong in symbolic_mistakes(family, answer_id):
        if same_values(student_values, evaluate_expr(wrong, at)):
            return mistake
    return False


OPTION_NOISE = re.compile(r"[\s_()\[\].:]+")


def judge_choice(expected, answer, raw, work, settings, lang) -> AnswerResult:
    """The verdict on an option: one of the answer's options (or a gloss of one), right or wrong."""
    points = settings.points_for(answer)
    if _blank(raw):
        return _missing(answer, raw, points, lang)
    given = _text(raw)
    chosen = OPTION_NOISE.sub("-", given.strip().lower()).strip("-")
    options = {o.lower(): o for o in answer.options}
    options |= {gloss: o for gloss, o in OPTION_GLOSSES.items() if o in answer.options}  # 震荡收敛, 是
    if chosen not in options:
        feedback = message("unknown_option", lang, value=given[:40], options=", ".join(answer.options))
        return AnswerResult(answer.id, "invalid", 0.0, points, feedback, given=given)
    if options[chosen] == expected.choices[answer.id]:
        return AnswerResult(answer.id, "correct", points, points, message("correct", lang), given=given)
    feedback = message("incorrect_choice", lang)
    why = expected.variant.family.derivation().choices[answer.id].why
    if why is not None:
        feedback = _joined(feedback, why(expected.variant.params, options[chosen], lang), lang)
    return AnswerResult(answer.id, "incorrect", 0.0, points, feedback, given=given)

