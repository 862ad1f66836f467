"""Checks for the gradient-descent notebook's exercises (notebook 03).

    check_gd(gd)                        the loop x_{t+1} = x_t - lr_t * grad(x_t), whole path
    check_line_gradient(line_gradient)  dL/dtheta for L = 1/(2m) sum (y_i - theta0 - theta1 x_i)^2

Each runs the learner's function on cases whose answers come from another route (the library's
``optim.descend`` with ``optim.gd``; the closed-form gradient) and, when it is wrong, names the
usual mistake: a flipped sign, a missing learning rate or 1/m, one step too few, a path whose
rows are all the same array.
"""
from __future__ import annotations

import math
import re
from collections.abc import Callable
from itertools import combinations
from typing import Any

import numpy as np

from gradlib import optim
from gradlib.exercises import NotImplementedYet, Result, attempt, compare, first_failure

__all__ = ["check_gd", "check_line_gradient", "GD_CASES", "LINE_CASES", "line_gradient_reference"]

Vector = np.ndarray
LearningRate = float | Callable[[int], float]


# -- the gradient-descent loop -----------------------------------------------------------------
class _Problem:
    """f and grad for optim.descend (the same grad function the learner's loop receives)."""

    def __init__(self, f: Callable[[Vector], float], grad: Callable[[Vector], Vector]) -> None:
        self.f, self.grad = f, grad


_A3 = np.array([[3.0, 1.0, 0.0], [1.0, 2.0, 0.5], [0.0, 0.5, 1.0]])      # a 3-D bowl, SPD
_B3 = np.array([1.0, -1.0, 0.5])


def _bowl_f(x: Vector) -> float:
    return float(0.5 * x @ _A3 @ x - _B3 @ x)


def _bowl_grad(x: Vector) -> Vector:
    return _A3 @ x - _B3                                  # grad of 1/2 x^T A x - b^T x


def _rosen_f(x: Vector) -> float:
    return float((1 - x[0]) ** 2 + 100 * (x[1] - x[0] ** 2) ** 2)


def _rosen_grad(x: Vector) -> Vector:
    return np.array([-2 * (1 - x[0]) - 400 * x[0] * (x[1] - x[0] ** 2), 200 * (x[1] - x[0] ** 2)])


def _schedule(t: int) -> float:
    """lr(t) = 0.3 / (1 + t/2): the rate of the update that follows t earlier updates."""
    return 0.3 / (1 + 0.5 * t)


#: (label, f, grad, x0, lr, steps): the cases check_gd runs, in order.
GD_CASES: list[tuple[str, Callable, Callable, Vector, LearningRate, int]] = [
    ("a 3-D bowl, lr = 0.2, 12 steps", _bowl_f, _bowl_grad, np.array([2.0, -1.0, 1.5]), 0.2, 12),
    ("Rosenbrock from (-1.2, 1), lr = 0.001, 30 steps", _rosen_f, _rosen_grad,
     np.array([-1.2, 1.0]), 1e-3, 30),
    ("the bowl with a schedule lr(t) = 0.3 / (1 + t/2), 10 steps", _bowl_f, _bowl_grad,
     np.array([2.0, -1.0, 1.5]), _schedule, 10),
]


def _rate(lr: LearningRate) -> Callable[[int], float]:
    return lr if callable(lr) else (lambda t: lr)


def _loop(grad: Callable, x0: Vector, rate: Callable[[int], float], steps: int, *,
          sign: float = -1.0, frozen_grad: bool = False) -> Vector:
    """A (possibly wrong) gradient-descent path, for the hints: sign=+1 ascends; frozen_grad
    evaluates the gradient once, at x0."""
    xs = [np.array(x0, dtype=float)]
    g0 = grad(xs[0])
    with np.errstate(all="ignore"):
        for t in range(steps):
            g = g0 if frozen_grad else grad(xs[-1])
            xs.append(xs[-1] + sign * rate(t) * g)
    return np.array(xs)


def _same(a: Vector, b: Vector) -> bool:
    return a.shape == b.shape and bool(np.allclose(a, b, rtol=1e-12, atol=1e-12, equal_nan=True))


def _reference(f: Callable, grad: Callable, x0: Vector, lr: LearningRate, steps: int) -> Vector:
    """The path of optim.descend with optim.gd(lr): steps + 1 points, x0 first (never stops early)."""
    path = optim.descend(_Problem(f, grad), optim.gd(lr), x0, steps, tol=0.0, bound=math.inf)
    assert path.steps == steps, path.message           # the cases are chosen so that it runs through
    return path.xs


