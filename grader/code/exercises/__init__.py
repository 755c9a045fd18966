"""The code exercises, one module each, and their registry.

Each module defines ``EXERCISE``: the functions students write, the inputs drawn for one student,
and its hidden tests, each declared with its name, points and titles together
(:class:`~grader.code.exercises.base.Declared`). A new exercise is one module plus one line in
:data:`EXERCISES`.
"""

from __future__ import annotations

from functools import lru_cache

from grader.code.exercises import backprop_222, chain, gd_linear, gradient_check, mlp, sigmoid
from grader.code.exercises.base import DEFAULT_KEY, Exercise, HiddenTest
from grader.core.variants import VariantKey

EXERCISES: dict[str, Exercise] = {
    m.EXERCISE.name: m.EXERCISE for m in (sigmoid, gd_linear, backprop_222, chain, mlp, gradient_check)
}


class UnknownExercise(KeyError):
    """An exercise name that is not in the registry (a course-configuration error)."""

    def __str__(self) -> str:
        return f"unknown code exercise {self.args[0]!r}; known: {', '.join(EXERCISES)}"


def get_exercise(name: str) -> Exercise:
    """The exercise registered under ``name``."""
    try:
        return EXERCISES[name]
    except KeyError:
        raise UnknownExercise(name) from None


@lru_cache(maxsize=256)
def hidden_tests(exercise: str, key: VariantKey | None = None) -> tuple[HiddenTest, ...]:
    """The hidden tests of an exercise for one student (``key``) or for the default hidden key."""
    return get_exercise(exercise).build(key or DEFAULT_KEY)
