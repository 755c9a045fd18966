"""Backpropagation on the 2-2-2 sigmoid network of seed 000, in the seed's own names.

h1_in = w1 i1 + w2 i2 + b1, h2_in = w3 i1 + w4 i2 + b1, o1_in = w5 h1 + w6 h2 + b2,
o2_in = w7 h1 + w8 h2 + b2, every unit a sigmoid, E = 1/2 [(o1 - t1)^2 + (o2 - t2)^2];
b1 is shared by both hidden units and b2 by both outputs. One step of gradient descent
updates every weight and bias; hidden deltas use the weights from before the update.

Conditioning rules for random variants (tested in tests/test_conditioning.py):
- i1 != i2, multiples of 0.05 in [0.1, 0.95]; eight distinct weights, multiples of 0.05
  with 0.1 <= |w| <= 1;
  biases multiples of 0.05 in [-0.5, 1]; targets multiples of 0.01 in [0.01, 0.99];
  eta in {0.1, 0.2, 0.25, 0.5, 1};
- no saturated unit: h1, h2, o1, o2 in [0.05, 0.95];
- the outputs are wrong by a visible amount: |o_k - t_k| >= 0.1;
- no gradient rounds to zero: |dE/dp| >= 0.0005 for every weight and bias p;
- the numeric answers differ pairwise by more than 1 % of the larger one;
- every named mistake of grader.mistakes (except rounding) and every neighbouring answer is
  at least 2 % from the key (updates: 2 % of the step), e.g. the hidden deltas computed
  with the updated weights or the other unit's outgoing weights, one delta for a shared
  bias (version 2; version 1 let 12 % of variants accept the updated-weights mistake).
"""

from __future__ import annotations

from collections.abc import Mapping
from fractions import Fraction

import numpy as np
import sympy

from grader.families.gd_linear import distinct
from grader.family import Answer, Derivation, Family, Gradient, Slip, Symbolic
from grader.model import Rules, backpropagate, expand
from grader.rng import Draws, decimal_grid
from grader.sigmoid import sigmoid
from grader.statement import fill, precision

S = sympy.Symbol
WEIGHTS = tuple(f"w{k}" for k in range(1, 9))
TRAINABLE = (*WEIGHTS, "b1", "b2")
PARAMS = ("i1", "i2", *WEIGHTS, "b1", "b2", "t1", "t2", "eta")
i1, i2, w1, w2, w3, w4, w5, w6, w7, w8, b1, b2, t1, t2, eta = sympy.symbols(PARAMS)
h1_in, h2_in, h1, h2, o1_in, o2_in, o1, o2, E = sympy.symbols("h1_in h2_in h1 h2 o1_in o2_in o1 o2 E")
DELTAS = {o1_in: S("delta_o1"), o2_in: S("delta_o2"), h1_in: S("delta_h1"), h2_in: S("delta_h2")}
GRADIENTS = {S(p): S(f"dE_d{p}") for p in TRAINABLE}


def forward(rules: Rules) -> list[tuple[sympy.Symbol, sympy.Expr]]:
    """The forward pass and the loss, as the seed writes them."""
    return [
        (h1_in, w1 * i1 + w2 * i2 + b1),
        (h2_in, w3 * i1 + w4 * i2 + b1),
        (h1, sigmoid(h1_in)),
        (h2, sigmoid(h2_in)),
        (o1_in, w5 * h1 + w6 * h2 + b2),
        (o2_in, w7 * h1 + w8 * h2 + b2),
        (o1, sigmoid(o1_in)),
        (o2, sigmoid(o2_in)),
        (E, rules.loss_scale * ((o1 - t1) ** 2 + (o2 - t2) ** 2)),
    ]


def derive(rules: Rules) -> Derivation:
    """Forward pass, then deltas and gradients by backpropagation, then the updates."""
    steps = forward(rules)
    adjoints = backpropagate(steps, E, {**DELTAS, **GRADIENTS}, rules)
    order = [*DELTAS.values(), *(GRADIENTS[S(p)] for p in (*WEIGHTS[4:], *WEIGHTS[:4], "b1", "b2"))]
    updates = [
        (S(f"{p}_new"), S(p) + rules.update_sign * eta * GRADIENTS[S(p)]) for p in TRAINABLE
    ]
    quantities = (*steps, *((q, adjoints[q]) for q in order), *updates)
    forward_names = {str(q) for q, _ in steps}
    backward = [(q, f) for q, f in quantities if str(q) not in forward_names]
    names = (*PARAMS[:-1], *(str(q) for q, _ in steps[:-1]))

    def in_forward_terms(quantity: str) -> Symbolic:
        return Symbolic(expand(S(quantity), backward), names + tuple(str(d) for d in DELTAS.values()),
                        asks=quantity)

    return Derivation(
        quantities=quantities,
        forward=frozenset(forward_names),
        symbolic={
            f"{q}_expr": in_forward_terms(q) for q in ("delta_o1", "delta_h1", "dE_dw5", "dE_dw1")
        },
        definitions=quantities,
    )


