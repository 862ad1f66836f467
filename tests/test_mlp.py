"""gradlib.mlp: backprop against finite differences, curvature against full Hessians, training.

Oracles: numeric.gradcheck / numeric.gradient / numeric.hessian (finite differences of the loss),
a forward pass re-written here from the documented formulas, scipy (logsumexp, eigh), and
hand-rolled gradient-descent loops that use only ``MLP.gradient``.
"""
from __future__ import annotations

import math
import warnings
from collections.abc import Callable

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from scipy.special import expit, logsumexp

from gradlib import data, numeric, optim
from gradlib.mlp import ACTIVATIONS, INITS, LEAKY_SLOPE, OUTPUTS, MLP, EpochLog, History

SMOOTH = ("sigmoid", "tanh")
KINKED = ("relu", "leaky_relu")


# --------------------------------------------------------------------------- independent oracles
def _f(name: str, z: np.ndarray) -> np.ndarray:
    """Hidden activations written from their textbook definitions."""
    return {"sigmoid": lambda: 1.0 / (1.0 + np.exp(-z)), "tanh": lambda: np.tanh(z),
            "relu": lambda: np.where(z > 0, z, 0.0),
            "leaky_relu": lambda: np.where(z > 0, z, LEAKY_SLOPE * z)}[name]()


def reference_forward(net: MLP, X: np.ndarray, masks=None) -> tuple[np.ndarray, list[np.ndarray]]:
    """Output scores and hidden pre-activations, from the weights/biases views alone."""
    a, pre = X, []
    for i, (W, b) in enumerate(zip(net.weights, net.biases)):
        z = a @ W + b
        if i == net.n_layers - 1:
            return z, pre
        pre.append(z)
        a = _f(net.activation, z) * (1.0 if masks is None else masks[i])
    raise AssertionError


def layer_views(net: MLP, flat: np.ndarray) -> list[tuple[np.ndarray, np.ndarray]]:
    """(W_i, b_i) of a flat vector laid out like ``params``: [W_0, b_0, W_1, b_1, ...]."""
    out, k = [], 0
    for fan_in, fan_out in zip(net.sizes[:-1], net.sizes[1:]):
        W, k = flat[k:k + fan_in * fan_out].reshape(fan_in, fan_out), k + fan_in * fan_out
        b, k = flat[k:k + fan_out], k + fan_out
        out.append((W, b))
    assert k == flat.size
    return out


def reference_loss(net: MLP, X: np.ndarray, y: np.ndarray) -> float:
    """The documented losses, written independently (scipy's logsumexp for softmax)."""
    z, _ = reference_forward(net, X)
    m = X.shape[0]
    if net.output == "softmax":
        return float(np.mean(logsumexp(z, axis=1) - z[np.arange(m), y]))
    t = y.reshape(z.shape)
    if net.output == "sigmoid":
        p = expit(z)
        return float(-np.mean(t * np.log(p) + (1 - t) * np.log(1 - p)))
    return float(np.sum((z - t) ** 2) / (2 * m))


def loss_of_params(net: MLP, X: np.ndarray, y: np.ndarray, **kw) -> Callable:
    """p -> loss with parameters p, on a private copy of the network."""
    probe = net.copy()

    def f(p: np.ndarray) -> float:
        probe.params = p
        return probe.loss(X, y, **kw)
    return f


def grad_of_params(net: MLP, X: np.ndarray, y: np.ndarray, **kw) -> Callable:
    probe = net.copy()

    def g(p: np.ndarray) -> np.ndarray:
        probe.params = p
        return probe.gradient(X, y, **kw)
    return g


def targets(rng: np.random.Generator, output: str, m: int, k: int) -> np.ndarray:
    if output == "softmax":
        return rng.integers(0, k, m)
    if output == "sigmoid":
        return rng.integers(0, 2, m) if k == 1 else rng.integers(0, 2, (m, k)).astype(float)
    return rng.normal(size=m) if k == 1 else rng.normal(size=(m, k))


def far_from_kinks(net: MLP, X: np.ndarray, margin: float = 1e-4, masks=None) -> bool:
    if net.activation in SMOOTH:
        return True
    _, pre = reference_forward(net, X, masks)
    return all(np.abs(z).min() > margin for z in pre)


@st.composite
def problems(draw, activations=tuple(ACTIVATIONS), outputs=tuple(OUTPUTS), max_width=16,
             max_depth=4, max_m=8):
    """(net, X, y): depth 1..4 weight layers, widths 1..16 (softmax: >= 2 outputs)."""
    depth = draw(st.integers(1, max_depth))
    output = draw(st.sampled_from(outputs))
    widths = [draw(st.integers(1, max_width)) for _ in range(depth)]
    k = draw(st.integers(2 if output == "softmax" else 1, max_width))
    activation = draw(st.sampled_from(activations))
    init = draw(st.sampled_from(tuple(INITS)))
    scale = 0.5 if init == "normal" else 1.0
    seed = draw(st.integers(0, 2**16))
    m = draw(st.integers(1, max_m))
    rng = np.random.default_rng(seed + 1)
    net = MLP(widths + [k], activation, output, init=init, seed=seed, init_scale=scale)
    X = rng.normal(size=(m, widths[0]))
    return net, X, targets(rng, output, m, k)


