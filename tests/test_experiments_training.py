"""Tests for gradlib.experiments_training, the pure part of notebook 09's explorers: data sets,
boundaries, training runs, gradient noise and schedules against independent computations
(hand-written forward passes, finite differences, brute-force enumeration of minibatches,
closed-form schedules), and the explorers' frames (settings -> Frame) against the library
functions they draw, run again independently. No widget is imported."""
import io
import itertools
import math
from dataclasses import replace

import numpy as np
import pytest

from gradlib import experiments_training as E
from gradlib import numeric, optim
from gradlib.mlp import MLP


def softmax_forward(net, X):
    """An independent forward pass: relu hidden layers, softmax output, from weights/biases."""
    a = np.asarray(X, dtype=float)
    for i, (W, b) in enumerate(zip(net.weights, net.biases)):
        z = a @ W + b
        a = np.maximum(z, 0) if i < net.n_layers - 1 else z
    e = np.exp(a - a.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


# --- data --------------------------------------------------------------------------------------
def test_make_dataset_defaults_and_names():
    X, y = E.make_dataset("moons")
    assert X.shape == (200, 2) and set(np.unique(y)) == {0, 1}
    X, y = E.make_dataset("spirals", n=30, noise=0.0, seed=1)
    assert X.shape == (30, 2) and set(np.unique(y)) == {0, 1, 2}
    np.testing.assert_array_equal(E.make_dataset("blobs", seed=2)[0], E.make_dataset("blobs", seed=2)[0])
    with pytest.raises(ValueError, match=r"name must be one of 'moons', 'spirals', 'blobs', got 'circles'"):
        E.make_dataset("circles")


def test_data_window_pads_the_bounding_box():
    X = np.array([[0.0, -1.0], [2.0, 3.0], [1.0, 0.0]])
    (x0, x1), (y0, y1) = E.data_window(X, margin=0.25)
    assert (x0, x1) == pytest.approx((-0.5, 2.5))      # width 2, pad 0.5 each side
    assert (y0, y1) == pytest.approx((-2.0, 4.0))      # height 4, pad 1 each side
    with pytest.raises(ValueError, match=r"X must be a finite array of shape \(m, 2\), got shape \(3,\)"):
        E.data_window([1.0, 2.0, 3.0])
    with pytest.raises(ValueError, match="margin must be a number >= 0, got -1"):
        E.data_window(X, margin=-1)


# --- decision boundary -------------------------------------------------------------------------
def test_decision_boundary_grid_matches_an_independent_forward_pass(small):
    net, X, y = small
    grid = E.decision_boundary_grid(net, (-1.0, 2.0), (-0.5, 1.0), resolution=7)
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
    grid = E.decision_boundary_grid(net, (-1, 1), (-1, 1), resolution=5)
    assert grid.proba.shape == (5, 5, 2)
    point = np.array([[grid.xs[3], grid.ys[1]]])
    z = np.tanh(point @ net.weights[0] + net.biases[0]) @ net.weights[1] + net.biases[1]
    p = 1.0 / (1.0 + np.exp(-z[0, 0]))
    np.testing.assert_allclose(grid.proba[1, 3], [1 - p, p], rtol=1e-12)


def test_decision_boundary_grid_messages():
    with pytest.raises(ValueError, match="model must be a gradlib.mlp.MLP, got str"):
        E.decision_boundary_grid("net", (0, 1), (0, 1))
    with pytest.raises(ValueError, match=r"model must take 2 inputs \(sizes\[0\] == 2\)"):
        E.decision_boundary_grid(MLP([3, 2]), (0, 1), (0, 1))
    with pytest.raises(ValueError, match="model must be a classifier .* got output='identity'"):
        E.decision_boundary_grid(MLP([2, 1], output="identity"), (0, 1), (0, 1))
    with pytest.raises(ValueError, match=r"xlim must be finite with low < high, got \(1, 0\)"):
        E.decision_boundary_grid(MLP([2, 2]), (1, 0), (0, 1))
    with pytest.raises(ValueError, match=r"resolution must be an integer in \[2, 1000\], got 1"):
        E.decision_boundary_grid(MLP([2, 2]), (0, 1), (0, 1), resolution=1)


def test_class_colors_image_mixes_class_colors():
    red, blue = (1.0, 0.0, 0.0), (0.0, 0.0, 1.0)
    proba = np.array([[[1.0, 0.0], [0.5, 0.5], [0.0, 1.0]]])
    img = E.class_colors_image(proba, colors=[red, blue], strength=0.4)
    assert img.shape == (1, 3, 3)
    np.testing.assert_allclose(img[0, 0], [1.0, 0.6, 0.6])      # 0.6 white + 0.4 red
    np.testing.assert_allclose(img[0, 2], [0.6, 0.6, 1.0])
    np.testing.assert_allclose(img[0, 1], (img[0, 0] + img[0, 2]) / 2)
    with pytest.raises(ValueError, match=r"proba must be a finite array of shape \(ny, nx, classes\)"):
        E.class_colors_image(np.ones((2, 2)))
    with pytest.raises(ValueError, match=r"colors must name at least one color per class \(2\), got 1"):
        E.class_colors_image(proba, colors=["red"])
    with pytest.raises(ValueError, match=r"strength must be in \[0, 1\], got 2"):
        E.class_colors_image(proba, strength=2)


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
    assert _closest_pair(E.CLASS_COLORS, vision) > 15
    assert _closest_pair(E.SCHEDULE_COLORS, vision) > 15
    assert len(E.SCHEDULE_COLORS) == len(E.SCHEDULE_NAMES)
    assert not {"#2ca02c", "#d62728"} & {c.lower() for c in (*E.CLASS_COLORS, *E.SCHEDULE_COLORS)}


# --- training ----------------------------------------------------------------------------------
def test_train_settings_messages():
    with pytest.raises(ValueError, match="dataset must be one of 'moons', 'spirals', 'blobs', got 'iris'"):
        E.TrainSettings(dataset="iris")
    with pytest.raises(ValueError, match="optimizer must be one of .* got 'newton'"):
        E.TrainSettings(optimizer="newton")
    with pytest.raises(ValueError, match="activation must be one of .* got 'gelu'"):
        E.TrainSettings(activation="gelu")
    with pytest.raises(ValueError, match="lr must be a finite number > 0, got 0"):
        E.TrainSettings(lr=0)
    with pytest.raises(ValueError, match=r"hidden must be an integer in \[1, 1024\], got 0"):
        E.TrainSettings(hidden=0)
    with pytest.raises(ValueError, match="batch_size must be an integer >= 1, got 0"):
        E.TrainSettings(batch_size=0)
    with pytest.raises(ValueError, match="settings must be a TrainSettings, got dict"):
        E.train({})


def test_train_is_seeded_and_learns():
    s = E.TrainSettings(n=60, hidden=8, epochs=30, batch_size=16, lr=0.02)
    a, b = E.train(s), E.train(s)
    np.testing.assert_array_equal(a.model.params, b.model.params)
    assert a.history.loss[-1] < 0.5 * a.history.loss[0]
    assert a.history.steps == 30 * math.ceil(60 / 16)
    full = E.train(E.TrainSettings(n=60, hidden=8, epochs=5, batch_size=1000))   # > n: full batch
    assert full.history.steps == 5
    sched = E.train(s, lr=optim.step_decay(0.02, 0.5, 10))
    np.testing.assert_allclose(sched.history.lrs[:12], 0.02 * 0.5 ** (np.arange(12) // 10))


def test_training_snapshots_record_the_boundary(small):
    _, X, y = small
    net = MLP([2, 6, 2], seed=4)
    before = net.loss(X, y)
    snaps = E.training_snapshots(net, X, y, optim.adam(0.05), 30, frames=8, resolution=9,
                                 xlim=(-1.5, 2.5), ylim=(-1, 1.5))
    assert snaps.epochs[0] == 0 and snaps.epochs[-1] == 30
    assert len(snaps.epochs) <= 8 and np.all(np.diff(snaps.epochs) > 0)
    assert snaps.proba.shape == (len(snaps.epochs), 9, 9, 2)
    assert snaps.loss[0] == pytest.approx(before)
    assert snaps.loss[-1] == pytest.approx(net.loss(X, y))          # trained in place
    assert snaps.loss[-1] < snaps.loss[0]
    final = E.decision_boundary_grid(net, (-1.5, 2.5), (-1, 1.5), 9)
    np.testing.assert_allclose(snaps.proba[-1], final.proba)
    assert snaps.accuracy[-1] == pytest.approx(net.accuracy(X, y))
    with pytest.raises(ValueError, match=r"frames must be an integer in \[2, 200\], got 1"):
        E.training_snapshots(net, X, y, optim.adam(0.05), 3, frames=1)



# --- gradient noise ----------------------------------------------------------------------------
def test_per_example_gradients_average_to_the_full_gradient(small):
    net, X, y = small
    G = E.per_example_gradients(net, X, y)
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
    X, y = E.make_dataset("moons", n=7, seed=5)
    net = MLP([2, 3, 2], seed=0)
    g = net.gradient(X, y)
    sizes = list(range(1, 8))
    brute = []
    for b in sizes:
        devs = [net.gradient(X[list(rows)], y[list(rows)]) - g
                for rows in itertools.combinations(range(7), b)]
        brute.append(np.mean([d @ d for d in devs]))
    exact = E.gradient_noise_exact(net, X, y, sizes)
    np.testing.assert_allclose(exact[:-1], brute[:-1], rtol=1e-9)
    assert exact[-1] == 0.0 and brute[-1] < 1e-25


def test_measured_gradient_noise_falls_like_one_over_b():
    X, y = E.make_dataset("moons", n=64, seed=6)
    net = MLP([2, 8, 2], seed=2)
    sizes = [1, 2, 4, 8, 16, 32, 64]
    measured = E.gradient_noise(net, X, y, sizes, draws=300, seed=1)
    exact = E.gradient_noise_exact(net, X, y, sizes)
    assert np.all(np.diff(measured) < 0)                         # smaller batch, noisier
    np.testing.assert_allclose(measured[:-1], exact[:-1], rtol=0.25)
    assert measured[-1] < 1e-25                                  # the full batch is exact
    # (1 - B/N)/B scaling: measured * B / (1 - B/N) is the same S^2 for every B
    s2 = measured[:-1] * np.array(sizes[:-1]) / (1 - np.array(sizes[:-1]) / 64)
    assert s2.max() / s2.min() < 1.5
    assert E.gradient_noise(net, X, y, [4], draws=50, seed=3)[0] == \
        E.gradient_noise(net, X, y, [4], draws=50, seed=3)[0]


def test_gradient_noise_messages(small):
    net, X, y = small
    with pytest.raises(ValueError, match=r"batch_sizes must be an integer in \[1, 40\], got 41"):
        E.gradient_noise(net, X, y, [1, 41])
    with pytest.raises(ValueError, match="batch_sizes must not be empty"):
        E.gradient_noise_exact(net, X, y, [])
    with pytest.raises(ValueError, match=r"draws must be an integer in \[1, 100000\], got 0"):
        E.gradient_noise(net, X, y, [2], draws=0)
    with pytest.raises(ValueError, match=r"X must have shape \(m, 2\)"):
        E.gradient_noise(net, X[:, :1], y, [2])


def test_noise_basis_and_cloud(small):
    net, X, y = small
    basis = E.noise_basis(net, X, y)
    np.testing.assert_allclose(basis @ basis.T, np.eye(2), atol=1e-12)
    g = net.gradient(X, y)
    np.testing.assert_allclose(basis[0], g / np.linalg.norm(g))
    full = E.gradient_cloud(net, X, y, len(y), basis, draws=5)
    np.testing.assert_allclose(full, np.tile([np.linalg.norm(g), 0.0], (5, 1)), atol=1e-12)
    cloud = E.gradient_cloud(net, X, y, 4, basis, draws=400, seed=2)
    # minibatch gradients are unbiased: their mean is near the full gradient
    spread = cloud.std(axis=0) / math.sqrt(400)
    assert np.all(np.abs(cloud.mean(axis=0) - [np.linalg.norm(g), 0.0]) < 4 * spread + 1e-12)
    wider = E.gradient_cloud(net, X, y, 1, basis, draws=400, seed=2)
    assert wider.std(axis=0).sum() > cloud.std(axis=0).sum()
    with pytest.raises(ValueError, match=r"basis must be a finite array of shape \(2, "):
        E.gradient_cloud(net, X, y, 4, np.ones((3, 2)))


def test_batch_size_options():
    assert E.batch_size_options(200) == [1, 2, 4, 8, 16, 32, 64, 128, 200]
    assert E.batch_size_options(8) == [1, 2, 4, 8]
    assert E.batch_size_options(1) == [1]
    with pytest.raises(ValueError, match="n must be an integer >= 1, got 0"):
        E.batch_size_options(0)


# --- schedules ---------------------------------------------------------------------------------
def test_make_schedules_formulas_and_end_points():
    lr0, steps, final = 0.8, 100, 0.05
    s = E.make_schedules(lr0, steps, final, warmup_fraction=0.2)
    assert list(s) == list(E.SCHEDULE_NAMES)
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
        E.make_schedules(1.0, 10, final=0)
    with pytest.raises(ValueError, match=r"warmup_fraction must be in \[0, 1\), got 1"):
        E.make_schedules(1.0, 10, warmup_fraction=1)


def test_run_schedules_differ_only_in_the_learning_rate():
    s = E.TrainSettings(n=40, hidden=6, optimizer="gd", lr=0.5, epochs=6, batch_size=10)
    scheds = {"constant": optim.constant(0.5), "halving": optim.step_decay(0.5, 0.5, 8)}
    run = E.run_schedules(s, scheds)
    same = E.train(s)                                            # the constant run, via train()
    np.testing.assert_allclose(run.histories["constant"].loss, same.history.loss)
    assert run.end_losses["constant"][-1] == pytest.approx(same.model.loss(*s.data()))
    np.testing.assert_allclose(run.histories["halving"].lrs, scheds["halving"](np.arange(24)))
    # first 8 steps share the learning rate, so the first epoch (4 steps) is identical
    assert run.histories["halving"].loss[0] == run.histories["constant"].loss[0]
    assert run.end_losses["halving"].shape == (6,)
    with pytest.raises(ValueError, match="schedules must be a non-empty mapping"):
        E.run_schedules(s, {})


def test_training_snapshots_of_a_diverged_run_end_with_the_restored_network():
    """fit restores the last parameters with a finite loss; the last snapshot shows them."""
    X, y = E.make_dataset("moons")
    for batch in (None, 4):                 # diverges in epoch 9 (full batch) / in epoch 0
        net = MLP([2, 64, 64, 2], activation="leaky_relu", init="he", seed=0)
        snaps = E.training_snapshots(net, X, y, optim.gd(10.0), 60, frames=25, batch_size=batch,
                                     resolution=8, xlim=(-2, 3), ylim=(-1.5, 2))
        assert snaps.history.status == "diverged"
        assert snaps.epochs[0] == 0 and snaps.epochs[-1] == snaps.history.epochs
        assert snaps.loss[-1] == net.loss(X, y) and snaps.accuracy[-1] == net.accuracy(X, y)
        np.testing.assert_array_equal(snaps.proba[-1],
                                      E.decision_boundary_grid(net, (-2, 3), (-1.5, 2), 8).proba)
        fresh = MLP([2, 64, 64, 2], activation="leaky_relu", init="he", seed=0)
        assert snaps.loss[0] == fresh.loss(X, y)                 # epoch 0: the initial network


# --- the explorers' frames -----------------------------------------------------------------------
def _png_pixels(data):
    from PIL import Image
    return np.asarray(Image.open(io.BytesIO(data)).convert("RGB"))


def _labels(frame):
    return {(layer.panel, layer.style["label"]) for layer in frame.layers}


def _no_nan(text):
    assert text and "nan" not in text.lower().replace("nanoseconds", "").split() and "nan " not in text.lower()


def test_boundary_image_flips_rows_and_greys_out_non_finite_probabilities():
    proba = np.array([[[1.0, 0.0], [0.0, 1.0]], [[0.5, 0.5], [np.nan, 0.2]]])
    img = E.boundary_image(proba)
    np.testing.assert_array_equal(img[1], E.class_colors_image(proba[:1])[0])   # row 0 at the bottom
    np.testing.assert_array_equal(img[0, 0], E.class_colors_image(proba[1:, :1])[0, 0])
    np.testing.assert_array_equal(img[0, 1], [0.85, 0.85, 0.85])
    with pytest.raises(ValueError, match=r"proba must be an array of shape \(ny, nx, classes\)"):
        E.boundary_image(np.ones(3))


SPIRALS = E.TrainSettings(dataset="spirals", hidden=8, epochs=30, batch_size=32, lr=0.02)


def test_training_frame_draws_the_run_that_train_makes():
    run = E.training_run(SPIRALS)
    frame = E.training_frame(SPIRALS)
    again = E.train(SPIRALS)                       # the same network, trained independently
    np.testing.assert_array_equal(run.trained.model.params, again.model.params)
    np.testing.assert_array_equal(run.trained.history.loss, again.history.loss)
    X, y = again.X, again.y
    F = len(run.epochs)
    assert frame.n_steps == F - 1 >= 10 and run.epochs[0] == 0 and run.epochs[-1] == 30
    # decision regions: one picture per snapshot, the boundary of a network trained for that
    # many epochs (the first e epochs of a run are a run of e epochs: same seed, same batches)
    image = frame.layer("decision regions")
    assert image.kind == "image" and image.reveal == "at" and len(image.images) == F
    (x0, x1), (y0, y1) = E.data_window(X)
    np.testing.assert_allclose(image.xy, [[x0, y0], [x1, y1]])
    for i in (0, F // 2, F - 1):
        e = int(run.epochs[i])
        net = SPIRALS.network(3)
        if e:
            net = E.train(replace(SPIRALS, epochs=e)).model
        grid = E.decision_boundary_grid(net, (x0, x1), (y0, y1), E.RESOLUTION)
        want = np.round(255 * E.class_colors_image(grid.proba)[::-1]).astype(np.uint8)
        np.testing.assert_array_equal(_png_pixels(image.images[i]), want)
        assert run.loss[i] == pytest.approx(net.loss(X, y), rel=1e-12)
        assert run.accuracy[i] == net.accuracy(X, y)
        np.testing.assert_allclose(frame.layer("whole set, at the snapshots").xy[i],
                                   [e, net.loss(X, y)], rtol=1e-12)
    np.testing.assert_allclose(run.grid.proba, E.decision_boundary_grid(
        again.model, (x0, x1), (y0, y1), E.RESOLUTION).proba, rtol=1e-12)
    # the data, by class, in the class colours
    for k in range(3):
        layer = frame.layer(f"class {k}")
        np.testing.assert_array_equal(layer.xy, X[y == k])
        assert layer.style["fill"] == E.CLASS_COLORS[k] and layer.reveal == "all"
    # curves: History.loss per epoch; the whole-set loss and accuracy at the snapshots
    mean = frame.layer("mean over each epoch's minibatches")
    np.testing.assert_array_equal(mean.xy, np.column_stack([np.arange(1, 31), again.history.loss]))
    acc = [layer for layer in frame.layers if layer.panel == "accuracy"]
    assert [(a.kind, a.reveal) for a in acc] == [("line", "upto"), ("points", "at")]
    np.testing.assert_allclose(acc[0].xy, np.column_stack([run.epochs, 100 * run.accuracy]))
    cursor = [layer for layer in frame.layers if layer.panel == "loss" and layer.reveal == "at"]
    assert len(cursor) == 1 and cursor[0].style["label"] == "snapshot shown"
    texts = frame.layer("snapshot shown").texts
    assert len(texts) == F
    assert texts[-1] == (f"epoch 30: loss {run.loss[-1]:.3g}, accuracy "
                         f"{100 * again.model.accuracy(X, y):.0f} %")
    assert _labels(frame) == {("boundary", "decision regions"), ("boundary", "class 0"),
                              ("boundary", "class 1"), ("boundary", "class 2"),
                              ("boundary", "snapshot shown"),
                              ("loss", "mean over each epoch's minibatches"),
                              ("loss", "whole set, at the snapshots"), ("loss", "snapshot shown"),
                              ("accuracy", "whole set, at the snapshots"),
                              ("accuracy", "snapshot shown")}
    assert frame.charts["loss"]["ylog"] and frame.charts["loss"]["xlim"] == [0.0, 30.0]
    assert frame.charts["accuracy"]["ylim"] == [0.0, 100.0]
    assert "adam, lr 0.02, batch 32, 300 steps" in frame.charts["loss"]["title"]
    assert frame.kind == "info" and frame.status == (
        f"finished 30 epochs (300 steps): final training loss {again.history.loss[-1]:.4f}, "
        f"accuracy {100 * again.model.accuracy(X, y):.1f} % (spirals, 2 → 8 → 3 relu, adam lr "
        f"0.02, batch 32)")
    assert frame.step_ms == pytest.approx(3000 / frame.n_steps)    # Play: about 3 s in all
    assert frame.nbytes < 80_000                     # ~25 pictures of 60 x 60 and the curves
    assert E.training_run(SPIRALS) is run            # cached by the settings


def test_training_frame_of_a_diverged_run():
    s = E.TrainSettings(dataset="moons", hidden=64, layers=2, activation="leaky_relu",
                        optimizer="gd", lr=10.0, epochs=60, batch_size=None)
    frame = E.training_frame(s)
    run = E.training_run(s)
    assert run.trained.history.status == "diverged"
    assert frame.kind == "diverged" and frame.status.startswith("diverged: the training loss "
                                                                "became non-finite at step 9")
    assert "lower the learning rate" in frame.status and "2 → 64 → 64 → 2 leaky_relu" in frame.status
    _no_nan(frame.status)
    for text in frame.layer("snapshot shown").texts:
        _no_nan(text)
    assert frame.n_steps >= 1
    # losses of 1e300 before the blow-up are drawn at the top of the axis, 1e10; the text says
    # what they were; every number sent is finite
    assert run.loss.max() > 1e300 and frame.charts["loss"]["ylim"][1] == 1e10
    curve = frame.layer("whole set, at the snapshots").xy[:, 1]
    np.testing.assert_array_equal(curve, np.clip(run.loss, 1e-12, 1e10))
    assert f"loss {run.loss[-1]:.3g}" in frame.layer("snapshot shown").texts[-1]
    for layer in frame.layers:
        assert np.isfinite(layer.xy).all(), layer.style["label"]
    from gradlib.scene import snapshot_png                  # matplotlib draws it too
    assert snapshot_png(E.training_scene(s), frame).startswith(b"\x89PNG")


def test_training_scene_and_settings_messages():
    scene = E.training_scene(SPIRALS)
    assert [(p.name, p.kind) for p in scene.panels] == [("boundary", "image"), ("loss", "chart"),
                                                        ("accuracy", "chart")]
    box = scene.panels[0]
    (x0, x1), (y0, y1) = E.data_window(SPIRALS.data()[0])
    assert box.xlim == pytest.approx((x0, x1)) and box.ylim == pytest.approx((y0, y1))
    assert E.training_scene(replace(SPIRALS, lr=0.5, hidden=64)) is scene    # one per data set
    assert scene.nbytes < 60_000 and "spirals" in scene.alt
    with pytest.raises(ValueError, match="settings must be a TrainSettings, got dict"):
        E.training_frame({})
    with pytest.raises(ValueError, match=r"frames must be an integer in \[2, 200\], got 1"):
        E.training_run(SPIRALS, frames=1)


BATCH = E.BatchSettings(n=32, hidden=4, epochs=3, batch_size=8, warm_epochs=5, draws=30)


def test_batch_frame_against_its_oracles():
    frame = E.batch_frame(BATCH)
    X, y = E.make_dataset("moons", n=32)
    probe = MLP([2, 4, 2], activation="relu", output="softmax", init="he", seed=0)
    probe.fit(X, y, optim.adam(0.01), 5)
    sizes = [1, 2, 4, 8, 16, 32]
    assert E.batch_probe(BATCH).sizes == sizes
    np.testing.assert_array_equal(E.batch_probe(BATCH).model.params, probe.params)
    # loss: every minibatch step against the epoch, and full-batch descent
    net = MLP([2, 4, 2], init="he", seed=0)
    h = net.fit(X, y, optim.gd(0.1), 3, 8, seed=0, record_steps=True)
    step = frame.layer("minibatch").xy
    np.testing.assert_allclose(step, np.column_stack([np.arange(1, 13) / 4, h.step_losses]))
    net = MLP([2, 4, 2], init="he", seed=0)
    full = net.fit(X, y, optim.gd(0.1), 3, None, record_steps=True)
    np.testing.assert_allclose(frame.layer("full batch").xy,
                               np.column_stack([[1, 2, 3], full.step_losses]))
    # the cloud: the draws, their running mean, the full gradient, the uphill line
    basis = E.noise_basis(probe, X, y)
    cloud = E.gradient_cloud(probe, X, y, 8, basis, draws=30, seed=0)
    np.testing.assert_allclose(frame.layer("minibatch gradients").xy, cloud, rtol=1e-12, atol=1e-15)
    assert frame.layer("minibatch gradients").reveal == "upto"
    np.testing.assert_allclose(frame.layer("draw shown").xy, cloud, rtol=1e-12, atol=1e-15)
    running = np.array([cloud[:k + 1].mean(axis=0) for k in range(30)])
    np.testing.assert_allclose(frame.layer("mean of the draws so far").xy, running, rtol=1e-12,
                               atol=1e-15)
    g = probe.gradient(X, y)
    np.testing.assert_allclose(frame.layer("full gradient").xy, [[np.linalg.norm(g), 0.0]])
    assert np.all(frame.layer("left of this line: uphill for the full loss").xy[:, 0] == 0)
    # the noise against B: exact, measured, the current B
    exact = E.gradient_noise_exact(probe, X, y, sizes)
    measured = E.gradient_noise(probe, X, y, sizes, draws=30, seed=0)
    np.testing.assert_allclose(frame.layer("exact (1−B/N)·S²/B").xy,
                               np.column_stack([sizes[:-1], exact[:-1]]), rtol=1e-12)
    np.testing.assert_allclose(frame.layer("measured (30 draws)").xy,
                               np.column_stack([sizes[:-1], measured[:-1]]), rtol=1e-12)
    np.testing.assert_allclose(frame.layer("current B").xy, [[8, exact[3]]], rtol=1e-12)
    assert frame.n_steps == 29 and frame.step_ms == pytest.approx(3000 / 29)
    counter = frame.layer("draw counter")
    assert (counter.kind, counter.reveal) == ("text", "at")
    assert counter.texts[0] == "draw 1 of 30" and counter.texts[-1] == "draw 30 of 30"
    assert frame.kind == "info" and frame.status == (
        f"B = 8 of N = 32: measured E‖g_B − g‖² = {measured[3]:.3g} (exact {exact[3]:.3g}); "
        f"{100 * np.mean(cloud[:, 0] < 0):.0f}% of these minibatch gradients point uphill for "
        f"the full loss.")
    assert frame.charts["loss"]["ylog"] and frame.charts["loss"]["title"] == \
        "batch loss: B = 8, 4 steps/epoch, lr 0.1"
    assert frame.nbytes < 20_000


def test_batch_frame_at_the_full_batch_and_at_sgd():
    full = E.batch_frame(replace(BATCH, batch_size=32))
    g = np.linalg.norm(E.batch_probe(BATCH).full_gradient)
    np.testing.assert_allclose(full.layer("minibatch gradients").xy, np.tile([g, 0.0], (30, 1)),
                               atol=1e-12)
    assert len(full.layer("current B").xy) == 0                  # noise 0: off the log axis
    np.testing.assert_allclose(full.layer("minibatch").xy[:, 1], full.layer("full batch").xy[:, 1])
    sgd = E.batch_frame(replace(BATCH, batch_size=1))
    assert len(sgd.layer("minibatch").xy) == 3 * 32 and sgd.layer("minibatch").xy[-1, 0] == 3.0
    spread = lambda f: f.layer("minibatch gradients").xy.std(axis=0).sum()  # noqa: E731
    assert spread(sgd) > spread(E.batch_frame(BATCH)) > spread(full)
    assert sgd.layer("current B").xy[0, 0] == 1
    with pytest.raises(ValueError, match=r"batch_size must be one of \[1, 2, 4, 8, 16, 32\], got 5"):
        E.batch_frame(replace(BATCH, batch_size=5))


def test_batch_frame_says_diverged(monkeypatch):
    X, y = E.make_dataset("moons")
    blown = MLP([2, 64, 64, 2], activation="leaky_relu", init="he", seed=0).fit(
        X, y, optim.gd(10.0), 20, None, record_steps=True)
    assert blown.status == "diverged"
    monkeypatch.setattr(E, "minibatch_run", lambda settings: blown)
    frame = E.batch_frame(BATCH)
    assert frame.kind == "diverged" and frame.status.endswith(
        "A run diverged: lower the learning rate.")
    _no_nan(frame.status)


def test_batch_scene_and_settings():
    scene = E.batch_scene(BATCH)
    panels = {p.name: p for p in scene.panels}
    assert {k: p.kind for k, p in panels.items()} == {"cloud": "image", "noise": "image",
                                                       "loss": "chart"}
    assert panels["noise"].xlog and panels["noise"].ylog
    probe = E.batch_probe(BATCH)
    g, half = np.linalg.norm(probe.full_gradient), 2.5 * math.sqrt(probe.noise_exact[0])
    assert panels["cloud"].xlim == pytest.approx((g - half, g + half))   # the noisiest case, B = 1
    assert E.batch_scene(replace(BATCH, lr=0.5, batch_size=2, optimizer="adam")) is scene
    with pytest.raises(ValueError, match=r"draws must be an integer in \[10, 2000\], got 5"):
        E.BatchSettings(draws=5)
    with pytest.raises(ValueError, match="optimizer must be one of"):
        E.BatchSettings(optimizer="newton")


SCHED = E.ScheduleSettings(n=40, hidden=4, epochs=5, batch_size=10, lr0=1.0, final=0.1)


def test_schedule_frame_against_its_oracles():
    frame = E.schedule_frame(SCHED)
    assert SCHED.steps_per_epoch == 4 and SCHED.steps == 20 and frame.n_steps == 5
    assert frame.step_ms == 600.0                                 # 5 epochs played in 3 s
    t = np.arange(20)
    lrs = {layer.style["label"]: layer.xy for layer in frame.layers
           if layer.panel == "lr" and layer.kind == "line"}
    assert list(lrs) == list(E.SCHEDULE_NAMES)
    np.testing.assert_allclose(lrs["exponential"], np.column_stack([t, 0.1 ** (t / 20)]))
    np.testing.assert_allclose(lrs["cosine"][:, 1], 0.1 + 0.9 * (1 + np.cos(np.pi * t / 20)) / 2)
    np.testing.assert_allclose(lrs["constant"][:, 1], 1.0)
    runs = E.run_schedules(SCHED.train_settings(), E.make_schedules(1.0, 20, 0.1, 0.1))
    X, y = SCHED.train_settings().data()
    start = MLP([2, 4, 2], init="he", seed=0).loss(X, y)
    for name, color in zip(E.SCHEDULE_NAMES, E.SCHEDULE_COLORS):
        line, marker = [layer for layer in frame.layers if layer.panel == "loss"
                        and layer.style["label"] == name]
        want = np.column_stack([np.arange(6), np.r_[start, runs.end_losses[name]]])
        np.testing.assert_allclose(line.xy, want, rtol=1e-12)
        assert (line.reveal, marker.reveal) == ("upto", "at") and line.style["color"] == color
        at = [layer for layer in frame.layers if layer.panel == "lr" and layer.kind == "points"
              and layer.style["label"] == name][0]
        te = np.minimum(np.arange(6) * 4, 19)
        np.testing.assert_allclose(at.xy, lrs[name][te])              # on the curve, each epoch
    cursor = frame.layer("shown epoch")
    assert cursor.kind == "segments-per-step" and cursor.n_chunks == 6
    assert cursor.chunk(2)[:, 0].tolist() == [8.0, 8.0]
    final = {k: runs.end_losses[k][-1] for k in E.SCHEDULE_NAMES}
    best_first = sorted(final, key=final.get)
    assert frame.status == "final training loss, best first — " + " · ".join(
        f"{k}: {final[k]:.4f}" for k in best_first)
    assert frame.kind == "info" and frame.charts["lr"]["ylim"][1] > 1.0
    assert frame.nbytes < 30_000


def test_schedule_frame_shows_a_subset_and_refuses_none():
    two = E.schedule_frame(replace(SCHED, show=("step", "constant")))
    assert replace(SCHED, show=("step", "constant")).show == ("constant", "step")
    assert {layer.style["label"] for layer in two.layers} == {"constant", "step", "shown epoch"}
    assert two.status.count(":") == 2 and "cosine" not in two.status
    with pytest.raises(ValueError, match="show must name at least one schedule"):
        E.schedule_frame(replace(SCHED, show=()))
    with pytest.raises(ValueError, match="show must be one of .* got 'linear'"):
        replace(SCHED, show=("linear",))
    with pytest.raises(ValueError, match=r"final must be in \(0, 1\], got 2"):
        replace(SCHED, final=2.0)


def test_schedule_frame_says_diverged(monkeypatch):
    X, y = E.make_dataset("moons")
    blown = MLP([2, 64, 64, 2], activation="leaky_relu", init="he", seed=0).fit(
        X, y, optim.gd(10.0), 20, None)
    assert blown.status == "diverged"
    real = E.schedule_run
    monkeypatch.setattr(E, "schedule_run", lambda s, name: (blown, np.array([0.7, 3.0]))
                        if name == "constant" else real(s, name))
    frame = E.schedule_frame(replace(SCHED, show=("constant", "cosine")))
    assert frame.kind == "diverged"
    assert frame.status.endswith("constant: 3.0000 (diverged)")        # ranked last
    x = frame.layer("diverged: training stopped")
    assert x.xy.tolist() == [[2.0, 3.0]] and x.style["marker"] == "X"
    _no_nan(frame.status)


def test_schedule_scene():
    scene = E.schedule_scene()
    assert [(p.name, p.kind) for p in scene.panels] == [("lr", "chart"), ("loss", "chart")]
    assert E.schedule_scene() is scene and scene.nbytes < 30_000


def test_the_snapshot_draws_the_noise_panel_on_log_axes():
    from gradlib.scene import snapshot
    fig = snapshot(E.batch_scene(BATCH), E.batch_frame(BATCH))
    noise = fig.axes[[p.name for p in E.batch_scene(BATCH).panels].index("noise")]
    assert noise.get_xscale() == "log" and noise.get_yscale() == "log"
