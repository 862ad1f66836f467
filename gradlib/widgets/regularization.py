"""Explorers for notebooks 12 and 14: regularization, and derivatives with respect to the input.

    regularization_explorer()   L2, L1, dropout and training-set size on four sliders: the
                                decision regions, training vs validation loss, the weight histogram
    adversarial_explorer(model, X, y)   an eps slider: an image, its FGSM perturbation and the
                                adversarial image with their predictions, and accuracy against eps

Pure functions, used by the explorers and tested without any widget:

    RegSettings(...), train_regularized(settings) -> RegRun   one (cached) regularized training run
    regularization_data(n_train, noise, n_val, seed, n_test)  nested training sets, a validation set
                                             and a held-out test set
    weight_vector(model), weight_histogram(model, edges), near_zero_fraction(model, tol)
    l2_step(w, grad, lr, l2)                 (1 - lr l2) w - lr grad: gradient descent on L + (l2/2)||w||^2
    weight_decay_paths(grad, x0, lr, weight_decay, steps)     Adam + L2 against AdamW, step by step
    digits_classifier(hidden, epochs, ...)   the small digits network of notebook 14 -> DigitsModel
    fgsm(model, X, y, eps)                   x + eps sign(dL/dx), clipped to the valid pixel range
    accuracy_vs_eps(model, X, y, eps_values) the accuracy on FGSM examples for each eps
    saliency(model, x, k)                    |d z_k / d x|: the pixels class k's score is most sensitive to
    check_l2_step(fn), check_fgsm(fn)        the exercise checks, re-exported from
                                             gradlib.exercises.regularization (their home)

What regularization does and does not do (the notebooks say it with numbers): L2 and L1 shrink
weights and make a smaller training set overfit less; L2 adds l2 to every Hessian eigenvalue of
the penalized loss; dropout trains with random masks; early stopping keeps the best validation
epoch. None of them makes vanishing gradients reach the early layers of a deep sigmoid network:
initialisation, activations, normalization and residual connections do that.
"""
from __future__ import annotations

import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, NamedTuple

import ipywidgets as W
import numpy as np

from .. import _checks as check
from .. import data as gdata
from .. import optim
from ..exercises.regularization import check_fgsm, check_l2_step  # noqa: F401 (old import path)
from ..mlp import MLP, History
from ._base import Dashboard, new_figure
from .training import CLASS_COLORS, class_colors_image, data_window, decision_boundary_grid
from .training import _Cache, _decades, _status

__all__ = [
    "L2_OPTIONS", "L1_OPTIONS", "DROPOUT_OPTIONS", "N_TRAIN_OPTIONS", "HIST_EDGES",
    "RegData", "regularization_data", "TEST_SEED_OFFSET", "RegSettings", "RegRun", "train_regularized",
    "weight_vector", "weight_histogram", "near_zero_fraction",
    "l2_step", "DecayPaths", "weight_decay_paths",
    "DigitsModel", "digits_classifier", "fgsm", "accuracy_vs_eps", "saliency",
    "check_l2_step", "check_fgsm",
    "RegularizationExplorer", "AdversarialExplorer",
    "regularization_explorer", "adversarial_explorer",
]

#: Stops of the L2 and L1 sliders (0 = off, then roughly half-decades).
L2_OPTIONS = (0.0, 1e-4, 3e-4, 1e-3, 3e-3, 1e-2, 3e-2, 1e-1)
L1_OPTIONS = (0.0, 1e-4, 3e-4, 1e-3, 3e-3, 1e-2, 3e-2)
#: Stops of the dropout slider (probability of zeroing a hidden unit while training).
DROPOUT_OPTIONS = (0.0, 0.1, 0.2, 0.3, 0.5, 0.7)
#: Stops of the training-set-size slider; the sets are nested (each one extends the last).
N_TRAIN_OPTIONS = (15, 30, 60, 120, 240)
#: Bin edges of the weight histogram: 41 bins of width 0.05 on [-1.025, 1.025], one centred on 0.
HIST_EDGES = np.linspace(-1.025, 1.025, 42)
_POOL = max(N_TRAIN_OPTIONS)


# ---------------------------------------------------------------------------------------------
# validation helpers (messages name the argument, the rule and the value)
# ---------------------------------------------------------------------------------------------
def _model(model: Any, name: str = "model", classifier: bool = False) -> MLP:
    if not isinstance(model, MLP):
        raise ValueError(f"{name} must be a gradlib.mlp.MLP, got {type(model).__name__}")
    if classifier and model.output == "identity":
        raise ValueError(f"{name} must be a classifier (output 'softmax' or 'sigmoid'), got "
                         f"output='identity'")
    return model


