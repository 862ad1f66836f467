"""Optimizers, learning-rate schedules, gradient clipping, and descend() -> Path.

An optimizer is a frozen dataclass of hyper-parameters with a pair of pure functions, as in
optax (the classes are named like functions, gd ... newton, to read like the formulas):

    opt = adam(lr=0.01)                     # hyper-parameters, validated once
    state = opt.init(x)                     # a small NamedTuple (step count, moments, ...)
    x, state = opt.update(x, grad, state)   # one step; returns a NEW x, never mutates

Update rules and defaults follow torch.optim's documented algorithms (SGD, SGD with momentum
and nesterov=True, Adagrad, RMSprop, Adam, AdamW; weight_decay=0, no dampening), so numbers
carry over to PyTorch. Newton's method is the exception (torch has no plain Newton step).

A learning rate `lr` is a number or a schedule: a function of the step t = 0, 1, 2, ... (the
number of updates made before this one). `descend(problem, opt, x0, steps)` runs the loop on a
Surface (or anything with f/grad, and hess for Newton) and returns a Path.
"""
from __future__ import annotations

import math
import sys
from collections.abc import Callable
from dataclasses import dataclass, fields
from typing import Any, ClassVar, NamedTuple, Protocol, Union

import numpy as np
import numpy.typing as npt

from . import _checks as check

__all__ = ["Optimizer", "gd", "momentum", "nesterov", "adagrad", "rmsprop", "adam", "adamw",
           "newton", "OPTIMIZERS", "make", "SingularHessianError",
           "Schedule", "constant", "inverse_time_decay", "exponential_decay", "step_decay",
           "linear_decay", "cosine_decay", "warmup", "SCHEDULES",
           "clip_by_norm", "descend", "Path"]


# ---------------------------------------------------------------------------------------------
# learning-rate schedules
# ---------------------------------------------------------------------------------------------
class Schedule:
    """A learning rate as a function of the step t = 0, 1, 2, ... (t may be an array of steps).

    Subclasses are frozen dataclasses validated on construction; calling with an int returns a
    float, calling with an array returns an array (handy for plotting a schedule).
    """

    _name: ClassVar[str] = "schedule"

    def __call__(self, t: Any) -> Any:
        value = self._rate(np.asarray(t, dtype=float))
        return float(value) if np.ndim(value) == 0 else value

    def _rate(self, t: np.ndarray) -> np.ndarray:  # pragma: no cover - abstract
        raise NotImplementedError

    def __repr__(self) -> str:
        args = ", ".join(f"{f.name}={getattr(self, f.name)!r}" for f in fields(self))  # type: ignore[arg-type]
        return f"{self._name}({args})"


@dataclass(frozen=True, repr=False)
class constant(Schedule):
    """lr(t) = lr."""

    lr: float
    _name: ClassVar[str] = "constant"

    def __post_init__(self) -> None:
        object.__setattr__(self, "lr", check.nonnegative("lr", self.lr))

    def _rate(self, t: np.ndarray) -> np.ndarray:
        return np.full_like(t, self.lr)


@dataclass(frozen=True, repr=False)
class inverse_time_decay(Schedule):
    """lr(t) = lr0 / (1 + decay * t)   (torch Adagrad's lr_decay is this schedule)."""

    lr0: float
    decay: float
    _name: ClassVar[str] = "inverse_time_decay"

    def __post_init__(self) -> None:
        object.__setattr__(self, "lr0", check.nonnegative("lr0", self.lr0))
        object.__setattr__(self, "decay", check.nonnegative("decay", self.decay))

    def _rate(self, t: np.ndarray) -> np.ndarray:
        return self.lr0 / (1.0 + self.decay * t)


@dataclass(frozen=True, repr=False)
class exponential_decay(Schedule):
    """lr(t) = lr0 * rate**t, with 0 < rate <= 1."""

    lr0: float
    rate: float
    _name: ClassVar[str] = "exponential_decay"

    def __post_init__(self) -> None:
        object.__setattr__(self, "lr0", check.nonnegative("lr0", self.lr0))
        rate = check.real("rate", self.rate, "in (0, 1]", lambda v: 0 < v <= 1)
        object.__setattr__(self, "rate", rate)

    def _rate(self, t: np.ndarray) -> np.ndarray:
        return self.lr0 * self.rate**t


