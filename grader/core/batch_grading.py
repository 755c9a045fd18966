"""Grading one question for many students at once: each number judged across them in numpy.

:func:`grade_many` gives exactly the results of :func:`grader.core.grading.grade` called once per
student. Every sheet's numbers are read first, with the same reading rules; then each numeric
answer is judged for all students at once: the tolerance around the key (an update by its step),
a value left unchanged, a step that follows from the student's own earlier values (carried-forward
credit), the named mistakes (against the batch's targets,
:meth:`~grader.core.grading.Batch.mistake_targets`), and the classmate whose key the numbers match
(:func:`copied_classmates`). The students' own values are the derivation's formulas evaluated on
arrays, which numpy computes element by element exactly as on the single numbers of
:func:`~grader.core.evaluate.local_value`. Whatever is unusual goes to the per-student judge: an
unreadable number, a step whose credit may be refused as trivial, a mistake under a
significant-figures tolerance, and every answer of another kind (formulas, choices).
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping, Sequence

import numpy as np

from grader.core.collection import cycle_collection_paused
from grader.core.compare import Tolerance, allowed_error, allowed_errors
from grader.core.evaluate import inputs_of, local_values, update_baseline
from grader.core.grading import (
    COPIED_MATCHES,
    SAME,
    SATURATED,
    TRIVIAL,
    AnswerResult,
    Classmates,
    Expected,
    Raw,
    Result,
    Settings,
    Work,
    _blank,
    _finite,
    _incorrect_numeric,
    _missing,
    _quantity_names,
    _text,
    _with_mistake,
    grade,
    judge_numeric,
    read_answers,
)
from grader.core.kinds import NUMERIC, is_number, kind_of
from grader.core.mistakes import Mistake
from grader.maths.sigmoid import sigmoid
from grader.text.messages import message


def grade_many(
    prepared: Sequence[Expected], answers: Sequence[Mapping[str, Raw]], settings: Settings | None = None,
    lang: str = "en", others: Classmates | None = None,
) -> list[Result]:
    """``[grade(e, a, settings, lang, others) for e, a in zip(prepared, answers)]``, judged per answer
    across the students (the variants of one batch; others, or fixed variants, go one by one)."""
    settings = settings or Settings()
    if not prepared:
        return []
    batch = prepared[0].batch
    if any(e.batch is not batch or e.variant.key is None for e in prepared):
        return [grade(e, a, settings, lang, others) for e, a in zip(prepared, answers, strict=True)]
    with np.errstate(all="ignore"), cycle_collection_paused():  # NaN and overflow compare as False, as one by one
        return _graded(prepared, answers, settings, lang, others)


def _graded(prepared: Sequence[Expected], answers: Sequence[Mapping[str, Raw]], settings: Settings, lang: str,
            others: Classmates | None) -> list[Result]:
    sheets = _Sheets(prepared, answers)
    copied = [None] * len(prepared) if others is None else copied_classmates(sheets, others, settings)
    works = [_LazyWork(numbers, sheets.own, i, c)
             for i, (numbers, c) in enumerate(zip(sheets.read, copied, strict=True))]
    columns = []
    for answer in filter(settings.asks, sheets.family.answers):
        if kind_of(answer) is NUMERIC:
            columns.append(_numeric_column(sheets, answer, works, settings, lang))
        else:
            judge = kind_of(answer).judge
            columns.append([judge(e, answer, a.get(answer.id), w.work, settings, lang)
                            for e, a, w in zip(prepared, answers, works, strict=True)])
    return [Result(tuple(verdicts), c) for verdicts, c in zip(zip(*columns, strict=True), copied, strict=True)]


class _Sheets:
    """A batch's sheets read once: each student's numbers (as :func:`grade` reads them) and, per
    numeric answer, the finite ones as an array (NaN where none), with every key and the students'
    own values (:func:`~grader.core.grading.own_values`) as arrays over the students."""

    def __init__(self, prepared: Sequence[Expected], answers: Sequence[Mapping[str, Raw]]) -> None:
        self.prepared, self.answers = prepared, answers
        self.family = prepared[0].variant.family
        self.derivation = self.family.derivation()
        numbers = tuple(a.id for a in self.family.answers if is_number(a))
        self.read = [read_answers(numbers, a) for a in answers]
        self.given = [_finite(numbers) for numbers in self.read]
        rows = [e.row for e in prepared]
        batch_size = len(next(iter(prepared[0].batch.columns.values())))
        whole = len(prepared) == batch_size and rows == list(range(batch_size))
        self.rows: slice | np.ndarray = slice(None) if whole else np.array(rows)  # the batch itself, or some of it
        self.size = len(prepared)
        columns = prepared[0].batch.columns
        self.keys = {name: column[self.rows] for name, column in columns.items()}
        self.values = {a: np.array([g.get(a, math.nan) for g in self.given]) for a in numbers}
        self.own = self._own_values()

    def _own_values(self) -> dict[str, np.ndarray]:
        own = {p: self.keys[p] for p in self.family.params}
        for name in _quantity_names(self.derivation):
            computed = self.local(name, own)
            own[name] = computed if name not in self.values else np.where(
                np.isnan(self.values[name]), computed, self.values[name])
        return own

    def local(self, name: str, values: Mapping[str, np.ndarray]) -> np.ndarray:
        """Quantity ``name`` from its formula, for every student, given the values it uses."""
        return np.broadcast_to(local_values(self.derivation, name, values), (self.size,))


class _LazyWork:
    """A student's :class:`~grader.core.grading.Work`, built when a per-student judge first needs it,
    their own values read from the batch's arrays."""

    def __init__(self, read: Mapping[str, float | Exception], own: Mapping[str, np.ndarray], row: int,
                 copied: str | None) -> None:
        self._args = read, own, row, copied
        self._work: Work | None = None

    @property
    def work(self) -> Work:
        if self._work is None:
            read, own, row, copied = self._args
            self._work = Work(read, _OwnRow(own, row), copied)
        return self._work

    @property
    def copied(self) -> str | None:
        """The classmate whose key the student's numbers match, if any."""
        return self._args[3]


