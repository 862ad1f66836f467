"""gradlib.optim: update rules vs hand-computed steps and closed forms, schedules, descend()."""
from __future__ import annotations

import math
import time
import warnings

import numpy as np
import pytest

from gradlib import optim, surfaces
from gradlib.optim import (OPTIMIZERS, SCHEDULES, Path, adagrad, adam, adamw, clip_by_norm, constant,
                           cosine_decay, descend, exponential_decay, gd, inverse_time_decay,
                           linear_decay, make, momentum, nesterov, newton, rmsprop, step_decay,
                           warmup)
from gradlib.surfaces import Surface

SPD = np.array([[3.0, 1.0, 0.0], [1.0, 2.0, 0.5], [0.0, 0.5, 1.0]])
B = np.array([1.0, -1.0, 0.5])
CONVEX = {"quadratic", "bowl", "booth", "matyas", "quadratic_nd"}
SADDLES = {"saddle", "monkey_saddle"}


def build(name: str) -> Surface:
    return surfaces.get(name, A=SPD, b=B) if name == "quadratic_nd" else surfaces.get(name)


SURFACES = {name: build(name) for name in surfaces.names()}


def sane_lr(opt: str, s: Surface) -> float:
    """A learning rate from the surface's own scales: 1/L for GD (L = largest curvature at the
    start and the minima), a fraction of the window for the adaptive methods (their steps
    have length ~ lr), 1 for Newton."""
    L = max(np.linalg.eigvalsh(s.hess(p))[-1] for p in [s.start, *s.minima])
    width = min(s.xlim[1] - s.xlim[0], s.ylim[1] - s.ylim[0])
    return {"gd": 1 / L, "momentum": 0.2 / L, "nesterov": 0.2 / L, "adagrad": 0.1 * width,
            "rmsprop": 0.01 * width, "adam": 0.02 * width, "adamw": 0.02 * width,
            "newton": 1.0}[opt]


def assert_clean(path: Path, s: Surface, bound: float = 1e8) -> None:
    """Every kept value finite and inside the bound; shapes consistent."""
    k = path.steps
    assert path.xs.shape == (k + 1, s.n) and path.grads.shape == (k + 1, s.n)
    assert path.losses.shape == (k + 1,) and path.lrs.shape == (k,)
    for a in (path.xs, path.losses, path.grads, path.lrs):
        assert np.all(np.isfinite(a))
    assert np.abs(path.xs).max() <= bound
    assert path.status in ("converged", "diverged", "max_steps")


# ---------------------------------------------------------------------------------------------
# the table: every optimizer x every surface
# ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("surface_name", list(SURFACES))
@pytest.mark.parametrize("opt_name", list(OPTIMIZERS))
def test_every_optimizer_on_every_surface(opt_name, surface_name):
    s = SURFACES[surface_name]
    hyper = {"weight_decay": 0.0} if opt_name == "adamw" else {}  # decay moves the minimum
    opt = make(opt_name, lr=sane_lr(opt_name, s), **hyper)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        path = descend(s, opt, steps=5000)
        assert_clean(path, s)
        if surface_name in CONVEX:
            assert path.status == "converged", path.message
            np.testing.assert_allclose(path.x, s.minima[0], atol=1e-6)
            assert path.loss == pytest.approx(s.global_min, abs=1e-12)
        elif opt_name == "newton":
            # Newton seeks any stationary point: it may stop at a saddle or even a maximum
            assert path.status == "converged", path.message
            assert np.linalg.norm(s.grad(path.x)) <= 1e-10
        elif surface_name in SADDLES:
            # downhill away from the saddle: f keeps dropping (unbounded below)
            assert path.loss < path.losses[0] - 1.0
        else:
            # non-convex: it settles into SOME local minimum (not necessarily the global one)
            assert path.status != "diverged", path.message
            nearest = s.minima[np.argmin(np.linalg.norm(s.minima - path.x, axis=1))]
            if path.status == "converged":
                np.testing.assert_allclose(path.x, nearest, atol=1e-6)
            gap0, gap = path.losses[0] - s.f(nearest), path.loss - s.f(nearest)
            assert gap < 0.05 * gap0, (gap, gap0)   # large progress towards that minimum
        # with an absurd learning rate: a clean, reported divergence
        wild = descend(s, make(opt_name, lr=1e12), steps=100)
        assert wild.status == "diverged", wild.message
        assert wild.message.startswith("diverged at step ") and "exceeded 1e+08" in wild.message
        assert_clean(wild, s)


