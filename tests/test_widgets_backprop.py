"""Tests for gradlib.widgets.backprop and gradlib.experiments_backprop: the one-neuron chain rule
against SymPy and finite differences, L along one variable and its tangent, the frame the
explorer sends (numbers, texts, reveal rules, sizes) and the explorer driven through its
controls, and its kernel-free copy in Chromium."""
import math

import numpy as np
import pytest
import sympy as sp
from hypothesis import given, settings
from hypothesis import strategies as st

from gradlib import experiments_backprop as E
from gradlib import numeric
from gradlib.scene import from_plain_json
from gradlib.widgets import backprop as B

# --- an independent oracle: SymPy differentiates the whole formula ---------------------------
_x, _w, _b, _t = _symbols = sp.symbols("x w b t", real=True)
_a = 1 / (1 + sp.exp(-(_w * _x + _b)))
_L = sp.Rational(1, 2) * (_a - _t) ** 2
_exact = {name: sp.lambdify(_symbols, sp.diff(_L, s), "math")
          for name, s in zip(("dL_dx", "dL_dw", "dL_db", "dL_dt"), _symbols)}
_exact["L"] = sp.lambdify(_symbols, _L, "math")
_exact["z"] = sp.lambdify(_symbols, _w * _x + _b, "math")
_exact["da_dz"] = sp.lambdify(_symbols, sp.diff(_a, _b), "math")           # sigma'(z) dz/db
_exact["dL_dz"] = sp.lambdify(_symbols, sp.diff(_L, _b), "math")           # dz/db = 1
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


# --- L along one variable: the slice of L whose slope is that partial ------------------------
_L_math = sp.lambdify(_symbols, _L, "math")
_PARTIAL = {"x": "dL_dx", "w": "dL_dw", "b": "dL_db", "t": "dL_dt"}


def _point(x, w, b, t):
    return {"x": x, "w": w, "b": b, "t": t}


@pytest.mark.parametrize("along", list(E.VARIABLES))
def test_loss_along_is_the_loss_and_its_slope_is_the_partial(along):
    p = _point(-1.2, 0.7, 0.3, 0.25)
    lo, hi, _ = E.SLIDER_RANGES[along]
    grid = np.linspace(lo, hi, 33)
    got = E.loss_along(along, grid, **p)
    expected = [_L_math(**{**p, along: g}) for g in grid]
    np.testing.assert_allclose(got, expected, rtol=1e-13, atol=1e-16)
    slope = numeric.derivative(lambda s: float(E.loss_along(along, s, **p)), p[along])
    v = E.tiny_network_values(**p)
    assert slope == pytest.approx(getattr(v, _PARTIAL[along]), rel=1e-7)
    if along == "w":
        np.testing.assert_array_equal(got, E.loss_in_w(grid, p["x"], p["b"], p["t"]))


def test_loss_along_validates():
    with pytest.raises(ValueError, match=r"name must be one of 'w', 'b', 'x', 't', got 'z'"):
        E.loss_along("z", [0.0], 1.0, 1.0, 0.0, 1.0)
    with pytest.raises(ValueError, match="values must be finite"):
        E.loss_along("b", [math.inf], 1.0, 1.0, 0.0, 1.0)
    with pytest.raises(ValueError, match=r"x must be a finite number, got nan"):
        E.loss_along("w", [0.0], math.nan, 1.0, 0.0, 1.0)


# --- the frame: settings -> what the page draws (no widgets) ---------------------------------
_POINTS = [(1.5, 0.8, -0.5, 1.0), (1.5, -2.0, -0.5, 1.0), (-1.0, -2.0, -0.5, 1.0),
           (-1.0, -2.0, 1.2, 1.0), (-1.0, -2.0, 1.2, 0.25), (2.9, 3.9, 2.9, 0.0)]


def _texts(layer):
    return dict(zip(map(tuple, layer.xy.tolist()), layer.texts))


