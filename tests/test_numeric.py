"""Tests for gradlib.numeric: finite differences, default steps, the U-curve, gradcheck.

Oracles: closed-form derivatives (exp, sin, polynomials, x**x), exact algebra of the difference
quotients on polynomials, SymPy's Jacobian and Hessian, and the textbook error model
(truncation ~ h or h^2, rounding ~ eps/h).
"""
from __future__ import annotations

import math

import numpy as np
import pytest
import sympy as sp

from gradlib import numeric, symbolic

EPS = np.finfo(float).eps
ONE_SIDED = ("forward", "backward")

# One-variable closed forms: (name, f, f', points)
CLOSED_FORMS = [
    ("exp", np.exp, np.exp, [-2.0, 0.0, 1.0, 5.0]),
    ("sin", np.sin, np.cos, [-3.0, 0.1, 1.0, 20.0]),
    ("poly", lambda t: 3 * t**4 - 2 * t**2 + t - 5, lambda t: 12 * t**3 - 4 * t + 1, [-1.5, 0.3, 2.0]),
    ("x**x", lambda t: t**t, lambda t: t**t * (np.log(t) + 1), [0.5, 1.5, 3.0]),
    ("1/(1+x^2)", lambda t: 1 / (1 + t**2), lambda t: -2 * t / (1 + t**2) ** 2, [-2.0, 0.7]),
]
# Relative accuracy each method must reach on these smooth functions with the default step.
ACCURACY = {"forward": 1e-6, "backward": 1e-6, "central": 1e-8, "complex": 1e-14}


def _rel(a, b):
    return abs(a - b) / max(abs(b), 1e-300)


# ---------------------------------------------------------------- derivative

@pytest.mark.parametrize("method", numeric.METHODS)
@pytest.mark.parametrize("name, f, df, xs", CLOSED_FORMS, ids=[c[0] for c in CLOSED_FORMS])
def test_derivative_matches_closed_forms(name, f, df, xs, method):
    for x in xs:
        d = numeric.derivative(f, x, method=method)
        assert isinstance(d, float)
        # Near a zero of f' the relative error is meaningless: measure against max(|f'|, |f|).
        assert abs(d - df(x)) <= ACCURACY[method] * max(abs(df(x)), abs(f(x)), 1.0), (x, d, df(x))


def test_complex_step_is_exact_to_machine_precision():
    for x in (0.3, 1.0, 2.5):
        assert _rel(numeric.derivative(np.exp, x, method="complex"), np.exp(x)) <= 2 * EPS
        assert _rel(numeric.derivative(lambda t: t**t, x, method="complex"),
                    x**x * (np.log(x) + 1)) <= 4 * EPS


@pytest.mark.parametrize("method, quotient", [
    # The quotients of t^3 with step h, worked out by hand:
    ("forward", lambda x, h: 3 * x**2 + 3 * x * h + h**2),     # ((x+h)^3 - x^3) / h
    ("backward", lambda x, h: 3 * x**2 - 3 * x * h + h**2),    # (x^3 - (x-h)^3) / h
    ("central", lambda x, h: 3 * x**2 + h**2),                 # ((x+h)^3 - (x-h)^3) / (2h)
    ("complex", lambda x, h: 3 * x**2 - h**2),                 # Im (x+ih)^3 / h
])
def test_each_method_computes_its_formula(method, quotient):
    for x, h in [(1.0, 0.1), (2.0, 0.25), (-0.5, 0.125)]:
        got = numeric.derivative(lambda t: t**3, x, h=h, method=method)
        assert got == pytest.approx(quotient(x, h), rel=1e-13)


def test_truncation_orders_on_a_cubic():
    # halving h halves the one-sided error (order 1) and quarters the central one (order 2)
    x, exact = 1.0, 3.0
    err = {m: [abs(numeric.derivative(lambda t: t**3, x, h=h, method=m) - exact) for h in (1e-2, 5e-3)]
           for m in ("forward", "central")}
    assert err["forward"][0] / err["forward"][1] == pytest.approx(2.0, rel=0.02)
    assert err["central"][0] / err["central"][1] == pytest.approx(4.0, rel=1e-6)


