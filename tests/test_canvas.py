"""The explorers' renderer: its data contract in Python (no browser), and the module's own math
(canvas.js, run in Chromium) against gradlib.optim.descend, path for path.

Oracles: matplotlib's own ``ax.transData`` for the data -> pixel transform; ``optim.descend``
and ``experiments.describe`` for every number and word the page computes by itself.
"""
from __future__ import annotations

import json
import math

import numpy as np
import pytest
from matplotlib.figure import Figure

from gradlib import experiments as E
from gradlib import jsmath, optim, scene
from gradlib.widgets import canvas as C
from gradlib.scene import from_plain_json
from gradlib import experiments_curvature as EC
from gradlib.widgets import curvature as WC
from gradlib.widgets import descent as D


# ---------------------------------------------------------------------------------------------
# the contract in Python
# ---------------------------------------------------------------------------------------------
def test_layer_sends_float64_bytes_and_refuses_bad_input():
    xy = np.array([[0.5, -1.0], [2.0, 3.25]])
    layer = scene.Layer("surface", xy, "line", "upto", {"color": "#000", "label": "path"})
    sent = layer.to_json()
    assert sent["n"] == 2 and isinstance(sent["xy"], bytes) and len(sent["xy"]) == 2 * 2 * 8
    np.testing.assert_array_equal(np.frombuffer(sent["xy"], dtype="<f8").reshape(-1, 2), xy)
    with pytest.raises(ValueError, match="reveal must be one of"):
        scene.Layer("surface", xy, reveal="sometimes")
    with pytest.raises(ValueError, match="style: unknown key"):
        scene.Layer("surface", xy, style={"colour": "red"})
    with pytest.raises(ValueError, match=r"xy must have shape \(k, 2\)"):
        scene.Layer("surface", np.zeros((3, 3)))
    assert scene.Layer("surface", []).to_json()["n"] == 0            # an empty layer is fine


def test_scene_transform_is_matplotlibs():
    """The pixel box and limits a Scene sends map data to the same pixels as ax.transData."""
    fig = Figure(figsize=(6, 4), dpi=100)
    ax = fig.add_axes((0.1, 0.15, 0.5, 0.7))
    ax.set_xlim(-2, 3)
    ax.set_ylim(1e-3, 1e2)
    ax.set_yscale("log")
    sc = scene.scene_from_figure(fig, {"main": ax})
    (panel,) = sc.panels
    assert (sc.width, sc.height) == (600, 400) and sc.image.startswith(b"\x89PNG")
    x0, y0, w, h = panel.bbox
    for x, y in [(-2, 1e-3), (0.7, 0.5), (3, 1e2), (1.1, 20.0)]:
        px, py = ax.transData.transform((x, y))           # from the bottom left
        mine_x = x0 + (x - panel.xlim[0]) / (panel.xlim[1] - panel.xlim[0]) * w
        ly = np.log10([y, *panel.ylim])
        mine_y = y0 + h - (ly[0] - ly[1]) / (ly[2] - ly[1]) * h
        assert mine_x == pytest.approx(px, abs=1e-6)
        assert mine_y == pytest.approx(sc.height - py, abs=1e-6)
    assert panel.ylog and not panel.xlog


def test_descent_frame_is_the_path_and_its_words():
    s = E.Settings(surface="himmelblau", optimizer="momentum", lr=2e-3, hyper=(("beta", 0.8),),
                   steps=150, start=(1.0, -1.0))
    frame = E.descent_frame(s)
    surface = E.resolve_surface("himmelblau")
    ref = optim.descend(surface, optim.momentum(lr=2e-3, beta=0.8), [1.0, -1.0], 150,
                        tol=E.EXPLORER_TOL)
    np.testing.assert_array_equal(frame.layer("path x₀ … xₜ").xy, ref.xs)
    np.testing.assert_array_equal(frame.layer("start x₀").xy, ref.xs[:1])
    np.testing.assert_array_equal(frame.layer("end of the run").xy, ref.xs[-1:])
    loss = frame.layer("f(x_t) − f*").xy
    np.testing.assert_array_equal(loss[:, 0], np.arange(ref.steps + 1))
    gap = ref.losses - surface.global_min
    np.testing.assert_allclose(loss[:, 1], np.maximum(gap, gap.max() * 1e-16), rtol=0, atol=0)
    np.testing.assert_array_equal(frame.layer("known minima").xy, surface.minima)
    assert frame.n_steps == ref.steps
    assert frame.status == E.describe(surface, ref, optim.momentum(lr=2e-3, beta=0.8))
    assert frame.kind == ref.status
    assert frame.charts["loss"] == {"ylog": True, "title": "loss f(x_t) − f* (log scale)",
                                    "xlim": [0, 150]}
    reveals = {layer.style["label"]: layer.reveal for layer in frame.layers}
    assert reveals["path x₀ … xₜ"] == "upto" and reveals["xₜ at the shown step"] == "at"
    assert reveals["end of the run"] == "end" and reveals["known minima"] == "all"
    assert all(layer.style.get("label") for layer in frame.layers)      # every mark is named


def test_diverged_frame_marks_the_last_finite_point():
    s = E.Settings(surface="quadratic", optimizer="gd", lr=0.24, steps=200)
    frame = E.descent_frame(s)
    end = frame.layer("last finite point (diverged)")
    assert end.style["marker"] == "X" and frame.kind == "diverged"
    assert np.all(np.isfinite(frame.layer("path x₀ … xₜ").xy))
    assert "nan" not in frame.status.lower() and "lr too large" in frame.status


def test_explorer_sends_one_frame_per_settings_change(closing):
    dash = D.descent_explorer("rosenbrock", "gd", steps=200)
    closing(dash)
    sent = []
    dash.canvas.observe(lambda ch: sent.append(ch["new"]), names="frame")
    scenes = []
    dash.canvas.observe(lambda ch: scenes.append(ch["new"]), names="scene")
    dash.controls["lr"].value = 1e-3
    assert len(sent) == 1 and not scenes                 # same surface: no new picture
    xy = np.frombuffer(sent[0]["layers"][1]["xy"], dtype="<f8").reshape(-1, 2)
    np.testing.assert_array_equal(xy, dash.path.xs)
    assert sent[0]["n_steps"] == dash.path.steps == 200
    assert dash.canvas.step == -1                         # the page shows the whole run
    dash.controls["surface"].value = "himmelblau"
    assert len(scenes) == 1 and len(sent) == 2
    assert scenes[0]["panels"][0]["xlim"] == list(dash.surface.xlim)


