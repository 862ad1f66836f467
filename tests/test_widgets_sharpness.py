"""Tests for notebook 11's explorer: the pure part (gradlib.experiments_sharpness: the run
summary against hand-derived numbers, the default problem against notebook 11's recipe, the run
cache, the frame against runs computed independently by sharpness_trace) and the explorer
(gradlib.widgets.sharpness) driven through its controls, its snapshot and its kernel-free copy."""
import html
import math

import numpy as np
import pytest

from gradlib import data
from gradlib import experiments_sharpness as ES
from gradlib.mlp import MLP
from gradlib.scene import REVEALS, Frame, from_plain_json
from gradlib.widgets import pathologies as P
from gradlib.widgets import sharpness as S

LRS = (0.1, 1.0, 3.0)                  # below the edge, at it, diverging (see the tiny problem)
STEPS, EVERY = 60, 10


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
    return dict(zip(LRS, P.sharpness_trace(factory, X, T, LRS, steps=STEPS, every=EVERY)))


def settings(lr, view="sharpness"):
    return ES.SharpnessSettings(lr, view, LRS, STEPS, EVERY)


def pieces(xy):
    """Split a NaN-separated (k, 2) array into its polylines."""
    out, cur = [], []
    for row in xy:
        if np.isnan(row).any():
            out.append(np.array(cur))
            cur = []
        else:
            cur.append(row)
    out.append(np.array(cur))
    return [p for p in out if len(p)]


# --- summarize_run ---------------------------------------------------------------------------
def test_summary_of_a_hand_made_run():
    run = P.SharpnessRun(lr=0.25, measured_at=np.array([0, 10, 20, 30, 40]),
                         sharpness=np.array([1.0, 3.0, 2.0, 5.0, 4.0]),
                         losses=np.array([3.0, 2.0, 2.5, 1.0, 1.5, 0.5]), status="finished")
    s = S.summarize_run(run)
    # by hand: 2/0.25 = 8; median of the second half [2, 5, 4] = 4; two rises (2 -> 2.5, 1 -> 1.5)
    assert s == S.RunSummary(lr=0.25, threshold=8.0, start=1.0, peak=5.0, late_sharpness=4.0,
                             ratio=0.5, loss_ups=2, final_loss=0.5, steps=5, status="finished")
    assert S.summarize_run is ES.summarize_run and S.RunSummary is ES.RunSummary


def test_summary_validates():
    with pytest.raises(ValueError, match="run must be a SharpnessRun"):
        S.summarize_run((0.1, [], [], [], "finished"))
    empty = P.SharpnessRun(0.1, np.array([], dtype=int), np.array([]), np.array([1.0]), "diverged")
    with pytest.raises(ValueError, match="at least one sharpness measurement"):
        S.summarize_run(empty)


# --- describe_run: the status line's regimes ---------------------------------------------------
def _summary(**kw):
    base = dict(lr=0.2, threshold=10.0, start=6.5, peak=11.7, late_sharpness=9.93, ratio=0.993,
                loss_ups=36, final_loss=0.0174, steps=1500, status="finished")
    return ES.RunSummary(**{**base, **kw})


