"""Training in practice: measurements that answer "which learning rate? which batch size? what
changes with many workers?" for a gradlib.mlp network.

    lr_range_test(net, X, y, lr_min, lr_max, steps)     loss while lr grows geometrically
    per_example_gradients(net, X, y)                    the N per-example gradients g_i
    gradient_noise_scale(net, X, y)                     B_noise = tr(Σ) / |G|²
    minibatch_gradient_variance(net, X, y, B)           E|g_B - G|², measured by sampling
    predicted_minibatch_variance(trace_sigma, N, B)     tr(Σ)/B · (N - B)/(N - 1)
    data_parallel_gradient(net, X, y, workers)          K shards' gradients, averaged (all-reduce)
    data_parallel_sgd(net, X, y, optimizer, workers, batch_per_worker, steps, sync_every)
                                                        synchronous data parallelism (sync_every=1)
                                                        or local SGD (average every H steps)

Conventions: a network's loss is the mean over its rows, so the gradient of a batch is the mean
of its per-example gradients g_i; G is the full-data gradient (the mean of all N of them) and
Σ = (1/N) Σ_i (g_i - G)(g_i - G)ᵀ their covariance. Nothing here changes the network passed in:
every function trains or evaluates a copy.
"""
from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any, NamedTuple

import numpy as np

from . import _checks as check
from .mlp import MLP

__all__ = ["RangeTest", "lr_range_test", "per_example_gradients", "NoiseScale",
           "gradient_noise_scale", "minibatch_gradient_variance", "predicted_minibatch_variance",
           "data_parallel_gradient", "ParallelRun", "data_parallel_sgd", "Curves", "loss_curves",
           "initial_losses"]


def _check_net(net: Any) -> MLP:
    if not isinstance(net, MLP):
        raise ValueError(f"net must be a gradlib.mlp.MLP, got {type(net).__name__}")
    return net


def _check_data(net: MLP, X: Any, y: Any) -> tuple[np.ndarray, np.ndarray]:
    X = net._check_X(X)
    return X, net._check_y(y, X.shape[0])


def _check_batch(name: str, batch_size: Any, m: int) -> int:
    if not check.is_integer(batch_size) or not 1 <= batch_size <= m:
        raise ValueError(f"{name} must be an integer in [1, {m}] (the number of rows of X), "
                         f"got {batch_size!r}")
    return int(batch_size)


class _Batches:
    """Minibatches of a seeded, reshuffled-every-epoch stream of row indices (as MLP.fit)."""

    def __init__(self, m: int, size: int, seed: int) -> None:
        self.m, self.size, self.rng = m, size, np.random.default_rng(seed)
        self.order, self.pos = np.arange(m), m

    def next(self) -> np.ndarray:
        if self.size == self.m:
            return self.order
        if self.pos + self.size > self.m:          # a new epoch: reshuffle (the tail is dropped)
            self.order, self.pos = self.rng.permutation(self.m), 0
        rows = self.order[self.pos:self.pos + self.size]
        self.pos += self.size
        return rows


# ============================================================================ range test
class RangeTest(NamedTuple):
    """One learning-rate range test. ``lrs[t]`` is the rate of step t and ``losses[t]`` the
    minibatch loss just before it; ``smoothed`` their bias-corrected moving average.
    ``blowup_lr`` is the rate at which the smoothed loss first exceeded ``stop_factor`` times its
    lowest value (None if it never did); ``best_lr`` the rate at the lowest smoothed loss;
    ``suggested_lr`` = best_lr / 10, the usual pick (safely below the blow-up). ``snapshots``
    maps a step t to the parameters before it (every ``snapshot_every`` steps; empty if not asked),
    e.g. to measure the sharpness along the sweep."""
    lrs: np.ndarray
    losses: np.ndarray
    smoothed: np.ndarray
    blowup_lr: float | None
    best_lr: float
    suggested_lr: float
    status: str
    snapshots: dict[int, np.ndarray]


