"""What a gradient means (seed 003): sign and size, loss versus gradient, blame from the back.

Four multiple-choice questions with the student's own numbers, plus the step of q1:
- q1: given dE/dw = g and eta, what one step of gradient descent does to w (which way,
  how far); numeric ``delta_w`` = -eta g and ``w_new``;
- q2: two weights with gradients g1, g2 and a nudge h of one of them: which single
  nudge lowers E most (first-order change dE = dE/dw_i * dw_i);
- q3: two points P, Q, one with the larger loss and the other with the larger |dE/dw|:
  from which one does a step move farther, and why;
- q4: an MLP with one neuron per layer (seed 002): which quantities the formula of
  delta^(k) uses, read off the formula that backpropagation derives.
Each question's options are listed in an order drawn per variant (``order_qN`` indexes
the 24 permutations of four options); the right letter is decided from the derivation.

Conditioning rules for random variants (tested in tests/test_gradient_meaning.py):
- w a non-zero multiple of 0.1 in [-2, 2]; g a multiple of 0.1 with 0.2 <= |g| <= 4;
  eta in {0.01, 0.02, 0.05, 0.1, 0.2, 0.25, 0.5} (never 1, so |eta g| != |g|);
- q2: g1, g2 multiples of 0.1 with 0.2 <= |g_i| <= 3 and the larger magnitude at least
  1.5 times the smaller; h in {0.01, 0.02, 0.05};
- q3: the larger loss is a multiple of 0.1 in [1, 5], the smaller a multiple of 0.05 in
  [0.05, 0.5]; the larger |dE/dw| a multiple of 0.1 in [1, 3] sits at the point with the
  smaller loss, the smaller |dE/dw| a multiple of 0.05 in [0.05, 0.4]; signs and which
  point is which are drawn at random;
- q4: the last layer L in {3, ..., 6}, the asked layer k in {1, ..., L - 1};
- order_q1 ... order_q4 uniform in 0..23, so every letter is right about equally often;
- the numeric answers delta_w and w_new differ by more than 1 % of the larger, and
  |w_new| >= 0.05;
- every named mistake of grader.core.mistakes (except rounding) is at least 2 % from the key,
  e.g. w_new with the step added (version 2).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from fractions import Fraction
from itertools import permutations

import numpy as np
import sympy

from grader.core.conditioning import distinct
from grader.core.family import Answer, Choice, Derivation, Family
from grader.core.model import Rules, backpropagate
from grader.core.rng import Draws, decimal_grid
from grader.core.statement import fill, precision
from grader.core.variants import decimal_text
from grader.maths.sigmoid import sigmoid
from grader.text.messages import localized

LETTERS = ("A", "B", "C", "D")
ORDERS = tuple(permutations(range(4)))  # order_qN indexes these; shown[j] = options[order[j]]
QUESTIONS = ("q1", "q2", "q3", "q4")
LAYERS = range(3, 7)

PARAMS = (
    "w", "g", "eta", "g1", "g2", "h", "E_P", "g_P", "E_Q", "g_Q", "last", "k",
    *(f"order_{q}" for q in QUESTIONS),
)
w, g, eta, g1, g2, h, g_P, g_Q = sympy.symbols("w g eta g1 g2 h g_P g_Q")
delta_w, w_new = sympy.symbols("delta_w w_new")

WS = tuple(v for v in decimal_grid("-2", "2", "0.1") if v)
GS = tuple(v for v in decimal_grid("-4", "4", "0.1") if abs(v) >= Fraction(1, 5))
ETAS = tuple(Fraction(v) for v in ("0.01", "0.02", "0.05", "0.1", "0.2", "0.25", "0.5"))
G12S = tuple(v for v in decimal_grid("-3", "3", "0.1") if abs(v) >= Fraction(1, 5))
HS = tuple(Fraction(v) for v in ("0.01", "0.02", "0.05"))
# q2's gradient pairs: one magnitude at least 1.5 times the other.
G12_PAIRS = tuple(
    (x, y) for x in G12S for y in G12S if max(abs(x), abs(y)) >= Fraction(3, 2) * min(abs(x), abs(y))
)

# q1: (direction of the change of w relative to -g, size): right way and size first.
Q1_OPTIONS = (("with", "step"), ("against", "step"), ("with", "gradient"), ("against", "gradient"))
# q2: (weight, direction of the nudge).
Q2_OPTIONS = ((1, 1), (1, -1), (2, 1), (2, -1))
# q3: (point that moves farther, reason); "G" has the larger |dE/dw|, "L" the larger loss.
Q3_OPTIONS: tuple[tuple[str | None, str], ...] = (("G", "gradient"), ("L", "loss"), (None, "eta"), ("G", "closer"))


def chain(last: int, rules: Rules) -> list[tuple[sympy.Symbol, sympy.Expr]]:
    """Seed 002's MLP with one neuron per layer 0..last and E = loss_scale (a_last - y)^2."""
    steps, previous = [], sympy.Symbol("x")
    for layer in range(last + 1):
        z, a, weight, bias = sympy.symbols(f"z_{layer} a_{layer} w_{layer} b_{layer}")
        steps += [(z, weight * previous + bias), (a, sigmoid(z))]
        previous = a
    steps.append((sympy.Symbol("E"), rules.loss_scale * (previous - sympy.Symbol("y")) ** 2))
    return steps


