"""Checks for the training-in-practice notebook's exercise.

    check_noise_estimator(estimate)   |G|² and tr(Σ) from gradient norms at two batch sizes
"""
from __future__ import annotations

from collections.abc import Callable

import numpy as np

from gradlib.exercises import Result, attempt, compare, first_failure

__all__ = ["check_noise_estimator"]

# (|G|², tr Σ, B_small, B_big): true values the cases are built from
_CASES = [(4.0, 60.0, 8, 128), (0.25, 3.0, 1, 32), (1e-3, 0.5, 16, 1024)]


def check_noise_estimator(estimate: Callable[[float, int, float, int], tuple[float, float]]) -> Result:
    """``estimate(sq_small, b_small, sq_big, b_big)`` gets E|g_B|² measured at two batch sizes
    and must return (|G|², tr Σ), using E|g_B|² = |G|² + tr(Σ)/B (batches drawn with
    replacement; McCandlish et al. 2018, appendix A). Checked on exact inputs built from known
    |G|² and tr Σ; typical slips are named."""
    def case(G2: float, tr: float, b: int, B: int) -> Callable[[], Result]:
        small, big = G2 + tr / b, G2 + tr / B
        def run() -> Result:
            got = attempt(estimate, small, b, big, B)
            try:
                got = tuple(float(v) for v in got)
            except (TypeError, ValueError):
                return Result("noise estimator", "failed",
                              f"return a pair (|G|², tr Σ) of numbers, got {got!r}")
            if len(got) != 2:
                return Result("noise estimator", "failed", f"return exactly two numbers, got {len(got)}")
            return compare(f"noise estimator (B = {b} and {B})", got, (G2, tr), rtol=1e-9, what="output",
                           wrong=[("You returned (tr Σ, |G|²): the order is (|G|², tr Σ).", (tr, G2)),
                                  ("|G|² is not the big-batch norm itself: that still holds tr(Σ)/B_big "
                                   "of noise. Solve the two equations for both unknowns.",
                                   (big, (small - big) / (1 / b - 1 / B))),
                                  ("Check the sign: the small batch has MORE noise, so "
                                   "|g_small|² - |g_big|² > 0 divides by 1/B_small - 1/B_big > 0.",
                                   (G2, -tr)),
                                  ("Weights swapped: |G|² = (B_big |g_big|² - B_small |g_small|²)"
                                   " / (B_big - B_small).",
                                   ((b * big - B * small) / (b - B) if b != B else np.nan, tr))])
        return run
    result = first_failure("noise estimator", [case(*c) for c in _CASES])
    if result.ok:
        return Result("noise estimator", "passed",
                      "B_noise = tr Σ / |G|² follows; compare it with practice.gradient_noise_scale")
    return result
