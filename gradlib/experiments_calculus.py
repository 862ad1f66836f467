"""The pure part of notebooks 01-02's explorers (no widgets imported): fields, slices, tangents,
directional derivatives, the error of a difference quotient against its step h, and what each
explorer draws.

Fields and slices (notebook 01)
    field2d(expr_or_text, variables)          f(x, y) and its gradient as NumPy functions
    slice_curve(f, point, axis, values)       g(s) = f(x0, ..., s, ..., xn): one coordinate moves
    tangent_line(at, value, slope, values)    value + slope * (values - at)
    tangent_segment(at, value, slope, ...)    a short piece of that line that fits in a window
    secant_steps(at, lim, n)                  the steps h of Play's secants, shrinking to 0
    directional_derivative(grad, angles)      D_u f = grad f . (cos a, sin a)
    steepest_ascent_angle(grad)               atan2(df/dy, df/dx)

Finite differences (notebook 02)
    function1d(expr_or_text)                  f(x) (complex-capable) and f', f'', f''' exact
    step_error_model(method, hs, derivs)      truncation + rounding model of the error
    optimal_step(method, derivs)              the h that minimizes that model
    step_error_curves(fn, x, hs, methods)     |D_h f(x) - f'(x)| measured (numeric.step_errors)
    error_band(rel)                           a gradient check's verdict: wrong ... right

What the explorers draw (settings -> gradlib.scene.Frame, over a Scene rendered once)
    SliceSettings, slice_frame, slice_view        the surface, its x- and y-slices, tangents and
                                                  (Play) secants that turn into the tangents
    DirectionalSettings, directional_frame, ...   contours, u and grad f, D_u f against the angle
                                                  (Play turns u once around the circle)
    StepSettings, step_frame, step_scene          the U-curves of the error against h (Play
                                                  walks the chosen curve from large h to small)

The numbers come from gradlib.symbolic (exact partials) and gradlib.numeric (finite
differences); the frames only arrange them.
"""
from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, NamedTuple

import numpy as np
import sympy as sp
from numpy.typing import ArrayLike

from . import _checks as check
from . import numeric, symbolic
from .scene import Frame, Layer, Panel, Scene, scene_from_figure

__all__ = [
    "Field2D", "field2d", "slice_curve", "tangent_line", "tangent_segment", "secant_steps",
    "directional_derivative", "steepest_ascent_angle", "arrow_xy",
    "EPS", "STEP_FUNCTIONS", "METHODS", "METHOD_COLORS", "DEFAULT_HS", "ERROR_FLOOR",
    "StepModel", "step_error_model", "optimal_step", "Function1D", "function1d",
    "step_error_curves", "errors_for_plot", "ERROR_BANDS", "error_band",
    "Projector", "margin_panel", "panel_point",
    "DEFAULT_FORMULA", "FieldSettings", "SLICE_SAMPLES", "SECANT_STEPS", "SliceSettings",
    "SliceView", "slice_view",
    "slice_frame", "ANGLE_STEPS", "DirectionalSettings", "DirectionalView", "directional_view",
    "directional_frame", "StepSettings", "step_scene", "step_frame", "EXPLORER_HS",
]

DEFAULT_FORMULA = "x**2*y + sin(y)"


# ---------------------------------------------------------------------------------------------
# Fields, slices, tangents, directional derivatives
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


@lru_cache(maxsize=32)
def _field(formula: str | sp.Expr, variables: tuple[str, ...]) -> Field2D:
    """``field2d``, compiled once per (formula, variables)."""
    return field2d(formula, variables)


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
        return np.asarray(np.broadcast_to(f(*args), s.shape), dtype=float)


def tangent_line(at: float, value: float, slope: float, values: ArrayLike) -> np.ndarray:
    """The tangent line through (at, value) with the given slope:  t(s) = value + slope * (s - at)."""
    with np.errstate(all="ignore"):
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


def secant_steps(at: float, lim: Sequence[float], n: int) -> np.ndarray:
    """The n steps h of Play's secants through (at, f(at)) and (at + h, f(at + h)), shrinking
    geometrically from 0.9 of the room to the window's far side down to 1/1000 of that:

        h_k = sign * 0.9 * room * 1000**(-k / (n - 1)),   k = 0 .. n-1

    sign = +1 (h > 0) when there is at least as much room to the right of ``at`` inside ``lim``
    as to the left, else -1. The secant's slope (f(at + h) - f(at)) / h is the difference
    quotient of notebook 01's limit definition (h may approach 0 from either side).
    """
    lo, hi = check.interval("lim", lim)
    at = check.real("at", at, f"a finite number inside lim = {(lo, hi)}", lambda v: lo <= v <= hi)
    n = check.integer("n", n, 2)
    right, left = hi - at, at - lo
    sign, room = (1.0, right) if right >= left else (-1.0, left)
    return sign * 0.9 * room * np.geomspace(1.0, 1e-3, n)


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


def arrow_xy(tail: ArrayLike, vector: ArrayLike, head: float = 0.25) -> np.ndarray:
    """An arrow from ``tail`` along ``vector`` as one polyline with a break (NaN row):

        tail, tip, NaN, tip + R(+150 deg) w, tip, tip + R(-150 deg) w,   w = head * vector

    (the shaft, then the two barbs of the head). Shape (6, 2); a zero vector draws nothing
    visible (every point is the tail).
    """
    p, v = np.asarray(tail, dtype=float), np.asarray(vector, dtype=float)
    if p.shape != (2,) or v.shape != (2,):
        raise ValueError(f"tail and vector must be 2-D points, got shapes {p.shape} and {v.shape}")
    tip = p + v
    c, s = math.cos(math.radians(150.0)), math.sin(math.radians(150.0))
    w = head * v
    left = tip + np.array([c * w[0] - s * w[1], s * w[0] + c * w[1]])
    right = tip + np.array([c * w[0] + s * w[1], -s * w[0] + c * w[1]])
    return np.array([p, tip, [np.nan, np.nan], left, tip, right])


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


