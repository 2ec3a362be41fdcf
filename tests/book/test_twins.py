"""The .ipynb twins of the chapters: present, in sync, and plain Jupyter Markdown.

Colab, Binder and the site's download button give learners the twins
(``book/<chapter>.ipynb``), and Jupyter front ends do not understand MyST: a twin must
read cleanly there (no raw MyST syntax, the book's numbers pasted in, exercises
numbered as on the site, solutions folded away). Regenerate them with
``.venv/bin/python -m booktools.twins``; these tests need no build (see
``tests/e2e/test_twins_site.py`` for the checks against the built site).
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import jupytext
import nbformat
import pytest
import yaml

from booktools import twins as TWINS

ROOT = Path(__file__).resolve().parents[2]


NOTEBOOKS = TWINS.notebooks(ROOT)
CONFIG = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))
FIX = "regenerate the twins: .venv/bin/python -m booktools.twins"
# What a Jupyter front end would show as raw text (checked independently of the tool).
RAW_MYST = {
    "{glue": re.compile(r"\{glue"),
    "{cite": re.compile(r"\{cite"),
    "{doc": re.compile(r"\{doc"),
    "{ref": re.compile(r"\{(num)?ref"),
    "{math}": re.compile(r"\{math\}"),
    "```{": re.compile(r"```+\s*\{"),
    ":::{": re.compile(r":::+\s*\{"),
    ":label:": re.compile(r":label:"),
    ":class: dropdown": re.compile(r":class:\s*dropdown"),
    "(label)= target": re.compile(r"^\s*\([\w.:-]+\)=\s*$", re.M),
    "{role}`": re.compile(r"(?<![`\w])\{[a-z][\w:-]*\}`"),
}


def _twin(md: Path) -> nbformat.NotebookNode:
    return nbformat.read(md.with_suffix(".ipynb"), as_version=4)


def _source_cells(md: Path) -> list:
    return jupytext.read(md).cells


def _solution_flags(md: Path) -> list[bool]:
    """For each code cell of the .md: whether it lies inside a gated solution."""
    flags, inside = [], False
    for cell in _source_cells(md):
        if cell.cell_type == "markdown":
            for line in cell.source.splitlines():
                if re.match(r"^\s*[`:]{3,}\{solution-start\}", line):
                    inside = True
                elif re.match(r"^\s*[`:]{3,}\{solution-end\}", line):
                    inside = False
        elif cell.cell_type == "code":
            flags.append(inside)
    return flags


def _collapsed(cell) -> bool:
    jupyter = cell.metadata.get("jupyter", {})
    return (
        jupyter.get("source_hidden") is True
        and jupyter.get("outputs_hidden") is True
        and cell.metadata.get("cellView") == "form"
        and re.match(r"# @title \S", cell.source) is not None
    )


def test_the_book_has_notebooks():
    assert NOTEBOOKS, "no MyST notebook found in _toc.yml"


def test_twins_are_excluded_from_sphinx():
    assert "**/*.ipynb" in CONFIG["exclude_patterns"], (
        "the .ipynb twins must not be built (the .md are the pages)"
    )


def test_check_needs_no_build():
    """``python -m booktools.twins --check`` regenerates from the .md and book/_glue.json only."""
    assert (ROOT / TWINS.GLUE_FILE).exists(), f"{TWINS.GLUE_FILE} is not committed"
    assert TWINS.main(["--check"]) == 0, FIX


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
    assert "jupytext" not in nb.metadata, (
        f"{twin.name}: no jupytext pairing (saving it would overwrite the .md)"
    )


@pytest.mark.parametrize("md", NOTEBOOKS, ids=lambda p: p.name)
def test_twin_markdown_has_no_myst_syntax(md):
    for i, cell in enumerate(_twin(md).cells):
        if cell.cell_type != "markdown":
            continue
        found = [
            name for name, pattern in RAW_MYST.items() if pattern.search(cell.source)
        ]
        assert not found, (
            f"{md.name}: twin cell {i} shows raw MyST {found}:\n{cell.source}"
        )


@pytest.mark.parametrize("md", NOTEBOOKS, ids=lambda p: p.name)
def test_twin_has_the_same_code(md):
    """The twin runs exactly the chapter's code (a ``# @title`` line aside)."""
    mine = [c for c in _twin(md).cells if c.cell_type == "code"]
    source = [c for c in _source_cells(md) if c.cell_type == "code"]
    assert len(mine) == len(source), f"{md.name}: not the same code cells"
    for a, b in zip(mine, source, strict=True):
        assert re.sub(r"\A# @title [^\n]*\n", "", a.source) == b.source


