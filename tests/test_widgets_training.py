"""Tests for gradlib.widgets.training: the explorers of notebook 09 driven through their controls
(what each sends to the page: scene and frame, checked against the pure functions of
gradlib.experiments_training run again independently), their kernel-free copies in Chromium, and
the plotting helpers that stay here (boundary_animation, draw_graph). The pure functions are
tested in tests/test_experiments_training.py."""
import html

import numpy as np
import pytest

from gradlib import experiments_training as E
from gradlib import optim
from gradlib.mlp import MLP
from gradlib.widgets import training as T
from staticpage import check_static_copy


def test_the_pure_part_is_re_exported_under_its_old_names():
    for name in ("DATASETS", "CLASS_COLORS", "TRAIN_OPTIMIZERS", "SCHEDULE_NAMES", "SCHEDULE_COLORS",
                 "make_dataset", "data_window", "BoundaryGrid", "decision_boundary_grid",
                 "class_colors_image", "TrainSettings", "Trained", "train", "Snapshots",
                 "training_snapshots", "per_example_gradients", "gradient_noise",
                 "gradient_noise_exact", "noise_basis", "gradient_cloud", "batch_size_options",
                 "make_schedules", "ScheduleRun", "run_schedules"):
        assert getattr(T, name) is getattr(E, name), name
    assert set(T.__all__) >= {"boundary_animation", "draw_graph", "GraphArtists",
                              "check_dense_backward", "training_explorer", "batch_size_explorer",
                              "schedule_explorer"}
    from gradlib.widgets import backprop, regularization  # noqa: F401 - they import from here
    assert T._decades is E.decades


def test_boundary_animation_is_small_html(small):
    _, X, y = small
    net = MLP([2, 6, 2], seed=4)
    snaps = T.training_snapshots(net, X, y, optim.adam(0.05), 12, frames=6, resolution=20)
    anim = T.boundary_animation(snaps, X, y, figsize=(6, 2.8))
    assert anim.frames == len(snaps.epochs)
    assert anim.nbytes < 1_000_000
    assert "<video" in anim.html or "<script" in anim.html
    with pytest.raises(ValueError, match="snapshots must be the result of training_snapshots, got tuple"):
        T.boundary_animation((1, 2), X, y)


def test_draw_graph_returns_movable_notes():
    import matplotlib.pyplot as plt
    art = T.draw_graph({"x": (0, 0), "z": (1, 0), "L": (2, 0)}, [("x", "z"), ("z", "L")],
                       labels={"z": "z = wx"}, notes={"L": "1"})
    assert art.nodes["z"].get_text() == "z = wx" and art.notes["L"].get_text() == "1"
    assert len(art.arrows) == 2
    art.notes["x"].set_text("dL/dx = 3")
    assert art.notes["x"].get_text() == "dL/dx = 3"
    plt.close(art.ax.figure)
    with pytest.raises(ValueError, match=r"edges must be pairs of node names, got \('x', 'y'\)"):
        T.draw_graph({"x": (0, 0)}, [("x", "y")])



# --- explorers ---------------------------------------------------------------------------------
def _legend(frame, panel):
    """The legend the page draws for ``panel``: labels of its non-empty point and line layers,
    first occurrence of each, in layer order (canvas.js drawLegend)."""
    out = []
    for layer in frame.layers:
        label = layer.style.get("label")
        if layer.panel == panel and layer.kind not in ("text", "image") and len(layer.xy) \
                and label not in out:
            out.append(label)
    return out


def _pixels(png):
    import io

    from PIL import Image
    return np.asarray(Image.open(io.BytesIO(png)).convert("RGB"))


def test_training_explorer_sends_the_run_its_controls_describe(closing):
    dash = T.training_explorer(epochs=20, hidden=8, resolution=20)
    closing(dash)
    assert dash.trained.history.epochs == 20
    frame0 = dash.frame
    for k in (0, 1):                                          # the data, by class
        np.testing.assert_array_equal(frame0.layer(f"class {k}").xy,
                                      dash.trained.X[dash.trained.y == k])
    image0 = frame0.layer("decision regions").images
    loss0 = frame0.layer("mean over each epoch's minibatches").xy.copy()
    dash.controls["dataset"].value = "spirals"
    Xs, ys = T.make_dataset("spirals")
    for k in range(3):
        np.testing.assert_array_equal(dash.frame.layer(f"class {k}").xy, Xs[ys == k])
    images = dash.frame.layer("decision regions").images
    assert images[-1] != image0[-1] and len(images) == dash.frame.n_steps + 1
    np.testing.assert_array_equal(_pixels(images[-1]), np.round(
        255 * T.class_colors_image(dash.grid.proba)[::-1]).astype(np.uint8))
    assert dash.grid.proba.shape == (20, 20, 3)
    (x0, x1), (y0, y1) = T.data_window(Xs)
    assert dash.scene.panels[0].xlim == pytest.approx((x0, x1))      # the spirals' window
    dash.controls["lr"].value = 0.001
    loss = dash.frame.layer("mean over each epoch's minibatches").xy
    assert not np.allclose(loss, loss0)
    np.testing.assert_array_equal(loss[:, 1], np.maximum(dash.trained.history.loss, 1e-12))
    with dash.hold():
        dash.controls["batch_size"].value = 0            # full batch
        dash.controls["epochs"].value = 30
    assert dash.settings.batch_size is None and dash.trained.history.steps == 30
    assert len(dash.frame.layer("mean over each epoch's minibatches").xy) == 30
    assert "accuracy" in dash.frame.layer("snapshot shown").texts[-1]
    assert html.escape(dash.frame.status) in dash.status.value and "accuracy" in dash.frame.status
    # what the page holds is this frame: the pictures as PNG bytes, the curves as float64
    sent = {(layer["panel"], layer["style"]["label"]): layer for layer in dash.canvas.frame["layers"]}
    assert sent["boundary", "decision regions"]["images"] == \
        list(dash.frame.layer("decision regions").images)
    np.testing.assert_array_equal(
        np.frombuffer(sent["loss", "whole set, at the snapshots"]["xy"], "<f8").reshape(-1, 2),
        dash.frame.layer("whole set, at the snapshots").xy)
    fig = dash.figure                                     # a matplotlib snapshot of the frame
    assert len(fig.axes) == 3


