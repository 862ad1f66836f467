"""The static pages are usable by everyone (issue 11): WCAG 2.1 AA.

- axe-core's WCAG 2 A/AA rules (tags wcag2a, wcag2aa, wcag21a, wcag21aa) report no violation on
  representative handout pages (01: prose, code and formulas; 03: the two canvas explorers; 07:
  backprop) and on the index, opened from file:// with every non-file request blocked. The
  colour-contrast checks axe leaves "for review" (punctuation-only tokens, text whose background
  it cannot settle) are recomputed here with the WCAG formula from the computed styles.
- The explorers' static copies (page 03), in several states (first view, a diverged run, while
  Play runs): no axe violation; every control has an accessible name (Chromium's own
  accessibility tree, not axe); Tab reaches every visible control in order and leaves the
  explorer again (no trap); a slider reached with Tab answers ArrowRight, a dropdown answers
  ArrowDown, Play answers Space, each changing the canvas's pixels; the canvas is an image whose
  accessible description is exactly its status line (and its name carries the status too), kept
  up to date when the status changes; the snapshot shown where scripts do not run has that status
  line as its alt text.
- The palette: every colour the code highlighter and the prompts use, resolved from nbconvert's
  theme and gradlib's ACCESSIBLE_CSS, reaches 4.5:1 on the code cells' background and on white
  (WCAG's relative-luminance formula, written out here; no browser needed).
- Text alternatives (SC 1.1.1, 1.2.1): on those pages no image carries nbconvert's placeholder
  ("No description has been provided for this image") and every figure output has an alt text of
  its own (gradlib.figalt); every <video> has an accessible name ("Animation, N frames: ...") and
  an accessible description (the paragraph gradlib.animate writes under it), as Chromium's
  accessibility tree computes them.
- Offline means no failed request either: opened from file://, a page logs no console error and
  no local file it asks for is missing, MathJax's fonts included (a formula with a double-struck
  ℝ used to make the hidden, screen-reader MathML ask for a TeX web font the local MathJax does
  not ship); the hidden MathML itself is still there.
"""
from __future__ import annotations

import html
import re
import time
from pathlib import Path

import pytest

from conftest import NOTEBOOKS

PAGES = ("01_", "03_", "07_")
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
AXE_OPTIONS = {"runOnly": {"type": "tag", "values": WCAG_TAGS},
               "resultTypes": ["violations", "incomplete"]}

# ---------------------------------------------------------------------------------------------
# WCAG 2.x contrast, from the definition (https://www.w3.org/TR/WCAG21/#dfn-contrast-ratio)
# ---------------------------------------------------------------------------------------------


def _rgb(colour: str) -> tuple[float, float, float]:
    h = colour.strip().lstrip("#")
    if len(h) == 3:
        h = "".join(c * 2 for c in h)
    if not re.fullmatch(r"[0-9a-fA-F]{6}", h):
        raise ValueError(f"colour: not a #rgb or #rrggbb colour: {colour!r}")
    return tuple(int(h[i:i + 2], 16) / 255 for i in (0, 2, 4))  # type: ignore[return-value]


