"""gradlib.surfaces: SymPy-built surfaces checked against finite differences and closed forms."""
from __future__ import annotations

import dataclasses
import math
import time
import warnings

import numpy as np
import pytest
import scipy.optimize

from gradlib import numeric, surfaces
from gradlib.surfaces import Surface

REQUIRED = ["quadratic", "rosenbrock", "beale", "himmelblau", "saddle", "monkey_saddle",
            "six_hump_camel", "booth", "quadratic_nd"]
SPD = [[3.0, 1.0, 0.0], [1.0, 2.0, 0.5], [0.0, 0.5, 1.0]]


def build(name: str) -> Surface:
    return surfaces.get(name, A=SPD, b=[1.0, -1.0, 0.5]) if name == "quadratic_nd" else surfaces.get(name)


ALL = [build(name) for name in surfaces.names()] + [
    surfaces.get("quadratic", kappa=25, angle=30, scale=2),
    surfaces.get("rosenbrock", a=-0.5, b=10),
    Surface.from_text("x**2 + 3*y**2 - x*y"),
]
IDS = [f"{s.name}-{i}" for i, s in enumerate(ALL)]


def sample_points(s: Surface, k: int = 4, seed: int = 0) -> np.ndarray:
    """k random points inside the surface's window (all coordinates for n-D)."""
    rng = np.random.default_rng(seed)
    lo = np.array([s.xlim[0], s.ylim[0]] * s.n)[: s.n]
    hi = np.array([s.xlim[1], s.ylim[1]] * s.n)[: s.n]
    return lo + (hi - lo) * rng.uniform(0.1, 0.9, size=(k, s.n))


def test_catalogue_has_the_required_surfaces():
    assert set(REQUIRED) <= set(surfaces.names())
    assert len(surfaces.names()) >= 12


@pytest.mark.parametrize("s", ALL, ids=IDS)
def test_minima_are_stationary_with_positive_definite_hessian(s):
    for m in s.minima:
        g = s.grad(m)
        assert np.linalg.norm(g) <= 1e-9 * max(1.0, np.abs(s.hess(m)).max())
        # positive definite, checked on the finite-difference Hessian (an independent oracle)
        assert np.linalg.eigvalsh(numeric.hessian(s.f, m))[0] > 0
        assert np.linalg.eigvalsh(s.hess(m))[0] > 0
    if len(s.minima):
        assert s.global_min == pytest.approx(min(float(s.f(m)) for m in s.minima), abs=1e-12)


@pytest.mark.parametrize("s", ALL, ids=IDS)
def test_grad_and_hess_agree_with_finite_differences(s):
    for p in sample_points(s):
        g, H = s.grad(p), s.hess(p)
        scale = max(1.0, np.abs(g).max())
        np.testing.assert_allclose(g, numeric.gradient(s.f, p), rtol=1e-6, atol=1e-6 * scale)
        # complex-step inner gradient: accurate to ~1e-10 relative
        np.testing.assert_allclose(H, numeric.hessian(s.f, p, method="complex"),
                                   rtol=1e-6, atol=1e-6 * max(1.0, np.abs(H).max()))
        np.testing.assert_array_equal(H, H.T)


@pytest.mark.parametrize("s", ALL, ids=IDS)
def test_vectorized_shapes_and_agreement_with_single_points(s):
    pts = sample_points(s, k=6).reshape(2, 3, s.n)
    F, G, H = s.f(pts), s.grad(pts), s.hess(pts)
    assert F.shape == (2, 3) and G.shape == (2, 3, s.n) and H.shape == (2, 3, s.n, s.n)
    for idx in np.ndindex(2, 3):
        p = pts[idx]
        assert isinstance(s.f(p), np.floating)
        assert s.f(p) == pytest.approx(F[idx], rel=1e-13, abs=1e-13)
        np.testing.assert_allclose(s.grad(p), G[idx], rtol=1e-13, atol=1e-12)
        np.testing.assert_allclose(s.hess(p), H[idx], rtol=1e-13, atol=1e-12)
    assert s.start.shape == (s.n,) and np.isfinite(s.f(s.start))
    assert s.minima.ndim == 2 and s.minima.shape[1] == s.n


