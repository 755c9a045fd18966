"""Gradient descent on f(x) = w x with E = 1/2 (w x - t)^2 (seed 000), and the learning-rate regimes.

Conditioning rules for random variants (tested in tests/test_conditioning.py):
- x is in {0.5, 1.5, 2, 2.5, 3} (never 1, where pred_k = w_(k-1) by coincidence), t a
  non-zero multiple of 0.25 in [-3, 3], w0 a multiple of 0.25 in [-2, 2] at least 0.5
  from the optimum t/x, eta a multiple of 0.05 in (0, 12];
- the intended regime is drawn first (monotone 50 %, oscillating 30 %, diverging 20 %)
  and eta must produce it, diverging no faster than |r| = 2 per epoch (r = 1 - eta x^2);
  one-step and bounded are exact boundary cases, offered as options but never drawn;
- every gradient has |grad_k| >= 0.01, and the numeric answers differ pairwise by
  more than 1 % of the larger one;
- every named mistake of grader.core.mistakes (except rounding) and every neighbouring answer is
  at least 2 % from the key (updates: 2 % of the step), e.g. the 1/2 forgotten or
  applied twice, x left out of the gradient, the other epoch's value (version 2).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from fractions import Fraction
from functools import cache, lru_cache

import numpy as np
import sympy

from grader.core.conditioning import distinct
from grader.core.family import Answer, Choice, Derivation, Family, Gradient, Symbolic
from grader.core.kinds import is_number
from grader.core.model import Rules, backpropagate, expand
from grader.core.rng import Draws, decimal_grid
from grader.core.statement import fill, precision
from grader.core.variants import decimal_text
from grader.text.messages import localized

EPOCHS = 2
REGIMES = ("monotone", "one-step", "oscillating", "bounded", "diverging")
DRAWN_REGIMES = ("monotone",) * 5 + ("oscillating",) * 3 + ("diverging",) * 2

XS = tuple(Fraction(v) for v in ("0.5", "1.5", "2", "2.5", "3"))
TS = tuple(v for v in decimal_grid("-3", "3", "0.25") if v)

x, t, w0, eta, w = sympy.symbols("x t w0 eta w")


def regime(contraction) -> str:
    """Name the regime from the contraction factor r in w_k - w* = r^k (w_0 - w*)."""
    if contraction == 0:
        return "one-step"
    if contraction == -1:
        return "bounded"
    if contraction > 0:
        return "monotone"
    return "oscillating" if contraction > -1 else "diverging"


def derive(rules: Rules) -> Derivation:
    """Unroll EPOCHS epochs; each gradient comes from backpropagation through pred and E."""
    quantities: list[tuple[sympy.Symbol, sympy.Expr]] = []
    forward: set[str] = set()
    previous = w0
    for k in range(1, EPOCHS + 1):
        pred, loss, grad, new = sympy.symbols(f"pred_{k} E_{k} grad_{k} w_{k}")
        steps = [(pred, previous * x), (loss, rules.loss_scale * (pred - t) ** 2)]
        gradient = backpropagate(steps, loss, {previous: grad}, rules)[grad]
        quantities += [*steps, (grad, gradient), (new, previous + rules.update_sign * eta * grad)]
        forward |= {str(pred), str(loss)}
        previous = new
    # Symbolic derivative and the regimes, from the general model with weight w.
    pred, loss, g = sympy.symbols("pred E g")
    model = [(pred, w * x), (loss, rules.loss_scale * (pred - t) ** 2)]
    derivative = sympy.factor(expand(backpropagate(model, loss, {w: g}, rules)[g], model))
    optimum = sympy.solve(derivative, w)[0]
    step = w + rules.update_sign * eta * derivative
    contraction = sympy.cancel((step - optimum) / (w - optimum))
    eta_max = sympy.solve(sympy.Eq(contraction, -1), eta)[0]
    quantities.append((sympy.Symbol("eta_max"), eta_max))
    return Derivation(
        quantities=tuple(quantities),
        forward=frozenset(forward),
        symbolic={"dE_dw_expr": Symbolic(derivative, ("x", "w", "t"))},
        choices={"regime": Choice(_regime_decider(contraction), why=why_not)},
    )


WHY_NOT = {
    "monotone": {
        "en": "Monotone convergence needs 0 < 1 − ηx² < 1 (w − w* shrinks and keeps its sign); "
              "work out 1 − ηx² for η = {eta}, x = {x}.",
        "zh": "单调收敛要求 0 < 1 − ηx² < 1(w − w* 缩小且不变号);请用 η = {eta}、x = {x} 算出 1 − ηx²。",
    },
    "one-step": {
        "en": "One step lands on the optimum only when 1 − ηx² = 0, i.e. η = 1/x²; here η = {eta}, x = {x}.",
        "zh": "只有 1 − ηx² = 0(即 η = 1/x²)时一步就到最优点;这里 η = {eta}、x = {x}。",
    },
    "oscillating": {
        "en": "Oscillating convergence needs −1 < 1 − ηx² < 0 (w − w* flips sign and shrinks); "
              "work out 1 − ηx² for η = {eta}, x = {x}.",
        "zh": "震荡收敛要求 −1 < 1 − ηx² < 0(w − w* 每步变号并缩小);请用 η = {eta}、x = {x} 算出 1 − ηx²。",
    },
    "bounded": {
        "en": "Bouncing forever without growing needs 1 − ηx² = −1 exactly, i.e. η = 2/x²; "
              "here η = {eta}, x = {x}.",
        "zh": "来回跳动且不增大要求恰好 1 − ηx² = −1(即 η = 2/x²);这里 η = {eta}、x = {x}。",
    },
    "diverging": {
        "en": "Divergence needs 1 − ηx² < −1, i.e. η > 2/x²; here η = {eta}, x = {x}.",
        "zh": "发散要求 1 − ηx² < −1,即 η > 2/x²;这里 η = {eta}、x = {x}。",
    },
}


def why_not(params: Mapping[str, sympy.Rational], option: str, lang: str) -> str:
    """Why the regime ``option`` is wrong: the condition on r = 1 − ηx² it would need."""
    return localized(WHY_NOT, option, lang, eta=decimal_text(params["eta"]), x=decimal_text(params["x"]))


@cache
def etas_for(x_value: Fraction, intended: str) -> tuple[Fraction, ...]:
    """The learning rates of the grid that give the intended regime, diverging at most 2x."""
    grid = decimal_grid("0.05", "12", "0.05")
    return tuple(e for e in grid if regime(1 - e * x_value**2) == intended and e * x_value**2 <= 3)


def _regime_decider(contraction: sympy.Expr) -> Callable[[Mapping[str, sympy.Rational]], str]:
    """The regime of a variant's parameters, remembered per value of those the contraction uses
    (a class shares a few dozen pairs of x and eta)."""
    names = tuple(sorted(str(s) for s in contraction.free_symbols))

    @lru_cache(maxsize=4096)
    def decide(values: tuple[sympy.Rational, ...]) -> str:
        return regime(contraction.xreplace({sympy.Symbol(n): v for n, v in zip(names, values, strict=True)}))

    return lambda params: decide(tuple(params[n] for n in names))


def draw(rng: Draws) -> dict[str, Fraction] | None:
    """Propose parameters; None when w0 starts too close to the optimum."""
    x_value = rng.choice(XS)
    params = {
        "x": x_value,
        "t": rng.choice(TS),
        "w0": rng.decimal("-2", "2", "0.25"),
        "eta": rng.choice(etas_for(x_value, rng.choice(DRAWN_REGIMES))),
    }
    if abs(params["w0"] - params["t"] / x_value) < Fraction(1, 2):
        return None
    return params


def conditions(values: Mapping[str, np.ndarray]) -> np.ndarray:
    """Gradients not near zero; answers pairwise distinct by more than 1 %."""
    ok = np.ones_like(values["x"], dtype=bool)
    for k in range(1, EPOCHS + 1):
        ok &= np.abs(values[f"grad_{k}"]) >= 0.01
    return ok & distinct([values[a.id] for a in ANSWERS if is_number(a)])


ANSWERS = (
    Answer("dE_dw_expr", "symbolic", 2, "derivative"),
    *(
        Answer(f"{name}_{k}", "numeric", 1, f"epoch {k}")
        for k in range(1, EPOCHS + 1)
        for name in ("pred", "E", "grad", "w")
    ),
    Answer("eta_max", "numeric", 1, "learning rate"),
    Answer("regime", "choice", 1, "learning rate", REGIMES),
)

TEXT = {
    "en": r"""**Gradient descent on $f(x) = wx$.** One training example has input $x = {x}$ and
