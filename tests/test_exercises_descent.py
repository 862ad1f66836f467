"""The gradient-descent notebook's checkers: a correct solution passes, typical wrong ones are named."""
from __future__ import annotations

import numpy as np
import pytest

from gradlib import numeric
from gradlib.exercises.descent import (GD_CASES, LINE_CASES, _line_data, check_gd,
                                       check_line_gradient, line_gradient_reference)


def _rate(lr, t):
    return lr(t) if callable(lr) else lr


def gd_right(grad, x0, lr, steps):
    x = np.array(x0, dtype=float)
    path = [x]
    for t in range(steps):
        x = x - _rate(lr, t) * grad(x)
        path.append(x)
    return np.array(path)


def gd_ascends(grad, x0, lr, steps):
    x = np.array(x0, dtype=float)
    path = [x]
    for t in range(steps):
        x = x + _rate(lr, t) * grad(x)
        path.append(x)
    return np.array(path)


def gd_no_lr(grad, x0, lr, steps):
    x = np.array(x0, dtype=float)
    path = [x]
    for _ in range(steps):
        x = x - grad(x)
        path.append(x)
    return np.array(path)


def gd_aliased(grad, x0, lr, steps):
    x = np.array(x0, dtype=float)
    path = [x]
    for t in range(steps):
        x -= _rate(lr, t) * grad(x)          # updates the one array every row refers to
        path.append(x)
    return np.array(path)


def gd_mutates_x0(grad, x0, lr, steps):
    x = x0
    path = [x.copy()]
    for t in range(steps):
        x -= _rate(lr, t) * grad(x)
        path.append(x.copy())
    return np.array(path)


def gd_schedule_off_by_one(grad, x0, lr, steps):
    x = np.array(x0, dtype=float)
    path = [x]
    for t in range(1, steps + 1):
        x = x - _rate(lr, t) * grad(x)
        path.append(x)
    return np.array(path)


def gd_number_only(grad, x0, lr, steps):
    x = np.array(x0, dtype=float)
    path = [x]
    for _ in range(steps):
        x = x - lr * grad(x)
        path.append(x)
    return np.array(path)


def gd_frozen_gradient(grad, x0, lr, steps):
    x = np.array(x0, dtype=float)
    g, path = grad(x), [x]
    for t in range(steps):
        x = x - _rate(lr, t) * g
        path.append(x)
    return np.array(path)


def stub(*args):
    raise NotImplementedError


def test_the_cases_are_consistent_and_the_reference_is_a_plain_loop() -> None:
    for _, f, grad, x0, lr, steps in GD_CASES:
        assert np.allclose(grad(x0), numeric.gradient(f, x0), rtol=1e-7)   # grad is f's gradient
    r = check_gd(gd_right)
    assert r.ok and "all 3 cases" in r.message, r
    # a list of points (not an array) is fine, and so is a loop that writes into a preallocated array
    assert check_gd(lambda *a: list(gd_right(*a))).ok

    def preallocated(grad, x0, lr, steps):
        xs = np.empty((steps + 1, np.size(x0)))
        xs[0] = x0
        for t in range(steps):
            xs[t + 1] = xs[t] - _rate(lr, t) * grad(xs[t])
        return xs
    assert check_gd(preallocated).ok


@pytest.mark.parametrize("fn, words", [
    (gd_ascends, "uphill (gradient ascent)"),
    (gd_no_lr, "learning rate is missing"),
    (gd_frozen_gradient, "gradient once, at x0"),
    (gd_aliased, "every row of your path is the same point (the last one)"),
    (gd_mutates_x0, "changed the caller's x0 in place"),
    (gd_schedule_off_by_one, "Schedule off by one"),
    (gd_number_only, "lr may be a schedule"),
    (lambda g, x0, lr, n: gd_right(g, x0, lr, n - 1), "steps - 1 updates (off by one)"),
    (lambda g, x0, lr, n: gd_right(g, x0, lr, n)[1:], "The first row must be x0 itself"),
    (lambda g, x0, lr, n: gd_right(g, x0, lr, n + 1), "steps + 1 updates (off by one)"),
    (lambda g, x0, lr, n: gd_right(g, x0, lr, n)[-1], "You returned one point"),
    (lambda g, x0, lr, n: gd_right(g, x0, lr, n).T, "transposed shape"),
])
def test_gd_checker_names_the_mistake(fn, words: str) -> None:
    r = check_gd(fn)
    assert r.status == "failed" and words in r.message, r


