"""The .ipynb twins of the chapters: plain Jupyter Markdown, with the book's policies.

Colab, Binder and the site's download button give learners the twins
(``book/<chapter>.ipynb``), and Jupyter front ends do not understand MyST: a twin must
read cleanly there (no raw MyST syntax, exercises numbered as on the site, solutions
folded away, hidden cells collapsed). The book build writes them
(``booktools.notebooks``, from the resolved pages); ``python -m booktools.twins``
copies them into ``book/``. These tests need no build of the book: the committed twins
are read as they are, and the notebook builder is tested on a small book built here
(one page, a few seconds). ``tests/e2e/test_twins_site.py`` checks that the committed
twins are the build's.
"""

from __future__ import annotations

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
FIX = "build the book, then copy the twins: .venv/bin/python -m booktools.twins"
# The chapter numbers of the site: the numbered parts' pages, 1, 2, ... across parts.
CHAPTER = {}
for _name, _numbered in TWINS.toc_docnames(ROOT):
    if _numbered:
        CHAPTER[_name] = str(len(CHAPTER) + 1)
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


def test_the_notebook_builder_is_a_book_extension():
    extensions = CONFIG["sphinx"]["extra_extensions"]
    assert "booktools.notebooks" in extensions
    assert "booktools.twins" not in extensions, "booktools.twins only copies twins"


@pytest.mark.parametrize("md", NOTEBOOKS, ids=lambda p: p.name)
def test_twin_exists_without_outputs(md):
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
    doc = TWINS.docname(md, ROOT)
    if doc not in CHAPTER:
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
        chapter = CHAPTER[doc]
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


# -- the notebook builder, on a small book built here ----------------------------------
HEADER = (
    "---\njupytext:\n  formats: ipynb,md:myst\n  text_representation:\n"
    "    extension: .md\n    format_name: myst\nkernelspec:\n"
    "  display_name: Python 3\n  language: python\n  name: python3\n---\n\n"
)
CHAPTER_MD = """# Title

```{code-cell} ipython3
:tags: [remove-cell]
from myst_nb import glue
glue("v", 3.14159, display=False)
glue("n", 7, display=False)
check = print  # the answer keys' check, as a stand-in
```

(sec)=
## Sec

See {ref}`sec`, {doc}`intro`, {doc}`B <bib>`, {cite}`k1,k2`, {cite:t}`k1`, {math}`x^2`,
{glue:text}`v:.2f`, {glue:}`n`, `{not a role}`, a_b and `code`.

| a | b |
|---|--:|
| 1 | 2 |

```{exercise} First
:label: ex-a

Compute $a
b$.
```

```{code-cell} ipython3
answer = None
check("ex-a", answer)
```

````{solution-start} ex-a
:class: dropdown
````

Because.

```{code-cell} ipython3
answer = 1
```

So.

````{solution-end}
````

:::{note}
Mind {math}`x`.
:::

```{warning}
Careful.
```

```{exercise}
:label: ex-b

Second.
```

```{solution} ex-b
:class: dropdown

Easy.
```

After.

```{code-cell} ipython3
:tags: [hide-input]
x = 2
```
"""
CONF = """
extensions = [
    "myst_nb", "sphinx_exercise", "sphinxcontrib.bibtex", "booktools.notebooks"
]
myst_enable_extensions = ["amsmath", "dollarmath", "colon_fence"]
bibtex_bibfiles = ["book/refs.bib"]
bibtex_reference_style = "author_year"
numfig = True
numfig_secnum_depth = 1
nb_execution_mode = "force"
exclude_patterns = ["_build", "**/*.ipynb"]
root_doc = "book/intro"
"""


@pytest.fixture(scope="module")
def small_book(tmp_path_factory) -> tuple[Path, str]:
    """A one-chapter book (and a page with a directive the builder cannot translate),
    built with Sphinx and the notebook builder; ``(root, build log)``."""
    import subprocess
    import sys

    root = tmp_path_factory.mktemp("book")
    book = root / "book"
    book.mkdir()
    (root / "conf.py").write_text(CONF)
    (root / "_config.yml").write_text(
        "repository:\n  url: https://github.com/Someone/thebook\n"
    )
    (root / "_toc.yml").write_text(
        "format: jb-book\nroot: book/intro\nparts:\n  - caption: C\n    numbered: 1\n"
        "    chapters:\n      - file: book/ch\n      - file: book/bib\n"
        "      - file: book/bad\n"
    )
    (book / "intro.md").write_text(
        "# Intro\n\n```{toctree}\n:numbered: 1\nch\nbib\nbad\n```\n"
    )
    (book / "bib.md").write_text("# Bibliography\n\n```{bibliography}\n:all:\n```\n")
    (book / "refs.bib").write_text(
        "@book{k1, author={Doe, Jane and Roe, Rick}, title={T}, year={2001},"
        " publisher={P}}\n"
        "@book{k2, author={Poe, A. and Bo, B. and Co, C.}, title={U}, year={2002},"
        " publisher={P}}\n"
    )
    (book / "ch.md").write_text(HEADER + CHAPTER_MD)
    (book / "bad.md").write_text(HEADER + "# Bad\n\n```{sidebar} S\nx\n```\n")
    env = {**__import__("os").environ, "PYTHONPATH": f"{ROOT / 'tools'}:{ROOT}"}
    env.pop("MPLBACKEND", None)
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "sphinx",
            "-q",
            "-b",
            "html",
            root,
            root / "_build/html",
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    return root, proc.stdout + proc.stderr


