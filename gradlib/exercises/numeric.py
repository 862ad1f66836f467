"""Checks for the finite-differences notebook's exercises (notebook 02).

    check_central_gradient(central_gradient)   the gradient of f: R^n -> R by central differences
    check_gradcheck(my_gradcheck)              the largest per-entry relative error and where it is
    check_tanh_gradient(grad, X, t)            "find the bug": a hand-written gradient, fixed
    check_best_step(h, error)                  the model's best forward step for e^x at 1 (numbers)
    check_axes(dq_dx, dq_dy, xs, ys)           np.gradient's outputs on an indexing="ij" grid

Oracles: SymPy's gradient, ``numeric.gradcheck`` / ``numeric.entry_rel_errors``, closed forms.
"""
from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from typing import Any

import numpy as np

from gradlib import numeric, symbolic
from gradlib.exercises import Result, attempt, compare, first_failure
from gradlib.exercises.calculus import compare_value

__all__ = ["check_central_gradient", "check_gradcheck", "check_tanh_gradient",
           "check_best_step", "check_axes", "logistic_problem"]


def _changed(name: str, before: np.ndarray, after: np.ndarray) -> Result | None:
    if np.array_equal(before, after):
        return None
    k = int(np.argmax(before != after))
    return Result(name, "failed", f"your function changed the caller's x: entry {k} went from "
                                  f"{float(before[k])!r} to {float(after[k])!r}. Work on a copy "
                                  f"(x_plus = x.copy(); x_plus[i] += h) or build x + h * e_i; "
                                  f"x_plus = x is the same array under a second name.")


# ---------------------------------------------------------------- exercise: central differences

F4_TEXT = "exp(x0)*sin(x1) + x1*x2**3 + x0**2*x3"


def _f4(x: np.ndarray) -> Any:
    return np.exp(x[0]) * np.sin(x[1]) + x[1] * x[2] ** 3 + x[0] ** 2 * x[3]


@lru_cache(maxsize=None)
def _f4_gradient() -> Callable[..., Any]:
    xs = symbolic.symbols([f"x{k}" for k in range(4)])
    return symbolic.lambdify(symbolic.gradient(symbolic.parse(F4_TEXT, xs), xs), xs)


def _exact_f4_gradient(x: np.ndarray) -> np.ndarray:
    return np.asarray(_f4_gradient()(*x), dtype=float).reshape(4)


_A5 = np.array([[4.0, 1.0, 0.0, 0.0, -1.0], [1.0, 3.0, 0.5, 0.0, 0.0], [0.0, 0.5, 2.0, 0.0, 0.0],
                [0.0, 0.0, 0.0, 1.0, 0.2], [-1.0, 0.0, 0.0, 0.2, 5.0]])
_B5 = np.array([1.0, -2.0, 0.5, 0.0, 3.0])


def _quadratic(x: np.ndarray) -> Any:
    """f(x) = 1/2 x^T A x + b^T x on R^5, gradient A x + b (A symmetric)."""
    return 0.5 * x @ _A5 @ x + _B5 @ x


def _formulas(f: Callable, x: np.ndarray, h: float) -> dict[str, np.ndarray]:
    """Every quotient the checker knows, coordinate by coordinate: the right one and the slips."""
    n, fx = len(x), f(x)
    E = np.eye(n)
    plus = np.array([f(x + h * E[i]) for i in range(n)])
    minus = np.array([f(x - h * E[i]) for i in range(n)])
    return {"central": (plus - minus) / (2 * h),
            "forward": (plus - fx) / h,
            "backward": (fx - minus) / h,
            "not halved": (plus - minus) / h,
            "half steps": np.array([f(x + h / 2 * E[i]) - f(x - h / 2 * E[i]) for i in range(n)]) / h,
            "all at once": np.full(n, (f(x + h) - f(x - h)) / (2 * h))}


