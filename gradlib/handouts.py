"""Static HTML handouts: every notebook executed and exported, with an index in course order.

    python3 dev.py handouts            # -> handouts/index.html + one page per notebook
    python -m gradlib.handouts NOTEBOOK_DIR OUT_DIR [NB ...]

The pages open from disk with no kernel and no network: each animation is an HTML5 video
embedded as a data URI, and the math is typeset by a local copy of MathJax (from the
``jupyter-server-mathjax`` package) placed beside the pages. Explorers (widgets) cannot run without a
kernel, so their live view is dropped: an explorer drawn by the browser renderer (the descent
explorer) then shows its ``text/html`` copy, which works in the page (controls, Play, paths
computed in JavaScript); the others show the PNG snapshot every gradlib dashboard carries.
Nothing is fetched from the network: nbconvert's require.js tag (a CDN URL) is removed, and no
widget state is embedded (the widget manager would come from a CDN too).

Contrast: axe-core's WCAG 2.1 A/AA rules report no violation on the pages
(tests/browser/test_accessibility.py). nbconvert's light theme draws code tokens and prompts
below the 4.5:1 contrast that text needs, so a small stylesheet (``ACCESSIBLE_CSS``) darkens them.

Text alternatives: a figure shown in a kernel that imported gradlib carries its description
(``gradlib.figalt``) in the output's metadata, ``{"image/png": {"alt": ...}}``; nbconvert's lab
template ignores that key (only the classic one reads it) and nbconvert then writes "No
description has been provided for this image", so the pages are exported with ``TEMPLATE``, the
lab template whose PNG/JPEG blocks write the metadata's alt. A widget's PNG snapshot without an
alt is named for what it is (the explorer, frozen as the notebook left it). Animations carry
their own (``gradlib.animate``).
"""
from __future__ import annotations

import html
import json
import re
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

__all__ = ["Page", "build", "build_page", "execute", "exporter_for_handouts"]

WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
MATHJAX_URL = "mathjax/MathJax.js?config=TeX-AMS-MML_HTMLorMML-full,Safe"
# The packaged MathJax ships only the STIX-Web fonts; say so, or it looks for TeX fonts it lacks.
# Its "MathJax_Blank" test font points at about:blank, which a page opened from file:// may not
# fetch (a console error): a local() source that does not exist costs no request. The fast
# preview (PreviewHTML) asks for TeX web fonts the package does not ship: turned off.
# The hidden MathML that MathJax's AssistiveMML extension puts beside each formula for screen
# readers (kept: it is how a screen reader reads the math) matches the NativeMML output's
# stylesheet, which gives double-struck, script, fraktur and calligraphic letters the TeX web
# fonts (MathJax_AMS-WEB ... in fonts/HTML-CSS/TeX/otf/, not in the package): a page with an ℝ
# asked for MathJax_AMS-Regular.otf and logged a failed request. That MathML is clipped to one
# pixel and never seen, so its font is inherited instead: nothing to fetch, nothing shown changes.
MATHJAX_FONTS = ('<script type="text/x-mathjax-config">MathJax.Hub.Config({"HTML-CSS": '
                 '{availableFonts: [], preferredFont: null, webFont: "STIX-Web", imageFont: null, '
                 'styles: {"@font-face": {"font-family": "MathJax_Blank", '
                 'src: "local(\'MathJax_Blank\')"}}}, "fast-preview": {disabled: true}, '
                 'menuSettings: {CHTMLpreview: false}});'
                 '</script>\n'
                 '<style type="text/css" id="gradlib-mathjax-fonts">'
                 '.MJX_Assistive_MathML, .MJX_Assistive_MathML * {font-family: inherit !important}'
                 '</style>\n')

# nbconvert's lab template with the alt text of PNG and JPEG outputs (their metadata's "alt",
# per MIME type or at the top level, as nbconvert's get_metadata resolves it), HTML-escaped.
TEMPLATE = """{%- extends 'index.html.j2' -%}
{% block data_png scoped %}
{%- set alt = output | get_metadata('alt', 'image/png') -%}
{%- if alt -%}
{{ super() | replace('<img src=', '<img alt="' ~ (alt | escape_html) ~ '" src=', 1) }}
{%- else -%}
{{ super() }}
{%- endif -%}
{% endblock data_png %}
{% block data_jpg scoped %}
{%- set alt = output | get_metadata('alt', 'image/jpeg') -%}
{%- if alt -%}
{{ super() | replace('<img src=', '<img alt="' ~ (alt | escape_html) ~ '" src=', 1) }}
{%- else -%}
{{ super() }}
{%- endif -%}
{% endblock data_jpg %}
"""

