"""Tests for gradlib.widgets.backprop: the one-neuron chain rule against SymPy and finite
differences, L(w) and its tangent, and the explorer driven through its controls (Agg)."""
import math

import numpy as np
import pytest
import sympy as sp
from hypothesis import given, settings
from hypothesis import strategies as st

from gradlib import numeric
from gradlib.widgets import backprop as B

# --- an independent oracle: SymPy differentiates the whole formula ---------------------------
_x, _w, _b, _t = _symbols = sp.symbols("x w b t", real=True)
_a = 1 / (1 + sp.exp(-(_w * _x + _b)))
_L = sp.Rational(1, 2) * (_a - _t) ** 2
_exact = {name: sp.lambdify(_symbols, sp.diff(_L, s), "math")
          for name, s in zip(("dL_dx", "dL_dw", "dL_db", "dL_dt"), _symbols)}
_exact["L"] = sp.lambdify(_symbols, _L, "math")
_exact["a"] = sp.lambdify(_symbols, _a, "math")
_exact["dL_da"] = sp.lambdify(_symbols, sp.diff(sp.Rational(1, 2) * (sp.Symbol("a") - _t) ** 2,
                                                sp.Symbol("a")).subs(sp.Symbol("a"), _a), "math")

coord = st.floats(-3.0, 3.0, allow_nan=False)
target = st.floats(0.0, 1.0, allow_nan=False)


@settings(max_examples=40)
@given(coord, coord, coord, target)
def test_values_match_sympy(x, w, b, t):
    v = B.tiny_network_values(x, w, b, t)
    for name, f in _exact.items():
        assert getattr(v, name) == pytest.approx(f(x, w, b, t), rel=1e-12, abs=1e-15), name
    assert v.z == pytest.approx(w * x + b, abs=1e-15)


@settings(max_examples=25)
@given(coord, coord, coord, target)
def test_partials_match_finite_differences(x, w, b, t):
    v = B.tiny_network_values(x, w, b, t)
    loss = lambda p: B.tiny_network_values(*p).L
    fd = numeric.gradient(loss, np.array([x, w, b, t]))
    np.testing.assert_allclose([v.dL_dx, v.dL_dw, v.dL_db, v.dL_dt], fd, rtol=1e-6, atol=1e-9)


def test_local_derivatives_multiply_along_the_path():
    v = B.tiny_network_values(1.5, 0.8, -0.5, 1.0)
    assert v.dL_dw == pytest.approx(v.dL_da * v.da_dz * v.dz_dw, rel=1e-15)
    assert v.dL_dx == pytest.approx(v.dL_da * v.da_dz * v.dz_dx, rel=1e-15)
    assert v.dL_db == v.dL_dz and v.dz_db == 1.0
    # the numbers notebook 07 prints for this point, recomputed with math
    a = 1 / (1 + math.exp(-0.7))
    assert v.a == pytest.approx(a, rel=1e-14)
    assert v.dL_dw == pytest.approx((a - 1) * a * (1 - a) * 1.5, rel=1e-13)


def test_values_stay_finite_for_a_huge_pre_activation():
    with np.errstate(all="raise"):
        v = B.tiny_network_values(1e3, 1e3, 0.0, 0.0)
    assert v.a == 1.0 and v.da_dz == 0.0 and math.isfinite(v.L)
    with np.errstate(all="raise"):
        out = B.loss_in_w([-1e6, 1e6], 1e3, 0.0, 1.0)
    np.testing.assert_allclose(out, [0.5, 0.0])


@pytest.mark.parametrize("bad", [math.nan, math.inf, "1", True, None])
def test_values_refuse_bad_numbers(bad):
    with pytest.raises(ValueError, match=r"w must be a finite number, got"):
        B.tiny_network_values(1.0, bad, 0.0, 1.0)


def test_loss_in_w_is_the_loss_and_the_tangent_touches_it():
    ws = np.linspace(-4, 4, 41)
    got = B.loss_in_w(ws, -1.2, 0.3, 0.25)
    expected = [B.tiny_network_values(-1.2, w, 0.3, 0.25).L for w in ws]
    np.testing.assert_allclose(got, expected, rtol=1e-14)
    v = B.tiny_network_values(-1.2, 0.7, 0.3, 0.25)
    slope = numeric.derivative(lambda w: float(B.loss_in_w(w, -1.2, 0.3, 0.25)), 0.7)
    assert slope == pytest.approx(v.dL_dw, rel=1e-7)
    tangent = B.tangent_line(ws, v.w, v.L, v.dL_dw)
    assert tangent[np.argmin(abs(ws - 0.7))] == pytest.approx(
        v.L + v.dL_dw * (ws[np.argmin(abs(ws - 0.7))] - 0.7))
    # the tangent is the best linear fit near w0: the gap shrinks like h^2
    gaps = [abs(B.loss_in_w(0.7 + h, -1.2, 0.3, 0.25) - B.tangent_line(0.7 + h, v.w, v.L, v.dL_dw))
            for h in (1e-2, 1e-3)]
    assert gaps[1] < gaps[0] / 50


