"""Tests for gradlib.experiments_pathologies (no widgets): per-layer gradient norms against
slices of MLP.gradient, the toy chain's Jacobian products against finite differences and closed
forms, sharpness traces against an independent gradient-descent loop and eigh of a
finite-difference Hessian, and the gradient-flow explorer's frame against the same oracles."""
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gradlib import experiments_pathologies as P
from gradlib import numeric, optim
from gradlib.mlp import MLP


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




# --- the gradient-flow explorer's frame -------------------------------------------------------
def oracle_norms(depth, width, activation, init, scale, seed, X, y):
    """||dL/dW_l|| read off MLP.gradient's flat layout (independent of layer_gradient_norms)."""
    sizes = [X.shape[1]] + [width] * depth + [10]
    net = MLP(sizes, activation=activation, output="softmax", init=init, seed=seed, init_scale=scale)
    return np.array([np.sqrt(np.sum(s ** 2)) for s in weight_slices(sizes, net.gradient(X, y))])


def visible(layer, step, n_steps):
    """The points the page shows at ``step`` (canvas.js visibleRange, written again here)."""
    n = len(layer.xy)
    if layer.reveal == "upto":
        return layer.xy[: min(n, step + 1)]
    if layer.reveal == "at":
        k = min(step, n - 1)
        return layer.xy[k: k + 1]
    if layer.reveal == "end":
        return layer.xy if step >= n_steps else layer.xy[:0]
    return layer.xy


def nice_step(lo, hi, count=4):
    """The tick step canvas.js niceTicks picks for [lo, hi] (written again here)."""
    raw = (hi - lo) / count
    mag = 10.0 ** math.floor(math.log10(raw))
    return next(m * mag for m in (1, 2, 2.5, 5, 10) if m * mag >= raw)


def flow(depth=10, activation="sigmoid", init="xavier", scale=1.0, **kw):
    return P.GradientFlowSettings(depth, kw.pop("width", 16), activation, init, scale, **kw)


CASES = [dict(depth=10, activation="sigmoid", init="xavier"),              # vanishing
         dict(depth=8, activation="tanh", init="xavier"),                  # healthy
         dict(depth=12, activation="relu", init="normal"),                 # exploding
         dict(depth=1, activation="leaky_relu", init="he", scale=0.3)]


@pytest.mark.parametrize("case", CASES)
def test_flow_frame_draws_the_norms_of_the_gradient_slices(probe, case):
    X, y = probe
    s = flow(**case)
    g = P.gradient_flow_norms(s, X, y)
    expected = oracle_norms(s.depth, s.width, s.activation, s.init, s.init_scale, 0, X, y)
    np.testing.assert_allclose(g, expected, rtol=1e-12)
    frame = P.gradient_flow_frame(s, g)
    L = s.depth + 1
    profile, sweep = [layer for layer in frame.layers if layer.style["label"] == P.NORM_LABEL
                      and layer.kind == "line"]
    np.testing.assert_array_equal(profile.xy[:, 0], np.arange(1, L + 1))
    np.testing.assert_allclose(profile.xy[:, 1], expected, rtol=1e-12)
    np.testing.assert_array_equal(sweep.xy, profile.xy[::-1])             # output layer first
    assert (profile.reveal, sweep.reveal) == ("all", "upto")
    assert frame.n_steps == s.depth >= 1 and frame.kind == "info"
    assert frame.status == P.gradient_flow_status(s, g)
    assert frame.status.startswith(P.diagnose(expected) + "; ")
    assert f"first layer {expected[0]:.1e}, output layer {expected[-1]:.1e}" in frame.status
    assert frame.charts["norms"]["title"] == (f"{s.activation}, init {s.init} × {s.init_scale:.3g}, "
                                              f"depth {s.depth}: {P.diagnose(expected).split(':')[0]}")


def test_flow_frame_defaults_to_the_probe_batch():
    s = flow(depth=3, width=8)
    X, y = P.probe_data()
    frame = P.gradient_flow_frame(s)
    np.testing.assert_allclose(frame.layer(P.NORM_LABEL).xy[:, 1],
                               oracle_norms(3, 8, "sigmoid", "xavier", 1.0, 0, X, y), rtol=1e-12)


