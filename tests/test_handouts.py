"""The static handouts: every notebook executed and exported, animations playing offline."""
from __future__ import annotations

import html
import re
from pathlib import Path

import pytest

from gradlib import handouts

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[handouts.Page]]:
    out = tmp_path_factory.mktemp("handouts")
    return out, handouts.build(ROOT / "notebooks", out)


def test_index_lists_every_notebook_in_course_order(built) -> None:
    out, pages = built
    index = (out / "index.html").read_text()
    links = re.findall(r'href="([^"]+\.html)"', index)
    assert links == [p.stem + ".html" for p in NOTEBOOKS]
    assert all((out / link).exists() for link in links)
    assert (out / "mathjax" / "MathJax.js").exists()


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_page_has_playable_animations_and_no_errors(built, notebook: Path) -> None:
    _, pages = built
    page = next(p for p in pages if p.notebook == notebook.name)
    html = page.path.read_text()
    assert page.errors == 0
    assert 'class="ansi-red-fg"' not in html or "Traceback" not in html
    videos = re.findall(r'<video[^>]*>\s*<source[^>]*src="(data:video/mp4;base64,[^"]{100,})"', html)
    assert videos, f"{notebook.name}: no embedded animation in the handout"
    assert len(videos) == page.videos
    # nothing the animations or the math need comes from the network
    assert not re.search(r'<video[^>]*src="https?:', html)
    assert 'src="mathjax/MathJax.js' in html
    assert not re.search(r'src="https?://[^"]*mathjax', html, flags=re.I)
    assert f"<title>{page.title}</title>" in html
    # live widget views were swapped for their static snapshot
    assert "application/vnd.jupyter.widget-view+json" not in html


def test_unknown_notebook_name_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match=r"names: no such notebook\(s\) \['99_nope.ipynb'\]"):
        handouts.build(ROOT / "notebooks", tmp_path, ["99_nope.ipynb"])


def test_pages_load_nothing_from_outside(built) -> None:
    """No tag in any page fetches from the network (nbconvert's require.js tag is removed; no
    widget state, whose manager would come from a CDN)."""
    _, pages = built
    for page in pages:
        html = page.path.read_text()
        assert not re.search(r'<(script|link|img|iframe)[^>]+(src|href)="(https?:)?//', html), page
        assert "application/vnd.jupyter.widget-state+json" not in html


def test_descent_handout_carries_the_working_explorer(built) -> None:
    _, pages = built
    page = next(p for p in pages if p.notebook.startswith("03_"))
    html = page.path.read_text()
    assert html.count('class="gradlib-static gradlib-descentexplorer-static"') == 1
    assert "mountStatic(el, data, fns)" in html


def test_hidden_reference_solutions_fold_into_details() -> None:
    import nbformat
    nb = nbformat.v4.new_notebook()
    shown = nbformat.v4.new_code_cell("x = 1")
    hidden = nbformat.v4.new_code_cell("# NBVAL_CHECK_OUTPUT\ndef answer():\n    return 42\nprint('✔ passed')",
                                       metadata={"jupyter": {"source_hidden": True}})
    hidden.outputs = [nbformat.v4.new_output("stream", name="stdout", text="✔ passed\n")]
    nb.cells = [shown, hidden]
    handouts._fold_hidden(nb)
    assert nb.cells[0] is shown
    folded = nb.cells[1]
    assert folded.cell_type == "markdown" and folded.source.startswith("<details><summary>Reference solution")
    assert "def answer():" in folded.source and "NBVAL_CHECK_OUTPUT" not in folded.source
    assert "It prints:" in folded.source and "✔ passed" in folded.source
    assert folded.source.rstrip().endswith("</details>")


# -- text alternatives (WCAG 2.1 SC 1.1.1, 1.2.1) ------------------------------------------------
PLACEHOLDER = "No description has been provided for this image"


def _image_outputs(outputs: list[tuple[dict, dict]]):
    import nbformat
    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell("x")
    cell.outputs = [nbformat.v4.new_output("display_data", data=data, metadata=meta)
                    for data, meta in outputs]
    nb.cells = [cell]
    return nb


def test_the_exporter_writes_each_image_alt_from_its_metadata() -> None:
    """Per MIME type, at the top level (nbconvert's fallback; the retina PNG case), escaped;
    nbconvert's own lab template would write the placeholder for all of them."""
    png, jpeg = "iVBORw0KGgo=", "/9j/4AAQ"
    nb = _image_outputs([({"image/png": png}, {"image/png": {"alt": 'a "quoted" <b> & plot'}}),
                         ({"image/png": png}, {"image/png": {"width": 10}, "alt": "top level"}),
                         ({"image/jpeg": jpeg}, {"image/jpeg": {"alt": "a jpeg"}}),
                         ({"image/png": png}, {})])
    body, _ = handouts.exporter_for_handouts().from_notebook_node(nb)
    tags = re.findall(r"<img[^>]*>", body)
    assert len(tags) == 4
    assert "alt='a \"quoted\" &lt;b&gt; &amp; plot'" in tags[0]
    assert 'alt="top level"' in tags[1] and 'alt="a jpeg"' in tags[2]
    assert PLACEHOLDER in tags[3]          # no metadata: nbconvert's placeholder, which tests catch
    from nbconvert import HTMLExporter
    plain, _ = HTMLExporter(template_name="lab").from_notebook_node(nb)
    assert plain.count(PLACEHOLDER) == 4   # why the template is needed


