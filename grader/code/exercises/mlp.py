"""Exercise 5: forward_backward for an MLP of any widths, in matrix form. Shapes, loss, the seed's
network as an MLP (engine key), random widths (reference), and finite differences of the
student's own loss."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from grader.code.checks import Note, Tally, as_number, as_sequence, check_shape, check_values, describe, diagnose
from grader.code.exercises.base import (
    Case,
    Declared,
    Exercise,
    H,
    Judge,
    fd_compare,
    floats,
    generator,
    hidden_variants,
    is_numeric,
    key_values,
    reference,
    title,
    unpack,
)
from grader.code.sandbox import Call
from grader.core.variants import Variant, VariantKey


@dataclass(frozen=True)
class Net:
    """One input to forward_backward_mlp, the expected result, and names for the entries."""

    x: np.ndarray
    y: np.ndarray
    W: tuple[np.ndarray, ...]
    b: tuple[np.ndarray, ...]
    loss: float
    W_grads: tuple[np.ndarray, ...]
    b_grads: tuple[np.ndarray, ...]
    names: Mapping[str, Sequence[str]] | None = None

    def call(self, **moved) -> Call:
        W = moved.get("W", self.W)
        b = moved.get("b", self.b)
        return Call("forward_backward_mlp", (self.x, self.y, list(W), list(b)))


def random_net(rng: np.random.Generator, widths: Sequence[int]) -> Net:
    """A random MLP with the given widths (input first), expected values from the reference."""
    W = tuple(np.round(rng.uniform(-1.5, 1.5, (widths[i + 1], widths[i])), 2) for i in range(len(widths) - 1))
    b = tuple(np.round(rng.uniform(-0.5, 0.5, widths[i + 1]), 2) for i in range(len(widths) - 1))
    x = np.round(rng.uniform(-1, 1, widths[0]), 2)
    y = np.round(rng.uniform(0.05, 0.95, widths[-1]), 2)
    loss, dW, db = reference("mlp").forward_backward_mlp(x, y, list(W), list(b))
    return Net(x, y, W, b, loss, tuple(dW), tuple(db))


def net_222(v: Variant) -> Net:
    """A backprop_222 variant as an MLP (each shared bias repeated per unit); expected from the key."""
    p, q = floats(v), key_values(v)
    W = (np.array([[p["w1"], p["w2"]], [p["w3"], p["w4"]]]), np.array([[p["w5"], p["w6"]], [p["w7"], p["w8"]]]))
    b = (np.array([p["b1"], p["b1"]]), np.array([p["b2"], p["b2"]]))
    dW = (np.array([[q["dE_dw1"], q["dE_dw2"]], [q["dE_dw3"], q["dE_dw4"]]]),
          np.array([[q["dE_dw5"], q["dE_dw6"]], [q["dE_dw7"], q["dE_dw8"]]]))
    db = (np.array([q["delta_h1"], q["delta_h2"]]), np.array([q["delta_o1"], q["delta_o2"]]))
    names = {
        "W_grads[0]": [f"W_grads[0][{i}, {j}] (dE/dw{2 * i + j + 1})" for i in (0, 1) for j in (0, 1)],
        "W_grads[1]": [f"W_grads[1][{i}, {j}] (dE/dw{2 * i + j + 5})" for i in (0, 1) for j in (0, 1)],
        "b_grads[0]": ["b_grads[0][0] (delta_h1)", "b_grads[0][1] (delta_h2)"],
        "b_grads[1]": ["b_grads[1][0] (delta_o1)", "b_grads[1][1] (delta_o2)"],
    }
    return Net(np.array([p["i1"], p["i2"]]), np.array([p["t1"], p["t2"]]), W, b, q["E"], dW, db, names)


def check_net(tally: Tally, net: Net, result: Any) -> None:
    """Every gradient entry of an MLP result (shapes are judged by mlp_shapes; sizes must match)."""
    for which, expected in ((1, net.W_grads), (2, net.b_grads)):
        name = "W_grads" if which == 1 else "b_grads"
        entries = as_sequence(result[which])
        size = sum(e.size for e in expected)
        if entries is None or len(entries) != len(expected):
            note = (Note("type", (name,), (("expected", f"a list of {len(expected)} arrays"),
                                           ("given", describe(result[which]))))
                    if entries is None else
                    Note("length", (name,), (("given", str(len(entries))), ("expected", str(len(expected))))))
            tally.check(note, weight=size)
            continue
        for layer, (given, want) in enumerate(zip(entries, expected, strict=True)):
            title = f"{name}[{layer}]"
            alternatives = {"m_transposed": want.T} if want.ndim == 2 else {}
            names = net.names.get(title) if net.names else None
            check_values(tally, title, given, want, names, alternatives)


@dataclass(frozen=True)
class Inputs:
    """The networks of one student."""

    shaped: Net
    lossy: list[Net]
    wide: list[Net]
    seed_like: list[Net]
    small: Net


def inputs(key: VariantKey) -> Inputs:
    """Random networks of several widths (reference), two backprop_222 variants (engine key)."""
    rng = generator(key, "mlp")
    shaped = random_net(rng, (3, 4, 2))
    lossy = [random_net(rng, w) for w in ((2, 3, 2), (3, 2, 2, 1))]
    wide = [random_net(rng, w) for w in ((2, 3, 1), (4, 3, 3, 2), (1, 5, 2))]
    seed_like = [net_222(v) for v in hidden_variants("backprop_222", key, 2)]
    small = random_net(rng, (2, 2, 1))
    return Inputs(shaped, lossy, wide, seed_like, small)


def shapes(i: Inputs) -> tuple[Case, ...]:
    """The result is (loss, W_grads, b_grads) with the shapes of the parameters."""
    shaped = i.shaped

    def judge(results, tally):
        result = results[0]
        if not isinstance(result, (tuple, list)) or len(result) != 3:
            tally.check(Note("type", ("the result",), (("expected", "a tuple (loss, W_grads, b_grads)"),
                                                       ("given", describe(result)))), weight=8)
            return
        tally.check(None)
        check_shape(tally, "loss", result[0], ())
        for which, params in ((1, shaped.W), (2, shaped.b)):
            name = "W_grads" if which == 1 else "b_grads"
            entries = as_sequence(result[which])
            if entries is None or len(entries) != len(params):
                tally.check(Note("length" if entries is not None else "type", (name,),
                                 (("given", str(len(entries)) if entries is not None else describe(result[which])),
                                  ("expected", str(len(params))))), weight=len(params) + 1)
                continue
            tally.check(None)
            for layer, (given, param) in enumerate(zip(entries, params, strict=True)):
                check_shape(tally, f"{name}[{layer}]", given, param.shape)
    return (Case((shaped.call(),), judge, 8),)


def loss_judge(net: Net) -> Judge:
    """The loss of one network; twice the loss is the 1/2 forgotten."""
    def judge(results, tally):
        result = unpack(results[0], tally, 1)
        if result is not None:
            tally.check(diagnose("loss", result[0], net.loss, [("m_half", 2 * net.loss)]))
    return judge


def grads_judge(net: Net) -> Judge:
    """Every gradient entry of one network."""
    def judge(results, tally):
        result = unpack(results[0], tally, _size(net))
        if result is not None:
            check_net(tally, net, result)
    return judge


def grads_cases(nets: Sequence[Net]) -> tuple[Case, ...]:
    """One case per network, judged entry by entry."""
    return tuple(Case((n.call(),), grads_judge(n), _size(n)) for n in nets)


def _size(net: Net) -> int:
    return sum(g.size for g in net.W_grads) + sum(g.size for g in net.b_grads)


def mlp_fd_case(net: Net) -> Case:
    """Every gradient entry against central differences of the student's own loss."""
    calls, labels = [net.call()], []
    for which, params in (("W", net.W), ("b", net.b)):
        for layer, param in enumerate(params):
            for index in np.ndindex(param.shape):
                for sign in (1, -1):
                    moved = [p.copy() for p in params]
                    moved[layer][index] += sign * H
                    calls.append(net.call(**{which: moved}))
                position = ", ".join(str(i) for i in index)
                labels.append((which, layer, index, f"{which}_grads[{layer}][{position}]"))

    def judge(results, tally):
        base = unpack(results[0], tally, len(labels))
        if base is None:
            return
        losses = [as_number(r[0]) if isinstance(r, (tuple, list)) and r else None for r in results[1:]]
        if any(v is None for v in losses):
            tally.check(Note("missing_value", ("loss",)), weight=len(labels))
            return
        names, given, numerical = [], [], []
        for k, (which, layer, index, name) in enumerate(labels):
            entries = as_sequence(base[1 if which == "W" else 2])
            array = None
            if entries is not None and layer < len(entries) and is_numeric(entries[layer]):
                array = np.asarray(entries[layer], dtype=float)
            param = (net.W if which == "W" else net.b)[layer]
            value = array.reshape(-1)[np.ravel_multi_index(index, param.shape)] if (
                array is not None and array.size == param.size) else None
            if value is None:
                tally.check(Note("missing_value", (name,)))
                continue
            names.append(name)
            given.append(float(value))
            numerical.append((losses[2 * k] - losses[2 * k + 1]) / (2 * H))
        if names:
            fd_compare(tally, names, np.array(given), np.array(numerical), "forward_backward_mlp")
    return Case(tuple(calls), judge, len(labels))



EXERCISE = Exercise(
    "mlp", ("forward_backward_mlp",),
    title("forward_backward for an MLP of any widths", "任意宽度 MLP 的 forward_backward"), inputs, (
        Declared("mlp_shapes", 1, title("shapes of the result", "结果的形状"), shapes),
        Declared("mlp_loss", 1, title("loss", "损失"),
                 lambda i: tuple(Case((n.call(),), loss_judge(n), 1) for n in i.lossy)),
        Declared("mlp_seed_network", 2, title("the seed's 2-2-2 network as an MLP", "把种子文章的 2-2-2 网络写成 MLP"),
                 lambda i: grads_cases(i.seed_like)),
        Declared("mlp_widths", 2, title("networks of other widths and depths", "其他宽度与深度的网络"),
                 lambda i: grads_cases(i.wide)),
        Declared("mlp_fd", 1, title("gradients agree with finite differences of your loss",
                                    "梯度与你的损失的有限差分一致"), lambda i: (mlp_fd_case(i.small),)),
    ))
