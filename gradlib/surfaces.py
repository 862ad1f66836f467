"""Loss surfaces: a catalogue of test functions, each built from ONE SymPy expression.

    s = get("rosenbrock")                 # a Surface; names() lists the catalogue
    s.f(p), s.grad(p), s.hess(p)          # p of shape (..., n) -> (...), (..., n), (..., n, n)
    s.xlim, s.ylim, s.minima, s.start     # plot window, known local minima, a default start
    Surface.from_text("x**2 + 3*y**2 - x*y")   # a learner's own function (safe parser)

The gradient and the Hessian (the matrix of second partials, i.e. the Jacobian of the
gradient) are derived from the expression by gradlib.symbolic and compiled once per
expression; nothing is typed twice by hand.
"""
from __future__ import annotations

import functools
import inspect
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple

import numpy as np
import numpy.typing as npt
import sympy as sp

from gradlib import _checks as check
from gradlib import symbolic

__all__ = ["Surface", "get", "names", "quadratic", "quadratic_nd", "rosenbrock", "beale",
           "himmelblau", "saddle", "monkey_saddle", "six_hump_camel", "booth", "matyas",
           "styblinski_tang", "bowl", "CATALOGUE"]

ArrayLike = npt.ArrayLike


# ---------------------------------------------------------------------------------------------
# compiled evaluators (one per expression, cached)
# ---------------------------------------------------------------------------------------------
class _Compiled(NamedTuple):
    """NumPy functions of one array per variable, plus fast single-point versions."""

    f: Callable[..., np.ndarray]          # vectorized f        -> S
    grad: Callable[..., np.ndarray]       # vectorized gradient -> S + (n,)
    hess: Callable[..., np.ndarray]       # vectorized Hessian  -> S + (n, n)
    point_fg: Callable[..., list] | None  # floats -> [f, df/dx1, ..., df/dxn] (math module)
    point_h: Callable[..., list] | None   # floats -> [H11, H12, ..., Hnn] row by row


# Python's float arithmetic raises instead of returning inf/nan: math.exp(1e3) and 1e200**2
# raise OverflowError, math.sqrt(-1) ValueError, 1/0 ZeroDivisionError, and (-1.0)**1.5 is a
# complex number (float() of it raises TypeError). When that happens the point is re-evaluated
# by the NumPy path, which gives IEEE inf/nan (under np.errstate).
_MATH_ERRORS = (ArithmeticError, ValueError, TypeError)
# The derivative of abs()/sign() is DiracDelta: 0 everywhere but at the kink (as in symbolic).
_MATH_EXTRAS = {"DiracDelta": lambda *args: 0.0}


@functools.lru_cache(maxsize=64)
def _compile(expr: sp.Expr, variables: tuple[sp.Symbol, ...]) -> _Compiled:
    grad = symbolic.gradient(expr, variables)
    hess = symbolic.hessian(expr, variables)
    try:  # plain-Python evaluation of one point: ~20x faster than NumPy on two floats
        point_fg = sp.lambdify(variables, [expr, *grad], modules=[_MATH_EXTRAS, "math"], cse=True)
        point_h = sp.lambdify(variables, list(hess), modules=[_MATH_EXTRAS, "math"], cse=True)
    except Exception:  # pragma: no cover - a function the math printer cannot print
        point_fg = point_h = None
    return _Compiled(symbolic.lambdify(expr, variables), symbolic.lambdify(grad, variables),
                     symbolic.lambdify(hess, variables), point_fg, point_h)