def test_derivative_agrees_with_scipy_differentiate():
    from scipy.differentiate import derivative as scipy_derivative
    for x in (0.4, 1.7):
        ref = scipy_derivative(lambda t: np.sin(t) * np.exp(t), x).df
        assert numeric.derivative(lambda t: np.sin(t) * np.exp(t), x) == pytest.approx(ref, rel=1e-8)


# ---------------------------------------------------------------- default_step

def test_default_step_values_and_scaling():
    assert numeric.default_step("forward", 0.0) == pytest.approx(math.sqrt(EPS))
    assert numeric.default_step("backward", 0.5) == pytest.approx(math.sqrt(EPS))
    assert numeric.default_step("central", 0.0) == pytest.approx(EPS ** (1 / 3))
    assert numeric.default_step("complex", 1.0) == pytest.approx(1e-20)
    assert numeric.default_step("central", 0.0, order=2) == pytest.approx(EPS ** 0.25)
    assert numeric.default_step("forward", 0.0, order=2) == pytest.approx(EPS ** (1 / 3))
    assert numeric.default_step("complex", 0.0, order=2) == pytest.approx(EPS ** (1 / 3))
    steps = numeric.default_step("central", [0.0, -0.5, 10.0, -1000.0])
    np.testing.assert_allclose(steps, EPS ** (1 / 3) * np.array([1.0, 1.0, 10.0, 1000.0]))
    assert numeric.default_step("central", np.zeros((2, 3))).shape == (2, 3)


def test_default_step_is_near_the_best_step_by_the_error_model():
    # Error model for f = exp at x = 1: one-sided h/2 |f''| + 2 eps |f| / h, minimized at
    # h = 2 sqrt(eps |f| / |f''|) = 2 sqrt(eps); central h^2/6 |f'''| + eps |f| / h -> (3 eps)^(1/3).
    assert numeric.default_step("forward", 1.0) == pytest.approx(2 * math.sqrt(EPS), rel=0.6)
    assert numeric.default_step("central", 1.0) == pytest.approx((3 * EPS) ** (1 / 3), rel=0.6)


@pytest.mark.parametrize("method", ["forward", "backward", "central"])
def test_u_curve_shape_and_optimal_step(method):
    hs = np.logspace(-15, -1, 57)
    errors = numeric.step_errors(np.exp, 1.0, math.e, hs, method)
    assert errors.shape == hs.shape and np.all(np.isfinite(errors))
    best = int(np.argmin(errors))
    h_best, h_default = hs[best], float(numeric.default_step(method, 1.0))
    # the minimum is inside the range, with big errors on both sides: a U
    assert 5 < best < len(hs) - 5
    assert np.median(errors[:6]) > 100 * errors[best]          # rounding regime (tiny h)
    assert np.median(errors[-6:]) > 100 * errors[best]         # truncation regime (large h)
    # the default step lands near the empirical optimum (the rounding side is noisy)
    assert h_default / 30 < h_best < h_default * 30
    # slopes on log-log axes: truncation 1 (one-sided) or 2 (central) ...
    big = hs >= 1e-3
    slope = np.polyfit(np.log10(hs[big]), np.log10(errors[big]), 1)[0]
    assert slope == pytest.approx(1.0 if method in ONE_SIDED else 2.0, abs=0.15)
    # ... and about -1 where rounding dominates (h well below the optimum)
    small = hs <= h_best / 1e3
    slope = np.polyfit(np.log10(hs[small]), np.log10(np.maximum(errors[small], 1e-300)), 1)[0]
    assert -1.6 < slope < -0.5


def test_complex_step_has_no_rounding_regime():
    tiny = np.logspace(-300, -8, 74)
    errors = numeric.step_errors(np.exp, 1.0, math.e, tiny, "complex")
    assert np.all(errors <= 2 * EPS * math.e)                  # tiny steps stay at machine precision
    big = np.logspace(-3, -1, 9)
    errors = numeric.step_errors(np.exp, 1.0, math.e, big, "complex")
    slope = np.polyfit(np.log10(big), np.log10(errors), 1)[0]
    assert slope == pytest.approx(2.0, abs=0.15)               # truncation O(h^2)


