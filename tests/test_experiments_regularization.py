"""Tests for gradlib.experiments_regularization without any widget: FGSM, saliency and the
L2/AdamW helpers against independent computations (finite differences, hand-written update rules
from the torch docs, NumPy histograms), regularized runs and their snapshots, and the two
explorers' frames (numbers against the library functions and matplotlib's colormaps, labels,
reveal rules, sizes, bad input)."""
import io
import math
from dataclasses import replace

import matplotlib
import numpy as np
import pytest
from matplotlib.colors import Normalize
from PIL import Image

from gradlib import experiments_regularization as R
from gradlib import numeric, optim
from gradlib.experiments_training import class_colors_image, decision_boundary_grid
from gradlib.mlp import MLP
from gradlib.scene import KINDS, REVEALS


@pytest.fixture(scope="module")
def digits_model():
    """The network of notebook 14, built by the same call the notebook makes."""
    return R.digits_classifier()


@pytest.fixture(scope="module")
def tiny():
    """A tiny softmax net and inputs strictly inside (0, 1), away from the clip range."""
    rng = np.random.default_rng(4)
    net = MLP([5, 6, 3], seed=2)
    X = rng.uniform(0.2, 0.8, size=(4, 5))
    y = np.array([0, 2, 1, 2])
    return net, X, y


def fd_input_gradient(net, X, y):
    """dL/dX by central differences of the mean loss over the flattened inputs."""
    return numeric.gradient(lambda v: net.loss(v.reshape(X.shape), y), X.ravel()).reshape(X.shape)


# --- FGSM --------------------------------------------------------------------------------------
def test_fgsm_is_the_sign_of_a_finite_difference_gradient(tiny):
    net, X, y = tiny
    g = fd_input_gradient(net, X, y)
    assert np.all(np.abs(g) > 1e-8)                   # every sign is well defined
    before = X.copy()
    adv = R.fgsm(net, X, y, 0.05)
    np.testing.assert_allclose(adv, X + 0.05 * np.sign(g), rtol=0, atol=1e-15)
    np.testing.assert_array_equal(X, before)          # the caller's array is untouched
    assert net.loss(adv, y) > net.loss(X, y)          # the step goes up the loss


def test_fgsm_clips_to_the_valid_range_and_eps_zero_is_a_copy(tiny):
    net, X, y = tiny
    g = fd_input_gradient(net, X, y)
    adv = R.fgsm(net, X, y, 0.5)
    np.testing.assert_allclose(adv, np.clip(X + 0.5 * np.sign(g), 0, 1), atol=1e-15)
    assert adv.min() >= 0 and adv.max() <= 1
    assert np.any(adv == 0.0) and np.any(adv == 1.0)  # the clip really bit
    unclipped = R.fgsm(net, X, y, 0.5, clip=None)
    np.testing.assert_allclose(unclipped, X + 0.5 * np.sign(g), atol=1e-15)
    same = R.fgsm(net, X, y, 0.0)
    np.testing.assert_array_equal(same, X)
    assert same is not X


def test_fgsm_rejects_bad_input(tiny):
    net, X, y = tiny
    with pytest.raises(ValueError, match=r"eps must be a finite number >= 0, got -0.1"):
        R.fgsm(net, X, y, -0.1)
    outside = X.copy()
    outside[1, 2] = -0.5
    with pytest.raises(ValueError, match=r"X must lie inside clip=\(0, 1\) .* got values from -0.5 to"):
        R.fgsm(net, outside, y, 0.1)
    with pytest.raises(ValueError, match=r"clip must be finite with low < high, got \(1, 0\)"):
        R.fgsm(net, X, y, 0.1, clip=(1, 0))
    with pytest.raises(ValueError, match=r"X must have shape \(m, 5\)"):
        R.fgsm(net, X[:, :3], y, 0.1)
    with pytest.raises(ValueError, match=r"y must have shape \(4,\)"):
        R.fgsm(net, X, y[:2], 0.1)
    with pytest.raises(ValueError, match="model must be a gradlib.mlp.MLP, got str"):
        R.fgsm("net", X, y, 0.1)


def test_accuracy_vs_eps_matches_an_independent_count(tiny):
    net, X, y = tiny
    eps = [0.0, 0.05, 0.3]
    g = fd_input_gradient(net, X, y)
    expected = []
    for e in eps:
        Xa = np.clip(X + e * np.sign(g), 0, 1)
        # an independent forward pass: relu hidden layer, argmax of the scores
        z = np.maximum(Xa @ net.weights[0] + net.biases[0], 0) @ net.weights[1] + net.biases[1]
        expected.append(np.mean(z.argmax(axis=1) == y))
    np.testing.assert_allclose(R.accuracy_vs_eps(net, X, y, eps), expected)
    with pytest.raises(ValueError, match="eps_values must be a 1-D array of finite numbers >= 0"):
        R.accuracy_vs_eps(net, X, y, [0.1, -0.1])
    reg = MLP([5, 3, 1], output="identity")
    with pytest.raises(ValueError, match="model must be a classifier"):
        R.accuracy_vs_eps(reg, X, np.zeros(4), [0.1])


