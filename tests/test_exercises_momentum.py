"""The momentum notebook's checkers: correct momentum and Adam steps pass, typical wrong ones are
named."""
from __future__ import annotations

import numpy as np
import pytest

from gradlib import optim
from gradlib.exercises.momentum import (ADAM_CASES, MOMENTUM_CASES, _adam_reference,
                                        _momentum_reference, check_adam, check_momentum)


def stub(*args, **kwargs):
    raise NotImplementedError


# -- heavy-ball momentum ---------------------------------------------------------------------------
def momentum_right(x, g, velocity, lr, beta):
    velocity = beta * velocity + g
    return x - lr * velocity, velocity


def momentum_buffer_in_place(x, g, velocity, lr, beta):
    velocity *= beta                            # torch's buf.mul_(beta).add_(g): fine here
    velocity += g
    return x - lr * velocity, velocity


def momentum_ema(x, g, velocity, lr, beta):
    velocity = beta * velocity + (1 - beta) * g
    return x - lr * velocity, velocity


def momentum_nesterov(x, g, velocity, lr, beta):
    velocity = beta * velocity + g
    return x - lr * (g + beta * velocity), velocity


def momentum_x_first(x, g, velocity, lr, beta):
    x = x - lr * velocity
    return x, beta * velocity + g


def momentum_lr_inside(x, g, velocity, lr, beta):
    velocity = beta * velocity + lr * g
    return x - velocity, velocity


def momentum_forgets(x, g, velocity, lr, beta):
    return x - lr * g, velocity


def momentum_ascends(x, g, velocity, lr, beta):
    velocity = beta * velocity + g
    return x + lr * velocity, velocity


def momentum_in_place(x, g, velocity, lr, beta):
    velocity = beta * velocity + g
    x -= lr * velocity
    return x, velocity


def test_momentum_reference_is_polyaks_heavy_ball() -> None:
    # oracle: x_{t+1} = x_t - lr_t g_t + beta (lr_t / lr_{t-1}) (x_t - x_{t-1}), velocity = -(x_{t+1} - x_t)/lr_t
    for label, surface, x0, lr, beta, steps in MOMENTUM_CASES:
        rate = lr if callable(lr) else (lambda t, lr=lr: lr)
        xs, bs = _momentum_reference(surface, x0, lr, beta, steps)
        prev, x = x0.copy(), x0.copy()
        heavy = [x]
        for t in range(steps):
            ratio = rate(t) / rate(t - 1) if t else 0.0
            prev, x = x, x - rate(t) * surface.grad(x) + beta * ratio * (x - prev)
            heavy.append(x)
        assert np.allclose(heavy, xs, rtol=1e-9, atol=1e-12), label
        assert np.allclose(bs, -np.diff(xs, axis=0) / np.array([rate(t) for t in range(steps)])[:, None],
                           rtol=1e-9, atol=1e-9), label
        assert np.array_equal(xs, optim.descend(surface, optim.momentum(lr, beta), x0, steps, tol=0,
                                                bound=np.inf).xs), label


@pytest.mark.parametrize("fn", [momentum_right, momentum_buffer_in_place])
def test_a_correct_momentum_step_passes(fn) -> None:
    result = check_momentum(fn)
    assert result.ok and "all 3 cases" in result.message, result


@pytest.mark.parametrize("fn, hint", [
    (momentum_ema, "averaged (EMA) form"),
    (momentum_nesterov, "Nesterov's update"),
    (momentum_x_first, "OLD velocity"),
    (momentum_lr_inside, "velocity is lr times PyTorch's buffer"),
    (momentum_forgets, "plain gradient descent"),
    (momentum_ascends, "The sign"),
    (momentum_in_place, "changed x (or g) in place"),
])
def test_typical_momentum_mistakes_are_named(fn, hint) -> None:
    result = check_momentum(fn)
    assert result.status == "failed" and hint in result.message, result


def test_the_momentum_diagnosis_names_the_step() -> None:
    result = check_momentum(momentum_ema)
    assert "tilted bowl" in result.name and "The first step that is off is step 1." in result.message
    result = check_momentum(momentum_lr_inside)
    assert "the velocity after step 1, coordinate 1 is 1.543 where 77.14 was expected" in result.message


def test_a_schedule_tells_lr_inside_from_lr_outside() -> None:
    from gradlib.exercises.momentum import _check_momentum_case, _momentum_path
    schedule = next(case for case in MOMENTUM_CASES if callable(case[3]))
    constant = next(case for case in MOMENTUM_CASES if not callable(case[3]))
    for case, same_path in ((constant, True), (schedule, False)):
        label, surface, x0, lr, beta, steps = case
        rate = lr if callable(lr) else (lambda t: lr)
        inside = _momentum_path(surface.grad, x0, rate, beta, steps, "lr_inside")[0]
        assert np.allclose(inside, _momentum_reference(*case[1:])[0], rtol=1e-12) == same_path
    result = _check_momentum_case(momentum_lr_inside, *schedule)      # caught on the path itself
    assert result.status == "failed" and "with a schedule it does not" in result.message, result


def test_momentum_stub_and_wrong_return_types() -> None:
    result = check_momentum(stub)
    assert result.status == "not implemented yet" and not result.ok
    result = check_momentum(lambda x, g, v, lr, beta: x - lr * (beta * v + g))
    assert not result.ok and "return a pair (x_new, velocity)" in result.message
    result = check_momentum(lambda x, g, v, lr, beta: (x[:1], v))
    assert not result.ok and "x_new has shape (1,), expected (2,)" in result.message


