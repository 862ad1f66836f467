"""Explorers for notebooks 01-02: partials as slopes of slices, the directional derivative,
and how the error of a finite difference depends on the step h.

    slice_explorer("x**2*y + sin(y)")     pick (x0, y0): the surface, its x- and y-slices and
                                          their tangent lines, whose slopes are df/dx and df/dy
    directional_explorer("x**2 + 3*y**2") an angle slider: D_u f = grad f . u against the angle,
                                          largest (= |grad f|) when u points along grad f
    step_size_explorer()                  function, point, method and h: the U-shaped curve
                                          of the error versus h, with the current h marked

Pure helpers, usable and tested without any widget:

    field2d(expr_or_text, variables)          f(x, y) and its gradient as NumPy functions
    slice_curve(f, point, axis, values)       g(s) = f(x0, ..., s, ..., xn): one coordinate moves
    tangent_line(at, value, slope, values)    value + slope * (values - at)
    tangent_segment(at, value, slope, ...)    a short piece of that line that fits in a window
    directional_derivative(grad, angles)      D_u f = grad f . (cos a, sin a)
    steepest_ascent_angle(grad)               atan2(df/dy, df/dx)
    function1d(expr_or_text)                  f(x) (complex-capable) and f', f'', f''' exact
    step_error_model(method, hs, derivs)      truncation + rounding model of the error
    optimal_step(method, derivs)              the h that minimizes that model
    plot_step_errors(expr_or_text, x, ...)    the error-versus-h U-curves (log-log)
    error_band(rel), plot_error_bands(...)    gradient-check verdicts: wrong ... right

The numbers every explorer shows come from gradlib.symbolic (exact partials) and
gradlib.numeric (finite differences); the dashboards only move artists.
"""
from __future__ import annotations

import html
import textwrap
from collections.abc import Callable, Mapping, Sequence
from typing import Any, NamedTuple

import ipywidgets as W
import numpy as np
import sympy as sp
from matplotlib.axes import Axes
from matplotlib.lines import Line2D
from numpy.typing import ArrayLike

from .. import _checks as check
from .. import numeric, symbolic
from ._base import Dashboard, new_figure

__all__ = [
    "Field2D", "field2d", "slice_curve", "tangent_line", "tangent_segment",
    "directional_derivative", "steepest_ascent_angle",
    "STEP_FUNCTIONS", "METHODS", "METHOD_COLORS", "DEFAULT_HS", "ERROR_FLOOR", "StepModel",
    "step_error_model", "optimal_step", "Function1D", "function1d", "step_error_curves",
    "StepErrorPlot", "plot_step_errors", "ERROR_BANDS", "error_band", "BandPlot",
    "plot_error_bands",
    "SliceExplorer", "DirectionalExplorer", "StepSizeExplorer",
    "slice_explorer", "directional_explorer", "step_size_explorer",
]

DEFAULT_FORMULA = "x**2*y + sin(y)"
#: Finite-difference methods in the order the notebooks introduce them (numeric.METHODS).
METHODS: tuple[str, ...] = tuple(numeric.METHODS)
#: One color per method, shared by every picture of finite differences: Okabe-Ito colours
#: (blue, sky blue, orange, reddish purple), told apart with colour-vision deficiencies too.
METHOD_COLORS = {"forward": "#0072b2", "backward": "#56b4e9", "central": "#e69f00",
                 "complex": "#cc79a7"}
_X_COLOR, _Y_COLOR = "#1f77b4", "#ff7f0e"
_X_DARK, _Y_DARK = "#08306b", "#8c2d04"


# ---------------------------------------------------------------------------------------------
# Pure helpers
# ---------------------------------------------------------------------------------------------
class Field2D(NamedTuple):
    """A scalar function of two variables, compiled for NumPy.

    ``f(x, y)`` and ``grad(x, y)`` broadcast over arrays; ``grad`` returns shape ``(..., 2)``
    holding (df/dx, df/dy), computed from the exact SymPy partials. Off the function's domain
    (``log`` of a negative number, ``1/x`` at 0) they return NaN or inf without a warning.
    """

    expr: sp.Expr
    variables: tuple[sp.Symbol, sp.Symbol]
    f: Callable[[ArrayLike, ArrayLike], np.ndarray]
    grad: Callable[[ArrayLike, ArrayLike], np.ndarray]


def field2d(expr_or_text: str | sp.Expr,
            variables: Sequence[str | sp.Symbol] = ("x", "y")) -> Field2D:
    """Compile f(x, y) (a SymPy expression, or text parsed safely by ``symbolic.parse``).

    grad f = [df/dx, df/dy] comes from ``symbolic.gradient``; both are ``symbolic.lambdify``-ed.
    """
    syms = symbolic.symbols(variables)
    if len(syms) != 2:
        raise ValueError(f"variables must name exactly two variables, got {[s.name for s in syms]}")
    if isinstance(expr_or_text, str):
        expr = symbolic.parse(expr_or_text, syms)
    elif isinstance(expr_or_text, sp.Basic):
        expr = sp.sympify(expr_or_text)
    else:
        raise ValueError(f"expr_or_text must be a formula string or a SymPy expression, "
                         f"got {type(expr_or_text).__name__}")
    names = {s.name: s for s in syms}
    expr = expr.subs({s: names[s.name] for s in expr.free_symbols if s.name in names})
    f_raw = symbolic.lambdify(expr, syms)
    grad_raw = symbolic.lambdify(symbolic.gradient(expr, syms), syms)

    def f(x: ArrayLike, y: ArrayLike) -> np.ndarray:
        with np.errstate(all="ignore"):
            return f_raw(x, y)

    def grad(x: ArrayLike, y: ArrayLike) -> np.ndarray:
        with np.errstate(all="ignore"):
            return grad_raw(x, y)

    f.__doc__ = f"f({syms[0]}, {syms[1]}) = {expr}"
    grad.__doc__ = f"grad f = [{', '.join(str(e) for e in symbolic.gradient(expr, syms))}]"
    return Field2D(expr, (syms[0], syms[1]), f, grad)


