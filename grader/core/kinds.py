"""Answer kinds: what a kind of answer is, behind one object, and the registry of kinds by name.

An :class:`~grader.core.family.Answer` names its kind (``"numeric"``, ``"symbolic"``,
``"choice"``), so data files and JSON keep the name; :func:`kind_of` gives the
:class:`AnswerKind` that reads and judges such an answer and writes its key. The built-in kinds
are at the end of this module; their judges are in :mod:`grader.core.grading`, imported when an
answer is first judged (the keys, and ``grader show``, need no grading). A new kind is one
:func:`register` call (see ``docs/architecture.md``). Presentation that belongs to a higher layer
(an answer sheet's note, a notebook's input hint, a quiz widget, a Moodle field) is looked up by
the kind's name in one table per module; ``docs/architecture.md`` lists them and what a kind
missing from each gets.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from fractions import Fraction
from functools import lru_cache
from typing import TYPE_CHECKING

import sympy

from grader.core.family import Answer, Derivation, Symbolic

if TYPE_CHECKING:
    from grader.core.grading import AnswerResult, Expected, Raw, Settings, Work

DIGITS = 30  # significant digits written for answers that are not rational

Judge = Callable[["Expected", "Answer", "Raw", "Work", "Settings", str], "AnswerResult"]
KeyOf = Callable[["Answer", "Derivation", Mapping[str, sympy.Rational], Mapping[str, tuple[float, str]],
                  Mapping[str, str]], "tuple[float | str, str]"]


@dataclass(frozen=True)
class AnswerKind:
    """One kind of answer.

    ``judge(expected, answer, raw, work, settings, lang)`` reads a student's raw answer and gives
    its :class:`~grader.core.grading.AnswerResult`; ``key(answer, derivation, params, numbers,
    choices)`` gives the key's value and exact text from the variant's quantities (each as its
    float and exact text) and choices; ``key_text(expected, answer)`` is the key as the
    instructor's key file writes it.
    ``number`` says that the answer is one of the derivation's quantities, read as a
    number: compared within a tolerance, credited when carried forward, matched against the
    typical mistakes and the classmates' keys.
    """

    name: str
    judge: Judge
    key: KeyOf
    key_text: Callable[[Expected, Answer], str]
    number: bool = False


KINDS: dict[str, AnswerKind] = {}


def register(kind: AnswerKind) -> AnswerKind:
    """Add a kind to the registry under its name (a kind of that name is replaced) and return it."""
    KINDS[kind.name] = kind
    return kind


def kind_of(answer: Answer) -> AnswerKind:
    """The kind of an answer, by its name; a name nobody registered is a clear error."""
    return kind_named(answer.kind, f"answer {answer.id!r}")


def kind_named(name: str, where: str = "an answer") -> AnswerKind:
    """The registered kind of this name; ``where`` says whose kind it is if nobody registered it."""
    try:
        return KINDS[name]
    except KeyError:
        raise ValueError(f"{where} has the kind {name!r}, which is not registered "
                         f"(known: {', '.join(sorted(KINDS))})") from None


def is_number(answer: Answer) -> bool:
    """Whether an answer is a quantity of the derivation read as a number (see :class:`AnswerKind`)."""
    return kind_of(answer).number


# --- the built-in kinds -------------------------------------------------------------------

def exact_text(value: sympy.Expr) -> str:
    """A number as exact text: '3/4' for rationals, else 30 significant digits."""
    if value.is_Rational:
        return str(value)
    return str(sympy.Float(value, DIGITS))


def numeric_key(answer: Answer, derivation: Derivation, params: Mapping[str, sympy.Rational],
                numbers: Mapping[str, tuple[float, str]], choices: Mapping[str, str]) -> tuple[float | str, str]:
    """A number's key: its float and its exact text."""
    return numbers[answer.id]


def symbolic_key(answer: Answer, derivation: Derivation, params: Mapping[str, sympy.Rational],
                 numbers: Mapping[str, tuple[float, str]], choices: Mapping[str, str]) -> tuple[float | str, str]:
    """A formula's key: the formula with the variant's numbers, as text (both value and exact)."""
    text = formula_text(derivation.symbolic[answer.id], params)
    return text, text


def choice_key(answer: Answer, derivation: Derivation, params: Mapping[str, sympy.Rational],
               numbers: Mapping[str, tuple[float, str]], choices: Mapping[str, str]) -> tuple[float | str, str]:
    """A choice's key: the right option."""
    return choices[answer.id], choices[answer.id]


def formula_text(symbolic: Symbolic, params: Mapping[str, sympy.Rational | Fraction]) -> str:
    """A formula answer of one variant as text (``str`` of :func:`~grader.core.evaluate.exact_symbolic`'s
    formula), printed once per set of the numbers that appear in it."""
    used = _fixed_names(symbolic)
    return _formula_text(symbolic, tuple((k, v) for k, v in params.items() if k in used))


@lru_cache(maxsize=256)
def _fixed_names(symbolic: Symbolic) -> frozenset[str]:
    """The names in a formula answer that a variant's numbers replace."""
    return frozenset(str(s) for s in symbolic.expr.free_symbols) - set(symbolic.symbols)


@lru_cache(maxsize=4096)
def _formula_text(symbolic: Symbolic, fixed: tuple[tuple[str, sympy.Rational | Fraction], ...]) -> str:
    return str(symbolic.for_variant({k: sympy.Rational(int(v.numerator), int(v.denominator)) for k, v in fixed}))


def _numeric_key_text(expected: Expected, answer: Answer) -> str:
    return repr(expected.values[answer.id])


def _symbolic_key_text(expected: Expected, answer: Answer) -> str:
    return formula_text(expected.variant.family.derivation().symbolic[answer.id], expected.variant.params)


def _choice_key_text(expected: Expected, answer: Answer) -> str:
    return expected.choices[answer.id]


def _graded_by(name: str) -> Judge:
    """The judge ``name`` of :mod:`grader.core.grading`, imported when an answer is first judged
    (and looked up once: a class judges hundreds of thousands of answers)."""
    found: list[Judge] = []

    def judge(expected: Expected, answer: Answer, raw: Raw, work: Work, settings: Settings,
              lang: str) -> AnswerResult:
        if not found:
            from grader.core import grading

            found.append(getattr(grading, name))
        return found[0](expected, answer, raw, work, settings, lang)
    return judge


NUMERIC = register(AnswerKind("numeric", _graded_by("judge_numeric"), numeric_key, _numeric_key_text, number=True))
SYMBOLIC = register(AnswerKind("symbolic", _graded_by("judge_symbolic"), symbolic_key, _symbolic_key_text))
CHOICE = register(AnswerKind("choice", _graded_by("judge_choice"), choice_key, _choice_key_text))