def test_plain_lists_tuples_and_integers_are_accepted():
    s = surfaces.get("rosenbrock")
    # f = (1 - x)^2 + 100 (y - x^2)^2 at (2, 3): 1 + 100 = 101, computed by hand
    assert s.f([2, 3]) == 101.0
    assert s.f((2.0, 3.0)) == 101.0
    np.testing.assert_array_equal(s.f([[2, 3], [1, 1]]), [101.0, 0.0])
    # df/dx = -2(1 - x) - 400 x (y - x^2), df/dy = 200 (y - x^2), by hand at (2, 3)
    np.testing.assert_array_equal(s.grad([2, 3]), [2 + 800, -200])


@pytest.mark.parametrize("bad", [[1.0], [1.0, 2.0, 3.0], 5.0, [[1.0, 2.0, 3.0]]])
def test_wrong_point_shape_is_a_clear_error(bad):
    s = surfaces.get("beale")
    for method in (s.f, s.grad, s.hess):
        with pytest.raises(ValueError, match=r"p must have shape \(\.\.\., 2\) .*got shape"):
            method(bad)


def test_non_numeric_points_are_rejected():
    with pytest.raises(ValueError, match="p must be numeric"):
        surfaces.get("bowl").f(["a", "b"])


def test_grid_evaluation_is_fast():
    s = surfaces.get("rosenbrock")
    X, Y = np.meshgrid(np.linspace(*s.xlim, 200), np.linspace(*s.ylim, 200))
    P = np.stack([X, Y], axis=-1)
    s.f(P), s.grad(P), s.hess(P)                    # compile once
    t0 = time.perf_counter()
    for _ in range(5):
        s.f(P), s.grad(P), s.hess(P)
    per_call = (time.perf_counter() - t0) / 5
    assert per_call < 0.05, f"f+grad+hess on 200x200 took {per_call * 1e3:.1f} ms"


def test_overflow_gives_inf_without_warnings():
    s = surfaces.get("rosenbrock")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert s.f([1e200, 1.0]) == math.inf                 # the math path overflows -> NumPy
        assert np.all(np.isinf(s.grad([1e200, 1.0])))
        t = Surface.from_text("log(x) + y**2")
        assert np.isnan(t.f([-1.0, 0.0]))
        assert np.isnan(t.f([[-1.0, 0.0]])[0])
        # (-1.0)**1.5 is complex in plain Python; the point path must still give nan
        u = Surface.from_text("x**1.5 + y**2")
        assert np.isnan(u.f([-1.0, 0.0])) and np.isnan(u.grad([-1.0, 0.0])[0])
        assert u.f([4.0, 1.0]) == 9.0


def test_quadratic_has_the_requested_condition_number_and_rotation():
    for kappa, angle, scale in [(1, 0, 1), (10, 0, 1), (25, 30, 2), (100, -60, 0.5), (7, 90, 3)]:
        s = surfaces.get("quadratic", kappa=kappa, angle=angle, scale=scale)
        H = numeric.hessian(s.f, np.array([0.3, -0.2]))      # finite differences, not SymPy
        lam, vec = np.linalg.eigh(H)
        assert lam[0] == pytest.approx(scale, rel=1e-6)
        assert lam[1] / lam[0] == pytest.approx(kappa, rel=1e-6)
        if kappa > 1:  # the flat direction points at `angle` degrees
            t = math.radians(angle)
            assert abs(vec[:, 0] @ [math.cos(t), math.sin(t)]) == pytest.approx(1, abs=1e-6)
        np.testing.assert_array_equal(s.minima, [[0.0, 0.0]])
        assert s.global_min == 0.0


