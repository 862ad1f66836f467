"""Vanishing and exploding gradients, and sharpness along gradient descent: the pure part of
notebooks 10-11's explorers and figures (no widgets imported).

    probe_data(n, seed)                      rows of the digits training set: a fixed probe batch
    layer_gradient_norms(depth, width, activation, init, init_scale, seed, X, y)
                                             ||dL/dW_l|| of every layer of a fresh MLP
    diagnose(norms)                          "vanishing" / "exploding" / "healthy", in words
    gradient_norm_table(depths, activations, inits, ...)  first- and last-layer norms against
                                             depth for each (activation, init): the heat map
    chain_weights(depth, width, init_scale, seed)         a toy deep chain of square layers
    chain_forward(x, weights, activation, ...)            h_{l+1} = f(W_l h_l) (+ h_l, residual)
    jacobian_gains(depth, width, activation, ...)         ||dh_L/dh_l|| / sqrt(n) for every l:
                                             how a gradient arriving at the top is scaled on its
                                             way down, with and without residual connections and
                                             normalization
    sharpness_trace(model_factory, X, y, lrs, steps, every)   full-batch gradient descent for
                                             several learning rates, the top Hessian eigenvalue
                                             measured every ``every`` steps -> SharpnessRun each
    full_hessian(model, X, y)                the whole Hessian of a small network, from hvp

    GradientFlowSettings, gradient_flow_frame(settings, norms)   what notebook 10's explorer
                                             draws: settings -> Frame (the per-layer norms on a
                                             log chart; Play = the backward pass, layer by layer)
    gradient_flow_scene(figsize)             its static layer (a chart panel and its y label)
    gradient_flow_status(settings, norms)    its status line: the diagnosis with the numbers

All numbers come from gradlib.mlp (backprop, Hessian-vector products, Lanczos sharpness); this
module only arranges experiments around them. The pictures for notebooks (plot_layer_norms,
plot_gradient_norm_table, plot_sharpness, sharpness_animation) are in gradlib.widgets.pathologies.
"""
from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, NamedTuple

import numpy as np
from numpy.typing import ArrayLike

from . import _checks as check
from . import data as gdata
from .mlp import ACTIVATIONS, INITS, MLP
# Loops of many small MLP calls enter BLAS's one-thread limit once, with gradlib.mlp's controller
# (one thread is faster for products this small when the other core is busy; see DESIGN.md).
from .mlp import _one_blas_thread

__all__ = [
    "CHAIN_ACTIVATIONS", "MAX_DEPTH", "VANISHING", "EXPLODING", "RUN_COLORS",
    "ACTIVATION_COLORS", "OVERFLOW_COLOR",
    "probe_data", "layer_gradient_norms", "diagnose", "GradientNormTable", "gradient_norm_table",
    "chain_weights", "chain_forward", "jacobian_gains",
    "SharpnessRun", "sharpness_trace", "full_hessian",
    "GradientFlowSettings", "gradient_flow_norms", "gradient_flow_frame", "gradient_flow_scene",
    "gradient_flow_status", "sweep_caption",
]

#: Deepest network the helpers build (hidden layers); keeps every product of gains finite.
MAX_DEPTH = 60
#: A first layer whose gradient is below VANISHING times the last layer's is "vanishing" ...
VANISHING = 1e-2
#: ... above EXPLODING times the last layer's (or any layer above EXPLODING in absolute terms)
#: is "exploding".
EXPLODING = 1e2
#: Activations of the toy chain: those of gradlib.mlp plus "linear" (f(z) = z).
CHAIN_ACTIVATIONS: tuple[str, ...] = (*ACTIVATIONS, "linear")
#: Colours of the curves (layer norms) and runs (sharpness) in the pictures: the Okabe-Ito
#: palette (distinguishable with every common colour-vision deficiency; no red-green pair).
RUN_COLORS: tuple[str, ...] = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00",
                               "#000000", "#F0E442")
#: Marks of layers whose gradient overflowed (inf): near-black, never red against green.
OVERFLOW_COLOR = "#222222"
#: One colour per activation in the explorer and notebook 10's figures (ColorBrewer Dark2).
ACTIVATION_COLORS: dict[str, str] = {"sigmoid": "#7570b3", "tanh": "#1b9e77", "relu": "#d95f02",
                                     "leaky_relu": "#e7298a", "linear": "#666666"}
_OVERFLOW_COLOR = OVERFLOW_COLOR
_ACTIVATION_COLORS = ACTIVATION_COLORS


# ---------------------------------------------------------------------------------------------
# validation (once, at the boundary)
# ---------------------------------------------------------------------------------------------
def _init_scale(value: Any) -> float:
    """init_scale, the factor applied to the initial weights: in (0, 100]."""
    return check.real("init_scale", value, "a finite number in (0, 100.0]", lambda v: 0 < v <= 100)