def slice_curve(f: Callable[..., np.ndarray], point: ArrayLike, axis: int,
                values: ArrayLike) -> np.ndarray:
    """f along the line through ``point`` parallel to coordinate axis ``axis``.

        g(s) = f(p_0, ..., p_(axis-1), s, p_(axis+1), ...)   for s in ``values``

    For f(x, y) at (x0, y0): axis 0 gives the x-slice g(x) = f(x, y0), axis 1 the y-slice
    g(y) = f(x0, y). Its slope at s = p_axis is the partial derivative df/dx_axis.
    """
    p = np.asarray(point, dtype=float)
    if p.ndim != 1 or p.size < 1:
        raise ValueError(f"point must be a 1-D sequence of coordinates, got shape {p.shape}")
    axis = check.integer("axis", axis, 0, p.size - 1)
    s = np.asarray(values, dtype=float)
    args = [np.full_like(s, c) for c in p]
    args[axis] = s
    with np.errstate(all="ignore"):
        return np.asarray(f(*args), dtype=float)


def tangent_line(at: float, value: float, slope: float, values: ArrayLike) -> np.ndarray:
    """The tangent line through (at, value) with the given slope:  t(s) = value + slope * (s - at)."""
    return value + slope * (np.asarray(values, dtype=float) - at)


def tangent_segment(at: float, value: float, slope: float, *, run: float,
                    rise: float) -> tuple[np.ndarray, np.ndarray]:
    """A piece of the tangent line centred on (at, value) that stays inside a window.

        half-length L = min(run, rise / |slope|);  ends at s = at -+ L, t = value -+ slope * L

    ``run`` bounds how far it reaches sideways, ``rise`` how far up or down (a steep tangent
    is drawn shorter so it does not leave a 3-D box). Returns (s, t), two points each.
    """
    run, rise = check.positive("run", run), check.positive("rise", rise)
    half = run if slope == 0 else min(run, rise / abs(slope))
    s = np.array([at - half, at + half])
    return s, tangent_line(at, value, slope, s)


def directional_derivative(grad: ArrayLike, angles: ArrayLike) -> np.ndarray:
    """Rate of change of f along the unit vector u = (cos a, sin a), for each angle a (radians).

        D_u f = grad f . u = df/dx cos(a) + df/dy sin(a) = |grad f| cos(a - a*)

    where a* = atan2(df/dy, df/dx): largest, |grad f|, when u points along the gradient,
    zero along the level curve (a = a* +- 90 deg), most negative against the gradient.
    """
    g = np.asarray(grad, dtype=float)
    if g.shape != (2,):
        raise ValueError(f"grad must hold two partials (df/dx, df/dy), got shape {g.shape}")
    a = np.asarray(angles, dtype=float)
    return g[0] * np.cos(a) + g[1] * np.sin(a)


def steepest_ascent_angle(grad: ArrayLike) -> float:
    """The direction of steepest ascent, in radians:  a* = atan2(df/dy, df/dx)  in (-pi, pi].

    At a critical point (grad f = 0) every directional derivative is 0 and no direction is
    steepest; the value returned there is atan2(0, 0) = 0 by convention.
    """
    g = np.asarray(grad, dtype=float)
    if g.shape != (2,):
        raise ValueError(f"grad must hold two partials (df/dx, df/dy), got shape {g.shape}")
    return float(np.arctan2(g[1], g[0]))


def _check_point(point: Any, xlim: tuple[float, float], ylim: tuple[float, float]) -> tuple[float, float]:
    try:
        x0, y0 = (float(v) for v in point)
    except (TypeError, ValueError):
        raise ValueError(f"point must be a pair (x0, y0) of numbers, got {point!r}") from None
    if not (xlim[0] <= x0 <= xlim[1] and ylim[0] <= y0 <= ylim[1]):
        raise ValueError(f"point must lie inside xlim x ylim = {xlim} x {ylim}, got {point!r}")
    return x0, y0


def _finite_range(values: np.ndarray, pad: float = 0.08) -> tuple[float, float]:
    """(low, high) of the finite values, padded; (-1, 1) when nothing is finite."""
    v = values[np.isfinite(values)]
    if v.size == 0:
        return -1.0, 1.0
    lo, hi = float(v.min()), float(v.max())
    span = hi - lo if hi > lo else max(1.0, abs(hi))
    return lo - pad * span, hi + pad * span


def _fmt(v: float) -> str:
    return f"{v:.4g}" if np.isfinite(v) else "undefined"


# ---------------------------------------------------------------------------------------------
# The slice explorer
# ---------------------------------------------------------------------------------------------
class _FieldDashboard(Dashboard):
    """Shared plumbing: a formula box, two point sliders, a compiled Field2D."""

    def __init__(self, expr_or_text: str | sp.Expr, variables: Sequence[str | sp.Symbol],
                 point: Sequence[float], xlim: Sequence[float], ylim: Sequence[float],
                 resolution: int) -> None:
        super().__init__()
        self.field = field2d(expr_or_text, variables)
        self.xlim, self.ylim = check.interval("xlim", xlim), check.interval("ylim", ylim)
        x0, y0 = _check_point(point, self.xlim, self.ylim)
        self.resolution = check.integer("resolution", resolution, 5, 400)
        vx, vy = (s.name for s in self.field.variables)
        text = expr_or_text if isinstance(expr_or_text, str) else str(self.field.expr)
        self.controls["formula"] = W.Text(value=text, description="f =", continuous_update=False,
                                          layout=W.Layout(width="290px"))
        self.controls["x0"] = W.FloatSlider(value=x0, min=self.xlim[0], max=self.xlim[1],
                                            step=(self.xlim[1] - self.xlim[0]) / 200,
                                            description=f"{vx}\u2080", readout_format=".2f")
        self.controls["y0"] = W.FloatSlider(value=y0, min=self.ylim[0], max=self.ylim[1],
                                            step=(self.ylim[1] - self.ylim[0]) / 200,
                                            description=f"{vy}\u2080", readout_format=".2f")
        self._text = text
        xs = np.linspace(*self.xlim, self.resolution)
        ys = np.linspace(*self.ylim, self.resolution)
        self.X, self.Y = np.meshgrid(xs, ys)
        self.Z = self._grid_values()

    def _grid_values(self) -> np.ndarray:
        Z = np.array(np.broadcast_to(self.field.f(self.X, self.Y), self.X.shape), dtype=float)
        Z[~np.isfinite(Z)] = np.nan
        return Z

    def _refresh_field(self) -> bool:
        """Recompile when the formula text changed. True if the surface must be redrawn."""
        text = self.controls["formula"].value
        if text == self._text:
            return False
        try:
            self.field = field2d(text, self.field.variables)
        except ValueError as err:
            self._error = f"Formula not accepted: {html.escape(str(err))}"
            return False
        self._text = text
        self.Z = self._grid_values()
        return True

    def _point(self) -> tuple[float, float, float, np.ndarray]:
        x0, y0 = float(self.controls["x0"].value), float(self.controls["y0"].value)
        z0 = float(self.field.f(x0, y0))
        g = np.asarray(self.field.grad(x0, y0), dtype=float)
        return x0, y0, z0, g