class _OwnRow(Mapping):
    """One student's :func:`~grader.core.grading.own_values`, read from the arrays of the batch's."""

    def __init__(self, own: Mapping[str, np.ndarray], row: int) -> None:
        self._own, self._row = own, row

    def __getitem__(self, name: str) -> float:
        return float(self._own[name][self._row])

    def __iter__(self) -> Iterator[str]:
        return iter(self._own)

    def __len__(self) -> int:
        return len(self._own)


def _allowed(targets: np.ndarray, tolerance: Tolerance) -> np.ndarray:
    """:func:`~grader.core.compare.allowed_error` of each target (significant figures one by one,
    with ``math.log10`` exactly as :func:`~grader.core.compare.within` rounds)."""
    if tolerance.mode != "sigfigs":
        return allowed_errors(targets, tolerance)
    return np.array([allowed_error(float(t), tolerance) if math.isfinite(t) else math.nan for t in targets])


def _close(values: np.ndarray, targets: np.ndarray, origin: np.ndarray | None, tolerance: Tolerance) -> np.ndarray:
    """``within(value - origin, target - origin, tolerance)`` for each student (NaN is never close)."""
    if origin is not None:
        values, targets = values - origin, targets - origin
    return np.isfinite(values) & np.isfinite(targets) & (np.abs(values - targets) <= _allowed(targets, tolerance))


def copied_classmates(sheets: _Sheets, others: Classmates, settings: Settings) -> list[str | None]:
    """:func:`~grader.core.grading.copied_from` for every student of ``sheets`` at once.

    The matches are counted in a (student x classmate) table, a block of students at a time; each
    given number is looked up among the classmates' keys sorted (the slice whose accepted values
    may hold it, then the exact test), or compared with them all when that slice is most of the class.
    """
    size = len(sheets.prepared)
    copied: list[str | None] = [None] * size
    if not others.ids:
        return copied
    asked = []
    own = np.zeros(size, dtype=int)
    for a in (a.id for a in sheets.family.answers if is_number(a) and settings.asks(a)):
        baseline = update_baseline(sheets.derivation, a)
        origin = None if baseline is None else sheets.keys[baseline]
        own += _close(sheets.values[a], sheets.keys[a], origin, settings.tolerance_for(a))
        asked.append((a, baseline, settings.tolerance_for(a)))
    for start in range(0, size, STUDENT_BLOCK):
        block = slice(start, min(start + STUDENT_BLOCK, size))
        matches = np.zeros((block.stop - start, len(others.ids)), dtype=np.int32)
        for a, baseline, tolerance in asked:
            _count_matches(matches, sheets.values[a][block], others, a, baseline, tolerance)
        best = np.argmax(matches, axis=1)  # the first classmate with the most matches, as copied_from
        most = matches[np.arange(len(best)), best]
        for i in np.flatnonzero((most >= COPIED_MATCHES) & (most > 2 * own[block])):
            copied[start + int(i)] = others.ids[int(best[i])]
    return copied


STUDENT_BLOCK = 256  # students whose matches with the class are counted in one table


