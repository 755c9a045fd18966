"""Pictures of gradient descent and backpropagation, drawn from the families' derivations.

Each function returns a :class:`matplotlib.figure.Figure` built without pyplot, so it needs
no GUI backend: the CLI saves it as PNG (Agg), a notebook shows it inline.

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

import numpy as np
import sympy
from matplotlib.figure import Figure

from grader.evaluate import exact_quantities
from grader.families import get_family
from grader.quiz.formulas import number_text
from grader.sigmoid import sigmoid_numpy
from grader.variants import Variant, canonical

KINDS = ("descent", "network", "minima")
FAMILY_OF = {"descent": "gd_linear", "network": "backprop_222", "minima": "local_minima"}
REGIME_COLOURS = {"monotone": "#1a7f37", "one-step": "#0969da", "oscillating": "#bc4c00",
                  "bounded": "#8250df", "diverging": "#cf222e"}
EPOCHS = 8


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


def descent(variant: Variant | None = None, etas: Sequence[sympy.Rational] | None = None) -> Figure:
    """The loss parabola with descent paths for several learning rates, and loss against epoch."""
    variant = variant or canonical(get_family("gd_linear"))
    p = {k: number_text(v) for k, v in variant.params.items()}
    paths = descent_paths(variant, etas)
    loss = _function(_in_w(variant, "E_1", "w0", {"pred_1": "pred_1"}), "w")
    optimum = float(variant.params["t"] / variant.params["x"])
    figure = Figure(figsize=(12, 5), dpi=100, layout="constrained")
    curve_ax, epoch_ax = figure.subplots(1, 2, width_ratios=(3, 2))
    spread = max(abs(float(variant.params["w0"]) - optimum), 0.5)
    low, high = optimum - 2.2 * spread, optimum + 2.2 * spread
    grid = np.linspace(low, high, 400)
    curve_ax.plot(grid, loss(grid), color="0.3", lw=2, label="E(w)")
    seen: list[str] = []
    for path in paths:
        colour = REGIME_COLOURS[path.regime]
        style = "o--" if path.regime in seen else "o-"
        seen.append(path.regime)
        label = f"η = {path.eta:g} ({path.regime})"
        inside = (path.weights >= low) & (path.weights <= high)
        shown = np.arange(len(path.weights))[inside]
        curve_ax.plot(path.weights[shown], path.losses[shown], style, color=colour, alpha=0.8, ms=5, label=label)
        for k in shown[:-1]:
            if inside[k + 1]:
                curve_ax.annotate("", (path.weights[k + 1], path.losses[k + 1]), (path.weights[k], path.losses[k]),
                                  arrowprops={"arrowstyle": "->", "color": colour, "lw": 1})
        epoch_ax.semilogy(np.arange(len(path.losses)), np.maximum(path.losses, 1e-12), style, color=colour, label=label)
    curve_ax.axvline(optimum, color="0.6", ls=":", lw=1)
    curve_ax.annotate("w* = t/x", (optimum, 1), xycoords=("data", "axes fraction"), xytext=(4, -14),
                      textcoords="offset points", color="0.4")
    curve_ax.set(xlim=(low, high), ylim=(-0.05 * float(loss(low)), 1.1 * float(max(loss(low), loss(high)))),
                 xlabel="w", ylabel="E(w) = ½(wx − t)²",
                 title=f"Gradient descent on E(w), x = {p['x']}, t = {p['t']}, from w₀ = {p['w0']}")
    curve_ax.legend(loc="lower right", fontsize=9)
    epoch_ax.set(xlabel="epoch", ylabel="loss E (log scale)", title="Loss against epoch")
    epoch_ax.legend(fontsize=9)
    epoch_ax.grid(True, which="major", alpha=0.3)
    return figure


# ---------------------------------------------------------------- network (backprop_222)

POSITIONS = {"i1": (0, 1), "i2": (0, 0), "h1": (1, 1), "h2": (1, 0), "o1": (2, 1), "o2": (2, 0)}
EDGES = {"w1": ("i1", "h1"), "w2": ("i2", "h1"), "w3": ("i1", "h2"), "w4": ("i2", "h2"),
         "w5": ("h1", "o1"), "w6": ("h2", "o1"), "w7": ("h1", "o2"), "w8": ("h2", "o2")}
RADIUS = 0.11


def network(variant: Variant | None = None) -> Figure:
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
        label = f"{weight} = {number_text(variant.params[weight])}\n∂E/∂{weight} = {values['dE_d' + weight]:.4g}"
        ax.text(lx, ly, label, ha="center", va="center", fontsize=8.5,
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
        ax.text(x + 0.25, y, f"target t{k} = {number_text(variant.params[f't{k}'])}", va="center", fontsize=9)
    ax.text(1, -0.66, f"b1 = {number_text(variant.params['b1'])} (both hidden units), "
            f"b2 = {number_text(variant.params['b2'])} (both outputs), η = {number_text(variant.params['eta'])}",
            ha="center", fontsize=9, color="0.3")
    ax.set(xlim=(-0.3, 2.75), ylim=(-0.7, 1.5))
    ax.set_title(f"2-2-2 sigmoid network: forward values and deltas   (E = {values['E']:.6g})", fontsize=12)
    return figure


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


def minima(variant: Variant | None = None, starts: Sequence[float] | None = None) -> Figure:
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
        label = f"w₀ = {start:g} → {side} minimum ({kind})"
        step_ax.plot(np.arange(len(path)), path, "-", color=colour, lw=1.8, label=label)
    for m in lows:
        step_ax.axhline(m, color="0.7", ls=":", lw=1)
    curve_ax.axvline(peak, color="0.6", ls="--", lw=1)
    curve_ax.annotate("local maximum", (peak, loss(peak)), xytext=(5, 8), textcoords="offset points", color="0.4")
    a, eta = number_text(variant.params["a"]), number_text(variant.params["eta"])
    tilt = variant.params["s"]
    sign = "−" if tilt < 0 else "+"
    curve_ax.set(xlabel="w", ylabel="L(w)",
                 title=f"L(w) = ½(w² − {a})² {sign} {number_text(abs(tilt))}·w, η = {eta}: squares start, stars end")
    step_ax.set(xlabel="step k", ylabel="w_k", title="Where each start ends")
    step_ax.legend(fontsize=8.5, loc="best")
    return figure


# ---------------------------------------------------------------- shared

def figure(kind: str, variant: Variant | None = None) -> Figure:
    """The picture ``kind`` ('descent', 'network' or 'minima') of a variant (default: the seed's numbers)."""
    return {"descent": descent, "network": network, "minima": minima}[kind](variant)


def png_bytes(fig: Figure, dpi: int = 100) -> bytes:
    """The figure as PNG bytes."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=dpi)
    return buffer.getvalue()
