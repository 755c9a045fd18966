"""Backpropagation through a chain of sigmoid neurons, one per layer (seed 002).

Layers l = 1..L (L = LAYERS) with a_0 = x: z_l = w_l a_(l-1) + b_l, a_l = sigma(z_l), and
E = 1/2 (a_L - y)^2. Backpropagation with named deltas gives the seed's recursion
delta_L = (a_L - y) a_L (1 - a_L), delta_l = delta_(l+1) w_(l+1) a_l (1 - a_l),
dE/dw_l = delta_l a_(l-1), dE/db_l = delta_l; one step of gradient descent with rate eta
updates every weight and bias (all deltas use the weights from before the update).

dE/db_l equals delta_l, so it is a quantity (with its gradient declared) but not a separate
answer: the statement says so, and asks for delta_l and b_l_new.

Conditioning rules for random variants (tested in tests/test_deep_chain.py):
- x is a multiple of 0.1 with 0.5 <= |x| <= 2 and |x| != 1 (where dE/dw_1 = +-delta_1);
  y a multiple of 0.01 in [0.01, 0.99];
  L distinct weights, multiples of 0.1 with 1 <= |w| <= 3; biases multiples of 0.1 in
  [-1, 1]; eta in {0.5, 1, 2} (the first-layer gradients are small, so the rate is larger
  than in backprop_222 and every update is visible);
- no saturated neuron: every a_l in [0.05, 0.95];
- the output is wrong by a visible amount: |a_L - y| >= 0.1;
- no gradient rounds to zero: |dE/dp| >= 0.0005 for every weight and bias p;
- the numeric answers differ pairwise by more than 1 % of the larger one;
- every named mistake of grader.core.mistakes (except rounding) and every neighbouring answer is
  at least 2 % from the key (updates: 2 % of the step), e.g. the deltas computed with the
  updated weights or with the layer's own weight in the recursion (version 2; version 1
  let 42 % of variants accept the updated-weights mistake).
"""

from __future__ import annotations

from collections.abc import Mapping
from fractions import Fraction

import numpy as np
import sympy

from grader.core.conditioning import distinct
from grader.core.family import Answer, Derivation, Family, Gradient, Slip, Symbolic
from grader.core.kinds import is_number
from grader.core.model import Rules, backpropagate, expand
from grader.core.rng import Draws, decimal_grid
from grader.core.statement import fill, precision
from grader.maths.sigmoid import sigmoid

LAYERS = 3
S = sympy.Symbol
LEVELS = range(1, LAYERS + 1)
WEIGHTS = tuple(f"w_{k}" for k in LEVELS)
BIASES = tuple(f"b_{k}" for k in LEVELS)
TRAINABLE = (*WEIGHTS, *BIASES)
PARAMS = ("x", "y", *WEIGHTS, *BIASES, "eta")
x, y, eta, E = S("x"), S("y"), S("eta"), S("E")
Z = {k: S(f"z_{k}") for k in LEVELS}
A = {0: x, **{k: S(f"a_{k}") for k in LEVELS}}
DELTAS = {Z[k]: S(f"delta_{k}") for k in LEVELS}
GRADIENTS = {S(p): S(f"dE_d{p}") for p in TRAINABLE}


def forward(rules: Rules) -> list[tuple[sympy.Symbol, sympy.Expr]]:
    """The forward pass of the seed (a_0 = x) and the loss."""
    steps = []
    for k in LEVELS:
        steps += [(Z[k], S(f"w_{k}") * A[k - 1] + S(f"b_{k}")), (A[k], sigmoid(Z[k]))]
    return [*steps, (E, rules.loss_scale * (A[LAYERS] - y) ** 2)]


