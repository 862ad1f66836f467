"""The backprop notebook's checkers: a correct solution passes, typical wrong ones are named.

(The tests of check_dense_backward moved here from tests/test_widgets_training.py with the
checker; gradlib.widgets.training still re-exports it.)
"""
from __future__ import annotations

import numpy as np
import pytest

from gradlib import numeric
from gradlib.exercises.backprop import (DENSE_CASES, XENT_CASES, check_dense_backward,
                                        check_softmax_xent_backward, dense_case,
                                        softmax_xent_reference)
from gradlib.mlp import MLP


# --- the dense ReLU layer -----------------------------------------------------------------------
def _right(a, W, b, dh):
    dz = dh * (a @ W + b > 0)
    return a.T @ dz, dz.sum(axis=0), dz @ W.T


def _stub(a, W, b, dh):
    raise NotImplementedError


def test_check_dense_backward_accepts_the_right_answer():
    result = check_dense_backward(_right)
    assert result.ok and result.status == "passed" and "agree with finite differences" in result.message
    assert check_dense_backward(_right, seed=4).ok
    # the stub is "not implemented yet", never a crash
    r = check_dense_backward(_stub)
    assert r.status == "not implemented yet" and not r.ok


def test_the_dense_cases_are_what_the_check_needs():
    """Away from the kink and with both signs of z (so the mask matters), and the closed form of
    the right answer equals central differences (an oracle independent of the checker)."""
    for k, (_, m, fan_in, fan_out) in enumerate(DENSE_CASES):
        a, W, b, dh = dense_case(m, fan_in, fan_out, seed=k)
        z = a @ W + b
        assert np.abs(z).min() > 0.05 and 0 < np.mean(z > 0) < 1
        dW, db, da = _right(a, W, b, dh)
        L = lambda w: float(np.sum(dh * np.maximum(a @ w.reshape(W.shape) + b, 0)))
        np.testing.assert_allclose(numeric.gradient(L, W.ravel()).reshape(W.shape), dW, atol=1e-8)
    assert DENSE_CASES[0][2] == DENSE_CASES[0][3]          # a square layer comes first


def _mask(a, W, b, dh):
    return dh * (a @ W + b > 0)


@pytest.mark.parametrize("wrong, says", [
    # the old checker's cases (moved from test_widgets_training), now with the named mistake
    (lambda a, W, b, dh: (_right(a, W, b, dh)[0].T, *_right(a, W, b, dh)[1:]),
     "dW is transposed: dL/dW has the shape of W"),
    (lambda a, W, b, dh: (_right(a, W, b, dh)[0], _right(a, W, b, dh)[1] / len(a),
                          _right(a, W, b, dh)[2]), "db is the mean over the batch"),
    (lambda a, W, b, dh: (a.T @ dh, dh.sum(axis=0), dh @ W.T), "The ReLU mask is missing"),
    (lambda a, W, b, dh: 1 / 0, "your function raised ZeroDivisionError"),
    (lambda a, W, b, dh: None, "must return three arrays (dW, db, da)"),
    # the issue-12 diagnoses
    (lambda a, W, b, dh: (a.T @ _mask(a, W, b, dh), _mask(a, W, b, dh).mean(axis=0),
                          _mask(a, W, b, dh) @ W.T), "it must be the SUM of dz over the rows"),
    (lambda a, W, b, dh: (a.T @ _mask(a, W, b, dh), _mask(a, W, b, dh).sum(axis=0),
                          _mask(a, W, b, dh) @ W), "da = dz W: the transpose is missing"),
    (lambda a, W, b, dh: (a.T @ _mask(a, W, b, dh), _mask(a, W, b, dh).sum(axis=1),
                          _mask(a, W, b, dh) @ W.T), "db summed over the wrong axis"),
    (lambda a, W, b, dh: (a.T @ _mask(a, W, b, dh) / len(a), _mask(a, W, b, dh).sum(axis=0),
                          _mask(a, W, b, dh) @ W.T), "dW is divided by m"),
    (lambda a, W, b, dh: (*_right(a, W, b, dh)[:2], _right(a, W, b, dh)[2] * (a > 0)),
     "no mask on a"),
])
def test_check_dense_backward_explains_wrong_answers(wrong, says):
    result = check_dense_backward(wrong)
    assert not result.ok and result.status == "failed"
    assert says in result.message, result.message
    with pytest.raises(ValueError, match="backward must be a function"):
        check_dense_backward(3)


def test_the_square_layer_catches_what_the_shapes_cannot():
    """With W square, a transposed dW and dz @ W have the right shape: the values name them,
    and the message says the shapes could not have told."""
    def transposed(a, W, b, dh):
        dz = _mask(a, W, b, dh)
        return dz.T @ a, dz.sum(axis=0), dz @ W.T
    r = check_dense_backward(transposed)
    assert "square layer" in r.name and "the shapes cannot tell you" in r.message
    assert "entry (" in r.message and "of 16 entries are off" in r.message


