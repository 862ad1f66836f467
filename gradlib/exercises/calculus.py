"""Checks for the partial-derivatives notebook's exercises (notebook 01).

    check_partial(partial)                 (f(p + h e_i) - f(p)) / h, the limit definition's quotient
    check_partials(gx, gy)                 dg/dx and dg/dy of g(x, y) = x e^(xy), by hand
    check_directional(directional)         D_u f(p) = grad f(p) . u / |u|
    check_steepest(angle_degrees, slope)   direction and slope of steepest ascent (two numbers)
    check_hessian(hess, shape_of_m, shape_of_grad_m)   the monkey saddle's Hessian, and two shapes

Every oracle is SymPy (``gradlib.symbolic``), never the formula the learner is asked to write.
"""
from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import lru_cache
from typing import Any

import numpy as np

from gradlib import symbolic
from gradlib.exercises import Result, attempt, compare, first_failure

__all__ = ["check_partial", "check_partials", "check_directional", "check_steepest",
           "check_hessian"]


# ---------------------------------------------------------------- test functions and their oracles

F3_TEXT = "x0**2*x1 + exp(x0 - x2) + sin(x1*x2)"     # a function of three variables
F2_TEXT = "x0**2*x1 + sin(x1)"                        # notebook 01's running example f(x, y)


def _f3(p: np.ndarray) -> Any:
    return p[0] ** 2 * p[1] + np.exp(p[0] - p[2]) + np.sin(p[1] * p[2])


def _f2(p: np.ndarray) -> Any:
    return p[0] ** 2 * p[1] + np.sin(p[1])


@lru_cache(maxsize=None)
def _sympy_gradient(text: str, n: int) -> Callable[..., Any]:
    """The exact gradient of a formula in x0, ..., x(n-1), from SymPy, as a NumPy function."""
    xs = symbolic.symbols([f"x{k}" for k in range(n)])
    return symbolic.lambdify(symbolic.gradient(symbolic.parse(text, xs), xs), xs)


def _exact_gradient(text: str, p: np.ndarray) -> np.ndarray:
    return np.asarray(_sympy_gradient(text, len(p))(*p), dtype=float).reshape(len(p))


def _unchanged(name: str, arg: str, before: np.ndarray, after: np.ndarray, fix: str) -> Result | None:
    """A failed Result if the learner's function changed the caller's array, else None."""
    if np.array_equal(before, after):
        return None
    k = int(np.argmax(before != after))
    return Result(name, "failed", f"your function changed the caller's {arg}: entry {k} went from "
                                  f"{float(before[k])!r} to {float(after[k])!r}. {fix}")


def compare_value(name: str, got: Any, expected: float, *, rtol: float,
                  wrong: Sequence[tuple[str, Any]] = ()) -> Result:
    """compare() for ONE number, worded for one number ("your value is 2.1 where 6.8 was
    expected") instead of an array's entry ()."""
    result = compare(name, got, expected, rtol=rtol, what="value", wrong=wrong)
    text = result.message.replace("value () is", "your value is").replace("; 1 of 1 values are off.", ".")
    return Result(result.name, result.status, text)


# ---------------------------------------------------------------- exercise: a partial as a limit

def _quotient(f: Callable, p: np.ndarray, i: int, h: float) -> float:
    e = np.zeros(len(p))
    e[i] = 1.0
    return float((f(p + h * e) - f(p)) / h)


