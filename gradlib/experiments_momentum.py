"""Momentum on a quadratic, the pure part of notebook 06's explorer (no widgets imported).

    quadratic_hessian(kappa, angle)      H = R diag(1, kappa) R^T, the Hessian of surfaces' quadratic
    Quadratic(H)                         f = 1/2 x^T H x as a NumPy problem for optim.descend (fast)
    level_set(H, c)                      the ellipse {p : 1/2 p^T H p = c}
    rate_map(eigenvalues, lrs, betas, method)     spectral radius of the iteration, per (lr, beta)
    rate_grid(eigenvalues, method) -> RateGrid    that map on a grid of pixel centres
    best_on_grid(grid) -> Tuning                  the grid's fastest (lr, beta)
    optimal_nesterov(eigenvalues) -> Tuning       the best Nesterov parameters on a quadratic
    stability_limit(lambda_max, beta, method)     the stability threshold: converges for 0 < lr < it
    steps_per_decade(rate)                        -1 / log10(rate): steps per 10x smaller error
    draw_rate_map(grid, ax), set_rate_map(...)    the map as an image (also used by notebook 06)
    measured_rate(errors)                         the contraction per step seen in a real run

    MomentumSettings, momentum_frame(settings)    what the explorer draws: settings -> Frame
    momentum_scene(method, kappa, angle)          its static layer (level sets, the rate map)
    momentum_describe(...)                        its status line

Both methods are linear on a quadratic, so each eigen-direction (curvature l) evolves by a 2 x 2
matrix whose characteristic polynomial is mu^2 - T mu + D:

    heavy ball (torch SGD momentum)   T = 1 + beta - lr l,             D = beta
    Nesterov   (torch nesterov=True)  T = (1 + beta) (1 - lr l),       D = beta (1 - lr l)

and the convergence rate is the largest |mu| over all eigenvalues l: distances to the minimum
shrink like rate**k.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, NamedTuple

import matplotlib
import numpy as np
from matplotlib import colors as mcolors
from matplotlib.axes import Axes
from matplotlib.image import AxesImage
from matplotlib.lines import Line2D
from matplotlib.ticker import FixedLocator, MaxNLocator
from numpy.typing import ArrayLike

from . import _checks as check
from . import curvature, optim
from .curvature import Tuning
from .optim import Path

__all__ = ["METHODS", "START", "RateGrid", "Quadratic", "quadratic_hessian", "level_set",
           "rate_map", "rate_grid", "best_on_grid", "optimal_nesterov", "optimum",
           "stability_limit", "measured_rate", "distances", "steps_per_decade",
           "RateMapArtists", "draw_rate_map", "set_rate_map", "MomentumSettings",
           "momentum_describe", "momentum_frame", "momentum_scene", "momentum_static_info"]


#: Methods whose rate map is known in closed form: value -> label.
METHODS: dict[str, str] = {"momentum": "heavy-ball momentum", "nesterov": "Nesterov momentum"}
#: Start of every run, before rotation (as in gradlib.surfaces.quadratic).
START = (-1.6, 0.9)
#: Colour of the rate map where the iteration diverges (rate >= 1).
DIVERGED_COLOR = "#d9d9d9"


# ---------------------------------------------------------------------------------------------
# validation
# ---------------------------------------------------------------------------------------------
def _eigenvalues(eigenvalues: Any) -> np.ndarray:
    try:
        lam = np.array(eigenvalues, dtype=float).reshape(-1)
    except (TypeError, ValueError):
        raise ValueError(f"eigenvalues must be real numbers, got {eigenvalues!r}") from None
    if lam.size == 0 or not np.all(np.isfinite(lam)) or np.any(lam <= 0):
        raise ValueError(f"eigenvalues must be finite and > 0 (a positive-definite Hessian), "
                         f"got {np.round(lam, 6).tolist()}")
    return lam


# ---------------------------------------------------------------------------------------------
# the quadratic
# ---------------------------------------------------------------------------------------------
def quadratic_hessian(kappa: float, angle: float = 0.0, scale: float = 1.0) -> np.ndarray:
    """H = scale * R diag(1, kappa) R^T, R the rotation by `angle` degrees.

    The Hessian of ``gradlib.surfaces.get("quadratic", kappa=..., angle=..., scale=...)``:
    curvature `scale` along the direction at `angle` degrees, `kappa * scale` across it.
    """
    kappa = check.real("kappa", kappa, "a finite number (condition number) >= 1", lambda v: v >= 1)
    angle = check.real("angle", angle, "a finite number (degrees)")
    scale = check.positive("scale", scale)
    theta = math.radians(angle)
    c, s = math.cos(theta), math.sin(theta)
    R = np.array([[c, -s], [s, c]])
    H = scale * R @ np.diag([1.0, kappa]) @ R.T
    return (H + H.T) / 2


@dataclass(frozen=True, eq=False)
class Quadratic:
    """f(x) = 1/2 x^T H x in NumPy: gradient H x, Hessian H, minimum 0 at the origin.

    A light problem for ``optim.descend`` (no SymPy), so sliders can change H quickly.
    ``start`` defaults to R @ START for the quadratic's own rotation when built by
    ``Quadratic.rotated``; otherwise to START.
    """

    H: np.ndarray
    start: np.ndarray = field(default_factory=lambda: np.array(START, dtype=float))

    def __post_init__(self) -> None:
        H = np.array(self.H, dtype=float)
        if H.ndim != 2 or H.shape[0] != H.shape[1] or not np.all(np.isfinite(H)) \
                or not np.allclose(H, H.T, rtol=1e-12, atol=0):
            raise ValueError(f"H must be a finite symmetric square matrix, got {self.H!r}")
        start = np.array(self.start, dtype=float)
        if start.shape != (H.shape[0],) or not np.all(np.isfinite(start)):
            raise ValueError(f"start must be {H.shape[0]} finite numbers, got {self.start!r}")
        H.setflags(write=False)
        start.setflags(write=False)
        object.__setattr__(self, "H", H)
        object.__setattr__(self, "start", start)

    @classmethod
    def rotated(cls, kappa: float, angle: float = 0.0) -> Quadratic:
        """The quadratic of ``surfaces.get("quadratic", kappa=kappa, angle=angle)``, same start."""
        theta = math.radians(check.real("angle", angle, "a finite number (degrees)"))
        R = np.array([[math.cos(theta), -math.sin(theta)], [math.sin(theta), math.cos(theta)]])
        return cls(quadratic_hessian(kappa, angle), R @ np.array(START))

    @property
    def n(self) -> int:
        return int(self.H.shape[0])

    def f(self, x: np.ndarray) -> float:
        return 0.5 * float(x @ self.H @ x)

    def grad(self, x: np.ndarray) -> np.ndarray:
        return self.H @ x

    def hess(self, x: np.ndarray) -> np.ndarray:
        return self.H


def level_set(H: ArrayLike, c: float, n: int = 121) -> np.ndarray:
    """The ellipse {p : 1/2 p^T H p = c} as n points (closed: the last equals the first).

        H = V diag(l) V^T   =>   p(t) = V [sqrt(2c / l_1) cos t, sqrt(2c / l_2) sin t]
    """
    H = np.array(H, dtype=float)
    if H.shape != (2, 2) or not np.all(np.isfinite(H)):
        raise ValueError(f"H must be a finite 2 x 2 matrix, got shape {H.shape}")
    c, n = check.positive("c", c), check.integer("n", n, lo=3)
    lam, V = np.linalg.eigh((H + H.T) / 2)
    if lam[0] <= 0:
        raise ValueError(f"H must be positive definite, got eigenvalues {np.round(lam, 6).tolist()}")
    t = np.linspace(0.0, 2.0 * np.pi, int(n))
    radii = np.sqrt(2.0 * c / lam)
    pts = np.stack([radii[0] * np.cos(t), radii[1] * np.sin(t)], axis=-1) @ V.T
    pts[-1] = pts[0]
    return pts


# ---------------------------------------------------------------------------------------------
# rates
# ---------------------------------------------------------------------------------------------
def _radius(T: np.ndarray, D: np.ndarray) -> np.ndarray:
    """max |mu| over the roots of mu^2 - T mu + D = 0 (complex roots: |mu| = sqrt(D))."""
    disc = T * T - 4.0 * D
    real = (np.abs(T) + np.sqrt(np.maximum(disc, 0.0))) / 2.0
    return np.where(disc >= 0, real, np.sqrt(np.maximum(D, 0.0)))


def rate_map(eigenvalues: ArrayLike, lrs: ArrayLike, betas: ArrayLike,
             method: str = "momentum") -> np.ndarray:
    """Convergence rate (spectral radius of the iteration) for every (lr, beta) pair.

        per eigenvalue l:  mu^2 - T mu + D = 0
            momentum   T = 1 + beta - lr l,          D = beta
            nesterov   T = (1 + beta)(1 - lr l),     D = beta (1 - lr l)
        rate = max over l of max |mu|        (< 1 converges, >= 1 does not)

    ``lrs`` and ``betas`` broadcast together; the result has their broadcast shape. The
    momentum map is ``gradlib.curvature.momentum_rate_map``.
    """
    method = check.one_of("method", method, METHODS)
    lam = _eigenvalues(eigenvalues)
    if method == "momentum":
        return curvature.momentum_rate_map(lam, lrs, betas)
    lr, beta = (np.asarray(v, dtype=float) for v in (lrs, betas))
    for name, v in (("lrs", lr), ("betas", beta)):
        bad = v[~(np.isfinite(v) & (v >= 0))]
        if bad.size:
            raise ValueError(f"{name} must be finite and >= 0, got {float(bad[0])!r}")
    try:
        lr, beta = np.broadcast_arrays(lr, beta)
    except ValueError:
        raise ValueError(f"lrs and betas must broadcast together, got shapes {lr.shape} and "
                         f"{beta.shape}") from None
    with np.errstate(over="ignore", invalid="ignore"):
        shrink = 1.0 - lr[..., None] * lam                       # 1 - lr l
        T = (1.0 + beta[..., None]) * shrink
        D = beta[..., None] * shrink
        radius = _radius(T, D)
    return np.max(np.where(np.isnan(radius), np.inf, radius), axis=-1)


class RateGrid(NamedTuple):
    """A rate map on a grid: ``rates[i, j]`` is the rate at ``betas[i]``, ``lrs[j]`` (pixel
    centres of an image spanning ``extent`` = (0, lr_max, 0, beta_max)), for ``method`` on a
    quadratic whose Hessian has ``eigenvalues``."""

    lrs: np.ndarray
    betas: np.ndarray
    rates: np.ndarray
    method: str
    extent: tuple[float, float, float, float]
    eigenvalues: np.ndarray


def rate_grid(eigenvalues: ArrayLike, method: str = "momentum", *, n_lr: int = 160,
              n_beta: int = 100, lr_max: float | None = None, beta_max: float = 0.99) -> RateGrid:
    """``rate_map`` on an n_beta x n_lr grid of pixel centres over (0, lr_max) x (0, beta_max).

    lr_max defaults to the widest stable lr over the betas shown (4 / l_max for momentum,
    2 / l_max for Nesterov) plus a margin of 10 %, so the diverging region shows too.
    """
    method = check.one_of("method", method, METHODS)
    lam = _eigenvalues(eigenvalues)
    n_lr, n_beta = check.integer("n_lr", n_lr, 2, 2000), check.integer("n_beta", n_beta, 2, 2000)
    beta_max = check.real("beta_max", beta_max, "a finite number in (0, 1)", lambda v: 0 < v < 1)
    if lr_max is None:
        lr_max = 1.1 * (4.0 if method == "momentum" else 2.0) / float(lam.max())
    lr_max = check.positive("lr_max", lr_max)
    lrs = (np.arange(n_lr) + 0.5) * lr_max / n_lr
    betas = (np.arange(n_beta) + 0.5) * beta_max / n_beta
    rates = rate_map(lam, lrs[None, :], betas[:, None], method)
    return RateGrid(lrs, betas, rates, method, (0.0, lr_max, 0.0, beta_max), np.sort(lam))


def best_on_grid(grid: RateGrid) -> Tuning:
    """The grid's fastest setting: (lr, beta) with the smallest rate (first one on ties)."""
    i, j = np.unravel_index(int(np.argmin(grid.rates)), grid.rates.shape)
    return Tuning(lr=float(grid.lrs[j]), beta=float(grid.betas[i]), rate=float(grid.rates[i, j]))


