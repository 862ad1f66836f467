"""Tests for gradlib.widgets.pathologies: per-layer gradient norms against slices of MLP.gradient,
the toy chain's Jacobian products against finite differences and closed forms, sharpness traces
against an independent gradient-descent loop and eigh of a finite-difference Hessian, and the
explorer driven through its controls (Agg, no browser)."""
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from matplotlib import pyplot as plt

from gradlib import numeric, optim
from gradlib.animate import HTMLAnimation
from gradlib.mlp import MLP
from gradlib.widgets import pathologies as P


@pytest.fixture(scope="module")
def probe():
    return P.probe_data(64)


def weight_slices(sizes, flat):
    """dL/dW_l read out of the flat [W_0, b_0, W_1, b_1, ...] layout, written independently."""
    out, start = [], 0
    for fan_in, fan_out in zip(sizes[:-1], sizes[1:]):
        out.append(flat[start:start + fan_in * fan_out])
        start += fan_in * fan_out + fan_out
    assert start == flat.size
    return out


# --- probe data and per-layer norms ---------------------------------------------------------
def test_probe_data_is_a_fixed_batch_of_digits():
    X, y = P.probe_data(100, seed=1)
    X2, y2 = P.probe_data(100, seed=1)
    assert X.shape == (100, 64) and y.shape == (100,)
    assert 0.0 <= X.min() and X.max() <= 1.0 and set(np.unique(y)) <= set(range(10))
    np.testing.assert_array_equal(X, X2)
    np.testing.assert_array_equal(y, y2)


@pytest.mark.parametrize("activation,init,scale", [("sigmoid", "xavier", 1.0), ("tanh", "normal", 0.7),
                                                   ("relu", "he", 2.0), ("leaky_relu", "he", 1.0)])
def test_layer_norms_are_the_norms_of_the_gradient_slices(probe, activation, init, scale):
    X, y = probe
    depth, width = 4, 16
    got = P.layer_gradient_norms(depth, width, activation, init, scale, 3, X, y)
    sizes = [64] + [width] * depth + [10]
    net = MLP(sizes, activation=activation, output="softmax", init=init, seed=3, init_scale=scale)
    expected = [np.sqrt(np.sum(s ** 2)) for s in weight_slices(sizes, net.gradient(X, y))]
    np.testing.assert_allclose(got, expected, rtol=1e-12)
    assert got.shape == (depth + 1,)


def test_seeds_average_the_networks_of_consecutive_seeds(probe):
    X, y = probe
    each = [P.layer_gradient_norms(3, 8, "tanh", "xavier", 1.0, s, X, y) for s in (5, 6, 7)]
    mean = P.layer_gradient_norms(3, 8, "tanh", "xavier", 1.0, 5, X, y, seeds=3)
    np.testing.assert_allclose(mean, np.mean(each, axis=0), rtol=1e-12)


def test_default_data_is_the_probe_batch():
    X, y = P.probe_data()
    np.testing.assert_allclose(P.layer_gradient_norms(2, 8, "relu", "he", 1.0, 0),
                               P.layer_gradient_norms(2, 8, "relu", "he", 1.0, 0, X, y), rtol=1e-12)


def test_deep_sigmoid_starves_its_first_layer_while_relu_he_does_not(probe):
    X, y = probe
    sig = P.layer_gradient_norms(15, 32, "sigmoid", "xavier", 1.0, 0, X, y)
    relu = P.layer_gradient_norms(15, 32, "relu", "he", 1.0, 0, X, y)
    assert sig[0] < 1e-5 * sig[-1]                     # orders of magnitude smaller
    assert np.all(np.diff(np.log(sig[:-1])) > 0)       # and it shrinks layer after layer downwards
    assert 0.1 < relu[0] / relu[-1] < 10
    assert P.diagnose(sig).startswith("vanishing:") and P.diagnose(relu).startswith("healthy")


