"""Checkers of notebooks 12 and 14: a correct solution passes, typical wrong ones are named.

The references the checkers use (optim.gd / optim.adam / optim.adamw, MLP.input_gradient) are
themselves checked here against independent routes: torch's documented Adam/AdamW algorithms
written out by hand, and finite differences.
"""
from __future__ import annotations

import numpy as np
import pytest

from gradlib import numeric
from gradlib.exercises import regularization as ER
from gradlib.exercises.regularization import (ADAM_CASES, adam_l2_reference, adamw_reference,
                                              check_adam_l2_step, check_adamw_step, check_fgsm,
                                              check_l2_step, check_targeted)


def stub(*args):
    raise NotImplementedError


# --- the L2 step ---------------------------------------------------------------------------------
def test_l2_step_checker_accepts_both_forms_of_the_answer():
    assert check_l2_step(lambda w, g, lr, l2: (1 - lr * l2) * w - lr * g).ok
    r = check_l2_step(lambda w, g, lr, l2: w - lr * (g + l2 * w))
    assert r.ok and "optim.gd" in r.message
    assert check_l2_step(lambda w, g, lr, l2: w - lr * (g + l2 * w), seed=3).ok


def test_l2_step_reference_is_the_gradient_step_on_the_penalized_loss():
    # independent route: finite differences of L(w) + (l2/2)||w||^2 on a least-squares L
    rng = np.random.default_rng(0)
    A, b, w, lr, l2 = rng.normal(size=(6, 4)), rng.normal(size=6), rng.normal(size=4), 0.1, 0.5
    data = lambda v: 0.5 * np.sum((A @ v - b) ** 2) / 6
    g = A.T @ (A @ w - b) / 6
    fd = numeric.gradient(lambda v: data(v) + 0.5 * l2 * v @ v, w)
    seen = []
    check_l2_step(lambda w_, g_, lr_, l2_: seen.append((lr_, l2_)) or w_ - lr_ * (g_ + l2_ * w_))
    assert seen == [(0.1, 0.5), (0.3, 0.2)]
    np.testing.assert_allclose(w - lr * (g + l2 * w), w - lr * fd, rtol=1e-8)


def test_l2_step_checker_names_the_usual_mistakes():   # (moved from test_widgets_regularization)
    no_penalty = check_l2_step(lambda w, g, lr, l2: w - lr * g)
    assert not no_penalty.ok and "without the penalty" in no_penalty.message
    half = check_l2_step(lambda w, g, lr, l2: w - lr * (g + 0.5 * l2 * w))
    assert not half.ok and "not (l2/2)" in half.message
    sign = check_l2_step(lambda w, g, lr, l2: w - lr * (g - l2 * w))
    assert not sign.ok and "GROWS the weights" in sign.message
    no_lr = check_l2_step(lambda w, g, lr, l2: (1 - l2) * w - lr * g)
    assert not no_lr.ok and "not multiplied by lr" in no_lr.message
    after = check_l2_step(lambda w, g, lr, l2: (1 - lr * l2) * (w - lr * g))
    assert not after.ok and "shrank after the step" in after.message
    boom = check_l2_step(lambda w, g, lr, l2: 1 / 0)
    assert not boom.ok and "ZeroDivisionError" in boom.message


def test_l2_step_checker_diagnoses_shape_and_stub():
    r = check_l2_step(lambda w, g, lr, l2: np.atleast_2d((1 - lr * l2) * w - lr * g).T)
    assert not r.ok and "shape (5, 1), expected (5,)" in r.message
    r = check_l2_step(lambda w, g, lr, l2: ((1 - lr * l2) * w - lr * g).T)   # fine for a vector ...
    assert not r.ok and "3 x 4 weight matrix" in r.name and "transposed shape" in r.message
    r = check_l2_step(lambda w, g, lr, l2: "w")
    assert not r.ok
    r = check_l2_step(stub)
    assert r.status == "not implemented yet" and not r.ok
    r = check_l2_step(lambda w, g, lr, l2: w - lr * g * 1.001)
    assert not r.ok and "entry" in r.message and "Hint" not in r.message      # no made-up hint


# --- one Adam + L2 step and one AdamW step ---------------------------------------------------------
def _adam_core(w, g, m, v, t, lr, b1, b2, eps):
    m = b1 * m + (1 - b1) * g
    v = b2 * v + (1 - b2) * g * g
    m_hat, v_hat = m / (1 - b1 ** t), v / (1 - b2 ** t)
    return w - lr * m_hat / (np.sqrt(v_hat) + eps), m, v


