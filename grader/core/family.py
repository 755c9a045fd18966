"""The declarative description of an exercise family and what its derivation yields."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from fractions import Fraction
from functools import cache

import numpy as np
import sympy

from grader.core.model import CORRECT, Rules
from grader.core.rng import Draws
from grader.text.messages import language

Kind = str  # the name of an answer kind registered in grader.core.kinds: "numeric", "symbolic", "choice"
Params = Mapping[str, sympy.Rational]


@dataclass(frozen=True)
class Answer:
    """One answer a student gives: its id, kind, points and the solution step it belongs to."""

    id: str
    kind: Kind
    points: float
    step: str
    options: tuple[str, ...] = ()


@dataclass(frozen=True)
class Choice:
    """A choice answer: the rule that names the right option from a variant's exact parameters.

    ``decide`` should rest on the family's derivation (for example the sign of a derived
    contraction factor), not on a hand-typed table of answers. ``why(params, option, lang)``
    says in one sentence why a wrong option is wrong for these parameters.
    """

    decide: Callable[[Params], str]
    why: Callable[[Params, str, str], str] | None = None


@dataclass(frozen=True)
class Symbolic:
    """A symbolic answer: its formula and the symbol names a student may use in it.

    Parameters that are not among ``symbols`` are replaced by the variant's numbers.
    ``near`` pairs a symbol with the parameter around whose value it is sampled when the
    grader checks equivalence, e.g. ``(("x", "x0"),)`` where the formula is only defined
    near the variant's point. ``asks`` names the quantity the formula is for (``delta_o1``
    for ``delta_o1_expr``) when it is one of the derivation's quantities: that quantity and
    every quantity after it may not be used to write it.
    """

    expr: sympy.Expr
    symbols: tuple[str, ...]
    near: tuple[tuple[str, str], ...] = ()
    asks: str | None = None

    def fixed(self, params: Params) -> dict[sympy.Symbol, sympy.Rational]:
        """The variant's parameters that this answer does not keep as symbols."""
        return {sympy.Symbol(k): v for k, v in params.items() if k not in self.symbols}

    def for_variant(self, params: Params) -> sympy.Expr:
        """The formula of one variant: the parameters it does not keep replaced by numbers."""
        return self.expr.xreplace(self.fixed(params))


@dataclass(frozen=True)
class Gradient:
    """Declares that quantity ``answer`` is d ``loss`` / d ``wrt`` (checked by finite differences)."""

    answer: str
    loss: str
    wrt: str


@dataclass(frozen=True, eq=False)
class Derivation:
    """What a family's model yields under some rules.

    ``quantities`` are numeric, in solution order, each a formula in the parameters and
    the quantities before it. ``forward`` names those that are plain forward computation
    (the loss is a function of the inputs through them alone). ``symbolic`` holds the
    symbolic answers in the family's own symbols, and ``definitions`` the equations that
    let any intermediate symbol be expanded into parameters.
    """

    quantities: tuple[tuple[sympy.Symbol, sympy.Expr], ...]
    forward: frozenset[str]
    symbolic: Mapping[str, Symbolic] = field(default_factory=dict)
    choices: Mapping[str, Choice] = field(default_factory=dict)
    definitions: tuple[tuple[sympy.Symbol, sympy.Expr], ...] = ()

    def usable(self, answer_id: str) -> tuple[str, ...]:
        """The symbols a formula answer may use: never the quantity it asks for, nor any
        quantity that comes after it in the derivation (so nothing computed from it).

        A formula ``delta_o1_expr = delta_o1`` restates the question; this list leaves it out.
        """
        return _usable(self, answer_id)

    def quantity(self, name: str) -> sympy.Expr:
        """The formula of one quantity."""
        return _formulas(self)[name]


@cache
def _usable(derivation: Derivation, answer_id: str) -> tuple[str, ...]:
    """:meth:`Derivation.usable`, worked out once per answer (a class asks it of every student)."""
    symbolic = derivation.symbolic[answer_id]
    order = [q.name for q, _ in derivation.quantities]  # a Symbol's name, without the printer
    if symbolic.asks is None:
        return symbolic.symbols
    later = set(order[order.index(symbolic.asks):])
    return tuple(s for s in symbolic.symbols if s not in later)


