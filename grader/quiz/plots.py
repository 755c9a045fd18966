"""Pictures of gradient descent and backpropagation, drawn from the families' derivations.

Each function returns a :class:`matplotlib.figure.Figure` built without pyplot, so it needs
no GUI backend: the CLI saves it as PNG (Agg), a notebook shows it inline. Labels exist in
English and Chinese (``lang``); a Chinese figure uses a CJK font when one is installed
(:func:`grader.course.figures.cjk_font`). :func:`describe` gives each picture's text alternative for screen readers.

- :func:`descent` — the loss parabola of ``gd_linear`` with the path of w for several
  learning rates (monotone, oscillating, diverging: the regimes of seed 000) and the loss
  against the epoch;
- :func:`network` — the 2-2-2 network of a ``backprop_222`` variant with its weights on the
  edges and each unit's input, activation and delta at its node;
- :func:`minima` — the tilted double well of ``local_minima`` with descent paths from
  several starts ending in different minima (seed 002).
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

import numpy as np
import sympy
from matplotlib.figure import Figure

from grader.core.evaluate import exact_quantities
from grader.core.variants import Variant, canonical
from grader.course.figures import cjk_figure
from grader.families import get_family
from grader.maths.sigmoid import sigmoid_numpy
from grader.quiz.formulas import number_text
from grader.text.messages import localized

KINDS = ("descent", "network", "minima")
FAMILY_OF = {"descent": "gd_linear", "network": "backprop_222", "minima": "local_minima"}
# One colour per path (never two learning rates alike), colour-blind safe (Okabe-Ito).
PATH_COLOURS = ("#0072B2", "#009E73", "#E69F00", "#D55E00", "#CC79A7", "#56B4E9")
EPOCHS = 8


LABELS: dict[str, dict[str, str]] = {
    "descent_title": {"en": "Gradient descent on E(w), x = {x}, t = {t}, from w₀ = {w0}",
                      "zh": "在 E(w) 上做梯度下降,x = {x},t = {t},从 w₀ = {w0} 出发"},
    "path": {"en": "η = {eta} ({regime})", "zh": "η = {eta}({regime})"},
    "epoch": {"en": "epoch", "zh": "轮次"},
    "loss_log": {"en": "loss E (log scale)", "zh": "损失 E(对数坐标)"},
    "loss_vs_epoch": {"en": "Loss against epoch", "zh": "损失随轮次的变化"},
    "monotone": {"en": "monotone", "zh": "单调收敛"},
    "one-step": {"en": "one-step", "zh": "一步到位"},
    "oscillating": {"en": "oscillating", "zh": "震荡收敛"},
    "bounded": {"en": "bounded", "zh": "来回跳动"},
    "diverging": {"en": "diverging", "zh": "发散"},
    "network_title": {"en": "2-2-2 sigmoid network: forward values and deltas   (E = {E})",
                      "zh": "2-2-2 sigmoid 网络:前向传播的值与误差项   (E = {E})"},
    "target": {"en": "target t{k} = {value}", "zh": "目标 t{k} = {value}"},
    "biases": {"en": "b1 = {b1} (both hidden units), b2 = {b2} (both outputs), η = {eta}",
               "zh": "b1 = {b1}(两个隐藏单元共用),b2 = {b2}(两个输出共用),η = {eta}"},
    "local_maximum": {"en": "local maximum", "zh": "局部极大值"},
    "minima_title": {"en": "L(w) = ½(w² − {a})² {sign} {s}·w, η = {eta}: squares start, stars end",
                     "zh": "L(w) = ½(w² − {a})² {sign} {s}·w,η = {eta}:方块为起点,星号为终点"},
    "ends_in": {"en": "w₀ = {start} → {side} minimum ({kind})", "zh": "w₀ = {start} → {side}边的极小值({kind})"},
    "left": {"en": "left", "zh": "左"},
    "right": {"en": "right", "zh": "右"},
    "global": {"en": "global", "zh": "全局"},
    "local": {"en": "local", "zh": "局部"},
    "step_k": {"en": "step k", "zh": "第 k 步"},
    "where_ends": {"en": "Where each start ends", "zh": "每个起点最终停在哪里"},
    "alt_descent": {
        "en": "Loss E(w) = ½(wx − t)² for x = {x}, t = {t}, with gradient descent from w₀ = {w0}. {paths}",
        "zh": "损失 E(w) = ½(wx − t)²,x = {x},t = {t},从 w₀ = {w0} 出发做梯度下降。{paths}",
    },
    "alt_path": {"en": "η = {eta} ({regime}): w = {weights}.", "zh": "η = {eta}({regime}):w = {weights}。"},
    "alt_network": {
        "en": "2-2-2 sigmoid network. {nodes} Weights and gradients: {edges}. Loss E = {E}.",
        "zh": "2-2-2 sigmoid 网络。{nodes} 权重与梯度:{edges}。损失 E = {E}。",
    },
    "alt_minima": {
        "en": "Double well L(w) = ½(w² − {a})² {sign} {s}·w with minima at w ≈ {left} and {right} and a local "
              "maximum at {peak}; the {deeper} minimum is global. {paths}",
        "zh": "双势阱 L(w) = ½(w² − {a})² {sign} {s}·w,极小值在 w ≈ {left} 和 {right},局部极大值在 {peak};"
              "{deeper}边的极小值是全局最小值。{paths}",
    },
    "alt_start": {"en": "From w₀ = {start}, descent ends at w ≈ {end} ({side}).",
                  "zh": "从 w₀ = {start} 出发,停在 w ≈ {end}({side})。"},
}


def label(key: str, lang: str = "en", **fields: object) -> str:
    """A plot label in ``lang``."""
    return localized(LABELS, key, lang, **fields)



def _function(formula: sympy.Expr, *names: str):
    """A numpy function of ``names`` from a derivation formula."""
    return sympy.lambdify([sympy.Symbol(n) for n in names], formula, modules=[{"sigmoid": sigmoid_numpy}, "numpy"])


def _in_w(variant: Variant, quantity: str, start: str, substitute: dict[str, str] | None = None) -> sympy.Expr:
    """A derivation formula as a function of a free weight ``w`` in place of the start ``start``.

    ``substitute`` expands names first, e.g. E_1's pred_1 by its own formula.
    """
    derivation = variant.family.derivation()
    formula = derivation.quantity(quantity)
    for name, by in (substitute or {}).items():
        formula = formula.xreplace({sympy.Symbol(name): derivation.quantity(by)})
    fixed = {sympy.Symbol(k): v for k, v in variant.params.items() if k != start}
    return formula.xreplace({**fixed, sympy.Symbol(start): sympy.Symbol("w")})


# ---------------------------------------------------------------- descent (gd_linear)

@dataclass(frozen=True)
class Path:
    """A descent path: the learning rate, its regime, the weights and losses per epoch."""

    eta: float
    regime: str
    weights: np.ndarray
    losses: np.ndarray


def descent_paths(variant: Variant, etas: Sequence[sympy.Rational] | None = None, epochs: int = EPOCHS) -> list[Path]:
    """Paths of w for several learning rates: by default 1/10, 1/4, 4/5 and 21/20 of eta_max, one of
    them replaced by the variant's own rate (the nearest of the same regime).

    With x = 1 (seed 000) these are 0.2 (slow), 0.5 (the seed's rate), 1.6 (oscillating)
    and 2.1 (diverging).
    """
    derivation = variant.family.derivation()
    params = variant.params
    eta_max = exact_quantities(derivation, params)["eta_max"]
    regime = derivation.choices["regime"].decide
    if etas is None:
        etas = [eta_max * sympy.Rational(f) for f in ("1/10", "1/4", "4/5", "21/20")]
        own = params["eta"]
        alike = [e for e in etas if regime({**params, "eta": e}) == regime(params)]
        if alike:  # the variant's own rate stands in for the nearest one of its regime
            etas.remove(min(alike, key=lambda e: abs(e - own)))
        etas = sorted({*etas, own})
    slope = _function(_in_w(variant, "grad_1", "w0", {"pred_1": "pred_1"}), "w")
    loss = _function(_in_w(variant, "E_1", "w0", {"pred_1": "pred_1"}), "w")
    paths = []
    for eta in etas:
        weights = [float(params["w0"])]
        for _ in range(epochs):
            weights.append(weights[-1] - float(eta) * float(slope(weights[-1])))
        w = np.array(weights)
        paths.append(Path(float(eta), regime({**params, "eta": sympy.Rational(eta)}), w, np.asarray(loss(w), float)))
    return paths


def descent(variant: Variant | None = None, etas: Sequence[sympy.Rational] | None = None, lang: str = "en") -> Figure:
    """The loss parabola with descent paths for several learning rates, and loss against epoch."""
    variant = variant or canonical(get_family("gd_linear"))
    p = {k: number_text(v) for k, v in variant.params.items()}
    paths = descent_paths(variant, etas)
    loss = _function(_in_w(variant, "E_1", "w0", {"pred_1": "pred_1"}), "w")
    optimum = float(variant.params["t"] / variant.params["x"])
    figure = Figure(figsize=(12, 5.6), dpi=100, layout="constrained")
    curve_ax, epoch_ax = figure.subplots(1, 2, width_ratios=(3, 2))
    spread = max(abs(float(variant.params["w0"]) - optimum), 0.5)
    low, high = optimum - 2.2 * spread, optimum + 2.2 * spread
    grid = np.linspace(low, high, 400)
    curve_ax.plot(grid, loss(grid), color="0.3", lw=2, label="E(w)")
    for path, colour in zip(paths, PATH_COLOURS, strict=False):
        name = label("path", lang, eta=f"{path.eta:g}", regime=label(path.regime, lang))
        inside = (path.weights >= low) & (path.weights <= high)
        shown = np.arange(len(path.weights))[inside]
        curve_ax.plot(path.weights[shown], path.losses[shown], "o-", color=colour, alpha=0.85, ms=5, label=name)
        for k in shown[:-1]:
            if inside[k + 1]:
                curve_ax.annotate("", (path.weights[k + 1], path.losses[k + 1]), (path.weights[k], path.losses[k]),
                                  arrowprops={"arrowstyle": "->", "color": colour, "lw": 1})
        epoch_ax.semilogy(np.arange(len(path.losses)), np.maximum(path.losses, 1e-12), "o-", color=colour)
    curve_ax.axvline(optimum, color="0.6", ls=":", lw=1)
    curve_ax.annotate("w* = t/x", (optimum, 1), xycoords=("data", "axes fraction"), xytext=(4, -14),
                      textcoords="offset points", color="0.4")
    curve_ax.set(xlim=(low, high), ylim=(-0.05 * float(loss(low)), 1.1 * float(max(loss(low), loss(high)))),
                 xlabel="w", ylabel="E(w) = ½(wx − t)²", title=label("descent_title", lang, **p))
    # one legend below both panels, so that it covers no path
    figure.legend(*curve_ax.get_legend_handles_labels(), loc="outside lower center", ncols=len(paths) + 1,
                  fontsize=9)
    epoch_ax.set(xlabel=label("epoch", lang), ylabel=label("loss_log", lang), title=label("loss_vs_epoch", lang))
    epoch_ax.grid(True, which="major", alpha=0.3)
    return cjk_figure(figure, lang)


# ---------------------------------------------------------------- network (backprop_222)

POSITIONS = {"i1": (0, 1), "i2": (0, 0), "h1": (1, 1), "h2": (1, 0), "o1": (2, 1), "o2": (2, 0)}
EDGES = {"w1": ("i1", "h1"), "w2": ("i2", "h1"), "w3": ("i1", "h2"), "w4": ("i2", "h2"),
         "w5": ("h1", "o1"), "w6": ("h2", "o1"), "w7": ("h1", "o2"), "w8": ("h2", "o2")}
RADIUS = 0.11


def network(variant: Variant | None = None, lang: str = "en") -> Figure:
    """The 2-2-2 network with weights (and their gradients) on the edges, values and deltas at the nodes."""
    variant = variant or canonical(get_family("backprop_222"))
    values = {**{k: float(v) for k, v in variant.params.items()},
              **{k: float(v) for k, v in exact_quantities(variant.family.derivation(), variant.params).items()}}
    figure = Figure(figsize=(11, 7.5), dpi=100, layout="constrained")
    ax = figure.subplots()
    ax.set_aspect("equal")
    ax.axis("off")
    for weight, (source, target) in EDGES.items():
        (x0, y0), (x1, y1) = POSITIONS[source], POSITIONS[target]
        ax.annotate("", (x1 - RADIUS * (x1 - x0) / np.hypot(x1 - x0, y1 - y0), y1 - RADIUS * (y1 - y0)
                         / np.hypot(x1 - x0, y1 - y0)), (x0, y0),
                    arrowprops={"arrowstyle": "-|>", "color": "0.45", "lw": 1.2, "shrinkA": 28, "shrinkB": 0})
        share = 0.5 if y0 == y1 else 0.27
        lx, ly = x0 + share * (x1 - x0), y0 + share * (y1 - y0)
        edge = f"{weight} = {number_text(variant.params[weight])}\n∂E/∂{weight} = {values['dE_d' + weight]:.4g}"
        ax.text(lx, ly, edge, ha="center", va="center", fontsize=8.5,
                bbox={"boxstyle": "round,pad=0.2", "fc": "white", "ec": "0.8"})
    colours = {"i": "#ddf4ff", "h": "#fff8c5", "o": "#ffebe9"}
    for node, (x, y) in POSITIONS.items():
        ax.add_patch(_circle((x, y), colours[node[0]]))
        ax.text(x, y, node, ha="center", va="center", fontsize=13, weight="bold")
        top = y == max(p[1] for p in POSITIONS.values())
        ax.text(x, y + RADIUS + 0.04 if top else y - RADIUS - 0.04, _node_label(node, values), ha="center",
                va="bottom" if top else "top", fontsize=9, family="monospace")
    for k in (1, 2):
        x, y = POSITIONS[f"o{k}"]
        ax.text(x + 0.25, y, label("target", lang, k=k, value=number_text(variant.params[f"t{k}"])),
                va="center", fontsize=9)
    biases = {k: number_text(variant.params[k]) for k in ("b1", "b2", "eta")}
    ax.text(1, -0.66, label("biases", lang, **biases), ha="center", fontsize=9, color="0.3")
    ax.set(xlim=(-0.3, 2.75), ylim=(-0.7, 1.5))
    ax.set_title(label("network_title", lang, E=f"{values['E']:.6g}"), fontsize=12)
    return cjk_figure(figure, lang)


def _circle(centre, colour):
    from matplotlib.patches import Circle

    return Circle(centre, RADIUS, facecolor=colour, edgecolor="0.25", lw=1.5, zorder=3)


def _node_label(node: str, values: dict[str, float]) -> str:
    if node.startswith("i"):
        return f"{node} = {values[node]:.4g}"
    return (f"in  = {values[node + '_in']:.4g}\nout = {values[node]:.4g}\n"
            f"δ   = {values['delta_' + node]:.4g}")


# ---------------------------------------------------------------- minima (local_minima)

def stationary(variant: Variant) -> tuple[list[float], list[float]]:
    """(minima, maxima) of the variant's loss: the real roots of the derived L'(w), sorted."""
    slope = _in_w(variant, "grad_0", "w0")
    w = sympy.Symbol("w")
    roots = sorted(float(r) for r in sympy.Poly(slope, w).nroots() if r.is_real)
    curvature = sympy.diff(slope, w)
    minima = [r for r in roots if float(curvature.subs(w, r)) > 0]
    return minima, [r for r in roots if r not in minima]


def minima_paths(variant: Variant, starts: Sequence[float], steps: int = 400) -> list[np.ndarray]:
    """Descent w <- w - eta L'(w) from each start with the derived L', until it settles."""
    slope = _function(_in_w(variant, "grad_0", "w0"), "w")
    eta = float(variant.params["eta"])
    paths = []
    for start in starts:
        w = [float(start)]
        for _ in range(steps):
            step = eta * float(slope(w[-1]))
            w.append(w[-1] - step)
            if abs(step) < 1e-9 or abs(w[-1]) > 1e3:
                break
        paths.append(np.array(w))
    return paths


def minima(variant: Variant | None = None, starts: Sequence[float] | None = None, lang: str = "en") -> Figure:
    """The double well with descent paths from several starts, coloured by the minimum they end in."""
    variant = variant or canonical(get_family("local_minima"))
    loss = _function(_in_w(variant, "L_0", "w0"), "w")
    lows, peaks = stationary(variant)
    left, right = lows[0], lows[-1]
    peak = peaks[0] if peaks else (left + right) / 2
    if starts is None:
        own = float(variant.params["w0"])
        others = (left - 0.45, (left + peak) / 2, (peak + right) / 2, right + 0.45)
        starts = sorted({own, *(round(w, 2) for w in others if abs(w - own) > 0.15)})
    paths = minima_paths(variant, starts)
    deeper = left if loss(left) < loss(right) else right
    figure = Figure(figsize=(12, 5), dpi=100, layout="constrained")
    curve_ax, step_ax = figure.subplots(1, 2, width_ratios=(3, 2))
    grid = np.linspace(left - 0.7, right + 0.7, 500)
    curve_ax.plot(grid, loss(grid), color="0.3", lw=2, label="L(w)")
    end_colours = {"left": "#0969da", "right": "#8250df"}
    for start, path in zip(starts, paths, strict=True):
        side = "left" if abs(path[-1] - left) < abs(path[-1] - right) else "right"
        kind = "global" if abs((left if side == "left" else right) - deeper) < 1e-9 else "local"
        colour = end_colours[side]
        marker_every = max(1, len(path) // 25)
        shown = path[::marker_every]
        curve_ax.plot(shown, loss(shown), "o", color=colour, ms=4, alpha=0.7)
        curve_ax.plot([start], [loss(start)], "s", color=colour, ms=8, mec="black")
        curve_ax.plot([path[-1]], [loss(path[-1])], "*", color=colour, ms=14, mec="black")
        name = label("ends_in", lang, start=f"{start:g}", side=label(side, lang), kind=label(kind, lang))
        step_ax.plot(np.arange(len(path)), path, "-", color=colour, lw=1.8, label=name)
    for m in lows:
        step_ax.axhline(m, color="0.7", ls=":", lw=1)
    curve_ax.axvline(peak, color="0.6", ls="--", lw=1)
    curve_ax.annotate(label("local_maximum", lang), (peak, loss(peak)), xytext=(5, 8), textcoords="offset points",
                      color="0.4")
    a, eta = number_text(variant.params["a"]), number_text(variant.params["eta"])
    tilt = variant.params["s"]
    sign = "−" if tilt < 0 else "+"
    curve_ax.set(xlabel="w", ylabel="L(w)",
                 title=label("minima_title", lang, a=a, sign=sign, s=number_text(abs(tilt)), eta=eta))
    step_ax.set(xlabel=label("step_k", lang), ylabel="w_k", title=label("where_ends", lang))
    step_ax.legend(fontsize=8.5, loc="best")
    return cjk_figure(figure, lang)


# ---------------------------------------------------------------- shared

class Drawing(Protocol):
    """What draws one kind of picture: a variant (default: the seed's numbers) in a language."""

    def __call__(self, variant: Variant | None = None, *, lang: str = "en") -> Figure: ...


def figure(kind: str, variant: Variant | None = None, lang: str = "en") -> Figure:
    """The picture ``kind`` ('descent', 'network' or 'minima') of a variant (default: the seed's numbers)."""
    drawings: dict[str, Drawing] = {"descent": descent, "network": network, "minima": minima}
    return drawings[kind](variant, lang=lang)


def describe(kind: str, variant: Variant | None = None, lang: str = "en") -> str:
    """The picture's text alternative (alt text): the numbers it shows, for a screen reader."""
    variant = variant or canonical(get_family(FAMILY_OF[kind]))
    p = {k: number_text(v) for k, v in variant.params.items()}
    if kind == "descent":
        paths = " ".join(label("alt_path", lang, eta=f"{path.eta:g}", regime=label(path.regime, lang),
                               weights=" → ".join(f"{w:.3g}" for w in path.weights[:5]) + " …")
                         for path in descent_paths(variant))
        return label("alt_descent", lang, x=p["x"], t=p["t"], w0=p["w0"], paths=paths)
    if kind == "network":
        values = {k: float(v) for k, v in exact_quantities(variant.family.derivation(), variant.params).items()}
        nodes = " ".join(f"{n}: {values[n + '_in']:.4g} → {values[n]:.4g}, δ = {values['delta_' + n]:.4g}."
                         for n in ("h1", "h2", "o1", "o2"))
        edges = ", ".join(f"{w} = {p[w]} (∂E/∂{w} = {values['dE_d' + w]:.4g})" for w in EDGES)
        return label("alt_network", lang, nodes=nodes, edges=edges, E=f"{values['E']:.6g}")
    lows, peaks = stationary(variant)
    loss = _function(_in_w(variant, "L_0", "w0"), "w")
    deeper = "left" if loss(lows[0]) < loss(lows[-1]) else "right"
    path = minima_paths(variant, [float(variant.params["w0"])])[0]
    side = "left" if abs(path[-1] - lows[0]) < abs(path[-1] - lows[-1]) else "right"
    start = label("alt_start", lang, start=p["w0"], end=f"{path[-1]:.3g}", side=label(side, lang))
    tilt = variant.params["s"]
    return label("alt_minima", lang, a=p["a"], sign="−" if tilt < 0 else "+", s=number_text(abs(tilt)),
                 left=f"{lows[0]:.3g}", right=f"{lows[-1]:.3g}", peak=f"{peaks[0]:.3g}", deeper=label(deeper, lang),
                 paths=start)


def png_bytes(fig: Figure, dpi: int = 100) -> bytes:
    """The figure as PNG bytes."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=dpi)
    return buffer.getvalue()
