"""Slides for instructors: a notebook as a reveal.js deck, with slide breaks derived from it.

    python -m gradlib.slides notebooks/03_gradient_descent.ipynb slides/   # -> slides/03_*.html
    build_slides(notebook, out_dir) -> Path

The notebooks carry no slide metadata (``cell.metadata.slideshow.slide_type``), and should not
have to: ``slide_types`` derives it from their structure, on an executed in-memory copy (the
notebook on disk is never touched). First ``split_at_headings`` cuts markdown cells before each
heading and each <details> solution (authors often end one section and start the next in the
same cell), then:

    "# "   heading (the title)                 -> slide
    "## "  heading                             -> slide       (a new column in reveal.js)
    "### " heading                             -> subslide    (down, within the column)
    a solution (markdown with <details>)       -> notes       (speaker view only, key S)
    a setup cell (only magics, imports and
      assignments/calls with no output)        -> skip
    anything else                              -> "-" (markdown) or fragment (code: input and
                                                  output appear on the next key press), unless
                                                  the slide is already full: then subslide

"Full" is an estimate of the rendered height (text lines, code lines, the pixel height of figures
and videos) against the height of a reveal.js slide; long slides also scroll.

The deck is nbconvert's reveal.js export. Figures are inline PNG, every animation is an
embedded H.264 video (a data URI) and MathJax is the local copy the handouts use (copied to
``out_dir/mathjax``), so none of them needs a network. The frame of the deck does: nbconvert
loads reveal.js, require.js and jQuery from public CDNs (no pip package we depend on ships
them). To present offline, pass ``reveal_prefix`` a local reveal.js folder (one with
``dist/reveal.js``; it is copied beside the deck) and point nbconvert's ``require_js_url`` and
``jquery_url`` at local copies. Explorers (widgets) cannot run in a static deck; like the handouts
(``gradlib.handouts``) the deck shows the PNG snapshot each explorer carries. For live explorers
on slides, use Voila's reveal template or the jupyterlab-rise extension (see the README).
"""
from __future__ import annotations

import ast
import copy
import json
import math
import re
import shutil
import struct
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from . import handouts

__all__ = ["SLIDE_HEIGHT", "split_at_headings", "slide_types", "is_setup_cell", "cell_height",
           "prepare", "build_slides"]

#: Usable height of a reveal.js slide in CSS pixels (nbconvert's deck is 960 x 700).
SLIDE_HEIGHT = 620
_LINE = 28          # one line of 20 px slide text
_CODE_LINE = 25     # one line of 19 px code
_CHARS = 72         # characters per line of slide text
_STREAM_LINES = 20  # stream outputs taller than this scroll inside their box
_CHECK = "# NBVAL_CHECK_OUTPUT"
_SLIDE_WIDTH = 900  # widest picture a slide shows unscaled (px); wider ones shrink to fit


# ---------------------------------------------------------------------------------------------
# Pure part: cells -> slide types
# ---------------------------------------------------------------------------------------------
def _source(cell: Any) -> str:
    src = cell["source"]
    return src if isinstance(src, str) else "".join(src)


def _heading_level(text: str) -> int:
    """1 for "# Title", 2 for "## Part", 3 for "### Section", 0 when the cell does not start
    with a heading."""
    match = re.match(r"\s*(#{1,6})\s", text)
    return len(match.group(1)) if match else 0


def _split_markdown(text: str) -> list[str]:
    """Cut markdown before each level 1-3 heading line and each <details> block (a solution)
    that is outside a code fence and outside another <details> block; joined, the pieces give
    ``text`` back exactly."""
    pieces, current = [], []
    fence, details = False, 0
    for line in text.splitlines(keepends=True):
        stripped = line.strip()
        starts = re.match(r"#{1,3}\s", stripped) or stripped.startswith("<details")
        if not fence and not details and starts and "".join(current).strip():
            pieces.append("".join(current))
            current = []
        current.append(line)
        if stripped.startswith(("```", "~~~")):
            fence = not fence
        elif not fence:
            details += len(re.findall(r"<details", line)) - len(re.findall(r"</details>", line))
            details = max(details, 0)
    pieces.append("".join(current))
    return pieces


def split_at_headings(cells: Sequence[Any]) -> list[Any]:
    """New list of cells in which every markdown cell that holds a heading or a solution
    (<details>) after some text is cut before it, so each heading can open its own slide and
    each solution can go to the speaker notes.
    Other cells are passed through (the same objects); split cells are new copies with ids
    ``<id>-1``, ``<id>-2``, ..."""
    out: list[Any] = []
    for cell in cells:
        if cell["cell_type"] != "markdown":
            out.append(cell)
            continue
        pieces = _split_markdown(_source(cell))
        if len(pieces) == 1:
            out.append(cell)
            continue
        for i, piece in enumerate(pieces, start=1):
            part = copy.deepcopy(cell)
            part["source"] = piece.rstrip("\n")
            if "id" in part:
                part["id"] = f"{part['id']}-{i}"
            out.append(part)
    return out


