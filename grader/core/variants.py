"""Per-student variants: reproducible, well-conditioned parameters for a family.

A variant's numbers are a pure function of (family, family version, assignment,
student, question). Proposals are drawn with :class:`~grader.core.rng.Draws` and the
first proposal that meets the family's conditioning rules, and keeps every named mistake
and neighbouring answer well away from the key (:func:`grader.core.mistakes.well_separated`),
is kept, so a student's numbers never depend on who else is on the roster.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from functools import cache, cached_property, lru_cache
from itertools import compress
from typing import cast

import numpy as np
import sympy

from grader.core.evaluate import as_arrays, batch_quantities, drawn_numbers
from grader.core.family import Draw, Family
from grader.core.mistakes import well_separated
from grader.core.rng import BulkDraws, Column, Draws, stable_seed

MAX_ATTEMPTS = 600
ROUND = 6_000  # proposals conditioned together in a bulk draw (fewer drawn past first acceptances)
FIRST_ATTEMPTS = 8  # per key in a bulk draw's first round, before the share accepted is known


@dataclass(frozen=True)
class VariantKey:
    """Who a variant belongs to."""

    assignment: str
    student: str
    question: str = "1"


@dataclass(frozen=True)
class Variant:
    """A family with one exact parameter set; ``key`` is None for the canonical variant.

    ``numbers`` holds the parameters as fractions (cheap to make for a whole class);
    ``params`` gives them as sympy rationals for exact work on one variant.
    """

    family: Family
    numbers: Mapping[str, Fraction]
    key: VariantKey | None = None

    @cached_property
    def params(self) -> dict[str, sympy.Rational]:
        """The parameters as exact sympy rationals."""
        return {k: sympy.Rational(v.numerator, v.denominator) for k, v in self.numbers.items()}


class ConditioningError(RuntimeError):
    """A family's rules rejected every proposal for some key (a bug in the family)."""


def canonical(family: Family) -> Variant:
    """The variant with the seed article's own numbers."""
    return Variant(family, {k: Fraction(v) for k, v in family.canonical.items()})


def seed_for(family: Family, key: VariantKey) -> str:
    """The seed text of a variant: family, version and key."""
    return stable_seed(family.name, family.version, key.assignment, key.student, key.question)


def _seeds(family: Family, keys: Sequence[VariantKey]) -> list[str]:
    """:func:`seed_for` of every key, the family's part joined once."""
    head = stable_seed(family.name, family.version)
    parts = ((str(k.assignment), str(k.student), str(k.question)) for k in keys)
    return [f"{head}\x1f{len(a)}:{a}\x1f{len(s)}:{s}\x1f{len(q)}:{q}" for a, s, q in parts]


def generate(family: Family, keys: Sequence[VariantKey]) -> list[Variant]:
    """Variants for many keys at once: the same numbers as :func:`generate_stepwise`, faster.

    When the family's draw only picks from grids, several attempts of every waiting key are
    drawn together in bulk (:class:`~grader.core.rng.BulkDraws`: numpy over grid indices) and each
    key keeps its first accepted attempt; otherwise one attempt at a time, key by key. The
    conditioning rules run in numpy, the costly mistake check only on proposals that pass the
    others, and fractions are built only for accepted proposals.
    """
    seeds = _seeds(family, keys)
    chosen: list[Mapping[str, Fraction] | None] = [None] * len(keys)
    bulk = _draws_in_bulk(family.draw, family.params)
    waiting = list(range(len(keys)))
    pending: list[str] | list[bytes] = BulkDraws.heads(seeds) if bulk else seeds  # pending[j] is waiting[j]'s seed
    attempt = proposed = passed = 0
    while waiting and attempt < MAX_ATTEMPTS:
        count = min(MAX_ATTEMPTS - attempt, _attempts(len(waiting), proposed, passed)) if bulk else 1
        drawn, arrays, numbers = _proposals(family, pending, range(attempt, attempt + count))
        ok = np.zeros(count * len(waiting), dtype=bool)
        ok[drawn] = _conditioned(family, arrays)
        proposed, passed = proposed + ok.size, passed + int(np.count_nonzero(ok))
        accepted = ok.reshape(count, len(waiting))
        done = accepted.any(axis=0)
        found = np.flatnonzero(done)
        rows = accepted.argmax(axis=0)[found] * len(waiting) + found
        for j, params in zip(found.tolist(), numbers(rows), strict=True):
            chosen[waiting[j]] = params
        left = cast(list, (~done).tolist())
        waiting, pending = list(compress(waiting, left)), cast(list, list(compress(pending, left)))
        attempt += count
    if waiting:
        raise ConditioningError(f"{family.name}: no well-conditioned variant for {keys[waiting[0]]}")
    return [Variant(family, params, key) for params, key in zip(chosen, keys, strict=True) if params is not None]


