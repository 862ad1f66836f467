"""Every notebook in a real browser: JupyterLab + Debian's Chromium, driven by Playwright.

For each notebook: open it, run all cells, and assert no error output and no JavaScript error.
For each explorer on the page: move a slider (and change a dropdown) and assert that the plot's
pixels changed; before/after screenshots go to build/browser-screenshots/. For the descent
explorer (drawn by the browser renderer, gradlib/widgets/canvas.js): the slider-to-pixels
latency, that a burst of fast moves leaves no backlog, Play's frame rate, that JupyterLab shows
the live widget (not the static copy); and its handout page opened from file:// with the
network blocked: controls and Play change the canvas, no console errors.
"""
from __future__ import annotations

import json
import re
import statistics
import time
from pathlib import Path

import pytest

from conftest import NOTEBOOKS

pytestmark = pytest.mark.browser

IDLE = "() => /Idle/.test(document.querySelector('.jp-StatusBar-Widget')?.parentElement?.textContent || '')"
# Every code cell whose input is shown has a run number. (The exercises' reference solutions
# are stored with their input collapsed: JupyterLab shows a placeholder whose prompt has no number.)
ALL_RAN = """() => {
  const ps = [...document.querySelectorAll('.jp-Notebook .jp-CodeCell .jp-InputPrompt')]
    .filter(p => !p.classList.contains('jp-Placeholder-prompt'));
  return ps.length > 0 && ps.every(p => /\\[\\d+\\]/.test(p.textContent)); }"""
# A cheap signature of a canvas's pixels, computed in the page.
CANVAS_SIGNATURE = """(el) => {
  const c = [...el.querySelectorAll('canvas')].find(c => c.width > 0 && c.height > 0);
  if (!c) { return 0; }
  const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
  let h = 0; for (let i = 0; i < d.length; i += 7) { h = (h * 31 + d[i]) | 0; } return h; }"""
IGNORED_CONSOLE = ("No handler for the 'capture_scroll'",)


def _open_and_run(browser, lab, name: str):
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(f"page error: {e}"))
    page.on("console", lambda m: errors.append(f"console {m.type}: {m.text}")
            if m.type == "error" and not m.text.startswith(IGNORED_CONSOLE) else None)
    page.goto(lab.url(name))
    page.wait_for_function(IDLE, timeout=120_000)
    page.click("li.lm-MenuBar-item:has-text('Run')")
    page.click("li.lm-Menu-item[data-command='runmenu:run-all']")
    page.wait_for_function(ALL_RAN, timeout=240_000, polling=500)
    page.wait_for_function(IDLE, timeout=120_000)
    return page, errors


def _saved_outputs(page, lab, name: str) -> dict:
    page.keyboard.press("Control+s")
    page.wait_for_timeout(1500)
    return json.loads((lab.root / name).read_text())


