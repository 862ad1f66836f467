"""Tests for gradlib.experiments_calculus, the pure part of notebooks 01-02's explorers: fields,
slices, tangents and directional derivatives against SymPy and finite differences; the error
models of difference quotients against measured errors; the frames the explorers draw against
the library functions, SymPy and matplotlib's own projection (no widgets)."""
import math

import numpy as np
import pytest
import sympy as sp
from hypothesis import given, settings
from hypothesis import strategies as st

from gradlib import experiments_calculus as C
from gradlib import numeric

X, Y = sp.symbols("x y", real=True)
FORMULAS = ["x**2*y + sin(y)", "exp(-(x**2 + y**2)/2)*x", "x**2 + 3*y**2 - x*y", "log(1 + x**2)*cos(y)"]


def sympy_partials(text, x0, y0):
    """Exact partials from SymPy, evaluated by substitution (independent of lambdify)."""
    expr = sp.sympify(text, locals={"x": X, "y": Y})
    at = {X: x0, Y: y0}
    return (float(expr.subs(at)), float(sp.diff(expr, X).subs(at)), float(sp.diff(expr, Y).subs(at)))


def slope_of(xy):
    """Slope of a straight line given as points (k, 2), from its first and last points."""
    xy = np.asarray(xy, dtype=float)
    return (xy[-1, 1] - xy[0, 1]) / (xy[-1, 0] - xy[0, 0])


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




# --- finite differences: the error model ---------------------------------------------------

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


# --- scene helpers ----------------------------------------------------------------------------
def page_xy(panel, xy):
    """The page's data -> pixel map (canvas.js ``transform``), written out independently."""
    bx, by, bw, bh = panel.bbox
    fx = np.log10 if panel.xlog else (lambda v: v)
    fy = np.log10 if panel.ylog else (lambda v: v)
    xy = np.asarray(xy, dtype=float)
    (x0, x1), (y0, y1) = panel.xlim, panel.ylim
    px = bx + (fx(xy[:, 0]) - fx(x0)) / (fx(x1) - fx(x0)) * bw
    py = by + bh - (fy(xy[:, 1]) - fy(y0)) / (fy(y1) - fy(y0)) * bh
    return np.column_stack([px, py])


@pytest.mark.parametrize("xscale, yscale", [("linear", "linear"), ("log", "log"), ("linear", "log")])
def test_margin_panel_maps_data_where_matplotlib_draws_them(xscale, yscale):
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    fig = Figure(figsize=(8, 4), dpi=100)
    FigureCanvasAgg(fig)
    ax = fig.add_axes((0.1, 0.15, 0.5, 0.7))
    ax.set_xscale(xscale), ax.set_yscale(yscale)
    ax.set_xlim(1e-3, 10.0), ax.set_ylim(1e-2, 5.0)
    fig.canvas.draw()
    panel = C.margin_panel("p", ax, 400.0, right=150.0)
    rng = np.random.default_rng(0)
    pts = np.column_stack([10 ** rng.uniform(-3, 1, 20), 10 ** rng.uniform(-2, np.log10(5), 20)])
    display = ax.transData.transform(pts)                      # matplotlib: from the bottom left
    np.testing.assert_allclose(page_xy(panel, pts), np.column_stack([display[:, 0], 400 - display[:, 1]]),
                               atol=1e-6)
    assert panel.bbox[2] == pytest.approx(ax.get_window_extent().width + 150)
    for (x, y), (px, py) in zip(pts, page_xy(panel, pts)):    # panel_point inverts the map
        assert C.panel_point(panel, px - panel.bbox[0], py - panel.bbox[1]) == pytest.approx((x, y), rel=1e-9)