def _clip_range(clip: Any) -> tuple[float, float] | None:
    return None if clip is None else check.interval("clip", clip)


def _inputs(model: MLP, X: Any, clip: tuple[float, float] | None) -> np.ndarray:
    """X as a float64 (m, d) array the model accepts, inside the clip range."""
    model.scores(X)                       # the model's own shape/finiteness check and message
    arr = np.asarray(X, dtype=np.float64)
    if clip is not None and (arr.min() < clip[0] or arr.max() > clip[1]):
        raise ValueError(f"X must lie inside clip=({clip[0]:g}, {clip[1]:g}) (the valid input "
                         f"range), got values from {arr.min():g} to {arr.max():g}")
    return arr


# ---------------------------------------------------------------------------------------------
# data and one regularized training run
# ---------------------------------------------------------------------------------------------
class RegData(NamedTuple):
    """A training set, a validation set and a test set from the same noisy two-moons
    distribution. Choices (lambda, the stopping epoch) are made on the validation set; the test
    set is touched only to report the chosen network's loss."""
    X_train: np.ndarray
    y_train: np.ndarray
    X_val: np.ndarray
    y_val: np.ndarray
    X_test: np.ndarray
    y_test: np.ndarray


#: The test set of data seed s is an independent draw with seed TEST_SEED_OFFSET + s.
TEST_SEED_OFFSET = 10_000


