"""Checks for the edge-of-stability notebook's exercise (notebook 11).

    check_top_eigenvalue(top_eigenvalue)
        power iteration from Hessian-vector products alone:

            v_0 = a random unit vector (from ``seed``);   for k = 1 .. iters:
                w = H v_{k-1},   v_k = w / ‖w‖
            λ = v_kᵀ H v_k   (the Rayleigh quotient; v_k is a unit vector)

        ``top_eigenvalue(hvp, n, iters, seed)`` → (λ, v). Checked against ``numpy.linalg.eigh``
        on quadratics with a known spectrum (a large one, a tiny one, one whose eigenvalue of
        largest magnitude is NEGATIVE) and on a small network's Hessian (``MLP.hvp``) against
        ``eigvalsh`` of the full Hessian and ``MLP.sharpness``.

Power iteration converges to the eigenvalue of largest MAGNITUDE: on a Hessian whose most
negative eigenvalue is larger in size than its most positive one it returns that negative
eigenvalue, not the sharpness. The checker expects exactly that (the learner's function is right
to return it) and says so. The typical mistakes are named: no normalization (overflow to inf or
underflow to 0), λ as the norm ratio ‖Hv‖ (loses the sign), fewer products than ``iters``, a
vector that is not a unit vector.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from gradlib.exercises import Result, attempt, first_failure
from gradlib.mlp import MLP

__all__ = ["check_top_eigenvalue", "quadratic_case", "network_case", "power_iteration"]


def quadratic_case(eigenvalues: Any, seed: int) -> np.ndarray:
    """H = Q diag(eigenvalues) Qᵀ with a random orthogonal Q (seeded): a known spectrum."""
    lam = np.asarray(eigenvalues, dtype=float)
    Q, _ = np.linalg.qr(np.random.default_rng(seed).standard_normal((lam.size, lam.size)))
    return (Q * lam) @ Q.T


def network_case() -> tuple[MLP, np.ndarray, np.ndarray]:
    """A tiny tanh network (2-4-1, 17 parameters) on 12 points, squared error: small enough for
    a full Hessian, and (asserted in the tests) its eigenvalue of largest magnitude is positive."""
    rng = np.random.default_rng(7)
    X = rng.standard_normal((12, 2))
    T = np.sin(X[:, :1] + 2 * X[:, 1:])
    return MLP([2, 4, 1], activation="tanh", output="identity", init="xavier", seed=3), X, T


def power_iteration(hvp: Callable[[np.ndarray], np.ndarray], n: int, iters: int, seed: int
                    ) -> tuple[float, np.ndarray]:
    """A reference: the power iteration of the module docstring (iters products, plus one for λ)."""
    v = np.random.default_rng(seed).standard_normal(n)
    v /= np.linalg.norm(v)
    for _ in range(iters):
        w = hvp(v)
        v = w / np.linalg.norm(w)
    return float(v @ hvp(v)), v


class _Counted:
    """hvp with a call counter (power iteration needs one product per iteration)."""
    def __init__(self, n: int, H: np.ndarray | None = None, fn: Callable | None = None) -> None:
        self.n, self.H, self.fn, self.calls = n, H, fn, 0

    def __call__(self, v: Any) -> np.ndarray:
        self.calls += 1
        v = np.asarray(v, dtype=float)
        if v.shape != (self.n,):
            raise ValueError(f"hvp expects a vector of shape ({self.n},), got shape {v.shape}")
        return self.H @ v if self.H is not None else self.fn(v)


def _run(label: str, top_eigenvalue: Callable, H: np.ndarray, iters: int,
         hvp: Callable | None = None) -> Result:
    n = H.shape[0]
    counted = _Counted(n, None if hvp else H, hvp)
    with np.errstate(all="ignore"):
        out = attempt(top_eigenvalue, counted, n, iters, 0)
    if not (isinstance(out, tuple) and len(out) == 2):
        return Result(label, "failed", f"return the pair (λ, v); got {type(out).__name__}")
    lam, v = out
    evals, evecs = np.linalg.eigh(H)
    k = int(np.argmax(np.abs(evals)))
    expected, u = float(evals[k]), evecs[:, k]
    try:
        lam = float(lam)
        v = np.asarray(v, dtype=float).reshape(-1)
    except (TypeError, ValueError):
        return Result(label, "failed", "λ must be a number and v a vector")
    if counted.calls < iters:
        return Result(label, "failed", f"hvp was called {counted.calls} times for iters = {iters}: "
                      f"run all the iterations asked for, one product H v each (too few "
                      f"iterations leave v a mixture of eigenvectors and λ off)")
    if counted.calls > iters + 2:
        return Result(label, "failed", f"hvp was called {counted.calls} times for iters = {iters}: "
                      f"power iteration needs one product per iteration (plus one for the "
                      f"Rayleigh quotient), not the whole matrix")
    if not np.isfinite(lam) or not np.all(np.isfinite(v)) or not np.any(v):
        state = "not a finite number" if not np.all(np.isfinite(v)) else "all zeros"
        return Result(label, "failed", f"λ = {lam} and v is {state}: without normalization "
                      f"H^k v grows like |λ|^k (here {abs(expected):g}^{iters}) and overflows, or "
                      f"shrinks to 0; divide v by its norm after every product")
    err = abs(lam - expected)
    if err > 1e-12 + 1e-9 * abs(expected):
        text = (f"λ = {lam:.12g} where {expected:.12g} was expected (rel. error "
                f"{err / abs(expected):.1e}).")
        if expected < 0 and abs(lam + expected) <= 1e-9 * abs(expected):
            text += (" Hint: the right size, the wrong sign: ‖Hv‖ (the norm ratio) forgets the "
                     "sign, the Rayleigh quotient vᵀHv keeps it. Here the eigenvalue of largest "
                     "magnitude is NEGATIVE, and power iteration converges to it, not to the "
                     f"largest one: {expected:g} is the answer expected.")
        elif abs(lam) < abs(expected):
            text += (" Hint: power iteration converges to the eigenvalue of largest magnitude; "
                     "an estimate that is too small in size usually means v has not converged "
                     "(is λ the Rayleigh quotient vᵀHv of the FINAL, normalized v?).")
        return Result(label, "failed", text)
    result = Result(label, "passed", f"λ = {lam:.10g}, error {err:.1e}")
    if abs(np.linalg.norm(v) - 1.0) > 1e-9:
        return Result(label, "failed", f"λ is right but ‖v‖ = {np.linalg.norm(v):.6g}: return the "
                      f"unit vector v (divide by its norm)")
    if v.shape != u.shape or abs(abs(v @ u) - 1.0) > 1e-6:
        return Result(label, "failed", f"λ is right but v is not its eigenvector: |vᵀu| = "
                      f"{abs(v @ u) if v.shape == u.shape else float('nan'):.6g} (1 expected; the "
                      f"sign of v is free)")
    return result


def check_top_eigenvalue(top_eigenvalue: Callable[..., Any]) -> Result:
    """``top_eigenvalue(hvp, n, iters, seed)`` → (λ, v), by power iteration; see the module
    docstring. λ to 1e-9 relative, v a unit eigenvector to 1e-6, hvp called iters (+ 2) times."""
    big = quadratic_case([250.0, 120.0, 40.0, -3.0, 1.0, 0.5], seed=1)       # |λ|^k overflows
    tiny = quadratic_case([0.05, 0.02, 0.01, -0.005, 0.001], seed=2)         # ... or underflows
    negative = quadratic_case([-6.0, 4.0, 2.5, 1.0, -1.0, 0.2], seed=3)      # |−6| > 4
    net, X, T = network_case()
    H_net = _network_hessian(net, X, T)
    return first_failure("top_eigenvalue", [
        lambda: _run("quadratic, eigenvalues 250, 120, 40, ...", top_eigenvalue, big, 200),
        lambda: _run("quadratic, eigenvalues 0.05, 0.02, 0.01, ...", top_eigenvalue, tiny, 250),
        lambda: _run("quadratic, eigenvalues -6, 4, 2.5, ...", top_eigenvalue, negative, 120),
        lambda: _run("2-4-1 network's Hessian (MLP.hvp)", top_eigenvalue, H_net, 400,
                     hvp=lambda v: net.hvp(X, T, v))])


def _network_hessian(net: MLP, X: np.ndarray, T: np.ndarray) -> np.ndarray:
    H = np.column_stack([net.hvp(X, T, e) for e in np.eye(net.n_params)])
    return 0.5 * (H + H.T)
