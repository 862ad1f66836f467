"""Tests for gradlib.widgets.momentum: rate maps against iteration matrices built from the
optimizers themselves, measured rates of real runs, closed-form optima against grid searches,
and the explorer driven through its controls."""
from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gradlib import curvature, optim, surfaces
from gradlib.widgets import momentum as M


# -- helpers (independent oracles) -------------------------------------------------------------
def iteration_matrix(opt: optim.Optimizer, H: np.ndarray) -> np.ndarray:
    """The matrix of one optimizer step on the state (x, velocity) for f = 1/2 x^T H x, built by
    applying the library's own update to each basis vector (the step is linear on a quadratic)."""
    n = H.shape[0]
    cols = []
    for j in range(2 * n):
        z = np.zeros(2 * n)
        z[j] = 1.0
        x, b = z[:n], z[n:]
        x_new, state = opt.update(x, H @ x, opt.init(x)._replace(velocity=b))
        cols.append(np.concatenate([x_new, state.velocity]))
    return np.array(cols).T


def spectral_radius(A: np.ndarray) -> float:
    return float(np.max(np.abs(np.linalg.eigvals(A))))


def random_spd(seed: int, n: int, kappa: float) -> np.ndarray:
    rng = np.random.default_rng(seed)
    Q, _ = np.linalg.qr(rng.standard_normal((n, n)))
    lam = np.geomspace(1.0, kappa, n)
    return (Q * lam) @ Q.T


# -- the quadratic -----------------------------------------------------------------------------
@pytest.mark.parametrize("kappa, angle", [(1.0, 0.0), (10.0, 0.0), (100.0, 30.0), (25.0, -70.0)])
def test_quadratic_matches_the_sympy_surface(kappa, angle):
    surface = surfaces.get("quadratic", kappa=kappa, angle=angle)
    problem = M.Quadratic.rotated(kappa, angle)
    assert np.allclose(M.quadratic_hessian(kappa, angle), surface.hess(np.zeros(2)), atol=1e-12)
    assert np.allclose(problem.start, surface.start, atol=1e-12)
    rng = np.random.default_rng(1)
    for p in rng.uniform(-2, 2, size=(5, 2)):
        assert problem.f(p) == pytest.approx(float(surface.f(p)), rel=1e-12, abs=1e-12)
        assert np.allclose(problem.grad(p), surface.grad(p), rtol=1e-12, atol=1e-12)


def test_descend_on_quadratic_equals_descend_on_surface():
    surface = surfaces.get("quadratic", kappa=25.0, angle=30.0)
    opt = optim.momentum(0.05, 0.5)
    a = optim.descend(surface, opt, None, 60, tol=0.0)
    b = optim.descend(M.Quadratic.rotated(25.0, 30.0), opt, None, 60, tol=0.0)
    assert np.allclose(a.xs, b.xs, rtol=1e-10, atol=1e-13)


@pytest.mark.parametrize("c", [1e-3, 0.5, 7.0])
def test_level_set_lies_on_the_level(c):
    H = M.quadratic_hessian(40.0, 20.0)
    pts = M.level_set(H, c, n=50)
    values = 0.5 * np.einsum("ki,ij,kj->k", pts, H, pts)
    assert np.allclose(values, c, rtol=1e-12)
    assert np.array_equal(pts[0], pts[-1])


def test_level_set_validation():
    with pytest.raises(ValueError, match=r"c must be a finite number > 0, got -1"):
        M.level_set(np.eye(2), -1.0)
    with pytest.raises(ValueError, match=r"H must be positive definite"):
        M.level_set(np.diag([1.0, -1.0]), 1.0)
    with pytest.raises(ValueError, match=r"H must be a finite 2 x 2 matrix"):
        M.level_set(np.eye(3), 1.0)
    with pytest.raises(ValueError, match=r"n must be an integer >= 3"):
        M.level_set(np.eye(2), 1.0, n=2)


def test_quadratic_validation():
    with pytest.raises(ValueError, match=r"kappa must be a finite number \(condition number\) >= 1, got 0.5"):
        M.quadratic_hessian(0.5)
    with pytest.raises(ValueError, match=r"H must be a finite symmetric square matrix"):
        M.Quadratic(np.array([[1.0, 2.0], [0.0, 1.0]]))
    with pytest.raises(ValueError, match=r"start must be 2 finite numbers"):
        M.Quadratic(np.eye(2), start=[1.0, 2.0, 3.0])


