"""Instructor mode: notebooks as reveal.js slides (gradlib.slides) and the explorers as read-only
Voila dashboards (dashboards/*.ipynb), served and run in a real (headless Debian) Chromium.

The slide rules are tested on small hand-made notebooks; one real notebook (03, which has an
animation) is executed and exported once for the module. Voila runs once for the module over
dashboards/, on 127.0.0.1 and a free port; each dashboard is opened in Chromium, where its kernel
must run, draw the explorer's canvas and redraw it when a control changes.
"""
from __future__ import annotations

import base64
import hashlib
import html as html_lib
import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from gradlib import slides

ROOT = Path(__file__).resolve().parents[1]
DASHBOARDS = sorted((ROOT / "dashboards").glob("*.ipynb"))
NOTEBOOK = ROOT / "notebooks" / "03_gradient_descent.ipynb"
KERNELSPEC = {"kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"}}
TRACEBACK = "Traceback (most recent call last)"


def _md(text: str) -> nbformat.NotebookNode:
    return new_markdown_cell(text)


def _code(text: str, outputs: list | None = None) -> nbformat.NotebookNode:
    cell = new_code_cell(text)
    cell.outputs = outputs or []
    return cell


def _stream(text: str) -> nbformat.NotebookNode:
    return nbformat.v4.new_output("stream", name="stdout", text=text)


# ---------------------------------------------------------------------------------------------
# slide rules (pure, fast)
# ---------------------------------------------------------------------------------------------
def test_markdown_is_split_before_headings_and_solutions_but_not_inside_fences() -> None:
    text = ("The end of part one.\n\n## 2. Part two\n\nIts text.\n\n```python\n# a comment\n"
            "## not a heading either\n```\n\n### 2a. A section\n\n<details><summary>Solution"
            "</summary>\n\n## inside a solution: stays\n\n</details>")
    cells = slides.split_at_headings([_md(text), _code("x = 1")])
    pieces = [c.source for c in cells[:-1]]
    assert " ".join(" ".join(pieces).split()) == " ".join(text.split())    # nothing lost
    assert [p.splitlines()[0] for p in pieces] == [
        "The end of part one.", "## 2. Part two", "### 2a. A section",
        "<details><summary>Solution</summary>"]
    assert cells[-1].source == "x = 1"
    assert len({c.id for c in cells}) == len(cells)


def test_setup_cells_are_recognised_by_what_they_do() -> None:
    assert slides.is_setup_cell(_code("%matplotlib widget\nimport numpy as np\n"
                                      "rng = np.random.default_rng(0)\nnp.set_printoptions(3)"))
    assert slides.is_setup_cell(_code("%matplotlib widget"))
    assert not slides.is_setup_cell(_code("import numpy as np\nprint(np.pi)",
                                          [_stream("3.14159\n")]))
    assert not slides.is_setup_cell(_code("x = compute(1)"))           # no import: content
    assert not slides.is_setup_cell(_code("import numpy as np\nfor i in range(3):\n    pass"))
    assert not slides.is_setup_cell(_md("import numpy as np"))


def test_slide_types_follow_the_documented_rules() -> None:
    cells = [_md("# Title\n\nWhat this is."), _code("%matplotlib widget\nimport numpy as np"),
             _md("## 1. First part\n\nText."), _code("print(1)", [_stream("1\n")]),
             _md("More words."), _md("### 1a. A section"),
             _md("**Exercise.** Do it."), _md("<details><summary>Solution</summary>\n\nIt."
                                             "\n\n</details>"),
             _md("## 2. Second part")]
    assert slides.slide_types(cells) == ["slide", "skip", "slide", "fragment", "-", "subslide",
                                         "-", "notes", "slide"]


def test_a_full_slide_continues_on_a_subslide() -> None:
    paragraph = "word " * 60                       # a few wrapped lines each
    cells = [_md("## Long part")] + [_md(paragraph) for _ in range(12)] \
        + [_code("\n".join(f"x{i} = {i}" for i in range(30)))]
    types = slides.slide_types(cells)
    used = 0
    for cell, kind in zip(cells, types):       # replay the budget: the oracle is the rule itself
        h = slides.cell_height(cell)
        if kind in ("slide", "subslide"):
            if kind == "subslide":
                assert used + h > slides.SLIDE_HEIGHT, "a subslide was started with room left"
            used = h
        else:
            used += h
            assert used <= slides.SLIDE_HEIGHT
    assert types.count("subslide") >= 2 and types[-1] == "subslide"


