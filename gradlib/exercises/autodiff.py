"""Checks for the automatic-differentiation notebook's exercises.

    check_softplus(softplus)                      a new reverse-mode operation and its rule
    check_jacobians(jacobian_forward, jacobian_reverse)   J from n JVPs / from m VJPs
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from gradlib import autodiff as ad
from gradlib.exercises import Result, attempt, compare, first_failure

__all__ = ["check_softplus", "check_jacobians"]


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 0.5 * (1.0 + np.tanh(0.5 * x))


def check_softplus(softplus: Callable[[ad.Var], ad.Var]) -> Result:
    """softplus(x) = log(1 + e^x) as a recorded operation: given a Var x it must return
    ``ad.Var(value, ((x, rule),))`` with rule(g) = g · sigmoid(x). Checked on its value and on
    the gradient of Σ c_i softplus(x_i)², whose upstream gradient g = 2 c softplus(x) is not 1."""
    x = np.array([-3.0, -0.5, 0.0, 0.8, 2.5, 30.0])
    c = np.array([1.0, -2.0, 0.5, 3.0, -1.0, 0.25])
    value = np.logaddexp(0.0, x)
    g = 2.0 * c * value                                             # upstream gradient
    expected = g * _sigmoid(x)

    def forward() -> Result:
        big = np.append(x, 800.0)                     # e^800 overflows: the value must not
        out = attempt(softplus, ad.Var(big))
        if not isinstance(out, ad.Var):
            return Result("softplus", "failed", f"softplus must return an ad.Var (the value and "
                                                f"its backward rule), got {type(out).__name__}")
        return compare("softplus value", out.value, np.logaddexp(0.0, big), wrong=[
            ("That is e^x, not log(1 + e^x).", np.exp(np.minimum(big, 700)))])

    def backward() -> Result:
        got = ad.grad(lambda v: ad.sum(c * attempt(softplus, v) ** 2))(x)
        return compare("softplus backward", got, expected, wrong=[
            ("Your rule returns f'(x) alone: multiply by the upstream gradient g "
             "(the chain rule: dL/dx = dL/dout · dout/dx).", _sigmoid(x)),
            ("The derivative of log(1 + e^x) is e^x / (1 + e^x) = sigmoid(x), not e^x.",
             g * np.exp(np.minimum(x, 700))),
            ("That is sigmoid(-x) = 1 - sigmoid(x): check the sign inside the sigmoid.",
             g * _sigmoid(-x)),
            ("The sign of your rule is flipped.", -expected)])

    result = first_failure("softplus", [forward, backward])
    if "not a finite number" in result.message and result.name == "softplus value":
        return Result(result.name, "failed", result.message + ". log(1 + e^x) computed literally "
                      "overflows for large x: use np.logaddexp(0, x) (= max(x, 0) + log1p(e^-|x|)).")
    return result


def _test_function(v: Any) -> Any:
    """f: R^3 -> R^2, f(x) = (x0 x1 + sin x2, exp(x0) x2²)."""
    e0, e1 = np.array([1.0, 0.0]), np.array([0.0, 1.0])
    return (v[0] * v[1] + ad.sin(v[2])) * e0 + (ad.exp(v[0]) * v[2] ** 2) * e1


def _test_jacobian(x: np.ndarray) -> np.ndarray:
    return np.array([[x[1], x[0], np.cos(x[2])],
                     [np.exp(x[0]) * x[2] ** 2, 0.0, 2.0 * np.exp(x[0]) * x[2]]])


def check_jacobians(jacobian_forward: Callable[[Callable, np.ndarray], np.ndarray],
                    jacobian_reverse: Callable[[Callable, np.ndarray], np.ndarray]) -> Result:
    """Both must return J (outputs × inputs) of f: R^3 -> R^2; forward from ``ad.jvp`` (one
    pass per input: 3), reverse from ``ad.vjp`` (one pass per output: 2). The passes are
    counted by wrapping f."""
    x = np.array([0.4, -1.3, 0.9])
    J = _test_jacobian(x)

    def run(fn: Callable, label: str, passes: int, per: str) -> Result:
        calls = []

        def f(v: Any) -> Any:
            calls.append(1)
            return _test_function(v)

        got = attempt(fn, f, x.copy())
        result = compare(f"jacobian_{label}", got, J, wrong=[
            ("Rows of J are outputs, columns inputs: you stacked them the other way "
             "(np.stack(..., axis=1) vs axis=0).", J.T)])
        if not result.ok:
            return result
        if len(calls) != passes:
            return Result(f"jacobian_{label}", "failed",
                          f"J is right but f was evaluated {len(calls)} times; {label} mode needs "
                          f"exactly one pass per {per} ({passes} here) — that is its whole point")
        return result

    return first_failure("jacobians", [lambda: run(jacobian_forward, "forward", 3, "input"),
                                       lambda: run(jacobian_reverse, "reverse", 2, "output")])
