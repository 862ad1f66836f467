"""Static matplotlib pictures of loss surfaces, descent paths and curvature.

    contour(surface)                 filled level sets of f over the surface's window
    surface3d(surface)               the graph z = f(x, y) on 3-D axes
    minima(surface, ax)              the known minima as stars
    path(p, ax)                      a descent path: a marker at every step, start and end marked
    loss_curve(paths)                f(x_t) against the step t (log scale when the losses allow it)
    paths(surface, [p1, p2, ...])    contour + minima + several paths with a legend
    eigen_glyph(ax, p, H)            the Hessian's eigen-directions at p, length ~ |lambda|,
                                     colored by the sign of lambda (curvature up or down)
    quadratic_model_contours(ax, m)  level sets of the local quadratic model m over the picture

Every function takes ``ax=None`` (a new figure is made when it is None), reads its window from the
surface, returns the artists it drew so explorers can move them later (``set_data``,
``set_offsets``, ``set_UVC``), and never calls ``plt.show()``.

Level sets are log-spaced when the surface asks for it (``surface.log_levels``; for objects
without that flag, when the values span decades over the window). Where f is zero or negative
somewhere in the window, the levels are geometric in f - min f, so every log is defined.
"""
from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Sequence
from typing import Any, NamedTuple

import matplotlib.pyplot as plt
import numpy as np
from matplotlib import colors as mcolors
from matplotlib.axes import Axes
from matplotlib.contour import QuadContourSet
from matplotlib.legend import Legend
from matplotlib.lines import Line2D
from matplotlib.quiver import Quiver

from . import _checks as check

__all__ = [
    "Grid", "ContourResult", "PathArtists", "LossCurves", "PathsPlot", "EigenGlyph",
    "surface_grid", "contour", "surface3d", "minima", "path", "set_path", "loss_curve",
    "set_loss_scale", "paths", "eigen_glyph", "update_eigen_glyph", "quadratic_model_contours",
    "path_colors", "PATH_COLORS", "POSITIVE_CURVATURE_COLOR", "NEGATIVE_CURVATURE_COLOR",
    "FLAT_CURVATURE_COLOR", "CONTOUR_CMAP",
]

#: Arrow color for an eigen-direction along which f curves up (lambda > 0).
POSITIVE_CURVATURE_COLOR = "#1b7837"
#: Arrow color for an eigen-direction along which f curves down (lambda < 0).
NEGATIVE_CURVATURE_COLOR = "#c51b7d"
#: Arrow color for a direction of (numerically) zero curvature: |lambda| <= 1e-9 max |lambda|.
FLAT_CURVATURE_COLOR = "#777777"
_FLAT_TOL = 1e-9
#: Colours of descent paths, in order (path_colors): Okabe-Ito blue, orange, bluish green,
#: reddish purple, sky blue, vermillion, black -- colour-blind safe, no red-against-green pair.
PATH_COLORS = ("#0072b2", "#e69f00", "#009e73", "#cc79a7", "#56b4e9", "#d55e00", "#000000")
#: Default colormap of filled contours: light enough that colored paths stay visible on it.
CONTOUR_CMAP = "viridis"
_CONTOUR_ALPHA = 0.55
#: Log-spaced levels cover at most this many decades below the window's largest value.
_MAX_DECADES = 6.0
#: Values "span decades" when (max - min) / (median - min) exceeds this ratio.
_DECADES_RATIO = 100.0
_GRID_CACHE_SIZE = 8


# -- results ---------------------------------------------------------------------------------
class Grid(NamedTuple):
    """f evaluated on a regular grid over the surface's window (read-only arrays)."""
    X: np.ndarray
    Y: np.ndarray
    Z: np.ma.MaskedArray     # non-finite values (outside f's domain, overflow) are masked


class ContourResult(NamedTuple):
    """What `contour` drew: the filled set (or None), the line set, the levels used.

    ``log`` says whether the levels are log-spaced; then ``levels - shift`` is geometric.
    """
    filled: QuadContourSet | None
    lines: QuadContourSet
    levels: np.ndarray
    log: bool
    shift: float