def check_partial(partial: Callable[[Callable, np.ndarray, int, float], float]) -> Result:
    """``partial(f, p, i, h)`` must return the one-sided difference quotient in coordinate i,

        (f(p + h e_i) - f(p)) / h,       e_i = (0, ..., 1, ..., 0) with its 1 at position i,

    for f taking a point (a 1-D array of any length n) to a number, without changing p.
    Checked on a function of three variables and on the 2-variable running example; typical
    slips (every coordinate moved, the wrong coordinate, no division by h, a flipped sign, the
    central or backward quotient, p changed in place) are named. On success the message shows
    the quotients converging to SymPy's partial derivative as h shrinks.
    """
    p3 = np.array([1.0, 0.5, -0.7])
    cases = [(_f3, p3, 0, 0.1), (_f3, p3, 1, 0.1), (_f3, p3, 2, 0.1), (_f3, p3, 1, 1e-3),
             (_f2, np.array([1.0, 0.5]), 0, 0.25), (_f2, np.array([-0.4, 2.0]), 1, 0.05)]

    def case(f: Callable, p: np.ndarray, i: int, h: float) -> Callable[[], Result]:
        def run() -> Result:
            name = f"partial (f of {len(p)} variables, i = {i}, h = {h:g})"
            given = p.copy()
            got = attempt(partial, f, given, i, h)
            changed = _unchanged(name, "p", p, given,
                                 "Build the moved point as a new array, p + h * e_i, or start from "
                                 "q = p.copy() (q = p is the same array under a second name).")
            if changed is not None:
                return changed
            e = np.eye(len(p))[i]
            q = _quotient(f, p, i, h)
            wrong = [("You moved every coordinate at once (f(p + h)): move only coordinate i, "
                      "p + h e_i.", (f(p + h) - f(p)) / h),
                     ("The sign is flipped: the definition is (f(p + h e_i) - f(p)) / h.", -q),
                     ("You did not divide by h.", q * h),
                     ("You divided by 2h: the step from p to p + h e_i has length h.", q / 2),
                     ("That is the central quotient (f(p + h e_i) - f(p - h e_i)) / (2h), a better "
                      "formula that notebook 02 studies; here write the definition's one-sided one.",
                      (f(p + h * e) - f(p - h * e)) / (2 * h)),
                     ("That is the backward quotient (f(p) - f(p - h e_i)) / h; the definition "
                      "steps forward, to p + h e_i.", (f(p) - f(p - h * e)) / h)]
            wrong += [(f"That is the quotient in coordinate {j}, not {i}: e_i has its 1 at position i, "
                       f"counting from 0.", _quotient(f, p, j, h)) for j in range(len(p)) if j != i]
            return compare_value(name, got, q, rtol=1e-9, wrong=wrong)
        return run

    result = first_failure("partial", [case(*c) for c in cases])
    if not result.ok:
        return result
    # the learner's quotients converge to SymPy's partial, error ~ h (first order)
    i, hs = 2, [1e-1, 1e-2, 1e-3, 1e-4, 1e-5]
    exact = _exact_gradient(F3_TEXT, p3)[i]
    errors = [abs(float(partial(_f3, p3.copy(), i, h)) - exact) for h in hs]
    table = ", ".join(f"h = {h:.0e}: {e:.1e}" for h, e in zip(hs, errors))
    ratios = [a / b for a, b in zip(errors, errors[1:])]
    return Result("partial", "passed",
                  f"all {len(cases)} quotients agree with the definition. Converging: for "
                  f"f = {F3_TEXT} at p = (1, 0.5, -0.7), your quotient in x2 is off SymPy's "
                  f"df/dx2 = {exact:.6f} by {table}. Each tenfold smaller h divides the error by "
                  f"{min(ratios):.1f} to {max(ratios):.1f}: first order, as in section 2.")


# ---------------------------------------------------------------- exercise: partials by hand

_G_TEXT = "x*exp(x*y)"


def _at_points(name: str, got: Any, expected: np.ndarray, pts: np.ndarray,
               wrong: Sequence[tuple[str, Any]], what: str = "point") -> Result:
    """compare() over many points (the first index of ``expected`` is the point), then say WHERE
    the worst value sits: the point's coordinates (x, y), not only its index."""
    try:
        got = np.broadcast_to(np.asarray(got, dtype=float), expected.shape)
    except (TypeError, ValueError):
        pass                                           # compare() names the shape or type problem
    result = compare(name, got, expected, rtol=1e-9, what=what, wrong=wrong)
    if result.ok or np.shape(got) != expected.shape or not np.all(np.isfinite(got)):
        return result
    err = np.abs(got - expected) - (1e-12 + 1e-9 * np.abs(expected))
    k = int(np.argmax(err.reshape(len(pts), -1).max(axis=1)))
    where = ", ".join(f"{v:.3f}" for v in pts[k])
    suffix = f"point {k} is (x, y) = ({where})"
    if what != "point":
        suffix = f"the first index counts the points; {suffix}"
    message, sep, hint = result.message.partition(" Hint: ")
    text = f"{message.rstrip('.')} ({suffix}).{sep}{hint}"
    return Result(name, "failed", text)