# --------------------------------------------------------------------------- structure
def test_params_are_one_flat_vector_with_live_layer_views():
    net = MLP([3, 5, 2], seed=1)
    assert net.params.dtype == np.float64 and net.params.shape == (3 * 5 + 5 + 5 * 2 + 2,)
    assert [W.shape for W in net.weights] == [(3, 5), (5, 2)]
    assert [b.shape for b in net.biases] == [(5,), (2,)]
    for view in (*net.weights, *net.biases):
        assert np.shares_memory(view, net.params)
    net.weights[1][4, 1] = 7.5                       # writing a view writes params ...
    assert net.params[15 + 5 + 4 * 2 + 1] == 7.5     # ... at the documented offset
    net.biases[0][2] = -3.0
    assert net.params[15 + 2] == -3.0
    new = np.arange(net.n_params, dtype=float)
    net.params = new                                 # assigning params keeps the views live
    assert net.weights[0][0, 1] == 1.0 and net.biases[1][0] == net.n_params - 2
    new[0] = 99.0
    assert net.params[0] == 0.0                      # ... and copies, never aliases the caller
    with pytest.raises(AttributeError, match="sizes is fixed when the MLP is built"):
        net.sizes = (3, 2)                           # would desynchronise params and views
    twin = net.copy()
    twin.params[0] = -1.0
    assert net.params[0] == 0.0 and twin.sizes == net.sizes


def test_init_scales_match_their_documented_std():
    for init, std in [("he", math.sqrt(2 / 400)), ("xavier", math.sqrt(2 / 700)), ("normal", 1.0)]:
        for scale in (1.0, 3.0):
            net = MLP([400, 300, 2], init=init, init_scale=scale, seed=3)
            W = net.weights[0]
            assert abs(W.std() / (scale * std) - 1) < 0.01       # 120000 draws: ~0.2% noise
            assert abs(W.mean()) < 0.01 * scale * std
            assert not net.biases[0].any()
    assert not np.array_equal(MLP([4, 4, 2], seed=0).params, MLP([4, 4, 2], seed=1).params)
    assert np.array_equal(MLP([4, 4, 2], seed=5).params, MLP([4, 4, 2], seed=5).params)


@pytest.mark.parametrize("output", tuple(OUTPUTS))
@pytest.mark.parametrize("activation", tuple(ACTIVATIONS))
def test_loss_matches_the_documented_formula(activation, output):
    rng = np.random.default_rng(0)
    net = MLP([4, 6, 3], activation, output, seed=2)
    X = rng.normal(size=(9, 4))
    y = targets(rng, output, 9, 3)
    assert net.loss(X, y) == pytest.approx(reference_loss(net, X, y), rel=1e-12, abs=1e-14)
    z, _ = reference_forward(net, X)
    np.testing.assert_allclose(net.scores(X), z, rtol=1e-13, atol=1e-14)


def test_losses_stay_finite_and_silent_for_huge_scores():
    X = np.ones((2, 3))
    for output, y in [("softmax", np.array([0, 1])), ("sigmoid", np.array([0, 1]))]:
        k = 2 if output == "softmax" else 1
        net = MLP([3, k], output=output, init="normal", init_scale=1.0)
        net.params = np.concatenate([np.full(3 * k, 400.0), np.zeros(k)]) * \
            np.concatenate([np.tile([1.0, -1.0][:k], 3), np.ones(k)])
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            loss = net.loss(X, y)
        z, _ = reference_forward(net, X)
        if output == "softmax":          # |z| = 1200: exp would overflow without the shift
            expected = np.mean(logsumexp(z, axis=1) - z[np.arange(2), y])
        else:                            # log(1 + exp(1200)) = 1200 + log(1 + exp(-1200))
            expected = np.mean(np.logaddexp(0, z[:, 0]) - y * z[:, 0])
        assert math.isfinite(loss) and loss == pytest.approx(expected, rel=1e-12)


def test_squared_error_convention_is_half_the_mean_over_samples():
    """With one output and no hidden layer the net is linear regression:
    L = 1/(2m) sum (y - (t0 + t1 x))^2,  dL/dt0 = -(1/m) sum (y - yhat)."""
    x, y = data.linear(n=20, seed=4)
    net = MLP([1, 1], output="identity", seed=0)
    theta1, theta0 = net.params                     # layout [W_0 (1x1), b_0]
    resid = y - (theta0 + theta1 * x)
    assert net.loss(x[:, None], y) == pytest.approx(np.sum(resid ** 2) / (2 * len(x)), rel=1e-13)
    g = net.gradient(x[:, None], y)
    assert g[1] == pytest.approx(-np.mean(resid), rel=1e-12)
    assert g[0] == pytest.approx(-np.mean(resid * x), rel=1e-12)