class PathArtists(NamedTuple):
    """The three lines of a drawn path; move them all at once with `set_path`."""
    line: Line2D     # the trajectory, a marker at every step
    start: Line2D    # a hollow circle at xs[0]
    end: Line2D      # a square at xs[-1] (an X when the run diverged)


class LossCurves(NamedTuple):
    """Loss-versus-step lines (one per path) and the markers at diverged ends (maybe empty)."""
    lines: list[Line2D]
    ends: list[Line2D]
    yscale: str


class PathsPlot(NamedTuple):
    """Everything `paths` drew."""
    contour: ContourResult
    minima: Line2D
    paths: list[PathArtists]
    legend: Legend


class EigenGlyph(NamedTuple):
    """Two arrows at a point along the Hessian's eigenvectors; update with `update_eigen_glyph`.

    Arrow i has length ``scale * |lambda_i| / ref`` where ``ref`` is the largest |lambda| at the
    point (``ref=None``) or a fixed reference, so lengths are comparable from point to point.
    """
    quiver: Quiver
    scale: float
    ref: float | None


# -- input checks (once, at the boundary) ----------------------------------------------------
def _check_ax(ax: Any, *, three_d: bool = False) -> Axes:
    if not isinstance(ax, Axes):
        raise ValueError(f"ax must be a matplotlib Axes or None, got {type(ax).__name__}")
    is_3d = getattr(ax, "name", "") == "3d"
    if three_d and not is_3d:
        raise ValueError(f"ax must be a 3-D Axes (created with projection='3d'), "
                         f"got a {ax.name!r} Axes")
    if not three_d and is_3d:
        raise ValueError("ax must be a 2-D Axes, got a 3-D Axes "
                         "(use surface3d for a 3-D picture)")
    return ax


def _new_ax(ax: Axes | None, *, three_d: bool = False) -> Axes:
    if ax is not None:
        return _check_ax(ax, three_d=three_d)
    if three_d:
        fig = plt.figure(figsize=(6, 5))
        return fig.add_subplot(projection="3d")
    return plt.subplots(figsize=(6, 5))[1]


def _window(surface: Any) -> tuple[tuple[float, float], tuple[float, float]]:
    """The surface's plot window, checked: two variables, finite limits, lo < hi."""
    variables = getattr(surface, "variables", None)
    n = len(variables) if variables is not None else np.shape(getattr(surface, "start", (0, 0)))[-1]
    if n != 2:
        raise ValueError(f"surface must be a function of 2 variables to be drawn in the plane, "
                         f"{getattr(surface, 'name', 'surface')!r} has {n}")
    return (check.interval("surface.xlim", getattr(surface, "xlim", None)),
            check.interval("surface.ylim", getattr(surface, "ylim", None)))


def _floats(obj: Any, attr: str, rule: str) -> np.ndarray:
    """``obj.<attr>`` (``obj`` itself when it has no such attribute) as a float array, or
    ValueError "{rule}, got <type of obj>" when it does not hold numbers."""
    try:
        return np.asarray(getattr(obj, attr, obj), dtype=float)
    except (TypeError, ValueError):
        raise ValueError(f"{rule}, got {type(obj).__name__}") from None


def _xs(path_or_xs: Any, name: str = "path") -> np.ndarray:
    """The (k, 2) array of points of a Path (its ``xs``) or of an array-like, checked."""
    xs = _floats(path_or_xs, "xs", f"{name} must be a Path or an array of shape (k, 2)")
    if xs.ndim != 2 or xs.shape[1] != 2 or xs.shape[0] < 1:
        raise ValueError(f"{name} must hold points of shape (k, 2) with k >= 1, "
                         f"got shape {xs.shape}")
    if not np.all(np.isfinite(xs)):
        raise ValueError(f"{name} must hold finite points only")
    return xs


def _path_list(items: Any, name: str = "paths") -> list[Any]:
    """A Path (or (k, 2) array) alone, or a non-empty sequence of them, as a list."""
    if hasattr(items, "xs") or (isinstance(items, np.ndarray) and items.ndim == 2):
        return [items]
    try:
        out = list(items)
    except TypeError:
        raise ValueError(f"{name} must be a Path or a sequence of Paths, "
                         f"got {type(items).__name__}") from None
    if not out:
        raise ValueError(f"{name} must contain at least one path, got an empty sequence")
    return out