def _built(root: Path, name: str = "ch", assign: bool = False) -> list:
    folder = root / "_build" / "notebooks" / ("assign" if assign else "")
    return nbformat.read(folder / "book" / f"{name}.ipynb", as_version=4).cells


def test_builder_resolves_references_citations_math_and_glue(small_book):
    root, log = small_book
    text = _built(root)[2].source
    site = "https://someone.github.io/thebook/"
    assert _built(root)[0].source == "# 1. Title", "the chapter number, as the site's"
    assert text.startswith("## Sec\n\nSee "), text
    assert f"[Sec]({site}book/ch.html#sec)" in text
    assert f"[Intro]({site}book/intro.html)" in text
    assert f"[B]({site}book/bib.html)" in text
    assert (
        f"\\[[Doe and Roe, 2001]({site}book/bib.html), "
        f"[Poe *et al.*, 2002]({site}book/bib.html)\\]"
    ) in text
    assert f"Doe and Roe \\[[2001]({site}book/bib.html)\\]" in text
    assert "$x^2$,\n3.14, 7, `{not a role}`, a_b and `code`." in text
    assert "| a | b |\n|---|--:|\n| 1 | 2 |" in text


def test_builder_numbers_exercises_and_folds_solutions(small_book):
    root, _ = small_book
    cells = _built(root)
    kinds = [c.cell_type for c in cells]
    assert kinds == [
        "markdown",
        "code",
        "markdown",
        "code",
        "markdown",
        "code",
        "markdown",
        "markdown",
        "markdown",
        "markdown",
        "code",
    ], kinds
    assert cells[2].source.endswith("> **Exercise 1.1** (First)\n>\n> Compute $a b$.")
    assert cells[3].source.startswith("answer = None") and not cells[3].metadata
    assert cells[4].source == (
        "<details>\n<summary>Solution to Exercise 1.1 (First)</summary>\n\n"
        "Because.\n\n</details>"
    )
    assert _collapsed(cells[5]) and cells[5].source.endswith("\nanswer = 1")
    assert cells[5].source.startswith("# @title Solution to Exercise 1.1 (code)\n")
    assert cells[6].source.startswith(
        "<details>\n<summary>Solution to Exercise 1.1 (First), continued</summary>"
    )
    assert cells[7].source == (
        "> **Note**\n>\n> Mind $x$.\n\n> **Warning**\n>\n> Careful.\n\n"
        "> **Exercise 1.2**\n>\n> Second."
    )
    assert cells[8].source == (
        "<details>\n<summary>Solution to Exercise 1.2</summary>\n\nEasy.\n\n</details>"
    )
    assert cells[9].source == "After."
    assert _collapsed(cells[1]), "a remove-cell cell is collapsed"
    hidden = cells[10]
    assert hidden.metadata["jupyter"] == {"source_hidden": True}
    assert hidden.metadata["cellView"] == "form"
    assert hidden.source == "# @title Code\nx = 2"
    for cell in cells:
        assert not any(k.startswith("lrbook_") for k in cell.metadata), cell.metadata


def test_builder_tags_the_exercises_for_the_assignments(small_book):
    root, _ = small_book
    tags = [
        {k: v for k, v in c.metadata.items() if k.startswith("lrbook_")}
        for c in _built(root, assign=True)
    ]
    sources = [c.source for c in _built(root, assign=True)]
    statement = sources.index("> **Exercise 1.1** (First)\n>\n> Compute $a b$.")
    assert tags[statement] == {"lrbook_exercise": "ex-a"}
    assert tags[statement + 1] == {"lrbook_answer": "ex-a"}  # check("ex-a", answer)
    assert tags[statement + 2 : statement + 5] == [{"lrbook_solution": "ex-a"}] * 3
    second = sources.index("> **Exercise 1.2**\n>\n> Second.")
    assert tags[second] == {"lrbook_exercise": "ex-b"}
    assert tags[second + 1] == {"lrbook_solution": "ex-b"}
    assert tags[second - 1] == {} and tags[second + 2] == {}


def test_builder_refuses_what_it_cannot_translate(small_book):
    root, log = small_book
    assert re.search(r"no notebook for book/bad: .*no Jupyter Markdown.*sidebar", log)
    assert not (root / "_build" / "notebooks" / "book" / "bad.ipynb").exists()


def test_a_stale_or_missing_twin_is_detected(small_book):
    root, _ = small_book
    md = root / "book" / "ch.md"
    twin = md.with_suffix(".ipynb")
    twin.unlink(missing_ok=True)
    bad = [t for t, _ in TWINS.stale(root) if t.name == "ch.ipynb"]
    assert bad == [twin], "a missing twin"
    built = TWINS.twin_text(md, root=root)
    twin.write_text(built)
    assert not [t for t, _ in TWINS.stale(root) if t.name == "ch.ipynb"]
    nb = nbformat.reads(built, as_version=4)
    nb.cells[-1].source += "\n# edited in the .md but not rebuilt"
    twin.write_text(nbformat.writes(nb))
    assert [t for t, _ in TWINS.stale(root) if t.name == "ch.ipynb"] == [twin]
    nb = nbformat.reads(built, as_version=4)
    code = next(c for c in nb.cells if c.cell_type == "code")
    code.outputs = [nbformat.v4.new_output("stream", text="hi")]
    twin.write_text(nbformat.writes(nb))
    assert [t for t, _ in TWINS.stale(root) if t.name == "ch.ipynb"] == [twin]
    nb = nbformat.reads(built, as_version=4)
    for cell in nb.cells:
        cell.id = "x" + cell.id[1:]
    twin.write_text(nbformat.writes(nb))
    assert not [t for t, _ in TWINS.stale(root) if t.name == "ch.ipynb"], "not ids"