# ---------------------------------------------------------------------------------------------
# known trajectories
# ---------------------------------------------------------------------------------------------
def test_gd_on_a_quadratic_is_the_closed_form_iterate():
    s = surfaces.get("quadratic_nd", A=SPD, b=B)
    x_star = np.linalg.solve(SPD, B)
    lr, x0 = 0.2, np.array([1.0, -2.0, 0.5])
    path = descend(s, gd(lr), x0=x0, steps=40, tol=0)
    M = np.eye(3) - lr * SPD
    for k, x in enumerate(path.xs):  # x_k - x* = (I - lr A)^k (x0 - x*)
        np.testing.assert_allclose(x, x_star + np.linalg.matrix_power(M, k) @ (x0 - x_star),
                                   rtol=1e-12, atol=1e-13)


def test_gd_diverges_above_two_over_the_largest_eigenvalue():
    s = surfaces.get("quadratic", kappa=10)        # eigenvalues 1 and 10: threshold lr = 0.2
    assert descend(s, gd(0.195), steps=2000).status == "converged"   # |1 - 10 lr| = 0.95
    assert descend(s, gd(0.205), steps=2000).status == "diverged"    # |1 - 10 lr| = 1.05


def test_momentum_first_steps_by_hand():
    # f = x^2 + y^2, grad = 2p; x0 = (1, -2), lr = 0.1, beta = 0.9
    # b1 = g0 = (2, -4);               x1 = x0 - 0.1 b1 = (0.8, -1.6)
    # g1 = (1.6, -3.2); b2 = 0.9 b1 + g1 = (3.4, -6.8);  x2 = x1 - 0.1 b2 = (0.46, -0.92)
    path = descend(surfaces.get("bowl"), momentum(0.1, beta=0.9), x0=[1.0, -2.0], steps=2)
    np.testing.assert_allclose(path.xs, [[1, -2], [0.8, -1.6], [0.46, -0.92]], rtol=1e-14)


def test_nesterov_first_steps_by_hand():
    # same problem: b1 = (2, -4); x1 = x0 - 0.1 (g0 + 0.9 b1) = (1, -2) - 0.1 (3.8, -7.6) = (0.62, -1.24)
    # g1 = (1.24, -2.48); b2 = 0.9 (2, -4) + g1 = (3.04, -6.08)
    # x2 = x1 - 0.1 (g1 + 0.9 b2) = (0.62, -1.24) - 0.1 (3.976, -7.952) = (0.2224, -0.4448)
    path = descend(surfaces.get("bowl"), nesterov(0.1, beta=0.9), x0=[1.0, -2.0], steps=2)
    np.testing.assert_allclose(path.xs, [[1, -2], [0.62, -1.24], [0.2224, -0.4448]], rtol=1e-13)


def test_adam_first_steps_by_hand():
    b1, b2, eps, lr = 0.9, 0.999, 1e-8, 0.1
    opt = adam(lr, beta1=b1, beta2=b2, eps=eps)
    x = np.array([1.0, -2.0])
    grads = [np.array([2.0, -4.0]), np.array([0.5, 3.0]), np.array([-1.0, 1.0])]
    # the documented equations, written out for three steps
    m = v = np.zeros(2)
    expected = x.copy()
    state = opt.init(x)
    for t, g in enumerate(grads, start=1):
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g**2
        expected = expected - lr * (m / (1 - b1**t)) / (np.sqrt(v / (1 - b2**t)) + eps)
        x, state = opt.update(x, g, state)
        np.testing.assert_allclose(x, expected, rtol=1e-14)
    assert state.count == 3
    # the first Adam step has length lr in every coordinate (m_hat / sqrt(v_hat) = sign(g))
    x1, _ = opt.update(np.zeros(2), np.array([5.0, -0.01]), opt.init(np.zeros(2)))
    np.testing.assert_allclose(x1, [-lr, lr], rtol=1e-6)