def _check_hessian(H: Any) -> np.ndarray:
    H = np.asarray(H, dtype=float)
    if H.shape != (2, 2):
        raise ValueError(f"H must be a 2x2 Hessian, got shape {H.shape}")
    if not np.all(np.isfinite(H)):
        raise ValueError("H must be finite, got non-finite entries")
    if not np.allclose(H, H.T, rtol=1e-8, atol=1e-12 * max(1.0, np.abs(H).max())):
        raise ValueError(f"H must be symmetric (a Hessian), got {H.tolist()}")
    return (H + H.T) / 2


def _point(point: Any) -> np.ndarray:
    p = np.asarray(point, dtype=float)
    if p.shape != (2,) or not np.all(np.isfinite(p)):
        raise ValueError(f"point must be 2 finite coordinates, got {np.asarray(point).tolist()}")
    return p


# -- grid evaluation, cached -----------------------------------------------------------------
_GRID_CACHE: OrderedDict[tuple, tuple[Any, Grid]] = OrderedDict()


def surface_grid(surface: Any, resolution: int = 200) -> Grid:
    """f on a resolution x resolution grid over (surface.xlim, surface.ylim).

    Cached per (surface, resolution, window): explorers redraw often, the grid rarely changes.
    Points where f is not finite are masked, and evaluating there emits no warning.
    """
    resolution = check.integer("resolution", resolution, 2, 2000)
    xlim, ylim = _window(surface)
    key = (id(surface), resolution, xlim, ylim)
    hit = _GRID_CACHE.get(key)
    if hit is not None and hit[0] is surface:       # the surface is kept alive, so ids are unique
        _GRID_CACHE.move_to_end(key)
        return hit[1]
    X, Y = np.meshgrid(np.linspace(*xlim, resolution), np.linspace(*ylim, resolution))
    with np.errstate(all="ignore"):
        Z = np.asarray(surface.f(np.stack([X, Y], axis=-1)), dtype=float)
    Z = np.broadcast_to(Z, X.shape).copy()
    mask = ~np.isfinite(Z)
    for a in (X, Y, Z, mask):
        a.setflags(write=False)
    grid = Grid(X, Y, np.ma.MaskedArray(Z, mask=mask, copy=False))
    _GRID_CACHE[key] = (surface, grid)
    while len(_GRID_CACHE) > _GRID_CACHE_SIZE:
        _GRID_CACHE.popitem(last=False)
    return grid


def _spans_decades(Z: np.ma.MaskedArray) -> bool:
    """(max - min) / (median - min) > 100: most of the window sits decades below its peaks."""
    z = Z.compressed()
    if z.size == 0:
        return False
    lo = z.min()
    typical = np.median(z) - lo
    return bool(typical > 0 and (z.max() - lo) / typical > _DECADES_RATIO)


def _wants_log(surface: Any, Z: np.ma.MaskedArray) -> bool:
    """The surface's own ``log_levels`` when it has one, else whether its values span decades."""
    flag = getattr(surface, "log_levels", None)
    return _spans_decades(Z) if flag is None else bool(flag)


def _levels(Z: np.ma.MaskedArray, count: int, log: bool) -> tuple[np.ndarray, float]:
    """count levels over the grid's range: geometric in (f - shift) when log, else linear."""
    z = Z.compressed()
    if z.size == 0:
        raise ValueError("surface: f is not finite anywhere in the window, nothing to draw")
    lo, hi = float(z.min()), float(z.max())
    if hi - lo <= 1e-300 * max(1.0, abs(lo)):          # a flat window: one band around the value
        return np.array([lo - 0.5, lo + 0.5]), 0.0
    if not log:
        return np.linspace(lo, hi, count), 0.0
    shift = 0.0 if lo > 0 else lo      # shift by the minimum so that every log is defined
    top = hi - shift
    positive = z[z - shift > 0] - shift
    bottom = max(float(positive.min()), top * 10.0 ** -_MAX_DECADES)
    return shift + np.geomspace(bottom, top, count), shift


