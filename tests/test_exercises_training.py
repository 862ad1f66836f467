"""The training notebook's checkers: a correct solution passes, typical wrong ones are named."""
from __future__ import annotations

import itertools

import numpy as np
import pytest

from gradlib import practice
from gradlib.exercises.training import (check_minibatch_noise, check_training_loop,
                                        minibatch_noise_reference, noise_cases, train_cases,
                                        training_loop_reference)
from gradlib.widgets import training as widgets_training


# --- the minibatch training loop ----------------------------------------------------------------
def make_loop(*, rng_per_epoch=False, drop_last=False, reset_state=False, epoch_mean="rows",
              shuffle_y=True, loss_after=False, set_params_at_end=True, global_rng=False,
              sort_rows=False, return_steps_only=False, shuffle_in_place=False):
    """A learner's loop, right by default; each flag is one typical mistake."""
    def fit_minibatch(net, X, y, opt, epochs, batch_size, seed):
        N = X.shape[0]
        rng = np.random.default_rng(seed)
        params = net.params.copy()
        state = opt.init(params)
        step_losses, epoch_losses = [], []
        for epoch in range(epochs):
            if rng_per_epoch:
                rng = np.random.default_rng(seed)
            if reset_state:
                state = opt.init(params)
            if shuffle_in_place:
                rng.shuffle(X)
                order = np.arange(N)
            else:
                order = np.random.permutation(N) if global_rng else rng.permutation(N)
            total, losses = 0.0, []
            stop = N - batch_size + 1 if drop_last else N
            for s in range(0, stop, batch_size):
                rows = order[s:s + batch_size]
                if sort_rows:
                    rows = np.sort(rows)
                net.params = params
                loss, grad = net.loss_and_gradient(X[rows], y[rows] if shuffle_y else y[s:s + batch_size])
                params, state = opt.update(params, grad, state)
                if loss_after:
                    net.params = params
                    loss = net.loss(X[rows], y[rows])
                step_losses.append(loss)
                losses.append(loss)
                total += loss * len(rows)
            if epoch_mean == "rows":
                epoch_losses.append(total / N)
            elif epoch_mean == "steps":
                epoch_losses.append(np.mean(losses))
            else:                                         # "end": the whole set after the epoch
                net.params = params
                epoch_losses.append(net.loss(X, y))
        if set_params_at_end:
            net.params = params
        # else: net keeps the parameters of the last gradient, one update behind
        return step_losses if return_steps_only else (step_losses, epoch_losses)
    return fit_minibatch


def test_the_reference_loop_is_fit_bit_for_bit():
    """The checker's own reference loop (used for the hints) against MLP.fit itself."""
    for case in train_cases():
        net = case.net.copy()
        h = net.fit(case.X, case.y, case.opt, case.epochs, case.batch_size, seed=case.seed,
                    record_steps=True)
        run = training_loop_reference(case.net, case.X, case.y, case.opt, case.epochs,
                                      case.batch_size, case.seed)
        assert np.array_equal(run.step_losses, h.step_losses)
        assert np.array_equal(run.params, net.params)
        np.testing.assert_allclose(run.epoch_losses, h.loss, rtol=1e-14)
        assert case.X.shape[0] % case.batch_size != 0          # a partial last batch
        assert not np.array_equal(net.params, case.net.params)  # the case net itself is untouched


def test_check_training_loop_accepts_the_right_loop_and_the_stub_runs():
    r = check_training_loop(make_loop())
    assert r.ok and "bit for bit" in r.message
    def stub(net, X, y, opt, epochs, batch_size, seed):
        raise NotImplementedError
    r = check_training_loop(stub)
    assert r.status == "not implemented yet" and not r.ok


@pytest.mark.parametrize("flags, says", [
    (dict(rng_per_epoch=True), "The same order in every epoch"),
    (dict(drop_last=True), "You dropped the last, partial minibatch"),
    (dict(reset_state=True), "The optimizer state is reset every epoch"),
    (dict(epoch_mean="steps"), "the plain mean of the epoch's step losses"),
    (dict(epoch_mean="end"), "the loss on all N rows AFTER the epoch"),
    (dict(shuffle_y=False), "The labels are not shuffled with the rows"),
    (dict(loss_after=True), "measured AFTER each update"),
    (dict(set_params_at_end=False), "it must end with the parameters after the LAST update"),
    (dict(global_rng=True), "Already the first minibatch differs"),
    (dict(sort_rows=True), "agree with fit's to 1e-12 but not bit for bit"),
    (dict(return_steps_only=True), "return two sequences, (step_losses, epoch_losses)"),
    (dict(shuffle_in_place=True), "changed X or y in place"),
])
def test_check_training_loop_names_the_mistake(flags, says):
    r = check_training_loop(make_loop(**flags))
    assert not r.ok and r.status == "failed"
    assert says in r.message, r.message


def test_a_reset_state_shows_where_the_second_epoch_goes_wrong():
    r = check_training_loop(make_loop(reset_state=True))
    assert "first differ at step 5 (counting from 0: epoch 2 of 3, minibatch 2 of 4)" in r.message
    r = check_training_loop(make_loop(rng_per_epoch=True))
    assert "first differ at step 4 (counting from 0: epoch 2 of 3, minibatch 1 of 4)" in r.message


