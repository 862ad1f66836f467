"""gradlib.practice: range test, noise scale, data parallelism; and MLP.fit's update ratios.

Oracles: a network with no hidden layer and identity output is linear least squares, whose
Hessian (1/m) Ãᵀ Ã is constant and whose per-example gradients have a closed form."""
from __future__ import annotations

import math

import numpy as np
import pytest

from gradlib import optim, practice
from gradlib.mlp import MLP


@pytest.fixture
def regression():
    rng = np.random.default_rng(3)
    X = rng.normal(size=(120, 4)) * np.array([1.0, 2.0, 0.5, 1.5])
    y = (X @ np.array([0.5, -1.0, 2.0, 0.3]) + 0.7 + 0.3 * rng.normal(size=120)).reshape(-1, 1)
    net = MLP([4, 1], output="identity", seed=0)             # L = 1/(2m) ||X w + b - y||²
    return net, X, y


@pytest.fixture
def classification():
    rng = np.random.default_rng(5)
    X = rng.normal(size=(96, 3))
    y = (X[:, 0] + X[:, 1] ** 2 > 0.5).astype(int)
    return MLP([3, 8, 2], activation="tanh", seed=1), X, y


def _per_example_closed_form(net, X, y):
    w, b = net.weights[0][:, 0], net.biases[0][0]
    r = X @ w + b - y[:, 0]                                   # residuals
    return np.hstack([r[:, None] * X, r[:, None]])            # d/dw, d/db of ½ r_i²


def test_range_test_sweeps_geometrically_and_blows_up_just_past_two_over_lambda_max(regression) -> None:
    net, X, y = regression
    before = net.params.copy()
    A = np.hstack([X, np.ones((len(X), 1))])
    lam_max = np.linalg.eigvalsh(A.T @ A / len(X)).max()
    test = practice.lr_range_test(net, X, y, lr_min=1e-4, lr_max=10.0, steps=300)
    np.testing.assert_array_equal(net.params, before)        # the network passed in is untouched
    assert test.lrs[0] == pytest.approx(1e-4)
    ratios = test.lrs[1:] / test.lrs[:-1]
    assert np.allclose(ratios, (1e5) ** (1 / 299), rtol=1e-12)
    assert test.status == "diverged" and test.blowup_lr > 2 / lam_max
    # the losses are those of GD on the quadratic (1/2m)||A θ - y||², iterated in closed form
    theta, rates, expected = net.params.copy(), test.lrs, []
    for lr in rates:
        r = A @ theta - y[:, 0]
        expected.append(0.5 * r @ r / len(X))
        theta = theta - lr * (A.T @ r) / len(X)
    assert np.allclose(test.losses, expected, rtol=1e-10)
    # below 2/λmax every eigen-component of the error contracts: the loss can only go down
    below = test.lrs < 2 / lam_max
    assert np.all(np.diff(test.losses[below]) <= 0)
    # ... and the blow-up is late: a component that was already tiny needs many steps with
    # |1 - lr λmax| slightly > 1 to become visible, so the sweep overshoots 2/λmax
    assert test.best_lr < test.blowup_lr and test.suggested_lr == pytest.approx(test.best_lr / 10)
    assert len(test.losses) == len(test.lrs) == len(test.smoothed)
    assert test.snapshots == {}
    snap = practice.lr_range_test(net, X, y, lr_min=1e-4, lr_max=10.0, steps=300, snapshot_every=50)
    assert sorted(snap.snapshots) == list(range(0, len(snap.lrs), 50))
    np.testing.assert_array_equal(snap.snapshots[0], before)
    r = A @ snap.snapshots[50] - y[:, 0]                     # the parameters before step 50
    assert 0.5 * r @ r / len(X) == pytest.approx(snap.losses[50], rel=1e-12)


def test_range_test_errors(regression) -> None:
    net, X, y = regression
    with pytest.raises(ValueError, match=r"lr_max must be greater than lr_min.*lr_min=1.0, lr_max=0.1"):
        practice.lr_range_test(net, X, y, lr_min=1.0, lr_max=0.1)
    with pytest.raises(ValueError, match=r"steps"):
        practice.lr_range_test(net, X, y, steps=1)
    with pytest.raises(ValueError, match=r"batch_size must be an integer in \[1, 120\]"):
        practice.lr_range_test(net, X, y, batch_size=500)
    with pytest.raises(ValueError, match=r"lr_min"):
        practice.lr_range_test(net, X, y, lr_min=-1.0)
    with pytest.raises(ValueError, match=r"snapshot_every"):
        practice.lr_range_test(net, X, y, snapshot_every=0)
    with pytest.raises(ValueError, match=r"net must be a gradlib.mlp.MLP"):
        practice.lr_range_test("net", X, y)


def test_per_example_gradients_and_noise_scale_match_the_closed_form(regression) -> None:
    net, X, y = regression
    g = practice.per_example_gradients(net, X, y)
    expected = _per_example_closed_form(net, X, y)
    assert np.allclose(g, expected, rtol=1e-12, atol=1e-12)
    assert np.allclose(g.mean(axis=0), net.gradient(X, y), rtol=1e-12, atol=1e-14)
    G = expected.mean(axis=0)
    trace = np.mean(np.sum((expected - G) ** 2, axis=1))
    ns = practice.gradient_noise_scale(net, X, y)
    assert ns.grad_norm_sq == pytest.approx(G @ G, rel=1e-12)
    assert ns.trace_sigma == pytest.approx(trace, rel=1e-12)
    assert ns.b_noise == pytest.approx(trace / (G @ G), rel=1e-12)