@pytest.mark.parametrize("md", NOTEBOOKS, ids=lambda p: p.name)
def test_solutions_are_folded(md):
    nb = _twin(md)
    code = [c for c in nb.cells if c.cell_type == "code"]
    for cell, in_solution in zip(code, _solution_flags(md), strict=True):
        if in_solution:
            assert _collapsed(cell), (
                f"{md.name}: a solution's code cell is shown:\n{cell.source[:200]}"
            )
    n_solutions = 0
    for cell in nb.cells:
        if cell.cell_type != "markdown" or "Solution to Exercise" not in cell.source:
            continue
        n_solutions += cell.source.count("<summary>Solution to Exercise")
        blocks = re.findall(r"<details>.*?</details>", cell.source, re.S)
        outside = re.sub(r"<details>.*?</details>", "", cell.source, flags=re.S)
        assert blocks and "Solution to Exercise" not in outside, (
            f"{md.name}: a solution is shown inline:\n{cell.source[:300]}"
        )
        for block in blocks:
            assert re.match(r"<details>\n<summary>[^\n]+</summary>\n\n", block), block
    text = md.read_text(encoding="utf-8")
    gated = len(re.findall(r"[`:]{3,}\{solution-start\}", text))
    plain = len(re.findall(r"[`:]{3,}\{solution\}", text))
    assert n_solutions >= gated + plain, f"{md.name}: a solution went missing"


@pytest.mark.parametrize("md", NOTEBOOKS, ids=lambda p: p.name)
def test_exercises_are_numbered_within_the_chapter(md):
    text = md.read_text(encoding="utf-8")
    count = len(re.findall(r"^[`:]{3,}\{exercise(-start)?\}", text, re.M))
    markdown = "\n".join(c.source for c in _twin(md).cells if c.cell_type == "markdown")
    book = TWINS.book(ROOT)
    doc = TWINS.docname(md, ROOT)
    if doc not in book.chapter:
        # An unnumbered page (other-libraries): "Exercise 1", "Exercise 2"... as
        # Sphinx numbers them, counting across the unnumbered pages.
        headings = re.findall(r"^> \*\*Exercise (\d+)\*\*", markdown, re.M)
        assert len(headings) == count, f"{md.name}: {count} exercises, {headings}"
        if count:
            first = int(headings[0])
            assert [int(h) for h in headings] == list(range(first, first + count))
        return
    headings = re.findall(r"^> \*\*Exercise (\d+)\.(\d+)\*\*", markdown, re.M)
    assert len(headings) == count, f"{md.name}: {count} exercises, {headings}"
    if count:
        chapter = book.chapter[doc]
        assert headings == [(chapter, str(k)) for k in range(1, count + 1)]


@pytest.mark.parametrize("md", NOTEBOOKS, ids=lambda p: p.name)
def test_hidden_cells_are_collapsed(md):
    code = [c for c in _twin(md).cells if c.cell_type == "code"]
    source = [c for c in _source_cells(md) if c.cell_type == "code"]
    for mine, theirs in zip(code, source, strict=True):
        tags = set(theirs.metadata.get("tags", []))
        jupyter = mine.metadata.get("jupyter", {})
        if tags & {"remove-cell", "hide-cell"}:
            assert _collapsed(mine), f"{md.name}: {tags} cell not collapsed"
        if tags & {"hide-input", "remove-input"}:
            assert jupyter.get("source_hidden") is True
            assert mine.metadata.get("cellView") == "form"
        if not tags and not jupyter:
            assert "cellView" not in mine.metadata


@pytest.mark.parametrize("md", NOTEBOOKS, ids=lambda p: p.name)
def test_glued_numbers_are_pasted_from_the_glue_file(md):
    glue = json.loads((ROOT / TWINS.GLUE_FILE).read_text(encoding="utf-8"))
    keys = re.findall(r"\{glue(?::\w*)?\}`([^`:]+)", md.read_text(encoding="utf-8"))
    if not keys:
        return
    values = glue[TWINS.docname(md, ROOT)]
    missing = sorted(set(keys) - set(values))
    assert not missing, (
        f"{md.name}: no value for {missing}; build, then {FIX} --from-build"
    )


