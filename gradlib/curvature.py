"""Curvature: what the Hessian says about a point, a step size, and a whole descent path.

    H = Q diag(l1 <= ... <= ln) Q^T        eigenvalues = curvature along the principal directions
    condition = max|l| / min|l|            sharpest over flattest curvature (zig-zag of GD); the
                                           level sets are sqrt(condition) times longer than wide
    max_stable_lr(H) = 2 / l_max           the GD threshold: converges for 0 < lr < 2 / l_max
    gd_rate(H, lr) = max |1 - lr * l|      GD contraction per step on the local quadratic
    momentum_rate(H, lr, beta)             spectral radius of the heavy-ball iteration
    m(q) = f(p) + g^T (q - p) + 1/2 (q - p)^T H (q - p)      second-order Taylor model at p
    Newton step = -H^-1 g                  the minimizer of m when H is positive definite

The Hessian is the matrix of second partials, the Jacobian *of the gradient* (not "the
Jacobian" of f). Every function here works in n dimensions and uses only ``f``, ``grad`` and
``hess`` of the problem it is given (duck typing: a ``gradlib.surfaces.Surface`` or any object
with those vectorized methods).
"""
from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

import numpy as np
from numpy.typing import ArrayLike

from . import _checks as check

__all__ = ["Curvature", "analyze", "max_stable_lr", "gd_rate", "momentum_rate",
           "momentum_rate_map", "Tuning", "optimal_gd", "optimal_momentum",
           "QuadraticModel", "quadratic_model", "CriticalPoint", "critical_points",
           "PathCurvature", "eigen_along_path", "lr_times_lambda_max", "hvp_fd",
           "HessianCost", "hessian_memory_table", "KINDS", "SYMMETRY_RTOL"]

#: The four answers of the second-derivative test.
KINDS = ("minimum", "maximum", "saddle", "degenerate")
#: H passes as symmetric when max|H - H^T| <= SYMMETRY_RTOL * max|H| (rounding in numeric Hessians).
SYMMETRY_RTOL = 1e-6


# -- validation (once, at the boundary) ---------------------------------------------------------
def _real_array(value: Any, name: str) -> np.ndarray:
    """``value`` as a float64 array (a copy we own), or ValueError naming ``name``."""
    try:
        arr = np.asarray(value)
    except Exception:  # noqa: BLE001 - anything that cannot become an array is the caller's mistake
        raise ValueError(f"{name} must be a real numeric array, got {type(value).__name__}") from None
    if arr.dtype.kind not in "biuf":
        raise ValueError(f"{name} must be a real numeric array, got dtype {arr.dtype}")
    return np.array(arr, dtype=np.float64)


def _check_finite(arr: np.ndarray, name: str) -> None:
    if not np.all(np.isfinite(arr)):
        where = tuple(int(i) for i in np.argwhere(~np.isfinite(arr))[0])
        raise ValueError(f"{name} must be finite, got {arr[where]} at index {where}")


def _check_hessian(H: Any, name: str = "H") -> np.ndarray:
    """A validated, exactly symmetrized copy of the n x n matrix H."""
    H = _real_array(H, name)
    if H.ndim != 2:
        raise ValueError(f"{name} must be a 2-D array (an n x n matrix), got shape {H.shape}")
    if H.shape[0] != H.shape[1] or H.shape[0] == 0:
        raise ValueError(f"{name} must be square (n x n with n >= 1), got shape {H.shape}")
    _check_finite(H, name)
    asym, size = float(np.max(np.abs(H - H.T))), float(np.max(np.abs(H)))
    if asym > SYMMETRY_RTOL * size:
        raise ValueError(f"{name} must be symmetric (a Hessian of a smooth function is): "
                         f"max|{name} - {name}.T| = {asym:.3g} exceeds {SYMMETRY_RTOL:g} * "
                         f"max|{name}| = {SYMMETRY_RTOL * size:.3g}; if that is rounding, pass "
                         f"({name} + {name}.T) / 2")
    return (H + H.T) / 2


