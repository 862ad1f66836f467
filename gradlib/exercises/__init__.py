"""Checks for the notebooks' implement-and-check exercises.

A learner writes a function; a checker runs it on cases whose answers are known by another
route and says not just "wrong" but *where* and *probably why*:

    result = check_softplus(my_softplus)     # shows e.g.
    ✘ softplus backward: entry 2 is 0.731 where 0.269 was expected (rel. error 1.7e+00)
      hint: this is what you get if the sign of the derivative is flipped ...

Every checker returns a ``Result`` (``ok`` is True only when every case passes; a stub that
still raises ``NotImplementedError`` gives "not implemented yet", so "Run all" never stops on
it). The hints come from *typical wrong answers* computed alongside the right one: when the
learner's output matches one of them (a missing 1/m, a transposed matrix, a flipped sign), the
checker names that mistake.

One module per notebook topic holds its checkers; this module holds what they share.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

__all__ = ["Result", "attempt", "compare", "first_failure", "NotImplementedYet"]


@dataclass(frozen=True)
class Result:
    """What a check found: ``status`` is "passed", "failed" or "not implemented yet"."""
    name: str
    status: str
    message: str = ""

    @property
    def ok(self) -> bool:
        return self.status == "passed"

    def __bool__(self) -> bool:
        return self.ok

    def __repr__(self) -> str:
        mark = {"passed": "✔", "failed": "✘"}.get(self.status, "…")
        text = f"{mark} {self.name}: {self.status}"
        return f"{text} — {self.message}" if self.message else text


class NotImplementedYet(Exception):
    """Raised by ``attempt`` when the learner's function is still the stub."""


def attempt(fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """Call the learner's function; a stub's NotImplementedError becomes NotImplementedYet,
    any other exception is reported by the checker with its message."""
    try:
        return fn(*args, **kwargs)
    except NotImplementedError as err:
        raise NotImplementedYet(str(err)) from err


def _fmt(v: float) -> str:
    return f"{v:.4g}"


def compare(name: str, got: Any, expected: Any, *, rtol: float = 1e-7, atol: float = 1e-12,
            wrong: Iterable[tuple[str, Any]] = (), what: str = "entry") -> Result:
    """Compare the learner's ``got`` with ``expected`` entry by entry.

    Passes when every entry has |got - expected| <= atol + rtol |expected|. Otherwise the message
    names the worst entry (index, both values, relative error) and, for each ``(hint, value)`` in
    ``wrong`` that ``got`` matches, the hint: the typical mistake that produces exactly that.
    Shapes are checked first (a transposed answer is named as such).
    """
    exp = np.asarray(expected, dtype=float)
    try:
        arr = np.asarray(got, dtype=float)
    except (TypeError, ValueError):
        return Result(name, "failed", f"expected numbers (an array of shape {exp.shape}), got "
                                      f"{type(got).__name__}")
    if arr.shape != exp.shape:
        hint = ""
        if arr.ndim == 2 and arr.T.shape == exp.shape:
            hint = " It has the transposed shape: check the order of the factors or a missing .T."
        elif arr.size == exp.size:
            hint = " Same number of entries: check the axis you summed over or a reshape."
        return Result(name, "failed", f"shape {arr.shape}, expected {exp.shape}.{hint}")
    if not np.all(np.isfinite(arr)):
        bad = np.unravel_index(int(np.argmax(~np.isfinite(arr))), arr.shape)
        return Result(name, "failed", f"{what} {_index(bad)} is {arr[bad]} (not a finite number): "
                                      f"look for an overflow (exp of a large number) or 0/0")
    err = np.abs(arr - exp)
    tol = atol + rtol * np.abs(exp)
    if np.all(err <= tol):
        return Result(name, "passed", f"max abs. error {_fmt(float(err.max(initial=0.0)))}")
    worst = np.unravel_index(int(np.argmax(err - tol)), arr.shape)
    size = abs(float(exp[worst]))
    how_far = (f"rel. error {err[worst] / size:.1e}" if size > 0
               else f"abs. error {err[worst]:.1e}")            # no relative error against 0
    digits = max(4, min(17, int(np.ceil(-np.log10(max(err[worst] / size, 1e-17)))) + 2)) if size else 4
    text = (f"{what} {_index(worst)} is {float(arr[worst]):.{digits}g} where "
            f"{float(exp[worst]):.{digits}g} was expected ({how_far}); {int(np.sum(err > tol))} "
            f"of {arr.size} {_plural(what)} are off.")
    hints = [hint for hint, value in wrong if _matches(arr, value, rtol, atol)]
    if hints:
        text += " Hint: " + " ".join(hints)
    return Result(name, "failed", text)


def _matches(arr: np.ndarray, value: Any, rtol: float, atol: float) -> bool:
    v = np.asarray(value, dtype=float)
    return v.shape == arr.shape and bool(np.all(np.abs(arr - v) <= atol + rtol * np.abs(v)))


def _plural(word: str) -> str:
    return word[:-1] + "ies" if word.endswith("y") else word + "s"


def _index(idx: tuple[int, ...]) -> str:
    return str(tuple(int(i) for i in idx)) if len(idx) != 1 else str(int(idx[0]))


def first_failure(name: str, checks: Sequence[Callable[[], Result]]) -> Result:
    """Run checks in order (each a zero-argument function); report the first that fails, a stub
    as "not implemented yet", an exception by its type and message; else passed."""
    try:
        for check in checks:
            result = check()
            if not result.ok:
                return result
    except NotImplementedYet:
        return Result(name, "not implemented yet",
                      "replace the `raise NotImplementedError` with your code, then run this cell again")
    except Exception as err:  # noqa: BLE001 - a learner's bug is reported, not raised
        return Result(name, "failed", f"your function raised {type(err).__name__}: {err}")
    return Result(name, "passed", "all cases agree with the reference")
