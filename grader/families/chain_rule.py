"""The chain rule h'(x) = f'(g(x)) g'(x) on a random composition (seed 001).

h(x) = f(g(x)) with g(x) = p(a x + b): an affine map, an inner function p (or none, for a
two-layer composition g(x) = a x + b) and an outer function f. The structure is encoded
by two integer parameters, ``outer`` (an index into OUTER) and ``inner`` (into INNER),
and every structure is derived once with :func:`backpropagate`; the quantities are sympy
Piecewise formulas over the structure, so a whole roster evaluates in one numpy batch.

Conditioning rules for random variants (tested in tests/test_chain_rule.py):
- (outer, inner) is drawn uniformly from STRUCTURES: f is sigmoid, tanh, log, square, cube
  or 1/g (not exp, whose f'(g) would equal h), p is none, sigmoid, tanh, exp, log, square,
  cube or 1/u, except the pairs that collapse to fewer layers or to one elementary
  function: log(exp u), a power of a power, the log of a power, a power of exp;
- a is a multiple of 0.1 with 0.2 <= |a| <= 2, b a multiple of 0.1 in [-2, 2], the point
  x0 a multiple of 0.5 in [-2, 2];
- every function is used well inside its domain: log only of arguments >= 0.2, 1/. only of
  arguments with |.| >= 0.2, exp of arguments <= 2.5, the cube of arguments in [-2, 2];
  ``draw`` checks this (exactly for u = a x0 + b, in floating point for g) and redraws
  a, b, x0 for the same structure, so no structure is much rarer than another;
- every numeric answer has 0.01 <= |value| <= 50 (so |h'(x0)| >= 0.01 and nothing
  overflows or rounds to zero), and the numeric answers differ pairwise by more than 1 %
  of the larger one;
- every named mistake of grader.core.mistakes (except rounding) and every neighbouring answer is
  at least 2 % from the key, e.g. f' evaluated at x0 instead of g(x0), the inner
  derivative g' left out, sigma left out (version 2).

Of the rules, only ``activation_derivative`` changes this model (there is no loss and no
update): with it off, sigma' is dropped from the chain as a student might forget it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from fractions import Fraction
from typing import TypeVar

import numpy as np
import sympy

from grader.core.conditioning import distinct
from grader.core.family import Answer, Derivation, Family, Gradient, Slip, Symbolic
from grader.core.model import Rules, backpropagate, expand
from grader.core.rng import Draws, decimal_grid
from grader.core.statement import fill, precision
from grader.core.variants import decimal_text
from grader.maths.sigmoid import sigmoid, sigmoid_float

S = sympy.Symbol
FUNCTIONS: dict[str, Callable[[sympy.Expr], sympy.Expr]] = {
    "affine": lambda z: z,
    "sigmoid": sigmoid,
    "tanh": sympy.tanh,
    "exp": sympy.exp,
    "log": sympy.log,
    "square": lambda z: z**2,
    "cube": lambda z: z**3,
    "reciprocal": lambda z: 1 / z,
}
OUTER = ("sigmoid", "tanh", "log", "square", "cube", "reciprocal")  # not exp: f'(g) = h
INNER = ("affine", "sigmoid", "tanh", "exp", "log", "square", "cube", "reciprocal")
POWERS = {"square", "cube", "reciprocal"}


def degenerate(outer: str, inner: str) -> bool:
    """True for compositions that collapse: exp(log u), log(exp u), (u^m)^n, log(u^n), (e^u)^n."""
    return (
        {outer, inner} == {"exp", "log"}
        or (outer in POWERS and inner in POWERS)
        or (outer == "log" and inner in POWERS)
        or (outer in POWERS and inner == "exp")
    )


STRUCTURES = tuple(
    (o, i) for o in range(len(OUTER)) for i in range(len(INNER)) if not degenerate(OUTER[o], INNER[i])
)
PARAMS = ("outer", "inner", "a", "b", "x0")
outer, inner, a, b, x0, x = sympy.symbols("outer inner a b x0 x")
u, g, h = S("u"), S("g_value"), S("h_value")
df_dg, dg_dx, dh_dx = S("df_dg_value"), S("dg_dx_value"), S("dh_dx_value")


def model(o: int, i: int) -> list[tuple[sympy.Symbol, sympy.Expr]]:
    """u = a x + b, g = p(u), h = f(g) for one structure (outer index o, inner index i)."""
    return [(u, a * x + b), (g, FUNCTIONS[INNER[i]](u)), (h, FUNCTIONS[OUTER[o]](g))]


def derive_structure(o: int, i: int, rules: Rules) -> dict[str, sympy.Expr]:
    """Every quantity of one structure as a local formula, and h'(x) expanded in x.

    g'(x) comes from backpropagation through u = a x + b and g = p(u); h'(x) from
    backpropagation through h = f(G(x)) with G an opaque function whose derivative is then
    named g'(x), so that it reads as the seed's chain rule h'(x) = f'(g(x)) g'(x).
    """
    steps = model(o, i)
    dg = backpropagate(steps[:2], g, {x: dg_dx}, rules)[dg_dx]
    opaque = sympy.Function("G")(x)
    outer_steps = [(g, opaque), steps[2]]
    adjoints = backpropagate(outer_steps, h, {g: df_dg, x: dh_dx}, rules)
    # the one derivative of G left in the chain (folded to d g_value/dx) is g'(x) by name
    chained = adjoints[dh_dx].xreplace({d: dg_dx for d in adjoints[dh_dx].atoms(sympy.Derivative)})
    derivative = expand(chained, [*steps, (dg_dx, dg), (df_dg, adjoints[df_dg])])
    at_x0 = {x: x0}
    return {
        "u": steps[0][1].xreplace(at_x0),
        "g_value": steps[1][1],
        "h_value": steps[2][1],
        "dg_dx_value": dg.xreplace(at_x0),
        "df_dg_value": adjoints[df_dg],
        "dh_dx_value": chained,
        "dh_dx_expr": derivative,
    }


class shielded(sympy.Function):  # noqa: N801 - sympy functions are lower case by convention
    """shielded(s, condition) is s where the condition holds and 1 elsewhere.

    sympy cannot push an operation into it (as it does into a Piecewise), so numpy computes
    1/s or log(s) only from shielded values; with the condition decided it is s itself.
    """

    nargs = 2

    @classmethod
    def eval(cls, value, condition):
        if condition == sympy.true:
            return value
        if condition == sympy.false:
            return sympy.Integer(1)
        return None

    def _numpycode(self, printer) -> str:
        value, condition = self.args
        return printer._print(sympy.Piecewise((value, condition), (1, True)))


def select(cases: Mapping[tuple[int, int], sympy.Expr], guard: bool) -> sympy.Expr:
    """One Piecewise over the structure index from one formula per structure.

    Structures with the same formula share a branch. numpy evaluates every branch for the
    whole batch, so with ``guard`` each branch sees its symbols only in its own variants
    (elsewhere 1, where every formula here is finite): no log of a negative, no overflow.
    """
    groups: dict[sympy.Expr, list[tuple[int, int]]] = {}
    for structure, formula in cases.items():
        groups.setdefault(formula, []).append(structure)
    if len(groups) == 1:
        return next(iter(groups))
    branches = []
    for formula, structures in groups.items():
        condition = _condition(structures)
        if guard:
            names = formula.free_symbols - {outer, inner}
            formula = formula.xreplace({s: shielded(s, condition) for s in names})
        branches.append((formula, condition))
    return sympy.Piecewise(*branches)


def _condition(structures: list[tuple[int, int]]) -> sympy.Basic:
    """The condition on (outer, inner) that holds exactly for these structures."""
    outers = sorted({o for o, _ in structures})
    if set(structures) == {s for s in STRUCTURES if s[0] in outers}:
        return sympy.Or(*(sympy.Eq(outer, o) for o in outers))
    inners = sorted({i for _, i in structures})
    if set(structures) == {s for s in STRUCTURES if s[1] in inners}:
        return sympy.Or(*(sympy.Eq(inner, i) for i in inners))
    return sympy.Or(*(sympy.And(sympy.Eq(outer, o), sympy.Eq(inner, i)) for o, i in structures))


QUANTITIES = ("u", "g_value", "dg_dx_value", "h_value", "df_dg_value", "dh_dx_value")


def derive(rules: Rules) -> Derivation:
    """Derive every structure once; each quantity is a Piecewise over (outer, inner)."""
    derived = {s: derive_structure(*s, rules) for s in STRUCTURES}
    quantities = tuple(
        (S(q), select({s: d[q] for s, d in derived.items()}, guard=True)) for q in QUANTITIES
    )
    expression = select({s: d["dh_dx_expr"] for s, d in derived.items()}, guard=False)
    return Derivation(
        quantities=quantities,
        forward=frozenset({"u", "g_value", "h_value"}),
        symbolic={"dh_dx_expr": Symbolic(expression, ("x",), near=(("x", "x0"),))},
        definitions=quantities,
    )


DOMAIN_TRIES = 20
Number = TypeVar("Number", float, Fraction)  # a drawn coefficient (exact) or a function's value (float)
A_GRID = tuple(v for v in decimal_grid("-2", "2", "0.1") if abs(v) >= Fraction(1, 5))


_z = sympy.Symbol("z")
FLOAT = {  # each function of the table in plain floating point, for the domain checks of draw
    name: sympy.lambdify(_z, function(_z), modules=[{"sigmoid": sigmoid_float}, "math"])
    for name, function in FUNCTIONS.items()
}


def in_domain(name: str, argument: Number) -> bool:
    """True when ``name`` is used well inside its domain (the rules of the module docstring)."""
    if name == "log":
        return argument >= 0.2
    if name == "reciprocal":
        return abs(argument) >= 0.2
    if name == "exp":
        return argument <= 2.5
    if name == "cube":
        return abs(argument) <= 2
    return True


def draw(rng: Draws) -> dict[str, Fraction] | None:
    """Propose a structure, then coefficients until every function stays inside its domain.

    Redrawing the coefficients (not the structure) keeps the structures about equally
    likely; None if DOMAIN_TRIES proposals all leave the domain.
    """
    o, i = rng.choice(STRUCTURES)
    for _ in range(DOMAIN_TRIES):
        params = {
            "outer": Fraction(o),
            "inner": Fraction(i),
            "a": rng.choice(A_GRID),
            "b": rng.decimal("-2", "2", "0.1"),
            "x0": rng.decimal("-2", "2", "0.5"),
        }
        argument = params["a"] * params["x0"] + params["b"]
        if in_domain(INNER[i], argument) and in_domain(OUTER[o], FLOAT[INNER[i]](argument)):
            return params
    return None


def conditions(values: Mapping[str, np.ndarray]) -> np.ndarray:
    """Every answer between 0.01 and 50 in size; answers pairwise distinct by more than 1 %."""
    columns = [values[q] for q in NUMERIC]
    ok = np.ones_like(values["a"], dtype=bool)
    for column in columns:
        ok &= (np.abs(column) >= 0.01) & (np.abs(column) <= 50)
    return ok & distinct(columns)


NUMERIC = ("g_value", "dg_dx_value", "df_dg_value", "h_value", "dh_dx_value")
ANSWERS = (
    Answer("g_value", "numeric", 1, "inner function"),
    Answer("dg_dx_value", "numeric", 1, "inner function"),
    Answer("df_dg_value", "numeric", 1, "outer function"),
    Answer("h_value", "numeric", 1, "composition"),
    Answer("dh_dx_value", "numeric", 1, "chain rule"),
    Answer("dh_dx_expr", "symbolic", 2, "chain rule"),
)

TEX = {
    "affine": "{}",
    "sigmoid": r"\sigma\left({}\right)",
    "tanh": r"\tanh\left({}\right)",
    "exp": "e^{{{}}}",
    "log": r"\ln\left({}\right)",
    "square": r"\left({}\right)^2",
    "cube": r"\left({}\right)^3",
    "reciprocal": r"\dfrac{{1}}{{{}}}",
}


def affine_tex(a_value: sympy.Rational, b_value: sympy.Rational, variable: str = "x") -> str:
    """LaTeX of a x + b with exact decimals: '0.5x - 1.2', '-x + 2', 'x'."""
    coefficient = {1: "", -1: "-"}.get(a_value, decimal_text(a_value))
    text = f"{coefficient}{variable}"
    if b_value:
        text += f" {'-' if b_value < 0 else '+'} {decimal_text(abs(b_value))}"
    return text


def formulas(params: Mapping[str, sympy.Rational]) -> tuple[str, str, str]:
    """LaTeX of g(x), f(g) and h(x) for a variant."""
    f_name, p_name = OUTER[int(params["outer"])], INNER[int(params["inner"])]
    g_tex = TEX[p_name].format(affine_tex(params["a"], params["b"]))
    f_tex = TEX[f_name].format("g")
    return g_tex, f_tex, TEX[f_name].format(g_tex)


TEXT = {
    "en": r"""**The chain rule.** Let $h(x) = f(g(x))$ with