# WCAG 2.1 AA (success criterion 1.4.3) asks 4.5:1 between text and its background. nbconvert's
# light theme colours code with JupyterLab's CodeMirror variables (the pygments style is
# jupyterlab_pygments.JupyterStyle, every colour a CSS variable) and several fall short on the
# code cells' grey (#f5f5f5): numbers #080 (4.26:1), comments #408080 (4.17), operators #a2f
# (4.40); the prompts "In [1]:"/"Out[1]:" are grey #616161 at opacity 0.5, i.e. #b0b0b0 on
# white (2.16), and their own colours #307fc1/#bf5b3d reach only 4.3/4.4 on white. The same hues, darkened to about 5:1 on #f5f5f5 (>= 5.4:1 on white); prompts at
# full opacity (#616161: 6.2:1). Variables the highlighter does not use today but that fail too
# (atom, bracket, quote, error) are darkened as well, so that a new token type stays readable.
ACCESSIBLE_CSS = """<style type="text/css" id="gradlib-accessible">
/* WCAG 2.1 AA contrast (>= 4.5:1) for code and prompts: gradlib/handouts.py, ACCESSIBLE_CSS */
:root {
  --jp-mirror-editor-number-color: #007b00;
  --jp-mirror-editor-comment-color: #397272;
  --jp-mirror-editor-operator-color: #9c00fd;
  --jp-mirror-editor-meta-color: #9c00fd;
  --jp-mirror-editor-atom-color: #4d4dff;
  --jp-mirror-editor-variable-3-color: #00794b;
  --jp-mirror-editor-bracket-color: #6b6b51;
  --jp-mirror-editor-quote-color: #007a00;
  --jp-mirror-editor-error-color: #d40000;
  --jp-cell-inprompt-font-color: #296ca4;
  --jp-cell-outprompt-font-color: #a64f35;
  --jp-cell-prompt-opacity: 1;
  --jp-cell-prompt-not-active-opacity: 1;
}
</style>
"""


def _accessible(body: str) -> str:
    """Add ``ACCESSIBLE_CSS`` as the last style of the page's head (it must come after the
    theme's stylesheet, which sets the same variables on ``:root``)."""
    if "</head>" not in body:
        raise ValueError("body: no </head> in the exported page, nowhere to put the stylesheet")
    return body.replace("</head>", ACCESSIBLE_CSS + "</head>", 1)


def _local_mathjax(out_dir: Path) -> None:
    """Copy MathJax 2 next to the pages, so formulas render offline."""
    import shutil

    import jupyter_server_mathjax
    target = out_dir / "mathjax"
    if not (target / "MathJax.js").exists():
        source = Path(jupyter_server_mathjax.__file__).parent / "static"
        shutil.copytree(source, target, dirs_exist_ok=True)


@dataclass(frozen=True)
class Page:
    """One exported notebook: where it went, its title, size, animation count, run time."""

    notebook: str
    path: Path
    title: str
    nbytes: int
    videos: int
    errors: int
    seconds: float


def _title(nb: dict, fallback: str) -> str:
    for cell in nb["cells"]:
        if cell["cell_type"] == "markdown":
            match = re.search(r"^#\s+(.+)$", "".join(cell["source"]), flags=re.M)
            if match:
                return match.group(1).strip()
    return fallback


def _snapshot_alt(data: dict) -> str:
    """Alt text for a widget's PNG snapshot that came without one: what the picture is."""
    match = re.match(r"<(\w+):", data.get("text/plain", ""))
    name = f"the {match.group(1)}" if match else "an interactive explorer"
    return (f"Snapshot of {name}, as the notebook left it: its controls need a running "
            f"kernel (open the notebook in JupyterLab to use them).")


def _static_outputs(nb) -> None:
    """Drop live widget views where a static representation exists; drop widget state. A PNG
    snapshot left in place of a widget view gets an alt text if it has none."""
    nb.metadata.pop("widgets", None)
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            data = out.get("data", {})
            if WIDGET_VIEW in data:
                others = set(data) - {WIDGET_VIEW, "text/plain"}
                del data[WIDGET_VIEW]
                if not others:  # a bare widget (e.g. a slider) has nothing to show statically
                    data["text/plain"] = "(interactive control: run the notebook to use it)"
                if "image/png" in data:
                    meta = out.setdefault("metadata", {})
                    if not (meta.get("image/png") or {}).get("alt") and not meta.get("alt"):
                        meta.setdefault("image/png", {})["alt"] = _snapshot_alt(data)


def _fold_hidden(nb) -> None:
    """A code cell whose source is hidden in JupyterLab (``metadata.jupyter.source_hidden``: the
    checked reference solutions of the exercises) becomes a collapsed ``<details>`` block in
    static copies, as it is collapsed in JupyterLab: the answer is one click away, not in view."""
    import nbformat
    for i, cell in enumerate(nb.cells):
        if cell.cell_type != "code" or not cell.get("metadata", {}).get("jupyter", {}).get("source_hidden"):
            continue
        code = "\n".join(ln for ln in cell.source.splitlines() if ln.strip() != "# NBVAL_CHECK_OUTPUT")
        printed = "".join(o.get("text", "") for o in cell.get("outputs", []) if o.get("output_type") == "stream")
        text = ("<details><summary>Reference solution (checked each time the notebook runs)</summary>"
                f"\n\n```python\n{code.strip()}\n```\n")
        if printed.strip():
            text += f"\nIt prints:\n\n```\n{printed.strip()}\n```\n"
        nb.cells[i] = nbformat.v4.new_markdown_cell(text + "\n</details>")


