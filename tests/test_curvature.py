"""Tests for gradlib.curvature.

Oracles: NumPy's eigh/eigvals/cond/cholesky, closed forms, the full 2n x 2n heavy-ball matrix,
measured contraction of real gradlib.optim runs, and SymPy resultants for critical points.
"""
from __future__ import annotations

import dataclasses
import math
import time
from collections import Counter

import numpy as np
import pytest
import sympy as sp
from hypothesis import given, settings
from hypothesis import strategies as st

from gradlib import curvature as C
from gradlib import symbolic

# -- problems and strategies -------------------------------------------------------------------


class Quadratic:
    """f(x) = 1/2 (x - c)^T A (x - c): a duck-typed problem, vectorized over (..., n)."""

    def __init__(self, A: np.ndarray, c: np.ndarray | None = None) -> None:
        self.A = np.asarray(A, dtype=float)
        self.c = np.zeros(len(A)) if c is None else np.asarray(c, dtype=float)

    def f(self, p):
        d = np.asarray(p, dtype=float) - self.c
        return 0.5 * np.einsum("...i,ij,...j->...", d, self.A, d)

    def grad(self, p):
        return (np.asarray(p, dtype=float) - self.c) @ self.A

    def hess(self, p):
        p = np.asarray(p, dtype=float)
        return np.broadcast_to(self.A, p.shape[:-1] + self.A.shape).copy()


class SymSurface:
    """A 2-D surface built here from a formula with gradlib.symbolic (independent of surfaces.py)."""

    def __init__(self, text: str, lim: tuple[float, float]) -> None:
        self.variables = symbolic.symbols("x y")
        self.expr = symbolic.parse(text, self.variables)
        self._f = symbolic.lambdify(self.expr, self.variables)
        self._g = symbolic.lambdify(symbolic.gradient(self.expr, self.variables), self.variables)
        self._h = symbolic.lambdify(symbolic.hessian(self.expr, self.variables), self.variables)
        self.xlim = self.ylim = lim
        self.minima = None

    def f(self, p):
        p = np.asarray(p, dtype=float)
        return self._f(p[..., 0], p[..., 1])

    def grad(self, p):
        p = np.asarray(p, dtype=float)
        return self._g(p[..., 0], p[..., 1])

    def hess(self, p):
        p = np.asarray(p, dtype=float)
        return self._h(p[..., 0], p[..., 1])


def rotation(n: int, seed: int) -> np.ndarray:
    q, r = np.linalg.qr(np.random.default_rng(seed).normal(size=(n, n)))
    return q * np.sign(np.diag(r))


@st.composite
def spd_matrices(draw, low: float = 0.1, high: float = 10.0, n_max: int = 5):
    """(A, eigenvalues, Q) with A = Q diag(eigenvalues) Q^T positive definite."""
    n = draw(st.integers(2, n_max))
    lams = np.sort(np.array(draw(st.lists(st.floats(low, high), min_size=n, max_size=n))))
    Q = rotation(n, draw(st.integers(0, 2**32 - 1)))
    return (Q * lams) @ Q.T, lams, Q


@st.composite
def symmetric_matrices(draw, n_max: int = 6):
    n = draw(st.integers(1, n_max))
    M = np.random.default_rng(draw(st.integers(0, 2**32 - 1))).normal(size=(n, n))
    return M + M.T


# -- analyze ------------------------------------------------------------------------------------


@given(symmetric_matrices())
def test_analyze_agrees_with_numpy_eigh(H):
    c = C.analyze(H)
    np.testing.assert_allclose(c.eigenvalues, np.linalg.eigvalsh(H), rtol=1e-12, atol=1e-12)
    assert np.all(np.diff(c.eigenvalues) >= 0)
    V = c.eigenvectors
    np.testing.assert_allclose(H @ V, V * c.eigenvalues, atol=1e-10)      # columns are eigenvectors
    np.testing.assert_allclose(V.T @ V, np.eye(len(H)), atol=1e-12)       # orthonormal
    assert c.lambda_min == c.eigenvalues[0] and c.lambda_max == c.eigenvalues[-1]


@given(symmetric_matrices())
def test_kind_agrees_with_cholesky(H):
    # independent oracle: H is positive definite iff a Cholesky factorization exists
    def definite(M):
        try:
            np.linalg.cholesky(M)
            return True
        except np.linalg.LinAlgError:
            return False
    kind = C.analyze(H).kind
    if definite(H):
        assert kind == "minimum"
    elif definite(-H):
        assert kind == "maximum"
    else:   # random matrices are almost surely non-singular: indefinite
        assert kind == "saddle"


@given(symmetric_matrices())
def test_condition_is_the_2_norm_condition_number(H):
    np.testing.assert_allclose(C.analyze(H).condition, np.linalg.cond(H, 2), rtol=1e-8)


