"""A table of student formulas for the symbolic answers, each marked equivalent or not.

Hand-written rows come from the families' own formulas as students write them; generated rows
rewrite each key with sympy (expanded, factored, sign flipped, perturbed). The grader's test and
the grading benchmark both use this table.
"""

from __future__ import annotations

import sympy

from grader.core.variants import canonical
from grader.families import FAMILIES

FULL_O1 = "sigmoid(w5*sigmoid(w1*i1 + w2*i2 + b1) + w6*sigmoid(w3*i1 + w4*i2 + b1) + b2)"
FULL_H1 = "sigmoid(w1*i1 + w2*i2 + b1)"

HAND_WRITTEN: list[tuple[str, str, str, bool]] = [
    # gd_linear: dE/dw = x (w x - t)
    ("gd_linear", "dE_dw_expr", "x*(w*x - t)", True),
    ("gd_linear", "dE_dw_expr", "x(wx-t)", True),
    ("gd_linear", "dE_dw_expr", "w*x^2 - t*x", True),
    ("gd_linear", "dE_dw_expr", "x*w*x - x*t", True),
    ("gd_linear", "dE_dw_expr", "(w x - t) x", True),
    ("gd_linear", "dE_dw_expr", "x**2*w - x*t", True),
    ("gd_linear", "dE_dw_expr", "-x*(t - w*x)", True),
    ("gd_linear", "dE_dw_expr", "2*x*(w*x - t)/2", True),
    ("gd_linear", "dE_dw_expr", "x*(w*x + t)", False),
    ("gd_linear", "dE_dw_expr", "w*x - t", False),
    ("gd_linear", "dE_dw_expr", "x*(t - w*x)", False),
    ("gd_linear", "dE_dw_expr", "2*x*(w*x - t)", False),
    ("gd_linear", "dE_dw_expr", "x*(w*x - t)^2", False),
    ("gd_linear", "dE_dw_expr", "(w*x - t)^2/2", False),
    ("gd_linear", "dE_dw_expr", "w*(w*x - t)", False),
    ("gd_linear", "dE_dw_expr", "x*w*x - t", False),
    # backprop_222: delta_o1 = (o1 - t1) o1 (1 - o1)
    ("backprop_222", "delta_o1_expr", "(o1 - t1)*o1*(1 - o1)", True),
    ("backprop_222", "delta_o1_expr", "o1*(1-o1)*(o1-t1)", True),
    ("backprop_222", "delta_o1_expr", "(o1-t1)*(o1-o1^2)", True),
    ("backprop_222", "delta_o1_expr", "(o1 - t1) o1 (1 - o1)", True),
    ("backprop_222", "delta_o1_expr", "-(t1 - o1)*o1*(1 - o1)", True),
    ("backprop_222", "delta_o1_expr", "(o1 - t1)*σ(o1_in)*(1 - σ(o1_in))", True),
    ("backprop_222", "delta_o1_expr", "(o1 - t1)*sigmoid(o1_in)*(1 - sigmoid(o1_in))", True),
    ("backprop_222", "delta_o1_expr", f"({FULL_O1} - t1)*{FULL_O1}*(1 - {FULL_O1})", True),
    ("backprop_222", "delta_o1_expr", "o1^2 - o1^3 - t1*o1 + t1*o1^2", True),
    ("backprop_222", "delta_o1_expr", "o1 - t1", False),
    ("backprop_222", "delta_o1_expr", "(t1 - o1)*o1*(1 - o1)", False),
    ("backprop_222", "delta_o1_expr", "(o1 - t1)*o1*(1 + o1)", False),
    ("backprop_222", "delta_o1_expr", "(o1 - t1)*o1", False),
    ("backprop_222", "delta_o1_expr", "(o1 - t1)*(1 - o1)", False),
    ("backprop_222", "delta_o1_expr", "(o1 - t2)*o1*(1 - o1)", False),
    ("backprop_222", "delta_o1_expr", "(o2 - t1)*o2*(1 - o2)", False),
    ("backprop_222", "delta_o1_expr", "(o1 - t1)*h1*(1 - h1)", False),
    ("backprop_222", "delta_o1_expr", f"({FULL_O1} - t1)", False),
    # delta_h1 = (delta_o1 w5 + delta_o2 w7) h1 (1 - h1)
    ("backprop_222", "delta_h1_expr", "(delta_o1*w5 + delta_o2*w7)*h1*(1 - h1)", True),
    ("backprop_222", "delta_h1_expr", "h1*(1-h1)*(δ_o1 w5 + δ_o2 w7)", True),
    ("backprop_222", "delta_h1_expr", "(δo1*w5 + δo2*w7)*h1*(1 - h1)", True),
    ("backprop_222", "delta_h1_expr", "(delta_{o1}*w_5 + delta_{o2}*w_7)*h_1*(1 - h_1)", True),
    ("backprop_222", "delta_h1_expr",
     "((o1-t1)*o1*(1-o1)*w5 + (o2-t2)*o2*(1-o2)*w7)*h1*(1-h1)", True),
    ("backprop_222", "delta_h1_expr", f"(delta_o1*w5 + delta_o2*w7)*{FULL_H1}*(1 - {FULL_H1})", True),
    ("backprop_222", "delta_h1_expr", "delta_o1*w5*h1 - delta_o1*w5*h1^2 + delta_o2*w7*h1*(1-h1)", True),
    ("backprop_222", "delta_h1_expr", "(delta_o1*w5 + delta_o2*w6)*h1*(1 - h1)", False),
    ("backprop_222", "delta_h1_expr", "(delta_o1*w5 + delta_o2*w7)", False),
    ("backprop_222", "delta_h1_expr", "(delta_o1*w5 + delta_o2*w8)*h1*(1 - h1)", False),
    ("backprop_222", "delta_h1_expr", "(delta_o1*w6 + delta_o2*w8)*h2*(1 - h2)", False),
    ("backprop_222", "delta_h1_expr", "(delta_o1*w5 - delta_o2*w7)*h1*(1 - h1)", False),
    ("backprop_222", "delta_h1_expr", "delta_o1*w5*h1*(1 - h1)", False),
    ("backprop_222", "delta_h1_expr", "(delta_o1*w5 + delta_o2*w7)*o1*(1 - o1)", False),
    # dE/dw5 = delta_o1 h1, dE/dw1 = delta_h1 i1
    ("backprop_222", "dE_dw5_expr", "delta_o1*h1", True),
    ("backprop_222", "dE_dw5_expr", "h1 δ_o1", True),
    ("backprop_222", "dE_dw5_expr", "(o1 - t1)*o1*(1 - o1)*h1", True),
    ("backprop_222", "dE_dw5_expr", f"(o1 - t1)*o1*(1 - o1)*{FULL_H1}", True),
    ("backprop_222", "dE_dw5_expr", "delta_o1*h2", False),
    ("backprop_222", "dE_dw5_expr", "delta_o1*i1", False),
    ("backprop_222", "dE_dw5_expr", "delta_o2*h1", False),
    ("backprop_222", "dE_dw5_expr", "(o1 - t1)*h1", False),
    ("backprop_222", "dE_dw5_expr", "-delta_o1*h1", False),
    ("backprop_222", "dE_dw1_expr", "delta_h1*i1", True),
    ("backprop_222", "dE_dw1_expr", "i_1*δ_h1", True),
    ("backprop_222", "dE_dw1_expr", "(delta_o1*w5 + delta_o2*w7)*h1*(1 - h1)*i1", True),
    ("backprop_222", "dE_dw1_expr", "delta_h1*i2", False),
    ("backprop_222", "dE_dw1_expr", "delta_o1*i1", False),
    ("backprop_222", "dE_dw1_expr", "delta_h2*i1", False),
    ("backprop_222", "dE_dw1_expr", "(delta_o1*w5 + delta_o2*w7)*i1", False),
]


def generated_cases() -> list[tuple[str, str, str, bool]]:
    """Rewrites of every family's symbolic keys (canonical variant): five equivalent, five not.

    The equivalent ones include the key with sigma written out as 1/(1 + exp(-z)).
    """
    cases = []
    for name, family in sorted(FAMILIES.items()):
        v = canonical(family)
        derivation = family.derivation()
        for answer_id, symbolic in derivation.symbolic.items():
            key = symbolic.for_variant(v.params)
            anchor = sympy.Symbol(sorted(str(s) for s in key.free_symbols)[0])
            rewrites = (key, sympy.expand(key), sympy.factor(key), key.rewrite(sympy.exp), sympy.together(key))
            for rewrite in rewrites:
                cases.append((name, answer_id, _text(rewrite), True))
            for rewrite in (2 * key, -key, key + 1, key * anchor, key.xreplace({anchor: anchor + 1})):
                cases.append((name, answer_id, _text(rewrite), False))
    return cases


def _text(expr: sympy.Expr) -> str:
    """A formula as a student would type it (sympy's printing uses ** and *)."""
    return str(expr)


CASES = HAND_WRITTEN + generated_cases()