def _check_rates(values: Any, name: str) -> np.ndarray:
    """An array of finite numbers >= 0 (learning rates, momentum coefficients)."""
    arr = _real_array(values, name)
    _check_finite(arr, name)
    if np.any(arr < 0):
        raise ValueError(f"{name} must be >= 0, got {float(arr.min())!r}")
    return arr


def _check_problem(problem: Any, name: str = "surface", needs: Sequence[str] = ("f", "grad", "hess")) -> None:
    missing = [m for m in needs if not callable(getattr(problem, m, None))]
    if missing:
        raise ValueError(f"{name} must have callable {', '.join(needs)} (a gradlib Surface or "
                         f"similar); {type(problem).__name__} lacks {', '.join(missing)}")


def _sign_fix(vectors: np.ndarray) -> np.ndarray:
    """Flip each eigenvector (column) so its largest-magnitude entry is positive: one fixed choice."""
    idx = np.argmax(np.abs(vectors), axis=-2)[..., None, :]
    signs = np.sign(np.take_along_axis(vectors, idx, axis=-2))
    return vectors * np.where(signs == 0, 1.0, signs)


def _frozen(arr: np.ndarray) -> np.ndarray:
    arr.setflags(write=False)
    return arr


# -- eigen-analysis of one Hessian --------------------------------------------------------------
@dataclass(frozen=True, eq=False)
class Curvature:
    """The eigen-analysis of a Hessian (see ``analyze``).

    ``eigenvalues`` ascending, ``eigenvectors[:, i]`` belongs to ``eigenvalues[i]``;
    ``condition`` = max|l| / min|l| (inf when H is numerically singular); ``kind`` is one of
    ``KINDS``; ``tol`` and ``scale`` are the zero rule used: |l| <= tol * scale counts as 0.
    """

    eigenvalues: np.ndarray
    eigenvectors: np.ndarray
    condition: float
    kind: str
    tol: float
    scale: float

    @property
    def lambda_min(self) -> float:
        """The smallest eigenvalue: the lowest curvature (negative: a downhill direction)."""
        return float(self.eigenvalues[0])

    @property
    def lambda_max(self) -> float:
        """The largest eigenvalue: the sharpest upward curvature."""
        return float(self.eigenvalues[-1])


def analyze(H: ArrayLike, tol: float = 1e-8, *, scale: float | None = None) -> Curvature:
    """Eigenvalues, eigenvectors, condition number and critical-point kind of a Hessian H.

        H = Q diag(l) Q^T,   l ascending,   condition = max|l| / min|l|

    The condition number is a ratio of curvatures; for positive-definite H the level sets of
    1/2 d^T H d are ellipses with semi-axes ~ 1/sqrt(l_i), so their axis ratio is sqrt(condition).

    An eigenvalue counts as zero when |l| <= tol * scale; ``scale`` defaults to max|l| (a
    relative test). Pass the typical curvature of a surface as ``scale`` to judge a point whose
    whole Hessian is tiny (near the flat centre of a monkey saddle every |l| is tiny, and only an
    absolute scale can tell that apart from a genuine saddle).

    The kind is the second-derivative test at a critical point:
      minimum     all l > 0 (positive definite)
      maximum     all l < 0 (negative definite)
      saddle      some l > 0 and some l < 0 (conclusive even if other l are 0)
      degenerate  semidefinite with a zero eigenvalue, or H = 0: the test cannot decide,
                  higher derivatives must (x**4, -x**4, x**3 all give H = 0 at 0)
    ``condition`` is inf when some eigenvalue counts as zero (the matrix is numerically singular).

    H must be a finite, real, symmetric n x n array (symmetric within SYMMETRY_RTOL relative;
    it is symmetrized exactly before ``numpy.linalg.eigh``). Eigenvectors are the columns of
    ``eigenvectors``, each signed so that its largest-magnitude entry is positive.
    """
    H = _check_hessian(H)
    tol = check.real("tol", tol, "a finite number in [0, 1)", lambda v: 0 <= v < 1)
    if scale is not None:
        scale = check.positive("scale", scale)
    eigenvalues, eigenvectors = np.linalg.eigh(H)
    size = float(np.max(np.abs(eigenvalues)))
    scale = size if scale is None else scale
    zero = np.abs(eigenvalues) <= tol * scale
    positive, negative = (eigenvalues > 0) & ~zero, (eigenvalues < 0) & ~zero
    if positive.any() and negative.any():
        kind = "saddle"
    elif zero.any():
        kind = "degenerate"
    else:
        kind = "minimum" if positive.all() else "maximum"
    condition = math.inf if zero.any() else size / float(np.min(np.abs(eigenvalues)))
    return Curvature(eigenvalues=_frozen(eigenvalues), eigenvectors=_frozen(_sign_fix(eigenvectors)),
                     condition=condition, kind=kind, tol=tol, scale=scale)


