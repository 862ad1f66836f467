"""Tests for gradlib.widgets.calculus: the explorers of notebooks 01-02 driven through their
controls (what they send to the page is checked against SymPy, gradlib.numeric and the pure
frame functions), their kernel-free copies (in Chromium), their videos, and the static figures
the notebooks draw. The pure helpers are tested in test_experiments_calculus.py."""
import html
import math

import numpy as np
import pytest
import sympy as sp

from gradlib import experiments_calculus as E
from gradlib import numeric
from gradlib.widgets import calculus as C

X, Y = sp.symbols("x y", real=True)
EPS = np.finfo(float).eps


def sympy_partials(text, x0, y0):
    """Exact partials from SymPy, evaluated by substitution (independent of lambdify)."""
    expr = sp.sympify(text, locals={"x": X, "y": Y})
    at = {X: x0, Y: y0}
    return (float(expr.subs(at)), float(sp.diff(expr, X).subs(at)), float(sp.diff(expr, Y).subs(at)))


def exact_derivatives(text, x0):
    """(f, f', f'', f''') at x0 by SymPy substitution (independent of lambdify)."""
    expr = sp.sympify(text, locals={"x": X})
    return np.array([float(sp.diff(expr, X, k).subs(X, x0)) if k else float(expr.subs(X, x0))
                     for k in range(4)])


def slope_of(xy):
    """Slope of a straight line given as points (k, 2), from its first and last points."""
    return (xy[-1, 1] - xy[0, 1]) / (xy[-1, 0] - xy[0, 0])


def layer(frame, panel, label, kind=None):
    """The layer of ``panel`` labelled ``label`` (and of ``kind``, when given)."""
    found = [lay for lay in frame.layers if lay.panel == panel and lay.style.get("label") == label
             and (kind is None or lay.kind == kind)]
    assert len(found) == 1, (panel, label, kind)
    return found[0]


def shown(lay, frame):
    """What the page draws of a layer when it shows the frame (the last step, as after any
    settings change): the whole of an "all" layer, the last chunk / point of an "at" one."""
    if lay.kind == "segments-per-step":
        return lay.chunk(frame.n_steps)
    if lay.reveal == "at":
        return lay.xy[min(frame.n_steps, len(lay.xy) - 1)][None, :]
    return lay.xy


def readouts(frame, panel):
    """The texts shown at the last step in ``panel``."""
    out = []
    for lay in frame.layers:
        if lay.panel == panel and lay.kind == "text":
            out.append(lay.texts[min(frame.n_steps, len(lay.texts) - 1)] if lay.reveal == "at" else lay.texts[0])
    return "\n".join(out)


def test_pure_names_are_re_exported_unchanged():
    for name in ("Field2D", "field2d", "slice_curve", "tangent_line", "tangent_segment",
                 "directional_derivative", "steepest_ascent_angle", "STEP_FUNCTIONS", "METHODS",
                 "METHOD_COLORS", "DEFAULT_HS", "ERROR_FLOOR", "StepModel", "step_error_model",
                 "optimal_step", "Function1D", "function1d", "step_error_curves", "ERROR_BANDS",
                 "error_band"):
        assert getattr(C, name) is getattr(E, name), name
    assert set(C.__all__) >= {"slice_explorer", "directional_explorer", "step_size_explorer",
                              "plot_step_errors", "plot_error_bands", "StepErrorPlot", "BandPlot"}