def check_partials(gx: Callable[[Any, Any], Any], gy: Callable[[Any, Any], Any]) -> Result:
    """``gx(x, y)`` and ``gy(x, y)`` must be dg/dx and dg/dy of g(x, y) = x e^(xy), as NumPy
    functions (called with arrays of 20 random points). Oracle: SymPy. Typical slips named:
    the product rule's second term, the chain rule's inner derivative, the two swapped."""
    pts = np.random.default_rng(1).uniform(-1.5, 1.5, size=(20, 2))
    x, y = pts[:, 0], pts[:, 1]
    grad = _sympy_g_gradient()
    want_x, want_y = np.asarray(grad(x, y), dtype=float).reshape(len(pts), 2).T
    e = np.exp(x * y)
    checks = [
        lambda: _at_points("dg/dx", attempt(gx, x, y), want_x, pts, [
            ("That is only the first term of the product rule: d/dx [x e^(xy)] = 1 e^(xy) + x "
             "d/dx e^(xy), and d/dx e^(xy) = y e^(xy).", e),
            ("That is only the second term of the product rule: add 1 * e^(xy) for the "
             "derivative of the factor x.", x * y * e),
            ("That is dg/dy: you swapped the two partials.", want_y)]),
        lambda: _at_points("dg/dy", attempt(gy, x, y), want_y, pts, [
            ("The chain rule is right, d/dy e^(xy) = x e^(xy), but the factor x in front of "
             "e^(xy) stays: dg/dy = x * x e^(xy).", x * e),
            ("For y the factor x is a constant: no product rule is needed, only the chain rule.",
             e + x * x * e),
            ("That is dg/dx: you swapped the two partials.", want_x)])]
    return first_failure("partials of x e^(xy)", checks)


@lru_cache(maxsize=None)
def _sympy_g_gradient() -> Callable[..., Any]:
    x, y = symbolic.symbols("x y")
    return symbolic.lambdify(symbolic.gradient(symbolic.parse(_G_TEXT, [x, y]), [x, y]), [x, y])


# ---------------------------------------------------------------- exercise: the directional derivative

def _k_at_origin_message(directional: Callable) -> str:
    """What the learner's formula says where it does not apply: k = x^2 y / (x^2 + y^2), k(0,0) = 0."""
    u = np.array([1.0, 1.0])
    grad_k = lambda p: np.zeros(2)                     # both partials of k at the origin are 0
    formula = float(directional(grad_k, np.zeros(2), u.copy()))
    t = 1e-8
    a = t / np.sqrt(2)
    limit = (a * a * a / (a * a + a * a)) / t          # (k(t u/|u|) - k(0, 0)) / t
    return (f"Where the formula does not apply: k = x^2 y/(x^2 + y^2) has both partials 0 at the "
            f"origin, so your function predicts slope {formula:.4f} along u = (1, 1); the limit "
            f"(k(t u/|u|) - k(0, 0))/t is {limit:.4f} = sqrt(2)/4. k has no tangent plane there: "
            f"grad f . u / |u| needs f to be differentiable.")