def test_adagrad_and_rmsprop_first_steps_by_hand():
    g = np.array([3.0, -4.0])
    x0 = np.array([1.0, 1.0])
    # adagrad: s = g^2, x1 = x0 - lr g / (|g| + eps)   (~ x0 - lr sign(g))
    eps = 1e-10
    x1, state = adagrad(0.5, eps=eps).update(x0, g, adagrad(0.5).init(x0))
    np.testing.assert_allclose(x1, [1 - 0.5 * 3 / (3 + eps), 1 + 0.5 * 4 / (4 + eps)], rtol=1e-15)
    np.testing.assert_allclose(x1, [0.5, 1.5], rtol=1e-9)
    np.testing.assert_array_equal(state.sum_sq, [9.0, 16.0])
    # second adagrad step with the same g: s = 2 g^2, step lr g / (sqrt(2) |g| + eps)
    x2, _ = adagrad(0.5, eps=eps).update(x1, g, state)
    np.testing.assert_allclose(x2, x1 - 0.5 * g / (math.sqrt(2) * np.abs(g) + eps), rtol=1e-15)
    # rmsprop: v = (1 - rho) g^2, x1 = x0 - lr g / (sqrt(1 - rho) |g|) = x0 - lr sign(g) / 0.1
    x1, state = rmsprop(0.01, rho=0.99).update(x0, g, rmsprop(0.01).init(x0))
    np.testing.assert_allclose(x1, [1 - 0.1, 1 + 0.1], rtol=1e-6)
    np.testing.assert_allclose(state.sq_avg, [0.09, 0.16], rtol=1e-14)


def test_adamw_decays_the_weights_geometrically_when_the_gradient_is_zero():
    opt = adamw(0.1, weight_decay=0.5)
    x, state = np.array([2.0, -1.0]), opt.init(np.zeros(2))
    for _ in range(5):
        x, state = opt.update(x, np.zeros(2), state)
    np.testing.assert_allclose(x, np.array([2.0, -1.0]) * (1 - 0.1 * 0.5) ** 5, rtol=1e-14)


def test_adamw_torch_convention_multiplies_the_decay_by_the_scheduled_lr():
    # torch.optim.AdamW: x <- x - lr_t * wd * x, then Adam. A step schedule 0.1, 0.1, 0.05: with
    # a zero gradient Adam's step is 0, so only the decay acts, by hand: (1 - 0.01)^2 (1 - 0.005)
    opt = adamw(step_decay(0.1, 0.5, 2), weight_decay=0.1)
    x, state = np.array([2.0, -1.0]), opt.init(np.zeros(2))
    for _ in range(3):
        x, state = opt.update(x, np.zeros(2), state)
    np.testing.assert_allclose(x, np.array([2.0, -1.0]) * 0.99 * 0.99 * 0.995, rtol=1e-15)
    assert opt.decay_rate(0) == pytest.approx(0.01) and opt.decay_rate(2) == pytest.approx(0.005)