def _wait_changed(page, handle, before: int, timeout: float = 15.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if handle.evaluate(CANVAS_SIGNATURE) != before:
            return True
        page.wait_for_timeout(100)
    return False


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_runs_and_explorers_respond(browser, lab, screenshots: Path, notebook: Path) -> None:
    page, errors = _open_and_run(browser, lab, notebook.name)
    try:
        saved = _saved_outputs(page, lab, notebook.name)
        failed = [(i, o.get("ename"), o.get("evalue")) for i, c in enumerate(saved["cells"])
                  for o in c.get("outputs", []) if o.get("output_type") == "error"]
        assert not failed, f"error outputs in {notebook.name}: {failed}"
        dashboards = page.query_selector_all(".gradlib-dashboard")
        for k, dash in enumerate(dashboards):
            figure = dash.query_selector(".jupyter-matplotlib") or dash.query_selector(".gradlib-canvas")
            assert figure is not None, f"{notebook.name}: explorer {k} shows no figure"
            dash.scroll_into_view_if_needed()
            page.wait_for_timeout(300)
            stem = f"{notebook.stem}-explorer{k}"
            dash.screenshot(path=str(screenshots / f"{stem}-before.png"))
            slider = dash.query_selector(".widget-slider .noUi-handle")
            if slider is not None:
                before = figure.evaluate(CANVAS_SIGNATURE)
                at_max = slider.evaluate(
                    "h => Number(h.getAttribute('aria-valuenow')) >= Number(h.getAttribute('aria-valuemax'))")
                slider.focus()
                for _ in range(3):
                    page.keyboard.press("ArrowLeft" if at_max else "ArrowRight")
                assert _wait_changed(page, figure, before), \
                    f"{notebook.name}: explorer {k}'s plot did not change when a slider moved"
            select = dash.query_selector(".widget-dropdown select")
            if select is not None:
                options = select.evaluate("s => [...s.options].map(o => o.value)")
                current = select.evaluate("s => s.value")
                other = next((o for o in options if o != current), None)
                if other is not None:
                    before = figure.evaluate(CANVAS_SIGNATURE)
                    select.select_option(other)
                    assert _wait_changed(page, figure, before), \
                        f"{notebook.name}: explorer {k}'s plot did not change with its dropdown"
            page.wait_for_timeout(300)
            dash.screenshot(path=str(screenshots / f"{stem}-after.png"))
        assert not errors, f"JavaScript errors in {notebook.name}: {errors[:5]}"
    finally:
        page.close()


# ---------------------------------------------------------------------------------------------
# The descent explorer as a learner drags it: latency, bursts, Play
# ---------------------------------------------------------------------------------------------
SIGNATURE_FN = """const sig = (fig) => {
  const c = [...fig.querySelectorAll('canvas')].find(c => c.width > 0 && c.height > 0);
  if (!c) { return 0; }
  const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
  let h = 0; for (let i = 0; i < d.length; i += 7) { h = (h * 31 + d[i]) | 0; } return h; };
const sleep = (ms) => new Promise(r => setTimeout(r, ms));
const press = (handle, key) => handle.dispatchEvent(new KeyboardEvent('keydown', {key, bubbles: true}));"""

LATENCY_JS = SIGNATURE_FN + """
return (async () => {
  // [press -> pixels changed, press -> the frame reached the page (its data-frame-at),
  //  the page's drawing of that frame (data-draw-ms)]
  const times = [], arrivals = [], draws = [];
  for (let i = 0; i < n; i++) {
    const before = sig(fig); const t0 = performance.now();
    press(handle, i % 2 ? 'ArrowLeft' : 'ArrowRight');
    while (sig(fig) === before) { if (performance.now() - t0 > 10000) break; await sleep(2); }
    times.push(performance.now() - t0);
    arrivals.push(Number(fig.dataset.frameAt || NaN) - t0); draws.push(Number(fig.dataset.drawMs || NaN));
    await sleep(250);
  }
  return [times, arrivals, draws]; })();"""

BURST_JS = SIGNATURE_FN + """
return (async () => {
  for (let i = 0; i < 50; i++) { press(handle, 'ArrowRight'); await sleep(10); }
  const tLast = performance.now(); let last = sig(fig); let tChange = tLast;
  while (performance.now() - tChange < 2000) {
    await sleep(5); const s = sig(fig); if (s !== last) { last = s; tChange = performance.now(); }
  }
  const settled = last;
  // the same value again (one step right, one left) must draw the same picture
  press(handle, 'ArrowRight'); await sleep(400); press(handle, 'ArrowLeft');
  let t = performance.now(); let again = sig(fig);
  while (performance.now() - t < 2000) { await sleep(5); const s = sig(fig); if (s !== again) { again = s; t = performance.now(); } }
  return {settleMs: tChange - tLast, same: again === settled}; })();"""

PLAY_JS = SIGNATURE_FN + """
return (async () => {
  let frames = 0; let last = sig(fig); const t0 = performance.now();
  play.click();
  while (performance.now() - t0 < 3000) { await sleep(4); const s = sig(fig); if (s !== last) { frames++; last = s; } }
  play.click();
  return frames / 3; })();"""


def _run_js(page, body: str, **args):
    names = list(args)
    return page.evaluate(f"([{', '.join(names)}]) => {{ {body} }}", [args[k] for k in names])


@pytest.fixture(scope="module")
def descent_page(browser, lab):
    name = next(p.name for p in NOTEBOOKS if p.name.startswith("03_"))
    page, errors = _open_and_run(browser, lab, name)
    dash = page.query_selector(".gradlib-descentexplorer")
    assert dash is not None, "notebook 03 shows no descent explorer"
    dash.scroll_into_view_if_needed()
    page.wait_for_timeout(500)
    yield page, dash
    assert not errors, f"JavaScript errors with the descent explorer: {errors[:5]}"
    page.close()


def _lr_handle(dash):
    return dash.query_selector(".widget-slider:has(label:text-is('lr')) .noUi-handle")


def _canvas(dash):
    return dash.query_selector(".gradlib-canvas")


def _report(screenshots: Path, line: str) -> None:
    print(line)
    with open(screenshots / "browser-figures.txt", "a") as f:
        f.write(line + "\n")


def test_jupyterlab_shows_the_live_widget_not_the_static_copy(descent_page) -> None:
    """The explorer's output carries the widget view AND a kernel-free text/html copy;
    JupyterLab's rendermime ranks the widget first, so only the live view is on the page."""
    page, dash = descent_page
    assert _canvas(dash) is not None and dash.query_selector(".widget-slider") is not None
    assert page.query_selector(".gradlib-static") is None


def test_descent_explorer_slider_latency(descent_page, screenshots: Path) -> None:
    """Median time from a slider step to changed pixels (issue 11's target: <= 50 ms median,
    <= 250 ms max). Measured, not asserted: the figure goes to the log and
    browser-figures.txt; the test fails only if a move does not reach the screen within 2 s."""
    page, dash = descent_page
    times, arrivals, draws = _run_js(page, LATENCY_JS, handle=_lr_handle(dash), fig=_canvas(dash), n=21)
    median = statistics.median(times)
    report = (f"descent explorer slider-to-pixels latency over {len(times)} moves: median "
              f"{median:.0f} ms, min {min(times):.0f} ms, max {max(times):.0f} ms (the frame "
              f"reached the page after a median {statistics.median(arrivals):.0f} ms and took "
              f"{statistics.median(draws):.1f} ms to draw; the rest is this test's pixel polling)")
    _report(screenshots, report)
    assert max(times) < 2_000, "a slider move took over 2 s to reach the screen: " + report


def test_descent_explorer_burst_leaves_no_backlog(descent_page, screenshots: Path) -> None:
    """50 rapid moves (10 ms apart): the final picture is on screen within 1 s of the last
    move (target 300 ms), and it is the picture of the final value (no stale updates)."""
    page, dash = descent_page
    result = _run_js(page, BURST_JS, handle=_lr_handle(dash), fig=_canvas(dash))
    _report(screenshots, f"descent explorer: a burst of 50 slider moves settled "
                         f"{result['settleMs']:.0f} ms after the last move")
    assert result["settleMs"] <= 1000, result
    assert result["same"], "redrawing the final value gave a different picture"


def test_descent_explorer_play_keeps_drawing(descent_page, screenshots: Path) -> None:
    """Play runs in the page (requestAnimationFrame): distinct frames per second reported
    (target >= 50)."""
    page, dash = descent_page
    play = dash.query_selector(".gradlib-canvas .gc-play")
    fps = _run_js(page, PLAY_JS, play=play, fig=_canvas(dash))
    _report(screenshots, f"descent explorer: Play showed {fps:.1f} distinct frames per second "
                         f"(requestAnimationFrame in the page)")
    assert fps >= 2, f"Play showed only {fps:.1f} frames per second: the animation is stuck"


# ---------------------------------------------------------------------------------------------
# The same explorer in its handout page: file://, network blocked, no kernel
# ---------------------------------------------------------------------------------------------
@pytest.fixture(scope="session")
def handout_of(tmp_path_factory):
    """``handout_of("03_")``: notebook 03's handout page (gradlib.handouts), built once a session."""
    from gradlib import handouts
    out = tmp_path_factory.mktemp("handouts")
    built: dict[str, object] = {}

    def build(prefix: str):
        if prefix not in built:
            name = next(p.name for p in NOTEBOOKS if p.name.startswith(prefix))
            (built[prefix],) = handouts.build(NOTEBOOKS[0].parent, out, [name])
        return built[prefix]
    return build


def _open_file_page(browser, path: Path):
    """``path`` opened from file:// with every non-file request blocked: (page, errors, outside
    requests). A local file that fails to load is an error too."""
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    errors: list[str] = []
    outside: list[str] = []
    page.on("pageerror", lambda e: errors.append(f"page error: {e}"))
    page.on("console", lambda m: errors.append(f"console {m.type}: {m.text}")
            if m.type == "error" else None)
    page.on("requestfailed", lambda r: errors.append(f"request failed: {r.url}")
            if r.url.startswith("file:") else None)

    def gate(route) -> None:
        url = route.request.url
        if url.startswith(("file:", "data:", "blob:")):
            route.continue_()
        else:
            outside.append(url)
            route.abort()

    page.route("**/*", gate)
    page.goto(path.as_uri())
    return page, errors, outside


def _open_handout(browser, handout_of, prefix: str, css: str):
    """The handout page of notebook ``prefix`` opened from file:// with every non-file request
    blocked; yields (page, the static explorer with class ``css``, errors, outside requests)."""
    page, errors, outside = _open_file_page(browser, handout_of(prefix).path)
    selector = f".gradlib-static.{css}"
    page.wait_for_selector(f"{selector} .gradlib-canvas canvas", timeout=30_000)
    host = page.query_selector(selector)
    host.scroll_into_view_if_needed()
    page.wait_for_timeout(500)
    yield page, host, errors, outside
    page.close()


@pytest.fixture(scope="module")
def handout_page(browser, handout_of):
    yield from _open_handout(browser, handout_of, "03_", "gradlib-descentexplorer-static")


@pytest.fixture(scope="module")
def quadratic_handout(browser, handout_of):
    yield from _open_handout(browser, handout_of, "03_", "gradlib-quadraticexplorer-static")


@pytest.fixture(scope="module")
def race_handout(browser, handout_of):
    yield from _open_handout(browser, handout_of, "06_", "gradlib-raceexplorer-static")


def test_handout_explorer_works_offline(handout_page, screenshots: Path) -> None:
    """From file:// with every non-file request blocked: the static explorer is there (the
    widget view was dropped, text/html won), its lr slider, optimizer dropdown and Play change
    the canvas's pixels, and the page logs no error and asks the network for nothing."""
    page, host, errors, outside = handout_page
    fig = host.query_selector(".gradlib-canvas")
    host.screenshot(path=str(screenshots / "03-static-explorer-before.png"))
    status = host.query_selector(".gc-status").text_content()
    assert status and "nan" not in status.lower()
    lr = host.query_selector("input[name=lr]")
    before = fig.evaluate(CANVAS_SIGNATURE)
    lr.focus()
    for _ in range(5):
        page.keyboard.press("ArrowRight")
    assert _wait_changed(page, fig, before), "the static lr slider did not change the picture"
    assert host.query_selector(".gc-status").text_content() != status
    select = host.query_selector("select[name=optimizer]")
    before = fig.evaluate(CANVAS_SIGNATURE)
    select.select_option("momentum")
    assert _wait_changed(page, fig, before), "the optimizer dropdown did not change the picture"
    fps = _run_js(page, PLAY_JS, play=host.query_selector(".gc-play"), fig=fig)
    _report(screenshots, f"descent explorer, static handout page (file://, offline): Play showed "
                         f"{fps:.1f} distinct frames per second")
    assert fps >= 2
    step = host.query_selector(".gc-step")
    before = fig.evaluate(CANVAS_SIGNATURE)
    step.focus()
    page.keyboard.press("Home")
    assert _wait_changed(page, fig, before), "scrubbing the step did not change the picture"
    host.screenshot(path=str(screenshots / "03-static-explorer-after.png"))
    assert not outside, f"the handout asked the network for {outside[:5]}"
    assert not errors, f"console errors in the handout: {errors[:5]}"


def test_handout_explorer_bad_input_is_a_status_line(handout_page) -> None:
    """A diverging run, a singular Newton system (damping 0 at a saddle's flat spot would do;
    here Newton on the monkey saddle) and a surface switch: always a status line without NaN,
    never a JavaScript error, never a blank canvas."""
    page, host, errors, outside = handout_page
    fig = host.query_selector(".gradlib-canvas")
    host.query_selector("select[name=surface]").select_option("quadratic")
    host.query_selector("select[name=optimizer]").select_option("gd")
    lr = host.query_selector("input[name=lr]")
    lr.evaluate("(r) => { r.value = r.max; r.dispatchEvent(new Event('input')); }")
    status = host.query_selector(".gc-status").text_content()
    assert status.startswith("diverged at step") and "nan" not in status.lower(), status
    for surface, optimizer in [("monkey_saddle", "newton"), ("saddle", "adam"), ("beale", "newton")]:
        host.query_selector("select[name=surface]").select_option(surface)
        host.query_selector("select[name=optimizer]").select_option(optimizer)
        status = host.query_selector(".gc-status").text_content()
        assert status and "nan" not in status.lower() and "undefined" not in status, status
        blank = fig.evaluate("""(el) => { const c = el.querySelector('canvas');
            const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
            for (let i = 0; i < d.length; i += 4) if (d[i] < 250 || d[i+1] < 250 || d[i+2] < 250) return false;
            return true; }""")
        assert not blank, f"blank canvas for {surface}/{optimizer}"
    assert not errors, errors[:5]


def test_handout_quadratic_explorer_works_offline(quadratic_handout, screenshots: Path) -> None:
    """The 1-D explorer in handout 03 (file://, offline): the lr slider moves the canvas and
    changes the regime line, the a slider too, Play draws frames; a divergent lr says so."""
    page, host, errors, outside = quadratic_handout
    fig = host.query_selector(".gradlib-canvas")
    host.screenshot(path=str(screenshots / "03-static-quadratic-before.png"))
    status = host.query_selector(".gc-status").text_content()
    assert status.startswith("monotone"), status
    for name in ("lr", "a"):
        before = fig.evaluate(CANVAS_SIGNATURE)
        host.query_selector(f"input[name={name}]").focus()
        for _ in range(5):
            page.keyboard.press("ArrowRight")
        assert _wait_changed(page, fig, before), f"the static {name} slider did not change the picture"
    fps = _run_js(page, PLAY_JS, play=host.query_selector(".gc-play"), fig=fig)
    _report(screenshots, f"quadratic explorer, static handout page (file://, offline): Play showed "
                         f"{fps:.1f} distinct frames per second")
    assert fps >= 2
    host.query_selector("input[name=lr]").evaluate(
        "(r) => { r.value = r.max; r.dispatchEvent(new Event('input')); }")
    status = host.query_selector(".gc-status").text_content()
    assert status.startswith("divergent") and "nan" not in status.lower(), status
    host.screenshot(path=str(screenshots / "03-static-quadratic-after.png"))
    assert not outside, f"the handout asked the network for {outside[:5]}"
    assert not errors, f"console errors in the handout: {errors[:5]}"


def test_handout_race_works_offline(race_handout, screenshots: Path) -> None:
    """The race in handout 06 (file://, offline): an lr slider, the surface dropdown and Play
    change the canvas; the status line ranks the runners; a diverging runner is a status word."""
    page, host, errors, outside = race_handout
    fig = host.query_selector(".gradlib-canvas")
    host.screenshot(path=str(screenshots / "06-static-race-before.png"))
    status = host.query_selector(".gc-status").text_content()
    assert "1. " in status and "nan" not in status.lower(), status
    before = fig.evaluate(CANVAS_SIGNATURE)
    host.query_selector("input[name=lr_adam]").focus()
    for _ in range(10):
        page.keyboard.press("ArrowRight")
    assert _wait_changed(page, fig, before), "the static lr slider did not change the picture"
    fps = _run_js(page, PLAY_JS, play=host.query_selector(".gc-play"), fig=fig)
    _report(screenshots, f"race explorer, static handout page (file://, offline): Play showed "
                         f"{fps:.1f} distinct frames per second")
    assert fps >= 2
    before = fig.evaluate(CANVAS_SIGNATURE)
    host.query_selector("select[name=surface]").select_option("quadratic")
    assert _wait_changed(page, fig, before), "the surface dropdown did not change the picture"
    host.query_selector("input[name=lr_gd]").evaluate(
        "(r) => { r.value = r.max; r.dispatchEvent(new Event('input')); }")
    status = host.query_selector(".gc-status").text_content()
    assert "gd: diverged at step" in status and "nan" not in status.lower(), status
    host.screenshot(path=str(screenshots / "06-static-race-after.png"))
    assert not outside, f"the handout asked the network for {outside[:5]}"
    assert not errors, f"console errors in the handout: {errors[:5]}"


# ---------------------------------------------------------------------------------------------
# Every explorer on every handout page, from file:// with the network blocked
# ---------------------------------------------------------------------------------------------
EXPLORER_NOTEBOOKS = [p for p in NOTEBOOKS if "gradlib.widgets" in p.read_text(encoding="utf-8")]
PAGE_BUDGET = 8_000_000       # bytes per handout page (issue 11)
EXPLORER_BUDGET = 1_000_000   # embedded data per explorer

PLAY_FPS_JS = SIGNATURE_FN + """
return (async () => {
  // distinct frames per second while the run plays (until it ends or 3 s have passed)
  let frames = 0; let last = sig(fig); const t0 = performance.now();
  play.click(); await sleep(0);
  while (performance.now() - t0 < 3000 && /Pause/.test(play.textContent)) {
    await sleep(4); const s = sig(fig); if (s !== last) { frames++; last = s; } }
  const t = performance.now() - t0;
  if (/Pause/.test(play.textContent)) play.click();
  return [frames, t]; })();"""


@pytest.mark.parametrize("notebook", EXPLORER_NOTEBOOKS, ids=[p.stem for p in EXPLORER_NOTEBOOKS])
def test_every_static_explorer_works_offline(browser, handout_of, screenshots: Path, notebook: Path) -> None:
    """The handout page (file://, every other request blocked) is <= 8 MB; each explorer on it
    embeds <= 1 MB, shows a status line, and its first slider, Play and its first menu each
    change the canvas's pixels; no console error, nothing asked of the network. (Play before
    the menu: a menu may pick a run that ends in one step, e.g. gradient descent on a round bowl.)"""
    info = handout_of(notebook.name[:3])
    assert info.nbytes <= PAGE_BUDGET, f"{notebook.name}: handout is {info.nbytes:,} bytes"
    page, errors, outside = _open_file_page(browser, info.path)
    try:
        page.wait_for_function("() => document.querySelectorAll('.gradlib-static').length > 0 && "
                               "[...document.querySelectorAll('.gradlib-static')].every("
                               "h => h.querySelector('.gradlib-canvas canvas'))", timeout=30_000)
        hosts = page.query_selector_all(".gradlib-static")
        for k, host in enumerate(hosts):
            kind = re.search(r"gradlib-(\w+)-static", host.get_attribute("class") or "")
            name = kind.group(1) if kind else f"explorer{k}"
            data_bytes = host.evaluate(
                "h => (document.getElementById(h.id + '-data') || {textContent: ''}).textContent.length")
            assert data_bytes <= EXPLORER_BUDGET, f"{notebook.name} {name}: {data_bytes:,} bytes embedded"
            host.scroll_into_view_if_needed()
            fig = host.query_selector(".gradlib-canvas")
            status = host.query_selector(".gc-status").text_content()
            assert status and "nan" not in status.lower().split(), f"{notebook.name} {name}: {status!r}"
            host.screenshot(path=str(screenshots / f"{notebook.stem}-static-{name}-before.png"))
            slider = host.query_selector(".gradlib-static-controls input[type=range]")
            assert slider is not None, f"{notebook.name} {name}: no slider in the static copy"
            before = fig.evaluate(CANVAS_SIGNATURE)
            at_max = slider.evaluate("r => Number(r.value) >= Number(r.max)")
            slider.focus()
            for _ in range(3):
                page.keyboard.press("ArrowLeft" if at_max else "ArrowRight")
            assert _wait_changed(page, fig, before, 5.0), f"{notebook.name} {name}: a slider changed nothing"
            frames, ms = _run_js(page, PLAY_FPS_JS, play=host.query_selector(".gc-play"), fig=fig)
            fps = frames / (ms / 1000)
            paced = fig.evaluate("f => f.dataset.stepMs")
            pace = f", paced by design at {float(paced):.0f} ms a step" if paced else ""
            _report(screenshots, f"{notebook.stem} {name}, static page (file://, offline): Play drew "
                                 f"{frames} distinct frames in {ms:.0f} ms ({fps:.0f} a second{pace}); "
                                 f"{data_bytes / 1e3:.0f} KB embedded; page {info.nbytes / 1e6:.2f} MB")
            assert frames >= 2, f"{notebook.name} {name}: Play drew {frames} frames"
            select = host.query_selector(".gradlib-static-controls select")
            if select is not None:
                options = select.evaluate("s => [...s.options].map(o => o.value)")
                other = next((o for o in options if o != select.evaluate("s => s.value")), None)
                if other is not None:
                    before = fig.evaluate(CANVAS_SIGNATURE)
                    select.select_option(other)
                    assert _wait_changed(page, fig, before, 5.0), f"{notebook.name} {name}: a menu changed nothing"
            host.screenshot(path=str(screenshots / f"{notebook.stem}-static-{name}-after.png"))
        assert not outside, f"{notebook.name}: the handout asked the network for {outside[:5]}"
        assert not errors, f"{notebook.name}: console errors: {errors[:5]}"
    finally:
        page.close()