# --- the slice explorer ---------------------------------------------------------------------
def test_slice_explorer_tangent_slopes_follow_the_point(closing):
    text = "x**2*y + sin(y)"
    dash = C.slice_explorer(text)
    closing(dash)
    scene = dash.scene
    n_layers = len(dash.frame.layers)
    for x0, y0 in [(1.0, 0.5), (-1.3, 1.1), (0.25, -1.75)]:
        with dash.hold():
            dash.controls["x0"].value = x0
            dash.controls["y0"].value = y0
        f0, fx, fy = sympy_partials(text, x0, y0)
        frame = dash.frame
        assert slope_of(layer(frame, "x", "tangent: slope ∂f/∂x").xy) == pytest.approx(fx, rel=1e-9, abs=1e-9)
        assert slope_of(layer(frame, "y", "tangent: slope ∂f/∂y").xy) == pytest.approx(fy, rel=1e-9, abs=1e-9)
        assert layer(frame, "x", "the point").xy[0, 1] == pytest.approx(f0)
        # the x-slice is f(x, y0): check one of its samples against SymPy
        xs, zs = layer(frame, "x", "x-slice").xy.T
        assert zs[37] == pytest.approx(sympy_partials(text, xs[37], y0)[0], rel=1e-12, abs=1e-12)
        # the 3-D tangents: the projection of a segment of slope fx in the plane y = y0 (and fy, x = x0)
        view = E.slice_view(text)
        rise = 0.35 * (view.zlim[1] - view.zlim[0])
        sx, tz = E.tangent_segment(x0, f0, fx, run=1.2, rise=rise)
        np.testing.assert_allclose(layer(frame, "surface", "tangent, slope ∂f/∂x").xy,
                                   view.project.project(sx, y0, tz), rtol=1e-9)
        sy, tz = E.tangent_segment(y0, f0, fy, run=1.2, rise=rise)
        np.testing.assert_allclose(layer(frame, "surface", "tangent, slope ∂f/∂y").xy,
                                   view.project.project(x0, sy, tz), rtol=1e-9)
        assert f"∂f/∂x = {fx:.4g}" in readouts(frame, "x") and f"∂f/∂y = {fy:.4g}" in readouts(frame, "y")
        # the page got exactly this frame, as float64 bytes
        sent = dash.canvas.frame["layers"][0]
        np.testing.assert_array_equal(np.frombuffer(sent["xy"], "<f8").reshape(-1, 2), frame.layers[0].xy)
    # the scene was not re-rendered: only numbers moved
    assert dash.scene is scene and len(dash.frame.layers) == n_layers
    assert dash.canvas.frame["status"] == dash.frame.status and html.escape(dash.frame.status) in dash.status.value


def test_slice_explorer_formula_box(closing):
    dash = C.slice_explorer("x**2*y + sin(y)", point=(0.5, -1.0))
    closing(dash)
    dash.controls["formula"].value = "x*y**3"
    assert slope_of(layer(dash.frame, "x", "tangent: slope ∂f/∂x").xy) == pytest.approx((-1.0) ** 3)
    assert slope_of(layer(dash.frame, "y", "tangent: slope ∂f/∂y").xy) == pytest.approx(3 * 0.5 * (-1.0) ** 2)
    before = layer(dash.frame, "x", "tangent: slope ∂f/∂x").xy
    dash.controls["formula"].value = "__import__('os').system('echo hacked')"
    assert "Formula not accepted" in dash.status.value and "__import__" in dash.status.value
    assert dash.frame.kind == "error" and dash.canvas.frame["kind"] == "error"
    np.testing.assert_array_equal(layer(dash.frame, "x", "tangent: slope ∂f/∂x").xy, before)
    assert dash.field.expr == sp.sympify("x*y**3", locals={"x": X, "y": Y})
    dash.controls["x0"].value = 1.0                       # the last good formula still follows the point
    assert slope_of(layer(dash.frame, "y", "tangent: slope ∂f/∂y").xy) == pytest.approx(3.0)
    assert "Formula not accepted" in dash.frame.status
    dash.controls["formula"].value = "x + y"
    assert dash.frame.kind == "info" and "∂f/∂x = 1" in dash.frame.status


