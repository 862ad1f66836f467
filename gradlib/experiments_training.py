"""Training an MLP, the pure part of notebook 09's explorers (no widgets imported).

Data, decision boundaries and one training run:

    make_dataset(name, n, noise, seed)          (X, y) of a named toy set
    data_window(X, margin)                      padded (xlim, ylim) around 2-D points
    decision_boundary_grid(model, xlim, ylim, resolution) -> BoundaryGrid (class probabilities)
    class_colors_image(proba, colors)           an RGB picture of those probabilities
    TrainSettings(...), train(settings, lr)     what the training explorer's controls say -> Trained
    training_snapshots(model, X, y, ...)        train while recording the boundary -> Snapshots

Minibatch gradients and schedules:

    per_example_gradients(model, X, y)          (N, P): the gradient of each example's loss
    gradient_noise(model, X, y, batch_sizes, draws, seed)   measured E||g_B - g||^2 per B
    gradient_noise_exact(model, X, y, batch_sizes)          the same, exactly: (1 - B/N)/B S^2
    noise_basis(model, X, y), gradient_cloud(...)           2-D views of minibatch gradients
    batch_size_options(n)                       1, 2, 4, ..., n for a batch-size slider
    make_schedules(lr0, steps, final, warmup_fraction)      six schedules that end at final*lr0
    run_schedules(settings, schedules)          one training run per schedule -> ScheduleRun

What the explorers draw (settings -> Frame, drawn by gradlib.widgets.canvas; docs/explorers.md):

    training_run(settings), training_frame(settings), training_scene(settings)
        the decision regions as training goes: one small picture per snapshot (Play runs over
        the snapshots), the data, the loss and accuracy curves with a cursor
    BatchSettings, batch_probe(settings), batch_frame(settings), batch_scene(settings)
        the loss of every minibatch step beside full-batch descent, the cloud of minibatch
        gradients at one point of training (Play adds the draws one by one, with their running
        mean), the measured and exact E||g_B - g||^2 against B
    ScheduleSettings, schedule_frame(settings), schedule_scene()
        lr(t) of each schedule and the training loss each gives (Play runs over the epochs)

Runs are cached by their settings (``functools.lru_cache``): training a network takes tens of
milliseconds, so an explorer that comes back to settings it has shown answers at once.
"""
from __future__ import annotations

import math
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, NamedTuple

import numpy as np
from matplotlib import colors as mcolors

from . import _checks as check
from . import data as gdata
from . import optim
from .mlp import ACTIVATIONS, MLP, History

__all__ = [
    "DATASETS", "CLASS_COLORS", "TRAIN_OPTIMIZERS", "SCHEDULE_NAMES", "SCHEDULE_COLORS",
    "make_dataset", "data_window", "BoundaryGrid", "decision_boundary_grid", "class_colors_image",
    "TrainSettings", "Trained", "train", "Snapshots", "training_snapshots",
    "per_example_gradients", "gradient_noise", "gradient_noise_exact", "noise_basis",
    "gradient_cloud", "batch_size_options", "make_schedules", "ScheduleRun", "run_schedules",
    "decades", "FRAMES", "RESOLUTION", "boundary_image", "TrainingRun", "training_run",
    "training_status", "training_frame", "training_scene",
    "BatchSettings", "BatchProbe", "batch_probe", "minibatch_run", "batch_cloud",
    "batch_status", "batch_frame", "batch_scene",
    "ScheduleSettings", "schedule_run", "schedule_status", "schedule_frame", "schedule_scene",
]

#: Named toy data sets: name -> (generator, default n, default noise).
DATASETS: dict[str, tuple[Callable[..., tuple[np.ndarray, np.ndarray]], int, float]] = {
    "moons": (lambda n, noise, seed: gdata.moons(n, noise, seed), 200, 0.2),
    "spirals": (lambda n, noise, seed: gdata.spirals(n, 3, noise, seed), 300, 0.2),
    "blobs": (lambda n, noise, seed: gdata.blobs(n, std=noise, seed=seed), 200, 0.6),
}
#: One color per class (points and the tint of the decision regions): the Okabe-Ito palette
#: (blue, orange, bluish green, reddish purple, sky blue, vermillion), which readers with any
#: common form of colour blindness can tell apart -- no red-against-green pair.
CLASS_COLORS = ("#0072b2", "#e69f00", "#009e73", "#cc79a7", "#56b4e9", "#d55e00")
#: First-order optimizers offered by the explorers (Newton needs a full Hessian; fit refuses it).
TRAIN_OPTIMIZERS = ("gd", "momentum", "nesterov", "adagrad", "rmsprop", "adam")
#: The schedules of make_schedules, in display order.
SCHEDULE_NAMES = ("constant", "inverse time", "step", "exponential", "cosine", "warmup + cosine")
#: One colour per schedule of SCHEDULE_NAMES (dark grey for the constant rate, then Okabe-Ito).
SCHEDULE_COLORS = ("#444444", "#0072b2", "#e69f00", "#009e73", "#cc79a7", "#d55e00")


# ---------------------------------------------------------------------------------------------
# validation helpers (messages name the argument, the rule and the value)
# ---------------------------------------------------------------------------------------------
def _classifier(model: Any, name: str = "model", two_d: bool = False) -> MLP:
    if not isinstance(model, MLP):
        raise ValueError(f"{name} must be a gradlib.mlp.MLP, got {type(model).__name__}")
    if two_d and model.sizes[0] != 2:
        raise ValueError(f"{name} must take 2 inputs (sizes[0] == 2) to be drawn in the plane, "
                         f"got sizes={list(model.sizes)}")
    return model


def _rows(model: MLP, X: Any, y: Any) -> tuple[np.ndarray, np.ndarray]:
    """X and y checked by the model itself (its messages name X and y and the expected shapes)."""
    model.loss(X, y)                     # raises ValueError with the model's own message if wrong
    return np.asarray(X, dtype=np.float64), np.asarray(y)


