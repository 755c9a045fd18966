"""Copy detection, second half: pairs of sheets that share many identical wrong answers.

Pure: graded rows in, flagged pairs out. Every student has their own numbers, so two honest
students almost never type the same wrong number to the digit; a right answer shared by two
students is no evidence at all, and neither is a wrong value that many students share (a
common mistake, e.g. everyone who forgets the ½ on the same variant).

The rule, in full:

- An answer counts when it is not the key: judged incorrect, or given credit only as carried
  forward from an earlier wrong value. Choice answers never count (there are a handful of
  options), nor invalid or blank ones.
- Two answers are the same when the number is the same to the digits typed (``0.610``,
  ``.61`` and ``0,61`` are the same, ``0.611`` is not) or the formula text is the same once whitespace is
  removed.
- A value given by more than :func:`common_size` students of the class is a common mistake,
  and a value anyone can read (the seed article's worked example) a public one: neither counts.
- Each shared value weighs ``STRONG`` (1), or ``WEAK`` (½) when an honest pair could plausibly
  type it independently: a formula (formulas are the same for every variant), a number of fewer
  than ``SHORT_DIGITS`` significant figures (``0``, ``0.5``), a number of the statement (a weight
  left unchanged), a value both sheets got from the same named mistake, or an answer to a question
  on which the two students have the same numbers. There, an answer carried forward from a shared
  wrong value weighs nothing: the same slip on the same numbers gives the same values after it.
- A pair is flagged when its shared values weigh at least ``FLAGGED_EVIDENCE`` (4): four
  arbitrary wrong numbers, or eight weak ones.

A pair who copied and then changed one digit of one answer still shares the others; a pair
who changed every wrong value escapes, and a ring larger than :func:`common_size` looks like a
common mistake. Grouping by value (a hash table) costs one pass over the answers, not one
comparison per pair of students.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from decimal import Decimal, InvalidOperation
from itertools import combinations

from grader.core.grading import Result, expectation
from grader.core.kinds import is_number, kind_named
from grader.core.variants import canonical
from grader.course.assignment import family_questions

STRONG = 1.0
WEAK = 0.5
SHORT_DIGITS = 3  # a number typed with fewer significant figures is weak evidence
FLAGGED_EVIDENCE = 4.0  # total weight of shared wrong values that flags a pair
COMMON_SHARE = 0.01  # a value given by more than this share of the class (and more than 3) is common
PUBLIC = 1e-3  # a number within this (relative) of a public value is that value, typed with fewer digits


def common_size(graded: int) -> int:
    """The most students that may share a wrong value for it to count as evidence.

    >>> common_size(30), common_size(10_000)
    (3, 100)
    """
    return max(3, math.ceil(COMMON_SHARE * graded))


@dataclass(frozen=True)
class SharedValue:
    """One wrong answer two sheets share: where, the value as the first sheet typed it, its weight."""

    question: str
    answer: str
    value: str
    weight: float


@dataclass(frozen=True)
class SharedPair:
    """Two students whose sheets share enough wrong values to be looked at, with the evidence."""

    first: str
    second: str
    values: tuple[SharedValue, ...]

    @property
    def evidence(self) -> float:
        """The total weight of the shared values."""
        return sum(v.weight for v in self.values)

    def other(self, student: str) -> str:
        """The student paired with ``student``."""
        return self.second if student == self.first else self.first


@dataclass(frozen=True)
class Given:
    """One wrong answer of one student, as the detector sees it."""

    student: str
    question: str
    answer: str
    text: str
    kind: str  # the name of the answer's kind, one of EVIDENCE_KINDS
    mistake: str | None = None
    carried: bool = False  # credited only as carried forward from an earlier wrong value


# The answer kinds, by name, whose shared wrong answers are evidence: those typed freely (a wrong
# option among a few is shared by chance).
EVIDENCE_KINDS = frozenset({"numeric", "symbolic"})


def normalised(text: str, kind: str) -> str:
    """The form two answers must share to be the same: a number to the digits typed, a formula's
    text without whitespace.

    >>> normalised(" 0.610 ", "numeric"), normalised(".61", "numeric"), normalised("0,61", "numeric")
    ('0.61', '0.61', '0.61')
    >>> normalised("w * x - t", "symbolic")
    'w*x-t'
    """
    compact = "".join(text.split())
    if not kind_named(kind).number:
        return compact
    number = _decimal(compact.replace(",", ".") if compact.count(",") == 1 and "." not in compact else compact)
    return compact.lower() if number is None else str(number.normalize())


def _decimal(text: str) -> Decimal | None:
    try:
        number = Decimal(text)
    except InvalidOperation:
        return None
    return number if number.is_finite() and abs(number.adjusted()) < 400 else None  # beyond floats: as text


def _short(text: str) -> bool:
    """A number of fewer than SHORT_DIGITS significant figures, or not a plain decimal (``3/4``)."""
    number = _decimal(text)
    return number is None or number == 0 or len(number.normalize().as_tuple().digits) < SHORT_DIGITS


def _public(text: str, public: Sequence[float]) -> bool:
    number = _decimal(text)
    return number is not None and any(abs(float(number) - p) <= PUBLIC * abs(p) for p in public)


def shared_pairs(
    answers: Sequence[Given], graded: int,
    variants: Mapping[str, Mapping[str, Sequence[float]]] | None = None,
    public: Mapping[tuple[str, str], Sequence[float]] | None = None,
) -> list[SharedPair]:
    """The pairs of students whose wrong answers share at least ``FLAGGED_EVIDENCE``, most first.

    ``answers`` are the class's wrong answers (:func:`wrong_answers`); ``graded`` the number of
    graded students; ``variants[question][student]`` the student's numbers of that question
    (equal for two students with the same variant); ``public[(question, answer)]`` values
    anyone can read.
    """
    variants, public = variants or {}, public or {}
    groups: dict[tuple[str, str, str], list[Given]] = {}
    for g in answers:
        groups.setdefault((g.question, g.answer, normalised(g.text, g.kind)), []).append(g)
    limit = common_size(graded)
    evidence: dict[tuple[str, str], list[SharedValue]] = {}
    for (question, answer, value), group in groups.items():
        students = {g.student: g for g in group}
        if not 2 <= len(students) <= limit:
            continue
        if kind_named(group[0].kind).number and _public(value, public.get((question, answer), ())):
            continue
        for a, b in combinations(sorted(students), 2):
            weight = _weight(students[a], students[b], value, variants.get(question, {}))
            if weight:
                evidence.setdefault((a, b), []).append(SharedValue(question, answer, students[a].text, weight))
    pairs = [SharedPair(a, b, tuple(v)) for (a, b), v in evidence.items()
             if sum(x.weight for x in v) >= FLAGGED_EVIDENCE]
    return sorted(pairs, key=lambda p: (-p.evidence, p.first, p.second))


def _weight(a: Given, b: Given, value: str, variants: Mapping[str, Sequence[float]]) -> float:
    """STRONG, or WEAK for a value an honest pair could type independently (0 for one that follows
    from an earlier shared value on the same numbers)."""
    same_variant = a.student in variants and variants.get(a.student) == variants.get(b.student)
    if same_variant and (a.carried or b.carried):
        return 0.0
    if not kind_named(a.kind).number or same_variant or (a.mistake is not None and a.mistake == b.mistake):
        return WEAK
    return WEAK if _short(value) or _in_statement(value, variants.get(a.student, ())) else STRONG


def _in_statement(text: str, numbers: Sequence[float]) -> bool:
    """Whether a number is one of the statement's (``numbers``: the student's parameters)."""
    number = _decimal(text)
    return number is not None and any(math.isclose(float(number), n, rel_tol=1e-9) for n in numbers)


def wrong_answers(graded: Iterable[tuple[str, Iterable[tuple[str, object]]]],
                  kinds: Mapping[tuple[str, str], str]) -> list[Given]:
    """The answers that are not the key, of the kinds that count (``EVIDENCE_KINDS``).

    ``graded`` is each graded student's id with their (question id, result) pairs;
    ``kinds[(question, answer)]`` is each family answer's kind; answers not in it are left out,
    and so are code questions' results (their hidden tests).
    """
    found = []
    for student, results in graded:
        for question, result in results:
            if not isinstance(result, Result):  # a code question: its hidden tests are no evidence
                continue
            for a in result.answers:
                kind = kinds.get((question, a.id))
                wrong = a.status == "incorrect" or (a.status == "correct" and a.carried_forward)
                if kind in EVIDENCE_KINDS and wrong and a.given.strip():
                    found.append(Given(student, question, a.id, a.given.strip(), kind, a.mistake,
                                       a.carried_forward))
    return found


def by_student(pairs: Sequence[SharedPair]) -> dict[str, tuple[SharedPair, ...]]:
    """Each flagged student's pairs."""
    found: dict[str, list[SharedPair]] = {}
    for p in pairs:
        found.setdefault(p.first, []).append(p)
        found.setdefault(p.second, []).append(p)
    return {s: tuple(v) for s, v in found.items()}


