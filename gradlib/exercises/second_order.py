"""Checks for the second-order notebook's exercise (notebook 05).

    check_newton_step(newton_step)
        one Newton / damped-Newton (Levenberg) step,  x_new = x − (H + μI)⁻¹ ∇f(x),
        against ``optim.newton(lr=1, damping=μ)`` on a 3-D positive-definite quadratic and on
        Rosenbrock: a positive-definite point, an indefinite point, and a point where H itself
        is singular (only H + μI with μ > 0 can be solved there)

The typical mistakes are named: the sign (x + (H + μI)⁻¹g), the damping
left out (H instead of H + μI) or added to every entry (H + μ instead of H + μI) or subtracted,
a gradient step (x − g), multiplying by H instead of solving with it (x − Hg), returning the
step d instead of the new point x + d, |H| (flipped negative eigenvalues) at an indefinite
point, and changing the caller's x in place.
"""
from __future__ import annotations

import inspect
import re
from collections.abc import Callable
from typing import Any

import numpy as np

from gradlib import optim, surfaces
from gradlib.exercises import NotImplementedYet, Result, attempt, compare, first_failure

__all__ = ["check_newton_step", "NEWTON_CASES", "newton_reference"]

Vector = np.ndarray
Matrix = np.ndarray

_A3 = np.array([[4.0, 1.0, 0.5], [1.0, 3.0, -1.0], [0.5, -1.0, 2.0]])   # SPD, not diagonal
_B3 = np.array([1.0, -2.0, 0.5])
_ROSEN = surfaces.get("rosenbrock")


def _quad_grad(x: Vector) -> Vector:
    return _A3 @ x - _B3                                  # f = ½ xᵀAx − bᵀx


def _quad_hess(x: Vector) -> Matrix:
    return _A3.copy()


#: (label, grad, hess, x, damping): the cases check_newton_step runs, in order. Pure Newton
#: first (damping 0, the learner's default), then damped steps; every Hessian is non-diagonal
#: except at (0, 0.005), where H = diag(0, 200) is singular and only H + μI can be solved.
NEWTON_CASES: list[tuple[str, Callable[[Vector], Vector], Callable[[Vector], Matrix], Vector, float]] = [
    ("a 3-D positive-definite quadratic ½xᵀAx − bᵀx from (2, −1, 1.5)", _quad_grad, _quad_hess,
     np.array([2.0, -1.0, 1.5]), 0.0),
    ("Rosenbrock at (−1.2, 1), H positive definite", _ROSEN.grad, _ROSEN.hess,
     np.array([-1.2, 1.0]), 0.0),
    ("Rosenbrock at (0.5, 1), H indefinite (eigenvalues −198 and 300)", _ROSEN.grad, _ROSEN.hess,
     np.array([0.5, 1.0]), 0.0),
    ("the quadratic with damping μ = 2", _quad_grad, _quad_hess, np.array([2.0, -1.0, 1.5]), 2.0),
    ("Rosenbrock at (0.5, 1) with damping μ = 250 > 198 (H + μI positive definite)", _ROSEN.grad,
     _ROSEN.hess, np.array([0.5, 1.0]), 250.0),
    ("Rosenbrock at (−1.2, 1) with damping μ = 10", _ROSEN.grad, _ROSEN.hess,
     np.array([-1.2, 1.0]), 10.0),
    ("Rosenbrock at (0, 0.005), where H = diag(0, 200) is singular, with damping μ = 1",
     _ROSEN.grad, _ROSEN.hess, np.array([0.0, 0.005]), 1.0),
]


def newton_reference(grad: Callable[[Vector], Vector], hess: Callable[[Vector], Matrix], x: Vector,
                     damping: float = 0.0) -> Vector:
    """The library's step: ``optim.newton(lr=1, damping=damping).update(x, ∇f(x), state, H)``,
    i.e. x − (H + μI)⁻¹ ∇f(x) with the linear system solved (np.linalg.solve)."""
    opt = optim.newton(lr=1.0, damping=damping)
    x = np.array(x, dtype=float)
    new, _ = opt.update(x, np.asarray(grad(x), dtype=float), opt.init(x),
                        np.asarray(hess(x), dtype=float))
    return new


def _solve_or_nan(M: Matrix, g: Vector) -> Vector:
    try:
        return np.linalg.solve(M, g)
    except np.linalg.LinAlgError:
        return np.full(g.shape, np.nan)                   # a hint that cannot be matched


