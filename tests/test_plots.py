"""gradlib.plots: each function draws what it says, returns those artists, and rejects bad input.

Oracles: closed forms (Rosenbrock's largest value on its window, the eigenvalues of a 2x2
symmetric matrix from the quadratic formula), the surface's own f, and the data we passed in.
"""
from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from matplotlib import colors as mcolors
from matplotlib.contour import QuadContourSet
from matplotlib.lines import Line2D
from mpl_toolkits.mplot3d.art3d import Poly3DCollection

from gradlib import curvature, optim, plots, surfaces


pytestmark = pytest.mark.usefixtures("close_figures")      # plt.close("all") after each test


def _is_geometric(values: np.ndarray) -> bool:
    ratios = values[1:] / values[:-1]
    return bool(np.all(values > 0) and np.allclose(ratios, ratios[0], rtol=1e-9) and ratios[0] > 1)


def _is_linear(values: np.ndarray) -> bool:
    steps = np.diff(values)
    return bool(np.allclose(steps, steps[0], rtol=1e-9) and steps[0] > 0)


class _Counting:
    """A duck-typed surface (no log_levels) whose values span decades; counts calls to f."""
    variables = ("u", "v")
    xlim, ylim = (-1.0, 1.0), (-1.0, 1.0)
    minima = np.array([[0.0, 0.0]])
    start = np.array([0.9, 0.9])
    name = "steep"

    def __init__(self) -> None:
        self.calls = 0

    def f(self, p):
        self.calls += 1
        p = np.asarray(p, dtype=float)
        return np.exp(8 * (p[..., 0] ** 2 + p[..., 1] ** 2)) - 1


# -- contours ------------------------------------------------------------------------------------
def test_contour_returns_its_sets_and_uses_the_surface_window(rosenbrock):
    fig, ax = plt.subplots()
    result = plots.contour(rosenbrock, ax, levels=25)
    assert isinstance(result, plots.ContourResult)
    assert isinstance(result.filled, QuadContourSet) and isinstance(result.lines, QuadContourSet)
    assert result.filled.axes is ax and result.lines.axes is ax
    assert ax.get_xlim() == rosenbrock.xlim and ax.get_ylim() == rosenbrock.ylim
    assert ax.get_xlabel() == "x" and ax.get_ylabel() == "y"
    np.testing.assert_allclose(result.levels, result.lines.levels)


def test_contour_levels_are_geometric_when_the_surface_asks(rosenbrock):
    assert rosenbrock.log_levels
    result = plots.contour(rosenbrock, levels=30)
    assert result.log and len(result.levels) == 30
    assert _is_geometric(result.levels - result.shift)
    # The top level is the largest value on the window: the corner (-2, -1), where
    # (1 - x)^2 + 100 (y - x^2)^2 = 9 + 100 * 25 (the grid contains the corners).
    assert result.levels[-1] == pytest.approx(9 + 100 * 25, rel=1e-12)


def test_contour_levels_are_linear_when_not_asked():
    bowl = surfaces.get("quadratic", kappa=4.0)
    assert not bowl.log_levels
    result = plots.contour(bowl, levels=12)
    assert not result.log and _is_linear(result.levels)
    forced = plots.contour(bowl, levels=12, log=True)
    assert forced.log and _is_geometric(forced.levels - forced.shift)


def test_log_levels_shift_by_the_minimum_where_f_is_negative():
    saddle = surfaces.get("saddle")
    grid = plots.surface_grid(saddle, 200)
    assert grid.Z.min() < 0
    result = plots.contour(saddle, levels=20, log=True)
    assert result.shift == pytest.approx(grid.Z.min())
    assert _is_geometric(result.levels - result.shift)
    assert result.levels[-1] == pytest.approx(grid.Z.max())


def test_contour_detects_decades_on_a_surface_without_log_levels():
    steep = _Counting()
    result = plots.contour(steep, levels=15)
    assert result.log and _is_geometric(result.levels - result.shift)
    assert plt.gca().get_xlabel() == "u"


