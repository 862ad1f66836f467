"""Tests for gradlib.widgets.training: the pure helpers against independent computations
(hand-written forward passes, finite differences, brute-force enumeration of minibatches,
closed-form schedules), and the explorers driven through their controls (Agg, no browser)."""
import itertools
import math

import numpy as np
import pytest

from gradlib import numeric, optim
from gradlib.mlp import MLP
from gradlib.widgets import training as T


def softmax_forward(net, X):
    """An independent forward pass: relu hidden layers, softmax output, from weights/biases."""
    a = np.asarray(X, dtype=float)
    for i, (W, b) in enumerate(zip(net.weights, net.biases)):
        z = a @ W + b
        a = np.maximum(z, 0) if i < net.n_layers - 1 else z
    e = np.exp(a - a.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


@pytest.fixture(scope="module")
def small():
    """A small trained-for-a-bit classifier on 40 moons points."""
    X, y = T.make_dataset("moons", n=40, seed=3)
    net = MLP([2, 5, 2], seed=1)
    net.fit(X, y, optim.adam(0.02), 10)
    return net, X, y


# --- data --------------------------------------------------------------------------------------
def test_make_dataset_defaults_and_names():
    X, y = T.make_dataset("moons")
    assert X.shape == (200, 2) and set(np.unique(y)) == {0, 1}
    X, y = T.make_dataset("spirals", n=30, noise=0.0, seed=1)
    assert X.shape == (30, 2) and set(np.unique(y)) == {0, 1, 2}
    np.testing.assert_array_equal(T.make_dataset("blobs", seed=2)[0], T.make_dataset("blobs", seed=2)[0])
    with pytest.raises(ValueError, match=r"name must be one of 'moons', 'spirals', 'blobs', got 'circles'"):
        T.make_dataset("circles")


def test_data_window_pads_the_bounding_box():
    X = np.array([[0.0, -1.0], [2.0, 3.0], [1.0, 0.0]])
    (x0, x1), (y0, y1) = T.data_window(X, margin=0.25)
    assert (x0, x1) == pytest.approx((-0.5, 2.5))      # width 2, pad 0.5 each side
    assert (y0, y1) == pytest.approx((-2.0, 4.0))      # height 4, pad 1 each side
    with pytest.raises(ValueError, match=r"X must be a finite array of shape \(m, 2\), got shape \(3,\)"):
        T.data_window([1.0, 2.0, 3.0])
    with pytest.raises(ValueError, match="margin must be a number >= 0, got -1"):
        T.data_window(X, margin=-1)


# --- decision boundary -------------------------------------------------------------------------
def test_decision_boundary_grid_matches_an_independent_forward_pass(small):
    net, X, y = small
    grid = T.decision_boundary_grid(net, (-1.0, 2.0), (-0.5, 1.0), resolution=7)
    assert grid.proba.shape == (7, 7, 2)
    np.testing.assert_allclose(grid.xs, np.linspace(-1, 2, 7))
    np.testing.assert_allclose(grid.ys, np.linspace(-0.5, 1, 7))
    for j, i in [(0, 0), (2, 5), (6, 3), (4, 1)]:      # row j is y = ys[j], column i is x = xs[i]
        p = softmax_forward(net, [[grid.xs[i], grid.ys[j]]])[0]
        np.testing.assert_allclose(grid.proba[j, i], p, rtol=1e-12)
    np.testing.assert_allclose(grid.proba.sum(axis=2), 1.0)
    assert grid.extent == (-1.0, 2.0, -0.5, 1.0)


def test_decision_boundary_grid_of_a_sigmoid_output_has_two_columns():
    net = MLP([2, 4, 1], activation="tanh", output="sigmoid", init="xavier", seed=2)
    grid = T.decision_boundary_grid(net, (-1, 1), (-1, 1), resolution=5)
    assert grid.proba.shape == (5, 5, 2)
    point = np.array([[grid.xs[3], grid.ys[1]]])
    z = np.tanh(point @ net.weights[0] + net.biases[0]) @ net.weights[1] + net.biases[1]
    p = 1.0 / (1.0 + np.exp(-z[0, 0]))
    np.testing.assert_allclose(grid.proba[1, 3], [1 - p, p], rtol=1e-12)


def test_decision_boundary_grid_messages():
    with pytest.raises(ValueError, match="model must be a gradlib.mlp.MLP, got str"):
        T.decision_boundary_grid("net", (0, 1), (0, 1))
    with pytest.raises(ValueError, match=r"model must take 2 inputs \(sizes\[0\] == 2\)"):
        T.decision_boundary_grid(MLP([3, 2]), (0, 1), (0, 1))
    with pytest.raises(ValueError, match="model must be a classifier .* got output='identity'"):
        T.decision_boundary_grid(MLP([2, 1], output="identity"), (0, 1), (0, 1))
    with pytest.raises(ValueError, match=r"xlim must be finite with low < high, got \(1, 0\)"):
        T.decision_boundary_grid(MLP([2, 2]), (1, 0), (0, 1))
    with pytest.raises(ValueError, match=r"resolution must be an integer in \[2, 1000\], got 1"):
        T.decision_boundary_grid(MLP([2, 2]), (0, 1), (0, 1), resolution=1)


def test_class_colors_image_mixes_class_colors():
    red, blue = (1.0, 0.0, 0.0), (0.0, 0.0, 1.0)
    proba = np.array([[[1.0, 0.0], [0.5, 0.5], [0.0, 1.0]]])
    img = T.class_colors_image(proba, colors=[red, blue], strength=0.4)
    assert img.shape == (1, 3, 3)
    np.testing.assert_allclose(img[0, 0], [1.0, 0.6, 0.6])      # 0.6 white + 0.4 red
    np.testing.assert_allclose(img[0, 2], [0.6, 0.6, 1.0])
    np.testing.assert_allclose(img[0, 1], (img[0, 0] + img[0, 2]) / 2)
    with pytest.raises(ValueError, match=r"proba must be a finite array of shape \(ny, nx, classes\)"):
        T.class_colors_image(np.ones((2, 2)))
    with pytest.raises(ValueError, match=r"colors must name at least one color per class \(2\), got 1"):
        T.class_colors_image(proba, colors=["red"])
    with pytest.raises(ValueError, match=r"strength must be in \[0, 1\], got 2"):
        T.class_colors_image(proba, strength=2)


# Oracle for colour-blind safety: the dichromacy simulation of Machado, Oliveira & Fernandes
# (2009), severity 1, in linear RGB; distances are CIE76 Delta E in CIELAB (D65).
_CVD = {
    "deuteranopia": np.array([[0.367322, 0.860646, -0.227968], [0.280085, 0.672501, 0.047413],
                              [-0.011820, 0.042940, 0.968881]]),
    "protanopia": np.array([[0.152286, 1.052583, -0.204868], [0.114503, 0.786281, 0.099216],
                            [-0.003882, -0.048116, 1.051998]]),
    "normal vision": np.eye(3),
}


def _closest_pair(palette, vision):
    from matplotlib import colors as mcolors

    def lab(hex_color):
        c = np.asarray(mcolors.to_rgb(hex_color))
        linear = _CVD[vision] @ np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)
        xyz = np.array([[0.4124, 0.3576, 0.1805], [0.2126, 0.7152, 0.0722],
                        [0.0193, 0.1192, 0.9505]]) @ np.clip(linear, 0, 1)
        t = xyz / np.array([0.95047, 1.0, 1.08883])
        f = np.where(t > (6 / 29) ** 3, np.cbrt(t), t / (3 * (6 / 29) ** 2) + 4 / 29)
        return np.array([116 * f[1] - 16, 500 * (f[0] - f[1]), 200 * (f[1] - f[2])])

    seen = [lab(c) for c in palette]
    return min(float(np.linalg.norm(a - b)) for i, a in enumerate(seen) for b in seen[i + 1:])