def _offline(body: str, exporter: Any) -> str:
    """Drop the require.js tag nbconvert's lab template always writes (a CDN URL; nothing in a
    handout needs require.js once widget views and state are gone)."""
    tag = f'<script src="{exporter.require_js_url}"></script>'
    return body.replace(tag, "")


def exporter_for_handouts() -> Any:
    """nbconvert's HTML exporter, lab template with alt texts (``TEMPLATE``), local MathJax."""
    from nbconvert import HTMLExporter
    return HTMLExporter(template_name="lab", raw_template=TEMPLATE, mathjax_url=MATHJAX_URL)


def execute(notebook: Path, timeout: int = 600) -> Any:
    """Execute a notebook in a fresh python3 kernel (working directory: its folder); returns the
    executed notebook node. The file on disk is not changed."""
    import nbformat
    from nbclient import NotebookClient

    nb = nbformat.read(notebook, as_version=4)
    NotebookClient(nb, timeout=timeout, kernel_name="python3",
                   resources={"metadata": {"path": str(notebook.parent)}}).execute()
    return nb


def build_page(notebook: Path, out_dir: Path, *, timeout: int = 600) -> Page:
    """Execute one notebook (working directory: its folder) and export it as HTML."""
    import nbformat

    start = time.perf_counter()
    nb = execute(notebook, timeout)
    seconds = time.perf_counter() - start
    errors = sum(o.get("output_type") == "error" for c in nb.cells for o in c.get("outputs", []))
    _fold_hidden(nb)
    _static_outputs(nb)
    title = _title(json.loads(nbformat.writes(nb)), notebook.stem)
    exporter = exporter_for_handouts()
    body, _ = exporter.from_notebook_node(nb, resources={"metadata": {"name": title}})
    body = body.replace(f'<script src="{MATHJAX_URL}', MATHJAX_FONTS + f'<script src="{MATHJAX_URL}', 1)
    body = _offline(body, exporter)
    body = _accessible(body)
    target = out_dir / (notebook.stem + ".html")
    target.write_text(body, encoding="utf-8")
    return Page(notebook.name, target, title, target.stat().st_size, body.count("<video"),
                errors, seconds)


def _index(pages: list[Page]) -> str:
    rows = "\n".join(
        f'<li><a href="{html.escape(p.path.name)}">{html.escape(p.title)}</a> '
        f'<small>({p.nbytes / 1e6:.1f} MB, {p.videos} animation{"s" * (p.videos != 1)})</small></li>'
        for p in pages)
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>gradlib handouts</title>
<style>body{{font-family:system-ui,sans-serif;max-width:44rem;margin:3rem auto;line-height:1.6}}
small{{color:#666}}</style></head>
<body><h1>gradlib: partial derivatives and optimization</h1>
<p>Static copies of the course notebooks, in order. Animations play without a kernel; the
interactive explorers need JupyterLab (see the repository's README).</p>
<ol>
{rows}
</ol></body></html>
"""


def build(notebook_dir: Path, out_dir: Path, names: list[str] | None = None) -> list[Page]:
    """Build every notebook in ``notebook_dir`` (or the named ones) into ``out_dir``."""
    notebooks = sorted(Path(notebook_dir).glob("*.ipynb"))
    if names:
        wanted = {Path(n).name for n in names}
        notebooks = [n for n in notebooks if n.name in wanted]
        if len(notebooks) != len(wanted):
            raise ValueError(f"names: no such notebook(s) {sorted(wanted - {n.name for n in notebooks})}")
    if not notebooks:
        raise ValueError(f"notebook_dir: no notebooks found in {notebook_dir}")
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    _local_mathjax(out_dir)
    pages = [build_page(nb, out_dir) for nb in notebooks]
    (out_dir / "index.html").write_text(_index(pages), encoding="utf-8")
    return pages


def main(argv: list[str]) -> int:
    if len(argv) < 2:
        print(__doc__)
        return 2
    pages = build(Path(argv[0]), Path(argv[1]), argv[2:] or None)
    for p in pages:
        print(f"{p.notebook:40s} {p.nbytes / 1e6:6.2f} MB  {p.videos} video(s)  "
              f"{p.errors} error(s)  executed in {p.seconds:5.1f} s")
    out = Path(argv[1])
    pages_total = sum(p.nbytes for p in pages) + (out / "index.html").stat().st_size
    mathjax = sum(f.stat().st_size for f in (out / "mathjax").rglob("*") if f.is_file())
    print(f"total {pages_total / 1e6:.2f} MB in {out / 'index.html'} and {len(pages)} pages "
          f"(+ {mathjax / 1e6:.1f} MB local MathJax, shared by all pages)")
    return 1 if any(p.errors for p in pages) else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