def lr_range_test(net: MLP, X: Any, y: Any, lr_min: float = 1e-4, lr_max: float = 10.0,
                  steps: int = 100, *, batch_size: int | None = None,
                  optimizer: Callable[[Any], Any] | None = None, smoothing: float = 0.9,
                  stop_factor: float = 4.0, seed: int = 0,
                  snapshot_every: int | None = None) -> RangeTest:
    """Train a copy of ``net`` for ``steps`` steps with lr_t = lr_min (lr_max/lr_min)^(t/(steps-1))
    and record the loss (Smith 2017, "Cyclical learning rates", the LR range test).

    The loss first falls faster as the rate grows, then stops improving, then blows up. Stops
    early (status "diverged") once the smoothed loss exceeds ``stop_factor`` x its minimum, or
    the loss stops being finite. ``optimizer`` is a constructor taking the learning rate
    (default ``optim.gd``); ``batch_size=None`` uses the full batch (then the blow-up is tied to
    2/λmax of the Hessian, as for gradient descent on a quadratic)."""
    from . import optim
    _check_net(net)
    X, y = _check_data(net, X, y)
    lr_min = check.positive("lr_min", lr_min)
    lr_max = check.positive("lr_max", lr_max)
    if not lr_max > lr_min:
        raise ValueError(f"lr_max must be greater than lr_min (a range test sweeps the rate "
                         f"upward), got lr_min={lr_min!r}, lr_max={lr_max!r}")
    steps = check.integer("steps", steps, lo=2)
    m = X.shape[0]
    batch = m if batch_size is None else _check_batch("batch_size", batch_size, m)
    check.real("smoothing", smoothing, "a number in [0, 1)", lambda v: 0.0 <= v < 1.0)
    check.real("stop_factor", stop_factor, "a number > 1", lambda v: v > 1.0)
    check.integer("seed", seed, lo=0)
    if snapshot_every is not None:
        check.integer("snapshot_every", snapshot_every, lo=1)
    make = optim.gd if optimizer is None else optimizer
    if not callable(make):
        raise ValueError(f"optimizer must be an optimizer constructor such as optim.momentum, "
                         f"got {type(make).__name__}")
    ratio = lr_max / lr_min

    def schedule(t: int) -> float:
        return lr_min * ratio ** (min(t, steps - 1) / (steps - 1))
    opt = make(schedule)

    work = net.copy()
    params = work.params.copy()
    state = opt.init(params)
    batches = _Batches(m, batch, seed)
    lrs, losses, smoothed = [], [], []
    avg, best, status, blowup = 0.0, math.inf, "finished", None
    snapshots: dict[int, np.ndarray] = {}
    for t in range(steps):
        if snapshot_every is not None and t % snapshot_every == 0:
            snapshots[t] = params.copy()
        rows = batches.next()
        work.params = params
        loss, grad = work.loss_and_gradient(X[rows], y[rows])
        if not math.isfinite(loss):
            status, blowup = "diverged", schedule(t)
            break
        avg = smoothing * avg + (1 - smoothing) * loss
        value = avg / (1 - smoothing ** (t + 1))                # bias-corrected, as Adam
        lrs.append(schedule(t)), losses.append(loss), smoothed.append(value)
        best = min(best, value)
        if value > stop_factor * best:
            status, blowup = "diverged", schedule(t)
            break
        params, state = opt.update(params, grad, state)
        if not np.all(np.isfinite(params)):
            status, blowup = "diverged", schedule(t)
            break
    smoothed_arr = np.array(smoothed)
    best_lr = float(lrs[int(np.argmin(smoothed_arr))])
    return RangeTest(np.array(lrs), np.array(losses), smoothed_arr, blowup, best_lr,
                     best_lr / 10.0, status, snapshots)


# ============================================================================ gradient noise
def per_example_gradients(net: MLP, X: Any, y: Any) -> np.ndarray:
    """(N, P): row i is the gradient of example i's loss alone; their mean is the full-batch
    gradient (the loss is a mean over rows)."""
    _check_net(net)
    X, y = _check_data(net, X, y)
    return np.stack([net.gradient(X[i:i + 1], y[i:i + 1]) for i in range(X.shape[0])])


class NoiseScale(NamedTuple):
    """|G|², tr(Σ) and McCandlish et al.'s (2018) simple noise scale B_noise = tr(Σ)/|G|²: the
    batch size at which a minibatch gradient's noise E|g_B - G|² ≈ tr(Σ)/B equals |G|²."""
    grad_norm_sq: float
    trace_sigma: float
    b_noise: float


def gradient_noise_scale(net: MLP, X: Any, y: Any) -> NoiseScale:
    """B_noise = tr(Σ)/|G|² from the exact per-example gradients (no estimation from batches).

    Below B_noise a minibatch step is mostly noise and doubling B nearly halves the steps
    needed; well above it, a bigger batch buys little. It changes during training (|G| shrinks)."""
    g = per_example_gradients(net, X, y)
    G = g.mean(axis=0)
    trace = float(np.mean(np.sum((g - G) ** 2, axis=1)))
    norm_sq = float(G @ G)
    return NoiseScale(norm_sq, trace, trace / norm_sq if norm_sq > 0 else math.inf)


