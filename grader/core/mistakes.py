"""Typical wrong answers, generated from a family's derivation rather than typed per question.

Each mistake is the correct model with one thing done wrong: re-derived under altered
:class:`~grader.core.model.Rules` (sigma' dropped everywhere or at the hidden units, the inner
derivative forgotten, the 1/2 of the loss forgotten or doubled, the step added), the hidden
deltas fed with the updated weights, sigma left out of the forward pass, the family's own
slips (a wrong index, the wrong layer's weight, one delta for a shared bias), the sign
flipped, the value of a neighbouring answer (other index, epoch, layer or step), or every
intermediate rounded to two significant figures.

Every mistake but the rounding one is *guarded*: on random variants the conditioning rules
keep it at least :data:`GAP` (relative) from the key, and on a fixed variant the answer's
tolerance shrinks to at most half the distance to the nearest one (:func:`tolerance_cap`). Rounding is
not guarded: rounding is what the tolerance forgives.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache

import numpy as np
import sympy

from grader.core.compare import DEFAULT, Tolerance, allowed_error
from grader.core.evaluate import (
    as_arrays,
    batch_changes,
    batch_quantities,
    changed_quantities,
    inputs_of,
    update_baseline,
)
from grader.core.family import Derivation, Family, Slip
from grader.core.kinds import is_number
from grader.core.model import Rules
from grader.maths.sigmoid import sigmoid

RULE_MISTAKES: tuple[tuple[str, Rules], ...] = (
    ("activation_derivative_dropped", Rules(activation_derivative=False)),
    ("hidden_activation_derivative_dropped", Rules(hidden_activation_derivative=False)),
    ("inner_derivative_dropped", Rules(inner_derivative=False)),
    ("half_forgotten", Rules(loss_scale=sympy.Integer(1))),
    ("half_doubled", Rules(loss_scale=sympy.Rational(1, 4))),
    ("step_added", Rules(update_sign=1)),
)
DERIVATIVES = {  # a dropped activation derivative (grader.core.model.Rules), for any unit and for a hidden unit
    "sigmoid": ("σ′ = a(1 − a)", "σ′ = h(1 − h)"),
    "tanh": ("tanh′ = 1 − a²", "tanh′ = 1 − h²"),
    "relu": ("ReLU′ = 1[z > 0]", "ReLU′ = 1[z > 0]"),
    "softmax": ("softmax′ = p_k(1[k = j] − p_j)", "softmax′ = p_k(1[k = j] − p_j)"),
}
UNGUARDED = frozenset({"rounded_too_early"})
FIGURES = 3  # significant figures that keep a value within the default 1 %
GAP = 0.02  # on random variants every guarded mistake is at least 2 % (twice 1 %) from the key
SAME = 1e-9  # a mistake this close (relative) to the key does not change that answer
NUMBERED = re.compile(r"^(?P<stem>.*?)\d+(?P<tail>\D*)$")
GIVEN = "__given"


@dataclass(frozen=True)
class Mistake:
    """A named mistake and the fields its message needs (e.g. the neighbouring answer).

    ``guarded`` is False where the conditioning rules need not keep it away from the key.
    """

    name: str
    fields: tuple[tuple[str, str], ...] = field(default=())
    guarded: bool = True


def round_significant(values: np.ndarray, digits: int = 2) -> np.ndarray:
    """Round every element to ``digits`` significant figures (zero stays zero)."""
    values = np.asarray(values, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        scale = 10.0 ** (digits - 1 - np.floor(np.log10(np.abs(values))))
        rounded = np.round(values * scale) / scale
    return np.where((values == 0) | ~np.isfinite(rounded), values, rounded)


@cache
def _updated_weights_in_deltas(derivation: Derivation) -> tuple[Derivation, dict[str, str]] | None:
    """The derivation with every delta fed the updated weights, or None if it has no such step."""
    names = {str(q) for q, _ in derivation.quantities}
    swaps: dict[str, str] = {}
    quantities = []
    for quantity, formula in derivation.quantities:
        if str(quantity).startswith("delta"):
            swap = {s: sympy.Symbol(f"{s}_new{GIVEN}") for s in formula.free_symbols
                    if f"{s}_new" in names}
            swaps.update({str(s): f"{s}_new" for s in swap})
            formula = formula.xreplace(swap)
        quantities.append((quantity, formula))
    if not swaps:
        return None
    return Derivation(tuple(quantities), derivation.forward), swaps


@cache
def _forward_without_activation(derivation: Derivation) -> Derivation | None:
    """The derivation with sigma left out of the forward pass (a = z), or None if it has none."""
    quantities = tuple(
        (q, f.replace(sigmoid, lambda z: z) if str(q) in derivation.forward else f)
        for q, f in derivation.quantities
    )
    if quantities == derivation.quantities:
        return None
    return Derivation(quantities, derivation.forward)


@cache
def _slipped(derivation: Derivation, slip: Slip) -> Derivation:
    """The derivation with the slip's names swapped in the formulas it names."""
    swaps: dict[str, dict[sympy.Symbol, sympy.Expr]] = {}
    for quantity, right, used in slip.swaps:
        swaps.setdefault(quantity, {})[sympy.Symbol(right)] = sympy.Symbol(used) if used != "0" else 0
    written_out = {sympy.Symbol(n): derivation.quantity(n) for n in slip.through}
    quantities = tuple(
        (q, f.xreplace(written_out).xreplace(swaps[str(q)]) if str(q) in swaps else f)
        for q, f in derivation.quantities
    )
    return Derivation(quantities, derivation.forward)