def test_sizes_are_small():
    """A 1000-step frame is a few tens of KB; a scene (palette PNG) well under 100 KB; the
    kernel-free copy with every surface under the 1 MB budget."""
    big = E.descent_frame(E.Settings(surface="rosenbrock", lr=1e-3, steps=1000, tol=0.0))
    assert big.n_steps == 1000 and big.nbytes < 80_000
    for name in E.surface_names():
        assert E.descent_scene(E.resolve_surface(name)).nbytes < 100_000, name


def test_plain_json_round_trip():
    frame = E.descent_frame(E.Settings(surface="booth", lr=0.05, steps=30))
    plain = scene.to_plain_json(frame.to_json())
    text = json.dumps(plain, allow_nan=False)           # valid JSON, no NaN
    back = scene.from_plain_json(json.loads(text))
    assert back["layers"][1]["xy"] == frame.to_json()["layers"][1]["xy"]


def test_static_html_inlines_the_module_and_loads_nothing(closing):
    dash = D.descent_explorer("himmelblau", "adam")
    closing(dash)
    page = dash.static_html()
    assert len(page.encode()) <= D.STATIC_BUDGET
    assert "http://" not in page and "https://" not in page and "require(" not in page
    assert '<script type="module">' in page and "mountStatic(el, data, fns)" in page
    assert page.count("</script>") == 2                     # nothing inside closes a script early
    data, code = dash.static_data()
    assert data["settings"]["surface"] == "himmelblau" and "himmelblau" in code
    assert set(data["surfaces"]) == set(E.surface_names())   # every surface fits the budget
    bundle = dash._repr_mimebundle_()
    assert {"application/vnd.jupyter.widget-view+json", "text/html"} <= set(bundle)


def test_click_message_moves_the_start(closing):
    dash = D.descent_explorer("himmelblau", "gd")
    closing(dash)
    dash.canvas._handle_msg(dash.canvas, {"type": "click", "panel": "surface", "x": 1.5,
                                          "y": -2.0}, [])
    np.testing.assert_allclose(dash.path.xs[0], [1.5, -2.0], atol=1e-6)
    dash.canvas._handle_msg(dash.canvas, {"type": "click", "panel": "loss", "x": 3, "y": 4}, [])
    np.testing.assert_allclose(dash.path.xs[0], [1.5, -2.0], atol=1e-6)   # not the contour


def test_esm_ships_in_the_package():
    from importlib.resources import files
    shipped = files("gradlib.widgets").joinpath("canvas.js")
    assert shipped.is_file() and str(C.Canvas._esm) == shipped.read_text(encoding="utf-8")
    assert "export default { render }" in C.module_source()


# ---------------------------------------------------------------------------------------------
# the module's math in Chromium vs Python
# ---------------------------------------------------------------------------------------------
SURFACES = ["rosenbrock", "himmelblau", "beale", "booth", "six_hump_camel", "quadratic",
            "styblinski_tang", "matyas"]


@pytest.fixture(scope="module")
def js(browser):
    """A blank page with canvas.js loaded and every catalogue surface compiled to JavaScript;
    ``window.gc`` holds the module's exports, ``window.S`` the surfaces."""
    page = browser.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    fns = ",\n".join(f"{json.dumps(n)}: {jsmath.surface_js(E.resolve_surface(n))}"
                     for n in E.surface_names())
    extra = {"singular": "x**2 + y", "logx": "log(x) + y**2"}
    fns += "," + ",\n".join(f"{json.dumps(k)}: {jsmath.surface_js(E.resolve_surface('custom', v))}"
                            for k, v in extra.items())
    source = C.module_source().replace("export default { render };", "")
    source += ("\nwindow.gc = {descend, makeOptimizer, learningRate, descentFrame, describe, "
               "fmtG, pyRepr, errorFrame, render, localModel, quadraticFrame, raceFrame, "
               "curvatureFrame, eigSym2};\nwindow.S = {" + fns + "};\n")
    page.set_content("<!doctype html><html><body><div id=host></div></body></html>")
    page.add_script_tag(content=source, type="module")
    page.wait_for_function("() => window.gc && window.S")
    yield page
    assert not errors, errors
    page.close()


RUN_JS = """([name, opt, lr, hyper, schedule, steps, x0, tol, decay, rate]) => {
  const s = window.S[name];
  const o = window.gc.makeOptimizer(opt, window.gc.learningRate(schedule, lr, steps, decay, rate), hyper);
  const p = window.gc.descend(s, o, x0, steps, tol);
  if (p.error) return {error: p.error};
  return {xs: Array.from(p.xs), losses: Array.from(p.losses), lrs: Array.from(p.lrs),
          status: p.status, steps: p.steps, message: p.message};
}"""


def _python_run(name, opt, lr, hyper, schedule, steps, x0, tol, decay=0.01, rate=0.99):
    surface = E.resolve_surface(name) if name in E.surface_names() else None
    settings = E.Settings(surface=name, optimizer=opt, lr=lr, hyper=tuple(hyper.items()),
                          schedule=schedule, steps=steps, start=tuple(x0), tol=tol,
                          decay=decay, rate=rate)
    return surface, settings, E.run_descent(settings)


def _agree(js_run, ref, label):
    assert js_run["status"] == ref.status and js_run["steps"] == ref.steps, (label, js_run["message"],
                                                                            ref.message)
    xs = np.array(js_run["xs"]).reshape(ref.xs.shape)
    scale = max(1.0, float(np.max(np.abs(ref.xs))))
    np.testing.assert_allclose(xs, ref.xs, rtol=1e-12, atol=1e-12 * scale, err_msg=label)
    lscale = max(1.0, float(np.max(np.abs(ref.losses))))
    np.testing.assert_allclose(js_run["losses"], ref.losses, rtol=1e-12, atol=1e-12 * lscale,
                               err_msg=label)
    np.testing.assert_allclose(js_run["lrs"], ref.lrs, rtol=1e-12, atol=0, err_msg=label)
    assert js_run["message"] == ref.message, label


HYPERS = {"gd": {}, "momentum": {"beta": 0.8}, "nesterov": {"beta": 0.7}, "adagrad": {},
          "rmsprop": {"rho": 0.95}, "adam": {"beta1": 0.85, "beta2": 0.99},
          "adamw": {"beta1": 0.9, "beta2": 0.999, "weight_decay": 0.05}, "newton": {"damping": 0.5}}


@pytest.mark.parametrize("name", SURFACES)
@pytest.mark.parametrize("opt", list(optim.OPTIMIZERS))
def test_js_descend_equals_optim_descend(js, name, opt):
    """Every optimizer on several surfaces, from the surface's start at its default lr (a
    non-chaotic run: the explorer's own starting point), 200 steps."""
    surface = E.resolve_surface(name)
    lr = E.default_lr(surface, opt)
    x0 = [float(v) for v in surface.start]
    args = [name, opt, lr, HYPERS[opt], "constant", 200, x0, E.EXPLORER_TOL, 0.01, 0.99]
    _, _, ref = _python_run(*args)
    _agree(js.evaluate(RUN_JS, args), ref, f"{name} {opt} lr={lr}")