def check_directional(directional: Callable[[Callable, np.ndarray, np.ndarray], float]) -> Result:
    """``directional(grad_f, p, u)`` must return the slope of f at p in the direction of u,

        D_u f(p) = grad f(p) . u / |u|       (u any nonzero vector; only its direction counts),

    where ``grad_f(p)`` returns the gradient at the point p. Checked in 2 and 3 variables with
    vectors u of length 5, 0.5, sqrt(5), ... against SymPy's gradient and against the limit
    definition; typical slips (u not normalised, divided by |u|^2, grad f evaluated at u, the
    x-partial only, the gradient normalised instead of u, |grad f| returned) are named. On
    success the message shows the formula failing for the non-differentiable k of section 5.
    """
    cases = [(F2_TEXT, np.array([1.0, 0.5]), np.array([3.0, 4.0])),
             (F2_TEXT, np.array([1.0, 0.5]), np.array([-0.3, 0.4])),
             (F2_TEXT, np.array([-1.2, 2.0]), np.array([1.0, -2.0])),
             (F3_TEXT, np.array([1.0, 0.5, -0.7]), np.array([2.0, -1.0, 2.0]))]

    def case(text: str, p: np.ndarray, u: np.ndarray) -> Callable[[], Result]:
        def run() -> Result:
            grad_f = lambda q: _exact_gradient(text, np.asarray(q, dtype=float))
            name = f"directional (p = {tuple(float(v) for v in p)}, u = {tuple(float(v) for v in u)})"
            p_in, u_in = p.copy(), u.copy()
            got = attempt(directional, grad_f, p_in, u_in)
            for arg, before, after in (("p", p, p_in), ("u", u, u_in)):
                changed = _unchanged(name, arg, before, after,
                                     "Normalise into a new array: u_hat = u / np.linalg.norm(u).")
                if changed is not None:
                    return changed
            g, norm = grad_f(p), float(np.linalg.norm(u))
            want = float(g @ u / norm)
            wrong = [("u is not normalised: divide by its length |u| (here "
                      f"{norm:g}), so that only the direction of u counts.", g @ u),
                     ("You divided by |u|^2 = u . u; divide by the length |u| = sqrt(u . u).",
                      g @ u / norm ** 2),
                     ("You evaluated the gradient at u: the slope is taken at the point p, "
                      "grad_f(p), and u is only the direction.", grad_f(u) @ u / norm),
                     ("You dotted the gradient with the point p: use the direction u.", g @ p / norm),
                     ("You used only the x-partial: the dot product sums over every coordinate, "
                      "grad f . u = sum_k (df/dx_k) u_k.", g[0] * u[0] / norm),
                     ("That is df/dx alone, the slope along the x-axis; u points elsewhere.", g[0]),
                     ("That is cos(phi) = (grad f/|grad f|) . (u/|u|): normalise u only, the "
                      "gradient's length is part of the slope.", g @ u / norm / np.linalg.norm(g)),
                     ("That is |grad f|, the slope along the gradient; u points elsewhere.",
                      np.linalg.norm(g)),
                     ("The sign is flipped.", -want)]
            result = compare_value(name, got, want, rtol=1e-9, wrong=wrong)
            if not result.ok:
                return result
            t = 1e-6                                   # and it IS the limit definition's slope
            f = _f2 if len(p) == 2 else _f3
            quotient = (f(p + t * u / norm) - f(p - t * u / norm)) / (2 * t)
            if abs(float(got) - quotient) > 1e-6:
                return Result(name, "failed", f"{float(got):.6g} is not the slope "
                                              f"{quotient:.6g} measured along u")
            return result
        return run

    result = first_failure("directional", [case(*c) for c in cases])
    if not result.ok:
        return result
    try:
        extra = _k_at_origin_message(directional)
    except Exception as err:  # noqa: BLE001 - a learner's bug is reported, not raised
        return Result("directional", "failed", f"with grad f = (0, 0) your function raised "
                                               f"{type(err).__name__}: {err}")
    return Result("directional", "passed",
                  f"all {len(cases)} slopes agree with SymPy's grad f . u/|u| and with the limit "
                  f"definition. {extra}")


# ---------------------------------------------------------------- exercise: which way is up?

def check_steepest(angle_degrees: float | None, slope: float | None) -> Result:
    """For f(x, y) = x^2 + 3y^2 - xy at (1, 1): the angle of steepest ascent in degrees (from
    the positive x-axis) and the slope there, |grad f|. ``None`` means not answered yet.
    Typical slips named: radians, the descent direction, swapped atan2 arguments, |grad f|^2,
    the sum of the partials."""
    grad = np.array([2 * 1.0 - 1.0, 6 * 1.0 - 1.0])    # (2x - y, 6y - x) at (1, 1), SymPy-checked in the tests
    best = float(np.degrees(np.arctan2(grad[1], grad[0])))
    steepest = float(np.hypot(*grad))
    _unanswered = Result("steepest ascent", "not implemented yet",
                         "set both answers (numbers instead of None), then run this cell again")

    def angle() -> Result:
        if angle_degrees is None:
            return _unanswered
        a = float(angle_degrees)
        off = abs((a - best + 180) % 360 - 180)
        if off < 0.05:
            return Result("angle", "passed")
        hints = [(abs(a - np.radians(best)) < 1e-3, "That is the angle in radians: convert with "
                                                    "np.degrees."),
                 (abs((a - best) % 360 - 180) < 0.05, "That is the direction of steepest DESCENT, "
                                                      "-grad f: ascent is along +grad f."),
                 (abs(a - np.degrees(np.arctan2(grad[0], grad[1]))) < 0.05,
                  "atan2 takes (y-component, x-component): atan2(df/dy, df/dx).")]
        hint = " ".join(h for hit, h in hints if hit)
        return Result("angle", "failed", f"{a:g} degrees is {off:.3g} degrees away from the "
                                         f"steepest direction." + (f" Hint: {hint}" if hint else
                                         " Compute grad f at (1, 1) first: its direction is the answer."))

    def size() -> Result:
        if slope is None:
            return _unanswered
        return compare_value("slope", slope, steepest, rtol=2e-4, wrong=[
            ("That is |grad f|^2 = grad f . grad f: take the square root.", steepest ** 2),
            ("That is the sum of the partials, the slope along (1, 1) without normalising; the "
             "steepest slope is |grad f| = sqrt((df/dx)^2 + (df/dy)^2).", grad.sum()),
            ("That is the slope along the x-axis only, df/dx.", grad[0]),
            ("That is the slope along the y-axis only, df/dy.", grad[1])])
    result = first_failure("steepest ascent", [angle, size])
    if result.ok:
        return Result(result.name, "passed", f"the angle is atan2(df/dy, df/dx) = {best:.2f} "
                                             f"degrees and the slope there |grad f| = {steepest:.4f}")
    return result