class SliceExplorer(_FieldDashboard):
    """Partials are slopes of slices: the surface z = f(x, y) cut by the planes y = y0 and
    x = x0, the two slice curves, and their tangent lines with slopes df/dx and df/dy.

    Controls: ``formula`` (text), ``x0``, ``y0`` (sliders). Moving artists are in ``lines``:
    ``x_slice``, ``x_tangent``, ``y_slice``, ``y_tangent`` (2-D panels), ``point_x``,
    ``point_y`` and ``*_3d`` counterparts on the surface.
    """

    def __init__(self, expr_or_text: str | sp.Expr = DEFAULT_FORMULA,
                 variables: Sequence[str | sp.Symbol] = ("x", "y"), *,
                 point: Sequence[float] = (1.0, 0.5), xlim: Sequence[float] = (-2.0, 2.0),
                 ylim: Sequence[float] = (-2.0, 2.0), resolution: int = 36,
                 figsize: tuple[float, float] = (9.0, 4.5)) -> None:
        super().__init__(expr_or_text, variables, point, xlim, ylim, resolution)
        vx, vy = (s.name for s in self.field.variables)
        self.s_x = np.linspace(*self.xlim, 200)
        self.s_y = np.linspace(*self.ylim, 200)
        fig = self.figure = new_figure(figsize)
        grid = fig.add_gridspec(2, 2, width_ratios=(1.2, 1.0), hspace=0.45, wspace=0.25,
                                left=0.02, right=0.96, top=0.92, bottom=0.11)
        ax3 = self.ax3d = fig.add_subplot(grid[:, 0], projection="3d", computed_zorder=False)
        axx = self.ax_x = fig.add_subplot(grid[0, 1])
        axy = self.ax_y = fig.add_subplot(grid[1, 1])
        ax3.view_init(elev=28, azim=-58)
        ax3.set_xlabel(vx), ax3.set_ylabel(vy), ax3.set_zlabel("f", labelpad=2)
        ax3.set_xlim(*self.xlim), ax3.set_ylim(*self.ylim)
        ax3.tick_params(labelsize=7, pad=0)
        self._surface = None
        L: dict[str, Any] = {}
        L["x_slice_3d"], = ax3.plot([], [], [], color=_X_COLOR, lw=2.5, zorder=3)
        L["y_slice_3d"], = ax3.plot([], [], [], color=_Y_COLOR, lw=2.5, zorder=3)
        L["x_tangent_3d"], = ax3.plot([], [], [], color=_X_DARK, lw=2.2, zorder=4)
        L["y_tangent_3d"], = ax3.plot([], [], [], color=_Y_DARK, lw=2.2, zorder=4)
        L["point_3d"], = ax3.plot([], [], [], "o", color="k", ms=6, zorder=5)
        for ax, var, color, dark, key in ((axx, vx, _X_COLOR, _X_DARK, "x"),
                                          (axy, vy, _Y_COLOR, _Y_DARK, "y")):
            ax.set_xlabel(var, labelpad=1)
            ax.tick_params(labelsize=8)
            ax.grid(alpha=0.3)
            L[f"{key}_slice"], = ax.plot([], [], color=color, lw=2.2)
            L[f"{key}_tangent"], = ax.plot([], [], color=dark, lw=1.4, ls="--")
            L[f"point_{key}"], = ax.plot([], [], "o", color="k", ms=5, zorder=5)
        self.lines: dict[str, Any] = L
        self.titles = {"x": axx.set_title("", fontsize=9), "y": axy.set_title("", fontsize=9)}
        box = dict(boxstyle="round,pad=0.25", fc="white", ec="0.7", alpha=0.9)
        self.slope_text = {k: ax.text(0.03, 0.93, "", transform=ax.transAxes, va="top",
                                      fontsize=9, bbox=box) for k, ax in (("x", axx), ("y", axy))}
        self._error = ""
        self._draw_surface()
        self._wire()

    def _draw_surface(self) -> None:
        if self._surface is not None:
            self._surface.remove()
        self._surface = self.ax3d.plot_surface(self.X, self.Y, self.Z, cmap="viridis", alpha=0.55,
                                               linewidth=0, antialiased=False, zorder=1)
        self.zlim = _finite_range(self.Z)
        self.ax3d.set_zlim(*self.zlim)
        self.ax_x.set_xlim(*self.xlim)
        self.ax_y.set_xlim(*self.ylim)

    def update(self) -> None:
        self._error = ""
        if self._refresh_field():
            self._draw_surface()
        x0, y0, z0, (fx, fy) = self._point()
        vx, vy = (s.name for s in self.field.variables)
        L = self.lines
        zx = slice_curve(self.field.f, (x0, y0), 0, self.s_x)
        zy = slice_curve(self.field.f, (x0, y0), 1, self.s_y)
        L["x_slice"].set_data(self.s_x, zx)
        L["y_slice"].set_data(self.s_y, zy)
        L["x_tangent"].set_data(self.s_x, tangent_line(x0, z0, fx, self.s_x))
        L["y_tangent"].set_data(self.s_y, tangent_line(y0, z0, fy, self.s_y))
        self.ax_x.set_ylim(*_finite_range(np.append(zx, z0), pad=0.15))
        self.ax_y.set_ylim(*_finite_range(np.append(zy, z0), pad=0.15))
        L["point_x"].set_data([x0], [z0])
        L["point_y"].set_data([y0], [z0])
        L["x_slice_3d"].set_data_3d(self.s_x, np.full_like(self.s_x, y0), zx)
        L["y_slice_3d"].set_data_3d(np.full_like(self.s_y, x0), self.s_y, zy)
        rise = 0.35 * (self.zlim[1] - self.zlim[0])
        if np.isfinite([z0, fx, fy]).all():
            sx, tx = tangent_segment(x0, z0, fx, run=0.3 * (self.xlim[1] - self.xlim[0]), rise=rise)
            sy, ty = tangent_segment(y0, z0, fy, run=0.3 * (self.ylim[1] - self.ylim[0]), rise=rise)
        else:
            sx = tx = sy = ty = np.array([np.nan, np.nan])
        L["x_tangent_3d"].set_data_3d(sx, np.full(2, y0), tx)
        L["y_tangent_3d"].set_data_3d(np.full(2, x0), sy, ty)
        L["point_3d"].set_data_3d(np.array([x0]), np.array([y0]), np.array([z0]))
        self.titles["x"].set_text(f"x-slice: f({vx}, {vy}\u2080={y0:.2f}) against {vx}")
        self.titles["y"].set_text(f"y-slice: f({vx}\u2080={x0:.2f}, {vy}) against {vy}")
        self.slope_text["x"].set_text(f"slope = \u2202f/\u2202{vx} = {_fmt(fx)}")
        self.slope_text["y"].set_text(f"slope = \u2202f/\u2202{vy} = {_fmt(fy)}")
        if self._error:
            self.status.value = self._error
        elif not np.isfinite(z0):
            self.status.value = f"f is not defined at ({x0:.3g}, {y0:.3g})"
        else:
            self.status.value = (f"f({x0:.2f}, {y0:.2f}) = {z0:.4g}; "
                                 f"\u2202f/\u2202{vx} = {_fmt(fx)}, \u2202f/\u2202{vy} = {_fmt(fy)}")
        self.redraw()


