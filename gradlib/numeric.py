"""Finite differences: derivatives from function values alone, and gradcheck.

    forward    f'(x) ~ (f(x + h) - f(x)) / h           truncation O(h),   rounding ~ eps |f| / h
    backward   f'(x) ~ (f(x) - f(x - h)) / h           truncation O(h),   rounding ~ eps |f| / h
    central    f'(x) ~ (f(x + h) - f(x - h)) / (2h)    truncation O(h^2), rounding ~ eps |f| / h
    complex    f'(x) ~ Im f(x + i h) / h               truncation O(h^2), no subtraction -> no
                                                       rounding blow-up (f must be analytic)

Layered like scipy.differentiate: ``jacobian`` takes one difference quotient per input
coordinate; ``gradient`` is the Jacobian of a scalar function; ``hessian`` is the Jacobian OF
THE GRADIENT; ``derivative`` is the one-variable case. Shapes:

    derivative(f, x)   f: float -> float               x: float   -> float
    gradient(f, x)     f: (n,) array -> float          x: (n,)    -> (n,)
    jacobian(f, x)     f: (n,) array -> (m,) array     x: (n,)    -> (m, n)   (f(x).shape + (n,))
    hessian(f, x)      f: (n,) array -> float          x: (n,)    -> (n, n)

``f`` is any Python callable; it receives a fresh copy of the point (a float for ``derivative``,
a float64 array otherwise, complex128 for ``method="complex"``), so ``x`` is never mutated.
Quotients use ``h`` exactly as given, so they read as the formulas above.
"""
from __future__ import annotations

import html
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple

import numpy as np

from . import _checks as check

__all__ = ["METHODS", "default_step", "derivative", "gradient", "jacobian", "hessian",
           "step_errors", "rel_error", "entry_rel_errors", "gradcheck", "GradcheckResult",
           "Mismatch"]

METHODS = ("forward", "backward", "central", "complex")
EPS = float(np.finfo(np.float64).eps)        # 2.2e-16, the spacing of float64 numbers near 1
TINY = float(np.finfo(np.float64).tiny)      # 2.2e-308, guards 0 / 0 in relative errors

# Step constants c in h = c * max(1, |x_i|). Each balances truncation against rounding:
#   order 1, one-sided:  h + eps/h        smallest at h ~ eps^(1/2)   (1.5e-8)
#   order 1, central:    h^2 + eps/h      smallest at h ~ eps^(1/3)   (6.1e-6)
#   order 1, complex:    h^2 only         any tiny h works            (1e-20)
#   order 2, one-sided:  h + eps/h^2      smallest at h ~ eps^(1/3)
#   order 2, central:    h^2 + eps/h^2    smallest at h ~ eps^(1/4)   (1.2e-4)
#   order 2, complex:    central difference of an (exact) complex-step gradient: h ~ eps^(1/3)
_STEP = {
    1: {"forward": EPS ** 0.5, "backward": EPS ** 0.5, "central": EPS ** (1 / 3), "complex": 1e-20},
    2: {"forward": EPS ** (1 / 3), "backward": EPS ** (1 / 3), "central": EPS ** 0.25,
        "complex": EPS ** (1 / 3)},
}


# ---------------------------------------------------------------- validation (once, at the boundary)

def _check_callable(f: Any, name: str = "f") -> None:
    if not callable(f):
        raise ValueError(f"{name} must be a callable (a Python function), got {type(f).__name__}")


def _check_array(value: Any, name: str) -> np.ndarray:
    """A finite real float64 copy of ``value`` (SymPy numbers are accepted too)."""
    try:
        arr = np.array(value)
        if arr.dtype.kind == "O" and not any(isinstance(v, (str, bytes)) for v in arr.flat):
            arr = arr.astype(np.float64)          # e.g. a list of SymPy Floats
    except (TypeError, ValueError):
        arr = np.array(None)
    if arr.dtype.kind not in "iuf":
        raise ValueError(f"{name} must be real numbers, got {_describe(value)}")
    arr = arr.astype(np.float64)
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} must be finite, got {_describe(value)}")
    return arr


