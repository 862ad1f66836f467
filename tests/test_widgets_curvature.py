"""Tests for gradlib.widgets.curvature: the pure helpers against closed forms, NumPy's eigh and
independent runs of optim.descend; the explorers driven through their controls (Agg, no browser)."""
from types import SimpleNamespace

import numpy as np
import pytest
import sympy as sp
from hypothesis import given, settings
from hypothesis import strategies as st
from matplotlib import colors as mcolors

from gradlib import curvature, optim, plots, surfaces
from gradlib.widgets import curvature as WC

LR = 2.5e-3       # on Rosenbrock from its start: above the GD limit at first, below it later
STEPS = 120


def sympy_hessian(surface, p):
    """The Hessian by SymPy substitution: independent of the compiled surface.hess."""
    H = sp.hessian(surface.expr, surface.variables)
    return np.array(H.subs(dict(zip(surface.variables, map(float, p)))), dtype=float)


def glyph_vectors(glyph):
    return np.column_stack([np.asarray(glyph.quiver.U, dtype=float),
                            np.asarray(glyph.quiver.V, dtype=float)])


def random_spd(rng, n=2, kappa_max=50.0):
    Q, _ = np.linalg.qr(rng.normal(size=(n, n)))
    lam = np.sort(rng.uniform(1.0, kappa_max, size=n))
    return (Q * lam) @ Q.T


# --- stability_limit and default_lr -------------------------------------------------------
@given(seed=st.integers(0, 2**32 - 1), beta=st.floats(0.0, 0.95))
@settings(max_examples=25)
def test_stability_limit_is_where_the_contraction_rate_crosses_one(seed, beta):
    H = random_spd(np.random.default_rng(seed))
    lam_max = np.linalg.eigvalsh(H)[-1]
    gd_line = WC.stability_limit("gd")
    below, above = 0.99 * gd_line / lam_max, 1.01 * gd_line / lam_max
    assert curvature.gd_rate(H, below) < 1 < curvature.gd_rate(H, above)
    mom_line = WC.stability_limit("momentum", beta)
    assert curvature.momentum_rate(H, 0.99 * mom_line / lam_max, beta) < 1
    assert curvature.momentum_rate(H, 1.01 * mom_line / lam_max, beta) > 1


def test_stability_limit_against_real_runs():
    """GD just below 2 / lambda_max converges, just above diverges (an independent oracle)."""
    A = random_spd(np.random.default_rng(3), n=3, kappa_max=10.0)
    problem = surfaces.quadratic_nd(A)
    lam_max = np.linalg.eigvalsh(A)[-1]
    line = WC.stability_limit("gd")
    below = optim.descend(problem, optim.gd(0.99 * line / lam_max), steps=6000, tol=1e-8)
    above = optim.descend(problem, optim.gd(1.01 * line / lam_max), steps=6000, tol=1e-8)
    assert below.status == "converged" and above.status == "diverged"
    assert WC.stability_limit("newton") is None


def test_default_lr_is_half_the_stability_threshold(rosenbrock):
    H = sympy_hessian(rosenbrock, rosenbrock.start)
    assert WC.default_lr(rosenbrock) == pytest.approx(0.5 * curvature.max_stable_lr(H), rel=1e-12)
    assert WC.default_lr("saddle", (0.3, 0.2)) == pytest.approx(0.5, rel=1e-12)   # lambda = -2, 2
    # no upward curvature at all: any step is "stable", a small default is used
    assert WC.default_lr(surfaces.Surface.from_text("-x**2 - y**2")) == 0.01