WEIGHT_GRID = tuple(v for v in decimal_grid("-1", "1", "0.05") if abs(v) >= Fraction(1, 10))
ETAS = tuple(Fraction(v) for v in ("0.1", "0.2", "0.25", "0.5", "1"))


def draw(rng: Draws) -> dict[str, Fraction]:
    """Propose parameters on the grids of the module docstring (inputs and weights distinct)."""
    inputs = rng.sample(decimal_grid("0.1", "0.95", "0.05"), 2)
    weights = rng.sample(WEIGHT_GRID, 8)
    return {
        "i1": inputs[0],
        "i2": inputs[1],
        **dict(zip(WEIGHTS, weights, strict=True)),
        "b1": rng.decimal("-0.5", "1", "0.05"),
        "b2": rng.decimal("-0.5", "1", "0.05"),
        "t1": rng.decimal("0.01", "0.99", "0.01"),
        "t2": rng.decimal("0.01", "0.99", "0.01"),
        "eta": rng.choice(ETAS),
    }


def conditions(values: Mapping[str, np.ndarray]) -> np.ndarray:
    """The conditioning rules of the module docstring, over a batch."""
    ok = np.ones_like(values["i1"], dtype=bool)
    for unit in ("h1", "h2", "o1", "o2"):
        ok &= (values[unit] >= 0.05) & (values[unit] <= 0.95)
    for k in (1, 2):
        ok &= np.abs(values[f"o{k}"] - values[f"t{k}"]) >= 0.1
    for p in TRAINABLE:
        ok &= np.abs(values[f"dE_d{p}"]) >= 0.0005
    return ok & distinct([values[a.id] for a in ANSWERS if a.kind == "numeric"])


STEPS = (
    ("forward pass", ("h1_in", "h2_in", "h1", "h2", "o1_in", "o2_in", "o1", "o2")),
    ("loss", ("E",)),
    ("output deltas", ("delta_o1", "delta_o2")),
    ("hidden deltas", ("delta_h1", "delta_h2")),
    ("gradients", tuple(f"dE_dw{k}" for k in (5, 6, 7, 8, 1, 2, 3, 4)) + ("dE_db1", "dE_db2")),
    ("updates", tuple(f"{p}_new" for p in TRAINABLE)),
)
ANSWERS = (
    *(Answer(a, "numeric", 1, step) for step, ids in STEPS for a in ids),
    *(Answer(f"{q}_expr", "symbolic", 2, "formulas")
      for q in ("delta_o1", "delta_h1", "dE_dw5", "dE_dw1")),
)