@pytest.mark.parametrize("vision", list(_CVD))
def test_class_and_schedule_colours_stay_apart_for_colour_blind_readers(vision):
    # the check can fail: the old class colours (tab10 blue, red, green) merge for deuteranopes
    if vision == "deuteranopia":
        assert _closest_pair(("#1f77b4", "#d62728", "#2ca02c"), vision) < 8
    assert _closest_pair(T.CLASS_COLORS, vision) > 15
    assert _closest_pair(T.SCHEDULE_COLORS, vision) > 15
    assert len(T.SCHEDULE_COLORS) == len(T.SCHEDULE_NAMES)
    assert not {"#2ca02c", "#d62728"} & {c.lower() for c in (*T.CLASS_COLORS, *T.SCHEDULE_COLORS)}


# --- training ----------------------------------------------------------------------------------
def test_train_settings_messages():
    with pytest.raises(ValueError, match="dataset must be one of 'moons', 'spirals', 'blobs', got 'iris'"):
        T.TrainSettings(dataset="iris")
    with pytest.raises(ValueError, match="optimizer must be one of .* got 'newton'"):
        T.TrainSettings(optimizer="newton")
    with pytest.raises(ValueError, match="activation must be one of .* got 'gelu'"):
        T.TrainSettings(activation="gelu")
    with pytest.raises(ValueError, match="lr must be a finite number > 0, got 0"):
        T.TrainSettings(lr=0)
    with pytest.raises(ValueError, match=r"hidden must be an integer in \[1, 1024\], got 0"):
        T.TrainSettings(hidden=0)
    with pytest.raises(ValueError, match="batch_size must be an integer >= 1, got 0"):
        T.TrainSettings(batch_size=0)
    with pytest.raises(ValueError, match="settings must be a TrainSettings, got dict"):
        T.train({})