@pytest.mark.parametrize("call, message", [
    (lambda: WC.stability_limit("adam"), "optimizer must be one of 'gd', 'momentum', 'newton', got 'adam'"),
    (lambda: WC.stability_limit("momentum", 1.0), r"beta must be a number in \[0, 1\)"),
    (lambda: WC.default_lr("nope"), "surface: unknown surface 'nope'"),
    (lambda: WC.default_lr("rosenbrock", (1.0, 2.0, 3.0)), "x0 must be 2 finite coordinates"),
    (lambda: WC.default_lr(42), "surface must be a surface name or a Surface"),
    (lambda: WC.path_curvature(surfaces.get("bowl"), np.zeros((3, 2)), 0.0),
     "lr must be a finite number > 0"),
])
def test_pure_helpers_reject_bad_input(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_path_curvature_matches_eigh_along_the_path(rosenbrock):
    path = optim.descend(rosenbrock, optim.gd(LR), steps=60)
    trace = WC.path_curvature(rosenbrock, path, LR)
    lam = np.array([np.linalg.eigvalsh(sympy_hessian(rosenbrock, p)) for p in path.xs])
    np.testing.assert_allclose(trace.eigenvalues, lam, rtol=1e-10, atol=1e-9)
    np.testing.assert_allclose(trace.lr_lambda_max, LR * lam[:, -1], rtol=1e-10)
    np.testing.assert_allclose(trace.lr_lambda_min, LR * lam[:, 0], rtol=1e-10, atol=1e-12)
    above = np.flatnonzero(LR * lam[:, -1] > 2)
    assert trace.limit == 2.0 and trace.first_unstable == above[0]


# --- the race -----------------------------------------------------------------------------
@given(seed=st.integers(0, 2**32 - 1))
@settings(max_examples=15)
def test_race_newton_solves_a_positive_definite_quadratic_in_one_step(seed):
    rng = np.random.default_rng(seed)
    A, b = random_spd(rng), rng.normal(size=2)
    race = WC.second_order_race(surfaces.quadratic_nd(A, b), rng.normal(size=2) * 2, steps=20,
                                tol=1e-9)
    newton = race.paths[race.labels.index("Newton")]
    assert newton.status == "converged" and newton.steps == 1
    np.testing.assert_allclose(newton.xs[1], np.linalg.solve(A, b), rtol=1e-9, atol=1e-9)


def test_race_on_himmelblau_newton_finds_a_saddle_and_damping_a_minimum():
    race = WC.second_order_race("himmelblau", (-4.0, 0.0), steps=60, damping=50.0)
    assert race.labels == ("gradient descent", "momentum", "Newton", "damped Newton")
    rows = {r.label: r for r in WC.race_table(race)}
    himmelblau = surfaces.get("himmelblau")
    for label, kind in (("Newton", "saddle"), ("damped Newton", "minimum")):
        row = rows[label]
        assert row.status == "converged" and row.kind == kind
        lam = np.linalg.eigvalsh(sympy_hessian(himmelblau, row.point))       # independent check
        assert (lam[0] < 0 < lam[1]) if kind == "saddle" else (lam[0] > 0)
        assert row.grad_norm <= 1e-10
    # every run starts at the same point, with the documented default lr = 1 / lambda_max(x0)
    assert all(np.array_equal(p.xs[0], [-4.0, 0.0]) for p in race.paths)
    lam0 = np.linalg.eigvalsh(sympy_hessian(himmelblau, (-4.0, 0.0)))
    gd_path = race.paths[0]
    expected = optim.descend(himmelblau, optim.gd(1 / lam0[-1]), (-4.0, 0.0), 60)
    np.testing.assert_allclose(gd_path.xs, expected.xs, rtol=1e-9)


def test_race_accepts_its_own_field_and_rejects_a_bad_one():
    race = WC.second_order_race("bowl", steps=5, optimizers={"big step": optim.gd(0.5)})
    assert race.labels == ("big step",) and race.paths[0].steps == 1      # lr 1/lambda on x^2+y^2
    with pytest.raises(ValueError, match="optimizers must be a non-empty mapping"):
        WC.second_order_race("bowl", optimizers={"oops": "gd"})
    with pytest.raises(ValueError, match=r"steps must be an integer in \[1, 5000\]"):
        WC.second_order_race("bowl", steps=0)
    with pytest.raises(ValueError, match="damping must be a finite number >= 0"):
        WC.race_optimizers(0.1, damping=-1.0)


# --- the curvature explorer (browser renderer: controls -> curvature_frame -> Canvas) -------
@pytest.fixture
def explorer(closing):
    dash = WC.curvature_explorer("rosenbrock", "gd", lr=LR, steps=STEPS)
    closing(dash)
    return dash


def _chunk(frame, label, t):
    return frame.layer(label).chunk(t)


UP = "eigen-direction, f curves up (λ > 0)"
DOWN = "eigen-direction, f curves down (λ < 0)"
MODEL = "quadratic model's level sets at xₜ"
TARGET = "model's stationary point (Newton lands here)"


def test_explorer_path_is_descend(explorer, rosenbrock):
    expected = optim.descend(rosenbrock, optim.gd(LR), steps=STEPS)
    np.testing.assert_array_equal(explorer.path.xs, expected.xs)
    np.testing.assert_array_equal(explorer.frame.layer("path (gd)").xy, expected.xs)
    assert explorer.frame.n_steps == expected.steps
    sent = explorer.canvas.frame
    assert sent["n_steps"] == STEPS and isinstance(sent["layers"][1]["xy"], bytes)


@pytest.mark.parametrize("t", [0, 1, 7, 60, STEPS])
def test_glyph_sits_at_the_step_and_points_along_the_eigenvectors(explorer, rosenbrock, t):
    frame, p = explorer.frame, explorer.path.xs[t]
    lam, V = np.linalg.eigh(sympy_hessian(rosenbrock, p))          # independent oracle
    all_lam = np.array([np.linalg.eigvalsh(rosenbrock.hess(q)) for q in explorer.path.xs])
    ref = np.abs(all_lam).max()
    scale = 0.15 * (rosenbrock.xlim[1] - rosenbrock.xlim[0])
    up = list(_chunk(frame, UP, t).reshape(-1, 3, 2))              # (a, b, NaN) per arrow
    down = list(_chunk(frame, DOWN, t).reshape(-1, 3, 2))
    assert len(up) == int(np.sum(lam > 0)) and len(down) == int(np.sum(lam < 0))
    for i in range(2):
        a, b = (up if lam[i] > 0 else down).pop(0)[:2]
        np.testing.assert_allclose((a + b) / 2, p, rtol=0, atol=1e-12)   # centred on x_t
        half = (b - a) / 2
        length = np.linalg.norm(half)
        assert length == pytest.approx(scale * abs(lam[i]) / ref, rel=1e-9)
        assert abs(half @ V[:, i]) == pytest.approx(length, rel=1e-9)   # parallel to v_i
    np.testing.assert_array_equal(frame.layer("xₜ at the shown step").xy[t], p)
    cursor = _chunk(frame, "step t", t)
    assert list(cursor[:, 0]) == [t, t]
    dot = frame.layer("lr·λmax at step t").xy[t]
    assert dot[0] == t and dot[1] == pytest.approx(LR * lam[-1], rel=1e-9)


def test_lr_lambda_max_curve_is_lr_times_the_top_eigenvalue(explorer, rosenbrock):
    xs = explorer.path.xs
    top = np.array([np.linalg.eigvalsh(sympy_hessian(rosenbrock, p))[-1] for p in xs[::10]])
    curve = explorer.frame.layer("lr·λmax").xy
    np.testing.assert_array_equal(curve[:, 0], np.arange(len(xs)))
    np.testing.assert_allclose(curve[::10, 1], LR * top, rtol=1e-10)
    limit = explorer.frame.layer("stability limit 2").xy
    np.testing.assert_array_equal(limit[:, 1], [2.0, 2.0])
    lo, hi = explorer.frame.charts["curvature"]["ylim"]
    assert lo < 0 < 2.0 < hi                                       # the line stays in view
    # the status line names where the curve is above the line, as path_curvature finds it
    above = np.flatnonzero(explorer.trace.lr_lambda_max > 2)
    assert f"first at step {above[0]}, last at step {above[-1]}" in explorer.frame.status


def test_quadratic_model_level_sets_at_each_step(explorer, rosenbrock):
    for t in (3, 4, 50):
        p = explorer.path.xs[t]
        H, g, f = sympy_hessian(rosenbrock, p), rosenbrock.grad(p), rosenbrock.f(p)
        model = lambda q: f + (q - p) @ g + 0.5 * np.einsum("ki,ij,kj->k", q - p, H, q - p)
        pts = _chunk(explorer.frame, MODEL, t)
        pts = pts[np.all(np.isfinite(pts), axis=1)].reshape(3, -1, 2)   # three level sets
        target = explorer.frame.layer(TARGET).xy[t]
        np.testing.assert_allclose(H @ (target - p) + g, 0, atol=1e-8 * max(1, np.abs(g).max()))
        m_star = model(target[None])[0]
        for r, level in zip((0.5, 1.0, 1.5), pts):                    # m = m* + r^2 (f - m*)
            np.testing.assert_allclose(model(level), m_star + r * r * (f - m_star),
                                       rtol=1e-8, atol=1e-8 * abs(f))


def test_step_is_the_pages_and_keeps_the_frame(explorer):
    frame = explorer.frame
    explorer.canvas.step = 30
    assert explorer.frame is frame and explorer.canvas.frame["n_steps"] == STEPS
    fig = explorer.figure                                            # a snapshot at step 30
    assert fig.get_figwidth() > 0


def test_changing_lr_changes_the_path(explorer, rosenbrock):
    old = explorer.path.xs.copy()
    explorer.controls["lr"].value = 1e-3
    lr = explorer.controls["lr"].value
    expected = optim.descend(rosenbrock, optim.gd(lr), steps=STEPS)
    assert not np.array_equal(old, explorer.path.xs)
    np.testing.assert_allclose(explorer.frame.layer("path (gd)").xy, expected.xs, rtol=1e-12)
    y = explorer.frame.layer("lr·λmax").xy[:, 1]
    np.testing.assert_allclose(y, lr * np.linalg.eigvalsh(rosenbrock.hess(expected.xs))[:, -1],
                               rtol=1e-10)


def test_momentum_moves_the_line_and_newton_hides_it(explorer):
    explorer.controls["optimizer"].value = "momentum"
    beta = explorer.controls["beta"].value
    limit = [layer for layer in explorer.frame.layers
             if layer.style["label"].startswith("stability limit")]
    assert limit[0].xy[0, 1] == pytest.approx(2 * (1 + beta))
    assert explorer.path.optimizer == "momentum"
    explorer.controls["optimizer"].value = "newton"
    assert not [layer for layer in explorer.frame.layers
                if layer.style["label"].startswith("stability limit")]
    assert "no lr·λ limit applies" in explorer.frame.status
    assert explorer.path.status == "converged" and explorer.path.xs[-1] == pytest.approx([1, 1])


def test_bad_surface_name_goes_to_the_status_line(explorer):
    before = explorer.frame
    explorer.controls["surface"].value = "no such surface"       # a typed name: no traceback
    assert "cannot run" in explorer.status.value and "unknown surface" in explorer.status.value
    sent = explorer.canvas.frame
    assert sent["kind"] == "error" and len(sent["layers"]) == len(before.layers)  # not blank
    explorer.controls["surface"].value = "saddle"                # and it recovers
    saddle = surfaces.get("saddle")
    assert "cannot run" not in explorer.status.value
    assert np.array_equal(explorer.path.xs[0], saddle.start)
    # lambda = -2 (down, along y) and +2 (up, along x): one segment of each colour at step 0
    up, down = _chunk(explorer.frame, UP, 0), _chunk(explorer.frame, DOWN, 0)
    assert len(up) == len(down) == 3
    assert abs(up[1, 1] - up[0, 1]) < 1e-12 and abs(down[1, 0] - down[0, 0]) < 1e-12
    assert explorer.frame.layer(UP).style["color"] == plots.POSITIVE_CURVATURE_COLOR
    assert explorer.frame.layer(DOWN).style["color"] == plots.NEGATIVE_CURVATURE_COLOR
    assert explorer.scene.panels[0].xlim == saddle.xlim


@pytest.mark.parametrize("kwargs, message", [
    (dict(surface="nope"), "surface: unknown surface 'nope'"),
    (dict(optimizer="adam"), "optimizer must be one of 'gd', 'momentum', 'newton', got 'adam'"),
    (dict(lr=-1.0), "lr must be a finite number > 0"),
    (dict(steps=0), r"steps must be an integer in \[1, 5000\]"),
    (dict(x0=(1.0,)), "x0 must be 2 finite coordinates"),
    (dict(step=-2), "step must be an integer >= -1"),
    (dict(lr_range=(1.0, 0.1)), "lr_range must be"),
])
def test_explorer_rejects_bad_arguments(kwargs, message):
    with pytest.raises(ValueError, match=message):
        WC.curvature_explorer(**kwargs)


def test_explorer_accepts_a_surface_object_and_a_start(closing):
    quad = surfaces.get("quadratic", kappa=10, angle=30)
    dash = WC.curvature_explorer(quad, "gd", lr=0.19, steps=400, x0=(1.0, 1.0))
    closing(dash)
    assert dash.surface is quad and np.array_equal(dash.path.xs[0], [1.0, 1.0])
    # constant Hessian: lr * lambda_max is the same flat line 0.19 * 10 = 1.9 < 2 everywhere
    np.testing.assert_allclose(dash.frame.layer("lr·λmax").xy[:, 1], 1.9, rtol=1e-12)
    assert dash.path.status == "converged"
    dash.controls["lr"].value = 0.21                  # 2.1 > 2: now it zig-zags away
    assert dash.path.status == "diverged" and dash.frame.kind == "diverged"
    assert "nan" not in dash.frame.status.lower()


# --- the Newton explorer: newton_frame (pure) and the explorer (controls -> frame -> Canvas) ---
from gradlib import experiments_curvature as EC  # noqa: E402


def _layer(frame, panel, label, kind):
    return [layer for layer in frame.layers if layer.panel == panel
            and layer.style["label"] == label and layer.kind == kind][0]


def test_newton_frame_is_four_descend_runs_and_their_gradient_norms():
    """Without widgets: each runner's path is optim.descend with its own optimizer; the chart is
    |grad f| recomputed from SymPy's gradient at every point; reveal rules and sizes."""
    himmelblau = surfaces.get("himmelblau")
    settings = EC.NewtonSettings("himmelblau", (-4.0, 0.0), 40, 0.01, 0.9, 50.0)
    frame = EC.newton_frame(settings)
    gx, gy = (sp.lambdify(himmelblau.variables, sp.diff(himmelblau.expr, v))
              for v in himmelblau.variables)
    field = {"gradient descent": optim.gd(0.01), "momentum": optim.momentum(0.01, 0.9),
             "Newton": optim.newton(), "damped Newton": optim.newton(damping=50.0)}
    for label, opt in field.items():
        ref = optim.descend(himmelblau, opt, (-4.0, 0.0), 40, tol=1e-10)
        path = _layer(frame, "surface", label, "line")
        assert path.reveal == "upto"
        np.testing.assert_array_equal(path.xy, ref.xs)
        assert _layer(frame, "surface", label, "points").reveal == "at"
        curve = _layer(frame, "grad", label, "line").xy
        np.testing.assert_array_equal(curve[:, 0], np.arange(ref.steps + 1))
        want = np.maximum(np.hypot([gx(*p) for p in ref.xs], [gy(*p) for p in ref.xs]), 1e-16)
        np.testing.assert_allclose(curve[:, 1], want, rtol=1e-9, atol=1e-12)
    assert frame.n_steps == 40 and frame.kind == "info" and frame.charts["grad"]["ylog"]
    assert all(layer.style.get("label") for layer in frame.layers)
    assert frame.nbytes < 30_000
    assert "nan" not in frame.status.lower()


def test_newton_status_names_the_saddle_and_the_minimum():
    """The words for each run's end point agree with numpy's eigenvalues of SymPy's Hessian."""
    himmelblau = surfaces.get("himmelblau")
    settings = EC.NewtonSettings("himmelblau", (-4.0, 0.0), 40, 0.01, 0.9, 50.0)
    paths = EC.run_newton(settings)
    status = EC.newton_status(himmelblau, paths)
    for label, kind, path in (("Newton", "saddle", paths[2]), ("damped Newton", "minimum", paths[3])):
        lam = np.linalg.eigvalsh(sympy_hessian(himmelblau, path.xs[-1]))
        assert (lam[0] < 0 < lam[1]) if kind == "saddle" else (lam[0] > 0)
        value = float(path.losses[-1])
        f_text = f"f = {value:.4g}" if abs(value) >= 1e-8 else "|f| < 1e-08"
        assert f"{label}: converged after {path.steps} steps at ({path.xs[-1][0]:.3f}, " \
               f"{path.xs[-1][1]:.3f}), {f_text}, a {kind} of f" in status
    assert "|f| < 1e-08, a minimum of f" in status and "f = 104, a saddle of f" in status


@pytest.mark.parametrize("seed", range(5))
def test_newton_solves_a_random_positive_definite_quadratic_in_one_step(seed):
    """f = 1/2 x.A.x - b.x with A SPD (5 seeds): Newton's first step lands on A^-1 b; damped
    Newton with damping mu does not (its step is (A + mu I)^-1 g)."""
    rng = np.random.default_rng(seed)
    A, b = random_spd(rng), rng.normal(size=2)
    c = [float(v) for v in (A[0, 0] / 2, A[0, 1], A[1, 1] / 2, b[0], b[1])]
    text = f"{c[0]!r}*x**2 + {c[1]!r}*x*y + {c[2]!r}*y**2 - ({c[3]!r})*x - ({c[4]!r})*y"
    surf = surfaces.Surface.from_text(text, xlim=(-5, 5), ylim=(-5, 5), start=(2.0, -2.0))
    paths = EC.run_newton(EC.NewtonSettings(surf, (2.0, -2.0), 30, 0.01, 0.9, 1.0))
    newton, damped = paths[2], paths[3]
    assert newton.status == "converged" and newton.steps == 1
    np.testing.assert_allclose(newton.xs[1], np.linalg.solve(A, b), rtol=1e-9, atol=1e-9)
    g0 = A @ np.array([2.0, -2.0]) - b
    np.testing.assert_allclose(damped.xs[1], [2.0, -2.0] - np.linalg.solve(A + np.eye(2), g0),
                               rtol=1e-9, atol=1e-9)


def test_newton_frame_singular_hessian_and_divergence_are_words_not_nan():
    """f = x^2 + y: H = [[2, 0], [0, 0]] is singular, so pure Newton stops before its first step
    (an X where it stopped, the reason in the status); on Rosenbrock lr = 0.05 sends gradient
    descent and momentum off to infinity: each says where and why, and no number is NaN."""
    flat = surfaces.Surface.from_text("x**2 + y")
    frame = EC.newton_frame(EC.NewtonSettings(flat, (1.0, 1.0), 30, 0.1, 0.9, 0.5))
    assert "Newton: stopped at step 1: H + damping*I is singular at x = [1.0, 1.0]" in frame.status
    assert _layer(frame, "surface", "Newton: stopped here", "points").reveal == "end"
    frame = EC.newton_frame(EC.NewtonSettings("rosenbrock", None, 50, 0.05, 0.9, 1000.0))
    for label in ("gradient descent", "momentum"):
        assert f"{label}: diverged at step" in frame.status
        end = _layer(frame, "surface", f"{label}: stopped here", "points").xy
        assert np.all(np.isfinite(end))
    assert "nan" not in frame.status.lower()
    for layer in frame.layers:
        assert np.all(np.isfinite(layer.xy)), layer.style["label"]
    with pytest.raises(ValueError, match="damping must be a finite number > 0"):
        EC.newton_frame(EC.NewtonSettings("himmelblau", None, 10, 0.01, 0.9, 0.0))


def test_newton_explorer_follows_its_controls(closing):
    """controls[...] updates the frame synchronously; a click moves the start; a surface switch
    moves window, start and lr; a bad surface name is a status line."""
    dash = WC.newton_explorer("himmelblau", (-4.0, 0.0), steps=30, damping=50.0)
    closing(dash)
    himmelblau = surfaces.get("himmelblau")
    lam_max = np.linalg.eigvalsh(sympy_hessian(himmelblau, (-4.0, 0.0)))[-1]
    assert dash.controls["lr"].value == pytest.approx(1 / lam_max, rel=1e-2)  # slider step 0.01
    expected = optim.descend(himmelblau, optim.newton(), (-4.0, 0.0), 30)
    np.testing.assert_array_equal(_layer(dash.frame, "surface", "Newton", "line").xy, expected.xs)
    assert dash.race.labels == EC.NEWTON_RUNNERS and dash.canvas.frame["status"] == dash.frame.status
    before = dash.frame
    dash.controls["damping"].value = 100.0
    damped = optim.descend(himmelblau, optim.newton(damping=dash.controls["damping"].value),
                           (-4.0, 0.0), 30)
    np.testing.assert_array_equal(_layer(dash.frame, "surface", "damped Newton", "line").xy,
                                  damped.xs)
    np.testing.assert_array_equal(_layer(dash.frame, "surface", "gradient descent", "line").xy,
                                  _layer(before, "surface", "gradient descent", "line").xy)
    dash._on_click("surface", -1.0, 2.5)
    assert all(np.allclose(p.xs[0], [-1.0, 2.5]) for p in dash.race.paths)
    assert dash.frame.status.startswith("from (-1.00, 2.50) · ")
    dash._on_click("grad", 3.0, 3.0)                       # the chart is not a place to start
    assert np.allclose(dash.race.paths[0].xs[0], [-1.0, 2.5])
    dash.controls["surface"].value = "bogus"
    assert "unknown surface" in dash.status.value and dash.canvas.frame["kind"] == "error"
    dash.controls["surface"].value = "rosenbrock"
    rosen = surfaces.get("rosenbrock")
    assert np.array_equal(dash.race.paths[0].xs[0], rosen.start)
    assert dash.controls["x0"].min == -2.0 and dash.controls["x0"].max == 2.0
    assert dash.controls["lr"].value == pytest.approx(WC.default_lr(rosen), rel=1e-2)
    fig = dash.figure                                        # a snapshot
    assert len(fig.axes) >= 2


def test_newton_explorer_step_snapshot_and_kernel_free_copy(closing):
    dash = WC.newton_explorer("himmelblau", (-4.0, 0.0), steps=40, damping=50.0, step=3)
    closing(dash)
    assert dash.canvas.step == 3
    assert "<br>" in dash.status.value and "a saddle of f" in dash.status.value
    page = dash.static_html()
    assert len(page.encode()) <= 1_000_000 and "https://" not in page and "http://" not in page
    assert "mountStaticNewton(el, data, fns)" in page
    assert 'class="gradlib-static-snapshot"' in page
    with pytest.raises(ValueError, match="damping must be a finite number > 0"):
        WC.newton_explorer(damping=0.0)
    with pytest.raises(ValueError, match="x0 must be 2 finite coordinates"):
        WC.newton_explorer(x0=(np.nan, 0.0))


def test_newton_old_names_are_still_exported():
    for name in ("NewtonExplorer", "newton_explorer", "second_order_race", "race_table",
                 "race_optimizers", "Race", "RaceRow", "NewtonSettings", "newton_frame"):
        assert name in WC.__all__ and hasattr(WC, name), name


# --- the kernel-free animation ------------------------------------------------------------
def test_curvature_animation_is_a_small_video():
    anim = WC.curvature_animation("rosenbrock", "gd", lr=LR, steps=40, frames=4)
    assert anim.fmt in ("video", "jshtml") and anim.frames == 4
    assert anim.nbytes < 1_000_000
    with pytest.raises(ValueError, match=r"frames must be an integer in \[1, 100\]"):
        WC.curvature_animation(frames=0)


def test_kappa_and_angle_sliders_rebuild_the_quadratic(closing):
    dash = WC.curvature_explorer("quadratic", "gd", lr=0.01, steps=50, kappa=20, angle=0)
    closing(dash)
    assert not dash.controls["kappa"].disabled
    np.testing.assert_allclose(dash.frame.layer("lr·λmax").xy[:, 1], 0.01 * 20, rtol=1e-12)
    with dash.hold():
        dash.controls["kappa"].value = 100.0
        dash.controls["angle"].value = 45.0
    lam, V = np.linalg.eigh(sympy_hessian(dash.surface, (0.0, 0.0)))
    np.testing.assert_allclose(lam, [1.0, 100.0], rtol=1e-9)
    assert abs(V[:, 1] @ [-np.sqrt(0.5), np.sqrt(0.5)]) == pytest.approx(1.0)   # steep: 135 deg
    np.testing.assert_allclose(dash.frame.layer("lr·λmax").xy[:, 1], 0.01 * 100, rtol=1e-9)
    dash.controls["surface"].value = "bowl"
    assert dash.controls["kappa"].disabled and dash.controls["angle"].disabled
    with pytest.raises(ValueError, match=r"kappa must be a number in \[1, 1000\]"):
        WC.curvature_explorer("quadratic", kappa=0.5)


def test_view_needs_a_path_first():
    from matplotlib.figure import Figure
    view = WC.CurvatureView(Figure())
    with pytest.raises(RuntimeError, match="call show_path first"):
        view.show_step(0)


def test_a_diverged_run_is_reported_and_drawn_to_its_last_point(closing):
    dash = WC.curvature_explorer("saddle", "gd", lr=0.3, steps=200)
    closing(dash)
    assert dash.path.status == "diverged" and "diverged at step" in dash.status.value
    frame, last = dash.frame, dash.path.steps
    np.testing.assert_array_equal(frame.layer("xₜ at the shown step").xy[last], dash.path.xs[-1])
    assert np.all(np.isfinite(frame.layer("path (gd)").xy))
    lo, hi = frame.charts["curvature"]["ylim"]
    assert hi <= 3 * 2.0 and lo >= -2 * 2.0       # the line stays in view, the curve leaves it
    assert "nan" not in frame.status.lower()


def test_singular_hessian_and_kernel_free_copy(closing):
    """f = x^2 + y: H = [[2, 0], [0, 0]] is singular everywhere: Newton stops at once with a
    clear status, no model and no flat arm are drawn, never a NaN in words; the static copy is
    self-contained and small."""
    dash = WC.curvature_explorer(surfaces.Surface.from_text("x**2 + y"), "newton", steps=40,
                                 x0=(1.0, 1.0))
    closing(dash)
    assert dash.path.status == "diverged" and dash.frame.kind == "diverged"
    assert _chunk(dash.frame, MODEL, 0).size == 0 and _chunk(dash.frame, DOWN, 0).size == 0
    assert len(_chunk(dash.frame, UP, 0)) == 3                     # lambda = 2 along x only
    assert np.all(np.isnan(dash.frame.layer(TARGET).xy[0]))
    status = dash.frame.status
    assert "flat along some direction" in status and "singular" in status
    assert "nan" not in status.lower()
    page = dash.static_html()
    assert len(page.encode()) <= 1_000_000 and "https://" not in page
    assert "mountStaticCurvature(el, data, fns)" in page


def test_every_control_shows_its_whole_label(explorer, closing):
    """No label cut to 'β (mome…': each control's label is sized to its text, and no label is
    abbreviated to fit a fixed width."""
    newton = WC.newton_explorer("himmelblau", (-4.0, 0.0), steps=5)
    closing(newton)
    for dash in (explorer, newton):
        labelled = [c for c in dash.controls.values() if getattr(c, "description", "")]
        assert labelled
        for control in labelled:
            assert control.style.description_width == "initial", control.description
            assert "." not in control.description, control.description     # no "quadr." / "mom."