@pytest.mark.parametrize("H, kind", [
    (np.diag([1.0, 2.0]), "minimum"),
    (np.diag([-1.0, -3.0]), "maximum"),
    (np.diag([2.0, -1.0]), "saddle"),
    ([[0.0, 1.0], [1.0, 0.0]], "saddle"),           # f = x y: eigenvalues -1, +1
    ([[2.0, 1.0], [1.0, 2.0]], "minimum"),          # eigenvalues 1, 3
    ([[1.0, 2.0], [2.0, 1.0]], "saddle"),           # eigenvalues -1, 3: positive diagonal, still a saddle
    (np.diag([1.0, 0.0]), "degenerate"),            # x**2 + y**4 and x**2 - y**4 look alike here
    (np.diag([0.0, -1.0]), "degenerate"),
    (np.zeros((2, 2)), "degenerate"),               # monkey saddle at its centre
    (np.diag([1.0, -1.0, 0.0]), "saddle"),          # indefinite: the test is conclusive
    (np.diag([1.0, 1e-12]), "degenerate"),          # 1e-12 <= 1e-8 * 1 counts as zero
    ([[3.0]], "minimum"),
    ([[-0.5]], "maximum"),
])
def test_kinds_of_hand_made_hessians(H, kind):
    c = C.analyze(H)
    assert c.kind == kind
    # rotating the coordinates changes nothing about the point
    n = len(c.eigenvalues)
    Q = rotation(n, 7)
    assert C.analyze(Q @ np.asarray(H) @ Q.T).kind == kind


def test_tolerance_is_relative_and_documented_scale_makes_it_absolute():
    H = np.diag([1.0, 1e-12])
    assert C.analyze(H).kind == "degenerate"
    assert C.analyze(H, tol=1e-14).kind == "minimum"
    assert C.analyze(H, tol=1e-14).condition == pytest.approx(1e12)
    # near the monkey saddle's centre the Hessian is [[6x, -6y], [-6y, -6x]]: eigenvalues +-6|p|
    tiny = np.array([[6e-9, 0.0], [0.0, -6e-9]])
    assert C.analyze(tiny).kind == "saddle"
    assert C.analyze(tiny, scale=10.0).kind == "degenerate"
    assert C.analyze(tiny, scale=10.0).scale == 10.0


def test_known_eigenpairs_and_condition():
    c = C.analyze([[2.0, 1.0], [1.0, 2.0]])
    np.testing.assert_allclose(c.eigenvalues, [1.0, 3.0])
    s = 1 / math.sqrt(2)
    # sign convention: the largest-magnitude entry of each eigenvector is positive
    np.testing.assert_allclose(c.eigenvectors, [[s, s], [-s, s]], atol=1e-15)
    assert c.condition == pytest.approx(3.0)
    assert C.analyze(np.diag([1.0, 100.0])).condition == pytest.approx(100.0)
    Q = rotation(2, 3)
    assert C.analyze(Q @ np.diag([1.0, 100.0]) @ Q.T).condition == pytest.approx(100.0)
    assert C.analyze(np.diag([-2.0, 8.0])).condition == pytest.approx(4.0)
    assert C.analyze(np.diag([0.0, 5.0])).condition == math.inf
    assert C.analyze(np.zeros((3, 3))).condition == math.inf


def test_analyze_returns_frozen_result_and_leaves_input_alone():
    H = np.array([[2.0, 1.0 + 1e-9], [1.0, 2.0]])
    before = H.copy()
    c = C.analyze(H)
    np.testing.assert_array_equal(H, before)
    with pytest.raises(dataclasses.FrozenInstanceError):
        c.kind = "maximum"
    with pytest.raises(ValueError):
        c.eigenvalues[0] = 0.0       # read-only array


@pytest.mark.parametrize("H, match", [
    (np.ones(3), r"H must be a 2-D array .* got shape \(3,\)"),
    (np.ones((2, 2, 2)), r"H must be a 2-D array .* got shape \(2, 2, 2\)"),
    (np.ones((2, 3)), r"H must be square .* got shape \(2, 3\)"),
    (np.ones((0, 0)), r"H must be square \(n x n with n >= 1\), got shape \(0, 0\)"),
    ([[1.0, 2.0], [0.0, 1.0]], r"H must be symmetric .* max\|H - H.T\| = 2 exceeds"),
    ([[1.0, np.nan], [np.nan, 1.0]], r"H must be finite, got nan at index \(0, 1\)"),
    ([[np.inf, 0.0], [0.0, 1.0]], r"H must be finite, got inf at index \(0, 0\)"),
    (np.eye(2) * 1j, r"H must be a real numeric array, got dtype complex128"),
    ("not a matrix", r"H must be a real numeric array, got dtype <U12"),
    ([[1.0, 2.0], [3.0]], r"H must be a real numeric array, got list"),
])
def test_analyze_rejects_bad_hessians(H, match):
    with pytest.raises(ValueError, match=match):
        C.analyze(H)


