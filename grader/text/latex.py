"""How quantities are named in LaTeX, once for the reports, the quiz and the notebooks."""

from __future__ import annotations

import re
from functools import cache

GREEK = {"alpha", "beta", "gamma", "delta", "epsilon", "eta", "theta", "lambda", "mu", "sigma", "tau", "phi"}


@cache
def tex_name(name: str) -> str:
    r"""A quantity's name in LaTeX: ``h1_in`` -> ``h_{1,\mathrm{in}}``, ``dE_dw5`` -> a partial.

    >>> tex_name("delta_o1"), tex_name("w5_new"), tex_name("delta_w")
    ('\\delta_{o_{1}}', 'w_{5}^{\\mathrm{new}}', '\\Delta w')
    """
    if name.endswith("_value"):
        return tex_name(name[: -len("_value")])
    if name.endswith("_expr"):
        return tex_name(name[: -len("_expr")])
    if name.endswith("_new"):
        return f"{tex_name(name[:-4])}^{{\\mathrm{{new}}}}"
    if name == "delta_w":  # a change of the weight, Δw, not an error term δ = ∂E/∂z
        return r"\Delta w"
    if name.endswith("_in") and re.fullmatch(r"[A-Za-z]\d+_in", name):
        return f"{name[0]}_{{{name[1:-3]},\\mathrm{{in}}}}"
    derivative = re.fullmatch(r"d([A-Za-z][A-Za-z0-9]*)_d([A-Za-z]\w*)", name)
    if derivative and derivative.group(1) not in GREEK and not name.startswith("delta"):
        top, bottom = derivative.groups()
        return rf"\frac{{\partial {tex_name(top)}}}{{\partial {tex_name(bottom)}}}"
    if "_" in name:
        base, sub = name.split("_", 1)
        return f"{tex_name(base)}_{{{tex_name(sub)}}}"
    match = re.fullmatch(r"([A-Za-z]+)(\d+)", name)
    if match:
        return f"{tex_name(match.group(1))}_{{{match.group(2)}}}"
    if name in GREEK:
        return f"\\{name}"
    if len(name) == 1 or name.isdigit():
        return name
    return rf"\mathrm{{{name}}}"
