"""One check every explorer's kernel-free copy passes (used by the explorers' own test files).

``check_static_copy(browser, dash)``: the page is <= 1 MB, loads nothing from outside, opens with
a snapshot <img> whose alt text is the status line; in Chromium the module replaces it with the
explorer, whose first status line is the kernel's, and a slider, a menu (when there is one) and
Play each change the canvas's pixels, with no JavaScript error.
"""
from __future__ import annotations

import base64
import html as H
from typing import Any

BUDGET = 1_000_000

SIGNATURE = """(c) => { const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
  let h = 0; for (let i = 0; i < d.length; i += 7) { h = (h * 31 + d[i]) | 0; } return h; }"""


def check_static_copy(browser: Any, dash: Any, *, budget: int = BUDGET) -> dict[str, Any]:
    """Run the checks above; returns {"bytes", "statuses"} (the status after each control)."""
    page_html = dash._repr_mimebundle_()["text/html"]
    size = len(page_html.encode())
    assert size <= budget, f"static copy is {size:,} bytes, over {budget:,}"
    assert "http://" not in page_html and "https://" not in page_html
    assert f'alt="{H.escape(dash.frame.status)}"' in page_html
    src = page_html.split('src="data:image/png;base64,')[1].split('"')[0]
    assert base64.b64decode(src).startswith(b"\x89PNG")
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    errors: list[str] = []
    outside: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.route("**/*", lambda r: r.continue_() if r.request.url.startswith(("data:", "blob:", "about:"))
               else (outside.append(r.request.url), r.abort()))
    statuses: list[str] = []
    try:
        page.set_content(f"<!doctype html><html lang=en><body>{page_html}</body></html>")
        page.wait_for_function("() => document.querySelector('.gradlib-static canvas')")
        assert page.locator(".gradlib-static-snapshot").count() == 0      # replaced
        host = page.locator(".gradlib-static")
        assert host.get_attribute("data-status") == dash.frame.status
        canvas = page.locator(".gradlib-static canvas").first
        sig = lambda: canvas.evaluate(SIGNATURE)  # noqa: E731
        before = sig()
        slider = page.locator(".gradlib-static .gradlib-static-controls input[type=range]").first
        slider.focus()
        at_max = slider.evaluate("r => Number(r.value) >= Number(r.max)")
        for _ in range(3):
            slider.press("ArrowLeft" if at_max else "ArrowRight")
        page.wait_for_timeout(100)
        assert sig() != before, "a slider did not change the canvas"
        statuses.append(host.get_attribute("data-status"))
        selects = page.locator(".gradlib-static .gradlib-static-controls select")
        if selects.count():
            sel = selects.first
            options = sel.evaluate("s => [...s.options].map(o => o.value)")
            other = next(o for o in options if o != sel.input_value()) if len(options) > 1 else None
            if other is not None:
                before = sig()
                sel.select_option(other)
                page.wait_for_timeout(100)
                assert sig() != before, "a menu did not change the canvas"
                statuses.append(host.get_attribute("data-status"))
        frames = page.evaluate("""async () => {
          const c = document.querySelector('.gradlib-static canvas');
          const play = document.querySelector('.gradlib-static .gc-play');
          const sig = """ + SIGNATURE + """;
          let last = sig(c), n = 0; const t0 = performance.now();
          play.click();
          while (performance.now() - t0 < 1000) { await new Promise(r => setTimeout(r, 10));
            const s = sig(c); if (s !== last) { n++; last = s; } }
          play.click(); return n; }""")
        assert frames >= 2, f"Play drew {frames} distinct frames in a second"
        for text in statuses:
            assert text and "nan" not in text.lower().split(), text
        assert not errors, errors
        assert not outside, outside
    finally:
        page.close()
    return {"bytes": size, "statuses": statuses}