def test_step_errors_vectorizes_when_f_accepts_arrays_and_loops_otherwise():
    calls = []

    def counted_sin(t):
        calls.append(np.shape(t))
        return np.sin(t)

    hs = np.logspace(-12, -1, 12).reshape(3, 4)
    for method in numeric.METHODS:
        calls.clear()
        fast = numeric.step_errors(counted_sin, 0.8, math.cos(0.8), hs, method)
        slow = numeric.step_errors(math.sin if method != "complex" else lambda t: complex(np.sin(t)),
                                   0.8, math.cos(0.8), hs, method)
        assert fast.shape == (3, 4)
        assert len(calls) <= 2 and (12,) in calls                # one call on all the points
        np.testing.assert_array_equal(fast, slow)                # same numbers either way
        for h, e in zip(hs.ravel(), fast.ravel()):               # same quotient as derivative()
            assert e == abs(numeric.derivative(np.sin, 0.8, h=float(h), method=method) - math.cos(0.8))


def test_step_errors_reports_overflow_as_inf():
    steep = lambda t: 1e300 * np.sin(1e20 * t)     # f' = 1e320: beyond float64
    errors = numeric.step_errors(steep, 0.0, 0.0, [1e-12, 1.0], "central")
    assert errors[0] == np.inf and np.isfinite(errors[1])
    with pytest.raises(ValueError, match=r"the difference quotient overflowed \(h = 1e-12\)"):
        numeric.derivative(steep, 0.0, h=1e-12)
    with pytest.raises(ValueError, match=r"a difference quotient overflowed"):
        numeric.gradient(lambda p: steep(p[0]), [0.0], h=1e-12)


# ---------------------------------------------------------------- gradient, jacobian, hessian

x_, y_, z_ = sp.symbols("x y z", real=True)
F_EXPR = sp.exp(x_) * sp.sin(y_) + x_**3 * y_ * z_ + sp.tanh(z_ - x_)
F_VARS = (x_, y_, z_)


def _f(p):
    return np.exp(p[0]) * np.sin(p[1]) + p[0] ** 3 * p[1] * p[2] + np.tanh(p[2] - p[0])


POINT = np.array([0.7, -1.3, 0.4])


@pytest.mark.parametrize("method", numeric.METHODS)
def test_gradient_matches_sympy(method):
    exact = symbolic.lambdify(symbolic.gradient(F_EXPR, F_VARS), F_VARS)(*POINT)
    got = numeric.gradient(_f, POINT, method=method)
    assert got.shape == (3,)
    assert numeric.rel_error(got, exact) <= ACCURACY[method]


@pytest.mark.parametrize("method", numeric.METHODS)
def test_jacobian_of_a_vector_function_matches_sympy(method):
    exprs = [x_ * y_ * z_, sp.sin(x_) + y_**2, sp.exp(z_) * x_, sp.cos(x_ * y_)]
    F = lambda p: np.array([p[0] * p[1] * p[2], np.sin(p[0]) + p[1] ** 2, np.exp(p[2]) * p[0],
                            np.cos(p[0] * p[1])])
    exact = symbolic.lambdify(symbolic.jacobian(exprs, F_VARS), F_VARS)(*POINT)
    got = numeric.jacobian(F, POINT, method=method)
    assert got.shape == (4, 3)
    assert numeric.rel_error(got, exact) <= ACCURACY[method]


def test_jacobian_shape_follows_f():
    F = lambda p: np.outer(p, p)[:2]                  # shape (2, 3)
    J = numeric.jacobian(F, POINT)
    assert J.shape == (2, 3, 3)
    # d(p_i p_j)/dp_k = delta_ik p_j + p_i delta_jk
    eye = np.eye(3)
    exact = np.einsum("ik,j->ijk", eye, POINT) + np.einsum("i,jk->ijk", POINT, eye)
    np.testing.assert_allclose(J, exact[:2], rtol=1e-9, atol=1e-10)
    assert numeric.jacobian(lambda p: p.sum(), POINT).shape == (3,)   # scalar f: a gradient


HESSIAN_ACCURACY = {"forward": 1e-4, "backward": 1e-4, "central": 1e-7, "complex": 1e-9}


@pytest.mark.parametrize("method", numeric.METHODS)
def test_hessian_matches_sympy(method):
    exact = symbolic.lambdify(symbolic.hessian(F_EXPR, F_VARS), F_VARS)(*POINT)
    H = numeric.hessian(_f, POINT, method=method)
    assert H.shape == (3, 3)
    np.testing.assert_array_equal(H, H.T)                          # symmetrized
    assert numeric.rel_error(H, exact) <= HESSIAN_ACCURACY[method]
    assert numeric.rel_error(H, sp.hessian(F_EXPR, F_VARS).subs(dict(zip(F_VARS, POINT)))
                             .evalf().tolist()) <= HESSIAN_ACCURACY[method]


