"""Printing a derivation's formulas for people: as typed text and as LaTeX, with or without numbers.

The names are the ones students type (``delta_o1``, ``dE_dw5``); :func:`tex_name` turns them
into mathematics ($\\delta_{o_1}$, $\\partial E/\\partial w_5$). ``values`` substitutes numbers for
names without changing the formula's shape, so a worked line reads
``delta_o1 = o1*(1 - o1)*(o1 - t1) = 0.751365*(1 - 0.751365)*(0.751365 - 0.01)``.

>>> import sympy
>>> o1, t1 = sympy.symbols("o1 t1")
>>> text(o1 * (1 - o1) * (o1 - t1), {"o1": "0.75", "t1": "0.01"})
'0.75*(1 - 0.75)*(0.75 - 0.01)'
>>> tex_name("dE_dw5")
'\\\\frac{\\\\partial E}{\\\\partial w_{5}}'
"""

from __future__ import annotations

from collections.abc import Mapping
from fractions import Fraction
from typing import SupportsFloat

import sympy
from sympy.printing.latex import LatexPrinter
from sympy.printing.str import StrPrinter

from grader.core.variants import decimal_text
from grader.text.latex import tex_name

SIGNIFICANT = 6  # digits shown for values that are not short exact decimals


def number_text(value: SupportsFloat) -> str:
    """A value for people: exact short decimals as they are ('0.15'), else 6 significant digits."""
    if isinstance(value, (Fraction, sympy.Rational)) or (isinstance(value, sympy.Basic) and value.is_Rational):
        exact = decimal_text(sympy.Rational(value))
        if "/" not in exact and len(exact.lstrip("-").replace(".", "").lstrip("0")) <= SIGNIFICANT:
            return exact
    number = float(value)
    if number == 0:
        return "0"
    return f"{number:.{SIGNIFICANT}g}"


def _reordered(terms: list) -> list:
    """A sum's terms with plain positive names first: 'w5 - dE_dw5*eta', not '-dE_dw5*eta + w5'."""
    return [t for t in terms if t.is_Symbol] + [t for t in terms if not t.is_Symbol]


class _Text(StrPrinter):
    """sympy's text form with sums led by plain names and names optionally replaced by numbers."""

    def __init__(self, names: Mapping[str, str]) -> None:
        super().__init__({"order": None})
        self.names = names

    def _as_ordered_terms(self, expr, order=None):
        return _reordered(super()._as_ordered_terms(expr, order=order))

    def _print_Symbol(self, expr) -> str:
        return self.names.get(expr.name, expr.name)


class _Tex(LatexPrinter):
    """sympy's LaTeX with readable names, sigma for the sigmoid, sums led by plain names."""

    def __init__(self, names: Mapping[str, str], numbers: bool) -> None:
        super().__init__({"mul_symbol": "dot" if numbers else None})
        self.names = names

    def _as_ordered_terms(self, expr, order=None):
        return _reordered(super()._as_ordered_terms(expr, order=order))

    def _print_Symbol(self, expr, style="plain") -> str:
        return self.names.get(expr.name) or tex_name(expr.name)

    def _print_sigmoid(self, expr, exp=None) -> str:
        inner = self._print(expr.args[0])
        base = rf"\sigma\left({inner}\right)"
        return f"{base}^{{{exp}}}" if exp else base


def _shown(values: Mapping[str, str] | None) -> dict[str, str]:
    """Numbers as they appear inside a formula: negative ones in parentheses."""
    return {k: f"({v})" if v.startswith("-") else v for k, v in (values or {}).items()}


def _unwrap(printed: str, shown: Mapping[str, str], brackets: str) -> str:
    """Drop doubled parentheses around a negative number that is a function's argument."""
    for number in {v for v in shown.values() if v.startswith("(")}:
        printed = printed.replace(brackets.format(number), brackets.format(number[1:-1]))
    return printed


def text(formula: sympy.Expr, values: Mapping[str, str] | None = None) -> str:
    """The formula as text a student could type; ``values`` replaces names by numbers."""
    shown = _shown(values)
    printed = _Text(shown).doprint(formula).replace("**", "^")
    return _unwrap(printed, shown, "({})")


def tex(formula: sympy.Expr, values: Mapping[str, str] | None = None) -> str:
    """The formula in LaTeX (no surrounding dollars); ``values`` replaces names by numbers."""
    shown = _shown(values)
    printed = _Tex(shown, numbers=bool(values)).doprint(formula)
    return _unwrap(printed, shown, r"\left({}\right)")


def structural(formula: sympy.Expr, params: Mapping[str, sympy.Rational]) -> sympy.Expr:
    """The formula with the parameters that pick its structure substituted (Piecewise conditions).

    A family such as chain_rule writes one Piecewise over (outer, inner); for one variant
    only its own branch is worth showing.
    """
    choosers = set()
    for piecewise in formula.atoms(sympy.Piecewise):
        for _, condition in piecewise.args:
            choosers |= {str(s) for s in getattr(condition, "free_symbols", ())}
    if not choosers:
        return formula
    return formula.subs({sympy.Symbol(n): params[n] for n in choosers if n in params})


def has_sigmoid(formula: sympy.Expr) -> bool:
    """Whether the formula uses the sigmoid."""
    return any(type(f).__name__ == "sigmoid" for f in formula.atoms(sympy.Function))
