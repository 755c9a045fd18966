"""Exercise 4: forward_backward for a chain of one-neuron layers. Loss, weight gradients, bias
gradients on engine variants and random chains, a single layer, and finite differences of the
student's own loss."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from grader.code.checks import Note, Tally, as_number, as_sequence, describe, diagnose
from grader.code.exercises.base import (
    Case,
    Declared,
    Exercise,
    H,
    fd_compare,
    floats,
    generator,
    hidden_variants,
    key_values,
    reference,
    title,
    unpack,
)
from grader.code.sandbox import Call
from grader.core.variants import VariantKey


@dataclass(frozen=True)
class Chain:
    """One input to forward_backward and the expected (loss, W_grads, b_grads)."""

    x: float
    y: float
    W: tuple[float, ...]
    b: tuple[float, ...]
    loss: float
    W_grads: tuple[float, ...]
    b_grads: tuple[float, ...]

    def call(self) -> Call:
        return Call("forward_backward", (self.x, self.y, list(self.W), list(self.b)))


def chain_cases(key: VariantKey) -> list[Chain]:
    """Three deep_chain variants (key from the engine) and two random chains of 2 and 5 layers (reference)."""
    cases = []
    for v in hidden_variants("deep_chain", key, 3):
        p, q = floats(v), key_values(v)
        layers = range(1, 4)
        cases.append(Chain(p["x"], p["y"], tuple(p[f"w_{k}"] for k in layers), tuple(p[f"b_{k}"] for k in layers),
                           q["E"], tuple(q[f"dE_dw_{k}"] for k in layers), tuple(q[f"dE_db_{k}"] for k in layers)))
    rng = generator(key, "chain")
    for depth in (2, 5):
        cases.append(random_chain(rng, depth))
    return cases


def random_chain(rng: np.random.Generator, depth: int) -> Chain:
    """A random chain of ``depth`` layers, its gradients from the reference solution."""
    x, y = round(float(rng.uniform(-1, 1)), 2), round(float(rng.uniform(0.05, 0.95)), 2)
    W = tuple(round(float(w), 2) for w in rng.choice([-1, 1], depth) * rng.uniform(0.5, 2, depth))
    b = tuple(round(float(v), 2) for v in rng.uniform(-1, 1, depth))
    loss, dW, db = reference("chain").forward_backward(x, y, list(W), list(b))
    return Chain(x, y, W, b, loss, tuple(dW), tuple(db))

def check_layers(tally: Tally, name: str, given: Any, expected: Sequence[float], bias: bool = False) -> None:
    """Per-layer gradients of a chain: length, then each entry; a fault in layer 0 alone is the
    layer loop's range, a value of the neighbouring layer is an index off by one."""
    entries = as_sequence(given)
    if entries is None or len(entries) != len(expected):
        note = (Note("type", (name,), (("expected", f"a list of {len(expected)} numbers"), ("given", describe(given))))
                if entries is None else
                Note("length", (name,), (("given", str(len(entries))), ("expected", str(len(expected))))))
        tally.check(note, weight=len(expected))
        return
    notes: list[Note | None] = []
    for layer, want in enumerate(expected):
        neighbours = [("m_layer_shift", expected[j]) for j in (layer - 1, layer + 1) if 0 <= j < len(expected)]
        notes.append(diagnose(f"{name}[{layer}]", entries[layer], want, neighbours))
    wrong = [i for i, n in enumerate(notes) if n is not None]
    if bias and len(wrong) == len(expected) and all(as_number(e) in (None, 0.0) for e in entries):
        tally.check(Note("m_bias_missing", (name,)), weight=len(expected))
        return
    first = notes[0] if wrong == [0] and len(expected) > 1 else None
    if first is not None and first.key in ("wrong_value", "missing_value"):
        notes[0] = Note("m_first_layer", (name,))
    for layer_note in notes:
        tally.check(layer_note)


@dataclass(frozen=True)
class Inputs:
    """The chains of one student, and the single-layer chain."""

    cases: list[Chain]
    single: Chain


def inputs(key: VariantKey) -> Inputs:
    """Five chains (:func:`chain_cases`) and a random chain of one layer."""
    return Inputs(chain_cases(key), random_chain(generator(key, "chain-single"), 1))


