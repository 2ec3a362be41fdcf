"""The twins against the built site: the committed twins are the build's, with the same
numbers and exercise numbers as the pages, behind the download and launch buttons.

Uses the session's site build (``conftest.built_site``); ``tests/book/test_twins.py``
holds the checks that need no build.
"""

from __future__ import annotations

import html
import json
import re
from pathlib import Path

import nbformat
import pytest

from booktools import twins as TWINS

pytestmark = pytest.mark.e2e  # the twins against the built book
ROOT = Path(__file__).resolve().parents[2]

NOTEBOOKS = TWINS.notebooks(ROOT)
FIX = "run: .venv/bin/python -m booktools.twins --from-build (after the build)"


@pytest.mark.parametrize("md", NOTEBOOKS, ids=lambda p: p.name)
def test_committed_twin_is_the_builds(built_site, md):
    """The twin Colab and Binder open (committed in book/) is the one the notebook
    builder wrote from the resolved page (cells, metadata, no outputs; not cell ids)."""
    twin = md.with_suffix(".ipynb")
    built = TWINS.built_twin(md, ROOT, built_site.parent)
    assert built.exists(), f"the build wrote no twin of {md.name}"
    assert twin.exists(), f"{twin.relative_to(ROOT)} is missing: {FIX}"
    assert TWINS.normalised(twin.read_text(encoding="utf-8")) == TWINS.normalised(
        built.read_text(encoding="utf-8")
    ), f"{twin.relative_to(ROOT)} is not the build's twin: {FIX}"


def _page(built_site: Path, md: Path) -> str:
    return (built_site / (TWINS.docname(md, ROOT) + ".html")).read_text(
        encoding="utf-8"
    )


def test_glue_file_holds_the_values_of_the_build(built_site):
    committed = json.loads((ROOT / TWINS.GLUE_FILE).read_text(encoding="utf-8"))
    committed.pop("_comment", None)
    built = TWINS.build_glue(ROOT, built_site.parent)
    for doc, values in built.items():
        for key, value in values.items():
            assert committed.get(doc, {}).get(key) == value, (
                f"{doc}: glue {key!r} is {value} in the build but "
                f"{committed.get(doc, {}).get(key)} in {TWINS.GLUE_FILE}: {FIX}"
            )


@pytest.mark.parametrize("md", NOTEBOOKS, ids=lambda p: p.name)
def test_exercise_numbers_match_the_site(built_site, md):
    page = _page(built_site, md)
    shown = re.findall(r'<span class="caption-number">Exercise ([\d.]+) </span>', page)
    twin = nbformat.read(md.with_suffix(".ipynb"), as_version=4)
    markdown = "\n".join(c.source for c in twin.cells if c.cell_type == "markdown")
    mine = re.findall(r"^> \*\*Exercise ([\d.]+)\*\*", markdown, re.M)
    assert mine == shown, f"{md.name}: the twin numbers {mine}, the site {shown}"


@pytest.mark.parametrize("md", NOTEBOOKS, ids=lambda p: p.name)
def test_pasted_numbers_are_the_sites(built_site, md):
    """Every number the site pastes into the text (glue:text) is in the twin's text."""
    page = _page(built_site, md)
    # Sphinx's smartquotes turn the glued text's ' and " into typographic quotes on
    # the site; a notebook's Markdown keeps them straight. Compare the words.
    straight = str.maketrans(
        {"\u2019": "'", "\u2018": "'", "\u201c": '"', "\u201d": '"'}
    )
    pasted = [
        html.unescape(t).translate(straight)
        for t in re.findall(r'class="pasted-text">([^<]*)<', page)
    ]
    twin = nbformat.read(md.with_suffix(".ipynb"), as_version=4)
    markdown = "\n".join(c.source for c in twin.cells if c.cell_type == "markdown")
    plain = re.sub(r"\\(.)", r"\1", markdown)
    for value in pasted:
        assert value in plain, f"{md.name}: the site shows {value!r}, the twin does not"


@pytest.mark.parametrize("md", NOTEBOOKS, ids=lambda p: p.name)
def test_download_button_gives_the_twin(built_site, md):
    name = TWINS.docname(md, ROOT)
    page = _page(built_site, md)
    assert re.search(rf'href="[./]*_sources/{re.escape(name)}\.ipynb"', page), (
        f"{md.name}: no .ipynb download button"
    )
    served = built_site / "_sources" / f"{name}.ipynb"
    assert served.read_bytes() == md.with_suffix(".ipynb").read_bytes(), (
        f"{served} is not the twin (booktools.notebooks, a Sphinx extension, puts it)"
    )


@pytest.mark.parametrize("md", NOTEBOOKS, ids=lambda p: p.name)
def test_launch_buttons_open_the_twin(built_site, md):
    name = TWINS.docname(md, ROOT)
    page = _page(built_site, md)
    colab = (
        f"https://colab.research.google.com/github/lrbook/lrbook/blob/main/{name}.ipynb"
    )
    binder = (
        f"https://mybinder.org/v2/gh/lrbook/lrbook/main?urlpath=lab/tree/{name}.ipynb"
    )
    assert colab in page, f"{md.name}: no Colab button for the twin"
    assert html.escape(binder) in page or binder in page, f"{md.name}: no Binder button"