@dataclass(frozen=True, repr=False)
class step_decay(Schedule):
    """lr(t) = lr0 * drop**floor(t / every): multiply by `drop` every `every` steps."""

    lr0: float
    drop: float
    every: int
    _name: ClassVar[str] = "step_decay"

    def __post_init__(self) -> None:
        object.__setattr__(self, "lr0", check.nonnegative("lr0", self.lr0))
        drop = check.real("drop", self.drop, "in (0, 1]", lambda v: 0 < v <= 1)
        object.__setattr__(self, "drop", drop)
        object.__setattr__(self, "every", check.integer("every", self.every, lo=1))

    def _rate(self, t: np.ndarray) -> np.ndarray:
        return self.lr0 * self.drop ** np.floor(t / self.every)


@dataclass(frozen=True, repr=False)
class linear_decay(Schedule):
    """lr(t) = lr0 + (lr_end - lr0) * min(t, steps) / steps: a straight line, then lr_end."""

    lr0: float
    lr_end: float
    steps: int
    _name: ClassVar[str] = "linear_decay"

    def __post_init__(self) -> None:
        object.__setattr__(self, "lr0", check.nonnegative("lr0", self.lr0))
        object.__setattr__(self, "lr_end", check.nonnegative("lr_end", self.lr_end))
        object.__setattr__(self, "steps", check.integer("steps", self.steps, lo=1))

    def _rate(self, t: np.ndarray) -> np.ndarray:
        return self.lr0 + (self.lr_end - self.lr0) * np.minimum(t, self.steps) / self.steps


@dataclass(frozen=True, repr=False)
class cosine_decay(Schedule):
    """lr(t) = lr_min + (lr0 - lr_min) * (1 + cos(pi * min(t, steps) / steps)) / 2."""

    lr0: float
    steps: int
    lr_min: float = 0.0
    _name: ClassVar[str] = "cosine_decay"

    def __post_init__(self) -> None:
        object.__setattr__(self, "lr0", check.nonnegative("lr0", self.lr0))
        object.__setattr__(self, "steps", check.integer("steps", self.steps, lo=1))
        object.__setattr__(self, "lr_min", check.nonnegative("lr_min", self.lr_min))

    def _rate(self, t: np.ndarray) -> np.ndarray:
        progress = np.minimum(t, self.steps) / self.steps
        return self.lr_min + (self.lr0 - self.lr_min) * (1.0 + np.cos(np.pi * progress)) / 2.0


@dataclass(frozen=True, repr=False)
class warmup(Schedule):
    """Linear warm-up, then `schedule`:

        lr(t) = schedule(0) * (t + 1) / (steps + 1)   for t < steps
        lr(t) = schedule(t - steps)                   for t >= steps

    so the rate climbs in equal increments from schedule(0)/(steps+1) to schedule(0).
    `schedule` may be a number (a constant rate) or any Schedule.
    """

    schedule: Schedule
    steps: int
    _name: ClassVar[str] = "warmup"

    def __post_init__(self) -> None:
        inner = self.schedule
        if not isinstance(inner, Schedule):
            try:
                inner = constant(inner)
            except ValueError:
                raise ValueError(f"schedule must be a Schedule or a learning rate >= 0, "
                                 f"got {self.schedule!r}") from None
        object.__setattr__(self, "schedule", inner)
        object.__setattr__(self, "steps", check.integer("steps", self.steps, lo=1))

    def _rate(self, t: np.ndarray) -> np.ndarray:
        after = np.asarray(self.schedule(np.maximum(t - self.steps, 0.0)))
        ramp = self.schedule(0) * (t + 1.0) / (self.steps + 1.0)
        return np.where(t < self.steps, ramp, after)


#: name -> schedule constructor (drives dropdowns).
SCHEDULES: dict[str, type[Schedule]] = {
    cls._name: cls for cls in (constant, inverse_time_decay, exponential_decay, step_decay,
                               linear_decay, cosine_decay, warmup)
}

