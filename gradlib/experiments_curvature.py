"""What the curvature explorer (notebook 04) shows, as pure functions: settings in, a frame out.

Nothing here imports a widget; ``gradlib.widgets.curvature`` draws these frames with the
browser renderer, and canvas.js repeats them operation for operation for pages without a kernel
(``curvatureFrame``; tests/test_canvas.py compares the two in Chromium).

    CurvatureSettings(...)                 what the explorer's controls say (hashable)
    curvature_surface(name, kappa, angle)  the catalogue surface (the quadratic with kappa, angle)
    eig2(H)                                eigenvalues (ascending) and eigenvectors of 2 x 2
                                           symmetric matrices, in closed form (the page's formula)
    run_curvature(settings) -> Path        the descent path the explorer follows
    curvature_frame(settings) -> Frame     path, eigen-glyph and model level sets per step,
                                           lr * lambda along the path against the stability line
    curvature_scene(surface) -> Scene      the contours (picture) and the lr * lambda chart panel

The Newton explorer (notebook 05; canvas.js ``newtonFrame``):

    NewtonSettings(...)                    surface, start, steps, lr, beta, damping
    run_newton(settings)                   gradient descent, momentum, Newton, damped Newton
    newton_frame(settings) -> Frame        the four paths and |grad f| along each run
    newton_scene(surface) -> Scene         the contours and the |grad f| chart panel
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import numpy as np

from . import _checks as check
from . import optim
from .experiments import describe

__all__ = ["CURVATURE_OPTIMIZERS", "CurvatureSettings", "curvature_surface", "eig2",
           "curvature_limit", "curvature_optimizer", "run_curvature", "curvature_frame",
           "curvature_scene", "KIND_WORDS", "eigen_kind", "MODEL_RADII", "ELLIPSE_POINTS",
           "HYPERBOLA_POINTS", "GLYPH_FRACTION", "NEWTON_RUNNERS", "NEWTON_COLORS", "NewtonSettings",
           "newton_optimizers", "run_newton", "run_newton_one", "newton_end_kind", "newton_status",
           "newton_frame", "newton_scene"]

#: Optimizers whose stability on a quadratic is decided by lr * lambda (and Newton, which is not).
CURVATURE_OPTIMIZERS: tuple[str, ...] = ("gd", "momentum", "newton")
#: The model's level sets drawn at each step: m = m* + r^2 (f(x_t) - m*) for these r (r = 1 is
#: the level set through x_t itself).
MODEL_RADII: tuple[float, ...] = (0.5, 1.0, 1.5)
#: Points of each drawn ellipse (closed: the last equals the first up to rounding), and of each
#: hyperbola branch (parameter s in [-2.5, 2.5]).
ELLIPSE_POINTS = 21
HYPERBOLA_POINTS = 11
#: The longest eigen-arm (largest |lambda| along the path) as a fraction of the window's width.
GLYPH_FRACTION = 0.15
#: An eigenvalue counts as zero when |lambda| <= FLAT_TOL * max |lambda| at that point
#: (as ``curvature.analyze``).
FLAT_TOL = 1e-8
UP_COLOR = "#1b7837"          # plots.POSITIVE_CURVATURE_COLOR
DOWN_COLOR = "#c51b7d"        # plots.NEGATIVE_CURVATURE_COLOR
MODEL_COLOR = "#d95f02"
POINT_FILL = "#ffd92f"
LAMBDA_MAX_COLOR = "#d62728"
LAMBDA_MIN_COLOR = "#1f77b4"
KIND_WORDS = {"minimum": "curving up in every direction",
              "maximum": "curving down in every direction",
              "saddle": "up along one direction, down along the other",
              "degenerate": "flat along some direction"}


@dataclass(frozen=True)
class CurvatureSettings:
    """The curvature explorer's controls. ``surface``: a catalogue name (the quadratic is built
    with ``kappa`` and ``angle``) or a Surface object; ``lr`` is ignored by Newton (full steps);
    ``beta`` is momentum's; ``start`` None means the surface's own start."""

    surface: Any = "rosenbrock"
    optimizer: str = "gd"
    lr: float = 2.5e-3
    beta: float = 0.9
    steps: int = 300
    start: tuple[float, float] | None = None
    kappa: float = 10.0
    angle: float = 30.0


@lru_cache(maxsize=32)
def curvature_surface(name: Any, kappa: float = 10.0, angle: float = 30.0) -> Any:
    """The catalogue surface ``name`` (``quadratic`` with this kappa and angle); a Surface object
    is returned as it is. Cached: building the quadratic takes tens of milliseconds."""
    from . import surfaces
    if not isinstance(name, str):
        return name
    if name == "quadratic":
        return surfaces.get("quadratic", kappa=float(kappa), angle=float(angle))
    return surfaces.get(name)


def eig2(H: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Eigen-decomposition of the symmetric part of 2 x 2 matrices H (..., 2, 2), closed form:

        a = H00, b = (H01 + H10) / 2, d = H11, m = (a + d) / 2, h = (a - d) / 2, r = hypot(h, b)
        lambda = m - r, m + r (ascending)
        v2 = (h + r, b) if h >= 0 else (b, r - h), normalised;  v1 = (-v2y, v2x)
        (r = 0: H is a multiple of I, v1 = (1, 0), v2 = (0, 1))

    Returns (lam (..., 2), V (..., 2, 2) with eigenvectors as columns). Non-finite H gives NaN.
    canvas.js's ``eig2`` runs the same operations (so the page's glyphs are the kernel's).
    """
    H = np.asarray(H, dtype=float)
    a, b, d = H[..., 0, 0], (H[..., 0, 1] + H[..., 1, 0]) / 2, H[..., 1, 1]
    m, h = (a + d) / 2, (a - d) / 2
    r = np.hypot(h, b)
    lam = np.stack([m - r, m + r], axis=-1)
    ux = np.where(h >= 0, h + r, b)
    uy = np.where(h >= 0, b, r - h)
    n = np.hypot(ux, uy)
    with np.errstate(all="ignore"):
        v2x = np.where(n > 0, ux / n, 0.0)
        v2y = np.where(n > 0, uy / n, 1.0)
    V = np.stack([np.stack([-v2y, v2x], axis=-1), np.stack([v2x, v2y], axis=-1)], axis=-1)
    bad = ~(np.isfinite(a) & np.isfinite(b) & np.isfinite(d))
    lam[bad] = np.nan
    V[bad] = np.nan
    return lam, V