# ---------------------------------------------------------------------------------------------
# Surface
# ---------------------------------------------------------------------------------------------
@dataclass(frozen=True, eq=False)
class Surface:
    """A loss surface f: R^n -> R given by a SymPy expression, with its plot window.

    ``f(p)``, ``grad(p)``, ``hess(p)`` take points ``p`` of shape ``(..., n)`` (the last axis
    holds the n coordinates; lists and tuples are accepted) and return shapes ``(...)``,
    ``(..., n)`` and ``(..., n, n)``; a single point gives a float64 scalar, a vector, a matrix.
    Where the formula is undefined (log of a negative number, overflow) the value is nan or
    inf, without warnings.

    Fields: ``name``; ``expr`` and ``variables`` (SymPy); ``xlim``/``ylim`` the plot window
    (``ylim`` is None for a 1-D surface); ``minima`` an array (k, n) of known local minima
    (possibly empty); ``global_min`` the global minimum value or None (unknown or unbounded
    below); ``start`` a default start for descent; ``log_levels`` whether contours should use
    log-spaced levels (values span decades); ``title`` plain text and ``latex`` math text for
    plots; ``params`` the catalogue parameters that built it.
    """

    name: str
    expr: sp.Expr
    variables: tuple[sp.Symbol, ...]
    xlim: tuple[float, float]
    ylim: tuple[float, float] | None
    minima: np.ndarray
    global_min: float | None
    start: np.ndarray
    log_levels: bool = False
    title: str = ""
    latex: str = ""
    params: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        expr = sp.sympify(self.expr)
        variables = tuple(symbolic.symbols(self.variables))
        # match the symbols of the expression by name (their assumptions may differ)
        by_name = {s.name: s for s in expr.free_symbols}
        variables = tuple(by_name.get(v.name, v) for v in variables)
        extra = sorted(s.name for s in expr.free_symbols if s not in variables)
        if extra:
            raise ValueError(f"expr uses {', '.join(extra)}, which is not among the variables "
                             f"{[v.name for v in variables]}")
        n = len(variables)
        xlim = check.interval("xlim", self.xlim)
        ylim = None if self.ylim is None and n == 1 else check.interval("ylim", self.ylim)
        minima = np.array(self.minima, dtype=float).reshape(-1, n) if np.size(self.minima) else \
            np.empty((0, n))
        start = _point("start", self.start, n)
        minima.setflags(write=False)
        start.setflags(write=False)
        gmin = None if self.global_min is None else float(self.global_min)
        for name, value in (("expr", expr), ("variables", variables), ("xlim", xlim),
                            ("ylim", ylim), ("minima", minima), ("start", start),
                            ("global_min", gmin), ("log_levels", bool(self.log_levels)),
                            ("params", dict(self.params))):
            object.__setattr__(self, name, value)
        if not self.title:
            object.__setattr__(self, "title", self.name)
        if not self.latex:
            args = ", ".join(sp.latex(v) for v in variables)
            object.__setattr__(self, "latex", f"$f({args}) = {sp.latex(expr)}$")

    # -- construction from text ---------------------------------------------------------------
    @classmethod
    def from_text(cls, text: str, variables: Sequence[str] | str = ("x", "y"),
                  xlim: tuple[float, float] = (-3.0, 3.0), ylim: tuple[float, float] | None = (-3.0, 3.0),
                  start: ArrayLike | None = None, name: str | None = None) -> Surface:
        """A surface from a typed formula, e.g. ``Surface.from_text("x**2 + 3*y**2 - x*y")``.

        The text goes through ``gradlib.symbolic.parse`` (never eval'd). Without ``start``, a
        point a fifth of the way in from the window's left edge and a quarter down from its top
        is used (or the first of a few such points where f and its gradient are finite).
        Minima are unknown (empty); ``log_levels`` is guessed from the values on a grid.
        """
        syms = symbolic.symbols(variables)
        expr = symbolic.parse(text, syms)
        n = len(syms)
        if n == 1 and ylim == (-3.0, 3.0):
            ylim = None
        title = f"f({', '.join(s.name for s in syms)}) = {text.strip()}"
        guess = start if start is not None else _window_point(xlim, ylim, n, 0.2, 0.75)
        surface = cls(name=name or "custom", expr=expr, variables=syms, xlim=xlim, ylim=ylim,
                      minima=np.empty((0, n)), global_min=None, start=guess, title=title)
        if start is None:
            for fx, fy in ((0.2, 0.75), (0.8, 0.75), (0.8, 0.25), (0.2, 0.25), (0.6, 0.4)):
                p = _window_point(surface.xlim, surface.ylim, n, fx, fy)
                if np.isfinite(surface.f(p)) and np.all(np.isfinite(surface.grad(p))):
                    object.__setattr__(surface, "start", _point("start", p, n))
                    surface.start.setflags(write=False)
                    break
        object.__setattr__(surface, "log_levels", n == 2 and _spans_decades(surface))
        return surface

    # -- evaluation --------------------------------------------------------------------------
    @property
    def n(self) -> int:
        """Number of variables."""
        return len(self.variables)

    @functools.cached_property
    def _compiled(self) -> _Compiled:
        return _compile(self.expr, self.variables)

    def f(self, p: ArrayLike) -> np.ndarray | np.float64:
        """f(p) for points p of shape (..., n); returns shape (...), a float64 for one point."""
        p = self._points(p)
        if p.ndim == 1 and p.dtype.kind == "f":
            return np.float64(self._point_fg(p.tolist())[0])
        with np.errstate(all="ignore"):
            return self._compiled.f(*np.moveaxis(p, -1, 0))

    def grad(self, p: ArrayLike) -> np.ndarray:
        """The gradient [df/dx1, ..., df/dxn] at points p of shape (..., n); returns (..., n)."""
        p = self._points(p)
        if p.ndim == 1 and p.dtype.kind == "f":
            return np.array(self._point_fg(p.tolist())[1:], dtype=float)
        with np.errstate(all="ignore"):
            return self._compiled.grad(*np.moveaxis(p, -1, 0))

    def hess(self, p: ArrayLike) -> np.ndarray:
        """The Hessian [d2f/dxi dxj] at points p of shape (..., n); returns (..., n, n)."""
        p = self._points(p)
        if p.ndim == 1 and p.dtype.kind == "f":
            return self._point_hess(p.tolist())
        with np.errstate(all="ignore"):
            return self._compiled.hess(*np.moveaxis(p, -1, 0))

    def _points(self, p: ArrayLike) -> np.ndarray:
        """Validate points: a numeric array whose last axis holds the n coordinates."""
        arr = np.asarray(p)
        if arr.dtype.kind not in "fc":
            if arr.dtype.kind not in "iub":
                raise ValueError(f"p must be numeric, got dtype {arr.dtype}")
            arr = arr.astype(float)
        if arr.ndim == 0 or arr.shape[-1] != self.n:
            names = ", ".join(v.name for v in self.variables)
            raise ValueError(f"p must have shape (..., {self.n}) with the last axis holding "
                             f"({names}), got shape {arr.shape}")
        return arr

    # -- fast single point (used by optim.descend) -------------------------------------------
    def _point_fg(self, x: list[float]) -> list[float]:
        """[f, df/dx1, ..., df/dxn] at one point given as a list of floats."""
        c = self._compiled
        if c.point_fg is not None:
            try:
                return [float(v) for v in c.point_fg(*x)]
            except _MATH_ERRORS:
                pass
        with np.errstate(all="ignore"):
            return [float(c.f(*x)), *c.grad(*x).tolist()]

    def _point_hess(self, x: list[float]) -> np.ndarray:
        """The n x n Hessian at one point given as a list of floats."""
        c = self._compiled
        if c.point_h is not None:
            try:
                return np.array(c.point_h(*x), dtype=float).reshape(self.n, self.n)
            except _MATH_ERRORS:
                pass
        with np.errstate(all="ignore"):
            return np.asarray(c.hess(*x), dtype=float)

    def __repr__(self) -> str:
        params = ", ".join(f"{k}={v!r}" for k, v in self.params.items()
                           if not isinstance(v, np.ndarray))
        return f"Surface({self.name}{', ' if params else ''}{params}: {self.expr})"