def test_relu_norms_scale_as_a_power_of_the_init_scale_while_the_output_is_linear(probe):
    """ReLU is positively homogeneous and biases start at 0: scaling every W by c scales the
    logits by c^(D+1); while the softmax stays in its linear regime (tiny logits),
    dL/dW_l scales by c^D. An independent closed-form check of the init_scale knob."""
    X, y = probe
    c, depth = 0.5, 6
    a = P.layer_gradient_norms(depth, 16, "relu", "normal", 0.02, 0, X, y)
    b = P.layer_gradient_norms(depth, 16, "relu", "normal", 0.02 * c, 0, X, y)
    np.testing.assert_allclose(b / a, c ** depth, rtol=1e-3)


def test_overflowing_gradients_report_inf_without_warnings(probe):
    X, y = probe
    g = P.layer_gradient_norms(60, 64, "relu", "normal", 100.0, 0, X, y)
    assert np.isinf(g).any() and not np.isnan(g).any()
    assert P.diagnose(g).startswith("exploding")


# --- diagnose -------------------------------------------------------------------------------
@pytest.mark.parametrize("norms,start", [
    ([1e-6, 1e-3, 1.0], "vanishing:"), ([1e4, 10.0, 1.0], "exploding:"),
    ([1e3, 2e3, 1e3], "exploding: every"), ([1e-4, 1e-4, 2e-4], "vanishing everywhere"),
    ([0.5, 0.7, 1.0], "healthy"), ([1.0, math.inf, 1.0], "exploding"),
    ([0.0, 1.0], "vanishing: the first layer's gradient is exactly 0"),
])
def test_diagnose_names_the_pathology(norms, start):
    assert P.diagnose(norms).startswith(start)


def test_diagnose_uses_the_stated_thresholds():
    assert P.diagnose([0.99 * P.VANISHING, 1.0]).startswith("vanishing")
    assert P.diagnose([1.01 * P.VANISHING, 1.0]).startswith("healthy")
    assert P.diagnose([1.01 * P.EXPLODING, 1.0]).startswith("exploding")


@pytest.mark.parametrize("bad", [[1.0], [[1.0, 2.0]], [1.0, float("nan")], [-1.0, 1.0], "ab"])
def test_diagnose_rejects_bad_norms(bad):
    with pytest.raises(ValueError, match="norms must be"):
        P.diagnose(bad)


# --- the table --------------------------------------------------------------------------------
def test_table_entries_are_first_and_last_layer_norms(probe):
    X, y = probe
    table = P.gradient_norm_table([1, 3], ["sigmoid", "relu"], ["xavier", "he"], width=8, X=X, y=y)
    assert table.rows == (("sigmoid", "xavier"), ("sigmoid", "he"), ("relu", "xavier"), ("relu", "he"))
    assert table.labels[0] == "sigmoid, xavier" and table.first.shape == (4, 2)
    for r, (a, i) in enumerate(table.rows):
        for j, d in enumerate(table.depths):
            g = P.layer_gradient_norms(int(d), 8, a, i, 1.0, 0, X, y)
            assert table.first[r, j] == pytest.approx(g[0], rel=1e-12)
            assert table.last[r, j] == pytest.approx(g[-1], rel=1e-12)
    np.testing.assert_allclose(table.ratio, table.first / table.last)


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


# --- validation -------------------------------------------------------------------------------
@pytest.mark.parametrize("kwargs,match", [
    (dict(depth=0), r"depth must be an integer in \[1, 60\], got 0"),
    (dict(depth=2.5), r"depth must be an integer"),
    (dict(depth=2, width=0), r"width must be an integer in \[1, 1024\], got 0"),
    (dict(depth=2, activation="gelu"), r"activation must be one of 'sigmoid', .*got 'gelu'"),
    (dict(depth=2, init="orthogonal"), r"init must be one of 'he', 'xavier', 'normal', got 'orthogonal'"),
    (dict(depth=2, init_scale=0.0), r"init_scale must be a finite number in \(0, 100.0\], got 0.0"),
    (dict(depth=2, init_scale=float("inf")), r"init_scale must be a finite number"),
    (dict(depth=2, seed=-1), r"seed must be an integer >= 0, got -1"),
    (dict(depth=2, seeds=0), r"seeds must be an integer in \[1, 100\], got 0"),
    (dict(depth=2, X=np.ones((3, 2))), r"X and y must be given together"),
    (dict(depth=2, X=np.ones((3, 2)), y=np.array([0.0, 1.0, 1.0])), r"y must hold one integer class label"),
    (dict(depth=2, X=np.ones((3, 2)), y=np.array([0, 1])), r"y must hold one integer class label"),
    (dict(depth=2, X=np.ones((3, 2)), y=np.array([0, -1, 1])), r"y must hold class labels >= 0, got -1"),
    (dict(depth=2, X=np.full((3, 2), np.nan), y=np.array([0, 1, 1])), r"X must be finite"),
    (dict(depth=2, X=np.ones(3), y=np.array([0, 1, 1])), r"X must have shape \(m, d\)"),
])
def test_layer_gradient_norms_messages(kwargs, match):
    with pytest.raises(ValueError, match=match):
        P.layer_gradient_norms(**kwargs)