def _check_x(x: Any, *, scalar: bool = False) -> np.ndarray:
    arr = _check_array(x, "x")
    if scalar and arr.ndim != 0:
        raise ValueError(f"x must be a single number for derivative, got shape {arr.shape} "
                         f"(use gradient or jacobian for a point with several coordinates)")
    if not scalar and arr.ndim != 1:
        raise ValueError(f"x must be a 1-D array (one entry per variable), got shape {arr.shape}")
    if not scalar and arr.size == 0:
        raise ValueError("x must have at least one entry, got an empty array")
    return arr


def _check_h(h: Any, x: np.ndarray, method: str, order: int, name: str = "h") -> np.ndarray:
    """Steps of x's shape: default_step when h is None, else h (a number or one per coordinate)."""
    if h is None:
        return default_step(method, x, order)
    try:
        arr = np.array(h)
    except (TypeError, ValueError):
        arr = np.array(None)
    if arr.dtype.kind not in "iuf" or not np.all(np.isfinite(arr)) or not np.all(arr > 0):
        raise ValueError(f"{name} must be positive and finite (a number or one per coordinate "
                         f"of x), got {_describe(h)}")
    if arr.ndim != 0 and arr.shape != x.shape:
        raise ValueError(f"{name} must be a number or have x's shape {x.shape}, got shape {arr.shape}")
    arr = np.broadcast_to(arr.astype(np.float64), x.shape).copy()
    with np.errstate(over="ignore"):
        fits = np.all(np.isfinite(x + 2 * arr)) and np.all(np.isfinite(x - 2 * arr))
    if not fits:
        raise ValueError(f"{name} is too large: x +- {name} overflows, got {_describe(h)}")
    return arr


def _describe(value: Any) -> str:
    if isinstance(value, (np.ndarray, np.generic)):
        value = np.asarray(value)
        text = repr(value.item()) if value.ndim == 0 else np.array2string(value, precision=8,
                                                                          threshold=8)
    else:
        text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


@dataclass(frozen=True)
class _Fn:
    """``f`` wrapped so that every output is checked: numeric, the expected shape, finite.

    ``shape`` is the required output shape (None: any); ``task`` names the caller in messages;
    ``scalar_input`` passes a plain float (or complex) instead of an array, for ``derivative``.
    """
    f: Callable[..., Any]
    shape: tuple[int, ...] | None
    task: str
    scalar_input: bool = False

    def __call__(self, point: np.ndarray) -> np.ndarray:
        arg = point.item() if self.scalar_input else point.copy()
        if point.dtype.kind == "c":
            out = self._call_complex(arg, point)
        else:
            out = np.asarray(self.f(arg))
            if out.dtype.kind not in "iuf":
                raise ValueError(f"f must return real numbers, got {_describe(out)} "
                                 f"at {_where(point)}")
        if self.shape is not None and out.shape != self.shape:
            hint = " (use jacobian for a vector-valued f)" if self.shape == () else ""
            raise ValueError(f"f must return {_shape_name(self.shape)} for {self.task}{hint}, "
                             f"got shape {out.shape} at {_where(point)}")
        if not np.all(np.isfinite(out)):
            raise ValueError(f"f must return finite values, got {_describe(out)} at {_where(point)}")
        return out

    def _call_complex(self, arg: Any, point: np.ndarray) -> np.ndarray:
        need = ("method='complex' needs f to accept complex input and stay analytic "
                "(numpy functions, no abs/max/comparisons/float() casts)")
        with warnings.catch_warnings():
            warnings.simplefilter("error", np.exceptions.ComplexWarning)
            try:
                out = np.asarray(self.f(arg))
            except (TypeError, ValueError, AttributeError, np.exceptions.ComplexWarning) as err:
                raise ValueError(f"{need}; f raised {type(err).__name__}: {err}") from err
        if out.dtype.kind != "c":
            raise ValueError(f"{need}; f returned {out.dtype} values, dropping the imaginary part "
                             f"(if f is constant, use method='central')")
        return out


def _shape_name(shape: tuple[int, ...]) -> str:
    return "a scalar" if shape == () else f"an array of shape {shape}"


def _where(point: np.ndarray) -> str:
    return f"x = {_describe(point)}"


# ---------------------------------------------------------------- steps