# ---------------------------------------------------------------------------------------------
# validation helpers
# ---------------------------------------------------------------------------------------------
def _point(arg: str, p: Any, n: int) -> np.ndarray:
    try:
        arr = np.array(p, dtype=float)
    except (TypeError, ValueError):
        raise ValueError(f"{arg} must be {n} numbers, got {p!r}") from None
    if arr.shape != (n,) or not np.all(np.isfinite(arr)):
        raise ValueError(f"{arg} must be {n} finite numbers (shape ({n},)), got {p!r}")
    return arr


def _window_point(xlim: Any, ylim: Any, n: int, fx: float, fy: float) -> np.ndarray:
    """The point at fractions (fx, fy) of the window; extra coordinates alternate."""
    (x0, x1) = check.interval("xlim", xlim)
    x = x0 + fx * (x1 - x0)
    if n == 1:
        return np.array([x])
    (y0, y1) = check.interval("ylim", ylim)
    y = y0 + fy * (y1 - y0)
    return np.array([x, y, *([x, y] * n)[: n - 2]])


def _spans_decades(surface: Surface, size: int = 48) -> bool:
    """Do the values over the window span decades (so contours want log-spaced levels)?

    Rule: with d = f - min f on a grid, the 90th percentile of d exceeds the 10th by more
    than 50x (a deep narrow valley, or steep walls around a flat floor). On the catalogue it
    says yes for rosenbrock, beale and a quadratic with kappa >= ~60, no for the rest.
    """
    xs = np.linspace(*surface.xlim, size)
    ys = np.linspace(*surface.ylim, size)
    values = surface.f(np.stack(np.meshgrid(xs, ys), axis=-1))
    values = values[np.isfinite(values)]
    if values.size < 10:
        return False
    d = values - values.min()
    low, high = np.percentile(d, [10, 90])
    return bool(high > 50 * low)