def chain_deltas(last: int, rules: Rules) -> dict[int, sympy.Expr]:
    """delta_l = dE/dz_l for every layer, by backpropagation, in the seed's local form."""
    names = {sympy.Symbol(f"z_{layer}"): sympy.Symbol(f"delta_{layer}") for layer in range(last + 1)}
    found = backpropagate(chain(last, rules), sympy.Symbol("E"), names, rules)
    return {layer: found[sympy.Symbol(f"delta_{layer}")] for layer in range(last + 1)}


def q4_options(last: int, k: int) -> tuple[frozenset[str], ...]:
    """The symbol sets offered for delta_k: the right one first, then the distractors."""
    return (
        frozenset({f"delta_{k + 1}", f"w_{k + 1}", f"a_{k}"}),
        frozenset({f"delta_{k + 1}", f"w_{k + 1}"}),
        frozenset({f"delta_{k - 1}", f"w_{k}", f"a_{k - 1}"}),
        frozenset({f"a_{last}", "y", f"a_{k}"}),
    )


def letter_of(params: Mapping[str, sympy.Rational], question: str, index: int) -> str:
    """The letter under which option ``index`` (in the canonical order) is shown."""
    return LETTERS[ORDERS[int(params[f"order_{question}"])].index(index)]


def shown(params: Mapping[str, sympy.Rational], question: str, options: Sequence) -> list:
    """The options in the order the variant shows them."""
    return [options[i] for i in ORDERS[int(params[f"order_{question}"])]]


def derive(rules: Rules) -> Derivation:
    """The update of q1, the first-order changes of q2, q3's steps and q4's deltas."""
    step = rules.update_sign * eta * g
    quantities = ((delta_w, step), (w_new, w + delta_w))
    deltas = {last: chain_deltas(last, rules) for last in LAYERS}

    def numbers(params):
        return {sympy.Symbol(k): sympy.Rational(v) for k, v in params.items()}

    def decide_q1(params) -> str:
        change = step.xreplace(numbers(params))
        descent = -sympy.sign(params["g"])
        for index, (way, size) in enumerate(Q1_OPTIONS):
            offered = abs(params["g"]) * (params["eta"] if size == "step" else 1)
            direction = descent if way == "with" else -descent
            if direction == sympy.sign(change) and offered == abs(change):
                return letter_of(params, "q1", index)
        raise ValueError(f"q1: no option is the derived change {change}")

    def decide_q2(params) -> str:
        # First-order change of E when weight i moves by dw: dE = (dE/dw_i) dw.
        nudged = sympy.symbols("dw1 dw2")
        change = g1 * nudged[0] + g2 * nudged[1]
        effects = [
            change.xreplace({nudged[i - 1]: sign * h, nudged[2 - i]: 0}).xreplace(numbers(params))
            for i, sign in Q2_OPTIONS
        ]
        return letter_of(params, "q2", effects.index(min(effects)))

    def decide_q3(params) -> str:
        # Which point the derived step carries farther; the right option names it, for its gradient.
        moves = {p: abs(step.xreplace({g: sympy.Symbol(f"g_{p}")}).xreplace(numbers(params)))
                 for p in "PQ"}
        farther = max(moves, key=lambda p: moves[p])
        larger_loss = "P" if params["E_P"] > params["E_Q"] else "Q"
        steeper = "Q" if larger_loss == "P" else "P"
        for index, (point, reason) in enumerate(Q3_OPTIONS):
            named = _named_point(point, steeper, larger_loss)
            if named == farther and reason == "gradient" and moves["P"] != moves["Q"]:
                return letter_of(params, "q3", index)
        raise ValueError("q3: no option names the point the step carries farther")

    def decide_q4(params) -> str:
        last, k = int(params["last"]), int(params["k"])
        used = frozenset(str(s) for s in deltas[last][k].free_symbols)
        options = q4_options(last, k)
        if used not in options:
            raise ValueError(f"q4: delta_{k} uses {sorted(used)}, not an option")
        return letter_of(params, "q4", options.index(used))

    return Derivation(
        quantities=quantities,
        forward=frozenset(),
        choices={
            "q1": Choice(decide_q1, why=why_not("q1")),
            "q2": Choice(decide_q2, why=why_not("q2")),
            "q3": Choice(decide_q3, why=why_not("q3")),
            "q4": Choice(decide_q4, why=why_not("q4")),
        },
    )