def test_adamw_paper_convention_multiplies_the_decay_by_the_schedule_multiplier_only():
    # Loshchilov & Hutter (2019), Algorithm 2: x1 = x0 - eta (alpha m_hat / (sqrt(v_hat) + eps)
    # + wd x0). First step: m_hat = g, v_hat = g^2. Hand-computed with alpha = 0.01, eta = 0.5,
    # wd = 0.1, x0 = (2, -1), g = (3, -4):
    #   x1 = (2 - 0.5 * (0.01 * 3 / (3 + 1e-8) + 0.1 * 2), -1 - 0.5 * (0.01 * -4 / (4 + 1e-8) - 0.1))
    #      = (1.895..., -0.945...)
    x0, g = np.array([2.0, -1.0]), np.array([3.0, -4.0])
    opt = adamw(0.01 * 0.5, weight_decay=0.1, schedule_multiplier=0.5)
    x1, _ = opt.update(x0, g, opt.init(x0))
    expected = np.array([2 - 0.5 * (0.01 * 3 / (3 + 1e-8) + 0.1 * 2),
                         -1 - 0.5 * (0.01 * -4 / (4 + 1e-8) + 0.1 * -1)])
    np.testing.assert_allclose(x1, expected, rtol=1e-14)
    np.testing.assert_allclose(x1, [1.895, -0.945], atol=1e-8)
    # torch's convention with the same numbers decays by lr * wd = 0.0005 instead of 0.05
    x1_torch, _ = adamw(0.01 * 0.5, weight_decay=0.1).update(x0, g, adamw(0.005).init(x0))
    np.testing.assert_allclose(x1_torch, x0 * (1 - 0.005 * 0.1) - 0.005 * g / (np.abs(g) + 1e-8),
                               rtol=1e-14)


def test_adamw_conventions_agree_when_the_paper_decay_is_alpha_times_the_torch_decay():
    # lr(t) = alpha * eta(t): torch decays by lr(t) * wd_torch, the paper by eta(t) * wd_paper;
    # with wd_paper = alpha * wd_torch the two runs are the same, on a schedule too
    alpha, wd_torch = 0.02, 0.3
    eta = cosine_decay(1.0, 50, lr_min=0.1)
    lr = cosine_decay(alpha, 50, lr_min=0.1 * alpha)
    torch_like = adamw(lr, weight_decay=wd_torch)
    paper = adamw(lr, weight_decay=alpha * wd_torch, schedule_multiplier=eta)
    rng = np.random.default_rng(0)
    xa = xb = rng.normal(size=3)
    sa, sb = torch_like.init(xa), paper.init(xb)
    for t in range(60):
        g = rng.normal(size=3)
        assert paper.decay_rate(t) == pytest.approx(torch_like.decay_rate(t), rel=1e-12)
        xa, sa = torch_like.update(xa, g, sa)
        xb, sb = paper.update(xb, g, sb)
    np.testing.assert_allclose(xb, xa, rtol=1e-12)
    # a function of t works as a multiplier too, and a bad value names the argument
    assert adamw(0.1, weight_decay=0.5, schedule_multiplier=lambda t: 0.5**t).decay_rate(2) == 0.125
    with pytest.raises(ValueError, match=r"schedule_multiplier: the function returned nan at step t=0"):
        adamw(0.1, schedule_multiplier=lambda t: float("nan")).decay_rate(0)


def test_updates_never_mutate_their_inputs():
    x, g = np.array([1.0, 2.0]), np.array([0.3, -0.4])
    for name, cls in OPTIMIZERS.items():
        opt = cls(0.1)
        _, state = opt.update(x, g, opt.init(x), hess=np.eye(2))   # a state with non-zero moments
        before = [np.array(a, copy=True) for a in state[1:]]
        x_copy, g_copy = x.copy(), g.copy()
        opt.update(x, g, state, hess=np.eye(2))
        np.testing.assert_array_equal(x, x_copy)
        np.testing.assert_array_equal(g, g_copy)
        for a, b in zip(state[1:], before):
            np.testing.assert_array_equal(a, b)


def test_optimizers_match_default_hyper_parameters_of_torch():
    # torch.optim defaults (docs): SGD lr=1e-3; Adagrad lr=1e-2, eps=1e-10; RMSprop lr=1e-2,
    # alpha=0.99, eps=1e-8; Adam lr=1e-3, betas=(0.9, 0.999), eps=1e-8; AdamW weight_decay=1e-2
    assert gd().lr == 1e-3 and momentum().beta == 0.9 and nesterov().beta == 0.9
    assert adagrad().hyper == {"lr": 1e-2, "eps": 1e-10}
    assert rmsprop().hyper == {"lr": 1e-2, "rho": 0.99, "eps": 1e-8}
    assert adam().hyper == {"lr": 1e-3, "beta1": 0.9, "beta2": 0.999, "eps": 1e-8}
    assert adamw().weight_decay == 1e-2 and newton().hyper == {"lr": 1.0, "damping": 0.0}
    assert [o.needs_hessian for o in OPTIMIZERS.values()] == [False] * 7 + [True]
    assert repr(adam(0.01)) == "adam(lr=0.01, beta1=0.9, beta2=0.999, eps=1e-08)"
    assert make("momentum", lr=0.1, beta=0.5) == momentum(lr=0.1, beta=0.5)