def test_train_is_seeded_and_learns():
    s = T.TrainSettings(n=60, hidden=8, epochs=30, batch_size=16, lr=0.02)
    a, b = T.train(s), T.train(s)
    np.testing.assert_array_equal(a.model.params, b.model.params)
    assert a.history.loss[-1] < 0.5 * a.history.loss[0]
    assert a.history.steps == 30 * math.ceil(60 / 16)
    full = T.train(T.TrainSettings(n=60, hidden=8, epochs=5, batch_size=1000))   # > n: full batch
    assert full.history.steps == 5
    sched = T.train(s, lr=optim.step_decay(0.02, 0.5, 10))
    np.testing.assert_allclose(sched.history.lrs[:12], 0.02 * 0.5 ** (np.arange(12) // 10))


def test_training_snapshots_record_the_boundary(small):
    _, X, y = small
    net = MLP([2, 6, 2], seed=4)
    before = net.loss(X, y)
    snaps = T.training_snapshots(net, X, y, optim.adam(0.05), 30, frames=8, resolution=9,
                                 xlim=(-1.5, 2.5), ylim=(-1, 1.5))
    assert snaps.epochs[0] == 0 and snaps.epochs[-1] == 30
    assert len(snaps.epochs) <= 8 and np.all(np.diff(snaps.epochs) > 0)
    assert snaps.proba.shape == (len(snaps.epochs), 9, 9, 2)
    assert snaps.loss[0] == pytest.approx(before)
    assert snaps.loss[-1] == pytest.approx(net.loss(X, y))          # trained in place
    assert snaps.loss[-1] < snaps.loss[0]
    final = T.decision_boundary_grid(net, (-1.5, 2.5), (-1, 1.5), 9)
    np.testing.assert_allclose(snaps.proba[-1], final.proba)
    assert snaps.accuracy[-1] == pytest.approx(net.accuracy(X, y))
    with pytest.raises(ValueError, match=r"frames must be an integer in \[2, 200\], got 1"):
        T.training_snapshots(net, X, y, optim.adam(0.05), 3, frames=1)


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


# --- gradient noise ----------------------------------------------------------------------------
def test_per_example_gradients_average_to_the_full_gradient(small):
    net, X, y = small
    G = T.per_example_gradients(net, X, y)
    assert G.shape == (len(y), net.n_params)
    np.testing.assert_allclose(G.mean(axis=0), net.gradient(X, y), atol=1e-12)
    # one row against central differences of that example's loss alone
    i = 7
    fd = numeric.gradient(lambda p: _loss_at(net, p, X[i:i + 1], y[i:i + 1]), net.params.copy())
    np.testing.assert_allclose(G[i], fd, atol=1e-6)


def _loss_at(net, p, X, y):
    other = net.copy()
    other.params = p
    return other.loss(X, y)


def test_exact_gradient_noise_equals_brute_force_enumeration():
    """Average ||g_B - g||^2 over EVERY subset of size B: no formula, no sampling."""
    X, y = T.make_dataset("moons", n=7, seed=5)
    net = MLP([2, 3, 2], seed=0)
    g = net.gradient(X, y)
    sizes = list(range(1, 8))
    brute = []
    for b in sizes:
        devs = [net.gradient(X[list(rows)], y[list(rows)]) - g
                for rows in itertools.combinations(range(7), b)]
        brute.append(np.mean([d @ d for d in devs]))
    exact = T.gradient_noise_exact(net, X, y, sizes)
    np.testing.assert_allclose(exact[:-1], brute[:-1], rtol=1e-9)
    assert exact[-1] == 0.0 and brute[-1] < 1e-25


def test_measured_gradient_noise_falls_like_one_over_b():
    X, y = T.make_dataset("moons", n=64, seed=6)
    net = MLP([2, 8, 2], seed=2)
    sizes = [1, 2, 4, 8, 16, 32, 64]
    measured = T.gradient_noise(net, X, y, sizes, draws=300, seed=1)
    exact = T.gradient_noise_exact(net, X, y, sizes)
    assert np.all(np.diff(measured) < 0)                         # smaller batch, noisier
    np.testing.assert_allclose(measured[:-1], exact[:-1], rtol=0.25)
    assert measured[-1] < 1e-25                                  # the full batch is exact
    # (1 - B/N)/B scaling: measured * B / (1 - B/N) is the same S^2 for every B
    s2 = measured[:-1] * np.array(sizes[:-1]) / (1 - np.array(sizes[:-1]) / 64)
    assert s2.max() / s2.min() < 1.5
    assert T.gradient_noise(net, X, y, [4], draws=50, seed=3)[0] == \
        T.gradient_noise(net, X, y, [4], draws=50, seed=3)[0]


def test_gradient_noise_messages(small):
    net, X, y = small
    with pytest.raises(ValueError, match=r"batch_sizes must be an integer in \[1, 40\], got 41"):
        T.gradient_noise(net, X, y, [1, 41])
    with pytest.raises(ValueError, match="batch_sizes must not be empty"):
        T.gradient_noise_exact(net, X, y, [])
    with pytest.raises(ValueError, match=r"draws must be an integer in \[1, 100000\], got 0"):
        T.gradient_noise(net, X, y, [2], draws=0)
    with pytest.raises(ValueError, match=r"X must have shape \(m, 2\)"):
        T.gradient_noise(net, X[:, :1], y, [2])


def test_noise_basis_and_cloud(small):
    net, X, y = small
    basis = T.noise_basis(net, X, y)
    np.testing.assert_allclose(basis @ basis.T, np.eye(2), atol=1e-12)
    g = net.gradient(X, y)
    np.testing.assert_allclose(basis[0], g / np.linalg.norm(g))
    full = T.gradient_cloud(net, X, y, len(y), basis, draws=5)
    np.testing.assert_allclose(full, np.tile([np.linalg.norm(g), 0.0], (5, 1)), atol=1e-12)
    cloud = T.gradient_cloud(net, X, y, 4, basis, draws=400, seed=2)
    # minibatch gradients are unbiased: their mean is near the full gradient
    spread = cloud.std(axis=0) / math.sqrt(400)
    assert np.all(np.abs(cloud.mean(axis=0) - [np.linalg.norm(g), 0.0]) < 4 * spread + 1e-12)
    wider = T.gradient_cloud(net, X, y, 1, basis, draws=400, seed=2)
    assert wider.std(axis=0).sum() > cloud.std(axis=0).sum()
    with pytest.raises(ValueError, match=r"basis must be a finite array of shape \(2, "):
        T.gradient_cloud(net, X, y, 4, np.ones((3, 2)))


def test_batch_size_options():
    assert T.batch_size_options(200) == [1, 2, 4, 8, 16, 32, 64, 128, 200]
    assert T.batch_size_options(8) == [1, 2, 4, 8]
    assert T.batch_size_options(1) == [1]
    with pytest.raises(ValueError, match="n must be an integer >= 1, got 0"):
        T.batch_size_options(0)


# --- schedules ---------------------------------------------------------------------------------
def test_make_schedules_formulas_and_end_points():
    lr0, steps, final = 0.8, 100, 0.05
    s = T.make_schedules(lr0, steps, final, warmup_fraction=0.2)
    assert list(s) == list(T.SCHEDULE_NAMES)
    t = np.arange(steps + 1)
    decay = (1 / final - 1) / steps
    np.testing.assert_allclose(s["inverse time"](t), lr0 / (1 + decay * t))
    np.testing.assert_allclose(s["exponential"](t), lr0 * final ** (t / steps))
    np.testing.assert_allclose(s["cosine"](t), final * lr0 + (1 - final) * lr0 * (1 + np.cos(np.pi * t / steps)) / 2)
    np.testing.assert_allclose(s["constant"](t), lr0)
    for name in ("inverse time", "exponential", "cosine", "warmup + cosine"):
        assert s[name](steps) == pytest.approx(final * lr0)
    step = s["step"](np.arange(steps))                   # the run's steps t = 0 .. steps-1
    assert len(np.unique(step)) == 4 and step[0] == lr0                   # three drops
    assert step[75:] == pytest.approx(np.full(25, final * lr0))
    assert step[74] > final * lr0
    warm = s["warmup + cosine"](t)
    assert warm[0] < 0.1 * lr0 and warm[20] == pytest.approx(lr0) and np.argmax(warm) == 20
    with pytest.raises(ValueError, match=r"final must be in \(0, 1\], got 0"):
        T.make_schedules(1.0, 10, final=0)
    with pytest.raises(ValueError, match=r"warmup_fraction must be in \[0, 1\), got 1"):
        T.make_schedules(1.0, 10, warmup_fraction=1)


def test_run_schedules_differ_only_in_the_learning_rate():
    s = T.TrainSettings(n=40, hidden=6, optimizer="gd", lr=0.5, epochs=6, batch_size=10)
    scheds = {"constant": optim.constant(0.5), "halving": optim.step_decay(0.5, 0.5, 8)}
    run = T.run_schedules(s, scheds)
    same = T.train(s)                                            # the constant run, via train()
    np.testing.assert_allclose(run.histories["constant"].loss, same.history.loss)
    assert run.end_losses["constant"][-1] == pytest.approx(same.model.loss(*s.data()))
    np.testing.assert_allclose(run.histories["halving"].lrs, scheds["halving"](np.arange(24)))
    # first 8 steps share the learning rate, so the first epoch (4 steps) is identical
    assert run.histories["halving"].loss[0] == run.histories["constant"].loss[0]
    assert run.end_losses["halving"].shape == (6,)
    with pytest.raises(ValueError, match="schedules must be a non-empty mapping"):
        T.run_schedules(s, {})


# --- the exercise checker check_dense_backward: moved to tests/test_exercises_backprop.py -----


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
def test_training_explorer_moves_its_artists(closing):
    dash = T.training_explorer(epochs=20, hidden=8, resolution=20)
    closing(dash)
    assert dash.trained.history.epochs == 20
    image0 = np.array(dash.image.get_array())
    loss0 = dash.loss_line.get_ydata().copy()
    np.testing.assert_allclose(dash.points.get_offsets(), dash.trained.X)
    dash.controls["dataset"].value = "spirals"
    Xs, _ = T.make_dataset("spirals")
    np.testing.assert_allclose(dash.points.get_offsets(), Xs)
    assert not np.allclose(np.array(dash.image.get_array()), image0)
    np.testing.assert_allclose(np.array(dash.image.get_array()),
                               T.class_colors_image(dash.grid.proba))
    assert dash.grid.proba.shape[2] == 3
    dash.controls["lr"].value = 0.001
    assert not np.allclose(dash.loss_line.get_ydata(), loss0)
    np.testing.assert_allclose(dash.loss_line.get_ydata(), np.maximum(dash.trained.history.loss, 1e-12))
    with dash.hold():
        dash.controls["batch_size"].value = 0            # full batch
        dash.controls["epochs"].value = 30
    assert dash.settings.batch_size is None and dash.trained.history.steps == 30
    assert len(dash.loss_line.get_xdata()) == 30
    assert "accuracy" in dash.title.get_text()


def test_training_explorer_messages():
    with pytest.raises(ValueError, match=r"hidden must be one of \[2, 3, 4"):
        T.training_explorer(hidden=5)
    with pytest.raises(ValueError, match="batch_size must be one of 4, 8, 16, 32, 64, 128 or None, got 3"):
        T.training_explorer(batch_size=3)
    with pytest.raises(ValueError, match="dataset must be one of"):
        T.training_explorer("iris")


def test_batch_size_explorer_moves_its_artists(closing):
    dash = T.batch_size_explorer(n=32, hidden=4, epochs=3, batch_size=8, warm_epochs=5, draws=30)
    closing(dash)
    assert dash.sizes == [1, 2, 4, 8, 16, 32]
    assert len(dash.step_line.get_xdata()) == 3 * 4                  # 4 steps per epoch
    assert np.all(np.diff(dash.noise_exact) < 0)
    spread8 = dash.cloud_points.get_offsets().std(axis=0).sum()
    assert dash.noise_marker.get_xdata()[0] == 8
    dash.controls["batch_size"].value = 1
    assert len(dash.step_line.get_xdata()) == 3 * 32
    assert dash.step_line.get_xdata()[-1] == pytest.approx(3.0)       # x axis counts epochs
    assert dash.cloud_points.get_offsets().std(axis=0).sum() > spread8
    assert dash.noise_marker.get_xdata()[0] == 1
    assert "B = 1 of N = 32" in dash.status.value
    dash.controls["batch_size"].value = 32
    np.testing.assert_allclose(dash.cloud_points.get_offsets(),
                               np.tile([np.linalg.norm(dash.full_gradient), 0.0], (30, 1)), atol=1e-12)
    assert len(dash.noise_marker.get_xdata()) == 0
    np.testing.assert_allclose(dash.step_line.get_ydata(), dash.full_line.get_ydata())
    # every mark is named in its panel's legend
    legends = [[t.get_text() for t in a.get_legend().get_texts()]
               for a in (dash.ax_loss, dash.ax_cloud, dash.ax_noise)]
    assert legends[0] == ["minibatch", "full batch"]
    assert legends[1] == ["left of this line: uphill for the full loss", "minibatch gradients",
                          "full gradient"]
    assert "current B" in legends[2] and len(legends[2]) == 3
    with pytest.raises(ValueError, match=r"batch_size must be one of \[1, 2, 4, 8, 16, 32\], got 5"):
        T.batch_size_explorer(n=32, batch_size=5)


def test_schedule_explorer_moves_its_artists(closing):
    dash = T.schedule_explorer(n=40, hidden=4, epochs=5, batch_size=10, lr0=1.0, final=0.1)
    closing(dash)
    steps = 5 * 4
    line = dash.lr_lines["cosine"]
    assert len(line.get_xdata()) == steps and line.get_ydata()[0] == pytest.approx(1.0)
    dash.controls["lr0"].value = 0.1
    assert line.get_ydata()[0] == pytest.approx(0.1)
    assert dash.lr_lines["exponential"].get_ydata()[-1] == pytest.approx(0.1 * 0.1 ** ((steps - 1) / steps))
    np.testing.assert_allclose(dash.loss_lines["constant"].get_ydata(),
                               dash.run.end_losses["constant"])
    dash.controls["show"].value = ["constant", "step"]
    assert dash.lr_lines["step"].get_visible() and not dash.lr_lines["cosine"].get_visible()
    assert set(dash.run.histories) == {"constant", "step"}
    dash.controls["epochs"].value = 10
    assert len(dash.loss_lines["constant"].get_xdata()) == 10
    assert "final training loss" in dash.status.value


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