LearningRate = Union[float, Schedule, Callable[[int], float]]


# ---------------------------------------------------------------------------------------------
# optimizers
# ---------------------------------------------------------------------------------------------
class StepState(NamedTuple):
    """State of gd and newton: the number of updates made."""
    count: int


class MomentumState(NamedTuple):
    """State of momentum and nesterov: step count and the velocity (momentum buffer) b."""
    count: int
    velocity: np.ndarray


class AdagradState(NamedTuple):
    """State of adagrad: step count and the running sum of squared gradients."""
    count: int
    sum_sq: np.ndarray


class RMSpropState(NamedTuple):
    """State of rmsprop: step count and the moving average of squared gradients v."""
    count: int
    sq_avg: np.ndarray


class AdamState(NamedTuple):
    """State of adam and adamw: step count, first moment m and second moment v."""
    count: int
    mu: np.ndarray
    nu: np.ndarray


class SingularHessianError(ValueError):
    """Newton's system (H + damping*I) d = g has no unique solution at this point."""


@dataclass(frozen=True, repr=False)
class Optimizer:
    """Base class: hyper-parameters as frozen fields, ``init`` and ``update`` pure functions.

    ``learning_rate(t)`` is the rate used by the update that follows t earlier updates.
    ``hyper`` lists the hyper-parameters (for widgets); ``needs_hessian`` says whether
    ``update`` needs ``hess``.
    """

    lr: LearningRate = 1e-3
    name: ClassVar[str] = "optimizer"
    needs_hessian: ClassVar[bool] = False

    def __post_init__(self) -> None:
        lr = self.lr
        if not callable(lr):
            lr = check.real("lr", lr, "a finite number >= 0 (or a schedule, a function of the "
                            "step t)", lambda v: v >= 0)
        object.__setattr__(self, "lr", lr)

    def learning_rate(self, t: int) -> float:
        """The learning rate at step t (t = number of updates already made)."""
        lr = self.lr
        if type(lr) is float:
            return lr
        value = lr(t)
        if isinstance(lr, Schedule):
            return value
        value = float(value)
        if not 0 <= value < math.inf:
            raise ValueError(f"lr: the schedule returned {value!r} at step t={t}; a learning rate "
                             f"must be finite and >= 0")
        return value

    @property
    def hyper(self) -> dict[str, Any]:
        """The hyper-parameters, name -> value."""
        return {f.name: getattr(self, f.name) for f in fields(self)}

    def init(self, x: npt.ArrayLike) -> Any:  # pragma: no cover - abstract
        raise NotImplementedError

    def update(self, x: np.ndarray, grad: np.ndarray, state: Any,
               hess: np.ndarray | None = None) -> tuple[np.ndarray, Any]:  # pragma: no cover
        raise NotImplementedError

    def __repr__(self) -> str:
        return f"{self.name}({', '.join(f'{k}={v!r}' for k, v in self.hyper.items())})"


@dataclass(frozen=True, repr=False)
class gd(Optimizer):
    """Gradient descent (torch.optim.SGD):   x <- x - lr * g."""

    lr: LearningRate = 1e-3
    name: ClassVar[str] = "gd"

    def init(self, x: npt.ArrayLike) -> StepState:
        return StepState(0)

    def update(self, x: np.ndarray, grad: np.ndarray, state: StepState,
               hess: np.ndarray | None = None) -> tuple[np.ndarray, StepState]:
        lr = self.learning_rate(state.count)
        return x - lr * grad, StepState(state.count + 1)       # step against the gradient


