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
    np.testing.assert_array_equal(dash.frame.layer("path x₀, x₁, …").xy, expected.xs)
    np.testing.assert_array_equal(dash.frame.layer("start x₀").xy, expected.xs[:1])
    cursor = dash.frame.layer("your (lr, β)")
    assert cursor.xy.tolist() == [[0.02, 0.8]] and cursor.style["marker"] == "o"
    lam = [1.0, 50.0]
    assert dash.rate == pytest.approx(float(M.rate_map(lam, 0.02, 0.8)))
    assert dash.measured == M.measured_rate(M.distances(expected))
    assert "per step from the iteration matrix" in dash.status.value
    import html
    assert html.escape(dash.frame.status) in dash.status.value and dash.frame.kind == "info"
    loss = dash.frame.layer("f(xₖ)").xy
    np.testing.assert_array_equal(loss[:, 0], np.arange(101))
    np.testing.assert_array_equal(loss[:, 1], np.maximum(expected.losses,
                                                         expected.losses.max() * 1e-16))
    # what the canvas widget holds is this frame, as float64 bytes
    sent = dash.canvas.frame["layers"][0]
    np.testing.assert_array_equal(np.frombuffer(sent["xy"], "<f8").reshape(-1, 2), expected.xs)


def test_explorer_names_every_mark(dash):
    labels = {(layer.panel, layer.style["label"]) for layer in dash.frame.layers}
    assert labels == {("path", "path x₀, x₁, …"), ("path", "start x₀"),
                      ("path", "xₖ at the shown step"), ("map", "stability limit"),
                      ("map", "best (lr, β)"), ("map", "best plain GD (β = 0)"),
                      ("map", "your (lr, β)"), ("loss", "f(xₖ)"), ("loss", "xₖ at the shown step")}
    assert [p.name for p in dash.scene.panels] == ["path", "map", "loss"]
    assert "β* = " in dash.status.value and "together with" in dash.status.value


def test_scene_is_rendered_once_per_method_and_kappa(dash):
    scene = dash.scene
    c = dash.controls
    c["steps"].value = 200
    c["lr"].value = 0.03
    c["beta"].value = 0.3
    assert dash.scene is scene                                  # lr, beta, steps: frame only
    assert dash.frame.n_steps == 200 or dash.path.status == "diverged"
    c["method"].value = "nesterov"
    assert dash.scene is not scene
    c["method"].value = "momentum"
    assert dash.scene is scene                                  # cached


def test_explorer_kappa_changes_map_and_markers(dash):
    before = dash.scene
    dash.controls["kappa"].value = 400.0
    assert dash.scene.image != before.image
    (map_panel,) = [p for p in dash.scene.panels if p.name == "map"]
    assert map_panel.xlim == pytest.approx((0.0, 1.1 * 4.0 / 400.0))
    assert map_panel.ylim == pytest.approx((0.0, 0.99))
    assert dash.grid.extent[1] == pytest.approx(1.1 * 4.0 / 400.0)
    H = M.quadratic_hessian(400.0, 30.0)
    polyak = curvature.optimal_momentum(H)
    (star,) = dash.frame.layer("best (lr, β)").xy
    assert star[0] == pytest.approx(polyak.lr) and star[1] == pytest.approx(polyak.beta)
    (diamond,) = dash.frame.layer("best plain GD (β = 0)").xy
    assert diamond[0] == pytest.approx(curvature.optimal_gd(H).lr) and diamond[1] == 0
    assert np.allclose(dash.problem.H, H)


def test_explorer_method_switch_shows_nesterov(dash):
    dash.controls["method"].value = "nesterov"
    best = M.optimal_nesterov([1.0, 50.0])
    (star,) = dash.frame.layer("best (lr, β)").xy
    assert star[0] == pytest.approx(best.lr) and star[1] == pytest.approx(best.beta)
    limit = dash.frame.layer("stability limit").xy
    assert limit[0, 0] == pytest.approx(2.0 / 50.0) and limit[0, 1] == 0   # beta = 0: GD's limit
    for lr_lim, b in limit:                                     # the rate crosses 1 on the line
        assert float(M.rate_map([1.0, 50.0], 0.999 * lr_lim, b, "nesterov")) < 1
        assert float(M.rate_map([1.0, 50.0], 1.001 * lr_lim, b, "nesterov")) > 1
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
    assert dash.frame.layer("your (lr, β)").style["marker"] == "X"
    (cursor,) = dash.frame.layer("your (lr, β)").xy
    assert cursor[0] == pytest.approx(1.1 * 4.0 / 50.0)       # pinned to the map's right edge
    assert dash.status.value.startswith("<span") and "diverges: lr = 0.5" in dash.status.value
    assert dash.frame.kind == "diverged" and "nan" not in dash.frame.status
    assert dash.path.status == "diverged"
    assert f"left the box at step {dash.path.steps + 1}" in dash.frame.status
    for layer in dash.frame.layers:
        assert np.all(np.isfinite(layer.xy)), layer.style["label"]