def _shows_output(cell: Any) -> bool:
    return any(o.get("output_type") != "stream" or o.get("text", "").strip()
               for o in cell.get("outputs", []))


def is_setup_cell(cell: Any) -> bool:
    """True for a code cell that only prepares the session: IPython magics, imports, and
    assignments or calls (``rng = np.random.default_rng(0)``) that display nothing, with at
    least one import or magic among them."""
    if cell["cell_type"] != "code" or _shows_output(cell):
        return False
    lines = _source(cell).splitlines()
    magics = [ln for ln in lines if ln.lstrip().startswith(("%", "!"))]
    code = "\n".join(ln for ln in lines if not ln.lstrip().startswith(("%", "!")))
    try:
        body = ast.parse(code).body
    except SyntaxError:
        return False
    allowed = (ast.Import, ast.ImportFrom, ast.Assign, ast.AnnAssign)
    plain = all(isinstance(s, allowed)
                or (isinstance(s, ast.Expr) and isinstance(s.value, ast.Call)) for s in body)
    imports = any(isinstance(s, (ast.Import, ast.ImportFrom)) for s in body)
    return plain and (imports or bool(magics)) and bool(body or magics)


def _png_height(b64: str) -> int:
    """Pixel height of a base64 PNG, read from its IHDR chunk (0 if it is not a PNG)."""
    import base64
    head = base64.b64decode(b64[:44] + "=" * (-len(b64[:44]) % 4))
    if head[:8] != b"\x89PNG\r\n\x1a\n" or len(head) < 24:
        return 0
    width, height = struct.unpack(">II", head[16:24])
    return math.ceil(height * min(1.0, _SLIDE_WIDTH / max(width, 1)))


def _output_height(out: Any) -> int:
    if out.get("output_type") == "stream":
        n = len(out.get("text", "").splitlines())
        return min(n, _STREAM_LINES) * 22 + 10
    if out.get("output_type") == "error":
        return _STREAM_LINES * 22
    data = out.get("data", {})
    if "image/png" in data:
        png = data["image/png"]
        return _png_height(png if isinstance(png, str) else "".join(png)) + 10
    html = data.get("text/html")
    if html is not None:
        html = html if isinstance(html, str) else "".join(html)
        video = re.search(r"<video\b[^>]*>", html)
        if video:
            size = dict(re.findall(r'\b(width|height)="(\d+)"', video.group(0)))
            w, h = int(size.get("width", _SLIDE_WIDTH)), int(size.get("height", 400))
            return math.ceil(h * min(1.0, _SLIDE_WIDTH / max(w, 1))) + 10
        return max(html.count("<tr"), html.count("<br"), html.count("<p"), 1) * _LINE
    for key in ("text/latex", "text/markdown", "text/plain"):
        if key in data:
            text = data[key] if isinstance(data[key], str) else "".join(data[key])
            return len(text.splitlines()) * _LINE
    return 0


def cell_height(cell: Any) -> int:
    """Estimated rendered height of a cell on a slide, in CSS pixels.

        markdown  text lines wrapped at ~72 characters x 28 px, headings 50 px, blank lines 10 px
        code      source lines x 25 px + each output (PNG/video: its pixel height scaled to the
                  slide width; streams: up to 20 lines x 22 px)
    """
    text = _source(cell)
    if cell["cell_type"] == "markdown":
        height = 0
        for line in text.splitlines():
            stripped = line.strip()
            if not stripped:
                height += 10
            elif stripped.startswith("#"):
                height += 50
            else:
                height += math.ceil(len(stripped) / _CHARS) * _LINE
        return height
    if cell["cell_type"] == "code":
        lines = [ln for ln in text.splitlines() if ln.strip() != _CHECK]
        outputs = sum(_output_height(o) for o in cell.get("outputs", []))
        return len(lines) * _CODE_LINE + 20 + outputs
    return len(text.splitlines()) * _LINE


def slide_types(cells: Sequence[Any], height: int = SLIDE_HEIGHT) -> list[str]:
    """The reveal.js slide type of each cell, by the rules in this module's docstring:
    "slide", "subslide", "fragment", "-" (continue the current slide), "notes" or "skip".

    ``cells`` are nbformat cells, executed (outputs count towards a slide's height).
    """
    if isinstance(height, bool) or not isinstance(height, int) or height <= 0:
        raise ValueError(f"height must be a positive integer (CSS pixels), got {height!r}")
    types: list[str] = []
    used = None  # height used on the current (sub)slide; None before the first slide
    for cell in cells:
        kind, text = cell["cell_type"], _source(cell)
        h = cell_height(cell)
        level = _heading_level(text) if kind == "markdown" else 0
        if kind == "code" and is_setup_cell(cell):
            types.append("skip")
        elif kind == "markdown" and "<details" in text:
            types.append("notes")
        elif kind == "markdown" and level in (1, 2):
            types.append("slide")
            used = h
        elif kind == "markdown" and level == 3 or used is None or used + h > height:
            types.append("subslide")
            used = h
        else:
            types.append("fragment" if kind == "code" else "-")
            used += h
    return types