@dataclass(frozen=True, repr=False)
class momentum(Optimizer):
    """Heavy-ball momentum (torch.optim.SGD, momentum=beta, dampening=0):

        b <- beta * b + g
        x <- x - lr * b
    """

    lr: LearningRate = 1e-3
    beta: float = 0.9
    name: ClassVar[str] = "momentum"

    def __post_init__(self) -> None:
        super().__post_init__()
        object.__setattr__(self, "beta", check.unit_interval("beta", self.beta))

    def init(self, x: npt.ArrayLike) -> MomentumState:
        return MomentumState(0, np.zeros(np.shape(x)))

    def update(self, x: np.ndarray, grad: np.ndarray, state: MomentumState,
               hess: np.ndarray | None = None) -> tuple[np.ndarray, MomentumState]:
        lr = self.learning_rate(state.count)
        b = self.beta * state.velocity + grad                  # velocity: decayed sum of gradients
        return x - lr * b, MomentumState(state.count + 1, b)   # step along the velocity


@dataclass(frozen=True, repr=False)
class nesterov(Optimizer):
    """Nesterov momentum (torch.optim.SGD, momentum=beta, nesterov=True):

        b <- beta * b + g
        x <- x - lr * (g + beta * b)
    """

    lr: LearningRate = 1e-3
    beta: float = 0.9
    name: ClassVar[str] = "nesterov"

    def __post_init__(self) -> None:
        super().__post_init__()
        object.__setattr__(self, "beta", check.unit_interval("beta", self.beta))

    def init(self, x: npt.ArrayLike) -> MomentumState:
        return MomentumState(0, np.zeros(np.shape(x)))

    def update(self, x: np.ndarray, grad: np.ndarray, state: MomentumState,
               hess: np.ndarray | None = None) -> tuple[np.ndarray, MomentumState]:
        lr = self.learning_rate(state.count)
        b = self.beta * state.velocity + grad                  # velocity, as in momentum
        look_ahead = grad + self.beta * b                      # gradient plus the next velocity step
        return x - lr * look_ahead, MomentumState(state.count + 1, b)


@dataclass(frozen=True, repr=False)
class adagrad(Optimizer):
    """AdaGrad (torch.optim.Adagrad, lr_decay=0, initial_accumulator_value=0):

        s <- s + g^2
        x <- x - lr * g / (sqrt(s) + eps)

    torch's lr_decay is the schedule inverse_time_decay(lr, lr_decay).
    """

    lr: LearningRate = 1e-2
    eps: float = 1e-10
    name: ClassVar[str] = "adagrad"

    def __post_init__(self) -> None:
        super().__post_init__()
        object.__setattr__(self, "eps", check.nonnegative("eps", self.eps))

    def init(self, x: npt.ArrayLike) -> AdagradState:
        return AdagradState(0, np.zeros(np.shape(x)))

    def update(self, x: np.ndarray, grad: np.ndarray, state: AdagradState,
               hess: np.ndarray | None = None) -> tuple[np.ndarray, AdagradState]:
        lr = self.learning_rate(state.count)
        s = state.sum_sq + grad * grad                          # sum of squared gradients
        x = x - lr * grad / (np.sqrt(s) + self.eps)            # per-coordinate step lr / sqrt(s)
        return x, AdagradState(state.count + 1, s)


@dataclass(frozen=True, repr=False)
class rmsprop(Optimizer):
    """RMSProp (torch.optim.RMSprop, alpha=rho, centered=False, momentum=0):

        v <- rho * v + (1 - rho) * g^2
        x <- x - lr * g / (sqrt(v) + eps)
    """

    lr: LearningRate = 1e-2
    rho: float = 0.99
    eps: float = 1e-8
    name: ClassVar[str] = "rmsprop"

    def __post_init__(self) -> None:
        super().__post_init__()
        object.__setattr__(self, "rho", check.unit_interval("rho", self.rho))
        object.__setattr__(self, "eps", check.nonnegative("eps", self.eps))

    def init(self, x: npt.ArrayLike) -> RMSpropState:
        return RMSpropState(0, np.zeros(np.shape(x)))

    def update(self, x: np.ndarray, grad: np.ndarray, state: RMSpropState,
               hess: np.ndarray | None = None) -> tuple[np.ndarray, RMSpropState]:
        lr = self.learning_rate(state.count)
        v = self.rho * state.sq_avg + (1 - self.rho) * (grad * grad)   # moving mean of g^2
        x = x - lr * grad / (np.sqrt(v) + self.eps)                    # step scaled by 1/RMS(g)
        return x, RMSpropState(state.count + 1, v)