@pytest.mark.parametrize("kwargs, match", [
    ({"tol": -1.0}, r"tol must be a finite number in \[0, 1\), got -1.0"),
    ({"tol": 1.0}, r"tol must be a finite number in \[0, 1\), got 1.0"),
    ({"tol": float("nan")}, r"tol must be a finite number in \[0, 1\), got nan"),
    ({"tol": "small"}, r"tol must be a finite number in \[0, 1\), got 'small'"),
    ({"scale": 0.0}, r"scale must be a finite number > 0, got 0.0"),
])
def test_analyze_rejects_bad_tolerances(kwargs, match):
    with pytest.raises(ValueError, match=match):
        C.analyze(np.eye(2), **kwargs)


# -- step sizes and rates -----------------------------------------------------------------------


def test_max_stable_lr_closed_forms():
    assert C.max_stable_lr(np.diag([1.0, 4.0])) == pytest.approx(0.5)
    assert C.max_stable_lr(np.diag([-3.0, 4.0])) == pytest.approx(0.5)
    assert C.max_stable_lr(np.diag([-1.0, -4.0])) == math.inf
    assert C.max_stable_lr(np.zeros((2, 2))) == math.inf
    with pytest.raises(ValueError, match="H must be symmetric"):
        C.max_stable_lr([[1.0, 1.0], [0.0, 1.0]])


@settings(max_examples=20)
@given(st.integers(2, 5), st.integers(0, 2**32 - 1))
def test_at_the_threshold_gd_bounces_with_constant_amplitude(n, seed):
    """max_stable_lr is a threshold, not a largest stable step: at lr = 2 / l_max exactly the top
    eigen-component flips sign every step and keeps its size forever (gd_rate = 1)."""
    from gradlib import optim
    rng = np.random.default_rng(seed)
    lams = np.sort(rng.uniform(0.1, 10.0, n))
    lams[-1] = lams[-2] + rng.uniform(0.5, 5.0)                 # a gap below the top eigenvalue
    Q = rotation(n, seed)
    A, c = (Q * lams) @ Q.T, rng.normal(size=n)
    x0 = c + Q[:, -1] + 0.1 * rng.normal(size=n)
    lr = C.max_stable_lr(A)
    assert C.gd_rate(A, lr) == pytest.approx(1.0, abs=1e-12)
    path = optim.descend(Quadratic(A, c), optim.gd(lr), x0, steps=300, tol=0.0)
    top = (path.xs - c) @ Q[:, -1]                               # component along the top eigenvector
    assert path.status == "max_steps"
    np.testing.assert_allclose(np.abs(top), abs(top[0]), rtol=1e-9)
    assert np.all(top[1:] * top[:-1] < 0)


def _level_set_radii(f, directions, level):
    """Distance from 0 to the level set f = level along each unit direction, by bisection."""
    r_in, r_out = np.zeros(len(directions)), np.ones(len(directions))
    while np.any(f(r_out[:, None] * directions) < level):
        r_out *= 2
    for _ in range(60):
        mid = (r_in + r_out) / 2
        inside = f(mid[:, None] * directions) < level
        r_in, r_out = np.where(inside, mid, r_in), np.where(inside, r_out, mid)
    return r_in


@settings(max_examples=20)
@given(spd_matrices(n_max=2))
def test_level_sets_are_sqrt_condition_times_longer_than_wide(spd):
    """The condition number is a ratio of curvatures; the level sets' axis ratio is its root."""
    A, _, _ = spd
    angles = np.linspace(0.0, np.pi, 20_000, endpoint=False)
    radii = _level_set_radii(Quadratic(A).f, np.column_stack([np.cos(angles), np.sin(angles)]), 1.0)
    assert radii.max() / radii.min() == pytest.approx(math.sqrt(C.analyze(A).condition), rel=1e-5)


def _gd_distances(A, c, x0, lr, steps):
    """Distances |x_k - c| of gradient descent, run with gradlib.optim."""
    from gradlib import optim
    path = optim.descend(Quadratic(A, c), optim.gd(lr), x0, steps=steps)
    return np.linalg.norm(path.xs - c, axis=1), path


@settings(max_examples=20)
@given(spd_matrices(), st.integers(0, 2**32 - 1))
def test_stability_threshold_on_random_spd_quadratics(spd, seed):
    A, lams, Q = spd
    rng = np.random.default_rng(seed)
    c = rng.normal(size=len(A))
    x0 = c + Q[:, -1] + 0.1 * rng.normal(size=len(A))      # a component along the top eigenvector
    lr_max = C.max_stable_lr(A)
    np.testing.assert_allclose(lr_max, 2 / lams[-1], rtol=1e-10)

    lr = 0.99 * lr_max
    rate = C.gd_rate(A, lr)
    assert rate < 1
    dist, _ = _gd_distances(A, c, x0, lr, 300)
    assert np.all(np.diff(dist) <= 1e-12 * dist[0])                     # never grows
    assert dist[-1] <= rate ** (len(dist) - 1) * dist[0] * (1 + 1e-6) + 1e-12
    assert dist[-1] < 0.01 * dist[0]

    lr = 1.01 * lr_max
    assert C.gd_rate(A, lr) > 1
    dist, path = _gd_distances(A, c, x0, lr, 2000)
    assert path.status == "diverged"
    assert dist[-1] > 1e3 * dist[0]