# ---------------------------------------------------------------------------------------------
# Notebook -> deck
# ---------------------------------------------------------------------------------------------
def prepare(nb: Any) -> Any:
    """A copy of an executed notebook ready for slides: markdown split at headings, slide types
    set, nbval markers removed from the code shown, hidden reference solutions moved to the
    speaker notes, live widget views replaced by their static
    snapshots (as in handouts), the title in the metadata. ``nb`` is not modified."""
    deck = copy.deepcopy(nb)
    handouts._fold_hidden(deck)                  # reference solutions -> <details> -> notes
    deck.cells = split_at_headings(deck.cells)
    for cell, kind in zip(deck.cells, slide_types(deck.cells)):
        cell.metadata["slideshow"] = {"slide_type": kind}
        if cell.cell_type == "code":
            lines = _source(cell).splitlines()
            cell.source = "\n".join(ln for ln in lines if ln.strip() != _CHECK)
    handouts._static_outputs(deck)
    deck.metadata["title"] = handouts._title(json.loads(_writes(deck)), "slides")
    return deck


def _writes(nb: Any) -> str:
    import nbformat
    return nbformat.writes(nb)


def build_slides(notebook: str | Path, out_dir: str | Path, *, timeout: int = 600,
                 reveal_prefix: str | Path | None = None) -> Path:
    """Execute ``notebook`` (a copy, in a fresh kernel), derive its slides and write
    ``out_dir/<name>.slides.html``; returns that path.

    ``reveal_prefix``: None loads reveal.js from nbconvert's CDN default; a URL uses that;
    a local folder holding ``dist/reveal.js`` is copied to ``out_dir/reveal.js`` and used from
    there (the deck then needs no network for reveal.js itself). MathJax is copied to
    ``out_dir/mathjax`` (once). A cell that raises stops the build with nbclient's
    ``CellExecutionError``, unless it is tagged ``raises-exception``.
    """
    from nbconvert import SlidesExporter

    notebook = Path(notebook)
    if notebook.suffix != ".ipynb" or not notebook.is_file():
        raise ValueError(f"notebook must be an existing .ipynb file, got {str(notebook)!r}")
    if isinstance(timeout, bool) or not isinstance(timeout, int) or timeout <= 0:
        raise ValueError(f"timeout must be a positive integer (seconds), got {timeout!r}")
    out_dir = Path(out_dir)
    prefix = _reveal_prefix(reveal_prefix, out_dir)
    deck = prepare(handouts.execute(notebook.resolve(), timeout))
    exporter = SlidesExporter(reveal_scroll=True, reveal_number="c/t", exclude_input_prompt=True,
                              exclude_output_prompt=True, mathjax_url=handouts.MATHJAX_URL,
                              raw_template=handouts.TEMPLATE)   # figures keep their alt text
    if prefix is not None:
        exporter.reveal_url_prefix = prefix
    body, _ = exporter.from_notebook_node(deck, resources={"metadata": {"name": notebook.stem}})
    body = body.replace(f'<script src="{handouts.MATHJAX_URL}',
                        handouts.MATHJAX_FONTS + f'<script src="{handouts.MATHJAX_URL}', 1)
    body = handouts._accessible(body)         # code colours at WCAG AA contrast, as in the handouts
    out_dir.mkdir(parents=True, exist_ok=True)
    handouts._local_mathjax(out_dir)          # formulas typeset offline, as in the handouts
    target = out_dir / f"{notebook.stem}.slides.html"
    target.write_text(body, encoding="utf-8")
    return target


def _reveal_prefix(reveal_prefix: str | Path | None, out_dir: Path) -> str | None:
    if reveal_prefix is None:
        return None
    text = str(reveal_prefix)
    if re.match(r"https?://", text):
        return text.rstrip("/")
    source = Path(reveal_prefix)
    if not (source / "dist" / "reveal.js").is_file():
        raise ValueError(f"reveal_prefix must be a URL or a reveal.js folder containing "
                         f"dist/reveal.js, got {text!r}")
    local = out_dir / "reveal.js"
    if source.resolve() != local.resolve():
        shutil.copytree(source, local, dirs_exist_ok=True)
    return "reveal.js"


def main(argv: list[str]) -> int:
    if len(argv) < 2:
        print(__doc__)
        return 2
    out_dir = Path(argv[-1])
    for name in argv[:-1]:
        path = build_slides(Path(name), out_dir)
        text = path.read_text(encoding="utf-8")
        print(f"{path}: {text.count('<section')} sections, {text.count('<video')} video(s), "
              f"{path.stat().st_size / 1e6:.2f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