@dataclass(frozen=True, repr=False)
class adam(Optimizer):
    """Adam (torch.optim.Adam, amsgrad=False), with t = the number of this update (1, 2, ...):

        m <- beta1 * m + (1 - beta1) * g
        v <- beta2 * v + (1 - beta2) * g^2
        m_hat = m / (1 - beta1^t),   v_hat = v / (1 - beta2^t)
        x <- x - lr * m_hat / (sqrt(v_hat) + eps)
    """

    lr: LearningRate = 1e-3
    beta1: float = 0.9
    beta2: float = 0.999
    eps: float = 1e-8
    name: ClassVar[str] = "adam"

    def __post_init__(self) -> None:
        super().__post_init__()
        object.__setattr__(self, "beta1", check.unit_interval("beta1", self.beta1))
        object.__setattr__(self, "beta2", check.unit_interval("beta2", self.beta2))
        object.__setattr__(self, "eps", check.nonnegative("eps", self.eps))

    def init(self, x: npt.ArrayLike) -> AdamState:
        return AdamState(0, np.zeros(np.shape(x)), np.zeros(np.shape(x)))

    def update(self, x: np.ndarray, grad: np.ndarray, state: AdamState,
               hess: np.ndarray | None = None) -> tuple[np.ndarray, AdamState]:
        return self._adam(x, grad, state, self.learning_rate(state.count))

    def _adam(self, x: np.ndarray, grad: np.ndarray, state: AdamState,
              lr: float) -> tuple[np.ndarray, AdamState]:
        b1, b2, t = self.beta1, self.beta2, state.count + 1
        m = b1 * state.mu + (1 - b1) * grad                    # first moment: mean of g
        v = b2 * state.nu + (1 - b2) * (grad * grad)           # second moment: mean of g^2
        m_hat = m / (1 - b1**t)                                # bias corrections (zero start)
        v_hat = v / (1 - b2**t)
        x = x - lr * m_hat / (np.sqrt(v_hat) + self.eps)       # step ~ lr * sign(g) where g steady
        return x, AdamState(t, m, v)


@dataclass(frozen=True, repr=False)
class adamw(adam):
    """AdamW: decoupled weight decay, then the Adam step. Two conventions for the decay:

        schedule_multiplier=None   (default; torch.optim.AdamW, also optax.adamw):
            x <- x - lr(t) * weight_decay * x
        schedule_multiplier=eta    (Loshchilov & Hutter 2019, Algorithm 2; eta a number or a
                                    function of the step t):
            x <- x - eta(t) * weight_decay * x
        then Adam's update of m, v and x as in adam, with step size lr(t).

    In the paper one schedule multiplier eta(t) scales both terms,
    x <- x - eta(t) * (alpha * m_hat / (sqrt(v_hat) + eps) + weight_decay * x), so the Adam
    step has size lr(t) = alpha * eta(t) but the decay is NOT multiplied by alpha: pass
    lr=alpha * eta (a number or a schedule) and schedule_multiplier=eta (1.0 for a constant
    rate). The conventions run the same iterates when
    weight_decay_paper = alpha * weight_decay_torch; the same number means a different decay.
    """

    weight_decay: float = 1e-2
    schedule_multiplier: LearningRate | None = None
    name: ClassVar[str] = "adamw"

    def __post_init__(self) -> None:
        super().__post_init__()
        weight_decay = check.nonnegative("weight_decay", self.weight_decay)
        object.__setattr__(self, "weight_decay", weight_decay)
        eta = self.schedule_multiplier
        if eta is not None and not callable(eta):
            eta = check.real("schedule_multiplier", eta, "None (torch's convention: the decay "
                             "is multiplied by lr), a finite number >= 0 or a function of the "
                             "step t", lambda v: v >= 0)
        object.__setattr__(self, "schedule_multiplier", eta)

    def decay_rate(self, t: int) -> float:
        """The fraction of x removed by the decay at step t: lr(t) * weight_decay (torch) or
        schedule_multiplier(t) * weight_decay (Loshchilov & Hutter)."""
        eta = self.schedule_multiplier
        if eta is None:
            return self.learning_rate(t) * self.weight_decay
        if callable(eta):
            value = float(eta(t))
            if not 0 <= value < math.inf:
                raise ValueError(f"schedule_multiplier: the function returned {value!r} at step "
                                 f"t={t}; a multiplier must be finite and >= 0")
            eta = value
        return eta * self.weight_decay

    def update(self, x: np.ndarray, grad: np.ndarray, state: AdamState,
               hess: np.ndarray | None = None) -> tuple[np.ndarray, AdamState]:
        lr = self.learning_rate(state.count)
        x = x - self.decay_rate(state.count) * x               # decay the weights, not the gradient
        return self._adam(x, grad, state, lr)