def default_step(method: str, x: float | Sequence[float] | np.ndarray, order: int = 1) -> np.ndarray:
    """The step h that balances truncation and rounding error: h_i = c * max(1, |x_i|).

        order 1:  forward/backward c = eps^(1/2) ~ 1.5e-8;  central c = eps^(1/3) ~ 6.1e-6;
                  complex c = 1e-20 (no subtraction, so rounding does not grow as h shrinks)
        order 2:  forward/backward c = eps^(1/3);  central c = eps^(1/4) ~ 1.2e-4;
                  complex c = eps^(1/3) (the real step of the central difference taken of the
                  complex-step gradient; the complex step inside stays 1e-20 * scale)

    eps = 2.2e-16 is float64's machine epsilon; scaling by max(1, |x_i|) keeps h a relative step
    for large x and an absolute one near 0. Returns an array of x's shape.
    """
    method = check.one_of("method", method, METHODS)
    if isinstance(order, bool) or order not in (1, 2):
        raise ValueError(f"order must be 1 (first derivatives) or 2 (second), got {order!r}")
    arr = _check_array(x, "x")
    return _STEP[order][method] * np.maximum(1.0, np.abs(arr))


# ---------------------------------------------------------------- the difference quotients

def _partials(F: Callable[[np.ndarray], np.ndarray], x: np.ndarray, h: np.ndarray,
              method: str) -> np.ndarray:
    """D[..., i] = difference quotient of F along e_i with step h_i; shape F(x).shape + (n,)."""
    n = x.size
    fx = F(x) if method in ("forward", "backward") else None
    columns = []
    for i in range(n):
        step = np.zeros(n)
        step[i] = h[i]
        if method == "forward":
            num, den = F(x + step) - fx, h[i]                     # f(x + h e_i) - f(x)
        elif method == "backward":
            num, den = fx - F(x - step), h[i]                     # f(x) - f(x - h e_i)
        elif method == "central":
            num, den = F(x + step) - F(x - step), 2 * h[i]        # f(x + h e_i) - f(x - h e_i)
        else:
            num, den = F(x + 1j * step).imag, h[i]                # Im f(x + i h e_i)
        with np.errstate(over="ignore"):
            columns.append(num / den)
    result = np.stack(columns, axis=-1)
    if not np.all(np.isfinite(result)):
        raise ValueError(f"a difference quotient overflowed (h = {_describe(h)}): f changes faster "
                         f"than float64 can represent over that step, or h is far too small")
    return result


def _quotients_1d(call: Callable[[np.ndarray], np.ndarray], x: float, hs: np.ndarray,
                  method: str) -> np.ndarray:
    """The one-variable quotient for each step in hs (1-D); ``call`` maps points to values."""
    with np.errstate(over="ignore"):
        if method == "forward":
            return (call(x + hs) - call(np.array([x]))) / hs
        if method == "backward":
            return (call(np.array([x])) - call(x - hs)) / hs
        if method == "central":
            return (call(x + hs) - call(x - hs)) / (2 * hs)
        return call(x + 1j * hs).imag / hs


def _looped(f: Callable[..., Any]) -> Callable[[np.ndarray], np.ndarray]:
    """Evaluate a scalar function of one float at each point, checking every value."""
    F = _Fn(f, (), "derivative", scalar_input=True)
    return lambda points: np.array([F(p) for p in points]).reshape(points.shape)


def _vectorized(f: Callable[..., Any]) -> Callable[[np.ndarray], np.ndarray]:
    """Evaluate f once on the whole array of points; raise _NotVectorized if that fails."""
    def call(points: np.ndarray) -> np.ndarray:
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("error", np.exceptions.ComplexWarning)
                out = np.asarray(f(points.copy()))
        except Exception as err:  # any failure on arrays: fall back to one call per point
            raise _NotVectorized from err
        kind_ok = out.dtype.kind == "c" if points.dtype.kind == "c" else out.dtype.kind in "iuf"
        if not kind_ok or out.shape != points.shape or not np.all(np.isfinite(out)):
            raise _NotVectorized
        return out
    return call


class _NotVectorized(Exception):
    pass


# ---------------------------------------------------------------- public derivatives

