"""Hints and worked solutions, derived from a family's derivation rather than written per question.

A hint points at the formula: the quantity's own formula from the derivation (a numeric
answer), the definitions to differentiate through (a symbolic answer), or the formulas to
decide from (a choice). It never contains the answer's value. A worked solution shows, for
every answer of a step, the formula, the formula with the variant's numbers and the value.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property

import sympy

from grader.evaluate import exact_choices, exact_quantities, exact_symbolic
from grader.family import Answer, Derivation, Family
from grader.quiz import formulas
from grader.quiz.text import say, step_name
from grader.variants import Variant


@dataclass(frozen=True)
class Line:
    """One line of mathematics, as text for a terminal and as LaTeX for a notebook."""

    text: str
    tex: str


@dataclass(frozen=True)
class Hint:
    """A hint for one answer: a sentence, the formulas it points at, and notes."""

    answer: str
    heading: str
    lead: str
    lines: tuple[Line, ...]
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class StepSolution:
    """The worked solution of one step: one or more lines per answer."""

    step: str
    heading: str
    lines: tuple[Line, ...]


@dataclass(frozen=True)
class Worked:
    """Everything needed to explain one variant: its exact values, formulas and choices."""

    variant: Variant

    @property
    def family(self) -> Family:
        """The variant's family."""
        return self.variant.family

    @property
    def derivation(self) -> Derivation:
        """The family's correct derivation."""
        return self.family.derivation()

    @cached_property
    def values(self) -> dict[str, str]:
        """Every parameter and quantity of the variant as text for people."""
        exact = exact_quantities(self.derivation, self.variant.params)
        shown = {k: formulas.number_text(v) for k, v in self.variant.params.items()}
        return {**shown, **{k: formulas.number_text(v) for k, v in exact.items() if v.is_number}}

    @cached_property
    def symbolic(self) -> dict[str, sympy.Expr]:
        """The symbolic answers of the variant."""
        return exact_symbolic(self.derivation, self.variant.params)

    @cached_property
    def choices(self) -> dict[str, str]:
        """The right option of every choice answer."""
        return exact_choices(self.derivation, self.variant.params)

    def formula(self, name: str) -> sympy.Expr:
        """A quantity's formula, specialised to the variant's structure."""
        return formulas.structural(self.derivation.quantity(name), self.variant.params)

    def defines(self, name: str) -> bool:
        """Whether the derivation has a quantity of this name."""
        return any(str(q) == name for q, _ in self.derivation.quantities)


def _definition(worked: Worked, name: str) -> Line:
    formula = worked.formula(name)
    return Line(f"{name} = {formulas.text(formula)}", f"{formulas.tex_name(name)} = {formulas.tex(formula)}")


def _sigmoid_note(worked: Worked, names: list[str], lang: str) -> tuple[str, ...]:
    used = any(formulas.has_sigmoid(worked.formula(n)) for n in names)
    return (say("hint_sigmoid", lang),) if used else ()


def hint(worked: Worked, answer: Answer, lang: str = "en") -> Hint:
    """The hint for one answer of the variant (formulas only, never the value)."""
    heading = say("hint_heading", lang, answer=answer.id)
    if answer.kind == "numeric":
        names = [answer.id]
        lead = say("hint_numeric", lang)
    elif answer.kind == "symbolic":
        names = _chain(worked, answer.id)
        lead = say("hint_symbolic", lang)
    else:
        names = _deciding(worked, answer)
        lead = say("hint_choice", lang)
    lines = tuple(_definition(worked, n) for n in names)
    return Hint(answer.id, heading, lead, lines, _sigmoid_note(worked, names, lang))


def _chain(worked: Worked, answer_id: str) -> list[str]:
    """The forward definitions a symbolic answer differentiates through, in solution order.

    Those whose names the answer's formula uses, their direct forward inputs, and the loss
    (the first forward quantity that no later forward quantity uses); when the formula uses
    none of them, the loss and everything it is computed from.
    """
    derivation = worked.derivation
    order = [str(q) for q, _ in derivation.quantities if str(q) in derivation.forward]
    inputs = {n: {str(s) for s in worked.formula(n).free_symbols} & set(order) for n in order}
    loss = next((n for i, n in enumerate(order) if not any(n in inputs[m] for m in order[i + 1 :])), order[-1])
    used = {str(s) for s in derivation.symbolic[answer_id].expr.free_symbols} & set(order)
    if used:
        chosen = used | {i for n in used for i in inputs[n]} | {loss}
    else:
        chosen, frontier = {loss}, [loss]
        while frontier:
            new = inputs[frontier.pop()] - chosen
            chosen |= new
            frontier.extend(new)
    return [n for n in order if n in chosen]


def _deciding(worked: Worked, answer: Answer) -> list[str]:
    """The quantities a choice is decided from: the numeric answers of its step, else of the step before."""
    answers = worked.family.answers
    numeric = [a for a in answers if a.kind == "numeric" and worked.defines(a.id)]
    same = [a.id for a in numeric if a.step == answer.step]
    if same:
        return same
    index = answers.index(answer)
    earlier = [a for a in numeric if answers.index(a) < index]
    return [a.id for a in earlier if a.step == earlier[-1].step] if earlier else []


def worked_lines(worked: Worked, answer: Answer, lang: str = "en") -> tuple[Line, ...]:
    """The worked lines of one answer with the variant's numbers."""
    if answer.kind == "numeric":
        return (_numeric_line(worked, answer.id),)
    if answer.kind == "symbolic":
        key = worked.symbolic[answer.id]
        base = answer.id.removesuffix("_expr")
        lines = []
        if worked.defines(base):
            lines.append(_definition(worked, base))
        lines.append(
            Line(f"{answer.id} = {formulas.text(key)}", f"{formulas.tex_name(answer.id)} = {formulas.tex(key)}")
        )
        return tuple(lines)
    lines = [_numeric_line(worked, n) for n in _deciding(worked, answer)]
    option = worked.choices[answer.id]
    lines.append(Line(f"{answer.id}: {option}", rf"\text{{{answer.id}: {option}}}"))
    return tuple(lines)


def _numeric_line(worked: Worked, name: str) -> Line:
    formula = worked.formula(name)
    value = worked.values[name]
    parts_text = [name, formulas.text(formula)]
    parts_tex = [formulas.tex_name(name), formulas.tex(formula)]
    if not (formula.is_Symbol or formula.is_Number):
        parts_text.append(formulas.text(formula, worked.values))
        parts_tex.append(formulas.tex(formula, worked.values))
    parts_text.append(value)
    parts_tex.append(value)
    return Line(" = ".join(parts_text), " = ".join(parts_tex))


def solution(worked: Worked, step: str, answers: tuple[Answer, ...], lang: str = "en") -> StepSolution:
    """The worked solution of one step (the given answers, all of the same step)."""
    lines = tuple(line for a in answers for line in worked_lines(worked, a, lang))
    return StepSolution(step, say("solution_heading", lang, step=step_name(step, lang)), lines)


def given_values(worked: Worked, names: Mapping[str, object] | tuple[str, ...]) -> tuple[Line, ...]:
    """Answers shown as given data ('h1 = 0.593270'), e.g. the earlier steps in a review."""
    return tuple(
        Line(f"{n} = {worked.values[n]}", f"{formulas.tex_name(n)} = {worked.values[n]}")
        for n in names
        if n in worked.values
    )