@dataclass(frozen=True, repr=False)
class newton(Optimizer):
    """Newton's method with optional damping (Levenberg style); needs the Hessian H:

        x <- x - lr * (H + damping * I)^-1 g

    lr = 1, damping = 0 is the pure Newton step: it lands on the stationary point of the local
    quadratic model (the minimum of an SPD quadratic in one step, but also a saddle's centre).
    A singular H + damping*I raises SingularHessianError (descend reports it in the Path).
    """

    lr: LearningRate = 1.0
    damping: float = 0.0
    name: ClassVar[str] = "newton"
    needs_hessian: ClassVar[bool] = True

    def __post_init__(self) -> None:
        super().__post_init__()
        object.__setattr__(self, "damping", check.nonnegative("damping", self.damping))

    def init(self, x: npt.ArrayLike) -> StepState:
        return StepState(0)

    def update(self, x: np.ndarray, grad: np.ndarray, state: StepState,
               hess: np.ndarray | None = None) -> tuple[np.ndarray, StepState]:
        if hess is None:
            raise ValueError("hess: newton needs the Hessian at x; pass hess=H")
        lr = self.learning_rate(state.count)
        system = hess + self.damping * np.eye(len(grad)) if self.damping else hess  # H + damping I
        try:
            direction = np.linalg.solve(system, grad)          # solve (H + damping I) d = g
        except np.linalg.LinAlgError:
            raise SingularHessianError(
                f"H + damping*I is singular at x = {np.round(x, 6).tolist()}, so the Newton step "
                f"is undefined; use damping > 0") from None
        return x - lr * direction, StepState(state.count + 1)


#: name -> optimizer constructor (drives dropdowns), in teaching order.
OPTIMIZERS: dict[str, type[Optimizer]] = {
    cls.name: cls for cls in (gd, momentum, nesterov, adagrad, rmsprop, adam, adamw, newton)
}


def make(name: str, **hyper: Any) -> Optimizer:
    """The optimizer called `name` with hyper-parameters, e.g. ``make("adam", lr=0.01)``."""
    if not isinstance(name, str) or name not in OPTIMIZERS:
        raise ValueError(f"name: unknown optimizer {name!r}; known optimizers are "
                         f"{', '.join(OPTIMIZERS)}")
    cls = OPTIMIZERS[name]
    allowed = [f.name for f in fields(cls)]
    for key in hyper:
        if key not in allowed:
            raise ValueError(f"{key}: not a hyper-parameter of {name} (it takes {', '.join(allowed)})")
    return cls(**hyper)


def clip_by_norm(grad: npt.ArrayLike, max_norm: float) -> np.ndarray:
    """g * min(1, max_norm / |g|): rescale the gradient so its Euclidean norm is <= max_norm.

    The direction is kept; only the length is capped (this tames exploding gradients).
    Returns a new array.
    """
    max_norm = check.positive("max_norm", max_norm)
    g = np.array(grad, dtype=float)
    norm = _norm(g)
    return g * (max_norm / norm) if norm > max_norm else g


def _norm(g: np.ndarray) -> float:
    """Euclidean norm without overflow in the squares (inf/nan if an entry is)."""
    with np.errstate(all="ignore"):
        big = float(np.max(np.abs(g))) if g.size else 0.0
        if big == 0.0 or not math.isfinite(big):
            return big
        return big * float(np.linalg.norm(g / big))