def test_accuracy_vs_eps_is_monotone_on_the_test_set_of_notebook_12(digits_model):
    model, d = digits_model.model, digits_model.data
    eps = np.linspace(0.0, 0.3, 31)                     # the notebook's grid
    acc = R.accuracy_vs_eps(model, d.X_test, d.y_test, eps)
    assert acc[0] == pytest.approx(model.accuracy(d.X_test, d.y_test))
    assert acc[0] > 0.9                                 # a good classifier on clean images ...
    assert np.all(np.diff(acc) <= 0)                    # ... that only gets worse as eps grows
    assert acc[-1] < 0.05                               # and is fooled almost always at eps 0.3


# --- saliency ----------------------------------------------------------------------------------
def test_saliency_is_the_absolute_class_score_gradient(tiny):
    net, X, _ = tiny
    x = X[1]
    for k in range(3):
        fd = numeric.gradient(lambda v: net.scores(v[None, :])[0, k], x)
        np.testing.assert_allclose(R.saliency(net, x, k), np.abs(fd), rtol=1e-6, atol=1e-9)
    k_pred = int(np.argmax(net.scores(x[None, :])))
    np.testing.assert_array_equal(R.saliency(net, x), R.saliency(net, x, k_pred))
    with pytest.raises(ValueError, match=r"x must be one input of shape \(5,\), got shape \(2, 5\)"):
        R.saliency(net, X[:2])
    with pytest.raises(ValueError, match=r"k must be an output index in \[0, 3\), got 3"):
        R.saliency(net, x, 3)


# --- L2 as weight decay ------------------------------------------------------------------------
def test_l2_step_is_a_multiplicative_shrink_and_matches_fit():
    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(12, 3)), rng.integers(0, 2, size=12)
    net = MLP([3, 4, 2], seed=3)
    lr, lam = 0.1, 0.3
    W0 = [w.copy() for w in net.weights]
    b0 = [b.copy() for b in net.biases]
    data_grad = net.gradient(X, y)                      # backprop, no penalty
    gW = [data_grad[:12].reshape(3, 4), data_grad[16:24].reshape(4, 2)]
    gb = [data_grad[12:16], data_grad[24:26]]
    # independent: GD on the penalized loss, its gradient by finite differences
    fd = numeric.gradient(lambda p: _loss_at(net, p, X, y, lam), net.params.copy())
    gd_step = net.params - lr * fd
    net.fit(X, y, optim.gd(lr), epochs=1, l2=lam)       # full batch: exactly one step
    np.testing.assert_allclose(net.params, gd_step, rtol=1e-7, atol=1e-9)
    for i in range(2):
        shrink = R.l2_step(W0[i], gW[i], lr, lam)
        np.testing.assert_allclose(shrink, (1 - lr * lam) * W0[i] - lr * gW[i], rtol=1e-15)
        np.testing.assert_allclose(net.weights[i], shrink, rtol=1e-12, atol=1e-15)
        np.testing.assert_allclose(net.biases[i], b0[i] - lr * gb[i], rtol=1e-12, atol=1e-15)
    with pytest.raises(ValueError, match=r"grad must have the shape of w \(3,\), got shape \(2,\)"):
        R.l2_step(np.ones(3), np.ones(2), 0.1, 0.1)
    with pytest.raises(ValueError, match="l2 must be a finite number >= 0, got -1"):
        R.l2_step(np.ones(3), np.ones(3), 0.1, -1)


def _loss_at(net, p, X, y, lam):
    other = net.copy()
    other.params = p
    return other.loss(X, y, l2=lam)


def _adam_by_hand(grad, x, lr, wd, steps, decoupled, b1=0.9, b2=0.999, eps=1e-8):
    """torch.optim.Adam(weight_decay=wd) and torch.optim.AdamW(weight_decay=wd), as documented."""
    m, v, xs = np.zeros_like(x), np.zeros_like(x), [x.copy()]
    for t in range(1, steps + 1):
        g = grad(x)
        if decoupled:
            x = x * (1 - lr * wd)                  # AdamW: theta <- theta - gamma lambda theta
        else:
            g = g + wd * x                         # Adam: g <- g + lambda theta
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g * g
        x = x - lr * (m / (1 - b1 ** t)) / (np.sqrt(v / (1 - b2 ** t)) + eps)
        xs.append(x.copy())
    return np.array(xs)


