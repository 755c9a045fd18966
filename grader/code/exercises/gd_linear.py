"""Exercise 2: gradient descent on f(x) = w x. History format, gradients, losses and weights on
engine variants (each step also right from the student's own earlier values); a long run
against the reference."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import numpy as np

from grader.code.checks import Note, as_number, as_sequence, check_values, describe, diagnose_local
from grader.code.exercises.base import (
    Case,
    Declared,
    Exercise,
    Judge,
    floats,
    hidden_variants,
    key_values,
    reference,
    title,
)
from grader.code.sandbox import Call
from grader.core.variants import Variant, VariantKey


def inputs(key: VariantKey) -> list[Variant]:
    """Three gd_linear variants for one student."""
    return hidden_variants("gd_linear", key, 3)


def run(v: Variant, epochs: int) -> Call:
    """gd_linear_train on a variant's numbers for ``epochs`` epochs."""
    p = floats(v)
    return Call("gd_linear_train", (p["x"], p["t"], p["w0"], p["eta"], epochs))


def history(result, tally, weight) -> Mapping | None:
    """The history dict, or a note (of ``weight`` checks) and None."""
    if not isinstance(result, Mapping):
        tally.check(Note("type", ("the history",), (("expected", "a dict with keys 'w', 'E', 'grad'"),
                                                    ("given", describe(result)))), weight=weight)
        return None
    return result


def judged(v: Variant, step: Callable) -> Judge:
    """A judge of one step (gradients, losses or weights) of a two-epoch run on ``v``."""
    p, q = floats(v), key_values(v)

    def judge(results, tally):
        result = history(results[0], tally, 2 if step is not weights else 3)
        if result is not None:
            step(p, q, result, tally)
    return judge


def history_format(variants: list[Variant]) -> tuple[Case, ...]:
    """The keys of the history and the lengths of its lists."""
    def judge(results, tally):
        result = history(results[0], tally, 6)
        if result is None:
            return
        for name, size in (("w", 4), ("E", 3), ("grad", 3)):
            entries = as_sequence(result.get(name))
            if name not in result:
                tally.check(Note("missing_value", (f"history['{name}']",)), weight=2)
                continue
            tally.check(None)
            if entries is None:
                tally.check(Note("type", (f"history['{name}']",), (("expected", "a list"),
                                                                   ("given", describe(result.get(name))))))
            elif len(entries) != size:
                tally.check(Note("length", (f"history['{name}']",), (("given", str(len(entries))),
                                                                     ("expected", str(size)))))
            else:
                tally.check(None)
    return (Case((run(variants[0], 3),), judge, 6),)


def long_run(variants: list[Variant]) -> tuple[Case, ...]:
    """Eight epochs against the reference solution."""
    ref = reference("gd_linear")

    def judge(results, tally):
        result = history(results[0], tally, 25)
        if result is None:
            return
        p = floats(variants[0])
        want = ref.gd_linear_train(p["x"], p["t"], p["w0"], p["eta"], 8)
        for name in ("w", "E", "grad"):
            entries = as_sequence(result.get(name))
            check_values(tally, name, entries if entries is not None else result.get(name), np.array(want[name]),
                         [f"{name}[{i}]" for i in range(len(want[name]))])
    return (Case((run(variants[0], 8),), judge, 25),)


def _entry(result: Mapping, name: str, index: int) -> Any:
    entries = as_sequence(result.get(name))
    return entries[index] if entries is not None and index < len(entries) else None


def gradients(p, q, result, tally):
    """grad_k against the key, or against (w x - t) x at the student's own w_(k-1)."""
    for k in (1, 2):
        w_prev = as_number(_entry(result, "w", k - 1))
        mine = None if w_prev is None else (w_prev * p["x"] - p["t"]) * p["x"]
        base = mine if mine is not None else q[f"grad_{k}"]
        after = (q[f"w_{k}"] * p["x"] - p["t"]) * p["x"]
        tally.check(diagnose_local(f"grad[{k - 1}]", _entry(result, "grad", k - 1), q[f"grad_{k}"], mine,
                                   [("m_half", 2 * base), ("m_epoch_shift", after)]))


def losses(p, q, result, tally):
    """E_k against the key, or against 1/2 (w x - t)^2 at the student's own w_(k-1)."""
    for k in (1, 2):
        w_prev = as_number(_entry(result, "w", k - 1))
        mine = None if w_prev is None else 0.5 * (w_prev * p["x"] - p["t"]) ** 2
        base = mine if mine is not None else q[f"E_{k}"]
        after = 0.5 * (q[f"w_{k}"] * p["x"] - p["t"]) ** 2
        tally.check(diagnose_local(f"E[{k - 1}]", _entry(result, "E", k - 1), q[f"E_{k}"], mine,
                                   [("m_half", 2 * base), ("m_epoch_shift", after)]))


def weights(p, q, result, tally):
    """w_0 = w0, then w_k against the key, or against w_(k-1) - eta grad_k from the student's own values."""
    first = as_number(_entry(result, "w", 0))
    tally.check(None if first is not None and abs(first - p["w0"]) <= 1e-12 + 1e-9 * abs(p["w0"])
                else Note("m_history_w0", ("history['w']",)))
    for k in (1, 2):
        w_prev = as_number(_entry(result, "w", k - 1))
        grad = as_number(_entry(result, "grad", k - 1))
        mine = None if w_prev is None or grad is None else w_prev - p["eta"] * grad
        added = (w_prev if w_prev is not None else q.get(f"w_{k - 1}", p["w0"])) + p["eta"] * (
            grad if grad is not None else q[f"grad_{k}"])
        before = (w_prev if w_prev is not None else 0.0, q.get(f"w_{k - 1}", p["w0"]))
        tally.check(diagnose_local(f"w[{k}]", _entry(result, "w", k), q[f"w_{k}"], mine,
                                   [("m_step_added", added)], baseline=before))


EXERCISE = Exercise(
    "gd_linear", ("gd_linear_train",),
    title("Gradient descent on f(x) = w x", "在 f(x) = w x 上做梯度下降"), inputs, (
        Declared("gd_history_format", 1, title("the history: keys and lengths", "训练记录:键与长度"), history_format),
        Declared("gd_gradients", 2, title("gradients", "梯度"),
                 lambda vs: tuple(Case((run(v, 2),), judged(v, gradients), 2) for v in vs)),
        Declared("gd_losses", 1, title("losses", "损失"),
                 lambda vs: tuple(Case((run(v, 2),), judged(v, losses), 2) for v in vs)),
        Declared("gd_weights", 2, title("weights after each update", "每次更新后的权重"),
                 lambda vs: tuple(Case((run(v, 2),), judged(v, weights), 3) for v in vs)),
        Declared("gd_long_run", 1, title("a longer run", "更多轮的训练"), long_run),
    ))