# -- contours and the 3-D picture -------------------------------------------------------------
def contour(surface: Any, ax: Axes | None = None, *, levels: int | Sequence[float] = 30,
            resolution: int = 200, filled: bool = True, cmap: str = CONTOUR_CMAP,
            log: bool | None = None) -> ContourResult:
    """Level sets {(x, y) : f(x, y) = c} over the surface's window.

    ``levels`` is a number of levels or the levels themselves. ``log=None`` follows
    ``surface.log_levels`` (objects without one: whether the values span decades);
    log-spaced means c_k = shift + a * r**k with shift = min f (0 when f > 0 everywhere).
    """
    ax = _new_ax(ax)
    xlim, ylim = _window(surface)
    X, Y, Z = surface_grid(surface, resolution)
    if check.is_integer(levels):
        count = check.integer("levels", levels, 2, 500)
        if log is None:
            log = _wants_log(surface, Z)
        values, shift = _levels(Z, count, bool(log))
        log = bool(log) and len(values) == count
    else:
        values = np.asarray(levels, dtype=float)
        if values.ndim != 1 or values.size < 1 or not np.all(np.isfinite(values)) \
                or np.any(np.diff(values) <= 0):
            raise ValueError(f"levels must be a count or finite increasing values, got {levels!r}")
        log, shift = False, 0.0
    cmap_obj = plt.get_cmap(cmap)
    filled_set = None
    if filled and values.size >= 2:
        norm = mcolors.BoundaryNorm(values, cmap_obj.N, extend="min")
        filled_set = ax.contourf(X, Y, Z.copy(), levels=values, cmap=cmap_obj, norm=norm,
                                 alpha=_CONTOUR_ALPHA, extend="min")
        lines = ax.contour(X, Y, Z.copy(), levels=values, colors="k", linewidths=0.4, alpha=0.35)
    else:
        norm = mcolors.BoundaryNorm(values, cmap_obj.N) if values.size >= 2 else None
        lines = ax.contour(X, Y, Z.copy(), levels=values, cmap=cmap_obj, norm=norm, linewidths=1.0)
    ax.set_xlim(xlim)
    ax.set_ylim(ylim)
    names = [str(v) for v in getattr(surface, "variables", ("x", "y"))]
    ax.set_xlabel(names[0])
    ax.set_ylabel(names[1])
    return ContourResult(filled_set, lines, np.asarray(lines.levels, dtype=float), log, shift)


def surface3d(surface: Any, ax: Axes | None = None, *, resolution: int = 80,
              cmap: str = CONTOUR_CMAP, log: bool | None = None, alpha: float = 0.9) -> Any:
    """The graph z = f(x, y) over the surface's window, on a 3-D Axes (made when ax is None).

    Colors follow log(f - shift) when the contour would use log levels, so the valley floor
    keeps its detail. Returns the Poly3DCollection.
    """
    ax = _new_ax(ax, three_d=True)
    xlim, ylim = _window(surface)
    X, Y, Z = surface_grid(surface, resolution)
    if log is None:
        log = _wants_log(surface, Z)
    bounds, _ = _levels(Z, 64, bool(log))
    norm = mcolors.BoundaryNorm(bounds, plt.get_cmap(cmap).N, extend="both")
    facecolors = plt.get_cmap(cmap)(norm(Z.filled(np.nan)))
    art = ax.plot_surface(X, Y, Z.filled(np.nan), facecolors=facecolors, rstride=1, cstride=1,
                          linewidth=0, antialiased=False, alpha=alpha, shade=False)
    ax.set_xlim(xlim)
    ax.set_ylim(ylim)
    names = [str(v) for v in getattr(surface, "variables", ("x", "y"))]
    ax.set_xlabel(names[0])
    ax.set_ylabel(names[1])
    ax.set_zlabel("f")
    return art


def minima(surface: Any, ax: Axes | None = None, *, color: str = "white",
           size: float = 14.0) -> Line2D:
    """The surface's known minima as stars (an empty line when it knows none)."""
    ax = _new_ax(ax)
    pts = np.asarray(getattr(surface, "minima", np.empty((0, 2))), dtype=float).reshape(-1, 2)
    (line,) = ax.plot(pts[:, 0], pts[:, 1], linestyle="none", marker="*", markersize=size,
                      markerfacecolor=color, markeredgecolor="k", markeredgewidth=0.8,
                      label="minima", zorder=4)
    return line


