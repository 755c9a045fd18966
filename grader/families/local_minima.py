"""Gradient descent on a tilted double well: the start point decides the minimum (seed 002, §1).

The loss L(w) = 1/2 (w^2 - a)^2 + s w has two minima of different depths (the tilt s
makes the left one deeper when s > 0 and the right one when s < 0) with a local maximum
between them. The student differentiates L, takes three steps of w <- w - eta L'(w),
and says which minimum descent ends in and whether it is the global one.

Conditioning rules for random variants (tested in tests/test_local_minima.py):
- a in {1, 1.5, 2, 2.5, 3}; s a non-zero multiple of 0.1 with |s| <= 1.5; w0 a multiple
  of 0.1 in [-2.5, 2.5]; eta a multiple of 0.01 in [0.02, 0.12];
- L'(w) = 0 has three real roots m_left < w_max < m_right (located from the derived L'
  as eigenvalues of its companion matrix), the minima at least 1 apart, both at least
  0.1 below the local maximum, and their depths differing by at least 0.1;
- the start is at least 0.3 from the local maximum w_max;
- descent (with the derived L') converges monotonically: every step moves the same
  way, it ends within 1e-6 of the minimum on the start's side of w_max within
  MAX_STEPS steps, so it never crosses the local maximum nor overshoots the minimum;
- |grad_k| >= 0.05 for k = 0, 1, 2, and the numeric answers differ pairwise by more
  than 1 % of the larger one;
- every named mistake of grader.core.mistakes (except rounding) and every neighbouring answer is
  at least 2 % from the key (updates: 2 % of the step), e.g. grad_2 for grad_1 (version 2);
- the side of the start is drawn so that about half of the variants end in the
  minimum that is not the global one.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from fractions import Fraction
from functools import cache

import mpmath
import numpy as np
import sympy

from grader.core.conditioning import distinct
from grader.core.family import Answer, Choice, Derivation, Family, Gradient, Symbolic
from grader.core.kinds import is_number
from grader.core.model import CORRECT, Rules, backpropagate
from grader.core.rng import Draws, decimal_grid
from grader.core.statement import fill, precision
from grader.core.variants import decimal_text
from grader.text.messages import localized

STEPS = 3
MAX_STEPS = 600
SETTLED = 1e-12  # a step this small ends the batch iteration of a row
DIGITS = 40  # working precision of the exact iteration behind the choice answers
SIDES = ("left", "right")

AS = tuple(Fraction(v) for v in ("1", "1.5", "2", "2.5", "3"))
SS = tuple(v for v in decimal_grid("-1.5", "1.5", "0.1") if v)
W0S = decimal_grid("-2.5", "2.5", "0.1")
ETAS = decimal_grid("0.02", "0.12", "0.01")

a, s, w0, eta, w = sympy.symbols("a s w0 eta w")


def loss(weight: sympy.Expr, rules: Rules) -> sympy.Expr:
    """L(weight) = loss_scale (weight^2 - a)^2 + s weight."""
    return rules.loss_scale * (weight**2 - a) ** 2 + s * weight


def gradient(weight: sympy.Symbol, rules: Rules) -> sympy.Expr:
    """dL/d weight, by backpropagation through the one definition of L."""
    value, slope = sympy.symbols("L g")
    return backpropagate([(value, loss(weight, rules))], value, {weight: slope}, rules)[slope]


def derive(rules: Rules) -> Derivation:
    """Unroll STEPS steps of descent, each gradient derived; the choices iterate to the end."""
    quantities: list[tuple[sympy.Symbol, sympy.Expr]] = []
    forward: set[str] = set()
    previous = w0
    for k in range(STEPS):
        value, slope, new = sympy.symbols(f"L_{k} grad_{k} w_{k + 1}")
        derivative = gradient(previous, rules)
        quantities += [
            (value, loss(previous, rules)),
            (slope, derivative),
            (new, previous + rules.update_sign * eta * slope),
        ]
        forward.add(str(value))
        previous = new
    derivative = sympy.expand(gradient(w, rules))
    landscape = Landscape(loss(w, rules), derivative, w + rules.update_sign * eta * derivative)
    return Derivation(
        quantities=tuple(quantities),
        forward=frozenset(forward),
        symbolic={"dL_dw_expr": Symbolic(derivative, ("w",))},
        choices={
            "minimum": Choice(lambda p: landscape.outcome(p)[0], why=why_not),
            "global": Choice(lambda p: landscape.outcome(p)[1], why=why_not),
        },
    )


WHY_NOT = {
    "left": {
        "en": "Descent never crosses the local maximum between the minima: it stays on the side where "
              "w0 = {w0} starts.",
        "zh": "梯度下降不会越过两个极小值之间的局部极大值:它留在 w0 = {w0} 所在的那一侧。",
    },
    "yes": {
        "en": "Ending in a minimum does not make it the global one: compare L at the two minima.",
        "zh": "停在一个极小值并不说明它是全局最小值:请比较两个极小值处的 L。",
    },
    "no": {
        "en": "Compare L at the two minima: the one descent ends in is the lower of the two here.",
        "zh": "请比较两个极小值处的 L:这里梯度下降停下的那个更低。",
    },
}


def why_not(params: Mapping[str, sympy.Rational], option: str, lang: str) -> str:
    """Why a wrong option of ``minimum`` or ``global`` is wrong."""
    key = "left" if option in SIDES else option
    return localized(WHY_NOT, key, lang, w0=decimal_text(params["w0"]))


class Landscape:
    """The derived loss, gradient and update map, evaluated exactly for one variant."""

    def __init__(self, value: sympy.Expr, derivative: sympy.Expr, update: sympy.Expr) -> None:
        self.value = value
        self.derivative = derivative
        self.curvature = sympy.diff(derivative, w)
        self.step = sympy.lambdify((w, a, s, eta), update, modules="mpmath")
        self._outcomes: dict[tuple, tuple[str, str]] = {}

    def stationary(self, params: Mapping[str, sympy.Rational]) -> list[sympy.Float]:
        """The real roots of the derived L'(w) = 0 for these parameters, ascending."""
        poly = sympy.Poly(self.derivative.xreplace(_symbols(params)), w)
        return sorted(root for root in poly.nroots(n=DIGITS) if root.is_real)

    def limit(self, params: Mapping[str, sympy.Rational]) -> sympy.Float | None:
        """Where descent from w0 settles (to DIGITS digits), or None if it does not settle."""
        with mpmath.workdps(DIGITS):
            args = [_mpf(params[n]) for n in ("a", "s", "eta")]
            current = _mpf(params["w0"])
            for _ in range(50 * MAX_STEPS):
                following = self.step(current, *args)
                if not mpmath.isfinite(following) or abs(following) > 1e6:
                    return None
                if abs(following - current) < mpmath.mpf(10) ** (10 - DIGITS):
                    return sympy.Float(following, DIGITS)
                current = following
        return None

    def outcome(self, params: Mapping[str, sympy.Rational]) -> tuple[str, str]:
        """(which minimum descent ends in, whether it is the global minimum), remembered."""
        key = tuple(sorted((k, sympy.Rational(v)) for k, v in params.items()))
        if key not in self._outcomes:
            if len(self._outcomes) >= 4096:
                self._outcomes.clear()
            self._outcomes[key] = self._outcome(params)
        return self._outcomes[key]

    def _outcome(self, params: Mapping[str, sympy.Rational]) -> tuple[str, str]:
        """(which minimum descent ends in, whether it is the global minimum).

        Should descent not settle in a minimum (as under a wrong update sign), the
        minimum of the start's basin is named, as if judged from the start's side.
        """
        subs = _symbols(params)
        roots = self.stationary(params)
        minima = [r for r in roots if self.curvature.xreplace({**subs, w: r}) > 0]
        maxima = [r for r in roots if r not in minima]
        depths = [self.value.xreplace({**subs, w: r}) for r in minima]
        end = self.limit(params)
        reached = [i for i, m in enumerate(minima) if end is not None and abs(m - end) < 1e-20]
        basin = min(sum(1 for m in maxima if m < params["w0"]), len(minima) - 1)
        index = reached[0] if reached else basin
        side = SIDES[0] if index == 0 else SIDES[1]
        return side, "yes" if depths[index] == min(depths) else "no"


