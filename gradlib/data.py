"""Data sets for the notebooks: toy sets generated in code, and scikit-learn's bundled digits.

    moons(n, noise, seed)             two interleaving half circles, labels 0/1      -> (X, y)
    spirals(n, classes, noise, seed)  arms of a spiral, one class per arm            -> (X, y)
    blobs(n, centers, std, seed)      Gaussian clusters around given centres         -> (X, y)
    linear(n, slope, intercept, noise, seed)   y = slope x + intercept + noise       -> (x, y)
    digits(test_size, seed)           8x8 handwritten digits in [0, 1], stratified split -> Digits

X is float64 of shape (n, 2) (digits: (n, 64)), y holds int64 class labels; every generator is
seeded, so the same arguments give the same numbers. Nothing is downloaded: the digits ship
inside scikit-learn.
"""
from __future__ import annotations

import functools
import math
from typing import Any, NamedTuple

import numpy as np

from . import _checks as check

__all__ = ["moons", "spirals", "blobs", "linear", "digits", "Digits"]


# --------------------------------------------------------------------------- helpers
def _split(n: int, parts: int) -> np.ndarray:
    """Class sizes for n points in ``parts`` classes, differing by at most one."""
    return np.array([n // parts + (1 if c < n % parts else 0) for c in range(parts)])


# --------------------------------------------------------------------------- toy sets
def moons(n: int = 200, noise: float = 0.2, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Two interleaving half circles: not linearly separable, easy for a small MLP.

        class 0: (cos t, sin t),            t in [0, pi]
        class 1: (1 - cos t, 0.5 - sin t),  t in [0, pi]
        plus N(0, noise^2) on each coordinate; rows in random order.
    """
    n, noise = check.integer("n", n, lo=2), check.nonnegative("noise", noise)
    seed = check.integer("seed", seed, lo=0)
    rng = np.random.default_rng(seed)
    n0, n1 = _split(n, 2)
    t0, t1 = np.linspace(0.0, np.pi, n0), np.linspace(0.0, np.pi, n1)
    X = np.concatenate([np.column_stack([np.cos(t0), np.sin(t0)]),
                        np.column_stack([1.0 - np.cos(t1), 0.5 - np.sin(t1)])])
    y = np.repeat([0, 1], [n0, n1])
    X += noise * rng.standard_normal(X.shape)
    order = rng.permutation(n)
    return X[order], y[order].astype(np.int64)


def spirals(n: int = 300, classes: int = 3, noise: float = 0.2, seed: int = 0
            ) -> tuple[np.ndarray, np.ndarray]:
    """``classes`` spiral arms, one class each (the classic CS231n toy set).

        arm c: radius r in [0, 1], angle = 4 r + 2 pi c / classes + noise * N(0, 1)
        point = r (sin angle, cos angle); rows in random order.
    """
    n, classes = check.integer("n", n, lo=1), check.integer("classes", classes, lo=2)
    if n < classes:
        raise ValueError(f"n must be >= classes (at least one point per arm), "
                         f"got n={n}, classes={classes}")
    noise, seed = check.nonnegative("noise", noise), check.integer("seed", seed, lo=0)
    rng = np.random.default_rng(seed)
    Xs, ys = [], []
    for c, size in enumerate(_split(n, classes)):
        r = np.linspace(0.0, 1.0, size)
        angle = 4.0 * r + 2.0 * np.pi * c / classes + noise * rng.standard_normal(size)
        Xs.append(np.column_stack([r * np.sin(angle), r * np.cos(angle)]))
        ys.append(np.full(size, c))
    order = rng.permutation(n)
    return np.concatenate(Xs)[order], np.concatenate(ys)[order].astype(np.int64)


def blobs(n: int = 200, centers: Any = ((-1.5, -1.0), (1.5, -1.0), (0.0, 1.5)), std: float = 0.6,
          seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Gaussian clusters: class c is N(centers[c], std^2 I); rows in random order."""
    n, std = check.integer("n", n, lo=1), check.nonnegative("std", std)
    seed = check.integer("seed", seed, lo=0)
    try:
        C = np.asarray(centers, dtype=np.float64)
    except (TypeError, ValueError):
        raise ValueError("centers must be an array of shape (classes, dims)") from None
    if C.ndim != 2 or C.shape[0] < 1 or C.shape[1] < 1 or not np.isfinite(C).all():
        raise ValueError(f"centers must be a finite array of shape (classes, dims), "
                         f"got shape {C.shape}")
    if n < C.shape[0]:
        raise ValueError(f"n must be >= the number of centers ({C.shape[0]}), got {n}")
    rng = np.random.default_rng(seed)
    y = np.repeat(np.arange(C.shape[0]), _split(n, C.shape[0]))
    X = C[y] + std * rng.standard_normal((n, C.shape[1]))
    order = rng.permutation(n)
    return X[order], y[order].astype(np.int64)


def linear(n: int = 50, slope: float = 2.0, intercept: float = 1.0, noise: float = 0.5,
           seed: int = 0, xlim: tuple[float, float] = (-3.0, 3.0)) -> tuple[np.ndarray, np.ndarray]:
    """A regression toy: y = slope x + intercept + N(0, noise^2), x uniform on ``xlim``.

    Returns 1-D arrays x (sorted) and y, each of length n; use ``x[:, None]`` as an MLP input.
    """
    n, seed = check.integer("n", n, lo=1), check.integer("seed", seed, lo=0)
    slope, intercept = check.real("slope", slope), check.real("intercept", intercept)
    noise = check.nonnegative("noise", noise)
    lo, hi = check.interval("xlim", xlim)
    rng = np.random.default_rng(seed)
    x = np.sort(rng.uniform(lo, hi, n))
    return x, slope * x + intercept + noise * rng.standard_normal(n)


# --------------------------------------------------------------------------- digits
@functools.lru_cache(maxsize=1)
def _load_digits() -> tuple[np.ndarray, np.ndarray]:
    """All 1797 digits, pixels scaled from grey levels 0..16 to [0, 1] (read once, never mutated)."""
    from sklearn.datasets import load_digits

    bunch = load_digits()
    X, y = bunch.data.astype(np.float64) / 16.0, bunch.target.astype(np.int64)
    X.flags.writeable = y.flags.writeable = False
    return X, y


class Digits(NamedTuple):
    """A train/test split of the 8x8 digits; rows are images flattened to 64 pixels in [0, 1]."""
    X_train: np.ndarray
    y_train: np.ndarray
    X_test: np.ndarray
    y_test: np.ndarray


def digits(test_size: float = 0.25, seed: int = 0) -> Digits:
    """scikit-learn's bundled 1797 handwritten digits (8x8, grey levels 0..16), scaled to [0, 1].

    Split with the same fraction of every class in train and test (stratified), seeded.
    ``X_train[i].reshape(8, 8)`` is an image; labels are 0..9.
    """
    check.real("test_size", test_size, "a fraction in (0, 1)", lambda v: 0.0 < v < 1.0)
    seed = check.integer("seed", seed, lo=0)
    n_test = math.ceil(test_size * 1797)
    if not 10 <= n_test <= 1787:
        raise ValueError(f"test_size must leave at least one image of each of the 10 classes on "
                         f"both sides (test_size in [0.006, 0.994]), got {test_size!r}")
    from sklearn.model_selection import train_test_split

    X, y = _load_digits()
    X_train, X_test, y_train, y_test = train_test_split(
        X, y, test_size=float(test_size), stratify=y, random_state=seed)
    return Digits(np.ascontiguousarray(X_train), y_train, np.ascontiguousarray(X_test), y_test)