def optimal_nesterov(eigenvalues: ArrayLike) -> Tuning:
    """The best Nesterov parameters on a quadratic with curvatures between l_min and l_max:

        lr* = 4 / (3 l_max + l_min)
        beta* = (sqrt(3 kappa + 1) - 2) / (sqrt(3 kappa + 1) + 2),    kappa = l_max / l_min
        rate  = 1 - 2 / sqrt(3 kappa + 1)

    (Lessard, Recht and Packard, 2016). Heavy-ball's best rate (sqrt(kappa) - 1)/(sqrt(kappa) + 1)
    is smaller: on a quadratic, tuned heavy-ball momentum is the faster of the two.
    """
    lam = _eigenvalues(eigenvalues)
    mu, L = float(lam.min()), float(lam.max())
    root = math.sqrt(3.0 * L / mu + 1.0)
    return Tuning(lr=4.0 / (3.0 * L + mu), beta=(root - 2.0) / (root + 2.0), rate=1.0 - 2.0 / root)


def optimum(eigenvalues: ArrayLike, method: str = "momentum") -> Tuning:
    """The best (lr, beta) for ``method``: Polyak's for momentum, ``optimal_nesterov`` for Nesterov."""
    method = check.one_of("method", method, METHODS)
    lam = _eigenvalues(eigenvalues)
    if method == "nesterov":
        return optimal_nesterov(lam)
    return curvature.optimal_momentum(np.diag([float(lam.min()), float(lam.max())]))


