"""What every code exercise is made of: :class:`Case` s judged by a :data:`Judge`, grouped in
hidden tests declared with their name, points and titles together (:class:`Declared`), and the
helpers the exercises share (the reference solutions, random inputs, finite differences).

A case is the calls the student's functions get (plain inputs only: nothing expected ever
reaches the sandbox) and a judge that checks what they returned. Judges give partial credit
(the share of checks passed) and name the fault when a wrong value matches a known mistake.
Where a step depends on an earlier step the student got wrong, it is also accepted when it is
right *from the student's own earlier values* (carried forward), so that one fault fails the
test it belongs to and no other.
"""

from __future__ import annotations

import hashlib
import importlib.util
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from types import ModuleType
from typing import Any, Generic, TypeVar

import numpy as np

from grader.code.checks import FD_ATOL, FD_RTOL, Note, Tally, as_number, describe, diagnose, lookup
from grader.code.sandbox import Call
from grader.core.evaluate import exact_quantities, local_value
from grader.core.model import CORRECT, Rules
from grader.core.rng import stable_seed
from grader.core.variants import Variant, VariantKey, generate
from grader.families import get_family

DEFAULT_KEY = VariantKey("code-exercises", "hidden", "code")
H = 1e-5  # step of the finite differences the grader takes of the student's own functions

Judge = Callable[[Sequence[Any], Tally], None]
Inputs = TypeVar("Inputs")


@dataclass(frozen=True)
class Case:
    """Calls of the student's functions and the judge of their values; ``weight`` is the number of
    checks the judge makes, all failed at once when a call gives no value."""

    calls: tuple[Call, ...]
    judge: Judge
    weight: int


@dataclass(frozen=True)
class HiddenTest:
    """One graded test: a name, its points, and its cases."""

    name: str
    points: float
    cases: tuple[Case, ...]


@dataclass(frozen=True)
class Declared(Generic[Inputs]):
    """A hidden test as an exercise declares it: name, points, title {en, zh}, and how its cases
    are made from the exercise's inputs for one student."""

    name: str
    points: float
    title: Mapping[str, str]
    cases: Callable[[Inputs], tuple[Case, ...]]


@dataclass(frozen=True)
class Exercise(Generic[Inputs]):
    """A code exercise: the file students fill in, its functions, the inputs drawn for one
    student, and its hidden tests in order."""

    name: str
    functions: tuple[str, ...]
    title: Mapping[str, str]
    inputs: Callable[[VariantKey], Inputs]
    declared: tuple[Declared[Inputs], ...]

    @property
    def tests(self) -> dict[str, Mapping[str, str]]:
        """Test name -> title {en, zh}, in order."""
        return {t.name: t.title for t in self.declared}

    def build(self, key: VariantKey) -> tuple[HiddenTest, ...]:
        """The hidden tests for one student: the inputs drawn once, then each test's cases."""
        drawn = self.inputs(key)
        return tuple(HiddenTest(t.name, t.points, t.cases(drawn)) for t in self.declared)


def title(en: str, zh: str) -> dict[str, str]:
    """A title in English and Simplified Chinese."""
    return {"en": en, "zh": zh}


class ReferenceMissing(RuntimeError):
    """The reference solutions (``solutions/``) are not where the grader expects them."""


def solutions_folder() -> Path | None:
    """Where the reference solutions are installed (``grader.solutions``, from ``solutions/``), or None."""
    spec = importlib.util.find_spec("grader.solutions")
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations)))


@cache
def reference(module: str) -> ModuleType:
    """The reference solution ``solutions/<module>.py``, imported in the grader's own process."""
    folder = solutions_folder()
    path = folder / f"{module}.py" if folder else Path("solutions", f"{module}.py")
    if not path.is_file():
        raise ReferenceMissing(f"reference solution {path} not found; reinstall gdbp-grader "
                               "(the package ships solutions/ as grader.solutions)")
    spec = importlib.util.spec_from_file_location(f"gdbp_reference_{module}", path)
    if spec is None or spec.loader is None:
        raise ReferenceMissing(f"reference solution {path} cannot be imported")
    loaded = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(loaded)
    return loaded


# --- random inputs -----------------------------------------------------------------------------

def hidden_variants(family: str, key: VariantKey, count: int) -> list[Variant]:
    """``count`` variants of a family for the hidden tests of one student (or of the default key)."""
    keys = [VariantKey(key.assignment, f"{key.student}/hidden/{n}", key.question) for n in range(count)]
    return generate(get_family(family), keys)


def generator(key: VariantKey, label: str) -> np.random.Generator:
    """A numpy generator seeded from the key and a label (never the global random state)."""
    digest = hashlib.sha256(stable_seed(key.assignment, key.student, key.question, label).encode()).digest()
    return np.random.default_rng(int.from_bytes(digest[:8], "big"))


def floats(variant: Variant) -> dict[str, float]:
    """A variant's parameters as floats."""
    return {k: float(v) for k, v in variant.numbers.items()}


def key_values(variant: Variant) -> dict[str, float]:
    """Every quantity of a variant, exactly computed, as floats."""
    return {k: float(v) for k, v in exact_quantities(variant.family.derivation(), variant.params).items()}


def numbers_in(result: Any, names: Sequence[str]) -> dict[str, float]:
    """The student's values for ``names`` that are numbers (others are left out)."""
    found = {}
    for name in names:
        number = as_number(lookup(result, name))
        if number is not None and np.isfinite(number):
            found[name] = number
    return found


def local(variant: Variant, name: str, values: Mapping[str, float], rules: Rules = CORRECT) -> float | None:
    """One quantity from its own formula at the given values (None if the formula cannot be evaluated)."""
    try:
        value = local_value(variant.family.derivation(rules), name, values)
    except (KeyError, ZeroDivisionError, OverflowError, ValueError):
        return None
    return value if np.isfinite(value) else None


def label(name: str) -> str:
    """'dE_dw5' as 'dE/dw5' in messages."""
    return name.replace("dE_d", "dE/d")


# --- judging helpers ---------------------------------------------------------------------------

def is_numeric(value: Any) -> bool:
    """Whether numpy reads the value as numbers."""
    try:
        np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        return False
    return True


def fd_compare(tally: Tally, names: Sequence[str], given: Any, numerical: np.ndarray, function: str) -> None:
    """Entry by entry, the student's derivatives against finite differences of their own ``function``."""
    flat = np.asarray(numerical, dtype=float).reshape(-1)
    values = np.asarray(given, dtype=float).reshape(-1) if is_numeric(given) else None
    if values is None or values.size != flat.size:
        tally.check(Note("type", (names[0],), (("expected", f"{flat.size} numbers"),
                                                ("given", describe(given)))), weight=flat.size)
        return
    for name, value, want in zip(names, values, flat, strict=True):
        note = diagnose(name, float(value), float(want), rtol=FD_RTOL, atol=FD_ATOL, sign_key="m_fd_sign")
        if note is not None and note.key in ("m_fd_sign", "wrong_value"):
            note = Note(note.key if note.key == "m_fd_sign" else "m_fd_disagree", note.names,
                        (("function", function),))
        tally.check(note)


def unpack(result: Any, tally: Tally, weight: int) -> tuple | None:
    """(loss, W_grads, b_grads) from the student's result, or a note and None."""
    if isinstance(result, (tuple, list)) and len(result) == 3:
        return tuple(result)
    tally.check(Note("type", ("the result",), (("expected", "a tuple (loss, W_grads, b_grads)"),
                                               ("given", describe(result)))), weight=weight)
    return None