def _visible_texts(layer, step):
    """What a text layer shows at ``step`` (the contract: upto = points 0..step, at = point step,
    all = every point); NaN points draw nothing."""
    n = len(layer.xy)
    idx = {"upto": range(min(n, step + 1)), "at": [min(step, n - 1)], "all": range(n)}[layer.reveal]
    return [layer.texts[i] for i in idx if np.all(np.isfinite(layer.xy[i]))]


def _check_frame(frame, x, w, b, t, along="w"):
    """Every number of ``frame`` against SymPy (independent of tiny_network_values)."""
    p = _point(x, w, b, t)
    ex = {name: f(x, w, b, t) for name, f in _exact.items()}
    graph = {k: v for k, v in E.GRAPH_NODES.items()}
    boxes = _texts(frame.layer("forward values"))
    assert set(boxes) == {tuple(map(float, graph[n])) for n in graph}
    box = {n: boxes[tuple(map(float, graph[n]))] for n in graph}
    assert box["x"] == f"x = {x:.2f}" and box["w"] == f"w = {w:.2f}" and box["t"] == f"t = {t:.2f}"
    assert box["z"] == f"z = wx + b\n= {ex['z']:.3f}"
    assert box["a"].endswith(f"= {ex['a']:.3f}") and box["L"].endswith(f"= {ex['L']:.4f}")
    local = frame.layer("local derivatives")
    on = dict(zip(E.GRAPH_EDGES, local.texts))
    assert on[("z", "a")] == f"∂a/∂z = a(1−a)\n= {ex['da_dz']:.4f}"
    assert on[("w", "z")].endswith(f"= {x:.2f}") and on[("x", "z")].endswith(f"= {w:.2f}")
    assert on[("a", "L")].endswith(f"= {ex['dL_da']:.4f}")
    assert on[("t", "L")].endswith(f"= {ex['dL_dt']:.4f}") and on[("b", "z")] == "∂z/∂b = 1"
    notes = frame.layer("∂L/∂node")
    got = dict(zip(E.SWEEP, notes.texts[1:]))
    assert got["L"] == "∂L/∂L = 1"
    for n in ("a", "z", "w", "b", "x", "t"):
        assert got[n] == f"∂L/∂{n} = {ex['dL_d' + n]:.4f}", n
    for k, n in enumerate(E.SWEEP, start=1):             # each note hangs under its own box
        assert notes.xy[k, 0] == graph[n][0] and notes.xy[k, 1] < graph[n][1]
    # the right panel: L(along), the current point, the tangent of slope dL/d(along)
    lo, hi, _ = E.SLIDER_RANGES[along]
    curve = frame.layer(f"L({along})").xy
    assert curve[0, 0] == lo and curve[-1, 0] == hi and len(curve) >= 60
    np.testing.assert_allclose(curve[:, 1], [_L_math(**{**p, along: g}) for g in curve[:, 0]],
                               rtol=1e-12, atol=1e-16)
    np.testing.assert_allclose(frame.layer(f"current ({along}, L)").xy, [[p[along], ex["L"]]],
                               rtol=1e-13, atol=1e-16)
    tangent = frame.layer(f"tangent, slope ∂L/∂{along}")
    (x0, y0), (x1, y1) = tangent.chunk(frame.n_steps)
    slope = ex[_PARTIAL[along]]
    assert (y1 - y0) / (x1 - x0) == pytest.approx(slope, rel=1e-9, abs=1e-14)
    assert y0 == pytest.approx(ex["L"] + slope * (x0 - p[along]), abs=1e-14)
    assert x0 < p[along] < x1
    assert _visible_texts(frame.layer("slope"), frame.n_steps) == [f"slope ∂L/∂{along} = {slope:.4f}"]
    chart = frame.charts["loss"]
    assert chart["xlim"] == [lo, hi] and chart["ylim"] == [0.0, 0.6]
    assert chart["title"].startswith(f"L as a function of {along} (")
    assert frame.kind == "info" and "nan" not in frame.status.lower()
    assert f"∂L/∂{along} = " in frame.status and f"{slope:.4f}" in frame.status


@pytest.mark.parametrize("x, w, b, t", _POINTS)
@pytest.mark.parametrize("along", list(E.VARIABLES))
def test_frame_numbers_against_sympy(x, w, b, t, along):
    frame = E.backprop_frame(E.BackpropSettings(x, w, b, t, along))
    _check_frame(frame, x, w, b, t, along)