# ---------------------------------------------------------------------------------------------
# the catalogue
# ---------------------------------------------------------------------------------------------
def _num(v: float) -> sp.Expr:
    """A SymPy number: an exact Integer when v is integral, else a Float."""
    return sp.Integer(int(v)) if float(v).is_integer() else sp.Float(v)


def _newton_minima(expr: sp.Expr, variables: tuple[sp.Symbol, ...],
                   approx: Sequence[Sequence[float]]) -> np.ndarray:
    """Refine approximate minima by Newton's method on the gradient: x <- x - H^-1 g.

    Each result must stay within 1e-2 of its approximation, have |grad| <= 1e-12 and a
    positive definite Hessian; anything else is a bug in the catalogue.
    """
    c = _compile(expr, variables)
    out = []
    for guess in approx:
        x = np.array(guess, dtype=float)
        for _ in range(50):
            g = c.grad(*x)
            step = np.linalg.solve(c.hess(*x), g)
            x = x - step
            if np.max(np.abs(step)) <= 1e-15 * max(1.0, np.max(np.abs(x))):
                break
        g, h = c.grad(*x), c.hess(*x)
        if (np.max(np.abs(x - guess)) > 1e-2 or np.linalg.norm(g) > 1e-12
                or np.linalg.eigvalsh(h)[0] <= 0):  # pragma: no cover - catalogue bug
            raise RuntimeError(f"Newton refinement of the minimum near {guess} failed: {x}")
        out.append(x)
    return np.array(out)


def _xy() -> tuple[sp.Symbol, sp.Symbol]:
    return symbolic.symbols("x y")  # type: ignore[return-value]


def _make(name: str, expr: sp.Expr, variables: tuple[sp.Symbol, ...], *, xlim: tuple[float, float],
          ylim: tuple[float, float] | None, minima: Any, start: Any, log_levels: bool,
          title: str, params: dict[str, Any], global_min: float | None | str = "at minima") -> Surface:
    """Build a catalogue Surface; by default global_min = the least f over the listed minima."""
    minima = np.asarray(minima, dtype=float).reshape(-1, len(variables))
    if global_min == "at minima":
        fmin = _compile(expr, variables).f
        global_min = float(min(fmin(*m) for m in minima))
    return Surface(name=name, expr=expr, variables=variables, xlim=xlim, ylim=ylim,
                   minima=minima, global_min=global_min, start=start, log_levels=log_levels,
                   title=title, params=params)