@pytest.mark.parametrize("args,match", [
    (([], ["relu"], ["he"]), r"depths must be a non-empty list"),
    (([1, 99], ["relu"], ["he"]), r"depths\[1\] must be an integer in \[1, 60\], got 99"),
    (([1], "relu", ["he"]), r"activations must be a non-empty list of names"),
    (([1], ["relu", "swish"], ["he"]), r"activations\[1\] must be one of .*got 'swish'"),
    (([1], ["relu"], ["lecun"]), r"inits\[0\] must be one of .*got 'lecun'"),
])
def test_gradient_norm_table_messages(args, match):
    with pytest.raises(ValueError, match=match):
        P.gradient_norm_table(*args)


def test_probe_data_messages():
    with pytest.raises(ValueError, match=r"n must be an integer in \[10, 1347\], got 5"):
        P.probe_data(5)


# --- the toy chain ----------------------------------------------------------------------------
def test_chain_forward_follows_its_formulas():
    rng = np.random.default_rng(0)
    Ws = P.chain_weights(3, 5, 1.3, seed=2)
    x = rng.standard_normal(5)
    plain = P.chain_forward(x, Ws, "tanh")
    res = P.chain_forward(x, Ws, "tanh", residual=True)
    norm = P.chain_forward(x, Ws, "relu", normalize=True)
    h, hr, hn = x, x, x
    for W in Ws:
        h = np.tanh(W @ h)
        hr = hr + np.tanh(W @ hr)
        z = W @ hn
        hn = np.maximum((z - z.mean()) / z.std(), 0.0)
        # layer normalization: zero mean and unit variance over the units
    np.testing.assert_allclose(plain[-1], h, rtol=1e-12)
    np.testing.assert_allclose(res[-1], hr, rtol=1e-12)
    np.testing.assert_allclose(norm[-1], hn, rtol=1e-12)
    assert plain.shape == (4, 5) and np.array_equal(plain[0], x)


def test_chain_weights_have_the_stated_scale():
    Ws = P.chain_weights(20, 100, init_scale=2.0, seed=0)
    assert Ws.shape == (20, 100, 100)
    assert np.std(Ws) == pytest.approx(2.0 / math.sqrt(100), rel=0.02)


@given(depth=st.integers(1, 4), width=st.integers(2, 5),
       activation=st.sampled_from(P.CHAIN_ACTIVATIONS), residual=st.booleans(),
       normalize=st.booleans(), seed=st.integers(0, 1000))
@settings(max_examples=30)
def test_jacobian_gains_match_finite_differences(depth, width, activation, residual, normalize, seed):
    """gains[l] = ||dh_L/dh_l||_F / sqrt(n), with dh_L/dh_l from central differences of the
    forward pass restarted at layer l (an oracle independent of the chained local Jacobians)."""
    gains = P.jacobian_gains(depth, width, activation, residual=residual, normalize=normalize,
                             init_scale=1.5, seed=seed)
    Ws = P.chain_weights(depth, width, 1.5, seed)
    x = np.random.default_rng(seed + 1).standard_normal(width)
    hs = P.chain_forward(x, Ws, activation, residual=residual, normalize=normalize)
    assert gains[-1] == 1.0
    for l in range(depth):
        def top(h, l=l):
            return P.chain_forward(h, Ws[l:], activation, residual=residual, normalize=normalize)[-1]
        J = numeric.jacobian(top, hs[l])
        if activation in ("relu", "leaky_relu") and near_kink(Ws, hs, normalize):
            continue          # too close to the kink for a finite difference
        assert gains[l] == pytest.approx(np.linalg.norm(J) / math.sqrt(width), rel=1e-5, abs=1e-9)