def test_training_explorer_reports_a_diverged_run_and_refused_input(closing, monkeypatch):
    dash = T.training_explorer("moons", hidden=64, layers=2, activation="leaky_relu",
                               optimizer="gd", lr=1.0, epochs=60, batch_size=None)
    closing(dash)
    assert dash.frame.kind == "info"
    dash.controls["lr"].value = 10.0                     # the top of the slider: it blows up
    assert dash.trained.history.status == "diverged" and dash.frame.kind == "diverged"
    assert dash.frame.status.startswith("diverged: ") and "nan" not in dash.frame.status.lower()
    assert dash.canvas.frame["kind"] == "diverged"
    assert len(dash.figure.axes) == 3                    # matplotlib draws it too (losses clipped)
    kept = dash.frame

    def broken(*args, **kwargs):
        raise ArithmeticError("overflow in a test")
    monkeypatch.setattr(T, "training_run", broken)
    dash.controls["seed"].value = 3                       # never an exception out of an update
    assert dash.canvas.frame["kind"] == "error" and dash.canvas.frame["status"] == "overflow in a test"
    assert len(dash.canvas.frame["layers"]) == len(kept.layers) and dash.frame is kept


def test_training_explorer_messages():
    with pytest.raises(ValueError, match=r"hidden must be one of \[2, 3, 4"):
        T.training_explorer(hidden=5)
    with pytest.raises(ValueError, match="batch_size must be one of 4, 8, 16, 32, 64, 128 or None, got 3"):
        T.training_explorer(batch_size=3)
    with pytest.raises(ValueError, match="dataset must be one of"):
        T.training_explorer("iris")


def test_batch_size_explorer_sends_the_run_its_controls_describe(closing):
    dash = T.batch_size_explorer(n=32, hidden=4, epochs=3, batch_size=8, warm_epochs=5, draws=30)
    closing(dash)
    assert dash.sizes == [1, 2, 4, 8, 16, 32]
    assert len(dash.frame.layer("minibatch").xy) == 3 * 4                # 4 steps per epoch
    assert np.all(np.diff(dash.noise_exact) < 0)
    np.testing.assert_array_equal(dash.frame.layer("minibatch gradients").xy, dash.cloud)
    spread8 = dash.cloud.std(axis=0).sum()
    assert dash.frame.layer("current B").xy[0, 0] == 8
    assert dash.frame.n_steps == 29                     # Play adds the 30 draws one by one
    # every mark is named in its panel's legend
    assert _legend(dash.frame, "loss") == ["minibatch", "full batch"]
    assert _legend(dash.frame, "cloud") == ["left of this line: uphill for the full loss",
                                            "minibatch gradients", "mean of the draws so far",
                                            "full gradient", "draw shown"]
    noise = _legend(dash.frame, "noise")
    assert "current B" in noise and len(noise) == 3
    dash.controls["batch_size"].value = 1
    step = dash.frame.layer("minibatch").xy
    assert len(step) == 3 * 32
    assert step[-1, 0] == pytest.approx(3.0)                          # x axis counts epochs
    np.testing.assert_array_equal(step[:, 1], np.maximum(dash.history.step_losses, 1e-12))
    assert dash.cloud.std(axis=0).sum() > spread8
    assert dash.frame.layer("current B").xy[0, 0] == 1
    assert "B = 1 of N = 32" in dash.status.value
    dash.controls["batch_size"].value = 32
    np.testing.assert_allclose(dash.frame.layer("minibatch gradients").xy,
                               np.tile([np.linalg.norm(dash.full_gradient), 0.0], (30, 1)), atol=1e-12)
    assert len(dash.frame.layer("current B").xy) == 0
    np.testing.assert_allclose(dash.frame.layer("minibatch").xy[:, 1],
                               dash.frame.layer("full batch").xy[:, 1])
    loss_before = dash.frame.layer("full batch").xy.copy()
    dash.controls["optimizer"].value = "adam"                   # the menu retrains both runs
    assert dash.settings.optimizer == "adam"
    assert not np.allclose(dash.frame.layer("full batch").xy, loss_before)
    with pytest.raises(ValueError, match=r"batch_size must be one of \[1, 2, 4, 8, 16, 32\], got 5"):
        T.batch_size_explorer(n=32, batch_size=5)