@cache
def _slip_guarded(slip: Slip, derivation: Derivation) -> dict[str, bool]:
    """Where a slip is guarded: the formulas it changes and what follows from one of them alone.

    A quantity that combines several changed ones (a sum of two swapped deltas) may land near
    the key by cancellation; the slip is still named there, but not kept away from the key.
    """
    guarded = {quantity: True for quantity, _, _ in slip.swaps}
    for quantity, _ in derivation.quantities:
        name = str(quantity)
        changed = [i for i in inputs_of(derivation, name) if i in guarded]
        if name not in guarded and changed:
            guarded[name] = len(changed) == 1 and guarded[changed[0]]
    return guarded


def _slip_fields(slip: Slip, derivation: Derivation, answer_id: str) -> tuple[tuple[str, str], ...]:
    """The swap a slip's message names for one answer: its own, else that of one of its inputs."""
    names = {answer_id, *inputs_of(derivation, answer_id)}
    quantity, right, used = next((s for s in slip.swaps if s[0] in names), slip.swaps[0])
    return (("right", right), ("used", used), ("quantity", quantity))


_FIELDS: dict[tuple[str, int, str], tuple[tuple[str, str], ...]] = {}


def mistake_fields(family: Family, name: str) -> tuple[tuple[str, str], ...]:
    """The fields a rule mistake's message takes from the family: which activation derivative a
    student dropped (tanh′ = 1 − a² in tanh_231; σ′ = a(1 − a) where the family has no activation)."""
    if name not in ("activation_derivative_dropped", "hidden_activation_derivative_dropped"):
        return ()
    key = (family.name, family.version, name)
    if key not in _FIELDS:
        hidden = name.startswith("hidden")
        derivation = family.derivation()
        forward = [(q, f) for q, f in derivation.quantities if str(q) in derivation.forward]
        used_by_loss = {s for q, f in forward if re.fullmatch(r"E(_\d+)?", str(q)) for s in f.free_symbols}
        kinds = {type(a).__name__ for q, f in forward if not (hidden and q in used_by_loss)
                 for a in f.atoms(sympy.Function) if isinstance(a, sigmoid) or hasattr(a, "dropped_derivative")}
        named = [DERIVATIVES[k][hidden] for k in DERIVATIVES if k in kinds] or [DERIVATIVES["sigmoid"][hidden]]
        _FIELDS[key] = (("derivative", ", ".join(named)),)
    return _FIELDS[key]


