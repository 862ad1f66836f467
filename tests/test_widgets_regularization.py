"""Tests for gradlib.widgets.regularization: FGSM, saliency and the L2/AdamW helpers against
independent computations (finite differences, hand-written update rules from the torch docs,
NumPy histograms), and the two explorers driven through their controls (Agg, no browser)."""
import numpy as np
import pytest

from gradlib import numeric, optim
from gradlib.mlp import MLP
from gradlib.widgets import regularization as R


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


# --- explorers ---------------------------------------------------------------------------------
def test_regularization_explorer_moves_its_artists_and_caches_runs(closing):
    dash = R.regularization_explorer(epochs=120, resolution=20)
    closing(dash)
    first = dash.run
    h = first.history
    np.testing.assert_allclose(dash.val_line.get_ydata(), np.maximum(h.val_loss, 1e-6))
    np.testing.assert_allclose(dash.train_line.get_ydata(), np.maximum(h.loss, 1e-6))
    assert dash.best_line.get_xdata()[0] == h.best_epoch + 1
    np.testing.assert_array_equal(dash.hist.get_data().values, R.weight_histogram(first.model))
    assert len(dash.train_points.get_offsets()) == 30
    image0 = dash.image.get_array().copy()

    dash.controls["l2"].value = 3e-2
    assert dash.run.settings.l2 == 3e-2 and dash.run is not first
    assert not np.allclose(dash.image.get_array(), image0)
    assert np.linalg.norm(R.weight_vector(dash.run.model)) < np.linalg.norm(R.weight_vector(first.model))
    np.testing.assert_allclose(dash.val_line.get_ydata(), np.maximum(dash.run.history.val_loss, 1e-6))

    dash.controls["l1"].value = 1e-2
    np.testing.assert_array_equal(dash.hist.get_data().values, R.weight_histogram(dash.run.model))
    assert "of weights have |w| < 0.01" in dash.hist_title.get_text()

    dash.controls["n_train"].value = 120
    assert len(dash.train_points.get_offsets()) == 120
    dash.controls["dropout"].value = 0.5
    assert dash.run.model.dropout == 0.5

    with dash.hold():                                   # back to the start: served from the cache
        dash.controls["l2"].value = 0.0
        dash.controls["l1"].value = 0.0
        dash.controls["n_train"].value = 30
        dash.controls["dropout"].value = 0.0
    assert dash.run is first
    np.testing.assert_allclose(dash.image.get_array(), image0)


def test_regularization_explorer_rejects_values_off_the_sliders():
    with pytest.raises(ValueError, match=r"L2 λ must be one of \[0.0, 0.0001"):
        R.regularization_explorer(l2=0.5)
    with pytest.raises(ValueError, match=r"train size must be one of \[15, 30"):
        R.regularization_explorer(n_train=31)


def test_adversarial_explorer_follows_eps_and_index(closing, digits_model):
    model, d = digits_model.model, digits_model.data
    X, y = d.X_test[:60], d.y_test[:60]
    grid = np.linspace(0.0, 0.2, 11)
    dash = R.adversarial_explorer(model, X, y, eps_values=grid, eps=0.0, index=2)
    closing(dash)
    np.testing.assert_allclose(dash.curve, R.accuracy_vs_eps(model, X, y, grid))
    np.testing.assert_array_equal(dash.original.get_array(), X[2].reshape(8, 8))
    np.testing.assert_array_equal(dash.adversarial.get_array(), X[2].reshape(8, 8))

    dash.controls["eps"].value = 0.1
    expected = R.fgsm(model, X, y, 0.1)
    np.testing.assert_allclose(dash.adversarial.get_array(), expected[2].reshape(8, 8), atol=1e-15)
    np.testing.assert_allclose(dash.perturbation.get_array(), (expected[2] - X[2]).reshape(8, 8),
                               atol=1e-15)
    assert dash.cursor.get_xdata()[0] == pytest.approx(0.1)
    assert dash.cursor_point.get_ydata()[0] == pytest.approx(model.accuracy(expected, y))
    assert dash.cursor_point.get_ydata()[0] == pytest.approx(dash.curve[5])   # on the curve

    dash.controls["index"].value = 7
    np.testing.assert_array_equal(dash.original.get_array(), X[7].reshape(8, 8))
    k = int(model.predict(expected[7:8])[0])
    assert dash.titles[2].get_text().startswith(f"says {k} ")


def test_adversarial_explorer_rejects_bad_input(digits_model):
    model, d = digits_model.model, digits_model.data
    with pytest.raises(ValueError, match=r"image_shape must have rows \* cols = 64"):
        R.adversarial_explorer(model, d.X_test[:5], d.y_test[:5], image_shape=(4, 4))
    with pytest.raises(ValueError, match="eps_values must be an increasing 1-D grid starting at 0"):
        R.adversarial_explorer(model, d.X_test[:5], d.y_test[:5], eps_values=[0.1, 0.2])
    with pytest.raises(ValueError, match=r"eps must be in \[0, 0.3\], got 0.5"):
        R.adversarial_explorer(model, d.X_test[:5], d.y_test[:5], eps=0.5)