def eigen_kind(lam: np.ndarray) -> str:
    """minimum / maximum / saddle / degenerate from two eigenvalues (zero: |l| <= 1e-8 max|l|),
    the rule of ``curvature.analyze``."""
    top = max(abs(float(lam[0])), abs(float(lam[1])))
    zero = [abs(float(v)) <= FLAT_TOL * top for v in lam]
    if top == 0 or any(zero):
        return "degenerate"
    if lam[0] > 0:
        return "minimum"
    if lam[1] < 0:
        return "maximum"
    return "saddle"


def curvature_limit(optimizer: str, beta: float) -> float | None:
    """lr * lambda_max above which the method diverges on a quadratic: 2 (gd), 2 (1 + beta)
    (heavy-ball momentum), None (Newton divides each direction by its lambda)."""
    return {"gd": 2.0, "momentum": 2.0 * (1.0 + beta), "newton": None}[optimizer]


def curvature_optimizer(settings: CurvatureSettings) -> optim.Optimizer:
    """gd(lr), momentum(lr, beta) or newton() (full steps, lr = 1)."""
    check.one_of("optimizer", settings.optimizer, CURVATURE_OPTIMIZERS)
    if settings.optimizer == "newton":
        return optim.newton()
    lr = check.positive("lr", settings.lr)
    if settings.optimizer == "momentum":
        return optim.momentum(lr, check.unit_interval("beta", settings.beta))
    return optim.gd(lr)


def run_curvature(settings: CurvatureSettings) -> optim.Path:
    """``optim.descend`` for these settings (tol 1e-10, descend's default)."""
    surface = curvature_surface(settings.surface, settings.kappa, settings.angle)
    steps = check.integer("steps", settings.steps, 1, 5000)
    return optim.descend(surface, curvature_optimizer(settings), settings.start, steps)