def derivative(f: Callable[[float], float], x: float, h: float | None = None,
               method: str = "central") -> float:
    """f'(x) of a function of one variable by a difference quotient (see the module docstring).

        central: (f(x + h) - f(x - h)) / (2h);  forward: (f(x + h) - f(x)) / h;
        backward: (f(x) - f(x - h)) / h;        complex: Im f(x + ih) / h

    f takes a float (a complex for method="complex") and returns a float. h=None uses
    default_step(method, x).
    """
    _check_callable(f)
    method = check.one_of("method", method, METHODS)
    x0 = _check_x(x, scalar=True)
    step = _check_h(h, x0, method, 1)
    result = _quotients_1d(_looped(f), float(x0), step.reshape(1), method)
    if not np.isfinite(result[0]):
        raise ValueError(f"the difference quotient overflowed (h = {float(step)!r}): f changes "
                         f"faster than float64 can represent over that step, or h is far too small")
    return float(result[0])


def jacobian(f: Callable[[np.ndarray], Any], x: Sequence[float] | np.ndarray,
             h: float | np.ndarray | None = None, method: str = "central") -> np.ndarray:
    """The Jacobian J[i, j] = d f_i / d x_j, one difference quotient per coordinate x_j.

        column j:  (f(x + h_j e_j) - f(x - h_j e_j)) / (2 h_j)     (central; others alike)

    f maps a 1-D array of n entries to an array of shape S (usually (m,)); the result has shape
    S + (n,). h: None (default_step), a number, or one step per coordinate.
    """
    _check_callable(f)
    method = check.one_of("method", method, METHODS)
    x0 = _check_x(x)
    step = _check_h(h, x0, method, 1)
    shape = _Fn(f, None, "jacobian")(x0).shape
    return _partials(_Fn(f, shape, "jacobian"), x0, step, method)


def gradient(f: Callable[[np.ndarray], float], x: Sequence[float] | np.ndarray,
             h: float | np.ndarray | None = None, method: str = "central") -> np.ndarray:
    """The gradient [df/dx_1, ..., df/dx_n]: the Jacobian of a scalar function f: R^n -> R.

        entry i:  (f(x + h_i e_i) - f(x - h_i e_i)) / (2 h_i)      (central; others alike)

    f maps a 1-D array of n entries to a scalar; returns shape (n,). h: None (default_step),
    a number, or one step per coordinate.
    """
    _check_callable(f)
    method = check.one_of("method", method, METHODS)
    x0 = _check_x(x)
    step = _check_h(h, x0, method, 1)
    return _partials(_Fn(f, (), "gradient"), x0, step, method)


def hessian(f: Callable[[np.ndarray], float], x: Sequence[float] | np.ndarray,
            h: float | np.ndarray | None = None, method: str = "central") -> np.ndarray:
    """The Hessian H[i, j] = d2f / dx_i dx_j, computed as the Jacobian OF THE GRADIENT.

        H = jacobian(gradient(f)) ,  then symmetrized:  H <- (H + H^T) / 2

    Both layers use the same step h (default_step(method, x, order=2)) and method, which for
    "central" gives the four-point formula
        H[i, j] ~ (f(x+h_i e_i+h_j e_j) - f(x+h_i e_i-h_j e_j) - f(x-h_i e_i+h_j e_j)
                   + f(x-h_i e_i-h_j e_j)) / (4 h_i h_j)
    with error ~ h^2 + eps/h^2 (about 1e-8 relative). For "complex" the inner gradient is a
    complex step (step 1e-20 * scale, exact to rounding) and the outer layer a central difference
    with step h (error ~ h^2 + eps/h, about 1e-10 relative); f must accept complex input.
    Symmetrizing averages the two estimates of each mixed partial.
    f maps a 1-D array of n entries to a scalar; returns shape (n, n).
    """
    _check_callable(f)
    method = check.one_of("method", method, METHODS)
    x0 = _check_x(x)
    step = _check_h(h, x0, method, 2)
    F = _Fn(f, (), "hessian")
    inner_step = default_step("complex", x0) if method == "complex" else step
    outer = "central" if method == "complex" else method
    H = _partials(lambda y: _partials(F, y, inner_step, method), x0, step, outer)
    return (H + H.T) / 2