def test_weight_decay_paths_follow_the_documented_updates_and_differ():
    A = np.diag([50.0, 0.5])                            # one steep and one flat direction
    grad = lambda x: A @ (x - np.array([1.0, 1.0]))
    x0 = np.array([3.0, -2.0])
    lr, wd, steps = 0.05, 0.1, 60
    paths = R.weight_decay_paths(grad, x0, lr, wd, steps)
    np.testing.assert_allclose(paths.adam_l2, _adam_by_hand(grad, x0, lr, wd, steps, False),
                               rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(paths.adamw, _adam_by_hand(grad, x0, lr, wd, steps, True),
                               rtol=1e-12, atol=1e-14)
    assert np.max(np.abs(paths.adam_l2 - paths.adamw)) > 1e-2        # not the same method
    same = R.weight_decay_paths(grad, x0, lr, 0.0, steps)
    np.testing.assert_array_equal(same.adam_l2, same.adamw)          # equal without decay


def test_adam_rescales_the_l2_term_adamw_does_not():
    # first step from a fresh state: Adam's m_hat / sqrt(v_hat) = g / |g| (up to eps)
    w = np.array([2.0, -1.0, 0.5])
    g = np.array([3.0, 0.2, -4.0])                      # |g| >> wd |w| on every coordinate
    lr, wd = 0.01, 0.05
    paths = R.weight_decay_paths(lambda x: g, w, lr, wd, 1)
    plain = R.weight_decay_paths(lambda x: g, w, lr, 0.0, 1).adam_l2
    # Adam + L2: the decay term is divided by |g + wd w| and changes nothing here
    np.testing.assert_allclose(paths.adam_l2[1], plain[1], rtol=1e-8)
    np.testing.assert_allclose(paths.adam_l2[1], w - lr * np.sign(g), rtol=1e-8)
    # AdamW: exactly lr * wd * w more shrink than plain Adam
    np.testing.assert_allclose(paths.adamw[1] - plain[1], -lr * wd * w, rtol=1e-9, atol=1e-15)


def test_weight_decay_paths_rejects_bad_input():
    with pytest.raises(ValueError, match="weight_decay must be a finite number >= 0, got -0.1"):
        R.weight_decay_paths(lambda x: x, [1.0], 0.1, -0.1, 3)
    with pytest.raises(ValueError, match=r"x0 must be a finite 1-D array, got shape \(2, 1\)"):
        R.weight_decay_paths(lambda x: x, [[1.0], [2.0]], 0.1, 0.1, 3)
    with pytest.raises(ValueError, match=r"grad must return an array of the shape of x0 \(2,\)"):
        R.weight_decay_paths(lambda x: x[:1], [1.0, 2.0], 0.1, 0.1, 3)


# --- weights -----------------------------------------------------------------------------------
def test_weight_histogram_and_near_zero_fraction_against_numpy():
    net = MLP([3, 5, 2], seed=1)
    net.params = np.linspace(-1.5, 1.5, net.n_params)
    w = np.concatenate([net.weights[0].ravel(), net.weights[1].ravel()])
    np.testing.assert_array_equal(R.weight_vector(net), w)
    edges = np.array([-1.0, -0.5, 0.0, 0.5, 1.0])
    counts = R.weight_histogram(net, edges)
    manual = [np.sum(w < -0.5), np.sum((w >= -0.5) & (w < 0)), np.sum((w >= 0) & (w < 0.5)),
              np.sum(w >= 0.5)]                          # outside [-1, 1] lands in the end bins
    np.testing.assert_array_equal(counts, manual)
    assert counts.sum() == w.size
    assert R.near_zero_fraction(net, 0.2) == pytest.approx(np.mean(np.abs(w) < 0.2))
    with pytest.raises(ValueError, match="edges must be a finite, strictly increasing"):
        R.weight_histogram(net, [0.0, 0.0, 1.0])
    with pytest.raises(ValueError, match="tol must be a finite number > 0, got 0"):
        R.near_zero_fraction(net, 0)


# --- regularized training ----------------------------------------------------------------------
def test_regularization_data_is_nested_and_shares_the_validation_set():
    small, big = R.regularization_data(15), R.regularization_data(60)
    np.testing.assert_array_equal(big.X_train[:15], small.X_train)
    np.testing.assert_array_equal(big.X_val, small.X_val)
    assert small.X_val.shape == (300, 2)
    with pytest.raises(ValueError, match=r"n_train must be an integer in \[2, 240\], got 1000"):
        R.regularization_data(1000)


def test_the_test_set_is_an_independent_draw_that_no_setting_of_the_training_changes():
    from gradlib import data as gdata
    small, big = R.regularization_data(15), R.regularization_data(240, n_test=50)
    np.testing.assert_array_equal(big.X_test, gdata.moons(50, 0.3, R.TEST_SEED_OFFSET + 1)[0])
    np.testing.assert_array_equal(small.X_test, gdata.moons(300, 0.3, R.TEST_SEED_OFFSET + 1)[0])
    assert small.y_test.shape == (300,) and set(np.unique(small.y_test)) == {0, 1}
    # no test point is a training or validation point
    seen = {tuple(p) for p in np.concatenate([big.X_train, big.X_val])}
    assert not any(tuple(p) in seen for p in small.X_test)
    run = R.train_regularized(R.RegSettings(n_train=15, epochs=5))
    np.testing.assert_array_equal(run.data.X_test, small.X_test)
    with pytest.raises(ValueError, match=r"n_test must be an integer in \[2, 100000\], got 1"):
        R.regularization_data(15, n_test=1)


def test_penalties_shrink_weights_and_l1_makes_them_sparse():
    runs = {key: R.train_regularized(R.RegSettings(epochs=150, **kw)) for key, kw in
            {"none": {}, "l2": {"l2": 1e-2}, "l1": {"l1": 3e-3}}.items()}
    norm = {k: np.linalg.norm(R.weight_vector(r.model)) for k, r in runs.items()}
    assert norm["l2"] < 0.8 * norm["none"] and norm["l1"] < 0.8 * norm["none"]
    sparse = {k: R.near_zero_fraction(r.model) for k, r in runs.items()}
    assert sparse["l1"] > 0.3 > 0.05 > sparse["none"]
    assert sparse["l1"] > 3 * sparse["l2"]             # L1 zeroes weights; L2 only shrinks them
    # the same settings give the same numbers
    again = R.train_regularized(R.RegSettings(epochs=150, l1=3e-3))
    np.testing.assert_array_equal(again.model.params, runs["l1"].model.params)


def test_reg_settings_reject_bad_values():
    with pytest.raises(ValueError, match=r"dropout must be a probability in \[0, 1\), got 1.0"):
        R.RegSettings(dropout=1.0)
    with pytest.raises(ValueError, match="l2 must be a finite number >= 0, got -0.01"):
        R.RegSettings(l2=-0.01)
    with pytest.raises(ValueError, match="settings must be a RegSettings, got dict"):
        R.train_regularized({})


# --- pictures ----------------------------------------------------------------------------------
def decode(png: bytes) -> np.ndarray:
    """RGB uint8 array of a PNG (an independent decoder: PIL)."""
    return np.asarray(Image.open(io.BytesIO(png)).convert("RGB"))


def test_indexed_png_is_the_palette_at_every_pixel():
    rng = np.random.default_rng(0)
    palette = rng.integers(0, 256, size=(10, 3)).astype(np.uint8)
    index = rng.integers(0, 10, size=(5, 7))
    index[index == 3] = 4                                 # an unused entry
    np.testing.assert_array_equal(decode(R.indexed_png(index, palette)), palette[index])
    big = decode(R.indexed_png(index, palette, scale=3))
    assert big.shape == (15, 21, 3)
    np.testing.assert_array_equal(big, np.repeat(np.repeat(palette[index], 3, 0), 3, 1))
    with pytest.raises(ValueError, match=r"index must lie in \[0, 10\), got values from 10 to 10"):
        R.indexed_png(np.full((2, 2), 10), palette)
    with pytest.raises(ValueError, match="palette must be a"):
        R.indexed_png(index, palette.astype(float))
    with pytest.raises(ValueError, match="index must be a 2-D array of whole numbers"):
        R.indexed_png(index.astype(float), palette)


@pytest.mark.parametrize("cmap, lo, hi", [("gray_r", 0.0, 1.0), ("RdBu_r", -0.3, 0.3)])
def test_digit_png_colours_pixels_as_imshow_does(cmap, lo, hi):
    rng = np.random.default_rng(1)
    v = rng.uniform(lo - 0.1, hi + 0.1, size=64)          # some values beyond the range, too
    v[:4] = [lo, hi, 0.5 * (lo + hi), lo + (hi - lo) / 256]
    want = matplotlib.colormaps[cmap](Normalize(lo, hi)(v.reshape(8, 8)), bytes=True)[..., :3]
    got = decode(R.digit_png(v, (8, 8), lo, hi, cmap))
    assert got.shape == (128, 128, 3)                      # 16 x 16 screen pixels per pixel
    np.testing.assert_array_equal(got[8::16, 8::16], want)


def outline_height(xy: np.ndarray, x: np.ndarray) -> np.ndarray:
    """The height of a bar-chart outline (a polyline of horizontal and vertical pieces) at x."""
    out = np.full(x.shape, np.nan)
    for (x0, y0), (x1, y1) in zip(xy[:-1], xy[1:]):
        if y0 == y1 and x1 > x0:                            # a top
            inside = (x > x0) & (x < x1)
            out[inside] = y0
    return out


def test_stairs_is_the_outline_of_the_bars():
    counts = np.array([0, 0, 3, 5, 5, 5, 1, 0, 0, 2])
    edges = np.linspace(-1.0, 1.0, 11)
    xy = R.stairs(counts, edges)
    centres = 0.5 * (edges[1:] + edges[:-1])
    np.testing.assert_array_equal(outline_height(xy, centres), counts)
    assert tuple(xy[0]) == (-1.0, 0.0) and tuple(xy[-1]) == (1.0, 0.0)     # closed at 0
    assert np.all((np.diff(xy[:, 0]) == 0) | (np.diff(xy[:, 1]) == 0))    # bars: no slants
    assert len(xy) == 2 + 2 * 6                            # six runs of equal counts
    with pytest.raises(ValueError, match="edges must have one more entry than counts"):
        R.stairs(counts, edges[:-1])


# --- snapshots of a run --------------------------------------------------------------------------
def test_snapshot_epochs_start_at_zero_and_end_at_the_last_epoch():
    e = R.snapshot_epochs(300)
    assert e[0] == 0 and e[-1] == 300 and np.all(np.diff(e) > 0)
    assert len(e) == R.SNAPSHOTS + 1 and e[1] == 1
    assert np.all(np.diff(e)[1:] >= np.diff(e)[:-1])        # denser early (geometric)
    np.testing.assert_array_equal(R.snapshot_epochs(3), [0, 1, 2, 3])
    np.testing.assert_array_equal(R.snapshot_epochs(50, 1), [0, 50])
    with pytest.raises(ValueError, match="epochs must be an integer"):
        R.snapshot_epochs(0)


@pytest.mark.parametrize("changes", [{}, {"dropout": 0.3, "l1": 1e-3}])
def test_snapshots_are_the_parameters_of_shorter_runs(changes):
    s = R.RegSettings(epochs=40, **changes)
    marks = R.snapshot_epochs(40, 5)
    run = R.train_regularized(s, marks)
    np.testing.assert_array_equal(run.snapshot_epochs, marks)
    plain = R.train_regularized(s)
    np.testing.assert_array_equal(run.model.params, plain.model.params)   # the callback changes nothing
    assert plain.snapshot_params is None
    np.testing.assert_array_equal(run.snapshot_params[0], s.network().params)
    for j, e in enumerate(marks[1:], start=1):
        short = R.train_regularized(replace(s, epochs=int(e)))             # an independent run
        np.testing.assert_array_equal(run.snapshot_params[j], short.model.params)
        np.testing.assert_array_equal(run.model_at(j).params, short.model.params)
    with pytest.raises(ValueError, match=r"snapshots\[i\] must be an integer in \[0, 40\]"):
        R.train_regularized(s, [50])
    with pytest.raises(ValueError, match="this run kept no snapshots"):
        plain.model_at(0)


# --- the regularization frame ------------------------------------------------------------------
@pytest.fixture(scope="module")
def reg_case():
    s = R.RegSettings(n_train=30, l1=1e-3)
    run = R.train_regularized(s, R.snapshot_epochs(s.epochs))
    return s, run, R.regularization_frame(s, 40, run)


def test_regularization_frame_layers_labels_and_reveal_rules(reg_case):
    s, run, frame = reg_case
    n = len(run.snapshot_epochs) - 1
    assert frame.n_steps == n == R.SNAPSHOTS
    for layer in frame.layers:
        assert layer.style.get("label"), layer
        assert layer.kind in KINDS and layer.reveal in REVEALS
    kinds = {}
    for l in frame.layers:                                  # the first layer of each label
        kinds.setdefault((l.panel, l.style["label"]), (l.kind, l.reveal))
    assert kinds[("regions", "background: predicted class")] == ("image", "at")
    assert kinds[("regions", "class 0, training")] == ("points", "all")
    assert kinds[("regions", "class 1, validation")] == ("points", "all")
    assert kinds[("regions", "accuracies at the shown epoch")] == ("text", "at")
    assert kinds[("loss", "training loss")] == ("line", "all")        # the first of that label
    assert kinds[("loss", "shown epoch")] == ("segments-per-step", "at")
    assert kinds[("loss", "best validation epoch")] == ("line", "all")
    assert kinds[("weights", "at the shown epoch")] == ("segments-per-step", "at")
    assert kinds[("weights", "at initialization")] == ("line", "all")
    assert frame.charts["loss"]["ylog"] and frame.charts["loss"]["xlim"] == [0.0, 300.0]
    image = frame.layer("background: predicted class")
    assert len(image.images) == n + 1
    for layer in frame.layers:
        if layer.kind == "segments-per-step":
            assert layer.n_chunks == n + 1
        if layer.reveal == "at" and layer.kind in ("points", "text"):
            assert len(layer.xy) == n + 1


def test_regularization_frame_numbers_are_the_library_s(reg_case):
    s, run, frame = reg_case
    d, h = run.data, run.history
    marks = run.snapshot_epochs
    loss = frame.layer("training loss")
    np.testing.assert_array_equal(loss.xy[:, 0], np.arange(1, h.epochs + 1))
    np.testing.assert_array_equal(loss.xy[:, 1], np.maximum(h.loss, 1e-6))
    np.testing.assert_array_equal(frame.layer("validation loss").xy[:, 1], np.maximum(h.val_loss, 1e-6))
    best = frame.layer("best validation epoch").xy
    assert np.all(best[:, 0] == h.best_epoch + 1) and h.val_loss.min() == h.val_loss[h.best_epoch]
    lo, hi = frame.charts["loss"]["ylim"]
    assert lo <= np.maximum(h.loss, 1e-6).min() and hi >= h.val_loss.max()
    markers = [l for l in frame.layers if l.panel == "loss" and l.kind == "points"]
    for layer, values in zip(markers, (h.loss, h.val_loss)):
        assert math.isnan(layer.xy[0, 1])                   # epoch 0: before any loss was recorded
        np.testing.assert_array_equal(layer.xy[1:, 1], np.maximum(values[marks[1:] - 1], 1e-6))
    cursor = frame.layer("shown epoch")
    for t, e in enumerate(marks):
        np.testing.assert_array_equal(cursor.chunk(t)[:2, 0], [e, e])
    for klass in (0, 1):
        np.testing.assert_array_equal(frame.layer(f"class {klass}, training").xy, d.X_train[d.y_train == klass])
        np.testing.assert_array_equal(frame.layer(f"class {klass}, validation").xy, d.X_val[d.y_val == klass])
    hist = frame.layer("at the shown epoch")
    centres = 0.5 * (R.HIST_EDGES[1:] + R.HIST_EDGES[:-1])
    texts = frame.layer("accuracies at the shown epoch").texts
    shares = frame.layer("share near zero").texts
    for t, e in enumerate(marks):
        net = MLP([2, 32, 32, 2], "relu", "softmax")
        net.params = run.snapshot_params[t]
        w = np.concatenate([net.weights[0].ravel(), net.weights[1].ravel(), net.weights[2].ravel()])
        counts = np.histogram(np.clip(w, R.HIST_EDGES[0], R.HIST_EDGES[-1]), R.HIST_EDGES)[0]
        np.testing.assert_array_equal(outline_height(hist.chunk(t), centres), counts)
        assert shares[t] == f"{100 * np.mean(np.abs(w) < 0.01):.0f}% have |w| < 0.01"
        acc_t = np.mean(net.predict(d.X_train) == d.y_train)
        acc_v = np.mean(net.predict(d.X_val) == d.y_val)
        assert texts[t] == f"epoch {e}: training {100 * acc_t:.0f}%, validation {100 * acc_v:.0f}%"
    np.testing.assert_array_equal(outline_height(frame.layer("at initialization").xy, centres),
                                  R.weight_histogram(s.network()))
    assert frame.charts["weights"]["ylim"][1] >= max(np.max(hist.xy[:, 1]), 1)


def test_regularization_frame_pictures_are_the_decision_regions(reg_case):
    s, run, frame = reg_case
    xlim, ylim = R.regularization_window(s)
    image = frame.layer("background: predicted class")
    dx, dy = (xlim[1] - xlim[0]) / 39, (ylim[1] - ylim[0]) / 39
    np.testing.assert_allclose(image.xy, [[xlim[0] - dx / 2, ylim[0] - dy / 2],
                                          [xlim[1] + dx / 2, ylim[1] + dy / 2]])
    for t in (0, 4, len(image.images) - 1):
        grid = decision_boundary_grid(run.model_at(t), xlim, ylim, 40)
        want = np.round(class_colors_image(grid.proba)[::-1] * 255)
        got = decode(image.images[t]).astype(float)
        assert got.shape == (40, 40, 3)
        assert np.abs(got - want).max() <= 2                 # 64 levels of P(class 1)
    assert image.images[0] != image.images[-1]


def test_regularization_window_holds_every_point_of_every_training_size():
    s = R.RegSettings()
    (x0, x1), (y0, y1) = R.regularization_window(s)
    pool = R.regularization_data(240)
    pts = np.concatenate([pool.X_train, pool.X_val])
    assert x0 < pts[:, 0].min() and pts[:, 0].max() < x1
    assert y0 < pts[:, 1].min() and pts[:, 1].max() < y1
    assert R.regularization_window(replace(s, n_train=15, l2=0.1)) == ((x0, x1), (y0, y1))


def test_regularization_frame_status_and_size(reg_case):
    s, run, frame = reg_case
    h = run.history
    assert frame.kind == "info"
    assert frame.status.startswith("30 training points; L2 0, L1 0.001, dropout 0: final training "
                                   f"loss {h.loss[-1]:.3f}, validation loss {h.val_loss[-1]:.3f}")
    assert f"after {h.best_epoch + 1} epochs" in frame.status and "nan" not in frame.status
    full = R.regularization_frame(s, 60, run)               # the explorer's resolution
    print(f"regularization frame: {full.nbytes:,} bytes (resolution 60)")
    assert full.nbytes < 60_000


def test_regularization_frame_says_diverged_for_a_too_large_step():
    s = R.RegSettings(lr=5.0, epochs=40)
    frame = R.regularization_frame(s, 20)
    run = R.train_regularized(s)
    assert run.history.loss[-1] > run.history.loss[0]        # it really went up
    assert frame.kind == "diverged" and "diverged: the training loss rose from" in frame.status
    assert "lr = 5 is too large" in frame.status and "nan" not in frame.status.lower()


def test_a_network_that_overflows_is_drawn_grey():
    net = MLP([2, 3, 2], seed=0)
    net.params = np.full(net.n_params, 1e300)               # scores overflow to inf - inf
    grid, png = R._region_picture(net, (-1.0, 1.0), (-1.0, 1.0), 12)
    bad = ~np.isfinite(grid.proba[::-1, :, 1])
    assert bad.sum() > 20                                   # most of the window
    got = decode(png)
    assert np.all(got[bad] == R.UNDEFINED_RGB)
    p = grid.proba[::-1, :, 1][~bad]
    np.testing.assert_array_equal(got[~bad], R.region_palette()[np.round(p * 63).astype(int)])


def test_regularization_frame_refuses_bad_input(reg_case):
    s, run, _ = reg_case
    with pytest.raises(ValueError, match="settings must be a RegSettings, got dict"):
        R.regularization_frame({})
    with pytest.raises(ValueError, match="run must be train_regularized"):
        R.regularization_frame(replace(s, l2=0.1), 40, run)
    with pytest.raises(ValueError, match=r"resolution must be an integer in \[10, 300\]"):
        R.regularization_frame(s, 5, run)


def test_regularization_scene_contract():
    xlim, ylim = R.regularization_window(R.RegSettings())
    scene = R.regularization_scene(xlim, ylim)
    assert scene is R.regularization_scene(xlim, ylim)      # rendered once
    panels = {p.name: p for p in scene.panels}
    assert panels["regions"].kind == "image"
    np.testing.assert_allclose(panels["regions"].xlim, xlim)
    np.testing.assert_allclose(panels["regions"].ylim, ylim)
    assert panels["loss"].kind == panels["weights"].kind == "chart"
    assert scene.alt and scene.nbytes < 60_000
    for p in scene.panels:                                  # inside the picture, no overlaps
        x, y, w, h = p.bbox
        assert 0 <= x and x + w <= scene.width and 0 <= y and y + h <= scene.height
    boxes = sorted(p.bbox for p in scene.panels)
    assert all(a[0] + a[2] < b[0] for a, b in zip(boxes, boxes[1:]))


# --- the adversarial frame ---------------------------------------------------------------------
@pytest.fixture(scope="module")
def problem(digits_model):
    d = digits_model.data
    return R.adversarial_problem(digits_model.model, d.X_test[:80], d.y_test[:80])


def test_adversarial_problem_precomputes_the_library_curve(problem):
    np.testing.assert_array_equal(problem.eps_values, np.linspace(0.0, 0.3, 31))
    np.testing.assert_array_equal(problem.curve, R.accuracy_vs_eps(problem.model, problem.X,
                                                                   problem.y, problem.eps_values))
    for eps in (0.0, 0.07, 0.3):
        assert problem.accuracy_at(eps) == problem.model.accuracy(
            R.fgsm(problem.model, problem.X, problem.y, eps), problem.y)
        np.testing.assert_array_equal(problem.perturbed(3, eps)[0],
                                      R.fgsm(problem.model, problem.X, problem.y, eps)[3])


def test_adversarial_sweep_runs_over_the_grid_up_to_eps(problem):
    np.testing.assert_allclose(R.adversarial_sweep(problem, 0.05), [0, 0.01, 0.02, 0.03, 0.04, 0.05])
    np.testing.assert_allclose(R.adversarial_sweep(problem, 0.055), [0, 0.01, 0.02, 0.03, 0.04, 0.05, 0.055])
    np.testing.assert_array_equal(R.adversarial_sweep(problem, 0.0), [0.0])


@pytest.mark.parametrize("eps, index", [(0.1, 2), (0.055, 7), (0.3, 0)])
def test_adversarial_frame_numbers_are_the_library_s(problem, eps, index):
    model, X, y = problem.model, problem.X, problem.y
    frame = R.adversarial_frame(problem, R.AdversarialSettings(eps, index))
    sweep = R.adversarial_sweep(problem, eps)
    assert frame.n_steps == len(sweep) - 1
    for layer in frame.layers:
        assert layer.style.get("label")
    x = X[index]
    gray = lambda v: matplotlib.colormaps["gray_r"](Normalize(0, 1)(v.reshape(8, 8)), bytes=True)[..., :3]  # noqa: E731
    rdbu = lambda v: matplotlib.colormaps["RdBu_r"](Normalize(-0.3, 0.3)(v.reshape(8, 8)), bytes=True)[..., :3]  # noqa: E731
    assert len(frame.layer("clean image").images) == 1
    np.testing.assert_array_equal(decode(frame.layer("clean image").images[0])[8::16, 8::16], gray(x))
    adv, change = frame.layer("adversarial image"), frame.layer("change")
    bars = frame.layer("adversarial image")
    proba = [l for l in frame.layers if l.panel == "proba" and l.kind == "segments-per-step"][0]
    cursor = frame.layer("shown ε")
    marker = [l for l in frame.layers if l.panel == "accuracy" and l.kind == "points"][0]
    right = frame.layer("adversarial caption (right)")
    wrong = frame.layer("adversarial caption (wrong)")
    for t, e in enumerate(sweep):
        x_adv = R.fgsm(model, X, y, e)[index]               # the library, on the whole batch
        np.testing.assert_array_equal(decode(adv.images[t])[8::16, 8::16], gray(x_adv))
        np.testing.assert_array_equal(decode(change.images[t])[8::16, 8::16], rdbu(x_adv - x))
        p = model.predict_proba(x_adv[None, :])[0]
        heights = outline_height(proba.chunk(t), np.arange(10) + 0.2)
        np.testing.assert_allclose(heights, p, rtol=1e-12, atol=1e-15)   # batch vs one row: ulps
        np.testing.assert_array_equal(cursor.chunk(t)[:2, 0], [e, e])
        assert marker.xy[t, 1] == model.accuracy(R.fgsm(model, X, y, e), y)
        k = int(p.argmax())
        shown = right if k == y[index] else wrong
        assert shown.texts[t] == f"says {k} ({100 * p[k]:.0f}%)" and np.isfinite(shown.xy[t]).all()
        assert not np.isfinite((wrong if shown is right else right).xy[t]).all()
    assert bars.kind == "image"
    p0 = model.predict_proba(x[None, :])[0]
    clean_bars = [l for l in frame.layers if l.panel == "proba" and l.kind == "line"][0]
    np.testing.assert_allclose(outline_height(clean_bars.xy, np.arange(10) - 0.2), p0, atol=1e-15)
    np.testing.assert_array_equal(frame.layer("true label").xy[:, 0], [y[index]])
    curve = frame.layer(f"accuracy on all {len(X)} inputs")
    np.testing.assert_array_equal(curve.xy, np.column_stack([problem.eps_values, problem.curve]))
    k_adv = int(model.predict(R.fgsm(model, X, y, eps)[index:index + 1])[0])
    k0 = int(p0.argmax())
    assert frame.status.startswith(f"image {index} (label {y[index]}): prediction "
                                   f"{'flipped' if k_adv != k0 else 'kept'} ({k0} → {k_adv}) at "
                                   f"ε = {eps:.3f}; accuracy on all 80 inputs "
                                   f"{100 * model.accuracy(R.fgsm(model, X, y, eps), y):.1f}%")
    assert frame.kind == "info" and "nan" not in frame.status.lower()
    print(f"adversarial frame at eps {eps}: {frame.nbytes:,} bytes, {frame.n_steps} Play steps")
    assert frame.nbytes < 60_000


def test_adversarial_frame_at_eps_zero_has_nothing_to_sweep(problem):
    frame = R.adversarial_frame(problem, R.AdversarialSettings(0.0, 1))
    assert frame.n_steps == 0 and "Raise ε, then ▶ Play sweeps it from 0" in frame.status
    assert frame.layer("adversarial image").images == frame.layer("clean image").images
    assert "prediction kept" in frame.status


def test_adversarial_frame_without_a_clip_uses_the_range_of_x(digits_model):
    d = digits_model.data
    p = R.adversarial_problem(digits_model.model, d.X_test[:10] * 2.0, d.y_test[:10], clip=None)
    assert p.pixel_range == (0.0, 2.0)
    flat = R.adversarial_problem(digits_model.model, np.full((3, 64), 0.5), d.y_test[:3], clip=None)
    assert flat.pixel_range == (0.5, 1.5)                   # a constant image: no division by 0
    assert R.adversarial_frame(flat, R.AdversarialSettings(0.1, 0)).n_steps == 10
    frame = R.adversarial_frame(p, R.AdversarialSettings(0.3, 4))
    x_adv = R.fgsm(p.model, p.X, p.y, 0.3, clip=None)[4]
    assert x_adv.min() < 0                                  # not clipped: beyond the grey range
    want = matplotlib.colormaps["gray_r"](Normalize(0, 2)(x_adv.reshape(8, 8)), bytes=True)[..., :3]
    np.testing.assert_array_equal(decode(frame.layer("adversarial image").images[-1])[8::16, 8::16], want)


def test_adversarial_problem_and_settings_refuse_bad_input(digits_model):
    model, d = digits_model.model, digits_model.data
    X, y = d.X_test[:5], d.y_test[:5]
    with pytest.raises(ValueError, match=r"image_shape must have rows \* cols = 64"):
        R.adversarial_problem(model, X, y, image_shape=(4, 4))
    with pytest.raises(ValueError, match="eps_values must be an increasing 1-D grid starting at 0"):
        R.adversarial_problem(model, X, y, eps_values=[0.1, 0.2])
    with pytest.raises(ValueError, match="model must have output='softmax'"):
        R.adversarial_problem(MLP([64, 1], output="sigmoid"), X, np.zeros(5))
    p = R.adversarial_problem(model, X, y)
    with pytest.raises(ValueError, match=r"eps must be in \[0, 0.3\], got 0.5"):
        R.adversarial_frame(p, R.AdversarialSettings(0.5, 0))
    with pytest.raises(ValueError, match=r"index must be an integer in \[0, 4\], got 5"):
        R.adversarial_frame(p, R.AdversarialSettings(0.1, 5))


def test_adversarial_scene_contract():
    scene = R.adversarial_scene((8, 8), 0.3)
    panels = {p.name: p for p in scene.panels}
    assert [panels[n].kind for n in ("clean", "change", "adversarial")] == ["image"] * 3
    assert panels["proba"].kind == panels["accuracy"].kind == "chart"
    for n in ("clean", "change", "adversarial"):
        p = panels[n]
        assert p.xlim == (-0.5, 7.5) and p.ylim[0] == 7.5 and p.ylim[1] < -0.5   # rows grow down
        x, y, w, h = p.bbox
        assert abs(w / 8 - h / (p.ylim[0] - p.ylim[1])) < 0.5          # square pixels
    assert scene.alt and scene.nbytes < 60_000
