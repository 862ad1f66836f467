"""Notebook 01's checkers: a correct solution passes, typical wrong ones are named, a stub says
"not implemented yet"."""
from __future__ import annotations

import numpy as np
import pytest
import sympy as sp

from gradlib import symbolic
from gradlib.exercises.calculus import (check_directional, check_hessian, check_partial,
                                        check_partials, check_steepest)


def stub(*args):
    raise NotImplementedError


# ---------------------------------------------------------------- partial(f, p, i, h)

def partial_right(f, p, i, h):
    q = p.copy()
    q[i] += h
    return (f(q) - f(p)) / h


def partial_restores_in_place(f, p, i, h):          # CS231n's pattern: move, evaluate, restore
    old = p[i]
    p[i] = old + h
    moved = f(p)
    p[i] = old
    return (moved - f(p)) / h


def partial_alias(f, p, i, h):                       # q = p is not a copy
    q = p
    q[i] += h
    return (f(q) - f(p)) / h


def test_partial_checker_passes_and_shows_first_order_convergence() -> None:
    for fn in (partial_right, partial_restores_in_place,
               lambda f, p, i, h: (f(p + h * np.eye(len(p))[i]) - f(p)) / h):
        r = check_partial(fn)
        assert r.ok, r
    assert "Each tenfold smaller h divides the error by 9.7 to 10.0: first order" in r.message
    # the reported errors are SymPy's: x2-partial of the test function at (1, 0.5, -0.7)
    x0, x1, x2 = sp.symbols("x0 x1 x2")
    exact = float(sp.diff(x0**2 * x1 + sp.exp(x0 - x2) + sp.sin(x1 * x2), x2).subs({x0: 1, x1: 0.5, x2: -0.7}))
    assert f"df/dx2 = {exact:.6f}" in r.message


def test_partial_checker_names_typical_slips() -> None:
    r = check_partial(partial_alias)
    assert not r.ok and "changed the caller's p" in r.message and "q = p is the same array" in r.message
    r = check_partial(lambda f, p, i, h: (f(p + h) - f(p)) / h)
    assert not r.ok and "moved every coordinate at once" in r.message
    r = check_partial(lambda f, p, i, h: partial_right(f, p, i, h) * h)
    assert not r.ok and "did not divide by h" in r.message
    r = check_partial(lambda f, p, i, h: partial_right(f, p, (i + 1) % len(p), h))
    assert not r.ok and "quotient in coordinate 1, not 0" in r.message
    r = check_partial(lambda f, p, i, h: (f(p + h * np.eye(len(p))[i]) - f(p - h * np.eye(len(p))[i])) / (2 * h))
    assert not r.ok and "central quotient" in r.message
    r = check_partial(lambda f, p, i, h: -partial_right(f, p, i, h))
    assert not r.ok and "sign is flipped" in r.message
    r = check_partial(lambda f, p, i, h: 0.0)
    assert not r.ok and "your value is 0 where 6.807 was expected" in r.message and "Hint" not in r.message


def test_partial_checker_stub_and_errors() -> None:
    assert check_partial(stub).status == "not implemented yet"
    r = check_partial(lambda f, p, i, h: 1 / 0)
    assert not r.ok and "ZeroDivisionError" in r.message


# ---------------------------------------------------------------- partials of x e^(xy) by hand

def gx(x, y):
    return (1 + x * y) * np.exp(x * y)


def gy(x, y):
    return x**2 * np.exp(x * y)


def test_partials_checker() -> None:
    assert check_partials(gx, gy).ok
    r = check_partials(lambda x, y: np.exp(x * y), gy)              # the old starting version
    assert not r.ok and r.name == "dg/dx" and "first term of the product rule" in r.message
    assert "(x, y) = (" in r.message
    r = check_partials(gx, lambda x, y: x * np.exp(x * y))          # the old starting version
    assert not r.ok and r.name == "dg/dy" and "factor x in front" in r.message
    r = check_partials(gy, gx)
    assert not r.ok and "swapped the two partials" in r.message
    r = check_partials(gx, lambda x, y: np.array([1.0, 2.0]))
    assert not r.ok and "shape (2,), expected (20,)" in r.message
    assert check_partials(stub, stub).status == "not implemented yet"


# ---------------------------------------------------------------- directional(grad_f, p, u)

def directional_right(grad_f, p, u):
    return grad_f(p) @ u / np.linalg.norm(u)


def test_directional_checker_passes_and_shows_the_non_differentiable_k() -> None:
    r = check_directional(directional_right)
    assert r.ok, r
    assert "predicts slope 0.0000 along u = (1, 1)" in r.message and "0.3536 = sqrt(2)/4" in r.message


