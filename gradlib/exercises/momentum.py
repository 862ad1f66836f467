"""Checks for the momentum-and-adaptive-methods notebook's exercises (notebook 06).

    check_momentum(momentum_step)
        heavy-ball momentum as PyTorch writes it (torch.optim.SGD with momentum=β, dampening=0),
            b <- β b + g,   x <- x − lr · b,
        one step at a time, against ``optim.momentum`` step for step (constant rates and a
        schedule, on the tilted bowl and on Rosenbrock)
    check_adam(adam_step)
        Adam with bias correction, state (t, m, v), t = the number of updates already made,
            t <- t + 1,  m <- β1 m + (1 − β1) g,  v <- β2 v + (1 − β2) g²,
            x <- x − lr · m̂ / (√v̂ + ε),  m̂ = m / (1 − β1ᵗ),  v̂ = v / (1 − β2ᵗ),
        against ``optim.adam`` step for step to 1e-12

Each runs the learner's step function in a loop (the checker computes the gradients and
passes the state back in), compares the whole path and then the state, and names the usual
mistake when the path matches a known wrong one: for momentum the averaged ("EMA") form
(1 − β) g, Nesterov's look-ahead, x updated before the velocity, the learning rate folded into
the velocity; for Adam no bias correction, t = 0 in the correction, ε inside the square root,
β1 and β2 swapped, a missing (1 − β) or square root, a state that is not passed on.
"""
from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from gradlib import optim, surfaces
from gradlib.exercises import Result, attempt, compare, first_failure

__all__ = ["check_momentum", "check_adam", "MOMENTUM_CASES", "ADAM_CASES"]

Vector = np.ndarray
LearningRate = float | Callable[[int], float]

_BOWL = surfaces.get("quadratic", kappa=100, angle=30)      # notebook 06's tilted bowl
_ROSEN = surfaces.get("rosenbrock")


def _decay(t: int) -> float:
    """lr(t) = 0.02 / (1 + t/5): the rate of the update that follows t earlier updates."""
    return 0.02 / (1 + t / 5)


#: (label, surface, x0, lr, beta, steps) for check_momentum. The schedule case tells the PyTorch
#: form (lr outside the velocity) from the form with lr folded into it (same path at a constant lr).
MOMENTUM_CASES: list[tuple[str, Any, Vector, LearningRate, float, int]] = [
    ("the tilted bowl, lr = 0.02, β = 0.9, 40 steps", _BOWL, np.array(_BOWL.start, dtype=float),
     0.02, 0.9, 40),
    ("Rosenbrock from (−1.2, 1), lr = 0.0005, β = 0.9, 40 steps", _ROSEN, np.array([-1.2, 1.0]),
     5e-4, 0.9, 40),
    ("the tilted bowl with a schedule lr(t) = 0.02 / (1 + t/5), β = 0.8, 30 steps", _BOWL,
     np.array(_BOWL.start, dtype=float), _decay, 0.8, 30),
]

#: (label, surface, x0, lr, beta1, beta2, eps, steps) for check_adam: PyTorch's default betas and eps on the
#: bowl, then other β's and a large ε on Rosenbrock (so that each hyper-parameter is exercised).
ADAM_CASES: list[tuple[str, Any, Vector, float, float, float, float, int]] = [
    ("the tilted bowl, lr = 0.05, β1 = 0.9, β2 = 0.999, ε = 1e-8, 30 steps", _BOWL,
     np.array(_BOWL.start, dtype=float), 0.05, 0.9, 0.999, 1e-8, 30),
    ("Rosenbrock from (−1.2, 1), lr = 0.02, β1 = 0.8, β2 = 0.99, ε = 1e-3, 25 steps", _ROSEN,
     np.array([-1.2, 1.0]), 0.02, 0.8, 0.99, 1e-3, 25),
]


def _rate(lr: LearningRate) -> Callable[[int], float]:
    return lr if callable(lr) else (lambda t: lr)