def test_grid_is_evaluated_once_per_surface_and_resolution():
    steep = _Counting()
    plots.contour(steep, resolution=60)
    plots.contour(steep, resolution=60, filled=False)
    assert steep.calls == 1
    grid = plots.surface_grid(steep, 60)
    assert grid is plots.surface_grid(steep, 60)
    assert not grid.Z.data.flags.writeable and not grid.X.flags.writeable
    plots.surface_grid(steep, 61)
    assert steep.calls == 2
    # f itself, at a grid node, is what the grid holds
    assert grid.Z[7, 11] == pytest.approx(steep.f(np.array([grid.X[7, 11], grid.Y[7, 11]])))


def test_explicit_levels_are_used_as_given(rosenbrock):
    result = plots.contour(rosenbrock, levels=[1.0, 10.0, 50.0], filled=False)
    assert result.filled is None
    np.testing.assert_allclose(result.levels, [1.0, 10.0, 50.0])


def test_surface3d_draws_on_3d_axes(rosenbrock):
    art = plots.surface3d(rosenbrock, resolution=30)
    assert isinstance(art, Poly3DCollection)
    assert art.axes.name == "3d"
    fig = plt.figure()
    ax = fig.add_subplot(projection="3d")
    assert plots.surface3d(rosenbrock, ax, resolution=20).axes is ax


def test_wrong_axes_are_rejected(rosenbrock):
    fig, ax = plt.subplots()
    with pytest.raises(ValueError, match=r"ax must be a 3-D Axes .*projection='3d'"):
        plots.surface3d(rosenbrock, ax)
    ax3 = plt.figure().add_subplot(projection="3d")
    with pytest.raises(ValueError, match="ax must be a 2-D Axes, got a 3-D Axes"):
        plots.contour(rosenbrock, ax3)
    with pytest.raises(ValueError, match="ax must be a matplotlib Axes or None, got Figure"):
        plots.minima(rosenbrock, fig)


def test_surface_must_be_two_dimensional_and_inputs_sane(rosenbrock):
    three = surfaces.get("quadratic_nd", A=np.diag([1.0, 2.0, 3.0]))
    with pytest.raises(ValueError, match="surface must be a function of 2 variables.*has 3"):
        plots.contour(three)
    with pytest.raises(ValueError, match=r"resolution must be an integer in \[2, 2000\], got 1"):
        plots.contour(rosenbrock, resolution=1)
    with pytest.raises(ValueError, match="levels must be a count or finite increasing values"):
        plots.contour(rosenbrock, levels=[3.0, 1.0])


# -- minima, paths, loss curves -----------------------------------------------------------------
def test_minima_markers_sit_on_the_minima():
    himmelblau = surfaces.get("himmelblau")
    line = plots.minima(himmelblau)
    assert isinstance(line, Line2D)
    np.testing.assert_allclose(line.get_xydata(), himmelblau.minima)


def test_path_lines_carry_the_path_and_move_in_place(rosenbrock):
    run = optim.descend(rosenbrock, optim.gd(lr=1e-3), steps=50)
    fig, ax = plt.subplots()
    drawn = plots.path(run, ax, label="gd", color="C3")
    assert isinstance(drawn, plots.PathArtists)
    np.testing.assert_array_equal(drawn.line.get_xydata(), run.xs)
    assert drawn.line.get_marker() == "o" and drawn.line.get_label() == "gd"
    np.testing.assert_array_equal(drawn.start.get_xydata(), run.xs[:1])
    np.testing.assert_array_equal(drawn.end.get_xydata(), run.xs[-1:])
    assert drawn.end.get_marker() == "s"

    blown = optim.descend(rosenbrock, optim.gd(lr=1e-2), steps=50)
    assert blown.status == "diverged"
    moved = plots.set_path(drawn, blown)
    assert moved.line is drawn.line
    np.testing.assert_array_equal(drawn.line.get_xydata(), blown.xs)
    np.testing.assert_array_equal(drawn.end.get_xydata(), blown.xs[-1:])
    assert drawn.end.get_marker() == "X"


def test_path_accepts_plain_arrays_and_rejects_bad_ones():
    xs = np.array([[0.0, 1.0], [0.5, 0.5], [1.0, 0.25]])
    drawn = plots.path(xs)
    np.testing.assert_array_equal(drawn.line.get_xydata(), xs)
    with pytest.raises(ValueError, match=r"path must hold points of shape \(k, 2\).*\(3, 3\)"):
        plots.path(np.zeros((3, 3)))
    with pytest.raises(ValueError, match=r"path must hold points of shape \(k, 2\).*\(0, 2\)"):
        plots.path(np.zeros((0, 2)))
    with pytest.raises(ValueError, match="path must hold finite points only"):
        plots.path([[0.0, 0.0], [np.nan, 1.0]])


