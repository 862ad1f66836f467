"""Shared hypothesis strategies: random smooth SymPy expressions and random points in a box.

    smooth_expressions(min_vars=1, max_vars=4, max_depth=3)  -> (expr, symbols)
    points(n, bound=BOUND)                                   -> float64 array of shape (n,)
    expressions_with_points(...)                             -> (expr, symbols, point)

The expressions are built from +, *, sin, cos, tanh, exp and the powers 2 and 3, and are
analytic everywhere (no division, log or sqrt), so every finite-difference method, including
the complex step, applies at every point. Values stay moderate: leaves are the variables
(|x_i| <= BOUND) and small constants; exp only wraps sin, cos or tanh of something (so
exp(...) <= e); powers only apply to a leaf or to a sin/cos/tanh; depth is at most 3.
"""
from __future__ import annotations

import operator

import numpy as np
import sympy as sp
from hypothesis import strategies as st

NAMES = ("x", "y", "z", "w")
BOUND = 1.5                       # points are drawn from the box [-BOUND, BOUND]^n
_BOUNDED = (sp.sin, sp.cos, sp.tanh)
_CONSTANTS = (sp.Integer(-1), sp.Integer(1), sp.Integer(2), sp.Rational(1, 2), sp.Rational(-3, 2))


def variables(n: int) -> tuple[sp.Symbol, ...]:
    """The first n of x, y, z, w as real symbols (the kind gradlib.symbolic.symbols makes)."""
    return tuple(sp.Symbol(name, real=True) for name in NAMES[:n])


def _expressions(syms: tuple[sp.Symbol, ...], depth: int) -> st.SearchStrategy[sp.Expr]:
    # two in three leaves are variables, so expressions mix several of them
    leaf = st.one_of(st.sampled_from(syms), st.sampled_from(syms), st.sampled_from(_CONSTANTS))
    if depth == 0:
        return leaf
    sub = _expressions(syms, depth - 1)
    bounded = st.builds(lambda u, e: u(e), st.sampled_from(_BOUNDED), sub)
    return st.one_of(
        leaf,
        st.builds(operator.add, sub, sub),
        st.builds(operator.mul, sub, sub),
        bounded,                                                          # sin, cos, tanh
        st.builds(sp.exp, bounded),                                       # exp(sin(...)) <= e
        st.builds(operator.pow, st.one_of(leaf, bounded), st.sampled_from([2, 3])),
    )


@st.composite
def smooth_expressions(draw: st.DrawFn, min_vars: int = 1, max_vars: int = 4,
                       max_depth: int = 3) -> tuple[sp.Expr, tuple[sp.Symbol, ...]]:
    """A random smooth expression in n variables (min_vars <= n <= max_vars), with its symbols.

    The expression always involves the first variable, so its gradient is not trivially zero.
    """
    n = draw(st.integers(min_vars, max_vars))
    syms = variables(n)
    expr = draw(_expressions(syms, max_depth))
    if syms[0] not in expr.free_symbols:
        expr = expr + draw(st.sampled_from([sp.sin, sp.tanh, sp.cos]))(syms[0])
    return expr, syms


def points(n: int, bound: float = BOUND) -> st.SearchStrategy[np.ndarray]:
    """A point of the box [-bound, bound]^n as a float64 array of shape (n,)."""
    coord = st.floats(-bound, bound, allow_nan=False, allow_infinity=False)
    return st.lists(coord, min_size=n, max_size=n).map(lambda v: np.array(v, dtype=np.float64))


@st.composite
def expressions_with_points(draw: st.DrawFn, min_vars: int = 1, max_vars: int = 4,
                            max_depth: int = 3) -> tuple[sp.Expr, tuple[sp.Symbol, ...], np.ndarray]:
    """(expr, symbols, point): a smooth expression and a point of the box to evaluate it at."""
    expr, syms = draw(smooth_expressions(min_vars, max_vars, max_depth))
    return expr, syms, draw(points(len(syms)))
