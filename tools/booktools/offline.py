"""Sphinx extension of the website: no widget state, no CDN loader on any page.

Listed in ``_config.yml`` (``sphinx.extra_extensions``) as ``booktools.offline``.
"""

from __future__ import annotations


def _offline_page(app, pagename, templatename, context, doctree) -> None:
    """Drop what would make a page load a dead widget or reach for a CDN."""
    meta = getattr(app.env, "nb_metadata", None)
    if meta and pagename in meta:
        js_files = meta[pagename].get("js_files", {})
        for key in [k for k in js_files if k.startswith("ipywidgets")]:
            del js_files[key]
    # sphinx-thebe (always loaded by Jupyter Book) declares its CDN URL twice per page,
    # a JavaScript error; thebe is switched off (launch_buttons.thebe: false).
    for key in ("script_files", "css_files"):
        assets = context.get(key)
        if isinstance(assets, list):
            assets[:] = [a for a in assets if not _is_thebe(a)]


def _is_thebe(asset) -> bool:
    name = str(getattr(asset, "filename", "") or "")
    body = str(getattr(asset, "attributes", {}).get("body", ""))
    return "thebe" in name or "THEBE_JS_URL" in body


def setup(app):
    """Sphinx extension (``_config.yml``: ``sphinx.extra_extensions``) for the website.

    The explorers' ``text/html`` version is what the website shows (see
    ``nb_mime_priority_overrides`` in ``_config.yml``), so the ipywidgets state that
    executing a notebook records is dropped from the pages, with the scripts that would
    fetch a widget manager from a CDN; so is the unused thebe loader.
    """
    app.connect("html-page-context", _offline_page, priority=400)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