# ---------------------------------------------------------------------------------------------
# descend
# ---------------------------------------------------------------------------------------------
class Problem(Protocol):
    """Anything with f(x) -> float and grad(x) -> (n,) (and hess(x) -> (n, n) for Newton)."""

    def f(self, x: np.ndarray) -> Any: ...
    def grad(self, x: np.ndarray) -> Any: ...


@dataclass(frozen=True, eq=False)
class Path:
    """The record of one descent run.

    xs (k+1, n) the points x0 ... xk; losses (k+1) f at them; grads (k+1, n) the gradients
    there (before clipping); lrs (k) the learning rate of each step; steps = k;
    status "converged" (|grad| <= tol), "diverged" (stopped at a non-finite or out-of-bound
    value, or a singular Newton system; every point kept is finite) or "max_steps";
    message a sentence for a status line; optimizer the optimizer's name.
    """

    xs: np.ndarray
    losses: np.ndarray
    grads: np.ndarray
    lrs: np.ndarray
    status: str
    steps: int
    message: str
    optimizer: str

    @property
    def x(self) -> np.ndarray:
        """The last point."""
        return self.xs[-1]

    @property
    def loss(self) -> float:
        """The loss at the last point."""
        return float(self.losses[-1])


def _evaluators(problem: Any, hessian: bool) -> tuple[Callable, Callable | None]:
    """Fast (f, grad, |grad|) and Hessian evaluation at one point, never raising on overflow."""
    from gradlib.surfaces import Surface  # optim stays importable without SymPy work

    if isinstance(problem, Surface):
        point_fg, point_h = problem._point_fg, problem._point_hess

        def evaluate(x: np.ndarray) -> tuple[float, np.ndarray, float]:
            vals = point_fg(x.tolist())
            grad = vals[1:]
            return float(vals[0]), np.array(grad, dtype=float), math.hypot(*grad)

        return evaluate, (lambda x: point_h(x.tolist())) if hessian else None

    f, grad = getattr(problem, "f", None), getattr(problem, "grad", None)
    if not (callable(f) and callable(grad)):
        raise ValueError(f"problem must be a Surface or have methods f(x) and grad(x), "
                         f"got {type(problem).__name__}")
    hess = getattr(problem, "hess", None)
    if hessian and not callable(hess):
        raise ValueError(f"problem: newton needs the Hessian, but {type(problem).__name__} has "
                         f"no hess(x) method")

    def evaluate(x: np.ndarray) -> tuple[float, np.ndarray, float]:
        try:
            loss, g = float(f(x)), np.array(grad(x), dtype=float)
        except ArithmeticError:  # e.g. Python's OverflowError in a user's function
            return math.nan, np.full(x.shape, math.nan), math.nan
        if g.shape != x.shape:
            raise ValueError(f"problem.grad(x) must have shape {x.shape}, got {g.shape}")
        return loss, g, _norm(g)

    def hessian_at(x: np.ndarray) -> np.ndarray:
        try:
            return np.array(hess(x), dtype=float).reshape(x.size, x.size)
        except ArithmeticError:
            return np.full((x.size, x.size), math.nan)

    return evaluate, hessian_at if hessian else None


def _start(problem: Any, x0: Any) -> np.ndarray:
    n = getattr(problem, "n", None)
    if x0 is None:
        x0 = getattr(problem, "start", None)
        if x0 is None:
            raise ValueError("x0 is required: the problem has no default start")
    try:
        x = np.array(x0, dtype=float)
    except (TypeError, ValueError):
        raise ValueError(f"x0 must be a vector of numbers, got {x0!r}") from None
    if x.ndim != 1 or (n is not None and x.shape != (n,)):
        want = f"({n},)" if n is not None else "(n,)"
        raise ValueError(f"x0 must have shape {want} (one coordinate per variable), got shape {x.shape}")
    if not np.all(np.isfinite(x)):
        raise ValueError(f"x0 must be finite, got {x.tolist()}")
    return x