def numeric_mistakes(
    family: Family, params: Mapping[str, np.ndarray], correct: Mapping[str, np.ndarray]
) -> dict[str, list[tuple[Mistake, np.ndarray]]]:
    """For each numeric answer, its typical wrong values over a batch of variants.

    ``params`` and ``correct`` are float arrays of the batch's parameters and quantities.
    Values equal to the correct one are kept; the grader skips those it cannot tell apart.
    """
    layout = _layout(family)
    numeric = layout.numeric
    found: dict[str, list[tuple[Mistake, np.ndarray]]] = {a: [] for a in numeric}

    def add(name: str, values: Mapping[str, np.ndarray]) -> None:
        mistake = Mistake(name, mistake_fields(family, name))
        for a in numeric:
            found[a].append((mistake, values[a]))

    for name, rules in (*RULE_MISTAKES, *family.rule_mistakes):
        add(name, batch_quantities(family.derivation(rules), params))
    for a in numeric:  # an update with its step's sign flipped is step_added
        if layout.baselines[a] is None:
            found[a].append((Mistake("sign_flipped"), -correct[a]))
    mutated = _updated_weights_in_deltas(family.derivation())
    if mutated is not None:
        derivation, swaps = mutated
        given = {f"{old}_new{GIVEN}": correct[new] for old, new in swaps.items()}
        add("updated_weights_in_deltas", batch_quantities(derivation, {**params, **given}))
    linear = _forward_without_activation(family.derivation())
    if linear is not None:
        with np.errstate(all="ignore"):
            add("activation_forgotten", batch_quantities(linear, params))
    for slip in family.slips:
        derivation = _slipped(family.derivation(), slip)
        guarded = _slip_guarded(slip, family.derivation())
        with np.errstate(all="ignore"):
            values = batch_quantities(derivation, params)
        for a in numeric:
            mistake = Mistake(slip.name, _slip_fields(slip, derivation, a), guarded.get(a, True))
            found[a].append((mistake, values[a]))
    add("rounded_too_early", batch_quantities(family.derivation(), params, transform=round_significant))
    for a in numeric:
        for other in layout.neighbours[a]:
            found[a].append((Mistake("off_by_one", (("other", other),)), correct[other]))
    return found


@dataclass(frozen=True)
class Layout:
    """What the mistakes of a family's numeric answers are computed from, the same for every batch:
    the numeric answers, the value each update updates (None for no update), their neighbours."""

    numeric: tuple[str, ...]
    baselines: Mapping[str, str | None]
    neighbours: Mapping[str, tuple[str, ...]]


_LAYOUTS: dict[int, tuple[Family, Layout]] = {}  # by id(family); the family is kept to check it
_LAYOUTS_MAX = 256  # families; more (tests build many) and the memo starts again


def _layout(family: Family) -> Layout:
    """The family's :class:`Layout`, worked out once per family object."""
    stored = _LAYOUTS.get(id(family))
    if stored is None or stored[0] is not family:
        numeric = tuple(a.id for a in family.answers if is_number(a))
        derivation = family.derivation()
        layout = Layout(numeric, {a: update_baseline(derivation, a) for a in numeric},
                        {a: tuple(neighbours(family, a)) for a in numeric})
        if len(_LAYOUTS) >= _LAYOUTS_MAX:
            _LAYOUTS.clear()
        stored = _LAYOUTS[id(family)] = (family, layout)
    return stored[1]


def neighbours(family: Family, answer_id: str) -> list[str]:
    """The other numeric answers of the same step, or of the same name with another number.

    ``dE_dw6`` and ``dE_db1`` for ``dE_dw5``; ``pred_2`` for ``pred_1``; ``a_3`` for ``a_2``.
    """
    this = family.answer(answer_id)
    match = NUMBERED.match(answer_id)
    found = []
    for other in family.answers:
        if not is_number(other) or other.id == answer_id:
            continue
        numbered = NUMBERED.match(other.id)
        same_name = bool(match and numbered and
                         (match["stem"], match["tail"]) == (numbered["stem"], numbered["tail"]))
        if same_name or other.step == this.step:
            found.append(other.id)
    return found


def relative_gaps(
    family: Family,
    correct: Mapping[str, np.ndarray],
    wrong: Mapping[str, list[tuple[Mistake, np.ndarray]]],
) -> dict[str, np.ndarray]:
    """For each numeric answer, the smallest relative distance from the key to a guarded mistake.

    Distances are measured as the grader compares: an update by its step, and a size below
    1e-4 as 1e-4 (where the default tolerance's floor of 1e-6 exceeds 1 %). A mistake that
    does not change an answer (within :data:`SAME`) does not count; none left gives inf.
    """
    baselines = _layout(family).baselines
    gaps = {}
    for answer_id, mistakes in wrong.items():
        baseline = baselines[answer_id]
        key = correct[answer_id]
        size = np.abs(key - correct[baseline]) if baseline else np.abs(key)
        scale = np.maximum(size, DEFAULT.floor / DEFAULT.value)
        guarded = [values for mistake, values in mistakes if mistake.name not in UNGUARDED and mistake.guarded]
        if not guarded:
            gaps[answer_id] = np.full(np.shape(key), np.inf)
            continue
        values = np.empty((len(guarded), *np.shape(key)))  # one row per mistake
        for row, wrong_values in zip(values, guarded, strict=True):
            row[...] = wrong_values
        with np.errstate(all="ignore"):
            distance = np.abs(values - key)
            counts = np.isfinite(values) & (distance > SAME * size)
            gaps[answer_id] = np.where(counts, distance / scale, np.inf).min(axis=0)
    return gaps