WHY_NOT = {  # why option (question, index in the canonical order) is wrong
    "q1-1": {"en": "That moves w the way the gradient points, which raises E: descent moves against it.",
             "zh": "这是沿着梯度的方向移动 w,会使 E 增大:梯度下降是逆着梯度走的。"},
    "q1-2": {"en": "The change is η·|∂E/∂w|, not |∂E/∂w|: the learning rate scales the step.",
             "zh": "变化量是 η·|∂E/∂w|,而不是 |∂E/∂w|:学习率决定步长的缩放。"},
    "q1-3": {"en": "Descent moves against the gradient, and by η·|∂E/∂w|, not by |∂E/∂w|.",
             "zh": "梯度下降逆着梯度走,而且步长是 η·|∂E/∂w|,不是 |∂E/∂w|。"},
    "q2-raises": {"en": "Changing w_{i} that way raises E to first order: (∂E/∂w_{i})·Δw is positive.",
                  "zh": "这样改变 w_{i} 按一阶近似会使 E 增大:(∂E/∂w_{i})·Δw 为正。"},
    "q2-smaller": {"en": "w_{i} has the smaller |∂E/∂w|, so the same nudge h lowers E less.",
                   "zh": "w_{i} 的 |∂E/∂w| 较小,同样改动 h 时 E 下降得更少。"},
    "q3-1": {"en": "The step is η·|∂E/∂w|: how large the loss is does not enter it.",
             "zh": "步长是 η·|∂E/∂w|:损失的大小并不出现在里面。"},
    "q3-2": {"en": "The same η, but each step is η·|∂E/∂w|, and the two gradients differ.",
             "zh": "η 相同,但每一步是 η·|∂E/∂w|,而两处的梯度不同。"},
    "q3-3": {"en": "A smaller loss does not make steps bigger; only |∂E/∂w| decides, for the same η.",
             "zh": "损失小并不会让步子变大;在 η 相同时只有 |∂E/∂w| 决定步长。"},
    "q4-1": {"en": "a = σ(z) sits between z and the loss, so its derivative σ′ = a(1 − a) belongs in the chain.",
             "zh": "a = σ(z) 位于 z 与损失之间,所以链式法则里必须有它的导数 σ′ = a(1 − a)。"},
    "q4-2": {"en": "Backpropagation runs from the last layer back: a delta comes from the layer after it, "
                   "not the one before.",
             "zh": "反向传播从最后一层往回算:一层的误差项来自它后面的一层,而不是前面的一层。"},
    "q4-3": {"en": "Only the last layer's delta uses the output and y directly; the others get them "
                   "through the next delta.",
             "zh": "只有最后一层的误差项直接用到输出和 y;其他层通过下一层的误差项间接用到它们。"},
}


def why_not(question: str) -> Callable[[Mapping[str, sympy.Rational], str, str], str]:
    """The explanation of a wrong option of ``question``, from its index in the canonical order."""

    def explain(params: Mapping[str, sympy.Rational], letter: str, lang: str) -> str:
        index = ORDERS[int(params[f"order_{question}"])][LETTERS.index(letter)]
        if question != "q2":
            return localized(WHY_NOT, f"{question}-{index}", lang)
        weight, direction = Q2_OPTIONS[index]
        raises = params[f"g{weight}"] * direction > 0
        return localized(WHY_NOT, "q2-raises" if raises else "q2-smaller", lang, i=weight)

    return explain