# ---------------------------------------------------------------- exercise: a Hessian and a Jacobian

_M_TEXT = "x**3 - 3*x*y**2"


@lru_cache(maxsize=None)
def _sympy_m_hessian() -> Callable[..., Any]:
    x, y = symbolic.symbols("x y")
    return symbolic.lambdify(symbolic.hessian(symbolic.parse(_M_TEXT, [x, y]), [x, y]), [x, y])


def check_hessian(hess: Callable[[float, float], Any], shape_of_m: Sequence[int] | None,
                  shape_of_grad_m: Sequence[int] | None) -> Result:
    """``hess(x, y)`` must return the 2 x 2 Hessian of the monkey saddle m = x^3 - 3xy^2 at one
    point (checked at 10 random points against SymPy); ``shape_of_m`` and ``shape_of_grad_m``
    are the shapes of the Jacobians of m and of grad m. ``None`` means not answered yet.
    Typical slips named: missing mixed partials, their sign, the gradient instead of the
    Hessian, a non-symmetric matrix, the Jacobian of a scalar function taken as n x n."""
    pts = np.random.default_rng(2).uniform(-2, 2, size=(10, 2))
    exact = _sympy_m_hessian()
    want = np.array([np.asarray(exact(a, b), dtype=float) for a, b in pts])

    def matrix() -> Result:
        got = [attempt(hess, float(a), float(b)) for a, b in pts]
        shapes = {np.shape(g) for g in got}
        if shapes == {(2,)}:
            return Result("Hessian", "failed", "your function returns 2 numbers: that is the "
                                               "shape of the gradient; the Hessian is the 2 x 2 "
                                               "matrix of SECOND partials.")
        xs, ys = pts[:, 0], pts[:, 1]
        diag = want.copy()
        diag[:, 0, 1] = diag[:, 1, 0] = 0
        flipped = want.copy()
        flipped[:, 0, 1] *= -1
        flipped[:, 1, 0] *= -1
        one_sided = want.copy()
        one_sided[:, 1, 0] = 0
        yy_flipped = want.copy()
        yy_flipped[:, 1, 1] *= -1
        grad_as_rows = np.stack([np.stack([3 * xs**2 - 3 * ys**2, -6 * xs * ys], -1)] * 2, 1)
        return _at_points("Hessian", got, want, pts, what="entry", wrong=[
            ("The mixed partials m_xy = m_yx = d/dy (3x^2 - 3y^2) = -6y are missing.", diag),
            ("Check the sign of the mixed partials: d/dy (3x^2 - 3y^2) = -6y.", flipped),
            ("Only one mixed partial is filled in: the Hessian of a smooth function is "
             "symmetric, m_yx = m_xy.", one_sided),
            ("Check the sign of m_yy = d/dy (-6xy) = -6x.", yy_flipped),
            ("Those are first partials (the gradient): differentiate once more.", grad_as_rows)])

    def shapes() -> Result:
        if shape_of_m is None or shape_of_grad_m is None:
            return Result("shapes", "not implemented yet", "write both shapes as tuples (instead "
                                                           "of None), then run this cell again")
        a, b = tuple(shape_of_m), tuple(shape_of_grad_m)
        if a != (1, 2):
            hint = {(2, 2): "(2, 2) is the Jacobian of grad m, the Hessian. m itself is a scalar "
                            "function: ONE output, so its Jacobian has one row.",
                    (2, 1): "m has one output and two inputs: rows are outputs, columns inputs, "
                            "so its Jacobian is 1 x 2 (the gradient as a row).",
                    (2,): "Write the Jacobian as a matrix: rows are outputs (1), columns inputs (2)."}
            return Result("shapes", "failed", f"the Jacobian of m is not {a}. "
                                              + hint.get(a, "Rows are outputs, columns inputs."))
        if b != (2, 2):
            return Result("shapes", "failed", f"the Jacobian of grad m is not {b}: grad m maps 2 "
                                              f"inputs to 2 outputs, and its Jacobian is the Hessian.")
        return Result("shapes", "passed")
    return first_failure("Hessian and Jacobian shapes", [matrix, shapes])