def loss_case(c: Chain) -> Case:
    """The loss of one chain; twice the loss is the 1/2 forgotten."""
    def judge(results, tally):
        result = unpack(results[0], tally, 1)
        if result is not None:
            tally.check(diagnose("loss", result[0], c.loss, [("m_half", 2 * c.loss)]))
    return Case((c.call(),), judge, 1)


def grads_case(c: Chain, which: int) -> Case:
    """The weight (``which`` = 1) or bias (2) gradients of one chain, layer by layer."""
    expected = c.W_grads if which == 1 else c.b_grads

    def judge(results, tally):
        result = unpack(results[0], tally, len(expected))
        if result is not None:
            check_layers(tally, "W_grads" if which == 1 else "b_grads", result[which], expected, which == 2)
    return Case((c.call(),), judge, len(expected))


def single_layer(i: Inputs) -> tuple[Case, ...]:
    """A chain of one layer: its loss and weight gradient (the input is x, not an activation)."""
    single = i.single

    def judge(results, tally):
        result = unpack(results[0], tally, 2)
        if result is None:
            return
        tally.check(diagnose("loss", result[0], single.loss))
        own = 1 / (1 + np.exp(-(single.W[0] * single.x + single.b[0])))
        entries = as_sequence(result[1])
        given = entries[0] if entries else None
        tally.check(diagnose("W_grads[0]", given, single.W_grads[0],
                             [("m_single_layer_input", single.b_grads[0] * own)]))
    return (Case((single.call(),), judge, 2),)


def chain_fd_case(c: Chain) -> Case:
    """W_grads and b_grads against central differences of the student's own loss."""
    calls = [c.call()]
    for which, values in ((2, c.W), (3, c.b)):
        for layer in range(len(values)):
            for sign in (1, -1):
                moved = list(values)
                moved[layer] += sign * H
                args = (c.x, c.y, moved, list(c.b)) if which == 2 else (c.x, c.y, list(c.W), moved)
                calls.append(Call("forward_backward", args))
    layers = len(c.W)

    def judge(results, tally):
        base = unpack(results[0], tally, 2 * layers)
        if base is None:
            return
        losses = [as_number(r[0]) if isinstance(r, (tuple, list)) and r else None for r in results[1:]]
        if any(v is None for v in losses):
            tally.check(Note("missing_value", ("loss",)), weight=2 * layers)
            return
        numerical = [(losses[2 * i] - losses[2 * i + 1]) / (2 * H) for i in range(2 * layers)]
        names = [f"W_grads[{i}]" for i in range(layers)] + [f"b_grads[{i}]" for i in range(layers)]
        given: list[float | None] = []
        for entries in (as_sequence(base[1]), as_sequence(base[2])):
            complete = entries is not None and len(entries) == layers
            given += [as_number(e) for e in entries] if complete else [None] * layers
        keep = []
        for i, value in enumerate(given):
            if value is None or not np.isfinite(value):
                tally.check(Note("missing_value", (names[i],)))
            else:
                keep.append(i)
        if keep:
            fd_compare(tally, [names[i] for i in keep], np.array([given[i] for i in keep]),
                        np.array([numerical[i] for i in keep]), "forward_backward")
    return Case(tuple(calls), judge, 2 * layers)



EXERCISE = Exercise(
    "chain", ("forward_backward",),
    title("forward_backward for a chain of one-neuron layers", "每层一个神经元的 forward_backward"), inputs, (
        Declared("chain_loss", 1, title("loss", "损失"), lambda i: tuple(loss_case(c) for c in i.cases)),
        Declared("chain_weight_grads", 2, title("weight gradients", "权重梯度"),
                 lambda i: tuple(grads_case(c, 1) for c in i.cases)),
        Declared("chain_bias_grads", 2, title("bias gradients", "偏置梯度"),
                 lambda i: tuple(grads_case(c, 2) for c in i.cases)),
        Declared("chain_single_layer", 1, title("a network with a single layer", "只有一层的网络"), single_layer),
        Declared("chain_fd", 1, title("gradients agree with finite differences of your loss",
                                      "梯度与你的损失的有限差分一致"), lambda i: (chain_fd_case(i.cases[0]),)),
    ))
