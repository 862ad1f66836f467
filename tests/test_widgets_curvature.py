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


# --- the curvature explorer ---------------------------------------------------------------
@pytest.fixture
def explorer(closing):
    dash = WC.curvature_explorer("rosenbrock", "gd", lr=LR, steps=STEPS)
    closing(dash)
    return dash


def test_explorer_path_is_descend(explorer, rosenbrock):
    expected = optim.descend(rosenbrock, optim.gd(LR), steps=STEPS)
    np.testing.assert_array_equal(explorer.path.xs, expected.xs)
    line = explorer.view.path_artists.line
    np.testing.assert_array_equal(np.column_stack(line.get_data()), expected.xs)
    assert explorer.controls["step"].max == expected.steps == explorer.play.max


@pytest.mark.parametrize("t", [0, 1, 7, 60, STEPS])
def test_glyph_sits_at_the_step_and_points_along_the_eigenvectors(explorer, rosenbrock, t):
    explorer.controls["step"].value = t
    p = explorer.path.xs[t]
    glyph = explorer.view.glyph
    np.testing.assert_array_equal(glyph.quiver.get_offsets(), [p, p])
    lam, V = np.linalg.eigh(sympy_hessian(rosenbrock, p))
    vectors = glyph_vectors(glyph)
    for i in range(2):
        length = np.linalg.norm(vectors[i])
        assert length == pytest.approx(glyph.scale * abs(lam[i]) / glyph.ref, rel=1e-9)
        assert abs(vectors[i] @ V[:, i]) == pytest.approx(length, rel=1e-9)   # parallel to v_i
    # the reference is the largest |lambda| along the whole path: arrows comparable over steps
    all_lam = np.array([np.linalg.eigvalsh(rosenbrock.hess(q)) for q in explorer.path.xs])
    assert glyph.ref == pytest.approx(np.abs(all_lam).max(), rel=1e-12)
    # the cursor and the dot follow the step
    assert list(explorer.view.lines["cursor"].get_xdata()) == [t, t]
    dot = explorer.view.lines["dot"].get_data()
    assert dot[0][0] == t and dot[1][0] == pytest.approx(LR * lam[-1], rel=1e-9)
    np.testing.assert_array_equal(explorer.view.point.get_data(), [[p[0]], [p[1]]])


def test_lr_lambda_max_curve_is_lr_times_the_top_eigenvalue(explorer, rosenbrock):
    xs = explorer.path.xs
    top = np.array([np.linalg.eigvalsh(sympy_hessian(rosenbrock, p))[-1] for p in xs[::10]])
    t, y = (np.asarray(v, dtype=float) for v in explorer.view.lines["lr_lambda_max"].get_data())
    np.testing.assert_array_equal(t, np.arange(len(xs)))
    np.testing.assert_allclose(y[::10], LR * top, rtol=1e-10)
    limit = explorer.view.lines["limit"]
    assert limit.get_visible() and list(limit.get_ydata()) == [2.0, 2.0]
    # the limit line stays in view
    lo, hi = explorer.view.ax_curv.get_ylim()
    assert lo < 0 < 2.0 < hi


def test_quadratic_model_is_redrawn_at_each_step_without_piling_up(explorer, rosenbrock):
    ax = explorer.view.ax
    before = len(ax.collections)
    for t in (3, 4, 50):
        explorer.controls["step"].value = t
        p = explorer.path.xs[t]
        model = explorer.view.model
        assert model.axes is ax and len(ax.collections) == before
        # one level set passes through the current point: m(p) = f(p)
        f_p = rosenbrock.f(p)
        assert np.min(np.abs(np.asarray(model.levels) - f_p)) <= 1e-9 * max(1, f_p)
        # the x marks the model's stationary point: grad m = g + H d = 0 there
        H, g = sympy_hessian(rosenbrock, p), rosenbrock.grad(p)
        target = np.array(explorer.view.target.get_data(), dtype=float).ravel()
        np.testing.assert_allclose(H @ (target - p) + g, 0, atol=1e-8 * max(1, np.abs(g).max()))