def test_projector_is_where_matplotlib_draws_a_3d_line():
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    fig = Figure(figsize=(5, 4), dpi=100)
    FigureCanvasAgg(fig)
    ax = fig.add_axes((0.05, 0.05, 0.9, 0.9), projection="3d")
    ax.view_init(elev=28, azim=-58)
    ax.set_xlim(-2, 2), ax.set_ylim(-1, 3), ax.set_zlim(-5, 10)
    rng = np.random.default_rng(3)
    xs, ys, zs = rng.uniform(-2, 2, 9), rng.uniform(-1, 3, 9), rng.uniform(-5, 10, 9)
    (line,) = ax.plot(xs, ys, zs)
    fig.canvas.draw()
    drawn = ax.transData.transform(np.column_stack(line.get_data()))   # what Line3D.draw put on screen
    np.testing.assert_allclose(C.Projector.of(ax).project(xs, ys, zs), drawn, rtol=1e-12, atol=1e-9)
    assert np.isnan(C.Projector.of(ax).project(np.nan, 0.0, 0.0)).all()


def test_arrow_is_a_shaft_and_two_barbs():
    xy = C.arrow_xy([1.0, 2.0], [3.0, 4.0], head=0.2)
    assert xy.shape == (6, 2) and np.isnan(xy[2]).all()
    np.testing.assert_allclose(xy[1], [4.0, 6.0])
    np.testing.assert_allclose(xy[4], [4.0, 6.0])
    for barb in (xy[3], xy[5]):
        w = barb - xy[1]
        assert np.hypot(*w) == pytest.approx(0.2 * 5.0)
        cos = w @ np.array([3.0, 4.0]) / (np.hypot(*w) * 5.0)
        assert cos == pytest.approx(math.cos(math.radians(150)))
    with pytest.raises(ValueError, match="tail and vector must be 2-D points"):
        C.arrow_xy([0.0, 0.0, 0.0], [1.0, 0.0])


def test_secant_steps_shrink_toward_the_roomier_side():
    hs = C.secant_steps(1.0, (-2.0, 2.0), 5)          # more room on the left: h < 0
    np.testing.assert_allclose(hs, -0.9 * 3.0 * np.geomspace(1, 1e-3, 5))
    assert np.all(1.0 + hs >= -2.0)
    hs = C.secant_steps(-1.5, (-2.0, 2.0), 3)
    assert np.all(hs > 0) and hs[0] == pytest.approx(0.9 * 3.5)
    with pytest.raises(ValueError, match=r"at must be a finite number inside lim"):
        C.secant_steps(3.0, (-2.0, 2.0), 5)
    with pytest.raises(ValueError, match=r"n must be an integer >= 2, got 1"):
        C.secant_steps(0.0, (-2.0, 2.0), 1)


# --- the slice explorer's frame -------------------------------------------------------------------
def layer(frame, panel, label):
    """The layer of ``panel`` whose legend label is ``label``."""
    found = [lay for lay in frame.layers if lay.panel == panel and lay.style.get("label") == label]
    assert len(found) == 1, (panel, label, [(lay.panel, lay.style.get("label")) for lay in frame.layers])
    return found[0]


def texts(frame, panel):
    return [lay for lay in frame.layers if lay.panel == panel and lay.kind == "text"]


@pytest.mark.parametrize("text, x0, y0", [("x**2*y + sin(y)", 1.0, 0.5), ("x**2*y + sin(y)", -1.3, 1.1),
                                          ("exp(-(x**2 + y**2)/2)*x", 0.25, -1.75)])