def test_hessian_is_the_jacobian_of_the_gradient():
    # the same thing computed by composing the public functions by hand
    h = numeric.default_step("central", POINT, order=2)
    composed = numeric.jacobian(lambda y: numeric.gradient(_f, y, h=h), POINT, h=h)
    np.testing.assert_allclose(numeric.hessian(_f, POINT), (composed + composed.T) / 2, rtol=1e-12)


def test_hessian_of_a_quadratic_is_its_matrix():
    A = np.array([[3.0, 1.0, 0.5], [1.0, 2.0, -1.0], [0.5, -1.0, 4.0]])
    q = lambda p: 0.5 * p @ A @ p
    for method in ("central", "complex"):
        np.testing.assert_allclose(numeric.hessian(q, [1.0, -2.0, 0.5], method=method), A, atol=1e-7)


def test_hessian_in_one_variable_is_the_second_derivative():
    for method in numeric.METHODS:
        H = numeric.hessian(lambda p: np.exp(p[0]) * np.sin(p[0]), [0.8], method=method)
        assert H.shape == (1, 1)
        # (e^x sin x)'' = 2 e^x cos x
        assert H[0, 0] == pytest.approx(2 * np.exp(0.8) * np.cos(0.8), rel=HESSIAN_ACCURACY[method])


def test_functions_never_mutate_x_even_if_f_does():
    def vandal(p):
        value = float(np.real(np.sum(np.sin(p))))
        p[:] = 99.0                                   # f scribbles on its argument
        return value

    x = np.array([0.1, 0.2, 0.3])
    x.flags.writeable = False                          # any write to x would raise
    for method in ("forward", "backward", "central"):
        g = numeric.gradient(vandal, x, method=method)
        np.testing.assert_allclose(g, np.cos(x), rtol=1e-5)
        numeric.hessian(vandal, x, method=method)
        numeric.jacobian(vandal, x, method=method)
    numeric.gradcheck(vandal, lambda p: np.cos(p), x)
    np.testing.assert_array_equal(x, [0.1, 0.2, 0.3])


def test_accepts_lists_and_integer_points():
    g = numeric.gradient(lambda p: p[0] ** 2 + 3 * p[1], [2, 5])
    np.testing.assert_allclose(g, [4.0, 3.0], rtol=1e-9)
    assert numeric.derivative(lambda t: t**2, 3) == pytest.approx(6.0, rel=1e-9)


def test_h_per_coordinate():
    f = lambda p: p[0] ** 3 + p[1] ** 3
    g = numeric.gradient(f, [1.0, 2.0], h=[0.1, 0.2])
    np.testing.assert_allclose(g, [3 * 1.0 + 0.1**2, 3 * 4.0 + 0.2**2], rtol=1e-12)   # 3x^2 + h^2


# ---------------------------------------------------------------- rel_error

def test_rel_error_formula():
    assert numeric.rel_error([1.0, 2.0], [1.0, 2.2]) == pytest.approx(0.2 / 2.2)
    assert numeric.rel_error([1.0, 2.2], [1.0, 2.0]) == numeric.rel_error([1.0, 2.0], [1.0, 2.2])
    assert numeric.rel_error(np.zeros(3), np.zeros(3)) == 0.0          # no 0/0
    assert numeric.rel_error([0.0, 1e-30], [0.0, 0.0]) == 1.0          # tiny but entirely wrong
    assert numeric.rel_error(2.0, [2.0, 2.0]) == 0.0                   # broadcasting
    assert numeric.rel_error([[1.0, -4.0]], [[1.0, -3.0]]) == pytest.approx(0.25)