def step_errors(f: Callable[[Any], Any], x: float, exact: float,
                hs: Sequence[float] | np.ndarray, method: str = "central") -> np.ndarray:
    """|D_h f(x) - exact| for each step h in hs: the data of the error-versus-h U-curve.

    D_h is the same quotient derivative(f, x, h, method) takes. Large h: truncation error
    (slope 1 on log-log axes for one-sided, 2 for central and complex); small h: rounding error
    ~ eps |f| / h (slope -1), absent for complex. Entries are inf where the quotient overflowed
    (h absurdly small). f is called once on the whole array of points when it accepts arrays
    (numpy functions do), otherwise once per point. Returns hs's shape.
    """
    _check_callable(f)
    method = check.one_of("method", method, METHODS)
    x0 = float(_check_x(x, scalar=True))
    exact0 = _check_array(exact, "exact")
    if exact0.ndim != 0:
        raise ValueError(f"exact must be a single number (the true f'(x)), got {_describe(exact)}")
    try:
        steps = np.array(hs, dtype=np.float64)
    except (TypeError, ValueError):
        steps = np.array(np.nan)
    if steps.size == 0 or not np.all(np.isfinite(steps)) or not np.all(steps > 0):
        raise ValueError(f"hs must be a non-empty array of positive finite steps, got {_describe(hs)}")
    flat = steps.ravel()
    try:
        estimates = _quotients_1d(_vectorized(f), x0, flat, method)
    except _NotVectorized:
        estimates = _quotients_1d(_looped(f), x0, flat, method)
    with np.errstate(over="ignore", invalid="ignore"):
        errors = np.abs(estimates - float(exact0))
    errors[~np.isfinite(errors)] = np.inf
    return errors.reshape(steps.shape)


# ---------------------------------------------------------------- comparing derivatives

def _pair(a: Any, b: Any) -> tuple[np.ndarray, np.ndarray]:
    A, B = _check_array(a, "a"), _check_array(b, "b")
    try:
        return tuple(np.broadcast_arrays(A, B))
    except ValueError:
        raise ValueError(f"a and b must have broadcastable shapes, got {A.shape} and {B.shape}") from None


def rel_error(a: Any, b: Any) -> float:
    """The NORMWISE relative error (max-norm) between two arrays (or numbers):

        rel_error(a, b) = max |a - b| / max(max |a|, max |b|, tiny)

    Every entry's error is measured against the LARGEST entry magnitude, so a zero entry cannot
    divide by zero (tiny = 2.2e-308; two all-zero arrays give 0), and the rounding noise of a
    finite difference at a tiny entry cannot inflate it. Symmetric in a, b.

    This is NOT the per-entry relative error |a_i - b_i| / max(|a_i|, |b_i|) that CS231n's
    gradient-check bands (> 1e-2 wrong, < 1e-7 right) are stated for: that one is
    ``entry_rel_errors(a, b).max()``, and always rel_error(a, b) <= entry_rel_errors(a, b).max().
    The price of the normwise view: an error confined to a tiny entry barely moves it.
    """
    A, B = _pair(a, b)
    if A.size == 0:
        return 0.0
    scale = max(float(np.max(np.abs(A))), float(np.max(np.abs(B))), TINY)
    return float(np.max(np.abs(A - B)) / scale)


def entry_rel_errors(a: Any, b: Any) -> np.ndarray:
    """The PER-ENTRY (componentwise) relative errors, the quantity of CS231n's gradient-check bands:

        entry_rel_errors(a, b)[i] = |a_i - b_i| / max(|a_i|, |b_i|, tiny)

    Scale-free entry by entry, which is its weakness: a finite difference carries rounding noise
    of about eps |f| / h in EVERY entry, whatever the entry's size, so at an entry near 0 that
    noise is divided by a tiny number and the ratio explodes (up to 1) although nothing is wrong.
    Two entries that are both exactly 0 give 0. Symmetric in a, b; broadcasts; returns a float64
    array of the broadcast shape (0-d for two numbers).
    """
    A, B = _pair(a, b)
    return np.abs(A - B) / np.maximum(np.maximum(np.abs(A), np.abs(B)), TINY)