def test_predictions_probabilities_and_accuracy_agree():
    X, y = data.spirals(n=90, seed=1)
    net = MLP([2, 8, 3], seed=0)
    p = net.predict_proba(X)
    np.testing.assert_allclose(p.sum(axis=1), 1.0, rtol=1e-12)
    z, _ = reference_forward(net, X)
    np.testing.assert_allclose(p, np.exp(z - logsumexp(z, axis=1, keepdims=True)), rtol=1e-12)
    assert np.array_equal(net.predict(X), p.argmax(axis=1))
    assert net.accuracy(X, y) == np.mean(net.predict(X) == y)

    Xm, ym = data.moons(n=50, seed=2)
    binary = MLP([2, 5, 1], "tanh", "sigmoid", seed=0)
    pb = binary.predict_proba(Xm)
    assert pb.shape == (50,) and np.array_equal(binary.predict(Xm), (pb > 0.5).astype(int))
    assert binary.accuracy(Xm, ym) == np.mean(binary.predict(Xm) == ym)

    reg = MLP([2, 4, 1], output="identity")
    assert reg.predict(Xm).shape == (50,)
    with pytest.raises(ValueError, match="predict_proba needs output='softmax' or 'sigmoid'"):
        reg.predict_proba(Xm)
    with pytest.raises(ValueError, match="accuracy needs output='softmax' or 'sigmoid'"):
        reg.accuracy(Xm, ym.astype(float))


# --------------------------------------------------------------------------- backprop
@settings(max_examples=40)
@given(problems())
def test_backprop_agrees_with_gradcheck(problem):
    net, X, y = problem
    assume(far_from_kinks(net, X))
    result = numeric.gradcheck(loss_of_params(net, X, y), grad_of_params(net, X, y), net.params)
    assert result.ok, str(result)


@settings(max_examples=25)
@given(problems(), st.floats(0.0, 0.5), st.floats(0.0, 0.5))
def test_penalised_gradient_agrees_with_gradcheck(problem, l1, l2):
    """L1 is differentiable away from w = 0, and no weight is exactly 0 after a normal init."""
    net, X, y = problem
    assume(far_from_kinks(net, X))
    assume(all(np.abs(W).min() > 1e-4 for W in net.weights))
    result = numeric.gradcheck(loss_of_params(net, X, y, l1=l1, l2=l2),
                               grad_of_params(net, X, y, l1=l1, l2=l2), net.params)
    assert result.ok, str(result)


def test_penalties_are_on_weights_only_with_the_documented_values():
    rng = np.random.default_rng(7)
    net = MLP([3, 4, 2], seed=7)
    net.weights[0][1, 2] = 0.0                     # a weight exactly at the kink of |w|
    X, y = rng.normal(size=(5, 3)), rng.integers(0, 2, 5)
    l1, l2 = 0.3, 0.05
    W = np.concatenate([w.ravel() for w in net.weights])
    assert net.loss(X, y, l1=l1, l2=l2) - net.loss(X, y) == pytest.approx(
        l1 * np.abs(W).sum() + 0.5 * l2 * (W ** 2).sum(), rel=1e-12)
    extra = net.gradient(X, y, l1=l1, l2=l2) - net.gradient(X, y)
    probe = MLP([3, 4, 2])
    probe.params = extra
    for Wg, Wp in zip(probe.weights, net.weights):
        np.testing.assert_allclose(Wg, l1 * np.sign(Wp) + l2 * Wp, atol=1e-15)
    assert probe.weights[0][1, 2] == pytest.approx(0.0, abs=1e-15)   # subgradient 0 at w = 0
    for bg in probe.biases:
        assert np.abs(bg).max() < 1e-15                                # biases not penalised


@settings(max_examples=30)
@given(problems(max_m=5, max_width=8))
def test_input_gradient_agrees_with_finite_differences(problem):
    net, X, y = problem
    assume(far_from_kinks(net, X, margin=1e-3))
    numeric_grad = numeric.gradient(lambda flat: net.loss(flat.reshape(X.shape), y), X.ravel())
    np.testing.assert_allclose(net.input_gradient(X, y).ravel(), numeric_grad,
                               rtol=1e-4, atol=1e-7)