def _names(name: str, values: Any, options: Sequence[str]) -> tuple[str, ...]:
    if isinstance(values, str) or not isinstance(values, Sequence) or len(values) == 0:
        raise ValueError(f"{name} must be a non-empty list of names from "
                         f"{', '.join(map(repr, options))}, got {values!r}")
    return tuple(check.one_of(f"{name}[{i}]", v, options) for i, v in enumerate(values))


def _classification_data(X: Any, y: Any) -> tuple[np.ndarray, np.ndarray]:
    """X (m, d) finite floats and y (m,) integer labels >= 0; None for both: probe_data()."""
    if X is None and y is None:
        return probe_data()
    if X is None or y is None:
        raise ValueError("X and y must be given together (or both left out for probe_data())")
    try:
        X = np.asarray(X, dtype=np.float64)
    except (TypeError, ValueError):
        raise ValueError(f"X must be an array of numbers, got {type(X).__name__}") from None
    if X.ndim != 2 or X.shape[0] < 1 or X.shape[1] < 1:
        raise ValueError(f"X must have shape (m, d) with m, d >= 1, got shape {X.shape}")
    if not np.isfinite(X).all():
        raise ValueError("X must be finite: it contains NaN or inf")
    y = np.asarray(y)
    if y.shape != (X.shape[0],) or not np.issubdtype(y.dtype, np.integer):
        raise ValueError(f"y must hold one integer class label per row of X, shape "
                         f"({X.shape[0]},), got shape {y.shape} and dtype {y.dtype}")
    if y.min() < 0:
        raise ValueError(f"y must hold class labels >= 0, got {y.min()}")
    return X, y