_HINTS = {
    "forward": "That is the forward difference (f(x + h e_i) - f(x)) / h: its error is O(h). "
               "Also evaluate f(x - h e_i) and divide the difference by 2h.",
    "backward": "That is the backward difference (f(x) - f(x - h e_i)) / h, first order like the "
                "forward one. Use f(x + h e_i) - f(x - h e_i) over 2h.",
    "not halved": "Divide by 2h, not h: x + h e_i and x - h e_i are 2h apart.",
    "half steps": "That is a central difference with step h/2 (x +- h/2 e_i): step by the full h "
                  "each side and divide by 2h.",
    "all at once": "Every entry is the same number: you moved every coordinate at once "
                   "(x + h). Move only coordinate i, x + h e_i, one coordinate per entry.",
}


def check_central_gradient(central_gradient: Callable[[Callable, np.ndarray, float], np.ndarray]) -> Result:
    """``central_gradient(f, x, h)`` must return the (n,) array of central differences

        g_i = (f(x + h e_i) - f(x - h e_i)) / (2h),      i = 0, ..., n - 1,

    for f: R^n -> R, without changing x. Checked on a function of 4 variables (SymPy's gradient
    is the oracle for the error it reports), on a quadratic in 5 variables and on an INTEGER x
    (np.array([1, -2, 0, 3]): a copy of it stays integer and x_i + h gets truncated). Typical
    slips named: forward or backward differences, 2h vs h, half steps, every coordinate moved at
    once, x changed in place. On success the message shows the error falling like h^2.
    """
    x4 = np.array([0.3, -1.2, 0.8, 2.0])
    cases = [("f of 4 variables", _f4, x4, 1e-2), ("f of 4 variables", _f4, x4, 1e-4),
             ("a quadratic in 5 variables", _quadratic, np.array([0.5, -1.0, 2.0, 0.1, -0.3]), 1e-3)]

    def case(label: str, f: Callable, x: np.ndarray, h: float) -> Callable[[], Result]:
        def run() -> Result:
            name = f"central_gradient ({label}, h = {h:g})"
            given = x.copy()
            got = attempt(central_gradient, f, given, h)
            changed = _changed(name, x, given)
            if changed is not None:
                return changed
            known = _formulas(f, x.astype(float), h)
            return compare(name, got, known["central"], rtol=1e-9, what="entry",
                           wrong=[(hint, known[k]) for k, hint in _HINTS.items()]
                           + [("The sign is flipped: f(x + h e_i) comes first.", -known["central"])])
        return run

    def integer_x() -> Result:
        x = np.array([1, -2, 0, 3])
        name = "central_gradient (an integer x = np.array([1, -2, 0, 3]), h = 0.01)"
        given = x.copy()
        got = attempt(central_gradient, _f4, given, 0.01)
        changed = _changed(name, x, given)
        if changed is not None:
            return changed
        result = compare(name, got, _formulas(_f4, x.astype(float), 0.01)["central"], rtol=1e-9)
        if result.ok:
            return result
        return Result(name, "failed", result.message + " Your function is right for a float x: "
                      "here x holds integers, so x.copy() (or np.zeros_like(x)) is an integer array "
                      "and x_i + h is truncated to an integer. Start from "
                      "x = np.asarray(x, dtype=float).")

    result = first_failure("central_gradient", [case(*c) for c in cases] + [integer_x])
    if not result.ok:
        return result
    hs = [1e-1, 1e-2, 1e-3]
    exact = _exact_f4_gradient(x4)
    yours = [np.abs(np.asarray(central_gradient(_f4, x4.copy(), h), dtype=float) - exact).max()
             for h in hs]
    forward = [np.abs(_formulas(_f4, x4, h)["forward"] - exact).max() for h in hs]
    fmt = lambda errs: ", ".join(f"{e:.1e}" for e in errs)
    drop = lambda errs: " and ".join(f"{a / b:.1f}" for a, b in zip(errs, errs[1:]))
    return Result("central_gradient", "passed",
                  f"all {len(cases) + 1} cases agree with the central formula. Largest error against "
                  f"SymPy's gradient of {F4_TEXT} at h = 1e-1, 1e-2, 1e-3: yours {fmt(yours)} "
                  f"(each tenfold smaller h divides it by {drop(yours)}: second order); the "
                  f"forward difference's {fmt(forward)} (divided by {drop(forward)}: first order).")