# ---------------------------------------------------------------------------------------------
# Newton
# ---------------------------------------------------------------------------------------------
def test_newton_reaches_the_minimum_of_an_spd_quadratic_in_one_step():
    s = surfaces.get("quadratic_nd", A=SPD, b=B)
    path = descend(s, newton(), x0=[5.0, -3.0, 7.0])
    assert path.status == "converged" and path.steps == 1, path.message
    np.testing.assert_allclose(path.x, np.linalg.solve(SPD, B), rtol=1e-12)
    # damped: x1 = x0 - (A + d I)^-1 (A x0 - b)
    x0 = np.array([5.0, -3.0, 7.0])
    damped = descend(s, newton(damping=2.0), x0=x0, steps=1)
    np.testing.assert_allclose(damped.xs[1], x0 - np.linalg.solve(SPD + 2 * np.eye(3), SPD @ x0 - B),
                               rtol=1e-12)


def test_newton_reports_a_singular_hessian_clearly():
    flat = Surface.from_text("x**2 + 0*y")              # H = [[2, 0], [0, 0]] everywhere
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        path = descend(flat, newton(), x0=[1.0, 1.0])
    assert path.status == "diverged" and path.steps == 0
    assert "singular" in path.message and "damping > 0" in path.message
    # damping makes the system solvable
    assert descend(flat, newton(damping=1.0), x0=[1.0, 1.0], steps=200).status == "converged"
    with pytest.raises(optim.SingularHessianError, match="singular"):
        newton().update(np.ones(2), np.ones(2), newton().init(np.ones(2)), hess=np.zeros((2, 2)))
    with pytest.raises(ValueError, match="hess: newton needs the Hessian"):
        newton().update(np.ones(2), np.ones(2), newton().init(np.ones(2)))


# ---------------------------------------------------------------------------------------------
# schedules
# ---------------------------------------------------------------------------------------------
T = np.arange(0, 60)