def test_entry_rel_errors_formula():
    # oracle: the per-entry formula |a_i - b_i| / max(|a_i|, |b_i|) worked out by hand
    np.testing.assert_allclose(numeric.entry_rel_errors([1.0, 2.0, -4.0], [1.0, 2.2, -3.0]),
                               [0.0, 0.2 / 2.2, 0.25], rtol=1e-15)
    assert numeric.entry_rel_errors([0.0, 3.0], [0.0, 3.0]).tolist() == [0.0, 0.0]   # 0 vs 0: no 0/0
    assert numeric.entry_rel_errors(1e-30, 0.0) == 1.0                          # tiny but entirely wrong
    assert numeric.entry_rel_errors(2.0, [2.0, 1.0]).tolist() == [0.0, 0.5]    # broadcasting
    a, b = [1.0, 1e-9], [1.0 + 1e-12, 1e-9 + 1e-12]      # the same absolute error in both entries
    per_entry = numeric.entry_rel_errors(a, b)
    assert per_entry[1] == pytest.approx(1e-3, rel=1e-3) and per_entry[0] < 1e-11   # the tiny entry explodes
    assert numeric.rel_error(a, b) == pytest.approx(1e-12, rel=1e-3)                 # normwise does not


def test_normwise_rel_error_never_exceeds_the_largest_per_entry_error():
    rng = np.random.default_rng(0)
    for shape in [(1,), (5,), (3, 4)]:
        for _ in range(50):
            a = rng.normal(size=shape) * 10.0 ** rng.integers(-12, 3, size=shape)
            b = a + rng.normal(size=shape) * 10.0 ** rng.integers(-15, 0, size=shape)
            assert numeric.rel_error(a, b) <= numeric.entry_rel_errors(a, b).max() * (1 + 1e-15)


@pytest.mark.parametrize("function", [numeric.rel_error, numeric.entry_rel_errors])
@pytest.mark.parametrize("a, b, pattern", [
    ([1.0, 2.0], [1.0, 2.0, 3.0], r"a and b must have broadcastable shapes, got \(2,\) and \(3,\)"),
    ([1.0, np.nan], [1.0, 2.0], r"a must be finite, got"),
    ([1.0], ["x"], r"b must be real numbers, got \['x'\]"),
    ([1.0], [1j], r"b must be real numbers"),
])
def test_rel_error_errors(function, a, b, pattern):
    with pytest.raises(ValueError, match=pattern):
        function(a, b)


# ---------------------------------------------------------------- gradcheck

def _sum_sin(p):
    return np.sum(np.sin(p))


def test_gradcheck_accepts_a_true_gradient():
    x = np.array([0.3, -1.2, 2.0, 0.7])
    result = numeric.gradcheck(_sum_sin, np.cos, x)
    assert result.ok and bool(result)
    assert result.n_failed == 0 and result.n_checked == 4
    assert result.max_abs_error < 1e-9
    assert result.max_rel_error < 1e-9
    assert result.max_entry_rel_error < 1e-8
    assert "passed" in str(result)


def test_gradcheck_reports_the_normwise_and_the_per_entry_error_under_their_own_names():
    # d/dp sum(sin p) = cos p; at p = pi/2 the true entry is 6e-17, so the central difference's
    # rounding noise (~eps |f| / h, about 1e-10, the same in every entry) is all of that entry.
    x = np.array([0.3, np.pi / 2, 2.0])
    result = numeric.gradcheck(_sum_sin, np.cos, x)
    a, n = np.cos(x), result.numeric
    per_entry = np.abs(a - n) / np.maximum(np.abs(a), np.abs(n))          # oracle, by hand
    assert result.max_entry_rel_error == pytest.approx(per_entry.max(), rel=1e-12)
    assert result.entry_rel_index == (int(np.argmax(per_entry)),) == (1,)
    assert result.max_rel_error == pytest.approx(np.abs(a - n).max() / np.abs(a).max(), rel=1e-6)
    assert result.max_entry_rel_error > 1e-3            # per-entry explodes at the entry near 0 ...
    assert result.max_rel_error < 1e-9                  # ... the normwise error does not ...
    assert result.ok                                    # ... and torch's atol absorbs it
    lines = str(result).splitlines()
    assert lines[1].startswith("normwise rel error") and f"{result.max_rel_error:.2e}" in lines[1]
    assert "max_rel_error" in lines[1] and "max_entry_rel_error" not in lines[1]
    assert lines[2].startswith("per-entry rel error") and f"{result.max_entry_rel_error:.2e}" in lines[2]
    assert "(1,)" in lines[2] and "max_entry_rel_error" in lines[2]
    assert "entry rel" in lines[4] and "normwise rel error" in result._repr_html_()