@pytest.mark.parametrize("batch", [1, 8, 30, 96])
def test_minibatch_variance_follows_the_finite_population_formula(classification, batch) -> None:
    net, X, y = classification
    trace = practice.gradient_noise_scale(net, X, y).trace_sigma
    predicted = practice.predicted_minibatch_variance(trace, len(X), batch)
    measured = practice.minibatch_gradient_variance(net, X, y, batch, draws=3000, seed=0)
    if batch == len(X):
        assert predicted == 0.0 and measured < 1e-25          # the whole set: no noise at all
    else:
        assert measured == pytest.approx(predicted, rel=0.08)  # 3000 draws: a few % sampling error


def test_smaller_batches_are_noisier(classification) -> None:
    net, X, y = classification
    variances = [practice.minibatch_gradient_variance(net, X, y, b, draws=400, seed=1) for b in (2, 8, 32)]
    assert variances[0] > variances[1] > variances[2]


@pytest.mark.parametrize("workers", [1, 2, 3, 7, 96])
def test_averaging_the_workers_gradients_is_the_batch_gradient(classification, workers) -> None:
    net, X, y = classification
    loss, grad = practice.data_parallel_gradient(net, X, y, workers)
    ref_loss, ref_grad = net.loss_and_gradient(X, y)
    assert loss == pytest.approx(ref_loss, rel=1e-12)
    assert np.max(np.abs(grad - ref_grad)) <= 1e-12 * np.max(np.abs(ref_grad))


def test_data_parallel_errors(classification) -> None:
    net, X, y = classification
    with pytest.raises(ValueError, match=r"workers must be an integer in \[1, 96\].*got 97"):
        practice.data_parallel_gradient(net, X, y, 97)
    with pytest.raises(ValueError, match=r"workers x batch_per_worker must be at most the 96 rows"):
        practice.data_parallel_sgd(net, X, y, optim.gd(0.1), workers=8, batch_per_worker=16, steps=3)
    with pytest.raises(ValueError, match=r"sync_every"):
        practice.data_parallel_sgd(net, X, y, optim.gd(0.1), 2, 4, 3, sync_every=0)


def _plain_sgd(net, X, y, opt, batch, steps, seed):
    """SGD with batch `batch` on the same seeded row stream (reshuffle when a batch won't fit)."""
    rng, order, pos = np.random.default_rng(seed), np.arange(len(X)), len(X)
    p = net.params.copy()
    state = opt.init(p)
    work = net.copy()
    for _ in range(steps):
        if pos + batch > len(X):
            order, pos = rng.permutation(len(X)), 0
        rows = order[pos:pos + batch]
        pos += batch
        work.params = p
        p, state = opt.update(p, work.gradient(X[rows], y[rows]), state)
    return p


def test_synchronous_data_parallel_sgd_is_sgd_with_a_k_times_larger_batch(classification) -> None:
    net, X, y = classification
    run = practice.data_parallel_sgd(net, X, y, optim.momentum(0.2), workers=4, batch_per_worker=6,
                                     steps=25, seed=2)
    direct = _plain_sgd(net, X, y, optim.momentum(0.2), batch=24, steps=25, seed=2)
    assert run.status == "finished" and run.steps == run.rounds == 25 and len(run.losses) == 26
    assert np.max(np.abs(run.params - direct)) < 1e-12


def test_local_sgd_communicates_less_and_with_one_worker_is_plain_sgd(classification) -> None:
    net, X, y = classification
    one = practice.data_parallel_sgd(net, X, y, optim.gd(0.3), workers=1, batch_per_worker=8,
                                     steps=20, sync_every=5, seed=0)
    assert one.rounds == 4 and one.steps == 20
    assert np.max(np.abs(one.params - _plain_sgd(net, X, y, optim.gd(0.3), 8, 20, 0))) < 1e-12
    local = practice.data_parallel_sgd(net, X, y, optim.gd(0.3), workers=4, batch_per_worker=8,
                                       steps=20, sync_every=3, seed=0)
    assert local.rounds == math.ceil(20 / 3) and local.steps == 20
    assert local.losses[-1] < local.losses[0]


def test_fit_records_update_to_weight_ratios(classification) -> None:
    net, X, y = classification
    w0 = [w.copy() for w in net.weights]
    g0 = net.gradient(X, y)
    lr = 0.05
    h = net.copy().fit(X, y, optim.gd(lr), epochs=3, record_steps=True)
    assert h.update_ratios.shape == (3, 2)
    # first full-batch GD step: W_new - W = -lr dL/dW, so the ratio is lr ||dL/dW|| / ||W||
    gW = net._views(g0)[0]
    expected = [lr * np.linalg.norm(g) / np.linalg.norm(w) for g, w in zip(gW, w0)]
    assert np.allclose(h.update_ratios[0], expected, rtol=1e-12)
    assert net.copy().fit(X, y, optim.gd(lr), epochs=1).update_ratios is None


def test_loss_curves_reads_as_the_regimes_say() -> None:
    low, good, high = (practice.loss_curves(lr, epochs=30) for lr in (0.002, 0.3, 50.0))
    assert len(good.train) == len(good.val) == 30 and good.status == "finished"
    assert low.train[-1] > 1.5 and low.train[-1] < low.train[0]            # too low: slow
    assert good.train[-1] < 0.1 and good.val[-1] - good.train[-1] > 0.05  # fits; a gap remains
    assert high.status == "diverged" or high.train[-1] > high.train[0]    # too high
    with pytest.raises(ValueError, match=r"batch_size must be an integer in \[1, 300\]"):
        practice.loss_curves(0.1, batch_size=301)
    with pytest.raises(ValueError, match=r"lr"):
        practice.loss_curves(-0.1)