# -- step sizes and rates on the local quadratic ------------------------------------------------
def max_stable_lr(H: ArrayLike) -> float:
    """The stability threshold of gradient descent on the local quadratic: 2 / l_max.

        x <- x - lr * H x   multiplies the l-component by (1 - lr * l)
        |1 - lr * l| < 1 for every l > 0   <=>   0 < lr < 2 / l_max

    GD converges for every lr in (0, 2 / l_max) (when all l > 0). The threshold itself is not a
    stable step: at lr = 2 / l_max the top component is multiplied by exactly -1, so it bounces
    with constant amplitude forever; above it that oscillation grows. So there is no largest
    stable step, only this threshold.
    Returns inf when l_max <= 0: with no upward curvature no step size overshoots (but then
    gradient descent moves away from p along every downhill direction at any lr; p is no minimum).
    At a saddle the same holds for the downhill directions; 2 / l_max bounds the upward ones.
    For heavy-ball momentum the bound is 2 (1 + beta) / l_max (see ``momentum_rate``).
    """
    lam_max = float(np.linalg.eigvalsh(_check_hessian(H))[-1])
    return 2.0 / lam_max if lam_max > 0 else math.inf


def gd_rate(H: ArrayLike, lr: float) -> float:
    """Contraction factor per step of gradient descent on the quadratic with Hessian H.

        rate = max_i |1 - lr * l_i|      (< 1: converges, > 1: diverges)

    The distance to the minimum shrinks at least by this factor every step.
    """
    eigenvalues = np.linalg.eigvalsh(_check_hessian(H))
    lr = check.nonnegative("lr", lr)
    return float(np.max(np.abs(1.0 - lr * eigenvalues)))


def momentum_rate_map(eigenvalues: ArrayLike, lrs: ArrayLike, betas: ArrayLike) -> np.ndarray:
    """Heavy-ball convergence rate for every (lr, beta): the (lr, beta) map, vectorized.

        per eigenvalue l the iteration on (x_k, x_{k-1}) is the 2 x 2 block
            [[1 + beta - lr * l, -beta],
             [1,                  0   ]]
        whose eigenvalues solve  mu**2 - (1 + beta - lr * l) mu + beta = 0;
        rate = max over l of max |mu|

    ``lrs`` and ``betas`` broadcast together (e.g. from ``np.meshgrid``); the result has their
    broadcast shape. Block by block is exact for a symmetric (so diagonalizable) Hessian.
    Complex roots (underdamped, oscillating) have |mu| = sqrt(beta).
    """
    lam = _real_array(eigenvalues, "eigenvalues").reshape(-1)
    _check_finite(lam, "eigenvalues")
    if lam.size == 0:
        raise ValueError("eigenvalues must hold at least one eigenvalue")
    lr, beta = _check_rates(lrs, "lrs"), _check_rates(betas, "betas")
    try:
        lr, beta = np.broadcast_arrays(lr, beta)
    except ValueError:
        raise ValueError(f"lrs and betas must broadcast together, got shapes {lr.shape} and "
                         f"{beta.shape}") from None
    with np.errstate(over="ignore"):                             # absurd lr * l: rate inf
        a = (1.0 + beta[..., None]) - lr[..., None] * lam      # trace of each 2 x 2 block
        disc = a * a - 4.0 * beta[..., None]                    # discriminant of mu^2 - a mu + beta
        real_roots = (np.abs(a) + np.sqrt(np.maximum(disc, 0.0))) / 2.0
    radius = np.where(disc >= 0, real_roots, np.sqrt(beta[..., None]))
    return np.max(radius, axis=-1)