def adam_l2_right(w, grad, m, v, t, lr, lam, beta1=0.9, beta2=0.999, eps=1e-8):
    return _adam_core(w, grad + lam * w, m, v, t, lr, beta1, beta2, eps)


def adamw_right(w, grad, m, v, t, lr, lam, beta1=0.9, beta2=0.999, eps=1e-8):
    w = w - lr * lam * w                               # decay the weights, not the gradient
    return _adam_core(w, grad, m, v, t, lr, beta1, beta2, eps)


def _torch_adam(w, g, m, v, t, lr, lam, b1, b2, eps, decoupled):
    """torch.optim.Adam(weight_decay=lam) / torch.optim.AdamW(weight_decay=lam), one step, as
    their documentation writes the algorithm (amsgrad=False, maximize=False)."""
    if decoupled:
        w = w - lr * lam * w                           # theta <- theta - gamma lambda theta
    else:
        g = g + lam * w                                # g <- g + lambda theta
    m = b1 * m + (1 - b1) * g
    v = b2 * v + (1 - b2) * g ** 2
    m_hat = m / (1 - b1 ** t)
    v_hat = v / (1 - b2 ** t)
    return w - lr * m_hat / (np.sqrt(v_hat) + eps), m, v


@pytest.mark.parametrize("case", ADAM_CASES, ids=lambda c: c.label)
def test_adam_references_follow_torchs_documented_algorithms(case):
    args = (case.w, case.grad, case.m, case.v, case.t, case.lr, case.lam, case.beta1, case.beta2,
            case.eps)
    for ref, decoupled in ((adam_l2_reference, False), (adamw_reference, True)):
        for got, want in zip(ref(case), _torch_adam(*args, decoupled)):
            np.testing.assert_allclose(got, want, rtol=1e-13, atol=1e-15)


def test_adam_cases_cover_a_fresh_start_a_run_and_a_matrix():
    first = ADAM_CASES[0]
    assert first.t == 1 and not first.m.any() and not first.v.any()
    run = ADAM_CASES[:6]
    assert [c.t for c in run] == list(range(1, 7))
    for before, after in zip(run, run[1:]):            # each state is the one the run reached
        w, m, v = adam_l2_reference(before)
        np.testing.assert_array_equal(after.w, w)
        np.testing.assert_array_equal(after.m, m)
        np.testing.assert_array_equal(after.v, v)
    assert ADAM_CASES[-1].w.shape == (2, 3) and ADAM_CASES[-1].beta1 != 0.9
    # in every case Adam + L2 and AdamW take different steps: the checkers can tell them apart
    for c in ADAM_CASES:
        assert np.abs(adam_l2_reference(c)[0] - adamw_reference(c)[0]).max() > 1e-6


def test_adam_step_checkers_accept_correct_steps():
    r = check_adam_l2_step(adam_l2_right)
    assert r.ok, r
    assert "optim.adam" in r.message and "7 steps" in r.message
    r = check_adamw_step(adamw_right)
    assert r.ok, r
    # written as one line, (1 - lr lam) w - lr step: equal up to rounding
    one_line = lambda w, g, m, v, t, lr, lam, b1, b2, eps: (
        (1 - lr * lam) * w - (w - _adam_core(w, g, m, v, t, lr, b1, b2, eps)[0]),
        *_adam_core(w, g, m, v, t, lr, b1, b2, eps)[1:])
    assert check_adamw_step(one_line).ok


def test_adam_step_checkers_stub_and_errors():
    for check, right in ((check_adam_l2_step, adam_l2_right), (check_adamw_step, adamw_right)):
        r = check(stub)
        assert r.status == "not implemented yet" and not r.ok
        r = check(lambda *a: a[0])
        assert not r.ok and "tuple (w_new, m_new, v_new)" in r.message and "ndarray" in r.message
        r = check(lambda *a: (a[0], a[2]))
        assert not r.ok and "tuple of length 2" in r.message
        r = check(lambda *a: (*right(*a)[:2], right(*a)[2][:2]))
        assert not r.ok and "v_new" in r.name and "shape (2,), expected (4,)" in r.message
        r = check(lambda *a: {}["m"])
        assert not r.ok and "KeyError" in r.message