@pytest.mark.parametrize("schedule", list(E.SCHEDULE_CHOICES))
@pytest.mark.parametrize("opt", list(optim.OPTIMIZERS))
def test_js_schedules_equal_pythons(js, schedule, opt):
    surface = E.resolve_surface("himmelblau")
    lr = E.default_lr(surface, opt)
    args = ["himmelblau", opt, lr, HYPERS[opt], schedule, 120, [-1.0, 1.5], 0.0, 0.05, 0.97]
    _, _, ref = _python_run(*args)
    _agree(js.evaluate(RUN_JS, args), ref, f"{schedule} {opt}")


FRAME_JS = """([name, settings, info]) => {
  const f = window.gc.descentFrame(settings, window.S[name], info);
  return {status: f.status, kind: f.kind, n_steps: f.n_steps, charts: f.charts,
          layers: f.layers.map(l => ({panel: l.panel, kind: l.kind, reveal: l.reveal, style: l.style,
                                      xy: Array.from(l.xy)}))};
}"""


def _js_frame(js, settings: E.Settings):
    surface = E.resolve_surface(settings.surface, settings.formula)
    info = {"global_min": surface.global_min,
            "minima": np.asarray(surface.minima).reshape(-1, 2).tolist()}
    key = settings.surface if settings.surface != E.CUSTOM else {
        "x**2 + y": "singular", "log(x) + y**2": "logx"}[settings.formula]
    s = {"optimizer": settings.optimizer, "lr": settings.lr, "hyper": dict(settings.hyper),
         "schedule": settings.schedule, "decay": settings.decay, "rate": settings.rate,
         "steps": settings.steps, "start": list(settings.start), "tol": settings.tol}
    return js.evaluate(FRAME_JS, [key, s, info])


@pytest.mark.parametrize("settings", [
    E.Settings(surface="rosenbrock", optimizer="gd", lr=1e-3, start=(-1.2, 1.0)),
    E.Settings(surface="quadratic", optimizer="gd", lr=0.24, start=(2.0, 1.5)),          # diverges
    E.Settings(surface="quadratic", optimizer="momentum", lr=0.4, hyper=(("beta", 0.9),),
               start=(2.0, 1.5)),                                                       # diverges
    E.Settings(surface="six_hump_camel", optimizer="gd", lr=0.01, steps=500, start=(-1.4, -0.2)),
    E.Settings(surface="saddle", optimizer="gd", lr=0.1, steps=500, start=(1.0, 0.01)),   # unbounded
    E.Settings(surface="saddle", optimizer="newton", lr=1.0, start=(1.0, 0.5)),            # a saddle
    E.Settings(surface="himmelblau", optimizer="adam", lr=0.05, schedule="cosine_decay",
               start=(0.0, 0.0)),
    E.Settings(surface=E.CUSTOM, formula="x**2 + y", optimizer="newton", lr=1.0,
               start=(1.0, 1.0)),                                            # singular Hessian
    E.Settings(surface=E.CUSTOM, formula="log(x) + y**2", optimizer="gd", lr=0.9,
               start=(0.5, 1.0)),                                            # leaves the domain
], ids=["max-steps", "diverged-gd", "diverged-momentum", "local-min", "unbounded", "saddle",
        "adam-cosine", "singular-newton", "domain"])
def test_js_frame_equals_descent_frame(js, settings):
    """The static page's frame: same layers, same loss values, same status line, word for word."""
    ref = E.descent_frame(settings)
    mine = _js_frame(js, settings)
    assert mine["status"] == ref.status
    assert mine["kind"] == ref.kind and mine["n_steps"] == ref.n_steps
    assert mine["charts"] == {k: dict(v) for k, v in ref.charts.items()}
    assert "nan" not in mine["status"].lower()
    assert len(mine["layers"]) == len(ref.layers)
    for got, want in zip(mine["layers"], ref.layers):
        assert (got["panel"], got["kind"], got["reveal"], got["style"]) == \
            (want.panel, want.kind, want.reveal, want.style)
        xy = np.array(got["xy"]).reshape(-1, 2)
        scale = max(1.0, float(np.max(np.abs(want.xy)))) if want.xy.size else 1.0
        np.testing.assert_allclose(xy, want.xy, rtol=1e-12, atol=1e-12 * scale)


def test_js_bad_start_is_a_status_not_an_exception(js):
    """f undefined at the start: the page says so (the kernel's words), draws no path."""
    s = E.Settings(surface=E.CUSTOM, formula="log(x) + y**2", optimizer="gd", lr=0.1,
                   start=(-1.0, 0.0))
    with pytest.raises(ValueError) as err:
        E.run_descent(s)
    mine = _js_frame(js, s)
    assert mine["kind"] == "error" and mine["status"] == f"cannot run: {err.value}"
    assert mine["layers"] == []


def test_python_number_formats(js):
    for v in [0.0, 1.0, 2.4, 123456.0, 1234567.0, 1e-5, 0.0001234, -3.14159, 1e300, 2.5e-300,
              3.814, 0.000501, 12.0, 99999.5]:
        for p in (3, 4, 6):
            assert js.evaluate("([v, p]) => window.gc.fmtG(v, p)", [v, p]) == format(v, f".{p}g"), (v, p)
        assert js.evaluate("(v) => window.gc.pyRepr(v)", v) == repr(v)


# ---------------------------------------------------------------------------------------------
# the 1-D quadratic explorer and the race: the page's frames vs the Python frame functions
# ---------------------------------------------------------------------------------------------
def _same_frame(mine, ref):
    assert mine["status"] == ref.status
    assert "nan" not in mine["status"].lower()
    assert mine["kind"] == ref.kind and mine["n_steps"] == ref.n_steps
    assert mine["charts"].keys() == ref.charts.keys()
    for name, chart in ref.charts.items():
        got = mine["charts"][name]
        assert got.keys() == dict(chart).keys()
        for key, want in chart.items():
            if isinstance(want, list):
                np.testing.assert_allclose(got[key], want, rtol=1e-12, atol=0, err_msg=key)
            else:
                assert got[key] == want, key
    assert len(mine["layers"]) == len(ref.layers)
    for got, want in zip(mine["layers"], ref.layers):
        assert (got["panel"], got["kind"], got["reveal"], got["style"]) == \
            (want.panel, want.kind, want.reveal, want.style)
        xy = np.array(got["xy"]).reshape(-1, 2)
        assert xy.shape == want.xy.shape, want.style["label"]
        scale = max(1.0, float(np.max(np.abs(want.xy)))) if want.xy.size else 1.0
        np.testing.assert_allclose(xy, want.xy, rtol=1e-12, atol=1e-12 * scale,
                                   err_msg=want.style["label"])