def _count_matches(matches: np.ndarray, values: np.ndarray, others: Classmates, answer_id: str,
                   baseline: str | None, tolerance: Tolerance) -> None:
    """Add 1 to ``matches[student, classmate]`` where the classmate's key accepts the student's number,
    tested as :func:`~grader.core.grading.copied_from` tests it."""
    origin, step, allowed = others.step(answer_id, baseline, tolerance)
    origins = np.broadcast_to(np.asarray(origin, dtype=float), step.shape)
    students = np.flatnonzero(np.isfinite(values))
    given = values[students]
    order, upper, lower, slack = others.bounds(answer_id, baseline, tolerance)
    margin = slack + 1e-12 * np.abs(given)  # the rounding of g - o - s against o + s
    first = np.searchsorted(upper, given - margin, "left")  # before it, every upper end is below
    counts = np.maximum(np.searchsorted(lower, given + margin, "right") - first, 0)
    if counts.sum() > matches.size // 8:  # most of the class: compare with every classmate
        matches[students] += np.abs(given[:, None] - origins - step) <= allowed
        return
    student = np.repeat(students, counts)
    starts = np.repeat(first - (np.cumsum(counts) - counts), counts)
    classmate = order[starts + np.arange(counts.sum())]
    hit = np.abs(values[student] - origins[classmate] - step[classmate]) <= allowed[classmate]
    matches[student[hit], classmate[hit]] += 1  # each pair once per answer


def _numeric_column(sheets: _Sheets, answer, works: Sequence[_LazyWork], settings: Settings,
                    lang: str) -> list[AnswerResult]:
    """The verdicts on one numeric answer for every student, as :func:`~grader.core.grading.judge_numeric`
    gives them; the unusual ones are asked of it."""
    points = settings.points_for(answer)
    tolerance = settings.tolerance_for(answer.id)  # Expected.tolerance: drawn variants keep it
    values, key = sheets.values[answer.id], sheets.keys[answer.id]
    baseline = update_baseline(sheets.derivation, answer.id)
    origin = None if baseline is None else sheets.keys[baseline]
    unchanged = np.zeros(values.shape, dtype=bool)
    if baseline is not None:  # the value before the update, the key's or the student's own
        unchanged = _close(values, sheets.keys[baseline], None, SAME) | _close(values, sheets.own[baseline], None, SAME)
    correct = _close(values, key, origin, tolerance) & ~unchanged
    target = sheets.local(answer.id, sheets.own)  # the value the student's own earlier values give
    own_step = ~correct & ~unchanged & _close(values, target, origin, tolerance)
    mistakes = _mistakes(sheets, answer.id, values, origin, tolerance)
    carried = _own_steps(sheets, answer.id, own_step, target, settings)
    right = message("correct", lang)
    wrong = None if origin is not None else message("incorrect_numeric", lang, tolerance=tolerance.describe(lang))
    ids = answer.id
    found: list[AnswerResult] = _given_to(AnswerResult(ids, "correct", points, points, right),  # type: ignore[assignment]
                                          [_text(a.get(ids)) if close else None  # the others filled below
                                           for a, close in zip(sheets.answers, correct.tolist(), strict=True)])
    absent = _missing(answer, None, points, lang)  # the same for every student who gave no line
    for i in np.flatnonzero(~correct).tolist():
        e, raw, number, mistake = sheets.prepared[i], sheets.answers[i].get(ids), float(values[i]), mistakes[i]
        if number != number and _blank(raw):  # NaN: blank, unreadable or not finite (a number read is no blank)
            found[i] = absent if raw is None else _missing(answer, raw, points, lang)
        elif own_step[i] and (differing := carried[i]) is not None:
            found[i] = _own_step_verdict(answer, points, differing, works[i].copied, settings, lang, _text(raw))
        elif own_step[i] or number != number or mistake is _ASK:
            found[i] = judge_numeric(e, answer, raw, works[i].work, settings, lang)
        elif mistake is not None:
            found[i] = _with_mistake(ids, points, mistake, settings, lang, _text(raw))
        elif unchanged[i]:
            feedback = message("unchanged", lang, name=baseline)
            found[i] = AnswerResult(ids, "incorrect", 0.0, points, feedback, given=_text(raw))
        else:
            feedback = wrong if wrong is not None else _incorrect_numeric(
                number, float(key[i]), None if origin is None else float(origin[i]), baseline, ids, tolerance, lang)
            found[i] = AnswerResult(ids, "incorrect", 0.0, points, feedback, given=_text(raw))
    return found


_ASK = Mistake("ask the per-student judge")