def test_explorer_figure_is_a_snapshot(dash):
    fig = dash.figure
    assert fig.get_size_inches() == pytest.approx((11.0, 3.8))
    texts = {t.get_text() for ax in fig.axes if ax.get_legend() for t in ax.get_legend().get_texts()}
    assert {"path x₀, x₁, …", "your (lr, β)", "f(xₖ)"} <= texts


def test_explorer_validation():
    with pytest.raises(ValueError, match=r"steps must be an integer in \[20, 500\], got 5"):
        M.momentum_explorer(steps=5)
    with pytest.raises(ValueError, match=r"method must be one of 'momentum', 'nesterov', got 'adam'"):
        M.momentum_explorer(method="adam")
    with pytest.raises(ValueError, match=r"beta must be a finite number in \[0, 0.99\], got 1.5"):
        M.momentum_explorer(beta=1.5)


# -- the pure frame function (no widgets) -----------------------------------------------------
@pytest.mark.parametrize("method, kappa, lr, beta, steps", [
    ("momentum", 100.0, 0.0198, 0.5, 150), ("nesterov", 10.0, 0.1, 0.6, 60),
    ("momentum", 1000.0, 0.2, 0.9, 500), ("momentum", 1.0, 1.0, 0.0, 20),
])
def test_momentum_frame_against_its_oracles(method, kappa, lr, beta, steps):
    from gradlib import experiments_momentum as EM
    s = EM.MomentumSettings(method, kappa, 30.0, lr, beta, steps)
    frame = EM.momentum_frame(s)
    problem = EM.Quadratic.rotated(kappa, 30.0)
    ref = optim.descend(problem, optim.make(method, lr=lr, beta=beta), None, steps, tol=0.0)
    np.testing.assert_array_equal(frame.layer("path x₀, x₁, …").xy, ref.xs)
    assert frame.n_steps == ref.steps
    # the rate from the eigenvalues 1, kappa equals the spectral radius of the optimizer's own step
    opt = optim.make(method, lr=lr, beta=beta)
    rho = spectral_radius(iteration_matrix(opt, problem.H))
    assert float(M.rate_map([1.0, kappa], lr, beta, method)) == pytest.approx(rho, rel=2e-7, abs=2e-7)
    assert (frame.kind == "diverged") == (rho >= 1 + 1e-9)
    assert "nan" not in frame.status and frame.nbytes < 60_000
    assert frame.charts["loss"]["ylog"] and frame.charts["loss"]["xlim"] == [0.0, float(steps)]


def test_momentum_frame_refuses_bad_settings():
    from gradlib import experiments_momentum as EM
    with pytest.raises(ValueError, match=r"method must be one of 'momentum', 'nesterov'"):
        EM.momentum_frame(EM.MomentumSettings(method="adam"))
    with pytest.raises(ValueError, match=r"kappa must be a finite number"):
        EM.momentum_frame(EM.MomentumSettings(kappa=0.5))


def test_scene_contract():
    from gradlib import experiments_momentum as EM
    sc = EM.momentum_scene("momentum", 100.0, 30.0)
    assert sc.image.startswith(b"\x89PNG") and sc.nbytes < 100_000
    kinds = {p.name: p.kind for p in sc.panels}
    assert kinds == {"path": "image", "map": "image", "loss": "chart"}
    assert EM.momentum_scene("momentum", 100.0, 30.0) is sc        # rendered once


# -- the page computes the same frame (canvas.js momentumFrame, run in Chromium) ---------------
@pytest.fixture(scope="module")
def js(browser):
    import json as _json

    from gradlib.widgets import canvas as C
    page = browser.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    source = C.module_source().replace("export default { render };", "")
    source += "\nwindow.gm = {momentumFrame, momentumRate, measuredRate};\n"
    page.set_content("<!doctype html><html><body></body></html>")
    page.add_script_tag(content=source, type="module")
    page.wait_for_function("() => window.gm")
    yield page
    assert not errors, _json.dumps(errors)
    page.close()


FRAME_JS = """([s, info]) => { const f = window.gm.momentumFrame(s, info);
  return {status: f.status, kind: f.kind, n_steps: f.n_steps, charts: f.charts,
    layers: f.layers.map(l => ({panel: l.panel, kind: l.kind, reveal: l.reveal, style: l.style,
                                xy: Array.from(l.xy)}))}; }"""