# -- rate maps ---------------------------------------------------------------------------------
@settings(max_examples=30)
@given(seed=st.integers(0, 10_000), n=st.integers(1, 3), kappa=st.floats(1.0, 200.0),
       lr_frac=st.floats(0.01, 3.5), beta=st.floats(0.0, 0.98),
       method=st.sampled_from(["momentum", "nesterov"]))
def test_rate_map_is_the_spectral_radius_of_the_optimizers_own_step(seed, n, kappa, lr_frac,
                                                                     beta, method):
    H = random_spd(seed, n, kappa)
    lam = np.linalg.eigvalsh(H)
    lr = lr_frac / lam[-1]
    opt = optim.make(method, lr=lr, beta=beta)
    expected = spectral_radius(iteration_matrix(opt, H))
    got = float(M.rate_map(lam, lr, beta, method))
    # eigenvalues of a defective (double-root) matrix are only accurate to ~sqrt(machine eps)
    assert got == pytest.approx(expected, rel=2e-7, abs=2e-7)


def test_momentum_map_agrees_with_curvature_momentum_rate():
    H = M.quadratic_hessian(30.0, 15.0)
    lam = np.linalg.eigvalsh(H)
    for lr, beta in [(0.01, 0.0), (0.05, 0.5), (0.12, 0.9)]:
        assert float(M.rate_map(lam, lr, beta)) == pytest.approx(
            curvature.momentum_rate(H, lr, beta), rel=1e-12)


def test_beta_zero_is_gradient_descent_for_both_methods():
    H = M.quadratic_hessian(20.0)
    lam = np.linalg.eigvalsh(H)
    for lr in (0.01, 0.05, 0.09, 0.11):
        gd = curvature.gd_rate(H, lr)
        for method in M.METHODS:
            assert float(M.rate_map(lam, lr, 0.0, method)) == pytest.approx(gd, rel=1e-12)


def test_rate_map_broadcasts_and_overflows_quietly():
    lam = [1.0, 50.0]
    lrs = np.array([1e-3, 1e-2, 1e300])
    betas = np.array([[0.0], [0.5]])
    for method in M.METHODS:
        out = M.rate_map(lam, lrs, betas, method)
        assert out.shape == (2, 3)
        assert np.all(out[:, 2] > 1e100)
        assert np.all(out[:, :2] < 1)


def test_rate_map_validation():
    with pytest.raises(ValueError, match=r"method must be one of 'momentum', 'nesterov', got 'adam'"):
        M.rate_map([1.0], 0.1, 0.5, "adam")
    with pytest.raises(ValueError, match=r"eigenvalues must be finite and > 0"):
        M.rate_map([1.0, -2.0], 0.1, 0.5, "nesterov")
    with pytest.raises(ValueError, match=r"lrs must be finite and >= 0, got -0.1"):
        M.rate_map([1.0], -0.1, 0.5, "nesterov")
    with pytest.raises(ValueError, match=r"betas must be finite and >= 0, got nan"):
        M.rate_map([1.0], 0.1, np.nan, "nesterov")
    with pytest.raises(ValueError, match=r"lrs and betas must broadcast together"):
        M.rate_map([1.0], np.ones(3), np.ones(2), "nesterov")


@pytest.mark.parametrize("method", list(M.METHODS))
@pytest.mark.parametrize("beta", [0.0, 0.3, 0.9])
def test_stability_limit_is_where_the_rate_crosses_one(method, beta):
    lam = [1.0, 40.0]
    limit = M.stability_limit(40.0, beta, method)
    assert float(M.rate_map(lam, 0.999 * limit, beta, method)) < 1.0
    assert float(M.rate_map(lam, 1.001 * limit, beta, method)) > 1.0


def test_stability_limit_validation():
    with pytest.raises(ValueError, match=r"beta must be a number in \[0, 1\), got 1.0"):
        M.stability_limit(10.0, 1.0)
    with pytest.raises(ValueError, match=r"lambda_max must be a finite number > 0, got 0"):
        M.stability_limit(0, 0.5)


def test_rate_grid_layout():
    grid = M.rate_grid([1.0, 10.0], n_lr=8, n_beta=4, lr_max=0.4, beta_max=0.8)
    assert grid.rates.shape == (4, 8)
    assert grid.extent == (0.0, 0.4, 0.0, 0.8)
    assert np.allclose(np.diff(grid.lrs), 0.05) and grid.lrs[0] == pytest.approx(0.025)
    assert np.allclose(np.diff(grid.betas), 0.2) and grid.betas[0] == pytest.approx(0.1)
    i, j = 2, 5
    assert grid.rates[i, j] == pytest.approx(float(M.rate_map([1.0, 10.0], grid.lrs[j], grid.betas[i])))
    default = M.rate_grid([1.0, 10.0])
    assert default.extent[1] == pytest.approx(1.1 * 4.0 / 10.0)
    assert M.rate_grid([1.0, 10.0], "nesterov").extent[1] == pytest.approx(1.1 * 2.0 / 10.0)