def _annotate(result: Result, path: np.ndarray, expected: np.ndarray, what: str,
              first: int = 0) -> Result:
    """Rename "entry (k, i)" as "x after step k, coordinate i" (row k holds step k + first)
    and add the first step that is off."""
    if result.ok or not result.message.startswith("entry ("):
        return result
    off = ~np.isclose(path, expected, rtol=1e-12, atol=1e-12).all(axis=1)
    text, _, hint = re.sub(r"^entry \((\d+), (\d+)\)",
                           lambda m: f"{what} after step {int(m[1]) + first}, coordinate {m[2]}",
                           result.message).partition(" Hint: ")
    text += f" The first step that is off is step {int(np.argmax(off)) + first}."
    return Result(result.name, "failed", text + (f" Hint: {hint}" if hint else ""))


def _as_vector(value: Any, n: int, name: str, label: str) -> tuple[np.ndarray | None, Result | None]:
    try:
        arr = np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        return None, Result(name, "failed", f"{label} must be an array of shape ({n},), got "
                                            f"{type(value).__name__}")
    if arr.shape != (n,):
        return None, Result(name, "failed", f"{label} has shape {arr.shape}, expected ({n},)")
    return arr, None


def _pair(out: Any, name: str, what: str) -> Result | None:
    if not isinstance(out, (tuple, list)) or len(out) != 2:
        return Result(name, "failed", f"return a pair ({what}), e.g. `return x_new, "
                                      f"{what.split(', ')[1]}`; got {type(out).__name__}")
    return None


# -- heavy-ball momentum -------------------------------------------------------------------------
def _momentum_path(grad: Callable, x0: Vector, rate: Callable[[int], float], beta: float,
                   steps: int, variant: str = "torch") -> tuple[np.ndarray, np.ndarray]:
    """A (possibly wrong) momentum path and its velocities, for the hints."""
    x, b = np.array(x0, dtype=float), np.zeros(len(x0))
    xs, bs = [x], []
    with np.errstate(all="ignore"):
        for t in range(steps):
            g, lr = grad(x), rate(t)
            if variant == "x_first":                       # x moves with the OLD velocity
                x = x - lr * b
                b = beta * b + g
            else:
                b = {"torch": beta * b + g, "ema": beta * b + (1 - beta) * g, "nesterov": beta * b + g,
                     "ascent": beta * b + g, "lr_inside": beta * b + lr * g, "no_beta": g}[variant]
                step = {"nesterov": lr * (g + beta * b), "ascent": -lr * b,
                        "lr_inside": b}.get(variant, lr * b)
                x = x - step
            xs.append(x)
            bs.append(b)
    return np.array(xs), np.array(bs)


def _momentum_reference(surface: Any, x0: Vector, lr: LearningRate, beta: float,
                        steps: int) -> tuple[np.ndarray, np.ndarray]:
    """optim.momentum's path (steps + 1 points) and its velocity after each update."""
    opt = optim.momentum(lr=lr, beta=beta)
    x, state = np.array(x0, dtype=float), opt.init(x0)
    xs, bs = [x], []
    for _ in range(steps):
        x, state = opt.update(x, surface.grad(x), state)
        xs.append(x)
        bs.append(state.velocity)
    return np.array(xs), np.array(bs)