@settings(max_examples=20)
@given(problems(outputs=("softmax", "sigmoid"), max_m=4, max_width=8), st.data())
def test_class_score_gradient_agrees_with_finite_differences(problem, draw):
    net, X, _ = problem
    assume(far_from_kinks(net, X, margin=1e-3))
    k = draw.draw(st.integers(0, net.sizes[-1] - 1))
    saliency = net.class_score_gradient(X, k)
    assert saliency.shape == X.shape
    for i in range(X.shape[0]):
        def score(x, i=i):
            Xi = X.copy()
            Xi[i] = x
            return net.scores(Xi)[i, k]
        np.testing.assert_allclose(saliency[i], numeric.gradient(score, X[i]), rtol=1e-4, atol=1e-7)


def test_layer_gradient_norms_are_the_norms_of_the_weight_blocks():
    X, y = data.spirals(n=60, seed=0)
    net = MLP([2, 7, 5, 3], "tanh", seed=0)
    probe = MLP([2, 7, 5, 3])
    probe.params = net.gradient(X, y)
    np.testing.assert_allclose(net.layer_gradient_norms(X, y),
                               [np.sqrt((W ** 2).sum()) for W in probe.weights], rtol=1e-13)


# --------------------------------------------------------------------------- dropout
def test_dropout_masks_are_seeded_inverted_and_have_rate_p():
    net = MLP([5, 300, 200, 2], dropout=0.25)
    masks = net.dropout_masks(400, seed=3)
    assert [mk.shape for mk in masks] == [(400, 300), (400, 200)]
    values = np.unique(np.concatenate([mk.ravel() for mk in masks]))
    np.testing.assert_allclose(values, [0.0, 1 / 0.75])
    dropped = np.mean(np.concatenate([mk.ravel() for mk in masks]) == 0)
    assert abs(dropped - 0.25) < 0.01                  # 200000 draws: sd ~ 0.001
    assert all(np.array_equal(a, b) for a, b in zip(masks, net.dropout_masks(400, seed=3)))
    assert not np.array_equal(masks[0], net.dropout_masks(400, seed=4)[0])


@settings(max_examples=20)
@given(problems(max_depth=4, max_m=6), st.floats(0.1, 0.7), st.integers(0, 1000))
def test_dropout_gradient_with_a_fixed_mask_agrees_with_gradcheck(problem, p, seed):
    net, X, y = problem
    assume(net.n_layers >= 2)
    net = MLP(net.sizes, net.activation, net.output, net.init, net.seed, dropout=p,
              init_scale=net.init_scale)
    masks = net.dropout_masks(X.shape[0], seed=seed)
    assume(far_from_kinks(net, X, masks=masks))
    f = loss_of_params(net, X, y, masks=masks)
    result = numeric.gradcheck(f, grad_of_params(net, X, y, masks=masks), net.params)
    assert result.ok, str(result)
    # the mask matters: a unit zeroed for row r passes nothing on, so row r's gradient reaches
    # none of its incoming weights (W_i[:, j], b_i[j] for a zero in masks[i][r, j]); a loss
    # comparison cannot say this (dropping a ReLU unit that is already 0 changes nothing)
    for r in range(X.shape[0]):
        grad = net.gradient(X[r:r + 1], y[r:r + 1], masks=[mk[r:r + 1] for mk in masks])
        for (gW, gb), mk in zip(layer_views(net, grad), masks):
            dropped = mk[r] == 0
            assert np.all(gW[:, dropped] == 0.0) and np.all(gb[dropped] == 0.0)


def test_dropout_mask_of_all_keeps_is_the_evaluation_network():
    rng = np.random.default_rng(0)
    net = MLP([3, 6, 4, 2], dropout=0.5, seed=1)
    X, y = rng.normal(size=(5, 3)), rng.integers(0, 2, 5)
    ones = [np.ones((5, 6)), np.ones((5, 4))]
    assert net.loss(X, y, masks=ones) == net.loss(X, y)
    np.testing.assert_array_equal(net.gradient(X, y, masks=ones), net.gradient(X, y))


# --------------------------------------------------------------------------- curvature
def tiny_problems():
    return problems(activations=SMOOTH, max_width=4, max_depth=2, max_m=5)


@settings(max_examples=30)
@given(problems(max_width=10, max_depth=3), st.integers(0, 10_000))
def test_hvp_agrees_with_finite_differences_of_the_gradient(problem, seed):
    net, X, y = problem
    assume(far_from_kinks(net, X, margin=1e-3))
    v = np.random.default_rng(seed).normal(size=net.n_params)
    grad = grad_of_params(net, X, y)
    eps = 1e-5
    fd = (grad(net.params + eps * v) - grad(net.params - eps * v)) / (2 * eps)
    hv = net.hvp(X, y, v)
    np.testing.assert_allclose(hv, fd, rtol=1e-4, atol=1e-6 * max(1.0, np.abs(fd).max()))