def test_rate_grid_validation():
    with pytest.raises(ValueError, match=r"n_lr must be an integer in \[2, 2000\], got 1"):
        M.rate_grid([1.0], n_lr=1)
    with pytest.raises(ValueError, match=r"beta_max must be a finite number in \(0, 1\), got 1.0"):
        M.rate_grid([1.0], beta_max=1.0)
    with pytest.raises(ValueError, match=r"lr_max must be a finite number > 0, got -1"):
        M.rate_grid([1.0], lr_max=-1)


@pytest.mark.parametrize("kappa", [10.0, 100.0, 1000.0])
def test_polyak_optimum_is_the_grid_minimum(kappa):
    lam = [1.0, kappa]
    best = M.optimum(lam, "momentum")
    assert float(M.rate_map(lam, best.lr, best.beta)) == pytest.approx(best.rate, abs=1e-7)
    grid = M.rate_grid(lam, n_lr=400, n_beta=400, beta_max=0.995)
    found = M.best_on_grid(grid)
    assert found.rate >= best.rate - 1e-7
    assert found.rate <= best.rate + 0.02


@pytest.mark.parametrize("kappa", [10.0, 100.0, 1000.0])
def test_optimal_nesterov_is_the_grid_minimum(kappa):
    lam = [1.0, kappa]
    best = M.optimal_nesterov(lam)
    assert best.rate == pytest.approx(1 - 2 / math.sqrt(3 * kappa + 1))
    assert float(M.rate_map(lam, best.lr, best.beta, "nesterov")) == pytest.approx(best.rate, abs=1e-7)
    grid = M.rate_grid(lam, "nesterov", n_lr=400, n_beta=400, beta_max=0.995)
    found = M.best_on_grid(grid)
    assert found.rate >= best.rate - 1e-7
    assert found.rate <= best.rate + 0.02
    # tuned heavy ball beats tuned Nesterov on a quadratic
    assert M.optimum(lam, "momentum").rate < best.rate


# -- measured rates ----------------------------------------------------------------------------
def test_measured_rate_of_a_geometric_sequence_is_exact():
    k = np.arange(200)
    assert M.measured_rate(3.0 * 0.9**k) == pytest.approx(0.9, rel=1e-12)
    assert M.measured_rate(0.5 * 1.05**k) == pytest.approx(1.05, rel=1e-12)


def test_measured_rate_ignores_oscillation():
    k = np.arange(300)
    e = 0.95**k * (np.abs(np.cos(0.3 * k + 0.2)) + 1e-3)
    assert M.measured_rate(e) == pytest.approx(0.95, abs=2e-3)


def test_measured_rate_of_a_run_that_finishes_exactly():
    assert M.measured_rate([1.0] + [0.0] * 9) == 0.0
    short = [1.0, 0.1, 0.01, 0.0, 0.0, 0.0, 0.0, 0.0]
    assert M.measured_rate(short) == pytest.approx(0.1)


def test_measured_rate_validation():
    with pytest.raises(ValueError, match=r"errors must hold at least 8 finite distances >= 0, got 3"):
        M.measured_rate([1.0, 0.5, 0.25])
    with pytest.raises(ValueError, match=r"with a negative or non-finite one"):
        M.measured_rate([1.0, -0.5] + [0.1] * 8)
    with pytest.raises(ValueError, match=r"errors\[0\] must be > 0"):
        M.measured_rate([0.0] * 10)


@pytest.mark.parametrize("method, lr_frac, beta", [
    ("momentum", 1.0, 0.0), ("momentum", 1.5, 0.3), ("momentum", 2.5, 0.8),
    ("momentum", 3.0, 0.95), ("nesterov", 1.0, 0.5), ("nesterov", 0.6, 0.9),
    ("momentum", 3.9, 0.9),   # just above the limit 3.8: diverges at a rate just above 1
])
def test_measured_rate_of_real_runs_matches_the_map(method, lr_frac, beta):
    problem = M.Quadratic.rotated(25.0, 30.0)
    lam = np.linalg.eigvalsh(problem.H)
    lr = lr_frac / lam[-1]
    path = optim.descend(problem, optim.make(method, lr=lr, beta=beta), None, 300, tol=0.0)
    predicted = float(M.rate_map(lam, lr, beta, method))
    assert M.measured_rate(M.distances(path)) == pytest.approx(predicted, abs=0.01)