@pytest.mark.parametrize("schedule, closed_form", [
    (constant(0.3), lambda t: 0.3 + 0 * t),
    (inverse_time_decay(0.5, 0.1), lambda t: 0.5 / (1 + 0.1 * t)),
    (exponential_decay(0.5, 0.9), lambda t: 0.5 * 0.9**t),
    (step_decay(0.4, 0.5, 10), lambda t: 0.4 * 0.5 ** (t // 10)),
    (linear_decay(0.5, 0.1, 20), lambda t: np.where(t < 20, 0.5 - 0.02 * t, 0.1)),
    (cosine_decay(0.5, 40, lr_min=0.1), lambda t: np.where(t < 40, 0.1 + 0.2 * (1 + np.cos(np.pi * t / 40)), 0.1)),
    (warmup(0.6, 5), lambda t: np.where(t < 5, 0.1 * (t + 1), 0.6)),
    (warmup(exponential_decay(0.6, 0.5), 2), lambda t: np.where(t < 2, 0.2 * (t + 1), 0.6 * 0.5 ** (t - 2.0))),
])
def test_schedules_match_their_closed_forms(schedule, closed_form):
    expected = closed_form(T.astype(float))
    np.testing.assert_allclose(schedule(T), expected, rtol=1e-14, atol=1e-15)   # array call
    for t in (0, 1, 7, 19, 20, 59):                                              # scalar call
        value = schedule(t)
        assert isinstance(value, float) and value == pytest.approx(expected[t], rel=1e-14)


def test_schedules_have_readable_reprs_and_a_registry():
    assert repr(inverse_time_decay(0.1, 0.01)) == "inverse_time_decay(lr0=0.1, decay=0.01)"
    assert repr(warmup(cosine_decay(1.0, 100), 10)) == \
        "warmup(schedule=cosine_decay(lr0=1.0, steps=100, lr_min=0.0), steps=10)"
    assert set(SCHEDULES) == {"constant", "inverse_time_decay", "exponential_decay", "step_decay",
                              "linear_decay", "cosine_decay", "warmup"}


def test_descend_records_the_scheduled_learning_rates():
    sched = inverse_time_decay(0.2, 0.5)
    path = descend(surfaces.get("bowl"), gd(sched), steps=30, tol=0)
    np.testing.assert_allclose(path.lrs, 0.2 / (1 + 0.5 * np.arange(path.steps)), rtol=1e-15)
    # a plain function of t works too, and it is checked
    path = descend(surfaces.get("bowl"), gd(lambda t: 0.1), steps=5, tol=0)
    np.testing.assert_array_equal(path.lrs, [0.1] * 5)
    with pytest.raises(ValueError, match=r"lr: the schedule returned -0.1 at step t=0"):
        descend(surfaces.get("bowl"), gd(lambda t: -0.1), steps=5)


def test_torch_adagrad_lr_decay_is_inverse_time_decay():
    # torch Adagrad with lr_decay=eta uses lr / (1 + (t - 1) eta) at step t = 1, 2, ...
    opt = adagrad(inverse_time_decay(0.5, 0.2))
    assert [opt.learning_rate(t) for t in range(3)] == [0.5, 0.5 / 1.2, 0.5 / 1.4]


# ---------------------------------------------------------------------------------------------
# clipping
# ---------------------------------------------------------------------------------------------
def test_clip_by_norm():
    g = np.array([3.0, -4.0])                                 # norm 5
    clipped = clip_by_norm(g, 1.0)
    np.testing.assert_allclose(clipped, [0.6, -0.8], rtol=1e-15)
    np.testing.assert_array_equal(g, [3.0, -4.0])            # not mutated
    small = clip_by_norm(g, 10.0)
    np.testing.assert_array_equal(small, g)
    assert small is not g
    np.testing.assert_allclose(clip_by_norm([1e300, 1e300], 2.0), [math.sqrt(2)] * 2, rtol=1e-15)
    np.testing.assert_array_equal(clip_by_norm(np.zeros(3), 1.0), np.zeros(3))
    for bad in (0, -1.0, float("nan"), float("inf")):
        with pytest.raises(ValueError, match="max_norm must be a finite number > 0"):
            clip_by_norm(g, bad)


def test_descend_with_clipping_caps_every_step():
    s, lr, clip = surfaces.get("rosenbrock"), 1e-3, 5.0
    path = descend(s, gd(lr), steps=300, clip=clip)
    steps = np.linalg.norm(np.diff(path.xs, axis=0), axis=1)
    assert steps.max() <= lr * clip * (1 + 1e-12)
    assert np.linalg.norm(path.grads[0]) > clip              # unclipped gradients are recorded
    # a large lr that diverges without clipping stays bounded with it
    assert descend(s, gd(0.01), steps=50).status == "diverged"
    assert descend(s, gd(0.01), steps=50, clip=1.0).status != "diverged"


# ---------------------------------------------------------------------------------------------
# descend: statuses, messages, generic problems
# ---------------------------------------------------------------------------------------------
def test_messages_and_statuses():
    bowl = surfaces.get("bowl")
    p = descend(bowl, gd(0.1), steps=1000)
    assert p.status == "converged" and p.message == f"converged in {p.steps} steps (|grad| <= 1e-10)"
    assert np.linalg.norm(p.grads[-1]) <= 1e-10 < np.linalg.norm(p.grads[-2])
    p = descend(bowl, gd(0.1), steps=5)
    assert p.status == "max_steps" and p.steps == 5
    assert p.message.startswith("stopped after 5 steps without converging (|grad| = ")
    p = descend(bowl, gd(0.1), x0=[0.0, 0.0])
    assert p.status == "converged" and p.steps == 0 and p.xs.shape == (1, 2)
    p = descend(bowl, gd(1.5), steps=100)      # |1 - 2 lr| = 2: doubles each step
    assert p.status == "diverged" and p.message == f"diverged at step {p.steps + 1}: |x| exceeded 1e+08"
    assert p.optimizer == "gd" and p.loss == p.losses[-1] and np.array_equal(p.x, p.xs[-1])


def test_non_finite_loss_is_reported_without_warnings():
    s = Surface.from_text("exp(x**2) + y**2")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        path = descend(s, gd(10.0), x0=[2.0, 0.0])
    assert path.status == "diverged" and path.steps == 0
    assert path.message == "diverged at step 1: the loss became non-finite"
    with pytest.raises(ValueError, match=r"x0: f or its gradient is not finite at x0"):
        descend(Surface.from_text("log(x) + y"), gd(0.1), x0=[-1.0, 0.0])


class Quadratic:
    """A plain object with f/grad/hess, not a Surface."""

    def __init__(self, A, b):
        self.A, self.b = A, b

    def f(self, x):
        return 0.5 * x @ self.A @ x - self.b @ x

    def grad(self, x):
        return self.A @ x - self.b

    def hess(self, x):
        return self.A


class Exploding:
    def f(self, x):
        return math.exp(float(x[0]) ** 2)        # Python's exp raises OverflowError

    def grad(self, x):
        return np.array([2 * x[0] * math.exp(float(x[0]) ** 2)])


def test_generic_problems_give_the_same_path_as_the_surface():
    s = surfaces.get("quadratic_nd", A=SPD, b=B)
    x0 = np.array([1.0, 2.0, 3.0])
    for opt in (adam(0.1), momentum(0.05), newton(0.5)):
        a = descend(s, opt, x0=x0, steps=50)
        b = descend(Quadratic(SPD, B), opt, x0=x0, steps=50)
        np.testing.assert_allclose(a.xs, b.xs, rtol=1e-12, atol=1e-14)
        assert a.status == b.status
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        path = descend(Exploding(), gd(1.0), x0=[3.0], steps=10)   # x1 ~ -5e4: exp(2.4e9)
    assert path.status == "diverged" and "non-finite" in path.message and path.steps == 0


def test_descend_is_fast():
    s = surfaces.get("rosenbrock")
    opts = [gd(1e-3), momentum(1e-3), nesterov(1e-3), adagrad(0.1), rmsprop(0.01), adam(0.01),
            newton(0.5, damping=1.0)]
    descend(s, gd(1e-3), steps=5)
    best = math.inf
    for _ in range(3):
        t0 = time.perf_counter()
        total = sum(descend(s, o, steps=500, tol=0).steps for o in opts)
        best = min(best, time.perf_counter() - t0)
    assert total == 3500
    assert best < 0.15, f"7 optimizers x 500 steps took {best * 1e3:.0f} ms (target 50 ms)"


# ---------------------------------------------------------------------------------------------
# every bad hyper-parameter, with its message
# ---------------------------------------------------------------------------------------------
BOWL = surfaces.get("bowl")


@pytest.mark.parametrize("call, match", [
    (lambda: gd(-0.1), r"lr must be a finite number >= 0 \(or a schedule, a function of the step t\), got -0.1"),
    (lambda: gd(float("nan")), r"lr must be a finite number >= 0 .*got nan"),
    (lambda: adam(float("inf")), r"lr must be a finite number >= 0 .*got inf"),
    (lambda: gd("fast"), r"lr must be a finite number >= 0 \(or a schedule, a function of the step t\), got 'fast'"),
    (lambda: momentum(0.1, beta=1.0), r"beta must be a number in \[0, 1\), got 1.0"),
    (lambda: nesterov(0.1, beta=-0.1), r"beta must be a number in \[0, 1\), got -0.1"),
    (lambda: rmsprop(0.1, rho=1.5), r"rho must be a number in \[0, 1\), got 1.5"),
    (lambda: adam(0.1, beta1=1), r"beta1 must be a number in \[0, 1\), got 1"),
    (lambda: adam(0.1, beta2=float("nan")), r"beta2 must be a number in \[0, 1\), got nan"),
    (lambda: adagrad(0.1, eps=-1e-10), r"eps must be a finite number >= 0, got -1e-10"),
    (lambda: adam(0.1, eps=-1.0), r"eps must be a finite number >= 0, got -1.0"),
    (lambda: adamw(0.1, weight_decay=-0.01), r"weight_decay must be a finite number >= 0, got -0.01"),
    (lambda: adamw(0.1, schedule_multiplier=-1.0), r"schedule_multiplier must be None \(torch's convention: the decay is multiplied by lr\), a finite number >= 0 or a function of the step t, got -1.0"),
    (lambda: adamw(0.1, schedule_multiplier="paper"), r"schedule_multiplier must be None .*got 'paper'"),
    (lambda: newton(damping=-1.0), r"damping must be a finite number >= 0, got -1.0"),
    (lambda: make("sgd"), r"name: unknown optimizer 'sgd'; known optimizers are gd, momentum, nesterov, adagrad, rmsprop, adam, adamw, newton"),
    (lambda: make("adam", beta=0.9), r"beta: not a hyper-parameter of adam \(it takes lr, beta1, beta2, eps\)"),
    (lambda: descend(BOWL, gd(0.1), steps=0), r"steps must be an integer >= 1, got 0"),
    (lambda: descend(BOWL, gd(0.1), steps=2.5), r"steps must be an integer >= 1, got 2.5"),
    (lambda: descend(BOWL, gd(0.1), x0=[1.0, 2.0, 3.0]), r"x0 must have shape \(2,\) \(one coordinate per variable\), got shape \(3,\)"),
    (lambda: descend(BOWL, gd(0.1), x0=[np.nan, 1.0]), r"x0 must be finite"),
    (lambda: descend(BOWL, gd(0.1), clip=0.0), r"clip must be a finite number > 0, got 0.0"),
    (lambda: descend(BOWL, gd(0.1), tol=-1e-3), r"tol must be a finite number >= 0, got -0.001"),
    (lambda: descend(BOWL, gd(0.1), bound=-1), r"bound must be > 0, got -1"),
    (lambda: descend(BOWL, "adam"), r"optimizer must be an optimizer such as adam\(lr=0.01\)"),
    (lambda: descend(Quadratic(SPD, B), gd(0.1)), r"x0 is required: the problem has no default start"),
    (lambda: descend(object(), gd(0.1), x0=[1.0]), r"problem must be a Surface or have methods f\(x\) and grad\(x\)"),
    (lambda: descend(Exploding(), newton(), x0=[1.0]), r"problem: newton needs the Hessian, but Exploding has no hess\(x\)"),
    (lambda: inverse_time_decay(0.1, -1.0), r"decay must be a finite number >= 0, got -1.0"),
    (lambda: exponential_decay(0.1, 0.0), r"rate must be in \(0, 1\], got 0.0"),
    (lambda: exponential_decay(-0.1, 0.5), r"lr0 must be a finite number >= 0, got -0.1"),
    (lambda: step_decay(0.1, 0.5, 0), r"every must be an integer >= 1, got 0"),
    (lambda: step_decay(0.1, 2.0, 3), r"drop must be in \(0, 1\], got 2.0"),
    (lambda: linear_decay(0.1, -0.1, 10), r"lr_end must be a finite number >= 0, got -0.1"),
    (lambda: cosine_decay(0.1, 0), r"steps must be an integer >= 1, got 0"),
    (lambda: warmup("fast", 3), r"schedule must be a Schedule or a learning rate >= 0, got 'fast'"),
    (lambda: warmup(0.1, -3), r"steps must be an integer >= 1, got -3"),
])
def test_bad_hyper_parameters_name_the_argument_and_the_rule(call, match):
    with pytest.raises(ValueError, match=match):
        call()
