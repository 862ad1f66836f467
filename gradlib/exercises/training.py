"""Checks for the training notebook's exercises (notebook 09).

    check_training_loop(fit_minibatch)     shuffle, slice, gradient, opt.update: bit for bit as MLP.fit
    check_minibatch_noise(minibatch_noise) E||g_B - g||^2 = tr(Σ)/B · (N - B)/(N - 1) from the
                                           per-example gradients

The loop is checked against ``MLP.fit`` run from the same parameters with the same seed: the
per-step losses (``fit(..., record_steps=True).step_losses``) and the final parameters must be
EQUAL, not merely close, which they are when the loop does exactly what fit does. The noise
formula is checked against ``gradlib.practice.predicted_minibatch_variance``. When an answer is
wrong, the check runs the usual wrong versions alongside and names the one that gives exactly
the learner's numbers.
"""
from __future__ import annotations

import math
import re
from collections.abc import Callable
from typing import Any, NamedTuple

import numpy as np

from gradlib import data, optim, practice
from gradlib.exercises import Result, attempt, compare, first_failure
from gradlib.mlp import MLP

__all__ = ["check_training_loop", "check_minibatch_noise", "TrainCase", "train_cases",
           "training_loop_reference", "noise_cases", "minibatch_noise_reference"]


# -- the minibatch training loop ----------------------------------------------------------------
class TrainCase(NamedTuple):
    """One run of the loop: a network (its starting parameters), the data, the optimizer, the
    number of epochs, the batch size (always < N, so every epoch is shuffled) and the seed."""
    label: str
    net: MLP
    X: np.ndarray
    y: np.ndarray
    opt: Any
    epochs: int
    batch_size: int
    seed: int


def train_cases() -> list[TrainCase]:
    """The runs check_training_loop makes, in order: N = 50 rows of the moons, so the last
    minibatch of every epoch is a partial one (50 = 3·16 + 2 = 7·7 + 1); optimizers with state
    (Adam; momentum with a schedule), so a state reset shows."""
    X, y = data.moons(50, 0.2, seed=1)
    return [
        TrainCase("Adam, batch 16, 3 epochs", MLP([2, 8, 2], "relu", seed=3), X, y,
                  optim.adam(0.01), 3, 16, 5),
        TrainCase("momentum with lr(t) = 0.2/(1 + 0.05 t), batch 7, 3 epochs",
                  MLP([2, 6, 6, 2], "tanh", init="xavier", seed=4), X, y,
                  optim.momentum(optim.inverse_time_decay(0.2, 0.05)), 3, 7, 11),
    ]


class _Run(NamedTuple):
    step_losses: np.ndarray
    epoch_losses: np.ndarray
    params: np.ndarray


def training_loop_reference(net: MLP, X: np.ndarray, y: np.ndarray, opt: Any, epochs: int,
                            batch_size: int, seed: int, *, reshuffle: bool = True,
                            drop_last: bool = False, reset_state: bool = False,
                            shuffle_y: bool = True, loss_after_step: bool = False,
                            stale_gradient: bool = False, epoch_mean: str = "rows") -> _Run:
    """The loop of ``MLP.fit`` written out (default arguments), or one of its typical wrong
    versions (the keyword flags). Trains a COPY of net; returns (step losses, epoch losses,
    final parameters).

        rng = default_rng(seed); params = net.params; state = opt.init(params)
        every epoch:  order = rng.permutation(N)
            every batch rows = order[s : s + B]:  loss, g = loss and gradient on (X[rows], y[rows])
                                                   params, state = opt.update(params, g, state)
        epoch loss = Σ_batches loss · len(rows) / N    (History.loss)

    epoch_mean: "rows" (the above), "steps" (a plain mean of the epoch's step losses), "sum"
    (Σ loss · len(rows), no /N) or "end" (the loss on all N rows after the epoch).
    """
    net = net.copy()
    N = X.shape[0]
    rng = np.random.default_rng(seed)
    params = net.params.copy()
    state = opt.init(params.copy())
    start_params = params.copy()
    steps, epochs_out = [], []
    order = rng.permutation(N)
    last = N - batch_size + 1 if drop_last else N
    for epoch in range(epochs):
        if reshuffle and epoch > 0:
            order = rng.permutation(N)
        if reset_state and epoch > 0:
            state = opt.init(params.copy())
        total, losses = 0.0, []
        for s in range(0, last, batch_size):
            rows = order[s:s + batch_size]
            net.params = start_params if stale_gradient else params
            loss, grad = net.loss_and_gradient(X[rows], y[rows] if shuffle_y else y[s:s + batch_size])
            params, state = opt.update(params, grad, state)
            if loss_after_step:
                net.params = params
                loss = net.loss(X[rows], y[rows])
            steps.append(loss)
            losses.append(loss)
            total += loss * len(rows)
        net.params = params
        epochs_out.append({"rows": total / N, "steps": float(np.mean(losses)), "sum": total,
                           "end": net.loss(X, y)}[epoch_mean])
    return _Run(np.array(steps), np.array(epochs_out), params)


