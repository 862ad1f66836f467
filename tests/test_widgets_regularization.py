"""Tests for gradlib.widgets.regularization: the two explorers driven through their controls (the
frame they send against the pure frame functions and the library), refused input, update time,
and their kernel-free copies (in Chromium: tests/staticpage.py). The pure part is tested in
tests/test_experiments_regularization.py."""
import io
import json
import time

import numpy as np
import pytest
from PIL import Image

from gradlib import experiments_regularization as E
from gradlib.scene import from_plain_json
from gradlib.widgets import regularization as R


@pytest.fixture(scope="module")
def digits_model():
    """The network of notebook 14, built by the same call the notebook makes."""
    return R.digits_classifier()


def decode(png: bytes) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(png)).convert("RGB"))


def gray(values: np.ndarray) -> np.ndarray:
    """The colours imshow(cmap="gray_r", vmin=0, vmax=1) gives an 8 x 8 image."""
    import matplotlib
    from matplotlib.colors import Normalize
    return matplotlib.colormaps["gray_r"](Normalize(0, 1)(values.reshape(8, 8)), bytes=True)[..., :3]


def test_every_old_name_is_still_importable_from_the_widget_module():
    for name in E.__all__:
        if hasattr(R, name):
            assert getattr(R, name) is getattr(E, name), name
    for name in R.__all__:
        assert hasattr(R, name), name
    for name in ("RegData", "regularization_data", "TEST_SEED_OFFSET", "RegSettings", "RegRun",
                 "train_regularized", "weight_vector", "weight_histogram", "near_zero_fraction",
                 "l2_step", "DecayPaths", "weight_decay_paths", "DigitsModel", "digits_classifier",
                 "fgsm", "accuracy_vs_eps", "saliency", "check_l2_step", "check_fgsm",
                 "L2_OPTIONS", "L1_OPTIONS", "DROPOUT_OPTIONS", "N_TRAIN_OPTIONS", "HIST_EDGES"):
        assert name in R.__all__ and hasattr(R, name), name


# --- the regularization explorer ---------------------------------------------------------------
def _training_points(frame) -> int:
    return sum(len(frame.layer(f"class {k}, training").xy) for k in (0, 1))


def _last_image(frame) -> bytes:
    return frame.layer("background: predicted class").images[-1]


def _last_bars(frame) -> list:
    """The bar heights the histogram layer shows at the last step, one per bin."""
    hist = frame.layer("at the shown epoch").chunk(frame.n_steps)
    centres = 0.5 * (R.HIST_EDGES[1:] + R.HIST_EDGES[:-1])
    return [hist[(hist[:-1, 0] <= c).nonzero()[0][-1], 1] for c in centres]


def test_regularization_explorer_sends_the_frame_of_its_settings_and_caches_runs(closing):
    dash = R.regularization_explorer(epochs=120, resolution=20)
    closing(dash)
    first = dash.run
    h = first.history
    frame = dash.frame
    assert dash.canvas.frame["status"] == frame.status and dash.canvas.frame["n_steps"] == frame.n_steps
    want = E.regularization_frame(dash.settings, 20)        # the pure function, computed anew
    assert [l.style["label"] for l in want.layers] == [l.style["label"] for l in frame.layers]
    for got, layer in zip(frame.layers, want.layers):
        np.testing.assert_array_equal(got.xy, layer.xy)
        assert got.images == layer.images and got.texts == layer.texts
    assert frame.status == want.status
    # what the old explorer's artists showed, now in the frame
    np.testing.assert_allclose(frame.layer("validation loss").xy[:, 1], np.maximum(h.val_loss, 1e-6))
    np.testing.assert_allclose(frame.layer("training loss").xy[:, 1], np.maximum(h.loss, 1e-6))
    assert frame.layer("best validation epoch").xy[0, 0] == h.best_epoch + 1
    np.testing.assert_array_equal(dash.counts, R.weight_histogram(first.model))
    np.testing.assert_array_equal(_last_bars(frame), dash.counts)        # the last epoch's bars
    assert _training_points(frame) == 30
    np.testing.assert_array_equal(dash.grid.proba, R.decision_boundary_grid(
        first.model, dash.xlim, dash.ylim, 20).proba)
    image0 = _last_image(frame)

    dash.controls["l2"].value = 3e-2
    assert dash.run.settings.l2 == 3e-2 and dash.run is not first
    assert _last_image(dash.frame) != image0
    assert np.linalg.norm(R.weight_vector(dash.run.model)) < np.linalg.norm(R.weight_vector(first.model))
    np.testing.assert_allclose(dash.frame.layer("validation loss").xy[:, 1],
                               np.maximum(dash.run.history.val_loss, 1e-6))

    dash.controls["l1"].value = 1e-2
    np.testing.assert_array_equal(dash.counts, R.weight_histogram(dash.run.model))
    np.testing.assert_array_equal(_last_bars(dash.frame), dash.counts)
    share = dash.frame.layer("share near zero").texts[-1]
    assert share == f"{100 * R.near_zero_fraction(dash.run.model):.0f}% have |w| < 0.01"

    dash.controls["n_train"].value = 120
    assert _training_points(dash.frame) == 120
    dash.controls["dropout"].value = 0.5
    assert dash.run.model.dropout == 0.5 and "dropout 0.5" in dash.frame.status

    with dash.hold():                                   # back to the start: served from the cache
        dash.controls["l2"].value = 0.0
        dash.controls["l1"].value = 0.0
        dash.controls["n_train"].value = 30
        dash.controls["dropout"].value = 0.0
    assert dash.run is first and dash.frame is frame
    assert _last_image(dash.frame) == image0


