"""Experiments the explorers show, as pure functions: settings in, numbers and words out.

Nothing here imports a widget; the explorers in ``gradlib.widgets`` call these, and notebooks and
tests call them directly (``gradlib.widgets.descent`` re-exports every name for older code).

    Settings(...)                           everything a descent explorer's controls say (hashable)
    resolve_surface(name, formula)          a catalogue surface or Surface.from_text(formula)
    learning_rate(schedule, lr, steps, ...) a number or a gradlib.optim schedule
    run_descent(settings) -> Path           the path the descent explorer draws
    lr_limits(surface, path) -> LRLimits    2/lambda_max at the start and the least along the path
    stability_factor(optimizer, hyper)      c such that the method is stable iff lr*lambda_max < c
    describe(surface, path, ...) -> str     "converged in 143 steps ...", "diverged at step 7: ..."
    default_lr(surface, optimizer)          a sensible learning rate for this surface
    race(surface, specs, steps, tol)        -> [RaceEntry(name, path, steps_to_tol, final_gap)]
    quadratic_path(a, lr, x0, steps)        gradient descent on f = a/2 x^2: x_k = (1 - lr a)^k x0
    quadratic_regime(a, lr) -> str          monotone / oscillating / divergent / ...
    basin_map(surface, optimizer, xs, ys)   which minimum descent reaches from each start on a grid
    descent_frame(settings) -> Frame        what the descent explorer's renderer draws
    quadratic_frame(QuadraticSettings)      what the 1-D explorer draws (f = a/2 x^2)
    race_frame(RaceSettings) -> Frame       what the race explorer draws (+ race_status)
"""
from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, NamedTuple

import numpy as np

from . import _checks as check
from . import optim
from .optim import Optimizer, Path
from .surfaces import Surface

__all__ = [
    "CUSTOM", "DEFAULT_FORMULA", "SCHEDULE_CHOICES", "HYPER", "HYPER_DEFAULTS", "LIMIT_FACTORS",
    "EXPLORER_TOL", "LR_EXP_RANGE",
    "Settings", "LRLimits", "RaceEntry", "Basins",
    "surface_names", "resolve_surface", "learning_rate", "make_optimizer", "run_descent",
    "lr_limits", "stability_factor", "describe", "default_lr", "race", "steps_to_tolerance",
    "quadratic_path", "quadratic_regime", "basin_map", "optimizer_family", "log_mode",
    "loss_gap", "descent_frame", "descent_scene",
    "REGIME_TEXT", "QuadraticSettings", "quadratic_closed_form", "quadratic_frame",
    "quadratic_scene", "RACERS", "RaceSettings", "race_ranking", "race_status", "run_race",
    "race_frame",
]

#: Dropdown value of "type your own f(x, y)".
CUSTOM = "custom"
DEFAULT_FORMULA = "x**2 + 3*y**2 - x*y"
#: Convergence tolerance on |grad f| used by the explorers (descend's own default is 1e-10).
EXPLORER_TOL = 1e-6
#: Learning-rate slider range, as powers of ten.
LR_EXP_RANGE = (-5.0, 1.0)
#: Schedules offered by the explorer: value -> label.
SCHEDULE_CHOICES: dict[str, str] = {
    "constant": "constant",
    "inverse_time_decay": "inverse time: lr/(1+decay·t)",
    "exponential_decay": "exponential: lr·rateᵗ",
    "step_decay": "step: halve every steps/4",
    "linear_decay": "linear to 0",
    "cosine_decay": "cosine to 0",
    "warmup": "warm-up (steps/10), then constant",
}
#: The hyper-parameters each optimizer shows besides lr (the others keep their defaults).
HYPER: dict[str, tuple[str, ...]] = {
    "gd": (), "momentum": ("beta",), "nesterov": ("beta",), "adagrad": (),
    "rmsprop": ("rho",), "adam": ("beta1", "beta2"), "adamw": ("beta1", "beta2", "weight_decay"),
    "newton": ("damping",),
}
_HYPER_DEFAULTS = {"beta": 0.9, "rho": 0.99, "beta1": 0.9, "beta2": 0.999, "weight_decay": 0.01,
                   "damping": 0.0}


def _momentum_factor(beta: float) -> float:
    return 2.0 * (1.0 + beta)


def _nesterov_factor(beta: float) -> float:
    return 2.0 * (1.0 + beta) / (1.0 + 2.0 * beta)


#: lr * lambda must stay below this for the method to be stable on a quadratic with curvature
#: lambda: 2 for gradient descent, 2 (1 + beta) for heavy-ball momentum, 2 (1 + beta) / (1 + 2 beta)
#: for Nesterov (torch's form). Adaptive methods and Newton rescale the step: no such line.
LIMIT_FACTORS: dict[str, Callable[[float], float]] = {
    "gd": lambda beta: 2.0, "momentum": _momentum_factor, "nesterov": _nesterov_factor,
}


# ---------------------------------------------------------------------------------------------
# Pure part: settings -> path -> numbers and words
# ---------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Settings:
    """Everything the descent explorer's controls say; hashable, so paths can be cached by it.

    ``surface`` is a catalogue name or ``CUSTOM`` (then ``formula`` is used); ``hyper`` holds
    (name, value) pairs for the optimizer besides ``lr``; ``decay`` feeds the inverse-time
    schedule and ``rate`` the exponential one; ``start`` None means the surface's own start.
    """

    surface: str = "rosenbrock"
    formula: str = ""
    optimizer: str = "gd"
    lr: float = 1e-3
    hyper: tuple[tuple[str, float], ...] = ()
    schedule: str = "constant"
    decay: float = 0.01
    rate: float = 0.99
    steps: int = 200
    start: tuple[float, float] | None = None
    tol: float = EXPLORER_TOL


