"""Tests for gradlib.widgets.calculus: the pure helpers against SymPy and finite differences,
and the explorers driven through their controls (Agg backend, no browser)."""
import math

import numpy as np
import pytest
import sympy as sp
from hypothesis import given, settings
from hypothesis import strategies as st

from gradlib.widgets import calculus as C

X, Y = sp.symbols("x y", real=True)
FORMULAS = ["x**2*y + sin(y)", "exp(-(x**2 + y**2)/2)*x", "x**2 + 3*y**2 - x*y", "log(1 + x**2)*cos(y)"]


def sympy_partials(text, x0, y0):
    """Exact partials from SymPy, evaluated by substitution (independent of lambdify)."""
    expr = sp.sympify(text, locals={"x": X, "y": Y})
    at = {X: x0, Y: y0}
    return (float(expr.subs(at)), float(sp.diff(expr, X).subs(at)), float(sp.diff(expr, Y).subs(at)))


def slope_of(line):
    """Slope of a straight line artist from its first and last points."""
    xs, ys = (np.asarray(v, dtype=float) for v in line.get_data())
    return (ys[-1] - ys[0]) / (xs[-1] - xs[0])


# --- field2d --------------------------------------------------------------------------------
@pytest.mark.parametrize("text", FORMULAS)
def test_field2d_matches_sympy(text):
    field = C.field2d(text)
    rng = np.random.default_rng(1)
    for x0, y0 in rng.uniform(-1.5, 1.5, size=(5, 2)):
        f0, fx, fy = sympy_partials(text, x0, y0)
        assert field.f(x0, y0) == pytest.approx(f0, rel=1e-12, abs=1e-12)
        assert field.grad(x0, y0) == pytest.approx([fx, fy], rel=1e-12, abs=1e-12)


def test_field2d_accepts_expressions_and_broadcasts():
    a, b = sp.symbols("a b")
    field = C.field2d(a**2 * b, ("a", "b"))
    grid = np.linspace(-1, 1, 7)
    A, B = np.meshgrid(grid, grid)
    assert field.grad(A, B).shape == (7, 7, 2)
    np.testing.assert_allclose(field.grad(A, B)[..., 0], 2 * A * B)
    # a constant partial still broadcasts
    assert C.field2d("3*x + y**2").grad(A, B)[..., 0] == pytest.approx(np.full((7, 7), 3.0))


def test_field2d_evaluates_off_domain_without_warnings():
    field = C.field2d("log(x) + 1/y")
    with np.errstate(all="raise"):
        values = field.f(np.array([-1.0, 1.0]), np.array([0.0, 1.0]))
    assert not np.isfinite(values[0]) and values[1] == pytest.approx(1.0)


@pytest.mark.parametrize("args, message", [
    (("x + y", ("x",)), "exactly two variables"),
    (("x + y + z", ("x", "y", "z")), "exactly two variables"),
    ((3.5,), "expr_or_text must be a formula string or a SymPy expression"),
    (("__import__('os').system('true')",), "cannot be called"),
    (("__import__('os')",), "unknown function '__import__'"),
    (("x.real",), "attribute access"),
])
def test_field2d_rejects_bad_input(args, message):
    with pytest.raises(ValueError, match=message):
        C.field2d(*args)


# --- slices and tangents --------------------------------------------------------------------
@pytest.mark.parametrize("text", FORMULAS)
def test_slice_slopes_are_the_partials(text):
    """A central difference along each slice reproduces SymPy's partial derivative."""
    field = C.field2d(text)
    x0, y0, h = 0.7, -0.4, 1e-5
    _, fx, fy = sympy_partials(text, x0, y0)
    gx = C.slice_curve(field.f, (x0, y0), 0, [x0 - h, x0 + h])
    gy = C.slice_curve(field.f, (x0, y0), 1, [y0 - h, y0 + h])
    assert (gx[1] - gx[0]) / (2 * h) == pytest.approx(fx, rel=1e-6, abs=1e-8)
    assert (gy[1] - gy[0]) / (2 * h) == pytest.approx(fy, rel=1e-6, abs=1e-8)