@pytest.mark.parametrize("md", NOTEBOOKS, ids=lambda p: p.name)
def test_links_go_to_the_site(md):
    site = TWINS.site_url(ROOT)
    assert site == "https://lrbook.github.io/lrbook/"
    markdown = "\n".join(c.source for c in _twin(md).cells if c.cell_type == "markdown")
    for url in re.findall(r"\]\((https?://[^)\s]+)\)", markdown):
        if url.startswith(site):
            page = url[len(site) :].split("#")[0]
            assert (ROOT / page).with_suffix(".md").exists(), f"{md.name}: {url}"


@pytest.mark.parametrize("md", NOTEBOOKS, ids=lambda p: p.name)
def test_first_code_cell_installs_lrbook_on_colab(md):
    """Hidden on the site and collapsed in the twin; installs lrbook from the book's
    repository only when it is missing; never (re)installs torch."""
    code = [c for c in _source_cells(md) if c.cell_type == "code"]
    assert code, f"{md.name} has no code cell"
    first = code[0]
    assert "remove-cell" in first.metadata.get("tags", []), (
        f"{md.name}: the install cell must be tagged remove-cell (hidden on the site)"
    )
    twin_first = next(c for c in _twin(md).cells if c.cell_type == "code")
    assert _collapsed(twin_first), f"{md.name}: the install cell must be collapsed"
    src = first.source
    assert re.search(r"try:\s*\n\s+import lrbook", src), (
        f"{md.name}: install only when `import lrbook` fails"
    )
    assert "except ImportError" in src, f"{md.name}: catch ImportError only"
    assert "except Exception" not in src and "except:" not in src
    url = CONFIG["repository"]["url"].rstrip("/")
    installs = re.findall(r"^\s*[%!]pip install (.*)$", src, re.M)
    assert installs, f"{md.name}: the first code cell must pip install lrbook"
    assert any(f"git+{url}" in line for line in installs), (
        f"{md.name}: install lrbook from the repository of _config.yml ({url})"
    )
    for line in installs:
        assert "lrbook" not in line or f"git+{url}" in line, line
        # torch itself, not a package whose name starts with it (torch-lr-finder)
        assert not re.search(r"(^|\s)[\"']?torch(?![\w-])", line), (
            f"{md.name}: never install torch ({line})"
        )
        if "lrbook" not in line:
            assert "--no-deps" in line, f"{md.name}: other installs use --no-deps"
        for flag in ("-U", "--upgrade", "--force-reinstall", "--ignore-installed"):
            assert not re.search(rf"(^|\s){re.escape(flag)}(\s|$)", line), (
                f"{md.name}: {flag} would reinstall Colab's packages ({line})"
            )


