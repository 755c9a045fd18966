"""Answer kinds: what a kind of answer is, behind one object, and the registry of kinds by name.

An :class:`~grader.core.family.Answer` names its kind (``"numeric"``, ``"symbolic"``,
``"choice"``), so data files and JSON keep the name; :func:`kind_of` gives the
:class:`AnswerKind` that reads and judges such an answer and writes its key. The built-in kinds
are registered in :mod:`grader.core.grading`, next to their judges; a new kind is one
:func:`register` call (see ``docs/architecture.md``). Presentation that belongs to a higher layer
(an answer sheet's note, a notebook's input hint, a quiz widget, a Moodle field) is looked up by
the kind's name in one table per layer, and a kind missing from such a table gets that layer's
plain default (as a number does).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

import sympy

if TYPE_CHECKING:
    from grader.core.family import Answer, Derivation
    from grader.core.grading import AnswerResult, Expected, Raw, Settings, Work

Judge = Callable[["Expected", "Answer", "Raw", "Work", "Settings", str], "AnswerResult"]
KeyOf = Callable[["Answer", "Derivation", Mapping[str, sympy.Rational], Mapping[str, sympy.Expr],
                  Mapping[str, str]], "tuple[float | str, str]"]


@dataclass(frozen=True)
class AnswerKind:
    """One kind of answer.

    ``judge(expected, answer, raw, work, settings, lang)`` reads a student's raw answer and gives
    its :class:`~grader.core.grading.AnswerResult`; ``key(answer, derivation, params, numbers,
    choices)`` gives the key's value and exact text from the variant's exact quantities and
    choices; ``key_text(expected, answer)`` is the key as the instructor's key file writes it.
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