def test_slice_curve_holds_the_other_coordinates_fixed():
    def f(a, b, c):
        return a + 10 * b + 100 * c
    s = np.array([0.0, 1.0, 2.0])
    np.testing.assert_allclose(C.slice_curve(f, (1, 2, 3), 1, s), 1 + 10 * s + 300)
    np.testing.assert_allclose(C.slice_curve(f, (1, 2, 3), 2, s), 21 + 100 * s)


@pytest.mark.parametrize("point, axis, message", [
    ((1.0, 2.0), 2, r"axis must be an integer in \[0, 1\], got 2"),
    ((1.0, 2.0), 0.5, "axis must be an integer"),
    ((1.0, 2.0), True, "axis must be an integer"),
    ([[1.0, 2.0]], 0, r"point must be a 1-D sequence of coordinates, got shape \(1, 2\)"),
])
def test_slice_curve_rejects_bad_input(point, axis, message):
    with pytest.raises(ValueError, match=message):
        C.slice_curve(lambda x, y: x + y, point, axis, [0.0])


def test_tangent_line_passes_through_the_point_with_the_slope():
    s = np.array([-1.0, 0.5, 3.0])
    t = C.tangent_line(0.5, 2.0, -3.0, s)
    assert t[1] == 2.0
    assert np.diff(t) / np.diff(s) == pytest.approx([-3.0, -3.0])


@given(slope=st.floats(-1e3, 1e3), run=st.floats(0.01, 10), rise=st.floats(0.01, 10))
@settings(max_examples=40)
def test_tangent_segment_keeps_slope_and_fits_the_window(slope, run, rise):
    s, t = C.tangent_segment(1.0, 2.0, slope, run=run, rise=rise)
    assert (s[0] + s[1]) / 2 == pytest.approx(1.0) and (t[0] + t[1]) / 2 == pytest.approx(2.0)
    assert (t[1] - t[0]) == pytest.approx(slope * (s[1] - s[0]), rel=1e-9, abs=1e-12)
    assert (s[1] - s[0]) / 2 <= run * (1 + 1e-12)
    assert abs(t[1] - t[0]) / 2 <= rise * (1 + 1e-9)


@pytest.mark.parametrize("kwargs, message", [
    (dict(run=0.0, rise=1.0), "run must be a finite number > 0, got 0.0"),
    (dict(run=1.0, rise=float("inf")), "rise must be a finite number > 0, got inf"),
])
def test_tangent_segment_rejects_bad_window(kwargs, message):
    with pytest.raises(ValueError, match=message):
        C.tangent_segment(0.0, 0.0, 1.0, **kwargs)


# --- directional derivative -----------------------------------------------------------------
@pytest.mark.parametrize("text", FORMULAS)
def test_directional_derivative_matches_finite_difference_along_u(text):
    field = C.field2d(text)
    p, h = np.array([0.3, 0.8]), 1e-5
    g = field.grad(*p)
    for angle in np.linspace(-np.pi, np.pi, 9):
        u = np.array([np.cos(angle), np.sin(angle)])
        numeric = (field.f(*(p + h * u)) - field.f(*(p - h * u))) / (2 * h)
        assert C.directional_derivative(g, angle) == pytest.approx(numeric, rel=1e-6, abs=1e-8)


@given(gx=st.floats(-50, 50), gy=st.floats(-50, 50))
@settings(max_examples=50)
def test_steepest_ascent_is_the_peak_of_the_directional_derivative(gx, gy):
    norm = math.hypot(gx, gy)
    angles = np.linspace(-np.pi, np.pi, 20001)
    values = C.directional_derivative([gx, gy], angles)
    star = C.steepest_ascent_angle([gx, gy])
    assert values.max() == pytest.approx(norm, rel=1e-6, abs=1e-12)        # peak height |grad f|
    assert C.directional_derivative([gx, gy], star) == pytest.approx(norm, rel=1e-12, abs=1e-12)
    assert C.directional_derivative([gx, gy], star + np.pi / 2) == pytest.approx(0, abs=1e-9 * (1 + norm))
    if norm > 1e-3:  # the arg max on a grid agrees with atan2 (mod 2 pi)
        gap = abs((angles[values.argmax()] - star + np.pi) % (2 * np.pi) - np.pi)
        assert gap < 1e-3