# -- paths ----------------------------------------------------------------------------------
def path_colors(count: int) -> list[str]:
    """count colors for paths, the same on every run: PATH_COLORS, cycled.

    PATH_COLORS is the Okabe-Ito palette without its yellow (too pale on light contours):
    readers with any common form of colour blindness can tell its colours apart, where tab10's
    third and fourth colours (green and red) look alike to many of them.
    """
    return [PATH_COLORS[i % len(PATH_COLORS)] for i in range(count)]


def _diverged(p: Any) -> bool:
    return getattr(p, "status", None) == "diverged"


def path(path_or_xs: Any, ax: Axes | None = None, *, label: str | None = None,
         color: str | None = None, marker: str = "o", markersize: float = 3.0,
         linewidth: float = 1.5) -> PathArtists:
    """A descent path x_0, x_1, ..., x_k: a line with a marker at every step, x_0 marked with a
    hollow circle and x_k with a square (an X when the run diverged).

    Accepts a Path (uses ``xs`` and ``status``) or an array of shape (k, 2).
    """
    xs = _xs(path_or_xs)
    ax = _new_ax(ax)
    color = color or path_colors(1)[0]
    (line,) = ax.plot(xs[:, 0], xs[:, 1], color=color, marker=marker, markersize=markersize,
                      linewidth=linewidth, label=label, zorder=5)
    (start,) = ax.plot(xs[:1, 0], xs[:1, 1], linestyle="none", marker="o", markersize=8,
                       markerfacecolor="white", markeredgecolor=color, markeredgewidth=2,
                       zorder=6)
    (end,) = ax.plot(xs[-1:, 0], xs[-1:, 1], linestyle="none",
                     marker="X" if _diverged(path_or_xs) else "s", markersize=8,
                     markerfacecolor=color, markeredgecolor="k", markeredgewidth=0.8, zorder=6)
    return PathArtists(line, start, end)


def set_path(artists: PathArtists, path_or_xs: Any) -> PathArtists:
    """Move a drawn path to new points in place (line, start and end markers)."""
    xs = _xs(path_or_xs)
    artists.line.set_data(xs[:, 0], xs[:, 1])
    artists.start.set_data(xs[:1, 0], xs[:1, 1])
    artists.end.set_data(xs[-1:, 0], xs[-1:, 1])
    artists.end.set_marker("X" if _diverged(path_or_xs) else "s")
    return artists


def _losses(p: Any) -> np.ndarray:
    out = _floats(p, "losses", "paths must hold Paths or 1-D loss arrays")
    if out.ndim != 1 or out.size < 1:
        raise ValueError(f"paths: losses must be 1-D and non-empty, got shape {out.shape}")
    return out


def set_loss_scale(ax: Axes, losses: Sequence[np.ndarray], log: bool = True) -> str:
    """Choose the y scale for loss curves and apply it; returns "log", "symlog" or "linear".

    log scale when every finite loss is positive; symlog (linear within +-linthresh of 0) when
    some are zero or negative (a surface unbounded below, such as a saddle); linear if not log.
    """
    _check_ax(ax)
    finite = np.concatenate([np.asarray(l, dtype=float).ravel() for l in losses])
    finite = finite[np.isfinite(finite)]
    if not log or finite.size == 0:
        ax.set_yscale("linear")
        return "linear"
    if np.all(finite > 0):
        ax.set_yscale("log")
        return "log"
    magnitude = np.abs(finite)
    nonzero = magnitude[magnitude > 0]
    top = float(magnitude.max()) if magnitude.size else 1.0
    linthresh = max(float(nonzero.min()), 1e-6 * top) if nonzero.size else 1.0
    ax.set_yscale("symlog", linthresh=linthresh)
    return "symlog"