def _fmt(v: float, digits: int = 4) -> str:
    """A number for a status line or a read-out; "undefined" where it is not finite (never nan)."""
    return f"{v:.{digits}g}" if np.isfinite(v) else "undefined"


# ---------------------------------------------------------------------------------------------
# Finite differences: models of the error against h
# ---------------------------------------------------------------------------------------------
EPS = float(np.finfo(np.float64).eps)
#: Finite-difference methods in the order the notebooks introduce them (numeric.METHODS).
METHODS: tuple[str, ...] = tuple(numeric.METHODS)
#: One color per method, shared by every picture of finite differences: Okabe-Ito colours
#: (blue, sky blue, orange, reddish purple), told apart with colour-vision deficiencies too.
METHOD_COLORS = {"forward": "#0072b2", "backward": "#56b4e9", "central": "#e69f00",
                 "complex": "#cc79a7"}
#: One-variable test functions for the step-size explorer (text for ``symbolic.parse``, in x).
#: The first is the classic test function of the complex-step literature (Squire and Trapp
#: 1998; Martins et al. 2003); all are analytic, so the complex step applies. Each comes with a
#: point where it is worth looking.
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


@lru_cache(maxsize=32)
def _function(expr_or_text: str | sp.Expr) -> Function1D:
    """``function1d``, compiled once per formula."""
    return function1d(expr_or_text)


def step_error_curves(fn: Function1D, x: float, hs: np.ndarray,
                      methods: Sequence[str]) -> dict[str, np.ndarray]:
    """|D_h f(x) - f'(x)| over hs for each method, from ``numeric.step_errors``."""
    exact = fn.derivatives(x)[1]
    with np.errstate(all="ignore"):
        return {m: numeric.step_errors(fn.f, x, exact, hs, m) for m in methods}


def errors_for_plot(errors: np.ndarray, exact: float) -> np.ndarray:
    """Errors as a log axis can show them: zeros drawn at half a float spacing of f'(x) (below
    it nothing is resolvable), at least ERROR_FLOOR; overflowed (inf) entries become NaN (a gap
    in the line)."""
    floor = max(float(np.spacing(abs(exact))) / 2, ERROR_FLOOR)
    out = np.where(errors == 0, floor, np.asarray(errors, dtype=float))
    out[~np.isfinite(out)] = np.nan
    return out


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


# ---------------------------------------------------------------------------------------------
# Scene helpers: panels with a margin for legends and read-outs, a 3-D projection
# ---------------------------------------------------------------------------------------------
def margin_panel(name: str, ax: Any, fig_height: float, right: float = 0.0) -> Panel:
    """An image panel for the 2-D axes ``ax`` whose box reaches ``right`` pixels beyond the axes'
    right edge: the page draws a panel's legend at its top right, so legends (and read-outs
    placed with ``panel_point``) sit in that margin, off the data. The x-limits grow in the same
    proportion, so data -> pixel is that of the axes:

        x1' = x1 + (x1 - x0) * right / width          (in log10 x for a log axis)

    ``fig_height`` is the figure's height in pixels (the scene measures from the top)."""
    box = ax.get_window_extent()
    xlog, ylog = ax.get_xscale() == "log", ax.get_yscale() == "log"
    x0, x1 = ax.get_xlim()
    if xlog:
        u0, u1 = math.log10(x0), math.log10(x1)
        x1 = 10.0 ** (u1 + (u1 - u0) * right / box.width)
    else:
        x1 = x1 + (x1 - x0) * right / box.width
    return Panel(name, "image", (box.x0, fig_height - box.y1, box.width + right, box.height),
                 (x0, x1), tuple(ax.get_ylim()), xlog, ylog)


def panel_point(panel: Panel, px: float, py: float) -> tuple[float, float]:
    """The data coordinates of the pixel (px, py) of ``panel``, counted from its top left
    (the inverse of the page's data -> pixel map; log10 on log axes)."""
    _, _, w, h = panel.bbox

    def at(lim: tuple[float, float], log: bool, frac: float) -> float:
        lo, hi = (math.log10(v) for v in lim) if log else lim
        v = lo + frac * (hi - lo)
        return 10.0 ** v if log else v

    return at(panel.xlim, panel.xlog, px / w), at(panel.ylim, panel.ylog, 1.0 - py / h)


@dataclass(frozen=True, eq=False)
class Projector:
    """3-D data -> picture pixels, as a drawn matplotlib Axes3D maps them:

        (u, v, w, s) = M (x, y, z, 1)         M = ax.M, the axes' projection (set when drawn)
        (p, q, 1)    = A (u / s, v / s, 1)    A = the affine of ax.transData (pixels, bottom-left)

    ``project(x, y, z)`` gives (k, 2) pixel coordinates (non-finite input stays non-finite), the
    data of a panel whose limits are its pixel box (``slice_view``'s "surface")."""

    M: np.ndarray
    A: np.ndarray

    @classmethod
    def of(cls, ax: Any) -> Projector:
        """The projection of a drawn Axes3D."""
        return cls(np.array(ax.M, dtype=float), np.array(ax.transData.get_affine().get_matrix(),
                                                         dtype=float))

    def project(self, x: ArrayLike, y: ArrayLike, z: ArrayLike) -> np.ndarray:
        xs, ys, zs = np.broadcast_arrays(*(np.asarray(v, dtype=float) for v in (x, y, z)))
        vec = np.stack([xs.ravel(), ys.ravel(), zs.ravel(), np.ones(xs.size)])
        with np.errstate(all="ignore"):
            u, v, _, s = self.M @ vec
            u, v = u / s, v / s
            return np.column_stack([self.A[0, 0] * u + self.A[0, 1] * v + self.A[0, 2],
                                    self.A[1, 0] * u + self.A[1, 1] * v + self.A[1, 2]])