def test_steepest_ascent_angle_convention_and_errors():
    assert C.steepest_ascent_angle([0.0, 2.0]) == pytest.approx(np.pi / 2)
    assert C.steepest_ascent_angle([-1.0, 0.0]) == pytest.approx(np.pi)
    assert C.steepest_ascent_angle([0.0, 0.0]) == 0.0
    with pytest.raises(ValueError, match=r"grad must hold two partials .* got shape \(3,\)"):
        C.steepest_ascent_angle([1.0, 2.0, 3.0])
    with pytest.raises(ValueError, match=r"grad must hold two partials .* got shape \(\)"):
        C.directional_derivative(1.0, 0.0)


# --- the slice explorer ---------------------------------------------------------------------
def test_slice_explorer_tangent_slopes_follow_the_point(closing):
    text = "x**2*y + sin(y)"
    dash = C.slice_explorer(text)
    closing(dash)
    figure, n_axes = dash.figure, len(dash.figure.axes)
    lines = {k: v for k, v in dash.lines.items()}
    for x0, y0 in [(1.0, 0.5), (-1.3, 1.1), (0.25, -1.75)]:
        with dash.hold():
            dash.controls["x0"].value = x0
            dash.controls["y0"].value = y0
        f0, fx, fy = sympy_partials(text, x0, y0)
        assert slope_of(dash.lines["x_tangent"]) == pytest.approx(fx, rel=1e-9, abs=1e-9)
        assert slope_of(dash.lines["y_tangent"]) == pytest.approx(fy, rel=1e-9, abs=1e-9)
        assert dash.lines["point_x"].get_data()[1][0] == pytest.approx(f0)
        # the x-slice is f(x, y0): check one of its samples against SymPy
        xs, zs = dash.lines["x_slice"].get_data()
        assert zs[37] == pytest.approx(sympy_partials(text, xs[37], y0)[0], rel=1e-12, abs=1e-12)
        # the 3-D tangent segment has the same slope and lies in the plane y = y0
        sx, sy, sz = dash.lines["x_tangent_3d"].get_data_3d()
        assert (sz[1] - sz[0]) / (sx[1] - sx[0]) == pytest.approx(fx, rel=1e-9, abs=1e-9)
        assert np.all(np.asarray(sy) == y0)
        tx, ty, tz = dash.lines["y_tangent_3d"].get_data_3d()
        assert (tz[1] - tz[0]) / (ty[1] - ty[0]) == pytest.approx(fy, rel=1e-9, abs=1e-9)
        assert f"{fx:.4g}" in dash.slope_text["x"].get_text()
    # the figure was not rebuilt: same figure, axes and artists
    assert dash.figure is figure and len(dash.figure.axes) == n_axes
    assert all(dash.lines[k] is v for k, v in lines.items())


def test_slice_explorer_formula_box(closing):
    dash = C.slice_explorer("x**2*y + sin(y)", point=(0.5, -1.0))
    closing(dash)
    dash.controls["formula"].value = "x*y**3"
    assert slope_of(dash.lines["x_tangent"]) == pytest.approx((-1.0) ** 3)
    assert slope_of(dash.lines["y_tangent"]) == pytest.approx(3 * 0.5 * (-1.0) ** 2)
    before = dash.lines["x_tangent"].get_data()
    dash.controls["formula"].value = "__import__('os').system('echo hacked')"
    assert "Formula not accepted" in dash.status.value and "__import__" in dash.status.value
    np.testing.assert_array_equal(dash.lines["x_tangent"].get_data()[1], before[1])
    assert dash.field.expr == sp.sympify("x*y**3", locals={"x": X, "y": Y})


def test_slice_explorer_reports_undefined_points(closing):
    dash = C.slice_explorer("log(x)", point=(1.0, 0.0), xlim=(-1, 2), ylim=(-1, 1))
    closing(dash)
    dash.controls["x0"].value = -0.5
    assert "not defined" in dash.status.value


