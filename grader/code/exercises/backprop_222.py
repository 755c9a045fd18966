"""Exercise 3: backpropagation on the seed's 2-2-2 network. Forward pass, output deltas, hidden
deltas, gradients and updates on engine variants (each step also right from the student's own
earlier values); gradients against finite differences of the student's own forward pass."""

from __future__ import annotations

from collections.abc import Callable, Mapping

import numpy as np

from grader.code.checks import Note, as_number, describe, diagnose, diagnose_local, lookup
from grader.code.exercises.base import (
    Case,
    Declared,
    Exercise,
    H,
    fd_compare,
    floats,
    hidden_variants,
    key_values,
    label,
    local,
    numbers_in,
    title,
)
from grader.code.sandbox import Call, Ref
from grader.core.model import Rules
from grader.core.variants import Variant, VariantKey

NO_ACTIVATION = Rules(activation_derivative=False)
HALF_FORGOTTEN = Rules(loss_scale=1)
STEP_ADDED = Rules(update_sign=1)

FORWARD = ("h1_in", "h2_in", "h1", "h2", "o1_in", "o2_in", "o1", "o2", "E")
OUTPUT_DELTAS = ("delta_o1", "delta_o2")
HIDDEN_DELTAS = ("delta_h1", "delta_h2")
TRAINABLE_222 = ("w1", "w2", "w3", "w4", "w5", "w6", "w7", "w8", "b1", "b2")
GRADIENTS_222 = tuple(f"dE_d{p}" for p in TRAINABLE_222)
UPDATES_222 = tuple(f"{p}_new" for p in TRAINABLE_222)
SIGMOID_INPUT = {"h1": "h1_in", "h2": "h2_in", "o1": "o1_in", "o2": "o2_in"}


def inputs(key: VariantKey) -> list[Variant]:
    """Three backprop_222 variants for one student."""
    return hidden_variants("backprop_222", key, 3)


def case(v: Variant, step: Callable, weight: int, backward: bool = True) -> Case:
    """One call of backward_222 (given the correct forward pass) or of forward_222, judged by ``step``."""
    p, q = floats(v), key_values(v)
    given_forward = {n: q[n] for n in FORWARD}
    call = Call("backward_222", (p, given_forward)) if backward else Call("forward_222", (p,))

    def judge(results, tally):
        result = results[0]
        if not isinstance(result, Mapping):
            what = "backward_222(p, f)" if backward else "forward_222(p)"
            tally.check(Note("type", (what,), (("expected", "a dict"), ("given", describe(result)))),
                        weight=weight)
            return
        step(v, p, q, result, tally)
    return Case((call,), judge, weight)


def on_each(step: Callable, weight: int, backward: bool = True) -> Callable[[list[Variant]], tuple[Case, ...]]:
    """The cases of a test that judges ``step`` on each variant."""
    return lambda variants: tuple(case(v, step, weight, backward) for v in variants)


def forward_step(v, p, q, result, tally):
    """Each forward quantity against the key, or from the student's own earlier forward values."""
    values = {**p, **q, **numbers_in(result, FORWARD)}
    for name in FORWARD:
        mine = local(v, name, values)
        alternatives = [("m_half", 2 * (mine if mine is not None else q[name]))] if name == "E" else []
        if name in SIGMOID_INPUT:
            alternatives.append(("m_no_sigmoid", values[SIGMOID_INPUT[name]]))
        tally.check(diagnose_local(name, lookup(result, name), q[name], mine, alternatives))


def output_deltas_step(v, p, q, result, tally):
    """delta_o1, delta_o2 from the given (correct) forward pass."""
    values = {**p, **q}
    for name in OUTPUT_DELTAS:
        alternatives = [("m_activation_derivative", local(v, name, values, NO_ACTIVATION)),
                        ("m_half", local(v, name, values, HALF_FORGOTTEN))]
        tally.check(diagnose(name, lookup(result, name), q[name], alternatives))