def test_quadratic_nd_matches_its_matrix():
    A, b = np.array(SPD), np.array([1.0, -1.0, 0.5])
    s = surfaces.get("quadratic_nd", A=A, b=b)
    assert s.n == 3 and s.ylim is not None
    p = np.array([0.3, -1.2, 2.0])
    assert s.f(p) == pytest.approx(0.5 * p @ A @ p - b @ p, rel=1e-14)
    np.testing.assert_allclose(s.grad(p), A @ p - b, rtol=1e-14)
    np.testing.assert_allclose(s.hess(p), A, rtol=1e-14)
    # the minimum agrees with SciPy's minimizer
    res = scipy.optimize.minimize(s.f, np.zeros(3), jac=s.grad, method="BFGS", tol=1e-12)
    np.testing.assert_allclose(s.minima[0], res.x, atol=1e-7)
    one = surfaces.quadratic_nd([[4.0]])
    assert one.n == 1 and one.ylim is None and one.f([0.5]) == pytest.approx(0.5)


def test_himmelblau_and_camel_minima_match_the_literature_and_scipy():
    h = surfaces.get("himmelblau")
    assert len(h.minima) == 4 and np.allclose(h.f(h.minima), 0, atol=1e-20)
    c = surfaces.get("six_hump_camel")
    assert len(c.minima) == 6
    # published values (4 digits): global -1.0316 (twice), then -0.2155 and 2.1043 (twice each)
    np.testing.assert_allclose(np.sort(c.f(c.minima)), [-1.0316, -1.0316, -0.2155, -0.2155,
                                                         2.1043, 2.1043], atol=1e-4)
    assert c.global_min == pytest.approx(-1.0316, abs=1e-4)
    for s in (h, c, surfaces.get("styblinski_tang")):
        for m in s.minima:  # SciPy polishes each minimum to the same point
            res = scipy.optimize.minimize(s.f, m + 1e-3, jac=s.grad, hess=s.hess,
                                          method="trust-exact", options={"gtol": 1e-12})
            np.testing.assert_allclose(res.x, m, atol=1e-9)
        # distinct minima
        d = np.linalg.norm(s.minima[:, None] - s.minima[None], axis=-1)
        assert d[~np.eye(len(s.minima), dtype=bool)].min() > 0.1


def test_saddles_have_no_minima():
    for name in ("saddle", "monkey_saddle"):
        s = surfaces.get(name)
        assert s.minima.shape == (0, 2) and s.global_min is None
        np.testing.assert_allclose(s.grad([0.0, 0.0]), [0.0, 0.0])
    # x^2 - y^2: Hessian diag(2, -2), an indefinite matrix
    np.testing.assert_array_equal(surfaces.get("saddle").hess([0.4, 0.1]), [[2, 0], [0, -2]])


def test_from_text_through_the_safe_parser():
    s = Surface.from_text("x**2 + 3*y**2 - x*y")
    x, y = 1.0, 2.0
    assert s.f([x, y]) == x**2 + 3 * y**2 - x * y
    np.testing.assert_allclose(s.grad([x, y]), [2 * x - y, 6 * y - x])
    np.testing.assert_allclose(s.hess([x, y]), [[2, -1], [-1, 6]])
    assert s.minima.shape == (0, 2) and s.global_min is None
    assert s.xlim == (-3.0, 3.0) and s.start.shape == (2,)
    assert "x**2 + 3*y**2 - x*y" in s.title and s.latex.startswith("$f(x, y) =")
    named = Surface.from_text("x^2 + y^2", xlim=(-1, 1), ylim=(0, 2), start=[0.5, 0.5], name="mine")
    assert named.name == "mine" and named.ylim == (0.0, 2.0)
    np.testing.assert_array_equal(named.start, [0.5, 0.5])
    one = Surface.from_text("(w - 1)**2", variables=("w",))
    assert one.n == 1 and one.ylim is None and one.grad([3.0]) == pytest.approx([4.0])
    for bad in ("__import__('os')", "x.real", "open('f')", "z + x"):
        with pytest.raises(ValueError):
            Surface.from_text(bad)
    with pytest.raises(ValueError, match="xlim must be finite with low < high"):
        Surface.from_text("x + y", xlim=(1, -1))
    with pytest.raises(ValueError, match=r"start must be 2 finite numbers"):
        Surface.from_text("x + y", start=[1, 2, 3])