def test_schedule_explorer_sends_the_runs_its_controls_describe(closing):
    dash = T.schedule_explorer(n=40, hidden=4, epochs=5, batch_size=10, lr0=1.0, final=0.1)
    closing(dash)
    steps = 5 * 4

    def lr_line(name):
        return next(layer.xy for layer in dash.frame.layers
                    if layer.panel == "lr" and layer.kind == "line" and layer.style["label"] == name)

    def loss_line(name):
        return next(layer.xy for layer in dash.frame.layers
                    if layer.panel == "loss" and layer.kind == "line" and layer.style["label"] == name)

    line = lr_line("cosine")
    assert len(line) == steps and line[0, 1] == pytest.approx(1.0)
    dash.controls["lr0"].value = 0.1
    assert lr_line("cosine")[0, 1] == pytest.approx(0.1)
    assert lr_line("exponential")[-1, 1] == pytest.approx(0.1 * 0.1 ** ((steps - 1) / steps))
    np.testing.assert_allclose(loss_line("constant")[1:, 1], dash.run.end_losses["constant"])
    np.testing.assert_array_equal(lr_line("step")[:, 1], dash.schedules["step"](np.arange(steps)))
    dash.controls["show"].value = ["constant", "step"]
    shown = {layer.style["label"] for layer in dash.frame.layers}
    assert "step" in shown and "cosine" not in shown
    assert set(dash.run.histories) == {"constant", "step"}
    dash.controls["epochs"].value = 10
    np.testing.assert_array_equal(loss_line("constant")[:, 0], np.arange(11))   # epochs 0 .. 10
    assert dash.frame.n_steps == 10                                 # Play runs over the epochs
    assert "final training loss" in dash.status.value
    # a refused input: no schedule chosen -- the status says so, the last picture stays
    kept = dash.frame
    dash.controls["show"].value = []
    sent = dash.canvas.frame
    assert sent["kind"] == "error" and sent["status"] == "choose at least one schedule under 'show'"
    assert len(sent["layers"]) == len(kept.layers) and dash.frame is kept      # nothing blanked
    assert "choose at least one" in dash.status.value
    dash.controls["show"].value = ["cosine"]
    assert dash.frame.kind == "info" and set(dash.run.histories) == {"cosine"}
    dash.controls["optimizer"].value = "momentum"
    assert "momentum" in dash.frame.charts["loss"]["title"]


def test_explorers_refuse_start_values_their_sliders_would_clamp():
    with pytest.raises(ValueError, match=r"lr must be a number in \[1e-4, 1e1\] \(the slider's range\), got 50"):
        T.training_explorer(lr=50)
    with pytest.raises(ValueError, match=r"epochs must be an integer in \[10, 500\], got 5"):
        T.training_explorer(epochs=5)
    with pytest.raises(ValueError, match=r"epochs must be an integer in \[1, 60\], got 100"):
        T.batch_size_explorer(n=32, batch_size=8, epochs=100)
    with pytest.raises(ValueError, match=r"lr must be a number in \[1e-3, 1e0\]"):
        T.batch_size_explorer(n=32, batch_size=8, lr=2.0)
    with pytest.raises(ValueError, match=r"warmup must be in \[0, 0.5\]"):
        T.schedule_explorer(n=40, warmup=0.7)
    with pytest.raises(ValueError, match=r"final must be a number in \[1e-3, 1e0\]"):
        T.schedule_explorer(n=40, final=2.0)


# --- the kernel-free copies ----------------------------------------------------------------------
def test_static_copies_cover_the_current_settings(closing):
    dash = T.training_explorer("spirals", hidden=24, activation="leaky_relu", epochs=20)
    closing(dash)
    hidden, act = dash.static_controls()
    assert hidden.values == (4, 16, 24, 64) and hidden.initial == 24 and hidden.kind == "range"
    assert act.values == ("sigmoid", "tanh", "relu", "leaky_relu")       # the menu's order
    assert act.initial == "leaky_relu" and act.kind == "select"
    scene, frame = dash.static_frame({"hidden": 24, "activation": "leaky_relu"})
    assert scene is dash.scene and frame.status == dash.frame.status


@pytest.mark.parametrize("make", [
    lambda: T.training_explorer("moons", hidden=8, epochs=20),
    lambda: T.batch_size_explorer(n=32, hidden=4, epochs=3, batch_size=8, warm_epochs=5, draws=30),
    lambda: T.schedule_explorer(n=40, hidden=4, epochs=5, batch_size=10, lr0=1.0, final=0.1),
], ids=["training", "batch_size", "schedule"])
def test_static_copy(browser, make):
    dash = make()
    try:
        result = check_static_copy(browser, dash)
    finally:
        dash.close()
    assert result["bytes"] <= 1_000_000 and len(result["statuses"]) == 2