def momentum_rate(H: ArrayLike, lr: float, beta: float) -> float:
    """Spectral radius of the heavy-ball iteration on the quadratic with Hessian H.

        x_{k+1} = x_k - lr * H x_k + beta * (x_k - x_{k-1})
        [x_{k+1}; x_k] = [[(1 + beta) I - lr H, -beta I], [I, 0]] [x_k; x_{k-1}]
        rate = spectral radius of that 2n x 2n matrix

    PyTorch's SGD momentum (dampening 0: v <- beta v + g, x <- x - lr v) is algebraically this
    heavy ball: x_{k+1} - x_k = -lr v_{k+1} = beta (x_k - x_{k-1}) - lr g_k. Distances to the
    minimum shrink like rate**k (up to a constant factor); rate < 1 <=> 0 < lr l < 2 (1 + beta)
    for every eigenvalue l when 0 <= beta < 1. Computed block by block (``momentum_rate_map``).
    """
    eigenvalues = np.linalg.eigvalsh(_check_hessian(H))
    lr = check.nonnegative("lr", lr)
    beta = check.nonnegative("beta", beta)
    return float(momentum_rate_map(eigenvalues, lr, beta))


class Tuning(NamedTuple):
    """Best hyper-parameters for a quadratic and the contraction factor per step they reach."""
    lr: float
    beta: float
    rate: float


def _spd_extremes(H: ArrayLike) -> tuple[float, float]:
    c = analyze(H)
    if c.kind != "minimum":
        raise ValueError(f"H must be positive definite (a minimum), got a {c.kind} with "
                         f"eigenvalues {np.array2string(c.eigenvalues, precision=4)}")
    return c.lambda_min, c.lambda_max


def optimal_gd(H: ArrayLike) -> Tuning:
    """The best constant gradient-descent step for a positive-definite quadratic.

        lr* = 2 / (l_min + l_max),   rate = (kappa - 1) / (kappa + 1),   kappa = l_max / l_min
    """
    mu, L = _spd_extremes(H)
    kappa = L / mu
    return Tuning(lr=2.0 / (mu + L), beta=0.0, rate=(kappa - 1.0) / (kappa + 1.0))


def optimal_momentum(H: ArrayLike) -> Tuning:
    """Polyak's best heavy-ball parameters for a positive-definite quadratic.

        lr* = 4 / (sqrt(l_max) + sqrt(l_min))**2
        beta* = ((sqrt(kappa) - 1) / (sqrt(kappa) + 1))**2,   rate = sqrt(beta*)
    The rate depends on sqrt(kappa) instead of kappa: momentum's advantage on ill-conditioned problems.
    """
    mu, L = _spd_extremes(H)
    root = math.sqrt(L / mu)
    rate = (root - 1.0) / (root + 1.0)
    return Tuning(lr=4.0 / (math.sqrt(L) + math.sqrt(mu)) ** 2, beta=rate * rate, rate=rate)


# -- the local quadratic model -------------------------------------------------------------------
def _point(p: Any, name: str, n: int | None) -> np.ndarray:
    p = _real_array(p, name)
    if p.ndim != 1 or (n is not None and p.shape[0] != n) or p.shape[0] == 0:
        expected = f"({n},)" if n is not None else "(n,)"
        raise ValueError(f"{name} must be one point of shape {expected}, got shape {p.shape}")
    _check_finite(p, name)
    return p


def _dimension(problem: Any) -> int | None:
    variables = getattr(problem, "variables", None)
    try:
        return len(variables) if variables is not None else None
    except TypeError:
        return None