def test_regularization_explorer_rejects_values_off_the_sliders():
    with pytest.raises(ValueError, match=r"L2 λ must be one of \[0.0, 0.0001"):
        R.regularization_explorer(l2=0.5)
    with pytest.raises(ValueError, match=r"train size must be one of \[15, 30"):
        R.regularization_explorer(n_train=31)


def test_regularization_explorer_keeps_the_picture_when_training_is_refused(closing):
    dash = R.regularization_explorer(epochs=30, resolution=12)
    closing(dash)
    good = dash.frame
    dash.current_settings = lambda: E.RegSettings(n_train=1000)        # what no slider can send
    dash.update()                                                      # never raises
    sent = dash.canvas.frame
    assert sent["kind"] == "error" and "n_train must be an integer in [2, 240]" in sent["status"]
    assert len(sent["layers"]) == len(good.layers) and sent["n_steps"] == good.n_steps
    assert "nan" not in sent["status"].lower() and dash.settings is None
    del dash.current_settings
    dash.controls["l2"].value = 1e-3
    assert dash.canvas.frame["kind"] == "info" and dash.settings.l2 == 1e-3


def test_regularization_explorer_says_diverged(closing):
    dash = R.regularization_explorer(epochs=30, lr=5.0, resolution=12)
    closing(dash)
    assert dash.frame.kind == "diverged" and dash.canvas.frame["kind"] == "diverged"
    assert "diverged" in dash.frame.status and "nan" not in dash.frame.status.lower()
    assert "#c00" in dash.status.value


def test_regularization_explorer_update_time(closing):
    """Kernel time per slider move: a new setting trains (tens of ms), a seen one is cached."""
    dash = R.regularization_explorer()
    closing(dash)
    new, cached = [], []
    for value in (1e-4, 3e-4, 1e-3):
        t0 = time.process_time()
        dash.controls["l2"].value = value
        new.append(time.process_time() - t0)
    for value in (1e-4, 3e-4, 1e-3, 0.0) * 3:
        t0 = time.process_time()
        dash.controls["l2"].value = value
        cached.append(time.process_time() - t0)
    print(f"regularization explorer, CPU per update: new setting {1e3 * np.median(new):.0f} ms, "
          f"cached {1e3 * np.median(cached):.1f} ms")
    assert np.median(cached) < 0.02                     # measured ~1 ms
    assert np.median(new) < 1.0                         # measured ~0.1 s (training)


def test_regularization_explorer_figure_is_a_snapshot(closing):
    dash = R.regularization_explorer(epochs=40, resolution=16)
    closing(dash)
    fig = dash.figure
    texts = {t.get_text() for ax in fig.axes if ax.get_legend() for t in ax.get_legend().get_texts()}
    assert {"class 0, training", "class 1, validation", "training loss", "validation loss",
            "best validation epoch", "at the shown epoch", "at initialization"} <= texts
    shown = {t.get_text() for ax in fig.axes for t in ax.texts}
    assert dash.frame.layer("accuracies at the shown epoch").texts[-1] in shown