$$g(x) = {g_tex},\qquad f(g) = {f_tex},\qquad\text{{so}}\qquad h(x) = {h_tex},$$

where $\sigma(z) = 1/(1 + e^{{-z}})$ and $\ln$ is the natural logarithm. By the chain rule
$h'(x) = f'(g(x))\,g'(x)$. At the point $x_0 = {x0}$ give:

1. `g_value` $= g(x_0)$ and `dg_dx_value` $= g'(x_0)$;
2. `df_dg_value` $= f'(g(x_0))$, the derivative of the outer function at $g(x_0)$;
3. `h_value` $= h(x_0)$ and `dh_dx_value` $= h'(x_0)$;
4. `dh_dx_expr`: $h'(x)$ as a formula in $x$ (write `sigmoid(z)` for $\sigma(z)$
   and `log(z)` for $\ln z$).
""",
    "zh": r"""**链式法则。** 设 $h(x) = f(g(x))$,其中

$$g(x) = {g_tex},\qquad f(g) = {f_tex},\qquad\text{{即}}\qquad h(x) = {h_tex},$$

$\sigma(z) = 1/(1 + e^{{-z}})$,$\ln$ 为自然对数。由链式法则 $h'(x) = f'(g(x))\,g'(x)$。
在 $x_0 = {x0}$ 处求:

1. `g_value` $= g(x_0)$ 与 `dg_dx_value` $= g'(x_0)$;
2. `df_dg_value` $= f'(g(x_0))$,即外层函数在 $g(x_0)$ 处的导数;
3. `h_value` $= h(x_0)$ 与 `dh_dx_value` $= h'(x_0)$;
4. `dh_dx_expr`:用 $x$ 写出 $h'(x)$ 的表达式($\sigma(z)$ 写作 `sigmoid(z)`,
   $\ln z$ 写作 `log(z)`)。
""",
}


def statement(params: Mapping[str, sympy.Rational], lang: str) -> str:
    """The problem in Markdown with LaTeX."""
    g_tex, f_tex, h_tex = formulas(params)
    return fill(TEXT[lang], params, g_tex=g_tex, f_tex=f_tex, h_tex=h_tex) + precision(FAMILY, params, lang)


STEP_NAMES = {  # the steps of ANSWERS, named in every language
    "inner function": {"en": "inner function", "zh": "内层函数"},
    "outer function": {"en": "outer function", "zh": "外层函数"},
    "composition": {"en": "composition", "zh": "复合函数"},
    "chain rule": {"en": "chain rule", "zh": "链式法则"},
}


FAMILY = Family(
    name="chain_rule",
    version=2,
    summary={
        "en": "The chain rule h'(x) = f'(g(x)) g'(x) on a random two- or three-layer composition",
        "zh": "链式法则 h'(x) = f'(g(x)) g'(x):随机的两层或三层复合函数",
    },
    params=PARAMS,
    # h(x) = sigma(tanh(x - 0.5)) at x0 = 1.5: g = tanh(1), the outer sigmoid at g.
    canonical={"outer": str(OUTER.index("sigmoid")), "inner": str(INNER.index("tanh")),
               "a": "1", "b": "-0.5", "x0": "1.5"},
    answers=ANSWERS,
    draw=draw,
    conditions=conditions,
    derive=derive,
    statement=statement,
    gradients=(
        Gradient("dg_dx_value", "g_value", "x0"),
        Gradient("df_dg_value", "h_value", "g_value"),
        Gradient("dh_dx_value", "h_value", "x0"),
    ),
    slips=(Slip("derivative_at_x0", (("df_dg_value", "g_value", "x0"),), through=("h_value",)),),
    step_names=STEP_NAMES,
)