def near_kink(Ws, hs, normalize, tol=1e-4):
    """Whether some unit's activation input (W h, or its layer-normalized version) is near 0."""
    for W, h in zip(Ws, hs):
        z = W @ h
        if normalize:
            z = (z - z.mean()) / z.std()
        if np.min(np.abs(z)) < tol:
            return True
    return False


def test_linear_chain_gain_is_the_norm_of_the_weight_product():
    Ws = P.chain_weights(6, 7, 0.8, seed=4)
    gains = P.jacobian_gains(6, 7, "linear", init_scale=0.8, seed=4)
    for l in range(6):
        product = np.linalg.multi_dot([*Ws[::-1][: 6 - l], np.eye(7)])   # W_5 ... W_l
        assert gains[l] == pytest.approx(np.linalg.norm(product) / math.sqrt(7), rel=1e-10)
    # the residual linear chain multiplies (I + W_l) instead
    res = P.jacobian_gains(6, 7, "linear", residual=True, init_scale=0.8, seed=4)
    product = np.linalg.multi_dot([np.eye(7) + W for W in Ws[::-1]])
    assert res[0] == pytest.approx(np.linalg.norm(product) / math.sqrt(7), rel=1e-10)


def test_normalization_makes_the_gains_independent_of_the_init_scale():
    for activation in ("sigmoid", "tanh", "relu"):
        ref = P.jacobian_gains(20, 16, activation, normalize=True, init_scale=1.0, seed=1)
        for scale in (0.1, 3.0):
            np.testing.assert_allclose(
                P.jacobian_gains(20, 16, activation, normalize=True, init_scale=scale, seed=1),
                ref, rtol=1e-8)
        # without normalization the scale matters
        assert not np.allclose(P.jacobian_gains(20, 16, activation, init_scale=3.0, seed=1),
                               P.jacobian_gains(20, 16, activation, init_scale=1.0, seed=1))


def test_residual_connections_stop_the_sigmoid_chain_from_vanishing():
    plain = P.jacobian_gains(50, 64, "sigmoid")
    residual = P.jacobian_gains(50, 64, "sigmoid", residual=True)
    both = P.jacobian_gains(50, 64, "sigmoid", residual=True, normalize=True)
    assert plain[0] < 1e-20                   # sigmoid' <= 1/4 at every one of 50 layers
    assert 0.5 < residual[0] < 5 and 0.5 < both[0] < 5


def test_chain_messages():
    with pytest.raises(ValueError, match=r"weights must be a finite array of shape \(depth, n, n\)"):
        P.chain_forward(np.ones(3), np.ones((2, 3, 4)))
    with pytest.raises(ValueError, match=r"x must be a finite vector of shape \(3,\)"):
        P.chain_forward(np.ones(4), np.ones((2, 3, 3)))
    with pytest.raises(ValueError, match=r"activation must be one of .*'linear', got 'cos'"):
        P.jacobian_gains(2, 3, "cos")
    with pytest.raises(ValueError, match=r"depth must be an integer in \[1, 500\], got 0"):
        P.chain_weights(0, 3)


# --- sharpness along gradient descent ---------------------------------------------------------
def tiny_problem():
    X, y = np.random.default_rng(0).normal(size=(12, 2)), None
    y = np.sin(X[:, :1] * 2.0)

    def factory():
        return MLP([2, 3, 1], activation="tanh", output="identity", init="xavier", seed=1)
    return factory, X, y