@dataclass(frozen=True, eq=False)
class QuadraticModel:
    """The second-order Taylor model of f at p (see ``quadratic_model``).

        m(q) = f0 + g^T (q - p) + 1/2 (q - p)^T H (q - p)
    """

    p: np.ndarray
    f0: float
    g: np.ndarray
    H: np.ndarray

    def __call__(self, q: ArrayLike) -> np.ndarray:
        """m(q) for q of shape (..., n); returns shape (...)."""
        q = _real_array(q, "q")
        if q.ndim == 0 or q.shape[-1] != self.p.shape[0]:
            raise ValueError(f"q must have shape (..., {self.p.shape[0]}), got shape {q.shape}")
        d = q - self.p
        return self.f0 + d @ self.g + 0.5 * np.einsum("...i,ij,...j->...", d, self.H, d)

    @property
    def curvature(self) -> Curvature:
        """``analyze(H)``: the eigen-directions and kind of the model."""
        return analyze(self.H)

    @property
    def newton_step(self) -> np.ndarray | None:
        """The Newton step -H^-1 g: from p to the critical point of m; None when H is singular.

        For positive-definite H that point is the model's minimum. For an indefinite H it is
        the model's saddle: Newton's method heads for it all the same (it solves grad = 0).
        """
        if math.isinf(self.curvature.condition):
            return None
        return _frozen(-np.linalg.solve(self.H, self.g))


def quadratic_model(surface: Any, p: ArrayLike) -> QuadraticModel:
    """The second-order Taylor model of ``surface`` at the point ``p``.

        m(q) = f(p) + grad f(p)^T (q - p) + 1/2 (q - p)^T hess f(p) (q - p)

    ``surface`` is anything with ``f``, ``grad``, ``hess`` (a gradlib Surface). m matches f's
    value, slope and curvature at p, so f(q) - m(q) = O(|q - p|**3); for a quadratic f, m = f.
    """
    _check_problem(surface)
    p = _point(p, "p", _dimension(surface))
    with np.errstate(all="ignore"):
        f0 = np.asarray(surface.f(p), dtype=float)
        g = np.array(surface.grad(p), dtype=float)
        H = np.array(surface.hess(p), dtype=float)
    if f0.shape != () or not np.isfinite(f0):
        raise ValueError(f"p must be a point where f is finite, got f(p) = {f0.tolist()!r}")
    if g.shape != p.shape:
        raise ValueError(f"p has shape {p.shape} but surface.grad(p) has shape {g.shape}")
    _check_finite(g, "surface.grad(p)")
    H = _check_hessian(H, "surface.hess(p)")
    return QuadraticModel(p=_frozen(p), f0=float(f0), g=_frozen(g), H=_frozen(H))


# -- critical points -----------------------------------------------------------------------------
class CriticalPoint(NamedTuple):
    """A point where grad f = 0, its kind (one of ``KINDS``) and the value f there."""
    point: np.ndarray
    kind: str
    value: float


def _window(surface: Any) -> np.ndarray | None:
    """The window [[xmin, xmax], [ymin, ymax]] of a 2-D surface ([[xmin, xmax]] in 1-D), or None."""
    lims = [lim for lim in (getattr(surface, "xlim", None), getattr(surface, "ylim", None))
            if lim is not None]
    n = _dimension(surface)
    if not lims or (n is not None and len(lims) != n):
        return None
    return np.array(lims, dtype=float)


def _pinv_newton_steps(g: np.ndarray, H: np.ndarray) -> np.ndarray:
    """-H^+ g for a batch: Newton steps that skip (numerically) zero-curvature directions."""
    lam, Q = np.linalg.eigh((H + np.swapaxes(H, -1, -2)) / 2)
    big = np.abs(lam) > 1e-12 * np.max(np.abs(lam), axis=-1, keepdims=True)
    inv = np.where(big, 1.0 / np.where(big, lam, 1.0), 0.0)
    coords = np.einsum("...ji,...j->...i", Q, g)               # g in the eigenbasis
    return -np.einsum("...ij,...j->...i", Q, inv * coords)