def test_cell_height_counts_figures_by_their_pixels() -> None:
    def png(width: int, height: int) -> str:
        import zlib
        raw = b"".join(b"\0" + b"\0\0\0" * width for _ in range(height))
        chunk = lambda kind, data: (len(data).to_bytes(4, "big") + kind + data  # noqa: E731
                                    + zlib.crc32(kind + data).to_bytes(4, "big"))
        ihdr = width.to_bytes(4, "big") + height.to_bytes(4, "big") + bytes([8, 2, 0, 0, 0])
        blob = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(raw)) \
            + chunk(b"IEND", b"")
        return base64.b64encode(blob).decode()

    def figure(width: int, height: int) -> nbformat.NotebookNode:
        out = nbformat.v4.new_output("display_data", data={"image/png": png(width, height),
                                                            "text/plain": "<Figure>"})
        return _code("plot()", [out])
    small, tall = slides.cell_height(figure(300, 100)), slides.cell_height(figure(300, 400))
    assert tall - small == 300
    # wider than the slide: scaled down with the image, as the browser does
    assert slides.cell_height(figure(1800, 400)) - slides.cell_height(figure(900, 200)) == 0


def test_prepare_leaves_the_notebook_alone_and_hides_nbval_markers() -> None:
    nb = new_notebook(cells=[_md("# T\n\nIntro\n## 1. Part"),
                             _code("# NBVAL_CHECK_OUTPUT\nprint(2)", [_stream("2\n")])],
                      metadata=KERNELSPEC)
    before = nbformat.writes(nb)
    deck = slides.prepare(nb)
    assert nbformat.writes(nb) == before
    assert [c.metadata.slideshow["slide_type"] for c in deck.cells] == ["slide", "slide",
                                                                         "fragment"]
    assert deck.cells[-1].source == "print(2)"
    assert deck.metadata["title"] == "T"


def test_bad_arguments_are_named(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match=r"notebook must be an existing \.ipynb file"):
        slides.build_slides(tmp_path / "missing.ipynb", tmp_path)
    nb_path = tmp_path / "a.ipynb"
    nbformat.write(new_notebook(metadata=KERNELSPEC), nb_path)
    with pytest.raises(ValueError, match="timeout must be a positive integer"):
        slides.build_slides(nb_path, tmp_path, timeout=0)
    with pytest.raises(ValueError, match="reveal_prefix must be a URL or a reveal.js folder"):
        slides.build_slides(nb_path, tmp_path, reveal_prefix=tmp_path)
    with pytest.raises(ValueError, match="height must be a positive integer"):
        slides.slide_types([], height=0)


# ---------------------------------------------------------------------------------------------
# built decks
# ---------------------------------------------------------------------------------------------
def _error_outputs(page: str) -> int:
    """Error outputs in an exported page: stderr blocks that hold a traceback."""
    blocks = re.findall(r'data-mime-type="application/vnd\.jupyter\.stderr"[^>]*>(.*?)</div>', page,
                        flags=re.S)
    return sum("Traceback" in b or "Error" in b for b in blocks)


def test_a_failing_cell_shows_in_the_deck_and_a_local_reveal_is_used(tmp_path: Path) -> None:
    """The no-error check on the real deck below can fail: a raising cell leaves a traceback.
    A local reveal.js folder is copied beside the deck and referenced relatively."""
    nb_path = tmp_path / "tiny.ipynb"
    nbformat.write(new_notebook(cells=[_md("# Tiny\n\nA deck."), _md("## One"),
                                       _code("1 / 0")], metadata=KERNELSPEC), nb_path)
    reveal = tmp_path / "my-reveal"
    (reveal / "dist").mkdir(parents=True)
    (reveal / "dist" / "reveal.js").write_text("/* stand-in */")
    nb = nbformat.read(nb_path, as_version=4)
    nb.cells[-1].metadata["tags"] = ["raises-exception"]  # else nbclient stops at the error
    nbformat.write(nb, nb_path)
    deck = slides.build_slides(nb_path, tmp_path / "out", reveal_prefix=reveal)
    page = deck.read_text(encoding="utf-8")
    assert _error_outputs(page) == 1 and "ZeroDivisionError" in page
    assert len(re.findall(r"<section>\s*<section>", page)) == 2      # "# Tiny" and "## One"
    assert (tmp_path / "out" / "reveal.js" / "dist" / "reveal.js").is_file()
    assert 'src="reveal.js/dist/reveal.js"' in page or '"reveal.js/dist/reveal.js"' in page