target $t = {t}$; the loss is $E = \tfrac12 (wx - t)^2$. Start from $w_0 = {w0}$ and run
{epochs} epochs of $w \leftarrow w - \eta\,\dfrac{{\partial E}}{{\partial w}}$ with learning rate $\eta = {eta}$.

1. `dE_dw_expr`: $\dfrac{{\partial E}}{{\partial w}}$ as a formula in $x$, $w$, $t$.
2. For each epoch $k = 1, \dots, {epochs}$: `pred_k` $= w_{{k-1}} x$, `E_k` (the loss before
   the update), `grad_k` $= \partial E/\partial w$ at $w_{{k-1}}$, and `w_k` (the weight after the update).
3. `eta_max`: the learning rate above which descent diverges for this $x$.
4. `regime`: how descent behaves with $\eta = {eta}$: one of `monotone`, `one-step`,
   `oscillating`, `bounded` (never converges, never grows), `diverging`.
""",
    "zh": r"""**在 $f(x) = wx$ 上做梯度下降。** 一个训练样本的输入为 $x = {x}$,目标为 $t = {t}$;
损失函数为 $E = \tfrac12 (wx - t)^2$。从 $w_0 = {w0}$ 出发,学习率 $\eta = {eta}$,
按 $w \leftarrow w - \eta\,\dfrac{{\partial E}}{{\partial w}}$ 训练 {epochs} 轮。