def predicted_minibatch_variance(trace_sigma: float, n: int, batch_size: int) -> float:
    """E|g_B - G|² for a batch of B of the N rows drawn without replacement:
    tr(Σ)/B · (N - B)/(N - 1) (the finite-population correction: B = N gives exactly 0)."""
    n = check.integer("n", n, lo=1)
    batch_size = _check_batch("batch_size", batch_size, n)
    trace_sigma = check.nonnegative("trace_sigma", trace_sigma)
    return 0.0 if n == 1 else trace_sigma / batch_size * (n - batch_size) / (n - 1)


def minibatch_gradient_variance(net: MLP, X: Any, y: Any, batch_size: int, draws: int = 200,
                                seed: int = 0) -> float:
    """E|g_B - G|² measured: the mean over ``draws`` random batches (without replacement)."""
    _check_net(net)
    X, y = _check_data(net, X, y)
    batch_size = _check_batch("batch_size", batch_size, X.shape[0])
    draws = check.integer("draws", draws, lo=1)
    rng = np.random.default_rng(check.integer("seed", seed, lo=0))
    G = net.gradient(X, y)
    total = 0.0
    for _ in range(draws):
        rows = rng.choice(X.shape[0], size=batch_size, replace=False)
        d = net.gradient(X[rows], y[rows]) - G
        total += float(d @ d)
    return total / draws


# ============================================================================ many workers
def _shards(rows: np.ndarray, workers: int) -> list[np.ndarray]:
    return np.array_split(rows, workers)


def data_parallel_gradient(net: MLP, X: Any, y: Any, workers: int) -> tuple[float, np.ndarray]:
    """K workers each take a shard of the batch (X, y) and compute their shard's mean loss and
    gradient; the all-reduce averages them, weighted by shard size (equal shards: a plain mean).
    The result is the loss and gradient of the whole batch, up to rounding."""
    _check_net(net)
    X, y = _check_data(net, X, y)
    m = X.shape[0]
    if not check.is_integer(workers) or not 1 <= workers <= m:
        raise ValueError(f"workers must be an integer in [1, {m}]: each worker needs at least "
                         f"one row of the batch of {m}, got {workers!r}")
    loss, grad = 0.0, np.zeros(net.n_params)
    for shard in _shards(np.arange(m), int(workers)):           # each on its own machine
        shard_loss, shard_grad = net.loss_and_gradient(X[shard], y[shard])
        weight = shard.size / m
        loss += weight * shard_loss                              # the all-reduce
        grad += weight * shard_grad
    return loss, grad


class ParallelRun(NamedTuple):
    """``losses[r]``: the full training loss after communication round r (round 0 = the start);
    ``steps``: optimizer steps each worker took; ``rounds``: all-reduces (one per step when
    synchronous, one per ``sync_every`` steps for local SGD); ``status``: "finished" or
    "diverged"; ``params``: the averaged parameters at the end."""
    losses: np.ndarray
    steps: int
    rounds: int
    status: str
    params: np.ndarray