def test_sharpness_trace_follows_gradient_descent_and_the_hessian():
    factory, X, y = tiny_problem()
    lr, steps, every = 0.3, 12, 4
    (run,) = P.sharpness_trace(factory, X, y, [lr], steps, every)
    assert run.status == "finished" and run.lr == lr and run.threshold == pytest.approx(2 / lr)
    np.testing.assert_array_equal(run.measured_at, [0, 4, 8, 12])
    # independent oracle: gradlib.optim.gd on the network's loss, and the Hessian as the
    # finite-difference Jacobian of the backprop gradient, symmetrized, through eigh
    net = factory()
    gd = optim.gd(lr)
    theta, state = net.params.copy(), gd.init(net.params.copy())
    for t in range(steps + 1):
        net.params = theta
        assert run.losses[t] == pytest.approx(net.loss(X, y), rel=1e-12)
        if t % every == 0:
            def grad(p):
                other = net.copy()
                other.params = p
                return other.gradient(X, y)
            H = numeric.jacobian(grad, theta)
            top = np.linalg.eigh(0.5 * (H + H.T))[0][-1]
            assert run.sharpness[t // every] == pytest.approx(top, rel=1e-5)
        theta, state = gd.update(theta, net.gradient(X, y), state)


def test_full_hessian_matches_finite_differences_of_the_gradient():
    factory, X, y = tiny_problem()
    net = factory()
    H = P.full_hessian(net, X, y)
    fd = numeric.jacobian(lambda p: grad_at(net, p, X, y), net.params.copy())
    np.testing.assert_allclose(H, 0.5 * (fd + fd.T), rtol=1e-5, atol=1e-8)
    assert np.array_equal(H, H.T)
    assert np.linalg.eigvalsh(H)[-1] == pytest.approx(net.sharpness(X, y), rel=1e-8)
    with pytest.raises(ValueError, match="model must have at most 5000 parameters"):
        P.full_hessian(MLP([100, 100, 10]), np.ones((2, 100)), np.array([0, 1]))
    with pytest.raises(ValueError, match="model must be an MLP .*got object without loss_and_gradient"):
        P.full_hessian(object(), X, y)


def grad_at(net, p, X, y):
    other = net.copy()
    other.params = p
    return other.gradient(X, y)


def test_each_learning_rate_starts_from_the_same_network():
    factory, X, y = tiny_problem()
    runs = P.sharpness_trace(factory, X, y, [0.1, 0.2], 3, 1)
    assert [r.lr for r in runs] == [0.1, 0.2]
    assert runs[0].losses[0] == runs[1].losses[0] and runs[0].sharpness[0] == runs[1].sharpness[0]
    assert runs[1].losses.shape == (4,)


def test_a_diverging_run_stops_cleanly():
    factory, X, y = tiny_problem()
    (run,) = P.sharpness_trace(factory, X, 100.0 * y, [1e6], 50, 5)
    assert run.status == "diverged"
    assert np.isfinite(run.losses).all() and np.isfinite(run.sharpness).all()
    assert run.losses.size < 51


@pytest.mark.parametrize("args,match", [
    ((None, [0.1], 5, 1), r"model_factory must be a function"),
    ((lambda: object(), [0.1], 5, 1), r"model_factory must return an MLP .*object without loss_and_gradient"),
    (("f", [], 5, 1), r"lrs must be a non-empty list"),
    (("f", [0.1, -1.0], 5, 1), r"lrs\[1\] must be a finite number > 0, got -1.0"),
    (("f", [0.1], 0, 1), r"steps must be an integer in \[1, 100000\], got 0"),
    (("f", [0.1], 5, 6), r"every must be an integer in \[1, 5\], got 6"),
])
def test_sharpness_trace_messages(args, match):
    factory, X, y = tiny_problem()
    make, lrs, steps, every = args
    make = factory if make == "f" else make
    with pytest.raises(ValueError, match=match):
        P.sharpness_trace(make, X, y, lrs, steps, every)


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


# --- clipping caps the step (what notebook 10 relies on) --------------------------------------
def test_clipping_caps_the_global_norm_of_the_step(probe):
    X, y = probe
    net = MLP([64, 32, 32, 10], activation="relu", init="he", init_scale=3.0, seed=0)
    before = net.params.copy()
    grad_norm = np.linalg.norm(net.gradient(X, y))
    lr, clip = 0.1, 1.0
    assert grad_norm > 10 * clip
    net.fit(X, y, optim.gd(lr), epochs=1, clip=clip)
    step = np.linalg.norm(net.params - before)
    assert step == pytest.approx(lr * clip, rel=1e-9)      # the step length is lr * clip exactly
    unclipped = MLP([64, 32, 32, 10], activation="relu", init="he", init_scale=3.0, seed=0)
    unclipped.fit(X, y, optim.gd(lr), epochs=1)
    assert np.linalg.norm(unclipped.params - before) == pytest.approx(lr * grad_norm, rel=1e-9)


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


# --- the explorer -------------------------------------------------------------------------------
def visible_heights(dash):
    """Bar tops (bars stand on the axis floor) of the visible bars."""
    return np.array([b.get_y() + b.get_height() for b in dash.bars if b.get_visible()])


def test_explorer_bars_follow_the_controls(closing, probe):
    X, y = probe
    dash = P.gradient_flow_explorer(depth=6, width=16, activation="sigmoid", init="xavier",
                                    max_depth=12, X=X, y=y)
    closing(dash)
    assert set(dash.controls) == {"depth", "activation", "init", "init_scale"}
    expected = P.layer_gradient_norms(6, 16, "sigmoid", "xavier", 1.0, 0, X, y)
    np.testing.assert_allclose(visible_heights(dash), expected, rtol=1e-9)
    assert "vanishing" in dash.status.value

    dash.controls["depth"].value = 10
    assert len(visible_heights(dash)) == 11
    sig10 = P.layer_gradient_norms(10, 16, "sigmoid", "xavier", 1.0, 0, X, y)
    np.testing.assert_allclose(visible_heights(dash), sig10, rtol=1e-9)
    lo, hi = dash.ax.get_ylim()
    assert lo <= sig10.min() and hi >= sig10.max()

    dash.controls["activation"].value = "relu"
    dash.controls["init"].value = "he"
    relu = P.layer_gradient_norms(10, 16, "relu", "he", 1.0, 0, X, y)
    np.testing.assert_allclose(visible_heights(dash), relu, rtol=1e-9)
    assert "healthy" in dash.status.value and dash.ax.get_xlim()[1] == pytest.approx(11.6)

    dash.controls["init_scale"].value = 4.0
    big = P.layer_gradient_norms(10, 16, "relu", "he", 4.0, 0, X, y)
    np.testing.assert_allclose(visible_heights(dash), big, rtol=1e-9)
    assert "exploding" in dash.status.value and "exploding" in dash.title.get_text()
    assert dash.reference.get_ydata()[0] == pytest.approx(big[-1])
    assert "overflowed" not in dash.status.value


def test_explorer_marks_overflowed_layers_without_red_green(closing, probe):
    X, y = probe
    dash = P.GradientFlowExplorer(depth=60, activation="relu", init="normal", init_scale=100.0,
                                  X=X, y=y, max_depth=60)
    closing(dash)
    g = dash.norms
    assert np.isinf(g).any()                                   # as in the overflow test above
    bars = [b for b in dash.bars if b.get_visible()]
    colors = {tuple(np.round(b.get_facecolor(), 3)) for b, v in zip(bars, g) if np.isinf(v)}
    from matplotlib.colors import to_rgba
    assert colors == {tuple(np.round(to_rgba(P._OVERFLOW_COLOR), 3))}
    assert "near-black bars: overflowed to inf" in dash.status.value


def test_explorer_hold_updates_once_and_messages(closing, probe):
    X, y = probe
    dash = P.GradientFlowExplorer(depth=3, width=8, X=X, y=y, max_depth=5)
    closing(dash)
    with dash.hold():
        dash.controls["depth"].value = 5
        dash.controls["activation"].value = "tanh"
    np.testing.assert_allclose(visible_heights(dash),
                               P.layer_gradient_norms(5, 8, "tanh", "xavier", 1.0, 0, X, y),
                               rtol=1e-9)
    with pytest.raises(ValueError, match=r"depth must be an integer in \[1, 5\], got 9"):
        P.GradientFlowExplorer(depth=9, max_depth=5)
    with pytest.raises(ValueError, match=r"init_scale must be in \[0.01, 100\] for the slider"):
        P.GradientFlowExplorer(init_scale=0.001)
