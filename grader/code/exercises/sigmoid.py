"""Exercise 1: the sigmoid and its derivative. Values, shapes and extremes of sigmoid; values of
sigmoid_prime and its consistency with finite differences of the student's own sigmoid."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from grader.code.checks import Note, check_shape, check_values, describe
from grader.code.exercises.base import (
    Case,
    Declared,
    Exercise,
    H,
    fd_compare,
    generator,
    is_numeric,
    reference,
    title,
)
from grader.code.sandbox import Call
from grader.core.variants import VariantKey


@dataclass(frozen=True)
class Inputs:
    """The points drawn for one student, and their names in messages."""

    z: np.ndarray
    names: list[str]
    prime_names: list[str]


def inputs(key: VariantKey) -> Inputs:
    """z = 0 and eight random points in [-6, 6]."""
    rng = generator(key, "sigmoid")
    z = np.round(rng.uniform(-6, 6, size=8), 3)
    z = np.concatenate([[0.0], z])
    return Inputs(z, [f"sigmoid({v:g})" for v in z], [f"sigmoid_prime({v:g})" for v in z])


def values(i: Inputs) -> tuple[Case, ...]:
    """sigmoid(z) against the reference; 1 - sigmoid is the sign of the exponent turned."""
    ref = reference("sigmoid")

    def judge(results, tally):
        expected = ref.sigmoid(i.z)
        check_values(tally, "sigmoid(z)", results[0], expected, i.names, {"m_exponent_sign": 1 - expected})
    return (Case((Call("sigmoid", (i.z,)),), judge, i.z.size),)


def shapes(i: Inputs) -> tuple[Case, ...]:
    """A number, a vector and a matrix keep their shape."""
    ref = reference("sigmoid")
    shapes_in = [float(i.z[1]), i.z[1:4].copy(), i.z[1:7].reshape(2, 3)]

    def judge(results, tally):
        for given, argument in zip(results, shapes_in, strict=True):
            shape = np.shape(argument)
            if check_shape(tally, f"sigmoid of shape {shape}", given, shape):
                check_values(tally, "sigmoid(z)", given, ref.sigmoid(argument))
            else:
                tally.fail(max(1, int(np.size(argument))))
    return (Case(tuple(Call("sigmoid", (a,)) for a in shapes_in), judge, 3 + 1 + 3 + 6),)


def extremes(i: Inputs) -> tuple[Case, ...]:
    """Inputs far out on both sides, where a naive formula overflows."""
    ref = reference("sigmoid")
    extremes_in = np.array([-1000.0, -50.0, 50.0, 1000.0])

    def judge(results, tally):
        names_ = [f"sigmoid({v:g})" for v in extremes_in]
        check_values(tally, "sigmoid(z)", results[0], ref.sigmoid(extremes_in), names_, atol=1e-12)
    return (Case((Call("sigmoid", (extremes_in,)),), judge, 4),)


def prime(i: Inputs) -> tuple[Case, ...]:
    """sigmoid_prime(z) against the reference; z (1 - z) is the derivative taken of the input."""
    ref = reference("sigmoid")

    def judge(results, tally):
        expected = ref.sigmoid_prime(i.z)
        check_values(tally, "sigmoid_prime(z)", results[0], expected, i.prime_names,
                     {"m_prime_of_activation": i.z * (1 - i.z)})
    return (Case((Call("sigmoid_prime", (i.z,)),), judge, i.z.size),)


def prime_fd(i: Inputs) -> tuple[Case, ...]:
    """sigmoid_prime against central differences of the student's own sigmoid."""
    z = i.z

    def judge(results, tally):
        up, down, given = (np.asarray(r, dtype=float) if is_numeric(r) else None for r in results)
        if up is None or down is None or up.shape != z.shape or down.shape != z.shape:
            tally.check(Note("type", ("sigmoid(z)",), (("expected", f"an array of shape {z.shape}"),
                                                       ("given", describe(results[0])))), weight=z.size)
            return
        numerical = (up - down) / (2 * H)
        fd_compare(tally, i.prime_names, results[2], numerical, "sigmoid")
    return (Case((Call("sigmoid", (z + H,)), Call("sigmoid", (z - H,)), Call("sigmoid_prime", (z,))), judge,
                 z.size),)


EXERCISE = Exercise(
    "sigmoid", ("sigmoid", "sigmoid_prime"),
    title("The sigmoid and its derivative", "Sigmoid 及其导数"), inputs, (
        Declared("sigmoid_values", 2, title("sigmoid: values", "sigmoid:数值"), values),
        Declared("sigmoid_shapes", 1, title("sigmoid: numbers and arrays of any shape", "sigmoid:数与任意形状的数组"),
                 shapes),
        Declared("sigmoid_extremes", 1, title("sigmoid: very large inputs", "sigmoid:绝对值很大的输入"), extremes),
        Declared("sigmoid_prime_values", 2, title("sigmoid_prime: values", "sigmoid_prime:数值"), prime),
        Declared("sigmoid_prime_fd", 1, title("sigmoid_prime agrees with finite differences of sigmoid",
                                              "sigmoid_prime 与 sigmoid 的有限差分一致"), prime_fd),
    ))