# ---------------------------------------------------------------- exercise: the gradient check

def logistic_problem(seed: int = 0, m: int = 40, n: int = 5) -> tuple[Callable, Callable, np.ndarray]:
    """Logistic regression L(w) = mean log(1 + e^(-y_i a_i . w)) on ``n`` features, two of which
    are special: feature n-1 is a DEAD pixel (always 0, so dL/dw_(n-1) is exactly 0 and so is its
    central difference) and feature 0 is FAINT (scaled by 0.01, so dL/dw_0 is small).
    Returns (loss, gradient, w)."""
    r = np.random.default_rng(seed)
    A = r.normal(size=(m, n))
    A[:, n - 1] = 0.0                  # a pixel that is always black
    A[:, 0] *= 1e-2                    # a faint feature: a small gradient entry
    y = r.choice([-1.0, 1.0], size=m)
    w = r.normal(size=n)

    def loss(v: np.ndarray) -> float:
        return float(np.mean(np.logaddexp(0.0, -y * (A @ v))))

    def grad(v: np.ndarray) -> np.ndarray:
        return -(A.T @ (y / (1.0 + np.exp(y * (A @ v))))) / m     # -(1/m) sum y_i sigma(-y_i a_i.w) a_i

    return loss, grad, w


def _bugged(grad: Callable, label: str) -> Callable:
    def buggy(v: np.ndarray) -> np.ndarray:
        g = np.array(grad(v), dtype=float)
        if label == "two bugs":
            g[0] *= 2.0                # 100 % wrong in the faint (small) entry
            g[1] *= 1.05               # 5 % wrong in a big entry: the larger ABSOLUTE error
        elif label == "dead pixel":
            g[-1] = 0.1                # a value where the true derivative is exactly 0
        elif label == "forgotten entry":
            g[2] = 0.0                 # a term left out: 0 where the derivative is not
        return g
    return buggy


def _as_index(value: Any) -> int | None:
    if isinstance(value, (tuple, list, np.ndarray)) and np.size(value) == 1:
        value = np.ravel(value)[0]
    if isinstance(value, (int, np.integer)) and not isinstance(value, bool):
        return int(value)
    return None


