"""Why the right option is right: the reasoning behind each choice answer, with the variant's numbers.

A choice cannot be explained by one formula of the derivation, so each choice answer has
its own short argument in three parts, given one hint at a time: the idea, the formula it
rests on, and that formula with the student's numbers. The worked solution is the numbers
part followed by the option it leads to. Every text is Markdown with ``$...$`` LaTeX, in
English and Chinese; the terminal shows it through :func:`grader.quiz.plain.to_text`.
The numbers come from the variant and the family's own model, never from a table of answers.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import SupportsFloat

import sympy

from grader.quiz.formulas import number_text
from grader.text.messages import localized

Values = Mapping[str, str]


@dataclass(frozen=True)
class Reason:
    """The argument for one choice answer: idea, formula and numbers (Markdown lines each)."""

    idea: str
    formula: tuple[str, ...]
    numbers: tuple[str, ...]


TEXTS: dict[str, dict[str, str]] = {
    "q1_idea": {
        "en": "Gradient descent moves $w$ against the sign of $\\partial E/\\partial w$, "
              "by $\\eta$ times its size.",
        "zh": "梯度下降让 $w$ 朝 $\\partial E/\\partial w$ 符号相反的方向移动,步长是 $\\eta$ 乘以梯度的大小。",
    },
    "q1_formula": {"en": "$\\Delta w = -\\eta\\,\\partial E/\\partial w$",
                   "zh": "$\\Delta w = -\\eta\\,\\partial E/\\partial w$"},
    "q1_numbers": {
        "en": "$\\Delta w = -{eta} \\cdot ({g}) = {dw}$: $w$ {way} by ${size}$.",
        "zh": "$\\Delta w = -{eta} \\cdot ({g}) = {dw}$:$w$ {way} ${size}$。",
    },
    "up": {"en": "increases", "zh": "增大"},
    "down": {"en": "decreases", "zh": "减小"},
    "q2_idea": {
        "en": "To first order, changing one weight by $\\Delta w_i$ changes the loss by "
              "$\\partial E/\\partial w_i \\cdot \\Delta w_i$: pick the change that makes this most negative.",
        "zh": "按一阶近似,把一个权重改变 $\\Delta w_i$,损失就改变 $\\partial E/\\partial w_i \\cdot \\Delta w_i$:"
              "选让它最负的那个改动。",
    },
    "q2_formula": {"en": "$\\Delta E \\approx \\dfrac{{\\partial E}}{{\\partial w_i}}\\,\\Delta w_i$",
                   "zh": "$\\Delta E \\approx \\dfrac{{\\partial E}}{{\\partial w_i}}\\,\\Delta w_i$"},
    "q2_numbers": {
        "en": "$w_{i}$ {way}: $\\Delta E \\approx {g} \\cdot ({dw}) = {change}$",
        "zh": "$w_{i}$ {way}:$\\Delta E \\approx {g} \\cdot ({dw}) = {change}$",
    },
    "q2_up": {"en": "up by $h$", "zh": "增大 $h$"},
    "q2_down": {"en": "down by $h$", "zh": "减小 $h$"},
    "q3_idea": {
        "en": "The length of a step is $\\eta\\,|\\partial E/\\partial w|$: it depends on the gradient, "
              "not on how large the loss is.",
        "zh": "一步的长度是 $\\eta\\,|\\partial E/\\partial w|$:它取决于梯度,而不是损失有多大。",
    },
    "q3_formula": {"en": "$|\\Delta w| = \\eta\\,|\\partial E/\\partial w|$",
                   "zh": "$|\\Delta w| = \\eta\\,|\\partial E/\\partial w|$"},
    "q3_numbers": {
        "en": "from {point} (loss ${loss}$): $|\\Delta w| = {eta} \\cdot |{g}| = {size}$",
        "zh": "从 {point} 出发(损失 ${loss}$):$|\\Delta w| = {eta} \\cdot |{g}| = {size}$",
    },
    "q4_idea": {
        "en": "$\\delta$ of a layer is the $\\delta$ of the layer after it, carried back through the weight "
              "between them, times the slope of this layer's sigmoid.",
        "zh": "某一层的 $\\delta$ 等于后一层的 $\\delta$ 经过两层之间的权重传回来,再乘以本层 sigmoid 的斜率。",
    },
    "q4_formula": {
        "en": "$\\delta^{{(l)}} = \\delta^{{(l+1)}}\\, w^{{(l+1)}}\\, \\sigma'(z^{{(l)}})"
              " = \\delta^{{(l+1)}}\\, w^{{(l+1)}}\\, a^{{(l)}}(1 - a^{{(l)}})$",
        "zh": "$\\delta^{{(l)}} = \\delta^{{(l+1)}}\\, w^{{(l+1)}}\\, \\sigma'(z^{{(l)}})"
              " = \\delta^{{(l+1)}}\\, w^{{(l+1)}}\\, a^{{(l)}}(1 - a^{{(l)}})$",
    },
    "q4_numbers": {
        "en": "For $l = {k}$: $\\delta^{{({k})}} = \\delta^{{({n})}}\\, w^{{({n})}}\\, a^{{({k})}}(1 - a^{{({k})}})$.",
        "zh": "取 $l = {k}$:$\\delta^{{({k})}} = \\delta^{{({n})}}\\, w^{{({n})}}\\, a^{{({k})}}(1 - a^{{({k})}})$。",
    },
    "option": {"en": "So `{answer}` is {letter}: {text}", "zh": "所以 `{answer}` 选 {letter}:{text}"},
    "answer_is": {"en": "So `{answer}` is `{option}`.", "zh": "所以 `{answer}` 填 `{option}`。"},
    "minimum_idea": {
        "en": "Descent moves against the sign of $L'(w)$ and cannot cross a point where $L'(w) = 0$: "
              "it stays on the start's side of the local maximum.",
        "zh": "梯度下降朝 $L'(w)$ 符号相反的方向移动,不会越过 $L'(w) = 0$ 的点:它停留在出发点所在的那一侧。",
    },
    "minimum_formula": {
        "en": "The stationary points solve $L'(w) = {derivative} = 0$.",
        "zh": "驻点满足 $L'(w) = {derivative} = 0$。",
    },
    "minimum_numbers": {
        "en": "$L'(w) = 0$ at $w \\approx {left}$ (minimum), ${peak}$ (local maximum) and ${right}$ (minimum). "
              "The start $w_0 = {w0}$ is {side_words} of the maximum, and the steps move it {direction} "
              "(${w0} \\to {w3}$).",
        "zh": "$L'(w) = 0$ 的解为 $w \\approx {left}$(极小值)、${peak}$(局部极大值)和 ${right}$(极小值)。"
              "起点 $w_0 = {w0}$ 在极大值的{side_words},每一步都让 $w$ 向{direction}移动(${w0} \\to {w3}$)。",
    },
    "left_of": {"en": "left", "zh": "左侧"},
    "right_of": {"en": "right", "zh": "右侧"},
    "to_left": {"en": "to the left", "zh": "左"},
    "to_right": {"en": "to the right", "zh": "右"},
    "global_idea": {
        "en": "The global minimum is the lower of the two: compare $L$ at the two minima.",
        "zh": "全局最小值是两个极小值中较低的那个:比较 $L$ 在两个极小值处的值。",
    },
    "global_formula": {"en": "$L(w) = {loss}$", "zh": "$L(w) = {loss}$"},
    "global_numbers": {
        "en": "$L({left}) \\approx {depth_left}$ and $L({right}) \\approx {depth_right}$: the {lower} minimum "
              "is the lower one, and descent ends in the {side} minimum.",
        "zh": "$L({left}) \\approx {depth_left}$,$L({right}) \\approx {depth_right}$:{lower}边的极小值更低,"
              "而梯度下降停在{side}边的极小值。",
    },
    "side_left": {"en": "left", "zh": "左"},
    "side_right": {"en": "right", "zh": "右"},
    "regime_idea": {
        "en": "Each step multiplies the distance to the minimum $w^*$ by the same factor $r$; "
              "its sign and size decide how descent behaves.",
        "zh": "每一步都把到极小值 $w^*$ 的距离乘以同一个因子 $r$;$r$ 的符号和大小决定了梯度下降的表现。",
    },
    "regime_formula": {
        "en": "$w_k - w^* = r^k (w_0 - w^*)$ with $r = 1 - \\eta x^2$: `monotone` if $0 < r < 1$, `one-step` if "
              "$r = 0$, `oscillating` if $-1 < r < 0$, `bounded` if $r = -1$, `diverging` if $r < -1$.",
        "zh": "$w_k - w^* = r^k (w_0 - w^*)$,其中 $r = 1 - \\eta x^2$:$0 < r < 1$ 为 `monotone`,$r = 0$ 为 "
              "`one-step`,$-1 < r < 0$ 为 `oscillating`,$r = -1$ 为 `bounded`,$r < -1$ 为 `diverging`。",
    },
    "regime_numbers": {"en": "$r = 1 - {eta} \\cdot {x}^2 = {r}$", "zh": "$r = 1 - {eta} \\cdot {x}^2 = {r}$"},
}


def _say(key: str, lang: str, **fields: object) -> str:
    return localized(TEXTS, key, lang, **fields)


def _n(value: SupportsFloat) -> str:
    """A number as the quiz prints it, negative ones ready to sit in a formula."""
    return number_text(value)


def _gradient_meaning(question: str) -> Callable:
    def reason(params, values: Values, lang: str) -> Reason:
        return {"q1": _q1, "q2": _q2, "q3": _q3, "q4": _q4}[question](params, values, lang)

    return reason


def _q1(params, values: Values, lang: str) -> Reason:
    change = -params["eta"] * params["g"]
    numbers = _say("q1_numbers", lang, eta=_n(params["eta"]), g=_n(params["g"]), dw=_n(change),
                   way=_say("up" if change > 0 else "down", lang), size=_n(abs(change)))
    return Reason(_say("q1_idea", lang), (_say("q1_formula", lang),), (numbers,))


def _q2(params, values: Values, lang: str) -> Reason:
    lines = []
    for i in (1, 2):
        for sign in (1, -1):
            dw = sign * params["h"]
            lines.append(_say("q2_numbers", lang, i=i, way=_say("q2_up" if sign > 0 else "q2_down", lang),
                              g=_n(params[f"g{i}"]), dw=_n(dw), change=_n(params[f"g{i}"] * dw)))
    return Reason(_say("q2_idea", lang), (_say("q2_formula", lang),), tuple(lines))


def _q3(params, values: Values, lang: str) -> Reason:
    lines = tuple(
        _say("q3_numbers", lang, point=p, loss=_n(params[f"E_{p}"]), eta=_n(params["eta"]), g=_n(params[f"g_{p}"]),
             size=_n(params["eta"] * abs(params[f"g_{p}"])))
        for p in "PQ"
    )
    return Reason(_say("q3_idea", lang), (_say("q3_formula", lang),), lines)


def _q4(params, values: Values, lang: str) -> Reason:
    from grader.families.gradient_meaning import shown_layer

    k = int(params["k"])
    line = _say("q4_numbers", lang, k=shown_layer(k), n=shown_layer(k + 1))
    return Reason(_say("q4_idea", lang), (_say("q4_formula", lang),), (line,))


def _minima(params):
    from grader.core.model import CORRECT
    from grader.families.local_minima import FAMILY, loss

    w = sympy.Symbol("w")
    numbers = {sympy.Symbol(k): sympy.Rational(v) for k, v in params.items()}
    derivative = FAMILY.derivation().symbolic["dL_dw_expr"].expr.xreplace(numbers)
    roots = sorted(r for r in sympy.Poly(derivative, w).nroots(n=30) if r.is_real)
    value = loss(w, CORRECT).xreplace(numbers)
    return w, derivative, value, roots


def _round(value: sympy.Expr) -> str:
    return f"{float(value):.3g}"


def _minimum(params, values: Values, lang: str) -> Reason:
    from grader.quiz.formulas import tex

    w, derivative, _, roots = _minima(params)
    left, peak, right = roots
    side = "left" if params["w0"] < peak else "right"
    moves_right = float(values["w_3"]) > float(params["w0"])
    numbers = _say("minimum_numbers", lang, left=_round(left), peak=_round(peak), right=_round(right),
                   w0=_n(params["w0"]), w3=values["w_3"], side_words=_say(f"{side}_of", lang),
                   direction=_say("to_right" if moves_right else "to_left", lang))
    formula = _say("minimum_formula", lang, derivative=tex(sympy.expand(derivative)))
    return Reason(_say("minimum_idea", lang), (formula,), (numbers,))


def _global(params, values: Values, lang: str) -> Reason:
    from grader.quiz.formulas import tex

    w, _, value, roots = _minima(params)
    left, _, right = roots
    end = "left" if float(values["w_3"]) < float(roots[1]) else "right"
    numbers = _say("global_numbers", lang, left=_round(left), right=_round(right),
                   depth_left=_round(value.xreplace({w: left})), depth_right=_round(value.xreplace({w: right})),
                   side=_say(f"side_{end}", lang),
                   lower=_say("side_left" if value.xreplace({w: left}) < value.xreplace({w: right}) else "side_right",
                              lang))
    return Reason(_say("global_idea", lang), (_say("global_formula", lang, loss=tex(value)),), (numbers,))


def _regime(params, values: Values, lang: str) -> Reason:
    r = 1 - params["eta"] * params["x"] ** 2
    numbers = _say("regime_numbers", lang, eta=_n(params["eta"]), x=_n(params["x"]) if params["x"] >= 0
                   else f"({_n(params['x'])})", r=_n(r))
    return Reason(_say("regime_idea", lang), (_say("regime_formula", lang),), (numbers,))


REASONS: dict[tuple[str, str], Callable[[Mapping, Values, str], Reason]] = {
    **{("gradient_meaning", q): _gradient_meaning(q) for q in ("q1", "q2", "q3", "q4")},
    ("local_minima", "minimum"): _minimum,
    ("local_minima", "global"): _global,
    ("gd_linear", "regime"): _regime,
}


def reason(family: str, answer_id: str, params: Mapping, values: Values, lang: str = "en") -> Reason | None:
    """The argument for a choice answer of ``family``, or None when the family gives none."""
    found = REASONS.get((family, answer_id))
    return found(params, values, lang) if found else None


def conclusion(family: str, answer_id: str, option: str, params: Mapping, lang: str = "en") -> str:
    """The last line of a worked solution: the right option, with its text when it is a lettered one."""
    if family == "gradient_meaning":
        from grader.families.gradient_meaning import option_text

        return _say("option", lang, answer=answer_id, letter=option, text=option_text(params, answer_id, option, lang))
    return _say("answer_is", lang, answer=answer_id, option=option)
