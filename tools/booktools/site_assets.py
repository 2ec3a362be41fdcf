"""A Sphinx extension (``_config.yml``, ``sphinx: local_extensions``): every page loads
only the scripts it uses.

pydata-sphinx-theme 0.17 puts two things on every page that the book does not need:

* ``_static/scripts/fontawesome.js`` (1.5 MB), Font Awesome's script that replaces the
  ``<i class="fa-...">`` icons by inline SVG. The theme's own stylesheet already carries
  Font Awesome's CSS and web fonts (``vendor/fontawesome/webfonts``), which draw the
  same icons without it; the book has no custom icon that needs the script.
* Sphinx's search scripts (``searchtools.js``, ``language_data.js`` and the search
  index ``searchindex.js``), for the theme's search-as-you-type dialog, which is off
  (``search_as_you_type`` is not set): the search dialog (Ctrl+K) submits to
  ``search.html``, which loads them itself.

After the build this removes those ``<script>`` tags from the pages (the files stay in
``_static``). Set ``LRBOOK_SITE_ASSETS=all`` to keep them (``bench/site_weight.py``
compares both).
"""

from __future__ import annotations

import os
import re
from pathlib import Path

FONTAWESOME = re.compile(
    r'[ \t]*<script defer src="[^"]*_static/scripts/fontawesome\.js[^"]*"></script>\n?'
)
SEARCH = re.compile(
    r'[ \t]*<script src="[^"]*(?:_static/searchtools\.js|_static/language_data\.js'
    r'|searchindex\.js)"></script>\n?'
)


def slim(html: str, *, search_page: bool) -> str:
    """The page without the scripts it does not use."""
    html = FONTAWESOME.sub("", html)
    if not search_page:
        html = SEARCH.sub("", html)
    return html


def _build_finished(app, exception) -> None:
    if exception is not None or app.builder.format != "html":
        return
    if os.environ.get("LRBOOK_SITE_ASSETS") == "all":
        return
    outdir = Path(app.outdir)
    for path in outdir.rglob("*.html"):
        if "_static" in path.relative_to(outdir).parts:
            continue
        text = path.read_text(encoding="utf-8")
        search_page = path.relative_to(outdir).as_posix() == "search.html"
        new = slim(text, search_page=search_page)
        if new != text:
            path.write_text(new, encoding="utf-8")


def setup(app):
    app.connect("build-finished", _build_finished)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