def _check_momentum_case(momentum_step: Callable, label: str, surface: Any, x0: Vector,
                         lr: LearningRate, beta: float, steps: int) -> Result:
    name = f"momentum_step on {label}"
    expected, expected_b = _momentum_reference(surface, x0, lr, beta, steps)
    rate, n = _rate(lr), x0.size
    x, b = x0.copy(), np.zeros(n)
    xs, bs = [x], []
    for t in range(steps):
        g = surface.grad(x)
        mine_x, mine_g = x.copy(), g.copy()
        with np.errstate(all="ignore"):
            out = attempt(momentum_step, mine_x, mine_g, b.copy(), rate(t), beta)
        if not (np.array_equal(mine_x, x, equal_nan=True) and np.array_equal(mine_g, g, equal_nan=True)):
            return Result(name, "failed", "your momentum_step changed x (or g) in place (x -= ...). "
                          "Like opt.update, return new arrays: x_new = x - lr * velocity.")
        bad = _pair(out, name, "x_new, velocity")
        if bad is not None:
            return bad
        x, bad = _as_vector(out[0], n, name, "x_new")
        if bad is not None:
            return bad
        b, bad = _as_vector(out[1], n, name, "the velocity")
        if bad is not None:
            return bad
        xs.append(x)
        bs.append(b)
    path = np.array(xs)

    def wrong(variant: str) -> np.ndarray:
        return _momentum_path(surface.grad, x0, rate, beta, steps, variant)[0]

    hints = [("That is the averaged (EMA) form b <- βb + (1 − β)g, Adam's kind of average: its "
              "steps are 1 − β times shorter. PyTorch's buffer adds the whole gradient, b <- βb + g.",
              wrong("ema")),
             ("That is Nesterov's update, x <- x − lr(g + βb): heavy ball steps along the velocity "
              "alone, x <- x − lr·b.", wrong("nesterov")),
             ("You moved x with the OLD velocity and updated it afterwards (your first step does "
              "not move at all): update b <- βb + g first, then x <- x − lr·b.", wrong("x_first")),
             ("The sign: x <- x − lr·b steps against the velocity, downhill.", wrong("ascent")),
             ("That is plain gradient descent: the velocity is not carried from step to step "
              "(return the new velocity and use the one you are given) or β is ignored.",
              wrong("no_beta"))]
    if callable(lr):
        hints.append(("You folded the learning rate into the velocity (b <- βb + lr·g, x <- x − b): "
                      "at a constant rate that gives the same path, but with a schedule it does "
                      "not, because old velocity keeps the old rates. PyTorch keeps lr outside: "
                      "b <- βb + g, x <- x − lr·b.", wrong("lr_inside")))
    result = _annotate(compare(name, path, expected, rtol=1e-12, atol=1e-12, wrong=hints), path,
                       expected, "x")
    if not result.ok:
        return result
    velocity = np.array(bs)
    return _annotate(compare(name, velocity, expected_b, rtol=1e-12, atol=1e-12, wrong=[
        ("Your velocity is lr times PyTorch's buffer: you folded the learning rate into it "
         "(b <- βb + lr·g, x <- x − b). Keep lr outside, b <- βb + g.", rate(0) * expected_b),
        ("Your velocity has the opposite sign to PyTorch's buffer b <- βb + g.", -expected_b)]),
        velocity, expected_b, "the velocity", first=1)


def check_momentum(momentum_step: Callable[[Vector, Vector, Vector, float, float], Any]) -> Result:
    """``momentum_step(x, g, velocity, lr, beta)`` must return ``(x_new, velocity_new)`` for one
    step of heavy-ball momentum as PyTorch writes it (torch.optim.SGD, momentum=β, dampening=0),

        velocity_new = β · velocity + g,      x_new = x − lr · velocity_new,

    without changing x or g in place. The checker starts from velocity = 0, computes g = ∇f(x)
    at every step and passes the velocity back; the path and the velocities must equal
    ``optim.momentum`` to 1e-12 on the cases in ``MOMENTUM_CASES`` (constant rates and a schedule).
    """
    result = first_failure("momentum_step", [
        (lambda case=case: _check_momentum_case(momentum_step, *case)) for case in MOMENTUM_CASES])
    if result.ok:
        return Result("momentum_step", "passed", f"your path and velocity equal optim.momentum step "
                      f"for step on all {len(MOMENTUM_CASES)} cases (constant rates and a schedule)")
    return result