@pytest.mark.parametrize("kw,low,within,words", [
    ({}, 6.5, 1.0, "At the edge of stability: the sharpness reached 2/lr and hovers there"),
    ({}, 6.5, None, "At the edge of stability: the sharpness reached 2/lr and hovers there"),
    ({"peak": 9.5, "late_sharpness": 9.0, "ratio": 0.9}, 6.5, 0.9,
     "Close to the edge: the sharpness rose to within 15% of 2/lr without reaching it"),
    ({"peak": 8.0, "late_sharpness": 7.0, "ratio": 0.7}, 6.5, 0.0,
     "Below the edge: the sharpness never reaches 2/lr"),
    ({"peak": 12.0, "late_sharpness": 7.0, "ratio": 0.7}, 6.5, 0.2,
     "The sharpness reached 2/lr but ends below it"),
    ({"late_sharpness": 12.0, "ratio": 1.2}, 6.5, 0.4, "Above 2/lr over most of the second half"),
    ({"start": 12.0, "peak": 12.0}, 4.0, 0.9, "Too sharp from the start, yet no divergence: the "
     "sharpness fell below 2/lr, then rose back to it and hovers there (edge of stability)"),
    # too sharp at the start but never below the line: no catapult claimed
    ({"start": 12.0, "peak": 12.0}, 10.5, 0.9, "At the edge of stability"),
    # the median at the line, but the second half swings wide: no "hovers"
    ({}, 6.5, 0.5, "Around 2/lr in the median, but not steadily: only 50% of the second half "
     "lies within 15% of it"),
])
def test_describe_names_the_regime(kw, low, within, words):
    s = _summary(**kw)
    text = ES.describe_run(s, low, within)
    assert words in text
    assert text.startswith(f"lr = 0.2, 2/lr = 10.00: the sharpness starts at {s.start:.2f}, "
                           f"peaks at {s.peak:.2f} and its median over the second half is "
                           f"{s.late_sharpness:.2f} ({s.ratio:.2f} × 2/lr). ")
    assert f"the loss rose on {s.loss_ups} of 1500 steps" in text and "\n" not in text
    assert "nan" not in text.lower().split()


def test_steady_fraction():
    run = P.SharpnessRun(0.2, np.arange(6) * 10, np.array([1.0, 20.0, 9.0, 8.4, 11.5, 11.6]),
                         np.ones(51), "finished")
    # 2/lr = 10; the second half [8.4, 11.5, 11.6] / 10: 0.84 (out), 1.15 (in), 1.16 (out)
    assert ES.steady_fraction(run) == pytest.approx(1 / 3)
    with pytest.raises(ValueError, match="at least one sharpness measurement"):
        ES.steady_fraction(run._replace(sharpness=np.array([])))


def test_describe_says_diverged():
    text = ES.describe_run(_summary(status="diverged", steps=17), 1.0)
    assert text.endswith("The run diverged after 17 steps.") and "hovers" not in text


# --- default_setup ---------------------------------------------------------------------------
def test_default_setup_is_notebook_11s_problem():
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


# --- the run cache ---------------------------------------------------------------------------
def _counting(monkeypatch):
    calls = []
    real = ES.sharpness_trace
    monkeypatch.setattr(ES, "sharpness_trace",
                        lambda *a, **k: (calls.append(list(a[3])), real(*a, **k))[1])
    return calls


def test_cached_runs_equal_sharpness_trace_and_train_each_run_once(monkeypatch, reference):
    ES.clear_run_cache()
    calls = _counting(monkeypatch)
    factory, X, T = tiny_problem()
    runs = ES.cached_runs(factory, X, T, [1.0, 0.1], STEPS, EVERY)
    assert list(runs) == [1.0, 0.1] and calls == [[1.0, 0.1]]
    for lr, run in runs.items():
        ref = reference[lr]
        assert run.lr == ref.lr and run.status == ref.status
        for a, b in zip(run[1:4], ref[1:4]):
            np.testing.assert_array_equal(a, b)
    again = ES.cached_runs(factory, X, T, LRS, STEPS, EVERY)   # only 3.0 is new
    assert calls == [[1.0, 0.1], [3.0]]
    assert again[0.1] is runs[0.1] and again[1.0] is runs[1.0]
    ES.cached_runs(factory, X, T, LRS, STEPS, 20)               # another `every`: trained again
    assert calls[-1] == list(LRS)
    # the same network and data built anew hit the cache; other data do not
    f2, X2, T2 = tiny_problem()
    ES.cached_runs(f2, X2.copy(), T2, LRS, STEPS, EVERY)
    assert len(calls) == 3
    ES.cached_runs(f2, X2 + 1e-9, T2, [0.1], STEPS, EVERY)
    assert len(calls) == 4


def test_problem_key():
    factory, X, T = tiny_problem()
    key = ES.problem_key(factory, X, T)
    assert key == ES.problem_key(factory, X.copy(), T.copy()) and len(key) == 64
    def net(activation="relu", seed=0):
        return lambda: MLP([2, 8, 1], activation=activation, output="identity", init="he",
                           seed=seed)

    assert ES.problem_key(net(), X, T) == key
    assert ES.problem_key(net(seed=1), X, T) != key            # other initial parameters
    assert ES.problem_key(net("tanh"), X, T) != key            # same parameters, other network
    assert ES.problem_key(lambda: object(), X, T) is None      # not an MLP: never cached
    assert ES.problem_key(42, X, T) is None