def test_gd_rate_matches_measured_contraction():
    Q = rotation(3, 11)
    A = (Q * np.array([0.5, 2.0, 8.0])) @ Q.T
    x0 = np.array([1.0, -2.0, 0.5])
    for lr in (0.05, 0.2, 0.24):
        dist, _ = _gd_distances(A, np.zeros(3), x0, lr, 120)
        measured = (dist[120] / dist[60]) ** (1 / 60)
        assert measured == pytest.approx(C.gd_rate(A, lr), rel=1e-3)
    # closed form for the best constant step: (kappa - 1) / (kappa + 1)
    best = C.optimal_gd(A)
    assert best.lr == pytest.approx(2 / 8.5) and best.rate == pytest.approx(15 / 17)
    assert C.gd_rate(A, best.lr) == pytest.approx(best.rate)
    assert min(C.gd_rate(A, lr) for lr in np.linspace(0.01, 0.25, 241)) >= best.rate - 1e-12


def _heavy_ball_matrix(H, lr, beta):
    n = len(H)
    return np.block([[(1 + beta) * np.eye(n) - lr * H, -beta * np.eye(n)],
                     [np.eye(n), np.zeros((n, n))]])


@given(symmetric_matrices(n_max=4), st.floats(0.0, 1.0), st.floats(0.0, 0.99))
def test_momentum_rate_is_spectral_radius_of_the_full_iteration_matrix(H, lr, beta):
    full = np.max(np.abs(np.linalg.eigvals(_heavy_ball_matrix(H, lr, beta))))
    # a double eigenvalue (critical damping) is computed by eigvals with error ~ sqrt(machine eps)
    assert C.momentum_rate(H, lr, beta) == pytest.approx(full, rel=1e-6, abs=1e-6)


@given(spd_matrices(), st.floats(0.0, 0.95))
def test_momentum_stable_iff_lr_lambda_below_2_1_plus_beta(spd, beta):
    A, lams, _ = spd
    edge = 2 * (1 + beta) / lams[-1]          # classical heavy-ball stability boundary
    assert C.momentum_rate(A, 0.99 * edge, beta) < 1
    assert C.momentum_rate(A, 1.01 * edge, beta) > 1


def test_momentum_rate_map_broadcasts_and_matches_the_full_matrix():
    lams = np.array([0.5, 3.0])
    lrs, betas = np.meshgrid(np.linspace(0.0, 1.2, 7), np.linspace(0.0, 0.95, 5))
    rates = C.momentum_rate_map(lams, lrs, betas)
    assert rates.shape == (5, 7)
    H = np.diag(lams)
    for lr, beta, rate in zip(lrs.ravel(), betas.ravel(), rates.ravel()):
        full = np.max(np.abs(np.linalg.eigvals(_heavy_ball_matrix(H, lr, beta))))
        assert rate == pytest.approx(full, rel=1e-6, abs=1e-6)
    assert C.momentum_rate_map(lams, 0.1, 0.5).shape == ()
    assert C.momentum_rate_map(lams, np.array([0.1, 0.2]), 0.5).shape == (2,)


def test_optimal_momentum_beats_every_grid_point_and_gd():
    Q = rotation(2, 5)
    A = (Q * np.array([1.0, 100.0])) @ Q.T
    best = C.optimal_momentum(A)
    assert best.rate == pytest.approx(9 / 11)                  # (sqrt(100) - 1) / (sqrt(100) + 1)
    assert C.momentum_rate(A, best.lr, best.beta) == pytest.approx(best.rate, rel=1e-6)
    lrs, betas = np.meshgrid(np.linspace(0.0, 0.04, 81), np.linspace(0.0, 0.99, 100))
    assert C.momentum_rate_map([1.0, 100.0], lrs, betas).min() >= best.rate - 1e-9
    assert best.rate < C.optimal_gd(A).rate
    with pytest.raises(ValueError, match=r"H must be positive definite \(a minimum\), got a saddle"):
        C.optimal_momentum(np.diag([1.0, -1.0]))


