"""The activations a declaration may use besides sigmoid: tanh, ReLU and softmax.

Each is a named sympy function so that derived formulas keep the seeds' form (``1 - h1**2``,
``p1*(1 - p1)``), evaluates exactly to 50 digits, compiles to numpy through its own
``_numpycode``, and says what its local derivative becomes when a student drops it
(:meth:`dropped_derivative`, read by :func:`grader.core.model._local_derivative`).
"""

from __future__ import annotations

import sympy


class tanh(sympy.Function):  # noqa: N801 - sympy functions are lower case by convention
    """tanh(x), whose derivative is written 1 - tanh(x)**2 so that it folds to 1 - h**2."""

    nargs = 1

    def fdiff(self, argindex=1):
        return 1 - tanh(self.args[0]) ** 2

    @classmethod
    def eval(cls, arg):
        return sympy.Integer(0) if arg.is_zero else None

    def dropped_derivative(self, var: sympy.Symbol) -> sympy.Expr:
        """The local derivative a student who forgets tanh' uses: 1 for its own input."""
        return sympy.Integer(1 if self.args[0] == var else 0)

    def _eval_evalf(self, prec):
        return sympy.tanh(self.args[0])._eval_evalf(prec)

    def _numpycode(self, printer):
        return f"{printer._module_format('numpy.tanh')}({printer._print(self.args[0])})"

    def _latex(self, printer):
        return rf"\tanh\left({printer._print(self.args[0])}\right)"


class relu(sympy.Function):  # noqa: N801
    """max(0, x); its derivative is the step function (x > 0), written ``step(x)``."""

    nargs = 1

    def fdiff(self, argindex=1):
        return step(self.args[0])

    @classmethod
    def eval(cls, arg):
        if arg.is_Number:
            return arg if arg > 0 else sympy.Integer(0)
        return None

    def dropped_derivative(self, var: sympy.Symbol) -> sympy.Expr:
        """The local derivative a student who forgets ReLU' uses: 1 for its own input."""
        return sympy.Integer(1 if self.args[0] == var else 0)

    def _numpycode(self, printer):
        return f"{printer._module_format('numpy.maximum')}(0, {printer._print(self.args[0])})"

    def _latex(self, printer):
        return rf"\operatorname{{ReLU}}\left({printer._print(self.args[0])}\right)"


class step(sympy.Function):  # noqa: N801
    """The derivative of ReLU: 1 for x > 0, else 0 (conditioning keeps x away from 0)."""

    nargs = 1

    def fdiff(self, argindex=1):
        return sympy.Integer(0)

    @classmethod
    def eval(cls, arg):
        if arg.is_Number:
            return sympy.Integer(1 if arg > 0 else 0)
        return None

    def _numpycode(self, printer):
        x = printer._print(self.args[0])
        return f"{printer._module_format('numpy.greater')}({x}, 0).astype(float)"

    def _latex(self, printer):
        return rf"\mathbb{{1}}\left[{printer._print(self.args[0])} > 0\right]"


class softmax(sympy.Function):  # noqa: N801
    """softmax(k, z1, ..., zn) = exp(z_k) / sum_j exp(z_j), with k counted from 1.

    Its derivative with respect to z_j is p_k (1[k = j] - p_j), each p written as a softmax
    of the same inputs, so that backpropagation folds it to the output names.
    """

    def fdiff(self, argindex=1):
        k, zs = int(self.args[0]), self.args[1:]
        j = argindex - 1
        if j < 1:
            return sympy.Integer(0)
        p_k = softmax(k, *zs)
        return p_k * ((1 if j == k else 0) - softmax(j, *zs))

    def dropped_derivative(self, var: sympy.Symbol) -> sympy.Expr:
        """The local derivative a student who forgets softmax' uses: 1 for its own input only."""
        return sympy.Integer(1 if self.args[int(self.args[0])] == var else 0)

    def _stable(self) -> sympy.Expr:
        """1 / sum_j exp(z_j - z_k): the same value, never overflowing."""
        k, zs = int(self.args[0]), self.args[1:]
        return 1 / sympy.Add(*(sympy.exp(z - zs[k - 1]) for z in zs))

    def _eval_evalf(self, prec):
        return self._stable().evalf(prec)

    def _numpycode(self, printer):
        return printer._print(self._stable())

    def _sympystr(self, printer):
        """As a student writes it, in names the statement defines: exp(z1)/(exp(z1) + exp(z2) + exp(z3))."""
        k, zs = int(self.args[0]), self.args[1:]
        return f"exp({printer._print(zs[k - 1])})/({' + '.join(f'exp({printer._print(z)})' for z in zs)})"

    def _latex(self, printer):
        k, zs = int(self.args[0]), self.args[1:]
        return rf"\operatorname{{softmax}}_{{{k}}}\left({', '.join(printer._print(z) for z in zs)}\right)"


ACTIVATIONS = {"sigmoid", "tanh", "relu", "softmax"}