def loss_curve(paths: Any, ax: Axes | None = None, *, log: bool = True,
               labels: Sequence[str] | None = None,
               colors: Sequence[str] | None = None) -> LossCurves:
    """f(x_t) against the step t for one or several paths.

    A diverged run is drawn up to its last finite step and marked there with an X. The y axis is
    logarithmic when ``log`` and every loss is positive, symlog when some are not.
    """
    items = _path_list(paths)
    losses = [_losses(p) for p in items]
    labels, colors = _labels_and_colors(items, labels, colors)
    ax = _new_ax(ax)
    lines, ends = [], []
    for p, l, label, color in zip(items, losses, labels, colors):
        steps = np.arange(l.size)
        keep = np.isfinite(l)
        (line,) = ax.plot(steps[keep], l[keep], color=color, label=label, linewidth=1.5)
        lines.append(line)
        if _diverged(p) and keep.any():
            last = np.flatnonzero(keep)[-1]
            (end,) = ax.plot([steps[last]], [l[last]], linestyle="none", marker="X",
                             markersize=9, color=color, markeredgecolor="k")
            ends.append(end)
    yscale = set_loss_scale(ax, losses, log)
    ax.set_xlabel("step t")
    ax.set_ylabel("loss f(x_t)")
    return LossCurves(lines, ends, yscale)


def _label(p: Any, i: int) -> str:
    name = getattr(p, "optimizer", None)
    return str(name) if name else f"path {i + 1}"


def _labels_and_colors(items: Sequence[Any], labels: Sequence[str] | None,
                       colors: Sequence[str] | None) -> tuple[list[str], list[str]]:
    """One legend label and one color per path: those given (one entry per path, checked) or
    the defaults (each Path's optimizer name, ``path_colors``)."""
    labels = list(labels) if labels is not None else [_label(p, i) for i, p in enumerate(items)]
    colors = list(colors) if colors is not None else path_colors(len(items))
    if len(labels) != len(items) or len(colors) != len(items):
        raise ValueError(f"labels and colors must have one entry per path ({len(items)}), "
                         f"got {len(labels)} labels and {len(colors)} colors")
    return labels, colors


def paths(surface: Any, paths: Any, ax: Axes | None = None, *,
          labels: Sequence[str] | None = None, colors: Sequence[str] | None = None,
          levels: int | Sequence[float] = 30, resolution: int = 200) -> PathsPlot:
    """Contour of the surface, its minima, and several paths with a legend."""
    items = _path_list(paths)
    for i, p in enumerate(items):
        _xs(p, f"paths[{i}]")
    labels, colors = _labels_and_colors(items, labels, colors)
    ax = _new_ax(ax)
    result = contour(surface, ax, levels=levels, resolution=resolution)
    stars = minima(surface, ax)
    drawn = [path(p, ax, label=label, color=color)
             for p, label, color in zip(items, labels, colors)]
    legend = ax.legend(handles=[a.line for a in drawn], loc="upper right", fontsize="small",
                       framealpha=0.85)
    title = getattr(surface, "title", None) or getattr(surface, "name", None)
    if title:
        ax.set_title(str(title))
    return PathsPlot(result, stars, drawn, legend)