def _check_gd_case(gd: Callable, label: str, f: Callable, grad: Callable, x0: Vector,
                   lr: LearningRate, steps: int) -> Result:
    name = f"gd on {label}"
    expected = _reference(f, grad, x0, lr, steps)
    rate = _rate(lr)
    mine = x0.copy()
    try:
        got = attempt(gd, grad, mine, lr, steps)
    except NotImplementedYet:
        raise
    except TypeError as err:
        if callable(lr) and "function" in str(err):
            return Result(name, "failed", f"your function raised TypeError: {err}. Hint: lr may be "
                          f"a schedule, a function of the step: if callable(lr), use lr(t) at "
                          f"update t (t = 0 for the first update), as optim.gd does.")
        raise
    if not np.array_equal(mine, x0):
        return Result(name, "failed", "your gd changed the caller's x0 in place (x -= ... on the "
                      "array it was given). Start from a copy: x = np.array(x0, dtype=float), then "
                      "x = x - lr * g makes a new array at every step.")
    try:
        arr = np.asarray(got, dtype=float)
    except (TypeError, ValueError):
        return Result(name, "failed", f"return the path as an array of shape {expected.shape} "
                      f"(or a list of points), got {type(got).__name__}")
    n = x0.size
    if arr.shape != expected.shape:
        text = f"path of shape {arr.shape}, expected {expected.shape} (x0, then one point per update)."
        if arr.shape == (steps, n) and _same(arr, expected[1:]):
            text += " The first row must be x0 itself: your path starts after the first update."
        elif arr.shape == (steps, n) and _same(arr, expected[:-1]):
            text += " You made steps - 1 updates (off by one): `steps` updates give steps + 1 points."
        elif arr.shape == (steps + 2, n) and _same(arr, _loop(grad, x0, rate, steps + 1)):
            text += " You made steps + 1 updates (off by one): loop `for t in range(steps)`."
        elif arr.shape == (n,):
            text += " You returned one point: return the whole path, x0 first, one row per point."
        elif arr.ndim == 2 and arr.T.shape == expected.shape:
            text += " It has the transposed shape: one ROW per point."
        return Result(name, "failed", text)
    if np.all(arr == arr[-1]) and not np.all(expected == expected[-1]):
        same_as_end = np.allclose(arr[-1], expected[-1], rtol=1e-12, atol=1e-12)
        return Result(name, "failed", "every row of your path is the same point"
                      + (" (the last one)" if same_as_end else "")
                      + ". You stored the same array object at every step and then changed it in "
                      "place (x -= lr * g updates that one array). Store a copy, or write "
                      "x = x - lr * g, which makes a new array.")
    wrong = [("The sign: you stepped along +grad, uphill (gradient ascent). Descent is "
              "x - lr * grad.", _loop(grad, x0, rate, steps, sign=+1.0)),
             ("The learning rate is missing: you stepped x - grad (as if lr = 1).",
              _loop(grad, x0, lambda t: 1.0, steps)),
             ("You evaluated the gradient once, at x0: compute grad(x) at the CURRENT point in "
              "every step.", _loop(grad, x0, rate, steps, frozen_grad=True))]
    if callable(lr):
        wrong.append(("Schedule off by one: the first update uses lr(0), the (t+1)-th lr(t) "
                      "(t counts the updates already made).",
                      _loop(grad, x0, lambda t: lr(t + 1), steps)))
    result = compare(name, arr, expected, rtol=1e-12, atol=1e-12, wrong=wrong, what="entry")
    if not result.ok:
        off = ~np.isclose(arr, expected, rtol=1e-12, atol=1e-12).all(axis=1)
        text, _, hint = re.sub(r"^entry \((\d+), (\d+)\)", r"path[\1, \2] (step \1, coordinate \2)",
                               result.message).partition(" Hint: ")
        text += f" The first point that is off is step {int(np.argmax(off))}."
        return Result(name, "failed", text + (f" Hint: {hint}" if hint else ""))
    return result


def check_gd(gd: Callable[[Callable, Vector, LearningRate, int], Any]) -> Result:
    """``gd(grad, x0, lr, steps)`` must return the path of gradient descent,

        x_{t+1} = x_t − lr_t · grad(x_t),   t = 0, ..., steps − 1,

    as an array of shape (steps + 1, n), x0 first, without changing the caller's x0; lr is a
    number or a schedule lr(t) (then lr_t = lr(t), t = 0 for the first update). Checked against
    ``optim.descend(problem, optim.gd(lr), x0, steps)`` to 1e-12 on the cases in ``GD_CASES``.
    """
    result = first_failure("gd", [
        (lambda case=case: _check_gd_case(gd, *case)) for case in GD_CASES])
    if result.ok:
        return Result("gd", "passed", f"your path equals optim.descend(..., optim.gd(lr)) on all "
                                      f"{len(GD_CASES)} cases (a number and a schedule as lr)")
    return result