def check_gradcheck(my_gradcheck: Callable[..., tuple[float, int]]) -> Result:
    """``my_gradcheck(f, grad, x, h=1e-6)`` must compare grad(x) (a) with central differences
    (n) and return the pair (largest per-entry relative error, its index), where

        error_j = |a_j - n_j| / max(|a_j|, |n_j|)     and 0 when a_j = n_j = 0.

    Checked on ``logistic_problem(0)`` against ``numeric.gradcheck`` (its max_entry_rel_error and
    entry_rel_index): a correct gradient (whose dead-pixel entry is 0 = 0), one with two bugs, one
    with a value at the dead pixel, one with a forgotten entry. Typical slips named: 0/0 without a
    guard, dividing by |n| or |a| alone, |a| + |n| below the line, the normwise error, the absolute
    error, the index of the largest absolute error.
    """
    f, grad, w = logistic_problem(0)

    def reference(g: Callable) -> tuple[np.ndarray, np.ndarray, Any]:
        ref = numeric.gradcheck(f, g, w)
        return np.asarray(ref.analytic), np.asarray(ref.numeric), ref

    def call(g: Callable, name: str) -> tuple[Any, Result | None]:
        given = w.copy()
        with np.errstate(divide="ignore", invalid="ignore"):
            out = attempt(my_gradcheck, f, g, given)
        changed = _changed(name, w, given)
        if changed is not None:
            return None, changed
        try:
            value, index = out
            value = float(value)
        except (TypeError, ValueError):
            return None, Result(name, "failed", f"return a pair (largest per-entry relative error, "
                                                f"its index), got {out!r}")
        return (value, index), None

    def nonfinite(name: str, value: float, a: np.ndarray, n: np.ndarray) -> Result:
        if np.isnan(value):
            k = int(np.argmax((a == 0) & (n == 0)))
            return Result(name, "failed", f"your error is nan: 0/0 at entry {k}, the dead pixel, "
                          f"where both derivatives are exactly 0 (analytic {a[k]:g}, numeric "
                          f"{n[k]:g}). Guard the denominator, np.maximum(np.maximum(|a|, |n|), "
                          f"1e-300), so that 0/0 counts as 0: that entry is right.")
        which = ("|n| alone, and the numeric derivative is exactly 0" if np.any((n == 0) & (a != 0))
                 else "|a| alone, and the analytic gradient says exactly 0")
        return Result(name, "failed", f"your error is {value:.3g}: a division by (nearly) 0. You "
                                      f"divided by {which} at some entry. Divide by "
                                      f"max(|a_j|, |n_j|).")

    def correct() -> Result:
        name = "my_gradcheck (a correct gradient)"
        got, bad = call(grad, name)
        if bad is not None:
            return bad
        value, _ = got
        a, n, _ = reference(grad)
        if not abs(value) < 1e100:
            return nonfinite(name, value, a, n)
        if not value <= 1e-5:
            return Result(name, "failed", f"a correct gradient should score far below 1e-5 here, "
                          f"yours scores {value:.3g}. Are your numeric derivatives central "
                          f"differences with the step h = 1e-6 you were given?")
        return Result(name, "passed")

    def buggy(label: str, story: str) -> Callable[[], Result]:
        def run() -> Result:
            name = f"my_gradcheck ({story})"
            g = _bugged(grad, label)
            got, bad = call(g, name)
            if bad is not None:
                return bad
            value, index = got
            a, n, ref = reference(g)
            if not abs(value) < 1e100:                  # nan, inf, or x / 1e-300
                return nonfinite(name, value, a, n)
            k = int(ref.entry_rel_index[0])
            guard = lambda d: np.maximum(d, np.finfo(float).tiny)
            wrong = [("That is the NORMWISE relative error max|a - n| / max(max|a|, max|n|) "
                      "(numeric.rel_error): divide entry by entry, then take the largest.",
                      numeric.rel_error(a, n)),
                     ("That is the largest ABSOLUTE error |a - n|: divide each entry's error "
                      "by max(|a_j|, |n_j|).", np.abs(a - n).max()),
                     ("That is |a - n| / (|a| + |n|), about half the per-entry error: divide "
                      "by max(|a_j|, |n_j|).", (np.abs(a - n) / guard(np.abs(a) + np.abs(n))).max()),
                     ("You divided by |n| alone: where the true derivative is 0 that is a "
                      "division by 0, and a value that is twice the truth scores 1 instead of "
                      "0.5. Divide by max(|a_j|, |n_j|).", (np.abs(a - n) / guard(np.abs(n))).max()),
                     ("You divided by |a| alone: where the analytic gradient says 0 that is a "
                      "division by 0. Divide by max(|a_j|, |n_j|).",
                      (np.abs(a - n) / guard(np.abs(a))).max())]
            result = compare_value(name, value, ref.max_entry_rel_error, rtol=1e-5, wrong=wrong)
            if not result.ok:
                return result
            i = _as_index(index)
            if i == k:
                return result
            if i is None:
                return Result(name, "failed", f"the index must be an integer (or a 1-tuple), got "
                                              f"{index!r}")
            abs_k = int(np.argmax(np.abs(a - n)))
            hint = (f" Entry {i} has the largest ABSOLUTE error; the worst entry is the one "
                    f"with the largest PER-ENTRY error." if i == abs_k != k else
                    " Python counts from 0." if i == k + 1 else "")
            return Result(name, "failed", f"the error is right but the index is {i}: the largest "
                                          f"per-entry error sits at entry {k}.{hint}")
        return run

    result = first_failure("my_gradcheck", [
        correct,
        buggy("two bugs", "entry 0, the smallest, doubled; entry 1 5 % too big"),
        buggy("dead pixel", f"0.1 at entry {len(w) - 1}, whose true derivative is exactly 0"),
        buggy("forgotten entry", "entry 2 left at 0")])
    if result.ok:
        return Result("my_gradcheck", "passed",
                      "the same largest per-entry error and index as numeric.gradcheck on a correct "
                      "gradient and on three buggy ones. With two bugs, the worst entry is the small "
                      "entry 0 (100 % off), not entry 1, whose 5 % error is the larger in absolute "
                      "terms; 0 = 0 at the dead pixel counts as right.")
    return result