class Mismatch(NamedTuple):
    """One entry of a gradient check: where, both values, the errors and the allowed error."""
    index: tuple[int, ...]
    analytic: float
    numeric: float
    abs_error: float     # |analytic - numeric|
    rel_error: float     # this entry's relative error |analytic - numeric| / max(|analytic|, |numeric|, tiny)
    allowed: float       # atol + rtol * |numeric|

    @property
    def ok(self) -> bool:
        return self.abs_error <= self.allowed


@dataclass(frozen=True)
class GradcheckResult:
    """The verdict of gradcheck, with the worst entries so you can see WHERE a gradient is wrong.

    ok                   every entry satisfies |analytic - numeric| <= atol + rtol * |numeric|
    max_abs_error        max |analytic - numeric|
    max_rel_error        the NORMWISE relative error rel_error(analytic, numeric)
                         = max |a - n| / max(max |a|, max |n|): every entry's error against the
                         LARGEST entry. Not the largest per-entry error (next line); never above it.
    max_entry_rel_error  the largest PER-ENTRY relative error max_i |a_i - n_i| / max(|a_i|, |n_i|)
                         (entry_rel_errors; the quantity of CS231n's bands). It explodes at entries
                         near 0, where rounding noise of size ~eps |f| / h is most of the entry.
    entry_rel_index      the index where that largest per-entry error sits
    worst_index          index of the entry furthest outside (or least inside) its tolerance
    worst                up to 5 entries, worst first, ranked by |a - n| / (atol + rtol |n|)
    n_failed             how many entries break the tolerance; n_checked how many were compared
    analytic, numeric    the two full arrays (read-only)

    ``bool(result)`` is ``result.ok``, so ``assert gradcheck(f, grad, x)`` works as in torch.
    """
    ok: bool
    max_abs_error: float
    max_rel_error: float
    max_entry_rel_error: float
    entry_rel_index: tuple[int, ...]
    worst_index: tuple[int, ...]
    worst: tuple[Mismatch, ...]
    n_failed: int
    n_checked: int
    atol: float
    rtol: float
    eps: float
    analytic: np.ndarray = field(repr=False, compare=False)
    numeric: np.ndarray = field(repr=False, compare=False)

    def __bool__(self) -> bool:
        return self.ok

    def _headline(self) -> str:
        rule = f"|analytic - numeric| <= atol + rtol*|numeric| (atol={self.atol:g}, rtol={self.rtol:g})"
        if self.ok:
            return f"gradcheck passed: all {self.n_checked} entries satisfy {rule}"
        return f"gradcheck FAILED: {self.n_failed} of {self.n_checked} entries break {rule}"

    def _summary(self) -> tuple[str, str, str]:
        # the two relative errors are different quantities: each keeps its own name
        return (f"normwise rel error    max|a - n| / max(max|a|, max|n|) = {self.max_rel_error:.2e}"
                f"  (.max_rel_error)",
                f"per-entry rel error   max of |a - n| / max(|a|, |n|)   = "
                f"{self.max_entry_rel_error:.2e} at {self.entry_rel_index}  (.max_entry_rel_error)",
                f"max abs error {self.max_abs_error:.2e}; worst index (by tolerance) {self.worst_index}")

    def __str__(self) -> str:
        lines = [self._headline(), *self._summary(),
                 f"{'index':>10} {'analytic':>16} {'numeric':>16} {'abs err':>9} {'entry rel':>10} "
                 f"{'allowed':>9}"]
        for m in self.worst:
            lines.append(f"{str(m.index):>10} {m.analytic:>16.8e} {m.numeric:>16.8e} "
                         f"{m.abs_error:>9.1e} {m.rel_error:>10.1e} {m.allowed:>9.1e}  "
                         f"{'ok' if m.ok else 'FAIL'}")
        return "\n".join(lines)

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        # the plain-text view in notebooks and IPython: the table, not a field dump
        printer.text(str(self))

    def _repr_html_(self) -> str:
        color = "#1a7f37" if self.ok else "#cf222e"
        head = "".join(f"<th>{h}</th>" for h in
                       ("index", "analytic", "numeric", "abs err", "entry rel", "allowed", ""))
        rows = "".join(
            f"<tr style='color:{'inherit' if m.ok else '#cf222e'}'><td>{html.escape(str(m.index))}"
            f"</td><td>{m.analytic:.8e}</td><td>{m.numeric:.8e}</td><td>{m.abs_error:.1e}</td>"
            f"<td>{m.rel_error:.1e}</td><td>{m.allowed:.1e}</td><td>{'ok' if m.ok else 'FAIL'}</td></tr>"
            for m in self.worst)
        return (f"<div><b style='color:{color}'>{html.escape(self._headline())}</b><br>"
                + "<br>".join(html.escape(line) for line in self._summary()) +
                f"<table><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table></div>")