def slice_explorer(expr_or_text: str | sp.Expr = DEFAULT_FORMULA,
                   variables: Sequence[str | sp.Symbol] = ("x", "y"), **kwargs: Any) -> SliceExplorer:
    """Pick a point (x0, y0) with sliders; see the x- and y-slices through the surface
    z = f(x, y) and their tangent lines, whose slopes are df/dx and df/dy at that point.

    Keyword arguments: ``point``, ``xlim``, ``ylim``, ``resolution``, ``figsize``.
    The formula box accepts text such as ``x**2*y + sin(y)`` (parsed safely, never eval'd).
    """
    return SliceExplorer(expr_or_text, variables, **kwargs)


# ---------------------------------------------------------------------------------------------
# The directional-derivative explorer
# ---------------------------------------------------------------------------------------------
class DirectionalExplorer(_FieldDashboard):
    """The gradient is the direction of steepest ascent.

    Left: contours of f, the point, the unit vector u at the chosen angle and the gradient's
    direction. Right: D_u f = grad f . u against the angle, peaking at atan2(df/dy, df/dx)
    with height |grad f|. Controls: ``formula``, ``x0``, ``y0``, ``angle`` (degrees).
    Moving artists: ``lines`` (``curve``, ``current``, ``peak``, ``cursor``, ``point``,
    ``level``) and the quivers ``u_arrow`` and ``grad_arrow``.
    """

    def __init__(self, expr_or_text: str | sp.Expr = DEFAULT_FORMULA,
                 variables: Sequence[str | sp.Symbol] = ("x", "y"), *,
                 point: Sequence[float] = (1.0, 0.5), angle: float = 0.0,
                 xlim: Sequence[float] = (-2.0, 2.0), ylim: Sequence[float] = (-2.0, 2.0),
                 resolution: int = 120, figsize: tuple[float, float] = (9.0, 4.2)) -> None:
        super().__init__(expr_or_text, variables, point, xlim, ylim, resolution)
        if not (np.isfinite(angle) and -180 <= angle <= 180):
            raise ValueError(f"angle must be in degrees within [-180, 180], got {angle!r}")
        self.controls["angle"] = W.FloatSlider(value=float(angle), min=-180, max=180, step=1,
                                               description="angle \u00b0", readout_format=".0f")
        vx, vy = (s.name for s in self.field.variables)
        self.degrees = np.linspace(-180, 180, 361)
        fig = self.figure = new_figure(figsize)
        ax_c, ax_d = self.ax_contour, self.ax_dd = fig.subplots(
            1, 2, gridspec_kw=dict(width_ratios=(1.0, 1.15), wspace=0.28, left=0.07, right=0.98,
                                   top=0.9, bottom=0.13))
        ax_c.set_xlim(*self.xlim), ax_c.set_ylim(*self.ylim), ax_c.set_aspect("equal")
        ax_c.set_xlabel(vx, labelpad=1), ax_c.set_ylabel(vy, labelpad=1)
        ax_c.set_title("contours of f, u and \u2207f", fontsize=9)
        self.arrow_length = 0.28 * min(self.xlim[1] - self.xlim[0], self.ylim[1] - self.ylim[0])
        self._contour = None
        L: dict[str, Any] = {}
        L["level"], = ax_c.plot([], [], color="0.15", lw=1.2, ls=":", zorder=3)
        L["point"], = ax_c.plot([], [], "o", color="k", ms=5, zorder=5)
        self.grad_arrow = ax_c.quiver([0], [0], [0], [0], angles="xy", scale_units="xy", scale=1,
                                      color="0.25", width=0.012, zorder=4, alpha=0.55)
        self.u_arrow = ax_c.quiver([0], [0], [0], [0], angles="xy", scale_units="xy", scale=1,
                                   color="#d62728", width=0.012, zorder=6)
        ax_d.set_xlim(-180, 180)
        ax_d.set_xticks(np.arange(-180, 181, 90))
        ax_d.set_xlabel("angle of u (degrees)", labelpad=1)
        ax_d.set_title(r"$D_u f = \nabla f \cdot u$ against the angle of u", fontsize=9)
        ax_d.axhline(0, color="0.6", lw=0.8)
        ax_d.grid(alpha=0.3)
        L["curve"], = ax_d.plot(self.degrees, np.zeros_like(self.degrees), color="#1f77b4", lw=2)
        L["peak"], = ax_d.plot([], [], "*", color="0.25", ms=13, zorder=5)
        L["cursor"] = ax_d.axvline(0, color="#d62728", lw=1, alpha=0.6)
        L["current"], = ax_d.plot([], [], "o", color="#d62728", ms=7, zorder=6)
        self.peak_text = ax_d.text(0.02, 0.97, "", transform=ax_d.transAxes, fontsize=8, va="top",
                                   bbox=dict(boxstyle="round,pad=0.25", fc="white", ec="0.7"))
        ax_c.legend(handles=[Line2D([], [], color="#d62728", lw=2.5, label="u (the angle)"),
                             Line2D([], [], color="0.45", lw=2.5, label="\u2207f / |\u2207f|"),
                             Line2D([], [], color="0.15", lw=1.2, ls=":", label="level curve")],
                    loc="lower left", fontsize=7, framealpha=0.9)
        self.lines: dict[str, Any] = L
        self._error = ""
        self._draw_contours()
        self._wire()

    def _draw_contours(self) -> None:
        if self._contour is not None:
            self._contour.remove()
        finite = np.isfinite(self.Z)
        if finite.sum() > 3 and np.ptp(self.Z[finite]) > 0:
            lo, hi = _finite_range(self.Z, pad=0.0)
            self._contour = self.ax_contour.contourf(self.X, self.Y, self.Z,
                                                     levels=np.linspace(lo, hi, 21),
                                                     cmap="viridis", alpha=0.75, zorder=1)
        else:
            self._contour = None

    def update(self) -> None:
        self._error = ""
        if self._refresh_field():
            self._draw_contours()
        x0, y0, z0, g = self._point()
        vx, vy = (s.name for s in self.field.variables)
        theta = np.deg2rad(float(self.controls["angle"].value))
        u = np.array([np.cos(theta), np.sin(theta)])
        L = self.lines
        ok = bool(np.isfinite(g).all() and np.isfinite(z0))
        norm = float(np.hypot(*g)) if ok else np.nan
        curve = directional_derivative(g, np.deg2rad(self.degrees)) if ok \
            else np.full_like(self.degrees, np.nan)
        L["curve"].set_ydata(curve)
        d_now = float(directional_derivative(g, theta)) if ok else np.nan
        L["current"].set_data([np.rad2deg(theta)], [d_now])
        L["cursor"].set_xdata([np.rad2deg(theta)] * 2)
        top = 1.4 * norm if ok and norm > 0 else 1.0
        self.ax_dd.set_ylim(-top, top)
        L["point"].set_data([x0], [y0])
        self.u_arrow.set_offsets([[x0, y0]])
        self.u_arrow.set_UVC([self.arrow_length * u[0]], [self.arrow_length * u[1]])
        if ok and norm > 0:
            star = steepest_ascent_angle(g)
            direction = g / norm
            self.grad_arrow.set_offsets([[x0, y0]])
            self.grad_arrow.set_UVC([self.arrow_length * direction[0]],
                                    [self.arrow_length * direction[1]])
            ends = np.array([-1.0, 1.0]) * 0.8 * self.arrow_length
            L["level"].set_data(x0 - direction[1] * ends, y0 + direction[0] * ends)
            L["peak"].set_data([np.rad2deg(star)], [norm])
            self.peak_text.set_text(f"\u2605 peak: |\u2207f| = {norm:.3g} at "
                                    f"{np.rad2deg(star):.1f}\u00b0\n\u25cf now: D$_u$f = {d_now:.3g}")
            message = (f"D<sub>u</sub>f = \u2207f\u00b7u = {d_now:.4g} at {np.rad2deg(theta):.0f}\u00b0; "
                       f"steepest ascent at atan2(\u2202f/\u2202{vy}, \u2202f/\u2202{vx}) = "
                       f"{np.rad2deg(star):.1f}\u00b0, where D<sub>u</sub>f = |\u2207f| = {norm:.4g}")
        else:
            self.grad_arrow.set_UVC([0.0], [0.0])
            L["level"].set_data([], [])
            L["peak"].set_data([], [])
            self.peak_text.set_text("")
            message = ("critical point: \u2207f = 0, so D<sub>u</sub>f = 0 in every direction"
                       if ok else f"f is not differentiable or not defined at ({x0:.3g}, {y0:.3g})")
        self.status.value = self._error or message
        self.redraw()