@pytest.fixture(scope="module")
def deck(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    digest = hashlib.sha256(NOTEBOOK.read_bytes()).hexdigest()
    path = slides.build_slides(NOTEBOOK, tmp_path_factory.mktemp("slides"))
    assert hashlib.sha256(NOTEBOOK.read_bytes()).hexdigest() == digest, "notebook was modified"
    return path, path.read_text(encoding="utf-8")


def test_deck_has_a_slide_per_part_and_no_errors(deck: tuple[Path, str]) -> None:
    path, page = deck
    assert path.name == "03_gradient_descent.slides.html" and path.stat().st_size > 0
    nb = nbformat.read(NOTEBOOK, as_version=4)
    headings = [ln for c in nb.cells if c.cell_type == "markdown"
                for ln in c.source.splitlines() if re.match(r"#{1,2}\s", ln)]
    top = re.findall(r"<section>\s*<section>", page)    # a column opens for each "slide"
    assert len(top) == len(headings)
    assert page.count("<section") > 2 * len(headings)      # long parts continue on subslides
    assert _error_outputs(page) == 0 and TRACEBACK not in page
    assert "application/vnd.jupyter.widget-view+json" not in page
    assert "NBVAL_CHECK_OUTPUT" not in page
    # every figure keeps its text alternative (gradlib.figalt), none gets nbconvert's placeholder
    alts = re.findall(r'<img\b[^>]*\balt="([^"]*)"', page)
    assert alts and "No description has been provided" not in page
    assert all(len(a) > 20 for a in alts), [a for a in alts if len(a) <= 20]
    # formulas are typeset by the local MathJax copied beside the deck (no CDN)
    assert 'src="mathjax/MathJax.js' in page and (path.parent / "mathjax" / "MathJax.js").is_file()
    # solutions (and the checked reference solutions, hidden in JupyterLab) go to the speaker
    # notes, not onto the slides
    hidden = sum(bool(c.metadata.get("jupyter", {}).get("source_hidden")) for c in nb.cells
                 if c.cell_type == "code")
    assert hidden >= 1
    assert page.count('<aside class="notes">') == hidden + sum(
        "<details" in c.source for c in nb.cells if c.cell_type == "markdown")


def test_deck_embeds_the_notebook_animation_as_a_video(deck: tuple[Path, str]) -> None:
    _, page = deck
    nb = nbformat.read(NOTEBOOK, as_version=4)
    animated = [c for c in nb.cells if c.cell_type == "code" and "html_animation(" in c.source]
    videos = [m for v in re.findall(r"<video\b.*?</video>", page, flags=re.S)
              for m in re.findall(r'src="data:video/mp4;base64,([A-Za-z0-9+/=\s]+)"', v)]
    assert len(animated) >= 1 and len(videos) == len(animated)
    for b64 in videos:
        mp4 = base64.b64decode(b64)
        assert mp4[4:8] == b"ftyp" and len(mp4) > 10_000        # a real MP4, not a stub
    # the video sits in the part of the deck that introduces it
    before = nb.cells[:nb.cells.index(animated[0])]
    heading = next(ln for c in reversed(before) if c.cell_type == "markdown"
                   for ln in c.source.splitlines() if re.match(r"#{1,3}\s", ln))
    title = html_lib.escape(heading.lstrip("#").strip(), quote=False)
    # ... in the same column (a long section continues on subslides below its heading)
    video_at = page.index("data:video/mp4")
    column_at = max(m.start() for m in re.finditer(r"<section>\s*<section>", page[:video_at]))
    column = page[column_at:video_at]
    assert re.sub(r"<[^>]+>", "", title) in re.sub(r"<[^>]+>", "", column)


# ---------------------------------------------------------------------------------------------
# Voila dashboards
# ---------------------------------------------------------------------------------------------
def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def voila(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Voila over dashboards/ on 127.0.0.1; yields its base URL."""
    try:
        import voila as _voila  # noqa: F401  (lazily: only these tests need it)
    except ImportError as err:
        raise RuntimeError("the dashboard tests need Voila: pip install voila "
                           "(it belongs in pyproject's test extras)") from err
    work = tmp_path_factory.mktemp("voila")
    port = _free_port()
    env = dict(os.environ, JUPYTER_RUNTIME_DIR=str(work / "runtime"), PYTHONHASHSEED="0")
    log = open(work / "voila.log", "w")
    proc = subprocess.Popen(
        [sys.executable, "-m", "voila", str(ROOT / "dashboards"), "--no-browser",
         "--Voila.ip=127.0.0.1", f"--Voila.port={port}", "--Voila.port_retries=0",
         "--VoilaConfiguration.show_tracebacks=True"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"voila exited: see {work / 'voila.log'}")
            try:
                urllib.request.urlopen(base + "/", timeout=2).read()
                break
            except (OSError, urllib.error.URLError):
                if time.monotonic() > deadline:
                    raise RuntimeError("voila did not start within 60 s") from None
                time.sleep(0.3)
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


def test_both_explorers_have_a_dashboard() -> None:
    assert [p.stem for p in DASHBOARDS] == ["curvature", "descent"]
    for path in DASHBOARDS:
        nb = nbformat.read(path, as_version=4)
        nbformat.validate(nb)
        assert nb.metadata.kernelspec.name == "python3"
        assert nb.cells[0].cell_type == "markdown" and nb.cells[0].source.startswith("# ")
        code = [c for c in nb.cells if c.cell_type == "code"]
        assert len(code) == 1 and f"{path.stem}_explorer(" in code[0].source
        assert all(not c.get("outputs") for c in code)


def test_voila_lists_the_dashboards(voila: str) -> None:
    """The landing page (a client-side file list) answers, and Voila's contents API behind it
    lists exactly the dashboards."""
    import json
    with urllib.request.urlopen(f"{voila}/", timeout=30) as response:
        assert response.status == 200
    with urllib.request.urlopen(f"{voila}/voila/api/contents", timeout=30) as response:
        listing = json.load(response)
    names = sorted(item["name"] for item in listing["content"] if item["type"] == "notebook")
    assert names == [p.name for p in DASHBOARDS]


@pytest.mark.browser
@pytest.mark.parametrize("name", [p.stem for p in DASHBOARDS])
def test_dashboard_runs_in_the_browser(voila: str, browser: object, name: str) -> None:
    page = browser.new_page(viewport={"width": 1500, "height": 950})
    errors: list[str] = []
    failed: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("console", lambda msg: msg.type == "error" and errors.append(msg.text))
    page.on("requestfailed", lambda req: failed.append(req.url))
    try:
        response = page.goto(f"{voila}/voila/render/{name}.ipynb")
        assert response is not None and response.status == 200
        assert response.headers["content-type"].startswith("text/html")
        source = response.text()
        # the explorer draws in the page (gradlib/widgets/canvas.js), not through ipympl
        page.wait_for_selector(".gradlib-dashboard .gradlib-canvas canvas", timeout=60_000)
        canvas = page.locator(".gradlib-dashboard .gradlib-canvas canvas").first
        page.wait_for_timeout(500)
        before = canvas.screenshot()
        optimizer = page.locator(".gradlib-dashboard select:has(option:text-is('momentum'))")
        optimizer.select_option(label="momentum")
        deadline = time.monotonic() + 10
        while canvas.screenshot() == before:
            assert time.monotonic() < deadline, "the figure did not change with the optimizer"
            page.wait_for_timeout(200)
        body = page.inner_text("body")
        stderr = page.locator('[data-mime-type="application/vnd.jupyter.stderr"]').count()
    finally:
        page.close()
    title = nbformat.read(ROOT / "dashboards" / f"{name}.ipynb", as_version=4).cells[0].source
    assert title.splitlines()[0].lstrip("# ") in body
    assert f"{name}_explorer(" not in body and f"{name}_explorer(" not in source  # read-only
    assert stderr == 0 and "Traceback" not in body
    # offline here: Voila's template asks a CDN for Font Awesome; nothing local may fail
    local = [u for u in failed if u.startswith(voila)]
    assert not local, local
    own = [e for e in errors if not e.startswith("Failed to load resource: net::ERR_")]
    assert not own, own


def test_hidden_reference_solutions_go_to_the_speaker_notes() -> None:
    import nbformat
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell("# Title"), nbformat.v4.new_code_cell("print(1)"),
                nbformat.v4.new_code_cell("secret = 42", metadata={"jupyter": {"source_hidden": True}})]
    deck = slides.prepare(nb)
    kinds = {c.source.split("\n")[0][:30]: c.metadata["slideshow"]["slide_type"] for c in deck.cells}
    notes = [c for c in deck.cells if c.metadata["slideshow"]["slide_type"] == "notes"]
    assert len(notes) == 1 and "secret = 42" in notes[0].source, kinds
    assert nb.cells[2].cell_type == "code"                       # the notebook itself is untouched