# --- the frame (pure) ------------------------------------------------------------------------
def test_sharpness_cursor_is_the_latest_measurement():
    run = P.SharpnessRun(0.5, np.array([0, 3, 7]), np.array([1.0, 2.0, 4.0]),
                         np.linspace(1.0, 0.5, 10), "finished")
    cursor = ES.sharpness_cursor(run)
    assert cursor.shape == (10, 2)
    for t in range(10):                                      # oracle: a plain search
        i = max(j for j, m in enumerate(run.measured_at) if m <= t)
        assert cursor[t].tolist() == [run.measured_at[i], run.sharpness[i]]


@pytest.mark.parametrize("lr", LRS)
@pytest.mark.parametrize("view", ["sharpness", "ratio"])
def test_frame_against_the_runs(reference, lr, view):
    frame = ES.sharpness_frame(settings(lr, view), reference)
    run = reference[lr]
    ratio = view == "ratio"
    scale = lr / 2.0 if ratio else 1.0                      # lambda / (2 / lr) = lr lambda / 2
    T = len(run.losses) - 1
    assert isinstance(frame, Frame) and frame.n_steps == T
    label = "λ_max ÷ (2/lr)" if ratio else "sharpness λ_max(H)"
    sharp = frame.layer(label)
    np.testing.assert_array_equal(sharp.xy[:, 0], run.measured_at)
    np.testing.assert_allclose(sharp.xy[:, 1], run.sharpness * scale, rtol=1e-15)
    edge = frame.layer("the edge: λ_max = 2/lr" if ratio else "2 / lr")
    at = 1.0 if ratio else 2.0 / lr
    assert edge.xy.tolist() == [[0.0, at], [STEPS, at]]
    assert edge.style["dash"]
    loss = frame.layer(f"training loss, lr = {lr:g}")
    np.testing.assert_array_equal(loss.xy[:, 0], np.arange(T + 1))
    np.testing.assert_array_equal(loss.xy[:, 1], run.losses)
    # the cursors: (t, L_t) and the latest sharpness measurement at or before t, for every step
    step = frame.layer("step t")
    np.testing.assert_array_equal(step.xy, loss.xy)
    latest = frame.layer("last measurement ≤ step t")
    assert latest.xy.shape == (T + 1, 2)
    for t in range(T + 1):
        i = int(np.flatnonzero(run.measured_at <= t)[-1])
        assert latest.xy[t, 0] == run.measured_at[i]
        assert latest.xy[t, 1] == pytest.approx(run.sharpness[i] * scale, rel=1e-15)
    # the other runs, grey, in the order of their learning rates
    others = [r for x, r in sorted(reference.items()) if x != lr]
    grey = pieces(frame.layers[0].xy)
    assert frame.layers[0].style["label"] == "the other learning rates" and len(grey) == 2
    for piece, r in zip(grey, others):
        np.testing.assert_array_equal(piece[:, 0], r.measured_at)
        np.testing.assert_allclose(piece[:, 1], r.sharpness * (r.lr / 2 if ratio else 1),
                                   rtol=1e-15)
    (grey_loss_layer,) = [l for l in frame.layers
                          if l.panel == "loss" and l.style["label"] == "the other learning rates"]
    grey_loss = pieces(grey_loss_layer.xy)
    assert len(grey_loss) == 2
    for piece, r in zip(grey_loss, others):
        t = piece[:, 0].astype(int)
        assert t[0] == 0 and t[-1] == len(r.losses) - 1 and np.all(np.diff(t) > 0)
        np.testing.assert_array_equal(piece[:, 1], r.losses[t])
    # reveal rules: the cursors move with Play, everything else is drawn whole
    reveals = {(l.panel, l.style["label"]): l.reveal for l in frame.layers}
    assert set(reveals.values()) <= set(REVEALS)
    assert reveals[("sharpness", "last measurement ≤ step t")] == "at"
    assert reveals[("loss", "step t")] == "at"
    assert all(v == "all" for k, v in reveals.items() if "step t" not in k[1])
    assert all(l.style.get("label") for l in frame.layers)       # every mark is named
    # status and kind
    s = ES.summarize_run(run)
    assert frame.status == ES.describe_run(s, float(run.sharpness.min()), ES.steady_fraction(run))
    assert frame.kind == ("diverged" if run.status == "diverged" else "info")
    assert "nan" not in frame.status.lower().split()
    title = frame.charts["loss"]["title"]
    assert title == (f"diverged after {T} steps" if run.status == "diverged"
                     else f"loss: {s.loss_ups} of {s.steps} steps went up")
    assert frame.charts["loss"]["ylog"] is True
    # finite everywhere except the NaN rows that separate the grey curves
    for layer in frame.layers:
        if layer.style["label"] != "the other learning rates":
            assert np.all(np.isfinite(layer.xy)), layer.style["label"]
    assert frame.nbytes < 12_000