def directional_explorer(expr_or_text: str | sp.Expr = DEFAULT_FORMULA,
                         variables: Sequence[str | sp.Symbol] = ("x", "y"),
                         **kwargs: Any) -> DirectionalExplorer:
    """An angle slider for the unit vector u at a point: D_u f = grad f . u plotted against the
    angle peaks, at height |grad f|, where u points along the gradient (atan2(df/dy, df/dx)).

    Keyword arguments: ``point``, ``angle`` (degrees), ``xlim``, ``ylim``, ``resolution``,
    ``figsize``.
    """
    return DirectionalExplorer(expr_or_text, variables, **kwargs)


# ---------------------------------------------------------------------------------------------
# Finite differences: the error-versus-h picture
# ---------------------------------------------------------------------------------------------
EPS = float(np.finfo(np.float64).eps)
#: One-variable test functions for the step-size explorer (text for ``symbolic.parse``, in x).
#: The first is the classic test function of the complex-step literature (Squire and Trapp
#: 1998; Martins et al. 2003); all are analytic, so the complex step applies. Each comes with a point where it is worth looking.
STEP_FUNCTIONS: dict[str, float] = {
    "exp(x)/sqrt(sin(x)**3 + cos(x)**3)": 1.5,
    "exp(x)": 1.0,
    "sin(x)": 1.0,
    "x**3 - 2*x": 1.0,
    "1/(1 + exp(-x))": 0.5,
    "log(1 + x**2)": 2.0,
}
#: Steps drawn by default: 20 per decade from 1e-18 to 10^-0.5.
DEFAULT_HS = np.logspace(-18, -0.5, 351)
#: Bottom of the error axis. An error of exactly 0 (the complex step often gets f'(x) exact
#: to the last bit) is drawn at half the spacing of floats near f'(x), the resolution limit.
ERROR_FLOOR = 1e-17
_ORDER = {"forward": 1, "backward": 1, "central": 2, "complex": 2}


class StepModel(NamedTuple):
    """The two error terms of a difference quotient, each an array over the steps h."""

    truncation: np.ndarray
    rounding: np.ndarray

    @property
    def total(self) -> np.ndarray:
        """truncation + rounding: the U-shaped model of the error."""
        return self.truncation + self.rounding


def _check_derivatives(derivatives: Any) -> np.ndarray:
    try:
        d = np.array(derivatives, dtype=float)
    except (TypeError, ValueError):
        raise ValueError(f"derivatives must be four numbers (f, f', f'', f''') at x, "
                         f"got {derivatives!r}") from None
    if d.shape != (4,) or not np.isfinite(d).all():
        raise ValueError(f"derivatives must be four finite numbers (f, f', f'', f''') at x, "
                         f"got {derivatives!r}")
    return d


def step_error_model(method: str, hs: ArrayLike, derivatives: Sequence[float]) -> StepModel:
    """Leading-order model of the error of a difference quotient with step h.

        forward, backward:  truncation = h |f''| / 2        rounding = eps |f| / h
        central:            truncation = h^2 |f'''| / 6     rounding = eps |f| / h
        complex:            truncation = h^2 |f'''| / 6     rounding = eps |f'|  (flat: nothing
                                                            is subtracted, so nothing cancels)

    ``derivatives`` = (f(x), f'(x), f''(x), f'''(x)); eps = 2.2e-16 (float64). Truncation is
    the first Taylor term the quotient gets wrong; rounding is what the cancellation in
    f(x + h) - f(x) costs once divided by h. The model assumes |x| of order 1.
    """
    method = check.one_of("method", method, METHODS)
    f0, d1, d2, d3 = _check_derivatives(derivatives)
    h = np.asarray(hs, dtype=float)
    if h.size == 0 or not (np.isfinite(h).all() and (h > 0).all()):
        raise ValueError(f"hs must be positive finite steps, got {hs!r}")
    if method in ("forward", "backward"):
        truncation = h * abs(d2) / 2
    else:
        truncation = h**2 * abs(d3) / 6
    if method == "complex":
        rounding = np.full_like(h, EPS * abs(d1))
    else:
        rounding = EPS * abs(f0) / h
    return StepModel(truncation, rounding)