# -- Adam -------------------------------------------------------------------------------------------
def _adam_path(grad: Callable, x0: Vector, lr: float, b1: float, b2: float, eps: float, steps: int,
               variant: str = "right") -> np.ndarray:
    """A (possibly wrong) Adam path, for the hints."""
    x, m, v, t = np.array(x0, dtype=float), np.zeros(len(x0)), np.zeros(len(x0)), 0
    if variant == "swapped":
        b1, b2 = b2, b1
    xs = [x]
    with np.errstate(all="ignore"):
        for _ in range(steps):
            g = grad(x)
            if variant == "stateless":                     # the state is never passed on
                t, m, v = 0, np.zeros(len(x0)), np.zeros(len(x0))
            elif variant == "t_stuck":                     # m and v passed on, t left at 0
                t = 0
            t += 1
            m = b1 * m + (g if variant == "no_one_minus" else (1 - b1) * g)
            v = b2 * v + (g * g if variant == "no_one_minus" else (1 - b2) * g * g)
            tc = t + 1 if variant == "late" else t
            m_hat = m if variant in ("no_correction", "only_v") else m / (1 - b1**tc)
            v_hat = v if variant in ("no_correction", "only_m") else v / (1 - b2**tc)
            if variant == "eps_inside":
                denom = np.sqrt(v_hat + eps)
            elif variant == "no_sqrt":
                denom = v_hat + eps
            else:
                denom = np.sqrt(v_hat) + eps
            x = x - lr * m_hat / denom
            if variant == "store_hat":                     # the corrected averages kept as state
                m, v = m_hat, v_hat
            xs.append(x)
    return np.array(xs)


def _adam_reference(surface: Any, x0: Vector, lr: float, b1: float, b2: float, eps: float,
                    steps: int) -> tuple[np.ndarray, list[Any]]:
    """optim.adam's path and its state (count, m, v) after each update."""
    opt = optim.adam(lr=lr, beta1=b1, beta2=b2, eps=eps)
    x, state = np.array(x0, dtype=float), opt.init(x0)
    xs, states = [x], []
    for _ in range(steps):
        x, state = opt.update(x, surface.grad(x), state)
        xs.append(x)
        states.append(state)
    return np.array(xs), states


def _adam_hints(surface: Any, x0: Vector, lr: float, b1: float, b2: float, eps: float,
                steps: int) -> list[tuple[str, np.ndarray]]:
    def wrong(variant: str) -> np.ndarray:
        return _adam_path(surface.grad, x0, lr, b1, b2, eps, steps, variant)

    return [("No bias correction: divide m by 1 − β1ᵗ and v by 1 − β2ᵗ. Both start at 0, so "
             "without it the early steps are several times too long.", wrong("no_correction")),
            ("Only m is bias-corrected: v needs its own correction, v̂ = v / (1 − β2ᵗ).",
             wrong("only_m")),
            ("Only v is bias-corrected: m needs its own correction, m̂ = m / (1 − β1ᵗ).",
             wrong("only_v")),
            ("The correction is one step late: you used 1 − βᵗ⁺¹ (t counted twice?). At the "
             "first update t = 1.", wrong("late")),
            ("ε is inside the square root: Adam divides by √v̂ + ε, not √(v̂ + ε).",
             wrong("eps_inside")),
            ("β1 and β2 are swapped: β1 (0.9 by default) averages the gradients g, β2 (0.999) "
             "their squares g².", wrong("swapped")),
            ("The factors (1 − β1) and (1 − β2) are missing: m <- β1 m + (1 − β1) g is an average, "
             "not a sum.", wrong("no_one_minus")),
            ("The square root is missing: divide by √v̂ + ε, the root-mean-square of the "
             "gradients.", wrong("no_sqrt")),
            ("Every step looks like the first one: the new state (t, m, v) is not passed on. "
             "Return the updated state and start the next step from the one you are given.",
             wrong("stateless")),
            ("t is not advanced: m and v are passed on, but every correction uses t = 1. Return "
             "the new t (t + 1) in the state.", wrong("t_stuck")),
            ("You stored the bias-corrected m̂ and v̂ in the state: keep the raw averages m and v "
             "there (the correction is applied afresh at every step, with the current t).",
             wrong("store_hat"))]