def nice_ticks(lo, hi, count=4):
    """canvas.js niceTicks, transcribed: the limits the page rounds a chart's y range out to."""
    if not hi > lo:
        lo, hi = lo - 1, hi + 1
    raw = (hi - lo) / count
    mag = 10 ** math.floor(math.log10(raw))
    step = next((m * mag for m in (1, 2, 2.5, 5, 10) if m * mag >= raw), 10 * mag)
    return math.floor(lo / step + 1e-9) * step, math.ceil(hi / step - 1e-9) * step


@pytest.mark.parametrize("lo,hi,want", [
    (0, 17.5, (0, 20)), (0, 2.03, (0, 3)), (0, 10.1, (0, 15)), (-0.3, 1.25, (-0.5, 1.5)),
    (0, 1.0, (0, 1.0)), (2, 2, (1, 3))])
def test_nice_limits_are_what_the_page_shows(lo, hi, want):
    got = ES.nice_limits(lo, hi)
    assert got == pytest.approx(want)
    assert nice_ticks(*got) == pytest.approx(got)             # the page keeps them as they are
    assert got[0] <= lo and got[1] >= hi


def test_frame_keeps_its_windows_for_every_lr(reference):
    for view in ("sharpness", "ratio"):
        charts = [ES.sharpness_frame(settings(lr, view), reference).charts for lr in LRS]
        for name in ("sharpness", "loss"):
            assert all(c[name]["xlim"] == charts[0][name]["xlim"] == [0.0, STEPS] for c in charts)
            assert all(c[name]["ylim"] == charts[0][name]["ylim"] for c in charts)
        lim = charts[0]["sharpness"]["ylim"]
        assert nice_ticks(*lim) == pytest.approx(lim)        # the page shows these limits
    highest = max(float(r.sharpness.max()) for r in reference.values())
    ratio_top = max(1.25 * max(float((r.sharpness * r.lr / 2).max())
                               for r in reference.values()), 1.25)
    assert charts[0]["sharpness"]["ylim"] == pytest.approx(list(nice_ticks(0.0, ratio_top)))
    raw = ES.sharpness_frame(settings(0.1), reference).charts
    assert raw["sharpness"]["ylim"] == pytest.approx(list(nice_ticks(0.0, 1.25 * highest)))
    losses = np.concatenate([r.losses for r in reference.values()])
    assert raw["loss"]["ylim"] == pytest.approx([losses.min() / 1.5, losses.max() * 1.5])