def data_parallel_sgd(net: MLP, X: Any, y: Any, optimizer: Any, workers: int,
                      batch_per_worker: int, steps: int, *, sync_every: int = 1,
                      seed: int = 0) -> ParallelRun:
    """Simulate K workers training one network on (X, y).

    sync_every=1 (synchronous data parallelism, what PyTorch DDP, Horovod and jax.pmap do): every
    step, each worker computes the gradient of its own B rows, the gradients are averaged (one
    all-reduce) and every worker applies the same update; exactly SGD with batch K·B.
    sync_every=H > 1 (local SGD): each worker takes H steps on its own batches with its own
    optimizer state, then the parameters are averaged (one all-reduce per H steps): H times less
    communication, at the price of workers drifting apart between averages."""
    _check_net(net)
    X, y = _check_data(net, X, y)
    m = X.shape[0]
    if not check.is_integer(workers) or workers < 1:
        raise ValueError(f"workers must be an integer >= 1, got {workers!r}")
    batch_per_worker = _check_batch("batch_per_worker", batch_per_worker, m)
    if workers * batch_per_worker > m:
        raise ValueError(f"workers x batch_per_worker must be at most the {m} rows of X (each "
                         f"step splits one batch of K·B distinct rows), got {workers} x "
                         f"{batch_per_worker} = {workers * batch_per_worker}")
    steps = check.integer("steps", steps, lo=1)
    sync_every = check.integer("sync_every", sync_every, lo=1)
    K, B = int(workers), batch_per_worker
    work = net.copy()
    full_loss = lambda p: _loss_at(work, p, X, y)  # noqa: E731
    params = work.params.copy()
    losses, status = [full_loss(params)], "finished"
    batches = _Batches(m, K * B, seed)
    if sync_every == 1:
        state = optimizer.init(params)
        for _ in range(steps):
            rows = batches.next()
            work.params = params
            _, grad = data_parallel_gradient(work, X[rows], y[rows], K)
            params, state = optimizer.update(params, grad, state)
            losses.append(full_loss(params))
            if not math.isfinite(losses[-1]):
                status = "diverged"
                break
        return ParallelRun(np.array(losses), len(losses) - 1, len(losses) - 1, status, params)
    local = [params.copy() for _ in range(K)]
    states = [optimizer.init(params) for _ in range(K)]
    done = 0
    while done < steps and status == "finished":
        for _ in range(min(sync_every, steps - done)):
            rows = batches.next()
            for k, shard in enumerate(_shards(rows, K)):         # worker k, its own rows
                work.params = local[k]
                _, grad = work.loss_and_gradient(X[shard], y[shard])
                local[k], states[k] = optimizer.update(local[k], grad, states[k])
            done += 1
        params = np.mean(local, axis=0)                          # the all-reduce of parameters
        local = [params.copy() for _ in range(K)]
        losses.append(full_loss(params))
        if not math.isfinite(losses[-1]):
            status = "diverged"
    return ParallelRun(np.array(losses), done, len(losses) - 1, status, params)


def _loss_at(net: MLP, params: np.ndarray, X: np.ndarray, y: np.ndarray) -> float:
    if not np.all(np.isfinite(params)):
        return math.inf
    net.params = params
    return net.loss(X, y)


# ============================================================================ loss curves
class Curves(NamedTuple):
    """Per-epoch training loss (running mean over the epoch's minibatches, as ``History.loss``)
    and validation loss (end of epoch) of one run; ``status`` and ``message`` from ``fit``."""
    train: np.ndarray
    val: np.ndarray
    status: str
    message: str


def _curves_setup(train_size: int, hidden: int, seed: int) -> tuple[MLP, Any, Any, Any, Any]:
    """The fresh network and the data of ``loss_curves``: (net, X, y, X_val, y_val)."""
    from . import data
    train_size = check.integer("train_size", train_size, lo=10, hi=1000)
    digits = data.digits(seed=0)
    X, y = digits.X_train[:train_size], digits.y_train[:train_size]
    Xv, yv = digits.X_train[1000:], digits.y_train[1000:]
    net = MLP([64, check.integer("hidden", hidden, lo=1), 10], activation="tanh", init="xavier",
              seed=check.integer("seed", seed, lo=0))
    return net, X, y, Xv, yv


def loss_curves(lr: float, batch_size: int = 32, l2: float = 0.0, *, epochs: int = 60,
                train_size: int = 300, hidden: int = 64, seed: int = 0) -> Curves:
    """Train a fresh 64-hidden-10 tanh network on ``train_size`` digits with plain SGD and
    return its training and validation curves (validation: 347 other training-split digits).
    The settings the curves explorer exposes: the rate, the batch size, the L2 strength."""
    from . import optim
    lr = check.positive("lr", lr)
    l2 = check.nonnegative("l2", l2)
    epochs = check.integer("epochs", epochs, lo=1)
    net, X, y, Xv, yv = _curves_setup(train_size, hidden, seed)
    batch_size = _check_batch("batch_size", batch_size, len(X))
    h = net.fit(X, y, optim.gd(lr), epochs=epochs, batch_size=batch_size, l2=l2, seed=seed,
                validation=(Xv, yv))
    return Curves(h.loss, h.val_loss, h.status, h.message)


def initial_losses(*, train_size: int = 300, hidden: int = 64,
                   seed: int = 0) -> tuple[float, float]:
    """(training loss, validation loss) of ``loss_curves``' network before its first update
    (epoch 0 of its curves; the same for every lr, batch size and L2: the penalty enters the
    gradient, not the reported loss)."""
    net, X, y, Xv, yv = _curves_setup(train_size, hidden, seed)
    return float(net.loss(X, y)), float(net.loss(Xv, yv))