# ---------------------------------------------------------------------------------------------
# per-layer gradient norms of an MLP at initialization
# ---------------------------------------------------------------------------------------------
def probe_data(n: int = 256, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """The first n rows of the digits training set (64 pixels in [0, 1], labels 0-9).

    A fixed, real batch on which to measure gradients at initialization; seeded split.
    """
    n = check.integer("n", n, 10, 1347)
    seed = check.integer("seed", seed, 0)
    split = gdata.digits(seed=seed)
    return split.X_train[:n].copy(), split.y_train[:n].copy()


def _network(depth: int, width: int, activation: str, init: str, init_scale: float, seed: int,
             d: int, k: int) -> MLP:
    return MLP([d] + [width] * depth + [k], activation=activation, output="softmax", init=init,
               seed=seed, init_scale=init_scale)


def _norms(net: MLP, X: np.ndarray, y: np.ndarray) -> np.ndarray:
    """||dL/dW_l||_F for each layer; a layer whose gradient overflowed reports inf."""
    with np.errstate(all="ignore"):
        out = np.asarray(net.layer_gradient_norms(X, y), dtype=np.float64)
    out[~np.isfinite(out)] = math.inf         # nan (inf - inf inside an overflow) also means inf
    return out


def layer_gradient_norms(depth: int, width: int = 64, activation: str = "relu", init: str = "he",
                         init_scale: float = 1.0, seed: int = 0, X: ArrayLike | None = None,
                         y: ArrayLike | None = None, *, seeds: int = 1) -> np.ndarray:
    """||dL/dW_l|| (Frobenius) for l = 1 .. depth + 1 of a freshly initialized MLP.

        sizes = [d, width x depth, classes],  softmax + cross-entropy on (X, y)
        returned[l - 1] = || dL/dW_l ||,  l = 1 (input side) ... depth + 1 (output layer)

    ``depth`` counts hidden layers. init is "he", "xavier" or "normal" (std 1), each std times
    ``init_scale``. With ``seeds`` > 1 the norms are averaged (arithmetic mean) over the
    networks with seeds seed, seed + 1, ... A layer whose gradient overflowed reports inf.
    X, y default to ``probe_data()`` (256 digits).
    """
    depth = check.integer("depth", depth, 1, MAX_DEPTH)
    width = check.integer("width", width, 1, 1024)
    activation = check.one_of("activation", activation, ACTIVATIONS)
    init = check.one_of("init", init, INITS)
    init_scale = _init_scale(init_scale)
    seed = check.integer("seed", seed, 0)
    seeds = check.integer("seeds", seeds, 1, 100)
    X, y = _classification_data(X, y)
    return _layer_norms(depth, width, activation, init, init_scale, seed, seeds, X, y)


def _layer_norms(depth: int, width: int, activation: str, init: str, init_scale: float,
                 seed: int, seeds: int, X: np.ndarray, y: np.ndarray) -> np.ndarray:
    k = max(int(y.max()) + 1, 2)
    total = np.zeros(depth + 1)
    with _one_blas_thread():
        for s in range(seed, seed + seeds):
            total += _norms(_network(depth, width, activation, init, init_scale, s, X.shape[1], k),
                            X, y)
    return total / seeds


def diagnose(norms: ArrayLike) -> str:
    """One line about per-layer gradient norms (first entry: the input-side layer).

        ratio = norms[0] / norms[-1]
        ratio < VANISHING (1e-2)      -> "vanishing: ..."
        ratio > EXPLODING (1e2) or some norm > EXPLODING, or inf -> "exploding: ..."
        every norm < 1 / EXPLODING    -> "vanishing everywhere: ..."
        otherwise                     -> "healthy: ..."
    """
    try:
        g = np.asarray(norms, dtype=np.float64)
    except (TypeError, ValueError):
        raise ValueError(f"norms must be an array of numbers, got {type(norms).__name__}") from None
    if g.ndim != 1 or g.size < 2 or np.isnan(g).any() or (g < 0).any():
        raise ValueError(f"norms must be a 1-D array of at least 2 norms >= 0, got {norms!r}")
    first, last = float(g[0]), float(g[-1])
    if not np.isfinite(g).all():
        return "exploding: a gradient overflowed to inf"
    if last == 0.0:
        return "vanishing everywhere: the last layer's gradient is exactly 0" if first == 0 \
            else "exploding: the last layer's gradient is 0 but the first layer's is not"
    ratio = first / last
    if ratio < VANISHING:
        return (f"vanishing: the first layer gets {ratio:.1e} times the last layer's gradient "
                f"(about {1 / ratio:.0e} times less)" if ratio > 0 else
                "vanishing: the first layer's gradient is exactly 0")
    if ratio > EXPLODING:
        return f"exploding: the first layer gets {ratio:.1e} times the last layer's gradient"
    if g.max() > EXPLODING:
        return f"exploding: every layer's gradient is huge (largest {g.max():.1e})"
    if g.max() < 1.0 / EXPLODING:
        return f"vanishing everywhere: every layer's gradient is tiny (largest {g.max():.1e})"
    return f"healthy: first / last = {ratio:.2g}"


class GradientNormTable(NamedTuple):
    """Gradient norms at initialization against depth, one row per (activation, init).

    ``first[r, j]`` = ||dL/dW_1|| (input-side layer) and ``last[r, j]`` = ||dL/dW_{D+1}||
    (output layer) for the network of row r and depth ``depths[j]``; inf where it overflowed.
    """
    depths: np.ndarray
    rows: tuple[tuple[str, str], ...]
    first: np.ndarray
    last: np.ndarray

    @property
    def labels(self) -> list[str]:
        """Row labels such as "sigmoid, xavier"."""
        return [f"{a}, {i}" for a, i in self.rows]

    @property
    def ratio(self) -> np.ndarray:
        """first / last: below 1e-2 the first layer is starved (vanishing)."""
        with np.errstate(all="ignore"):
            return self.first / self.last


def gradient_norm_table(depths: Sequence[int], activations: Sequence[str], inits: Sequence[str],
                        *, width: int = 64, init_scale: float = 1.0, seed: int = 0, seeds: int = 1,
                        X: ArrayLike | None = None, y: ArrayLike | None = None
                        ) -> GradientNormTable:
    """``layer_gradient_norms`` for every depth and every (activation, init) pair.

        rows = [(a, i) for a in activations for i in inits]
        first[r, j], last[r, j] = norms[0], norms[-1] of layer_gradient_norms(depths[j], row r)
    """
    if isinstance(depths, (str, bytes)) or not isinstance(depths, (Sequence, np.ndarray)) \
            or len(depths) == 0:
        raise ValueError(f"depths must be a non-empty list of integers in [1, {MAX_DEPTH}], "
                         f"got {depths!r}")
    ds = np.array([check.integer(f"depths[{j}]", d, 1, MAX_DEPTH) for j, d in enumerate(depths)])
    acts = _names("activations", activations, tuple(ACTIVATIONS))
    names = _names("inits", inits, tuple(INITS))
    width = check.integer("width", width, 1, 1024)
    init_scale = _init_scale(init_scale)
    seed, seeds = check.integer("seed", seed, 0), check.integer("seeds", seeds, 1, 100)
    X, y = _classification_data(X, y)
    rows = tuple((a, i) for a in acts for i in names)
    first = np.empty((len(rows), ds.size))
    last = np.empty_like(first)
    for r, (a, i) in enumerate(rows):
        for j, d in enumerate(ds):
            g = _layer_norms(int(d), width, a, i, init_scale, seed, seeds, X, y)
            first[r, j], last[r, j] = g[0], g[-1]
    return GradientNormTable(ds, rows, first, last)


# ---------------------------------------------------------------------------------------------
# a toy deep chain: the product of Jacobians with and without residual connections
# ---------------------------------------------------------------------------------------------
def _chain_activation(name: str) -> tuple[Callable, Callable]:
    if name == "linear":
        return (lambda z: z), (lambda z, a: np.ones_like(z))
    act = ACTIVATIONS[name]
    return act.f, act.df


def chain_weights(depth: int, width: int, init_scale: float = 1.0, seed: int = 0) -> np.ndarray:
    """depth square matrices W_l ~ N(0, init_scale^2 / width), shape (depth, width, width).

    init_scale = 1 is Xavier for square layers (2 / (n + n) = 1 / n); sqrt(2) is He.
    """
    depth = check.integer("depth", depth, 1, 500)
    width = check.integer("width", width, 1, 512)
    init_scale = _init_scale(init_scale)
    seed = check.integer("seed", seed, 0)
    rng = np.random.default_rng(seed)
    return rng.normal(0.0, init_scale / math.sqrt(width), (depth, width, width))


def _check_chain(x: Any, weights: Any, activation: Any) -> tuple[np.ndarray, np.ndarray, str]:
    try:
        Ws = np.asarray(weights, dtype=np.float64)
        h = np.asarray(x, dtype=np.float64)
    except (TypeError, ValueError):
        raise ValueError("x and weights must be arrays of numbers") from None
    if Ws.ndim != 3 or Ws.shape[1] != Ws.shape[2] or Ws.shape[0] < 1 or not np.isfinite(Ws).all():
        raise ValueError(f"weights must be a finite array of shape (depth, n, n), got shape "
                         f"{Ws.shape}")
    if h.shape != (Ws.shape[1],) or not np.isfinite(h).all():
        raise ValueError(f"x must be a finite vector of shape ({Ws.shape[1]},), got shape {h.shape}")
    return h, Ws, check.one_of("activation", activation, CHAIN_ACTIVATIONS)


def _layer_norm(z: np.ndarray) -> tuple[np.ndarray, float]:
    """zhat = (z - mean z) / std z  (layer normalization without learned gain or shift)."""
    centered = z - z.mean()
    sd = math.sqrt(float(np.vdot(centered, centered)) / z.size)
    return centered / sd, sd


def chain_forward(x: ArrayLike, weights: ArrayLike, activation: str = "tanh", *,
                  residual: bool = False, normalize: bool = False) -> np.ndarray:
    """Hidden states h_0 = x, h_1, ..., h_L of a deep chain of square layers; shape (L + 1, n).

        plain       h_{l+1} = f(W_l h_l)
        normalize   h_{l+1} = f(LN(W_l h_l)),   LN(z) = (z - mean z) / std z   (over the n units)
        residual    h_{l+1} = h_l + (the above)                                  (skip connection)
    """
    h, Ws, activation = _check_chain(x, weights, activation)
    f, _ = _chain_activation(activation)
    out = [h]
    with np.errstate(all="ignore"):
        for W in Ws:
            z = W @ h
            if normalize:
                z = _layer_norm(z)[0]
            h = h + f(z) if residual else f(z)
            out.append(h)
    return np.array(out)


def jacobian_gains(depth: int, width: int = 64, activation: str = "tanh", *,
                   residual: bool = False, normalize: bool = False, init_scale: float = 1.0,
                   seed: int = 0) -> np.ndarray:
    """How much a gradient at the top of a deep chain is scaled on its way down to layer l.

        J_l = dh_{l+1}/dh_l = [I if residual] + diag(f'(.)) N_l W_l
              N_l = I (plain) or the Jacobian of LN: (I - 11^T/n - zhat zhat^T/n) / std(W_l h_l)
        gains[l] = || J_{L-1} ... J_l ||_F / sqrt(n),   l = 0 .. L   (gains[L] = 1)

    For the gradient g = dLoss/dh_L, dLoss/dh_l = (J_{L-1} ... J_l)^T g; the gain is the root-mean-
    square factor by which it is scaled (the RMS singular value). Weights from
    ``chain_weights(depth, width, init_scale, seed)``, input x ~ N(0, I) from the same seed.
    A product that overflows reports inf.
    """
    activation = check.one_of("activation", activation, CHAIN_ACTIVATIONS)
    Ws = chain_weights(depth, width, init_scale, seed)
    x = np.random.default_rng(seed + 1).standard_normal(width)
    hs = chain_forward(x, Ws, activation, residual=bool(residual), normalize=bool(normalize))
    f, df = _chain_activation(activation)
    n = width
    eye = np.eye(n)
    gains = np.ones(depth + 1)
    P = eye                                    # J_{L-1} ... J_{l}, built from the top down
    with np.errstate(all="ignore"), _one_blas_thread():
        for l in range(depth - 1, -1, -1):
            W, h = Ws[l], hs[l]
            z = W @ h
            if normalize:                      # d LN(z)/dz = (I - 11^T/n - zhat zhat^T/n) / std
                zhat, sd = _layer_norm(z)
                N = (eye - 1.0 / n - np.outer(zhat, zhat) / n) / sd
                z, local = zhat, N @ W
            else:
                local = W
            J = df(z, f(z))[:, None] * local   # diag(f'(z)) N W
            if residual:
                J = J + eye                    # d(h + branch)/dh = I + d branch/dh
            P = P @ J
            gains[l] = math.sqrt(float(np.vdot(P, P)) / n)
    gains[~np.isfinite(gains)] = math.inf
    return gains


# ---------------------------------------------------------------------------------------------
# sharpness along full-batch gradient descent
# ---------------------------------------------------------------------------------------------
class SharpnessRun(NamedTuple):
    """One full-batch gradient-descent run at learning rate ``lr``.

    ``losses[t]`` is L(theta_t) for t = 0 .. (steps or the step it diverged);
    ``sharpness[i]`` is the top Hessian eigenvalue at step ``measured_at[i]`` (every ``every``
    steps, from t = 0); ``threshold`` = 2 / lr, the stability limit of gradient descent on a
    quadratic; ``status`` is "finished" or "diverged".
    """
    lr: float
    measured_at: np.ndarray
    sharpness: np.ndarray
    losses: np.ndarray
    status: str

    @property
    def threshold(self) -> float:
        """2 / lr: gradient descent on a quadratic is stable only while lambda_max < 2 / lr."""
        return 2.0 / self.lr


def _check_model(model: Any, name: str = "model_factory must return") -> Any:
    for attr in ("loss_and_gradient", "sharpness", "hvp", "params", "n_params"):
        if not hasattr(model, attr):
            raise ValueError(f"{name} an MLP (with loss_and_gradient, hvp, sharpness and "
                             f"params), got {type(model).__name__} without {attr}")
    return model


def sharpness_trace(model_factory: Callable[[], MLP], X: ArrayLike, y: ArrayLike,
                    lrs: Sequence[float], steps: int, every: int = 10) -> tuple[SharpnessRun, ...]:
    """Full-batch gradient descent from the same initialization for each learning rate,
    measuring the sharpness (top Hessian eigenvalue, ``MLP.sharpness``) every ``every`` steps.

        theta_{t+1} = theta_t - lr * grad L(theta_t)          t = 0 .. steps - 1
        sharpness_t = lambda_max(hessian of L at theta_t)     t = 0, every, 2 every, ...

    ``model_factory()`` must return a fresh network (the same one on every call). A run whose
    loss or parameters stop being finite ends there with status "diverged" (the last finite
    parameters are kept in the network; nothing non-finite is recorded).
    """
    if not callable(model_factory):
        raise ValueError(f"model_factory must be a function returning a fresh MLP, got "
                         f"{type(model_factory).__name__}")
    if isinstance(lrs, (str, bytes)) or not isinstance(lrs, (Sequence, np.ndarray)) or len(lrs) == 0:
        raise ValueError(f"lrs must be a non-empty list of learning rates > 0, got {lrs!r}")
    rates = [check.positive(f"lrs[{i}]", lr) for i, lr in enumerate(lrs)]
    steps = check.integer("steps", steps, 1, 100_000)
    every = check.integer("every", every, 1, steps)
    runs = []
    for lr in rates:
        net = _check_model(model_factory())
        # validate the data once per run through the network's own checks
        net.loss(X, y)
        with _one_blas_thread():
            runs.append(_descend_measuring(net, X, y, lr, steps, every))
    return tuple(runs)


def _descend_measuring(net: MLP, X: Any, y: Any, lr: float, steps: int, every: int
                       ) -> SharpnessRun:
    theta = net.params                         # the live parameter vector
    losses: list[float] = []
    at: list[int] = []
    sharp: list[float] = []
    status = "finished"
    for t in range(steps + 1):
        loss, g = net.loss_and_gradient(X, y)
        if not (math.isfinite(loss) and np.isfinite(g).all()):
            status = "diverged"
            break
        losses.append(loss)
        if t % every == 0:
            at.append(t)
            sharp.append(net.sharpness(X, y))
        if t == steps:
            break
        previous = theta.copy()
        with np.errstate(all="ignore"):
            theta -= lr * g                    # theta <- theta - lr * grad L(theta)
        if not np.isfinite(theta).all():
            theta[...] = previous
            status = "diverged"
            break
    return SharpnessRun(lr, np.array(at, dtype=int), np.array(sharp), np.array(losses), status)


def full_hessian(model: MLP, X: ArrayLike, y: ArrayLike) -> np.ndarray:
    """The whole Hessian of ``model.loss(X, y)``, column by column from Hessian-vector products.

        H[:, j] = model.hvp(X, y, e_j),   then symmetrized: (H + H^T) / 2

    n_params products and 8 n_params^2 bytes: for small networks only (at most 5000 parameters),
    to check ``model.sharpness`` against ``numpy.linalg.eigvalsh``.
    """
    _check_model(model, "model must be")
    n = int(model.n_params)
    if n > 5000:
        raise ValueError(f"model must have at most 5000 parameters for a full Hessian, got {n}; "
                         f"use model.sharpness or model.hvp instead")
    model.loss(X, y)                           # the network's own input checks, once
    H = np.empty((n, n))
    e = np.zeros(n)
    with _one_blas_thread():
        for j in range(n):
            e[j] = 1.0
            H[:, j] = model.hvp(X, y, e)
            e[j] = 0.0
    return 0.5 * (H + H.T)


# ---------------------------------------------------------------------------------------------
# the explorer's frame: settings -> Frame (drawn by gradlib.widgets.canvas)
# ---------------------------------------------------------------------------------------------
#: The explorer's figure size (inches at 100 dpi).
FIGSIZE = (7.0, 3.8)
#: Margins of the chart panel in scene pixels: left (tick labels and the y label), top (the
#: title), right, bottom (tick labels and the x label).
_MARGINS = (80.0, 34.0, 16.0, 52.0)
#: canvas.js draws a panel's legend in its top right corner: 6 px from the top, 3 px padding,
#: one row of 14 px per entry. The chart's top leaves room for it above the data.
_LEGEND_TOP, _LEGEND_ROW = 6.0 + 6.0 + 4.0, 14.0
#: Labels of the explorer's marks (its tests and the notebook refer to them).
NORM_LABEL = "‖∂L/∂W_l‖ of layer l"
OUTPUT_LABEL = "output layer's norm"
THRESHOLD_LABEL = "its ×100 and ×0.01 (thresholds)"
OVERFLOW_LABEL = "overflowed to inf"
SWEEP_LABEL = "the backward pass at layer l"
#: The mark of the layer the backward pass has reached (as the other explorers' current point).
_CURRENT = {"marker": "o", "size": 10, "fill": "#ffd92f", "edge": "#000000", "label": NORM_LABEL}


@dataclass(frozen=True)
class GradientFlowSettings:
    """The gradient-flow explorer's settings: ``depth`` hidden layers of ``width`` units, the
    ``activation`` and ``init`` (names of gradlib.mlp), ``init_scale`` (the factor on the initial
    standard deviation), the network's ``seed``, ``seeds`` (networks averaged, arithmetic mean)
    and the picture's ``figsize`` (inches at 100 dpi: it sets the chart's pixel box)."""

    depth: int = 10
    width: int = 64
    activation: str = "sigmoid"
    init: str = "xavier"
    init_scale: float = 1.0
    seed: int = 0
    seeds: int = 1
    figsize: tuple[float, float] = FIGSIZE

    def checked(self) -> GradientFlowSettings:
        """The same settings, validated (ValueError naming the field) and in canonical types."""
        return _checked(self)


def _checked(settings: Any) -> GradientFlowSettings:
    if not isinstance(settings, GradientFlowSettings):
        raise ValueError(f"settings must be a GradientFlowSettings, got {type(settings).__name__}")
    s = settings
    fig = s.figsize
    if not (isinstance(fig, tuple) and len(fig) == 2 and all(check.is_real(v) for v in fig)
            and all(3.0 <= v <= 20.0 for v in fig)):
        raise ValueError(f"figsize must be a pair of numbers in [3, 20] (inches), got {fig!r}")
    return GradientFlowSettings(
        check.integer("depth", s.depth, 1, MAX_DEPTH), check.integer("width", s.width, 1, 1024),
        check.one_of("activation", s.activation, ACTIVATIONS), check.one_of("init", s.init, INITS),
        _init_scale(s.init_scale), check.integer("seed", s.seed, 0),
        check.integer("seeds", s.seeds, 1, 100), (float(fig[0]), float(fig[1])))


def gradient_flow_norms(settings: GradientFlowSettings, X: ArrayLike | None = None,
                        y: ArrayLike | None = None) -> np.ndarray:
    """``layer_gradient_norms`` for the settings (on ``probe_data()`` unless X, y are given):
    ||dL/dW_l|| for l = 1 (input side) .. depth + 1 (output layer), inf where it overflowed."""
    s = _checked(settings)
    return layer_gradient_norms(s.depth, s.width, s.activation, s.init, s.init_scale, s.seed,
                                X, y, seeds=s.seeds)


def _check_norms(norms: Any, depth: int) -> np.ndarray:
    try:
        g = np.array(norms, dtype=np.float64)
    except (TypeError, ValueError):
        raise ValueError(f"norms must be an array of numbers, got {type(norms).__name__}") from None
    if g.shape != (depth + 1,) or np.isnan(g).any() or (g < 0).any():
        raise ValueError(f"norms must hold depth + 1 = {depth + 1} gradient norms >= 0 (inf for "
                         f"an overflow, never NaN), got shape {g.shape}")
    return g


def gradient_flow_status(settings: GradientFlowSettings, norms: ArrayLike) -> str:
    """The explorer's status line: ``diagnose(norms)``, then the first and output layers' norms
    and, if any layer overflowed, how many (the frame marks them at the top of the chart)."""
    s = _checked(settings)
    g = _check_norms(norms, s.depth)
    text = f"{diagnose(g)}; first layer {g[0]:.1e}, output layer {g[-1]:.1e}"
    over = int(np.count_nonzero(~np.isfinite(g)))
    if over:
        text += (f"; {over} of {g.size} layers overflowed to inf (near-black triangles at the "
                 f"top of the chart)")
    return text


def _panel_box(figsize: tuple[float, float], dpi: float = 100.0) -> tuple[float, float, float, float]:
    """The chart's (x, y, width, height) in scene pixels from the top left."""
    w, h = figsize[0] * dpi, figsize[1] * dpi
    left, top, right, bottom = _MARGINS
    return (left, top, w - left - right, h - top - bottom)


def _integer_xlim(n_layers: int) -> tuple[float, float]:
    """x limits [0.4, L + 0.6] around layers 1 .. L, widened on the right where the page's
    ticks (canvas.js niceTicks: 4 intervals of 1, 2, 2.5 or 5 times a power of 10) would fall
    on half layers (a step of 2.5)."""
    lo, hi = 0.4, n_layers + 0.6
    raw = (hi - lo) / 4.0
    mag = 10.0 ** math.floor(math.log10(raw))
    if 2.0 < raw / mag <= 2.5 and mag == 1.0:
        hi = lo + 4.0 * 2.6                      # a step of 5 layers instead
    return lo, hi


def gradient_flow_frame(settings: GradientFlowSettings, norms: ArrayLike | None = None) -> Any:
    """What the gradient-flow explorer draws (a ``gradlib.scene.Frame``) on the chart "norms"
    of ``gradient_flow_scene``, with g = ``norms`` (default ``gradient_flow_norms(settings)``),
    g[l - 1] = ||dL/dW_l||, layers l = 1 (input side) .. L = depth + 1 (output layer):

        profile    g_1 .. g_L as a wide pale line ("all")
        sweep      the backward pass: g_L, g_{L-1}, ..., g_1 joined by a line, revealed one
                   layer per Play step (step t reaches layer L - t; n_steps = depth), and the
                   layer it has reached ("at") with a caption (``sweep_caption``: g_l and
                   g_l / g_{l+1}) at the chart's top left
        output     the output layer's norm g_L (dotted) and g_L x 100, g_L / 100 (dashed): the
                   thresholds of ``diagnose`` for the first layer's norm (exploding above the
                   upper one, vanishing below the lower one)
        overflow   near-black triangles, above every finite norm, for layers whose gradient
                   overflowed (inf: no place on a log axis), revealed as the sweep reaches them

    A norm of exactly 0 stands on the floor. The y range spans every finite positive norm and
    the thresholds (and at least 1e-3 .. 1), in whole decades, with a band at the top kept free
    for the page's legend and the caption. Status: ``gradient_flow_status``; kind "info".
    """
    from .scene import Frame, Layer

    s = _checked(settings)
    g = gradient_flow_norms(s) if norms is None else _check_norms(norms, s.depth)
    n_layers = s.depth + 1
    layer_x = np.arange(1, n_layers + 1, dtype=float)
    finite = np.isfinite(g)
    last = float(g[-1])
    reference = math.isfinite(last) and last > 0
    shown = [float(v) for v in g[finite & (g > 0)]]
    if reference:
        shown += [last * 1e-2, last * 1e2]
    floor = math.floor(math.log10(min(min(shown, default=1e-3), 1e-3) / 3.0))
    top_data = math.log10(max(max(shown, default=1.0), 1.0) * 3.0)
    entries = 1 + 2 * reference + bool((~finite).any())
    _, _, box_w, box_h = _panel_box(s.figsize)
    f = min((_LEGEND_TOP + _LEGEND_ROW * entries) / box_h, 0.5)
    top = math.ceil(top_data + (top_data - floor) * f / (1.0 - f) - 1e-9)
    y_floor, y_over = 10.0 ** floor, 10.0 ** top_data
    y = np.where(finite, np.where(g > 0, g, y_floor), y_over)
    xlim = _integer_xlim(n_layers)
    nan2 = [math.nan, math.nan]

    order = np.arange(n_layers - 1, -1, -1)                 # the backward pass: output layer first
    profile = np.column_stack([layer_x, np.where(finite, y, math.nan)])
    sweep = profile[order]
    current = np.column_stack([layer_x[order], y[order]])
    layers = [
        Layer("norms", profile, "line", "all",
              {"color": _light(ACTIVATION_COLORS[s.activation]), "width": 5, "label": NORM_LABEL}),
        Layer("norms", sweep, "line", "upto", {"color": ACTIVATION_COLORS[s.activation],
                                               "width": 1.6, "marker": "o", "size": 6,
                                               "label": NORM_LABEL}),
    ]
    if reference:
        layers += [
            Layer("norms", [[xlim[0], last], [xlim[1], last]], "line", "all",
                  {"color": "#000000", "width": 1.0, "dash": [2, 3], "label": OUTPUT_LABEL}),
            Layer("norms", [[xlim[0], last * 1e-2], [xlim[1], last * 1e-2], nan2,
                            [xlim[0], last * 1e2], [xlim[1], last * 1e2]], "line", "all",
                  {"color": "#666666", "width": 1.0, "dash": [6, 4], "label": THRESHOLD_LABEL}),
        ]
    if (~finite).any():
        over = np.where(finite[order][:, None], math.nan,
                        np.column_stack([layer_x[order], np.full(n_layers, y_over)]))
        layers.append(Layer("norms", over, "points", "upto",
                            {"marker": "^", "size": 11, "fill": OVERFLOW_COLOR, "edge": "#ffffff",
                             "label": OVERFLOW_LABEL}))
    layers.append(Layer("norms", current, "points", "at", _CURRENT))
    # the caption sits in the band above the data that the legend's rows keep free (top left)
    caption_y = 10.0 ** (top - (_LEGEND_TOP + 4.0) / box_h * (top - floor))
    caption_x = xlim[0] + 8.0 * (xlim[1] - xlim[0]) / box_w
    layers.append(Layer("norms", [[caption_x, caption_y]] * n_layers, "text", "at",
                        {"color": "#111111", "size": 11, "align": "left", "box": "#ffffff",
                         "label": SWEEP_LABEL},
                        texts=[sweep_caption(g, int(l)) for l in layer_x[order]]))
    word = diagnose(g).split(":")[0]
    charts = {"norms": {"ylog": True, "xlim": [xlim[0], xlim[1]],
                        "ylim": [y_floor, 10.0 ** top],
                        "title": f"{s.activation}, init {s.init} × {s.init_scale:.3g}, "
                                 f"depth {s.depth}: {word}"}}
    return Frame(tuple(layers), s.depth, gradient_flow_status(s, g), "info", charts)


def _light(color: str, amount: float = 0.4) -> str:
    """``color`` (#rrggbb) mixed with white: amount of the colour, 1 - amount of white (the
    profile behind the backward pass; an opaque colour, so page and snapshot agree)."""
    rgb = [int(color[i:i + 2], 16) for i in (1, 3, 5)]
    return "#" + "".join(f"{round(255 - amount * (255 - c)):02x}" for c in rgb)


def sweep_caption(norms: ArrayLike, layer: int) -> str:
    """The caption of the backward pass at ``layer`` (1-based; the output layer is
    len(norms)): its norm g_l and g_l / g_{l+1}, the factor by which the weight gradient's
    norm changed from the layer above (not the backward gain of one layer: dL/dW_l also
    carries that layer's input activations)."""
    g = np.asarray(norms, dtype=np.float64)
    l = check.integer("layer", layer, 1, g.size)
    v = float(g[l - 1])
    if l == g.size:
        return f"the backward pass starts at the output layer {l}: {v:.1e}"
    head = f"layer {l}"
    if not math.isfinite(v):
        return f"{head}: overflowed to inf"
    above = float(g[l])
    if math.isfinite(above) and above > 0:
        return f"{head}: {v:.1e} = {v / above:.2g} × layer {l + 1}'s"
    return f"{head}: {v:.1e}"


@lru_cache(maxsize=8)
def gradient_flow_scene(figsize: tuple[float, float] = FIGSIZE, dpi: int = 100) -> Any:
    """The explorer's static layer: one chart panel "norms" (the page draws its axes, log y) and
    the y axis's label, rendered once by matplotlib."""
    from matplotlib.figure import Figure

    from .scene import Panel, scene_from_figure

    fig = Figure(figsize=figsize, dpi=dpi)
    w, h = figsize[0] * dpi, figsize[1] * dpi
    box = _panel_box(figsize, dpi)
    fig.text(14.0 / w, 1.0 - (box[1] + box[3] / 2) / h, "‖∂L/∂W_l‖ at initialization (log scale)",
             rotation=90, ha="center", va="center", fontsize=9)
    panel = Panel("norms", "chart", box, xlabel="layer l (1 = input side, last = output layer)")
    alt = ("The gradient norm ‖∂L/∂W_l‖ of every layer of a freshly initialized network on a log "
           "scale, from the input side (left) to the output layer (right).")
    return scene_from_figure(fig, {}, [panel], alt)