LAYERS_JS = """f => ({status: f.status, kind: f.kind, n_steps: f.n_steps, charts: f.charts,
  layers: f.layers.map(l => ({panel: l.panel, kind: l.kind, reveal: l.reveal, style: l.style,
                              xy: Array.from(l.xy)}))})"""


@pytest.mark.parametrize("a, lr, x0, steps", [
    (2.0, 0.3, 1.5, 20), (2.0, 0.7, 1.5, 20), (2.0, 1.1, 1.5, 60), (2.0, 0.5, 1.5, 10),
    (2.0, 1.0, -0.8, 15), (2.0, 0.0, 1.5, 5), (0.5, 2.0, 1.5, 60), (4.95, 0.405, 2.0, 33),
    (5.0, 2.0, 1.5, 60),
], ids=["monotone", "oscillating", "divergent", "one-step", "bouncing", "frozen", "slow",
        "near-threshold", "fast-divergent"])
def test_js_quadratic_frame_equals_python(js, a, lr, x0, steps):
    ref = E.quadratic_frame(E.QuadraticSettings(a, lr, x0, steps))
    mine = js.evaluate(f"(s) => ({LAYERS_JS})(window.gc.quadraticFrame(s))",
                       {"a": a, "lr": lr, "x0": x0, "steps": steps})
    _same_frame(mine, ref)


@pytest.mark.parametrize("surface, lrs, steps, start", [
    ("himmelblau", (("gd", 0.01), ("momentum", 0.002), ("adam", 0.1)), 150, None),
    ("rosenbrock", tuple((n, E.default_lr(E.resolve_surface("rosenbrock"), n))
                         for n in E.RACERS), 300, None),
    ("quadratic", (("gd", 0.3), ("adam", 0.1), ("nesterov", 0.05)), 150, (2.0, 1.5)),
    ("saddle", (("gd", 0.05), ("rmsprop", 0.01)), 200, (1.0, 0.01)),
    ("six_hump_camel", (("adagrad", 0.1), ("gd", 0.01)), 400, (-1.4, -0.2)),
], ids=["himmelblau", "rosenbrock-all", "diverging-gd", "no-fstar", "local-min"])
def test_js_race_frame_equals_python(js, surface, lrs, steps, start):
    settings = E.RaceSettings(surface, lrs, steps, start)
    ref = E.race_frame(settings)
    surf = E.resolve_surface(surface)
    info = {"global_min": surf.global_min, "minima": np.asarray(surf.minima).reshape(-1, 2).tolist()}
    s = {"lrs": [list(p) for p in lrs], "steps": steps,
         "start": list(start or [float(v) for v in surf.start]), "tol": settings.tol}
    mine = js.evaluate(f"([name, s, info]) => ({LAYERS_JS})(window.gc.raceFrame(s, window.S[name], info))",
                       [surface, s, info])
    _same_frame(mine, ref)


def test_race_frame_contract():
    settings = E.RaceSettings("himmelblau", (("gd", 0.01), ("adam", 0.1)), 120)
    frame = E.race_frame(settings)
    entries = E.run_race(settings)
    for e in entries:
        np.testing.assert_array_equal(
            [layer.xy for layer in frame.layers if layer.style["label"] == e.name
             and layer.kind == "line" and layer.panel == "surface"][0], e.path.xs)
    assert frame.n_steps == max(e.path.steps for e in entries)
    assert all(layer.style.get("label") for layer in frame.layers)
    assert frame.charts["loss"]["ylog"] and frame.nbytes < 40_000


@pytest.mark.parametrize("make", [
    lambda: D.descent_explorer("himmelblau", "adam"),
    lambda: D.optimizer_race("himmelblau", ("gd", "momentum", "adam"), steps=150),
    lambda: D.quadratic_explorer(a=2.0, lr=0.7),
    lambda: WC.curvature_explorer("rosenbrock", "gd", lr=2.5e-3, steps=300),
], ids=["descent", "race", "quadratic", "curvature"])
def test_static_copy_opens_with_a_snapshot_and_runs(browser, closing, make):
    """The static copy: <= 1 MB, nothing from outside, an <img> of the snapshot whose alt is the
    status line; in Chromium the module replaces it with the live explorer, whose first frame
    says the same words as the kernel, and a slider changes the pixels."""
    import base64
    import html as H
    dash = make()
    closing(dash)
    page_html = dash._repr_mimebundle_()["text/html"]
    assert len(page_html.encode()) <= D.STATIC_BUDGET
    assert "http://" not in page_html and "https://" not in page_html
    alt = H.escape(dash.frame.status)
    assert f'alt="{alt}"' in page_html and 'src="data:image/png;base64,' in page_html
    src = page_html.split('src="data:image/png;base64,')[1].split('"')[0]
    assert base64.b64decode(src).startswith(b"\x89PNG")
    page = browser.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    try:
        page.set_content(f"<!doctype html><html lang=en><body>{page_html}</body></html>")
        page.wait_for_function("() => document.querySelector('.gradlib-static canvas')")
        assert page.locator(".gradlib-static-snapshot").count() == 0      # replaced
        status = page.locator(".gradlib-static").get_attribute("data-status")
        assert status == dash.frame.status
        before = page.locator(".gradlib-static canvas").screenshot()
        slider = page.locator(".gradlib-static input[type=range]").first
        slider.focus()
        for _ in range(5):
            slider.press("ArrowRight")
        page.wait_for_timeout(100)
        assert page.locator(".gradlib-static canvas").screenshot() != before
        assert not errors, errors
    finally:
        page.close()


# ---------------------------------------------------------------------------------------------
# the curvature explorer: segments-per-step layers, the page's frame vs curvature_frame
# ---------------------------------------------------------------------------------------------
def test_segments_per_step_layer_contract():
    xy = np.array([[0.0, 0.0], [1.0, 1.0], [np.nan, np.nan], [2.0, 2.0], [3.0, 3.0]])
    layer = scene.Layer("surface", xy, "segments-per-step", "at", {"label": "glyph"},
                        offsets=[0, 3, 3, 5])
    assert layer.n_chunks == 3
    np.testing.assert_array_equal(layer.chunk(0), xy[:3])
    assert layer.chunk(1).shape == (0, 2)                       # an empty step draws nothing
    np.testing.assert_array_equal(layer.chunk(2), xy[3:])
    np.testing.assert_array_equal(layer.chunk(99), xy[3:])       # past the end: the last step
    sent = layer.to_json()
    np.testing.assert_array_equal(np.frombuffer(sent["offsets"], dtype="<f8"), [0, 3, 3, 5])
    assert "offsets" not in scene.Layer("surface", xy[:2]).to_json()   # other kinds unchanged
    for bad in ([0, 3, 4], [1, 5], [0, 4, 3, 5], [0, 2.5, 5]):
        with pytest.raises(ValueError, match="offsets must rise from 0 to len"):
            scene.Layer("surface", xy, "segments-per-step", "at", offsets=bad)
    with pytest.raises(ValueError, match="reveal of a segments-per-step layer"):
        scene.Layer("surface", xy, "segments-per-step", "upto", offsets=[0, 5])
    with pytest.raises(ValueError, match="offsets belong to segments-per-step"):
        scene.Layer("surface", xy, "line", offsets=[0, 5])