def _pack(blocks: np.ndarray, keep: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Points blocks[t, j] (T, P, 2) with keep[t, j], in step order, and the per-step offsets."""
    counts = keep.sum(axis=1)
    return blocks[keep].reshape(-1, 2), np.concatenate([[0], np.cumsum(counts)]).astype(float)


def _glyph(xs: np.ndarray, lam: np.ndarray, V: np.ndarray, scale: float, ref: float,
           up: bool) -> tuple[np.ndarray, np.ndarray]:
    """Per step, a segment x_t - L v_i .. x_t + L v_i (L = scale |lambda_i| / ref) for each
    eigenvalue of the chosen sign (up: lambda > 0; none where lambda is zero: |lambda| <=
    FLAT_TOL max |lambda|), each followed by a NaN break."""
    T = len(xs)
    blocks = np.full((T, 2, 3, 2), math.nan)
    keep = np.zeros((T, 2, 3), dtype=bool)
    with np.errstate(all="ignore"):
        top = np.maximum(np.abs(lam[:, 0]), np.abs(lam[:, 1]))
        finite = np.all(np.isfinite(lam), axis=1)
        for i in range(2):
            li = lam[:, i]
            ok = finite & ~(np.abs(li) <= FLAT_TOL * top) & ((li > 0) == up)
            L = scale * np.abs(li) / ref
            vx, vy = V[:, 0, i], V[:, 1, i]
            blocks[:, i, 0, 0], blocks[:, i, 0, 1] = xs[:, 0] - L * vx, xs[:, 1] - L * vy
            blocks[:, i, 1, 0], blocks[:, i, 1, 1] = xs[:, 0] + L * vx, xs[:, 1] + L * vy
            keep[:, i, :] = ok[:, None]
    return _pack(blocks.reshape(T, 6, 2), keep.reshape(T, 6))


def _model(xs: np.ndarray, grads: np.ndarray, lam: np.ndarray, V: np.ndarray
           ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per step: the level sets of the quadratic model m(x_t + d) = f + g.d + 1/2 d.H.d and its
    stationary point x_t + d*, d* = -H^-1 g (NaN where H is singular or not finite).

    In the eigenbasis (u = V^T (d - d*)), m = m* + 1/2 sum lambda_i u_i^2 with
    c0 = f - m* = 1/2 sum (v_i.g)^2 / lambda_i. Levels c = r^2 c0 (``MODEL_RADII``):
    an ellipse u_i = r sqrt(2 c0 / lambda_i) (cos, sin) when the lambdas share a sign, else the
    two branches of a hyperbola (cosh, sinh) along the direction whose lambda has c0's sign.
    All levels of one step have c0's sign, so a step is all ellipses or all hyperbolas."""
    E, Hn, R = ELLIPSE_POINTS, HYPERBOLA_POINTS, len(MODEL_RADII)
    theta = 2 * math.pi * np.arange(E) / (E - 1)
    s = -2.5 + 5.0 * np.arange(Hn) / (Hn - 1)
    cos_t, sin_t, ch, sh = np.cos(theta), np.sin(theta), np.cosh(s), np.sinh(s)
    T = len(xs)
    with np.errstate(all="ignore"):
        l0, l1 = lam[:, 0], lam[:, 1]
        fin = np.all(np.isfinite(lam), axis=1)
        top = np.where(fin, np.maximum(np.abs(l0), np.abs(l1)), 0.0)
        valid = (top > 0) & (np.abs(l0) > FLAT_TOL * top) & (np.abs(l1) > FLAT_TOL * top) \
            & np.all(np.isfinite(grads), axis=1)
        v1x, v1y, v2x, v2y = V[:, 0, 0], V[:, 1, 0], V[:, 0, 1], V[:, 1, 1]
        g1 = v1x * grads[:, 0] + v1y * grads[:, 1]
        g2 = v2x * grads[:, 0] + v2y * grads[:, 1]
        z1, z2 = -g1 / l0, -g2 / l1
        cx = xs[:, 0] + (v1x * z1 + v2x * z2)
        cy = xs[:, 1] + (v1y * z1 + v2y * z2)
        targets = np.where(valid[:, None], np.column_stack([cx, cy]), math.nan)
        c0 = 0.5 * (g1 * g1 / l0 + g2 * g2 / l1)
        draw = valid & (c0 != 0) & np.isfinite(c0)
        P = max(E + 1, 2 * (Hn + 1))
        blocks = np.full((T, R, P, 2), math.nan)
        keep = np.zeros((T, R, P), dtype=bool)
        col = lambda v: v[:, None]                               # noqa: E731
        for k, r in enumerate(MODEL_RADII):
            c = r * r * c0
            a1, a2 = 2 * c / l0, 2 * c / l1
            ell = draw & (a1 > 0) & (a2 > 0)
            hy1 = draw & ~ell & (a1 > 0)
            hy2 = draw & ~ell & ~(a1 > 0)
            # ellipse
            A, B = np.sqrt(a1), np.sqrt(a2)
            u1, u2 = col(A) * cos_t, col(B) * sin_t
            pe = np.stack([col(cx) + (col(v1x) * u1 + col(v2x) * u2),
                           col(cy) + (col(v1y) * u1 + col(v2y) * u2)], axis=-1)
            # hyperbola along v1 (a1 > 0) or along v2
            A1, B1 = np.sqrt(np.abs(a1)), np.sqrt(np.abs(a2))
            branches_1 = ((col(A1) * ch, col(B1) * sh), (col(-A1) * ch, col(B1) * sh))
            branches_2 = ((col(A1) * sh, col(B1) * ch), (col(A1) * sh, col(-B1) * ch))
            ph = []
            for (b1u1, b1u2), (b2u1, b2u2) in zip(branches_1, branches_2):
                u1 = np.where(col(hy1), b1u1, b2u1)
                u2 = np.where(col(hy1), b1u2, b2u2)
                ph.append(np.stack([col(cx) + (col(v1x) * u1 + col(v2x) * u2),
                                    col(cy) + (col(v1y) * u1 + col(v2y) * u2)], axis=-1))
            blocks[ell, k, :E] = pe[ell]
            keep[ell, k, :E + 1] = True
            hyp = hy1 | hy2
            blocks[hyp, k, :Hn] = ph[0][hyp]
            blocks[hyp, k, Hn + 1: 2 * Hn + 1] = ph[1][hyp]
            keep[hyp, k, :2 * (Hn + 1)] = True
    xy, off = _pack(blocks.reshape(T, R * P, 2), keep.reshape(T, R * P))
    return xy, off, targets


def _chart_ylim(top: np.ndarray, low: np.ndarray, line: float) -> list[float]:
    """The lr * lambda chart's y range: the line always in view, at most 3 lines above and
    2 below (a diverging run leaves the picture, which is the message)."""
    values = np.concatenate([top, low])
    values = values[np.isfinite(values)]
    lo = float(values.min()) if values.size else 0.0
    hi = float(values.max()) if values.size else line
    bottom = max(min(1.1 * lo, -0.1 * line), -2.0 * line)
    upper = min(max(1.1 * hi, 1.25 * line), 3.0 * line)
    return [bottom, upper]


def _status(settings: CurvatureSettings, surface: Any, path: optim.Path, lam: np.ndarray,
            top: np.ndarray, limit: float | None, opt: optim.Optimizer) -> str:
    """'start: eigenvalues a, b (words) · lr·λmax ... · <describe line>'."""
    parts = []
    if np.all(np.isfinite(lam[0])):
        parts.append(f"start: eigenvalues {lam[0, 0]:.3g}, {lam[0, 1]:.3g} "
                     f"({KIND_WORDS[eigen_kind(lam[0])]})")
    else:
        parts.append("start: the Hessian is not finite there")
    if limit is None:
        parts.append("Newton divides each direction by its λ, so no lr·λ limit applies")
    else:
        finite = top[np.isfinite(top)]
        over = np.flatnonzero(np.isfinite(top) & (top > limit))
        peak = float(finite.max()) if finite.size else math.nan
        line = f"{limit:.3g}"
        if over.size:
            parts.append(f"lr·λmax above the limit {line} at {over.size} of {len(top)} points "
                         f"(first at step {over[0]}, last at step {over[-1]})")
        elif finite.size:
            parts.append(f"lr·λmax below the limit {line} all along (at most {peak:.3g})")
        else:
            parts.append(f"lr·λmax is not finite anywhere (limit {line})")
    parts.append(describe(surface, path, opt))
    return " · ".join(parts)


def curvature_frame(settings: CurvatureSettings, path: optim.Path | None = None) -> Any:
    """What the curvature explorer draws (a ``gradlib.scene.Frame``).

    Panel "surface": known minima; the whole path; at step t ("at" / "segments-per-step"):
    the point x_t, the Hessian's eigen-directions as segments x_t +- L_i v_i with
    L_i = 0.15 * window width * |lambda_i| / max |lambda| along the path (green where f curves
    up, magenta where it curves down, none where lambda = 0), the quadratic model's level sets
    (``_model``) and its stationary point (an X: where a Newton step would land).
    Panel "curvature" (a chart): lr * lambda_max and lr * lambda_min at every point of the path,
    the stability line (2 for gd, 2 (1 + beta) for momentum; none for Newton), the current
    point and a cursor at step t. Status: the start's curvature, where lr * lambda_max exceeds
    the line, and ``experiments.describe``'s verdict on the run.
    """
    from .scene import Frame, Layer

    surface = curvature_surface(settings.surface, settings.kappa, settings.angle)
    opt = curvature_optimizer(settings)
    if path is None:
        path = run_curvature(settings)
    xs = np.asarray(path.xs, dtype=float)
    with np.errstate(all="ignore"):
        H = np.asarray(surface.hess(xs), dtype=float).reshape(len(xs), 2, 2)
        lam, V = eig2(H)
    lr = 1.0 if settings.optimizer == "newton" else float(settings.lr)
    limit = curvature_limit(settings.optimizer, float(settings.beta))
    with np.errstate(all="ignore"):
        top, low = lr * lam[:, 1], lr * lam[:, 0]
    finite = np.all(np.isfinite(lam), axis=1)
    big = float(np.max(np.abs(lam[finite]))) if finite.any() else 0.0
    ref = big if big > 0 else 1.0
    (xa, xb) = surface.xlim
    scale = GLYPH_FRACTION * (xb - xa)
    up_xy, up_off = _glyph(xs, lam, V, scale, ref, True)
    down_xy, down_off = _glyph(xs, lam, V, scale, ref, False)
    model_xy, model_off, targets = _model(xs, np.asarray(path.grads, dtype=float), lam, V)
    n = path.steps
    t = np.arange(n + 1, dtype=float)
    line = limit if limit is not None else 2.0
    ylim = _chart_ylim(top, low, line)
    cursor = np.empty((2 * (n + 1), 2))
    cursor[0::2, 0] = cursor[1::2, 0] = t
    cursor[0::2, 1], cursor[1::2, 1] = ylim[0], ylim[1]
    minima = np.asarray(surface.minima, dtype=float).reshape(-1, 2)
    layers = [
        Layer("surface", minima, "points", "all",
              {"marker": "*", "size": 13, "fill": "#ffffff", "edge": "#000000",
               "label": "known minima"}),
        Layer("surface", xs, "line", "all",
              {"color": "#222222", "width": 1.0, "marker": "o", "size": 2,
               "label": f"path ({path.optimizer})"}),
        Layer("surface", model_xy, "segments-per-step", "at",
              {"color": MODEL_COLOR, "width": 1.2, "dash": [5, 3],
               "label": "quadratic model's level sets at xₜ"}, offsets=model_off),
        Layer("surface", up_xy, "segments-per-step", "at",
              {"color": UP_COLOR, "width": 3.0, "label": "eigen-direction, f curves up (λ > 0)"},
              offsets=up_off),
        Layer("surface", down_xy, "segments-per-step", "at",
              {"color": DOWN_COLOR, "width": 3.0,
               "label": "eigen-direction, f curves down (λ < 0)"}, offsets=down_off),
        Layer("surface", targets, "points", "at",
              {"marker": "X", "size": 10, "fill": MODEL_COLOR, "edge": "#000000",
               "label": "model's stationary point (Newton lands here)"}),
        Layer("surface", xs, "points", "at",
              {"marker": "o", "size": 10, "fill": POINT_FILL, "edge": "#000000", "width": 1.5,
               "label": "xₜ at the shown step"}),
        Layer("curvature", np.column_stack([t, top]), "line", "all",
              {"color": LAMBDA_MAX_COLOR, "width": 1.8, "label": "lr·λmax"}),
        Layer("curvature", np.column_stack([t, low]), "line", "all",
              {"color": LAMBDA_MIN_COLOR, "width": 1.0, "label": "lr·λmin"}),
    ]
    if limit is not None:
        layers.append(Layer("curvature", np.array([[0.0, limit], [float(max(n, 1)), limit]]),
                            "line", "all", {"color": "#000000", "width": 1.0, "dash": [6, 4],
                                            "label": f"stability limit {limit:.3g}"}))
    layers += [
        Layer("curvature", cursor, "segments-per-step", "at",
              {"color": "#4d4d4d", "width": 1.0, "label": "step t"},
              offsets=2.0 * np.arange(n + 2)),
        Layer("curvature", np.column_stack([t, top]), "points", "at",
              {"marker": "o", "size": 7, "fill": LAMBDA_MAX_COLOR, "edge": "#000000",
               "label": "lr·λmax at step t"}),
    ]
    key = (f"limit {limit:.3g} (dashed)" if limit is not None else "Newton: no lr·λ limit")
    title = f"lr·λ along the path, lr = {lr:.3g}; {key}"
    kind = path.status if path.status in ("converged", "diverged", "max_steps") else "info"
    return Frame(tuple(layers), n, _status(settings, surface, path, lam, top, limit, opt), kind,
                 {"curvature": {"xlim": [0, max(n, 1)], "ylim": ylim, "title": title}})


def _title(surface: Any) -> str:
    title = str(getattr(surface, "title", "") or getattr(surface, "name", ""))
    return title if len(title) <= 60 else title[:57] + "..."


@lru_cache(maxsize=24)
def curvature_scene(surface: Any, figsize: tuple[float, float] = (9.0, 4.5),
                    dpi: int = 100) -> Any:
    """The curvature explorer's static layer: the surface's contours (panel "surface",
    rendered once by matplotlib) and the lr * lambda chart (panel "curvature", drawn by the
    page)."""
    from .experiments import descent_scene
    from .scene import Panel, Scene

    base = descent_scene(surface, figsize, 20, dpi, what="the descent path, the eigen-directions "
                         "and the quadratic model at the shown step")
    panels = [p if p.name != "loss" else
              Panel("curvature", "chart", p.bbox, title="lr·λ along the path", xlabel="step t")
              for p in base.panels]
    alt = (f"Contour plot of {_title(surface)} with the descent path, the Hessian's "
           f"eigen-directions and the local quadratic model at the shown step; lr·λmax and "
           f"lr·λmin along the path against the stability line on the right.")
    return Scene(base.width, base.height, base.image, tuple(panels), alt)


# ---------------------------------------------------------------------------------------------
# What the Newton explorer (notebook 05) draws: four methods from one start
# ---------------------------------------------------------------------------------------------
#: The Newton explorer's runners, in racing order (labels of its legend and status line).
NEWTON_RUNNERS: tuple[str, ...] = ("gradient descent", "momentum", "Newton", "damped Newton")
#: Runner colours (plots.path_colors(4): Okabe-Ito blue, orange, green, pink; colour-blind safe).
NEWTON_COLORS: tuple[str, ...] = ("#0072b2", "#e69f00", "#009e73", "#cc79a7")
#: |grad f| is floored here on the log chart (an exact 0 has no logarithm).
GRAD_FLOOR = 1e-16
#: descend's tolerance on |grad f| for every runner (second_order_race's).
NEWTON_TOL = 1e-10
NEWTON_MAX_STEPS = 500


@dataclass(frozen=True)
class NewtonSettings:
    """The Newton explorer's controls: ``surface`` (a catalogue name, the quadratic built with
    ``kappa`` and ``angle``, or a Surface object), ``start`` (None: the surface's), ``steps``,
    ``lr`` (gradient descent and momentum), ``beta`` (momentum), ``damping`` (damped Newton)."""

    surface: Any = "himmelblau"
    start: tuple[float, float] | None = (-4.0, 0.0)
    steps: int = 40
    lr: float = 0.01
    beta: float = 0.9
    damping: float = 50.0
    kappa: float = 10.0
    angle: float = 30.0


def newton_optimizers(settings: NewtonSettings) -> dict[str, optim.Optimizer]:
    """label -> optimizer (``NEWTON_RUNNERS``):

        gradient descent   x <- x - lr g
        momentum           b <- beta b + g;  x <- x - lr b
        Newton             x <- x - H^-1 g
        damped Newton      x <- x - (H + damping I)^-1 g
    """
    lr = check.positive("lr", settings.lr)
    beta = check.unit_interval("beta", settings.beta)
    damping = check.positive("damping", settings.damping)
    return dict(zip(NEWTON_RUNNERS, (optim.gd(lr), optim.momentum(lr, beta), optim.newton(),
                                     optim.newton(damping=damping))))


def run_newton_one(settings: NewtonSettings, label: str) -> optim.Path:
    """One runner's ``optim.descend`` (tol ``NEWTON_TOL``) for these settings."""
    check.one_of("label", label, NEWTON_RUNNERS)
    surface = curvature_surface(settings.surface, settings.kappa, settings.angle)
    steps = check.integer("steps", settings.steps, 1, NEWTON_MAX_STEPS)
    return optim.descend(surface, newton_optimizers(settings)[label], settings.start, steps,
                         tol=NEWTON_TOL)


def run_newton(settings: NewtonSettings) -> tuple[optim.Path, ...]:
    """Every runner's path, in ``NEWTON_RUNNERS`` order."""
    return tuple(run_newton_one(settings, label) for label in NEWTON_RUNNERS)


def newton_end_kind(surface: Any, path: optim.Path) -> str:
    """What kind of point a converged run ended at (closed-form ``eig2`` + ``eigen_kind``, the
    page's rule); "" for a run that did not converge or where H is not finite."""
    if path.status != "converged":
        return ""
    with np.errstate(all="ignore"):
        H = np.asarray(surface.hess(np.asarray(path.xs[-1], dtype=float)), dtype=float)
    lam, _ = eig2(H.reshape(2, 2))
    return eigen_kind(lam) if np.all(np.isfinite(lam)) else ""


#: |f| below this prints as "|f| < 1e-08": a value that small carries rounding noise in its
#: leading digits (the page and the kernel evaluate f in different operation orders).
F_PRINT_FLOOR = 1e-8


def _f_text(value: float) -> str:
    return f"f = {value:.4g}" if not abs(value) < F_PRINT_FLOOR else f"|f| < {F_PRINT_FLOOR:g}"


def _coord(v: float) -> str:
    """v to 3 decimals, with |v| < 5e-4 as "0.000" (never "-0.000": the sign of a coordinate
    rounding to zero is rounding noise, and may differ between the page and the kernel)."""
    return f"{v if not abs(v) < 5e-4 else 0.0:.3f}"


def newton_status(surface: Any, paths: tuple[optim.Path, ...]) -> str:
    """One line: where the runs start, then per runner how it ended, e.g.

        "from (-4.00, 0.00) · gradient descent: converged after 25 steps at (-3.779, -3.283),
         f = 2.1e-21, a minimum of f · ... · Newton: converged after 6 steps at (-3.073, -0.081),
         f = 104, a saddle of f · ..."

    A run that stopped early says why (``Path.message``: the step where |x| blew up, or a
    singular H + damping I) and where its last finite point is.
    """
    x0 = paths[0].xs[0]
    parts = [f"from ({x0[0]:.2f}, {x0[1]:.2f})"]
    for label, path in zip(NEWTON_RUNNERS, paths):
        end, value = path.xs[-1], float(path.losses[-1])
        at = f"({_coord(end[0])}, {_coord(end[1])})"
        if path.status == "diverged":
            parts.append(f"{label}: {path.message}; last finite point {at}, {_f_text(value)}")
            continue
        if path.status == "converged":
            text = f"{label}: converged after {path.steps} steps at {at}, {_f_text(value)}"
        else:
            g = path.grads[-1]
            text = (f"{label}: not converged after {path.steps} steps "
                    f"(|∇f| = {math.hypot(g[0], g[1]):.2g}) at {at}, {_f_text(value)}")
        kind = newton_end_kind(surface, path)
        if kind:
            text += f", a {kind} of f"
        parts.append(text)
    return " · ".join(parts)


def newton_frame(settings: NewtonSettings, paths: tuple[optim.Path, ...] | None = None) -> Any:
    """What the Newton explorer draws (a ``gradlib.scene.Frame``).

    Panel "surface": known minima, the start, for each runner (``NEWTON_COLORS``) its path
    revealed step by step ("upto") and its current point ("at": a run that stopped stays at its
    last point), an X where a diverged run stopped ("end"). Panel "grad" (a chart, log scale):
    |grad f(x_t)| = hypot(g_x, g_y) along each run (floored at ``GRAD_FLOOR``) and its current
    point. Status: ``newton_status``. ``paths`` (optional): ``run_newton(settings)``.
    """
    from .scene import Frame, Layer

    surface = curvature_surface(settings.surface, settings.kappa, settings.angle)
    if paths is None:
        paths = run_newton(settings)
    minima = np.asarray(surface.minima, dtype=float).reshape(-1, 2)
    layers = [Layer("surface", minima, "points", "all",
                    {"marker": "*", "size": 13, "fill": "#ffffff", "edge": "#000000",
                     "label": "known minima"}),
              Layer("surface", paths[0].xs[:1], "points", "all",
                    {"marker": "o", "size": 9, "fill": "#ffffff", "edge": "#000000", "width": 2,
                     "label": "start x₀ (click to move)"})]
    for label, path, color in zip(NEWTON_RUNNERS, paths, NEWTON_COLORS):
        xs = path.xs
        layers.append(Layer("surface", xs, "line", "upto",
                            {"color": color, "width": 1.3, "marker": "o", "size": 2,
                             "label": label}))
        layers.append(Layer("surface", xs, "points", "at",
                            {"marker": "o", "size": 7, "fill": color, "edge": "#000000",
                             "label": label}))
        if path.status == "diverged":
            layers.append(Layer("surface", xs[-1:], "points", "end",
                                {"marker": "X", "size": 10, "fill": color, "edge": "#000000",
                                 "label": f"{label}: stopped here"}))
    for label, path, color in zip(NEWTON_RUNNERS, paths, NEWTON_COLORS):
        g = np.asarray(path.grads, dtype=float)
        norm = np.maximum(np.hypot(g[:, 0], g[:, 1]), GRAD_FLOOR)
        curve = np.column_stack([np.arange(len(norm), dtype=float), norm])
        layers.append(Layer("grad", curve, "line", "upto",
                            {"color": color, "width": 1.4, "label": label}))
        layers.append(Layer("grad", curve, "points", "at",
                            {"marker": "o", "size": 6, "fill": color, "edge": "#000000",
                             "label": label}))
    longest = max(p.steps for p in paths)
    return Frame(tuple(layers), longest, newton_status(surface, paths), "info",
                 {"grad": {"ylog": True, "title": "|∇f(xₜ)| along each run (log scale)",
                           "xlim": [0, max(longest, 1)]}})


@lru_cache(maxsize=24)
def newton_scene(surface: Any, figsize: tuple[float, float] = (9.0, 4.5), dpi: int = 100) -> Any:
    """The Newton explorer's static layer: the contours (panel "surface", rendered once by
    matplotlib) and the |grad f| chart (panel "grad", drawn by the page)."""
    from .experiments import descent_scene
    from .scene import Panel, Scene

    base = descent_scene(surface, figsize, 20, dpi, what="four methods' paths")
    panels = [p if p.name != "loss" else
              Panel("grad", "chart", p.bbox, title="|∇f(xₜ)| along each run", xlabel="step t")
              for p in base.panels]
    alt = (f"Contour plot of {_title(surface)} with the paths of gradient descent, momentum, "
           f"Newton and damped Newton from one start; |∇f(xₜ)| along each run on the right "
           f"(log scale).")
    return Scene(base.width, base.height, base.image, tuple(panels), alt)