def test_slice_frame_against_sympy(text, x0, y0):
    s = C.SliceSettings(text, ("x", "y"), x0, y0)
    frame = C.slice_frame(s)
    f0, fx, fy = sympy_partials(text, x0, y0)
    n = C.SECANT_STEPS
    assert frame.n_steps == n and frame.kind == "info"
    for key, at, slope, partial, vary in (("x", x0, fx, "∂f/∂x", lambda v: (v, y0)),
                                          ("y", y0, fy, "∂f/∂y", lambda v: (x0, v))):
        curve = layer(frame, key, f"{key}-slice")
        np.testing.assert_array_equal(curve.xy[:, 0], np.linspace(-2, 2, C.SLICE_SAMPLES))
        for i in (0, 37, 199):
            assert curve.xy[i, 1] == pytest.approx(sympy_partials(text, *vary(curve.xy[i, 0]))[0],
                                                   rel=1e-12, abs=1e-12)
        tangent = layer(frame, key, f"tangent: slope {partial}")
        assert slope_of(tangent.xy) == pytest.approx(slope, rel=1e-9, abs=1e-9)
        assert np.interp(at, tangent.xy[:, 0], tangent.xy[:, 1]) == pytest.approx(f0, rel=1e-9, abs=1e-9)
        np.testing.assert_allclose(layer(frame, key, "the point").xy, [[at, f0]], rtol=1e-12, atol=1e-12)
        # Play: secants through (at + h, f) with h from secant_steps, then the tangent (h -> 0)
        secant = layer(frame, key, "secant (Play: h → 0)")
        second = layer(frame, key, f"({key}₀ + h, f)")
        assert (secant.kind, secant.reveal, second.reveal) == ("segments-per-step", "at", "at")
        assert secant.n_chunks == n + 1 and len(second.xy) == n + 1 and np.isnan(second.xy[-1]).all()
        hs = C.secant_steps(at, (-2.0, 2.0), n)
        np.testing.assert_allclose(second.xy[:-1, 0], at + hs, rtol=1e-12)
        for t in (0, 17, n - 1):
            far = sympy_partials(text, *vary(at + hs[t]))[0]
            quotient = (far - f0) / hs[t]                               # notebook 01's difference quotient
            assert second.xy[t, 1] == pytest.approx(far, rel=1e-12, abs=1e-12)
            assert slope_of(secant.chunk(t)) == pytest.approx(quotient, rel=1e-8, abs=1e-8)
            assert np.interp(at, *secant.chunk(t).T) == pytest.approx(f0, rel=1e-9, abs=1e-9)
        assert len(secant.chunk(n)) == 0                               # h -> 0: only the tangent remains
        fixed, per_step = texts(frame, key)
        assert fixed.reveal == "all" and f"{partial} = {slope:.4g}" in fixed.texts[0]
        assert per_step.reveal == "at" and len(per_step.texts) == n + 1
        assert f"{(far - f0) / hs[n - 1]:.4g}"[:5] in per_step.texts[n - 1]
        assert per_step.texts[-1] == f"h → 0: slope {slope:.4g}"
    assert f"∂f/∂x = {fx:.4g}" in frame.status and f"∂f/∂y = {fy:.4g}" in frame.status


def test_slice_frame_3d_marks_are_the_projected_slices_and_tangents():
    text, x0, y0 = "x**2*y + sin(y)", -0.6, 1.2
    s = C.SliceSettings(text, ("x", "y"), x0, y0)
    frame, view = C.slice_frame(s), C.slice_view(text)
    f0, fx, fy = sympy_partials(text, x0, y0)
    P = view.project.project
    grid = np.linspace(-2, 2, C.SLICE_SAMPLES)
    np.testing.assert_allclose(layer(frame, "surface", "x-slice (y = y₀)").xy,
                               P(grid, y0, grid**2 * y0 + np.sin(y0)), rtol=1e-12)
    np.testing.assert_allclose(layer(frame, "surface", "y-slice (x = x₀)").xy,
                               P(x0, grid, x0**2 * grid + np.sin(grid)), rtol=1e-12)
    rise = 0.35 * (view.zlim[1] - view.zlim[0])
    sx, tz = C.tangent_segment(x0, f0, fx, run=1.2, rise=rise)     # slope fx, in the plane y = y0
    np.testing.assert_allclose(layer(frame, "surface", "tangent, slope ∂f/∂x").xy, P(sx, y0, tz), rtol=1e-9)
    sy, tz = C.tangent_segment(y0, f0, fy, run=1.2, rise=rise)
    np.testing.assert_allclose(layer(frame, "surface", "tangent, slope ∂f/∂y").xy, P(x0, sy, tz), rtol=1e-9)
    np.testing.assert_allclose(layer(frame, "surface", "the point").xy, P(x0, y0, f0), rtol=1e-12)
    # the surface panel's data are picture pixels: the page draws them where they are
    panel = view.scene.panels[0]
    assert panel.name == "surface"
    corners = P([-2, 2, -2, 2], [-2, -2, 2, 2], [view.zlim[0]] * 4)
    (bx, by, bw, bh), H = panel.bbox, view.scene.height
    np.testing.assert_allclose(page_xy(panel, corners), np.column_stack([corners[:, 0], H - corners[:, 1]]))
    assert np.all((corners[:, 0] > bx) & (corners[:, 0] < bx + bw))
    assert np.all((H - corners[:, 1] > by) & (H - corners[:, 1] < by + bh))