# -- Adam ------------------------------------------------------------------------------------------
def adam_right(x, g, state, lr, beta1, beta2, eps):
    t, m, v = state
    t = t + 1
    m = beta1 * m + (1 - beta1) * g
    v = beta2 * v + (1 - beta2) * g * g
    m_hat, v_hat = m / (1 - beta1**t), v / (1 - beta2**t)
    return x - lr * m_hat / (np.sqrt(v_hat) + eps), (t, m, v)


def adam_torch_style(x, g, state, lr, beta1, beta2, eps):
    # torch.optim.Adam's arithmetic: lerp for m, the corrections folded into the step size
    t, m, v = state
    t += 1
    m = m + (1 - beta1) * (g - m)
    v = beta2 * v + (1 - beta2) * g**2
    denom = np.sqrt(v) / np.sqrt(1 - beta2**t) + eps
    return x - (lr / (1 - beta1**t)) * m / denom, [t, m, v]


def adam_variant(mistake):
    def step(x, g, state, lr, beta1, beta2, eps):
        t, m, v = state
        if mistake == "swapped":
            beta1, beta2 = beta2, beta1
        t_corr = t if mistake == "t0" else t + 1
        t += 1
        m = beta1 * m + (1 - beta1) * g
        v = beta2 * v + (1 - beta2) * g * g
        m_hat, v_hat = m / (1 - beta1**t_corr), v / (1 - beta2**t_corr)
        if mistake == "no_correction":
            m_hat, v_hat = m, v
        denom = np.sqrt(v_hat + eps) if mistake == "eps_inside" else np.sqrt(v_hat) + eps
        new_state = {"stateless": state, "t_stuck": (0, m, v), "order": (t, v, m)}.get(mistake, (t, m, v))
        return x - lr * m_hat / denom, new_state
    step.__name__ = f"adam_{mistake}"
    return step


def adam_order_consistent(x, g, state, lr, beta1, beta2, eps):
    t, v, m = state                            # its own order (t, v, m): the same path
    x_new, (t, m, v) = adam_right(x, g, (t, m, v), lr, beta1, beta2, eps)
    return x_new, (t, v, m)


def test_adam_reference_against_closed_forms() -> None:
    for label, surface, x0, lr, b1, b2, eps, steps in ADAM_CASES:
        xs, states = _adam_reference(surface, x0, lr, b1, b2, eps, steps)
        g0 = surface.grad(x0)
        # first update: m_hat = g, v_hat = g^2, so the step is lr g / (|g| + eps) per coordinate
        assert np.allclose(xs[1], x0 - lr * g0 / (np.abs(g0) + eps), rtol=1e-14), label
        assert [s.count for s in states] == list(range(1, steps + 1))
        assert np.array_equal(xs, optim.descend(surface, optim.adam(lr, b1, b2, eps), x0, steps,
                                                tol=0, bound=np.inf).xs), label
    assert {(case[4], case[5]) for case in ADAM_CASES} >= {(0.9, 0.999), (0.8, 0.99)}


@pytest.mark.parametrize("fn", [adam_right, adam_torch_style])
def test_a_correct_adam_step_passes_to_1e_12(fn) -> None:
    result = check_adam(fn)
    assert result.ok and "to 1e-12" in result.message and "55 steps" in result.message, result


@pytest.mark.parametrize("mistake, hint", [
    ("no_correction", "No bias correction"),
    ("eps_inside", "ε is inside the square root"),
    ("swapped", "β1 and β2 are swapped"),
    ("t0", "t = 0 in the bias correction"),
    ("stateless", "the new state (t, m, v) is not passed on"),
    ("t_stuck", "t is not advanced"),
])
def test_typical_adam_mistakes_are_named(mistake, hint) -> None:
    result = check_adam(adam_variant(mistake))
    assert result.status == "failed" and hint in result.message, result


def test_no_bias_correction_matches_the_known_wrong_trajectory() -> None:
    from gradlib.exercises.momentum import _adam_path
    label, surface, x0, lr, b1, b2, eps, steps = ADAM_CASES[0]
    uncorrected = _adam_path(surface.grad, x0, lr, b1, b2, eps, steps, "no_correction")
    # the known wrong trajectory: its first step is lr (1 - b1) / sqrt(1 - b2) ~ 3.2 lr per coordinate
    assert np.allclose(np.abs(uncorrected[1] - x0), lr * (1 - b1) / np.sqrt(1 - b2), rtol=1e-6)
    result = check_adam(adam_variant("no_correction"))
    assert "tilted bowl" in result.name and "ε = 1e-8" in result.name      # PyTorch's betas and eps
    assert "The first step that is off is step 1." in result.message


def test_eps_inside_is_caught_on_the_large_eps_case_too() -> None:
    from gradlib.exercises.momentum import _check_adam_case
    result = _check_adam_case(adam_variant("eps_inside"), *ADAM_CASES[1])
    assert not result.ok and "ε is inside the square root" in result.message


def test_a_right_path_with_a_wrong_state_is_reported() -> None:
    result = check_adam(adam_order_consistent)
    assert result.status == "failed" and "the path is right, but m in your state" in result.message


def test_adam_stub_and_wrong_return_types() -> None:
    assert check_adam(stub).status == "not implemented yet"
    result = check_adam(lambda x, g, s, lr, b1, b2, eps: (x, {"t": 1}))
    assert not result.ok and "the state must be the triple (t, m, v)" in result.message
    result = check_adam(lambda x, g, s, lr, b1, b2, eps: 1 / 0)
    assert not result.ok and "ZeroDivisionError" in result.message