def draw(rng: Draws) -> dict[str, Fraction]:
    """Propose parameters on the grids of the module docstring."""
    big_loss, small_loss = rng.decimal("1", "5", "0.1"), rng.decimal("0.05", "0.5", "0.05")
    big_slope = rng.decimal("1", "3", "0.1") * rng.choice((-1, 1))
    small_slope = rng.decimal("0.05", "0.4", "0.05") * rng.choice((-1, 1))
    points = [(big_loss, small_slope), (small_loss, big_slope)]
    if rng.choice((False, True)):
        points.reverse()
    last = rng.integer(LAYERS[0], LAYERS[-1])
    return {
        "w": rng.choice(WS),
        "g": rng.choice(GS),
        "eta": rng.choice(ETAS),
        **dict(zip(("g1", "g2"), rng.choice(G12_PAIRS), strict=True)),
        "h": rng.choice(HS),
        "E_P": points[0][0], "g_P": points[0][1], "E_Q": points[1][0], "g_Q": points[1][1],
        "last": Fraction(last),
        "k": Fraction(rng.integer(1, last - 1)),
        **{f"order_{q}": Fraction(rng.integer(0, len(ORDERS) - 1)) for q in QUESTIONS},
    }


def conditions(values: Mapping[str, np.ndarray]) -> np.ndarray:
    """q2's gradients clearly unequal in size; the numeric answers distinct and w_new not ~0."""
    big = np.maximum(np.abs(values["g1"]), np.abs(values["g2"]))
    small = np.minimum(np.abs(values["g1"]), np.abs(values["g2"]))
    ok = big >= 1.5 * small
    ok &= np.abs(values["w_new"]) >= 0.05
    return ok & distinct([values["delta_w"], values["w_new"]])


ANSWERS = (
    Answer("q1", "choice", 1, "sign and size", LETTERS),
    Answer("delta_w", "numeric", 1, "sign and size"),
    Answer("w_new", "numeric", 1, "sign and size"),
    Answer("q2", "choice", 1, "sensitivity", LETTERS),
    Answer("q3", "choice", 1, "loss versus gradient", LETTERS),
    Answer("q4", "choice", 1, "backpropagation", LETTERS),
)

WORDS: dict[str, dict[str, str]] = {
    "en": {
        "q1": "$w$ {way} by ${size}$",
        "up": "increases", "down": "decreases",
        "q2": "{way} $w_{i}$ by $h$",
        "raise": "increase", "lower": "decrease",
        "and": " and ", "comma": ", ",
    },
    "zh": {
        "q1": "$w$ {way} ${size}$",
        "up": "增大", "down": "减小",
        "q2": "把 $w_{i}$ {way} $h$",
        "raise": "增大", "lower": "减小",
        "and": "、", "comma": "、",
    },
}
# q3's options: the reason given for the point the step carries farther ({point}), by language.
Q3_REASONS: dict[str, dict[str, str]] = {
    "en": {
        "gradient": "From {point}: the step is $\\eta\\,|\\partial E/\\partial w|$, and "
                    "$|\\partial E/\\partial w|$ is larger at {point}.",
        "loss": "From {point}: the loss is larger there, so the step is larger.",
        "eta": "Both steps are equally long: they use the same $\\eta$.",
        "closer": "From {point}: its loss is smaller, so it is closer to the minimum "
                  "and takes bigger steps.",
    },
    "zh": {
        "gradient": "从 {point} 出发:步长为 $\\eta\\,|\\partial E/\\partial w|$,"
                    "而 {point} 处的 $|\\partial E/\\partial w|$ 更大。",
        "loss": "从 {point} 出发:那里的损失更大,所以步长更大。",
        "eta": "两步一样长:它们用的是同一个 $\\eta$。",
        "closer": "从 {point} 出发:它的损失更小,离极小值更近,所以步子更大。",
    },
}


def _named_point(point: str | None, steeper: str, larger_loss: str) -> str | None:
    """The point a q3 option names: "G" the steeper one, "L" the one with the larger loss, None neither."""
    return {"G": steeper, "L": larger_loss}.get(point) if point is not None else None