def critical_points(surface: Any, *, starts: int | ArrayLike = 21, tol: float = 1e-6,
                    steps: int = 80) -> list[CriticalPoint]:
    """Critical points (grad f = 0) of a surface, each classified by ``analyze`` of its Hessian.

        x <- x - H(x)^+ grad f(x)      Newton's method on grad f = 0, from many starts at once

    ``starts``: an int m gives an m x m grid over the surface's window (``xlim`` x ``ylim``, or m
    points on ``xlim`` in 1-D), plus its listed ``minima``; or pass start points of shape (k, n).
    A run counts as converged when |grad f| <= 1e-8 times the typical gradient norm over the
    starts; runs that leave the region around the starts are dropped. Points closer than 1e-6 of
    the region's diameter are merged. When the surface has a window, only points inside it
    are kept. Roots of higher multiplicity (the monkey saddle's flat centre) converge
    linearly, hence ``steps``.

    ``tol`` is the zero rule of ``analyze``, relative to the typical curvature over the starts
    (the median spectral norm of the Hessian), so a point whose Hessian vanishes is reported as
    ``degenerate`` even though the eigenvalues at a numerically found point are not exactly 0.
    Assumes isolated critical points: a line of critical points shows up as many ``degenerate``
    ones. Returns a list sorted by value, then by coordinates.
    """
    _check_problem(surface)
    tol = check.real("tol", tol, "a finite number in [0, 1)", lambda v: 0 <= v < 1)
    steps = check.integer("steps", steps, lo=1)
    window = _window(surface)
    if check.is_integer(starts):
        if window is None:
            raise ValueError("starts must be an array of shape (k, n) when the surface has no "
                             "xlim/ylim window to lay a grid over")
        if starts < 2:
            raise ValueError(f"starts must be >= 2 grid points per axis, got {starts}")
        axes = [np.linspace(lo, hi, int(starts)) for lo, hi in window]
        grid = np.stack(np.meshgrid(*axes, indexing="ij"), axis=-1).reshape(-1, len(window))
        minima = getattr(surface, "minima", None)
        minima = np.empty((0, len(window))) if minima is None else \
            np.asarray(minima, dtype=float).reshape(-1, len(window))
        x = np.concatenate([grid, minima])
    else:
        x = _real_array(starts, "starts")
        if x.ndim != 2 or x.shape[0] == 0 or x.shape[1] == 0:
            raise ValueError(f"starts must be an int or an array of shape (k, n), got shape {x.shape}")
        _check_finite(x, "starts")
    n = _dimension(surface)
    if n is not None and x.shape[1] != n:
        raise ValueError(f"starts must have {n} columns (one per variable), got shape {x.shape}")

    lo, hi = x.min(axis=0), x.max(axis=0)
    diameter = float(np.linalg.norm(hi - lo)) or max(1.0, float(np.max(np.abs(x))))
    centre = (lo + hi) / 2
    with np.errstate(all="ignore"):
        g = np.asarray(surface.grad(x), dtype=float)
        H = np.asarray(surface.hess(x), dtype=float)
        finite = np.all(np.isfinite(g), axis=-1) & np.all(np.isfinite(H), axis=(-2, -1))
        if not finite.any():
            return []
        g_scale = float(np.median(np.linalg.norm(g[finite], axis=-1))) or 1.0
        h_scale = float(np.median(np.max(np.abs(np.linalg.eigvalsh(H[finite])), axis=-1))) or 1.0
        alive = finite.copy()
        for _ in range(int(steps)):
            step = np.zeros_like(x)
            step[alive] = _pinv_newton_steps(g[alive], H[alive])
            x = np.where(alive[:, None], x + step, x)
            alive &= np.all(np.isfinite(x), axis=-1) & \
                (np.linalg.norm(np.where(np.isfinite(x), x, 0.0) - centre, axis=-1) <= 10 * diameter)
            if not alive.any():
                return []
            g[alive] = np.asarray(surface.grad(x[alive]), dtype=float)
            H[alive] = np.asarray(surface.hess(x[alive]), dtype=float)
            alive &= np.all(np.isfinite(g), axis=-1) & np.all(np.isfinite(H), axis=(-2, -1))
        gnorm = np.where(alive, np.linalg.norm(np.where(alive[:, None], g, 0.0), axis=-1), np.inf)
    found = alive & (gnorm <= 1e-8 * g_scale)
    if window is not None and x.shape[1] == len(window):
        slack = 1e-9 * diameter
        found &= np.all((x >= window[:, 0] - slack) & (x <= window[:, 1] + slack), axis=-1)

    points: list[np.ndarray] = []
    for i in np.flatnonzero(found)[np.argsort(gnorm[found], kind="stable")]:
        if all(np.linalg.norm(x[i] - q) > 1e-6 * diameter for q in points):
            points.append(x[i].copy())
    out = []
    for q in points:
        with np.errstate(all="ignore"):
            value = float(np.asarray(surface.f(q)))
            kind = analyze(np.asarray(surface.hess(q), dtype=float), tol, scale=h_scale).kind
        out.append(CriticalPoint(point=_frozen(q), kind=kind, value=value))
    return sorted(out, key=lambda c: (c.value, *c.point))