def test_a_widget_snapshot_without_alt_is_named_for_what_it_is() -> None:
    nb = _image_outputs([({handouts.WIDGET_VIEW: {"model_id": "x"}, "image/png": "iVBORw0KGgo=",
                           "text/plain": "<SliceExplorer: an interactive explorer; run ...>"}, {}),
                         ({handouts.WIDGET_VIEW: {"model_id": "y"}, "image/png": "iVBORw0KGgo="},
                          {"image/png": {"alt": "its own"}})])
    handouts._static_outputs(nb)
    first, second = nb.cells[0].outputs
    assert handouts.WIDGET_VIEW not in first.data
    assert first.metadata["image/png"]["alt"] == (
        "Snapshot of the SliceExplorer, as the notebook left it: its controls need a running "
        "kernel (open the notebook in JupyterLab to use them).")
    assert second.metadata["image/png"]["alt"] == "its own"


TINY = [
    ("markdown", "# Tiny\n\nOn $\\mathbb{R}^2$."),
    ("code", "%matplotlib inline\nimport gradlib\nimport matplotlib.pyplot as plt\n"
             "from gradlib.animate import animate_frames"),
    ("code", "fig, ax = plt.subplots(); ax.plot([0, 0.5, 1], [1, 0.2, 0], label='a')\n"
             "ax.set(title='tiny', xlabel='step', xlim=(0, 1), ylim=(0, 1)); ax.legend(); plt.show()"),
    ("code", "with plt.ioff():\n    fig, ax = plt.subplots(figsize=(3, 2), dpi=50)\n"
             "(dot,) = ax.plot([0], [0], 'o', label='dot'); ax.set(title='moving dot', xlim=(0, 1), ylim=(0, 1))\n"
             "animate_frames(fig, lambda i: [dot.set_data([i / 4], [i / 4]) or dot], 5)"),
]


@pytest.fixture(scope="module")
def tiny_page(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A notebook that imports gradlib, shows a figure and an animation, built as a handout."""
    import nbformat
    src = tmp_path_factory.mktemp("tiny-notebooks")
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.cells = [nbformat.v4.new_markdown_cell(s) if kind == "markdown" else nbformat.v4.new_code_cell(s)
                for kind, s in TINY]
    nbformat.write(nb, src / "tiny.ipynb")
    out = tmp_path_factory.mktemp("tiny-handout")
    (page,) = handouts.build(src, out)
    assert page.errors == 0
    return page.path.read_text(encoding="utf-8")


def test_a_figure_shown_by_a_kernel_reaches_the_handout_with_its_description(tiny_page: str) -> None:
    (tag,) = re.findall(r"<img[^>]*>", tiny_page)
    alt = html.unescape(re.search(r'alt="([^"]*)"', tag).group(1))
    assert alt == ("Plot 'tiny': line plot with line 'a' from (0, 1) to (1, 0); "
                   "x 'step' from 0 to 1, y from 0 to 1.")


def test_an_animation_reaches_the_handout_labelled_and_described(tiny_page: str) -> None:
    (video,) = re.findall(r"<video[^>]*>", tiny_page)
    assert 'aria-label="Animation, 5 frames: moving dot"' in video
    ref = re.search(r'aria-describedby="([^"]+)"', video).group(1)
    text = html.unescape(re.search(rf'<p id="{ref}">([^<]*)</p>', tiny_page).group(1))
    assert "First frame: Plot 'moving dot': line plot with point 'dot' at (0, 0)" in text
    assert "Last frame: Plot 'moving dot': line plot with point 'dot' at (1, 1)" in text


def test_the_page_keeps_assistive_math_from_asking_for_absent_fonts(tiny_page: str) -> None:
    """The CSS that keeps MathJax's hidden MathML on inherited fonts (no TeX web font to fetch;
    the browser side is tests/browser/test_accessibility.py)."""
    assert handouts.MATHJAX_FONTS in tiny_page
    assert ".MJX_Assistive_MathML, .MJX_Assistive_MathML * {font-family: inherit !important}" \
        in tiny_page
    assert "assistiveMML: false" not in tiny_page      # the screen readers' MathML stays on


def test_every_picture_and_animation_of_every_page_has_a_text_alternative(built) -> None:
    """No image with nbconvert's placeholder (or none at all); every <video> named and described
    by a paragraph that exists in the page."""
    _, pages = built
    missing = {}
    for page in pages:
        text = page.path.read_text(encoding="utf-8")
        bad = [t[:120] for t in re.findall(r"<img[^>]*>", text)
               if PLACEHOLDER in t or not re.search(r"\balt=(\"[^\"]+\"|'[^']+')", t)]
        if bad:
            missing[page.notebook] = len(bad)
        for video in re.findall(r"<video[^>]*>", text):
            assert re.search(r'aria-label="Animation, \d+ frames?[^"]*"', video), page.notebook
            ref = re.search(r'aria-describedby="([^"]+)"', video).group(1)
            assert re.search(rf'<p id="{re.escape(ref)}">[^<]{{40,}}</p>', text), page.notebook
    assert not missing, f"images without a text alternative, per page: {missing}"