def surface_names() -> list[str]:
    """Catalogue surfaces an explorer offers: the 2-D ones that need no parameters."""
    from . import surfaces
    return [name for name in surfaces.names() if name != "quadratic_nd"]


@lru_cache(maxsize=32)
def resolve_surface(name: str, formula: str = "") -> Surface:
    """The catalogue surface ``name``, or ``Surface.from_text(formula)`` when name is CUSTOM.

    Cached: the explorer asks for the same surface on every update. Raises ValueError for an
    unknown name or a formula the safe parser refuses (the message says why).
    """
    from . import surfaces
    if name == CUSTOM:
        return Surface.from_text(formula)
    return surfaces.get(name)


def learning_rate(schedule: str, lr: float, steps: int, *, decay: float = 0.01,
                  rate: float = 0.99) -> float | optim.Schedule:
    """The learning rate an explorer passes to its optimizer, as in ``SCHEDULE_CHOICES``:

        constant            lr
        inverse_time_decay  lr / (1 + decay * t)
        exponential_decay   lr * rate**t
        step_decay          lr * 0.5**floor(t / (steps / 4))
        linear_decay        lr * (1 - t / steps)
        cosine_decay        lr * (1 + cos(pi t / steps)) / 2
        warmup              lr * (t + 1) / (w + 1) for t < w = steps / 10, then lr
    """
    check.one_of("schedule", schedule, SCHEDULE_CHOICES)
    if schedule == "constant":
        return float(lr)
    if schedule == "inverse_time_decay":
        return optim.inverse_time_decay(lr, decay)
    if schedule == "exponential_decay":
        return optim.exponential_decay(lr, rate)
    if schedule == "step_decay":
        return optim.step_decay(lr, 0.5, max(1, steps // 4))
    if schedule == "linear_decay":
        return optim.linear_decay(lr, 0.0, steps)
    if schedule == "cosine_decay":
        return optim.cosine_decay(lr, steps)
    return optim.warmup(float(lr), max(1, steps // 10))


def make_optimizer(settings: Settings) -> Optimizer:
    """``optim.make(settings.optimizer, lr=<schedule>, **settings.hyper)``."""
    lr = learning_rate(settings.schedule, settings.lr, settings.steps, decay=settings.decay,
                       rate=settings.rate)
    return optim.make(settings.optimizer, lr=lr, **dict(settings.hyper))


def run_descent(settings: Settings) -> Path:
    """The path the descent explorer shows for these settings (``optim.descend``)."""
    surface = resolve_surface(settings.surface, settings.formula)
    return optim.descend(surface, make_optimizer(settings), settings.start, settings.steps,
                         tol=settings.tol)


class LRLimits(NamedTuple):
    """Gradient descent's stability limit 2/lambda_max of the local quadratic model.

    ``start``: at the start point; ``along_path``: the smallest over the path's points (where
    the surface curves most). ``inf`` where lambda_max <= 0 (no step size overshoots there).
    """

    start: float
    along_path: float


def _top_eigenvalues(surface: Any, xs: np.ndarray) -> np.ndarray:
    """lambda_max of the Hessian at each point (NaN where the Hessian is not finite)."""
    from . import curvature
    return curvature.eigen_along_path(surface, xs).eigenvalues[:, -1]


def _limit(lam: float) -> float:
    return 2.0 / lam if lam > 0 else math.inf


def lr_limits(surface: Any, path: Path | np.ndarray) -> LRLimits:
    """2 / lambda_max(H(x_0)) and min over the path of 2 / lambda_max(H(x_t)).

    H is the Hessian, the matrix of second partials; gradient descent with a fixed lr is
    stable on the quadratic model at x only while lr < 2 / lambda_max(H(x)).
    """
    xs = np.asarray(getattr(path, "xs", path), dtype=float)
    lam = _top_eigenvalues(surface, xs)
    finite = lam[np.isfinite(lam)]
    start = _limit(float(lam[0])) if np.isfinite(lam[0]) else math.nan
    along = min((_limit(float(v)) for v in finite), default=math.nan)
    return LRLimits(start, along)


def stability_factor(optimizer: str, hyper: Mapping[str, float] | None = None) -> float | None:
    """c such that the method is stable on a quadratic iff lr * lambda_max < c; None if no
    such line exists (adaptive methods and Newton rescale the step).

        gd 2,  momentum 2 (1 + beta),  nesterov 2 (1 + beta) / (1 + 2 beta)
    """
    if optimizer not in LIMIT_FACTORS:
        return None
    beta = dict(hyper or {}).get("beta", _HYPER_DEFAULTS["beta"])
    beta = float(beta) if isinstance(beta, (int, float, np.floating)) else _HYPER_DEFAULTS["beta"]
    return LIMIT_FACTORS[optimizer](beta)


def _gap(surface: Any, losses: np.ndarray) -> np.ndarray | None:
    """f - f* when the surface knows its global minimum f*, else None."""
    fmin = getattr(surface, "global_min", None)
    return None if fmin is None else np.asarray(losses, dtype=float) - fmin


def describe(surface: Any, path: Path, optimizer: Optimizer | None = None) -> str:
    """A one-line verdict on a run, for the status line.

        converged   "converged in 143 steps: f = 1.2e-14 at (1.000, 1.000)"
                    (+ "a local minimum: the global minimum is f* = ..." or "a saddle point")
        diverged    "diverged at step 7: lr too large for this curvature (lr·λmax = 2.4 > 2)"
                    when lr_t * lambda_max(x_t) crossed the optimizer's stability line
                    (``stability_factor``: 2 for gd) at one of the path's points,
                    "... f is unbounded below ..." when the loss fell by more than 1e6 (1 + |f0|)
                    along a direction of negative curvature,
                    else the reason descend gave
        max_steps   "stopped after 200 steps: f = ..., |∇f| = ... (not converged yet)"
    """
    k, x, loss = path.steps, path.xs[-1], float(path.losses[-1])
    where = "(" + ", ".join(f"{v:.3f}" for v in x) + ")"
    gnorm = float(np.linalg.norm(path.grads[-1]))
    if path.status == "converged":
        text = f"converged in {k} step{'s' if k != 1 else ''}: f = {loss:.4g} at {where}"
        lam = _eigenvalues_at(surface, x)
        fmin = getattr(surface, "global_min", None)
        if lam is not None and lam[0] < -1e-9 * max(1.0, abs(lam[-1])):
            text += f", a saddle point (λmin = {lam[0]:.3g} < 0), not a minimum"
        elif fmin is not None and loss - fmin > 1e-6 * max(1.0, abs(fmin)):
            text += f", a local minimum: the global minimum is f* = {fmin:.4g}"
        return text
    if path.status == "max_steps":
        gap = _gap(surface, path.losses[-1:])
        extra = f" (f − f* = {gap[0]:.3g})" if gap is not None else ""
        return (f"stopped after {k} steps: f = {loss:.4g}{extra}, |∇f| = {gnorm:.3g} "
                f"(not converged yet: more steps or another lr)")
    at = k + 1
    factor = None if optimizer is None else stability_factor(optimizer.name, optimizer.hyper)
    if factor is not None:
        # the step that failed started from x_k, so every kept point counts, with its lr
        lam = _top_eigenvalues(surface, path.xs)
        lrs = np.array([optimizer.learning_rate(t) for t in range(len(path.xs))])
        with np.errstate(all="ignore"):
            ratio = lrs * lam
        crossed = np.flatnonzero(np.isfinite(ratio) & (ratio > factor))
        if crossed.size:
            r = float(ratio[crossed[0]])
            line = "2" if factor == 2.0 else f"{factor:.3g}"
            return (f"diverged at step {at}: lr too large for this curvature "
                    f"(lr·λmax = {r:.3g} > {line})")
    lows = _bottom_eigenvalues(surface, path.xs)
    f0 = float(path.losses[0])
    if lows.size and np.nanmin(lows) < 0 and loss < f0 - 1e6 * (1.0 + abs(f0)):
        return (f"diverged at step {at}: f is unbounded below and the path ran downhill along "
                f"a direction of negative curvature (λmin = {np.nanmin(lows):.3g})")
    return path.message


def _eigenvalues_at(surface: Any, x: np.ndarray) -> np.ndarray | None:
    with np.errstate(all="ignore"):
        H = np.asarray(surface.hess(x), dtype=float)
    if not np.all(np.isfinite(H)):
        return None
    return np.linalg.eigvalsh((H + H.T) / 2)


def _bottom_eigenvalues(surface: Any, xs: np.ndarray) -> np.ndarray:
    from . import curvature
    return curvature.eigen_along_path(surface, xs).eigenvalues[:, 0]


def default_lr(surface: Any, optimizer: str, steps: int = 300) -> float:
    """A learning rate that makes a fair showing on this surface: a starting point to explore,
    not a tuned optimum. First guess, rounded down to 1, 2 or 5 x 10^k:

        gd, momentum, nesterov   1 / lambda_max(H(start)), H the Hessian at the start
                                 (half the largest stable GD step there, 2 / lambda_max)
        adam, adamw              d / 20 (rmsprop d / 50, adagrad d / 5), where d is the distance
                                 from the start to the nearest known minimum (a quarter of the
                                 window without one): these methods move about lr per coordinate
                                 and step (RMSProp more after a quiet stretch: its average of
                                 g^2 lags behind a gradient that grows)
        newton                   1 (the full Newton step)

    then halved (up to 12 times) while a run of ``steps`` steps from the start diverges with a
    growing loss (overshooting; a run that escapes down an unbounded valley keeps its lr). Cached.
    """
    if optimizer not in optim.OPTIMIZERS:
        raise ValueError(f"optimizer: unknown optimizer {optimizer!r}; known optimizers are "
                         f"{', '.join(optim.OPTIMIZERS)}")
    return _default_lr(surface, optimizer, int(steps))


@lru_cache(maxsize=256)
def _default_lr(surface: Any, optimizer: str, steps: int) -> float:
    if optimizer == "newton":
        return 1.0
    start = np.asarray(surface.start, dtype=float)
    if optimizer in LIMIT_FACTORS:
        lam = _eigenvalues_at(surface, start)
        top = float(lam[-1]) if lam is not None and lam[-1] > 0 else _curvature_scale(surface)
        lr = _round_lr(1.0 / top)
    else:
        minima = np.asarray(surface.minima, dtype=float).reshape(-1, start.size)
        if len(minima):
            d = float(np.min(np.linalg.norm(minima - start, axis=1)))
        else:
            d = 0.25 * min(surface.xlim[1] - surface.xlim[0], surface.ylim[1] - surface.ylim[0])
        lr = _round_lr(max(d, 1e-3) / {"adagrad": 5.0, "rmsprop": 50.0}.get(optimizer, 20.0))
    for _ in range(12):
        path = optim.descend(surface, optim.make(optimizer, lr=lr), start, steps, tol=0.0)
        # overshooting makes the loss grow; running down an unbounded valley is not the lr's fault
        if path.status != "diverged" or path.losses[-1] < path.losses[0]:
            break
        lr = _round_lr(lr / 2)
    return lr


@lru_cache(maxsize=64)
def _curvature_scale(surface: Any) -> float:
    """Largest lambda_max of the Hessian on a 9 x 9 grid over the window (1 if none > 0)."""
    grid = np.stack(np.meshgrid(np.linspace(*surface.xlim, 9), np.linspace(*surface.ylim, 9)), -1)
    with np.errstate(all="ignore"):
        H = np.asarray(surface.hess(grid.reshape(-1, 2)), dtype=float)
    H = H[np.all(np.isfinite(H), axis=(1, 2))]
    top = float(np.linalg.eigvalsh((H + np.swapaxes(H, 1, 2)) / 2)[:, -1].max()) if len(H) else 0.0
    return top if top > 0 else 1.0


def _round_lr(lr: float) -> float:
    """lr rounded down to 1, 2 or 5 times a power of ten (slider-friendly)."""
    exp = math.floor(math.log10(lr))
    mant = lr / 10**exp
    nice = 5 if mant >= 5 else 2 if mant >= 2 else 1
    return float(f"{nice}e{exp}")


# ---------------------------------------------------------------------------------------------
# The race
# ---------------------------------------------------------------------------------------------
class RaceEntry(NamedTuple):
    """One runner: its label, its Path, the first step t with f(x_t) - f* <= tol (None if it
    never got there, or f* is unknown), and its final f - f* (final f when f* is unknown)."""

    name: str
    path: Path
    steps_to_tol: int | None
    final_gap: float


def steps_to_tolerance(surface: Any, path: Path, tol: float) -> int | None:
    """The first step t with f(x_t) - f* <= tol, where f* = surface.global_min; None if never
    (or if the surface does not know f*)."""
    gap = _gap(surface, path.losses)
    if gap is None:
        return None
    hits = np.flatnonzero(gap <= tol)
    return int(hits[0]) if hits.size else None


def race(surface: Any, specs: Mapping[str, Optimizer], steps: int = 300, tol: float = 1e-4,
         x0: Sequence[float] | None = None) -> list[RaceEntry]:
    """Run every optimizer in ``specs`` (label -> optimizer) from the same start.

    Each run is ``optim.descend(surface, opt, x0, steps, tol=0)`` (no early stop, so all paths
    have the same length unless one diverges); entries come back in the order of ``specs``.
    """
    if not isinstance(specs, Mapping) or not specs:
        raise ValueError(f"specs must be a non-empty mapping label -> optimizer, got {specs!r}")
    check.real("tol", tol, "a positive number", lambda v: v > 0)
    out = []
    for name, opt in specs.items():
        path = optim.descend(surface, opt, x0, steps, tol=0.0)
        gap = _gap(surface, path.losses[-1:])
        final = float(gap[0]) if gap is not None else float(path.losses[-1])
        out.append(RaceEntry(str(name), path, steps_to_tolerance(surface, path, tol), final))
    return out


# ---------------------------------------------------------------------------------------------
# One dimension: f = a/2 x^2
# ---------------------------------------------------------------------------------------------
class _Parabola:
    """f(x) = a/2 x^2 in one variable: grad a x, Hessian [[a]]."""

    def __init__(self, a: float, x0: float) -> None:
        self.a, self.n, self.start = a, 1, np.array([x0], dtype=float)

    def f(self, x: np.ndarray) -> float:
        return 0.5 * self.a * float(x[0]) ** 2

    def grad(self, x: np.ndarray) -> np.ndarray:
        return self.a * np.asarray(x, dtype=float)

    def hess(self, x: np.ndarray) -> np.ndarray:
        return np.array([[self.a]])


def quadratic_path(a: float, lr: float, x0: float = 1.0, steps: int = 20) -> Path:
    """Gradient descent on f(x) = a/2 x^2 from x0 (``optim.descend`` with ``gd(lr)``).

        x_{k+1} = x_k - lr * a x_k = (1 - lr a) x_k,   so   x_k = (1 - lr a)^k x0

    It converges iff |1 - lr a| < 1, i.e. 0 < lr < 2/a. Runs all ``steps`` (tol = 0) unless it
    diverges past |x| = 1e8.
    """
    a, lr = check.positive("a", a), check.nonnegative("lr", lr)
    return optim.descend(_Parabola(a, float(x0)), optim.gd(float(lr)), None, steps, tol=0.0)


def quadratic_regime(a: float, lr: float) -> str:
    """What gradient descent does on f = a/2 x^2, from the factor r = 1 - lr a per step:

        "frozen"       lr = 0            (r = 1: never moves)
        "monotone"     0 < lr a < 1      (0 < r < 1: creeps toward 0 from one side)
        "one step"     lr a = 1          (r = 0: lands on the minimum at once)
        "oscillating"  1 < lr a < 2      (-1 < r < 0: jumps across, shrinking)
        "bouncing"     lr a = 2          (r = -1: jumps between x0 and -x0 forever)
        "divergent"    lr a > 2          (r < -1: jumps across, growing)
    """
    a = check.positive("a", a)
    h = float(lr) * a
    if h < 0 or not math.isfinite(h):
        raise ValueError(f"lr must be a finite number >= 0, got {lr!r}")
    if h == 0:
        return "frozen"
    if math.isclose(h, 1.0, rel_tol=1e-12):
        return "one step"
    if math.isclose(h, 2.0, rel_tol=1e-12):
        return "bouncing"
    return "monotone" if h < 1 else "oscillating" if h < 2 else "divergent"


# ---------------------------------------------------------------------------------------------
# Basins of attraction
# ---------------------------------------------------------------------------------------------
class Basins(NamedTuple):
    """``labels[i, j]``: index into ``surface.minima`` of the minimum reached from
    (xs[j], ys[i]) (-1: none within ``radius``); ``ends``: the final points, shape (ny, nx, 2)."""

    labels: np.ndarray
    ends: np.ndarray


class _Stacked:
    """N independent copies of a 2-D surface as one problem in 2N variables.

        F(p_1, ..., p_N) = sum_i f(p_i),   grad F = (grad f(p_1), ..., grad f(p_N))

    A coordinate-wise optimizer (gd, momentum, adam, ...) on F moves every p_i exactly as it
    would move alone, so one ``descend`` runs a whole grid of starts.
    """

    def __init__(self, surface: Any, starts: np.ndarray) -> None:
        self.surface, self.start, self.n = surface, starts.reshape(-1), starts.size

    def f(self, x: np.ndarray) -> float:
        return float(np.sum(self.surface.f(x.reshape(-1, 2))))

    def grad(self, x: np.ndarray) -> np.ndarray:
        return np.asarray(self.surface.grad(x.reshape(-1, 2)), dtype=float).reshape(-1)


def basin_map(surface: Any, optimizer: Optimizer, xs: Sequence[float], ys: Sequence[float],
              steps: int = 300, radius: float = 0.1) -> Basins:
    """Run ``optimizer`` from every start (x, y) of the grid xs x ys; label each start by the
    known minimum its run ends near (within ``radius``), or -1.

    All starts run together as one ``optim.descend`` on the stacked problem (see ``_Stacked``);
    that needs a coordinate-wise optimizer, so ``newton`` is refused, and a run that diverges
    from any start raises ValueError (pick a smaller lr).
    """
    if not isinstance(optimizer, Optimizer) or optimizer.needs_hessian:
        raise ValueError(f"optimizer must be a coordinate-wise optimizer such as gd(lr) (every "
                         f"start runs at once), got {optimizer!r}")
    gx, gy = np.asarray(xs, dtype=float), np.asarray(ys, dtype=float)
    if gx.ndim != 1 or gy.ndim != 1 or gx.size < 1 or gy.size < 1:
        raise ValueError(f"xs and ys must be non-empty 1-D sequences, got shapes {gx.shape}, "
                         f"{gy.shape}")
    starts = np.stack(np.meshgrid(gx, gy), axis=-1)
    path = optim.descend(_Stacked(surface, starts), optimizer, None, steps, tol=0.0)
    if path.status == "diverged":
        raise ValueError(f"optimizer: the run diverged from at least one start "
                         f"({path.message}); use a smaller lr")
    ends = path.xs[-1].reshape(starts.shape)
    minima = np.asarray(surface.minima, dtype=float).reshape(-1, 2)
    labels = np.full(starts.shape[:2], -1)
    if len(minima):
        dist = np.linalg.norm(ends[:, :, None, :] - minima[None, None, :, :], axis=-1)
        nearest = np.argmin(dist, axis=-1)
        labels = np.where(np.min(dist, axis=-1) <= radius, nearest, -1)
    return Basins(labels, ends)



def _log_mode(surface: Any, losses: np.ndarray) -> bool:
    """Log scale for f - f* when f* is known; for f itself only if it stays positive and spans
    more than two decades."""
    if getattr(surface, "global_min", None) is not None:
        return True
    v = np.asarray(losses, dtype=float)
    v = v[np.isfinite(v)]
    return bool(v.size and v.min() > 0 and v.max() / v.min() > 100)



def _family(optimizer: str) -> str:
    if optimizer in LIMIT_FACTORS:
        return "curvature"
    return "newton" if optimizer == "newton" else "adaptive"




#: Public names of helpers the explorers share.
HYPER_DEFAULTS = _HYPER_DEFAULTS
loss_gap = _gap
log_mode = _log_mode
optimizer_family = _family


# ---------------------------------------------------------------------------------------------
# What the descent explorer's renderer draws (the data contract: gradlib.scene, docs/explorers.md)
# ---------------------------------------------------------------------------------------------
#: Axes boxes of the descent explorer's two panels, as figure fractions (left, bottom, w, h).
DESCENT_LEFT = (0.075, 0.13, 0.40, 0.78)
DESCENT_RIGHT = (0.585, 0.13, 0.395, 0.78)
#: Colours: tab10 blue for the path, vermilion/black for its head (colour-blind safe on viridis).
PATH_COLOR = "#1f77b4"
HEAD_COLOR = "#d55e00"


def _title(surface: Surface) -> str:
    title = surface.title
    return title if len(title) <= 60 else title[:57] + "..."


@lru_cache(maxsize=24)
def descent_scene(surface: Surface, figsize: tuple[float, float] = (9.0, 4.0),
                  levels: int = 20, dpi: int = 100, what: str = "the descent path") -> Any:
    """The static layer of the descent explorer (and the race: ``what`` names the paths in the
    text alternative) for one surface (``gradlib.scene.Scene``):
    the contours with ticks, axis labels and title on the left (panel "surface", rendered by
    matplotlib once, cached), and the loss chart on the right (panel "loss", drawn by the page).
    """
    from matplotlib.figure import Figure
    from matplotlib.ticker import FixedLocator, MaxNLocator

    from . import plots
    from .scene import Panel, scene_from_figure

    fig = Figure(figsize=figsize, dpi=dpi)
    ax = fig.add_axes(DESCENT_LEFT)
    plots.contour(surface, ax, levels=levels, resolution=160)
    ax.set_xlim(surface.xlim)
    ax.set_ylim(surface.ylim)
    for axis, lim in ((ax.xaxis, surface.xlim), (ax.yaxis, surface.ylim)):
        ticks = MaxNLocator(4).tick_values(*lim)
        axis.set_major_locator(FixedLocator([t for t in ticks if lim[0] <= t <= lim[1]]))
    ax.tick_params(labelsize=8)
    names = [str(v) for v in surface.variables]
    ax.set_xlabel(names[0])
    ax.set_ylabel(names[1], rotation=0, ha="right", va="center")
    ax.xaxis.set_label_coords(0.5, -0.085)
    ax.yaxis.set_label_coords(-0.1, 0.5)
    ax.set_title(_title(surface), y=1.0, pad=4, fontsize=10)
    w, h = fig.get_size_inches() * dpi
    left, bottom, width, height = DESCENT_RIGHT
    loss = Panel("loss", "chart", (left * w, (1 - bottom - height) * h, width * w, height * h),
                 title="loss", xlabel="step t")
    alt = f"Contour plot of {_title(surface)} with {what}; loss curve on the right."
    return scene_from_figure(fig, {"surface": ax}, [loss], alt)


def descent_frame(settings: Settings, path: Path | None = None) -> Any:
    """What the descent explorer draws for ``settings`` (a ``gradlib.scene.Frame``).

    Panel "surface": known minima (stars), the path x_0..x_t ("upto"), its start, the current
    point x_t ("at") and the end ("end": a square, an X if the run diverged). Panel "loss":
    f(x_t) - f* on a log scale when f* is known (floored at 1e-16 of its largest value, as
    ``log_mode`` and the old loss panel did), else f(x_t), with its current point. Status: the
    ``describe`` line. ``path`` (optional) is ``run_descent(settings)`` if already computed.
    """
    from .scene import Frame, Layer

    surface = resolve_surface(settings.surface, settings.formula)
    if path is None:
        path = run_descent(settings)
    opt = make_optimizer(settings)
    xs = path.xs
    t = np.arange(len(xs), dtype=float)
    gap = _gap(surface, path.losses)
    log = _log_mode(surface, path.losses)
    values = np.asarray(path.losses, dtype=float)
    if gap is not None and log:
        top = float(np.max(gap)) if gap.size else 1.0
        values = np.maximum(gap, max(top, 1e-300) * 1e-16)
    what = "f(x_t) − f*" if gap is not None else "f(x_t)"
    diverged = path.status == "diverged"
    minima = np.asarray(surface.minima, dtype=float).reshape(-1, 2)
    layers = (
        Layer("surface", minima, "points", "all",
              {"marker": "*", "size": 13, "fill": "#ffffff", "edge": "#000000",
               "label": "known minima"}),
        Layer("surface", xs, "line", "upto",
              {"color": PATH_COLOR, "width": 1.5, "marker": "o", "size": 3,
               "label": "path x₀ … xₜ"}),
        Layer("surface", xs[:1], "points", "all",
              {"marker": "o", "size": 9, "fill": "#ffffff", "edge": PATH_COLOR,
               "width": 2, "label": "start x₀"}),
        Layer("surface", xs, "points", "at",
              {"marker": "o", "size": 9, "fill": HEAD_COLOR, "edge": "#000000",
               "label": "xₜ at the shown step"}),
        Layer("surface", xs[-1:], "points", "end",
              {"marker": "X" if diverged else "s", "size": 9, "fill": PATH_COLOR,
               "edge": "#000000",
               "label": "last finite point (diverged)" if diverged else "end of the run"}),
        Layer("loss", np.column_stack([t, values]), "line", "upto",
              {"color": PATH_COLOR, "width": 1.5, "label": what}),
        Layer("loss", np.column_stack([t, values]), "points", "at",
              {"marker": "o", "size": 7, "fill": HEAD_COLOR, "edge": "#000000",
               "label": "at the shown step"}),
    )
    title = f"loss {what}" + (" (log scale)" if log else "")
    kind = path.status if path.status in ("converged", "diverged", "max_steps") else "info"
    return Frame(layers, path.steps, describe(surface, path, opt), kind,
                 {"loss": {"ylog": bool(log), "title": title, "xlim": [0, int(settings.steps)]}})


# ---------------------------------------------------------------------------------------------
# What the 1-D quadratic explorer draws: gradient descent on f = a/2 x^2
# ---------------------------------------------------------------------------------------------
#: The regime's sentence in the 1-D explorer's status line (``quadratic_regime`` -> words).
REGIME_TEXT: dict[str, str] = {
    "frozen": "lr = 0: the iterate never moves",
    "monotone": "0 < lr·a < 1: each step shrinks x by the same factor, from one side",
    "one step": "lr·a = 1: the first step lands exactly on the minimum",
    "oscillating": "1 < lr·a < 2: x jumps across the minimum and the jumps shrink",
    "bouncing": "lr·a = 2: x jumps between x₀ and −x₀ forever",
    "divergent": "lr·a > 2: x jumps across the minimum and the jumps grow: divergence",
}
#: Status kind (colour of the status line) of each regime.
REGIME_KIND: dict[str, str] = {"divergent": "diverged", "bouncing": "max_steps",
                               "frozen": "max_steps", "monotone": "converged",
                               "one step": "converged", "oscillating": "converged"}
QUADRATIC_ITERATE_COLOR = "#d55e00"


@dataclass(frozen=True)
class QuadraticSettings:
    """The 1-D explorer's controls: curvature ``a`` (= f''), ``lr``, start ``x0``, ``steps``."""

    a: float = 2.0
    lr: float = 0.3
    x0: float = 1.5
    steps: int = 20


def quadratic_closed_form(a: float, lr: float, x0: float, k: np.ndarray) -> np.ndarray:
    """(1 - lr a)^k x0, its magnitude capped at 1e6 (off the chart) so a divergent run draws no
    overflow: sign * exp(min(k log|r| + log|x0|, log 1e6))."""
    k = np.asarray(k)
    r = 1.0 - lr * a
    with np.errstate(all="ignore"):
        logs = k * math.log(abs(r)) if r != 0 else np.where(k == 0, 0.0, -np.inf)
        mag = np.exp(np.minimum(logs + math.log(abs(x0)), math.log(1e6)))
    sign = np.sign(x0) * np.where(k % 2 == 1, np.sign(r) if r != 0 else 1.0, 1.0)
    return sign * mag


def quadratic_frame(settings: QuadraticSettings) -> Any:
    """What the 1-D explorer draws (a ``gradlib.scene.Frame``), two chart panels:

        "parabola"  f(x) = a/2 x^2 on [-2.2|x0|, 2.2|x0|] (200 points), the iterates
                    (x_k, f(x_k)) revealed step by step, the current one
        "xk"        x_k against k (``quadratic_path``, i.e. ``optim.descend``), the closed form
                    (1 - lr a)^k x0 dotted over it, the minimum x = 0, the current x_k

    Status: the regime (``quadratic_regime``) and its sentence. Axes limits travel in
    ``charts``: parabola x in +-2.2|x0|, f in [-0.05 top, top] with top = f(2.2|x0|); x_k in
    +-1.6|x0| over k = 0..steps (a divergent run leaves the chart: the clip shows it growing).
    """
    from .scene import Frame, Layer

    a, lr, x0, steps = float(settings.a), float(settings.lr), float(settings.x0), int(settings.steps)
    path = quadratic_path(a, lr, x0, steps)
    regime = quadratic_regime(a, lr)
    span = 2.2 * abs(x0)
    s = np.linspace(-span, span, 200)
    top = 0.5 * a * s[-1] ** 2
    xs = path.xs[:, 0]
    k = np.arange(len(xs), dtype=float)
    kk = np.arange(steps + 1)
    lim = 1.6 * abs(x0)
    it = {"color": QUADRATIC_ITERATE_COLOR, "width": 1.0, "marker": "o", "size": 4,
          "label": "iterates (xₖ, f(xₖ))"}
    now = {"marker": "o", "size": 9, "fill": QUADRATIC_ITERATE_COLOR, "edge": "#000000",
           "label": "xₖ at the shown step"}
    layers = (
        Layer("parabola", np.column_stack([s, 0.5 * a * s**2]), "line", "all",
              {"color": "#666666", "width": 1.5, "label": "f(x) = a/2 x²"}),
        Layer("parabola", np.column_stack([xs, 0.5 * a * xs**2]), "line", "upto", it),
        Layer("parabola", np.column_stack([xs, 0.5 * a * xs**2]), "points", "at", now),
        Layer("xk", np.array([[0.0, 0.0], [float(steps), 0.0]]), "line", "all",
              {"color": "#999999", "width": 0.8, "label": "the minimum x = 0"}),
        Layer("xk", np.column_stack([kk.astype(float),
                                     quadratic_closed_form(a, lr, x0, kk)]), "line", "all",
              {"color": "#000000", "width": 1.5, "dash": [2, 3],
               "label": "(1 − lr·a)ᵏ x₀"}),
        Layer("xk", np.column_stack([k, xs]), "line", "upto",
              {"color": PATH_COLOR, "width": 1.0, "marker": "o", "size": 4,
               "label": "xₖ (descend)"}),
        Layer("xk", np.column_stack([k, xs]), "points", "at", now),
    )
    charts = {
        "parabola": {"xlim": [-span, span], "ylim": [-0.05 * top, top],
                     "title": f"lr·a = {lr * a:.3f}: each step multiplies x by {1 - lr * a:.3f}"},
        "xk": {"xlim": [0, steps], "ylim": [-lim, lim],
               "title": f"xₖ against k   (threshold lr = 2/a = {2 / a:.3f})"},
    }
    status = f"{regime}: {REGIME_TEXT[regime]}"
    return Frame(layers, path.steps, status, REGIME_KIND[regime], charts)


@lru_cache(maxsize=4)
def quadratic_scene(figsize: tuple[float, float] = (9.0, 3.6), dpi: int = 100) -> Any:
    """The 1-D explorer's static layer: two chart panels (the page draws their axes), on a
    white picture (nothing static to render: the parabola's range follows a)."""
    from matplotlib.figure import Figure

    from .scene import Panel, scene_from_figure

    fig = Figure(figsize=figsize, dpi=dpi)
    w, h = fig.get_size_inches() * dpi
    boxes = {"parabola": (0.08, 0.15, 0.39, 0.74), "xk": (0.58, 0.15, 0.40, 0.74)}
    labels = {"parabola": "x", "xk": "step k"}
    panels = [Panel(name, "chart", (l * w, (1 - b - ht) * h, wd * w, ht * h), xlabel=labels[name])
              for name, (l, b, wd, ht) in boxes.items()]
    alt = ("Gradient descent on the parabola f = a/2 x² (left) and the iterates x_k against k "
           "with the closed form (right).")
    return scene_from_figure(fig, {}, panels, alt)


# ---------------------------------------------------------------------------------------------
# What the race explorer draws: several optimizers from one start
# ---------------------------------------------------------------------------------------------
#: Optimizers of the race explorer, by default.
RACERS = ("gd", "momentum", "nesterov", "adagrad", "rmsprop", "adam")


@dataclass(frozen=True)
class RaceSettings:
    """The race explorer's controls: ``surface`` (catalogue name), ``lrs`` ((optimizer, lr)
    pairs in racing order; other hyper-parameters at their defaults), ``steps``, ``start`` (None:
    the surface's), ``tol`` (the leaderboard's f - f* target)."""

    surface: str = "rosenbrock"
    lrs: tuple[tuple[str, float], ...] = ()
    steps: int = 300
    start: tuple[float, float] | None = None
    tol: float = 1e-4


def race_ranking(entries: Sequence[RaceEntry], gap: bool = True) -> list[int]:
    """Indices best first. With f* known: reached tol sooner, then lower final f - f*, diverged
    runs last. Without (a surface unbounded below, such as a saddle): lower final f first,
    whether or not the run left the window (escaping downhill is the point there)."""
    def key(i: int) -> tuple:
        e = entries[i]
        final = e.final_gap if math.isfinite(e.final_gap) else math.inf
        if not gap:
            return (final,)
        reached = e.steps_to_tol if e.steps_to_tol is not None else math.inf
        return (e.path.status == "diverged", reached, final)
    return sorted(range(len(entries)), key=key)


def race_status(entries: Sequence[RaceEntry], tol: float, gap: bool) -> str:
    """The race's status line: where it starts, the target, and the ranking, best first:

        "3 optimizers from (0.00, 0.00); target f − f* ≤ 0.0001 · 1. adam: 57 steps,
         2. momentum: 203 steps, 3. gd: not reached (final f − f* = 0.012)"
    """
    x0 = entries[0].path.xs[0]
    where = f"{len(entries)} optimizers from ({x0[0]:.2f}, {x0[1]:.2f})"
    head = f"{where}; target f − f* ≤ {tol:g}" if gap else f"{where}; f* unknown: ranked by final f"
    parts = []
    for rank, i in enumerate(race_ranking(entries, gap), start=1):
        e = entries[i]
        if e.path.status == "diverged":
            what = f"diverged at step {e.path.steps + 1}"
        elif gap and e.steps_to_tol is not None:
            what = f"{e.steps_to_tol} step{'s' if e.steps_to_tol != 1 else ''}"
        elif gap:
            what = f"not reached (final f − f* = {e.final_gap:.3g})"
        else:
            what = f"final f = {e.final_gap:.3g}"
        parts.append(f"{rank}. {e.name}: {what}")
    return head + " · " + ", ".join(parts)


def run_race(settings: RaceSettings) -> list[RaceEntry]:
    """``race`` for these settings (each optimizer at its lr, tol = 0: no early stop)."""
    surface = resolve_surface(settings.surface)
    specs = {name: optim.make(name, lr=float(lr)) for name, lr in settings.lrs}
    return race(surface, specs, int(settings.steps), float(settings.tol), settings.start)


def race_frame(settings: RaceSettings, entries: Sequence[RaceEntry] | None = None) -> Any:
    """What the race explorer draws (a ``gradlib.scene.Frame``).

    Panel "surface": known minima, the start, for each runner (colour ``plots.path_colors``) its
    path revealed step by step ("upto") and its current point ("at": a runner that stopped
    stays at its last point), an X where a diverged run stopped ("end"). Panel "loss": each
    runner's f(x_t) - f* (log scale when ``log_mode`` says so, floored at 1e-16 of its largest
    value) or f(x_t), and its current point. Status: ``race_status``.
    """
    from . import plots
    from .scene import Frame, Layer

    surface = resolve_surface(settings.surface)
    if entries is None:
        entries = run_race(settings)
    gap_known = getattr(surface, "global_min", None) is not None
    log = _log_mode(surface, np.concatenate([e.path.losses for e in entries]))
    colors = plots.path_colors(len(entries))
    minima = np.asarray(surface.minima, dtype=float).reshape(-1, 2)
    layers = [Layer("surface", minima, "points", "all",
                    {"marker": "*", "size": 13, "fill": "#ffffff", "edge": "#000000",
                     "label": "known minima"}),
              Layer("surface", entries[0].path.xs[:1], "points", "all",
                    {"marker": "o", "size": 9, "fill": "#ffffff", "edge": "#000000", "width": 2,
                     "label": "start x₀"})]
    for e, color in zip(entries, colors):
        xs = e.path.xs
        layers.append(Layer("surface", xs, "line", "upto",
                            {"color": color, "width": 1.3, "marker": "o", "size": 2,
                             "label": e.name}))
        layers.append(Layer("surface", xs, "points", "at",
                            {"marker": "o", "size": 7, "fill": color, "edge": "#000000",
                             "label": e.name}))
        if e.path.status == "diverged":
            layers.append(Layer("surface", xs[-1:], "points", "end",
                                {"marker": "X", "size": 10, "fill": color, "edge": "#000000",
                                 "label": f"{e.name}: diverged here"}))
    what = "f(x_t) − f*" if gap_known else "f(x_t)"
    for e, color in zip(entries, colors):
        values = np.asarray(e.path.losses, dtype=float)
        gap = _gap(surface, values)
        if gap is not None and log:
            top = float(np.max(gap)) if gap.size else 1.0
            values = np.maximum(gap, max(top, 1e-300) * 1e-16)
        curve = np.column_stack([np.arange(len(values), dtype=float), values])
        layers.append(Layer("loss", curve, "line", "upto",
                            {"color": color, "width": 1.4, "label": e.name}))
        layers.append(Layer("loss", curve, "points", "at",
                            {"marker": "o", "size": 6, "fill": color, "edge": "#000000",
                             "label": e.name}))
    title = f"loss {what}" + (" (log scale)" if log else "")
    return Frame(layers, max(e.path.steps for e in entries),
                 race_status(entries, float(settings.tol), gap_known), "info",
                 {"loss": {"ylog": bool(log), "title": title, "xlim": [0, int(settings.steps)]}})