@cache
def _formulas(derivation: Derivation) -> dict[str, sympy.Expr]:
    """Each quantity's formula by name (the first, should a name repeat)."""
    found: dict[str, sympy.Expr] = {}
    for symbol, formula in derivation.quantities:
        found.setdefault(str(symbol), formula)
    return found


@dataclass(frozen=True)
class Slip:
    """A typical mistake of one family: in some formulas, one name written for another.

    ``swaps`` holds ``(quantity, right name, name used instead)``; the name used instead may
    be ``"0"`` (a term left out). Everything computed from a changed quantity follows it.
    The quantities named in ``through`` are first written out in the changed formulas (where
    a formula reaches the right name only through them, as f'(g) = h (1 - h) for sigmoid f).
    """

    name: str
    swaps: tuple[tuple[str, str, str], ...]
    through: tuple[str, ...] = ()


Draw = Callable[[Draws], "dict[str, Fraction] | None"]
_NUMBERED = re.compile(r"^(?P<stem>.*?)(?P<n>\d+)$")

Conditions = Callable[[Mapping[str, np.ndarray]], np.ndarray]


@dataclass(frozen=True)
class Family:
    """An exercise family: parameters, how they are drawn, the model, answers and statement.

    ``draw(rng)`` proposes exact parameters (or ``None`` to reject at once);
    ``conditions`` receives float arrays of every parameter and quantity over a batch of
    proposals and returns which are well conditioned. ``derive(rules)`` builds the sympy
    model and differentiates it. ``statement(params, lang)`` renders Markdown with LaTeX.
    ``slips`` are the family's own typical mistakes, beyond those every family shares.
    ``step_names`` names each step of ``answers`` in every language (``{step: {lang: name}}``);
    a numbered step such as 'epoch 2' may be named once by its pattern 'epoch {n}'.
    """

    name: str
    version: int
    summary: Mapping[str, str]
    params: tuple[str, ...]
    canonical: Mapping[str, str]
    answers: tuple[Answer, ...]
    draw: Draw
    conditions: Conditions
    derive: Callable[[Rules], Derivation]
    statement: Callable[[Params, str], str]
    gradients: tuple[Gradient, ...] = ()
    rule_mistakes: tuple[tuple[str, Rules], ...] = ()  # named mistakes beyond grader.core.mistakes.RULE_MISTAKES
    slips: tuple[Slip, ...] = ()
    step_names: Mapping[str, Mapping[str, str]] = field(default_factory=dict)

    def answer(self, answer_id: str) -> Answer:
        """The answer with this id."""
        for a in self.answers:
            if a.id == answer_id:
                return a
        raise KeyError(answer_id)

    def step_name(self, step: str, lang: str = "en") -> str:
        """One of the family's steps named in ``lang`` (English when the language is unknown);
        'epoch 2' is found as 'epoch {n}'. A step the family does not name stays as it is."""
        lang = language(lang)
        if step in self.step_names:
            return self.step_names[step][lang]
        match = _NUMBERED.match(step)
        if match and f"{match['stem']}{{n}}" in self.step_names:
            return self.step_names[f"{match['stem']}{{n}}"][lang].format(n=match["n"])
        return step

    def derivation(self, rules: Rules = CORRECT) -> Derivation:
        """The model derived under ``rules`` (cached per family and rules)."""
        if rules is CORRECT:  # the common case, without hashing the rules' sympy numbers
            found = _CORRECT.get((self.name, self.version))
            if found is None:
                found = _CORRECT[self.name, self.version] = _derive_cached(self, rules)
            return found
        return _derive_cached(self, rules)


_CACHE: dict[tuple[str, int, Rules], Derivation] = {}
_CORRECT: dict[tuple[str, int], Derivation] = {}


def _derive_cached(family: Family, rules: Rules) -> Derivation:
    key = (family.name, family.version, rules)
    if key not in _CACHE:
        _CACHE[key] = family.derive(rules)
    return _CACHE[key]