def test_sweep_is_a_reverse_topological_order():
    assert set(E.SWEEP) == set(E.GRAPH_NODES) and E.SWEEP[0] == "L"
    where = {n: i for i, n in enumerate(E.SWEEP)}
    for u, v in E.GRAPH_EDGES:                 # the node that uses u is reached before u
        assert where[v] < where[u], (u, v)
        assert E.CONSUMER[u] == v


def test_play_reveals_the_backward_pass_node_by_node():
    s = E.BackpropSettings(1.5, 0.8, -0.5, 1.0, "b")
    frame = E.backprop_frame(s)
    v = E.tiny_network_values(1.5, 0.8, -0.5, 1.0)
    n = len(E.SWEEP)
    assert frame.n_steps == n == 7
    notes = frame.layer("∂L/∂node")
    assert (notes.kind, notes.reveal) == ("text", "upto")
    want = E.note_texts(v)
    for k in range(n + 1):                      # step k: the first k nodes of the sweep
        assert _visible_texts(notes, k) == [want[m] for m in E.SWEEP[:k]], k
    # forward values and local derivatives are there from step 0 (the forward pass)
    for label in ("forward values", "local derivatives"):
        assert frame.layer(label).reveal == "all"
    # the highlighted box and arrow of each step
    hl = frame.layer("backward pass: this step")
    assert (hl.kind, hl.reveal, hl.n_chunks) == ("segments-per-step", "at", n + 1)
    assert len(hl.chunk(0)) == 0
    for k, node in enumerate(E.SWEEP, start=1):
        chunk = hl.chunk(k)
        rect = chunk[:5]
        assert np.array_equal(rect[0], rect[-1])                       # closed
        assert rect[:4].mean(axis=0) == pytest.approx(E.GRAPH_NODES[node])
        if node == "L":
            assert len(chunk) == 5
            continue
        assert np.isnan(chunk[5]).all() and len(chunk) == 8
        start, end = chunk[6], chunk[7]
        here, there = (np.array(E.GRAPH_NODES[m]) for m in (node, E.CONSUMER[node]))
        d = there - here
        seg = end - start
        assert seg[0] * d[1] - seg[1] * d[0] == pytest.approx(0, abs=1e-12) and np.dot(seg, d) > 0
        assert np.linalg.norm(start - here) < np.linalg.norm(end - here)
    # captions: one per step; step k gives the product that makes dL/d(node)
    cap = frame.layer("caption")
    assert (cap.kind, cap.reveal, len(cap.texts)) == ("text", "at", n + 1)
    assert cap.texts[0].startswith("Forward pass done")
    factors = {"a": (1.0, v.dL_da), "t": (1.0, v.dL_dt), "z": (v.dL_da, v.da_dz),
               "w": (v.dL_dz, v.dz_dw), "b": (v.dL_dz, v.dz_db), "x": (v.dL_dz, v.dz_dx)}
    for k, node in enumerate(E.SWEEP, start=1):
        assert _visible_texts(cap, k) == [cap.texts[k]]
        assert cap.texts[k].startswith(f"backward step {k}/{n}: ∂L/∂{node} = ")
        if node == "L":
            continue
        up, local = factors[node]
        partial = getattr(v, f"dL_d{node}")
        assert partial == up * local                    # the chain rule, one multiplication
        assert cap.texts[k].split("\n")[0].endswith(f" = {partial:.4f}")
        assert f"{local:.2f}" in cap.texts[k]
    # the right panel's tangent and slope appear when the sweep reaches b
    reached = E.SWEEP.index("b") + 1
    tangent = frame.layer("tangent, slope ∂L/∂b")
    slope = frame.layer("slope")
    for k in range(n + 1):
        assert len(tangent.chunk(k)) == (2 if k >= reached else 0), k
        assert len(_visible_texts(slope, k)) == (1 if k >= reached else 0), k
    assert frame.layer("L(b)").reveal == "all" and frame.layer("current (b, L)").reveal == "all"


