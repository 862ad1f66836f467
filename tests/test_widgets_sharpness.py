"""Tests for gradlib.widgets.sharpness: the run summary against hand-derived numbers, the default
problem against notebook 11's recipe, and the explorer driven through its lr slider (Agg): the
plotted data are the runs of an independent sharpness_trace call."""
import numpy as np
import pytest

from gradlib import data
from gradlib.mlp import MLP
from gradlib.widgets import pathologies as P
from gradlib.widgets import sharpness as S

LRS = (0.1, 1.0, 3.0)                  # below the edge, at it, diverging (see the tiny problem)


def tiny_problem():
    X, labels = data.moons(40, noise=0.1, seed=1)
    T = (2.0 * labels - 1.0)[:, None]

    def factory():
        return MLP([2, 8, 1], activation="relu", output="identity", init="he", seed=0)

    return factory, X, T


@pytest.fixture(scope="module")
def reference():
    """The same runs, computed directly by sharpness_trace (the function the explorer wraps)."""
    factory, X, T = tiny_problem()
    return dict(zip(LRS, P.sharpness_trace(factory, X, T, LRS, steps=60, every=10)))


# --- summarize_run ---------------------------------------------------------------------------
def test_summary_of_a_hand_made_run():
    run = P.SharpnessRun(lr=0.25, measured_at=np.array([0, 10, 20, 30, 40]),
                         sharpness=np.array([1.0, 3.0, 2.0, 5.0, 4.0]),
                         losses=np.array([3.0, 2.0, 2.5, 1.0, 1.5, 0.5]), status="finished")
    s = S.summarize_run(run)
    # by hand: 2/0.25 = 8; median of the second half [2, 5, 4] = 4; two rises (2 -> 2.5, 1 -> 1.5)
    assert s == S.RunSummary(lr=0.25, threshold=8.0, start=1.0, peak=5.0, late_sharpness=4.0,
                             ratio=0.5, loss_ups=2, final_loss=0.5, steps=5, status="finished")


def test_summary_validates():
    with pytest.raises(ValueError, match="run must be a SharpnessRun"):
        S.summarize_run((0.1, [], [], [], "finished"))
    empty = P.SharpnessRun(0.1, np.array([], dtype=int), np.array([]), np.array([1.0]), "diverged")
    with pytest.raises(ValueError, match="at least one sharpness measurement"):
        S.summarize_run(empty)


# --- default_setup ---------------------------------------------------------------------------
def test_default_setup_is_notebook_10s_problem():
    factory, X, T = S.default_setup()
    X0, labels = data.moons(200, noise=0.1, seed=0)
    np.testing.assert_array_equal(X, X0)
    np.testing.assert_array_equal(T[:, 0], np.where(labels == 1, 1.0, -1.0))
    net, again = factory(), factory()
    expected = MLP([2, 32, 32, 1], activation="tanh", output="identity", init="xavier", seed=0)
    assert net is not again
    np.testing.assert_array_equal(net.params, expected.params)
    assert net.loss(X, T) == pytest.approx(expected.loss(X0, T))


@pytest.mark.parametrize("kwargs,message", [
    ({"n": 5}, r"n must be an integer in \[10, 5000\], got 5"),
    ({"noise": -0.1}, r"noise must be a finite number >= 0, got -0.1"),
    ({"seed": 1.5}, r"seed must be an integer >= 0, got 1.5"),
])
def test_default_setup_validates(kwargs, message):
    with pytest.raises(ValueError, match=message):
        S.default_setup(**kwargs)


# --- the explorer ----------------------------------------------------------------------------
def _assert_shows(dash, run):
    np.testing.assert_array_equal(dash.sharpness_line.get_xdata(), run.measured_at)
    np.testing.assert_array_equal(dash.sharpness_line.get_ydata(), run.sharpness)
    np.testing.assert_array_equal(dash.loss_line.get_xdata(), np.arange(len(run.losses)))
    np.testing.assert_array_equal(dash.loss_line.get_ydata(), run.losses)
    assert list(dash.threshold_line.get_ydata()) == [2.0 / run.lr, 2.0 / run.lr]
    assert dash.summary == S.summarize_run(run)
    assert not dash.background[run.lr][0].get_visible()
    assert sum(s.get_visible() for s, _ in dash.background.values()) == len(dash.runs) - 1


