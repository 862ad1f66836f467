"""Explorers for notebooks 04-05: curvature along a descent path, and second-order methods.

    curvature_explorer("rosenbrock", "gd", lr=2.5e-3)
        drawn by the browser renderer (gradlib.widgets.canvas): controls -> CurvatureSettings ->
        experiments_curvature.curvature_frame -> Canvas; Play and the step slider run in the
        page, and the exported page computes the same frame itself (canvas.js curvatureFrame).
        A descent path with a step slider and a Play button. At the current step: the Hessian's
        eigen-directions (arrows of length ~ |lambda|, green where f curves up, magenta where it
        curves down) and the dashed level sets of the local quadratic model. Beside it, along the
        whole path: lr * lambda_max and lr * lambda_min against the stability line (2 for
        gradient descent), with a cursor at the current step: the path starts to zig-zag
        where lr * lambda_max crosses the line.
    newton_explorer("himmelblau", x0=(-4, 0))
        drawn by the browser renderer too: controls -> NewtonSettings ->
        experiments_curvature.newton_frame -> Canvas (canvas.js newtonFrame in exported pages).
        Gradient descent, momentum, Newton and damped Newton from the same start, and |grad f|
        along each run; click the contour plot to move the start.

Pure helpers, usable and tested without any widget:

    stability_limit(optimizer, beta)       lr * lambda_max above which the optimizer blows up
                                           on a quadratic: 2 (gd), 2 (1 + beta) (momentum)
    default_lr(surface, x0)                1 / lambda_max(x0): half the GD threshold 2 / lambda_max
    path_curvature(surface, path, lr)      eigenvalues and lr * lambda along a Path
    second_order_race(surface, x0, ...)    the same start, several methods -> Race
    race_table(race)                       one RaceRow per method: status, steps, end point, kind
    curvature_animation(...)               the explorer's picture as a video (no kernel needed)

The numbers come from gradlib.optim (descend), gradlib.curvature (eigen-analysis, quadratic
model) and gradlib.plots (glyphs); the dashboards only move artists.
"""
from __future__ import annotations

import html
import math
from collections.abc import Mapping, Sequence
from typing import Any, NamedTuple

import ipywidgets as W
import numpy as np
from matplotlib.artist import Artist
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import FixedLocator, MaxNLocator
from numpy.typing import ArrayLike

from .. import _checks as check
from .. import curvature, optim, plots, surfaces
from ..experiments_curvature import (  # noqa: F401 - the pure part, re-exported
    NEWTON_MAX_STEPS, NEWTON_RUNNERS, CurvatureSettings, NewtonSettings, curvature_frame,
    curvature_scene, curvature_surface, eig2, newton_frame, newton_optimizers, newton_scene,
    newton_status, run_curvature, run_newton, run_newton_one,
)
from ._base import wrap_layout
from .canvas import CanvasDashboard, status_html as _status_html

__all__ = [
    "CURVATURE_OPTIMIZERS", "stability_limit", "default_lr", "PathCurvatureTrace",
    "path_curvature", "Race", "RaceRow", "race_optimizers", "second_order_race", "race_table",
    "CurvatureView", "CurvatureExplorer", "CurvatureSettings", "curvature_frame",
    "curvature_scene", "run_curvature", "curvature_explorer", "curvature_animation",
    "NewtonExplorer", "newton_explorer", "NewtonSettings", "newton_frame", "newton_scene",
    "run_newton",
]

#: Optimizers the curvature explorer offers: those whose stability on a quadratic is governed
#: by lr * lambda (adaptive methods rescale each coordinate, so the line would not apply).
CURVATURE_OPTIMIZERS: tuple[str, ...] = ("gd", "momentum", "newton")
#: Surfaces offered in the dropdowns (quadratic_nd needs a matrix, so it is not listed).
SURFACE_CHOICES: tuple[str, ...] = tuple(n for n in surfaces.names() if n != "quadratic_nd")
_LAMBDA_MAX_COLOR = "#d62728"
_LAMBDA_MIN_COLOR = "#1f77b4"
_MODEL_COLOR = "#d95f02"
_MAX_STEPS = 5000                 # the longest path the explorers compute


# ---------------------------------------------------------------------------------------------
# validation helpers (once, at the boundary)
# ---------------------------------------------------------------------------------------------
def _surface(surface: Any) -> Any:
    """A catalogue name or a Surface-like object (f, grad, hess, xlim, ylim) of 2 variables."""
    if isinstance(surface, str):
        if surface not in SURFACE_CHOICES:
            raise ValueError(f"surface: unknown surface {surface!r}; choose one of "
                             f"{', '.join(SURFACE_CHOICES)} or pass a Surface")
        return surfaces.get(surface)
    missing = [m for m in ("f", "grad", "hess") if not callable(getattr(surface, m, None))]
    if missing:
        raise ValueError(f"surface must be a surface name or a Surface (with f, grad, hess); "
                         f"{type(surface).__name__} lacks {', '.join(missing)}")
    plots._window(surface)          # two variables and a finite plot window, or ValueError
    return surface


def _start(surface: Any, x0: Any) -> np.ndarray:
    """x0 (default: the surface's start) as 2 finite coordinates."""
    value = surface.start if x0 is None else x0
    try:
        p = np.array(value, dtype=float)
    except (TypeError, ValueError):
        p = np.empty(0)
    if p.shape != (2,) or not np.all(np.isfinite(p)):
        raise ValueError(f"x0 must be 2 finite coordinates, got {value!r}")
    return p