def test_loss_curve_is_log_for_positive_losses_and_marks_divergence(rosenbrock):
    good = optim.descend(rosenbrock, optim.gd(lr=1e-3), steps=40)
    bad = optim.descend(rosenbrock, optim.gd(lr=1e-2), steps=40)
    fig, ax = plt.subplots()
    curves = plots.loss_curve([good, bad], ax)
    assert curves.yscale == "log" and ax.get_yscale() == "log"
    for line, run in zip(curves.lines, (good, bad)):
        np.testing.assert_array_equal(line.get_ydata(), run.losses)
        np.testing.assert_array_equal(line.get_xdata(), np.arange(len(run.losses)))
    assert [line.get_label() for line in curves.lines] == ["gd", "gd"]
    assert len(curves.ends) == 1
    np.testing.assert_array_equal(curves.ends[0].get_xydata(),
                                  [[len(bad.losses) - 1, bad.losses[-1]]])


def test_loss_curve_uses_symlog_when_losses_go_negative():
    saddle = surfaces.get("saddle")
    run = optim.descend(saddle, optim.gd(lr=0.1), steps=100)
    assert run.losses.min() < 0 < run.losses.max()
    curves = plots.loss_curve(run)
    assert curves.yscale == "symlog" and curves.lines[0].axes.get_yscale() == "symlog"
    assert plots.loss_curve(run, log=False).yscale == "linear"


def test_loss_curve_rejects_an_empty_list():
    with pytest.raises(ValueError, match="paths must contain at least one path, got an empty"):
        plots.loss_curve([])


def test_paths_draws_contour_minima_paths_and_legend(rosenbrock):
    runs = [optim.descend(rosenbrock, opt, steps=60)
            for opt in (optim.gd(lr=1e-3), optim.momentum(lr=1e-3), optim.adam(lr=0.05))]
    drawn = plots.paths(rosenbrock, runs)
    assert isinstance(drawn, plots.PathsPlot)
    assert [t.get_text() for t in drawn.legend.get_texts()] == ["gd", "momentum", "adam"]
    for artists, run in zip(drawn.paths, runs):
        np.testing.assert_array_equal(artists.line.get_xydata(), run.xs)
    assert len({a.line.get_color() for a in drawn.paths}) == 3
    np.testing.assert_allclose(drawn.minima.get_xydata(), rosenbrock.minima)
    assert drawn.contour.log
    with pytest.raises(ValueError, match="paths must contain at least one path"):
        plots.paths(rosenbrock, [])
    with pytest.raises(ValueError, match=r"labels and colors must have one entry per path \(3\)"):
        plots.paths(rosenbrock, runs, labels=["a"])


# -- curvature glyphs ---------------------------------------------------------------------------
def _closed_form_eigenvalues(H: np.ndarray) -> np.ndarray:
    """Eigenvalues of [[a, b], [b, d]]: (a + d)/2 -+ sqrt(((a - d)/2)^2 + b^2), ascending."""
    a, b, d = H[0, 0], H[0, 1], H[1, 1]
    mid, radius = (a + d) / 2, np.hypot((a - d) / 2, b)
    return np.array([mid - radius, mid + radius])


def _arrows(glyph: plots.EigenGlyph) -> np.ndarray:
    return np.column_stack([glyph.quiver.U, glyph.quiver.V])


def _check_glyph(glyph: plots.EigenGlyph, point: np.ndarray, H: np.ndarray) -> None:
    np.testing.assert_allclose(glyph.quiver.get_offsets(), [point, point])
    lam = _closed_form_eigenvalues(H)
    arrows = _arrows(glyph)
    top = np.abs(lam).max()
    faces = glyph.quiver.get_facecolor()
    for arrow, face, l in zip(arrows, faces, lam):
        length = np.linalg.norm(arrow)
        # the length is proportional to |lambda| (the largest gets `scale`)
        assert length == pytest.approx(glyph.scale * abs(l) / top, rel=1e-9,
                                       abs=1e-12 * glyph.scale)
        if length > 1e-9 * glyph.scale:
            # along an eigenvector: H a = lambda a, with lambda from the closed form
            np.testing.assert_allclose(H @ arrow, l * arrow, atol=1e-9 * top * glyph.scale)
        if abs(l) > 1e-6 * top:
            wanted = plots.POSITIVE_CURVATURE_COLOR if l > 0 else plots.NEGATIVE_CURVATURE_COLOR
            np.testing.assert_allclose(face, mcolors.to_rgba(wanted))
        elif abs(l) < 1e-12 * top:
            np.testing.assert_allclose(face, mcolors.to_rgba(plots.FLAT_CURVATURE_COLOR))