def derive(rules: Rules) -> Derivation:
    """Forward pass, deltas from the last layer back with each layer's gradients, updates."""
    steps = forward(rules)
    adjoints = backpropagate(steps, E, {**DELTAS, **GRADIENTS}, rules)
    order = []
    for k in reversed(LEVELS):
        order += [DELTAS[Z[k]], S(f"dE_dw_{k}"), S(f"dE_db_{k}")]
    updates = [
        (S(f"{p}_new"), S(p) + rules.update_sign * eta * GRADIENTS[S(p)]) for p in TRAINABLE
    ]
    quantities = (*steps, *((q, adjoints[q]) for q in order), *updates)
    forward_names = {str(q) for q, _ in steps}
    backward = [(q, f) for q, f in quantities if str(q) not in forward_names]
    names = (*PARAMS[:-1], *(str(q) for q, _ in steps[:-1]), *(str(d) for d in DELTAS.values()))

    def in_forward_terms(quantity: str) -> Symbolic:
        return Symbolic(expand(S(quantity), backward), names, asks=quantity)

    return Derivation(
        quantities=quantities,
        forward=frozenset(forward_names),
        symbolic={
            "delta_L_expr": in_forward_terms(f"delta_{LAYERS}"),
            "delta_1_expr": in_forward_terms("delta_1"),
        },
        definitions=quantities,
    )


X_GRID = tuple(v for v in decimal_grid("-2", "2", "0.1") if abs(v) >= Fraction(1, 2) and abs(v) != 1)
WEIGHT_GRID = tuple(v for v in decimal_grid("-3", "3", "0.1") if abs(v) >= 1)
ETAS = tuple(Fraction(v) for v in ("0.5", "1", "2"))


def draw(rng: Draws) -> dict[str, Fraction]:
    """Propose parameters on the grids of the module docstring (weights distinct)."""
    return {
        "x": rng.choice(X_GRID),
        "y": rng.decimal("0.01", "0.99", "0.01"),
        **dict(zip(WEIGHTS, rng.sample(WEIGHT_GRID, LAYERS), strict=True)),
        **{b: rng.decimal("-1", "1", "0.1") for b in BIASES},
        "eta": rng.choice(ETAS),
    }


def conditions(values: Mapping[str, np.ndarray]) -> np.ndarray:
    """The conditioning rules of the module docstring, over a batch."""
    ok = np.ones_like(values["x"], dtype=bool)
    for k in LEVELS:
        ok &= (values[f"a_{k}"] >= 0.05) & (values[f"a_{k}"] <= 0.95)
    ok &= np.abs(values[f"a_{LAYERS}"] - values["y"]) >= 0.1
    for p in TRAINABLE:
        ok &= np.abs(values[f"dE_d{p}"]) >= 0.0005
    return ok & distinct([values[a.id] for a in ANSWERS if is_number(a)])


STEPS = (
    ("forward pass", tuple(f"{v}_{k}" for k in LEVELS for v in "za")),
    ("loss", ("E",)),
    ("deltas", tuple(f"delta_{k}" for k in reversed(LEVELS))),
    ("gradients", tuple(f"dE_dw_{k}" for k in reversed(LEVELS))),
    ("updates", tuple(f"{p}_new" for p in TRAINABLE)),
)
ANSWERS = (
    *(Answer(a, "numeric", 1, step) for step, ids in STEPS for a in ids),
    Answer("delta_L_expr", "symbolic", 2, "formulas"),
    Answer("delta_1_expr", "symbolic", 2, "formulas"),
)


def _listing(names: tuple[str, ...]) -> str:
    """'$w_1 = {w_1}$, $w_2 = {w_2}$, ...' for the template (filled in by ``fill``)."""
    return ", ".join(f"${n} = {{{n}}}$" for n in names)