def test_frame_marks_2_over_lr_or_says_it_is_above_the_chart(reference):
    frame = ES.sharpness_frame(settings(0.1), reference)     # 2/lr = 20: far above every value
    text = frame.layer("the value of 2/lr")
    assert text.kind == "text" and text.texts == ("2/lr = 20 (above the chart) ↑",)
    lo, top = frame.charts["sharpness"]["ylim"]
    assert text.xy.tolist() == [[0.02 * STEPS, top - 0.07 * (top - lo)]] and 20 > top
    assert text.style["align"] == "left"                      # clear of the legend (right)
    frame = ES.sharpness_frame(settings(1.0), reference)     # 2/lr = 2: just above its line
    text = frame.layer("the value of 2/lr")
    lo, hi = frame.charts["sharpness"]["ylim"]
    assert 2.0 < hi - 0.3 * (hi - lo)
    assert text.texts == ("2/lr = 2",) and text.xy[0, 1] == pytest.approx(2.0 + 0.06 * (hi - lo))
    assert text.xy[0, 0] == 0.5 * STEPS and text.style["align"] == "center"
    assert [l for l in frame.layers if l.panel == "sharpness"][-1] is text   # over the curves
    ratio = ES.sharpness_frame(settings(0.1, "ratio"), reference)
    lo, hi = ratio.charts["sharpness"]["ylim"]               # the edge is at 1 in this view
    assert ratio.layer("the value of 2/lr").xy[0, 1] == pytest.approx(1.0 + 0.06 * (hi - lo))
    # a line at the top edge of the window is inside it: its value goes just below it
    edge = P.SharpnessRun(0.1, np.array([0, 5]), np.array([7.0, 16.0]), np.ones(6), "finished")
    frame = ES.sharpness_frame(ES.SharpnessSettings(0.1), {0.1: edge})
    assert frame.charts["sharpness"]["ylim"] == [0.0, 20.0]   # 1.25 x 16 = 20: 2/lr on the edge
    text = frame.layer("the value of 2/lr")
    assert text.texts == ("2/lr = 20",) and text.xy[0, 1] == pytest.approx(20 - 0.06 * 20)
    assert text.style["align"] == "left"


def test_frame_of_a_diverging_run(reference):
    run = reference[3.0]
    assert run.status == "diverged" and len(run.losses) - 1 < STEPS
    frame = ES.sharpness_frame(settings(3.0), reference)
    T = len(run.losses) - 1
    assert frame.kind == "diverged" and f"The run diverged after {T} steps." in frame.status
    x = frame.layer(f"diverged after {T} steps")
    assert x.style["marker"] == "X" and x.xy.tolist() == [[T, run.losses[-1]]]
    assert frame.charts["loss"]["title"] == f"diverged after {T} steps"


def test_frame_of_a_run_that_never_started():
    """A loss that is not finite at step 0: no measurement, nothing to play; a clear status."""
    dead = P.SharpnessRun(5.0, np.array([], dtype=int), np.array([]), np.array([]), "diverged")
    ok = P.SharpnessRun(0.1, np.array([0]), np.array([1.0]), np.array([0.5]), "finished")
    frame = ES.sharpness_frame(ES.SharpnessSettings(5.0), {5.0: dead, 0.1: ok})
    assert frame.kind == "diverged" and frame.n_steps == 0
    assert frame.status == ("lr = 5: the loss is not finite at the start, so there is nothing "
                            "to show; the run diverged at once.")
    frame.to_json()                                          # a valid frame for the page


@pytest.mark.parametrize("kw,runs,message", [
    ({"view": "log"}, None, r"view must be one of 'sharpness', 'ratio', got 'log'"),
    ({"lr": 0.7}, "ref", r"lr must be one of the runs' learning rates \[0.1, 1.0, 3.0\], got 0.7"),
    ({"lr": float("nan")}, "ref", r"lr must be one of the runs' learning rates"),
    ({}, {}, r"runs must map learning rates to SharpnessRun"),
    ({}, {0.2: (1, 2)}, r"runs must map learning rates to SharpnessRun"),
])
def test_frame_refuses_bad_settings(reference, kw, runs, message):
    with pytest.raises(ValueError, match=message):
        ES.sharpness_frame(ES.SharpnessSettings(**kw), reference if runs == "ref" else runs)