# ---------------------------------------------------------------- exercise: find the bug

def _tanh_grad(X: np.ndarray, t: np.ndarray, theta: np.ndarray) -> np.ndarray:
    """The right gradient of L = 1/(2m) sum (tanh(X w + b) - t)^2 with theta = (w, b)."""
    w, b = theta[:-1], theta[-1]
    p = np.tanh(X @ w + b)
    dz = (p - t) / len(t) * (1 - p ** 2)
    return np.append(X.T @ dz, dz.sum())


def check_tanh_gradient(grad: Callable[[np.ndarray], np.ndarray], X: np.ndarray,
                        t: np.ndarray) -> Result:
    """``grad(theta)`` must be the gradient of L(theta) = 1/(2m) sum_i (tanh(x_i . w + b) - t_i)^2,
    theta = (w, b), for the data X (m x k), t (m,). Checked at 3 random points against the
    closed form and, independently, with numeric.gradcheck; the entries are named (w_j or b)
    and typical slips (b's derivative averaged instead of summed, the 1/m missing, tanh's
    derivative missing, the sign) are named."""
    X, t = np.asarray(X, dtype=float), np.asarray(t, dtype=float)
    k = X.shape[1]
    names = [f"dL/dw{j + 1}" for j in range(k)] + ["dL/db"]

    def loss(theta: np.ndarray) -> float:
        return float(0.5 * np.mean((np.tanh(X @ theta[:-1] + theta[-1]) - t) ** 2))

    def at(theta: np.ndarray) -> Callable[[], Result]:
        def run() -> Result:
            want = _tanh_grad(X, t, theta)
            w, b = theta[:-1], theta[-1]
            p = np.tanh(X @ w + b)
            dz = (p - t) / len(t) * (1 - p ** 2)
            averaged_b = np.append(X.T @ dz, dz.mean())
            no_tanh = np.append(X.T @ ((p - t) / len(t)), ((p - t) / len(t)).sum())
            got = attempt(grad, theta.copy())
            result = compare("gradient", got, want, rtol=1e-7, wrong=[
                ("dL/db is 1/m of the right value: dz already holds the 1/m of the mean, so "
                 "averaging it again divides by m twice. b's derivative is a SUM over the "
                 "examples.", averaged_b),
                ("Every entry is m times too big: the loss is a MEAN, so dL/dp carries 1/m.",
                 want * len(t)),
                ("The factor tanh'(z) = 1 - tanh(z)^2 is missing (the chain rule through tanh).",
                 no_tanh),
                ("The sign is flipped: dL/dp = (p - t)/m, not (t - p)/m.", -want)])
            if result.ok:
                return result
            worst = result.message.split(" is ", 1)[0].replace("entry ", "")
            label = names[int(worst)] if worst.isdigit() and int(worst) < len(names) else None
            if label is None:
                return result
            message, sep, hint = result.message.partition(" Hint: ")
            return Result(result.name, "failed", f"{message.rstrip('.')} (entry {worst} is "
                                                 f"{label}).{sep}{hint}")
        return run

    points = np.random.default_rng(7).normal(size=(3, k + 1))
    result = first_failure("tanh gradient", [at(theta) for theta in points])
    if not result.ok:
        return result
    if not all(numeric.gradcheck(loss, grad, theta).ok for theta in points):
        return Result("tanh gradient", "failed", "agrees with the formula but not with gradcheck")
    return Result("tanh gradient", "passed", "right at 3 random points, and gradcheck agrees")