def test_slice_explorer_other_variable_names(closing):
    dash = C.slice_explorer("theta0**2 + 4*theta1", ("theta0", "theta1"), point=(1.5, 0.0))
    closing(dash)
    assert slope_of(dash.lines["x_tangent"]) == pytest.approx(3.0)
    assert slope_of(dash.lines["y_tangent"]) == pytest.approx(4.0)
    assert dash.controls["x0"].description.startswith("theta0")


@pytest.mark.parametrize("kwargs, message", [
    (dict(xlim=(1, -1)), r"xlim must be finite with low < high, got \(1, -1\)"),
    (dict(ylim="ab"), "ylim must be a pair"),
    (dict(point=(5.0, 0.0)), "point must lie inside xlim x ylim"),
    (dict(point=(1.0,)), "point must be a pair"),
    (dict(resolution=2), r"resolution must be an integer in \[5, 400\], got 2"),
])
def test_explorers_validate_arguments(kwargs, message):
    with pytest.raises(ValueError, match=message):
        C.slice_explorer("x + y", **kwargs)
    with pytest.raises(ValueError, match=message):
        C.directional_explorer("x + y", **kwargs)


# --- the directional explorer ---------------------------------------------------------------
def test_directional_explorer_peak_is_along_the_gradient(closing):
    text = "x**2 + 3*y**2 - x*y"
    dash = C.directional_explorer(text)
    closing(dash)
    for x0, y0 in [(1.0, 0.5), (-1.2, 0.3), (0.4, -1.6)]:
        with dash.hold():
            dash.controls["x0"].value = x0
            dash.controls["y0"].value = y0
        _, fx, fy = sympy_partials(text, x0, y0)
        peak_x, peak_y = (v[0] for v in dash.lines["peak"].get_data())
        assert peak_x == pytest.approx(math.degrees(math.atan2(fy, fx)), abs=1e-9)
        assert peak_y == pytest.approx(math.hypot(fx, fy), rel=1e-12)
        degrees, curve = dash.lines["curve"].get_data()
        assert curve.max() == pytest.approx(math.hypot(fx, fy), rel=1e-4)   # 1-degree grid
        assert abs(degrees[curve.argmax()] - peak_x) <= 0.5 + 1e-9
        # the grey arrow points along the gradient
        (u, v) = dash.grad_arrow.U[0], dash.grad_arrow.V[0]
        assert math.atan2(v, u) == pytest.approx(math.atan2(fy, fx), abs=1e-12)


def test_directional_explorer_angle_slider_moves_the_marker_and_arrow(closing):
    text = "x**2*y + sin(y)"
    dash = C.directional_explorer(text, point=(1.0, 0.5))
    closing(dash)
    _, fx, fy = sympy_partials(text, 1.0, 0.5)
    for angle in (-135.0, 0.0, 45.0, 170.0):
        dash.controls["angle"].value = angle
        a = math.radians(angle)
        (xd,), (yd,) = dash.lines["current"].get_data()
        assert xd == angle
        assert yd == pytest.approx(fx * math.cos(a) + fy * math.sin(a), rel=1e-12, abs=1e-12)
        assert math.atan2(dash.u_arrow.V[0], dash.u_arrow.U[0]) == pytest.approx(a, abs=1e-12) \
            or abs(angle) == 180
        assert dash.lines["cursor"].get_xdata()[0] == angle
    assert "steepest ascent" in dash.status.value


def test_directional_explorer_critical_point_and_formula(closing):
    dash = C.directional_explorer("x**2 + y**2", point=(0.0, 0.0))
    closing(dash)
    assert "critical point" in dash.status.value
    assert np.all(dash.lines["curve"].get_ydata() == 0)
    dash.controls["formula"].value = "2*x - y"
    peak_x, peak_y = (v[0] for v in dash.lines["peak"].get_data())
    assert peak_x == pytest.approx(math.degrees(math.atan2(-1, 2)))
    assert peak_y == pytest.approx(math.sqrt(5))
    dash.controls["formula"].value = "x +"
    assert "Formula not accepted" in dash.status.value


def test_directional_explorer_rejects_bad_angle():
    with pytest.raises(ValueError, match=r"angle must be in degrees within \[-180, 180\], got 400"):
        C.directional_explorer("x + y", angle=400)


# --- finite differences: the error model, the U-curve and its explorer ---------------------------
from gradlib import numeric  # noqa: E402