def test_scene_contract():
    scene = ES.sharpness_scene("sharpness")
    assert scene is ES.sharpness_scene("sharpness")          # rendered once per view
    assert scene.image.startswith(b"\x89PNG") and scene.nbytes < 30_000
    assert (scene.width, scene.height) == (900, 360)
    assert [(p.name, p.kind, p.xlabel) for p in scene.panels] == [
        ("sharpness", "chart", "step t"), ("loss", "chart", "step t")]
    for p in scene.panels:
        x, y, w, h = p.bbox
        assert 40 <= x and x + w <= scene.width and 20 <= y and y + h <= scene.height - 40
    (a, b) = scene.panels
    assert a.bbox[0] + a.bbox[2] < b.bbox[0]                  # side by side, not overlapping
    assert "sharpness" in scene.alt and "log scale" in scene.alt
    ratio = ES.sharpness_scene("ratio")
    assert ratio.image != scene.image and "divided by 2/lr" in ratio.alt
    with pytest.raises(ValueError, match=r"view must be one of"):
        ES.sharpness_scene("3d")


# --- the explorer ----------------------------------------------------------------------------
def _assert_shows(dash, reference, lr, view="sharpness"):
    """What the explorer sent is the pure frame of the runs sharpness_trace computes."""
    run = reference[lr]
    want = ES.sharpness_frame(settings(lr, view), reference)
    assert dash.frame.status == want.status and dash.frame.n_steps == len(run.losses) - 1
    assert [l.style["label"] for l in dash.frame.layers] == [l.style["label"] for l in want.layers]
    for got, exp in zip(dash.frame.layers, want.layers):
        np.testing.assert_array_equal(got.xy, exp.xy, err_msg=exp.style["label"])
    assert dash.frame.charts == want.charts
    assert dash.summary == S.summarize_run(run) and dash.run is dash.runs[lr]
    label = "λ_max ÷ (2/lr)" if view == "ratio" else "sharpness λ_max(H)"
    np.testing.assert_array_equal(dash.frame.layer(label).xy[:, 0], run.measured_at)
    loss = dash.frame.layer(f"training loss, lr = {lr:g}").xy
    np.testing.assert_array_equal(loss, np.column_stack([np.arange(len(run.losses)), run.losses]))
    edge = dash.frame.layer("the edge: λ_max = 2/lr" if view == "ratio" else "2 / lr").xy
    assert edge[:, 1].tolist() == ([1.0, 1.0] if view == "ratio" else [2.0 / lr, 2.0 / lr])
    # the selected run is not among the grey ones; every other run is
    grey = pieces(dash.frame.layers[0].xy)
    assert len(grey) == len(dash.runs) - 1
    assert not any(len(g) == len(run.measured_at) and np.array_equal(
        g[:, 1], dash.frame.layer(label).xy[:, 1]) for g in grey)
    # what the canvas widget holds is this frame, as float64 bytes
    sent = dash.canvas.frame["layers"]
    assert [l["style"]["label"] for l in sent] == [l.style["label"] for l in want.layers]
    for got, exp in zip(sent, want.layers):
        np.testing.assert_array_equal(np.frombuffer(got["xy"], "<f8").reshape(-1, 2), exp.xy)
    assert html.escape(want.status) in dash.status.value


def test_explorer_shows_each_precomputed_run(closing, reference, monkeypatch):
    ES.clear_run_cache()
    calls = _counting(monkeypatch)
    factory, X, T = tiny_problem()
    dash = S.sharpness_explorer(factory, X, T, lrs=LRS, steps=STEPS, every=EVERY, lr=0.1)
    closing(dash)
    scene = dash.scene
    _assert_shows(dash, reference, 0.1)
    for lr in (1.0, 3.0, 0.1):
        dash.controls["lr"].value = lr
        _assert_shows(dash, reference, lr)
    assert calls == [list(LRS)]                            # trained once, at construction
    assert dash.scene is scene                             # the picture is not redrawn per lr
    assert [p.name for p in scene.panels] == ["sharpness", "loss"]
    dash.controls["view"].value = "ratio"
    assert dash.scene is not scene and dash.scene is ES.sharpness_scene("ratio", (9.0, 3.6))
    _assert_shows(dash, reference, 0.1, "ratio")
    dash.controls["lr"].value = 1.0
    _assert_shows(dash, reference, 1.0, "ratio")
    # a second explorer on the same problem trains nothing
    again = S.sharpness_explorer(factory, X, T, lrs=LRS, steps=STEPS, every=EVERY)
    closing(again)
    assert calls == [list(LRS)] and all(again.runs[lr] is dash.runs[lr] for lr in LRS)