# ---------------------------------------------------------------------------------------------
# pure helpers
# ---------------------------------------------------------------------------------------------
def stability_limit(optimizer: str, beta: float = 0.9) -> float | None:
    """The value of lr * lambda_max above which the optimizer diverges on a quadratic.

        gd         x <- x - lr g          component along eigenvector i scales by (1 - lr l_i):
                                          stable iff 0 < lr l_i < 2                 -> 2
        momentum   heavy ball, beta       mu^2 - (1 + beta - lr l) mu + beta = 0 has |mu| < 1
                                          iff 0 < lr l < 2 (1 + beta)               -> 2 (1 + beta)
        newton     x <- x - lr H^-1 g     every component scales by (1 - lr): stable for
                                          0 < lr < 2 whatever the eigenvalues       -> None

    None means lr * lambda does not decide stability for that method.
    """
    check.one_of("optimizer", optimizer, CURVATURE_OPTIMIZERS)
    beta = check.unit_interval("beta", beta)
    return {"gd": 2.0, "momentum": 2.0 * (1.0 + beta), "newton": None}[optimizer]


def default_lr(surface: Any, x0: ArrayLike | None = None) -> float:
    """1 / lambda_max of the Hessian at x0 (default: the surface's start).

    Half the gradient-descent threshold there (``curvature.max_stable_lr`` = 2 / l_max: GD
    converges on the local quadratic for 0 < lr < 2 / l_max).
    Where f curves up in no direction (l_max <= 0) no step overshoots; 0.01 is returned then.
    """
    surface = _surface(surface)
    p = _start(surface, x0)
    with np.errstate(all="ignore"):
        H = np.asarray(surface.hess(p), dtype=float)
    if not np.all(np.isfinite(H)):
        raise ValueError(f"x0: the Hessian is not finite at {p.tolist()}")
    lam_max = curvature.analyze(H).lambda_max
    return 1.0 / lam_max if lam_max > 0 else 0.01


class PathCurvatureTrace(NamedTuple):
    """Curvature along a path of k+1 points (one row per point x_t).

    ``eigenvalues`` (k+1, n) ascending per row; ``lr_lambda_max`` and ``lr_lambda_min`` (k+1,)
    are lr * l_max(x_t) and lr * l_min(x_t); ``limit`` the stability line (None for Newton);
    ``first_unstable`` the first t with lr * l_max(x_t) > limit, or None.
    """
    eigenvalues: np.ndarray
    lr_lambda_max: np.ndarray
    lr_lambda_min: np.ndarray
    limit: float | None
    first_unstable: int | None


def _quadratic_params(kappa: Any, angle: Any) -> tuple[float, float]:
    return (check.real("kappa", kappa, "a number in [1, 1000]", lambda v: 1 <= v <= 1000),
            check.real("angle", angle, "in degrees within [-90, 90]", lambda v: -90 <= v <= 90))


def _optimizer(name: str, lr: float, beta: float) -> optim.Optimizer:
    """gd(lr), momentum(lr, beta) or newton(lr) by name."""
    if name == "momentum":
        return optim.momentum(lr, beta)
    return optim.make(name, lr=lr)


def path_curvature(surface: Any, path: Any, lr: float, optimizer: str = "gd",
                   beta: float = 0.9) -> PathCurvatureTrace:
    """The Hessian's eigenvalues at every point of ``path`` and lr * lambda there.

        H(x_t) = Q diag(l_1 <= l_2) Q^T      (curvature.eigen_along_path)
        lr * l_max(x_t) > stability_limit    gradient descent is locally unstable at x_t
    """
    lr = check.positive("lr", lr)
    limit = stability_limit(optimizer, beta)
    eig = curvature.eigen_along_path(surface, getattr(path, "xs", path)).eigenvalues
    top = curvature.lr_times_lambda_max(eig, lr)
    low = lr * eig[:, 0]
    over = np.flatnonzero(top > limit) if limit is not None else np.empty(0, dtype=int)
    return PathCurvatureTrace(eig, top, low, limit, int(over[0]) if over.size else None)


class Race(NamedTuple):
    """Several optimizers run from the same start: ``labels[i]`` made ``paths[i]``."""
    surface: Any
    x0: np.ndarray
    labels: tuple[str, ...]
    paths: tuple[optim.Path, ...]


class RaceRow(NamedTuple):
    """How one run of a race ended: status, steps, end point, f and |grad f| there, and the
    kind of the Hessian there (minimum / maximum / saddle / degenerate; "" if it diverged)."""
    label: str
    status: str
    steps: int
    point: np.ndarray
    value: float
    grad_norm: float
    kind: str


def race_optimizers(lr: float, beta: float = 0.9,
                    damping: float = 1.0) -> dict[str, optim.Optimizer]:
    """The default field of a race, label -> optimizer:

        gradient descent   x <- x - lr g
        momentum           b <- beta b + g;  x <- x - lr b
        Newton             x <- x - H^-1 g
        damped Newton      x <- x - (H + damping I)^-1 g
    """
    lr, beta = check.positive("lr", lr), check.unit_interval("beta", beta)
    damping = check.nonnegative("damping", damping)
    return {"gradient descent": optim.gd(lr), "momentum": optim.momentum(lr, beta),
            "Newton": optim.newton(), "damped Newton": optim.newton(damping=damping)}


def second_order_race(surface: Any, x0: ArrayLike | None = None, steps: int = 50, *,
                      lr: float | None = None, beta: float = 0.9, damping: float = 1.0,
                      optimizers: Mapping[str, optim.Optimizer] | None = None,
                      tol: float = 1e-10) -> Race:
    """Run several optimizers from the same start x0 for at most ``steps`` steps each.

    Default field: ``race_optimizers(lr, beta, damping)`` (gradient descent, momentum, Newton,
    damped Newton) with ``lr = default_lr(surface, x0)`` = 1 / lambda_max(x0) unless given.
    Pass ``optimizers`` (label -> optimizer) to race others.
    """
    surface = _surface(surface)
    p = _start(surface, x0)
    steps = check.integer("steps", steps, 1, _MAX_STEPS)
    if optimizers is None:
        optimizers = race_optimizers(default_lr(surface, p) if lr is None else lr, beta, damping)
    elif not isinstance(optimizers, Mapping) or not optimizers or \
            not all(isinstance(o, optim.Optimizer) for o in optimizers.values()):
        raise ValueError("optimizers must be a non-empty mapping label -> optimizer, "
                         "e.g. {'GD': optim.gd(0.01)}")
    labels = tuple(str(k) for k in optimizers)
    paths = tuple(optim.descend(surface, o, p, steps, tol=tol) for o in optimizers.values())
    return Race(surface, p, labels, paths)