def test_from_text_picks_a_start_inside_the_domain():
    s = Surface.from_text("log(x) + log(y)")
    assert np.all(s.start > 0) and np.isfinite(s.f(s.start))


def test_log_levels_guess():
    assert Surface.from_text("(1 - x)**2 + 100*(y - x**2)**2", xlim=(-2, 2), ylim=(-1, 3)).log_levels
    assert not Surface.from_text("x**2 + y**2").log_levels
    assert surfaces.get("rosenbrock").log_levels and surfaces.get("beale").log_levels
    assert not surfaces.get("saddle").log_levels


def test_surfaces_are_immutable():
    s = surfaces.get("bowl")
    with pytest.raises(dataclasses.FrozenInstanceError):
        s.start = np.zeros(2)  # type: ignore[misc]
    with pytest.raises(ValueError):
        s.minima[0, 0] = 5.0
    with pytest.raises(ValueError):
        s.start[0] = 5.0


@pytest.mark.parametrize("call, match", [
    (lambda: surfaces.get("nope"), r"name: unknown surface 'nope'; known surfaces are quadratic"),
    (lambda: surfaces.get("quadratic", kappa=0.5), r"kappa must be a finite number \(condition number\) >= 1, got 0.5"),
    (lambda: surfaces.get("quadratic", angle=float("nan")), r"angle must be a finite number"),
    (lambda: surfaces.get("quadratic", angle="ten"), r"angle must be a finite number \(degrees\), got 'ten'"),
    (lambda: surfaces.get("quadratic", scale=0), r"scale must be a finite number > 0, got 0"),
    (lambda: surfaces.get("rosenbrock", c=1), r"c: not a parameter of surface 'rosenbrock' \(it takes a, b\)"),
    (lambda: surfaces.get("rosenbrock", b=-1), r"b must be a finite number > 0"),
    (lambda: surfaces.get("beale", a=1), r"a: not a parameter of surface 'beale' \(it takes no parameters\)"),
    (lambda: surfaces.get("quadratic_nd"), r"surface 'quadratic_nd': missing a required argument: 'A'"),
    (lambda: surfaces.get("quadratic_nd", A=[[1, 2], [2, 1]]), r"A must be positive definite"),
    (lambda: surfaces.get("quadratic_nd", A=[[1, 2], [0, 1]]), r"A must be symmetric"),
    (lambda: surfaces.get("quadratic_nd", A=[[1, 2, 3]]), r"A must be a square n x n matrix, got shape \(1, 3\)"),
    (lambda: surfaces.get("quadratic_nd", A=[[1, 0], [0, np.inf]]), r"A must have finite entries"),
    (lambda: surfaces.get("quadratic_nd", A=np.eye(2), b=[1, 2, 3]), r"b must be 2 finite numbers"),
])
def test_bad_parameters_name_the_argument(call, match):
    with pytest.raises(ValueError, match=match):
        call()


def test_abs_in_a_typed_formula_has_a_hessian_away_from_the_kink() -> None:
    """d²|x|/dx² is a DiracDelta; as a function it is 0 away from x = 0 (both evaluation paths)."""
    s = surfaces.Surface.from_text("abs(x) + y**2")
    np.testing.assert_array_equal(s.hess([1.0, 2.0]), [[0.0, 0.0], [0.0, 2.0]])
    np.testing.assert_array_equal(s.hess(np.array([[1.0, 2.0], [-3.0, 1.0]])),
                                  [[[0.0, 0.0], [0.0, 2.0]]] * 2)