def well_separated(
    family: Family, params: Mapping[str, np.ndarray], values: Mapping[str, np.ndarray]
) -> np.ndarray:
    """True where every guarded mistake of every numeric answer is at least GAP from the key.

    The verdicts of ``relative_gaps(family, values, numeric_mistakes(family, params, values))``
    all at least GAP, for a fraction of the work: only the quantities a mistake can change are
    computed (:class:`Guard`), and each answer's nearest wrong value decides (:func:`_too_close`).
    """
    guard, correct = _guard(family), family.derivation()
    wrong: dict[str, list[np.ndarray]] = {a: [values[o] for o in guard.neighbours[a]] for a in guard.numeric}
    for a in guard.flipped:
        wrong[a].append(-values[a])
    with np.errstate(all="ignore"):
        known = {**params, **values}
        for source in guard.sources:
            computed = batch_changes(source.derivation, correct, known,
                                     {given: values[name] for given, name in source.given})
            for a in source.answers:
                wrong[a].append(computed[a])
        ok = np.ones(len(next(iter(params.values()))), dtype=bool)
        for a, found in wrong.items():
            if found:
                ok &= ~_too_close(values, a, guard.baselines[a], np.stack(found))
    return ok


def _too_close(values: Mapping[str, np.ndarray], answer: str, baseline: str | None, wrong: np.ndarray) -> np.ndarray:
    """Where one of the wrong values (a row each, overwritten here) counts for :func:`relative_gaps`
    (it is more than SAME from the key; NaN and infinity never count) and is less than GAP from it.

    The nearest wrong value decides, as the gap is a minimum and dividing by the scale keeps the
    order: one division per variant, not per mistake. Only where the nearest is within SAME (a
    mistake that does not change the answer) is the nearest counted one looked for.
    """
    key = values[answer]
    size = np.abs(key - values[baseline]) if baseline else np.abs(key)
    scale = np.maximum(size, DEFAULT.floor / DEFAULT.value)
    distance = np.subtract(wrong, key, out=wrong)
    np.abs(distance, out=distance)
    nearest = np.fmin.reduce(distance, axis=0)  # NaN only where every distance is NaN
    same = SAME * size
    with np.errstate(invalid="ignore"):
        rows = np.flatnonzero(nearest <= same)
        if rows.size:
            some = distance[:, rows]
            nearest[rows] = np.fmin.reduce(np.where(some > same[rows], some, np.inf), axis=0)
        return nearest / scale < GAP


@dataclass(frozen=True)
class GuardSource:
    """One derivation a guarded mistake is computed from: the ``given`` names it reads beyond the
    parameters (each with the correct quantity it is given) and the numeric answers it changes."""

    derivation: Derivation
    given: tuple[tuple[str, str], ...]
    answers: tuple[str, ...]


@dataclass(frozen=True)
class Guard:
    """What :func:`well_separated` computes for a family, the same for every batch: the derivations
    of its guarded mistakes, the answers whose sign flip is a mistake (no update), each answer's
    neighbours and baseline. A mistake that cannot change an answer is left out: it equals the
    key bit for bit, which :func:`relative_gaps` does not count."""

    numeric: tuple[str, ...]
    sources: tuple[GuardSource, ...]
    flipped: tuple[str, ...]
    neighbours: Mapping[str, tuple[str, ...]]
    baselines: Mapping[str, str | None]


_GUARDS: dict[int, tuple[Family, Guard]] = {}  # by id(family), as _LAYOUTS


def _guard(family: Family) -> Guard:
    """The family's :class:`Guard`, worked out once per family object."""
    stored = _GUARDS.get(id(family))
    if stored is None or stored[0] is not family:
        if len(_GUARDS) >= _LAYOUTS_MAX:
            _GUARDS.clear()
        stored = _GUARDS[id(family)] = (family, _make_guard(family))
    return stored[1]


