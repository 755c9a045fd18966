"""A validated declaration turned into the same :class:`~grader.core.family.Family` the hand-written
modules define, so that keys, variants, mistakes, carried-forward credit, worked solutions,
the quiz and nbgrader work on it unchanged.

Names the derivation adds (for one epoch; with several, every name gets ``_k``):

- ``E``: the loss; ``delta_<unit>``: dE/d(input) of each activation applied to a defined name;
- ``dE_d<p>`` for every trainable p; ``<p>_new`` (or ``<p>_k``) after the update;
- with momentum ``v_<p>_new`` (or ``v_<p>_k``) = mu v + dE/dp, and p_new = p - eta v_new;
- with weight decay ``dEreg_d<p>`` = dE/dp + lambda p and p_new = p - eta dEreg_dp for the decayed p.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from fractions import Fraction

import numpy as np
import sympy

from grader.core.compare import DEFAULT
from grader.core.conditioning import distinct
from grader.core.evaluate import update_baseline
from grader.core.family import Answer, Derivation, Family, Gradient, Slip, Symbolic
from grader.core.kinds import is_number
from grader.core.model import Rules, backpropagate, expand
from grader.core.rng import Draws
from grader.core.statement import fill, precision
from grader.declared.spec import Declaration

S = sympy.Symbol
UNCHECKED_MISTAKES = {"rounded_too_early"}  # close to the key by design; the grader reports it when it matches


def _suffix(d: Declaration, k: int) -> str:
    return "" if d.epochs == 1 else f"_{k}"


def _after(d: Declaration, p: str, k: int, prefix: str = "") -> sympy.Symbol:
    """The value of trainable p (or its velocity) after epoch k; epoch 0 is the parameter."""
    if k == 0:
        return S(d.velocity[p]) if prefix else S(p)
    return S(f"{prefix}{p}_new" if d.epochs == 1 else f"{prefix}{p}_{k}")


def delta_name(unit_input: str) -> str:
    """dE/d(input of a unit), named from the input: ``delta_o1`` for ``o1_in``, ``delta_z1`` for ``z1``."""
    return f"delta_{unit_input.removesuffix('_in')}"


def _loss(d: Declaration, rules: Rules, rename: Mapping[sympy.Symbol, sympy.Expr]) -> sympy.Expr:
    targets = [S(t) for t in d.targets]
    if _targets_sum_to_one(d):
        targets[-1] = 1 - sympy.Add(*targets[:-1])
    pairs = [(rename.get(S(o), S(o)), t) for o, t in zip(d.outputs, targets, strict=True)]
    if d.loss == "squared_error":
        return rules.loss_scale * sympy.Add(*((o - t) ** 2 for o, t in pairs))
    if len(pairs) == 1:
        (o, t), = pairs
        return -(t * sympy.log(o) + (1 - t) * sympy.log(1 - o))
    return -sympy.Add(*(t * sympy.log(o) for o, t in pairs))


def _levels(adjoints: Mapping[sympy.Symbol, sympy.Expr], names: list[sympy.Symbol]) -> list[sympy.Symbol]:
    """Deltas ordered so that each comes after those its formula uses (output layer first)."""
    level: dict[sympy.Symbol, int] = {}

    def depth(name: sympy.Symbol) -> int:
        if name not in level:
            used = [s for s in adjoints[name].free_symbols if s in adjoints and s != name]
            level[name] = 1 + max((depth(s) for s in used), default=-1)
        return level[name]

    return sorted(names, key=lambda n: (depth(n), names.index(n)))


def derive(d: Declaration, rules: Rules) -> Derivation:
    """Forward pass, loss, deltas, gradients and the update, epoch by epoch, under ``rules``."""
    quantities: list[tuple[sympy.Symbol, sympy.Expr]] = []
    forward: set[str] = set()
    eta = S(d.learning_rate)
    for k in range(1, d.epochs + 1):
        suffix = _suffix(d, k)
        rename = {name: S(f"{name}{suffix}") for name, _ in d.definitions}
        rename.update({S(p): _after(d, p, k - 1) for p in d.trainable})
        steps = [(rename[name], expr.xreplace(rename)) for name, expr in d.definitions]
        loss = S(f"E{suffix}")
        steps.append((loss, _loss(d, rules, rename)))
        deltas = {rename[S(u.input)]: S(f"{delta_name(u.input)}{suffix}") for u in d.units if u.input}
        gradients = {_after(d, p, k - 1): S(f"dE_d{p}{suffix}") for p in d.trainable}
        adjoints = backpropagate(steps, loss, {**deltas, **gradients}, rules)
        if rules.output_shortcut:
            adjoints.update(_shortcut(d, rename, suffix))
        order = _levels(adjoints, [n for n in deltas.values() if n in adjoints])
        quantities += [*steps, *((q, _shorter(adjoints[q])) for q in order)]
        quantities += [(g, adjoints.get(g, sympy.Integer(0))) for g in _as_asked(d, gradients.values())]
        quantities += _updates(d, rules, k, eta)
        forward |= {str(q) for q, _ in steps}
    symbolic = {f"{q}_expr": _symbolic(quantities, q, *names) for q, names in d.formulas.items()}
    quantities = _one_hot_named(d, quantities)
    return Derivation(
        quantities=tuple(quantities),
        forward=frozenset(forward),
        symbolic=symbolic,
        definitions=tuple(quantities),
    )


def _as_asked(d: Declaration, names) -> list[sympy.Symbol]:
    """Names in the order the answers ask them (the worked solution's order), the others after."""
    asked = [n for _, numbers in d.steps for n in numbers]
    return sorted(names, key=lambda n: asked.index(str(n)) if str(n) in asked else len(asked))


def _targets_sum_to_one(d: Declaration) -> bool:
    """True when the targets are a one_hot or sum_to_one group of the declaration."""
    return set(d.targets) in [set(g) for g in (*d.one_hot, *d.sum_to_one)]


def _one_hot_named(d: Declaration, quantities: list) -> list:
    """Formulas with 1 - y1 - ... - y(n-1) written back as y_n (equal on every variant)."""
    if not _targets_sum_to_one(d):
        return quantities
    last, others = S(d.targets[-1]), [S(t) for t in d.targets[:-1]]
    return [(q, f.subs(1 - sympy.Add(*others), last)) for q, f in quantities]


def _shortcut(d: Declaration, rename, suffix: str) -> dict[sympy.Symbol, sympy.Expr]:
    """Every output delta as output - target (the softmax/cross-entropy shortcut, applied anywhere)."""
    targets = dict(zip(d.outputs, d.targets, strict=True))
    return {S(f"{delta_name(u.input)}{suffix}"): rename[S(u.name)] - S(targets[u.name])
            for u in d.units if u.input and u.name in targets}


def _shorter(formula: sympy.Expr) -> sympy.Expr:
    """The formula or its expansion, whichever is shorter (softmax with cross-entropy gives p1 - y1)."""
    expanded = sympy.expand(formula)
    return expanded if sympy.count_ops(expanded) < sympy.count_ops(formula) else formula


def _updates(d: Declaration, rules: Rules, k: int, eta: sympy.Symbol) -> list[tuple[sympy.Symbol, sympy.Expr]]:
    out = []
    for p in d.trainable:
        before, gradient = _after(d, p, k - 1), S(f"dE_d{p}{_suffix(d, k)}")
        if d.rule == "momentum":
            velocity = _after(d, p, k, "v_")
            out.append((velocity, rules.momentum_scale * S(d.momentum) * _after(d, p, k - 1, "v_") + gradient))
            gradient = velocity
        elif d.rule == "weight_decay" and p in d.decayed:
            regularized = S(f"dEreg_d{p}{_suffix(d, k)}")
            out.append((regularized, gradient + rules.decay_scale * S(d.decay) * before))
            gradient = regularized
        out.append((_after(d, p, k), before + rules.update_sign * eta * gradient))
    return out


def _symbolic(quantities, name: str, symbols: tuple[str, ...], keep: tuple[str, ...]) -> Symbolic:
    """The quantity as a formula a student may write in ``symbols``; the key keeps the names in
    ``keep`` (by default the same) and expands every other defined name."""
    kept = {S(s) for s in keep}
    return Symbolic(expand(S(name), [(q, f) for q, f in quantities if q not in kept]), symbols, asks=name)


def draw(d: Declaration, rng: Draws) -> dict[str, Fraction] | None:
    """Propose parameters in declaration order, a group at its first member; None when the
    last member of a sum_to_one group falls off its grid."""
    out: dict[str, Fraction] = {}
    for p in d.params:
        if p.name in out:
            continue
        group = next((g for g in d.distinct if p.name in g), None)
        hot = next((g for g in d.one_hot if p.name in g), None)
        total = next((g for g in d.sum_to_one if p.name in g), None)
        if group:
            out.update(zip(group, rng.sample(p.values, len(group)), strict=True))
        elif hot:
            chosen = rng.integer(0, len(hot) - 1)
            out.update({n: Fraction(int(i == chosen)) for i, n in enumerate(hot)})
        elif total:
            out.update({n: rng.choice(p.values) for n in total[:-1]})
            out[total[-1]] = 1 - sum((out[n] for n in total[:-1]), Fraction(0))
            if out[total[-1]] not in p.values:
                return None
        else:
            out[p.name] = rng.choice(p.values)
    return out


FORMULAS = "formulas"  # the step of the formula answers, named here: a declaration names its own steps
FORMULAS_NAMES = {"en": "formulas", "zh": "公式"}


def answers(d: Declaration) -> tuple[Answer, ...]:
    """Numeric answers in the declared steps, then a 2-point formula answer ``<q>_expr`` each."""
    numeric = [Answer(n, "numeric", 1, title) for title, names in d.steps for n in names]
    return (*numeric, *(Answer(f"{q}_expr", "symbolic", 2, FORMULAS) for q in d.formulas))


def rules_of(d: Declaration, family: Callable[[], Family]) -> Callable[[Mapping[str, np.ndarray]], dict]:
    """The generic conditioning rules, each a boolean array over a batch (True = well conditioned)."""
    rules = _rules(d, family)

    def check(values: Mapping[str, np.ndarray]) -> dict[str, np.ndarray]:
        return {name: rule(values) for name, rule, _ in rules}

    return check


def conditions_of(d: Declaration, family: Callable[[], Family]) -> Callable[[Mapping[str, np.ndarray]], np.ndarray]:
    """All of :func:`rules_of` at once, True where every rule holds: the costly rules (answers
    distinct, mistakes apart) are checked only on the proposals the cheap ones let through.

    Every rule looks at each proposal alone, so the verdicts are those of :func:`rules_of`.
    """
    rules = _rules(d, family)

    def conditions(values: Mapping[str, np.ndarray]) -> np.ndarray:
        ok = np.logical_and.reduce([rule(values) for _, rule, costly in rules if not costly])
        rows = np.flatnonzero(ok)
        if rows.size:
            some = {k: v[rows] for k, v in values.items()}
            ok[rows] = np.logical_and.reduce([rule(some) for _, rule, costly in rules if costly])
        return ok

    return conditions


Rule = Callable[[Mapping[str, np.ndarray]], np.ndarray]


def _rules(d: Declaration, family: Callable[[], Family]) -> list[tuple[str, Rule, bool]]:
    """(name, rule, whether it is costly) of every generic conditioning rule, cheap ones first."""
    c = d.conditions
    epochs = [_suffix(d, k) for k in range(1, d.epochs + 1)]
    floor = c["min_error"] if d.loss == "squared_error" else c["min_error"] / 5

    def every(values: Mapping[str, np.ndarray]) -> np.ndarray:
        return np.ones(len(values[d.params[0].name]), dtype=bool)

    def saturated_unit(values: Mapping[str, np.ndarray]) -> np.ndarray:
        ok = every(values)
        for suffix in epochs:
            for u in d.units:
                ok &= _unsaturated(u.kind, values, f"{u.name}{suffix}", f"{u.input}{suffix}" if u.input else None, c)
        return ok

    def output_error_too_small(values: Mapping[str, np.ndarray]) -> np.ndarray:
        ok = every(values)
        for suffix in epochs:
            for o, t in zip(d.outputs, d.targets, strict=True):
                ok &= np.abs(values[f"{o}{suffix}"] - values[t]) >= floor
        return ok

    def gradient_rounds_to_zero(values: Mapping[str, np.ndarray]) -> np.ndarray:
        ok = every(values)
        for suffix in epochs:
            for p in d.trainable:
                ok &= np.abs(values[f"dE_d{p}{suffix}"]) >= c["min_gradient"]
        return ok

    def answers_not_distinct(values: Mapping[str, np.ndarray]) -> np.ndarray:
        return _distinct(family(), values, c["distinct"]) if c["distinct"] > 0 else every(values)

    def mistake_within_tolerance(values: Mapping[str, np.ndarray]) -> np.ndarray:
        return _mistakes_apart(family(), values) if c["mistakes"] > 0 else every(values)

    return [("saturated_unit", saturated_unit, False), ("output_error_too_small", output_error_too_small, False),
            ("gradient_rounds_to_zero", gradient_rounds_to_zero, False),
            ("answers_not_distinct", answers_not_distinct, True),
            ("mistake_within_tolerance", mistake_within_tolerance, True)]


def _unsaturated(kind: str, values, name: str, input_: str | None, c: Mapping[str, float]) -> np.ndarray:
    a = values[name]
    if kind == "sigmoid":
        return (a >= c["sigmoid_range"]) & (a <= 1 - c["sigmoid_range"])
    if kind == "tanh":
        return np.abs(a) <= c["tanh_limit"]
    if kind == "softmax":
        return (a >= c["softmax_range"]) & (a <= 1 - c["softmax_range"])
    if kind == "relu" and input_ is not None:
        return np.abs(values[input_]) >= c["relu_margin"]
    return np.ones_like(a, dtype=bool)


def _distinct(family: Family, values: Mapping[str, np.ndarray], relative: float) -> np.ndarray:
    """Numeric answers pairwise apart by more than ``relative`` of the larger one."""
    return distinct([values[a.id] for a in family.answers if is_number(a)], relative)


def same_by_definition(family: Family) -> list[tuple[str, str]]:
    """Pairs of numeric answers that are one quantity under two names (dE_db2 = delta_o1): such a
    pair can never be told apart, so the distinctness rule rejects every draw."""
    derivation = family.derivation()
    numeric = [a.id for a in family.answers if is_number(a)]
    return [(a, b) for i, a in enumerate(numeric) for b in numeric[i + 1:]
            if derivation.quantity(b) == S(a) or derivation.quantity(a) == S(b)
            or derivation.quantity(a) == derivation.quantity(b)]


def _coincide_or_apart(a: np.ndarray, b: np.ndarray, apart: np.ndarray) -> np.ndarray:
    """True where a and b are equal up to rounding error, or differ by more than ``apart``."""
    gap = np.abs(a - b)
    with np.errstate(invalid="ignore"):
        return (gap <= 1e-9 * np.maximum(1.0, np.abs(a))) | (gap > apart)


def _mistakes_apart(family: Family, values: Mapping[str, np.ndarray]) -> np.ndarray:
    """True where every named mistake either equals the key (it is then no mistake) or lies outside
    the grader's default tolerance, so that no mistake earns full marks."""
    from grader.core.mistakes import numeric_mistakes  # mistakes imports the evaluation of families

    params = {p: values[p] for p in family.params}
    size = len(next(iter(params.values())))
    ok = np.ones(size, dtype=bool)
    for answer, found in numeric_mistakes(family, params, values).items():
        baseline = update_baseline(family.derivation(), answer)  # an update is judged by its step
        origin = values[baseline] if baseline else 0.0
        key = values[answer] - origin
        allowed = np.maximum(DEFAULT.value * np.abs(key), DEFAULT.floor)
        for mistake, wrong in found:
            if mistake.name not in UNCHECKED_MISTAKES:
                ok &= _coincide_or_apart(key, np.broadcast_to(wrong, (size,)) - origin, allowed)
    return ok


def rule_mistakes(d: Declaration) -> tuple[tuple[str, Rules], ...]:
    """The named mistakes a declaration adds to the generic ones: the output shortcut (unless turned
    off), and those of its update rule (momentum: the velocity not carried or the momentum term's sign
    flipped; weight decay: the decay term forgotten or applied twice)."""
    shortcut = (("output_shortcut", Rules(output_shortcut=True)),) if d.output_shortcut else ()
    by_rule = {
        "momentum": (("velocity_not_carried", Rules(momentum_scale=0)),
                     ("momentum_sign_flipped", Rules(momentum_scale=-1))),
        "weight_decay": (("decay_forgotten", Rules(decay_scale=0)), ("decay_doubled", Rules(decay_scale=2))),
    }
    return shortcut + by_rule.get(d.rule, ())


def family(d: Declaration) -> Family:
    """The :class:`Family` of a declaration."""
    built: list[Family] = []
    conditions = conditions_of(d, lambda: built[0])

    def statement(params: Mapping[str, sympy.Rational], lang: str) -> str:
        return fill(d.statement[lang], params, epochs=d.epochs) + precision(built[0], params, lang)

    gradients = tuple(
        Gradient(f"dE_d{p}{_suffix(d, k)}", f"E{_suffix(d, k)}", str(_after(d, p, k - 1)))
        for k in range(1, d.epochs + 1) for p in d.trainable
    )
    built.append(Family(
        name=d.name,
        version=d.version,
        summary=d.summary,
        params=tuple(p.name for p in d.params),
        canonical=d.canonical,
        answers=answers(d),
        draw=lambda rng: draw(d, rng),
        conditions=conditions,
        derive=lambda r: derive(d, r),
        statement=statement,
        gradients=gradients,
        rule_mistakes=rule_mistakes(d),
        slips=tuple(Slip(name, swaps) for name, swaps in d.slips),
        step_names={**d.step_names, FORMULAS: FORMULAS_NAMES},
    ))
    return built[0]