def race_table(race: Race) -> list[RaceRow]:
    """One row per run: how it ended and what kind of point it ended at (analyze of H there)."""
    rows = []
    for label, path in zip(race.labels, race.paths):
        end = np.array(path.xs[-1])
        with np.errstate(all="ignore"):
            H = np.asarray(race.surface.hess(end), dtype=float)
        kind = curvature.analyze(H).kind if path.status != "diverged" and np.all(np.isfinite(H)) \
            else ""
        rows.append(RaceRow(label, path.status, path.steps, end, float(path.losses[-1]),
                            float(np.linalg.norm(path.grads[-1])), kind))
    return rows


# ---------------------------------------------------------------------------------------------
# the curvature picture (shared by the explorer and the kernel-free animation)
# ---------------------------------------------------------------------------------------------
class _Dummy:
    """A stand-in surface so the minima artist can be created before any surface is shown."""
    minima = np.empty((0, 2))


_DUMMY = _Dummy()


def _fixed_ticks(ax: Axes, xlim: Sequence[float], ylim: Sequence[float]) -> None:
    """Tick positions computed once for these limits (draws then skip the locators)."""
    for axis, (lo, hi) in ((ax.xaxis, xlim), (ax.yaxis, ylim)):
        ticks = MaxNLocator(3, steps=[1, 2, 5, 10]).tick_values(lo, hi)
        axis.set_major_locator(FixedLocator([t for t in ticks if lo <= t <= hi]))


def _fixed_labels(ax: Axes, xlabel: str, ylabel: str | None) -> None:
    """Axis labels at fixed places and upright: matplotlib otherwise measures every tick label
    on each draw to place them, and rotated text costs several milliseconds per draw."""
    ax.set_xlabel(xlabel, fontsize=9)
    ax.xaxis.set_label_coords(0.5, -0.075)
    if ylabel is not None:
        ax.set_ylabel(ylabel, rotation=0, ha="right", va="center", fontsize=9)
        ax.yaxis.set_label_coords(-0.07, 0.5)


def _new_contour(ax: Axes, old: plots.ContourResult | None, surface: Any,
                 stars: Any) -> plots.ContourResult:
    """Replace the contour sets ``old`` on ``ax`` by the surface's (15 levels), fix the ticks
    and labels for its window and move ``stars`` (a Line2D) to its minima."""
    if old is not None:
        for cs in (old.filled, old.lines):
            if cs is not None:
                cs.remove()
    contour = plots.contour(surface, ax, levels=15)
    _fixed_ticks(ax, *plots._window(surface))
    _fixed_labels(ax, ax.get_xlabel(), ax.get_ylabel())
    m = np.asarray(getattr(surface, "minima", np.empty((0, 2))), dtype=float).reshape(-1, 2)
    stars.set_data(m[:, 0], m[:, 1])
    return contour