def test_measured_rate_at_polyaks_optimum_is_a_little_slower():
    # a double root: the error decays like k * rate**k, so a finite run measures a bit more
    problem = M.Quadratic.rotated(100.0, 30.0)
    best = M.optimum(np.linalg.eigvalsh(problem.H))
    path = optim.descend(problem, optim.momentum(best.lr, best.beta), None, 300, tol=0.0)
    measured = M.measured_rate(M.distances(path))
    assert best.rate < measured < best.rate + 0.01


def test_steps_per_decade():
    rates = np.array([0.0, 0.1, 0.5, 0.9, 0.99, 1.0, 2.0])
    s = M.steps_per_decade(rates)
    assert s[0] == 1.0 and s[1] == pytest.approx(1.0)
    assert np.allclose(10.0 ** (-1.0 / s[2:5]), rates[2:5])
    assert np.all(np.isinf(s[5:]))
    with pytest.raises(ValueError, match=r"rate must be >= 0"):
        M.steps_per_decade([-0.1])


def test_distances_validation():
    assert np.allclose(M.distances(np.array([[3.0, 4.0], [0.0, 0.0]])), [5.0, 0.0])
    assert np.allclose(M.distances([[1.0, 1.0]], x_star=[1.0, 0.0]), [1.0])
    with pytest.raises(ValueError, match=r"x_star must have shape \(2,\)"):
        M.distances([[1.0, 1.0]], x_star=[1.0])


# -- the explorer ------------------------------------------------------------------------------
@pytest.fixture
def dash():
    d = M.momentum_explorer(kappa=50.0, angle=30.0, lr=0.02, beta=0.5, steps=100)
    yield d
    d.close()


def test_explorer_draws_the_run_its_controls_describe(dash):
    c = dash.controls
    c["beta"].value = 0.8
    expected = optim.descend(M.Quadratic.rotated(50.0, 30.0), optim.momentum(0.02, 0.8),
                             None, 100, tol=0.0)
    x, y = dash.path_line.get_data()
    assert np.allclose(x, expected.xs[:, 0]) and np.allclose(y, expected.xs[:, 1])
    cx, cy = dash.cursor.get_data()
    assert cx[0] == pytest.approx(0.02) and cy[0] == pytest.approx(0.8)
    lam = [1.0, 50.0]
    assert dash.rate == pytest.approx(float(M.rate_map(lam, 0.02, 0.8)))
    assert dash.measured == M.measured_rate(M.distances(expected))
    assert "per step from the iteration matrix" in dash.status.value


def test_explorer_names_every_mark(dash):
    path_labels = [t.get_text() for t in dash.path_legend.get_texts()]
    assert path_labels == ["level sets of f", "minimum", "path x₀, x₁, …", "start x₀"]
    map_labels = [t.get_text() for t in dash.ax_map.get_legend().get_texts()]
    assert map_labels == ["stability limit", "best (lr, β)", "best plain GD (β = 0)", "your (lr, β)"]
    assert "β* = " in dash.status.value and "together with" in dash.status.value


def test_explorer_moves_artists_and_never_rebuilds(dash):
    artists = (dash.path_line, dash.image, dash.cursor, dash.star, *dash.ellipses)
    axes = list(dash.figure.axes)
    c = dash.controls
    c["steps"].value = 200
    c["kappa"].value = 200.0
    c["method"].value = "nesterov"
    assert (dash.path_line, dash.image, dash.cursor, dash.star, *dash.ellipses) == artists
    assert dash.figure.axes == axes
    assert len(dash.path_line.get_xdata()) in (201,) or dash.path.status == "diverged"


def test_explorer_kappa_changes_map_and_level_sets(dash):
    before_map = np.array(dash.image.get_array())
    before_ellipse = np.array(dash.ellipses[0].get_xydata())
    dash.controls["kappa"].value = 400.0
    assert not np.array_equal(np.array(dash.image.get_array()), before_map)
    assert not np.allclose(dash.ellipses[0].get_xydata(), before_ellipse)
    assert dash.image.get_extent()[1] == pytest.approx(1.1 * 4.0 / 400.0)
    H = M.quadratic_hessian(400.0, 30.0)
    pts = dash.ellipses[0].get_xydata()
    values = 0.5 * np.einsum("ki,ij,kj->k", pts, H, pts)
    assert np.allclose(values, values[0])
    sx, sy = dash.star.get_data()
    polyak = curvature.optimal_momentum(H)
    assert sx[0] == pytest.approx(polyak.lr) and sy[0] == pytest.approx(polyak.beta)