def test_torch_style_momentum_is_the_heavy_ball():
    from gradlib import optim
    A = np.diag([1.0, 10.0])
    x0 = np.array([1.0, 1.0])
    lr, beta = 0.05, 0.8
    path = optim.descend(Quadratic(A), optim.momentum(lr, beta), x0, steps=40)
    xs = [x0, x0 - lr * A @ x0]                                  # x_{-1} = x_0: no velocity yet
    for _ in range(39):
        xs.append(xs[-1] - lr * A @ xs[-1] + beta * (xs[-1] - xs[-2]))
    np.testing.assert_allclose(path.xs, np.array(xs), rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("lr, beta", [
    (0.05, 0.5),     # overdamped on the flat direction
    (0.15, 0.9),     # underdamped: rate sqrt(beta)
    (0.01, 0.2),     # slow: rate set by the smallest eigenvalue
    (0.25, 0.2),     # lr * l_max = 2.5 > 2 (1 + beta) = 2.4: diverges
])
def test_momentum_rate_matches_measured_contraction_of_real_runs(lr, beta):
    from gradlib import optim
    Q = rotation(2, 1)
    A = (Q * np.array([1.0, 10.0])) @ Q.T
    path = optim.descend(Quadratic(A), optim.momentum(lr, beta), np.array([1.0, -0.7]), steps=300,
                         tol=0.0, bound=1e30)
    assert path.status == "max_steps"
    dist = np.linalg.norm(path.xs, axis=1)
    # the distance oscillates inside an envelope C * rate**k; compare envelopes 200 steps apart
    early, late = dist[60:90].max(), dist[260:290].max()
    measured = (late / early) ** (1 / 200)
    assert measured == pytest.approx(C.momentum_rate(A, lr, beta), rel=0.01)


@pytest.mark.parametrize("call, match", [
    (lambda: C.gd_rate(np.eye(2), -0.1), r"lr must be a finite number >= 0, got -0.1"),
    (lambda: C.momentum_rate(np.eye(2), 0.1, -0.5), r"beta must be a finite number >= 0, got -0.5"),
    (lambda: C.momentum_rate(np.eye(2), float("inf"), 0.5), r"lr must be a finite number"),
    (lambda: C.momentum_rate_map([1.0], [0.1, -0.1], 0.5), r"lrs must be >= 0, got -0.1"),
    (lambda: C.momentum_rate_map([1.0], 0.1, [np.nan]), r"betas must be finite, got nan at index \(0,\)"),
    (lambda: C.momentum_rate_map([], 0.1, 0.5), r"eigenvalues must hold at least one eigenvalue"),
    (lambda: C.momentum_rate_map([1.0], [0.1, 0.2], [0.5, 0.6, 0.7]), r"lrs and betas must broadcast together, got shapes \(2,\) and \(3,\)"),
])
def test_rate_functions_reject_bad_input(call, match):
    with pytest.raises(ValueError, match=match):
        call()


# -- the quadratic model and Newton's step ------------------------------------------------------


@given(spd_matrices(), st.integers(0, 2**32 - 1))
def test_newton_step_reaches_the_minimum_of_a_spd_quadratic_in_one_step(spd, seed):
    A, _, _ = spd
    rng = np.random.default_rng(seed)
    c, p = rng.normal(size=len(A)), 3 * rng.normal(size=len(A))
    model = C.quadratic_model(Quadratic(A, c), p)
    np.testing.assert_allclose(p + model.newton_step, c, atol=1e-8 * (1 + np.abs(c).max()))
    q = rng.normal(size=(4, 3, len(A)))
    np.testing.assert_allclose(model(q), Quadratic(A, c).f(q), rtol=1e-10, atol=1e-10)


@given(spd_matrices(n_max=4), st.integers(0, 2**32 - 1))
def test_newton_optimizer_agrees_with_the_model_step(spd, seed):
    from gradlib import optim
    A, _, _ = spd
    rng = np.random.default_rng(seed)
    c, p = rng.normal(size=len(A)), rng.normal(size=len(A))
    path = optim.descend(Quadratic(A, c), optim.newton(lr=1.0), p, steps=1)
    np.testing.assert_allclose(path.xs[1], p + C.quadratic_model(Quadratic(A, c), p).newton_step,
                               atol=1e-9)


def test_quadratic_model_error_is_third_order():
    surface = SymSurface("(1 - x)**2 + 100*(y - x**2)**2 + sin(x*y)", (-2, 2))
    p = np.array([-0.7, 0.4])
    model = C.quadratic_model(surface, p)
    assert model.f0 == pytest.approx(float(surface.f(p)))
    np.testing.assert_allclose(model.g, surface.grad(p))
    np.testing.assert_allclose(model.H, surface.hess(p))
    d = np.array([0.6, -0.8])
    errors = [abs(float(surface.f(p + h * d)) - float(model(p + h * d))) for h in (1e-2, 5e-3)]
    assert errors[0] / errors[1] == pytest.approx(8.0, rel=0.05)      # halving h divides by 2**3


def test_newton_heads_for_the_saddle_and_is_undefined_where_h_is_singular():
    saddle = SymSurface("x**2 - y**2", (-2, 2))
    model = C.quadratic_model(saddle, [0.8, -1.3])
    assert model.curvature.kind == "saddle"
    np.testing.assert_allclose(model.p + model.newton_step, [0.0, 0.0], atol=1e-15)
    flat = SymSurface("x**4 + y**2", (-2, 2))
    assert C.quadratic_model(flat, [0.0, 0.5]).newton_step is None


@pytest.mark.parametrize("surface, p, match", [
    (object(), [0.0, 0.0], r"surface must have callable f, grad, hess .* object lacks f, grad, hess"),
    (SymSurface("x**2 + y**2", (-1, 1)), [0.0, 0.0, 0.0], r"p must be one point of shape \(2,\), got shape \(3,\)"),
    (SymSurface("x**2 + y**2", (-1, 1)), [[0.0, 0.0]], r"p must be one point of shape \(2,\), got shape \(1, 2\)"),
    (SymSurface("x**2 + y**2", (-1, 1)), [np.nan, 0.0], r"p must be finite, got nan at index \(0,\)"),
    (SymSurface("log(x) + y**2", (-1, 1)), [-1.0, 0.0], r"p must be a point where f is finite"),
])
def test_quadratic_model_rejects_bad_input(surface, p, match):
    with pytest.raises(ValueError, match=match):
        C.quadratic_model(surface, p)


def test_quadratic_model_call_rejects_wrong_shape():
    model = C.quadratic_model(Quadratic(np.eye(3)), np.ones(3))
    with pytest.raises(ValueError, match=r"q must have shape \(\.\.\., 3\), got shape \(5, 2\)"):
        model(np.ones((5, 2)))


# -- critical points ----------------------------------------------------------------------------


def _critical_points_by_resultant(expr, variables, window):
    """Independent oracle: the real solutions of grad f = 0 by elimination, classified by det/trace.

    The resultant of f_x and f_y with respect to y is a polynomial in x whose roots are the x of
    every (complex) solution; SymPy isolates its real roots exactly. Each is paired with the real
    roots y of f_y(x0, y) (or f_x if that vanishes) that make the whole gradient vanish.
    """
    x, y = variables
    expr = sp.nsimplify(expr, rational=True)
    fx, fy = sp.diff(expr, x), sp.diff(expr, y)
    H = sp.hessian(expr, (x, y))
    found = []
    for x0 in sorted({float(r) for r in sp.real_roots(sp.Poly(sp.resultant(fx, fy, y), x))}):
        in_y = [sp.Poly(g.subs(x, x0), y) for g in (fy, fx)]
        poly = next(p for p in in_y if p.degree() > 0)
        for y0 in np.roots([float(c) for c in poly.all_coeffs()]):
            point = {x: x0, y: float(y0.real)}
            if abs(y0.imag) > 1e-7 or max(abs(float(g.subs(point))) for g in (fx, fy)) > 1e-6:
                continue
            if not all(lo - 1e-9 <= v <= hi + 1e-9 for v, (lo, hi) in zip((x0, y0.real), window)):
                continue
            Hn = np.array(H.subs(point), dtype=float)
            det, trace = np.linalg.det(Hn), np.trace(Hn)
            kind = ("saddle" if det < -1e-9 else "degenerate" if abs(det) <= 1e-9
                    else "minimum" if trace > 0 else "maximum")
            if all(np.hypot(x0 - a, y0.real - b) > 1e-6 for (a, b), _ in found):
                found.append(((x0, float(y0.real)), kind))
    return found


def _assert_same_points(found, oracle):
    assert len(found) == len(oracle)
    for (point, kind) in oracle:
        match = [cp for cp in found if np.hypot(*(cp.point - point)) < 1e-6]
        assert len(match) == 1 and match[0].kind == kind, (point, kind, match)


@pytest.mark.parametrize("text, lim, counts", [
    ("(x**2 + y - 11)**2 + (x + y**2 - 7)**2", (-5.0, 5.0),
     {"minimum": 4, "maximum": 1, "saddle": 4}),                          # Himmelblau
    ("(4 - 2.1*x**2 + x**4/3)*x**2 + x*y + (-4 + 4*y**2)*y**2", (-2.0, 2.0),
     {"minimum": 6, "maximum": 2, "saddle": 7}),                          # six-hump camel
    ("x**2 - y**2", (-2.0, 2.0), {"saddle": 1}),
    ("(1 - x)**2 + 100*(y - x**2)**2", (-2.0, 2.0), {"minimum": 1}),     # Rosenbrock
])
def test_critical_points_match_the_resultant_oracle(text, lim, counts):
    surface = SymSurface(text, lim)
    start = time.perf_counter()
    found = C.critical_points(surface)
    assert time.perf_counter() - start < 1.0
    oracle = _critical_points_by_resultant(surface.expr, surface.variables, (lim, lim))
    _assert_same_points(found, oracle)
    assert Counter(cp.kind for cp in found) == counts
    values = [cp.value for cp in found]
    assert values == sorted(values)
    for cp in found:
        assert cp.value == pytest.approx(float(surface.f(cp.point)))
        assert np.linalg.norm(surface.grad(cp.point)) < 1e-8


@pytest.mark.parametrize("name, counts", [
    ("himmelblau", {"minimum": 4, "maximum": 1, "saddle": 4}),
    ("six_hump_camel", {"minimum": 6, "maximum": 2, "saddle": 7}),
    ("monkey_saddle", {"degenerate": 1}),
    ("saddle", {"saddle": 1}),
    ("rosenbrock", {"minimum": 1}),
    ("booth", {"minimum": 1}),
    ("beale", {"minimum": 1, "saddle": 2}),
    ("styblinski_tang", {"minimum": 4, "maximum": 1, "saddle": 4}),
])
def test_critical_points_of_the_catalogue_surfaces(name, counts):
    from gradlib import surfaces
    surface = surfaces.get(name)
    start = time.perf_counter()
    found = C.critical_points(surface)
    assert time.perf_counter() - start < 1.0
    assert Counter(cp.kind for cp in found) == counts
    oracle = _critical_points_by_resultant(surface.expr, surface.variables,
                                           (surface.xlim, surface.ylim))
    _assert_same_points(found, oracle)
    minima = [cp.point for cp in found if cp.kind == "minimum"]
    for known in surface.minima:     # every minimum the catalogue lists is found as a minimum
        assert min(np.linalg.norm(known - m) for m in minima) < 1e-6


def test_monkey_saddle_and_quartic_centres_are_degenerate():
    # grad(x**3 - 3 x y**2) = (3x**2 - 3y**2, -6xy) vanishes only at the origin, where H = 0
    for text in ("x**3 - 3*x*y**2", "x**4 + y**4", "x**2 + y**4"):
        found = C.critical_points(SymSurface(text, (-1.5, 1.5)))
        assert len(found) == 1, text
        assert found[0].kind == "degenerate"
        np.testing.assert_allclose(found[0].point, [0.0, 0.0], atol=1e-6)


def test_critical_points_with_explicit_starts_in_three_dimensions():
    A = np.diag([2.0, -1.0, 3.0])
    c = np.array([0.5, -1.0, 2.0])
    starts = np.random.default_rng(0).uniform(-3, 3, size=(10, 3))
    (cp,) = C.critical_points(Quadratic(A, c), starts=starts)
    np.testing.assert_allclose(cp.point, c, atol=1e-12)
    assert cp.kind == "saddle" and cp.value == pytest.approx(0.0)


@pytest.mark.parametrize("kwargs, match", [
    ({"starts": 5}, r"starts must be an array of shape \(k, n\) when the surface has no xlim/ylim"),
    ({"starts": np.ones(3)}, r"starts must be an int or an array of shape \(k, n\), got shape \(3,\)"),
    ({"starts": [[0.0, np.inf, 0.0]]}, r"starts must be finite, got inf at index \(0, 1\)"),
    ({"starts": np.ones((2, 3)), "tol": 2.0}, r"tol must be a finite number in \[0, 1\), got 2.0"),
    ({"starts": np.ones((2, 3)), "steps": 0}, r"steps must be an integer >= 1, got 0"),
])
def test_critical_points_rejects_bad_input(kwargs, match):
    with pytest.raises(ValueError, match=match):
        C.critical_points(Quadratic(np.eye(3)), **kwargs)


def test_critical_points_rejects_a_too_small_grid_and_wrong_width():
    surface = SymSurface("x**2 + y**2", (-1.0, 1.0))
    with pytest.raises(ValueError, match=r"starts must be >= 2 grid points per axis, got 1"):
        C.critical_points(surface, starts=1)
    with pytest.raises(ValueError, match=r"starts must have 2 columns \(one per variable\), got shape \(4, 3\)"):
        C.critical_points(surface, starts=np.zeros((4, 3)))


# -- along a path -------------------------------------------------------------------------------


def test_eigen_along_path_matches_pointwise_analysis_and_keeps_signs_continuous():
    surface = SymSurface("(1 - x)**2 + 100*(y - x**2)**2", (-2, 2))
    t = np.linspace(0, 1, 50)[:, None]
    xs = (1 - t) * np.array([-1.5, 2.0]) + t * np.array([1.0, 1.0])
    pc = C.eigen_along_path(surface, xs)
    assert pc.eigenvalues.shape == (50, 2) and pc.eigenvectors.shape == (50, 2, 2)
    for k in (0, 17, 49):
        c = C.analyze(surface.hess(xs[k]))
        np.testing.assert_allclose(pc.eigenvalues[k], c.eigenvalues, rtol=1e-12)
        # same directions up to sign
        np.testing.assert_allclose(np.abs(np.sum(pc.eigenvectors[k] * c.eigenvectors, axis=0)), 1.0)
    dots = np.einsum("tij,tij->tj", pc.eigenvectors[1:], pc.eigenvectors[:-1])
    assert np.all(dots > 0)


def test_lr_times_lambda_max_along_a_real_descent_path():
    from gradlib import optim
    surface = SymSurface("(1 - x)**2 + 100*(y - x**2)**2", (-2, 2))
    path = optim.descend(surface, optim.gd(1e-3), np.array([-1.5, 2.0]), steps=50)
    pc = C.eigen_along_path(surface, path.xs)
    ratio = C.lr_times_lambda_max(pc.eigenvalues, path.lrs)
    assert ratio.shape == (len(path.lrs),)
    expected = [lr * np.linalg.eigvalsh(surface.hess(x))[-1] for lr, x in zip(path.lrs, path.xs)]
    np.testing.assert_allclose(ratio, expected, rtol=1e-12)
    np.testing.assert_allclose(C.lr_times_lambda_max(pc.eigenvalues, 0.5), 0.5 * pc.eigenvalues[:, -1])


def test_path_functions_reject_bad_input():
    surface = SymSurface("x**2 + y**2", (-1, 1))
    with pytest.raises(ValueError, match=r"xs must have shape \(k, 2\) with k >= 1, got shape \(2,\)"):
        C.eigen_along_path(surface, np.zeros(2))
    with pytest.raises(ValueError, match=r"surface must have callable hess"):
        C.eigen_along_path(object(), np.zeros((3, 2)))
    with pytest.raises(ValueError, match=r"lrs has 5 entries but eigenvalues only 3 rows"):
        C.lr_times_lambda_max(np.ones((3, 2)), np.ones(5))
    with pytest.raises(ValueError, match=r"eigenvalues must have shape \(m, n\), got shape \(3,\)"):
        C.lr_times_lambda_max(np.ones(3), 0.1)


# -- Hessian-vector products and memory ---------------------------------------------------------


@settings(max_examples=30)
@given(st.integers(0, 2**32 - 1))
def test_hvp_fd_agrees_with_the_exact_hessian(seed):
    surface = SymSurface("(x**2 + y - 11)**2 + (x + y**2 - 7)**2 + exp(x*y/10)", (-4, 4))
    rng = np.random.default_rng(seed)
    x, v = rng.uniform(-4, 4, size=2), rng.normal(size=2)
    exact = surface.hess(x) @ v
    np.testing.assert_allclose(C.hvp_fd(surface.grad, x, v), exact,
                               rtol=1e-6, atol=1e-6 * np.linalg.norm(surface.hess(x)) * np.linalg.norm(v))


def test_hvp_fd_on_a_large_quadratic_never_forms_the_hessian():
    rng = np.random.default_rng(0)
    n = 2000
    d = rng.uniform(0.1, 10, size=n)
    grad = lambda x: d * x                      # noqa: E731 - Hessian diag(d), never built
    x, v = rng.normal(size=n), rng.normal(size=n)
    np.testing.assert_allclose(C.hvp_fd(grad, x, v), d * v, rtol=1e-7)
    np.testing.assert_allclose(C.hvp_fd(grad, x, v, eps=1e-3), d * v, rtol=1e-7)
    np.testing.assert_array_equal(C.hvp_fd(grad, x, np.zeros(n)), np.zeros(n))


@pytest.mark.parametrize("args, match", [
    (("not callable", [0.0], [1.0]), r"grad must be a function x -> gradient, got str"),
    ((lambda x: x, [0.0, 1.0], [1.0]), r"v must be one point of shape \(2,\), got shape \(1,\)"),
    ((lambda x: x, [[0.0]], [1.0]), r"x must be one point of shape \(n,\), got shape \(1, 1\)"),
    ((lambda x: x, [0.0], [1.0], 0.0), r"eps must be a finite number > 0, got 0.0"),
    ((lambda x: x[:1], [0.0, 1.0], [1.0, 0.0]), r"grad\(x\) must have the shape of x \(2,\), got \(1,\)"),
])
def test_hvp_fd_rejects_bad_input(args, match):
    with pytest.raises(ValueError, match=match):
        C.hvp_fd(*args)


def test_hessian_memory_table():
    counts = [1, 100, 1000, 1_000_000, 175_000_000_000]
    rows = C.hessian_memory_table(counts)
    assert [r.params for r in rows] == counts
    assert [r.bytes for r in rows] == [8 * n * n for n in counts]     # exact integers, no overflow
    assert rows[-1].bytes == 245 * 10**21
    assert [r.readable for r in rows] == ["8 B", "80 kB", "8 MB", "8 TB", "245 ZB"]
    assert C.hessian_memory_table(np.array([10]))[0].readable == "800 B"


@pytest.mark.parametrize("counts, match", [
    (5, r"param_counts must be a sequence of integers, got int"),
    ("12", r"param_counts must be a sequence of integers, got str"),
    ([10, 0], r"param_counts must hold integers >= 1, got 0"),
    ([1.5], r"param_counts must hold integers >= 1, got 1.5"),
    ([True], r"param_counts must hold integers >= 1, got True"),
])
def test_hessian_memory_table_rejects_bad_input(counts, match):
    with pytest.raises(ValueError, match=match):
        C.hessian_memory_table(counts)
