"""Notebook 02's checkers: a correct solution passes, typical wrong ones are named, a stub says
"not implemented yet"."""
from __future__ import annotations

import numpy as np
import pytest

from gradlib import numeric
from gradlib.exercises.numeric import (check_axes, check_best_step, check_central_gradient,
                                       check_gradcheck, check_tanh_gradient, logistic_problem)


def stub(*args, **kwargs):
    raise NotImplementedError


# ---------------------------------------------------------------- central_gradient(f, x, h)

def central_right(f, x, h):
    x = np.asarray(x, dtype=float)
    g = np.empty(len(x))
    for i in range(len(x)):
        e = np.zeros(len(x))
        e[i] = h
        g[i] = (f(x + e) - f(x - e)) / (2 * h)
    return g


def central_restores_in_place(f, x, h):             # move, evaluate, restore exactly
    x = np.asarray(x, dtype=float)
    g = np.empty(len(x))
    for i in range(len(x)):
        old = x[i]
        x[i] = old + h
        up = f(x)
        x[i] = old - h
        down = f(x)
        x[i] = old
        g[i] = (up - down) / (2 * h)
    return g


def test_central_gradient_checker_passes_and_shows_second_order() -> None:
    for fn in (central_right, central_restores_in_place,
               lambda f, x, h: numeric.gradient(f, np.asarray(x, dtype=float), h=h)):
        r = check_central_gradient(fn)
        assert r.ok, r
    assert "yours 1.2e-02, 1.2e-04, 1.2e-06" in r.message and "3.0e-01, 2.9e-02, 2.9e-03" in r.message
    assert "divides it by 100.0 and 100.0: second order" in r.message
    assert "divided by 10.4 and 10.0: first order" in r.message


def _each(f, x, h, quotient):
    x = np.asarray(x, dtype=float)
    return np.array([quotient(f, x, h * e) for e in np.eye(len(x))])


def test_central_gradient_checker_names_typical_slips() -> None:
    r = check_central_gradient(lambda f, x, h: _each(f, x, h, lambda f, x, d: (f(x + d) - f(x)) / h))
    assert not r.ok and "forward difference" in r.message and "O(h)" in r.message
    r = check_central_gradient(lambda f, x, h: _each(f, x, h, lambda f, x, d: (f(x + d) - f(x - d)) / h))
    assert not r.ok and "Divide by 2h" in r.message
    r = check_central_gradient(lambda f, x, h: _each(f, x, h, lambda f, x, d: (f(x + d / 2) - f(x - d / 2)) / h))
    assert not r.ok and "step h/2" in r.message
    r = check_central_gradient(lambda f, x, h: np.full(len(x), (f(x + h) - f(x - h)) / (2 * h)))
    assert not r.ok and "moved every coordinate at once" in r.message

    def aliased(f, x, h):                            # x_plus = x: the caller's x drifts by rounding
        g = np.empty(len(x))
        for i in range(len(x)):
            xp = x
            xp[i] += h
            up = f(xp)
            xp[i] -= 2 * h
            down = f(xp)
            xp[i] += h
            g[i] = (up - down) / (2 * h)
        return g
    r = check_central_gradient(aliased)
    assert not r.ok and "changed the caller's x" in r.message

    def integer_copies(f, x, h):                      # x.copy() of an integer x stays integer
        g = np.empty(len(x))
        for i in range(len(x)):
            xp, xm = x.copy(), x.copy()
            xp[i] += h
            xm[i] -= h
            g[i] = (f(xp) - f(xm)) / (2 * h)
        return g
    r = check_central_gradient(integer_copies)
    assert not r.ok and "integer x" in r.name and "np.asarray(x, dtype=float)" in r.message
    assert check_central_gradient(stub).status == "not implemented yet"


# ---------------------------------------------------------------- my_gradcheck(f, grad, x)

def _numeric(f, x, h):
    return numeric.gradient(f, x, h=h)


def _per_entry(denominator):
    def my_gradcheck(f, grad, x, h=1e-6):
        a, n = grad(x), _numeric(f, x, h)
        r = np.abs(a - n) / denominator(np.abs(a), np.abs(n))
        return r.max(), int(np.argmax(r))
    return my_gradcheck


gradcheck_right = _per_entry(lambda a, n: np.maximum(np.maximum(a, n), 1e-300))


def test_logistic_problem_has_a_dead_and_a_faint_entry() -> None:
    f, grad, w = logistic_problem(0)
    ref = numeric.gradcheck(f, grad, w)
    assert ref.ok and ref.analytic[-1] == 0 and ref.numeric[-1] == 0          # 0 = 0 exactly
    assert np.abs(ref.analytic[1:-1]).min() > 50 * abs(ref.analytic[0])       # entry 0 is small
    # the "two bugs" case is built so the largest ABSOLUTE error is not the largest per-entry one
    assert 0.05 * abs(ref.analytic[1]) > 5 * abs(ref.analytic[0])


def test_gradcheck_checker_passes() -> None:
    assert check_gradcheck(gradcheck_right).ok
    r = check_gradcheck(lambda f, g, x, h=1e-6: (numeric.gradcheck(f, g, x, eps=h).max_entry_rel_error,
                                                 numeric.gradcheck(f, g, x, eps=h).entry_rel_index))
    assert r.ok and "the worst entry is the small entry 0" in r.message