def _quadratic_expr(A: np.ndarray, b: np.ndarray, syms: Sequence[sp.Symbol]) -> sp.Expr:
    """f = 1/2 x^T A x - b^T x, written out entry by entry (A symmetric)."""
    n = len(syms)
    half = sp.Rational(1, 2)
    quad = sum(half * _num(A[i, i]) * syms[i] ** 2 for i in range(n))
    cross = sum(_num(A[i, j]) * syms[i] * syms[j] for i in range(n) for j in range(i + 1, n))
    lin = sum(_num(b[i]) * syms[i] for i in range(n))
    return sp.sympify(quad + cross - lin)


def quadratic(kappa: float = 10.0, angle: float = 0.0, scale: float = 1.0) -> Surface:
    """f = 1/2 p^T A p with A = scale * R diag(1, kappa) R^T, R the rotation by `angle` degrees.

    The condition number of A is kappa: the curvature is `scale` along the direction at
    `angle` degrees from the x-axis and `kappa * scale` across it. Minimum 0 at the origin.
    Gradient descent is stable for lr < 2 / (kappa * scale).
    """
    kappa = check.real("kappa", kappa, "a finite number (condition number) >= 1", lambda v: v >= 1)
    angle = check.real("angle", angle, "a finite number (degrees)")
    scale = check.positive("scale", scale)
    theta = math.radians(angle)
    c, s = (0.0 if abs(v) < 1e-15 else v for v in (math.cos(theta), math.sin(theta)))
    R = np.array([[c, -s], [s, c]])
    A = scale * R @ np.diag([1.0, kappa]) @ R.T
    A = (A + A.T) / 2
    x, y = _xy()
    start = R @ np.array([-1.6, 0.9])
    return _make("quadratic", _quadratic_expr(A, np.zeros(2), (x, y)), (x, y),
                 xlim=(-2.0, 2.0), ylim=(-2.0, 2.0), minima=[[0.0, 0.0]], start=start,
                 log_levels=kappa >= 50, params={"kappa": kappa, "angle": angle, "scale": scale},
                 title=f"quadratic (κ = {kappa:g}, θ = {angle:g}°, scale {scale:g})")


def quadratic_nd(A: ArrayLike, b: ArrayLike | None = None) -> Surface:
    """f = 1/2 x^T A x - b^T x for a symmetric positive definite n x n matrix A.

    Gradient A x - b, Hessian A, unique minimum at x* = A^-1 b with value -1/2 b^T x*.
    Variables x1, ..., xn; the window (xlim, ylim) is x* +- 3 in the first two coordinates.
    """
    try:
        A = np.array(A, dtype=float)
    except (TypeError, ValueError):
        raise ValueError(f"A must be a square matrix of numbers, got {A!r}") from None
    if A.ndim != 2 or A.shape[0] != A.shape[1] or A.shape[0] == 0:
        raise ValueError(f"A must be a square n x n matrix, got shape {A.shape}")
    n = A.shape[0]
    if not np.all(np.isfinite(A)):
        raise ValueError("A must have finite entries")
    if not np.allclose(A, A.T, rtol=1e-12, atol=1e-12 * np.max(np.abs(A))):
        raise ValueError("A must be symmetric (A == A.T)")
    A = (A + A.T) / 2
    eig = np.linalg.eigvalsh(A)
    if eig[0] <= 0:
        raise ValueError(f"A must be positive definite, but its smallest eigenvalue is {eig[0]:.3g}")
    b = np.zeros(n) if b is None else _point("b", b, n)
    syms = symbolic.symbols([f"x{i + 1}" for i in range(n)])
    xstar = np.linalg.solve(A, b)
    offset = np.array([(-1.5, 1.5)[i % 2] for i in range(n)])
    kappa = eig[-1] / eig[0]
    A.setflags(write=False)
    b.setflags(write=False)
    return _make("quadratic_nd", _quadratic_expr(A, b, syms), syms,
                 xlim=(xstar[0] - 3, xstar[0] + 3),
                 ylim=(xstar[1] - 3, xstar[1] + 3) if n > 1 else None,
                 minima=[xstar], start=xstar + offset, log_levels=bool(kappa >= 50),
                 params={"A": A, "b": b}, title=f"quadratic in {n}-D (κ = {kappa:.3g})")