def descend(problem: Problem, optimizer: Optimizer, x0: npt.ArrayLike | None = None, steps: int = 100,
            *, tol: float = 1e-10, clip: float | None = None, bound: float = 1e8) -> Path:
    """Run `optimizer` on `problem` from `x0` (default: problem.start) for at most `steps` steps.

        repeat: g = grad f(x); if |g| <= tol: converged; x, state = update(x, g, state)

    Convergence: the Euclidean norm of the gradient at the current point is <= tol (checked at
    x0 too, so a start at a stationary point converges in 0 steps).
    Divergence: the run stops at the first step whose new point has a non-finite coordinate or
    leaves the box |x|_inf <= bound, or where f or grad f is not finite there; that point is
    not kept, so every point in the Path is finite. No NumPy warnings escape.
    clip: if given, each gradient is rescaled to norm <= clip before the update
    (clip_by_norm); Path.grads keeps the unclipped gradients.
    """
    if not isinstance(optimizer, Optimizer):
        raise ValueError(f"optimizer must be an optimizer such as adam(lr=0.01) or make('adam', "
                         f"lr=0.01), got {optimizer!r}")
    steps = check.integer("steps", steps, lo=1)
    tol = check.nonnegative("tol", tol)
    if clip is not None:
        clip = check.positive("clip", clip)
    bound = check.real("bound", bound, "> 0", lambda v: v > 0, finite=False)
    evaluate, hessian = _evaluators(problem, optimizer.needs_hessian)
    x = _start(problem, x0)
    n = x.size

    xs, grads = np.empty((steps + 1, n)), np.empty((steps + 1, n))
    losses, lrs = np.empty(steps + 1), np.empty(steps)
    update, learning_rate, state = optimizer.update, optimizer.learning_rate, optimizer.init(x)
    small = n <= 16
    limit = min(bound, sys.float_info.max)  # so that inf is never "inside"
    k, status, reason = 0, "max_steps", ""
    with np.errstate(all="ignore"):
        loss, g, gnorm = evaluate(x)
        if not (math.isfinite(loss) and math.isfinite(gnorm)):
            raise ValueError(f"x0: f or its gradient is not finite at x0 = {x.tolist()} "
                             f"(f = {loss}); start inside the function's domain")
        xs[0], grads[0], losses[0] = x, g, loss
        h = hessian(x) if hessian else None
        while True:
            if gnorm <= tol:
                status = "converged"
                break
            if k == steps:
                break
            step_grad = g * (clip / gnorm) if clip is not None and gnorm > clip else g
            try:
                x_new, state = update(x, step_grad, state, h)
            except SingularHessianError as err:
                status, reason = "diverged", f"stopped at step {k + 1}: {err}"
                break
            if small:
                inside = all(-limit <= v <= limit for v in x_new.tolist())
            else:
                inside = bool(np.max(np.abs(x_new)) <= limit)
            if not inside:
                what = "x became non-finite" if not np.all(np.isfinite(x_new)) else \
                    f"|x| exceeded {bound:.0e}"
                status, reason = "diverged", f"diverged at step {k + 1}: {what}"
                break
            loss, g, gnorm = evaluate(x_new)
            if not (math.isfinite(loss) and math.isfinite(gnorm)):
                what = "the loss" if not math.isfinite(loss) else "the gradient"
                status, reason = "diverged", f"diverged at step {k + 1}: {what} became non-finite"
                break
            lrs[k] = learning_rate(k)
            k += 1
            x = x_new
            xs[k], grads[k], losses[k] = x, g, loss
            if hessian:
                h = hessian(x)

    if status == "converged":
        message = f"converged in {k} step{'s' if k != 1 else ''} (|grad| <= {tol:g})"
    elif status == "max_steps":
        message = (f"stopped after {k} steps without converging "
                   f"(|grad| = {gnorm:.3g} > tol = {tol:g})")
    else:
        message = reason
    arrays = [a[: k + 1].copy() for a in (xs, losses, grads)] + [lrs[:k].copy()]
    for a in arrays:
        a.setflags(write=False)
    return Path(arrays[0], arrays[1], arrays[2], arrays[3], status, k, message, optimizer.name)
