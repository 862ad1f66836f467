"""Every notebook in a real browser: JupyterLab + Debian's Chromium, driven by Playwright.

For each notebook: open it, run all cells, and assert no error output and no JavaScript error.
For each explorer on the page: move a slider (and change a dropdown) and assert that the plot's
pixels changed; before/after screenshots go to build/browser-screenshots/. For the descent
explorer: the slider-to-pixels latency, and that a burst of fast moves leaves no backlog.
"""
from __future__ import annotations

import json
import statistics
import time
from pathlib import Path

import pytest

from conftest import NOTEBOOKS

pytestmark = pytest.mark.browser

IDLE = "() => /Idle/.test(document.querySelector('.jp-StatusBar-Widget')?.parentElement?.textContent || '')"
ALL_RAN = """() => {
  const ps = [...document.querySelectorAll('.jp-Notebook .jp-CodeCell .jp-InputPrompt')];
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
            figure = dash.query_selector(".jupyter-matplotlib")
            assert figure is not None, f"{notebook.name}: explorer {k} shows no ipympl figure"
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
  const times = [];
  for (let i = 0; i < n; i++) {
    const before = sig(fig); const t0 = performance.now();
    press(handle, i % 2 ? 'ArrowLeft' : 'ArrowRight');
    while (sig(fig) === before) { if (performance.now() - t0 > 10000) break; await sleep(2); }
    times.push(performance.now() - t0);
    await sleep(250);
  }
  return times; })();"""

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
    page.close()


def _lr_handle(dash):
    return dash.query_selector(".widget-slider:has(label:text-is('lr')) .noUi-handle")


def _report(screenshots: Path, line: str) -> None:
    print(line)
    with open(screenshots / "browser-figures.txt", "a") as f:
        f.write(line + "\n")


def test_descent_explorer_slider_latency(descent_page, screenshots: Path) -> None:
    """Median time from a slider step to changed pixels (issue 6's target: <= 100 ms here).

    Speed is measured, not asserted: the figure goes to the log and browser-figures.txt; the
    test fails only if a move does not reach the screen within 2 s (the explorer is broken)."""
    page, dash = descent_page
    figure = dash.query_selector(".jupyter-matplotlib")
    times = _run_js(page, LATENCY_JS, handle=_lr_handle(dash), fig=figure, n=21)
    median = statistics.median(times)
    report = (f"descent explorer slider-to-pixels latency over {len(times)} moves: median "
              f"{median:.0f} ms, min {min(times):.0f} ms, max {max(times):.0f} ms")
    _report(screenshots, report)
    assert max(times) < 2_000, "a slider move took over 2 s to reach the screen: " + report


def test_descent_explorer_burst_leaves_no_backlog(descent_page, screenshots: Path) -> None:
    """50 rapid moves (10 ms apart): the final picture is on screen within 1 s of the last
    move, and it is the picture of the final value (no queue of stale updates)."""
    page, dash = descent_page
    figure = dash.query_selector(".jupyter-matplotlib")
    result = _run_js(page, BURST_JS, handle=_lr_handle(dash), fig=figure)
    _report(screenshots, f"descent explorer: a burst of 50 slider moves settled "
                         f"{result['settleMs']:.0f} ms after the last move")
    assert result["settleMs"] <= 1000, result
    assert result["same"], "redrawing the final value gave a different picture"


def test_descent_explorer_play_keeps_drawing(descent_page, screenshots: Path) -> None:
    """Play animates the path: the canvas keeps changing while it plays (frame rate reported)."""
    page, dash = descent_page
    figure = dash.query_selector(".jupyter-matplotlib")
    play = dash.query_selector(".widget-play button")
    fps = _run_js(page, PLAY_JS, play=play, fig=figure)
    _report(screenshots, f"descent explorer: Play showed {fps:.1f} distinct frames per second "
                         f"(the Play control ticks every 40 ms)")
    assert fps >= 2, f"Play showed only {fps:.1f} frames per second: the animation is stuck"
