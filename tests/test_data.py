"""gradlib.data: shapes, seeds, the geometry each generator promises, and argument checks."""
from __future__ import annotations

import numpy as np
import pytest

from gradlib import data


@pytest.mark.parametrize("make, kwargs", [
    (data.moons, dict(n=101)), (data.spirals, dict(n=100, classes=4)),
    (data.blobs, dict(n=50)), (data.linear, dict(n=30)),
])
def test_generators_are_seeded_typed_and_shaped(make, kwargs):
    a, b = make(**kwargs, seed=3)
    a2, b2 = make(**kwargs, seed=3)
    a3, _ = make(**kwargs, seed=4)
    assert np.array_equal(a, a2) and np.array_equal(b, b2)
    assert not np.array_equal(a, a3)
    assert a.dtype == np.float64 and len(a) == len(b) == kwargs["n"]
    if make is not data.linear:
        assert a.shape == (kwargs["n"], 2) and b.dtype == np.int64


def test_moons_without_noise_lie_on_their_two_half_circles():
    X, y = data.moons(n=201, noise=0.0, seed=0)
    assert np.bincount(y).tolist() == [101, 100]
    upper, lower = X[y == 0], X[y == 1]
    np.testing.assert_allclose(np.hypot(*upper.T), 1.0, atol=1e-12)
    assert upper[:, 1].min() >= -1e-12                                   # upper half
    np.testing.assert_allclose(np.hypot(lower[:, 0] - 1.0, lower[:, 1] - 0.5), 1.0, atol=1e-12)
    assert lower[:, 1].max() <= 0.5 + 1e-12                              # lower half
    Xn, _ = data.moons(n=201, noise=0.3, seed=0)
    residual = np.hypot(*Xn[y == 0].T) - 1.0
    assert 0.1 < residual.std() < 0.5                                     # the noise shows


def test_spirals_arms_have_equal_sizes_and_radius_in_unit_disc():
    X, y = data.spirals(n=302, classes=3, noise=0.0, seed=1)
    assert sorted(np.bincount(y).tolist()) == [100, 101, 101]
    r = np.hypot(*X.T)
    assert r.max() == pytest.approx(1.0) and r.min() == pytest.approx(0.0)
    # without noise, angle = 4 r + 2 pi c / classes (mod 2 pi), with angle measured from the y axis
    angle = np.arctan2(X[:, 0], X[:, 1])
    expected = 4 * r + 2 * np.pi * y / 3
    diff = np.angle(np.exp(1j * (angle - expected)))
    assert np.abs(diff[r > 1e-9]).max() < 1e-9


def test_blobs_cluster_around_their_centers():
    centers = [(0.0, 0.0), (5.0, 5.0)]
    X, y = data.blobs(n=4000, centers=centers, std=0.5, seed=2)
    for c, center in enumerate(centers):
        pts = X[y == c]
        np.testing.assert_allclose(pts.mean(axis=0), center, atol=0.05)
        np.testing.assert_allclose(pts.std(axis=0), 0.5, rtol=0.06)


def test_linear_follows_its_line():
    x, y = data.linear(n=25, slope=-1.5, intercept=0.5, noise=0.0, seed=0, xlim=(0.0, 2.0))
    assert np.all(np.diff(x) >= 0) and x.min() >= 0.0 and x.max() <= 2.0
    np.testing.assert_allclose(y, -1.5 * x + 0.5, atol=1e-15)
    x, y = data.linear(n=2000, slope=2.0, intercept=1.0, noise=0.5, seed=1)
    slope, intercept = np.polyfit(x, y, 1)
    assert slope == pytest.approx(2.0, abs=0.05) and intercept == pytest.approx(1.0, abs=0.05)
    assert (y - (slope * x + intercept)).std() == pytest.approx(0.5, rel=0.05)


def test_digits_scaled_stratified_and_seeded():
    d = data.digits()
    assert d.X_train.shape == (1347, 64) and d.X_test.shape == (450, 64)
    assert d.X_train.dtype == np.float64 and d.y_train.dtype == np.int64
    assert d.X_train.min() == 0.0 and d.X_train.max() == 1.0
    # grey levels 0..16 scaled by 1/16
    np.testing.assert_allclose(d.X_train * 16, np.round(d.X_train * 16), atol=1e-12)
    all_counts = np.bincount(np.concatenate([d.y_train, d.y_test]))
    np.testing.assert_allclose(np.bincount(d.y_test) / all_counts, 0.25, atol=0.02)
    again, other = data.digits(), data.digits(seed=1)
    assert np.array_equal(d.X_train, again.X_train) and np.array_equal(d.y_test, again.y_test)
    assert not np.array_equal(d.y_train, other.y_train)
    X_train, y_train, X_test, y_test = data.digits(test_size=0.5)        # unpacks as a 4-tuple
    assert len(X_train) + len(X_test) == 1797 and abs(len(X_test) - 898.5) <= 1
    d.X_train[0, 0] = 123.0                                              # caller's copy ...
    assert data.digits().X_train[0, 0] != 123.0                          # ... not the cache


@pytest.mark.parametrize("call, message", [
    (lambda: data.moons(n=1), r"n must be an integer >= 2, got 1"),
    (lambda: data.moons(n=10.0), r"n must be an integer >= 2, got 10.0"),
    (lambda: data.moons(noise=-0.1), r"noise must be a finite number >= 0, got -0.1"),
    (lambda: data.moons(seed=-1), r"seed must be an integer >= 0, got -1"),
    (lambda: data.spirals(classes=1), r"classes must be an integer >= 2, got 1"),
    (lambda: data.spirals(n=2, classes=3), r"n must be >= classes"),
    (lambda: data.spirals(noise=float("nan")), r"noise must be a finite number >= 0, got nan"),
    (lambda: data.blobs(centers=[1, 2]), r"centers must be a finite array of shape \(classes, dims\), got shape \(2,\)"),
    (lambda: data.blobs(n=2, centers=[[0, 0]] * 3), r"n must be >= the number of centers \(3\), got 2"),
    (lambda: data.blobs(std=-1.0), r"std must be a finite number >= 0, got -1.0"),
    (lambda: data.linear(slope=float("inf")), r"slope must be a finite number, got inf"),
    (lambda: data.linear(xlim=(1.0, 1.0)), r"xlim must be finite with low < high"),
    (lambda: data.linear(xlim=3), r"xlim must be a pair \(low, high\)"),
    (lambda: data.digits(test_size=1.0), r"test_size must be a fraction in \(0, 1\), got 1.0"),
    (lambda: data.digits(test_size=0.001), r"test_size must leave at least one image of each"),
    (lambda: data.digits(seed=True), r"seed must be an integer >= 0, got True"),
])
def test_bad_arguments(call, message):
    with pytest.raises(ValueError, match=message):
        call()