def _luminance(colour: str) -> float:
    """Relative luminance L = 0.2126 R + 0.7152 G + 0.0722 B of the linearised sRGB channels."""
    def lin(c: float) -> float:
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4
    r, g, b = (lin(c) for c in _rgb(colour))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(fg: str, bg: str) -> float:
    """(L_lighter + 0.05) / (L_darker + 0.05)."""
    hi, lo = sorted((_luminance(fg), _luminance(bg)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def test_contrast_formula_matches_known_values() -> None:
    assert contrast("#000", "#fff") == pytest.approx(21.0)
    assert contrast("#777777", "#ffffff") == pytest.approx(4.48, abs=0.01)  # the classic near-miss
    assert contrast("#008800", "#f5f5f5") == pytest.approx(4.25, abs=0.01)  # axe's figure, before


def _theme_variables() -> dict[str, str]:
    """CSS custom properties of nbconvert's lab template (light theme), then gradlib's overrides,
    in the order the page applies them."""
    import nbconvert  # noqa: F401 - the templates live in the environment's share/ folder
    from jupyter_core.paths import jupyter_path

    from gradlib import handouts
    static = next(Path(p) / "nbconvert" / "templates" / "lab" / "static" for p in jupyter_path()
                  if (Path(p) / "nbconvert" / "templates" / "lab" / "static" / "theme-light.css").exists())
    variables: dict[str, str] = {}
    for css in ((static / "index.css").read_text(), (static / "theme-light.css").read_text(),
                handouts.ACCESSIBLE_CSS):
        for name, value in re.findall(r"(--[\w-]+)\s*:\s*([^;]+);", css):
            variables[name] = value.strip()
    return variables


def _resolve(value: str, variables: dict[str, str]) -> str:
    for _ in range(10):
        m = re.fullmatch(r"var\((--[\w-]+)\)", value.strip())
        if not m:
            return value.strip()
        value = variables[m.group(1)]
    raise ValueError(f"value: unresolvable CSS variable chain {value!r}")


def test_code_and_prompt_palette_meets_aa() -> None:
    """Every colour the page's pygments stylesheet uses (all CSS variables, from
    jupyterlab_pygments.JupyterStyle) and the prompts' colours: >= 4.5:1 on the code background
    (#f5f5f5) and on white; prompts at full opacity."""
    from jupyterlab_pygments import JupyterStyle
    from pygments.formatters import HtmlFormatter
    variables = _theme_variables()
    pygments_css = HtmlFormatter(style=JupyterStyle).get_style_defs(".highlight")
    used = set(re.findall(r"(?<![-\w])color:\s*var\((--[\w-]+)\)", pygments_css))
    used |= {v for v in variables if v.startswith("--jp-mirror-editor-") and v.endswith("-color")
             and v != "--jp-mirror-editor-hr-color"}  # hr draws a rule, not text
    used |= {"--jp-cell-inprompt-font-color", "--jp-cell-outprompt-font-color",
             "--jp-cell-prompt-not-active-font-color"}
    code_bg = _resolve(variables["--jp-cell-editor-background"], variables)
    assert code_bg.lower() == "#f5f5f5"
    named = {"blue": "#0000ff"}
    failing = []
    for var in sorted(used):
        colour = _resolve(variables[var], variables)
        colour = named.get(colour, colour)
        if colour.startswith("rgb("):
            colour = "#" + "".join(f"{int(c):02x}" for c in re.findall(r"\d+", colour)[:3])
        worst = min(contrast(colour, code_bg), contrast(colour, "#ffffff"))
        if worst < 4.5:
            failing.append(f"{var} = {colour}: {worst:.2f}:1")
    assert not failing, f"code/prompt colours below 4.5:1: {failing}"
    for var in ("--jp-cell-prompt-opacity", "--jp-cell-prompt-not-active-opacity"):
        assert float(_resolve(variables[var], variables)) == 1.0, var


# ---------------------------------------------------------------------------------------------
# The pages in Chromium
# ---------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def handout_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Pages 01, 03 and 07 (and the index) built by gradlib.handouts into a temporary folder."""
    from gradlib import handouts
    out = tmp_path_factory.mktemp("a11y-handouts")
    names = [next(p.name for p in NOTEBOOKS if p.name.startswith(prefix)) for prefix in PAGES]
    pages = handouts.build(NOTEBOOKS[0].parent, out, names)
    assert [p.errors for p in pages] == [0] * len(pages)
    return out


def _open(browser, path: Path, requests: list[str] | None = None):
    """``path`` from file:// with every other request blocked; MathJax typeset, explorers drawn.
    Every URL the page asks for goes into ``requests`` if given."""
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    if requests is not None:
        page.on("request", lambda r: requests.append(r.url))
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(f"page error: {e}"))
    page.on("console", lambda m: errors.append(f"console {m.type}: {m.text}")
            if m.type == "error" else None)
    page.on("requestfailed", lambda r: errors.append(f"request failed: {r.url}")
            if r.url.startswith("file:") else None)

    def gate(route) -> None:
        if route.request.url.startswith(("file:", "data:", "blob:")):
            route.continue_()
        else:
            errors.append(f"outside request: {route.request.url}")
            route.abort()

    page.route("**/*", gate)
    page.goto(path.as_uri())
    page.wait_for_load_state("load")
    page.evaluate("() => new Promise(r => (window.MathJax && MathJax.Hub) ? MathJax.Hub.Queue(r) : r())")
    if page.query_selector(".gradlib-static"):
        page.wait_for_selector(".gradlib-static .gradlib-canvas canvas", timeout=30_000)
    page.wait_for_timeout(300)
    return page, errors


def _axe(page, context: str | None = None) -> dict:
    from axe_playwright_python.sync_playwright import Axe
    return Axe().run(page, context=context, options=AXE_OPTIONS).response


def _summary(violations: list[dict]) -> str:
    return "; ".join(f"{v['id']} x{len(v['nodes'])} (e.g. {v['nodes'][0]['target']}: "
                     f"{(v['nodes'][0].get('any') or [{}])[0].get('message', '')[:120]})"
                     for v in violations)


# For the colour-contrast nodes axe leaves for review: the text colour against the first opaque
# background up the tree (semi-transparent layers blended in), times the elements' opacity.
CONTRAST_JS = """(sels) => {
  const parse = (c) => { const m = c.match(/rgba?\\(([^)]+)\\)/); if (!m) return null;
    const p = m[1].split(/[ ,\\/]+/).filter(Boolean).map(Number); return [p[0], p[1], p[2], p.length > 3 ? p[3] : 1]; };
  const over = (top, under) => top.slice(0, 3).map((c, i) => c * top[3] + under[i] * (1 - top[3]));
  const lum = (rgb) => { const l = rgb.map(v => { v /= 255; return v <= 0.04045 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; });
    return 0.2126 * l[0] + 0.7152 * l[1] + 0.0722 * l[2]; };
  const out = [];
  for (const sel of sels) {
    const el = document.querySelector(sel); if (!el || !el.textContent.trim()) continue;
    const layers = []; let opacity = 1;
    for (let e = el; e; e = e.parentElement) {
      const cs = getComputedStyle(e); opacity *= Number(cs.opacity);
      const bg = parse(cs.backgroundColor); if (bg && bg[3] > 0) layers.push(bg);
    }
    let bg = [255, 255, 255];
    for (const layer of layers.reverse()) bg = over(layer, bg);
    const fgc = parse(getComputedStyle(el).color); const fg = over([fgc[0], fgc[1], fgc[2], fgc[3] * opacity], bg);
    const [a, b] = [lum(fg), lum(bg)].sort((x, y) => y - x);
    out.push({sel, ratio: (a + 0.05) / (b + 0.05), text: el.textContent.slice(0, 40)});
  }
  return out; }"""


def _report(line: str) -> None:
    print(line)


@pytest.mark.browser
@pytest.mark.parametrize("name", ["index"] + list(PAGES))
def test_handout_page_meets_wcag21_aa(browser, handout_dir: Path, name: str) -> None:
    path = next(p for p in handout_dir.glob("*.html") if p.stem == name or p.name.startswith(name))
    page, errors = _open(browser, path)
    try:
        start = time.perf_counter()
        result = _axe(page)
        review = [n["target"][0] for v in result["incomplete"] if v["id"] == "color-contrast"
                  for n in v["nodes"] if isinstance(n["target"][0], str)]
        checked = page.evaluate(CONTRAST_JS, review)
        low = [c for c in checked if c["ratio"] < 4.5]
        _report(f"axe WCAG 2.1 A/AA on {path.name}: {sum(len(v['nodes']) for v in result['violations'])} "
                f"violation(s); {len(checked)} contrast node(s) left for review, recomputed: "
                f"{len(low)} below 4.5:1 ({time.perf_counter() - start:.1f} s)")
        assert not result["violations"], f"{path.name}: {_summary(result['violations'])}"
        assert not low, f"{path.name}: text below 4.5:1 that axe left for review: {low[:5]}"
        assert not errors, errors[:5]
        _assert_text_alternatives(page, path.name)
    finally:
        page.close()


PLACEHOLDER = "No description has been provided for this image"
IMAGES = """() => [...document.querySelectorAll('img')].map(i => ({
  alt: i.getAttribute('alt'), figure: !!i.closest('.jp-RenderedImage'),
  src: (i.getAttribute('src') || '').slice(0, 30)}))"""


def _assert_text_alternatives(page, name: str) -> None:
    """No placeholder alt anywhere, a real alt on every figure output; every video named
    'Animation, N frames...' and described by a non-trivial text (Chromium's own computation)."""
    from playwright.sync_api import expect
    images = page.evaluate(IMAGES)
    placeholder = [i for i in images if i["alt"] == PLACEHOLDER]
    bare = [i for i in images if i["figure"] and not (i["alt"] or "").strip()]
    videos = page.locator("video")
    _report(f"text alternatives on {name}: {len(images)} image(s), {sum(i['figure'] for i in images)} "
            f"figure output(s), {len(placeholder)} with nbconvert's placeholder, {len(bare)} figure(s) "
            f"without alt; {videos.count()} video(s)")
    assert not placeholder, f"{name}: {len(placeholder)} image(s) with nbconvert's placeholder alt"
    assert not bare, f"{name}: figure outputs without alt text: {bare[:3]}"
    for k in range(videos.count()):
        expect(videos.nth(k)).to_have_accessible_name(re.compile(r"^Animation, \d+ frames?"))
        expect(videos.nth(k)).to_have_accessible_description(re.compile(r"^Animation of \d+ frames? .{40,}"))


@pytest.mark.browser
def test_formulas_ask_for_no_font_the_local_mathjax_lacks(browser, handout_dir: Path) -> None:
    """Page 01 writes ℝ (double-struck): MathJax typesets it, its hidden MathML for screen
    readers is there, and no request goes to the TeX web fonts (fonts/HTML-CSS/TeX/), none fails,
    no console error."""
    path = next(handout_dir.glob("01_*.html"))
    requests: list[str] = []
    page, errors = _open(browser, path, requests)
    try:
        found = page.evaluate("""() => ({
          math: document.querySelectorAll('.MathJax').length,
          assistive: document.querySelectorAll('.MJX_Assistive_MathML math').length,
          doubleStruck: document.querySelectorAll('.MJX_Assistive_MathML [mathvariant="double-struck"]').length,
          fontFamily: (el => el ? getComputedStyle(el).fontFamily : null)(
            document.querySelector('.MJX_Assistive_MathML [mathvariant="double-struck"]'))})""")
        fonts = [u for u in requests if "/mathjax/fonts/" in u]
        _report(f"MathJax on {path.name}: {found}; font files requested: {len(fonts)}, "
                f"TeX ones: {sum('/HTML-CSS/TeX/' in f for f in fonts)}")
        assert found["math"] > 0 and found["assistive"] > 0, found
        assert found["doubleStruck"] > 0, "the page no longer has the case this test is about"
        assert "MathJax_AMS" not in found["fontFamily"], found
        assert not [f for f in fonts if "/HTML-CSS/TeX/" in f], fonts
        assert fonts, "no MathJax font requested at all: the formulas were not typeset"
        assert not errors, errors[:5]
    finally:
        page.close()


# ---------------------------------------------------------------------------------------------
# The explorers' static copies (page 03)
# ---------------------------------------------------------------------------------------------
CANVAS_SIGNATURE = """(el) => {
  const c = el.querySelector('.gradlib-canvas canvas');
  const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
  let h = 0; for (let i = 0; i < d.length; i += 7) { h = (h * 31 + d[i]) | 0; } return h; }"""
FOCUS_BEFORE = """(h) => {
  const all = [...document.querySelectorAll('a[href],button,input,select,textarea,[tabindex]')]
    .filter(e => e.tabIndex >= 0 && !h.contains(e) && (h.compareDocumentPosition(e) & Node.DOCUMENT_POSITION_PRECEDING));
  const e = all[all.length - 1]; e.focus(); return e === document.activeElement; }"""
ACTIVE_IN = """(h) => h.contains(document.activeElement) ?
  (document.activeElement.name || document.activeElement.className || document.activeElement.tagName) : null"""
VISIBLE_CONTROLS = """(h) => [...h.querySelectorAll('input,select,button')]
  .filter(e => e.offsetParent !== null && !e.disabled).map(e => e.name || e.className || e.tagName)"""


@pytest.fixture(scope="module")
def explorer_page(browser, handout_dir: Path):
    path = next(handout_dir.glob("03_*.html"))
    page, errors = _open(browser, path)
    hosts = page.query_selector_all(".gradlib-static")
    kinds = sorted(re.search(r"gradlib-(\w+)-static", h.get_attribute("class")).group(1) for h in hosts)
    assert kinds == ["descentexplorer", "quadraticexplorer"], kinds
    # the snapshot <img> is in the file and replaced by the canvas once the script runs
    source = path.read_text(encoding="utf-8")
    first = {}
    for h in hosts:
        ident = h.get_attribute("id")
        tag = re.search(r"<img [^>]*>", source[source.index(f'id="{ident}"'):]).group(0)
        assert "gradlib-static-snapshot" in tag, tag[:200]
        alt = re.search(r'alt="([^"]*)"', tag)
        first[ident] = (h.query_selector(".gc-status").text_content(), alt and html.unescape(alt.group(1)))
    yield page, hosts, errors, first
    page.close()


def _changed(page, host, before: int, timeout: float = 5.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if host.evaluate(CANVAS_SIGNATURE) != before:
            return True
        page.wait_for_timeout(50)
    return False


def _tab_into(page, host) -> list[str]:
    """Focus the last tabbable element before ``host``; press Tab until focus has left it again.
    Returns what had focus inside, in order."""
    assert host.evaluate(FOCUS_BEFORE), "nothing focusable before the explorer"
    seq: list[str] = []
    for _ in range(60):
        page.keyboard.press("Tab")
        here = host.evaluate(ACTIVE_IN)
        if here is None and seq:
            return seq
        if here is not None:
            seq.append(here)
    raise AssertionError(f"Tab never left the explorer (a keyboard trap?): {seq}")


def _tab_to(page, host, name: str) -> None:
    assert host.evaluate(FOCUS_BEFORE)
    for _ in range(60):
        page.keyboard.press("Tab")
        if host.evaluate(ACTIVE_IN) == name:
            return
    raise AssertionError(f"Tab never reached the control {name!r}")


@pytest.mark.browser
def test_static_explorers_have_no_axe_violations_in_any_state(explorer_page) -> None:
    """First view, a diverged run (lr at its maximum) and while Play runs (the button is Pause):
    axe, scoped to each explorer, finds nothing."""
    page, hosts, errors, _ = explorer_page
    counts = []
    for host in hosts:
        sel = "#" + host.get_attribute("id")
        states = {"first view": lambda: None,
                  "lr at its maximum": lambda: host.query_selector("input[name=lr]").evaluate(
                      "(r) => { r.value = r.max; r.dispatchEvent(new Event('input')); }"),
                  "playing": lambda: host.query_selector(".gc-play").click()}
        for state, act in states.items():
            act()
            page.wait_for_timeout(200)
            violations = _axe(page, sel)["violations"]
            counts.append(f"{sel} {state}: {sum(len(v['nodes']) for v in violations)}")
            assert not violations, f"{sel} ({state}): {_summary(violations)}"
        host.query_selector(".gc-play").click()  # pause again
    _report("axe on the static explorers of page 03: " + "; ".join(counts))
    assert not errors, errors[:5]


@pytest.mark.browser
def test_static_explorer_controls_are_labelled(explorer_page) -> None:
    """Chromium's accessibility tree gives every control a name: its visible label (or the Play
    button's aria-label); sliders are sliders, dropdowns comboboxes."""
    from playwright.sync_api import expect
    page, hosts, _, _ = explorer_page
    for host in hosts:
        root = page.locator("#" + host.get_attribute("id"))
        unlabelled = host.evaluate("(h) => [...h.querySelectorAll('input,select')]"
                                   ".filter(e => !(e.labels && e.labels.length)).map(e => e.name)")
        assert not unlabelled, f"controls without a <label> (shown or not): {unlabelled}"
        # the ones on screen now (the others appear with the optimizer that uses them)
        for css, role in (("input[type=range]:visible", "slider"), ("select:visible", "combobox")):
            shown = root.locator(css)
            assert shown.count() > 0 or role == "combobox", css
            for i in range(shown.count()):
                control = shown.nth(i)
                label = control.evaluate("(e) => e.labels[0].textContent.trim()")
                expect(control).to_have_role(role)
                expect(control).to_have_accessible_name(label)
        expect(root.locator(".gc-play")).to_have_role("button")
        expect(root.locator(".gc-play")).to_have_accessible_name(re.compile(r"\S"))


@pytest.mark.browser
def test_static_explorers_work_from_the_keyboard(explorer_page) -> None:
    """Tab visits every visible control in document order and then leaves the explorer; a slider
    reached by Tab moves with ArrowRight, a dropdown with ArrowDown, Play starts with Space; each
    changes the canvas's pixels."""
    page, hosts, errors, _ = explorer_page
    for host in hosts:
        controls = host.evaluate(VISIBLE_CONTROLS)
        visited = _tab_into(page, host)
        assert [v for v in visited if v in controls] == controls, (visited, controls)
        _tab_to(page, host, "lr")
        lr = host.query_selector("input[name=lr]")
        lr.evaluate("(r) => { r.value = r.min; r.dispatchEvent(new Event('input')); }")
        before = host.evaluate(CANVAS_SIGNATURE)
        page.keyboard.press("ArrowRight")
        assert _changed(page, host, before), "ArrowRight on the lr slider did not change the canvas"
        if host.query_selector("select[name=optimizer]"):
            _tab_to(page, host, "optimizer")
            value = host.query_selector("select[name=optimizer]").evaluate("(s) => s.value")
            before = host.evaluate(CANVAS_SIGNATURE)
            page.keyboard.press("ArrowDown")
            assert host.query_selector("select[name=optimizer]").evaluate("(s) => s.value") != value
            assert _changed(page, host, before), "ArrowDown on the optimizer dropdown did not change the canvas"
        _tab_to(page, host, "gc-play")
        before = host.evaluate(CANVAS_SIGNATURE)
        page.keyboard.press("Space")
        assert _changed(page, host, before), "Space on Play did not animate the canvas"
        page.keyboard.press("Space")  # pause
    assert not errors, errors[:5]


@pytest.mark.browser
def test_static_explorer_canvas_text_alternative_is_the_status_line(explorer_page) -> None:
    """The canvas is an image described by its status line (accessible description == the status
    text; the name carries it too), and stays so when the status changes; the snapshot image
    (for pages that strip scripts) has the first status line as its alt text."""
    from playwright.sync_api import expect
    page, hosts, _, first = explorer_page
    for host in hosts:
        root = page.locator("#" + host.get_attribute("id"))
        status_then, alt = first[host.get_attribute("id")]
        assert alt and alt == status_then, (alt, status_then)
        canvas, status = root.locator(".gradlib-canvas canvas"), root.locator(".gc-status")
        expect(canvas).to_have_role("img")
        for move in range(2):
            text = status.text_content()
            assert text and text.strip(), "empty status line"
            expect(canvas).to_have_accessible_description(text)
            expect(canvas).to_have_accessible_name(re.compile(re.escape(text.strip()) + "$"))
            if move == 0:
                host.query_selector("input[name=lr]").evaluate(
                    "(r) => { r.value = r.max; r.dispatchEvent(new Event('input')); }")
                page.wait_for_timeout(100)
                assert status.text_content() != text, "the status line did not follow the lr slider"