def _text_layer(panel: Panel, px: float, py: float, texts: Sequence[str], reveal: str,
                style: dict[str, Any]) -> Layer:
    """Texts at one place of a panel (pixels from its top left): one for "all", one per step
    for "at"."""
    xy = np.tile(panel_point(panel, px, py), (len(texts), 1))
    return Layer(panel.name, xy, "text", reveal, style, texts=list(texts))


def _text_x(margin: float) -> Callable[[Panel], float]:
    """Where read-outs start in a ``margin_panel`` with ``margin`` pixels: just right of the axes."""
    return lambda panel: panel.bbox[2] - margin + 10.0


def _chunks(pieces: Sequence[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """(points, offsets) of a segments-per-step layer whose step t draws ``pieces[t]``."""
    sizes = [len(p) for p in pieces]
    return np.concatenate([np.asarray(p, dtype=float).reshape(-1, 2) for p in pieces]), \
        np.concatenate([[0], np.cumsum(sizes)]).astype(float)


def _window(name: str, lim: Sequence[float]) -> tuple[float, float]:
    return check.interval(name, lim)


def _names(variables: Sequence[str | sp.Symbol]) -> tuple[str, str]:
    names = tuple(getattr(v, "name", v) for v in variables)
    if len(names) != 2 or not all(isinstance(n, str) for n in names):
        raise ValueError(f"variables must name exactly two variables, got {list(variables)!r}")
    return names  # type: ignore[return-value]


_SUB0 = "\u2080"
_X_COLOR, _Y_COLOR = "#1f77b4", "#ff7f0e"
_X_DARK, _Y_DARK = "#08306b", "#8c2d04"
_GREY = "#6b6b6b"
_TEXT = {"size": 11, "align": "left", "color": "#111111", "label": "read-out"}


# ---------------------------------------------------------------------------------------------
# The slice explorer: settings -> Frame
# ---------------------------------------------------------------------------------------------
#: Points on each slice curve.
SLICE_SAMPLES = 200
#: Pixels right of the slice panels' axes for their legends and read-outs.
_SLICE_MARGIN = 190.0
#: Pixels above the 3-D axes for the surface panel's legend.
_LEGEND_STRIP = 84.0
#: Play's secants: h shrinks over this many steps; the step after them is the tangent (h -> 0).
SECANT_STEPS = 100
_SLICE_DPI = 100


@dataclass(frozen=True)
class FieldSettings:
    """What the field explorers share: the ``formula`` (text or SymPy), its two ``variables``,
    the point (``x0``, ``y0``) inside ``xlim`` x ``ylim``, the grid ``resolution`` of the
    picture of f and the picture's ``figsize`` (inches at 100 dpi)."""

    formula: str | sp.Expr = DEFAULT_FORMULA
    variables: tuple[str, str] = ("x", "y")
    x0: float = 1.0
    y0: float = 0.5
    xlim: tuple[float, float] = (-2.0, 2.0)
    ylim: tuple[float, float] = (-2.0, 2.0)
    resolution: int = 36
    figsize: tuple[float, float] = (9.5, 4.6)

    def view_key(self) -> tuple[Any, ...]:
        """The arguments of the cached view (``slice_view``, ``directional_view``): what the
        picture of f depends on, in canonical form."""
        return (self.formula, _names(self.variables), tuple(map(float, self.xlim)),
                tuple(map(float, self.ylim)), int(self.resolution), tuple(map(float, self.figsize)))


def _sampled_field(formula: str | sp.Expr, variables: Sequence[str], xlim: Sequence[float],
                   ylim: Sequence[float], resolution: int) -> tuple[Field2D, tuple[str, str],
                                                                    tuple[float, float],
                                                                    tuple[float, float], np.ndarray,
                                                                    np.ndarray, np.ndarray]:
    """(field, variable names, xlim, ylim, X, Y, Z): f compiled (``_field``) and sampled on a
    ``resolution`` x ``resolution`` grid of the window, NaN where it is not finite."""
    names = _names(variables)
    xlim, ylim = _window("xlim", xlim), _window("ylim", ylim)
    resolution = check.integer("resolution", resolution, 5, 400)
    field = _field(formula, names)
    X, Y = np.meshgrid(np.linspace(*xlim, resolution), np.linspace(*ylim, resolution))
    Z = np.array(np.broadcast_to(field.f(X, Y), X.shape), dtype=float)
    Z[~np.isfinite(Z)] = np.nan
    return field, names, xlim, ylim, X, Y, Z


@dataclass(frozen=True)
class SliceSettings(FieldSettings):
    """The slice explorer's controls (``FieldSettings``; ``resolution`` is the surface's grid)."""


class SliceView(NamedTuple):
    """What stays put for one formula and window: the ``scene`` (the surface in 3-D, two slice
    panels with fixed axes), the compiled ``field``, the height range ``zlim`` shared by the
    3-D box and the slice panels, and ``project`` (3-D data -> the "surface" panel's pixels)."""

    scene: Scene
    field: Field2D
    zlim: tuple[float, float]
    project: Projector


@lru_cache(maxsize=8)
def slice_view(formula: str | sp.Expr = DEFAULT_FORMULA, variables: tuple[str, str] = ("x", "y"),
               xlim: tuple[float, float] = (-2.0, 2.0), ylim: tuple[float, float] = (-2.0, 2.0),
               resolution: int = 36, figsize: tuple[float, float] = (9.5, 4.6)) -> SliceView:
    """The slice explorer's static layer, rendered once per formula and window: the surface
    z = f(x, y) on a ``resolution`` x ``resolution`` grid (viridis, 3-D, panel "surface" whose
    data are picture pixels: ``project`` maps (x, y, z) there), and the axes of the x-slice
    (panel "x": f(x, y0) against x) and the y-slice (panel "y"), whose height range is the
    surface's (``zlim``: every slice of the window fits). The slice panels reach to the right
    edge of the picture: their legends and read-outs sit there."""
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator

    field, (vx, vy), xlim, ylim, X, Y, Z = _sampled_field(formula, variables, xlim, ylim, resolution)
    zlim = _finite_range(Z)
    fig = Figure(figsize=figsize, dpi=_SLICE_DPI)
    W, H = fig.get_size_inches() * _SLICE_DPI
    ax3 = fig.add_axes((0.0, 0.02, 0.47, (H - _LEGEND_STRIP - 10) / H - 0.02), projection="3d",
                       computed_zorder=False)
    ax3.view_init(elev=28, azim=-58)
    ax3.set_xlabel(vx), ax3.set_ylabel(vy), ax3.set_zlabel("f", labelpad=2)
    ax3.set_xlim(*xlim), ax3.set_ylim(*ylim), ax3.set_zlim(*zlim)
    ax3.tick_params(labelsize=7, pad=0)
    if np.isfinite(Z).sum() > 3:
        ax3.plot_surface(X, Y, np.ma.masked_invalid(Z), cmap="viridis", alpha=0.55, linewidth=0,
                         antialiased=False, zorder=1)
    ax3.text2D(0.02, 1.0 + (_LEGEND_STRIP - 12) / (ax3.get_position().height * H),
               f"z = f({vx}, {vy}) =\n{field.expr}", transform=ax3.transAxes, fontsize=9, va="top")
    ax3.set_zticklabels([])      # the slice panels' vertical axes carry the heights
    panels = []
    width = W - 5 - _SLICE_MARGIN - 0.545 * W
    for key, var, other, bottom in (("x", vx, vy, 0.575), ("y", vy, vx, 0.11)):
        ax = fig.add_axes((0.545, bottom, width / W, 0.33))
        ax.set_xlim(*(xlim if key == "x" else ylim))
        ax.set_ylim(*zlim)
        ax.yaxis.set_major_locator(MaxNLocator(4))
        ax.tick_params(labelsize=8)
        ax.grid(alpha=0.3)
        ax.set_xlabel(var, labelpad=1)
        ax.set_title(f"{var}-slice: z = f against {var}, {other} = {other}{_SUB0} fixed", fontsize=9)
        panels.append(margin_panel(key, ax, H, _SLICE_MARGIN))
    box = ax3.get_window_extent()
    surface = Panel("surface", "image", (box.x0, H - box.y1 - _LEGEND_STRIP, box.width,
                                         box.height + _LEGEND_STRIP),
                    (box.x0, box.x1), (box.y0, box.y1 + _LEGEND_STRIP))
    alt = (f"The surface z = {field.expr} over {vx} in {xlim}, {vy} in {ylim} in 3-D (left), "
           f"and the axes of its {vx}-slice and {vy}-slice (right).")
    scene = scene_from_figure(fig, {}, [surface, *panels], alt)
    return SliceView(scene, field, zlim, Projector.of(ax3))


def slice_frame(settings: SliceSettings) -> Frame:
    """What the slice explorer draws over ``slice_view``'s scene, for the point (x0, y0):

        "x"  the x-slice g(s) = f(s, y0) (``slice_curve``), its tangent z0 + df/dx (s - x0)
             (``tangent_line``, two points), the point (x0, z0) and, per Play step, the secant
             through (x0, z0) and (x0 + h, g(x0 + h)), h from ``secant_steps`` shrinking to 0;
             at the step after the last h (h -> 0) only the tangent remains
        "y"  the same for the y-slice f(x0, s) and df/dy
        "surface"  both slices, their tangents (``tangent_segment``, short enough for the box)
             and the point, in 3-D (``SliceView.project``)

    Read-outs (text layers) in each slice panel's margin: the fixed coordinate and the partial,
    and per step the secant's slope (f(x0 + h, y0) - f(x0, y0)) / h. Status: f and both partials
    ("undefined" where not finite; kind "error" where f itself is not defined at the point).
    n_steps = SECANT_STEPS. Raises ValueError for a formula that does not parse or a point
    outside the window.
    """
    view = slice_view(*settings.view_key())
    field, project, zlim = view.field, view.project.project, view.zlim
    xlim, ylim = tuple(map(float, settings.xlim)), tuple(map(float, settings.ylim))
    x0, y0 = _check_point((settings.x0, settings.y0), xlim, ylim)
    vx, vy = (s.name for s in field.variables)
    with np.errstate(all="ignore"):
        z0 = float(field.f(x0, y0))
        fx, fy = (float(v) for v in np.asarray(field.grad(x0, y0), dtype=float))
    n = SECANT_STEPS
    panels = {p.name: p for p in view.scene.panels}
    layers: list[Layer] = []
    curves: dict[str, np.ndarray] = {}
    rise = 0.35 * (zlim[1] - zlim[0])
    px = _text_x(_SLICE_MARGIN)
    for key, axis, lim, at, slope, var, other, other_at, color, dark in (
            ("x", 0, xlim, x0, fx, vx, vy, y0, _X_COLOR, _X_DARK),
            ("y", 1, ylim, y0, fy, vy, vx, x0, _Y_COLOR, _Y_DARK)):
        s = np.linspace(*lim, SLICE_SAMPLES)
        z = curves[key] = slice_curve(field.f, (x0, y0), axis, s)
        hs = secant_steps(at, lim, n)
        far = slice_curve(field.f, (x0, y0), axis, at + hs)
        with np.errstate(all="ignore"):
            quotients = (far - z0) / hs
        ends = np.array(lim)
        pieces = [np.column_stack([ends, tangent_line(at, z0, q, ends)]) for q in quotients]
        tangent = np.column_stack([ends, tangent_line(at, z0, slope, ends)])
        secant_xy, offsets = _chunks([*pieces, np.empty((0, 2))])    # h -> 0: the tangent itself
        seconds = np.vstack([np.column_stack([at + hs, far]), [[np.nan, np.nan]]])
        partial = f"\u2202f/\u2202{var}"
        panel = panels[key]
        steps_text = [f"h = {h:.3g}: slope {_fmt(q)}" for h, q in zip(hs, quotients)]
        steps_text.append(f"h \u2192 0: slope {_fmt(slope)}")
        layers += [
            Layer(key, np.column_stack([s, z]), "line", "all",
                  {"color": color, "width": 2.2, "label": f"{var}-slice"}),
            Layer(key, tangent, "line", "all",
                  {"color": dark, "width": 1.4, "dash": [6, 3], "label": f"tangent: slope {partial}"}),
            Layer(key, secant_xy, "segments-per-step", "at",
                  {"color": _GREY, "width": 1.3, "label": "secant (Play: h \u2192 0)"}, offsets),
            Layer(key, seconds, "points", "at",
                  {"marker": "o", "size": 6, "fill": "#bdbdbd", "edge": "#000000",
                   "label": f"({var}{_SUB0} + h, f)"}),
            Layer(key, np.array([[at, z0]]), "points", "all",
                  {"marker": "o", "size": 7, "fill": "#000000", "label": "the point"}),
            _text_layer(panel, px(panel), 96,
                        [f"{other}{_SUB0} = {other_at:.2f}\n{partial} = {_fmt(slope)}"], "all",
                        {**_TEXT, "weight": "bold"}),
            _text_layer(panel, px(panel), 128, steps_text, "at", {**_TEXT, "size": 10}),
        ]
    # the same marks on the surface, in 3-D
    sx, sy = np.linspace(*xlim, SLICE_SAMPLES), np.linspace(*ylim, SLICE_SAMPLES)
    zx, zy = curves["x"], curves["y"]
    finite = bool(np.isfinite([z0, fx, fy]).all())
    if finite:
        tx = tangent_segment(x0, z0, fx, run=0.3 * (xlim[1] - xlim[0]), rise=rise)
        ty = tangent_segment(y0, z0, fy, run=0.3 * (ylim[1] - ylim[0]), rise=rise)
    else:
        tx = ty = (np.full(2, np.nan), np.full(2, np.nan))
    layers += [
        Layer("surface", project(sx, y0, zx), "line", "all",
              {"color": _X_COLOR, "width": 2.5, "label": f"{vx}-slice ({vy} = {vy}{_SUB0})"}),
        Layer("surface", project(x0, sy, zy), "line", "all",
              {"color": _Y_COLOR, "width": 2.5, "label": f"{vy}-slice ({vx} = {vx}{_SUB0})"}),
        Layer("surface", project(tx[0], y0, tx[1]), "line", "all",
              {"color": _X_DARK, "width": 2.2, "label": f"tangent, slope \u2202f/\u2202{vx}"}),
        Layer("surface", project(x0, ty[0], ty[1]), "line", "all",
              {"color": _Y_DARK, "width": 2.2, "label": f"tangent, slope \u2202f/\u2202{vy}"}),
        Layer("surface", project(x0, y0, z0), "points", "all",
              {"marker": "o", "size": 7, "fill": "#000000", "label": "the point"}),
    ]
    if not np.isfinite(z0):
        status, kind = f"f is not defined at ({x0:.3g}, {y0:.3g})", "error"
    else:
        status, kind = (f"f({x0:.2f}, {y0:.2f}) = {z0:.4g}; \u2202f/\u2202{vx} = {_fmt(fx)}, "
                        f"\u2202f/\u2202{vy} = {_fmt(fy)}: the slopes of the tangents. "
                        f"Play: secants through a second point turn into the tangents as "
                        f"h \u2192 0"), "info"
    return Frame(layers, n, status, kind)


# ---------------------------------------------------------------------------------------------
# The directional-derivative explorer: settings -> Frame
# ---------------------------------------------------------------------------------------------
#: Play turns u once around the circle in this many steps (3 degrees each).
ANGLE_STEPS = 120
_U_COLOR, _GRAD_COLOR, _CURVE_COLOR = "#d55e00", "#404040", "#1f77b4"
#: Pixels right of the contour plot for its legend.
_DIR_MARGIN = 185.0
_DIR_DPI = 100


@dataclass(frozen=True)
class DirectionalSettings(FieldSettings):
    """The directional explorer's controls (``FieldSettings``; ``resolution`` is the contour
    grid's) and the ``angle`` of u in degrees ([-180, 180])."""

    resolution: int = 120
    figsize: tuple[float, float] = (9.5, 4.2)
    angle: float = 0.0


class DirectionalView(NamedTuple):
    """What stays put for one formula and window: the ``scene`` (filled contours of f in panel
    "contour", equal scales on both axes; the chart "dd" drawn by the page), the compiled
    ``field`` and the ``arrow_length`` of u and of grad f / |grad f| (data units)."""

    scene: Scene
    field: Field2D
    arrow_length: float


@lru_cache(maxsize=8)
def directional_view(formula: str | sp.Expr = DEFAULT_FORMULA,
                     variables: tuple[str, str] = ("x", "y"),
                     xlim: tuple[float, float] = (-2.0, 2.0), ylim: tuple[float, float] = (-2.0, 2.0),
                     resolution: int = 120, figsize: tuple[float, float] = (9.5, 4.2)
                     ) -> DirectionalView:
    """The directional explorer's static layer, rendered once per formula and window: filled
    contours of f (21 levels, viridis; panel "contour", one pixel per unit the same along both
    axes, reaching into a margin on its right for the legend) and the chart "dd" (D_u f
    against the angle of u) whose axes the page draws."""
    from matplotlib.figure import Figure

    field, (vx, vy), xlim, ylim, X, Y, Z = _sampled_field(formula, variables, xlim, ylim, resolution)
    fig = Figure(figsize=figsize, dpi=_DIR_DPI)
    W, H = fig.get_size_inches() * _DIR_DPI
    # equal scales: the largest box of at most 0.36 W x 0.78 H with width/height = xspan/yspan
    aspect = (xlim[1] - xlim[0]) / (ylim[1] - ylim[0])
    h_px = min(0.78 * H, 0.36 * W / aspect)
    w_px = h_px * aspect
    ax = fig.add_axes((55 / W, (H - 42 - h_px) / H, w_px / W, h_px / H))
    ax.set_xlim(*xlim), ax.set_ylim(*ylim)
    ax.set_xlabel(vx, labelpad=1), ax.set_ylabel(vy, labelpad=1)
    ax.tick_params(labelsize=8)
    ax.set_title("contours of f (dark: low, yellow: high), u and \u2207f", fontsize=9)
    finite = np.isfinite(Z)
    if finite.sum() > 3 and np.ptp(Z[finite]) > 0:
        lo, hi = _finite_range(Z, pad=0.0)
        ax.contourf(X, Y, Z, levels=np.linspace(lo, hi, 21), cmap="viridis", alpha=0.75)
    contour = margin_panel("contour", ax, H, right=_DIR_MARGIN)
    left = 55 + w_px + _DIR_MARGIN + 55
    chart = Panel("dd", "chart", (left, 42.0, W - 15 - left, 0.78 * H),
                  title="D\u1d64f = \u2207f\u00b7u against the angle of u",
                  xlabel="angle of u (degrees)")
    alt = (f"Filled contours of f = {field.expr} with the point, the unit vector u and the "
           f"gradient's direction (left); the directional derivative against the angle of u (right).")
    scene = scene_from_figure(fig, {}, [contour, chart], alt)
    length = 0.28 * min(xlim[1] - xlim[0], ylim[1] - ylim[0])
    return DirectionalView(scene, field, length)


def directional_frame(settings: DirectionalSettings) -> Frame:
    """What the directional explorer draws over ``directional_view``'s scene at the point p:

        "contour"  the point, u = (cos a, sin a) as an arrow (one per Play step: the angle
                   sweeps once around from the setting's angle back to it, 3 degrees a step),
                   grad f / |grad f| as an arrow and the level curve's direction through p
                   (perpendicular to grad f), both only where grad f != 0
        "dd"       D_u f = grad f . u against the angle on a 1-degree grid
                   (``directional_derivative``), its peak (atan2(df/dy, df/dx), |grad f|)
                   (``steepest_ascent_angle``), the line D_u f = 0, and per step the current
                   angle (a dot on the curve and a vertical line)

    Read-outs in the chart's upper left (above |grad f|, where the curve never goes): grad f,
    |grad f|, the peak's angle, and per step D_u f. Status: D_u f at the setting's angle and
    the steepest ascent (a critical point or an undefined gradient is said in words, kind
    "error" for the latter). n_steps = ANGLE_STEPS. Raises ValueError for a formula that does
    not parse, a point outside the window or an angle outside [-180, 180].
    """
    view = directional_view(*settings.view_key())
    field, length = view.field, view.arrow_length
    xlim, ylim = tuple(map(float, settings.xlim)), tuple(map(float, settings.ylim))
    x0, y0 = _check_point((settings.x0, settings.y0), xlim, ylim)
    angle = check.real("angle", settings.angle, "in degrees within [-180, 180]",
                       lambda v: -180 <= v <= 180)
    vx, vy = (s.name for s in field.variables)
    with np.errstate(all="ignore"):
        z0 = float(field.f(x0, y0))
        g = np.asarray(field.grad(x0, y0), dtype=float).reshape(2)
    ok = bool(np.isfinite(g).all() and np.isfinite(z0))
    norm = float(np.hypot(*g)) if ok else math.nan
    n = ANGLE_STEPS
    sweep = (angle + 360.0 * np.arange(n + 1) / n + 180.0) % 360.0 - 180.0
    sweep[-1] = angle
    degrees = np.linspace(-180.0, 180.0, 361)
    curve = directional_derivative(g, np.deg2rad(degrees)) if ok else np.full(361, np.nan)
    now = directional_derivative(g, np.deg2rad(sweep)) if ok else np.full(n + 1, np.nan)
    top, bottom = (2.05 * norm, -1.35 * norm) if ok and norm > 0 else (1.5, -1.0)
    p = np.array([x0, y0])
    u_xy, u_off = _chunks([arrow_xy(p, length * np.array([math.cos(math.radians(a)),
                                                          math.sin(math.radians(a))]))
                           for a in sweep])
    cursor_xy, cursor_off = _chunks([[[a, bottom], [a, top]] for a in sweep])
    empty = np.empty((0, 2))
    star = math.degrees(steepest_ascent_angle(g)) if ok and norm > 0 else math.nan
    if ok and norm > 0:
        direction = g / norm
        ends = np.array([-0.8, 0.8]) * length
        level = np.column_stack([x0 - direction[1] * ends, y0 + direction[0] * ends])
        grad_arrow, peak = arrow_xy(p, length * direction), np.array([[star, norm]])
        facts = (f"\u2207f = ({g[0]:.3g}, {g[1]:.3g})\n|\u2207f| = {norm:.3g}\n"
                 f"\u2605 peak at {star:.1f}\u00b0")
    else:
        level = grad_arrow = peak = empty
        facts = "\u2207f = (0, 0):\nno steepest direction" if ok else "\u2207f is undefined here"
    per_step = [f"\u25cf u at {a:.0f}\u00b0: D\u1d64f = {_fmt(d, 3)}" for a, d in zip(sweep, now)]
    at = lambda frac: [-172.0, bottom + frac * (top - bottom)]            # noqa: E731
    layers = [
        Layer("contour", level, "line", "all",
              {"color": "#262626", "width": 1.4, "dash": [2, 3], "label": "level-curve direction"}),
        Layer("contour", grad_arrow, "line", "all",
              {"color": _GRAD_COLOR, "width": 2.5, "alpha": 0.8,
               "label": "\u2207f/|\u2207f|: steepest ascent"}),
        Layer("contour", u_xy, "segments-per-step", "at",
              {"color": _U_COLOR, "width": 2.5, "label": "u at the angle (Play turns it)"}, u_off),
        Layer("contour", p[None, :], "points", "all",
              {"marker": "o", "size": 7, "fill": "#000000", "edge": "#ffffff",
               "label": f"the point ({vx}{_SUB0}, {vy}{_SUB0})"}),
        Layer("dd", np.array([[-180.0, 0.0], [180.0, 0.0]]), "line", "all",
              {"color": "#9e9e9e", "width": 1.0, "label": "0: along the level curve"}),
        Layer("dd", np.column_stack([degrees, curve]), "line", "all",
              {"color": _CURVE_COLOR, "width": 2.0, "label": "D\u1d64f = \u2207f\u00b7u"}),
        Layer("dd", peak, "points", "all",
              {"marker": "*", "size": 15, "fill": "#404040", "edge": "#ffffff",
               "label": "peak: |\u2207f| along \u2207f"}),
        Layer("dd", np.column_stack([sweep, now]), "points", "at",
              {"marker": "o", "size": 9, "fill": _U_COLOR, "edge": "#000000", "label": "u now"}),
        Layer("dd", cursor_xy, "segments-per-step", "at",
              {"color": _U_COLOR, "width": 1.0, "alpha": 0.6, "label": "u now"}, cursor_off),
        Layer("dd", [at(0.92)], "text", "all", {**_TEXT, "size": 10, "weight": "bold"}, texts=[facts]),
        Layer("dd", [at(0.80)] * (n + 1), "text", "at", {**_TEXT, "size": 10}, texts=per_step),
    ]
    d_now = float(now[-1])
    if ok and norm > 0:
        status, kind = (f"D\u1d64f = \u2207f\u00b7u = {d_now:.4g} at {angle:.0f}\u00b0; steepest "
                        f"ascent at atan2(\u2202f/\u2202{vy}, \u2202f/\u2202{vx}) = {star:.1f}\u00b0, "
                        f"where D\u1d64f = |\u2207f| = {norm:.4g}"), "info"
    elif ok:
        status, kind = "critical point: \u2207f = 0, so D\u1d64f = 0 in every direction", "info"
    else:
        status, kind = f"f is not differentiable or not defined at ({x0:.3g}, {y0:.3g})", "error"
    charts = {"dd": {"xlim": [-180.0, 180.0], "ylim": [bottom, top],
                     "title": "D\u1d64f = \u2207f\u00b7u against the angle of u"}}
    return Frame(layers, n, status, kind, charts)


# ---------------------------------------------------------------------------------------------
# The step-size explorer: settings -> Frame
# ---------------------------------------------------------------------------------------------
#: The steps the explorer measures: DEFAULT_HS, 20 per decade from 1e-18 to 10^-0.5.
EXPLORER_HS = DEFAULT_HS
_ERR_YLIM = (ERROR_FLOOR / 3, 1e2)
#: Pixels right of the error plot for its legend and read-out.
_STEP_MARGIN = 280.0
_STEP_DPI = 100


@dataclass(frozen=True)
class StepSettings:
    """The step-size explorer's controls: the ``function`` of x (text or SymPy), the point
    ``x0``, the ``method`` (one of METHODS), the step ``h`` and the picture's ``figsize``."""

    function: str | sp.Expr = next(iter(STEP_FUNCTIONS))
    x0: float = 1.5
    method: str = "central"
    h: float = 1e-3
    figsize: tuple[float, float] = (9.0, 4.3)


@lru_cache(maxsize=4)
def step_scene(figsize: tuple[float, float] = (9.0, 4.3)) -> Scene:
    """The step-size explorer's static layer (the same for every function): axes over the steps
    EXPLORER_HS and errors ERROR_FLOOR/3 .. 1e2, both on log scales (panel "errors", reaching
    into a margin on the right for the legend and the read-out).

    The panel's x data are log10(h) on a linear axis whose ticks read 10^k, so every renderer
    (the page, ``scene.snapshot``) maps them alike; the y-axis is a log axis of the errors."""
    from matplotlib.figure import Figure
    from matplotlib.ticker import FixedLocator, FuncFormatter

    fig = Figure(figsize=figsize, dpi=_STEP_DPI)
    W, H = fig.get_size_inches() * _STEP_DPI
    ax = fig.add_axes((0.085, 0.12, (W - 5 - _STEP_MARGIN) / W - 0.085, 0.8))
    ax.set_yscale("log")
    lo, hi = (float(np.log10(v)) for v in (EXPLORER_HS.min(), EXPLORER_HS.max()))
    ax.set_xlim(lo, hi)
    ax.xaxis.set_major_locator(FixedLocator(np.arange(math.ceil(lo / 2) * 2, hi + 1e-9, 2)))
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: f"$10^{{{int(round(v))}}}$"))
    ax.set_ylim(*_ERR_YLIM)
    ax.set_xlabel("step h")
    ax.set_ylabel("|error| of the estimate of f'(x)")
    ax.grid(True, which="major", alpha=0.3)
    ax.set_title("error of each difference quotient against its step h", fontsize=10)
    panel = margin_panel("errors", ax, H, right=_STEP_MARGIN)
    alt = ("Log-log axes of the error of a finite-difference estimate of f'(x) against the "
           "step h, for the forward, backward, central and complex-step methods.")
    return scene_from_figure(fig, {}, [panel], alt)