def test_a_gradient_at_stale_parameters_is_named():
    def stale(net, X, y, opt, epochs, batch_size, seed):
        rng, params = np.random.default_rng(seed), net.params.copy()
        state, steps, ends = opt.init(params), [], []
        for _ in range(epochs):
            order, total = rng.permutation(len(y)), 0.0
            for s in range(0, len(y), batch_size):
                rows = order[s:s + batch_size]
                loss, grad = net.loss_and_gradient(X[rows], y[rows])     # net never updated
                params, state = opt.update(params, grad, state)
                steps.append(loss)
                total += loss * len(rows)
            ends.append(total / len(y))
        net.params = params
        return steps, ends
    r = check_training_loop(stale)
    assert not r.ok and "computed at the STARTING parameters" in r.message

    def on_a_copy(net, X, y, opt, epochs, batch_size, seed):      # trains a copy, not net
        return make_loop()(net.copy(), X, y, opt, epochs, batch_size, seed)
    r = check_training_loop(on_a_copy)
    assert not r.ok and "it still holds the starting parameters" in r.message
    with pytest.raises(ValueError, match="fit_minibatch must be a function"):
        check_training_loop("fit")


# --- the noise of a minibatch gradient ----------------------------------------------------------
def noise_right(G, B):
    N = G.shape[0]
    D = G - G.mean(axis=0)
    return float(np.sum(D * D)) / (N - 1) * (1 - B / N) / B


def test_the_noise_reference_against_enumeration_of_every_batch():
    """E||g_B - g||^2 by brute force: the mean over EVERY set of B distinct rows (the reference),
    and over every B-tuple drawn with replacement (the tr(Σ)/B that one hint names)."""
    _, G, sizes = noise_cases()[1]
    N, g = G.shape[0], G.mean(axis=0)
    trace = float(np.mean(np.sum((G - g) ** 2, axis=1)))
    for B in sizes:
        without = [np.sum((G[list(c)].mean(axis=0) - g) ** 2) for c in itertools.combinations(range(N), B)]
        assert minibatch_noise_reference(G, B) == pytest.approx(np.mean(without), rel=1e-12, abs=1e-15)
    for B in (1, 2, 3):
        with_repl = [np.sum((G[list(c)].mean(axis=0) - g) ** 2) for c in itertools.product(range(N), repeat=B)]
        assert trace / B == pytest.approx(np.mean(with_repl), rel=1e-12)


def test_the_noise_reference_equals_the_other_routes():
    X, y = widgets_training.make_dataset("moons", n=10, seed=2)
    from gradlib.mlp import MLP
    net = MLP([2, 4, 2], "tanh", init="xavier", seed=1)
    G = practice.per_example_gradients(net, X, y)
    np.testing.assert_array_equal(G, noise_cases()[0][1])       # the case is this network
    exact = widgets_training.gradient_noise_exact(net, X, y, [1, 2, 5, 9, 10])
    np.testing.assert_allclose([minibatch_noise_reference(G, b) for b in [1, 2, 5, 9, 10]], exact,
                               rtol=1e-12, atol=1e-15)
    trace = practice.gradient_noise_scale(net, X, y).trace_sigma
    assert minibatch_noise_reference(G, 5) == pytest.approx(practice.predicted_minibatch_variance(trace, 10, 5))


def test_check_minibatch_noise_accepts_the_right_formula_and_the_stub_runs():
    r = check_minibatch_noise(noise_right)
    assert r.ok and "including 0 at B = N" in r.message
    def other_form(G, B):                                  # tr(Σ)/B (N - B)/(N - 1): the same
        N = G.shape[0]
        return np.mean(np.sum((G - G.mean(0)) ** 2, axis=1)) / B * (N - B) / (N - 1)
    assert check_minibatch_noise(other_form).ok
    def stub(G, B):
        raise NotImplementedError
    assert check_minibatch_noise(stub).status == "not implemented yet"


def _s2(G):
    D = G - G.mean(axis=0)
    return float(np.sum(D * D)) / (G.shape[0] - 1)


def _tr(G):
    D = G - G.mean(axis=0)
    return float(np.sum(D * D)) / G.shape[0]


@pytest.mark.parametrize("wrong, says", [
    (lambda G, B: _s2(G) / B, "the finite-population factor (1 − B/N) is missing"),
    (lambda G, B: _tr(G) / B, "the formula for a batch drawn WITH replacement"),
    (lambda G, B: _tr(G) * (1 - B / len(G)) / B, "You combined (1 − B/N) with the 1/N variance"),
    (lambda G, B: _s2(G) * (1 - B / len(G)) / B ** 2, "Divided by B²"),
    (lambda G, B: float(np.sum(G * G)) / (len(G) - 1) * (1 - B / len(G)) / B,
     "You did not subtract the full gradient"),
    (lambda G, B: np.sqrt(noise_right(G, B)), "the root-mean-square error"),
    (lambda G, B: noise_right(G, B) / G.shape[1], "You averaged over the P parameters"),
    (lambda G, B: np.full(3, noise_right(G, B)), "must return one number, got an array of shape (3,)"),
])
def test_check_minibatch_noise_names_the_mistake(wrong, says):
    r = check_minibatch_noise(wrong)
    assert not r.ok and r.status == "failed"
    assert says in r.message, r.message


def test_check_minibatch_noise_names_the_batch_size_and_in_place_changes():
    r = check_minibatch_noise(lambda G, B: _s2(G) / B)
    assert r.message.startswith("the value for B = 10 is") and "where 0 was expected" in r.message
    def in_place(G, B):
        G -= G.mean(axis=0)
        return noise_right(G, B)
    r = check_minibatch_noise(in_place)
    assert not r.ok and "changed G in place" in r.message
    with pytest.raises(ValueError, match="minibatch_noise must be a function"):
        check_minibatch_noise(0.5)