def _make_guard(family: Family) -> Guard:
    """The guarded mistakes of :func:`numeric_mistakes`, each as a derivation and the answers it may change."""
    layout = _layout(family)
    correct = family.derivation()
    sources = []

    def add(derivation: Derivation, given: tuple[tuple[str, str], ...] = (), only: Mapping[str, bool] | None = None):
        changed = changed_quantities(derivation, correct, [g for g, _ in given])
        answers = tuple(a for a in layout.numeric if a in changed and (only is None or only.get(a, True)))
        if answers:
            sources.append(GuardSource(derivation, given, answers))

    for name, rules in (*RULE_MISTAKES, *family.rule_mistakes):
        if name not in UNGUARDED:
            add(family.derivation(rules))
    mutated = _updated_weights_in_deltas(correct)
    if mutated is not None:
        add(mutated[0], tuple((f"{old}_new{GIVEN}", new) for old, new in mutated[1].items()))
    linear = _forward_without_activation(correct)
    if linear is not None:
        add(linear)
    for slip in family.slips:
        if slip.name not in UNGUARDED:
            add(_slipped(correct, slip), only=_slip_guarded(slip, correct))
    flipped = tuple(a for a in layout.numeric if layout.baselines[a] is None)
    return Guard(layout.numeric, tuple(sources), flipped, layout.neighbours, layout.baselines)


def tolerance_cap(gap: float) -> Tolerance | None:
    """A relative tolerance of at most half of ``gap``: 1, 2 or 5 times a power of ten.

    None when the gap leaves room for the default 1 % (or no mistake changes the answer).

    >>> tolerance_cap(0.0066)
    Tolerance(mode='relative', value=0.002, floor=1e-06)
    >>> tolerance_cap(0.0061)
    Tolerance(mode='relative', value=0.002, floor=1e-06)
    """
    if not math.isfinite(gap) or gap >= GAP:
        return None
    exponent = math.floor(math.log10(gap / 2))
    nice = max(n for n in (1, 2, 5) if n * 10.0**exponent <= gap / 2)
    return Tolerance("relative", float(f"{nice}e{exponent}"))


def significant_figures(value: float, allowed: float) -> int:
    """How many significant figures of ``value`` keep the rounding error within ``allowed``.

    >>> significant_figures(0.1049, 0.001049)
    3
    """
    if value == 0 or allowed <= 0:
        return 1
    exponent = math.floor(math.log10(abs(value)))
    return max(1, math.ceil(exponent + 1 - math.log10(2 * allowed) - 1e-9))


def figures_needed(family: Family, numbers: Mapping[str, sympy.Rational]) -> int:
    """The significant figures a variant's numeric answers need (at least FIGURES, for 1 %).

    Where a tolerance shrinks (a fixed variant), more. Updates are left out: they are
    judged by their step, which the sheet and the feedback state separately.
    """
    params = as_arrays([numbers], family.params)
    values = {**params, **batch_quantities(family.derivation(), params)}
    gaps = relative_gaps(family, values, numeric_mistakes(family, params, values))
    digits = FIGURES
    for answer in family.answers:
        if not is_number(answer) or update_baseline(family.derivation(), answer.id):
            continue
        key = float(values[answer.id][0])
        tolerance = tolerance_cap(float(gaps[answer.id][0])) or DEFAULT
        digits = max(digits, significant_figures(key, allowed_error(key, tolerance)))
    return digits


def symbolic_mistakes(family: Family, answer_id: str) -> tuple[tuple[Mistake, sympy.Expr], ...]:
    """The typical wrong formulas for a symbolic answer (unsubstituted, in the family's symbols),
    built once per family and answer (comparing long formulas takes a millisecond)."""
    memo = (family.derivation(), answer_id)
    if memo not in _SYMBOLIC_MISTAKES:
        correct = family.derivation().symbolic[answer_id].expr
        wrong = [(Mistake("sign_flipped"), -correct)]
        for name, rules in (*RULE_MISTAKES, *family.rule_mistakes):
            expr = family.derivation(rules).symbolic[answer_id].expr
            if expr != correct:
                wrong.append((Mistake(name, mistake_fields(family, name)), expr))
        _SYMBOLIC_MISTAKES[memo] = tuple(wrong)
    return _SYMBOLIC_MISTAKES[memo]


_SYMBOLIC_MISTAKES: dict[tuple, tuple[tuple[Mistake, sympy.Expr], ...]] = {}  # a few per family's answer