# ---------------------------------------------------------------- exercise: predict the best step

def check_best_step(h_guess: float | None, error_guess: float | None) -> Result:
    """For f = e^x at x = 1 and the FORWARD difference: the model's best step
    h* = sqrt(2 eps |f| / |f''|) = sqrt(2 eps) and its error e sqrt(2 eps), each within a factor
    of 3. ``None`` means not answered yet. Typical slips named: the central difference's step,
    "as small as possible", eps itself, the truncation or rounding term alone."""
    eps = float(np.finfo(float).eps)
    h_model = np.sqrt(2 * eps)                         # f = f'' = e at x = 1
    e_model = h_model * np.e / 2 + eps * np.e / h_model
    if h_guess is None or error_guess is None:
        return Result("best step", "not implemented yet",
                      "set both predictions (numbers instead of None), then run this cell again")

    def step() -> Result:
        h = float(h_guess)
        if h_model / 3 < h < h_model * 3:
            return Result("step", "passed")
        measured = numeric.step_errors(np.exp, 1.0, np.e, [h], "forward")[0] if h > 0 else np.inf
        hints = [(h < h_model / 100, "Smaller is not better: the rounding error eps|f|/h GROWS as h "
                                     "shrinks. Balance it against the truncation error h|f''|/2."),
                 (abs(np.log10(h / np.cbrt(3 * eps))) < 0.5, "That is the CENTRAL difference's best "
                                                             "step, eps^(1/3); the forward one is sqrt(eps)-sized."),
                 (h > h_model * 100 and not abs(np.log10(h / np.cbrt(3 * eps))) < 0.5,
                  "That step is in the truncation regime: the error h|f''|/2 dominates.")]
        hint = " ".join(text for hit, text in hints if hit)
        return Result("step", "failed", f"h = {h:.2g} is not the model's best step (the measured "
                                        f"error there is {measured:.1e})." + (f" {hint}" if hint else ""))

    def error() -> Result:
        err = float(error_guess)
        if e_model / 3 < err < e_model * 3:
            return Result("error", "passed")
        hints = [(abs(np.log10(err / eps)) < 1, "The error at the best step is not eps: at h* the "
                                                "truncation and rounding errors are both about "
                                                "sqrt(eps) in size.")]
        hint = " ".join(text for hit, text in hints if hit)
        return Result("error", "failed", f"{err:.2g} is not the model's error at its best step."
                                         + (f" {hint}" if hint else " Evaluate E(h) = h|f''|/2 + "
                                            "eps|f|/h at your h*."))

    result = first_failure("best step", [step, error])
    if result.ok:
        return Result("best step", "passed", f"h* = sqrt(2 eps) = {h_model:.2e}, error e sqrt(2 eps) "
                                             f"= {e_model:.2e}")
    return result


# ---------------------------------------------------------------- exercise: which array is which?

def check_axes(dq_dx: Any, dq_dy: Any, xs: np.ndarray, ys: np.ndarray) -> Result:
    """q(x, y) = x e^y sampled on np.meshgrid(xs, ys, indexing="ij") (axis 0 follows x): the
    learner assigns the outputs of np.gradient(Q, xs, ys) to dq_dx and dq_dy. Checked against
    np.gradient's outputs (whose accuracy against the exact partials e^y and x e^y the tests
    check); a swap or a transposed grid is named."""
    if dq_dx is None or dq_dy is None:
        return Result("which array is which", "not implemented yet",
                      "assign both arrays (instead of None), then run this cell again")
    X, Y = np.meshgrid(xs, ys, indexing="ij")
    first, second = np.gradient(X * np.exp(Y), xs, ys)
    swap = "Swapped: with indexing=\"ij\" axis 0 follows x, so np.gradient's FIRST output is dq/dx."
    return first_failure("which array is which", [
        lambda: compare("dq_dx", dq_dx, first, rtol=1e-12, wrong=[(swap, second)]),
        lambda: compare("dq_dy", dq_dy, second, rtol=1e-12, wrong=[(swap, first)])])