def bowl() -> Surface:
    """f = x^2 + y^2: the round bowl, minimum 0 at the origin; the same curvature everywhere."""
    x, y = _xy()
    return _make("bowl", x**2 + y**2, (x, y), xlim=(-2.0, 2.0), ylim=(-2.0, 2.0),
                 minima=[[0, 0]], start=[-1.5, 1.0], log_levels=False, params={}, title="bowl")


def rosenbrock(a: float = 1.0, b: float = 100.0) -> Surface:
    """f = (a - x)^2 + b (y - x^2)^2: a curved, flat-bottomed valley; minimum 0 at (a, a^2)."""
    a = check.real("a", a)
    b = check.positive("b", b)
    x, y = _xy()
    expr = (_num(a) - x) ** 2 + _num(b) * (y - x**2) ** 2
    return _make("rosenbrock", expr, (x, y), xlim=(-2.0, 2.0), ylim=(-1.0, 3.0),
                 minima=[[a, a * a]], start=[-1.2, 1.0], log_levels=True,
                 params={"a": a, "b": b}, title=f"Rosenbrock (a = {a:g}, b = {b:g})")


def beale() -> Surface:
    """f = (1.5 - x + xy)^2 + (2.25 - x + xy^2)^2 + (2.625 - x + xy^3)^2; minimum 0 at (3, 0.5).

    Steep walls (values up to 1e5 in the window) around flat plateaus.
    """
    x, y = _xy()
    r = sp.Rational
    expr = (r(3, 2) - x + x * y) ** 2 + (r(9, 4) - x + x * y**2) ** 2 + (r(21, 8) - x + x * y**3) ** 2
    return _make("beale", expr, (x, y), xlim=(-4.5, 4.5), ylim=(-4.5, 4.5),
                 minima=[[3.0, 0.5]], start=[1.0, 1.5], log_levels=True, params={},
                 title="Beale")


def himmelblau() -> Surface:
    """f = (x^2 + y - 11)^2 + (x + y^2 - 7)^2: four minima, all with value 0.

    (3, 2) is exact; the other three are refined by Newton's method from their known
    approximations. Which one descent reaches depends on the start.
    """
    x, y = _xy()
    expr = (x**2 + y - 11) ** 2 + (x + y**2 - 7) ** 2
    approx = [[3.0, 2.0], [-2.805118, 3.131312], [-3.779310, -3.283186], [3.584428, -1.848126]]
    return _make("himmelblau", expr, (x, y), xlim=(-5.0, 5.0), ylim=(-5.0, 5.0),
                 minima=_newton_minima(expr, (x, y), approx), start=[-0.5, -0.3],
                 log_levels=True, params={}, title="Himmelblau")


def saddle() -> Surface:
    """f = x^2 - y^2: a saddle point at the origin, no minimum (unbounded below)."""
    x, y = _xy()
    return _make("saddle", x**2 - y**2, (x, y), xlim=(-2.0, 2.0), ylim=(-2.0, 2.0),
                 minima=np.empty((0, 2)), start=[-1.8, 0.01], log_levels=False, params={},
                 title="saddle", global_min=None)


def monkey_saddle() -> Surface:
    """f = x^3 - 3xy^2: a degenerate saddle (zero Hessian) at the origin, three valleys."""
    x, y = _xy()
    return _make("monkey_saddle", x**3 - 3 * x * y**2, (x, y), xlim=(-1.5, 1.5), ylim=(-1.5, 1.5),
                 minima=np.empty((0, 2)), start=[1.2, 0.2], log_levels=False, params={},
                 title="monkey saddle", global_min=None)