CURVATURE_CASES = [
    EC.CurvatureSettings("rosenbrock", "gd", 2.5e-3, steps=300),                   # above 2 early
    EC.CurvatureSettings("rosenbrock", "momentum", 1e-4, 0.9, steps=200),
    EC.CurvatureSettings("rosenbrock", "newton", 1.0, steps=50),
    EC.CurvatureSettings("saddle", "gd", 0.3, steps=200),                          # diverges
    EC.CurvatureSettings("himmelblau", "newton", 1.0, steps=40, start=(-4.0, 0.0)),  # a saddle
    EC.CurvatureSettings("monkey_saddle", "newton", 1.0, steps=40),                # degenerate
    EC.CurvatureSettings("quadratic", "gd", 0.19, steps=400, start=(1.0, 1.0)),
    EC.CurvatureSettings("bowl", "gd", 0.1, steps=100),                            # H = 2 I
    EC.CurvatureSettings("six_hump_camel", "gd", 0.01, steps=300, start=(-1.4, -0.2)),
    EC.CurvatureSettings(E.resolve_surface(E.CUSTOM, "x**2 + y"), "newton", 1.0, steps=20,
                         start=(1.0, 1.0)),                                # singular Hessian
]


@pytest.mark.parametrize("settings", CURVATURE_CASES, ids=[
    "rosen-gd", "rosen-momentum", "rosen-newton", "saddle-diverges", "himmelblau-newton",
    "monkey-degenerate", "quadratic", "bowl-isotropic", "camel", "singular-newton"])
def test_js_curvature_frame_equals_python(js, settings):
    """The static page's curvature frame: every layer (glyph and model segments per step,
    offsets included), chart limits and the status line, as the kernel's."""
    ref = EC.curvature_frame(settings)
    surface = EC.curvature_surface(settings.surface, settings.kappa, settings.angle)
    info = {"global_min": surface.global_min, "xlim": list(surface.xlim),
            "minima": np.asarray(surface.minima).reshape(-1, 2).tolist()}
    start = list(settings.start or [float(v) for v in surface.start])
    s = {"optimizer": settings.optimizer, "lr": settings.lr, "beta": settings.beta,
         "steps": settings.steps, "start": start}
    name = settings.surface if isinstance(settings.surface, str) else "singular"
    if name == "quadratic":            # the explorer's quadratic (kappa, angle), compiled here
        name = f"quadratic_{settings.kappa:g}_{settings.angle:g}"
        js.add_script_tag(content=f"window.S[{json.dumps(name)}] = {jsmath.surface_js(surface)};")
    mine = js.evaluate(
        "([name, s, info]) => { const f = window.gc.curvatureFrame(s, window.S[name], info);"
        " return {status: f.status, kind: f.kind, n_steps: f.n_steps, charts: f.charts,"
        " layers: f.layers.map(l => ({panel: l.panel, kind: l.kind, reveal: l.reveal,"
        " style: l.style, xy: Array.from(l.xy), offsets: l.offsets ? Array.from(l.offsets) : null}))}; }",
        [name, s, info])
    _same_frame(mine, ref)
    for got, want in zip(mine["layers"], ref.layers):
        if want.offsets is not None:
            np.testing.assert_array_equal(got["offsets"], want.offsets)


def test_js_eigen_decomposition_matches_numpy(js):
    """eigSym2 (the page) and eig2 (the kernel) against numpy.linalg.eigh: eigenvalues, and
    H v = lambda v for each column."""
    rng = np.random.default_rng(5)
    for _ in range(40):
        A = rng.normal(size=(2, 2)) * 10 ** rng.uniform(-3, 3)
        A = A + A.T
        lam, V = EC.eig2(A)
        ref = np.linalg.eigvalsh(A)
        np.testing.assert_allclose(lam, ref, rtol=0, atol=1e-13 * np.abs(ref).max())
        np.testing.assert_allclose(A @ V, V * lam, rtol=0, atol=1e-12 * np.abs(ref).max())
        got = js.evaluate("(h) => window.gc.eigSym2(h)", A.ravel().tolist())
        # Math.hypot and numpy's hypot may differ in the last bit: relative to max |lambda|
        np.testing.assert_allclose(got["lam"], lam, rtol=1e-12, atol=1e-14 * np.abs(lam).max())
        np.testing.assert_allclose(got["V"], V.T.ravel(), rtol=1e-12, atol=1e-14)


def test_js_curvature_bad_start_is_a_status(js):
    """f undefined at the start: the page's status is the kernel's error, no layers, no throw."""
    surface = E.resolve_surface(E.CUSTOM, "log(x) + y**2")
    with pytest.raises(ValueError) as err:
        EC.curvature_frame(EC.CurvatureSettings(surface, "gd", 0.1, steps=10, start=(-1.0, 0.0)))
    mine = js.evaluate("(info) => window.gc.curvatureFrame({optimizer: 'gd', lr: 0.1, beta: 0.9,"
                       " steps: 10, start: [-1.0, 0.0]}, window.S.logx, info)",
                       {"global_min": None, "xlim": list(surface.xlim), "minima": []})
    assert mine["kind"] == "error" and mine["status"] == f"cannot run: {err.value}"
    assert mine["layers"] == []


# ---------------------------------------------------------------------------------------------
# the Newton explorer (notebook 05): the page's newtonFrame vs experiments_curvature.newton_frame
# ---------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def js_newton(browser):
    """A blank page with canvas.js loaded (its Newton functions in ``window.gn``) and the
    surfaces the cases below use, compiled to JavaScript (``window.SN``)."""
    page = browser.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    named = {n: EC.curvature_surface(n) for n in
             ("himmelblau", "rosenbrock", "monkey_saddle", "six_hump_camel", "saddle", "quadratic")}
    named["singular"] = E.resolve_surface(E.CUSTOM, "x**2 + y")
    named["logx"] = E.resolve_surface(E.CUSTOM, "log(x) + y**2")
    fns = ",\n".join(f"{json.dumps(k)}: {jsmath.surface_js(v)}" for k, v in named.items())
    source = C.module_source().replace("export default { render };", "")
    source += ("\nwindow.gn = {newtonFrame, newtonStatus};\nwindow.SN = {" + fns + "};\n")
    page.set_content("<!doctype html><html><body></body></html>")
    page.add_script_tag(content=source, type="module")
    page.wait_for_function("() => window.gn && window.SN")
    yield page, named
    assert not errors, errors
    page.close()


