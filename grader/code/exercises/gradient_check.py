"""Exercise 6: gradient checking by central differences. Parameters that are numbers and arrays,
central differences with the given eps, and params left unchanged."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from grader.code.checks import Note, check_shape, check_values, describe, diagnose, lookup
from grader.code.exercises.base import Case, Declared, Exercise, generator, title
from grader.code.sandbox import Call, Lambda
from grader.core.variants import VariantKey


@dataclass(frozen=True)
class Inputs:
    """The functions and parameters drawn for one student, and what their gradients are."""

    scalars: dict[str, float]
    expected_scalars: dict[str, float]
    W: np.ndarray
    bias: np.ndarray
    f_arrays: Lambda
    expected_arrays: dict[str, np.ndarray]
    point: float
    kept: dict[str, Any]


F_SCALARS = Lambda("lambda p: p['a'] ** 2 * p['b'] + np.sin(p['c'])")
CUBE = Lambda("lambda p: p['a'] ** 3")
F_KEPT = Lambda("lambda p: float(np.sum(p['W'] ** 2) * p['s'])")
EPS = 1e-2


def inputs(key: VariantKey) -> Inputs:
    """Numbers, arrays, a point and parameters that must stay as they are; gradients by hand."""
    rng = generator(key, "gradient_check")
    a, b, c = (round(float(v), 2) for v in rng.uniform(0.5, 2.0, 3))
    expected_scalars = {"a": 2 * a * b, "b": a * a, "c": float(np.cos(c))}

    W = np.round(rng.uniform(-1, 1, (2, 3)), 2)
    bias = np.round(rng.uniform(-1, 1, 2), 2)
    x = np.round(rng.uniform(-1, 1, 3), 2)
    f_arrays = Lambda(f"lambda p: float(np.sum(np.tanh(p['W'] @ np.array({x.tolist()}) + p['b']) ** 2))")
    t = np.tanh(W @ x + bias)
    dz = 2 * t * (1 - t * t)
    expected_arrays = {"W": np.outer(dz, x), "b": dz}

    point = round(float(rng.uniform(0.5, 2.0)), 2)
    kept = {"W": np.round(rng.uniform(-1, 1, (2, 2)), 2), "s": round(float(rng.uniform(0.5, 2)), 2)}
    return Inputs({"a": a, "b": b, "c": c}, expected_scalars, W, bias, f_arrays, expected_arrays, point, kept)


def grads_of(result, tally, weight) -> Mapping | None:
    """The gradient dict, or a note (of ``weight`` checks) and None."""
    if isinstance(result, Mapping):
        return result
    tally.check(Note("type", ("the gradient",), (("expected", "a dict"), ("given", describe(result)))),
                weight=weight)
    return None


def numbers(i: Inputs) -> tuple[Case, ...]:
    """Parameters that are numbers."""
    def judge(results, tally):
        grads = grads_of(results[0], tally, 3)
        if grads is not None:
            for name, want in i.expected_scalars.items():
                tally.check(diagnose(f"gradient['{name}']", grads.get(name), want, rtol=1e-5, atol=1e-7))
    return (Case((Call("gradient_check", (F_SCALARS, i.scalars)),), judge, 3),)


def arrays(i: Inputs) -> tuple[Case, ...]:
    """Parameters that are arrays: shapes and values."""
    def judge(results, tally):
        grads = grads_of(results[0], tally, 2 + 8)
        if grads is None:
            return
        for name, want in i.expected_arrays.items():
            check_shape(tally, f"gradient['{name}']", grads.get(name), want.shape)
            check_values(tally, f"gradient['{name}']", grads.get(name), want, rtol=1e-5, atol=1e-7)
    return (Case((Call("gradient_check", (i.f_arrays, {"W": i.W, "b": i.bias})),), judge, 10),)


def central(i: Inputs) -> tuple[Case, ...]:
    """Central differences with the given eps (one-sided differences and the exact derivative named)."""
    point = i.point
    want = ((point + EPS) ** 3 - (point - EPS) ** 3) / (2 * EPS)
    one_sided = [((point + EPS) ** 3 - point**3) / EPS, (point**3 - (point - EPS) ** 3) / EPS]

    def judge(results, tally):
        grads = grads_of(results[0], tally, 1)
        if grads is not None:
            alternatives = [("m_one_sided", v) for v in one_sided] + [("m_eps_ignored", 3 * point**2)]
            tally.check(diagnose("gradient['a']", grads.get("a"), want, alternatives, rtol=1e-8, atol=1e-10))
    return (Case((Call("gradient_check", (CUBE, {"a": point}), {"eps": EPS}),), judge, 1),)


def keeps_params(i: Inputs) -> tuple[Case, ...]:
    """The parameters as they are after the call, against their values before it."""
    def judge(results, tally):
        after = results[0]  # the arguments as they are after the call
        params = after[1] if isinstance(after, (tuple, list)) and len(after) > 1 else None
        for name, before in i.kept.items():
            now = lookup(params, name)
            same = (now is not None and np.shape(now) == np.shape(before)
                    and np.allclose(np.asarray(now, dtype=float), before, rtol=1e-12, atol=1e-15))
            tally.check(None if same else Note("m_params_changed", (f"params['{name}']",)))
    return (Case((Call("gradient_check", (F_KEPT, i.kept), return_args=True),), judge, 2),)


EXERCISE = Exercise(
    "gradient_check", ("gradient_check",),
    title("Gradient checking by central differences", "用中心差分检验梯度"), inputs, (
        Declared("gc_numbers", 2, title("parameters that are numbers", "参数为数"), numbers),
        Declared("gc_arrays", 2, title("parameters that are arrays", "参数为数组"), arrays),
        Declared("gc_central", 1, title("central differences with the given eps", "使用给定 eps 的中心差分"), central),
        Declared("gc_keeps_params", 1, title("params left unchanged", "不修改 params"), keeps_params),
    ))