def test_loss_in_w_validates():
    with pytest.raises(ValueError, match="ws must be finite"):
        B.loss_in_w([0.0, math.nan], 1.0, 0.0, 1.0)
    with pytest.raises(ValueError, match="ws must be an array of numbers"):
        B.loss_in_w(["a"], 1.0, 0.0, 1.0)
    with pytest.raises(ValueError, match=r"t must be a finite number, got inf"):
        B.loss_in_w([0.0], 1.0, 0.0, math.inf)
    with pytest.raises(ValueError, match=r"slope must be a finite number, got nan"):
        B.tangent_line([0.0], 0.0, 0.0, math.nan)


# --- the explorer ----------------------------------------------------------------------------
def _plotted(dash):
    return {"curve": np.asarray(dash.curve.get_ydata(), dtype=float),
            "tangent": np.asarray(dash.tangent.get_xydata(), dtype=float),
            "point": np.asarray(dash.point.get_xydata(), dtype=float)}


def _assert_shows(dash, x, w, b, t):
    v = B.tiny_network_values(x, w, b, t)
    assert dash.values == v
    shown = _plotted(dash)
    np.testing.assert_allclose(shown["curve"], B.loss_in_w(dash.ws, x, b, t), rtol=1e-14)
    np.testing.assert_allclose(shown["point"], [[w, v.L]], rtol=1e-14)
    (x0, y0), (x1, y1) = shown["tangent"]
    assert (y1 - y0) / (x1 - x0) == pytest.approx(v.dL_dw, rel=1e-9, abs=1e-14)
    assert y0 == pytest.approx(v.L + v.dL_dw * (x0 - w), abs=1e-14)
    assert dash.graph.notes["w"].get_text() == f"∂L/∂w = {v.dL_dw:.4f}"
    assert dash.graph.notes["b"].get_text() == f"∂L/∂b = {v.dL_db:.4f}"
    assert dash.graph.notes["x"].get_text() == f"∂L/∂x = {v.dL_dx:.4f}"
    assert dash.graph.notes["z"].get_text() == f"∂L/∂z = {v.dL_dz:.4f}"
    assert dash.graph.nodes["a"].get_text().endswith(f"= {v.a:.3f}")
    assert dash.graph.nodes["L"].get_text().endswith(f"= {v.L:.4f}")
    assert dash.edge_texts[("z", "a")].get_text().endswith(f"= {v.da_dz:.4f}")
    assert dash.edge_texts[("w", "z")].get_text().endswith(f"= {x:.2f}")
    assert f"{v.dL_dw:.4f}" in dash.loss_title.get_text()


def test_explorer_starts_at_the_notebook_example(closing):
    dash = B.backprop_explorer()
    closing(dash)
    _assert_shows(dash, 1.5, 0.8, -0.5, 1.0)
    assert "increases w" in dash.status.value          # dL/dw < 0 here
    # every mark on the right is named in the legend
    assert [t.get_text() for t in dash.ax_loss.get_legend().get_texts()] == [
        "L(w)", "tangent, slope ∂L/∂w", "current (w, L)"]


def test_explorer_follows_every_control_by_moving_the_same_artists(closing):
    dash = B.backprop_explorer()
    closing(dash)
    artists = (dash.curve, dash.tangent, dash.point, dash.graph.notes["w"], dash.figure)
    before = _plotted(dash)
    settings_ = {"x": 1.5, "w": 0.8, "b": -0.5, "t": 1.0}
    for name, value in (("w", -2.0), ("x", -1.0), ("b", 1.2), ("t", 0.25)):
        dash.controls[name].value = value
        settings_[name] = value
        _assert_shows(dash, **settings_)
    assert (dash.curve, dash.tangent, dash.point, dash.graph.notes["w"], dash.figure) == artists
    assert not np.allclose(before["curve"], _plotted(dash)["curve"])
    assert len(dash.figure.axes) == 2


def test_explorer_hold_updates_once(closing):
    dash = B.backprop_explorer()
    closing(dash)
    calls = []
    original = dash.update
    dash.update = lambda: (calls.append(1), original())[1]
    with dash.hold():
        dash.controls["x"].value = 2.0
        dash.controls["t"].value = 0.0
    assert calls == [1]
    _assert_shows(dash, 2.0, 0.8, -0.5, 0.0)
    assert "decreases w" in dash.status.value           # a > t = 0 and x > 0: dL/dw > 0


def test_explorer_refuses_a_start_outside_the_sliders():
    with pytest.raises(ValueError, match=r"t must be a number in \[0, 1\] \(the slider's range\), got 2"):
        B.backprop_explorer(t=2)
    with pytest.raises(ValueError, match=r"w must be a number in \[-4, 4\]"):
        B.backprop_explorer(w=9.0)


def test_explorer_shows_a_png_snapshot_for_static_copies(closing):
    dash = B.backprop_explorer()
    closing(dash)
    bundle = dash._repr_mimebundle_()
    assert "image/png" in bundle and "BackpropExplorer" in bundle["text/plain"]