def test_adam_l2_checker_names_the_usual_mistakes():
    r = check_adam_l2_step(adamw_right)
    assert not r.ok and "That is AdamW" in r.message and "t = 1" in r.name
    r = check_adam_l2_step(lambda w, g, m, v, t, lr, lam, b1, b2, eps:
                           _adam_core(w, g, m, v, t, lr, b1, b2, eps))
    assert not r.ok and "plain Adam: the L2 term is missing" in r.message
    assert "That is AdamW" not in r.message             # one mistake, one hint
    # lam/2: at t = 1 the step barely changes (g/|g|), but the state m already shows it
    r = check_adam_l2_step(lambda w, g, m, v, t, lr, lam, b1, b2, eps:
                           _adam_core(w, g + 0.5 * lam * w, m, v, t, lr, b1, b2, eps))
    assert not r.ok and "not (lam/2) * w" in r.message

    def no_bias(w, g, m, v, t, lr, lam, b1, b2, eps):
        g = g + lam * w
        m, v = b1 * m + (1 - b1) * g, b2 * v + (1 - b2) * g * g
        return w - lr * m / (np.sqrt(v) + eps), m, v

    r = check_adam_l2_step(no_bias)
    assert not r.ok and "No bias correction" in r.message and "w_new" in r.name
    assert "entry" in r.message and "rel. error" in r.message          # the worst entry, too


def test_adamw_checker_names_the_usual_mistakes():
    r = check_adamw_step(adam_l2_right)
    assert not r.ok and "that is Adam + L2, not AdamW" in r.message
    r = check_adamw_step(lambda w, g, m, v, t, lr, lam, b1, b2, eps:
                         _adam_core(w - lam * w, g, m, v, t, lr, b1, b2, eps))
    assert not r.ok and "not multiplied by lr" in r.message
    r = check_adamw_step(lambda w, g, m, v, t, lr, lam, b1, b2, eps:
                         _adam_core(w - 0.5 * lr * lam * w, g, m, v, t, lr, b1, b2, eps))
    assert not r.ok and "not lr * (lam/2) * w" in r.message

    def no_bias(w, g, m, v, t, lr, lam, b1, b2, eps):
        w = w - lr * lam * w
        m, v = b1 * m + (1 - b1) * g, b2 * v + (1 - b2) * g * g
        return w - lr * m / (np.sqrt(v) + eps), m, v

    r = check_adamw_step(no_bias)
    assert not r.ok and "No bias correction" in r.message

    def after(w, g, m, v, t, lr, lam, b1, b2, eps):
        w, m, v = _adam_core(w, g, m, v, t, lr, b1, b2, eps)
        return w - lr * lam * w, m, v

    r = check_adamw_step(after)
    assert not r.ok and "shrank AFTER the Adam step" in r.message


def test_adam_checkers_name_mistakes_inside_adam():
    def returns_hats(w, g, m, v, t, lr, lam, b1, b2, eps):
        w = w - lr * lam * w
        m, v = b1 * m + (1 - b1) * g, b2 * v + (1 - b2) * g * g
        m, v = m / (1 - b1 ** t), v / (1 - b2 ** t)
        return w - lr * m / (np.sqrt(v) + eps), m, v

    r = check_adamw_step(returns_hats)
    assert not r.ok and "m_new" in r.name and "not the bias-corrected" in r.message
    r = check_adamw_step(lambda w, g, m, v, t, lr, lam, b1, b2, eps:
                         _adam_core(w - lr * lam * w, g, m, v, t - 1, lr, b1, b2, eps))
    assert not r.ok and "not a finite number" in r.message and "did you use t - 1" in r.message
    r = check_adamw_step(lambda w, g, m, v, t, lr, lam, b1, b2, eps:
                         _adam_core(w - lr * lam * w, g, m, v, t + 1, lr, b1, b2, eps))
    assert not r.ok and "uses t + 1" in r.message
    r = check_adam_l2_step(lambda w, g, m, v, t, lr, lam, b1, b2, eps:
                           _adam_core(w, g + lam * w, m, v, t, lr, 0.9, 0.999, eps))
    assert not r.ok and "2 x 3 weight matrix" in r.name and "use the arguments" in r.message

    def eps_inside(w, g, m, v, t, lr, lam, b1, b2, eps):
        g = g + lam * w
        m, v = b1 * m + (1 - b1) * g, b2 * v + (1 - b2) * g * g
        return w - lr * (m / (1 - b1 ** t)) / np.sqrt(v / (1 - b2 ** t) + eps), m, v

    r = check_adam_l2_step(eps_inside)
    assert not r.ok and "eps goes outside the square root" in r.message


# --- FGSM and the targeted attack ------------------------------------------------------------------
def _grad(m, X, y):
    return m.input_gradient(X, y)


def fgsm_right(model, X, y, eps):
    return np.clip(X + eps * np.sign(_grad(model, X, y)), 0.0, 1.0)