# --- the adversarial explorer ------------------------------------------------------------------
def test_adversarial_explorer_follows_eps_and_index(closing, digits_model):
    model, d = digits_model.model, digits_model.data
    X, y = d.X_test[:60], d.y_test[:60]
    grid = np.linspace(0.0, 0.2, 11)
    dash = R.adversarial_explorer(model, X, y, eps_values=grid, eps=0.0, index=2)
    closing(dash)
    np.testing.assert_allclose(dash.curve, R.accuracy_vs_eps(model, X, y, grid))
    frame = dash.frame
    np.testing.assert_array_equal(decode(frame.layer("clean image").images[0])[8::16, 8::16], gray(X[2]))
    np.testing.assert_array_equal(decode(frame.layer("adversarial image").images[-1])[8::16, 8::16],
                                  gray(X[2]))
    np.testing.assert_array_equal(dash.x_adv, X[2])

    dash.controls["eps"].value = 0.1
    expected = R.fgsm(model, X, y, 0.1)
    frame = dash.frame
    assert frame is not None and frame.n_steps == 5              # Play: 0, 0.02, ..., 0.1
    np.testing.assert_array_equal(decode(frame.layer("adversarial image").images[-1])[8::16, 8::16],
                                  gray(expected[2]))
    import matplotlib
    from matplotlib.colors import Normalize
    rdbu = matplotlib.colormaps["RdBu_r"](Normalize(-0.2, 0.2)((expected[2] - X[2]).reshape(8, 8)),
                                          bytes=True)[..., :3]
    np.testing.assert_array_equal(decode(frame.layer("change").images[-1])[8::16, 8::16], rdbu)
    np.testing.assert_allclose(dash.x_adv, expected[2], atol=1e-15)
    cursor = frame.layer("shown ε")
    assert cursor.chunk(frame.n_steps)[0, 0] == pytest.approx(0.1)
    marker = [l for l in frame.layers if l.panel == "accuracy" and l.kind == "points"][0]
    assert marker.xy[-1, 1] == pytest.approx(model.accuracy(expected, y))
    assert marker.xy[-1, 1] == pytest.approx(dash.curve[5])               # on the curve
    assert dash.accuracy == pytest.approx(model.accuracy(expected, y))

    dash.controls["index"].value = 7
    frame = dash.frame
    np.testing.assert_array_equal(decode(frame.layer("clean image").images[0])[8::16, 8::16], gray(X[7]))
    k = int(model.predict(expected[7:8])[0])
    captions = [frame.layer(f"adversarial caption ({w})") for w in ("right", "wrong")]
    shown = [c.texts[-1] for c in captions if np.isfinite(c.xy[-1]).all()]
    assert len(shown) == 1 and shown[0].startswith(f"says {k} ")
    assert frame.status.startswith(f"image 7 (label {y[7]}): prediction")


def test_adversarial_explorer_rejects_bad_input(digits_model):
    model, d = digits_model.model, digits_model.data
    with pytest.raises(ValueError, match=r"image_shape must have rows \* cols = 64"):
        R.adversarial_explorer(model, d.X_test[:5], d.y_test[:5], image_shape=(4, 4))
    with pytest.raises(ValueError, match="eps_values must be an increasing 1-D grid starting at 0"):
        R.adversarial_explorer(model, d.X_test[:5], d.y_test[:5], eps_values=[0.1, 0.2])
    with pytest.raises(ValueError, match=r"eps must be in \[0, 0.3\], got 0.5"):
        R.adversarial_explorer(model, d.X_test[:5], d.y_test[:5], eps=0.5)


def test_adversarial_explorer_keeps_the_picture_on_refused_settings(closing, digits_model):
    d = digits_model.data
    dash = R.adversarial_explorer(digits_model.model, d.X_test[:20], d.y_test[:20], eps=0.05)
    closing(dash)
    good = dash.frame
    dash.current_settings = lambda: R.AdversarialSettings(0.5, 0)
    dash.update()
    sent = dash.canvas.frame
    assert sent["kind"] == "error" and "eps must be in [0, 0.3], got 0.5" in sent["status"]
    assert len(sent["layers"]) == len(good.layers)
    del dash.current_settings
    dash.controls["eps"].value = 0.1
    assert dash.canvas.frame["kind"] == "info"


def test_adversarial_explorer_update_time(closing, digits_model):
    d = digits_model.data
    dash = R.adversarial_explorer(digits_model.model, d.X_test, d.y_test, eps=0.05)
    closing(dash)
    eps_moves, index_moves = [], []
    for k in range(12):
        t0 = time.process_time()
        dash.controls["eps"].value = 0.05 + 0.01 * (k % 6)
        eps_moves.append(time.process_time() - t0)
    for k in range(1, 7):
        t0 = time.process_time()
        dash.controls["index"].value = k
        index_moves.append(time.process_time() - t0)
    print(f"adversarial explorer, CPU per update: eps {1e3 * np.median(eps_moves):.1f} ms, "
          f"image {1e3 * np.median(index_moves):.1f} ms")
    assert np.median(eps_moves) < 0.05 and np.median(index_moves) < 0.1


# --- the kernel-free copies --------------------------------------------------------------------
def _static_data(page_html):
    payload = page_html.split('<script type="application/json"')[1].split(">", 1)[1]
    return from_plain_json(json.loads(payload.split("</script>")[0]))