class CurvatureView:
    """The curvature picture on a figure: contour + path + glyph + model (left), lr * lambda
    along the path against the stability line (right). ``show_path`` sets a run,
    ``show_step(t)`` moves everything to step t and returns the artists it changed.

    Artists: ``glyph`` (plots.EigenGlyph; its quiver's offsets are x_t, its arrows
    scale * |l_i| / ref * v_i), ``model`` (the quadratic model's contour set, redrawn per step),
    ``point``, ``target`` (the model's stationary point, where a Newton step would land),
    ``lines`` (``lr_lambda_max``, ``lr_lambda_min``, ``limit``, ``cursor``, ``dot``).
    """

    def __init__(self, fig: Figure, *, info: bool = True) -> None:
        self.figure = fig
        ax, axr = self.ax, self.ax_curv = fig.subplots(
            1, 2, gridspec_kw=dict(width_ratios=(1.0, 1.05), wspace=0.3, left=0.075, right=0.985,
                                   top=0.91, bottom=0.12))
        self.surface: Any = None
        self.contour: plots.ContourResult | None = None
        self.stars = plots.minima(surface=_DUMMY, ax=ax)
        self.path_artists = plots.path(np.zeros((1, 2)), ax, color="#222222", markersize=1.5,
                                       linewidth=0.8)
        (self.point,) = ax.plot([], [], "o", ms=9, mfc="#ffd92f", mec="k", mew=1.5, zorder=8)
        (self.target,) = ax.plot([], [], "x", ms=8, mew=2, color=_MODEL_COLOR, zorder=8)
        self.glyph = plots.eigen_glyph(ax, (0.0, 0.0), np.eye(2), scale=1.0)
        self.model = None
        L: dict[str, Any] = {}
        (L["lr_lambda_max"],) = axr.plot([], [], color=_LAMBDA_MAX_COLOR, lw=1.8)
        (L["lr_lambda_min"],) = axr.plot([], [], color=_LAMBDA_MIN_COLOR, lw=1.0)
        L["limit"] = axr.axhline(2.0, color="k", ls="--", lw=1.0)
        L["zero"] = axr.axhline(0.0, color="0.6", lw=0.6)
        L["cursor"] = axr.axvline(0.0, color="0.3", lw=1.0)
        (L["dot"],) = axr.plot([], [], "o", color=_LAMBDA_MAX_COLOR, ms=6, mec="k", zorder=5)
        self.lines = L
        # Few texts: each one costs about a millisecond per frame (tick labels included), so
        # there is no legend and no title in the explorer; the status line carries the numbers.
        _fixed_labels(axr, "step t", None)
        self.key = axr.set_title("", fontsize=9)
        self.title = ax.set_title("", fontsize=10, visible=info)
        self.info = axr.text(0.02, 0.97, "", transform=axr.transAxes, va="top", fontsize=8,
                             family="monospace", visible=info,
                             bbox=dict(boxstyle="round,pad=0.2", fc="white", ec="none",
                                       alpha=0.85))
        for a in (ax, axr):
            a.tick_params(labelsize=8)
        self.trace: PathCurvatureTrace | None = None
        self.xs = np.zeros((1, 2))
        self.lr = 1.0

    # -- a new run ----------------------------------------------------------------------------
    def show_surface(self, surface: Any) -> None:
        """Draw the surface's contours (only when the surface changed)."""
        if surface is self.surface:
            return
        ax = self.ax
        self.contour = _new_contour(ax, self.contour, surface, self.stars)
        # arrows scaled to the new window: 15% of its width for the largest |lambda|
        self.glyph.quiver.remove()
        (x0, x1) = ax.get_xlim()
        self.glyph = plots.eigen_glyph(ax, (x0, 0.0), np.eye(2), scale=0.15 * (x1 - x0))
        self.surface = surface

    def show_path(self, surface: Any, path: optim.Path, lr: float, optimizer: str = "gd",
                  beta: float = 0.9) -> PathCurvatureTrace:
        """Set a run: its line on the contour, lr * lambda along it, the stability line."""
        self.show_surface(surface)
        trace = path_curvature(surface, path, lr, optimizer, beta)
        self.trace, self.xs, self.lr = trace, np.asarray(path.xs), float(lr)
        plots.set_path(self.path_artists, path)
        finite = np.isfinite(trace.eigenvalues).all(axis=1)
        big = np.abs(trace.eigenvalues[finite]).max() if finite.any() else 1.0
        self.glyph = self.glyph._replace(ref=float(big) if big > 0 else 1.0)
        t = np.arange(len(self.xs))
        L = self.lines
        L["lr_lambda_max"].set_data(t, trace.lr_lambda_max)
        L["lr_lambda_min"].set_data(t, trace.lr_lambda_min)
        limit = trace.limit
        L["limit"].set_visible(limit is not None)
        if limit is not None:
            L["limit"].set_ydata([limit, limit])
        self.key.set_text("lr·λmax (red), lr·λmin (blue); " +
                          (f"limit {limit:.3g} (dashed)" if limit is not None
                           else "Newton: no lr·λ limit"))
        self.title.set_text(f"{getattr(surface, 'title', '') or getattr(surface, 'name', '')}: "
                            f"{path.optimizer}, lr = {lr:.3g}")
        # Linear y axis, the line always in view: values far beyond it leave the picture
        # (a diverging run), which is the message.
        line = limit if limit is not None else 2.0
        values = np.concatenate([trace.lr_lambda_max, trace.lr_lambda_min])
        values = values[np.isfinite(values)]
        lo = float(values.min()) if values.size else 0.0
        hi = float(values.max()) if values.size else line
        axr = self.ax_curv
        last = max(len(t) - 1, 1)
        axr.set_xlim(-0.5, last + 0.5)
        axr.xaxis.set_major_locator(FixedLocator(MaxNLocator(4, integer=True).tick_values(0, last)))
        bottom = max(min(1.1 * lo, -0.1 * line), -2.0 * line)
        top = min(max(1.1 * hi, 1.25 * line), 3.0 * line)
        axr.set_ylim(bottom, top)
        # ticks at 0 and at the line, plus round numbers not crowding them
        extra = MaxNLocator(4, steps=[1, 2, 5, 10]).tick_values(bottom, top)
        ticks = sorted({0.0, line, *(float(v) for v in extra if bottom <= v <= top
                                     and min(abs(v), abs(v - line)) > 0.2 * line)})
        axr.yaxis.set_major_locator(FixedLocator(ticks))
        return trace

    # -- one step -----------------------------------------------------------------------------
    def show_step(self, t: int) -> list[Artist]:
        """Move the glyph, the model's level sets, the point and the cursor to step t."""
        if self.trace is None:
            raise RuntimeError("show_step: call show_path first, there is no path to follow yet")
        t = int(min(max(t, 0), len(self.xs) - 1))
        p = self.xs[t]
        if self.model is not None:
            self.model.remove()
            self.model = None
        target = np.full(2, np.nan)
        # Far out on a diverged run the Hessian can overflow: then there is nothing to draw.
        finite = bool(np.all(np.isfinite(self.trace.eigenvalues[t])))
        self.glyph.quiver.set_visible(finite)
        if finite:
            model = curvature.quadratic_model(self.surface, p)
            plots.update_eigen_glyph(self.glyph, p, model.H)
            self.model = plots.quadratic_model_contours(self.ax, model, point=p, levels=5,
                                                        resolution=40, color=_MODEL_COLOR)
            step = model.newton_step
            if step is not None:
                target = p + step
        self.point.set_data([p[0]], [p[1]])
        self.target.set_data([target[0]], [target[1]])
        L = self.lines
        L["cursor"].set_xdata([t, t])
        top = self.trace.lr_lambda_max[t]
        L["dot"].set_data([t], [top])
        lam = self.trace.eigenvalues[t]
        limit = self.trace.limit
        verdict = "" if limit is None else (" > limit" if top > limit else " < limit")
        changed = [a for a in (self.glyph.quiver, self.model, self.point, self.target,
                               L["cursor"], L["dot"]) if a is not None]
        if self.info.get_visible():
            self.info.set_text(f"t = {t}\nλ = {lam[0]:.3g}, {lam[1]:.3g}\n"
                               f"lr·λmax = {top:.3g}{verdict}")
            changed.append(self.info)
        return changed