def test_flow_play_is_the_backward_pass_layer_by_layer(probe):
    X, y = probe
    s = flow(depth=6, activation="sigmoid", init="xavier")
    g = oracle_norms(6, 16, "sigmoid", "xavier", 1.0, 0, X, y)
    frame = P.gradient_flow_frame(s, g)
    L = 7
    sweep = [layer for layer in frame.layers if layer.reveal == "upto"][0]
    (current,) = [layer for layer in frame.layers if layer.kind == "points" and layer.reveal == "at"]
    (caption,) = [layer for layer in frame.layers if layer.kind == "text"]
    assert caption.reveal == "at" and caption.style["label"] == P.SWEEP_LABEL
    assert len(caption.texts) == len(caption.xy) == L and len(current.xy) == L
    for t in range(frame.n_steps + 1):
        l = L - t                                        # the layer the backward pass reached
        shown = visible(sweep, t, frame.n_steps)
        np.testing.assert_array_equal(shown[:, 0], np.arange(L, l - 1, -1))
        np.testing.assert_allclose(shown[:, 1], g[::-1][: t + 1], rtol=1e-12)
        (point,) = visible(current, t, frame.n_steps)
        assert point[0] == l and point[1] == pytest.approx(g[l - 1], rel=1e-12)
        text = caption.texts[t]
        if t == 0:
            assert text == f"the backward pass starts at the output layer {L}: {g[-1]:.1e}"
        else:
            assert text == f"layer {l}: {g[l - 1]:.1e} = {g[l - 1] / g[l]:.2g} × layer {l + 1}'s"
    # the caption stays at one place (the chart's top left); only its words change
    assert np.all(caption.xy == caption.xy[0])


def test_flow_reference_and_thresholds_are_those_of_diagnose(probe):
    X, y = probe
    seen = set()
    for case in CASES + [dict(depth=20, activation="relu", init="he", scale=4.0),
                         dict(depth=4, activation="relu", init="xavier", scale=0.05)]:
        s = flow(**case)
        g = P.gradient_flow_norms(s, X, y)
        frame = P.gradient_flow_frame(s, g)
        ref = frame.layer(P.OUTPUT_LABEL).xy
        np.testing.assert_array_equal(ref[:, 1], [g[-1], g[-1]])
        assert tuple(ref[:, 0]) == tuple(frame.charts["norms"]["xlim"])      # across the chart
        lines = frame.layer(P.THRESHOLD_LABEL).xy
        lower, upper = lines[0, 1], lines[-1, 1]
        assert lower == pytest.approx(P.VANISHING * g[-1]) and upper == pytest.approx(P.EXPLODING * g[-1])
        assert np.isnan(lines[2]).all()                                     # two separate lines
        word = frame.status.split(":")[0]
        # the first layer below the lower line is "vanishing", above the upper "exploding"
        assert (g[0] < lower) == frame.status.startswith("vanishing: the first layer")
        assert (g[0] > upper) == frame.status.startswith("exploding: the first layer")
        seen.add(word)
    assert {"vanishing", "healthy", "exploding", "vanishing everywhere"} <= seen


@pytest.mark.parametrize("depth", range(1, P.MAX_DEPTH + 1))
def test_flow_chart_limits_hold_every_mark_in_whole_decades_and_layers(depth):
    rng = np.random.default_rng(depth)
    g = 10.0 ** rng.uniform(-12, 8, depth + 1)
    frame = P.gradient_flow_frame(flow(depth=depth), g)
    chart = frame.charts["norms"]
    lo, hi = chart["ylim"]
    assert chart["ylog"] and math.log10(lo) == round(math.log10(lo)) and math.log10(hi) == round(math.log10(hi))
    assert lo <= min(g.min(), 1e-2 * g[-1], 1e-3) and hi >= max(g.max(), 1e2 * g[-1], 1.0)
    x0, x1 = chart["xlim"]
    assert x0 < 1 and x1 > depth + 1
    if depth not in (7, 8):
        assert (x0, x1) == (0.4, depth + 1.6)
    step = nice_step(x0, x1)
    assert step == round(step)                     # the page's x ticks fall on whole layers
    # a band at the top stays free for the page's legend (canvas.js: 6 + 3 + 14 per row + 3 px)
    (box,) = [p.bbox for p in P.gradient_flow_scene().panels]
    labels = {layer.style["label"] for layer in frame.layers if layer.kind != "text"}
    band = (16 + 14 * len(labels)) / box[3] * (math.log10(hi) - math.log10(lo))
    for layer in frame.layers:
        ys = layer.xy[:, 1][np.isfinite(layer.xy[:, 1])]
        if layer.kind == "text":                   # the caption sits in that band
            assert np.all(np.log10(ys) > math.log10(hi) - band)
        else:
            assert np.all(np.log10(ys) <= math.log10(hi) - band + 1e-9), layer.style["label"]


