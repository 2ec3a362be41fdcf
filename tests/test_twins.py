"""Every chapter notebook (book/*.md in _toc.yml) has its .ipynb twin, in sync.

Colab opens only .ipynb files from a repository, so the launch buttons point at the
twins; a stale twin would give Colab readers another chapter than the website's.
Regenerate them with ``.venv/bin/python tools/twins.py``.
"""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest
import yaml
from _load import load

ROOT = Path(__file__).resolve().parent.parent


TWINS = load("tools/twins.py", "lrbook_twins")
NOTEBOOKS = TWINS.notebooks(ROOT)
CONFIG = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))
FIX = "regenerate the twins: .venv/bin/python tools/twins.py"


def test_the_book_has_notebooks():
    assert NOTEBOOKS, "no MyST notebook found in _toc.yml"


def test_twins_are_excluded_from_sphinx():
    assert "**/*.ipynb" in CONFIG["exclude_patterns"], (
        "the .ipynb twins must not be built (the .md are the pages)"
    )


@pytest.mark.parametrize("md", NOTEBOOKS, ids=lambda p: p.name)
def test_twin_exists_and_is_in_sync(md):
    twin = md.with_suffix(".ipynb")
    assert twin.exists(), f"{twin.relative_to(ROOT)} is missing: {FIX}"
    text = twin.read_text(encoding="utf-8")
    nb = nbformat.reads(text, as_version=4)
    nbformat.validate(nb)
    for i, cell in enumerate(nb.cells):
        if cell.cell_type == "code":
            assert not cell.outputs and cell.execution_count is None, (
                f"{twin.name}: cell {i} has outputs; twins are committed without: {FIX}"
            )
    assert TWINS.normalised(text) == TWINS.normalised(TWINS.twin_text(md, text)), (
        f"{twin.relative_to(ROOT)} is out of sync with {md.name}: {FIX}"
    )


@pytest.mark.parametrize("md", NOTEBOOKS, ids=lambda p: p.name)
def test_chapter_is_paired(md):
    header = yaml.safe_load(md.read_text(encoding="utf-8").split("---", 2)[1])
    formats = header["jupytext"].get("formats", "")
    assert set(formats.split(",")) >= {"ipynb", "md:myst"}, (
        f"{md.name}: the jupytext header must pair it (formats: ipynb,md:myst)"
    )


@pytest.mark.parametrize("md", NOTEBOOKS, ids=lambda p: p.name)
def test_first_code_cell_installs_lrbook_on_colab(md):
    """Hidden on the site; installs lrbook from the book's repository only when it is
    missing; never (re)installs torch."""
    nb = nbformat.reads(TWINS.twin_text(md), as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert code, f"{md.name} has no code cell"
    first = code[0]
    assert "remove-cell" in first.metadata.get("tags", []), (
        f"{md.name}: the install cell must be tagged remove-cell (hidden on the site)"
    )
    src = first.source
    assert re.search(r"try:\s*\n\s+import lrbook", src), (
        f"{md.name}: install only when `import lrbook` fails"
    )
    assert "except ImportError" in src, f"{md.name}: catch ImportError only"
    url = CONFIG["repository"]["url"].rstrip("/")
    installs = re.findall(r"^\s*[%!]pip install (.*)$", src, re.M)
    assert installs, f"{md.name}: the first code cell must pip install lrbook"
    for line in installs:
        assert f"git+{url}" in line, (
            f"{md.name}: install lrbook from the repository of _config.yml ({url})"
        )
        assert "torch" not in line, f"{md.name}: never install torch ({line})"
        for flag in ("-U", "--upgrade", "--force-reinstall", "--ignore-installed"):
            assert not re.search(rf"(^|\s){re.escape(flag)}(\s|$)", line), (
                f"{md.name}: {flag} would reinstall Colab's packages ({line})"
            )


def test_stale_twin_is_detected(tmp_path):
    md = NOTEBOOKS[0]
    text = TWINS.twin_text(md)
    nb = nbformat.reads(text, as_version=4)
    nb.cells[-1].source += "\n# edited in the .md but not regenerated"
    assert TWINS.normalised(nbformat.writes(nb)) != TWINS.normalised(text)
    nb = nbformat.reads(text, as_version=4)
    code = next(c for c in nb.cells if c.cell_type == "code")
    code.outputs = [nbformat.v4.new_output("stream", text="hi")]
    assert TWINS.normalised(nbformat.writes(nb)) != TWINS.normalised(text)


def test_regeneration_is_stable():
    md = NOTEBOOKS[0]
    once = TWINS.twin_text(md)
    assert TWINS.twin_text(md, once) == once, "regenerating must not churn cell ids"