def stability_limit(lambda_max: float, beta: float, method: str = "momentum") -> float:
    """The stability threshold on a quadratic whose top curvature is lambda_max: the iteration
    converges exactly for 0 < lr < threshold (at the threshold itself a root has |mu| = 1 and the
    error does not shrink):

        momentum   threshold = 2 (1 + beta) / lambda_max
        nesterov   threshold = 2 (1 + beta) / ((1 + 2 beta) lambda_max)
    (beta = 0 gives gradient descent's 2 / lambda_max for both).
    """
    method = check.one_of("method", method, METHODS)
    lam = check.positive("lambda_max", lambda_max)
    beta = check.unit_interval("beta", beta)
    factor = 2.0 * (1.0 + beta) if method == "momentum" else 2.0 * (1.0 + beta) / (1.0 + 2.0 * beta)
    return factor / lam


def steps_per_decade(rate: ArrayLike) -> np.ndarray:
    """How many steps shrink the error ten-fold at this rate:  -1 / log10(rate).

    inf where rate >= 1 (no convergence), and at least 1 (a rate of 0 finishes in one step).
    """
    r = np.asarray(rate, dtype=float)
    if np.any(np.isnan(r)) or np.any(r < 0):
        raise ValueError("rate must be >= 0 (a spectral radius), got a negative or NaN value")
    with np.errstate(divide="ignore"):
        steps = -1.0 / np.log10(np.minimum(r, 1.0))
    return np.where(r >= 1.0, np.inf, np.maximum(steps, 1.0))


