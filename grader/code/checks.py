"""Judging values a student's function returned: numbers, arrays, lists, dicts.

Each check either passes or produces a :class:`Note` (a message key, the names it is about,
and the fields of the message). A :class:`Tally` counts checks for one hidden test and
collects its notes; its share of passed checks is the test's partial credit. Notes name the
fault when the wrong value matches a known mistake (given as ``alternatives``), otherwise
they say what is wrong with the value.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from grader.code.sandbox import Opaque

VALUE_NOTES = ("wrong_value", "not_a_number", "not_finite")
RTOL, ATOL = 1e-6, 1e-9  # against exact keys and the reference in float64
TRIVIAL = 0.01  # a step from the student's own values under 1 % of the key's is no step
FD_RTOL, FD_ATOL = 1e-4, 1e-7  # against finite differences


@dataclass(frozen=True)
class Note:
    """One thing wrong: a message key, the quantities it is about, and the message's other fields."""

    key: str
    names: tuple[str, ...] = ()
    fields: tuple[tuple[str, str], ...] = ()

    def merged(self, other: Note) -> Note:
        """The same note about the names of both."""
        return Note(self.key, self.names + tuple(n for n in other.names if n not in self.names), self.fields)


@dataclass
class Tally:
    """Checks of one hidden test: how many passed, and what was wrong with the others."""

    passed: int = 0
    total: int = 0
    notes: list[Note] = field(default_factory=list)

    def check(self, note: Note | None, weight: int = 1) -> bool:
        """Count one check (``note`` None means it passed); returns whether it passed."""
        self.total += weight
        if note is None:
            self.passed += weight
            return True
        self.add(note)
        return False

    def fail(self, weight: int = 1) -> None:
        """Count failed checks whose reason is already recorded."""
        self.total += weight

    def add(self, note: Note) -> None:
        """Record a note, merged with an earlier note of the same kind and fields.

        Notes about a given value merge whatever the value: the message about several names
        does not show it, and a second wrong value of the same name keeps the first one's.
        """
        for i, old in enumerate(self.notes):
            if old.key == note.key and (old.fields == note.fields or note.key in VALUE_NOTES):
                merged = old.merged(note)
                several = len(merged.names) > 1
                self.notes[i] = Note(merged.key, merged.names) if several and old.fields != note.fields else merged
                return
        self.notes.append(note)

    @property
    def fraction(self) -> float:
        """The share of checks passed (1 for a test with no checks)."""
        return self.passed / self.total if self.total else 1.0


def close(a: float, b: float, rtol: float = RTOL, atol: float = ATOL) -> bool:
    """|a - b| <= rtol |b| + atol, for finite numbers."""
    return math.isfinite(a) and math.isfinite(b) and abs(a - b) <= rtol * abs(b) + atol


def as_number(value: Any) -> float | None:
    """A returned value as a float when it is a number (also a numpy scalar or a one-element array)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float, np.floating, np.integer)):
        return float(value)
    if isinstance(value, np.ndarray) and value.size == 1:
        return float(value.reshape(()))
    return None


def describe(value: Any) -> str:
    """A short description of a value for a message: '0.1234', 'None', 'a list of 3', 'an array of shape (2, 1)'."""
    number = as_number(value)
    if number is not None:
        return f"{number:.6g}"
    if value is None:
        return "None"
    if isinstance(value, np.ndarray):
        return f"an array of shape {shape_text(value.shape)}"
    if isinstance(value, Opaque):
        return f"a {value.type}"
    if isinstance(value, (list, tuple, dict)):
        return f"a {type(value).__name__} of {len(value)}"
    return f"a {type(value).__name__}"


def shape_text(shape: Sequence[int]) -> str:
    """(2,) and (2, 1), as numpy writes them."""
    return str(tuple(int(s) for s in shape))


def diagnose(
    name: str,
    given: Any,
    expected: float,
    alternatives: Iterable[tuple[str, float | None]] = (),
    rtol: float = RTOL,
    atol: float = ATOL,
    sign_key: str = "wrong_sign",
) -> Note | None:
    """None if ``given`` is the number ``expected``; else a note naming what is wrong.

    ``alternatives`` are (message key, value) pairs of known mistakes; the first one the
    given value matches (and the right value does not) names the fault.
    """
    if given is None:
        return Note("missing_value", (name,))
    number = as_number(given)
    if number is None:
        return Note("not_a_number", (name,), (("given", describe(given)),))
    if not math.isfinite(number):
        return Note("not_finite", (name,), (("given", repr(number)),))
    if close(number, expected, rtol, atol):
        return None
    for key, value in alternatives:
        if value is not None and close(number, value, rtol, atol) and not close(value, expected, rtol, atol):
            return Note(key, (name,))
    if expected != 0 and close(number, -expected, rtol, atol):
        return Note(sign_key, (name,))
    return Note("wrong_value", (name,), (("given", f"{number:.6g}"),))


def diagnose_local(
    name: str,
    given: Any,
    expected: float,
    local: float | None,
    alternatives: Iterable[tuple[str, float | None]] = (),
    baseline: tuple[float, float] = (0.0, 0.0),
) -> Note | None:
    """Like :func:`diagnose`, but also right when equal to ``local``: the step done right from the
    student's own earlier (wrong) values, so that one mistake is not counted again downstream.

    Not when those values make the step trivial: ``baseline`` is (the student's, the key's) value
    the step starts from (zero, or the weight before an update), and a ``local`` step under
    ``TRIVIAL`` of the key's (zero deltas, zero gradients, an unchanged weight) earns nothing.
    """
    note = diagnose(name, given, expected, alternatives)
    if note is None or local is None:
        return note
    if abs(local - baseline[0]) <= TRIVIAL * abs(expected - baseline[1]):
        return note
    if diagnose(name, given, local) is None:
        return None
    if note.key == "wrong_value":
        return diagnose(name, given, local, alternatives) or note
    return note


def lookup(mapping: Any, key: str) -> Any:
    """``mapping[key]`` if the student's result is a dict with that key, else None."""
    if isinstance(mapping, Mapping):
        return mapping.get(key)
    return None