def _newton_default_lr(name, start):
    return WC.default_lr(EC.curvature_surface(name), start)


NEWTON_CASES = [
    ("himmelblau", (-4.0, 0.0), 40, None, 50.0),       # Newton: a saddle; damped: a minimum
    ("himmelblau", (-4.0, 0.0), 40, None, 19.5),       # damped Newton ends on the saddle too
    ("himmelblau", (0.5, -1.0), 60, 0.01, 5.0),
    ("rosenbrock", None, 100, 1e-3, 1.0),
    ("rosenbrock", None, 50, 0.05, 1000.0),            # GD and momentum diverge
    ("singular", (1.0, 1.0), 30, 0.1, 0.5),            # H = [[2, 0], [0, 0]]: Newton stops at once
    # degenerate Hessian at the origin, approached along y = 0 (from the catalogue start
    # (1.2, 0.2) damped Newton is chaotic: a 1e-13 change of x0 moves its path by O(1), so no
    # two implementations can agree path for path there)
    ("monkey_saddle", (1.2, 0.0), 40, 0.05, 1.0),
    ("six_hump_camel", (-1.4, -0.2), 80, 0.02, 2.0),
    ("saddle", (1.0, 0.01), 60, 0.1, 3.0),             # f unbounded below
    ("quadratic", (1.0, 1.0), 30, 0.19, 0.3),          # SPD: Newton in one step
]


@pytest.mark.parametrize("name, start, steps, lr, damping", NEWTON_CASES, ids=[
    "himmelblau-saddle", "himmelblau-mu19.5", "himmelblau-centre", "rosenbrock", "rosen-diverges",
    "singular-hessian", "monkey-degenerate", "camel", "saddle-unbounded", "quadratic-spd"])
def test_js_newton_frame_equals_python(js_newton, name, start, steps, lr, damping):
    """Every layer (≤ 1e-12 relative), the chart settings and the status line word for word."""
    page, named = js_newton
    surface = named[name]
    start = start or tuple(float(v) for v in surface.start)
    lr = lr if lr is not None else _newton_default_lr(name, start)
    settings = EC.NewtonSettings(surface, start, steps, lr, 0.9, damping)
    ref = EC.newton_frame(settings)
    info = {"minima": np.asarray(surface.minima).reshape(-1, 2).tolist()}
    s = {"start": list(start), "steps": steps, "lr": lr, "beta": 0.9, "damping": damping}
    mine = page.evaluate(f"([name, s, info]) => ({LAYERS_JS})(window.gn.newtonFrame(s, window.SN[name], info))",
                         [name, s, info])
    _same_frame(mine, ref)


def test_newton_frame_cases_cover_what_they_claim(js_newton):
    """The cases above include a singular Newton system, a diverging run, a saddle and a
    one-step solve (so the comparison is not only of easy runs)."""
    _, named = js_newton
    sing = EC.run_newton(EC.NewtonSettings(named["singular"], (1.0, 1.0), 30, 0.1, 0.9, 0.5))
    assert sing[2].status == "diverged" and "singular" in sing[2].message and sing[2].steps == 0
    rosen = EC.run_newton(EC.NewtonSettings(named["rosenbrock"], (-1.2, 1.0), 50, 0.05, 0.9, 1000.0))
    assert rosen[0].status == "diverged" and rosen[1].status == "diverged"
    frame = EC.newton_frame(EC.NewtonSettings(named["himmelblau"], (-4.0, 0.0), 40,
                                              _newton_default_lr("himmelblau", (-4.0, 0.0)), 0.9, 50.0))
    assert "Newton: converged after 5 steps at (-3.073, -0.081), f = 104, a saddle of f" in frame.status
    assert "damped Newton: converged" in frame.status and "a minimum of f" in frame.status
    spd = EC.run_newton(EC.NewtonSettings(named["quadratic"], (1.0, 1.0), 30, 0.19, 0.9, 0.3))
    assert spd[2].status == "converged" and spd[2].steps == 1


def test_js_newton_bad_start_is_a_status(js_newton):
    """f undefined at the start: the page says what the kernel says, no layers, no exception."""
    page, named = js_newton
    with pytest.raises(ValueError) as err:
        EC.newton_frame(EC.NewtonSettings(named["logx"], (-1.0, 0.0), 10, 0.1, 0.9, 1.0))
    mine = page.evaluate("() => window.gn.newtonFrame({start: [-1.0, 0.0], steps: 10, lr: 0.1,"
                         " beta: 0.9, damping: 1.0}, window.SN.logx, {minima: []})")
    assert mine["kind"] == "error" and mine["status"] == f"cannot run: {err.value}"
    assert mine["layers"] == []


def test_newton_static_copy_opens_with_a_snapshot_and_runs(browser, closing):
    """The Newton explorer's static copy: the snapshot <img> (alt = the status line) replaced by
    the page's explorer, whose first status is the kernel's; a slider changes the pixels."""
    test_static_copy_opens_with_a_snapshot_and_runs(
        browser, closing, lambda: WC.newton_explorer("himmelblau", (-4.0, 0.0), steps=40,
                                                     damping=50.0))


def test_newton_static_copy_click_moves_the_start(browser, closing):
    """A click on the page's contour plot moves the start of all four runs (no kernel)."""
    dash = WC.newton_explorer("himmelblau", (-4.0, 0.0), steps=40, damping=50.0)
    closing(dash)
    page = browser.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    try:
        page.set_content(f"<!doctype html><html lang=en><body>{dash.static_html()}</body></html>")
        page.wait_for_function("() => document.querySelector('.gradlib-static canvas')")
        before = page.locator(".gradlib-static").get_attribute("data-status")
        assert before.startswith("from (-4.00, 0.00) · ")
        panel = dash.scene.panels[0]
        x, y, w, h = panel.bbox
        box = page.locator(".gradlib-static canvas").bounding_box()
        sx, sy = box["width"] / dash.scene.width, box["height"] / dash.scene.height
        page.mouse.click(box["x"] + (x + 0.75 * w) * sx, box["y"] + (y + 0.25 * h) * sy)
        page.wait_for_timeout(100)
        after = page.locator(".gradlib-static").get_attribute("data-status")
        assert after != before and not after.startswith("from (-4.00, 0.00)")
        assert "nan" not in after.lower() and not errors, errors
    finally:
        page.close()