EPS = np.finfo(float).eps


def exact_derivatives(text, x0):
    """(f, f', f'', f''') at x0 by SymPy substitution (independent of lambdify)."""
    expr = sp.sympify(text, locals={"x": X})
    return np.array([float(sp.diff(expr, X, k).subs(X, x0)) if k else float(expr.subs(X, x0))
                     for k in range(4)])


@pytest.mark.parametrize("text", list(C.STEP_FUNCTIONS))
def test_function1d_derivatives_match_sympy(text):
    x0 = C.STEP_FUNCTIONS[text]
    fn = C.function1d(text)
    np.testing.assert_allclose(fn.derivatives(x0), exact_derivatives(text, x0), rtol=1e-12)
    # complex input passes through (the complex step needs it): Im f(x + ih)/h ~ f'(x)
    assert (fn.f(x0 + 1e-30j).imag / 1e-30) == pytest.approx(exact_derivatives(text, x0)[1], rel=1e-13)


def test_function1d_rejects_other_variables():
    with pytest.raises(ValueError, match=r"function of x alone, it also uses \['y'\]"):
        C.function1d(X * sp.Symbol("y"))
    with pytest.raises(ValueError, match="unknown name 'y'"):
        C.function1d("x*y")
    with pytest.raises(ValueError, match="expr_or_text must be a formula string"):
        C.function1d(2.0)


def test_step_error_model_matches_measured_truncation_and_rounding():
    """The model against measured errors of exp at x = 1 (all derivatives equal e)."""
    fn, x0 = C.function1d("exp(x)"), 1.0
    d = fn.derivatives(x0)
    big = np.logspace(-3, -2, 5)               # truncation regime
    for method in C.METHODS:
        measured = numeric.step_errors(fn.f, x0, d[1], big, method)
        model = C.step_error_model(method, big, d).truncation
        np.testing.assert_allclose(measured / model, 1.0, atol=0.02)
    small = np.logspace(-13, -11, 41)          # rounding regime of the one-sided and central ones
    for method in ("forward", "backward", "central"):
        ratio = numeric.step_errors(fn.f, x0, d[1], small, method) / C.step_error_model(method, small, d).rounding
        assert np.median(ratio) < 2 and np.max(ratio) < 5 and np.median(ratio) > 0.02
    tiny = np.logspace(-16, -9, 8)             # the complex step stays at machine precision
    assert np.all(numeric.step_errors(fn.f, x0, d[1], tiny, "complex") <= 4 * EPS * d[1])
    np.testing.assert_allclose(C.step_error_model("complex", tiny, d).rounding, EPS * d[1])


@pytest.mark.parametrize("method", C.METHODS)
@pytest.mark.parametrize("text", ["exp(x)", "exp(x)/sqrt(sin(x)**3 + cos(x)**3)"])
def test_optimal_step_minimizes_the_model_and_sits_near_the_measured_minimum(method, text):
    x0 = C.STEP_FUNCTIONS[text]
    d = exact_derivatives(text, x0)
    h_star = C.optimal_step(method, d)
    grid = np.logspace(-12, -1, 200001)
    model = C.step_error_model(method, grid, d)
    if method == "complex":   # the largest h whose truncation has fallen to the rounding floor
        assert C.step_error_model(method, [h_star], d).truncation[0] == pytest.approx(EPS * abs(d[1]))
        return
    assert grid[np.argmin(model.total)] == pytest.approx(h_star, rel=1e-3)   # grid search agrees
    measured = numeric.step_errors(C.function1d(text).f, x0, d[1], grid[::1000], method)
    best = grid[::1000][np.argmin(measured)]
    assert h_star / 30 < best < h_star * 30      # rounding noise blurs the measured minimum