def test_gd_checker_points_at_the_first_wrong_step() -> None:
    r = check_gd(gd_ascends)
    assert "path[12, 0] (step 12, coordinate 0)" in r.message and "first point that is off is step 1" in r.message
    r = check_gd(gd_frozen_gradient)                     # step 1 is right: grad(x0) is the right one
    assert "first point that is off is step 2" in r.message
    r = check_gd(lambda g, x0, lr, n: gd_right(g, x0, lr, n) + 1e-9)
    assert r.status == "failed" and "Hint" not in r.message         # off, but no known mistake


def test_gd_checker_stub_and_crashes() -> None:
    r = check_gd(stub)
    assert r.status == "not implemented yet" and not r.ok
    r = check_gd(lambda *a: 1 / 0)
    assert r.status == "failed" and "ZeroDivisionError" in r.message
    r = check_gd(lambda *a: "path")
    assert r.status == "failed" and "got str" in r.message


# -- the regression gradient -------------------------------------------------------------------
def _residual(th, x, y):
    return y - (th[0] + th[1] * x)


def line_right(th, x, y):
    r = _residual(th, x, y)
    return np.array([-np.sum(r) / x.size, -np.sum(r * x) / x.size])


def line_tutorial_slip(th, x, y):
    r = _residual(th, x, y)
    return np.array([np.mean(r), np.mean(r * x)])


def line_sum(th, x, y):
    r = _residual(th, x, y)
    return np.array([-np.sum(r), -np.sum(r * x)])


def line_no_half(th, x, y):
    r = _residual(th, x, y)
    return np.array([-2 * np.mean(r), -2 * np.mean(r * x)])


def line_no_x(th, x, y):
    r = _residual(th, x, y)
    return np.array([-np.mean(r), -np.mean(r)])


def line_sum_and_sign(th, x, y):
    r = _residual(th, x, y)
    return np.array([np.sum(r), np.sum(r * x)])


def line_per_example(th, x, y):
    r = _residual(th, x, y)
    return np.stack([-r, -r * x])


def test_line_reference_is_the_derivative_of_the_loss() -> None:
    for seed, m in LINE_CASES:
        theta, x, y = _line_data(seed, m)
        loss = lambda t: 0.5 * np.mean((y - t[0] - t[1] * x) ** 2)    # noqa: E731
        assert np.allclose(line_gradient_reference(theta, x, y), numeric.gradient(loss, theta), rtol=1e-8)
    assert check_line_gradient(line_right).ok
    assert check_line_gradient(lambda th, x, y: list(line_right(th, x, y))).ok


@pytest.mark.parametrize("fn, words, not_words", [
    (line_tutorial_slip, "The sign", "Missing 1/m"),
    (line_sum, "Missing 1/m", "The sign"),
    (line_no_half, "factor 2 too large", "Missing 1/m"),
    (line_no_x, "lacks the factor x_i", "The sign"),
    (line_sum_and_sign, "The sign", "factor 2"),
    (line_per_example, "one value per data point", "Hint"),
    (lambda th, x, y: line_right(th, x, y)[::-1], "The order", "The sign"),
])
def test_line_checker_names_the_mistake(fn, words: str, not_words: str) -> None:
    r = check_line_gradient(fn)
    assert r.status == "failed" and words in r.message and not_words not in r.message, r
    if fn is line_sum_and_sign:
        assert "Missing 1/m" in r.message and "m = 5 times" in r.message


def test_line_checker_stub() -> None:
    r = check_line_gradient(stub)
    assert r.status == "not implemented yet" and not r.ok
    r = check_line_gradient(lambda th, x, y: None)
    assert r.status == "failed"