def test_slice_view_is_rendered_once_per_formula():
    view = C.slice_view("x**2*y + sin(y)")
    assert C.slice_view("x**2*y + sin(y)") is view
    assert view.scene.image.startswith(b"\x89PNG") and view.scene.nbytes < 100_000
    assert {p.name: p.kind for p in view.scene.panels} == {"surface": "image", "x": "image", "y": "image"}
    for p in view.scene.panels[1:]:
        assert p.ylim == pytest.approx(view.zlim)           # every slice of the window fits
    X_, Y_ = np.meshgrid(np.linspace(-2, 2, 36), np.linspace(-2, 2, 36))
    z = X_**2 * Y_ + np.sin(Y_)
    span = z.max() - z.min()
    assert view.zlim == pytest.approx((z.min() - 0.08 * span, z.max() + 0.08 * span))
    for x, y in [(0.3, 0.2), (-1.0, 1.5)]:               # a new point: a new frame, the same scene
        C.slice_frame(C.SliceSettings(x0=x, y0=y))
        assert C.slice_view("x**2*y + sin(y)") is view


def test_slice_frame_undefined_point_and_bad_settings():
    frame = C.slice_frame(C.SliceSettings("log(x)", ("x", "y"), -0.5, 0.0, (-1.0, 2.0), (-1.0, 1.0)))
    assert frame.kind == "error" and "not defined at (-0.5, 0)" in frame.status
    assert "nan" not in frame.status.lower()
    curve = layer(frame, "x", "x-slice").xy
    assert np.isnan(curve[curve[:, 0] <= 0, 1]).all() and np.isfinite(curve[curve[:, 0] > 0, 1]).all()
    frame = C.slice_frame(C.SliceSettings("sqrt(x) + y", ("x", "y"), 0.0, 0.5, (0.0, 1.0), (0.0, 1.0)))
    assert "∂f/∂x = undefined" in frame.status and "nan" not in frame.status.lower()
    with pytest.raises(ValueError, match="point must lie inside xlim x ylim"):
        C.slice_frame(C.SliceSettings(x0=3.0))
    with pytest.raises(ValueError, match="unknown name 'z'"):
        C.slice_frame(C.SliceSettings("x + z"))
    with pytest.raises(ValueError, match=r"resolution must be an integer in \[5, 400\]"):
        C.slice_frame(C.SliceSettings(resolution=2))


# --- the directional explorer's frame ------------------------------------------------------------
@pytest.mark.parametrize("text, x0, y0, angle", [("x**2*y + sin(y)", 1.0, 0.5, 0.0),
                                                 ("x**2 + 3*y**2 - x*y", -1.2, 0.3, 135.0),
                                                 ("x**2 + 3*y**2 - x*y", 0.4, -1.6, -180.0)])