def flagged_students(assignment, graded: Sequence[tuple[str, Sequence[tuple[str, object]]]],
                     others: Mapping | None = None) -> dict[str, tuple[SharedPair, ...]]:
    """Each student of a flagged pair (:func:`shared_pairs`) with their pairs.

    ``graded`` is each graded student's id with their (question id, result) pairs; ``others``
    (each family question's :class:`~grader.core.grading.Classmates`) tells which students share
    a variant; the seed article's worked example of each family gives the public values.
    """
    questions = family_questions(assignment)
    kinds = {(q.id, a.id): a.kind for q in questions for a in q.family.answers}
    public = {}
    for q in questions:
        key = expectation(canonical(q.family)).values
        public.update({(q.id, a.id): (key[a.id],) for a in q.family.answers if is_number(a)})
    variants = {}
    for q in questions:
        keys = (others or {}).get(q.id)
        if keys is not None:
            columns = [keys.values[p] for p in q.family.params]
            variants[q.id] = {s: tuple(float(c[i]) for c in columns) for i, s in enumerate(keys.ids)}
    return by_student(shared_pairs(wrong_answers(graded, kinds), len(graded), variants, public))


def flag_rows(assignment, rows: Sequence, others: Mapping | None = None) -> list:
    """The rows with ``shared`` set on every student of a flagged pair (:func:`flagged_students`)."""
    graded = [(r.student.id, r.results) for r in rows if r.results is not None]
    flagged = flagged_students(assignment, graded, others)
    return [replace(r, shared=flagged[r.student.id]) if r.student.id in flagged else r for r in rows]