def test_frame_names_every_mark_and_is_small():
    frame = E.backprop_frame(E.BackpropSettings())
    labels = [(layer.panel, layer.kind, layer.style["label"]) for layer in frame.layers]
    assert labels == [("graph", "text", "forward values"), ("graph", "text", "local derivatives"),
                      ("graph", "segments-per-step", "backward pass: this step"),
                      ("graph", "text", "∂L/∂node"), ("graph", "text", "caption"),
                      ("loss", "line", "L(w)"), ("loss", "segments-per-step", "tangent, slope ∂L/∂w"),
                      ("loss", "points", "current (w, L)"), ("loss", "text", "slope")]
    assert frame.nbytes < 10_000                        # measured: ~6.5 KB
    for layer in frame.layers:                          # NaN only where a step shows nothing
        if layer.style["label"] not in ("∂L/∂node", "slope", "backward pass: this step"):
            assert np.all(np.isfinite(layer.xy)), layer.style["label"]


def test_scene_contract():
    sc = E.backprop_scene()
    assert sc.image.startswith(b"\x89PNG") and sc.nbytes < 60_000
    kinds = {p.name: p.kind for p in sc.panels}
    assert kinds == {"graph": "image", "loss": "chart"}
    (graph,) = [p for p in sc.panels if p.name == "graph"]
    xs, ys = zip(*E.GRAPH_NODES.values())
    assert graph.xlim[0] < min(xs) and graph.xlim[1] > max(xs)
    assert graph.ylim[0] < min(ys) and graph.ylim[1] > max(ys)
    assert "computational graph" in sc.alt
    assert E.backprop_scene() is sc                     # rendered once


def test_numbers_never_print_as_negative_zero():
    v = E.tiny_network_values(3.0, -4.0, -3.0, 0.0)     # z = -15: a ~ 3e-7, every partial ~ 1e-13
    texts = [*E.note_texts(v).values(), *E.edge_texts(v).values(), *E.node_texts(v).values(),
             *E.sweep_captions(v), E.backprop_status(v, "w")]
    assert not any("-0.0000" in s or "-0.000\n" in s for s in texts)
    assert E.note_texts(v)["w"] == "∂L/∂w = 0.0000"


@settings(max_examples=30)
@given(st.floats(-3, 3), st.floats(-4, 4), st.floats(-3, 3), st.floats(0, 1),
       st.sampled_from(list(E.VARIABLES)))
def test_frame_status_and_texts_are_clean_everywhere(x, w, b, t, along):
    frame = E.backprop_frame(E.BackpropSettings(x, w, b, t, along))
    words = [frame.status, *(s for layer in frame.layers if layer.texts for s in layer.texts)]
    assert not any("nan" in s.lower() or "inf" in s.lower() for s in words)
    assert frame.kind == "info"
    assert np.all(np.isfinite(frame.layer(f"L({along})").xy))


@pytest.mark.parametrize("kwargs, message", [
    ({"w": math.nan}, r"w must be a number in \[-4, 4\] \(the slider's range\), got nan"),
    ({"x": 3.5}, r"x must be a number in \[-3, 3\] \(the slider's range\), got 3.5"),
    ({"t": -0.1}, r"t must be a number in \[0, 1\] \(the slider's range\), got -0.1"),
    ({"b": "1"}, r"b must be a number in \[-3, 3\]"),
    ({"along": "z"}, r"along must be one of 'w', 'b', 'x', 't', got 'z'"),
])
def test_frame_refuses_bad_settings(kwargs, message):
    with pytest.raises(ValueError, match=message):
        E.backprop_frame(E.BackpropSettings(**kwargs))


def test_status_says_which_way_gradient_descent_moves():
    v = E.tiny_network_values(1.5, 0.8, -0.5, 1.0)      # a < t, x > 0: dL/dw < 0
    assert E.backprop_status(v, "w").endswith("increases w.")
    assert E.backprop_status(v, "b").endswith("increases b.")
    v = E.tiny_network_values(2.0, 0.8, -0.5, 0.0)      # a > t = 0 and x > 0: dL/dw > 0
    assert E.backprop_status(v, "w").endswith("decreases w.")
    assert "x is data" in E.backprop_status(v, "x") and "L rises as x grows" in E.backprop_status(v, "x")
    assert "L grows as the target moves away from a" in E.backprop_status(v, "t")