def as_sequence(value: Any) -> list | None:
    """A returned list, tuple or 1-D array as a list; None for anything else."""
    if isinstance(value, (list, tuple)):
        return list(value)
    if isinstance(value, np.ndarray) and value.ndim == 1:
        return list(value)
    return None


def as_array(value: Any) -> np.ndarray | None:
    """A returned array (or nested list of numbers) as a float array; None if it is not one."""
    if isinstance(value, np.ndarray):
        return value.astype(float)
    if isinstance(value, (list, tuple)):
        try:
            array = np.array(value, dtype=float)
        except (TypeError, ValueError):
            return None
        return array
    number = as_number(value)
    return None if number is None else np.array(number)


def check_values(
    tally: Tally,
    label: str,
    given: Any,
    expected: np.ndarray,
    names: Sequence[str] | None = None,
    alternatives: Mapping[str, np.ndarray] | None = None,
    rtol: float = RTOL,
    atol: float = ATOL,
) -> list[bool]:
    """Compare an array entry by entry (its shape is judged elsewhere: sizes must match).

    ``names`` label the entries in messages (default ``label[i, j]``); ``alternatives`` map a
    message key to a whole array of wrong values. Returns which entries passed.
    """
    expected = np.asarray(expected, dtype=float)
    names = list(names) if names is not None else [_entry(label, i, expected.shape) for i in range(expected.size)]
    array = as_array(given)
    if array is None or array.size != expected.size:
        tally.check(_size_note(label, given, expected), weight=expected.size)
        return [False] * expected.size
    flat, want = array.reshape(-1), expected.reshape(-1)
    others = {k: np.asarray(v, dtype=float).reshape(-1) for k, v in (alternatives or {}).items()
              if np.size(v) == expected.size}
    for key, other in others.items():  # a whole array with one known fault: one note about the array
        whole = [close(float(a), float(b), rtol, atol) for a, b in zip(flat, other, strict=True)]
        right = [close(float(a), float(b), rtol, atol) for a, b in zip(flat, want, strict=True)]
        if all(whole) and not all(right):
            return [tally.check(None if ok else Note(key, (label,))) for ok in right]
    passed = []
    for i in range(want.size):
        pairs = [(k, float(v[i])) for k, v in others.items()]
        passed.append(tally.check(diagnose(names[i], flat[i], float(want[i]), pairs, rtol, atol)))
    return passed


def _entry(label: str, index: int, shape: tuple[int, ...]) -> str:
    if not shape:
        return label
    position = np.unravel_index(index, shape)
    return f"{label}[{', '.join(str(int(p)) for p in position)}]"


def _size_note(label: str, given: Any, expected: np.ndarray) -> Note:
    array = as_array(given)
    if array is None:
        if given is None:
            return Note("missing_value", (label,))
        return Note("type", (label,), (("expected", f"an array of shape {shape_text(expected.shape)}"),
                                       ("given", describe(given))))
    return Note("shape", (label,), (("expected", shape_text(expected.shape)), ("given", shape_text(array.shape))))


def check_shape(tally: Tally, label: str, given: Any, shape: tuple[int, ...]) -> bool:
    """One check: ``given`` is a numpy array of exactly this shape (a number for shape ())."""
    if shape == ():
        number = as_number(given)
        ok = number is not None and not (isinstance(given, np.ndarray) and given.shape != ())
        note = None if ok else Note("type", (label,), (("expected", "a number"), ("given", describe(given))))
        return tally.check(note)
    if not isinstance(given, np.ndarray):
        return tally.check(Note("type", (label,), (("expected", f"an array of shape {shape_text(shape)}"),
                                                   ("given", describe(given)))))
    if tuple(given.shape) != tuple(shape):
        return tally.check(Note("shape", (label,), (("expected", shape_text(shape)),
                                                    ("given", shape_text(given.shape)))))
    return tally.check(None)