# ---------------------------------------------------------------------------------------------
# precomputed grids: the static page of explorers whose math stays in the kernel
# ---------------------------------------------------------------------------------------------
def test_grid_static_data_has_every_combination_once():
    """Keys are the values' indices; each frame is the frame function's for its combination;
    equal scenes are embedded once; over the budget is an error naming the sizes."""
    from gradlib.widgets.canvas import GridControl, grid_static_data
    calls = []
    dash = D.quadratic_explorer(a=2.0, lr=0.5)
    try:
        scene = dash.scene

        def frame_for(s):
            calls.append(s)
            return scene, E.quadratic_frame(E.QuadraticSettings(a=s["a"], lr=s["lr"], x0=1.5, steps=20))
        controls = [GridControl("a", "curvature a", (1.0, 2.0), kind="select"),
                    GridControl("lr", "learning rate", (0.1, 0.5, 1.1), initial=0.5)]
        data = grid_static_data(controls, frame_for)
        assert sorted(data["frames"]) == [f"{i}|{j}" for i in range(2) for j in range(3)]
        assert len(calls) == 6 and len(data["scenes"]) == 1
        assert data["controls"][1]["initial"] == 1 and data["controls"][1]["labels"] == ["0.1", "0.5", "1.1"]
        f = from_plain_json(data["frames"]["1|2"]["frame"])
        ref = E.quadratic_frame(E.QuadraticSettings(a=2.0, lr=1.1, x0=1.5, steps=20))
        assert f["status"] == ref.status and f["kind"] == ref.kind == "diverged"
        for mine, theirs in zip(f["layers"], ref.to_json()["layers"]):
            assert mine["xy"] == theirs["xy"]
        with pytest.raises(ValueError, match="over the budget of 1,000.*2 × 3 = 6 frames"):
            grid_static_data(controls, frame_for, budget=1000)
    finally:
        dash.close()


@pytest.mark.parametrize("kwargs, message", [
    (dict(name="a b", label="x", values=(1,)), "identifier"),
    (dict(name="a", label="x", values=()), "must not be empty"),
    (dict(name="a", label="x", values=(1, 1)), "distinct"),
    (dict(name="a", label="x", values=(1, 2), initial=3), "initial must be one of"),
    (dict(name="a", label="x", values=(1, 2), kind="knob"), "kind must be"),
    (dict(name="a", label="x", values=(1, 2), labels=("one",)), "1 labels for 2 values"),
])
def test_grid_control_refuses_bad_input(kwargs, message):
    from gradlib.widgets.canvas import GridControl
    with pytest.raises(ValueError, match=message):
        GridControl(**kwargs)


def test_grid_static_page_snaps_to_the_precomputed_frames(browser):
    """In Chromium: the page shows the initial combination's frame, a slider step shows the next
    value's frame (its status word for word) and a menu change the other scene's."""
    from gradlib.widgets.canvas import GridControl, grid_static_html
    dash = D.quadratic_explorer(a=2.0, lr=0.5)
    page = browser.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    try:
        scene = dash.scene

        def frame_for(s):
            return scene, E.quadratic_frame(E.QuadraticSettings(a=s["a"], lr=s["lr"], x0=1.5, steps=20))
        controls = [GridControl("a", "curvature a", (1.0, 2.0), initial=2.0, kind="select"),
                    GridControl("lr", "learning rate", (0.1, 0.5, 1.1), initial=0.5)]
        html_ = grid_static_html(controls, frame_for, title="t", css_class="grid-test")
        page.set_content(f"<!doctype html><html lang=en><body>{html_}</body></html>")
        page.wait_for_function("() => document.querySelector('.gradlib-static canvas')")
        host = page.locator(".gradlib-static")
        status = lambda a, lr: frame_for({"a": a, "lr": lr})[1].status  # noqa: E731
        assert host.get_attribute("data-status") == status(2.0, 0.5)
        page.locator(".gradlib-static-controls input[type=range]").press("ArrowRight")
        assert host.get_attribute("data-status") == status(2.0, 1.1)
        page.locator(".gradlib-static-controls select").select_option("0")
        assert host.get_attribute("data-status") == status(1.0, 1.1)
        assert "computed in advance" in page.locator(".gradlib-static-note").text_content()
        assert not errors, errors
    finally:
        page.close()
        dash.close()


# ---------------------------------------------------------------------------------------------
# text and image layers (numbers in a graph's boxes; decision boundaries as training goes)
# ---------------------------------------------------------------------------------------------
def _two_images():
    red = np.zeros((4, 6, 3)); red[..., 0] = 1.0
    blue = np.zeros((4, 6, 3)); blue[..., 2] = 1.0
    return scene.image_png(red), scene.image_png(blue)


def test_text_and_image_layers_contract():
    """A text layer carries one string per point, an image layer PNGs and its extent; bad
    shapes are refused with the argument named; image_at follows the reveal rule."""
    red, blue = _two_images()
    text = scene.Layer("p", [[0.0, 0.0], [1.0, 1.0]], kind="text", texts=["a = 1", "b\nc"],
                       style={"label": "values", "align": "left", "box": "#fff"})
    assert text.to_json()["texts"] == ["a = 1", "b\nc"]
    img = scene.Layer("p", [[0.0, 0.0], [2.0, 1.0]], kind="image", images=[red, blue],
                      reveal="at", style={"label": "boundary", "alpha": 0.5})
    assert img.image_at(0) == red and img.image_at(1) == blue and img.image_at(7) == blue
    assert img.to_json()["images"] == [red, blue]
    with pytest.raises(ValueError, match="one string per point: 1 texts for 2 points"):
        scene.Layer("p", [[0, 0], [1, 1]], kind="text", texts=["x"])
    with pytest.raises(ValueError, match="align must be one of"):
        scene.Layer("p", [[0, 0]], kind="text", texts=["x"], style={"align": "middle"})
    with pytest.raises(ValueError, match="non-empty sequence of PNG bytes"):
        scene.Layer("p", [[0, 0], [1, 1]], kind="image", images=[b"GIF89a"])
    with pytest.raises(ValueError, match="two finite corners"):
        scene.Layer("p", [[0, 0], [0, 1]], kind="image", images=[red])
    with pytest.raises(ValueError, match="texts belong to text layers"):
        scene.Layer("p", [[0, 0]], kind="points", texts=["x"])
    with pytest.raises(ValueError, match="shape"):
        scene.image_png(np.zeros((3, 3)))
    png = scene.image_png(np.full((2, 2, 4), 0.5))
    from matplotlib.image import imread
    import io
    assert imread(io.BytesIO(png), format="png").shape == (2, 2, 4)