# --- the explorer ----------------------------------------------------------------------------
def _assert_shows(dash, x, w, b, t, along="w"):
    v = B.tiny_network_values(x, w, b, t)
    assert dash.values == v
    assert dash.settings == E.BackpropSettings(x, w, b, t, along)
    _check_frame(dash.frame, x, w, b, t, along)
    # the explorer's views of the frame
    lo, hi, _ = E.SLIDER_RANGES[along]
    assert dash.ws[0] == lo and dash.ws[-1] == hi
    if along == "w":
        np.testing.assert_allclose(dash.curve, B.loss_in_w(dash.ws, x, b, t), rtol=1e-14)
    np.testing.assert_array_equal(dash.point, [[_point(x, w, b, t)[along], v.L]])
    (x0, y0), (x1, y1) = dash.tangent
    assert (y1 - y0) / (x1 - x0) == pytest.approx(getattr(v, _PARTIAL[along]), rel=1e-9, abs=1e-14)
    # what the canvas widget holds is this frame, as float64 bytes
    sent = dash.canvas.frame
    assert sent["status"] == dash.frame.status and sent["n_steps"] == 7
    np.testing.assert_array_equal(
        np.frombuffer(sent["layers"][5]["xy"], "<f8").reshape(-1, 2), dash.frame.layers[5].xy)
    assert dash.canvas.step == -1                       # the whole sweep first; Play from 0
    import html
    assert html.escape(dash.frame.status) in dash.status.value


def test_explorer_starts_at_the_notebook_example(closing):
    dash = B.backprop_explorer()
    closing(dash)
    _assert_shows(dash, 1.5, 0.8, -0.5, 1.0)
    assert "increases w" in dash.status.value          # dL/dw < 0 here
    # every mark on the right is named in the legend (text layers are not legend entries)
    assert [layer.style["label"] for layer in dash.frame.layers
            if layer.panel == "loss" and layer.kind != "text"] == [
        "L(w)", "tangent, slope ∂L/∂w", "current (w, L)"]
    assert [p.name for p in dash.scene.panels] == ["graph", "loss"]
    assert list(dash.controls) == ["x", "w", "b", "t", "along"]


def test_explorer_follows_every_control(closing):
    dash = B.backprop_explorer()
    closing(dash)
    scene = dash.scene
    before = dash.curve
    settings_ = {"x": 1.5, "w": 0.8, "b": -0.5, "t": 1.0}
    for name, value in (("w", -2.0), ("x", -1.0), ("b", 1.2), ("t", 0.25)):
        dash.controls[name].value = value
        settings_[name] = value
        _assert_shows(dash, **settings_)
    assert not np.allclose(before, dash.curve)
    for along in ("b", "x", "t", "w"):
        dash.controls["along"].value = along
        _assert_shows(dash, **settings_, along=along)
    assert dash.scene is scene                          # the graph is rendered once


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
    with pytest.raises(ValueError, match=r"along must be one of 'w', 'b', 'x', 't'"):
        B.backprop_explorer(along="z")


def test_explorer_keeps_the_picture_when_settings_are_refused(closing):
    dash = B.backprop_explorer()
    closing(dash)
    good = dash.frame
    dash.current_settings = lambda: E.BackpropSettings(x=math.inf)   # what no slider can send
    dash.update()                                       # never raises
    sent = dash.canvas.frame                            # an error frame: the picture stays
    assert sent["kind"] == "error" and "x must be a number in [-3, 3]" in sent["status"]
    assert len(sent["layers"]) == len(good.layers) and sent["n_steps"] == good.n_steps
    assert "x must be a number in [-3, 3]" in dash.status.value and "nan" not in sent["status"]
    assert dash.values is None and dash.settings is None
    with pytest.raises(ValueError, match="no valid settings"):
        dash.tangent
    del dash.current_settings
    dash.controls["w"].value = 1.0
    _assert_shows(dash, 1.5, 1.0, -0.5, 1.0)