# -- curvature glyphs -----------------------------------------------------------------------
def _eigen_arrows(H: np.ndarray, scale: float, ref: float | None
                  ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Arrow vectors s * |lambda_i| / ref * v_i (rows), eigenvalues, and face colors."""
    lam, V = np.linalg.eigh(H)                     # ascending eigenvalues, eigenvectors as columns
    V = V * np.where((V[0] < 0) | ((V[0] == 0) & (V[1] < 0)), -1.0, 1.0)  # same sign every step
    norm = float(np.abs(lam).max()) if ref is None else ref
    lengths = scale * np.abs(lam) / norm if norm > 0 else np.zeros(2)
    vectors = (V * lengths).T
    flat = _FLAT_TOL * float(np.abs(lam).max())         # rounding-level eigenvalues count as 0
    faces = np.array([mcolors.to_rgba(POSITIVE_CURVATURE_COLOR if l > flat else
                                      NEGATIVE_CURVATURE_COLOR if l < -flat else
                                      FLAT_CURVATURE_COLOR) for l in lam])
    return vectors, lam, faces


def eigen_glyph(ax: Axes | None, point: Any, H: Any, *, scale: float | None = None,
                ref: float | None = None, width: float = 0.012) -> EigenGlyph:
    """Two arrows from ``point`` along the eigenvectors v_1, v_2 of the Hessian H there.

    H v_i = lambda_i v_i. Arrow i has length scale * |lambda_i| / ref (ref = max |lambda| at the
    point unless given), colored POSITIVE_CURVATURE_COLOR when lambda_i > 0 (f curves up along
    v_i), NEGATIVE_CURVATURE_COLOR when lambda_i < 0 (f curves down) and FLAT_CURVATURE_COLOR
    when lambda_i is zero up to rounding. ``scale`` defaults to 15% of the x window.
    """
    ax = _new_ax(ax)
    p, H = _point(point), _check_hessian(H)
    if scale is None:
        lo, hi = ax.get_xlim()
        scale = 0.15 * abs(hi - lo)
    if not (np.isfinite(scale) and scale > 0):
        raise ValueError(f"scale must be a positive finite length, got {scale!r}")
    if ref is not None and not (np.isfinite(ref) and ref > 0):
        raise ValueError(f"ref must be a positive finite eigenvalue magnitude, got {ref!r}")
    vectors, _, faces = _eigen_arrows(H, float(scale), ref)
    quiver = ax.quiver(np.full(2, p[0]), np.full(2, p[1]), vectors[:, 0], vectors[:, 1],
                       angles="xy", scale_units="xy", scale=1.0, width=width,
                       color=faces, zorder=7)
    return EigenGlyph(quiver, float(scale), ref)


def update_eigen_glyph(glyph: EigenGlyph, point: Any, H: Any) -> EigenGlyph:
    """Move a glyph to a new point and Hessian in place (offsets, arrow vectors, colors)."""
    p, H = _point(point), _check_hessian(H)
    vectors, _, faces = _eigen_arrows(H, glyph.scale, glyph.ref)
    glyph.quiver.set_offsets(np.tile(p, (2, 1)))
    glyph.quiver.set_UVC(vectors[:, 0], vectors[:, 1])
    glyph.quiver.set_facecolor(faces)
    return glyph


def quadratic_model_contours(ax: Axes | None, model: Callable[[np.ndarray], np.ndarray], *,
                             point: Any = None, levels: int | Sequence[float] = 8,
                             resolution: int = 80, color: str = "#d95f02",
                             linestyles: str = "--") -> QuadContourSet:
    """Dashed level sets of a local quadratic model m(p + d) = f + g.d + 1/2 d.H.d over the
    Axes' current window, on top of the true contours.

    ``model`` is a callable on points of shape (..., 2). With a count of ``levels`` the levels are
    quantiles of m over the window, plus m(point) when a point is given so the level set through
    the current point is drawn. Contour sets cannot move: to follow a path, ``remove()`` the
    returned set and draw again.
    """
    ax = _new_ax(ax)
    if not callable(model):
        raise ValueError(f"model must be a callable on points of shape (..., 2), "
                         f"got {type(model).__name__}")
    resolution = check.integer("resolution", resolution, 2, 1000)
    (x0, x1), (y0, y1) = ax.get_xlim(), ax.get_ylim()
    X, Y = np.meshgrid(np.linspace(x0, x1, resolution), np.linspace(y0, y1, resolution))
    with np.errstate(all="ignore"):
        M = np.asarray(model(np.stack([X, Y], axis=-1)), dtype=float)
    if M.shape != X.shape:
        raise ValueError(f"model must map points of shape (..., 2) to values of shape (...), "
                         f"got {M.shape} for a grid of {X.shape}")
    M = np.ma.masked_invalid(M)
    if check.is_integer(levels):
        count = check.integer("levels", levels, 1, 100)
        values = np.quantile(M.compressed(), np.linspace(0.02, 0.6, count))
        if point is not None:
            with np.errstate(all="ignore"):
                here = float(np.asarray(model(_point(point)), dtype=float))
            if np.isfinite(here):
                values = np.append(values, here)
        values = np.unique(values)
    else:
        values = np.asarray(levels, dtype=float)
        if values.ndim != 1 or values.size < 1 or not np.all(np.isfinite(values)):
            raise ValueError(f"levels must be a count or finite values, got {levels!r}")
        values = np.unique(values)
    cs = ax.contour(X, Y, M, levels=values, colors=color, linestyles=linestyles,
                    linewidths=1.2, zorder=3)
    ax.set_xlim(x0, x1)
    ax.set_ylim(y0, y1)
    return cs
