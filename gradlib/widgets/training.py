"""Explorers for notebooks 07 and 09: backprop and training an MLP, batch size and gradient noise, schedules.

    training_explorer()       moons/spirals: width, depth, activation, optimizer, lr (log), epochs,
                              batch size, seed -> the decision boundary and the loss curve
    batch_size_explorer()     full batch ... minibatch ... SGD on one slider: the noisy loss
                              curve, the cloud of minibatch gradients around the full gradient,
                              and E||g_B - g||^2 against B with the exact (1 - B/N)/B S^2 curve
    schedule_explorer()       constant, inverse time, step, exponential, cosine and warm-up
                              schedules side by side: lr(t) and the training loss each gives

Pure functions, used by the explorers and tested without any widget:

    make_dataset(name, n, noise, seed)          (X, y) of a named toy set
    data_window(X, margin)                      padded (xlim, ylim) around 2-D points
    decision_boundary_grid(model, xlim, ylim, resolution) -> BoundaryGrid (class probabilities)
    class_colors_image(proba, colors)           an RGB picture of those probabilities
    TrainSettings(...), train(settings, lr)     what the training explorer's controls say -> Trained
    training_snapshots(model, X, y, ...)        train while recording the boundary -> Snapshots
    boundary_animation(snapshots, X, y)         those snapshots as a kernel-free HTML5 video
    per_example_gradients(model, X, y)          (N, P): the gradient of each example's loss
    gradient_noise(model, X, y, batch_sizes, draws, seed)   measured E||g_B - g||^2 per B
    gradient_noise_exact(model, X, y, batch_sizes)          the same, exactly: (1 - B/N)/B S^2
    noise_basis(model, X, y), gradient_cloud(...)           2-D views of minibatch gradients
    batch_size_options(n)                       1, 2, 4, ..., n for a batch-size slider
    make_schedules(lr0, steps, final, warmup_fraction)      six schedules that end at final*lr0
    run_schedules(settings, schedules)          one training run per schedule -> ScheduleRun
    check_dense_backward(backward)              re-exported from gradlib.exercises.backprop
    draw_graph(nodes, edges, labels)            a computational graph as a picture

Every explorer builds its figure once; an update trains (cached by settings), then moves artists
(``set_data``, ``set_offsets``, ``set_ydata``) and redraws once.
"""
from __future__ import annotations

import html
import math
import time
from collections import OrderedDict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any, NamedTuple

import ipywidgets as W
import numpy as np
from matplotlib import colors as mcolors
from matplotlib.axes import Axes
from matplotlib.ticker import FixedLocator, FuncFormatter, MaxNLocator, NullLocator

from .. import _checks as check
from .. import data as gdata
from .. import optim
from ..mlp import ACTIVATIONS, MLP, History
from ._base import Dashboard, new_figure

if TYPE_CHECKING:
    from ..animate import HTMLAnimation