def distances(path: Path | ArrayLike, x_star: ArrayLike | None = None) -> np.ndarray:
    """|x_k - x*| for every point of a run (x* defaults to the origin)."""
    xs = np.asarray(getattr(path, "xs", path), dtype=float)
    if xs.ndim != 2:
        raise ValueError(f"path must be a Path or an array of points of shape (k, n), got shape {xs.shape}")
    target = np.zeros(xs.shape[1]) if x_star is None else np.asarray(x_star, dtype=float)
    if target.shape != (xs.shape[1],):
        raise ValueError(f"x_star must have shape ({xs.shape[1]},), got {target.shape}")
    return np.linalg.norm(xs - target, axis=1)


def measured_rate(errors: ArrayLike) -> float:
    """The contraction factor per step seen in a run, from its distances e_k = |x_k - x*|.

        E(k) = max(e_k, ..., e_{k+w-1})                the envelope over w = n/4 steps
                                                        (so oscillations do not matter)
        rate = (E(k2) / E(k1)) ** (1 / (k2 - k1)),     k1 = n/4 (after the transient),
                                                        k2 = n - w (the last window)

    n counts the usable distances: those above 1e-250 e_0 (floating point runs out below).
    A run that reaches x* exactly within a few steps has rate 0. Needs at least 8 distances.
    """
    try:
        e = np.array(errors, dtype=float).reshape(-1)
    except (TypeError, ValueError):
        raise ValueError(f"errors must be a sequence of distances, got {errors!r}") from None
    if e.size < 8 or not np.all(np.isfinite(e)) or np.any(e < 0):
        raise ValueError(f"errors must hold at least 8 finite distances >= 0, got {e.size} "
                         f"value(s){'' if np.all(np.isfinite(e)) and np.all(e >= 0) else ' with a negative or non-finite one'}")
    if e[0] <= 0:
        raise ValueError("errors[0] must be > 0 (a run that starts at x* has no rate)")
    usable = e > 1e-250 * e[0]
    n = int(np.argmin(usable)) if not usable.all() else e.size
    if n < 8:
        return 0.0 if n == 1 else float(np.exp((np.log(e[n - 1]) - np.log(e[0])) / (n - 1)))
    w = n // 4
    k1, k2 = n // 4, n - w
    low = np.log(np.max(e[k1:k1 + w]))
    high = np.log(np.max(e[k2:k2 + w]))
    return float(np.exp((high - low) / (k2 - k1)))