def optimal_step(method: str, derivatives: Sequence[float]) -> float:
    """The h that minimizes ``step_error_model(method, h, derivatives).total``.

        forward, backward:  h* = sqrt(2 eps |f| / |f''|)         (about sqrt(eps) = 1.5e-8)
        central:            h* = (3 eps |f| / |f'''|)^(1/3)       (about eps^(1/3) = 6e-6)
        complex:            the model has no minimum: every h below
                            h* = sqrt(6 eps |f'| / |f'''|) is as good (the error has reached
                            eps |f'|), and that largest such h is returned.

    Raises ValueError when the derivative the formula divides by is 0 (then the next Taylor
    term dominates and this model says nothing).
    """
    method = check.one_of("method", method, METHODS)
    f0, d1, d2, d3 = _check_derivatives(derivatives)
    if method in ("forward", "backward"):
        if d2 == 0:
            raise ValueError("derivatives: f''(x) is 0, so the forward/backward model has no "
                             "truncation term; its optimal step is undefined")
        return float(np.sqrt(2 * EPS * abs(f0) / abs(d2)))
    if d3 == 0:
        raise ValueError(f"derivatives: f'''(x) is 0, so the {method} model has no truncation "
                         f"term; its optimal step is undefined")
    if method == "central":
        return float(np.cbrt(3 * EPS * abs(f0) / abs(d3)))
    return float(np.sqrt(6 * EPS * abs(d1) / abs(d3)))


class Function1D(NamedTuple):
    """A function of one variable x with its exact derivatives, compiled for NumPy.

    ``f`` accepts complex input (the complex step needs it); ``derivatives(x)`` returns
    (f, f', f'', f''') at x from SymPy.
    """

    expr: sp.Expr
    f: Callable[[Any], Any]
    d: tuple[Callable[[Any], np.ndarray], ...]

    def derivatives(self, x: float) -> np.ndarray:
        """(f(x), f'(x), f''(x), f'''(x)), exact up to rounding."""
        with np.errstate(all="ignore"):
            return np.array([float(np.real(self.f(x)))] + [float(g(x)) for g in self.d])


def function1d(expr_or_text: str | sp.Expr) -> Function1D:
    """Compile a formula in the single variable x, with its first three exact derivatives."""
    (x,) = symbolic.symbols(["x"])
    if isinstance(expr_or_text, str):
        expr = symbolic.parse(expr_or_text, [x])
    elif isinstance(expr_or_text, sp.Basic):
        expr = sp.sympify(expr_or_text)
        extra = sorted(s.name for s in expr.free_symbols if s.name != "x")
        if extra:
            raise ValueError(f"expr_or_text must be a function of x alone, it also uses {extra}")
        expr = expr.subs({s: x for s in expr.free_symbols})
    else:
        raise ValueError(f"expr_or_text must be a formula string or a SymPy expression, "
                         f"got {type(expr_or_text).__name__}")
    raw = symbolic.lambdify(expr, [x])

    def f(value: Any) -> Any:
        with np.errstate(all="ignore"):
            return raw(value)

    d = tuple(symbolic.lambdify(symbolic.partial(expr, x, k), [x]) for k in (1, 2, 3))
    return Function1D(expr, f, d)


def _errors_for_plot(errors: np.ndarray, exact: float) -> np.ndarray:
    """Zeros drawn at half a float spacing of f'(x) (below it nothing is resolvable), at least
    ERROR_FLOOR; overflowed (inf) entries left out of the line."""
    floor = max(float(np.spacing(abs(exact))) / 2, ERROR_FLOOR)
    out = np.where(errors == 0, floor, np.asarray(errors, dtype=float))
    out[~np.isfinite(out)] = np.nan
    return out


class StepErrorPlot(NamedTuple):
    """What ``plot_step_errors`` drew, so a caller can annotate it or an explorer move it.

    ``curves[m]``: error against h for method m; ``defaults[m]``: a marker at
    ``numeric.default_step(m, x)``; ``models[m]``: the dashed (truncation, rounding) model
    lines; ``errors[m]``: the raw errors from ``numeric.step_errors`` over ``hs``.
    """

    ax: Axes
    hs: np.ndarray
    curves: dict[str, Line2D]
    defaults: dict[str, Line2D]
    models: dict[str, tuple[Line2D, Line2D]]
    errors: dict[str, np.ndarray]


def step_error_curves(fn: Function1D, x: float, hs: np.ndarray,
                      methods: Sequence[str]) -> dict[str, np.ndarray]:
    """|D_h f(x) - f'(x)| over hs for each method, from ``numeric.step_errors``."""
    exact = fn.derivatives(x)[1]
    with np.errstate(all="ignore"):
        return {m: numeric.step_errors(fn.f, x, exact, hs, m) for m in methods}