@lru_cache(maxsize=32)
def _moons_pool(n: int, noise: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    X, y = gdata.moons(n, noise=noise, seed=seed)
    X.flags.writeable = y.flags.writeable = False
    return X, y


def regularization_data(n_train: int = 30, noise: float = 0.3, n_val: int = 300,
                        seed: int = 1, n_test: int = 300) -> RegData:
    """Two moons with label noise from overlap: the first n_train points of a fixed pool of
    max(N_TRAIN_OPTIONS) training points, n_val validation points from the same draw, and
    n_test test points from an independent draw (seed TEST_SEED_OFFSET + seed).

    The training sets are nested: the set of size 60 contains the set of size 30, so "more data"
    changes one thing only.
    """
    n_train = check.integer("n_train", n_train, 2, _POOL)
    noise = check.nonnegative("noise", noise)
    n_val = check.integer("n_val", n_val, 1, 100_000)
    seed = check.integer("seed", seed, 0)
    n_test = check.integer("n_test", n_test, 2, 100_000)
    X, y = _moons_pool(_POOL + n_val, noise, seed)
    X_test, y_test = _moons_pool(n_test, noise, TEST_SEED_OFFSET + seed)
    return RegData(X[:n_train].copy(), y[:n_train].copy(), X[_POOL:].copy(), y[_POOL:].copy(),
                   X_test.copy(), y_test.copy())


@dataclass(frozen=True)
class RegSettings:
    """Everything the regularization explorer's controls say (hashable: runs are cached).

    A ReLU network 2 -> hidden x layers -> 2 trained full batch for ``epochs`` epochs by heavy-ball
    momentum (lr, beta 0.9) on L + l1 sum|W| + (l2/2) sum W^2, with inverted dropout ``dropout``
    on the hidden layers. Momentum rather than Adam on purpose: Adam divides every gradient,
    the penalty's too, by its running RMS, so its "L2" is not the L2 of the formula (notebook 12).
    ``seed`` seeds the weights and the dropout masks; ``data_seed`` the data (the test set of
    ``n_test`` points is an independent draw, used only to report, never to choose).
    """
    n_train: int = 30
    l2: float = 0.0
    l1: float = 0.0
    dropout: float = 0.0
    hidden: int = 32
    layers: int = 2
    epochs: int = 300
    lr: float = 0.05
    noise: float = 0.3
    n_val: int = 300
    seed: int = 0
    data_seed: int = 1
    n_test: int = 300

    def __post_init__(self) -> None:
        check.integer("n_train", self.n_train, 2, _POOL)
        check.nonnegative("l2", self.l2)
        check.nonnegative("l1", self.l1)
        check.real("dropout", self.dropout, "a probability in [0, 1)", lambda v: 0 <= v < 1)
        check.integer("hidden", self.hidden, 1, 512)
        check.integer("layers", self.layers, 1, 4)
        check.integer("epochs", self.epochs, 1, 20_000)
        check.positive("lr", self.lr)
        check.nonnegative("noise", self.noise)
        check.integer("n_val", self.n_val, 1, 100_000)
        check.integer("seed", self.seed, 0)
        check.integer("data_seed", self.data_seed, 0)
        check.integer("n_test", self.n_test, 2, 100_000)

    def data(self) -> RegData:
        return regularization_data(self.n_train, self.noise, self.n_val, self.data_seed,
                                   self.n_test)

    def network(self) -> MLP:
        """A fresh seeded network 2 -> hidden^layers -> 2 (He init, softmax output)."""
        return MLP([2] + [self.hidden] * self.layers + [2], "relu", "softmax", init="he",
                   seed=self.seed, dropout=self.dropout)


class RegRun(NamedTuple):
    """One regularized run: the trained network, its History (with validation), data, wall time."""
    settings: RegSettings
    model: MLP
    history: History
    data: RegData
    seconds: float


def train_regularized(settings: RegSettings) -> RegRun:
    """Train the network ``settings`` describes on its training set, watching the validation set.

        step:  g = dL/dparams + l1 sign(W) + l2 W;   b <- 0.9 b + g;   params <- params - lr b
    """
    if not isinstance(settings, RegSettings):
        raise ValueError(f"settings must be a RegSettings, got {type(settings).__name__}")
    d = settings.data()
    model = settings.network()
    t0 = time.perf_counter()
    history = model.fit(d.X_train, d.y_train, optim.momentum(settings.lr, 0.9), settings.epochs,
                        l1=settings.l1, l2=settings.l2, seed=settings.seed,
                        validation=(d.X_val, d.y_val))
    return RegRun(settings, model, history, d, time.perf_counter() - t0)


# ---------------------------------------------------------------------------------------------
# weights: histogram and sparsity
# ---------------------------------------------------------------------------------------------
def weight_vector(model: MLP) -> np.ndarray:
    """All weights W_0, W_1, ... of ``model`` in one new 1-D array (biases left out: L1 and L2
    penalise weights only)."""
    model = _model(model)
    return np.concatenate([W.ravel() for W in model.weights])


def weight_histogram(model: MLP, edges: Any = HIST_EDGES) -> np.ndarray:
    """Counts of the weights in the bins ``edges`` (increasing); weights beyond the first or
    last edge are counted in the first or last bin, so the counts add up to the number of
    weights."""
    e = np.asarray(edges, dtype=np.float64)
    if e.ndim != 1 or e.size < 2 or not np.isfinite(e).all() or np.any(np.diff(e) <= 0):
        raise ValueError(f"edges must be a finite, strictly increasing 1-D array of at least 2 "
                         f"edges, got {np.asarray(edges)!r}")
    w = np.clip(weight_vector(model), e[0], e[-1])
    return np.histogram(w, bins=e)[0]


def near_zero_fraction(model: MLP, tol: float = 1e-2) -> float:
    """The fraction of weights with |w| < tol (how sparse L1 has made the network).

    Subgradient steps leave L1-penalised weights hovering in a band around 0 whose width grows
    with the step size, rather than exactly at 0; tol = 0.01 counts that band as zero.
    """
    tol = check.positive("tol", tol)
    w = weight_vector(model)
    return float(np.count_nonzero(np.abs(w) < tol) / w.size)


# ---------------------------------------------------------------------------------------------
# L2 as weight decay, and why Adam + L2 is not AdamW
# ---------------------------------------------------------------------------------------------
def l2_step(w: Any, grad: Any, lr: float, l2: float) -> np.ndarray:
    """One gradient-descent step on L(w) + (l2/2)||w||^2, written as a decay:

        w - lr (grad + l2 w)  =  (1 - lr l2) w - lr grad          (grad = dL/dw, the data part)

    The penalty multiplies w by (1 - lr l2) < 1 at every step: "weight decay".
    """
    w_arr = np.asarray(w, dtype=np.float64)
    g_arr = np.asarray(grad, dtype=np.float64)
    if w_arr.shape != g_arr.shape:
        raise ValueError(f"grad must have the shape of w {w_arr.shape}, got shape {g_arr.shape}")
    lr = check.nonnegative("lr", lr)
    l2 = check.nonnegative("l2", l2)
    return (1.0 - lr * l2) * w_arr - lr * g_arr


class DecayPaths(NamedTuple):
    """Iterates of Adam on L + (wd/2)||x||^2 ("Adam + L2") and of AdamW on L with weight decay
    wd, from the same start: each (steps + 1, n), row 0 the start."""
    adam_l2: np.ndarray
    adamw: np.ndarray


def weight_decay_paths(grad: Callable[[np.ndarray], Any], x0: Any, lr: float,
                       weight_decay: float, steps: int, *, beta1: float = 0.9,
                       beta2: float = 0.999, eps: float = 1e-8) -> DecayPaths:
    """Adam + L2 against AdamW (torch.optim.Adam with weight_decay vs torch.optim.AdamW):

        Adam + L2:  g <- grad(x) + wd x, then Adam's step  x <- x - lr m_hat / (sqrt(v_hat) + eps)
                    (the decay goes through m and v: divided by the running RMS of g)
        AdamW:      x <- x - lr wd x, then Adam's step with g = grad(x)
                    (the decay is applied as is, the same relative shrink for every coordinate;
                    torch's convention, optim.adamw's default)

    Where they come to rest: Adam + L2 where grad L + wd x = 0 (the penalized minimizer); AdamW
    where wd x_i = -g_i / (|g_i| + eps), i.e. at a stationary point of L inside the box
    |x_i| < 1/wd, or on its edge with the gradient pointing outward (notebook 12).
    """
    if not callable(grad):
        raise ValueError(f"grad must be a function of x returning dL/dx, got {type(grad).__name__}")
    x = np.array(x0, dtype=np.float64)
    if x.ndim != 1 or x.size < 1 or not np.isfinite(x).all():
        raise ValueError(f"x0 must be a finite 1-D array, got shape {x.shape}")
    steps = check.integer("steps", steps, 1, 100_000)
    wd = check.nonnegative("weight_decay", weight_decay)
    plain = optim.adam(lr, beta1, beta2, eps)
    decoupled = optim.adamw(lr, beta1, beta2, eps, weight_decay=wd)
    out = []
    for opt, coupled in ((plain, True), (decoupled, False)):
        xs = [x.copy()]
        xi, state = x.copy(), opt.init(x)
        with np.errstate(all="ignore"):
            for _ in range(steps):
                g = np.asarray(grad(xi.copy()), dtype=np.float64)
                if g.shape != xi.shape:
                    raise ValueError(f"grad must return an array of the shape of x0 {xi.shape}, "
                                     f"got shape {g.shape}")
                xi, state = opt.update(xi, g + wd * xi if coupled else g, state)
                xs.append(xi)
        out.append(np.array(xs))
    return DecayPaths(*out)


# ---------------------------------------------------------------------------------------------
# derivatives with respect to the input: saliency and the fast gradient sign method
# ---------------------------------------------------------------------------------------------
class DigitsModel(NamedTuple):
    """A trained digits classifier with its data split and training record."""
    model: MLP
    data: gdata.Digits
    history: History


def digits_classifier(hidden: Sequence[int] = (32,), epochs: int = 30, lr: float = 0.01,
                      batch_size: int = 64, test_size: float = 0.25, seed: int = 0) -> DigitsModel:
    """The network of notebook 14: 64 pixels -> hidden -> 10 classes (ReLU, softmax), trained by
    Adam in seeded minibatches on scikit-learn's digits (pixels in [0, 1])."""
    try:
        widths = [check.integer("hidden[i]", h, 1, 4096) for h in hidden]
    except TypeError:
        raise ValueError(f"hidden must be a sequence of layer widths, got {hidden!r}") from None
    epochs = check.integer("epochs", epochs, 1, 10_000)
    lr = check.positive("lr", lr)
    seed = check.integer("seed", seed, 0)
    d = gdata.digits(test_size, seed)
    batch_size = check.integer("batch_size", batch_size, 1, d.X_train.shape[0])
    model = MLP([64, *widths, 10], "relu", "softmax", init="he", seed=seed)
    history = model.fit(d.X_train, d.y_train, optim.adam(lr), epochs, batch_size, seed=seed)
    return DigitsModel(model, d, history)


def fgsm(model: MLP, X: Any, y: Any, eps: float, *,
         clip: tuple[float, float] | None = (0.0, 1.0)) -> np.ndarray:
    """The fast gradient sign method (Goodfellow et al., 2015): a new array

        X_adv = clip(X + eps * sign(dL/dX), low, high)

    The sign of the loss's gradient with respect to each input, one step of size eps in the
    max-norm: every pixel moves by eps (less where the clip range stops it). L is the mean loss,
    whose gradient row i is (1/m) d loss_i / d x_i, so the sign is each example's own.
    sign(0) = 0: an input the loss does not depend on is left alone.
    """
    model = _model(model)
    eps = check.nonnegative("eps", eps)
    lims = _clip_range(clip)
    X_arr = _inputs(model, X, lims)
    g = model.input_gradient(X_arr, y)                 # dL/dX, checks y against X
    X_adv = X_arr + eps * np.sign(g)
    return X_adv if lims is None else np.clip(X_adv, *lims)


def accuracy_vs_eps(model: MLP, X: Any, y: Any, eps_values: Any, *,
                    clip: tuple[float, float] | None = (0.0, 1.0)) -> np.ndarray:
    """The accuracy of ``model`` on fgsm(model, X, y, eps) for each eps of ``eps_values``.

        accuracy[j] = mean_i [ predict(fgsm(X, y, eps_j))_i == y_i ]

    Entry j uses a single step of size eps_j from the clean inputs (not a run of steps).
    """
    model = _model(model, classifier=True)
    e = np.asarray(eps_values, dtype=np.float64)
    if e.ndim != 1 or e.size < 1 or not np.isfinite(e).all() or (e < 0).any():
        raise ValueError(f"eps_values must be a 1-D array of finite numbers >= 0, got "
                         f"{np.asarray(eps_values)!r}")
    lims = _clip_range(clip)
    X_arr = _inputs(model, X, lims)
    direction = np.sign(model.input_gradient(X_arr, y))
    y_arr = np.asarray(y)
    out = np.empty(e.size)
    for j, eps in enumerate(e):
        X_adv = X_arr + eps * direction
        if lims is not None:
            X_adv = np.clip(X_adv, *lims)
        out[j] = model.accuracy(X_adv, y_arr)
    return out


def saliency(model: MLP, x: Any, k: int | None = None) -> np.ndarray:
    """The saliency map of one input x for class k (Simonyan et al., 2013):

        s = |d z_k / d x|        z_k: class k's score (logit, before softmax), shape of x

    k defaults to the predicted class. Large entries are the inputs the score reacts to most.
    """
    model = _model(model)
    x_arr = np.asarray(x, dtype=np.float64)
    if x_arr.ndim != 1 or x_arr.size != model.sizes[0]:
        raise ValueError(f"x must be one input of shape ({model.sizes[0]},), got shape {x_arr.shape}")
    X = x_arr[None, :]
    if k is None:
        k = int(np.argmax(model.scores(X)[0]))
    return np.abs(model.class_score_gradient(X, k)[0])


# ---------------------------------------------------------------------------------------------
# explorer plumbing
# ---------------------------------------------------------------------------------------------
def _selection(options: Sequence[float], value: float, description: str,
               fmt: Callable[[float], str]) -> W.SelectionSlider:
    if value not in options:
        raise ValueError(f"{description} must be one of {list(options)}, got {value!r}")
    return W.SelectionSlider(options=[(fmt(v), v) for v in options], value=value,
                             description=description, continuous_update=False)


def _strength(v: float) -> str:
    return "0" if v == 0 else f"{v:.0e}".replace("e-0", "e-")


# ---------------------------------------------------------------------------------------------
# the regularization explorer
# ---------------------------------------------------------------------------------------------
class RegularizationExplorer(Dashboard):
    """L2, L1, dropout and training-set size against overfitting, on a small noisy moons set.

    Left: the decision regions, training points (large, white edges) and validation points
    (small). Middle: training and validation loss per epoch (log scale) with the best
    validation epoch marked (where early stopping would stop). Right: the histogram of all
    weights (clipped to [-1, 1]) with the fraction |w| < 0.01 in the title.

    Controls: ``l2``, ``l1``, ``dropout``, ``n_train`` (slider stops: L2_OPTIONS, L1_OPTIONS,
    DROPOUT_OPTIONS, N_TRAIN_OPTIONS). Each setting is trained once (train_regularized, a few
    tenths of a second) and cached, so moving back to a setting is instant.
    State: ``settings``, ``run`` (RegRun), ``grid``, ``counts``.
    Artists: ``image``, ``train_points``, ``val_points``, ``train_line``, ``val_line``,
    ``best_line``, ``hist``.
    """

    def __init__(self, n_train: int = 30, l2: float = 0.0, l1: float = 0.0, dropout: float = 0.0,
                 *, hidden: int = 32, layers: int = 2, epochs: int = 300, lr: float = 0.05,
                 noise: float = 0.3, seed: int = 0, resolution: int = 60,
                 figsize: tuple[float, float] = (9.0, 3.4)) -> None:
        super().__init__()
        self.base = RegSettings(n_train=n_train, l2=l2, l1=l1, dropout=dropout, hidden=hidden,
                                layers=layers, epochs=epochs, lr=lr, noise=noise, seed=seed)
        self.resolution = check.integer("resolution", resolution, 10, 300)
        c = self.controls
        c["l2"] = _selection(L2_OPTIONS, l2, "L2 λ", _strength)
        c["l1"] = _selection(L1_OPTIONS, l1, "L1 λ", _strength)
        c["dropout"] = _selection(DROPOUT_OPTIONS, dropout, "dropout", lambda v: f"{v:.1f}")
        c["n_train"] = _selection(N_TRAIN_OPTIONS, n_train, "train size", lambda v: str(v))
        self._runs = _Cache(64)

        d = self.base.data()
        pool = regularization_data(_POOL, noise, self.base.n_val, self.base.data_seed)
        self.xlim, self.ylim = data_window(np.concatenate([pool.X_train, d.X_val]), margin=0.05)
        fig = self.figure = new_figure(figsize)
        ax = self.ax = fig.add_axes((0.04, 0.13, 0.28, 0.74))
        self.image = ax.imshow(np.ones((2, 2, 3)), origin="lower", aspect="auto",
                               interpolation="bilinear", extent=(*self.xlim, *self.ylim))
        self.val_points = ax.scatter(d.X_val[:, 0], d.X_val[:, 1], s=4, alpha=0.45,
                                     c=[CLASS_COLORS[k] for k in d.y_val], linewidths=0)
        self.train_points = ax.scatter([], [], s=22, edgecolors="white", linewidths=0.8)
        ax.set_xlim(self.xlim)
        ax.set_ylim(self.ylim)
        ax.set_xticks([])
        ax.set_yticks([])
        self.title = ax.set_title("", fontsize=9)

        ax_loss = self.ax_loss = fig.add_axes((0.40, 0.13, 0.27, 0.74))
        (self.train_line,) = ax_loss.plot([], [], color="#1f77b4", lw=1.4, label="training")
        (self.val_line,) = ax_loss.plot([], [], color="#ff7f0e", lw=1.4, label="validation")
        self.best_line = ax_loss.axvline(0.0, color="#555", lw=0.9, ls="--", label="best val.")
        ax_loss.set_yscale("log")
        ax_loss.set_xlim(0, self.base.epochs)
        ax_loss.set_xlabel("epoch", fontsize=8)
        ax_loss.set_ylabel("loss (data term)", fontsize=8)
        ax_loss.tick_params(labelsize=7)
        ax_loss.grid(alpha=0.25)
        ax_loss.legend(fontsize=7, loc="lower left")
        self.loss_title = ax_loss.set_title("", fontsize=9)

        ax_hist = self.ax_hist = fig.add_axes((0.73, 0.13, 0.25, 0.74))
        self.hist = ax_hist.stairs(np.zeros(HIST_EDGES.size - 1), HIST_EDGES, fill=True,
                                   color="#7f7f7f", alpha=0.8)
        ax_hist.set_xlim(HIST_EDGES[0], HIST_EDGES[-1])
        ax_hist.set_yscale("symlog", linthresh=10)
        ax_hist.set_xlabel("weight value (|w| > 1 in the end bins)", fontsize=8)
        ax_hist.tick_params(labelsize=7)
        self.hist_title = ax_hist.set_title("", fontsize=9)

        self.settings = self.base
        self.run: RegRun | None = None
        self.grid = None
        self.counts = np.zeros(HIST_EDGES.size - 1, dtype=np.int64)
        self._n_drawn = -1
        self._wire()

    def current_settings(self) -> RegSettings:
        """The RegSettings the controls describe now."""
        c = self.controls
        b = self.base
        return RegSettings(n_train=int(c["n_train"].value), l2=float(c["l2"].value),
                           l1=float(c["l1"].value), dropout=float(c["dropout"].value),
                           hidden=b.hidden, layers=b.layers, epochs=b.epochs, lr=b.lr,
                           noise=b.noise, n_val=b.n_val, seed=b.seed, data_seed=b.data_seed,
                           n_test=b.n_test)

    def update(self) -> None:
        s = self.settings = self.current_settings()
        run = self.run = self._runs.get(s, lambda: train_regularized(s))
        d, h, model = run.data, run.history, run.model
        if s.n_train != self._n_drawn:
            self.train_points.set_offsets(d.X_train)
            self.train_points.set_facecolor([CLASS_COLORS[k] for k in d.y_train])
            self._n_drawn = s.n_train
        self.grid = decision_boundary_grid(model, self.xlim, self.ylim, self.resolution)
        self.image.set_data(class_colors_image(self.grid.proba))

        epochs = np.arange(1, h.epochs + 1)
        self.train_line.set_data(epochs, np.maximum(h.loss, 1e-6))
        self.val_line.set_data(epochs, np.maximum(h.val_loss, 1e-6))
        best = int(h.best_epoch) + 1 if h.best_epoch is not None else 0
        self.best_line.set_xdata([best, best])
        self.ax_loss.set_ylim(*_decades([h.loss, h.val_loss], floor=1e-6))

        self.counts = weight_histogram(model)
        self.hist.set_data(values=self.counts)
        self.ax_hist.set_ylim(0, max(10.0, 2.0 * float(self.counts.max())))
        sparse = near_zero_fraction(model)

        train_acc = model.accuracy(d.X_train, d.y_train)
        val_acc = model.accuracy(d.X_val, d.y_val)
        self.title.set_text(f"train {100 * train_acc:.0f}%  ·  validation {100 * val_acc:.0f}%")
        self.loss_title.set_text(f"final val. loss {h.val_loss[-1]:.3f}, best {h.val_loss.min():.3f}"
                                 if h.epochs else "")
        self.hist_title.set_text(f"{100 * sparse:.0f}% of weights have |w| < 0.01")
        gap = h.val_loss[-1] - h.loss[-1] if h.epochs else math.nan
        kind = "warn" if gap > 0.2 else "ok"
        self.status.value = _status(
            f"{s.n_train} training points; L2 {s.l2:g}, L1 {s.l1:g}, dropout {s.dropout:g}: "
            f"final training loss {h.loss[-1]:.3f}, validation loss {h.val_loss[-1]:.3f} "
            f"(gap {gap:.3f}); lowest validation loss after {best} epochs "
            f"(trained in {run.seconds:.2f} s, then cached)", kind)
        self.redraw()


def regularization_explorer(n_train: int = 30, **kwargs: Any) -> RegularizationExplorer:
    """Overfitting and its remedies: sliders for L2, L1, dropout and the training-set size.
    Keyword arguments: l2, l1, dropout, hidden, layers, epochs, lr, noise, seed, resolution,
    figsize."""
    return RegularizationExplorer(n_train, **kwargs)


# ---------------------------------------------------------------------------------------------
# the adversarial explorer
# ---------------------------------------------------------------------------------------------
class AdversarialExplorer(Dashboard):
    """The fast gradient sign method on one slider.

    Panels: the clean image with its predicted class and probability, the perturbation
    X_adv - X (red up, blue down), the adversarial image with its prediction, and the accuracy
    on all of X against eps (computed once on ``eps_values``) with a cursor at the current eps.

    Controls: ``eps`` (0 ... max(eps_values), on the grid) and ``index`` (which row of X).
    State: ``x``, ``x_adv``, ``accuracy`` (on all of X at the current eps), ``curve``.
    Artists: ``original``, ``perturbation``, ``adversarial``, ``cursor``, ``cursor_point``.
    """

    def __init__(self, model: MLP, X: Any, y: Any, *, eps_values: Any = None, eps: float = 0.05,
                 index: int = 0, image_shape: tuple[int, int] = (8, 8),
                 clip: tuple[float, float] | None = (0.0, 1.0),
                 figsize: tuple[float, float] = (9.0, 2.9)) -> None:
        super().__init__()
        self.model = _model(model, classifier=True)
        if model.output != "softmax":
            raise ValueError(f"model must have output='softmax' (one score per class), got "
                             f"output={model.output!r}")
        self.clip = _clip_range(clip)
        self.X = _inputs(self.model, X, self.clip)
        self.y = np.asarray(y)
        self.model.loss(self.X, self.y)                   # the model's check of y
        self.eps_values = (np.linspace(0.0, 0.3, 31) if eps_values is None
                           else np.asarray(eps_values, dtype=np.float64))
        e = self.eps_values
        if e.ndim != 1 or e.size < 2 or not np.isfinite(e).all() or e[0] != 0 \
                or np.any(np.diff(e) <= 0):
            raise ValueError(f"eps_values must be an increasing 1-D grid starting at 0 with at "
                             f"least 2 values, got {np.asarray(eps_values)!r}")
        try:
            shape = (int(image_shape[0]), int(image_shape[1]))
        except (TypeError, ValueError, IndexError):
            raise ValueError(f"image_shape must be a pair (rows, cols), got {image_shape!r}") from None
        if shape[0] * shape[1] != self.X.shape[1]:
            raise ValueError(f"image_shape must have rows * cols = {self.X.shape[1]} (the inputs "
                             f"per row of X), got {image_shape!r}")
        self.image_shape = shape
        index = check.integer("index", index, 0, self.X.shape[0] - 1)
        eps = check.real("eps", eps, f"in [0, {e[-1]:g}]", lambda v: 0 <= v <= e[-1])
        self.curve = accuracy_vs_eps(self.model, self.X, self.y, e, clip=self.clip)
        self._direction = np.sign(self.model.input_gradient(self.X, self.y))

        step = float(np.min(np.diff(e)))
        self.controls["eps"] = W.FloatSlider(value=eps, min=0.0, max=float(e[-1]), step=step,
                                             description="ε", readout_format=".3f",
                                             continuous_update=True)
        self.controls["index"] = W.IntSlider(value=index, min=0, max=self.X.shape[0] - 1,
                                             description="image", continuous_update=True)

        lo, hi = self.clip if self.clip is not None else (float(self.X.min()), float(self.X.max()))
        fig = self.figure = new_figure(figsize)
        axes = [fig.add_axes((0.01 + 0.19 * i, 0.08, 0.17, 0.74)) for i in range(3)]
        blank = np.zeros(shape)
        self.original = axes[0].imshow(blank, cmap="gray_r", vmin=lo, vmax=hi)
        self.perturbation = axes[1].imshow(blank, cmap="RdBu_r", vmin=-e[-1], vmax=e[-1])
        self.adversarial = axes[2].imshow(blank, cmap="gray_r", vmin=lo, vmax=hi)
        for ax in axes:
            ax.set_xticks([])
            ax.set_yticks([])
        self.titles = [ax.set_title("", fontsize=9) for ax in axes]
        ax_c = self.ax_curve = fig.add_axes((0.64, 0.2, 0.34, 0.62))
        ax_c.plot(e, self.curve, color="#1f77b4", lw=1.5, marker=".", ms=3)
        self.cursor = ax_c.axvline(eps, color="#d62728", lw=1.0)
        (self.cursor_point,) = ax_c.plot([eps], [0.0], "o", color="#d62728", ms=6)
        ax_c.set_xlim(0, e[-1])
        ax_c.set_ylim(-0.02, 1.02)
        ax_c.set_xlabel("ε (max change per pixel)", fontsize=8)
        ax_c.set_ylabel("accuracy on FGSM inputs", fontsize=8)
        ax_c.tick_params(labelsize=7)
        ax_c.grid(alpha=0.25)
        self.curve_title = ax_c.set_title("", fontsize=9)
        self._wire()

    def update(self) -> None:
        eps = float(self.controls["eps"].value)
        i = int(self.controls["index"].value)
        self.x = self.X[i]
        x_adv = self.x + eps * self._direction[i]
        X_adv = self.X + eps * self._direction
        if self.clip is not None:
            x_adv, X_adv = np.clip(x_adv, *self.clip), np.clip(X_adv, *self.clip)
        self.x_adv = x_adv
        self.accuracy = self.model.accuracy(X_adv, self.y)
        p_clean = self.model.predict_proba(self.x[None, :])[0]
        p_adv = self.model.predict_proba(x_adv[None, :])[0]
        k_clean, k_adv = int(p_clean.argmax()), int(p_adv.argmax())
        self.original.set_data(self.x.reshape(self.image_shape))
        self.perturbation.set_data((x_adv - self.x).reshape(self.image_shape))
        self.adversarial.set_data(x_adv.reshape(self.image_shape))
        self.titles[0].set_text(f"label {int(self.y[i])}: says {k_clean} ({100 * p_clean[k_clean]:.0f}%)")
        self.titles[1].set_text(f"change (ε = {eps:.3f})")
        self.titles[2].set_text(f"says {k_adv} ({100 * p_adv[k_adv]:.0f}%)")
        self.titles[2].set_color("#c00" if k_adv != int(self.y[i]) else "black")
        self.cursor.set_xdata([eps, eps])
        self.cursor_point.set_data([eps], [self.accuracy])
        self.curve_title.set_text(f"accuracy {100 * self.accuracy:.1f}% at ε = {eps:.3f}")
        flipped = k_adv != k_clean
        self.status.value = _status(
            f"image {i}: prediction {'flipped' if flipped else 'kept'} ({k_clean} → {k_adv}); "
            f"accuracy on all {self.X.shape[0]} images {100 * self.accuracy:.1f}%",
            "warn" if flipped else "ok")
        self.redraw()


def adversarial_explorer(model: MLP, X: Any, y: Any, **kwargs: Any) -> AdversarialExplorer:
    """FGSM with an eps slider: an image, its perturbation, the adversarial image and the
    accuracy-vs-eps curve with a cursor. Keyword arguments: eps_values, eps, index, image_shape,
    clip, figsize."""
    return AdversarialExplorer(model, X, y, **kwargs)