def test_the_rectangular_layer_names_a_shape_error():
    """On a rectangular layer a transposed product fails NumPy's shape check or returns the
    transposed shape; both messages point to the shape rule. (The square case is answered
    right here, so the rectangular one is reached.)"""
    def square_ok(a, W, b, dh):
        dz = _mask(a, W, b, dh)
        return a.T @ dz, dz.sum(axis=0), (dz @ W.T if W.shape[0] == W.shape[1] else dz @ W)
    r = check_dense_backward(square_ok)
    assert "rectangular" in r.name and "raised ValueError" in r.message
    assert "each gradient has the shape of what it differentiates" in r.message

    def wrong_shape_dW(a, W, b, dh):
        dz = _mask(a, W, b, dh)
        return (a.T @ dz if W.shape[0] == W.shape[1] else dz.T @ a), dz.sum(axis=0), dz @ W.T
    r = check_dense_backward(wrong_shape_dW)
    assert "shape (5, 3), expected (3, 5)" in r.message and "dW is transposed" in r.message


def test_the_old_import_path_still_works():
    from gradlib.widgets import training
    assert training.check_dense_backward is check_dense_backward


# --- softmax + cross-entropy --------------------------------------------------------------------
def _softmax(z):
    s = z - z.max(axis=1, keepdims=True)
    e = np.exp(s)
    return e / e.sum(axis=1, keepdims=True)


def xent_right(z, y):
    m = z.shape[0]
    g = _softmax(z)
    g[np.arange(m), y] -= 1.0
    return g / m


def xent_no_mean(z, y):
    return xent_right(z, y) * z.shape[0]


def xent_no_onehot(z, y):
    return _softmax(z) / z.shape[0]


def xent_diagonal(z, y):
    """dl/dp = -onehot/p times the diagonal p(1 - p) of the softmax Jacobian only."""
    p, onehot = _softmax(z), np.eye(z.shape[1])[y]
    return (-onehot / p) * p * (1 - p) / z.shape[0]


def xent_unstable(z, y):
    m = z.shape[0]
    e = np.exp(z)                                   # overflows for z > 709
    g = e / e.sum(axis=1, keepdims=True)
    g[np.arange(m), y] -= 1.0
    return g / m


def xent_sign(z, y):
    return -xent_right(z, y)


def xent_columns(z, y):
    e = np.exp(z - z.max())
    p = e / e.sum(axis=0, keepdims=True)
    return (p - np.eye(z.shape[1])[y]) / z.shape[0]


def xent_in_place(z, y):
    z -= z.max(axis=1, keepdims=True)
    return xent_right(z, y)


def xent_stub(z, y):
    raise NotImplementedError


def test_softmax_xent_checker_accepts_the_right_answer_and_the_stub_runs():
    r = check_softmax_xent_backward(xent_right)
    assert r.ok and "(p − onehot)/m" in r.message
    r = check_softmax_xent_backward(xent_stub)
    assert r.status == "not implemented yet" and not r.ok


@pytest.mark.parametrize("wrong, says", [
    (xent_no_mean, "The 1/m is missing"),
    (xent_no_onehot, "You forgot to subtract onehot(y)"),
    (xent_diagonal, "only the diagonal of the softmax Jacobian"),
    (xent_sign, "The sign is flipped"),
    (xent_columns, "normalizes each COLUMN"),
    (lambda z, y: (xent_right(z, y) * _softmax(z) * (1 - _softmax(z))), "multiplied (p − onehot)/m by p(1 − p)"),
    (lambda z, y: -np.eye(z.shape[1])[y] / _softmax(z) / z.shape[0], "That is ∂L/∂p"),
    (xent_in_place, "changed its input z (or y) in place"),
    (lambda z, y: xent_right(z, y).T, "transposed shape"),
    (lambda z, y: "p - onehot", "expected numbers"),
])
def test_softmax_xent_checker_names_the_mistake(wrong, says):
    r = check_softmax_xent_backward(wrong)
    assert not r.ok and r.status == "failed"
    assert says in r.message, r.message


def test_an_overflowing_softmax_is_caught_on_the_large_scores_only(recwarn):
    r = check_softmax_xent_backward(xent_unstable)
    assert not r.ok and "±1000" in r.name
    assert "not a finite number" in r.message and "z − z.max(axis=1, keepdims=True)" in r.message
    assert not [w for w in recwarn if issubclass(w.category, RuntimeWarning)]   # no NumPy noise


def test_softmax_xent_reference_against_the_mlp_and_finite_differences():
    """Two independent routes: gradlib.mlp's output layer, and central differences of the
    plain (unshifted) formula on moderate scores."""
    for _, z, y in XENT_CASES:
        loss, grad = softmax_xent_reference(z, y)
        net = MLP([z.shape[1], z.shape[1]], activation="relu", output="softmax")
        net.params = np.concatenate([np.eye(z.shape[1]).ravel(), np.zeros(z.shape[1])])
        np.testing.assert_allclose(net.loss(z, y), loss, rtol=1e-13)
        np.testing.assert_allclose(net.input_gradient(z, y), grad, rtol=1e-12, atol=1e-15)
    z, y = XENT_CASES[0][1], XENT_CASES[0][2]
    naive = lambda v: float(np.mean(-np.log(np.exp(v.reshape(z.shape))[np.arange(5), y]
                                            / np.exp(v.reshape(z.shape)).sum(axis=1))))
    np.testing.assert_allclose(numeric.gradient(naive, z.ravel()).reshape(z.shape),
                               softmax_xent_reference(z, y)[1], atol=1e-9)
    with pytest.raises(ValueError, match="backward must be a function backward"):
        check_softmax_xent_backward(None)