def test_directional_checker_names_typical_slips() -> None:
    cases = {
        "not normalised": lambda g, p, u: g(p) @ u,
        "at the point p, grad_f(p)": lambda g, p, u: g(u) @ u / np.linalg.norm(u),
        "only the x-partial": lambda g, p, u: g(p)[0] * u[0] / np.linalg.norm(u),
        "normalise u only": lambda g, p, u: g(p) @ u / np.linalg.norm(u) / np.linalg.norm(g(p)),
        "divided by |u|^2": lambda g, p, u: g(p) @ u / (u @ u),
        "dotted the gradient with the point p": lambda g, p, u: g(p) @ p / np.linalg.norm(u),
        "slope along the gradient": lambda g, p, u: np.linalg.norm(g(p)),
    }
    for hint, fn in cases.items():
        r = check_directional(fn)
        assert not r.ok and hint in r.message, (hint, r)

    def normalises_in_place(g, p, u):
        u /= np.linalg.norm(u)
        return g(p) @ u
    r = check_directional(normalises_in_place)
    assert not r.ok and "changed the caller's u" in r.message
    assert check_directional(stub).status == "not implemented yet"


# ---------------------------------------------------------------- steepest ascent (numbers)

def test_steepest_checker() -> None:
    x, y = symbolic.symbols("x y")
    g = symbolic.lambdify(symbolic.gradient(symbolic.parse("x**2 + 3*y**2 - x*y", [x, y]), [x, y]), [x, y])
    grad = np.asarray(g(1.0, 1.0), dtype=float).ravel()              # SymPy: (1, 5)
    angle, slope = np.degrees(np.arctan2(grad[1], grad[0])), np.hypot(*grad)
    assert check_steepest(angle, slope).ok and check_steepest(78.69, 5.099).ok
    assert "radians" in check_steepest(np.radians(angle), slope).message
    assert "DESCENT" in check_steepest(angle + 180, slope).message
    assert "atan2 takes" in check_steepest(np.degrees(np.arctan2(grad[0], grad[1])), slope).message
    assert "take the square root" in check_steepest(angle, slope**2).message
    assert "sum of the partials" in check_steepest(angle, grad.sum()).message
    assert check_steepest(None, None).status == "not implemented yet"
    assert not check_steepest(45.0, 1.0).ok                         # the old starting answer


# ---------------------------------------------------------------- the monkey saddle's Hessian

def hess_right(x, y):
    return np.array([[6 * x, -6 * y], [-6 * y, -6 * x]])


def test_hessian_checker() -> None:
    assert check_hessian(hess_right, (1, 2), (2, 2)).ok
    r = check_hessian(lambda x, y: np.array([[6 * x, 0.0], [0.0, -6 * x]]), (1, 2), (2, 2))   # old start
    assert not r.ok and "mixed partials m_xy = m_yx" in r.message and "(x, y) = (" in r.message
    r = check_hessian(lambda x, y: np.array([[6 * x, 6 * y], [6 * y, -6 * x]]), (1, 2), (2, 2))
    assert not r.ok and "sign of the mixed partials" in r.message
    r = check_hessian(lambda x, y: np.array([[6 * x, -6 * y], [0.0, -6 * x]]), (1, 2), (2, 2))
    assert not r.ok and "symmetric" in r.message
    r = check_hessian(lambda x, y: np.array([3 * x**2 - 3 * y**2, -6 * x * y]), (1, 2), (2, 2))
    assert not r.ok and "shape of the gradient" in r.message
    r = check_hessian(hess_right, (2, 2), (2, 2))                   # the old starting answer
    assert not r.ok and r.name == "shapes" and "ONE output" in r.message
    r = check_hessian(hess_right, (1, 2), (1, 2))
    assert not r.ok and "its Jacobian is the Hessian" in r.message
    assert check_hessian(hess_right, None, None).status == "not implemented yet"
    assert check_hessian(stub, None, None).status == "not implemented yet"


@pytest.mark.parametrize("seed", range(5))
def test_hessian_oracle_is_sympy(seed: int) -> None:
    # the closed form used above against SymPy at random points (the checker's oracle)
    x, y = symbolic.symbols("x y")
    H = symbolic.lambdify(symbolic.hessian(symbolic.parse("x**3 - 3*x*y**2", [x, y]), [x, y]), [x, y])
    a, b = np.random.default_rng(seed).uniform(-2, 2, size=2)
    assert np.allclose(np.asarray(H(a, b), dtype=float), hess_right(a, b), rtol=1e-14)