@pytest.mark.parametrize("method, kappa, lr, beta, steps", [
    ("momentum", 100.0, 0.0198, 0.5, 150),       # the notebook's start
    ("momentum", 100.0, 0.0330, 0.67, 300),      # near Polyak's optimum
    ("nesterov", 100.0, 0.0132, 0.6, 200),
    ("momentum", 1000.0, 0.002, 0.95, 500),      # spirals (complex roots)
    ("momentum", 100.0, 0.5, 0.5, 150),          # diverges: leaves the box
    ("momentum", 100.0, 0.0401, 0.99, 40),       # rho >= 1 but still inside the box after 40 steps
    ("nesterov", 10.0, 0.3, 0.9, 100),           # Nesterov diverging
    ("momentum", 1.0, 1.0, 0.0, 20),             # kappa = 1, lr = 1: lands on the minimum
], ids=["start", "optimum", "nesterov", "spiral", "diverges", "slow-diverge", "nag-diverges",
        "exact"])
def test_js_momentum_frame_equals_python(js, method, kappa, lr, beta, steps):
    from gradlib import experiments_momentum as EM
    s = EM.MomentumSettings(method, kappa, 30.0, lr, beta, steps)
    ref = EM.momentum_frame(s)
    info = EM.momentum_static_info(kappa, 30.0)
    mine = js.evaluate(FRAME_JS, [{"method": method, "kappa": kappa, "lr": lr, "beta": beta,
                                   "steps": steps}, info])
    assert mine["status"] == ref.status                         # word for word
    assert "nan" not in mine["status"].lower()
    assert mine["kind"] == ref.kind and mine["n_steps"] == ref.n_steps
    assert mine["charts"]["loss"]["title"] == ref.charts["loss"]["title"]
    assert mine["charts"]["loss"]["ylog"] is True
    np.testing.assert_allclose(mine["charts"]["loss"]["xlim"], ref.charts["loss"]["xlim"], rtol=1e-12)
    assert len(mine["layers"]) == len(ref.layers)
    for got, want in zip(mine["layers"], ref.layers):
        assert (got["panel"], got["kind"], got["reveal"], got["style"]) == \
            (want.panel, want.kind, want.reveal, want.style)
        xy = np.array(got["xy"], dtype=float).reshape(-1, 2)
        assert xy.shape == want.xy.shape, want.style["label"]
        scale = max(1.0, float(np.max(np.abs(want.xy)))) if want.xy.size else 1.0
        np.testing.assert_allclose(xy, want.xy, rtol=1e-12, atol=1e-12 * scale,
                                   err_msg=want.style["label"])


def test_static_copy_opens_with_a_snapshot_and_runs(browser):
    """The kernel-free copy: <= 1 MB, nothing from outside, a snapshot <img> (alt = the status
    line) that the module replaces; the page's first status is the kernel's; a slider and the
    kappa menu change the pixels; the page's status after a move is the Python frame's."""
    import base64
    import html as H

    from gradlib import experiments_momentum as EM
    d = M.momentum_explorer(kappa=100, angle=30, beta=0.5)
    try:
        page_html = d._repr_mimebundle_()["text/html"]
        status = d.frame.status
    finally:
        d.close()
    assert len(page_html.encode()) <= 1_000_000
    assert "http://" not in page_html and "https://" not in page_html
    assert f'alt="{H.escape(status)}"' in page_html
    src = page_html.split('src="data:image/png;base64,')[1].split('"')[0]
    assert base64.b64decode(src).startswith(b"\x89PNG")
    page = browser.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    try:
        page.set_content(f"<!doctype html><html lang=en><body>{page_html}</body></html>")
        page.wait_for_function("() => document.querySelector('.gradlib-static canvas')")
        assert page.locator(".gradlib-static-snapshot").count() == 0
        root = page.locator(".gradlib-static")
        assert root.get_attribute("data-status") == status
        canvas = page.locator(".gradlib-static canvas")
        before = canvas.screenshot()
        beta = page.locator(".gradlib-static input[name=beta]")
        beta.focus()
        for _ in range(5):
            beta.press("ArrowRight")
        page.wait_for_timeout(100)
        assert canvas.screenshot() != before
        lr = float(d.settings.lr)
        want = EM.momentum_frame(EM.MomentumSettings("momentum", 100.0, 30.0, lr, 0.55, 150))
        assert root.get_attribute("data-status") == want.status
        before = canvas.screenshot()
        page.locator(".gradlib-static select[name=kappa]").select_option("1000.0")
        page.wait_for_timeout(100)
        assert canvas.screenshot() != before
        assert "κ = 1e+03" in root.get_attribute("data-status")
        assert not errors, errors
    finally:
        page.close()


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