def test_every_mark_is_named():
    frame = P.gradient_flow_frame(flow(depth=5), [1e-4, 1e-3, 1e-2, 1e-1, 1.0, 2.0])
    assert all(layer.style.get("label") for layer in frame.layers)
    assert {layer.style["label"] for layer in frame.layers} == {
        P.NORM_LABEL, P.OUTPUT_LABEL, P.THRESHOLD_LABEL, P.SWEEP_LABEL}
    # colour-blind safe: the activation's colour, its pale profile, black and greys
    colors = {layer.style.get("color") for layer in frame.layers} - {None}
    assert colors == {P.ACTIVATION_COLORS["sigmoid"], P._light(P.ACTIVATION_COLORS["sigmoid"]),
                      "#000000", "#666666", "#111111"}
    assert P._light("#7570b3", 0.4) == "#" + "".join(
        f"{round(255 - 0.4 * (255 - c)):02x}" for c in (0x75, 0x70, 0xb3))


def test_overflowed_layers_get_triangles_above_every_finite_norm():
    g = np.array([math.inf, math.inf, 3e5, 2e3, 40.0, 1.0])
    frame = P.gradient_flow_frame(flow(depth=5), g)
    (tri,) = [layer for layer in frame.layers if layer.style["label"] == P.OVERFLOW_LABEL]
    assert tri.kind == "points" and tri.reveal == "upto" and tri.style["marker"] == "^"
    assert tri.style["fill"] == P.OVERFLOW_COLOR == "#222222"        # near-black, not red/green
    drawn = tri.xy[np.isfinite(tri.xy[:, 0])]
    assert sorted(drawn[:, 0]) == [1.0, 2.0]                          # exactly the inf layers
    assert np.all(drawn[:, 1] > 1e2 * 1.0) and np.all(drawn[:, 1] > 3e5)
    assert visible(tri, 3, 5)[np.isfinite(visible(tri, 3, 5)[:, 0])].size == 0   # not reached yet
    assert len(visible(tri, 4, 5)[np.isfinite(visible(tri, 4, 5)[:, 0])]) == 1
    profile = frame.layer(P.NORM_LABEL).xy
    assert np.isnan(profile[:2, 1]).all() and np.all(np.isfinite(profile[2:]))   # the line breaks
    assert frame.status == ("exploding: a gradient overflowed to inf; first layer inf, output layer "
                            "1.0e+00; 2 of 6 layers overflowed to inf (near-black triangles at the "
                            "top of the chart)")
    (caption,) = [layer for layer in frame.layers if layer.kind == "text"]
    assert caption.texts[-1] == "layer 1: overflowed to inf"
    assert caption.texts[-3] == "layer 3: 3.0e+05 = 1.5e+02 × layer 4's"
    assert caption.texts[-2] == "layer 2: overflowed to inf"


def test_a_real_overflow_and_all_layers_overflowing(probe):
    X, y = probe
    s = flow(depth=60, activation="relu", init="normal", scale=100.0, width=64)
    g = P.gradient_flow_norms(s, X, y)
    assert np.isinf(g).all()
    frame = P.gradient_flow_frame(s, g)
    assert "61 of 61 layers overflowed" in frame.status and "nan" not in frame.status.lower()
    assert frame.status.startswith("exploding")
    labels = [layer.style["label"] for layer in frame.layers]
    assert P.OUTPUT_LABEL not in labels and P.OVERFLOW_LABEL in labels     # no reference to draw
    assert len(frame.layer(P.NORM_LABEL).xy) == 61 and np.isnan(frame.layer(P.NORM_LABEL).xy[:, 1]).all()


def test_zero_norms_stand_on_the_floor():
    frame = P.gradient_flow_frame(flow(depth=2), [0.0, 0.0, 0.0])
    assert frame.status == ("vanishing everywhere: the last layer's gradient is exactly 0; first "
                            "layer 0.0e+00, output layer 0.0e+00")
    profile = frame.layer(P.NORM_LABEL).xy
    assert np.all(profile[:, 1] == frame.charts["norms"]["ylim"][0])
    assert {layer.style["label"] for layer in frame.layers} == {P.NORM_LABEL, P.SWEEP_LABEL}
    frame = P.gradient_flow_frame(flow(depth=2), [0.0, 1e-3, 1.0])
    assert frame.status.startswith("vanishing: the first layer's gradient is exactly 0")