def _given_to(verdict: AnswerResult, givens: Sequence[str | None]) -> list[AnswerResult | None]:
    """``replace(verdict, given=g)`` for each text ``g`` (None where there is none), made by copying the
    verdict's fields rather than through the dataclass's checks (a class's right answers: tens of thousands)."""
    fields = dict(vars(verdict))
    found: list[AnswerResult | None] = []
    for given in givens:
        if given is None:
            found.append(None)
            continue
        made = object.__new__(AnswerResult)
        fields["given"] = given
        vars(made).update(fields)
        found.append(made)
    return found


def _own_steps(sheets: _Sheets, answer_id: str, candidates: np.ndarray, target: np.ndarray,
               settings: Settings) -> dict[int, list[str] | None]:
    """For each student whose number follows from their own earlier values (``candidates``), those
    earlier values that were not accepted, as the per-student judge finds them; None where it may
    refuse the credit for a trivial step (a zero step, a number of the statement copied into an
    earlier answer, a saturated unit): it decides those."""
    rows = np.flatnonzero(candidates).tolist()
    if not rows:
        return {}
    statement = sheets.prepared[0].variant.numbers
    inputs = inputs_of(sheets.derivation, answer_id)
    baseline = update_baseline(sheets.derivation, answer_id)
    origins = (0.0, 0.0) if baseline is None else (sheets.own[baseline], sheets.keys[baseline])
    zero = np.abs(target - origins[0]) <= TRIVIAL * np.abs(sheets.keys[answer_id] - origins[1])
    differs, doubtful = {}, {}
    for name in (n for n in inputs if n not in statement):
        own, before = sheets.own[name], update_baseline(sheets.derivation, name)
        differs[name] = ~_close(own, sheets.keys[name], None if before is None else sheets.keys[before],
                                settings.tolerance_for(name))
        copied = np.zeros(own.shape, dtype=bool)
        for p in (p for p in inputs if p in statement):
            copied |= _close(own, sheets.keys[p], None, SAME)
        saturated = np.zeros(own.shape, dtype=bool)
        if isinstance(sheets.derivation.quantity(name), sigmoid):
            saturated = ~((own > SATURATED) & (own < 1 - SATURATED))
        doubtful[name] = copied, saturated
    found: dict[int, list[str] | None] = {}
    for i in rows:
        differing = [n for n in differs if differs[n][i]]
        trivial = differing and (zero[i] or any((doubtful[n][0][i] and n in sheets.read[i]) or doubtful[n][1][i]
                                                for n in differing))
        found[i] = None if trivial else differing
    return found


def _own_step_verdict(answer, points: float, differing: list[str], copied: str | None, settings: Settings,
                      lang: str, given: str) -> AnswerResult:
    """The verdict on a number that follows from the student's own earlier values: right, credited
    as carried forward, or refused because the sheet copies a classmate's key."""
    if not differing:
        return AnswerResult(answer.id, "correct", points, points, message("correct_own", lang), given=given)
    inputs = ", ".join(differing)
    if copied is not None:
        feedback = message("not_carried", lang, inputs=inputs, why=message("copied_classmate", lang))
        return AnswerResult(answer.id, "incorrect", 0.0, points, feedback, given=given)
    return AnswerResult(answer.id, "correct", points * settings.carried_forward_credit, points,
                        message("carried_forward", lang, inputs=inputs), carried_forward=True, given=given)


def _mistakes(sheets: _Sheets, answer_id: str, values: np.ndarray, origin: np.ndarray | None,
              tolerance: Tolerance) -> list[Mistake | None]:
    """The named mistake each student's number matches (:func:`~grader.core.grading._named_mistake`),
    all at once against the batch's targets; ``_ASK`` where the per-student judge decides
    (significant figures)."""
    batch = sheets.prepared[0].batch
    if answer_id not in batch.mistake_table or not batch.mistake_table[answer_id][0]:
        return [None] * len(values)
    found, _ = batch.mistake_table[answer_id]
    if tolerance.mode == "sigfigs":
        return [_ASK] * len(values)
    shifted, allowed, widened = (t[:, sheets.rows] for t in batch.mistake_targets(answer_id, tolerance))
    step = values if origin is None else values - origin
    distance = np.abs(step[None, :] - shifted)
    matching, near = distance <= allowed, distance <= widened
    codes: dict[str, int] = {}
    names = np.array([codes.setdefault(m.name, len(codes)) for m in found])
    first = np.argmax(matching, axis=0)
    alone = ~np.any(near & (names[:, None] != names[first][None, :]), axis=0)
    named = np.isfinite(step) & matching.any(axis=0) & alone
    return [found[f] if n else None for f, n in zip(first, named, strict=True)]