# ---------------------------------------------------------------------------------------------
# data and decision boundaries
# ---------------------------------------------------------------------------------------------
def make_dataset(name: str = "moons", n: int | None = None, noise: float | None = None,
                 seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """(X, y) of the toy set ``name`` (see DATASETS); n and noise default per data set."""
    if not isinstance(name, str) or name not in DATASETS:
        raise ValueError(f"name must be one of {', '.join(map(repr, DATASETS))}, got {name!r}")
    make, n0, noise0 = DATASETS[name]
    return make(n0 if n is None else n, noise0 if noise is None else noise, seed)


def data_window(X: Any, margin: float = 0.15) -> tuple[tuple[float, float], tuple[float, float]]:
    """The bounding box of 2-D points, widened by ``margin`` times its size on every side.

        xlim = (min x - margin * w, max x + margin * w),  w = max x - min x  (same for y)
    """
    arr = np.asarray(X, dtype=np.float64)
    if arr.ndim != 2 or arr.shape[1] != 2 or arr.shape[0] < 1 or not np.isfinite(arr).all():
        raise ValueError(f"X must be a finite array of shape (m, 2), got shape {arr.shape}")
    margin = check.real("margin", margin, "a number >= 0", lambda v: v >= 0)
    lo, hi = arr.min(axis=0), arr.max(axis=0)
    span = np.maximum(hi - lo, 1e-9)
    lo, hi = lo - margin * span, hi + margin * span
    return (float(lo[0]), float(hi[0])), (float(lo[1]), float(hi[1]))


class BoundaryGrid(NamedTuple):
    """Class probabilities of a 2-input classifier on a grid.

    xs (nx,), ys (ny,): the grid lines; proba (ny, nx, k): row j, column i is the point
    (xs[i], ys[j]) (the layout of ``imshow(..., origin="lower")``). For a single sigmoid
    output k = 2 with columns (1 - p, p), so every grid has one column per class. (Several
    sigmoid outputs are independent yes/no probabilities: one column each, not summing to 1.)
    """
    xs: np.ndarray
    ys: np.ndarray
    proba: np.ndarray

    @property
    def extent(self) -> tuple[float, float, float, float]:
        """(left, right, bottom, top) for imshow."""
        return float(self.xs[0]), float(self.xs[-1]), float(self.ys[0]), float(self.ys[-1])


def decision_boundary_grid(model: MLP, xlim: Sequence[float], ylim: Sequence[float],
                           resolution: int = 100) -> BoundaryGrid:
    """p(class | x) on a resolution x resolution grid over xlim x ylim.

        proba[j, i, c] = model.predict_proba([xs[i], ys[j]])[c]
    """
    model = _classifier(model, two_d=True)
    if model.output == "identity":
        raise ValueError("model must be a classifier (output 'softmax' or 'sigmoid'), got "
                         "output='identity'")
    (x0, x1), (y0, y1) = check.interval("xlim", xlim), check.interval("ylim", ylim)
    resolution = check.integer("resolution", resolution, 2, 1000)
    xs, ys = np.linspace(x0, x1, resolution), np.linspace(y0, y1, resolution)
    XX, YY = np.meshgrid(xs, ys)
    p = model.predict_proba(np.column_stack([XX.ravel(), YY.ravel()]))
    if p.ndim == 1:                                   # one sigmoid output: p = P(class 1)
        p = np.column_stack([1.0 - p, p])
    return BoundaryGrid(xs, ys, p.reshape(resolution, resolution, -1))


def class_colors_image(proba: Any, colors: Sequence[Any] = CLASS_COLORS,
                       strength: float = 0.45) -> np.ndarray:
    """An RGB picture of class probabilities: each pixel a probability-weighted mix of the
    class colors, faded toward white so data points stay visible on top.

        rgb = (1 - strength) * white + strength * sum_c proba[..., c] * color_c

    Where the network is sure the region takes its class color; along the decision boundary
    the colors mix.
    """
    p = np.asarray(proba, dtype=np.float64)
    if p.ndim != 3 or p.shape[2] < 1 or not np.isfinite(p).all():
        raise ValueError(f"proba must be a finite array of shape (ny, nx, classes), got shape {p.shape}")
    if len(colors) < p.shape[2]:
        raise ValueError(f"colors must name at least one color per class ({p.shape[2]}), "
                         f"got {len(colors)}")
    strength = check.real("strength", strength, "in [0, 1]", lambda v: 0 <= v <= 1)
    palette = np.array([mcolors.to_rgb(c) for c in colors[:p.shape[2]]])
    mix = p @ palette                                 # (ny, nx, 3)
    return np.clip((1.0 - strength) + strength * mix, 0.0, 1.0)


# ---------------------------------------------------------------------------------------------
# one training run
# ---------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class TrainSettings:
    """Everything the training explorer's controls say (hashable, so runs can be cached).

    A network 2 -> hidden x layers -> classes on ``dataset``, trained by ``optimizer`` with
    learning rate ``lr`` for ``epochs`` epochs in minibatches of ``batch_size`` (None: full
    batch). ``seed`` seeds the initial weights and the shuffling; ``data_seed`` the data.
    """
    dataset: str = "moons"
    n: int | None = None
    noise: float | None = None
    hidden: int = 16
    layers: int = 1
    activation: str = "relu"
    optimizer: str = "adam"
    lr: float = 0.01
    epochs: int = 100
    batch_size: int | None = 32
    seed: int = 0
    data_seed: int = 0

    def __post_init__(self) -> None:
        if not isinstance(self.dataset, str) or self.dataset not in DATASETS:
            raise ValueError(f"dataset must be one of {', '.join(map(repr, DATASETS))}, "
                             f"got {self.dataset!r}")
        if self.n is not None:
            check.integer("n", self.n, 3, 100_000)
        if self.noise is not None:
            check.real("noise", self.noise, "a number >= 0", lambda v: v >= 0)
        check.integer("hidden", self.hidden, 1, 1024)
        check.integer("layers", self.layers, 1, 8)
        if self.activation not in ACTIVATIONS:
            raise ValueError(f"activation must be one of {', '.join(map(repr, ACTIVATIONS))}, "
                             f"got {self.activation!r}")
        if self.optimizer not in TRAIN_OPTIMIZERS:
            raise ValueError(f"optimizer must be one of {', '.join(map(repr, TRAIN_OPTIMIZERS))}, "
                             f"got {self.optimizer!r}")
        check.positive("lr", self.lr)
        check.integer("epochs", self.epochs, 1, 100_000)
        if self.batch_size is not None:
            check.integer("batch_size", self.batch_size, 1)
        check.integer("seed", self.seed, 0)
        check.integer("data_seed", self.data_seed, 0)

    def data(self) -> tuple[np.ndarray, np.ndarray]:
        """The training set (X, y)."""
        return make_dataset(self.dataset, self.n, self.noise, self.data_seed)

    def network(self, classes: int) -> MLP:
        """A fresh network 2 -> hidden^layers -> classes (softmax output), seeded."""
        sizes = [2] + [self.hidden] * self.layers + [classes]
        init = "he" if self.activation in ("relu", "leaky_relu") else "xavier"
        return MLP(sizes, self.activation, "softmax", init=init, seed=self.seed)


class Trained(NamedTuple):
    """A trained network, its training record, the data it saw and the wall time of ``fit``."""
    model: MLP
    history: History
    X: np.ndarray
    y: np.ndarray
    seconds: float


def train(settings: TrainSettings, lr: float | optim.Schedule | None = None) -> Trained:
    """Build the data and the network that ``settings`` describe and train it with ``fit``.

    ``lr`` (a number or a schedule) replaces ``settings.lr`` when given. A batch size larger
    than the data set means full batch.
    """
    if not isinstance(settings, TrainSettings):
        raise ValueError(f"settings must be a TrainSettings, got {type(settings).__name__}")
    X, y = settings.data()
    model = settings.network(int(y.max()) + 1)
    rate = settings.lr if lr is None else lr
    opt = optim.make(settings.optimizer, lr=rate)
    batch = settings.batch_size
    if batch is not None and batch >= X.shape[0]:
        batch = None
    t0 = time.perf_counter()
    history = model.fit(X, y, opt, settings.epochs, batch, seed=settings.seed)
    return Trained(model, history, X, y, time.perf_counter() - t0)


# ---------------------------------------------------------------------------------------------
# the decision boundary during training (its animation: widgets.training.boundary_animation)
# ---------------------------------------------------------------------------------------------
class Snapshots(NamedTuple):
    """The decision boundary recorded during training.

    epochs (F,): epochs completed at each snapshot (0 = before training); proba (F, ny, nx, k);
    loss (F,): the mean loss over the training set at that moment; accuracy (F,); xs, ys: the
    grid; history: the run's History.
    """
    epochs: np.ndarray
    proba: np.ndarray
    loss: np.ndarray
    accuracy: np.ndarray
    xs: np.ndarray
    ys: np.ndarray
    history: History


def _snapshot_epochs(epochs: int, frames: int) -> np.ndarray:
    """0 and about frames-1 epochs in 1..epochs, denser early (where the boundary moves most)."""
    later = np.unique(np.round(np.geomspace(1, epochs, frames - 1)).astype(int))
    return np.concatenate([[0], later])


def training_snapshots(model: MLP, X: Any, y: Any, optimizer: optim.Optimizer, epochs: int, *,
                       frames: int = 40, batch_size: int | None = None, seed: int = 0,
                       xlim: Sequence[float] | None = None, ylim: Sequence[float] | None = None,
                       resolution: int = 80) -> Snapshots:
    """Train ``model`` in place (as ``model.fit`` does) and record the decision boundary at
    epoch 0 and at up to frames-1 later epochs, spaced geometrically (early epochs change most).

    The window defaults to ``data_window(X)``. The last snapshot always shows the network as
    ``fit`` left it: for a run that diverged, the parameters it restored (the last ones with a
    finite loss), at the number of epochs completed (after the epoch-0 snapshot, which always
    shows the initial network).
    """
    model = _classifier(model, two_d=True)
    X, y = _rows(model, X, y)
    epochs = check.integer("epochs", epochs, 1)
    frames = check.integer("frames", frames, 2, 200)
    if xlim is None or ylim is None:
        wx, wy = data_window(X)
        xlim, ylim = xlim or wx, ylim or wy
    at = set(_snapshot_epochs(epochs, frames).tolist())
    grids, marks, losses, accs = [], [], [], []

    def record(done: int) -> None:
        grid = decision_boundary_grid(model, xlim, ylim, resolution)
        grids.append(grid)
        marks.append(done)
        losses.append(model.loss(X, y))
        accs.append(model.accuracy(X, y))

    record(0)
    history = model.fit(X, y, optimizer, epochs, batch_size, seed=seed,
                        callback=lambda log: record(log.epoch + 1) if log.epoch + 1 in at else None)
    diverged = history.status == "diverged"
    if diverged and len(marks) > 1 and marks[-1] == history.epochs:
        for recorded in (grids, marks, losses, accs):  # fit restored earlier parameters: the
            recorded.pop()                             # last snapshot shows those instead
    if diverged or marks[-1] != history.epochs:      # a run that stopped early: show where
        record(history.epochs)
    return Snapshots(np.array(marks), np.stack([g.proba for g in grids]), np.array(losses),
                     np.array(accs), grids[0].xs, grids[0].ys, history)


# ---------------------------------------------------------------------------------------------
# minibatch gradients: how noisy is the estimate?
# ---------------------------------------------------------------------------------------------
def per_example_gradients(model: MLP, X: Any, y: Any) -> np.ndarray:
    """G[i] = the gradient of example i's loss alone, shape (N, P).

    The training loss is the mean of the examples' losses, so the full gradient is G.mean(0)
    and a minibatch gradient is the mean of its rows of G.
    """
    from .practice import per_example_gradients as per_example
    model = _classifier(model)
    X, y = _rows(model, X, y)
    return per_example(model, X, y)


def _batch_sizes(batch_sizes: Any, n: int) -> list[int]:
    try:
        sizes = list(batch_sizes)
    except TypeError:
        raise ValueError(f"batch_sizes must be a sequence of integers, got {batch_sizes!r}") from None
    if not sizes:
        raise ValueError("batch_sizes must not be empty")
    return [check.integer("batch_sizes", b, 1, n) for b in sizes]


def gradient_noise(model: MLP, X: Any, y: Any, batch_sizes: Sequence[int], draws: int = 200,
                   seed: int = 0) -> np.ndarray:
    """The mean squared distance of minibatch gradients from the full-batch gradient, per B:

        noise[B] = (1/draws) sum_d || g_B^(d) - g ||^2,   g = grad L(all N rows)

    measured: each draw takes B distinct rows at random (one minibatch of a shuffled epoch)
    and backpropagates through them. It falls like 1/B; B = N gives 0.
    """
    model = _classifier(model)
    X, y = _rows(model, X, y)
    n = X.shape[0]
    sizes = _batch_sizes(batch_sizes, n)
    draws = check.integer("draws", draws, 1, 100_000)
    rng = np.random.default_rng(check.integer("seed", seed, 0))
    g = model.gradient(X, y)
    out = np.empty(len(sizes))
    for k, b in enumerate(sizes):
        total = 0.0
        for _ in range(draws):
            rows = rng.choice(n, size=b, replace=False)
            d = model.gradient(X[rows], y[rows]) - g
            total += float(d @ d)
        out[k] = total / draws
    return out


def gradient_noise_exact(model: MLP, X: Any, y: Any, batch_sizes: Sequence[int]) -> np.ndarray:
    """E || g_B - g ||^2 exactly, for B rows drawn without replacement from N:

        E || g_B - g ||^2 = (1 - B/N) / B * S^2,   S^2 = 1/(N-1) sum_i || g_i - g ||^2

    with g_i the per-example gradients (the variance of a sample mean from a finite population).
    """
    model = _classifier(model)
    X, y = _rows(model, X, y)
    n = X.shape[0]
    sizes = np.array(_batch_sizes(batch_sizes, n), dtype=np.float64)
    if n == 1:
        return np.zeros(len(sizes))
    G = per_example_gradients(model, X, y)
    D = G - G.mean(axis=0)
    s2 = float(np.sum(D * D)) / (n - 1)
    return (1.0 - sizes / n) / sizes * s2


def noise_basis(model: MLP, X: Any, y: Any) -> np.ndarray:
    """Two orthonormal directions in parameter space, shape (2, P), for picturing gradients:

        u1 = g / ||g||   (the full gradient's direction)
        u2 = the direction in which per-example gradients spread most, orthogonal to u1
    """
    model = _classifier(model)
    if model.n_params < 2:
        raise ValueError(f"model must have at least 2 parameters for a 2-D picture, "
                         f"got {model.n_params}")
    X, y = _rows(model, X, y)
    G = per_example_gradients(model, X, y)
    g = G.mean(axis=0)
    norm = float(np.linalg.norm(g))
    if norm == 0.0:
        u1 = np.zeros_like(g)
        u1[0] = 1.0
    else:
        u1 = g / norm
    D = G - g
    D = D - np.outer(D @ u1, u1)                      # remove the u1 component
    _, s, vt = np.linalg.svd(D, full_matrices=False)
    if s.size and s[0] > 0:
        u2 = vt[0]
    else:                                             # no spread: any unit vector orthogonal to u1
        e = np.zeros_like(g)
        e[int(np.argmin(np.abs(u1)))] = 1.0
        u2 = e - (e @ u1) * u1
    u2 = u2 - (u2 @ u1) * u1
    return np.stack([u1, u2 / np.linalg.norm(u2)])


def gradient_cloud(model: MLP, X: Any, y: Any, batch_size: int, basis: Any, draws: int = 100,
                   seed: int = 0) -> np.ndarray:
    """Coordinates of ``draws`` minibatch gradients in a 2-D ``basis`` (rows: directions):

        cloud[d] = basis @ g_B^(d),   shape (draws, 2)

    With ``noise_basis`` the full gradient sits at (||g||, 0); a point with a negative first
    coordinate is a minibatch gradient whose step goes uphill for the full training loss.
    """
    model = _classifier(model)
    X, y = _rows(model, X, y)
    n = X.shape[0]
    b = check.integer("batch_size", batch_size, 1, n)
    B = np.asarray(basis, dtype=np.float64)
    if B.shape != (2, model.n_params) or not np.isfinite(B).all():
        raise ValueError(f"basis must be a finite array of shape (2, {model.n_params}), "
                         f"got shape {B.shape}")
    draws = check.integer("draws", draws, 1, 100_000)
    rng = np.random.default_rng(check.integer("seed", seed, 0))
    out = np.empty((draws, 2))
    for d in range(draws):
        rows = rng.choice(n, size=b, replace=False)
        out[d] = B @ model.gradient(X[rows], y[rows])
    return out


def batch_size_options(n: int) -> list[int]:
    """1, 2, 4, 8, ... below n, then n itself (full batch): the stops of a batch-size slider."""
    n = check.integer("n", n, 1)
    options = [1 << k for k in range(max(n.bit_length(), 1)) if (1 << k) < n]
    return options + [n]


# ---------------------------------------------------------------------------------------------
# learning-rate schedules
# ---------------------------------------------------------------------------------------------
def make_schedules(lr0: float, steps: int, final: float = 0.01,
                   warmup_fraction: float = 0.1) -> dict[str, optim.Schedule]:
    """Six schedules for a run of ``steps`` steps, each decaying one down to final * lr0:

        constant           lr0
        inverse time       lr0 / (1 + decay t),      decay = (1/final - 1) / steps
        step               lr0 drop^floor(t / every), every = ceil(steps/4), drop = final^(1/3)
        exponential        lr0 rate^t,                rate = final^(1/steps)
        cosine             final lr0 + (lr0 - final lr0) (1 + cos(pi t / steps)) / 2
        warmup + cosine    a linear ramp over the first warmup_fraction of the steps, then cosine

    The smooth ones reach final * lr0 at t = steps; the step schedule makes its third and last
    drop at three quarters of the run and stays at final * lr0 from there.
    """
    lr0 = check.positive("lr0", lr0)
    steps = check.integer("steps", steps, 1)
    final = check.real("final", final, "in (0, 1]", lambda v: 0 < v <= 1)
    warmup_fraction = check.real("warmup_fraction", warmup_fraction, "in [0, 1)",
                                 lambda v: 0 <= v < 1)
    lr_end = final * lr0
    ramp = int(round(warmup_fraction * steps))
    rest = max(steps - ramp, 1)
    cosine_after = optim.cosine_decay(lr0, rest, lr_min=lr_end)
    return {
        "constant": optim.constant(lr0),
        "inverse time": optim.inverse_time_decay(lr0, (1.0 / final - 1.0) / steps),
        "step": optim.step_decay(lr0, final ** (1.0 / 3.0), math.ceil(steps / 4)),
        "exponential": optim.exponential_decay(lr0, final ** (1.0 / steps)),
        "cosine": optim.cosine_decay(lr0, steps, lr_min=lr_end),
        "warmup + cosine": optim.warmup(cosine_after, ramp) if ramp >= 1 else cosine_after,
    }


class ScheduleRun(NamedTuple):
    """One training run per schedule: name -> History, and the training-set loss at the end of
    every epoch (evaluation mode, the whole set: a fair comparison), name -> (epochs,)."""
    histories: dict[str, History]
    end_losses: dict[str, np.ndarray]


def run_schedules(settings: TrainSettings, schedules: Mapping[str, Any]) -> ScheduleRun:
    """Train the network of ``settings`` once per schedule, from the same initial weights and
    with the same minibatches; only the learning rate differs."""
    if not isinstance(settings, TrainSettings):
        raise ValueError(f"settings must be a TrainSettings, got {type(settings).__name__}")
    if not isinstance(schedules, Mapping) or not schedules:
        raise ValueError("schedules must be a non-empty mapping name -> schedule (or number)")
    X, y = settings.data()
    batch = settings.batch_size if settings.batch_size is not None and \
        settings.batch_size < X.shape[0] else None
    histories, ends = {}, {}
    for name, schedule in schedules.items():
        model = settings.network(int(y.max()) + 1)
        opt = optim.make(settings.optimizer, lr=schedule)
        curve: list[float] = []
        histories[name] = model.fit(X, y, opt, settings.epochs, batch, seed=settings.seed,
                                    callback=lambda log, m=model, c=curve: c.append(m.loss(X, y)))
        ends[name] = np.array(curve)
    return ScheduleRun(histories, ends)


def decades(values: Sequence[Any], floor: float = 1e-8) -> tuple[float, float]:
    """Whole-decade limits around the positive finite values, for a log axis whose tick labels
    rarely change:

        lo = 10^floor(log10(max(min v, floor))),  hi = max(10^ceil(log10(max v)), 10 lo)

    (0.1, 10) when there is no positive finite value.
    """
    v = np.concatenate([np.asarray(a, dtype=np.float64).ravel() for a in values] or [np.ones(1)])
    v = v[np.isfinite(v) & (v > 0)]
    if v.size == 0:
        return 0.1, 10.0
    lo = 10.0 ** math.floor(math.log10(max(float(v.min()), floor)))
    hi = 10.0 ** math.ceil(math.log10(float(v.max())))
    return lo, max(hi, lo * 10)


# ---------------------------------------------------------------------------------------------
# what the explorers draw: settings -> Frame (gradlib.scene; drawn by gradlib.widgets.canvas)
# ---------------------------------------------------------------------------------------------
#: Snapshots of the decision regions asked for per training run (at most this many: epoch 0
#: and geometrically spaced epochs, ~22 for 150 epochs; Play runs over them) and pixels per
#: side of each picture (60 x 60: about 2 KB of PNG each).
FRAMES = 25
RESOLUTION = 60
#: The marker at the shown step of Play (the same look in every explorer of the course).
_NOW = {"marker": "o", "size": 9, "fill": "#ffd92f", "edge": "#000000"}
#: Tint where a network's class probabilities are not finite (the last parameters of a run
#: that diverged can overflow far from the data).
_UNDEFINED = (0.85, 0.85, 0.85)
#: Smallest and largest values drawn on a log axis of losses: a loss of exactly 0 would vanish
#: from it, and one that blew up (1e300 before a run diverges) is drawn at the top of the axis.
_FLOOR, _CEILING = 1e-12, 1e10


def _log_values(values: Any) -> np.ndarray:
    """``values`` clipped to [1e-12, 1e10] for a log axis of losses; non-finite entries become
    NaN, which the page skips (a line breaks there)."""
    v = np.array(values, dtype=np.float64, copy=True).reshape(-1)
    bad = ~np.isfinite(v)
    v = np.clip(v, _FLOOR, _CEILING)
    v[bad] = np.nan
    return v


def _pace(n_steps: int, seconds: float = 3.0) -> float | None:
    """Play's pace (``Frame.step_ms``): a run of few steps (snapshots, epochs, draws) plays in
    about ``seconds``; longer ones at the page's default (a step or more a display frame)."""
    ms = 1000.0 * seconds / max(n_steps, 1)
    return ms if ms > 17.0 else None


def _number(value: float, spec: str) -> str:
    """``value`` formatted with ``spec``, or "non-finite" (a status line never says nan)."""
    return format(value, spec) if math.isfinite(value) else "non-finite"


def _batch_words(batch_size: int | None, n: int) -> str:
    return "full" if batch_size is None or batch_size >= n else str(batch_size)


def _chart_panel(name: str, fig_size: tuple[float, float], box: tuple[float, float, float, float],
                 xlabel: str, title: str = "") -> Any:
    """A chart panel at ``box`` = (left, top, width, height) in figure fractions from the top
    left (the page draws its axes)."""
    from .scene import Panel
    w, h = fig_size
    l, t, bw, bh = box
    return Panel(name, "chart", (l * w, t * h, bw * w, bh * h), title=title, xlabel=xlabel)


# -- the training explorer: decision regions as training goes ---------------------------------
def boundary_image(proba: Any, colors: Sequence[Any] = CLASS_COLORS) -> np.ndarray:
    """``class_colors_image`` of a grid's probabilities as a picture: row 0 at the top (a
    BoundaryGrid's row 0 is the lowest y), grey where a probability is not finite.

        image[r, i] = class_colors_image(proba)[ny - 1 - r, i]
    """
    p = np.asarray(proba, dtype=np.float64)
    if p.ndim != 3 or p.shape[2] < 1:
        raise ValueError(f"proba must be an array of shape (ny, nx, classes), got shape {p.shape}")
    bad = ~np.isfinite(p).all(axis=2)
    rgb = class_colors_image(np.where(bad[..., None], 0.0, p), colors)
    rgb[bad] = _UNDEFINED
    return rgb[::-1]


class TrainingRun(NamedTuple):
    """One training run as the training explorer shows it.

    trained: the network, its History, the data and the wall time of the run (with its
    snapshots); epochs (F,): epochs completed at each snapshot (0 first); loss, accuracy (F,):
    on the whole training set at each snapshot; images: one PNG per snapshot
    (``boundary_image`` of its probabilities, RESOLUTION x RESOLUTION pixels); grid: the final
    BoundaryGrid; xlim, ylim: the window (``data_window``).
    """
    trained: Trained
    epochs: np.ndarray
    loss: np.ndarray
    accuracy: np.ndarray
    images: tuple[bytes, ...]
    grid: BoundaryGrid
    xlim: tuple[float, float]
    ylim: tuple[float, float]


def _settings(settings: Any, kind: type, name: str = "settings") -> Any:
    if not isinstance(settings, kind):
        raise ValueError(f"{name} must be a {kind.__name__}, got {type(settings).__name__}")
    return settings


@lru_cache(maxsize=24)
def training_run(settings: TrainSettings, frames: int = FRAMES,
                 resolution: int = RESOLUTION) -> TrainingRun:
    """Train the network ``settings`` describe (as ``train`` does: the same data, initial
    weights, minibatches and final parameters) while recording ``frames`` snapshots of its
    decision regions (``training_snapshots``). Cached by the arguments."""
    from .scene import image_png

    _settings(settings, TrainSettings)
    frames = check.integer("frames", frames, 2, 200)
    resolution = check.integer("resolution", resolution, 2, 400)
    X, y = settings.data()
    model = settings.network(int(y.max()) + 1)
    batch = settings.batch_size
    if batch is not None and batch >= X.shape[0]:
        batch = None
    xlim, ylim = data_window(X)
    t0 = time.perf_counter()
    snaps = training_snapshots(model, X, y, optim.make(settings.optimizer, lr=settings.lr),
                               settings.epochs, frames=frames, batch_size=batch,
                               seed=settings.seed, xlim=xlim, ylim=ylim, resolution=resolution)
    seconds = time.perf_counter() - t0
    images = tuple(image_png(boundary_image(p)) for p in snaps.proba)
    return TrainingRun(Trained(model, snaps.history, X, y, seconds), snaps.epochs, snaps.loss,
                       snaps.accuracy, images, BoundaryGrid(snaps.xs, snaps.ys, snaps.proba[-1]),
                       xlim, ylim)


def _architecture(settings: TrainSettings, classes: int) -> str:
    return " → ".join(["2", *[str(settings.hidden)] * settings.layers, str(classes)])


def training_status(settings: TrainSettings, run: TrainingRun) -> tuple[str, str]:
    """The training explorer's status line and its kind: how the run ended (``History``'s
    message), the final training loss (mean over the last epoch's minibatches) and accuracy
    (whole set, final network), and what was trained; "diverged" with advice for a run whose
    loss became non-finite."""
    h = run.trained.history
    classes = int(run.trained.y.max()) + 1
    what = (f"{settings.dataset}, {_architecture(settings, classes)} {settings.activation}, "
            f"{settings.optimizer} lr {settings.lr:.2g}, "
            f"batch {_batch_words(settings.batch_size, len(run.trained.y))}")
    acc = 100.0 * float(run.accuracy[-1])
    if h.status == "diverged":
        return (f"diverged: {h.message}; lower the learning rate. Training accuracy "
                f"{acc:.1f} % ({what})", "diverged")
    return (f"{h.message}: final training loss {_number(float(h.loss[-1]), '.4f')}, accuracy "
            f"{acc:.1f} % ({what})", "info")


def training_frame(settings: TrainSettings, frames: int = FRAMES, resolution: int = RESOLUTION,
                   run: TrainingRun | None = None) -> Any:
    """What the training explorer draws (a ``gradlib.scene.Frame``) over ``training_scene``;
    Play runs over the snapshots (F of them, n_steps = F - 1):

        "boundary"  the decision regions at the shown snapshot (an image layer, one picture per
                    snapshot: ``boundary_image``), the training points of each class, and a
                    line of text: the snapshot's epoch, loss and accuracy
        "loss"      History.loss (mean over each epoch's minibatches, log scale), the loss on
                    the whole training set at each snapshot (revealed up to the shown one) and
                    a cursor on it
        "accuracy"  the training accuracy (%) at each snapshot and a cursor

    Status: ``training_status``.
    """
    from .scene import Frame, Layer

    _settings(settings, TrainSettings)
    run = run if run is not None else training_run(settings, frames, resolution)
    X, y, h = run.trained.X, run.trained.y, run.trained.history
    grid = run.grid
    (x0, x1), (y0, y1) = run.xlim, run.ylim
    layers = [Layer("boundary", [[grid.xs[0], grid.ys[0]], [grid.xs[-1], grid.ys[-1]]], "image",
                    "at", {"label": "decision regions"}, images=run.images)]
    for k in range(int(y.max()) + 1):
        layers.append(Layer("boundary", X[y == k], "points", "all",
                            {"marker": "o", "size": 6, "fill": CLASS_COLORS[k % len(CLASS_COLORS)],
                             "edge": "#ffffff", "label": f"class {k}"}))
    texts = [f"epoch {int(e)}: loss {_number(float(loss), '.3g')}, accuracy {100 * a:.0f} %"
             for e, loss, a in zip(run.epochs, run.loss, run.accuracy)]
    corner = [x0 + 0.02 * (x1 - x0), y1 - 0.05 * (y1 - y0)]
    layers.append(Layer("boundary", np.tile(corner, (len(texts), 1)), "text", "at",
                        {"align": "left", "size": 12, "box": "#ffffff", "label": "snapshot shown"},
                        texts=texts))
    epochs = np.arange(1, h.epochs + 1, dtype=np.float64)
    at_snapshots = np.column_stack([run.epochs, _log_values(run.loss)])
    mean = np.column_stack([epochs, _log_values(h.loss)])
    accuracy = np.column_stack([run.epochs, 100.0 * np.asarray(run.accuracy, dtype=np.float64)])
    line = {"color": "#0072b2", "width": 1.6, "marker": "o", "size": 4}
    layers += [
        Layer("loss", mean, "line", "all",
              {"color": "#999999", "width": 1.2, "label": "mean over each epoch's minibatches"}),
        Layer("loss", at_snapshots, "line", "upto", {**line, "label": "whole set, at the snapshots"}),
        Layer("loss", at_snapshots, "points", "at", {**_NOW, "label": "snapshot shown"}),
        Layer("accuracy", accuracy, "line", "upto", {**line, "label": "whole set, at the snapshots"}),
        Layer("accuracy", accuracy, "points", "at", {**_NOW, "label": "snapshot shown"}),
    ]
    xlim = [0.0, float(settings.epochs)]
    ylim = decades([mean[:, 1], at_snapshots[:, 1]], floor=1e-6)
    charts = {
        "loss": {"ylog": True, "xlim": xlim, "ylim": list(ylim),
                 "title": f"training loss: {settings.optimizer}, lr {settings.lr:.2g}, batch "
                          f"{_batch_words(settings.batch_size, len(y))}, {h.steps} steps"},
        "accuracy": {"xlim": xlim, "ylim": [0.0, 100.0], "title": "training accuracy (%)"},
    }
    status, kind = training_status(settings, run)
    n = len(run.epochs) - 1
    return Frame(tuple(layers), n, status, kind, charts, step_ms=_pace(n))


#: Figure size of the training explorer's scene (inches at 100 dpi) and its panels.
TRAINING_FIGSIZE = (10.0, 4.4)
_BOUNDARY_AX = (0.06, 0.11, 0.40, 0.80)
_TRAIN_LOSS_BOX = (0.575, 0.08, 0.405, 0.31)
_TRAIN_ACC_BOX = (0.575, 0.58, 0.405, 0.30)


def training_scene(settings: TrainSettings, figsize: tuple[float, float] = TRAINING_FIGSIZE) -> Any:
    """The training explorer's static layer: the axes of the decision-region panel over the data
    window (image panel "boundary"), and the chart panels "loss" and "accuracy" whose axes the
    page draws. One per data set (cached)."""
    _settings(settings, TrainSettings)
    return _training_scene(settings.dataset, settings.n, settings.noise, settings.data_seed,
                           (float(figsize[0]), float(figsize[1])))


@lru_cache(maxsize=16)
def _training_scene(dataset: str, n: int | None, noise: float | None, data_seed: int,
                    figsize: tuple[float, float], dpi: int = 100) -> Any:
    from matplotlib.figure import Figure

    from .scene import scene_from_figure

    X, y = make_dataset(dataset, n, noise, data_seed)
    xlim, ylim = data_window(X)
    fig = Figure(figsize=figsize, dpi=dpi)
    ax = fig.add_axes(_BOUNDARY_AX)
    ax.set_xlim(xlim)
    ax.set_ylim(ylim)
    ax.tick_params(labelsize=8)
    ax.set_xlabel("x₁", fontsize=9)
    ax.set_ylabel("x₂", fontsize=9, rotation=0, labelpad=8)
    ax.set_title(f"{dataset}: decision regions as training goes (tint: predicted class)",
                 fontsize=9)
    size = (figsize[0] * dpi, figsize[1] * dpi)
    charts = [_chart_panel("loss", size, _TRAIN_LOSS_BOX, "epoch"),
              _chart_panel("accuracy", size, _TRAIN_ACC_BOX, "epoch")]
    alt = (f"Training a small network on the {dataset} data ({len(y)} points, "
           f"{int(y.max()) + 1} classes): its decision regions (left), its training loss and "
           f"accuracy against the epoch (right).")
    return scene_from_figure(fig, {"boundary": ax}, charts, alt)


# -- the batch-size explorer: minibatch noise ---------------------------------------------------
@dataclass(frozen=True)
class BatchSettings:
    """The batch-size explorer's settings: a network 2 -> ``hidden`` -> classes on ``dataset``
    (``n`` points), trained by ``optimizer`` at ``lr`` for ``epochs`` epochs with minibatches of
    ``batch_size``; its gradients are pictured at a probe network (the same initial weights
    after ``warm_epochs`` epochs of full-batch Adam, lr 0.01) from ``draws`` minibatches.
    ``seed`` seeds the weights, the shuffling and the draws."""
    dataset: str = "moons"
    n: int = 200
    hidden: int = 16
    optimizer: str = "gd"
    lr: float = 0.1
    epochs: int = 20
    batch_size: int = 16
    warm_epochs: int = 30
    draws: int = 100
    seed: int = 0

    def __post_init__(self) -> None:
        self.train_settings()                    # dataset, n, hidden, optimizer, lr, epochs, seed
        check.integer("batch_size", self.batch_size, 1)
        check.integer("warm_epochs", self.warm_epochs, 0, 10_000)
        check.integer("draws", self.draws, 10, 2000)

    def train_settings(self, batch_size: int | None = None) -> TrainSettings:
        """The TrainSettings of a run with ``batch_size`` (None: full batch)."""
        return TrainSettings(dataset=self.dataset, n=self.n, hidden=self.hidden,
                             optimizer=self.optimizer, lr=self.lr, epochs=self.epochs,
                             batch_size=batch_size, seed=self.seed)


class BatchProbe(NamedTuple):
    """Where the batch-size explorer measures gradients: the probe network, the data, the
    slider's batch sizes (``batch_size_options``), the picture's basis (``noise_basis``), the
    full gradient, the measured (``gradient_noise``) and exact (``gradient_noise_exact``)
    E||g_B - g||^2 per size, and how the probe was made (warm_epochs, draws, seed)."""
    model: MLP
    X: np.ndarray
    y: np.ndarray
    sizes: list[int]
    basis: np.ndarray
    full_gradient: np.ndarray
    noise: np.ndarray
    noise_exact: np.ndarray
    warm_epochs: int
    draws: int
    seed: int


def _probe_key(settings: BatchSettings) -> tuple:
    s = _settings(settings, BatchSettings)
    return (s.dataset, s.n, s.hidden, s.warm_epochs, s.draws, s.seed)


def batch_probe(settings: BatchSettings) -> BatchProbe:
    """The probe of ``settings`` (cached by what it depends on: the data, the width, warm_epochs,
    draws and seed; not the optimizer, lr, epochs or batch size)."""
    return _batch_probe(*_probe_key(settings))


@lru_cache(maxsize=8)
def _batch_probe(dataset: str, n: int, hidden: int, warm_epochs: int, draws: int,
                 seed: int) -> BatchProbe:
    base = TrainSettings(dataset=dataset, n=n, hidden=hidden, batch_size=None, seed=seed)
    X, y = base.data()
    model = base.network(int(y.max()) + 1)
    if warm_epochs:
        model.fit(X, y, optim.adam(0.01), warm_epochs)
    sizes = batch_size_options(X.shape[0])
    return BatchProbe(model, X, y, sizes, noise_basis(model, X, y), model.gradient(X, y),
                      gradient_noise(model, X, y, sizes, draws=draws, seed=seed),
                      gradient_noise_exact(model, X, y, sizes), warm_epochs, draws, seed)


@lru_cache(maxsize=64)
def minibatch_run(settings: TrainSettings) -> History:
    """``MLP.fit`` of the network ``settings`` describe, recording every step's minibatch loss
    (``record_steps=True``); a batch size >= N is full batch. Cached by the settings."""
    _settings(settings, TrainSettings)
    X, y = settings.data()
    model = settings.network(int(y.max()) + 1)
    batch = settings.batch_size
    return model.fit(X, y, optim.make(settings.optimizer, lr=settings.lr), settings.epochs,
                     None if batch is None or batch >= X.shape[0] else batch, seed=settings.seed,
                     record_steps=True)


def batch_cloud(settings: BatchSettings) -> np.ndarray:
    """``gradient_cloud`` at the probe for ``settings.batch_size``: (draws, 2), cached."""
    return _batch_cloud(_probe_key(settings), int(settings.batch_size))


@lru_cache(maxsize=64)
def _batch_cloud(key: tuple, batch_size: int) -> np.ndarray:
    p = _batch_probe(*key)
    return gradient_cloud(p.model, p.X, p.y, batch_size, p.basis, draws=p.draws, seed=p.seed)


def _cloud_half(probe: BatchProbe) -> float:
    """Half the width of the cloud panel, fixed by the noisiest case (B = 1) so that the cloud
    visibly shrinks as B grows: max(2.5 sqrt(E||g_1 - g||^2), 1.3 ||g||)."""
    gnorm = float(np.linalg.norm(probe.full_gradient))
    return max(2.5 * math.sqrt(max(float(probe.noise_exact[0]), 1e-300)), 1.3 * gnorm, 1e-12)


def batch_status(settings: BatchSettings, probe: BatchProbe, cloud: np.ndarray,
                 diverged: bool) -> tuple[str, str]:
    """The batch-size explorer's status line and kind: the measured and exact noise at B, the
    share of the drawn minibatch gradients that point uphill for the full loss (first
    coordinate < 0), and "diverged" when the minibatch or the full-batch run diverged."""
    B, N = int(settings.batch_size), len(probe.y)
    k = probe.sizes.index(B)
    uphill = float(np.mean(cloud[:, 0] < 0))
    text = (f"B = {B} of N = {N}: measured E‖g_B − g‖² = {probe.noise[k]:.3g} "
            f"(exact {probe.noise_exact[k]:.3g}); {100 * uphill:.0f}% of these minibatch "
            f"gradients point uphill for the full loss.")
    if diverged:
        return text + " A run diverged: lower the learning rate.", "diverged"
    return text, "info"


def batch_frame(settings: BatchSettings) -> Any:
    """What the batch-size explorer draws over ``batch_scene``; Play adds the ``draws``
    minibatch gradients one by one (n_steps = draws - 1):

        "loss"   the loss of the batch used at every step of the minibatch run against the
                 epoch (step / steps per epoch), and full-batch descent at the same lr
                 (``minibatch_run``), on a log scale
        "cloud"  the minibatch gradients (``batch_cloud``) drawn so far, the one drawn at the
                 shown step (and a counter: draw d of draws), the mean of those drawn so far
                 (it closes in on the full gradient: minibatch gradients are unbiased), the
                 full gradient (||g||, 0) and the line x = 0 (left of it a step goes uphill for
                 the full loss)
        "noise"  E||g_B - g||^2 against B (log-log): exact curve, measured dots (B < N), the
                 current B circled (not drawn at B = N, where the noise is 0)

    Status: ``batch_status``.
    """
    from .scene import Frame, Layer

    probe = batch_probe(settings)
    N, B = len(probe.y), settings.batch_size
    if B not in probe.sizes:
        raise ValueError(f"batch_size must be one of {probe.sizes}, got {B!r}")
    h = minibatch_run(settings.train_settings(B))
    full = minibatch_run(settings.train_settings(None))
    per_epoch = math.ceil(N / B)
    steps = np.arange(1, len(h.step_losses) + 1) / per_epoch
    cloud = batch_cloud(settings)
    mean = np.cumsum(cloud, axis=0) / np.arange(1, len(cloud) + 1)[:, None]
    gnorm = float(np.linalg.norm(probe.full_gradient))
    half = _cloud_half(probe)
    reach = 10.0 * half
    sizes = np.array(probe.sizes, dtype=np.float64)
    keep = sizes < N
    k = probe.sizes.index(B)
    ring = np.array([[B, probe.noise_exact[k]]]) if B < N else np.empty((0, 2))
    layers = (
        Layer("loss", np.column_stack([steps, _log_values(h.step_losses)]), "line", "all",
              {"color": "#0072b2", "width": 0.8, "label": "minibatch"}),
        Layer("loss", np.column_stack([np.arange(1, len(full.step_losses) + 1),
                                       _log_values(full.step_losses)]), "line", "all",
              {"color": "#222222", "width": 2.0, "label": "full batch"}),
        Layer("cloud", [[0.0, -reach], [0.0, reach]], "line", "all",
              {"color": "#666666", "width": 1.0, "dash": [5, 3],
               "label": "left of this line: uphill for the full loss"}),
        Layer("cloud", cloud, "points", "upto",
              {"marker": "o", "size": 5, "fill": "#0072b2", "alpha": 0.55,
               "label": "minibatch gradients"}),
        Layer("cloud", mean, "points", "at",
              {"marker": "D", "size": 8, "fill": "#ffffff", "edge": "#000000",
               "label": "mean of the draws so far"}),
        Layer("cloud", [[gnorm, 0.0]], "points", "all",
              {"marker": "*", "size": 16, "fill": "#d55e00", "edge": "#000000",
               "label": "full gradient"}),
        Layer("cloud", cloud, "points", "at", {**_NOW, "label": "draw shown"}),
        Layer("cloud", np.tile([gnorm - 0.95 * half, -0.9 * half], (len(cloud), 1)), "text", "at",
              {"align": "left", "size": 11, "box": "#ffffff", "label": "draw counter"},
              texts=[f"draw {d} of {len(cloud)}" for d in range(1, len(cloud) + 1)]),
        Layer("noise", np.column_stack([sizes[keep], probe.noise_exact[keep]]), "line", "all",
              {"color": "#555555", "width": 1.4, "label": "exact (1−B/N)·S²/B"}),
        Layer("noise", np.column_stack([sizes[keep], probe.noise[keep]]), "points", "all",
              {"marker": "o", "size": 6, "fill": "#0072b2", "label": f"measured ({probe.draws} draws)"}),
        Layer("noise", ring, "points", "all",
              {"marker": "o", "size": 15, "fill": "#00000000", "edge": "#d55e00", "width": 2,
               "label": "current B"}),
    )
    charts = {"loss": {"ylog": True, "xlim": [0.0, float(settings.epochs)],
                       "ylim": list(decades([_log_values(h.step_losses),
                                                _log_values(full.step_losses)], floor=1e-4)),
                       "title": f"batch loss: B = {B}, {per_epoch} steps/epoch, lr {settings.lr:.2g}"}}
    diverged = h.status == "diverged" or full.status == "diverged"
    status, kind = batch_status(settings, probe, cloud, diverged)
    n = len(cloud) - 1
    return Frame(layers, n, status, kind, charts, step_ms=_pace(n))


#: Figure size of the batch-size explorer's scene and its panels.
BATCH_FIGSIZE = (11.0, 4.2)
_BATCH_LOSS_BOX = (0.06, 0.12, 0.255, 0.72)
_CLOUD_AX = (0.40, 0.14, 0.255, 0.72)
_NOISE_AX = (0.735, 0.14, 0.255, 0.72)


def batch_scene(settings: BatchSettings, figsize: tuple[float, float] = BATCH_FIGSIZE) -> Any:
    """The batch-size explorer's static layer, one per probe (cached): the chart panel "loss",
    the axes of the cloud (image panel "cloud": limits fixed by the noisiest case, B = 1, so the
    cloud visibly shrinks as B grows) and of the noise against B (image panel "noise", log-log)."""
    return _batch_scene(_probe_key(settings), (float(figsize[0]), float(figsize[1])))


@lru_cache(maxsize=8)
def _batch_scene(key: tuple, figsize: tuple[float, float], dpi: int = 100) -> Any:
    from matplotlib.figure import Figure

    from .scene import scene_from_figure

    p = _batch_probe(*key)
    N = len(p.y)
    fig = Figure(figsize=figsize, dpi=dpi)
    gnorm, half = float(np.linalg.norm(p.full_gradient)), _cloud_half(p)
    cx = fig.add_axes(_CLOUD_AX)
    cx.set_xlim(gnorm - half, gnorm + half)
    cx.set_ylim(-half, half)
    cx.axhline(0, color="0.8", linewidth=0.8)
    where = f"after {p.warm_epochs} epochs" if p.warm_epochs else "at initialization"
    cx.set_title(f"{p.draws} minibatch gradients {where}", fontsize=9)
    cx.set_xlabel("along the full gradient", fontsize=8)
    cx.set_ylabel("across it (largest spread)", fontsize=8)
    nx = fig.add_axes(_NOISE_AX)
    nx.set_xscale("log")
    nx.set_yscale("log")
    keep = np.array(p.sizes) < N
    nx.set_xlim(0.7, 1.5 * max(np.array(p.sizes)[keep].max(), 1))
    nx.set_ylim(*decades([p.noise[keep], p.noise_exact[keep]], floor=1e-12))
    nx.set_title("gradient noise falls like 1/B", fontsize=9)
    nx.set_xlabel("batch size B", fontsize=8)
    nx.set_ylabel("E‖g_B − g‖²", fontsize=8)
    for a in (cx, nx):
        a.tick_params(labelsize=7)
        a.grid(alpha=0.25)
    size = (figsize[0] * dpi, figsize[1] * dpi)
    loss = _chart_panel("loss", size, _BATCH_LOSS_BOX, "epoch (passes over the data)")
    alt = (f"Minibatch training on {N} points: the loss of every step against the epoch "
           f"(left), {p.draws} minibatch gradients around the full gradient (middle), the "
           f"gradient noise against the batch size (right).")
    return scene_from_figure(fig, {"cloud": cx, "noise": nx}, [loss], alt)


# -- the schedule explorer --------------------------------------------------------------------
@dataclass(frozen=True)
class ScheduleSettings:
    """The schedule explorer's settings: the schedules of ``make_schedules(lr0, steps, final,
    warmup)`` that ``show`` names (in SCHEDULE_NAMES order), each training the network of
    ``train_settings()`` from the same start with the same minibatches for ``epochs`` epochs."""
    dataset: str = "moons"
    n: int = 200
    hidden: int = 16
    optimizer: str = "gd"
    lr0: float = 2.0
    final: float = 0.05
    warmup: float = 0.1
    epochs: int = 40
    batch_size: int = 16
    seed: int = 0
    show: tuple[str, ...] = field(default=SCHEDULE_NAMES)

    def __post_init__(self) -> None:
        self.train_settings()
        check.integer("batch_size", self.batch_size, 1)
        check.real("final", self.final, "in (0, 1]", lambda v: 0 < v <= 1)
        check.real("warmup", self.warmup, "in [0, 1)", lambda v: 0 <= v < 1)
        if isinstance(self.show, str):
            raise ValueError(f"show must be a sequence of schedule names, got {self.show!r}")
        names = tuple(self.show)
        for name in names:
            check.one_of("show", name, SCHEDULE_NAMES)
        object.__setattr__(self, "show", tuple(n for n in SCHEDULE_NAMES if n in names))

    def train_settings(self) -> TrainSettings:
        """The network, data and minibatches every schedule trains (lr = lr0)."""
        return TrainSettings(dataset=self.dataset, n=self.n, hidden=self.hidden,
                             optimizer=self.optimizer, lr=self.lr0, epochs=self.epochs,
                             batch_size=self.batch_size, seed=self.seed)

    @property
    def steps_per_epoch(self) -> int:
        """ceil(N / batch_size) (1 for a batch of the whole set)."""
        n = len(self.train_settings().data()[1])
        return 1 if self.batch_size >= n else math.ceil(n / self.batch_size)

    @property
    def steps(self) -> int:
        return self.epochs * self.steps_per_epoch

    def schedules(self) -> dict[str, optim.Schedule]:
        """``make_schedules(lr0, steps, final, warmup)``: all six."""
        return make_schedules(self.lr0, self.steps, self.final, self.warmup)


@lru_cache(maxsize=128)
def schedule_run(settings: ScheduleSettings, name: str) -> tuple[History, np.ndarray]:
    """The run of schedule ``name`` (``run_schedules`` with that one schedule): its History and
    the training-set loss at the end of every epoch. Cached by what the run depends on (the
    settings without ``show``)."""
    from dataclasses import replace
    check.one_of("name", name, SCHEDULE_NAMES)
    if settings.show != SCHEDULE_NAMES:
        return schedule_run(replace(settings, show=SCHEDULE_NAMES), name)
    run = run_schedules(settings.train_settings(), {name: settings.schedules()[name]})
    return run.histories[name], run.end_losses[name]


@lru_cache(maxsize=32)
def _initial_loss(settings: TrainSettings) -> float:
    X, y = settings.data()
    return float(settings.network(int(y.max()) + 1).loss(X, y))


def schedule_status(settings: ScheduleSettings, runs: Mapping[str, tuple[History, np.ndarray]]
                    ) -> tuple[str, str]:
    """The final training loss of each shown schedule, best first (a run that diverged ranks
    last and says so); kind "diverged" if any did."""
    diverged = {k for k, (h, _) in runs.items() if h.status == "diverged"}
    final = {k: float(e[-1]) if len(e) else math.inf for k, (_, e) in runs.items()}
    ranking = sorted(runs, key=lambda k: (k in diverged or not math.isfinite(final[k]), final[k]))
    parts = [f"{k}: " + (_number(final[k], ".4f") if runs[k][1].size else "no epoch completed")
             + (" (diverged)" if k in diverged else "") for k in ranking]
    return ("final training loss, best first — " + " · ".join(parts),
            "diverged" if diverged else "info")


def schedule_frame(settings: ScheduleSettings) -> Any:
    """What the schedule explorer draws over ``schedule_scene``; Play runs over the epochs
    (n_steps = epochs):

        "lr"    lr(t) of each shown schedule over the run's steps t = 0 .. steps - 1, a marker
                on each at the first step of the shown epoch, t = min(e * steps_per_epoch,
                steps - 1), and a vertical line there
        "loss"  the training loss (whole set) at the start (epoch 0, the same for all) and at
                the end of every epoch, revealed up to the shown epoch, with a marker; an X where
                a run diverged (training stopped there)

    Status: ``schedule_status``. Raises ValueError when ``show`` is empty.
    """
    from .scene import Frame, Layer

    _settings(settings, ScheduleSettings)
    if not settings.show:
        raise ValueError("show must name at least one schedule: choose one under 'show'")
    spe, steps, lr0 = settings.steps_per_epoch, settings.steps, settings.lr0
    schedules = settings.schedules()
    t = np.arange(steps, dtype=np.float64)
    te = np.minimum(np.arange(settings.epochs + 1) * spe, steps - 1).astype(np.float64)
    loss0 = _initial_loss(settings.train_settings())
    top = 1.6 * lr0                                        # room for the legend above the curves
    layers: list[Any] = []
    runs: dict[str, tuple[History, np.ndarray]] = {}
    curves = []
    for name in settings.show:
        color = SCHEDULE_COLORS[SCHEDULE_NAMES.index(name)]
        h, ends = runs[name] = schedule_run(settings, name)
        lr = schedules[name]
        curve = np.concatenate([[loss0], ends])
        curves.append(curve)
        xy = np.column_stack([np.arange(len(curve), dtype=np.float64), _log_values(curve)])
        marker = {"marker": "o", "size": 8, "fill": color, "edge": "#000000", "label": name}
        layers += [
            Layer("lr", np.column_stack([t, lr(t)]), "line", "all",
                  {"color": color, "width": 1.5, "label": name}),
            Layer("lr", np.column_stack([te, lr(te)]), "points", "at", marker),
            Layer("loss", xy, "line", "upto", {"color": color, "width": 1.5, "label": name}),
            Layer("loss", xy, "points", "at", marker),
        ]
        if h.status == "diverged":
            layers.append(Layer("loss", xy[-1:], "points", "all",
                                {"marker": "X", "size": 11, "fill": color, "edge": "#000000",
                                 "label": "diverged: training stopped"}))
    cursor = np.column_stack([np.repeat(te, 2), np.tile([0.0, top], len(te))])
    layers.append(Layer("lr", cursor, "segments-per-step", "at",
                        {"color": "#888888", "width": 1.0, "dash": [4, 3], "label": "shown epoch"},
                        offsets=np.arange(0, 2 * len(te) + 1, 2)))
    charts = {
        "lr": {"xlim": [0.0, float(steps)], "ylim": [0.0, top],
               "title": f"lr(t): lr₀ = {lr0:.3g}, ends at {settings.final:.3g}·lr₀"},
        "loss": {"ylog": True, "xlim": [0.0, float(settings.epochs)],
                 "ylim": list(decades([_log_values(c) for c in curves], floor=1e-4)),
                 "title": f"training loss: {settings.optimizer}, batch {settings.batch_size}, "
                          f"{steps} steps"},
    }
    status, kind = schedule_status(settings, runs)
    return Frame(tuple(layers), settings.epochs, status, kind, charts,
                 step_ms=_pace(settings.epochs))


#: Figure size of the schedule explorer's scene and its two chart panels.
SCHEDULE_FIGSIZE = (10.0, 4.0)
_LR_BOX = (0.07, 0.10, 0.40, 0.75)
_SCHED_LOSS_BOX = (0.575, 0.10, 0.405, 0.75)


@lru_cache(maxsize=4)
def schedule_scene(figsize: tuple[float, float] = SCHEDULE_FIGSIZE, dpi: int = 100) -> Any:
    """The schedule explorer's static layer: two chart panels whose axes the page draws, "lr"
    (against the step t) and "loss" (against the epoch)."""
    from matplotlib.figure import Figure

    from .scene import scene_from_figure

    fig = Figure(figsize=figsize, dpi=dpi)
    size = (figsize[0] * dpi, figsize[1] * dpi)
    charts = [_chart_panel("lr", size, _LR_BOX, "step t"),
              _chart_panel("loss", size, _SCHED_LOSS_BOX, "epoch")]
    alt = ("Learning-rate schedules: the rate lr(t) of each against the step (left) and the "
           "training loss each gives against the epoch (right), in the same colours.")
    return scene_from_figure(fig, {}, charts, alt)