TEXT = {
    "en": r"""**Backpropagation through a chain of sigmoid neurons.** A network has $L = {layers}$
layers with one neuron each; layer $l$ uses the weight $w_l$ and the bias $b_l$, and its input
is the previous layer's output, starting from $a_0 = x$:

$$z_l = w_l\,a_{{l-1}} + b_l,\qquad a_l = \sigma(z_l) = \frac{{1}}{{1 + e^{{-z_l}}}},\qquad
E = \tfrac12\,(a_L - y)^2.$$

Input $x = {x}$, target $y = {y}$; weights WEIGHTS; biases BIASES; learning rate $\eta = {eta}$.

1. Forward pass: FORWARD; the loss `E`.
2. Deltas $\delta_l = \partial E/\partial z_l$, from the last layer back: DELTAS.
3. Gradients $\partial E/\partial w_l$: GRADIENTS.
   The bias gradient $\partial E/\partial b_l$ equals $\delta_l$, so it is not asked separately.
4. After one step of gradient descent: UPDATES.
   Every delta uses the weights from before the update.
5. Formulas: `delta_L_expr` for $\delta_L$ and `delta_1_expr` for $\delta_1$ (you may use the
   names above that come before the quantity asked, e.g. OUTPUT, `y`, `w_2`, `delta_2`).
""",
    "zh": r"""**一串 Sigmoid 神经元的反向传播。** 网络共 $L = {layers}$ 层,每层一个神经元;第 $l$
层使用权重 $w_l$ 和偏置 $b_l$,输入是上一层的输出,第一层的输入为 $a_0 = x$:

$$z_l = w_l\,a_{{l-1}} + b_l,\qquad a_l = \sigma(z_l) = \frac{{1}}{{1 + e^{{-z_l}}}},\qquad
E = \tfrac12\,(a_L - y)^2.$$

输入 $x = {x}$,目标值 $y = {y}$;权重 WEIGHTS;偏置 BIASES;学习率 $\eta = {eta}$。

1. 前向传播:FORWARD;损失 `E`。
2. 误差项 $\delta_l = \partial E/\partial z_l$,从最后一层往回算:DELTAS。
3. 梯度 $\partial E/\partial w_l$:GRADIENTS。
   偏置的梯度 $\partial E/\partial b_l$ 等于 $\delta_l$,不再单独作答。
4. 做一步梯度下降后的 UPDATES。
   所有误差项都使用更新前的权重。
5. 公式:$\delta_L$ 的 `delta_L_expr` 与 $\delta_1$ 的 `delta_1_expr`(可以使用上面的名称,
   但只能用排在所求量之前的名称,如 OUTPUT、`y`、`w_2`、`delta_2`)。
""",
}


def _template(lang: str) -> str:
    """The statement template with the per-layer lists written out for LAYERS layers."""
    ids = dict(STEPS)
    sep = "、" if lang == "zh" else ", "
    lists = {
        "WEIGHTS": _listing(WEIGHTS),
        "BIASES": _listing(BIASES),
        "FORWARD": sep.join(f"`{a}`" for a in ids["forward pass"]),
        "DELTAS": sep.join(f"`{a}`" for a in ids["deltas"]),
        "GRADIENTS": sep.join(f"`{a}`" for a in ids["gradients"]),
        "UPDATES": sep.join(f"`{a}`" for a in ids["updates"]),
        "OUTPUT": f"`a_{LAYERS}`",
    }
    text = TEXT[lang]
    for marker, value in lists.items():
        text = text.replace(marker, value)
    return text


def statement(params: Mapping[str, sympy.Rational], lang: str) -> str:
    """The problem in Markdown with LaTeX."""
    return fill(_template(lang), params, layers=LAYERS) + precision(FAMILY, params, lang)


SLIPS = (
    Slip("wrong_layer_weight",
         tuple((f"delta_{k}", f"w_{k + 1}", f"w_{k}") for k in range(1, LAYERS))),
)

STEP_NAMES = {  # the steps of ANSWERS, named in every language
    "forward pass": {"en": "forward pass", "zh": "前向传播"},
    "loss": {"en": "loss", "zh": "损失"},
    "deltas": {"en": "deltas", "zh": "误差项"},
    "gradients": {"en": "gradients", "zh": "梯度"},
    "updates": {"en": "updates", "zh": "参数更新"},
    "formulas": {"en": "formulas", "zh": "公式"},
}


FAMILY = Family(
    name="deep_chain",
    version=2,
    summary={
        "en": "Backpropagation through a chain of one-neuron sigmoid layers: deltas, gradients, updates",
        "zh": "每层一个神经元的 Sigmoid 网络的反向传播:误差项递推、梯度与参数更新",
    },
    params=PARAMS,
    canonical={
        "x": "0.5", "y": "0.9", "w_1": "1.5", "w_2": "-1", "w_3": "2",
        "b_1": "-0.5", "b_2": "0.5", "b_3": "0.2", "eta": "1",
    },
    answers=ANSWERS,
    draw=draw,
    conditions=conditions,
    derive=derive,
    statement=statement,
    gradients=(
        *(Gradient(f"dE_d{p}", "E", p) for p in TRAINABLE),
        *(Gradient(f"delta_{k}", "E", f"z_{k}") for k in LEVELS),
    ),
    slips=SLIPS,
    step_names=STEP_NAMES,
)