1. `dE_dw_expr`:用 $x$、$w$、$t$ 写出 $\dfrac{{\partial E}}{{\partial w}}$ 的表达式。
2. 对每一轮 $k = 1, \dots, {epochs}$:预测值 `pred_k` $= w_{{k-1}} x$,更新前的损失 `E_k`,
   在 $w_{{k-1}}$ 处的梯度 `grad_k`,以及更新后的权重 `w_k`。
3. `eta_max`:对这个 $x$,学习率超过多少时梯度下降发散。
4. `regime`:在 $\eta = {eta}$ 时梯度下降的表现,填 `monotone`(单调收敛)、`one-step`(一步到位)、
   `oscillating`(震荡收敛)、`bounded`(来回跳动,既不收敛也不增大)、`diverging`(发散)之一。
""",
}


def statement(params: Mapping[str, sympy.Rational], lang: str) -> str:
    """The problem in Markdown with LaTeX."""
    return fill(TEXT[lang], params, epochs=EPOCHS) + precision(FAMILY, params, lang)


STEP_NAMES = {  # the steps of ANSWERS, named in every language
    "derivative": {"en": "derivative", "zh": "求导"},
    "epoch {n}": {"en": "epoch {n}", "zh": "第 {n} 轮"},
    "learning rate": {"en": "learning rate", "zh": "学习率"},
}


FAMILY = Family(
    name="gd_linear",
    version=2,
    summary={
        "en": "Gradient descent on f(x)=wx with E=1/2(wx-t)^2: epochs, derivative, learning-rate regimes",
        "zh": "在 f(x)=wx、E=1/2(wx-t)^2 上做梯度下降:逐轮计算、导数、学习率的几种情形",
    },
    params=("x", "t", "w0", "eta"),
    canonical={"x": "1", "t": "1", "w0": "0", "eta": "0.5"},
    answers=ANSWERS,
    draw=draw,
    conditions=conditions,
    derive=derive,
    statement=statement,
    gradients=tuple(
        Gradient(f"grad_{k}", f"E_{k}", "w0" if k == 1 else f"w_{k - 1}")
        for k in range(1, EPOCHS + 1)
    ),
    step_names=STEP_NAMES,
)