def option_lines(params: Mapping[str, sympy.Rational], lang: str) -> dict[str, str]:
    """The four option lists of a variant, lettered in its order, as Markdown."""
    words = WORDS[lang]
    g_value, eta_value = params["g"], params["eta"]
    q1 = []
    for way, size in Q1_OPTIONS:
        up = (g_value < 0) == (way == "with")
        amount = abs(g_value) * (eta_value if size == "step" else 1)
        q1.append(words["q1"].format(way=words["up" if up else "down"], size=decimal_text(amount)))
    q2 = [words["q2"].format(way=words["raise" if d > 0 else "lower"], i=i) for i, d in Q2_OPTIONS]
    larger_loss = "P" if params["E_P"] > params["E_Q"] else "Q"
    steeper = "Q" if larger_loss == "P" else "P"
    q3 = [Q3_REASONS[lang][reason].format(point=_named_point(point, steeper, larger_loss))
          for point, reason in Q3_OPTIONS]
    q4 = [_listing([_latex(name) for name in sorted(option, key=_layer_order)], words)
          for option in q4_options(int(params["last"]), int(params["k"]))]
    return {
        f"options_{q}": "\n".join(
            f"   - {letter}. {text}" for letter, text in zip(LETTERS, shown(params, q, texts), strict=True)
        )
        for q, texts in zip(QUESTIONS, (q1, q2, q3, q4), strict=True)
    }


def _listing(items: Sequence[str], words: Mapping[str, str]) -> str:
    """'x, y and z' (en) or 'x、y、z' (zh)."""
    return words["and"].join([words["comma"].join(items[:-1]), items[-1]])


def _layer_order(name: str) -> tuple[int, str]:
    return ({"delta": 0, "w": 1, "a": 2}.get(name.split("_")[0], 3), name)


def shown_layer(layer: int) -> int:
    """The layer number a student reads: layers are numbered 1..L as in deep_chain (the model's 0..L-1)."""
    return layer + 1


def _latex(name: str) -> str:
    """'delta_3' -> '$\\delta^{(4)}$', 'a_2' -> '$a^{(3)}$', 'y' -> '$y$' (layers as shown, from 1)."""
    if "_" not in name:
        return f"${name}$"
    base, layer = name.split("_")
    symbol = r"\delta" if base == "delta" else base
    return f"${symbol}^{{({shown_layer(int(layer))})}}$"


def option_text(params: Mapping[str, sympy.Rational], question: str, letter: str, lang: str) -> str:
    """The Markdown text of the option shown under ``letter`` in ``question``."""
    prefix = f"- {letter}. "
    for line in option_lines(params, lang)[f"options_{question}"].splitlines():
        if line.strip().startswith(prefix):
            return line.strip()[len(prefix):]
    raise KeyError(letter)