def _model_segment(model: np.ndarray, hs: np.ndarray, top: float) -> np.ndarray:
    """A model line (a power law c h^p over hs) as the two ends (log10 h, value) of its part
    below ``top`` (on log-log axes it is straight, so two points draw it exactly); empty where
    it is 0."""
    lo, hi = float(hs.min()), float(hs.max())
    a, b = float(model[np.argmin(hs)]), float(model[np.argmax(hs)])
    if not (a > 0 and b > 0):
        return np.empty((0, 2))
    p = math.log(b / a) / math.log(hi / lo)            # the power: log-log slope
    if a > top and b > top:
        return np.empty((0, 2))
    if p > 0 and b > top:                              # rises through the top
        hi = lo * (top / a) ** (1.0 / p)
    elif p < 0 and a > top:                            # falls from above the top
        lo = hi * (top / b) ** (1.0 / p)
    return np.array([[math.log10(v), a * (v / float(hs.min())) ** p] for v in (lo, hi)])


def step_frame(settings: StepSettings) -> Frame:
    """What the step-size explorer draws over ``step_scene``, for f, x0, method and h:

        curves    |D_h f(x0) - f'(x0)| over EXPLORER_HS for each method (``step_error_curves``,
                  f' exact from SymPy; ``errors_for_plot``: zeros at the float spacing, overflow
                  a gap; above the axis top a gap), the chosen one bold and revealed by Play from
                  the largest h to the smallest, the others faded
        markers   ``numeric.default_step`` on each curve (a triangle), your h (a dot on the
                  chosen curve and a vertical line), the point Play has reached

    Points are (log10 h, error) (``step_scene`` explains why).
        models    the chosen method's truncation and rounding terms (``step_error_model``), as
                  straight lines (power laws) cut at the axis top; none where a term is 0

    Read-out (margin): f, x0, the estimate D_h f(x0), f'(x0), the error, the best h on the
    chosen curve. Status: the error at h, default_step, the best h. n_steps = len(EXPLORER_HS)
    (the step after the sweep shows the curve whole). Raises ValueError where f or its
    derivatives are not finite near x0, or the quotient overflows.
    """
    method = check.one_of("method", settings.method, METHODS)
    x0 = check.real("x0", settings.x0)
    h = check.positive("h", settings.h)
    fn = _function(settings.function)
    scene = step_scene(tuple(map(float, settings.figsize)))
    panel = scene.panels[0]
    derivs = fn.derivatives(x0)
    if not np.isfinite(derivs).all():
        raise ValueError(f"f or its derivatives are not finite at x0 = {x0:g}")
    exact = float(derivs[1])
    hs = EXPLORER_HS
    lg = np.log10(hs)
    errors = step_error_curves(fn, x0, hs, METHODS)
    with np.errstate(all="ignore"):
        estimate = numeric.derivative(fn.f, x0, h, method)
        error_now = float(numeric.step_errors(fn.f, x0, exact, [h], method)[0])
    top = _ERR_YLIM[1]
    chosen = METHOD_COLORS[method]
    layers: list[Layer] = []
    for m in METHODS:
        shown = errors_for_plot(errors[m], exact)
        shown[shown > top] = np.nan
        style = {"color": METHOD_COLORS[m], "width": 2.6 if m == method else 1.2,
                 "alpha": 1.0 if m == method else 0.3, "label": m}
        if m == "backward":
            style["dash"] = [5, 2]
        if m == method:
            layers.append(Layer("errors", np.column_stack([lg, shown])[::-1], "line", "upto", style))
        else:
            layers.append(Layer("errors", np.column_stack([lg, shown]), "line", "all", style))
    for m in (method, *[m for m in METHODS if m != method]):
        h0 = float(numeric.default_step(m, x0))
        with np.errstate(all="ignore"):
            e0 = errors_for_plot(numeric.step_errors(fn.f, x0, exact, [h0], m), exact)
        layers.append(Layer("errors", np.array([[math.log10(h0), e0[0]]]), "points", "all",
                            {"marker": "^", "size": 10, "fill": METHOD_COLORS[m], "edge": "#000000",
                             "alpha": 1.0 if m == method else 0.3,
                             "label": "numeric.default_step"}))
    model = step_error_model(method, hs, derivs)
    layers += [
        Layer("errors", _model_segment(model.truncation, hs, top), "line", "all",
              {"color": chosen, "width": 1.2, "dash": [6, 3], "label": "truncation model"}),
        Layer("errors", _model_segment(model.rounding, hs, top), "line", "all",
              {"color": chosen, "width": 1.3, "dash": [2, 2], "label": "rounding model"}),
    ]
    now = float(errors_for_plot(np.array([error_now]), exact)[0])
    shown_chosen = errors_for_plot(errors[method], exact)
    sweep = np.vstack([np.column_stack([lg, shown_chosen])[::-1], [[np.nan, np.nan]]])
    at = math.log10(h)
    layers += [
        Layer("errors", np.array([[at, now]]), "points", "all",
              {"marker": "o", "size": 11, "fill": chosen, "edge": "#000000", "label": "your h"}),
        Layer("errors", np.array([[at, _ERR_YLIM[0]], [at, top]]), "line", "all",
              {"color": "#4d4d4d", "width": 1.0, "alpha": 0.6, "label": "your h"}),
        Layer("errors", sweep, "points", "at",
              {"marker": "o", "size": 7, "fill": "#ffffff", "edge": chosen,
               "label": "h during Play"}),
    ]
    finite = np.isfinite(errors[method])
    best = float(hs[finite][np.argmin(errors[method][finite])]) if finite.any() else math.nan
    h_default = float(numeric.default_step(method, x0))
    text = str(fn.expr) if not isinstance(settings.function, str) else settings.function
    readout = (f"f(x) = {text}\nx\u2080 = {x0:.2f}\n{method}, h = {h:.1e}\n"
               f"estimate {estimate:.10g}\nexact f'(x\u2080) {exact:.10g}\n"
               f"error {error_now:.1e}\nbest h on this curve \u2248 {best:.0e}")
    layers.append(_text_layer(panel, _text_x(_STEP_MARGIN)(panel), 250, [readout], "all", _TEXT))
    status = (f"{method} at h = {h:.1e}: error {error_now:.1e}; numeric.default_step = "
              f"{h_default:.1e} (\u25b2); smallest error on this curve at h \u2248 {best:.0e}")
    return Frame(layers, len(hs), status, "info")