# ---------------------------------------------------------------------------------------------
# drawing the map
# ---------------------------------------------------------------------------------------------
class RateMapArtists(NamedTuple):
    """What ``draw_rate_map`` drew: the image, the stability-limit line, the best (lr, beta)
    star, plain GD's best as a diamond on beta = 0, and the level lines of rho (or None)."""

    image: AxesImage
    limit: Line2D
    star: Line2D
    gd_mark: Line2D
    contours: Any


def _rate_colormap() -> mcolors.Colormap:
    return matplotlib.colormaps["viridis"].with_extremes(over=DIVERGED_COLOR, bad=DIVERGED_COLOR)


def draw_rate_map(grid: RateGrid, ax: Axes | None = None, *,
                  levels: tuple[float, ...] = (0.85, 0.9, 0.95, 0.98)) -> RateMapArtists:
    """The rate map of ``grid`` as an image over (lr, beta).

    Colour: steps per 10x smaller error, -1/log10(rho), on a log scale (dark = fast); grey where
    rho >= 1 (divergence). Dashed: the stability limit; star: the best (lr, beta)
    (``optimum``); diamond: the best plain gradient descent, lr = 2/(l_min + l_max), beta = 0;
    white lines: rho = each of ``levels`` (none if empty). Returns the artists;
    ``set_rate_map`` moves them to another grid.
    """
    if ax is None:
        import matplotlib.pyplot as plt     # a figure of its own: only then is pyplot needed
        _, ax = plt.subplots()
    image = ax.imshow(np.ones((2, 2)), origin="lower", aspect="auto", cmap=_rate_colormap(),
                      norm=mcolors.LogNorm(1.0, 1e4), interpolation="nearest")
    (limit,) = ax.plot([], [], color="k", linestyle="--", linewidth=1.0, label="stability limit")
    (star,) = ax.plot([], [], linestyle="none", marker="*", markersize=13, markerfacecolor="white",
                      markeredgecolor="k", label="best (lr, β)", zorder=5)
    (gd_mark,) = ax.plot([], [], linestyle="none", marker="D", markersize=6, markerfacecolor="white",
                         markeredgecolor="k", label="best plain GD (β = 0)", clip_on=False, zorder=5)
    artists = set_rate_map(RateMapArtists(image, limit, star, gd_mark, None), grid)
    contours = None
    if levels:
        contours = ax.contour(grid.lrs, grid.betas, grid.rates, levels=sorted(levels),
                              colors="white", linewidths=0.7)
        ax.clabel(contours, fontsize=7, fmt="ρ=%.2f")
    ax.set_xlabel("learning rate η")
    ax.set_ylabel("β")
    return artists._replace(contours=contours)