TEXT = {
    "en": r"""**What a gradient tells you.** Answer each multiple-choice question with a letter.

1. **Sign and size.** At the current weight $w = {w}$ the gradient is
   $\partial E/\partial w = {g}$; the learning rate is $\eta = {eta}$. What does one step of
   gradient descent do to $w$? Answer `q1`:

{options_q1}

   Also give the change `delta_w` $= \Delta w = w_{{\mathrm{{new}}}} - w$ and the new weight `w_new`.
2. **Which weight matters more.** Two weights have $\partial E/\partial w_1 = {g1}$ and
   $\partial E/\partial w_2 = {g2}$. You may change just one of them, by $h = {h}$ up or down.
   Which single change lowers the loss $E$ the most (to first order)? Answer `q2`:

{options_q2}

3. **Loss versus gradient.** At point P the loss is $E = {E_P}$ and $\partial E/\partial w = {g_P}$;
   at point Q, $E = {E_Q}$ and $\partial E/\partial w = {g_Q}$. One step of gradient descent with
   $\eta = {eta}$ is taken from each point. Which statement is right? Answer `q3`:

{options_q3}

4. **Blame, from the last layer back.** An MLP has one neuron per layer, layers
   $l = 1, 2, \dots, {last}$: $z^{{(l)}} = w^{{(l)}} a^{{(l-1)}} + b^{{(l)}}$,
   $a^{{(l)}} = \sigma(z^{{(l)}})$ (with $a^{{(0)}} = x$, the input), loss $E = \tfrac12 (a^{{({last})}} - y)^2$,
   and $\delta^{{(l)}} = \partial E/\partial z^{{(l)}}$. Backpropagation has already computed
   {known}. Written as backpropagation computes it (with $\sigma' = \sigma(1 - \sigma)$), which
   quantities does the formula for $\delta^{{({k})}}$ use? Answer `q4`:

{options_q4}

""",
    "zh": r"""**梯度告诉了我们什么。** 每道选择题填一个字母。

1. **符号与大小。** 在当前权重 $w = {w}$ 处,梯度 $\partial E/\partial w = {g}$,学习率
   $\eta = {eta}$。做一步梯度下降后,$w$ 会怎样?填 `q1`:

{options_q1}

   另外填写变化量 `delta_w` $= \Delta w = w_{{\mathrm{{new}}}} - w$ 和新的权重 `w_new`。
2. **哪个权重更重要。** 两个权重的梯度分别为 $\partial E/\partial w_1 = {g1}$ 和
   $\partial E/\partial w_2 = {g2}$。只允许改动其中一个,增大或减小 $h = {h}$。
   (按一阶近似)哪一种改动让损失 $E$ 下降得最多?填 `q2`:

{options_q2}

3. **损失与梯度。** 在点 P 处损失 $E = {E_P}$,$\partial E/\partial w = {g_P}$;在点 Q 处
   $E = {E_Q}$,$\partial E/\partial w = {g_Q}$。从两点各用 $\eta = {eta}$ 做一步梯度下降。
   哪种说法正确?填 `q3`:

{options_q3}

4. **从最后一层往前追查责任。** 一个每层只有一个神经元的多层感知器,层号
   $l = 1, 2, \dots, {last}$:$z^{{(l)}} = w^{{(l)}} a^{{(l-1)}} + b^{{(l)}}$,
   $a^{{(l)}} = \sigma(z^{{(l)}})$(其中 $a^{{(0)}} = x$ 为输入),损失 $E = \tfrac12 (a^{{({last})}} - y)^2$,
   $\delta^{{(l)}} = \partial E/\partial z^{{(l)}}$。反向传播已经算出了 {known}。按反向传播的写法
   (利用 $\sigma' = \sigma(1 - \sigma)$),$\delta^{{({k})}}$ 的公式用到了哪些量?填 `q4`:

{options_q4}

""",
}


def statement(params: Mapping[str, sympy.Rational], lang: str) -> str:
    """The four questions in Markdown with LaTeX, options lettered in the variant's order."""
    last, k = int(params["last"]), int(params["k"])
    known = rf"$\delta^{{({shown_layer(last)})}}$"
    if k + 1 < last:
        known += rf", $\dots$, $\delta^{{({shown_layer(k + 1)})}}$"
    shown = {**params, "last": sympy.Integer(shown_layer(last)), "k": sympy.Integer(shown_layer(k))}
    return fill(TEXT[lang], shown, known=known, **option_lines(params, lang)) + precision(FAMILY, params, lang)


STEP_NAMES = {  # the steps of ANSWERS, named in every language
    "sign and size": {"en": "sign and size", "zh": "符号与大小"},
    "sensitivity": {"en": "sensitivity", "zh": "敏感度"},
    "loss versus gradient": {"en": "loss versus gradient", "zh": "损失与梯度"},
    "backpropagation": {"en": "backpropagation", "zh": "反向传播"},
}


FAMILY = Family(
    name="gradient_meaning",
    version=2,
    summary={
        "en": "What a gradient means: sign and size, sensitivity, loss versus gradient, "
              "blame from the last layer back",
        "zh": "梯度的含义:符号与大小、敏感程度、损失与梯度的区别、从最后一层往前追查责任",
    },
    params=PARAMS,
    canonical={
        "w": "1", "g": "2", "eta": "0.1", "g1": "0.5", "g2": "-2", "h": "0.01",
        "E_P": "2.5", "g_P": "0.1", "E_Q": "0.2", "g_Q": "-1.5", "last": "3", "k": "1",
        "order_q1": "7", "order_q2": "14", "order_q3": "8", "order_q4": "21",
    },
    answers=ANSWERS,
    draw=draw,
    conditions=conditions,
    derive=derive,
    statement=statement,
    step_names=STEP_NAMES,
)