def _model_data(method: str, hs: np.ndarray, derivs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    model = step_error_model(method, hs, derivs)
    trunc = np.where(model.truncation > 0, model.truncation, np.nan)
    rnd = np.where(model.rounding > 0, model.rounding, np.nan)
    return trunc, rnd


def plot_step_errors(expr_or_text: str | sp.Expr, x: float, *,
                     methods: Sequence[str] = METHODS, hs: ArrayLike | None = None,
                     models: Sequence[str] = (), ax: Axes | None = None) -> StepErrorPlot:
    """The error-versus-h U-curve of each difference method on log-log axes.

        error(h) = |D_h f(x) - f'(x)|   (numeric.step_errors; f' exact from SymPy)

    Right of each curve's minimum the truncation error rules (slope 1 for forward/backward,
    2 for central and complex); left of it rounding error (slope -1), except for the complex
    step, which stays at machine precision. A triangle marks ``numeric.default_step`` on each
    curve; ``models`` lists methods whose dashed model lines (``step_error_model``) are drawn.
    Errors of exactly 0 are drawn at half the float spacing of f'(x) (nothing below that is
    resolvable); the axis reaches down to ERROR_FLOOR.
    """
    fn = function1d(expr_or_text)
    x = check.real("x", x)
    methods = [check.one_of("method", m, METHODS) for m in methods]
    models = [check.one_of("method", m, METHODS) for m in models]
    hs = DEFAULT_HS if hs is None else np.asarray(hs, dtype=float)
    if ax is None:
        import matplotlib.pyplot as plt
        _, ax = plt.subplots(figsize=(8, 4.5), layout="constrained")
    errors = step_error_curves(fn, x, hs, methods)
    derivs = fn.derivatives(x)
    curves, defaults, model_lines = {}, {}, {}
    for m in methods:
        color = METHOD_COLORS[m]
        curves[m], = ax.loglog(hs, _errors_for_plot(errors[m], derivs[1]), color=color, lw=1.8, label=m,
                               alpha=0.9, ls="-" if m != "backward" else (0, (4, 1.5)))
        h0 = float(numeric.default_step(m, x))
        with np.errstate(all="ignore"):
            e0 = _errors_for_plot(numeric.step_errors(fn.f, x, derivs[1], [h0], m), derivs[1])[0]
        defaults[m], = ax.loglog([h0], [e0], "v", color=color, ms=8, mec="k", mew=0.6, zorder=5)
    for m in models:
        trunc, rnd = _model_data(m, hs, derivs)
        color = METHOD_COLORS[m]
        model_lines[m] = (ax.loglog(hs, trunc, ls="--", lw=1, color=color, alpha=0.7)[0],
                          ax.loglog(hs, rnd, ls=":", lw=1.2, color=color, alpha=0.8)[0])
    ax.set_xlim(hs.min(), hs.max())
    ax.set_ylim(ERROR_FLOOR / 3, 1e2)
    ax.set_xlabel("step h")
    ax.set_ylabel("|error| of the estimate of f'(x)")
    ax.grid(True, which="major", alpha=0.3)
    return StepErrorPlot(ax, hs, curves, defaults, model_lines, errors)


class StepSizeExplorer(Dashboard):
    """Choose a function, a point, a method and the step h; see the U-curve with h marked.

    Controls: ``function`` (dropdown of STEP_FUNCTIONS), ``x0``, ``method`` and ``log10_h``.
    Artists: ``plot`` (a StepErrorPlot: all four curves, the chosen one bold, default-step
    triangles, model lines of the chosen method) and ``lines["current"]`` (the chosen h on the
    chosen curve) and ``lines["cursor"]`` (a vertical line at h).
    """

    def __init__(self, function: str = next(iter(STEP_FUNCTIONS)), x0: float | None = None, *,
                 method: str = "central", h: float = 1e-3,
                 figsize: tuple[float, float] = (8.0, 4.3)) -> None:
        super().__init__()
        check.one_of("function", function, STEP_FUNCTIONS)
        method = check.one_of("method", method, METHODS)
        x0 = STEP_FUNCTIONS[function] if x0 is None else float(x0)
        if not (np.isfinite(x0) and -3 <= x0 <= 3):
            raise ValueError(f"x0 must lie in [-3, 3], got {x0!r}")
        if not (np.isfinite(h) and 1e-18 <= h <= 10**-0.5):
            raise ValueError(f"h must lie in [1e-18, 10**-0.5], got {h!r}")
        self.controls["function"] = W.Dropdown(options=list(STEP_FUNCTIONS), value=function,
                                               description="f(x) =")
        self.controls["x0"] = W.FloatSlider(value=x0, min=-3, max=3, step=0.05, description="x\u2080",
                                            readout_format=".2f", continuous_update=False)
        self.controls["method"] = W.Dropdown(options=list(METHODS), value=method, description="method")
        self.controls["log10_h"] = W.FloatSlider(value=float(np.log10(h)), min=-18, max=-0.5,
                                                 step=0.25, description="log\u2081\u2080 h",
                                                 readout_format=".2f")
        self.figure = new_figure(figsize)
        ax = self.figure.add_axes((0.09, 0.12, 0.64, 0.8))
        self.plot = plot_step_errors(function, x0, models=METHODS, ax=ax)
        handles = [*self.plot.curves.values(),
                   Line2D([], [], ls="--", color="0.3", lw=1, label="truncation model"),
                   Line2D([], [], ls=":", color="0.3", lw=1.2, label="rounding model"),
                   Line2D([], [], ls="", marker="v", color="0.5", mec="k", label="default_step"),
                   Line2D([], [], ls="", marker="o", mfc="none", mew=2, color="k", label="your h")]
        self.figure.legend(handles=handles, loc="upper left", bbox_to_anchor=(0.75, 0.93),
                           fontsize=8, frameon=False)
        L: dict[str, Any] = {}
        L["cursor"] = ax.axvline(h, color="0.3", lw=1, alpha=0.6)
        L["current"], = ax.loglog([h], [1.0], "o", ms=9, mfc="none", mew=2, color="k", zorder=6)
        self.lines = L
        self.readout = self.figure.text(0.755, 0.12, "", fontsize=8, va="bottom", family="monospace",
                                        bbox=dict(boxstyle="round,pad=0.4", fc="white", ec="0.7"))
        self.fn = function1d(function)
        self._state: tuple[str, float] = (function, x0)
        self._wire()

    def update(self) -> None:
        function, x0 = self.controls["function"].value, float(self.controls["x0"].value)
        method = self.controls["method"].value
        h = float(10 ** self.controls["log10_h"].value)
        plot = self.plot
        try:
            if (function, x0) != self._state:
                self.fn = function1d(function)
                errors = step_error_curves(self.fn, x0, plot.hs, METHODS)
                plot.errors.update(errors)
                self._state = (function, x0)
            derivs = self.fn.derivatives(x0)
            with np.errstate(all="ignore"):
                estimate = numeric.derivative(self.fn.f, x0, h, method)
                error_now = float(numeric.step_errors(self.fn.f, x0, derivs[1], [h], method)[0])
        except ValueError as err:   # f not finite near x0 for some step
            self.status.value = f"Cannot evaluate here: {html.escape(str(err))}"
            self.redraw()
            return
        for m in METHODS:
            line = plot.curves[m]
            line.set_ydata(_errors_for_plot(plot.errors[m], derivs[1]))
            chosen = m == method
            line.set_linewidth(2.6 if chosen else 1.2)
            line.set_alpha(1.0 if chosen else 0.3)
            line.set_zorder(4 if chosen else 2)
            h0 = float(numeric.default_step(m, x0))
            with np.errstate(all="ignore"):
                e0 = numeric.step_errors(self.fn.f, x0, derivs[1], [h0], m)
            plot.defaults[m].set_data([h0], _errors_for_plot(e0, derivs[1]))
            plot.defaults[m].set_alpha(1.0 if chosen else 0.3)
            trunc, rnd = _model_data(m, plot.hs, derivs)
            plot.models[m][0].set_ydata(trunc)
            plot.models[m][1].set_ydata(rnd)
            for model_line in plot.models[m]:
                model_line.set_visible(chosen)
        self.lines["cursor"].set_xdata([h, h])
        self.lines["current"].set_data([h], _errors_for_plot(np.array([error_now]), derivs[1]))
        self.lines["current"].set_color(METHOD_COLORS[method])
        best = float(plot.hs[np.nanargmin(np.where(np.isfinite(plot.errors[method]),
                                                   plot.errors[method], np.nan))])
        self.readout.set_text(f"{method}, h = {h:.1e}\n"
                              f"estimate {estimate:.10g}\n"
                              f"exact    {derivs[1]:.10g}\n"
                              f"error    {error_now:.1e}\n\n"
                              f"best h on this curve\n"
                              f"         {best:.0e}")
        self.plot.ax.set_title(f"f(x) = {function},  x = {x0:.2f}", fontsize=9)
        self.status.value = (f"{method}: default_step = {float(numeric.default_step(method, x0)):.1e} "
                             f"(\u25bc); smallest error on this curve at h \u2248 {best:.0e}")
        self.redraw()


def step_size_explorer(function: str = next(iter(STEP_FUNCTIONS)), x0: float | None = None,
                       **kwargs: Any) -> StepSizeExplorer:
    """The error of a difference quotient against the step h: pick a function (STEP_FUNCTIONS),
    a point, a method (forward, backward, central, complex) and h; the current h is marked on
    its U-shaped curve, with the rule-of-thumb ``numeric.default_step`` as a triangle.

    Keyword arguments: ``method``, ``h``, ``figsize``.
    """
    return StepSizeExplorer(function, x0, **kwargs)


# ---------------------------------------------------------------------------------------------
# Gradient checking: the relative-error bands
# ---------------------------------------------------------------------------------------------
#: Rule-of-thumb verdicts for the PER-ENTRY relative error |a - n| / max(|a|, |n|) of a float64
#: central-difference gradient check, as in Stanford's CS231n notes (the largest over the
#: entries: numeric.entry_rel_errors(a, n).max()): (name, lower bound, upper bound, color).
#: Colors run light blue -> yellow -> orange (no red-green contrast); each band is also named.
ERROR_BANDS: tuple[tuple[str, float, float, str], ...] = (
    ("right", 0.0, 1e-7, "#deebf7"),
    ("fine only near kinks", 1e-7, 1e-4, "#fff7bc"),
    ("suspicious", 1e-4, 1e-2, "#fdd0a2"),
    ("wrong", 1e-2, np.inf, "#fdae6b"),
)


def error_band(rel: float) -> str:
    """The CS231n verdict for a per-entry relative error |a - n| / max(|a|, |n|) (ERROR_BANDS):

        rel < 1e-7 right;  1e-7 <= rel < 1e-4 fine only near kinks (ReLU, max, abs);
        1e-4 <= rel < 1e-2 suspicious;  rel >= 1e-2 wrong
    """
    check.real("rel", rel, "a relative error: a number >= 0", lambda v: v >= 0, finite=False)
    for name, lo, hi, _ in ERROR_BANDS:
        if lo <= rel < hi:
            return name
    return ERROR_BANDS[-1][0]       # rel = inf


class BandPlot(NamedTuple):
    """What ``plot_error_bands`` drew: the axes, one marker line, the band patches."""

    ax: Axes
    points: Line2D
    bands: list[Any]


def plot_error_bands(results: Mapping[str, float], ax: Axes | None = None, *,
                     xlim: tuple[float, float] = (1e-13, 1.0),
                     label: str = "largest per-entry relative error") -> BandPlot:
    """Relative errors of several gradient checks as dots over the colored ERROR_BANDS.

    ``results`` maps a label ("float32, h = 1e-6") to its relative error; one row each, top
    to bottom in the given order. The bands are CS231n's, stated for the per-entry error
    max_i |a_i - n_i| / max(|a_i|, |n_i|) (numeric.entry_rel_errors(a, n).max()), which is what
    the x-axis says. ``label`` names the dots (``points.get_label()``, for a legend). Errors of
    0 are drawn at the left edge.
    """
    if not isinstance(label, str) or not label:
        raise ValueError(f"label must be a non-empty string naming the dots, got {label!r}")
    if not isinstance(results, Mapping) or not results:
        raise ValueError(f"results must be a non-empty mapping label -> relative error, "
                         f"got {results!r}")
    values = np.array([float(v) for v in results.values()])
    if not (values >= 0).all():
        raise ValueError(f"results must hold relative errors >= 0, got {dict(results)!r}")
    lo, hi = check.interval("xlim", xlim)
    if lo <= 0:
        raise ValueError(f"xlim must be positive for a log axis, got {xlim!r}")
    if ax is None:
        import matplotlib.pyplot as plt
        _, ax = plt.subplots(figsize=(8, 0.6 + 0.45 * len(values)), layout="constrained")
    bands = []
    for name, b_lo, b_hi, color in ERROR_BANDS:
        left, right = max(b_lo, lo), min(b_hi, hi)
        bands.append(ax.axvspan(left, right, color=color, zorder=0))
        ax.text(np.sqrt(left * right), 1.01, textwrap.fill(name, 12), transform=ax.get_xaxis_transform(),
                ha="center", va="bottom", fontsize=8, linespacing=1.0)     # wrapped: never overlapping
    rows = np.arange(len(values))[::-1]
    shown = np.clip(values, lo, hi)
    points, = ax.semilogx(shown, rows, "o", color="k", ms=7, zorder=3, label=label)
    for value, row in zip(values, rows):
        ax.annotate(f"{value:.1e}", (min(max(value, lo), hi), row), xytext=(7, 0),
                    textcoords="offset points", va="center", fontsize=8)
    ax.set_yticks(rows, list(results))
    ax.set_ylim(-0.6, len(values) - 0.4)
    ax.set_xlim(lo, hi)
    ax.set_xlabel("per-entry relative error  |a - n| / max(|a|, |n|)   (a: analytic, n: numeric)")
    ax.grid(True, axis="x", alpha=0.3)
    return BandPlot(ax, points, bands)