def generate_stepwise(family: Family, keys: Sequence[VariantKey]) -> list[Variant]:
    """The reference for :func:`generate`: each key drawn one at a time, every rule on every proposal.

    Kept as the oracle the bulk path is tested against, and as the benchmarks' baseline.
    """
    seeds = [seed_for(family, k) for k in keys]
    chosen: dict[int, Mapping[str, Fraction]] = {}
    waiting = list(range(len(keys)))
    for attempt in range(MAX_ATTEMPTS):
        if not waiting:
            break
        proposals = {i: family.draw(Draws(seeds[i], str(attempt))) for i in waiting}
        drawn = {i: p for i, p in proposals.items() if p is not None}
        accepted = _well_conditioned(family, list(drawn.values()))
        for (i, params), ok in zip(drawn.items(), accepted, strict=True):
            if ok:
                chosen[i] = params
        waiting = [i for i in waiting if i not in chosen]
    if waiting:
        raise ConditioningError(f"{family.name}: no well-conditioned variant for {keys[waiting[0]]}")
    return [Variant(family, chosen[i], key) for i, key in enumerate(keys)]


def _attempts(waiting: int, proposed: int, passed: int) -> int:
    """Attempts to draw per waiting key in the next round, within ROUND proposals in all:
    FIRST_ATTEMPTS at first, then twice a key's expected number of attempts (from the share of
    proposals accepted so far), which finds most keys' first accepted attempt in one round.

    Any count gives the same variants (each key keeps its first accepted attempt); this one
    draws few attempts past a key's first accepted one, even for a chunk of a few hundred keys.
    """
    most = max(1, ROUND // waiting)
    if not proposed:
        return min(most, FIRST_ATTEMPTS)
    return max(1, min(most, math.ceil(2 * proposed / max(passed, 1))))


Proposals = tuple[np.ndarray, dict[str, np.ndarray], Callable[[np.ndarray], Sequence[Mapping[str, Fraction]]]]


def _proposals(family: Family, seeds: Sequence[str] | Sequence[bytes], attempts: range) -> Proposals:
    """Proposals for every seed at each attempt (row ``a * len(seeds) + s``): the rows that drew
    one, their parameters as float arrays (in that order), and a function giving the exact
    parameters of given rows (:class:`~grader.core.evaluate.DrawnNumbers`, floats included).

    Seeds given as their :meth:`BulkDraws.heads` (bytes, for a draw that :func:`_draws_in_bulk`)
    are drawn in bulk; seeds given as texts, one proposal at a time.
    """
    order = family.params
    if seeds and isinstance(seeds[0], bytes):
        columns = _bulk_draw(family.draw, BulkDraws.of_attempts(cast(Sequence[bytes], seeds), attempts))
        floats = {n: _grid(columns[n].options)[1][columns[n].index] for n in order}

        def exact(rows: np.ndarray) -> Sequence[Mapping[str, Fraction]]:
            picked = [_grid(c.options)[0][c.index[rows]].tolist() for c in columns.values()]
            table = np.column_stack([floats[n][rows] for n in order])
            return drawn_numbers((zip(columns, values, strict=True) for values in zip(*picked, strict=True)), order,
                                 table)

        return np.arange(len(seeds) * len(attempts)), floats, exact
    proposals = [family.draw(Draws(seed, str(a))) for a in attempts for seed in cast(Sequence[str], seeds)]
    drawn = {i: p for i, p in enumerate(proposals) if p is not None}
    arrays = as_arrays(list(drawn.values()), order)

    def kept(rows: np.ndarray) -> Sequence[Mapping[str, Fraction]]:
        positions = {row: k for k, row in enumerate(drawn)}
        table = np.column_stack([arrays[n] for n in order]) if drawn else np.zeros((0, len(order)))
        kept_rows = rows.tolist()
        return drawn_numbers((drawn[r].items() for r in kept_rows), order, table[[positions[r] for r in kept_rows]])

    return np.fromiter(drawn, dtype=np.intp, count=len(drawn)), arrays, kept


def _bulk_draw(draw: Draw, draws: BulkDraws) -> dict[str, Column]:
    """A grid-only draw called with :class:`BulkDraws`: each parameter comes back as a
    :class:`Column` (duck typing, which :func:`_draws_in_bulk` checks before it is relied on)."""
    return cast(Callable[[BulkDraws], dict[str, Column]], draw)(draws)


@cache
def _draws_in_bulk(draw: Draw, params: tuple[str, ...]) -> bool:
    """Whether a family's draw only picks from grids (no branch or sum on a drawn value)."""
    try:
        columns = _bulk_draw(draw, BulkDraws(["probe"], ["0"]))
    except TypeError:  # NotOnAGrid, or arithmetic on a Column
        return False
    return isinstance(columns, dict) and set(columns) == set(params) and all(
        isinstance(c, Column) and all(isinstance(o, (int, Fraction)) for o in c.options)
        for c in columns.values())


_GRIDS: dict[int, tuple[tuple, np.ndarray, np.ndarray]] = {}  # by id(options); the tuple is kept to check it
_GRIDS_MAX = 1024


def _grid(options: tuple) -> tuple[np.ndarray, np.ndarray]:
    """A grid's options as an object array (to pick many by index at once) and as float64, rounded
    as :func:`~grader.core.evaluate.as_arrays` rounds them. Remembered by the tuple's identity (a
    draw's grids are the same tuples every time; hashing their fractions would cost more)."""
    found = _GRIDS.get(id(options))
    if found is None or found[0] is not options:
        objects = np.empty(len(options), dtype=object)
        objects[:] = options
        floats = np.array([float(int(o.numerator)) for o in options]) / np.array(
            [float(int(o.denominator)) for o in options])
        if len(_GRIDS) >= _GRIDS_MAX:
            _GRIDS.clear()
        found = _GRIDS[id(options)] = (options, objects, floats)
    return found[1], found[2]


def variant(family: Family, assignment: str, student: str, question: str = "1") -> Variant:
    """The variant of one student for one question."""
    return generate(family, [VariantKey(assignment, student, question)])[0]


def _well_conditioned(family: Family, proposals: Sequence[Mapping[str, Fraction]]) -> np.ndarray:
    if not proposals:
        return np.zeros(0, dtype=bool)
    params = as_arrays(proposals, family.params)
    values = {**params, **batch_quantities(family.derivation(), params)}
    finite = np.logical_and.reduce([np.isfinite(v) for v in values.values()])
    return finite & np.asarray(family.conditions(values), dtype=bool) & well_separated(
        family, params, values)


def _conditioned(family: Family, params: Mapping[str, np.ndarray]) -> np.ndarray:
    """:func:`_well_conditioned` on float arrays, the mistake check only where the rest holds."""
    size = len(next(iter(params.values()))) if params else 0
    if not size:
        return np.zeros(0, dtype=bool)
    values = {**params, **batch_quantities(family.derivation(), params)}
    ok = np.ones(size, dtype=bool)
    for v in values.values():
        ok &= np.isfinite(v)
    ok &= np.asarray(family.conditions(values), dtype=bool)
    rows = np.flatnonzero(ok)
    if rows.size:
        kept = {k: v[rows] for k, v in values.items()}
        ok[rows] = well_separated(family, {k: kept[k] for k in params}, kept)
    return ok


def decimal_text(value: sympy.Rational | Fraction) -> str:
    """An exact rational as a terminating decimal when it is one ('0.15'), else 'p/q'."""
    return _decimal_text(int(value.numerator), int(value.denominator))


@lru_cache(maxsize=65_536)  # a class's parameters come from small grids: the same few thousand values
def _decimal_text(numerator: int, denominator: int) -> str:
    value = Fraction(numerator, denominator)
    q = value.denominator
    for p in (2, 5):
        while q % p == 0:
            q //= p
    if q != 1:
        return str(value)
    digits = 0
    while (value * 10**digits).denominator != 1:
        digits += 1
    text = f"{abs(value.numerator) * 10**digits // value.denominator:0{digits + 1}d}"
    if digits:
        text = f"{text[:-digits]}.{text[-digits:]}"
    return ("-" if value < 0 else "") + text