def gradcheck(f: Callable[[np.ndarray], Any], grad: Callable[[np.ndarray], Any],
              x: Sequence[float] | np.ndarray, *, eps: float = 1e-6, atol: float = 1e-5,
              rtol: float = 1e-3) -> GradcheckResult:
    """Compare a hand-written derivative with float64 central differences (torch's rule).

        numeric[..., j] = (f(x + eps e_j) - f(x - eps e_j)) / (2 eps)      (absolute step eps)
        ok  iff  |analytic - numeric| <= atol + rtol * |numeric|   for every entry

    f maps a 1-D array x of n entries to a scalar (then grad(x) has shape (n,)) or to an array
    of shape S (then grad(x) is the Jacobian, shape S + (n,)). Defaults are those of
    torch.autograd.gradcheck. The result reports the worst entries, not whole matrices, and
    both relative errors under their own names: the normwise max_rel_error and the per-entry
    max_entry_rel_error (see GradcheckResult). The verdict ``ok`` uses neither: torch's mixed
    rule, whose atol absorbs the rounding noise at entries near 0.
    """
    _check_callable(f)
    _check_callable(grad, "grad")
    x0 = _check_x(x)
    eps = check.positive("eps", eps)
    atol, rtol = check.nonnegative("atol", atol), check.nonnegative("rtol", rtol)
    step = _check_h(eps, x0, "central", 1, name="eps")
    shape = _Fn(f, None, "gradcheck")(x0).shape
    numeric = _partials(_Fn(f, shape, "gradcheck"), x0, step, "central")
    analytic = _check_analytic(grad(x0.copy()), numeric.shape)

    abs_err = np.abs(analytic - numeric)
    allowed = atol + rtol * np.abs(numeric)
    rel = entry_rel_errors(analytic, numeric)
    with np.errstate(over="ignore"):
        badness = abs_err / np.maximum(allowed, TINY)       # > 1 means outside the tolerance
    order = np.argsort(-badness, axis=None, kind="stable")[:5]
    worst = tuple(Mismatch(tuple(int(i) for i in np.unravel_index(k, numeric.shape)),
                           float(analytic.flat[k]), float(numeric.flat[k]), float(abs_err.flat[k]),
                           float(rel.flat[k]), float(allowed.flat[k])) for k in order)
    n_failed = int(np.sum(abs_err > allowed))
    analytic.flags.writeable = numeric.flags.writeable = False
    k_rel = int(np.argmax(rel))
    return GradcheckResult(ok=n_failed == 0, max_abs_error=float(abs_err.max()),
                           max_rel_error=rel_error(analytic, numeric),
                           max_entry_rel_error=float(rel.flat[k_rel]),
                           entry_rel_index=tuple(int(i) for i in np.unravel_index(k_rel, rel.shape)),
                           worst_index=worst[0].index,
                           worst=worst, n_failed=n_failed, n_checked=int(numeric.size),
                           atol=atol, rtol=rtol, eps=eps, analytic=analytic, numeric=numeric)


def _check_analytic(value: Any, shape: tuple[int, ...]) -> np.ndarray:
    arr = np.array(value)
    if arr.dtype.kind not in "iuf":
        raise ValueError(f"grad must return real numbers, got {_describe(value)}")
    if arr.shape != shape:
        raise ValueError(f"grad must return an array of shape {shape} (f(x).shape + x.shape), "
                         f"got shape {arr.shape}")
    if not np.all(np.isfinite(arr)):
        bad = tuple(int(i) for i in np.argwhere(~np.isfinite(arr))[0])
        raise ValueError(f"grad must return finite values, got {arr[bad]} at index {bad}")
    return arr.astype(np.float64)
