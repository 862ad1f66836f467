"""The static handouts: every notebook executed and exported, animations playing offline."""
from __future__ import annotations

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