# ---------------------------------------------------------------------------------------------
# the curvature explorer
# ---------------------------------------------------------------------------------------------
class _SurfaceChoice:
    """Surfaces by name, built once each; a Surface passed in by the caller is offered too.

    The adjustable quadratic is keyed by (kappa, angle) as well, so the explorer's kappa and
    angle sliders rebuild it (about 70 ms each time, then cached).
    """

    def __init__(self) -> None:
        self.cache: dict[Any, Any] = {}

    def add(self, surface: Any) -> str:
        """Offer ``surface`` under its name; returns that name."""
        name = str(getattr(surface, "name", "custom"))
        params = getattr(surface, "params", {}) or {}
        if name == "quadratic" and params.get("scale", 1.0) == 1.0 and "kappa" in params:
            self.cache[("quadratic", float(params["kappa"]), float(params["angle"]))] = surface
        else:
            self.cache[name] = surface
        return name

    def options(self) -> list[str]:
        names = [k for k in self.cache if isinstance(k, str)]
        return list(dict.fromkeys([*names, *SURFACE_CHOICES]))

    def get(self, name: str, kappa: float = 10.0, angle: float = 30.0) -> Any:
        """The surface called ``name`` (the quadratic with this kappa and angle)."""
        key: Any = ("quadratic", float(kappa), float(angle)) \
            if name == "quadratic" and name not in self.cache else name
        if key not in self.cache:
            self.cache[key] = surfaces.get("quadratic", kappa=float(kappa), angle=float(angle)) \
                if name == "quadratic" else _surface(name)
        return self.cache[key]


def _surface_control(choice: _SurfaceChoice, value: str) -> W.Combobox:
    return W.Combobox(value=value, options=choice.options(), ensure_option=False,
                      continuous_update=False, description="surface",
                      placeholder="type or pick a surface")


def _offer(choice: _SurfaceChoice, surface: Any, quadratic: tuple[float, float]
           ) -> tuple[str, Any, tuple[float, float]]:
    """An explorer's ``surface`` argument resolved: (its name in ``choice``, the Surface, the
    (kappa, angle) of the adjustable quadratic).

    A name is checked and built through ``choice`` (the quadratic with ``quadratic``, checked);
    a Surface is added to ``choice``, and when it is the adjustable quadratic its own
    (kappa, angle) replace ``quadratic``.
    """
    if isinstance(surface, str):
        _surface(surface)                            # validates the name
        quadratic = _quadratic_params(*quadratic)
        return surface, choice.get(surface, *quadratic), quadratic
    surf = _surface(surface)
    name = choice.add(surf)
    params = getattr(surf, "params", {}) or {}
    if name == "quadratic" and "kappa" in params:
        quadratic = (float(params["kappa"]), float(params["angle"]))
    return name, surf, quadratic


