"""Symbolic derivation of a computation's gradients, step by step, in the seeds' own names.

A model is an ordered list of definitions ``name = expression`` (the forward pass and
the loss). :func:`backpropagate` runs reverse-mode differentiation over those
definitions with sympy, one local derivative at a time, so that the results come out
in the form a person writes them, e.g. ``delta_o1 = o1*(1 - o1)*(o1 - t1)`` rather than
a page of nested exponentials. :func:`expand` substitutes the definitions back to
reach an expression in the model's inputs alone.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import sympy

from grader.maths.sigmoid import sigmoid

Definition = tuple[sympy.Symbol, sympy.Expr]


@dataclass(frozen=True)
class Rules:
    """How the derivation is carried out; the defaults are the correct rules.

    The grader re-derives a family under altered rules to recognise typical mistakes:
    ``activation_derivative=False`` drops sigma' from every chain and
    ``hidden_activation_derivative=False`` only from the units the loss does not use directly;
    ``inner_derivative=False`` forgets the derivative of the innermost step with respect to a
    named input (dE/dw = delta instead of delta * x, h' = f'(g) without g'); a ``loss_scale``
    of 1 forgets the 1/2 of the loss, ``update_sign=+1`` adds the step instead of subtracting.
    ``output_shortcut=True`` takes every output delta as output - target, the shortcut that
    holds for softmax (or sigmoid) with cross-entropy only; families that declare it in
    :attr:`~grader.core.family.Family.rule_mistakes` honour it. Declared families with momentum or
    weight decay honour ``momentum_scale`` (0: the velocity is not carried, -1: the momentum
    term's sign flipped) and ``decay_scale`` (0: the decay term forgotten, 2: applied twice).
    """

    loss_scale: sympy.Rational = sympy.Rational(1, 2)
    activation_derivative: bool = True
    update_sign: int = -1
    hidden_activation_derivative: bool = True
    inner_derivative: bool = True
    output_shortcut: bool = False
    momentum_scale: int = 1
    decay_scale: int = 1


CORRECT = Rules()


def _local_derivative(expr: sympy.Expr, var: sympy.Symbol, rules: Rules, hidden: bool,
                      inner: bool) -> sympy.Expr:
    """d expr / d var for one definition, honouring the rules.

    ``hidden`` says the definition is a unit the loss does not use directly; ``inner`` that
    ``var`` is a named input of a definition other than the output (the innermost step).
    """
    if isinstance(expr, sigmoid) and expr.args[0] == var and (
        not rules.activation_derivative or (hidden and not rules.hidden_activation_derivative)
    ):
        return sympy.Integer(1)
    if inner and not rules.inner_derivative:
        return sympy.Integer(1)
    if hasattr(expr, "dropped_derivative") and (  # the activations of grader.declared.functions
        not rules.activation_derivative or (hidden and not rules.hidden_activation_derivative)
    ):
        return expr.dropped_derivative(var)
    return sympy.diff(expr, var)


def backpropagate(
    definitions: Sequence[Definition],
    output: sympy.Symbol,
    adjoint_names: Mapping[sympy.Symbol, sympy.Symbol],
    rules: Rules = CORRECT,
) -> dict[sympy.Symbol, sympy.Expr]:
    """Reverse-mode derivatives of ``output`` as local formulas.

    ``adjoint_names`` maps a quantity (a defined name or an input) to the name of
    d output / d quantity, e.g. ``{o1_in: delta_o1, w5: dE_dw5}``. Each named
    derivative is returned as a formula in the definitions' names and in the *names*
    of the derivatives computed before it, which is how the seeds write backpropagation:
    ``delta_h1 = (delta_o1*w5 + delta_o2*w7)*h1*(1 - h1)``.

    >>> x, w, t, y, E, g = sympy.symbols("x w t y E g")
    >>> backpropagate([(y, w*x), (E, (y - t)**2/2)], E, {w: g})
    {g: x*(-t + y)}
    """
    fold = {expr: name for name, expr in definitions if not expr.is_Symbol}
    defined = {name for name, _ in definitions}
    used_by_output = {output} | next(
        (expr.free_symbols for name, expr in definitions if name == output), set()
    )
    pending: dict[sympy.Symbol, sympy.Expr] = {output: sympy.Integer(1)}
    found: dict[sympy.Symbol, sympy.Expr] = {}

    def settle(quantity: sympy.Symbol) -> sympy.Expr:
        """The adjoint of a quantity as used further down: its name if it has one."""
        value = pending.pop(quantity, sympy.Integer(0))
        if quantity in adjoint_names:
            found[adjoint_names[quantity]] = value
            return adjoint_names[quantity]
        return value

    for name, expr in reversed(definitions):
        adjoint = settle(name)
        if adjoint == 0:
            continue
        for var in sorted(expr.free_symbols, key=str):
            inner = name != output and var in adjoint_names and var not in defined
            hidden = name not in used_by_output
            local = _local_derivative(expr, var, rules, hidden, inner).xreplace(fold)
            pending[var] = pending.get(var, sympy.Integer(0)) + adjoint * local
    for quantity in list(pending):
        if quantity in adjoint_names:
            settle(quantity)
    return found


def expand(expr: sympy.Expr, definitions: Sequence[Definition]) -> sympy.Expr:
    """Substitute every definition (latest first) so that only inputs remain."""
    for name, value in reversed(definitions):
        expr = expr.xreplace({name: value})
    return expr
