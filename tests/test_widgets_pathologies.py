"""Tests for gradlib.widgets.pathologies: the pictures notebooks 10-11 draw (heat map, layer
norms, sharpness and its video), the re-exported pure names, and the gradient-flow explorer driven
through its controls: the frame it sends (numbers against MLP.gradient, marks, reveal rules,
sizes), bad input, and its kernel-free copy in Chromium."""
import math

import numpy as np
import pytest
from matplotlib import pyplot as plt

from gradlib import experiments_pathologies as E
from gradlib.animate import HTMLAnimation
from gradlib.widgets import pathologies as P
from test_experiments_pathologies import tiny_problem


@pytest.fixture(scope="module")
def probe():
    return P.probe_data(64)


# --- pictures -----------------------------------------------------------------------------------
def test_heat_map_shows_clipped_log10(probe):
    X, y = probe
    table = P.gradient_norm_table([1, 4, 12], ["sigmoid", "tanh"], ["xavier", "normal"], width=16,
                                  X=X, y=y)
    fig, ax = plt.subplots()
    heat = P.plot_gradient_norm_table(table, ax, limit=3.0)
    shown = np.asarray(heat.image.get_array())
    np.testing.assert_allclose(shown, np.clip(np.log10(table.first), -3, 3))
    assert len(heat.texts) == table.first.size and heat.colorbar is not None
    assert [t.get_text() for t in ax.get_yticklabels()] == table.labels
    heat2 = P.plot_gradient_norm_table(table, value="ratio", annotate=False, colorbar=False)
    np.testing.assert_allclose(np.asarray(heat2.image.get_array()),
                               np.clip(np.log10(table.ratio), -15, 15))
    plt.close("all")



def test_sharpness_pictures():
    factory, X, y = tiny_problem()
    runs = P.sharpness_trace(factory, X, y, [0.1, 0.5], 8, 2)
    fig, ax = plt.subplots()
    art = P.plot_sharpness(runs, ax)
    for run, line, thr, color in zip(runs, art.lines, art.thresholds, P.RUN_COLORS):
        np.testing.assert_array_equal(line.get_xdata(), run.measured_at)
        np.testing.assert_array_equal(line.get_ydata(), run.sharpness)
        assert thr.get_ydata()[0] == pytest.approx(2 / run.lr)
        # every mark is named, and a run's line and its threshold share one colour
        assert line.get_label() == f"lr = {run.lr:g}" and thr.get_label() == f"2 / lr = {2 / run.lr:g}"
        assert line.get_color() == thr.get_color() == color
        assert thr.get_linestyle() == "--"
    plt.close(fig)
    anim = P.sharpness_animation(runs, frames=4)
    assert isinstance(anim, HTMLAnimation) and anim.frames == 4 and anim.nbytes < 1_000_000
    with pytest.raises(ValueError, match="runs must be a SharpnessRun"):
        P.plot_sharpness([1, 2])


def test_sharpness_animation_names_a_threshold_above_its_window(monkeypatch):
    """The video's window fits the measured sharpness; a 2 / lr line above it says so in the
    legend, and the title claims no more than what is drawn (no "rises until it meets")."""
    captured = {}
    real = P.animate_frames

    def spy(fig, update, frames, **kwargs):
        captured["fig"], captured["update"], captured["frames"] = fig, update, frames
        return real(fig, update, frames, **kwargs)

    monkeypatch.setattr(P, "animate_frames", spy)
    calm = P.SharpnessRun(0.01, np.array([0, 5, 10]), np.array([1.0, 2.0, 3.0]),
                          np.linspace(1.0, 0.5, 11), "finished")           # 2/lr = 200
    edge = P.SharpnessRun(0.8, np.array([0, 5, 10]), np.array([1.0, 2.4, 2.5]),
                          np.linspace(1.0, 0.4, 11), "finished")           # 2/lr = 2.5
    P.sharpness_animation([calm, edge], frames=3)
    ax = captured["fig"].axes[0]
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert "2 / lr = 200 (above the chart)" in labels and "2 / lr = 2.5" in labels
    assert ax.get_ylim()[1] < 200
    artists = captured["update"](captured["frames"][-1])
    title = artists[-1].get_text()
    assert title == "step 10: sharpness (solid) and 2 / lr (dashed, same colour)"
    plt.close(captured["fig"])