class CurvatureExplorer(CanvasDashboard):
    """Curvature along a descent path, drawn by the browser renderer; see ``curvature_explorer``.

    Controls (``controls[name]``): ``surface`` (a combo box: pick or type a name),
    ``optimizer``, ``lr`` (log slider), ``beta`` (momentum), ``kappa`` and ``angle`` (the
    quadratic), ``steps``. Play and the step slider run in the page (``canvas.step`` is the
    shown step, -1 the last). State after each update: ``settings`` (CurvatureSettings),
    ``path`` (the optim.Path), ``trace`` (its PathCurvatureTrace), ``frame`` / ``scene`` (what
    was sent: ``experiments_curvature.curvature_frame``). ``figure`` is a snapshot.
    """

    static_title = "curvature along a descent path"

    def __init__(self, surface: Any = "rosenbrock", optimizer: str = "gd", lr: float | None = None,
                 steps: int = 300, *, x0: ArrayLike | None = None, beta: float = 0.9,
                 kappa: float = 10.0, angle: float = 30.0, step: int = -1,
                 lr_range: tuple[float, float] = (1e-5, 1.0),
                 figsize: tuple[float, float] = (9.0, 4.5)) -> None:
        from .canvas import Canvas

        super().__init__()
        self._choice = _SurfaceChoice()
        name, surf, quadratic = _offer(self._choice, surface, (kappa, angle))
        kappa, angle = _quadratic_params(*quadratic)
        stability_limit(optimizer, beta)             # validates optimizer and beta
        self.x0 = None if x0 is None else _start(surf, x0)
        self._x0_surface = surf          # x0 applies to this surface; others start at their own
        lr = default_lr(surf, self.x0) if lr is None else check.positive("lr", lr)
        lo, hi = (check.positive("lr_range", v) for v in lr_range)
        if not lo < hi:
            raise ValueError(f"lr_range must be (low, high) with low < high, got {lr_range!r}")
        steps = check.integer("steps", steps, 1, _MAX_STEPS)
        step = check.integer("step", step, lo=-1)
        self.figsize = (float(figsize[0]), float(figsize[1]))
        c = self.controls
        c["surface"] = _surface_control(self._choice, name)
        c["optimizer"] = W.Dropdown(options=list(CURVATURE_OPTIMIZERS), value=optimizer,
                                    description="optimizer")
        c["lr"] = W.FloatLogSlider(value=min(max(lr, lo), hi), base=10, min=math.log10(lo),
                                   max=math.log10(hi), step=0.01, description="lr",
                                   readout_format=".2e")
        c["beta"] = W.FloatSlider(value=beta, min=0.0, max=0.99, step=0.01,
                                  description="β (momentum)", readout_format=".2f")
        c["kappa"] = W.FloatLogSlider(value=kappa, base=10, min=0, max=3, step=0.01,
                                      description="κ (quadratic)", readout_format=".3g",
                                      continuous_update=False)
        c["angle"] = W.FloatSlider(value=angle, min=-90, max=90, step=5,
                                   description="angle° (quadratic)", readout_format=".0f",
                                   continuous_update=False)
        c["steps"] = W.IntSlider(value=steps, min=1, max=max(2000, steps), step=1,
                                 description="steps")
        self.canvas = Canvas()
        self.settings: CurvatureSettings | None = None
        self.path: optim.Path | None = None
        self.trace: PathCurvatureTrace | None = None
        self.frame: Any = None
        self.scene: Any = None
        self.surface: Any = surf
        self._wire()
        if step != -1:
            self.canvas.step = step

    def current_settings(self) -> CurvatureSettings:
        """The settings the controls say (the surface resolved through the combo box)."""
        c = self.controls
        surface = self._choice.get(str(c["surface"].value).strip(), float(c["kappa"].value),
                                   float(c["angle"].value))
        x0 = self.x0 if surface is self._x0_surface and self.x0 is not None else None
        return CurvatureSettings(surface, str(c["optimizer"].value), float(c["lr"].value),
                                 float(c["beta"].value), int(c["steps"].value),
                                 None if x0 is None else (float(x0[0]), float(x0[1])),
                                 float(c["kappa"].value), float(c["angle"].value))

    def update(self) -> None:
        """Controls -> CurvatureSettings -> curvature_frame -> the page (one frame per change)."""
        try:
            settings = self.current_settings()
            if settings == self.settings:
                return
            path = run_curvature(settings)
            frame = curvature_frame(settings, path)
        except (ValueError, ArithmeticError, np.linalg.LinAlgError) as err:
            self._show_error(f"cannot run: {err}")
            return
        surface = curvature_surface(settings.surface)
        lr = 1.0 if settings.optimizer == "newton" else settings.lr
        self.trace = path_curvature(surface, path, lr, settings.optimizer, settings.beta)
        self.scene = curvature_scene(surface, self.figsize)
        quadratic = getattr(surface, "name", "") == "quadratic"
        self.controls["kappa"].disabled = self.controls["angle"].disabled = not quadratic
        step = int(self.canvas.step)
        self.status.value = _status_html(frame.status, frame.kind)
        self.canvas.show(self.scene, frame)
        if self.settings is None and step != -1:          # the constructor's step, once
            self.canvas.step = min(step, frame.n_steps)
        self.surface, self.path, self.frame, self.settings = surface, path, frame, settings

    def _error_scene(self) -> Any:
        return curvature_scene(self.surface, self.figsize)

    def layout(self) -> W.Widget:
        if self._box is None:
            c = self.controls
            panel = W.VBox([c[k] for k in ("surface", "optimizer", "lr", "beta", "kappa", "angle",
                                           "steps")], layout=W.Layout(min_width="320px"))
            self._box = W.VBox([W.HBox([panel, self.canvas], layout=wrap_layout())])
        return self._box

    def static_data(self, budget: int = 1_000_000) -> tuple[dict[str, Any], dict[str, str]]:
        """What the kernel-free copy embeds: (data, surface name -> JavaScript source): the
        current surface (the quadratic at its current kappa and angle) and every catalogue
        surface JavaScript can compute, within ``budget`` bytes."""
        import json

        from .. import jsmath
        from ..scene import to_plain_json
        settings = self.settings or self.current_settings()
        current = curvature_surface(settings.surface)
        cname = str(getattr(current, "name", "custom"))
        order = [(cname, current)] + [(n, None) for n in SURFACE_CHOICES if n != cname]
        surfaces_: dict[str, Any] = {}
        code: dict[str, str] = {}
        used = 0
        for name, surface in order:
            surface = surface if surface is not None else \
                curvature_surface(name, settings.kappa, settings.angle)
            try:
                js = jsmath.surface_js(surface)
            except jsmath.JSMathError:
                continue
            scene = curvature_scene(surface, self.figsize)
            entry = {"scene": scene.to_json(), "info": {
                "xlim": [float(v) for v in surface.xlim], "ylim": [float(v) for v in surface.ylim],
                "start": [float(v) for v in surface.start],
                "minima": np.asarray(surface.minima, dtype=float).reshape(-1, 2).tolist(),
                "global_min": getattr(surface, "global_min", None),
                "default_lr": default_lr(surface)}}
            size = len(json.dumps(to_plain_json(entry), separators=(",", ":"))) + len(js)
            if surfaces_ and used + size > budget - 250_000:  # room for the module and the <img>
                break
            surfaces_[name], code[name] = entry, js
            used += size
        start = settings.start if settings.start is not None else tuple(current.start)
        lr = self.controls["lr"]
        data = {"surfaces": surfaces_, "lr_range": [float(lr.min), float(lr.max)],   # log10
                "settings": {"surface": cname, "optimizer": settings.optimizer,
                             "lr": settings.lr, "beta": settings.beta, "steps": settings.steps,
                             "start": [float(v) for v in start]}}
        return data, code

    def static_html(self) -> str:
        """The explorer for a page with no kernel: the page computes path, glyphs and models."""
        data, code = self.static_data()
        return self.page_html(data, code, "mountStaticCurvature")


def curvature_explorer(surface: Any = "rosenbrock", optimizer: str = "gd",
                       lr: float | None = None, steps: int = 300,
                       **kwargs: Any) -> CurvatureExplorer:
    """A descent path with a step slider and Play: at step t, the Hessian's eigen-directions
    (arrows ~ |lambda|, green: curving up, magenta: curving down), the level sets of the local
    quadratic model m(q) = f + g.(q - x_t) + 1/2 (q - x_t).H.(q - x_t) (dashed) and the point
    where the model is stationary (x: where a Newton step would land); beside it lr * lambda_max
    and lr * lambda_min along the whole path against the stability line (2 for gradient descent,
    2 (1 + beta) for momentum).

    ``surface`` is a catalogue name or a Surface; ``optimizer`` one of gd, momentum, newton;
    ``lr`` defaults to 1 / lambda_max at the start. Keyword arguments: ``x0``, ``beta``,
    ``step``, ``lr_range``, ``figsize``.
    """
    return CurvatureExplorer(surface, optimizer, lr, steps, **kwargs)