def test_slice_explorer_reports_undefined_points(closing):
    dash = C.slice_explorer("log(x)", point=(1.0, 0.0), xlim=(-1, 2), ylim=(-1, 1))
    closing(dash)
    dash.controls["x0"].value = -0.5
    assert "not defined" in dash.status.value and dash.frame.kind == "error"
    assert "nan" not in dash.frame.status.lower()


def test_slice_explorer_other_variable_names(closing):
    dash = C.slice_explorer("theta0**2 + 4*theta1", ("theta0", "theta1"), point=(1.5, 0.0))
    closing(dash)
    assert slope_of(layer(dash.frame, "x", "tangent: slope ∂f/∂theta0").xy) == pytest.approx(3.0)
    assert slope_of(layer(dash.frame, "y", "tangent: slope ∂f/∂theta1").xy) == pytest.approx(4.0)
    assert dash.controls["x0"].description.startswith("theta0")
    assert [c.name for c in dash.grid_specs()[0]] == ["x0", "y0"]   # a 3-D picture per formula: no menu
    arrows = C.directional_explorer("theta0**2 + 4*theta1", ("theta0", "theta1"), point=(1.5, 0.0))
    closing(arrows)
    assert [c.name for c in arrows.grid_specs()[0]] == ["x0", "y0"]  # "x**2 + 3*y**2" is not in theta
    assert [c.name for c in C.directional_explorer().grid_specs()[0]] == ["formula", "x0", "y0"]


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
        (peak_x, peak_y), = layer(dash.frame, "dd", "peak: |∇f| along ∇f").xy
        assert peak_x == pytest.approx(math.degrees(math.atan2(fy, fx)), abs=1e-9)
        assert peak_y == pytest.approx(math.hypot(fx, fy), rel=1e-12)
        degrees, curve = layer(dash.frame, "dd", "Dᵤf = ∇f·u").xy.T
        assert curve.max() == pytest.approx(math.hypot(fx, fy), rel=1e-4)   # 1-degree grid
        assert abs(degrees[curve.argmax()] - peak_x) <= 0.5 + 1e-9
        # the grey arrow points along the gradient
        tail, tip = layer(dash.frame, "contour", "∇f/|∇f|: steepest ascent").xy[:2]
        assert math.atan2(*(tip - tail)[::-1]) == pytest.approx(math.atan2(fy, fx), abs=1e-12)


def test_directional_explorer_angle_slider_moves_the_marker_and_arrow(closing):
    text = "x**2*y + sin(y)"
    dash = C.directional_explorer(text, point=(1.0, 0.5))
    closing(dash)
    _, fx, fy = sympy_partials(text, 1.0, 0.5)
    scene = dash.scene
    for angle in (-135.0, 0.0, 45.0, 170.0):
        dash.controls["angle"].value = angle
        a = math.radians(angle)
        frame = dash.frame
        (xd, yd), = shown(layer(frame, "dd", "u now", "points"), frame)
        assert xd == angle
        assert yd == pytest.approx(fx * math.cos(a) + fy * math.sin(a), rel=1e-12, abs=1e-12)
        tail, tip = shown(layer(frame, "contour", "u at the angle (Play turns it)"), frame)[:2]
        assert math.atan2(*(tip - tail)[::-1]) == pytest.approx(a, abs=1e-12) or abs(angle) == 180
        assert shown(layer(frame, "dd", "u now", "segments-per-step"), frame)[0, 0] == angle
        assert f"u at {angle:.0f}°: Dᵤf" in readouts(frame, "dd")
    assert "steepest ascent" in dash.status.value and dash.scene is scene


def test_directional_explorer_critical_point_and_formula(closing):
    dash = C.directional_explorer("x**2 + y**2", point=(0.0, 0.0))
    closing(dash)
    assert "critical point" in dash.status.value
    assert np.all(layer(dash.frame, "dd", "Dᵤf = ∇f·u").xy[:, 1] == 0)
    dash.controls["formula"].value = "2*x - y"
    (peak_x, peak_y), = layer(dash.frame, "dd", "peak: |∇f| along ∇f").xy
    assert peak_x == pytest.approx(math.degrees(math.atan2(-1, 2)))
    assert peak_y == pytest.approx(math.sqrt(5))
    dash.controls["formula"].value = "x +"
    assert "Formula not accepted" in dash.status.value