def test_gradcheck_checker_names_typical_slips() -> None:
    r = check_gradcheck(_per_entry(np.maximum))                              # no guard: 0/0
    assert not r.ok and "nan: 0/0 at entry 4" in r.message and "Guard the denominator" in r.message

    def normwise(f, grad, x, h=1e-6):
        a, n = grad(x), _numeric(f, x, h)
        return numeric.rel_error(a, n), int(np.argmax(np.abs(a - n)))
    r = check_gradcheck(normwise)
    assert not r.ok and "NORMWISE" in r.message

    def absolute(f, grad, x, h=1e-6):
        a, n = grad(x), _numeric(f, x, h)
        return np.abs(a - n).max(), int(np.argmax(np.abs(a - n)))
    r = check_gradcheck(absolute)
    assert not r.ok and "ABSOLUTE error |a - n|" in r.message

    r = check_gradcheck(_per_entry(lambda a, n: np.maximum(a + n, 1e-300)))
    assert not r.ok and "|a - n| / (|a| + |n|)" in r.message
    r = check_gradcheck(_per_entry(lambda a, n: np.maximum(n, 1e-300)))
    assert not r.ok and "divided by |n| alone" in r.message
    r = check_gradcheck(_per_entry(lambda a, n: np.maximum(a, 1e-300)))
    assert not r.ok and "entry 2 left at 0" in r.name and "|a| alone" in r.message

    def index_of_abs(f, grad, x, h=1e-6):
        value, _ = gradcheck_right(f, grad, x, h)
        a, n = grad(x), _numeric(f, x, h)
        return value, int(np.argmax(np.abs(a - n)))
    r = check_gradcheck(index_of_abs)
    assert not r.ok and "index is 1" in r.message and "largest ABSOLUTE error" in r.message
    r = check_gradcheck(lambda f, g, x, h=1e-6: 0.5)
    assert not r.ok and "return a pair" in r.message
    assert check_gradcheck(stub).status == "not implemented yet"


# ---------------------------------------------------------------- find the bug (tanh model)

@pytest.fixture
def tanh_data():
    r = np.random.default_rng(0)
    return r.normal(size=(30, 3)), r.normal(size=30)


def _tanh(X, t, theta, reduce_b="sum", with_tanh=True, scale=1.0):
    p = np.tanh(X @ theta[:3] + theta[3])
    dz = scale * (p - t) / len(t) * ((1 - p**2) if with_tanh else 1)
    return np.append(X.T @ dz, getattr(dz, reduce_b)())


def test_tanh_checker(tanh_data) -> None:
    X, t = tanh_data
    assert check_tanh_gradient(lambda th: _tanh(X, t, th), X, t).ok
    r = check_tanh_gradient(lambda th: _tanh(X, t, th, reduce_b="mean"), X, t)     # the notebook's bug
    assert not r.ok and "(entry 3 is dL/db)" in r.message and "divides by m twice" in r.message
    r = check_tanh_gradient(lambda th: _tanh(X, t, th, with_tanh=False), X, t)
    assert not r.ok and "1 - tanh(z)^2 is missing" in r.message
    r = check_tanh_gradient(lambda th: _tanh(X, t, th, scale=len(t)), X, t)
    assert not r.ok and "m times too big" in r.message
    assert check_tanh_gradient(stub, X, t).status == "not implemented yet"


def test_tanh_reference_passes_gradcheck(tanh_data) -> None:
    X, t = tanh_data
    loss = lambda th: 0.5 * np.mean((np.tanh(X @ th[:3] + th[3]) - t) ** 2)
    for seed in range(5):
        assert numeric.gradcheck(loss, lambda th: _tanh(X, t, th), np.random.default_rng(seed).normal(size=4))


# ---------------------------------------------------------------- the best forward step (numbers)

def test_best_step_checker() -> None:
    eps = np.finfo(float).eps
    assert check_best_step(np.sqrt(2 * eps), np.e * np.sqrt(2 * eps)).ok
    assert check_best_step(2.1e-8, 5.7e-8).ok
    r = check_best_step(1e-12, 1e-12)                                          # the old starting answer
    assert not r.ok and "Smaller is not better" in r.message
    r = check_best_step(np.cbrt(eps), 1e-10)
    assert not r.ok and "CENTRAL difference's best step" in r.message
    r = check_best_step(2.1e-8, eps)
    assert not r.ok and r.name == "error" and "not eps" in r.message
    assert check_best_step(None, None).status == "not implemented yet"
    # the model's optimum really is (near) the measured one
    hs = np.logspace(-10, -6, 41)
    measured = numeric.step_errors(np.exp, 1.0, np.e, hs, "forward")
    assert np.sqrt(2 * eps) / 10 < hs[np.argmin(measured)] < np.sqrt(2 * eps) * 10


# ---------------------------------------------------------------- which np.gradient output is which

def test_axes_checker() -> None:
    xs, ys = np.linspace(0, 1, 11), np.linspace(0, 2, 31)
    X, Y = np.meshgrid(xs, ys, indexing="ij")
    first, second = np.gradient(X * np.exp(Y), xs, ys)
    # the oracle: the exact partials e^y (exact for a function linear in x) and x e^y (inside)
    assert np.allclose(first, np.exp(Y), rtol=1e-12)
    assert np.allclose(second[:, 1:-1], (X * np.exp(Y))[:, 1:-1], rtol=5e-3, atol=1e-12)
    assert check_axes(first, second, xs, ys).ok
    r = check_axes(second, first, xs, ys)                                    # the old starting answer
    assert not r.ok and "Swapped" in r.message
    r = check_axes(first.T, second, xs, ys)
    assert not r.ok and "transposed shape" in r.message
    assert check_axes(None, None, xs, ys).status == "not implemented yet"
