"""Tests for gradlib.widgets.descent: the pure functions against optim.descend, closed forms and
NumPy's eigvalsh; the explorers driven through their controls (Agg backend, no browser)."""
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gradlib import animate, optim
from gradlib.surfaces import Surface
from gradlib.widgets import descent as D


def top_eigenvalue(surface, x):
    """lambda_max of the Hessian at x, straight from NumPy (independent of gradlib.curvature)."""
    return float(np.linalg.eigvalsh(np.asarray(surface.hess(np.asarray(x, dtype=float))))[-1])


def stable_limit(surface, x):
    """2 / lambda_max, or inf where lambda_max <= 0 (no step overshoots along any direction)."""
    lam = top_eigenvalue(surface, x)
    return 2 / lam if lam > 0 else math.inf


# --- settings -> path ------------------------------------------------------------------------
def test_run_descent_is_descend_with_the_settings():
    s = D.Settings(surface="himmelblau", optimizer="momentum", lr=2e-3, hyper=(("beta", 0.8),),
                   steps=150, start=(1.0, -1.0))
    path = D.run_descent(s)
    ref = optim.descend(D.resolve_surface("himmelblau"), optim.momentum(lr=2e-3, beta=0.8),
                        [1.0, -1.0], 150, tol=D.EXPLORER_TOL)
    np.testing.assert_array_equal(path.xs, ref.xs)
    assert path.status == ref.status