def test_step_moves_artists_but_keeps_the_path(explorer):
    path, line = explorer.path, explorer.view.path_artists.line
    explorer.controls["step"].value = 30
    assert explorer.path is path and explorer.view.path_artists.line is line
    explorer.play.value = 11                          # the Play control drives the step slider
    assert explorer.controls["step"].value == 11
    np.testing.assert_array_equal(explorer.view.glyph.quiver.get_offsets()[0], path.xs[11])


def test_changing_lr_changes_the_path(explorer, rosenbrock):
    old = explorer.view.path_artists.line.get_xydata().copy()
    explorer.controls["lr"].value = 1e-3
    lr = explorer.controls["lr"].value
    expected = optim.descend(rosenbrock, optim.gd(lr), steps=STEPS)
    new = explorer.view.path_artists.line.get_xydata()
    assert not np.array_equal(old, new)
    np.testing.assert_allclose(new, expected.xs, rtol=1e-12)
    y = np.asarray(explorer.view.lines["lr_lambda_max"].get_ydata(), dtype=float)
    np.testing.assert_allclose(y, lr * np.linalg.eigvalsh(rosenbrock.hess(expected.xs))[:, -1],
                               rtol=1e-10)


def test_momentum_moves_the_line_and_newton_hides_it(explorer):
    explorer.controls["optimizer"].value = "momentum"
    beta = explorer.controls["beta"].value
    assert list(explorer.view.lines["limit"].get_ydata()) == [pytest.approx(2 * (1 + beta))] * 2
    assert explorer.path.optimizer == "momentum"
    explorer.controls["optimizer"].value = "newton"
    assert not explorer.view.lines["limit"].get_visible()
    assert explorer.path.status == "converged" and explorer.path.xs[-1] == pytest.approx([1, 1])


def test_bad_surface_name_goes_to_the_status_line(explorer):
    before = explorer.view.path_artists.line.get_xydata().copy()
    explorer.controls["surface"].value = "no such surface"       # a typed name: no traceback
    assert "Not updated" in explorer.status.value and "unknown surface" in explorer.status.value
    np.testing.assert_array_equal(explorer.view.path_artists.line.get_xydata(), before)
    explorer.controls["surface"].value = "saddle"                # and it recovers
    saddle = surfaces.get("saddle")
    assert "Not updated" not in explorer.status.value
    assert np.array_equal(explorer.path.xs[0], saddle.start)
    explorer.controls["step"].value = 0
    faces = explorer.view.glyph.quiver.get_facecolor()
    # lambda = -2 (down, along y) and +2 (up, along x): one arrow of each color
    expected = [mcolors.to_rgba(plots.NEGATIVE_CURVATURE_COLOR),
                mcolors.to_rgba(plots.POSITIVE_CURVATURE_COLOR)]
    np.testing.assert_allclose(faces, expected)
    assert explorer.view.ax.get_xlim() == saddle.xlim