TEXT = {
    "en": r"""**Backpropagation in a 2-2-2 sigmoid network.** Inputs $i_1 = {i1}$, $i_2 = {i2}$; targets
$t_1 = {t1}$, $t_2 = {t2}$; weights $w_1 = {w1}$, $w_2 = {w2}$, $w_3 = {w3}$, $w_4 = {w4}$,
$w_5 = {w5}$, $w_6 = {w6}$, $w_7 = {w7}$, $w_8 = {w8}$; biases $b_1 = {b1}$ (shared by both hidden
units) and $b_2 = {b2}$ (shared by both outputs); learning rate $\eta = {eta}$. Every unit uses
$\sigma(z) = 1/(1 + e^{{-z}})$:

$$h_{{1,in}} = w_1 i_1 + w_2 i_2 + b_1,\quad h_{{2,in}} = w_3 i_1 + w_4 i_2 + b_1,\quad h_j = \sigma(h_{{j,in}})$$
$$o_{{1,in}} = w_5 h_1 + w_6 h_2 + b_2,\quad o_{{2,in}} = w_7 h_1 + w_8 h_2 + b_2,\quad o_k = \sigma(o_{{k,in}})$$
$$E = \tfrac12\left[(o_1 - t_1)^2 + (o_2 - t_2)^2\right]$$

1. Forward pass: `h1_in`, `h2_in`, `h1`, `h2`, `o1_in`, `o2_in`, `o1`, `o2`; the loss `E`.
2. Output deltas $\delta_{{o_k}} = \partial E/\partial o_{{k,in}}$: `delta_o1`, `delta_o2`; hidden deltas
   $\delta_{{h_j}} = \partial E/\partial h_{{j,in}}$: `delta_h1`, `delta_h2`.
3. Gradients `dE_dw1` … `dE_dw8`, `dE_db1`, `dE_db2`.
4. After one step of gradient descent: `w1_new` … `w8_new`, `b1_new`, `b2_new` (the hidden
   deltas use the weights from before the update).
5. Formulas: `delta_o1_expr`, `delta_h1_expr`, `dE_dw5_expr`, `dE_dw1_expr` (you may use the
   names above that come before the quantity asked, e.g. `o1`, `h1`, `w5`, `delta_o1`).
""",
    "zh": r"""**2-2-2 Sigmoid 网络的反向传播。** 输入 $i_1 = {i1}$,$i_2 = {i2}$;目标值 $t_1 = {t1}$,
$t_2 = {t2}$;权重 $w_1 = {w1}$,$w_2 = {w2}$,$w_3 = {w3}$,$w_4 = {w4}$,$w_5 = {w5}$,$w_6 = {w6}$,
$w_7 = {w7}$,$w_8 = {w8}$;偏置 $b_1 = {b1}$(两个隐藏神经元共用)和 $b_2 = {b2}$(两个输出神经元共用);
学习率 $\eta = {eta}$。每个神经元都使用 $\sigma(z) = 1/(1 + e^{{-z}})$:

$$h_{{1,in}} = w_1 i_1 + w_2 i_2 + b_1,\quad h_{{2,in}} = w_3 i_1 + w_4 i_2 + b_1,\quad h_j = \sigma(h_{{j,in}})$$
$$o_{{1,in}} = w_5 h_1 + w_6 h_2 + b_2,\quad o_{{2,in}} = w_7 h_1 + w_8 h_2 + b_2,\quad o_k = \sigma(o_{{k,in}})$$
$$E = \tfrac12\left[(o_1 - t_1)^2 + (o_2 - t_2)^2\right]$$

1. 前向传播:`h1_in`、`h2_in`、`h1`、`h2`、`o1_in`、`o2_in`、`o1`、`o2`;损失 `E`。
2. 输出层误差项 $\delta_{{o_k}} = \partial E/\partial o_{{k,in}}$:`delta_o1`、`delta_o2`;隐藏层误差项
   $\delta_{{h_j}} = \partial E/\partial h_{{j,in}}$:`delta_h1`、`delta_h2`。
3. 梯度 `dE_dw1` … `dE_dw8`、`dE_db1`、`dE_db2`。
4. 做一步梯度下降后的 `w1_new` … `w8_new`、`b1_new`、`b2_new`(隐藏层误差项使用更新前的权重)。
5. 公式:`delta_o1_expr`、`delta_h1_expr`、`dE_dw5_expr`、`dE_dw1_expr`(可以使用上面的名称,
   但只能用排在所求量之前的名称,如 `o1`、`h1`、`w5`、`delta_o1`)。
""",
}


def statement(params: Mapping[str, sympy.Rational], lang: str) -> str:
    """The problem in Markdown with LaTeX."""
    return fill(TEXT[lang], params) + precision(FAMILY, params, lang)


SLIPS = (
    Slip("wrong_weight_index", (("delta_h1", "w5", "w6"), ("delta_h1", "w7", "w8"),
                                ("delta_h2", "w6", "w5"), ("delta_h2", "w8", "w7"))),
    Slip("bias_one_delta", (("dE_db1", "delta_h2", "0"), ("dE_db2", "delta_o2", "0"))),
    Slip("bias_one_delta", (("dE_db1", "delta_h1", "0"), ("dE_db2", "delta_o1", "0"))),
)

FAMILY = Family(
    name="backprop_222",
    version=2,
    summary={
        "en": "Backpropagation on the 2-2-2 sigmoid network: forward pass, deltas, gradients, updates",
        "zh": "2-2-2 Sigmoid 网络的反向传播:前向传播、误差项、梯度与权重更新",
    },
    params=PARAMS,
    canonical={
        "i1": "0.05", "i2": "0.10", "w1": "0.15", "w2": "0.20", "w3": "0.25", "w4": "0.30",
        "w5": "0.40", "w6": "0.45", "w7": "0.50", "w8": "0.55", "b1": "0.35", "b2": "0.60",
        "t1": "0.01", "t2": "0.99", "eta": "0.5",
    },
    answers=ANSWERS,
    draw=draw,
    conditions=conditions,
    derive=derive,
    statement=statement,
    gradients=tuple(Gradient(f"dE_d{p}", "E", p) for p in TRAINABLE),
    slips=SLIPS,
)