def test_gradcheck_a_bug_in_a_tiny_entry_hides_from_the_normwise_error_not_from_the_rule():
    x = np.array([0.3, np.pi / 2 - 1e-3, 2.0])           # cos = (0.96, 1e-3, -0.42)

    def wrong(p):
        g = np.cos(p)
        g[1] *= 2                                         # 100 % wrong, but only 1e-3 in size
        return g

    result = numeric.gradcheck(_sum_sin, wrong, x)
    assert result.max_rel_error < 2e-3                    # normwise: "suspicious" at most
    assert result.max_entry_rel_error == pytest.approx(0.5, rel=1e-6)   # per-entry: wrong
    assert not result.ok and result.worst_index == (1,)   # the mixed rule catches it


@pytest.mark.parametrize("index", [0, 2, 3])
def test_gradcheck_rejects_a_perturbed_gradient_and_points_at_it(index):
    x = np.array([0.3, -1.2, 2.0, 0.7])

    def wrong(p):
        g = np.cos(p)
        g[index] += 0.05
        return g

    result = numeric.gradcheck(_sum_sin, wrong, x)
    assert not result.ok and not bool(result)
    assert result.worst_index == (index,)
    assert result.n_failed == 1
    assert result.max_abs_error == pytest.approx(0.05, rel=1e-6)
    assert result.max_rel_error == pytest.approx(numeric.rel_error(wrong(x), np.cos(x)), rel=1e-6)
    worst = result.worst[0]
    assert worst.index == (index,) and not worst.ok
    assert worst.analytic == pytest.approx(np.cos(x[index]) + 0.05)
    assert worst.numeric == pytest.approx(np.cos(x[index]), rel=1e-8)
    assert worst.abs_error == pytest.approx(0.05, rel=1e-6)
    assert worst.rel_error == pytest.approx(0.05 / max(abs(worst.analytic), abs(worst.numeric)), rel=1e-6)
    assert worst.allowed == pytest.approx(1e-5 + 1e-3 * abs(np.cos(x[index])), rel=1e-6)
    text = str(result)
    first_row = next(line for line in text.splitlines() if line.strip().startswith(f"({index},)"))
    assert "FAILED" in text and f"({index},)" in text and "FAIL" in first_row
    assert text.splitlines().index(first_row) == 5        # headline, 3 summary lines, header
    assert "<table" in result._repr_html_() and "FAIL" in result._repr_html_()


def test_gradcheck_uses_torch_tolerance_rule():
    # f = 1000 * x0: numeric gradient 1000 (exactly representable quotient up to rounding);
    # torch's rule allows |a - n| <= atol + rtol * |n| = 1e-5 + 1 = 1.00001.
    f = lambda p: 1000.0 * p[0] + 0.0 * p[1]
    x = np.array([0.5, 0.25])
    assert numeric.gradcheck(f, lambda p: np.array([1000.9, 0.0]), x).ok
    assert not numeric.gradcheck(f, lambda p: np.array([1001.1, 0.0]), x).ok
    # for a zero entry only atol counts
    assert numeric.gradcheck(f, lambda p: np.array([1000.0, 0.9e-5]), x).ok
    assert not numeric.gradcheck(f, lambda p: np.array([1000.0, 1.1e-5]), x).ok
    tight = numeric.gradcheck(f, lambda p: np.array([1000.9, 0.0]), x, atol=0.0, rtol=1e-4)
    assert not tight.ok and tight.rtol == 1e-4 and tight.atol == 0.0


def test_gradcheck_checks_a_jacobian():
    F = lambda p: np.array([p[0] * p[1], np.sin(p[0]), p[1] ** 2])
    J = lambda p: np.array([[p[1], p[0]], [np.cos(p[0]), 0.0], [0.0, 2 * p[1]]])
    x = np.array([0.4, -0.9])
    assert numeric.gradcheck(F, J, x).ok

    def J_wrong(p):
        out = J(p)
        out[2, 1] = p[1]                     # forgot the factor 2
        return out

    result = numeric.gradcheck(F, J_wrong, x)
    assert not result.ok and result.worst_index == (2, 1)
    assert result.analytic.shape == result.numeric.shape == (3, 2)
    assert not result.analytic.flags.writeable