def test_explorer_status_names_the_regime(closing, reference):
    factory, X, T = tiny_problem()
    dash = S.sharpness_explorer(factory, X, T, lrs=LRS, steps=STEPS, every=EVERY)
    closing(dash)
    assert dash.controls["lr"].value == 1.0                # the middle rate by default
    assert reference[3.0].status == "diverged"
    dash.controls["lr"].value = 3.0
    steps = len(reference[3.0].losses) - 1
    assert f"diverged after {steps} steps" in dash.status.value
    assert dash.frame.charts["loss"]["title"] == f"diverged after {steps} steps"
    assert dash.frame.kind == "diverged" and "#c00" in dash.status.value
    dash.controls["lr"].value = 0.1
    assert "Below the edge: the sharpness never reaches 2/lr" in dash.status.value
    assert dash.summary.peak < dash.summary.threshold     # ... and indeed it does not
    # every mark of the sharpness panel is named in its legend
    labels = [l.style["label"] for l in dash.frame.layers
              if l.panel == "sharpness" and l.kind != "text"]
    assert labels == ["the other learning rates", "2 / lr", "sharpness λ_max(H)",
                      "last measurement ≤ step t"]
    # 2/lr = 20 is far above every measured sharpness: the label says so
    assert "above the chart" in dash.frame.layer("the value of 2/lr").texts[0]
    dash.controls["lr"].value = 1.0
    text = dash.frame.layer("the value of 2/lr")
    lo, hi = dash.frame.charts["sharpness"]["ylim"]
    assert "above the chart" not in text.texts[0]
    assert text.xy[0, 1] == pytest.approx(2.0 + 0.06 * (hi - lo))    # just above the line at 2


def test_explorer_figure_is_a_snapshot(closing, reference):
    factory, X, T = tiny_problem()
    dash = S.sharpness_explorer(factory, X, T, lrs=LRS, steps=STEPS, every=EVERY)
    closing(dash)
    fig = dash.figure
    assert tuple(fig.get_size_inches()) == pytest.approx((9.0, 3.6))
    legends = [[t.get_text() for t in ax.get_legend().get_texts()]
               for ax in fig.axes if ax.get_legend()]
    assert legends == [["the other learning rates", "2 / lr", "sharpness λ_max(H)",
                        "last measurement ≤ step t"],
                       ["the other learning rates", "training loss, lr = 1", "step t"]]
    assert [ax.get_yscale() for ax in fig.axes] == ["linear", "log"]


def test_explorer_shows_an_error_and_keeps_its_picture(closing, reference):
    factory, X, T = tiny_problem()
    dash = S.sharpness_explorer(factory, X, T, lrs=LRS, steps=STEPS, every=EVERY)
    closing(dash)
    layers = dash.frame.layers
    dash.runs = {}                                         # e.g. a session that lost its runs
    dash.controls["lr"].value = 0.1                        # no exception out of update
    assert "cannot show this run: runs must map learning rates" in dash.status.value
    sent = dash.canvas.frame
    assert sent["kind"] == "error" and len(sent["layers"]) == len(layers)   # the picture stays
    assert dash.run is None and dash.summary is None and dash.settings is None


@pytest.mark.parametrize("kwargs,message", [
    ({"lrs": []}, r"lrs must be a list of 1 to 8 learning rates > 0, got \[\]"),
    ({"lrs": "0.1"}, r"lrs must be a list of 1 to 8"),
    ({"lrs": (0.1, -1.0)}, r"lrs\[1\] must be a finite number > 0, got -1.0"),
    ({"lrs": (0.1, 0.2), "lr": 0.3}, r"lr must be one of lrs \[0.1, 0.2\], got 0.3"),
    ({"steps": 0}, r"steps must be an integer in \[1, 20000\], got 0"),
    ({"every": 0}, r"every must be an integer in \[1, 60\], got 0"),
    ({"view": "3d"}, r"view must be one of 'sharpness', 'ratio', got '3d'"),
])
def test_explorer_validates(kwargs, message):
    factory, X, T = tiny_problem()
    kwargs = {"steps": STEPS, **kwargs}
    with pytest.raises(ValueError, match=message):
        S.sharpness_explorer(factory, X, T, **kwargs)