def hidden_deltas_step(v, p, q, result, tally):
    """delta_h1, delta_h2 against the key, or from the student's own output deltas."""
    values = {**p, **q, **numbers_in(result, OUTPUT_DELTAS)}
    mine_new = numbers_in(result, [f"w{k}_new" for k in (5, 6, 7, 8)])
    for name in HIDDEN_DELTAS:
        alternatives = [("m_activation_derivative", local(v, name, values, NO_ACTIVATION))]
        for new in (mine_new, q):
            updated = {**values, **{f"w{k}": new[f"w{k}_new"] for k in (5, 6, 7, 8) if f"w{k}_new" in new}}
            alternatives.append(("m_updated_weights", local(v, name, updated)))
        tally.check(diagnose_local(name, lookup(result, name), q[name], local(v, name, values), alternatives))


def gradients_step(v, p, q, result, tally):
    """dE/dp against the key, or from the student's own deltas; shared biases named when half counted."""
    deltas = numbers_in(result, OUTPUT_DELTAS + HIDDEN_DELTAS)
    values = {**p, **q, **deltas}
    for name in GRADIENTS_222:
        alternatives = []
        if name in ("dE_db1", "dE_db2"):
            units = HIDDEN_DELTAS if name == "dE_db1" else OUTPUT_DELTAS
            alternatives = [("m_bias_not_shared", values[u]) for u in units]
        tally.check(diagnose_local(label(name), lookup(result, name), q[name], local(v, name, values),
                                   alternatives))


def updates_step(v, p, q, result, tally):
    """p_new against the key, or from the student's own gradients."""
    values = {**p, **q, **numbers_in(result, GRADIENTS_222)}
    for name in UPDATES_222:
        alternatives = [("m_step_added", local(v, name, values, STEP_ADDED))]
        before = p[name.removesuffix("_new")]
        tally.check(diagnose_local(name, lookup(result, name), q[name], local(v, name, values), alternatives,
                                   baseline=(before, before)))


def fd_222_case(v: Variant) -> Case:
    """The student's gradients against central differences of the E of their own forward_222."""
    p = floats(v)
    calls = [Call("forward_222", (p,)), Call("backward_222", (p, Ref(0)))]
    for name in TRAINABLE_222:
        calls += [Call("forward_222", ({**p, name: p[name] + H},)), Call("forward_222", ({**p, name: p[name] - H},))]

    def judge(results, tally):
        numerical = []
        for k in range(len(TRAINABLE_222)):
            up, down = as_number(lookup(results[2 + 2 * k], "E")), as_number(lookup(results[3 + 2 * k], "E"))
            if up is None or down is None:
                tally.check(Note("missing_value", ("E",)), weight=len(TRAINABLE_222))
                return
            numerical.append((up - down) / (2 * H))
        given = [as_number(lookup(results[1], g)) for g in GRADIENTS_222]
        if any(g is None for g in given):
            missing = [label(n) for n, g in zip(GRADIENTS_222, given, strict=True) if g is None]
            tally.check(Note("missing_value", tuple(missing)), weight=len(missing))
        present = [(label(n), g, w) for n, g, w in zip(GRADIENTS_222, given, numerical, strict=True) if g is not None]
        if present:
            names, values, wanted = zip(*present, strict=True)
            fd_compare(tally, names, np.array(values), np.array(wanted), "forward_222")
    return Case(tuple(calls), judge, len(TRAINABLE_222))



EXERCISE = Exercise(
    "backprop_222", ("forward_222", "backward_222"),
    title("Backpropagation on the 2-2-2 network", "2-2-2 网络的反向传播"), inputs, (
        Declared("forward_222", 2, title("forward pass and loss", "前向传播与损失"),
                 on_each(forward_step, len(FORWARD), backward=False)),
        Declared("output_deltas", 2, title("output deltas", "输出层误差项"), on_each(output_deltas_step, 2)),
        Declared("hidden_deltas", 2, title("hidden deltas", "隐藏层误差项"), on_each(hidden_deltas_step, 2)),
        Declared("gradients_222", 2, title("gradients of every weight and bias", "所有权重与偏置的梯度"),
                 on_each(gradients_step, len(GRADIENTS_222))),
        Declared("updates_222", 2, title("one step of gradient descent", "一步梯度下降"),
                 on_each(updates_step, len(UPDATES_222))),
        Declared("gradient_fd_222", 1, title("gradients agree with finite differences of your forward pass",
                                             "梯度与你的前向传播的有限差分一致"),
                 lambda variants: (fd_222_case(variants[0]),)),
    ))