symmetric = st.tuples(*[st.floats(-50, 50, allow_nan=False, allow_infinity=False)] * 3).filter(
    lambda t: max(abs(v) for v in t) > 1e-3)


@settings(max_examples=25)
@given(entries=symmetric, point=st.tuples(st.floats(-2, 2), st.floats(-1, 3)))
def test_glyph_arrows_point_along_eigenvectors_with_length_and_color_from_lambda(entries, point):
    a, b, d = entries
    H = np.array([[a, b], [b, d]])
    fig, ax = plt.subplots()
    ax.set_xlim(-2, 2)
    glyph = plots.eigen_glyph(ax, point, H)
    assert glyph.scale == pytest.approx(0.15 * 4)
    _check_glyph(glyph, np.array(point), H)
    plt.close(fig)


def test_glyph_updates_in_place_and_follows_a_path(rosenbrock):
    run = optim.descend(rosenbrock, optim.gd(lr=1e-3), steps=30)
    fig, ax = plt.subplots()
    plots.contour(rosenbrock, ax)
    glyph = plots.eigen_glyph(ax, run.xs[0], rosenbrock.hess(run.xs[0]))
    quiver = glyph.quiver
    for x in run.xs[::10]:
        assert plots.update_eigen_glyph(glyph, x, rosenbrock.hess(x)) is glyph
        assert glyph.quiver is quiver
        _check_glyph(glyph, x, rosenbrock.hess(x))
    # a saddle's Hessian gives one arrow of each color
    plots.update_eigen_glyph(glyph, [0.0, 0.0], np.array([[2.0, 0.0], [0.0, -1.0]]))
    colors = [mcolors.to_hex(c) for c in glyph.quiver.get_facecolor()]
    assert sorted(colors) == sorted([plots.NEGATIVE_CURVATURE_COLOR,
                                     plots.POSITIVE_CURVATURE_COLOR])
    assert quiver in ax.collections and sum(c is quiver for c in ax.collections) == 1
    # zero curvature (the monkey saddle's flat origin): zero-length grey arrows
    plots.update_eigen_glyph(glyph, [0.0, 0.0], np.zeros((2, 2)))
    np.testing.assert_array_equal(_arrows(glyph), np.zeros((2, 2)))
    np.testing.assert_allclose(glyph.quiver.get_facecolor(),
                               [mcolors.to_rgba(plots.FLAT_CURVATURE_COLOR)] * 2)


def test_glyph_with_a_fixed_reference_scales_by_it():
    fig, ax = plt.subplots()
    H = np.diag([1.0, 4.0])
    glyph = plots.eigen_glyph(ax, [0, 0], H, scale=1.0, ref=8.0)
    np.testing.assert_allclose(sorted(np.linalg.norm(_arrows(glyph), axis=1)), [1 / 8, 4 / 8])


@pytest.mark.parametrize("H, message", [
    (np.eye(3), r"H must be a 2x2 Hessian, got shape \(3, 3\)"),
    (np.array([[1.0, 2.0], [0.0, 1.0]]), "H must be symmetric"),
    (np.array([[1.0, np.inf], [np.inf, 1.0]]), "H must be finite"),
])
def test_glyph_rejects_bad_hessians(H, message):
    fig, ax = plt.subplots()
    with pytest.raises(ValueError, match=message):
        plots.eigen_glyph(ax, [0.0, 0.0], H)
    glyph = plots.eigen_glyph(ax, [0.0, 0.0], np.eye(2))
    with pytest.raises(ValueError, match=message):
        plots.update_eigen_glyph(glyph, [0.0, 0.0], H)
    with pytest.raises(ValueError, match=r"point must be 2 finite coordinates"):
        plots.eigen_glyph(ax, [0.0, 0.0, 1.0], np.eye(2))