def test_explorer_needs_factory_and_data_together():
    factory, X, T = tiny_problem()
    with pytest.raises(ValueError, match="model_factory, X and y must be given together"):
        S.sharpness_explorer(factory, X)


def test_static_grid_holds_every_learning_rate(closing, reference):
    from gradlib.widgets.canvas import grid_static_data
    factory, X, T = tiny_problem()
    dash = S.sharpness_explorer(factory, X, T, lrs=LRS, steps=STEPS, every=EVERY, lr=3.0,
                                view="ratio")
    closing(dash)
    (control,) = dash.static_controls()
    assert control.values == LRS and control.initial == 3.0 and control.labels == ("0.1", "1", "3")
    data = grid_static_data(dash.static_controls(),
                            lambda v: (dash.scene, ES.sharpness_frame(settings(v["lr"], "ratio"),
                                                                      reference)))
    assert sorted(data["frames"]) == ["0", "1", "2"] and len(data["scenes"]) == 1
    for i, lr in enumerate(LRS):
        frame = from_plain_json(data["frames"][str(i)]["frame"])
        assert frame["status"] == ES.sharpness_frame(settings(lr), reference).status
    page = dash._repr_mimebundle_()["text/html"]
    assert "mountStaticGrid" in page and "gradlib-sharpnessexplorer-static" in page
    assert f'alt="{html.escape(dash.frame.status)}"' in page


def test_default_explorer_shows_the_edge_of_stability(closing):
    import time
    dash = S.sharpness_explorer()                    # notebook 11's problem, ~3 s (cached after)
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
    assert dash.runs[0.5].sharpness.min() < 0.8 * summaries[0.5].threshold   # it did fall below
    for lr in (0.2, 0.3):
        dash.controls["lr"].value = lr
        assert "At the edge of stability: the sharpness reached 2/lr and hovers there" \
            in dash.status.value
    for lr in (0.05, 0.1):
        dash.controls["lr"].value = lr
        assert "Below the edge: the sharpness never reaches 2/lr" in dash.status.value
    # the slider's comment: 2/lr of 0.05 and 0.1 lies above the natural level (peak near 14),
    # that of 0.2 and 0.3 below it; no loss increase without an edge
    natural = max(summaries[0.05].peak, summaries[0.1].peak)
    assert 12 < natural < 16 and summaries[0.1].loss_ups == 0
    assert all(summaries[lr].threshold < 0.8 * natural for lr in (0.2, 0.3))
    # Play runs over the 1500 steps; a frame is ~90 KB; a slider move costs well under 10 ms
    assert dash.frame.n_steps == 1500 and dash.frame.nbytes < 120_000
    start = time.perf_counter()
    for lr in S.DEFAULT_LRS:
        dash.controls["lr"].value = lr
    assert (time.perf_counter() - start) / 6 < 0.05          # generous: a shared machine
    bundle = dash._repr_mimebundle_()
    assert "text/html" in bundle and "SharpnessExplorer" in bundle["text/plain"]
    assert "application/vnd.jupyter.widget-view+json" in bundle
    assert len(bundle["text/html"].encode()) <= 1_000_000


def test_static_copy_runs_in_the_browser(browser, closing):
    """The kernel-free copy of notebook 11's explorer (the shared checks), and the page's status
    after the slider moved is the Python frame's for that learning rate."""
    from staticpage import check_static_copy
    dash = S.sharpness_explorer(lr=0.2)
    closing(dash)
    result = check_static_copy(browser, dash)
    print(f"static page: {result['bytes']:,} bytes")
    i = S.DEFAULT_LRS.index(0.2)
    moved = S.DEFAULT_LRS[min(i + 3, len(S.DEFAULT_LRS) - 1)]
    want = ES.sharpness_frame(ES.SharpnessSettings(moved), dash.runs)
    assert result["statuses"] == [want.status]
    assert result["bytes"] <= 1_000_000