def _square_scene():
    fig = Figure(figsize=(3, 3), dpi=100)
    ax = fig.add_axes((0.1, 0.1, 0.8, 0.8))
    ax.set_xlim(0, 2); ax.set_ylim(0, 1)
    return scene.scene_from_figure(fig, {"p": ax})


def _show_one_frame(page, sc, frame) -> None:
    """``frame`` over ``sc`` in ``page``: a static page of one precomputed frame."""
    html_ = C.grid_static_html([C.GridControl("k", "k", (0,))], lambda _s: (sc, frame),
                               title="test", css_class="one-frame", note="")
    page.set_content(f"<!doctype html><html lang=en><body>{html_}</body></html>")
    page.wait_for_function("() => document.querySelector('.gradlib-static canvas')")


def _image_and_text_frame(x1: float, at: tuple[float, float], text: str, size: int):
    """A one-step frame: red then blue over [0, x1] x [0, 1], and ``text`` at ``at``."""
    red, blue = _two_images()
    return scene.Frame([scene.Layer("p", [[0.0, 0.0], [x1, 1.0]], kind="image", images=[red, blue],
                                    reveal="at", style={"label": "map"}),
                        scene.Layer("p", [list(at)], kind="text", texts=[text],
                                    style={"label": "value", "color": "#000", "size": size})],
                       1, "ok")


def test_snapshot_draws_text_and_image_layers():
    """The matplotlib snapshot shows step t's image (red at 0, blue past the end) and the texts."""
    sc = _square_scene()
    frame = _image_and_text_frame(2.0, (1.0, 0.5), "L = 0.25", 14)
    fig = scene.snapshot(sc, frame, 0)
    ax = fig.axes[0]
    assert len(ax.images) == 1 and ax.images[0].get_array()[0, 0, 0] > 0.9     # red
    assert [t.get_text() for t in ax.texts] == ["L = 0.25"]
    fig = scene.snapshot(sc, frame, -1)
    assert fig.axes[0].images[0].get_array()[0, 0, 2] > 0.9                     # blue


def test_page_draws_text_and_image_layers(browser):
    """In Chromium: the image layer fills its extent with step t's picture (scrubbing switches
    red -> blue) and a text layer puts dark pixels where its string is."""
    sc = _square_scene()
    frame = _image_and_text_frame(1.0, (1.5, 0.5), "WWW", 16)
    page = browser.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    try:
        _show_one_frame(page, sc, frame)
        page.wait_for_timeout(300)
        px = """([x, y]) => { const c = document.querySelector('.gradlib-static canvas');
          const s = c.width / 300; return [...c.getContext('2d').getImageData(x * s, y * s, 1, 1).data]; }"""
        # data (0.5, 0.5) -> pixel (30 + 0.25 * 240, 30 + 0.5 * 240) = (90, 150)
        assert page.evaluate(px, [90, 150])[:3] == [0, 0, 255]            # the last step: blue
        page.locator(".gc-step").fill("0")
        page.locator(".gc-step").dispatch_event("input")
        assert page.evaluate(px, [90, 150])[:3] == [255, 0, 0]            # step 0: red
        dark = page.evaluate("""() => { const c = document.querySelector('.gradlib-static canvas');
          const s = c.width / 300; const d = c.getContext('2d').getImageData(200 * s, 140 * s, 40 * s, 20 * s).data;
          let n = 0; for (let i = 0; i < d.length; i += 4) if (d[i] < 80) n++; return n; }""")
        assert dark > 20
        assert not errors, errors
    finally:
        page.close()


def test_paced_play_takes_step_ms_a_step(browser):
    """Frame.step_ms: Play shows one step each step_ms (a 7-step backward sweep must be
    watchable), and the JSON carries it only when set; a bad pace is refused."""
    with pytest.raises(ValueError, match="step_ms must be a number of milliseconds"):
        scene.Frame([], 3, "x", step_ms=0)
    assert "step_ms" not in scene.Frame([], 3, "x").to_json()
    sc = _square_scene()
    pts = [[0.2 * i, 0.2 * i] for i in range(4)]
    frame = scene.Frame([scene.Layer("p", pts, kind="points", reveal="at",
                                     style={"label": "dot", "size": 20, "fill": "#000"})],
                        3, "ok", step_ms=150)
    assert frame.to_json()["step_ms"] == 150.0
    page = browser.new_page()
    try:
        _show_one_frame(page, sc, frame)
        ms = page.evaluate("""async () => {
          const play = document.querySelector('.gc-play'); const t0 = performance.now();
          play.click(); await new Promise(r => setTimeout(r, 20));
          while (/Pause/.test(play.textContent)) await new Promise(r => setTimeout(r, 5));
          return performance.now() - t0; }""")
        assert 3 * 150 <= ms < 3 * 150 + 1500, ms
    finally:
        page.close()


def test_page_keeps_a_given_chart_ylim_exactly(browser):
    """A chart's ylim is kept as given (the snapshot keeps it too), not widened to tick steps:
    y = 1.02 sits at the panel's top edge, not inside it."""
    fig = Figure(figsize=(3, 3), dpi=100)
    sc = scene.scene_from_figure(fig, {}, [scene.Panel("c", "chart", (40.0, 20.0, 240.0, 240.0))])
    frame = scene.Frame([scene.Layer("c", [[0.0, -0.02], [1.0, 1.02]], kind="line",
                                     style={"label": "acc", "color": "#000", "width": 3})],
                        1, "ok", charts={"c": {"xlim": [0, 1], "ylim": [-0.02, 1.02]}})
    page = browser.new_page()
    try:
        _show_one_frame(page, sc, frame)
        # at x = 0.25 the line is at y = 0.24: pixel row 20 + 240 (1.02 - 0.24) / 1.04 = 200 with
        # the limits as given; widened to [-0.5, 1.5] it would be at row 171
        dark = page.evaluate("""(row) => { const c = document.querySelector('.gradlib-static canvas');
          const s = c.width / 300; const d = c.getContext('2d').getImageData(97 * s, (row - 3) * s, 6 * s, 6 * s).data;
          let n = 0; for (let i = 0; i < d.length; i += 4) if (d[i] < 90) n++; return n; }""", 200)
        assert dark > 0
        assert page.evaluate("""(row) => { const c = document.querySelector('.gradlib-static canvas');
          const s = c.width / 300; const d = c.getContext('2d').getImageData(97 * s, (row - 3) * s, 6 * s, 6 * s).data;
          let n = 0; for (let i = 0; i < d.length; i += 4) if (d[i] < 90) n++; return n; }""", 171) == 0
    finally:
        page.close()