def test_optimal_step_needs_a_truncation_term():
    with pytest.raises(ValueError, match=r"f''\(x\) is 0"):
        C.optimal_step("forward", [1.0, 1.0, 0.0, 1.0])
    with pytest.raises(ValueError, match=r"f'''\(x\) is 0, so the central model"):
        C.optimal_step("central", [1.0, 1.0, 1.0, 0.0])
    with pytest.raises(ValueError, match="method must be one of 'forward', 'backward', 'central', 'complex', got 'midpoint'"):
        C.step_error_model("midpoint", [1e-3], [1, 1, 1, 1])
    with pytest.raises(ValueError, match=r"derivatives must be four finite numbers"):
        C.step_error_model("central", [1e-3], [1, 1, 1])
    with pytest.raises(ValueError, match="hs must be positive finite steps"):
        C.step_error_model("central", [0.0], [1, 1, 1, 1])


def test_plot_step_errors_draws_the_measured_errors():
    import matplotlib.pyplot as plt
    text, x0 = "sin(x)", 1.0
    d = exact_derivatives(text, x0)
    fig, ax = plt.subplots()
    try:
        hs = np.logspace(-12, -1, 45)
        drawn = C.plot_step_errors(text, x0, hs=hs, models=["central"], ax=ax)
        assert drawn.ax is ax and set(drawn.curves) == set(C.METHODS) and set(drawn.models) == {"central"}
        for m in C.METHODS:
            want = numeric.step_errors(np.sin, x0, d[1], hs, m)
            shown = drawn.curves[m].get_ydata()
            nonzero = want > 0
            np.testing.assert_allclose(shown[nonzero], want[nonzero], rtol=1e-12)
            assert np.all(shown[~nonzero] == np.spacing(abs(d[1])) / 2)
            (h0,), _ = drawn.defaults[m].get_data()
            assert h0 == pytest.approx(numeric.default_step(m, x0))
        trunc, rnd = drawn.models["central"]
        np.testing.assert_allclose(trunc.get_ydata(), hs**2 * abs(d[3]) / 6)
        np.testing.assert_allclose(rnd.get_ydata(), EPS * abs(d[0]) / hs)
        with pytest.raises(ValueError, match="method must be one of"):
            C.plot_step_errors(text, x0, methods=["forward", "fast"], ax=ax)
        with pytest.raises(ValueError, match="x must be a finite number, got 'one'"):
            C.plot_step_errors(text, "one", ax=ax)
        with pytest.raises(ValueError, match="hs must be a non-empty array of positive finite steps"):
            C.plot_step_errors(text, x0, hs=[1e-3, -1e-3], ax=ax)
    finally:
        plt.close(fig)


def test_step_size_explorer_marks_the_current_h(closing):
    dash = C.step_size_explorer("exp(x)", 1.0, method="forward")
    closing(dash)
    n_lines = len(dash.plot.ax.lines)
    for method, log_h in [("forward", -4.0), ("central", -6.5), ("complex", -14.0), ("backward", -1.0)]:
        with dash.hold():
            dash.controls["method"].value = method
            dash.controls["log10_h"].value = log_h
        h = 10**log_h
        (hx,), (err,) = dash.lines["current"].get_data()
        want = abs(numeric.derivative(np.exp, 1.0, h, method) - np.e)
        assert hx == pytest.approx(h)
        assert err == pytest.approx(max(want, np.spacing(np.e) / 2) if want == 0 else want, rel=1e-12)
        assert dash.lines["cursor"].get_xdata()[0] == pytest.approx(h)
        assert dash.plot.curves[method].get_linewidth() > max(
            dash.plot.curves[m].get_linewidth() for m in C.METHODS if m != method)
        assert all(line.get_visible() for line in dash.plot.models[method])
        assert not any(line.get_visible() for m in C.METHODS if m != method for line in dash.plot.models[m])
        assert f"error    {want:.1e}" in dash.readout.get_text()
    assert len(dash.plot.ax.lines) == n_lines       # nothing was added: artists were moved


def test_step_size_explorer_follows_function_and_point(closing):
    dash = C.step_size_explorer("exp(x)", 1.0)
    closing(dash)
    hs = dash.plot.hs
    for text, x0 in [("sin(x)", 0.5), ("x**3 - 2*x", -1.25), ("1/(1 + exp(-x))", 2.0)]:
        with dash.hold():
            dash.controls["function"].value = text
            dash.controls["x0"].value = x0
        d = exact_derivatives(text, x0)
        f = C.function1d(text).f
        want = numeric.step_errors(f, x0, d[1], hs, "central")
        shown = dash.plot.curves["central"].get_ydata()
        np.testing.assert_allclose(shown[want > 0], want[want > 0], rtol=1e-9)
        (h0,), _ = dash.plot.defaults["central"].get_data()
        assert h0 == pytest.approx(numeric.default_step("central", x0))
        assert text in dash.plot.ax.get_title()


