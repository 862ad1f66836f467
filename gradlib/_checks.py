"""Input checks shared by every gradlib module (private: not part of the public API).

Each check validates one argument at the boundary and returns it in canonical form (an int, a
float, a str, a pair of floats), or raises ValueError whose message names the argument, the rule
and the value:

    integer("steps", 0, lo=1)             steps must be an integer >= 1, got 0
    integer("crf", 60, 0, 51)             crf must be an integer in [0, 51], got 60
    positive("lr", -0.1)                  lr must be a finite number > 0, got -0.1
    nonnegative("l2", -1)                 l2 must be a finite number >= 0, got -1
    unit_interval("beta", 1.0)            beta must be a number in [0, 1), got 1.0
    real("final", 0, "in (0, 1]", ...)    final must be in (0, 1], got 0
    one_of("method", "mid", METHODS)      method must be one of 'forward', ..., got 'mid'
    interval("xlim", (1, 0))              xlim must be finite with low < high, got (1, 0)

A bool is never a number here: True is an int to Python, but never a learning rate or a count.
"""
from __future__ import annotations

import math
import numbers
from collections.abc import Callable, Iterable
from typing import Any

__all__ = ["is_integer", "is_real", "integer", "real", "positive", "nonnegative",
           "unit_interval", "one_of", "interval"]


def is_integer(value: Any) -> bool:
    """True for an int or a NumPy integer (any numbers.Integral), False for a bool."""
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)


def is_real(value: Any) -> bool:
    """True for an int, a float or a NumPy number (any numbers.Real), False for a bool."""
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


def integer(name: str, value: Any, lo: int | None = None, hi: int | None = None) -> int:
    """``value`` as an int within [lo, hi] (None: no bound on that side).

        "{name} must be an integer in [lo, hi]" (or ">= lo", "<= hi"), "got {value!r}"
    """
    if not is_integer(value) or (lo is not None and value < lo) or (hi is not None and value > hi):
        if lo is not None and hi is not None:
            rule = f"an integer in [{lo}, {hi}]"
        elif lo is not None:
            rule = f"an integer >= {lo}"
        else:
            rule = "an integer" if hi is None else f"an integer <= {hi}"
        raise ValueError(f"{name} must be {rule}, got {value!r}")
    return int(value)


def real(name: str, value: Any, rule: str = "a finite number",
         ok: Callable[[float], bool] | None = None, *, finite: bool = True) -> float:
    """``value`` as a float: a real number, never NaN, finite (unless ``finite=False``, which lets
    +-inf through), for which ``ok(value)`` holds.

        "{name} must be {rule}, got {value!r}"

    ``rule`` is the whole requirement as the message states it, e.g. "a finite number > 0",
    "in (0, 1]" or "a number in [1e-4, 1e1] (the slider's range)".
    """
    good = is_real(value) and not math.isnan(value) and (not finite or math.isfinite(value))
    if not good or (ok is not None and not ok(float(value))):
        raise ValueError(f"{name} must be {rule}, got {value!r}")
    return float(value)


def positive(name: str, value: Any) -> float:
    """A finite number > 0 (a learning rate, a step size, a scale)."""
    return real(name, value, "a finite number > 0", lambda v: v > 0)


def nonnegative(name: str, value: Any) -> float:
    """A finite number >= 0 (a penalty strength, a tolerance, a noise level)."""
    return real(name, value, "a finite number >= 0", lambda v: v >= 0)


def unit_interval(name: str, value: Any) -> float:
    """A number in [0, 1) (a momentum coefficient, a moving-average decay)."""
    return real(name, value, "a number in [0, 1)", lambda v: 0 <= v < 1)


def one_of(name: str, value: Any, options: Iterable[str]) -> str:
    """One of the names in ``options`` (a dict's keys count as its names).

        "{name} must be one of 'a', 'b', got {value!r}"
    """
    options = tuple(options)
    if not isinstance(value, str) or value not in options:
        raise ValueError(f"{name} must be one of {', '.join(map(repr, options))}, got {value!r}")
    return value


def interval(name: str, value: Any) -> tuple[float, float]:
    """A pair (low, high) of finite numbers with low < high (a plot window, a clip range)."""
    try:
        lo, hi = (float(v) for v in value)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a pair (low, high) of numbers, got {value!r}") from None
    if not (math.isfinite(lo) and math.isfinite(hi) and lo < hi):
        raise ValueError(f"{name} must be finite with low < high, got {value!r}")
    return lo, hi
