"""Hints and worked solutions, derived from a family's derivation rather than written per question.

Hints come one level at a time: the idea (what the answer depends on), then the formula (the
quantity's own formula from the derivation, the definitions to differentiate through, or
for a choice the argument of :mod:`grader.quiz.reasons`), then the formula with the
variant's numbers. None contains the answer's value. A worked solution shows, for every
answer of a step, the formula, the formula with the variant's numbers and the value.

Formulas are written only in names the student has met: the parameters the statement names
and the answers asked before. Any other quantity of the derivation (chain_rule's inner
``u``, an answer of a later step) is expanded into its definition, and parameters that the
statement only gives as numbers (:data:`UNNAMED`) are shown as those numbers.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from functools import cached_property

import sympy

from grader.core.evaluate import exact_choices, exact_quantities, exact_symbolic
from grader.core.family import Answer, Derivation, Family
from grader.core.kinds import is_number
from grader.core.variants import Variant
from grader.quiz import formulas, plain, reasons
from grader.quiz.text import say


@dataclass(frozen=True)
class Line:
    """One line: mathematics as text for a terminal and as LaTeX, or (``prose``) a sentence as
    Unicode text and as Markdown with ``$...$`` LaTeX."""

    text: str
    tex: str
    prose: bool = False

    @classmethod
    def of_markdown(cls, markdown: str) -> Line:
        """A sentence written in Markdown with LaTeX."""
        return cls(plain.to_text(markdown), markdown, prose=True)


@dataclass(frozen=True)
class Hint:
    """A hint for one answer: a sentence, the formulas it points at, and notes.

    Hints are graduated: ``level`` 1 is the idea, 2 the formula, 3 the formula with the
    variant's numbers (``levels`` says how many the answer has).
    """

    answer: str
    heading: str
    lead: str
    lines: tuple[Line, ...]
    notes: tuple[str, ...] = ()
    level: int = 1
    levels: int = 1


@dataclass(frozen=True)
class StepSolution:
    """The worked solution of one step (or of one answer of it): one or more lines per answer."""

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

    def formula(self, name: str, before: str | None = None) -> sympy.Expr:
        """A quantity's formula for this variant, in the names known before answer ``before``.

        Quantities the student has not met yet are expanded into their own formulas.
        """
        formula = formulas.structural(self.derivation.quantity(name), self.variant.params)
        known = self.known(before or name)
        table = dict((*self.derivation.definitions, *self.derivation.quantities))
        for _ in range(len(table) + 1):
            unknown = {q: table[q] for q in formula.free_symbols if q in table and str(q) not in known}
            if not unknown:
                break
            formula = formulas.structural(formula.xreplace(unknown), self.variant.params)
        return formula

    def known(self, answer_id: str) -> frozenset[str]:
        """The names a student has met when answering ``answer_id``: named parameters, earlier answers."""
        ids = [a.id for a in self.family.answers]
        earlier = ids[: ids.index(answer_id)] if answer_id in ids else ids
        return frozenset(set(self.variant.params) - set(UNNAMED.get(self.family.name, ())) | set(earlier))

    @property
    def unnamed(self) -> dict[str, str]:
        """The parameters the statement gives only as numbers, with those numbers."""
        return {n: self.values[n] for n in UNNAMED.get(self.family.name, ())}

    def defines(self, name: str) -> bool:
        """Whether the derivation has a quantity of this name."""
        return any(str(q) == name for q, _ in self.derivation.quantities)


# Parameters that a family's statement writes only as numbers inside a formula, never by name.
UNNAMED = {"chain_rule": ("a", "b"), "local_minima": ("a", "s")}


def _definition(worked: Worked, name: str, before: str | None = None) -> Line:
    return _equation(name, worked.formula(name, before), worked.unnamed)


def _equation(label: str, formula: sympy.Expr, shown: Mapping[str, str]) -> Line:
    """'label = formula' as text and LaTeX, the names in ``shown`` written as their numbers."""
    text, tex = formulas.text(formula, shown), formulas.tex(formula, shown)
    return Line(f"{label} = {text}", f"{formulas.tex_name(label)} = {tex}")


def _sigmoid_note(worked: Worked, formulas_used: list[sympy.Expr], lang: str) -> tuple[str, ...]:
    return (say("hint_sigmoid", lang),) if any(formulas.has_sigmoid(f) for f in formulas_used) else ()


def hint(worked: Worked, answer: Answer, lang: str = "en", level: int = 2) -> Hint:
    """Hint ``level`` (1 idea, 2 formula, 3 with numbers; capped at the answer's last) for one answer.

    Never the value itself.
    """
    levels = HINT_LEVELS[answer.kind]
    level = max(1, min(level, levels))
    heading = say("hint_heading_level", lang, answer=answer.id, level=level, levels=levels)
    found = HINTS[answer.kind](worked, answer, lang, level, heading)
    if level < levels:
        found = replace(found, notes=(*found.notes, say("hint_more", lang, next=level + 1, levels=levels)))
    return found


def _formula_hint(worked: Worked, answer: Answer, lang: str, level: int, heading: str) -> Hint:
    levels = HINT_LEVELS[answer.kind]
    names = [answer.id] if is_number(answer) else _chain(worked, answer.id)
    used = [worked.formula(n, answer.id) for n in names]
    notes = _sigmoid_note(worked, used, lang)
    if level == 1:
        inputs = sorted({str(s) for f in used for s in f.free_symbols} - set(names) - set(worked.unnamed))
        key = "hint_idea_numeric" if is_number(answer) else "hint_idea_symbolic"
        lead = say(key, lang, answer=answer.id, inputs=", ".join(inputs))
        return Hint(answer.id, heading, lead, (), (), level, levels)
    if is_number(answer) and not worked.formula(answer.id).free_symbols - {
            sympy.Symbol(n) for n in worked.unnamed}:  # a formula of numbers only would be the value itself
        return Hint(answer.id, heading, say("hint_constant", lang, answer=answer.id), (), notes, level, levels)
    if level == 3:
        line = _numeric_line(worked, answer.id, with_value=False)
        return Hint(answer.id, heading, say("hint_numbers", lang), (line,), notes, level, levels)
    if is_number(answer):
        lines: tuple[Line, ...] = (_definition(worked, answer.id),)
        return Hint(answer.id, heading, say("hint_numeric", lang), lines, notes, level, levels)
    lines = tuple(_in_general(worked, answer.id, n) for n in names)
    return Hint(answer.id, heading, say("hint_symbolic", lang), lines, notes, level, levels)


def _in_general(worked: Worked, answer_id: str, name: str) -> Line:
    """A definition for a symbolic answer, in the answer's own variables: 'E = (w*x - t)^2/2', not w0.

    A variable ``v`` of the answer stands for the parameter ``v0`` at which the numeric steps
    start, and a function's value ``g_value`` for the function ``g``.
    """
    symbols = worked.derivation.symbolic[answer_id].symbols
    general = {sympy.Symbol(f"{v}0"): sympy.Symbol(v) for v in symbols if f"{v}0" in worked.variant.params}
    formula = worked.formula(name, answer_id)
    values = [q for q in formula.free_symbols if q.name.endswith("_value")]
    general |= {q: sympy.Symbol(q.name.removesuffix("_value")) for q in values}
    formula = formula.xreplace(general)
    label = re.sub(r"_value$", "", name)
    if name not in worked.known(answer_id):
        label = re.sub(r"_\d+$", "", label)
    return _equation(label, formula, worked.unnamed)


def _choice_hint(worked: Worked, answer: Answer, lang: str, level: int, heading: str) -> Hint:
    found = reasons.reason(worked.family.name, answer.id, worked.variant.params, worked.values, lang)
    if found is None:  # a family without an argument for this choice: the formulas to decide from
        names = _deciding(worked, answer)
        lines = tuple(_definition(worked, n, answer.id) for n in names)
        return Hint(answer.id, heading, say("hint_choice", lang), lines, (), level, HINT_LEVELS[answer.kind])
    parts = {1: (), 2: found.formula, 3: found.numbers}[level]
    lines = tuple(Line.of_markdown(p) for p in parts)
    lead = plain.to_text(found.idea) if level == 1 else say("hint_choice" if level == 2 else "hint_numbers", lang)
    return Hint(answer.id, heading, lead, lines, (), level, HINT_LEVELS[answer.kind])


def _chain(worked: Worked, answer_id: str) -> list[str]:
    """The forward definitions a symbolic answer differentiates through, in solution order.

    Those whose names the answer's formula uses, their direct forward inputs, and the loss
    (the first forward quantity that no later forward quantity uses); when the formula uses
    none of them, the loss and everything it is computed from. Quantities the student has
    not met yet are left out (they are expanded in the lines that use them).
    """
    derivation = worked.derivation
    order = [str(q) for q, _ in derivation.quantities if str(q) in derivation.forward]
    params = worked.variant.params
    raw = {n: formulas.structural(derivation.quantity(n), params) for n in order}
    inputs = {n: {str(s) for s in raw[n].free_symbols} & set(order) for n in order}
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
    known = worked.known(answer_id)
    return [n for n in order if n in chosen and (n in known or n == loss)]


def _deciding(worked: Worked, answer: Answer) -> list[str]:
    """The quantities a choice is decided from: the numeric answers of its step, else of the step before."""
    answers = worked.family.answers
    numeric = [a for a in answers if is_number(a) and worked.defines(a.id)]
    same = [a.id for a in numeric if a.step == answer.step]
    if same:
        return same
    index = answers.index(answer)
    earlier = [a for a in numeric if answers.index(a) < index]
    return [a.id for a in earlier if a.step == earlier[-1].step] if earlier else []


def worked_lines(worked: Worked, answer: Answer, lang: str = "en") -> tuple[Line, ...]:
    """The worked lines of one answer with the variant's numbers."""
    return WORKED_LINES[answer.kind](worked, answer, lang)


def _number_lines(worked: Worked, answer: Answer, lang: str) -> tuple[Line, ...]:
    return (_numeric_line(worked, answer.id),)


def _formula_lines(worked: Worked, answer: Answer, lang: str) -> tuple[Line, ...]:
    key = worked.symbolic[answer.id]
    base = answer.id.removesuffix("_expr")
    lines = []
    if worked.defines(base):
        lines.append(_definition(worked, base, answer.id))
    lines.append(Line(f"{answer.id} = {formulas.text(key)}", f"{formulas.tex_name(answer.id)} = {formulas.tex(key)}"))
    return tuple(lines)


def _choice_lines(worked: Worked, answer: Answer, lang: str) -> tuple[Line, ...]:
    option = worked.choices[answer.id]
    params = worked.variant.params
    found = reasons.reason(worked.family.name, answer.id, params, worked.values, lang)
    if found is None:
        lines = [_numeric_line(worked, n) for n in _deciding(worked, answer)]
    else:
        lines = [Line.of_markdown(p) for p in (*found.formula, *found.numbers)]
    lines.append(Line.of_markdown(reasons.conclusion(worked.family.name, answer.id, option, params, lang)))
    return tuple(lines)


# The quiz's presentation of each answer kind, by kind name: its hints (how many levels, and the
# function that writes one) and its worked lines.
HINT_LEVELS = {"numeric": 3, "symbolic": 2, "choice": 3}
HINTS: dict[str, Callable[[Worked, Answer, str, int, str], Hint]] = {
    "numeric": _formula_hint, "symbolic": _formula_hint, "choice": _choice_hint,
}
WORKED_LINES: dict[str, Callable[[Worked, Answer, str], tuple[Line, ...]]] = {
    "numeric": _number_lines, "symbolic": _formula_lines, "choice": _choice_lines,
}


def _numeric_line(worked: Worked, name: str, with_value: bool = True) -> Line:
    formula = worked.formula(name)
    value = worked.values[name]
    shown = worked.unnamed
    parts_text = [name, formulas.text(formula, shown)]
    parts_tex = [formulas.tex_name(name), formulas.tex(formula, shown)]
    if not (formula.is_Symbol or formula.is_Number):
        parts_text.append(formulas.text(formula, worked.values))
        parts_tex.append(formulas.tex(formula, worked.values))
    if with_value:
        parts_text.append(value)
        parts_tex.append(value)
    return Line(" = ".join(parts_text), " = ".join(parts_tex))


def solution(worked: Worked, step: str, answers: tuple[Answer, ...], lang: str = "en") -> StepSolution:
    """The worked solution of one step (the given answers, all of the same step); no line twice."""
    lines = tuple(dict.fromkeys(line for a in answers for line in worked_lines(worked, a, lang)))
    return StepSolution(step, say("solution_heading", lang, step=worked.family.step_name(step, lang)), lines)


def answer_solution(worked: Worked, answer: Answer, lang: str = "en") -> StepSolution:
    """The worked solution of one answer only (the quiz reveals answers one at a time)."""
    heading = say("answer_solution_heading", lang, step=worked.family.step_name(answer.step, lang),
                  answer=answer.id)
    return StepSolution(answer.step, heading, worked_lines(worked, answer, lang))


def given_values(worked: Worked, names: Mapping[str, object] | tuple[str, ...]) -> tuple[Line, ...]:
    """Answers shown as given data ('h1 = 0.593270'), e.g. the earlier steps in a review."""
    return tuple(
        Line(f"{n} = {worked.values[n]}", f"{formulas.tex_name(n)} = {worked.values[n]}")
        for n in names
        if n in worked.values
    )