# -- curvature along a path ----------------------------------------------------------------------
class PathCurvature(NamedTuple):
    """Eigenvalues (k, n), ascending in each row, and eigenvectors (k, n, n), columns, along a path."""
    eigenvalues: np.ndarray
    eigenvectors: np.ndarray


def eigen_along_path(surface: Any, xs: ArrayLike) -> PathCurvature:
    """The Hessian's eigenvalues and eigenvectors at every point of a path, in one batch.

        H(x_t) = Q_t diag(l_t) Q_t^T   for t = 0 .. k-1   (numpy.linalg.eigh, vectorized)

    ``xs`` has shape (k, n) (e.g. ``Path.xs``). Each eigenvector keeps the sign that points the
    same way as at the previous step, so arrows drawn along the path do not flip from frame to
    frame. A point where the Hessian is not finite (overflow far out on a diverged path) gets
    NaN rows, which plots skip.
    """
    _check_problem(surface, needs=("hess",))
    xs = _real_array(xs, "xs")
    n = _dimension(surface)
    if xs.ndim != 2 or xs.shape[0] == 0 or (n is not None and xs.shape[1] != n):
        raise ValueError(f"xs must have shape (k, {n if n is not None else 'n'}) with k >= 1, "
                         f"got shape {xs.shape}")
    _check_finite(xs, "xs")
    with np.errstate(all="ignore"):
        H = np.array(surface.hess(xs), dtype=float)
    if H.shape != xs.shape + (xs.shape[1],):
        raise ValueError(f"surface.hess(xs) must have shape {xs.shape + (xs.shape[1],)}, "
                         f"got {H.shape}")
    ok = np.all(np.isfinite(H), axis=(-2, -1))
    eigenvalues = np.full(xs.shape, np.nan)
    eigenvectors = np.full(H.shape, np.nan)
    if ok.any():
        lam, Q = np.linalg.eigh((H[ok] + np.swapaxes(H[ok], -1, -2)) / 2)
        Q = _sign_fix(Q)
        # align column j of step t with column j of step t-1: flip where they point apart
        flips = np.where(np.einsum("tij,tij->tj", Q[1:], Q[:-1]) < 0, -1.0, 1.0)
        Q[1:] *= np.cumprod(flips, axis=0)[:, None, :]
        eigenvalues[ok], eigenvectors[ok] = lam, Q
    return PathCurvature(eigenvalues=eigenvalues, eigenvectors=eigenvectors)


