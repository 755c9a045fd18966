"""A picture of a declared network with one variant's values, read off the family's derivation.

Units are the quantities defined as an activation of one name (``h1 = tanh(h1_in)``, softmax
outputs, ``y = linear(y_in)``); an edge is a term ``weight * source`` of a unit's input, the weight being the factor
that has a gradient ``dE_d<weight>``. Layers follow from the edges. Returns a
:class:`matplotlib.figure.Figure` built without pyplot.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import sympy
from matplotlib.figure import Figure
from matplotlib.patches import Circle

from grader.core.evaluate import exact_quantities
from grader.core.family import Derivation
from grader.core.variants import Variant
from grader.declared.functions import relu, softmax, tanh
from grader.maths.sigmoid import sigmoid

RADIUS = 0.13


@dataclass(frozen=True)
class Graph:
    """Units (name: its input), inputs, edges (weight, source, unit) and each node's layer."""

    units: dict[str, str]
    inputs: tuple[str, ...]
    edges: tuple[tuple[str, str, str], ...]
    layers: dict[str, int]


class NoNetwork(ValueError):
    """The family has no units joined by weights (for example a model with one linear unit)."""


def graph(derivation: Derivation) -> Graph:
    """The network of a derivation (see the module docstring); raises :class:`NoNetwork`."""
    formulas = {str(q): f for q, f in derivation.quantities}
    units: dict[str, str] = {}
    for name, formula in formulas.items():
        if isinstance(formula, sigmoid | tanh | relu) and formula.args[0].is_Symbol:
            units[name] = str(formula.args[0])
        elif isinstance(formula, softmax):
            units[name] = str(formula.args[int(formula.args[0])])
        elif formula.is_Symbol and {name, str(formula)} <= derivation.forward:  # y = linear(y_in)
            units[name] = str(formula)
    edges = []
    for unit, z in units.items():
        for term in sympy.Add.make_args(formulas.get(z, sympy.Integer(0))):
            factors = [str(s) for s in term.free_symbols]
            weights = [s for s in factors if f"dE_d{s}" in formulas]
            if len(factors) == 2 and len(weights) >= 1 and term == sympy.Mul(*map(sympy.Symbol, factors)):
                weight = weights[0] if len(weights) == 1 or weights[1] in units else weights[1]
                edges.append((weight, next(s for s in factors if s != weight), unit))
    if not edges:
        raise NoNetwork("no units joined by weights")
    inputs = tuple(dict.fromkeys(s for _, s, _ in edges if s not in units))
    layers = {i: 0 for i in inputs}

    def layer(node: str) -> int:
        if node not in layers:
            layers[node] = 1 + max((layer(s) for _, s, u in edges if u == node), default=0)
        return layers[node]

    for unit in units:
        layer(unit)
    return Graph(units, inputs, tuple(edges), layers)


def _positions(g: Graph) -> dict[str, tuple[float, float]]:
    columns: dict[int, list[str]] = {}
    for node, layer in g.layers.items():
        columns.setdefault(layer, []).append(node)
    return {node: (1.7 * layer, (len(nodes) - 1) / 2 - i)
            for layer, nodes in columns.items() for i, node in enumerate(nodes)}


def network(variant: Variant) -> Figure:
    """The variant's network: weights and their gradients on the edges, values and deltas at the nodes."""
    derivation = variant.family.derivation()
    g = graph(derivation)
    values = {**{k: float(v) for k, v in variant.params.items()},
              **{k: float(v) for k, v in exact_quantities(derivation, variant.params).items()}}
    where = _positions(g)
    height = max(len([n for n in g.layers if g.layers[n] == k]) for k in set(g.layers.values()))
    figure = Figure(figsize=(4.2 * (max(g.layers.values()) + 1), 2.4 * max(height, 2)), layout="constrained")
    ax = figure.subplots()
    ax.set_aspect("equal")
    ax.axis("off")
    sources = list(dict.fromkeys(s for _, s, _ in g.edges))
    for weight, source, unit in g.edges:
        (x0, y0), (x1, y1) = where[source], where[unit]
        ax.annotate("", (x1, y1), (x0, y0), arrowprops={"arrowstyle": "-|>", "color": "0.5", "lw": 1,
                                                        "shrinkA": 16, "shrinkB": 16})
        share = 0.5 + 0.2 * (sources.index(source) % 2)  # near the unit; two sources of one unit apart
        ax.text(x0 + share * (x1 - x0), y0 + share * (y1 - y0),
                f"{weight} = {values[weight]:.4g}\n∂E/∂{weight} = {values['dE_d' + weight]:.3g}",
                ha="center", va="center", fontsize=7.5, bbox={"boxstyle": "round,pad=0.15", "fc": "white",
                                                                "ec": "0.85"})
    for node, (x, y) in where.items():
        colour = "#ddf4ff" if node in g.inputs else "#fff8c5" if node in g.units and node not in _outputs(g) \
            else "#ffebe9"
        ax.add_patch(Circle((x, y), RADIUS, facecolor=colour, edgecolor="0.25", lw=1.3, zorder=3))
        ax.text(x, y, node, ha="center", va="center", fontsize=10, weight="bold", zorder=4)
        ax.text(x, y - RADIUS - 0.05, _label(node, g, values), ha="center", va="top", fontsize=8,
                family="monospace")
    xs, ys = zip(*where.values(), strict=True)
    ax.set(xlim=(min(xs) - 0.4, max(xs) + 0.4), ylim=(min(ys) - 0.7, max(ys) + 0.3))
    title = f"{variant.family.name}: forward values and deltas"
    if "E" in values and np.isfinite(values["E"]):
        title += f"   (E = {values['E']:.6g})"
    ax.set_title(title, fontsize=11)
    return figure


def _outputs(g: Graph) -> set[str]:
    return {u for u in g.units if not any(s == u for _, s, _ in g.edges)}


def _label(node: str, g: Graph, values: dict[str, float]) -> str:
    if node not in g.units:
        return f"{values[node]:.4g}"
    z = g.units[node]
    delta = values.get(f"delta_{z.removesuffix('_in')}")
    text = f"in  = {values[z]:.4g}\nout = {values[node]:.4g}"
    return text + (f"\nδ   = {delta:.4g}" if delta is not None else "")