def test_explorer_update_is_fast(closing):
    import time
    dash = B.backprop_explorer()
    closing(dash)
    times = []
    for k in range(40):
        t0 = time.perf_counter()
        dash.controls["w"].value = -2.0 + 0.1 * (k % 20)
        times.append(time.perf_counter() - t0)
    assert sorted(times)[len(times) // 2] < 0.02        # measured ~0.4 ms; generous on a busy machine


def test_explorer_figure_is_a_snapshot(closing):
    dash = B.backprop_explorer()
    closing(dash)
    fig = dash.figure
    texts = {t.get_text() for ax in fig.axes if ax.get_legend() for t in ax.get_legend().get_texts()}
    assert {"L(w)", "tangent, slope ∂L/∂w", "current (w, L)", "backward pass: this step"} <= texts
    shown = {t.get_text() for ax in fig.axes for t in ax.texts}
    assert f"∂L/∂w = {dash.values.dL_dw:.4f}" in shown


# --- the kernel-free copy --------------------------------------------------------------------
def _static_data(page_html):
    import json
    payload = page_html.split('<script type="application/json"')[1].split(">", 1)[1]
    payload = payload.split("</script>")[0]
    return from_plain_json(json.loads(payload))


def test_static_copy_holds_the_kernel_frames(closing):
    dash = B.backprop_explorer()
    closing(dash)
    bundle = dash._repr_mimebundle_()
    assert "BackpropExplorer" in bundle["text/plain"]
    assert "application/vnd.jupyter.widget-view+json" in bundle
    data = _static_data(bundle["text/html"])
    controls = data["controls"]
    assert [c["name"] for c in controls] == ["along", "w", "x", "t"]
    assert [len(c["values"]) for c in controls] == [4, 4, 2, 3]
    assert len(data["frames"]) == 96 and len(data["scenes"]) == 1
    initial = "|".join(str(c["initial"]) for c in controls)
    assert data["frames"][initial]["frame"]["status"] == dash.frame.status
    # another cell of the grid is the frame the kernel computes for those settings
    pick = {"along": "t", "w": -3.0, "x": -1.5, "t": 0.65}
    key = "|".join(str(c["values"].index(pick[c["name"]])) for c in controls)
    frame = data["frames"][key]["frame"]
    want = E.backprop_frame(E.BackpropSettings(-1.5, -3.0, -0.5, 0.65, "t"))
    assert frame["status"] == want.status and frame["n_steps"] == want.n_steps
    for got, layer in zip(frame["layers"], want.layers):
        np.testing.assert_array_equal(np.frombuffer(got["xy"], "<f8").reshape(-1, 2), layer.xy)
        assert got.get("texts") == (list(layer.texts) if layer.texts is not None else None)


def test_static_grid_keeps_its_size_for_any_start(closing):
    dash = B.backprop_explorer(x=0.3, w=-3.9, b=2.9, t=0.45, along="x")
    closing(dash)
    controls = dash.static_controls()
    assert [len(c.values) for c in controls] == [4, 4, 2, 3]
    assert [c.initial for c in controls] == ["x", -3.9, 0.3, 0.45]
    page = dash._repr_mimebundle_()["text/html"]
    assert len(page.encode()) < 1_000_000
    assert "b = 2.90" in page


def test_static_copy_opens_and_runs(browser, closing):
    from staticpage import check_static_copy
    dash = B.backprop_explorer()
    closing(dash)
    result = check_static_copy(browser, dash)
    print(f"backprop explorer static copy: {result['bytes']:,} bytes")
    assert result["bytes"] < 950_000
    # the page's status after the first slider (w: 0.8 -> 2.0) and the menu (b) is the kernel's
    assert result["statuses"][0] == E.backprop_frame(E.BackpropSettings(1.5, 2.0, -0.5, 1.0)).status
    assert result["statuses"][1] == E.backprop_frame(E.BackpropSettings(1.5, 2.0, -0.5, 1.0, "b")).status