def test_fgsm_reference_is_the_sign_of_a_finite_difference_gradient():
    for c in ER._attack_cases(0):
        fd = numeric.gradient(lambda v: c.model.loss(v.reshape(c.X.shape), c.y),
                              c.X.ravel()).reshape(c.X.shape)
        g = c.model.input_gradient(c.X, c.y)
        assert np.abs(g).min() > 1e-6                       # no sign is a coin toss
        np.testing.assert_array_equal(np.sign(g), np.sign(fd))
        assert np.any(c.model.predict(c.X) != c.y) and np.any(c.model.predict(c.X) == c.y)
        adv = np.clip(c.X + c.eps * np.sign(g), 0, 1)
        assert np.any(adv == 0.0) and np.any(adv == 1.0)  # the clip matters in every case


def test_fgsm_checker():                               # (moved from test_widgets_regularization)
    r = check_fgsm(fgsm_right)
    assert r.ok, r
    assert check_fgsm(fgsm_right, seed=5).ok
    unclipped = check_fgsm(lambda m, X, y, e: X + e * np.sign(_grad(m, X, y)))
    assert not unclipped.ok and "clip" in unclipped.message
    downhill = check_fgsm(lambda m, X, y, e: np.clip(X - e * np.sign(_grad(m, X, y)), 0, 1))
    assert not downhill.ok and "UP the gradient" in downhill.message
    raw = check_fgsm(lambda m, X, y, e: np.clip(X + e * _grad(m, X, y), 0, 1))
    assert not raw.ok and "SIGN of the gradient" in raw.message
    predicted = check_fgsm(lambda m, X, y, e: np.clip(X + e * np.sign(_grad(m, X, m.predict(X))), 0, 1))
    assert not predicted.ok and "predictions as labels" in predicted.message
    assert "pixel (" in predicted.message and "of 36 pixels are off" in predicted.message


def test_fgsm_checker_stub_in_place_and_errors():
    r = check_fgsm(stub)
    assert r.status == "not implemented yet"
    r = check_fgsm(lambda m, X, y, e: np.clip(X + e * np.sign(_grad(m, X, y)), 0, 1, out=X))
    assert not r.ok and "changed the caller's X in place" in r.message
    r = check_fgsm(lambda m, X, y, e: m.input_gradient(X))
    assert not r.ok and "TypeError" in r.message
    r = check_fgsm(lambda m, X, y, e: fgsm_right(m, X, y, e)[:, :3])
    assert not r.ok and "shape (6, 3), expected (6, 6)" in r.message
    # an exact 0 expected: no meaningless relative error in the message
    r = check_fgsm(lambda m, X, y, e: X + e * np.sign(_grad(m, X, y)))
    assert "where 0 was expected (abs. error" in r.message and "e+299" not in r.message


def targeted_right(model, X, target, eps):
    t = np.full(len(X), target)
    return np.clip(X - eps * np.sign(model.input_gradient(X, t)), 0.0, 1.0)


def test_targeted_checker():
    r = check_targeted(targeted_right)
    assert r.ok, r
    up = check_targeted(lambda m, X, t, e: np.clip(X + e * np.sign(_grad(m, X, np.full(len(X), t))), 0, 1))
    assert not up.ok and "AWAY from the target" in up.message
    score = check_targeted(lambda m, X, t, e: np.clip(X + e * np.sign(m.class_score_gradient(X, t)), 0, 1))
    assert not score.ok and "target's score z_t alone" in score.message
    unclipped = check_targeted(lambda m, X, t, e: X - e * np.sign(_grad(m, X, np.full(len(X), t))))
    assert not unclipped.ok and "clip the result" in unclipped.message
    scalar = check_targeted(lambda m, X, t, e: np.clip(X - e * np.sign(_grad(m, X, t)), 0, 1))
    assert not scalar.ok and "np.full(len(X), target)" in scalar.message
    assert check_targeted(stub).status == "not implemented yet"


def test_targeted_reference_moves_toward_the_target():
    # on the checker's own cases, the targeted step raises the target's probability more than
    # the untargeted one does (a sanity check of the reference, per image on average)
    for c, target in zip(ER._attack_cases(0), (2, 1)):
        p0 = c.model.predict_proba(c.X)[:, target]
        p_t = c.model.predict_proba(targeted_right(c.model, c.X, target, c.eps))[:, target]
        p_u = c.model.predict_proba(fgsm_right(c.model, c.X, c.y, c.eps))[:, target]
        assert np.mean(p_t - p0) > 0 and np.mean(p_t) > np.mean(p_u)


def test_old_imports_still_work():
    from gradlib.widgets import regularization as R
    assert R.check_l2_step is check_l2_step and R.check_fgsm is check_fgsm
    assert "check_l2_step" in R.__all__ and "check_fgsm" in R.__all__
