"""The logistic sigmoid as a sympy function whose derivative is written sigma*(1 - sigma).

Using a named function instead of ``1/(1 + exp(-x))`` keeps derived formulas in the
form the seed articles use, e.g. ``delta_o1 = (o1 - t1)*o1*(1 - o1)``.
"""

import math

import numpy as np
import sympy


class sigmoid(sympy.Function):  # noqa: N801 - sympy functions are lower case by convention
    """sigma(x) = 1/(1 + exp(-x)); its derivative is sigma(x)*(1 - sigma(x))."""

    nargs = 1

    def fdiff(self, argindex=1):
        s = sigmoid(self.args[0])
        return s * (1 - s)

    @classmethod
    def eval(cls, arg):
        if arg.is_zero:
            return sympy.Rational(1, 2)
        return None

    def _eval_rewrite_as_exp(self, arg, **kwargs):
        return 1 / (1 + sympy.exp(-arg))

    def _eval_evalf(self, prec):
        return self.rewrite(sympy.exp)._eval_evalf(prec)


def sigmoid_numpy(x):
    """Overflow-free vectorised sigmoid for float64 arrays or scalars."""
    x = np.asarray(x, dtype=float)
    e = np.exp(-np.abs(x))
    return np.where(x >= 0, 1 / (1 + e), e / (1 + e))


def sigmoid_float(x: float) -> float:
    """Overflow-free sigmoid for one Python float."""
    if x >= 0:
        return 1 / (1 + math.exp(-x))
    e = math.exp(x)
    return e / (1 + e)