def test_directional_explorer_rejects_bad_angle():
    with pytest.raises(ValueError, match=r"angle must be in degrees within \[-180, 180\], got 400"):
        C.directional_explorer("x + y", angle=400)


# --- finite differences: the U-curve figure and the explorer --------------------------------------
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
    n_layers = len(dash.frame.layers)
    scene = dash.scene
    for method, log_h in [("forward", -4.0), ("central", -6.5), ("complex", -14.0), ("backward", -1.0)]:
        with dash.hold():
            dash.controls["method"].value = method
            dash.controls["log10_h"].value = log_h
        h = 10**log_h
        frame = dash.frame
        (hx, err), = layer(frame, "errors", "your h", "points").xy
        want = abs(numeric.derivative(np.exp, 1.0, h, method) - np.e)
        assert 10**hx == pytest.approx(h)
        assert err == pytest.approx(max(want, np.spacing(np.e) / 2) if want == 0 else want, rel=1e-12)
        assert np.all(10 ** layer(frame, "errors", "your h", "line").xy[:, 0] == pytest.approx(h))
        widths = {m: layer(frame, "errors", m).style["width"] for m in C.METHODS}
        assert widths[method] > max(w for m, w in widths.items() if m != method)
        # the model lines are the chosen method's, and only its
        for label in ("truncation model", "rounding model"):
            assert layer(frame, "errors", label).style["color"] == C.METHOD_COLORS[method]
        assert f"error {want:.1e}" in readouts(frame, "errors")
        assert f"error {want:.1e}" in dash.status.value
    assert len(dash.frame.layers) == n_layers and dash.scene is scene      # only numbers moved


def test_step_size_explorer_follows_function_and_point(closing):
    dash = C.step_size_explorer("exp(x)", 1.0)
    closing(dash)
    hs = E.EXPLORER_HS
    for text, x0 in [("sin(x)", 0.5), ("x**3 - 2*x", -1.25), ("1/(1 + exp(-x))", 2.0)]:
        with dash.hold():
            dash.controls["function"].value = text
            dash.controls["x0"].value = x0
        d = exact_derivatives(text, x0)
        f = C.function1d(text).f
        want = numeric.step_errors(f, x0, d[1], hs, "central")
        got = layer(dash.frame, "errors", "central").xy[::-1, 1]          # drawn from large h down
        ok = (want > 0) & (want <= 1e2)
        np.testing.assert_allclose(got[ok], want[ok], rtol=1e-9, atol=4 * np.spacing(abs(d[1])))
        triangles = [lay for lay in dash.frame.layers if lay.style["label"] == "numeric.default_step"]
        assert 10 ** triangles[0].xy[0, 0] == pytest.approx(numeric.default_step("central", x0))
        assert readouts(dash.frame, "errors").startswith(f"f(x) = {text}\nx₀ = {x0:.2f}")
        assert dash.fn.expr == C.function1d(text).expr


def test_step_size_explorer_says_where_f_is_undefined(closing):
    dash = C.step_size_explorer(method="central", h=1e-3)        # exp(x)/sqrt(sin^3 + cos^3) at 1.5
    closing(dash)
    layers = dash.canvas.frame["layers"]
    dash.controls["x0"].value = -1.0                              # sin^3 + cos^3 < 0 there
    sent = dash.canvas.frame                                      # what the page shows now
    assert sent["kind"] == "error" and "not finite at x0 = -1" in sent["status"]
    assert "nan" not in sent["status"].lower() and "not finite at x0 = -1" in dash.status.value
    assert [lay["xy"] for lay in sent["layers"]] == [lay["xy"] for lay in layers]  # the picture stays
    assert dash.settings.x0 == 1.5                               # the last settings drawn
    dash.controls["x0"].value = 1.0
    assert dash.frame.kind == "info" and dash.canvas.frame["kind"] == "info"


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