@pytest.mark.parametrize("md", NOTEBOOKS, ids=lambda p: p.name)
def test_chapter_is_paired(md):
    header = yaml.safe_load(md.read_text(encoding="utf-8").split("---", 2)[1])
    formats = header["jupytext"].get("formats", "")
    assert set(formats.split(",")) >= {"ipynb", "md:myst"}, (
        f"{md.name}: the jupytext header must pair it (formats: ipynb,md:myst)"
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


# -- the converter on small pieces of MyST ------------------------------------------
def _page(tmp_path: Path, body: str, glue: dict | None = None) -> list:
    """Convert a one-chapter book made of ``body`` in a temporary tree."""
    (tmp_path / "book").mkdir()
    (tmp_path / "_toc.yml").write_text(
        "format: jb-book\nroot: book/intro\nparts:\n  - caption: C\n    numbered: 1\n"
        "    chapters:\n      - file: book/ch\n      - file: book/bib\n"
    )
    (tmp_path / "_config.yml").write_text(
        "repository:\n  url: https://github.com/Someone/thebook\n"
        "bibtex_bibfiles:\n  - book/refs.bib\n"
    )
    (tmp_path / "book" / "intro.md").write_text("# Intro\n")
    (tmp_path / "book" / "bib.md").write_text(
        "# Bibliography\n\n```{bibliography}\n:all:\n```\n"
    )
    (tmp_path / "book" / "refs.bib").write_text(
        "@book{k1, author={Doe, Jane and Roe, Rick}, title={T}, year={2001}}\n"
        "@book{k2, author={Poe, A. and Bo, B. and Co, C.}, title={U}, year={2002}}\n"
    )
    header = (
        "---\njupytext:\n  formats: ipynb,md:myst\n  text_representation:\n"
        "    extension: .md\n    format_name: myst\nkernelspec:\n"
        "  display_name: Python 3\n  language: python\n  name: python3\n---\n\n"
    )
    md = tmp_path / "book" / "ch.md"
    md.write_text(header + body)
    (tmp_path / "book" / "_glue.json").write_text(json.dumps({"book/ch": glue or {}}))
    return nbformat.reads(TWINS.twin_text(md, root=tmp_path), as_version=4).cells


def test_converter_roles(tmp_path):
    cells = _page(
        tmp_path,
        "# Title\n\n(sec)=\n## Sec\n\nSee {ref}`sec`, {doc}`intro`, {doc}`B <bib>`, "
        "{cite}`k1,k2`, {cite:t}`k1`, {math}`x^2`, {glue:text}`v:.2f`, {glue:}`n`, "
        "`{not a role}` and `code`.\n",
        {"v": {"text/plain": "3.14159"}, "n": {"text/plain": "7"}},
    )
    text = cells[0].source
    site = "https://someone.github.io/thebook/"
    assert text.startswith("# 1. Title\n\n## Sec\n")
    assert f"[Sec]({site}book/ch.html#sec)" in text
    assert f"[Intro]({site}book/intro.html)" in text
    assert f"[B]({site}book/bib.html)" in text
    assert (
        f"\\[[Doe and Roe, 2001]({site}book/bib.html), "
        f"[Poe *et al.*, 2002]({site}book/bib.html)\\]"
    ) in text
    assert f"Doe and Roe \\[[2001]({site}book/bib.html)\\]" in text
    assert "$x^2$, 3.14, 7, `{not a role}` and `code`." in text


def test_converter_exercises_solutions_admonitions(tmp_path):
    cells = _page(
        tmp_path,
        "# T\n\n```{exercise} First\n:label: ex-a\n\nCompute $a\nb$.\n```\n\n"
        "```{code-cell} ipython3\nanswer = None\n```\n\n"
        "````{solution-start} ex-a\n:class: dropdown\n````\n\nBecause.\n\n"
        "```{code-cell} ipython3\nanswer = 1\n```\n\nSo.\n\n"
        "````{solution-end}\n````\n\n"
        ":::{note}\nMind {math}`x`.\n:::\n\n```{warning}\nCareful.\n```\n\n"
        "```{exercise}\n:label: ex-b\n\nSecond.\n```\n\n"
        "```{solution} ex-b\n:class: dropdown\n\nEasy.\n```\n\nAfter.\n",
    )
    kinds = [c.cell_type for c in cells]
    assert kinds == ["markdown", "code", "markdown", "code", "markdown", "markdown"]
    assert cells[0].source == (
        "# 1. T\n\n> **Exercise 1.1** (First)\n>\n> Compute $a b$."
    )
    assert cells[1].source == "answer = None" and not cells[1].metadata
    assert cells[2].source == (
        "<details>\n<summary>Solution to Exercise 1.1 (First)</summary>\n\n"
        "Because.\n\n</details>"
    )
    assert _collapsed(cells[3]) and cells[3].source.endswith("\nanswer = 1")
    assert cells[4].source.startswith(
        "<details>\n<summary>Solution to Exercise 1.1 (First), continued</summary>"
    )
    rest = cells[5].source
    assert rest.startswith("> **Note**\n>\n> Mind $x$.\n\n> **Warning**\n>\n> Careful.")
    assert "> **Exercise 1.2**\n>\n> Second." in rest
    assert "<summary>Solution to Exercise 1.2</summary>\n\nEasy.\n\n</details>" in rest
    assert rest.endswith("After.")


def test_converter_refuses_what_it_cannot_translate(tmp_path):
    with pytest.raises(TWINS.TwinError, match="directive .grid."):
        _page(tmp_path, "# T\n\n```{grid}\nx\n```\n")


def test_converter_needs_the_glued_values(tmp_path):
    with pytest.raises(TWINS.TwinError, match="no value for glue key 'missing'"):
        _page(tmp_path, "# T\n\nValue {glue:}`missing`.\n")