def lr_times_lambda_max(eigenvalues: ArrayLike, lrs: ArrayLike) -> np.ndarray:
    """lr_t * l_max(x_t) for every step t: gradient descent is locally unstable where it exceeds 2.

    ``eigenvalues`` of shape (m, n) (from ``eigen_along_path``), ``lrs`` a number or the (k,)
    learning rates of the k steps (``Path.lrs``, k <= m); step t goes from x_t, so row t is used.
    Returns shape (k,), or (m,) for a single number. (For heavy-ball momentum the line is
    2 (1 + beta); adaptive methods rescale each coordinate, so the line does not apply to them.)
    """
    lam = _real_array(eigenvalues, "eigenvalues")
    if lam.ndim != 2 or lam.shape[1] == 0:
        raise ValueError(f"eigenvalues must have shape (m, n), got shape {lam.shape}")
    lr = _check_rates(lrs, "lrs")
    if lr.ndim > 1:
        raise ValueError(f"lrs must be a number or a 1-D array, got shape {lr.shape}")
    if lr.ndim == 1 and lr.shape[0] > lam.shape[0]:
        raise ValueError(f"lrs has {lr.shape[0]} entries but eigenvalues only {lam.shape[0]} rows")
    top = lam[:, -1] if lr.ndim == 0 else lam[: lr.shape[0], -1]
    return lr * top


# -- Hessian-vector products and the cost of full Hessians ---------------------------------------
def hvp_fd(grad: Callable[[np.ndarray], np.ndarray], x: ArrayLike, v: ArrayLike,
           eps: float | None = None) -> np.ndarray:
    """Hessian-vector product H(x) v by central differences of the gradient, without forming H.

        H v ~ (grad(x + eps v) - grad(x - eps v)) / (2 eps)

    Two gradient evaluations, O(n) memory, whatever n is. The error is O(eps**2) (truncation)
    plus O(machine_eps / eps) (rounding); ``eps=None`` picks
    eps = cbrt(machine_eps) * max(1, |x|) / |v|, which balances the two.
    """
    if not callable(grad):
        raise ValueError(f"grad must be a function x -> gradient, got {type(grad).__name__}")
    x = _point(x, "x", None)
    v = _point(v, "v", x.shape[0])
    norm_v = float(np.linalg.norm(v))
    if norm_v == 0.0:
        return np.zeros_like(x)
    if eps is None:
        eps = np.cbrt(np.finfo(float).eps) * max(1.0, float(np.linalg.norm(x))) / norm_v
    else:
        eps = check.positive("eps", eps)
    with np.errstate(all="ignore"):
        plus = np.asarray(grad(x + eps * v), dtype=float)
        minus = np.asarray(grad(x - eps * v), dtype=float)
    if plus.shape != x.shape:
        raise ValueError(f"grad(x) must have the shape of x {x.shape}, got {plus.shape}")
    result = (plus - minus) / (2.0 * eps)
    _check_finite(result, "the difference of gradients")
    return result


class HessianCost(NamedTuple):
    """Memory of a dense n x n float64 Hessian for a model with ``params`` = n parameters."""
    params: int
    bytes: int
    readable: str


_UNITS = ("B", "kB", "MB", "GB", "TB", "PB", "EB", "ZB", "YB", "RB", "QB")


def _readable(size: int) -> str:
    """Bytes with decimal SI prefixes (1 kB = 1000 B), three significant digits."""
    power = 0
    while power < len(_UNITS) - 1 and size >= 1000 ** (power + 1):
        power += 1
    if power == 0:
        return f"{size} B"
    return f"{size / 1000 ** power:.3g} {_UNITS[power]}"


def hessian_memory_table(param_counts: Sequence[int] | np.ndarray) -> list[HessianCost]:
    """Bytes needed to store the full Hessian of models with these parameter counts.

        bytes = 8 * n**2     (n x n entries of 8-byte float64; the gradient needs only 8 n)

    Exact Python integers (no overflow for billions of parameters); sizes in decimal SI units.
    """
    if isinstance(param_counts, (str, bytes)) or not hasattr(param_counts, "__iter__"):
        raise ValueError(f"param_counts must be a sequence of integers, got {type(param_counts).__name__}")
    rows = []
    for n in list(param_counts):
        if isinstance(n, (bool, np.bool_)) or not isinstance(n, (int, np.integer)) or n < 1:
            raise ValueError(f"param_counts must hold integers >= 1, got {n!r}")
        size = 8 * int(n) ** 2
        rows.append(HessianCost(params=int(n), bytes=size, readable=_readable(size)))
    return rows