def test_directional_frame_against_sympy(text, x0, y0, angle):
    frame = C.directional_frame(C.DirectionalSettings(text, ("x", "y"), x0, y0, angle=angle))
    view = C.directional_view(*C.DirectionalSettings(text).view_key())
    _, fx, fy = sympy_partials(text, x0, y0)
    norm, star = math.hypot(fx, fy), math.degrees(math.atan2(fy, fx))
    n, L = C.ANGLE_STEPS, view.arrow_length
    assert frame.n_steps == n and frame.kind == "info" and L == pytest.approx(0.28 * 4)
    curve = layer(frame, "dd", "Dᵤf = ∇f·u").xy
    np.testing.assert_array_equal(curve[:, 0], np.linspace(-180, 180, 361))
    a = np.radians(curve[:, 0])
    np.testing.assert_allclose(curve[:, 1], fx * np.cos(a) + fy * np.sin(a), rtol=1e-12, atol=1e-12)
    (peak,) = layer(frame, "dd", "peak: |∇f| along ∇f").xy
    assert peak[0] == pytest.approx(star, abs=1e-9) and peak[1] == pytest.approx(norm, rel=1e-12)
    assert curve[:, 1].max() == pytest.approx(norm, rel=1e-4)                # a 1-degree grid
    assert abs(curve[curve[:, 1].argmax(), 0] - star) <= 0.5 + 1e-9
    # Play: u turns once around, 3 degrees a step, from the angle back to it
    now = next(lay for lay in frame.layers if lay.panel == "dd" and lay.kind == "points" and lay.reveal == "at")
    sweep = now.xy[:, 0]
    assert len(sweep) == n + 1 and sweep[0] == angle and sweep[-1] == angle
    assert np.allclose((np.diff(sweep) - 3.0 + 180) % 360 - 180, 0.0, atol=1e-9)
    np.testing.assert_allclose(now.xy[:, 1], fx * np.cos(np.radians(sweep)) + fy * np.sin(np.radians(sweep)),
                               rtol=1e-12, atol=1e-12)
    u = layer(frame, "contour", "u at the angle (Play turns it)")
    cursor = next(lay for lay in frame.layers if lay.panel == "dd" and lay.kind == "segments-per-step")
    top = frame.charts["dd"]["ylim"]
    for t in (0, 41, n):
        shaft = u.chunk(t)
        np.testing.assert_allclose(shaft[0], [x0, y0])
        tip = shaft[1] - shaft[0]
        assert np.hypot(*tip) == pytest.approx(L)
        assert math.degrees(math.atan2(tip[1], tip[0])) == pytest.approx(sweep[t], abs=1e-9) \
            or abs(sweep[t]) == 180
        np.testing.assert_allclose(cursor.chunk(t), [[sweep[t], top[0]], [sweep[t], top[1]]])
    assert top == pytest.approx([-1.35 * norm, 2.05 * norm])
    grad = layer(frame, "contour", "∇f/|∇f|: steepest ascent").xy
    assert math.atan2(*(grad[1] - grad[0])[::-1]) == pytest.approx(math.atan2(fy, fx), abs=1e-12)
    level = layer(frame, "contour", "level-curve direction").xy
    assert (level[1] - level[0]) @ np.array([fx, fy]) == pytest.approx(0.0, abs=1e-12)
    np.testing.assert_allclose(level.mean(axis=0), [x0, y0])
    fixed, per_step = texts(frame, "dd")
    assert not texts(frame, "contour")                     # the margin beside the contours: legend only
    assert f"|∇f| = {norm:.3g}" in fixed.texts[0] and f"peak at {star:.1f}°" in fixed.texts[0]
    assert len(per_step.texts) == n + 1 and per_step.texts[-1].startswith(f"● u at {angle:.0f}°")
    assert "steepest ascent" in frame.status and f"{norm:.4g}" in frame.status


def test_directional_frame_critical_and_undefined_points():
    frame = C.directional_frame(C.DirectionalSettings("x**2 + y**2", ("x", "y"), 0.0, 0.0))
    assert frame.kind == "info" and "critical point" in frame.status
    assert np.all(layer(frame, "dd", "Dᵤf = ∇f·u").xy[:, 1] == 0)
    for label in ("peak: |∇f| along ∇f",):
        assert len(layer(frame, "dd", label).xy) == 0
    assert len(layer(frame, "contour", "∇f/|∇f|: steepest ascent").xy) == 0
    assert frame.charts["dd"]["ylim"] == [-1.0, 1.5]
    frame = C.directional_frame(C.DirectionalSettings("sqrt(x**2 + y**2)", ("x", "y"), 0.0, 0.0))
    assert frame.kind == "error" and "not differentiable or not defined at (0, 0)" in frame.status
    for f in (frame,):
        assert "nan" not in f.status.lower() and all("nan" not in t.lower() for lay in f.layers
                                                     for t in (lay.texts or ()))
    with pytest.raises(ValueError, match=r"angle must be in degrees within \[-180, 180\], got 400"):
        C.directional_frame(C.DirectionalSettings(angle=400.0))