@settings(max_examples=15)
@given(tiny_problems(), st.integers(0, 10_000), st.floats(0.0, 1.0))
def test_hvp_agrees_with_the_full_finite_difference_hessian(problem, seed, l2):
    net, X, y = problem
    assume(net.n_params <= 40)
    H = numeric.hessian(loss_of_params(net, X, y, l2=l2), net.params)
    v = np.random.default_rng(seed).normal(size=net.n_params)
    np.testing.assert_allclose(net.hvp(X, y, v, l2=l2), H @ v, rtol=1e-4,
                               atol=1e-6 * max(1.0, np.abs(H).max()) * np.abs(v).sum())


def test_hvp_with_a_dropout_mask_is_the_hessian_of_the_masked_loss():
    rng = np.random.default_rng(3)
    net = MLP([3, 5, 4, 2], "tanh", dropout=0.4, seed=3)
    X, y = rng.normal(size=(6, 3)), rng.integers(0, 2, 6)
    masks = net.dropout_masks(6, seed=1)
    H = numeric.hessian(loss_of_params(net, X, y, masks=masks), net.params)
    for v in np.eye(net.n_params)[::7]:
        np.testing.assert_allclose(net.hvp(X, y, v, masks=masks), H @ v, rtol=1e-4, atol=1e-7)


@settings(max_examples=12)
@given(tiny_problems())
def test_sharpness_is_the_top_eigenvalue_of_the_full_hessian(problem):
    net, X, y = problem
    assume(3 <= net.n_params <= 40)
    H = numeric.hessian(loss_of_params(net, X, y), net.params)
    eig = np.linalg.eigh(H)[0]
    scale = max(1.0, np.abs(eig).max())
    assert net.sharpness(X, y) == pytest.approx(eig[-1], rel=1e-5, abs=1e-6 * scale)


def test_sharpness_picks_the_largest_eigenvalue_not_the_largest_magnitude():
    """Near this saddle-rich random init the most negative eigenvalue is larger in magnitude;
    sharpness must still return the top (algebraically largest) one."""
    for seed in range(40):
        rng = np.random.default_rng(seed)
        net = MLP([2, 6, 2], "tanh", "identity", init="normal", init_scale=2.0, seed=seed)
        X, y = rng.normal(size=(6, 2)), rng.normal(size=(6, 2)) * 5
        H = np.column_stack([net.hvp(X, y, e) for e in np.eye(net.n_params)])
        eig = np.linalg.eigh(0.5 * (H + H.T))[0]
        if -eig[0] > 1.5 * abs(eig[-1]):
            break
    else:
        pytest.fail("no saddle-dominated example found")
    assert net.sharpness(X, y) == pytest.approx(eig[-1], rel=1e-7)
    assert net.sharpness(X, y, l2=0.5) == pytest.approx(
        np.linalg.eigvalsh(0.5 * (H + H.T) + 0.5 * np.diag(_weight_mask(net)))[-1], rel=1e-7)


def _weight_mask(net: MLP) -> np.ndarray:
    probe = MLP(net.sizes)
    probe.params = np.zeros(net.n_params)
    for W in probe.weights:
        W[...] = 1.0
    return probe.params.copy()


def test_sharpness_of_a_two_parameter_network():
    """sizes (1, 1): too small for Lanczos; the Hessian of linear least squares is
    (1/m) [[sum x^2, sum x], [sum x, m]] in the layout [w, b]."""
    x, y = data.linear(n=30, seed=1)
    net = MLP([1, 1], output="identity")
    H = np.array([[np.sum(x * x), np.sum(x)], [np.sum(x), len(x)]]) / len(x)
    assert net.sharpness(x[:, None], y) == pytest.approx(np.linalg.eigvalsh(H)[-1], rel=1e-12)


# --------------------------------------------------------------------------- training
def moons_problem():
    X, y = data.moons(n=200, noise=0.2, seed=0)
    return X, y


OPTIMIZER_SETTINGS = {
    "gd": lambda: optim.gd(0.5), "momentum": lambda: optim.momentum(0.1),
    "nesterov": lambda: optim.nesterov(0.1), "adagrad": lambda: optim.adagrad(0.1),
    "rmsprop": lambda: optim.rmsprop(0.01), "adam": lambda: optim.adam(0.01),
    "adamw": lambda: optim.adamw(0.01),
}


def test_every_first_order_optimizer_is_covered():
    assert set(OPTIMIZER_SETTINGS) == {name for name, cls in optim.OPTIMIZERS.items()
                                       if not cls.needs_hessian}


@pytest.mark.parametrize("name", sorted(OPTIMIZER_SETTINGS))
def test_loss_decreases_on_moons_for_every_optimizer(name):
    X, y = moons_problem()
    net = MLP([2, 16, 16, 2], seed=0)
    before = net.loss(X, y)
    history = net.fit(X, y, OPTIMIZER_SETTINGS[name](), epochs=30, batch_size=20, seed=1)
    assert history.status == "finished" and history.epochs == 30
    after = net.loss(X, y)
    assert after < 0.5 * before, (before, after)
    assert history.loss[-1] < history.loss[0]
    assert net.accuracy(X, y) > 0.85