@pytest.mark.parametrize("kwargs, message", [
    (dict(surface="nope"), "surface: unknown surface 'nope'"),
    (dict(optimizer="adam"), "optimizer must be one of 'gd', 'momentum', 'newton', got 'adam'"),
    (dict(lr=-1.0), "lr must be a finite number > 0"),
    (dict(steps=0), r"steps must be an integer in \[1, 5000\]"),
    (dict(x0=(1.0,)), "x0 must be 2 finite coordinates"),
    (dict(step=-2), "step must be an integer >= 0"),
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
    y = np.asarray(dash.view.lines["lr_lambda_max"].get_ydata(), dtype=float)
    np.testing.assert_allclose(y, 1.9, rtol=1e-12)
    assert dash.path.status == "converged"
    dash.controls["lr"].value = 0.21                  # 2.1 > 2: now it zig-zags away
    assert dash.path.status == "diverged"


# --- the Newton explorer ------------------------------------------------------------------
def test_newton_explorer_follows_its_controls(closing):
    dash = WC.newton_explorer("himmelblau", (-4.0, 0.0), steps=30, damping=50.0)
    closing(dash)
    himmelblau = surfaces.get("himmelblau")
    newton_line = dash.path_artists[2].line
    expected = optim.descend(himmelblau, optim.newton(), (-4.0, 0.0), 30)
    np.testing.assert_allclose(newton_line.get_xydata(), expected.xs, rtol=1e-12)
    with dash.hold():
        dash.controls["x0"].value, dash.controls["y0"].value = 1.0, 1.0
    for art in dash.path_artists:
        np.testing.assert_allclose(art.line.get_xydata()[0], [1.0, 1.0], atol=1e-12)
    dash.controls["damping"].value = 100.0
    damped = optim.descend(himmelblau, optim.newton(damping=dash.controls["damping"].value),
                           (1.0, 1.0), 30)
    np.testing.assert_allclose(dash.path_artists[3].line.get_xydata(), damped.xs, rtol=1e-12)
    dash.controls["step"].value = 4
    for path, head in zip(dash.race.paths, dash.heads):
        k = min(4, path.steps)
        np.testing.assert_array_equal(np.array(head.get_data()).ravel(), path.xs[k])
    g = np.asarray(dash.grad_lines[0].get_ydata(), dtype=float)
    np.testing.assert_allclose(g, np.maximum(np.linalg.norm(
        himmelblau.grad(dash.race.paths[0].xs), axis=1), 1e-16), rtol=1e-12)
    # a click on the contour plot moves the start
    dash._on_click(SimpleNamespace(inaxes=dash.ax, xdata=-1.0, ydata=2.5))
    assert all(np.allclose(p.xs[0], [-1.0, 2.5]) for p in dash.race.paths)
    dash.controls["surface"].value = "bogus"
    assert "unknown surface" in dash.status.value
    dash.controls["surface"].value = "rosenbrock"
    assert np.array_equal(dash.race.paths[0].xs[0], surfaces.get("rosenbrock").start)
    assert dash.controls["x0"].min == -2.0 and dash.controls["x0"].max == 2.0


def test_newton_explorer_status_names_the_saddle(closing):
    dash = WC.newton_explorer("himmelblau", (-4.0, 0.0), steps=30, damping=50.0)
    closing(dash)
    assert "<b>Newton</b>: converged" in dash.status.value
    assert "a <b>saddle</b> of f" in dash.status.value
    with pytest.raises(ValueError, match="damping must be a finite number > 0"):
        WC.newton_explorer(damping=0.0)


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
    y = np.asarray(dash.view.lines["lr_lambda_max"].get_ydata(), dtype=float)
    np.testing.assert_allclose(y, 0.01 * 20, rtol=1e-12)              # lambda_max = kappa
    with dash.hold():
        dash.controls["kappa"].value = 100.0
        dash.controls["angle"].value = 45.0
    lam, V = np.linalg.eigh(sympy_hessian(dash.surface, (0.0, 0.0)))
    np.testing.assert_allclose(lam, [1.0, 100.0], rtol=1e-9)
    assert abs(V[:, 1] @ [-np.sqrt(0.5), np.sqrt(0.5)]) == pytest.approx(1.0)   # steep: 135 deg
    y = np.asarray(dash.view.lines["lr_lambda_max"].get_ydata(), dtype=float)
    np.testing.assert_allclose(y, 0.01 * 100, rtol=1e-9)
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
    dash.controls["step"].value = dash.path.steps
    np.testing.assert_array_equal(dash.view.glyph.quiver.get_offsets()[0], dash.path.xs[-1])
    lo, hi = dash.view.ax_curv.get_ylim()
    assert hi <= 3 * 2.0 and lo >= -2 * 2.0       # the line stays in view, the curve leaves it


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