def test_gradcheck_flags_float32_roundoff_that_float64_would_not():
    # A correct gradient evaluated in float32 carries ~1e-7 relative noise: the check in float64
    # sees it as a (small) error, far above float64's ~1e-10.
    x = np.array([0.3, -1.2, 2.0])
    exact = numeric.gradcheck(_sum_sin, np.cos, x)
    single = numeric.gradcheck(_sum_sin, lambda p: np.cos(p.astype(np.float32)).astype(np.float64), x)
    assert single.max_rel_error > 100 * exact.max_rel_error
    assert 1e-9 < single.max_rel_error < 1e-6
    assert single.max_rel_error <= single.max_entry_rel_error


# ---------------------------------------------------------------- every error message

def _sqrt_or_nan(p):
    return np.sqrt(p[0]) if p[0] >= 0 else np.nan


@pytest.mark.parametrize("call, pattern", [
    (lambda: numeric.derivative(np.sin, 1.0, method="centre"),
     r"method must be one of 'forward', 'backward', 'central', 'complex', got 'centre'"),
    (lambda: numeric.gradient(_sum_sin, [1.0], method=None), r"method must be one of .*, got None"),
    (lambda: numeric.derivative(3, 1.0), r"f must be a callable \(a Python function\), got int"),
    (lambda: numeric.gradcheck(_sum_sin, "cos", [1.0]), r"grad must be a callable \(a Python function\), got str"),
    (lambda: numeric.derivative(np.sin, np.nan), r"x must be finite, got nan"),
    (lambda: numeric.derivative(np.sin, "1"), r"x must be real numbers, got '1'"),
    (lambda: numeric.derivative(np.sin, 1 + 2j), r"x must be real numbers, got \(1\+2j\)"),
    (lambda: numeric.derivative(np.sin, [1.0, 2.0]),
     r"x must be a single number for derivative, got shape \(2,\) \(use gradient or jacobian"),
    (lambda: numeric.gradient(_sum_sin, 1.0), r"x must be a 1-D array \(one entry per variable\), got shape \(\)"),
    (lambda: numeric.gradient(_sum_sin, np.ones((2, 2))), r"x must be a 1-D array .* got shape \(2, 2\)"),
    (lambda: numeric.gradient(_sum_sin, []), r"x must have at least one entry"),
    (lambda: numeric.gradient(_sum_sin, [1.0, np.inf]), r"x must be finite, got"),
    (lambda: numeric.derivative(np.sin, 1.0, h=0.0), r"h must be positive and finite .* got 0.0"),
    (lambda: numeric.derivative(np.sin, 1.0, h=-1e-3), r"h must be positive and finite .* got -0.001"),
    (lambda: numeric.derivative(np.sin, 1.0, h=np.nan), r"h must be positive and finite .* got nan"),
    (lambda: numeric.derivative(np.sin, 1.0, h="small"), r"h must be positive and finite .* got 'small'"),
    (lambda: numeric.gradient(_sum_sin, [1.0, 2.0], h=[1e-3, 1e-3, 1e-3]),
     r"h must be a number or have x's shape \(2,\), got shape \(3,\)"),
    (lambda: numeric.derivative(np.sin, 1e308, h=1e308), r"h is too large: x \+- h overflows"),
    (lambda: numeric.default_step("exact", 1.0), r"method must be one of"),
    (lambda: numeric.default_step("central", 1.0, order=3), r"order must be 1 \(first derivatives\) or 2 \(second\), got 3"),
    (lambda: numeric.default_step("central", [np.nan]), r"x must be finite"),
    (lambda: numeric.gradient(_sqrt_or_nan, [1e-9], h=1e-3),
     r"f must return finite values, got nan at x = \[-0.001\]"),
    (lambda: numeric.derivative(lambda t: np.inf, 1.0), r"f must return finite values, got inf at x = 1.0"),
    (lambda: numeric.gradient(lambda p: p, [1.0, 2.0]),
     r"f must return a scalar for gradient \(use jacobian for a vector-valued f\), got shape \(2,\)"),
    (lambda: numeric.hessian(lambda p: p, [1.0, 2.0]), r"f must return a scalar for hessian"),
    (lambda: numeric.derivative(lambda t: [t, t], 1.0), r"f must return a scalar for derivative"),
    (lambda: numeric.gradient(lambda p: "big", [1.0]), r"f must return real numbers, got 'big'"),
    (lambda: numeric.gradient(lambda p: 1j * p[0], [1.0]), r"f must return real numbers, got 1.00000\d+j at x = \[1.00000606\]"),
    (lambda: numeric.jacobian(lambda p: p[: 1 + int(p[0] > 1)], [1.0, 2.0]),
     r"f must return an array of shape \(1,\) for jacobian, got shape \(2,\)"),
    (lambda: numeric.derivative(math.sin, 1.0, method="complex"),
     r"method='complex' needs f to accept complex input .* f raised TypeError: must be real number"),
    (lambda: numeric.gradient(lambda p: float(p[0]), [1.0], method="complex"),
     r"method='complex' needs f to accept complex input .* f raised (TypeError|ComplexWarning)"),
    (lambda: numeric.gradient(lambda p: np.array(p, dtype=float).sum(), [1.0], method="complex"),
     r"method='complex' needs .* f raised ComplexWarning"),
    (lambda: numeric.gradient(lambda p: np.abs(p).sum(), [1.0], method="complex"),
     r"method='complex' needs .* f returned float64 values, dropping the imaginary part"),
    (lambda: numeric.hessian(lambda p: math.exp(p[0]), [1.0], method="complex"),
     r"method='complex' needs f to accept complex input"),
    (lambda: numeric.step_errors(np.sin, 1.0, math.cos(1.0), [], "central"),
     r"hs must be a non-empty array of positive finite steps"),
    (lambda: numeric.step_errors(np.sin, 1.0, math.cos(1.0), [1e-3, -1e-3], "central"),
     r"hs must be a non-empty array of positive finite steps, got \[0.001, -0.001\]"),
    (lambda: numeric.step_errors(np.sin, 1.0, [1.0, 2.0], [1e-3], "central"),
     r"exact must be a single number \(the true f'\(x\)\)"),
    (lambda: numeric.step_errors(np.sin, 1.0, np.nan, [1e-3], "central"), r"exact must be finite"),
    (lambda: numeric.step_errors(np.sin, 1.0, 0.5, [1e-3], "complicated"), r"method must be one of"),
    (lambda: numeric.step_errors(lambda t: np.sqrt(t) if t >= 0 else np.nan, 0.5, 0.7, [1.0], "central"),
     r"f must return finite values, got nan at x = -0.5"),
    (lambda: numeric.gradcheck(_sum_sin, np.cos, [1.0], eps=0), r"eps must be a finite number > 0, got 0"),
    (lambda: numeric.gradcheck(_sum_sin, np.cos, [1.0], eps="1e-6"), r"eps must be a finite number > 0, got '1e-6'"),
    (lambda: numeric.gradcheck(_sum_sin, np.cos, [1.0], atol=-1.0), r"atol must be a finite number >= 0, got -1.0"),
    (lambda: numeric.gradcheck(_sum_sin, np.cos, [1.0], rtol=np.nan), r"rtol must be a finite number >= 0, got nan"),
    (lambda: numeric.gradcheck(_sum_sin, lambda p: np.cos(p)[:, None], [1.0, 2.0]),
     r"grad must return an array of shape \(2,\) \(f\(x\).shape \+ x.shape\), got shape \(2, 1\)"),
    (lambda: numeric.gradcheck(_sum_sin, lambda p: np.array([1.0, np.nan]), [1.0, 2.0]),
     r"grad must return finite values, got nan at index \(1,\)"),
    (lambda: numeric.gradcheck(_sum_sin, lambda p: "cos", [1.0]), r"grad must return real numbers, got 'cos'"),
])
def test_error_messages(call, pattern):
    with pytest.raises(ValueError, match=pattern):
        call()


def test_complex_step_on_a_constant_function_explains_the_fix():
    with pytest.raises(ValueError, match=r"if f is constant, use method='central'"):
        numeric.gradient(lambda p: 3.0, [1.0], method="complex")


def test_gradcheck_result_pretty_prints_its_table() -> None:
    from IPython.lib.pretty import pretty
    result = numeric.gradcheck(lambda v: float(np.sum(v**2)), lambda v: 2 * v + np.array([0, 1e-2]),
                               np.array([1.0, 2.0]))
    text = pretty(result)
    assert text == str(result)
    assert text.startswith("gradcheck FAILED: 1 of 2 entries") and "(1,)" in text