def _check_adam_case(adam_step: Callable, label: str, surface: Any, x0: Vector, lr: float,
                     b1: float, b2: float, eps: float, steps: int) -> Result:
    name = f"adam_step on {label}"
    expected, ref_states = _adam_reference(surface, x0, lr, b1, b2, eps, steps)
    n = x0.size
    x, state = x0.copy(), (0, np.zeros(n), np.zeros(n))
    xs, states = [x], []
    for _ in range(steps):
        g = surface.grad(x)
        mine_x, mine_g = x.copy(), g.copy()
        with np.errstate(all="ignore"):
            out = attempt(adam_step, mine_x, mine_g, state, lr, b1, b2, eps)
        if not (np.array_equal(mine_x, x, equal_nan=True) and np.array_equal(mine_g, g, equal_nan=True)):
            return Result(name, "failed", "your adam_step changed x (or g) in place (x -= ...). "
                          "Like opt.update, return new arrays: x_new = x - lr * ...")
        bad = _pair(out, name, "x_new, state")
        if bad is not None:
            return bad
        x, bad = _as_vector(out[0], n, name, "x_new")
        if bad is not None:
            return bad
        state = out[1]
        if not isinstance(state, Sequence) or len(state) != 3:
            return Result(name, "failed", f"the state must be the triple (t, m, v), as it was "
                          f"given to you; got {type(state).__name__}"
                          + (f" of length {len(state)}" if isinstance(state, Sequence) else ""))
        xs.append(x)
        states.append(state)
    path = np.array(xs)
    if not np.all(np.isfinite(path[1])):
        text = f"x after step 1 is {path[1].tolist()} (not finite). "
        if not np.all(np.isfinite(_adam_path(surface.grad, x0, lr, b1, b2, eps, steps, "right")[1])):
            text += "The reference is not finite either (a bug in the checker: please report it)."
        else:
            text += ("Hint: the usual cause is t = 0 in the bias correction: 1 − β⁰ = 0, a division "
                     "by zero. t counts "
                     "the updates: add 1 to the t you are given first (t = 1 at the first update), "
                     "then correct with 1 − β1ᵗ and 1 − β2ᵗ.")
        return Result(name, "failed", text)
    result = _annotate(compare(name, path, expected, rtol=1e-12, atol=1e-12,
                               wrong=_adam_hints(surface, x0, lr, b1, b2, eps, steps)),
                       path, expected, "x")
    if not result.ok:
        return result
    counts = [s[0] for s in states]
    if counts != [s.count for s in ref_states]:
        return Result(name, "failed", f"the path is right, but the t in your states is "
                      f"{counts[:4]}... where {[s.count for s in ref_states][:4]}... was expected: "
                      f"return the number of updates made so far (1 after the first).")
    for part, index, ref_name in (("m", 1, "mu"), ("v", 2, "nu")):
        got = np.array([np.asarray(s[index], dtype=float) for s in states])
        want = np.array([getattr(s, ref_name) for s in ref_states])
        res = _annotate(compare(name, got, want, rtol=1e-12, atol=1e-12), got, want,
                        f"the path is right, but {part} in your state", first=1)
        if not res.ok:
            return res
    return result


def check_adam(adam_step: Callable[..., Any]) -> Result:
    """``adam_step(x, g, state, lr, beta1, beta2, eps)`` must return ``(x_new, state_new)`` for
    one Adam update with bias correction (torch.optim.Adam), where state = (t, m, v) and t is
    the number of updates already made (the checker starts from (0, 0, 0)):

        t <- t + 1
        m <- β1 m + (1 − β1) g,        v <- β2 v + (1 − β2) g²
        m̂ = m / (1 − β1ᵗ),             v̂ = v / (1 − β2ᵗ)
        x_new = x − lr · m̂ / (√v̂ + ε),  state_new = (t, m, v)

    without changing x or g in place. The path and the states must equal ``optim.adam`` to
    1e-12, step for step, on the cases in ``ADAM_CASES``.
    """
    result = first_failure("adam_step", [
        (lambda case=case: _check_adam_case(adam_step, *case)) for case in ADAM_CASES])
    if result.ok:
        steps = sum(case[-1] for case in ADAM_CASES)
        return Result("adam_step", "passed", f"your path and state (t, m, v) equal optim.adam step "
                      f"for step to 1e-12 on {len(ADAM_CASES)} cases ({steps} steps; PyTorch's "
                      f"default β's and ε, then others)")
    return result