# --- every explorer: layout, snapshot, video, kernel-free copy --------------------------------------
MAKERS = {"slice": lambda: C.slice_explorer(), "directional": lambda: C.directional_explorer(),
          "step": lambda: C.step_size_explorer(method="central", h=1e-3)}


@pytest.mark.parametrize("name", MAKERS)
def test_explorers_lay_out_controls_beside_the_canvas(name, closing):
    dash = MAKERS[name]()
    closing(dash)
    box = dash.layout()
    panel, view = box.children[0].children
    assert list(panel.children) == list(dash.controls.values())
    assert view is dash.canvas and dash.canvas.frame["status"] == dash.frame.status   # the status line
    fig = dash.figure                                                               # a snapshot
    labels = {t.get_text() for ax in fig.axes if ax.get_legend() for t in ax.get_legend().get_texts()}
    assert labels and labels <= {lay.style["label"] for lay in dash.frame.layers}


@pytest.mark.parametrize("name", MAKERS)
def test_static_grid_starts_at_the_explorers_settings(name, closing):
    import json
    import re

    from gradlib.scene import from_plain_json
    dash = MAKERS[name]()
    closing(dash)
    page = dash._repr_mimebundle_()["text/html"]
    assert len(page.encode()) <= C.PAGE_BUDGET
    payload = re.search(r'<script type="application/json" id="[^"]+">(.*?)</script>', page, re.S)
    data = json.loads(payload.group(1))
    key = "|".join(str(c["initial"]) for c in data["controls"])
    first = from_plain_json(data["frames"][key]["frame"])
    assert first["status"] == dash.frame.status and first["n_steps"] == dash.frame.n_steps
    for got, want in zip(first["layers"], dash.frame.layers):
        np.testing.assert_array_equal(np.frombuffer(got["xy"], "<f8").reshape(-1, 2), want.xy)
    assert len(data["frames"]) == math.prod(len(c["values"]) for c in data["controls"])
    assert any(c["kind"] == "range" for c in data["controls"])
    # the richest grid that fits is chosen: every richer one is over the budget
    from gradlib.widgets.canvas import grid_static_data, snapshot_fallback
    budget = dash.static_budget(snapshot_fallback(dash.scene, dash.frame))
    names = [c["name"] for c in data["controls"]]
    counts = [len(c["values"]) for c in data["controls"]]
    for spec in dash.grid_specs():
        size = len(json.dumps(grid_static_data(spec, dash.static_frame, budget=10**9), separators=(",", ":")))
        if [c.name for c in spec] == names and [len(c.values) for c in spec] == counts:
            assert size <= budget
            break
        assert size > budget, [c.name for c in spec]
    else:
        raise AssertionError(f"the page's grid {names} is none of grid_specs()")


@pytest.mark.parametrize("name", MAKERS)
def test_explorers_play_as_a_video(name, closing):
    from gradlib import animate
    dash = MAKERS[name]()
    closing(dash)
    anim = dash.to_html(frames=4)
    assert isinstance(anim, animate.HTMLAnimation) and anim.frames == 4
    assert anim.nbytes < 300_000


@pytest.mark.parametrize("name", MAKERS)
def test_static_copy_works_in_chromium(browser, name, closing):
    """tests/staticpage.py: <= 1 MB, nothing from outside, a snapshot <img> with the status as
    alt text; a slider, a menu (when there is one) and Play change the canvas; no JS errors."""
    from staticpage import check_static_copy
    dash = MAKERS[name]()
    closing(dash)
    report = check_static_copy(browser, dash)
    assert report["bytes"] <= C.PAGE_BUDGET