def six_hump_camel() -> Surface:
    """f = (4 - 2.1x^2 + x^4/3) x^2 + xy + (-4 + 4y^2) y^2: six local minima, two global.

    Global minima f = -1.0316 near (0.0898, -0.7126) and (-0.0898, 0.7126); the others come
    in symmetric pairs. Coordinates are refined by Newton's method from the known values.
    """
    x, y = _xy()
    expr = (4 - sp.Rational(21, 10) * x**2 + x**4 / 3) * x**2 + x * y + (-4 + 4 * y**2) * y**2
    approx = [[0.0898, -0.7126], [-0.0898, 0.7126], [-1.7036, 0.7961], [1.7036, -0.7961],
              [-1.6071, -0.5687], [1.6071, 0.5687]]
    return _make("six_hump_camel", expr, (x, y), xlim=(-2.0, 2.0), ylim=(-1.1, 1.1),
                 minima=_newton_minima(expr, (x, y), approx), start=[-1.4, -0.2],
                 log_levels=False, params={}, title="six-hump camel")


def booth() -> Surface:
    """f = (x + 2y - 7)^2 + (2x + y - 5)^2: a convex quadratic, minimum 0 at (1, 3)."""
    x, y = _xy()
    expr = (x + 2 * y - 7) ** 2 + (2 * x + y - 5) ** 2
    return _make("booth", expr, (x, y), xlim=(-10.0, 10.0), ylim=(-10.0, 10.0),
                 minima=[[1.0, 3.0]], start=[-8.0, -6.0], log_levels=False, params={},
                 title="Booth")


def matyas() -> Surface:
    """f = 0.26 (x^2 + y^2) - 0.48 xy: a flat, ill-conditioned (κ = 25) bowl; minimum 0 at 0."""
    x, y = _xy()
    expr = sp.Rational(26, 100) * (x**2 + y**2) - sp.Rational(48, 100) * x * y
    return _make("matyas", expr, (x, y), xlim=(-10.0, 10.0), ylim=(-10.0, 10.0),
                 minima=[[0.0, 0.0]], start=[-8.0, 4.0], log_levels=False, params={},
                 title="Matyas")


def styblinski_tang() -> Surface:
    """f = 1/2 sum(xi^4 - 16 xi^2 + 5 xi) in 2-D: four local minima, global near (-2.9035, -2.9035).

    Each coordinate's minima are roots of 4t^3 - 32t + 5 = 0 (t ~ -2.9035 and t ~ 2.7468),
    refined by Newton's method.
    """
    x, y = _xy()
    expr = sp.Rational(1, 2) * sum(v**4 - 16 * v**2 + 5 * v for v in (x, y))
    lo, hi = -2.903534, 2.746803
    approx = [[lo, lo], [lo, hi], [hi, lo], [hi, hi]]
    return _make("styblinski_tang", expr, (x, y), xlim=(-5.0, 5.0), ylim=(-5.0, 5.0),
                 minima=_newton_minima(expr, (x, y), approx), start=[0.5, 4.5],
                 log_levels=False, params={}, title="Styblinski-Tang")


#: name -> builder, in the order dropdowns show them.
CATALOGUE: dict[str, Callable[..., Surface]] = {
    "quadratic": quadratic, "bowl": bowl, "booth": booth, "matyas": matyas,
    "rosenbrock": rosenbrock, "beale": beale, "himmelblau": himmelblau,
    "six_hump_camel": six_hump_camel, "styblinski_tang": styblinski_tang,
    "saddle": saddle, "monkey_saddle": monkey_saddle, "quadratic_nd": quadratic_nd,
}


def names() -> list[str]:
    """The catalogue's surface names, in display order."""
    return list(CATALOGUE)


def get(name: str, **params: Any) -> Surface:
    """The catalogue surface `name` built with `params`, e.g. ``get("quadratic", kappa=50)``."""
    if not isinstance(name, str) or name not in CATALOGUE:
        raise ValueError(f"name: unknown surface {name!r}; known surfaces are {', '.join(CATALOGUE)}")
    builder = CATALOGUE[name]
    signature = inspect.signature(builder)
    unknown = [k for k in params if k not in signature.parameters]
    if unknown:
        allowed = ", ".join(signature.parameters) or "no parameters"
        raise ValueError(f"{unknown[0]}: not a parameter of surface {name!r} (it takes {allowed})")
    try:
        signature.bind(**params)
    except TypeError as err:
        raise ValueError(f"surface {name!r}: {err}") from None
    return builder(**params)