def set_rate_map(artists: RateMapArtists, grid: RateGrid) -> RateMapArtists:
    """Move the image, limit line, star and diamond of ``draw_rate_map`` to ``grid`` (level
    lines are not moved). Sets the axes limits to the grid's extent."""
    lam = grid.eigenvalues
    best = optimum(lam, grid.method)
    image = artists.image
    image.set_data(steps_per_decade(grid.rates))
    image.set_extent(grid.extent)
    fastest = float(steps_per_decade(min(best.rate, float(grid.rates.min()))))
    low = 10.0 ** math.floor(math.log10(fastest))
    image.set_clim(low, 300.0 * low)
    betas = np.linspace(0.0, grid.extent[3], 50)
    artists.limit.set_data([stability_limit(lam[-1], b, grid.method) for b in betas], betas)
    artists.star.set_data([best.lr], [best.beta])
    artists.gd_mark.set_data([2.0 / (lam[0] + lam[-1])], [0.0])
    ax = image.axes
    ax.set_xlim(grid.extent[0], grid.extent[1])
    ax.set_ylim(grid.extent[2], grid.extent[3])
    return artists




# ---------------------------------------------------------------------------------------------
# the explorer's frame: settings -> Frame (drawn by gradlib.widgets.canvas; canvas.js has the
# same computation, operation for operation, as momentumFrame, for pages without a kernel)
# ---------------------------------------------------------------------------------------------
#: Fractions of f(x0) at which the level sets are drawn.
LEVELS = (1.0, 0.4, 0.12, 0.03, 0.006, 0.001)
PATH_COLOR = "#d62728"
#: Axes boxes (figure fractions) of the explorer's three panels and the colour bar.
_PATH_AX = (0.045, 0.13, 0.25, 0.74)
_MAP_AX = (0.365, 0.13, 0.25, 0.74)
_CBAR_AX = (0.625, 0.13, 0.011, 0.74)
_LOSS_AX = (0.735, 0.13, 0.25, 0.74)


@dataclass(frozen=True)
class MomentumSettings:
    """The momentum explorer's controls: ``method`` (a key of ``METHODS``), the quadratic's
    condition number ``kappa`` and rotation ``angle`` (degrees), ``lr``, ``beta``, ``steps``."""

    method: str = "momentum"
    kappa: float = 100.0
    angle: float = 30.0
    lr: float = 0.0198
    beta: float = 0.5
    steps: int = 150


def _fix_ticks(ax: Any, xlim: tuple[float, float], ylim: tuple[float, float]) -> None:
    """At most 4 ticks per axis, inside the limits, computed once."""
    for axis, lim in ((ax.xaxis, xlim), (ax.yaxis, ylim)):
        ticks = MaxNLocator(4).tick_values(*lim)
        axis.set_major_locator(FixedLocator([t for t in ticks if lim[0] - 1e-12 <= t <= lim[1] + 1e-12]))


def _lr_max(method: str, kappa: float) -> float:
    """Right edge of the rate map: the widest stable lr plus 10 % (``rate_grid``'s default)."""
    return 1.1 * (4.0 if method == "momentum" else 2.0) / kappa


def momentum_describe(method: str, kappa: float, lr: float, beta: float, rate: float,
                      measured: float, path: Path) -> str:
    """The explorer's status line: the rate predicted by the iteration matrix and measured on
    the run (or where the run left), and the best settings for this kappa.

    Eigenvalues of H = R diag(1, kappa) R^T are 1 and kappa: best pair ``optimum``, plain GD's
    best rate (kappa - 1) / (kappa + 1); "about N steps" to shrink the error 10^6-fold is
    ceil(log(1e-6) / log(rate)).
    """
    best = optimum([1.0, kappa], method)
    gd_rate = (kappa - 1.0) / (kappa + 1.0)
    text = (f"best pair for κ = {kappa:.3g}: lr* = {best.lr:.3g} together with "
            f"β* = {best.beta:.2f}, ρ* = {best.rate:.3f} (at another lr, another β "
            f"is best); plain GD's best ρ = {gd_rate:.3f}")
    if rate >= 1:
        limit = stability_limit(kappa, beta, method)
        where = (f"the run left the box at step {path.steps + 1}"
                 if path.status == "diverged" else f"measured {measured:.3f}")
        return (f"diverges: lr = {lr:.3g} is above the stability limit {limit:.3g} for this β "
                f"(ρ = {rate:.3f} ≥ 1; {where}). {text}")
    steps6 = math.ceil(math.log(1e-6) / math.log(rate)) if rate > 0 else 1
    return (f"ρ = {rate:.3f} per step from the iteration matrix, {measured:.3f} "
            f"measured on this run: the error shrinks 10⁶-fold in about {steps6} steps. {text}")