@pytest.mark.parametrize("activation", P.ACTIVATIONS)
@pytest.mark.parametrize("init", P.INITS)
def test_no_status_or_caption_says_nan(probe, activation, init):
    X, y = probe
    for depth, scale in ((3, 0.01), (12, 1.0), (25, 8.0)):
        s = flow(depth=depth, activation=activation, init=init, scale=scale)
        frame = P.gradient_flow_frame(s, P.gradient_flow_norms(s, X, y))
        (caption,) = [layer for layer in frame.layers if layer.kind == "text"]
        for text in (frame.status, frame.charts["norms"]["title"], *caption.texts):
            assert "nan" not in text.lower().replace("than", "")
        for layer in frame.layers:
            assert not np.isinf(layer.xy).any()


def test_flow_frame_and_scene_sizes():
    sizes = {d: P.gradient_flow_frame(flow(depth=d), 10.0 ** -np.arange(d + 1.0)[::-1]).nbytes
             for d in (10, 30, 60)}
    print(f"gradient-flow frame bytes: {sizes}")
    assert sizes[10] < 3_500 and sizes[30] < 5_500 and sizes[60] < 9_000
    scene = P.gradient_flow_scene()
    assert scene.nbytes < 10_000 and scene.image.startswith(b"\x89PNG")
    assert (scene.width, scene.height) == (700, 380)
    (panel,) = scene.panels
    assert panel.name == "norms" and panel.kind == "chart" and panel.bbox == (80.0, 34.0, 604.0, 294.0)
    assert "input side" in panel.xlabel and "log scale" in scene.alt
    assert P.gradient_flow_scene() is scene                                  # rendered once


def test_snapshot_draws_the_frame():
    from gradlib.scene import snapshot
    frame = P.gradient_flow_frame(flow(depth=4), [1e-6, 1e-5, 1e-4, 1e-3, 1e-2])
    fig = snapshot(P.gradient_flow_scene(), frame)
    (ax,) = fig.axes
    assert ax.get_yscale() == "log" and ax.get_ylim() == pytest.approx(frame.charts["norms"]["ylim"])
    assert ax.get_title() == frame.charts["norms"]["title"]
    assert {t.get_text() for t in ax.get_legend().get_texts()} == {
        P.NORM_LABEL, P.OUTPUT_LABEL, P.THRESHOLD_LABEL}
    assert [t.get_text() for t in ax.texts] == ["layer 1: 1.0e-06 = 0.1 × layer 2's"]


@pytest.mark.parametrize("settings_, norms, match", [
    ("depth 3", None, r"settings must be a GradientFlowSettings, got str"),
    (P.GradientFlowSettings(depth=0), None, r"depth must be an integer in \[1, 60\], got 0"),
    (P.GradientFlowSettings(depth=61), None, r"depth must be an integer in \[1, 60\], got 61"),
    (P.GradientFlowSettings(activation="gelu"), None, r"activation must be one of .*got 'gelu'"),
    (P.GradientFlowSettings(init="lecun"), None, r"init must be one of .*got 'lecun'"),
    (P.GradientFlowSettings(init_scale=0.0), None, r"init_scale must be a finite number in \(0, 100.0\]"),
    (P.GradientFlowSettings(init_scale=math.nan), None, r"init_scale must be a finite number"),
    (P.GradientFlowSettings(width=0), None, r"width must be an integer in \[1, 1024\], got 0"),
    (P.GradientFlowSettings(figsize=(1.0, 3.0)), None, r"figsize must be a pair of numbers in \[3, 20\]"),
    (P.GradientFlowSettings(depth=2), [1.0, 2.0], r"norms must hold depth \+ 1 = 3 gradient norms"),
    (P.GradientFlowSettings(depth=2), [1.0, math.nan, 2.0], r"norms must hold .*never NaN"),
    (P.GradientFlowSettings(depth=2), [1.0, -1.0, 2.0], r"norms must hold depth \+ 1 = 3 gradient norms >= 0"),
    (P.GradientFlowSettings(depth=2), "abc", r"norms must"),
])
def test_flow_frame_refuses_bad_input(settings_, norms, match):
    with pytest.raises(ValueError, match=match):
        P.gradient_flow_frame(settings_, norms)


def test_sweep_caption_messages():
    assert P.sweep_caption([2.0, 4.0], 2) == "the backward pass starts at the output layer 2: 4.0e+00"
    assert P.sweep_caption([2.0, 4.0], 1) == "layer 1: 2.0e+00 = 0.5 × layer 2's"
    assert P.sweep_caption([2.0, math.inf, 4.0], 1) == "layer 1: 2.0e+00"       # nothing to divide by
    assert P.sweep_caption([2.0, 0.0, 4.0], 1) == "layer 1: 2.0e+00"
    with pytest.raises(ValueError, match=r"layer must be an integer in \[1, 2\], got 3"):
        P.sweep_caption([1.0, 2.0], 3)