def _mpf(value: sympy.Rational) -> mpmath.mpf:
    value = sympy.Rational(value)
    return mpmath.mpf(int(value.p)) / int(value.q)


def _symbols(params: Mapping[str, sympy.Rational]) -> dict[sympy.Symbol, sympy.Rational]:
    return {sympy.Symbol(k): sympy.Rational(v) for k, v in params.items()}


@cache
def _numeric_model() -> tuple[tuple[Callable, ...], Callable, Callable]:
    """numpy functions of (a, s) for L'(w)'s coefficients, and L'(w, a, s), L(w, a, s)."""
    derivative = FAMILY.derivation(CORRECT).symbolic["dL_dw_expr"].expr
    coefficients = sympy.Poly(derivative, w).all_coeffs()
    coefficient_fns = tuple(sympy.lambdify((a, s), c, modules="numpy") for c in coefficients)
    slope = sympy.lambdify((w, a, s), derivative, modules="numpy")
    value = sympy.lambdify((w, a, s), loss(w, CORRECT), modules="numpy")
    return coefficient_fns, slope, value


def stationary_points(a_values: np.ndarray, s_values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Roots of the derived L'(w) per row (companion-matrix eigenvalues), sorted by real part.

    Returns (real parts, True where all three roots are real)."""
    coefficient_fns, _, _ = _numeric_model()
    size = len(a_values)
    coefficients = [np.broadcast_to(f(a_values, s_values), (size,)) for f in coefficient_fns]
    lead = coefficients[0]
    companion = np.zeros((size, 3, 3))
    companion[:, 0, :] = -np.stack([c / lead for c in coefficients[1:]], axis=1)
    companion[:, 1, 0] = companion[:, 2, 1] = 1
    roots = np.linalg.eigvals(companion)
    real = np.all(np.abs(roots.imag) < 1e-9, axis=1)
    return np.sort(roots.real, axis=1), real


def descend(w_start, a_values, s_values, eta_values, steps: int = MAX_STEPS):
    """Run descent with the derived L' on a batch until it settles (at most ``steps`` steps).

    Returns (final w, True where every step moved the same way as the first)."""
    _, slope, _ = _numeric_model()
    current = np.array(w_start, dtype=float)
    direction = np.sign(-slope(current, a_values, s_values))
    monotone = np.ones_like(current, dtype=bool)
    active = np.arange(len(current))
    for _ in range(steps):
        move = -eta_values[active] * slope(current[active], a_values[active], s_values[active])
        monotone[active] &= np.sign(move) * direction[active] >= 0
        current[active] += move
        active = active[np.abs(move) > SETTLED]
        if not len(active):
            break
    return current, monotone


def starts_on(side: int, a_value: Fraction, s_value: Fraction) -> tuple[Fraction, ...]:
    """The grid starts left (side -1) or right (+1) of s / (2a), near the local maximum."""
    centre = s_value / (2 * a_value)
    return tuple(v for v in W0S if (v - centre) * side > 0)


@cache
def _starts(side: int, a_index: int, s_index: int) -> tuple[Fraction, ...]:
    """:func:`starts_on` for AS[a_index] and SS[s_index], remembered by index (hashing fractions costs)."""
    return starts_on(side, AS[a_index], SS[s_index])


def draw(rng: Draws) -> dict[str, Fraction]:
    """Propose parameters; the start's side of the barrier is drawn to balance the outcomes.

    Each grid value is drawn by its index (what ``rng.choice`` draws), the same numbers."""
    a_index, s_index = rng.integer(0, len(AS) - 1), rng.integer(0, len(SS) - 1)
    start = rng.choice(_starts(rng.choice((-1, 1)), a_index, s_index))
    return {"a": AS[a_index], "s": SS[s_index], "w0": start, "eta": rng.choice(ETAS)}


def conditions(values: Mapping[str, np.ndarray]) -> np.ndarray:
    """The conditioning rules of the module docstring, over a batch."""
    a_v, s_v, start, eta_v = values["a"], values["s"], values["w0"], values["eta"]
    roots, real = stationary_points(a_v, s_v)
    left, peak, right = roots[:, 0], roots[:, 1], roots[:, 2]
    _, _, value = _numeric_model()
    deep_left, top, deep_right = value(left, a_v, s_v), value(peak, a_v, s_v), value(right, a_v, s_v)
    ok = real & (right - left >= 1)
    ok &= top - np.maximum(deep_left, deep_right) >= 0.1
    ok &= np.abs(deep_left - deep_right) >= 0.1
    ok &= np.abs(start - peak) >= 0.3
    end, monotone = descend(start, a_v, s_v, eta_v)
    target = np.where(start < peak, left, right)
    ok &= monotone & (np.abs(end - target) <= 1e-6)
    for k in range(STEPS):
        ok &= np.abs(values[f"grad_{k}"]) >= 0.05
    return ok & distinct([values[x.id] for x in ANSWERS if is_number(x)])


ANSWERS = (
    Answer("dL_dw_expr", "symbolic", 2, "derivative"),
    *(
        Answer(name, "numeric", 1, f"step {k + 1}")
        for k in range(STEPS)
        for name in (f"grad_{k}", f"w_{k + 1}")
    ),
    Answer("minimum", "choice", 1, "where descent ends", SIDES),
    Answer("global", "choice", 1, "where descent ends", ("yes", "no")),
)

TEXT = {
    "en": r"""**Gradient descent can stop in a local minimum.** The loss
$$L(w) = \tfrac12 \left(w^2 - {a}\right)^2 {tilt}\,w$$
has two minima, one on each side of a local maximum. Start from $w_0 = {w0}$ and run
$w \leftarrow w - \eta\,\dfrac{{dL}}{{dw}}$ with learning rate $\eta = {eta}$.

1. `dL_dw_expr`: $\dfrac{{dL}}{{dw}}$ as a formula in $w$ (with the numbers above).
2. For $k = 0, 1, 2$: the gradient $L'(w_k)$ and the next weight $w_{{k+1}} = w_k - \eta\, L'(w_k)$, i.e.
   `grad_0`, `w_1`, `grad_1`, `w_2`, `grad_2`, `w_3`.
3. `minimum`: if you keep going, does descent end in the `left` or the `right` minimum?
4. `global`: is that minimum the global one (the lower of the two)? Answer `yes` or `no`.
""",
    "zh": r"""**梯度下降可能停在局部极小值。** 损失函数
$$L(w) = \tfrac12 \left(w^2 - {a}\right)^2 {tilt}\,w$$
有两个极小值,分别位于一个局部极大值的两侧。从 $w_0 = {w0}$ 出发,学习率 $\eta = {eta}$,
按 $w \leftarrow w - \eta\,\dfrac{{dL}}{{dw}}$ 迭代。

1. `dL_dw_expr`:用 $w$ 写出 $\dfrac{{dL}}{{dw}}$ 的表达式(代入上面的数值)。
2. 对 $k = 0, 1, 2$:梯度 $L'(w_k)$ 与更新后的权重 $w_{{k+1}} = w_k - \eta\, L'(w_k)$,
   即 `grad_0`、`w_1`、`grad_1`、`w_2`、`grad_2`、`w_3`。
3. `minimum`:一直迭代下去,梯度下降最终停在左边(`left`)还是右边(`right`)的极小值?
4. `global`:这个极小值是不是全局最小值(两个极小值中较低的那个)?填 `yes`(是)或 `no`(否)。
""",
}


def statement(params: Mapping[str, sympy.Rational], lang: str) -> str:
    """The problem in Markdown with LaTeX."""
    tilt = f"- {decimal_text(-params['s'])}" if params["s"] < 0 else f"+ {decimal_text(params['s'])}"
    return fill(TEXT[lang], params, tilt=tilt) + precision(FAMILY, params, lang)


STEP_NAMES = {  # the steps of ANSWERS, named in every language
    "derivative": {"en": "derivative", "zh": "求导"},
    "step {n}": {"en": "step {n}", "zh": "第 {n} 次迭代"},
    "where descent ends": {"en": "where descent ends", "zh": "梯度下降的终点"},
}


FAMILY = Family(
    name="local_minima",
    version=2,
    summary={
        "en": "Gradient descent on a tilted double well: first steps, and which minimum it ends in",
        "zh": "在倾斜的双势阱损失上做梯度下降:前几步迭代,以及最终停在哪个极小值",
    },
    params=("a", "s", "w0", "eta"),
    canonical={"a": "1", "s": "0.3", "w0": "0.5", "eta": "0.1"},
    answers=ANSWERS,
    draw=draw,
    conditions=conditions,
    derive=derive,
    statement=statement,
    gradients=tuple(
        Gradient(f"grad_{k}", f"L_{k}", "w0" if k == 0 else f"w_{k}") for k in range(STEPS)
    ),
    step_names=STEP_NAMES,
)