def run_momentum(settings: MomentumSettings) -> tuple[Quadratic, Path]:
    """The quadratic and the run the settings describe (``optim.descend``, tol = 0)."""
    method = check.one_of("method", settings.method, METHODS)
    problem = Quadratic.rotated(settings.kappa, settings.angle)
    check.integer("steps", settings.steps, 1, 5000)
    opt = optim.make(method, lr=settings.lr, beta=settings.beta)
    return problem, optim.descend(problem, opt, problem.start, int(settings.steps), tol=0.0)


def momentum_frame(settings: MomentumSettings, run: tuple[Quadratic, Path] | None = None) -> Any:
    """What the momentum explorer draws (a ``gradlib.scene.Frame``) over ``momentum_scene``:

        "path"  the run x_0 .. x_t revealed step by step, its start, the current point
                (the level sets of f and the minimum are in the scene's picture)
        "map"   the stability limit lr = threshold(beta) (``stability_limit``), the best
                (lr, beta) (``optimum``), plain GD's best (2 / (1 + kappa), 0) and your
                (lr, beta): a dot, or an X where rho >= 1 (the rate map itself is in the picture)
        "loss"  f(x_k) against k on a log scale (floored at 1e-16 of its largest value)

    rho = ``rate_map([1, kappa], lr, beta, method)``; measured = ``measured_rate`` of the run's
    distances to the minimum (nan for fewer than 8 points: the status then says where the run
    left). Status: ``momentum_describe``; kind "diverged" where rho >= 1, else "info".
    """
    from .scene import Frame, Layer

    method = check.one_of("method", settings.method, METHODS)
    kappa, lr, beta = float(settings.kappa), float(settings.lr), float(settings.beta)
    problem, path = run if run is not None else run_momentum(settings)
    lam = [1.0, kappa]
    rate = float(rate_map(lam, lr, beta, method))
    e = distances(path)
    measured = measured_rate(e) if e.size >= 8 else math.nan
    best = optimum(lam, method)
    lr_max = _lr_max(method, kappa)
    betas = np.linspace(0.0, 0.99, 50)
    limit = np.array([stability_limit(kappa, b, method) for b in betas])
    xs = path.xs
    k = np.arange(len(xs), dtype=float)
    f = np.asarray(path.losses, dtype=float)
    floor = np.maximum(f, f.max() * 1e-16)
    now = {"marker": "o", "size": 8, "fill": "#ffd92f", "edge": "#000000", "label": "xₖ at the shown step"}
    layers = (
        Layer("path", xs, "line", "upto", {"color": PATH_COLOR, "width": 1.1, "marker": "o",
                                           "size": 3, "label": "path x₀, x₁, …"}),
        Layer("path", xs[:1], "points", "all", {"marker": "o", "size": 8, "fill": "#ffffff",
                                                "edge": PATH_COLOR, "label": "start x₀"}),
        Layer("path", xs, "points", "at", now),
        Layer("map", np.column_stack([limit, betas]), "line", "all",
              {"color": "#000000", "width": 1.0, "dash": [5, 3], "label": "stability limit"}),
        Layer("map", np.array([[best.lr, best.beta]]), "points", "all",
              {"marker": "*", "size": 14, "fill": "#ffffff", "edge": "#000000",
               "label": "best (lr, β)"}),
        Layer("map", np.array([[2.0 / (1.0 + kappa), 0.0]]), "points", "all",
              {"marker": "D", "size": 7, "fill": "#ffffff", "edge": "#000000",
               "label": "best plain GD (β = 0)"}),
        Layer("map", np.array([[min(lr, lr_max), beta]]), "points", "all",
              {"marker": "X" if rate >= 1 else "o", "size": 10, "fill": PATH_COLOR,
               "edge": "#ffffff", "label": "your (lr, β)"}),
        Layer("loss", np.column_stack([k, floor]), "line", "upto",
              {"color": PATH_COLOR, "width": 1.2, "label": "f(xₖ)"}),
        Layer("loss", np.column_stack([k, floor]), "points", "at", now),
    )
    charts = {"loss": {"ylog": True, "xlim": [0.0, float(max(int(settings.steps), 1))],
                       "title": f"f(xₖ): lr = {lr:.3g}, β = {beta:.2f}"}}
    status = momentum_describe(method, kappa, lr, beta, rate, measured, path)
    return Frame(layers, path.steps, status, "diverged" if rate >= 1 else "info", charts)