@pytest.mark.parametrize("kwargs, message", [
    (dict(function="tan(x)"), "function must be one of"),
    (dict(function="exp(x)", x0=7.0), r"x0 must lie in \[-3, 3\], got 7.0"),
    (dict(method="fast"), "method must be one of"),
    (dict(h=1.0), r"h must lie in \[1e-18, 10\*\*-0.5\], got 1.0"),
])
def test_step_size_explorer_validates(kwargs, message):
    with pytest.raises(ValueError, match=message):
        C.step_size_explorer(**kwargs)


# --- gradient-check bands -------------------------------------------------------------------------
@pytest.mark.parametrize("rel, band", [(0.0, "right"), (9.9e-8, "right"), (1e-7, "fine only near kinks"),
                                       (5e-5, "fine only near kinks"), (1e-4, "suspicious"),
                                       (1e-2, "wrong"), (3.0, "wrong"), (np.inf, "wrong")])
def test_error_band(rel, band):
    assert C.error_band(rel) == band


@pytest.mark.parametrize("rel", [-1e-3, float("nan"), "small", True])
def test_error_band_rejects_non_errors(rel):
    with pytest.raises(ValueError, match="rel must be a relative error: a number >= 0"):
        C.error_band(rel)


def test_colours_avoid_a_red_green_contrast():
    # tab10 red and green (indistinguishable to many readers) are not used for methods or bands
    used = [c.lower() for c in C.METHOD_COLORS.values()] + [b[3].lower() for b in C.ERROR_BANDS]
    assert not {"#d62728", "#2ca02c", "#d9f0d3", "#fcbba1"} & set(used)
    assert len(set(C.METHOD_COLORS.values())) == len(C.METHODS)


def test_plot_error_bands_places_each_check_in_its_row():
    import matplotlib.pyplot as plt
    fig, ax = plt.subplots()
    try:
        correct = numeric.entry_rel_errors([1.0, 2.0], [1.0, 2.0 + 1e-10]).max()   # CS231n's quantity
        results = {"correct": correct, "buggy": 0.25, "zero": 0.0}
        drawn = C.plot_error_bands(results, ax=ax)
        xs, ys = drawn.points.get_data()
        np.testing.assert_allclose(xs, [results["correct"], 0.25, 1e-13])    # 0 at the left edge
        assert list(ys) == [2, 1, 0]
        assert [t.get_text() for t in ax.get_yticklabels()] == list(results)
        assert len(drawn.bands) == len(C.ERROR_BANDS)
        # the axis names the quantity the bands are for; the dots carry a legend label
        assert "per-entry relative error" in ax.get_xlabel() and "max(|a|, |n|)" in ax.get_xlabel()
        assert drawn.points.get_label() == "largest per-entry relative error"
        with pytest.raises(ValueError, match="label must be a non-empty string naming the dots"):
            C.plot_error_bands({"a": 1.0}, ax=ax, label="")
        with pytest.raises(ValueError, match="results must be a non-empty mapping"):
            C.plot_error_bands({}, ax=ax)
        with pytest.raises(ValueError, match="results must hold relative errors >= 0"):
            C.plot_error_bands({"a": -1.0}, ax=ax)
        with pytest.raises(ValueError, match="xlim must be positive for a log axis"):
            C.plot_error_bands({"a": 1.0}, ax=ax, xlim=(0.0, 1.0))
    finally:
        plt.close(fig)


@pytest.mark.parametrize("make", [lambda: C.slice_explorer(), lambda: C.directional_explorer(),
                                  lambda: C.step_size_explorer()])
def test_explorers_lay_out_controls_beside_the_figure(make, closing):
    dash = make()
    closing(dash)
    box = dash.layout()
    panel = box.children[0].children[0]
    assert list(panel.children) == list(dash.controls.values())
    assert dash.status in box.children