@pytest.mark.parametrize("schedule, formula", [
    ("constant", lambda lr, t, steps: lr + 0 * t),
    ("inverse_time_decay", lambda lr, t, steps: lr / (1 + 0.05 * t)),
    ("exponential_decay", lambda lr, t, steps: lr * 0.97 ** t),
    ("step_decay", lambda lr, t, steps: lr * 0.5 ** np.floor(t / (steps // 4))),
    ("linear_decay", lambda lr, t, steps: lr * (1 - t / steps)),
    ("cosine_decay", lambda lr, t, steps: lr * (1 + np.cos(np.pi * t / steps)) / 2),
    ("warmup", lambda lr, t, steps: np.where(t < steps // 10,
                                             lr * (t + 1) / (steps // 10 + 1), lr)),
])
def test_schedules_follow_their_formulas(schedule, formula):
    s = D.Settings(surface="bowl", lr=0.05, schedule=schedule, decay=0.05, rate=0.97, steps=80,
                   tol=0.0)
    path = D.run_descent(s)
    t = np.arange(len(path.lrs))
    np.testing.assert_allclose(path.lrs, formula(0.05, t, 80), rtol=1e-12, atol=1e-15)


def test_learning_rate_rejects_unknown_schedule():
    with pytest.raises(ValueError, match="schedule must be one of"):
        D.learning_rate("sometimes", 0.1, 100)


# --- stability lines -------------------------------------------------------------------------
@pytest.mark.parametrize("name", ["rosenbrock", "beale", "himmelblau", "six_hump_camel", "saddle"])
def test_lr_limits_are_two_over_lambda_max(name):
    surface = D.resolve_surface(name)
    path = optim.descend(surface, optim.gd(1e-4), None, 50)
    limits = D.lr_limits(surface, path)
    assert limits.start == pytest.approx(stable_limit(surface, path.xs[0]), rel=1e-10)
    along = min(stable_limit(surface, x) for x in path.xs)
    assert limits.along_path == pytest.approx(along, rel=1e-10)


@pytest.mark.parametrize("name, beta", [("gd", 0.0), ("momentum", 0.5), ("momentum", 0.9),
                                        ("nesterov", 0.5), ("nesterov", 0.9)])
def test_stability_factor_separates_convergence_from_divergence(name, beta):
    """lr * lambda just below the factor converges on f = lambda/2 x^2, just above diverges."""
    factor = D.stability_factor(name, {"beta": beta})
    lam = 3.0
    surface = Surface.from_text("3/2*x**2", variables=["x"], xlim=(-2, 2), start=[1.0])
    hyper = {} if name == "gd" else {"beta": beta}
    below = optim.descend(surface, optim.make(name, lr=0.98 * factor / lam, **hyper), None, 3000)
    above = optim.descend(surface, optim.make(name, lr=1.02 * factor / lam, **hyper), None, 3000)
    assert below.status == "converged"
    assert above.status == "diverged"


def test_stability_factor_is_none_for_adaptive_methods_and_newton():
    for name in ("adagrad", "rmsprop", "adam", "adamw", "newton"):
        assert D.stability_factor(name) is None


# --- status lines ----------------------------------------------------------------------------
def test_describe_diverged_gd_names_the_curvature():
    surface = D.resolve_surface("quadratic")          # lambda_max = 10 everywhere
    opt = optim.gd(0.24)                              # lr * lambda_max = 2.4 > 2
    path = optim.descend(surface, opt, None, 200)
    text = D.describe(surface, path, opt)
    assert path.status == "diverged"
    assert text.startswith(f"diverged at step {path.steps + 1}: lr too large for this curvature")
    assert "(lr·λmax = 2.4 > 2)" in text


def test_describe_converged_to_a_local_minimum_says_so():
    surface = D.resolve_surface("six_hump_camel")
    opt = optim.gd(0.01)
    path = optim.descend(surface, opt, [-1.4, -0.2], 500, tol=1e-8)
    text = D.describe(surface, path, opt)
    assert path.status == "converged"
    assert text.startswith(f"converged in {path.steps} steps")
    assert f"the global minimum is f* = {surface.global_min:.4g}" in text
    assert path.losses[-1] > surface.global_min + 0.1     # not the global minimum


def test_describe_saddle_escape_is_not_blamed_on_the_lr():
    surface = D.resolve_surface("saddle")
    opt = optim.gd(0.1)
    path = optim.descend(surface, opt, None, 500)
    text = D.describe(surface, path, opt)
    assert path.status == "diverged" and "unbounded below" in text and "lr too large" not in text


# --- defaults --------------------------------------------------------------------------------
@pytest.mark.parametrize("name", D.surface_names())
def test_default_lrs_do_not_overshoot(name):
    surface = D.resolve_surface(name)
    for opt in D.RACERS:
        lr = D.default_lr(surface, opt)
        path = optim.descend(surface, optim.make(opt, lr=lr), None, 300, tol=0.0)
        assert path.status != "diverged" or path.losses[-1] < path.losses[0], (opt, lr)


def test_default_lr_for_gd_is_half_the_stable_step_or_less():
    surface = D.resolve_surface("rosenbrock")
    lr = D.default_lr(surface, "gd")
    assert lr <= 1 / top_eigenvalue(surface, surface.start) < 2.5 * lr


# --- race ------------------------------------------------------------------------------------
def test_race_equals_separate_runs():
    surface = D.resolve_surface("himmelblau")
    specs = {"gd": optim.gd(2e-3), "adam": optim.adam(0.2), "slow gd": optim.gd(1e-4)}
    entries = D.race(surface, specs, steps=200, tol=1e-4)
    assert [e.name for e in entries] == list(specs)
    for e, opt in zip(entries, specs.values()):
        ref = optim.descend(surface, opt, None, 200, tol=0.0)
        np.testing.assert_array_equal(e.path.xs, ref.xs)
        gap = ref.losses - surface.global_min
        hit = [t for t, g in enumerate(gap) if g <= 1e-4]
        assert e.steps_to_tol == (hit[0] if hit else None)
        assert e.final_gap == pytest.approx(gap[-1])
    assert entries[0].steps_to_tol is not None and entries[2].steps_to_tol is None


@pytest.mark.parametrize("specs, tol, message", [
    ({}, 1e-4, "specs must be a non-empty mapping"),
    ({"gd": optim.gd(0.1)}, 0.0, "tol must be a positive number"),
    ({"gd": "fast"}, 1e-4, "optimizer must be an optimizer"),
])
def test_race_rejects_bad_input(specs, tol, message):
    with pytest.raises(ValueError, match=message):
        D.race(D.resolve_surface("bowl"), specs, 10, tol)


# --- one dimension ---------------------------------------------------------------------------
@settings(max_examples=30)
@given(a=st.floats(0.2, 5.0), h=st.floats(0.0, 2.5),
       x0=st.floats(-3, 3).filter(lambda v: abs(v) > 0.1))
def test_quadratic_path_is_the_closed_form(a, h, x0):
    lr = h / a
    path = D.quadratic_path(a, lr, x0, 30)
    k = np.arange(len(path.xs))
    np.testing.assert_allclose(path.xs[:, 0], (1 - lr * a) ** k * x0, rtol=1e-9, atol=1e-12)
    if h > 2.0 + 1e-9:
        assert np.all(np.abs(path.xs[1:, 0]) > np.abs(path.xs[:-1, 0]))   # every jump grows


@pytest.mark.parametrize("h, regime", [(0.0, "frozen"), (0.4, "monotone"), (1.0, "one step"),
                                       (1.5, "oscillating"), (2.0, "bouncing"), (2.1, "divergent")])
def test_quadratic_regime_matches_the_iterates(h, regime):
    a = 2.0
    assert D.quadratic_regime(a, h / a) == regime
    xs = D.quadratic_path(a, h / a, 1.0, 12).xs[:, 0]
    signs = np.sign(xs[1:])
    if regime == "monotone":
        assert np.all(signs > 0) and np.all(np.diff(xs) < 0)
    if regime in ("oscillating", "divergent"):
        assert np.all(signs[1:] == -signs[:-1])


def test_quadratic_threshold_two_over_a():
    a = 4.0
    assert D.quadratic_path(a, 0.99 * 2 / a, 1.0, 2000).xs[-1, 0] == pytest.approx(0, abs=1e-6)
    assert D.quadratic_path(a, 1.01 * 2 / a, 1.0, 2000).status == "diverged"


@pytest.mark.parametrize("args, message", [((0.0, 0.1), r"a must be a finite number > 0, got 0.0"),
                                           ((1.0, -0.1), "lr must be a finite number >= 0")])
def test_quadratic_path_rejects_bad_input(args, message):
    with pytest.raises(ValueError, match=message):
        D.quadratic_path(*args)


# --- basins ----------------------------------------------------------------------------------
def test_basin_map_agrees_with_single_runs():
    surface = D.resolve_surface("himmelblau")
    xs, ys = np.linspace(-4.5, 4.5, 7), np.linspace(-4.5, 4.5, 6)
    basins = D.basin_map(surface, optim.gd(0.005), xs, ys, steps=400)
    assert basins.labels.shape == (6, 7)
    assert set(np.unique(basins.labels)) == {0, 1, 2, 3}       # every minimum has a basin
    for i, j in [(0, 0), (2, 3), (5, 6), (4, 1), (1, 5)]:
        ref = optim.descend(surface, optim.gd(0.005), [xs[j], ys[i]], 400, tol=0.0)
        nearest = int(np.argmin(np.linalg.norm(surface.minima - ref.xs[-1], axis=1)))
        assert basins.labels[i, j] == nearest
        np.testing.assert_allclose(basins.ends[i, j], ref.xs[-1], atol=1e-9)


def test_basin_map_refuses_newton_and_reports_divergence():
    surface = D.resolve_surface("himmelblau")
    with pytest.raises(ValueError, match="coordinate-wise optimizer"):
        D.basin_map(surface, optim.newton(), [0.0], [0.0])
    with pytest.raises(ValueError, match="diverged from at least one start"):
        D.basin_map(surface, optim.gd(0.5), np.linspace(-5, 5, 3), np.linspace(-5, 5, 3))


# --- the descent explorer --------------------------------------------------------------------
def line_xy(line):
    x, y = line.get_data()
    return np.column_stack([np.asarray(x, dtype=float), np.asarray(y, dtype=float)])


def expected_path(dash):
    """descend run here from the control values, independently of the explorer's cache."""
    c = dash.controls
    hyper = {k: c[k].value for k in D.HYPER[c["optimizer"].value]}
    surface = dash.surface
    lr = D.learning_rate(c["schedule"].value, c["lr"].value, c["steps"].value,
                         decay=c["decay"].value, rate=c["rate"].value)
    opt = optim.make(c["optimizer"].value, lr=lr, **hyper)
    return optim.descend(surface, opt, [c["x0"].value, c["y0"].value], c["steps"].value,
                         tol=D.EXPLORER_TOL)


def drawn(dash):
    """The path the explorer last sent to the page (its frame's path layer)."""
    return dash.drawn_path


def sent_path(dash):
    """The path as the page receives it: the float64 bytes of the canvas's frame trait."""
    layer = next(l for l in dash.canvas.frame["layers"] if l["reveal"] == "upto"
                 and l["panel"] == "surface")
    return np.frombuffer(layer["xy"], dtype="<f8").reshape(-1, 2)


def test_explorer_draws_descends_path(closing):
    dash = D.descent_explorer("rosenbrock", "gd", steps=200)
    closing(dash)
    ref = expected_path(dash)
    np.testing.assert_array_equal(drawn(dash), ref.xs)
    np.testing.assert_array_equal(sent_path(dash), ref.xs)
    assert dash.canvas.frame["n_steps"] == ref.steps and dash.canvas.step == -1
    before = drawn(dash).copy()
    dash.controls["lr"].value = 1e-3
    after = drawn(dash)
    assert not np.array_equal(before, after)
    np.testing.assert_array_equal(after, expected_path(dash).xs)
    np.testing.assert_array_equal(sent_path(dash), after)


def test_explorer_reuses_cached_paths(closing):
    dash = D.descent_explorer("himmelblau", "gd")
    closing(dash)
    first = dash.path
    dash.controls["lr"].value = dash.controls["lr"].value / 2
    assert dash.path is not first
    dash.controls["lr"].value = dash.controls["lr"].value * 2
    assert dash.path is first                # same settings: no recomputation


def test_switching_optimizer_changes_path_and_shows_its_hyperparameters(closing):
    dash = D.descent_explorer("himmelblau", "gd")
    closing(dash)
    c = dash.controls
    hidden = lambda key: c[key].layout.display == "none"   # noqa: E731
    assert all(hidden(k) for k in ("beta", "rho", "beta1", "beta2", "weight_decay", "damping"))
    gd_path = drawn(dash).copy()
    c["optimizer"].value = "momentum"
    assert not hidden("beta") and hidden("rho") and hidden("beta1")
    assert not np.array_equal(gd_path, drawn(dash))
    np.testing.assert_array_equal(drawn(dash), expected_path(dash).xs)
    c["beta"].value = 0.5
    np.testing.assert_array_equal(drawn(dash), expected_path(dash).xs)
    c["optimizer"].value = "adam"
    assert hidden("beta") and not hidden("beta1") and not hidden("beta2") and hidden("rho")
    np.testing.assert_array_equal(drawn(dash), expected_path(dash).xs)
    c["optimizer"].value = "rmsprop"
    assert not hidden("rho") and hidden("beta1")
    c["optimizer"].value = "newton"
    assert not hidden("damping") and hidden("rho")
    assert c["lr"].value == 1.0
    np.testing.assert_array_equal(drawn(dash), expected_path(dash).xs)


def test_schedule_controls_and_lrs(closing):
    dash = D.descent_explorer("bowl", "gd", lr=0.05)
    closing(dash)
    c = dash.controls
    assert c["decay"].layout.display == "none" and c["rate"].layout.display == "none"
    with dash.hold():
        c["schedule"].value = "inverse_time_decay"
        c["decay"].value = 0.1
    assert c["decay"].layout.display != "none"
    t = np.arange(len(dash.path.lrs))
    np.testing.assert_allclose(dash.path.lrs, 0.05 / (1 + 0.1 * t))


def test_lr_marker_is_two_over_lambda_max_at_the_start(closing):
    dash = D.descent_explorer("rosenbrock", "gd")
    closing(dash)
    start = [dash.controls["x0"].value, dash.controls["y0"].value]
    expected = 2 / top_eigenvalue(dash.surface, start)
    assert dash.limits.start == pytest.approx(expected, rel=1e-10)
    assert f"2/λmax at the start = {expected:.3g}" in dash.lr_strip.value
    along = min(2 / top_eigenvalue(dash.surface, x) for x in dash.path.xs)
    assert dash.limits.along_path == pytest.approx(along, rel=1e-10)
    assert f"smallest along the path = {along:.3g}" in dash.lr_strip.value
    # the red tick sits where 2/lambda_max falls on the slider's log scale
    lo, hi = D.LR_EXP_RANGE
    pct = (math.log10(expected) - lo) / (hi - lo) * 100
    assert f"left:{pct:.1f}%;background:#c00" in dash.lr_strip.value


def test_diverging_lr_gives_a_diverged_status(closing):
    dash = D.descent_explorer("quadratic", "gd")
    closing(dash)
    c = dash.controls
    lam = top_eigenvalue(dash.surface, [c["x0"].value, c["y0"].value])
    c["lr"].value = 2.4 / lam
    assert dash.path.status == "diverged"
    assert "diverged at step" in dash.status.value
    assert "lr too large for this curvature (lr·λmax = 2.4 &gt; 2)" in dash.status.value
    assert dash.canvas.frame["status"].endswith("(lr·λmax = 2.4 > 2)")
    assert dash.canvas.frame["kind"] == "diverged"
    assert dash.frame.layer("last finite point (diverged)").style["marker"] == "X"
    assert np.all(np.isfinite(drawn(dash)))


def test_custom_formula_through_the_safe_parser(closing):
    dash = D.descent_explorer("rosenbrock", "gd")
    closing(dash)
    c = dash.controls
    old_scene = dash.scene
    assert c["formula"].layout.display == "none"
    with dash.hold():
        c["surface"].value = D.CUSTOM
        c["formula"].value = "x**2 + 4*y**2 - x*y"
    assert c["formula"].layout.display != "none"
    ref_surface = Surface.from_text("x**2 + 4*y**2 - x*y")
    probe = np.array([0.3, -0.7])
    np.testing.assert_allclose(dash.surface.f(probe), ref_surface.f(probe))
    np.testing.assert_array_equal(drawn(dash), expected_path(dash).xs)
    assert "converged" in dash.status.value
    assert dash.scene is not old_scene                  # new contours sent
    assert dash.canvas.scene["image"] == dash.scene.image
    # a bad formula: an error in the status line, no exception, the picture untouched
    shown = drawn(dash).copy()
    c["formula"].value = "x**2 + __import__('os').system('ls')"
    assert "not accepted" in dash.status.value
    assert dash.canvas.frame["kind"] == "error" and "not accepted" in dash.canvas.frame["status"]
    np.testing.assert_array_equal(sent_path(dash), shown)          # never a blank canvas
    c["formula"].value = "x**2 + y**"
    assert "not accepted" in dash.status.value
    c["formula"].value = "sqrt(-x**2 - 1)"             # defined nowhere in the window
    assert "cannot run: x0: f or its gradient is not finite" in dash.status.value
    c["formula"].value = "abs(x) + y**2"               # a Hessian NumPy may not evaluate
    if "cannot explore this f(x, y)" not in dash.status.value:
        np.testing.assert_array_equal(drawn(dash), expected_path(dash).xs)
    c["formula"].value = "log(x) + y**2"               # x < 0 is outside the domain
    assert dash.error == "" and dash.path.status == "diverged"
    assert np.all(np.isfinite(drawn(dash))) and np.all(dash.path.xs[:, 0] > 0)
    c["surface"].value = "booth"
    assert dash.error == "" and "not accepted" not in dash.status.value


def test_switching_surface_sends_new_contours_and_window(closing):
    dash = D.descent_explorer("rosenbrock", "gd")
    closing(dash)
    canvas = dash.canvas
    old = dash.scene
    dash.controls["surface"].value = "himmelblau"
    assert dash.canvas is canvas and dash.scene is not old
    (surface_panel,) = [p for p in dash.canvas.scene["panels"] if p["name"] == "surface"]
    assert tuple(surface_panel["xlim"]) == dash.surface.xlim
    assert tuple(surface_panel["ylim"]) == dash.surface.ylim
    c = dash.controls
    assert (c["x0"].min, c["x0"].max) == dash.surface.xlim
    assert [c["x0"].value, c["y0"].value] == pytest.approx(dash.surface.start)
    np.testing.assert_allclose(dash.frame.layer("known minima").xy, dash.surface.minima)
    np.testing.assert_array_equal(drawn(dash), expected_path(dash).xs)


def test_step_is_the_pages_business(closing):
    """Play and scrubbing run in the page: the kernel sends the whole path once, with reveal
    rules (path up to step t, the current point at t, the end marker only at the end); the
    step the page shows comes back in ``canvas.step`` and a snapshot draws it."""
    dash = D.descent_explorer("himmelblau", "gd")
    closing(dash)
    xs = dash.path.xs
    sent = []
    dash.canvas.observe(lambda ch: sent.append(ch), names="frame")
    dash.canvas.step = 5                                      # as the page reports a pause
    assert not sent                                           # no recomputation, no new frame
    fig = dash.figure
    surface_ax = fig.axes[0]
    lines = {l.get_label(): l for l in surface_ax.get_lines()}
    np.testing.assert_array_equal(np.column_stack(lines["path x₀ … xₜ"].get_data()), xs[:6])
    np.testing.assert_array_equal(np.column_stack(lines["xₜ at the shown step"].get_data()),
                                  xs[5:6])
    assert len(lines["end of the run"].get_xdata()) == 0       # not at the end yet
    loss_lines = {l.get_label(): l for l in fig.axes[1].get_lines()}
    assert len(loss_lines["f(x_t) − f*"].get_xdata()) == 6
    assert dash.canvas.frame["n_steps"] == dash.path.steps


def test_click_on_the_contour_moves_the_start(closing):
    dash = D.descent_explorer("himmelblau", "gd")
    closing(dash)
    dash.canvas._handle_msg(dash.canvas, {"type": "click", "panel": "surface", "x": 1.5,
                                          "y": -2.0}, [])
    assert dash.controls["x0"].value == pytest.approx(1.5, abs=1e-6)
    assert dash.controls["y0"].value == pytest.approx(-2.0, abs=1e-6)
    np.testing.assert_allclose(dash.path.xs[0], [1.5, -2.0], atol=1e-6)


def test_explorer_rejects_bad_arguments():
    with pytest.raises(ValueError, match="surface must be one of"):
        D.descent_explorer("volcano")
    with pytest.raises(ValueError, match="optimizer must be one of"):
        D.descent_explorer("bowl", "lbfgs")
    with pytest.raises(ValueError, match="steps must be an integer in"):
        D.descent_explorer("bowl", steps=5)


def test_explorer_exports_a_kernel_free_animation(closing):
    dash = D.descent_explorer("himmelblau", "gd", steps=60)
    closing(dash)
    anim = dash.to_html(frames=20)
    assert isinstance(anim, animate.HTMLAnimation)
    assert anim.nbytes <= 1_000_000 and ("<video" in anim.html or "<script" in anim.html)


def test_old_names_stay_importable():
    """Notebooks 03-06 call the pure functions through gradlib.widgets.descent."""
    from gradlib import experiments
    for name in ("Settings", "run_descent", "describe", "default_lr", "race", "basin_map",
                 "quadratic_path", "quadratic_regime", "lr_limits", "stability_factor",
                 "resolve_surface", "learning_rate", "steps_to_tolerance", "surface_names"):
        assert getattr(D, name) is getattr(experiments, name), name


# --- the race explorer ---------------------------------------------------------------------
def test_race_leaderboard_matches_the_pure_function(closing):
    dash = D.optimizer_race("himmelblau", ("gd", "momentum", "adam"), steps=150, tol=1e-4)
    closing(dash)
    c = dash.controls
    specs = {n: optim.make(n, lr=c[f"lr_{n}"].value) for n in ("gd", "momentum", "adam")}
    entries = D.race(dash.surface, specs, 150, 1e-4, (c["x0"].value, c["y0"].value))
    for mine, ref in zip(dash.entries, entries):
        assert mine.steps_to_tol == ref.steps_to_tol and mine.final_gap == ref.final_gap
        reached = "—" if ref.steps_to_tol is None else str(ref.steps_to_tol)
        row = f"{ref.name}</td><td style='text-align:right'>{reached}</td>"
        assert row in dash.leaderboard.value
        assert f"{ref.final_gap:.3g}" in dash.leaderboard.value
    trails = [layer for layer in dash.frame.layers if layer.panel == "surface"
              and layer.kind == "line"]
    for trail, ref in zip(trails, entries):
        assert trail.style["label"] == ref.name and trail.reveal == "upto"
        np.testing.assert_array_equal(trail.xy, ref.path.xs)
    # the status line ranks the runners as the leaderboard does
    order = [entries[i].name for i in D._ranking(entries)]
    assert [dash.status.value.index(f"{r}. {n}:") for r, n in enumerate(order, 1)] == \
        sorted(dash.status.value.index(f"{r}. {n}:") for r, n in enumerate(order, 1))
    # one lr slider moves one path only
    before = [t.xy.copy() for t in trails]
    c["lr_adam"].value = c["lr_adam"].value / 4
    after = [layer.xy for layer in dash.frame.layers if layer.panel == "surface"
             and layer.kind == "line"]
    assert np.array_equal(before[0], after[0]) and not np.array_equal(before[2], after[2])
    # Play runs in the page: at step 10 every trail shows x_0..x_10 (the reveal rule)
    from gradlib.scene import _visible
    assert all(len(_visible(t, 10, dash.frame.n_steps)) == 11 for t in trails)
    assert dash.frame.n_steps == max(e.path.steps for e in dash.entries)


def test_race_explorer_switches_surface(closing):
    dash = D.optimizer_race("rosenbrock", ("gd", "adam"), steps=100)
    closing(dash)
    dash.controls["surface"].value = "saddle"
    assert dash.controls["lr_gd"].value == D.default_lr(dash.surface, "gd")
    assert "f* unknown" in dash.status.value
    assert "final f<" in dash.leaderboard.value
    assert dash.canvas.scene["panels"][0]["xlim"] == list(dash.surface.xlim)


def test_race_explorer_rejects_bad_arguments():
    with pytest.raises(ValueError, match="optimizers must be distinct names"):
        D.optimizer_race("bowl", ("gd", "gd"))
    with pytest.raises(ValueError, match="lrs: 'adam' is not one of the racing optimizers"):
        D.optimizer_race("bowl", ("gd",), {"adam": 0.1})


def test_race_click_moves_the_start(closing):
    dash = D.optimizer_race("himmelblau", ("gd", "adam"), steps=50)
    closing(dash)
    dash.canvas._handle_msg(dash.canvas, {"type": "click", "panel": "surface", "x": 1.0,
                                          "y": -2.0}, [])
    for e in dash.entries:
        np.testing.assert_allclose(e.path.xs[0], [1.0, -2.0], atol=1e-6)


def test_race_diverging_runner_is_marked_and_ranked_last(closing):
    dash = D.optimizer_race("quadratic", ("gd", "adam"), {"gd": 0.3, "adam": 0.1}, steps=150)
    closing(dash)
    gd = dash.entries[0]
    assert gd.path.status == "diverged"
    end = dash.frame.layer("gd: diverged here")
    assert end.reveal == "end" and end.style["marker"] == "X"
    np.testing.assert_array_equal(end.xy, gd.path.xs[-1:])
    assert dash.status.value.index("1. adam") < dash.status.value.index("2. gd: diverged at step")
    assert "nan" not in dash.frame.status


# --- the 1-D explorer ------------------------------------------------------------------------
def test_quadratic_explorer_regimes(closing):
    dash = D.quadratic_explorer(a=2.0, lr=0.3, x0=1.5, steps=20)
    closing(dash)
    k = np.arange(21)
    np.testing.assert_allclose(dash.xk[:, 1], (1 - 0.6) ** k * 1.5, rtol=1e-12)
    np.testing.assert_array_equal(dash.xk[:, 0], k)
    np.testing.assert_allclose(dash.iterates[:, 1], 0.5 * 2.0 * dash.xk[:, 1] ** 2, rtol=1e-15)
    assert dash.status.value.count("monotone") == 1
    dash.controls["lr"].value = 0.7
    assert "oscillating" in dash.status.value
    np.testing.assert_allclose(dash.xk[:, 1], (1 - 1.4) ** k * 1.5, rtol=1e-12)
    sent = np.frombuffer(dash.canvas.frame["layers"][5]["xy"], dtype="<f8").reshape(-1, 2)
    np.testing.assert_array_equal(sent, dash.xk)            # what the page got
    dash.controls["lr"].value = 1.1
    assert "divergent" in dash.status.value
    dash.controls["a"].value = 1.0                         # 2/a = 2 > 1.1: converges again
    assert "oscillating" in dash.status.value


def test_quadratic_frame_closed_form_and_limits():
    from gradlib import experiments as E
    frame = E.quadratic_frame(E.QuadraticSettings(a=2.0, lr=1.2, x0=-1.0, steps=30))
    assert frame.kind == "diverged" and frame.status.startswith("divergent")
    closed = frame.layer("(1 − lr·a)ᵏ x₀").xy
    k = np.arange(31)
    ref = (1 - 2.4) ** k * -1.0
    np.testing.assert_allclose(closed[:, 1], np.clip(ref, -1e6, 1e6), rtol=1e-12)
    assert np.all(np.isfinite(closed))
    assert frame.charts["xk"]["ylim"] == [-1.6, 1.6] and frame.charts["xk"]["xlim"] == [0, 30]
    assert all(layer.style.get("label") for layer in frame.layers)