# --- pictures of per-layer norms ----------------------------------------------------------------
def test_plot_layer_norms_draws_each_curve_on_a_log_axis():
    fig, ax = plt.subplots()
    lines = P.plot_layer_norms({"a": [1e-3, 1e-1, 1.0], "b": [0.0, 2.0, math.inf, 3.0]}, ax)
    np.testing.assert_array_equal(lines[0].get_xdata(), [1, 2, 3])
    np.testing.assert_array_equal(lines[1].get_xdata(), [2, 4])      # 0 and inf left out
    assert ax.get_yscale() == "log" and lines[1].get_label() == "b"
    assert [l.get_color() for l in lines] == list(P.RUN_COLORS[:2])     # colour-blind-safe default
    (zero_based,) = P.plot_layer_norms({"gains": [2.0, 1.0, 1.0]}, ax, first_layer=0)
    np.testing.assert_array_equal(zero_based.get_xdata(), [0, 1, 2])
    with pytest.raises(ValueError, match="curves must be a non-empty mapping"):
        P.plot_layer_norms({})
    plt.close(fig)




# --- the pure part stays importable from here ---------------------------------------------------
def test_pure_names_are_re_exported_unchanged():
    for name in ["probe_data", "layer_gradient_norms", "diagnose", "GradientNormTable",
                 "gradient_norm_table", "chain_weights", "chain_forward", "jacobian_gains",
                 "SharpnessRun", "sharpness_trace", "full_hessian", "CHAIN_ACTIVATIONS",
                 "MAX_DEPTH", "VANISHING", "EXPLODING", "RUN_COLORS", "GradientFlowSettings",
                 "gradient_flow_frame", "gradient_flow_scene", "gradient_flow_status"]:
        assert getattr(P, name) is getattr(E, name), name
        assert name in P.__all__
    from gradlib.widgets import sharpness
    assert sharpness.SharpnessRun is E.SharpnessRun and sharpness.sharpness_trace is E.sharpness_trace


# --- the explorer -------------------------------------------------------------------------------
def shown_norms(dash):
    """The per-layer norms the explorer sent (layer 1 first), from the widget's float64 bytes."""
    (sent,) = [layer for layer in dash.canvas.frame["layers"]
               if layer["style"]["label"] == E.NORM_LABEL and layer["reveal"] == "all"]
    xy = np.frombuffer(sent["xy"], "<f8").reshape(-1, 2)
    np.testing.assert_array_equal(xy[:, 0], np.arange(1, len(xy) + 1))
    return xy[:, 1]


def test_explorer_follows_the_controls(closing, probe):
    X, y = probe
    dash = P.gradient_flow_explorer(depth=6, width=16, activation="sigmoid", init="xavier",
                                    max_depth=12, X=X, y=y)
    closing(dash)
    assert set(dash.controls) == {"depth", "activation", "init", "init_scale"}
    expected = P.layer_gradient_norms(6, 16, "sigmoid", "xavier", 1.0, 0, X, y)
    np.testing.assert_allclose(shown_norms(dash), expected, rtol=1e-9)
    np.testing.assert_array_equal(dash.norms, expected)
    assert "vanishing" in dash.status.value and dash.frame.n_steps == 6

    dash.controls["depth"].value = 10
    assert len(shown_norms(dash)) == 11 and dash.frame.n_steps == 10
    sig10 = P.layer_gradient_norms(10, 16, "sigmoid", "xavier", 1.0, 0, X, y)
    np.testing.assert_allclose(shown_norms(dash), sig10, rtol=1e-9)
    lo, hi = dash.frame.charts["norms"]["ylim"]
    assert lo <= sig10.min() and hi >= sig10.max()

    dash.controls["activation"].value = "relu"
    dash.controls["init"].value = "he"
    relu = P.layer_gradient_norms(10, 16, "relu", "he", 1.0, 0, X, y)
    np.testing.assert_allclose(shown_norms(dash), relu, rtol=1e-9)
    assert "healthy" in dash.status.value and dash.frame.charts["norms"]["xlim"][1] == pytest.approx(11.6)

    dash.controls["init_scale"].value = 4.0
    big = P.layer_gradient_norms(10, 16, "relu", "he", 4.0, 0, X, y)
    np.testing.assert_allclose(shown_norms(dash), big, rtol=1e-9)
    assert "exploding" in dash.status.value and "exploding" in dash.frame.charts["norms"]["title"]
    assert dash.frame.layer(E.OUTPUT_LABEL).xy[0, 1] == pytest.approx(big[-1])
    assert "overflowed" not in dash.status.value
    import html
    assert dash.status.value == f'<span style="color:#333">{html.escape(dash.frame.status)}</span>'
    assert dash.describe() == dash.frame.status
    assert dash.settings == E.GradientFlowSettings(10, 16, "relu", "he", 4.0, 0, 1, E.FIGSIZE)