def curvature_animation(surface: Any = "rosenbrock", optimizer: str = "gd",
                        lr: float | None = None, steps: int = 300, *, x0: ArrayLike | None = None,
                        beta: float = 0.9, frames: int = 60, interval: float = 120.0,
                        figsize: tuple[float, float] = (8.0, 4.0), dpi: float = 72,
                        ) -> Any:
    """The curvature explorer's picture played over the steps of a path, as an HTMLAnimation
    (an embedded H.264 video: it plays in a static HTML page, without a kernel).

    ``frames`` (<= animate.MAX_FRAMES) steps are shown, evenly spaced over the path.
    """
    from .. import animate
    surf = _surface(surface)
    p = None if x0 is None else _start(surf, x0)
    stability_limit(optimizer, beta)
    lr = default_lr(surf, p) if lr is None else check.positive("lr", lr)
    lr = lr if optimizer != "newton" else 1.0
    beta, steps = check.unit_interval("beta", beta), check.integer("steps", steps, 1, _MAX_STEPS)
    path = optim.descend(surf, _optimizer(optimizer, lr, beta), p, steps)
    frames = check.integer("frames", frames, 1, animate.MAX_FRAMES)
    fig = Figure(figsize=figsize, dpi=check.positive("dpi", dpi))
    FigureCanvasAgg(fig)
    view = CurvatureView(fig)
    view.show_path(surf, path, lr, optimizer, beta)
    ts = np.unique(np.round(np.linspace(0, path.steps, min(frames, path.steps + 1))).astype(int))
    return animate.animate_frames(fig, view.show_step, [int(t) for t in ts], interval=interval,
                                  blit=True)


# ---------------------------------------------------------------------------------------------
# the second-order race explorer: controls -> NewtonSettings -> newton_frame -> Canvas
# ---------------------------------------------------------------------------------------------
class NewtonExplorer(CanvasDashboard):
    """Gradient descent, momentum, Newton and damped Newton from one start, drawn by the
    browser renderer; see ``newton_explorer``.

    Controls (``controls[name]``): ``surface`` (a combo box), ``x0``, ``y0`` (the start; a
    click on the contour plot moves it), ``lr`` (gradient descent and momentum), ``damping``
    (damped Newton), ``steps``. Play and the step slider run in the page (``canvas.step`` is the
    shown step, -1 the last). State after each update: ``settings`` (NewtonSettings), ``race``
    (the Race: labels and paths), ``frame`` / ``scene`` (what was sent:
    ``experiments_curvature.newton_frame``). ``figure`` is a snapshot (matplotlib).
    """

    static_title = "Newton, damped Newton, gradient descent and momentum"

    def __init__(self, surface: Any = "himmelblau", x0: ArrayLike | None = (-4.0, 0.0),
                 steps: int = 40, *, lr: float | None = None, beta: float = 0.9,
                 damping: float = 50.0, step: int = -1,
                 figsize: tuple[float, float] = (9.0, 4.5)) -> None:
        from .canvas import Canvas

        super().__init__()
        self._choice = _SurfaceChoice()
        # (kappa, angle) of the quadratic when it is picked
        name, surf, self._quadratic = _offer(self._choice, surface, (10.0, 30.0))
        p = _start(surf, x0)
        lr = default_lr(surf, p) if lr is None else check.positive("lr", lr)
        self.beta = check.unit_interval("beta", beta)
        damping = check.positive("damping", damping)
        steps = check.integer("steps", steps, 1, NEWTON_MAX_STEPS)
        step = check.integer("step", step, lo=-1)
        self.figsize = (float(figsize[0]), float(figsize[1]))
        c = self.controls
        c["surface"] = _surface_control(self._choice, name)
        c["x0"] = W.FloatSlider(description="start x", readout_format=".2f")
        c["y0"] = W.FloatSlider(description="start y", readout_format=".2f")
        c["lr"] = W.FloatLogSlider(value=lr, base=10, min=-5, max=0, step=0.01,
                                   description="lr (GD, momentum)", readout_format=".2e")
        c["damping"] = W.FloatLogSlider(value=damping, base=10, min=-2, max=3, step=0.01,
                                        description="damping μ", readout_format=".3g")
        c["steps"] = W.IntSlider(value=steps, min=1, max=NEWTON_MAX_STEPS, description="steps")
        self.labels = NEWTON_RUNNERS
        self.canvas = Canvas()
        self.canvas.on_click(self._on_click)
        self.surface: Any = surf
        self.settings: NewtonSettings | None = None
        self.race: Race | None = None
        self.frame: Any = None
        self.scene: Any = None
        self._runs: dict[tuple, optim.Path] = {}
        self._set_window(surf, p)
        self._wire()
        if step != -1 and self.frame is not None:
            self.canvas.step = min(step, self.frame.n_steps)

    # -- controls -----------------------------------------------------------------------------
    def _set_window(self, surface: Any, start: np.ndarray) -> None:
        """x0/y0 sliders span the surface's window (and the start, if outside) and sit at it."""
        (xa, xb), (ya, yb) = plots._window(surface)
        held, self._holding = self._holding, True
        try:
            for key, lo, hi, v in (("x0", xa, xb, start[0]), ("y0", ya, yb, start[1])):
                s = self.controls[key]
                s.min, s.max = -1e300, 1e300        # widen first: moving min/max clamps
                s.step = (hi - lo) / 200
                s.value = float(v)
                s.min, s.max = float(min(lo, v)), float(max(hi, v))
        finally:
            self._holding = held

    def _on_change(self, change: Any = None) -> None:
        if self._holding:
            return
        if getattr(change, "owner", None) is self.controls["surface"]:
            try:
                surface = self._choice.get(str(self.controls["surface"].value).strip(),
                                           *self._quadratic)
            except ValueError as err:
                self._show_error(f"cannot run: {err}")
                return
            if surface is not self.surface:       # window, start and lr follow the surface
                self.surface = surface
                self._set_window(surface, _start(surface, None))
                self._holding = True
                try:
                    self.controls["lr"].value = default_lr(surface)
                finally:
                    self._holding = False
        self.update()

    def _on_click(self, panel: str, x: float, y: float) -> None:
        """A click on the contour plot (panel "surface") moves the start there."""
        if panel != "surface" or not (math.isfinite(x) and math.isfinite(y)):
            return
        with self.hold():
            for key, value in (("x0", x), ("y0", y)):
                s = self.controls[key]
                s.value = float(min(max(value, s.min), s.max))

    def current_settings(self) -> NewtonSettings:
        """The settings the controls say."""
        c = self.controls
        surface = self._choice.get(str(c["surface"].value).strip(), *self._quadratic)
        return NewtonSettings(surface, (float(c["x0"].value), float(c["y0"].value)),
                              int(c["steps"].value), float(c["lr"].value), self.beta,
                              float(c["damping"].value), *self._quadratic)

    def _run(self, settings: NewtonSettings) -> tuple[optim.Path, ...]:
        """``run_newton(settings)``, each runner remembered by what it depends on: moving lr
        reruns gradient descent and momentum, moving damping only damped Newton."""
        own = {"gradient descent": (settings.lr,), "momentum": (settings.lr, settings.beta),
               "Newton": (), "damped Newton": (settings.damping,)}
        paths = []
        for label in NEWTON_RUNNERS:
            key = (id(settings.surface), settings.kappa, settings.angle, settings.start,
                   settings.steps, label, own[label])
            path = self._runs.get(key)
            if path is None:
                path = self._runs[key] = run_newton_one(settings, label)
                while len(self._runs) > 64:
                    self._runs.pop(next(iter(self._runs)))
            paths.append(path)
        return tuple(paths)

    def update(self) -> None:
        """Controls -> NewtonSettings -> newton_frame -> the page (one frame per change)."""
        try:
            settings = self.current_settings()
            if settings == self.settings:
                return
            newton_optimizers(settings)                  # validates lr, beta, damping
            paths = self._run(settings)
            frame = newton_frame(settings, paths)
        except (ValueError, ArithmeticError, np.linalg.LinAlgError) as err:
            self._show_error(f"cannot run: {err}")
            return
        surface = curvature_surface(settings.surface, settings.kappa, settings.angle)
        self.scene = newton_scene(surface, self.figsize)
        self.status.value = _status_lines(frame.status, frame.kind)
        self.canvas.show(self.scene, frame)
        self.race = Race(surface, np.array(settings.start, dtype=float), NEWTON_RUNNERS, paths)
        self.surface, self.frame, self.settings = surface, frame, settings

    def _error_scene(self) -> Any:
        return newton_scene(self.surface, self.figsize)

    def layout(self) -> W.Widget:
        if self._box is None:
            c = self.controls
            panel = W.VBox([c[k] for k in ("surface", "x0", "y0", "lr", "damping", "steps")],
                           layout=W.Layout(min_width="320px"))
            self._box = W.VBox([W.HBox([panel, self.canvas], layout=wrap_layout())])
        return self._box

    # -- the kernel-free copy -----------------------------------------------------------------
    def static_data(self, budget: int = 1_000_000) -> tuple[dict[str, Any], dict[str, str]]:
        """What the kernel-free copy embeds: (data, surface name -> JavaScript source): the
        current surface and every catalogue surface JavaScript can compute, within ``budget``
        bytes (250 KB kept for the module and the snapshot)."""
        import json

        from .. import jsmath
        from ..scene import to_plain_json
        settings = self.settings or self.current_settings()
        current = curvature_surface(settings.surface, settings.kappa, settings.angle)
        cname = str(getattr(current, "name", "custom"))
        order = [(cname, current)] + [(n, None) for n in SURFACE_CHOICES if n != cname]
        surfaces_: dict[str, Any] = {}
        code: dict[str, str] = {}
        used = 0
        for name, surface in order:
            surface = surface if surface is not None else \
                curvature_surface(name, settings.kappa, settings.angle)
            try:
                js = jsmath.surface_js(surface)
            except jsmath.JSMathError:
                continue
            scene = newton_scene(surface, self.figsize)
            entry = {"scene": scene.to_json(), "info": {
                "xlim": [float(v) for v in surface.xlim], "ylim": [float(v) for v in surface.ylim],
                "start": [float(v) for v in surface.start],
                "minima": np.asarray(surface.minima, dtype=float).reshape(-1, 2).tolist(),
                "default_lr": default_lr(surface)}}
            size = len(json.dumps(to_plain_json(entry), separators=(",", ":"))) + len(js)
            if surfaces_ and used + size > budget - 250_000:
                break
            surfaces_[name], code[name] = entry, js
            used += size
        data = {"surfaces": surfaces_,
                "settings": {"surface": cname, "start": [float(v) for v in settings.start],
                             "steps": settings.steps, "lr": settings.lr, "beta": settings.beta,
                             "damping": settings.damping}}
        return data, code

    def static_html(self) -> str:
        """The explorer for a page with no kernel: the page runs the four methods itself."""
        data, code = self.static_data()
        return self.page_html(data, code, "mountStaticNewton")