__all__ = [
    "DATASETS", "CLASS_COLORS", "TRAIN_OPTIMIZERS", "SCHEDULE_NAMES", "SCHEDULE_COLORS",
    "make_dataset", "data_window", "BoundaryGrid", "decision_boundary_grid", "class_colors_image",
    "TrainSettings", "Trained", "train", "Snapshots", "training_snapshots", "boundary_animation",
    "per_example_gradients", "gradient_noise", "gradient_noise_exact", "noise_basis",
    "gradient_cloud", "batch_size_options", "make_schedules", "ScheduleRun", "run_schedules",
    "check_dense_backward", "GraphArtists", "draw_graph",
    "TrainingExplorer", "BatchSizeExplorer", "ScheduleExplorer",
    "training_explorer", "batch_size_explorer", "schedule_explorer",
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
# the decision boundary during training, and its animation
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

    The window defaults to ``data_window(X)``.
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
    if marks[-1] != history.epochs:                  # a run that stopped early: show where
        record(history.epochs)
    return Snapshots(np.array(marks), np.stack([g.proba for g in grids]), np.array(losses),
                     np.array(accs), grids[0].xs, grids[0].ys, history)


def boundary_animation(snapshots: Snapshots, X: Any, y: Any, *, figsize: tuple[float, float] = (8.0, 3.6),
                       dpi: int = 72, interval: float = 150.0, title: str = "") -> HTMLAnimation:
    """The snapshots as a kernel-free animation (gradlib.animate: an HTML5 video): the decision
    regions on the left, the training loss on the right with a dot at the current epoch."""
    from .. import animate

    if not isinstance(snapshots, Snapshots):
        raise ValueError(f"snapshots must be the result of training_snapshots, got "
                         f"{type(snapshots).__name__}")
    X = np.asarray(X, dtype=np.float64)
    y = np.asarray(y)
    if X.ndim != 2 or X.shape[1] != 2 or y.shape != (X.shape[0],):
        raise ValueError(f"X must have shape (m, 2) and y shape (m,), got {X.shape} and {y.shape}")
    dpi = check.integer("dpi", dpi, 20, 300)
    fig = new_figure(figsize, dpi=dpi)
    ax = fig.add_axes((0.06, 0.12, 0.40, 0.76))
    ax_loss = fig.add_axes((0.58, 0.15, 0.39, 0.73))
    xs, ys = snapshots.xs, snapshots.ys
    image = ax.imshow(class_colors_image(snapshots.proba[0]), origin="lower", aspect="auto",
                      extent=(xs[0], xs[-1], ys[0], ys[-1]), interpolation="bilinear")
    points = ax.scatter(X[:, 0], X[:, 1], c=[CLASS_COLORS[int(c) % len(CLASS_COLORS)] for c in y],
                        s=10, edgecolors="white", linewidths=0.4)
    ax.set_xlim(xs[0], xs[-1])
    ax.set_ylim(ys[0], ys[-1])
    ax.tick_params(labelsize=8)
    head = ax.set_title("", fontsize=10)
    e = np.maximum(snapshots.epochs, 0)
    loss = np.maximum(snapshots.loss, 1e-12)
    ax_loss.plot(e, loss, color="0.6", linewidth=1.0)
    (dot,) = ax_loss.plot([e[0]], [loss[0]], "o", color="#d62728", markersize=6)
    ax_loss.set_yscale("log")
    ax_loss.set_xlabel("epoch", fontsize=9)
    ax_loss.set_ylabel("training loss", fontsize=9)
    ax_loss.tick_params(labelsize=8)
    ax_loss.grid(alpha=0.25)
    if title:
        fig.suptitle(title, fontsize=10)

    def update(i: int) -> list[Any]:
        image.set_data(class_colors_image(snapshots.proba[i]))
        dot.set_data([e[i]], [loss[i]])
        head.set_text(f"epoch {int(e[i])}: loss {snapshots.loss[i]:.3f}, "
                      f"accuracy {100 * snapshots.accuracy[i]:.0f}%")
        return [image, points, dot, head]      # the points are redrawn over the new image

    return animate.animate_frames(fig, update, len(e), interval=interval, blit=True)


# ---------------------------------------------------------------------------------------------
# minibatch gradients: how noisy is the estimate?
# ---------------------------------------------------------------------------------------------
def per_example_gradients(model: MLP, X: Any, y: Any) -> np.ndarray:
    """G[i] = the gradient of example i's loss alone, shape (N, P).

    The training loss is the mean of the examples' losses, so the full gradient is G.mean(0)
    and a minibatch gradient is the mean of its rows of G.
    """
    from ..practice import per_example_gradients as per_example
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


# ---------------------------------------------------------------------------------------------
# exercise: the backward pass of one dense ReLU layer -- its checker now lives with the other
# notebook checkers (issue 12); re-exported here so the old name keeps working
# ---------------------------------------------------------------------------------------------
from ..exercises.backprop import check_dense_backward  # noqa: E402


# ---------------------------------------------------------------------------------------------
# a computational graph as a picture
# ---------------------------------------------------------------------------------------------
class GraphArtists(NamedTuple):
    """What draw_graph drew: the axes, one text box per node and one per node's note
    (name -> Text), and the arrows."""
    ax: Axes
    nodes: dict[str, Any]
    notes: dict[str, Any]
    arrows: list[Any]


def draw_graph(nodes: Mapping[str, Sequence[float]], edges: Sequence[tuple[str, str]],
               labels: Mapping[str, str] | None = None, notes: Mapping[str, str] | None = None,
               ax: Axes | None = None, *, node_color: str = "#e8eef7",
               note_color: str = "#c0392b") -> GraphArtists:
    """A computational graph: a rounded box per node at its (x, y), an arrow per edge (from,
    to), the node's label inside its box and an optional note (e.g. its gradient) under it.
    Returns the artists, so notes can be changed later (``set_text``) for an animation."""
    import matplotlib.pyplot as plt

    if not isinstance(nodes, Mapping) or not nodes:
        raise ValueError("nodes must be a non-empty mapping name -> (x, y)")
    pos = {}
    for name, xy in nodes.items():
        p = np.asarray(xy, dtype=np.float64)
        if p.shape != (2,) or not np.isfinite(p).all():
            raise ValueError(f"nodes[{name!r}] must be a finite (x, y) pair, got {xy!r}")
        pos[name] = p
    for edge in edges:
        if len(edge) != 2 or edge[0] not in pos or edge[1] not in pos:
            raise ValueError(f"edges must be pairs of node names, got {edge!r}")
    if ax is None:
        _, ax = plt.subplots(figsize=(8.0, 3.5))
    labels = dict(labels or {})
    notes = dict(notes or {})
    texts, note_texts = {}, {}
    for name, p in pos.items():
        texts[name] = ax.text(p[0], p[1], labels.get(name, name), ha="center", va="center",
                              fontsize=9, zorder=2,
                              bbox=dict(boxstyle="round,pad=0.35", fc=node_color, ec="0.5", lw=0.8))
        # the note hangs just under the box, however many lines the label has
        note_texts[name] = ax.annotate(notes.get(name, ""), xy=(0.5, 0.0), xycoords=texts[name],
                                       xytext=(0, -6), textcoords="offset points", ha="center",
                                       va="top", fontsize=8, color=note_color, zorder=3)
    # arrows run from box edge to box edge: each end is clipped by its node's box (the boxes
    # are drawn first, zorder 2 < 3, so their positions are current when the arrows are drawn)
    arrows = [ax.annotate("", xy=pos[v], xytext=pos[u], zorder=3,
                          arrowprops=dict(arrowstyle="-|>", color="0.45", linewidth=1.0,
                                          shrinkA=2, shrinkB=2,
                                          patchA=texts[u].get_bbox_patch(),
                                          patchB=texts[v].get_bbox_patch()))
              for u, v in edges]
    xy = np.array(list(pos.values()))
    ax.set_xlim(xy[:, 0].min() - 0.6, xy[:, 0].max() + 0.6)
    ax.set_ylim(xy[:, 1].min() - 0.7, xy[:, 1].max() + 0.5)
    ax.set_axis_off()
    return GraphArtists(ax, texts, note_texts, arrows)


# ---------------------------------------------------------------------------------------------
# shared figure helpers
# ---------------------------------------------------------------------------------------------
def _sci(value: float, _pos: Any = None) -> str:
    return f"{value:.0e}".replace("e-0", "e-").replace("e+0", "e")


def _decades(values: Sequence[np.ndarray], floor: float = 1e-8) -> tuple[float, float]:
    """Whole-decade limits around the positive finite values (tick labels rarely change)."""
    v = np.concatenate([np.asarray(a, dtype=np.float64).ravel() for a in values] or [np.ones(1)])
    v = v[np.isfinite(v) & (v > 0)]
    if v.size == 0:
        return 0.1, 10.0
    lo = 10.0 ** math.floor(math.log10(max(float(v.min()), floor)))
    hi = 10.0 ** math.ceil(math.log10(float(v.max())))
    return lo, max(hi, lo * 10)


def _log_axis(ax: Axes, lo: float, hi: float, axis: str = "y") -> None:
    exps = np.arange(round(math.log10(lo)), round(math.log10(hi)) + 1)
    every = max(1, math.ceil(len(exps) / 5))
    target = ax.yaxis if axis == "y" else ax.xaxis
    (ax.set_ylim if axis == "y" else ax.set_xlim)(lo, hi)
    target.set_major_locator(FixedLocator(10.0 ** exps[::-1][::every]))
    target.set_minor_locator(NullLocator())
    target.set_major_formatter(FuncFormatter(_sci))


def _linear_x(ax: Axes, hi: float) -> None:
    ax.set_xlim(0, hi)
    ax.xaxis.set_major_locator(FixedLocator(MaxNLocator(5).tick_values(0, hi)))


def _status(text: str, kind: str = "ok") -> str:
    """``text`` as HTML in the colour of its ``kind``: ok, warn, diverged or info."""
    colors = {"ok": "#1a7f37", "warn": "#b35900", "diverged": "#c00", "info": "#333"}
    color = colors.get(kind, "#333")
    return f'<span style="color:{color}">{html.escape(text)}</span>'


class _Cache:
    """A small least-recently-used cache: key -> value, at most ``size`` entries."""

    def __init__(self, size: int = 16) -> None:
        self.size = size
        self.items: OrderedDict[Any, Any] = OrderedDict()

    def get(self, key: Any, make: Callable[[], Any]) -> Any:
        if key in self.items:
            self.items.move_to_end(key)
            return self.items[key]
        value = self.items[key] = make()
        if len(self.items) > self.size:
            self.items.popitem(last=False)
        return value


def _log_slider(name: str, value: float, lo: int, hi: int, description: str) -> W.FloatLogSlider:
    """A log-scale slider from 10**lo to 10**hi; a start value outside that range is refused
    (a slider would silently clamp it)."""
    check.real(name, value, f"a number in [1e{lo}, 1e{hi}] (the slider's range)",
               lambda v: 10.0 ** lo <= v <= 10.0 ** hi)
    return W.FloatLogSlider(value=float(value), base=10, min=lo, max=hi, step=0.05,
                            description=description, readout_format=".1e", continuous_update=False)


# ---------------------------------------------------------------------------------------------
# the training explorer
# ---------------------------------------------------------------------------------------------
_HIDDEN_OPTIONS = (2, 3, 4, 6, 8, 12, 16, 24, 32, 48, 64)
#: Batch-size slider stops: label -> value; 0 stands for "full batch" (the slider needs an int).
_BATCH_OPTIONS = ((" 4", 4), (" 8", 8), ("16", 16), ("32", 32), ("64", 64), ("128", 128),
                  ("full", 0))


class TrainingExplorer(Dashboard):
    """Train a small MLP on a 2-D toy set and watch its decision regions and its loss.

    Controls: ``dataset`` (moons, spirals, blobs), ``hidden`` (units per hidden layer),
    ``layers`` (hidden layers), ``activation``, ``optimizer``, ``lr`` (log slider), ``epochs``,
    ``batch_size`` (4 ... 128 or full), ``seed`` (initial weights and shuffling).
    State after each update: ``settings``, ``trained`` (Trained), ``grid`` (BoundaryGrid).
    Artists: ``image`` (the decision regions, imshow), ``points`` (the data, scatter),
    ``loss_line`` (loss per epoch), ``title``.
    """

    def __init__(self, dataset: str = "moons", *, hidden: int = 16, layers: int = 1,
                 activation: str = "relu", optimizer: str = "adam", lr: float = 0.01,
                 epochs: int = 100, batch_size: int | None = 32, seed: int = 0,
                 resolution: int = 80, figsize: tuple[float, float] = (9.0, 4.0)) -> None:
        super().__init__()
        first = TrainSettings(dataset=dataset, hidden=hidden, layers=layers, activation=activation,
                              optimizer=optimizer, lr=lr, epochs=epochs, batch_size=batch_size,
                              seed=seed)
        self.resolution = check.integer("resolution", resolution, 10, 400)
        if hidden not in _HIDDEN_OPTIONS:
            raise ValueError(f"hidden must be one of {list(_HIDDEN_OPTIONS)}, got {hidden!r}")
        if batch_size not in (4, 8, 16, 32, 64, 128, None):
            raise ValueError(f"batch_size must be one of 4, 8, 16, 32, 64, 128 or None, "
                             f"got {batch_size!r}")
        # start values of IntSliders, which would silently clamp them
        check.integer("epochs", epochs, 10, 500)
        check.integer("layers", layers, 1, 3)
        check.integer("seed", seed, 0, 9)
        c = self.controls
        c["dataset"] = W.Dropdown(options=list(DATASETS), value=first.dataset, description="data")
        c["hidden"] = W.SelectionSlider(options=list(_HIDDEN_OPTIONS), value=first.hidden,
                                        description="width", continuous_update=False)
        c["layers"] = W.IntSlider(value=first.layers, min=1, max=3, description="layers",
                                  continuous_update=False)
        c["activation"] = W.Dropdown(options=list(ACTIVATIONS), value=first.activation,
                                     description="activation")
        c["optimizer"] = W.Dropdown(options=list(TRAIN_OPTIMIZERS), value=first.optimizer,
                                    description="optimizer")
        c["lr"] = _log_slider("lr", first.lr, -4, 1, "lr")
        c["epochs"] = W.IntSlider(value=first.epochs, min=10, max=500, step=10,
                                  description="epochs", continuous_update=False)
        c["batch_size"] = W.SelectionSlider(options=list(_BATCH_OPTIONS),
                                            value=first.batch_size or 0, description="batch",
                                            continuous_update=False)
        c["seed"] = W.IntSlider(value=first.seed, min=0, max=9, description="seed",
                                continuous_update=False)
        self._runs = _Cache(24)
        self._data_key: tuple | None = None
        self._epochs_drawn = -1
        fig = self.figure = new_figure(figsize)
        ax = self.ax = fig.add_axes((0.05, 0.12, 0.42, 0.78))
        ax_loss = self.ax_loss = fig.add_axes((0.58, 0.12, 0.40, 0.78))
        self.image = ax.imshow(np.ones((2, 2, 3)), origin="lower", aspect="auto",
                               interpolation="bilinear", extent=(0, 1, 0, 1))
        self.points = ax.scatter([], [], s=10, edgecolors="white", linewidths=0.4)
        ax.tick_params(labelsize=8)
        self.title = ax.set_title("", fontsize=10)
        (self.loss_line,) = ax_loss.plot([], [], color="#1f77b4", linewidth=1.5)
        ax_loss.set_yscale("log")
        ax_loss.set_xlabel("epoch", fontsize=9)
        ax_loss.set_ylabel("training loss (mean over the epoch)", fontsize=9)
        ax_loss.tick_params(labelsize=8)
        ax_loss.grid(alpha=0.25)
        self.loss_title = ax_loss.set_title("", fontsize=10)
        self.settings = first
        self.trained: Trained | None = None
        self.grid: BoundaryGrid | None = None
        self._wire()

    def current_settings(self) -> TrainSettings:
        """The TrainSettings the controls describe now."""
        c = self.controls
        return TrainSettings(dataset=c["dataset"].value, hidden=int(c["hidden"].value),
                             layers=int(c["layers"].value), activation=c["activation"].value,
                             optimizer=c["optimizer"].value, lr=float(c["lr"].value),
                             epochs=int(c["epochs"].value),
                             batch_size=int(c["batch_size"].value) or None,
                             seed=int(c["seed"].value))

    def update(self) -> None:
        s = self.settings = self.current_settings()
        run = self.trained = self._runs.get(s, lambda: train(s))
        X, y = run.X, run.y
        data_key = (s.dataset, s.n, s.noise, s.data_seed)
        if data_key != self._data_key:
            self.xlim, self.ylim = data_window(X)
            self.points.set_offsets(X)
            self.points.set_facecolor([CLASS_COLORS[int(k) % len(CLASS_COLORS)] for k in y])
            self.image.set_extent((*self.xlim, *self.ylim))
            self.ax.set_xlim(self.xlim)
            self.ax.set_ylim(self.ylim)
            self._data_key = data_key
        grid = self.grid = decision_boundary_grid(run.model, self.xlim, self.ylim, self.resolution)
        self.image.set_data(class_colors_image(grid.proba))
        h = run.history
        epochs = np.arange(1, h.epochs + 1)
        self.loss_line.set_data(epochs, np.maximum(h.loss, 1e-12))
        if s.epochs != self._epochs_drawn:
            _linear_x(self.ax_loss, s.epochs)
            self._epochs_drawn = s.epochs
        _log_axis(self.ax_loss, *_decades([h.loss], floor=1e-6))
        acc = run.model.accuracy(X, y)
        steps = h.steps
        self.title.set_text(f"{s.dataset}: 2 → {' → '.join([str(s.hidden)] * s.layers)} → "
                            f"{int(y.max()) + 1}, accuracy {100 * acc:.1f}%")
        self.loss_title.set_text(f"{s.optimizer}, lr {s.lr:.2g}, "
                                 f"batch {'full' if s.batch_size is None else s.batch_size}, "
                                 f"{steps} steps")
        if h.status == "diverged":
            self.status.value = _status(f"diverged: {h.message}. Lower the learning rate.",
                                        "diverged")
        else:
            final = h.loss[-1] if h.epochs else math.nan
            self.status.value = _status(
                f"{h.message}: final training loss {final:.4f}, accuracy {100 * acc:.1f}% "
                f"(training took {run.seconds:.2f} s)", "ok")
        self.redraw()


def training_explorer(dataset: str = "moons", **kwargs: Any) -> TrainingExplorer:
    """Train an MLP on moons/spirals/blobs with controls for the architecture and the optimizer.
    Keyword arguments: hidden, layers, activation, optimizer, lr, epochs, batch_size, seed,
    resolution, figsize."""
    return TrainingExplorer(dataset, **kwargs)


# ---------------------------------------------------------------------------------------------
# the batch-size explorer
# ---------------------------------------------------------------------------------------------
class BatchSizeExplorer(Dashboard):
    """Full batch, minibatch and SGD on one slider.

    Left: the minibatch losses of every step against the epoch (the x axis counts passes over
    the data), with full-batch gradient descent at the same lr in black. Middle: ``draws``
    minibatch gradients of the current batch size at one fixed point of training, projected
    on (the full gradient's direction, the direction of largest spread); the star is the full
    gradient, and a gradient left of the dashed line points uphill for the full training loss.
    Right: the measured E||g_B - g||^2 against B (dots), the exact (1 - B/N)/B S^2 (line), the
    current B (ring). Every mark is named in its panel's legend.

    Controls: ``batch_size`` (1, 2, 4, ..., N), ``lr`` (log), ``epochs``.
    State: ``history`` (the run at the current B), ``cloud`` (draws, 2), ``noise`` and
    ``noise_exact`` (one entry per option of the slider), ``sizes``.
    Artists: ``step_line``, ``full_line``, ``cloud_points``, ``full_point``, ``noise_marker``.
    """

    def __init__(self, dataset: str = "moons", *, n: int = 200, hidden: int = 16,
                 optimizer: str = "gd", lr: float = 0.1, epochs: int = 20, batch_size: int = 16,
                 warm_epochs: int = 30, draws: int = 100, seed: int = 0,
                 figsize: tuple[float, float] = (9.0, 3.6)) -> None:
        super().__init__()
        self.base = TrainSettings(dataset=dataset, n=n, hidden=hidden, optimizer=optimizer, lr=lr,
                                  epochs=epochs, batch_size=None, seed=seed)
        self.draws = check.integer("draws", draws, 10, 2000)
        warm_epochs = check.integer("warm_epochs", warm_epochs, 0, 10_000)
        self.X, self.y = self.base.data()
        N = self.X.shape[0]
        self.sizes = batch_size_options(N)
        if batch_size not in self.sizes:
            raise ValueError(f"batch_size must be one of {self.sizes}, got {batch_size!r}")
        check.integer("epochs", epochs, 1, 60)                 # an IntSlider would clamp it
        lr_slider = _log_slider("lr", lr, -3, 0, "lr")            # checked before the slow part
        # the point where gradients are measured: a network after warm_epochs of full-batch Adam
        self.probe = self.base.network(int(self.y.max()) + 1)
        if warm_epochs:
            self.probe.fit(self.X, self.y, optim.adam(0.01), warm_epochs)
        self.warm_epochs = warm_epochs
        self.basis = noise_basis(self.probe, self.X, self.y)
        self.full_gradient = self.probe.gradient(self.X, self.y)
        self.noise = gradient_noise(self.probe, self.X, self.y, self.sizes, draws=self.draws,
                                    seed=seed)
        self.noise_exact = gradient_noise_exact(self.probe, self.X, self.y, self.sizes)
        labels = [(f"{b} (SGD)" if b == 1 else f"{b} (full)" if b == N else str(b), b)
                  for b in self.sizes]
        c = self.controls
        c["batch_size"] = W.SelectionSlider(options=labels, value=batch_size, description="batch",
                                            continuous_update=False)
        c["lr"] = lr_slider
        c["epochs"] = W.IntSlider(value=epochs, min=1, max=60, description="epochs",
                                  continuous_update=False)
        self._runs = _Cache(32)
        self._clouds = _Cache(32)
        fig = self.figure = new_figure(figsize)
        a1 = self.ax_loss = fig.add_axes((0.06, 0.15, 0.27, 0.72))
        a2 = self.ax_cloud = fig.add_axes((0.395, 0.15, 0.27, 0.72))
        a3 = self.ax_noise = fig.add_axes((0.73, 0.15, 0.26, 0.72))
        (self.step_line,) = a1.plot([], [], color="#1f77b4", linewidth=0.7, label="minibatch")
        (self.full_line,) = a1.plot([], [], color="0.15", linewidth=1.8, label="full batch",
                                    zorder=3)
        a1.set_yscale("log")
        a1.set_xlabel("epoch (passes over the data)", fontsize=8)
        a1.set_ylabel("loss of the batch used", fontsize=8)
        a1.legend(fontsize=7, loc="upper right")
        self.loss_title = a1.set_title("", fontsize=9)
        # cloud: fixed limits from the noisiest case (B = 1), so the cloud visibly shrinks
        gnorm = float(np.linalg.norm(self.full_gradient))
        spread = math.sqrt(max(self.noise_exact[0], 1e-300))
        half = max(2.5 * spread, 1.3 * gnorm, 1e-12)
        a2.set_xlim(gnorm - half, gnorm + half)
        a2.set_ylim(-half, half)
        a2.axhline(0, color="0.8", linewidth=0.8)
        a2.axvline(0, color="0.6", linewidth=0.8, linestyle="--",
                   label="left of this line: uphill for the full loss")
        self.cloud_points = a2.scatter([], [], s=8, color="#1f77b4", alpha=0.5, linewidths=0,
                                       label="minibatch gradients")
        (self.full_point,) = a2.plot([gnorm], [0.0], marker="*", color="#d62728", markersize=12,
                                     linestyle="none", label="full gradient")
        a2.legend(fontsize=7, loc="upper left", framealpha=0.85)
        a2.set_xlabel("along the full gradient", fontsize=8)
        a2.set_ylabel("across it (largest spread)", fontsize=8)
        self.cloud_title = a2.set_title("", fontsize=9)
        # noise against batch size
        sizes = np.array(self.sizes, dtype=float)
        keep = sizes < N
        a3.loglog(sizes[keep], self.noise_exact[keep], color="0.4", linewidth=1.2,
                  label="exact (1−B/N)·S²/B")
        a3.loglog(sizes[keep], self.noise[keep], "o", color="#1f77b4", markersize=4,
                  label=f"measured ({self.draws} draws)")
        (self.noise_marker,) = a3.plot([], [], "o", markersize=10, markerfacecolor="none",
                                       markeredgecolor="#d62728", markeredgewidth=1.5,
                                       linestyle="none", label="current B")
        a3.set_xlabel("batch size B", fontsize=8)
        a3.set_ylabel("E‖g_B − g‖²", fontsize=8)
        a3.legend(fontsize=7, loc="lower left")
        a3.set_title("gradient noise falls like 1/B", fontsize=9)
        for a in (a1, a2, a3):
            a.tick_params(labelsize=7)
            a.grid(alpha=0.25)
        self.history: History | None = None
        self.cloud: np.ndarray | None = None
        self._wire()

    def _train(self, batch: int, lr: float, epochs: int) -> History:
        def run() -> History:
            s = replace(self.base, lr=lr, epochs=epochs, batch_size=batch)
            model = s.network(int(self.y.max()) + 1)
            opt = optim.make(s.optimizer, lr=lr)
            return model.fit(self.X, self.y, opt, epochs, None if batch >= len(self.y) else batch,
                             seed=s.seed, record_steps=True)
        return self._runs.get((batch, lr, epochs), run)

    def update(self) -> None:
        c = self.controls
        B, lr, epochs = int(c["batch_size"].value), float(c["lr"].value), int(c["epochs"].value)
        N = len(self.y)
        h = self.history = self._train(B, lr, epochs)
        full = self._train(N, lr, epochs)
        per_epoch = math.ceil(N / B)
        steps = np.arange(1, len(h.step_losses) + 1) / per_epoch
        self.step_line.set_data(steps, np.maximum(h.step_losses, 1e-12))
        self.full_line.set_data(np.arange(1, len(full.step_losses) + 1),
                                np.maximum(full.step_losses, 1e-12))
        _linear_x(self.ax_loss, epochs)
        _log_axis(self.ax_loss, *_decades([h.step_losses, full.step_losses], floor=1e-4))
        self.loss_title.set_text(f"B = {B}: {per_epoch} steps per epoch, lr {lr:.2g}")
        cloud = self.cloud = self._clouds.get(B, lambda: gradient_cloud(
            self.probe, self.X, self.y, B, self.basis, draws=self.draws, seed=self.base.seed))
        self.cloud_points.set_offsets(cloud)
        uphill = float(np.mean(cloud[:, 0] < 0))
        where = f"after {self.warm_epochs} epochs" if self.warm_epochs else "at initialization"
        self.cloud_title.set_text(f"{self.draws} minibatch gradients {where}")
        k = self.sizes.index(B)
        if B < N:
            self.noise_marker.set_data([B], [self.noise_exact[k]])
        else:
            self.noise_marker.set_data([], [])
        diverged = h.status == "diverged" or full.status == "diverged"
        text = (f"B = {B} of N = {N}: measured E‖g_B − g‖² = {self.noise[k]:.3g} "
                f"(exact {self.noise_exact[k]:.3g}); {100 * uphill:.0f}% of these minibatch "
                f"gradients point uphill for the full loss.")
        if diverged:
            text += " A run diverged: lower the learning rate."
        self.status.value = _status(text, "diverged" if diverged else "info")
        self.redraw()


def batch_size_explorer(dataset: str = "moons", **kwargs: Any) -> BatchSizeExplorer:
    """Full batch vs minibatch vs SGD on one slider: the noisy loss curve, the cloud of minibatch
    gradients, and the 1/B law of their spread. Keyword arguments: n, hidden, optimizer, lr,
    epochs, batch_size, warm_epochs, draws, seed, figsize."""
    return BatchSizeExplorer(dataset, **kwargs)


# ---------------------------------------------------------------------------------------------
# the schedule explorer
# ---------------------------------------------------------------------------------------------
class ScheduleExplorer(Dashboard):
    """Six learning-rate schedules (make_schedules) train the same network from the same start.

    Left: lr(t) of each schedule over the run's steps. Right: the training-set loss at the end
    of every epoch. Controls: ``lr0`` (log), ``final`` (every decaying schedule ends at
    final·lr0; log), ``warmup`` (fraction of the steps spent warming up), ``epochs``,
    ``optimizer``, ``show`` (which schedules to draw and train).
    State: ``schedules`` (name -> Schedule), ``run`` (ScheduleRun of the shown ones).
    Artists: ``lr_lines`` and ``loss_lines`` (name -> Line2D).
    """

    def __init__(self, dataset: str = "moons", *, n: int = 200, hidden: int = 16,
                 optimizer: str = "gd", lr0: float = 2.0, final: float = 0.05,
                 warmup: float = 0.1, epochs: int = 40, batch_size: int = 16, seed: int = 0,
                 figsize: tuple[float, float] = (9.0, 3.8)) -> None:
        super().__init__()
        self.base = TrainSettings(dataset=dataset, n=n, hidden=hidden, optimizer=optimizer,
                                  lr=lr0, epochs=epochs, batch_size=batch_size, seed=seed)
        check.integer("epochs", epochs, 5, 200)                # an IntSlider would clamp it
        check.real("warmup", warmup, "in [0, 0.5] (the slider's range)", lambda v: 0 <= v <= 0.5)
        N = len(self.base.data()[1])
        self.steps_per_epoch = 1 if batch_size >= N else math.ceil(N / batch_size)
        c = self.controls
        c["lr0"] = _log_slider("lr0", lr0, -3, 1, "lr₀")
        c["final"] = _log_slider("final", final, -3, 0, "final/lr₀")
        c["warmup"] = W.FloatSlider(value=warmup, min=0.0, max=0.5, step=0.05,
                                    description="warm-up", continuous_update=False)
        c["epochs"] = W.IntSlider(value=epochs, min=5, max=200, step=5, description="epochs",
                                  continuous_update=False)
        c["optimizer"] = W.Dropdown(options=list(TRAIN_OPTIMIZERS), value=optimizer,
                                    description="optimizer")
        c["show"] = W.SelectMultiple(options=list(SCHEDULE_NAMES), value=list(SCHEDULE_NAMES),
                                     description="show", rows=len(SCHEDULE_NAMES))
        self._runs = _Cache(64)
        fig = self.figure = new_figure(figsize)
        a1 = self.ax_lr = fig.add_axes((0.07, 0.14, 0.38, 0.74))
        a2 = self.ax_loss = fig.add_axes((0.58, 0.14, 0.40, 0.74))
        self.lr_lines, self.loss_lines = {}, {}
        for name, color in zip(SCHEDULE_NAMES, SCHEDULE_COLORS):
            (self.lr_lines[name],) = a1.plot([], [], color=color, linewidth=1.4, label=name)
            (self.loss_lines[name],) = a2.plot([], [], color=color, linewidth=1.4, label=name)
        a1.set_xlabel("step t", fontsize=8)
        a1.set_ylabel("learning rate", fontsize=8)
        a1.set_title("the schedules", fontsize=9)
        a1.legend(fontsize=7, loc="upper right")
        a2.set_yscale("log")
        a2.set_xlabel("epoch", fontsize=8)
        a2.set_ylabel("training loss (whole set, end of epoch)", fontsize=8)
        self.loss_title = a2.set_title("", fontsize=9)
        for a in (a1, a2):
            a.tick_params(labelsize=7)
            a.grid(alpha=0.25)
        self.schedules: dict[str, optim.Schedule] = {}
        self.run: ScheduleRun | None = None
        self._wire()

    def update(self) -> None:
        c = self.controls
        lr0, final = float(c["lr0"].value), float(c["final"].value)
        warm, epochs = float(c["warmup"].value), int(c["epochs"].value)
        steps = epochs * self.steps_per_epoch
        self.schedules = make_schedules(lr0, steps, final, warm)
        shown = [name for name in SCHEDULE_NAMES if name in set(c["show"].value)]
        settings = replace(self.base, optimizer=c["optimizer"].value, lr=lr0, epochs=epochs)
        histories, ends = {}, {}
        for name in shown:
            key = (settings, name, final, warm)
            one = self._runs.get(key, lambda n=name: run_schedules(
                settings, {n: self.schedules[n]}))
            histories[name], ends[name] = one.histories[name], one.end_losses[name]
        self.run = ScheduleRun(histories, ends)
        t = np.arange(steps)
        e = np.arange(1, epochs + 1)
        for name in SCHEDULE_NAMES:
            visible = name in histories
            self.lr_lines[name].set_visible(visible)
            self.loss_lines[name].set_visible(visible)
            if visible:
                self.lr_lines[name].set_data(t, self.schedules[name](t))
                self.loss_lines[name].set_data(e[:len(ends[name])], np.maximum(ends[name], 1e-12))
        _linear_x(self.ax_lr, max(steps, 1))
        self.ax_lr.set_ylim(0, 1.08 * lr0)
        self.ax_lr.yaxis.set_major_locator(FixedLocator(MaxNLocator(5).tick_values(0, lr0)))
        _linear_x(self.ax_loss, epochs)
        _log_axis(self.ax_loss, *_decades(list(ends.values()) or [np.ones(1)], floor=1e-4))
        self.loss_title.set_text(f"{settings.optimizer}, batch {settings.batch_size}, "
                                 f"{steps} steps")
        if ends:
            ranking = sorted(ends, key=lambda k: ends[k][-1] if len(ends[k]) and
                             histories[k].status != "diverged" else math.inf)
            parts = [f"{k}: {ends[k][-1]:.4f}" + (" (diverged)" if histories[k].status == "diverged"
                                                   else "") for k in ranking if len(ends[k])]
            self.status.value = _status("final training loss, best first — " + " · ".join(parts),
                                        "info")
        else:
            self.status.value = _status("choose at least one schedule under 'show'", "info")
        self.redraw()


def schedule_explorer(dataset: str = "moons", **kwargs: Any) -> ScheduleExplorer:
    """Compare learning-rate schedules on one training task: lr(t) and the loss each gives.
    Keyword arguments: n, hidden, optimizer, lr0, final, warmup, epochs, batch_size, seed,
    figsize."""
    return ScheduleExplorer(dataset, **kwargs)