def test_explorer_shows_each_precomputed_run(closing, reference, monkeypatch):
    calls = []
    real_trace = S.sharpness_trace
    monkeypatch.setattr(S, "sharpness_trace", lambda *a, **k: (calls.append(a[3]),
                                                               real_trace(*a, **k))[1])
    factory, X, T = tiny_problem()
    dash = S.sharpness_explorer(factory, X, T, lrs=LRS, steps=60, every=10, lr=0.1)
    closing(dash)
    lines = (dash.sharpness_line, dash.loss_line, dash.threshold_line, dash.figure)
    _assert_shows(dash, reference[0.1])
    for lr in (1.0, 3.0, 0.1):
        dash.controls["lr"].value = lr
        _assert_shows(dash, reference[lr])
    assert calls == [list(LRS)]                            # computed once, at construction
    assert (dash.sharpness_line, dash.loss_line, dash.threshold_line, dash.figure) == lines
    assert len(dash.figure.axes) == 2


def test_explorer_status_names_the_regime(closing, reference):
    factory, X, T = tiny_problem()
    dash = S.sharpness_explorer(factory, X, T, lrs=LRS, steps=60, every=10)
    closing(dash)
    assert dash.controls["lr"].value == 1.0                # the middle rate by default
    assert reference[3.0].status == "diverged"
    dash.controls["lr"].value = 3.0
    steps = len(reference[3.0].losses) - 1
    assert f"diverged after {steps} steps" in dash.status.value
    assert dash.loss_title.get_text() == f"diverged after {steps} steps"
    dash.controls["lr"].value = 0.1
    assert "Below the edge: the sharpness stays under 2/lr" in dash.status.value
    # every mark of the sharpness panel is named in its legend
    labels = [t.get_text() for t in dash.ax_sharpness.get_legend().get_texts()]
    assert labels == ["sharpness λ_max(H)", "the other learning rates", "2 / lr"]
    # 2/lr = 20 is far above every measured sharpness: the label says so
    assert "above the chart" in dash.threshold_label.get_text()
    dash.controls["lr"].value = 1.0
    assert "above the chart" not in dash.threshold_label.get_text()
    assert dash.threshold_label.get_position()[1] == pytest.approx(2.0)


@pytest.mark.parametrize("kwargs,message", [
    ({"lrs": []}, r"lrs must be a list of 1 to 8 learning rates > 0, got \[\]"),
    ({"lrs": "0.1"}, r"lrs must be a list of 1 to 8"),
    ({"lrs": (0.1, -1.0)}, r"lrs\[1\] must be a finite number > 0, got -1.0"),
    ({"lrs": (0.1, 0.2), "lr": 0.3}, r"lr must be one of lrs \[0.1, 0.2\], got 0.3"),
    ({"steps": 0}, r"steps must be an integer in \[1, 20000\], got 0"),
])
def test_explorer_validates(kwargs, message):
    factory, X, T = tiny_problem()
    with pytest.raises(ValueError, match=message):
        S.sharpness_explorer(factory, X, T, **kwargs)


def test_explorer_needs_factory_and_data_together():
    factory, X, T = tiny_problem()
    with pytest.raises(ValueError, match="model_factory, X and y must be given together"):
        S.sharpness_explorer(factory, X)


def test_default_explorer_shows_the_edge_of_stability(closing):
    dash = S.sharpness_explorer()                          # notebook 11's problem, ~2-3 s
    closing(dash)
    assert tuple(dash.runs) == S.DEFAULT_LRS
    summaries = {lr: S.summarize_run(run) for lr, run in dash.runs.items()}
    assert summaries[0.05].ratio < 0.5 and summaries[0.05].loss_ups == 0
    for lr in (0.2, 0.3, 0.4, 0.5):
        assert 0.85 < summaries[lr].ratio < 1.15
    # above 2/S_0 the sharpness falls to 2/lr rather than the run diverging
    assert summaries[0.5].start > 1.5 * summaries[0.5].threshold
    assert all(s.status == "finished" for s in summaries.values())
    dash.controls["lr"].value = 0.5
    assert "Too sharp from the start, yet no divergence" in dash.status.value
    # the slider's comment: 2/lr of 0.05 and 0.1 lies above the natural level (peak near 14),
    # that of 0.2 and 0.3 below it; no loss increase without an edge
    natural = max(summaries[0.05].peak, summaries[0.1].peak)
    assert 12 < natural < 16 and summaries[0.1].loss_ups == 0
    assert all(summaries[lr].threshold < 0.8 * natural for lr in (0.2, 0.3))
    bundle = dash._repr_mimebundle_()
    assert "image/png" in bundle and "SharpnessExplorer" in bundle["text/plain"]