def test_full_batch_fit_is_plain_gradient_descent_on_the_gradient():
    """Oracle: a hand-written loop x <- x - lr * (gradient(X, y) + l2 W), clipped by norm."""
    X, y = moons_problem()
    net, ref = MLP([2, 8, 2], "tanh", seed=2), MLP([2, 8, 2], "tanh", seed=2)
    lr, l2, clip = 0.3, 0.01, 0.5
    history = net.fit(X, y, optim.gd(lr), epochs=5, l2=l2, clip=clip)
    losses, norms = [], []
    for _ in range(5):
        losses.append(ref.loss(X, y))
        norms.append(ref.layer_gradient_norms(X, y))
        g = ref.gradient(X, y, l2=l2)
        g *= min(1.0, clip / np.linalg.norm(g))
        ref.params = ref.params - lr * g
    np.testing.assert_allclose(net.params, ref.params, rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(history.loss, losses, rtol=1e-12)
    np.testing.assert_allclose(history.grad_norms, norms, rtol=1e-12)
    np.testing.assert_allclose(history.accuracy[0], MLP([2, 8, 2], "tanh", seed=2).accuracy(X, y))
    assert history.steps == 5 and np.all(history.lrs == lr)


def test_minibatch_epochs_visit_every_row_once():
    """With lr = 0 the parameters never move, so each epoch's running loss is the full loss,
    whatever the order of the batches, and its accuracy is the full accuracy."""
    X, y = moons_problem()
    net = MLP([2, 8, 2], seed=0)
    for batch_size in (1, 7, 64, 200):
        history = net.fit(X, y, optim.gd(0.0), epochs=2, batch_size=batch_size, record_steps=True)
        assert history.steps == 2 * math.ceil(200 / batch_size) == len(history.step_losses)
        np.testing.assert_allclose(history.loss, net.loss(X, y), rtol=1e-12)
        np.testing.assert_allclose(history.accuracy, net.accuracy(X, y))


def test_smaller_batches_give_noisier_step_losses():
    X, y = moons_problem()
    spreads = []
    for batch_size in (4, 32, 200):
        net = MLP([2, 8, 2], seed=0)
        h = net.fit(X, y, optim.gd(0.0), epochs=3, batch_size=batch_size, record_steps=True)
        spreads.append(np.std(h.step_losses))
    assert spreads[0] > spreads[1] > spreads[2] >= 0.0


def test_history_records_the_schedule_and_shapes():
    X, y = moons_problem()
    net = MLP([2, 8, 8, 2], seed=0)
    schedule = optim.step_decay(0.1, 0.5, 7)
    logs = []
    history = net.fit(X, y, optim.momentum(schedule), epochs=4, batch_size=50, callback=logs.append,
                      validation=(X[:40], y[:40]))
    assert isinstance(history, History) and history.status == "finished"
    np.testing.assert_allclose(history.lrs, [schedule(t) for t in range(16)])
    assert history.grad_norms.shape == (4, 3) and np.all(history.grad_norms > 0)
    assert history.step_losses is None
    assert [log.epoch for log in logs] == [0, 1, 2, 3] and isinstance(logs[0], EpochLog)
    np.testing.assert_allclose([log.loss for log in logs], history.loss)
    np.testing.assert_allclose([log.val_loss for log in logs], history.val_loss)
    assert history.val_loss[-1] == pytest.approx(net.loss(X[:40], y[:40]), rel=1e-12)
    assert history.val_accuracy[-1] == net.accuracy(X[:40], y[:40])
    assert history.best_epoch == int(np.argmin(history.val_loss))
    reg = MLP([1, 4, 1], output="identity")
    x, t = data.linear(n=30)
    assert reg.fit(x[:, None], t, optim.gd(0.01), epochs=2).accuracy is None


def test_same_seed_same_numbers_different_seed_different_numbers():
    X, y = moons_problem()

    def run(seed):
        net = MLP([2, 16, 16, 2], seed=0, dropout=0.2)
        h = net.fit(X, y, optim.adam(0.01), epochs=5, batch_size=16, seed=seed, record_steps=True)
        return net.params.copy(), h

    (p1, h1), (p2, h2), (p3, h3) = run(4), run(4), run(5)
    assert np.array_equal(p1, p2) and np.array_equal(h1.step_losses, h2.step_losses)
    assert np.array_equal(h1.grad_norms, h2.grad_norms)
    assert not np.array_equal(p1, p3)


def test_fit_never_mutates_the_callers_arrays():
    X, y = moons_problem()
    X0, y0 = X.copy(), y.copy()
    MLP([2, 4, 2]).fit(X, y, optim.gd(0.1), epochs=2, batch_size=10, validation=(X, y))
    assert np.array_equal(X, X0) and np.array_equal(y, y0)


def test_digits_reach_97_percent_test_accuracy_in_seconds():
    digits = data.digits()
    net = MLP([64, 128, 10], seed=0)
    steps = 40 * math.ceil(len(digits.y_train) / 64)
    history = net.fit(digits.X_train, digits.y_train, optim.momentum(optim.cosine_decay(0.1, steps)),
                      epochs=40, batch_size=64, seed=0)
    assert history.status == "finished"
    assert net.accuracy(digits.X_test, digits.y_test) >= 0.97


def test_early_stopping_restores_the_best_validation_parameters():
    X, y = data.moons(n=24, noise=0.35, seed=3)            # tiny noisy training set: overfits
    Xv, yv = data.moons(n=400, noise=0.35, seed=4)
    net = MLP([2, 64, 64, 2], seed=0)
    snapshots = []
    history = net.fit(X, y, optim.adam(0.02), epochs=400, validation=(Xv, yv), early_stopping=15,
                      callback=lambda log: snapshots.append(net.params.copy()))
    assert history.status == "stopped_early", history.message
    best = history.best_epoch
    assert best == int(np.argmin(history.val_loss))
    assert history.epochs == best + 16                     # 15 epochs without improvement
    assert np.array_equal(net.params, snapshots[best])
    assert net.loss(Xv, yv) == pytest.approx(history.val_loss[best], rel=1e-12)
    assert history.val_loss[-1] > history.val_loss[best]


def test_divergence_stops_restores_finite_parameters_and_stays_silent():
    """Squared error with a step far beyond 2/sharpness: the error grows geometrically until
    float64 overflows. (A ReLU classifier given an absurd step tends to die instead: all units
    switch off and the loss freezes, finite.)"""
    x, t = data.linear(n=40, seed=0)
    for batch_size in (None, 10):
        net = MLP([1, 8, 1], "tanh", "identity", seed=0)
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            history = net.fit(x[:, None], t, optim.gd(10.0), epochs=500, batch_size=batch_size,
                              record_steps=True)
        assert history.status == "diverged", history.message
        assert "non-finite" in history.message
        assert np.isfinite(net.params).all()
        assert math.isfinite(net.loss(x[:, None], t))
        assert np.isfinite(history.step_losses).all() and np.isfinite(history.loss).all()
        assert history.epochs < 500
        assert history.step_losses[-1] > 1e100           # it did blow up before stopping


def test_clipping_caps_every_step():
    X, y = moons_problem()
    net = MLP([2, 16, 2], init="normal", init_scale=3.0, seed=0)
    before = net.params.copy()
    net.fit(X, y, optim.gd(0.1), epochs=1, clip=1e-3)
    assert np.linalg.norm(net.params - before) <= 0.1 * 1e-3 * (1 + 1e-12)


# --------------------------------------------------------------------------- bad input
@pytest.mark.parametrize("kwargs, message", [
    (dict(sizes=[3]), r"sizes must have at least 2 entries"),
    (dict(sizes=[3, 0, 2]), r"sizes must be positive integers, got \[3, 0, 2\]"),
    (dict(sizes=[3, 2.5, 2]), r"sizes must be positive integers"),
    (dict(sizes=5), r"sizes must be a sequence of layer widths"),
    (dict(sizes=[3, 1]), r"sizes\[-1\] must be >= 2 for output='softmax'"),
    (dict(sizes=[3, 2], activation="swish"), r"activation must be one of 'sigmoid', 'tanh', 'relu', 'leaky_relu', got 'swish'"),
    (dict(sizes=[3, 2], output="linear"), r"output must be one of .*got 'linear'"),
    (dict(sizes=[3, 2], init="orthogonal"), r"init must be one of 'he', 'xavier', 'normal', got 'orthogonal'"),
    (dict(sizes=[3, 2], init_scale=0.0), r"init_scale must be a finite number > 0, got 0.0"),
    (dict(sizes=[3, 2], dropout=1.0), r"dropout must be a probability in \[0, 1\), got 1.0"),
    (dict(sizes=[3, 2], dropout=-0.1), r"dropout must be a probability in \[0, 1\)"),
    (dict(sizes=[3, 2], seed=-1), r"seed must be an integer >= 0, got -1"),
])
def test_bad_constructor_arguments(kwargs, message):
    with pytest.raises(ValueError, match=message):
        MLP(**kwargs)


def test_bad_data_names_the_argument_and_expected_shape():
    net = MLP([3, 4, 3])
    X, y = np.zeros((5, 3)), np.zeros(5, dtype=int)
    cases = [
        (lambda: net.loss(np.zeros(3), y), r"X must have shape \(m, 3\) with m >= 1 to match sizes\[0\]=3, got shape \(3,\)"),
        (lambda: net.loss(np.zeros((5, 4)), y), r"X must have shape \(m, 3\).*got shape \(5, 4\)"),
        (lambda: net.loss(np.zeros((0, 3)), y[:0]), r"X must have shape \(m, 3\) with m >= 1"),
        (lambda: net.loss(np.full((5, 3), np.nan), y), r"X must be finite: it contains NaN or inf"),
        (lambda: net.loss(np.full((5, 3), np.inf), y), r"X must be finite"),
        (lambda: net.loss(X, np.zeros(4, dtype=int)), r"y must have shape \(5,\) \(one class label per row of X\), got shape \(4,\)"),
        (lambda: net.loss(X, np.zeros(5)), r"y must hold integer class labels in \[0, 3\), got dtype float64"),
        (lambda: net.loss(X, np.array([0, 1, 2, 3, 0])), r"y must hold class labels in \[0, 3\) for sizes\[-1\]=3, got labels from 0 to 3"),
        (lambda: net.loss(X, np.array([0, -1, 2, 1, 0])), r"y must hold class labels in \[0, 3\)"),
        (lambda: net.loss(X, y, l2=-1.0), r"l2 must be a finite number >= 0, got -1.0"),
        (lambda: net.loss(X, y, l1=-0.5), r"l1 must be a finite number >= 0, got -0.5"),
        (lambda: net.gradient(X, y, masks=[np.ones((4, 4))]), r"masks must be one array per hidden layer with shapes \[\(5, 4\)\]"),
        (lambda: net.hvp(X, y, np.ones(3)), r"v must have shape \(31,\) like params, got shape \(3,\)"),
        (lambda: net.class_score_gradient(X, 3), r"k must be an output index in \[0, 3\), got 3"),
        (lambda: net.sharpness(X, y, iters=0), r"iters must be an integer >= 1, got 0"),
        (lambda: net.dropout_masks(0), r"m must be an integer >= 1, got 0"),
        (lambda: setattr(net, "params", np.zeros(5)), r"params must have shape \(31,\), got shape \(5,\)"),
        (lambda: setattr(net, "params", np.full(31, np.nan)), r"params must be finite"),
    ]
    for call, message in cases:
        with pytest.raises(ValueError, match=message):
            call()
    binary = MLP([3, 1], output="sigmoid")
    with pytest.raises(ValueError, match=r"y must hold targets in \[0, 1\] for output='sigmoid', got values from 0.0 to 2.0"):
        binary.loss(X, np.array([0, 1, 2, 0, 1]))
    with pytest.raises(ValueError, match=r"y must have shape \(5,\) or \(5, 1\) for 5 rows and sizes\[-1\]=1, got shape \(5, 2\)"):
        binary.loss(X, np.zeros((5, 2)))
    reg = MLP([3, 2], output="identity")
    with pytest.raises(ValueError, match=r"y must have shape \(5, 2\) for 5 rows and sizes\[-1\]=2, got shape \(5,\)"):
        reg.loss(X, np.zeros(5))
    with pytest.raises(ValueError, match=r"y must be finite"):
        reg.loss(X, np.full((5, 2), np.inf))


def test_bad_fit_arguments():
    X, y = moons_problem()
    net = MLP([2, 4, 2])
    sgd = optim.gd(0.1)
    cases = [
        (dict(optimizer=object()), r"optimizer must be a gradlib.optim optimizer with init, update and learning_rate"),
        (dict(optimizer=optim.newton()), r"needs the full Hessian, which fit does not form"),
        (dict(epochs=0), r"epochs must be an integer >= 1, got 0"),
        (dict(batch_size=0), r"batch_size must be None \(full batch\) or an integer in \[1, 200\]"),
        (dict(batch_size=201), r"batch_size must be None \(full batch\) or an integer in \[1, 200\].*got 201"),
        (dict(clip=0.0), r"clip must be None or a finite number > 0, got 0.0"),
        (dict(l1=-1e-3), r"l1 must be a finite number >= 0"),
        (dict(l2=float("nan")), r"l2 must be a finite number >= 0"),
        (dict(seed=-2), r"seed must be an integer >= 0"),
        (dict(callback=3), r"callback must be callable or None"),
        (dict(validation=X), r"validation must be a pair \(X_val, y_val\)"),
        (dict(validation=(X[:, :1], y)), r"validation\[0\] \(X_val\) must have shape \(m, 2\).*got shape \(200, 1\)"),
        (dict(validation=(X, y[:10])), r"validation\[1\] \(y_val\) must have shape \(200,\)"),
        (dict(early_stopping=5), r"early_stopping needs validation=\(X_val, y_val\)"),
        (dict(early_stopping=0, validation=(X, y)), r"early_stopping must be None or a patience \(integer >= 1 epochs\), got 0"),
    ]
    for kwargs, message in cases:
        args = dict(optimizer=sgd, epochs=1) | kwargs
        with pytest.raises(ValueError, match=message):
            net.fit(X, y, **args)
    with pytest.raises(ValueError, match=r"y must have shape \(200,\)"):
        net.fit(X, y[:-1], sgd, 1)
