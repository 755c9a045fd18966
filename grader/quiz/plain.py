"""Markdown with LaTeX as plain Unicode text, for a terminal: ``$h_{1,\\mathrm{in}}$`` reads ``h₁,ᵢₙ``.

Formulas (``$...$`` and ``$$...$$``) go through pylatexenc's LaTeX-to-text converter, with
fractions written ``a/b`` (parenthesised when needed) and sub- and superscripts turned into
Unicode small characters where every character has one (else ``_(...)``, ``^(...)``).
Markdown emphasis and code marks are dropped; list markers and line breaks stay.

>>> to_text(r"**Loss.** $E = \\tfrac12 (a^{(3)} - y)^2$ at $x_0 = 1$")
'Loss. E = 1/2 (a⁽³⁾ - y)² at x₀ = 1'
"""

from __future__ import annotations

import re
from functools import cache

from pylatexenc.latex2text import LatexNodes2Text, MacroTextSpec, get_default_latex_context_db
from pylatexenc.latexwalker import LatexWalker
from pylatexenc.latexwalker import get_default_latex_context_db as walker_db
from pylatexenc.macrospec import std_macro

SUB = dict(zip("0123456789+-=()aehijklmnoprstuvx", "₀₁₂₃₄₅₆₇₈₉₊₋₌₍₎ₐₑₕᵢⱼₖₗₘₙₒₚᵣₛₜᵤᵥₓ", strict=True))
SUP = dict(zip("0123456789+-=()abcdefghijklmnoprstuvwxyz", "⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻⁼⁽⁾ᵃᵇᶜᵈᵉᶠᵍʰⁱʲᵏˡᵐⁿᵒᵖʳˢᵗᵘᵛʷˣʸᶻ", strict=True))
SPACED = {"leftarrow": "←", "rightarrow": "→", "to": "→", "approx": "≈", "le": "≤", "ge": "≥", "leq": "≤",
          "geq": "≥", "ne": "≠", "neq": "≠", "cdot": "·", "times": "×", "qquad": "", "quad": ""}

FUNCTIONS = ("ln", "log", "exp", "tanh", "sin", "cos")

_MATH = re.compile(r"\$\$(.+?)\$\$|\$(.+?)\$", re.S)
_SCRIPT = re.compile(r"([_^])(\{([^{}]*)\}|([A-Za-z0-9]))")
_ROMAN = re.compile(r"\\(?:mathrm|text|mathit|operatorname)\{([^{}]*)\}")
_BOLD = re.compile(r"\*\*(.+?)\*\*|__(.+?)__", re.S)
_CODE = re.compile(r"`([^`]*)`")


def _fraction(node, l2tobj) -> str:
    parts = [l2tobj.nodelist_to_text([arg]).strip().replace("∂ ", "∂") for arg in node.nodeargd.argnlist[-2:]]
    shown = [p if re.fullmatch(r"[\w.∂′']+", p) else f"({p})" for p in parts]
    return "/".join(shown)


@cache
def _converter() -> tuple[LatexNodes2Text, object]:
    walker = walker_db()
    walker.add_context_category("gdbp", prepend=True, macros=[std_macro(n, False, 2) for n in ("dfrac", "tfrac")])
    texts = get_default_latex_context_db()
    texts.add_context_category("gdbp", prepend=True, macros=[
        *(MacroTextSpec(name, simplify_repl=_fraction) for name in ("frac", "dfrac", "tfrac")),
        *(MacroTextSpec(name, simplify_repl=f" {sign} " if sign else "  ") for name, sign in SPACED.items()),
        MacroTextSpec(",", simplify_repl=" "),
        *(MacroTextSpec(name, simplify_repl=f"{name} ") for name in FUNCTIONS),
    ])
    return LatexNodes2Text(latex_context=texts, math_mode="text", strict_latex_spaces=False), walker


def _script(match: re.Match) -> str:
    kind, body = match[1], match[3] if match[3] is not None else match[4]
    table = SUB if kind == "_" else SUP
    if body and all(c in table or c in ", " or c in table.values() for c in body):
        # '{}' ends a macro name before it: '\\delta{}ₒ₁', not the unknown macro '\\deltaₒ₁'
        glue = "{}" if re.search(r"\\[A-Za-z]+$", match.string[: match.start()]) else ""
        return glue + "".join(table.get(c, c) for c in body)
    return f"{kind}({body})" if len(body) > 1 else f"{kind}{body}"


def math_text(latex: str) -> str:
    """One LaTeX formula (without dollars) as Unicode text."""
    latex = _ROMAN.sub(lambda m: ("{}" if m.start() and latex[m.start() - 1].isalpha() else "") + m[1], latex)
    latex = re.sub(r"\\tfrac\s*(\d)\s*(\d)", r"\\tfrac{\1}{\2}", latex)
    previous = None
    while previous != latex:  # innermost scripts first, so nested ones read too
        previous, latex = latex, _SCRIPT.sub(_script, latex)
    latex = re.sub(r"(\\[A-Za-z]+) ", r"\1{} ", latex)  # keep the space after a macro such as \eta
    converter, walker = _converter()
    nodes = LatexWalker(latex, latex_context=walker, tolerant_parsing=True).get_latex_nodes()[0]
    text = converter.nodelist_to_text(nodes)
    text = re.sub(r"\b({}) \(".format("|".join(FUNCTIONS)), r"\1(", text)
    text = re.sub(r"([∂Δ]) (?=\w)", r"\1", text)  # ∂E, Δw
    return re.sub(r" {2,}", " ", text).strip()


def to_text(markdown: str) -> str:
    """Markdown with ``$`` formulas as readable Unicode text (formulas converted, emphasis dropped)."""
    def formula(match: re.Match) -> str:
        return math_text(match[1] if match[1] is not None else match[2])

    text = _MATH.sub(formula, markdown)
    text = _BOLD.sub(lambda m: m[1] or m[2], text)
    return _CODE.sub(r"\1", text)