def test_quadratic_model_contours_include_the_level_through_the_point(rosenbrock):
    p = np.array([-1.0, 1.5])
    model = curvature.quadratic_model(rosenbrock, p)
    fig, ax = plt.subplots()
    plots.contour(rosenbrock, ax)
    cs = plots.quadratic_model_contours(ax, model, point=p, levels=6, resolution=120)
    assert isinstance(cs, QuadContourSet) and cs.axes is ax
    assert ax.get_xlim() == rosenbrock.xlim and ax.get_ylim() == rosenbrock.ylim
    here = rosenbrock.f(p)          # the model equals f at its own centre
    hits = np.flatnonzero(np.isclose(cs.levels, here, rtol=1e-12))
    assert hits.size == 1
    vertices = np.concatenate(cs.allsegs[hits[0]])
    spacing = (rosenbrock.xlim[1] - rosenbrock.xlim[0]) / 119
    assert np.min(np.linalg.norm(vertices - p, axis=1)) < spacing
    # every vertex of that level set lies (to grid accuracy) on m = f(p)
    values = model(vertices)
    assert np.median(np.abs(values - here)) < 0.05 * np.ptp(model(np.stack(np.meshgrid(
        np.linspace(-2, 2, 50), np.linspace(-1, 3, 50)), -1)))
    with pytest.raises(ValueError, match="model must be a callable on points of shape"):
        plots.quadratic_model_contours(ax, "x**2")


# -- colour-blind safety of the path palette -----------------------------------------------------
# Oracle: the colour-vision-deficiency simulation of Machado, Oliveira & Fernandes (2009),
# severity 1 (dichromacy), applied in linear RGB; distances are CIE76 Delta E in CIELAB (D65).
_CVD = {
    "deuteranopia": np.array([[0.367322, 0.860646, -0.227968], [0.280085, 0.672501, 0.047413],
                              [-0.011820, 0.042940, 0.968881]]),
    "protanopia": np.array([[0.152286, 1.052583, -0.204868], [0.114503, 0.786281, 0.099216],
                            [-0.003882, -0.048116, 1.051998]]),
    "normal vision": np.eye(3),
}


def _linear(c):
    c = np.asarray(c, dtype=float)
    return np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)


def _lab(linear_rgb):
    xyz = np.array([[0.4124, 0.3576, 0.1805], [0.2126, 0.7152, 0.0722],
                    [0.0193, 0.1192, 0.9505]]) @ np.clip(linear_rgb, 0, 1)
    t = xyz / np.array([0.95047, 1.0, 1.08883])
    f = np.where(t > (6 / 29) ** 3, np.cbrt(t), t / (3 * (6 / 29) ** 2) + 4 / 29)
    return np.array([116 * f[1] - 16, 500 * (f[0] - f[1]), 200 * (f[1] - f[2])])


def _closest_pair(palette, vision):
    """The smallest Delta E between two colours of the palette as seen with ``vision``."""
    seen = [_lab(_CVD[vision] @ _linear(mcolors.to_rgb(c))) for c in palette]
    return min(float(np.linalg.norm(a - b)) for i, a in enumerate(seen) for b in seen[i + 1:])


def test_cvd_oracle_flags_tab10_red_and_green():
    # the check can fail: tab10's green and red (and orange and green) merge for dichromats
    tab10 = [mcolors.to_hex(c) for c in plt.get_cmap("tab10").colors[:4]]
    assert _closest_pair(tab10, "deuteranopia") < 8
    assert _closest_pair(tab10, "protanopia") < 8
    assert _closest_pair(tab10, "normal vision") > 30


@pytest.mark.parametrize("vision", list(_CVD))
def test_path_colors_stay_apart_for_colour_blind_readers(vision):
    assert _closest_pair(plots.PATH_COLORS, vision) > 15
    assert plots.path_colors(3) == list(plots.PATH_COLORS[:3])
    assert plots.path_colors(9) == [plots.PATH_COLORS[i % len(plots.PATH_COLORS)] for i in range(9)]
    assert not {"#2ca02c", "#d62728"} & {c.lower() for c in plots.PATH_COLORS}