def test_explorer_first_slider_and_menu_change_the_frame(closing, probe):
    X, y = probe
    dash = P.gradient_flow_explorer(X=X, y=y)
    closing(dash)
    before = dash.canvas.frame
    dash.controls["depth"].value = 11                  # the first slider
    assert dash.canvas.frame["layers"][0]["xy"] != before["layers"][0]["xy"]
    before = dash.canvas.frame
    dash.controls["activation"].value = "tanh"         # the first menu
    assert dash.canvas.frame["layers"][0]["xy"] != before["layers"][0]["xy"]
    assert dash.canvas.frame["status"] != before["status"]


def test_explorer_marks_overflowed_layers_without_red_green(closing, probe):
    X, y = probe
    dash = P.GradientFlowExplorer(depth=60, activation="relu", init="normal", init_scale=100.0,
                                  X=X, y=y, max_depth=60)
    closing(dash)
    g = dash.norms
    assert np.isinf(g).any()                                   # as in the overflow test above
    (tri,) = [layer for layer in dash.frame.layers if layer.style["label"] == E.OVERFLOW_LABEL]
    marked = tri.xy[np.isfinite(tri.xy[:, 0]), 0]
    np.testing.assert_array_equal(np.sort(marked), np.flatnonzero(np.isinf(g)) + 1)
    assert tri.style["fill"] == P._OVERFLOW_COLOR == "#222222"
    assert "overflowed to inf (near-black triangles" in dash.status.value


def test_explorer_hold_updates_once_and_messages(closing, probe, monkeypatch):
    X, y = probe
    dash = P.GradientFlowExplorer(depth=3, width=8, X=X, y=y, max_depth=5)
    closing(dash)
    sent = []
    real = dash.canvas.show
    monkeypatch.setattr(dash.canvas, "show", lambda scene, frame: (sent.append(frame), real(scene, frame)))
    with dash.hold():
        dash.controls["depth"].value = 5
        dash.controls["activation"].value = "tanh"
    assert len(sent) == 1
    np.testing.assert_allclose(shown_norms(dash),
                               P.layer_gradient_norms(5, 8, "tanh", "xavier", 1.0, 0, X, y),
                               rtol=1e-9)
    with pytest.raises(ValueError, match=r"depth must be an integer in \[1, 5\], got 9"):
        P.GradientFlowExplorer(depth=9, max_depth=5)
    with pytest.raises(ValueError, match=r"init_scale must be in \[0.01, 100\] for the slider"):
        P.GradientFlowExplorer(init_scale=0.001)
    with pytest.raises(ValueError, match=r"X and y must be given together"):
        P.GradientFlowExplorer(X=X)


def test_explorer_caches_what_it_computed(closing, probe):
    X, y = probe
    dash = P.gradient_flow_explorer(depth=4, width=8, X=X, y=y)
    closing(dash)
    first = dash.norms
    dash.controls["depth"].value = 5
    dash.controls["depth"].value = 4
    assert dash.norms is first                                   # revisiting costs nothing


def test_explorer_refuses_bad_input_with_a_status_and_keeps_the_picture(closing, probe):
    X, y = probe
    dash = P.gradient_flow_explorer(depth=4, width=8, X=X, y=y)
    closing(dash)
    good = dash.frame
    dash.width = 0                                               # as if a caller broke it
    dash.controls["depth"].value = 5                             # no exception out of update
    assert dash.canvas.frame["kind"] == "error" and dash.settings is None
    assert dash.canvas.frame["status"] == ("cannot compute the gradient norms: width must be an "
                                           "integer in [1, 1024], got 0")
    assert len(dash.canvas.frame["layers"]) == len(good.layers)   # the last picture stays
    assert "width must be" in dash.status.value and "nan" not in dash.status.value
    dash.width = 8
    dash.controls["depth"].value = 6
    assert dash.frame.kind == "info" and dash.frame.n_steps == 6


def test_explorer_figure_is_a_snapshot(closing, probe):
    X, y = probe
    dash = P.gradient_flow_explorer(depth=4, width=8, X=X, y=y)
    closing(dash)
    fig = dash.figure
    assert tuple(fig.get_size_inches()) == pytest.approx(E.FIGSIZE)
    (ax,) = fig.axes
    assert ax.get_yscale() == "log" and ax.get_title() == dash.frame.charts["norms"]["title"]
    assert E.NORM_LABEL in {t.get_text() for t in ax.get_legend().get_texts()}