# -- the linear-regression gradient ------------------------------------------------------------
def _line_data(seed: int, m: int) -> tuple[Vector, Vector, Vector]:
    rng = np.random.default_rng(seed)
    x = rng.uniform(-1.0, 3.0, m)
    y = 1.0 + 2.0 * x + rng.normal(0.0, 0.5, m)
    theta = rng.normal(0.0, 1.5, 2)
    return theta, x, y


#: (seed, m): the data sets check_line_gradient uses (m is never 1 or 2, so a missing 1/m and a
#: missing 1/2 give different answers).
LINE_CASES = [(1, 5), (2, 40), (3, 7)]


def line_gradient_reference(theta: Vector, x: Vector, y: Vector) -> Vector:
    """(∂L/∂θ0, ∂L/∂θ1) = (−(1/m) Σ r_i, −(1/m) Σ r_i x_i),   r = y − θ0 − θ1 x."""
    r = y - (theta[0] + theta[1] * x)
    return np.array([-np.mean(r), -np.mean(r * x)])


def _line_hints(theta: Vector, x: Vector, y: Vector) -> list[tuple[str, Vector]]:
    m = x.size
    right = line_gradient_reference(theta, x, y)
    slips = {"sign": (-1.0, "The sign: with r = y − ŷ, the inner derivative of "
                            "(y_i − θ0 − θ1 x_i) is −1 (−x_i for θ1), so ∂L/∂θ0 = "
                            "−(1/m) Σ r_i. With +, gradient descent would climb."),
             "m": (float(m), f"Missing 1/m: you summed where L averages (np.sum instead of "
                             f"np.mean); your gradient is m = {m} times too large."),
             "two": (2.0, "A factor 2 too large: that is the gradient of (1/m) Σ r_i² (no 1/2). "
                          "In L = 1/(2m) Σ r_i² the 1/2 cancels the 2 from the square.")}
    hints = []
    for k in (1, 2, 3):
        for combo in combinations(slips, k):
            factor = np.prod([slips[s][0] for s in combo])
            hints.append((" ".join(slips[s][1] for s in combo), factor * right))
    hints += [("∂L/∂θ1 lacks the factor x_i: the inner derivative ∂ŷ_i/∂θ1 is x_i, "
               "so ∂L/∂θ1 = −(1/m) Σ r_i x_i.", np.array([right[0], right[0]])),
              ("∂L/∂θ0 has no x_i: ∂ŷ_i/∂θ0 = 1.", np.array([right[1], right[1]])),
              ("The order: return (∂L/∂θ0, ∂L/∂θ1).", right[::-1])]
    return hints


def check_line_gradient(line_gradient: Callable[[Vector, Vector, Vector], Any]) -> Result:
    """``line_gradient(theta, x, y)`` must return the gradient of

        L(θ) = 1/(2m) Σ_i (y_i − ŷ_i)²,   ŷ_i = θ0 + θ1 x_i,
        ∂L/∂θ0 = −(1/m) Σ (y_i − ŷ_i),   ∂L/∂θ1 = −(1/m) Σ (y_i − ŷ_i) x_i,

    as two numbers, for data arrays x, y of shape (m,). Checked on three data sets (m = 5, 40, 7);
    a flipped sign, a missing 1/m, a missing 1/2 (factor 2) and a missing x_i are named.
    """
    def case(seed: int, m: int) -> Callable[[], Result]:
        def run() -> Result:
            theta, x, y = _line_data(seed, m)
            got = attempt(line_gradient, theta.copy(), x.copy(), y.copy())
            name = f"line_gradient on {m} points"
            try:
                arr = np.asarray(got, dtype=float)
            except (TypeError, ValueError):
                return Result(name, "failed", f"return two numbers (∂L/∂θ0, ∂L/∂θ1), got "
                                              f"{type(got).__name__}")
            if arr.shape != (2,) and m in arr.shape:
                return Result(name, "failed", f"shape {arr.shape}, expected (2,): you returned one "
                              f"value per data point. The gradient of L averages over the m points "
                              f"(np.mean over the data axis).")
            return compare(name, arr, line_gradient_reference(theta, x, y), rtol=1e-9,
                           atol=1e-12, wrong=_line_hints(theta, x, y))
        return run

    return first_failure("line_gradient", [case(s, m) for s, m in LINE_CASES])