def _assert_same_frame(sent: dict, frame) -> None:
    assert sent["status"] == frame.status and sent["n_steps"] == frame.n_steps
    for got, layer in zip(sent["layers"], frame.layers, strict=True):
        np.testing.assert_array_equal(np.frombuffer(got["xy"], "<f8").reshape(-1, 2), layer.xy)
        assert got.get("images") == (list(layer.images) if layer.images is not None else None)
        assert got.get("texts") == (list(layer.texts) if layer.texts is not None else None)


def test_regularization_static_copy_holds_the_kernel_frames(closing):
    dash = R.regularization_explorer()
    closing(dash)
    bundle = dash._repr_mimebundle_()
    assert "RegularizationExplorer" in bundle["text/plain"]
    assert "application/vnd.jupyter.widget-view+json" in bundle
    page = bundle["text/html"]
    print(f"regularization explorer static copy: {len(page.encode()):,} bytes")
    assert len(page.encode()) < 950_000
    data = _static_data(page)
    controls = data["controls"]
    assert [c["name"] for c in controls] == ["l2", "l1", "n_train"]
    assert [c["values"] for c in controls] == [[0.0, 0.01], [0.0, 0.003], [15, 30, 240]]
    assert len(data["frames"]) == 12 and len(data["scenes"]) == 1
    initial = "|".join(str(c["initial"]) for c in controls)
    _assert_same_frame(data["frames"][initial]["frame"], dash.frame)
    other = E.RegSettings(n_train=240, l2=0.01)
    _assert_same_frame(data["frames"]["1|0|2"]["frame"], E.regularization_frame(other))


def test_regularization_static_grid_keeps_its_size_for_any_start(closing):
    dash = R.regularization_explorer(n_train=60, l2=3e-2, l1=1e-4, dropout=0.2, epochs=100)
    closing(dash)
    controls = dash.static_controls()
    # the own values replace the last wanted ones: still 2 x 2 x 3 frames
    assert [c.values for c in controls] == [(0.0, 0.03), (0.0, 0.0001), (15, 60, 240)]
    assert [len(c.values) for c in dash.static_controls(1)] == [1, 1, 2]
    page = dash._repr_mimebundle_()["text/html"]
    data = _static_data(page)
    assert len(page.encode()) < 1_000_000 and len(data["frames"]) <= 12
    assert [c["initial"] for c in data["controls"]] == [
        c["values"].index(v) for c, v in zip(data["controls"], (3e-2, 1e-4, 60))]
    assert "dropout 0.2" in data["frames"]["|".join(str(c["initial"]) for c in data["controls"])]["frame"]["status"]


def test_adversarial_static_copy_holds_the_kernel_frames(closing, digits_model):
    d = digits_model.data
    dash = R.adversarial_explorer(digits_model.model, d.X_test, d.y_test, eps=0.05, index=0)
    closing(dash)
    page = dash._repr_mimebundle_()["text/html"]
    print(f"adversarial explorer static copy: {len(page.encode()):,} bytes")
    assert len(page.encode()) < 800_000
    data = _static_data(page)
    controls = data["controls"]
    assert [c["name"] for c in controls] == ["eps", "index"]
    assert controls[0]["values"] == pytest.approx([0.0, 0.05, 0.1, 0.2])
    assert controls[1]["values"] == [0, 1, 2, 3] and controls[1]["kind"] == "select"
    assert controls[1]["labels"][0] == f"image 0 (a {d.y_test[0]})"
    _assert_same_frame(data["frames"]["1|0"]["frame"], dash.frame)
    want = E.adversarial_frame(dash.problem, E.AdversarialSettings(0.2, 3))
    _assert_same_frame(data["frames"]["3|3"]["frame"], want)


def test_regularization_static_copy_opens_and_runs(browser, closing):
    from staticpage import check_static_copy
    dash = R.regularization_explorer()
    closing(dash)
    result = check_static_copy(browser, dash)
    print(f"regularization explorer static copy: {result['bytes']:,} bytes")
    # the first slider (L2: off -> 1e-2) gives the kernel's status line
    assert result["statuses"][0] == E.regularization_frame(E.RegSettings(l2=0.01)).status


def test_adversarial_static_copy_opens_and_runs(browser, closing, digits_model):
    from staticpage import check_static_copy
    d = digits_model.data
    dash = R.adversarial_explorer(digits_model.model, d.X_test, d.y_test, eps=0.05, index=0)
    closing(dash)
    result = check_static_copy(browser, dash)
    print(f"adversarial explorer static copy: {result['bytes']:,} bytes")
    # eps 0.05 -> 0.2 (three steps right: 0.1, 0.2, the last), then the menu: image 1
    p = dash.problem
    assert result["statuses"][0] == E.adversarial_frame(p, E.AdversarialSettings(0.2, 0)).status
    assert result["statuses"][1] == E.adversarial_frame(p, E.AdversarialSettings(0.2, 1)).status