# --- the kernel-free copy -----------------------------------------------------------------------
def test_static_grid_holds_the_explorer_frames(closing, probe):
    from gradlib.scene import from_plain_json
    from gradlib.widgets.canvas import grid_static_data
    X, y = probe
    dash = P.gradient_flow_explorer(depth=10, width=16, X=X, y=y)
    closing(dash)
    controls = dash.static_controls()
    assert [c.name for c in controls] == ["depth", "activation", "init", "init_scale"]
    assert [c.kind for c in controls] == ["range", "select", "select", "range"]
    assert [c.values for c in controls] == [(5, 10, 20, 30), ("sigmoid", "tanh", "relu"),
                                            tuple(E.INITS), (0.5, 1.0, 2.0)]
    assert [c.initial for c in controls] == [10, "sigmoid", "xavier", 1.0]
    data = grid_static_data(controls, dash.static_frame)
    assert len(data["frames"]) == 4 * 3 * 3 * 3 and len(data["scenes"]) == 1
    # the frame the page opens on is the kernel's, byte for byte
    first = from_plain_json(data["frames"]["1|0|1|1"]["frame"])
    assert first["status"] == dash.frame.status
    assert first["layers"][0]["xy"] == dash.frame.layers[0].xy.tobytes()
    # and any other one is gradient_flow_frame of its settings on the explorer's data
    other = from_plain_json(data["frames"]["3|2|2|0"]["frame"])
    s = E.GradientFlowSettings(30, 16, "relu", "normal", 0.5)
    assert other["status"] == E.gradient_flow_frame(s, E.gradient_flow_norms(s, X, y)).status


def test_static_grid_takes_the_explorer_values_in(closing, probe):
    X, y = probe
    dash = P.gradient_flow_explorer(depth=13, width=8, activation="leaky_relu", init="he",
                                    init_scale=1.5, X=X, y=y)
    closing(dash)
    controls = dash.static_controls()
    assert controls[0].values == (5, 13, 20, 30) and controls[0].initial == 13
    assert controls[1].values == ("sigmoid", "tanh", "relu", "leaky_relu")
    assert controls[3].values == (0.5, 1.0, 1.5) and controls[3].labels == ("0.5", "1", "1.5")
    assert [c.initial for c in controls[1:]] == ["leaky_relu", "he", 1.5]


def test_static_page_stays_in_its_budget(closing, probe):
    X, y = probe
    dash = P.gradient_flow_explorer(depth=60, width=16, max_depth=60, X=X, y=y)
    closing(dash)
    page = dash.static_html()
    print(f"gradient-flow static page, depths 5-10-20-60: {len(page.encode()):,} bytes")
    assert len(page.encode()) <= 1_000_000 and page.count('"init_scale"') == 1
    small = dash.static_html(budget=450_000)                   # too small for the whole grid:
    assert len(small.encode()) <= 450_000                      # the init scale stays fixed
    assert '"values":[1.0]' in small


def test_mimebundle_has_the_widget_and_the_static_page(closing, probe):
    X, y = probe
    dash = P.gradient_flow_explorer(depth=5, width=8, X=X, y=y)
    closing(dash)
    bundle = dash._repr_mimebundle_()
    assert "application/vnd.jupyter.widget-view+json" in bundle
    assert "gradlib-gradientflowexplorer-static" in bundle["text/html"]
    assert "mountStaticGrid" in bundle["text/html"]
    assert "gradlib-dashboard" in dash.layout()._dom_classes
    assert "gradlib-gradientflowexplorer" in dash.layout()._dom_classes


@pytest.mark.browser
def test_static_copy_opens_and_runs(browser, closing):
    from staticpage import check_static_copy
    dash = P.gradient_flow_explorer(depth=10, activation="sigmoid", init="xavier")
    closing(dash)
    result = check_static_copy(browser, dash)
    print(f"gradient-flow explorer static copy: {result['bytes']:,} bytes")
    assert result["bytes"] < 950_000
    # the first slider (depth 10 -> 30: three steps right, clamped) and the menu (sigmoid -> tanh)
    X, y = P.probe_data()
    s = E.GradientFlowSettings(30, 64, "sigmoid", "xavier", 1.0)
    assert result["statuses"][0] == E.gradient_flow_status(s, E.gradient_flow_norms(s, X, y))
    s = E.GradientFlowSettings(30, 64, "tanh", "xavier", 1.0)
    assert result["statuses"][1] == E.gradient_flow_status(s, E.gradient_flow_norms(s, X, y))


def test_mimebundle_of_a_refused_input_says_why(closing, probe):
    X, y = probe
    dash = P.gradient_flow_explorer(depth=3, width=8, X=X, y=y)
    closing(dash)
    dash.width = 0
    dash.controls["depth"].value = 4
    page = dash._repr_mimebundle_()["text/html"]
    assert "cannot build the static copy: width must be an integer in [1, 1024], got 0" in page
    assert dash.describe().startswith("cannot compute the gradient norms: width must be")


@pytest.mark.parametrize("figsize", [(1.0, 3.0), (7.0,), "big", 5.0])
def test_explorer_refuses_a_bad_figsize(figsize):
    with pytest.raises(ValueError, match=r"figsize must be a pair of numbers in \[3, 20\]"):
        P.gradient_flow_explorer(figsize=figsize)