def _status_lines(text: str, kind: str) -> str:
    """The status line with one line per part (split at " · ")."""
    color = {"converged": "#1a7f37", "diverged": "#c00", "max_steps": "#555",
             "error": "#c00"}.get(kind, "#333")
    body = "<br>".join(html.escape(part) for part in text.split(" · "))
    return f'<span style="color:{color}">{body}</span>'


def newton_explorer(surface: Any = "himmelblau", x0: ArrayLike | None = (-4.0, 0.0),
                    steps: int = 40, **kwargs: Any) -> NewtonExplorer:
    """Gradient descent, momentum, Newton (x <- x - H^-1 g) and damped Newton
    (x <- x - (H + damping I)^-1 g) from the same start, with |grad f| along each run (log
    scale), drawn in the browser (Play and the step slider run in the page; the exported page
    computes the runs itself: canvas.js ``newtonFrame``).

    Newton heads for the stationary point of the local quadratic model, which is a saddle or a
    maximum wherever the Hessian is not positive definite; damping > -lambda_min makes
    H + damping I positive definite, so the step goes downhill again. Click the contour plot to
    move the start. Keyword arguments: ``lr`` (default 1 / lambda_max at x0), ``beta``,
    ``damping``, ``step``, ``figsize``.
    """
    return NewtonExplorer(surface, x0, steps, **kwargs)