_STEP_HINTS = [
    ("The same order in every epoch: draw a fresh order = rng.permutation(N) at the START of each "
     "epoch, from ONE generator rng = np.random.default_rng(seed) made once before the loop "
     "(making it inside the epoch loop gives the same permutation every time).",
     dict(reshuffle=False)),
    ("The optimizer state is reset every epoch: call state = opt.init(params) once, before the "
     "first epoch. Momentum's velocity, Adam's averages and the step count t of a schedule carry "
     "over from one epoch to the next.", dict(reset_state=True)),
    ("The labels are not shuffled with the rows: take y[rows] with the SAME index array as "
     "X[rows].", dict(shuffle_y=False)),
    ("Your step losses are measured AFTER each update; fit records the minibatch loss BEFORE the "
     "step, the loss whose gradient the step uses (one forward pass gives both).",
     dict(loss_after_step=True)),
    ("Every gradient was computed at the STARTING parameters: the network must see the current "
     "ones (net.params = params) before each minibatch's gradient.", dict(stale_gradient=True)),
]


def _loop_case_check(fit_minibatch: Callable[..., Any], case: TrainCase) -> Result:
    name = f"training loop ({case.label})"
    N, B, E = case.X.shape[0], case.batch_size, case.epochs
    per_epoch = math.ceil(N / B)
    ref_net = case.net.copy()
    history = ref_net.fit(case.X, case.y, case.opt, E, B, seed=case.seed, record_steps=True)
    expected_steps, expected_epochs, expected_params = history.step_losses, history.loss, ref_net.params

    def variant(**flags: Any) -> _Run:
        return training_loop_reference(case.net, case.X, case.y, case.opt, E, B, case.seed, **flags)

    mine, Xc, yc = case.net.copy(), case.X.copy(), case.y.copy()
    out = attempt(fit_minibatch, mine, Xc, yc, case.opt, E, B, case.seed)
    if not (np.array_equal(Xc, case.X) and np.array_equal(yc, case.y)):
        return Result(name, "failed", "your loop changed X or y in place (e.g. shuffling them "
                      "with rng.shuffle): index a shuffled COPY, X[rows], y[rows].")
    try:
        step_losses, epoch_losses = out
        steps = np.asarray(step_losses, dtype=float).ravel()
    except (TypeError, ValueError):
        return Result(name, "failed", f"return two sequences, (step_losses, epoch_losses): one "
                      f"loss per step and one per epoch; got {type(out).__name__}")

    # 1. one loss per step, bit for bit
    if steps.size != expected_steps.size:
        text = (f"{steps.size} step losses, expected {expected_steps.size} ({E} epochs of "
                f"ceil({N}/{B}) = {per_epoch} minibatches).")
        if steps.size == E * (N // B):
            text += (f" You dropped the last, partial minibatch of each epoch ({N % B} rows): "
                     f"loop `for s in range(0, N, B)` and take order[s:s + B], which is shorter "
                     f"at the end.")
        elif steps.size == E:
            text += " One loss per epoch: record the loss of every minibatch (every step)."
        elif steps.size == per_epoch:
            text += f" That is one epoch: loop over all {E} epochs."
        elif steps.size == E * N:
            text += " One step per row: a step takes a whole minibatch of B rows."
        return Result(name, "failed", text)
    if not np.array_equal(steps, expected_steps):
        k = int(np.argmax(steps != expected_steps))
        where = (f"step {k} (counting from 0: epoch {k // per_epoch + 1} of {E}, minibatch "
                 f"{k % per_epoch + 1} of {per_epoch})")
        if np.allclose(steps, expected_steps, rtol=1e-12, atol=0):
            return Result(name, "failed", f"your step losses agree with fit's to 1e-12 but not bit "
                          f"for bit (first difference at {where}: {steps[k]!r} vs "
                          f"{expected_steps[k]!r}). Compute each minibatch's loss and gradient "
                          f"with net.loss_and_gradient(X[rows], y[rows]) and step with "
                          f"params, state = opt.update(params, grad, state), as fit does.")
        text = (f"the step losses first differ at {where}: yours {steps[k]:.10g}, fit's "
                f"{expected_steps[k]:.10g}.")
        hints = [hint for hint, flags in _STEP_HINTS
                 if np.allclose(steps, variant(**flags).step_losses, rtol=1e-12, atol=0)]
        if hints:
            text += " Hint: " + " ".join(hints)
        elif k == 0:
            text += (" Already the first minibatch differs: it must be rows order[0:B] of "
                     "order = rng.permutation(N), with rng = np.random.default_rng(seed) (not "
                     "np.random.permutation, and not the unshuffled rows), and its loss the one "
                     "measured before the step.")
        elif k % per_epoch == 0:
            text += (" The first epoch is right and the next one starts wrong: check what "
                     "happens between epochs (one generator, a new permutation per epoch, the "
                     "optimizer state kept).")
        else:
            text += (" Check the update: params, state = opt.update(params, grad, state), and "
                     "the network must use the new params for the next gradient.")
        return Result(name, "failed", text)

    # 2. the trained parameters, bit for bit
    got_params = mine.params
    if not np.array_equal(got_params, expected_params):
        text = "the step losses are right, but net.params after your loop differs from fit's"
        if np.allclose(got_params, expected_params, rtol=1e-12, atol=0):
            text += " in the last bits (use opt.update's result as it is)."
        elif np.array_equal(got_params, case.net.params):
            text += (": it still holds the starting parameters. Train the network in place: "
                     "set net.params = params after the last step.")
        else:
            text += (": it must end with the parameters after the LAST update "
                     "(net.params = params once the loop is done).")
        return Result(name, "failed", text)

    # 3. the epoch losses: History.loss, each step's loss weighted by its rows
    wrong = [("That is the plain mean of the epoch's step losses: the last minibatch is "
              f"smaller ({N % B} rows), so weight each step's loss by its rows: "
              "Σ loss·len(rows) / N, the mean over the epoch's N examples.",
              variant(epoch_mean="steps").epoch_losses),
             ("That is Σ loss·len(rows) without the division by N.",
              variant(epoch_mean="sum").epoch_losses),
             ("That is the loss on all N rows AFTER the epoch; History.loss is the running mean "
              "of the minibatch losses measured during the epoch (before each step).",
              variant(epoch_mean="end").epoch_losses)]
    try:
        ep = np.asarray(epoch_losses, dtype=float).ravel()
    except (TypeError, ValueError):
        return Result(name, "failed", f"epoch_losses must be numbers, got "
                                      f"{type(epoch_losses).__name__}")
    if ep.size == expected_steps.size and ep.size != E:
        return Result(name, "failed", f"epoch_losses has {ep.size} entries, one per step; return "
                      f"one per epoch ({E}): the mean loss over that epoch's minibatches, each "
                      f"weighted by its rows.")
    result = compare(f"{name}: epoch losses", ep, expected_epochs, rtol=1e-12, atol=0,
                     wrong=wrong)
    if not result.ok:
        return result
    return Result(name, "passed", f"{expected_steps.size} step losses and the final parameters "
                                  f"equal fit's bit for bit")


def check_training_loop(fit_minibatch: Callable[..., Any]) -> Result:
    """``fit_minibatch(net, X, y, opt, epochs, batch_size, seed)`` must train ``net`` in place
    exactly as ``net.fit(X, y, opt, epochs, batch_size, seed=seed)`` does, and return
    ``(step_losses, epoch_losses)``:

        rng = np.random.default_rng(seed); state = opt.init(params)    (once)
        each epoch: order = rng.permutation(N); for s = 0, B, 2B, ...: rows = order[s:s+B],
            loss, g = net.loss_and_gradient(X[rows], y[rows]); params, state = opt.update(params, g, state)
        step_losses: every minibatch loss (before its step);  epoch_losses: Σ loss·len(rows) / N

    Checked on ``train_cases()`` against fit with ``record_steps=True``: the step losses and the
    final parameters must be equal bit for bit, the epoch losses (History.loss) to 1e-12.
    """
    if not callable(fit_minibatch):
        raise ValueError(f"fit_minibatch must be a function fit_minibatch(net, X, y, opt, epochs, "
                         f"batch_size, seed), got {type(fit_minibatch).__name__}")
    cases = train_cases()
    result = first_failure("training loop", [
        (lambda case=case: _loop_case_check(fit_minibatch, case)) for case in cases])
    if result.ok:
        return Result("training loop", "passed", f"your loop reproduces MLP.fit bit for bit on "
                      f"{len(cases)} runs (step losses and final parameters; epoch losses to 1e-12)")
    return result


# -- the noise of a minibatch gradient ----------------------------------------------------------
def noise_cases() -> list[tuple[str, np.ndarray, list[int]]]:
    """(label, G, batch sizes): per-example gradients of a small network on 10 moons rows
    (N = 10, P = 22), and 7 made-up 3-D gradients with a non-zero mean. Small N, so the factors
    N/(N − 1) that tell the formulas apart are far from 1; B = N is always included (noise 0)."""
    X, y = data.moons(10, 0.2, seed=2)
    net = MLP([2, 4, 2], "tanh", init="xavier", seed=1)
    G_net = practice.per_example_gradients(net, X, y)
    G_toy = np.random.default_rng(3).normal(size=(7, 3)) + np.array([1.0, -2.0, 0.5])
    return [("the per-example gradients of a 2-4-2 network on 10 rows", G_net, [1, 2, 5, 9, 10]),
            ("7 made-up gradients in 3-D", G_toy, [1, 3, 6, 7])]


def minibatch_noise_reference(G: np.ndarray, batch_size: int) -> float:
    """E||g_B − g||² = tr(Σ)/B · (N − B)/(N − 1), tr(Σ) = (1/N) Σ_i ||g_i − g||², g = mean of
    the rows of G: ``practice.predicted_minibatch_variance`` with tr(Σ) from G."""
    N = G.shape[0]
    trace = float(np.mean(np.sum((G - G.mean(axis=0)) ** 2, axis=1)))
    return practice.predicted_minibatch_variance(trace, N, batch_size)


def _noise_case_check(minibatch_noise: Callable[..., Any], label: str, G: np.ndarray,
                      sizes: list[int]) -> Result:
    name = f"minibatch_noise on {label}"
    N = G.shape[0]
    B = np.array(sizes, dtype=float)
    got = []
    for b in sizes:
        Gc = G.copy()
        value = attempt(minibatch_noise, Gc, b)
        if not np.array_equal(Gc, G):
            return Result(name, "failed", "your function changed G in place (e.g. G -= G.mean(...)): "
                          "work on a new array, D = G - G.mean(axis=0).")
        try:
            got.append(float(np.asarray(value, dtype=float)))
        except (TypeError, ValueError):
            what = (f"an array of shape {np.shape(value)}" if hasattr(value, "shape")
                    else type(value).__name__)
            return Result(name, "failed", f"minibatch_noise(G, {b}) must return one number, got "
                          f"{what}")
    expected = np.array([minibatch_noise_reference(G, b) for b in sizes])
    D = G - G.mean(axis=0)
    ss = float(np.sum(D * D))                        # Σ_i ||g_i − g||²
    trace, s2 = ss / N, ss / (N - 1)                 # tr(Σ) (1/N) and S² (1/(N − 1))
    raw = float(np.sum(G * G)) / (N - 1)
    wrong = [
        ("That is tr(Σ)/B, the formula for a batch drawn WITH replacement (B independent draws). "
         "A minibatch of a shuffled epoch holds B DISTINCT rows: multiply by the finite-population "
         "factor (N − B)/(N − 1), which makes B = N exactly 0.", trace / B),
        ("That is S²/B: the finite-population factor (1 − B/N) is missing (with B = N the "
         "minibatch IS the full batch, so the noise must be 0).", s2 / B),
        ("You combined (1 − B/N) with the 1/N variance tr(Σ): either S² = Σ||g_i − g||²/(N − 1) "
         "with (1 − B/N), or tr(Σ) with (N − B)/(N − 1) (they are equal).", (1 - B / N) * trace / B),
        ("Divided by B²: the variance of a MEAN of B draws is σ²/B (the sum has B·σ², and the "
         "mean divides it by B²), so one 1/B, not two.", (1 - B / N) * s2 / B ** 2),
        ("You did not subtract the full gradient g = G.mean(axis=0): the noise is the spread of "
         "the rows around g, Σ||g_i − g||², not Σ||g_i||².", (1 - B / N) * raw / B),
        ("That is the root-mean-square error, the square root of the answer: return the mean "
         "SQUARED error E||g_B − g||².", np.sqrt(expected)),
        ("You averaged over the P parameters: ||g_B − g||² SUMS the squared errors of all "
         "coordinates (the trace of Σ), so sum over axis 1, do not take its mean.",
         expected / G.shape[1]),
    ]
    result = compare(name, np.array(got), expected, rtol=1e-10, atol=1e-14, wrong=wrong,
                     what="value")
    # "value 3 is ..." -> "the value for B = 9 is ...": name the batch size, not the position
    message = re.sub(r"^value (\d+) is", lambda m: f"the value for B = {sizes[int(m[1])]} is",
                     result.message)
    return Result(result.name, result.status, message)


def check_minibatch_noise(minibatch_noise: Callable[[np.ndarray, int], float]) -> Result:
    """``minibatch_noise(G, B)`` gets the per-example gradients G (N, P), row i = ∇ℓ_i, and a
    batch size B, and must return the mean squared error of a minibatch gradient (B distinct
    rows drawn at random):

        E||g_B − g||² = tr(Σ)/B · (N − B)/(N − 1) = (1 − B/N) S²/B,
        g = (1/N) Σ_i g_i,   tr(Σ) = (1/N) Σ_i ||g_i − g||²,   S² = N tr(Σ)/(N − 1).

    Checked against ``practice.predicted_minibatch_variance`` on ``noise_cases()`` (to 1e-10).
    """
    if not callable(minibatch_noise):
        raise ValueError(f"minibatch_noise must be a function minibatch_noise(G, B), got "
                         f"{type(minibatch_noise).__name__}")
    cases = noise_cases()
    result = first_failure("minibatch_noise", [
        (lambda case=case: _noise_case_check(minibatch_noise, *case)) for case in cases])
    if result.ok:
        return Result("minibatch_noise", "passed", "tr(Σ)/B · (N − B)/(N − 1) for every B on both "
                      "gradient sets, including 0 at B = N")
    return result