# --- the step-size explorer's frame --------------------------------------------------------------
def exact_derivatives(text, x0):
    """(f, f', f'', f''') at x0 by SymPy substitution (independent of lambdify)."""
    expr = sp.sympify(text, locals={"x": X})
    return np.array([float(sp.diff(expr, X, k).subs(X, x0)) if k else float(expr.subs(X, x0))
                     for k in range(4)])


@pytest.mark.parametrize("text, x0, method, h", [("exp(x)/sqrt(sin(x)**3 + cos(x)**3)", 1.5, "central", 1e-3),
                                                 ("exp(x)", 1.0, "forward", 1e-4),
                                                 ("sin(x)", 0.5, "complex", 1e-14),
                                                 ("log(1 + x**2)", 2.0, "backward", 10**-0.5)])
def test_step_frame_against_numeric(text, x0, method, h):
    frame = C.step_frame(C.StepSettings(text, x0, method, h))
    d = exact_derivatives(text, x0)
    fn = C.function1d(text)
    f, exact = fn.f, fn.derivatives(x0)[1]          # what the frame measures against ...
    assert exact == pytest.approx(d[1], rel=1e-14)  # ... is SymPy's f'(x0) to the last bits
    hs = C.EXPLORER_HS
    top = 1e2
    assert frame.n_steps == len(hs) and frame.kind == "info"
    for m in C.METHODS:
        lay = layer(frame, "errors", m)
        xy = lay.xy[::-1] if m == method else lay.xy                    # the chosen one: large h first
        assert lay.reveal == ("upto" if m == method else "all")
        assert lay.style["width"] == (2.6 if m == method else 1.2)
        np.testing.assert_allclose(10 ** xy[:, 0], hs, rtol=1e-13)
        want = numeric.step_errors(f, x0, exact, hs, m)
        shown = (want > 0) & (want <= top)
        np.testing.assert_allclose(xy[shown, 1], want[shown], rtol=1e-12)
        assert np.all(xy[want == 0, 1] == max(np.spacing(abs(exact)) / 2, C.ERROR_FLOOR))
        assert np.isnan(xy[want > top, 1]).all()
    # your h, on the chosen curve
    est = numeric.derivative(f, x0, h, method)
    err = abs(est - exact)
    (dot,) = next(lay for lay in frame.layers
                  if lay.style.get("label") == "your h" and lay.kind == "points").xy
    assert 10 ** dot[0] == pytest.approx(h, rel=1e-13)
    assert dot[1] == pytest.approx(err if err else max(np.spacing(abs(exact)) / 2, C.ERROR_FLOOR), rel=1e-12)
    cursor = next(lay for lay in frame.layers if lay.style.get("label") == "your h" and lay.kind == "line").xy
    assert np.all(cursor[:, 0] == math.log10(h))
    # numeric.default_step on each curve
    for lay in (lay for lay in frame.layers if lay.style.get("label") == "numeric.default_step"):
        m = next(k for k, c in C.METHOD_COLORS.items() if c == lay.style["fill"])
        assert 10 ** lay.xy[0, 0] == pytest.approx(float(numeric.default_step(m, x0)), rel=1e-13)
        assert lay.style["alpha"] == (1.0 if m == method else 0.3)
    # the chosen method's models: straight lines on log-log axes, cut at the axis top
    p_trunc = 1 if method in ("forward", "backward") else 2
    c_trunc = abs(d[2]) / 2 if p_trunc == 1 else abs(d[3]) / 6
    eps = np.finfo(float).eps
    rounding = (lambda v: eps * abs(d[1]) + 0 * v) if method == "complex" else (lambda v: eps * abs(d[0]) / v)
    for label, model in (("truncation model", lambda v: c_trunc * v**p_trunc), ("rounding model", rounding)):
        seg = layer(frame, "errors", label)
        assert seg.style["color"] == C.METHOD_COLORS[method]
        assert len(seg.xy) == 2
        np.testing.assert_allclose(seg.xy[:, 1], model(10 ** seg.xy[:, 0]), rtol=1e-9)
        assert np.all(seg.xy[:, 1] <= top * (1 + 1e-9)) and np.all(10 ** seg.xy[:, 0] >= hs[0] * (1 - 1e-12))
        assert np.all(10 ** seg.xy[:, 0] <= hs[-1] * (1 + 1e-12))
    # Play: a dot walks the chosen curve from large h to small, and is gone at the end
    sweep = layer(frame, "errors", "h during Play")
    assert sweep.reveal == "at" and len(sweep.xy) == len(hs) + 1 and np.isnan(sweep.xy[-1]).all()
    np.testing.assert_allclose(10 ** sweep.xy[:-1, 0], hs[::-1], rtol=1e-13)
    (readout,) = texts(frame, "errors")
    assert f"estimate {est:.10g}" in readout.texts[0] and f"error {err:.1e}" in readout.texts[0]
    assert readout.texts[0].startswith(f"f(x) = {text}\n")
    best = hs[np.argmin(numeric.step_errors(f, x0, exact, hs, method))]
    assert f"error {err:.1e}" in frame.status and f"h ≈ {best:.0e}" in frame.status
    assert f"default_step = {float(numeric.default_step(method, x0)):.1e}" in frame.status