def momentum_static_info(kappa: float, angle: float) -> dict[str, Any]:
    """What the page needs to run the quadratic itself: H (row-major) and the start."""
    problem = Quadratic.rotated(kappa, angle)
    return {"kappa": float(kappa), "H": [float(v) for v in problem.H.reshape(-1)],
            "start": [float(v) for v in problem.start]}


@lru_cache(maxsize=16)
def momentum_scene(method: str, kappa: float, angle: float = 30.0,
                   figsize: tuple[float, float] = (11.0, 3.8), dpi: int = 100) -> Any:
    """The explorer's static layer for one (method, kappa, angle), rendered once: the level sets
    of f at ``LEVELS`` x f(x0) and the minimum (image panel "path", square window [-2, 2]^2),
    the rate map over (lr, beta) (image panel "map": ``draw_rate_map`` of a 140 x 90
    ``rate_grid``, colour = steps per 10x smaller error, grey = diverges) with its colour bar,
    and the chart panel "loss" whose axes the page draws."""
    from matplotlib.figure import Figure

    from .scene import Panel, scene_from_figure

    method = check.one_of("method", method, METHODS)
    problem = Quadratic.rotated(kappa, angle)
    fig = Figure(figsize=figsize, dpi=dpi)
    ax = fig.add_axes(_PATH_AX)
    ax.set_xlim(-2, 2)
    ax.set_ylim(-2, 2)
    _fix_ticks(ax, (-2, 2), (-2, 2))
    ax.tick_params(labelsize=8)
    f0 = problem.f(problem.start)
    for i, frac in enumerate(LEVELS):
        pts = level_set(problem.H, f0 * frac)
        ax.plot(pts[:, 0], pts[:, 1], color="0.55", linewidth=0.8,
                label="level sets of f" if i == 0 else None)
    ax.plot([0], [0], linestyle="none", marker="*", markersize=12, markerfacecolor="white",
            markeredgecolor="k", zorder=4, label="minimum")
    ax.legend(loc="lower left", fontsize=7, framealpha=0.85)
    ax.set_title(f"f = ½ xᵀHx, κ = {kappa:.3g}", fontsize=9)
    mx = fig.add_axes(_MAP_AX)
    mx.tick_params(labelsize=8)
    grid = rate_grid([1.0, kappa], method, n_lr=140, n_beta=90)
    art = draw_rate_map(grid, mx, levels=())
    for line in (art.limit, art.star, art.gd_mark):       # the page draws these as layers
        line.remove()
    _fix_ticks(mx, grid.extent[:2], grid.extent[2:])
    mx.set_xlabel("learning rate η", fontsize=9)
    mx.set_ylabel("β", fontsize=9, rotation=0, labelpad=8)
    mx.set_title(f"{METHODS[method]}: rate ρ over (lr, β)", fontsize=9)
    cbar = fig.colorbar(art.image, cax=fig.add_axes(_CBAR_AX), extend="max")
    cbar.ax.tick_params(labelsize=7)
    cbar.set_label("steps per 10× smaller error (grey: diverges)", fontsize=7)
    w, h = fig.get_size_inches() * dpi
    l, b, wd, ht = _LOSS_AX
    loss = Panel("loss", "chart", (l * w, (1 - b - ht) * h, wd * w, ht * h), xlabel="step k")
    alt = (f"{METHODS[method]} on a quadratic with condition number κ = {kappa:.3g}: the path on "
           f"its level sets (left), the rate map over (lr, β) (middle), the loss f(x_k) (right).")
    return scene_from_figure(fig, {"path": ax, "map": mx}, [loss], alt)