def test_explorer_method_switch_shows_nesterov(dash):
    dash.controls["method"].value = "nesterov"
    best = M.optimal_nesterov([1.0, 50.0])
    sx, sy = dash.star.get_data()
    assert sx[0] == pytest.approx(best.lr) and sy[0] == pytest.approx(best.beta)
    lx, ly = dash.limit_line.get_data()
    assert lx[0] == pytest.approx(2.0 / 50.0)          # beta = 0: gradient descent's limit
    assert dash.rate == pytest.approx(float(M.rate_map([1.0, 50.0], 0.02, 0.5, "nesterov")))
    assert dash.path.optimizer == "nesterov"


def test_explorer_optimum_button(dash):
    dash.optimum_button.click()
    best = curvature.optimal_momentum(M.quadratic_hessian(50.0, 30.0))
    assert dash.controls["lr"].value == pytest.approx(best.lr, rel=1e-6)
    assert dash.controls["beta"].value == pytest.approx(best.beta, rel=1e-6)
    assert dash.rate == pytest.approx(best.rate, abs=1e-6)


def test_explorer_reports_divergence(dash):
    dash.controls["lr"].value = 0.5
    assert dash.rate > 1
    assert dash.cursor.get_marker() == "X"
    assert dash.status.value.startswith("diverges")
    assert dash.path.status == "diverged"
    assert np.all(np.isfinite(dash.path_line.get_xydata()))


def test_explorer_validation():
    with pytest.raises(ValueError, match=r"steps must be an integer in \[20, 500\], got 5"):
        M.momentum_explorer(steps=5)
    with pytest.raises(ValueError, match=r"method must be one of 'momentum', 'nesterov', got 'adam'"):
        M.momentum_explorer(method="adam")
    with pytest.raises(ValueError, match=r"beta must be a finite number in \[0, 0.99\], got 1.5"):
        M.momentum_explorer(beta=1.5)


# -- drawing the map ---------------------------------------------------------------------------
def test_draw_rate_map_shows_the_grid_and_its_landmarks():
    import matplotlib.pyplot as plt
    lam = np.array([1.0, 50.0])
    grid = M.rate_grid(lam, n_lr=40, n_beta=30)
    fig, ax = plt.subplots()
    try:
        art = M.draw_rate_map(grid, ax, levels=(0.9, 0.95))
        shown = np.ma.getdata(art.image.get_array())
        assert np.array_equal(shown, M.steps_per_decade(grid.rates))
        assert tuple(art.image.get_extent()) == grid.extent
        assert ax.get_xlim() == grid.extent[:2] and ax.get_ylim() == grid.extent[2:]
        polyak = curvature.optimal_momentum(np.diag(lam))
        assert np.allclose(art.star.get_xydata(), [[polyak.lr, polyak.beta]])
        assert np.allclose(art.gd_mark.get_xydata(), [[2 / 51, 0.0]])
        lx, ly = art.limit.get_data()
        assert np.allclose(lx, 2 * (1 + np.asarray(ly)) / 50)      # lr = 2 (1 + beta) / l_max
        assert list(art.contours.levels) == [0.9, 0.95]
        # diverging pixels are over the colour range (grey), converging ones inside it
        lo, hi = art.image.get_clim()
        assert np.all(np.isinf(shown[grid.rates >= 1]))
        assert np.all(shown[grid.rates < 1] >= 1.0) and lo <= shown[grid.rates < 1].min()

        other = M.rate_grid([2.0, 400.0], "nesterov", n_lr=20, n_beta=10)
        M.set_rate_map(art, other)
        best = M.optimal_nesterov([2.0, 400.0])
        assert np.allclose(art.star.get_xydata(), [[best.lr, best.beta]])
        assert ax.get_xlim() == other.extent[:2]
        assert np.array_equal(np.ma.getdata(art.image.get_array()), M.steps_per_decade(other.rates))
    finally:
        plt.close(fig)


def test_rate_grid_remembers_its_eigenvalues():
    grid = M.rate_grid([9.0, 1.0, 4.0], "nesterov", n_lr=3, n_beta=3)
    assert np.array_equal(grid.eigenvalues, [1.0, 4.0, 9.0])