def _hints(g: Vector, H: Matrix, x: Vector, mu: float) -> list[tuple[str, Vector]]:
    n = x.size
    M = H + mu * np.eye(n)
    d = _solve_or_nan(M, g)                               # (H + μI)⁻¹ g
    hints = [("The sign: the Newton step is x − (H + μI)⁻¹∇f, it solves (H + μI) d = −∇f. With "
              "+ you land on the model's stationary point reflected through x.", x + d),
             ("You returned the step d = −(H + μI)⁻¹∇f, not the new point x + d.", -d),
             ("That is a gradient step x − ∇f (learning rate 1): the Newton step divides the "
              "gradient by the curvature, d = −(H + μI)⁻¹∇f.", x - g),
             ("You multiplied by the Hessian, x − (H + μI)∇f, instead of dividing by it: solve "
              "(H + μI) d = −∇f with np.linalg.solve.", x - M @ g)]
    lam, Q = np.linalg.eigh(0.5 * (H + H.T))
    if lam[0] < 0 < lam[-1]:
        hints.append(("At an indefinite point the Newton step still solves (H + μI) d = −∇f and heads "
                      "for the model's saddle; flipping the negative eigenvalues (|H|, 'saddle-free "
                      "Newton') is a different method.",
                      x - Q @ ((Q.T @ g) / (np.abs(lam) + mu))))
    if mu > 0:
        hints += [("The damping is missing: you solved with H, not H + μI (add damping * "
                   "np.eye(n)).", x - _solve_or_nan(H, g)),
                  ("H + μ adds μ to EVERY entry of H; Levenberg's damping adds it to the diagonal "
                   "only: H + μ * np.eye(n).", x - _solve_or_nan(H + mu, g)),
                  ("The sign of the damping: H − μI instead of H + μI (the damping must push every "
                   "eigenvalue λ up to λ + μ).", x - _solve_or_nan(H - mu * np.eye(n), g)),
                  ("That is the gradient step x − ∇f/μ, what the damped step becomes only as "
                   "μ → ∞: keep H in the system, (H + μI) d = −∇f.", x - g / mu)]
    return hints


def _check_case(newton_step: Callable[..., Any], label: str, grad: Callable, hess: Callable,
                x: Vector, mu: float) -> Result:
    name = f"newton_step on {label}"
    expected = newton_reference(grad, hess, x, mu)
    mine = x.copy()
    try:
        got = attempt(newton_step, grad, hess, mine) if mu == 0 else \
            attempt(newton_step, grad, hess, mine, damping=mu)
    except NotImplementedYet:
        raise
    except np.linalg.LinAlgError as err:
        if mu > 0 and abs(np.linalg.det(hess(x))) < 1e-12:
            return Result(name, "failed", f"your function raised LinAlgError ({err}). Here H itself "
                          f"is singular, but H + μI = H + {mu:g}·I is not: you solved with H. Add "
                          f"the damping to the diagonal, np.linalg.solve(H + damping * np.eye(n), g).")
        raise
    except TypeError as err:
        if "damping" in str(err):
            return Result(name, "failed", f"your function raised TypeError: {err}. Give it the "
                          f"parameter damping=0.0: newton_step(grad, hess, x, damping=0.0).")
        raise
    if not np.array_equal(mine, x):
        return Result(name, "failed", "your newton_step changed the caller's x in place (x -= ... "
                      "on the array it was given). Return a new array: x - d or x + d.")
    g, H = np.asarray(grad(x), dtype=float), np.asarray(hess(x), dtype=float)
    return compare(name, got, expected, rtol=1e-9, atol=1e-12, wrong=_hints(g, H, x, mu),
                   what="coordinate")


def _uses_inverse(fn: Callable[..., Any]) -> bool:
    try:
        source = inspect.getsource(fn)
    except (OSError, TypeError):
        return False
    code = "\n".join(line.split("#", 1)[0] for line in source.splitlines())
    return re.search(r"\b(inv|pinv)\s*\(", code) is not None


def check_newton_step(newton_step: Callable[..., Any]) -> Result:
    """``newton_step(grad, hess, x, damping=0.0)`` must return the point after one (damped)
    Newton step,

        x_new = x − (H + μI)⁻¹ ∇f(x),   H = hess(x),  μ = damping ≥ 0,

    computed by solving (H + μI) d = −∇f(x) (np.linalg.solve), without changing the caller's x.
    Checked against ``optim.newton(lr=1, damping=μ)`` to 1e-9 on the cases in ``NEWTON_CASES``:
    pure Newton on a 3-D quadratic (one step lands on the minimum A⁻¹b) and on Rosenbrock at a
    positive-definite and an indefinite point, then damped steps, one where H is singular.
    """
    result = first_failure("newton_step", [
        (lambda case=case: _check_case(newton_step, *case)) for case in NEWTON_CASES])
    if not result.ok:
        return result
    text = (f"your step equals optim.newton(lr=1, damping=μ) on all {len(NEWTON_CASES)} cases "
            f"(μ = 0 and μ > 0; positive-definite, indefinite and singular H)")
    if _uses_inverse(newton_step):
        text += (". It forms an inverse, though: np.linalg.solve(H + μI, g) is cheaper and more "
                 "accurate than inv(H + μI) @ g")
    return Result("newton_step", "passed", text)