def test_step_frame_drops_a_model_term_that_is_zero():
    frame = C.step_frame(C.StepSettings("x**3 - 2*x", 0.0, "forward", 1e-3))   # f''(0) = 0
    assert len(layer(frame, "errors", "truncation model").xy) == 0
    frame = C.step_frame(C.StepSettings("x**3 - 2*x", 0.0, "central", 1e-3))   # f''' = 6: h^2 exactly
    seg = layer(frame, "errors", "truncation model").xy
    np.testing.assert_allclose(seg[:, 1], (10 ** seg[:, 0]) ** 2, rtol=1e-9)
    frame = C.step_frame(C.StepSettings("x**3 - 2*x", 0.0, "central", 1e-3))   # f(0) = 0: no rounding term
    assert len(layer(frame, "errors", "rounding model").xy) == 0


def test_step_frame_refuses_bad_settings():
    with pytest.raises(ValueError, match=r"f or its derivatives are not finite at x0 = -1"):
        C.step_frame(C.StepSettings("exp(x)/sqrt(sin(x)**3 + cos(x)**3)", -1.0))
    with pytest.raises(ValueError, match="method must be one of 'forward', 'backward', 'central', 'complex'"):
        C.step_frame(C.StepSettings(method="midpoint"))
    with pytest.raises(ValueError, match=r"h must be a finite number > 0, got 0.0"):
        C.step_frame(C.StepSettings(h=0.0))
    with pytest.raises(ValueError, match="unknown name 'y'"):
        C.step_frame(C.StepSettings("x*y"))


def test_step_scene_reads_log_axes():
    sc = C.step_scene()
    assert C.step_scene() is sc and sc.nbytes < 100_000
    (panel,) = sc.panels
    assert (panel.name, panel.kind, panel.xlog, panel.ylog) == ("errors", "image", False, True)
    assert panel.xlim[0] == pytest.approx(-18) and panel.ylim == pytest.approx((C.ERROR_FLOOR / 3, 1e2))


# --- every frame: names, reveal rules, sizes, plain status lines ------------------------------------
FRAMES = {"slice": lambda: C.slice_frame(C.SliceSettings()),
          "directional": lambda: C.directional_frame(C.DirectionalSettings(angle=30.0)),
          "step": lambda: C.step_frame(C.StepSettings())}
#: Bytes sent per settings change (measured: slice ~36 KB, directional ~34 KB, step ~31 KB).
BUDGETS = {"slice": 45_000, "directional": 40_000, "step": 36_000}


@pytest.mark.parametrize("name", FRAMES)
def test_frames_are_named_small_and_plain(name):
    frame = FRAMES[name]()
    assert frame.nbytes < BUDGETS[name], frame.nbytes
    for lay in frame.layers:
        assert lay.style.get("label"), lay
        if lay.reveal == "at" and lay.kind in ("points", "text"):
            assert len(lay.xy) == frame.n_steps + 1, lay.style["label"]      # one per step
        if lay.kind == "segments-per-step":
            assert lay.n_chunks == frame.n_steps + 1, lay.style["label"]
    assert frame.status and "\n" not in frame.status and "nan" not in frame.status.lower()
    assert frame.n_steps >= 1
